"""Reading values back from the ledger: the lean read a refresh scores with, and the order."""

from __future__ import annotations

import pandas as pd

from xlperf.ledger import Ledger

VALUES = pd.DataFrame({
    "Code": ["B 2", "A 1", "A 1", "A 1", "B 2", "C 3"],
    "Period": ["Aug-13", "Q1 2013/14", "Jul-13", "Jul-13", "2012/13", "Jun-13"],
    "Actual": [1.5, 3, 4, "TBC", 7, None],
    "Commentary": ["a", None, "c", "", "x", "y"],
    "Numerator": [1, None, 2.5, None, 3, 4],
    "Source file": ["f.xlsx", None, "g.xlsx", "h.xlsx", "i.xlsx", "j.xlsx"],
})


def test_the_lean_read_is_the_full_read_without_provenance(tmp_path) -> None:
    with Ledger(tmp_path / "l.sqlite") as ledger:
        ledger.record_values(VALUES, keep_blank=True)
        for select in ({}, {"keys": ["2013-07", "2012/13"]}, {"codes": ["A 1"]},
                       {"keys": ["1999-01"]}):
            full = ledger.current_values(**select)
            lean = ledger.current_values(provenance=False, **select)
            assert lean.columns.tolist() == ["Code", "Period", "Actual", "No data reason",
                                             "Numerator", "Denominator", "Commentary",
                                             "Reported status", "Period key"]
            pd.testing.assert_frame_equal(lean, full[lean.columns.tolist()])


def test_values_come_by_code_then_period_end_then_start(tmp_path) -> None:
    with Ledger(tmp_path / "l.sqlite") as ledger:
        ledger.record_values(VALUES, keep_blank=True)
        got = ledger.current_values()
        assert list(zip(got["Code"], got["Period"], strict=True)) == [
            ("A 1", "Q1 2013/14"), ("A 1", "Jul-13"), ("B 2", "2012/13"), ("B 2", "Aug-13"),
            ("C 3", "Jun-13")]
        assert got.loc[1, "No data reason"] == "to be confirmed"  # the later Jul-13 wins
        assert got["Source file"].tolist()[:2] == [None, "h.xlsx"]
