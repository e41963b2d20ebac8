"""A1 references: one helper (xlperf.core.a1), laws checked over the whole sheet."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xlperf.core.a1 import (
    MAX_COLUMNS,
    MAX_ROWS,
    cell_ref,
    column_letter,
    column_number,
    parse_cell,
    parse_range,
    range_columns,
    range_ref,
)

columns = st.integers(1, MAX_COLUMNS)
rows = st.integers(1, MAX_ROWS)


@given(columns)
def test_column_letters_round_trip(column):
    letters = column_letter(column)
    assert letters.isalpha() and letters.isupper() and len(letters) <= 3
    assert column_number(letters) == column
    assert column_number(letters.lower()) == column


@given(columns, columns)
def test_column_letters_sort_as_excel_orders_columns(a, b):
    # Shorter first, then alphabetical: the order of Excel's column headings.
    key = (len(column_letter(a)), column_letter(a))
    assert (key < (len(column_letter(b)), column_letter(b))) == (a < b)


@given(rows, columns, st.booleans(), st.booleans())
def test_cell_references_round_trip(row, column, dollar_column, dollar_row):
    ref = cell_ref(row, column)
    assert parse_cell(ref) == (row, column)
    absolute = f"{'$' * dollar_column}{column_letter(column)}{'$' * dollar_row}{row}"
    assert parse_cell(absolute) == (row, column)
    assert parse_range(absolute) == (row, column, row, column)


@given(rows, columns, rows, columns)
def test_ranges_round_trip(top, left, bottom, right):
    ref = range_ref(top, left, bottom, right)
    assert parse_range(ref) == (top, left, bottom, right)
    assert range_columns(ref) == (left, right)


@pytest.mark.parametrize("ref", ["", "A0", "XFE1", "A1048577", "AAAA1", "1A", "A-1", "A1:B"])
def test_references_outside_the_sheet_or_malformed_are_refused(ref):
    with pytest.raises(ValueError):
        parse_cell(ref)
    assert range_columns(ref) is None


@pytest.mark.parametrize("bad", [0, -3])
def test_column_numbers_start_at_one(bad):
    with pytest.raises(ValueError):
        column_letter(bad)


@pytest.mark.parametrize("bad", ["", "A1", "Ä", " "])
def test_column_letters_are_letters(bad):
    with pytest.raises(ValueError):
        column_number(bad)


def test_findings_and_the_writers_use_the_same_helper():
    import xlperf.findings as findings
    import xlperf.write._sheetxml as sheetxml
    from xlperf.core import a1

    assert findings.cell_ref is a1.cell_ref and findings.column_letter is a1.column_letter
    assert findings.parse_ref is a1.parse_cell and sheetxml.column_letter is a1.column_letter
