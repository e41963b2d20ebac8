"""The chasers sent, in the ledger's ``chasers`` table (schema version 3).

Kept apart from the refresh's writes (:mod:`xlperf.ledger._store`): a chaser is recorded in a
transaction of its own, right after the mail server accepted it, so a batch that stops half
way records exactly the messages that went.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from xlperf.ledger._store import Ledger

__all__ = ["chasers_sent", "record_chaser", "sent_chasers"]


def record_chaser(ledger: Ledger, *, recipient: str, subject: str, fingerprint: str,
                  items: Sequence[dict[str, Any]], period: str | None = None,
                  period_key: str | None = None, message_id: str | None = None,
                  sent_at: datetime | None = None) -> int:
    """Record one chaser sent; its id. ``sent_at`` (default now) is kept in UTC and its
    local date in ``sent_on``: what "the same day" means for :func:`chasers_sent`."""
    when = (sent_at or datetime.now().astimezone())
    if when.tzinfo is None:
        when = when.astimezone()
    with ledger.transaction():
        cursor = ledger._con.execute(
            "INSERT INTO chasers (sent_at, sent_on, recipient, period, period_key, subject, "
            "fingerprint, items, message_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (when.astimezone(UTC).isoformat(timespec="seconds"), when.date().isoformat(),
             recipient, period, period_key, subject, fingerprint,
             json.dumps(list(items), ensure_ascii=False, default=str), message_id))
    return int(cursor.lastrowid or 0)


def chasers_sent(ledger: Ledger, day: str) -> set[tuple[str, str]]:
    """(recipient folded, fingerprint) of every chaser sent on ``day`` (``YYYY-MM-DD``)."""
    rows = ledger._con.execute("SELECT recipient, fingerprint FROM chasers WHERE sent_on = ?",
                               (day,)).fetchall()
    return {(str(r).casefold(), str(f)) for r, f in rows}


def sent_chasers(ledger: Ledger) -> pd.DataFrame:
    """Every chaser sent, oldest first, ``items`` as a list of dicts."""
    frame = ledger._query("SELECT * FROM chasers ORDER BY id")
    frame["items"] = frame["items"].map(json.loads)
    return frame
