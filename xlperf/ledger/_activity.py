"""What services returned for their milestones and projects, in the ledger's ``activity`` table
(schema version 6).

A refresh records each accepted row of a return's Milestones sheet (the "activity" frame,
:mod:`xlperf.core.activity`) in its transaction; a row equal to the one in use for its code and
period is not recorded again (the same returns refreshed again change nothing), and a changed
one is a new row, the latest in use (as values are). :func:`activity_frame` gives, for a
period, the latest accepted submission per code: what the output sheets and the report print.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pandas as pd

from xlperf.core.activity import ACTIVITY_COLUMNS, empty_activity

if TYPE_CHECKING:
    from xlperf.ledger._store import Ledger

__all__ = ["activity_frame", "record_activity"]

# The table's columns that a recorded row carries, beside period_key, recorded_at, refresh_id.
_STORED = ("code", "kind", "period", "progress", "forecast", "commentary", "service",
           "source_file", "revised_date", "source_sha256", "sheet", "cell")
# What makes a row the same as the one in use (the source may differ: the same figures
# re-sent in another file are not a new submission).
_SAME = ("progress", "forecast", "commentary", "service", "revised_date")


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def record_activity(ledger: Ledger, frame: pd.DataFrame, *,
                    refresh_id: int | None = None) -> int:
    """Record the activity rows of ``frame`` (:data:`~xlperf.core.activity.ACTIVITY_COLUMNS`,
    and optionally ``source_sha256``, ``sheet``, ``cell``); how many were new.

    >>> import tempfile, pathlib
    >>> from xlperf.ledger import Ledger, activity_frame
    >>> rows = pd.DataFrame({"code": ["M01"], "kind": ["milestone"], "period": ["Q2 2013/14"],
    ...                      "progress": ["Fair / behind"], "commentary": ["Late start"]})
    >>> with Ledger(pathlib.Path(tempfile.mkdtemp()) / "l.sqlite") as ledger:
    ...     record_activity(ledger, rows), record_activity(ledger, rows)
    ...     activity_frame(ledger, "Q2 2013/14")["progress"].tolist()
    (1, 0)
    ['Fair / behind']
    """
    from xlperf.ledger._rows import _now, period_key

    if not len(frame):
        return 0
    rows = frame.rename(columns={"source": "source_file"}).reindex(columns=list(_STORED))
    keys = rows["period"].map(lambda p: period_key(str(p)))
    stamp = _now()
    out = []
    with ledger.transaction():
        in_use: dict[tuple[str, str, str], tuple[str | None, ...]] = {}
        for key in dict.fromkeys(keys):
            for row in _latest(ledger, key).itertuples(index=False):
                in_use[(row.kind, row.code, key)] = tuple(
                    _text(getattr(row, c)) for c in _SAME)
        for key, row in zip(keys, rows.itertuples(index=False), strict=True):
            values = {c: _text(getattr(row, c)) for c in _STORED}
            values["commentary"] = values["commentary"] or ""
            if not values["code"] or values["kind"] not in ("milestone", "project"):
                continue
            same = tuple(values[c] for c in _SAME)
            where = (str(values["kind"]), str(values["code"]), key)
            if in_use.get(where) == same:
                continue
            in_use[where] = same
            out.append((*(values[c] for c in _STORED), key, stamp,
                        ledger._refresh_id(refresh_id)))
        if out:
            ledger._con.executemany(
                f"INSERT INTO activity ({', '.join(_STORED)}, period_key, recorded_at, "
                f"refresh_id) VALUES ({', '.join('?' * (len(_STORED) + 3))})", out)
    return len(out)


def _latest(ledger: Ledger, key: str) -> pd.DataFrame:
    return ledger._query(
        f"SELECT {', '.join(_STORED)} FROM activity AS a WHERE period_key = ? AND id = "
        "(SELECT max(b.id) FROM activity AS b WHERE b.period_key = a.period_key "
        "AND b.kind = a.kind AND b.code = a.code) ORDER BY kind, id", (key,))


def activity_frame(ledger: Ledger, period: Any) -> pd.DataFrame:
    """The activity frame of ``period`` (a label such as ``Q2 2013/14`` or its key): the
    latest accepted submission per code, milestones first then projects, each in the order
    recorded; an empty frame with its columns when nothing was returned. A revised
    date is a :class:`datetime.date`."""
    from xlperf.ledger._rows import period_key

    latest = _latest(ledger, period_key(period))
    if not len(latest):
        return empty_activity()
    frame = latest.rename(columns={"source_file": "source"})
    frame["revised_date"] = frame["revised_date"].map(
        lambda v: dt.date.fromisoformat(v) if isinstance(v, str) and v else None)
    frame["commentary"] = frame["commentary"].fillna("")
    frame = frame.reindex(columns=list(ACTIVITY_COLUMNS)).astype(object)
    return frame.where(pd.notna(frame), None).reset_index(drop=True)
