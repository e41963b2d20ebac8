"""Variance against target: actual − target, and as a % of the target.

The % is undefined when the target is 0 or missing: the result is empty with a reason, never a
division by zero. :func:`variances` also gives the polarity-aware reading (``better`` /
``worse`` / ``on target``), because a positive variance is bad news for smaller-is-better.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from xlperf.core._arrays import broadcast
from xlperf.core.polarity import polarity_signs
from xlperf.core.schemes import _tidy
from xlperf.core.status import _numbers

BETTER, WORSE, ON_TARGET = "better", "worse", "on target"


def variances(actual: Any, target: Any, polarity: Any = None) -> pd.DataFrame:
    """Vectorised variance, variance % of target, why the % is empty, and (with a polarity)
    whether the actual is better or worse than target.

    >>> variances([91.54, 5], [45.3, 0], "Smaller is better").round(2).to_dict("records")[1]
    {'variance': 5.0, 'variance_pct': nan, 'variance_note': 'target is 0', 'reading': 'worse'}
    """
    (a_raw, t_raw, p_raw), _, index = broadcast(actual, target,
                                                "Data only" if polarity is None else polarity)
    a, _ = _numbers(a_raw)
    t, _ = _numbers(t_raw)
    variance = _tidy(a - t)
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where((t != 0) & ~np.isnan(t), _tidy(variance / np.abs(t) * 100.0), np.nan)
    note = np.full(len(a), None, dtype=object)
    note[t == 0] = "target is 0"
    note[np.isnan(t)] = "no target"
    note[np.isnan(a)] = "no actual"
    frame = pd.DataFrame({"variance": variance, "variance_pct": pct, "variance_note": note},
                         index=index if index is not None and len(index) == len(a) else None)
    if polarity is not None:
        gap = variance * polarity_signs(p_raw)
        reading = np.full(len(a), ON_TARGET, dtype=object)
        reading[gap > 0] = BETTER
        reading[gap < 0] = WORSE
        reading[np.isnan(gap) | (polarity_signs(p_raw) == 0)] = None
        frame["reading"] = reading
    return frame


def _scalar(value: float) -> float | None:
    return None if value is None or np.isnan(value) else float(value)


def variance(actual: Any, target: Any) -> float | None:
    """Actual minus target, or ``None`` when either is missing.

    >>> variance(91.54, 45.3)
    46.24
    """
    return _scalar(variances(actual, target)["variance"].iloc[0])


def variance_pct(actual: Any, target: Any) -> float | None:
    """Variance as a % of the target; ``None`` when the target is 0 or either value is missing.

    >>> variance_pct(110, 100), variance_pct(5, 0)
    (10.0, None)
    """
    return _scalar(variances(actual, target)["variance_pct"].iloc[0])
