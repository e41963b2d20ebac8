"""Cell styles for the lossless writer, appended to a workbook's ``styles.xml`` without renumbering.

A :class:`CellStyle` is plain data (bold, font colour, fill, number format, alignment). A
:class:`StyleBook` maps each one to a ``cellXfs`` index of the user's own ``styles.xml``:

- an existing font, fill, number format or ``xf`` with exactly the wanted content is reused, so a
  second run with the same styles leaves ``styles.xml`` byte-identical;
- anything missing is *appended* to its list (fonts, fills, numFmts, cellXfs) and the list's
  ``count`` updated; nothing existing is moved, so every index the workbook already uses (cells,
  conditional formats, tables) still means what it meant;
- fonts derive from the workbook's default font (``fonts[0]``: its name, size, family, scheme), so
  output sheets look like the rest of the workbook.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass

from lxml import etree

from xlperf.errors import InputError, WorkbookError
from xlperf.write._opc import local, parse_xml, serialize

__all__ = ["CellStyle", "StyleBook"]

# ECMA-376 Part 1, 18.8.30: built-in formats whose codes do not depend on the locale.
BUILTIN_FORMATS = {
    "General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10,
    "0.00E+00": 11, "@": 49,
}
_HEX = re.compile(r"#?([0-9A-Fa-f]{6})")
_HORIZONTAL = {"general", "left", "center", "right", "fill", "justify", "centerContinuous",
               "distributed"}
_VERTICAL = {"top", "center", "bottom", "justify", "distributed"}
_STYLESHEET_ORDER = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs",
                     "cellStyles", "dxfs", "tableStyles", "colors", "extLst")
MAX_CELL_XFS = 64000


def _argb(colour: str, what: str) -> str:
    match = _HEX.fullmatch(colour.strip())
    if not match:
        raise InputError(f"{what} {colour!r} is not a colour like '#D4351C'")
    return "FF" + match.group(1).upper()


@dataclass(frozen=True)
class CellStyle:
    """How one output cell looks. The default (all empty) is the workbook's Normal style.

    ``color`` is the font colour and ``fill`` a solid background, both ``"#RRGGBB"``;
    ``number_format`` is an Excel format code such as ``"0.0"``, ``"0%"`` or ``"yyyy-mm-dd"``;
    ``horizontal`` / ``vertical`` are Excel alignment words (``"center"``, ``"top"``...);
    ``indent``: the text this many characters in from the cell's left edge (left-aligned), so
    a right-aligned figure in the cell before never runs into it in print.
    """

    bold: bool = False
    italic: bool = False
    color: str | None = None
    fill: str | None = None
    number_format: str | None = None
    wrap: bool = False
    horizontal: str | None = None
    vertical: str | None = None
    indent: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.indent <= 15:
            raise InputError(f"indent {self.indent!r} is not 0 to 15 characters")
        if self.color is not None:
            _argb(self.color, "font colour")
        if self.fill is not None:
            _argb(self.fill, "fill colour")
        if self.horizontal is not None and self.horizontal not in _HORIZONTAL:
            raise InputError(f"horizontal alignment {self.horizontal!r} is not one of "
                             f"{sorted(_HORIZONTAL)}")
        if self.vertical is not None and self.vertical not in _VERTICAL:
            raise InputError(f"vertical alignment {self.vertical!r} is not one of "
                             f"{sorted(_VERTICAL)}")
        if self.number_format is not None and not (0 < len(self.number_format) <= 255):
            raise InputError(f"number format {self.number_format!r} is empty or too long")

    @property
    def is_default(self) -> bool:
        return self == _DEFAULT


_DEFAULT = CellStyle()


def _key(el: etree._Element) -> tuple:
    """Content of an element, ignoring whitespace between elements and namespace prefixes."""
    return (el.tag, tuple(sorted(el.attrib.items())),
            tuple(_key(child) for child in el if isinstance(child.tag, str)))


class StyleBook:
    """The styles of one workbook, growing only by appending."""

    def __init__(self, data: bytes, *, part: str = "xl/styles.xml", file: str = ""):
        self.original = data
        self.file = file
        self.tree = parse_xml(data, part, file)
        self.root = self.tree.getroot()
        self.ns = etree.QName(self.root).namespace or ""
        self.changed = False
        self._cache: dict[CellStyle, int] = {}
        for needed in ("fonts", "fills", "borders", "cellXfs"):
            container = self._container(needed, create=False)
            if container is None or not self._items(container):
                raise WorkbookError(f"{file}: its styles part has no <{needed}> entries, so "
                                    "output cells cannot be formatted safely; not written",
                                    file=file)

    # -- containers -------------------------------------------------------------------------
    def _q(self, name: str) -> str:
        return f"{{{self.ns}}}{name}" if self.ns else name

    def _container(self, name: str, *, create: bool) -> etree._Element | None:
        for child in self.root:
            if local(child.tag) == name:
                return child
        if not create:
            return None
        el = etree.Element(self._q(name), nsmap=None)
        rank = _STYLESHEET_ORDER.index(name)
        position = 0
        for i, child in enumerate(self.root):
            tag = local(child.tag)
            if tag in _STYLESHEET_ORDER and _STYLESHEET_ORDER.index(tag) < rank:
                position = i + 1
        self.root.insert(position, el)
        return el

    @staticmethod
    def _items(container: etree._Element) -> list[etree._Element]:
        return [child for child in container if isinstance(child.tag, str)]

    def _find_or_append(self, container_name: str, el: etree._Element) -> int:
        container = self._container(container_name, create=True)
        assert container is not None
        items = self._items(container)
        wanted = _key(el)
        for i, item in enumerate(items):
            if _key(item) == wanted:
                return i
        container.append(el)
        container.set("count", str(len(items) + 1))
        self.changed = True
        return len(items)

    def _el(self, name: str, **attrs: str) -> etree._Element:
        el = etree.Element(self._q(name))
        for k, v in attrs.items():
            el.set(k, v)
        return el

    # -- parts of a style -------------------------------------------------------------------
    def _font_id(self, style: CellStyle) -> int:
        if not (style.bold or style.italic or style.color):
            return 0
        base = self._items(self._container("fonts", create=False))[0]
        font = self._el("font")
        if style.bold:
            font.append(self._el("b"))
        if style.italic:
            font.append(self._el("i"))
        by_name = {local(child.tag): child for child in base if isinstance(child.tag, str)}
        for name in ("sz", "color", "name", "family", "charset", "scheme"):
            if name == "color" and style.color is not None:
                font.append(self._el("color", rgb=_argb(style.color, "font colour")))
            elif name in by_name:
                font.append(copy.deepcopy(by_name[name]))
        for child in font:  # copies may carry their own whitespace
            child.tail = None
            child.text = None
        return self._find_or_append("fonts", font)

    def _fill_id(self, style: CellStyle) -> int:
        if style.fill is None:
            return 0
        fill = self._el("fill")
        pattern = etree.SubElement(fill, self._q("patternFill"), patternType="solid")
        etree.SubElement(pattern, self._q("fgColor"), rgb=_argb(style.fill, "fill colour"))
        etree.SubElement(pattern, self._q("bgColor"), indexed="64")
        return self._find_or_append("fills", fill)

    def _num_fmt_id(self, style: CellStyle) -> int:
        code = style.number_format
        if code is None:
            return 0
        if code in BUILTIN_FORMATS:
            return BUILTIN_FORMATS[code]
        container = self._container("numFmts", create=False)
        used = set()
        if container is not None:
            for item in self._items(container):
                if item.get("formatCode") == code:
                    return int(item.get("numFmtId", "0"))
                used.add(int(item.get("numFmtId", "0")))
        new_id = max([163, *used]) + 1
        container = self._container("numFmts", create=True)
        assert container is not None
        container.append(self._el("numFmt", numFmtId=str(new_id), formatCode=code))
        container.set("count", str(len(self._items(container))))
        self.changed = True
        return new_id

    # -- public -----------------------------------------------------------------------------
    @property
    def default_font(self) -> str:
        """The name of the workbook's default font (its first ``<font>``), or ``""``."""
        fonts = self._container("fonts", create=False)
        first = self._items(fonts)[0] if fonts is not None else None
        for child in first if first is not None else ():
            if local(child.tag) == "name":
                return child.get("val", "")
        return ""

    def xf_index(self, style: CellStyle | None) -> int:
        """The ``cellXfs`` index for a style (0, the Normal style, for None or the default)."""
        if style is None or style.is_default:
            return 0
        if style in self._cache:
            return self._cache[style]
        num_fmt, font, fill = self._num_fmt_id(style), self._font_id(style), self._fill_id(style)
        xf = self._el("xf", numFmtId=str(num_fmt), fontId=str(font), fillId=str(fill),
                      borderId="0", xfId="0")
        if num_fmt:
            xf.set("applyNumberFormat", "1")
        if font:
            xf.set("applyFont", "1")
        if fill:
            xf.set("applyFill", "1")
        if style.wrap or style.horizontal or style.vertical or style.indent:
            xf.set("applyAlignment", "1")
            alignment = etree.SubElement(xf, self._q("alignment"))
            horizontal = style.horizontal or ("left" if style.indent else None)
            if horizontal:  # Excel indents left-aligned text only
                alignment.set("horizontal", horizontal)
            if style.vertical:
                alignment.set("vertical", style.vertical)
            if style.wrap:
                alignment.set("wrapText", "1")
            if style.indent:
                alignment.set("indent", str(style.indent))
        index = self._find_or_append("cellXfs", xf)
        if index >= MAX_CELL_XFS:
            raise WorkbookError(f"{self.file}: the workbook already has {MAX_CELL_XFS} cell "
                                "formats, Excel's limit; not written", file=self.file)
        self._cache[style] = index
        return index

    def to_bytes(self) -> bytes | None:
        """The new ``styles.xml``, or None when nothing was appended (keep the original bytes)."""
        if not self.changed:
            return None
        return serialize(self.tree, self.original)
