"""Two refreshes at once publish what one uninterrupted refresh publishes (issue 18, item 1).

The scenario of the report: a council refreshed once, then its Early Help return restates two
figures. Two refreshes are started together, as separate processes: the command line twice,
and the command line beside the add-in server's refresh (``Service.refresh`` over the
master's Office.js payload, recording in the same ledger). In every trial the Scorecard, the
ledger's frozen statuses and values, and the export must equal those of a single refresh of
the same folder. Before the fix the second refresh read the ledger before the first
committed and froze the old figures' statuses (5 of 5 trials in the report).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
PERIOD = "Q2 2013/14"
# Trials per pair of doors: 3 + 3 in the suite (a trial costs about 6-15 s of two
# processes); XLPERF_TRIALS=10 runs ten of each (docs/refresh.md has the figures).
TRIALS = int(os.environ.get("XLPERF_TRIALS", "3"))
EARLY_HELP = "Early Help - Q2 2013-14.xlsx"
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200",
       "XLWINGS_ON_SERVER": "true", "XLWINGS_LICENSE_KEY": "noncommercial"}
ENV.pop("XLPERF_TOKEN", None)

# The server's refresh path in a process of its own: the team's master on disk, its ledger
# beside it, the payload the add-in sends for that master; prints the actions as JSON.
_SERVER = """
import json, sys
from pathlib import Path
from xlperf.excel.payload import payload_from_xlsx
from xlperf.server import ServerConfig
from xlperf.server._service import Team
master = Path(sys.argv[1])
body = payload_from_xlsx(master)
service = Team(ServerConfig(token="t" * 32, master=master).check())
print("ready", flush=True)
sys.stdin.readline()
out = service.refresh(body)
Path(sys.argv[2]).write_text(json.dumps(out["actions"]), encoding="utf-8")
print("done", flush=True)
"""


def _restate(returns: Path) -> dict[str, float]:
    """Early Help restates two figures (as a service correcting its return would)."""
    from openpyxl import load_workbook

    path = returns / EARLY_HELP
    wb = load_workbook(path)
    ws = wb["Return"]
    changed = {}
    for row in range(13, ws.max_row + 1):
        code = ws.cell(row, 1).value
        value = ws.cell(row, 8).value
        if isinstance(value, int | float) and not isinstance(value, bool) and len(changed) < 2:
            ws.cell(row, 8).value = value + 7
            changed[str(code)] = value + 7
    wb.save(path)
    assert len(changed) == 2
    return changed


@pytest.fixture(scope="module")
def council(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo council refreshed once, then Early Help's return restating two figures."""
    from _workbook_helpers import demo_workbooks

    from xlperf.refresh import ZipWorkbook, refresh

    folder = tmp_path_factory.mktemp("council")
    demo_workbooks(folder, period=PERIOD, history=True)
    refresh(ZipWorkbook(folder / "master.xlsx"))
    _restate(folder / "returns")
    return folder


def _cli(master: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "xlperf.cli", "refresh", str(master),
                             "--json"], env=ENV, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _grid(path: Path, sheet: str) -> list[list[object]]:
    from xlperf.read._calamine import open_workbook, sheet_grid

    book = open_workbook(path)
    try:
        return _trimmed(sheet_grid(book, sheet))
    finally:
        book.close()


def _statuses(ledger: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(ledger) as con:
        columns = [r[1] for r in con.execute("PRAGMA table_info(statuses)")
                   if r[1] not in ("scored_at", "refresh_id")]
        return con.execute(f"SELECT {', '.join(columns)} FROM statuses "
                           "ORDER BY code, period_key").fetchall()


def _values(ledger: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(ledger) as con:
        return con.execute('SELECT code, period_key, value, no_data_reason, source_file, '
                           'source_sha256, cell FROM "values" ORDER BY id').fetchall()


def _export(master: Path) -> pd.DataFrame:
    from typer.testing import CliRunner

    from xlperf.cli import app

    out = master.with_name("export.csv")
    result = CliRunner().invoke(app, ["export", str(master), "--out", str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, encoding="utf-8-sig")
    return table.drop(columns=["recorded_at", "scored_at"]).reset_index(drop=True)


@pytest.fixture(scope="module")
def single(council: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """What one uninterrupted refresh publishes."""
    folder = tmp_path_factory.mktemp("single") / "council"
    shutil.copytree(council, folder)
    child = _cli(folder / "master.xlsx")
    out, err = child.communicate(timeout=180)
    assert child.returncode == 1, err  # the demo has rejected rows: exit 1, as usual
    restated = json.loads(out)["counts"]["restatements"]
    assert restated >= 2  # the two figures (and any monthly figure of them)
    master = folder / "master.xlsx"
    return {"restatements": restated, "scorecard": _grid(master, "Scorecard"),
            "statuses": _statuses(folder / "master.ledger.sqlite"),
            "values": _values(folder / "master.ledger.sqlite"),
            "export": _export(master)}


def _same_as_single(folder: Path, single: dict[str, object], scorecard: object) -> list[str]:
    wrong = []
    if scorecard != single["scorecard"]:
        wrong.append("Scorecard")
    if _statuses(folder / "master.ledger.sqlite") != single["statuses"]:
        wrong.append("frozen statuses")
    if _values(folder / "master.ledger.sqlite") != single["values"]:
        wrong.append("values")
    if not _export(folder / "master.xlsx").equals(single["export"]):
        wrong.append("export")
    return wrong


@pytest.mark.slow
def test_two_command_line_refreshes_at_once(council: Path, single: dict[str, object],
                                            tmp_path: Path) -> None:
    failures = []
    for trial in range(TRIALS):
        folder = tmp_path / f"trial{trial}"
        shutil.copytree(council, folder)
        master = folder / "master.xlsx"
        first, second = _cli(master), _cli(master)
        results = [child.communicate(timeout=180) for child in (first, second)]
        codes = [first.returncode, second.returncode]
        assert codes == [1, 1], results  # both refreshed (the demo has rejected rows)
        recorded = sorted(json.loads(out)["counts"]["restatements"] for out, _err in results)
        wrong = _same_as_single(folder, single, _grid(master, "Scorecard"))
        if recorded != [0, single["restatements"]]:  # the second saw the first's figures
            wrong.append(f"restatements {recorded}")
        if wrong:
            failures.append((trial, wrong))
    assert failures == [], f"{len(failures)} of {TRIALS} trials differ: {failures}"


@pytest.mark.slow
def test_a_command_line_and_a_server_refresh_at_once(council: Path, single: dict[str, object],
                                                     tmp_path: Path) -> None:
    import importlib.util

    if importlib.util.find_spec("xlwings") is None:
        pytest.skip("xlwings is not installed")
    # Not imported in this process: tests/excel and tests/server need xlwings imported first
    # with their licence variables set. The server's refresh runs in a process of its own.
    from xlperf.excel.payload import replay

    failures = []
    for trial in range(TRIALS):
        folder = tmp_path / f"trial{trial}"
        shutil.copytree(council, folder)
        master = folder / "master.xlsx"
        actions = folder / "actions.json"
        server = subprocess.Popen([sys.executable, "-c", _SERVER, str(master), str(actions)],
                                  env=ENV, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        assert server.stdout is not None and server.stdin is not None
        assert server.stdout.readline().strip() == "ready", server.stderr.read()
        cli = _cli(master)  # started together: the server goes as the CLI starts importing
        server.stdin.write("go\n")
        server.stdin.flush()
        out, err = cli.communicate(timeout=180)
        server_out, server_err = server.communicate(timeout=180)
        assert cli.returncode == 1, err
        assert server.returncode == 0 and "done" in server_out, server_err
        # The server's Scorecard is what its actions write into the user's open master.
        applied = replay(master, json.loads(actions.read_text(encoding="utf-8")))
        served = applied.grids["Scorecard"]
        on_disk = _grid(master, "Scorecard")
        wrong = _same_as_single(folder, single, on_disk)
        if _trimmed(served) != single["scorecard"]:
            wrong.append("server's Scorecard")
        if wrong:
            failures.append((trial, wrong))
    assert failures == [], f"{len(failures)} of {TRIALS} trials differ: {failures}"


def _trimmed(grid: object) -> list[list[object]]:
    """A grid without trailing blanks (a replayed grid and a file's differ only there)."""
    rows = [[None if c == "" else c for c in row] for row in grid]  # type: ignore[union-attr]
    out = []
    for row in rows:
        while row and row[-1] is None:
            row.pop()
        out.append(row)
    while out and not out[-1]:
        out.pop()
    return out
