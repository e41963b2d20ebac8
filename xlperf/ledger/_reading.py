"""Reading the ledger: the values in use, every version of a measure's values, the money
figures in use, and counts."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from xlperf.core.periods import parse_period
from xlperf.ledger._connection import _LedgerFile
from xlperf.ledger._rows import (
    _FLOATS,
    _OUT_NAMES,
    _SCORED_FIELDS,
    ATTRIBUTED_FIELDS,
    VALUE_FIELDS,
    _keys,
)


class _Reading(_LedgerFile):
    """The ledger's reads (a part of :class:`~xlperf.ledger.Ledger`)."""

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
                       "source_sha256", "sheet", "cell", *ATTRIBUTED_FIELDS):  # None if missing
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
        status``, the attributed comment (``Comment subject``, ``Comment by``, ``Further
        comment``: None when there is none), then ``Period key`` and the provenance. Ordered
        by code, then period.
        ``keys`` selects periods by the ledger's own keys (as :meth:`period_keys` gives them),
        taken as they are. ``provenance=False`` leaves the provenance out (``Period key`` is
        the last column): what scoring needs, without reading the source, SHA-256, sheet, cell
        and time of thousands of values."""
        where, params = self._where(codes, periods, keys)
        frame = self._values(where, params, latest=True, provenance=provenance)
        return frame.rename(columns=_OUT_NAMES)[[_OUT_NAMES[c] for c in _OUT_NAMES
                                                 if c in frame.columns]]

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
