"""Worksheet XML built with string joins: cells, columns and panes (A1 references are
:mod:`xlperf.core.a1`'s).

Cells are written the way that changes nothing else in the workbook and can never become a
formula: text as inline strings (``t="inlineStr"``, so ``sharedStrings.xml`` is untouched) with
Excel's ``_xHHHH_`` escaping for control characters; numbers as ``<v>``; booleans as ``t="b"``;
dates and times as serial numbers in the workbook's date system. No ``<f>`` is ever written, so
text beginning with ``=``, ``+``, ``-`` or ``@`` stays text.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import numbers
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from xlperf.core.a1 import MAX_COLUMNS, MAX_ROWS, column_letter, parse_cell
from xlperf.errors import InputError
from xlperf.layout import MAX_CELL_TEXT

MAX_TEXT = MAX_CELL_TEXT
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
TIME_FORMAT = "hh:mm:ss"

_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
# Characters XML 1.0 cannot hold (written with Excel's _xHHHH_ escape), \r (which XML parsers
# turn into \n), and literal "_xHHHH_" text (which Excel would decode: escaped as _x005F_).
_EXCEL_ESCAPE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\r]|_(?=x[0-9A-Fa-f]{4}_)")
_SPECIAL = re.compile("[&<>\x00-\x1f\ud800-\udfff\ufffe\uffff]|_x")
# Text that is written as it is (a fast path; anything else goes through text_xml): no character
# to escape, no "_" (which may start an _xHHHH_ escape), no leading or trailing whitespace
# (which would need xml:space; ``\s`` is str.isspace's whitespace).
_PLAIN_TEXT = re.compile("(?!\\s)[^&<>_\x00-\x1f\ud800-\udfff\ufffe\uffff]*(?<!\\s)")
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")
_CELL = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")  # a sheet name that reads as a cell
_EPOCH_1900 = dt.datetime(1899, 12, 30)
_EPOCH_1900_EARLY = dt.datetime(1899, 12, 31)  # Excel's serial 1 is 1900-01-01 (its fake 29 Feb)
_MARCH_1900 = dt.datetime(1900, 3, 1)
_EPOCH_1904 = dt.datetime(1904, 1, 1)

def _excel_escape(match: re.Match[str]) -> str:
    ch = match.group(0)
    return "_x005F_" if ch == "_" else f"_x{ord(ch):04X}_"


def text_xml(text: str, prefix: str = "") -> str:
    """``<is><t>..</t></is>`` for a string, escaped for XML and for Excel."""
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT]
    if _NOT_XML.search(text):
        text = _NOT_XML.sub("\ufffd", text)
    if _EXCEL_ESCAPE.search(text):
        text = _EXCEL_ESCAPE.sub(_excel_escape, text)
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    return f"<{prefix}is><{prefix}t{space}>{text.translate(_ESCAPE)}</{prefix}t></{prefix}is>"


def serial(value: dt.date | dt.datetime | dt.time, date1904: bool) -> float | None:
    """Excel's serial number for a date/time, or None if the date system cannot hold it."""
    if isinstance(value, dt.time):
        return (value.hour * 3600 + value.minute * 60 + value.second
                + value.microsecond / 1e6) / 86400
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    value = value.replace(tzinfo=None)
    if date1904:
        epoch = _EPOCH_1904
    else:
        epoch = _EPOCH_1900 if value >= _MARCH_1900 else _EPOCH_1900_EARLY
    if value < epoch + dt.timedelta(days=0 if date1904 else 1):
        return None
    delta = value - epoch
    return delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400


def number_text(value: float) -> str:
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def _is_missing(value: Any) -> bool:
    return value is None or type(value).__name__ in ("NAType", "NaTType")


StyleOf = Callable[[Any, Any], int]


def sheet_data(rows: Sequence[Sequence[Any]], styles: Sequence[Sequence[Any]] | None,
               style_of: StyleOf, *, date1904: bool, prefix: str = "",
               heights: Mapping[int, float] | None = None) -> tuple[str, int, int]:
    """The rows of ``<sheetData>`` for a 2-D block starting at A1.

    ``style_of(style, kind)`` returns the ``s`` index for a cell's style, where kind is
    ``"date"``, ``"datetime"`` or ``"time"`` for date cells (which need a date format) and None
    otherwise. ``heights``: points per 1-based row (written as a custom height; such a row
    is written even when empty). Returns (xml, last row used, last column used).
    """
    if len(rows) > MAX_ROWS:
        raise InputError(f"{len(rows)} rows do not fit on a worksheet ({MAX_ROWS} at most)")
    p = prefix
    out: list[str] = []
    last_row = last_col = 0
    # The ``s`` attributes of a row of styles, keyed by the ids of its styles: output sheets
    # repeat a few style rows many times, so most rows cost one lookup instead of one per cell
    # (the grid keeps its styles alive, so their ids are not reused during the call). A style
    # not seen before is looked up at its cell (None in the row's list), so ``style_of`` is
    # called in cell order, as the workbook's new formats are numbered in that order.
    row_attrs: dict[tuple[int, ...], list[str | None]] = {}
    attr_of: dict[int, str] = {id(None): ""}
    # The fixed text around each kind of cell, built once, so that most cells are one f-string.
    text_open, text_close = f' t="inlineStr"><{p}is><{p}t>', f"</{p}t></{p}is></{p}c>"
    v_open, v_close = f"><{p}v>", f"</{p}v></{p}c>"
    row_close = f"</{p}row>"
    plain_text = _PLAIN_TEXT.fullmatch
    # What follows the style attribute of a text or number cell, per value: sheets repeat
    # values (statuses, owners, periods, figures), and a lookup is cheaper than escaping or
    # formatting again. Floats only in their own dict (1.0 == 1 == True as keys).
    text_tails: dict[str, str] = {}
    number_tails: dict[float, str] = {}
    isfinite = math.isfinite
    get_attr = attr_of.get
    for r, row in enumerate(rows, 1):
        n = len(row)
        if n > MAX_COLUMNS:
            raise InputError(f"row {r} has {n} cells; a worksheet has {MAX_COLUMNS} columns")
        style_row = styles[r - 1] if styles is not None and r - 1 < len(styles) else None
        if style_row is None:
            style_row = ()
        elif len(style_row) > n:
            style_row = style_row[:n]
        key = tuple(map(id, style_row))
        attrs = row_attrs.get(key)
        if attrs is None:
            attrs = [get_attr(k) for k in key]
            if None not in attrs:
                row_attrs[key] = attrs
        if len(attrs) < n:  # a short style row: the cells after it are unstyled
            attrs = [*attrs, *([""] * (n - len(attrs)))]
        opens = _cell_opens(p, n)
        at = f'{r}"'
        cells: list[str] = []
        row_last = 0
        for c, value, s in zip(range(1, n + 1), row, attrs, strict=True):
            kind = type(value)
            if s is None and kind in _PLAIN_KINDS:
                s = _style_attr(style_row[c - 1], style_of, attr_of)
            if kind is str:
                if value:
                    tail = text_tails.get(value)
                    if tail is None:
                        if len(value) <= MAX_TEXT and plain_text(value):
                            tail = f"{text_open}{value}{text_close}"
                        else:
                            tail = f' t="inlineStr">{text_xml(value, p)}</{p}c>'
                        text_tails[value] = tail
                    cells.append(f"{opens[c]}{at}{s}{tail}")
                elif not s:
                    continue
                else:
                    cells.append(f"{opens[c]}{at}{s}/>")
            elif kind is float:
                tail = number_tails.get(value)
                if tail is not None:
                    cells.append(f"{opens[c]}{at}{s}{tail}")
                elif isfinite(value):
                    tail = f"{v_open}{repr(value).removesuffix('.0')}{v_close}"
                    if value:  # not 0.0 or -0.0, which are equal keys but written differently
                        number_tails[value] = tail
                    cells.append(f"{opens[c]}{at}{s}{tail}")
                elif not s:
                    continue
                else:
                    cells.append(f"{opens[c]}{at}{s}/>")
            elif kind is int:
                cells.append(f"{opens[c]}{at}{s}{v_open}{value}{v_close}")
            elif value is None:
                if not s:
                    continue
                cells.append(f"{opens[c]}{at}{s}/>")
            else:
                style = style_row[c - 1] if c <= len(style_row) else None
                body, t, new_style = _other(value, style, style_of, date1904, p)
                if new_style is not style:  # a date: its style gained a date format
                    s = _style_attr(new_style, style_of, attr_of)
                elif s is None:
                    s = _style_attr(style, style_of, attr_of)
                if body is not None:
                    cells.append(f"{opens[c]}{at}{s}{t}>{body}</{p}c>")
                elif s:
                    cells.append(f"{opens[c]}{at}{s}/>")
                else:
                    continue
            row_last = c
        height = heights.get(r) if heights else None
        if height is not None:
            if not 0 <= height <= 409:
                raise InputError(f"row {r}'s height {height} is outside Excel's 0-409 points")
            out.append(f'<{p}row r="{r}" ht="{number_text(height)}" customHeight="1">'
                       f'{"".join(cells)}{row_close}')
            last_row = r
            if row_last > last_col:
                last_col = row_last
        elif cells:
            out.append(f'<{p}row r="{r}">{"".join(cells)}{row_close}')
            last_row = r
            if row_last > last_col:
                last_col = row_last
    return "".join(out), last_row, last_col


_PLAIN_KINDS = frozenset((str, float, int, type(None)))


_OPENS: dict[str, list[str]] = {}


def _cell_opens(prefix: str, n: int) -> list[str]:
    """``<c r="A``, ``<c r="B``... (index = column number) for at least ``n`` columns."""
    opens = _OPENS.setdefault(prefix, [""])
    if len(opens) <= n:
        opens.extend(f'<{prefix}c r="{column_letter(c)}' for c in range(len(opens), n + 1))
    return opens


def _style_attr(style: Any, style_of: StyleOf, cache: dict[int, str]) -> str:
    """The ``s`` attribute of a cell's style ('' for None and the default style 0)."""
    if style is None:
        return ""
    if isinstance(style, int):  # not cached: an index made for a date may not outlive its cell
        return f' s="{style}"' if style else ""
    attr = cache.get(id(style))
    if attr is None:
        index = style_of(style, None)
        attr = cache[id(style)] = f' s="{index}"' if index else ""
    return attr


def _other(value: Any, style: Any, style_of: StyleOf, date1904: bool,
           p: str) -> tuple[str | None, str, Any]:
    """Body, type attribute and style for a value that is not a plain str, float, int or None."""
    if _is_missing(value):
        return None, "", style
    if isinstance(value, str):
        return (text_xml(value, p), ' t="inlineStr"', style) if value else (None, "", style)
    if isinstance(value, bool) or type(value).__name__ in ("bool_", "bool"):
        return f"<{p}v>{int(bool(value))}</{p}v>", ' t="b"', style
    if isinstance(value, numbers.Integral):
        return f"<{p}v>{int(value)}</{p}v>", "", style
    if isinstance(value, numbers.Real | decimal.Decimal):
        number = float(value)
        return (f"<{p}v>{number_text(number)}</{p}v>" if math.isfinite(number) else None), "", style
    if isinstance(value, dt.datetime | dt.date | dt.time):
        when = serial(value, date1904)
        if when is None:
            return text_xml(value.isoformat(), p), ' t="inlineStr"', style
        kind = ("datetime" if isinstance(value, dt.datetime) else
                "time" if isinstance(value, dt.time) else "date")
        return f"<{p}v>{number_text(when)}</{p}v>", "", style_of(style, kind)
    text = str(value)
    return (text_xml(text, p), ' t="inlineStr"', style) if text else (None, "", style)


HIDDEN_WIDTH = 9.140625  # Excel's default column width, kept on hidden columns


def cols_xml(widths: Sequence[float | None], prefix: str = "",
             hidden: Sequence[int] = (), outline: Sequence[int] = ()) -> str:
    """``<cols>`` for widths of columns A, B, ... (None: leave that column at the default);
    columns in ``hidden`` (1-based) are hidden; columns in ``outline`` are grouped (outline
    level 1) and collapsed, the column before the group carrying the collapsed mark."""
    grouped = set(outline)
    marks = {min(grouped) - 1} if grouped and min(grouped) > 1 else set()
    hide = set(hidden) | grouped
    sized: dict[int, float] = {}
    for c, width in enumerate(widths, 1):
        if width is None:
            continue
        width = float(width)
        if not (0 <= width <= 255):
            raise InputError(f"column width {width} is outside Excel's 0-255")
        sized[c] = width
    items = []
    for c in sorted(set(sized) | hide | marks):
        if not 1 <= c <= MAX_COLUMNS:
            raise InputError(f"column {c} is outside the sheet")
        width = sized.get(c, HIDDEN_WIDTH)
        flag = ' hidden="1"' if c in hide else ""
        if c in grouped:
            flag += ' outlineLevel="1"'
        if c in marks:
            flag += ' collapsed="1"'
        items.append(f'<{prefix}col min="{c}" max="{c}" width="{number_text(width)}"{flag} '
                     'customWidth="1"/>')
    return f"<{prefix}cols>{''.join(items)}</{prefix}cols>" if items else ""


# Sparklines: the x14 extension of a worksheet (Excel 2010 and later; LibreOffice reads them).
SPARKLINE_EXT_URI = "{05C60535-1F16-4fd2-B633-F4F36F0B64E0}"
NS_X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
NS_XM = "http://schemas.microsoft.com/office/excel/2006/main"
_PLAIN_SHEET = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")


def sheet_ref(sheet: str, ref: str) -> str:
    """A reference to ``ref`` on ``sheet`` as a formula writes it (quoted when needed).

    >>> sheet_ref("Scorecard", "R5:W5"), sheet_ref("Q2 data", "A1"), sheet_ref("R1C1", "A1")
    ('Scorecard!R5:W5', "'Q2 data'!A1", "'R1C1'!A1")
    """
    plain = _PLAIN_SHEET.fullmatch(sheet) and not _CELL.fullmatch(sheet) and not re.fullmatch(
        r"[Rr]\d*[Cc]\d*", sheet)
    name = sheet if plain else "'" + sheet.replace("'", "''") + "'"
    return f"{name}!{ref}"


def sparkline_group_xml(group: Any, sheet: str) -> str:
    """One ``<x14:sparklineGroup>`` (namespaces declared on it, so it can be moved as is)."""
    def argb(colour: str) -> str:
        return "FF" + colour.lstrip("#").upper()

    attributes = []
    if group.kind != "line":
        attributes.append(f'type="{group.kind}"')
    attributes.append(f'lineWeight="{number_text(group.line_weight)}"')
    attributes.append('displayEmptyCellsAs="gap"')
    if group.markers:
        attributes.append('markers="1"')
    if group.last:
        attributes.append('last="1"')
    attributes.append('displayHidden="1"')  # the data sit in hidden columns
    series, marker = argb(group.color), argb(group.marker_color)
    colours = (f'<x14:colorSeries rgb="{series}"/><x14:colorNegative rgb="{marker}"/>'
               '<x14:colorAxis rgb="FF000000"/>'
               f'<x14:colorMarkers rgb="{series}"/><x14:colorFirst rgb="{series}"/>'
               f'<x14:colorLast rgb="{marker}"/><x14:colorHigh rgb="{series}"/>'
               f'<x14:colorLow rgb="{series}"/>')
    on_sheet = sheet_ref(sheet, "").translate(_ESCAPE)  # "Scorecard!", once per group
    lines = "".join(
        f"<x14:sparkline><xm:f>{on_sheet}{s.data.translate(_ESCAPE)}</xm:f>"
        f"<xm:sqref>{s.location}</xm:sqref></x14:sparkline>" for s in group.sparklines)
    return (f'<x14:sparklineGroup xmlns:x14="{NS_X14}" xmlns:xm="{NS_XM}" '
            f'{" ".join(attributes)}>{colours}<x14:sparklines>{lines}</x14:sparklines>'
            "</x14:sparklineGroup>")


def sparkline_ext_xml(groups: Sequence[Any], sheet: str, prefix: str = "") -> str:
    """The worksheet ``<ext>`` holding ``groups`` (empty when there are none)."""
    if not groups:
        return ""
    body = "".join(sparkline_group_xml(g, sheet) for g in groups)
    return (f'<{prefix}ext uri="{SPARKLINE_EXT_URI}" xmlns:x14="{NS_X14}">'
            f'<x14:sparklineGroups xmlns:xm="{NS_XM}">{body}</x14:sparklineGroups>'
            f"</{prefix}ext>")


def pane_xml(freeze: str, prefix: str = "") -> str:
    """``<pane>`` and ``<selection>`` elements freezing rows above and columns left of a cell."""
    row, col = parse_cell(freeze)
    ref = f"{column_letter(col)}{row}"
    x, y = col - 1, row - 1
    p = prefix
    if x == 0 and y == 0:
        return ""
    if x and y:
        active = "bottomRight"
        selections = (f'<{p}selection pane="topRight" activeCell="{column_letter(col)}1" '
                      f'sqref="{column_letter(col)}1"/>'
                      f'<{p}selection pane="bottomLeft" activeCell="A{row}" sqref="A{row}"/>'
                      f'<{p}selection pane="bottomRight" activeCell="{ref}" sqref="{ref}"/>')
    elif y:
        active = "bottomLeft"
        selections = f'<{p}selection pane="bottomLeft" activeCell="{ref}" sqref="{ref}"/>'
    else:
        active = "topRight"
        selections = f'<{p}selection pane="topRight" activeCell="{ref}" sqref="{ref}"/>'
    split = (f' xSplit="{x}"' if x else "") + (f' ySplit="{y}"' if y else "")
    return (f'<{p}pane{split} topLeftCell="{ref}" activePane="{active}" state="frozen"/>'
            + selections)
