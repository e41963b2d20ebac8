"""Direction of travel, trend and variance against target."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import xlperf
from xlperf.core.direction import (
    IMPROVING,
    NO_CHANGE,
    NOT_COMPARABLE,
    WORSENING,
    directions,
    trends,
)
from xlperf.core.variance import variances

# The Trust's scorecard (seed 002): Qtr3 14/15 .. Dec-15.
RE_REFERRALS = [35, 30, 24, 23, 23]


def test_re_referral_series_ends_no_change():
    steps = [xlperf.direction(c, p, "Smaller is better")
             for p, c in zip(RE_REFERRALS, RE_REFERRALS[1:], strict=False)]
    assert steps == [IMPROVING, IMPROVING, IMPROVING, NO_CHANGE]


@pytest.mark.parametrize(
    ("current", "previous", "polarity", "threshold", "expected"),
    [
        (88, 74, "Bigger is better", 0, IMPROVING),  # single assessments, Dec-15 vs Qtr2
        (93, 97, "Bigger is better", 0, WORSENING),  # CP visits in timescale
        (15, 13, "Smaller is better", 0, WORSENING),  # CPP second time
        (542, 546, "Smaller is better", 0, IMPROVING),  # days to adopters
        (542, 546, "Smaller is better", 5, NO_CHANGE),  # within the no-change threshold
        (76, 77, "Smaller is better", 1, NO_CHANGE),  # LAC per 10,000, threshold inclusive
        (None, 77, "Smaller is better", 0, NOT_COMPARABLE),
        ("TBC", 77, "High", 0, NOT_COMPARABLE),
        (33, 23, "Data only", 0, NOT_COMPARABLE),
    ],
)
def test_direction_cases(current, previous, polarity, threshold, expected):
    assert xlperf.direction(current, previous, polarity, threshold) == expected


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


@given(finite, finite, st.floats(min_value=0, max_value=100))
def test_direction_mirrors_with_polarity(current, previous, threshold):
    up = xlperf.direction(current, previous, "High", threshold)
    down = xlperf.direction(current, previous, "Low", threshold)
    mirror = {IMPROVING: WORSENING, WORSENING: IMPROVING, NO_CHANGE: NO_CHANGE}
    assert down == mirror[up]


@given(finite, finite)
def test_direction_reverses_when_periods_swap(current, previous):
    forward = xlperf.direction(current, previous, "High")
    backward = xlperf.direction(previous, current, "High")
    mirror = {IMPROVING: WORSENING, WORSENING: IMPROVING, NO_CHANGE: NO_CHANGE}
    assert backward == mirror[forward]


def test_trend_compares_latest_with_oldest_of_six():
    assert xlperf.trend(RE_REFERRALS, "Smaller is better") == IMPROVING
    assert xlperf.trend([1, 2, 3, 4, 5, 6, 7, 8, 1], "High") == WORSENING  # 3 → 1
    assert xlperf.trend([None, 5], "High") == NOT_COMPARABLE


def test_trends_vectorised():
    history = pd.DataFrame([[35, 30, 24, 23, 23], [np.nan, np.nan, 60, 46, 68],
                            [np.nan] * 5], index=["%Re-Ref", "CPP", "NEW"])
    result = trends(history, pd.Series(["Low", "Low", "High"], index=history.index))
    assert result.loc["%Re-Ref", "trend"] == IMPROVING
    assert result.loc["%Re-Ref", "trend_values"] == "35 | 30 | 24 | 23 | 23"
    assert result.loc["CPP", "trend"] == WORSENING
    assert result.loc["CPP", "trend_values"] == "60 | 46 | 68"
    assert result.loc["NEW", "trend"] == NOT_COMPARABLE


def test_variance_and_percentage():
    assert xlperf.variance(91.54, 45.3) == 46.24
    assert xlperf.variance_pct(110, 100) == 10.0
    assert xlperf.variance_pct(-90, -100) == 10.0  # % of the size of a negative target
    assert xlperf.variance_pct(7.41, 0) is None
    assert xlperf.variance(None, 5) is None
    frame = variances([7.41, 3, None], [0, None, 4], "Low")
    assert frame["variance_note"].tolist() == ["target is 0", "no target", "no actual"]
    assert frame["reading"].tolist()[0] == "worse"


@given(finite, st.floats(min_value=1, max_value=1e6))
def test_variance_pct_sign_follows_variance(actual, target):
    v = xlperf.variance(actual, target)
    pct = xlperf.variance_pct(actual, target)
    assert pct is not None and np.sign(pct) == np.sign(v)


def test_directions_vectorised_equals_scalar():
    cur = [23, 88, None, 15]
    prev = [23, 74, 3, 13]
    pol = ["Low", "High", "High", "Low"]
    assert directions(cur, prev, pol).tolist() == [
        xlperf.direction(c, p, q) for c, p, q in zip(cur, prev, pol, strict=True)]
