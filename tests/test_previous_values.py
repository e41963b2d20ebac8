"""The values a return is checked against are the same whether the ledger is read for them
or they are taken from its current values read already (the refresh reads those once)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from xlperf import demo
from xlperf.ledger import Ledger, previous_values


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ledger") / "values.ledger.sqlite"
    values = demo.demo_values()
    with Ledger(path) as store:
        store.record_values(values)
        # a correction: the latest recorded is the one in use
        store.record_values(values.head(3).assign(Actual=values["Actual"].head(3) + 1))
    return path


@pytest.mark.parametrize("period", [None, "Q2 2013/14", "Sep-13", "Q1 2011/12", "Apr-10",
                                    "2012/13", "Q4 2009/10"])
def test_the_same_from_the_ledger_or_from_its_values_read_already(ledger: Path,
                                                                   period: str | None) -> None:
    with Ledger(ledger) as store:
        read = previous_values(store, period)
        given = previous_values(store, period,
                                values=store.current_values(provenance=False))
    pd.testing.assert_frame_equal(given, read)
    if period == "Q1 2011/12":  # a period in the middle: later values are left out
        assert 0 < len(read) < len(previous_values(ledger, None))
