"""Shared openpyxl helpers for the workbooks xlperf writes: styles, tables, safe text, saving.

Everything that writes a cell goes through :func:`put`, which writes text as text: a commentary
starting with ``=``, ``+``, ``-`` or ``@`` is stored as a string cell, never a formula.
:func:`save` makes the file byte-for-byte reproducible when given a timestamp (fixed document
dates and zip entry times), so the shipped workbooks can be checked for being up to date.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from xlperf.errors import WorkbookError
from xlperf.layout import visible_controls

BODY_FONT = "Calibri"  # openpyxl's default font, which every workbook xlperf makes uses


def font(**kwargs: Any) -> Font:
    """A font record that names its font (the workbook's own, Calibri 11), so that no
    spreadsheet falls back to its own default (LibreOffice: a serif) for titles and headers.

    >>> font(bold=True).name, font(size=14).sz
    ('Calibri', 14.0)
    """
    kwargs.setdefault("size", 11)
    return Font(name=BODY_FONT, family=2, scheme="minor", **kwargs)


# GOV.UK palette, as the status colours: readable, and never the only signal.
HEADER_FILL = PatternFill("solid", fgColor="1D70B8")
HEADER_FONT = font(bold=True, color="FFFFFF")
TITLE_FONT = font(bold=True, size=14)
SUBTITLE_FONT = font(bold=True, size=11)
GUIDE_FONT = font(italic=True, color="505A5F")
INPUT_FILL = PatternFill("solid", fgColor="FFF7BF")   # light yellow: type here
LOCKED_FILL = PatternFill("solid", fgColor="F3F2F1")  # light grey: shown, not typed
THIN = Side(style="thin", color="B1B4B6")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
TABLE_STYLE = "TableStyleMedium2"

INTEGER = "#,##0"
DECIMAL = "#,##0.0#"
GENERAL = "General"
TEXT = "@"


def clean_text(value: str) -> str:
    """Text a worksheet can hold: each control character it cannot (a BEL pasted with a
    figure) shown as its picture (:func:`xlperf.layout.visible_controls`), never dropped.

    >>> clean_text("78.8\\x07")
    '78.8␇'
    """
    return visible_controls(value)


def _missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    try:
        import pandas as pd

        return bool(value is pd.NA or value is pd.NaT)
    except ImportError:  # pragma: no cover
        return False


def put(ws: Worksheet, row: int, column: int, value: Any, *, number_format: str | None = None,
        font: Font | None = None, fill: PatternFill | None = None,
        alignment: Alignment | None = None) -> Any:
    """Write one cell. Text is always stored as text (never a formula); NaN/None leave it blank;
    numpy numbers become plain Python numbers."""
    cell = ws.cell(row=row, column=column)
    if _missing(value) or (isinstance(value, str) and value == ""):
        cell.value = None
    elif isinstance(value, str):
        cell.value = clean_text(value)
        cell.data_type = "s"
    elif isinstance(value, bool):
        cell.value = value
    elif hasattr(value, "item") and not isinstance(value, str):  # numpy scalar
        cell.value = value.item()
    else:
        cell.value = value
    if number_format:
        cell.number_format = number_format
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    if alignment is not None:
        cell.alignment = alignment
    return cell


def header_row(ws: Worksheet, row: int, headers: Sequence[str], first_column: int = 1) -> None:
    """Bold white-on-blue headers."""
    for offset, name in enumerate(headers):
        put(ws, row, first_column + offset, name, font=HEADER_FONT, fill=HEADER_FILL,
            alignment=Alignment(wrap_text=True, vertical="center"))


def set_widths(ws: Worksheet, widths: Sequence[float], first_column: int = 1) -> None:
    for offset, width in enumerate(widths):
        ws.column_dimensions[get_column_letter(first_column + offset)].width = width


def print_setup(ws: Worksheet, title_row: int, *, widths: Sequence[float] | None = None,
                paper: str = "A4", left: str = "", right: str = "",
                title_columns: int = 1) -> None:
    """How a sheet xlperf makes with openpyxl prints (a return, the master's Guide and tables,
    an annotated return's Issues sheet):
    ``paper`` landscape, its ``title_row`` (the header row) on every page, fit to as few pages
    wide as keep the text at 8 pt or more (:func:`~xlperf.write._print.plan_print` of the
    column ``widths``; one page wide without them), with the ``title_columns`` (what a row is
    about: its code) repeated on every page when that is more than one; ``left`` and
    ``right`` in the page header (the council and the sheet's name, shortened to fit) and
    "Page n of N" in the footer. The output sheets
    have their own (:mod:`xlperf.write._print`), written by the refresh from their content.
    """
    from xlperf.write._print import HEADER_NAME, PAPER_SIZES, header_text, plan_print

    pages = (plan_print(widths, [], paper=paper, title_columns=title_columns)[0] if widths
             else 1)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = PAPER_SIZES[paper][0]
    ws.page_setup.fitToWidth = pages
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{title_row}:{title_row}"
    if pages > 1:  # the code or name of each row beside its figures on every page
        ws.print_title_cols = f"A:{get_column_letter(title_columns)}"
    if left:
        ws.oddHeader.left.text = header_text(clean_text(left), HEADER_NAME)
    if right:
        ws.oddHeader.right.text = header_text(clean_text(right), HEADER_NAME)
    ws.oddFooter.center.text = "Page &P of &N"


#: A column's width (characters) where the sheet sets none: Excel's default.
DEFAULT_WIDTH = 8.43


def widths_of(ws: Worksheet) -> list[float]:
    """The widths (characters) of ``ws``'s columns from A to its last used one."""
    return [ws.column_dimensions[get_column_letter(c)].width or DEFAULT_WIDTH
            for c in range(1, ws.max_column + 1)]


def fit_wrapped_rows(ws: Worksheet, *, first_row: int = 1) -> None:
    """Each row from ``first_row`` down whose wrapped text takes more than one line given the
    height it takes (:func:`~xlperf.write._print.row_height`, as the output sheets' rows
    are): neither Excel nor LibreOffice grows a row when it opens a workbook, so without it the
    text is cut on screen and printed over the next row."""
    from xlperf.write._print import row_height, wrapped_lines

    widths = widths_of(ws)
    for cells in ws.iter_rows(min_row=first_row, max_col=len(widths)):
        lines = max((wrapped_lines(cell.value, widths[cell.column - 1]) for cell in cells
                     if isinstance(cell.value, str) and cell.value
                     and cell.alignment.wrap_text), default=1)
        if lines > 1:
            ws.row_dimensions[cells[0].row].height = row_height(lines)


def add_table(ws: Worksheet, name: str, headers: Sequence[str], rows: Iterable[Sequence[Any]],
              *, first_row: int = 1, widths: Sequence[float] | None = None,
              number_formats: dict[str, str] | None = None,
              wrap: Iterable[str] = ()) -> int:
    """Write ``headers`` and ``rows`` as an Excel table (ListObject) named ``name`` with the
    header frozen. An empty table keeps one blank row (a table needs one). Returns the last
    row of the table."""
    header_row(ws, first_row, headers)
    formats = number_formats or {}
    wrapped = set(wrap)
    last = first_row
    for last, values in enumerate(rows, start=first_row + 1):  # noqa: B007
        for column, (header, value) in enumerate(zip(headers, values, strict=True), start=1):
            put(ws, last, column, value, number_format=formats.get(header),
                alignment=WRAP if header in wrapped else TOP)
    if last == first_row:
        last = first_row + 1
        for column, header in enumerate(headers, start=1):
            if header in formats:
                ws.cell(row=last, column=column).number_format = formats[header]
    ref = f"A{first_row}:{get_column_letter(len(headers))}{last}"
    table = Table(displayName=name, ref=ref)
    table.tableStyleInfo = TableStyleInfo(name=TABLE_STYLE, showRowStripes=True)
    ws.add_table(table)
    ws.freeze_panes = ws.cell(row=first_row + 1, column=1)
    if widths:
        set_widths(ws, widths)
    return last


def list_validation(values: Sequence[str], *, strict: bool = True, prompt: str | None = None,
                    title: str | None = None, allow_blank: bool = True) -> DataValidation | None:
    """A drop-down of fixed words. ``strict=False`` lets people type another word (a warning,
    not a stop): for lists that grow, such as scheme names. None when the words cannot be a
    literal list (a comma or quote in a word, or longer than Excel's 255 characters)."""
    words = [w for w in dict.fromkeys(values) if w]
    if not words or any("," in w or '"' in w for w in words):
        return None
    formula = '"' + ",".join(words) + '"'
    if len(formula) > 257:
        return None
    dv = DataValidation(type="list", formula1=formula, allow_blank=allow_blank,
                        showDropDown=False, showErrorMessage=True,
                        errorStyle="stop" if strict else "warning")
    dv.error = "Choose one of: " + ", ".join(words)
    dv.errorTitle = "Not in the list"
    if prompt:
        dv.prompt = prompt[:255]
        dv.promptTitle = (title or "")[:32] or None
        dv.showInputMessage = True
    return dv


def number_validation(*, minimum: float | None = None, prompt: str | None = None,
                      title: str | None = None) -> DataValidation:
    """Numbers only (a warning, so 'n/a' or 'TBC' can still be typed and is read honestly)."""
    if minimum is None:
        dv = DataValidation(type="decimal", operator="between", formula1="-1E+300",
                            formula2="1E+300", allow_blank=True, errorStyle="warning")
    else:
        dv = DataValidation(type="decimal", operator="greaterThanOrEqual",
                            formula1=repr(float(minimum)), allow_blank=True, errorStyle="warning")
    dv.showErrorMessage = True
    dv.error = "This should be a number."
    dv.errorTitle = "Not a number"
    if prompt:
        dv.prompt = prompt[:255]
        dv.promptTitle = (title or "")[:32] or None
        dv.showInputMessage = True
    return dv


def validate_column(ws: Worksheet, dv: DataValidation | None, column: int, first_row: int,
                    last_row: int) -> None:
    """Apply ``dv`` to one column from ``first_row`` to ``last_row``."""
    if dv is None:
        return
    letter = get_column_letter(column)
    dv.add(f"{letter}{first_row}:{letter}{last_row}")
    ws.add_data_validation(dv)


_CORE_DATES = re.compile(
    rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")


def save(wb: Workbook, path: str | Path, *, timestamp: dt.datetime | None = None) -> Path:
    """Save ``wb`` to ``path``. With ``timestamp`` the document dates and every zip entry's time
    are set to it, so the same content always gives the same bytes. Errors become
    :class:`~xlperf.errors.WorkbookError`."""
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        wb.save(buffer)
        data = buffer.getvalue()
        if timestamp is not None:
            data = _fix_times(data, timestamp)
        target.write_bytes(data)
    except OSError as error:
        raise WorkbookError(f"cannot write {target}: {error.strerror or error}",
                            file=str(target)) from None
    return target


def _fix_times(data: bytes, timestamp: dt.datetime) -> bytes:
    stamp = timestamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _CORE_DATES.sub(rb"\g<1>" + stamp + rb"\g<3>", content)
            fixed = zipfile.ZipInfo(info.filename, date_time=timestamp.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            target.writestr(fixed, content)
    return out.getvalue()
