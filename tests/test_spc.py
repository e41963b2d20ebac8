"""Statistical process control (xlperf.core.spc): XmR limits, the four special-cause rules at
their edges, the minimum number of points, rebasing, ghosting, screening, the icons and their
sentences, laws that must hold for any history, and worked examples published by NHS England's
Making Data Count team and by NHSRplotthedots (each with its source)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from xlperf.core.spc import (
    COMMON_CAUSE,
    CONCERN,
    FAILING,
    GHOSTED,
    HIGH,
    HIT_AND_MISS,
    IMPROVEMENT,
    LOW,
    NOT_ENOUGH_DATA,
    PASSING,
    SpcSettings,
    against_history,
    assurance,
    spc,
    summarise,
    variation,
    xmr,
)
from xlperf.errors import InputError

# Making Data Count, "SPC charts: XmR testing" (checks against MDC's Single Chart Tool v5.0),
# as kept in NHS England's design system: github.com/NHSDigital/fdp-react-design-system,
# src/components/DataVisualisation/charts/SPC/SPCChart/test-data/SPC-Charts-XmR-Testing.md
MDC_LIMITS = [20, 24, 20, 26, 22, 16, 18, 16, 31, 28, 34, 26, 30, 19, 18]
MDC_CONFLICT = [43, 41, 37, 36, 31, 23, 15, 13, 15, 18, 23, 27, 31, 36, 27, 19, 17, 27, 15, 22]
MDC_RECALCULATION = [16, 24, 22, 19, 19, 18, 24, 25, 18, 17, 16, 25, 15, 23, 19,
                     35, 32, 35, 31, 27, 33, 28, 38, 35, 30, 28, 29, 27, 24, 23]
MDC_ICONS = [16, 20, 22, 18, 21, 18, 26, 28, 24, 26, 19, 18, 25, 32, 43, 28, 22]
MDC_POINTS = [30, 31, 25, 35, 34, 15, 21, 23, 30, 26, 26, 22]
# NHSRplotthedots vignettes/deviations.Rmd ("Deviations from Excel defaults", v0.2.0).
PTD_OUTLIER = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]
# NHSRplotthedots tests/testthat/test-ptd_spc_standard.R: set.seed(123); rnorm(20), with the
# expected limits in tests/testthat/_snaps/ptd_spc_standard.md.
PTD_RNORM = [-0.56047565, -0.23017749, 1.55870831, 0.07050839, 0.12928774, 1.71506499,
             0.46091621, -1.26506123, -0.68685285, -0.44566197, 1.22408180, 0.35981383,
             0.40077145, 0.11068272, -0.55584113, 1.78691314, 0.49785048, -1.96661716,
             0.70135590, -0.47279141]


def chart(values, polarity="Bigger is better", target=None, ghost=None, rebase=None,
          **options) -> pd.DataFrame:
    frame = pd.DataFrame({"code": "PI 1", "period": np.arange(1, len(values) + 1),
                          "value": values, "polarity": polarity})
    for name, column in (("target", target), ("ghost", ghost), ("rebase", rebase)):
        if column is not None:
            frame[name] = column
    return xmr(frame, settings=SpcSettings(**options))


def hand_limits(values) -> tuple[float, float, float, float]:
    """Mean, mean moving range, upper limit and upper 2-sigma line, worked out plainly."""
    x = np.asarray(values, dtype=float)
    mean = x.mean()
    amr = np.abs(np.diff(x)).mean()
    return mean, amr, mean + 2.66 * amr, mean + 2 / 3 * 2.66 * amr


def latest(frame: pd.DataFrame) -> pd.Series:
    return summarise(frame).iloc[0]


# -- limits --------------------------------------------------------------------------------

def test_limits_are_mean_plus_minus_2_66_mean_moving_ranges():
    c = chart(MDC_LIMITS)
    ranges = [4, 4, 6, 4, 6, 2, 2, 15, 3, 6, 8, 4, 11, 1]  # |x_t - x_t-1|, 14 of them
    assert c["moving_range"].iloc[1:].tolist() == ranges and np.isnan(c["moving_range"].iloc[0])
    amr = sum(ranges) / 14
    assert c["mean"].iloc[0] == pytest.approx(348 / 15)
    assert c["upper"].iloc[0] == pytest.approx(348 / 15 + 2.66 * amr)
    assert c["lower"].iloc[0] == pytest.approx(348 / 15 - 2.66 * amr)
    assert c["upper_2sigma"].iloc[0] == pytest.approx(348 / 15 + 2 / 3 * 2.66 * amr)
    assert c["lower_2sigma"].iloc[0] == pytest.approx(348 / 15 - 2 / 3 * 2.66 * amr)


def test_mdc_worked_example_of_process_limits():
    # MDC: "there are 15 points so 14 moving range values ... The mean of these 14 values is
    # calculated (5.43) ... the mean (23.20) ... upper process limit (37.64) ... lower (8.76)".
    c = chart(MDC_LIMITS)
    assert c["moving_range"].mean() == pytest.approx(5.43, abs=0.005)
    assert [round(c[k].iloc[0], 2) for k in ("mean", "upper", "lower")] == [23.20, 37.64, 8.76]


@pytest.mark.parametrize(("screen", "mean", "lower", "upper"), [
    (True, 1.94, -0.72, 4.60),   # the package's default
    (False, 1.94, -3.06, 6.95),  # "the same output as Excel"
])
def test_ptd_worked_example_of_screening_moving_ranges(screen, mean, lower, upper):
    # NHSRplotthedots' deviations vignette prints UPL, mean and LPL for this series.
    c = chart(PTD_OUTLIER, screen_moving_ranges=screen)
    assert [round(c[k].iloc[0], 2) for k in ("mean", "lower", "upper")] == [mean, lower, upper]


def test_screening_by_hand_drops_moving_ranges_above_3_267_times_their_mean():
    c = chart(PTD_OUTLIER, screen_moving_ranges=True)
    # 17 moving ranges: 15 of 1, then 8 (2 to 10) and 9 (10 to 1); mean 32/17 = 1.88, and
    # 3.267 x 1.88 = 6.15, so 8 and 9 are left out and the mean moving range is 1.
    assert c["screened"].tolist() == [False] * 4 + [True, True] + [False] * 12
    assert c["upper"].iloc[0] == pytest.approx(35 / 18 + 2.66 * 1)
    off = chart(PTD_OUTLIER)
    assert not off["screened"].any()
    assert off["upper"].iloc[0] == pytest.approx(35 / 18 + 2.66 * 32 / 17)
    # The outlier itself is judged against the limits either way.
    assert c["beyond"].tolist()[4] == 1 and off["beyond"].tolist()[4] == 1


@pytest.mark.parametrize(("screen", "mean", "lower", "upper"), [
    (True, 0.1416238, -3.01138, 3.294627),
])
def test_ptd_snapshot_limits_of_twenty_normal_values(screen, mean, lower, upper):
    c = chart(PTD_RNORM, screen_moving_ranges=screen)
    assert c["mean"].iloc[0] == pytest.approx(mean, abs=1e-6)
    assert c["lower"].iloc[0] == pytest.approx(lower, abs=1e-5)
    assert c["upper"].iloc[0] == pytest.approx(upper, abs=1e-6)


@pytest.mark.parametrize(("screen", "lower", "upper"), [
    (True, -2.383666, 3.722497), (False, -4.596625, 5.935457)])
def test_ptd_snapshot_limits_with_an_outlier_screened_or_not(screen, lower, upper):
    values = list(PTD_RNORM)
    values[14] = 10  # the test's data$y[15] <- 10
    c = chart(values, screen_moving_ranges=screen)
    assert c["mean"].iloc[0] == pytest.approx(0.6694159, abs=1e-6)
    assert (c["lower"].iloc[0], c["upper"].iloc[0]) == (pytest.approx(lower, abs=1e-5),
                                                         pytest.approx(upper, abs=1e-5))


# -- too few points --------------------------------------------------------------------------

def test_fewer_than_15_points_is_not_enough_data_and_no_limits_are_made_up():
    short = chart(MDC_LIMITS[:14], target=30)
    assert short["limited"].sum() == 0 and short["upper"].isna().all()
    assert short["variation"].eq(NOT_ENOUGH_DATA).all()
    row = latest(short)
    assert row["variation"] == NOT_ENOUGH_DATA and row["assurance"] == NOT_ENOUGH_DATA
    assert row["variation_explanation"] == "not enough data for SPC: 14 points, at least 15 needed"
    assert not pd.isna(row["mean"])  # the mean can still be drawn, as a run chart
    full = chart(MDC_LIMITS)
    assert full["limited"].all() and latest(full)["variation"] == COMMON_CAUSE


def test_mdc_number_of_points_example_with_its_threshold_of_13():
    # MDC: "12 points or fewer, the process limits and summary icons are not shown".
    assert variation(MDC_POINTS, "High", SpcSettings(minimum_points=13)) == NOT_ENOUGH_DATA
    assert variation(MDC_POINTS + [25], "High", SpcSettings(minimum_points=13)) == COMMON_CAUSE
    assert variation(MDC_POINTS + [25], "High") == NOT_ENOUGH_DATA  # xlperf's 15


def test_missing_values_are_skipped_not_points():
    values = list(MDC_LIMITS)
    values.insert(5, None)
    values.insert(9, "TBC")
    c = chart(values)
    assert c["measure_points"].iloc[0] == 15
    assert round(c["upper"].iloc[0], 2) == 37.64  # the moving range joins the neighbours
    assert c["variation"].isna().sum() == 2


# -- the rules at their edges ----------------------------------------------------------------

def _at_upper_limit(base: list[float]) -> float:
    """The value L that, added last, lands exactly on the upper limit it helps to make
    (L above the last value): L = (S + L)/n + 2.66 (M + L - v)/(n - 1), solved for L."""
    n = len(base) + 1
    s, m, v = sum(base), float(np.abs(np.diff(base)).sum()), base[-1]
    return (s / n + 2.66 * (m - v) / (n - 1)) / (1 - 1 / n - 2.66 / (n - 1))


def test_a_point_on_the_upper_limit_is_not_beyond_it_and_just_above_is():
    base = [10.0, 11.0] * 7
    on = _at_upper_limit(base)
    c = chart(base + [on])
    assert c["upper"].iloc[-1] == pytest.approx(on)
    assert c["beyond"].iloc[-1] == 0
    above = chart(base + [on + 0.001])
    assert above["beyond"].iloc[-1] == 1 and latest(above)["variation"] == IMPROVEMENT
    assert latest(above)["variation_explanation"].startswith(
        f"period 15: {round(on + 0.001, 4)} is above the upper process limit")


@pytest.mark.parametrize("length", [6, 7, 8])
def test_a_run_fires_at_its_length_and_not_one_point_sooner(length):
    # 16 points alternating 11, 9 (the last below the mean), then points at 10.5, above it.
    base = [11, 9] * 8
    for k, fires in ((length - 1, False), (length, True)):
        c = chart(base + [10.5] * k, "Smaller is better", run_length=length)
        mean, *_ = hand_limits(base + [10.5] * k)
        assert mean < 10.5 and 9 < mean < 11
        assert (c["run"].iloc[-k:] == 1).all() == fires
        assert (c["run"].iloc[:-k] == 0).all()
        row = latest(c)
        assert row["variation"] == (CONCERN if fires else COMMON_CAUSE)
        if fires:
            assert f"{k} points in a row above the mean" in row["variation_explanation"]


def test_a_point_on_the_mean_breaks_a_run():
    values = [8, 8, 8] + [12, 8] * 8 + [11, 11, 11, 10, 11, 11, 11]
    c = chart(values, run_length=7)
    mean, *_ = hand_limits(values)
    assert mean == 10  # the fourth of the last 7 points is on the mean
    assert (c["run"] == 0).all()
    values[-4] = 10.5
    assert (chart(values, run_length=7)["run"].iloc[-7:] == 1).all()


@pytest.mark.parametrize("length", [6, 7, 8])
def test_a_trend_fires_at_its_length_and_not_one_point_sooner(length):
    base = [9, 11] * 7  # ends at 11; the trend then starts lower and crosses the mean
    for k, fires in ((length - 1, False), (length, True)):
        rising = [9.6 + 0.15 * i for i in range(k)]
        c = chart(base + rising, trend_length=length, run_length=8)
        assert (c["rising"].iloc[-k:]).all() == fires
        assert not c["rising"].iloc[:-k].any() and not c["falling"].any()
        assert (c["run"] == 0).all()  # the trend crosses the mean: no run hides it
        row = latest(c)
        assert row["variation"] == (IMPROVEMENT if fires else COMMON_CAUSE)
        if fires:
            assert f"{k} points in a row rising" in row["variation_explanation"]


def test_an_equal_pair_breaks_a_trend():
    base = [9, 11] * 7
    flat = [9.6, 9.75, 9.9, 9.9, 10.05, 10.2, 10.35, 10.5]
    c = chart(base + flat, trend_length=6)
    assert not c["rising"].any()
    assert chart(base + [9.6, 9.75, 9.9, 9.95, 10.05, 10.2, 10.35, 10.5], trend_length=6
                 )["rising"].iloc[-8:].all()


@pytest.mark.parametrize(("tail", "flags"), [
    ([12.8, 11, 12.8], [1, 0, 1]),     # 2 of 3 beyond the upper 2-sigma line, all above
    ([12.8, 12.8, 12.8], [1, 1, 1]),   # 3 of 3
    ([12.8, 10, 12.8], [0, 0, 0]),     # the middle point is below the mean
    ([12.8, 11, 11.5], [0, 0, 0]),     # only 1 of 3 beyond
])
def test_two_of_three_beyond_the_2_sigma_line_on_the_same_side(tail, flags):
    values = [10, 11] * 8 + tail
    c = chart(values)
    mean, _, upper, near = hand_limits(values)
    beyond_near = [v > near for v in tail]
    assert all(v < upper for v in tail)
    assert c["two_of_three"].iloc[-3:].tolist() == flags
    assert c["two_of_three"].iloc[:-3].eq(0).all()
    if any(flags):
        assert sum(beyond_near) >= 2 and all(v > mean for v in tail)
        row = latest(c)
        assert row["variation_explanation"] == (
            f"period 19: {sum(beyond_near)} of the last 3 points above the 2-sigma band "
            f"({near:.2f}): special cause of improvement")  # data to 1 place: limits to 2


def test_a_point_beyond_the_limit_does_not_count_for_two_of_three():
    values = [10, 11] * 8 + [15, 11, 13.6]
    c = chart(values)
    mean, _, upper, near = hand_limits(values)
    assert 15 > upper and near < 13.6 < upper and 11 > mean
    assert c["beyond"].iloc[-3] == 1
    assert c["two_of_three"].iloc[-3:].tolist() == [0, 0, 0]


def test_ptd_two_of_three_needs_both_points_on_one_side():
    # NHSRplotthedots test-ptd_spc_standard.R: "only reports special cause for 2of3 points
    # close to limits when they are on the same side of the mean".
    values = [1, -1] * 8
    values[14], values[15] = 5.5, -5.5
    c = chart(values)
    assert c["variation"].iloc[-2:].tolist() == [COMMON_CAUSE, COMMON_CAUSE]


# -- conflicts, icons, polarity ----------------------------------------------------------------

@pytest.mark.parametrize(("polarity", "concern_points"), [
    ("Bigger is better", [5, 6, 7]),
    ("Smaller is better", [12, 13, 14]),
])
def test_mdc_conflict_example_as_the_excel_tool_shows_it(polarity, concern_points):
    # MDC: rules at 6 points; "only p5 to p7 are shown in orange" (high is good) and "only p12
    # to p14 are shown in orange" (low is good): the Excel tool shows improvement on a clash.
    c = chart(MDC_CONFLICT, polarity, run_length=6, trend_length=6, conflict="improvement")
    words = c["variation"].tolist()
    assert [i + 1 for i, w in enumerate(words) if w == CONCERN] == concern_points
    assert [i + 1 for i, w in enumerate(words) if w == IMPROVEMENT] == [
        p for p in range(1, 15) if p not in concern_points]
    assert c["conflict"].any()


def test_conflicts_in_rule_order_let_the_first_rule_decide():
    c = chart(MDC_CONFLICT, run_length=6, trend_length=6)
    # p3 and p4 are above the 2-sigma band (improvement) but part of a falling trend
    # (concern): the trend comes first in MDC's SQL order.
    assert c["conflict"].iloc[2] and c["rule"].iloc[2] == "trend"
    assert c["variation"].iloc[2] == CONCERN
    # p1 and p2 are above the upper limit, which comes before the trend.
    assert c["variation"].iloc[:2].tolist() == [IMPROVEMENT] * 2
    concern = chart(MDC_CONFLICT, "Smaller is better", run_length=6, trend_length=6,
                    conflict="concern")
    assert (concern["variation"][concern["conflict"]] == CONCERN).all()


@pytest.mark.parametrize(("last", "polarity", "word", "side"), [
    (45, "Bigger is better", IMPROVEMENT, "high"),
    (45, "Smaller is better", CONCERN, "high"),
    (45, "Data only", HIGH, "high"),
    (25, "Bigger is better", COMMON_CAUSE, ""),
    (25, "Data only", COMMON_CAUSE, ""),
    (5, "Bigger is better", CONCERN, "low"),
    (5, "Smaller is better", IMPROVEMENT, "low"),
    (5, "Data only", LOW, "low"),
])
def test_mdc_variation_icon_examples(last, polarity, word, side):
    # MDC's "Summary icons - variation": the same 17 points ending in 45, 25 or 5.
    row = latest(chart(MDC_ICONS + [last], polarity))
    assert (row["variation"], row["side"]) == (word, side)
    assert row["variation_explanation"].endswith(word[:1].lower() + word[1:])


@pytest.mark.parametrize(("target", "polarity", "word"), [
    (40, "Bigger is better", FAILING), (40, "Smaller is better", PASSING),
    (30, "Bigger is better", HIT_AND_MISS), (30, "Smaller is better", HIT_AND_MISS),
    (10, "Bigger is better", PASSING), (10, "Smaller is better", FAILING),
])
def test_mdc_assurance_icon_examples(target, polarity, word):
    # MDC's "Summary icons - assurance": 30 points with targets of 40, 30 and 10.
    c = chart(MDC_RECALCULATION, polarity, target=target)
    mean, _, upper, _ = hand_limits(MDC_RECALCULATION)
    assert 10 < 2 * mean - upper < 30 < upper < 40  # so 40 and 10 are outside the limits
    assert latest(c)["assurance"] == word


def test_assurance_at_the_limits_themselves():
    c = chart(MDC_LIMITS)
    upper, lower = c["upper"].iloc[0], c["lower"].iloc[0]
    assert latest(chart(MDC_LIMITS, target=upper))["assurance"] == FAILING
    assert latest(chart(MDC_LIMITS, target=upper - 0.01))["assurance"] == HIT_AND_MISS
    assert latest(chart(MDC_LIMITS, target=lower))["assurance"] == PASSING
    assert latest(chart(MDC_LIMITS, "Low", target=lower))["assurance"] == FAILING
    row = latest(chart(MDC_LIMITS, target=lower))
    assert row["assurance_explanation"] == (
        # the target to 2 places: the limit to 3, so the two are never said alike when not
        "target 8.76 is at or below the lower process limit 8.760, bigger is better: "
        "consistently passing")
    assert latest(chart(MDC_LIMITS, "Data only", target=10))["assurance"] == "Data only"
    assert latest(chart(MDC_LIMITS))["assurance_explanation"] == (
        "no target to compare with the process limits: no target")


def test_profiled_targets_use_the_latest_periods_target():
    targets = [50] * 14 + [5]
    assert latest(chart(MDC_LIMITS, target=targets))["assurance"] == PASSING
    assert latest(chart(MDC_LIMITS, target=targets[::-1]))["assurance"] == FAILING


# -- rebase and ghost ---------------------------------------------------------------------------

def test_rebase_gives_each_segment_its_own_limits():
    # MDC's "Recalculations" example: a recalculation at the 16th point (35).
    rebase = [None] * 30
    rebase[15] = "new triage pathway from this month"
    c = chart(MDC_RECALCULATION, rebase=rebase, target=30)
    first, second = MDC_RECALCULATION[:15], MDC_RECALCULATION[15:]
    for segment, part in ((0, first), (1, second)):
        mean, _, upper, _ = hand_limits(part)
        rows = c[c["segment"] == segment]
        assert len(rows) == 15
        assert rows["mean"].iloc[0] == pytest.approx(mean)
        assert rows["upper"].iloc[0] == pytest.approx(upper)
    assert np.isnan(c["moving_range"].iloc[15])  # no moving range across the rebase
    assert c["rebase"].iloc[15] == "new triage pathway from this month"
    # Assurance uses the latest segment's limits (20.45 to 40.21): 30 is hit and miss.
    assert latest(c)["assurance"] == HIT_AND_MISS
    assert latest(chart(MDC_RECALCULATION, target=30))["assurance"] == HIT_AND_MISS
    assert latest(chart(MDC_RECALCULATION, rebase=rebase, target=19))["assurance"] == PASSING
    assert latest(chart(MDC_RECALCULATION, target=19))["assurance"] == HIT_AND_MISS


def test_a_segment_with_fewer_than_12_points_has_no_limits():
    rebase = [None] * 30
    rebase[19] = "Yes"
    c = chart(MDC_RECALCULATION, rebase=rebase)
    assert c[c["segment"] == 0]["limited"].all() and not c[c["segment"] == 1]["limited"].any()
    row = latest(c)
    assert row["variation"] == NOT_ENOUGH_DATA
    assert row["variation_explanation"] == (
        "not enough data for SPC since the rebase: 11 points, at least 12 needed")
    rebase[19], rebase[18] = None, "Yes"
    assert latest(chart(MDC_RECALCULATION, rebase=rebase))["variation"] != NOT_ENOUGH_DATA


def test_a_ghosted_point_is_drawn_but_left_out_of_the_limits_and_the_rules():
    ghost = [None] * 18
    ghost[4] = "data entry error, confirmed by the service"
    c = chart(PTD_OUTLIER, ghost=ghost)
    # 17 points left: mean 25/17, and every moving range (joining 2 and 1 across) is 1.
    assert c["mean"].iloc[0] == pytest.approx(25 / 17)
    assert c["upper"].iloc[0] == pytest.approx(25 / 17 + 2.66)
    assert c["variation"].iloc[4] == GHOSTED and c["beyond"].iloc[4] == 0
    assert c["ghost"].iloc[4] == "data entry error, confirmed by the service"
    assert c["measure_points"].iloc[0] == 17
    assert (c["variation"].drop(index=4) == COMMON_CAUSE).all()


def test_a_ghosted_latest_point_is_said_and_the_icon_comes_from_the_one_before():
    values = MDC_ICONS + [25, 45]
    ghost = [None] * 18 + ["one-off system outage"]
    row = latest(chart(values, ghost=ghost))
    assert row["variation"] == COMMON_CAUSE and row["period"] == 18
    assert row["variation_explanation"].endswith(
        "; period 19 is ghosted (one-off system outage) and not judged")


# -- cumulative measures and periods ---------------------------------------------------------

def test_cumulative_measures_are_charted_on_their_per_period_increments():
    periods = [f"Q{q} 20{y}/{y + 1}" for y in range(10, 14) for q in range(1, 5)]
    ytd = [175, 395, 560, 700] * 4
    frame = pd.DataFrame({"code": "DofE 01", "period": periods, "value": ytd,
                          "target": [150, 300, 450, 600] * 4})
    measures = pd.DataFrame({"Code": ["DofE 01"], "Polarity": ["High"], "Cumulative": ["Yes"]})
    c = xmr(frame, measures)
    assert c["charted"].tolist() == [175, 220, 165, 140] * 4
    assert c["target"].tolist() == [150.0] * 16
    assert c["period_text"].iloc[0] == "Q1 2010/11"
    row = spc(frame, measures).iloc[0]
    assert row["variation_explanation"].startswith(
        "Q4 2013/14 (charted on per-period increments): 140 is ")
    # A quarter missing: the next increment cannot be known, never a two-quarter jump.
    gap = frame.drop(index=5)
    assert np.isnan(xmr(gap, measures)["charted"].iloc[5])


def test_periods_are_put_in_order_and_a_later_row_wins():
    labels = [f"{m}-13" for m in ("Apr", "May", "Jun", "Jul", "Aug", "Sep")]
    frame = pd.DataFrame({"code": "X", "period": labels[::-1] + ["Jun-13"],
                          "value": [6, 5, 4, 3, 2, 1, 33], "polarity": "Low"})
    c = xmr(frame)
    assert c["period_text"].tolist() == labels
    assert c["value"].tolist() == [1, 2, 33, 4, 5, 6]


def test_many_measures_at_once_equal_each_alone():
    rng = np.random.default_rng(3)
    frames = []
    for i, polarity in enumerate(["High", "Low", "Data only", "High"]):
        frames.append(pd.DataFrame({"code": f"M{i}", "period": np.arange(20 + i),
                                    "value": np.round(rng.normal(50, 5, 20 + i), 1),
                                    "target": 48, "polarity": polarity}))
    together = spc(pd.concat(frames[::-1], ignore_index=True)).set_index("code")
    for frame in frames:
        alone = spc(frame).set_index("code")
        pd.testing.assert_frame_equal(together.loc[alone.index], alone)


def test_per_measure_settings_override_the_defaults():
    values = [11, 9] * 8 + [10.5] * 6
    frame = pd.concat([pd.DataFrame({"code": code, "period": range(len(values)),
                                     "value": values}) for code in ("A", "B")])
    measures = pd.DataFrame({"code": ["A", "B"], "polarity": ["High", "High"],
                             "run length": [6, None]})
    found = spc(frame, measures).set_index("code")["variation"]
    assert found.to_dict() == {"A": IMPROVEMENT, "B": COMMON_CAUSE}


@pytest.mark.parametrize(("options", "message"), [
    ({"run_length": 5}, "SPC run length 5 is not allowed: use 6, 7 or 8 points"),
    ({"trend_length": 9}, "SPC trend length 9 is not allowed"),
    ({"minimum_points": 1}, "SPC minimum points 1 is not allowed"),
    ({"conflict": "blue"}, "SPC conflict rule 'blue' is not one of"),
])
def test_settings_are_checked(options, message):
    with pytest.raises(InputError) as caught:
        SpcSettings(**options)
    assert str(caught.value).startswith(message)


def test_polarity_must_be_known():
    with pytest.raises(InputError) as caught:
        xmr(pd.DataFrame({"code": "A", "period": [1, 2], "value": [1, 2]}))
    assert "measure 'A' has no polarity" in str(caught.value)
    with pytest.raises(InputError) as caught:
        variation(MDC_LIMITS, "sideways")
    assert "polarity 'sideways'" in str(caught.value)


def test_one_series_faces():
    assert variation(MDC_ICONS + [45], "High") == IMPROVEMENT
    assert assurance(MDC_RECALCULATION, 40, "High") == FAILING
    with pytest.raises(InputError):
        assurance(MDC_LIMITS, [1, 2], "High")


# -- laws --------------------------------------------------------------------------------------

histories = st.lists(st.integers(-40, 40), min_size=15, max_size=40)
LAW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SWAP = {IMPROVEMENT: CONCERN, CONCERN: IMPROVEMENT, PASSING: FAILING, FAILING: PASSING}


def _words(values, polarity, target=None, **options) -> tuple[list, list]:
    c = chart(values, polarity, target=target, **options)
    return c["variation"].tolist(), c["assurance"].tolist()


@LAW
@given(histories, st.integers(-40, 40))
def test_law_swapping_polarity_swaps_improvement_and_concern(values, target):
    # Limits of no width (every value the same) on the target pass either way: not swapped.
    assume(len(set(values)) > 1)
    high = _words(values, "Bigger is better", target)
    low = _words(values, "Smaller is better", target)
    assert [SWAP.get(w, w) for w in high[0]] == low[0]
    assert [SWAP.get(w, w) for w in high[1]] == low[1]


@LAW
@given(histories)
def test_law_with_the_excel_tools_conflict_rule_a_clash_is_improvement_either_way(values):
    for polarity in ("Bigger is better", "Smaller is better"):
        c = chart(values, polarity, conflict="improvement")
        assert (c["variation"][c["conflict"]] == IMPROVEMENT).all()


@LAW
@given(histories, st.integers(-40, 40), st.integers(-10_000, 10_000))
def test_law_shifting_every_value_moves_the_limits_and_changes_no_icon(values, target, shift):
    before = chart(values, target=target)
    after = chart([v + shift for v in values], target=target + shift)
    for column in ("mean", "upper", "lower", "upper_2sigma", "lower_2sigma"):
        np.testing.assert_allclose(after[column], before[column] + shift, atol=1e-6)
    assert after["variation"].tolist() == before["variation"].tolist()
    assert after["assurance"].tolist() == before["assurance"].tolist()


@LAW
@given(histories, st.integers(-40, 40), st.sampled_from([0.5, 2, 3, 7.5, 10, 250]))
def test_law_scaling_by_a_positive_factor_scales_the_limits_and_changes_no_icon(
        values, target, factor):
    before = chart(values, target=target)
    after = chart([v * factor for v in values], target=target * factor)
    for column in ("mean", "upper", "lower"):
        np.testing.assert_allclose(after[column], before[column] * factor, atol=1e-6)
    assert after["variation"].tolist() == before["variation"].tolist()
    assert after["assurance"].tolist() == before["assurance"].tolist()


# -- plausibility: a new value against accepted history -----------------------------------------

def _history(values, code="PI 1", polarity="Bigger is better"):
    return pd.DataFrame({"code": code, "period": np.arange(1, len(values) + 1),
                         "value": values, "polarity": polarity})


def test_a_new_value_is_judged_against_the_limits_of_accepted_history():
    history = _history(MDC_LIMITS)  # limits 8.76 to 37.64
    new = pd.DataFrame({"code": ["PI 1"], "period": [16], "value": [38]})
    found = against_history(history, new).iloc[0]
    assert (found["outside"], found["limited"]) == (1, True)
    assert (round(found["lower"], 2), round(found["upper"], 2)) == (8.76, 37.64)
    # whole numbers: the mean and limits to one place
    assert found["message"] == ("period 16: 38 is above the upper process limit 37.6 of 15 "
                                "accepted values (mean 23.2)")
    within = against_history(history, new.assign(value=12)).iloc[0]
    assert within["outside"] == 0 and within["message"] == (
        "period 16: 12 is within the process limits 8.8 to 37.6 of 15 accepted values "
        "(mean 23.2)")
    assert against_history(history, new.assign(value=8))["outside"].iloc[0] == -1
    short = against_history(_history(MDC_LIMITS[:10]), new.assign(period=11)).iloc[0]
    assert not short["limited"] and short["outside"] == 0
    assert short["message"] == "not enough data for SPC: 10 points, at least 15 needed"


def test_a_cumulative_measure_is_judged_on_its_increment_never_its_running_total():
    periods = [f"Q{q} 20{y}/{y + 1}" for y in range(10, 14) for q in range(1, 5)]
    history = pd.DataFrame({"code": "DofE 01", "period": periods,
                            "value": [175, 395, 560, 700, 160, 380, 570, 720, 190, 400, 555, 690,
                                      170, 390, 560, 710]})
    measures = pd.DataFrame({"code": ["DofE 01"], "polarity": ["High"], "cumulative": ["Yes"]})
    q1 = pd.DataFrame({"code": ["DofE 01"], "period": ["Q1 2014/15"], "value": [180]})
    q2 = pd.concat([q1, q1.assign(period="Q2 2014/15", value=400)], ignore_index=True)
    # Q2 more than doubles Q1's running total, as a year-to-date figure does: no query.
    found = against_history(history, q2, measures)
    assert found["charted"].tolist() == [180, 220]
    assert found["outside"].tolist() == [0, 0]
    assert "(the increment on the period before)" in found["message"].iloc[1]
    jump = against_history(history, q2.assign(value=[180, 900]), measures)
    assert jump["outside"].tolist() == [0, 1]
