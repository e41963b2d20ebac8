"""The workbook payload a task pane sends, checked before xlwings or xlperf sees it.

The payload is xlwings' remote-interpreter format (what ``xw.Book(json=...)`` reads): ``client``,
``version``, ``book`` (``name``, ``active_sheet_index``, ``selection``), ``names`` and
``sheets`` (each ``name``, ``values`` from A1, ``tables``, ``pictures``). xlperf's task pane
adds one optional key per sheet, ``number_formats`` (same shape as ``values``), so the
validator can tell that ``0.6804`` is shown as ``68.04%``.

Everything in it came over the network, so it is checked here, at one place: its shape, sizes
within Excel's own limits, and that nothing names a file or folder. The server never opens a
path a request names: the workbook is the one the request carries.
"""

from __future__ import annotations

import math
import re
from typing import Any

from xlperf.errors import InputError

__all__ = ["PayloadError", "check_payload", "sheet_grids"]

_TOP = {"client", "version", "book", "sheets", "names"}
_BOOK = {"name", "active_sheet_index", "selection"}
_SHEET = {"name", "values", "tables", "pictures", "number_formats", "visibility",
          "show_gridlines", "pivot_tables", "notes", "notes_supported", "shapes", "charts",
          "print_area"}
_NAME = {"name", "sheet_index", "address", "book_scope", "scope_sheet_name",
         "scope_sheet_index"}
MAX_SHEETS = 255
MAX_ROWS, MAX_COLUMNS = 1_048_576, 16_384
MAX_TEXT = 32_767  # Excel's limit for one cell
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_PATHISH = re.compile(r"[/\\]|^\.\.?$|^[A-Za-z]:|^~|\x00")


class PayloadError(InputError):
    """The request's workbook payload is not one xlperf can use (message says what to fix)."""


def _scalar(value: Any) -> bool:
    if value is None or isinstance(value, bool | int | str):
        return not isinstance(value, str) or len(value) <= MAX_TEXT
    return isinstance(value, float) and math.isfinite(value)


def _grid(value: Any, where: str, what: str) -> list[list[Any]]:
    if not isinstance(value, list) or not all(isinstance(row, list) for row in value):
        raise PayloadError(f"{where}: '{what}' must be a list of rows, each a list of cells")
    if len(value) > MAX_ROWS or any(len(row) > MAX_COLUMNS for row in value):
        raise PayloadError(f"{where}: '{what}' is bigger than an Excel sheet")
    for r, row in enumerate(value):
        for c, cell in enumerate(row):
            if not _scalar(cell):
                raise PayloadError(f"{where}: the cell in row {r + 1}, column {c + 1} of "
                                   f"'{what}' is not a number, text, TRUE/FALSE or empty")
    return value


def _file_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        raise PayloadError("the payload's book.name must be the workbook's name (at most 200 "
                           "characters)")
    if _PATHISH.search(name.strip()):
        raise PayloadError(f"the workbook name {name!r} looks like a path: the server only "
                           "works on the workbook a request sends, never on a file it names")
    return name


def _unknown(found: dict[str, Any], allowed: set[str], where: str) -> None:
    extra = sorted(set(found) - allowed)
    if extra:
        raise PayloadError(f"{where}: unknown field(s) {', '.join(map(repr, extra))}; a "
                           "workbook payload has only " + ", ".join(sorted(allowed)))


def check_payload(payload: Any) -> dict[str, Any]:
    """A checked copy of ``payload`` with xlwings' optional keys filled in.

    >>> checked = check_payload({"client": "Office.js", "version": "0.37.8",
    ...     "book": {"name": "Master.xlsx", "active_sheet_index": 0, "selection": "A1"},
    ...     "sheets": [{"name": "Measures", "values": [["Code"], ["NI 060"]]}]})
    >>> checked["sheets"][0]["tables"], checked["names"]
    ([], [])
    >>> check_payload({"book": {"name": "../master.xlsx"}, "sheets": []})
    Traceback (most recent call last):
    ...
    xlperf.server._payload.PayloadError: the workbook name '../master.xlsx' looks like a path: \
the server only works on the workbook a request sends, never on a file it names
    """
    if not isinstance(payload, dict):
        raise PayloadError("the request body must be a JSON object: the workbook payload")
    book = payload.get("book")
    if not isinstance(book, dict):
        raise PayloadError("the payload has no 'book' object (name, active_sheet_index, "
                           "selection): send the workbook from the xlperf task pane")
    name = _file_name(book.get("name"))
    _unknown(payload, _TOP, "the payload")
    _unknown(book, _BOOK, "book")
    sheets = payload.get("sheets")
    if not isinstance(sheets, list) or not sheets:
        raise PayloadError("the payload has no sheets")
    if len(sheets) > MAX_SHEETS:
        raise PayloadError(f"the payload has {len(sheets)} sheets; at most {MAX_SHEETS}")
    clean_sheets, seen = [], set()
    for position, sheet in enumerate(sheets, start=1):
        if not isinstance(sheet, dict):
            raise PayloadError(f"sheet {position} of the payload is not an object")
        _unknown(sheet, _SHEET, f"sheet {position}")
        title = sheet.get("name")
        if not isinstance(title, str) or not 0 < len(title) <= 31 or \
                _BAD_SHEET_CHARS.search(title):
            raise PayloadError(f"sheet {position} has no valid name (1 to 31 characters, "
                               "none of [ ] : * ? / \\)")
        if title.casefold() in seen:
            raise PayloadError(f"two sheets are called {title!r}")
        seen.add(title.casefold())
        where = f"sheet {title!r}"
        values = _grid(sheet.get("values", [[]]), where, "values")
        formats = sheet.get("number_formats")
        if formats is not None:
            _grid(formats, where, "number_formats")
        for key in ("tables", "pictures", "pivot_tables", "notes", "shapes", "charts"):
            if not isinstance(sheet.get(key, []), list):
                raise PayloadError(f"{where}: '{key}' must be a list")
        visibility = sheet.get("visibility", "Visible")
        if visibility not in ("Visible", "Hidden", "VeryHidden"):
            raise PayloadError(f"{where}: visibility must be Visible, Hidden or VeryHidden")
        clean = dict(sheet, values=values or [[]], visibility=visibility)
        for key in ("tables", "pictures"):
            clean.setdefault(key, [])
        clean_sheets.append(clean)
    active = book.get("active_sheet_index", 0)
    if not isinstance(active, int) or isinstance(active, bool) or \
            not 0 <= active < len(clean_sheets):
        raise PayloadError("book.active_sheet_index is not the position of one of its sheets")
    selection = book.get("selection")
    if selection is not None and not isinstance(selection, str):
        raise PayloadError("book.selection must be a cell address such as 'B2'")
    names = payload.get("names", [])
    if not isinstance(names, list) or not all(isinstance(n, dict) for n in names):
        raise PayloadError("'names' must be a list of defined names")
    for entry in names:
        _unknown(entry, _NAME, "a defined name")
    for key in ("client", "version"):
        if not isinstance(payload.get(key, ""), str):
            raise PayloadError(f"'{key}' must be text")
    return {"client": payload.get("client") or "Office.js", "version": payload.get("version", ""),
            "book": {"name": name, "active_sheet_index": active, "selection": selection},
            "names": names, "sheets": clean_sheets}


def sheet_grids(payload: dict[str, Any]) -> dict[str, list[list[Any]]]:
    """``{sheet name: values from A1}`` of a checked payload, in the workbook's order."""
    return {sheet["name"]: sheet["values"] for sheet in payload["sheets"]}
