"""The ledger itself: one SQLite file of accepted values, frozen statuses and refreshes.

Values are never updated or deleted: a new figure for a measure and period is a new row, and
the row with the highest id is the one in use (a restatement keeps both). Statuses are frozen
per measure and period: the current period's are replaced on every refresh, past periods' are
kept unless the caller asks to re-score history. All writes of one refresh go through one
transaction, so a refresh that dies leaves the ledger exactly as it was.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from xlperf.core.columns import VALUE_COLUMNS, normalise_columns
from xlperf.core.measures import prepare_measures
from xlperf.core.periods import Period, parse_period, parse_periods
from xlperf.core.spc_scored import SPC_FIELDS, moved
from xlperf.core.values import REASON_BLANK, parse_values
from xlperf.errors import BusyError, InputError, LedgerError, XlperfError
from xlperf.findings import Report
from xlperf.ledger._schema import migrate

if TYPE_CHECKING:
    from xlperf.read.master import Master

__all__ = ["FileRecord", "Ledger", "RecordResult", "RefreshRun", "SpcChange", "StatusChange",
           "period_key"]

# Columns of a submission the ledger stores, in table order.
VALUE_FIELDS = ("code", "period_key", "period", "value", "no_data_reason", "numerator",
                "denominator", "commentary", "reported_status", "source_file",
                "source_sha256", "sheet", "cell")
# What a value *says*: two submissions with equal content are the same figure.
CONTENT = ("value", "no_data_reason", "numerator", "denominator", "commentary",
           "reported_status")
# Where it came from: the same content from the same cell of the same file is a repeat.
SOURCE = ("source_sha256", "sheet", "cell")
_FLOATS = ("value", "numerator", "denominator")

_PROVENANCE_COLUMNS: dict[str, tuple[str, ...]] = {
    "no_data_reason": ("no data reason", "reason", "actual reason"),
    "source_file": ("source file", "file", "source"),
    "source_sha256": ("source sha256", "source sha-256", "sha256", "sha-256", "sha"),
    "sheet": ("sheet", "source sheet"),
    "cell": ("cell", "source cell"),
}
_SUBMISSION_COLUMNS = {**VALUE_COLUMNS, **_PROVENANCE_COLUMNS}

# Layout of current_values() / history(): the long table score() takes, plus provenance.
_OUT_NAMES = {
    "code": "Code", "period": "Period", "value": "Actual", "no_data_reason": "No data reason",
    "numerator": "Numerator", "denominator": "Denominator", "commentary": "Commentary",
    "reported_status": "Reported status", "period_key": "Period key",
    "source_file": "Source file", "source_sha256": "Source SHA-256", "sheet": "Sheet",
    "cell": "Cell", "recorded_at": "Recorded at", "refresh_id": "Refresh id",
}

# What scoring reads of a value (current_values without the provenance).
_SCORED_FIELDS = ("code", "period_key", "period", "value", "no_data_reason", "numerator",
                  "denominator", "commentary", "reported_status")

STATUS_FIELDS = ("code", "period_key", "period", "status", "symbol", "colour", "severity",
                 "rated", "actual", "actual_reason", "target", "tolerance", "tolerance_type",
                 "scheme", "polarity", "variance", "variance_pct", "direction", "explanation",
                 *SPC_FIELDS, "scored_at", "refresh_id")
# Today's SPC of a kept period whose limits a restatement moved (beside the frozen one).
RESTATED_FIELDS = ("restated_variation", "restated_assurance", "restated_mean",
                   "restated_lower", "restated_upper", "restated_note")
# What a status was scored with: a change in any of these explains a changed status.
_BASIS = ("actual", "actual_reason", "target", "tolerance", "tolerance_type", "scheme",
          "polarity")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def period_key(period: Any) -> str:
    """The ledger's machine key for a period (a :class:`Period`, a label or a key).

    >>> period_key("Q1 2013-14"), period_key("Jun-13"), period_key("2013/14-Q1")
    ('2013/14-Q1', '2013-06', '2013/14-Q1')
    """
    return (period if isinstance(period, Period) else parse_period(period)).format("iso")


def _keys(periods: Iterable[Any] | Any | None) -> list[str] | None:
    if periods is None:
        return None
    if isinstance(periods, str | Period):
        periods = [periods]
    return [period_key(p) for p in periods]


def _objects(frame: pd.DataFrame, columns: Sequence[str]) -> list[tuple[Any, ...]]:
    """Rows as tuples of plain Python values, NaN/NA as None (what sqlite3 binds)."""
    arrays = []
    for column in columns:
        values = frame[column]
        array = np.empty(len(values), dtype=object)
        array[:] = values.tolist()  # Python scalars: sqlite3 binds these, not numpy's
        array[pd.isna(values).to_numpy()] = None
        arrays.append(array)
    return list(zip(*arrays, strict=True))


def _text(series: pd.Series) -> pd.Series:
    """Text cells trimmed; blanks and missing values become None (each distinct cell once)."""
    codes, uniques = pd.factorize(series.astype(object), use_na_sentinel=True)
    tidy = np.array([str(u).strip() or None for u in uniques] + [None], dtype=object)
    return pd.Series(tidy[codes], index=series.index, dtype=object)


def _canonical(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Null-safe comparable copy: floats stay floats (NaN matches NaN in merges), text
    columns get a sentinel for missing."""
    out = {}
    for column in columns:
        if column in _FLOATS:
            out[column] = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
        else:
            values = frame[column].to_numpy(dtype=object).copy()
            values[pd.isna(values)] = "\x00"
            out[column] = values
    return pd.DataFrame(out, index=frame.index)


def _row_tuples(canon: pd.DataFrame, columns: Sequence[str]) -> list[tuple[Any, ...]]:
    """A canonical frame's rows as hashable tuples, NaN as None so that, as in a merge, a
    missing number matches a missing number."""
    arrays = []
    for column in columns:
        values = canon[column].to_numpy()
        if column in _FLOATS:
            missing = np.isnan(values)
            values = values.astype(object)
            values[missing] = None
        arrays.append(values)
    return list(zip(*arrays, strict=True))


def _same(left: pd.DataFrame, right: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    """Row-wise null-safe equality of ``columns`` of two aligned canonical frames."""
    same = np.ones(len(left), dtype=bool)
    for column in columns:
        a, b = left[column].to_numpy(), right[column].to_numpy()
        if column in _FLOATS:
            equal = (a == b) | (np.isnan(a.astype(float)) & np.isnan(b.astype(float)))
        else:
            equal = a == b
        same &= equal
    return same


@dataclass(frozen=True)
class RecordResult:
    """What :meth:`Ledger.record_values` did.

    ``inserted``: new rows (first values, restatements, and the same figure sent again from
    another file or with another commentary); ``unchanged``: submissions already in the
    ledger (same content from the same file and cell); ``skipped``: blank cells, which are
    not submissions;
    ``restatements``: one row per new figure replacing a different one (``code``,
    ``period``, ``period_key``, ``previous``, ``previous_reason``, ``previous_source``,
    ``value``, ``no_data_reason``, ``source_file``, ``sheet``, ``cell``).
    """

    inserted: int
    unchanged: int
    restatements: pd.DataFrame
    skipped: int = 0


@dataclass(frozen=True)
class StatusChange:
    """A frozen status that differs from the one just computed.

    ``applied`` is true when the ledger now holds ``new`` (the current period, or any period
    with ``rescore_history``); false when the past period kept ``old`` frozen.
    """

    code: str
    period: str
    period_key: str
    old: str
    new: str
    reason: str
    applied: bool

    def __str__(self) -> str:
        verb = "re-rated" if self.applied else "kept (would now be " + self.new + ")"
        if self.applied:
            return f"{self.code} {self.period}: {self.old} -> {self.new} {verb} ({self.reason})"
        return f"{self.code} {self.period}: {self.old} {verb} ({self.reason})"


@dataclass(frozen=True)
class SpcChange:
    """A kept period whose chart a restatement moved: the variation and assurance frozen (what
    the committee saw) beside today's, and a sentence saying what moved."""

    code: str
    period: str
    period_key: str
    variation: str
    assurance: str
    restated_variation: str
    restated_assurance: str
    note: str

    def __str__(self) -> str:
        now = (f"today {self.restated_variation}, {self.restated_assurance}"
               if (self.variation, self.assurance) != (self.restated_variation,
                                                      self.restated_assurance)
               else "today the same")
        return (f"{self.code} {self.period}: {self.variation}, {self.assurance} kept ({now}): "
                f"{self.note}")


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

    def freeze_statuses(self, scored: pd.DataFrame, period_keys: Any = None,
                        **kwargs: Any) -> list[StatusChange]:
        return self.ledger.freeze_statuses(scored, period_keys, refresh_id=self.id, **kwargs)


class _Cursor:
    """A cursor whose SQLite errors become sentences (a damaged page is found when read)."""

    def __init__(self, cursor: sqlite3.Cursor, translate: Any):
        self._cursor, self._translate = cursor, translate

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    def fetchone(self) -> Any:
        try:
            return self._cursor.fetchone()
        except sqlite3.DatabaseError as error:
            raise self._translate(error) from None

    def fetchall(self) -> list[Any]:
        try:
            return self._cursor.fetchall()
        except sqlite3.DatabaseError as error:
            raise self._translate(error) from None

    def __iter__(self) -> Iterator[Any]:
        return iter(self.fetchall())


class _Connection:
    """The ledger's sqlite3 connection: every SQLite error (a damaged file, a full disk, a
    read-only file, a busy ledger) becomes an :class:`~xlperf.errors.XlperfError` with a
    sentence, so no ``sqlite3.DatabaseError`` traceback reaches a user of any command."""

    def __init__(self, connection: sqlite3.Connection, translate: Any):
        self.raw, self._translate = connection, translate

    @property
    def in_transaction(self) -> bool:
        return self.raw.in_transaction

    def execute(self, sql: str, params: Any = ()) -> _Cursor:
        try:
            return _Cursor(self.raw.execute(sql, params), self._translate)
        except sqlite3.DatabaseError as error:
            raise self._translate(error) from None

    def executemany(self, sql: str, rows: Any) -> _Cursor:
        try:
            return _Cursor(self.raw.executemany(sql, rows), self._translate)
        except sqlite3.DatabaseError as error:
            raise self._translate(error) from None

    def executescript(self, script: str) -> _Cursor:
        try:
            return _Cursor(self.raw.executescript(script), self._translate)
        except sqlite3.DatabaseError as error:
            raise self._translate(error) from None

    def close(self) -> None:
        self.raw.close()


def damaged_message(path: Path, detail: str) -> str:
    """The sentence for a ledger that fails SQLite's checks."""
    return (f"the ledger {path} is damaged ({detail}), so xlperf will not read or write it: "
            "nothing was recorded and the master was not changed. Restore its latest backup "
            f"(backups/{path.stem}.backup-<date>{path.suffix} beside the master: see "
            "'Restoring the ledger' in docs/ledger.md), then run again")


class Ledger:
    """The SQLite ledger next to a master workbook.

    Open it as a context manager (``with Ledger(path) as ledger:``). The file is created with
    its tables on first use; WAL journal, foreign keys on. Every public write runs in a
    transaction; wrap several in :meth:`refresh` (or :meth:`transaction`) to make them one.
    The first write transaction runs ``PRAGMA quick_check`` and refuses a damaged ledger
    (:class:`~xlperf.errors.LedgerError`) before anything is written. An existing file of
    0 bytes is not a ledger xlperf wrote (xlperf never leaves one): it is refused unless
    ``new=True`` (start a new ledger on purpose).
    """

    def __init__(self, path: str | Path, *, timeout: float = 10.0, new: bool = False):
        self.path = Path(path)
        self._depth = 0
        self._run: RefreshRun | None = None
        self._checked = False
        try:
            empty = self.path.is_file() and self.path.stat().st_size == 0
        except OSError:
            empty = False
        if empty and not new:
            raise LedgerError(
                f"the ledger {self.path} is empty (0 bytes): it has lost everything it held, "
                "so xlperf will not start it again silently. Restore its latest backup "
                f"(backups/{self.path.stem}.backup-<date>{self.path.suffix} beside the "
                "master: see 'Restoring the ledger' in docs/ledger.md); to start a new, empty "
                "ledger on purpose, refresh with --new-ledger")
        try:
            raw = sqlite3.connect(str(self.path), timeout=timeout,
                                  isolation_level=None, check_same_thread=False)
        except sqlite3.Error as error:
            raise LedgerError(f"cannot open the ledger {self.path}: {error}") from None
        self._con = _Connection(raw, self._translate)
        try:
            self._con.execute("PRAGMA journal_mode=WAL")
            self._con.execute("PRAGMA foreign_keys=ON")
            self._con.execute("PRAGMA synchronous=FULL")
            self._con.execute("PRAGMA temp_store=MEMORY")
            self._con.execute("PRAGMA cache_size=-65536")  # 64 MB: bulk inserts stay in memory
            migrate(self._con)
        except XlperfError:
            self._con.close()
            raise
        except sqlite3.DatabaseError as error:  # from migrate's own calls
            self._con.close()
            raise self._translate(error) from None

    # -- life cycle ---------------------------------------------------------------------------

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._con is not None:
            if self._con.in_transaction:
                with _suppress_sqlite():
                    self._con.raw.execute("ROLLBACK")
            self._con.close()
            self._con = None  # type: ignore[assignment]

    def _translate(self, error: sqlite3.Error) -> XlperfError:
        text = str(error)
        code = getattr(error, "sqlite_errorname", "") or ""
        if "locked" in text or "busy" in text:
            return BusyError(f"the ledger {self.path} is in use by another refresh ({text}); "
                             "try again when it has finished")
        if "readonly" in code.lower() or "readonly" in text or "read-only" in text:
            return LedgerError(f"the ledger {self.path} cannot be written ({text}): nothing "
                               "was recorded and the master was not changed. Make the file "
                               "and its folder writable for you, then run again")
        if "unable to open" in text and not os.access(self.path.parent, os.W_OK):
            return LedgerError(f"the ledger {self.path} cannot be opened for writing: its "
                               f"folder is read-only ({text}). Nothing was recorded and the "
                               "master was not changed; make the folder writable for you, "
                               "then run again")
        if "full" in text or code == "SQLITE_FULL":
            return LedgerError(f"the ledger {self.path} cannot be written: the disk (or your "
                               f"quota) is full ({text}). Nothing was recorded and the master "
                               "was not changed; free some space, then run again")
        if "disk I/O" in text or code.startswith("SQLITE_IOERR"):
            return LedgerError(f"the ledger {self.path} could not be read or written ({text}"
                               f"{', ' + code if code else ''}): the disk may be full, or "
                               "failing. Nothing was recorded and the master was not changed; "
                               "free some space and check the disk, then run again")
        if type(error) is sqlite3.DatabaseError or any(
                word in text for word in ("malformed", "not a database")):
            return LedgerError(damaged_message(self.path, text))
        return LedgerError(f"the ledger {self.path} cannot be used: {text}")

    def quick_check(self) -> str:
        """SQLite's ``PRAGMA quick_check`` (every page and index entry readable, in about a
        tenth of a full integrity check's time): ``'ok'`` or the first problems found."""
        try:
            rows = self._con.raw.execute("PRAGMA quick_check(5)").fetchall()
        except sqlite3.DatabaseError as error:
            return str(error)
        found = [str(r[0]) for r in rows]
        return "ok" if found == ["ok"] else "; ".join(found)

    def _check_before_writing(self) -> None:
        """Refuse to write into a damaged ledger (once per connection)."""
        if self._checked:
            return
        result = self.quick_check()
        if result != "ok":
            problems = [line.strip() for line in result.replace("; ", "\n").splitlines()
                        if line.strip() and not line.startswith("***")]
            detail = (f"SQLite's check found {len(problems)}{'+' * (len(problems) >= 5)} "
                      f"problems, the first: {problems[0]}" if problems else result)
            raise LedgerError(damaged_message(self.path, detail[:300]))
        self._checked = True

    def refresh_count(self) -> int:
        """How many refreshes and history imports the ledger has finished."""
        return int(self._con.execute("SELECT count(*) FROM refreshes WHERE finished_at IS "
                                     "NOT NULL").fetchone()[0])

    def fingerprint(self) -> str | None:
        """A short id of this ledger (from when its first refresh started; None before
        any): the master's Log names it, so a refresh knows the ledger it was written from.
        A backup or a restored copy has the same fingerprint."""
        row = self._con.execute("SELECT started_at FROM refreshes ORDER BY id LIMIT 1"
                                ).fetchone()
        if row is None or row[0] is None:
            return None
        import hashlib

        return hashlib.sha256(str(row[0]).encode()).hexdigest()[:8]

    def backup_copy(self, folder: str | Path, keep: int) -> Path:
        """A rolling backup of the ledger as last committed:
        ``<folder>/<stem>.backup-YYYYmmdd-HHMMSS<suffix>``, the newest ``keep`` kept (the
        master's backups are named the same way in the same folder)."""
        from xlperf._files import backup

        try:
            return backup(self.path, keep, folder=Path(folder),
                          copy=lambda _source, target: self.backup_to(target))
        except OSError as error:
            raise LedgerError(f"the backup of the ledger {self.path} could not be written to "
                              f"{folder} ({error.strerror or error}): nothing was recorded "
                              "and the master was not changed; free some space or make the "
                              "folder writable, then run again") from None

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

    def backup_to(self, target: str | Path) -> None:
        """Copy the ledger as last committed to ``target`` with SQLite's online backup (a
        consistent copy even while a refresh holds its write transaction)."""
        target = Path(target)
        try:
            source = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        except sqlite3.Error as error:
            raise self._translate(error) from None
        try:
            destination = sqlite3.connect(str(target))
            try:
                source.backup(destination)
            finally:
                destination.close()
        except sqlite3.DatabaseError as error:
            with _suppress_os():
                target.unlink()
            raise LedgerError(f"the backup of the ledger {self.path} could not be written to "
                              f"{target.parent} ({error}): nothing was recorded and the "
                              "master was not changed; free some space or make the folder "
                              "writable, then run again") from None
        finally:
            source.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction (nested calls become savepoints): all or nothing."""
        depth = self._depth
        self._con.execute("BEGIN IMMEDIATE" if depth == 0 else f"SAVEPOINT sp{depth}")
        if depth == 0:
            try:
                self._check_before_writing()
            except BaseException:
                with _suppress_sqlite():
                    self._con.raw.execute("ROLLBACK")
                raise
        self._depth += 1
        try:
            yield
        except BaseException:
            self._depth = depth
            if self._con.in_transaction:
                with _suppress_sqlite():  # a damaged or full ledger: the error above says so
                    if depth == 0:
                        self._con.raw.execute("ROLLBACK")
                    else:
                        self._con.raw.execute(f"ROLLBACK TO sp{depth}")
                        self._con.raw.execute(f"RELEASE sp{depth}")
            raise
        self._depth = depth
        try:
            self._con.execute("COMMIT" if depth == 0 else f"RELEASE sp{depth}")
        except XlperfError:
            if depth == 0 and self._con.in_transaction:
                with _suppress_sqlite():
                    self._con.raw.execute("ROLLBACK")
            raise

    def _query(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        cursor = self._con.execute(sql, params)
        columns = [d[0] for d in cursor.description]
        return pd.DataFrame.from_records(cursor.fetchall(), columns=columns, coerce_float=True)

    def _load_pairs(self, pairs: pd.DataFrame) -> None:
        """Fill the temp table ``_pairs`` with (code, period_key) pairs for a join."""
        self._con.execute("CREATE TEMP TABLE IF NOT EXISTS _pairs (code TEXT, period_key TEXT)")
        self._con.execute("DELETE FROM temp._pairs")
        self._con.executemany("INSERT INTO temp._pairs VALUES (?, ?)",
                              _objects(pairs, ("code", "period_key")))

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

    def _refresh_id(self, refresh_id: int | None) -> int | None:
        if refresh_id is not None:
            return refresh_id
        return None if self._run is None else self._run.id

    # -- values -------------------------------------------------------------------------------

    def _submissions(self, frame: pd.DataFrame, keep_blank: bool) -> tuple[pd.DataFrame, int]:
        """The frame typed as ledger rows (index = submission order) and the blanks skipped."""
        data = normalise_columns(frame, _SUBMISSION_COLUMNS)
        for required in ("code", "period", "actual"):
            if required not in data.columns:
                raise InputError(f"values to record need a {required!r} column "
                                 f"(found {', '.join(map(str, frame.columns))})")
        data = data.reset_index(drop=True)
        out = pd.DataFrame({"code": _text(data["code"])})
        if out["code"].isna().any():
            raise InputError(f"row {int(out['code'].isna().to_numpy().argmax())} of the values "
                             "to record has no measure code")
        codes, uniques = pd.factorize(data["period"].astype(object), use_na_sentinel=True)
        if (codes == -1).any():
            raise InputError(f"row {int(np.argmax(codes == -1))} of the values to record has "
                             "no period")
        first_rows = np.unique(codes, return_index=True)[1]
        periods = parse_periods(pd.Series(uniques, index=first_rows, dtype=object))
        labels = np.array([p.format() for p in periods], dtype=object)
        keys = np.array([p.format("iso") for p in periods], dtype=object)
        out["period_key"], out["period"] = keys[codes], labels[codes]
        actual = data["actual"]
        parsed = parse_values(actual if actual.dtype.kind in "fiu" else actual.astype(object))
        invalid = (parsed["kind"] == "invalid").to_numpy()
        if invalid.any():
            first = int(invalid.argmax())
            raise InputError(f"value {actual.iloc[first]!r} for {out['code'].iloc[first]} "
                             f"{out['period'].iloc[first]} is not a number: only accepted "
                             "values go into the ledger")
        out["value"] = parsed["number"].to_numpy()
        reason = parsed["reason"].where(parsed["kind"] != "number", None)
        if "no_data_reason" in data.columns:
            given = _text(data["no_data_reason"])
            reason = given.where(given.notna() & out["value"].isna(), reason)
        out["no_data_reason"] = reason.astype(object).to_numpy()
        for column in ("numerator", "denominator"):
            if column in data.columns:
                numbers = parse_values(data[column].astype(object))
                out[column] = numbers["number"].to_numpy()
            else:
                out[column] = np.nan
        for column in ("commentary", "reported_status", "source_file", "source_sha256",
                       "sheet", "cell"):
            out[column] = _text(data[column]) if column in data.columns else None
        blank = (out["value"].isna() & (out["no_data_reason"] == REASON_BLANK)).to_numpy()
        if keep_blank:
            return out, 0
        return out.loc[~blank], int(blank.sum())

    def record_values(self, frame: pd.DataFrame, *, refresh_id: int | None = None,
                      keep_blank: bool = False) -> RecordResult:
        """Record accepted values: new figures are added, repeats change nothing.

        ``frame`` is the long layout (``Code``, ``Period``, ``Actual``, optional
        ``Commentary``, ``Reported status``, ``Numerator``, ``Denominator``, ``No data
        reason``) with provenance ``Source file``, ``Source SHA-256``, ``Sheet``, ``Cell``.
        Rows are submissions in order (a later row for the same measure and period wins).
        ``Actual`` may be a number or a messy cell (``TBC`` is recorded as no data, reason
        "to be confirmed"); a cell that is not a number raises :class:`InputError` and
        nothing is recorded. A blank cell is not a submission and is skipped unless
        ``keep_blank``.

        A submission is *unchanged* (not stored again) when the ledger already holds the same
        content (figure, reason, numerator, denominator, commentary, reported status) from the
        same file (SHA-256), sheet and cell for that measure and period: recording the same
        returns again, in any order and any number of times, changes nothing. Any other
        submission is inserted and becomes the value in use; when its figure differs from
        the one it replaces it is a *restatement* (both rows kept, the new one used).
        """
        subs, skipped = self._submissions(frame, keep_blank)
        if subs.empty:
            return RecordResult(0, 0, _restatement_frame(), skipped)
        pair_cols = ["code", "period_key"]
        with self.transaction():
            # Versions already recorded for these measures and periods (codes x periods read,
            # then narrowed to the pairs submitted).
            existing = self._query(
                'SELECT v.id, v.code, v.period_key, v.period, v.value, v.no_data_reason, '
                'v.numerator, v.denominator, v.commentary, v.reported_status, v.source_file, '
                'v.source_sha256, v.sheet, v.cell FROM "values" AS v '
                "WHERE v.code IN (SELECT value FROM json_each(?)) "
                "AND v.period_key IN (SELECT value FROM json_each(?))",
                (json.dumps(subs["code"].unique().tolist()),
                 json.dumps(subs["period_key"].unique().tolist())))
            if not existing.empty:
                existing = existing.merge(subs[pair_cols].drop_duplicates(), on=pair_cols)
            # Only submissions whose measure and period is already in the ledger, or comes
            # twice in this batch, need comparing; the rest are simply new.
            involved = subs.duplicated(pair_cols, keep=False).to_numpy()
            if not existing.empty:
                known_pairs = existing[pair_cols].drop_duplicates().assign(_known=True)
                involved = involved | subs[pair_cols].merge(
                    known_pairs, how="left", on=pair_cols)["_known"].notna().to_numpy()
            if involved.any():
                new, restatements = _new_versions(subs.loc[involved], existing)
                live = pd.concat([subs.loc[~involved], new]).sort_index()
            else:
                live, restatements = subs, _restatement_frame()
            # Grouped by measure and period (stable: a pair's versions keep their order), so
            # the index is written in order.
            rows = live.sort_values(pair_cols, kind="stable")
            # The time and refresh id are the same for every row: written once into the SQL
            # (both made here, never text from a return), not bound 100,000 times.
            run = self._refresh_id(refresh_id)
            self._con.executemany(
                f'INSERT INTO "values" ({", ".join(VALUE_FIELDS)}, recorded_at, refresh_id) '
                f"VALUES ({', '.join('?' * len(VALUE_FIELDS))}, '{_now()}', "
                f"{'NULL' if run is None else int(run)})",
                _objects(rows, VALUE_FIELDS))
        return RecordResult(len(live), len(subs) - len(live), restatements, skipped)

    def _values(self, where: str, params: Sequence[Any], latest: bool,
                provenance: bool = True) -> pd.DataFrame:
        names = (*VALUE_FIELDS, "recorded_at", "refresh_id") if provenance else _SCORED_FIELDS
        fields = ", ".join(f"v.{c}" for c in names)
        if latest:
            sql = (f'SELECT {fields} FROM "values" AS v JOIN (SELECT max(id) AS id FROM '
                   f'"values" AS v WHERE {where} GROUP BY code, period_key) AS m '
                   "ON v.id = m.id")
        else:
            sql = f'SELECT v.id, {fields} FROM "values" AS v WHERE {where} ORDER BY v.id'
        frame = self._query(sql, params)
        if frame.empty:
            frame = pd.DataFrame(columns=[*(["id"] if not latest else []), *names])
        for column in _FLOATS:
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
        for column in ("no_data_reason", "commentary", "reported_status", "source_file",
                       "source_sha256", "sheet", "cell"):  # objects, missing as None
            if column not in names:
                continue
            frame[column] = pd.Series(frame[column].to_numpy(dtype=object, na_value=None),
                                      index=frame.index, dtype=object)
        # Chronological order: each distinct period parsed once.
        labels, uniques = pd.factorize(frame["period"])
        parsed = [parse_period(u) for u in uniques]
        ends = np.array([p.end.toordinal() for p in parsed] + [0], dtype=np.int64)
        starts = np.array([p.start.toordinal() for p in parsed] + [0], dtype=np.int64)
        # By code (sorted, a missing one last), end, start, then as read: one lexsort of
        # integer keys (sort_values over a frame of them cost more).
        codes, _uniques = pd.factorize(frame["code"].to_numpy(dtype=object), sort=True)
        codes[codes < 0] = len(_uniques)
        order = np.lexsort((np.arange(len(frame)), starts[labels], ends[labels], codes))
        return frame.iloc[order].reset_index(drop=True)

    @staticmethod
    def _where(codes: Iterable[str] | str | None, periods: Any,
               exact: Iterable[str] | None = None) -> tuple[str, list[Any]]:
        clauses, params = ["1"], []
        if codes is not None:
            codes = [codes] if isinstance(codes, str) else [str(c).strip() for c in codes]
            clauses.append("v.code IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(list(codes)))
        keys = _keys(periods)
        if exact is not None:  # keys as the ledger stores them, not parsed again
            keys = [*(keys or []), *exact] if keys is not None else list(exact)
        if keys is not None:
            clauses.append("v.period_key IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(keys))
        return " AND ".join(clauses), params

    def period_keys(self) -> list[str]:
        """The periods (keys, ``2013-Q2``) the ledger holds a value of, in no order."""
        return [row[0] for row in self._con.execute('SELECT DISTINCT period_key FROM "values"')
                if row[0] is not None]

    def current_values(self, codes: Iterable[str] | str | None = None,
                       periods: Any = None, *, keys: Iterable[str] | None = None,
                       provenance: bool = True) -> pd.DataFrame:
        """The value in use per measure and period (the latest recorded), in the long layout
        :func:`xlperf.score` takes: ``Code``, ``Period``, ``Actual`` (NaN when there is no
        data), ``No data reason``, ``Numerator``, ``Denominator``, ``Commentary``, ``Reported
        status``, then ``Period key`` and the provenance. Ordered by code, then period.
        ``keys`` selects periods by the ledger's own keys (as :meth:`period_keys` gives them),
        taken as they are. ``provenance=False`` leaves the provenance out (``Period key`` is
        the last column): what scoring needs, without reading the source, SHA-256, sheet, cell
        and time of thousands of values."""
        where, params = self._where(codes, periods, keys)
        frame = self._values(where, params, latest=True, provenance=provenance)
        return frame.rename(columns=_OUT_NAMES)[[_OUT_NAMES[c] for c in _OUT_NAMES
                                                 if c in frame.columns]]

    # -- money ----------------------------------------------------------------------------

    _MONEY = ("kind", "line", "forecast", "estimate", "actual", "explanation", "source_file",
              "cell")

    def record_money(self, frame: pd.DataFrame, period: Any, *,
                     refresh_id: int | None = None) -> int:
        """Record the money figures a refresh took from returns for ``period``: one row per
        budget line (``kind`` ``revenue``: ``forecast``) or capital programme (``capital``:
        ``estimate``, ``actual``), with ``line``, ``explanation``, ``source_file``, ``cell``
        (missing columns are blank). Returns the number of rows recorded.

        >>> import tempfile, pathlib
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> with Ledger(folder / "l.sqlite") as ledger:
        ...     ledger.record_money(pd.DataFrame({"kind": ["revenue"], "line": ["Early help"],
        ...                                       "forecast": [5402.0]}), "Q2 2013/14")
        ...     ledger.current_money("Q2 2013/14")[["kind", "line", "forecast"]].values.tolist()
        1
        [['revenue', 'Early help', 5402.0]]
        """
        parsed = parse_period(period)
        if not len(frame):
            return 0
        rows = frame.reindex(columns=list(self._MONEY)).astype(object)
        rows = rows.where(pd.notna(rows), None)
        stamp = _now()
        with self.transaction():
            # The figures in use for the period: a row equal to its line's is a repeat (the
            # same returns refreshed again) and is not recorded again.
            current = self.current_money(parsed)
            in_use = {(r[0], r[1]): _money_key(r) for r in current[list(self._MONEY)]
                      .astype(object).itertuples(index=False)}
            fresh = [not (in_use.get((r[0], r[1])) == _money_key(r))
                     for r in rows.itertuples(index=False)]
            rows = rows.loc[fresh]
            if not len(rows):
                return 0
            self._con.executemany(
                "INSERT INTO money (kind, line, forecast, estimate, actual, explanation, "
                "source_file, cell, period_key, period, recorded_at, refresh_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(*row, parsed.format("iso"), parsed.format(), stamp,
                  self._refresh_id(refresh_id)) for row in rows.itertuples(index=False)])
        return len(rows)

    def current_money(self, period: Any) -> pd.DataFrame:
        """The money figures in use for ``period``: the latest recorded per kind and line
        (columns as :meth:`record_money` takes them, plus ``recorded_at``); empty when none."""
        key = parse_period(period).format("iso")
        return self._query(
            "SELECT kind, line, forecast, estimate, actual, explanation, source_file, cell, "
            "recorded_at FROM money AS m WHERE period_key = ? AND id = (SELECT max(n.id) "
            "FROM money AS n WHERE n.period_key = m.period_key AND n.kind = m.kind "
            "AND n.line = m.line) ORDER BY id", (key,))

    def history(self, code: str) -> pd.DataFrame:
        """Every version of every value of one measure, oldest period first; ``Version``
        counts from 1 per period and ``In use`` marks the version :meth:`current_values`
        gives."""
        where, params = self._where([code], None)
        frame = self._values(where, params, latest=False)
        frame["version"] = frame.groupby("period_key").cumcount() + 1
        frame["in_use"] = ~frame.duplicated("period_key", keep="last")
        names = {**_OUT_NAMES, "version": "Version", "in_use": "In use"}
        return frame.rename(columns=names)[list(names.values())]

    def version_counts(self) -> pd.DataFrame:
        """How many versions each measure and period has (``code``, ``period_key``,
        ``versions``): more than one means it was restated or re-sent."""
        return self._query('SELECT code, period_key, count(*) AS versions FROM "values" '
                           "GROUP BY code, period_key")

    def counts(self) -> dict[str, int]:
        """Rows per table (for logs and health checks)."""
        tables = ("values", "statuses", "refreshes", "refresh_files")
        return {t: int(self._con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0])
                for t in tables}

    def integrity(self) -> str:
        """SQLite's ``PRAGMA integrity_check`` and the foreign-key check: ``'ok'`` or what
        is wrong."""
        result = self._con.execute("PRAGMA integrity_check").fetchone()[0]
        broken = self._con.execute("PRAGMA foreign_key_check").fetchall()
        return result if not broken else f"{result}; {len(broken)} broken references"

    # -- statuses -----------------------------------------------------------------------------

    def _status_rows(self, scored: pd.DataFrame, measures: pd.DataFrame | None,
                     default_scheme: str, prepared: bool = False) -> pd.DataFrame:
        for required in ("code", "period", "status"):
            if required not in scored.columns:
                raise InputError(f"scored rows need a {required!r} column (use score()'s "
                                 "result)")
        rows = pd.DataFrame({"code": _text(scored["code"]).to_numpy()})
        periods = parse_periods(scored["period"].astype(object))
        codes, uniques = pd.factorize(periods)
        rows["period_key"] = np.array([p.format("iso") for p in uniques], dtype=object)[codes]
        rows["period"] = np.array([p.format() for p in uniques], dtype=object)[codes]
        register = None
        if measures is not None:
            register = (measures if prepared else prepare_measures(measures)
                        ).drop_duplicates("code", keep="last")
            register = register.set_index("code")
        for column in STATUS_FIELDS[3:-2]:
            if column in scored.columns:
                values = scored[column]
                rows[column] = (values.astype(object) if isinstance(values.dtype,
                                pd.CategoricalDtype) else values).to_numpy()
            elif register is not None and column in register.columns:
                rows[column] = register[column].reindex(rows["code"]).to_numpy()
            else:
                rows[column] = None
        if register is not None or "scheme" in scored.columns:
            rows["scheme"] = rows["scheme"].where(rows["scheme"].notna() & (rows["scheme"] != ""),
                                                  default_scheme)
        rows["status"] = rows["status"].astype(str)
        for column in ("rated",):
            rows[column] = rows[column].map(lambda v: None if v is None or pd.isna(v)
                                            else int(bool(v)))
        return rows.drop_duplicates(["code", "period_key"], keep="last").reset_index(drop=True)

    def freeze_statuses(self, scored: pd.DataFrame, period_keys: Any = None, *,
                        rescore_history: bool = False, measures: pd.DataFrame | None = None,
                        default_scheme: str = "rag", refresh_id: int | None = None,
                        prepared: bool = False) -> list[StatusChange]:
        """Freeze the statuses of :func:`xlperf.score`'s result; the list of changes.

        ``period_keys`` are the current periods (keys, labels or :class:`Period`; default:
        every period in ``scored``). A row of a current period replaces the frozen one. A row
        of a past period is frozen if that measure and period has no status yet; otherwise
        the frozen status is kept, and a different status is reported with ``applied=False``
        unless ``rescore_history`` is true (then it replaces the frozen one, ``applied=True``).

        ``score()`` does not return tolerance, tolerance type or scheme: they are taken from
        ``scored`` when it has them, else from the register given as ``measures``
        (``prepared``: already typed by :func:`~xlperf.core.measures.prepare_measures`, as
        :attr:`~xlperf.read.master.Master.prepared_register` is, so not prepared again).
        """
        rows = self._status_rows(scored, measures, default_scheme, prepared)
        current = set(rows["period_key"]) if period_keys is None else set(_keys(period_keys)
                                                                          or [])
        rows["scored_at"] = _now()
        rows["refresh_id"] = self._refresh_id(refresh_id)
        changes: list[StatusChange] = []
        with self.transaction():
            self._load_pairs(rows[["code", "period_key"]])
            frozen = self._query("SELECT s.* FROM statuses AS s JOIN temp._pairs AS p "
                                 "ON s.code = p.code AND s.period_key = p.period_key")
            # Each row's frozen status by position (a merge of the two frames cost more
            # than the statuses): (code, period_key) is the statuses' primary key.
            where = {pair: i for i, pair in enumerate(zip(frozen["code"], frozen["period_key"],
                                                          strict=True))}
            at = np.fromiter((where.get(pair, -1) for pair in zip(
                rows["code"], rows["period_key"], strict=True)), dtype=np.intp, count=len(rows))
            had = at >= 0
            is_current = rows["period_key"].isin(current).to_numpy()
            replace = ~had | is_current | rescore_history
            if had.any():  # a status frozen with the same content is not written again
                same = np.ones(int(had.sum()), dtype=bool)
                for column in STATUS_FIELDS[:-2]:
                    if column not in frozen.columns:
                        continue
                    same &= _cells(rows[column].to_numpy(dtype=object)[had]) == _cells(
                        frozen[column].to_numpy(dtype=object)[at[had]])
                unchanged = np.zeros(len(rows), dtype=bool)
                unchanged[np.flatnonzero(had)[same]] = True
                replace &= ~unchanged
            differs = had.copy()
            if had.any():
                old_status = frozen["status"].to_numpy(dtype=object)[at[had]]
                differs[had] = rows["status"].to_numpy(dtype=object)[had] != old_status
            for i in np.flatnonzero(differs):
                row = rows.iloc[i].to_dict()
                row.update({f"{c}_old": v for c, v in frozen.iloc[at[i]].items()
                            if c not in ("code", "period_key")})
                changes.append(StatusChange(
                    code=row["code"], period=row["period"], period_key=row["period_key"],
                    old=row["status_old"], new=row["status"], reason=_change_reason(row),
                    applied=bool(replace[i])))
            self._con.executemany(
                f"INSERT OR REPLACE INTO statuses ({', '.join(STATUS_FIELDS)}) "
                f"VALUES ({', '.join('?' * len(STATUS_FIELDS))})",
                _objects(rows.loc[replace], STATUS_FIELDS))
        return changes

    def restate_spc(self, today: pd.DataFrame, restated: pd.DataFrame) -> list[SpcChange]:
        """Today's SPC of kept (past) periods beside the frozen one, where restated figures
        moved the chart's mean or limits; the list of those periods.

        ``today``: ``code``, ``period`` and :data:`~xlperf.core.spc_scored.SPC_FIELDS` worked
        out now (:func:`~xlperf.core.spc_scored.spc_at` at the frozen periods). ``restated``:
        the restatements (``code``, ``period``, ``period_key``) that may have moved them. The
        frozen columns are never changed: ``restated_*`` columns are set beside them (and
        cleared where today's chart is the frozen one again).
        """
        if today.empty:
            return []
        rows = today.reset_index(drop=True).copy()
        rows["code"] = _text(rows["code"])
        labels = parse_periods(rows["period"].astype(object))
        rows["period_key"] = [p.format("iso") for p in labels]
        rows["period"] = [p.format() for p in labels]
        changes: list[SpcChange] = []
        with self.transaction():
            self._load_pairs(rows[["code", "period_key"]])
            frozen = self._query("SELECT s.* FROM statuses AS s JOIN temp._pairs AS p "
                                 "ON s.code = p.code AND s.period_key = p.period_key "
                                 "WHERE s.variation IS NOT NULL")
            frozen = frozen.set_index(["code", "period_key"])
            updates = []
            for row in rows.to_dict("records"):
                pair = (row["code"], row["period_key"])
                if pair not in frozen.index:
                    continue
                old = frozen.loc[pair]
                before = tuple(float(old[c]) if old[c] is not None else np.nan
                               for c in ("spc_mean", "spc_lower", "spc_upper"))
                after = tuple(float(row[c]) for c in ("spc_mean", "spc_lower", "spc_upper"))
                if all(_shown(a) == _shown(b) for a, b in zip(before, after, strict=True)):
                    if old["restated_note"] is not None:
                        updates.append((None,) * len(RESTATED_FIELDS) + pair)
                    continue
                mine = restated[(restated["code"] == row["code"])
                                & (restated["period_key"] <= row["period_key"])]
                note = moved(list(mine["period"].astype(str)), before, after)
                change = SpcChange(row["code"], row["period"], row["period_key"],
                                   str(old["variation"]), str(old["assurance"]),
                                   str(row["variation"]), str(row["assurance"]), note)
                changes.append(change)
                updates.append((change.restated_variation, change.restated_assurance,
                                *(None if np.isnan(a) else a for a in after), note) + pair)
            self._con.executemany(
                "UPDATE statuses SET " + ", ".join(f"{c} = ?" for c in RESTATED_FIELDS)
                + " WHERE code = ? AND period_key = ?", updates)
        return changes

    def frozen_statuses(self, period_keys: Any = None,
                        codes: Iterable[str] | str | None = None) -> pd.DataFrame:
        """The frozen statuses (one row per measure and period), ordered by code and period."""
        where, params = self._where(codes, period_keys)
        frame = self._query(f"SELECT * FROM statuses AS v WHERE {where} "
                            "ORDER BY code, period_key", params)
        if frame.empty:
            frame = pd.DataFrame(columns=[*STATUS_FIELDS, *RESTATED_FIELDS])
        frame["rated"] = frame["rated"].map(lambda v: None if v is None or pd.isna(v)
                                            else bool(v))
        for column in ("actual", "target", "tolerance", "variance", "variance_pct",
                       "spc_mean", "spc_lower", "spc_upper", "restated_mean",
                       "restated_lower", "restated_upper"):
            if column not in frame.columns:
                frame[column] = np.nan
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
        return frame

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


def _cells(values: np.ndarray) -> np.ndarray:
    """An object array with every missing value as None and every number as a float, so
    that ``==`` compares what SQLite gives back with what was scored."""
    out = np.empty(len(values), dtype=object)
    for i, value in enumerate(values):
        if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
            out[i] = None
        elif isinstance(value, int | float | np.number) and not isinstance(value, bool):
            out[i] = float(value)
        else:
            out[i] = value if isinstance(value, str) else str(value)
    return out


def _money_key(row: Sequence[Any]) -> tuple[Any, ...]:
    """A money row's content, numbers as floats and blanks as None, for comparing."""
    out: list[Any] = []
    for value in row:
        if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
            out.append(None)
        elif isinstance(value, int | float | np.number) and not isinstance(value, bool):
            out.append(float(value))
        else:
            out.append(str(value))
    return tuple(out)


def _suppress_sqlite() -> Any:
    from contextlib import suppress

    return suppress(sqlite3.Error)


def _suppress_os() -> Any:
    from contextlib import suppress

    return suppress(OSError)


def _new_versions(subs: pd.DataFrame, existing: pd.DataFrame
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The submissions to insert (not repeats of a version already recorded or earlier in
    the batch) and the restatements among them, for pairs that need comparing."""
    pair_cols = ["code", "period_key"]
    everything = [*pair_cols, *CONTENT, *SOURCE]
    canon = _canonical(subs, everything)
    # 1. Repeats: already in the ledger, or earlier in this batch.
    repeat = canon.duplicated(keep="first").to_numpy().copy()
    if not existing.empty:
        # A set of the versions recorded, not a merge on all 15 columns (a refresh sends
        # back every return it has seen: its rows are mostly repeats).
        known = set(_row_tuples(_canonical(existing, everything), everything))
        repeat |= np.fromiter((row in known for row in _row_tuples(canon, everything)),
                              dtype=bool, count=len(canon))
    live = subs.loc[~repeat]
    if live.empty:  # all repeats (the same returns again): nothing to compare
        return live, _restatements(live, live, np.zeros(0, dtype=bool))
    live_canon = canon.loc[~repeat]
    # 2. The value in use before each live submission: the previous live one for the
    #    same pair, else the latest in the ledger.
    previous = live[[*pair_cols, *CONTENT, "source_file"]].groupby(
        pair_cols, sort=False).shift(1)
    has_previous = live.groupby(pair_cols, sort=False).cumcount().to_numpy() > 0
    previous = previous.assign(code=live["code"], period_key=live["period_key"])
    if not existing.empty:
        latest = (existing.sort_values("id").drop_duplicates(pair_cols, keep="last")
                  [[*pair_cols, *CONTENT, "source_file"]])
        from_ledger = live[pair_cols].merge(latest, how="left", on=pair_cols,
                                            indicator=True)
        in_ledger = (from_ledger["_merge"] == "both").to_numpy()
        first = ~has_previous
        for column in (*CONTENT, "source_file"):
            values = previous[column].to_numpy(dtype=object).copy()
            values[first] = from_ledger[column].to_numpy(dtype=object)[first]
            previous[column] = values
        has_previous = has_previous | (first & in_ledger)
    prev_canon = _canonical(previous, ("value", "no_data_reason"))
    figure_changed = ~_same(live_canon, prev_canon, ("value", "no_data_reason"))
    restated = has_previous & figure_changed
    return live, _restatements(live, previous, restated)


def _restatements(live: pd.DataFrame, previous: pd.DataFrame, restated: np.ndarray
                  ) -> pd.DataFrame:
    """The restatements among ``live`` submissions, beside the figure each replaces."""
    return pd.DataFrame({
        "code": live["code"].to_numpy()[restated],
        "period": live["period"].to_numpy()[restated],
        "period_key": live["period_key"].to_numpy()[restated],
        "previous": pd.to_numeric(previous["value"], errors="coerce"
                                  ).to_numpy(dtype=float)[restated],
        "previous_reason": previous["no_data_reason"].to_numpy(dtype=object)[restated],
        "previous_source": previous["source_file"].to_numpy(dtype=object)[restated],
        "value": live["value"].to_numpy(dtype=float)[restated],
        "no_data_reason": live["no_data_reason"].to_numpy(dtype=object)[restated],
        "source_file": live["source_file"].to_numpy(dtype=object)[restated],
        "sheet": live["sheet"].to_numpy(dtype=object)[restated],
        "cell": live["cell"].to_numpy(dtype=object)[restated],
    })


def _restatement_frame() -> pd.DataFrame:
    return pd.DataFrame(columns=["code", "period", "period_key", "previous", "previous_reason",
                                 "previous_source", "value", "no_data_reason", "source_file",
                                 "sheet", "cell"])


def _shown(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "none"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _change_reason(row: Mapping[str, Any]) -> str:
    """Why a status changed, from what it was scored with then and now."""
    parts = []
    for column in _BASIS:
        old, new = row.get(f"{column}_old"), row.get(column)
        old_missing = old is None or (isinstance(old, float) and np.isnan(old))
        new_missing = new is None or (isinstance(new, float) and np.isnan(new))
        if old_missing and new_missing:
            continue
        if old_missing != new_missing or _shown(old) != _shown(new):
            label = column.replace("_", " ")
            parts.append(f"{label} {_shown(old)} -> {_shown(new)}")
    return "; ".join(parts) if parts else "the scheme's bands or the status rule changed"
