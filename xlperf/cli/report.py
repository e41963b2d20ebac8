"""``xlperf report``: the committee report (HTML or PDF) from a master workbook."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from xlperf.cli._app import app, console, fail, print_json, usage
from xlperf.errors import XlperfError


@app.command()
def report(
    master: Annotated[Path, typer.Argument(help="The master workbook.")],
    period: Annotated[str | None, typer.Option(
        help="Reporting period, e.g. 'Q2 2013/14' (default: the master's Settings).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="html or pdf (pdf needs "
                                     "'xlperf[report]').")] = "html",
    out: Annotated[Path | None, typer.Option(
        help="File to write (default: beside the master).")] = None,
    generated: Annotated[str | None, typer.Option(
        "--date", help="Date printed as 'Generated on', YYYY-MM-DD (default: today).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print what was written as JSON.")
                       ] = False,
) -> None:
    """Write the committee report: objectives, measure tables, exception cards, trends and
    finance, as self-contained accessible HTML or a (tagged) PDF."""
    from xlperf.report import build_report

    try:
        when = dt.date.fromisoformat(generated) if generated else None
    except ValueError:
        raise usage(f"--date {generated!r} is not YYYY-MM-DD") from None
    if fmt.lower() not in ("html", "pdf"):
        raise usage(f"--format must be html or pdf, not {fmt!r}")
    try:
        path = build_report(master, out, period=period, fmt=fmt.lower(), generated=when)
    except XlperfError as error:
        raise fail(error) from None
    if as_json:
        print_json("report", {"file": str(path), "format": fmt.lower()})
        return
    console().print(f"Wrote {path}", markup=False)
