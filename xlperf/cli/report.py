"""``xlperf report``: the committee report (HTML or PDF) from a master workbook."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from xlperf.cli._app import _fail, app, console
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
    engine: Annotated[str, typer.Option(
        help="PDF engine: auto (the browser on this machine, else WeasyPrint), browser or "
             "weasyprint.")] = "auto",
    browser: Annotated[str | None, typer.Option(
        help="Chromium, Chrome or Edge to print the PDF with (default: the 'Report browser' "
             "setting, else the one found).")] = None,
) -> None:
    """Write the committee report: objectives, measure tables, exception cards, trends and
    finance, as self-contained accessible HTML or a (tagged) PDF."""
    from xlperf.report import build_report

    try:
        when = dt.date.fromisoformat(generated) if generated else None
    except ValueError:
        raise _fail(XlperfError(f"--date {generated!r} is not YYYY-MM-DD")) from None
    try:
        path = build_report(master, out, period=period, fmt=fmt.lower(), generated=when,
                            engine=engine, browser=browser,
                            progress=(lambda step: typer.echo(step, err=True))
                            if fmt.lower() == "pdf" else None)
    except XlperfError as error:
        raise _fail(error) from None
    console().print(f"Wrote {path}")
