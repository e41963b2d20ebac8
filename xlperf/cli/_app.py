"""Shared parts of the CLI: the typer app, consoles, error handling and table builders.

The ``xlperf`` command: thin typer commands over the library, printed with rich.

Each command parses its arguments, makes one library call and prints the result. Library
errors (:class:`~xlperf.errors.XlperfError`) become a one-line message and exit code 2, never a
traceback. Heavy libraries are imported inside the commands so ``xlperf --help`` is quick; rich
too, on first print, so ``xlperf refresh --json`` loads none of it.
"""

from __future__ import annotations

import sys
from functools import cache
from typing import TYPE_CHECKING

import typer

from xlperf.errors import XlperfError

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

app = typer.Typer(
    name="xlperf",
    help="Council performance and budget monitoring: templates, validation, scoring, refresh.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@cache
def console() -> Console:
    """The rich console on standard output (made on first use)."""
    from rich.console import Console

    # A pipe or CI log has no width: give tables room rather than wrapping every cell.
    return Console(width=None if sys.stdout.isatty() else 160)


@cache
def err_console() -> Console:
    """The rich console on standard error (made on first use)."""
    from rich.console import Console

    return Console(stderr=True)


def _fail(error: XlperfError) -> typer.Exit:
    # Messages quote what people typed ("xlperf[parquet]", "[Q1]"): never read them as markup.
    from rich.markup import escape

    err_console().print(f"[bold red]xlperf:[/] {escape(str(error))}")
    return typer.Exit(2)


def _num(value: object, unit: str = "") -> str:
    from xlperf.core._arrays import format_number

    try:
        text = format_number(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return ""
    return f"{text}%" if text and unit == "%" else text


def scorecard_table(scored: object, title: str) -> Table:
    """A rich table of :func:`xlperf.score`'s result, grouped by priority and objective."""
    import pandas as pd
    from rich.table import Table

    assert isinstance(scored, pd.DataFrame)
    table = Table(title=title, show_lines=False, header_style="bold", title_justify="left")
    columns = (("Code", "left", 13), ("Measure", "left", 32), ("Period", "left", 10),
               ("Actual", "right", 8), ("Target", "right", 8), ("Status", "left", 23),
               ("Variance", "right", 8), ("Direction", "left", 14), ("Trend", "left", 14))
    for name, justify, width in columns:
        table.add_column(name, justify=justify, no_wrap=True,  # type: ignore[arg-type]
                         min_width=width if name != "Measure" else 20,
                         max_width=width, overflow="ellipsis")
    shown_priority = None
    for (priority, objective), rows in scored.groupby(["priority", "objective"], sort=False):
        table.add_section()
        if priority != shown_priority:
            table.add_row("", f"[bold reverse] {priority} [/]")
            shown_priority = priority
        table.add_row("", f"[bold]{objective}[/]")
        for row in rows.itertuples():
            actual = _num(row.actual, row.unit) or f"[dim]{row.actual_reason}[/]"
            style = {"#00703C": "green", "#D4351C": "red", "#A35200": "dark_orange",
                     "#1D70B8": "blue"}.get(row.colour, "")
            status = f"[{style}]{row.symbol} {row.status}[/]" if style else (
                f"{row.symbol} {row.status}")
            table.add_row(str(row.code), str(row.title), str(row.period), actual,
                          _num(row.target, row.unit), status, _num(row.variance),
                          str(row.direction), str(row.trend))
    return table
