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

import time
from collections.abc import Callable, Mapping
from pathlib import Path

from xlperf import _files
from xlperf.errors import InputError, WorkbookError
from xlperf.write._lossless_plan import (
    SheetContent,
    SheetWritten,
    Sparkline,
    SparklineGroup,
    WriteResult,
    _Plan,  # noqa: F401 (the tests patch it here)
    check_sheet_name,
)
from xlperf.write._lossless_writer import _Writer
from xlperf.write._opc import Package
from xlperf.write._print import PrintSetup
from xlperf.write.styles import CellStyle

__all__ = ["CellStyle", "PrintSetup", "SheetContent", "SheetWritten", "Sparkline",
           "SparklineGroup", "WriteResult", "check_sheet_name", "write_sheets"]


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
    source = _files.master_file(path)
    target = _files.master_file(out) if out is not None else source
    if not sheets:
        raise InputError("no sheets to write")
    if backups < 0:
        raise InputError(f"backups must be 0 or more, not {backups}")
    if not source.is_file():
        raise WorkbookError(f"{source}: no such workbook", file=str(source))
    _files.check_writable(target, doing="write its sheets")
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
