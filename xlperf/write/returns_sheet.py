"""The Returns output sheet: per expected return, who owes it, by when, and what came of it.

:func:`returns_sheet` is pure: a :class:`~xlperf.collection.CollectionStatus` in (the one
computation behind ``xlperf returns``, the task pane's Returns view and the refresh:
:func:`xlperf.collection.refresh_collection`), one
:class:`~xlperf.write.lossless.SheetContent` out, laid out and printed like the other output
sheets (title, note, summary, headers in row 4; :mod:`xlperf.write.outputs`).

Colour is never the only signal: the outcome is a word, the days overdue a number (a return
that came in late shows ``3 (late)`` through its number format, so the cell stays a number to
sort and filter on).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from xlperf.layout import OUTPUT_SHEETS
from xlperf.write.lossless import SheetContent
from xlperf.write.styles import CellStyle

__all__ = ["RETURNS_HEADERS", "RETURNS_SHEET", "returns_sheet"]

RETURNS_SHEET = next(s for s in OUTPUT_SHEETS if s.name == "Returns")
RETURNS_HEADERS = RETURNS_SHEET.headers

DAY = "dd mmm yyyy"
MOMENT = "dd mmm yyyy hh:mm"


def _styles() -> dict[str, CellStyle]:
    from xlperf.write import outputs as o

    top = o.TOP
    return {
        "top": top, "wrap": o.WRAP, "missing": o.MISSING, "ok": CellStyle(
            bold=True, color=o.OK.color, vertical="top"),
        "partly": o.FLAG, "owed": CellStyle(bold=True, color=o.PROBLEM.color, vertical="top"),
        "day": CellStyle(number_format=DAY, vertical="top"),
        "moment": CellStyle(number_format=MOMENT, vertical="top"),
        "count": CellStyle(number_format="0", vertical="top"),
        "overdue": CellStyle(bold=True, color=o.PROBLEM.color, number_format="0",
                             vertical="top"),
        "late": CellStyle(color=o.FLAG.color, number_format='0" (late)"', vertical="top"),
        "sha": CellStyle(vertical="top", color="#505A5F"),
    }


def _local(moment: datetime | None) -> datetime | None:
    """A time as the clock on the wall showed it, to the second (a cell holds no time zone;
    the file's sub-second part would print nowhere and differ between Excel's doors)."""
    return None if moment is None else moment.replace(tzinfo=None, microsecond=0)


def returns_sheet(status: Any, *, title: str = "Returns", options: Any = None) -> SheetContent:
    """The Returns sheet of a collection (``status``: a
    :class:`~xlperf.collection.CollectionStatus`): one row per expected return in template
    order, then any file that is no return of the period.

    >>> from datetime import date
    >>> from pathlib import Path
    >>> from xlperf.collection import CollectionStatus, ReturnStatus
    >>> from xlperf.core.collection import ExpectedReturn
    >>> owed = ReturnStatus(ExpectedReturn("performance", "Care", "Care - Q3.xlsx", "Q3 2013/14",
    ...                                    date(2014, 1, 15), 10), days_overdue=5)
    >>> sheet = returns_sheet(CollectionStatus(Path("m.xlsx"), "Q3 2013/14", date(2014, 1, 22),
    ...                                        "", (owed,)))
    >>> sheet.rows[4][:4], sheet.rows[4][7:9]
    (['Care', 'performance', 'no contact', datetime.date(2014, 1, 15)], ['not received', 5])
    """
    from xlperf.core.collection import ACCEPTED, PARTLY, contact_text
    from xlperf.write.outputs import _content, _head

    look = _styles()
    summary = f"{status.summary} (as of {status.today:%d %b %Y})"
    rows, styles = _head(RETURNS_SHEET, title, summary)
    for r in status.returns:
        e = r.expected
        contact = contact_text(e.contacts)
        outcome_style = (look["ok"] if r.outcome == ACCEPTED else
                         look["partly"] if r.outcome == PARTLY else look["owed"])
        overdue = r.days_overdue or None
        overdue_style = look["overdue"] if r.owed else look["late"]
        signed = r.signed_off_at
        rows.append([e.who, e.kind, contact or "no contact", e.due, _local(r.received_at),
                     r.file.name if r.file is not None else None, r.sha256, r.outcome,
                     overdue, r.errors if r.received else None,
                     r.queries if r.received else None, r.completed_by or None,
                     r.signed_off_by or None, signed])
        styles.append([look["top"], look["top"], look["wrap"] if contact else look["missing"],
                       look["day"], look["moment"], look["wrap"], look["sha"], outcome_style,
                       overdue_style, look["count"], look["count"], look["top"], look["top"],
                       look["day"] if not isinstance(signed, str) else look["top"]])
    if status.unexpected:
        rows.append([])
        styles.append([])
        rows.append(["Files in the returns folder that are no return of this period"])
        styles.append([CellStyle(bold=True, vertical="top")])
        for report in status.unexpected:
            name = str(report.file or "").replace("\\", "/").rsplit("/", 1)[-1]
            rows.append([str(report.meta.get("service") or "nobody known"),
                         str(report.meta.get("kind") or "unknown"), None, None, None, name,
                         None, "not expected"])
            styles.append([look["top"], look["top"], None, None, None, look["wrap"], None,
                           look["partly"]])
    return _content(RETURNS_SHEET, rows, styles, options=options)
