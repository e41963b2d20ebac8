"""Small helpers to accept scalars, lists, Series and arrays alike and broadcast them together."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

# The core's own modules take these from here too.
from xlperf.core.figures import format_number as format_number
from xlperf.core.figures import format_numbers as format_numbers


def broadcast(*values: Any) -> tuple[list[np.ndarray], tuple[int, ...], pd.Index | None]:
    """Turn each argument into a 1-d array of a common length.

    Returns the arrays, the broadcast shape (``()`` when every argument was a scalar) and the
    index of the first Series argument, so results can keep a caller's index.
    """
    index = next((v.index for v in values if isinstance(v, pd.Series)), None)
    arrays = []
    for v in values:
        if isinstance(v, pd.Series | pd.Index) and isinstance(v.dtype, pd.CategoricalDtype):
            arrays.append(v.array)  # keep the codes: a few distinct words over many rows
        elif isinstance(v, pd.Series | pd.Index):
            arrays.append(v.to_numpy(dtype=object) if v.dtype == object or isinstance(
                v.dtype, pd.StringDtype) else v.to_numpy())
        elif isinstance(v, np.ndarray):
            arrays.append(v)
        elif isinstance(v, list | tuple):
            arrays.append(np.asarray(v, dtype=object) if _mixed(v) else np.asarray(v))
        else:
            arrays.append(np.asarray([v], dtype=object if not _is_number(v) else float))
    scalar = all(not isinstance(v, pd.Series | pd.Index | np.ndarray | list | tuple)
                 for v in values)
    length = max((len(a) if np.ndim(a) else 1) for a in arrays) if arrays else 1
    out = []
    for a in arrays:
        if isinstance(a, pd.Categorical):
            if len(a) != length:
                a = np.asarray(a, dtype=object)
            else:
                out.append(a)
                continue
        a = a.reshape(-1)
        if a.shape[0] == length:
            out.append(a)
        elif a.shape[0] == 1:
            out.append(np.repeat(a, length))
        else:
            raise ValueError(f"cannot line up {a.shape[0]} values with {length}")
    return out, (() if scalar else (length,)), index


def distinct(values: Any, fill: object = None) -> tuple[np.ndarray, list[object]]:
    """Codes and distinct values of an array of words, so each word is read once.

    Categoricals give their codes directly; missing values become ``fill``.

    >>> distinct(np.array(["High", "Low", "High"], dtype=object))
    (array([0, 1, 0]), ['High', 'Low'])
    """
    if isinstance(values, pd.Categorical):
        categories = list(values.categories)
        codes = np.asarray(values.codes)
        if (codes < 0).any():
            codes = np.where(codes < 0, len(categories), codes)
            categories.append(fill)
        return codes, categories
    codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=False)
    return codes, [fill if (u is None or (isinstance(u, float) and u != u)) else u
                   for u in uniques]


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float | np.number) and not isinstance(v, bool)


def _mixed(values: list | tuple) -> bool:
    return not all(_is_number(v) for v in values)


def as_float(values: np.ndarray) -> np.ndarray:
    """A float array; values that are not plain numbers must have been parsed before this."""
    if values.dtype.kind in "fiu":
        return values.astype(float, copy=False)
    return pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").to_numpy(dtype=float)
