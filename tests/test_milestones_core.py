"""Milestones' progress words and the per-objective counts of milestones and risks."""

from __future__ import annotations

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from xlperf.core.milestones import (
    ALL_OBJECTIVES,
    COMPLETE,
    EXCELLENT,
    FAIR,
    GOOD,
    NOT_STARTED,
    PROGRESS,
    PROGRESS_SYMBOLS,
    milestone_counts,
    progress_label,
    progress_of,
    rating_of,
    risk_counts,
)
from xlperf.layout import MILESTONES, RISKS


def test_every_progress_word_its_symbol_and_half_is_read_back() -> None:
    for word in PROGRESS:
        assert progress_of(word) == word
        assert progress_of(f"  {word.upper()} ") == word
        assert progress_of(PROGRESS_SYMBOLS[word]) == word
    assert progress_of("behind") == FAIR and progress_of("on schedule") == GOOD
    assert progress_of("ahead") == EXCELLENT and progress_of("not started") == NOT_STARTED
    for unknown in ("", "soon", None, float("nan"), "=1+1"):
        assert progress_of(unknown) is None


def test_labels_carry_a_symbol_never_colour_alone() -> None:
    labels = {progress_label(w) for w in PROGRESS}
    assert len(labels) == len(PROGRESS)
    assert progress_label(FAIR) == "▲ Fair / behind"
    assert len(set(PROGRESS_SYMBOLS.values())) == len(PROGRESS)


def test_milestones_counted_per_objective_in_order() -> None:
    frame = pd.DataFrame({"objective": ["Safe", "Safe", "Safe", "Green", "Green"],
                          "progress": ["★", "behind", "Complete", "good", "unknown"]})
    counts = milestone_counts(frame, ["Green", "Safe", "Healthy"])
    assert list(counts.index) == ["Green", "Safe", "Healthy"]
    assert list(counts.columns) == list(PROGRESS)
    assert counts.loc["Safe", EXCELLENT] == 1 and counts.loc["Safe", FAIR] == 1
    assert counts.loc["Safe", COMPLETE] == 1 and counts.loc["Green", GOOD] == 1
    assert int(counts.loc["Green"].sum()) == 1  # the unknown word is not counted
    assert int(counts.loc["Healthy"].sum()) == 0


def test_no_milestones_gives_zero_rows() -> None:
    counts = milestone_counts(pd.DataFrame({"objective": [], "progress": []}), ["A"])
    assert counts.loc["A"].tolist() == [0] * len(PROGRESS)


def test_risks_for_all_objectives_count_against_each() -> None:
    risks = pd.DataFrame({"objective": ["A", "A", ALL_OBJECTIVES, "B", "B"],
                          "rating": ["High", "low", "Medium", "Severe", "Low"]})
    counts = risk_counts(risks, ["A", "B"])
    assert counts.to_dict("index") == {"A": {"High": 1, "Medium": 1, "Low": 1},
                                       "B": {"High": 0, "Medium": 1, "Low": 1}}
    own = risk_counts(risks, ["A"], scale=("Severe", "Low"))
    assert list(own.columns) == ["Severe", "Low"]
    assert own.loc["B", "Severe"] == 1 and rating_of("severe", ("Severe",)) == "Severe"


@given(st.lists(st.tuples(st.sampled_from(["A", "B", "C"]),
                          st.sampled_from([*PROGRESS, "x", ""])), max_size=40))
def test_counts_add_up_to_the_milestones_with_a_known_word(rows: list[tuple[str, str]]) -> None:
    frame = pd.DataFrame(rows, columns=["objective", "progress"])
    counts = milestone_counts(frame, ["A", "B", "C"])
    known = sum(1 for _, word in rows if word in PROGRESS)
    assert int(counts.to_numpy().sum()) == known


def test_layout_declares_the_milestones_and_risks_sheets() -> None:
    assert MILESTONES.headers == ("Code", "Objective", "Milestone", "Lead officer", "Due date",
                                  "Service")
    assert set(RISKS.required) == {"Risk", "Objective", "Rating"}


def test_returned_milestone_problems_name_the_column_and_say_why() -> None:
    from xlperf.core.milestones import milestone_problems

    rows = pd.DataFrame({"code": ["M01", "M02", "M99", "M03"],
                         "progress": ["▲", "sometime", "Complete", None],
                         "commentary": [None, "fine", "", ""],
                         "due date": [pd.Timestamp("2026-03-31"), "next week", None,
                                      pd.Timestamp("2026-01-01")]})
    problems = milestone_problems(rows, ["M01", "M02", "m03"])
    got = {(int(r.row), r.column) for r in problems.itertuples()}
    assert got == {(0, "commentary"), (1, "progress"), (2, "code"), (1, "due date")}
    messages = " ".join(problems["message"])
    assert "M01 is behind" in messages and "'M99' is not on the master" in messages
    assert "'sometime' is not one of" in messages and "'next week' is not a date" in messages
    clean = milestone_problems(rows.iloc[[3]], ["M03"])
    assert clean.empty
