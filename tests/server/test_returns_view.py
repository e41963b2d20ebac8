"""Where each return stands, by every door (issue 22): the Returns sheet the refresh writes,
``xlperf returns`` (its table and its JSON), the task pane's ``GET /returns`` and the export.

The demo council for Q3 2013/14 with Early Help's return deleted, Workforce's sent back blank
and Safeguarding's in five days after the rest, three working days late. The period ends on
Tuesday 31 December 2013; ten working days later is Wednesday 15 January 2014, not the 14th,
because New Year's Day is a bank holiday.
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from _server_helpers import AUTH, ROOT, TOKEN

if str(ROOT / "tests") not in sys.path:  # the council of test_returns_sheet
    sys.path.insert(0, str(ROOT / "tests"))

from test_returns_sheet import make_council, returns_table  # noqa: E402
from test_returns_sheet import pristine as pristine  # noqa: E402,F401  (the fixture)

TODAY = date(2014, 1, 22)
DUE = date(2014, 1, 15)
NOT_RECEIVED, BLANK, LATE = {"Early Help"}, {"Workforce"}, {"Safeguarding"}


@pytest.fixture
def council(pristine: Path, tmp_path: Path) -> Path:
    return make_council(pristine, tmp_path / "council") / "master.xlsx"


@pytest.fixture
def client(council: Path):
    from fastapi.testclient import TestClient

    from xlperf.server import ServerConfig, create_app

    config = ServerConfig(token=TOKEN, master=council).check()
    with TestClient(create_app(config), base_url="http://127.0.0.1:8000") as test_client:
        yield test_client


def _late(rows: dict[str, dict], outcome: str, overdue: str) -> set[str]:
    """Returns taken in although they came after their due date."""
    return {w for w, r in rows.items() if r[overdue] and r[outcome] in (
        "accepted", "partly accepted")}


def test_the_sheet_the_cli_and_the_pane_list_exactly_the_missing_blank_and_late(
        council: Path, client):
    from typer.testing import CliRunner

    from xlperf.cli import app
    from xlperf.refresh import ZipWorkbook, refresh

    refresh(ZipWorkbook(council), now=datetime(2014, 1, 22, 9, 0))
    sheet = returns_table(council)
    runner = CliRunner()
    doc = json.loads(runner.invoke(app, ["returns", str(council), "--today",
                                         TODAY.isoformat(), "--json"]).stdout)
    cli = {r["return_for"]: r for r in doc["returns"]}
    answer = client.get("/returns", params={"today": TODAY.isoformat()}, headers=AUTH)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    pane = {r["return_for"]: r for r in body["returns"]}

    for name, rows, outcome, overdue in (("sheet", sheet, "Outcome", "Working days overdue"),
                                         ("cli", cli, "outcome", "days_overdue"),
                                         ("pane", pane, "outcome", "days_overdue")):
        assert len(rows) == 9, name
        assert {w for w, r in rows.items() if r[outcome] == "not received"} == NOT_RECEIVED
        assert {w for w, r in rows.items() if r[outcome] == "blank"} == BLANK, name
        assert _late(rows, outcome, overdue) == LATE, name
    # the due dates skip New Year's Day, by every door
    assert {r["Due"] for w, r in sheet.items() if w not in NOT_RECEIVED} == {DUE}
    assert {r["due"] for w, r in cli.items() if w not in NOT_RECEIVED} == {DUE.isoformat()}
    assert {r["due"] for w, r in pane.items() if w not in NOT_RECEIVED} == {DUE.isoformat()}
    assert pane["Safeguarding"]["late"] and not pane["Workforce"]["late"]
    assert pane["Workforce"]["days_overdue"] == 5
    # the pane shows no folder of the server's disk, only file names
    assert all(r["file"] is None or "/" not in r["file"] for r in pane.values())
    assert "findings" not in pane["Workforce"]
    # the same sentence in the pane, the sheet and the CLI table
    table = runner.invoke(app, ["returns", str(council), "--today", TODAY.isoformat()])
    said = " ".join(table.stdout.split())
    assert body["summary"] in said
    from python_calamine import CalamineWorkbook

    grid = CalamineWorkbook.from_path(str(council)).get_sheet_by_name("Returns").to_python()
    assert grid[2][0] == f"{body['summary']} (as of 22 Jan 2014)"
    # the CLI's table: one row per return, the missing one marked
    for who in cli:
        assert who in said
    assert "not received" in said and "3 (late)" in said


def test_the_pane_refuses_a_day_that_is_not_one(client):
    answer = client.get("/returns", params={"today": "next Tuesday"}, headers=AUTH)
    assert answer.status_code == 422
    assert "today must be a date" in answer.json()["error"]


def test_the_export_carries_the_returns_table(council: Path, tmp_path: Path):
    from typer.testing import CliRunner

    from xlperf.cli import app
    from xlperf.refresh import ZipWorkbook, refresh

    refresh(ZipWorkbook(council), now=datetime(2014, 1, 22, 9, 0))
    out = tmp_path / "scorecard.csv"
    result = CliRunner().invoke(app, ["export", str(council), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["returns_file"] == str(tmp_path / "scorecard.returns.csv") and doc["returns"] == 9
    table = pd.read_csv(doc["returns_file"], encoding="utf-8-sig")
    rows = {r["return_for"]: r for r in table.to_dict("records")}
    assert set(rows) == set(returns_table(council))
    assert {w for w, r in rows.items() if r["outcome"] == "not received"} == NOT_RECEIVED
    assert {w for w, r in rows.items() if r["outcome"] == "blank"} == BLANK
    assert {w for w, r in rows.items() if r["late"]} == LATE
    assert rows["Safeguarding"]["days_overdue"] == 3
    assert {r["due"] for r in rows.values()} >= {DUE.isoformat()}
    assert not rows["Early Help"]["received"] and pd.isna(rows["Early Help"]["sha256"])
