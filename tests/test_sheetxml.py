"""The cell XML of :func:`xlperf.write._sheetxml.sheet_data`: its fast paths write exactly what
the general code (``text_xml``, ``number_text``) writes, and styles are numbered in cell order."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from xlperf.write._sheetxml import number_text, sheet_data, text_xml
from xlperf.write.styles import CellStyle

TRICKY_TEXT = [
    "plain", "=SUM(A1:A9)", "+1", "-1", "@user", " lead", "trail ", "\tTab", "nbsp\xa0",
    "\xa0nbsp", "mid\xa0dle", "a&b<c>d", "_x0041_", "snake_case", "_x", "line\nbreak", "cr\r",
    "\x01ctl", "\ud800lone", "non\ufffechar", "é中文 ✔", "x" * 40_000, "\u2003em space",
]


def _styles() -> Any:
    numbered: list[tuple[Any, Any]] = []

    def style_of(style: Any, kind: Any) -> int:
        if (style, kind) not in numbered:
            numbered.append((style, kind))
        return numbered.index((style, kind)) + 1

    return style_of, numbered


@pytest.mark.parametrize("prefix", ["", "x:"])
def test_text_cells_match_the_general_escaping(prefix: str) -> None:
    style_of, _ = _styles()
    xml, _rows, _cols = sheet_data([[t] for t in TRICKY_TEXT], None, style_of, date1904=False,
                                   prefix=prefix)
    expected = "".join(
        f'<{prefix}row r="{r}"><{prefix}c r="A{r}" t="inlineStr">{text_xml(t, prefix)}'
        f"</{prefix}c></{prefix}row>" for r, t in enumerate(TRICKY_TEXT, 1))
    assert xml == expected


def test_formula_like_text_stays_text() -> None:
    style_of, _ = _styles()
    xml, _, _ = sheet_data([["=1+1", "@A1"]], None, style_of, date1904=False)
    assert "<f>" not in xml and xml.count('t="inlineStr"') == 2


def test_numbers_match_number_text() -> None:
    style_of, _ = _styles()
    values = [1.0, -0.0, 0.1, 1e16, 1.5e-7, 12345678901234567.0, 3, -7, float("nan"),
              float("inf")]
    xml, _, last_col = sheet_data([values], None, style_of, date1904=False)
    cells = "".join(f'<c r="{chr(65 + i)}1"><v>{number_text(v)}</v></c>'
                    for i, v in enumerate(values[:8]))
    assert xml == f'<row r="1">{cells}</row>'
    assert last_col == 8  # NaN and infinity leave their cells empty


def test_styles_are_asked_for_in_cell_order() -> None:
    """New formats are numbered in the order cells ask for them, whatever row caching does."""
    a, b, c = CellStyle(bold=True), CellStyle(italic=True), CellStyle(number_format="0%")
    rows = [["x", dt.date(2024, 1, 2), None], ["y", 1.0, None], ["z", 2.0, 3.0]]
    styles = [[a, b, None], [a, c, b], [a, c, b]]
    style_of, numbered = _styles()
    xml, last_row, last_col = sheet_data(rows, styles, style_of, date1904=False)
    assert numbered == [(a, None), (b, "date"), (c, None), (b, None)]
    assert (last_row, last_col) == (3, 3)
    assert '<c r="C2" s="4"/>' in xml and '<c r="B1" s="2"><v>45293</v></c>' in xml


def test_short_long_and_missing_style_rows() -> None:
    bold = CellStyle(bold=True)
    style_of, _ = _styles()
    xml, _, _ = sheet_data([["a", "b"], ["c"], ["d", "e"]], [[bold], [bold, bold, bold], None],
                           style_of, date1904=False)
    assert xml == ('<row r="1"><c r="A1" s="1" t="inlineStr"><is><t>a</t></is></c>'
                   '<c r="B1" t="inlineStr"><is><t>b</t></is></c></row>'
                   '<row r="2"><c r="A2" s="1" t="inlineStr"><is><t>c</t></is></c></row>'
                   '<row r="3"><c r="A3" t="inlineStr"><is><t>d</t></is></c>'
                   '<c r="B3" t="inlineStr"><is><t>e</t></is></c></row>')
