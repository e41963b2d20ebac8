"""The one place xlperf opens a workbook for its values (python-calamine).

:func:`open_workbook` turns every failure of the file (missing, not a workbook, encrypted,
corrupt) into :class:`~xlperf.errors.WorkbookError`. :func:`sheet_grid` gives a sheet's values
from A1, so list positions map straight to Excel rows and columns. :func:`find_table` finds a
header row by its headers (case and spaces ignored), so column order and extra columns or
sheets never matter.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from xlperf.core.columns import fold
from xlperf.errors import NOT_A_WORKBOOK, PASSWORD, SHEET_NOT_READABLE, WorkbookError, translated

Cell = Any


def open_workbook(path: str | Path) -> Any:
    """A calamine workbook for ``path``, or :class:`WorkbookError` saying why not."""
    import python_calamine as pc

    file = Path(path)
    if not file.exists():
        raise WorkbookError(f"{file}: no such file", file=str(file))
    if file.is_dir():
        raise WorkbookError(not_a_folder(file), file=str(file))
    with translated(file, {"password": PASSWORD, "*": NOT_A_WORKBOOK},
                    families=("calamine", "os", "value")):
        return pc.CalamineWorkbook.from_path(str(file))


def not_a_folder(folder: Path) -> str:
    """What to say when a folder is given where a workbook is wanted (naming the master in
    it, when there is one).

    >>> not_a_folder(Path("/nowhere"))
    '/nowhere is a folder, not a workbook: give the workbook itself'
    """
    inside = sorted(p.name for p in folder.glob("*.xls[xm]") if not p.name.startswith("~$")) \
        if folder.is_dir() else []
    hint = (f" (did you mean {folder / 'master.xlsx'}?)" if "master.xlsx" in inside else
            f" (it holds {', '.join(inside[:3])})" if inside else "")
    return f"{folder} is a folder, not a workbook: give the workbook itself{hint}"


def sheet_names(book: Any) -> list[str]:
    return list(book.sheet_names)


def sheet_grid(book: Any, name: str, *, file: str | None = None) -> list[list[Cell]]:
    """Values of sheet ``name`` from A1 (row 1 is ``grid[0]``); blanks are ``None``."""
    with translated(file or "workbook", SHEET_NOT_READABLE, families=("calamine",),
                    sheet=name, record=file):
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    return [[None if v == "" else v for v in row] for row in rows]


def find_sheet(names: Iterable[str], wanted: str) -> str | None:
    """The sheet called ``wanted`` ignoring case and surrounding spaces."""
    key = fold(wanted)
    return next((n for n in names if fold(n) == key), None)


@dataclass(frozen=True)
class Located:
    """A table found in a sheet: its header row (1-based) and the column of each header."""

    header_row: int
    columns: dict[str, int]  # header as written in the sheet -> 1-based column
    frame: pd.DataFrame  # values under the headers, indexed by Excel row number


def _blank(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def find_table(grid: Sequence[Sequence[Cell]], anchors: Sequence[Sequence[str]], *,
               search_rows: int = 30) -> Located | None:
    """Find the first row (within ``search_rows``) that holds, for every group of ``anchors``,
    one of its headers, and read every row under it to the end of the sheet, skipping blank
    rows (so a blank row left inside a table hides nothing). Headers keep their written text;
    columns with a blank header are skipped. Returns None when no such row exists."""
    groups = [{fold(a) for a in group} for group in anchors]
    for r, row in enumerate(grid[:search_rows]):
        folded = {fold(v) for v in row if isinstance(v, str)}
        if not all(group & folded for group in groups):
            continue
        columns: dict[str, int] = {}
        for c, value in enumerate(row, start=1):
            if not _blank(value) and str(value).strip() not in columns:
                columns[str(value).strip()] = c
        records, index = [], []
        for offset, data in enumerate(grid[r + 1:], start=r + 2):
            values = [data[c - 1] if c - 1 < len(data) else None for c in columns.values()]
            if all(_blank(v) for v in values):
                continue
            records.append(values)
            index.append(offset)
        frame = pd.DataFrame(records, columns=list(columns), index=pd.Index(index, name="row"),
                             dtype=object)
        return Located(r + 1, columns, frame)
    return None

