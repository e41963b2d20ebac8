"""A measure in more than one plan (issue 24): the Measures sheet's Plans column
(xlperf.core.plans), carried to the Scorecard's working columns, and the report filtered to
one plan (``xlperf report --plan``)."""

from __future__ import annotations

import datetime as dt
from html import escape

import pandas as pd
import pytest
from _workbook_helpers import ooxml_problems
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from xlperf import demo
from xlperf.core.plans import known_plans, parse_plans, plans_text, select_plan
from xlperf.errors import InputError

NAMES = st.text(st.characters(blacklist_characters=";,", blacklist_categories=("Cs",)),
                min_size=1, max_size=12).map(lambda s: " ".join(s.split())).filter(bool)


@given(st.lists(NAMES, max_size=6), st.lists(st.sampled_from([";", ",", " ; ", ",  "]),
                                             min_size=6, max_size=6))
def test_parse_plans_laws(names: list[str], seps: list[str]) -> None:
    """Any separators give the same plans; each once (case ignored), first spelling kept, in
    order; writing them back and parsing again changes nothing."""
    cell = "".join(n + s for n, s in zip(names, seps, strict=False))
    got = parse_plans(cell)
    keys = [g.casefold() for g in got]
    assert len(keys) == len(set(keys))
    first: dict[str, str] = {}
    for n in names:
        first.setdefault(n.casefold(), n)
    assert list(got) == list(first.values())
    assert parse_plans(plans_text(got)) == got
    assert parse_plans(cell.upper()) == tuple(p.upper() for p in got) or any(
        len(p.upper()) != len(p) or p.upper().casefold() != p.casefold() for p in got)


@given(st.lists(st.lists(NAMES, max_size=3).map("; ".join), min_size=1, max_size=8))
def test_select_plan_selects_exactly_the_rows_naming_it(cells: list[str]) -> None:
    plans = pd.Series(cells)
    assert select_plan(plans, None).all() and select_plan(plans, "  ").all()
    for plan in known_plans(cells):
        mask = select_plan(plans, plan.upper() if plan.upper().casefold() == plan.casefold()
                           else plan)
        assert mask.tolist() == [plan.casefold() in {p.casefold() for p in parse_plans(c)}
                                 for c in cells]


def test_unknown_plan_is_a_clear_message() -> None:
    with pytest.raises(InputError, match=r"no measure is in the plan 'Parks plan'.*"
                                         r"'Corporate plan', \"Children's plan\""):
        select_plan(pd.Series(["Corporate plan", "Children's plan; corporate plan"]),
                    "Parks plan")
    with pytest.raises(InputError, match="no Plans column"):
        select_plan(pd.Series(["", None]), "Corporate plan")


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory):
    """The demo master, refreshed: its Measures sheet has the demo's two plans."""
    from _workbook_helpers import demo_workbooks

    from xlperf.refresh import ZipWorkbook, refresh

    files = demo_workbooks(tmp_path_factory.mktemp("plans"))
    refresh(ZipWorkbook(files.master), now=dt.datetime(2013, 10, 22, 9, 0))
    return files.master


def _scorecard(master) -> dict[str, dict]:
    from xlperf.read._calamine import open_workbook, sheet_grid

    grid = sheet_grid(open_workbook(master), "Scorecard", file=str(master))
    header = next(i for i, row in enumerate(grid) if row and row[0] == "Code")
    names = grid[header]
    return {str(r[0]): dict(zip(names, r, strict=False)) for r in grid[header + 1:]
            if r[names.index("Period")] is not None}


def _measure_codes(html: str) -> set[str]:
    register = demo.demo_register()
    codes = {c: escape(c) for c in register["Code"]}
    return {c for c, e in codes.items() if f">{e}<" in html or f">{e} " in html}


def test_scorecard_carries_each_measures_plans(refreshed) -> None:
    assert not ooxml_problems(refreshed)
    sheet = _scorecard(refreshed)
    register = demo.demo_register().set_index("Code")["Plans"]
    assert {c: r["Plans"] for c, r in sheet.items()} == register.to_dict()
    assert {r["Plans"] for r in sheet.values()} == {
        demo.CORPORATE_PLAN, f"{demo.CORPORATE_PLAN}; {demo.CHILDRENS_PLAN}"}


def test_report_filtered_to_one_plan(refreshed, tmp_path) -> None:
    from xlperf.cli import app

    register = demo.demo_register()
    childrens = set(register.loc[register["Plans"].str.contains("Children"), "Code"])
    assert 0 < len(childrens) < len(register)
    out = tmp_path / "children.html"
    result = CliRunner().invoke(app, ["report", str(refreshed), "--out", str(out), "--date",
                                      "2013-10-22", "--plan", "children's PLAN"])
    assert result.exit_code == 0, result.output
    assert _measure_codes(out.read_text(encoding="utf-8")) == childrens
    whole = tmp_path / "all.html"
    assert CliRunner().invoke(app, ["report", str(refreshed), "--out", str(whole), "--date",
                                    "2013-10-22"]).exit_code == 0
    assert _measure_codes(whole.read_text(encoding="utf-8")) == set(register["Code"])
    bad = CliRunner().invoke(app, ["report", str(refreshed), "--plan", "Parks plan"])
    assert bad.exit_code != 0 and "Parks plan" in bad.output and "Traceback" not in bad.output


def test_a_master_without_the_plans_column_works_unchanged(tmp_path) -> None:
    """A register without Plans (an older master) scores and refreshes; every measure is in
    no plan, so the Scorecard's Plans cells are blank and the report asks for no plan."""
    from xlperf.refresh import ZipWorkbook, refresh
    from xlperf.report import report_data_from_master
    from xlperf.write.master import build_master

    register = demo.demo_register().drop(columns="Plans")
    master = build_master(tmp_path / "old.xlsx", register=register,
                          settings=demo.demo_settings())
    from openpyxl import load_workbook

    wb = load_workbook(master)
    ws = wb["Measures"]
    headers = [c.value for c in ws[1]]
    ws.delete_cols(headers.index("Plans") + 1)
    table = ws.tables["tblMeasures"]
    table.ref = f"A1:{ws.cell(1, len(headers) - 1).column_letter}{ws.max_row}"
    table.tableColumns = [c for c in table.tableColumns if c.name != "Plans"]
    table.autoFilter.ref = table.ref
    wb.save(master)
    assert "Plans" not in [c.value for c in load_workbook(master)["Measures"][1]]
    values = demo.demo_values()
    (tmp_path / "returns").mkdir()  # no returns yet: every measure is on the Scorecard
    refresh(ZipWorkbook(master), now=dt.datetime(2013, 10, 22, 9, 0))
    assert not ooxml_problems(master)
    sheet = _scorecard(master)
    assert set(sheet) == set(register["Code"])
    assert {r.get("Plans") for r in sheet.values()} <= {None, ""}
    data = report_data_from_master(master, values=values, generated=dt.date(2013, 10, 22))
    assert len(data.scored) == len(register)
    with pytest.raises(InputError, match="no Plans column"):
        report_data_from_master(master, values=values, plan="Corporate plan")
