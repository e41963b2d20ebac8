"""Read a filled return back: its identity and its values, indexed by Excel sheet row.

A return is a template (:mod:`xlperf.write.templates`) that someone filled in. :func:`read_return`
gives a :class:`Return` with

- ``identity``: the hidden ``xlperf`` sheet's keys (template id, kind, service, period, register
  hash, version...), falling back to the custom document properties for a key the sheet lacks;
  ``properties`` keeps the document properties as found, so a check can compare the two;
- ``values``: for a performance return, one row per data row of the ``Return`` sheet with
  ``Code``, ``Period``, ``Actual``, ``Numerator``, ``Denominator``, ``Reported status``,
  ``Commentary`` and the attributed comment's ``Comment subject``, ``Comment by``, ``Further
  comment`` (None in a return made before those columns) exactly as typed (nothing parsed:
  the validation turns cells into numbers or findings), plus ``percent_format`` (True where
  the Actual cell has a % number format, so 0.6804 means 68.04); for a finance return
  ``Service area``, ``Net budget``, ``Forecast outturn``, ``Explanation``; for a capital
  programme return ``Programme``, ``Revised estimate``, ``Actual to date``, ``Explanation``
  (a finance or capital return's total row is left out: Excel works it out from the lines,
  and the validator checks it).
  The index is the Excel row number, so a finding can name its cell with
  :func:`xlperf.findings.cell_ref`.

Values come from python-calamine; the Actual column's % number formats are found in the
package's XML (:func:`percent_rows`), and defusedxml parses ``docProps/custom.xml``; every
part is read through the one bounded reader (:class:`xlperf._zip.BoundedPackage`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from defusedxml import ElementTree

from xlperf._zip import BoundedPackage, PartError
from xlperf.core.budget import is_directorate_total, is_total_line
from xlperf.core.columns import fold
from xlperf.errors import WorkbookError, library_errors
from xlperf.findings import column_letter, column_number
from xlperf.identity import CAPITAL, FINANCE, IDENTITY_KEYS, IDENTITY_SHEET, PROPERTY_PREFIX
from xlperf.layout import RETURN_ATTRIBUTED
from xlperf.read._calamine import find_sheet, find_table, open_workbook, sheet_grid

# The sources a return is read from, here with the rest of the return reader (the validator
# reads through them too).
from xlperf.read._sources import FileSource
from xlperf.read._sources import GridSource as GridSource
from xlperf.read._sources import raw_grid as raw_grid
from xlperf.read._sources import table_columns as table_columns
from xlperf.validate.files import Limits

PERFORMANCE_VALUES = ("Code", "Period", "Actual", "Numerator", "Denominator", "Reported status",
                      "Commentary", *RETURN_ATTRIBUTED)
FINANCE_VALUES = ("Service area", "Net budget", "Forecast outturn", "Explanation")
CAPITAL_VALUES = ("Programme", "Revised estimate", "Actual to date", "Explanation")
# Per data sheet: the headers that find its table, and the columns read.
_TABLES = {"return": ([("Code",), ("Actual",)], PERFORMANCE_VALUES),
           "finance": ([("Service area",), ("Forecast outturn",)], FINANCE_VALUES),
           "capital": ([("Programme",), ("Actual to date",)], CAPITAL_VALUES)}
_CUSTOM_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}"


@dataclass(frozen=True)
class Return:
    """A filled return: where it is, what it says it is, and what was typed."""

    path: Path
    identity: dict[str, str]
    values: pd.DataFrame
    sheet: str
    columns: dict[str, int] = field(default_factory=dict)  # header -> 1-based column
    properties: dict[str, str] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return self.identity.get("kind", "")


# What reading a part can raise: a damaged zip, a part the bounded reader refuses (a lie
# about its size, a CRC failure) and XML defusedxml refuses (a DTD: DefusedXmlException).
_ZIP_ERRORS: tuple[type[BaseException], ...] = (
    *library_errors("zip", "os", "lookup", "xml", "value"), PartError)


def _properties_of(archive: BoundedPackage) -> dict[str, str]:
    if archive.info("docProps/custom.xml") is None:
        return {}
    root = ElementTree.fromstring(archive.read("docProps/custom.xml"))
    found = {}
    for prop in root.iter(f"{_CUSTOM_NS}property"):
        name = prop.get("name") or ""
        if name.startswith(PROPERTY_PREFIX):
            found[name[len(PROPERTY_PREFIX):]] = "".join(prop.itertext()).strip()
    return found


def read_properties(path: str | Path) -> dict[str, str]:
    """The ``xlperf ...`` custom document properties of a workbook (prefix removed)."""
    with Package(path) as package:
        return package.properties()


_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_PKG_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_BUILTIN_PERCENT = {9, 10}
_QUOTED = re.compile(r'"[^"]*"|\\.')


def _sheet_parts(archive: BoundedPackage) -> dict[Any, str | None]:
    """Each sheet's name -> its part in the package (from ``workbook.xml`` and its rels);
    remembered by the two parts' CRCs, as every return of a template has the same."""
    book_info = archive.by_name["xl/workbook.xml"]
    rels_info = archive.by_name["xl/_rels/workbook.xml.rels"]
    key = ("parts", book_info.CRC, book_info.file_size, rels_info.CRC, rels_info.file_size)
    if key in _PART_CACHE:
        return _PART_CACHE[key]
    book = ElementTree.fromstring(archive.read(book_info))
    rels = ElementTree.fromstring(archive.read(rels_info))
    targets: dict[str, Any] = {}
    for rel in rels.iter(f"{_PKG_NS}Relationship"):
        targets.setdefault(rel.get("Id"), rel.get("Target"))
    parts: dict[str, str | None] = {}
    for sheet in book.iter(f"{_MAIN_NS}sheet"):
        name = sheet.get("name")
        if name in parts:
            continue  # the first sheet of a name counts
        rid = sheet.get(_REL_ID)
        target = targets.get(rid) if rid is not None else None
        parts[name] = (None if not target else target.lstrip("/") if target.startswith("/")
                       else "xl/" + target)
    return _remember(key, parts)


def is_percent_format(code: str) -> bool:
    """True when an Excel number format shows a percentage: a ``%`` outside quotes and
    escapes (``0.0%`` yes, ``0.0"%"`` no).

    >>> is_percent_format("0.00%"), is_percent_format('0" %"')
    (True, False)
    """
    return "%" in _QUOTED.sub("", code)


def _percent_styles(archive: BoundedPackage) -> set[str]:
    info = archive.info("xl/styles.xml")
    if info is None:
        return set()
    key = ("styles", info.CRC, info.file_size)
    if key in _PART_CACHE:
        return _PART_CACHE[key]
    styles = ElementTree.fromstring(archive.read(info))
    percent_formats = set(_BUILTIN_PERCENT)
    for fmt in styles.iter(f"{_MAIN_NS}numFmt"):
        if is_percent_format(fmt.get("formatCode") or ""):
            percent_formats.add(int(fmt.get("numFmtId") or -1))
    xfs = styles.find(f"{_MAIN_NS}cellXfs")
    if xfs is None:
        return _remember(key, set())
    return _remember(key, {str(i) for i, xf in enumerate(xfs.findall(f"{_MAIN_NS}xf"))
                           if int(xf.get("numFmtId") or 0) in percent_formats})


# Parsed small parts by (part, CRC-32, size): a batch of returns made from one template
# parses its workbook.xml, rels and styles.xml once. Bounded, cleared when full.
_PART_CACHE: dict[tuple[Any, ...], Any] = {}


def _remember(key: tuple[Any, ...], value: Any) -> Any:
    if len(_PART_CACHE) > 256:
        _PART_CACHE.clear()
    _PART_CACHE[key] = value
    return value


_REF = re.compile(r'\br="([A-Z]+[0-9]+)"')
_VALUE = re.compile(r"<v>([^<]*)</v>")
_STYLE = re.compile(r'\bs="(\d+)"')
_FORMULA = re.compile(r"<f\b[^>]*?(?:/>|>([^<]*)</f>)")


class Package:
    """A return's zip package opened once for what python-calamine does not give: the custom
    document properties, the % number formats of a column and the Excel error cells of a
    sheet (its XML decompressed once for both). Every method gives an empty answer when the
    parts cannot be read (the value reader reports that); use it as a context manager."""

    def __init__(self, path: str | Path):
        try:  # every part through the one bounded reader, within the file checks' budget
            self._archive: BoundedPackage | None = BoundedPackage(
                path, budget=Limits().max_uncompressed)
        except _ZIP_ERRORS:
            self._archive = None
        self._xml: dict[str, str | None] = {}

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._archive is not None:
            self._archive.close()
            self._archive = None

    def properties(self) -> dict[str, str]:
        """The ``xlperf ...`` custom document properties (prefix removed)."""
        if self._archive is None:
            return {}
        try:
            return _properties_of(self._archive)
        except _ZIP_ERRORS:  # the file checks say what is wrong with it
            return {}

    def _sheet_xml(self, sheet: str) -> str | None:
        if sheet not in self._xml:
            text = None
            if self._archive is not None:
                try:
                    part = _sheet_parts(self._archive).get(sheet)
                    if part is not None and self._archive.info(part) is not None:
                        text = self._archive.read(part).decode("utf-8", "replace")
                except _ZIP_ERRORS:
                    text = None
            self._xml[sheet] = text
        return self._xml[sheet]

    def percent_rows(self, sheet: str, column: str) -> frozenset[int]:
        """See :func:`percent_rows`."""
        if self._archive is None:
            return frozenset()
        try:
            styles = _percent_styles(self._archive)
        except _ZIP_ERRORS:
            return frozenset()
        if not styles:
            return frozenset()
        xml = self._sheet_xml(sheet)
        if xml is None:
            return frozenset()
        found = set()
        cell = re.compile(rf'<c\s[^>]*?\br="{re.escape(column.upper())}(\d+)"[^>]*>')
        for match in cell.finditer(xml):
            s = _STYLE.search(match.group(0))
            if s is not None and s.group(1) in styles:
                found.add(int(match.group(1)))
        return frozenset(found)

    def error_cells(self, sheet: str) -> dict[str, str]:
        """See :func:`error_cells`."""
        xml = self._sheet_xml(sheet)
        if xml is None:
            return {}
        found = {}
        at = xml.find('t="e"')
        while at != -1:
            start, end = xml.rfind("<c ", 0, at), xml.find(">", at)
            close = xml.find("</c>", end)
            ref = _REF.search(xml, start, end) if start != -1 and end != -1 else None
            if ref is not None:
                value = _VALUE.search(xml, end, close if close != -1 else len(xml))
                found[ref.group(1)] = value.group(1) if value is not None else "#N/A"
            at = xml.find('t="e"', max(end, at + 1))
        return found


    def formula_cells(self, sheet: str, column: str) -> dict[int, tuple[str, bool]]:
        """See :func:`formula_cells`."""
        xml = self._sheet_xml(sheet)
        if xml is None or "<f" not in xml:
            return {}
        found = {}
        cell = re.compile(rf'<c\s([^>]*?\br="{re.escape(column.upper())}(\d+)"[^>]*?)'
                          r'(?:/>|>(.*?)</c>)', re.S)
        for match in cell.finditer(xml):
            inner = match.group(3) or ""
            formula = _FORMULA.search(inner)
            if formula is None:
                continue
            value = _VALUE.search(inner)
            text_result = 't="str"' in match.group(1)
            calculated = value is not None and (value.group(1) != "" or text_result)
            found[int(match.group(2))] = (html.unescape(formula.group(1) or ""), calculated)
        return found


def formula_cells(path: str | Path, sheet: str, column: str) -> dict[int, tuple[str, bool]]:
    """Rows of ``column`` (letters) in ``sheet`` whose cell holds a formula: row ->
    (the formula as stored, without ``=``; whether the file has its calculated value).
    python-calamine gives only the value Excel saved, so the validator asks here to tell a
    formula never calculated (no value) from a blank, and to see a link to another workbook
    (``[1]Sheet1!$A$1``). Empty when the sheet has no formula or cannot be read."""
    with Package(path) as package:
        return package.formula_cells(sheet, column)


def percent_rows(path: str | Path, sheet: str, column: str) -> frozenset[int]:
    """Rows of ``column`` (letters) in ``sheet`` whose cell has a % number format, read from
    the package's XML without a workbook library: ``styles.xml`` says which cell styles are
    percentages (built-in formats 9 and 10, or a format code with ``%`` outside quotes); only
    when there is one is the sheet's XML scanned for that column's cells. Empty when the
    parts cannot be read (the value reader reports that)."""
    with Package(path) as package:
        return package.percent_rows(sheet, column)


def error_cells(path: str | Path, sheet: str) -> dict[str, str]:
    """Cells of ``sheet`` holding an Excel error (``#DIV/0!``, ``#REF!``...) by A1 reference.
    python-calamine reads an error cell as blank, so the validator asks here (the sheet's XML,
    scanned only when it has an error cell at all). Empty when the parts cannot be read."""
    with Package(path) as package:
        return package.error_cells(sheet)


def identity_of(properties: Mapping[str, str], grid: Sequence[Sequence[Any]] | None
                ) -> dict[str, str]:
    """A return's identity: the ``xlperf ...`` document properties it has, overridden by
    the hidden ``xlperf`` sheet's key/value rows (``grid``; None when it has none), each
    value as text (a whole number without ``.0``, blank as ``""``).

    >>> identity_of({"kind": "finance"}, [["key", "value"], ["kind", "performance"],
    ...                                   ["header_row", 12.0]])
    {'kind': 'performance', 'header_row': '12'}
    """
    identity = {k: v for k, v in properties.items() if k in IDENTITY_KEYS}
    for row in (grid or ())[1:]:
        if len(row) >= 2 and isinstance(row[0], str) and row[0].strip():
            identity[row[0].strip()] = _cell_text(row[1])
    return identity


def _cell_text(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_return(path: str | Path) -> Return:
    """Read a filled return (performance, finance or capital programme). Raises
    :class:`~xlperf.errors.WorkbookError` when the file cannot be read or has no ``Return``,
    ``Finance`` or ``Capital`` sheet with its header row."""
    file = Path(path)
    with Package(file) as package:  # the one way a return is opened (the validator's too)
        source = FileSource(file, package)
        source.open()
        return _assemble(file, source.names(), source.properties(),
                         lambda name: _blanked(source.grid(name)), source.percent_rows)


def _blanked(raw: list[list[Any]]) -> list[list[Any]]:
    """A calamine grid with its blank cells (``""``) as ``None``."""
    return [[None if v == "" else v for v in row] for row in raw]


@dataclass
class ReadReturn:
    """What the validator read of a return (one open of the file): its sheet names, document
    properties, the sheets it read (as python-calamine gives them, a blank cell ``""``) and
    the % formatted rows it looked up. :func:`return_from_read` gives the same
    :class:`Return` as :func:`read_return` from it, without opening the file again."""

    path: Path
    names: list[str]
    properties: dict[str, str]
    grids: dict[str, list[list[Any]]] = field(default_factory=dict)
    percent: dict[tuple[str, str], frozenset[int]] = field(default_factory=dict)


def return_from_read(read: ReadReturn) -> Return:
    """:func:`read_return` from what the validator already read (a sheet or a % lookup it
    did not need is read from the file now)."""
    where = str(read.path)
    book: list[Any] = []

    def grid_of(name: str) -> list[list[Any]]:
        raw = read.grids.get(name)
        if raw is None:
            if not book:
                book.append(open_workbook(read.path))
            return sheet_grid(book[0], name, file=where)
        return _blanked(raw)

    def percent_of(sheet: str, column: str) -> frozenset[int]:
        key = (sheet, column)
        if key not in read.percent:
            read.percent[key] = percent_rows(read.path, sheet, column)
        return read.percent[key]

    return _assemble(read.path, list(read.names), dict(read.properties), grid_of, percent_of)


def _assemble(file: Path, names: list[str], properties: dict[str, str],
              grid_of: Callable[[str], list[list[Any]]],
              percent_of: Callable[[str, str], frozenset[int]]) -> Return:
    where = str(file)
    hidden = find_sheet(names, IDENTITY_SHEET)
    identity = identity_of(properties, grid_of(hidden) if hidden is not None else None)
    kind = identity.get("kind", "")
    wanted = identity.get("sheet") or {FINANCE: "Finance", CAPITAL: "Capital"}.get(kind,
                                                                                  "Return")
    sheet = find_sheet(names, wanted) or next(
        (found for found in (find_sheet(names, s) for s in ("Return", "Finance", "Capital"))
         if found is not None), None)
    if sheet is None or fold(sheet) not in _TABLES:
        raise WorkbookError(f"{file}: no 'Return', 'Finance' or 'Capital' sheet: is this an "
                            "xlperf return?", file=where)
    grid = grid_of(sheet)
    anchors, wanted_columns = _TABLES[fold(sheet)]
    finance = fold(sheet) != "return"  # finance or capital: no percentages
    located = find_table(grid, anchors)
    if located is None:
        raise WorkbookError(f"{file}: sheet {sheet!r} has no header row with "
                            f"{' and '.join(a[0] for a in anchors)}", file=where, sheet=sheet)
    by_fold = {fold(h): i for i, h in enumerate(located.frame.columns)}
    index = located.frame.index
    # One object block for the table and one for the result: a refresh assembles dozens of
    # small returns, where pandas' per-column steps cost more than the values.
    table = located.frame.to_numpy(dtype=object, copy=True)
    table[pd.isna(table)] = None  # NaN, NaT, NA: blank
    headers = [*wanted_columns, *(() if finance else ("percent_format",))]
    block = np.full((len(index), len(headers)), None, dtype=object)
    columns = {}
    for j, header in enumerate(wanted_columns):
        position = by_fold.get(fold(header))
        if position is not None:
            block[:, j] = table[:, position]
            columns[header] = located.columns[located.frame.columns[position]]
    if not finance:
        actual_column = columns.get("Actual", column_number("H"))
        # The styles' XML says which cells are percentages (no workbook library: fast).
        percent = percent_of(sheet, column_letter(actual_column))
        block[:, -1] = [int(r) in percent for r in index]
    if finance:
        # The total row (its name says total) is worked out from the lines: not a line itself.
        # The directorate total on its owner's return stays: it carries its explanation.
        keep = [not is_total_line(name) or is_directorate_total(name) for name in block[:, 0]]
        block, index = block[keep], index[keep]
    frame = pd.DataFrame(block, index=index, columns=headers, dtype=object)
    return Return(path=file, identity=identity, values=frame, sheet=sheet, columns=columns,
                  properties=properties)


def return_values(ret: Return) -> pd.DataFrame:
    """A performance return's values as the long table :func:`xlperf.score` takes (``Code``,
    ``Period``, ``Actual``, ``Numerator``, ``Denominator``, ``Reported status``,
    ``Commentary``), with a %-formatted Actual cell read as a percentage (0.6804 -> 68.04).
    Cells are otherwise as typed; the index stays the Excel row."""
    from xlperf.core.values import parse_values

    frame = ret.values.drop(columns=["percent_format"], errors="ignore").copy()
    if "percent_format" in ret.values.columns and "Actual" in frame.columns:
        percent = ret.values["percent_format"].astype(bool)
        if percent.any():
            parsed = parse_values(frame.loc[percent, "Actual"], True)
            numbers = parsed["number"].astype(object).where(parsed["kind"] == "number")
            frame.loc[percent, "Actual"] = numbers.where(numbers.notna(),
                                                         frame.loc[percent, "Actual"])
    return frame
