"""Refresh and validate through the server over real HTTP on 127.0.0.1 (issue 9).

The demo master goes to ``POST /refresh`` as the payload an Office.js client sends; the actions
that come back, applied to the workbook the way Excel applies them, give the same Scorecard as
the headless refresh of the same master with the same returns, cell by cell.
"""

from __future__ import annotations

import shutil
import threading
import time

import pytest
from _server_helpers import AUTH, payload

from xlperf.demo import demo_register

DEMO_MEASURES = len(demo_register())
DEMO_VALUES = 92  # the values the demo's returns give for Q2 2013/14


def _sheet(path, name):
    from xlperf.read._calamine import open_workbook, sheet_grid

    return sheet_grid(open_workbook(path), name)


def _differences(expected, got):
    height = max(len(expected), len(got))
    out = []
    for r in range(height):
        want = expected[r] if r < len(expected) else []
        have = got[r] if r < len(got) else []
        for c in range(max(len(want), len(have))):
            a = want[c] if c < len(want) else None
            b = have[c] if c < len(have) else None
            if a != b and not (isinstance(a, float) and isinstance(b, float)
                               and abs(a - b) < 1e-9):
                out.append((r + 1, c + 1, a, b))
    return out


def test_refresh_over_http_gives_the_headless_scorecard(live, http, demo, tmp_path):
    from xlperf.cli.workbooks import seed_demo_history
    from xlperf.excel.payload import replay
    from xlperf.refresh import ZipWorkbook, refresh

    # With the demo's history, so the measures have process limits (and GOV 03 its rebase and
    # ghost from the master's Process changes sheet).
    seed_demo_history(demo, "Q2 2013/14")
    headless = tmp_path / "headless"
    shutil.copytree(demo.parent, headless)
    refresh(ZipWorkbook(headless / "master.xlsx"))

    response = http("POST", f"{live.url}/refresh", headers=AUTH, json=payload(demo))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["summary"].startswith("Scorecard for Q2 2013/14: 10 returns read")
    assert f"{DEMO_MEASURES} measures scored. Logged as refresh" in body["summary"]
    applied = replay(demo, body["actions"])
    for sheet in ("Scorecard", "Objectives", "Exceptions", "Finance"):
        expected = _sheet(headless / "master.xlsx", sheet)
        assert expected, sheet
        assert _differences(expected, applied.grids[sheet]) == [], sheet
    # Each measure's status, variation and assurance for the pane: the Scorecard's symbols,
    # words and sentences.
    grid = _sheet(headless / "master.xlsx", "Scorecard")
    headers = grid[3]
    scorecard = {r[0]: dict(zip(headers, r, strict=False)) for r in grid[4:]
                 if r[0] and r[headers.index("Status")]}
    measures = {m["code"]: m for m in body["measures"]}
    assert set(measures) == set(scorecard) and len(measures) == DEMO_MEASURES
    for code, row in scorecard.items():
        m = measures[code]
        for key, header in (("status", "Status"), ("variation", "Variation"),
                            ("assurance", "Assurance")):
            assert f"{m[key]['symbol']} {m[key]['word']}".strip() == row[header], (code, key)
        said = row["SPC explanation"]
        assert said == (f"Variation: {m['variation']['explanation']}\n"
                        f"Assurance: {m['assurance']['explanation']}"), code
        assert m["status"]["explanation"] == row["Explanation"], code
    words = {m["variation"]["word"] for m in measures.values()}
    assert {"Common cause", "Not enough data"} <= words
    # GOV 03's limits are those of its 17 points since the rebase at Apr-12, Dec-12 ghosted
    assert measures["GOV 03"]["assurance"] == {
        "word": "Hit and miss", "symbol": "↕", "colour": "#A6A6A6",
        "explanation": "target 90 is between the process limits 76.99 and 101.03: hit and "
                       "miss"}
    # The team's ledger is the server's, beside its master, and logged the refresh.
    log = http("GET", f"{live.url}/log", headers=AUTH).json()
    assert log["entries"][0]["counts"]["recorded"] == DEMO_VALUES
    assert (demo.parent / "master.ledger.sqlite").exists()


def test_validate_over_http_gives_the_validators_findings(live, http, demo):
    from xlperf.validate import validate_return

    chosen = ("Safeguarding", "Finance - Chris Walker", "Finance - Jo Hardy")  # errors, clean
    for path in sorted(p for p in (demo.parent / "returns").glob("*.xlsx")
                       if p.name.startswith(chosen)):
        response = http("POST", f"{live.url}/validate", headers=AUTH, json=payload(path))
        assert response.status_code == 200, response.text
        got = [(f["rule"], f["severity"], f["sheet"], f["cell"], f["message"])
               for f in response.json()["findings"]]
        want = [(f.rule, f.severity, f.sheet, f.cell, f.message)
                for f in validate_return(path, demo)]
        assert got == want, path.name
        assert all(f["file"] == path.name for f in response.json()["findings"])


def test_two_concurrent_refreshes_are_serialised(live, http, demo, monkeypatch):
    import xlperf.refresh
    from xlperf.ledger import Ledger

    spans: list[tuple[float, float]] = []
    real = xlperf.refresh.refresh

    def timed(*args, **kwargs):
        start = time.monotonic()
        try:
            return real(*args, **kwargs)
        finally:
            spans.append((start, time.monotonic()))

    monkeypatch.setattr(xlperf.refresh, "refresh", timed)
    body = payload(demo)
    results: list[object] = [None, None]
    barrier = threading.Barrier(2)

    def post(i: int) -> None:
        barrier.wait()
        results[i] = http("POST", f"{live.url}/refresh", headers=AUTH, json=body)

    threads = [threading.Thread(target=post, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert [r.status_code for r in results] == [200, 200]  # type: ignore[union-attr]
    (a0, a1), (b0, b1) = sorted(spans)
    assert a1 <= b0, "the two refreshes overlapped"
    with Ledger(demo.parent / "master.ledger.sqlite") as ledger:
        runs = ledger.refreshes()
        assert ledger.integrity() == "ok"
    assert sorted(runs["id"]) == [1, 2]
    counts = sorted((r["recorded"], r["unchanged"]) for r in runs["counts"])
    # the second saw the first's values: nothing twice
    assert counts == [(0, DEMO_VALUES), (DEMO_VALUES, 0)]
    # Both answers carry the same scorecard (only the Log sheet tells them apart).
    from xlperf.excel.payload import replay

    first, second = (replay(demo, r.json()["actions"]).grids  # type: ignore[union-attr]
                     for r in results)
    assert first["Scorecard"] == second["Scorecard"]
    assert first["Log"] != second["Log"]


def test_a_refresh_waiting_too_long_is_told_to_try_again(demo, monkeypatch):
    from dataclasses import replace

    from fastapi.testclient import TestClient

    from xlperf.server import ServerConfig, create_app
    from xlperf.server._service import Team, ledger_lock

    config = replace(ServerConfig(master=demo), lock_timeout=0.1).check()
    team = Team(config)
    lock = ledger_lock(team.ledger_path())
    with TestClient(create_app(config, team=team), base_url="http://127.0.0.1:8000") as client:
        assert lock.acquire(timeout=5)
        try:
            response = client.post("/refresh", json=payload(demo))
        finally:
            lock.release()
        assert response.status_code == 503
        assert response.headers["retry-after"] == "30"
        assert "another refresh" in response.json()["error"]
        assert client.post("/refresh", json=payload(demo)).status_code == 200


@pytest.mark.parametrize("endpoint", ["/validate", "/refresh"])
def test_the_server_keeps_serving_after_bad_requests(live, http, demo, endpoint):
    for bad in (b"{", b"[]", b'{"book": {"name": "../x.xlsx"}, "sheets": []}'):
        response = http("POST", f"{live.url}{endpoint}", content=bad,
                        headers={**AUTH, "Content-Type": "application/json"})
        assert 400 <= response.status_code < 500
    assert http("GET", f"{live.url}/health", headers=AUTH).status_code == 200
