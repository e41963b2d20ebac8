"""How a chart's statistics are said (docs/spc.md, "How the numbers are said"): the decimals a
figure was entered with, one more for its mean and limits, and the text of those to their
places. Laws checked on generated numbers."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from xlperf.core.figures import (
    format_statistics,
    rounded,
    shown_decimals,
    statistic_decimals,
)
from xlperf.core.spc import spc

places = st.integers(0, 4)
SOME = settings(max_examples=300, deadline=None)


@SOME
@given(st.integers(-10**9, 10**9), places)
def test_a_figure_entered_to_k_places_shows_k_or_fewer(whole, k):
    entered = whole / 10**k  # as a cell holds 12.34 typed in
    shown = int(shown_decimals(np.array([entered]))[0])
    assert shown <= k
    if k and whole % 10:
        assert shown == k  # its last digit is not a zero: all k places are needed


@SOME
@given(st.floats(allow_nan=False, allow_infinity=False), places)
def test_a_statistic_is_said_to_its_places_and_within_half_a_unit_of_them(value, k):
    text = str(format_statistics(np.array([value]), k)[0])
    body = text.lstrip("-").replace(",", "")
    assert len(body.partition(".")[2]) == k and ("." in body) == (k > 0)
    assert abs(Decimal(text.replace(",", "")) - Decimal(repr(value))) <= Decimal(5) / 10**(k + 1)
    assert not (text.startswith("-") and not text.strip("-0.,"))  # never minus nothing


@given(st.lists(st.integers(0, 9), min_size=1, max_size=5))
def test_statistics_take_one_place_more_than_the_data_and_never_more_than_four(data):
    said = statistic_decimals(np.array(data))
    assert said.tolist() == [min(d + 1, 4) for d in data]
    assert statistic_decimals(max(data)) == min(max(data) + 1, 4)


def test_the_sentences_say_a_measures_limits_to_a_place_more_than_its_points():
    history = [20, 24, 20, 26, 22, 16, 18, 16, 31, 28, 34, 26, 30, 19, 18]
    values = pd.DataFrame({"code": ["whole"] * 15 + ["tenths"] * 15,
                           "period": [*range(1, 16), *range(1, 16)],
                           "value": [*history, *(v + 0.5 for v in history)]})
    register = pd.DataFrame({"code": ["whole", "tenths"], "polarity": "Bigger is better",
                             "target": [40, 40]})
    said = spc(values, register).set_index("code")["assurance_explanation"]
    # limits 8.76 to 37.64, and 9.26 to 38.14
    assert said["whole"].startswith("target 40 is at or above the upper process limit 37.6,")
    assert said["tenths"].startswith("target 40 is at or above the upper process limit 38.14,")


@SOME
@given(st.integers(-10**8, 10**8), places)
def test_a_statistic_written_with_a_five_just_past_its_places_rounds_away_from_zero(whole, k):
    # 169.95 to one place is 170.0, as a person rounds it, though the float is 169.9499...
    written = Decimal(10 * whole + (5 if whole >= 0 else -5)) / 10**(k + 1)
    text = str(format_statistics(np.array([float(written)]), k)[0]).replace(",", "")
    step = Decimal(1).scaleb(-k)
    assert Decimal(text) == written.quantize(step, rounding="ROUND_HALF_UP")


@SOME
@given(st.integers(-10**9, 10**9), st.integers(0, 3))
def test_a_figure_is_rounded_as_excel_shows_it(whole, k):
    """The pack's percentages (variance %, spent %) round as the Scorecard's cells show them:
    a figure written with a 5 just past the places goes away from zero, whatever the float
    below it; any figure stays within half a unit of its place."""
    halfway = (whole * 10 + 5) / 10 ** (k + 1)  # 36.25 to one place, as entered or worked out
    expected = (Decimal(whole * 10 + 5) / 10 ** (k + 1)).quantize(
        Decimal(1).scaleb(-k), "ROUND_HALF_UP")
    assert Decimal(str(rounded(halfway, k))) == expected
    value = whole / 10 ** (k + 2)
    assert abs(rounded(value, k) - value) <= 0.5 / 10 ** k + 1e-9 * max(1, abs(value))
