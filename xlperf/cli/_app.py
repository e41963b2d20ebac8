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

from typing import TYPE_CHECKING, Annotated

import typer

from xlperf._words import plural
from xlperf.cli._out import (
    OPTIONS,
    PIPE_WIDTH,
    ExitCode,
    Options,
    console,
    err_console,
    print_json,
    print_table,
    printable,
    set_options,
    show_error,
    warn,
)
from xlperf.cli._status import JSON_SCHEMA_VERSION
from xlperf.errors import XlperfError

if TYPE_CHECKING:
    from rich.table import Table

# The typer-free parts (exit codes, options, consoles, JSON and table printing) live in
# xlperf.cli._out, so the plain paths print with them too; they are re-exported here.
__all__ = ["JSON_SCHEMA_VERSION", "OPTIONS", "PIPE_WIDTH", "ExitCode", "Options", "app",
           "console", "err_console", "fail", "sheet_findings_table", "plural", "print_json",
           "print_table", "printable", "usage", "warn"]


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
    set_options(quiet, verbose)


def fail(error: XlperfError | str, code: ExitCode = ExitCode.CANNOT_RUN) -> typer.Exit:
    """Print ``error`` as one unwrapped line on standard error and return the exit to raise.

    >>> raise fail(XlperfError("no such workbook: m.xlsx"))  # doctest: +SKIP
    """
    show_error(error)
    return typer.Exit(code)


def usage(message: str) -> typer.Exit:
    """A command line that is wrong in a way typer cannot see (a value out of a list)."""
    return fail(message, ExitCode.USAGE)



def sheet_findings_table(report: object, title: str) -> Table:
    """A table of a master's or history file's findings: sheet, cell, rule, severity,
    message."""
    from rich.table import Table

    table = Table(title=printable(title), header_style="bold")
    for column in ("Sheet", "Cell", "Rule", "Severity", "Message"):
        table.add_column(column, overflow="fold")
    for f in report:  # type: ignore[attr-defined]
        table.add_row(*(printable(x) for x in (f.sheet or "", f.cell or "", f.rule, f.severity,
                                             f.message)))
    return table


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
