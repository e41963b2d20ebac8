"""The director's judgement of an objective (issue 24) through the user path: a master with a
Judgements sheet (good and bad rows) read with its findings, a refresh that writes the
director's judgement beside the computed one on the Objectives sheet, flagged, and the
committee report that prints it; a master without the sheet works as before."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest
import python_calamine as pc
from _workbook_helpers import demo_workbooks, ooxml_problems
from openpyxl import load_workbook

from xlperf import demo
from xlperf.core.overrides import OVERRIDE_FLAG
from xlperf.core.rollup import JUDGEMENTS, rollup
from xlperf.layout import DIRECTOR_JUDGEMENTS, JUDGEMENT_WORDS, OUTPUT_HEADER_ROW
from xlperf.read.master import read_master
from xlperf.refresh import ZipWorkbook, refresh
from xlperf.report import render_html, report_data_from_master
from xlperf.write._outputs_overrides import DIRECTOR_HEADERS
from xlperf.write.master import build_master
from xlperf.write.shipped import build_demo_master

PERIOD = demo.DEMO_PERIOD
O1, O4, O7 = demo._O1, demo._O4, demo._O7
HEADERS = list(DIRECTOR_JUDGEMENTS.headers)
# Good and bad rows, as a director's office might type them (Excel rows 2..10).
ROWS = [
    (O4, PERIOD, "Off Track", "Placements: the measures lag the pressure.", "P Sharratt"),  # 2
    ("P9 - Obj 1 Nowhere", PERIOD, "On Track", "", "A N Other"),  # 3: REG-084
    (O1, PERIOD, "Amber", "not a roll-up word", "A N Other"),  # 4: REG-085
    (O1, "next spring", "At Risk", "", "A N Other"),  # 5: REG-086
    (O4.upper(), PERIOD, "On Track", "again", "A N Other"),  # 6: REG-087 (first in A2)
    (O7, "Q1 2013/14", "on  track", "Summer gap", "P Sharratt"),  # 7: last quarter's
    (None, PERIOD, "At Risk", "whose?", None),  # 8: REG-084 (no objective)
    (O1, PERIOD, None, "=1+1 is how the team counts it", "J Smith"),  # 9: commentary only
    (None, None, None, None, None),  # 10: blank, skipped
]


def _judgements() -> pd.DataFrame:
    return pd.DataFrame(ROWS, columns=HEADERS)


def _sheet(path: Path, name: str) -> list[list]:
    return pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


def _objective_rows(path: Path) -> tuple[list[str], dict[str, dict]]:
    grid = _sheet(path, "Objectives")
    names = [str(h) for h in grid[OUTPUT_HEADER_ROW - 1]]
    rows = {r[1]: dict(zip(names, r, strict=False)) for r in grid[OUTPUT_HEADER_ROW:] if r[1]}
    return names, rows


def test_the_sheet_drop_down_is_the_roll_ups_words(tmp_path: Path) -> None:
    assert JUDGEMENT_WORDS == JUDGEMENTS
    ws = load_workbook(build_master(tmp_path / "m.xlsx"))["Judgements"]
    assert [c.value for c in ws[1]] == HEADERS
    assert DIRECTOR_JUDGEMENTS.table in ws.tables
    lists = [dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert any(all(w in f for w in JUDGEMENTS) for f in lists), lists


def test_bad_rows_are_findings_with_their_cells_and_are_not_used(tmp_path: Path) -> None:
    path = build_master(tmp_path / "m.xlsx", register=demo.demo_register(),
                        settings=demo.demo_settings(PERIOD), judgements=_judgements())
    assert load_workbook(path)["Judgements"]["D9"].data_type == "s"  # a formula stays text
    master = read_master(path)
    found = {(f.rule, f.cell) for f in master.report if f.sheet == "Judgements"}
    assert found == {("REG-084", "A3"), ("REG-085", "C4"), ("REG-086", "B5"),
                     ("REG-087", "A6"), ("REG-084", "A8")}
    messages = {f.cell: f.message for f in master.report if f.sheet == "Judgements"}
    assert "'P9 - Obj 1 Nowhere' is not an objective of the Measures sheet" in messages["A3"]
    assert "'Amber' is not one of On Track, At Risk, Off Track" in messages["C4"]
    assert "next spring" in messages["B5"]
    assert "second judgement for Q2 2013/14" in messages["A6"] and "(first in A2)" in messages["A6"]
    assert "no objective" in messages["A8"]
    assert all("not used" in m for m in messages.values())
    assert all(f.severity == "query" for f in master.report if f.sheet == "Judgements")
    # The usable rows: the objective as the Measures sheet writes it, the period as xlperf does.
    assert master.judgement_rows.values.tolist() == [
        [O4, PERIOD, "Off Track", "Placements: the measures lag the pressure.", "P Sharratt"],
        [O7, "Q1 2013/14", "On Track", "Summer gap", "P Sharratt"],
        [O1, PERIOD, "", "=1+1 is how the team counts it", "J Smith"]]
    assert master.header_rows["Judgements"] == 1


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    """The demo workbooks with a master whose Judgements sheet has good and bad rows,
    refreshed from the demo returns."""
    folder = tmp_path_factory.mktemp("judged")
    files = demo_workbooks(folder, period=PERIOD)
    budget = demo.demo_budget()
    budget.insert(1, "Budget holder", budget["Service area"].map(demo.DEMO_BUDGET_HOLDERS))
    build_master(files.master, register=demo.demo_register(), targets=demo.demo_targets(),
                 budget=budget, capital=demo.demo_capital(),
                 settings=demo.demo_settings(PERIOD), judgements=_judgements())
    result = refresh(ZipWorkbook(files.master), now=dt.datetime(2013, 10, 22, 9, 0))
    return files.master, result


def test_the_refresh_writes_the_directors_judgement_beside_the_computed_one(refreshed) -> None:
    master, result = refreshed
    computed = rollup(result.scored, ["priority", "objective"]).set_index("objective")[
        "judgement"]
    assert computed[O4] != "Off Track"  # so the director's word differs: an override
    names, rows = _objective_rows(master)
    # beside the computed judgement (after it and its direction of travel), in this order
    first = names.index(DIRECTOR_HEADERS[0])
    assert names[first:first + len(DIRECTOR_HEADERS)] == list(DIRECTOR_HEADERS)
    assert names.index("Judgement") < first <= names.index("Judgement") + 2
    o4 = rows[O4]
    assert o4["Judgement"] == computed[O4]  # the computed judgement stays
    assert o4["Director's judgement"] == "Off Track"
    assert o4["Director's commentary"] == "Placements: the measures lag the pressure."
    assert o4["Director"] == "P Sharratt" and o4["Override"] == OVERRIDE_FLAG
    # Commentary without a judgement: shown, not flagged; text stays text.
    o1 = rows[O1]
    assert o1["Director's judgement"] in ("", None) and o1["Override"] in ("", None)
    assert o1["Director's commentary"] == "=1+1 is how the team counts it"
    # Last quarter's row is not this period's.
    assert rows[O7]["Director's judgement"] in ("", None)
    flagged = [name for name, r in rows.items() if r.get("Override") == OVERRIDE_FLAG]
    assert flagged == [O4]
    # The master's findings are on the Log, by cell.
    log = _sheet(master, "Log")
    logged = {(r[5], r[4]) for r in log if str(r[5]).startswith("REG-08")}
    assert {("REG-084", "A3"), ("REG-085", "C4"), ("REG-086", "B5"), ("REG-087", "A6"),
            ("REG-084", "A8")} <= logged
    assert not ooxml_problems(master)


def _summary_rows(html: str) -> dict[str, str]:
    """Each summary row's HTML, by objective."""
    start = html.index('<section id="summary"')
    body = html[start:html.index("</section>", start)]
    rows: dict[str, str] = {}
    for chunk in body.split("<tr>")[1:]:
        if chunk.startswith('<th scope="row">'):
            name = chunk[len('<th scope="row">'):chunk.index("</th>")]
            rows[name] = chunk
    return rows


def test_the_report_prints_the_directors_judgement_flagged_with_commentary(refreshed) -> None:
    master, result = refreshed
    data = report_data_from_master(master, generated=dt.date(2013, 10, 22))
    html = render_html(data)
    rows = _summary_rows(html)
    computed = rollup(data.scored, ["priority", "objective"]).set_index("objective")[
        "judgement"]
    o4 = rows[O4]
    cells = o4.split("<td")
    assert f"</span> {computed[O4]}</span>" in cells[1]  # the computed chip first
    director = next(c for c in cells if "Off Track" in c)
    assert f"{OVERRIDE_FLAG}</span>" in director  # symbol and word, not colour alone
    assert "Placements: the measures lag the pressure." in o4 and "P Sharratt" in o4
    assert OVERRIDE_FLAG not in rows[O1] and "=1+1 is how the team counts it" in rows[O1]
    assert sum(OVERRIDE_FLAG in r for r in rows.values()) == 1
    assert "Director&#x27;s judgement" in html or "Director's judgement" in html
    assert f"{OVERRIDE_FLAG}</span></td><td>the director" in html  # the key says what it is
    # The report for last quarter prints last quarter's row.
    past = render_html(report_data_from_master(master, "Q1 2013/14",
                                               generated=dt.date(2013, 7, 22)))
    before = _summary_rows(past)
    assert "Summer gap" in before[O7] and "Placements" not in past
    assert "On Track" in before[O7].split("<td")[-2]


def test_the_demo_overrides_one_objective_for_its_period(tmp_path: Path) -> None:
    master = read_master(build_demo_master(tmp_path / "m.xlsx"))
    assert not [f for f in master.report if f.sheet == "Judgements"]
    scored = master.score(demo.demo_values(PERIOD), PERIOD)
    computed = rollup(scored, ["priority", "objective"]).set_index("objective")["judgement"]
    from xlperf.core.overrides import beside_computed, judgements_at

    judged = judgements_at(master.judgement_rows, PERIOD)
    assert judged is not None and len(judged) == 1
    got = beside_computed(computed.reset_index(), judged).set_index("objective")
    assert got["overridden"].sum() == 1 and bool(got.loc[judged["objective"][0], "overridden"])
    assert judged["director_commentary"][0]


def test_a_master_without_the_sheet_works_as_before(tmp_path: Path) -> None:
    path = build_master(tmp_path / "m.xlsx", register=demo.demo_register(),
                        settings=demo.demo_settings(PERIOD))
    wb = load_workbook(path)
    wb.remove(wb["Judgements"])
    wb.save(path)
    master = read_master(path)
    assert master.judgement_rows.empty and master.judgements.empty
    assert "Judgements" not in master.header_rows
    assert not [f for f in master.report if f.sheet == "Judgements"]
    refresh(ZipWorkbook(path), returns=[], ledger=tmp_path / "l.sqlite", new_ledger=True)
    names, _rows = _objective_rows(path)
    assert not set(DIRECTOR_HEADERS) & set(names)
    html = render_html(report_data_from_master(path, generated=dt.date(2013, 10, 22)))
    assert OVERRIDE_FLAG not in html and "Director's judgement" not in html


def test_a_judgements_sheet_with_nothing_for_the_period_adds_no_columns(tmp_path: Path) -> None:
    judgements = pd.DataFrame([(O7, "Q1 2013/14", "On Track", "", "")], columns=HEADERS)
    path = build_master(tmp_path / "m.xlsx", register=demo.demo_register(),
                        settings=demo.demo_settings(PERIOD), judgements=judgements)
    refresh(ZipWorkbook(path), returns=[], ledger=tmp_path / "l.sqlite", new_ledger=True)
    names, _rows = _objective_rows(path)
    assert "Override" not in names and "Judgement" in names


def test_a_copy_keeps_the_sheet_and_findings(refreshed, tmp_path: Path) -> None:
    """A master refreshed once is read again with the same findings (the sheet is kept)."""
    master, _result = refreshed
    copy = tmp_path / "again.xlsx"
    shutil.copyfile(master, copy)
    again = read_master(copy)
    assert {(f.rule, f.cell) for f in again.report if f.sheet == "Judgements"} == {
        ("REG-084", "A3"), ("REG-085", "C4"), ("REG-086", "B5"), ("REG-087", "A6"),
        ("REG-084", "A8")}
