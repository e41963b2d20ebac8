"""The refresh's ``Workbook`` over an open xlwings book: Excel writes the values, so Excel keeps
everything else in the workbook.

:class:`XlwingsWorkbook` is the Excel twin of the headless zip workbook: the same
:func:`xlperf.refresh.refresh` runs over either. It works with any xlwings engine: the desktop
add-in (``RunPython`` and ``xw.Book.caller()``, Windows/macOS), xlwings Lite and the remote
engine of the add-in server (``xw.Book(json=payload)``, whose writes come back as actions).
Nothing here imports xlwings: it only calls the book it is given.

Reading: :meth:`~XlwingsWorkbook.read_sheet` is one read of the sheet's values from A1 to the
last used cell (dates arrive as ``datetime``; an empty cell is ``None``), trimmed of empty
trailing rows and columns, the same grid python-calamine gives for the saved file.

Writing an output sheet (:meth:`~XlwingsWorkbook.write_sheets`), in this order:

1. the sheet is added after the last sheet if it is missing;
2. on an existing sheet, the values of its old used range are cleared and the cell formats
   xlperf sets (number format, fill, font colour, bold, italic, wrap, alignment) are reset
   over the old used range and the new block: the few properties it owns, each in one call.
   Nothing else is touched: conditional formats, data validation, borders, comments, column
   widths, panes, drawings and the rest of the workbook stay as the user left them (a blanket
   "clear formats" would also remove conditional formats, so it is not used);
3. the whole block in **one** ``range.value = rows`` call;
4. formats grouped into rectangles of equal value per property (a header row's fill is one
   call, a status column's runs of the same colour are one call each), never one call per cell;
5. column widths, frozen panes and the outline of the optional columns (grouped with
   xlwings' ``Range.group``, left expanded: no engine lets xlwings collapse it) only on a
   sheet xlperf adds (or with ``replace_layout``): an existing sheet keeps its own layout, as
   with the headless writer; ``hidden_columns`` are hidden on every write.

Not written through xlwings, and why that keeps the sheet right:

- Row heights (``SheetContent.row_heights``). The headless writer must give wrapped rows
  their height because no application re-measures a saved file's rows on opening; Excel
  grows a row whose height the user has not fixed as it writes wrapped text into it, so
  setting heights here would only freeze rows at a height that stops fitting next period.
- The print setup (``SheetContent.print_setup``: paper, orientation, fit, titles, header and
  footer). xlwings has no portable page-setup API beyond the print area. The output sheets of
  a master made by ``xlperf init`` carry the print setup the headless writer gave them, and
  this route never touches it, so it is kept across Excel refreshes; a sheet this route adds
  (one the user deleted) gets Excel's default page setup until the next headless refresh
  (``xlperf refresh``) gives it xlperf's.

Not written through xlwings: sparklines (``SheetContent.sparklines``). Neither xlwings nor
Office.js has an API for them, so the Scorecard's ``Trend`` column shows the trend as text
(``Trend values``) and the data in its hidden columns, and the headless refresh draws the
sparklines.

Text is never turned into a formula or a number. Excel parses a string written to a cell the
way it parses typing: ``=...`` becomes a formula, ``+1``/``-x``/``@x`` formulas or numbers,
``1,000`` a number, ``Sep-13`` a date, ``TRUE`` a boolean, and a leading apostrophe is eaten.
So a string that Excel could read as anything but itself (see :func:`needs_quote`) is written
with a leading apostrophe, Excel's own mark for "this is text": the cell then holds exactly
the string.

Errors of xlwings and of Excel are translated here into :class:`~xlperf.errors.WorkbookError`
naming the sheet, so no library traceback reaches a user.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import numbers
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xlperf.errors import InputError, WorkbookError, XlperfError
from xlperf.write.lossless import CellStyle, SheetContent, check_sheet_name

__all__ = ["XlwingsWorkbook", "excel_text", "needs_quote", "rectangles"]

#: Formats given to date cells that have none (the same as the headless writer).
DATE_FORMAT, DATETIME_FORMAT, TIME_FORMAT = "yyyy-mm-dd", "yyyy-mm-dd hh:mm", "hh:mm:ss"
#: Excel's limit on the text of one cell.
MAX_TEXT = 32_767
_BOOL_WORDS = {"true", "false"}
_ENGINES_IN_POINTS = {"remote", "officejs"}  # Office.js measures column widths in points
# xlperf's CellStyle field -> (the "no format" value it is reset to, how it is set on a range).
_RESET: dict[str, Any] = {
    "number_format": "General", "fill": None, "color": "#000000", "bold": False,
    "italic": False, "wrap": False, "horizontal": "general", "vertical": "bottom",
}


def needs_quote(text: str) -> bool:
    """True when Excel could read ``text`` typed into a cell as anything but that text.

    Deliberately generous: only text that starts with a letter, holds no digit and is not a
    boolean word is written bare. Everything else (``=SUM(A1)``, ``-5``, ``+44 1234``,
    ``@user``, ``'quoted``, ``1,000``, ``50%``, ``Sep-13``, ``1/2``, ``#N/A``, ``TRUE``,
    `` leading space``) gets Excel's apostrophe, which costs nothing when it was not needed.

    >>> [needs_quote(t) for t in ("Green", "Data only", "=1+1", "Sep-13", "TRUE", "-x")]
    [False, False, True, True, True, True]
    """
    if not text or not text[0].isalpha():
        return True
    if any(ch.isdigit() for ch in text):
        return True
    return text.strip().casefold() in _BOOL_WORDS


def excel_text(text: str) -> str:
    """``text`` as it must be written so the cell holds exactly ``text`` (see module doc).

    >>> excel_text("Green"), excel_text("=HYPERLINK(1)"), excel_text("'quoted")
    ('Green', "'=HYPERLINK(1)", "''quoted")
    """
    text = text[:MAX_TEXT]
    return "'" + text if needs_quote(text) else text


def _cell(value: Any) -> Any:
    """A value as xlwings writes it: text protected, numbers and dates as they are, blanks
    ``None`` (the headless writer's rules: NaN, pandas NA and ``""`` are empty cells)."""
    if value is None or type(value).__name__ in ("NAType", "NaTType"):
        return None
    if isinstance(value, str):
        return excel_text(value) if value else None
    if isinstance(value, bool) or type(value).__name__ in ("bool_", "bool"):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real | decimal.Decimal):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date | dt.time):
        return value
    text = str(value)
    return excel_text(text) if text else None


def _date_kind(value: Any) -> str | None:
    if isinstance(value, dt.datetime):
        return DATETIME_FORMAT
    if isinstance(value, dt.date):
        return DATE_FORMAT
    if isinstance(value, dt.time):
        return TIME_FORMAT
    return None


@dataclass(frozen=True)
class Rectangle:
    """A block of cells (0-based top-left, size) that all get the same ``value``."""

    row: int
    column: int
    rows: int
    columns: int
    value: Any


def rectangles(grid: Sequence[Sequence[Hashable | None]]) -> list[Rectangle]:
    """Cover the non-None cells of ``grid`` with rectangles of equal value.

    Each row is cut into runs of equal neighbours; a run continues the rectangle above it when
    that one spans exactly the same columns with the same value. So a whole header row is one
    rectangle, a column of equal number formats is one, and a status column's runs of the same
    colour are one each.

    >>> [(r.row, r.column, r.rows, r.columns, r.value) for r in rectangles(
    ...     [["b", "b", None], ["x", "x", "y"], ["x", "x", "y"]])]
    [(0, 0, 1, 2, 'b'), (1, 0, 2, 2, 'x'), (1, 2, 2, 1, 'y')]
    """
    done: list[Rectangle] = []
    growing: dict[tuple[int, int, Any], list[int]] = {}  # (col, width, value) -> [top, height]
    for r, row in enumerate(grid):
        runs: list[tuple[int, int, Any]] = []
        c = 0
        while c < len(row):
            value = row[c]
            start = c
            while c + 1 < len(row) and row[c + 1] == value and type(row[c + 1]) is type(value):
                c += 1
            if value is not None:
                runs.append((start, c - start + 1, value))
            c += 1
        nxt: dict[tuple[int, int, Any], list[int]] = {}
        for key in runs:
            box = growing.pop(key, None)
            if box is not None and box[0] + box[1] == r:
                box[1] += 1
                nxt[key] = box
            else:
                if box is not None:
                    done.append(Rectangle(box[0], key[0], box[1], key[1], key[2]))
                nxt[key] = [r, 1]
        for key, box in growing.items():
            done.append(Rectangle(box[0], key[0], box[1], key[1], key[2]))
        growing = nxt
    for key, box in growing.items():
        done.append(Rectangle(box[0], key[0], box[1], key[1], key[2]))
    done.sort(key=lambda b: (b.row, b.column))
    return done


def _trim(grid: list[list[Any]]) -> list[list[Any]]:
    """Drop empty trailing rows and columns (calamine's grid of the same sheet ends there)."""
    while grid and all(v is None for v in grid[-1]):
        grid.pop()
    width = max((i + 1 for row in grid for i, v in enumerate(row) if v is not None), default=0)
    return [row[:width] + [None] * (width - len(row)) for row in grid]


class XlwingsWorkbook:
    """An open xlwings book as the refresh's ``Workbook``: read sheets, write output sheets.

    ``book`` is an ``xw.Book`` from any engine (``xw.Book.caller()`` under ``RunPython``, the
    book of a Lite script, or ``xw.Book(json=payload)`` on the add-in server). With the remote
    engine, writes are queued and leave as ``book.json()["actions"]``; reads do not see them.
    """

    def __init__(self, book: Any) -> None:
        self.book = book
        self._unsupported: set[str] = set()

    def __repr__(self) -> str:
        return f"XlwingsWorkbook({self.name!r})"

    # -- the Workbook interface ------------------------------------------------------------

    @property
    def name(self) -> str:
        return str(self.book.name)

    @property
    def path(self) -> Path | None:
        """The saved file behind the book (desktop Excel), else None (a new book, Lite, the
        server's payload)."""
        if self._engine() in ("remote", "officejs", "calamine"):
            return None
        try:
            full = Path(str(self.book.fullname))
        except Exception:  # noqa: BLE001 - an unsaved book or a URL (OneDrive) has no path
            return None
        return full if full.is_absolute() and full.exists() else None

    def sheet_names(self) -> list[str]:
        with self._translated():
            return [str(sheet.name) for sheet in self.book.sheets]

    def read_sheet(self, name: str) -> list[list[Any]]:
        """The values of sheet ``name`` (matched ignoring case) from A1 to its last used cell.

        Dates are ``datetime``; empty cells ``None``; Excel errors their text (``#N/A``).
        """
        with self._translated(name):
            sheet = self._sheet(name)
            if sheet is None:
                raise WorkbookError(f"{self.name}: no sheet {name!r} (it has: "
                                    f"{', '.join(self.sheet_names())})", file=self.name,
                                    sheet=name)
            last = sheet.used_range.last_cell
            values = sheet.range((1, 1), (last.row, last.column)).options(
                ndim=2, err_to_str=True).value
            return _trim([[None if v == "" else v for v in row] for row in values or []])

    def write_sheets(self, sheets: Mapping[str, SheetContent]) -> None:
        """Write each output sheet: values in one call, formats grouped (see module doc)."""
        if not sheets:
            raise InputError("no sheets to write")
        for name, content in sheets.items():
            check_sheet_name(name)
            if not isinstance(content, SheetContent):
                raise InputError(f"sheet {name!r}: expected a SheetContent, not "
                                 f"{type(content).__name__}")
        for name, content in sheets.items():
            with self._translated(name):
                self._write_one(name, content)

    # -- writing ---------------------------------------------------------------------------

    def _write_one(self, name: str, content: SheetContent) -> None:
        rows = [list(row) for row in content.rows]
        height = len(rows)
        width = max((len(row) for row in rows), default=0)
        block = [[_cell(v) for v in row] + [None] * (width - len(row)) for row in rows]

        found = self._sheet(name)
        created = found is None
        sheet: Any = found
        if found is None:
            sheet = self.book.sheets.add(name, after=self.book.sheets[-1])
        else:
            used = sheet.used_range
            last = used.last_cell
            old_rows, old_cols = last.row, last.column
            if old_rows > 1 or old_cols > 1 or sheet.range((1, 1)).value is not None:
                sheet.range((1, 1), (old_rows, old_cols)).clear_contents()
            area = sheet.range((1, 1), (max(old_rows, height, 1), max(old_cols, width, 1)))
            self._reset(area)

        if height and width:
            sheet.range((1, 1), (height, width)).value = block
        for prop, boxes in self._format_rectangles(content, block).items():
            for box in boxes:
                target = sheet.range((box.row + 1, box.column + 1),
                                     (box.row + box.rows, box.column + box.columns))
                self._set(prop, target, box.value)
        if created or content.replace_layout:
            self._layout(sheet, content)
        hidden = sorted(set(content.hidden_columns))
        for box in rectangles([[True if c in hidden else None
                                for c in range(1, (hidden[-1] if hidden else 0) + 1)]]):
            sheet.range((1, box.column + 1), (1, box.column + box.columns)).columns.hidden = True

    def _format_rectangles(self, content: SheetContent,
                           block: list[list[Any]]) -> dict[str, list[Rectangle]]:
        """For each CellStyle property, the rectangles that need a value other than the reset
        one. Date cells without a number format get the headless writer's date formats. As in
        the headless writer, a style applies to the cells a row gives (a short row's styles
        beyond its last value are not used)."""
        styles = content.styles or []
        grids: dict[str, list[list[Any]]] = {prop: [] for prop in _RESET}
        for r, row in enumerate(block):
            style_row: Sequence[CellStyle | None] = styles[r] if r < len(styles) else ()
            for grid in grids.values():
                grid.append([None] * len(row))
            for c, value in enumerate(row[:len(content.rows[r])]):
                style = style_row[c] if c < len(style_row) else None
                date_format = _date_kind(value)
                if style is None and date_format is None:
                    continue
                style = style or CellStyle()
                for prop, reset in _RESET.items():
                    wanted = getattr(style, prop)
                    if prop == "number_format" and wanted is None:
                        wanted = date_format
                    if wanted is not None and wanted != reset:
                        grids[prop][r][c] = wanted
        return {prop: rectangles(grid) for prop, grid in grids.items()}

    def _reset(self, area: Any) -> None:
        for prop, value in _RESET.items():
            self._set(prop, area, value)

    def _set(self, prop: str, target: Any, value: Any) -> None:
        """Set one format property; alignment is skipped where the engine cannot set it
        (xlwings' remote engine with a VBA or Office Scripts client)."""
        if prop in self._unsupported:
            return
        try:
            _SETTERS[prop](target, value)
        except NotImplementedError:
            if prop not in ("horizontal", "vertical"):
                raise
            self._unsupported.add(prop)

    def _layout(self, sheet: Any, content: SheetContent) -> None:
        if content.widths:
            points = self._engine() in _ENGINES_IN_POINTS
            widths = [[None if w is None else float(w) for w in content.widths]]
            for box in rectangles(widths):
                width = _points(box.value) if points else box.value
                sheet.range((1, box.column + 1), (1, box.column + box.columns)).column_width = (
                    width)
        if content.freeze:
            _freeze(sheet, content.freeze)
        outline = sorted(set(content.outline_columns))
        for box in rectangles([[True if c in outline else None
                                for c in range(1, (outline[-1] if outline else 0) + 1)]]):
            try:
                sheet.range((1, box.column + 1), (1, box.column + box.columns)).group(
                    by="columns")
            except NotImplementedError:  # the desktop engines do not implement it
                break

    # -- helpers ---------------------------------------------------------------------------

    def _engine(self) -> str:
        try:
            return str(self.book.app.engine.name)
        except Exception:  # noqa: BLE001 - a stand-in book without an app
            return ""

    def _sheet(self, name: str) -> Any | None:
        key = name.casefold()
        for sheet in self.book.sheets:
            if str(sheet.name).casefold() == key:
                return sheet
        return None

    def _translated(self, sheet: str | None = None) -> _Translate:
        return _Translate(self.name, sheet)


class _Translate:
    """Turn an xlwings/Excel error into a WorkbookError naming the book and sheet."""

    def __init__(self, book: str, sheet: str | None) -> None:
        self.book, self.sheet = book, sheet

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: Any) -> None:
        if error is None or isinstance(error, XlperfError) or not isinstance(error, Exception):
            return  # nothing to translate: the error, if any, goes on as it is
        where = f"{self.book}, sheet {self.sheet!r}" if self.sheet else self.book
        raise WorkbookError(f"{where}: Excel refused the change ({error})", file=self.book,
                            sheet=self.sheet) from error


def _points(characters: float) -> float:
    """A column width in characters (Calibri 11: 7 pixels each) as points (Office.js' unit)."""
    return round(characters * 7) * 0.75


def _freeze(sheet: Any, cell: str) -> None:
    """Freeze the rows above and the columns left of ``cell`` (the scrolling area's top-left).

    xlwings' ``freeze_at`` takes the frozen cells (Office.js' ``freezeAt``): ``"A5"`` becomes
    ``"1:4"``. The desktop engines do not implement it; there the sheet keeps its panes.
    """
    from xlperf.core.a1 import column_letter, parse_cell

    row, column = parse_cell(cell)
    rows, cols = row - 1, column - 1
    if rows <= 0 and cols <= 0:
        return
    if cols <= 0:
        frozen = f"1:{rows}"
    elif rows <= 0:
        frozen = f"A:{column_letter(cols)}"
    else:
        frozen = f"A1:{column_letter(cols)}{rows}"
    try:
        sheet.freeze_panes.freeze_at(frozen)
    except NotImplementedError:
        pass


def _set_fill(target: Any, value: str | None) -> None:
    target.color = value


def _set_font(prop: str) -> Callable[[Any, Any], None]:
    def setter(target: Any, value: Any) -> None:
        setattr(target.font, prop, value)
    return setter


def _set_number_format(target: Any, value: str) -> None:
    target.number_format = value


def _set_wrap(target: Any, value: bool) -> None:
    target.wrap_text = value


def _set_horizontal(target: Any, value: str) -> None:
    # Excel's "centerContinuous" is xlwings' "center_across_selection".
    target.horizontal_alignment = ("center_across_selection" if value == "centerContinuous"
                                   else value)


def _set_vertical(target: Any, value: str) -> None:
    target.vertical_alignment = value


_SETTERS: dict[str, Callable[[Any, Any], None]] = {
    "number_format": _set_number_format, "fill": _set_fill, "color": _set_font("color"),
    "bold": _set_font("bold"), "italic": _set_font("italic"), "wrap": _set_wrap,
    "horizontal": _set_horizontal, "vertical": _set_vertical,
}
