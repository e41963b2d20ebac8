"""xlwings Lite scripts: "Validate this return" and "Refresh scorecard".

Each works on the ``xw.Book`` xlwings gives it (no file paths: in Lite the workbook is the one
open in Excel) and calls the same library functions as the CLI: the value parser and periods of
the scoring core to check a return, :func:`xlperf.score` and :func:`xlperf.rollup` to refresh.
Results are written to their own sheets (``Findings``, ``Scorecard``, ``Objectives``), which
are replaced on every run. Nothing here needs threads, subprocesses, sockets or the file readers
(python-calamine), so it runs in Pyodide.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import xlwings as xw

from xlperf.core.columns import VALUE_COLUMNS, normalise_columns
from xlperf.core.periods import parse_period, parse_periods
from xlperf.core.rollup import rollup
from xlperf.core.score import score
from xlperf.core.values import parse_values
from xlperf.errors import InputError, XlperfError
from xlperf.findings import ERROR, QUERY, Finding, Report, cell_ref

__all__ = ["refresh_scorecard", "validate_return"]

FINDINGS_SHEET = "Findings"
SCORECARD_SHEET = "Scorecard"
OBJECTIVES_SHEET = "Objectives"
SCORECARD_COLUMNS = ("code", "title", "period", "actual", "target", "status", "symbol",
                     "variance", "direction", "trend", "explanation")


# -- the book gateway: a table at A1 of a sheet, in and out ------------------------------------

def sheet_names(book: Any) -> list[str]:
    return [sheet.name for sheet in book.sheets]


def read_table(book: Any, sheet: str) -> pd.DataFrame:
    """The table that starts at A1 of ``sheet`` (headers in row 1), as text and numbers."""
    if sheet not in sheet_names(book):
        raise InputError(f"the workbook has no sheet {sheet!r} (it has: "
                         f"{', '.join(sheet_names(book))})")
    frame = book.sheets[sheet]["A1"].expand().options(pd.DataFrame, index=False,
                                                      header=True).value
    return frame.astype(object).where(frame.notna(), None)


def write_table(book: Any, sheet: str, frame: pd.DataFrame) -> None:
    """Replace ``sheet`` (added when missing) with ``frame``, headers in row 1."""
    if sheet in sheet_names(book):
        book.sheets[sheet].clear()
        target = book.sheets[sheet]
    else:
        target = book.sheets.add(sheet)
    clean = frame.astype(object).where(frame.notna(), None)
    target["A1"].options(index=False).value = clean


# -- validate this return --------------------------------------------------------------------

def check_return(values: pd.DataFrame, sheet: str) -> Report:
    """Findings for a return's table: actuals that are no data (query) or unreadable (error),
    periods that are not periods (error). Cells are named as Excel names them."""
    frame = normalise_columns(values, VALUE_COLUMNS)
    columns = list(frame.columns)
    findings: list[Finding] = []
    if "actual" not in columns:
        return Report((Finding("RETURN-001", ERROR, "the return has no Actual column",
                               sheet=sheet, cell="A1"),))
    parsed = parse_values(frame["actual"].astype(object))
    column = columns.index("actual") + 1
    for position in np.flatnonzero((parsed["kind"] != "number").to_numpy()):
        value = frame["actual"].iloc[position]
        invalid = parsed["kind"].iloc[position] == "invalid"
        reason = parsed["reason"].iloc[position]
        findings.append(Finding(
            "VALUE-002" if invalid else "VALUE-001", ERROR if invalid else QUERY,
            f"actual {reason}" if invalid else f"no actual: {reason}",
            sheet=sheet, cell=cell_ref(position + 2, column), value=value))
    if "period" in columns:
        periods = parse_periods(frame["period"], errors="coerce")
        column = columns.index("period") + 1
        for position in np.flatnonzero(periods.isna().to_numpy()):
            value = frame["period"].iloc[position]
            try:
                parse_period(value)
            except XlperfError as error:
                findings.append(Finding("PERIOD-001", ERROR, str(error), sheet=sheet,
                                        cell=cell_ref(position + 2, column), value=value))
    return Report(tuple(findings))


@xw.script(name="Validate this return")
def validate_return(book: xw.Book) -> None:
    """Check the active sheet (a return) and list what needs attention on ``Findings``."""
    sheet = book.sheets.active.name
    report = check_return(read_table(book, sheet), sheet)
    frame = report.to_frame()
    if frame.empty:
        frame = pd.DataFrame([{"message": f"{sheet}: no problems found"}])
    write_table(book, FINDINGS_SHEET, frame)
    print(f"{sheet}: {len(report.errors)} errors, {len(report.queries)} queries")


# -- refresh scorecard -----------------------------------------------------------------------

def reporting_period(book: Any, values: pd.DataFrame) -> Any:
    """The ``Reporting period`` on the ``Settings`` sheet, else the latest period reported."""
    if "Settings" in sheet_names(book):
        settings = read_table(book, "Settings")
        for row in settings.itertuples(index=False):
            if str(row[0]).strip().casefold() == "reporting period" and row[1] is not None:
                return row[1]
    frame = normalise_columns(values, VALUE_COLUMNS)
    return max(parse_periods(frame["period"], errors="coerce").dropna())


@xw.script(name="Refresh scorecard")
def refresh_scorecard(book: xw.Book) -> None:
    """Score the ``Register`` against ``Values`` (and ``Targets``) into ``Scorecard``."""
    register = read_table(book, "Register")
    values = read_table(book, "Values")
    targets = read_table(book, "Targets") if "Targets" in sheet_names(book) else None
    period = reporting_period(book, values)
    scored = score(values, register, period, targets=targets)
    table = scored[list(SCORECARD_COLUMNS)].rename(columns=lambda c: c.replace("_", " ")
                                                    .capitalize())
    write_table(book, SCORECARD_SHEET, table)
    objectives = rollup(scored, ["priority", "objective"])
    write_table(book, OBJECTIVES_SHEET, objectives.rename(columns=str.capitalize))
    print(f"Scorecard for {parse_period(period)}: {len(scored)} measures")
