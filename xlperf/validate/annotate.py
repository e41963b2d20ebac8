"""Annotated copies of returns: every finding shown in the workbook, to send back to the service.

:func:`annotate` writes a **copy** of a return (the original is only read) with

- each cell that has a finding filled (dark red for an error, dark orange for a query: each at
  least 3:1 against the input cells' yellow and against the other, WCAG's contrast for
  things that are not text, with the text white or black, whichever reads better), its symbol
  shown before what it holds (``✖ 150``: a number format, so the value itself is unchanged),
  and an Excel comment on it that starts with the symbol and the severity
  (``✖ ERROR PERF-006`` or ``? QUERY PERF-005``), so the colour is never the only signal;
- a first sheet ``Issues`` (:func:`issues_sheet_name`: ``Issues (xlperf)`` when the return
  has a sheet of that name of its own, which is kept; :func:`is_issues_sheet` knows xlperf's
  by its marker) with a title, the return's identity (file, kind, service, period,
  counts of errors and queries) and every finding (symbol, severity, rule, sheet, cell, value,
  message, how to fix) with a hyperlink to its cell (``#'Return'!H14``), and beside each
  query an unlocked yellow **Your response** cell (the sheet is protected, without a password,
  so the response cells are the only ones to type in); it prints on A4
  landscape, one page wide, each finding's row as tall as its wrapped message, the header row
  repeated on every page;
- no links to other workbooks: a formula such as ``[1]Sheet1!$A$1`` becomes the value Excel
  saved for it, and the link parts are left out, so opening the copy asks to update nothing.

Comments are kept to :data:`COMMENT_MAX` characters and the Issues sheet's cells to what an
Excel cell holds.

openpyxl is fine here: the file is xlperf's own template, and only the copy is written.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from xlperf.errors import WorkbookError, library_errors
from xlperf.findings import ERROR, Report, parse_ref
from xlperf.layout import FORMULA_STARTS, MAX_CELL_TEXT

__all__ = ["COMMENT_MAX", "FILLS", "ISSUES_HEADERS", "ISSUES_HEADER_ROW", "ISSUES_MARKER",
           "ISSUES_SHEET", "RESPONSE_HEADER", "SYMBOLS", "annotate", "flagged_format",
           "is_issues_sheet", "issues_sheet_name"]

# xlperf's sheet of findings is named Issues unless the return has a sheet of that name of
# its own (a service's issues log, kept as it is): then "Issues (xlperf)", "Issues (xlperf 2)"...
ISSUES_SHEET = "Issues"
# What says a sheet is xlperf's Issues sheet, whatever its name: this text in the first row
# of its last, hidden, column (the Query id column).
ISSUES_MARKER = "xlperf issues sheet"
SYMBOLS = {"error": "✖", "query": "?", "explained": "✔"}
# At least 3:1 against the input yellow (#FFF7BF), the locked grey (#F3F2F1) and each other
# (tests/test_print_layout.py works the ratios out).
FILLS = {"error": "#7A0019", "query": "#D06A00"}
_FILLS = {k: "FF" + v.lstrip("#") for k, v in FILLS.items()}
# The Issues sheet's mark of a query explained before (green: told, nothing to do).
_MARKS = {**FILLS, "explained": "#00703C"}
ISSUES_HEADER_ROW = 4
# A query is answered, not fixed: the service explains the figure beside it (an error has to
# be corrected in the return itself).
RESPONSE_HEADER = "Your response"
# The last column, hidden, holds each query's fingerprint: a copy sent back with responses is
# read by it (xlperf.validate.responses), whatever the service did to the figure since.
ISSUES_HEADERS = (None, "Severity", "Rule", "Sheet", "Cell", "Value", "Message", "How to fix",
                  RESPONSE_HEADER, "Query id")
# A comment is a note beside a cell: the messages are a few lines each, and Excel refuses a
# comment over 32,767 characters. The Issues sheet has every message in full.
COMMENT_MAX = 2_000
_EXTERNAL = re.compile(r"\[\d+\]")


def is_issues_sheet(name: str, top: Sequence[Sequence[Any]]) -> bool:
    """Whether a sheet, given its name and its first rows' values, is the Issues sheet of an
    annotated copy: its marker (:data:`ISSUES_MARKER`), or, in a copy made before there was
    one, the name Issues with the findings' header row. The one test: annotating a copy
    again replaces only this sheet, and the responses are read only from it.

    >>> is_issues_sheet("Issues (xlperf)", [[None] * 9 + [ISSUES_MARKER]])
    True
    >>> is_issues_sheet("Issues", [["Our issues log", "Owner", "Due"]])
    False
    """
    from xlperf.core.columns import fold

    first = top[0] if top else ()
    if len(first) >= len(ISSUES_HEADERS) and first[len(ISSUES_HEADERS) - 1] == ISSUES_MARKER:
        return True
    if fold(name) != fold(ISSUES_SHEET) or len(top) < ISSUES_HEADER_ROW:
        return False
    header = {fold(str(h or "")) for h in top[ISSUES_HEADER_ROW - 1]}
    return all(fold(h) in header for h in ("Rule", "Sheet", "Cell", RESPONSE_HEADER))


def issues_sheet_name(taken: Iterable[str]) -> str:
    """The name for xlperf's Issues sheet beside the sheets ``taken`` (Excel tells sheet
    names apart ignoring case): ``Issues``, else ``Issues (xlperf)``, then numbered.

    >>> issues_sheet_name(["Return"]), issues_sheet_name(["Return", "ISSUES"])
    ('Issues', 'Issues (xlperf)')
    >>> issues_sheet_name(["Issues", "Issues (xlperf)"])
    'Issues (xlperf 2)'
    """
    names = {name.casefold() for name in taken}
    candidates = itertools.chain((ISSUES_SHEET, f"{ISSUES_SHEET} (xlperf)"),
                                 (f"{ISSUES_SHEET} (xlperf {n})" for n in itertools.count(2)))
    return next(c for c in candidates if c.casefold() not in names)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _text(text: str, limit: int = MAX_CELL_TEXT) -> str:
    """Text from a return (a value, a message quoting it, a sheet or file name) as a cell or
    comment of the copy holds it: a control character shown as its picture (``␇``:
    :func:`xlperf.write._xlsx.clean_text`, which openpyxl would refuse), cut to ``limit``."""
    from xlperf.write._xlsx import clean_text

    return _cut(clean_text(text), limit)


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
    opened, and before opening anything when the file checks or the reader refused it (a
    ``FILE-001`` to ``FILE-010`` or ``FILE-019`` finding: a zip bomb, unsafe XML, damage):
    only what was safely read is ever opened with openpyxl."""
    from xlperf.validate.returns import UNREADABLE

    source = Path(str(report.file))
    refused = next((f for f in report.findings if f.rule in UNREADABLE), None)
    if refused is not None:
        raise WorkbookError(f"{source}: not opened to annotate, as the file checks refused it "
                            f"({refused.rule})", file=str(source))
    from openpyxl import load_workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.hyperlink import Hyperlink

    from xlperf.validate.catalogue import load_rules

    out = Path(out_dir)
    target = out / source.name
    if target.resolve() == source.resolve():
        raise WorkbookError(f"{target}: the annotated copy would replace the original; choose "
                            "another folder", file=str(source))
    try:
        wb = load_workbook(source)
    except library_errors("openpyxl") as error:  # openpyxl raises many kinds
        raise WorkbookError(f"{source}: cannot open it to annotate ({error})",
                            file=str(source)) from None
    _drop_external_links(wb, source)
    rules = load_rules()
    by_cell: dict[tuple[str, str], list] = defaultdict(list)
    for finding in report.findings:
        if (finding.sheet and finding.sheet in wb.sheetnames and finding.cell
                and finding.severity in FILLS):  # an explained query is not marked
            by_cell[(finding.sheet, finding.cell)].append(finding)
    from xlperf.write import _xlsx
    from xlperf.write.outputs import contrast_text

    for (sheet, ref), findings in by_cell.items():
        ws = wb[sheet]
        try:
            row, column = parse_ref(ref)
        except ValueError:
            continue
        cell = ws.cell(row=row, column=column)
        worst = ERROR if any(f.severity == ERROR for f in findings) else "query"
        cell.fill = PatternFill("solid", fgColor=_FILLS[worst])
        old = cell.font
        cell.font = Font(name=old.name or _xlsx.BODY_FONT, size=old.sz or 11, bold=True,
                         italic=old.i, family=old.family, scheme=old.scheme,
                         color="FF" + contrast_text(FILLS[worst]).lstrip("#"))
        cell.number_format = flagged_format(cell.number_format, SYMBOLS[worst])
        text = _text("\n\n".join(f"{SYMBOLS[f.severity]} {f.severity.upper()} {f.rule}: "
                                 f"{f.message}" for f in findings), COMMENT_MAX)
        comment = Comment(text, "xlperf")
        comment.width, comment.height = 320, min(60 + 40 * len(findings), 400)
        cell.comment = comment
    for own in [w for w in wb.worksheets if is_issues_sheet(w.title, [
            [c.value for c in row] for row in w.iter_rows(max_row=ISSUES_HEADER_ROW,
                                                         max_col=len(ISSUES_HEADERS))])]:
        del wb[own.title]  # a copy annotated again: xlperf's earlier sheet, never the service's
    ws = wb.create_sheet(issues_sheet_name(wb.sheetnames), 0)
    _issues_head(ws, report, source.name)
    ws.append(ISSUES_HEADERS)
    for c in ws[ISSUES_HEADER_ROW]:
        c.font = _xlsx.HEADER_FONT
        c.fill = _xlsx.HEADER_FILL
    widths = (4, 9, 10, 10, 7, 14, 46, 36, 24, 26)  # one A4 page wide at 8 pt or more
    for finding in report.findings:
        rule = rules.get(finding.rule)
        value = finding.value
        if value is not None and not isinstance(value, int | float | str):
            value = str(value)
        if isinstance(value, str) and value.startswith(FORMULA_STARTS):
            value = "'" + value  # shown as text, never a formula
        if isinstance(value, str):
            value = _text(value)
        fix = finding.how_to_fix or (rule.fix(cell=finding.cell) if rule else "")
        ws.append([SYMBOLS.get(finding.severity, "?"), _text(finding.severity),
                   _text(finding.rule), _text(finding.sheet or ""), _text(finding.cell or ""),
                   value, _text(finding.message), _text(fix)])
        link = ws.cell(row=ws.max_row, column=5)
        if finding.sheet and finding.sheet in wb.sheetnames and finding.cell:
            quoted = finding.sheet.replace("'", "''")  # Excel doubles a quote in a sheet name
            link.hyperlink = Hyperlink(ref=link.coordinate,
                                       location=_text(f"'{quoted}'!{finding.cell}"),
                                       display=_text(finding.cell))
            link.font = _xlsx.font(color="FF1D70B8", underline="single")
        severity = finding.severity if finding.severity in _MARKS else "query"
        mark = ws.cell(row=ws.max_row, column=1)
        mark.fill = PatternFill("solid", fgColor="FF" + _MARKS[severity][1:])
        mark.font = _xlsx.font(bold=True, color="FF" + contrast_text(_MARKS[severity])[1:])
        # each finding one row band: as tall as its longest wrapped text (Excel and
        # LibreOffice do not grow a row on opening)
        lines = max(_lines(finding.message, widths[6]), _lines(fix, widths[7]), 1)
        ws.row_dimensions[ws.max_row].height = 15 * min(lines, 12)
        if finding.severity != ERROR:  # a query: the service answers it here
            _response(ws.cell(row=ws.max_row, column=len(ISSUES_HEADERS) - 1),
                      finding.response)
            ws.cell(row=ws.max_row, column=len(ISSUES_HEADERS), value=finding.fingerprint)
    if not report.findings:
        ws.append(["✔", None, None, None, None, None, "No problems found.", None])
    for letter, width in zip("ABCDEFGHIJ", widths, strict=True):
        ws.column_dimensions[letter].width = width
    ws.column_dimensions["J"].hidden = True
    ws.cell(row=1, column=len(ISSUES_HEADERS), value=ISSUES_MARKER)
    for row in ws.iter_rows(min_row=ISSUES_HEADER_ROW + 1):
        for c in row:
            c.alignment = Alignment(wrap_text=c.column in (7, 8, 9), vertical="top")
    _protect_issues(ws)
    ws.freeze_panes = f"A{ISSUES_HEADER_ROW + 1}"
    _issues_print(ws, report, source.name)
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


def _response(cell: Any, response: str = "") -> None:
    """A query's "Your response" cell: unlocked, yellow like a return's input cells; an
    explained query's holds the response that explains it (always text: never a formula)."""
    from openpyxl.styles import Protection

    from xlperf.write import _xlsx

    if response:
        cell.value = _text(response)
        cell.data_type = "s"  # "=1+1" typed as a response stays that text
    cell.protection = Protection(locked=False)
    cell.fill = _xlsx.INPUT_FILL
    cell.border = _xlsx.BOX


def _protect_issues(ws: Any) -> None:
    """The Issues sheet protected without a password (as the templates are): the responses
    are the cells to type in; links still work, rows may be made taller and columns wider."""
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.selectLockedCells = False
    ws.protection.selectUnlockedCells = False


def _lines(text: str | None, width: float) -> int:
    """How many lines ``text`` wraps to in a column ``width`` characters wide."""
    import math

    room = max(1.0, (width - 1) * 1.15)
    return sum(max(1, math.ceil(len(line) / room)) for line in str(text or "").splitlines())


def _issues_head(ws: Any, report: Report, name: str) -> None:
    """Rows 1-3 of the Issues sheet: a title, the return's identity, what to do."""
    from xlperf.write import _xlsx

    meta = report.meta or {}
    errors, queries = len(report.errors), len(report.queries)
    explained = len(report.explained)
    ws.cell(row=1, column=1, value=_text(f"Issues found in {name}")).font = _xlsx.TITLE_FONT
    who = ", ".join(str(x) for x in (meta.get("kind") and f"{meta['kind']} return",
                                     meta.get("service"), meta.get("period")) if x)
    counts = (f"{errors} error{'s' * (errors != 1)} (✖, not accepted), {queries} "
              f"quer{'ies' if queries != 1 else 'y'} (?, to confirm)"
              + (f", {explained} explained before (✔)" if explained else ""))
    ws.cell(row=2, column=1, value=_text(f"{who}: {counts}" if who else counts)
            ).font = _xlsx.font(bold=True)
    ws.cell(row=3, column=1, value="Correct each error in its cell (the link goes to it); "
            "answer each query in the yellow 'Your response' cell beside it; then send the "
            "return again.").font = _xlsx.GUIDE_FONT


def _issues_print(ws: Any, report: Report, name: str) -> None:
    """A4 landscape, one page wide, the header row on every page, the return in the header
    and "Page 1 of N" in the footer (as every sheet xlperf makes prints:
    :func:`xlperf.write._xlsx.print_setup`), with narrow side margins."""
    from xlperf.write import _xlsx

    period = (report.meta or {}).get("period")
    _xlsx.print_setup(ws, ISSUES_HEADER_ROW, left=f"Issues: {name}",
                      right=str(period) if period else "")
    ws.page_margins.left = ws.page_margins.right = 0.4
