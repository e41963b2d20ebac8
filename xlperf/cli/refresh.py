"""``xlperf refresh``: the one-click refresh from the command line (scheduled runs, CI).

Exit codes: 0 refreshed, nothing rejected; 1 refreshed, but returns (or rows of them) were
rejected (their annotated copies are in the quarantine folder); 3 the refresh could not run
(the master is open in Excel, locked, unreadable, no reporting period...).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from xlperf.cli._app import OPTIONS, ExitCode, app, console, fail, plural, print_json, print_table
from xlperf.errors import XlperfError

if TYPE_CHECKING:
    from rich.table import Table


def run_with_progress(call: Any) -> Any:
    """Run ``call(progress)`` with a rich progress bar (on a terminal only, and not under
    ``-q``: a pipe or log gets the result, not a bar's leftovers)."""
    if OPTIONS.quiet or not console().is_terminal:
        return call(None)
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), TimeElapsedColumn(),
                  console=console(), transient=True) as bar:
        task = bar.add_task("Refreshing", total=1.0)

        def progress(message: str, fraction: float) -> None:
            bar.update(task, description=message, completed=fraction)

        return call(progress)


def summary_tables(result: Any) -> list[Table]:
    """The summary of a :class:`~xlperf.refresh.RefreshResult`: files, counts, changes."""
    from rich.markup import escape
    from rich.table import Table

    files = Table(title=f"Returns for {result.period}", header_style="bold",
                  title_justify="left")
    for column, justify in (("File", "left"), ("Kind", "left"), ("Outcome", "left"),
                            ("Rows in", "right"), ("Rows rejected", "right"),
                            ("Errors", "right"), ("Queries", "right")):
        files.add_column(column, justify=justify, overflow="fold")  # type: ignore[arg-type]
    colours = {"accepted": "green", "partly accepted": "dark_orange", "rejected": "red",
               "skipped": "dim"}
    for f in result.files:
        files.add_row(escape(f.name), f.kind, f"[{colours[f.outcome]}]{f.outcome}[/]"
                      + (escape(f" ({f.note})") if f.note else ""),
                      str(f.accepted_rows), str(f.rejected_rows),
                      str(len(f.report.errors)), str(len(f.report.queries)))
    counts = Table(title="Refresh", header_style="bold", title_justify="left", show_header=False)
    counts.add_column("What")
    counts.add_column("", justify="right")
    c = result.counts
    for label, key in (("Values recorded", "recorded"), ("Values unchanged (already in the "
                       "ledger)", "unchanged"), ("Restatements", "restatements"),
                       ("Statuses re-rated", "re-rated"), ("Measures scored", "measures")):
        counts.add_row(label, str(c[key]))
    counts.add_row("Time", f"{result.timings.get('total', 0):.2f} s "
                   f"(validate {result.timings.get('validate', 0):.2f} s, write "
                   f"{result.timings.get('write', 0):.2f} s)")
    tables = [files, counts]
    if result.status_changes:
        changes = Table(title="Status changes", header_style="bold", title_justify="left")
        changes.add_column("Change", overflow="fold")
        for change in result.status_changes:
            changes.add_row(escape(str(change)))
        tables.append(changes)
    if len(result.restatements):
        restated = Table(title="Restatements", header_style="bold", title_justify="left")
        for column in ("Code", "Period", "Was", "Now", "From"):
            restated.add_column(column, overflow="fold")
        for row in result.restatements.to_dict("records"):
            restated.add_row(escape(str(row["code"])), str(row["period"]), f"{row['previous']:g}"
                             if row["previous"] == row["previous"] else
                             str(row["previous_reason"]),
                             f"{row['value']:g}" if row["value"] == row["value"] else
                             str(row["no_data_reason"]), escape(str(row["source_file"])))
        tables.append(restated)
    return tables


def print_result(result: Any) -> None:
    """Print the summary tables, statuses and each rejected return's first errors."""
    from rich.markup import escape

    for table in summary_tables(result):
        print_table(table)
    statuses = ", ".join(f"{k[7:]} {v}" for k, v in result.counts.items()
                         if k.startswith("status "))
    console().print(f"Statuses: {statuses}", highlight=False)
    from xlperf._words import refresh_counts

    said = refresh_counts(result.counts, not_received=result.not_received, blank=result.blank)
    console().print(f"{said}.", markup=False, highlight=False)
    rejected = [f for f in result.files if f.report.errors]
    for f in rejected:
        console().print(f"[bold]{escape(f.name)}[/]: {plural(len(f.report.errors), 'error')}")
        for finding in f.report.errors[:5]:
            where = "!".join(p for p in (finding.sheet, finding.cell) if p)
            console().print(f"  [red]{finding.rule}[/] {escape(where)}: "
                            f"{escape(finding.message)}", highlight=False)
        if len(f.report.errors) > 5:
            console().print(f"  … and {len(f.report.errors) - 5} more (see the Log sheet)")
    if result.quarantine is not None:
        console().print(f"Annotated copies of the returns with errors: {result.quarantine}",
                        markup=False)
    console().print(f"Refreshed workbook: {result.output or result.workbook} "
                    f"(ledger {result.ledger})", markup=False)


@app.command("refresh")
def refresh_command(
    master: Annotated[Path, typer.Argument(help="The master workbook (.xlsx or .xlsm).")],
    returns: Annotated[list[Path] | None, typer.Option(
        "--returns", help="A returns folder or file (repeat for more); default: the "
                          "Settings' Returns folder.")] = None,
    period: Annotated[str | None, typer.Option(
        help="Reporting period, e.g. 'Q2 2013/14' (default: the Settings').")] = None,
    rescore_history: Annotated[bool, typer.Option(
        "--rescore-history", help="Re-rate past periods with today's targets, tolerances "
                                  "and schemes (default: they keep their frozen statuses).")
    ] = False,
    backups: Annotated[int, typer.Option(help="Timestamped backups of the master to keep in "
                                              "backups/ beside it.")] = 5,
    ledger: Annotated[Path | None, typer.Option(help="The ledger (default: the Settings' "
                                                     "Ledger path, or beside the master).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    new_ledger: Annotated[bool, typer.Option(
        "--new-ledger", help="Start a new, empty ledger on purpose when the master's Log "
                             "says it had one that is now missing or empty.")] = False,
) -> None:
    """Refresh the master's Scorecard, Objectives, Exceptions, Finance and Log sheets from the
    returns, without Excel: validate, record in the ledger, score, write losslessly.

    Exit code 0 when every return was accepted, 1 when returns or rows were rejected (see the
    Log sheet and the quarantine folder), 3 when the refresh could not run."""
    from xlperf.council import Council
    from xlperf.refresh import result_dict

    try:
        council = Council.open(master)
        if as_json:
            result = council.refresh(backups=backups, returns=returns, period=period,
                                     ledger=ledger, rescore_history=rescore_history,
                                     new_ledger=new_ledger)
        else:
            result = run_with_progress(lambda progress: council.refresh(
                backups=backups, returns=returns, period=period, ledger=ledger,
                rescore_history=rescore_history, progress=progress, new_ledger=new_ledger))
    except XlperfError as error:
        raise fail(error) from None  # fail shows the message as written, never as markup
    if as_json:
        print_json("refresh", result_dict(result))
    else:
        print_result(result)
    raise typer.Exit(ExitCode.OK if result.ok else ExitCode.FINDINGS)
