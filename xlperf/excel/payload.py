"""xlwings' remote protocol without Excel: a workbook file as the payload a client sends, and the
actions xlwings sends back applied to that workbook's values.

Used by the tests of the Excel gateway and by the add-in server's tests; no xlwings needed.

* :func:`payload_from_xlsx`: an ``.xlsx``/``.xlsm`` read with python-calamine into the JSON an
  Office.js / Office Scripts client sends to ``xw.Book(json=...)``: ``client``, ``version``,
  ``book`` (name, active sheet, selection), ``names`` (named ranges), ``sheets`` (name, values
  from A1 to the last used cell, tables, pictures...). Values are as the client sends them: an
  empty cell ``""``, whole numbers as JSON integers, booleans, text, and a date or time as the
  ISO text the clients make with JavaScript's ``toISOString()`` (``2013-10-01T00:00:00.000Z``;
  a time of day falls on 1899-12-30, Excel's day 0), which xlwings turns back into
  ``datetime``.
* :func:`apply_actions` / :func:`replay`: ``book.json()["actions"]`` applied to ``{sheet:
  grid}`` the way Excel applies them. ``setValues`` models Excel's parsing of what is typed
  into a cell: a leading apostrophe marks text (and is not stored), ``=...`` is a formula,
  ``1,000``/``50%``/``-5`` numbers, ``TRUE`` a boolean, ``Sep-13``/``1/2`` dates, ``#N/A`` an
  error; anything so converted shows as a :class:`Converted` marker, never as the text, so a
  test sees text that would not have stayed text. Format actions are recorded per cell, widths
  and panes per sheet. An action this module does not know raises
  :class:`~xlperf.errors.InputError`: a test must not pass by ignoring a write.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xlperf.errors import InputError, WorkbookError

__all__ = ["Applied", "Converted", "apply_actions", "excel_entry", "payload_from_xlsx", "replay"]

_EPOCH = dt.datetime(1899, 12, 30)
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?")
_DATE_LIKE = [
    re.compile(r"\d{1,4}[/.-]\d{1,2}(?:[/.-]\d{1,4})?"),            # 1/2, 2013-10, 1.2.13
    re.compile(r"[A-Za-z]{3,9}[-/ ]\d{1,4}(?:[-/ ]\d{1,4})?"),       # Sep-13, Sept 2013
    re.compile(r"\d{1,2}[-/ ][A-Za-z]{3,9}(?:[-/ ]\d{2,4})?"),       # 13-Sep, 1 Oct 2013
    re.compile(r"\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp][Mm])?"),  # 9:30, 9:30 pm
]
_ERRORS = {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
           "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!"}
_NUMBER_NOISE = str.maketrans("", "", " ,£$€%()")


# -- payload ----------------------------------------------------------------------------------

def _client_value(value: Any) -> Any:
    """A calamine cell as an Office.js / Office Scripts client puts it in the JSON."""
    if value is None:
        return ""
    if isinstance(value, bool | str | int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, dt.time):
        moment = dt.datetime.combine(_EPOCH.date(), value)
    elif isinstance(value, dt.timedelta):
        moment = _EPOCH + value
    else:
        return str(value)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000).isoformat(
        timespec="milliseconds") + "Z"


def _workbook_extras(path: Path) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """Named ranges and each worksheet's tables, from the package's XML (as the client sends
    them: addresses without the sheet, ``$`` kept as Excel's COM gives them)."""
    from xlperf.write._opc import NS_MAIN, NS_R, Package, local

    package = Package(path)
    try:
        rels = package.rels("xl/workbook.xml") if package.find("xl/workbook.xml") else []
        workbook = package.xml("xl/workbook.xml").getroot()
        by_id = {rel.id: rel for rel in rels}
        sheets: list[tuple[str, str | None]] = []
        for el in workbook.iter(f"{{{NS_MAIN}}}sheet"):
            rel = by_id.get(el.get(f"{{{NS_R}}}id", ""))
            kind = rel.kind if rel else ""
            if kind == "worksheet":
                sheets.append((el.get("name", ""), rel.part if rel else None))
        positions = {name: i for i, (name, _) in enumerate(sheets)}
        tables: dict[str, list[dict[str, Any]]] = {}
        for name, part in sheets:
            found = []
            for rel in package.rels(part) if part else []:
                if rel.kind != "table" or rel.part is None or package.find(rel.part) is None:
                    continue
                table = package.xml(rel.part).getroot()
                found.append(_table(table, local))
            tables[name] = found
        names = []
        for el in workbook.iter(f"{{{NS_MAIN}}}definedName"):
            item = _name(el, [n for n, _ in sheets], positions)
            if item is not None:
                names.append(item)
        return names, tables
    finally:
        package.close()


def _table(table: Any, local: Any) -> dict[str, Any]:
    from xlperf.core.a1 import parse_range, range_ref

    ref = table.get("ref", "A1")
    top, left, bottom, right = parse_range(ref)
    headers = int(table.get("headerRowCount", "1"))
    totals = int(table.get("totalsRowCount", "0") or 0)
    body_top, body_bottom = top + headers, bottom - totals

    style = next((c.get("name") for c in table if local(c.tag) == "tableStyleInfo"), None)
    return {
        "name": table.get("displayName") or table.get("name"),
        "range_address": _dollar(range_ref(top, left, bottom, right)),
        "header_row_range_address": _dollar(range_ref(top, left, top, right)) if headers else None,
        "data_body_range_address": (_dollar(range_ref(body_top, left, body_bottom, right))
                                    if body_bottom >= body_top else None),
        "total_row_range_address": (_dollar(range_ref(bottom, left, bottom, right))
                                    if totals else None),
        "show_headers": bool(headers), "show_totals": bool(totals),
        "table_style": style or "",
        "show_autofilter": any(local(c.tag) == "autoFilter" for c in table),
    }


def _dollar(ref: str) -> str:
    """``A1:B2`` as Excel's COM/Office.js address ``$A$1:$B$2``."""
    return ":".join(re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", part) for part in ref.split(":"))


def _name(el: Any, sheets: list[str], positions: dict[str, int]) -> dict[str, Any] | None:
    name = el.get("name", "")
    if name.startswith("_xlnm.") or el.get("hidden") == "1":
        return None
    match = re.fullmatch(r"=?(?:'((?:[^']|'')+)'|([^'!]+))!(\$?[A-Z]{1,3}\$?\d+"
                         r"(?::\$?[A-Z]{1,3}\$?\d+)?)", (el.text or "").strip())
    if not match:
        return None  # a constant or a formula, not a range: clients send ranges only
    sheet = (match.group(1) or "").replace("''", "'") or match.group(2)
    if sheet not in positions:
        return None
    local_id = el.get("localSheetId")
    scope = int(local_id) if local_id is not None and local_id.isdigit() else None
    return {
        "name": name, "sheet_index": positions[sheet], "address": match.group(3),
        "scope_sheet_name": sheets[scope] if scope is not None and scope < len(sheets) else None,
        "scope_sheet_index": scope, "book_scope": scope is None,
    }


def payload_from_xlsx(path: str | Path, *, client: str = "Office.js",
                      active_sheet: str | int | None = None,
                      selection: str = "A1") -> dict[str, Any]:
    """The JSON payload a client sends for the workbook at ``path`` (see the module doc).

    ``active_sheet``: its name or 0-based index (default the first worksheet).

    >>> payload = payload_from_xlsx("workbooks/demo/master.xlsx")   # doctest: +SKIP
    >>> payload["sheets"][5]["values"][0][:3]                        # doctest: +SKIP
    ['Code', 'Measure', 'Priority']
    """
    import xlwings  # noqa: F401 - only for its version; imported lazily

    from xlperf.read import open_workbook

    file = Path(path)
    book = open_workbook(file)
    worksheets = [m.name for m in book.sheets_metadata if str(m.typ).endswith(".WorkSheet")]
    visibility = {m.name: str(m.visible).rsplit(".", 1)[-1] for m in book.sheets_metadata}
    names, tables = _workbook_extras(file)
    sheets = []
    for name in worksheets:
        try:
            rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except Exception as error:  # noqa: BLE001 - calamine's errors become WorkbookError
            raise WorkbookError(f"{file}: cannot read sheet {name!r} ({error})", file=str(file),
                                sheet=name) from None
        width = max((len(r) for r in rows), default=0)
        values = [[_client_value(None if v == "" else v) for v in row] + [""] * (width - len(row))
                  for row in rows] or [[""]]
        sheets.append({
            "name": name, "values": values, "pictures": [], "shapes": [], "charts": [],
            "notes": [], "tables": tables.get(name, []), "pivot_tables": [],
            "print_area": None, "visibility": visibility.get(name, "Visible"),
            "show_gridlines": True,
        })
    if isinstance(active_sheet, str):
        if active_sheet not in worksheets:
            raise InputError(f"{file}: no sheet {active_sheet!r} to make active")
        active = worksheets.index(active_sheet)
    else:
        active = active_sheet or 0
    return {
        "client": client, "version": xlwings.__version__,
        "book": {"name": file.name, "active_sheet_index": active, "selection": selection},
        "names": names, "sheets": sheets,
    }


# -- actions ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Converted:
    """Text Excel would not have kept as text: ``kind`` is formula, number, boolean, date or
    error. Never equal to a plain value, so a comparison with the expected text fails."""

    text: str
    kind: str


def excel_entry(value: Any) -> Any:
    """What a cell holds after Excel's ``setValues`` writes ``value`` to it (a model of
    Excel's parsing of typed input; see the module doc).

    >>> excel_entry("'=1+1"), excel_entry("Green"), excel_entry("2013-10-01")
    ('=1+1', 'Green', datetime.datetime(2013, 10, 1, 0, 0))
    >>> excel_entry("=1+1"), excel_entry("Sep-13").kind, excel_entry("1,000").kind
    (Converted(text='=1+1', kind='formula'), 'date', 'number')
    """
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        return value
    if value.startswith("'"):
        return value[1:] or None
    stripped = value.strip()
    if value.startswith("="):
        return Converted(value, "formula")
    iso = _ISO_DATE.fullmatch(stripped)
    if iso:  # how xlwings sends a date: Excel reads ISO dates as dates
        parts = [int(p) if p else 0 for p in iso.groups()]
        return dt.datetime(*parts)  # type: ignore[arg-type]
    if stripped.upper() in ("TRUE", "FALSE"):
        return Converted(value, "boolean")
    if stripped.upper() in _ERRORS:
        return Converted(value, "error")
    if any(ch.isdigit() for ch in stripped):
        try:
            float(stripped.translate(_NUMBER_NOISE))
        except ValueError:
            pass
        else:
            return Converted(value, "number")
        if any(p.fullmatch(stripped) for p in _DATE_LIKE):
            return Converted(value, "date")
    if value[:1] in ("+", "-", "@"):
        return Converted(value, "formula")
    return value


@dataclass
class Applied:
    """A workbook after :func:`replay`: values per sheet (in sheet order), and what the format
    actions set: ``formats[sheet][(row, column)]`` (1-based) maps a property (number_format,
    fill, color, bold, italic, wrap, horizontal, vertical) to its value; ``widths[sheet]``
    column -> width as sent; ``freeze[sheet]`` the frozen range; ``hidden[sheet]`` the hidden
    columns; ``grouped[sheet]`` the columns grouped with the outline; ``alerts`` the messages;
    ``active`` the sheet last activated."""

    grids: dict[str, list[list[Any]]]
    formats: dict[str, dict[tuple[int, int], dict[str, Any]]] = field(default_factory=dict)
    widths: dict[str, dict[int, float]] = field(default_factory=dict)
    freeze: dict[str, str] = field(default_factory=dict)
    hidden: dict[str, set[int]] = field(default_factory=dict)
    grouped: dict[str, set[int]] = field(default_factory=dict)
    alerts: list[str] = field(default_factory=list)
    active: int | None = None


_FONT = {"bold", "italic", "color"}
_CLEARED_BY = {"rangeClearContents": "values", "rangeClear": "all", "sheetClear": "all",
               "sheetClearContents": "values", "sheetClearFormats": "formats",
               "rangeClearFormats": "formats"}


def _grids_of(source: str | Path | Mapping[str, Sequence[Sequence[Any]]]) -> dict[str, list[list]]:
    if isinstance(source, Mapping):
        return {name: [list(r) for r in grid] for name, grid in copy.deepcopy(dict(source)).items()}
    from xlperf.read import open_workbook

    book = open_workbook(source)
    out = {}
    for meta in book.sheets_metadata:
        if str(meta.typ).endswith(".WorkSheet"):
            rows = book.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
            out[meta.name] = [[None if v == "" else v for v in row] for row in rows]
    return out


def _sheet_at(action: Mapping[str, Any], number: int, order: list[str]) -> str:
    position = action.get("sheet_position")
    if not isinstance(position, int) or not 0 <= position < len(order):
        raise InputError(f"action {number} ({action.get('func')}): no sheet at position "
                         f"{position}")
    return order[position]


def _cells(action: Mapping[str, Any], number: int,
           order: list[str]) -> tuple[str, int, int, int, int]:
    name = _sheet_at(action, number, order)
    try:
        row, col = int(action["start_row"]), int(action["start_column"])
        rows, cols = int(action["row_count"]), int(action["column_count"])
    except (KeyError, TypeError, ValueError):
        raise InputError(f"action {number} ({action.get('func')}): no range given") from None
    return name, row, col, rows, cols


def replay(source: str | Path | Mapping[str, Sequence[Sequence[Any]]],
           actions: Sequence[Mapping[str, Any]]) -> Applied:
    """Apply xlwings actions to a workbook's values (a file read with calamine, or ``{sheet:
    grid}`` in sheet order). Raises :class:`~xlperf.errors.InputError` for an action it does
    not know or one that points outside the workbook."""
    grids = _grids_of(source)
    order = list(grids)
    applied = Applied(grids={})
    for number, action in enumerate(actions, 1):
        func = action.get("func")
        args = list(action.get("args") or [])

        if func == "addSheet":
            index, name = int(args[0]), str(args[1])
            if name in grids:
                raise InputError(f"action {number}: a sheet {name!r} exists already")
            order.insert(index, name)
            grids[name] = []
        elif func == "setValues":
            name, row, col, rows, cols = _cells(action, number, order)
            values = action.get("values") or []
            if len(values) != rows or any(len(r) != cols for r in values):
                raise InputError(f"action {number}: values are not {rows} x {cols}")
            grid = grids[name]
            for r, line in enumerate(values):
                for c, value in enumerate(line):
                    _put(grid, row + r, col + c, excel_entry(value))
        elif func in _CLEARED_BY:
            what = _CLEARED_BY[func]
            if func.startswith("sheet"):
                name = _sheet_at(action, number, order)
                row, col, rows, cols = 0, 0, 1_048_576, 16_384
            else:
                name, row, col, rows, cols = _cells(action, number, order)
            if what in ("values", "all"):
                grid = grids[name]
                for r in range(row, min(row + rows, len(grid))):
                    for c in range(col, min(col + cols, len(grid[r]))):
                        grid[r][c] = None
            if what in ("formats", "all"):
                sheet_formats = applied.formats.get(name, {})
                for key in [k for k in sheet_formats
                            if row < k[0] <= row + rows and col < k[1] <= col + cols]:
                    del sheet_formats[key]
        elif func in ("setNumberFormat", "setRangeColor", "setFontProperty", "setWrapText",
                      "setHorizontalAlignment", "setVerticalAlignment"):
            name, row, col, rows, cols = _cells(action, number, order)
            if func == "setFontProperty":
                prop, value = str(args[0]), args[1]
                if prop not in _FONT:
                    raise InputError(f"action {number}: font property {prop!r} not modelled")
            else:
                prop = {"setNumberFormat": "number_format", "setRangeColor": "fill",
                        "setWrapText": "wrap", "setHorizontalAlignment": "horizontal",
                        "setVerticalAlignment": "vertical"}[func]
                value = args[0]
                if prop in ("horizontal", "vertical") and isinstance(value, str):
                    value = {"CenterAcrossSelection": "centerContinuous"}.get(
                        value, value[:1].lower() + value[1:])
            sheet_formats = applied.formats.setdefault(name, {})
            for r in range(row + 1, row + rows + 1):
                for c in range(col + 1, col + cols + 1):
                    sheet_formats.setdefault((r, c), {})[prop] = value
        elif func == "setColumnWidth":
            name, row, col, rows, cols = _cells(action, number, order)
            for c in range(col + 1, col + cols + 1):
                applied.widths.setdefault(name, {})[c] = float(args[0])
        elif func == "setColumnHidden":
            name, row, col, rows, cols = _cells(action, number, order)
            columns = applied.hidden.setdefault(name, set())
            for c in range(col + 1, col + cols + 1):
                (columns.add if args[0] else columns.discard)(c)
        elif func == "rangeGroup" and args == ["columns"]:
            name, row, col, rows, cols = _cells(action, number, order)
            applied.grouped.setdefault(name, set()).update(range(col + 1, col + cols + 1))
        elif func == "freezePaneAtRange":
            applied.freeze[_sheet_at(action, number, order)] = str(args[0])
        elif func == "freezePaneUnfreeze":
            applied.freeze.pop(_sheet_at(action, number, order), None)
        elif func == "alert":
            applied.alerts.append(str(args[0]))
        elif func == "activateSheet":
            applied.active = int(args[0])
        else:
            raise InputError(f"action {number}: {func!r} is not an action xlperf models; "
                             "extend xlperf.excel.payload.replay before relying on it")
    applied.grids = {name: _trim(grids[name]) for name in order}
    return applied


def apply_actions(source: str | Path | Mapping[str, Sequence[Sequence[Any]]],
                  actions: Sequence[Mapping[str, Any]]) -> dict[str, list[list[Any]]]:
    """The workbook's values (``{sheet: grid from A1}``, trimmed) after ``actions``."""
    return replay(source, actions).grids


def _put(grid: list[list[Any]], row: int, col: int, value: Any) -> None:
    while len(grid) <= row:
        grid.append([])
    line = grid[row]
    if len(line) <= col:
        line.extend([None] * (col + 1 - len(line)))
    line[col] = value


def _trim(grid: list[list[Any]]) -> list[list[Any]]:
    while grid and all(v is None for v in grid[-1]):
        grid.pop()
    width = max((i + 1 for row in grid for i, v in enumerate(row) if v is not None), default=0)
    return [row[:width] + [None] * (width - len(row)) for row in grid]
