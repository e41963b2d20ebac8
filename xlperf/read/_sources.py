"""Where a return's cells come from: one source per way a return arrives.

:class:`FileSource` is a file on disk (python-calamine for the values, its zip package for
the document properties, Excel error cells, % number formats and formulas);
:class:`GridSource` a return already in memory (an Office.js payload). :func:`table_columns`
cuts a located table's columns out of a sheet. The validator and :func:`xlperf.read.returns.
read_return` read returns through these (imported from :mod:`xlperf.read.returns`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from xlperf.errors import WorkbookError, library_errors
from xlperf.findings import cell_ref, column_letter, parse_ref
from xlperf.read._calamine import open_workbook

__all__ = ["FileSource", "GridSource", "raw_grid", "table_columns"]


def raw_grid(book: Any, sheet: str, where: str) -> list[list[Any]]:
    """A sheet's values from A1 as calamine gives them (a blank cell is ``""``)."""
    try:
        return book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except library_errors("calamine") as error:
        raise WorkbookError(f"{where}: cannot read sheet {sheet!r} ({error})", file=where,
                            sheet=sheet) from None
class FileSource:
    """A return on disk: python-calamine for the values, its zip package (opened once) for
    the document properties, Excel error cells and % number formats."""

    def __init__(self, path: Path, package: Any):
        self.path, self.package, self.book = path, package, None

    def open(self) -> None:
        self.book = open_workbook(self.path)

    def names(self) -> list[str]:
        return list(self.book.sheet_names)

    def grid(self, sheet: str) -> list[list[Any]]:
        return raw_grid(self.book, sheet, str(self.path))

    def properties(self) -> dict[str, str]:
        return self.package.properties()

    def error_cells(self, sheet: str) -> dict[str, str]:
        return self.package.error_cells(sheet)

    def percent_rows(self, sheet: str, column: str) -> frozenset[int]:
        return self.package.percent_rows(sheet, column)

    def formula_cells(self, sheet: str, column: str) -> dict[int, tuple[str, bool]]:
        return self.package.formula_cells(sheet, column)


# What openpyxl (and Excel) store as an error cell when it is typed: python-calamine reads such
# a cell as blank and the validator takes the error from the sheet's XML; a grid gives it as
# text, so :class:`_GridSource` treats it the same way.
_ERROR_TEXTS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"})


class GridSource:
    """A return already in memory (an Office.js payload): ``{sheet: values from A1}``, a blank
    cell ``""`` or ``None``; no document properties; the cells with a % number format as A1
    references per sheet."""

    def __init__(self, grids: Mapping[str, Sequence[Sequence[Any]]],
                 percent_cells: Mapping[str, Iterable[str]] | None):
        self._grids = grids
        self._percent = percent_cells or {}
        self._errors: dict[str, dict[str, str]] = {}
        self._clean: dict[str, list[list[Any]]] = {}

    def open(self) -> None:
        pass

    def names(self) -> list[str]:
        return [str(n) for n in self._grids]

    def grid(self, sheet: str) -> list[list[Any]]:
        if sheet not in self._clean:
            errors: dict[str, str] = {}
            rows = []
            for r, row in enumerate(self._grids[sheet], start=1):
                values = list(row)
                for c, value in enumerate(values, start=1):
                    if type(value) is str and value in _ERROR_TEXTS:
                        errors[cell_ref(r, c)] = value
                        values[c - 1] = ""
                rows.append(values)
            self._clean[sheet], self._errors[sheet] = rows, errors
        return self._clean[sheet]

    def properties(self) -> dict[str, str]:
        return {}

    def formula_cells(self, sheet: str, column: str) -> dict[int, tuple[str, bool]]:
        return {}  # Office.js sends values only

    def error_cells(self, sheet: str) -> dict[str, str]:
        self.grid(sheet)
        return self._errors[sheet]

    def percent_rows(self, sheet: str, column: str) -> frozenset[int]:
        rows = set()
        for ref in self._percent.get(sheet, ()):
            try:
                row, col = parse_ref(str(ref))
            except ValueError:
                continue
            if column_letter(col) == column.upper():
                rows.add(row)
        return frozenset(rows)


def table_columns(body: list[list[Any]], columns: Mapping[str, int], first_row: int
                ) -> tuple[dict[str, np.ndarray], list[int]]:
    """The cells under each located header, blank rows (every located cell blank or spaces)
    left out: per header an object array of values (a blank cell ``None``, calamine gives
    ``""``), and the Excel row of each. Vectorised over the grid, not a loop over its cells."""
    headers = list(columns)
    positions = [columns[h] - 1 for h in headers]
    grid = _rectangle(body, max(positions) + 1)[:, positions]
    filled = ~(np.equal(grid, None) | _equals_empty(grid))
    keep = filled.any(axis=1)
    # A row whose cells are only spaces is blank too. Only a row whose first filled cell is
    # spaces can be one, so the rest are not looked at.
    rows_kept = np.flatnonzero(keep)
    first = grid[rows_kept, filled[rows_kept].argmax(axis=1)]
    doubtful = rows_kept[[type(v) is str and not v.strip() for v in first]]
    for i in doubtful:
        if all(type(v) is str and not v.strip() for v in grid[i, filled[i]]):
            keep[i] = False
    grid = grid[keep]
    grid[~filled[keep]] = None  # calamine's "" for a blank cell
    rows = (np.flatnonzero(keep) + first_row).tolist()
    return {h: np.ascontiguousarray(grid[:, i]) for i, h in enumerate(headers)}, rows


def _equals_empty(grid: np.ndarray) -> np.ndarray:
    """``cell == ""`` for each cell of an object array (any value, never raises)."""
    try:
        return np.asarray(grid == "", dtype=bool).reshape(grid.shape)
    except (ValueError, TypeError):  # a value whose comparison misbehaves: one at a time
        out = np.zeros(grid.shape, dtype=bool)
        for index, value in np.ndenumerate(grid):
            out[index] = type(value) is str and value == ""
        return out


def _rectangle(body: list[list[Any]], width: int) -> np.ndarray:
    """The rows as a 2-D object array at least ``width`` wide (short rows padded with
    ``None``). calamine's rows all have one length, so this is normally one copy; a cell
    that is itself a sequence (a payload can hold anything) is kept as one value."""
    size = max([width, *(len(row) for row in body)])
    out = np.full((len(body), size), None, dtype=object)
    lengths = {len(row) for row in body}
    if len(lengths) == 1:
        try:
            out[:, :lengths.pop()] = body
            return out
        except (ValueError, TypeError):
            pass
    for i, row in enumerate(body):
        for j, value in enumerate(row):
            out[i, j] = value
    return out


