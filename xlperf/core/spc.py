"""Statistical process control: is a measure's latest point signal or noise? (NHS *Making Data
Count*, MDC).

An XmR chart per measure: the centre line is the mean, the moving range ``mR`` is the distance
between one point and the one before, and the process limits are ``mean ± 2.66 × mean(mR)``;
the 2-sigma lines are ``mean ± (2/3) × 2.66 × mean(mR)``. Four special-cause rules mark points:

* **beyond a limit**: a point above the upper or below the lower process limit;
* **run** (MDC's "shift"): ``run_length`` (6-8, default 7) or more points in a row on one side of
  the mean (a point on the mean breaks the run);
* **trend**: ``trend_length`` (6-8, default 7) or more points in a row each higher (or each
  lower) than the one before (an equal pair breaks it; a trend can cross the mean);
* **two of three**: 2 or 3 of 3 points in a row beyond the same 2-sigma line, all 3 on that side
  of the mean (a point beyond the process limit does not count here: it is marked by the first
  rule, as in MDC's Excel tool and NHSRplotthedots).

The **variation** of a measure is read from its latest point and its polarity: common cause,
special cause of improvement or of concern (data-only measures: special cause high or low). The
**assurance** compares the period's target with the latest segment's limits: bigger is better and
a target at or below the lower limit is consistently passing, at or above the upper limit
consistently failing, otherwise hit and miss (mirrored for smaller is better).

Fewer than ``minimum_points`` (default 15) points is "not enough data for SPC": no limits are
invented. A measure can be **rebased** at a period (limits per segment, each needing
``minimum_segment_points``, default 12) and a point can be **ghosted** (drawn, but left out of
the limits and the rules, with a reason). A cumulative (year-to-date) measure is charted on its
per-period increments. Missing values are skipped, so the moving range joins the points either
side (MDC: "empty dates are skipped").

Everything is vectorised over the long frame (numpy over all measures at once, no loop per
measure); :func:`xmr` gives every measure-period, :func:`summarise` the latest per measure with a
sentence for each icon, :func:`variation` and :func:`assurance` one series' words.

>>> history = [20, 24, 20, 26, 22, 16, 18, 16, 31, 28, 34, 26, 30, 19, 18]
>>> variation(history, "Bigger is better")
'Common cause'
>>> assurance(history, 40, "Bigger is better")
'Consistently failing'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np
import pandas as pd

from xlperf.core._arrays import format_numbers
from xlperf.core.columns import normalise_columns
from xlperf.core.polarity import polarity_signs
from xlperf.core.schemes import _tidy
from xlperf.core.status import _numbers
from xlperf.errors import InputError

__all__ = [
    "ASSURANCES",
    "SpcSettings",
    "VARIATIONS",
    "against_history",
    "assurance",
    "explain_assurance",
    "explain_variation",
    "icon",
    "parse_setting",
    "settings_from",
    "spc",
    "summarise",
    "variation",
    "xmr",
]

#: 3 / d2 for moving ranges of two points (d2 = 1.128), as MDC writes it.
LIMIT_FACTOR = 2.66
#: The 2-sigma lines: two thirds of the way from the mean to the process limits.
NEAR_FACTOR = LIMIT_FACTOR * 2 / 3
#: The upper range limit of a moving-range chart (D4 for ranges of two points).
SCREEN_FACTOR = 3.267

COMMON_CAUSE = "Common cause"
IMPROVEMENT = "Special cause of improvement"
CONCERN = "Special cause of concern"
HIGH = "Special cause high"
LOW = "Special cause low"
NOT_ENOUGH_DATA = "Not enough data"
GHOSTED = "Ghosted"
VARIATIONS = (COMMON_CAUSE, IMPROVEMENT, CONCERN, HIGH, LOW, NOT_ENOUGH_DATA)
_VARIATION_WORDS = (*VARIATIONS, GHOSTED)

PASSING = "Consistently passing"
FAILING = "Consistently failing"
HIT_AND_MISS = "Hit and miss"
NO_TARGET = "No target"
DATA_ONLY = "Data only"
ASSURANCES = (PASSING, HIT_AND_MISS, FAILING, NO_TARGET, DATA_ONLY, NOT_ENOUGH_DATA)

#: MDC's colours (Excel tool, v5): shown with the words, never alone.
COLOURS = {COMMON_CAUSE: "#A6A6A6", IMPROVEMENT: "#00B0F0", CONCERN: "#E46C0A",
           HIGH: "#490092", LOW: "#490092", PASSING: "#00B0F0", FAILING: "#E46C0A",
           HIT_AND_MISS: "#A6A6A6"}

#: A symbol for each word, so an icon never rests on its colour (MDC's icons are pictures): the
#: side of a special cause (H above, L below) and the assurance's pass, fail or either.
SYMBOLS = {COMMON_CAUSE: "●", NOT_ENOUGH_DATA: "…", GHOSTED: "○", PASSING: "✓",
           FAILING: "✗", HIT_AND_MISS: "↕", NO_TARGET: "–", DATA_ONLY: "–"}


def icon(word: Any, side: Any = "") -> tuple[str, str | None]:
    """The symbol and MDC colour of a variation or assurance word (``side``: ``high`` or
    ``low``, a special cause's side); no colour for the words MDC gives none.

    >>> icon(CONCERN, "high"), icon(HIT_AND_MISS)
    (('▲', '#E46C0A'), ('↕', '#A6A6A6'))
    """
    text = "" if word is None or word != word else str(word)
    if text in (IMPROVEMENT, CONCERN, HIGH, LOW):
        symbol = "▲" if side == "high" or text == HIGH else "▼" if side == "low" or (
            text == LOW) else "◆"
    else:
        symbol = SYMBOLS.get(text, "")
    return symbol, COLOURS.get(text)


#: How a point is judged when rules on both sides fire at it (only a trend can cross the mean).
RULE_ORDER = "rule order"
IMPROVEMENT_FIRST = "improvement"
CONCERN_FIRST = "concern"
CONFLICTS = (RULE_ORDER, IMPROVEMENT_FIRST, CONCERN_FIRST)
#: MDC's SQL tool's order: the first rule that fires at the point decides.
RULES = ("beyond a limit", "trend", "run", "two of three")


@dataclass(frozen=True)
class SpcSettings:
    """The settings of the XmR chart and its rules (each can also be a column per measure).

    ``screen_moving_ranges`` is off by default, as in MDC's Excel tool: NHSRplotthedots screens
    by default (Nelson 1982), which narrows the limits and raises more signals.
    ``conflict`` is ``"rule order"`` (MDC's SQL tool: beyond a limit, trend, run, two of three;
    the first that fires decides), ``"improvement"`` (MDC's Excel tool shows improvement) or
    ``"concern"``.

    >>> SpcSettings(run_length=6).run_length
    6
    >>> SpcSettings(trend_length=9)
    Traceback (most recent call last):
    ...
    xlperf.errors.InputError: SPC trend length 9 is not allowed: use 6, 7 or 8 points
    """

    minimum_points: int = 15
    minimum_segment_points: int = 12
    run_length: int = 7
    trend_length: int = 7
    screen_moving_ranges: bool = False
    conflict: str = RULE_ORDER

    def __post_init__(self) -> None:
        for name in ("run_length", "trend_length"):
            _check_length(getattr(self, name), name.replace("_", " "))
        for name in ("minimum_points", "minimum_segment_points"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 2:
                raise InputError(f"SPC {name.replace('_', ' ')} {value!r} is not allowed: "
                                 "use a whole number of at least 2")
        conflict = " ".join(str(self.conflict).strip().lower().split())
        if conflict not in CONFLICTS:
            raise InputError(f"SPC conflict rule {self.conflict!r} is not one of: "
                             f"{', '.join(CONFLICTS)}")
        object.__setattr__(self, "conflict", conflict)


#: The master's Settings rows of SPC (keys of :data:`~xlperf.layout.SETTINGS_KNOWN`) and the
#: :class:`SpcSettings` field each sets.
SETTING_KEYS = {"spc_minimum_points": "minimum_points",
                "spc_minimum_segment_points": "minimum_segment_points",
                "spc_run_length": "run_length", "spc_trend_length": "trend_length",
                "spc_screen_moving_ranges": "screen_moving_ranges", "spc_conflict": "conflict"}


def parse_setting(key: str, value: Any) -> Any:
    """One SPC setting as a cell of the Settings sheet gives it, checked as
    :class:`SpcSettings` checks it (``key`` as in :data:`SETTING_KEYS`); raises
    :class:`~xlperf.errors.InputError` for a value that cannot be used.

    >>> parse_setting("spc_run_length", 6.0), parse_setting("spc_screen_moving_ranges", "Yes")
    (6, True)
    >>> parse_setting("spc_trend_length", "nine")
    Traceback (most recent call last):
    ...
    xlperf.errors.InputError: SPC trend length 'nine' is not allowed: use 6, 7 or 8 points
    """
    name = SETTING_KEYS[key]
    if name == "screen_moving_ranges":
        from xlperf.core.measures import parse_flag

        return parse_flag(value)
    if name == "conflict":
        return SpcSettings(conflict=str(value)).conflict
    number = value
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = value
    if isinstance(number, float) and number.is_integer():
        number = int(number)
    return getattr(replace(SpcSettings(), **{name: number if isinstance(number, int)
                                             else value}), name)


def settings_from(settings: Any) -> SpcSettings:
    """The :class:`SpcSettings` of a master's settings (the ``spc_...`` attributes of
    :class:`xlperf.settings.Settings`, or a mapping of those keys; a blank or bad one is the
    default).

    >>> settings_from({"spc_run_length": 8, "spc_conflict": None}).run_length
    8
    """
    chosen: dict[str, Any] = {}
    for key, name in SETTING_KEYS.items():
        value = (settings.get(key) if isinstance(settings, Mapping)
                 else getattr(settings, key, None))
        if value is None or (isinstance(value, float) and value != value) or (
                isinstance(value, str) and not value.strip()):
            continue
        try:
            chosen[name] = parse_setting(key, value)
        except InputError:
            continue  # the master's reader has said so (REG-040); the default stands
    return SpcSettings(**chosen)


def _check_length(value: Any, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or not 6 <= value <= 8:
        raise InputError(f"SPC {what} {value!r} is not allowed: use 6, 7 or 8 points")


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
            ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None, np.ndarray]:
    """Sort order, financial year, position in the year and printable text of each period.

    Numbers are an order as given (``year``, if any, is the financial year); anything else is
    read as a period (``Q1 2013/14``, a :class:`~xlperf.core.periods.Period`), parsed once per
    distinct value."""
    if period.dtype.kind in "fiu":
        order = period.to_numpy(dtype=float)
        codes, distinct = pd.factorize(order)
        text = ("period " + format_numbers(np.asarray(distinct, dtype=float)))[codes]
        if year is None:
            return order, None, None, text
        years = pd.factorize(year, use_na_sentinel=False)[0].astype(np.int64)
        # The first order of each year in the frame is its first period.
        first = pd.Series(order).groupby(years).transform("min").to_numpy()
        return order, years, (order - first + 1).astype(np.int64), text
    from xlperf.core.periods import Period, parse_periods

    codes, uniques = pd.factorize(period, use_na_sentinel=False)
    parsed = [u if isinstance(u, Period) else None for u in uniques]
    todo = [i for i, p in enumerate(parsed) if p is None]
    if todo:
        found = parse_periods(pd.Series([uniques[i] for i in todo], dtype=object)).tolist()
        for i, p in zip(todo, found, strict=True):
            parsed[i] = p
    ranks = {key: r for r, key in enumerate(sorted({p._sort_key() for p in parsed}))}
    order = np.array([ranks[p._sort_key()] for p in parsed], dtype=float)[codes]
    years = np.array([p.year for p in parsed], dtype=np.int64)[codes]
    position = np.array([p.index for p in parsed], dtype=np.int64)[codes]
    text = np.array([p.format() for p in parsed], dtype=object)[codes]
    return order, years, position, text


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
    return (np.asarray(head_codes)[np.cumsum(starts) - 1],
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
        table = table.drop_duplicates("code", keep="last")
        where = pd.Index(table["code"].astype(str).str.strip()).get_indexer(uniques)
    first = np.unique(code_ids, return_index=True)[1]  # each measure's first row
    for name in ("polarity", "target", "cumulative", *(f.name for f in fields(SpcSettings)
                                                       if f.name != "conflict")):
        column = None
        if table is not None and name in table.columns:
            source = table[name].to_numpy(dtype=object)
            column = np.where(where >= 0, source[np.maximum(where, 0)], None)
        elif name in values.columns and name != "target":
            column = values[name].to_numpy(dtype=object)[first]
        found[name] = column if column is not None else np.full(m, None, dtype=object)
    if (pd.isna(pd.Series(found["polarity"], dtype=object))).any():
        missing = uniques[pd.isna(pd.Series(found["polarity"], dtype=object)).to_numpy()][0]
        raise InputError(f"measure {missing!r} has no polarity: SPC needs to know which way is "
                         "better (Bigger is better, Smaller is better or Data only)")
    out: dict[str, np.ndarray] = {"sign": polarity_signs(found["polarity"]).astype(np.int8)}
    out["target"] = _floats(found["target"])
    from xlperf.core.measures import parse_flag

    def flags(column: np.ndarray, default: bool) -> np.ndarray:
        codes, distinct = pd.factorize(pd.Series(column, dtype=object), use_na_sentinel=True)
        read = np.array([parse_flag(v) for v in distinct] + [default], dtype=bool)
        return read[codes]  # each distinct word read once; blank is the default

    out["cumulative"] = flags(found["cumulative"], False)
    out["screen_moving_ranges"] = flags(found["screen_moving_ranges"],
                                        settings.screen_moving_ranges)
    for name in ("minimum_points", "minimum_segment_points", "run_length", "trend_length"):
        column = found[name]
        numbers = np.full(m, getattr(settings, name), dtype=np.int64)
        given = ~pd.isna(pd.Series(column, dtype=object)).to_numpy()
        for value in pd.unique(column[given]):  # each distinct setting checked once
            try:
                number = float(value)
            except (TypeError, ValueError):
                number = float("nan")
            if number != number or number != int(number):
                raise InputError(f"SPC {name.replace('_', ' ')} {value!r} is not a whole number")
            replace(settings, **{name: int(number)})  # the same checks as the global setting
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
    need (``run_points``, ``trend_points``, ``near_points``, ``rule``, ``conflict``).

    >>> chart = xmr(pd.DataFrame({"code": "A", "period": range(15), "value":
    ...     [20, 24, 20, 26, 22, 16, 18, 16, 31, 28, 34, 26, 30, 19, 18],
    ...     "polarity": "High"}))
    >>> chart[["mean", "lower", "upper"]].iloc[0].round(2).tolist()
    [23.2, 8.76, 37.64]
    """
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
    code_ids = trimmed[raw_ids]
    uniques = np.asarray(uniques, dtype=object)
    order, years, position, period_text = _orders(frame["period"], frame.get("year"))
    key = code_ids.astype(np.int64)
    # Sort by measure then period; a later row for the same measure and period wins.
    if n_in > 1 and not ((np.diff(key) > 0) | ((np.diff(key) == 0) & (np.diff(order) > 0))).all():
        sort = np.lexsort((np.arange(n_in), order, key))
    else:
        sort = np.arange(n_in)
    key, order = key[sort], order[sort]
    last = np.ones(len(sort), dtype=bool)
    if len(sort) > 1:
        last[:-1] = (key[1:] != key[:-1]) | (order[1:] != order[:-1])
    sort = sort[last]
    key, order = key[last], order[last]
    n = len(sort)

    per = _per_measure(measures, frame, code_ids, uniques, settings)
    sign = per["sign"][key]
    x = _floats(frame["value"].to_numpy()[sort]).astype(float, copy=True)
    if "target" in frame.columns:
        target = _floats(frame["target"].to_numpy()[sort])
        target = np.where(np.isnan(target), per["target"][key], target)
    else:
        target = per["target"][key].astype(float)
    ghost, ghost_reason = _reasons(frame["ghost"] if "ghost" in frame.columns else None, n_in)
    rebase, rebase_reason = _reasons(frame["rebase"] if "rebase" in frame.columns else None,
                                     n_in)
    ghost, ghost_reason = ghost[sort], ghost_reason[sort]
    rebase, rebase_reason = rebase[sort], rebase_reason[sort]
    starts = np.ones(n, dtype=bool)
    starts[1:] = key[1:] != key[:-1]

    charted, charted_target = x, target
    cumulative = per["cumulative"][key]
    if cumulative.any():
        if years is None:
            raise InputError("a cumulative measure needs its periods' financial years: give "
                             "periods such as Q1 2013/14, or a 'year' column beside the order")
        yr, pos = years[sort], position[sort]
        previous_here = np.zeros(n, dtype=bool)
        previous_here[1:] = ~starts[1:] & (yr[1:] == yr[:-1]) & (pos[1:] == pos[:-1] + 1)
        before = np.roll(x, 1)
        before_target = np.roll(target, 1)
        step = np.where(pos == 1, x, np.where(previous_here, x - before, np.nan))
        step_target = np.where(pos == 1, target,
                               np.where(previous_here, target - before_target, np.nan))
        charted = np.where(cumulative, _tidy(step), x)
        charted_target = np.where(cumulative, _tidy(step_target), target)

    # Segments: a new one at each measure's first row and at each rebase.
    segment_start = starts | rebase
    group = np.cumsum(segment_start) - 1
    measure_first_group = group[starts]
    segment = group - measure_first_group[key]
    n_groups = int(group[-1]) + 1 if n else 0

    judged = ~np.isnan(charted) & ~ghost
    jx, jg, jkey = charted[judged], group[judged], key[judged]
    counts = np.bincount(jg, minlength=n_groups)
    mean = np.bincount(jg, weights=jx, minlength=n_groups) / np.maximum(counts, 1)
    mean[counts == 0] = np.nan
    mr = np.full(len(jx), np.nan)
    if len(jx) > 1:
        same = jg[1:] == jg[:-1]
        mr[1:] = np.where(same, np.abs(np.diff(jx)), np.nan)
    has_mr = ~np.isnan(mr)
    mr_counts = np.bincount(jg[has_mr], minlength=n_groups)
    amr = np.bincount(jg[has_mr], weights=mr[has_mr], minlength=n_groups) / np.maximum(
        mr_counts, 1)
    amr[mr_counts == 0] = np.nan
    screened = np.zeros(len(jx), dtype=bool)
    screen = per["screen_moving_ranges"][jkey]
    if screen.any():
        screened = has_mr & screen & (_tidy(mr - SCREEN_FACTOR * amr[jg]) > 0)
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

    rules = _rules(jx, jg, jkey, mean, upper, lower, upper_near, lower_near, limited,
                   per["run_length"][jkey], per["trend_length"][jkey])
    high, low = rules["high"], rules["low"]
    side = _resolve(rules, sign[judged], settings.conflict)

    # Words as categoricals: a code per point, the few words held once.
    jsign = sign[judged]
    improving = side * jsign
    words = np.select([~limited[jg], (jsign == 0) & (side > 0), (jsign == 0) & (side < 0),
                       improving > 0, improving < 0], [5, 3, 4, 1, 2], 0).astype(np.int8)
    word_codes = np.full(n, -1, dtype=np.int8)
    word_codes[ghost & ~np.isnan(charted)] = 6
    word_codes[judged] = words

    g_upper, g_lower = upper[group], lower[group]
    has_point = ~np.isnan(charted)
    t = charted_target
    passing = ((sign > 0) & (_tidy(t - g_lower) <= 0)) | ((sign < 0) & (_tidy(t - g_upper) >= 0))
    failing = ((sign > 0) & (_tidy(t - g_upper) >= 0)) | ((sign < 0) & (_tidy(t - g_lower) <= 0))
    assured = np.select([~has_point, ~limited[group], sign == 0, np.isnan(t), passing, failing],
                        [-1, 5, 4, 3, 0, 2], 1).astype(np.int8)

    def spread_out(values_j: np.ndarray, fill: Any, dtype: Any) -> np.ndarray:
        full = np.full(n, fill, dtype=dtype)
        full[judged] = values_j
        return full

    mr_out = spread_out(mr, np.nan, float)
    out = pd.DataFrame({
        "code": uniques[key],
        "period": frame["period"].to_numpy()[sort],
        "period_text": period_text[sort],
        "order": order,
        "value": x,
        "charted": charted,
        "cumulative": cumulative,
        "target": charted_target,
        "ghost": ghost_reason,
        "rebase": rebase_reason,
        "segment": segment,
        "points": counts[group],
        "measure_points": measure_points[key],
        "mean": mean[group],
        "lower": g_lower,
        "upper": g_upper,
        "lower_2sigma": lower_near[group],
        "upper_2sigma": upper_near[group],
        "moving_range": mr_out,
        "screened": spread_out(screened, False, bool),
        "limited": limited[group],
        "beyond": spread_out(rules["beyond"], 0, np.int8),
        "run": spread_out(rules["run"], 0, np.int8),
        "rising": spread_out(rules["rising"], False, bool),
        "falling": spread_out(rules["falling"], False, bool),
        "two_of_three": spread_out(rules["two_of_three"], 0, np.int8),
        "special": spread_out(side, 0, np.int8),
        "conflict": spread_out(high & low, False, bool),
        "rule": pd.Categorical.from_codes(spread_out(rules["rule"], 0, np.int8), ("", *RULES)),
        "run_points": spread_out(rules["run_points"], 0, np.int64),
        "trend_points": spread_out(rules["trend_points"], 0, np.int64),
        "near_points": spread_out(rules["near_points"], 0, np.int64),
        "polarity_sign": sign,
        "minimum_points": per["minimum_points"][key],
        "minimum_segment_points": per["minimum_segment_points"][key],
        "variation": pd.Categorical.from_codes(word_codes, _VARIATION_WORDS),
        "assurance": pd.Categorical.from_codes(assured, ASSURANCES),
    }, copy=False)
    out.attrs["conflict"] = settings.conflict
    return out


def _rules(x: np.ndarray, g: np.ndarray, measure: np.ndarray, mean: np.ndarray,
           upper: np.ndarray, lower: np.ndarray, upper_near: np.ndarray, lower_near: np.ndarray,
           limited: np.ndarray, run_length: np.ndarray, trend_length: np.ndarray
           ) -> dict[str, np.ndarray]:
    """The four rules over the judged points of every measure at once (sorted by measure and
    period). Runs, trends and two-of-three go across a rebase (as in MDC's Excel tool), each
    point against its own segment's lines; a point of a segment without limits is not judged
    and breaks them."""
    n = len(x)
    valid = limited[g] if n else np.zeros(0, dtype=bool)
    breaks = np.ones(n, dtype=bool)  # a chain of points judged together starts here
    if n > 1:
        breaks[1:] = (measure[1:] != measure[:-1]) | ~valid[1:] | ~valid[:-1]
    m = mean[g]
    side = np.where(valid, np.sign(_tidy(x - m)), 0).astype(np.int8)
    above = valid & (_tidy(x - upper[g]) > 0)
    below = valid & (_tidy(x - lower[g]) < 0)
    beyond = above.astype(np.int8) - below.astype(np.int8)

    # Run: the maximal stretch of one side, flagged whole when long enough.
    run_start = breaks.copy()
    run_start[1:] |= side[1:] != side[:-1]
    run_id = np.cumsum(run_start) - 1
    run_size = np.bincount(run_id)[run_id] if n else np.zeros(0, dtype=np.int64)
    run = np.where((side != 0) & (run_size >= run_length), side, 0).astype(np.int8)
    run_points = (np.arange(n) - np.flatnonzero(run_start)[run_id] + 1) if n else run_size

    # Trend: steps in one direction; n points make n - 1 steps.
    step = np.zeros(n, dtype=np.int8)
    if n > 1:
        step[1:] = np.sign(_tidy(np.diff(x))).astype(np.int8)
    step[breaks] = 0
    step_start = breaks.copy()
    step_start[1:] |= step[1:] != step[:-1]
    step_id = np.cumsum(step_start) - 1
    step_size = np.bincount(step_id)[step_id] if n else np.zeros(0, dtype=np.int64)
    in_trend = (step != 0) & (step_size >= trend_length - 1)
    up, down = in_trend & (step > 0), in_trend & (step < 0)
    rising, falling = up.copy(), down.copy()
    if n > 1:  # the point a trend starts from is part of it
        rising[:-1] |= up[1:]
        falling[:-1] |= down[1:]
    trend_points = np.where(step != 0, np.arange(n) - np.flatnonzero(step_start)[step_id] + 2,
                            1) if n else step_size

    # Two of three: beyond a 2-sigma line (not beyond the limit), 3 in a row on one side.
    near = np.where(valid & ~above & ~below & (_tidy(x - upper_near[g]) > 0), 1,
                    np.where(valid & ~above & ~below & (_tidy(x - lower_near[g]) < 0), -1, 0)
                    ).astype(np.int8)
    window = np.zeros(n, dtype=bool)  # the three points ending here qualify
    near_points = np.zeros(n, dtype=np.int64)
    if n > 2:
        joined = ~breaks[2:] & ~breaks[1:-1]
        same = (side[2:] != 0) & (side[2:] == side[1:-1]) & (side[1:-1] == side[:-2])
        count = ((near[2:] == side[2:]) & (near[2:] != 0)).astype(np.int64) + (
            (near[1:-1] == side[2:]) & (near[1:-1] != 0)) + ((near[:-2] == side[2:])
                                                             & (near[:-2] != 0))
        window[2:] = joined & same & (count >= 2)
        near_points[2:] = np.where(joined & same, count, 0)
    covered = window.copy()
    if n > 1:
        covered[:-1] |= window[1:]
    if n > 2:
        covered[:-2] |= window[2:]
    two_of_three = np.where(covered & (near != 0), near, 0).astype(np.int8)

    high = (beyond > 0) | rising | (run > 0) | (two_of_three > 0)
    low = (beyond < 0) | falling | (run < 0) | (two_of_three < 0)
    # The trend a point starts wins over the one it ends, where it is both (a peak).
    trend_side = np.where(rising & falling,
                          np.concatenate([step[1:], [0]]) if n else step,
                          rising.astype(np.int8) - falling.astype(np.int8)).astype(np.int8)
    ordered = (beyond, trend_side, run, two_of_three)
    by_order = np.zeros(n, dtype=np.int8)
    rule = np.zeros(n, dtype=np.int8)  # 1 + the rule's place in RULES, 0 for none
    for place in range(len(RULES) - 1, -1, -1):
        found = ordered[place]
        by_order = np.where(found != 0, found, by_order).astype(np.int8)
        rule = np.where(found != 0, place + 1, rule).astype(np.int8)
    return {"beyond": beyond, "run": run, "rising": rising, "falling": falling,
            "two_of_three": two_of_three, "high": high, "low": low, "by_order": by_order,
            "rule": rule, "run_points": run_points, "trend_points": trend_points,
            "near_points": near_points}


def _resolve(rules: Mapping[str, np.ndarray], sign: np.ndarray, conflict: str) -> np.ndarray:
    """+1 (high), -1 (low) or 0 for each point: one side when only one fires, else by the
    conflict setting (a data-only measure has no improvement side, so rule order)."""
    high, low = rules["high"], rules["low"]
    side = high.astype(np.int8) - low.astype(np.int8)
    both = high & low
    if both.any():
        chosen = rules["by_order"]
        if conflict == IMPROVEMENT_FIRST:
            chosen = np.where(sign != 0, sign, chosen)
        elif conflict == CONCERN_FIRST:
            chosen = np.where(sign != 0, -sign, chosen)
        side = np.where(both, chosen, side).astype(np.int8)
    return side


# -- the latest point of each measure, with its sentences -------------------------------------

SUMMARY_COLUMNS = ("code", "period", "period_text", "value", "charted", "cumulative",
                   "target", "mean", "lower", "upper", "points", "variation", "side",
                   "variation_explanation", "assurance", "assurance_explanation")


# What a summary row and its sentences are made from.
_SENTENCE_COLUMNS = (*(c for c in SUMMARY_COLUMNS if c not in (
    "side", "variation_explanation", "assurance_explanation")), "segment", "measure_points",
    "minimum_points", "minimum_segment_points", "upper_2sigma", "lower_2sigma", "beyond",
    "run", "two_of_three", "rising", "falling", "special", "conflict", "run_points",
    "trend_points", "near_points", "polarity_sign", "ghost", "rule")


def summarise(chart: pd.DataFrame) -> pd.DataFrame:
    """One row per measure from :func:`xmr`: the latest judged point's variation and the
    assurance against its period's target, each with the sentence that explains it.

    >>> chart = xmr(pd.DataFrame({"code": "A", "period": range(15), "value":
    ...     [20, 24, 20, 26, 22, 16, 18, 16, 31, 28, 34, 26, 30, 19, 18],
    ...     "polarity": "High", "target": 40}))
    >>> summarise(chart)["assurance_explanation"].iloc[0]
    'target 40 is at or above the upper process limit 37.64, bigger is better: consistently failing'
    """
    n = len(chart)
    code_ids, uniques = _factorize(chart["code"].to_numpy(dtype=object))
    judged = chart["charted"].notna().to_numpy() & chart["ghost"].isna().to_numpy()
    positions = np.arange(n)
    latest = np.full(len(uniques), -1, dtype=np.int64)
    np.maximum.at(latest, code_ids[judged], positions[judged])
    any_row = np.full(len(uniques), -1, dtype=np.int64)
    np.maximum.at(any_row, code_ids, positions)
    found = latest >= 0
    take = np.where(found, latest, any_row)
    needed = [chart.columns.get_loc(c) for c in _SENTENCE_COLUMNS if c in chart.columns]
    rows = chart.iloc[take, needed].reset_index(drop=True)  # rows and columns in one take
    for column in ("variation", "assurance", "rule"):  # words as text (a column at a time)
        if column in rows.columns:
            words = rows[column].to_numpy(dtype=object)
            rows[column] = (np.where(found, words, NOT_ENOUGH_DATA) if column != "rule"
                            else words)
    # Ghosted points after the latest judged one are said, not judged.
    ghosted = chart["ghost"].notna().to_numpy() & chart["charted"].notna().to_numpy()
    last_ghost = np.full(len(uniques), -1, dtype=np.int64)
    np.maximum.at(last_ghost, code_ids[ghosted], positions[ghosted])
    later = last_ghost > latest
    out = pd.DataFrame({c: rows[c].to_numpy() for c in SUMMARY_COLUMNS
                        if c in rows.columns and c not in ("side",)})
    special = rows["special"].to_numpy()
    out["side"] = np.where(special > 0, "high", np.where(special < 0, "low", ""))
    cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    out["variation_explanation"] = explain_variation(rows, chart.attrs.get(
        "conflict", RULE_ORDER), cache)
    out["assurance_explanation"] = explain_assurance(rows, cache)
    if later.any():
        ghost_rows = chart.iloc[np.maximum(last_ghost, 0)]
        note = ("; " + ghost_rows["period_text"].astype(str).to_numpy() + " is ghosted ("
                + ghost_rows["ghost"].fillna("").astype(str).replace("", "no reason given")
                .to_numpy() + ") and not judged")
        out.loc[later, "variation_explanation"] = (
            out.loc[later, "variation_explanation"].to_numpy() + note[later])
    return out[list(SUMMARY_COLUMNS)]


def _texts(rows: pd.DataFrame, column: str, need: np.ndarray,
           cache: dict[str, tuple[np.ndarray, np.ndarray]] | None = None) -> np.ndarray:
    """A column's numbers as text where a sentence needs them, else empty. Formatting is the
    dearest part of a sentence, so each number is formatted once (``cache`` is shared by the
    sentences of one summary)."""
    cache = {} if cache is None else cache
    if column not in cache:
        cache[column] = (np.zeros(len(rows), dtype=bool), np.full(len(rows), "", dtype=object))
    known, text = cache[column]
    todo = need & ~known
    if todo.any():
        text[todo] = format_numbers(rows[column].to_numpy(float)[todo])
        known |= todo
    return np.where(need, text, "").astype(object)


def _lower_first(words: np.ndarray) -> np.ndarray:
    codes, distinct = pd.factorize(pd.Series(words, dtype=object), use_na_sentinel=True)
    said = np.array([w[:1].lower() + w[1:] if isinstance(w, str) else "" for w in distinct]
                    + [""], dtype=object)  # a few words, each once
    return said[codes]


def _not_enough(rows: pd.DataFrame,
                cache: dict[str, Any] | None = None) -> np.ndarray:
    if cache is not None and "not enough" in cache:  # the same rows' sentence, said twice
        return cache["not enough"]
    said = np.full(len(rows), "", dtype=object)
    need = np.ones(len(rows), dtype=bool)
    if cache is not None:  # a summary's rows: only those without limits are said
        need = ((rows["variation"].to_numpy(dtype=object) == NOT_ENOUGH_DATA)
                | (rows["assurance"].to_numpy(dtype=object) == NOT_ENOUGH_DATA))
    if need.any():
        said[need] = _not_enough_text(rows[need] if not need.all() else rows)
    if cache is not None:
        cache["not enough"] = said
    return said


def _not_enough_text(rows: pd.DataFrame) -> np.ndarray:
    points = rows["points"].to_numpy()
    segment = rows["segment"].to_numpy()
    total = rows["measure_points"].to_numpy()
    least = rows["minimum_points"].to_numpy()
    least_segment = rows["minimum_segment_points"].to_numpy()
    short_measure = total < least
    since = np.where(segment > 0, " since the rebase", "")
    counted = np.where(short_measure, total, points)
    needed = np.where(short_measure, least, least_segment)
    text = ("not enough data for SPC" + np.where(short_measure, "", since) + ": "
            + counted.astype(str) + np.where(counted == 1, " point", " points")
            + ", at least " + needed.astype(str) + " needed")
    return text.astype(object)


def explain_variation(rows: pd.DataFrame, conflict: str = RULE_ORDER,
                      cache: dict[str, tuple[np.ndarray, np.ndarray]] | None = None
                      ) -> pd.Series:
    """One sentence per row of :func:`xmr` (usually a measure's latest point) saying how its
    variation was reached, e.g. ``3 of the last 3 points above the 2-sigma band (32.8):
    special cause of improvement``."""
    cache = {} if cache is None else cache
    beyond, run, two = (rows[c].to_numpy() for c in ("beyond", "run", "two_of_three"))
    word = rows["variation"].to_numpy(dtype=object)
    common = word == COMMON_CAUSE
    value = _texts(rows, "charted", word != NOT_ENOUGH_DATA, cache)
    mean = _texts(rows, "mean", run != 0, cache)
    upper = _texts(rows, "upper", common | (beyond > 0), cache)
    lower = _texts(rows, "lower", common | (beyond < 0), cache)
    upper_near = _texts(rows, "upper_2sigma", two > 0, cache)
    lower_near = _texts(rows, "lower_2sigma", two < 0, cache)
    rising, falling = rows["rising"].to_numpy(bool), rows["falling"].to_numpy(bool)
    run_points = rows["run_points"].astype(str).to_numpy()
    trend_points = rows["trend_points"].astype(str).to_numpy()
    near_points = rows["near_points"].astype(str).to_numpy()
    parts = [
        np.where(beyond > 0, value + " is above the upper process limit " + upper,
                 np.where(beyond < 0, value + " is below the lower process limit " + lower, "")),
        np.where(rising, trend_points + " points in a row rising",
                 np.where(falling, trend_points + " points in a row falling", "")),
        np.where(run > 0, run_points + " points in a row above the mean " + mean,
                 np.where(run < 0, run_points + " points in a row below the mean " + mean, "")),
        np.where(two > 0, near_points + " of the last 3 points above the 2-sigma band ("
                 + upper_near + ")",
                 np.where(two < 0, near_points + " of the last 3 points below the 2-sigma band ("
                          + lower_near + ")", "")),
    ]
    said = parts[0].astype(object)
    for part in parts[1:]:
        said = np.where(said == "", part, np.where(part == "", said, said + "; " + part))
    within = (value + " is within the process limits " + lower + " to " + upper
              + " and no run, trend or 2-of-3 rule fires")
    how = {RULE_ORDER: "the first rule in MDC's order decides",
           IMPROVEMENT_FIRST: "improvement is shown, as in MDC's Excel tool",
           CONCERN_FIRST: "concern is shown"}[conflict]
    both = rows["conflict"].to_numpy(bool)
    said = np.where(both, said + " (rules on both sides fire: " + how + ")", said)
    body = np.where(common, within, said)
    body = np.where(word == NOT_ENOUGH_DATA, _not_enough(rows, cache), body)
    period = rows["period_text"].astype(str).to_numpy()
    increments = np.where(rows["cumulative"].to_numpy(bool),
                          " (charted on per-period increments)", "")
    sentence = np.where(word == NOT_ENOUGH_DATA, body,
                        period + increments + ": " + body + ": " + _lower_first(word))
    return pd.Series(sentence, index=rows.index, dtype=object)


def explain_assurance(rows: pd.DataFrame,
                      cache: dict[str, tuple[np.ndarray, np.ndarray]] | None = None
                      ) -> pd.Series:
    """One sentence per row of :func:`xmr` saying how its assurance was reached.

    The process limits are the point's segment's (after a rebase, the latest limits)."""
    cache = {} if cache is None else cache
    word = rows["assurance"].to_numpy(dtype=object)
    sign = rows["polarity_sign"].to_numpy()
    rated = (word == PASSING) | (word == FAILING) | (word == HIT_AND_MISS)
    low_end = (word == PASSING) & (sign > 0) | (word == FAILING) & (sign < 0)
    high_end = (word == PASSING) & (sign < 0) | (word == FAILING) & (sign > 0)
    target = _texts(rows, "target", rated, cache)
    upper = _texts(rows, "upper", high_end | (word == HIT_AND_MISS), cache)
    lower = _texts(rows, "lower", low_end | (word == HIT_AND_MISS), cache)
    phrase = np.where(sign > 0, "bigger is better", "smaller is better")
    at_lower = "target " + target + " is at or below the lower process limit " + lower
    at_upper = "target " + target + " is at or above the upper process limit " + upper
    body = np.where(low_end, at_lower, at_upper) + ", " + phrase
    body = np.where(word == HIT_AND_MISS, "target " + target + " is between the process limits "
                    + lower + " and " + upper, body)
    body = np.where(word == NO_TARGET, "no target to compare with the process limits", body)
    body = np.where(word == DATA_ONLY, "a data-only measure is not assured against a target",
                    body)
    sentence = np.where(word == NOT_ENOUGH_DATA, _not_enough(rows, cache),
                        body + ": " + _lower_first(word))
    return pd.Series(sentence, index=rows.index, dtype=object)


def spc(values: pd.DataFrame, measures: pd.DataFrame | None = None,
        settings: SpcSettings | None = None) -> pd.DataFrame:
    """:func:`summarise` of :func:`xmr`: each measure's latest variation and assurance."""
    return summarise(xmr(values, measures, settings))


# -- a new value against accepted history (plausibility) --------------------------------------

_NEW = "\x00new value being judged"  # the ghost reason that marks the rows being judged


def against_history(history: pd.DataFrame, new: pd.DataFrame,
                    measures: pd.DataFrame | None = None,
                    settings: SpcSettings | None = None) -> pd.DataFrame:
    """Each new value judged against the process limits of its measure's accepted history:
    the plausibility question "is this figure outside what the process does?".

    ``history`` and ``new`` are long frames as for :func:`xmr`. Each new row is charted with
    the history but ghosted (left out of the limits), so a cumulative measure is judged on its
    increment from the accepted figure before it, never on its running total. One row per new
    row: ``code``, ``period``, ``value``, ``charted``, ``mean``, ``lower``, ``upper``,
    ``limited`` (the history is long enough for limits: when not, judge another way),
    ``outside`` (+1 above the upper limit, -1 below the lower, 0 within) and ``message``.

    >>> history = pd.DataFrame({"code": "A", "period": range(1, 16), "value": [
    ...     20, 24, 20, 26, 22, 16, 18, 16, 31, 28, 34, 26, 30, 19, 18], "polarity": "High"})
    >>> found = against_history(history, pd.DataFrame({"code": ["A"], "period": [16],
    ...                                                "value": [45], "polarity": ["High"]}))
    >>> found["message"].iloc[0]
    'period 16: 45 is above the upper process limit 37.64 of 15 accepted values (mean 23.2)'
    """
    both = pd.concat([history, new.assign(ghost=_NEW)], ignore_index=True)
    chart = xmr(both, measures, settings)
    rows = chart[chart["ghost"].eq(_NEW).to_numpy()].reset_index(drop=True)
    charted = rows["charted"].to_numpy(float)
    upper, lower = rows["upper"].to_numpy(float), rows["lower"].to_numpy(float)
    limited = rows["limited"].to_numpy(bool) & ~np.isnan(charted)
    outside = np.where(limited & (_tidy(charted - upper) > 0), 1,
                       np.where(limited & (_tidy(charted - lower) < 0), -1, 0)).astype(np.int8)
    value = _texts(rows, "charted", limited)
    limit = np.where(outside > 0, "above the upper process limit " + _texts(rows, "upper",
                                                                             outside > 0),
                     np.where(outside < 0, "below the lower process limit "
                              + _texts(rows, "lower", outside < 0),
                              "within the process limits " + _texts(rows, "lower", limited)
                              + " to " + _texts(rows, "upper", limited)))
    increments = np.where(rows["cumulative"].to_numpy(bool),
                          " (the increment on the period before)", "")
    message = (rows["period_text"].astype(str).to_numpy() + ": " + value + increments + " is "
               + limit + " of " + rows["points"].astype(str).to_numpy() + " accepted values (mean "
               + _texts(rows, "mean", limited) + ")")
    message = np.where(limited, message, _not_enough(rows))
    return pd.DataFrame({"code": rows["code"], "period": rows["period"],
                         "value": rows["value"], "charted": charted, "mean": rows["mean"],
                         "lower": lower, "upper": upper, "limited": limited,
                         "outside": outside, "message": message})


# -- one series ------------------------------------------------------------------------------

def _one_series(values: Sequence[Any], polarity: Any, target: Any = None,
                settings: SpcSettings | None = None) -> pd.DataFrame:
    history = list(values)
    targets = (list(target) if isinstance(target, Sequence | np.ndarray | pd.Series)
               and not isinstance(target, str) else [target] * len(history))
    if len(targets) != len(history):
        raise InputError(f"{len(targets)} targets cannot line up with {len(history)} values: "
                         "give one target, or one per value")
    frame = pd.DataFrame({"code": "measure", "period": np.arange(1, len(history) + 1),
                          "value": pd.Series(history, dtype=object),
                          "target": pd.Series(targets, dtype=object), "polarity": polarity})
    return summarise(xmr(frame, settings=settings))


def variation(values: Sequence[Any], polarity: Any, settings: SpcSettings | None = None) -> str:
    """The variation of one measure's history (oldest first) at its latest point.

    >>> variation([16, 20, 22, 18, 21, 18, 26, 28, 24, 26, 19, 18, 25, 32, 43, 28, 22, 5],
    ...           "Bigger is better")
    'Special cause of concern'
    """
    return str(_one_series(values, polarity, None, settings)["variation"].iloc[0])


def assurance(values: Sequence[Any], target: Any, polarity: Any,
              settings: SpcSettings | None = None) -> str:
    """The assurance of one measure's history against a target (one, or one per value).

    >>> assurance([20, 24, 20, 26, 22, 16, 18, 16, 31, 28, 34, 26, 30, 19, 18], 30, "Low")
    'Hit and miss'
    """
    return str(_one_series(values, polarity, target, settings)["assurance"].iloc[0])
