"""A return that carries a sheet of its own named "Issues" (user acceptance test, 2025).

The annotated copy (``validate --annotate``, the refresh's quarantine) put xlperf's findings on
a first sheet named ``Issues`` and deleted any sheet of that name first: a service keeping its
own issues log there lost it without a word. xlperf's sheet now takes a free name and is found
again (a copy annotated once more, the responses typed in a copy sent back) by its hidden
marker, not by its name.
"""

from __future__ import annotations

from pathlib import Path

import python_calamine as pc
from openpyxl import load_workbook

from xlperf.validate import validate_return
from xlperf.validate.annotate import ISSUES_HEADER_ROW, ISSUES_MARKER, annotate

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "workbooks" / "demo"
EDUCATION = "Education and Skills - Q2 2013-14.xlsx"  # one error (H13), two queries
MASTER = DEMO / "master.xlsx"
NOTES = [["Our issues log", "Owner", "Due"],
         ["Academy data late from two trusts", "J. Smith", "31/10/2013"],
         ["NEET tracking system migration", "A. Khan", "30/11/2013"]]


def _with_sheets(folder: Path, *names: str) -> Path:
    """The demo's Education and Skills return with the service's own sheets ``names``, each
    holding its issues log."""
    book = load_workbook(DEMO / "returns" / EDUCATION)
    for name in names:
        sheet = book.create_sheet(name)
        for row in NOTES:
            sheet.append(row)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / EDUCATION
    book.save(path)
    return path


def _grid(path: Path, sheet: str) -> list[list[object]]:
    return pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def _rows_of(path: Path, sheet: str) -> list[tuple[object, object]]:
    return [(r[2], r[4]) for r in _grid(path, sheet)[ISSUES_HEADER_ROW:]]


def test_the_services_own_issues_sheet_is_kept_and_xlperfs_takes_a_free_name(tmp_path):
    path = _with_sheets(tmp_path / "in", "Issues")
    report = validate_return(path, MASTER)
    copy = annotate(report, tmp_path / "annotated")
    names = pc.CalamineWorkbook.from_path(str(copy)).sheet_names
    assert names == ["Issues (xlperf)", "Return", "Milestones", "xlperf", "Issues"]
    assert _grid(copy, "Issues") == _grid(path, "Issues") == NOTES  # every cell as it was
    assert _rows_of(copy, "Issues (xlperf)") == [
        (f.rule, f.cell) for f in report.findings]
    assert _grid(copy, "Issues (xlperf)")[0][0] == f"Issues found in {EDUCATION}"

    taken = _with_sheets(tmp_path / "taken", "Issues", "issues (XLPERF)")  # any case
    copy = annotate(validate_return(taken, MASTER), tmp_path / "annotated-taken")
    names = pc.CalamineWorkbook.from_path(str(copy)).sheet_names
    assert names[0] == "Issues (xlperf 2)" and names[-2:] == ["Issues", "issues (XLPERF)"]
    assert _grid(copy, "issues (XLPERF)") == NOTES


def test_annotating_a_copy_again_replaces_xlperfs_sheet_only(tmp_path):
    path = _with_sheets(tmp_path / "in", "Issues")
    first = annotate(validate_return(path, MASTER), tmp_path / "first")
    again = annotate(validate_return(first, MASTER), tmp_path / "again")
    names = pc.CalamineWorkbook.from_path(str(again)).sheet_names
    assert names == ["Issues (xlperf)", "Return", "Milestones", "xlperf", "Issues"]
    assert _grid(again, "Issues") == NOTES
    assert _grid(again, "Issues (xlperf)")[0][len(_grid(again, "Issues (xlperf)")[0]) - 1] \
        == ISSUES_MARKER  # in the hidden last column
    # A plain return's copy annotated again: one Issues sheet, xlperf's, named Issues.
    plain = annotate(validate_return(DEMO / "returns" / EDUCATION, MASTER), tmp_path / "p1")
    plain = annotate(validate_return(plain, MASTER), tmp_path / "p2")
    assert pc.CalamineWorkbook.from_path(str(plain)).sheet_names == [
        "Issues", "Return", "Milestones", "xlperf"]


def _answer_first_query(copy: Path, sheet: str, response: str) -> tuple[str, str]:
    book = load_workbook(copy)
    ws = book[sheet]
    for row in ws.iter_rows(min_row=ISSUES_HEADER_ROW + 1):
        if row[1].value == "query":
            row[8].value = response
            book.save(copy)
            return row[2].value, row[4].value
    raise AssertionError("no query")


def test_responses_are_read_from_xlperfs_sheet_whatever_its_name(tmp_path):
    path = _with_sheets(tmp_path / "in", "Issues")
    copy = annotate(validate_return(path, MASTER), tmp_path / "annotated")
    rule, cell = _answer_first_query(copy, "Issues (xlperf)", "A new team started in July.")
    report = validate_return(copy, MASTER)
    (answered,) = [f for f in report.findings if (f.rule, f.cell) == (rule, cell)]
    assert (answered.severity, answered.response) == ("explained",
                                                      "A new team started in July.")
    assert [r["response"] for r in report.meta["responses"]] == ["A new team started in July."]


def test_a_copy_made_before_the_marker_is_still_read_by_its_name(tmp_path):
    copy = annotate(validate_return(DEMO / "returns" / EDUCATION, MASTER), tmp_path / "a")
    book = load_workbook(copy)
    marker = [c for row in book["Issues"].iter_rows(max_row=1) for c in row
              if c.value == ISSUES_MARKER]
    assert len(marker) == 1
    marker[0].value = None  # as copies made before it were
    book.save(copy)
    rule, cell = _answer_first_query(copy, "Issues", "Checked with the trusts.")
    report = validate_return(copy, MASTER)
    assert [f.severity for f in report.findings if (f.rule, f.cell) == (rule, cell)] == [
        "explained"]
    # ... and annotating it again replaces it (no second Issues sheet)
    again = annotate(report, tmp_path / "b")
    assert pc.CalamineWorkbook.from_path(str(again)).sheet_names[0] == "Issues"
    assert len(pc.CalamineWorkbook.from_path(str(again)).sheet_names) == 4


def test_a_services_issues_sheet_with_a_response_column_is_not_read_as_responses(tmp_path):
    """The service's own log, even laid out like xlperf's, is not xlperf's sheet when xlperf's
    is there (by its marker)."""
    book = load_workbook(DEMO / "returns" / EDUCATION)
    own = book.create_sheet("Issues (xlperf)")
    for _ in range(ISSUES_HEADER_ROW - 1):
        own.append(["log"])
    own.append([None, "Severity", "Rule", "Sheet", "Cell", "Value", "Message", "How to fix",
                "Your response", "Query id"])
    own.append(["?", "query", "PERF-016", "Return", "L15", None, "m", "f", "Not ours"])
    (tmp_path / "in").mkdir()
    path = tmp_path / "in" / EDUCATION
    book.save(path)
    report = validate_return(path, MASTER)
    assert list(report.meta.get("responses", ())) == []
    assert {f.severity for f in report.findings if f.rule == "PERF-016"} == {"query"}
    copy = annotate(report, tmp_path / "annotated")
    names = pc.CalamineWorkbook.from_path(str(copy)).sheet_names
    assert names[0] == "Issues" and "Issues (xlperf)" in names  # theirs kept
