"""XLPERF.* finance and roll-up functions through custom_functions_call (issue 11)."""

from __future__ import annotations

import pandas as pd
import pytest

from xlperf.core.budget import budget_status, budget_variances, crossfoot
from xlperf.core.rollup import RollupRule, objective_status

N = None
HEADERS = ["Service area", "Gross budget", "Net budget", "Forecast outturn"]
LINES = [["Children in care", 21_450, 18_900, 21_370],
         ["Safeguarding and family support", 16_980, 15_239, 14_725],
         ["Early help", 6_120, 5_380, 5_402],
         ["Business support", 3_410, 2_781, 2_690]]
TOTAL = ["Directorate total", 47_960, 42_300, 44_187]


def column(*values):
    return [[v] for v in values]


def test_seed_002_trust_budget_is_an_overspend(xl):
    # £42.3M budget against a £43.1M forecast (in £000s), and the printed +£917K.
    assert xl("XLPERF_BUDGET_VARIANCE", 42_300, 43_100) == [[800.0]]
    assert xl("XLPERF_BUDGET_VARIANCE", "£42.3M", "£43.1M") == [[800_000.0]]
    assert xl("XLPERF_BUDGET_VARIANCE", 42_183, 43_100) == [[917.0]]
    assert xl("XLPERF_BUDGET_STATUS", 42_300, 43_100, N, N) == [["Red"]]
    assert budget_variances(42_300, 43_100)["spend"].iloc[0] == "overspend"


def test_seed_002_staff_pay_is_an_underspend_of_about_514k(xl):
    assert xl("XLPERF_BUDGET_VARIANCE", 20_514, 20_000) == [[-514.0]]
    assert xl("XLPERF_BUDGET_VARIANCE", "£20.5M", "£20.0M") == [[-500_000.0]]
    assert xl("XLPERF_BUDGET_STATUS", 20_514, 20_000, N, N) == [["Green"]]
    pct = xl("XLPERF_BUDGET_VARIANCE_PCT", 20_514, 20_000, N)[0][0]
    assert pct == pytest.approx(-514 / 20_514 * 100)


def test_budget_functions_over_ranges_equal_the_core(xl):
    budget = column(*(line[2] for line in LINES), 0, N, 100)
    forecast = column(*(line[3] for line in LINES), 5, 10, N)
    frame = budget_variances([r[0] for r in budget], [r[0] for r in forecast])
    variance = [r[0] for r in xl("XLPERF_BUDGET_VARIANCE", budget, forecast)]
    assert variance == ["" if pd.isna(v) else v for v in frame["variance"]]
    pct = [r[0] for r in xl("XLPERF_BUDGET_VARIANCE_PCT", budget, forecast, True)]
    assert pct[:4] == pytest.approx(list(frame["variance_pct"][:4]))
    assert pct[4:] == ["budget is 0", "no budget", "no forecast"]
    assert [r[0] for r in xl("XLPERF_BUDGET_VARIANCE_PCT", budget, forecast, N)][4:] == [
        "", "", ""]
    statuses = [r[0] for r in xl("XLPERF_BUDGET_STATUS", budget, forecast, 2, "three-symbol")]
    core = budget_status([r[0] for r in budget], [r[0] for r in forecast], 2, "three-symbol")
    assert statuses == core["status"].tolist()


def test_budget_status_tolerance_and_bad_words(xl):
    assert xl("XLPERF_BUDGET_STATUS", 1000, 1015, N, N) == [["Red"]]  # default 1%
    assert xl("XLPERF_BUDGET_STATUS", 1000, 1015, 2, N) == [["Amber"]]
    assert xl("XLPERF_BUDGET_STATUS", 1000, 1015, -2, N) == [[
        "tolerance -2 is negative: a tolerance is a distance from target"]]
    assert xl("XLPERF_BUDGET_STATUS", 1000, 1015, N, "traffic")[0][0].startswith(
        "scheme 'traffic'")


def test_crossfoot_revenue_block_that_adds_up(xl):
    assert xl("XLPERF_CROSSFOOT", [HEADERS, *LINES], [TOTAL], N, N) == [["OK"]]
    lines = pd.DataFrame(LINES, columns=HEADERS)
    assert crossfoot(lines, dict(zip(HEADERS, TOTAL, strict=True))) == []


def test_crossfoot_two_digits_of_the_total_swapped_are_caught_and_named(xl):
    swapped = ["Directorate total", 47_960, 42_300, 44_178]  # 44,187 with 8 and 7 swapped
    expected = "Forecast outturn: lines add to 44,187, total says 44,178 (difference 9)"
    assert xl("XLPERF_CROSSFOOT", [HEADERS, *LINES], [swapped], N, N) == [[expected]]
    lines = pd.DataFrame(LINES, columns=HEADERS)
    assert [p.message for p in crossfoot(lines, dict(zip(HEADERS, swapped, strict=True)))] == [
        expected]
    # The issue's own example, with the header given as names and no header row in lines.
    net = column(10_000, 20_000, 15_239)
    assert xl("XLPERF_CROSSFOOT", net, 45_329, N, "Net budget") == [[
        "Net budget: lines add to 45,239, total says 45,329 (difference 90)"]]
    assert xl("XLPERF_CROSSFOOT", net, 45_239.4, N, N) == [["OK"]]
    assert xl("XLPERF_CROSSFOOT", net, 45_240, 0, N) == [[
        "column 1: lines add to 45,239, total says 45,240 (difference 1)"]]


def test_crossfoot_shapes_that_do_not_fit_are_sentences(xl):
    assert xl("XLPERF_CROSSFOOT", [HEADERS, *LINES], [[1, 2]], N, N) == [[
        "the total row has 2 cells but the lines have 4 columns: give a total row as wide as "
        "the lines"]]


STATUSES = ["Unknown", "Green", "Red", "Green", "Red", "Amber"]


def test_objective_status_equals_the_core(xl):
    assert xl("XLPERF_OBJECTIVE_STATUS", column(*STATUSES), N) == [[
        objective_status(STATUSES)]] == [["At Risk"]]
    assert xl("XLPERF_OBJECTIVE_STATUS", [["Green", "Green", "Amber", "Green"]], N) == [[
        "On Track"]]
    reds = ["Red", "Red", "Red", "Green"]
    assert xl("XLPERF_OBJECTIVE_STATUS", column(*reds), N) == [["Off Track"]]
    rule = RollupRule(0.8, 0.5, "Not rated")
    assert xl("XLPERF_OBJECTIVE_STATUS", column(*reds), [["80%", 0.5, "Not rated"]]) == [[
        objective_status(reds, rule)]] == [["At Risk"]]
    assert xl("XLPERF_OBJECTIVE_STATUS", column("No data", N), [[N, N, "Not rated"]]) == [[
        "Not rated"]]
    assert xl("XLPERF_OBJECTIVE_STATUS", column(*reds), [["lots"]])[0][0].startswith(
        "rule share 'lots' is not a number")


def test_count_status_spills_one_count_per_word(xl):
    assert xl("XLPERF_COUNT_STATUS", column(*STATUSES), "green") == [[2]]
    assert xl("XLPERF_COUNT_STATUS", column(*STATUSES), [["Green", "Amber", "Red", "Blue"]]) == [
        [2, 1, 2, 0]]
