"""What each endpoint does, without the web framework: payload in, plain data out.

The same library calls as the CLI: :func:`xlperf.validate.validate_grids` (the validator of
:func:`~xlperf.validate.validate_return` over the sheets the payload carries) for "Validate this
return", :func:`xlperf.refresh.refresh` over :class:`xlperf.excel.gateway.XlwingsWorkbook` for
"Refresh scorecard", the ledger's refresh log for "Show log", and xlwings' custom-function
machinery for the ``XLPERF.*`` worksheet functions. Library errors stay
:class:`~xlperf.errors.XlperfError` here; :mod:`xlperf.server.app` turns them into messages.

The team's ledger is the one of the server's master (``--master``): its ``Ledger path`` setting,
else ``<master>.ledger.sqlite`` beside it. Refreshes of one ledger run one at a time (a lock per
ledger in this process, and the ledger's own SQLite transaction across processes).
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xlperf.errors import BusyError, XlperfError
from xlperf.server._actions import guard_actions
from xlperf.server._config import ServerConfig
from xlperf.server._payload import check_payload, sheet_grids

if TYPE_CHECKING:
    from xlperf.council import Council
    from xlperf.read.master import Master

__all__ = ["Team", "ledger_lock"]

_LOCKS: dict[Path, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$")


def ledger_lock(path: Path) -> threading.Lock:
    """The one lock of a ledger file in this process."""
    key = path.resolve()
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(key, threading.Lock())


def _cell(value: Any) -> Any:
    """A payload cell as a workbook cell: ISO date text (how Office.js clients send dates)
    becomes a date again, the rest is unchanged."""
    if isinstance(value, str) and _ISO.match(value):
        try:
            return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).replace(tzinfo=None)
        except ValueError:
            return value
    return value


class Team:
    """The server's view of the team: its master, its ledger and their lock."""

    def __init__(self, config: ServerConfig):
        self.config = config
        self._council: tuple[float, Council] | None = None
        self._guard = threading.Lock()

    # -- the master and its ledger on the server's disk ---------------------------------------
    def council(self) -> Council | None:
        """The council of the server's master, read once per change of the file (``None``
        without one)."""
        path = self.config.master
        if path is None:
            return None
        from xlperf.council import Council

        stamp = path.stat().st_mtime
        with self._guard:
            if self._council is None or self._council[0] != stamp:
                council = Council.open(path)
                council.master  # noqa: B018  (read now, under the guard, not per request)
                self._council = (stamp, council)
            return self._council[1]

    def master(self) -> Master | None:
        """The server's master as read (``None`` without one)."""
        council = self.council()
        return None if council is None else council.master

    def _team_council(self) -> Council:
        council = self.council()
        if council is None:
            raise XlperfError("this server was started without --master, so it has no ledger "
                              "to record a refresh in: ask whoever runs it to restart it with "
                              "'xlperf serve --master PATH'")
        return council

    def ledger_path(self) -> Path:
        """Where the team's ledger lives; an error when the server has no master."""
        return self._team_council().ledger

    def returns(self) -> list[Path]:
        """The team's returns: the ``Returns folder`` of the server's own master (relative to
        it; default ``returns``), never a folder named by the workbook a request sends."""
        council = self.council()
        return [] if council is None else council.returns()

    # -- Validate this return ----------------------------------------------------------------
    def validate(self, payload: Any) -> dict[str, Any]:
        """Findings for the return the payload carries, checked against the server's master."""
        checked = check_payload(payload)
        from xlperf.validate import validate_grids

        name = checked["book"]["name"]
        grids, percent = _grids(checked)
        council = self.council()
        file = Path(name).stem + ".xlsx"
        # With a master: its council's register, Rules and ledger history, as every door.
        report = (validate_grids(grids, None, name=file, percent_cells=percent)
                  if council is None else
                  council.validate_grids(grids, name=file, percent_cells=percent))
        findings = []
        for finding in report:
            row = finding.to_dict()
            row["file"] = name
            findings.append(row)
        errors = sum(f["severity"] == "error" for f in findings)
        queries = len(findings) - errors
        if not findings:
            summary = f"{name}: no problems found."
        else:
            summary = (f"{name}: {errors} error{'s' * (errors != 1)} (must be fixed) and "
                       f"{queries} quer{'ies' if queries != 1 else 'y'} (please confirm).")
        return {"ok": True, "valid": report.valid, "summary": summary, "findings": findings,
                "actions": []}

    # -- Refresh scorecard -------------------------------------------------------------------
    def refresh(self, payload: Any) -> dict[str, Any]:
        """The refresh of the master the payload carries: the actions that write its output
        sheets, recorded in the team's ledger. One refresh of a ledger at a time."""
        checked = check_payload(payload)
        ledger = self.ledger_path()
        lock = ledger_lock(ledger)
        if not lock.acquire(timeout=self.config.lock_timeout):
            raise BusyError("another refresh of the team's scorecard is still running; try "
                            "again in a minute")
        try:
            return self._refresh(checked, ledger)
        finally:
            lock.release()

    def _refresh(self, checked: dict[str, Any], ledger: Path) -> dict[str, Any]:
        from xlperf.server._xlwings import load_xlwings

        xw = load_xlwings()
        from xlperf.excel.gateway import XlwingsWorkbook
        from xlperf.refresh import refresh

        book = xw.Book(json=checked)
        result = refresh(XlwingsWorkbook(book), returns=self.returns(), ledger=ledger)
        actions = guard_actions(book.json()["actions"])
        return {"ok": True, "summary": _summary(result), "actions": actions,
                "findings": _findings(result, checked["book"]["name"]),
                "measures": measures_of(result.scored)}

    # -- Returns -----------------------------------------------------------------------------
    def collection(self, period: str | None = None, today: str | None = None) -> dict[str, Any]:
        """Where each return of the period stands: the rows of ``xlperf returns``
        (:func:`xlperf.collection.collection_status` over the server's master and its returns
        folder), as of ``today`` (``YYYY-MM-DD``; default today)."""
        from xlperf.collection import collection_status, contact_text
        from xlperf.errors import InputError

        if self.config.master is None:
            raise XlperfError("this server was started without --master, so it has no returns "
                              "to list: ask whoever runs it to restart it with 'xlperf serve "
                              "--master PATH'")
        try:
            day = dt.date.fromisoformat(today) if today else None
        except ValueError:
            raise InputError(f"today must be a date such as 2014-01-22, not {today!r}") from None
        status = collection_status(self.config.master, period=period or None, today=day)
        rows = []
        for r in status.returns:
            row = r.to_dict()
            for private in ("findings", "superseded", "template"):  # server paths, detail
                row.pop(private, None)
            row["file"] = r.file.name if r.file is not None else None
            row["contact"] = contact_text(r.expected.contacts)
            row["late"] = bool(r.days_overdue and not r.owed)
            rows.append(row)
        return {"ok": True, "period": status.period, "today": status.today.isoformat(),
                "summary": status.summary, "complete": status.complete, "returns": rows}

    # -- Show log ----------------------------------------------------------------------------
    def log(self, limit: int = 20) -> dict[str, Any]:
        """The latest refreshes recorded in the team's ledger, newest first."""
        frame = self._team_council().log(limit)
        if frame.empty:
            return {"ok": True, "summary": "No refresh has been recorded yet.", "entries": []}
        entries = []
        for row in frame.to_dict("records"):
            # An import-history row has no period (NaN): the JSON encoding writes null.
            counts, files = row.get("counts"), row.get("files")
            entries.append({"id": int(row["id"]), "kind": row.get("kind"),
                            "started": row.get("started_at"),
                            "finished": row.get("finished_at"),
                            "period": row.get("period"),
                            "counts": counts if isinstance(counts, dict) else {},
                            "files": len(files) if isinstance(files, list) else 0})
        return {"ok": True, "summary": f"The last {len(entries)} refreshes of the team's "
                                       "ledger.", "entries": entries}


MAX_FINDINGS = 500
MAX_MEASURES = 5000


def _word(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)


def measures_of(scored: Any) -> list[dict[str, Any]]:
    """Each scored measure as the pane lists it, from the rows the Scorecard is written from:
    its status, variation and assurance, each a symbol, a word and the sentence that explains
    it (the Scorecard's symbols and words: :func:`xlperf.core.spc.icon`), at most
    :data:`MAX_MEASURES`.

    >>> import pandas as pd
    >>> shown = measures_of(pd.DataFrame({"code": ["A"], "title": ["Visits"],
    ...     "period": ["Q2 2013/14"], "symbol": ["✓"], "status": ["Green"],
    ...     "explanation": ["on target"], "variation": ["Special cause of concern"],
    ...     "variation_side": ["low"], "variation_explanation": ["below the lower limit"],
    ...     "assurance": ["Hit and miss"], "assurance_explanation": ["between the limits"]})
    ...     )[0]["variation"]
    >>> shown["symbol"], shown["word"], shown["explanation"]
    ('▼', 'Special cause of concern', 'below the lower limit')
    """
    from xlperf.core.spc import icon

    rows = []
    for row in scored.head(MAX_MEASURES).to_dict("records"):
        entry: dict[str, Any] = {
            "code": _word(row.get("code")), "measure": _word(row.get("title")),
            "period": _word(row.get("period")),
            "status": {"word": _word(row.get("status")), "symbol": _word(row.get("symbol")),
                       "colour": _word(row.get("colour")) or None,
                       "explanation": _word(row.get("explanation"))}}
        for key in ("variation", "assurance"):
            word = _word(row.get(key))
            symbol, colour = icon(word, _word(row.get("variation_side"))) if word else ("", None)
            entry[key] = {"word": word, "symbol": symbol, "colour": colour,
                          "explanation": _word(row.get(f"{key}_explanation"))}
        rows.append(entry)
    return rows


def _summary(result: Any) -> str:
    """One paragraph for the pane from a :class:`~xlperf.refresh.RefreshResult`."""
    from xlperf._words import refresh_counts

    said = refresh_counts(result.counts, not_received=result.not_received, blank=result.blank)
    return (f"Scorecard for {result.period}: {said}. "
            f"Logged as refresh {result.refresh_id}.")


def _findings(result: Any, name: str) -> list[dict[str, Any]]:
    """The master's findings (cells of the open workbook: ``in_book``) and each return's,
    errors first, at most :data:`MAX_FINDINGS`."""
    rows = []
    for finding in result.master_report:
        rows.append(dict(finding.to_dict(), file=name, in_book=True))
    for outcome in result.files:
        for finding in outcome.report:
            rows.append(dict(finding.to_dict(), file=outcome.name, in_book=False))
    rows.sort(key=lambda f: f["severity"] != "error")
    return rows[:MAX_FINDINGS]


def _grids(checked: dict[str, Any]) -> tuple[dict[str, list[list[Any]]], dict[str, list[str]]]:
    """The payload's sheets as the validator takes them: ``{sheet: values}`` (ISO dates as
    dates) and the cells whose number format is a percentage (so 0.6804 shown as 68.04%
    reads as 68.04)."""
    from xlperf.core.a1 import cell_ref
    from xlperf.read.returns import is_percent_format

    grids: dict[str, list[list[Any]]] = {}
    percent: dict[str, list[str]] = {}
    for sheet in checked["sheets"]:
        grids[sheet["name"]] = [[_cell(v) for v in row] for row in sheet["values"]]
        formats = sheet.get("number_formats") or []
        percent[sheet["name"]] = [
            cell_ref(r, c) for r, row in enumerate(formats, start=1)
            for c, fmt in enumerate(row, start=1)
            if isinstance(fmt, str) and is_percent_format(fmt)]
    return grids, percent


def grids_of(payload: Any) -> dict[str, list[list[Any]]]:
    """``{sheet: values}`` of a payload after its checks (used by tests and benchmarks)."""
    return sheet_grids(check_payload(payload))
