"""The master's Process changes sheet (issue 23): a rebase and a ghosted point recorded per
measure and period, read with their REG findings, and used wherever SPC is worked out (the
refresh's Scorecard and ledger, the committee report's XmR chart), through the user's path: a
master built, its history imported, refreshed, read back."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pandas as pd
import pytest

from xlperf.read import read_master
from xlperf.write.master import build_master

QUARTERS = [f"Q{q} {y}/{str(y + 1)[2:]}" for y in range(2005, 2015) for q in range(1, 5)]
# PC 1: 12 quarters near 10 (Q1 2005/06 to Q4 2007/08), then a new pathway from Q1 2008/09:
# 14 quarters near 20, of which Q2 2009/10 (40, a data error) is ghosted.
BEFORE = [10, 12, 9, 11, 10, 12, 9, 11, 13, 10, 11, 12]
AFTER = [20, 22, 19, 21, 20, 40, 22, 19, 21, 23, 20, 21, 22, 20]
REBASE_AT, GHOST_AT = QUARTERS[12], QUARTERS[17]
LATEST = QUARTERS[25]  # Q2 2011/12
# PC 2: 15 quarters of MDC's example, then Q4 2008/09 (60), ghosted.
MDC = [20, 24, 20, 26, 22, 16, 18, 16, 31, 28, 34, 26, 30, 19, 18, 60]

# After the rebase without the ghost: 13 points, sum 270, mean 270/13 = 20.769231; moving
# ranges joining Q1 and Q3 2009/10 (20 -> 22): 2,3,2,1,2,3,2,2,3,1,1,2 = 24 over 12, mean 2;
# limits 20.769231 -/+ 2.66 x 2 = 15.449231 to 26.089231.
MEAN, LOWER, UPPER = 270 / 13, 270 / 13 - 5.32, 270 / 13 + 5.32


def _register() -> pd.DataFrame:
    def measure(code: str, target: object) -> dict[str, object]:
        return {"Code": code, "Measure": f"Measure {code}", "Priority": "Priority 1",
                "Objective": "Obj 1", "Service": "Early Help", "Owner": "Sam Booth",
                "Polarity": "Bigger is better", "Unit": "number", "Frequency": "Quarterly",
                "Scheme": "", "Tolerance": 1, "Tolerance type": "absolute",
                "DoT basis": "Previous period", "Annual target": target, "Cumulative": "No",
                "Contract": "No"}

    # PC 1 misses its target of 25 (so the report gives it a card)
    return pd.DataFrame([measure("PC 1", 25), measure("PC 2", 40), measure("PC 3", 25)])


CHANGES = pd.DataFrame([
    ("PC 1", REBASE_AT, "Rebase", "New early help pathway from April 2008"),
    ("PC 1", GHOST_AT, "Ghost", "Double-counted referrals, confirmed by the service"),
    ("PC 2", QUARTERS[15], "ghost", "System outage"),
], columns=["Code", "Period", "Action", "Reason"])


def _import(master: Path, frame: pd.DataFrame, folder: Path) -> None:
    from typer.testing import CliRunner

    from xlperf.cli import app

    file = folder / "history.csv"
    frame.to_csv(file, index=False)
    done = CliRunner().invoke(app, ["import-history", str(master), str(file)])
    assert done.exit_code == 0, done.output


def _sheet(path: Path, name: str) -> list[list[object]]:
    import python_calamine as pc

    return pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """PC 1 rebased with a ghost, PC 2 with its latest point ghosted, PC 3 the same values as
    PC 1 with no changes (to compare); refreshed and reported for Q2 2011/12."""
    from xlperf.refresh import ZipWorkbook, refresh

    folder = tmp_path_factory.mktemp("process-changes")
    master = folder / "master.xlsx"
    build_master(master, register=_register(), settings={"Reporting period": LATEST},
                 process_changes=CHANGES)
    (folder / "returns").mkdir()
    rows = [{"Code": code, "Period": QUARTERS[i], "Value": v}
            for code in ("PC 1", "PC 3") for i, v in enumerate(BEFORE + AFTER)]
    rows += [{"Code": "PC 2", "Period": QUARTERS[i], "Value": v} for i, v in enumerate(MDC)]
    _import(master, pd.DataFrame(rows), folder)
    refresh(ZipWorkbook(master), period=LATEST)
    return master


def test_the_sheet_is_in_a_new_master_with_its_drop_down(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "master.xlsx"
    build_master(path)
    sheet = load_workbook(path)["Process changes"]
    assert [c.value for c in sheet[1]] == ["Code", "Period", "Action", "Reason"]
    assert list(sheet.tables) == ["tblProcessChanges"]
    lists = {str(dv.sqref).split(":")[0]: dv.formula1
             for dv in sheet.data_validations.dataValidation}
    assert lists["C2"] == '"Rebase,Ghost"'
    master = read_master(path)
    assert master.spc_changes.empty and master.report.valid


def test_the_rows_are_read_as_text_with_their_actions(refreshed: Path) -> None:
    master = read_master(refreshed)
    assert not [f for f in master.report if f.sheet == "Process changes"]
    assert master.spc_changes.to_dict("records") == [
        {"code": "PC 1", "period": REBASE_AT, "action": "rebase",
         "reason": "New early help pathway from April 2008"},
        {"code": "PC 1", "period": GHOST_AT, "action": "ghost",
         "reason": "Double-counted referrals, confirmed by the service"},
        {"code": "PC 2", "period": QUARTERS[15], "action": "ghost", "reason": "System outage"}]


def test_the_ledger_freezes_the_latest_segments_limits_without_the_ghost(
        refreshed: Path) -> None:
    from xlperf.ledger import Ledger

    with Ledger(refreshed.with_name("master.ledger.sqlite")) as ledger:
        frozen = ledger.frozen_statuses(period_keys=["2011/12-Q2"]).set_index("code")
    one = frozen.loc["PC 1"]
    assert one["spc_points"] == 13  # the segment's points, the ghost left out
    assert (round(one["spc_mean"], 4), round(one["spc_lower"], 4),
            round(one["spc_upper"], 4)) == (round(MEAN, 4), round(LOWER, 4), round(UPPER, 4))
    assert one["variation"] == "Common cause"
    assert one["assurance"] == "Hit and miss"
    # whole numbers and a whole target: the limits to one place
    assert f"target 25 is between the process limits {LOWER:.1f} and {UPPER:.1f}" in \
        one["assurance_explanation"]
    # the same values without the changes: one chart of 26 points, a run above its mean
    three = frozen.loc["PC 3"]
    assert three["spc_points"] == 26 and three["variation"] == "Special cause of improvement"
    assert round(three["spc_upper"], 2) != round(UPPER, 2)


def test_a_ghosted_latest_point_is_not_judged_and_the_sentence_says_so(refreshed: Path) -> None:
    grid = _sheet(refreshed, "Scorecard")
    headers = grid[3]
    rows = {str(r[0]): dict(zip(headers, r, strict=False)) for r in grid[4:] if r[0]}
    said = str(rows["PC 2"]["SPC explanation"])
    # its icons come from the 15 points before it: MDC's limits, the 60 not among them
    assert ("Q3 2008/09: 18 is within the process limits 8.8 to 37.6 and no run, trend or "
            "2-of-3 rule fires: common cause; Q4 2008/09 is ghosted (System outage) and not "
            "judged") in said
    assert rows["PC 2"]["Variation"] == "● Common cause"
    assert rows["PC 1"]["Variation"] == "● Common cause"
    assert rows["PC 1"]["Assurance"] == "↕ Hit and miss"


def test_the_report_chart_draws_each_segment_and_a_hollow_ghost(refreshed: Path) -> None:
    from typer.testing import CliRunner

    from xlperf.cli import app

    out = refreshed.with_name("pack.html")
    done = CliRunner().invoke(app, ["report", str(refreshed), "--out", str(out),
                                    "--date", "2011-11-15"])
    assert done.exit_code == 0, done.output
    html = out.read_text(encoding="utf-8")
    cards = dict(re.findall(r'<article class="card" data-code="([^"]+)"(.*?)</article>', html,
                            flags=re.S))
    svg = re.search(r'<svg[^>]*class="chart xmr".*?</svg>', cards["PC 1"], flags=re.S).group(0)
    label = unescape(re.search(r'aria-label="([^"]*)"', svg).group(1))
    assert f"Mean {MEAN:.1f}, process limits {LOWER:.1f} to {UPPER:.1f}" in label
    assert ("Limits recalculated from Q1 2008/09 (New early help pathway from April 2008)"
            in label)
    assert ("Ghosted, left out of the limits and not judged: Q2 2009/10 40 (Double-counted "
            "referrals, confirmed by the service).") in label
    # the first segment (12 points, at least 12 needed) has limits of its own, said too
    assert "before it mean 10.8," in label
    # the mean and each limit are drawn once per segment: two polylines each, not one
    dashed = re.findall(r'<polyline[^>]*stroke-dasharray="5 3"', svg)
    assert len(dashed) == 4
    assert svg.count('fill="#FFFFFF" stroke=') >= 1  # the hollow ghost (and its legend)
    assert ">Ghosted</text>" in svg
    assert 'stroke-dasharray="1 2"' in svg  # the rebase line


@pytest.mark.parametrize(("row", "rule", "said"), [
    (("PC 9", "Q1 2008/09", "Rebase", "x"), "REG-073",
     "code 'PC 9' in A2 is not in the Measures register (the row is not used)"),
    (("PC 1", "Sep-08", "Rebase", "x"), "REG-074",
     "period Sep-08 in B2 is a month, but PC 1 is quarterly: write one of its quarters"),
    (("PC 1", "next spring", "Ghost", "x"), "REG-074", "period 'next spring' in B2: "),
    (("PC 1", "Q1 2008/09", "Remove", "x"), "REG-075",
     "C2: action 'Remove' is not Rebase or Ghost"),
    (("PC 1", "Q1 2008/09", "Rebase", None), "REG-076",
     "the rebase of PC 1 at Q1 2008/09 has no reason in D2"),
    (("PC 1", "Q1 2008/09", "=HYPERLINK(1)", "x"), "REG-075", "'=HYPERLINK(1)'"),
])
def test_a_bad_row_is_a_reg_query_on_its_cell_and_is_not_used(
        tmp_path: Path, row: tuple[object, ...], rule: str, said: str) -> None:
    path = tmp_path / "master.xlsx"
    build_master(path, register=_register(),
                 process_changes=pd.DataFrame([row], columns=list(CHANGES.columns)))
    master = read_master(path)
    found = [f for f in master.report if f.sheet == "Process changes"]
    assert [f.rule for f in found] == [rule], found
    assert said in found[0].message and found[0].severity == "query"
    assert master.spc_changes.empty
    assert master.report.valid  # a query: templates and scoring go on


def test_a_duplicate_row_names_both_cells_and_the_first_is_used(tmp_path: Path) -> None:
    path = tmp_path / "master.xlsx"
    rows = pd.concat([CHANGES.iloc[:1], CHANGES.iloc[:1].assign(Reason="again")])
    build_master(path, register=_register(), process_changes=rows)
    master = read_master(path)
    found = [f for f in master.report if f.sheet == "Process changes"]
    assert [(f.rule, f.cell) for f in found] == [("REG-077", "A3")]
    assert "PC 1 has a second rebase at Q1 2008/09 in A3 (first in A2)" in found[0].message
    assert master.spc_changes["reason"].tolist() == ["New early help pathway from April 2008"]


def test_a_refresh_with_bad_rows_goes_on_and_logs_them(tmp_path: Path) -> None:
    from xlperf.refresh import ZipWorkbook, refresh

    path = tmp_path / "master.xlsx"
    bad = pd.DataFrame([("PC 1", "soon", "Rebase", "x"), ("PC 1", QUARTERS[1], "Hide", "x")],
                       columns=list(CHANGES.columns))
    build_master(path, register=_register(), settings={"Reporting period": QUARTERS[2]},
                 process_changes=bad)
    (tmp_path / "returns").mkdir()
    _import(path, pd.DataFrame({"Code": "PC 1", "Period": QUARTERS[:3], "Value": [1, 2, 3]}),
            tmp_path)
    refresh(ZipWorkbook(path), period=QUARTERS[2])
    log = "\n".join(" ".join(str(c) for c in r if c) for r in _sheet(path, "Log"))
    assert "REG-074" in log and "REG-075" in log and "action 'Hide' is not Rebase or Ghost" in log


def test_a_sheet_without_its_columns_is_reported_not_raised() -> None:
    from xlperf.layout import MEASURES
    from xlperf.read.master import read_master_grids

    master = read_master_grids({"Measures": [list(MEASURES.headers)],
                                "Process changes": [["Code", "Action"], ["A", "Rebase"]]})
    found = [f for f in master.report if f.sheet == "Process changes"]
    assert [f.rule for f in found] == ["REG-001"]
    assert "needs Code, Period, Action and Reason columns (no 'Period', 'Reason')" in \
        found[0].message
    assert master.spc_changes.empty


def test_the_demo_master_rebases_and_ghosts_the_complaints_measure() -> None:
    master = read_master(Path(__file__).parents[1] / "workbooks" / "demo" / "master.xlsx")
    assert master.spc_changes[["code", "period", "action"]].values.tolist() == [
        ["GOV 03", "Apr-12", "rebase"], ["GOV 03", "Dec-12", "ghost"]]
    assert not [f for f in master.report if f.sheet == "Process changes"]


def test_a_period_typed_as_a_date_is_read_as_its_month(tmp_path: Path) -> None:
    """Excel turns ``Apr-12`` typed in a cell into a date: it is still the month."""
    import datetime as dt

    register = _register().assign(Frequency="Monthly")
    path = tmp_path / "master.xlsx"
    build_master(path, register=register, process_changes=pd.DataFrame(
        [("PC 1", dt.datetime(2012, 4, 1), "Rebase", "New pathway")],
        columns=list(CHANGES.columns)))
    master = read_master(path)
    assert master.spc_changes[["period", "action"]].values.tolist() == [["Apr-12", "rebase"]]
    assert not [f for f in master.report if f.sheet == "Process changes"]
