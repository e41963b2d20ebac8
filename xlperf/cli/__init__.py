"""The ``xlperf`` command: thin typer commands over the library, printed with rich.

Each command parses its arguments, makes one library call and prints the result. Library
errors (:class:`~xlperf.errors.XlperfError`) become a one-line message and exit code 3, never a
traceback; the exit codes are :class:`~xlperf.cli._app.ExitCode`. Heavy libraries are imported
inside the commands so ``xlperf --help`` is quick.

Commands live in one module per area (``scoring``, ``workbooks``, ``validate``, ``excel``...),
each registering on the one :data:`app`. The app (typer, which loads pydantic) is built on
first use of ``xlperf.cli.app``: a plain ``xlperf status ...`` or ``xlperf refresh ...`` never
needs it (:func:`xlperf.cli._status.fast_status`, :func:`xlperf.cli._refresh.plain_refresh`).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from xlperf.cli._app import ExitCode, app

__all__ = ["ExitCode", "app", "main"]

# Each module registers its commands on `app`; `xlperf --help` lists them in this order, the
# order of the monthly cycle: set up, check returns, refresh and report, then the rest.
AREAS = ("workbooks", "validate", "collection", "refresh", "report", "ledger", "serve", "lite",
         "scoring")


def _commands() -> Any:
    """The `xlperf._app` module, with every area's commands registered on its app."""
    shared = import_module("xlperf.cli._app")
    for area in AREAS:
        import_module(f"xlperf.cli.{area}")
    return shared


def __getattr__(name: str) -> Any:
    if name in ("app", "ExitCode"):
        return getattr(_commands(), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    """Entry point of the ``xlperf`` console script: an unexpected problem is one sentence and
    exit code 4 (with ``-v``, the traceback too), never a bare traceback."""
    import sys

    from xlperf.cli._status import fast_status

    if (code := fast_status(sys.argv[1:])) is not None:
        sys.exit(code)
    from xlperf.cli._out import OPTIONS, ExitCode
    from xlperf.cli._refresh import plain_refresh

    # A plain `xlperf refresh` runs without typer too; anything else is the typer app's.
    plain = plain_refresh(sys.argv[1:])
    shared = _commands() if plain is None else None
    try:
        if plain is not None:
            sys.exit(plain())
        assert shared is not None
        shared.app()
    except KeyboardInterrupt:
        sys.stderr.write("xlperf: interrupted\n")
        sys.exit(130)
    except Exception as error:  # a bug in xlperf: say so, and how to report it
        if OPTIONS.verbose:
            import traceback

            traceback.print_exc()
        sys.stderr.write(f"xlperf: an unexpected problem ({type(error).__name__}: {error}); "
                         "nothing more was done. Please report it with the output of the same "
                         "command run with -v.\n")
        sys.exit(ExitCode.BUG)
