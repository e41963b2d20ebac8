"""``import-history`` freezes SPC with the statuses it scores (issue 23, docs/spc.md): each
imported period's variation and assurance, with the limits, are in the ledger at once, the
same as a refresh freezes (both call :func:`xlperf.core.spc_scored.with_spc`)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """The demo master with the demo's history before Q2 2013/14 imported, checked against
    the master (``xlperf import-history --master``), and its ledger read back."""
    from xlperf import demo
    from xlperf.core.periods import parse_period
    from xlperf.council import Council
    from xlperf.ledger import Ledger

    folder = tmp_path_factory.mktemp("import")
    shutil.copytree(ROOT / "workbooks" / "demo", folder / "demo")
    council = Council(folder / "demo" / "master.xlsx")
    start = parse_period("Q2 2013/14").start
    history = demo.demo_values("Q2 2013/14")
    history = history[history["Period"].map(lambda p: parse_period(p).end < start)]
    report = council.import_history(history.reset_index(drop=True), "long", name="history")
    assert report.meta["statuses"] > 500
    with Ledger(council.ledger) as ledger:
        return council, ledger.frozen_statuses(), ledger.current_values(provenance=False)


def test_every_imported_status_has_its_variation_and_assurance(imported):
    _council, frozen, _values = imported
    assert len(frozen) > 500
    assert frozen["variation"].notna().all() and frozen["assurance"].notna().all()
    assert frozen["variation_explanation"].str.len().gt(0).all()
    # Monthly measures have 39 accepted months by Jun-13: limits, frozen.
    june = frozen[frozen["period_key"].astype(str).str.endswith("2013-06")]
    assert len(june) and june["spc_upper"].notna().all()


def test_the_frozen_limits_are_the_xmr_limits_of_the_history(imported):
    _council, frozen, values = imported
    row = frozen[(frozen["code"] == "CYP 2.1.6")].iloc[-1]  # its latest imported month
    history = values[values["Code"] == "CYP 2.1.6"]
    from xlperf.core.periods import parse_period

    starts = [parse_period(p).start for p in history["Period"]]
    x = history.assign(start=starts).sort_values("start")["Actual"].to_numpy(float)
    x = x[: int(row["spc_points"])]
    assert len(x) == 39  # Apr-10 to Jun-13
    mean, spread = x.mean(), 2.66 * np.abs(np.diff(x)).mean()  # MDC's XmR, by hand
    assert row["spc_mean"] == pytest.approx(mean)
    assert (row["spc_lower"], row["spc_upper"]) == pytest.approx((mean - spread, mean + spread))


def test_the_import_freezes_what_a_refresh_would(imported):
    council, frozen, values = imported
    from xlperf.core.spc_scored import SPC_FIELDS, spc_at

    master = council.master
    for period in ("Jun-13", "Q1 2013/14", "Q4 2012/13"):
        scored = master.score(values, period)
        mine = frozen.set_index(["code", "period"])
        scored = scored[pd.MultiIndex.from_arrays([scored["code"], scored["period"]]).isin(
            mine.index)].reset_index(drop=True)
        assert len(scored)
        # What the refresh adds before it freezes (refresh._values._with_spc).
        expected = spc_at(scored, values, master.prepared_register, master.spc_settings,
                          master.spc_changes)
        got = mine.loc[list(zip(scored["code"], scored["period"], strict=True))]
        for field in ("variation", "assurance", "variation_explanation"):
            assert got[field].tolist() == expected[field].tolist(), (period, field)
        for field in ("spc_mean", "spc_lower", "spc_upper"):
            assert np.allclose(got[field].to_numpy(float), expected[field].to_numpy(float),
                               equal_nan=True), (period, field)
        assert set(SPC_FIELDS) - {"variation_side", "spc_points"} <= set(frozen.columns)
