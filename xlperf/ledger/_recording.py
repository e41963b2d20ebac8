"""Recording in the ledger: accepted values (a changed figure a restatement, a repeat
nothing) and the money figures taken from returns."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from xlperf.core.columns import normalise_columns
from xlperf.core.periods import parse_period, parse_periods
from xlperf.core.values import REASON_BLANK, parse_values
from xlperf.errors import InputError
from xlperf.ledger._reading import _Reading
from xlperf.ledger._rows import (
    _SUBMISSION_COLUMNS,
    ATTRIBUTED_FIELDS,
    VALUE_FIELDS,
    _money_key,
    _new_versions,
    _now,
    _objects,
    _restatement_frame,
    _text,
)

__all__ = ["RecordResult"]


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


class _Recording(_Reading):
    """The ledger's writes of values and money (a part of :class:`~xlperf.ledger.Ledger`)."""
    def _refresh_id(self, refresh_id: int | None) -> int | None:
        if refresh_id is not None:
            return refresh_id
        return None if self._run is None else self._run.id

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
                       "sheet", "cell", *ATTRIBUTED_FIELDS):
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
        reason``, and the attributed comment's ``Comment subject``, ``Comment by``,
        ``Further comment``) with provenance ``Source file``, ``Source SHA-256``, ``Sheet``,
        ``Cell``.
        Rows are submissions in order (a later row for the same measure and period wins).
        ``Actual`` may be a number or a messy cell (``TBC`` is recorded as no data, reason
        "to be confirmed"); a cell that is not a number raises :class:`InputError` and
        nothing is recorded. A blank cell is not a submission and is skipped unless
        ``keep_blank``.

        A submission is *unchanged* (not stored again) when the ledger already holds the same
        content (figure, reason, numerator, denominator, commentary, reported status, the
        attributed comment) from the same file (SHA-256), sheet and cell for that measure and
        period: recording the same returns again, in any order and any number of times,
        changes nothing. Any other
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
                'v.source_sha256, v.sheet, v.cell, v.comment_subject, v.comment_by, '
                'v.further_comment FROM "values" AS v '
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
        >>> from xlperf.ledger import Ledger
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
