"""``xlperf report``: the committee report (HTML or PDF) from a master workbook."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from xlperf.cli._app import OPTIONS, app, console, err_console, fail, print_json, usage
from xlperf.errors import XlperfError

if TYPE_CHECKING:
    from rich.console import Console


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
        with steps_shown(err_console() if show_steps else None) as progress:
            path = build_report(master, out, period=period, fmt=fmt.lower(), generated=when,
                                engine=engine, browser=browser, plan=plan, progress=progress)
    except XlperfError as error:
        raise fail(error) from None
    if as_json:
        print_json("report", {"file": str(path), "format": fmt.lower()})
        return
    console().print(f"Wrote {path}", markup=False)


@contextmanager
def steps_shown(where: Console | None) -> Iterator[Callable[[str], None] | None]:
    """A ``progress`` callback that shows each step of writing a report on ``where`` (None:
    nothing shown, the callback is None). On a terminal the step under way has a spinner and
    its time so far (the browser prints hundreds of pages in one call that says nothing
    until it ends), and each finished step stays as a line with the seconds it took; in a
    log or a pipe, one line per step as it starts."""
    if where is None:
        yield None
        return
    if not where.is_terminal:
        yield lambda step: where.print(step, markup=False, highlight=False)
        return
    from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

    current: list[tuple[TaskID, str, float]] = []
    with Progress(SpinnerColumn(), TextColumn("{task.description}", markup=False),
                  TimeElapsedColumn(), console=where, transient=True) as bar:

        def finish() -> None:
            if current:
                task, step, started = current.pop()
                bar.remove_task(task)
                bar.console.print(f"{step} ({time.perf_counter() - started:.1f} s)",
                                  markup=False, highlight=False)

        def show(step: str) -> None:
            finish()
            current.append((bar.add_task(step, total=None), step, time.perf_counter()))

        try:
            yield show
        finally:
            if current:  # the last step (the file written) says its own time
                task, step, _started = current.pop()
                bar.remove_task(task)
                bar.console.print(step, markup=False, highlight=False)
