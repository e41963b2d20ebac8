"""The Returns sheet the refresh writes (issue 22): the same table as ``xlperf returns``.

The demo council with Early Help's return deleted, Workforce's sent back blank and
Safeguarding's late (the fixtures of test_collection): the sheet is read back from the written
workbook with python-calamine and compared with what ``xlperf returns --json`` says.
Q3 2013/14 ends on Tuesday 31 December 2013 and its returns are due ten working days later,
Wednesday 15 January 2014, because New Year's Day is a bank holiday.
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from _workbook_helpers import demo_workbooks, ooxml_problems
from python_calamine import CalamineWorkbook
from test_collection import DUE, PERIOD, TODAY, _add_collection_sheets, _stamp
from typer.testing import CliRunner

from xlperf.cli import app
from xlperf.core.collection import add_working_days, bank_holidays
from xlperf.refresh import ZipWorkbook, refresh
from xlperf.write.returns_sheet import RETURNS_HEADERS

NOW = datetime(2014, 1, 22, 9, 0)
runner = CliRunner()


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("returns-sheet")
    demo_workbooks(folder, period=PERIOD)
    _add_collection_sheets(folder / "master.xlsx")
    return folder


def make_council(pristine: Path, folder: Path) -> Path:
    """The demo with one return deleted, one blank and one late."""
    shutil.copytree(pristine, folder)
    returns = folder / "returns"
    (returns / "Early Help - Q3 2013-14.xlsx").unlink()
    shutil.copy(folder / "templates" / "Workforce - Q3 2013-14.xlsx",
                returns / "Workforce - Q3 2013-14.xlsx")
    for path in returns.iterdir():
        _stamp(path, date(2014, 1, 10))
    _stamp(returns / "Safeguarding - Q3 2013-14.xlsx", date(2014, 1, 20))
    return folder


@pytest.fixture
def council(pristine: Path, tmp_path: Path) -> Path:
    return make_council(pristine, tmp_path / "council")


def sheet_rows(master: Path, name: str = "Returns") -> list[list]:
    return CalamineWorkbook.from_path(str(master)).get_sheet_by_name(name).to_python()


def returns_table(master: Path) -> dict[str, dict]:
    """The Returns sheet's rows by whom they are for, as {header: value}."""
    grid = sheet_rows(master)
    assert grid[3] == list(RETURNS_HEADERS)
    out = {}
    for row in grid[4:]:
        if not row or row[0] in ("", None) or row[1] not in ("performance", "finance",
                                                              "capital"):
            break
        out[row[0]] = dict(zip(RETURNS_HEADERS, row, strict=True))
    return out


def test_the_due_date_skips_new_years_day():
    assert date(2014, 1, 1) in bank_holidays(2014)
    end = date(2013, 12, 31)
    weekdays = [end + timedelta(days=d) for d in range(1, 20)
                if (end + timedelta(days=d)).weekday() < 5]
    assert weekdays[9] == date(2014, 1, 14)  # ten weekdays: the holiday not skipped
    assert add_working_days(end, 10) == DUE == date(2014, 1, 15)


def test_the_refresh_writes_the_returns_sheet_the_cli_shows(council: Path):
    master = council / "master.xlsx"
    result = refresh(ZipWorkbook(master), now=NOW)
    assert "Returns" in result.sheets
    sheet = returns_table(master)
    doc = json.loads(runner.invoke(app, [
        "returns", str(master), "--today", TODAY.isoformat(), "--json"]).stdout)
    cli = {r["return_for"]: r for r in doc["returns"]}
    assert list(sheet) == list(cli)  # the same returns, in the same order
    assert {w for w, r in sheet.items() if r["Outcome"] == "not received"} == {"Early Help"}
    assert {w for w, r in sheet.items() if r["Outcome"] == "blank"} == {"Workforce"}
    late = {w for w, r in sheet.items() if r["Outcome"] in ("accepted", "partly accepted")
            and r["Working days overdue"]}
    assert late == {"Safeguarding"}
    for who, row in sheet.items():
        want = cli[who]
        assert row["Due"] == date.fromisoformat(want["due"]), who
        assert row["Outcome"] == want["outcome"], who
        assert (row["Working days overdue"] or 0) == want["days_overdue"], who
        assert (row["SHA-256"] or None) == want["sha256"], who
        if want["received"]:
            assert row["File"] == Path(want["file"]).name
            assert row["Received"] == datetime.fromisoformat(want["received_at"]).replace(
                tzinfo=None)
            assert (row["Errors"], row["Queries"]) == (want["errors"], want["queries"]), who
        else:
            assert row["Received"] is None or row["Received"] == ""
    assert {r["Due"] for w, r in sheet.items() if w != "Early Help"} == {DUE}
    assert sheet["Early Help"]["Due"] == date(2014, 1, 22)  # its own 15 working days
    assert sheet["Workforce"]["Working days overdue"] == 5  # still owed as of 22 January
    assert sheet["Workforce"]["Contact"] == "no contact"  # REG-070: its address is no address
    # The summary row says what the CLI's last line says.
    assert sheet_rows(master)[2][0].startswith(
        "9 returns expected: 8 received, 1 not received, 1 blank, 1 rejected;")
    assert not ooxml_problems(master)


def test_the_refresh_summary_names_the_returns_not_received(council: Path):
    master = council / "master.xlsx"
    result = refresh(ZipWorkbook(master), now=NOW)
    assert result.not_received == ("Early Help",) and result.blank == ("Workforce",)
    first = next(r[7] for r in sheet_rows(master, "Log")[4:] if r[1] == "refresh")
    assert first.endswith("; 1 return not received: Early Help; 1 sent back blank: Workforce.")
    out = runner.invoke(app, ["refresh", str(master)])
    assert "1 return not received: Early Help; 1 sent back blank: Workforce." in " ".join(
        out.stdout.split())


def test_the_returns_sheet_prints_like_the_other_output_sheets_and_is_rewritten_in_place(
        council: Path):
    master = council / "master.xlsx"
    refresh(ZipWorkbook(master), now=NOW)

    def part() -> bytes:
        with zipfile.ZipFile(master) as archive:
            book = archive.read("xl/workbook.xml").decode()
            rels = archive.read("xl/_rels/workbook.xml.rels").decode()
            rid = re.search(r'<sheet [^>]*name="Returns"[^>]*r:id="([^"]+)"', book)[1]
            target = re.search(rf'Id="{rid}"[^>]*Target="([^"]+)"', rels) or re.search(
                rf'Target="([^"]+)"[^>]*Id="{rid}"', rels)
            return archive.read("xl/" + target[1].lstrip("/").removeprefix("xl/"))

    xml = part().decode()
    assert '<pageSetup paperSize="9"' in xml and 'orientation="landscape"' in xml
    assert "Returns Q3 2013/14" in xml and "Page &amp;P of &amp;N" in xml  # header, footer
    assert '<pane ' in xml and 'topLeftCell="A5"' in xml  # frozen under the headers
    # the SHA-256 column shows the hash's first ten characters with room to spare, so they
    # do not run into the Outcome beside them (it was 9 wide: "28b971327partly accepted")
    sha = RETURNS_HEADERS.index("SHA-256") + 1
    width = float(re.search(rf'<col min="{sha}" max="{sha}" width="([\d.]+)"', xml)[1])
    assert width >= 12
    names = CalamineWorkbook.from_path(str(master)).sheet_names
    assert names.count("Returns") == 1
    refresh(ZipWorkbook(master), now=NOW)  # the same returns again: the same sheet
    assert CalamineWorkbook.from_path(str(master)).sheet_names == names
    # the same XML (a new sheet's attribute quotes are escaped, a rewritten one's not)
    assert part().decode() == xml.replace("&quot;", '"')


def test_no_returns_sheet_without_returns(council: Path):
    """xlwings Lite refreshes from the ledger's history with no returns: nothing to show."""
    result = refresh(ZipWorkbook(council / "master.xlsx"), returns=[], now=NOW)
    assert "Returns" not in result.sheets and result.not_received == ()


# ------------------------------------------------------------------------------ sign-off
def _sign(path: Path, completed: str | None, signed: str | None, on: datetime | None) -> None:
    """Type the sign-off into a return, as its service would (the cells are unlocked)."""
    from openpyxl import load_workbook

    from xlperf.layout import signoff_cells

    wb = load_workbook(path)
    ws = wb.worksheets[0]
    kind = {"Return": "performance", "Finance": "finance", "Capital": "capital"}[ws.title]
    cells = signoff_cells(kind)
    for key, value in (("completed_by", completed), ("signed_off_by", signed),
                       ("signed_off_on", on)):
        assert not ws[cells[key][1]].protection.locked
        ws[cells[key][1]] = value
    wb.save(path)
    _stamp(path, date(2014, 1, 10))


def _require_signoff(master: Path) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(master)
    wb["Settings"].append(["Sign-off required", "Yes", ""])
    wb.save(master)


def test_every_template_has_unlocked_sign_off_cells(pristine: Path):
    from openpyxl import load_workbook

    from xlperf.layout import RETURN_SIGNOFF, signoff_cells

    kinds = {"Return": "performance", "Finance": "finance", "Capital": "capital"}
    seen = set()
    for path in sorted((pristine / "templates").glob("*.xlsx")):
        ws = load_workbook(path).worksheets[0]
        kind = kinds[ws.title]
        seen.add(kind)
        for key, label in RETURN_SIGNOFF:
            label_at, value_at = signoff_cells(kind)[key]
            assert ws[label_at].value == label and ws[label_at].protection.locked
            assert ws[value_at].value is None and not ws[value_at].protection.locked
        assert ws.protection.sheet  # everything else stays locked
    assert seen == {"performance", "finance"}  # the demo's Q3 has no capital return


def test_the_returns_sheet_and_the_ledger_show_who_signed_off(council: Path):
    from xlperf.ledger import Ledger

    master = council / "master.xlsx"
    _sign(council / "returns" / "Children in Care - Q3 2013-14.xlsx", "Jo Bloggs",
          "Pauline Sharratt", datetime(2014, 1, 9))
    refresh(ZipWorkbook(master), now=NOW)
    sheet = returns_table(master)
    row = sheet["Children in Care"]
    assert (row["Completed by"], row["Signed off by"], row["Signed off"]) == (
        "Jo Bloggs", "Pauline Sharratt", date(2014, 1, 9))
    assert row["Outcome"] == "accepted"
    assert all(not r["Signed off by"] for w, r in sheet.items() if w != "Children in Care")
    with Ledger(council / "master.ledger.sqlite") as ledger:
        files = {f["name"]: f for f in ledger.refreshes().iloc[0]["files"]}
    note = files["Children in Care - Q3 2013-14.xlsx"]["note"]
    assert note.endswith("; signed off by Pauline Sharratt on 2014-01-09 (completed by Jo Bloggs)")
    assert "signed off" not in files["Safeguarding - Q3 2013-14.xlsx"]["note"]
    doc = json.loads(runner.invoke(app, ["returns", str(master), "--today", TODAY.isoformat(),
                                         "--json"]).stdout)
    said = {r["return_for"]: r for r in doc["returns"]}["Children in Care"]
    assert (said["signed_off_by"], said["signed_off_on"]) == ("Pauline Sharratt", "2014-01-09")


def test_when_sign_off_is_required_an_unsigned_return_is_not_accepted(council: Path):
    from xlperf.validate.returns import validate_returns

    master = council / "master.xlsx"
    _require_signoff(master)
    signed = council / "returns" / "Children in Care - Q3 2013-14.xlsx"
    half = council / "returns" / "Business Support - Q3 2013-14.xlsx"
    _sign(signed, "Jo Bloggs", "Pauline Sharratt", datetime(2014, 1, 9))
    _sign(half, "Chris Walker", None, None)
    reports = {Path(r.file).name: r for r in validate_returns(sorted(
        (council / "returns").glob("*.xlsx")), master)}
    assert not [f for f in reports[signed.name].findings if f.rule == "FILE-024"]
    (unsigned,) = [f for f in reports[half.name].findings if f.rule == "FILE-024"]
    assert (unsigned.severity, unsigned.sheet, unsigned.cell) == ("error", "Return", "L3")
    assert "Signed off by (L3), Date (L4) left empty" in unsigned.message
    # the blank return is blank, not also unsigned
    assert [f.rule for f in reports["Workforce - Q3 2013-14.xlsx"].findings] == ["FILE-021"]

    result = refresh(ZipWorkbook(master), now=NOW)
    sheet = returns_table(master)
    assert sheet["Children in Care"]["Outcome"] == "accepted"
    assert sheet["Business Support"]["Outcome"] == "rejected"
    taken = {f.name for f in result.accepted}
    assert signed.name in taken and half.name not in taken


# ------------------------------------------------------------------------------ responses
def test_the_annotated_copy_has_a_response_cell_beside_each_query(council: Path,
                                                                  tmp_path: Path):
    from openpyxl import load_workbook

    from xlperf.validate.annotate import ISSUES_HEADER_ROW, ISSUES_HEADERS, annotate
    from xlperf.validate.returns import validate_return

    report = validate_return(council / "returns" / "Education and Skills - Q3 2013-14.xlsx",
                             council / "master.xlsx")
    assert report.errors and report.queries
    copy = annotate(report, tmp_path / "annotated")
    ws = load_workbook(copy)["Issues"]
    assert [c.value for c in ws[ISSUES_HEADER_ROW]] == list(ISSUES_HEADERS)
    assert ws.cell(ISSUES_HEADER_ROW, 9).value == "Your response"
    assert ws.protection.sheet and "Your response" in ws["A3"].value
    rows = list(ws.iter_rows(min_row=ISSUES_HEADER_ROW + 1))
    assert len(rows) == len(report.findings)
    for row in rows:
        severity, response = row[1].value, row[8]
        if severity == "query":
            assert not response.protection.locked and response.fill.fgColor.rgb.endswith(
                "FFF7BF")
        else:  # an error is fixed in the return, not answered
            assert severity == "error" and response.protection.locked
        assert row[0].protection.locked and row[6].protection.locked
    assert not ooxml_problems(copy)
