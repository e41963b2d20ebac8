"""Sparklines and hidden columns in the lossless writer (the Scorecard's six-period trend)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
from _workbook_helpers import ooxml_problems
from lxml import etree

from xlperf.errors import InputError
from xlperf.write.lossless import SheetContent, Sparkline, SparklineGroup, write_sheets

X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
XM = "http://schemas.microsoft.com/office/excel/2006/main"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS = {"x14": X14, "xm": XM, "m": MAIN}


def trend_content(n: int) -> SheetContent:
    rows = [["Code", "Trend", None, "T1", "T2", "T3", "T4", "T5", "T6"]]
    lines = []
    for r in range(2, n + 2):
        rows.append([f"PI{r:02d}", None, None, *[float(r + i) for i in range(6)]])
        lines.append(Sparkline(f"B{r}", f"D{r}:I{r}"))
    return SheetContent(rows=rows, widths=[10, 14],
                        sparklines=[SparklineGroup(tuple(lines), markers=True)],
                        hidden_columns=tuple(range(4, 10)))


def sheet_part(path: Path, name: str = "Scorecard") -> bytes:
    with zipfile.ZipFile(path) as archive:
        names = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        for part in names:
            data = archive.read(part)
            if b"x14:sparkline" in data or name == "":
                return data
        return archive.read(names[-1])


@pytest.fixture
def book(tmp_path: Path) -> Path:
    path = tmp_path / "book.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Data"
    wb.active["A1"] = "keep me"
    wb.save(path)
    return path


def sparklines(xml: bytes) -> list[tuple[str, str]]:
    root = etree.fromstring(xml)
    return [(s.findtext("xm:sqref", namespaces=NS), s.findtext("xm:f", namespaces=NS))
            for s in root.iterfind(".//x14:sparkline", NS)]


def test_new_sheet_gets_sparklines_over_hidden_columns(book: Path) -> None:
    write_sheets(book, {"Scorecard": trend_content(3)})
    xml = sheet_part(book)
    assert sparklines(xml) == [("B2", "Scorecard!D2:I2"), ("B3", "Scorecard!D3:I3"),
                               ("B4", "Scorecard!D4:I4")]
    root = etree.fromstring(xml)
    group = root.find(".//x14:sparklineGroup", NS)
    assert group.get("displayHidden") == "1" and group.get("displayEmptyCellsAs") == "gap"
    hidden = [(c.get("min"), c.get("hidden")) for c in root.iterfind(".//m:col", NS)]
    assert hidden == [("1", None), ("2", None)] + [(str(c), "1") for c in range(4, 10)]
    assert root[-1].tag == f"{{{MAIN}}}extLst"
    assert not ooxml_problems(book)


def test_rewrite_replaces_ours_keeps_the_users_and_is_idempotent(book: Path,
                                                                tmp_path: Path) -> None:
    write_sheets(book, {"Scorecard": trend_content(3)})
    # The user adds a sparkline of their own in column K (as Excel would write it).
    with zipfile.ZipFile(book) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    part = next(n for n, d in members.items() if b"x14:sparkline>" in d)
    mine = (b'<x14:sparklineGroup xmlns:x14="' + X14.encode() + b'" xmlns:xm="' + XM.encode()
            + b'" type="column"><x14:colorSeries rgb="FF000000"/><x14:sparklines>'
            b"<x14:sparkline><xm:f>Data!A1:A5</xm:f><xm:sqref>K2</xm:sqref></x14:sparkline>"
            b"</x14:sparklines></x14:sparklineGroup>")
    members[part] = members[part].replace(b"</x14:sparklineGroups>",
                                          mine + b"</x14:sparklineGroups>")
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)

    write_sheets(book, {"Scorecard": trend_content(2)})
    found = sparklines(sheet_part(book))
    assert sorted(found) == [("B2", "Scorecard!D2:I2"), ("B3", "Scorecard!D3:I3"),
                             ("K2", "Data!A1:A5")]
    first = sheet_part(book)
    write_sheets(book, {"Scorecard": trend_content(2)})
    assert sheet_part(book) == first
    # No sparklines any more: ours go, the user's stays.
    write_sheets(book, {"Scorecard": SheetContent(rows=[["Code"]],
                                               hidden_columns=tuple(range(4, 10)))})
    assert sparklines(sheet_part(book)) == [("K2", "Data!A1:A5")]
    assert not ooxml_problems(book)


def test_hidden_columns_split_the_sheets_own_column_ranges(tmp_path: Path) -> None:
    path = tmp_path / "ranges.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Scorecard"
    ws.column_dimensions.group("B", "H", hidden=False)
    ws.column_dimensions["B"].width = 30
    wb.save(path)
    write_sheets(path, {"Scorecard": SheetContent(rows=[["x"]], hidden_columns=(4, 5, 12))})
    root = etree.fromstring(sheet_part(path, ""))
    cols = [(int(c.get("min")), int(c.get("max")), c.get("hidden"))
            for c in root.iterfind(".//m:col", NS)]
    hidden = {c for lo, hi, flag in cols if flag == "1" for c in range(lo, hi + 1)}
    assert hidden == {4, 5, 12}
    covered = [c for lo, hi, _f in cols for c in range(lo, hi + 1)]
    assert covered == sorted(covered) and len(covered) == len(set(covered))
    assert not ooxml_problems(path)


@pytest.mark.parametrize("make", [
    lambda: Sparkline("B2", "D2:I3"),
    lambda: Sparkline("nowhere", "D2:I2"),
    lambda: SparklineGroup((Sparkline("B2", "D2:I2"),), kind="pie"),
    lambda: SparklineGroup((Sparkline("B2", "D2:I2"),), color="blue"),
    lambda: SheetContent(rows=[["x"]], hidden_columns=(0,)),
    lambda: SheetContent(rows=[["x"]], sparklines=["B2"]),
])
def test_bad_sparklines_are_input_errors(make) -> None:
    with pytest.raises(InputError):
        make()
