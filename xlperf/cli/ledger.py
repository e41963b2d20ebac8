"""Ledger commands: ``import-history`` (values from before xlperf) and ``export`` (for BI).

The ledger of a master is the ``Ledger path`` setting on its ``Settings`` sheet (relative to
the master's folder), else ``<master stem>.ledger.sqlite`` beside the master.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from xlperf.cli._app import (
    ExitCode,
    app,
    console,
    fail,
    print_json,
    print_table,
    sheet_findings_table,
    usage,
)
from xlperf.errors import XlperfError


@app.command("import-history")
def import_history(
    master: Annotated[Path, typer.Argument(help="The master workbook whose ledger to fill.")],
    file: Annotated[Path, typer.Argument(help="A CSV or workbook of past values.")],
    layout: Annotated[str, typer.Option(help="auto, long (Code, Period, Value) or wide "
                                             "(Code and one column per period).")] = "auto",
    sheet: Annotated[str | None, typer.Option(help="The sheet to read (default: the first "
                                                   "with a Code column).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Import values from before xlperf into the master's ledger (once; again is harmless).

    Every readable cell is imported; cells that are not numbers, Excel errors and unreadable
    periods are listed with their cell and left out. Exit code 1 when any were left out."""
    from xlperf.council import Council
    from xlperf.ledger import LAYOUTS

    if layout not in LAYOUTS:
        raise usage(f"--layout must be one of {', '.join(LAYOUTS)}, not {layout!r}")
    try:
        council = Council.open(master, missing_ok=True)  # no master yet: its ledger to be
        path = council.ledger
        percent = None
        if file.suffix.lower() in (".xlsx", ".xlsm"):
            from functools import partial

            from xlperf.read.returns import percent_rows

            percent = partial(percent_rows, file)
        report = council.import_history(file, layout, sheet=sheet, percent_rows=percent)
    except XlperfError as error:
        raise fail(error) from None
    code = ExitCode.OK if report.valid else ExitCode.FINDINGS
    if as_json:
        print_json("import-history", {"ledger": str(path), **report.meta, **report.to_dict()})
        raise typer.Exit(code)
    if len(report):
        print_table(sheet_findings_table(report, f"Findings in {file.name}"))
    meta = report.meta
    console().print(
        f"{file.name} ({meta.get('layout')} layout) into {path}: "
        f"{meta.get('inserted', 0)} values recorded, {meta.get('unchanged', 0)} already there, "
        f"{meta.get('restatements', 0)} restated; {meta.get('no_data', 0)} of them no data, "
        f"{meta.get('blank', 0)} blank cells skipped, {meta.get('not_imported', 0)} cells "
        "not imported.", markup=False)
    raise typer.Exit(code)


@app.command("export")
def export_command(
    master: Annotated[Path, typer.Argument(help="The master workbook whose ledger to export.")],
    format: Annotated[str, typer.Option("--format", help="csv, or parquet (needs "
                                                         "pip install 'xlperf[parquet]').")
                      ] = "csv",
    out: Annotated[Path | None, typer.Option(help="Where to write (default: "
                                                  "<master stem>.export.<format> beside "
                                                  "the master).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print what was written as JSON.")
                       ] = False,
) -> None:
    """Export the ledger as one tidy table (measure, period, value, target, status,
    direction...) for Power BI and other BI tools."""
    from xlperf.council import Council
    from xlperf.ledger import write_export

    kind = format.strip().lower()
    if kind not in ("csv", "parquet"):
        raise usage(f"--format {format!r} is not one of csv, parquet")
    target = out or master.with_name(f"{master.stem}.export.{kind}")
    try:
        table = Council.open(master, missing_ok=True).export()
        write_export(table, target, kind)
        returns = _export_returns(master, target, kind)
    except XlperfError as error:
        raise fail(error) from None
    measures = int(table["code"].nunique())
    if as_json:
        print_json("export", {"file": str(target), "format": kind, "rows": len(table),
                              "measures": measures,
                              "returns_file": str(returns[0]) if returns else None,
                              "returns": returns[1] if returns else 0})
        return
    from xlperf.cli._app import plural

    console().print(f"{plural(len(table), 'row')} ({plural(measures, 'measure')}) written to "
                    f"{target}", markup=False)
    if returns:
        console().print(f"{plural(returns[1], 'expected return')} written to {returns[0]}",
                        markup=False)


def _export_returns(master: Path, target: Path, kind: str) -> tuple[Path, int] | None:
    """The returns table of the master's reporting period (``xlperf returns``' rows:
    :func:`xlperf.ledger.returns_export`) beside the export, ``<stem>.returns.<format>``;
    None when the master sets no reporting period."""
    from xlperf.collection import collection_status
    from xlperf.errors import InputError
    from xlperf.ledger import returns_export, write_export

    if not master.is_file():  # a ledger exported before its master exists: no calendar
        return None
    try:
        status = collection_status(master)
    except InputError:  # no reporting period: no calendar to export
        return None
    stem = target.name.removesuffix(f".{kind}").removesuffix(".export")
    where = target.with_name(f"{stem}.returns.{kind}")
    table = returns_export(status)
    write_export(table, where, kind)
    return where, len(table)
