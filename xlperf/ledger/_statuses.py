"""Frozen statuses: each measure and period's status (and its SPC) as published, kept unless
history is re-scored, and today's SPC beside it where a restatement moved the chart."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from xlperf.core.measures import prepare_measures
from xlperf.core.periods import parse_periods
from xlperf.core.spc_scored import moved
from xlperf.errors import InputError
from xlperf.ledger._recording import _Recording
from xlperf.ledger._rows import (
    RESTATED_FIELDS,
    STATUS_FIELDS,
    _cells,
    _change_reason,
    _keys,
    _now,
    _objects,
    _shown,
    _text,
)

__all__ = ["SpcChange", "StatusChange"]


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


class _Statuses(_Recording):
    """The ledger's frozen statuses (a part of :class:`~xlperf.ledger.Ledger`)."""


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
                mean, lower, upper = (float(old[c]) if old[c] is not None else np.nan
                                      for c in ("spc_mean", "spc_lower", "spc_upper"))
                before = (mean, lower, upper)
                after = (float(row["spc_mean"]), float(row["spc_lower"]),
                         float(row["spc_upper"]))
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
                        codes: Iterable[str] | str | None = None, *,
                        columns: Iterable[str] | None = None) -> pd.DataFrame:
        """The frozen statuses (one row per measure and period), ordered by code and period.
        ``columns``: only these, with ``code`` and ``period_key`` (what a report prints of the
        past: reading every column of every status cost more than the report's scoring)."""
        known = (*STATUS_FIELDS, *RESTATED_FIELDS)
        wanted = list(known) if columns is None else list(dict.fromkeys(
            ["code", "period_key", *columns]))
        unknown = [c for c in wanted if c not in known]
        if unknown:
            raise InputError(f"a frozen status has no {', '.join(map(repr, unknown))}")
        where, params = self._where(codes, period_keys)
        selected = "*" if columns is None else ", ".join(wanted)
        frame = self._query(f"SELECT {selected} FROM statuses AS v WHERE {where} "
                            "ORDER BY code, period_key", params)
        if frame.empty:
            frame = pd.DataFrame(columns=wanted)
        if "rated" in wanted:
            frame["rated"] = frame["rated"].map(lambda v: None if v is None or pd.isna(v)
                                                else bool(v))
        for column in ("actual", "target", "tolerance", "variance", "variance_pct",
                       "spc_mean", "spc_lower", "spc_upper", "restated_mean",
                       "restated_lower", "restated_upper"):
            if column not in wanted:
                continue
            if column not in frame.columns:
                frame[column] = np.nan
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
        return frame
