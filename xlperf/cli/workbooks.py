"""Workbook commands: ``init`` (a new master), ``templates`` (return templates), ``demo``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from xlperf.cli._app import (
    app,
    console,
    fail,
    plural,
    print_json,
    print_table,
    scorecard_table,
    sheet_findings_table,
)
from xlperf.errors import XlperfError

MASTER_NAME = "master.xlsx"


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="Folder for the new master workbook.")],
    demo: Annotated[bool, typer.Option("--demo", help="Fill it with the demo council, with "
                                       "its returns as services sent them back in "
                                       "DIRECTORY/returns.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing master.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print what was written as JSON.")
                       ] = False,
) -> None:
    """Create DIRECTORY/master.xlsx: an empty register with guidance, or the demo with --demo."""
    from xlperf.write.master import build_master
    from xlperf.write.shipped import build_demo_workbooks

    target = directory / MASTER_NAME
    if target.exists() and not force:
        raise fail(f"{target} already exists (use --force to replace it)")
    try:
        # The demo's filled-in returns go where the refresh reads them (Settings' Returns
        # folder, `returns`), so the monthly cycle runs on them as the README shows.
        demo_files = build_demo_workbooks(directory) if demo else None
        path = demo_files.master if demo_files else build_master(target)
    except XlperfError as error:
        raise fail(error) from None
    if as_json:
        print_json("init", {"master": str(path), "demo": demo,
                            "returns": [str(p) for p in demo_files.returns] if demo_files
                            else []})
        return
    console().print(f"Wrote {'demo master' if demo else 'empty master'} {path}", markup=False)
    if demo_files:
        console().print("The demo's returns, as services sent them back: "
                        f"{path.parent / 'returns'} ({plural(len(demo_files.returns), 'file')})",
                        markup=False)
        console().print(f"Next: xlperf templates {path}", markup=False)
    else:
        import datetime as dt

        from xlperf.core.periods import Period

        # The quarter just ended is the one a council collects next.
        period = Period.from_date(dt.date.today(), "quarter").previous().format()
        console().print("Next: fill in the Measures sheet and set the Reporting period on the "
                        f"Settings sheet, then: xlperf templates {path} --period \"{period}\"",
                        markup=False)


@app.command()
def templates(
    master: Annotated[Path, typer.Argument(help="The master workbook.")],
    period: Annotated[str | None, typer.Option(
        help="Reporting period, e.g. 'Q2 2013/14' (default: the master's Settings).")] = None,
    out: Annotated[Path, typer.Option(help="Folder for the templates.")] = Path("templates"),
    as_json: Annotated[bool, typer.Option("--json", help="Print the templates written as "
                                                         "JSON.")] = False,
) -> None:
    """Write return templates: one per service, one finance return per budget holder and one
    capital programme return."""
    from rich.markup import escape
    from rich.table import Table

    from xlperf.council import Council
    from xlperf.write.templates import build_templates

    try:
        book = Council.open(master).master
        if len(book.report) and not as_json:
            print_table(sheet_findings_table(book.report, f"Problems in {master}"))
        if not book.report.valid:
            raise fail("fix the errors in the master first; no templates written")
        when = period or book.reporting_period
        if not when:
            raise fail("give --period or set 'Reporting period' on the Settings sheet")
        infos = build_templates(book, when, out)
    except XlperfError as error:
        raise fail(error) from None
    if as_json:
        print_json("templates", {"period": when, "templates": [
            {"kind": i.kind, "for": i.service, "file": str(i.path), "identity": i.identity}
            for i in infos]})
        return
    table = Table(title=f"Return templates for {escape(when)}", header_style="bold")
    for column in ("Kind", "For", "Template id", "File"):
        table.add_column(column, overflow="fold")
    for info in infos:
        table.add_row(*(escape(x) for x in (info.kind, info.service,
                                             info.identity["template_id"], str(info.path))))
    print_table(table)
    console().print(f"{plural(len(infos), 'template')} written to {out}", markup=False)


def seed_demo_history(master: Path, period: str) -> Path:
    """Import the demo council's values from before ``period`` into the master's ledger (so
    trends and directions of travel have history); importing again changes nothing."""
    from xlperf import demo as demo_data
    from xlperf.core.periods import parse_period
    from xlperf.council import Council

    start = parse_period(period).start
    history = demo_data.demo_values(period)
    history = history[history["Period"].map(lambda p: parse_period(p).end < start)]
    council = Council.open(master)
    # Unchecked, as before xlperf checked history against the register: the demo's own.
    council.import_history(history.reset_index(drop=True), "long", name="demo history",
                           checked=False)
    return council.ledger


@app.command()
def demo(
    directory: Annotated[Path, typer.Argument(help="Folder for the demo workbooks.")] = Path(
        "xlperf-demo"),
    period: Annotated[str, typer.Option(help="Reporting period of the demo.")] = "Q2 2013/14",
) -> None:
    """Build the demo master and filled-in returns, then refresh the master headless: validate,
    record in the ledger (seeded with the demo history), score, write the scorecard."""
    from rich.markup import escape
    from rich.table import Table

    from xlperf.cli._refresh import print_result, run_with_progress
    from xlperf.council import Council
    from xlperf.write.shipped import build_demo_workbooks

    try:
        files = build_demo_workbooks(directory, period=period)
        seed_demo_history(files.master, period)
        council = Council.open(files.master)
        result = run_with_progress(lambda progress: council.refresh(period=period,
                                                                    progress=progress))
    except XlperfError as error:
        raise fail(error) from None
    council_name = result.council or "Demo council"
    from xlperf.core.overrides import OVERRIDE_FLAG, beside_computed, judgements_at
    from xlperf.core.rollup import rollup

    print_table(scorecard_table(result.scored, f"{council_name}: scorecard {result.period}"))
    summary = Table(title="Objectives", header_style="bold", title_justify="left")
    rolled = rollup(result.scored, ["priority", "objective"])
    # the director's judgement beside the computed one, as on the Objectives sheet
    judged = judgements_at(council.master.judgement_rows, result.period)
    director = judged is not None
    if director:
        rolled = beside_computed(rolled, judged)
    for column in ("Objective", "Rated", "Met", "Near", "Missed", "Judgement",
                   *(("Director's judgement",) if director else ())):
        summary.add_column(column)
    for row in rolled.itertuples():
        said = (f"{row.director_judgement} {OVERRIDE_FLAG if row.overridden else ''}".strip(),
                ) if director else ()
        summary.add_row(escape(str(row.objective)), str(row.rated), str(row.met),
                        str(row.near), str(row.missed), str(row.judgement), *map(escape, said))
    print_table(summary)
    print_result(result)
    console().print(f"\nMaster workbook: {files.master} (refreshed: open it and look at its "
                    "Scorecard, Objectives, Exceptions, Finance and Log sheets)", markup=False)
    console().print(f"Return templates: {files.master.parent / 'templates'} "
                    f"({plural(len(files.templates), 'file')})", markup=False)
    console().print(f"Filled-in returns: {files.master.parent / 'returns'} "
                    f"({plural(len(files.returns), 'file')})", markup=False)

