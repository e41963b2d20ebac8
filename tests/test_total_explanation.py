"""The directorate total's explanation (issue 24), asked on its owner's finance return: the
owner (the Budget holder of the Budget sheet's total row, or the ``Directorate total owner``
setting) gets the total under their lines; FIN-008 asks for its explanation when its variance
is material; the refresh carries it to the Finance sheet and the report, through monitor()."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import python_calamine as pc
from _workbook_helpers import ooxml_problems
from openpyxl import load_workbook

from xlperf.layout import RETURN_FIRST_DATA_ROW
from xlperf.read.master import read_master
from xlperf.refresh import ZipWorkbook, refresh
from xlperf.validate.returns import validate_returns
from xlperf.write.master import build_master
from xlperf.write.templates import build_templates

PERIOD = "Q2 2013/14"
REGISTER = pd.DataFrame({"Code": ["A1"], "Measure": ["Visits on time"], "Service": ["Care"],
                         "Polarity": ["Bigger is better"], "Unit": ["%"],
                         "Frequency": ["Quarterly"], "Annual target": [90]})


def _budget(total_holder: str | None) -> pd.DataFrame:
    return pd.DataFrame({
        "Service area": ["Care", "Help", "Directorate total"],
        "Budget holder": ["Pat", "Jo", total_holder],
        "Gross budget": [1200, 600, 1800], "Net budget": [1000, 500, 1500],
        "Forecast outturn": [1000, 500, 1500], "Explanation": ["", "", ""]})


def _council(folder: Path, total_holder: str | None, owner_setting: str = "") -> Path:
    settings = {"Council name": "Testshire", "Reporting period": PERIOD,
                "Materiality threshold (£000s)": 50}
    if owner_setting:
        settings["Directorate total owner"] = owner_setting
    master = build_master(folder / "master.xlsx", register=REGISTER,
                          budget=_budget(total_holder), settings=settings)
    build_templates(master, PERIOD, folder / "returns")
    return master


def _finance(folder: Path, who: str) -> Path:
    return folder / "returns" / f"Finance - {who} - {PERIOD.replace('/', '-')}.xlsx"


def _rows(path: Path) -> dict[str, int]:
    ws = load_workbook(path)["Finance"]
    return {ws.cell(r, 1).value: r for r in range(RETURN_FIRST_DATA_ROW, ws.max_row + 1)
            if ws.cell(r, 1).value}


def _type(path: Path, line: str, *, forecast: object = None, explanation: object = None
          ) -> str:
    """Type a forecast and/or explanation on ``line``'s row, as the holder does in Excel;
    returns the explanation cell."""
    wb = load_workbook(path)
    ws = wb["Finance"]
    row = _rows(path)[line]
    if forecast is not None:
        ws.cell(row, 4).value = forecast
    if explanation is not None:
        ws.cell(row, 6).value = explanation
    wb.save(path)
    return f"F{row}"


def test_the_total_rows_holder_explains_it_on_a_return_of_its_own(tmp_path: Path):
    master = _council(tmp_path, "Dee Director")
    own = _finance(tmp_path, "Dee Director")
    assert own.exists() and not ooxml_problems(own)
    assert list(_rows(own)) == ["Directorate total"]
    ws = load_workbook(own)["Finance"]
    row = _rows(own)["Directorate total"]
    assert [ws.cell(row, c).value for c in (2, 3, 4)] == [1800, 1500, 1500]
    assert ws.cell(row, 4).protection.locked and not ws.cell(row, 6).protection.locked
    # The holders forecast an overspend of 80 between them: material, so the owner is asked.
    _type(_finance(tmp_path, "Pat"), "Care", forecast=1100, explanation="More placements.")
    _type(_finance(tmp_path, "Jo"), "Help", forecast=480)
    reports = {Path(r.file).name: r for r in validate_returns(
        sorted((tmp_path / "returns").glob("Finance*.xlsx")), read_master(master))}
    found = [f for f in reports[own.name] if f.rule == "FIN-008"]
    assert not found  # her own return changes no line: the total stands at budget


def test_fin_008_asks_the_owner_when_the_total_is_material(tmp_path: Path):
    master = _council(tmp_path, "Pat")
    own = _finance(tmp_path, "Pat")
    assert list(_rows(own)) == ["Care", "Directorate total"]
    # Pat's forecast moves the directorate total by +120: at or above the threshold of 50.
    _type(own, "Care", forecast=1120, explanation="Placements.")
    [report] = validate_returns([own], read_master(master))
    cell = f"F{_rows(own)['Directorate total']}"
    found = [f for f in report if f.rule == "FIN-008"]
    assert [(f.sheet, f.cell) for f in found] == [("Finance", cell)]
    assert "'Directorate total' has a variance of +120" in found[0].message
    assert "threshold of 50" in found[0].message
    assert not [f for f in report if f.rule in ("FIN-002", "FIN-004", "FIN-007")]
    # Explained: no finding; the refresh carries it to the Finance sheet.
    _type(own, "Directorate total", explanation="Placements above plan; Help holding posts.")
    [report] = validate_returns([own], read_master(master))
    assert not [f for f in report if f.rule == "FIN-008"] and report.valid
    _type(_finance(tmp_path, "Jo"), "Help", forecast=500)
    care = tmp_path / "returns" / f"Care - {PERIOD.replace('/', '-')}.xlsx"
    wb = load_workbook(care)
    wb["Return"].cell(RETURN_FIRST_DATA_ROW, 8).value = 92  # the measure's Actual
    wb.save(care)
    refresh(ZipWorkbook(master), new_ledger=True)  # the ledger beside it, as the report reads
    sheet = pc.CalamineWorkbook.from_path(str(master)).get_sheet_by_name("Finance").to_python()
    total = next(r for r in sheet if r[0] == "Directorate total")
    assert total[4] == 1620 and total[5] == 120
    assert total[8] == "Placements above plan; Help holding posts."
    assert f"explanation from return {own.name}" in total[9]
    assert not ooxml_problems(master)
    # The report's finance page, from the ledger through the same monitor().
    from xlperf.report import render_html, report_data_from_master

    data = report_data_from_master(master, generated=dt.date(2013, 10, 20))
    html = render_html(data)
    finance = html[html.index('<section id="finance"'):]
    assert "Placements above plan; Help holding posts." in finance
    assert "Explanation needed" not in finance


def test_an_unexplained_material_total_is_flagged_and_never_a_traceback(tmp_path: Path):
    master = _council(tmp_path, "Pat")
    own = _finance(tmp_path, "Pat")
    _type(own, "Care", forecast=1120, explanation="Placements.")
    # A formula typed as the explanation is never evaluated: it explains nothing.
    _type(own, "Directorate total", explanation="=1+1")
    [report] = validate_returns([own], read_master(master))
    assert [f.rule for f in report if f.rule.startswith("FIN")] == ["FIN-008"]
    # Words explain it.
    _type(own, "Directorate total", explanation="Placements above plan.")
    [report] = validate_returns([own], read_master(master))
    assert report.valid


def test_a_setting_names_the_owner(tmp_path: Path):
    _council(tmp_path, None, owner_setting="Jo")
    assert list(_rows(_finance(tmp_path, "Jo"))) == ["Help", "Directorate total"]
    assert "Directorate total" not in _rows(_finance(tmp_path, "Pat"))


def test_without_an_owner_the_returns_are_as_before(tmp_path: Path):
    _council(tmp_path, None)
    assert list(_rows(_finance(tmp_path, "Pat"))) == ["Care"]
    assert list(_rows(_finance(tmp_path, "Jo"))) == ["Help"]
    assert sorted(p.name for p in (tmp_path / "returns").glob("Finance*")) == [
        f"Finance - {w} - Q2 2013-14.xlsx" for w in ("Jo", "Pat")]


@pytest.mark.parametrize("holder", ["Pat"])
def test_the_owners_return_still_cross_foots_its_own_lines(tmp_path: Path, holder: str):
    budget = pd.DataFrame({
        "Service area": ["Care", "Respite", "Help", "Directorate total"],
        "Budget holder": [holder, holder, "Jo", holder],
        "Gross budget": [1200, 300, 600, 2100], "Net budget": [1000, 200, 500, 1700],
        "Forecast outturn": [1000, 200, 500, 1700]})
    master = build_master(tmp_path / "master.xlsx", register=REGISTER, budget=budget,
                          settings={"Reporting period": PERIOD})
    build_templates(master, PERIOD, tmp_path / "returns")
    own = _finance(tmp_path, holder)
    assert list(_rows(own)) == ["Care", "Respite", "Total", "Directorate total"]
    _type(own, "Care", forecast=1000)
    _type(own, "Respite", forecast=200)
    [report] = validate_returns([own], read_master(master))
    assert report.valid, [(f.rule, f.cell, f.message) for f in report]
