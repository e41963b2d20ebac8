"""A £ or % sign typed with a figure that does not match the measure's unit (UAT 03).

Before the fix the value parser dropped the sign and the figure was accepted with no query:
``£1.2m`` in a "number" measure was recorded as 1,200,000, ``12%`` as a count of awards, and
``£75.9`` in a % measure as 75.9. Now each is a PERF-022 query at its cell, naming the figure
as typed, the unit and the number read; what is recorded is unchanged (a query).
"""

from __future__ import annotations

import pytest
from _workbook_helpers import SHIPPED_DEMO
from openpyxl import load_workbook

from xlperf.validate.returns import validate_return

DEMO = SHIPPED_DEMO
EDUCATION = DEMO / "templates" / "Education and Skills - Q2 2013-14.xlsx"


@pytest.fixture(scope="module")
def master(shipped_master):
    return shipped_master


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


def test_a_sign_in_a_finance_amount_in_thousands_is_queried(tmp_path, master):
    """'5402%' as a £000s forecast, and '£1.2m' (read as 1,200,000, not 1,200 thousands)."""
    wb = load_workbook(DEMO / "templates" / "Finance - Pauline Sharratt - Q2 2013-14.xlsx")
    ws = wb["Finance"]
    for row in range(13, ws.max_row + 1):
        if ws.cell(row, 1).value == "Directorate total":
            ws.cell(row, 6).value = "Placements, partly offset by vacant posts."
        elif ws.cell(row, 1).value not in (None, "Total"):
            ws.cell(row, 4).value = ws.cell(row, 3).value + 10
    ws["D13"], ws["F13"] = "5402%", "Explained."
    ws["D14"], ws["F14"] = f"£{ws['C14'].value + 10}", "Explained."  # a £ sign is what it says
    ws["E14"] = "£1.2m"
    wb.save(tmp_path / "Finance - Pauline Sharratt - Q2 2013-14.xlsx")
    report = validate_return(tmp_path / "Finance - Pauline Sharratt - Q2 2013-14.xlsx", master)
    found = {f.cell: f for f in report.findings if f.rule == "FIN-009"}
    assert sorted(found) == ["D13", "E14"]
    assert found["D13"].severity == "query" and found["D13"].value == "5402%"
    assert found["D13"].message == (
        f"Forecast outturn for '{ws['A13'].value}' in D13 is '5402%', typed with a % sign, "
        "but amounts are in £000s: xlperf read it as 5402.")
    assert found["E14"].message == (
        f"Variance for '{ws['A14'].value}' in E14 is '£1.2m', typed with the multiplier m, "
        "but amounts are in £000s: xlperf read it as 1,200,000.")
