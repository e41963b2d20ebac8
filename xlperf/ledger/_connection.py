"""The ledger's SQLite file: its connection (every SQLite error a sentence), the checks
before writing, transactions, backups, and the queries every part of the ledger runs."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

import pandas as pd

from xlperf.errors import BusyError, LedgerError, XlperfError
from xlperf.ledger._rows import _objects
from xlperf.ledger._schema import migrate

if TYPE_CHECKING:
    from xlperf.ledger._store import RefreshRun

__all__ = ["damaged_message"]

# How the connection turns an SQLite error into a sentence (the ledger's own _translate).
Translate = Callable[[sqlite3.Error], XlperfError]


class _Cursor:
    """A cursor whose SQLite errors become sentences (a damaged page is found when read)."""

    def __init__(self, cursor: sqlite3.Cursor, translate: Translate):
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

    def __init__(self, connection: sqlite3.Connection, translate: Translate):
        self.raw, self._translate = connection, translate
        self.closed = False  # closing twice is closing once

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
        self.closed = True


def damaged_message(path: Path, detail: str) -> str:
    """The sentence for a ledger that fails SQLite's checks."""
    return (f"the ledger {path} is damaged ({detail}), so xlperf will not read or write it: "
            "nothing was recorded and the master was not changed. Restore its latest backup "
            f"(backups/{path.stem}.backup-<date>{path.suffix} beside the master: see "
            "'Restoring the ledger' in docs/ledger.md), then run again")


def _suppress_sqlite() -> suppress:
    return suppress(sqlite3.Error)


def _suppress_os() -> suppress:
    return suppress(OSError)


class _LedgerFile:
    """The SQLite file under a :class:`~xlperf.ledger.Ledger` (see its docstring): opening and
    closing it, SQLite's checks, transactions and backups."""

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

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if not self._con.closed:
            if self._con.in_transaction:
                with _suppress_sqlite():
                    self._con.raw.execute("ROLLBACK")
            self._con.close()

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
