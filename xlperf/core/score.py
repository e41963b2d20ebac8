"""``score()``: one row per measure for a reporting period, everything a scorecard prints.

Inputs are plain DataFrames (headers as people write them are fine):

- ``values``: long table of what was reported, one row per measure and period:
  ``Code``, ``Period``, ``Actual`` and optionally ``Commentary``, ``Reported status``,
  ``Numerator``, ``Denominator``. Later rows win over earlier rows for the same measure and
  period (a restatement).
- ``measures``: the register (see :func:`~xlperf.core.measures.prepare_measures`).
- ``targets`` (optional): profiled targets, ``Code``, ``Period``, ``Target``.

Each measure is scored for its *due period*: the latest period of its own frequency that has
ended by the end of the reporting period (a monthly measure in a Q1 report is scored for June,
an annual measure for the last financial year). Its target is the Targets table's, or profiled
from the annual target (:mod:`xlperf.core.targets`). Status, variance, direction of travel
(against the previous period or the same period last year) and the six-period trend follow.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from pandas.api.extensions import take

from xlperf.core.columns import TARGET_COLUMNS, VALUE_COLUMNS, normalise_columns
from xlperf.core.direction import TREND_PERIODS, directions, trends
from xlperf.core.figures import measure_decimals
from xlperf.core.measures import comparison_period, prepare_measures
from xlperf.core.periods import Period, parse_period, parse_periods
from xlperf.core.schemes import Scheme
from xlperf.core.status import explain_rated, rate
from xlperf.core.targets import period_targets
from xlperf.core.values import clean_commentaries, parse_values
from xlperf.errors import InputError

SCORE_COLUMNS = (
    "code", "title", "priority", "objective", "service", "owner", "polarity", "unit",
    "frequency", "period", "actual", "actual_reason", "target", "annual_target", "status",
    "symbol", "colour", "severity", "rated", "variance", "variance_pct", "variance_note",
    "reading", "previous", "direction", "trend", "trend_values", "explanation",
    "reported_status", "reported_differs", "commentary", "baseline", "baseline_rank",
    "contract", "plans",
)


def due_period(reporting: Period, frequency: str) -> Period:
    """The latest period of ``frequency`` that has ended by the end of ``reporting``.

    >>> due_period(parse_period("Q1 2013/14"), "month").format()
    'Jun-13'
    >>> due_period(parse_period("Q1 2013/14"), "year").format()
    '2012/13'
    """
    candidate = parse_period(reporting.end, frequency)
    while candidate.end > reporting.end:
        candidate = candidate.previous()
    return candidate



def window_keys(reporting: Period, keys: Any, periods: int = 6) -> set[str]:
    """The period keys a score of ``reporting`` can look at, per frequency found in ``keys``
    (the ledger's keys, ``2013/14-Q2``): the due period, the ``periods`` before it (trend), the
    previous period and the same period last year. Values of other periods cannot change the
    scorecard, nor the change checks of a return for ``reporting``.

    >>> sorted(window_keys(parse_period("Q2 2013/14"), ["2013/14-Q1"], periods=1))
    ['2012/13-Q2', '2013/14-Q1', '2013/14-Q2']
    """
    frequencies = set()
    for key in keys:
        try:
            frequencies.add(parse_period(key).frequency)
        except (InputError, TypeError):
            continue
    wanted: set[str] = set()
    for frequency in frequencies:
        due = due_period(reporting, frequency)
        for offset in range(-periods, 1):
            wanted.add(due.shift(offset).format("iso"))
        wanted.add(due.same_period_last_year().format("iso"))
    return wanted

def _period_keys(periods: pd.Series) -> pd.Series:
    """Machine keys (``iso`` style) for a column of Period objects, formatting each once."""
    codes, uniques = pd.factorize(periods, use_na_sentinel=True)
    keys = np.array([u.format("iso") for u in uniques] + [None], dtype=object)
    return pd.Series(keys[codes], index=periods.index, dtype=object)


def _label_keys(labels: pd.Series) -> pd.Series:
    """``_period_keys(parse_periods(labels))`` with each distinct label parsed and formatted
    once (a ledger's values repeat a few periods thousands of times; hashing thousands of
    Period objects cost more than the parsing). The same errors: the sample keeps each
    label's first row, in order, so a bad one is named by its first row as before."""
    codes, _uniques = pd.factorize(labels, use_na_sentinel=True)
    codes = np.asarray(codes)
    found, first = np.unique(codes, return_index=True)  # -1 (missing) first, if any
    order = np.argsort(first, kind="stable")
    sample = labels.iloc[first[order]]
    keys = _period_keys(parse_periods(sample)).to_numpy()
    by_code = np.full(len(found) + 1, None, dtype=object)  # last slot: missing (code -1)
    known = found[order] >= 0
    by_code[found[order][known]] = keys[known]
    return pd.Series(by_code[codes], index=labels.index, dtype=object)


def _latest_values(values: pd.DataFrame) -> tuple[pd.DataFrame, dict[tuple[Any, Any], int]]:
    """Values with numbers parsed, and the row of each (code, period key): the last row
    winning (a dict, not a deduplicated MultiIndex: lookups go by position)."""
    frame = normalise_columns(values, VALUE_COLUMNS)
    for required in ("code", "period", "actual"):
        if required not in frame.columns:
            raise InputError(f"the values need a {required!r} column")
    codes = frame["code"].astype(str).to_numpy(dtype=object)
    # Trimmed cell by cell (missing stays missing): the string accessor cost more.
    codes = np.array([c.strip() if isinstance(c, str) else c for c in codes], dtype=object)
    out = pd.DataFrame({"code": codes}, index=frame.index)
    out["key"] = _label_keys(frame["period"]).to_numpy()
    parsed = parse_values(frame["actual"].astype(object)
                          if frame["actual"].dtype.kind not in "fiu" else frame["actual"])
    out["actual"] = parsed["number"].to_numpy()
    out["actual_reason"] = parsed["reason"].where(parsed["kind"] != "number", None).to_numpy()
    if "no_data_reason" in frame.columns:
        # A ledger keeps the reason beside an empty actual ("to be confirmed"): keep it.
        stated = frame["no_data_reason"].astype(object).where(frame["no_data_reason"].notna())
        out["actual_reason"] = np.where(pd.isna(out["actual"]) & stated.notna().to_numpy(),
                                        stated.to_numpy(), out["actual_reason"])
    for column in ("commentary", "reported_status", "target"):
        out[column] = frame[column].to_numpy() if column in frame.columns else None
    rows = {pair: i for i, pair in enumerate(zip(codes, out["key"].to_numpy(), strict=True))}
    return out, rows


def _rows(table: pd.DataFrame) -> dict[tuple[Any, Any], int]:
    """Position of each (code, key) of a table keyed by them (a unique index)."""
    return {pair: i for i, pair in enumerate(table.index)}


def _positions(rows: dict[tuple[Any, Any], int], codes: np.ndarray, keys: np.ndarray
               ) -> np.ndarray:
    """Row (:func:`_rows`) of each (code, key) pair, -1 when absent: found once per set of
    keys, then every column is taken with :func:`_lookup` (one reindex per column of a
    MultiIndex cost more than the scoring)."""
    return np.fromiter((rows.get(pair, -1) for pair in zip(codes, keys, strict=True)),
                       dtype=np.intp, count=len(codes))


def _lookup(table: pd.DataFrame, positions: np.ndarray, column: str) -> np.ndarray:
    """``table[column]`` at ``positions`` (:func:`_positions`), missing where -1: what
    ``reindex`` gives (NaN, an integer column promoted to float when one is missing)."""
    return take(table[column].to_numpy(), positions, allow_fill=True)


def score(
    values: pd.DataFrame,
    measures: pd.DataFrame,
    period: Any,
    *,
    targets: pd.DataFrame | None = None,
    schemes: Mapping[str, Scheme] | None = None,
    default_scheme: str = "rag",
    prepared: bool = False,
) -> pd.DataFrame:
    """Score every measure of the register for a reporting period.

    Returns one row per measure with :data:`SCORE_COLUMNS`: the register's details, the due
    period, actual and target, status (word, symbol, colour, severity), variance and variance %
    (with a note when the % is undefined), the better/worse reading, the previous value and the
    direction of travel, the six-period trend, a one-sentence explanation, the status the
    owner reported and whether it differs from the computed one, and the latest commentary as
    plain text. The inputs are not changed. ``prepared``: ``measures`` is already
    :func:`~xlperf.core.measures.prepare_measures`' result (a caller scoring one register
    several times prepares it once).

    >>> measures = pd.DataFrame({"Code": ["KIGS CH01"], "Polarity": ["Smaller is better"],
    ...     "Frequency": ["Quarterly"], "Annual target": [45.3], "Tolerance": [2]})
    >>> values = pd.DataFrame({"Code": ["KIGS CH01", "KIGS CH01"],
    ...     "Period": ["Q4 2012/13", "Q1 2013/14"], "Actual": [80.1, 91.54]})
    >>> row = score(values, measures, "Q1 2013/14").iloc[0]
    >>> row["status"], float(row["variance"]), row["direction"]
    ('Red', 46.24, 'Worsening ↓')
    """
    return score_periods(values, measures, [period], targets=targets, schemes=schemes,
                         default_scheme=default_scheme, prepared=prepared)[0]


def score_periods(
    values: pd.DataFrame,
    measures: pd.DataFrame,
    periods: Sequence[Any],
    *,
    targets: pd.DataFrame | None = None,
    schemes: Mapping[str, Scheme] | None = None,
    default_scheme: str = "rag",
    prepared: bool = False,
    full: int | None = None,
    known: Collection[tuple[str, str]] | None = None,
) -> list[pd.DataFrame]:
    """:func:`score` for each of several reporting periods, in order: the values are parsed,
    the register prepared and the targets read once for all of them (a report's history scores
    the register for a dozen periods). ``full``: how many of the periods, the first ones, get
    every column (default: all); the others get only ``code``, ``period``, ``frequency``,
    ``actual``, ``target``, ``status``, ``symbol``, ``colour``, ``severity`` and ``rated``
    (what a history prints; no direction, trend or explanation to work out).

    ``known``: (measure code, period key) pairs whose status the caller already has (the
    ledger's frozen statuses of past periods, which a report prints as published): in those
    statuses-only frames their rows are not rated. They keep ``actual``; ``target``,
    ``status``, ``symbol`` and ``colour`` are missing, ``severity`` 0 and ``rated`` false, for
    the caller to put the known ones over (:func:`xlperf.report.history_from_values`).

    >>> measures = pd.DataFrame({"Code": ["CC 01"], "Polarity": ["Bigger is better"],
    ...     "Frequency": ["Quarterly"], "Annual target": [90], "Tolerance": [3]})
    >>> values = pd.DataFrame({"Code": ["CC 01", "CC 01"],
    ...     "Period": ["Q1 2013/14", "Q2 2013/14"], "Actual": [83, 88.5]})
    >>> [f["status"].iloc[0] for f in score_periods(values, measures,
    ...                                            ["Q1 2013/14", "Q2 2013/14"])]
    ['Red', 'Amber']
    """
    reportings = [parse_period(period) for period in periods]
    register = measures if prepared else prepare_measures(measures)
    scheme = register["scheme"].where(register["scheme"] != "", default_scheme)
    table, rows = _latest_values(values)
    t_table = _target_table(targets)
    cut = len(reportings) if full is None else min(full, len(reportings))
    return [*(_score_one(table, rows, register, scheme, t_table, reporting, schemes)
              for reporting in reportings[:cut]),
            *_statuses(table, rows, register, scheme, t_table, reportings[cut:], schemes,
                       known)]


def _target_table(targets: pd.DataFrame | None) -> pd.DataFrame | None:
    """The Targets table keyed by (code, period key), the last row winning; None when empty."""
    if targets is None or not len(targets):
        return None
    t_frame = normalise_columns(targets, TARGET_COLUMNS)
    return pd.DataFrame({
        "code": t_frame["code"].astype(str).str.strip().to_numpy(),
        "key": _period_keys(parse_periods(t_frame["period"])).to_numpy(),
        "target": parse_values(t_frame["target"].astype(object))["number"].to_numpy(),
    }).drop_duplicates(["code", "key"], keep="last").set_index(["code", "key"])


class _Due(NamedTuple):
    """What one period's scoring looks up for every measure of the register."""

    frequency: np.ndarray        # code of each measure's frequency in ``due_periods``
    due_periods: list[Period]    # the due period of each frequency
    due_keys: np.ndarray
    at_due: np.ndarray           # row of each measure's value for its due period, -1: none
    actual: np.ndarray
    actual_reason: np.ndarray
    target: np.ndarray           # from the Targets table (NaN where it has none)
    given: np.ndarray            # the target given with the value, unparsed
    profiled: np.ndarray         # the annual target's profile for the due period

    def per_measure(self, values: list[Any]) -> np.ndarray:
        return np.array([*values, None], dtype=object)[self.frequency]


#: The reason a measure has no actual when no value was given for its due period at all.
NO_RETURN = "no return"


def with_reasons(scored: pd.DataFrame,
                 reasons: Mapping[tuple[str, str], str]) -> pd.DataFrame:
    """``scored`` with ``reasons`` (``(code, period key)`` -> the reason) as the
    ``actual_reason`` of each measure that has no actual for its due period and only
    :data:`NO_RETURN` to say why: what the scorer, which sees only the values given, cannot
    know (a figure its return gave but the validator rejected). Every other row stands.

    >>> rows = pd.DataFrame({"code": ["A", "B"], "period": ["Q2 2013/14"] * 2,
    ...                      "actual": [np.nan, np.nan], "actual_reason": [NO_RETURN, "n/a"]})
    >>> with_reasons(rows, {("A", "2013/14-Q2"): "figure rejected (PERF-009)",
    ...                     ("B", "2013/14-Q2"): "x"})["actual_reason"].tolist()
    ['figure rejected (PERF-009)', 'n/a']
    """
    if not reasons or scored.empty:
        return scored
    reason = scored["actual_reason"].to_numpy(dtype=object).copy()
    blank = np.flatnonzero(scored["actual"].isna().to_numpy() & (reason == NO_RETURN))
    if not len(blank):
        return scored
    from xlperf.core.periods import parse_periods

    codes = scored["code"].to_numpy(dtype=object)[blank]
    periods = parse_periods(scored["period"].iloc[blank], errors="coerce")
    for i, code, period in zip(blank.tolist(), codes.tolist(), periods.tolist(), strict=True):
        if period is not None:
            reason[i] = reasons.get((str(code), period.format("iso")), reason[i])
    return scored.assign(actual_reason=reason)


def _due(table: pd.DataFrame, rows: dict[tuple[Any, Any], int], register: pd.DataFrame,
         t_table: pd.DataFrame | None, reporting: Period) -> _Due:
    """The due period, actual and the three kinds of target of every measure for one period."""
    # Due period per measure: computed, and formatted, once per frequency.
    frequency, frequencies = pd.factorize(register["frequency"].to_numpy(dtype=object))
    due_periods = [due_period(reporting, f) for f in frequencies]
    due_keys = np.array([*(p.format("iso") for p in due_periods), None],
                        dtype=object)[frequency]
    code_values = register["code"].to_numpy(dtype=object)
    at_due = _positions(rows, code_values, due_keys)
    actual = _lookup(table, at_due, "actual")
    actual_reason = _lookup(table, at_due, "actual_reason")
    actual_reason = np.where(pd.isna(actual) & pd.isna(actual_reason), NO_RETURN,
                             actual_reason)
    # Target: the Targets table, then a target given with the value, then the annual profile.
    target = np.full(len(register), np.nan)
    if t_table is not None:
        target = _lookup(t_table, _positions(_rows(t_table), code_values, due_keys),
                         "target").astype(float)
    position = np.array([p.index for p in due_periods], dtype=np.int64)[frequency]
    per_year = np.array([p.periods_in_year for p in due_periods], dtype=np.int64)[frequency]
    profiled = period_targets(register["annual_target"].to_numpy(float), position, per_year,
                              register["cumulative"].to_numpy(bool))
    return _Due(frequency, due_periods, due_keys, at_due, actual, actual_reason, target,
                _lookup(table, at_due, "target"), profiled)


def _targets(target: np.ndarray, given: np.ndarray, profiled: np.ndarray) -> np.ndarray:
    """The Targets table's target, else the one given with the value, else the profile."""
    parsed = parse_values(pd.Series(given, dtype=object))["number"].to_numpy(dtype=float)
    target = np.where(np.isnan(target), parsed, target)
    return np.where(np.isnan(target), profiled, target)


def _rate_register(actual: np.ndarray, target: np.ndarray, register: pd.DataFrame,
                   scheme: pd.Series, schemes: Mapping[str, Scheme] | None,
                   times: int = 1, rows: np.ndarray | None = None) -> pd.DataFrame:
    """:func:`rate` of the register's measures, ``times`` periods of them end to end
    (``rows``: only those of the ``times`` periods' rows, a boolean mask)."""
    def column(values: np.ndarray) -> np.ndarray:
        values = values if times == 1 else np.tile(values, times)
        return values if rows is None else values[rows]

    return rate(actual, target, column(register["polarity"].to_numpy(object)),
                column(register["tolerance"].to_numpy(float)),
                column(register["tolerance_type"].to_numpy(object)),
                column(scheme.to_numpy(object)), schemes=schemes)


def _statuses(table: pd.DataFrame, rows: dict[tuple[Any, Any], int], register: pd.DataFrame,
              scheme: pd.Series, t_table: pd.DataFrame | None, reportings: list[Period],
              schemes: Mapping[str, Scheme] | None,
              known: Collection[tuple[str, str]] | None = None) -> list[pd.DataFrame]:
    """The statuses-only frames of :func:`score_periods` for several periods, rated in one
    :func:`rate` call over all of them end to end (each row is rated on its own, so the
    result is what one call per period gives, without its fixed cost each time); the rows of
    ``known`` pairs are not rated (:func:`score_periods`)."""
    if not reportings:
        return []
    dues = [_due(table, rows, register, t_table, r) for r in reportings]
    actual = np.concatenate([d.actual for d in dues]).astype(float)
    rating = None
    if known:
        codes = register["code"].to_numpy(dtype=object)
        rating = ~np.fromiter((pair in known for due in dues
                               for pair in zip(codes, due.due_keys, strict=True)),
                              dtype=bool, count=len(actual))

    def rated_rows(values: np.ndarray) -> np.ndarray:
        return values if rating is None else values[rating]

    target = _targets(rated_rows(np.concatenate([d.target for d in dues])),
                      rated_rows(np.concatenate([d.given for d in dues])),
                      rated_rows(np.concatenate([d.profiled for d in dues])))
    rated = _rate_register(rated_rows(actual), target, register, scheme, schemes,
                           times=len(dues), rows=rating)
    columns = {c: rated[c].to_numpy() for c in ("status", "symbol", "colour", "severity",
                                                 "rated")}
    if rating is not None:  # the known rows: missing, severity 0 and not rated
        target = _spread(target, rating, np.nan)
        columns = {c: _spread(values, rating, None if values.dtype == object else
                              values.dtype.type(0)) for c, values in columns.items()}
    n, frames = len(register), []
    for i, due in enumerate(dues):
        part = slice(i * n, (i + 1) * n)
        frames.append(pd.DataFrame({
            "code": register["code"].to_numpy(),
            "period": due.per_measure([p.format() for p in due.due_periods]),
            "frequency": register["frequency"].to_numpy(), "actual": actual[part],
            "target": target[part], **{c: values[part] for c, values in columns.items()}}))
    return frames


def _spread(values: np.ndarray, where: np.ndarray, fill: Any) -> np.ndarray:
    """``values`` put at the true places of the mask ``where``, ``fill`` elsewhere."""
    out = np.full(len(where), fill, dtype=values.dtype)
    out[where] = values
    return out


def _score_one(table: pd.DataFrame, rows: dict[tuple[Any, Any], int], register: pd.DataFrame,
               scheme: pd.Series, t_table: pd.DataFrame | None, reporting: Period,
               schemes: Mapping[str, Scheme] | None) -> pd.DataFrame:
    """:func:`score` for one period from the parsed values, register and targets."""
    due = _due(table, rows, register, t_table, reporting)
    due_periods, per_measure = due.due_periods, due.per_measure
    at_due, actual, actual_reason = due.at_due, due.actual, due.actual_reason
    # The comparison period, per (frequency, basis) pair: a handful of distinct pairs.
    pairs, pair_index = np.unique(
        np.stack([due.frequency.astype(object), register["dot_basis"].to_numpy(dtype=object)],
                 axis=1).astype(str), axis=0, return_inverse=True)
    compared = [comparison_period(due_periods[int(f)], basis) if int(f) >= 0 else None
                for f, basis in pairs]
    previous_keys = np.array([None if p is None else p.format("iso") for p in compared],
                             dtype=object)[np.asarray(pair_index).reshape(-1)]
    codes = register["code"]
    code_values = codes.to_numpy(dtype=object)
    target = _targets(due.target, due.given, due.profiled)

    rated = _rate_register(actual, target, register, scheme, schemes)
    reasons = np.array(actual_reason, dtype=object)
    reasons[~pd.isna(actual)] = None  # a reason only where there is no actual
    rated["actual_reason"] = reasons
    # The sentence says the figures as the Scorecard's row does: its unit, its decimals.
    units = register["unit"].to_numpy(dtype=object)
    annual = register["annual_target"].to_numpy(float)
    places = [measure_decimals(None if pd.isna(u) else str(u), a, t, y)
              for u, a, t, y in zip(units.tolist(), actual.tolist(), target.tolist(),
                                    annual.tolist(), strict=True)]
    explanation = explain_rated(rated, unit=["" if pd.isna(u) else str(u) for u in units],
                                decimals=places)

    variance = np.round(actual - target, 9)
    with np.errstate(divide="ignore", invalid="ignore"):
        variance_pct = np.where((target != 0) & ~np.isnan(target),
                                np.round(variance / np.abs(target) * 100, 9), np.nan)
    variance_note = np.full(len(register), None, dtype=object)
    variance_note[target == 0] = "target is 0"
    variance_note[np.isnan(target)] = "no target"
    variance_note[np.isnan(actual)] = "no actual"
    gap = rated["gap"].to_numpy()
    reading = np.full(len(register), None, dtype=object)
    reading[gap > 0], reading[gap < 0], reading[gap == 0] = "better", "worse", "on target"

    previous = _lookup(table, _positions(rows, code_values, previous_keys),
                       "actual").astype(float)
    direction = directions(actual, previous, register["polarity"].to_numpy(object),
                           register["dot_threshold"].to_numpy(float))

    # Six-period history ending at the due period.
    offsets = range(-(TREND_PERIODS - 1), 1)
    history = pd.DataFrame(index=register.index)
    for offset in offsets:
        at = at_due if offset == 0 else _positions(
            rows, code_values, per_measure([p.shift(offset).format("iso") for p in due_periods]))
        history[offset] = _lookup(table, at, "actual").astype(float)
    trend = trends(history, register["polarity"], register["dot_threshold"])

    reported = _lookup(table, at_due, "reported_status")
    reported_clean = pd.Series(
        [None if pd.isna(s) or str(s).strip() == "" else str(s).strip() for s in reported],
        dtype=object)
    differs = np.array([
        r is not None and r.casefold() != str(s).casefold()
        for r, s in zip(reported_clean, rated["status"], strict=True)
    ], dtype=bool)
    commentary = clean_commentaries(pd.Series(_lookup(table, at_due, "commentary"),
                                              dtype=object))

    result = pd.DataFrame({
        "code": codes.to_numpy(),
        "title": register["title"].to_numpy(),
        "priority": register["priority"].to_numpy(),
        "objective": register["objective"].to_numpy(),
        "service": register["service"].to_numpy(),
        "owner": register["owner"].to_numpy(),
        "polarity": register["polarity"].to_numpy(),
        "unit": register["unit"].to_numpy(),
        "frequency": register["frequency"].to_numpy(),
        "period": per_measure([p.format() for p in due_periods]),
        "actual": actual.astype(float),
        "actual_reason": rated["actual_reason"].to_numpy(),
        "target": target,
        "annual_target": register["annual_target"].to_numpy(float),
        "status": rated["status"].to_numpy(),
        "symbol": rated["symbol"].to_numpy(),
        "colour": rated["colour"].to_numpy(),
        "severity": rated["severity"].to_numpy(),
        "rated": rated["rated"].to_numpy(),
        "variance": variance,
        "variance_pct": variance_pct,
        "variance_note": variance_note,
        "reading": reading,
        "previous": previous,
        "direction": direction,
        "trend": trend["trend"].to_numpy(),
        "trend_values": trend["trend_values"].to_numpy(),
        "explanation": explanation.to_numpy(),
        "reported_status": reported_clean.to_numpy(),
        "reported_differs": differs,
        "commentary": commentary.to_numpy(),
        "baseline": register["baseline"].to_numpy(float),
        "baseline_rank": register["baseline_rank"].to_numpy(),
        "contract": register["contract"].to_numpy(bool),
        "plans": register["plans"].to_numpy(object),
    })
    return result
