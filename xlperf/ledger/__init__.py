"""The ledger: every accepted value, every restatement and each period's frozen status.

An embedded SQLite database (standard library ``sqlite3``, WAL journal) kept next to the master
workbook. It answers three questions the workbook alone cannot: what did we know and when
(values are never overwritten: a restatement is a new row, the latest in use), what status did
we publish for a past period (statuses are frozen per period), and what did each refresh do.

    >>> import tempfile, pathlib, pandas as pd
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "demo.ledger.sqlite"
    >>> with Ledger(path) as ledger:
    ...     result = ledger.record_values(pd.DataFrame({
    ...         "Code": ["NI060", "NI060"], "Period": ["Q1 2013/14", "Q2 2013/14"],
    ...         "Actual": ["68.04%", "TBC"]}))
    ...     current = ledger.current_values()
    >>> result.inserted, current["Actual"].tolist(), current["No data reason"].tolist()
    (2, [68.04, nan], [None, 'to be confirmed'])

See ``docs/ledger.md`` for the schema and the guarantees.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from xlperf.ledger._chasers import chasers_sent, record_chaser, sent_chasers
from xlperf.ledger._export import EXPORT_COLUMNS, export, write_export
from xlperf.ledger._history import read_history, sha256_file
from xlperf.ledger._schema import SCHEMA_VERSION
from xlperf.ledger._store import (
    FileRecord,
    Ledger,
    RecordResult,
    RefreshRun,
    StatusChange,
    period_key,
)

__all__ = [
    "EXPORT_COLUMNS",
    "SCHEMA_VERSION",
    "FileRecord",
    "Ledger",
    "RecordResult",
    "RefreshRun",
    "StatusChange",
    "chasers_sent",
    "export",
    "ledger_path",
    "period_key",
    "read_history",
    "record_chaser",
    "sent_chasers",
    "sha256_file",
    "write_export",
]


def ledger_path(master: str | Path, setting: Any = None) -> Path:
    """Where a master's ledger lives: the ``Ledger path`` setting (relative to the master's
    folder), or ``<master stem>.ledger.sqlite`` beside the master.

    >>> ledger_path("reports/master.xlsm").as_posix()
    'reports/master.ledger.sqlite'
    >>> ledger_path("reports/master.xlsm", "data/ledger.db").as_posix()
    'reports/data/ledger.db'
    """
    master = Path(master)
    if setting is None or str(setting).strip() == "":
        return master.with_name(f"{master.stem}.ledger.sqlite")
    chosen = Path(str(setting).strip()).expanduser()
    return chosen if chosen.is_absolute() else master.parent / chosen
