"""The Excel route of the refresh with real xlwings objects on Linux (issue 7).

The demo master becomes the payload an Office.js client would send
(:func:`~xlperf.excel.payload.payload_from_xlsx`), ``xw.Book(json=payload)`` builds xlwings' own
remote book from it, ``set_mock_caller()`` makes it ``xw.Book.caller()``, and the "Refresh
scorecard" button's function runs the same :func:`xlperf.refresh.refresh` over
:class:`~xlperf.excel.gateway.XlwingsWorkbook`. The actions xlwings queued are applied to the
workbook's values (:func:`~xlperf.excel.payload.replay`, which models how Excel parses what it
is given) and compared cell by cell with the headless refresh of the same master
(``ZipWorkbook``, read back with python-calamine).

xlwings' remote engine needs ``XLWINGS_LICENSE_KEY`` (``noncommercial`` is fine for an
open-source test suite) and, for the worksheet-function tests in this folder,
``XLWINGS_ON_SERVER``, both before xlwings is first imported: the module fixture sets them.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from _workbook_helpers import ooxml_problems

from xlperf.demo import demo_register
from xlperf.errors import InputError
from xlperf.excel.payload import Converted, apply_actions, excel_entry, payload_from_xlsx, replay
from xlperf.write.lossless import CellStyle, SheetContent

DEMO_MEASURES = len(demo_register())

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "workbooks" / "demo"
XLWINGS_ENV = {"XLWINGS_ON_SERVER": "true", "XLWINGS_LICENSE_KEY": "noncommercial"}
NOW = dt.datetime(2013, 10, 15, 9, 30)
OUTPUT_SHEETS = ("Scorecard", "Objectives", "Exceptions", "Finance", "Log", "Returns",
                 "Governance", "Key activities")


@pytest.fixture(scope="module")
def xw() -> Any:
    with pytest.MonkeyPatch.context() as mp:
        for name, value in XLWINGS_ENV.items():
            mp.setenv(name, value)
        import xlwings

        if not xlwings.__pro__:
            pytest.fail("xlwings was imported before XLWINGS_LICENSE_KEY was set: its remote "
                        "engine is not loaded")
        yield xlwings


def _date(value: Any) -> Any:
    """calamine gives a date-only cell as ``date``, xlwings as ``datetime``: the same day."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return value


def _grid(rows: list[list[Any]]) -> list[list[Any]]:
    """A grid from A1 without empty trailing rows and columns, dates as datetimes."""
    rows = [[None if v == "" else _date(v) for v in row] for row in rows]
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    width = max((i + 1 for row in rows for i, v in enumerate(row) if v is not None), default=0)
    return [row[:width] + [None] * (width - len(row)) for row in rows]


def _calamine(path: Path) -> dict[str, list[list[Any]]]:
    from xlperf.read._calamine import open_workbook, sheet_grid

    book = open_workbook(path)
    return {name: _grid(sheet_grid(book, name)) for name in book.sheet_names}


def _without_timings(grid: list[list[Any]]) -> list[list[Any]]:
    """The Log's timing line differs between any two runs, and its summary names each run's
    own ledger (a short id of it); everything else must not."""
    return [[re.sub(r", ledger [0-9a-f]{8}\)$", ", ledger <id>)", v) if isinstance(v, str) else v
             for v in ["<timings>" if "timing" in row and isinstance(v, str) and " s, " in v
                       else v for v in row]] for row in grid]


@pytest.fixture(scope="module")
def refreshed(xw: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The demo master refreshed twice from the same returns: headless and through xlwings."""
    from xlperf.excel.buttons import refresh_scorecard
    from xlperf.refresh import ZipWorkbook, refresh

    work = tmp_path_factory.mktemp("gateway")
    headless, excel = work / "headless" / "master.xlsx", work / "excel" / "master.xlsx"
    for path in (headless, excel):
        path.parent.mkdir()
        shutil.copy(DEMO / "master.xlsx", path)
    quarantine = work / "quarantine"
    options = {"returns": [DEMO / "returns"], "quarantine": quarantine, "now": NOW}
    expected = refresh(ZipWorkbook(headless), ledger=headless.parent / "ledger.sqlite",
                       **options)

    book = xw.Book(json=payload_from_xlsx(excel))
    book.set_mock_caller()  # what RunPython hands the button: xw.Book.caller()
    result = refresh_scorecard(ledger=excel.parent / "ledger.sqlite", **options)
    actions = book.json()["actions"]
    return {"expected": expected, "result": result, "actions": actions,
            "applied": replay(excel, actions), "headless": headless, "excel": excel}


def test_excel_refresh_gives_the_headless_scorecard_cell_by_cell(refreshed):
    assert refreshed["result"] is not None, "the button reported a problem"
    assert refreshed["result"].sheets == refreshed["expected"].sheets == OUTPUT_SHEETS
    want = _calamine(refreshed["headless"])
    got = refreshed["applied"].grids
    for sheet in OUTPUT_SHEETS:
        expected, actual = _without_timings(want[sheet]), _without_timings(_grid(got[sheet]))
        assert len(actual) == len(expected), sheet
        for r, (a, e) in enumerate(zip(actual, expected, strict=True), 1):
            assert a == e, f"{sheet} row {r}"
    assert len(want["Scorecard"]) > 50  # the demo's measures and their group rows
    # the workbook's other sheets are not touched by the Excel route
    written = {a["sheet_position"] for a in refreshed["actions"]
               if a.get("sheet_position") is not None}
    names = list(got)
    assert {names[i] for i in written} == set(OUTPUT_SHEETS)


def test_the_button_says_what_happened_in_a_message_box(refreshed):
    alerts = refreshed["applied"].alerts
    assert len(alerts) == 1
    assert alerts[0].startswith(
        f"Scorecard refreshed for Q2 2013/14: {DEMO_MEASURES} measures (")
    assert "10 returns read" in alerts[0] and "Save the workbook" in alerts[0]


@pytest.mark.filterwarnings("ignore:Sparkline Group extension:UserWarning")
def test_formats_match_the_headless_styles_cell_by_cell(refreshed):
    from openpyxl import load_workbook

    book = load_workbook(refreshed["headless"])
    formats = refreshed["applied"].formats
    checked = 0
    for sheet in OUTPUT_SHEETS:
        ws = book[sheet]
        mine = formats.get(sheet, {})
        for row in ws.iter_rows():
            for cell in row:
                got = mine.get((cell.row, cell.column), {})
                fill = cell.fill.fgColor.rgb if cell.fill.fill_type == "solid" else None
                want_fill = f"#{fill[2:]}" if isinstance(fill, str) else None
                assert (got.get("fill") or None) == want_fill, f"{sheet}!{cell.coordinate}"
                assert bool(got.get("bold")) == bool(cell.font.b), f"{sheet}!{cell.coordinate}"
                assert got.get("number_format", "General") == cell.number_format, (
                    f"{sheet}!{cell.coordinate}")
                checked += 1
    assert checked > 1000


def test_values_are_written_once_per_sheet_and_formats_in_blocks(refreshed):
    actions = refreshed["actions"]
    writes = [a for a in actions if a["func"] == "setValues"]
    assert len(writes) == len(OUTPUT_SHEETS)
    cells = sum(a["row_count"] * a["column_count"] for a in writes)
    assert len(actions) < cells / 5, f"{len(actions)} actions for {cells} cells"
    funcs = {a["func"] for a in actions}
    assert funcs <= {"setValues", "rangeClearContents", "setNumberFormat", "setRangeColor",
                     "setFontProperty", "setWrapText", "setHorizontalAlignment",
                     "setVerticalAlignment", "setColumnHidden", "alert"}
    # every output sheet exists in the demo master: it keeps its own widths and panes
    assert not {"addSheet", "setColumnWidth", "freezePaneAtRange"} & funcs
    assert refreshed["applied"].hidden["Scorecard"]  # the trend data columns


def test_a_new_sheet_gets_widths_in_points_and_frozen_headers(xw):
    from xlperf.excel.gateway import XlwingsWorkbook

    book = xw.Book(json=payload_from_xlsx(DEMO / "master.xlsx"))
    header = CellStyle(bold=True, fill="#1D70B8", color="#FFFFFF")
    XlwingsWorkbook(book).write_sheets({"Extra": SheetContent(
        rows=[["Code", "When"], ["PI01", dt.date(2013, 9, 30)]], styles=[[header, header]],
        widths=[10, 12], freeze="A2")})
    applied = replay(DEMO / "master.xlsx", book.json()["actions"])
    assert list(applied.grids)[-1] == "Extra"
    assert applied.grids["Extra"] == [["Code", "When"], ["PI01", dt.datetime(2013, 9, 30)]]
    assert applied.widths["Extra"] == {1: 52.5, 2: 63.0}  # Office.js sets points
    assert applied.freeze["Extra"] == "1:1"  # Office.js freezes the given rows
    assert applied.formats["Extra"][(1, 2)] == {"fill": "#1D70B8", "color": "#FFFFFF",
                                                "bold": True}
    assert applied.formats["Extra"][(2, 2)] == {"number_format": "yyyy-mm-dd"}


def test_a_new_sheet_gets_its_optional_columns_grouped_and_no_row_heights(xw):
    """The outline of a sheet the Excel route adds is grouped with xlwings' Range.group;
    row heights are left to Excel, which grows wrapped rows as it writes them."""
    from xlperf.excel.gateway import XlwingsWorkbook

    book = xw.Book(json=payload_from_xlsx(DEMO / "master.xlsx"))
    XlwingsWorkbook(book).write_sheets({"Extra": SheetContent(
        rows=[["Code", "Measure", "Why", "Variance", "Note"], ["PI01", "A", "x", 1, "n"]],
        outline_columns=(3, 4, 5), row_heights={2: 30.0}, freeze="C2")})
    actions = book.json()["actions"]
    applied = replay(DEMO / "master.xlsx", actions)
    assert applied.grouped == {"Extra": {3, 4, 5}}
    assert [a for a in actions if a["func"] == "rangeGroup"] == [
        a for a in actions if a["func"] == "rangeGroup" and a["column_count"] == 3]
    assert not [a for a in actions if a["func"] == "setRowHeight"]
    # an existing output sheet keeps its own layout: nothing is grouped again
    book = xw.Book(json=payload_from_xlsx(DEMO / "master.xlsx"))
    XlwingsWorkbook(book).write_sheets({"Scorecard": SheetContent(
        rows=[["Code"]], outline_columns=(3, 4))})
    assert not replay(DEMO / "master.xlsx", book.json()["actions"]).grouped


TRICKY_TEXT = ["=SUM(A1:A3)", "=cmd|' /C calc'!A0", "+44 20 7946 0000", "-5", "-x", "@user",
               "'quoted'", "1,000", "50%", "£12", "(5)", "1e5", "Sep-13", "1/2", "9:30",
               "2013-10-01", "TRUE", "false", "#N/A", " leading space", "0042", "Q2 2013/14",
               "Data only", "Green"]


def test_text_from_returns_is_never_a_formula_or_a_number(xw, tmp_path):
    from xlperf.excel.gateway import XlwingsWorkbook
    from xlperf.write.lossless import write_sheets

    rows = [["Text"], *([t] for t in TRICKY_TEXT)]
    book = xw.Book(json=payload_from_xlsx(DEMO / "master.xlsx"))
    XlwingsWorkbook(book).write_sheets({"Scorecard": SheetContent(rows=rows)})
    applied = replay(DEMO / "master.xlsx", book.json()["actions"])
    assert applied.grids["Scorecard"] == rows
    # the headless writer agrees
    copy = tmp_path / "master.xlsx"
    shutil.copy(DEMO / "master.xlsx", copy)
    write_sheets(copy, {"Scorecard": SheetContent(rows=rows)})
    assert _calamine(copy)["Scorecard"] == rows


def test_the_excel_model_would_catch_unprotected_text():
    got = apply_actions({"S": []}, [{"func": "setValues", "sheet_position": 0, "start_row": 0,
                                     "start_column": 0, "row_count": 1, "column_count": 5,
                                     "values": [["=1+1", "Sep-13", "1,000", "TRUE", "'=1"]]}])
    assert got["S"] == [[Converted("=1+1", "formula"), Converted("Sep-13", "date"),
                         Converted("1,000", "number"), Converted("TRUE", "boolean"), "=1"]]
    assert excel_entry("2013-10-01 09:30:00") == dt.datetime(2013, 10, 1, 9, 30)


def test_replay_refuses_what_it_does_not_model():
    with pytest.raises(InputError) as caught:
        apply_actions({"S": []}, [{"func": "addChart", "sheet_position": 0}])
    assert "'addChart' is not an action xlperf models" in str(caught.value)
    with pytest.raises(InputError) as caught:
        apply_actions({"S": []}, [{"func": "setValues", "sheet_position": 3, "start_row": 0,
                                   "start_column": 0, "row_count": 1, "column_count": 1,
                                   "values": [["x"]]}])
    assert "no sheet at position 3" in str(caught.value)


@pytest.fixture(scope="module")
def typed_workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workbook with every kind of cell a client sends: dates, times, booleans, errors."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Typed"
    ws.append(["Text", "Whole", "Real", "Flag", "Date", "When", "Time"])
    ws.append(["a", 3, 2.5, True, dt.date(2013, 9, 30), dt.datetime(2013, 9, 30, 12, 15),
               dt.time(9, 30)])
    ws.append([None, -4, 1e-9, False, None, None, None])
    ws["C6"] = "far away"
    wb.create_sheet("Empty")
    path = tmp_path_factory.mktemp("typed") / "typed.xlsx"
    wb.save(path)
    return path


@pytest.mark.parametrize("source", ["demo master", "demo return", "typed"])
def test_reading_a_payload_gives_calamines_grid(xw, typed_workbook, source):
    from xlperf.excel.gateway import XlwingsWorkbook

    path = {"demo master": DEMO / "master.xlsx", "typed": typed_workbook,
            "demo return": sorted((DEMO / "returns").glob("*.xlsx"))[0]}[source]
    payload = payload_from_xlsx(path)
    workbook = XlwingsWorkbook(xw.Book(json=payload))
    want = _calamine(path)
    assert workbook.sheet_names() == list(want)
    assert workbook.path is None and workbook.name == path.name
    for sheet, grid in want.items():
        got = workbook.read_sheet(sheet.upper())  # matched ignoring case, as Excel does
        if source == "typed" and sheet == "Typed":
            # a time of day arrives as Excel's day 0 plus the time (the clients' toISOString)
            assert got[1][6] == dt.datetime(1899, 12, 30, 9, 30)
            got[1][6] = grid[1][6]
        assert got == grid, sheet


def test_payload_has_the_clients_shape(typed_workbook):
    payload = payload_from_xlsx(typed_workbook, active_sheet="Empty")
    assert payload["client"] == "Office.js" and payload["book"] == {
        "name": "typed.xlsx", "active_sheet_index": 1, "selection": "A1"}
    typed = payload["sheets"][0]
    assert typed["values"][1][:6] == ["a", 3, 2.5, True, "2013-09-30T00:00:00.000Z",
                                      "2013-09-30T12:15:00.000Z"]
    assert typed["values"][2][0] == ""  # an empty cell, as Office.js sends it
    assert payload["sheets"][1]["values"] == [[""]]
    master = payload_from_xlsx(DEMO / "master.xlsx")
    tables = {t["name"]: t for s in master["sheets"] for t in s["tables"]}
    assert tables["tblMeasures"]["header_row_range_address"] == "$A$1:$U$1"


# -- the buttons ------------------------------------------------------------------------------

def test_refresh_button_turns_a_failure_into_a_plain_message(xw):
    from xlperf.excel.buttons import refresh_scorecard

    book = xw.Book(json=payload_from_xlsx(DEMO / "master.xlsx"))
    assert refresh_scorecard(book) is None  # a payload has no file: no ledger beside it
    applied = replay(DEMO / "master.xlsx", book.json()["actions"])
    assert applied.alerts == ["The scorecard was not refreshed: master.xlsx has no file path: "
                              "give the ledger path"]
    assert "Traceback" not in applied.alerts[0]


def test_validate_button_lists_findings_on_their_own_sheet(xw, monkeypatch, tmp_path):
    from openpyxl import load_workbook

    from xlperf.excel.buttons import validate_this_return
    from xlperf.excel.gateway import XlwingsWorkbook

    book = xw.Book(json=payload_from_xlsx(sorted((DEMO / "returns").glob("*.xlsx"))[0]))
    assert validate_this_return(book) is None  # not saved: nothing to check
    assert "is not saved as a file yet" in replay(
        {s.name: [] for s in book.sheets}, book.json()["actions"]).alerts[0]

    bad = tmp_path / "Early Help - Q2 2013-14.xlsx"
    shutil.copy(DEMO / "returns" / bad.name, bad)
    wb = load_workbook(bad)
    ws = next(ws for ws in wb.worksheets if ws.sheet_state == "visible")
    header = next(r for r in range(1, 30) if any(
        str(c.value).strip().casefold() == "actual" for c in ws[r] if c.value))
    column = next(c.column for c in ws[header] if str(c.value).strip().casefold() == "actual")
    ws.cell(header + 1, column, "lots")
    wb.save(bad)
    book = xw.Book(json=payload_from_xlsx(bad))
    monkeypatch.setattr(XlwingsWorkbook, "path", property(lambda self: bad))
    report = validate_this_return(book, master=DEMO / "master.xlsx")
    assert report is not None and not report.valid
    applied = replay(bad, book.json()["actions"])
    findings = applied.grids["Findings"]
    assert findings[0] == ["Severity", "Rule", "Sheet", "Cell", "Value", "Message",
                           "How to fix"]
    lots = next(row for row in findings[1:] if row[0] == "error" and row[4] == "lots")
    row = lots[3].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    # How to fix names the commentary cell of the same row, filled in.
    assert lots[1] == "PERF-006" and f"commentary (L{row})" in lots[6] and "{" not in lots[6]
    errors = len(report.errors)
    assert f"{errors} error{'s' if errors != 1 else ''} and " in applied.alerts[0]
    assert "Findings sheet" in applied.alerts[0]
    assert applied.alerts[0].endswith("Correct the errors, save, and validate again.")


# -- workbooks/master.xlsm ------------------------------------------------------------------

XLSM = ROOT / "workbooks" / "master.xlsm"
CHANGED = {"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"}


def _c14n(xml: str) -> bytes:
    from lxml import etree

    return etree.tostring(etree.fromstring(xml.encode()), method="c14n")


def test_master_xlsm_is_the_master_plus_vba_and_a_button():
    from xlperf.write.xlsm import VBA_PROJECT

    xlsx, xlsm = zipfile.ZipFile(ROOT / "workbooks" / "master.xlsx"), zipfile.ZipFile(XLSM)
    before, after = set(xlsx.namelist()), set(xlsm.namelist())
    assert after - before == {"xl/vbaProject.bin", "xl/drawings/vmlDrawing1.vml",
                              "xl/worksheets/_rels/sheet2.xml.rels"}
    assert before <= after
    for name in before - CHANGED:
        if not name.startswith("xl/worksheets/sheet"):
            assert xlsx.read(name) == xlsm.read(name), name
    assert xlsm.read("xl/vbaProject.bin") == VBA_PROJECT.read_bytes()
    types = xlsm.read("[Content_Types].xml").decode()
    assert ('PartName="/xl/workbook.xml" ContentType="application/vnd.ms-excel.sheet.'
            'macroEnabled.main+xml"') in types
    assert 'Extension="bin" ContentType="application/vnd.ms-office.vbaProject"' in types
    assert "relationships/vbaProject" in xlsm.read("xl/_rels/workbook.xml.rels").decode()
    assert '<workbookPr codeName="ThisWorkbook"/>' in xlsm.read("xl/workbook.xml").decode()
    sheets = sorted(int(m.group(1)) for name in before
                    if (m := re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", name)))
    assert len(sheets) >= 12
    for n in sheets:  # each sheet: only its code name (and the button) added
        sheet = xlsm.read(f"xl/worksheets/sheet{n}.xml").decode()
        assert f'<sheetPr codeName="Sheet{n}">' in sheet
        plain = re.sub(r'<legacyDrawing [^>]*/>', "", sheet.replace(f' codeName="Sheet{n}"', ""))
        assert _c14n(plain) == _c14n(xlsx.read(f"xl/worksheets/sheet{n}.xml").decode()), n
    scorecard = xlsm.read("xl/worksheets/sheet2.xml").decode()
    assert '<legacyDrawing xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/' \
           'relationships" r:id="rId1"/></worksheet>' in scorecard
    vml = xlsm.read("xl/drawings/vmlDrawing1.vml").decode()
    assert 'ObjectType="Button"' in vml and "<x:FmlaMacro>[0]!SampleCall</x:FmlaMacro>" in vml
    assert ">Refresh scorecard</font>" in vml
    assert not ooxml_problems(XLSM)


def test_vba_project_is_xlwings_quickstart_unchanged(xw):
    from xlperf.write.xlsm import VBA_PROJECT

    if xw.__version__ != "0.37.8":
        pytest.skip(f"the VBA was taken from xlwings 0.37.8, this is {xw.__version__}")
    quickstart = Path(xw.__file__).with_name("quickstart.xlsm")
    assert zipfile.ZipFile(quickstart).read("xl/vbaProject.bin") == VBA_PROJECT.read_bytes()
    licence = (VBA_PROJECT.parent / "LICENSE.xlwings.txt").read_text()
    assert "BSD 3-clause" in licence and "Zoomer Analytics" in licence


def test_master_py_runs_the_refresh_button_on_the_caller():
    tree = ast.parse((ROOT / "workbooks" / "master.py").read_text())
    main = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "main")
    assert ast.unparse(main.body[0]) == "refresh_scorecard(xw.Book.caller())"
    assert any(isinstance(n, ast.ImportFrom) and n.module == "xlperf.excel.buttons"
               for n in tree.body)


def test_a_headless_refresh_keeps_the_vba_and_the_button(tmp_path):
    from xlperf.write.lossless import write_sheets

    copy = tmp_path / "master.xlsm"
    shutil.copy(XLSM, copy)
    write_sheets(copy, {"Scorecard": SheetContent(rows=[["Scorecard"], ["refreshed"]])})
    old, new = zipfile.ZipFile(XLSM), zipfile.ZipFile(copy)
    for name in ("xl/vbaProject.bin", "xl/drawings/vmlDrawing1.vml",
                 "xl/worksheets/_rels/sheet2.xml.rels"):
        assert new.read(name) == old.read(name)
    assert "<legacyDrawing" in new.read("xl/worksheets/sheet2.xml").decode()
    assert _calamine(copy)["Scorecard"][:2] == [["Scorecard"], ["refreshed"]]
    assert not ooxml_problems(copy)


def test_libreoffice_opens_master_xlsm_with_the_button_bound_to_the_macro(tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    profile = tmp_path / "lo-profile"
    done = subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation=file://{profile}", "--convert-to",
         "ods", "--outdir", str(tmp_path), str(XLSM)], capture_output=True, text=True,
        timeout=180)
    ods = tmp_path / "master.ods"
    assert ods.exists(), done.stdout + done.stderr
    content = zipfile.ZipFile(ods).read("content.xml").decode()
    assert 'form:label="Refresh scorecard"' in content
    assert "VBAProject.Module1.SampleCall" in content
    module = zipfile.ZipFile(ods).read("Basic/VBAProject/Module1.xml").decode()
    assert "RunPython" in module and "Sub SampleCall()" in module
