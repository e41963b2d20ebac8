"""The committee report prints the statuses the ledger froze for past periods (one truth):
after a tolerance change, the past stays as published and the current period follows the
new rule."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _workbook_helpers import demo_workbooks

from xlperf.core.cards import parse_card_policy
from xlperf.core.periods import parse_period
from xlperf.ledger import Ledger, ledger_path
from xlperf.refresh import ZipWorkbook, refresh
from xlperf.report import report_data_from_master

PERIOD = "Q2 2013/14"
FULL = parse_card_policy("beyond tolerance, worsening", "0")  # a card for any worsening


def set_tolerance(master: Path, code: str, tolerance: float) -> None:
    """What a person does in Excel: change one tolerance on the Measures sheet."""
    from openpyxl import load_workbook

    wb = load_workbook(master)
    ws = wb["Measures"]
    headers = [c.value for c in ws[1]]
    column = headers.index("Tolerance") + 1
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == code)
    ws.cell(row, column).value = tolerance
    wb.save(master)


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Q1 and Q2 published by refreshes, then CC 01's tolerance raised from 3 to 10 and Q2
    refreshed again."""
    folder = tmp_path_factory.mktemp("frozen")
    files = demo_workbooks(folder, period=PERIOD, history=True)
    master = files.master
    refresh(ZipWorkbook(master), period="Q1 2013/14", returns=[])
    refresh(ZipWorkbook(master))
    set_tolerance(master, "CC 01", 10)
    refresh(ZipWorkbook(master))
    return master


def test_past_statuses_are_the_ledgers_frozen_ones(published: Path) -> None:
    with Ledger(ledger_path(published)) as ledger:
        frozen = ledger.frozen_statuses()
    by_pair = {(c, k): s for c, k, s in zip(frozen["code"], frozen["period_key"],
                                            frozen["status"], strict=True)}
    assert by_pair[("CC 01", "2013/14-Q1")] == "Red"        # frozen as published
    assert by_pair[("CC 01", "2013/14-Q2")] == "Amber"      # the current period, re-rated

    data = report_data_from_master(published, generated=dt.date(2013, 10, 22))
    hist = data.history
    cc01 = hist[hist["code"] == "CC 01"].set_index("period")
    assert cc01.loc["Q1 2013/14", "status"] == "Red"
    assert cc01.loc["Q2 2013/14", "status"] == "Amber"
    # Every past period the ledger froze is printed with its frozen status, symbol and colour.
    current = set(zip(data.scored["code"], data.scored["period"], strict=True))
    frozen_past = frozen[[(c, p) not in current for c, p in zip(
        frozen["code"], frozen["period"], strict=True)]]
    printed = hist.set_index(["code", "period"])
    checked = 0
    for row in frozen_past.itertuples():
        if (row.code, row.period) in printed.index:
            shown = printed.loc[(row.code, row.period)]
            assert (shown["status"], shown["symbol"], shown["colour"]) == (
                row.status, row.symbol, row.colour), (row.code, row.period)
            checked += 1
    assert checked >= 40
    # The current period follows today's register: the scored frame and the history agree.
    scored = data.scored.set_index("code")
    assert scored.loc["CC 01", "status"] == "Amber"
    for code, period, status in zip(data.scored["code"], data.scored["period"],
                                    data.scored["status"], strict=True):
        if (code, period) in printed.index:
            assert printed.loc[(code, period), "status"] == status, code


def test_the_printed_card_and_trend_show_the_frozen_past(published: Path,
                                                         tmp_path: Path) -> None:
    from xlperf.core.cards import CardPolicy
    from xlperf.report import exceptions, render_html

    copy = tmp_path / "master.xlsx"
    shutil.copy(published, copy)
    shutil.copy(ledger_path(published), ledger_path(copy))
    data = report_data_from_master(copy, generated=dt.date(2013, 10, 22))
    # CC 01 moved 1.6 points worse: under a quarter of its new tolerance of 10, so no card by
    # default; with a threshold of 0 any worsening gives one.
    assert "CC 01" not in set(exceptions(data.scored, data.cards, data.register)["code"])
    html = render_html(replace(data, cards=CardPolicy(threshold=0.0)))
    start = html.index('<article class="card" data-code="CC 01"')
    card = html[start:html.index("</article>", start)]
    year = card[card.index("Actual against target"):]
    # Q1 as published (Red), Q2 by today's rule (Amber), in that order.
    assert year.index("Red") < year.index("Amber")


@pytest.fixture(scope="module")
def all_frozen(published: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``published`` with every past period of the report's history frozen as a refresh of
    that period would have frozen it (a status already frozen is kept: CC 01's Q1 stays Red),
    and Q2 2010/11 too."""
    from xlperf.read import read_master
    from xlperf.report._data import _reporting_points

    folder = tmp_path_factory.mktemp("all-frozen")
    master = folder / "master.xlsx"
    shutil.copy(published, master)
    shutil.copy(ledger_path(published), ledger_path(master))
    read = read_master(master)
    with Ledger(ledger_path(master)) as ledger:
        values = ledger.current_values()
        # and an older quarter, long before the history's window
        for past in [*_reporting_points(parse_period(PERIOD), 12)[1:],
                     parse_period("Q2 2010/11")]:
            ledger.freeze_statuses(read.score(values, past), period_keys=[],
                                   measures=read.prepared_register, prepared=True,
                                   default_scheme=read.default_scheme)
    return master


def _every_period_rated(monkeypatch: pytest.MonkeyPatch) -> None:
    """The report as it was built before: every frozen status read from the ledger, every
    period rated, the frozen statuses put over."""
    monkeypatch.setattr("xlperf.report._data.frozen_pairs", lambda *args: None)
    monkeypatch.setattr("xlperf.report._data._frozen_for_history",
                        lambda ledger, register, reporting: ledger.frozen_statuses())


def test_a_frozen_past_period_is_not_rated_again(all_frozen: Path) -> None:
    """CC 01's Q1 was published Red; today's tolerance of 10 would rate it Amber. The report's
    scoring leaves it unrated (the ledger's status is printed), and rates the due period."""
    from xlperf.read import read_master
    from xlperf.report._data import frozen_pairs

    master = read_master(all_frozen)
    with Ledger(ledger_path(all_frozen)) as ledger:
        values, frozen = ledger.current_values(), ledger.frozen_statuses()
    known = frozen_pairs(frozen, master.prepared_register, parse_period(PERIOD))
    assert known is not None
    assert ("CC 01", "2013/14-Q1") in known
    assert ("CC 01", "2013/14-Q2") not in known  # the due period follows today's register
    (rescored,) = master.score_periods(values, ["Q1 2013/14"], full=0)
    (skipped,) = master.score_periods(values, ["Q1 2013/14"], full=0, known=known)
    cc01 = rescored["code"] == "CC 01"
    assert rescored.loc[cc01, "status"].item() == "Amber"  # what re-rating would print
    assert not skipped.loc[cc01, "rated"].item()
    assert pd.isna(skipped.loc[cc01, "status"].item())
    assert skipped.loc[cc01, "actual"].item() == rescored.loc[cc01, "actual"].item()
    # Only the measures whose Q1 (or due month) the ledger has no status of are rated.
    pairs = zip(rescored["code"], rescored["period"].map(
        lambda p: parse_period(p).format("iso")), strict=True)
    unrated = np.array([pair in known for pair in pairs])
    assert unrated.sum() >= 40
    assert (skipped["rated"].to_numpy() == (rescored["rated"].to_numpy() & ~unrated)).all()
    assert skipped.loc[~unrated, "status"].tolist() == rescored.loc[~unrated, "status"].tolist()

    data = report_data_from_master(all_frozen, generated=dt.date(2013, 10, 22))
    cc01_history = data.history[data.history["code"] == "CC 01"].set_index("period")
    assert cc01_history.loc["Q1 2013/14", "status"] == "Red"
    assert cc01_history.loc["Q2 2013/14", "status"] == "Amber"


def test_rating_only_what_the_ledger_did_not_freeze_prints_the_same_report(
        all_frozen: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The history, scored frame and HTML are what rating every period and putting the
    ledger's frozen statuses over them gave (the demo, every past period frozen), with far
    fewer rows rated."""
    import xlperf.core.score as score_module
    from xlperf.report import render_html

    rated: list[int] = []
    rate = score_module.rate

    def counted(actual, *args, **kwargs):  # type: ignore[no-untyped-def]
        rated.append(len(actual))
        return rate(actual, *args, **kwargs)

    monkeypatch.setattr(score_module, "rate", counted)
    now = report_data_from_master(all_frozen, generated=dt.date(2013, 10, 22))
    rows_now, rated[:] = sum(rated), []
    with monkeypatch.context() as patch:
        _every_period_rated(patch)
        before = report_data_from_master(all_frozen, generated=dt.date(2013, 10, 22))
    rows_before = sum(rated)
    pd.testing.assert_frame_equal(now.history, before.history)
    pd.testing.assert_frame_equal(now.scored, before.scored)
    assert now.history["frozen"].sum() >= 300
    assert render_html(now) == render_html(before)
    assert render_html(replace(now, cards=FULL)) == render_html(replace(before, cards=FULL))
    # The period itself and each measure's due period are rated; the frozen past is not.
    assert rows_now < rows_before / 3, (rows_now, rows_before)


def test_the_report_reads_only_the_frozen_statuses_its_history_prints(all_frozen: Path) -> None:
    """The history's periods and columns only, the same values as reading every status."""
    from xlperf.errors import InputError
    from xlperf.read import read_master
    from xlperf.report._data import _frozen_for_history

    register = read_master(all_frozen).prepared_register
    with Ledger(ledger_path(all_frozen)) as ledger:
        every = ledger.frozen_statuses()
        read = _frozen_for_history(ledger, register, parse_period(PERIOD))
        with pytest.raises(InputError, match="no 'status; DROP'"):
            ledger.frozen_statuses(columns=["status; DROP"])
    assert list(read.columns) == ["code", "period_key", "status", "symbol", "colour",
                                  "severity", "target", "actual_reason"]
    assert 0 < len(read) < len(every)
    shown = every.merge(read[["code", "period_key"]], on=["code", "period_key"])
    pd.testing.assert_frame_equal(read.reset_index(drop=True),
                                  shown[list(read.columns)].reset_index(drop=True))
    data = report_data_from_master(all_frozen, generated=dt.date(2013, 10, 22))
    printed = set(zip(data.history["code"], data.history["period_key"], strict=True))
    every_pair = set(zip(every["code"], every["period_key"], strict=True))
    assert printed & every_pair <= set(zip(read["code"], read["period_key"], strict=True))
