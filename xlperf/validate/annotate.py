"""Annotated copies of returns: every finding shown in the workbook, to send back to the service.

:func:`annotate` writes a **copy** of a return (the original is only read) with

- each cell that has a finding filled (pink for an error, yellow for a query), its symbol
  shown before what it holds (``✖ 150``: a number format, so the value itself is unchanged),
  and an Excel comment on it that starts with the symbol and the severity
  (``✖ ERROR PERF-006`` or ``? QUERY PERF-005``), so the colour is never the only signal;
- a first sheet ``Issues`` listing every finding (symbol, severity, rule, sheet, cell, value,
  message, how to fix) with a hyperlink to its cell (``#'Return'!H14``);
- no links to other workbooks: a formula such as ``[1]Sheet1!$A$1`` becomes the value Excel
  saved for it, and the link parts are left out, so opening the copy asks to update nothing.

Comments are kept to :data:`COMMENT_MAX` characters and the Issues sheet's cells to what an
Excel cell holds.

openpyxl is fine here: the file is xlperf's own template, and only the copy is written.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from xlperf.errors import WorkbookError
from xlperf.findings import ERROR, Report, parse_ref
from xlperf.layout import MAX_CELL_TEXT

__all__ = ["COMMENT_MAX", "ISSUES_SHEET", "SYMBOLS", "annotate", "flagged_format"]

ISSUES_SHEET = "Issues"
SYMBOLS = {"error": "✖", "query": "?"}
_FILLS = {"error": "FFF4C7CE", "query": "FFFFEB9C"}
# A comment is a note beside a cell: the messages are a few lines each, and Excel refuses a
# comment over 32,767 characters. The Issues sheet has every message in full.
COMMENT_MAX = 2_000
_EXTERNAL = re.compile(r"\[\d+\]")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _drop_external_links(wb: object, source: Path) -> None:
    """Replace each formula that links to another workbook with the value Excel saved (read
    by python-calamine) and drop the links, so the copy sent back depends on no other file."""
    if not getattr(wb, "_external_links", None):
        return
    from xlperf.read._calamine import open_workbook

    try:
        book = open_workbook(source)
    except Exception:  # noqa: BLE001 - the values cannot be read: the formulas go blank
        book = None
    for ws in wb.worksheets:  # type: ignore[attr-defined]
        grid = None
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if not (isinstance(value, str) and value.startswith("=")
                        and _EXTERNAL.search(value)):
                    continue
                if grid is None:
                    try:
                        grid = book.get_sheet_by_name(ws.title).to_python(
                            skip_empty_area=False) if book is not None else []
                    except Exception:  # noqa: BLE001
                        grid = []
                r, c = cell.row - 1, cell.column - 1
                saved = grid[r][c] if r < len(grid) and c < len(grid[r]) else None
                cell.value = None if saved == "" else saved
    names = wb.defined_names  # type: ignore[attr-defined]
    for name in [n for n, d in names.items() if _EXTERNAL.search(str(d.attr_text or ""))]:
        del names[name]
    wb._external_links = []  # type: ignore[attr-defined]


_LEADING_CODES = re.compile(r"^((?:\[[^\]]*\])*)(.*)$", re.S)


def flagged_format(number_format: str | None, symbol: str) -> str:
    """``number_format`` with ``symbol`` shown before the value in every section (positive,
    negative, zero, text), after any leading ``[Red]`` or ``[>=100]`` codes: the cell shows
    ``✖ 150`` and still holds 150.

    >>> flagged_format("General", "✖")
    '"✖ "General;"✖ "-General;"✖ "General;"✖ "@'
    >>> flagged_format("0.0%;[Red]-0.0%", "?")
    '"? "0.0%;[Red]"? "-0.0%;"? "0.0%;"? "@'
    """
    mark = '"' + symbol.replace('"', "") + ' "'
    sections = (number_format or "General").split(";")
    if sections == ["@"] or (len(sections) == 1 and "@" in sections[0]):
        sections = ["General", sections[0]]  # a text cell: numbers as typed, text marked
    conditional = any(re.match(r"\[[<>=]", s) for s in sections)
    if not conditional:  # fill in the sections Excel would take from the first
        if len(sections) == 1:  # one section covers every number, Excel adding the minus
            sections = [sections[0], "-" + sections[0]]
        if len(sections) == 2 and "@" in sections[1]:
            sections = [sections[0], "-" + sections[0], sections[0], sections[1]]
        if len(sections) == 2:
            sections.append(sections[0])
        if len(sections) == 3:
            sections.append("@")
    marked = []
    for section in sections[:4]:
        codes, rest = _LEADING_CODES.match(section).groups()  # type: ignore[union-attr]
        marked.append(f"{codes}{mark}{rest}")  # an empty section stays empty but for the mark
    return ";".join(marked)


def annotate(report: Report, out_dir: str | Path) -> Path:
    """Write the annotated copy of ``report.file`` into ``out_dir`` (same file name) and
    return its path. Raises :class:`~xlperf.errors.WorkbookError` when the return cannot be
    opened (a file with a file-level finding is not copied)."""
    from openpyxl import load_workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.hyperlink import Hyperlink

    from xlperf.validate.catalogue import load_rules

    source = Path(str(report.file))
    out = Path(out_dir)
    target = out / source.name
    if target.resolve() == source.resolve():
        raise WorkbookError(f"{target}: the annotated copy would replace the original; choose "
                            "another folder", file=str(source))
    try:
        wb = load_workbook(source)
    except Exception as error:  # openpyxl raises many kinds; this is the one boundary
        raise WorkbookError(f"{source}: cannot open it to annotate ({error})",
                            file=str(source)) from None
    _drop_external_links(wb, source)
    rules = load_rules()
    by_cell: dict[tuple[str, str], list] = defaultdict(list)
    for finding in report.findings:
        if finding.sheet in wb.sheetnames and finding.cell:
            by_cell[(finding.sheet, finding.cell)].append(finding)
    for (sheet, ref), findings in by_cell.items():
        ws = wb[sheet]
        try:
            row, column = parse_ref(ref)
        except ValueError:
            continue
        cell = ws.cell(row=row, column=column)
        worst = ERROR if any(f.severity == ERROR for f in findings) else "query"
        cell.fill = PatternFill("solid", fgColor=_FILLS[worst])
        cell.number_format = flagged_format(cell.number_format, SYMBOLS[worst])
        text = _cut("\n\n".join(f"{SYMBOLS[f.severity]} {f.severity.upper()} {f.rule}: "
                                f"{f.message}" for f in findings), COMMENT_MAX)
        comment = Comment(text, "xlperf")
        comment.width, comment.height = 320, min(60 + 40 * len(findings), 400)
        cell.comment = comment
    if ISSUES_SHEET in wb.sheetnames:
        del wb[ISSUES_SHEET]
    ws = wb.create_sheet(ISSUES_SHEET, 0)
    headers = ("", "Severity", "Rule", "Sheet", "Cell", "Value", "Message", "How to fix")
    ws.append(headers)
    for c in ws[1]:
        c.font = Font(bold=True)
    for finding in report.findings:
        rule = rules.get(finding.rule)
        value = finding.value
        if value is not None and not isinstance(value, int | float | str):
            value = str(value)
        if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
            value = "'" + value  # shown as text, never a formula
        if isinstance(value, str):
            value = _cut(value, MAX_CELL_TEXT)
        ws.append([SYMBOLS.get(finding.severity, "?"), finding.severity, finding.rule,
                   finding.sheet or "", finding.cell or "", value,
                   _cut(finding.message, MAX_CELL_TEXT),
                   _cut(finding.how_to_fix or (rule.fix(cell=finding.cell) if rule else ""),
                        MAX_CELL_TEXT)])
        link = ws.cell(row=ws.max_row, column=5)
        if finding.sheet in wb.sheetnames and finding.cell:
            location = f"'{finding.sheet}'!{finding.cell}"
            link.hyperlink = Hyperlink(ref=link.coordinate, location=location,
                                       display=finding.cell)
            link.font = Font(color="FF1D70B8", underline="single")
        ws.cell(row=ws.max_row, column=1).fill = PatternFill(
            "solid", fgColor=_FILLS.get(finding.severity, _FILLS["query"]))
    if not report.findings:
        ws.append(["✔", "", "", "", "", "", "No problems found.", ""])
    for letter, width in zip("ABCDEFGH", (4, 9, 10, 10, 7, 16, 90, 60), strict=True):
        ws.column_dimensions[letter].width = width
    for row in ws.iter_rows(min_row=2, min_col=7, max_col=8):
        for c in row:
            c.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    wb.active = 0
    for other in wb.worksheets[1:]:
        other.sheet_view.tabSelected = False
    try:
        out.mkdir(parents=True, exist_ok=True)
        wb.save(target)
    except OSError as error:  # the folder cannot be made or written: the original is untouched
        raise WorkbookError(f"cannot write the annotated copy {target}: "
                            f"{error.strerror or error}", file=str(source)) from None
    return target
