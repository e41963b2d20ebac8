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

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from xlperf.read.master import Master
    from xlperf.settings import Settings

from xlperf.ledger._activity import activity_frame, record_activity
from xlperf.ledger._chasers import chasers_sent, record_chaser, sent_chasers
from xlperf.ledger._export import (
    EXPORT_COLUMNS,
    RETURNS_COLUMNS,
    export,
    returns_export,
    write_export,
)
from xlperf.ledger._history import LAYOUTS, read_history, sha256_file
from xlperf.ledger._responses import explained_by_measure, record_responses, responses_frame
from xlperf.ledger._rows import _restatement_frame as restatement_frame
from xlperf.ledger._rows import _shown as shown_value
from xlperf.ledger._schema import SCHEMA_VERSION
from xlperf.ledger._store import (
    FileRecord,
    Ledger,
    RecordResult,
    RefreshRun,
    SpcChange,
    StatusChange,
    period_key,
)

__all__ = [
    "EXPORT_COLUMNS",
    "LAYOUTS",
    "RETURNS_COLUMNS",
    "SCHEMA_VERSION",
    "FileRecord",
    "Ledger",
    "RecordResult",
    "RefreshRun",
    "SpcChange",
    "StatusChange",
    "activity_frame",
    "chasers_sent",
    "explained_by_measure",
    "export",
    "known_responses",
    "ledger_path",
    "period_key",
    "previous_values",
    "read_history",
    "record_activity",
    "record_chaser",
    "record_responses",
    "responses_frame",
    "restatement_frame",
    "returns_export",
    "sent_chasers",
    "sha256_file",
    "shown_value",
    "write_export",
]


def ledger_path(master: str | Path | Master,
                settings: Settings | Mapping[str, Any] | str | None = None) -> Path:
    """Where a master's ledger lives: the ``Ledger path`` setting of its ``Settings`` sheet
    (relative to the master's folder), else ``<master stem>.ledger.sqlite`` beside the master.

    The rule is :meth:`xlperf.settings.Settings.ledger_in`; the doors ask
    :class:`xlperf.council.Council`, which resolves it once. ``master`` is the master's path,
    or a read :class:`~xlperf.read.master.Master` (its path and settings are used);
    ``settings`` is a :class:`~xlperf.settings.Settings`, ``{label: value}`` of the sheet, or
    the setting's value itself.

    >>> ledger_path("reports/master.xlsm").as_posix()
    'reports/master.ledger.sqlite'
    >>> ledger_path("reports/master.xlsm", {"Ledger path": "data/ledger.db"}).as_posix()
    'reports/data/ledger.db'
    >>> ledger_path("reports/master.xlsm", "data/ledger.db").as_posix()
    'reports/data/ledger.db'
    """
    from xlperf.settings import Settings, read_settings

    if hasattr(master, "settings") and hasattr(master, "path"):  # a read Master
        settings = master.settings if settings is None else settings
        master = master.path
    if isinstance(settings, Settings):
        return settings.ledger_in(master)
    rows = (settings.items() if isinstance(settings, Mapping)
            else [("Ledger path", settings)])
    return read_settings((0, k, v) for k, v in rows)[0].ledger_in(master)


def _keys_before(reporting: Any, keys: list[str]) -> set[str]:
    """The keys of periods that start before ``reporting``'s due period of their frequency
    (each distinct key parsed once; the ledger holds a few hundred at most)."""
    from xlperf.core.periods import parse_period
    from xlperf.core.score import due_period
    from xlperf.errors import InputError

    before: set[str] = set()
    due: dict[str, Any] = {}
    for key in keys:
        try:
            period = parse_period(key)
        except (InputError, TypeError):
            continue
        if period.frequency not in due:
            due[period.frequency] = due_period(reporting, period.frequency)
        if period.start < due[period.frequency].start:
            before.add(key)
    return before


def known_responses(ledger: Ledger | str | Path) -> dict[str, str]:
    """The services' answers to earlier queries: fingerprint -> the latest response
    (:func:`xlperf.findings.query_fingerprint`). ``ledger`` is an open :class:`Ledger` or its
    path; a path with no file gives none (it is not created). The validator explains a query
    whose fingerprint is here (docs/collection.md).

    >>> import tempfile, pathlib
    >>> known_responses(pathlib.Path(tempfile.mkdtemp()) / "none.sqlite")
    {}
    """
    from xlperf.ledger._responses import known_responses as known

    if not isinstance(ledger, Ledger):
        if not Path(ledger).is_file():
            return {}
        with Ledger(ledger) as store:
            return known(store)
    return known(ledger)


def previous_values(ledger: Ledger | str | Path, period: Any = None, *,
                    values: pd.DataFrame | None = None) -> pd.DataFrame:
    """The accepted values a return for ``period`` is checked against (``PERF-013/014/015``):
    ``Code``, ``Period``, ``Actual`` of the ledger's values in use, for every period up to
    the period's due period of each frequency and the periods a score of ``period`` can look
    at (:func:`~xlperf.core.score.window_keys`): the whole accepted history, so ``PERF-014``
    can work out process limits (docs/spc.md); every period when ``period`` is None.
    ``ledger`` is an open :class:`Ledger` or its path; a path with no file gives no values
    (it is not created). ``values``: the ledger's :meth:`Ledger.current_values` read already
    (the refresh reads them all for its history): taken from it, not read again.

    The one definition of "the history a return is checked against", used by the validator
    (which finds the master's ledger itself) and the refresh (its own ledger).

    >>> import tempfile, pathlib
    >>> previous_values(pathlib.Path(tempfile.mkdtemp()) / "none.sqlite", "Q2 2013/14").shape
    (0, 3)
    """
    columns = ["Code", "Period", "Actual"]
    if values is None and not isinstance(ledger, Ledger):
        if not Path(ledger).is_file():
            return pd.DataFrame(columns=columns)
        with Ledger(ledger) as opened:
            return previous_values(opened, period)
    # Read from the ledger, or taken from its values read already: the same periods.
    if period is None:
        if values is None:
            assert isinstance(ledger, Ledger)  # a path was opened above
            values = ledger.current_values(provenance=False)
        return values[columns].reset_index(drop=True)
    from xlperf.core.periods import parse_period
    from xlperf.core.score import window_keys

    reporting = parse_period(period)

    def wanted(held: list[str]) -> list[str]:
        return sorted(window_keys(reporting, held) | _keys_before(reporting, held))

    if values is None:
        assert isinstance(ledger, Ledger)
        return ledger.current_values(keys=wanted(ledger.period_keys()), provenance=False)[
            columns].reset_index(drop=True)
    held = [k for k in pd.unique(values["Period key"]) if isinstance(k, str)]
    chosen = values[values["Period key"].isin(wanted(held)).to_numpy()]
    if chosen.empty:  # typed as the ledger types a read of nothing
        return pd.DataFrame({"Code": pd.Series(dtype=object), "Period": pd.Series(dtype=object),
                             "Actual": pd.Series(dtype=float)})
    return chosen[columns].reset_index(drop=True)
