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

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

# SPC is four modules: the settings, the words (icons and sentences), the XmR chart (limits and
# rules) and, here, the frame-level API. Every name is importable from here, as it always was
# (``as`` marks a name kept here for its importers).
from xlperf.core._spc_settings import CONCERN_FIRST as CONCERN_FIRST
from xlperf.core._spc_settings import CONFLICTS as CONFLICTS
from xlperf.core._spc_settings import IMPROVEMENT_FIRST as IMPROVEMENT_FIRST
from xlperf.core._spc_settings import RULE_ORDER, SpcSettings, parse_setting, settings_from
from xlperf.core._spc_settings import SETTING_KEYS as SETTING_KEYS
from xlperf.core._spc_words import (
    ASSURANCES,
    NOT_ENOUGH_DATA,
    VARIATIONS,
    _assurance_sentences,
    _not_enough,
    _texts,
    _variation_sentences,
    explain_assurance,
    explain_variation,
    icon,
)
from xlperf.core._spc_words import COLOURS as COLOURS
from xlperf.core._spc_words import COMMON_CAUSE as COMMON_CAUSE
from xlperf.core._spc_words import CONCERN as CONCERN
from xlperf.core._spc_words import DATA_ONLY as DATA_ONLY
from xlperf.core._spc_words import FAILING as FAILING
from xlperf.core._spc_words import GHOSTED as GHOSTED
from xlperf.core._spc_words import HIGH as HIGH
from xlperf.core._spc_words import HIT_AND_MISS as HIT_AND_MISS
from xlperf.core._spc_words import IMPROVEMENT as IMPROVEMENT
from xlperf.core._spc_words import LOW as LOW
from xlperf.core._spc_words import NO_TARGET as NO_TARGET
from xlperf.core._spc_words import PASSING as PASSING
from xlperf.core._spc_words import SYMBOLS as SYMBOLS
from xlperf.core._spc_xmr import LIMIT_FACTOR as LIMIT_FACTOR
from xlperf.core._spc_xmr import NEAR_FACTOR as NEAR_FACTOR
from xlperf.core._spc_xmr import RULES as RULES
from xlperf.core._spc_xmr import SCREEN_FACTOR as SCREEN_FACTOR
from xlperf.core._spc_xmr import _Chart, _chart, _factorize, xmr
from xlperf.core.schemes import _tidy
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


# -- the latest point of each measure, with its sentences -------------------------------------

SUMMARY_COLUMNS = ("code", "period", "period_text", "value", "charted", "cumulative",
                   "target", "mean", "lower", "upper", "points", "variation", "side",
                   "variation_explanation", "assurance", "assurance_explanation")


# What a summary row and its sentences are made from.
_SENTENCE_COLUMNS = (*(c for c in SUMMARY_COLUMNS if c not in (
    "side", "variation_explanation", "assurance_explanation")), "segment", "measure_points",
    "minimum_points", "minimum_segment_points", "upper_2sigma", "lower_2sigma", "beyond",
    "run", "two_of_three", "rising", "falling", "special", "conflict", "run_points",
    "trend_points", "near_points", "polarity_sign", "ghost", "rule", "statistic_decimals")


def _column_at(chart: pd.DataFrame, name: str, take: np.ndarray) -> np.ndarray:
    """One column of ``chart`` at the rows ``take`` as an array, as ``chart.iloc[take]`` would
    give it: a categorical's words taken by their codes (no text per row of the chart), missing
    as NaN."""
    column = chart[name]
    if isinstance(column.dtype, pd.CategoricalDtype):
        words = np.append(np.asarray(column.cat.categories, dtype=object), np.nan)
        return words[column.cat.codes.to_numpy()[take]]  # code -1 (missing) is the last
    return column.to_numpy()[take]


def summarise(chart: pd.DataFrame) -> pd.DataFrame:
    """One row per measure from :func:`xmr`: the latest judged point's variation and the
    assurance against its period's target, each with the sentence that explains it.

    >>> chart = xmr(pd.DataFrame({"code": "A", "period": range(15), "value":
    ...     [20, 24, 20, 26, 22, 16, 18, 16, 31, 28, 34, 26, 30, 19, 18],
    ...     "polarity": "High", "target": 40}))
    >>> summarise(chart)["assurance_explanation"].iloc[0]
    'target 40 is at or above the upper process limit 37.6, bigger is better: consistently failing'
    """
    code_ids, uniques = _factorize(chart["code"].to_numpy(dtype=object))
    ghost = chart["ghost"].to_numpy(dtype=object)
    columns = [c for c in _SENTENCE_COLUMNS if c in chart.columns]
    has_point = ~np.isnan(chart["charted"].to_numpy(float))
    is_ghost = ~pd.isna(ghost)
    judged = has_point & ~is_ghost
    positions = np.arange(len(chart))
    latest = np.full(len(uniques), -1, dtype=np.int64)
    np.maximum.at(latest, code_ids[judged], positions[judged])
    any_row = np.full(len(uniques), -1, dtype=np.int64)
    np.maximum.at(any_row, code_ids, positions)
    ghosted = is_ghost & has_point
    last_ghost = np.full(len(uniques), -1, dtype=np.int64)
    np.maximum.at(last_ghost, code_ids[ghosted], positions[ghosted])
    return _summary(lambda take: {c: _column_at(chart, c, take) for c in columns},
                    latest, any_row, last_ghost, lambda at: ghost[at],
                    lambda at: _column_at(chart, "period_text", at),
                    chart.attrs.get("conflict", RULE_ORDER))


def _summarise_chart(chart: _Chart) -> pd.DataFrame:
    """:func:`summarise` of ``chart.frame()``, without making the frame: the same rows, taken
    from the chart's arrays (the frame is 37 columns of every measure-period, a summary reads
    one row of each measure)."""
    latest, any_row, last_ghost = chart.latest_rows()
    return _summary(lambda take: {c: chart.at(c, take) for c in _SENTENCE_COLUMNS
                                  if c not in ("ghost", "rule")},  # the sentences read neither
                    latest, any_row, last_ghost, chart.reasons_at,
                    lambda at: chart.at("period_text", at), chart.conflict)


def _summary(rows_at: Callable[[np.ndarray], dict[str, np.ndarray]], latest: np.ndarray,
             any_row: np.ndarray, last_ghost: np.ndarray,
             reasons_at: Callable[[np.ndarray], np.ndarray],
             period_text_at: Callable[[np.ndarray], np.ndarray], conflict: str
             ) -> pd.DataFrame:
    """The summary of a chart: per measure its latest judged row, its last row and its last
    ghosted row with a point (-1: none), and the columns and reasons at given rows."""
    found = latest >= 0
    take = np.where(found, latest, any_row)
    # The few rows the summary and its sentences need, as arrays: a frame of them (pandas'
    # take over every column, then a column at a time) cost more than the sentences.
    rows = rows_at(take)
    for column in ("variation", "assurance"):
        if column in rows:
            rows[column] = np.where(found, rows[column], NOT_ENOUGH_DATA)
    # Ghosted points after the latest judged one are said, not judged.
    later = last_ghost > latest
    special = rows["special"]
    cache: dict[str, Any] = {}
    said = _variation_sentences(rows, conflict, cache)
    if later.any():
        ghost_at = np.maximum(last_ghost, 0)[later]
        note = np.array([f"; {when} is ghosted ({why}) and not judged" for when, why in zip(
            period_text_at(ghost_at).astype(str).tolist(),
            ["no reason given" if why == "" else str(why)
             for why in reasons_at(ghost_at).tolist()],
            strict=True)], dtype=object)
        said[later] = said[later] + note
    columns: dict[str, Any] = {c: rows[c] for c in SUMMARY_COLUMNS[:12]}
    columns["side"] = np.where(special > 0, "high", np.where(special < 0, "low", ""))
    columns["variation_explanation"] = pd.Series(said, dtype=object, copy=False)
    columns["assurance"] = rows["assurance"]
    columns["assurance_explanation"] = pd.Series(_assurance_sentences(rows, cache), dtype=object,
                                                 copy=False)
    return pd.DataFrame(columns)


def spc(values: pd.DataFrame, measures: pd.DataFrame | None = None,
        settings: SpcSettings | None = None) -> pd.DataFrame:
    """:func:`summarise` of :func:`xmr`: each measure's latest variation and assurance."""
    return _summarise_chart(_chart(values, measures, settings))


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
    ``outside`` (+1 above the upper limit, -1 below the lower, 0 within), ``message``, and for
    a caller's own fallback: ``cumulative``, ``points`` (the accepted points charted),
    ``minimum_points`` (the measure's setting), ``previous`` and ``previous_period`` (the
    last accepted point before it, as charted: an increment for a cumulative measure), and
    ``statistic_decimals`` (the places its mean and limits are said to).

    >>> history = pd.DataFrame({"code": "A", "period": range(1, 16), "value": [
    ...     20, 24, 20, 26, 22, 16, 18, 16, 31, 28, 34, 26, 30, 19, 18], "polarity": "High"})
    >>> found = against_history(history, pd.DataFrame({"code": ["A"], "period": [16],
    ...                                                "value": [45], "polarity": ["High"]}))
    >>> found["message"].iloc[0]
    'period 16: 45 is above the upper process limit 37.6 of 15 accepted values (mean 23.2)'
    """
    both = pd.concat([history, new.assign(ghost=_NEW)], ignore_index=True)
    chart = xmr(both, measures, settings)
    new_rows = chart["ghost"].eq(_NEW).to_numpy()
    # The last accepted point before each row: the chart is in measure and period order, so
    # the previous row's accepted value, carried forward within the measure.
    accepted = chart["charted"].where(chart["charted"].notna() & chart["ghost"].isna())
    measure = chart["code"].to_numpy(dtype=object)
    before = accepted.groupby(measure, sort=False).shift(1)
    before_period = chart["period_text"].where(accepted.notna()).astype(object).groupby(
        measure, sort=False).shift(1)
    previous = before.groupby(measure, sort=False).ffill()
    previous_period = before_period.groupby(measure, sort=False).ffill()
    rows = chart[new_rows].reset_index(drop=True)
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
                         "outside": outside, "message": message,
                         "cumulative": rows["cumulative"].to_numpy(bool),
                         "points": rows["measure_points"].to_numpy(np.int64),
                         "minimum_points": rows["minimum_points"].to_numpy(np.int64),
                         "previous": previous.to_numpy(float)[new_rows],
                         "previous_period": previous_period.to_numpy(dtype=object)[new_rows],
                         "statistic_decimals": rows["statistic_decimals"].to_numpy(np.int64)})


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
    return _summarise_chart(_chart(frame, settings=settings))


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
