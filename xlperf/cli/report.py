"""``xlperf report``: the committee report (HTML or PDF) from a master workbook."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from xlperf.cli._app import OPTIONS, app, console, fail, print_json, usage
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
    plan: Annotated[str | None, typer.Option(
        help="Print only the measures in this plan (the Measures sheet's Plans column), "
             "e.g. \"Children's plan\".")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print what was written as JSON.")
                       ] = False,
) -> None:
    """Write the committee report: objectives, measure tables, exception cards, trends and
    finance, as self-contained accessible HTML or a (tagged) PDF."""
    from xlperf.report import ENGINES, FORMATS, build_report

    try:
        when = dt.date.fromisoformat(generated) if generated else None
    except ValueError:
        raise usage(f"--date {generated!r} is not YYYY-MM-DD") from None
    if fmt.lower() not in FORMATS:
        raise usage(f"--format must be html or pdf, not {fmt!r}")
    if engine.strip().lower() not in ENGINES:
        raise usage(f"--engine {engine!r} is not one of {', '.join(ENGINES)}")
    # A PDF of hundreds of pages takes a while: say each step (on standard error; not -q).
    show_steps = fmt.lower() == "pdf" and not OPTIONS.quiet and not as_json
    try:
        path = build_report(master, out, period=period, fmt=fmt.lower(), generated=when,
                            engine=engine, browser=browser, plan=plan,
                            progress=(lambda step: typer.echo(step, err=True))
                            if show_steps else None)
    except XlperfError as error:
        raise fail(error) from None
    if as_json:
        print_json("report", {"file": str(path), "format": fmt.lower()})
        return
    console().print(f"Wrote {path}", markup=False)
