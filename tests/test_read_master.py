"""Reading the master back: the round trip, every register mistake as one finding, tolerance of
column order, case, extra columns and sheets."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

import xlperf
from xlperf.cli import app
from xlperf.core.schemes import BUILTIN_SCHEMES, Band, Scheme
from xlperf.demo import (
    demo_budget,
    demo_capital,
    demo_register,
    demo_settings,
    demo_targets,
    demo_values,
)
from xlperf.errors import WorkbookError
from xlperf.identity import register_hash
from xlperf.read import RULES, read_master
from xlperf.write.master import build_master


def _same(left: object, right: object) -> bool:
    """Cell equality as a person sees it: 78 == 78.0, blank == None == NaN == ''."""
    def norm(v: object) -> object:
        if v is None or (isinstance(v, float) and math.isnan(v)) or v == "":
            return None
        return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else v
    return norm(left) == norm(right)


def _assert_frames_match(read: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert list(read.columns) == list(expected.columns)
    assert len(read) == len(expected)
    for (_, a), (_, b) in zip(read.iterrows(), expected.iterrows(), strict=True):
        for column in expected.columns:
            assert _same(a[column], b[column]), (column, a[column], b[column])


@pytest.fixture(scope="module")
def demo_master_path(tmp_path_factory) -> Path:
    from _workbook_helpers import demo_workbooks

    # what ``xlperf init --demo`` writes (it calls build_demo_workbooks), built once per run
    return demo_workbooks(tmp_path_factory.mktemp("init")).master


def test_init_demo_round_trip_reproduces_the_register_exactly(demo_master_path):
    master = read_master(demo_master_path)
    assert master.report.valid and len(master.report) == 0
    _assert_frames_match(master.register, demo_register())
    assert master.register.index[0] == 2  # indexed by Excel row
    _assert_frames_match(master.targets, demo_targets())
    budget = demo_budget()
    _assert_frames_match(master.budget.drop(columns="Budget holder"), budget)
    _assert_frames_match(master.capital, demo_capital())
    assert register_hash(master.register) == register_hash(demo_register())
    settings = demo_settings()
    assert master.settings.council == settings["Council name"]
    assert master.reporting_period == "Q2 2013/14" and master.default_scheme == "rag"
    assert master.settings.materiality == 50
    assert set(master.schemes) == set(BUILTIN_SCHEMES)
    assert master.schemes["four-band"] == BUILTIN_SCHEMES["four-band"]


def test_round_trip_scores_exactly_as_the_demo_frames(demo_master_path):
    master = read_master(demo_master_path)
    read_back = master.score(demo_values())
    direct = xlperf.score(demo_values(), demo_register(), "Q2 2013/14", targets=demo_targets())
    pd.testing.assert_frame_equal(read_back.reset_index(drop=True),
                                  direct.reset_index(drop=True), check_dtype=False)
    rated = direct[direct["rated"]]
    assert 0.55 <= (rated["severity"] == 0).mean() <= 0.65  # a realistic share on target
    neet = direct.set_index("code").loc["(Old)NI_117a"]
    assert neet["target"] == 8.0  # the Targets sheet's seasonal September target


def _broken_master(path: Path) -> Path:
    register = demo_register().head(13).copy()
    mistakes = {  # row index -> (column, value); Excel row = index + 2
        1: ("Code", "R&E 1.6.1"),        # A3 duplicates A2
        2: ("Polarity", "sideways"),     # G4
        3: ("Frequency", "fortnightly"),  # I5
        4: ("Tolerance", "two"),         # K6
        5: ("Scheme", "traffic"),        # J7
        6: ("Tolerance type", "lots"),   # L8
        7: ("DoT basis", "yesterday"),   # M9
        8: ("Annual target", "about 80"),  # N10
        9: ("Cumulative", "maybe"),      # O11
        10: ("Baseline", "high"),        # P12
        11: ("Baseline rank", "E"),      # Q13
        12: ("Code", None),              # A14
    }
    register = register.astype(object)
    for index, (column, value) in mistakes.items():
        register.loc[index, column] = value
    targets = pd.DataFrame({"Code": ["NI_075", "NOPE", "NI_075"],
                            "Period": ["Q5 2013/14", "Q1 2013/14", "2013/14"],
                            "Target": [78, 5, "high"]})
    budget = demo_budget().astype(object)
    budget.loc[4, "Net budget"] = 43_200  # total no longer adds up
    budget.loc[2, "Forecast outturn"] = "lots"
    bad = Scheme("bad", (Band("Up", "+", "#00703C", 0.0, True, 0),
                         Band("Down", "-", "#D4351C", float("-inf"), True, 2)))
    path = build_master(path, register=register, targets=targets, budget=budget,
                        schemes=[*BUILTIN_SCHEMES.values(), bad],
                        settings={"Default scheme": "traffic", "Reporting period": "Q9"})
    # Break the custom scheme after writing: its last band gets an edge, so nothing is "else".
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb["Schemes"]
    last = max(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "bad")
    ws.cell(last, 5).value = -1
    wb.save(path)
    return path


def test_every_register_mistake_is_one_finding_with_its_cell(tmp_path):
    master = read_master(_broken_master(tmp_path / "broken.xlsx"))
    found = sorted((f.sheet, f.cell, f.rule) for f in master.report)
    assert found == sorted([
        ("Measures", "A3", "REG-003"),
        ("Measures", "G4", "REG-004"),
        ("Measures", "I5", "REG-005"),
        ("Measures", "K6", "REG-006"),
        ("Measures", "J7", "REG-008"),
        ("Measures", "L8", "REG-007"),
        ("Measures", "M9", "REG-009"),
        ("Measures", "N10", "REG-010"),
        ("Measures", "O11", "REG-011"),
        ("Measures", "P12", "REG-012"),
        ("Measures", "Q13", "REG-013"),
        ("Measures", "A14", "REG-002"),
        ("Targets", "B2", "REG-020"),
        ("Targets", "A3", "REG-022"),
        ("Targets", "C4", "REG-021"),
        ("Schemes", "A12", "REG-030"),
        ("Settings", "B4", "REG-040"),
        ("Settings", "B6", "REG-040"),
        ("Budget", "E4", "REG-050"),
        ("Budget", "D6", "REG-051"),
    ])
    assert not master.report.valid
    for finding in master.report:
        assert finding.severity == RULES[finding.rule][0]
        assert finding.file == str(tmp_path / "broken.xlsx")
    by_cell = {f.cell: f for f in master.report if f.sheet == "Measures"}
    assert "'R&E 1.6.1' in A3 is already used in A2" in by_cell["A3"].message
    assert "sideways" in by_cell["G4"].message and by_cell["G4"].value == "sideways"
    # the broken rows are left out of scoring, the rest still scores
    usable = master.usable_register
    assert usable.index.tolist() == [2, 13]  # row 13 has only a query


def _handmade(path: Path, rows: list[list[object]], *, title_rows: int = 0) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Notes"
    ws["A1"] = "our own notes sheet"
    measures = wb.create_sheet(" measures ")
    for _ in range(title_rows):
        measures.append(["Children's services register"])
    for row in rows:
        measures.append(row)
    wb.save(path)
    return path


def test_columns_are_found_by_header_in_any_order_and_case(tmp_path):
    path = _handmade(tmp_path / "h.xlsx", [
        ["Lead member", " POLARITY ", "annual target", "  Code", "Frequency", "Tolerance"],
        ["Cllr A", "Smaller is better", 45.3, "KIGS CH01", "quarterly", 2],
        [None, None, None, None, None, None],  # a blank row inside the table hides nothing
        ["Cllr B", "High", "Not Set", 2042, "Monthly", None],
    ], title_rows=2)
    master = read_master(path)
    assert master.report.valid, master.report.to_frame()
    assert master.register["Code"].tolist() == ["KIGS CH01", "2042"]  # headers trimmed
    assert master.register["Lead member"].tolist() == ["Cllr A", "Cllr B"]
    assert master.register.index.tolist() == [4, 6]
    assert master.header_rows["Measures"] == 3
    assert [f.rule for f in master.report] == ["REG-060", "REG-060"]  # defaults used
    assert {f.severity for f in master.report} == {"query"}
    scored = master.score(pd.DataFrame({"Code": ["KIGS CH01"], "Period": ["Q1 2013/14"],
                                        "Actual": [91.54]}), "Q1 2013/14")
    assert scored.set_index("code").loc["KIGS CH01", "status"] == "Red"


def test_a_bad_cell_in_a_moved_column_is_named_where_it_is(tmp_path):
    path = _handmade(tmp_path / "h.xlsx", [
        ["Polarity", "Notes", "Code"],
        ["sideways", "x", "A1"],
    ])
    finding = next(iter(read_master(path).report))
    assert (finding.rule, finding.sheet, finding.cell) == ("REG-004", "Measures", "A2")


def test_missing_polarity_column_is_a_finding(tmp_path):
    path = _handmade(tmp_path / "h.xlsx", [["Code", "Measure"], ["A1", "x"]])
    rules = [(f.rule, f.cell) for f in read_master(path).report]
    assert ("REG-001", "A1") in rules


def test_not_a_master_raises_a_workbook_error(tmp_path):
    wb = Workbook()
    wb.active.title = "Sheet1"
    wb.save(tmp_path / "other.xlsx")
    with pytest.raises(WorkbookError) as info:
        read_master(tmp_path / "other.xlsx")
    assert "no 'Measures' sheet" in str(info.value)
    (tmp_path / "fake.xlsx").write_text("not a zip")
    with pytest.raises(WorkbookError) as info:
        read_master(tmp_path / "fake.xlsx")
    assert "not a workbook" in str(info.value)
    with pytest.raises(WorkbookError):
        read_master(tmp_path / "missing.xlsx")


def test_rules_are_documented():
    doc = (Path(__file__).resolve().parents[1] / "docs" / "master.md").read_text()
    for rule in RULES:
        assert rule in doc, f"{rule} is not in docs/master.md"


def test_grids_in_memory_read_like_the_file(tmp_path):
    # An open Excel workbook (xlwings, the add-in's payload) is read by the same rules.
    from xlperf.read._calamine import open_workbook, sheet_grid
    from xlperf.read.master import read_master, read_master_grids
    from xlperf.write.master import build_demo_master

    path = build_demo_master(tmp_path / "m.xlsx")
    book = open_workbook(path)
    grids = {name: sheet_grid(book, name) for name in book.sheet_names}
    from_file, from_grids = read_master(path), read_master_grids(grids, file=path)
    pd.testing.assert_frame_equal(from_file.register, from_grids.register)
    pd.testing.assert_frame_equal(from_file.targets, from_grids.targets)
    assert from_file.settings == from_grids.settings
    assert from_file.report.findings == from_grids.report.findings


def test_unusable_settings_and_targets_columns_are_findings_not_crashes(demo_master_path,
                                                                        tmp_path):
    """Found by fuzzing user edits to the master: a materiality typed as text went on into the
    money sums (a traceback in refresh and report), and a Targets sheet whose Target header was
    overtyped was still used (KeyError). Both are now findings; the refresh and the report run."""
    from openpyxl import load_workbook

    path = tmp_path / "master.xlsx"
    wb = load_workbook(demo_master_path)
    settings = wb["Settings"]
    row = next(r for r in range(1, settings.max_row + 1)
               if str(settings.cell(r, 1).value).startswith("Materiality"))
    settings.cell(row, 2).value = "Q9 2099"
    targets = wb["Targets"]
    column = next(c for c in range(1, targets.max_column + 1)
                  if targets.cell(1, c).value == "Target")
    targets.cell(1, column).value = "Zürich ✓"
    wb.save(path)

    master = read_master(path)
    found = {(f.rule, f.sheet, f.cell): f.message for f in master.report}
    message = found[("REG-040", "Settings", f"B{row}")]
    assert "'Q9 2099' is not a number (the default, 50, is used)" in message
    assert master.settings.materiality == 50
    assert any(rule == "REG-001" and sheet == "Targets" for rule, sheet, _ in found)
    assert master.targets.empty

    runner = CliRunner()
    (tmp_path / "returns").mkdir()
    refreshed = runner.invoke(app, ["refresh", str(path), "--backups", "0"])
    assert refreshed.exception is None or isinstance(refreshed.exception, SystemExit), \
        refreshed.output
    assert refreshed.exit_code in (0, 1), refreshed.output
    finance = load_workbook(path, read_only=True)["Finance"]
    assert any(cell is not None for row_values in finance.iter_rows(values_only=True)
               for cell in row_values)
    report = runner.invoke(app, ["report", str(path), "--out", str(tmp_path / "pack.html"),
                                 "--date", "2026-01-01"])
    assert report.exit_code == 0, report.output
    assert "Revenue budget" in (tmp_path / "pack.html").read_text(encoding="utf-8")
