"""Write output sheets into a user's workbook without harming anything else in it.

openpyxl's load + save rewrites almost every part of a workbook and drops what it does not model
(sparklines, shapes, data-bar extensions, cached formula values...). This writer never loads the
workbook as a whole: it replaces or adds only the output sheets' worksheet parts inside the zip
and copies every other part byte for byte. See ``docs/lossless.md``.

    >>> from xlperf.write.lossless import CellStyle, SheetContent, write_sheets
    >>> header = CellStyle(bold=True, color="#FFFFFF", fill="#1D70B8")
    >>> content = SheetContent(rows=[["Code", "Actual"], ["PI01", 0.93]],
    ...                        styles=[[header, header], [None, CellStyle(number_format="0%")]],
    ...                        widths=[10, 12], freeze="A2")
    >>> write_sheets("master.xlsx", {"Scorecard": content})       # doctest: +SKIP

Parts that may change: the output sheets' worksheet parts (and the table part of a table on an
output sheet, whose range follows the new row count), ``styles.xml`` (formats appended, never
renumbered), ``workbook.xml`` (new ``<sheet>`` entries, ``calcPr fullCalcOnLoad``, the
``_xlnm._FilterDatabase`` range), ``workbook.xml.rels`` and ``[Content_Types].xml``;
``calcChain.xml`` is removed. Everything else is copied unchanged, in the original member order;
so is an output sheet whose new XML is byte for byte its old (a refresh with nothing new).
"""

from __future__ import annotations

import copy
import re
import time
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, BinaryIO

from lxml import etree

from xlperf.core.a1 import (
    MAX_COLUMNS,
    column_letter,
    parse_cell,
    parse_range,
    range_columns,
    range_ref,
)
from xlperf.errors import InputError, WorkbookError
from xlperf.write import _files, _zipcopy
from xlperf.write._opc import (
    CONTENT_TYPES,
    CT_WORKSHEET,
    NS_CT,
    NS_MAIN,
    NS_PKG_REL,
    NS_R,
    NS_STRICT_MAIN,
    RT,
    Package,
    Rel,
    check_xml,
    local,
    parse_xml,
    relative_target,
    rels_name,
    serialize,
)
from xlperf.write._print import (
    PRINT_ELEMENTS,
    RECORD_NAME,
    PrintSetup,
    digest,
    print_elements,
    read_record,
    record_text,
)
from xlperf.write._sheetxml import (
    DATE_FORMAT,
    DATETIME_FORMAT,
    HIDDEN_WIDTH,
    NS_X14,
    NS_XM,
    SPARKLINE_EXT_URI,
    TIME_FORMAT,
    cols_xml,
    number_text,
    pane_xml,
    sheet_data,
    sparkline_ext_xml,
    sparkline_group_xml,
)
from xlperf.write.styles import CellStyle, StyleBook

__all__ = ["CellStyle", "PrintSetup", "SheetContent", "SheetWritten", "Sparkline",
           "SparklineGroup", "WriteResult", "write_sheets"]

_FORBIDDEN_NAME = re.compile(r"[:\\/?*\[\]]")
_WORKSHEET_ORDER = (
    "sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr",
    "sheetProtection", "protectedRanges", "scenarios", "autoFilter", "sortState",
    "dataConsolidate", "customSheetViews", "mergeCells", "phoneticPr", "conditionalFormatting",
    "dataValidations", "hyperlinks", "printOptions", "pageMargins", "pageSetup", "headerFooter",
    "rowBreaks", "colBreaks", "customProperties", "cellWatches", "ignoredErrors", "smartTags",
    "drawing", "legacyDrawing", "legacyDrawingHF", "drawingHF", "picture", "oleObjects",
    "controls", "webPublishItems", "tableParts", "extLst")
_BEFORE_CALCPR = ("sheets", "functionGroups", "externalReferences", "definedNames")
_SHEET_KINDS = {
    "chartsheet": "a chart sheet", "dialogsheet": "an Excel 5 dialog sheet",
    "xlMacrosheet": "an Excel 4 macro sheet", "xlIntlMacrosheet": "an international macro sheet",
}
_REFUSED_ON_SHEET = {
    "pivotTable": "a pivot table", "queryTable": "a query table (external data connection)",
}
_MARKER = "xlperf-cells"
_DEFAULT_MARGINS = ('<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" '
                    'footer="0.3"/>')
_NEW_MEMBER_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Sparkline:
    """One sparkline: drawn in the cell ``location`` (``"M5"``) from the values of ``data``,
    a one-row or one-column range on the same sheet (``"R5:W5"``)."""

    location: str
    data: str

    def __post_init__(self) -> None:
        try:
            parse_cell(self.location)
            top, left, bottom, right = parse_range(self.data)
        except ValueError as exc:
            raise InputError(f"sparkline {self.location!r} <- {self.data!r}: {exc}") from None
        if top != bottom and left != right:
            raise InputError(f"sparkline data {self.data!r} must be one row or one column")


_SPARKLINE_KINDS = ("line", "column", "stacked")


@dataclass(frozen=True)
class SparklineGroup:
    """Sparklines drawn alike (Excel's sparkline group): ``kind`` line, column or stacked
    (win/loss); ``color`` the series, ``marker_color`` the last point and negative values;
    empty cells are gaps and values in hidden columns are drawn."""

    sparklines: tuple[Sparkline, ...]
    kind: str = "line"
    color: str = "#1D70B8"
    marker_color: str = "#D4351C"
    markers: bool = False
    last: bool = True
    line_weight: float = 1.25

    def __post_init__(self) -> None:
        if self.kind not in _SPARKLINE_KINDS:
            raise InputError(f"sparkline kind {self.kind!r} is not one of "
                             f"{', '.join(_SPARKLINE_KINDS)}")
        for colour in (self.color, self.marker_color):
            CellStyle(fill=colour)  # the same colour check as cell styles
        if not all(isinstance(s, Sparkline) for s in self.sparklines):
            raise InputError("a SparklineGroup holds Sparkline objects")
        if not 0 < float(self.line_weight) <= 1584:
            raise InputError(f"sparkline line weight {self.line_weight} is out of range")


@dataclass(frozen=True)
class SheetContent:
    """What to write on one output sheet: a 2-D block of values starting at A1.

    ``rows``: cell values (str, int, float, bool, None, date/datetime/time; numpy scalars and
    Decimal are numbers; None, NaN, pandas NA and "" leave the cell empty; anything else is
    written as its ``str``). Text is always text, even when it starts with ``=``.
    ``styles``: an optional grid of the same shape (shorter rows allowed) of :class:`CellStyle`
    or None. ``widths``: column widths from column A (None leaves a column at the default).
    ``freeze``: the top-left cell of the scrolling area (``"A2"`` freezes row 1; ``"A1"`` none).
    On a sheet that already exists, its own column widths and panes win unless
    ``replace_layout`` is true; widths/freeze given here apply where the sheet has none.
    ``sparklines``: :class:`SparklineGroup` objects drawn on this sheet (their data on this
    sheet too); on rewrite, the sparklines xlperf drew before (those in the columns the new ones
    use, or drawn from ``hidden_columns``) are replaced and the user's own are kept.
    ``hidden_columns``: 1-based columns to hide (e.g. the data of the sparklines), applied
    even when the sheet keeps its own column widths.
    ``outline_columns``: 1-based columns grouped with Excel's outline (Data > Group), written
    collapsed; a sheet whose columns already carry an outline keeps it (and whether the user
    expanded it). ``row_heights``: points per 1-based row (wrapped text needs its height
    given: neither Excel nor LibreOffice grows a row on opening).
    ``print_setup``: a :class:`~xlperf.write._print.PrintSetup`; on rewrite each print element
    the user changed since xlperf wrote it (paper size, margins, header...) is kept.
    """

    rows: Sequence[Sequence[Any]]
    styles: Sequence[Sequence[CellStyle | None]] | None = None
    widths: Sequence[float | None] | None = None
    freeze: str | None = None
    replace_layout: bool = False
    sparklines: Sequence[SparklineGroup] = ()
    hidden_columns: Sequence[int] = ()
    outline_columns: Sequence[int] = ()
    row_heights: Mapping[int, float] | None = None
    print_setup: PrintSetup | None = None

    def __post_init__(self) -> None:
        if isinstance(self.rows, str | bytes) or not isinstance(self.rows, Sequence):
            raise InputError("SheetContent.rows must be a sequence of rows (lists of values); "
                             "for a DataFrame pass [list(df.columns), *df.values.tolist()]")
        if self.freeze is not None:
            try:
                parse_cell(self.freeze)
            except ValueError as exc:
                raise InputError(f"freeze {self.freeze!r} is not a cell like 'A2'") from exc
        if not all(isinstance(g, SparklineGroup) for g in self.sparklines):
            raise InputError("SheetContent.sparklines holds SparklineGroup objects")
        for column in (*self.hidden_columns, *self.outline_columns):
            if not isinstance(column, int) or not 1 <= column <= MAX_COLUMNS:
                raise InputError(f"hidden column {column!r} is not a column number 1-"
                                 f"{MAX_COLUMNS}")


@dataclass(frozen=True)
class SheetWritten:
    """One output sheet as written: its part, whether it was created, its used size, its tables."""

    name: str
    part: str
    created: bool
    rows: int
    columns: int
    tables: tuple[str, ...] = ()


@dataclass(frozen=True)
class WriteResult:
    """What :func:`write_sheets` did."""

    path: Path
    sheets: tuple[SheetWritten, ...]
    styles_changed: bool
    calc_chain_removed: bool
    backup: Path | None = None
    seconds: float = 0.0
    changed_parts: tuple[str, ...] = field(default=())


def check_sheet_name(name: str) -> None:
    """Refuse a name Excel would not accept for a sheet."""
    if not isinstance(name, str) or not name:
        raise WorkbookError(f"sheet name {name!r} is empty or not text", sheet=str(name))
    units = len(name.encode("utf-16-le")) // 2
    if units > 31:
        raise WorkbookError(f"sheet name {name!r} is longer than Excel's 31 characters",
                            sheet=name)
    if _FORBIDDEN_NAME.search(name):
        raise WorkbookError(f"sheet name {name!r} contains one of : \\ / ? * [ ] which Excel "
                            "does not allow", sheet=name)
    if name[0] == "'" or name[-1] == "'":
        raise WorkbookError(f"sheet name {name!r} begins or ends with an apostrophe", sheet=name)
    if name.lower() == "history":
        raise WorkbookError("'History' is a sheet name Excel reserves", sheet=name)
    if any(ord(ch) < 32 for ch in name):
        raise WorkbookError(f"sheet name {name!r} contains a control character", sheet=name)


def write_sheets(path: str | Path, sheets: Mapping[str, SheetContent], *,
                 out: str | Path | None = None, backups: int = 0,
                 before_replace: Callable[[], None] | None = None) -> WriteResult:
    """Replace (or add) the given sheets of the workbook at ``path``, leaving all else intact.

    ``out``: write the result there instead of replacing ``path``. ``backups``: keep that many
    timestamped copies of the replaced file in a ``backups/`` folder beside it (0: none).
    ``before_replace``: called once the new file is complete on disk, just before it replaces
    the old one (the refresh commits its ledger there); if it raises, nothing is replaced.

    Raises :class:`~xlperf.errors.BusyError` when the workbook (or ``out``) is open in Excel or
    LibreOffice or another xlperf run holds its lock, and :class:`~xlperf.errors.WorkbookError`
    naming the feature when the workbook cannot be written without risk of damage (encrypted,
    Strict OOXML, binary .xlsb, digitally signed, shared with change tracking, the target is a
    chart sheet, the target sheet holds a pivot table...). The file is then left untouched.
    """
    start = time.perf_counter()
    source = Path(path)
    target = Path(out) if out is not None else source
    if not sheets:
        raise InputError("no sheets to write")
    if backups < 0:
        raise InputError(f"backups must be 0 or more, not {backups}")
    if not source.is_file():
        raise WorkbookError(f"{source}: no such workbook", file=str(source))
    _files.check_not_open(source)
    if target != source:
        _files.check_not_open(target)
    with _files.workbook_lock(target):
        package = Package(source)
        try:
            plan = _Writer(package, sheets).build()
            made = _files.atomic_write(target, plan.write_zip, backups=backups,
                                       before_replace=before_replace)
        finally:
            package.close()
    return WriteResult(path=target, sheets=tuple(plan.written), styles_changed=plan.styles_changed,
                       calc_chain_removed=plan.calc_chain is not None, backup=made,
                       seconds=time.perf_counter() - start,
                       changed_parts=tuple(sorted(plan.replaced) + sorted(plan.added)))


# --------------------------------------------------------------------------------------------
def _prefix(el: etree._Element) -> str:
    return f"{el.prefix}:" if el.prefix else ""


def _children(parent: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in parent if local(child.tag) == name]


def _insert_ordered(parent: etree._Element, el: etree._Element, order: Sequence[str]) -> None:
    """Insert ``el`` among ``parent``'s children where the schema sequence ``order`` puts it."""
    rank = order.index(local(el.tag))
    position = 0
    for i, child in enumerate(parent):
        name = local(child.tag)
        if name in order and order.index(name) <= rank:
            position = i + 1
    parent.insert(position, el)


def _fragment(xml: str, ns: str) -> list[etree._Element]:
    """Elements parsed from our own generated XML, in namespace ``ns``."""
    root = etree.fromstring(f'<w xmlns="{ns}">{xml}</w>'.encode())
    return list(root)


# The first <sheetData ...> (any prefix) that has a closing tag of the same name after it; the
# closing tag is searched for separately (one regex with a lazy ``.*?`` and a back-reference to
# the name is slow over megabytes of cells).
_SHEET_DATA_OPEN = re.compile(rb"<((?:[A-Za-z_][\w.-]*:)?sheetData)(?:\s[^>]*)?>")


def _old_cells(data: bytes) -> bytes | None:
    """The bytes inside a worksheet part's ``<sheetData>`` (None when it has none)."""
    opening = _SHEET_DATA_OPEN.search(data)
    if opening is None:
        return None
    closing = re.compile(rb"</" + re.escape(opening.group(1)) + rb"\s*>").search(
        data, opening.end())
    return None if closing is None else data[opening.end():closing.start()]


def _without_cells(data: bytes) -> bytes:
    """A worksheet part with its old cells cut out before parsing (they are replaced anyway).

    If the cut went wrong the result would not parse or would lack ``<sheetData>``, and the
    sheet is then refused; the old cells never reach the output either way.
    """
    start = 0
    while True:
        opening = _SHEET_DATA_OPEN.search(data, start)
        if opening is None:
            return data
        closing = re.compile(rb"</" + re.escape(opening.group(1)) + rb"\s*>").search(
            data, opening.end())
        if closing is not None:
            return data[:opening.end()] + data[closing.start():]
        start = opening.start() + 1


def _nonblank(value: Any) -> bool:
    return not (value is None or (isinstance(value, str) and not value)
                or type(value).__name__ in ("NAType", "NaTType")
                or (isinstance(value, float) and value != value))


def _region_bottom(rows: Sequence[Sequence[Any]], first: int, left: int, right: int) -> int:
    """Last row of the contiguous run from row ``first`` with a value in columns left..right."""
    bottom = first - 1
    r = first
    while r <= len(rows):
        row = rows[r - 1]
        if not any(_nonblank(v) for v in row[left - 1:right]):
            break
        bottom = r
        r += 1
    return bottom


class _Plan:
    """The result of planning a write: new bytes per part, members to drop and to add."""

    def __init__(self, package: Package):
        self.package = package
        self.replaced: dict[str, bytes] = {}   # real member name -> new bytes
        self.added: dict[str, bytes] = {}      # new member name -> bytes
        self.dropped: set[str] = set()
        self.written: list[SheetWritten] = []
        self.styles_changed = False
        self.calc_chain: str | None = None

    def write_zip(self, fh: BinaryIO) -> None:
        """Write the new package: same member order, unchanged members copied as they are."""
        extra = sum(len(d) for d in self.replaced.values()) + sum(
            len(d) for d in self.added.values())
        if not _zipcopy.fits(self.package.infos, extra):
            self._write_zip_recompressing(fh)
            return
        writer = _zipcopy.RawZipWriter(fh)
        with open(self.package.path, "rb") as source:
            for info in self.package.infos:
                name = info.filename
                if name in self.dropped:
                    continue
                data = self.replaced.get(name)
                if data is None:
                    writer.copy(source, info)
                else:
                    writer.add(name, data, date_time=info.date_time,
                               external_attr=info.external_attr,
                               create_system=info.create_system,
                               stored=info.compress_type == zipfile.ZIP_STORED)
        for name, data in self.added.items():
            writer.add(name, data, date_time=_NEW_MEMBER_TIME)
        writer.close()

    def _write_zip_recompressing(self, fh: BinaryIO) -> None:
        """The same through :mod:`zipfile` (zip64-sized packages): every member recompressed."""
        with zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zout:
            for info in self.package.infos:
                name = info.filename
                if name in self.dropped:
                    continue
                data = self.replaced.get(name)
                if data is None:
                    data = self.package.read(name)
                copy = zipfile.ZipInfo(name, date_time=info.date_time)
                copy.compress_type = (info.compress_type if info.compress_type in
                                      (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
                                      else zipfile.ZIP_DEFLATED)
                copy.external_attr = info.external_attr
                copy.create_system = info.create_system
                zout.writestr(copy, data)
            for name, data in self.added.items():
                new = zipfile.ZipInfo(name, date_time=_NEW_MEMBER_TIME)
                new.compress_type = zipfile.ZIP_DEFLATED
                zout.writestr(new, data)


class _Writer:
    def __init__(self, package: Package, sheets: Mapping[str, SheetContent]):
        self.pkg = package
        self.file = package.file
        self.sheets = sheets
        self.plan = _Plan(package)
        self._xf: dict[tuple[CellStyle | None, str | None], int] = {}

    def refuse(self, what: str, sheet: str | None = None) -> WorkbookError:
        where = f" (sheet {sheet!r})" if sheet else ""
        return WorkbookError(f"{self.file}{where}: {what}; the workbook was not changed",
                             file=self.file, sheet=sheet)

    # -- the workbook ---------------------------------------------------------------------
    def build(self) -> _Plan:
        pkg = self.pkg
        if pkg.find(CONTENT_TYPES) is None:
            raise self.refuse("is not an OOXML package (no [Content_Types].xml)")
        root_rels = pkg.rels("")
        office = [rel for rel in root_rels if rel.kind == "officeDocument"]
        if not office:
            raise self.refuse("has no workbook part (not an .xlsx/.xlsm package)")
        if office[0].type.startswith("http://purl.oclc.org/"):
            raise self.refuse("is a Strict Open XML workbook, which xlperf does not write; "
                              "save it from Excel as an ordinary Excel Workbook (.xlsx)")
        if any(rel.kind == "origin" for rel in root_rels) or any(
                name.startswith("_xmlsignatures/") for name in pkg.index):
            raise self.refuse("is digitally signed; changing it would invalidate the signature")
        wb_part = office[0].part
        assert wb_part is not None
        if wb_part.lower().endswith(".bin"):
            raise self.refuse("is a binary workbook (.xlsb), which xlperf does not write")
        self.wb_part = wb_part
        wb_tree = pkg.xml(wb_part)
        wb = wb_tree.getroot()
        ns = etree.QName(wb).namespace
        if ns == NS_STRICT_MAIN:
            raise self.refuse("is a Strict Open XML workbook, which xlperf does not write; "
                              "save it from Excel as an ordinary Excel Workbook (.xlsx)")
        if ns != NS_MAIN or local(wb.tag) != "workbook":
            raise self.refuse(f"its workbook part {wb_part} is not a SpreadsheetML workbook")
        wb_rels = pkg.rels(wb_part)
        kinds = {rel.kind for rel in wb_rels}
        if "revisionHeaders" in kinds or "usernames" in kinds:
            raise self.refuse("is a shared workbook with change tracking (revision log)")
        by_id = {rel.id: rel for rel in wb_rels}
        sheets_el = next(iter(_children(wb, "sheets")), None)
        if sheets_el is None:
            raise self.refuse("its workbook part has no <sheets>")
        sheet_els = _children(sheets_el, "sheet")
        workbook_pr = next(iter(_children(wb, "workbookPr")), None)
        date1904 = workbook_pr is not None and workbook_pr.get("date1904") in ("1", "true")
        protection = next(iter(_children(wb, "workbookProtection")), None)
        structure_locked = protection is not None and protection.get("lockStructure") in (
            "1", "true")

        calc = [rel for rel in wb_rels if rel.kind == "calcChain"]
        if calc and calc[0].part and pkg.find(calc[0].part):
            self.plan.calc_chain = pkg.find(calc[0].part)
            self.plan.dropped.add(self.plan.calc_chain)  # type: ignore[arg-type]

        # styles
        styles_rel = next((rel for rel in wb_rels if rel.kind == "styles"), None)
        self.book: StyleBook | None = None
        self.styles_rel = styles_rel

        self.records: dict[int, dict[str, str]] = {}
        for names in _children(wb, "definedNames"):
            for dn in _children(names, "definedName"):
                if dn.get("name", "").lower() == RECORD_NAME.lower():
                    try:
                        self.records[int(dn.get("localSheetId", ""))] = read_record(dn.text)
                    except ValueError:
                        continue
        self.name_updates: dict[int, dict[str, tuple[str, bool]]] = {}
        self._new_index = len(sheet_els)
        seen: set[str] = set()
        new_sheets: list[tuple[str, str]] = []  # (name, part)
        filter_updates: dict[int, tuple[int, int, int, int]] = {}
        for name, content in self.sheets.items():
            check_sheet_name(name)
            if name.lower() in seen:
                raise InputError(f"sheet {name!r} is given twice (Excel ignores case)")
            seen.add(name.lower())
            if not isinstance(content, SheetContent):
                raise InputError(f"sheet {name!r}: expected a SheetContent, "
                                 f"not {type(content).__name__}")
            index, existing = next(((i, el) for i, el in enumerate(sheet_els)
                                    if (el.get("name") or "").lower() == name.lower()),
                                   (None, None))
            if existing is not None and index is not None:
                real_name = existing.get("name") or name
                rid = existing.get(f"{{{NS_R}}}id")
                rel = by_id.get(rid or "")
                if rel is None or rel.part is None or pkg.find(rel.part) is None:
                    raise self.refuse("its sheet has no worksheet part (damaged workbook)",
                                      real_name)
                if rel.kind != "worksheet":
                    what = _SHEET_KINDS.get(rel.kind, f"a {rel.kind} sheet")
                    raise self.refuse(f"the sheet is {what}, not a worksheet; rename or delete "
                                      "it, or choose another output sheet", real_name)
                part = pkg.find(rel.part)
                assert part is not None
                af = self._replace_sheet(part, real_name, content, date1904, index)
                if af is not None:
                    filter_updates[index] = af
            else:
                if structure_locked:
                    raise self.refuse("the workbook structure is protected, so no sheet can be "
                                      f"added; unprotect it or add an empty {name!r} sheet")
                part = self._new_part_name()
                self.plan.added[part] = self._new_sheet(part, name, content, date1904)
                new_sheets.append((name, part))

        if self.book is not None:
            styles = self.book.to_bytes()
            if styles is not None:
                self.plan.replaced[self.styles_part] = styles
                self.plan.styles_changed = True

        self._edit_workbook(wb_tree, sheets_el, new_sheets, filter_updates)
        self._edit_workbook_rels(wb_rels, new_sheets)
        self._edit_content_types(new_sheets)
        for name, data in {**self.plan.replaced, **self.plan.added}.items():
            check_xml(data, name, self.file)  # our own output must be well-formed
        return self.plan

    # -- styles ---------------------------------------------------------------------------
    def style_of(self, style: CellStyle | None, kind: str | None) -> int:
        try:
            return self._xf[style, kind]
        except KeyError:
            pass
        except TypeError as exc:
            raise InputError(f"a cell style must be a CellStyle or None, not {style!r}") from exc
        index = self._xf[style, kind] = self._style_of(style, kind)
        return index

    def _style_of(self, style: CellStyle | None, kind: str | None) -> int:
        if style is not None and not isinstance(style, CellStyle):
            raise InputError(f"a cell style must be a CellStyle or None, not {style!r}")
        if kind is not None:
            fmt = {"date": DATE_FORMAT, "datetime": DATETIME_FORMAT, "time": TIME_FORMAT}[kind]
            style = style or CellStyle()
            if style.number_format is None:
                style = replace(style, number_format=fmt)
        if style is None or style.is_default:
            return 0
        if self.book is None:
            rel = self.styles_rel
            part = self.pkg.find(rel.part) if rel is not None and rel.part else None
            if part is None:
                raise self.refuse("has no styles part, so output cells cannot be formatted")
            self.styles_part = part
            self.book = StyleBook(self.pkg.read(part), part=part, file=self.file)
        return self.book.xf_index(style)

    # -- sheets ---------------------------------------------------------------------------
    def _new_part_name(self) -> str:
        folder = self.wb_part.rsplit("/", 1)[0] + "/worksheets/" if "/" in self.wb_part else (
            "worksheets/")
        n = 1
        while (self.pkg.find(f"{folder}sheet{n}.xml") is not None
               or f"{folder}sheet{n}.xml" in self.plan.added):
            n += 1
        return f"{folder}sheet{n}.xml"

    def _new_sheet(self, part: str, name: str, content: SheetContent, date1904: bool) -> bytes:
        cells, last_row, last_col = sheet_data(content.rows, content.styles, self.style_of,
                                               date1904=date1904, heights=content.row_heights)
        dimension = range_ref(1, 1, max(last_row, 1), max(last_col, 1))
        pane = pane_xml(content.freeze) if content.freeze else ""
        cols = cols_xml(content.widths or (), hidden=content.hidden_columns,
                        outline=content.outline_columns)
        ext = sparkline_ext_xml(content.sparklines, name)
        ext = f"<extLst>{ext}</extLst>" if ext else ""
        setup = content.print_setup
        elements = print_elements(setup) if setup is not None else {}
        pr = ('<outlinePr summaryRight="0"/>' if content.outline_columns else "") + (
            '<pageSetUpPr fitToPage="1"/>' if setup is not None and setup.fit_width else "")
        sheet_pr = f"<sheetPr>{pr}</sheetPr>" if pr else ""
        level = ' outlineLevelCol="1"' if content.outline_columns else ""
        margins = elements.get("pageMargins", _DEFAULT_MARGINS)
        printing = "".join(elements.get(k, "") for k in PRINT_ELEMENTS[1:])
        if setup is not None:
            record = {k: digest(_fragment(xml, NS_MAIN)[0]) for k, xml in elements.items()}
            self._set_names(self._new_index, name, setup, record)
        self._new_index += 1
        self.plan.written.append(SheetWritten(name, part, True, last_row, last_col))
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
            f'<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_R}">{sheet_pr}'
            f'<dimension ref="{dimension}"/>'
            f'<sheetViews><sheetView workbookViewId="0">{pane}</sheetView></sheetViews>'
            f'<sheetFormatPr defaultRowHeight="15"{level}/>'
            f'{cols}<sheetData>{cells}</sheetData>'
            f'{margins}{printing}{ext}</worksheet>').encode()

    def _set_names(self, index: int, name: str, setup: PrintSetup,
                   record: dict[str, str]) -> None:
        """The sheet-level names of a print setup: print titles (kept when the sheet has its
        own) and the record of what xlperf wrote."""
        from xlperf.write._sheetxml import sheet_ref

        names: dict[str, tuple[str, bool]] = {RECORD_NAME: (record_text(record), False)}
        if setup.title_rows is not None:
            first, last = setup.title_rows
            names["_xlnm.Print_Titles"] = (sheet_ref(name, f"${first}:${last}"), True)
        self.name_updates[index] = names

    def _replace_sheet(self, part: str, name: str, content: SheetContent,
                       date1904: bool, index: int) -> tuple[int, int, int, int] | None:
        """Replace the cells of an existing worksheet part; returns its new autoFilter range."""
        pkg = self.pkg
        original = pkg.read(part)
        tree = parse_xml(_without_cells(original), part, self.file)
        root = tree.getroot()
        ns = etree.QName(root).namespace
        if ns != NS_MAIN or local(root.tag) != "worksheet":
            raise self.refuse(f"its part {part} is not a worksheet", name)
        sheet_rels = pkg.rels(part)
        for rel in sheet_rels:
            if rel.kind in _REFUSED_ON_SHEET:
                raise self.refuse(f"the sheet holds {_REFUSED_ON_SHEET[rel.kind]}, whose cells "
                                  "xlperf would overwrite; move it to another sheet", name)
        sheet_data_el = next(iter(_children(root, "sheetData")), None)
        if sheet_data_el is None:
            raise self.refuse("its worksheet part has no <sheetData>", name)
        prefix = _prefix(sheet_data_el)
        cells, last_row, last_col = sheet_data(content.rows, content.styles, self.style_of,
                                               date1904=date1904, prefix=prefix,
                                               heights=content.row_heights)
        for child in list(sheet_data_el):
            sheet_data_el.remove(child)
        sheet_data_el.text = None
        sheet_data_el.append(etree.ProcessingInstruction(_MARKER))

        # dimension
        dimension = range_ref(1, 1, max(last_row, 1), max(last_col, 1))
        dims = _children(root, "dimension")
        if dims:
            dims[0].set("ref", dimension)
        else:
            _insert_ordered(root, etree.Element(f"{{{ns}}}dimension", ref=dimension),
                            _WORKSHEET_ORDER)

        # layout: the sheet's own widths and panes win unless asked
        if content.widths:
            existing_cols = _children(root, "cols")
            if content.replace_layout or not existing_cols:
                for el in existing_cols:
                    root.remove(el)
                xml = cols_xml(content.widths)
                if xml:
                    _insert_ordered(root, _fragment(xml, ns)[0], _WORKSHEET_ORDER)
        if content.freeze is not None:
            self._freeze(root, ns, content.freeze, content.replace_layout)
        if content.outline_columns:
            _outline_columns(root, ns, content.outline_columns)
        if content.hidden_columns:
            _hide_columns(root, ns, content.hidden_columns)
        _replace_sparklines(root, ns, content, name)
        if content.print_setup is not None:
            same_cells = _old_cells(original) == cells.encode("utf-8")
            record = _apply_print(root, ns, content.print_setup,
                                  self.records.get(index), keep_stamp=same_cells)
            self._set_names(index, name, content.print_setup, record)

        merges = [parse_range(m.get("ref", "A1")) for mc in _children(root, "mergeCells")
                  for m in _children(mc, "mergeCell") if m.get("ref")]
        tables = self._update_tables(part, name, sheet_rels, root, content.rows, merges)

        # the sheet's own autoFilter follows the new row count
        new_filter = None
        for af in _children(root, "autoFilter"):
            try:
                top, left, _bottom, right = parse_range(af.get("ref", ""))
            except ValueError:
                continue
            bottom = max(top, _region_bottom(content.rows, top + 1, left, right))
            af.set("ref", range_ref(top, left, bottom, right))
            new_filter = (top, left, bottom, right)

        data = serialize(tree, original)
        marker = f"<?{_MARKER} ?>".encode()
        if data.count(marker) != 1:
            raise self.refuse("its worksheet part could not be rewritten safely", name)
        data = data.replace(marker, cells.encode("utf-8"))
        if data != original:  # else the part is copied as it is (a refresh with nothing new)
            self.plan.replaced[part] = data
        self.plan.written.append(SheetWritten(name, part, False, last_row, last_col,
                                              tuple(tables)))
        return new_filter

    def _freeze(self, root: etree._Element, ns: str, freeze: str, replace_layout: bool) -> None:
        views = _children(root, "sheetViews")
        if not views:
            views_el = etree.Element(f"{{{ns}}}sheetViews")
            etree.SubElement(views_el, f"{{{ns}}}sheetView", workbookViewId="0")
            _insert_ordered(root, views_el, _WORKSHEET_ORDER)
            views = [views_el]
        view_list = _children(views[0], "sheetView")
        if not view_list:
            return
        has_pane = any(_children(view, "pane") for view in view_list)
        if has_pane and not replace_layout:
            return
        parse_cell(freeze)
        new = _fragment(pane_xml(freeze), ns)
        for view in view_list:
            for el in _children(view, "pane") + _children(view, "selection"):
                view.remove(el)
            for el in reversed([copy.deepcopy(e) for e in new]):
                view.insert(0, el)
            if new and view.get("topLeftCell"):
                del view.attrib["topLeftCell"]

    def _update_tables(self, part: str, name: str, sheet_rels: list[Rel], root: etree._Element,
                       rows: Sequence[Sequence[Any]],
                       merges: list[tuple[int, int, int, int]]) -> list[str]:
        tables = [rel for rel in sheet_rels if rel.kind == "table" and rel.part]
        if not tables:
            return []
        if len(tables) > 1:
            raise self.refuse(f"the sheet holds {len(tables)} Excel tables; xlperf can resize "
                              "only one table on an output sheet", name)
        table_part = self.pkg.find(tables[0].part or "")
        if table_part is None:
            raise self.refuse("its table part is missing (damaged workbook)", name)
        original = self.pkg.read(table_part)
        tree = parse_xml(original, table_part, self.file)
        table = tree.getroot()
        display = table.get("displayName") or table.get("name") or "?"
        if table.get("tableType", "worksheet") != "worksheet":
            raise self.refuse(f"its table {display!r} is a {table.get('tableType')} table "
                              "(external data or an XML map)", name)
        if int(table.get("totalsRowCount", "0") or 0) > 0:
            raise self.refuse(f"its table {display!r} has a totals row, which xlperf does not "
                              "move; turn the totals row off", name)
        try:
            top, left, bottom, right = parse_range(table.get("ref", ""))
        except ValueError as exc:
            raise self.refuse(f"its table {display!r} has an invalid range", name) from exc
        header_rows = int(table.get("headerRowCount", "1") or 0)
        if header_rows:
            columns = [c.get("name", "") for tc in _children(table, "tableColumns")
                       for c in _children(tc, "tableColumn")]
            header = list(rows[top - 1][left - 1:right]) if top <= len(rows) else []
            header += [None] * (right - left + 1 - len(header))
            if [str(v) if isinstance(v, str) else v for v in header] != columns:
                raise self.refuse(
                    f"its table {display!r} has the columns {columns} but the header written in "
                    f"row {top} is {header}; write the same header, or delete the table", name)
        first_data = top + header_rows
        new_bottom = max(first_data, _region_bottom(rows, first_data, left, right))
        new_ref = range_ref(top, left, new_bottom, right)
        for m_top, m_left, m_bottom, m_right in merges:
            if m_left <= right and left <= m_right and m_top <= new_bottom and top <= m_bottom:
                raise self.refuse(f"its table {display!r} would overlap the merged cells "
                                  f"{range_ref(m_top, m_left, m_bottom, m_right)}", name)
        if new_ref != table.get("ref"):
            table.set("ref", new_ref)
            for af in _children(table, "autoFilter"):
                af.set("ref", new_ref)
                for sort in _children(af, "sortState"):
                    af.remove(sort)
            for sort in _children(table, "sortState"):
                table.remove(sort)
            self.plan.replaced[table_part] = serialize(tree, original)
        return [display]

    # -- workbook, rels, content types ----------------------------------------------------
    def _edit_workbook(self, tree: etree._ElementTree, sheets_el: etree._Element,
                       new_sheets: list[tuple[str, str]],
                       filter_updates: dict[int, tuple[int, int, int, int]]) -> None:
        wb = tree.getroot()
        changed = False
        self.new_rids: dict[str, str] = {}
        used_ids = {rel.id for rel in self.pkg.rels(self.wb_part)}
        sheet_ids = [int(el.get("sheetId", "0") or 0) for el in _children(sheets_el, "sheet")]
        next_sheet_id = max([0, *sheet_ids]) + 1
        for name, part in new_sheets:
            n = len(used_ids) + 1
            while f"rId{n}" in used_ids:
                n += 1
            rid = f"rId{n}"
            used_ids.add(rid)
            self.new_rids[part] = rid
            nsmap = None if NS_R in sheets_el.nsmap.values() else {"r": NS_R}
            el = etree.SubElement(sheets_el, f"{{{NS_MAIN}}}sheet", nsmap=nsmap)
            el.set("name", name)
            el.set("sheetId", str(next_sheet_id))
            el.set(f"{{{NS_R}}}id", rid)
            next_sheet_id += 1
            changed = True
        if filter_updates:
            for names in _children(wb, "definedNames"):
                for dn in _children(names, "definedName"):
                    if dn.get("name", "").lower() != "_xlnm._filterdatabase":
                        continue
                    try:
                        index = int(dn.get("localSheetId", ""))
                    except ValueError:
                        continue
                    if index not in filter_updates or not dn.text:
                        continue
                    top, left, bottom, right = filter_updates[index]
                    ref = (f"!${column_letter(left)}${top}:"
                           f"${column_letter(right)}${bottom}")
                    text = re.sub(r"![^!]*$", lambda _m, ref=ref: ref, dn.text)
                    if text != dn.text:
                        dn.text = text
                        changed = True
        if self.name_updates:
            changed = self._edit_names(wb) or changed
        calc = _children(wb, "calcPr")
        if calc:
            if calc[0].get("fullCalcOnLoad") not in ("1", "true"):
                calc[0].set("fullCalcOnLoad", "1")
                changed = True
        else:
            el = etree.Element(f"{{{NS_MAIN}}}calcPr", fullCalcOnLoad="1")
            position = 0
            for i, child in enumerate(wb):
                if local(child.tag) in _BEFORE_CALCPR and etree.QName(child).namespace == NS_MAIN:
                    position = i + 1
            wb.insert(position, el)
            changed = True
        if changed:
            self.plan.replaced[self.pkg.find(self.wb_part) or self.wb_part] = serialize(
                tree, self.pkg.read(self.wb_part))

    def _edit_names(self, wb: etree._Element) -> bool:
        """Set the sheet-level names of :attr:`name_updates`; True when something changed."""
        holders = _children(wb, "definedNames")
        if holders:
            holder = holders[0]
        else:
            holder = etree.Element(f"{{{NS_MAIN}}}definedNames")
            position = 0
            for i, child in enumerate(wb):
                if local(child.tag) in ("sheets", "functionGroups", "externalReferences"):
                    position = i + 1
            wb.insert(position, holder)
        existing = {(dn.get("name", "").lower(), dn.get("localSheetId")): dn
                    for h in holders for dn in _children(h, "definedName")}
        changed = not holders
        for index, names in sorted(self.name_updates.items()):
            for name, (text, keep_own) in names.items():
                dn = existing.get((name.lower(), str(index)))
                if dn is not None:
                    if keep_own or dn.text == text:
                        continue
                    dn.text = text
                else:
                    dn = etree.SubElement(holder, f"{{{NS_MAIN}}}definedName", name=name,
                                          localSheetId=str(index))
                    if name == RECORD_NAME:
                        dn.set("hidden", "1")
                    dn.text = text
                changed = True
        return changed

    def _edit_workbook_rels(self, wb_rels: list[Rel], new_sheets: list[tuple[str, str]]) -> None:
        name = rels_name(self.wb_part)
        real = self.pkg.find(name)
        if real is None:
            raise self.refuse("its workbook has no relationships part")
        original = self.pkg.read(real)
        tree = parse_xml(original, real, self.file)
        root = tree.getroot()
        changed = False
        for el in list(root):
            if local(el.tag) == "Relationship" and el.get("Type", "").endswith("/calcChain"):
                root.remove(el)
                changed = True
        for _name, part in new_sheets:
            el = etree.SubElement(root, f"{{{NS_PKG_REL}}}Relationship")
            el.set("Id", self.new_rids[part])
            el.set("Type", RT + "worksheet")
            el.set("Target", relative_target(self.wb_part, part))
            changed = True
        if changed:
            self.plan.replaced[real] = serialize(tree, original)

    def _edit_content_types(self, new_sheets: list[tuple[str, str]]) -> None:
        real = self.pkg.find(CONTENT_TYPES)
        assert real is not None
        original = self.pkg.read(real)
        tree = parse_xml(original, real, self.file)
        root = tree.getroot()
        changed = False
        calc = self.plan.calc_chain
        if calc is not None:
            for el in list(root):
                if (local(el.tag) == "Override"
                        and el.get("PartName", "").lstrip("/").lower() == calc.lower()):
                    root.remove(el)
                    changed = True
        for _name, part in new_sheets:
            el = etree.SubElement(root, f"{{{NS_CT}}}Override")
            el.set("PartName", "/" + part)
            el.set("ContentType", CT_WORKSHEET)
            changed = True
        if changed:
            self.plan.replaced[real] = serialize(tree, original)


# -- print setup and outline on an existing sheet ---------------------------------------------
# Margins no user chose: Excel's defaults and openpyxl's (which wrote older xlperf masters).
_DEFAULT_MARGIN_SETS = (
    {"left": 0.7, "right": 0.7, "top": 0.75, "bottom": 0.75, "header": 0.3, "footer": 0.3},
    {"left": 0.75, "right": 0.75, "top": 1.0, "bottom": 1.0, "header": 0.5, "footer": 0.5})


def _legacy_ours(name: str, el: etree._Element) -> bool:
    """On a sheet xlperf never recorded a print setup for: whether an element is one no user
    chose (Excel's default margins, a page setup without a paper size, an empty header)."""
    if name == "pageMargins":
        try:
            return any(all(abs(float(el.get(k, "nan")) - v) < 1e-6 for k, v in margins.items())
                       for margins in _DEFAULT_MARGIN_SETS)
        except ValueError:
            return False
    if name == "pageSetup":
        return el.get("paperSize") is None
    if name == "headerFooter":
        return len(el) == 0
    return False


def _apply_print(root: etree._Element, ns: str, setup: PrintSetup,
                 record: dict[str, str] | None, *, keep_stamp: bool) -> dict[str, str]:
    """Write ``setup``'s elements over the ones xlperf wrote before (their digest is in
    ``record``); an element the user changed is kept. ``keep_stamp``: the cells are unchanged,
    so xlperf's own header and footer (which show when the figures were written) stay.
    Returns the new record."""
    new = {k: _fragment(xml, ns)[0] for k, xml in print_elements(setup).items()}
    out: dict[str, str] = {}
    for name in PRINT_ELEMENTS:
        current = _children(root, name)
        now = current[0] if current else None
        if now is not None:
            mark = digest(now)
            ours = (record.get(name) == mark) if record else _legacy_ours(name, now)
            if not ours:
                continue  # the user's own
            if (keep_stamp and name == "headerFooter" and record and name in new
                    and _unstamped(now) == _unstamped(new[name])):
                out[name] = mark
                continue
        for el in current:
            root.remove(el)
        if name in new:
            _insert_ordered(root, new[name], _WORKSHEET_ORDER)
            out[name] = digest(new[name])
        if name == "pageSetup":
            _set_sheet_pr(root, ns, "pageSetUpPr", "fitToPage",
                          "1" if setup.fit_width else None)
    return out


_STAMP = re.compile(r"Refreshed .*? by xlperf")


def _unstamped(el: etree._Element) -> str:
    """A header/footer's text without xlperf's "Refreshed <time> by xlperf" stamp."""
    return "|".join(_STAMP.sub("", child.text or "") for child in el)


def _set_sheet_pr(root: etree._Element, ns: str, child: str, attribute: str,
                  value: str | None) -> None:
    """Set (or, with None, remove) an attribute of a ``<sheetPr>`` child such as
    ``pageSetUpPr``, making the elements as needed."""
    prs = _children(root, "sheetPr")
    if not prs:
        if value is None:
            return
        pr = etree.Element(f"{{{ns}}}sheetPr")
        root.insert(0, pr)
    else:
        pr = prs[0]
    found = _children(pr, child)
    if not found:
        if value is None:
            return
        el = etree.Element(f"{{{ns}}}{child}")
        order = ("tabColor", "outlinePr", "pageSetUpPr")
        _insert_ordered(pr, el, order)
    else:
        el = found[0]
    if value is None:
        el.attrib.pop(attribute, None)
    else:
        el.set(attribute, value)


def _outline_columns(root: etree._Element, ns: str, columns: Sequence[int]) -> None:
    """Group ``columns`` (outline level 1), collapsed; a sheet whose columns already carry an
    outline keeps it as it is (the user may have expanded it)."""
    if any(col.get("outlineLevel") not in (None, "0") for cols in _children(root, "cols")
           for col in _children(cols, "col")):
        return
    wanted = set(columns)
    _hide_columns(root, ns, sorted(wanted))
    for cols in _children(root, "cols"):
        for col in _children(cols, "col"):
            try:
                low, high = int(col.get("min", "0")), int(col.get("max", "0"))
            except ValueError:
                continue
            if low in wanted and all(c in wanted for c in range(low, high + 1)):
                col.set("outlineLevel", "1")
            elif low == high == min(wanted) - 1:
                col.set("collapsed", "1")
    _set_sheet_pr(root, ns, "outlinePr", "summaryRight", "0")
    formats = _children(root, "sheetFormatPr")
    if formats:
        formats[0].set("outlineLevelCol", "1")
    else:
        _insert_ordered(root, etree.Element(f"{{{ns}}}sheetFormatPr", defaultRowHeight="15",
                                            outlineLevelCol="1"), _WORKSHEET_ORDER)


# -- hidden columns and sparklines on an existing sheet ---------------------------------------
def _hide_columns(root: etree._Element, ns: str, hidden: Sequence[int]) -> None:
    """Hide ``hidden`` columns, splitting the sheet's own ``<col>`` ranges where needed and
    keeping their widths; columns already hidden are left as they are (so a second run
    changes nothing)."""
    wanted = sorted(set(hidden))
    cols_list = _children(root, "cols")
    if not cols_list:
        cols_el = etree.Element(f"{{{ns}}}cols")
        _insert_ordered(root, cols_el, _WORKSHEET_ORDER)
        cols_list = [cols_el]
    cols_el = cols_list[0]
    covered: set[int] = set()
    for other in cols_list:
        for col in _children(other, "col"):
            try:
                low, high = int(col.get("min", "0")), int(col.get("max", "0"))
            except ValueError:
                continue
            covered.update(c for c in wanted if low <= c <= high)
            if other is not cols_el or col.get("hidden") in ("1", "true"):
                continue
            inside = [c for c in wanted if low <= c <= high]
            if not inside:
                continue
            # split [low, high] into runs that are hidden or not
            pieces: list[tuple[int, int, bool]] = []
            start = low
            for c in inside:
                if c > start:
                    pieces.append((start, c - 1, False))
                pieces.append((c, c, True))
                start = c + 1
            if start <= high:
                pieces.append((start, high, False))
            position = list(cols_el).index(col)
            cols_el.remove(col)
            for offset, (a, b, hide) in enumerate(pieces):
                piece = copy.deepcopy(col)
                piece.set("min", str(a))
                piece.set("max", str(b))
                if hide:
                    piece.set("hidden", "1")
                cols_el.insert(position + offset, piece)
    missing = [c for c in wanted if c not in covered]
    for c in missing:
        el = etree.Element(f"{{{ns}}}col", min=str(c), max=str(c),
                           width=number_text(HIDDEN_WIDTH), hidden="1", customWidth="1")
        cols_el.append(el)
    if missing:
        ordered = sorted(_children(cols_el, "col"), key=lambda e: int(e.get("min", "0") or 0))
        for el in ordered:
            cols_el.remove(el)
        for el in ordered:
            cols_el.append(el)


def _refs_columns(sqref: str) -> set[int]:
    """Columns touched by a space-separated list of cells/ranges (``xm:sqref``)."""
    columns: set[int] = set()
    for ref in sqref.split():
        span = range_columns(ref.split("!")[-1])
        if span is not None:
            columns.update(range(span[0], span[1] + 1))
    return columns


def _sparkline_refs(line: etree._Element, sqref_tag: str, f_tag: str) -> tuple[str, str]:
    """The texts of a sparkline's first ``xm:sqref`` and ``xm:f`` ('' if missing), as
    ``findtext`` gives them; a loop over its few children is several times quicker than two
    ``findtext`` calls, which matters for thousands of sparklines."""
    where = data = None
    for child in line:
        tag = child.tag
        if tag == sqref_tag:
            if where is None:
                where = child.text or ""
        elif tag == f_tag and data is None:
            data = child.text or ""
    return where or "", data or ""


def _from_hidden(data: str, hidden: set[int]) -> bool:
    """Whether a sparkline's data (``Sheet!$R$5:$W$5``) lie entirely in ``hidden`` columns."""
    source = _refs_columns(data.split("!")[-1].replace("$", ""))
    return bool(source) and source <= hidden


def _replace_sparklines(root: etree._Element, ns: str, content: SheetContent,
                        sheet: str) -> None:
    """Drop the sparklines xlperf drew before and add the new ones; the user's stay.

    Ours are those drawn in a column the new sparklines use or drawn from data entirely in
    ``hidden_columns``. Emptied groups, extensions and ``extLst`` are removed.
    """
    x14 = f"{{{NS_X14}}}"
    sqref_tag, f_tag = f"{{{NS_XM}}}sqref", f"{{{NS_XM}}}f"
    ours = set()
    for g in content.sparklines:
        for s in g.sparklines:
            span = range_columns(s.location.strip())  # checked by Sparkline: never None
            if span is not None:
                ours.add(span[0])
    hidden = set(content.hidden_columns)
    ext_lists = _children(root, "extLst")
    if not ext_lists and not content.sparklines:
        return
    target_groups: etree._Element | None = None
    for ext_list in ext_lists:
        for ext in _children(ext_list, "ext"):
            if ext.get("uri", "").upper() != SPARKLINE_EXT_URI.upper():
                continue
            for groups in ext.findall(f"{x14}sparklineGroups"):
                for group in groups.findall(f"{x14}sparklineGroup"):
                    for lines in group.findall(f"{x14}sparklines"):
                        for line in lines.findall(f"{x14}sparkline"):
                            where, data = _sparkline_refs(line, sqref_tag, f_tag)
                            at = _refs_columns(where)
                            if (at and at <= ours) or (hidden and _from_hidden(data, hidden)):
                                lines.remove(line)
                        if len(lines) == 0:
                            group.remove(lines)
                    if group.find(f"{x14}sparklines") is None:
                        groups.remove(group)
                if len(groups) == 0:
                    ext.remove(groups)
                elif target_groups is None:
                    target_groups = groups
            if len(ext) == 0:
                ext_list.remove(ext)
        if len(ext_list) == 0:
            root.remove(ext_list)
    if not content.sparklines:
        return
    if target_groups is not None:
        for group in content.sparklines:
            target_groups.append(etree.fromstring(sparkline_group_xml(group, sheet).encode()))
        return
    ext_el = _fragment(sparkline_ext_xml(content.sparklines, sheet), ns)[0]
    ext_lists = _children(root, "extLst")
    if ext_lists:
        ext_lists[0].append(ext_el)
    else:
        ext_list = etree.Element(f"{{{ns}}}extLst")
        ext_list.append(ext_el)
        _insert_ordered(root, ext_list, _WORKSHEET_ORDER)
