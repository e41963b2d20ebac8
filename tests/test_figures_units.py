"""How a figure, its unit, its decimals and a variance are said: one decision
(:mod:`xlperf.core.figures`) for the Scorecard's number formats and the pack's text."""

from __future__ import annotations

import pytest

import xlperf
from xlperf.core.figures import (
    difference_affixes,
    figure_decimals,
    measure_decimals,
    say_figure,
)
from xlperf.write.outputs import unit_format


def test_a_difference_of_percentages_is_in_points():
    assert difference_affixes("%") == ("", " pts")
    assert difference_affixes("percentage") == ("", " pts")
    assert difference_affixes("weeks") == ("", " wks")
    assert difference_affixes("£000s") == ("£", "k")
    assert say_figure(-2.25, "%", 1, difference=True, signed=True) == "-2.3 pts"
    assert say_figure(32.9, "%", 1, difference=True, signed=True) == "+32.9 pts"
    # A relative variance is a percentage of the target: it stays %.
    assert say_figure(-3.8, "%", 1, signed=True) == "-3.8%"


def test_a_measures_decimals_are_decided_from_its_figures():
    assert figure_decimals("%", [85.0]) == 1
    assert figure_decimals("number", [30.0, 29.0]) == 0
    assert figure_decimals("number", [30.0, 29.5]) == 1
    assert figure_decimals("£000s", [1200.4]) == 0
    assert figure_decimals("ratio", [1.0]) == 2
    assert measure_decimals("number", 30.0, 30.0, 29.5) == 1
    assert say_figure(85.0, "%", 1) == "85.0%"
    assert say_figure(30.0, "number", 1) == "30.0"
    assert say_figure(1234.5, "£", 0) == "£1,235"


@pytest.mark.parametrize(("unit", "values"), [
    ("%", (85.0, 80.0, None)), ("number", (30.0, 29.5, 120.0)), ("weeks", (33.0, 30.0, 30.0)),
    ("rate per 10,000", (325.0, 330.0, 330.0)), ("£000s", (1200.0, 1100.0, None)),
    ("ratio", (1.5, 1.0, None)), ("days", (7.8, 8.0, 8.0))])
def test_the_scorecard_format_is_the_pack_text(unit, values):
    """The Excel format and the pack's text come from the same affixes and decimals."""
    fmt = unit_format(unit, values)
    diff = unit_format(unit, values, difference=True)
    places = figure_decimals(unit, values)
    assert (fmt.count("0") - 1 if "." in fmt else 0) == places  # "#,##0.0": one place
    if unit == "%":
        assert diff.endswith('" pts"') and fmt.endswith('"%"')
    else:
        assert diff == fmt
    _prefix, suffix = difference_affixes(unit)
    assert say_figure(values[0], unit, places, difference=True).endswith(suffix)


def test_the_rule_sentence_says_its_figures_with_their_unit():
    from xlperf.core.status import explain_one, explain_rated, rate, rated_one

    one = rated_one(7, 0, "Smaller is better", 2)
    assert explain_one(one, unit="%", decimals=1) == (
        "7.0% against target 0.0%, smaller is better: 7.0 pts worse than target, beyond the "
        "tolerance of 2 pts: Red")
    rated = rate([7.0], [0.0], "Smaller is better", 2)
    assert explain_rated(rated, unit=["%"], decimals=[1]).iloc[0] == explain_one(
        one, unit="%", decimals=1)
    relative = rated_one(68.04, 78.2, "High", 15, "%")
    assert explain_one(relative, unit="%", decimals=1) == (
        "68.0% against target 78.2%, bigger is better: 10.2 pts worse than target, within the "
        "tolerance of 15% of target (11.7 pts): Amber")
    # Without a unit (xlperf status, xlperf.explain) the figures are as given.
    assert xlperf.explain(7, 0, "Smaller is better", 2) == (
        "7 against target 0, smaller is better: 7 worse than target, beyond the tolerance of 2: "
        "Red")
