"""Write the example workbooks of docs/excel.md: the XLPERF.* functions used in sheets.

    python -m xlperf.write.examples [folder]     (default: workbooks/examples)

``python -m xlperf.write.shipped`` writes them into ``workbooks/examples/`` with the other
shipped workbooks.

* ``xlperf_functions.xlsx``: measures scored with =XLPERF.STATUS, SYMBOL, VARIANCE,
  VARIANCE_PCT, DIRECTION, PERIOD and EXPLAIN, plus the demo council's Measures, Values and
  Settings sheets, so xlwings Lite's "Refresh scorecard" script works on it too;
* ``budget_functions.xlsx``: a revenue block with =XLPERF.BUDGET_VARIANCE, BUDGET_VARIANCE_PCT,
  BUDGET_STATUS and CROSSFOOT (once adding up, once with two digits of the total swapped), the
  seed 002 headlines, and an objective judged with OBJECTIVE_STATUS and COUNT_STATUS.

The formulas are stored as text; Excel works them out when the xlperf functions are loaded
(the desktop add-in or xlwings Lite: see docs/excel.md). openpyxl is fine here: xlperf writes
these files itself.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from xlperf.write import _xlsx
from xlperf.write._xlsx import save

DEFAULT_FOLDER = Path("workbooks") / "examples"

MEASURES = [  # code, measure, actual, target, polarity, tolerance, type, scheme, previous, period
    ("KIGS CH01", "Child protection plans lasting 2 years or more (%)", 91.54, 45.3,
     "Smaller is better", 2, "absolute", "rag", 80.1, "Q1 2013-14"),
    ("NI_073", "Level 4 in English and Maths at KS2 (%)", 68.04, 78.2, "Bigger is better", 15,
     "relative", "rag", 66.5, "2012/13"),
    ("CS143", "Repeat referrals within 12 months (%)", 23, 23, "Smaller is better", 1,
     "absolute", "three-symbol", 23, "30/06/12"),
    ("CYP 2.1.6", "Child protection visits within timescale (%)", "TBC", 95, "High", 2,
     "absolute", "rag", 88, "Jun-13"),
    ("PAF C23 (BV163)", "Adoptions from care (%)", "12.9%", 10, "Bigger is better", 1,
     "absolute", "four-band", 11.2, "Qtr3"),
    ("R&E 1.6.1", "Academies engaging with apprenticeships", 4, None, "Data only", None, None,
     None, 3, "Dec-15"),
]
MEASURE_HEADERS = ["Code", "Measure", "Actual", "Target", "Polarity", "Tolerance",
                   "Tolerance type", "Scheme", "Previous", "Period as written", "Status",
                   "Symbol", "Variance", "Variance %", "Direction", "Period", "Explanation"]

REVENUE_HEADERS = ["Service area", "Gross budget", "Net budget", "Forecast outturn",
                   "Variance", "Variance %", "Status"]
REVENUE_LINES = [("Children in care", 21_450, 18_900, 21_370),
                 ("Safeguarding and family support", 16_980, 15_239, 14_725),
                 ("Early help", 6_120, 5_380, 5_402),
                 ("Business support", 3_410, 2_781, 2_690)]
REVENUE_TOTAL = ("Directorate total", 47_960, 42_300, 44_187)
SWAPPED_TOTAL = ("Directorate total", 47_960, 42_300, 44_178)  # 8 and 7 swapped


def _header(sheet: Worksheet, row: int, values: list[str]) -> None:
    for column, value in enumerate(values, start=1):
        sheet.cell(row, column, value).font = _xlsx.font(bold=True)


def _table(sheet: Worksheet, frame: object) -> None:
    assert isinstance(frame, pd.DataFrame)
    _header(sheet, 1, [str(c) for c in frame.columns])
    clean = frame.astype(object).where(frame.notna(), None)
    for row in clean.itertuples(index=False):
        sheet.append([None if v == "" else v for v in row])  # no empty text cells


def functions_workbook(register: pd.DataFrame, values: pd.DataFrame, period: str) -> Workbook:
    """The functions workbook, with ``register``, ``values`` and ``period`` (the demo
    council's, as :mod:`xlperf.write.shipped` passes them) as its Measures, Values and
    Settings sheets."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Functions"
    _header(sheet, 1, MEASURE_HEADERS)
    for offset, measure in enumerate(MEASURES):
        r = offset + 2
        for column, value in enumerate(measure, start=1):
            sheet.cell(r, column, value)
        sheet[f"K{r}"] = f"=XLPERF.STATUS(C{r},D{r},E{r},F{r},G{r},H{r})"
        sheet[f"L{r}"] = f"=XLPERF.SYMBOL(K{r})"
        sheet[f"M{r}"] = f"=XLPERF.VARIANCE(C{r},D{r})"
        sheet[f"N{r}"] = f"=XLPERF.VARIANCE_PCT(C{r},D{r},TRUE)"
        sheet[f"O{r}"] = f"=XLPERF.DIRECTION(C{r},I{r},E{r})"
        sheet[f"P{r}"] = f'=XLPERF.PERIOD(J{r},"quarter","2013/14")'
        sheet[f"Q{r}"] = f"=XLPERF.EXPLAIN(C{r},D{r},E{r},F{r},G{r},H{r})"
    sheet.column_dimensions["B"].width = 48
    sheet.column_dimensions["Q"].width = 90
    _table(book.create_sheet("Measures"), register)
    _table(book.create_sheet("Values"), values)
    settings = book.create_sheet("Settings")
    _header(settings, 1, ["Setting", "Value"])
    settings.append(["Reporting period", period])
    return book


def _revenue_block(sheet: Worksheet, top: int, title: str, total: tuple) -> None:
    sheet.cell(top, 1, title).font = _xlsx.font(bold=True, size=12)
    head = top + 1
    _header(sheet, head, REVENUE_HEADERS)
    for offset, line in enumerate((*REVENUE_LINES, total)):
        r = head + 1 + offset
        for column, value in enumerate(line, start=1):
            sheet.cell(r, column, value)
        sheet[f"E{r}"] = f"=XLPERF.BUDGET_VARIANCE(C{r},D{r})"
        sheet[f"F{r}"] = f"=XLPERF.BUDGET_VARIANCE_PCT(C{r},D{r},TRUE)"
        sheet[f"G{r}"] = f"=XLPERF.BUDGET_STATUS(C{r},D{r},1)"
    last_line, total_row = head + len(REVENUE_LINES), head + len(REVENUE_LINES) + 1
    sheet.cell(total_row + 1, 1, "Cross-foot").font = _xlsx.font(bold=True)
    sheet[f"B{total_row + 1}"] = (f"=XLPERF.CROSSFOOT(A{head}:D{last_line},"
                                  f"A{total_row}:D{total_row})")


def budget_workbook() -> Workbook:
    book = Workbook()
    sheet = book.active
    sheet.title = "Revenue"
    _revenue_block(sheet, 1, "Revenue budget 2015/16, £000s", REVENUE_TOTAL)
    _revenue_block(sheet, 11, "The same block with two digits of the total swapped",
                   SWAPPED_TOTAL)
    sheet.column_dimensions["A"].width = 34
    sheet.column_dimensions["B"].width = 16

    headlines = book.create_sheet("Headlines")
    _header(headlines, 1, ["Measure (£000s)", "Budget", "Forecast", "Variance", "Variance %",
                           "Status"])
    for r, (name, budget, forecast) in enumerate(
            [("Budget Spend and Forecast", 42_300, 43_100),
             ("Cost of staff pay", 20_514, 20_000)], start=2):
        headlines.append([name, budget, forecast])
        headlines[f"D{r}"] = f"=XLPERF.BUDGET_VARIANCE(B{r},C{r})"
        headlines[f"E{r}"] = f"=XLPERF.BUDGET_VARIANCE_PCT(B{r},C{r})"
        headlines[f"F{r}"] = f"=XLPERF.BUDGET_STATUS(B{r},C{r})"
    headlines.column_dimensions["A"].width = 30

    objective = book.create_sheet("Objective")
    _header(objective, 1, ["Measure", "Status"])
    statuses = [("KIGS CH01", "Red"), ("NI_073", "Amber"), ("CS143", "Green"),
                ("CYP 2.1.6", "No data"), ("PAF C23 (BV163)", "Green"), ("NI_068", "Red")]
    for row in statuses:
        objective.append(list(row))
    last = len(statuses) + 1
    objective["D1"], objective["E1"] = "Judgement", f"=XLPERF.OBJECTIVE_STATUS(B2:B{last})"
    objective["D2"], objective["E2"] = "Rule: off track share", 0.75
    objective["D3"], objective["E3"] = "Rule: at risk share", 0.5
    objective["D4"], objective["E4"] = "Rule: when none rated", "Not rated"
    objective["D5"] = "Judgement by this rule"
    objective["E5"] = f"=XLPERF.OBJECTIVE_STATUS(B2:B{last},E2:E4)"
    for r, word in enumerate(("Green", "Amber", "Red", "No data"), start=7):
        objective[f"D{r}"] = word
        objective[f"E{r}"] = f"=XLPERF.COUNT_STATUS($B$2:$B${last},D{r})"
    objective.column_dimensions["D"].width = 24
    return book


def write_examples(folder: Path, *, register: pd.DataFrame, values: pd.DataFrame, period: str,
                   timestamp: dt.datetime | None = None) -> list[Path]:
    """Write both example workbooks into ``folder`` (the functions one showing ``register``,
    ``values`` and ``period``); a fixed ``timestamp`` gives fixed bytes. With the demo
    council's data: :func:`xlperf.write.shipped.write_demo_examples`."""
    Path(folder).mkdir(parents=True, exist_ok=True)
    books = {"xlperf_functions.xlsx": functions_workbook(register, values, period),
             "budget_functions.xlsx": budget_workbook()}
    return [save(book, Path(folder) / name, timestamp=timestamp) for name, book in books.items()]


if __name__ == "__main__":
    from xlperf.write.shipped import write_demo_examples

    for path in write_demo_examples(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_FOLDER):
        print(path)
