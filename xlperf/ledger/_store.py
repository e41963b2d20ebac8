"""The ledger itself: one SQLite file of accepted values, frozen statuses and refreshes.

Values are never updated or deleted: a new figure for a measure and period is a new row, and
the row with the highest id is the one in use (a restatement keeps both). Statuses are frozen
per measure and period: the current period's are replaced on every refresh, past periods' are
kept unless the caller asks to re-score history. All writes of one refresh go through one
transaction, so a refresh that dies leaves the ledger exactly as it was.

:class:`Ledger` is put together from its parts: ``_connection`` (the SQLite file, checks,
transactions, backups), ``_reading`` (values in use, versions, money), ``_recording`` (values
and money recorded), ``_statuses`` (frozen statuses and SPC), with the column lists and pure
helpers in ``_rows``; this module adds the refresh runs and the history import.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from xlperf.core.periods import parse_period
from xlperf.errors import XlperfError
from xlperf.findings import Report
from xlperf.ledger._connection import damaged_message as damaged_message
from xlperf.ledger._recording import RecordResult
from xlperf.ledger._rows import _now, period_key
from xlperf.ledger._statuses import SpcChange, StatusChange, _Statuses

if TYPE_CHECKING:
    from xlperf.read.master import Master

__all__ = ["FileRecord", "Ledger", "RecordResult", "RefreshRun", "SpcChange", "StatusChange",
           "period_key"]


@dataclass(frozen=True)
class FileRecord:
    """One file a refresh looked at: accepted (its values recorded) or rejected."""

    name: str
    sha256: str | None
    accepted: bool
    findings: int = 0
    note: str | None = None


@dataclass
class RefreshRun:
    """A refresh in progress: one open transaction (see :meth:`Ledger.refresh`).

    Values and statuses recorded through the ledger while the run is open carry its ``id``.
    Add to ``files``, ``counts`` and ``timings``; they are written when the run ends.
    """

    ledger: Ledger
    id: int
    files: list[FileRecord] = field(default_factory=list)
    counts: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    note: str | None = None

    def add_file(self, name: str, sha256: str | None, accepted: bool, findings: int = 0,
                 note: str | None = None) -> None:
        self.files.append(FileRecord(name, sha256, accepted, findings, note))

    def record_values(self, frame: pd.DataFrame, **kwargs: Any) -> RecordResult:
        return self.ledger.record_values(frame, refresh_id=self.id, **kwargs)

    def record_money(self, frame: pd.DataFrame, period: Any) -> int:
        return self.ledger.record_money(frame, period, refresh_id=self.id)

    def record_responses(self, responses: Any) -> int:
        """Record the services' responses read this refresh
        (:func:`xlperf.ledger._responses.record_responses`)."""
        from xlperf.ledger._responses import record_responses

        return record_responses(self.ledger, responses, refresh_id=self.id)

    def freeze_statuses(self, scored: pd.DataFrame, period_keys: Any = None,
                        **kwargs: Any) -> list[StatusChange]:
        return self.ledger.freeze_statuses(scored, period_keys, refresh_id=self.id, **kwargs)

    def record_activity(self, frame: pd.DataFrame) -> int:
        """Record the milestones and projects returned this refresh
        (:func:`xlperf.ledger._activity.record_activity`)."""
        from xlperf.ledger._activity import record_activity

        return record_activity(self.ledger, frame, refresh_id=self.id)


class Ledger(_Statuses):
    """The SQLite ledger next to a master workbook.

    Open it as a context manager (``with Ledger(path) as ledger:``). The file is created with
    its tables on first use; WAL journal, foreign keys on. Every public write runs in a
    transaction; wrap several in :meth:`refresh` (or :meth:`transaction`) to make them one.
    The first write transaction runs ``PRAGMA quick_check`` and refuses a damaged ledger
    (:class:`~xlperf.errors.LedgerError`) before anything is written. An existing file of
    0 bytes is not a ledger xlperf wrote (xlperf never leaves one): it is refused unless
    ``new=True`` (start a new ledger on purpose).
    """

    # -- refreshes ----------------------------------------------------------------------------

    @contextmanager
    def refresh(self, *, master: str | Path | None = None, period: Any = None,
                kind: str = "refresh", note: str | None = None) -> Iterator[RefreshRun]:
        """A refresh: one transaction, logged in ``refreshes`` with its files and counts.

        Everything recorded inside the ``with`` block is committed together at its end, or
        not at all if the block raises (or the process dies).
        """
        if self._run is not None:
            raise XlperfError("a refresh is already open on this ledger")
        started = time.perf_counter()
        with self.transaction():
            label = key = None
            if period is not None:
                parsed = parse_period(period)
                label, key = parsed.format(), parsed.format("iso")
            cursor = self._con.execute(
                "INSERT INTO refreshes (kind, started_at, master, period, period_key, note) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (kind, _now(), None if master is None else str(master), label, key, note))
            run = RefreshRun(self, int(cursor.lastrowid or 0), note=note)
            self._run = run
            try:
                yield run
                run.timings.setdefault("ledger_total", round(time.perf_counter() - started, 4))
                self._finish(run)
            finally:
                self._run = None

    def _finish(self, run: RefreshRun) -> None:
        self._con.execute(
            "UPDATE refreshes SET finished_at = ?, counts = ?, timings = ?, note = ? "
            "WHERE id = ?",
            (_now(), json.dumps(run.counts, default=str), json.dumps(run.timings, default=str),
             run.note, run.id))
        self._con.executemany(
            "INSERT INTO refresh_files (refresh_id, name, sha256, accepted, findings, note) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(run.id, f.name, f.sha256, int(bool(f.accepted)), int(f.findings), f.note)
             for f in run.files])

    def log_refresh(self, *, master: str | Path | None = None, period: Any = None,
                    files: Iterable[FileRecord] = (), counts: dict[str, Any] | None = None,
                    timings: dict[str, float] | None = None, kind: str = "refresh",
                    note: str | None = None) -> int:
        """Log a refresh whose values were recorded elsewhere (or not at all); its id."""
        with self.refresh(master=master, period=period, kind=kind, note=note) as run:
            run.files.extend(files)
            run.counts.update(counts or {})
            run.timings.update(timings or {})
        return run.id

    def refreshes(self) -> pd.DataFrame:
        """Every refresh, newest first: id, kind, started/finished, master, period, counts and
        timings (as dicts), and the files as a list of dicts."""
        frame = self._query("SELECT * FROM refreshes ORDER BY id DESC")
        files = self._query("SELECT * FROM refresh_files ORDER BY rowid")
        by_run: dict[int, list[dict[str, Any]]] = {}
        for row in files.to_dict("records"):
            row["accepted"] = bool(row["accepted"])
            by_run.setdefault(int(row.pop("refresh_id")), []).append(row)
        frame["counts"] = frame["counts"].map(json.loads)
        frame["timings"] = frame["timings"].map(json.loads)
        frame["files"] = frame["id"].map(lambda i: by_run.get(int(i), []))
        return frame

    def recorded_since(self, after: int, before: int) -> tuple[pd.DataFrame, pd.DataFrame]:
        """What the refreshes and imports with ``after < id < before`` recorded: those runs
        (``id``, ``kind``, ``started_at``, ``finished_at``, ``counts`` as a dict) and the
        restatements among their values (the columns of
        :attr:`RecordResult.restatements`, plus ``refresh_id``). A refresh lists these when
        its master was last written before them (a run killed after its ledger committed, or
        an Excel refresh whose workbook was not saved)."""
        runs = self._query("SELECT id, kind, started_at, finished_at, counts FROM refreshes "
                           "WHERE id > ? AND id < ? AND finished_at IS NOT NULL ORDER BY id",
                           (after, before))
        runs["counts"] = runs["counts"].map(json.loads) if len(runs) else runs["counts"]
        restated = self._query(
            'WITH touched AS (SELECT DISTINCT code, period_key FROM "values" '
            "WHERE refresh_id > ? AND refresh_id < ?), "
            'versions AS (SELECT v.*, lag(v.id) OVER w AS previous_id, '
            "lag(v.value) OVER w AS previous, lag(v.no_data_reason) OVER w AS previous_reason, "
            'lag(v.source_file) OVER w AS previous_source FROM "values" AS v '
            "JOIN touched USING (code, period_key) "
            "WINDOW w AS (PARTITION BY v.code, v.period_key ORDER BY v.id)) "
            "SELECT code, period, period_key, previous, previous_reason, previous_source, "
            "value, no_data_reason, source_file, sheet, cell, refresh_id FROM versions "
            "WHERE refresh_id > ? AND refresh_id < ? AND previous_id IS NOT NULL "
            "AND (value IS NOT previous OR no_data_reason IS NOT previous_reason) "
            "ORDER BY id", (after, before, after, before))
        for column in ("previous", "value"):
            restated[column] = pd.to_numeric(restated[column], errors="coerce").astype(float)
        return runs, restated

    # -- history ------------------------------------------------------------------------------

    def import_history(self, source: pd.DataFrame | str | Path, layout: str = "auto", *,
                       sheet: str | None = None, name: str | None = None,
                       percent_rows: Any = None, master: Master | None = None) -> Report:
        """Import values from before xlperf: a CSV, a workbook sheet or a DataFrame, in long
        layout (``Code``, ``Period``, ``Value`` [, ``Commentary``...]) or wide layout
        (``Code`` and one column per period, headed ``Q1 2013/14``, ``Jun-13``...).

        Cells are read like a return: numbers (``12.9%`` is 12.9), no-data words (``TBC``,
        ``-``, ``n/a``) recorded with their reason, blanks skipped; a cell that is not a
        number, an Excel error, an unreadable period or a value without a code is a finding
        with its cell and is not imported. Importing the same file again changes nothing.
        Returns a :class:`~xlperf.findings.Report` whose ``meta`` holds the counts.

        A workbook stores ``68.04%`` as the fraction 0.6804; pass ``percent_rows`` (for
        example ``functools.partial(xlperf.read.returns.percent_rows, path)``) so such cells
        are read as 68.04. The ``xlperf import-history`` command does.

        With ``master`` (a read :class:`~xlperf.read.master.Master`) history is checked like a
        return: a code not in the register is a finding (``HIST-005``, not imported), a
        quarter-end month (``30/06/11``) of a quarterly measure is its quarter, the master's
        ``Rules`` sheet sets the severities, and each imported period's statuses are scored
        with the master's targets and frozen (a status already frozen is kept).
        """
        from xlperf.ledger._history import freeze_imported, read_history, register_frequencies

        frequencies = rules = None
        if master is not None:
            from xlperf.validate.returns import master_rules

            frequencies, rules = register_frequencies(master), master_rules(master)
        parsed = read_history(source, layout, sheet=sheet, name=name,
                              percent_rows=percent_rows, frequencies=frequencies, rules=rules)
        meta = dict(parsed.meta)
        with self.refresh(kind="import-history", note=parsed.file) as run:
            result = self.record_values(parsed.values)
            run.add_file(parsed.file or "", parsed.sha256, True, len(parsed.findings))
            meta.update(inserted=result.inserted, unchanged=result.unchanged,
                        restatements=len(result.restatements), refresh_id=run.id)
            if master is not None:
                meta["statuses"] = freeze_imported(
                    run, master, self.current_values(provenance=False), parsed.values)
            run.counts.update(meta)
        return Report(tuple(parsed.findings), file=parsed.file, meta=meta)
