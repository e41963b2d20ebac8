"""The Numerator and Denominator cells are read as the Actual is (user acceptance test, 06).

Before the fix an Excel error saved in either cell (``#DIV/0!``, ``#N/A``), a word in the
Numerator (``about 30``) and a zero Denominator gave no finding at all: only PERF-010 read the
two cells, through a helper that turns text and errors into "no number", and the refresh then
recorded the numerator as None beside a zero denominator. Now each cell goes through the
value parser: text is PERF-006 and an Excel error PERF-007 at that cell, naming the column
(errors: the row is rejected, nothing recorded); a zero denominator is a PERF-021 query.
"""

from __future__ import annotations

import re
import sqlite3
import zipfile
from pathlib import Path

import pytest
from _workbook_helpers import SHIPPED_DEMO, filled_on_target
from openpyxl import load_workbook

from xlperf.validate.returns import validate_return

DEMO = SHIPPED_DEMO
SAFEGUARDING = DEMO / "templates" / "Safeguarding - Q2 2013-14.xlsx"


@pytest.fixture(scope="module")
def master(shipped_master):
    return shipped_master


def _good(out: Path) -> Path:
    """The Safeguarding return filled in on target, commentary on every row."""
    return filled_on_target(SAFEGUARDING, out)


def _patch_sheet(path: Path, cells: dict[str, str]) -> None:
    """Replace cells of the Return sheet's XML as Excel saves them (a formula and the error
    it gave, ``t="e"``)."""
    with zipfile.ZipFile(path) as z:
        items = [(i, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in items:
            if info.filename == "xl/worksheets/sheet1.xml":
                xml = data.decode()
                for ref, cell in cells.items():
                    xml, n = re.subn(rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)', cell, xml, count=1)
                    assert n == 1, ref
                data = xml.encode()
            out.writestr(info, data)


def _at(report, *cells: str) -> dict[str, tuple[str, str, str, object]]:
    return {f.cell: (f.rule, f.severity, f.message, f.value) for f in report.findings
            if f.cell in cells}


def test_excel_errors_saved_in_the_numerator_and_denominator_are_findings(tmp_path, master):
    path = _good(tmp_path / "Safeguarding - Q2 2013-14.xlsx")
    ws = load_workbook(path)["Return"]
    code, period = ws["A13"].value, ws["F13"].value
    _patch_sheet(path, {
        "I13": '<c r="I13" t="e"><f>SUM(Cases!B2:B40)/0</f><v>#DIV/0!</v></c>',
        "J13": '<c r="J13" t="e"><f>VLOOKUP("Jul",Cases!A:C,3,FALSE)</f><v>#N/A</v></c>'})
    report = validate_return(path, master)
    assert _at(report, "I13", "J13") == {
        "I13": ("PERF-007", "error", f"I13 ({code}) shows the Excel error #DIV/0! instead "
                "of the numerator.", "#DIV/0!"),
        "J13": ("PERF-007", "error", f"J13 ({code}) shows the Excel error #N/A instead of "
                "the denominator.", "#N/A")}
    assert not report.valid
    assert period  # the row is the measure's first period of the quarter


def test_a_word_in_the_numerator_is_not_a_number_and_a_zero_denominator_a_query(
        tmp_path, master):
    path = _good(tmp_path / "Safeguarding - Q2 2013-14.xlsx")
    wb = load_workbook(path)
    ws = wb["Return"]
    code, period = ws["A16"].value, ws["F16"].value
    ws["I16"], ws["J16"] = "about 30", 0
    ws["I17"], ws["J17"] = 3, 0
    wb.save(path)
    report = validate_return(path, master)
    assert _at(report, "I16", "J16", "I17", "J17", "H16", "H17") == {
        "I16": ("PERF-006", "error", f"{period} numerator for {code} in I16 is 'about 30', "
                "which is not a number.", "about 30"),
        "J16": ("PERF-021", "query", f"{period} denominator for {code} in J16 is 0: a "
                "numerator cannot be divided by nothing, so it cannot give the actual.", 0),
        "J17": ("PERF-021", "query", f"{ws['F17'].value} denominator for {ws['A17'].value} "
                "in J17 is 0: a numerator cannot be divided by nothing, so it cannot give "
                "the actual.", 0)}
    fix = next(f for f in report.findings if f.cell == "I16").how_to_fix
    assert "number only" in fix


def test_the_actual_keeps_its_own_words(tmp_path, master):
    """The Actual's messages are as they were: the column is named 'actual'."""
    path = _good(tmp_path / "Safeguarding - Q2 2013-14.xlsx")
    wb = load_workbook(path)
    ws = wb["Return"]
    code, period = ws["A16"].value, ws["F16"].value
    ws["H16"], ws["H21"] = "about 330", "#DIV/0!"
    wb.save(path)
    found = _at(validate_return(path, master), "H16", "H21")
    assert found["H16"][2] == (f"{period} actual for {code} in H16 is 'about 330', which is "
                               "not a number.")
    assert found["H21"][2] == (f"H21 ({ws['A21'].value}) shows the Excel error #DIV/0! "
                               "instead of the actual.")


def test_the_refresh_records_no_row_whose_numerator_is_not_a_number(tmp_path):
    from _workbook_helpers import demo_workbooks

    from xlperf.refresh import ZipWorkbook, refresh

    built = demo_workbooks(tmp_path / "council")
    council = Path(built.master).parent
    path = next((council / "returns").glob("Safeguarding*.xlsx"))
    wb = load_workbook(path)
    ws = wb["Return"]
    ws["I16"], ws["J16"] = "about 30", 0  # CYP 2.1.4: rejected (an error)
    ws["I17"], ws["J17"] = 3, 0  # CYP 2.1.6: a query, recorded as typed
    wb.save(path)
    refresh(ZipWorkbook(built.master))
    with sqlite3.connect(council / "master.ledger.sqlite") as db:
        rows = dict(db.execute("select cell, denominator from \"values\" where cell in "
                               "('H16', 'H17') and source_file like 'Safeguarding%'"))
    assert rows == {"H17": 0.0}


def test_a_numerator_or_denominator_formula_never_calculated_is_queried(tmp_path, master):
    """openpyxl (or a program) saves a formula with no value: the Numerator and Denominator
    were recorded as None without a word, where the Actual's is PERF-019."""
    path = _good(tmp_path / "Safeguarding - Q2 2013-14.xlsx")
    wb = load_workbook(path)
    ws = wb["Return"]
    code, period = ws["A13"].value, ws["F13"].value
    ws["I13"], ws["J13"] = "=SUM(Cases!B2:B40)", "=COUNT(Cases!C2:C40)"
    wb.save(path)
    report = validate_return(path, master)
    uncalculated = "holds a formula that has not been calculated ({}), so it has no value."
    assert _at(report, "H13", "I13", "J13") == {
        "I13": ("PERF-019", "query", f"{period} numerator for {code} in I13 "
                + uncalculated.format("=SUM(Cases!B2:B40)"), None),
        "J13": ("PERF-019", "query", f"{period} denominator for {code} in J13 "
                + uncalculated.format("=COUNT(Cases!C2:C40)"), None)}
    fix = next(f for f in report.findings if f.cell == "J13").how_to_fix
    assert "type the figure into J13" in fix


def test_an_actual_formula_never_calculated_keeps_its_words(tmp_path, master):
    path = _good(tmp_path / "Safeguarding - Q2 2013-14.xlsx")
    wb = load_workbook(path)
    ws = wb["Return"]
    code, period = ws["A13"].value, ws["F13"].value
    ws["H13"] = "=I13/J13*100"
    wb.save(path)
    assert _at(validate_return(path, master), "H13")["H13"][2] == (
        f"{period} actual for {code} in H13 holds a formula that has not been calculated "
        "(=I13/J13*100), so it has no value.")


def test_no_data_words_in_the_numerator_and_denominator_are_queried(tmp_path, master):
    """'TBC', 'n/a' and '-' in the two cells were recorded as no number without a word,
    where in the Actual they are PERF-005."""
    path = _good(tmp_path / "Safeguarding - Q2 2013-14.xlsx")
    wb = load_workbook(path)
    ws = wb["Return"]
    ws["I16"], ws["J16"] = "TBC", "n/a"
    ws["I17"] = "-"
    wb.save(path)
    report = validate_return(path, master)
    c16, p16, c17, p17 = ws["A16"].value, ws["F16"].value, ws["A17"].value, ws["F17"].value
    assert _at(report, "H16", "I16", "J16", "H17", "I17", "J17") == {
        "I16": ("PERF-005", "query", f"{p16} numerator for {c16} in I16 is 'TBC', which "
                "xlperf records as no data (to be confirmed).", "TBC"),
        "J16": ("PERF-005", "query", f"{p16} denominator for {c16} in J16 is 'n/a', which "
                "xlperf records as no data (not applicable).", "n/a"),
        "I17": ("PERF-005", "query", f"{p17} numerator for {c17} in I17 is '-', which "
                "xlperf records as no data (dash).", "-")}
    fix = next(f for f in report.findings if f.cell == "I16").how_to_fix
    assert fix == "Enter a number, or leave it blank and explain in the commentary (L16)."


def test_a_no_data_word_in_the_actual_keeps_its_words(tmp_path, master):
    path = _good(tmp_path / "Safeguarding - Q2 2013-14.xlsx")
    wb = load_workbook(path)
    ws = wb["Return"]
    code, period = ws["A16"].value, ws["F16"].value
    ws["H16"] = "TBC"
    wb.save(path)
    assert _at(validate_return(path, master), "H16")["H16"][:3] == (
        "PERF-005", "query", f"{period} actual for {code} in H16 is 'TBC', which xlperf "
        "records as no data (to be confirmed).")
