"""The return validator: a corpus of bad returns built from a good one, each giving exactly the
expected rule ids at exactly the expected cells; the Excel-made corpus; fuzzing; the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from _workbook_helpers import EXCEL_MADE, filled_on_target, ooxml_problems
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from typer.testing import CliRunner

import xlperf
from xlperf.cli import app
from xlperf.read.master import read_master
from xlperf.validate.returns import UNREADABLE, validate_return, validate_returns

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "workbooks" / "demo"
MASTER_PATH = DEMO / "master.xlsx"
SAFEGUARDING = DEMO / "templates" / "Safeguarding - Q2 2013-14.xlsx"
EDUCATION = DEMO / "templates" / "Education and Skills - Q2 2013-14.xlsx"
FINANCE = DEMO / "templates" / "Finance - Pauline Sharratt - Q2 2013-14.xlsx"
CAPITAL = DEMO / "templates" / "Capital programme - Q2 2013-14.xlsx"


@pytest.fixture(scope="module")
def master():
    return read_master(MASTER_PATH)


_fill_good = filled_on_target  # a clean return: every actual on target, commentary on all


def _fill_finance(template: Path, out: Path) -> Path:
    wb = load_workbook(template)
    ws = wb["Finance"]
    for row in range(13, ws.max_row + 1):
        if ws.cell(row, 1).value == "Directorate total":  # its owner's: explained, locked
            ws.cell(row, 6).value = "Placements, partly offset by vacant posts."
        elif ws.cell(row, 1).value not in (None, "Total"):
            ws.cell(row, 4).value = ws.cell(row, 3).value + 10
    wb.save(out)
    return out


def _fill_capital(template: Path, out: Path) -> Path:
    """Each programme half spent against its revised estimate (left as the master's)."""
    wb = load_workbook(template)
    ws = wb["Capital"]
    for row in range(13, ws.max_row + 1):
        if ws.cell(row, 1).value not in (None, "Total"):
            ws.cell(row, 4).value = ws.cell(row, 3).value // 2
    wb.save(out)
    return out


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("good")
    return {"perf": _fill_good(SAFEGUARDING, folder / "Safeguarding - Q2 2013-14.xlsx"),
            "edu": _fill_good(EDUCATION, folder / "Education and Skills - Q2 2013-14.xlsx"),
            "fin": _fill_finance(FINANCE, folder / "Finance - Pauline Sharratt - Q2.xlsx"),
            "cap": _fill_capital(CAPITAL, folder / "Capital programme - Q2.xlsx")}


def _mutate(source: Path, out: Path, change: Callable) -> Path:
    wb = load_workbook(source)
    change(wb)
    wb.save(out)
    return out


def _text(ws, ref, value):
    """Type ``value`` as text (a commentary starting with = stays words)."""
    ws[ref].value = value
    ws[ref].data_type = "s"


def _set(**cells):
    def change(wb):
        ws = wb[next(n for n in ("Return", "Finance", "Capital") if n in wb.sheetnames)]
        for ref, value in cells.items():
            ws[ref].value = value
    return change


def _identity(key, value):
    def change(wb):
        ws = wb["xlperf"]
        for row in ws.iter_rows(min_row=2):
            if row[0].value == key:
                row[1].value = value
        for prop in wb.custom_doc_props:
            if prop.name == f"xlperf {key}":
                prop.value = value
    return change


def _not_a_return(wb):
    del wb["xlperf"]
    for prop in list(wb.custom_doc_props):
        wb.custom_doc_props.props.remove(prop)


def _swap_rows(a, b):
    def change(wb):
        ws = wb["Return"]
        for column in range(1, 13):
            x, y = ws.cell(a, column), ws.cell(b, column)
            x.value, y.value = y.value, x.value
    return change


def _formula_commentary(wb):
    _text(wb["Return"], "L21", "+ve trend this month")


def _percent_cell(fmt):
    def change(wb):
        ws = wb["Return"]
        ws["H21"].value = 0.79
        if fmt:
            ws["H21"].number_format = "0.0%"
    return change


def _all(*changes):
    def change(wb):
        for c in changes:
            c(wb)
    return change


# name, source, mutation, previous values, expected (rule, cell) pairs
CASES = [
    ("TBC", "perf", _set(H14="TBC"), None, {("PERF-005", "H14")}),
    ("n/a", "perf", _set(H20="n/a"), None, {("PERF-005", "H20")}),
    ("dash", "perf", _set(H24="-"), None, {("PERF-005", "H24")}),
    ("blank actual", "perf", _set(H25=None), None, {("PERF-004", "H25")}),
    ("words", "perf", _set(H16="about 330"), None, {("PERF-006", "H16")}),
    ("excel error", "perf", _set(H21="#DIV/0!"), None, {("PERF-007", "H21")}),
    ("over 100%", "perf", _set(H13=150), None, {("PERF-008", "H13")}),
    ("negative rate", "perf", _set(H16=-5), None, {("PERF-008", "H16")}),
    ("count not whole", "perf", _set(H33=12.5), None, {("PERF-009", "H33")}),
    ("numerator/denominator", "perf", _set(I13=50, J13=100), None, {("PERF-010", "H13")}),
    ("status word", "perf", _set(K13="Pink"), None, {("PERF-011", "K13")}),
    ("status disagrees", "perf", _set(K20="Red"), None, {("PERF-012", "K20")}),
    ("formula-like commentary", "perf", _formula_commentary, None, {("PERF-017", "L21")}),
    ("red without commentary", "perf", _set(H13=10, L13=None), None, {("PERF-016", "L13")}),
    ("unknown code", "perf", _set(A24="%ReRef"), None,
     {("PERF-001", "A24"), ("FILE-020", None)}),
    ("another service's code", "perf", _set(A24="CL EET"), None,
     {("PERF-003", "A24"), ("FILE-020", None)}),
    ("duplicate", "perf", _set(A25="%Re-Ref"), None, {("PERF-002", "A25"), ("FILE-020", None)}),
    ("locked target", "perf", _set(G13=80), None, {("FILE-018", "G13")}),
    ("locked polarity", "perf", _set(D16="Bigger is better"), None, {("FILE-018", "D16")}),
    ("rows swapped", "perf", _swap_rows(13, 36), None, {("FILE-017", "A13"), ("FILE-017", "A36")}),
    ("row inserted", "perf", lambda wb: wb["Return"].insert_rows(20), None,
     {("FILE-017", "A21")}),
    ("column inserted", "perf", lambda wb: wb["Return"].insert_cols(8), None,
     {("FILE-016", c) for c in ("I12", "J12", "K12", "L12", "M12", "N12", "O12", "P12")}),
    ("column heading removed", "perf", _set(L12=None), None, {("FILE-015", "L12")}),
    # a revised figure in a second Actual column the service added: the template's is read
    ("a second Actual column", "perf", _set(P12="Actual", P14=99), None,
     {("FILE-025", "H12")}),
    # a cover note of 29 rows pasted above the table: its header is on row 41, found there
    # and each column said moved, not every column missing at the template's blank cells
    ("rows pasted above the table", "perf", lambda wb: wb["Return"].insert_rows(5, 29), None,
     {("FILE-016", f"{c}41") for c in "ABCDEFGHIJKLMNO"} | {("FILE-017", "A42")}),
    ("wrong period", "perf", _identity("period", "Q1 2013/14"), None, {("FILE-013", "B3")}),
    ("wrong service", "perf", _identity("service", "Parks"), None, {("FILE-014", "A1")}),
    ("old template", "perf", _identity("xlperf_version", "0.0.1"), None, {("FILE-012", None)}),
    ("not a return", "perf", _not_a_return, None, {("FILE-011", None)}),
    ("fraction in a plain cell", "perf", _percent_cell(False), None, {("PERF-015", "H21")}),
    ("fraction in a % cell", "perf", _percent_cell(True), None, set()),
    ("ten times smaller than last value", "perf", _set(H21=7.8),
     pd.DataFrame({"Code": ["NI_068"], "Period": ["Jun-13"], "Actual": [78.2]}),
     {("PERF-015", "H21")}),
    ("jump from last value", "perf", _set(H16=330),
     pd.DataFrame({"Code": ["CYP 2.1.4"], "Period": ["Q1 2013/14"], "Actual": [100]}),
     {("PERF-014", "H16")}),
    ("year to date down", "edu", _set(H20=100),
     pd.DataFrame({"Code": ["DofE 01"], "Period": ["Q1 2013/14"], "Actual": [150]}),
     {("PERF-013", "H20")}),
    ("combined", "perf", _all(_set(H14="TBC", H13=150, K20="Pink"), _formula_commentary), None,
     {("PERF-005", "H14"), ("PERF-008", "H13"), ("PERF-011", "K20"), ("PERF-017", "L21")}),
    ("forecast TBC", "fin", _set(D13="TBC"), None, {("FIN-001", "D13")}),
    ("forecast blank", "fin", _set(D14=None), None, {("FIN-007", "D14")}),
    ("material variance unexplained", "fin", _set(D13=19_500), None, {("FIN-004", "F13")}),
    ("pounds not thousands", "fin", _set(D13=18_900_000, F13="In pounds?"), None,
     {("FIN-006", "D13")}),
    ("variance typed", "fin", _set(E13=999), None, {("FIN-003", "E13")}),
    ("locked budget", "fin", _set(C13=19_000), None, {("FILE-018", "C13")}),
    ("total does not add up", "fin", _set(A15="Total", B15=38_430, C15=34_229, D15=34_159),
     None, {("FIN-002", "C15")}),
    ("finance combined", "fin", _set(D13="TBC", E14=5, A15="Total", B15=38_403, C15=34_139,
                                         D15=34_159),
     None, {("FIN-001", "D13"), ("FIN-003", "E14"), ("FIN-002", "B15")}),
    # The capital programme return: School places expansion (estimate 4,200) in row 13,
    # Children's home refurbishment (base budget 1,200) in 14, then Family hubs, Case
    # management system.
    ("capital spent above estimate", "cap", _set(D13=4_500), None, {("FIN-005", "D13")}),
    ("capital above estimate explained", "cap", _set(D13=4_500, F13="Land bought early."),
     None, set()),
    ("capital estimate blank: the master's stands", "cap", _set(C13=None, D13=4_500), None,
     {("FIN-005", "D13")}),
    ("capital actual blank", "cap", _set(D14=None), None, {("FIN-007", "D14")}),
    ("capital actual TBC", "cap", _set(D15="TBC"), None, {("FIN-001", "D15")}),
    ("capital estimate in words", "cap", _set(C16="about 500"), None, {("FIN-001", "C16")}),
    ("capital base budget changed", "cap", _set(B14=2_000), None, {("FILE-018", "B14")}),
    # The template's total row (17) is a SUM the spreadsheet works out; typed over (or left
    # stale by manual calculation) it no longer adds up. Left blank (a file never calculated,
    # as here), it is not checked.
    ("capital total does not add up", "cap", _set(B17=7_605), None, {("FIN-002", "B17")}),
    ("capital total right", "cap", _set(B17=7_650, C17=6_750), None, set()),
]


def _pairs(report):
    return {(f.rule, f.cell) for f in report.findings}


def test_good_returns_give_no_findings(corpus, master):
    reports = validate_returns(corpus.values(), master)
    assert [r.findings for r in reports] == [(), (), (), ()]
    assert [r.meta["kind"] for r in reports] == ["performance", "performance", "finance",
                                                 "capital"]
    assert all(r.valid for r in reports)


@pytest.fixture(scope="module")
def bad_reports(corpus, master, tmp_path_factory):
    """Every bad return of :data:`CASES`, validated in batches (by previous values)."""
    folder = tmp_path_factory.mktemp("bad")
    paths = {name: _mutate(corpus[source], folder / f"{i:02d} {name.replace('/', '-')}.xlsx",
                           change) for i, (name, source, change, _p, _e) in enumerate(CASES)}
    plain = [name for name, *_rest, previous, _e in CASES if previous is None]
    reports = dict(zip(plain, validate_returns([paths[n] for n in plain], master), strict=True))
    for name, _s, _c, previous, _e in CASES:
        if previous is not None:
            reports[name] = validate_return(paths[name], master, previous=previous)
    return reports


@pytest.mark.parametrize(("name", "expected"), [(c[0], c[4]) for c in CASES],
                         ids=[c[0] for c in CASES])
def test_each_mistake_gives_exactly_its_rules_at_its_cells(bad_reports, name, expected):
    report = bad_reports[name]
    assert _pairs(report) == expected, [f.message for f in report.findings]
    for finding in report.findings:
        assert finding.file and finding.message
        assert finding.cell or finding.rule.startswith("FILE-")


def test_messages_are_for_a_finance_officer(bad_reports):
    tbc = bad_reports["TBC"].findings[0]
    assert tbc.message == ("Aug-13 actual for CYP 2.1.3 in H14 is 'TBC', which xlperf records "
                           "as no data (to be confirmed).")
    assert tbc.sheet == "Return" and tbc.value == "TBC" and tbc.severity == "query"
    unknown = next(f for f in bad_reports["unknown code"].findings if f.rule == "PERF-001")
    assert "Did you mean %Re-Ref?" in unknown.message
    moved = bad_reports["row inserted"].findings[0]
    assert "KIGS CH01 is on row 21, not row 20" in moved.message
    total = bad_reports["total does not add up"].findings[0]
    assert "difference of 90" in total.message and "swapped" in total.message
    assert not bad_reports["wrong period"].valid and bad_reports["old template"].valid
    over = bad_reports["capital estimate blank: the master's stands"].findings[0]
    assert over.sheet == "Capital" and over.message == (
        "Capital programme 'School places expansion' has spent 4500 to date (D13), more than "
        "its revised estimate of 4200, with no explanation.")
    assert bad_reports["capital actual blank"].findings[0].message == (
        "There is no actual to date for 'Children's home refurbishment' in D14.")
    assert bad_reports["forecast blank"].findings[0].message == (
        "There is no forecast outturn for 'Safeguarding and family support' in D14.")
    capital_total = bad_reports["capital total does not add up"].findings[0]
    assert capital_total.message == (
        "Revised base budget: the lines add up to 7650 but the total in B17 is 7605 (a "
        "difference of 45). Two digits may be swapped (the difference divides by 9).")
    assert "Calculate Now" in capital_total.how_to_fix
    locked = bad_reports["capital base budget changed"].findings[0]
    assert "should hold '1200' (the performance or finance team sets it)" in locked.message


def test_rules_sheet_severities_apply(corpus, master, tmp_path):
    """A council makes PERF-005 an error in the master's Rules sheet."""
    from openpyxl import Workbook

    from xlperf.validate.returns import master_rules

    copy = tmp_path / "master.xlsx"
    wb = load_workbook(MASTER_PATH)
    if "Rules" in wb.sheetnames:
        ws = wb["Rules"]
        for row in ws.iter_rows(min_row=2):
            if row[0].value == "PERF-005":
                row[1].value = "error"
    else:
        ws = wb.create_sheet("Rules")
        ws.append(["Rule", "Severity"])
        ws.append(["PERF-005", "error"])
    wb.save(copy)
    assert master_rules(read_master(copy))["PERF-005"].severity == "error"
    bad = _mutate(corpus["perf"], tmp_path / "r.xlsx", _set(H14="TBC"))
    report = validate_return(bad, copy)
    assert [(f.rule, f.severity) for f in report.findings] == [("PERF-005", "error")]
    assert isinstance(Workbook, type)


def test_original_is_never_modified_and_annotated_copy_shows_everything(bad_reports, tmp_path):
    from xlperf.validate.annotate import FILLS, ISSUES_HEADER_ROW, annotate

    report = bad_reports["combined"]
    before = Path(report.file).read_bytes()
    out = annotate(report, tmp_path / "annotated")
    assert Path(report.file).read_bytes() == before
    assert not ooxml_problems(out)  # the symbols' number formats included
    wb = load_workbook(out)
    assert wb.sheetnames[0] == "Issues"
    issues = wb["Issues"]
    links = {c.value: c.hyperlink.location for c in issues["E"][1:] if c.hyperlink}
    assert links["H14"] == "'Return'!H14"
    cell = wb["Return"]["H14"]
    assert cell.comment.text.startswith("? QUERY PERF-005")
    assert cell.fill.fgColor.rgb.endswith(FILLS["query"][1:])
    assert wb["Return"]["H13"].comment.text.startswith("✖ ERROR PERF-008")
    # The symbol is shown in the cell too, by its number format: the value is untouched.
    assert wb["Return"]["H13"].value == 150
    assert wb["Return"]["H13"].number_format.startswith('"✖ "')
    assert wb["Return"]["H14"].number_format.startswith('"? "')
    assert wb["Return"]["H15"].number_format == load_workbook(report.file)["Return"][
        "H15"].number_format  # a cell without a finding keeps its format
    assert issues.max_row == len(report.findings) + ISSUES_HEADER_ROW
    # How to fix names this finding's cells (the rule's {cell} and {comment_cell} filled in).
    fixes = {row[4]: row[7] for row in issues.iter_rows(min_row=ISSUES_HEADER_ROW + 1,
                                                         values_only=True)}
    assert fixes["H14"] == ("Enter a number, or leave it blank and explain in the commentary "
                            "(L14).")
    assert not any("{" in text for text in fixes.values()), fixes


# --- library and CLI on real files --------------------------------------------------------

def test_import_xlperf_stays_light_and_exports_the_validator():
    out = subprocess.run([sys.executable, "-c", "import sys, xlperf; print(sorted({m.split('.')[0]"
                          " for m in sys.modules} & {'pandera', 'openpyxl', 'python_calamine'}))"],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    assert xlperf.validate_return is validate_return
    assert "validate_return" in xlperf.__all__ and xlperf.__all__ == sorted(xlperf.__all__)


def test_cli_exit_codes_tables_and_json(corpus, bad_reports, tmp_path):
    runner = CliRunner()
    good = runner.invoke(app, ["validate", str(corpus["perf"]), "--master", str(MASTER_PATH)])
    assert good.exit_code == 0, good.output
    assert "✔ accepted (0 errors, 0 queries)" in good.output
    bad = Path(bad_reports["over 100%"].file)
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"Code,Actual\nCS143,68\n")
    out_json = tmp_path / "findings.json"
    result = runner.invoke(app, ["validate", str(corpus["perf"]), str(bad), str(junk),
                                 "--master", str(MASTER_PATH), "--json-file", str(out_json)])
    assert result.exit_code == 3, result.output
    assert "PERF-008" in result.output and "H13" in result.output
    assert "3 returns: 1 accepted, 1 with errors, 1 could not be read" in result.output
    data = json.loads(out_json.read_text())
    assert [r["valid"] for r in data["returns"]] == [True, False, False]
    assert data["returns"][1]["findings"][0]["cell"] == "H13"
    errors_only = runner.invoke(app, ["validate", str(bad), "--master", str(MASTER_PATH)])
    assert errors_only.exit_code == 1


def test_cli_json_to_stdout_and_default_master(tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["validate", str(DEMO / "returns"), "--json"])
    data = json.loads(result.output)
    assert (data["schema_version"], data["command"]) == (1, "validate")
    assert data["master"].endswith("master.xlsx") and len(data["returns"]) == 10
    # The demo data has a count of case audits of 52.5: a real error, so exit code 1.
    rules = {f["rule"] for r in data["returns"] for f in r["findings"]}
    assert result.exit_code == 1 and "PERF-009" in rules


def test_cli_annotate_writes_copies(bad_reports, tmp_path):
    bad = Path(bad_reports["combined"].file)
    before = bad.read_bytes()
    result = CliRunner().invoke(app, ["validate", str(bad), "--master", str(MASTER_PATH),
                                      "--annotate", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert bad.read_bytes() == before
    assert load_workbook(tmp_path / "out" / bad.name).sheetnames[0] == "Issues"


def test_finance_and_performance_returns_in_one_batch_keep_their_cells(bad_reports):
    assert _pairs(bad_reports["variance typed"]) == {("FIN-003", "E13")}
    assert bad_reports["variance typed"].meta["kind"] == "finance"


def test_a_rule_pandera_cannot_report_row_by_row_still_finds_its_rows(bad_reports,
                                                                     monkeypatch):
    """pandera 0.24 fails to format the failure cases of a check over a mix of text and
    numbers and reports the check with no rows; the validator then runs the rule itself.
    Here pandera's formatter is made to fail for every check: the findings are unchanged."""
    import pandera.backends.pandas.base as pandera_base

    paths = [Path(bad_reports[name].file) for name in (
        "over 100%", "combined", "unknown code", "forecast TBC", "capital spent above estimate")]
    expected = validate_returns(paths, MASTER_PATH)
    assert {f.rule for r in expected for f in r.findings} >= {
        "PERF-001", "PERF-008", "PERF-011", "PERF-017", "FIN-001", "FIN-005"}

    def fails(*args, **kwargs):
        raise TypeError("sequence item 10: expected str instance, float found")

    monkeypatch.setattr(pandera_base, "format_vectorized_error_message", fails)
    assert [r.findings for r in validate_returns(paths, MASTER_PATH)] == [
        r.findings for r in expected]


def test_capital_return_of_a_master_without_a_budget_and_without_a_master(tmp_path):
    """A council with a capital programme and no revenue Budget sheet; and the same return
    checked with no master at all (its own figures only)."""
    from xlperf import demo
    from xlperf.write.master import build_master
    from xlperf.write.templates import build_templates, fill_return

    master = build_master(tmp_path / "master.xlsx", register=demo.demo_register(),
                          capital=demo.demo_capital(), settings=demo.demo_settings())
    infos = build_templates(master, "Q2 2013/14", tmp_path / "templates")
    assert [i.kind for i in infos].count("finance") == 0
    capital = next(i.path for i in infos if i.kind == "capital")
    values = demo.demo_capital().query("Quarter == 'Q2 2013/14'").assign(**{"Explanation": ""})
    filled = fill_return(capital, values, tmp_path / capital.name)
    wb = load_workbook(filled)
    wb["Capital"]["D16"] = 520  # above its 500 estimate, now unexplained
    wb["Capital"]["B13"] = 5_100
    wb.save(filled)
    report = validate_return(filled, master)
    assert _pairs(report) == {("FIN-005", "D16"), ("FILE-018", "B13")}
    alone = validate_return(filled)
    assert _pairs(alone) == {("FIN-005", "D16")}


def test_row_rules_and_plain_pandera_checks_give_the_same_findings(bad_reports, monkeypatch):
    """The refined schemas' RowRule checks report only the cell each rule is about; with
    plain pandera checks (what the schemas fall back to where the RowRule backend cannot be
    registered) pandera lists every column of a failing row. The findings are identical."""
    import pandera.pandas as pa
    from xlperf.catalogue import schemas

    paths = [Path(report.file) for report in bad_reports.values()
             if report.meta["readable"] and report.meta["rows"]]
    with_row_rules = validate_returns(paths, MASTER_PATH)
    assert {f.rule for r in with_row_rules for f in r.findings} >= {
        "PERF-001", "PERF-002", "PERF-008", "PERF-011", "PERF-017", "FIN-001", "FIN-003"}
    rule = schemas.refined_performance_schema().checks[0]
    assert type(rule) is schemas.RowRule and rule.cell == "Code"
    monkeypatch.setattr(schemas, "_ROW_RULE_BACKEND", False)
    for build in (schemas.refined_performance_schema, schemas.refined_finance_schema):
        monkeypatch.setattr(schemas, build.__name__, build.__wrapped__)
    assert type(schemas.refined_performance_schema().checks[0]) is pa.Check
    plain = validate_returns(paths, MASTER_PATH)
    assert [r.findings for r in plain] == [r.findings for r in with_row_rules]


# --- the Excel-made corpus ----------------------------------------------------------------



@pytest.mark.slow
def test_every_excel_made_workbook_is_refused_clearly():
    files = sorted(p for p in EXCEL_MADE.iterdir() if p.is_file()) if EXCEL_MADE.is_dir() else []
    if not files:
        pytest.skip(f"no corpus at {EXCEL_MADE}")
    started = time.perf_counter()
    rules: dict[str, int] = {}
    for path in files:
        t = time.perf_counter()
        report = validate_return(path)
        assert time.perf_counter() - t < 5, path
        assert report.findings and not report.valid, path
        assert all(f.rule.startswith("FILE-") for f in report.findings), (path, report.findings)
        assert any(f.rule in UNREADABLE or f.rule == "FILE-011" for f in report.findings), path
        for f in report.findings:
            rules[f.rule] = rules.get(f.rule, 0) + 1
    assert time.perf_counter() - started < 40
    assert rules.get("FILE-011", 0) > 600, rules
    sample = files[:: max(1, len(files) // 12)]
    env = {**os.environ, "XLPERF_MASTER": str(MASTER_PATH)}
    cli = subprocess.run([sys.executable, "-m", "xlperf.cli", "validate", *map(str, sample)],
                         capture_output=True, text=True, timeout=120, env=env)
    assert cli.returncode in (1, 3), cli.stderr
    assert "Traceback" not in cli.stderr + cli.stdout
    assert f"{len(sample)} returns:" in cli.stdout


# --- fuzzing ------------------------------------------------------------------------------

CELL = st.one_of(st.none(), st.text(max_size=30), st.floats(allow_nan=True, allow_infinity=True),
                 st.integers(min_value=-10**15, max_value=10**15), st.booleans(),
                 st.sampled_from(["TBC", "n/a", "-", "#REF!", "=1/0", "68%", "1,2", "£5m",
                                  "<p>x</p>", "Green", "Red", "@x", " ", "0.5"]))


def _check_report(report):
    for f in report.findings:
        assert f.file, f
        assert f.cell or f.rule.startswith("FILE-"), f
        assert f.severity in ("error", "query")


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(values=st.lists(st.tuples(st.integers(13, 36), st.sampled_from("HIJKL"), CELL),
                       min_size=1, max_size=8))
def test_fuzz_cell_contents_never_crash(corpus, master, tmp_path, values):
    def change(wb):
        ws = wb["Return"]
        for row, column, value in values:
            if isinstance(value, str) and value.startswith("="):
                _text(ws, f"{column}{row}", value)
            else:
                try:
                    ws[f"{column}{row}"].value = value
                except Exception:  # openpyxl refuses some characters: type them as text
                    ws[f"{column}{row}"].value = repr(value)
    out = _mutate(corpus["perf"], tmp_path / "fuzz.xlsx", change)
    started = time.perf_counter()
    _check_report(validate_return(out, master))
    assert time.perf_counter() - started < 5


@settings(max_examples=16, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(source=st.sampled_from(["fin", "cap"]),
       values=st.lists(st.tuples(st.integers(13, 18), st.sampled_from("ABCDEF"), CELL),
                       min_size=1, max_size=8))
def test_fuzz_finance_and_capital_cells_never_crash(corpus, master, tmp_path, source, values):
    """Random contents in any cell of a finance or capital programme return's table (names
    and locked figures included): findings, never an exception."""
    def change(wb):
        ws = wb["Finance" if source == "fin" else "Capital"]
        for row, column, value in values:
            try:
                ws[f"{column}{row}"].value = value
            except Exception:  # openpyxl refuses some characters: type them as text
                ws[f"{column}{row}"].value = repr(value)
            if isinstance(value, str) and value.startswith("="):
                ws[f"{column}{row}"].data_type = "s"
    out = _mutate(corpus[source], tmp_path / f"fuzz-{source}.xlsx", change)
    _check_report(validate_return(out, master))
    _check_report(validate_return(out))


@settings(max_examples=40, deadline=2000,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=4000), prefix=st.sampled_from([b"", b"PK\x03\x04"]))
def test_fuzz_random_bytes_never_crash(tmp_path, master, data, prefix):
    path = tmp_path / "random.xlsx"
    path.write_bytes(prefix + data)
    report = validate_return(path, master)
    assert not report.valid
    _check_report(report)


@settings(max_examples=30, deadline=3000,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(position=st.integers(0, 10**6), garbage=st.binary(min_size=1, max_size=64))
def test_fuzz_damaged_returns_never_crash(corpus, master, tmp_path, position, garbage):
    raw = bytearray(corpus["perf"].read_bytes())
    at = position % len(raw)
    raw[at:at + len(garbage)] = garbage
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(bytes(raw))
    _check_report(validate_return(path, master))


def test_regression_sheet_part_that_is_not_xml(tmp_path, master, corpus):
    """A return whose sheet part is replaced by junk is FILE-004, not a traceback."""
    src = corpus["perf"]
    out = tmp_path / "junk-sheet.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = b"<worksheet><sheetData><row r='1'><c r='A1' t='s'><v>99</v></c>"
            zout.writestr(item, data)
    report = validate_return(out, master)
    assert not report.valid
    _check_report(report)


def test_regression_damaged_deflate_stream_in_the_properties(tmp_path, master, corpus):
    """Found by the fuzz test: a corrupt deflate stream in docProps/custom.xml raised
    zlib.error from the identity reader. Every part is now unpacked once by the file checks
    (issue 18): a damaged part is damage that blocks, named, never a traceback."""
    raw = bytearray(corpus["perf"].read_bytes())
    with zipfile.ZipFile(corpus["perf"]) as archive:
        info = archive.getinfo("docProps/custom.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    raw[start + 5:start + 25] = b"\xff" * 20
    path = tmp_path / "damaged-properties.xlsx"
    path.write_bytes(bytes(raw))
    report = validate_return(path, master)
    _check_report(report)
    assert [f.rule for f in report.errors] == ["FILE-004"]
    assert "its part docProps/custom.xml is corrupt" in report.errors[0].message


@settings(max_examples=200, deadline=None)
@given(sections=st.lists(st.sampled_from(
    ["General", "0", "0.0%", "#,##0", "+#,##0", "-#,##0", "[Red]-0.0", "@", "", "0.00",
     "[Blue]#,##0", '"£"#,##0']), min_size=1, max_size=4),
    symbol=st.sampled_from(["✖", "?"]))
def test_a_flagged_format_marks_every_section_and_keeps_its_codes_first(sections, symbol):
    from xlperf.validate.annotate import flagged_format

    original = ";".join(sections)
    marked = flagged_format(original, symbol).split(";")
    assert 1 <= len(marked) <= 4 and (len(marked) == 4 or len(sections) == 4)
    for section in marked:
        codes = section[:section.index('"')] if '"' in section else ""
        assert all(part.startswith("[") for part in codes.split("]") if part), section
        assert f'"{symbol} "' in section
        assert section.count(f'"{symbol} "') == 1
    # three or four number sections are kept as they were, each behind the mark
    if len(sections) >= 3:
        assert [m.replace(f'"{symbol} "', "", 1) for m in marked[:len(sections)]] == sections
    # one section stands for positive, negative (with Excel's minus) and zero
    if len(sections) == 1 and "@" not in sections[0]:
        bare = [m.replace(f'"{symbol} "', "", 1) for m in marked]
        assert bare[0] == bare[2] == (sections[0] or "General") and bare[3] == "@"


# --- the engine: a rule is one catalogue row plus one check --------------------------------

def test_every_check_needs_only_columns_of_its_familys_frame(corpus, master, monkeypatch):
    from xlperf.validate import engine, fin_rules, perf_rules
    from xlperf.validate.registry import checks_for

    frames = {}

    def spy(rows, batch):
        frames[batch.kind] = set(rows.columns)
        return engine.run(rows, batch)

    monkeypatch.setattr(perf_rules, "run", spy)
    monkeypatch.setattr(fin_rules, "run", spy)
    reports = validate_returns(list(corpus.values()), master)
    assert all(r.valid for r in reports)
    assert set(frames) == {"performance", "finance"}
    for kind, columns in frames.items():
        checks = checks_for(kind)
        assert {c.rule.split("-")[0] for c in checks} >= (
            {"PERF", "FILE"} if kind == "performance" else {"FIN", "FILE"})
        for item in checks:
            assert set(item.needs) <= columns, (item.rule, set(item.needs) - columns)


def test_adding_a_rule_is_one_catalogue_row_and_one_check(corpus, tmp_path, monkeypatch):
    """The worked example of docs/validation.md: a numerator larger than its denominator."""
    import dataclasses

    import pandas as pd

    from xlperf.validate import catalogue, registry
    from xlperf.validate._frames import _num
    from xlperf.validate.registry import check

    rules = catalogue.load_rules()
    # The next free id of the family (the catalogue's ids have no gaps).
    new = f"PERF-{max(int(i[5:]) for i in rules if i.startswith('PERF-')) + 1:03d}"
    row = dataclasses.replace(
        rules["PERF-010"], id=new, severity="query",
        title="Numerator larger than denominator",
        message="{period} numerator for {code} in {cell} is {value}, more than the "
                "denominator ({denominator}).",
        how_to_fix="Check the two counts: the numerator is at most the denominator.")
    monkeypatch.setattr(catalogue, "_cached", lambda: {**rules, new: row})
    monkeypatch.setattr(registry, "_REGISTER", dict(registry._REGISTER))

    @check(new, needs=("numerator", "numerator number", "denominator number", "rated_ok"),
           cell="Numerator", value="numerator")
    def numerator_above_denominator(rows, batch):
        numerator = rows["numerator number"].to_numpy(dtype=float)
        denominator = rows["denominator number"].to_numpy(dtype=float)
        failing = (numerator > denominator) & rows["rated_ok"].to_numpy()
        return pd.DataFrame({"denominator": [_num(v) for v in denominator[failing]]},
                            index=rows.index[failing])

    wb = load_workbook(corpus["perf"])
    ws = wb["Return"]
    code, period = ws["A13"].value, ws["F13"].value
    ws["I13"], ws["J13"], ws["H13"] = 30, 20, 150
    wb.save(tmp_path / "ratio.xlsx")
    report = validate_return(tmp_path / "ratio.xlsx", read_master(MASTER_PATH))
    found = [f for f in report if f.rule == new]
    assert [(f.cell, f.severity, f.value) for f in found] == [("I13", "query", 30)]
    assert found[0].message == (f"{period} numerator for {code} in I13 is 30, more than the "
                                "denominator (20).")


def test_one_template_rows_for_the_writer_and_the_validator(master):
    """The template's rows (measure, period, target...) are what template_rows says, and the
    validator compares a return with the same rows (expected_layout)."""
    from xlperf.core.template_rows import annual_words, target_table, template_rows
    from xlperf.validate.returns import expected_layout

    rows = template_rows(master.prepared_register, "Q2 2013/14", first_row=13,
                         targets=target_table(master.targets),
                         words=annual_words(master.usable_register))
    ws = load_workbook(SAFEGUARDING)["Return"]
    mine = rows[rows["service"] == "Safeguarding"]
    written = [[ws.cell(r, c).value for c in range(1, 8)]
               for r in range(13, 13 + len(mine))]
    assert ws.cell(13 + len(mine), 1).value in (None, "")
    assert written == mine[["code", "Measure", "Unit", "Polarity", "Frequency", "period",
                            "Target"]].values.tolist()
    assert mine["row"].tolist() == list(range(13, 13 + len(mine)))
    layout = expected_layout(master, "Safeguarding", "Q2 2013/14")
    assert layout[["code", "period", "row", "Target"]].values.tolist() == \
        mine[["code", "period", "row", "Target"]].values.tolist()
