"""Return templates: layout, protection, drop-downs, identity; filling and reading them back."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pandas as pd
import pytest
from _workbook_helpers import ooxml_problems
from openpyxl import load_workbook

from xlperf.core.periods import parse_period
from xlperf.demo import demo_budget, demo_capital, demo_register, demo_values
from xlperf.errors import InputError
from xlperf.identity import IDENTITY_KEYS, register_hash
from xlperf.read.master import read_master
from xlperf.read.returns import read_return, return_values
from xlperf.write.master import build_demo_master, build_master
from xlperf.write.templates import FIRST_DATA_ROW, HEADER_ROW, build_templates, fill_return

PERIOD = "Q2 2013/14"


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    folder = tmp_path_factory.mktemp("templates")
    master = build_demo_master(folder / "master.xlsx")
    infos = build_templates(master, PERIOD, folder / "out")
    return master, {info.service: info for info in infos}


def _rows(ws) -> dict[tuple[str, str], int]:
    return {(ws.cell(r, 1).value, ws.cell(r, 6).value): r
            for r in range(FIRST_DATA_ROW, ws.max_row + 1) if ws.cell(r, 1).value}


def test_one_performance_return_per_service_and_one_finance_per_holder(made):
    _master, infos = made
    services = list(dict.fromkeys(demo_register()["Service"]))
    performance = [s for s, i in infos.items() if i.kind == "performance"]
    finance = [s for s, i in infos.items() if i.kind == "finance"]
    assert sorted(performance) == sorted(services)
    assert finance == ["Pauline Sharratt", "Jo Hardy", "Chris Walker"]
    assert [s for s, i in infos.items() if i.kind == "capital"] == ["Capital programme"]
    assert list(infos)[-1] == "Capital programme"
    assert infos["Safeguarding"].path.name == "Safeguarding - Q2 2013-14.xlsx"
    assert infos["Capital programme"].path.name == "Capital programme - Q2 2013-14.xlsx"
    for info in infos.values():
        assert not ooxml_problems(info.path)


def test_performance_template_layout_locking_and_drop_downs(made):
    _master, infos = made
    wb = load_workbook(infos["Safeguarding"].path)
    # Safeguarding has milestones and a project on the demo master (tests/test_activity_returns)
    assert wb.sheetnames == ["Return", "Milestones", "xlperf"]
    assert wb["xlperf"].sheet_state == "hidden"
    assert wb.security.lockStructure
    ws = wb["Return"]
    assert ws.protection.sheet and not ws.protection.formatColumns
    assert [c.value for c in ws[HEADER_ROW]] == [
        "Code", "Measure", "Unit", "Polarity", "Frequency", "Period", "Target", "Actual",
        "Numerator", "Denominator", "Reported status", "Commentary"]
    assert ws.freeze_panes == f"C{FIRST_DATA_ROW}"
    assert "Type only in the yellow cells" in ws["A7"].value
    rows = _rows(ws)
    codes = {code for code, _p in rows}
    expected = set(demo_register().query("Service == 'Safeguarding'")["Code"])
    assert codes == expected
    assert [p for c, p in rows if c == "CYP 2.1.3"] == ["Jul-13", "Aug-13", "Sep-13"]
    r = rows[("KIGS CH01", PERIOD)]
    for column in "ABCDEFG":
        assert ws[f"{column}{r}"].protection.locked, column
    for column in "HIJKL":
        assert not ws[f"{column}{r}"].protection.locked, column
        assert ws[f"{column}{r}"].fill.fgColor.rgb.endswith("FFF7BF")
    assert ws[f"G{r}"].value == 45.3
    counted = rows[("CYP 2.4.1", "Sep-13")]  # a count: no numerator/denominator to give
    assert ws[f"I{counted}"].protection.locked and ws[f"J{counted}"].protection.locked
    assert not ws[f"H{counted}"].protection.locked
    lists = {}
    for dv in ws.data_validations.dataValidation:
        for ref in str(dv.sqref).split():
            lists[ref] = dv.formula1
    assert lists[f"K{r}"] == '"Green,Amber,Red,Data only,No data,No target"'
    cpp = rows[("CPP 2nd", PERIOD)]
    assert lists[f"K{cpp}"].startswith('"Green plus,Blue circle,Red diamond')
    assert lists[f"K{counted}"] == '"Data only,No data"'


def test_targets_follow_the_targets_sheet_and_profiles(made):
    _master, infos = made
    edu = _rows(load_workbook(infos["Education and Skills"].path)["Return"])
    ws = load_workbook(infos["Education and Skills"].path)["Return"]
    assert ws[f"G{edu[('DofE 01', PERIOD)]}"].value == 330  # Targets sheet, not 365
    assert ws[f"G{edu[('NI_073', '2012/13')]}"].value == 78  # annual: the latest year
    assert ws[f"G{edu[('R&E 1.6.1', PERIOD)]}"].value is None  # data only
    care = load_workbook(infos["Children in Care"].path)["Return"]
    rows = _rows(care)
    assert care[f"G{rows[('APP 02', PERIOD)]}"].value == 6  # cumulative 12 a year, Q2
    assert care[f"G{rows[('LAC PERM', PERIOD)]}"].value == "TBC"


def test_identity_is_in_properties_and_the_hidden_sheet(made):
    master, infos = made
    info = infos["Safeguarding"]
    wb = load_workbook(info.path)
    properties = {p.name: p.value for p in wb.custom_doc_props}
    sheet = {row[0].value: row[1].value for row in wb["xlperf"].iter_rows(min_row=2)}
    for key in IDENTITY_KEYS:
        assert properties[f"xlperf {key}"] == sheet[key] == info.identity[key]
    assert sheet["template_id"] == "perf-safeguarding-2013-14-Q2"
    assert sheet["register_hash"] == register_hash(read_master(master).register)
    assert sheet["register_hash"] == register_hash(demo_register())
    assert sheet["period"] == PERIOD and sheet["kind"] == "performance"


def test_finance_template(made):
    _master, infos = made
    ws = load_workbook(infos["Pauline Sharratt"].path)["Finance"]
    assert [c.value for c in ws[HEADER_ROW]] == [
        "Service area", "Gross budget", "Net budget", "Forecast outturn", "Variance",
        "Explanation"]
    assert [ws.cell(r, 1).value for r in (FIRST_DATA_ROW, FIRST_DATA_ROW + 1)] == [
        "Children in care", "Safeguarding and family support"]
    # Two lines, then their total: a locked, bold SUM of each money column (the Budget
    # sheet's directorate total is not one of the holder's lines).
    total = FIRST_DATA_ROW + 2
    assert ws.cell(total, 1).value == "Total" and ws.cell(total, 1).font.b
    assert [ws.cell(total, c).value for c in range(2, 6)] == [
        f"=SUM({c}{FIRST_DATA_ROW}:{c}{FIRST_DATA_ROW + 1})" for c in "BCDE"]
    assert all(ws.cell(total, c).protection.locked for c in range(1, 7))
    assert ws.cell(total + 1, 1).value is None
    one_line = load_workbook(infos["Chris Walker"].path)["Finance"]
    assert one_line.cell(FIRST_DATA_ROW + 1, 1).value is None  # one line: no total
    assert ws[f"C{FIRST_DATA_ROW}"].value == 18_900
    assert ws[f"C{FIRST_DATA_ROW}"].protection.locked
    assert not ws[f"D{FIRST_DATA_ROW}"].protection.locked
    assert not ws[f"F{FIRST_DATA_ROW}"].protection.locked
    assert ws[f"E{FIRST_DATA_ROW}"].value.startswith("=IF(ISNUMBER(D13)")
    assert "£50k" in ws["A9"].value


def test_capital_template(made):
    _master, infos = made
    info = infos["Capital programme"]
    assert info.identity["kind"] == "capital" and info.identity["sheet"] == "Capital"
    assert info.identity["template_id"] == "cap-capital-programme-2013-14-Q2"
    wb = load_workbook(info.path)
    ws = wb["Capital"]
    assert [c.value for c in ws[HEADER_ROW]] == [
        "Programme", "Revised base budget", "Revised estimate", "Actual to date", "Slippage",
        "Explanation"]
    rows = range(FIRST_DATA_ROW, FIRST_DATA_ROW + 4)
    capital = demo_capital().query("Quarter == 'Q2 2013/14'")  # the period's programmes
    assert [ws.cell(r, 1).value for r in rows] == capital["Programme"].tolist()
    total = FIRST_DATA_ROW + 4
    assert ws.cell(total, 1).value == "Total"
    assert [ws.cell(total, c).value for c in range(2, 6)] == [
        f"=SUM({c}{FIRST_DATA_ROW}:{c}{total - 1})" for c in "BCDE"]
    assert ws.cell(total, 4).protection.locked and ws.cell(total + 1, 1).value is None
    assert [ws.cell(r, 2).value for r in rows] == capital["Revised base budget"].tolist()
    assert [ws.cell(r, 3).value for r in rows] == capital["Revised estimate"].tolist()
    assert [ws.cell(r, 4).value for r in rows] == [None] * 4
    first = FIRST_DATA_ROW
    assert ws[f"A{first}"].protection.locked and ws[f"B{first}"].protection.locked
    assert ws[f"E{first}"].protection.locked
    assert not any(ws[f"{c}{first}"].protection.locked for c in "CDF")
    assert ws[f"E{first}"].value == (f'=IF(AND(ISNUMBER(B{first}),ISNUMBER(C{first})),'
                                     f'MAX(B{first}-C{first},0),"")')
    assert ws.protection.sheet and wb["xlperf"].sheet_state == "hidden"
    ranges = {str(dv.sqref) for dv in ws.data_validations.dataValidation}
    assert {f"C{first}:C{first + 3}", f"D{first}:D{first + 3}"} <= ranges


def test_no_capital_return_when_no_programme_is_of_the_period(made, tmp_path):
    master, _infos = made
    infos = build_templates(master, "Q3 2013/14", tmp_path / "q3")
    assert infos and not [i for i in infos if i.kind == "capital"]  # the demo's are all Q2


def test_fill_and_read_back_a_performance_return(made, tmp_path):
    _master, infos = made
    values = demo_values()
    path = fill_return(infos["Safeguarding"].path, values, tmp_path / "filled.xlsx")
    ret = read_return(path)
    assert ret.kind == "performance" and ret.identity == infos["Safeguarding"].identity
    assert ret.properties["template_id"] == "perf-safeguarding-2013-14-Q2"
    assert ret.values.index[0] == FIRST_DATA_ROW
    start = parse_period(PERIOD).start
    due = values[values["Period"].map(lambda p: parse_period(p).end >= start)
                 & values["Code"].isin(ret.values["Code"])]
    got = ret.values.set_index(["Code", "Period"])
    for row in due.itertuples():
        actual = got.loc[(row.Code, row.Period), "Actual"]
        assert actual == row.Actual or (isinstance(row.Actual, str) and actual == row.Actual)
    kigs = got.loc[("KIGS CH01", PERIOD)]
    assert kigs["Commentary"].startswith("<p>Over fifty")
    assert got.loc[("CYP 2.1.6", "Sep-13"), "Reported status"] == "Green"
    assert not ooxml_problems(path)


def test_formula_like_commentary_is_stored_as_text(made, tmp_path):
    _master, infos = made
    values = pd.DataFrame({"Code": ["KIGS CH01", "NI_068"], "Period": [PERIOD, "Sep-13"],
                           "Actual": ["=1+1", 73], "Commentary": ['=HYPERLINK("x","y")',
                                                                  "-5 on last month"]})
    path = fill_return(infos["Safeguarding"].path, values, tmp_path / "evil.xlsx")
    ws = load_workbook(path)["Return"]
    rows = _rows(ws)
    cell = ws[f"L{rows[('KIGS CH01', PERIOD)]}"]
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("x","y")'
    assert ws[f"H{rows[('KIGS CH01', PERIOD)]}"].data_type == "s"
    got = read_return(path).values.set_index(["Code", "Period"])
    assert got.loc[("KIGS CH01", PERIOD), "Actual"] == "=1+1"
    assert got.loc[("NI_068", "Sep-13"), "Commentary"] == "-5 on last month"


def test_a_percent_formatted_actual_reads_as_a_percentage(made, tmp_path):
    _master, infos = made
    wb = load_workbook(infos["Safeguarding"].path)
    ws = wb["Return"]
    r = _rows(ws)[("NI_068", "Sep-13")]
    ws[f"H{r}"] = 0.6804
    ws[f"H{r}"].number_format = "0.00%"
    wb.save(tmp_path / "pct.xlsx")
    ret = read_return(tmp_path / "pct.xlsx")
    assert bool(ret.values.loc[r, "percent_format"])
    assert ret.values.loc[r, "Actual"] == 0.6804  # as typed...
    assert return_values(ret).loc[r, "Actual"] == pytest.approx(68.04)  # ...and as meant


def test_fill_and_read_back_a_finance_return(made, tmp_path):
    _master, infos = made
    path = fill_return(infos["Pauline Sharratt"].path, demo_budget(), tmp_path / "fin.xlsx")
    ret = read_return(path)
    assert ret.kind == "finance"
    # Her two lines, then the directorate total she owns (locked figures, its explanation).
    assert ret.values["Service area"].tolist() == ["Children in care",
                                                   "Safeguarding and family support",
                                                   "Directorate total"]
    assert ret.values["Forecast outturn"].tolist() == [21_370, 14_725, 44_187]
    assert ret.values["Explanation"].iloc[1].startswith("The underspend")
    assert ret.values["Explanation"].iloc[2].startswith("Overspend driven by")
    assert not ooxml_problems(path)


def test_fill_and_read_back_a_capital_return(made, tmp_path):
    _master, infos = made
    path = fill_return(infos["Capital programme"].path,
                       demo_capital().query("Quarter == 'Q2 2013/14'"), tmp_path / "cap.xlsx")
    ret = read_return(path)
    assert ret.kind == "capital" and ret.sheet == "Capital"
    assert list(ret.values.columns) == ["Programme", "Revised estimate", "Actual to date",
                                        "Explanation"]
    assert ret.values["Actual to date"].tolist() == [2_100, 900, 310, 520]
    assert ret.values.index.tolist() == [13, 14, 15, 16]
    assert ret.values.at[16, "Explanation"] == "Licences bought ahead of schedule."
    assert ret.columns["Actual to date"] == 4
    assert not ooxml_problems(path)


def test_no_templates_from_a_register_with_errors(tmp_path):
    register = demo_register().head(3).copy()
    register.loc[1, "Polarity"] = "sideways"
    master = build_master(tmp_path / "m.xlsx", register=register)
    with pytest.raises(InputError) as info:
        build_templates(master, PERIOD, tmp_path / "out")
    assert "1 error" in str(info.value)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name", ["xlperf.identity", "xlperf.write.templates"])
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0


def test_shipped_demo_returns_score_like_the_demo(tmp_path):
    """The committed filled returns, read back, give the demo's current values."""
    root = Path(__file__).resolve().parents[1] / "workbooks" / "demo" / "returns"
    returns = [read_return(p) for p in sorted(root.glob("*.xlsx"))]
    assert sorted({r.kind for r in returns}) == ["capital", "finance", "performance"]
    frames = [return_values(r) for r in returns if r.kind == "performance"]
    values = pd.concat(frames)
    assert set(values["Code"]) == set(demo_register()["Code"])


def test_filling_a_return_never_types_over_its_total(made, tmp_path):
    _master, infos = made
    path = fill_return(infos["Pauline Sharratt"].path, pd.DataFrame({
        "Service area": ["Children in care", "Total"], "Forecast outturn": [19_000, 99_999]}),
        tmp_path / "filled.xlsx")
    ws = load_workbook(path)["Finance"]
    assert ws[f"D{FIRST_DATA_ROW}"].value == 19_000
    assert ws[f"D{FIRST_DATA_ROW + 2}"].value == f"=SUM(D{FIRST_DATA_ROW}:D{FIRST_DATA_ROW + 1})"
    assert read_return(path).values["Service area"].tolist() == [  # the Total is not a line
        "Children in care", "Safeguarding and family support", "Directorate total"]
