"""The ``xlperf`` command: thin typer commands over the library, printed with rich.

Each command parses its arguments, makes one library call and prints the result. Library
errors (:class:`~xlperf.errors.XlperfError`) become a one-line message and exit code 2, never a
traceback. Heavy libraries are imported inside the commands so ``xlperf --help`` is quick.

Commands live in one module per area (``scoring``, ``workbooks``, ``validate``, ``excel``...),
each registering on the one :data:`app`.
"""

from __future__ import annotations

import xlperf.cli.ledger  # noqa: F401  (registers its commands)
import xlperf.cli.refresh  # noqa: F401  (registers its commands)
import xlperf.cli.report  # noqa: F401  (registers its commands)
import xlperf.cli.serve  # noqa: F401  (registers its commands)
import xlperf.cli.validate  # noqa: F401  (registers its commands)
import xlperf.cli.workbooks  # noqa: F401  (registers its commands)
from xlperf.cli import scoring  # noqa: F401  (registers its commands)
from xlperf.cli._app import app

__all__ = ["app", "main"]


def main() -> None:
    """Entry point of the ``xlperf`` console script."""
    app()
