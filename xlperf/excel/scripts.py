"""xlwings Lite scripts: "Validate this return" and "Refresh scorecard".

Both are thin wrappers over the library calls behind ``xlperf validate``, ``xlperf refresh``,
the desktop button and the add-in server, run on the ``xw.Book`` xlwings Lite gives them
through the gateway :class:`~xlperf.excel.gateway.XlwingsWorkbook` (no file paths: in Lite
the workbook is the one open in Excel, and Pyodide has no returns folder or ledger on disk):

* **Refresh scorecard**: the workbook is a master (``Measures``, ``Targets``, ``Settings``...)
  with its history on a ``Values`` sheet (long layout: ``Code``, ``Period``, ``Actual``
  [, ``Commentary``, ``Reported status``...]). A ledger is made in a temporary folder (Pyodide's
  in-memory file system), filled from ``Values`` by :meth:`xlperf.ledger.Ledger.import_history`,
  and :func:`xlperf.refresh.refresh` runs with no returns: the same output sheets
  (``Scorecard``, ``Objectives``, ``Exceptions``, ``Finance``, ``Log``) as the headless refresh
  of the same data. A master with no ``Values`` sheet (as ``xlperf init`` and ``xlperf demo``
  make it: on the desktop its values are in the ledger file) is refreshed too, every measure
  with no data, and gets an empty ``Values`` sheet with its headers and one sentence saying
  what to put there (:data:`NO_VALUES_SHEET`).
* **Validate this return**: the same validator as ``xlperf validate`` over the book's sheets
  as read by the gateway; the findings go to a ``Findings`` sheet.

Neither needs threads, subprocesses, sockets or python-calamine (which Pyodide lacks).
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import xlwings as xw

from xlperf.excel.buttons import (
    FINDINGS_SHEET,
    TITLE_REFRESH,
    TITLE_VALIDATE,
    _guarded,
    findings_sheet,
    refresh_message,
    tell,
    validation_summary,
)

__all__ = ["NO_VALUES_SHEET", "VALUES_HEADERS", "VALUES_SHEET", "refresh_in_memory",
           "refresh_scorecard", "validate_grids_of", "validate_return"]

#: The sheet of a Lite master that holds the history the scorecard is scored from.
VALUES_SHEET = "Values"
#: The headers the empty ``Values`` sheet gets on a master that had none.
VALUES_HEADERS = ("Code", "Period", "Actual", "Commentary")
#: What the script says when the master had no ``Values`` sheet (one sentence).
NO_VALUES_SHEET = (f"This master had no {VALUES_SHEET} sheet, so every measure shows No data: "
                   f"xlperf has added one; put each measure's figures on it, one row per "
                   f"measure and period ({', '.join(VALUES_HEADERS[:3])}), and press Refresh "
                   f"scorecard again.")


# -- refresh scorecard -----------------------------------------------------------------------

def values_frame(grid: Sequence[Sequence[Any]]) -> Any:
    """A sheet's grid (row 1 first) as the DataFrame :meth:`~xlperf.ledger.Ledger.
    import_history` reads: row 1 becomes the headers, so the rows keep their Excel numbers."""
    import pandas as pd

    if not grid:
        return pd.DataFrame()
    header = ["" if h is None else h for h in grid[0]]
    return pd.DataFrame([list(row) for row in grid[1:]], columns=header)


def refresh_in_memory(book: Any, *, folder: str | Path | None = None, **options: Any) -> Any:
    """Refresh an open master from its ``Values`` sheet, with a ledger in ``folder`` (default:
    a temporary folder, removed afterwards; in Pyodide that is memory).

    Returns ``(result, history)``: the :class:`~xlperf.refresh.RefreshResult` and the
    :class:`~xlperf.findings.Report` of the import of ``Values`` (cells left out, with their
    cell). ``options`` go to :func:`xlperf.refresh.refresh` (``period``, ``now``...)."""
    from xlperf.council import scratch_ledger
    from xlperf.excel.gateway import XlwingsWorkbook
    from xlperf.findings import Report
    from xlperf.ledger import Ledger
    from xlperf.read import find_sheet
    from xlperf.refresh import refresh
    from xlperf.write.lossless import CellStyle, SheetContent

    workbook = XlwingsWorkbook(book)
    sheet = find_sheet(workbook.sheet_names(), VALUES_SHEET)
    with tempfile.TemporaryDirectory(prefix="xlperf-") as temporary:
        ledger = scratch_ledger(folder if folder is not None else temporary, workbook.name)
        with Ledger(ledger) as store:
            if sheet is None:  # scored with no values; the sheet to fill is added below
                history = Report(meta={"inserted": 0, "missing_values_sheet": True})
            else:
                history = store.import_history(values_frame(workbook.read_sheet(sheet)),
                                               "auto", sheet=sheet,
                                               name=f"{workbook.name} ({sheet})")
        result = refresh(workbook, returns=[], ledger=ledger, **options)
    if sheet is None:
        header = CellStyle(bold=True, color="#FFFFFF", fill="#1D70B8")
        workbook.write_sheets({VALUES_SHEET: SheetContent(
            rows=[list(VALUES_HEADERS)], styles=[[header] * len(VALUES_HEADERS)],
            widths=[14, 12, 10, 40], freeze="A2")})
    return result, history


def _history_note(history: Any) -> str:
    if history.meta.get("missing_values_sheet"):
        return "\n" + NO_VALUES_SHEET
    left_out = [f for f in history if f.severity == "error"]
    if not left_out:
        return ""
    cells = ", ".join(f"{f.sheet}!{f.cell}" if f.cell else str(f.message) for f in left_out[:5])
    more = f" and {len(left_out) - 5} more" if len(left_out) > 5 else ""
    return (f"\n{len(left_out)} cells of the {VALUES_SHEET} sheet were left out (not a "
            f"number, or no period or code): {cells}{more}.")


@xw.script(name="Refresh scorecard")
def refresh_scorecard(book: xw.Book) -> None:
    """Refresh the open master's Scorecard, Objectives, Exceptions, Finance and Log sheets
    from its Values sheet (the same refresh as ``xlperf refresh``)."""

    def work() -> Any:
        result, history = refresh_in_memory(book)
        # The ledger lived in memory for this refresh only: the workbook is what to keep.
        message = refresh_message(result).rsplit("\n", 1)[0]
        tell(book, f"{message}\nSave the workbook to keep the new sheets."
             + _history_note(history), TITLE_REFRESH)
        return result

    _guarded(TITLE_REFRESH, "The scorecard was not refreshed", work, book)


# -- validate this return --------------------------------------------------------------------

def validate_grids_of(book: Any, **options: Any) -> Any:
    """Validate the open return (its sheets as the gateway reads them) with the validator of
    ``xlperf validate``; write the findings to a ``Findings`` sheet; return the
    :class:`~xlperf.findings.Report`. ``options`` go to the validator (``master``, ``period``,
    ``service``...)."""
    from xlperf.excel.gateway import XlwingsWorkbook
    from xlperf.validate.returns import validate_grids

    workbook = XlwingsWorkbook(book)
    grids = {name: workbook.read_sheet(name) for name in workbook.sheet_names()
             if name.casefold() != FINDINGS_SHEET.casefold()}
    report = validate_grids(grids, name=workbook.name, **options)
    workbook.write_sheets({FINDINGS_SHEET: findings_sheet(report, workbook.name)})
    return report


@xw.script(name="Validate this return")
def validate_return(book: xw.Book) -> None:
    """Check the open return with xlperf's validator and list its findings, each with its
    cell, on a Findings sheet."""

    def work() -> Any:
        report = validate_grids_of(book)
        tell(book, validation_summary(book.name, report), TITLE_VALIDATE,
             problem=bool(report.errors))
        return report

    _guarded(TITLE_VALIDATE, "The return was not validated", work, book)
