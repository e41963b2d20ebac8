"""The vectorised status look-ups added for the worksheet functions agree with the scalar ones."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xlperf.core.rollup import (
    RollupRule,
    count_statuses,
    judge_statuses,
    objective_status,
    status_severities,
)

WORDS = st.sampled_from(["Green", "Amber", "Red", "red ", "Green plus", "Red diamond",
                         "Below tolerance", "No data", "Data only", "Unknown", "", None])


@given(st.lists(WORDS, max_size=12), st.sampled_from([RollupRule(), RollupRule(0.5, 0.25,
                                                                               "Not rated")]))
def test_judge_statuses_equals_objective_status(words, rule):
    assert judge_statuses(words, rule) == objective_status(words, rule)


@given(st.lists(WORDS, max_size=12), st.lists(WORDS, min_size=1, max_size=4))
def test_count_statuses_counts_case_and_spaces_ignored(words, wanted):
    def key(word):
        return "" if word is None else str(word).strip().casefold()

    expected = [sum(1 for w in words if key(w) == key(x) and key(x) != "") for x in wanted]
    assert count_statuses(words, wanted).tolist() == expected


@pytest.mark.parametrize(("word", "severity", "rated"), [
    ("Red", 2, True), ("Amber", 1, True), ("Green", 0, True), ("No data", 1, False),
    ("Unknown", 0, False),
])
def test_status_severities(word, severity, rated):
    got_severity, got_rated, present = status_severities([word])
    assert (int(got_severity[0]), bool(got_rated[0]), bool(present[0])) == (severity, rated, True)


def _rollup_by_groupby(scored, by="objective", rule=RollupRule()):
    """The roll-up as pandas spells it (a groupby aggregate and a crosstab): what
    :func:`xlperf.core.rollup.rollup` did before it counted with one factorised pass."""
    import numpy as np
    import pandas as pd

    from xlperf.core.rollup import AT_RISK, OFF_TRACK, ON_TRACK

    keys = [by] if isinstance(by, str) else list(by)
    frame = scored[[*keys, "status", "rated", "severity"]].copy()
    for key in keys:
        frame[key] = frame[key].astype(object).where(frame[key].notna(), "")
    frame["_met"] = frame["rated"] & (frame["severity"] == 0)
    frame["_near"] = frame["rated"] & (frame["severity"] == 1)
    frame["_missed"] = frame["rated"] & (frame["severity"] == 2)
    summary = frame.groupby(keys, sort=False).agg(
        measures=("status", "size"), rated=("rated", "sum"), met=("_met", "sum"),
        near=("_near", "sum"), missed=("_missed", "sum"))
    counts = pd.crosstab([frame[k] for k in keys], frame["status"])
    counts.columns = [str(c) for c in counts.columns]
    summary = summary.join(counts.reindex(summary.index).fillna(0).astype(int))
    rated = summary["rated"].to_numpy()
    missed_share = np.divide(summary["missed"], rated, out=np.zeros(len(rated)), where=rated > 0)
    near_share = np.divide(summary["near"], rated, out=np.zeros(len(rated)), where=rated > 0)
    judgement = np.where(
        missed_share >= rule.off_track_share, OFF_TRACK,
        np.where((summary["missed"] > 0) | (near_share >= rule.at_risk_share), AT_RISK,
                 ON_TRACK)).astype(object)
    judgement[rated == 0] = rule.unrated
    summary["judgement"] = judgement
    return summary.reset_index()


ROW = st.tuples(st.sampled_from(["P1", "P2", None]), st.sampled_from(["A", "B", "C", "", None]),
                st.sampled_from(["Green", "Amber", "Red", "Data only", "No data", None]),
                st.integers(0, 2), st.booleans())


@given(st.lists(ROW, min_size=1, max_size=14), st.sampled_from(
    ["objective", ["priority", "objective"], "priority"]),
       st.sampled_from([RollupRule(), RollupRule(0.5, 0.25, "Not rated")]),
       st.booleans())
def test_rollup_counts_what_a_groupby_and_a_crosstab_count(rows, by, rule, strings):
    """Group order, columns (status words sorted), counts, dtypes and judgements: the same
    frame as pandas' groupby aggregate and crosstab, with blank keys and missing statuses."""
    import pandas as pd

    from xlperf.core.rollup import rollup

    scored = pd.DataFrame(rows, columns=["priority", "objective", "status", "severity",
                                         "rated"])
    scored["severity"] = scored["severity"].astype("int8")
    if strings:  # as score() gives them: pandas' string dtype
        for column in ("priority", "objective", "status"):
            scored[column] = scored[column].astype("str")
    pd.testing.assert_frame_equal(rollup(scored, by, rule),
                                  _rollup_by_groupby(scored, by, rule))
