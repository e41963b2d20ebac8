"""A £ or % sign typed with a figure that does not match the measure's unit (UAT 03).

Before the fix the value parser dropped the sign and the figure was accepted with no query:
``£1.2m`` in a "number" measure was recorded as 1,200,000, ``12%`` as a count of awards, and
``£75.9`` in a % measure as 75.9. Now each is a PERF-022 query at its cell, naming the figure
as typed, the unit and the number read; what is recorded is unchanged (a query).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from xlperf.read.master import read_master
from xlperf.validate.returns import validate_return

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "workbooks" / "demo"
EDUCATION = DEMO / "templates" / "Education and Skills - Q2 2013-14.xlsx"


@pytest.fixture(scope="module")
def master():
    return read_master(DEMO / "master.xlsx")


def test_a_sign_that_is_not_the_measures_unit_is_queried(tmp_path, master):
    wb = load_workbook(EDUCATION)
    ws = wb["Return"]
    for row in range(13, ws.max_row + 1):
        if ws.cell(row, 1).value is not None:
            target = ws.cell(row, 7).value
            ws.cell(row, 8).value = target if isinstance(target, int | float) else 20
            ws.cell(row, 12).value = "Checked by the service manager."
    assert [ws[f"C{r}"].value for r in (13, 19, 20, 15)] == ["number", "%", "number", "%"]
    ws["H13"], ws["H19"], ws["H20"] = "£1.2m", "£75.9", "12%"
    ws["H15"] = f"{ws['G15'].value}%"  # a % sign in a % measure is what it says
    wb.save(tmp_path / "Education and Skills - Q2 2013-14.xlsx")
    report = validate_return(tmp_path / "Education and Skills - Q2 2013-14.xlsx", master)
    found = {f.cell: f for f in report.findings if f.rule == "PERF-022"}
    assert sorted(found) == ["H13", "H19", "H20"]
    assert {f.severity for f in found.values()} == {"query"}

    def line(row: int, typed: str, sign: str, unit: str, read: str) -> str:
        return (f"{ws[f'F{row}'].value} actual for {ws[f'A{row}'].value} in H{row} is "
                f"'{typed}', typed with {sign}, but the measure's unit is {unit}: xlperf "
                f"read it as {read}.")

    assert found["H13"].message == line(13, "£1.2m", "a £ sign and the multiplier m",
                                        "number", "1,200,000")
    assert found["H19"].message == line(19, "£75.9", "a £ sign", "%", "75.9")
    assert found["H20"].message == line(20, "12%", "a % sign", "number", "12")
    assert found["H13"].value == "£1.2m"
    assert report.valid  # queries: the figures stand as read
