"""Each objective's milestones, projects and risks (issue 24, the output side): the pure core
(:mod:`xlperf.core.activity`) and the milestones' roll-up rule, with laws checked by
Hypothesis."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from xlperf.core.activity import (
    ACTIVITY_COLUMNS,
    MILESTONE_PROGRESS,
    NOT_REPORTED,
    activity_items,
    empty_activity,
    objective_activity,
    rollup_with_milestones,
)
from xlperf.core.milestones import COMPLETE, EXCELLENT, FAIR, GOOD, NOT_STARTED
from xlperf.core.rollup import AT_RISK, OFF_TRACK, ON_TRACK, rollup

A, B = "P1 - Obj 1 Safer streets", "P1 - Obj 2 Cleaner air"
SHEETS = {
    "Milestones": pd.DataFrame({
        "Code": ["M1", "M2", "M3"], "Objective": [A, A, B],
        "Milestone": ["Hub open", "Audit done", "Sensors fitted"],
        "Lead officer": ["Head of Safety", "Head of Safety", "Head of Air"],
        "Due date": [dt.datetime(2014, 3, 31), None, dt.datetime(2013, 12, 31)],
        "Service": ["Safety", "Safety", ""]}),
    "Projects": pd.DataFrame({"Code": ["P1"], "Objective": [B], "Project": ["Clean buses"],
                              "Lead officer": ["Head of Air"], "Service": ["Air"]}),
    "Risks": pd.DataFrame({"Risk": ["Funding", "Staff", "Flood", "Typo"],
                           "Objective": [A, "All objectives", B, A],
                           "Rating": ["high", "Medium", "Low", "Severe"]}),
}


def activity(rows: list[tuple]) -> pd.DataFrame:
    """The activity frame of ``rows`` (every column but the last, ``revised_date``)."""
    return pd.DataFrame(rows, columns=list(ACTIVITY_COLUMNS[:-1])).reindex(
        columns=list(ACTIVITY_COLUMNS))


def test_items_take_the_periods_returns_and_say_not_reported_for_the_rest():
    back = activity([
        ("M1", "milestone", "Q2 2013/14", "behind", None, "Builder late", "Safety", "s.xlsx"),
        ("M1", "milestone", "Q1 2013/14", "ahead", None, "", "Safety", "old.xlsx"),
        ("m3", "milestone", "Q2 2013/14", "★", None, "", "Air team", "a.xlsx"),
        ("P1", "project", "Q2 2013/14", "a", "Green", "Two buses late", "Air", "a.xlsx"),
    ])
    items = activity_items(SHEETS, back, "Q2 2013/14").set_index("code")
    assert items.loc["M1", "progress"] == FAIR and items.loc["M1", "commentary"] == "Builder late"
    assert items.loc["M2", "progress"] == NOT_REPORTED and items.loc["M2", "source"] == ""
    # the code is matched without case; the service the master leaves blank is the return's
    assert items.loc["M3", "progress"] == EXCELLENT and items.loc["M3", "service"] == "Air team"
    assert (items.loc["P1", "progress"], items.loc["P1", "forecast"]) == ("Amber", "Green")
    assert items.loc["P1", "kind"] == "project" and pd.isna(items.loc["M1", "forecast"])
    assert items.loc["M1", "due_date"] == dt.datetime(2014, 3, 31)
    # another period's rows only
    q1 = activity_items(SHEETS, back, "Q1 2013/14").set_index("code")
    assert q1.loc["M1", "progress"] == EXCELLENT and q1.loc["P1", "progress"] == NOT_REPORTED


def test_no_activity_frame_means_every_milestone_and_project_is_not_reported():
    for given_frame in (None, empty_activity()):
        items = activity_items(SHEETS, given_frame, "Q2 2013/14")
        assert list(items["code"]) == ["M1", "M2", "M3", "P1"]
        assert set(items["progress"]) == {NOT_REPORTED}
    assert activity_items({}, None).empty


def test_counts_per_objective_with_the_all_objectives_risk_apart():
    back = activity([("M1", "milestone", "Q2 2013/14", "▲", None, "Late", "Safety", "s.xlsx"),
                     ("M3", "milestone", "Q2 2013/14", "complete", None, "", "Air", "a.xlsx")])
    block = objective_activity(SHEETS, back, "Q2 2013/14")
    counts = block.counts([A, B, "P1 - Obj 3 Nothing yet"])
    assert list(counts.index) == [A, B, "P1 - Obj 3 Nothing yet"]
    assert counts.loc[A, FAIR] == 1 and counts.loc[A, NOT_REPORTED] == 1
    assert counts.loc[B, COMPLETE] == 1 and counts.loc[B, "projects"] == 1
    assert counts.loc[A, "risk High"] == 1 and counts.loc[A, "risk Medium"] == 0
    # a rating off the scale is not counted (the register's REG-083 says so)
    assert counts.loc[A, ["risk High", "risk Medium", "risk Low"]].sum() == 1
    assert counts.loc[B, "risk Low"] == 1
    assert set(counts["all objectives risks"]) == {1}
    assert counts.loc["P1 - Obj 3 Nothing yet", list(MILESTONE_PROGRESS)].sum() == 0
    # objectives matched with spaces and case ignored, as the register check matches them
    loose = block.counts(["p1 - obj 1  safer streets"])
    assert loose.loc["p1 - obj 1  safer streets", FAIR] == 1


def test_the_councils_own_risk_scale():
    sheets = {"Risks": pd.DataFrame({"Risk": ["x", "y"], "Objective": [A, A],
                                     "Rating": ["red", "High"]})}
    block = objective_activity(sheets, None, ratings=("Red", "Amber", "Green"))
    counts = block.counts([A])
    assert counts.loc[A, "risk Red"] == 1 and "risk High" not in counts.columns


def _scored(statuses: list[str], objective: str = A) -> pd.DataFrame:
    look = {"Green": (0, True), "Amber": (1, True), "Red": (2, True), "Data only": (0, False)}
    return pd.DataFrame({"priority": "P1", "objective": objective, "status": statuses,
                         "severity": [look[s][0] for s in statuses],
                         "rated": [look[s][1] for s in statuses]})


def test_milestones_count_only_when_the_council_says_so():
    scored = _scored(["Green", "Green"])
    behind = pd.DataFrame({"objective": [A, A], "progress": [FAIR, FAIR]})
    assert rollup(scored, "objective")["judgement"].tolist() == [ON_TRACK]
    rolled = rollup_with_milestones(scored, behind, ["priority", "objective"])
    # two behind of four rated: half worse than target within tolerance, At Risk
    assert rolled["judgement"].tolist() == [AT_RISK]
    assert rolled[["measures", "rated", "near"]].values.tolist() == [[2, 2, 0]]
    # Not started and Not reported are not rated: an objective of data only stays unrated
    quiet = pd.DataFrame({"objective": [A, A], "progress": [NOT_STARTED, NOT_REPORTED]})
    data_only = _scored(["Data only"])
    assert rollup_with_milestones(data_only, quiet)["judgement"].tolist() == [ON_TRACK]
    assert rollup_with_milestones(data_only, behind[:1])["judgement"].tolist() == [AT_RISK]
    # a milestone of an objective without measures has no line to judge
    elsewhere = pd.DataFrame({"objective": [B], "progress": [FAIR]})
    assert rollup_with_milestones(scored, elsewhere)["objective"].tolist() == [A]


statuses = st.lists(st.sampled_from(["Green", "Amber", "Red", "Data only"]), min_size=1,
                    max_size=8)


@settings(max_examples=60, deadline=None)
@given(statuses, st.lists(st.sampled_from(list(MILESTONE_PROGRESS)), max_size=6))
def test_roll_up_laws(measure_statuses: list[str], progress: list[str]):
    scored = _scored(measure_statuses)
    milestones = pd.DataFrame({"objective": [A] * len(progress), "progress": progress},
                              dtype=object)
    plain = rollup(scored, "objective")
    judged = rollup_with_milestones(scored, milestones)
    # the measures' counts never change, only the judgement may
    assert judged.drop(columns="judgement").equals(plain.drop(columns="judgement"))
    # each milestone counts exactly as the measure its progress is like: ahead, on schedule,
    # complete as Green, behind as Amber, not started and not reported as Data only
    like = {EXCELLENT: "Green", GOOD: "Green", COMPLETE: "Green", FAIR: "Amber",
            NOT_STARTED: "Data only", NOT_REPORTED: "Data only"}
    as_measures = _scored(measure_statuses + [like[p] for p in progress])
    assert judged["judgement"].tolist() == rollup(as_measures, "objective")["judgement"].tolist()
    # milestones that are not rated change nothing
    unrated = pd.DataFrame({"objective": [A] * 3,
                            "progress": [NOT_STARTED, NOT_REPORTED, NOT_STARTED]})
    assert rollup_with_milestones(scored, unrated).equals(plain)
    assert judged["judgement"].iloc[0] in (ON_TRACK, AT_RISK, OFF_TRACK)
