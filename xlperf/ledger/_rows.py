"""The ledger's rows: the columns it stores, and the pure helpers that type, compare and show
its values, restatements and statuses (no SQL here)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from xlperf.core.columns import VALUE_COLUMNS
from xlperf.core.periods import Period, parse_period
from xlperf.core.spc_scored import SPC_FIELDS

__all__ = ["period_key"]

# The attributed comment of a value (schema 7): subject, author, text; NULL when none.
ATTRIBUTED_FIELDS = ("comment_subject", "comment_by", "further_comment")
# Columns of a submission the ledger stores, in table order.
VALUE_FIELDS = ("code", "period_key", "period", "value", "no_data_reason", "numerator",
                "denominator", "commentary", "reported_status", "source_file",
                "source_sha256", "sheet", "cell", *ATTRIBUTED_FIELDS)
# What a value *says*: two submissions with equal content are the same figure.
CONTENT = ("value", "no_data_reason", "numerator", "denominator", "commentary",
           "reported_status", *ATTRIBUTED_FIELDS)
# Where it came from: the same content from the same cell of the same file is a repeat.
SOURCE = ("source_sha256", "sheet", "cell")
_FLOATS = ("value", "numerator", "denominator")

_PROVENANCE_COLUMNS: dict[str, tuple[str, ...]] = {
    "no_data_reason": ("no data reason", "reason", "actual reason"),
    "source_file": ("source file", "file", "source"),
    "source_sha256": ("source sha256", "source sha-256", "sha256", "sha-256", "sha"),
    "sheet": ("sheet", "source sheet"),
    "cell": ("cell", "source cell"),
    # a performance return's attributed comment columns (xlperf.layout.RETURN_ATTRIBUTED)
    "comment_subject": ("comment subject", "comment heading"),
    "comment_by": ("comment by", "comment author"),
    "further_comment": ("further comment",),
}
_SUBMISSION_COLUMNS = {**VALUE_COLUMNS, **_PROVENANCE_COLUMNS}

# Layout of current_values() / history(): the long table score() takes, plus provenance.
_OUT_NAMES = {
    "code": "Code", "period": "Period", "value": "Actual", "no_data_reason": "No data reason",
    "numerator": "Numerator", "denominator": "Denominator", "commentary": "Commentary",
    "reported_status": "Reported status", "comment_subject": "Comment subject",
    "comment_by": "Comment by", "further_comment": "Further comment", "period_key": "Period key",
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
