"""Vectorised helpers the families of checks share: cells as text and numbers, period keys,
joint keys and lookups over a batch, locked-cell comparison. No rule is decided here."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from xlperf.core.columns import fold
from xlperf.core.values import KIND_NUMBER, parse_values
from xlperf.errors import InputError
from xlperf.validate.engine import blank as _blank
from xlperf.validate.engine import shown as _shown

__all__ = ["_blank", "_shown"]


_PERCENT_WORDS = ("%", "percent")
_RATE_WORDS = ("rate", "per ", "ratio")
_NONNEGATIVE_UNITS = {"number", "count", "days", "weeks", "hours", "months", "years", ""}


def _text(value: Any) -> str:
    if _blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _num(value: Any) -> str:
    """A number as people read it in a message."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(number):
        return "blank"
    number += 0.0  # -0.0 is shown as 0
    if abs(number) >= 1e15:  # an exponent, not hundreds of digits
        return f"{number:.6g}"
    if number.is_integer():
        return f"{number:,.0f}" if abs(number) >= 10_000 else f"{number:.0f}"
    return f"{number:,.4g}" if abs(number) >= 10_000 else f"{round(number, 4):g}"


@lru_cache(maxsize=4096)
def _fold(text: str) -> str:
    """:func:`~xlperf.core.columns.fold` of a cell's text, remembered (a batch of returns
    repeats the same headings and words)."""
    return fold(text)


def _period_text(period: Any) -> str:
    return period.format() if hasattr(period, "format") and not isinstance(period, str) else \
        str(period)


def _distinct(values: pd.Series, fn: Callable[[str], Any]) -> np.ndarray:
    """``fn`` of each value as text (blank ``""``), worked out once per distinct value: for
    columns with a few values (units), fast over many rows."""
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=True)
    mapped = [fn(str(u)) for u in uniques] + [fn("")]  # the last: NaN / None
    out = np.empty(len(mapped), dtype=object)
    out[:] = mapped
    return out[codes]


def _unit_limits(units: pd.Series, titles: pd.Series) -> tuple[np.ndarray, np.ndarray,
                                                                 np.ndarray]:
    """Default minimum, maximum and whole-number flag from each row's unit (vectorised over
    the few distinct units)."""
    folded = _distinct(units, lambda u: u.strip().casefold())
    codes, uniques = pd.factorize(folded)
    if not len(uniques):
        return (np.full(len(units), -np.inf), np.full(len(units), np.inf),
                np.zeros(len(units), bool))
    lo = np.full(len(uniques), -np.inf)
    hi = np.full(len(uniques), np.inf)
    count = np.zeros(len(uniques), dtype=bool)
    for i, unit in enumerate(uniques):
        if any(w in unit for w in _PERCENT_WORDS):
            lo[i], hi[i] = 0.0, 100.0
        elif any(w in unit for w in _RATE_WORDS) or unit in _NONNEGATIVE_UNITS:
            lo[i] = 0.0
        if unit in ("count", "whole number", "number (whole)"):
            count[i] = True
    index = np.where(codes < 0, 0, codes)
    whole = count[index]
    number = folded == "number"
    if number.any():
        named = np.zeros(len(units), dtype=bool)
        named[number] = titles[number].fillna("").astype(str).str.strip().str.casefold() \
            .str.startswith(("number of", "count of")).to_numpy(dtype=bool)
        whole = whole | named
    return lo[index], hi[index], whole


def _numbers(values: pd.Series) -> np.ndarray:
    """The value parser's number of each cell (NaN: none). A column that is all blank or all
    plain finite numbers (most Numerator, Denominator and Target columns) is taken as it is;
    anything else goes through :func:`~xlperf.core.values.parse_values`."""
    if pd.api.types.is_float_dtype(values.dtype) or pd.api.types.is_integer_dtype(
            values.dtype):  # a ledger's figures: numbers already
        out = values.to_numpy(dtype=float, na_value=np.nan, copy=True)
        out[~np.isfinite(out)] = np.nan
        return out
    raw = values.to_numpy(dtype=object)
    kinds = set(map(type, raw))
    if kinds <= {type(None)}:
        return np.full(len(raw), np.nan)
    if kinds <= {float, int, type(None)}:
        out = np.array([np.nan if v is None else v for v in raw], dtype=float)
        out[~np.isfinite(out)] = np.nan  # as the parser: infinity is not a number
        return out
    return parse_values(pd.Series(raw, index=values.index, dtype=object))["number"].to_numpy()


def _blanks(values: np.ndarray) -> np.ndarray:
    """:func:`_blank` of each value (one pass, quicker than pandas' string methods here)."""
    return np.fromiter((v is None or (v.strip() == "" if type(v) is str else _blank(v))
                        for v in values), dtype=bool, count=len(values))


def _is_text(values: np.ndarray) -> np.ndarray:
    return np.fromiter((type(v) is str for v in values), dtype=bool, count=len(values))


def _starts_with(values: np.ndarray, prefix: str) -> np.ndarray:
    """Each value is text starting with ``prefix``."""
    out = np.zeros(len(values), dtype=bool)
    text = _is_text(values)
    if text.any():
        out[text] = pd.Series(values[text], dtype=object).str.startswith(prefix).to_numpy(
            dtype=bool)
    return out


def _texts(values: np.ndarray) -> np.ndarray:
    """:func:`_text` of each value (text is only stripped: the common case, done quickly; a
    long column of text repeats its values, so each distinct text is stripped once)."""
    if len(values) > 1000 and pd.api.types.infer_dtype(values, skipna=False) == "string":
        codes, uniques = pd.factorize(np.asarray(values, dtype=object))
        return np.array([u.strip() for u in uniques], dtype=object)[codes]
    return np.array([v.strip() if type(v) is str else "" if v is None else _text(v)
                     for v in values], dtype=object)


def _joint_keys(left: Sequence[np.ndarray], right: Sequence[np.ndarray]
                ) -> tuple[np.ndarray, np.ndarray]:
    """One integer per row for two tables of key columns, equal where all keys are equal."""
    size = len(left[0])
    combined = np.zeros(size + len(right[0]), dtype=np.int64)
    for a, b in zip(left, right, strict=True):
        codes, uniques = pd.factorize(np.concatenate([np.asarray(a, dtype=object),
                                                      np.asarray(b, dtype=object)]),
                                      use_na_sentinel=False)
        # Renumbered after each column so the combined key stays small.
        combined = pd.factorize(combined * (len(uniques) + 1) + codes)[0]
    return combined[:size], combined[size:]


def _first_positions(table: np.ndarray, wanted: np.ndarray, *,
                     among: np.ndarray | None = None) -> np.ndarray:
    """For each key of ``wanted``, the position of its first occurrence in ``table`` (only
    where ``among`` is True), -1 when there is none: a vectorised dictionary lookup.

    >>> _first_positions(np.array([5, 7, 5]), np.array([5, 9])).tolist()
    [0, -1]
    """
    candidates = np.arange(len(table)) if among is None else np.flatnonzero(among)
    size = int(max(table.max(initial=0), wanted.max(initial=0))) + 1
    lookup = np.full(size, -1, dtype=np.int64)
    unique_keys, first = np.unique(table[candidates], return_index=True)
    lookup[unique_keys] = candidates[first]
    return lookup[wanted]


def _period_keys(texts: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Each period text's key (``2013-Q2``; the text itself when it is not a period) and its
    :class:`~xlperf.core.periods.Period` (None), each distinct text parsed once."""
    codes, uniques = pd.factorize(texts.to_numpy(dtype=object))
    keys = np.empty(len(uniques) + 1, dtype=object)
    objs = np.empty(len(uniques) + 1, dtype=object)
    for i, text in enumerate(uniques):
        keys[i], objs[i] = _parse_period_text(text)
    keys[-1] = objs[-1] = np.nan  # (a missing text: never, the texts are strings)
    return (pd.Series(keys[codes], index=texts.index, dtype=object),
            pd.Series(objs[codes], index=texts.index, dtype=object))


def _parse_period_text(text: Any) -> tuple[Any, Any]:
    from xlperf.core.periods import parse_period

    try:
        p = parse_period(text)
        return p.format("iso"), p
    except (InputError, ValueError, TypeError):
        return text, None


def _start_and_year(periods: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each period's first day (ordinal) and year, NaN where there is none. Each distinct
    period object is worked out once, found by identity (:func:`_period_keys` gives one
    object per distinct text, and hashing thousands of periods in Python is slow)."""
    values = periods.to_numpy(dtype=object)
    codes, _ids = pd.factorize(np.fromiter(map(id, values), dtype=np.uint64,
                                           count=len(values)))
    _codes, first = np.unique(codes, return_index=True)
    reps = values[first]
    starts = np.array([np.nan if p is None else float(p.start.toordinal()) for p in reps])
    years = np.array([np.nan if p is None else float(p.year) for p in reps])
    return starts[codes], years[codes]


def _ratio_scale(unit: pd.Series) -> np.ndarray:
    return _distinct(unit, _scale_of).astype(float)


def _scale_of(unit: str) -> float:
    """What numerator / denominator is multiplied by for ``unit`` (NaN: not a ratio)."""
    folded = unit.casefold()
    scale = np.nan
    if "%" in folded or "percent" in folded:
        scale = 100.0
    if "10,000" in folded or "10000" in folded:
        scale = 10_000.0
    if ("1,000" in folded or "1000" in folded) and not (
            "10,000" in folded or "10000" in folded or "100,000" in folded):
        scale = 1_000.0
    if "100,000" in folded or "100000" in folded:
        scale = 100_000.0
    if folded == "ratio":
        scale = 1.0
    return scale


def _differs(got: np.ndarray, want: np.ndarray) -> np.ndarray:
    """Locked cell values that differ (numbers compared as numbers, text trimmed); only the
    cells that are not plainly equal are parsed."""
    out = np.zeros(len(got), dtype=bool)
    try:
        plain = np.asarray(got == want, dtype=bool).reshape(len(got))
    except (ValueError, TypeError):  # a value whose comparison misbehaves: one at a time
        plain = np.fromiter((bool(g == w) if isinstance(g, str | float | int) else g is w
                             for g, w in zip(got, want, strict=True)), dtype=bool,
                            count=len(got))
    both_blank = pd.isna(got) & pd.isna(want)
    check = ~(plain | both_blank)
    if check.any():
        out[check] = _differs_parsed(got[check], want[check])
    return out


def _differs_parsed(got: np.ndarray, want: np.ndarray) -> np.ndarray:
    got_n = parse_values(pd.Series(got, dtype=object))
    want_n = parse_values(pd.Series(want, dtype=object))
    both_numbers = ((got_n["kind"] == KIND_NUMBER) & (want_n["kind"] == KIND_NUMBER)).to_numpy()
    num_differs = ~np.isclose(got_n["number"].to_numpy(), want_n["number"].to_numpy(),
                              rtol=1e-9, atol=1e-9)
    got_t = pd.Series(got, dtype=object).map(_text).str.casefold().to_numpy()
    want_t = pd.Series(want, dtype=object).map(_text).str.casefold().to_numpy()
    return np.where(both_numbers, num_differs, got_t != want_t)


def _plain(value: Any) -> str:
    if isinstance(value, float | int | np.floating | np.integer) and not isinstance(value, bool):
        return _num(value)
    return str(value)


def _bound(value: float) -> str:
    if value is None or np.isinf(value) or np.isnan(value):
        return "no limit"
    return _num(value)


def _unit_name(lo: float, hi: float) -> str:
    if lo == 0 and hi == 100:
        return "percentage"
    return "this"


# --------------------------------------------------------------------------- finance
# The money columns a finance or capital return's total row adds up (FIN-002).
_CROSSFOOT_COLUMNS = {"finance": ("Gross budget", "Net budget", "Forecast outturn"),
                      "capital": ("Revised base budget", "Revised estimate", "Actual to date")}


# A money multiplier the value parser reads after a £ figure (``£1.2m``, ``£3k``, ``£2bn``).
_MULTIPLIER = re.compile(r"\d\s*(k|m|bn)\b", re.IGNORECASE)


def _sign_mismatch(typed: Any, unit: Any) -> str:
    """What of a typed figure's signs does not fit its unit (a measure's, or a finance
    amount's £000s; "" when all fit): a % sign outside a % unit, a £ sign outside a money
    unit, a multiplier (``m``, ``k``, ``bn``) outside £ or in £000s.

    >>> _sign_mismatch("£1.2m", "number"), _sign_mismatch("12%", "%")
    ('a £ sign and the multiplier m', '')
    >>> _sign_mismatch("5402%", "£000s"), _sign_mismatch("£1.2m", "£000s")
    ('a % sign', 'the multiplier m')
    """
    if type(typed) is not str:
        return ""
    unit_text = str(unit or "").strip().casefold()
    money, thousands = unit_text.startswith("£"), unit_text.startswith("£000")
    multiplier = _MULTIPLIER.search(typed) if "£" in typed else None
    wrong = []
    if "%" in typed and unit_text != "%":
        wrong.append("a % sign")
    if "£" in typed and not money:
        wrong.append("a £ sign")
    if multiplier is not None and (thousands or not money):
        wrong.append(f"the multiplier {multiplier.group(1)}")
    return " and ".join(wrong)
