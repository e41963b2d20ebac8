"""The ``xlperf`` command: thin typer commands over the library, printed with rich.

Each command parses its arguments, makes one library call and prints the result. Library
errors (:class:`~xlperf.errors.XlperfError`) become a one-line message and exit code 2, never a
traceback. Heavy libraries are imported inside the commands so ``xlperf --help`` is quick.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from xlperf.errors import XlperfError

app = typer.Typer(
    name="xlperf",
    help="Council performance and budget monitoring: templates, validation, scoring, refresh.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# A pipe or CI log has no width: give tables room rather than wrapping every cell.
console = Console(width=None if sys.stdout.isatty() else 160)
err_console = Console(stderr=True)


def _fail(error: XlperfError) -> typer.Exit:
    err_console.print(f"[bold red]xlperf:[/] {error}")
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

    assert isinstance(scored, pd.DataFrame)
    table = Table(title=title, show_lines=False, header_style="bold")
    for name, justify in (("Code", "left"), ("Measure", "left"), ("Period", "left"),
                          ("Actual", "right"), ("Target", "right"), ("Status", "left"),
                          ("Variance", "right"), ("Direction", "left"), ("Trend", "left")):
        table.add_column(name, justify=justify, no_wrap=True,  # type: ignore[arg-type]
                         max_width=44 if name == "Measure" else None, overflow="ellipsis")
    for (priority, objective), rows in scored.groupby(["priority", "objective"], sort=False):
        table.add_section()
        table.add_row(f"[bold]{priority}[/]", f"[italic]{objective}[/]")
        for row in rows.itertuples():
            actual = _num(row.actual, row.unit) or f"[dim]{row.actual_reason}[/]"
            style = {"#00703C": "green", "#D4351C": "red", "#A35200": "dark_orange",
                     "#1D70B8": "blue"}.get(row.colour, "")
            status = f"[{style}]{row.symbol} {row.status}[/]" if style else (
                f"{row.symbol} {row.status}")
            table.add_row(str(row.code), str(row.title)[:48], str(row.period), actual,
                          _num(row.target, row.unit), status, _num(row.variance),
                          str(row.direction), str(row.trend))
    return table


@app.command()
def demo(
    period: Annotated[str, typer.Option(help="Reporting period of the demo.")] = "Q2 2013/14",
) -> None:
    """Score the bundled demo council and print its scorecard."""
    from xlperf import demo as demo_data
    from xlperf.core.rollup import rollup
    from xlperf.core.score import score

    try:
        scored = score(demo_data.demo_values(period), demo_data.demo_register(), period)
    except XlperfError as error:
        raise _fail(error) from None
    console.print(scorecard_table(scored, f"{demo_data.DEMO_COUNCIL}: scorecard {period}"))
    objectives = rollup(scored, ["priority", "objective"])
    summary = Table(title="Objectives", header_style="bold")
    for column in ("Objective", "Rated", "Met", "Near", "Missed", "Judgement"):
        summary.add_column(column)
    for row in objectives.itertuples():
        summary.add_row(str(row.objective), str(row.rated), str(row.met), str(row.near),
                        str(row.missed), str(row.judgement))
    console.print(summary)
    counts = scored["status"].value_counts()
    console.print("Statuses: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


@app.command()
def schemes() -> None:
    """List the built-in status schemes with their words, symbols and colours."""
    from xlperf.core.schemes import BUILTIN_SCHEMES, SPECIAL_STATUSES

    table = Table(title="Status schemes", header_style="bold")
    for column in ("Scheme", "Symbol", "Status", "Colour", "When"):
        table.add_column(column)
    for scheme in BUILTIN_SCHEMES.values():
        for band in scheme.bands:
            op = ">=" if band.inclusive else ">"
            when = ("otherwise" if band.edge == float("-inf")
                    else f"gap {op} {band.edge:g} x tolerance")
            table.add_row(scheme.name, band.symbol, band.label, band.colour, when)
        table.add_section()
    for special in SPECIAL_STATUSES:
        table.add_row("(all)", special.symbol, special.label, special.colour, "")
    console.print(table)


@app.command()
def status(
    actual: str,
    target: str,
    polarity: str,
    tolerance: Annotated[float, typer.Option(help="How far from target is still near.")] = 0,
    tolerance_type: Annotated[str, typer.Option(help="absolute or relative (%).")] = "absolute",
    scheme: Annotated[str, typer.Option(help="rag, three-symbol or four-band.")] = "rag",
) -> None:
    """Rate one actual against its target and say why."""
    from xlperf.core.status import explain

    try:
        console.print(explain(actual, target, polarity, tolerance, tolerance_type, scheme))
    except XlperfError as error:
        raise _fail(error) from None


def main() -> None:
    """Entry point of the ``xlperf`` console script."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
