"""Annotated copies of returns: each finding as a cell comment and fill, and a findings sheet.

A rejected return is quarantined as a *copy* with its problems marked where they are (the user's
file is never changed). Returns are workbooks xlperf made (templates), so openpyxl is the right
tool here; a file openpyxl cannot open is copied as it is (its findings are in the JSON beside
it).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from xlperf.findings import Report

__all__ = ["FINDINGS_SHEET", "annotate_copy"]

FINDINGS_SHEET = "xlperf findings"
_ERROR_FILL, _QUERY_FILL = "F6D7D2", "FFF2CC"


def annotate_copy(path: str | Path, report: Report, out: str | Path) -> Path:
    """Write a copy of ``path`` to ``out`` with every finding of ``report`` marked on its cell
    (a comment with the rule and message; red fill for an error, yellow for a query) and a
    first sheet listing them all. Returns ``out``."""
    from openpyxl import load_workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    source, target = Path(path), Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        wb = load_workbook(source, keep_vba=source.suffix.lower() == ".xlsm")
    except Exception:  # noqa: BLE001  (openpyxl raises many kinds: the file is copied as is)
        shutil.copyfile(source, target)
        return target
    for finding in report:
        if not finding.sheet or not finding.cell or finding.sheet not in wb.sheetnames:
            continue
        ws = wb[finding.sheet]
        try:
            cell = ws[finding.cell]
        except (ValueError, KeyError, IndexError):
            continue
        if isinstance(cell, tuple):
            continue
        text = f"{finding.rule} ({finding.severity}): {finding.message}"
        if cell.comment is not None:
            text = f"{cell.comment.text}\n{text}"
        cell.comment = Comment(text[:30000], "xlperf", width=320, height=120)
        colour = _ERROR_FILL if finding.severity == "error" else _QUERY_FILL
        if finding.severity == "error" or cell.fill is None or cell.fill.fgColor.rgb != (
                "00" + _ERROR_FILL):
            cell.fill = PatternFill("solid", fgColor=colour)
    if FINDINGS_SHEET in wb.sheetnames:
        del wb[FINDINGS_SHEET]
    ws = wb.create_sheet(FINDINGS_SHEET, 0)
    ws.append(["Severity", "Rule", "Sheet", "Cell", "Message", "Value"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for finding in report:
        value = finding.to_dict()["value"]
        ws.append([finding.severity, finding.rule, finding.sheet, finding.cell,
                   finding.message, None if value is None else str(value)])
    for column, width in zip("ABCDEF", (9, 10, 12, 8, 100, 20), strict=True):
        ws.column_dimensions[column].width = width
    ws.freeze_panes = "A2"
    wb.active = 0
    wb.save(target)
    return target
