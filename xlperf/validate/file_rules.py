"""The FILE family: can the return be read, is its table where the template put it, has
anything been filled in.

Made as the file is read: a reader failure (``FILE-003`` password, ``FILE-004`` damaged,
``FILE-019`` a sheet that cannot be read: :func:`reader_failure`), columns missing or moved
(``FILE-015``/``FILE-016``: :func:`locate`), the blank template sent back (``FILE-021``:
:func:`blank_return`), text too long for a cell (``FILE-022``: :func:`too_long`). Checked over
the frame of a batch: rows moved or missing (``FILE-017``/``FILE-020``) and locked cells
changed (``FILE-018``) against the template. The file-safety rules ``FILE-001`` to
``FILE-010`` are :func:`xlperf.validate.files.check_file`'s.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from xlperf.core.budget import is_directorate_total, is_total_line
from xlperf.core.columns import fold
from xlperf.errors import WorkbookError
from xlperf.findings import Severity, cell_ref
from xlperf.layout import MAX_CELL_TEXT, RETURN_HEADER_ROW, RETURN_HEADERS
from xlperf.validate._frames import _fold
from xlperf.validate.engine import Batch
from xlperf.validate.registry import check, made_by

__all__ = ["blank_return", "locate", "reader_failure", "too_long"]

HEADER_ROW = RETURN_HEADER_ROW
# A finance return may carry capital columns too.
CAPITAL_HEADERS = ("Revised estimate", "Actual to date")
REQUIRED = {"performance": ("Code", "Actual"), "finance": ("Service area", "Forecast outturn"),
            "capital": ("Programme", "Actual to date")}
LOCKED = {"performance": ("Measure", "Unit", "Polarity", "Target"),
          "finance": ("Gross budget", "Net budget"), "capital": ("Revised base budget",)}
# What a service types into each kind of return: a return with none of these filled in on
# any row is the blank template (FILE-021). A capital return's revised estimate is not one:
# the template comes with the master's filled in.
_ENTERED = {"performance": ("Actual", "Numerator", "Denominator", "Reported status",
                            "Commentary"),
            "finance": ("Forecast outturn", "Actual to date", "Explanation"),
            "capital": ("Actual to date", "Explanation")}
_ENTERED_WORDS = {"performance": "actual, numerator, denominator, status or commentary",
                  "finance": "forecast outturn or explanation",
                  "capital": "actual to date or explanation"}



@made_by("FILE-003", "FILE-004", "FILE-019")
def reader_failure(file: Any, error: WorkbookError) -> None:
    text = str(error)
    detail = text.split(": ", 1)[1] if ": " in text else text
    if "password" in text.lower() or "encrypt" in text.lower():
        file.add("FILE-003")
    elif error.sheet:
        file.add("FILE-019", sheet=error.sheet, detail=detail)
    else:
        file.add("FILE-004", detail=detail)
    file.stop = True


#: How far down a return's sheet its header row is looked for.
HEADER_SEARCH_ROWS = 1_000


@made_by("FILE-015", "FILE-016", "FILE-025")
def locate(file: Any, grid: list[list[Any]]) -> tuple[int, dict[str, int]] | None:
    """The header row (1-based) and each known header's column (the first, where a heading
    is there twice); FILE-015/016/025 findings."""
    headers = RETURN_HEADERS[file.kind]
    extra = CAPITAL_HEADERS if file.kind == "finance" else ()
    wanted = {fold(h): h for h in (*headers, *extra)}
    best, best_row = 0, None
    # The first 40 rows, then (a cover note pasted above the table) the rest up to
    # HEADER_SEARCH_ROWS: a header found lower is reported moved (FILE-016) where it is, not
    # missing (FILE-015) at the template's blank cells.
    for first, last in ((0, 40), (40, HEADER_SEARCH_ROWS)):
        for r, row in enumerate(grid[first:last], start=first):
            hits = sum(1 for v in row if isinstance(v, str) and v and _fold(v) in wanted)
            if hits > best:
                best, best_row = hits, r
        if best >= 2:
            break
    columns: dict[str, int] = {}
    again: list[tuple[str, int]] = []  # a heading found a second time: its column
    if best_row is not None and best >= 2:
        for c, value in enumerate(grid[best_row], start=1):
            if isinstance(value, str) and _fold(value) in wanted:
                header = wanted[_fold(value)]
                if header in columns:
                    again.append((header, c))
                columns.setdefault(header, c)
    header_row = (best_row + 1) if best_row is not None and best >= 2 else HEADER_ROW
    for header, c in again:  # the first is read (the template's place): say so
        file.add("FILE-025", sheet=file.sheet, cell=cell_ref(header_row, columns[header]),
                 column=header, later_cell=cell_ref(header_row, c))
    stated = int(file.identity.get("header_row") or HEADER_ROW) if str(
        file.identity.get("header_row", "")).isdigit() else HEADER_ROW
    for position, header in enumerate(headers, start=1):
        expected_cell = cell_ref(stated, position)
        if header not in columns:
            if header in REQUIRED[file.kind] or header in LOCKED[file.kind] or header in (
                    "Period", "Commentary", "Explanation", "Reported status", "Numerator",
                    "Denominator", "Variance", "Revised estimate", "Slippage"):
                file.add("FILE-015", sheet=file.sheet, cell=expected_cell, column=header,
                         expected_cell=expected_cell)
        elif columns[header] != position or header_row != stated:
            file.add("FILE-016", sheet=file.sheet, cell=cell_ref(header_row, columns[header]),
                     column=header, expected_cell=expected_cell)
    if any(h not in columns for h in REQUIRED[file.kind]):
        file.stop = True
        return None
    return header_row, columns


@made_by("FILE-022")
def too_long(file: Any) -> None:
    """FILE-022 for a cell of the table longer than an Excel cell holds: the scorecard
    keeps only its start (:data:`xlperf.layout.MAX_CELL_TEXT`)."""
    for header, values in file.arrays.items():
        if values.dtype != object or header == "percent_format":
            continue
        lengths = _LENGTH(values).astype(np.int64)  # a return's table: hundreds of cells
        for i in np.flatnonzero(lengths > MAX_CELL_TEXT):
            file.add("FILE-022", sheet=file.sheet, cell=file.cell(header, file.rows[i]),
                     size=f"{int(lengths[i]):,}", limit=f"{MAX_CELL_TEXT:,}")


@made_by("FILE-021")
def blank_return(file: Any) -> None:
    """FILE-021 when nothing a service types (:data:`_ENTERED`) is filled in on any row but a
    total: the blank template sent back. As an error it stops the file (the content checks
    would only list each empty cell again); relaxed to a query the checks go on."""
    if file.size:
        names = file.arrays.get("Programme", file.arrays.get("Service area"))
        lines = (np.fromiter((not is_total_line(v) for v in names), dtype=bool,
                             count=len(names)) if file.kind != "performance" and
                 names is not None else np.ones(file.size, dtype=bool))
        # The directorate total on its owner's return: its explanation is typed, not its
        # figures (locked, the finance team's).
        directorate = (np.fromiter((is_directorate_total(v) for v in names), dtype=bool,
                                   count=len(names)) if file.kind == "finance" and
                       names is not None else np.zeros(file.size, dtype=bool))
        for header in _ENTERED[file.kind]:
            values = file.arrays.get(header)
            if values is None:
                continue
            values = values[lines | (directorate if header == "Explanation" else False)]
            filled = ~np.equal(values, np.array(None, dtype=object))
            if filled.any() and not all(type(v) is str and not v.strip()
                                        for v in values[filled]):
                return
    if file.kind == "performance" and _activity_typed(file):
        return  # only its milestones and projects reported: not the blank template
    file.add("FILE-021", sheet=file.sheet, expected=_ENTERED_WORDS[file.kind])
    if file.rules["FILE-021"].severity == Severity.ERROR:
        file.stop = True


def _activity_typed(file: Any) -> bool:
    """Whether the return's Milestones sheet has anything a service types filled in."""
    from xlperf.read.activity import activity_cells, activity_sheet

    found = activity_sheet(file.read)
    located = activity_cells(found[1]) if found is not None else None
    if located is None:
        return False
    typed = located[0][["progress", "forecast", "revised date", "commentary"]]
    return bool(typed.map(lambda v: v is not None and str(v).strip() != "").to_numpy().any())


_LENGTH = np.frompyfunc(lambda v: len(v) if type(v) is str else 0, 1, 1)


# --------------------------------------------------------------------------- the template
@check("FILE-017", needs=("Code", "row"), cell="Code", kinds=("performance",), always=True)
def rows_moved(rows: pd.DataFrame, batch: Batch) -> pd.DataFrame:
    """Template rows found on another row: one finding per block moved by the same amount."""
    from xlperf.validate.perf_rules import rows_moved as moved

    return moved(rows, batch)


@check("FILE-018", needs=("file", "row"), always=True)
def locked_changed(rows: pd.DataFrame, batch: Batch) -> pd.DataFrame:
    """Locked cells that differ from the master's (the measure, unit, polarity and target of
    a performance return; a finance return's budgets, a capital return's base budget)."""
    if batch.kind == "performance":
        from xlperf.validate.perf_rules import locked_differs
    else:
        from xlperf.validate.fin_rules import locked_differs
    return locked_differs(rows, batch)


@check("FILE-020", needs=("Code",), kinds=("performance",), always=True)
def rows_missing(rows: pd.DataFrame, batch: Batch) -> pd.DataFrame:
    """Template rows (a measure and period) the return does not have."""
    from xlperf.validate.perf_rules import rows_missing as missing

    return missing(rows, batch)
