"""Print setup of an output sheet: paper, fit, header and footer, page breaks, as worksheet XML.

A :class:`PrintSetup` is plain data; :func:`plan_print` works out from the columns' widths and
the rows' heights whether the sheet fits one page wide with its text still at least 8 pt, and
where to break pages so a priority's header row never ends a page. :func:`print_elements`
turns a setup into the worksheet elements (``pageMargins``, ``pageSetup``, ``headerFooter``,
``rowBreaks``) the lossless writer puts on the sheet.

The user's own setting wins: the writer records a digest of each element it wrote (a hidden
sheet-level name ``_xlperf_print``); on the next refresh an element whose digest still matches
is xlperf's and is rewritten, one the user changed in Page Setup (a paper size, margins...) is
kept. The digest is of the element's *meaning* (:func:`meaning`: the schema's defaults filled,
numbers as numbers, texts unescaped, margins to a hundredth of an inch), so a save by
LibreOffice or openpyxl, which rewrites the same setup in other bytes, leaves it xlperf's.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from lxml import etree

from xlperf.errors import InputError

__all__ = ["PAPER_SIZES", "PrintSetup", "plan_print", "print_elements"]

#: Paper sizes xlperf prints on (ECMA-376 18.18.x ``paperSize`` codes) and their size in points.
PAPER_SIZES: dict[str, tuple[int, float, float]] = {
    "A4": (9, 595.3, 841.9), "A3": (8, 841.9, 1190.6)}
#: Margins in inches: left, right, top, bottom, header, footer (narrow-ish, room for the
#: header and footer lines).
MARGINS = (0.4, 0.4, 0.75, 0.75, 0.3, 0.3)
MIN_TEXT_PT = 8.0
BODY_PT = 11.0  # the workbook's default font size (Calibri 11)
RECORD_NAME = "_xlperf_print"
# Neither Excel nor LibreOffice grows a row on opening, so each row with wrapped text is given
# its height by xlperf (wrapped_lines), up to MAX_LINES lines; the full text is in the cell.
LINE_HEIGHT = 15.0
MAX_LINES = 6
PRINT_ELEMENTS = ("pageMargins", "pageSetup", "headerFooter", "rowBreaks")


@dataclass(frozen=True)
class PrintSetup:
    """How an output sheet prints.

    ``paper`` ``"A4"`` or ``"A3"``; ``fit_width`` pages wide (0: no fit, 100 %); ``title_rows``
    the rows repeated at the top of every page (first, last); ``title_columns`` how many
    leading columns are repeated at the left of every page (0: none); ``header`` / ``footer`` in
    Excel's header codes (``&P`` page, ``&N`` pages, ``&L`` / ``&C`` / ``&R`` sections);
    ``row_breaks`` rows after which a new page starts.
    """

    paper: str = "A4"
    landscape: bool = True
    fit_width: int = 1
    title_rows: tuple[int, int] | None = None
    title_columns: int = 0
    header: str = ""
    footer: str = ""
    row_breaks: tuple[int, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.paper not in PAPER_SIZES:
            raise InputError(f"paper size {self.paper!r} is not one of {', '.join(PAPER_SIZES)}")
        if not 0 <= int(self.fit_width) <= 32767:
            raise InputError(f"fit to {self.fit_width} pages wide is out of range")
        for text in (self.header, self.footer):
            if len(text) > 255:  # Excel's limit for a header or footer
                raise InputError("a print header or footer is longer than 255 characters")


def column_points(width: float) -> float:
    """A column width in Excel's characters (of the default font) as printed points."""
    return (width * 7 + 5) * 0.75 if width > 0 else 0.0


def plan_print(widths: Sequence[float], heights: Sequence[float], *, paper: str = "A4",
               landscape: bool = True, title_height: float = 15.0,
               keep_with_next: Sequence[int] = (),
               title_columns: int = 0) -> tuple[int, tuple[int, ...], float]:
    """(pages wide, row breaks, scale) for a sheet whose printed columns are ``widths`` (in
    characters) and rows ``heights`` (points, row 1 first).

    One page wide when that keeps the text at :data:`MIN_TEXT_PT` or more; otherwise as few
    pages wide as keep it so, counting the ``title_columns`` (the leading columns that say
    what a row is about) again on every page after the first, where they are repeated.
    ``keep_with_next``: 1-based rows (a priority's header) that must not be the last on a
    page: a break goes before one that would be.

    >>> plan_print([14, 44, 20, 10], [15.0] * 10)[0]
    1
    >>> plan_print([60] * 5, [15.0] * 10)[0], plan_print([60] * 5, [15.0] * 10, title_columns=2)[0]
    (2, 3)
    """
    _code, short, long = PAPER_SIZES[paper]
    page_w, page_h = (long, short) if landscape else (short, long)
    left, right, top, bottom, _h, _f = MARGINS
    usable_w = page_w - (left + right) * 72
    usable_h = page_h - (top + bottom) * 72
    columns = sum(column_points(w) for w in widths) or 1.0
    repeated = sum(column_points(w) for w in widths[:title_columns])
    least = MIN_TEXT_PT / BODY_PT
    pages = max(1, math.ceil(columns * least / usable_w - 1e-9))
    total = columns
    while pages > 1 and repeated:  # each repeat takes room on its page: perhaps a page more
        total = columns + repeated * (pages - 1)
        more = max(1, math.ceil(total * least / usable_w - 1e-9))
        if more <= pages or repeated * least >= usable_w:
            break
        pages = more
    scale = min(1.0, pages * usable_w / total)
    breaks: list[int] = []
    room = usable_h / scale - title_height
    used = 0.0
    keep = set(keep_with_next)
    for row, height in enumerate(heights, 1):
        following = heights[row] if row in keep and row < len(heights) else 0.0
        if used and used + height + following > room + 1e-9:
            breaks.append(row - 1)
            used = 0.0
        used += height
    # Only the breaks that keep a header with its rows are written; the others are where the
    # spreadsheet breaks anyway, and its own breaks follow the scale it really uses.
    wanted = tuple(b for b in breaks if b + 1 in keep)
    return pages, wanted, scale


def wrapped_lines(text: str, width: float) -> int:
    """How many lines ``text`` takes wrapped in a column ``width`` characters wide (a width
    counts digits; words of proportional text are narrower, so a line holds 1.15 as many).

    >>> wrapped_lines("a" * 100, 50), wrapped_lines("one\\ntwo", 50)
    (2, 2)
    """
    room = max(1.0, (width - 1) * 1.15)
    return sum(max(1, math.ceil(len(line) / room)) for line in text.splitlines())


def bold_lines(text: str, width: float) -> int:
    """How many lines bold ``text`` (a column's header) takes wrapped at its words in a
    column ``width`` characters wide: a bold letter is about as wide as a digit, and a line
    breaks only between words, so a header wraps to more lines than its length says.

    >>> bold_lines("◐ On target (upper half)", 8), wrapped_lines("◐ On target (upper half)", 8)
    (4, 3)
    """
    room = max(1.0, width - 1)
    lines = 0
    for paragraph in text.splitlines() or [""]:
        used, count = 0.0, 1
        for word in paragraph.split():
            if used and used + 1 + len(word) > room:
                count, used = count + 1, 0.0
            if len(word) > room:  # a word longer than the column breaks inside it
                extra = math.ceil(len(word) / room) - 1
                count, used = count + extra, len(word) - extra * room
            else:
                used += (1 if used else 0) + len(word)
        lines += count
    return lines


def row_height(lines: int) -> float:
    """The height (points) of a row whose tallest wrapped cell takes ``lines`` lines."""
    return LINE_HEIGHT * min(lines, MAX_LINES)


def _attr(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def print_elements(setup: PrintSetup, prefix: str = "") -> dict[str, str]:
    """The worksheet elements of ``setup`` by name (``pageMargins``, ``pageSetup``,
    ``headerFooter`` and ``rowBreaks`` when there are breaks)."""
    p = prefix
    code = PAPER_SIZES[setup.paper][0]
    left, right, top, bottom, header, footer = MARGINS
    fit = (f' fitToWidth="{setup.fit_width}" fitToHeight="0"' if setup.fit_width else "")
    out = {
        "pageMargins": (f'<{p}pageMargins left="{left}" right="{right}" top="{top}" '
                        f'bottom="{bottom}" header="{header}" footer="{footer}"/>'),
        "pageSetup": (f'<{p}pageSetup paperSize="{code}"{fit} orientation='
                      f'"{"landscape" if setup.landscape else "portrait"}"/>'),
    }
    parts = []
    if setup.header:
        parts.append(f"<{p}oddHeader>{_attr(setup.header)}</{p}oddHeader>")
    if setup.footer:
        parts.append(f"<{p}oddFooter>{_attr(setup.footer)}</{p}oddFooter>")
    if parts:
        out["headerFooter"] = f"<{p}headerFooter>{''.join(parts)}</{p}headerFooter>"
    if setup.row_breaks:
        brks = "".join(f'<{p}brk id="{r}" max="16383" man="1"/>' for r in setup.row_breaks)
        n = len(setup.row_breaks)
        out["rowBreaks"] = f'<{p}rowBreaks count="{n}" manualBreakCount="{n}">{brks}</{p}rowBreaks>'
    return out


def canonical(el: etree._Element) -> str:
    """An element as local names, sorted attributes, text and children: the same for the same
    markup whatever its namespace prefixes and declarations."""
    attrs = " ".join(f"{etree.QName(k).localname}={v}" for k, v in sorted(el.attrib.items()))
    inner = "".join(canonical(c) for c in el if isinstance(c.tag, str))
    return f"<{etree.QName(el).localname} {attrs}>{(el.text or '').strip()}{inner}</>"


def _short(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:10]


def _bytes_digest(el: etree._Element) -> str:
    """The digest records held before they were by meaning (of :func:`canonical`)."""
    return _short(canonical(el))


# The schema's defaults (ECMA-376 Part 1, CT_PageSetup, CT_HeaderFooter, CT_Break) of the
# attributes that change what is printed. A page setup's printer state (horizontalDpi,
# verticalDpi, copies, usePrinterDefaults, r:id of its printer settings) is not its meaning:
# LibreOffice writes 300 dpi, Excel its printer's; the writer carries it over (PRINTER_STATE).
_PAGE_SETUP = {"paperSize": "1", "paperHeight": "", "paperWidth": "", "scale": "100",
               "firstPageNumber": "1", "fitToWidth": "1", "fitToHeight": "1",
               "pageOrder": "downThenOver", "orientation": "default",
               "blackAndWhite": "false", "draft": "false", "cellComments": "none",
               "useFirstPageNumber": "false", "errors": "displayed"}
PRINTER_STATE = ("horizontalDpi", "verticalDpi", "copies", "usePrinterDefaults", "id")
_HEADER_FOOTER = {"differentOddEven": "false", "differentFirst": "false",
                  "scaleWithDoc": "true", "alignWithMargins": "true"}
_HEADERS = ("oddHeader", "oddFooter", "evenHeader", "evenFooter", "firstHeader", "firstFooter")
_BREAK = {"id": "0", "min": "0", "max": "0", "man": "false", "pt": "false"}
_MARGINS = ("left", "right", "top", "bottom", "header", "footer")
_FONT_CODE = re.compile(r'&"([^",]*),')


def _value(text: str) -> str:
    """An attribute's value as its meaning: booleans as 0/1, numbers as numbers."""
    low = text.strip().lower()
    if low in ("true", "false"):
        return "1" if low == "true" else "0"
    try:
        number = float(low)
    except ValueError:
        return text.strip()
    return f"{number:g}"


def _attributes(el: etree._Element, defaults: dict[str, str]) -> str:
    got = {etree.QName(k).localname: v for k, v in el.attrib.items()}
    return ",".join(f"{k}={_value(got.get(k, d))}" for k, d in defaults.items())


def meaning(el: etree._Element, *, default_font: str) -> str:
    """What a print element says, the same however a program wrote it.

    ``pageMargins``: its six margins to a hundredth of an inch; ``pageSetup``: paper, scale,
    fit, orientation... with the schema's defaults filled (not the printer's dpi or copies);
    ``headerFooter``: its flags and the six texts (an empty one as none), the default font's
    code ``&"-,Bold"`` as LibreOffice names it (``&"Calibri,Bold"``: ``default_font``, the
    workbook's first font); ``rowBreaks`` / ``colBreaks``: the breaks (not their counts).
    Any other element: its :func:`canonical` form.

    >>> from lxml import etree
    >>> a = etree.fromstring('<pageSetup paperSize="9" fitToWidth="1" fitToHeight="0"/>')
    >>> b = etree.fromstring('<pageSetup fitToHeight="0" scale="100" fitToWidth="1" '
    ...                      'paperSize="9" copies="1" horizontalDpi="300"/>')
    >>> meaning(a, default_font="Calibri") == meaning(b, default_font="Calibri")
    True
    """
    name = etree.QName(el).localname
    if name == "pageMargins":
        numbers = []
        for key in _MARGINS:
            try:
                numbers.append(f"{round(float(el.get(key, '')), 2):g}")
            except ValueError:
                numbers.append(el.get(key, "?"))
        return f"{name}:" + ",".join(numbers)
    if name == "pageSetup":
        return f"{name}:" + _attributes(el, _PAGE_SETUP)
    if name == "headerFooter":
        texts = {etree.QName(c).localname: c.text or "" for c in el if isinstance(c.tag, str)}
        fonts = [_FONT_CODE.sub(lambda m: '&"' + (default_font if m.group(1) == "-"
                                                    else m.group(1)).casefold() + ",",
                                texts.get(key, "")) for key in _HEADERS]
        return f"{name}:" + _attributes(el, _HEADER_FOOTER) + "|" + "|".join(fonts)
    if name in ("rowBreaks", "colBreaks"):
        breaks = sorted(_attributes(b, _BREAK) for b in el
                        if isinstance(b.tag, str) and etree.QName(b).localname == "brk")
        return f"{name}:" + ";".join(breaks)
    return canonical(el)


def digest(el: etree._Element, *, default_font: str) -> str:
    """A short digest of an element's :func:`meaning` (what the record holds)."""
    return _short("meaning:" + meaning(el, default_font=default_font))


def is_ours(el: etree._Element, recorded: str | None, *, default_font: str) -> bool:
    """Whether ``el`` is still the element xlperf wrote and recorded as ``recorded``: the
    same meaning. A record of before the digests were by meaning holds the digest of the
    markup xlperf wrote: the element's own, or (saved since by another program) the markup
    xlperf writes for what the element means."""
    if not recorded:
        return False
    if recorded in (digest(el, default_font=default_font), _bytes_digest(el)):
        return True
    written = _as_xlperf_writes(el, default_font)
    return written is not None and _bytes_digest(written) == recorded


def _as_xlperf_writes(el: etree._Element, default_font: str) -> etree._Element | None:
    """The markup :func:`print_elements` writes for what ``el`` means, or None when xlperf
    writes nothing that means it (another paper, a scale, an even page's header...)."""
    name = etree.QName(el).localname
    get = {etree.QName(k).localname: v for k, v in el.attrib.items()}.get
    texts = {etree.QName(c).localname: c.text or "" for c in el if isinstance(c.tag, str)}

    def named(text: str) -> str:  # LibreOffice's &"Calibri,Bold" back to &"-,Bold"
        return _FONT_CODE.sub(lambda m: '&"-,' if default_font and m.group(1).casefold()
                              == default_font.casefold() else m.group(0), text)

    paper = {str(code): size for size, (code, _w, _h) in PAPER_SIZES.items()}
    try:
        fit = int(_value(get("fitToWidth", "1"))) if _value(get("fitToHeight", "1")) == "0" \
            else 0
        setup = PrintSetup(paper=paper.get(_value(get("paperSize", "")), "A4"),
                           landscape=get("orientation") == "landscape", fit_width=fit,
                           header=named(texts.get("oddHeader", "")),
                           footer=named(texts.get("oddFooter", "")),
                           row_breaks=tuple(int(_value(b.get("id", "0"))) for b in el
                                            if name == "rowBreaks" and isinstance(b.tag, str)))
    except (InputError, ValueError):
        return None
    xml = print_elements(setup).get(name)
    if xml is None:
        return None
    candidate = etree.fromstring(xml)
    same = meaning(candidate, default_font=default_font) == meaning(el, default_font=default_font)
    return candidate if same else None


def read_record(text: str | None) -> dict[str, str]:
    """``{"pageSetup": digest, ...}`` from the record name's formula (``"pageSetup=ab12;..."``)."""
    body = (text or "").strip().strip('"')
    pairs = (item.split("=", 1) for item in body.split(";") if "=" in item)
    return {k: v for k, v in pairs if k in RECORD_KEYS}


#: What the record holds: each print element's digest, and ``area``, the rows and columns of
#: the cells xlperf wrote (``76x30``): a cell outside it on the next refresh is the user's.
RECORD_KEYS = (*PRINT_ELEMENTS, "area")


def record_text(record: dict[str, str]) -> str:
    """The record name's formula: a text constant."""
    return '"' + ";".join(f"{k}={record[k]}" for k in RECORD_KEYS if k in record) + '"'


#: The most characters a name takes in a printed page's header (Excel refuses a header or a
#: footer of more than 255, codes included): a council's name, a file's, a marking.
HEADER_NAME = 80


def header_text(text: str, most: int | None = None) -> str:
    """Text safe inside an Excel header section: ``&`` doubled (else it starts a code); with
    ``most``, shortened with an ellipsis so that it takes at most ``most`` characters, doubled
    ``&`` and all (a council's long name must not stop its sheets being written).

    >>> header_text("R&D"), header_text("Borsetshire & District", 10)
    ('R&&D', 'Borsetshi…')
    """
    safe = text.replace("&", "&&")
    if most is None or len(safe) <= most:
        return safe
    cut = text[:most - 1]
    while len(cut.replace("&", "&&")) > most - 1:
        cut = cut[:-1]
    return cut.rstrip().replace("&", "&&") + "…"
