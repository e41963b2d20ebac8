"""The lossless writer's decisions: which parts of the package change and how (see
:mod:`xlperf.write.lossless`)."""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from lxml import etree

from xlperf.core.a1 import (
    column_letter,
    parse_cell,
    parse_range,
    range_ref,
)
from xlperf.errors import InputError, WorkbookError
from xlperf.write._lossless_plan import (
    SheetContent,
    SheetWritten,
    _Plan,
    check_sheet_name,
)
from xlperf.write._lossless_xml import (
    _WORKSHEET_ORDER,
    _apply_print,
    _children,
    _fragment,
    _hide_columns,
    _insert_ordered,
    _old_cells,
    _outline_columns,
    _prefix,
    _region_bottom,
    _replace_sparklines,
    _without_cells,
    cells_outside,
)
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
    TIME_FORMAT,
    cols_xml,
    pane_xml,
    sheet_data,
    sparkline_ext_xml,
)
from xlperf.write.styles import CellStyle, StyleBook

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
        book = self._styles()
        if book is None:
            raise self.refuse("has no styles part, so output cells cannot be formatted")
        return book.xf_index(style)

    def _styles(self) -> StyleBook | None:
        """The workbook's styles, read on first use (None: it has no styles part)."""
        if self.book is None:
            rel = self.styles_rel
            part = self.pkg.find(rel.part) if rel is not None and rel.part else None
            if part is None:
                return None
            self.styles_part = part
            self.book = StyleBook(self.pkg.read(part), part=part, file=self.file)
        return self.book

    def _default_font(self) -> str:
        """The font a header's ``&"-,Bold"`` prints in (LibreOffice saves it by name)."""
        book = self._styles()
        return book.default_font if book is not None else ""

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
            font = self._default_font()
            record = {k: digest(_fragment(xml, NS_MAIN)[0], default_font=font)
                      for k, xml in elements.items()}
            record["area"] = f"{max(last_row, 1)}x{max(last_col, 1)}"
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
        titles = []
        if setup.title_columns > 0:  # Excel writes the columns first: 'S'!$A:$B,'S'!$4:$4
            titles.append(sheet_ref(name, f"$A:${column_letter(setup.title_columns)}"))
        if setup.title_rows is not None:
            first, last = setup.title_rows
            titles.append(sheet_ref(name, f"${first}:${last}"))
        if titles:
            names["_xlnm.Print_Titles"] = (",".join(titles), True)
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
        left_out: list[str] = []
        if content.print_setup is not None:
            old_cells = _old_cells(original)
            same_cells = old_cells == cells.encode("utf-8")
            before = (self.records.get(index) or {}).get("area", "")
            if "x" in before and not same_cells:  # what xlperf wrote there last time
                rows_before, _, columns_before = before.partition("x")
                if rows_before.isdigit() and columns_before.isdigit():
                    left_out = cells_outside(old_cells, int(rows_before), int(columns_before))
            record = _apply_print(root, ns, content.print_setup,
                                  self.records.get(index), keep_stamp=same_cells,
                                  default_font=self._default_font())
            record["area"] = f"{max(last_row, 1)}x{max(last_col, 1)}"
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
                                              tuple(tables), tuple(left_out)))
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
                    text = re.sub(r"![^!]*$", ref.replace("\\", r"\\"), dn.text)
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
                    if name == RECORD_NAME and dn.get("hidden") not in ("1", "true"):
                        dn.set("hidden", "1")  # LibreOffice saves it as hidden="false"
                        changed = True
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
