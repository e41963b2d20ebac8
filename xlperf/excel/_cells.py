"""Worksheet cells in, worksheet cells out: the Excel side of every ``XLPERF.*`` function.

Nothing here imports xlwings, so it is tested and reused without Excel. Every argument of a
worksheet function arrives as a matrix (a list of rows; xlwings' ``ndim=2``), a single cell as
``[[value]]`` and an omitted or empty one as ``None``. :func:`grid` turns each into a 2-d
array, :func:`line_up` broadcasts them the way Excel's own functions do (one cell with a range,
a column with a row, equal ranges) and :func:`run` calls the scoring core **once** over all the
cells, never once per cell:

* a cell position whose data arguments are all empty gives an empty cell (blank in, blank out,
  so a formula over a table with empty rows leaves those rows empty);
* a word the core cannot read (polarity ``sideways``, scheme ``traffic``, a negative
  tolerance) gives the core's own sentence in the cells that use it, and the other cells are
  still computed: each distinct word is checked once, not each cell;
* NaN becomes an empty cell and numpy scalars plain Python values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from xlperf.errors import InputError, XlperfError

Matrix = list[list[Any]]

#: Excel's day 0 (serial 1 is 1 January 1900; the 1900 leap-year bug is before any real date).
EXCEL_EPOCH = dt.date(1899, 12, 30)
_NUMERIC_KINDS = {"floating", "integer", "mixed-integer-float", "decimal", "empty"}


def grid(value: Any) -> np.ndarray:
    """A 2-d object array from what xlwings passes: a matrix, a list, one value or ``None``.

    Empty text and Pyodide's ``JsNull`` become ``None``; an Excel error that Office.js sends as
    ``{"type": "Error", "basicValue": "#DIV/0!"}`` becomes its text, which the core's value
    parser reads as no data.

    >>> grid(None).shape, grid(5).tolist(), grid([[1, ""], [3, 4]]).tolist(), grid([1, 2]).shape
    ((1, 1), [[5]], [[1, None], [3, 4]], (1, 2))
    """
    if isinstance(value, np.ndarray):
        array = value.astype(object) if value.dtype != object else value.copy()
    elif isinstance(value, list | tuple):
        # xlwings passes a one-row range as a flat list: a list of values is a row.
        nested = any(isinstance(r, list | tuple) for r in value)
        rows = [r if isinstance(r, list | tuple) else [r] for r in value] if nested else [
            list(value)]
        rows = rows if rows and rows[0] else [[None]]
        width = len(rows[0])
        if all(len(r) == width for r in rows):
            array = np.empty((len(rows), width), dtype=object)
            array[...] = rows if width else [[None]] * len(rows)
        else:  # ragged: pad short rows with empty cells
            width = max(len(r) for r in rows)
            array = np.full((len(rows), width), None, dtype=object)
            for i, row in enumerate(rows):
                array[i, : len(row)] = row
    else:
        array = np.empty((1, 1), dtype=object)
        array[0, 0] = value
    if array.ndim == 0:
        array = array.reshape(1, 1)
    elif array.ndim == 1:
        array = array.reshape(-1, 1)
    return _clean(array)


def _clean(array: np.ndarray) -> np.ndarray:
    """Empty text, NaN, ``JsNull`` and Office.js error records, for the whole array at once."""
    flat = array.reshape(-1)
    kind = pd.api.types.infer_dtype(flat, skipna=True)
    if kind in _NUMERIC_KINDS and not pd.isna(flat).any():
        return array
    series = pd.Series(flat, dtype=object)
    missing = series.isna().to_numpy().copy()
    if kind != "floating":
        types = series.map(type)
        texts = types.eq(str).to_numpy()
        if texts.any():
            blank = series[texts].str.strip().eq("").to_numpy(dtype=bool)
            missing[np.flatnonzero(texts)[blank]] = True
        odd = ~types.isin((str, float, int, bool, type(None))).to_numpy()
        for i in np.flatnonzero(odd):  # rare: error records, JsNull, dates
            flat[i] = _odd(flat[i])
            missing[i] = flat[i] is None
    flat[missing] = None
    return array


def _is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and value != value:
        return True
    return isinstance(value, str) and value.strip() == ""


def _odd(value: Any) -> Any:
    if isinstance(value, dict):
        return value.get("basicValue") if value.get("type") == "Error" else value.get(
            "basicValue", value)
    if type(value).__name__ == "JsNull":
        return None
    return value


def shape_text(shape: Sequence[int]) -> str:
    rows, columns = shape
    return "1 cell" if rows * columns == 1 else f"{rows} rows x {columns} columns"


def line_up(*grids: np.ndarray) -> tuple[list[np.ndarray], tuple[int, int]]:
    """Broadcast 2-d grids together like Excel does and flatten them to 1-d arrays.

    One cell goes with any range; a column goes with a row (giving a table); otherwise the
    ranges must be the same size. Raises :class:`~xlperf.errors.InputError` saying which sizes
    do not line up.
    """
    try:
        broadcast = np.broadcast_arrays(*grids)
    except ValueError:
        sizes = ", ".join(shape_text(g.shape) for g in grids)
        raise InputError(
            f"ranges of {sizes} cannot be lined up: give ranges of the same size, or one cell"
        ) from None
    shape = broadcast[0].shape if broadcast else (1, 1)
    return [b.reshape(-1) for b in broadcast], (int(shape[0]), int(shape[1]))


def numeric(values: np.ndarray) -> np.ndarray:
    """A float array when every cell is a number or empty (the core's fast path), else as is.

    Booleans and text stay objects so the core's value parser reads (or refuses) them.
    """
    if values.dtype.kind in "fiu":
        return values.astype(float, copy=False)
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind in _NUMERIC_KINDS:
        return np.array(values, dtype=float)
    return values


def empty_mask(values: np.ndarray) -> np.ndarray:
    """True where a cell is empty (``None`` or NaN after :func:`grid`)."""
    if values.dtype.kind == "f":
        return np.isnan(values)
    return pd.isna(pd.Series(values, dtype=object)).to_numpy()


def to_cells(values: np.ndarray | Sequence[Any], shape: tuple[int, int]) -> Matrix:
    """A matrix for Excel: NaN and missing values become empty cells, numpy scalars Python."""
    array = np.asarray(values, dtype=object).reshape(shape)
    return [[_cell(v) for v in row] for row in array.tolist()]


def _cell(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, np.generic):
        return _cell(value.item())
    return value


def message(error: BaseException) -> str:
    """The sentence a cell shows instead of a traceback."""
    if isinstance(error, XlperfError):
        return str(error)
    return f"xlperf could not work this out: {error}"


def diagnose(
    arrays: list[np.ndarray],
    probe: Callable[..., Any],
    defaults: Sequence[Any],
    checked: Sequence[int],
) -> np.ndarray:
    """For each cell, the core's sentence about the first unreadable word it uses, or None.

    ``checked`` are the positions of the word-like arguments (polarity, scheme, tolerance...).
    Each *distinct* value of each is tried once: ``probe`` (a core function) is called on one
    row made of ``defaults`` with that value put in its place.
    """
    n = len(arrays[0]) if arrays else 0
    found = np.full(n, None, dtype=object)
    for position in checked:
        codes, uniques = pd.factorize(pd.Series(arrays[position], dtype=object),
                                      use_na_sentinel=False)
        verdicts = np.full(len(uniques), None, dtype=object)
        for code, value in enumerate(uniques):
            row = [_one(d) for d in defaults]
            row[position] = _one(None if _is_empty(value) else value)
            try:
                probe(*row)
            except XlperfError as error:
                verdicts[code] = str(error)
        mine = verdicts[codes]
        found = np.where(pd.isna(found) & ~pd.isna(mine), mine, found)
    return found


def _one(value: Any) -> np.ndarray:
    array = np.empty(1, dtype=object)
    array[0] = value
    return array


def run(
    compute: Callable[..., np.ndarray],
    arguments: Sequence[Any],
    *,
    data: Sequence[int],
    checked: Sequence[int] = (),
    defaults: Sequence[Any] = (),
    numbers: Sequence[int] = (),
) -> Matrix:
    """Compute a worksheet function over whole ranges with one call of the core.

    ``compute(*arrays)`` returns one result per cell. ``data`` are the positions of the data
    arguments (a cell position where all of them are empty gives an empty cell), ``numbers``
    those read as numbers (passed to the core as floats when they are all numbers), ``checked``
    and ``defaults`` drive :func:`diagnose` when the core refuses a word.
    """
    try:
        arrays, shape = line_up(*(grid(a) for a in arguments))
    except XlperfError as error:
        return [[message(error)]]
    for position in numbers:
        arrays[position] = numeric(arrays[position])
    n = shape[0] * shape[1]
    out = np.full(n, None, dtype=object)
    blank = np.ones(n, dtype=bool)
    for position in data:
        blank &= empty_mask(arrays[position])
    todo = ~blank
    if not todo.any():
        return to_cells(out, shape)
    try:
        out[todo] = _results(compute(*(a[todo] for a in arrays)))
        return to_cells(out, shape)
    except XlperfError:
        pass
    except Exception as error:  # noqa: BLE001 - a cell shows a sentence, never a traceback
        out[todo] = message(error)
        return to_cells(out, shape)
    problems = diagnose([a[todo] for a in arrays], compute, defaults, checked)
    bad = np.zeros(n, dtype=bool)
    bad[np.flatnonzero(todo)[~pd.isna(problems)]] = True
    out[bad] = problems[~pd.isna(problems)]
    good = todo & ~bad
    if good.any():
        try:
            out[good] = _results(compute(*(a[good] for a in arrays)))
        except Exception as error:  # noqa: BLE001
            out[good] = message(error)
    return to_cells(out, shape)


def _results(values: Any) -> np.ndarray:
    array = np.asarray(values, dtype=object)
    return array.reshape(-1)


def from_serial(values: np.ndarray) -> np.ndarray:
    """Excel date serial numbers (as Office.js sends date cells) turned into dates.

    Whole numbers from 10,000 (27 May 1927) to 2,958,465 (31 December 9999) are dates; a
    four-digit number stays a number (a financial year, ``2013`` meaning 2013/14).
    """
    out = values.astype(object, copy=True)
    for i, value in enumerate(values):
        if isinstance(value, int | float | np.number) and not isinstance(value, bool):
            if 10_000 <= float(value) <= 2_958_465:
                out[i] = EXCEL_EPOCH + dt.timedelta(days=int(value))
    return out


def flag(value: Any) -> bool:
    """An Excel TRUE/FALSE (or 1/0, "yes"/"no") argument as a bool; empty is False."""
    if value is None:
        return False
    if isinstance(value, list | tuple):
        return flag(grid(value)[0, 0])
    if isinstance(value, str):
        return value.strip().casefold() in ("true", "yes", "y", "1")
    return bool(value)


def first(value: Any) -> Any:
    """The top-left cell of an argument (for arguments that are one setting, not a range)."""
    return grid(value)[0, 0]
