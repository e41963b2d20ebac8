"""Milestones and projects on the returns (issue 24), through the user path: a master with
Milestones and Projects sheets, its templates (a Milestones sheet for each service that has
some), returns filled with openpyxl as a service would, validation (the MIL findings at their
cells), a refresh (the rows recorded in the ledger, v6) and the ledger's activity frame read
back; an older ledger (v5) migrated."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from _workbook_helpers import ooxml_problems
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

import xlperf
from xlperf import demo
from xlperf.core.activity import ACTIVITY_COLUMNS, activity_rows
from xlperf.core.milestones import (
    FAIR,
    PROGRESS,
    milestone_problems,
    progress_label,
    progress_of,
    project_problems,
)
from xlperf.layout import (
    ACTIVITY_FIRST_DATA_ROW,
    ACTIVITY_HEADER_ROW,
    ACTIVITY_HEADERS,
    ACTIVITY_SHEET,
    activity_column,
)
from xlperf.ledger import Ledger, activity_frame
from xlperf.read.activity import ACTIVITY_FIELDS, read_activity
from xlperf.refresh import ZipWorkbook, refresh
from xlperf.write.master import build_master
from xlperf.write.templates import build_templates, fill_return

PERIOD = "Q2 2013/14"
SERVICE = "Safeguarding"


def _objective(register: pd.DataFrame, service: str) -> str:
    return str(register.loc[register["Service"] == service, "Objective"].iloc[0])


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A master whose Safeguarding service has two milestones and a project (another
    service none), and its templates for the period."""
    folder = tmp_path_factory.mktemp("activity")
    register = demo.demo_register()
    objective = _objective(register, SERVICE)
    milestones = pd.DataFrame({
        "Code": ["M10", "M11"], "Objective": [objective, objective],
        "Milestone": ["Open the new assessment hub", "Train every team in the new model"],
        "Lead officer": ["Head of Safeguarding", "Principal social worker"],
        "Due date": [dt.datetime(2013, 12, 31), dt.datetime(2014, 3, 31)],
        "Service": [SERVICE, " safeguarding "]})
    projects = pd.DataFrame({"Code": ["P10"], "Objective": [objective],
                             "Project": ["Case management system"],
                             "Lead officer": ["Head of Safeguarding"], "Service": [SERVICE]})
    master = build_master(folder / "master.xlsx", register=register,
                          targets=demo.demo_targets(), settings=demo.demo_settings(PERIOD),
                          milestones=milestones, projects=projects)
    infos = build_templates(master, PERIOD, folder / "templates")
    return {"master": master, "folder": folder,
            **{info.service: info.path for info in infos if info.kind == "performance"}}


def _fill(template: Path, out: Path, rows: dict[str, dict[str, object]]) -> Path:
    """Type into the Milestones sheet with openpyxl, as a service does in Excel: ``rows`` is
    code -> {header: value}; a code may be changed with a "Code" entry."""
    wb = load_workbook(template)
    ws = wb[ACTIVITY_SHEET]
    code_at = activity_column("Code")
    for row in range(ACTIVITY_FIRST_DATA_ROW, ws.max_row + 1):
        typed = rows.get(str(ws.cell(row, code_at).value))
        for header, value in (typed or {}).items():
            cell = ws.cell(row, activity_column(header))
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # text as typed, even one that starts like a formula
    wb.save(out)
    return out


def _good(template: Path, out: Path) -> Path:
    """A return with its figures (the demo's) and its milestones filled in."""
    fill_return(template, demo.demo_values(PERIOD), out)
    return _fill(out, out, {
        "M10": {"Progress": progress_label(FAIR), "Revised date": dt.datetime(2014, 2, 28),
                "Commentary": "=Builders late: the hub opens in February"},
        "M11": {"Progress": "✓ Good / on schedule"},
        "P10": {"Progress": "Amber", "Forecast variance": "green",
                "Commentary": "Supplier chosen."}})


# -- the template -----------------------------------------------------------------------------

def test_the_template_asks_each_service_for_its_own_milestones_and_projects(made) -> None:
    path = made[SERVICE]
    assert not ooxml_problems(path)
    wb = load_workbook(path)
    assert wb.sheetnames == ["Return", ACTIVITY_SHEET, "xlperf"]
    ws = wb[ACTIVITY_SHEET]
    assert [c.value for c in ws[ACTIVITY_HEADER_ROW]] == list(ACTIVITY_HEADERS)
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=ACTIVITY_FIRST_DATA_ROW)]
    assert [(r[0], r[1]) for r in rows] == [("Milestone", "M10"), ("Milestone", "M11"),
                                           ("Project", "P10")]
    assert rows[0][5] == dt.datetime(2013, 12, 31) and rows[2][5] is None
    assert ws.protection.sheet and wb.security.lockStructure
    first, project = ACTIVITY_FIRST_DATA_ROW, ACTIVITY_FIRST_DATA_ROW + 2
    typed = {h for h in ACTIVITY_HEADERS
             if not ws.cell(first, activity_column(h)).protection.locked}
    assert typed == {"Progress", "Revised date", "Commentary"}
    typed = {h for h in ACTIVITY_HEADERS
             if not ws.cell(project, activity_column(h)).protection.locked}
    assert typed == {"Progress", "Forecast variance", "Commentary"}
    lists = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation
             if dv.type == "list"}
    assert lists == {"G13 G14": '"' + ",".join(progress_label(p) for p in PROGRESS) + '"',
                     "G15 H15": '"Red,Amber,Green"'}
    # A service with no milestone or project has no such sheet; the identity is unchanged.
    assert ACTIVITY_SHEET not in load_workbook(made["Children in Care"]).sheetnames
    assert wb["xlperf"]["B9"].value == "Return"  # the figures' sheet


def test_a_good_return_passes_and_reads_back_as_the_activity_frame(made, tmp_path) -> None:
    path = _good(made[SERVICE], tmp_path / "Safeguarding - Q2 2013-14.xlsx")
    report = xlperf.validate_return(path, master=made["master"], previous=pd.DataFrame(
        columns=["Code", "Period", "Actual"]))
    assert not [f for f in report.findings if f.rule.startswith("MIL-")]
    assert not [f for f in report.findings if f.rule.startswith("FILE-")]
    frame = read_activity(path)
    assert list(frame.columns) == list(ACTIVITY_COLUMNS)
    assert frame[["code", "kind", "progress", "forecast"]].values.tolist() == [
        ["M10", "milestone", FAIR, None], ["M11", "milestone", "Good / on schedule", None],
        ["P10", "project", "Amber", "Green"]]
    assert frame["commentary"].tolist()[0] == "=Builders late: the hub opens in February"
    assert frame["revised_date"].tolist() == [dt.date(2014, 2, 28), None, None]
    assert set(frame["service"]) == {SERVICE} and set(frame["period"]) == {PERIOD}
    assert set(frame["source"]) == {path.name}


# -- validation -------------------------------------------------------------------------------

def test_bad_rows_are_mil_findings_at_their_cells(made, tmp_path) -> None:
    path = _good(made[SERVICE], tmp_path / "Safeguarding - Q2 2013-14.xlsx")
    path = _fill(path, path, {
        "M10": {"Progress": "soonish", "Revised date": "next week"},
        "M11": {"Progress": "▲", "Commentary": None, "Code": "M99"},
        "P10": {"Progress": "Blue", "Forecast variance": 3, "Commentary": "  "}})
    report = xlperf.validate_return(path, master=made["master"])
    mil = {(f.rule, f.sheet, f.cell, f.severity): f for f in report.findings
           if f.rule.startswith("MIL-")}
    assert set(mil) == {("MIL-001", ACTIVITY_SHEET, "G13", "error"),
                        ("MIL-005", ACTIVITY_SHEET, "I13", "error"),
                        ("MIL-002", ACTIVITY_SHEET, "J14", "query"),
                        ("MIL-003", ACTIVITY_SHEET, "B14", "error"),
                        ("MIL-004", ACTIVITY_SHEET, "G15", "error"),
                        ("MIL-004", ACTIVITY_SHEET, "H15", "error")}
    message = {key[:3]: f.message for key, f in mil.items()}
    assert message[("MIL-001", ACTIVITY_SHEET, "G13")] == (
        "Progress for milestone M10 in G13 is 'soonish', which is not one of: "
        + ", ".join(PROGRESS) + ".")
    assert message[("MIL-002", ACTIVITY_SHEET, "J14")] == (
        "Milestone M99 is Fair / behind but has no commentary in J14.")
    assert "'M99' in B14 is not on the master's Milestones sheet" in message[
        ("MIL-003", ACTIVITY_SHEET, "B14")]
    assert message[("MIL-004", ACTIVITY_SHEET, "H15")] == (
        "Forecast variance for project P10 in H15 is '3', which is not one of: Red, Amber, "
        "Green.")
    assert "'next week'" in message[("MIL-005", ACTIVITY_SHEET, "I13")]
    # The return's figures are not blamed for its milestones: no finding moves to Return.
    assert not [f for f in report.findings if f.sheet == "Return" and f.rule.startswith("MIL")]


def test_two_behind_milestones_are_two_queries_each_answered_on_its_own(made, tmp_path) -> None:
    """Each MIL query is its own query: two milestones behind without commentary have two
    fingerprints, so a service's response to one does not explain the other."""
    path = _good(made[SERVICE], tmp_path / "Safeguarding - Q2 2013-14.xlsx")
    path = _fill(path, path, {"M10": {"Progress": progress_label(FAIR), "Commentary": None},
                              "M11": {"Progress": progress_label(FAIR), "Commentary": None}})
    report = xlperf.validate_return(path, master=made["master"])
    queries = [f for f in report.findings if f.rule == "MIL-002"]
    assert [f.cell for f in queries] == ["J13", "J14"]
    assert len({f.fingerprint for f in queries}) == 2, [f.fingerprint for f in queries]


def test_a_return_with_only_its_milestones_reported_is_not_blank(made, tmp_path) -> None:
    blank = shutil.copy(made[SERVICE], tmp_path / "blank.xlsx")
    rules = [f.rule for f in xlperf.validate_return(blank, master=made["master"]).findings]
    assert rules == ["FILE-021"]
    only = _fill(made[SERVICE], tmp_path / "only.xlsx", {"M11": {"Progress": "Complete"}})
    rules = [f.rule for f in xlperf.validate_return(only, master=made["master"]).findings]
    assert "FILE-021" not in rules and not [r for r in rules if r.startswith("MIL")]


@pytest.mark.parametrize("hostile", [
    "=HYPERLINK(\"http://127.0.0.1/x\",\"click\")", "@SUM(1)", "+1", 42.0, "x" * 40_000,
    "\u202eGreen", dt.datetime(2014, 1, 1), True])
def test_hostile_values_are_findings_never_a_traceback(made, tmp_path, hostile) -> None:
    path = _good(made[SERVICE], tmp_path / "Safeguarding - Q2 2013-14.xlsx")
    wb = load_workbook(path)
    ws = wb[ACTIVITY_SHEET]
    for header in ("Progress", "Forecast variance", "Revised date"):
        cell = ws.cell(ACTIVITY_FIRST_DATA_ROW + 2, activity_column(header))
        cell.value = hostile
        if isinstance(hostile, str):
            cell.data_type = "s"  # a text that looks like a formula stays text
    ws.cell(ACTIVITY_FIRST_DATA_ROW, activity_column("Progress")).value = hostile
    if isinstance(hostile, str):
        ws.cell(ACTIVITY_FIRST_DATA_ROW, activity_column("Progress")).data_type = "s"
    wb.save(path)
    report = xlperf.validate_return(path, master=made["master"])
    rules = {(f.rule, f.cell) for f in report.findings if f.rule.startswith("MIL-")}
    assert ("MIL-001", "G13") in rules and ("MIL-004", "G15") in rules
    assert ("MIL-004", "H15") in rules
    for f in report.findings:
        assert f.message and "Traceback" not in f.message and len(f.message) < 1_000


def test_the_refresh_rejects_only_the_bad_milestone_row(made, tmp_path) -> None:
    folder = tmp_path / "council"
    shutil.copytree(made["folder"], folder)
    returns = folder / "returns"
    returns.mkdir()
    path = _good(folder / "templates" / made[SERVICE].name, returns / made[SERVICE].name)
    _fill(path, path, {"M11": {"Progress": "whenever"}})
    result = refresh(ZipWorkbook(folder / "master.xlsx"), returns=[path],
                     ledger=folder / "l.sqlite", new_ledger=True)
    assert result.recorded > 0  # the figures are taken
    (outcome,) = result.files
    assert outcome.outcome == "partly accepted"
    with Ledger(folder / "l.sqlite") as ledger:
        frame = activity_frame(ledger, PERIOD)
    assert frame["code"].tolist() == ["M10", "P10"]


# -- refresh, ledger and the doors ------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from _workbook_helpers import demo_workbooks

    folder = tmp_path_factory.mktemp("demo-activity")
    demo_workbooks(folder, period=PERIOD)
    return folder


def test_the_refresh_records_what_services_returned_and_the_ledger_gives_it_back(
        demo_pristine, tmp_path, monkeypatch) -> None:
    from xlperf.write import outputs

    folder = tmp_path / "demo"
    shutil.copytree(demo_pristine, folder)
    given: dict[str, object] = {}
    real = outputs.build_outputs

    def spy(*args, **kwargs):
        given.update(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(outputs, "build_outputs", spy)
    master = folder / "master.xlsx"
    refresh(ZipWorkbook(master), new_ledger=True)
    ledger_path = xlperf.ledger.ledger_path(master)
    with Ledger(ledger_path) as ledger:
        frame = activity_frame(ledger, PERIOD)
        stored = ledger._con.execute("SELECT count(*) FROM activity").fetchone()[0]
    assert list(frame.columns) == list(ACTIVITY_COLUMNS)
    expected = demo.demo_activity()
    assert sorted(frame["code"]) == sorted(expected["Code"])
    behind = frame.set_index("code").loc["M02"]
    assert (behind["kind"], behind["progress"], behind["revised_date"]) == (
        "milestone", FAIR, dt.date(2014, 6, 30))
    assert behind["commentary"].startswith("Two teams have no audit lead")
    assert behind["service"] == "Safeguarding" and behind["period"] == PERIOD
    assert behind["source"] == "Safeguarding - Q2 2013-14.xlsx"
    p02 = frame.set_index("code").loc["P02"]
    assert (p02["kind"], p02["progress"], p02["forecast"]) == ("project", "Amber", "Red")
    # The frame the refresh handed the output writer is the ledger's.
    pd.testing.assert_frame_equal(given["activity"], frame)
    # The same returns again record nothing new.
    refresh(ZipWorkbook(master))
    with Ledger(ledger_path) as ledger:
        assert ledger._con.execute("SELECT count(*) FROM activity").fetchone()[0] == stored
    # The report's data carries the same frame (the report room prints it).
    from xlperf.report import report_data_from_master

    data = report_data_from_master(master, PERIOD, generated=dt.date(2013, 11, 1))
    pd.testing.assert_frame_equal(data.activity, frame)


def test_a_later_submission_is_the_one_in_use(tmp_path) -> None:
    with Ledger(tmp_path / "l.sqlite") as ledger:
        first = activity_rows(pd.DataFrame({
            "type": ["Milestone", "Project"], "code": ["M01", "P01"],
            "progress": ["behind", "Red"], "forecast": [None, "Red"],
            "commentary": ["Late", "Over budget"]}), service="S", period=PERIOD, source="a.xlsx")
        assert xlperf.ledger.record_activity(ledger, first) == 2
        later = first.iloc[[0]].assign(progress="Complete", source="b.xlsx")
        assert xlperf.ledger.record_activity(ledger, later) == 1
        assert xlperf.ledger.record_activity(ledger, later.assign(source="c.xlsx")) == 0
        frame = activity_frame(ledger, "2013/14-Q2")
        assert frame[["code", "progress", "source"]].values.tolist() == [
            ["M01", "Complete", "b.xlsx"], ["P01", "Red", "a.xlsx"]]
        assert activity_frame(ledger, "Q3 2013/14").empty
        assert list(activity_frame(ledger, "Q3 2013/14").columns) == list(ACTIVITY_COLUMNS)


def test_a_version_5_ledger_gains_the_activity_table(tmp_path) -> None:
    from xlperf.ledger import _schema

    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as con:
        for version, script in _schema.MIGRATIONS[:5]:
            con.executescript(script)
            con.execute("INSERT INTO schema_version VALUES (?, '2013-10-01')", (version,))
        con.execute('INSERT INTO "values" (code, period_key, period, value, recorded_at) '
                    "VALUES ('NI_062', '2013/14-Q2', 'Q2 2013/14', 9.4, '2013-10-01')")
    con.close()
    with Ledger(path) as ledger:
        assert ledger._con.execute("SELECT max(version) FROM schema_version").fetchone() == (
            _schema.SCHEMA_VERSION,)  # every later step too (6 added the activity table)
        assert ledger.current_values()["Actual"].tolist() == [9.4]
        assert activity_frame(ledger, PERIOD).empty
        rows = pd.DataFrame({"code": ["P01"], "kind": ["project"], "period": [PERIOD],
                             "progress": ["Green"], "forecast": ["Amber"]})
        assert xlperf.ledger.record_activity(ledger, rows) == 1
        assert activity_frame(ledger, PERIOD)["forecast"].tolist() == ["Amber"]


# -- the core's laws ------------------------------------------------------------------------

def test_the_sheet_and_the_reader_agree_on_the_headers() -> None:
    assert set(ACTIVITY_FIELDS) == set(ACTIVITY_HEADERS)


@given(st.sampled_from(PROGRESS))
def test_every_drop_down_word_reads_back_as_its_progress(word: str) -> None:
    assert progress_of(progress_label(word)) == word == progress_of(word.upper())


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=30), st.floats(), st.integers(), st.none(),
                          st.booleans(), st.dates()), min_size=1, max_size=6))
def test_any_cells_give_problems_never_an_error(cells: list[object]) -> None:
    n = len(cells)
    milestones = pd.DataFrame({"code": cells, "progress": cells, "commentary": cells[::-1],
                               "revised date": cells}, dtype=object)
    problems = milestone_problems(milestones, ["M01"])
    # A progress cell that is not blank and not a progress word is one progress problem.
    wrong = sum(1 for c in cells if progress_of(c) is None
                and str("" if c is None or c != c else c).strip() != "")
    assert (problems["column"] == "progress").sum() == wrong
    projects = pd.DataFrame({"code": cells, "progress": cells, "forecast": cells[::-1],
                             "commentary": [None] * n}, dtype=object)
    assert set(project_problems(projects, None)["column"]) <= {"progress", "forecast",
                                                                "commentary"}
