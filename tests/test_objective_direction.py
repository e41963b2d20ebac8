"""Direction of travel per objective (core/rollup.objective_direction) and on the Objectives
sheet written by build_outputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from xlperf.core.rollup import (
    IMPROVING,
    NO_CHANGE,
    NO_COMPARISON,
    WORSENING,
    objective_direction,
    objective_directions,
    rollup,
)
from xlperf.core.score import score

SWAP = {IMPROVING: WORSENING, WORSENING: IMPROVING, NO_CHANGE: NO_CHANGE,
        NO_COMPARISON: NO_COMPARISON}


@st.composite
def periods(draw: st.DrawFn) -> tuple[list[int], list[int]]:
    n = draw(st.integers(0, 8))
    rated = draw(st.lists(st.integers(0, 12), min_size=n, max_size=n))
    met = [draw(st.integers(0, r)) for r in rated]
    return met, rated


@given(periods())
def test_identical_periods_are_no_change(p: tuple[list[int], list[int]]) -> None:
    met, rated = p
    got = objective_direction(met, rated, met, rated)
    assert set(got) <= {NO_CHANGE, NO_COMPARISON}
    assert (got == NO_COMPARISON).tolist() == [r == 0 for r in rated]


@given(periods(), st.data())
def test_swapping_the_periods_swaps_improving_and_worsening(
        p: tuple[list[int], list[int]], data: st.DataObject) -> None:
    met, rated = p
    rated_l = data.draw(st.lists(st.integers(0, 12), min_size=len(met), max_size=len(met)))
    met_l = [data.draw(st.integers(0, r)) for r in rated_l]
    forward = objective_direction(met, rated, met_l, rated_l)
    back = objective_direction(met_l, rated_l, met, rated)
    assert [SWAP[d] for d in forward] == list(back)


@given(periods(), st.integers(1, 5))
def test_shares_not_counts(p: tuple[list[int], list[int]], k: int) -> None:
    """Scaling a period's measures (same share on target) changes nothing."""
    met, rated = p
    got = objective_direction([m * k for m in met], [r * k for r in rated], met, rated)
    assert set(got) <= {NO_CHANGE, NO_COMPARISON}


def test_direction_of_each_objective_from_two_scored_periods() -> None:
    measures = pd.DataFrame({
        "Code": ["A1", "A2", "B1", "B2", "C1"],
        "Objective": ["Safer", "Safer", "Greener", "Greener", "New"],
        "Polarity": ["Bigger is better"] * 5, "Frequency": ["Quarterly"] * 5,
        "Annual target": [10, 10, 10, 10, 10], "Tolerance": [1] * 5})
    values = pd.DataFrame({
        "Code": ["A1", "A2", "B1", "B2", "A1", "A2", "B1", "B2", "C1"],
        "Period": ["Q4 2023/24"] * 4 + ["Q1 2024/25"] * 5,
        "Actual": [5, 5, 12, 12, 12, 5, 12, 2, 12]})
    now = rollup(score(values, measures, "Q1 2024/25"))
    last = rollup(score(values, measures, "Q4 2023/24"))
    got = dict(zip(now["objective"], objective_directions(now, last), strict=True))
    assert got == {"Safer": IMPROVING, "Greener": WORSENING, "New": NO_COMPARISON}
    assert np.array_equal(objective_directions(now, now.iloc[0:0]).unique(), [NO_COMPARISON])
