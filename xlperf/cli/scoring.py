"""Scoring commands: ``schemes``, ``status``."""

from __future__ import annotations

from typing import Annotated

import typer

from xlperf.cli._app import _fail, app, console
from xlperf.errors import XlperfError


@app.command()
def schemes() -> None:
    """List the built-in status schemes with their words, symbols and colours."""
    from rich.table import Table

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
    console().print(table)


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
        console().print(explain(actual, target, polarity, tolerance, tolerance_type, scheme))
    except XlperfError as error:
        raise _fail(error) from None
