"""Text that a spreadsheet would run as a formula stays text at every door that writes or
cleans it: one list (xlperf.core.values.FORMULA_STARTS) decides, so the doors agree."""

from __future__ import annotations

import pandas as pd
import pytest

from xlperf.core.values import FORMULA_STARTS, clean_commentary
from xlperf.ledger._export import neutralise_formulas
from xlperf.server._actions import neutralise

RISKY = [f"{start}SUM(A1:A9)" for start in FORMULA_STARTS if start not in "\t\r"]


@pytest.mark.parametrize("text", RISKY)
def test_every_door_keeps_a_formula_start_as_text(text):
    assert clean_commentary(text) == text  # kept exactly as typed, never cleaned or evaluated
    assert neutralise(text) == "'" + text  # the task pane
    assert neutralise_formulas(pd.DataFrame({"c": [text]}))["c"].tolist() == ["'" + text]


@pytest.mark.parametrize("text", ["Green", "12 cases", "£3,000", "", "x=1"])
def test_ordinary_text_is_left_alone(text):
    assert neutralise(text) == text
    assert neutralise_formulas(pd.DataFrame({"c": [text]}))["c"].tolist() == [text]


def test_a_leading_tab_or_return_is_guarded_in_the_csv_and_the_pane():
    for text in ("\t=1+1", "\r=1+1"):
        assert neutralise(text) == "'" + text
        assert neutralise_formulas(pd.DataFrame({"c": [text]}))["c"].tolist() == ["'" + text]
