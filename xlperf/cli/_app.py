"""Shared parts of the CLI: the typer app, its global options, consoles, exit codes, JSON output
and table printing.

The ``xlperf`` command: thin typer commands over the library, printed with rich.

Each command parses its arguments, makes one library call and prints the result. Library
errors (:class:`~xlperf.errors.XlperfError`) become a one-line message and
:attr:`ExitCode.CANNOT_RUN`, never a traceback. Heavy libraries are imported inside the
commands so ``xlperf --help`` is quick; rich too, on first print, so ``xlperf refresh --json``
loads none of it.

The conventions every command keeps (the ones sqlite-utils, git and csvkit keep):

- exit codes from :class:`ExitCode`, the same meaning in every command;
- ``--json`` prints one JSON document on standard output and nothing else there, with
  ``schema_version`` and ``command`` first (:func:`print_json`);
- ``-q`` prints nothing but problems (on standard error), ``-v`` adds detail and, for an
  unexpected problem, the traceback;
- messages on standard error are never wrapped (a long path stays on its line for ``grep``);
  tables fold long cells and, where a terminal is too narrow, keep every column rather than
  crop one (:func:`print_table`).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from enum import IntEnum
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any

import typer

from xlperf._words import plural
from xlperf.cli._status import JSON_SCHEMA_VERSION
from xlperf.errors import XlperfError

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

__all__ = ["JSON_SCHEMA_VERSION", "ExitCode", "app", "console", "err_console", "fail",
           "sheet_findings_table", "plural", "print_json", "print_table", "usage", "warn"]


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
    """The global options, set once by the app callback before any command runs."""

    quiet: bool = False
    verbose: bool = False


OPTIONS = Options()

app = typer.Typer(
    name="xlperf",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain help text: no markup, so "xlperf[report]" shows as typed, and no "<bool>" metavars.
    rich_markup_mode=None,
)


def _show_version(value: bool) -> None:
    if value:
        from xlperf import __version__

        typer.echo(f"xlperf {__version__}")
        raise typer.Exit(ExitCode.OK)


@app.callback()
def _global_options(
    version: Annotated[bool, typer.Option(
        "--version", callback=_show_version, is_eager=True,
        help="Print xlperf's version and exit.")] = False,
    quiet: Annotated[bool, typer.Option(
        "--quiet", "-q", help="Print nothing but problems; the exit code tells the outcome.")
    ] = False,
    verbose: Annotated[bool, typer.Option(
        "--verbose", "-v", help="Print more detail, and the traceback of an unexpected "
                                "problem.")] = False,
) -> None:
    """Council performance and budget monitoring: templates, validation, scoring, refresh.

    Exit codes: 0 done, everything accepted; 1 done, but errors were found (returns or rows
    not accepted); 2 the command line is wrong; 3 nothing was done (a file missing,
    unreadable, locked or in use); 4 an unexpected problem in xlperf (please report it)."""
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


def warn(message: str) -> None:
    """Print a problem that does not stop the command (shown under ``-q`` too)."""
    from rich.markup import escape

    err_console().print(f"[yellow]xlperf:[/] {escape(message)}")


def fail(error: XlperfError | str, code: ExitCode = ExitCode.CANNOT_RUN) -> typer.Exit:
    """Print ``error`` as one unwrapped line on standard error and return the exit to raise.

    >>> raise fail(XlperfError("no such workbook: m.xlsx"))  # doctest: +SKIP
    """
    # Messages quote what people typed ("xlperf[parquet]", "[Q1]"): never read them as markup.
    from rich.markup import escape

    err_console().print(f"[bold red]xlperf:[/] {escape(str(error))}")
    return typer.Exit(code)


def usage(message: str) -> typer.Exit:
    """A command line that is wrong in a way typer cannot see (a value out of a list)."""
    return fail(message, ExitCode.USAGE)



def print_json(command: str, payload: dict[str, Any]) -> None:
    """Print one ``--json`` document on standard output: ``schema_version`` and ``command``
    first, then ``payload``; NaN and infinities become ``null`` (they are not JSON).

    >>> print_json("status", {"status": "Red"})  # doctest: +NORMALIZE_WHITESPACE
    {"schema_version": 1, "command": "status", "status": "Red"}
    """
    from xlperf.cli._status import json_document

    typer.echo(json_document(command, payload))


def sheet_findings_table(report: object, title: str) -> Table:
    """A table of a master's or history file's findings: sheet, cell, rule, severity,
    message."""
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=escape(title), header_style="bold")
    for column in ("Sheet", "Cell", "Rule", "Severity", "Message"):
        table.add_column(column, overflow="fold")
    for f in report:  # type: ignore[attr-defined]
        table.add_row(*(escape(x) for x in (f.sheet or "", f.cell or "", f.rule, f.severity,
                                             f.message)))
    return table


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


def _num(value: object, unit: str = "") -> str:
    from xlperf.core.figures import format_number

    try:
        text = format_number(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return ""
    return f"{text}%" if text and unit == "%" else text


def scorecard_table(scored: object, title: str) -> Table:
    """A rich table of :func:`xlperf.score`'s result, grouped by priority and objective."""
    import pandas as pd
    from rich.markup import escape
    from rich.table import Table

    assert isinstance(scored, pd.DataFrame)
    table = Table(title=title, show_lines=False, header_style="bold", title_justify="left")
    # Every column folds rather than crops (a narrow terminal makes rows taller, not shorter),
    # and no narrower than its heading, so a heading is never broken.
    columns = (("Code", "left", 13), ("Measure", "left", 32), ("Period", "left", 10),
               ("Actual", "right", 8), ("Target", "right", 8), ("Status", "left", 23),
               ("Variance", "right", 8), ("Direction", "left", 14), ("Trend", "left", 14))
    # A code is what people search for: it folds only when longer than its column's 13.
    longest_code = int(scored["code"].astype(str).str.len().max()) if len(scored) else 4
    for name, justify, width in columns:
        least = min(width, longest_code) if name == "Code" else len(name)
        table.add_column(name, justify=justify, min_width=least,  # type: ignore[arg-type]
                         max_width=width, overflow="fold")
    shown_priority = None
    for (priority, objective), rows in scored.groupby(["priority", "objective"], sort=False):
        table.add_section()
        if priority != shown_priority:
            table.add_row("", f"[bold reverse] {escape(str(priority))} [/]")
            shown_priority = priority
        table.add_row("", f"[bold]{escape(str(objective))}[/]")
        for row in rows.itertuples():
            actual = _num(row.actual, row.unit) or f"[dim]{escape(str(row.actual_reason))}[/]"
            style = {"#00703C": "green", "#D4351C": "red", "#A35200": "dark_orange",
                     "#1D70B8": "blue"}.get(row.colour, "")
            status = escape(f"{row.symbol} {row.status}")
            status = f"[{style}]{status}[/]" if style else status
            table.add_row(escape(str(row.code)), escape(str(row.title)), str(row.period),
                          actual, _num(row.target, row.unit), status, _num(row.variance),
                          str(row.direction), str(row.trend))
    return table
