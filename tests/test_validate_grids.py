"""validate_grids: the validator over sheets already in memory (the add-in server's payload)
gives the same findings as validate_return over the file those sheets came from."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

import xlperf
from xlperf.read.master import read_master
from xlperf.read.returns import error_cells
from xlperf.validate import validate_grids, validate_return

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "workbooks" / "demo"
RETURNS = sorted((DEMO / "returns").glob("*.xlsx"))


@pytest.fixture(scope="module")
def master():
    return read_master(DEMO / "master.xlsx")


def _grids(path: Path) -> tuple[dict[str, list[list]], dict[str, list[str]]]:
    """The sheets as an Office.js client sends them: values from A1 ("" blank, an Excel error
    as its text) and the cells with a % number format."""
    import python_calamine as pc

    book = pc.CalamineWorkbook.from_path(str(path))
    formats = load_workbook(path)
    grids, percent = {}, {}
    for name in book.sheet_names:
        grid = [list(row) for row in book.get_sheet_by_name(name).to_python(
            skip_empty_area=False)]
        for ref, text in error_cells(path, name).items():
            letters = ref.rstrip("0123456789")
            row = int(ref[len(letters):])
            column = 0
            for ch in letters:
                column = column * 26 + ord(ch) - 64
            while len(grid) < row:
                grid.append([])
            grid[row - 1] += [""] * (column - len(grid[row - 1]))
            grid[row - 1][column - 1] = text
        grids[name] = grid
        percent[name] = [c.coordinate for r in formats[name].iter_rows() for c in r
                         if "%" in str(c.number_format)]
    return grids, percent


def _findings(report):
    return [(f.rule, f.severity, f.sheet, f.cell, f.message, f.value) for f in report.findings]


@pytest.mark.parametrize("path", RETURNS, ids=[p.stem for p in RETURNS])
def test_grids_give_the_findings_of_the_file(path, master):
    grids, percent = _grids(path)
    from_file = validate_return(path, master)
    from_grids = validate_grids(grids, master, name=path.name, percent_cells=percent)
    assert _findings(from_grids) == _findings(from_file)
    assert from_grids.valid == from_file.valid
    assert from_grids.file == from_file.file.split("/")[-1]
    assert {k: from_grids.meta[k] for k in ("kind", "service", "period", "rows")} == \
        {k: from_file.meta[k] for k in ("kind", "service", "period", "rows")}


@pytest.mark.parametrize("path", RETURNS[:3], ids=[p.stem for p in RETURNS[:3]])
def test_grids_without_a_master_use_what_the_return_says(path):
    grids, percent = _grids(path)
    assert _findings(validate_grids(grids, name=path.name, percent_cells=percent)) == \
        _findings(validate_return(path))


def _edited(source: Path, out: Path, **cells) -> Path:
    wb = load_workbook(source)
    for ref, value in cells.items():
        if isinstance(value, tuple):
            wb["Return"][ref].value, wb["Return"][ref].number_format = value
        else:
            wb["Return"][ref].value = value
    wb.save(out)
    return out


@pytest.mark.parametrize("cells", [
    {"H14": "TBC", "H13": 150, "K20": "Pink"},
    {"H21": "#DIV/0!"},                       # an Excel error cell
    {"H21": (0.68, "0.0%")},                  # a percentage shown as 68.0%
    {"H21": (0.68, "General")},               # a fraction in a plain cell
    {"A24": "CL EET", "A25": "%Re-Ref"},      # another service's code, a duplicate
    {"G13": 80},                              # a locked cell changed
])
def test_mistakes_give_the_same_findings(cells, master, tmp_path):
    source = next(p for p in RETURNS if p.name.startswith("Safeguarding"))
    path = _edited(source, tmp_path / source.name, **cells)
    grids, percent = _grids(path)
    from_file = validate_return(path, master)
    assert from_file.findings
    assert _findings(validate_grids(grids, master, name=path.name, percent_cells=percent)) == \
        _findings(from_file)


def test_not_a_return_and_junk_never_raise(master):
    report = validate_grids({"Sheet1": [["a", 1], [None, "#N/A"]]}, master, name="x.xlsx")
    assert [f.rule for f in report.findings] == ["FILE-011"]
    assert not report.valid
    assert validate_grids({}, master).findings[0].rule == "FILE-011"


def test_exported_lazily_from_the_package():
    assert xlperf.validate_grids is validate_grids
    assert "validate_grids" in xlperf.__all__ and xlperf.__all__ == sorted(xlperf.__all__)
