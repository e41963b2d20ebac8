"""An untouched template is not a return (FILE-021), through every door on the same file.

The blank returns are what ``xlperf templates`` writes for the demo master, sent back as they
are. ``xlperf validate``, the refresh, the task pane's ``/validate`` and xlwings Lite's
"Validate this return" all call the one validator, so each must say FILE-021, naming the file
and what was expected, and the refresh must not count the return as received. A council can
relax the rule to a query on the master's Rules sheet; the file-safety rules stay errors.

These tests live beside the server's because the task pane and Lite need xlwings' remote
engine, which this folder's conftest sets up before xlwings is first imported.
"""

from __future__ import annotations

import asyncio
import json
import runpy
import shutil
import sys
import types
from pathlib import Path

import pytest
import python_calamine as pc
from _server_helpers import ROOT, payload
from typer.testing import CliRunner

from xlperf.cli import app

BLANK = "is the blank template"
EARLY_HELP = "Early Help - Q2 2013-14.xlsx"
FINANCE = "Finance - Jo Hardy - Q2 2013-14.xlsx"
CAPITAL = "Capital programme - Q2 2013-14.xlsx"


@pytest.fixture(scope="module")
def council(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo master and the blank templates ``xlperf templates`` writes for it."""
    work = tmp_path_factory.mktemp("blank")
    shutil.copy(ROOT / "workbooks" / "demo" / "master.xlsx", work / "master.xlsx")
    made = CliRunner().invoke(app, ["templates", str(work / "master.xlsx"), "--out",
                                    str(work / "templates")])
    assert made.exit_code == 0, made.output
    assert (work / "templates" / EARLY_HELP).is_file()
    return work


def _sheet(path: Path, name: str) -> list[list[object]]:
    return pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


def test_validate_says_each_kind_of_blank_template_is_not_a_return(council):
    from xlperf.validate import validate_returns

    names = (EARLY_HELP, FINANCE, CAPITAL)
    reports = validate_returns([council / "templates" / n for n in names],
                               council / "master.xlsx")
    expected = {EARLY_HELP: "no actual, numerator, denominator, status or commentary",
                FINANCE: "no forecast outturn or explanation",
                CAPITAL: "no actual to date or explanation"}
    for name, report in zip(names, reports, strict=True):
        # One finding, for the whole file: not one "actual missing" per measure.
        assert [(f.rule, f.severity, f.cell) for f in report] == [("FILE-021", "error", None)]
        message = report.findings[0].message
        assert message.startswith(f"{name} {BLANK}: {expected[name]} is filled in")
        assert "send it again" in report.findings[0].how_to_fix
        assert not report.valid


def test_one_figure_or_one_comment_makes_it_a_return(council, tmp_path):
    from openpyxl import load_workbook

    from xlperf.validate import validate_return

    for cell, value in (("H13", 41.5), ("L14", "Figures delayed: system upgrade."),
                        ("L14", "   ")):
        path = tmp_path / EARLY_HELP
        book = load_workbook(council / "templates" / EARLY_HELP)
        book["Return"][cell] = value
        book.save(path)
        rules = [f.rule for f in validate_return(path, council / "master.xlsx")]
        if str(value).strip():
            assert "FILE-021" not in rules and "PERF-004" in rules  # the other measures
        else:  # spaces are not a comment
            assert rules == ["FILE-021"]


def test_every_door_gives_the_same_finding_on_the_same_blank_return(council, tmp_path):
    from fastapi.testclient import TestClient

    from xlperf.refresh import ZipWorkbook, refresh
    from xlperf.server import ServerConfig, create_app

    blank = council / "templates" / EARLY_HELP
    master = tmp_path / "master.xlsx"
    shutil.copy(council / "master.xlsx", master)

    # xlperf validate: not accepted, exit code 1 (findings), the finding in the JSON.
    out = tmp_path / "findings.json"
    ran = CliRunner().invoke(app, ["validate", str(blank), "--master", str(master),
                                   "--json-file", str(out)])
    assert ran.exit_code == 1, ran.output
    assert "not accepted" in ran.output and "FILE-021" in ran.output
    cli = json.loads(out.read_text(encoding="utf-8"))
    assert cli["valid"] is False
    found = [f for r in cli["returns"] for f in r["findings"]]
    assert [(f["rule"], f["severity"]) for f in found] == [("FILE-021", "error")]
    message = found[0]["message"]
    assert message.startswith(f"{EARLY_HELP} {BLANK}")

    # The refresh: the return is rejected, nothing recorded, not counted as accepted.
    result = refresh(ZipWorkbook(master), returns=[blank], ledger=tmp_path / "l.sqlite",
                     quarantine=tmp_path / "quarantine")
    (outcome,) = result.files
    assert outcome.outcome == "rejected" and outcome.accepted_rows == 0
    assert [f.message for f in outcome.report.errors] == [message]
    assert result.recorded == 0 and result.accepted == ()
    log = _sheet(master, "Log")
    summary = next(str(r[7]) for r in log if r[1] == "refresh")
    assert "1 return read (0 accepted, 1 with rejected rows" in summary
    assert any(r[1] == "rejected" and r[5] == "FILE-021" and r[7] == message for r in log)
    assert (tmp_path / "quarantine" / EARLY_HELP).is_file()  # the copy to send back

    # The task pane's "Validate this return" (the add-in server's /validate).
    with TestClient(create_app(ServerConfig(master=master).check()),
                    base_url="http://127.0.0.1:8000") as client:
        answer = client.post("/validate", json=payload(blank))  # loopback: no token
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["valid"] is False
    assert [(f["rule"], f["message"]) for f in body["findings"]] == [("FILE-021", message)]

    # xlwings Lite's "Validate this return" script, as Lite runs the pasted main.py.
    import xlwings as xw
    from xlwings import server

    from xlperf.excel.payload import replay

    main = types.ModuleType("main")
    main.__dict__.update(runpy.run_path(str(ROOT / "workbooks" / "lite" / "main.py")))
    sys.modules["main"] = main
    try:
        book = xw.Book(json=payload(blank))
        asyncio.run(server.custom_scripts_call(main, "validate_return",
                                               typehint_to_value={xw.Book: book}))
    finally:
        sys.modules.pop("main", None)
    findings = replay(blank, book.json()["actions"]).grids["Findings"]
    rows = [row for row in findings[1:] if row and row[1]]
    assert [(row[0], row[1], row[5]) for row in rows] == [("error", "FILE-021", message)]


def test_a_council_can_relax_it_to_a_query(council, tmp_path):
    from xlperf.validate import validate_return
    from xlperf.write.lossless import SheetContent, write_sheets

    master = tmp_path / "master.xlsx"
    shutil.copy(council / "master.xlsx", master)
    rules = _sheet(master, "Rules")
    header = next(i for i, r in enumerate(rules) if "Severity" in r)
    column = rules[header].index("Severity")
    row = next(i for i, r in enumerate(rules) if "FILE-021" in r)
    grid = [list(r) for r in rules]
    grid[row][column] = "query"
    write_sheets(master, {"Rules": SheetContent(rows=grid)})

    report = validate_return(council / "templates" / EARLY_HELP, master)
    assert report.valid
    assert [f.rule for f in report][:1] == ["FILE-021"]
    assert report.findings[0].severity == "query"
    assert "PERF-004" in {f.rule for f in report}  # the content checks went on
