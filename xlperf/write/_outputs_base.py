"""What every output sheet (:mod:`xlperf.write.outputs`) shares: its styles and colours (WCAG
contrast), number formats by unit, rows 1-4 (title, note, summary, headers), widths and heights
from the content, and the print setup.

>>> unit_format("%", [68.04]), contrast_text("#1D70B8")
('#,##0.0"%"', '#FFFFFF')
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from xlperf.core.figures import (
    difference_affixes,
    figure_decimals,
    finite_number,
    unit_affixes,
)
from xlperf.layout import OUTPUT_HEADER_ROW, OUTPUT_SHEETS, OutputSheet
from xlperf.write._print import LINE_HEIGHT as LINE_HEIGHT
from xlperf.write._print import MAX_LINES as MAX_LINES
from xlperf.write._print import bold_lines, row_height, wrapped_lines
from xlperf.write.lossless import SheetContent
from xlperf.write.styles import CellStyle

TREND_COLUMNS = 6
SPEC: dict[str, OutputSheet] = {s.name: s for s in OUTPUT_SHEETS}

TITLE = CellStyle(bold=True)
NOTE = CellStyle(italic=True, color="#505A5F")
HEADER = CellStyle(bold=True, color="#FFFFFF", fill="#1D70B8", vertical="center", wrap=True)
PRIORITY = CellStyle(bold=True, fill="#DEE0E2", vertical="center")
OBJECTIVE = CellStyle(bold=True, italic=True, fill="#F3F2F1", vertical="center")
# A row with wrapped text is given its height (sized_rows: xlperf.write._print.row_height).
WRAP = CellStyle(vertical="top", wrap=True)
TOP = CellStyle(vertical="top")
NUMBER = CellStyle(number_format="#,##0.0##", vertical="top")
MISSING = CellStyle(italic=True, color="#505A5F", vertical="top")
VARIANCE = CellStyle(number_format='+#,##0.0##;-#,##0.0##;0', vertical="top")
# Left-aligned text just after a right-aligned figure (the Scorecard's Period after its Annual
# target, the Exceptions sheet's Direction after its Variance): one character in, so the
# printed figure never runs into it ("730Q2 2013/14").
AFTER_FIGURE = CellStyle(vertical="top", indent=1)
# A variance as a % of its target: a relative change, said in % (a difference of percentages
# is in points: unit_format(..., difference=True)).
VARIANCE_PCT = CellStyle(number_format='+#,##0.0"%";-#,##0.0"%";#,##0.0"%"',
                         vertical="top")
MONEY = CellStyle(number_format="#,##0", vertical="top")
MONEY_VARIANCE = CellStyle(number_format="+#,##0;-#,##0;0", vertical="top")
PERCENT_PLAIN = CellStyle(number_format='0.0"%"', vertical="top")
TREND_DATA = CellStyle(number_format="General", color="#505A5F")
FLAG = CellStyle(bold=True, color="#A35200", vertical="top")
BOLD = CellStyle(bold=True, vertical="top")
OK = CellStyle(bold=True, color="#00703C")
PROBLEM = CellStyle(bold=True, color="#D4351C")

JUDGEMENT_FILL = {"On Track": "#00703C", "At Risk": "#F47738", "Off Track": "#D4351C"}
_STATUS_STYLES: dict[tuple[str, bool], CellStyle] = {}
_HEX_COLOUR = re.compile(r"#?[0-9A-Fa-f]{6}")


def luminance(colour: str) -> float:
    """WCAG relative luminance of ``#RRGGBB`` (0 black to 1 white)."""
    text = colour.lstrip("#")
    channels = [int(text[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio of two colours (1 to 21; 3 is the least for things not text).

    >>> round(contrast_ratio("#FFFFFF", "#000000"), 1)
    21.0
    >>> round(contrast_ratio("#FFEB9C", "#FFF7BF"), 1)  # the old query fill on the input yellow
    1.1
    """
    a, b = sorted((luminance(first), luminance(second)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def contrast_text(fill: str) -> str:
    """``#000000`` or ``#FFFFFF``: the text colour with the higher WCAG contrast on ``fill``.

    >>> contrast_text("#00703C"), contrast_text("#FFDD00")
    ('#FFFFFF', '#000000')
    """
    light = luminance(fill)
    on_black = (light + 0.05) / 0.05
    on_white = 1.05 / (light + 0.05)
    return "#000000" if on_black >= on_white else "#FFFFFF"


def status_style(colour: Any, bold: bool = True) -> CellStyle:
    """The fill of a status cell: the scheme's colour with contrasting text (cached)."""
    fill = colour if isinstance(colour, str) and _HEX_COLOUR.fullmatch(colour) else None
    key = (fill or "", bold)
    style = _STATUS_STYLES.get(key)
    if style is None:
        style = (CellStyle(bold=bold, fill=fill, color=contrast_text(fill), vertical="top",
                           wrap=True)
                 if fill else CellStyle(bold=bold, vertical="top", wrap=True))
        _STATUS_STYLES[key] = style
    return style


def _missing(value: Any) -> bool:
    if value is None:
        return True
    kind = type(value)
    if kind is str or kind is int:
        return False
    if isinstance(value, float):
        return math.isnan(value)
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


_number = finite_number  # the one rule for a printable figure (xlperf.core.figures)


def _text(value: Any) -> str:
    if type(value) is str:  # the usual case, without the general checks
        return value.strip()
    return "" if _missing(value) else str(value).strip()


def _head(spec: OutputSheet, title: str, summary: str, headers: Sequence[str] | None = None
          ) -> tuple[list[list[Any]], list[list[CellStyle | None]]]:
    """Rows 1-4 of an output sheet: title, note, summary, headers."""
    from xlperf.layout import OUTPUT_NOTE

    names = list(headers if headers is not None else spec.headers)
    rows: list[list[Any]] = [[title], [f"{spec.purpose} {OUTPUT_NOTE}"], [summary], names]
    styles: list[list[CellStyle | None]] = [[TITLE], [NOTE], [None], [HEADER] * len(names)]
    assert len(rows) == OUTPUT_HEADER_ROW
    return rows, styles


@dataclass(frozen=True)
class PrintOptions:
    """What every output sheet prints in its header and footer: the council, the period, the
    time of the refresh, the paper (``"A4"`` or ``"A3"``) and a protective marking
    (``"OFFICIAL"``, or "" for none)."""

    council: str = ""
    period: str = ""
    refreshed: str = ""
    paper: str = "A4"
    marking: str = ""


def _text_width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, float):
        return len(f"{value:,.1f}") + 1
    return max((len(line) for line in str(value).splitlines()), default=0)


def sized_columns(rows: Sequence[Sequence[Any]], caps: Sequence[float], *,
                  first: int = OUTPUT_HEADER_ROW, minimum: float = 6) -> list[float]:
    """Column widths from the content of ``rows`` from row ``first`` (1-based, the header
    row) down: the longest value, never narrower than the header's longest word (headers
    wrap) nor wider than the column's cap in ``caps``.

    >>> sized_columns([["Code", "Measure"], ["PI 1", "A rather long measure name"]], [14, 20],
    ...               first=1)
    [6.0, 20.0]
    """
    widths: list[float] = []
    body = rows[first:]
    header = rows[first - 1] if len(rows) >= first else []
    for c, cap in enumerate(caps):
        words = str(header[c]).split() if c < len(header) and header[c] else [""]
        least = max(minimum, max(len(w) for w in words) + 2)
        longest = max((_text_width(r[c]) for r in body if c < len(r)), default=0) + 2
        widths.append(float(max(least, min(cap, longest))))
    return widths


def sized_rows(rows: Sequence[Sequence[Any]], styles: Sequence[Sequence[CellStyle | None]],
               widths: Sequence[float], *, first: int = OUTPUT_HEADER_ROW) -> dict[int, float]:
    """Heights (points) of the rows from ``first`` down whose wrapped cells need more than
    one line: lines = the text's length over the column's width, at most :data:`MAX_LINES`."""
    heights: dict[int, float] = {}
    for r in range(first - 1, len(rows)):
        lines = 1
        for c, value in enumerate(rows[r]):
            style = styles[r][c] if r < len(styles) and c < len(styles[r]) else None
            if style is None or not style.wrap or not value or c >= len(widths):
                continue
            lines = max(lines, (bold_lines if style.bold else wrapped_lines)(str(value),
                                                                             widths[c]))
        if lines > 1:
            heights[r + 1] = row_height(lines)
    return heights


def _header_footer(title: str, options: PrintOptions) -> tuple[str, str]:
    from xlperf.write._print import HEADER_NAME
    from xlperf.write._print import header_text as h

    # Each part shortened to fit: Excel refuses a header or footer over 255 characters.
    marking = h(options.marking, HEADER_NAME // 2)
    left = f'&L&"-,Bold"{h(options.council, HEADER_NAME)}' if options.council else ""
    centre = f'&C&"-,Bold"{marking}' if marking else ""
    right = f"&R{h(title, HEADER_NAME)}"
    stamp = (f"&LRefreshed {h(options.refreshed, HEADER_NAME // 2)} by xlperf"
             if options.refreshed else "")
    footer = f"{stamp}&CPage &P of &N" + (f'&R&"-,Bold"{marking}' if marking else "")
    return left + centre + right, footer


def _content(spec: OutputSheet, rows: list[list[Any]], styles: list[list[CellStyle | None]],
             *, widths: Sequence[float] | None = None, freeze: str | None = None,
             keep_with_next: Sequence[int] = (), printed: Sequence[int] | None = None,
             options: PrintOptions | None = None, title_columns: int = 1,
             **kwargs: Any) -> SheetContent:
    """A sheet's content with widths from its content, row heights for wrapped text and its
    print setup. ``printed``: the 0-based columns that print (the others are hidden);
    ``title_columns``: the leading columns each page repeats when the sheet prints more than
    one page wide (what a row is about, so a second page is not a grid of bare numbers: the
    first column, a code or a name, on every sheet)."""
    from xlperf.write._print import PrintSetup, plan_print

    sized = list(widths) if widths is not None else sized_columns(rows, spec.widths)
    heights = sized_rows(rows, styles, sized)
    heights.setdefault(OUTPUT_HEADER_ROW, LINE_HEIGHT * max(
        1, *(math.ceil(len(str(h)) / max(1.0, sized[c] - 1)) for c, h in
             enumerate(rows[OUTPUT_HEADER_ROW - 1]) if h and c < len(sized))))
    options = options or PrintOptions()
    columns = printed if printed is not None else range(len(sized))
    all_heights = [heights.get(r, LINE_HEIGHT) for r in range(1, len(rows) + 1)]
    pages, breaks, _scale = plan_print(
        [sized[c] for c in columns], all_heights, paper=options.paper,
        title_height=heights[OUTPUT_HEADER_ROW], keep_with_next=keep_with_next,
        title_columns=title_columns)
    header, footer = _header_footer(spec.name + (f" {options.period}" if options.period
                                                 else ""), options)
    setup = PrintSetup(paper=options.paper, fit_width=pages, header=header, footer=footer,
                       title_rows=(OUTPUT_HEADER_ROW, OUTPUT_HEADER_ROW), row_breaks=breaks,
                       title_columns=title_columns if pages > 1 else 0)
    return SheetContent(rows=rows, styles=styles, widths=sized,
                        freeze=freeze or f"A{OUTPUT_HEADER_ROW + 1}", row_heights=heights,
                        print_setup=setup, **kwargs)


def _records(frame: pd.DataFrame, keys: Collection[str]) -> list[dict[str, Any]]:
    """``frame.to_dict("records")`` limited to the columns a sheet reads (missing keys are
    read as None with ``row.get`` either way).

    Built from one list per column: ``tolist`` for numeric, boolean and default string
    columns, whose values it gives as ``to_dict`` does, several times faster; pandas'
    ``to_dict("list")`` (the same boxing as "records") for the rest.
    """
    columns = [c for c in frame.columns if c in keys]
    if not columns or not frame.columns.is_unique:
        return frame[columns].to_dict("records")
    boxed = [c for c in columns if not _tolist_safe(frame[c].dtype)]
    values: dict[str, list[Any]] = frame[boxed].to_dict("list") if boxed else {}
    lists = [values[c] if c in values else frame[c].tolist() for c in columns]
    return [dict(zip(columns, row, strict=True)) for row in zip(*lists, strict=True)]


def _tolist_safe(dtype: Any) -> bool:
    """Whether ``Series.tolist`` gives a column's values as ``to_dict("records")`` does."""
    if isinstance(dtype, np.dtype):
        return dtype.kind in "biuf"  # plain Python bool, int and float either way
    # pandas' default text dtype: str, and NaN for a gap, either way ("string", whose gap is
    # NA, is boxed to None by to_dict, so it is left to to_dict)
    return (isinstance(dtype, pd.StringDtype) and dtype.storage == "python"
            and dtype.na_value is np.nan)


def unit_format(unit: str, values: Sequence[float | None] = (), *,
                decimals: int | None = None, difference: bool = False) -> str:
    """The number format of a measure's figures by its unit, to the places
    :func:`xlperf.core.figures.figure_decimals` decides from ``values`` (or ``decimals``):
    whole numbers for counts (one decimal when a figure has one), ``0.0%`` for percentages
    held as percentages, ``£#,##0`` for money (``£#,##0k`` for £000s), two decimals for a
    ratio; what comes before and after the digits is
    :func:`xlperf.core.figures.unit_affixes`' (the unit after a rate, days or weeks), or for a
    ``difference`` (a variance) :func:`~xlperf.core.figures.difference_affixes`' (percentage
    points); the pack says its figures with the same decisions
    (:func:`~xlperf.core.figures.say_figure`).

    >>> unit_format("number", [395.0, 330.0]), unit_format("%", [68.04])
    ('#,##0', '#,##0.0"%"')
    >>> unit_format("rate per 10,000", [267.8]), unit_format("£000s", [1200.0])
    ('#,##0.0" per 10k"', '£#,##0"k"')
    >>> unit_format("%", [68.04], difference=True)
    '#,##0.0" pts"'
    """
    prefix, suffix = (difference_affixes if difference else unit_affixes)(unit)
    places = figure_decimals(unit, values) if decimals is None else decimals
    base = "#,##0" + ("." + "0" * places if places else "")
    return f'{prefix}{base}"{suffix}"' if suffix else f"{prefix}{base}"


_FORMAT_STYLES: dict[str, CellStyle] = {}
_LITERAL = re.compile(r'"([^"]*)"')


def shown_width(value: float | None, fmt: str) -> int:
    """About how many characters ``value`` shows in format ``fmt`` (for a column's width).

    >>> shown_width(267.8, '#,##0.0" per 10k"'), shown_width(1200.0, "£#,##0")
    (13, 6)
    """
    if value is None:
        return 0
    first = fmt.split(";")[0]
    literals = "".join(_LITERAL.findall(first))
    digits = _LITERAL.sub("", first)
    decimals = len(digits.split(".", 1)[1].rstrip("#")) if "." in digits else 0
    number = f"{abs(value):,.{decimals}f}"
    return len(number) + len(literals) + digits.count("£") + (1 if value < 0 or "+" in first
                                                                else 0)


def _number_style(fmt: str) -> CellStyle:
    style = _FORMAT_STYLES.get(fmt)
    if style is None:
        style = _FORMAT_STYLES[fmt] = CellStyle(number_format=fmt, vertical="top")
    return style


def _variance_format(fmt: str) -> str:
    """A variance's format: the figure's, signed (``+1.1``, ``-2.2``)."""
    body = fmt
    return f"+{body};-{body};{body}"
