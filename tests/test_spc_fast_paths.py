"""Laws of the fast paths of the SPC core (issue 23's speed aim): ``spc()`` reads each
measure's latest row from the chart's arrays, not from the frame ``xmr()`` gives, so both
must say the same; rules judge run and trend lengths per stretch of points with each
measure's own setting; moving ranges are summed with a 0 where a segment starts. Generated
charts of several measures at once, with gaps, ghosted points, rebases, per-measure settings,
screening on and off, and rows out of order."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xlperf.core.spc import SpcSettings, spc, summarise, xmr

LAW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
POLARITIES = ("Bigger is better", "Smaller is better", "Data only")

points = st.one_of(st.none(), st.integers(-6, 6).map(lambda v: 10 + v),  # ties: on the mean
                   st.floats(-50, 50, allow_nan=False).map(lambda v: round(v, 2)))
marks = st.sampled_from(["", "", "", "", "", "", "ghost", "rebase"])


@st.composite
def blocks(draw: st.DrawFn) -> list[float | None]:
    """Histories made of runs (one side of 10) and trends of 1 to 9 points, so that runs and
    trends near each setting's length (6, 7, 8) are common."""
    values: list[float | None] = []
    while len(values) < 24:
        size = draw(st.integers(1, 9))
        if draw(st.booleans()):  # a run on one side
            side = draw(st.sampled_from([-1, 1]))
            values += [10 + side * draw(st.sampled_from([1, 2, 3])) for _ in range(size)]
        else:  # a trend
            step = draw(st.sampled_from([-1, 1]))
            values += [10 + step * (i - size // 2) for i in range(size)]
        if draw(st.integers(0, 9)) == 0:
            values.append(None)
    return values


@st.composite
def charts(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame, SpcSettings]:
    """A long frame of 1 to 4 measures (12 to 40 periods each), their register and settings."""
    rows, register = [], []
    for m in range(draw(st.integers(1, 4))):
        code = f"PI {m}"
        values = draw(st.one_of(st.lists(points, min_size=12, max_size=40), blocks()))
        for period, value in enumerate(values, start=1):
            mark = draw(marks)
            rows.append({"code": code, "period": period, "value": value,
                         "ghost": "a data error" if mark == "ghost" else None,
                         "rebase": "new process" if mark == "rebase" else None})
        register.append({
            "code": code, "polarity": draw(st.sampled_from(POLARITIES)),
            "target": draw(st.one_of(st.none(), st.integers(0, 20))),
            "run_length": draw(st.sampled_from([None, 6, 7, 8])),
            "trend_length": draw(st.sampled_from([None, 6, 7, 8])),
            "minimum_points": draw(st.sampled_from([None, 12, 15])),
            "screen_moving_ranges": draw(st.sampled_from([None, "Yes", "No"]))})
    frame = pd.DataFrame(rows)
    if draw(st.booleans()):  # rows out of order: the chart sorts them
        frame = frame.sample(frac=1, random_state=draw(st.integers(0, 1000)))
    options = SpcSettings(screen_moving_ranges=draw(st.booleans()),
                          conflict=draw(st.sampled_from(["rule order", "improvement",
                                                          "concern"])))
    return frame, pd.DataFrame(register), options


@LAW
@given(charts())
def test_law_the_summary_from_the_arrays_is_the_summary_of_the_frame(case):
    values, register, options = case
    pd.testing.assert_frame_equal(spc(values, register, options),
                                  summarise(xmr(values, register, options)), check_exact=True)


@LAW
@given(charts())
def test_law_each_measure_alone_is_charted_as_it_is_among_others(case):
    values, register, options = case
    # (the reasons' column is text or blanks as the rows given have reasons or not)
    together = xmr(values, register, options).set_index(["code", "period"]).drop(
        columns=["ghost", "rebase"])
    for code, rows in values.groupby("code"):
        alone = xmr(rows, register[register["code"] == code], options).set_index(
            ["code", "period"]).drop(columns=["ghost", "rebase"])
        pd.testing.assert_frame_equal(alone, together.loc[alone.index], check_exact=True)


JUDGED_COLUMNS = ("mean", "lower", "upper", "lower_2sigma", "upper_2sigma", "points",
                  "measure_points", "moving_range", "screened", "limited", "beyond", "run",
                  "rising", "falling", "two_of_three", "special", "conflict", "run_points",
                  "trend_points", "near_points", "variation", "assurance")


@LAW
@given(charts())
def test_law_a_ghosted_or_missing_point_is_as_if_it_were_not_there(case):
    """Limits, moving ranges (joining the points either side), runs and trends of the points
    that are judged are those of the chart without the ghosted and missing points."""
    values, register, options = case
    chart = xmr(values, register, options)
    # A rebase marked on a point that is left out moves to nothing: keep only clean removals.
    gone = values["value"].isna() | values["ghost"].notna()
    keep = values[~gone | values["rebase"].isna()]
    chart = xmr(keep, register, options)
    judged = chart[chart["charted"].notna() & chart["ghost"].isna()]
    without = xmr(keep[keep["value"].notna() & keep["ghost"].isna()], register, options)
    # (measures come in the order their codes first appear: compare measure by measure)
    columns = ["code", "period", *JUDGED_COLUMNS]
    pd.testing.assert_frame_equal(
        judged[columns].sort_values(["code", "period"]).reset_index(drop=True),
        without[columns].sort_values(["code", "period"]).reset_index(drop=True),
        check_exact=True)


def test_moving_ranges_of_infinite_values_are_missing_not_counted():
    # infinity minus infinity is no range: the segment's mean range is of the others
    values = [1.0, 2.0, np.inf, np.inf, 4.0, *([3.0, 5.0] * 6)]
    frame = pd.DataFrame({"code": "A", "period": range(1, len(values) + 1), "value": values,
                          "polarity": "High"})
    c = xmr(frame)
    ranges = c["moving_range"].to_numpy()
    assert np.isnan(ranges[0]) and np.isnan(ranges[3])
    assert np.isinf(ranges[2]) and np.isinf(ranges[4])
    assert (c["moving_range"].notna().sum(), c["points"].iloc[0]) == (len(values) - 2,
                                                                     len(values))


def test_the_chart_shares_no_memory_with_the_values_given():
    # rows in order are not copied while the chart is worked out; its frame still owns its
    # columns, so changing the chart never changes the caller's frame
    values = pd.DataFrame({"code": "A", "period": np.arange(1.0, 16.0),
                           "value": np.arange(15.0) % 4, "target": 2.0, "polarity": "High"})
    before = values.copy()
    chart = xmr(values)
    for column in ("period", "order", "value", "charted", "target"):
        assert not np.shares_memory(chart[column].to_numpy(), values["period"].to_numpy())
        assert not np.shares_memory(chart[column].to_numpy(), values["value"].to_numpy())
        assert not np.shares_memory(chart[column].to_numpy(), values["target"].to_numpy())
    chart.loc[0, ["period", "order", "value", "charted", "target"]] = -1
    pd.testing.assert_frame_equal(values, before)
