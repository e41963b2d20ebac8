"""Targets for a period: given in the register's Targets table, or profiled from the annual one.

A cumulative measure (Duke of Edinburgh awards, adoptions) builds up through the year, so its
target for period *k* of *n* is the annual target × k / n (straight line), or follows a profile
of weights the council gives. A whole-number annual target profiles to whole numbers, rounded
down (730 a year gives 182, 365, 547, 730 by quarter, as councils print it). A measure that is
not cumulative has the annual target in every period unless the Targets table says otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from xlperf.errors import InputError

ROUNDING = ("auto", "none", "down", "up", "nearest")


def profile_targets(
    annual_target: float,
    periods_in_year: int,
    *,
    cumulative: bool = True,
    weights: Sequence[float] | None = None,
    rounding: str = "auto",
) -> list[float]:
    """Per-period targets for one year, from the annual target.

    >>> profile_targets(730, 4)
    [182.0, 365.0, 547.0, 730.0]
    >>> profile_targets(10, 4, rounding="up")
    [3.0, 5.0, 8.0, 10.0]
    >>> profile_targets(85.0, 4, cumulative=False)
    [85.0, 85.0, 85.0, 85.0]

    ``rounding``: ``auto`` (whole numbers rounded down when the annual target is a whole number,
    otherwise none), ``none``, ``down``, ``up`` or ``nearest``. The last period always equals the
    annual target.
    """
    if periods_in_year < 1:
        raise InputError(f"a year has at least one period, not {periods_in_year}")
    if rounding not in ROUNDING:
        raise InputError(f"rounding {rounding!r} is not one of {', '.join(ROUNDING)}")
    if not cumulative:
        return [float(annual_target)] * periods_in_year
    if weights is None:
        shares = np.arange(1, periods_in_year + 1) / periods_in_year
    else:
        w = np.asarray(weights, dtype=float)
        if len(w) != periods_in_year or (w < 0).any() or w.sum() <= 0:
            raise InputError(
                f"a profile needs {periods_in_year} weights of zero or more, not {list(weights)}"
            )
        shares = np.cumsum(w) / w.sum()
    raw = np.round(annual_target * shares, 9)
    if rounding == "auto":
        rounding = "down" if float(annual_target).is_integer() else "none"
    rounded = {"none": raw, "down": np.floor(raw), "up": np.ceil(raw),
               "nearest": np.floor(raw + 0.5)}[rounding]
    rounded[-1] = annual_target
    return [float(x) for x in rounded]


def period_targets(annual_target: np.ndarray, position: np.ndarray, periods_in_year: np.ndarray,
                   cumulative: np.ndarray) -> np.ndarray:
    """Vectorised target for period ``position`` of ``periods_in_year`` (straight line, auto
    rounding) — the same numbers as :func:`profile_targets`, for many measures at once."""
    annual = np.asarray(annual_target, dtype=float)
    share = np.asarray(position, dtype=float) / np.asarray(periods_in_year, dtype=float)
    raw = np.round(annual * share, 9)
    whole = np.floor(annual) == annual
    profiled = np.where(whole, np.floor(raw), raw)
    profiled = np.where(np.asarray(position) == np.asarray(periods_in_year), annual, profiled)
    return np.where(np.asarray(cumulative, dtype=bool), profiled, annual)
