"""What the CLI prints, its global options and its exit codes: the parts of the command line
that need no typer (typer loads pydantic, a third of a second on a small machine).

:mod:`xlperf.cli._app` re-exports everything here for the typer commands; the plain paths that
run a common command line without typer (:func:`xlperf.cli._status.fast_status`,
:func:`xlperf.cli._refresh.plain_refresh`) use it directly, so both print the same. rich is
imported when something is first printed (``xlperf refresh --json`` never needs it).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from enum import IntEnum
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from xlperf.errors import XlperfError

__all__ = ["OPTIONS", "PIPE_WIDTH", "ExitCode", "Options", "console", "err_console",
           "print_json", "print_table", "printable", "show_error", "warn"]

#: Width of output to a pipe or file: wide enough that tables rarely fold, fixed so that a log
#: reads the same on every machine. A terminal gets its own width.
PIPE_WIDTH = 160


class ExitCode(IntEnum):
    """What ``xlperf``'s exit code means, in every command (``docs/cli.md`` has the table)."""

    OK = 0
    """Done: every return accepted (queries allowed), nothing rejected."""
    FINDINGS = 1
    """Done, but errors were found: returns or rows were not accepted (or values not imported)."""
    USAGE = 2
    """The command line is wrong: an unknown option, a missing or malformed argument."""
    CANNOT_RUN = 3
    """Nothing was done: a file is missing, unreadable, damaged, locked or in use, or the
    master has errors that stop the command."""
    BUG = 4
    """An unexpected problem in xlperf itself: please report it (``-v`` shows the details)."""


@dataclass
class Options:
    """The global options, set once (by the app callback, or a plain path) before any command
    runs."""

    quiet: bool = False
    verbose: bool = False


OPTIONS = Options()


def set_options(quiet: bool, verbose: bool) -> None:
    """Set the global options ``-q`` and ``-v`` (the consoles are made again to follow them)."""
    OPTIONS.quiet, OPTIONS.verbose = quiet, verbose
    console.cache_clear()


@cache
def console() -> Console:
    """The rich console on standard output (made on first use; silent under ``-q``)."""
    from rich.console import Console

    return Console(width=None if sys.stdout.isatty() else PIPE_WIDTH, quiet=OPTIONS.quiet)


@cache
def err_console() -> Console:
    """The rich console on standard error (made on first use): problems, never wrapped."""
    from rich.console import Console

    return Console(stderr=True, soft_wrap=True, highlight=False)


def printable(value: object, *, markup: bool = True) -> str:
    """Text the CLI prints that may come from a return (a value, a file or sheet name, a
    message), as the messages and annotated copies show it: each control character a
    worksheet cannot hold as its picture (:func:`xlperf.layout.visible_controls`: rich would
    drop a pasted BEL, the figure silently changed, and pass an ESC on to the terminal); with
    ``markup`` (for a string rich reads as markup) rich's markup escaped, so a ``[b]`` typed
    prints as typed. ``--json`` output keeps the text as sent (JSON escapes it).

    >>> printable("78.8\\x07"), printable("[b]"), printable("[b]", markup=False)
    ('78.8␇', '\\\\[b]', '[b]')
    """
    from xlperf.layout import visible_controls

    text = visible_controls(str(value))
    if not markup:
        return text
    from rich.markup import escape

    return escape(text)


def warn(message: str) -> None:
    """Print a problem that does not stop the command (shown under ``-q`` too)."""
    err_console().print(f"[yellow]xlperf:[/] {printable(message)}")


def show_error(error: XlperfError | str) -> None:
    """Print ``error`` as one unwrapped line on standard error (what ``fail`` prints)."""
    # Messages quote what people typed ("xlperf[parquet]", "[Q1]"): never read them as markup.
    err_console().print(f"[bold red]xlperf:[/] {printable(error)}")


def print_json(command: str, payload: dict[str, Any]) -> None:
    """Print one ``--json`` document on standard output: ``schema_version`` and ``command``
    first, then ``payload``; NaN and infinities become ``null`` (they are not JSON).

    >>> print_json("status", {"status": "Red"})  # doctest: +NORMALIZE_WHITESPACE
    {"schema_version": 1, "command": "status", "status": "Red"}
    """
    from xlperf.cli._status import json_document

    out = sys.stdout
    if out is None:  # no standard output at all (pythonw): nothing to print on
        return
    out.write(json_document(command, payload) + "\n")
    out.flush()


def print_table(table: Table, out: Console | None = None) -> None:
    """Print ``table`` on ``out`` (default :func:`console`) with every column kept: cells fold
    to fit, and where even folded the table is wider than a narrow terminal, it is printed at
    the width it needs (the terminal wraps the lines) rather than lose a column."""
    from rich.measure import Measurement

    out = out or console()
    # Measured against unlimited room: Console.measure caps the answer at the console's width.
    needed = Measurement.get(out, out.options.update_width(100_000), table).minimum
    if needed <= out.width:
        out.print(table)
    else:
        out.print(table, width=needed, crop=False)
