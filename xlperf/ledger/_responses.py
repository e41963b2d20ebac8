"""The services' responses to queries, in the ledger's ``responses`` table (schema version 5).

A refresh that reads an annotated copy sent back records each response typed on its Issues
sheet against its query's fingerprint (:func:`xlperf.findings.query_fingerprint`), in the
refresh's transaction; :func:`known_responses` gives the validator the latest answer of each
fingerprint, so every door explains the same queries (docs/collection.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from xlperf.ledger._store import Ledger

__all__ = ["explained_by_measure", "known_responses", "record_responses", "responses_frame"]

RESPONSE_COLUMNS = ("fingerprint", "rule", "code", "period", "period_key", "response",
                    "source_file", "source_sha256", "sheet", "cell", "recorded_at",
                    "refresh_id")


def _key(period: str) -> str | None:
    from xlperf.errors import XlperfError
    from xlperf.ledger._rows import period_key

    try:
        return period_key(period) if period else None
    except (XlperfError, ValueError):
        return None


def record_responses(ledger: Ledger, responses: Iterable[Mapping[str, Any]], *,
                     refresh_id: int | None = None) -> int:
    """Record each response (``fingerprint``, ``rule``, ``measure``, ``period``,
    ``response``, and optionally ``file``, ``sha256``, ``sheet``, ``cell``); how many were
    new. A fingerprint whose latest response is the same text is not recorded again (the same
    copy sent twice changes nothing)."""
    from pathlib import Path

    from xlperf.ledger._rows import _now

    latest = known_responses(ledger)
    rows = []
    for item in responses:
        fingerprint, text = str(item.get("fingerprint") or ""), str(item.get("response") or "")
        if not fingerprint or not text or latest.get(fingerprint) == text:
            continue
        latest[fingerprint] = text
        period = str(item.get("period") or "")
        rows.append((fingerprint, str(item.get("rule") or ""), str(item.get("measure") or ""),
                     period, _key(period), text,
                     Path(str(item["file"])).name if item.get("file") else None,
                     item.get("sha256"), item.get("sheet"), item.get("cell"), _now(),
                     refresh_id))
    if rows:
        with ledger.transaction():
            ledger._con.executemany(
                f"INSERT INTO responses ({', '.join(RESPONSE_COLUMNS)}) "
                f"VALUES ({', '.join('?' * len(RESPONSE_COLUMNS))})", rows)
    return len(rows)


def known_responses(ledger: Ledger) -> dict[str, str]:
    """fingerprint -> the latest response recorded for it."""
    rows = ledger._con.execute(
        "SELECT fingerprint, response FROM responses ORDER BY id").fetchall()
    return {str(f): str(r) for f, r in rows}


def responses_frame(ledger: Ledger) -> pd.DataFrame:
    """Every response recorded, oldest first (columns :data:`RESPONSE_COLUMNS`)."""
    return ledger._query(f"SELECT {', '.join(RESPONSE_COLUMNS)} FROM responses ORDER BY id")


def explained_by_measure(ledger: Ledger, period: Any) -> dict[str, tuple[str, ...]]:
    """measure code -> the responses recorded by the refreshes of reporting ``period`` (its
    label or key), the latest for each query (rule and period of the row), oldest first: what
    the committee report's card prints as "Explained: ...".

    The refresh's period, not the row's: a monthly measure's December row and an annual
    measure's latest year, answered in the Q3 return, are Q3's explanations."""
    from xlperf.ledger._rows import period_key

    rows = ledger._con.execute(
        "SELECT r.code, r.rule, r.period, r.response FROM responses AS r "
        "JOIN refreshes AS f ON f.id = r.refresh_id WHERE f.period_key = ? ORDER BY r.id",
        (period_key(period),)).fetchall()
    latest: dict[tuple[str, str, str], tuple[str, str]] = {}
    for code, rule, row_period, response in rows:
        key = (str(code or ""), str(rule), str(row_period or ""))
        latest.pop(key, None)  # a later answer to the same query goes after the others
        latest[key] = (str(code or ""), str(response))
    out: dict[str, list[str]] = {}
    for code, response in latest.values():
        if code and response not in out.setdefault(code, []):
            out[code].append(response)
    return {code: tuple(texts) for code, texts in out.items()}
