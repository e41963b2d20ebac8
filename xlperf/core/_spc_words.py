"""The words of statistical process control (:mod:`xlperf.core.spc`): the variation and
assurance words, their icons (a symbol and MDC's colour) and the sentences that say how each was
reached, vectorised over the rows of an XmR chart.

>>> icon(IMPROVEMENT, "low")
('▼', '#00B0F0')
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from xlperf.core._arrays import format_numbers
from xlperf.core._spc_settings import CONCERN_FIRST, IMPROVEMENT_FIRST, RULE_ORDER
from xlperf.core.figures import format_statistics

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


#: The rows sentences are made from: a frame (rows of :func:`xmr`), or its columns as arrays.
Rows: TypeAlias = pd.DataFrame | Mapping[str, np.ndarray]


def _col(rows: Rows, name: str) -> np.ndarray:
    column = rows[name]
    return column.to_numpy() if isinstance(column, pd.Series) else np.asarray(column)


def _has(rows: Rows, name: str) -> bool:
    return name in (rows.columns if isinstance(rows, pd.DataFrame) else rows)


#: The columns of :func:`xmr` that are a chart's statistics, said to its own places.
STATISTICS = ("mean", "lower", "upper", "lower_2sigma", "upper_2sigma")


def _length(rows: Rows) -> int:
    return len(rows) if isinstance(rows, pd.DataFrame) else len(next(iter(rows.values()), ()))


def _fill(rows: Rows, needs: Mapping[str, np.ndarray],
          cache: dict[str, Any]) -> None:
    """Format every number the sentences need (``needs``: a column's rows) in one pass of
    :func:`format_numbers`, into ``cache``: a call per column cost more than the formatting."""
    n = _length(rows)
    todo: list[tuple[str, np.ndarray, np.ndarray]] = []
    for column, need in needs.items():
        if column not in cache:
            cache[column] = (np.zeros(n, dtype=bool), np.full(n, "", dtype=object))
        rest = need & ~cache[column][0]
        if rest.any():
            todo.append((column, rest, np.asarray(_col(rows, column), dtype=float)[rest]))
    if not todo:
        return
    # A chart's statistics to its own places (the rows' ``statistic_decimals``); the data
    # (a point, a target) as entered. Rows without the places say every number as data.
    places = (np.asarray(_col(rows, "statistic_decimals"), dtype=np.int64)
              if _has(rows, "statistic_decimals") else None)
    plain = [t for t in todo if places is None or t[0] not in STATISTICS]
    said = (format_numbers(np.concatenate([numbers for _, _, numbers in plain])) if plain
            else np.zeros(0, dtype=object))
    start = 0
    for column, rest, numbers in todo:
        known, text = cache[column]
        if places is not None and column in STATISTICS:
            text[rest] = format_statistics(numbers, places[rest])
        else:
            text[rest] = said[start:start + len(numbers)]
            start += len(numbers)
        known |= rest


def _texts(rows: Rows, column: str, need: np.ndarray,
           cache: dict[str, Any] | None = None) -> np.ndarray:
    """A column's numbers as text where a sentence needs them, else empty. Formatting is the
    dearest part of a sentence, so each number is formatted once (``cache`` is shared by the
    sentences of one summary)."""
    cache = {} if cache is None else cache
    _fill(rows, {column: need}, cache)
    return np.where(need, cache[column][1], "").astype(object)


def _counts(rows: Rows, column: str, need: np.ndarray) -> np.ndarray:
    """A column of whole numbers as text where a sentence needs them, else empty."""
    said = np.full(len(need), "", dtype=object)
    said[need] = _col(rows, column)[need].astype(str)
    return said


#: Each word as it is said inside a sentence.
_SAID = {word: word[:1].lower() + word[1:] for word in (*_VARIATION_WORDS, *ASSURANCES)}


def _lower_first(words: np.ndarray) -> np.ndarray:
    return np.array([_SAID[w] if w in _SAID else w[:1].lower() + w[1:] if isinstance(w, str)
                     else "" for w in words.tolist()], dtype=object)


def _not_enough(rows: Rows, cache: dict[str, Any] | None = None) -> np.ndarray:
    if cache is not None and "not enough" in cache:  # the same rows' sentence, said twice
        return cache["not enough"]
    said = np.full(_length(rows), "", dtype=object)
    need = np.ones(len(said), dtype=bool)
    if cache is not None:  # a summary's rows: only those without limits are said
        need = ((np.asarray(_col(rows, "variation"), dtype=object) == NOT_ENOUGH_DATA)
                | (np.asarray(_col(rows, "assurance"), dtype=object) == NOT_ENOUGH_DATA))
    if need.any():
        said[need] = _not_enough_text(rows, need)
    if cache is not None:
        cache["not enough"] = said
    return said


def _not_enough_text(rows: Rows, need: np.ndarray) -> np.ndarray:
    points = _col(rows, "points")[need]
    segment = _col(rows, "segment")[need]
    total = _col(rows, "measure_points")[need]
    least = _col(rows, "minimum_points")[need]
    least_segment = _col(rows, "minimum_segment_points")[need]
    short_measure = total < least
    since = np.where(segment > 0, " since the rebase", "")
    counted = np.where(short_measure, total, points)
    needed = np.where(short_measure, least, least_segment)
    text = ("not enough data for SPC" + np.where(short_measure, "", since) + ": "
            + counted.astype(str) + np.where(counted == 1, " point", " points")
            + ", at least " + needed.astype(str) + " needed")
    return text.astype(object)


def _index(rows: Rows) -> pd.Index:
    return rows.index if isinstance(rows, pd.DataFrame) else pd.RangeIndex(_length(rows))


def explain_variation(rows: Rows, conflict: str = RULE_ORDER,
                      cache: dict[str, Any] | None = None) -> pd.Series:
    """One sentence per row of :func:`xmr` (usually a measure's latest point) saying how its
    variation was reached, e.g. ``3 of the last 3 points above the 2-sigma band (32.8):
    special cause of improvement``."""
    return pd.Series(_variation_sentences(rows, conflict, cache), index=_index(rows),
                     dtype=object)


def _variation_sentences(rows: Rows, conflict: str = RULE_ORDER,
                         cache: dict[str, Any] | None = None) -> np.ndarray:
    cache = {} if cache is None else cache
    beyond, run, two = (_col(rows, c) for c in ("beyond", "run", "two_of_three"))
    word = np.asarray(_col(rows, "variation"), dtype=object)
    common = word == COMMON_CAUSE
    rising = np.asarray(_col(rows, "rising"), dtype=bool)
    falling = np.asarray(_col(rows, "falling"), dtype=bool)
    needs = {"charted": word != NOT_ENOUGH_DATA, "mean": run != 0,
             "upper": common | (beyond > 0), "lower": common | (beyond < 0),
             "upper_2sigma": two > 0, "lower_2sigma": two < 0}
    _fill(rows, needs, cache)
    value, mean, upper, lower, upper_near, lower_near = (
        _texts(rows, column, need, cache) for column, need in needs.items())
    run_points = _counts(rows, "run_points", run != 0)
    trend_points = _counts(rows, "trend_points", rising | falling)
    near_points = _counts(rows, "near_points", two != 0)
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
    both = np.asarray(_col(rows, "conflict"), dtype=bool)
    said = np.where(both, said + " (rules on both sides fire: " + how + ")", said)
    body = np.where(common, within, said)
    body = np.where(word == NOT_ENOUGH_DATA, _not_enough(rows, cache), body)
    period = _col(rows, "period_text").astype(str).astype(object)
    increments = np.where(np.asarray(_col(rows, "cumulative"), dtype=bool),
                          " (charted on per-period increments)", "")
    return np.where(word == NOT_ENOUGH_DATA, body,
                    period + increments + ": " + body + ": " + _lower_first(word))


def explain_assurance(rows: Rows, cache: dict[str, Any] | None = None) -> pd.Series:
    """One sentence per row of :func:`xmr` saying how its assurance was reached.

    The process limits are the point's segment's (after a rebase, the latest limits)."""
    return pd.Series(_assurance_sentences(rows, cache), index=_index(rows), dtype=object)


def _assurance_sentences(rows: Rows, cache: dict[str, Any] | None = None) -> np.ndarray:
    cache = {} if cache is None else cache
    word = np.asarray(_col(rows, "assurance"), dtype=object)
    sign = _col(rows, "polarity_sign")
    rated = (word == PASSING) | (word == FAILING) | (word == HIT_AND_MISS)
    low_end = (word == PASSING) & (sign > 0) | (word == FAILING) & (sign < 0)
    high_end = (word == PASSING) & (sign < 0) | (word == FAILING) & (sign > 0)
    needs = {"target": rated, "upper": high_end | (word == HIT_AND_MISS),
             "lower": low_end | (word == HIT_AND_MISS)}
    _fill(rows, needs, cache)
    target, upper, lower = (_texts(rows, column, need, cache) for column, need in needs.items())
    phrase = np.where(sign > 0, "bigger is better", "smaller is better")
    at_lower = "target " + target + " is at or below the lower process limit " + lower
    at_upper = "target " + target + " is at or above the upper process limit " + upper
    body = np.where(low_end, at_lower, at_upper) + ", " + phrase
    body = np.where(word == HIT_AND_MISS, "target " + target + " is between the process limits "
                    + lower + " and " + upper, body)
    body = np.where(word == NO_TARGET, "no target to compare with the process limits", body)
    body = np.where(word == DATA_ONLY, "a data-only measure is not assured against a target",
                    body)
    return np.where(word == NOT_ENOUGH_DATA, _not_enough(rows, cache),
                    body + ": " + _lower_first(word))
