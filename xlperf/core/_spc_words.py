"""The words of statistical process control (:mod:`xlperf.core.spc`): the variation and
assurance words, their icons (a symbol and MDC's colour) and the sentences that say how each was
reached, vectorised over the rows of an XmR chart.

>>> icon(IMPROVEMENT, "low")
('▼', '#00B0F0')
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from xlperf.core._arrays import format_numbers
from xlperf.core._spc_settings import CONCERN_FIRST, IMPROVEMENT_FIRST, RULE_ORDER

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
