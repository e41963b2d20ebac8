"""Scoring commands: ``schemes``, ``status``."""

from __future__ import annotations

from typing import Annotated

import typer

from xlperf.cli._app import OPTIONS, app, print_json, print_table, usage
from xlperf.errors import XlperfError


@app.command()
def schemes(
    as_json: Annotated[bool, typer.Option("--json", help="Print the schemes as JSON.")] = False,
) -> None:
    """List the built-in status schemes with their words, symbols and colours."""
    from rich.table import Table

    from xlperf.core.schemes import BUILTIN_SCHEMES, SPECIAL_STATUSES

    if as_json:
        inf = float("-inf")
        print_json("schemes", {
            "schemes": [{"name": scheme.name, "bands": [
                {"status": b.label, "symbol": b.symbol, "colour": b.colour,
                 "edge": None if b.edge == inf else b.edge, "inclusive": b.inclusive}
                for b in scheme.bands]} for scheme in BUILTIN_SCHEMES.values()],
            "special": [{"status": s.label, "symbol": s.symbol, "colour": s.colour}
                        for s in SPECIAL_STATUSES]})
        return

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
    print_table(table)


@app.command()
def status(
    actual: str,
    target: str,
    polarity: str,
    tolerance: Annotated[float, typer.Option(help="How far from target is still near.")] = 0,
    tolerance_type: Annotated[str, typer.Option(help="absolute or relative (%).")] = "absolute",
    scheme: Annotated[str, typer.Option(help="rag, three-symbol or four-band.")] = "rag",
    as_json: Annotated[bool, typer.Option("--json", help="Print the status as JSON.")] = False,
) -> None:
    """Rate one actual against its target and say why."""
    # `xlperf status` usually runs without typer (xlperf.cli._status.fast_status); this is the
    # path for the rest (a rejected input, --help), printing the same text.
    from xlperf.cli._status import status_text

    try:
        text = status_text(actual, target, polarity, tolerance, tolerance_type, scheme, as_json)
    except XlperfError as error:  # every input here was typed on the command line
        raise usage(str(error)) from None
    if as_json or not OPTIONS.quiet:  # one plain line: no need to load rich for it
        typer.echo(text)
