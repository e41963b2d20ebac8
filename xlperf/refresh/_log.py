"""The refresh's words in the master: the Log sheet's lines, and its summary line, which
says which ledger (and which refresh of it) last wrote the master."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from xlperf.errors import LedgerError, WorkbookError
from xlperf.findings import Report, Severity
from xlperf.refresh._book import Workbook
from xlperf.refresh._result import ACCEPTED, PARTLY, REJECTED, SKIPPED, FileOutcome

if TYPE_CHECKING:
    from xlperf.ledger import StatusChange
    from xlperf.write.outputs import LogLine

__all__ = ["Written", "expect_ledger", "last_written", "summary_line"]


@dataclass(frozen=True)
class Written:
    """What the master's ``Log`` says of the refresh that last wrote it."""

    ledger: str  # the ledger's file name
    refresh_id: int
    fingerprint: str | None  # Ledger.fingerprint() of that ledger (None: an older xlperf)
    when: str


_WRITTEN = re.compile(r"^Refreshed (?P<when>.+?) by xlperf \S+; ledger (?P<ledger>.+) "
                      r"\(refresh (?P<id>\d+)(?:, ledger (?P<fp>[0-9a-f]{8}))?\)$")


def summary_line(when: str, version: str, ledger: str, refresh_id: int,
                 fingerprint: str | None) -> str:
    """The Log sheet's summary of a refresh, as :func:`last_written` reads it back.

    >>> line = summary_line("2026-12-07 09:30", "1.0", "m.ledger.sqlite", 4, "0a1b2c3d")
    >>> line
    'Refreshed 2026-12-07 09:30 by xlperf 1.0; ledger m.ledger.sqlite (refresh 4, ledger 0a1b2c3d)'
    >>> _WRITTEN.match(line)["id"], summary_line("09:30", "1.0", "m.sqlite", 1, None)[-11:]
    ('4', '(refresh 1)')
    """
    return (f"Refreshed {when} by xlperf {version}; ledger {ledger} (refresh {refresh_id}"
            + (f", ledger {fingerprint})" if fingerprint else ")"))


def last_written(book: Workbook) -> Written | None:
    """The refresh that last wrote ``book``, from its ``Log`` sheet's summary line (None for
    a master never refreshed, or whose Log was cleared)."""
    from xlperf.read import find_sheet

    try:
        name = find_sheet(book.sheet_names(), "Log")
        grid = book.read_sheet(name) if name is not None else []
    except WorkbookError:
        return None
    for row in grid[:6]:
        for cell in row[:3]:
            match = _WRITTEN.match(str(cell).strip()) if isinstance(cell, str) else None
            if match:
                return Written(match["ledger"], int(match["id"]), match["fp"], match["when"])
    return None


def _missing_ledger(path: Path, written: Written, master: str, state: str) -> str:
    return (f"the ledger {path} is {state}, but {master} was last refreshed on "
            f"{written.when} with ledger {written.ledger} (refresh {written.refresh_id}): "
            "its history (trends, directions of travel, frozen statuses) would be lost, so "
            "nothing was changed. Restore the ledger from its latest backup (backups/ beside "
            "the master: see 'Restoring the ledger' in docs/ledger.md) or put it back where "
            "the Ledger path setting says; to start a new, empty ledger on purpose, refresh "
            "with --new-ledger")


def expect_ledger(path: Path, written: Written | None, master: str) -> None:
    """Refuse a ledger that is missing where the master's Log says it had one (an empty
    file is refused by :class:`~xlperf.ledger.Ledger` itself)."""
    if written is not None and not path.exists():
        raise LedgerError(_missing_ledger(path, written, master, "missing"))


def _log_lines(when: str, name: str, label: str, outcomes: Sequence[FileOutcome],
               skipped: Sequence[FileOutcome], counts: Mapping[str, int],
               restatements: pd.DataFrame, changes: Sequence[StatusChange],
               master_report: Report, timings: Mapping[str, float], quarantine: Path,
               rescore: bool, unpublished: tuple[pd.DataFrame, pd.DataFrame] | None = None,
               collection: Any = None) -> list[LogLine]:
    """The Log sheet's lines of a refresh: its counts, the master's findings, each return's
    outcome and findings, the skipped, the restatements (and those recorded since the master
    was last written), the statuses re-rated or kept, and the timings."""
    from xlperf._words import plural, refresh_counts
    from xlperf.write.outputs import LogLine

    missing = {"not_received": collection.who("not received"),
               "blank": collection.who("blank")} if collection is not None else {}
    lines = [LogLine("refresh", f"Refreshed {name} for {label}: "
                     f"{refresh_counts(counts, **missing)}.", time=when)]
    for f in master_report:
        lines.append(LogLine("master", f.message, file=name, sheet=f.sheet or "",
                             cell=f.cell or "", rule=f.rule, severity=f.severity, time=when))
    for outcome in outcomes:
        text = {ACCEPTED: f"accepted: {plural(outcome.accepted_rows, 'row')}",
                PARTLY: f"partly accepted: {plural(outcome.accepted_rows, 'row')} accepted, "
                        f"{outcome.rejected_rows} rejected",
                REJECTED: "rejected: no values taken"}[outcome.outcome]
        queries = len(outcome.report.queries)
        if queries:
            text += f"; {plural(queries, 'query', 'queries')} to check"
        explained = len(outcome.report.explained)
        if explained:
            text += f"; {plural(explained, 'query', 'queries')} explained before"
        if outcome.quarantined is not None:
            text += f"; annotated copy and findings in {quarantine}"
        lines.append(LogLine(outcome.outcome, f"{outcome.kind or 'return'} {text} "
                             f"(SHA-256 {str(outcome.sha256)[:12]})", file=outcome.name,
                             time=when))
        from xlperf.validate.responses import explained_text

        for item in outcome.report.meta.get("responses", ()):  # answers sent back in it
            lines.append(LogLine("response", f"Response to {item['rule']} on "
                                 f"{item.get('measure') or 'the return'}"
                                 f"{' for ' + item['period'] if item.get('period') else ''}: "
                                 f"{item['response']}", file=outcome.name,
                                 sheet=item.get("sheet") or "", cell=item.get("cell") or "",
                                 rule=item["rule"], time=when))
        for f in outcome.report:
            action = {Severity.ERROR: "rejected", Severity.EXPLAINED: "explained"}.get(
                f.severity, "query")
            message = (f"{f.message} {explained_text(f)}" if f.severity == Severity.EXPLAINED
                       else f.message)
            lines.append(LogLine(action, message, file=outcome.name, sheet=f.sheet or "",
                                 cell=f.cell or "", rule=f.rule, severity=f.severity,
                                 time=when))
    for skip in skipped:
        lines.append(LogLine(SKIPPED, f"skipped: {skip.note}", file=skip.name, time=when))
    from xlperf.ledger import shown_value  # the ledger's way of showing a figure

    for row in restatements.to_dict("records"):
        new = shown_value(row.get("value")) if row.get("value") == row.get("value") else (
            row.get("no_data_reason") or "none")
        old = shown_value(row.get("previous")) if row.get("previous") == row.get("previous") else (
            row.get("previous_reason") or "none")
        lines.append(LogLine("restatement", f"{row['code']} {row['period']}: {old} -> {new} "
                             f"(was from {row.get('previous_source') or 'history'})",
                             file=str(row.get("source_file") or ""),
                             sheet=str(row.get("sheet") or ""), cell=str(row.get("cell") or ""),
                             time=when))
    if unpublished is not None:  # recorded since the master was last written
        runs, restated = unpublished
        for run in runs.to_dict("records"):
            counts_then = run.get("counts") or {}
            what = ", ".join(f"{counts_then[k]} {label}" for k, label in (
                ("recorded", "values recorded"), ("inserted", "values recorded"),
                ("restatements", "restatements"), ("re-rated", "statuses re-rated"))
                if k in counts_then)
            started = str(run["started_at"])[:16].replace("T", " ")
            if run["kind"] == "refresh":
                text = (f"Refresh {run['id']} (started {started} UTC) is in the ledger but "
                        "this workbook was not written after it (the run stopped before the "
                        "file was replaced, or the workbook was not saved)")
            else:
                text = (f"History import {run['id']} (started {started} UTC) recorded in the "
                        "ledger after this workbook was last written")
            lines.append(LogLine("not shown before", f"{text}: {what or 'nothing counted'}; "
                                 "its restatements are listed below.", time=when))
        kinds = dict(zip(runs["id"].astype(int), runs["kind"], strict=True)) if len(runs) else {}
        for row in restated.to_dict("records"):
            new = shown_value(row.get("value")) if row.get("value") == row.get("value") else (
                row.get("no_data_reason") or "none")
            old = (shown_value(row.get("previous")) if row.get("previous") == row.get("previous")
                   else (row.get("previous_reason") or "none"))
            by = ("refresh" if kinds.get(int(row["refresh_id"]), "refresh") == "refresh"
                  else "history import")
            lines.append(LogLine("restatement", f"{row['code']} {row['period']}: {old} -> "
                                 f"{new} (was from {row.get('previous_source') or 'history'};"
                                 f" recorded by {by} {row['refresh_id']})",
                                 file=str(row.get("source_file") or ""),
                                 sheet=str(row.get("sheet") or ""),
                                 cell=str(row.get("cell") or ""), time=when))
    for change in changes:
        lines.append(LogLine("re-rated" if change.applied else "kept", str(change), time=when))
    if not rescore:
        lines.append(LogLine("frozen", "Past periods keep the statuses they were published "
                             "with; run with --rescore-history to re-rate them with today's "
                             "targets, tolerances and schemes.", time=when))
    text = ", ".join(f"{k} {v:.3f} s" for k, v in timings.items())
    lines.append(LogLine("timing", text, time=when))
    return lines

