"""What the Excel buttons run: wrap the open book, call the library, say what happened.

``workbooks/master.xlsm``'s "Refresh scorecard" button runs ``master.main()`` through xlwings'
``RunPython``, which calls :func:`refresh_scorecard` on ``xw.Book.caller()``. Each function here
is thin: it wraps the book in :class:`~xlperf.excel.gateway.XlwingsWorkbook`, makes one library
call (the same :func:`xlperf.refresh.refresh` as ``xlperf refresh``; the same
:func:`xlperf.validate.returns.validate_return` as ``xlperf validate``) and shows one message
box (``app.alert``; where the engine has none, the message is printed). A problem is a plain
sentence in that box, never a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xlperf.errors import XlperfError

if TYPE_CHECKING:
    from xlperf.council import Council

__all__ = ["findings_sheet", "refresh_message", "refresh_scorecard", "tell",
           "validate_this_return"]

TITLE_REFRESH = "Refresh scorecard"
TITLE_VALIDATE = "Validate this return"
FINDINGS_SHEET = "Findings"


def _caller(book: Any) -> Any:
    if book is not None:
        return book
    import xlwings as xw

    return xw.Book.caller()


def tell(book: Any, message: str, title: str, *, problem: bool = False) -> None:
    """Show ``message`` in Excel (``app.alert``), or print it where the engine cannot."""
    try:
        book.app.alert(message, title=title, mode="critical" if problem else "info")
    except Exception:  # noqa: BLE001 - no alert on this engine (Lite, a stand-in book)
        print(f"{title}: {message}")


def _plain(error: BaseException) -> str:
    if isinstance(error, XlperfError):
        return str(error)
    return f"{type(error).__name__}: {error}"


def _guarded(title: str, failed: str, work: Callable[[], Any], book: Any) -> Any:
    try:
        return work()
    except Exception as error:  # noqa: BLE001 - the user sees a sentence, never a traceback
        tell(book, f"{failed}: {_plain(error)}", title, problem=True)
        return None


def refresh_message(result: Any) -> str:
    """The message box after a refresh: period, statuses, returns, what to do next."""
    counts = result.counts
    statuses = ", ".join(f"{v} {k.removeprefix('status ')}" for k, v in counts.items()
                         if k.startswith("status "))
    from xlperf._words import plural, refresh_counts

    lines = [f"Scorecard refreshed for {result.period}: {plural(counts['measures'], 'measure')}"
             + (f" ({statuses})." if statuses else "."),
             f"{refresh_counts(counts, not_received=result.not_received, blank=result.blank)}"
             "."]
    if counts.get("restatements"):
        lines.append(f"{plural(counts['restatements'], 'restated value')} (listed on the Log "
                     "sheet).")
    if result.rejected:
        where = f" in {result.quarantine}" if result.quarantine else ""
        lines.append(f"See the Log sheet for why rows were rejected; annotated copies{where}.")
    lines.append("Save the workbook to keep the new sheets (the ledger already holds the "
                 "refresh).")
    return "\n".join(lines)


def refresh_scorecard(book: Any = None, **options: Any) -> Any:
    """Refresh the open master's output sheets; returns the
    :class:`~xlperf.refresh.RefreshResult`, or None when it could not run (the message says
    why). ``options`` go to :func:`xlperf.refresh.refresh` (``returns``, ``period``,
    ``ledger``...); by default the returns folder and the ledger are found beside the saved
    workbook, as for ``xlperf refresh``."""
    book = _caller(book)

    def work() -> Any:
        from xlperf.excel.gateway import XlwingsWorkbook
        from xlperf.refresh import refresh

        result = refresh(XlwingsWorkbook(book), **options)
        tell(book, refresh_message(result), TITLE_REFRESH)
        return result

    return _guarded(TITLE_REFRESH, "The scorecard was not refreshed", work, book)


def validate_this_return(book: Any = None, *, master: str | Path | Council | None = None,
                         **options: Any) -> Any:
    """Validate the open return (its saved file) and list the findings on a ``Findings``
    sheet; returns the :class:`~xlperf.findings.Report`, or None when it could not run.

    ``master``: the master workbook's path (or its :class:`~xlperf.council.Council`), for the
    checks against the register and its ledger's history (without it only the checks that
    need no master run). ``options`` go to
    :func:`xlperf.validate.returns.validate_return` (``period``, ``service``...)."""
    book = _caller(book)

    def work() -> Any:
        from xlperf.errors import InputError
        from xlperf.excel.gateway import XlwingsWorkbook
        from xlperf.validate.returns import validate_return

        workbook = XlwingsWorkbook(book)
        if workbook.path is None:
            raise InputError(f"{workbook.name} is not saved as a file yet: save it, then "
                             "validate (the checks read the saved file)")
        if master is None:
            report = validate_return(workbook.path, None, **options)
        else:
            from xlperf.council import Council

            council = master if isinstance(master, Council) else Council.open(master)
            report = council.validate([workbook.path], **options)[0]
        workbook.write_sheets({FINDINGS_SHEET: findings_sheet(report, workbook.name)})
        tell(book, validation_summary(
            workbook.name, report, advice="Correct the errors, save, and validate again."),
            TITLE_VALIDATE, problem=bool(report.errors))
        return report

    return _guarded(TITLE_VALIDATE, "The return was not validated", work, book)


def validation_summary(name: str, report: Any, *,
                       advice: str = "Correct the errors and validate again.") -> str:
    """The message box after a validation, the same from every button and script.

    >>> from xlperf.findings import Finding, Report
    >>> validation_summary("r.xlsx", Report((Finding("PERF-009", "error", "..."),)))
    'r.xlsx: 1 error and 0 queries, listed on the Findings sheet with their cells. Correct \
the errors and validate again.'
    """
    errors, queries = len(report.errors), len(report.queries)
    if report.valid and not queries:
        return f"{name}: no problems found. It is ready to submit."
    return (f"{name}: {errors} error{'s' if errors != 1 else ''} and {queries} "
            f"quer{'ies' if queries != 1 else 'y'}, listed on the {FINDINGS_SHEET} sheet with "
            "their cells." + (f" {advice}" if errors else ""))


def findings_sheet(report: Any, name: str) -> Any:
    """A report as the ``Findings`` sheet: one row per finding, errors first (as ordered)."""
    from xlperf.write.lossless import CellStyle, SheetContent

    header = ["Severity", "Rule", "Sheet", "Cell", "Value", "Message", "How to fix"]
    bold = CellStyle(bold=True, color="#FFFFFF", fill="#1D70B8")
    error = CellStyle(bold=True, color="#D4351C")
    rows: list[list[Any]] = [header]
    styles: list[list[Any]] = [[bold] * len(header)]
    for f in report:
        rows.append([f.severity, f.rule, f.sheet, f.cell, f.value, f.message,
                     f.how_to_fix or None])
        styles.append([error if f.severity == "error" else None])
    if len(rows) == 1:
        rows.append(["", "", "", "", "", f"{name}: no problems found", None])
    return SheetContent(rows=rows, styles=styles, widths=[9, 10, 16, 8, 16, 90, 70],
                        freeze="A2", replace_layout=True)
