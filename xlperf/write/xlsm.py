"""Turn an ``.xlsx`` xlperf made into an ``.xlsm`` with xlwings' quickstart VBA and a button.

openpyxl cannot write VBA, so the macro-enabled master is made at zip level from the ``.xlsx``
that :func:`~xlperf.write.master.build_master` writes. Every part is copied unchanged except:

* ``[Content_Types].xml``: the workbook part becomes ``application/vnd.ms-excel.sheet.
  macroEnabled.main+xml``; defaults for ``.bin`` (the VBA project) and ``.vml`` are added;
* ``xl/_rels/workbook.xml.rels``: a ``vbaProject`` relationship to ``xl/vbaProject.bin``;
* ``xl/workbook.xml``: ``<workbookPr codeName="ThisWorkbook">`` and each worksheet's
  ``<sheetPr codeName="SheetN">`` (N its position), the names the VBA project's document modules
  use, as Excel and XlsxWriter write them;
* the button's sheet: a ``<legacyDrawing>`` pointing at a new VML drawing with one form-control
  button (``ObjectType="Button"``, ``FmlaMacro``), the form Excel itself writes (see
  ``button07.xlsm`` in the shared Excel-made corpus), and its relationship.

New parts: ``xl/vbaProject.bin`` (see ``xlperf/write/vba/README.md`` for where it comes from
and its BSD licence) and ``xl/drawings/vmlDrawingN.vml``.
"""

from __future__ import annotations

import html
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from xlperf.errors import WorkbookError
from xlperf.write._opc import (
    CONTENT_TYPES,
    NS_CT,
    NS_MAIN,
    NS_PKG_REL,
    NS_R,
    RT,
    RT_MS,
    local,
    parse_xml,
    relative_target,
    rels_name,
    resolve_target,
    serialize,
)

__all__ = ["VBA_PROJECT", "Button", "make_xlsm"]

#: xlwings' quickstart VBA project (Module1.SampleCall runs ``import <book>; <book>.main()``).
VBA_PROJECT = Path(__file__).with_name("vba") / "vbaProject.bin"
CT_MACRO_WORKBOOK = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
CT_VBA = "application/vnd.ms-office.vbaProject"
CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"
_AFTER_LEGACY = ("legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls",
                 "webPublishItems", "tableParts", "extLst")


@dataclass(frozen=True)
class Button:
    """A form-control button on ``sheet`` that runs ``macro``.

    ``anchor``: Excel's VML anchor, 0-based (left column, offset px, top row, offset px, right
    column, offset px, bottom row, offset px). ``left``/``top``/``width``/``height`` in points
    are the same box for readers that ignore the anchor.
    """

    sheet: str
    caption: str
    macro: str
    anchor: tuple[int, int, int, int, int, int, int, int]
    left: float
    top: float
    width: float
    height: float


def _vml(button: Button, shape_id: int, data_id: int) -> bytes:
    anchor = ", ".join(str(n) for n in button.anchor)
    caption = html.escape(button.caption)
    macro = html.escape(f"[0]!{button.macro}")
    return (
        '<xml xmlns:v="urn:schemas-microsoft-com:vml"\n'
        ' xmlns:o="urn:schemas-microsoft-com:office:office"\n'
        ' xmlns:x="urn:schemas-microsoft-com:office:excel">\n'
        f' <o:shapelayout v:ext="edit">\n  <o:idmap v:ext="edit" data="{data_id}"/>\n'
        ' </o:shapelayout><v:shapetype id="_x0000_t201" coordsize="21600,21600" o:spt="201"\n'
        '  path="m,l,21600r21600,l21600,xe">\n  <v:stroke joinstyle="miter"/>\n'
        '  <v:path shadowok="f" o:extrusionok="f" strokeok="f" fillok="f" '
        'o:connecttype="rect"/>\n  <o:lock v:ext="edit" shapetype="t"/>\n'
        f' </v:shapetype><v:shape id="_x0000_s{shape_id}" type="#_x0000_t201" '
        f"style='position:absolute;\n  margin-left:{button.left:g}pt;margin-top:{button.top:g}pt;"
        f"width:{button.width:g}pt;height:{button.height:g}pt;z-index:1;\n"
        "  mso-wrap-style:tight' o:button=\"t\" fillcolor=\"buttonFace [67]\" "
        'strokecolor="windowText [64]"\n  o:insetmode="auto">\n'
        '  <v:fill color2="buttonFace [67]" o:detectmouseclick="t"/>\n'
        '  <o:lock v:ext="edit" rotation="t"/>\n'
        "  <v:textbox style='mso-direction-alt:auto' o:singleclick=\"f\">\n"
        f"   <div style='text-align:center'><font face=\"Calibri\" size=\"220\"\n"
        f'   color="#000000">{caption}</font></div>\n  </v:textbox>\n'
        '  <x:ClientData ObjectType="Button">\n'
        f"   <x:Anchor>\n    {anchor}</x:Anchor>\n"
        "   <x:PrintObject>False</x:PrintObject>\n   <x:AutoFill>False</x:AutoFill>\n"
        f"   <x:FmlaMacro>{macro}</x:FmlaMacro>\n"
        "   <x:TextHAlign>Center</x:TextHAlign>\n   <x:TextVAlign>Center</x:TextVAlign>\n"
        "  </x:ClientData>\n </v:shape></xml>"
    ).encode()


def _next_rel_id(root: etree._Element) -> str:
    used = {el.get("Id", "") for el in root}
    n = 1
    while f"rId{n}" in used:
        n += 1
    return f"rId{n}"


def make_xlsm(xlsx: str | Path, out: str | Path, *, button: Button | None = None,
              vba_project: bytes | None = None) -> Path:
    """Write ``out`` (an ``.xlsm``): the workbook at ``xlsx`` with the VBA project and, when
    given, ``button``. Members keep their order and timestamps; the result is the same bytes
    for the same input."""
    source, target = Path(xlsx), Path(out)
    vba = VBA_PROJECT.read_bytes() if vba_project is None else vba_project
    with zipfile.ZipFile(source) as zin:
        infos = zin.infolist()
        parts = {info.filename: zin.read(info.filename) for info in infos}
    file = str(source)
    if "xl/vbaProject.bin" in parts:
        raise WorkbookError(f"{source}: already holds a VBA project", file=file)
    stamp = next(i.date_time for i in infos if i.filename == "xl/workbook.xml")
    new: dict[str, bytes] = {}

    # workbook.xml: ThisWorkbook code name; the worksheets in order
    wb_tree = parse_xml(parts["xl/workbook.xml"], "xl/workbook.xml", file)
    wb_root = wb_tree.getroot()
    pr = wb_root.find(f"{{{NS_MAIN}}}workbookPr")
    if pr is None:
        pr = etree.Element(f"{{{NS_MAIN}}}workbookPr")
        wb_root.insert(0, pr)
    pr.set("codeName", "ThisWorkbook")
    parts["xl/workbook.xml"] = serialize(wb_tree, parts["xl/workbook.xml"])

    rels_part = "xl/_rels/workbook.xml.rels"
    rels_tree = parse_xml(parts[rels_part], rels_part, file)
    by_id = {el.get("Id"): el for el in rels_tree.getroot()}
    sheets: list[tuple[str, str]] = []
    for el in wb_root.iter(f"{{{NS_MAIN}}}sheet"):
        rel = by_id.get(el.get(f"{{{NS_R}}}id"))
        if rel is not None and rel.get("Type") == RT + "worksheet":
            sheets.append((el.get("name", ""), resolve_target("xl/workbook.xml",
                                                              rel.get("Target", ""))))
    rel = etree.SubElement(rels_tree.getroot(), f"{{{NS_PKG_REL}}}Relationship")
    rel.set("Id", _next_rel_id(rels_tree.getroot()))
    rel.set("Type", RT_MS + "vbaProject")
    rel.set("Target", "vbaProject.bin")
    parts[rels_part] = serialize(rels_tree, parts[rels_part])
    new["xl/vbaProject.bin"] = vba

    # each worksheet: its code name; the button's sheet: a legacy drawing
    for position, (name, part) in enumerate(sheets, 1):
        tree = parse_xml(parts[part], part, file)
        root = tree.getroot()
        sheet_pr = root.find(f"{{{NS_MAIN}}}sheetPr")
        if sheet_pr is None:
            sheet_pr = etree.Element(f"{{{NS_MAIN}}}sheetPr")
            root.insert(0, sheet_pr)
        sheet_pr.set("codeName", f"Sheet{position}")
        if button is not None and name == button.sheet:
            _add_button(tree, part, parts, new, button, position, file)
        parts[part] = serialize(tree, parts[part])
    if button is not None and button.sheet not in [n for n, _ in sheets]:
        raise WorkbookError(f"{source}: no worksheet {button.sheet!r} for the button", file=file)

    # content types
    ct_tree = parse_xml(parts[CONTENT_TYPES], CONTENT_TYPES, file)
    ct_root = ct_tree.getroot()
    for el in ct_root:
        if local(el.tag) == "Override" and el.get("PartName") == "/xl/workbook.xml":
            el.set("ContentType", CT_MACRO_WORKBOOK)
    defaults = {el.get("Extension", "").lower() for el in ct_root if local(el.tag) == "Default"}
    for extension, kind in (("bin", CT_VBA), ("vml", CT_VML)):
        if extension not in defaults:
            el = etree.Element(f"{{{NS_CT}}}Default")
            el.set("Extension", extension)
            el.set("ContentType", kind)
            ct_root.insert(0, el)
    parts[CONTENT_TYPES] = serialize(ct_tree, parts[CONTENT_TYPES])

    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in infos:
            _write(zout, info.filename, parts[info.filename], info.date_time)
        for name, data in new.items():
            _write(zout, name, data, stamp)
    return target


def _write(zout: zipfile.ZipFile, name: str, data: bytes, stamp: tuple[int, ...]) -> None:
    info = zipfile.ZipInfo(name, date_time=stamp[:6])  # type: ignore[arg-type]
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16
    zout.writestr(info, data)


def _add_button(tree: etree._ElementTree, part: str, parts: dict[str, bytes],
                new: dict[str, bytes], button: Button, position: int, file: str) -> None:
    root = tree.getroot()
    if root.find(f"{{{NS_MAIN}}}legacyDrawing") is not None:
        raise WorkbookError(f"{file}: sheet {button.sheet!r} has a legacy drawing already",
                            file=file, sheet=button.sheet)
    n = 1
    while f"xl/drawings/vmlDrawing{n}.vml" in parts or f"xl/drawings/vmlDrawing{n}.vml" in new:
        n += 1
    vml_part = f"xl/drawings/vmlDrawing{n}.vml"
    new[vml_part] = _vml(button, shape_id=1024 * position + 1, data_id=position)
    sheet_rels = rels_name(part)
    if sheet_rels in parts:
        rels_tree = parse_xml(parts[sheet_rels], sheet_rels, file)
    else:
        rels_tree = etree.ElementTree(etree.Element(f"{{{NS_PKG_REL}}}Relationships",
                                                    nsmap={None: NS_PKG_REL}))
    rel_id = _next_rel_id(rels_tree.getroot())
    rel = etree.SubElement(rels_tree.getroot(), f"{{{NS_PKG_REL}}}Relationship")
    rel.set("Id", rel_id)
    rel.set("Type", RT + "vmlDrawing")
    rel.set("Target", relative_target(part, vml_part))
    data = serialize(rels_tree, parts.get(sheet_rels, b""))
    if sheet_rels in parts:
        parts[sheet_rels] = data
    else:
        new[sheet_rels] = data
    legacy = etree.Element(f"{{{NS_MAIN}}}legacyDrawing", nsmap={"r": NS_R})
    legacy.set(f"{{{NS_R}}}id", rel_id)
    after = next((i for i, el in enumerate(root) if local(el.tag) in _AFTER_LEGACY), None)
    if after is None:
        root.append(legacy)
    else:
        root.insert(after, legacy)
