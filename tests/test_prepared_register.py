"""A register prepared once per refresh: the same scores and frozen statuses as preparing it
at every call, and a master's prepared register cannot be changed by its callers."""

from __future__ import annotations

import pandas as pd
import pytest

import xlperf
from xlperf.core.measures import prepare_measures
from xlperf.demo import demo_register, demo_values
from xlperf.layout import MEASURES
from xlperf.ledger import Ledger
from xlperf.read.master import read_master_grids

PERIOD = "Q2 2013/14"


def _master_grids() -> dict[str, list[list[object]]]:
    register = demo_register()
    headers = list(register.columns)
    rows = [[None if pd.isna(v) else v for v in row] for row in register.to_numpy().tolist()]
    return {"Measures": [headers, *rows]}


def test_a_prepared_register_scores_as_the_register_itself() -> None:
    register, values = demo_register(), demo_values()
    expected = xlperf.score(values, register, PERIOD)
    prepared = prepare_measures(register)
    before = prepared.copy()
    got = xlperf.score(values, prepared, PERIOD, prepared=True)
    pd.testing.assert_frame_equal(got, expected)
    pd.testing.assert_frame_equal(prepared, before)  # not changed by scoring


def test_the_master_prepares_once_and_hands_out_copies() -> None:
    master = read_master_grids(_master_grids())
    first = master.prepared_register
    pd.testing.assert_frame_equal(first, prepare_measures(master.usable_register))
    first.loc[first.index[0], "polarity"] = "changed"
    first["extra"] = 1
    again = master.prepared_register
    assert again is not first
    pd.testing.assert_frame_equal(again, prepare_measures(master.usable_register))
    pd.testing.assert_frame_equal(master.score(demo_values(), PERIOD),
                                  xlperf.score(demo_values(), master.usable_register, PERIOD))


def test_a_master_without_measures_still_scores_nothing() -> None:
    master = read_master_grids({"Measures": [list(MEASURES.headers)]})
    assert len(master.prepared_register) == 0


@pytest.mark.parametrize("prepared", [False, True])
def test_freezing_with_a_prepared_register_freezes_the_same(tmp_path, prepared: bool) -> None:
    register, values = demo_register(), demo_values()
    scored = xlperf.score(values, register, PERIOD)
    with Ledger(tmp_path / "a.sqlite") as plain, Ledger(tmp_path / "b.sqlite") as other:
        plain.freeze_statuses(scored, measures=register)
        other.freeze_statuses(scored, measures=prepare_measures(register) if prepared
                              else register, prepared=prepared)
        columns = ["code", "period_key", "status", "tolerance", "tolerance_type", "scheme",
                   "polarity", "target", "actual"]
        pd.testing.assert_frame_equal(plain.frozen_statuses()[columns],
                                      other.frozen_statuses()[columns])
