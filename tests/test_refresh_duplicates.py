"""Two returns for the same service and period in one batch (issue 18, item 4).

``Early Help - Q2 2013-14.xlsx`` and ``Early Help - Q2 2013-14 (corrected).xlsx`` in the
returns folder: the one saved last is used (docs/refresh.md), the other is skipped, and a
``FILE-023`` query names both files whichever one the rule picks. Before the fix the
original won by file-name order and the Log called the correction's figure a restatement
the other way round.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from xlperf.refresh import SKIPPED, ZipWorkbook, refresh

PERIOD = "Q2 2013/14"
ORIGINAL = "Early Help - Q2 2013-14.xlsx"
CORRECTED = "Early Help - Q2 2013-14 (corrected).xlsx"


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from _workbook_helpers import demo_workbooks

    folder = tmp_path_factory.mktemp("council")
    demo_workbooks(folder, period=PERIOD, history=True)
    refresh(ZipWorkbook(folder / "master.xlsx"))
    return folder


def _correct(returns: Path, figure: float) -> int:
    """A corrected copy of Early Help's return with EH 02 changed; the row of EH 02."""
    from openpyxl import load_workbook

    shutil.copy2(returns / ORIGINAL, returns / CORRECTED)
    wb = load_workbook(returns / CORRECTED)
    ws = wb["Return"]
    row = next(r for r in range(13, ws.max_row + 1) if ws.cell(r, 1).value == "EH 02")
    ws.cell(row, 8).value = figure
    wb.save(returns / CORRECTED)
    return row


def _saved(path: Path, when: float) -> None:
    os.utime(path, (when, when))


def _scorecard_actual(master: Path, code: str) -> object:
    from xlperf.read._calamine import open_workbook, sheet_grid

    grid = sheet_grid(open_workbook(master), "Scorecard")
    headers = grid[3]
    row = next(r for r in grid[4:] if r and r[0] == code)
    return row[headers.index("Actual")]


def _log(master: Path) -> str:
    from xlperf.read._calamine import open_workbook, sheet_grid

    return "\n".join(" | ".join(str(c) for c in r if c not in (None, ""))
                     for r in sheet_grid(open_workbook(master), "Log"))


@pytest.mark.parametrize("later", [CORRECTED, ORIGINAL])
def test_the_return_saved_last_is_used_and_both_are_named(refreshed: Path, tmp_path: Path,
                                                           later: str) -> None:
    council = tmp_path / "council"
    shutil.copytree(refreshed, council)
    returns, master = council / "returns", council / "master.xlsx"
    row = _correct(returns, 210)
    earlier = ORIGINAL if later == CORRECTED else CORRECTED
    _saved(returns / earlier, 1_700_000_000)
    _saved(returns / later, 1_700_000_600)
    result = refresh(ZipWorkbook(master))
    by_name = {f.name: f for f in result.files}
    assert by_name[earlier].outcome == SKIPPED and later in by_name[earlier].note
    assert by_name[later].outcome != SKIPPED
    query = [f for f in by_name[later].report if f.rule == "FILE-023"]
    assert len(query) == 1 and query[0].severity == "query"
    assert ORIGINAL in query[0].message and CORRECTED in query[0].message
    assert f"used {later}" in query[0].message
    log = _log(master)
    assert "FILE-023" in log and f"skipped: the same return as {later}" in log
    if later == CORRECTED:  # the correction's figure is the restatement, the right way round
        assert _scorecard_actual(master, "EH 02") == 210
        restated = result.restatements[["code", "previous", "value", "source_file"]]
        assert restated.values.tolist() == [["EH 02", 204.0, 210.0, CORRECTED]]
        assert "EH 02 Q2 2013/14: 204 -> 210" in log
        assert f"H{row}" in log
    else:  # the original, saved last: nothing restated, the figure stays 204
        assert _scorecard_actual(master, "EH 02") == 204
        assert len(result.restatements) == 0


def test_the_same_time_picks_the_later_name(refreshed: Path, tmp_path: Path) -> None:
    council = tmp_path / "council"
    shutil.copytree(refreshed, council)
    returns = council / "returns"
    _correct(returns, 211)
    for name in (ORIGINAL, CORRECTED):
        _saved(returns / name, 1_700_000_000)
    result = refresh(ZipWorkbook(council / "master.xlsx"))
    assert {f.name: f.outcome for f in result.files}[ORIGINAL] == SKIPPED
    assert _scorecard_actual(council / "master.xlsx", "EH 02") == 211


def test_validating_the_folder_gives_the_refreshs_finding(refreshed: Path, tmp_path: Path
                                                           ) -> None:
    """UAT 04: ``xlperf validate returns/`` checked both files and said nothing, while the
    refresh left one out with FILE-023. Both now decide with ``one_return_each``: the file
    used gets the same query, word for word, and the other is reported as left out."""
    import json

    from typer.testing import CliRunner

    from xlperf.cli import app

    council = tmp_path / "council"
    shutil.copytree(refreshed, council)
    returns, master = council / "returns", council / "master.xlsx"
    _correct(returns, 210)
    _saved(returns / CORRECTED, 1_700_000_000)
    _saved(returns / ORIGINAL, 1_700_000_600)  # the original saved again, later
    result = CliRunner().invoke(app, ["validate", str(returns), "--master", str(master),
                                      "--json"])
    by_name = {Path(r["file"]).name: r for r in json.loads(result.stdout)["returns"]}
    used = [f for f in by_name[ORIGINAL]["findings"] if f["rule"] == "FILE-023"]
    assert [f["rule"] for f in by_name[CORRECTED]["findings"]] == ["FILE-023"]
    assert by_name[CORRECTED]["findings"] == used
    refreshed_query = [f for f in {f.name: f for f in refresh(ZipWorkbook(master)).files}[
        ORIGINAL].report if f.rule == "FILE-023"]
    assert [f["message"] for f in used] == [f.message for f in refreshed_query]
    assert f"used {ORIGINAL}" in used[0]["message"] and CORRECTED in used[0]["message"]
    table = CliRunner().invoke(app, ["validate", str(returns), "--master", str(master)])
    assert f"left out: the same return as {ORIGINAL}" in " ".join(table.stdout.split())
