"""``import-history`` checks history like a return (issue 19).

Against the master's register: a code that is not a measure is a finding (HIST-005, an error by
default, in the catalogue), a month-end date heading a quarterly measure's column is that
quarter, a year-over-quarters header of two rows (as printed council scorecards lay it out) is
read, and each imported period gets its target from the Targets sheet and a status, frozen
like a refreshed period's.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from xlperf.cli import app
from xlperf.ledger import Ledger, ledger_path

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


@pytest.fixture
def master(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "workbooks" / "demo", tmp_path / "demo")
    return tmp_path / "demo" / "master.xlsx"


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "History"
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def _import(master: Path, file: Path) -> tuple[int, dict]:
    result = runner.invoke(app, ["import-history", str(master), str(file), "--json"])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def _values(master: Path):
    with Ledger(ledger_path(master)) as ledger:
        return ledger.current_values()


def _statuses(master: Path):
    with Ledger(ledger_path(master)) as ledger:
        return ledger.frozen_statuses()


def test_a_code_not_in_the_register_is_an_error_and_not_imported(master, tmp_path):
    history = tmp_path / "history.csv"
    history.write_text("Code,Q1 2012/13,Q2 2012/13\n"
                       "YO EET,71.5,72.0\n"
                       "BOGUS 1,5,6\n"
                       "CS9999,7,\n", encoding="utf-8")
    code, report = _import(master, history)
    assert code == 1  # an error: not everything was imported
    found = [(f["rule"], f["severity"], f["cell"], f["value"]) for f in report["findings"]]
    assert found == [("HIST-005", "error", "A3", "BOGUS 1"), ("HIST-005", "error", "A4", "CS9999")]
    assert "'CS9999', which is not a measure on the Measures sheet" in \
        report["findings"][1]["message"]
    values = _values(master)
    assert sorted(values["Code"].unique()) == ["YO EET"]
    assert values["Actual"].tolist() == [71.5, 72.0]


def test_without_a_master_the_codes_are_not_checked(tmp_path):
    import pandas as pd

    with Ledger(tmp_path / "l.sqlite") as ledger:
        report = ledger.import_history(pd.DataFrame({"Code": ["CS9999"], "Q1 2012/13": [7]}))
    assert not report.findings and report.meta["inserted"] == 1


def test_hist_rules_take_the_masters_severity(master, tmp_path):
    from openpyxl import load_workbook

    wb = load_workbook(master)
    ws = wb["Rules"]
    row = next((r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "HIST-005"),
               ws.max_row + 1)  # a master written before the HIST rules: a row added
    ws.cell(row, 1, "HIST-005")
    ws.cell(row, 2, "query")
    wb.save(master)
    history = tmp_path / "history.csv"
    history.write_text("Code,Q1 2012/13\nCS9999,7\n", encoding="utf-8")
    code, report = _import(master, history)
    assert [(f["rule"], f["severity"]) for f in report["findings"]] == [("HIST-005", "query")]
    assert code == 0


@pytest.mark.parametrize("as_dates", [False, True], ids=["text", "date cells"])
def test_month_end_dates_of_a_quarterly_measure_become_quarters(master, tmp_path, as_dates):
    heads = ["30/06/11", "30/09/11", "31/12/11", "31/03/12"]
    if as_dates:
        heads = [dt.datetime(2011, 6, 30), dt.datetime(2011, 9, 30), dt.datetime(2011, 12, 31),
                 dt.datetime(2012, 3, 31)]
    file = _xlsx(tmp_path / "history.xlsx", [
        ["Code", "Measure", *heads],
        ["YO EET", "Young offenders in EET", 70.1, 71.2, 72.3, 73.4],  # quarterly
        ["CYP 2.1.3", "Timeliness", 80.0, 81.0, 82.0, 83.0],            # monthly
        ["NI_073", "Level 4", None, None, None, 77.0],                  # annual
    ])
    code, report = _import(master, file)
    assert code == 0, report["findings"]
    values = _values(master).set_index("Code")
    assert values.loc["YO EET", "Period"].tolist() == ["Q1 2011/12", "Q2 2011/12",
                                                       "Q3 2011/12", "Q4 2011/12"]
    assert values.loc["CYP 2.1.3", "Period"].tolist() == ["Jun-11", "Sep-11", "Dec-11",
                                                          "Mar-12"]
    assert values.loc[["NI_073"], "Period"].tolist() == ["2011/12"]


@pytest.mark.parametrize("years_above", [False, True], ids=["years beside Code",
                                                             "years above Code"])
def test_a_year_over_quarters_header_of_two_rows_is_read(master, tmp_path, years_above):
    years = ["2011/12", None, None, None, "2012/13", None]
    quarters = ["Qtr1", "Qtr2", "Qtr3", "Qtr4", "Qtr1", "Qtr2"]
    if years_above:
        head = [[None, None, *years], ["Code", "Measure", *quarters]]
    else:
        head = [["Code", "Measure", *years], [None, None, *quarters]]
    file = _xlsx(tmp_path / "scorecard.xlsx", [
        ["Children's services scorecard", None], *head,
        ["KIGS CH01", "Children on a CP plan", 40.1, 41.2, 42.3, 43.4, 44.5, 45.6],
        ["CL EET", "Care leavers in EET", 50, 51, None, 53, 54, 55],
    ])
    code, report = _import(master, file)
    assert code == 0, report["findings"]
    assert report["findings"] == []
    values = _values(master).set_index("Code")
    assert values.loc["KIGS CH01", "Period"].tolist() == [
        "Q1 2011/12", "Q2 2011/12", "Q3 2011/12", "Q4 2011/12", "Q1 2012/13", "Q2 2012/13"]
    assert values.loc["KIGS CH01", "Actual"].tolist() == [40.1, 41.2, 42.3, 43.4, 44.5, 45.6]
    assert values.loc["CL EET", "Period"].tolist() == [
        "Q1 2011/12", "Q2 2011/12", "Q4 2011/12", "Q1 2012/13", "Q2 2012/13"]
    # The first value row follows the two header rows: its cells keep their Excel names.
    assert _values(master).set_index(["Code", "Period"]).loc[
        ("KIGS CH01", "Q1 2011/12"), "Cell"] == "C4"


def test_imported_periods_get_their_target_and_a_frozen_status(master, tmp_path):
    from xlperf.core.status import status
    from xlperf.read.master import read_master

    file = _xlsx(tmp_path / "history.xlsx", [
        ["Code", dt.datetime(2013, 6, 30)],  # Q1 2013/14 of a quarterly measure
        ["DofE 01", 100],                    # Targets sheet: 120 for Q1 2013/14
    ])
    code, report = _import(master, file)
    assert code == 0, report["findings"]
    frozen = _statuses(master).set_index(["code", "period"])
    row = frozen.loc[("DofE 01", "Q1 2013/14")]
    read = read_master(master)
    target = float(read.targets.set_index(["Code", "Period"]).loc[("DofE 01", "Q1 2013/14"),
                                                                  "Target"])
    assert target == 120 and row["target"] == target and row["actual"] == 100
    assert row["status"] == status(100, target, "Bigger is better", tolerance=5,
                                   tolerance_type="%")
    assert len(frozen) == 1  # only what was imported is frozen

    # Frozen like the rest: a later import with another target keeps the published status,
    # and so does the refresh of the next period.
    from openpyxl import load_workbook

    wb = load_workbook(master)
    ws = wb["Targets"]
    cell = next(ws.cell(r, 3) for r in range(2, ws.max_row + 1)
                if ws.cell(r, 1).value == "DofE 01" and ws.cell(r, 2).value == "Q1 2013/14")
    cell.value = 90
    wb.save(master)
    _import(master, file)
    from xlperf.refresh import ZipWorkbook, refresh

    refresh(ZipWorkbook(master))
    again = _statuses(master).set_index(["code", "period"]).loc[("DofE 01", "Q1 2013/14")]
    assert again["status"] == row["status"] and again["target"] == target
