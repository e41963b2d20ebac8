"""The XmR chart of statistical process control (:mod:`xlperf.core.spc`): each measure's
points read from the long frame, its limits (per segment, after any rebase) and the four
special-cause rules, numpy over all measures at once.

>>> chart = xmr(pd.DataFrame({"code": "A", "period": range(15), "value":
...     [20, 24, 20, 26, 22, 16, 18, 16, 31, 28, 34, 26, 30, 19, 18], "polarity": "Low"}))
>>> chart["variation"].iloc[-1]
'Common cause'
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from xlperf.core._arrays import format_numbers
from xlperf.core._spc_settings import CONCERN_FIRST, IMPROVEMENT_FIRST, SpcSettings
from xlperf.core._spc_words import _VARIATION_WORDS, ASSURANCES
from xlperf.core.columns import normalise_columns
from xlperf.core.figures import shown_decimals, statistic_decimals
from xlperf.core.polarity import polarity_signs
from xlperf.core.schemes import _tidy
from xlperf.core.status import _numbers
from xlperf.errors import InputError

#: 3 / d2 for moving ranges of two points (d2 = 1.128), as MDC writes it.
LIMIT_FACTOR = 2.66
#: The 2-sigma lines: two thirds of the way from the mean to the process limits.
NEAR_FACTOR = LIMIT_FACTOR * 2 / 3
#: The upper range limit of a moving-range chart (D4 for ranges of two points).
SCREEN_FACTOR = 3.267

#: MDC's SQL tool's order: the first rule that fires at the point decides.
RULES = ("beyond a limit", "trend", "run", "two of three")


# Columns of the long frame and of the measures, as people may write them.
_VALUE_NAMES: dict[str, tuple[str, ...]] = {
    "code": ("code", "measure code", "pi code"),
    "period": ("period", "order", "period order"),
    "value": ("value", "actual"),
    "target": ("target", "period target"),
    "ghost": ("ghost", "ghosted", "ghost reason"),
    "rebase": ("rebase", "rebase reason", "recalculate"),
    "year": ("year", "financial year"),
}
_MEASURE_NAMES: dict[str, tuple[str, ...]] = {
    "code": _VALUE_NAMES["code"],
    "polarity": ("polarity",),
    "target": ("target",),
    "cumulative": ("cumulative",),
    **{f.name: (f.name.replace("_", " "),) for f in fields(SpcSettings) if f.name != "conflict"},
}


def _above(difference: np.ndarray) -> np.ndarray:
    """``_tidy(difference) > 0`` without rounding every element: ``_tidy`` rounds to 9
    decimals as ``rint(d * 1e9) / 1e9``, which is above 0 exactly when ``d * 1e9`` is above 0.5
    (``rint`` rounds half to even; a product too big for a float is infinite, of the same sign,
    as ``_tidy`` keeps it). A third of the rules' time went in rounding."""
    with np.errstate(over="ignore", invalid="ignore"):
        return difference * 1e9 > 0.5


def _below(difference: np.ndarray) -> np.ndarray:
    """``_tidy(difference) < 0``, as :func:`_above`."""
    with np.errstate(over="ignore", invalid="ignore"):
        return difference * 1e9 < -0.5


def _sign(difference: np.ndarray) -> np.ndarray:
    """``np.sign(_tidy(difference))`` as small whole numbers (0 for a missing difference)."""
    with np.errstate(over="ignore", invalid="ignore"):
        scaled = difference * 1e9
    return (scaled > 0.5).view(np.int8) - (scaled < -0.5).view(np.int8)


def _reasons(column: pd.Series | None, n: int) -> tuple[np.ndarray, np.ndarray]:
    """A flag and its reason from a column of reasons (text) or flags (True/Yes)."""
    if column is None:
        return np.zeros(n, dtype=bool), np.full(n, None, dtype=object)
    raw = column.to_numpy(dtype=object)
    codes, uniques = pd.factorize(pd.Series(raw, dtype=object), use_na_sentinel=True)
    flags, texts = [], []
    for u in uniques:  # one look per distinct reason
        if isinstance(u, bool | np.bool_) or isinstance(u, int | float) and not isinstance(u, str):
            flags.append(bool(u))
            texts.append("" if bool(u) else None)
        else:
            text = str(u).strip()
            on = text.lower() not in ("", "no", "n", "false", "0")
            flags.append(on)
            texts.append((text if text.lower() not in ("yes", "y", "true", "1") else "")
                         if on else None)
    flag_of = np.array(flags + [False], dtype=bool)
    text_of = np.array(texts + [None], dtype=object)
    return flag_of[codes], text_of[codes]


def _orders(period: pd.Series, year: pd.Series | None
            ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None, np.ndarray | None]:
    """Sort order, financial year, position in the year and printable text of each period.

    Numbers are an order as given (``year``, if any, is the financial year); anything else is
    read as a period (``Q1 2013/14``, a :class:`~xlperf.core.periods.Period`), parsed once per
    distinct value. The text is ``None`` for whole numbers, which :func:`_period_numbers` says
    each by itself, so only the rows that are shown need saying."""
    if period.dtype.kind in "fiu":
        order = period.to_numpy(dtype=float)
        whole = period.dtype.kind in "iu" and len(order) > 0  # finite and whole already
        text = None if whole or _each_by_itself(order) else _period_numbers(order)
        if year is None:
            return order, None, None, text
        years = pd.factorize(year, use_na_sentinel=False)[0].astype(np.int64)
        # The first order of each year in the frame is its first period.
        first = pd.Series(order).groupby(years).transform("min").to_numpy()
        return order, years, (order - first + 1).astype(np.int64), text
    from xlperf.core.periods import Period, parse_periods

    codes, uniques = pd.factorize(period, use_na_sentinel=False)
    todo = [u for u in uniques if not isinstance(u, Period)]  # parsed together, in order
    found = iter(parse_periods(pd.Series(todo, dtype=object)).tolist() if todo else ())
    parsed: list[Period] = [u if isinstance(u, Period) else next(found) for u in uniques]
    ranks = {key: r for r, key in enumerate(sorted({p._sort_key() for p in parsed}))}
    order = np.array([ranks[p._sort_key()] for p in parsed], dtype=float)[codes]
    years = np.array([p.year for p in parsed], dtype=np.int64)[codes]
    position = np.array([p.index for p in parsed], dtype=np.int64)[codes]
    text = np.array([p.format() for p in parsed], dtype=object)[codes]
    return order, years, position, text


def _period_numbers(order: np.ndarray) -> np.ndarray:
    """``period 3`` for each period given as a number, each distinct number written once.
    Whole numbers in a short range (the usual 1, 2, 3...) are looked up by their offset from
    the smallest, which is a tenth of the time of hashing every row."""
    if _each_by_itself(order):
        low = order.min()
        span = order.max() - low
        offset = (order - low).astype(np.intp)
        present = np.flatnonzero(np.bincount(offset, minlength=int(span) + 1))
        said = np.full(int(span) + 1, "", dtype=object)
        said[present] = "period " + format_numbers(present + low)
        return said[offset]
    codes, distinct = pd.factorize(order)  # a missing period is the last one (as it was)
    return ("period " + format_numbers(np.asarray(distinct, dtype=float)))[codes]


def _each_by_itself(order: np.ndarray) -> bool:
    """Whether :func:`_period_numbers` says each of these periods by its own number (whole
    numbers in a short range), so that saying some of them gives the same words as saying all
    and taking some."""
    if not (len(order) and np.isfinite(order).all()):
        return False
    return bool(order.max() - order.min() < 100_000 and (order == np.floor(order)).all())


def _factorize(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize`` of a column that usually comes in runs (each measure's periods
    together): the runs' first values are factorized and the codes spread over each run, so
    the hashing is once per run rather than once per row (a tenth of the time for a long
    frame of text codes). The same codes and uniques as ``pd.factorize``.

    >>> [a.tolist() for a in _factorize(np.array(["B", "B", "A", "B"], dtype=object))]
    [[0, 0, 1, 0], ['B', 'A']]
    """
    n = len(values)
    if n < 2:
        codes, uniques = pd.factorize(values, use_na_sentinel=False)
        return np.asarray(codes), np.asarray(uniques, dtype=object)
    starts = np.ones(n, dtype=bool)
    starts[1:] = values[1:] != values[:-1]
    head_codes, uniques = pd.factorize(values[starts], use_na_sentinel=False)
    run = np.cumsum(starts)
    run -= 1
    return (np.asarray(head_codes)[run],
            np.asarray(uniques, dtype=object))


def _floats(values: np.ndarray) -> np.ndarray:
    """Numbers from cells: plain numbers (and blanks) directly, anything else through the
    core's value parser (``68%``, ``TBC``)."""
    if values.dtype.kind in "fiu":
        return values.astype(float, copy=False)
    if pd.api.types.infer_dtype(values, skipna=True) in ("floating", "integer", "empty",
                                                          "mixed-integer-float"):
        return pd.array(values, dtype="Float64").to_numpy(dtype=float, na_value=np.nan)
    return _numbers(values)[0]


def _rows_of(table: pd.DataFrame, uniques: np.ndarray) -> np.ndarray | None:
    """The row of ``table`` (the measures) for each code of ``uniques``, -1 where it has none:
    the last row of a code given twice, codes trimmed. ``None`` when two different codes are
    the same once trimmed (the caller then lets pandas refuse them, as it always has)."""
    raw = table["code"].to_numpy(dtype=object)
    if len(raw) == len(uniques) and (raw == uniques).all():
        return np.arange(len(raw), dtype=np.intp)  # the measures in the values' order
    missing = pd.isna(raw)
    trimmed = [None if gone else str(code).strip()
               for code, gone in zip(raw.tolist(), missing.tolist(), strict=True)]
    last: dict[Any, int] = dict(zip(trimmed, range(len(trimmed)), strict=True))  # later wins
    last.pop(None, None)  # a blank code is no measure's
    if len(last) != len(set(raw[~missing].tolist())):
        return None
    return np.array([last.get(code, -1) for code in uniques.tolist()], dtype=np.intp)


def _per_measure(measures: pd.DataFrame | None, values: pd.DataFrame, code_ids: np.ndarray,
                 uniques: np.ndarray, settings: SpcSettings) -> dict[str, np.ndarray]:
    """One value per measure (in ``uniques`` order) of polarity, target, cumulative and the
    settings: from the measures frame, else from the values frame (its first row for the
    measure), else the defaults."""
    found: dict[str, np.ndarray] = {}
    m = len(uniques)
    table = None
    if measures is not None:
        table = normalise_columns(measures, _MEASURE_NAMES)
        if "code" not in table.columns:
            raise InputError("the measures need a 'code' column")
        rows = _rows_of(table, uniques)
        if rows is None:  # codes that are one once trimmed: as pandas says it
            table = table.drop_duplicates("code", keep="last")
            rows = pd.Index(table["code"].astype(str).str.strip()).get_indexer(uniques)
        where = rows
    # Each measure's first row, from the first row of each run of its rows (the values usually
    # come a measure at a time): no sort of every row.
    new_run = np.ones(len(code_ids), dtype=bool)
    new_run[1:] = code_ids[1:] != code_ids[:-1]
    run_starts = np.flatnonzero(new_run)
    first_run = np.unique(code_ids[run_starts], return_index=True)[1]
    first = run_starts[first_run]
    for name in ("polarity", "target", "cumulative", *(f.name for f in fields(SpcSettings)
                                                       if f.name != "conflict")):
        column: np.ndarray | None = None
        if table is not None and name in table.columns:
            source = table[name].to_numpy(dtype=object)
            column = source[np.maximum(where, 0)]  # a copy (fancy indexing)
            column[where < 0] = None  # a code the measures do not list
        elif name in values.columns and name != "target":
            column = values[name].to_numpy(dtype=object)[first]
        found[name] = column if column is not None else np.full(m, None, dtype=object)
    if pd.isna(found["polarity"]).any():
        missing = uniques[pd.isna(found["polarity"])][0]
        raise InputError(f"measure {missing!r} has no polarity: SPC needs to know which way is "
                         "better (Bigger is better, Smaller is better or Data only)")
    out: dict[str, np.ndarray] = {"sign": polarity_signs(found["polarity"]).astype(np.int8)}
    if table is not None and "target" in table.columns and table["target"].dtype.kind in "fiu":
        # Numbers already: taken as floats directly, not cell by cell through object.
        numbers = table["target"].to_numpy(dtype=float, na_value=np.nan)[np.maximum(where, 0)]
        out["target"] = np.where(where < 0, np.nan, numbers)
    else:
        out["target"] = _floats(found["target"])
    from xlperf.core.measures import parse_flag

    def flags(column: np.ndarray, default: bool) -> np.ndarray:
        if pd.isna(column).all():  # not given: the default, without reading each blank
            return np.full(len(column), default, dtype=bool)
        codes, distinct = pd.factorize(pd.Series(column, dtype=object), use_na_sentinel=True)
        read = np.array([parse_flag(v) for v in distinct] + [default], dtype=bool)
        return read[codes]  # each distinct word read once; blank is the default

    out["cumulative"] = flags(found["cumulative"], False)
    out["screen_moving_ranges"] = flags(found["screen_moving_ranges"],
                                        settings.screen_moving_ranges)
    for name in ("minimum_points", "minimum_segment_points", "run_length", "trend_length"):
        column = found[name]
        numbers = np.full(m, getattr(settings, name), dtype=np.int64)
        given = ~pd.isna(column)
        for value in pd.unique(column[given]):  # each distinct setting checked once
            try:
                number = float(value)
            except (TypeError, ValueError):
                number = float("nan")
            if number != number or number != int(number):
                raise InputError(f"SPC {name.replace('_', ' ')} {value!r} is not a whole number")
            change: dict[str, Any] = {name: int(number)}
            replace(settings, **change)  # the same checks as the global setting
            numbers[given & (column == value)] = int(number)
        out[name] = numbers
    return out


def xmr(values: pd.DataFrame, measures: pd.DataFrame | None = None,
        settings: SpcSettings | None = None) -> pd.DataFrame:
    """The XmR chart of every measure: one row per measure and period, in period order.

    ``values`` is a long frame: ``code``, ``period`` (numbers in order, or periods such as
    ``Q1 2013/14``) and ``value``; optionally ``target`` (the period's, profiled target),
    ``ghost`` (a reason: the point is drawn but left out of the limits and the rules) and
    ``rebase`` (a reason: limits start again from this period). ``measures`` gives, per
    ``code``, the ``polarity``, a ``target`` for every period, ``cumulative`` (chart the
    per-period increments of a year-to-date figure) and any setting of :class:`SpcSettings`
    for that measure (``run_length``...). Measure columns may instead be columns of ``values``.

    Columns returned: ``code``, ``period``, ``period_text``, ``value``, ``charted`` (the value,
    or the increment of a cumulative measure), ``target`` (likewise), ``ghost``, ``rebase``,
    ``segment``, ``points`` (in the segment), ``mean``, ``lower``, ``upper``, ``lower_2sigma``,
    ``upper_2sigma``, ``moving_range``, ``screened``, ``limited`` (the segment has limits),
    ``beyond``, ``run``, ``two_of_three`` (+1 above, -1 below, 0), ``rising``, ``falling``,
    ``special`` (+1 high, -1 low, 0), ``variation`` and ``assurance``, plus what the sentences
    need (``run_points``, ``trend_points``, ``near_points``, ``rule``, ``conflict``,
    ``statistic_decimals``: the places the measure's mean and limits are said to,
    :func:`~xlperf.core.figures.statistic_decimals`).

    >>> chart = xmr(pd.DataFrame({"code": "A", "period": range(15), "value":
    ...     [20, 24, 20, 26, 22, 16, 18, 16, 31, 28, 34, 26, 30, 19, 18],
    ...     "polarity": "High"}))
    >>> chart[["mean", "lower", "upper"]].iloc[0].round(2).tolist()
    [23.2, 8.76, 37.64]
    """
    return _chart(values, measures, settings).frame()


def _chart(values: pd.DataFrame, measures: pd.DataFrame | None = None,
           settings: SpcSettings | None = None) -> _Chart:
    """Every measure's XmR chart as arrays (:class:`_Chart`): :func:`xmr` without its frame."""
    settings = settings or SpcSettings()
    frame = normalise_columns(values, _VALUE_NAMES)
    for required in ("code", "period", "value"):
        if required not in frame.columns:
            raise InputError(f"the values need a {required!r} column")
    n_in = len(frame)
    raw_codes = frame["code"].to_numpy(dtype=object)
    raw_ids, raw_uniques = _factorize(raw_codes)
    # Codes are trimmed once each ("PI 1 " is "PI 1"), then merged.
    trimmed, uniques = pd.factorize(np.array([str(u).strip() for u in raw_uniques],
                                             dtype=object), use_na_sentinel=False)
    # Trimming usually merges nothing: then the codes stand (no new array of every row).
    code_ids = (raw_ids if len(trimmed) == len(uniques)
                and (trimmed == np.arange(len(trimmed))).all() else trimmed[raw_ids])
    uniques = np.asarray(uniques, dtype=object)
    order, years, position, period_text = _orders(frame["period"], frame.get("year"))
    key = code_ids.astype(np.int64, copy=False)
    # Sort by measure then period; a later row for the same measure and period wins. Rows
    # that come in that order already (the usual) are not copied: on this kind of machine a
    # new array of every row costs more in fresh memory than the work done in it.
    sort: np.ndarray | None = None
    if n_in > 1 and not ((key[1:] > key[:-1])
                         | ((key[1:] == key[:-1]) & (order[1:] > order[:-1]))).all():
        sort = np.lexsort((np.arange(n_in), order, key))
        key, order = key[sort], order[sort]
    last = np.ones(n_in, dtype=bool)
    if n_in > 1:
        last[:-1] = (key[1:] != key[:-1]) | (order[1:] != order[:-1])
    if not last.all():
        sort = (np.arange(n_in) if sort is None else sort)[last]
        key, order = key[last], order[last]
    n = len(key)

    def rows(column: np.ndarray) -> np.ndarray:
        return column if sort is None else column[sort]

    per = _per_measure(measures, frame, code_ids, uniques, settings)
    sign = per["sign"][key]
    given = frame["value"].to_numpy()
    x = _floats(rows(given)).astype(float, copy=False)
    if np.may_share_memory(x, given):
        x = x.copy()  # the chart's own, never the caller's
    target: np.ndarray | None = None  # None: each measure's target (``per``) on every row
    if "target" in frame.columns:
        target = _floats(rows(frame["target"].to_numpy()))
        target = np.where(np.isnan(target), per["target"][key], target)
    # A column not given is blank: no reasons are made until a frame needs them.
    ghost, ghost_reason = ((rows(a) for a in _reasons(frame["ghost"], n_in))
                           if "ghost" in frame.columns else (np.zeros(n, dtype=bool), None))
    rebase, rebase_reason = ((rows(a) for a in _reasons(frame["rebase"], n_in))
                             if "rebase" in frame.columns else (np.zeros(n, dtype=bool), None))
    starts = np.ones(n, dtype=bool)
    starts[1:] = key[1:] != key[:-1]

    charted, charted_target = x, target
    cumulative = per["cumulative"][key]
    if cumulative.any():
        if years is None or position is None:
            raise InputError("a cumulative measure needs its periods' financial years: give "
                             "periods such as Q1 2013/14, or a 'year' column beside the order")
        yr, pos = rows(years), rows(position)
        previous_here = np.zeros(n, dtype=bool)
        previous_here[1:] = ~starts[1:] & (yr[1:] == yr[:-1]) & (pos[1:] == pos[:-1] + 1)
        if target is None:
            target = np.asarray(per["target"][key], dtype=float)
        before = np.roll(x, 1)
        before_target = np.roll(target, 1)
        step = np.where(pos == 1, x, np.where(previous_here, x - before, np.nan))
        step_target = np.where(pos == 1, target,
                               np.where(previous_here, target - before_target, np.nan))
        charted = np.where(cumulative, _tidy(step), x)
        charted_target = np.where(cumulative, _tidy(step_target), target)

    # How its mean and limits are said: a decimal more than the measure's points and targets
    # show (a limit is never said more roughly than the target it is compared with).
    data_places = np.zeros(len(uniques), dtype=np.int64)
    for shown in (charted, per["target"][key] if charted_target is None else charted_target):
        has_data = ~np.isnan(shown)
        np.maximum.at(data_places, key[has_data], shown_decimals(shown[has_data]))

    # Segments: a new one at each measure's first row and at each rebase.
    segment_start = starts | rebase
    group = np.cumsum(segment_start)
    group -= 1
    n_groups = int(group[-1]) + 1 if n else 0

    judged = ~np.isnan(charted) & ~ghost
    every = judged.all()  # then the judged points are the rows: no copies of them
    jx, jg, jkey = ((charted, group, key) if every
                    else (charted[judged], group[judged], key[judged]))
    counts = np.bincount(jg, minlength=n_groups)
    mean = np.bincount(jg, weights=jx, minlength=n_groups) / np.maximum(counts, 1)
    mean[counts == 0] = np.nan
    # Moving ranges within a segment; each segment's first point has none. Its place holds 0
    # while they are summed (adding 0 to a sum of ranges changes no bit), then NaN.
    mr = np.zeros(len(jx))
    first_point = np.ones(len(jx), dtype=bool)
    if len(jx) > 1:
        np.subtract(jx[1:], jx[:-1], out=mr[1:])
        np.abs(mr, out=mr)
        first_point[1:] = jg[1:] != jg[:-1]
        mr[first_point] = 0
    no_range = np.isnan(mr)  # infinity minus infinity: no range, as a missing one
    if no_range.any():
        mr[no_range] = 0
        first_point |= no_range
        mr_counts = np.bincount(jg[~first_point], minlength=n_groups)
    else:  # every segment with a point has one point without a range: its first
        mr_counts = np.maximum(counts - 1, 0)
    amr = np.bincount(jg, weights=mr, minlength=n_groups) / np.maximum(mr_counts, 1)
    amr[mr_counts == 0] = np.nan
    mr[first_point] = np.nan
    has_mr = ~first_point
    screened = np.zeros(len(jx), dtype=bool)
    screen = per["screen_moving_ranges"][jkey]
    if screen.any():
        screened = has_mr & screen & _above(mr - SCREEN_FACTOR * amr[jg])
        kept = has_mr & ~screened
        kept_counts = np.bincount(jg[kept], minlength=n_groups)
        kept_amr = np.bincount(jg[kept], weights=mr[kept], minlength=n_groups) / np.maximum(
            kept_counts, 1)
        group_screens = np.bincount(jg[screen], minlength=n_groups) > 0
        amr = np.where(group_screens & (kept_counts > 0), kept_amr, amr)

    measure_points = np.bincount(jkey, minlength=len(uniques))
    group_key = key[segment_start]
    limited = ((counts >= per["minimum_segment_points"][group_key])
               & (measure_points[group_key] >= per["minimum_points"][group_key])
               & ~np.isnan(amr))
    spread = np.where(limited, LIMIT_FACTOR * amr, np.nan)
    near_spread = np.where(limited, NEAR_FACTOR * amr, np.nan)
    upper, lower = mean + spread, mean - spread
    upper_near, lower_near = mean + near_spread, mean - near_spread

    rules = _Rules(jx, jg, jkey, mean, upper, lower, upper_near, lower_near, limited,
                   per["run_length"], per["trend_length"])
    side = _resolve(rules, sign if every else sign[judged], settings.conflict)
    return _Chart(uniques=uniques, key=key, period=rows(frame["period"].to_numpy()),
                  period_text=None if period_text is None else rows(period_text),
                  order=order, x=x, charted=charted, cumulative=cumulative,
                  target=charted_target, measure_target=np.asarray(per["target"], dtype=float),
                  ghost=ghost, ghost_reason=ghost_reason,
                  rebase=rebase, rebase_reason=rebase_reason, group=group,
                  judged=judged, sign=sign, counts=counts, measure_points=measure_points,
                  mean=mean, lower=lower, upper=upper, lower_near=lower_near,
                  upper_near=upper_near, limited=limited, moving_range=mr,
                  screened=screened, rules=rules, side=side,
                  minimum_points=per["minimum_points"],
                  minimum_segment_points=per["minimum_segment_points"],
                  decimals=statistic_decimals(data_places), conflict=settings.conflict)


#: The columns of :func:`xmr` that are one value per segment (:class:`_Chart`'s name for it).
_PER_SEGMENT = {"points": "counts", "mean": "mean", "lower": "lower", "upper": "upper",
                "lower_2sigma": "lower_near", "upper_2sigma": "upper_near",
                "limited": "limited"}
#: ... one value per row, as the chart holds it.
_PER_ROW = {"order": "order", "value": "x", "charted": "charted", "cumulative": "cumulative",
            "polarity_sign": "sign"}


@dataclass(frozen=True)
class _Chart:
    """Every measure's XmR chart as arrays, its rows in measure and period order: what the
    frame of :func:`xmr` is made of (:meth:`frame`). A summary takes the few rows it needs
    (:meth:`at`) without the frame: making 37 columns of every measure-period, and taking
    them back out, cost more than the rules. Arrays are per row, per segment (``group``: the
    row's), per measure (``key``: the row's) or per judged point (``judged``: the rows that
    are)."""

    uniques: np.ndarray
    key: np.ndarray
    period: np.ndarray
    period_text: np.ndarray | None  # None: numbers, said when asked (:func:`_period_numbers`)
    order: np.ndarray
    x: np.ndarray
    charted: np.ndarray
    cumulative: np.ndarray
    target: np.ndarray | None  # None: ``measure_target`` on each measure's rows
    measure_target: np.ndarray
    ghost: np.ndarray
    ghost_reason: np.ndarray | None  # None: no column of reasons was given
    rebase: np.ndarray
    rebase_reason: np.ndarray | None
    group: np.ndarray
    judged: np.ndarray
    sign: np.ndarray
    counts: np.ndarray
    measure_points: np.ndarray
    mean: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    lower_near: np.ndarray
    upper_near: np.ndarray
    limited: np.ndarray
    moving_range: np.ndarray
    screened: np.ndarray
    rules: _Rules
    side: np.ndarray
    minimum_points: np.ndarray
    minimum_segment_points: np.ndarray
    decimals: np.ndarray  # per measure: the places its mean and limits are said to
    conflict: str

    def _judged_at(self, rows: np.ndarray | None) -> tuple[np.ndarray, np.ndarray | None]:
        """Which of ``rows`` (all when ``None``) are judged, and their places among the judged
        points (``None``: all of them, in order)."""
        if rows is None:
            return self.judged, None
        inside = self.judged[rows]
        return inside, self._places[rows[inside]]

    @cached_property
    def _places(self) -> np.ndarray:
        """Each row's place among the judged points (where it is one)."""
        places: np.ndarray = np.cumsum(self.judged, dtype=np.int32 if len(self.judged) < 2**31
                                       else np.intp)
        places -= 1
        return places

    @cached_property
    def _judged_rows(self) -> np.ndarray:
        return np.flatnonzero(self.judged)

    def _spread(self, judged_values: Any, rows: np.ndarray | None, fill: Any,
                dtype: Any) -> np.ndarray:
        """A per-judged-point column at ``rows``, ``fill`` where a row is not judged;
        ``judged_values`` is the array, or a function of the judged places (``None``: all)."""
        inside, places = self._judged_at(rows)
        found = (judged_values(places) if callable(judged_values)
                 else judged_values if places is None else judged_values[places])
        full = np.full(len(inside), fill, dtype=dtype)
        full[inside] = found
        return full

    def _word_codes(self, rows: np.ndarray | None) -> np.ndarray:
        inside, places = self._judged_at(rows)
        judged_rows = self._judged_rows if rows is None else rows[inside]
        jsign, side = self.sign[judged_rows], (self.side if places is None
                                               else self.side[places])
        improving = side * jsign
        words = np.select([~self.limited[self.group[judged_rows]], (jsign == 0) & (side > 0),
                           (jsign == 0) & (side < 0), improving > 0, improving < 0],
                          [5, 3, 4, 1, 2], 0).astype(np.int8)
        every = slice(None) if rows is None else rows
        codes = np.full(len(inside), -1, dtype=np.int8)
        codes[self.ghost[every] & ~np.isnan(self.charted[every])] = 6
        codes[inside] = words
        return codes

    def _assured(self, rows: np.ndarray | None) -> np.ndarray:
        every = slice(None) if rows is None else rows
        group, sign, t = self.group[every], self.sign[every], self._target(rows)
        g_upper, g_lower = self.upper[group], self.lower[group]
        has_point = ~np.isnan(self.charted[every])
        # ``<= 0`` is "not above" for a number (a missing target is caught before these).
        to_lower, to_upper = t - g_lower, t - g_upper
        passing = (((sign > 0) & ~_above(to_lower) & ~np.isnan(to_lower))
                   | ((sign < 0) & ~_below(to_upper) & ~np.isnan(to_upper)))
        failing = (((sign > 0) & ~_below(to_upper) & ~np.isnan(to_upper))
                   | ((sign < 0) & ~_above(to_lower) & ~np.isnan(to_lower)))
        return np.select([~has_point, ~self.limited[group], sign == 0, np.isnan(t), passing,
                          failing], [-1, 5, 4, 3, 0, 2], 1).astype(np.int8)

    def _period_text(self, rows: np.ndarray | None) -> np.ndarray:
        if self.period_text is not None:
            return self.period_text if rows is None else self.period_text[rows]
        return _period_numbers(self.order if rows is None else self.order[rows])

    def at(self, name: str, rows: np.ndarray) -> np.ndarray:
        """The column ``name`` of :meth:`frame` at ``rows``, as an array (as
        ``frame()[name].to_numpy()[rows]``, a categorical as its words, missing as NaN)."""
        if name in _PER_SEGMENT:
            return getattr(self, _PER_SEGMENT[name])[self.group[rows]]
        if name in _PER_ROW:
            return getattr(self, _PER_ROW[name])[rows]
        if name == "segment":
            return self._segment(rows)
        if name == "target":
            return self._target(rows)
        if name in ("measure_points", "minimum_points", "minimum_segment_points"):
            return getattr(self, name)[self.key[rows]]
        if name == "statistic_decimals":
            return self.decimals[self.key[rows]]
        if name in _JUDGED:
            return self._judged_column(name, rows)
        if name == "code":
            return self.uniques[self.key[rows]]
        if name == "period_text":
            return self._period_text(rows)
        if name in ("variation", "assurance", "rule"):
            codes = (self._word_codes(rows) if name == "variation" else self._assured(rows)
                     if name == "assurance" else self._spread(self.rules.rule, rows, 0, np.int8))
            words = {"variation": _VARIATION_WORDS, "assurance": ASSURANCES,
                     "rule": ("", *RULES)}[name]
            return np.append(np.asarray(words, dtype=object), np.nan)[codes]
        if name == "period" and (self.period.dtype.kind in "biu"
                                 or self.period.dtype in (np.float32, np.float64)):
            return self.period[rows]  # numbers: the frame keeps them as they are
        # The few columns a frame may read as another type (text): as the frame has it.
        column = pd.DataFrame({name: self._frame_columns(name)}, copy=False)[name]
        return column.to_numpy()[rows]

    def _judged_column(self, name: str, rows: np.ndarray | None) -> np.ndarray:
        fill, dtype = _JUDGED[name]
        r = self.rules
        source: Any = {"beyond": r.beyond, "run": r.run, "rising": r.rising,
                       "falling": r.falling, "two_of_three": r.two_of_three,
                       "special": self.side, "moving_range": self.moving_range,
                       "screened": self.screened, "conflict": self._conflict,
                       "run_points": r.run_points, "trend_points": r.trend_points,
                       "near_points": r.near_points}[name]
        return self._spread(source, rows, fill, dtype)

    def latest_rows(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per measure: its latest judged row, its last row and its last ghosted row with a
        point (-1: none). The rows are in measure order, so each is found from counts up to
        the measure's last row, without an array of every row's position."""
        n, m = len(self.key), len(self.uniques)
        last = np.full(m, -1, dtype=np.int64)
        if not n:
            return last, last.copy(), last.copy()
        last[self.key[self.ends]] = self.ends

        starts = np.r_[0, last[:-1] + 1]  # each measure's first row (measures in key order)

        def latest_of(places: np.ndarray) -> np.ndarray:
            # ``places[r]``: how many flagged rows up to r, less one; so the latest flagged
            # row up to a measure's end is where that count is first reached.
            at_end = places[last]
            before = np.where(starts > 0, places[np.maximum(starts - 1, 0)], -1)
            found = np.searchsorted(places, at_end, side="left")
            return np.where(at_end > before, found, -1).astype(np.int64)

        latest = latest_of(self._places)
        ghosted = self.ghost & ~np.isnan(self.charted)
        if ghosted.any():
            ghost_places = np.cumsum(ghosted, dtype=np.intp)
            ghost_places -= 1
            last_ghost = latest_of(ghost_places)
        else:
            last_ghost = np.full(m, -1, dtype=np.int64)
        return latest, last, last_ghost

    def reasons_at(self, rows: np.ndarray) -> np.ndarray:
        """The ghost reasons at ``rows`` (``None`` where a point is not ghosted)."""
        if self.ghost_reason is None:
            return np.full(len(rows), None, dtype=object)
        return self.ghost_reason[rows]

    def _target(self, rows: np.ndarray | None) -> np.ndarray:
        every = slice(None) if rows is None else rows
        if self.target is not None:
            return self.target[every]
        return self.measure_target[self.key[every]]

    def _segment(self, rows: np.ndarray | None) -> np.ndarray:
        """Each row's segment within its measure (0 before any rebase)."""
        every = slice(None) if rows is None else rows
        # A measure's rows come together: its first segment is the one of its first row.
        firsts = np.r_[0, self.ends[:-1] + 1] if len(self.ends) else self.ends
        first_group = np.zeros(len(self.uniques), dtype=np.int64)
        first_group[self.key[firsts]] = self.group[firsts]
        return self.group[every] - first_group[self.key[every]]

    @cached_property
    def ends(self) -> np.ndarray:
        """Each measure's last row (in the rows' order, which is the measures')."""
        if not len(self.key):
            return np.zeros(0, dtype=np.int64)
        end = np.ones(len(self.key), dtype=bool)
        end[:-1] = self.key[1:] != self.key[:-1]
        return np.flatnonzero(end)

    def _conflict(self, places: np.ndarray | None) -> np.ndarray:
        r = self.rules
        return r.high & r.low if places is None else r.high[places] & r.low[places]

    def _frame_columns(self, name: str) -> Any:
        if name == "period":
            return self.period
        if name in ("ghost", "rebase"):
            flags, reasons = ((self.ghost, self.ghost_reason) if name == "ghost"
                              else (self.rebase, self.rebase_reason))
            # No reason given anywhere: a column of blanks (object) without pandas looking at
            # every cell to see whether it is text; else as pandas makes it.
            if reasons is None:
                return _text(np.full(len(self.key), None, dtype=object))
            return reasons if flags.any() else _text(reasons)
        raise KeyError(name)

    def frame(self) -> pd.DataFrame:
        """The chart as :func:`xmr` gives it: one row per measure and period."""
        every = None
        out = pd.DataFrame({
            "code": _text(self.uniques[self.key]),
            "period": _own(self.period),
            "period_text": _text(self._period_text(every)),
            "order": _own(self.order),
            "value": self.x,
            "charted": self.charted,
            "cumulative": self.cumulative,
            "target": self._target(every),
            "ghost": self._frame_columns("ghost"),
            "rebase": self._frame_columns("rebase"),
            "segment": self._segment(every),
            "points": self.counts[self.group],
            "measure_points": self.measure_points[self.key],
            "mean": self.mean[self.group],
            "lower": self.lower[self.group],
            "upper": self.upper[self.group],
            "lower_2sigma": self.lower_near[self.group],
            "upper_2sigma": self.upper_near[self.group],
            "moving_range": self._judged_column("moving_range", every),
            "screened": self._judged_column("screened", every),
            "limited": self.limited[self.group],
            **{name: self._judged_column(name, every)
               for name in ("beyond", "run", "rising", "falling", "two_of_three", "special",
                            "conflict")},
            "rule": pd.Categorical.from_codes(self._spread(self.rules.rule, every, 0, np.int8),
                                              ("", *RULES), validate=False),
            **{name: self._judged_column(name, every)
               for name in ("run_points", "trend_points", "near_points")},
            "polarity_sign": self.sign,
            "minimum_points": self.minimum_points[self.key],
            "minimum_segment_points": self.minimum_segment_points[self.key],
            "statistic_decimals": self.decimals[self.key],
            "variation": pd.Categorical.from_codes(self._word_codes(every), _VARIATION_WORDS,
                                                   validate=False),
            "assurance": pd.Categorical.from_codes(self._assured(every), ASSURANCES,
                                                   validate=False),
        }, copy=False)
        out.attrs["conflict"] = self.conflict
        return out


#: The columns of :func:`xmr` that are one value per judged point: their fill and type.
_JUDGED: dict[str, tuple[Any, Any]] = {
    "moving_range": (np.nan, float), "screened": (False, bool), "beyond": (0, np.int8),
    "run": (0, np.int8), "rising": (False, bool), "falling": (False, bool),
    "two_of_three": (0, np.int8), "special": (0, np.int8), "conflict": (False, bool),
    "run_points": (0, np.int64), "trend_points": (0, np.int64), "near_points": (0, np.int64)}


def _own(values: np.ndarray) -> np.ndarray:
    """``values`` if it is an array of its own, else a copy: the frame's columns never share
    memory with the caller's frame (rows that came in order are not copied on the way)."""
    return values if values.flags.owndata else values.copy()


def _text(values: np.ndarray) -> pd.Series:
    # Kept as object: pandas 3 would infer ``str`` for each text cell (a tenth of the
    # frame's cost at 60,000 rows), and every reader takes them as Python text anyway.
    return pd.Series(values, dtype=object, copy=False)


class _Rules:
    """The four rules over the judged points of every measure at once (sorted by measure and
    period). Runs, trends and two-of-three go across a rebase (as in MDC's Excel tool), each
    point against its own segment's lines; a point of a segment without limits is not judged
    and breaks them. What only the sentences need (how many points, which rule decided) is
    worked out for the points asked about (``places``; ``None``: every point)."""

    def __init__(self, x: np.ndarray, g: np.ndarray, measure: np.ndarray, mean: np.ndarray,
                 upper: np.ndarray, lower: np.ndarray, upper_near: np.ndarray,
                 lower_near: np.ndarray, limited: np.ndarray, run_length: np.ndarray,
                 trend_length: np.ndarray) -> None:
        # ``run_length`` and ``trend_length`` are per measure. One buffer holds each
        # difference in turn (on this kind of machine fresh memory for every temporary array
        # cost as much as the arithmetic), computed as ``_above`` and ``_sign`` do.
        n = self.n = len(x)
        valid = limited[g] if n else np.zeros(0, dtype=bool)
        breaks = np.ones(n, dtype=bool)  # a chain of points judged together starts here
        if n > 1:
            breaks[1:] = (measure[1:] != measure[:-1]) | ~valid[1:] | ~valid[:-1]
        work = np.empty(n)

        def scaled_from(lines: np.ndarray) -> np.ndarray:
            """``(x - lines[g]) * 1e9`` in ``work``."""
            np.take(lines, g, out=work, mode="clip")  # g is in range: no clipping happens
            np.subtract(x, work, out=work)
            with np.errstate(over="ignore", invalid="ignore"):
                np.multiply(work, 1e9, out=work)
            return work

        def signs(scaled: np.ndarray) -> np.ndarray:
            return (scaled > 0.5).view(np.int8) - (scaled < -0.5).view(np.int8)

        side = signs(scaled_from(mean))
        side[~valid] = 0
        above = valid & (scaled_from(upper) > 0.5)
        below = valid & (scaled_from(lower) < -0.5)
        self.beyond = above.view(np.int8) - below.view(np.int8)

        # Run: the maximal stretch of one side, flagged whole when long enough (a stretch is
        # within one measure, so its length is the measure's).
        run_start = breaks.copy()
        run_start[1:] |= side[1:] != side[:-1]
        self.run_first, long_run = _stretches(run_start, measure, run_length)
        self.run = np.where((side != 0) & long_run, side, 0).astype(np.int8)

        # Trend: steps in one direction; n points make n - 1 steps.
        step = np.zeros(n, dtype=np.int8)
        if n > 1:
            np.subtract(x[1:], x[:-1], out=work[1:])
            with np.errstate(over="ignore", invalid="ignore"):
                np.multiply(work[1:], 1e9, out=work[1:])
            step[1:] = signs(work[1:])
        step[breaks] = 0
        self.step = step
        step_start = breaks.copy()
        step_start[1:] |= step[1:] != step[:-1]
        self.step_first, long_trend = _stretches(step_start, measure, trend_length - 1)
        in_trend = (step != 0) & long_trend
        up, down = in_trend & (step > 0), in_trend & (step < 0)
        rising, falling = up.copy(), down.copy()
        if n > 1:  # the point a trend starts from is part of it
            rising[:-1] |= up[1:]
            falling[:-1] |= down[1:]
        self.rising, self.falling = rising, falling

        # Two of three: beyond a 2-sigma line (not beyond the limit), 3 in a row on one side.
        inside = valid & ~above & ~below
        near_above = inside & (scaled_from(upper_near) > 0.5)
        near = near_above.view(np.int8) - (inside & ~near_above
                                           & (scaled_from(lower_near) < -0.5)).view(np.int8)
        window = np.zeros(n, dtype=bool)  # the three points ending here qualify
        self.trio = np.zeros(0, dtype=np.int8)  # points beyond the 2-sigma line, per trio
        if n > 2:
            joined = ~breaks[2:] & ~breaks[1:-1]
            same = (side[2:] != 0) & (side[2:] == side[1:-1]) & (side[1:-1] == side[:-2])
            count = (((near[2:] == side[2:]) & (near[2:] != 0)).view(np.int8)
                     + ((near[1:-1] == side[2:]) & (near[1:-1] != 0)).view(np.int8)
                     + ((near[:-2] == side[2:]) & (near[:-2] != 0)).view(np.int8))
            window[2:] = joined & same & (count >= 2)
            self.trio = np.where(joined & same, count, 0).astype(np.int8)
        covered = window.copy()
        if n > 1:
            covered[:-1] |= window[1:]
        if n > 2:
            covered[:-2] |= window[2:]
        self.two_of_three = np.where(covered & (near != 0), near, 0).astype(np.int8)

        self.high = (self.beyond > 0) | rising | (self.run > 0) | (self.two_of_three > 0)
        self.low = (self.beyond < 0) | falling | (self.run < 0) | (self.two_of_three < 0)

    def run_points(self, places: np.ndarray | None) -> np.ndarray:
        """How many points the run at each point has reached (1 where it starts)."""
        at = np.arange(self.n) if places is None else places
        return at - self.run_first[_stretch_of(self.run_first, places, self.n)] + 1

    def trend_points(self, places: np.ndarray | None) -> np.ndarray:
        """How many points the trend ending at each point has (1 where there is no step)."""
        at = np.arange(self.n) if places is None else places
        return np.where(self.step[at] != 0,
                        at - self.step_first[_stretch_of(self.step_first, places, self.n)] + 2,
                        1)

    def near_points(self, places: np.ndarray | None) -> np.ndarray:
        """How many of the three points ending at each point are beyond the 2-sigma line
        (0 unless all three are on one side and judged together)."""
        at = np.arange(self.n) if places is None else places
        found = np.zeros(len(at), dtype=np.int64)
        late = at >= 2
        found[late] = self.trio[at[late] - 2]
        return found

    def _ordered(self, places: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """The side of the first rule (in :data:`RULES`' order) that fires at each point, and
        1 + that rule's place (0: none)."""
        every: Any = slice(None) if places is None else places
        rising, falling = self.rising[every], self.falling[every]
        # The trend a point starts wins over the one it ends, where it is both (a peak).
        following = np.concatenate([self.step[1:], [0]]) if self.n else self.step
        trend_side = np.where(rising & falling, following[every],
                              rising.astype(np.int8) - falling.astype(np.int8)).astype(np.int8)
        ordered = (self.beyond[every], trend_side, self.run[every], self.two_of_three[every])
        by_order = np.zeros(len(trend_side), dtype=np.int8)
        rule = np.zeros(len(trend_side), dtype=np.int8)  # 1 + the rule's place in RULES
        for place in range(len(RULES) - 1, -1, -1):
            found = ordered[place]
            by_order = np.where(found != 0, found, by_order).astype(np.int8)
            rule = np.where(found != 0, place + 1, rule).astype(np.int8)
        return by_order, rule

    def by_order(self, places: np.ndarray | None) -> np.ndarray:
        return self._ordered(places)[0]

    def rule(self, places: np.ndarray | None) -> np.ndarray:
        return self._ordered(places)[1]


def _stretches(start: np.ndarray, measure: np.ndarray, least: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
    """For stretches of points (each begins where ``start`` is set, within one measure): each
    stretch's first point, and whether each point's stretch has at least ``least`` (per
    measure) points."""
    first = np.flatnonzero(start)
    size = np.diff(first, append=len(start))
    if len(least) and (least == least[0]).all():  # one setting for all: no look-up
        enough = size >= least[0]
    else:
        enough = size >= least[measure[first]]
    return first, np.repeat(enough, size)


def _stretch_of(first: np.ndarray, at: np.ndarray | None, n: int) -> np.ndarray:
    """The stretch (see :func:`_stretches`) of each point ``at`` (``None``: of all ``n``)."""
    if at is None:  # every point: each stretch's number repeated over it
        return np.repeat(np.arange(len(first)), np.diff(first, append=n))
    return np.searchsorted(first, at, side="right") - 1


def _resolve(rules: _Rules, sign: np.ndarray, conflict: str) -> np.ndarray:
    """+1 (high), -1 (low) or 0 for each point: one side when only one fires, else by the
    conflict setting (a data-only measure has no improvement side, so rule order)."""
    high, low = rules.high, rules.low
    side = high.astype(np.int8) - low.astype(np.int8)
    both = np.flatnonzero(high & low)
    if len(both):
        chosen = rules.by_order(both)
        if conflict == IMPROVEMENT_FIRST:
            chosen = np.where(sign[both] != 0, sign[both], chosen)
        elif conflict == CONCERN_FIRST:
            chosen = np.where(sign[both] != 0, -sign[both], chosen)
        side[both] = chosen
    return side
