"""Direction of travel and trend: is performance better, worse or unchanged than before?

The comparison follows the polarity (a falling rate of repeat referrals is *improving*) and a
no-change threshold in the measure's unit: a move of at most the threshold is ``No change ↔``.
The comparison point is the previous period or, for seasonal measures, the same period last
year; the caller picks the value. Missing values and data-only measures are ``Not comparable``.

The six-period trend compares the latest value with the oldest of the last six periods, by the
same rule, and carries the values as text for a report or a tooltip.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from xlperf.core._arrays import broadcast
from xlperf.core.figures import format_numbers
from xlperf.core.polarity import polarity_signs
from xlperf.core.schemes import _tidy
from xlperf.core.status import _numbers, setting_numbers

IMPROVING = "Improving ↑"
WORSENING = "Worsening ↓"
NO_CHANGE = "No change ↔"
NOT_COMPARABLE = "Not comparable"
DIRECTIONS = (IMPROVING, NO_CHANGE, WORSENING, NOT_COMPARABLE)
TREND_PERIODS = 6


def directions(current: Any, previous: Any, polarity: Any, threshold: Any = 0) -> np.ndarray:
    """Vectorised direction of travel: an object array of :data:`DIRECTIONS` words.

    >>> directions([23, 24], [23, 30], "Smaller is better").tolist()
    ['No change ↔', 'Improving ↑']
    """
    (c_raw, p_raw, pol_raw, th_raw), _, _ = broadcast(current, previous, polarity, threshold)
    c, _ = _numbers(c_raw)
    p, _ = _numbers(p_raw)
    threshold_values = np.abs(setting_numbers(th_raw, "no-change threshold"))
    sign = polarity_signs(pol_raw)
    change = _tidy(sign * (c - p))
    out = np.full(len(c), NO_CHANGE, dtype=object)
    out[change > _tidy(threshold_values)] = IMPROVING
    out[change < -_tidy(threshold_values)] = WORSENING
    out[np.isnan(change) | (sign == 0)] = NOT_COMPARABLE
    return out


def direction(current: Any, previous: Any, polarity: Any, threshold: Any = 0) -> str:
    """Direction of travel of one measure.

    >>> direction(23, 23, "Smaller is better")
    'No change ↔'
    >>> direction(88, 74, "Bigger is better", threshold=1)
    'Improving ↑'
    """
    return str(directions(current, previous, polarity, threshold)[0])


def trend(values: Sequence[Any], polarity: Any, threshold: Any = 0) -> str:
    """The trend over the last six values (oldest first): the latest against the oldest.

    >>> trend([35, 30, 24, 23, 23], "Smaller is better")
    'Improving ↑'
    """
    window = list(values)[-TREND_PERIODS:]
    known, _ = _numbers(np.asarray(window, dtype=object))
    known = known[~np.isnan(known)]
    if len(known) < 2:
        return NOT_COMPARABLE
    return direction(known[-1], known[0], polarity, threshold)


def trends(history: pd.DataFrame, polarity: pd.Series, threshold: pd.Series | float = 0
           ) -> pd.DataFrame:
    """Vectorised six-period trend for many measures.

    ``history`` has one row per measure and one column per period, oldest first (NaN where there
    is no value); ``polarity`` (and ``threshold``) are indexed like it. Returns ``trend`` (the
    direction word, latest known value against the oldest known in the last six periods) and
    ``trend_values`` (the values as text, ``35 | 30 | 24 | 23 | 23``; a gap shows as ``–``).
    """
    window = history.iloc[:, -TREND_PERIODS:].astype(float)
    values = window.to_numpy(dtype=float)
    known = ~np.isnan(values)
    count = known.sum(axis=1)
    rows = np.arange(len(values))
    first = values[rows, np.argmax(known, axis=1)] if values.size else np.array([])
    last_pos = values.shape[1] - 1 - np.argmax(known[:, ::-1], axis=1) if values.size else rows
    last = values[rows, last_pos] if values.size else np.array([])
    words = directions(last, first, polarity.reindex(history.index).to_numpy(dtype=object),
                       threshold if np.isscalar(threshold) else
                       pd.Series(threshold).reindex(history.index).to_numpy())
    words[count < 2] = NOT_COMPARABLE
    texts = format_numbers(values.reshape(-1)).reshape(values.shape)
    texts[~known] = "–"
    # Leading periods before a measure's first value are not part of its trend text.
    # Where each row's first value is, for every row at once (a row without one joins nothing).
    firsts = np.argmax(known, axis=1) if known.size else np.zeros(len(known), dtype=np.intp)
    starts = np.where(known.any(axis=1), firsts, values.shape[1]).tolist()
    joined = [" | ".join(row_texts[start:])
              for row_texts, start in zip(texts.tolist(), starts, strict=True)]
    return pd.DataFrame({"trend": words, "trend_values": joined}, index=history.index)
