"""Answers that survive resubmission (issue 22): the demo council's Safeguarding return comes
back as its annotated copy with a response beside each query; the refresh does not ask those
queries again, records the responses in the ledger, the Log and the report's card; a changed
figure asks its query again; an error is never answered away. One demo is built per module."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from _workbook_helpers import demo_workbooks
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from typer.testing import CliRunner

from xlperf.cli import app
from xlperf.council import Council
from xlperf.findings import query_fingerprint
from xlperf.read._calamine import open_workbook
from xlperf.validate.annotate import ISSUES_HEADER_ROW, ISSUES_SHEET, annotate
from xlperf.validate.responses import MAX_RESPONSE, clean_response

PERIOD = "Q3 2013/14"
SAFEGUARDING = "Safeguarding - Q3 2013-14.xlsx"
EDUCATION = "Education and Skills - Q3 2013-14.xlsx"
LONG = "x" * (MAX_RESPONSE + 500)


def _answer(copy: Path, answers: dict[int, str] | None = None, *, every: bool = False) -> dict:
    """Type responses into the annotated copy's "Your response" cells as a service would
    (openpyxl); {Issues row: response}. ``every``: a response beside every finding, errors
    too."""
    wb = load_workbook(copy)
    ws = wb[ISSUES_SHEET]
    typed = {}
    for row in ws.iter_rows(min_row=ISSUES_HEADER_ROW + 1):
        severity = row[1].value
        if severity == "query" or (every and severity):
            text = (answers or {}).get(row[0].row, f"Checked: {row[2].value} {row[4].value}")
            row[8].value = text
            row[8].data_type = "s"  # typed with a leading apostrophe when it starts with =
            typed[(row[2].value, row[4].value)] = text
    wb.save(copy)
    return typed


@pytest.fixture(scope="module")
def resubmitted(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The demo refreshed once; then Safeguarding's annotated copy, answered, sent back in
    its place and refreshed again."""
    folder = tmp_path_factory.mktemp("responses")
    demo_workbooks(folder, period=PERIOD)
    master = folder / "master.xlsx"
    council = Council.open(master)
    council.refresh()
    original = folder / "returns" / SAFEGUARDING
    shutil.copy(original, folder / "original.xlsx")
    report = council.validate([original])[0]
    copy = annotate(report, folder / "annotated")
    first = ISSUES_HEADER_ROW + 1
    typed = _answer(copy, {first: "=SUM(A1) was a typing slip, the figure is right",
                           first + 1: LONG})
    shutil.copy(copy, folder / "answered.xlsx")
    copy.replace(original)  # the service sends the annotated copy back as its return
    result = Council.open(master).refresh()
    return {"folder": folder, "master": master, "before": report, "typed": typed,
            "result": result}


def _outcome(result, name: str):
    return next(f for f in result.files if Path(f.path).name == name)


def test_the_annotated_copy_is_read_as_the_original_return(resubmitted: dict) -> None:
    folder, before = resubmitted["folder"], resubmitted["before"]
    council = Council.open(resubmitted["master"])
    unanswered = annotate(before, folder / "plain-copy")
    again = council.validate([unanswered])[0]
    assert {k: again.meta[k] for k in ("kind", "service", "period")} == {
        k: before.meta[k] for k in ("kind", "service", "period")}
    # The Issues sheet the annotation adds raises nothing of its own (the queries are
    # explained now: the ledger has the answers of the copy sent back).
    assert [(f.rule, f.cell) for f in again.findings] == [
        (f.rule, f.cell) for f in before.findings]
    assert not again.errors and len(again.explained) == len(before.queries)
    assert again.meta["responses"] == ()


def test_answered_queries_are_not_asked_again(resubmitted: dict) -> None:
    before, typed = resubmitted["before"], resubmitted["typed"]
    outcome = _outcome(resubmitted["result"], SAFEGUARDING)
    report = outcome.report
    assert len(before.queries) == 7 and len(typed) == 7
    assert report.queries == () and len(report.explained) == 7
    assert outcome.outcome == "accepted"
    for finding in report.explained:
        assert finding.response == clean_response(typed[(finding.rule, finding.cell)])
        assert finding.fingerprint
    # The Returns sheet counts no query outstanding for Safeguarding.
    grid = open_workbook(resubmitted["master"]).get_sheet_by_name("Returns").to_python()
    header = next(i for i, r in enumerate(grid) if "Queries" in r)
    column = grid[header].index("Queries")
    row = next(r for r in grid[header + 1:] if r[0] == "Safeguarding")
    assert row[column] in (0, 0.0)


def test_responses_are_text_and_bounded(resubmitted: dict) -> None:
    report = _outcome(resubmitted["result"], SAFEGUARDING).report
    texts = [f.response for f in report.explained]
    assert "=SUM(A1) was a typing slip, the figure is right" in texts  # never a formula
    long = next(t for t in texts if t.startswith("xxx"))
    assert len(long) == MAX_RESPONSE and long.endswith("…")
    assert clean_response("  a\x00b\x07  ") == "ab" and clean_response(None) == ""


def test_the_ledger_records_each_response_against_its_fingerprint(resubmitted: dict) -> None:
    council = Council.open(resubmitted["master"])
    with sqlite3.connect(council.ledger) as con:
        rows = con.execute("SELECT fingerprint, rule, code, period, response, source_file, "
                           "cell FROM responses ORDER BY id").fetchall()
        assert con.execute("SELECT max(version) FROM schema_version").fetchone()[0] >= 5
    con.close()
    explained = _outcome(resubmitted["result"], SAFEGUARDING).report.explained
    assert {r[0] for r in rows} == {f.fingerprint for f in explained}
    assert {(r[1], r[6]) for r in rows} == {(f.rule, f.cell) for f in explained}
    assert all(r[5] == SAFEGUARDING for r in rows)
    assert ("PERF-012", "CYP 2.1.6", "Oct-13") in {(r[1], r[2], r[3]) for r in rows}
    assert council.responses() == {r[0]: r[4] for r in rows}


def test_the_log_and_the_report_card_show_the_responses(resubmitted: dict) -> None:
    grid = open_workbook(resubmitted["master"]).get_sheet_by_name("Log").to_python()
    actions = [r[1] for r in grid]
    assert actions.count("response") == 7 and actions.count("explained") == 7
    line = next(r for r in grid if r[1] == "explained" and r[4] == "K18")
    assert line[5] == "PERF-012" and line[7].endswith("Explained: Checked: PERF-012 K18")
    assert any("7 queries explained by earlier responses" in str(r[-1]) for r in grid)
    from xlperf.report import render_html

    data = Council.open(resubmitted["master"]).report()
    assert "Checked: PERF-012 K18" in data.explained["CYP 2.1.6"]
    html = render_html(data)
    assert '<strong>Explained</strong>: Checked: PERF-012 K18</p>' in html
    assert "<strong>Explained</strong>: =SUM(A1) was a typing slip" in html


def test_a_plain_resubmission_with_the_same_figures_is_not_asked_again(
        resubmitted: dict, tmp_path: Path) -> None:
    """The responses are in the ledger: every door (here Council.validate, as the CLI and
    the server use it) explains the same queries from there."""
    plain = tmp_path / SAFEGUARDING
    shutil.copy(resubmitted["folder"] / "original.xlsx", plain)
    report = Council.open(resubmitted["master"]).validate([plain])[0]
    assert report.queries == () and len(report.explained) == 7
    result = CliRunner().invoke(app, ["validate", str(plain), "--master",
                                      str(resubmitted["master"]), "--json"])
    findings = json.loads(result.stdout)
    found = findings["returns"][0]
    assert found["queries"] == 0 and {f["severity"] for f in found["findings"]} == {
        "explained"}


def test_a_changed_figure_asks_its_query_again(resubmitted: dict, tmp_path: Path) -> None:
    folder = tmp_path / "council"
    shutil.copytree(resubmitted["folder"], folder)
    answered = folder / "answered.xlsx"
    wb = load_workbook(answered)
    ws = wb["Return"]
    assert ws["K17"].value == "Green" and ws["H17"].value == 6.2
    ws["H17"].value = 6.4  # CYP 2.1.6 for Oct-13: a new figure
    wb.save(answered)
    answered.replace(folder / "returns" / SAFEGUARDING)
    result = Council.open(folder / "master.xlsx").refresh()
    report = _outcome(result, SAFEGUARDING).report
    assert [(f.rule, f.cell) for f in report.queries] == [("PERF-012", "K17")]
    assert len(report.explained) == 6


def test_an_error_is_never_answered_away(resubmitted: dict, tmp_path: Path) -> None:
    council = Council.open(resubmitted["master"])
    report = council.validate([resubmitted["folder"] / "returns" / EDUCATION])[0]
    assert len(report.errors) == 1 and len(report.queries) == 2
    copy = annotate(report, tmp_path)
    _answer(copy, every=True)
    again = council.validate([copy])[0]
    assert [(f.rule, f.cell) for f in again.errors] == [(f.rule, f.cell) for f in report.errors]
    assert again.queries == () and len(again.explained) == 2


def test_the_excel_door_reads_responses_from_the_sheets_in_memory(resubmitted: dict) -> None:
    """validate_grids (the add-in's payload) reads the Issues sheet as the file reader does."""
    answered = resubmitted["folder"] / "answered.xlsx"
    book = open_workbook(answered)
    grids = {name: book.get_sheet_by_name(name).to_python(skip_empty_area=False)
             for name in book.sheet_names}
    report = Council.open(resubmitted["master"]).validate_grids(grids, name=SAFEGUARDING)
    assert report.queries == () and len(report.explained) == 7


def test_a_chaser_does_not_chase_an_answered_query(resubmitted: dict) -> None:
    from xlperf.chasers import _items  # what a chaser lists for one return

    today = date(2014, 1, 22)
    status = Council.open(resubmitted["master"]).collection(today=today)
    items = {r.expected.who: _items(r, today) for r in status.returns}
    assert any(i.what == "query" for i in items["Children in Care"])  # queries are chased
    assert [i.what for i in items["Safeguarding"]] == []  # every one answered
    safeguarding = next(r for r in status.returns if r.expected.who == "Safeguarding")
    assert safeguarding.queries == 0


# ------------------------------------------------------------------------------ fingerprint

_CODES = st.text("ABCDEFGHIJ0123456789 _", min_size=1, max_size=8).filter(str.strip)
_VALUES = st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False),
                    st.integers(-10_000, 10_000), st.sampled_from(["TBC", "Green", "n/a"]))


@given(rule=st.sampled_from(["PERF-005", "PERF-012", "PERF-016"]), code=_CODES,
       period=st.sampled_from(["Q3 2013/14", "Oct-13", "2012/13"]), value=_VALUES)
def test_the_same_query_has_the_same_fingerprint(rule, code, period, value) -> None:
    assert query_fingerprint(rule, code, period, value) == query_fingerprint(
        rule.lower(), f" {code} ", period, value)


@given(code=_CODES, value=st.floats(-1e6, 1e6, allow_nan=False),
       other=st.floats(-1e6, 1e6, allow_nan=False))
def test_any_change_is_another_query(code, value, other) -> None:
    base = query_fingerprint("PERF-012", code, "Q3 2013/14", value)
    assert base != query_fingerprint("PERF-016", code, "Q3 2013/14", value)
    assert base != query_fingerprint("PERF-012", code + "X", "Q3 2013/14", value)
    assert base != query_fingerprint("PERF-012", code, "Q2 2013/14", value)
    if format(value, ".12g") != format(other, ".12g"):
        assert base != query_fingerprint("PERF-012", code, "Q3 2013/14", other)


@pytest.mark.parametrize(("one", "other", "same"), [
    (0.1 + 0.2, 0.3, True),        # binary float noise is not a new figure
    (78, 78.0, True),
    ("78", 78, True),              # a figure typed as text
    (6.2, 6.4, False),
    (0.3, 0.30001, False),
    ("TBC", "tbc", False),
    (None, 0, False),
])
def test_float_noise_and_types(one, other, same) -> None:
    assert (query_fingerprint("PERF-012", "A", "Q3 2013/14", one)
            == query_fingerprint("PERF-012", "A", "Q3 2013/14", other)) is same


def test_the_period_however_it_is_written() -> None:
    assert query_fingerprint("PERF-016", "A", "Q3 2013/14", 1) == query_fingerprint(
        "PERF-016", "A", "2013/14 Q3", 1)


def test_an_older_ledger_gains_the_responses_table(tmp_path: Path) -> None:
    from xlperf.ledger import Ledger, _schema, known_responses, record_responses

    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as con:
        for version, script in _schema.MIGRATIONS[:4]:
            con.executescript(script)
            con.execute("INSERT INTO schema_version VALUES (?, '2013-10-01')", (version,))
    con.close()
    with Ledger(path) as ledger:
        item = {"fingerprint": "a" * 24, "rule": "PERF-016", "measure": "NI_062",
                "period": "Q3 2013/14", "response": "New team in post"}
        assert record_responses(ledger, [item]) == 1
        assert record_responses(ledger, [item]) == 0  # the same copy again: nothing new
        assert known_responses(ledger) == {"a" * 24: "New team in post"}
