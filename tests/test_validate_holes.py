"""Small holes in the validator's messages (issue 18, item 12), each on a real return.

Each return is the demo's Early Help return with one cell changed (openpyxl), or its XML
edited where Excel writes what openpyxl cannot (a formula's cached value, an external link).
"""

from __future__ import annotations

import re
import shutil
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import python_calamine as pc
from typer.testing import CliRunner

from xlperf.cli import app
from xlperf.core.values import parse_value, parse_values
from xlperf.validate import validate_return

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "workbooks" / "demo"
EARLY_HELP = "Early Help - Q2 2013-14.xlsx"
MASTER = DEMO / "master.xlsx"
EXCEL_CELL = 32_767  # the most characters an Excel cell (or comment) holds


def _return(tmp_path: Path, name: str = EARLY_HELP, **cells: object) -> Path:
    """The demo's Early Help return with ``cells`` changed (``H13=...``)."""
    from openpyxl import load_workbook

    book = load_workbook(DEMO / "returns" / EARLY_HELP)
    sheet = book["Return"]
    for ref, value in cells.items():
        sheet[ref] = value
    path = tmp_path / name
    book.save(path)
    return path


def _edit_zip(path: Path, edits: dict[str, object]) -> None:
    """Rewrite parts of a package: a callable edits the text of a part, bytes add one."""
    with zipfile.ZipFile(path) as old:
        parts = {n: old.read(n) for n in old.namelist()}
    for name, edit in edits.items():
        parts[name] = edit(parts[name].decode()).encode() if callable(edit) else edit
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for name, data in parts.items():
            new.writestr(name, data)


R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _linked_return(tmp_path: Path) -> Path:
    """H13 = ``[1]Sheet1!$A$1`` with the cached value 246, as Excel saves a cell linked to
    another workbook (C:\\Finance\\other.xlsx), with the external link part."""
    path = _return(tmp_path, H13="=[1]Sheet1!$A$1")
    link = (f'<externalLink xmlns="{MAIN}" xmlns:r="{R}"><externalBook r:id="rId1"><sheetNames>'
            '<sheetName val="Sheet1"/></sheetNames><sheetDataSet><sheetData sheetId="0">'
            '<row r="1"><cell r="A1"><v>246</v></cell></row></sheetData></sheetDataSet>'
            '</externalBook></externalLink>')
    link_rels = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                 f'relationships"><Relationship Id="rId1" Type="{R}/externalLinkPath" '
                 'Target="file:///C:/Finance/other.xlsx" TargetMode="External"/>'
                 '</Relationships>')
    _edit_zip(path, {
        "xl/worksheets/sheet1.xml": lambda x: x.replace(
            "<f>[1]Sheet1!$A$1</f><v></v>", "<f>[1]Sheet1!$A$1</f><v>246</v>"),
        "xl/workbook.xml": lambda x: x.replace(
            "</sheets>", f'</sheets><externalReferences><externalReference xmlns:r="{R}" '
                         'r:id="rId99"/></externalReferences>'),
        "xl/_rels/workbook.xml.rels": lambda x: x.replace(
            "</Relationships>", f'<Relationship Type="{R}/externalLink" Target="/xl/'
                                'externalLinks/externalLink1.xml" Id="rId99"/></Relationships>'),
        "[Content_Types].xml": lambda x: x.replace(
            "</Types>", '<Override PartName="/xl/externalLinks/externalLink1.xml" ContentType='
                        '"application/vnd.openxmlformats-officedocument.spreadsheetml.'
                        'externalLink+xml"/></Types>'),
        "xl/externalLinks/externalLink1.xml": link.encode(),
        "xl/externalLinks/_rels/externalLink1.xml.rels": link_rels.encode(),
    })
    return path


def test_an_actual_linked_to_another_workbook_is_a_query_and_the_copy_drops_the_link(
        tmp_path):
    from openpyxl import load_workbook

    from xlperf.validate.annotate import annotate

    path = _linked_return(tmp_path)
    assert load_workbook(path)._external_links  # a real link, as Excel keeps it
    report = validate_return(path, MASTER)
    linked = [f for f in report if f.cell == "H13"]
    assert [(f.rule, f.severity, f.value) for f in linked] == [("PERF-018", "query", 246)]
    assert "[1]Sheet1!$A$1" in linked[0].message and "another workbook" in linked[0].message
    assert report.valid  # a query: the saved value 246 is accepted

    copy = annotate(report, tmp_path / "annotated")
    with zipfile.ZipFile(copy) as package:
        names = package.namelist()
        workbook = package.read("xl/workbook.xml").decode()
    assert not [n for n in names if "externalLink" in n]
    assert "externalReference" not in workbook
    cell = load_workbook(copy)["Return"]["H13"]
    assert cell.value == 246  # the value Excel saved, no longer a link
    assert "PERF-018" in cell.comment.text


def test_a_formula_never_calculated_is_not_called_blank(tmp_path):
    path = _return(tmp_path, H13="=1+1")  # openpyxl saves no value for a formula
    found = [f for f in validate_return(path, MASTER) if f.cell == "H13"]
    assert [f.rule for f in found] == ["PERF-019"]
    assert "holds a formula that has not been calculated" in found[0].message
    assert "blank" not in found[0].message
    assert "1+1" in found[0].message


def test_editing_only_the_period_cell_b3_is_caught(tmp_path):
    path = _return(tmp_path, B3="Q3 2013/14")  # the hidden identity still says Q2
    report = validate_return(path, MASTER)
    assert [(f.rule, f.cell) for f in report] == [("FILE-013", "B3")]
    assert "Q3 2013/14" in report.findings[0].message
    assert "Q2 2013/14" in report.findings[0].message
    typo = _return(tmp_path, B3="Q2 of 2013")
    assert [(f.rule, f.cell) for f in validate_return(typo, MASTER) if f.rule == "FILE-013"] \
        == [("FILE-013", "B3")]
    # The same period written another way is no change.
    same = _return(tmp_path, B3="Q2 2013-14")
    assert "FILE-013" not in {f.rule for f in validate_return(same, MASTER)}


def test_a_huge_number_gives_a_short_message_and_no_numpy_warnings(tmp_path):
    from openpyxl import load_workbook

    for percent in (True, False):
        book = load_workbook(DEMO / "returns" / EARLY_HELP)
        cell = book["Return"]["H16"]  # HV 01, a % measure
        cell.value = 1e308
        cell.number_format = "0.0%" if percent else "General"
        path = tmp_path / f"huge-{percent}.xlsx"
        book.save(path)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # an overflow warning fails the test
            report = validate_return(path, MASTER)
        (found,) = [f for f in report if f.cell == "H16"]
        assert found.severity == "error"
        assert len(found.message) < 200, found.message
        assert not re.search(r"\d{16}", found.message.replace(",", ""))
        assert "1e+308" in found.message


def test_minus_zero_is_read_as_zero():
    for cell in (-0.0, "-0", "-0%", "(0)", np.float64(-0.0)):
        number = parse_value(cell).number
        assert number == 0 and not np.signbit(number), cell
    assert not np.signbit(parse_value(-0.0, percent_format=True).number)
    for cells in (pd.Series([-0.0, 1.5]), pd.Series([-0.0, "-0", "n/a", 2], dtype=object),
                  pd.Series([f"-0.{'0' * n}" for n in range(60)], dtype=object)):
        numbers = parse_values(cells)["number"].to_numpy()
        assert not np.signbit(numbers[numbers == 0]).any()


def test_minus_zero_is_not_a_restatement_to_minus_zero(tmp_path):
    from xlperf.refresh import ZipWorkbook, refresh

    work = tmp_path / "demo"
    shutil.copytree(DEMO, work)
    returns = work / "returns"
    refresh(ZipWorkbook(work / "master.xlsx"), returns=[returns / EARLY_HELP])
    _return(returns, H13=-0.0)  # was 246
    result = refresh(ZipWorkbook(work / "master.xlsx"), returns=[returns / EARLY_HELP])
    assert len(result.restatements) == 1
    log = pc.CalamineWorkbook.from_path(str(work / "master.xlsx")).get_sheet_by_name("Log")
    lines = [str(r[7]) for r in log.to_python() if r[1] == "restatement"]
    assert len(lines) == 1 and "246 -> 0 " in lines[0] and "-0" not in lines[0]


def test_a_commentary_too_long_for_a_cell_is_a_query_and_comments_fit(tmp_path):
    from openpyxl import load_workbook

    from xlperf.validate.annotate import annotate

    # openpyxl (like Excel) saves at most 32,767 characters in a cell: the 1 MB commentary
    # is put into the sheet's XML, as a hand-made file can hold it.
    path = _return(tmp_path, L13="LONG COMMENTARY",
                   H14="9" * EXCEL_CELL)  # an Actual of 32,767 characters: not a number
    _edit_zip(path, {"xl/worksheets/sheet1.xml": lambda x: x.replace(
        "LONG COMMENTARY", "Waiting list review." * 50_000)})  # 1,000,000 characters
    report = validate_return(path, MASTER)
    (long,) = [f for f in report if f.cell == "L13"]
    assert (long.rule, long.severity) == ("FILE-022", "query")
    assert "1,000,000 characters" in long.message and "32,767" in long.message
    assert all(len(f.message) < 1_000 for f in report)
    copy = annotate(report, tmp_path / "annotated")
    book = load_workbook(copy)
    comments = [c.comment.text for row in book["Return"].iter_rows() for c in row
                if c.comment is not None]
    assert comments and max(map(len, comments)) <= 2_000
    issues = [c.value for row in book["Issues"].iter_rows() for c in row
              if isinstance(c.value, str)]
    assert max(map(len, issues)) <= EXCEL_CELL

    # However many findings share a cell, and however long, its comment stays a note.
    from xlperf.findings import Finding, Report

    many = Report(tuple(Finding("PERF-006", "error", "m" * 20_000, file=str(path),
                                sheet="Return", cell="H14", value="9" * 40_000)
                        for _ in range(3)), file=str(path))
    copy = annotate(many, tmp_path / "many")
    book = load_workbook(copy)
    assert len(book["Return"]["H14"].comment.text) <= 2_000
    assert all(len(c.value) <= EXCEL_CELL for row in book["Issues"].iter_rows() for c in row
               if isinstance(c.value, str))


def test_import_history_of_a_csv_renamed_xlsx_says_so(tmp_path):
    master = tmp_path / "master.xlsx"
    shutil.copy(MASTER, master)
    renamed = tmp_path / "history.xlsx"
    renamed.write_text("Code,Period,Value\nNI 060,Q1 2013/14,5\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["import-history", str(master), str(renamed)])
    assert result.exit_code == 3
    text = result.output
    assert "history.xlsx looks like a CSV file" in text and "Rename it to history.csv" in text
    assert "EOCD" not in text


def test_import_history_with_no_code_column_is_a_finding(tmp_path):
    """docs/ledger.md: FILE-015, exit code 1, for a workbook as for a CSV."""
    from openpyxl import Workbook

    master = tmp_path / "master.xlsx"
    shutil.copy(MASTER, master)
    book = Workbook()
    book.active.append(["Measure", "Q1 2013/14"])
    book.active.append(["Children in care", 5])
    book.save(tmp_path / "history.xlsx")
    (tmp_path / "history.csv").write_text("Measure,Q1 2013/14\nChildren in care,5\n")
    for name in ("history.xlsx", "history.csv"):
        result = CliRunner().invoke(app, ["import-history", str(master), str(tmp_path / name)])
        assert result.exit_code == 1, result.output
        assert "FILE-015" in result.output and "Code" in result.output



def test_a_row_without_a_period_or_code_still_gets_a_whole_sentence(tmp_path):
    """A service adds a Total row with a =SUM no spreadsheet has calculated: the PERF-019
    message began with the blank period (' actual for Total in H21 ...')."""
    uncalculated = ("holds a formula that has not been calculated (=SUM(H13:H20)), so it has "
                    "no value.")
    for code, period, start in (
            ("Total", None, "Actual for Total in H21 "),
            (None, "Q2 2013/14", "Q2 2013/14 actual in H21 "),
            ("Total", "Q2 2013/14", "Q2 2013/14 actual for Total in H21 ")):
        path = _return(tmp_path, A21=code, F21=period, H21="=SUM(H13:H20)")
        (found,) = [f for f in validate_return(path, MASTER) if f.cell == "H21"]
        assert (found.rule, found.message) == ("PERF-019", start + uncalculated)


def test_a_blank_field_leaves_no_hole_in_any_message():
    from xlperf.validate.catalogue import load_rules

    rules = load_rules()
    assert rules["PERF-006"].render(period="", code="", cell="H21", value="x",
                                    column="actual") \
        == "Actual in H21 is 'x', which is not a number."
    # the column named is the sentence's first word when the period is blank
    assert rules["PERF-006"].render(period="", code="EH 01", cell="I21", value="x",
                                    column="numerator") \
        == "Numerator for EH 01 in I21 is 'x', which is not a number."
    assert rules["PERF-014"].render(period=" ", value=5, code="EH 01", cell="H20",
                                    reason="is far from usual") \
        == "Value 5 for EH 01 in H20 is far from usual: check it, or explain it in your commentary."
    # A field given is used as it is.
    assert rules["PERF-006"].render(period="Q2", code="EH 01", cell="H20", value="x",
                                    column="actual") \
        == "Q2 actual for EH 01 in H20 is 'x', which is not a number."


def test_a_measure_row_without_a_period_reads_whole_in_every_actual_message(tmp_path):
    path = _return(tmp_path, F14=None, H14="lots")  # CYP 2.1.5, its period cleared
    (found,) = [f for f in validate_return(path, MASTER) if f.cell == "H14"]
    assert found.message == "Actual for CYP 2.1.5 in H14 is 'lots', which is not a number."
