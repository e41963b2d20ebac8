"""The master's output sheets read and print like a council scorecard (issue 20).

The demo master is refreshed once per module; its parts are read back as XML and its cells with
python-calamine: the Scorecard's columns, formats, panes and outline; every output sheet's
print setup; a user's own print setting kept across refreshes; the paper size Setting; the
annotated return's fills and Issues sheet; the templates' fonts; the Objectives' counts.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import python_calamine as pc
from _workbook_helpers import demo_workbooks, ooxml_problems
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from xlperf.layout import OUTPUT_HEADER_ROW, SCORECARD_KEY_COLUMNS
from xlperf.refresh import ZipWorkbook, refresh
from xlperf.write._print import BODY_PT, MIN_TEXT_PT, PAPER_SIZES, column_points, plan_print
from xlperf.write.outputs import contrast_ratio, unit_format

PERIOD = "Q2 2013/14"
OUTPUTS = ("Scorecard", "Objectives", "Key activities", "Exceptions", "Finance", "Governance",
           "Log")
M = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    demo_workbooks(folder, period=PERIOD, history=True)
    return folder


@pytest.fixture(scope="module")
def refreshed(pristine: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo master refreshed once, for the tests that only read it."""
    target = tmp_path_factory.mktemp("refreshed") / "demo"
    shutil.copytree(pristine, target)
    refresh(ZipWorkbook(target / "master.xlsx"))
    return target / "master.xlsx"


@pytest.fixture
def demo(pristine: Path, tmp_path: Path) -> Path:
    target = tmp_path / "demo"
    shutil.copytree(pristine, target)
    return target


def sheet_xml(path: Path) -> dict[str, etree._Element]:
    """Each sheet's worksheet root by sheet name, and the workbook's root as ``""``."""
    with zipfile.ZipFile(path) as z:
        wb = etree.fromstring(z.read("xl/workbook.xml"))
        rels = etree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        target = {r.get("Id"): r.get("Target") for r in rels}
        out = {"": wb}
        for sheet in wb.iter(f"{M}sheet"):
            part = "xl/" + target[sheet.get(f"{R}id")].lstrip("/").removeprefix("xl/")
            out[sheet.get("name")] = etree.fromstring(z.read(part))
    return out


def grid(path: Path, name: str) -> list[list]:
    return pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


def _follows_the_q1_refresh(master: Path) -> dict[str, etree._Element]:
    """The sheets' XML, after checking that each output sheet's header and footer say the Q1
    refresh of 5 November 2013, 14:30 (xlperf's, rewritten)."""
    parts = sheet_xml(master)
    for sheet in ("Scorecard", "Objectives", "Exceptions", "Log"):
        header = parts[sheet].find(f"{M}headerFooter/{M}oddHeader").text
        footer = parts[sheet].find(f"{M}headerFooter/{M}oddFooter").text
        assert header.endswith(f"{sheet} Q1 2013/14"), (sheet, header)
        assert "Refreshed 2013-11-05 14:30 by xlperf" in footer, (sheet, footer)
    return parts


def set_page(master: Path, sheet: str, **attributes: str) -> None:
    """Change a sheet's page setup and margins in place, as Excel's Page Setup would."""
    parts = sheet_xml(master)
    index = [s.get("name") for s in parts[""].iter(f"{M}sheet")].index(sheet)
    with zipfile.ZipFile(master) as z:
        names = z.namelist()
        data = {n: z.read(n) for n in names}
    part = f"xl/worksheets/sheet{index + 1}.xml"
    assert part in data
    text = data[part].decode()
    for key, value in attributes.items():
        element = "pageMargins" if key in ("left", "right", "top", "bottom") else "pageSetup"
        text = re.sub(rf'(<{element}\b[^>]*?) {key}="[^"]*"', r"\1", text)
        text = text.replace(f"<{element} ", f'<{element} {key}="{value}" ', 1)
    data[part] = text.encode()
    with zipfile.ZipFile(master, "w", zipfile.ZIP_DEFLATED) as z:
        for n in names:
            z.writestr(n, data[n])


# ------------------------------------------------------------------------------ pure rules
@given(st.lists(st.floats(min_value=4, max_value=80), min_size=1, max_size=30),
       st.sampled_from(sorted(PAPER_SIZES)))
def test_fit_to_width_never_shrinks_text_below_8_pt(widths: list[float], paper: str) -> None:
    pages, _breaks, scale = plan_print(widths, [15.0] * 5, paper=paper)
    assert scale * BODY_PT >= MIN_TEXT_PT - 1e-9
    if pages > 1:  # one page fewer would have shrunk the text below 8 pt
        usable = PAPER_SIZES[paper][2] - 0.8 * 72
        assert (pages - 1) * usable / sum(column_points(w) for w in widths) * BODY_PT < MIN_TEXT_PT


def test_a_priority_header_never_ends_a_page() -> None:
    heights = [15.0] * 60
    _pages, breaks, scale = plan_print([20, 40], heights, keep_with_next=[30, 31])
    rows_per_page = int((595.3 - 1.5 * 72) / scale - 15) // 15
    assert rows_per_page < 60
    for brk in breaks:
        assert brk + 1 in (30, 31)  # a break only ever goes before a kept header


def test_number_formats_follow_the_unit() -> None:
    assert unit_format("number", [395.0, 330.0, 730.0]) == "#,##0"
    assert unit_format("number", [16.7]) == "#,##0.0"
    assert unit_format("%", [68.04]) == '#,##0.0"%"'
    # a variance of a percentage is a difference of percentages: percentage points
    assert unit_format("%", [68.04], difference=True) == '#,##0.0" pts"'
    assert unit_format("days", [174.0], difference=True) == '#,##0" days"'
    assert unit_format("£", [42300.0]) == "£#,##0"
    assert unit_format("rate per 10,000", [267.8]).endswith('" per 10k"')
    assert unit_format("days", [174.0]) == '#,##0" days"'


# ------------------------------------------------------------------------------ on screen
def test_scorecard_reads_like_a_printed_scorecard(refreshed: Path) -> None:
    master = refreshed
    rows = grid(master, "Scorecard")
    headers = rows[OUTPUT_HEADER_ROW - 1]
    assert headers[:SCORECARD_KEY_COLUMNS] == [
        "Code", "Measure", "Status", "Actual", "Target", "Annual target", "Period", "Direction",
        "Trend", "Latest note"]
    root = sheet_xml(master)["Scorecard"]
    # panes frozen under the headers and right of Code/Measure
    pane = root.find(f"{M}sheetViews/{M}sheetView/{M}pane")
    assert pane.get("state") == "frozen" and pane.get("topLeftCell") == "C5"
    # the working columns grouped (outline level 1) and collapsed, the key columns not
    cols = {int(c.get("min")): c for c in root.iter(f"{M}col")}
    grouped = {c for c, el in cols.items() if el.get("outlineLevel") == "1"}
    assert grouped == set(range(SCORECARD_KEY_COLUMNS + 1, len(headers) - 7 + 1))
    assert all(cols[c].get("hidden") == "1" for c in grouped)
    assert cols[SCORECARD_KEY_COLUMNS].get("collapsed") == "1"
    # formats by unit: DofE 01 is a count, NI_073 a percentage
    styles = _cell_formats(master, "Scorecard")
    by_code = {r[0]: i + 1 for i, r in enumerate(rows)}
    actual = headers.index("Actual") + 1
    assert styles[(by_code["DofE 01"], actual)] == "#,##0"
    assert styles[(by_code["NI_073"], actual)] == '#,##0.0"%"'
    # its variance is in percentage points, its variance % a relative change in %
    variance = headers.index("Variance") + 1
    assert styles[(by_code["NI_073"], variance)] == (
        '+#,##0.0" pts";-#,##0.0" pts";#,##0.0" pts"')
    assert styles[(by_code["NI_073"], headers.index("Variance %") + 1)].startswith('+#,##0.0"%"')
    # the Exceptions sheet formats its figures the same way
    listed = grid(master, "Exceptions")
    row = next(i + 1 for i, r in enumerate(listed) if r[0] == "KIGS CH01")
    column = listed[OUTPUT_HEADER_ROW - 1].index("Actual") + 1
    assert _cell_formats(master, "Exceptions")[(row, column)] == '#,##0.0" per 10k"'
    # ... and a percentage's variance in points, as the Scorecard's
    formats = _cell_formats(master, "Exceptions")
    heads = listed[OUTPUT_HEADER_ROW - 1]
    percentages = [i + 1 for i, r in enumerate(listed) if i >= OUTPUT_HEADER_ROW
                   and formats.get((i + 1, column), "").endswith('"%"')]
    assert percentages
    for at in percentages:
        assert formats[(at, heads.index("Variance") + 1)].endswith('" pts"'), listed[at - 1]
    # measure names wrap, and their rows are tall enough for two lines
    measure = headers.index("Measure") + 1
    long_row = next(i + 1 for i, r in enumerate(rows) if len(str(r[1])) > 50 and r[2])
    row_el = root.find(f"{M}sheetData/{M}row[@r='{long_row}']")
    assert float(row_el.get("ht")) >= 30 and row_el.get("customHeight") == "1"
    assert _wraps(master, "Scorecard", long_row, measure)
    # the status keeps symbol, word and fill
    status = rows[by_code["KIGS CH01"] - 1][headers.index("Status")]
    assert status == "✖ Red"
    assert not ooxml_problems(master)


def _style_sheet(path: Path) -> tuple[list[etree._Element], dict[int, str]]:
    with zipfile.ZipFile(path) as z:
        styles = etree.fromstring(z.read("xl/styles.xml"))
    formats = {int(f.get("numFmtId")): f.get("formatCode") for f in styles.iter(f"{M}numFmt")}
    formats.update({0: "General", 3: "#,##0"})
    return list(styles.find(f"{M}cellXfs")), formats


def _cells(path: Path, sheet: str) -> dict[tuple[int, int], etree._Element]:
    from xlperf.core.a1 import parse_cell

    root = sheet_xml(path)[sheet]
    return {parse_cell(c.get("r")): c for c in root.iter(f"{M}c")}


def _cell_formats(path: Path, sheet: str) -> dict[tuple[int, int], str]:
    xfs, formats = _style_sheet(path)
    return {rc: formats.get(int(xfs[int(c.get("s", "0"))].get("numFmtId", "0")), "?")
            for rc, c in _cells(path, sheet).items()}


def _wraps(path: Path, sheet: str, row: int, column: int) -> bool:
    xfs, _ = _style_sheet(path)
    cell = _cells(path, sheet)[(row, column)]
    alignment = xfs[int(cell.get("s", "0"))].find(f"{M}alignment")
    return alignment is not None and alignment.get("wrapText") == "1"


def _indent(path: Path, sheet: str, row: int, column: int) -> int:
    xfs, _ = _style_sheet(path)
    cell = _cells(path, sheet)[(row, column)]
    alignment = xfs[int(cell.get("s", "0"))].find(f"{M}alignment")
    if alignment is None or alignment.get("horizontal") not in (None, "left", "general"):
        return 0
    return int(alignment.get("indent", "0"))


def test_a_text_cell_after_a_right_aligned_figure_keeps_a_gap(refreshed: Path) -> None:
    """A right-aligned figure never runs into the left-aligned text beside it when printed:
    the Scorecard's Period after its Annual target ('730Q2 2013/14'), the Exceptions sheet's
    Direction after its Variance, the Objectives sheet's judgement after its last count
    ('0At Risk') are indented by one character."""
    master = refreshed
    for sheet, header in (("Scorecard", "Period"), ("Exceptions", "Direction"),
                          ("Objectives", "Judgement")):
        rows = grid(master, sheet)
        column = rows[OUTPUT_HEADER_ROW - 1].index(header) + 1
        body = [i + 1 for i, r in enumerate(rows) if i >= OUTPUT_HEADER_ROW
                and r[column - 1] not in (None, "")]
        assert body, sheet
        for row in body:
            assert _indent(master, sheet, row, column) >= 1, (sheet, row, rows[row - 1])


# ------------------------------------------------------------------------------ printing
def test_every_output_sheet_prints_like_a_council_report(refreshed: Path) -> None:
    master = refreshed
    parts = sheet_xml(master)
    names = [s.get("name") for s in parts[""].iter(f"{M}sheet")]
    defined = {(d.get("name"), d.get("localSheetId")): d.text
               for d in parts[""].iter(f"{M}definedName")}
    for sheet in OUTPUTS:
        root = parts[sheet]
        setup = root.find(f"{M}pageSetup")
        assert setup.get("paperSize") == "9" and setup.get("orientation") == "landscape", sheet
        footer = root.find(f"{M}headerFooter/{M}oddFooter").text
        header = root.find(f"{M}headerFooter/{M}oddHeader").text
        assert "Page &P of &N" in footer and "Refreshed " in footer, sheet
        assert "Doncaster-on-Sea Council" in header and PERIOD in header, sheet
        index = str(names.index(sheet))
        assert defined[("_xlnm.Print_Titles", index)].endswith("!$4:$4"), sheet
        fit = root.find(f"{M}sheetPr/{M}pageSetUpPr")
        assert fit is not None and fit.get("fitToPage") == "1", sheet
    # a sheet more than one page wide repeats what its rows are about on every page: the
    # Objectives sheet's priority and objective (A:B), so page 2 is not bare counts, the
    # Exceptions sheet's code and measure (A:B), every other sheet's first column
    for sheet in OUTPUTS:
        wide = int(parts[sheet].find(f"{M}pageSetup").get("fitToWidth", "1")) > 1
        titles = defined[("_xlnm.Print_Titles", str(names.index(sheet)))]
        repeated = "$A:$B" if sheet in ("Objectives", "Exceptions") else "$A:$A"
        assert titles.startswith(f"{sheet}!{repeated},") == wide, (sheet, titles)
        assert wide or "$A:" not in titles, (sheet, titles)
    assert int(parts["Objectives"].find(f"{M}pageSetup").get("fitToWidth")) > 1, \
        "the demo's Objectives sheet (counts, the director's columns) is two pages wide"
    # the Scorecard fits one page wide at 8 pt or more: its printed columns are narrow enough
    scorecard = parts["Scorecard"]
    assert scorecard.find(f"{M}pageSetup").get("fitToWidth") == "1"
    widths = [float(c.get("width")) for c in scorecard.iter(f"{M}col")
              if c.get("hidden") != "1"]
    total = sum(column_points(w) for w in widths)
    usable = PAPER_SIZES["A4"][2] - 0.8 * 72
    assert usable / total * BODY_PT >= MIN_TEXT_PT


def test_a_users_own_paper_and_margins_are_kept_and_the_setting_applies(demo: Path) -> None:
    master = demo / "master.xlsx"
    refresh(ZipWorkbook(master))
    # the user sets the Exceptions sheet to A3 with wide margins in Page Setup
    set_page(master, "Exceptions", paperSize="8", left="1.5")
    refresh(ZipWorkbook(master))
    parts = sheet_xml(master)
    assert parts["Exceptions"].find(f"{M}pageSetup").get("paperSize") == "8"
    assert parts["Exceptions"].find(f"{M}pageMargins").get("left") == "1.5"
    assert parts["Scorecard"].find(f"{M}pageSetup").get("paperSize") == "9"
    # the council chooses A3 and a protective marking in Settings: every sheet xlperf set up
    # follows; the user's own Exceptions setup stays
    _set_setting(master, {"Paper size": "A3", "Protective marking": "OFFICIAL"})
    refresh(ZipWorkbook(master))
    parts = sheet_xml(master)
    for sheet in ("Scorecard", "Objectives", "Finance", "Log"):
        assert parts[sheet].find(f"{M}pageSetup").get("paperSize") == "8", sheet
        assert "OFFICIAL" in parts[sheet].find(f"{M}headerFooter/{M}oddFooter").text
    assert parts["Exceptions"].find(f"{M}pageMargins").get("left") == "1.5"
    assert not ooxml_problems(master)


def _set_setting(master: Path, values: dict[str, str]) -> None:
    """Type values into the Settings table's Value column (as inline text), touching nothing
    else of the workbook, as Excel would (openpyxl would rewrite every part)."""
    with zipfile.ZipFile(master) as z:
        names = z.namelist()
        data = {n: z.read(n) for n in names}
    strings = data.get("xl/sharedStrings.xml")
    shared = ([("".join(si.itertext())) for si in etree.fromstring(strings).iter(f"{M}si")]
              if strings else [])
    parts = sheet_xml(master)
    index = [s.get("name") for s in parts[""].iter(f"{M}sheet")].index("Settings")
    part = f"xl/worksheets/sheet{index + 1}.xml"
    root = etree.fromstring(data[part])
    for row in root.iter(f"{M}row"):
        cells = {c.get("r")[0]: c for c in row.iter(f"{M}c")}
        first = cells.get("A")
        if first is None:
            continue
        label = (shared[int(first.findtext(f"{M}v"))] if first.get("t") == "s"
                 else "".join(first.itertext()))
        if label in values:
            cell = cells["B"]
            for child in list(cell):
                cell.remove(child)
            cell.set("t", "inlineStr")
            etree.SubElement(etree.SubElement(cell, f"{M}is"), f"{M}t").text = values[label]
    data[part] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    with zipfile.ZipFile(master, "w", zipfile.ZIP_DEFLATED) as z:
        for n in names:
            z.writestr(n, data[n])


def test_a_council_name_too_long_for_a_page_header_is_shortened_there(demo: Path) -> None:
    # Excel refuses a header of more than 255 characters: a long name (and a long marking)
    # must not stop the refresh writing its sheets, nor make a workbook Excel repairs.
    name = "The Royal Borough of " + "Very Long Name & " * 20 + "District"
    master = demo / "master.xlsx"
    _set_setting(master, {"Council name": name, "Protective marking": "OFFICIAL " * 20})
    result = refresh(ZipWorkbook(master))
    assert result.council == name  # the setting itself is as typed
    parts = sheet_xml(master)
    for sheet in OUTPUTS:
        header = parts[sheet].find(f"{M}headerFooter/{M}oddHeader").text
        footer = parts[sheet].find(f"{M}headerFooter/{M}oddFooter").text
        assert len(header) <= 255 and len(footer) <= 255, sheet
        assert "The Royal Borough of Very Long Name && Very" in header and "…" in header
        assert "Page &P of &N" in footer
    assert not ooxml_problems(master)


def test_an_unchanged_refresh_keeps_the_footer_time(demo: Path) -> None:
    from datetime import datetime

    master = demo / "master.xlsx"
    refresh(ZipWorkbook(master), now=datetime(2013, 10, 20, 9, 0))
    first = sheet_xml(master)["Scorecard"].find(f"{M}headerFooter/{M}oddFooter").text
    refresh(ZipWorkbook(master), now=datetime(2013, 10, 21, 9, 0))
    parts = sheet_xml(master)
    assert parts["Scorecard"].find(f"{M}headerFooter/{M}oddFooter").text == first
    assert "2013-10-20 09:00" in first
    # the Log changes at every refresh, so its footer tells the new time
    assert "2013-10-21 09:00" in parts["Log"].find(f"{M}headerFooter/{M}oddFooter").text


# ------------------------------------------------------------------------------ objectives
def test_objectives_count_each_status_of_the_schemes_in_use(refreshed: Path) -> None:
    from xlperf.read import read_master
    from xlperf.write._outputs_overrides import DIRECTOR_HEADERS

    master = refreshed
    rows = grid(master, "Objectives")
    headers = rows[OUTPUT_HEADER_ROW - 1]
    # the statuses as the Scorecard shows them (symbol and word), one per measure
    scorecard = grid(master, "Scorecard")
    status = scorecard[OUTPUT_HEADER_ROW - 1].index("Status")
    shown = [r[status] for r in scorecard[OUTPUT_HEADER_ROW:] if r[status]]
    assert len(shown) == len(read_master(master).register)
    scored = pd.DataFrame({"symbol": [s.split(" ", 1)[0] for s in shown],
                           "status": [s.split(" ", 1)[1] for s in shown]})
    used = {f"{s} {t}" for s, t in zip(scored["symbol"], scored["status"], strict=True)}
    judgement = headers.index("Judgement")  # the milestone and risk counts come after
    assert set(headers[3:judgement]) == used
    assert headers[:3] == ["Priority", "Objective", "Measures"]
    assert headers[judgement:judgement + 2] == ["Judgement", "Direction of travel"]
    # then the director's columns (the demo has a director's judgement)
    first = headers.index(DIRECTOR_HEADERS[0])
    assert first > judgement and headers[first:first + len(DIRECTOR_HEADERS)] == list(
        DIRECTOR_HEADERS)
    # each line's status counts add up to its measures; priority lines to their objectives
    for row in rows[OUTPUT_HEADER_ROW:]:
        assert sum(row[3:judgement]) == row[2]
    by_status = pd.Series(scored["symbol"] + " " + scored["status"]).value_counts()
    priority_lines = [r for r in rows[OUTPUT_HEADER_ROW:] if r[1] == "All objectives"]
    for column, header in enumerate(headers[3:judgement], 3):
        assert sum(r[column] for r in priority_lines) == by_status[header]


    travel = {r[judgement + 1] for r in rows[OUTPUT_HEADER_ROW:]}
    assert travel <= {"Improving ↑", "Worsening ↓", "No change", "No comparison"}
    assert {"Improving ↑", "Worsening ↓"} <= travel  # the demo council has both


# ------------------------------------------------------------------------------ returns
def test_annotated_fills_contrast_with_the_input_yellow_and_each_other() -> None:
    from xlperf.validate.annotate import FILLS

    input_yellow, locked_grey = "#FFF7BF", "#F3F2F1"
    for fill in FILLS.values():
        assert contrast_ratio(fill, input_yellow) >= 3
        assert contrast_ratio(fill, locked_grey) >= 3
    assert contrast_ratio(FILLS["error"], FILLS["query"]) >= 3


def test_annotated_return_marks_cells_and_issues_sheet_prints(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from xlperf.validate import validate_return
    from xlperf.validate.annotate import FILLS, annotate
    from xlperf.write.templates import fill_return

    files = demo_workbooks(tmp_path / "demo", period=PERIOD)
    template = next(t for t in files.templates if t.service == "Safeguarding")
    filled = fill_return(template.path, pd.DataFrame({
        "Code": ["CYP 2.1.4", "KIGS CH01"], "Period": [PERIOD, PERIOD],
        "Actual": ["lots", "-5"]}), tmp_path / "filled" / template.path.name)
    report = validate_return(filled, files.master)
    assert report.errors and report.queries
    annotated = annotate(report, tmp_path / "annotated")
    wb = load_workbook(annotated)
    issues = wb["Issues"]
    assert issues["A1"].value == f"Issues found in {template.path.name}"
    assert "Safeguarding" in issues["A2"].value and PERIOD in issues["A2"].value
    assert f"{len(report.errors)} error" in issues["A2"].value
    assert str(issues.page_setup.paperSize) == issues.PAPERSIZE_A4
    assert issues.page_setup.orientation == "landscape"
    assert issues.print_title_rows.replace("$", "") == "4:4"
    assert issues.oddFooter.center.text == "Page &P of &N"
    for row in range(5, issues.max_row + 1):  # each finding one row band, tall enough
        assert issues.row_dimensions[row].height >= 15
    error = next(f for f in report.errors if f.sheet == "Return" and f.cell)
    cell = wb["Return"][error.cell]
    assert cell.fill.fgColor.rgb == "FF" + FILLS["error"][1:]
    assert cell.number_format.startswith('"✖ "')
    assert not ooxml_problems(annotated)


def test_an_annotated_return_with_a_long_file_name_has_a_header_excel_takes(
        tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from xlperf.validate import validate_return
    from xlperf.validate.annotate import annotate
    from xlperf.write.templates import fill_return

    files = demo_workbooks(tmp_path / "demo", period=PERIOD)
    template = next(t for t in files.templates if t.service == "Safeguarding")
    long = "Safeguarding & Early Help " * 8 + "- " + template.path.name  # about 220 characters
    filled = fill_return(template.path, pd.DataFrame({
        "Code": ["CYP 2.1.4"], "Period": [PERIOD], "Actual": ["lots"]}),
        tmp_path / "filled" / long)
    annotated = annotate(validate_return(filled, files.master), tmp_path / "annotated")
    header = load_workbook(annotated)["Issues"].oddHeader
    assert header.left.text.startswith("Issues: Safeguarding && Early Help")
    assert header.left.text.endswith("…") and len(header.left.text) <= 80
    assert not ooxml_problems(annotated)


def test_every_template_font_names_its_font(tmp_path: Path) -> None:
    files = demo_workbooks(tmp_path / "demo", period=PERIOD)
    for path in [files.master, *(t.path for t in files.templates)]:
        with zipfile.ZipFile(path) as z:
            styles = etree.fromstring(z.read("xl/styles.xml"))
        fonts = list(styles.find(f"{M}fonts"))
        assert fonts and all(f.find(f"{M}name") is not None for f in fonts), path.name


# ------------------------------------------------------- print setup after another program saves
def _resave_with_openpyxl(master: Path) -> None:
    """Open the master in openpyxl and save it unchanged (as a script, or LibreOffice, would:
    attributes reordered, defaults written out, empty even/first headers added)."""
    import warnings

    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = openpyxl.load_workbook(master)
        book.save(master)


def test_print_setup_stays_xlperfs_after_the_master_is_saved_by_another_program(
        demo: Path) -> None:
    from datetime import datetime

    master = demo / "master.xlsx"
    refresh(ZipWorkbook(master), now=datetime(2013, 10, 20, 9, 0))
    _resave_with_openpyxl(master)
    before = sheet_xml(master)["Scorecard"]
    assert before.find(f"{M}headerFooter/{M}evenHeader") is not None  # the bytes did change
    _set_setting(master, {"Paper size": "A3"})
    refresh(ZipWorkbook(master), period="Q1 2013/14", now=datetime(2013, 11, 5, 14, 30))
    parts = _follows_the_q1_refresh(master)
    for sheet in ("Scorecard", "Objectives", "Exceptions", "Log"):
        assert parts[sheet].find(f"{M}pageSetup").get("paperSize") == "8", sheet
    assert not ooxml_problems(master)


def test_a_users_own_footer_and_paper_are_kept_after_another_program_saves(demo: Path) -> None:
    from datetime import datetime

    master = demo / "master.xlsx"
    refresh(ZipWorkbook(master), now=datetime(2013, 10, 20, 9, 0))
    _resave_with_openpyxl(master)
    set_page(master, "Exceptions", paperSize="8")  # the user's Page Setup: A3
    with zipfile.ZipFile(master) as z:
        names = z.namelist()
        data = {n: z.read(n) for n in names}
    part = "xl/worksheets/sheet2.xml"  # the Scorecard: the user types their own footer
    assert sheet_xml(master)[""].find(f"{M}sheets")[1].get("name") == "Scorecard"
    data[part] = re.sub(rb"<oddFooter>.*?</oddFooter>",
                        b"<oddFooter>&amp;CFor the board</oddFooter>", data[part])
    with zipfile.ZipFile(master, "w", zipfile.ZIP_DEFLATED) as z:
        for n in names:
            z.writestr(n, data[n])
    refresh(ZipWorkbook(master), period="Q1 2013/14", now=datetime(2013, 11, 5, 14, 30))
    parts = sheet_xml(master)
    assert parts["Scorecard"].find(f"{M}headerFooter/{M}oddFooter").text == "&CFor the board"
    assert parts["Exceptions"].find(f"{M}pageSetup").get("paperSize") == "8"
    assert parts["Objectives"].find(f"{M}pageSetup").get("paperSize") == "9"
    assert "Q1 2013/14" in parts["Objectives"].find(f"{M}headerFooter/{M}oddHeader").text
    assert not ooxml_problems(master)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is needed")
def test_print_setup_stays_xlperfs_after_the_master_is_saved_by_libreoffice(
        demo: Path, tmp_path: Path) -> None:
    import subprocess
    from datetime import datetime

    master = demo / "master.xlsx"
    refresh(ZipWorkbook(master), now=datetime(2013, 10, 20, 9, 0))
    out = tmp_path / "lo"
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
                    "--headless", "--convert-to", "xlsx", "--outdir", str(out), str(master)],
                   capture_output=True, timeout=180, check=True)
    shutil.copy(out / "master.xlsx", master)  # File > Save in LibreOffice
    saved = sheet_xml(master)["Scorecard"]
    assert saved.find(f"{M}pageSetup").get("scale") == "100"  # its own bytes
    refresh(ZipWorkbook(master), period="Q1 2013/14", now=datetime(2013, 11, 5, 14, 30))
    parts = _follows_the_q1_refresh(master)
    records = [dn for dn in parts[""].iter(f"{M}definedName") if dn.get("name") == "_xlperf_print"]
    assert records and all(dn.get("hidden") == "1" for dn in records)
