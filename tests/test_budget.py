"""Budget monitoring: variance, status, cross-foot and capital, with the seed's headline figures."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import xlperf
from xlperf.core.budget import (
    OVERSPEND,
    UNDERSPEND,
    budget_variances,
    crossfoot,
    score_budget,
    score_capital,
)
from xlperf.core.values import parse_value
from xlperf.demo import demo_budget


def test_trust_budget_headline_is_an_overspend():
    # Seed 002: "Budget Spend and Forecast ©  £42.3M  £43.1M  +£917K"
    budget, forecast = parse_value("£42.3M").number, parse_value("£43.1M").number
    frame = budget_variances(budget, forecast)
    assert frame["spend"].iloc[0] == OVERSPEND
    assert frame["variance"].iloc[0] == pytest.approx(800_000)
    assert xlperf.budget_status(budget, forecast, 1.0)["status"].iloc[0] == "Red"


def test_trust_staff_pay_is_an_underspend_of_about_514k():
    # Seed 002: "Cost of staff pay £20.5M £20.0M -£514K" (the printed £M figures are rounded).
    frame = budget_variances(20.514e6, 20.0e6)
    assert frame["spend"].iloc[0] == UNDERSPEND
    assert frame["variance"].iloc[0] == pytest.approx(-514_000)
    assert xlperf.budget_status(20.514e6, 20.0e6)["status"].iloc[0] == "Green"


def test_budget_pct_is_empty_with_a_reason_when_budget_is_zero():
    frame = budget_variances([0, 100], [10, 100])
    assert pd.isna(frame["variance_pct"].iloc[0])
    assert frame["variance_note"].iloc[0] == "budget is 0"
    assert frame["spend"].tolist() == [OVERSPEND, "on budget"]


def test_score_budget_demo_lines():
    lines = demo_budget().iloc[:-1]
    scored = score_budget(lines, tolerance_pct=1.0, materiality=50)
    care = scored.set_index("line").loc["Children in care"]
    assert care["variance"] == 2_470
    assert care["spend"] == OVERSPEND and care["status"] == "Red"
    early = scored.set_index("line").loc["Early help"]
    # +22 on 5,380 is within 1%: Amber, and below materiality so no explanation needed.
    assert early["status"] == "Amber" and not early["needs_explanation"]
    support = scored.set_index("line").loc["Business support"]
    assert support["spend"] == UNDERSPEND and support["status"] == "Green"
    assert support["needs_explanation"]  # -91 is material at 50 and has no explanation
    assert not care["needs_explanation"]  # material, but explained
    assert list(lines.columns) == list(demo_budget().columns)  # input untouched


def test_crossfoot_accepts_the_demo_total_and_names_a_transposed_digit():
    budget = demo_budget()
    lines, total = budget.iloc[:-1], budget.iloc[-1]
    columns = ["Gross budget", "Net budget", "Forecast outturn"]
    assert crossfoot(lines, total, columns) == []
    swapped = total.copy()
    assert total["Net budget"] == 42_300  # the Trust's £42.3M, in £000s
    swapped["Net budget"] = 43_200  # two digits of the total swapped
    problems = crossfoot(lines, swapped, columns)
    assert [p.column for p in problems] == ["Net budget"]
    assert problems[0].message == (
        "Net budget: lines add to 42,300, total says 43,200 (difference 900)")


def test_crossfoot_allows_rounding():
    lines = pd.DataFrame({"Net": [10.4, 20.4]})
    assert crossfoot(lines, {"Net": 31.5}, allowance=1) == []
    assert len(crossfoot(lines, {"Net": 31.5}, allowance=0.5)) == 1


@given(st.lists(st.integers(-10**7, 10**7), min_size=1, max_size=20))
def test_crossfoot_law_lines_always_foot_to_their_sum(values):
    lines = pd.DataFrame({"Net": values})
    assert crossfoot(lines, {"Net": sum(values)}) == []
    assert len(crossfoot(lines, {"Net": sum(values) + 1})) == 1


def test_capital_variance_and_slippage():
    caps = pd.DataFrame({
        "Programme": ["Schools", "Homes", "Systems"],
        "Revised base budget": [5000, 1200, 650],
        "Revised estimate": [4200, 1250, 500],
        "Actual to date": [2100, 900, 520],
    })
    scored = score_capital(caps)
    assert scored["variance"].tolist() == [-800, 50, -150]
    assert scored["slippage"].tolist() == [800, 0, 150]
    assert scored["over_estimate"].tolist() == [False, False, True]
