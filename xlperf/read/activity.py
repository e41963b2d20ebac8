"""Read what a service returned for its milestones and projects: its return's Milestones sheet.

A performance return whose service has milestones or projects on the master has a
``Milestones`` sheet (:data:`xlperf.layout.ACTIVITY_SHEET`, written by
:mod:`xlperf.write.templates`). :func:`activity_cells` finds its table by header and gives
its cells as typed, indexed by Excel row (the validator's MIL checks name their cells from
it); :func:`returned_activity` gives the "activity" frame of one return
(:mod:`xlperf.core.activity`), without the rows the validator rejected; :func:`read_activity`
reads it from a file. Nothing is judged here: a word that means nothing is None, and the
validator's finding says why.

>>> grid = [["Type", "Code", "Progress", "Commentary"], ["Milestone", "M01", "▲", "Late"]]
>>> returned_activity(grid, service="Safeguarding", period="Q2 2013/14",
...                   source="s.xlsx")[["code", "progress", "commentary"]].values.tolist()
[['M01', 'Fair / behind', 'Late']]
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from xlperf.core.activity import activity_rows, empty_activity
from xlperf.core.columns import fold
from xlperf.findings import cell_ref
from xlperf.layout import ACTIVITY_SHEET

__all__ = ["ACTIVITY_FIELDS", "activity_cells", "activity_sheet", "read_activity",
           "returned_activity"]

# Each header of the sheet -> the column name the core and the checks use.
ACTIVITY_FIELDS = {"Type": "type", "Code": "code", "Milestone or project": "title",
                   "Objective": "objective", "Lead officer": "lead officer",
                   "Due date": "due date", "Progress": "progress",
                   "Forecast variance": "forecast", "Revised date": "revised date",
                   "Commentary": "commentary"}


def activity_cells(grid: Sequence[Sequence[Any]] | None
                   ) -> tuple[pd.DataFrame, dict[str, int]] | None:
    """The Milestones sheet's table as typed: (cells indexed by Excel row, with the columns
    of :data:`ACTIVITY_FIELDS`' values, a blank cell None; each field's 1-based column), or
    None when the sheet has no header row with Type, Code and Progress."""
    from xlperf.read._calamine import find_table

    if grid is None:
        return None
    clean = [[None if v == "" else v for v in row] for row in grid]
    located = find_table(clean, [("Type",), ("Code",), ("Progress",)])
    if located is None:
        return None
    by_fold = {fold(h): f for h, f in ACTIVITY_FIELDS.items()}
    columns: dict[str, int] = {}
    rename: dict[str, str] = {}
    for header, column in located.columns.items():
        name = by_fold.get(fold(header))
        if name is not None and name not in columns:
            columns[name] = column
            rename[header] = name
    frame = located.frame[list(rename)].rename(columns=rename)
    frame = frame.reindex(columns=list(ACTIVITY_FIELDS.values())).astype(object)
    frame = frame.where(pd.notna(frame), None)
    return frame, columns


def activity_sheet(read: Any) -> tuple[str, Sequence[Sequence[Any]]] | None:
    """The Milestones sheet's name and grid from what the validator read of a return (a
    :class:`~xlperf.read.returns.ReadReturn`), or None when it has none."""
    from xlperf.read._calamine import find_sheet

    if read is None:
        return None
    name = find_sheet(list(read.names), ACTIVITY_SHEET)
    grid = read.grids.get(name) if name is not None else None
    return (name, grid) if name is not None and grid is not None else None


def returned_activity(grid: Sequence[Sequence[Any]] | None, *, service: str, period: str,
                      source: str, rejected: Collection[int] = (),
                      provenance: bool = False) -> pd.DataFrame:
    """The activity frame (:data:`~xlperf.core.activity.ACTIVITY_COLUMNS`) of one return's
    Milestones sheet (``grid``: its values from A1; None when the return has none: an empty
    frame), leaving out the Excel rows in ``rejected`` (those with an error finding).
    ``provenance`` adds ``sheet`` and ``cell`` (each row's Progress cell), for the ledger."""
    found = activity_cells(grid)
    if found is None:
        return empty_activity()
    cells, columns = found
    cells = cells[~cells.index.isin(list(rejected))]
    frame = activity_rows(cells, service=service, period=period, source=source)
    if provenance:
        column = columns.get("progress")
        frame["sheet"] = ACTIVITY_SHEET
        frame["cell"] = [cell_ref(int(r), column) if column else None for r in frame.index]
    return frame.reset_index(drop=True)


def read_activity(path: str | Path) -> pd.DataFrame:
    """The activity frame of a filled return on disk (its identity's service and period),
    every row as typed (not validated: :func:`xlperf.validate_return` says what is wrong).

    Raises :class:`~xlperf.errors.WorkbookError` when the file cannot be read."""
    from xlperf.read._calamine import find_sheet, open_workbook
    from xlperf.read._sources import raw_grid
    from xlperf.read.returns import read_return

    file = Path(path)
    ret = read_return(file)
    book = open_workbook(file)
    name = find_sheet(list(book.sheet_names), ACTIVITY_SHEET)
    grid = raw_grid(book, name, str(file)) if name is not None else None
    return returned_activity(grid, service=ret.identity.get("service", ""),
                             period=ret.identity.get("period", ""), source=file.name)
