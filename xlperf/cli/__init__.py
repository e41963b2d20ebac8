"""The ``xlperf`` command: thin typer commands over the library, printed with rich.

Each command parses its arguments, makes one library call and prints the result. Library
errors (:class:`~xlperf.errors.XlperfError`) become a one-line message and exit code 3, never a
traceback; the exit codes are :class:`~xlperf.cli._app.ExitCode`. Heavy libraries are imported
inside the commands so ``xlperf --help`` is quick.

Commands live in one module per area (``scoring``, ``workbooks``, ``validate``, ``excel``...),
each registering on the one :data:`app`.
"""

from __future__ import annotations

from importlib import import_module

from xlperf.cli._app import OPTIONS, ExitCode, app

# Each module registers its commands on `app`; `xlperf --help` lists them in this order, the
# order of the monthly cycle: set up, check returns, refresh and report, then the rest.
AREAS = ("workbooks", "validate", "collection", "refresh", "report", "ledger", "serve", "lite",
         "scoring")
for _area in AREAS:
    import_module(f"xlperf.cli.{_area}")

__all__ = ["ExitCode", "app", "main"]


def main() -> None:
    """Entry point of the ``xlperf`` console script: an unexpected problem is one sentence and
    exit code 4 (with ``-v``, the traceback too), never a bare traceback."""
    import sys

    try:
        app()
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
