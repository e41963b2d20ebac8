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
