"""score(): one row per measure for a reporting period, from a register and reported values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import xlperf
from xlperf.core.score import SCORE_COLUMNS, due_period, score
from xlperf.demo import demo_register, demo_values
from xlperf.errors import InputError

REGISTER = pd.DataFrame(
    [
        # Code, Polarity, Frequency, Annual target, Tolerance, Tolerance type, Cumulative, DoT
        ("%Re-Ref", "Smaller is better", "Quarterly", 25, 2, "absolute", "No", ""),
        ("DofE 01", "Bigger is better", "Quarterly", 730, 5, "%", "Yes", ""),
        ("NEET", "Smaller is better", "Monthly", 7.1, 0.5, "absolute", "No",
         "Same period last year"),
        ("NI_147", "Bigger is better", "Annual", 85, 5, "absolute", "No", ""),
        ("R&E 1.6.1", "Data only", "Quarterly", "Not Set", None, "", "No", ""),
        ("CYP 2.1.6", "Smaller is better", "Monthly", 0, 2, "absolute", "No", ""),
        ("LAC PERM", "Bigger is better", "Quarterly", "TBC", 5, "absolute", "No", ""),
    ],
    columns=["Code", "Polarity", "Frequency", "Annual target", "Tolerance", "Tolerance type",
             "Cumulative", "DoT basis"],
)
REGISTER["Measure"] = REGISTER["Code"] + " title"
REGISTER["Objective"] = "P2 - Obj 1"
REGISTER["Priority"] = "Priority 2"

VALUES = pd.DataFrame(
    [
        ("%Re-Ref", "Q3 2014/15", "35%", None, None),
        ("%Re-Ref", "Q4 2014/15", "30%", None, None),
        ("%Re-Ref", "Q1 2015/16", "24%", None, None),
        ("%Re-Ref", "Q2 2015/16", "23%", None, None),
        ("%Re-Ref", "Q3 2015-16", "23%", "<p>Stable&nbsp;at 23%.</p>", "Green"),
        ("DofE 01", "Q2 2015/16", 400, None, None),
        ("DofE 01", "Q3 2015/16", 540, None, None),
        ("NEET", "Dec-14", 6.1, None, None),
        ("NEET", "Nov-15", 6.9, None, None),
        ("NEET", "30/12/2015", 6.7, None, None),
        ("NI_147", "2014/15", "90.5%", None, None),
        ("R&E 1.6.1", "Q3 2015/16", 4, None, None),
        ("CYP 2.1.6", "Dec-15", 7.41, None, "Green"),
        ("LAC PERM", "Q3 2015/16", "under development", None, None),
    ],
    columns=["Code", "Period", "Actual", "Latest note", "Reported status"],
)


@pytest.fixture(scope="module")
def scored() -> pd.DataFrame:
    return xlperf.score(VALUES, REGISTER, "Q3 2015/16").set_index("code")


def test_one_row_per_measure_with_every_column(scored):
    assert list(scored.reset_index().columns) == list(SCORE_COLUMNS)
    assert list(scored.index) == REGISTER["Code"].tolist()


def test_re_referrals_like_the_trust_prints_them(scored):
    row = scored.loc["%Re-Ref"]
    assert (row["actual"], row["target"], row["status"]) == (23, 25, "Green")
    assert row["direction"] == "No change ↔"
    assert row["trend"] == "Improving ↑"
    assert row["trend_values"] == "35 | 30 | 24 | 23 | 23"
    assert row["variance"] == -2 and row["reading"] == "better"
    assert row["commentary"] == "Stable at 23%."
    assert not row["reported_differs"]


def test_cumulative_target_is_profiled(scored):
    row = scored.loc["DofE 01"]
    assert row["target"] == 547  # Q3 of 730 a year
    assert row["status"] == "Amber"  # 540 is 7 short, within 5% of 547 (27.35)
    assert row["direction"] == "Improving ↑"


def test_direction_against_same_period_last_year(scored):
    row = scored.loc["NEET"]
    assert row["period"] == "Dec-15"
    assert row["previous"] == 6.1  # Dec-14, not Nov-15
    assert row["direction"] == "Worsening ↓"


@pytest.mark.parametrize(("frequency", "periods", "compared"), [
    ("Quarterly", ["Q1 2015/16", "Q2 2015/16", "Q3 2015/16"], "Q1 2015/16"),
    ("Monthly", ["Jun-15", "Nov-15", "Dec-15"], "Jun-15"),
])
def test_direction_against_six_months_ago(frequency, periods, compared):
    """Six months ago is two quarters or six months back, whatever lies between."""
    measures = pd.DataFrame({"Code": ["M1"], "Polarity": ["Bigger is better"],
                             "Frequency": [frequency], "DoT basis": ["Six months ago"]})
    values = pd.DataFrame({"Code": ["M1"] * 3, "Period": periods, "Actual": [50, 90, 60]})
    row = score(values, measures, periods[-1]).iloc[0]
    assert row["previous"] == 50, f"compared with {compared}, not the period before"
    assert row["direction"] == "Improving ↑"


def test_an_annual_measure_has_no_period_six_months_ago():
    measures = pd.DataFrame({"Code": ["A1"], "Polarity": ["Bigger is better"],
                             "Frequency": ["Annual"], "DoT basis": ["6 months ago"]})
    values = pd.DataFrame({"Code": ["A1"] * 2, "Period": ["2013/14", "2014/15"],
                           "Actual": [50, 60]})
    row = score(values, measures, "2014/15").iloc[0]
    assert pd.isna(row["previous"]) and row["direction"] == "Not comparable"


def test_annual_measure_scored_for_last_financial_year(scored):
    row = scored.loc["NI_147"]
    assert row["period"] == "2014/15"
    assert row["status"] == "Green"


def test_data_only_no_target_and_no_data(scored):
    assert scored.loc["R&E 1.6.1", "status"] == "Data only"
    assert scored.loc["LAC PERM", "status"] == "No data"
    assert scored.loc["LAC PERM", "actual_reason"] == "under development"
    assert np.isnan(scored.loc["LAC PERM", "target"])


def test_reported_status_kept_and_flagged_when_it_disagrees(scored):
    # Seed 000: CYP 2.1.6 reported "Green" for 7.41 against 0, smaller is better.
    row = scored.loc["CYP 2.1.6"]
    assert row["status"] == "Red"
    assert row["reported_status"] == "Green"
    assert row["reported_differs"]
    assert row["variance_pct"] != row["variance_pct"]  # NaN: target is 0
    assert row["variance_note"] == "target is 0"


def test_missing_return_is_no_data():
    values = VALUES[VALUES["Code"] != "NI_147"]
    row = xlperf.score(values, REGISTER, "Q3 2015/16").set_index("code").loc["NI_147"]
    assert row["status"] == "No data" and row["actual_reason"] == "no return"


def test_later_rows_restate_earlier_ones():
    restated = pd.concat([VALUES, pd.DataFrame([("%Re-Ref", "Q3 2015/16", "28%", None, None)],
                                                columns=VALUES.columns)])
    row = xlperf.score(restated, REGISTER, "Q3 2015/16").set_index("code").loc["%Re-Ref"]
    assert row["actual"] == 28 and row["status"] == "Red"


def test_targets_table_overrides_the_profile():
    targets = pd.DataFrame({"Code": ["DofE 01"], "Period": ["Q3 2015/16"], "Target": [500]})
    row = xlperf.score(VALUES, REGISTER, "Q3 2015/16", targets=targets).set_index(
        "code").loc["DofE 01"]
    assert row["target"] == 500 and row["status"] == "Green"


def test_inputs_are_not_changed():
    before_values, before_register = VALUES.copy(), REGISTER.copy()
    xlperf.score(VALUES, REGISTER, "Q3 2015/16")
    pd.testing.assert_frame_equal(VALUES, before_values)
    pd.testing.assert_frame_equal(REGISTER, before_register)


def test_bad_register_word_is_an_input_error():
    bad = REGISTER.copy()
    bad.loc[0, "Polarity"] = "sideways"
    with pytest.raises(InputError) as caught:
        xlperf.score(VALUES, bad, "Q3 2015/16")
    assert "sideways" in str(caught.value)


def test_due_periods():
    q1 = xlperf.parse_period("Q1 2013/14")
    assert due_period(q1, "quarter") == q1
    assert due_period(xlperf.parse_period("May-13"), "quarter").format() == "Q4 2012/13"
    assert due_period(xlperf.parse_period("Mar-14"), "year").format() == "2013/14"


def test_demo_scores_every_measure():
    register = demo_register()
    scored = xlperf.score(demo_values(), register, "Q2 2013/14")
    assert len(scored) == len(register)
    assert all(e.endswith(": " + s) for e, s in zip(scored["explanation"], scored["status"],
                                                    strict=True))
    assert set(scored["status"]) >= {"Green", "Red", "Data only", "No data", "No target"}


def test_a_stated_no_data_reason_is_kept():
    # The ledger gives an empty actual with its reason beside it.
    values = pd.DataFrame({"Code": ["NI_147"], "Period": ["2014/15"], "Actual": [np.nan],
                           "No data reason": ["to be confirmed"]})
    row = xlperf.score(values, REGISTER, "Q3 2015/16").set_index("code").loc["NI_147"]
    assert row["status"] == "No data" and row["actual_reason"] == "to be confirmed"
    assert row["explanation"] == "No actual for this period (to be confirmed): No data"


def test_statuses_of_many_periods_rated_together_are_each_periods_own_score():
    # score_periods rates its statuses-only periods in one call, end to end: each must be what
    # scoring that period by itself gives (the demo: monthly, quarterly and annual measures,
    # gaps, text targets).
    from xlperf.core.score import score_periods

    register, values = demo_register(), demo_values()
    periods = ["Sep-13", "Aug-13", "Jun-13", "Mar-13", "Dec-12", "Sep-12", "Mar-12"]
    together = score_periods(values, register, periods, full=1)
    assert len(together) == len(periods)
    for period, frame in zip(periods[1:], together[1:], strict=True):
        alone = xlperf.score(values, register, period)
        pd.testing.assert_frame_equal(frame, alone[list(frame.columns)].reset_index(drop=True),
                                      check_dtype=False, check_categorical=False)
        assert frame["status"].notna().all() and (frame["status"] != "").all()
    assert {"Red", "Green"} <= set(together[-1]["status"])
