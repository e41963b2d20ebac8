"""The example workbooks of docs/excel.md: made by xlperf.write.examples, opening in
Excel without a repair prompt (shared/ooxml/validate_xlsx.py), formulas using the functions."""

from __future__ import annotations

import openpyxl
import pytest
from _workbook_helpers import ooxml_checker


@pytest.fixture(scope="module")
def examples(tmp_path_factory):
    from xlperf.write.shipped import write_demo_examples

    folder = tmp_path_factory.mktemp("examples")
    return {p.name: p for p in write_demo_examples(folder)}


@pytest.fixture(scope="module")
def validate_xlsx():
    return ooxml_checker()


@pytest.mark.parametrize("name", ["xlperf_functions.xlsx", "budget_functions.xlsx"])
def test_examples_open_in_excel_without_repair(examples, validate_xlsx, name):
    problems = validate_xlsx.find_problems(examples[name])
    assert not problems, "\n".join(map(str, problems))


def test_function_examples_use_every_scoring_function(examples):
    sheet = openpyxl.load_workbook(examples["xlperf_functions.xlsx"])["Functions"]
    assert sheet["K2"].value == "=XLPERF.STATUS(C2,D2,E2,F2,G2,H2)"
    formulas = " ".join(str(c.value) for row in sheet.iter_rows() for c in row)
    for name in ("STATUS", "SYMBOL", "VARIANCE", "VARIANCE_PCT", "DIRECTION", "PERIOD",
                 "EXPLAIN"):
        assert f"=XLPERF.{name}(" in formulas
    book = openpyxl.load_workbook(examples["xlperf_functions.xlsx"])
    assert {"Measures", "Values", "Settings"} <= set(book.sheetnames)


def test_budget_example_uses_every_finance_function(examples):
    book = openpyxl.load_workbook(examples["budget_functions.xlsx"])
    assert book["Revenue"]["B8"].value == "=XLPERF.CROSSFOOT(A2:D6,A7:D7)"
    assert book["Revenue"]["D17"].value == 44_178  # the swapped total
    formulas = " ".join(str(c.value) for s in book for row in s.iter_rows() for c in row)
    for name in ("BUDGET_VARIANCE", "BUDGET_VARIANCE_PCT", "BUDGET_STATUS", "CROSSFOOT",
                 "OBJECTIVE_STATUS", "COUNT_STATUS"):
        assert f"=XLPERF.{name}(" in formulas


def test_function_example_is_a_master_the_lite_refresh_can_read(examples):
    # xlwings Lite's "Refresh scorecard" reads the open book as a master (Measures, Settings).
    from xlperf.demo import demo_register
    from xlperf.read._calamine import open_workbook, sheet_grid
    from xlperf.read.master import read_master_grids

    book = open_workbook(examples["xlperf_functions.xlsx"])
    master = read_master_grids({n: sheet_grid(book, n) for n in book.sheet_names})
    assert master.report.valid and master.reporting_period == "Q2 2013/14"
    assert list(master.register["Code"]) == list(demo_register()["Code"])
