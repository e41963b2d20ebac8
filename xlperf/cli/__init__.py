"""The ``xlperf`` command: thin typer commands over the library, printed with rich.

Each command parses its arguments, makes one library call and prints the result. Library
errors (:class:`~xlperf.errors.XlperfError`) become a one-line message and exit code 2, never a
traceback. Heavy libraries are imported inside the commands so ``xlperf --help`` is quick.

Commands live in one module per area (``scoring``, ``workbooks``, ``validate``, ``excel``...),
each registering on the one :data:`app`.
"""

from __future__ import annotations

from importlib import import_module

from xlperf.cli._app import app

# Each module registers its commands on `app`; `xlperf --help` lists them in this order, the
# order of the monthly cycle: set up, check returns, refresh and report, then the rest.
AREAS = ("workbooks", "validate", "refresh", "report", "ledger", "serve", "lite", "scoring")
for _area in AREAS:
    import_module(f"xlperf.cli.{_area}")

__all__ = ["app", "main"]


def main() -> None:
    """Entry point of the ``xlperf`` console script."""
    app()
