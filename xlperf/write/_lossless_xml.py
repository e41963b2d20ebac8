"""Edits inside one worksheet part for the lossless writer: old cells out, print setup,
outline and hidden columns, sparklines (see :mod:`xlperf.write.lossless`)."""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from typing import Any

from lxml import etree

from xlperf.core.a1 import (
    column_number,
    range_columns,
)
from xlperf.write._lossless_plan import (
    SheetContent,
)
from xlperf.write._opc import (
    local,
)
from xlperf.write._print import (
    PRINT_ELEMENTS,
    PRINTER_STATE,
    PrintSetup,
    digest,
    is_ours,
    meaning,
    print_elements,
)
from xlperf.write._sheetxml import (
    HIDDEN_WIDTH,
    NS_X14,
    NS_XM,
    SPARKLINE_EXT_URI,
    number_text,
    sparkline_ext_xml,
    sparkline_group_xml,
)

_WORKSHEET_ORDER = (
    "sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr",
    "sheetProtection", "protectedRanges", "scenarios", "autoFilter", "sortState",
    "dataConsolidate", "customSheetViews", "mergeCells", "phoneticPr", "conditionalFormatting",
    "dataValidations", "hyperlinks", "printOptions", "pageMargins", "pageSetup", "headerFooter",
    "rowBreaks", "colBreaks", "customProperties", "cellWatches", "ignoredErrors", "smartTags",
    "drawing", "legacyDrawing", "legacyDrawingHF", "drawingHF", "picture", "oleObjects",
    "controls", "webPublishItems", "tableParts", "extLst")


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


_CELL = re.compile(rb'<(?:[\w.-]+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:[\w.-]+:)?c\s*>)', re.S)
_CELL_REF = re.compile(rb'\br="([A-Z]{1,3})([0-9]+)"')


def cells_outside(cells: bytes | None, rows: int, columns: int) -> list[str]:
    """The A1 references of the cells holding something (a value, a formula, a text) in
    ``cells`` (a ``<sheetData>``'s bytes) that lie outside the first ``rows`` rows and
    ``columns`` columns: on an output sheet, what the user typed beyond xlperf's table.

    >>> cells_outside(b'<row r="1"><c r="A1"><v>1</v></c><c r="AF1" t="inlineStr">'
    ...               b'<is><t>mine</t></is></c><c r="AG1" s="3"/></row>', 10, 30)
    ['AF1']
    """
    if not cells:
        return []
    found = []
    for match in _CELL.finditer(cells):
        inner = match.group(2)
        if not inner or not any(tag in inner for tag in (b"<v", b"<f", b"<is", b":v", b":f")):
            continue
        ref = _CELL_REF.search(match.group(1))
        if ref is None:
            continue
        letters, row = ref.group(1).decode(), int(ref.group(2))
        if row > rows or column_number(letters) > columns:
            found.append(f"{letters}{row}")
    return found


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
                 record: dict[str, str] | None, *, keep_stamp: bool,
                 default_font: str) -> dict[str, str]:
    """Write ``setup``'s elements over the ones xlperf wrote before (their digest is in
    ``record``; compared by meaning, so a save by another program keeps them xlperf's); an
    element the user changed is kept. ``keep_stamp``: the cells are unchanged, so xlperf's own
    header and footer (which show when the figures were written) stay. ``default_font``: the
    workbook's, which LibreOffice names in a header's font code. Returns the new record."""
    new = {k: _fragment(xml, ns)[0] for k, xml in print_elements(setup).items()}
    out: dict[str, str] = {}
    for name in PRINT_ELEMENTS:
        current = _children(root, name)
        now = current[0] if current else None
        if now is not None:
            ours = (is_ours(now, record.get(name), default_font=default_font) if record
                    else _legacy_ours(name, now))
            if not ours:
                continue  # the user's own
            if (keep_stamp and name == "headerFooter" and record and name in new
                    and _unstamped(now, default_font) == _unstamped(new[name], default_font)):
                out[name] = digest(now, default_font=default_font)
                continue
            if name == "pageSetup" and name in new:
                _keep_printer(now, new[name])
        for el in current:
            root.remove(el)
        if name in new:
            _insert_ordered(root, new[name], _WORKSHEET_ORDER)
            out[name] = digest(new[name], default_font=default_font)
        if name == "pageSetup":
            _set_sheet_pr(root, ns, "pageSetUpPr", "fitToPage",
                          "1" if setup.fit_width else None)
    return out


def _keep_printer(old: etree._Element, new: etree._Element) -> None:
    """Carry a page setup's printer state (dpi, copies, its printer settings part) over to the
    one xlperf writes in its place: not part of its meaning, and the part stays referenced."""
    for key, value in old.attrib.items():
        if etree.QName(key).localname in PRINTER_STATE:
            new.set(key, value)


_STAMP = re.compile(r"Refreshed .*? by xlperf")


def _unstamped(el: etree._Element, default_font: str) -> str:
    """A header/footer's meaning without xlperf's "Refreshed <time> by xlperf" stamp."""
    return _STAMP.sub("", meaning(el, default_font=default_font))


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
