"""One council, one truth (issue 19): the same returns give the same findings from every door.

The demo council with its history in the ledger (as ``xlperf demo`` seeds it) is validated by
``xlperf validate --master``, by the refresh, by the server's ``POST /validate``, by the Lite
script "Validate this return" and by the desktop button: the findings (rule, sheet, cell,
message) are identical, including the checks against the ledger's history (PERF-013/014/015).
A second refresh of the same returns changes no finding, no value and no status.

These tests live beside the server's because xlwings' remote engine needs the environment
that ``tests/server/conftest.py`` sets before xlwings is first imported.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from _server_helpers import AUTH, ROOT, TOKEN, payload

Found = list[tuple[str, str, str | None, str | None, str]]


@pytest.fixture
def council(tmp_path: Path) -> Path:
    """The demo council (master, returns) with the demo history in its ledger: the master."""
    from xlperf.cli.workbooks import seed_demo_history

    shutil.copytree(ROOT / "workbooks" / "demo", tmp_path / "demo")
    master = tmp_path / "demo" / "master.xlsx"
    seed_demo_history(master, "Q2 2013/14")
    return master


def _returns(master: Path) -> list[Path]:
    return sorted((master.parent / "returns").glob("*.xlsx"))


def _key(f: Any) -> tuple[str, str, str | None, str | None, str]:
    if isinstance(f, dict):
        return (f["rule"], f["severity"], f["sheet"], f["cell"], f["message"])
    return (f.rule, f.severity, f.sheet, f.cell, f.message)


def _by_cli(master: Path) -> dict[str, Found]:
    from typer.testing import CliRunner

    from xlperf.cli import app

    result = CliRunner().invoke(app, ["validate", "--master", str(master), "--json",
                                      *map(str, _returns(master))])
    assert result.exit_code in (0, 1), result.output
    data = json.loads(result.stdout)
    return {Path(r["file"]).name: [_key(f) for f in r["findings"]] for r in data["returns"]}


def _by_refresh(master: Path) -> tuple[dict[str, Found], Any]:
    from xlperf.refresh import ZipWorkbook, refresh

    result = refresh(ZipWorkbook(master))
    return {o.name: [_key(f) for f in o.report] for o in result.files}, result


def _by_server(master: Path) -> dict[str, Found]:
    from fastapi.testclient import TestClient

    from xlperf.server import ServerConfig, create_app

    config = ServerConfig(token=TOKEN, master=master).check()
    out = {}
    with TestClient(create_app(config), base_url="http://127.0.0.1:8000") as client:
        for path in _returns(master):
            response = client.post("/validate", headers=AUTH, json=payload(path))
            assert response.status_code == 200, response.text
            out[path.name] = [_key(f) for f in response.json()["findings"]]
    return out


def _by_excel(master: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, Found],
                                                                      dict[str, Found]]:
    import xlwings as xw

    from xlperf.excel.buttons import validate_this_return
    from xlperf.excel.gateway import XlwingsWorkbook
    from xlperf.excel.scripts import validate_grids_of

    lite, desktop = {}, {}
    for path in _returns(master):
        book = xw.Book(json=payload(path))
        lite[path.name] = [_key(f) for f in validate_grids_of(book, master=master)]
        saved = xw.Book(json=payload(path))
        monkeypatch.setattr(XlwingsWorkbook, "path", property(lambda self, p=path: p))
        report = validate_this_return(saved, master=master)
        assert report is not None
        desktop[path.name] = [_key(f) for f in report]
    return lite, desktop


def test_every_door_gives_the_same_findings(council, monkeypatch):
    cli = _by_cli(council)
    server = _by_server(council)
    lite, desktop = _by_excel(council, monkeypatch)
    refreshed, _result = _by_refresh(council)  # last: it records this period in the ledger
    names = [p.name for p in _returns(council)]
    assert sorted(cli) == sorted(refreshed) == sorted(server) == sorted(lite) == names
    for name in names:
        assert cli[name] == refreshed[name], name
        assert server[name] == refreshed[name], name
        assert lite[name] == refreshed[name], name
        assert desktop[name] == refreshed[name], name
    # The checks against the ledger's history ran in every door (not a vacuous comparison).
    education = cli["Education and Skills - Q2 2013-14.xlsx"]
    assert [f[1] for f in education].count("error") == 1
    # DofE 01 doubling Q1 -> Q2 is a cumulative measure's usual rise: no PERF-014 (issue 23).
    assert [f[1] for f in education].count("query") == 2
    assert not any(f[0] == "PERF-014" for f in education)
    safeguarding = cli["Safeguarding - Q2 2013-14.xlsx"]
    assert [f[3] for f in safeguarding if f[0] == "PERF-014"] == ["H26"]  # CPP 2yr


def test_the_doors_agree_after_a_refresh_too(council):
    # Once the ledger holds this period's own values, a door still checks against what was
    # known before these returns (the values they gave are not their own history).
    before = _by_cli(council)
    refreshed, _result = _by_refresh(council)
    assert _by_cli(council) == before == refreshed
    assert _by_server(council) == before


def _ledger_state(path: Path) -> tuple[Any, Any]:
    from xlperf.ledger import Ledger

    with Ledger(path) as ledger:
        values = ledger.current_values()
        statuses = ledger.frozen_statuses()
    return values, statuses.drop(columns=[c for c in statuses.columns
                                          if c in ("refresh_id", "scored_at")])


def test_a_second_refresh_of_the_same_returns_changes_nothing(council):
    from xlperf.read._calamine import open_workbook, sheet_grid

    first, result = _by_refresh(council)
    values, statuses = _ledger_state(result.ledger)
    scorecard = sheet_grid(open_workbook(council), "Scorecard")
    assert result.recorded > 0 and len(statuses)

    second, again = _by_refresh(council)
    assert second == first
    assert again.recorded == 0 and len(again.restatements) == 0
    assert not again.status_changes
    values_after, statuses_after = _ledger_state(again.ledger)
    assert values_after.equals(values)
    assert statuses_after.equals(statuses)
    assert again.scored["status"].tolist() == result.scored["status"].tolist()
    assert sheet_grid(open_workbook(council), "Scorecard") == scorecard
