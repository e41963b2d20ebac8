"""The committee report prints the statuses the ledger froze for past periods (one truth):
after a tolerance change, the past stays as published and the current period follows the
new rule."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from _workbook_helpers import demo_workbooks

from xlperf.cli.workbooks import seed_demo_history
from xlperf.ledger import Ledger, ledger_path
from xlperf.refresh import ZipWorkbook, refresh
from xlperf.report import report_data_from_master

PERIOD = "Q2 2013/14"


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
    files = demo_workbooks(folder, period=PERIOD)
    seed_demo_history(files.master, PERIOD)
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
