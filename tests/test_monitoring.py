"""Budget monitoring worked out once (xlperf.core.monitoring): the directorate total, the
capital total and the capital programme by quarter."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from xlperf.core.monitoring import capital_history, capital_total, monitor

money = st.integers(min_value=0, max_value=50_000)


@given(st.lists(st.tuples(money, money), min_size=1, max_size=8))
def test_a_total_that_cross_foots_has_the_lines_variance(lines: list[tuple[int, int]]) -> None:
    """The total row is scored like a line: when it adds up, its variance is the lines'
    variances added up, and nothing is said about the cross-foot."""
    names = [f"Line {i}" for i in range(len(lines))]
    budget = pd.DataFrame({"Service area": [*names, "Directorate total"],
                           "Net budget": [b for b, _ in lines] + [sum(b for b, _ in lines)],
                           "Forecast outturn": [f for _, f in lines] + [sum(f for _, f in lines)]})
    m = monitor(budget, None, "Q2 2013/14", tolerance_pct=1.0, materiality=50)
    assert m.total is not None and m.crossfoot == ()
    assert m.total["variance"] == sum(f - b for b, f in lines)
    assert list(m.lines["line"]) == names
    assert bool(m.total["needs_explanation"]) == (abs(m.total["variance"]) >= 50)


def test_an_explained_total_and_a_total_that_does_not_add_up() -> None:
    budget = pd.DataFrame({"Service area": ["Care", "Help", "Directorate total"],
                           "Net budget": [100, 50, 160], "Forecast outturn": [180, 50, 230],
                           "Explanation": ["", "", "Placements."]})
    m = monitor(budget, None, "Q2 2013/14", tolerance_pct=1.0, materiality=50)
    assert m.total["explanation"] == "Placements." and not m.total["needs_explanation"]
    assert m.crossfoot == ("Net budget: lines add to 150, total says 160 (difference 10)",)


CAPITAL = pd.DataFrame({
    "Programme": ["Schools", "Hubs", "Total", "Schools", "Hubs", "Total"],
    "Quarter": ["Q1 2013/14"] * 3 + ["Q2 2013/14"] * 3,
    "Revised base budget": [5000, 800, 5800, 5000, 800, 5800],
    "Revised estimate": [5000, 800, 5800, 4200, 800, 5000],
    "Actual to date": [900, 100, 1000, 2100, 300, 2400],
    "Explanation": ["", "", "", "", "", "Schools phase 2 slipped."]})


def test_the_capital_total_explained_by_the_quarter_s_total_row() -> None:
    m = monitor(None, CAPITAL, "Q2 2013/14", tolerance_pct=1.0, materiality=50)
    assert list(m.capital["programme"]) == ["Schools", "Hubs"]  # the total row is no programme
    assert m.capital_total == {"base_budget": 5800.0, "estimate": 5000.0, "actual": 2400.0,
                               "variance": -800.0, "slippage": 800.0, "spend_pct": 48.0,
                               "explanation": "Schools phase 2 slipped."}
    q1 = monitor(None, CAPITAL, "Q1 2013/14", tolerance_pct=1.0, materiality=50)
    assert q1.capital_total["explanation"] is None and q1.capital_total["actual"] == 1000.0


def test_a_quarter_without_rows_yet_shows_the_latest_earlier_quarter() -> None:
    """Q3's programmes before the finance team adds Q3 rows: Q2's, not every row twice."""
    m = monitor(None, CAPITAL, "Q3 2013/14", tolerance_pct=1.0, materiality=50)
    assert list(m.capital["programme"]) == ["Schools", "Hubs"]
    assert list(m.capital["actual"]) == [2100.0, 300.0]


def test_the_capital_programme_by_quarter() -> None:
    returned = pd.DataFrame({"programme": ["Schools", "Hubs"], "estimate": [4300.0, 800.0],
                             "actual": [2500.0, 300.0]})
    history = capital_history(CAPITAL, "Q2 2013/14", returned)
    assert list(history["programme"]) == ["Schools", "Hubs"]
    assert list(history["Q1 2013/14 actual"]) == [900.0, 100.0]      # the Capital sheet's
    assert list(history["Q2 2013/14 estimate"]) == [4300.0, 800.0]   # the period's, as given
    assert np.isnan(history["Q3 2013/14 actual"]).all()              # not reported yet
    assert len(history.columns) == 1 + 4 * 2
    # Looked at in Q1, Q2 has not happened yet, though the sheet has its rows.
    assert np.isnan(capital_history(CAPITAL, "Q1 2013/14")["Q2 2013/14 actual"]).all()
    assert capital_history(CAPITAL.drop(columns="Quarter"), "Q2 2013/14").empty
    assert capital_total(pd.DataFrame()) is None
