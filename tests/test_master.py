"""The master workbook as written: sheets, tables, drop-downs, guidance, shipped files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from _workbook_helpers import logical_content, ooxml_problems
from openpyxl import load_workbook

from xlperf.demo import REGISTER_COLUMNS, demo_register
from xlperf.layout import CONFIG_SHEETS, OUTPUT_HEADER_ROW, OUTPUT_SHEETS, SHEET_ORDER
from xlperf.write.master import build_demo_master, build_master
from xlperf.write.shipped import SHIPPED_TIMESTAMP, build_shipped

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def empty_master(tmp_path_factory) -> Path:
    return build_master(tmp_path_factory.mktemp("empty") / "master.xlsx")


@pytest.fixture(scope="module")
def demo_master(tmp_path_factory) -> Path:
    return build_demo_master(tmp_path_factory.mktemp("demo") / "master.xlsx")


def _validations(ws) -> dict[str, str]:
    """First cell of each validated range -> its list formula."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        for ref in str(dv.sqref).split():
            out[ref.split(":")[0]] = dv.formula1 or dv.type
    return out


def test_empty_master_has_every_sheet_table_and_guide(empty_master):
    wb = load_workbook(empty_master)
    assert wb.sheetnames == list(SHEET_ORDER)
    assert wb.active.title == "Scorecard"
    for sheet in CONFIG_SHEETS:
        ws = wb[sheet.name]
        assert list(ws.tables) == [sheet.table]
        table = ws.tables[sheet.table]
        assert [c.name for c in table.tableColumns] == list(sheet.headers)
        assert ws.freeze_panes == "A2"
        assert [c.value for c in ws[1]] == list(sheet.headers)
        assert ws.column_dimensions["A"].width == sheet.columns[0].width
    assert wb["Measures"].tables["tblMeasures"].ref == "A1:U2"  # one blank row to type in
    guide = [c.value for c in wb["Guide"]["B"] if c.value]
    assert "Polarity" in guide and "Tolerance type" in guide
    for spec in OUTPUT_SHEETS:
        ws = wb[spec.name]
        assert [c.value for c in ws[OUTPUT_HEADER_ROW]][:len(spec.headers)] == list(spec.headers)
        # panes, widths and print setup come with the first refresh, from the content
        assert ws.freeze_panes is None
    schemes = [row[0].value for row in wb["Schemes"].iter_rows(min_row=2) if row[0].value]
    assert schemes.count("rag") == 3 and schemes.count("four-band") == 4
    settings = {r[0].value: r[1].value for r in wb["Settings"].iter_rows(min_row=2)}
    assert settings["Default scheme"] == "rag" and settings["Materiality threshold (£000s)"] == 50
    assert not ooxml_problems(empty_master)


def test_measures_columns_have_drop_downs_and_number_checks(empty_master):
    ws = load_workbook(empty_master)["Measures"]
    found = _validations(ws)
    column = {h: chr(65 + i) for i, h in enumerate(REGISTER_COLUMNS)}
    assert found[f"{column['Polarity']}2"] == '"Bigger is better,Smaller is better,Data only"'
    assert found[f"{column['Frequency']}2"] == '"Monthly,Quarterly,Annual"'
    assert found[f"{column['Scheme']}2"] == '"rag,three-symbol,four-band"'
    assert found[f"{column['Cumulative']}2"] == '"Yes,No"'
    assert found[f"{column['Baseline rank']}2"] == '"A,B,C,D"'
    assert found[f"{column['Tolerance']}2"] == "0.0"  # zero or more
    by_first = {str(dv.sqref).split(":")[0]: dv for dv in ws.data_validations.dataValidation}
    assert by_first["G2"].errorStyle in (None, "stop")  # polarity: only the three words
    assert by_first["J2"].errorStyle == "warning"  # scheme: a council may add its own
    assert str(by_first["G2"].sqref) == "G2:G1000"
    assert by_first["G2"].prompt.startswith("Which way is better")


def test_demo_master_holds_the_demo_register(demo_master):
    wb = load_workbook(demo_master)
    ws = wb["Measures"]
    assert ws.tables["tblMeasures"].ref == f"A1:U{len(demo_register()) + 1}"
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == demo_register()["Code"].tolist()
    assert wb["Targets"].tables["tblTargets"].ref == "A1:C17"
    budget = wb["Budget"]
    assert [c.value for c in budget[1]][:2] == ["Service area", "Budget holder"]
    assert budget["A6"].value == "Directorate total" and budget["D6"].value == 42_300
    assert budget["D2"].number_format == "#,##0"
    assert wb["Settings"]["B2"].value == "Doncaster-on-Sea Council"
    assert not ooxml_problems(demo_master)


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    register = demo_register().head(2).copy()
    register.loc[0, "Measure"] = "=HYPERLINK(\"http://evil\",\"click\")"
    register.loc[1, "Owner"] = "@SUM(A1)"
    path = build_master(tmp_path / "m.xlsx", register=register)
    ws = load_workbook(path)["Measures"]
    assert ws["B2"].data_type == "s" and ws["B2"].value.startswith("=HYPERLINK")
    assert ws["F3"].data_type == "s"
    assert "<f>" not in _sheet_xml(path, "Measures")


def _sheet_xml(path: Path, name: str) -> str:
    import zipfile

    wb = load_workbook(path)
    index = wb.sheetnames.index(name) + 1
    return zipfile.ZipFile(path).read(f"xl/worksheets/sheet{index}.xml").decode()


def test_extra_register_columns_are_kept(tmp_path):
    register = demo_register().head(3).assign(**{"Lead member": ["Cllr A", "Cllr B", None]})
    ws = load_workbook(build_master(tmp_path / "m.xlsx", register=register))["Measures"]
    assert ws["V1"].value == "Lead member" and ws["V2"].value == "Cllr A"
    assert ws.tables["tblMeasures"].ref == "A1:V4"


def test_a_fixed_timestamp_gives_the_same_bytes(tmp_path):
    when = dt.datetime(2013, 10, 1)
    one = build_demo_master(tmp_path / "a.xlsx", timestamp=when).read_bytes()
    two = build_demo_master(tmp_path / "b.xlsx", timestamp=when).read_bytes()
    assert one == two


def test_shipped_workbooks_are_up_to_date(tmp_path):
    """`python -m xlperf.write.shipped` regenerates workbooks/; run it when this fails."""
    fresh = build_shipped(tmp_path / "workbooks")
    shipped = ROOT / "workbooks"
    names = sorted(str(p.relative_to(tmp_path / "workbooks")) for p in fresh)
    owned = [shipped / "master.xlsx", shipped / "master.xlsm", shipped / "master.py",
             *shipped.glob("demo/**/*.xlsx"), *shipped.glob("examples/*.xlsx")]
    assert sorted(str(p.relative_to(shipped)) for p in owned if p.exists()) == names
    for name in names:
        new, old = tmp_path / "workbooks" / name, shipped / name
        if new.read_bytes() != old.read_bytes():  # another openpyxl may lay bytes out anew
            assert logical_content(new) == logical_content(old), (
                f"workbooks/{name} is out of date: run python -m xlperf.write.shipped")
    master = load_workbook(shipped / "demo" / "master.xlsx")
    assert master.properties.created == SHIPPED_TIMESTAMP


def test_register_frames_round_trip_through_pandas_types(tmp_path):
    register = pd.DataFrame({"Code": ["A 1"], "Polarity": ["High"], "Annual target": [pd.NA],
                             "Tolerance": [float("nan")]})
    ws = load_workbook(build_master(tmp_path / "m.xlsx", register=register))["Measures"]
    assert ws["A2"].value == "A 1" and ws["N2"].value is None and ws["K2"].value is None


def test_a_new_master_has_the_contacts_sheet_and_collection_settings(tmp_path):
    """`xlperf init`'s master carries what returns collection reads: a Contacts table to fill
    in and a Settings row for each collection setting, with its default; a contact typed in
    reaches the calendar."""
    from xlperf.collection import expected_returns
    from xlperf.demo import demo_register
    from xlperf.layout import COLLECTION_SETTINGS, CONTACTS
    from xlperf.read.master import read_master

    path = build_master(tmp_path / "master.xlsx", register=demo_register())
    wb = load_workbook(path)
    ws = wb["Contacts"]
    assert list(ws.tables) == [CONTACTS.table]
    assert [c.value for c in ws[1]] == list(CONTACTS.headers)
    settings = {r[0].value: r[1].value for r in wb["Settings"].iter_rows(min_row=2) if r[0].value}
    assert set(COLLECTION_SETTINGS) <= set(settings)
    assert settings["Return due (working days)"] == 10 and settings["SMTP port"] == 587
    master = read_master(path)
    assert not [f for f in master.report.findings if f.sheet in ("Contacts", "Settings")]
    assert master.settings.due_working_days == 10

    # A contact typed into the new sheet is the one the Returns sheet and chase use.
    ws["A2"], ws["B2"], ws["C2"] = "Safeguarding", "Jo Bloggs", "jo.bloggs@example.gov.uk"
    wb.save(path)
    master = read_master(path)
    assert not [f for f in master.report.findings if f.sheet == "Contacts"]
    plan, _settings = expected_returns(master, "Q2 2013/14")
    safeguarding = next(r for r in plan if r.who == "Safeguarding")
    assert "jo.bloggs@example.gov.uk" in str(safeguarding.contacts)


@pytest.mark.parametrize("paper", ["A4", "A3"])
def test_every_sheet_the_council_fills_in_prints_landscape_with_its_header_row(tmp_path, paper):
    path = build_master(tmp_path / "m.xlsx", register=demo_register(),
                        settings={"Council name": "Doncaster & District", "Paper size": paper})
    assert ooxml_problems(path) == []
    wb = load_workbook(path)
    outputs = {s.name for s in OUTPUT_SHEETS}
    for ws in wb.worksheets:
        if ws.title in outputs:
            continue  # the refresh writes theirs from their content (test_print_layout)
        setup = ws.page_setup
        assert (setup.orientation, int(setup.paperSize)) == (
            "landscape", {"A4": 9, "A3": 8}[paper]), ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage and int(setup.fitToHeight) == 0
        header_row = 4 if ws.title == "Guide" else 1
        assert ws.print_title_rows == f"${header_row}:${header_row}", ws.title
        assert ws.oddHeader.left.text == "Doncaster && District"  # & starts a code there
        assert ws.oddHeader.right.text == ws.title
        assert ws.oddFooter.center.text == "Page &P of &N"
    # the register is wider than a page at 8 pt: more pages wide, each with its codes
    assert int(wb["Measures"].page_setup.fitToWidth) > 1
    assert wb["Measures"].print_title_cols == "$A:$A"
    assert int(wb["Guide"].page_setup.fitToWidth) == 1
