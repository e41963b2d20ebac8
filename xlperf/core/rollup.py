"""Roll-ups: counts by status per objective, priority or service, and an overall judgement.

The judgement (``On Track`` / ``At Risk`` / ``Off Track``) is made from the *rated* measures
(those with a band: not Data only, No data or No target) by :class:`RollupRule`:

1. **Off Track** when at least ``off_track_share`` (default 75%) of rated measures are beyond
   tolerance (severity 2: Red, Red diamond, Below tolerance);
2. **At Risk** when any rated measure is beyond tolerance, or at least ``at_risk_share``
   (default 50%) are worse than target but within it (severity 1: Amber, lower half);
3. **On Track** otherwise.
An objective with no rated measure is given ``unrated`` (default ``On Track``, as the Doncaster
corporate plan report prints it; set it to ``Not rated`` to make the gap visible).

With the defaults, the Doncaster Q1 2013/14 report's objectives come out as printed: P2 Obj 1
(2 Red of 5 rated) At Risk, P2 Obj 2 (2 Red of 3) At Risk, P2 Obj 5 (1 Amber of 4) On Track.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from xlperf.core.schemes import BUILTIN_SCHEMES, MISSED, NEAR, SPECIAL_STATUSES, Scheme
from xlperf.findings import StatusSeverity

ON_TRACK, AT_RISK, OFF_TRACK = "On Track", "At Risk", "Off Track"
JUDGEMENTS = (ON_TRACK, AT_RISK, OFF_TRACK)


@dataclass(frozen=True)
class RollupRule:
    """The thresholds of the overall judgement (shares of rated measures, 0 to 1)."""

    off_track_share: float = 0.75
    at_risk_share: float = 0.5
    unrated: str = ON_TRACK


DEFAULT_RULE = RollupRule()


def severity_table(schemes: Mapping[str, Scheme] | None = None) -> dict[str, tuple[int, bool]]:
    """Status word (case-folded) -> (severity, rated) over every known scheme."""
    table: dict[str, tuple[int, bool]] = {}
    for scheme in (*BUILTIN_SCHEMES.values(), *(schemes or {}).values()):
        for band in scheme.bands:
            table[band.label.casefold()] = (band.severity, True)
    for special in SPECIAL_STATUSES:
        table[special.label.casefold()] = (special.severity, False)
    return table


def judge(severity: np.ndarray, rated: np.ndarray, rule: RollupRule = DEFAULT_RULE) -> str:
    """The judgement of one group from its measures' severities and rated flags."""
    severity, rated = np.asarray(severity), np.asarray(rated, dtype=bool)
    n = int(rated.sum())
    if n == 0:
        return rule.unrated
    missed = int(((severity == MISSED) & rated).sum())
    near = int(((severity == NEAR) & rated).sum())
    if missed / n >= rule.off_track_share:
        return OFF_TRACK
    if missed > 0 or near / n >= rule.at_risk_share:
        return AT_RISK
    return ON_TRACK


def objective_status(statuses: Iterable[object], rule: RollupRule = DEFAULT_RULE,
                     schemes: Mapping[str, Scheme] | None = None) -> str:
    """The judgement of a list of status words (blanks ignored; unknown words are not rated).

    >>> objective_status(["Unknown", "Green", "Red", "Green", "Red", "Amber"])
    'At Risk'
    >>> objective_status(["Green", "Green", "Amber", "Green"])
    'On Track'
    """
    table = severity_table(schemes)
    pairs = [table.get(str(s).strip().casefold(), (0, False)) for s in statuses
             if s is not None and str(s).strip() not in ("", "nan")]
    if not pairs:
        return rule.unrated
    severity, rated = zip(*pairs, strict=True)
    return judge(np.array(severity), np.array(rated), rule)


def rollup(scored: pd.DataFrame, by: str | Sequence[str] = "objective",
           rule: RollupRule = DEFAULT_RULE) -> pd.DataFrame:
    """Counts by status per group and the overall judgement.

    ``scored`` is :func:`~xlperf.core.score.score`'s result (``status``, ``severity``,
    ``rated``). Returns one row per group (in order of first appearance): the group columns,
    ``measures``, ``rated``, ``met``, ``near``, ``missed``, one count column per status word
    present (sorted), and ``judgement``.

    >>> scored = pd.DataFrame({"objective": ["A", "A", "B"], "status": ["Red", "Green", "Green"],
    ...                        "severity": [2, 0, 0], "rated": [True, True, True]})
    >>> rollup(scored)[["objective", "measures", "Green", "Red", "judgement"]].values.tolist()
    [['A', 2, 1, 1, 'At Risk'], ['B', 1, 1, 0, 'On Track']]
    """
    keys = [by] if isinstance(by, str) else list(by)
    # One factorised pass (group codes, bincounts): a groupby aggregate and a crosstab cost
    # 30 ms on a handful of rows, and the refresh and the report roll up several times.
    columns = {}
    for key in keys:
        column = scored[key].astype(object)
        columns[key] = column.where(column.notna(), "").to_numpy(dtype=object)
    if len(keys) == 1:
        codes, first = pd.factorize(columns[keys[0]], use_na_sentinel=False)
        groups = {keys[0]: np.asarray(first, dtype=object)}
    else:
        index = pd.MultiIndex.from_arrays([columns[k] for k in keys])
        codes, first = pd.factorize(index, use_na_sentinel=False)
        groups = {k: np.asarray(first.get_level_values(i), dtype=object)
                  for i, k in enumerate(keys)}
    size = len(groups[keys[0]])
    codes = np.asarray(codes, dtype=np.intp)
    rated_rows = scored["rated"].to_numpy()
    severity = scored["severity"].to_numpy()

    def count(where: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(codes, weights=None if where is None else where.astype(np.int64),
                           minlength=size).astype(np.int64)

    rated = count(rated_rows)
    summary = pd.DataFrame({
        **groups, "measures": count(), "rated": rated,
        "met": count(rated_rows & (severity == StatusSeverity.ON_TARGET)),
        "near": count(rated_rows & (severity == NEAR)),
        "missed": count(rated_rows & (severity == MISSED))})
    status = scored["status"]
    present = status.notna().to_numpy()
    words, word_codes = _sorted_words(status[present])
    if len(words):
        flat = np.bincount(codes[present] * len(words) + word_codes,
                           minlength=size * len(words)).reshape(size, len(words))
        summary = pd.concat([summary, pd.DataFrame(flat.astype(np.int64),
                                                   columns=[str(w) for w in words])], axis=1)
    missed = summary["missed"].to_numpy()
    missed_share = np.divide(missed, rated, out=np.zeros(size), where=rated > 0)
    near_share = np.divide(summary["near"].to_numpy(), rated, out=np.zeros(size),
                           where=rated > 0)
    judgement = np.where(
        missed_share >= rule.off_track_share, OFF_TRACK,
        np.where((missed > 0) | (near_share >= rule.at_risk_share), AT_RISK,
                 ON_TRACK)).astype(object)
    judgement[rated == 0] = rule.unrated
    summary["judgement"] = judgement
    return summary


def _sorted_words(status: pd.Series) -> tuple[list[object], np.ndarray]:
    """The distinct status words, sorted (as a crosstab heads its columns), and each row's
    position among them."""
    codes, uniques = pd.factorize(status, sort=True)
    return list(uniques), np.asarray(codes, dtype=np.intp)


def status_severities(statuses: Iterable[object],
                      schemes: Mapping[str, Scheme] | None = None
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vectorised look-up of status words: ``(severity, rated, present)`` arrays.

    ``present`` is False for blank cells; a word no scheme knows is present but not rated (as
    in :func:`objective_status`). Each distinct word is looked up once.

    >>> severity, rated, present = status_severities(["Red", "green", None, "Unknown"])
    >>> severity.tolist(), rated.tolist(), present.tolist()
    ([2, 0, 0, 0], [True, True, False, False], [True, True, False, True])
    """
    words = pd.Series(list(statuses) if not isinstance(statuses, pd.Series) else statuses,
                      dtype=object)
    keys = words.where(words.notna(), "").astype(str).str.strip().str.casefold()
    codes, uniques = pd.factorize(keys, use_na_sentinel=False)
    table = severity_table(schemes)
    found = [table.get(u, (0, False)) for u in uniques]
    severity = np.array([f[0] for f in found], dtype=np.int8)[codes] if len(found) else (
        np.zeros(0, dtype=np.int8))
    rated = np.array([f[1] for f in found], dtype=bool)[codes] if len(found) else (
        np.zeros(0, dtype=bool))
    present = ~np.isin(np.asarray(keys, dtype=object), ["", "nan"])
    return severity, rated & present, present


def judge_statuses(statuses: Iterable[object], rule: RollupRule = DEFAULT_RULE,
                   schemes: Mapping[str, Scheme] | None = None) -> str:
    """:func:`objective_status` computed with :func:`status_severities` (no per-word loop).

    >>> judge_statuses(["Unknown", "Green", "Red", "Green", "Red", "Amber"])
    'At Risk'
    """
    severity, rated, present = status_severities(statuses, schemes)
    if not present.any():
        return rule.unrated
    return judge(severity, rated, rule)


def count_statuses(statuses: Iterable[object], wanted: Iterable[object]) -> np.ndarray:
    """How many of ``statuses`` are each word of ``wanted`` (case and spaces ignored).

    >>> count_statuses(["Red", "green ", "Green", None], ["Green", "Red", "Amber"]).tolist()
    [2, 1, 0]
    """
    def keys(values: Iterable[object]) -> pd.Series:
        series = pd.Series(list(values) if not isinstance(values, pd.Series) else values,
                           dtype=object)
        return series.where(series.notna(), "").astype(str).str.strip().str.casefold()

    counts = keys(statuses).value_counts()
    counts = counts[counts.index != ""]
    return keys(wanted).map(counts).fillna(0).astype(int).to_numpy()


IMPROVING, WORSENING, NO_CHANGE, NO_COMPARISON = (
    "Improving ↑", "Worsening ↓", "No change", "No comparison")


def objective_direction(met_now: object, rated_now: object, met_last: object,
                        rated_last: object) -> np.ndarray:
    """Direction of travel of each objective: its share of rated measures on target this
    period against the last.

    The rule (docs/master.md, "Objectives"): a higher share on target than last period is
    **Improving**, a lower share **Worsening**, an equal share **No change**; an objective with
    no rated measure in either period has **No comparison**. Shares, not counts, so an
    objective that gains a measure is not "improving" for that alone.

    >>> objective_direction([3, 1, 2, 0], [4, 4, 4, 0], [2, 2, 2, 1], [4, 4, 4, 2]).tolist()
    ['Improving ↑', 'Worsening ↓', 'No change', 'No comparison']
    """
    met_n, rated_n = np.asarray(met_now, float), np.asarray(rated_now, float)
    met_l, rated_l = np.asarray(met_last, float), np.asarray(rated_last, float)
    comparable = (rated_n > 0) & (rated_l > 0)
    # cross-multiplied so equal shares compare equal exactly (no float division)
    now, last = met_n * np.where(comparable, rated_l, 1), met_l * np.where(comparable, rated_n, 1)
    return np.where(~comparable, NO_COMPARISON,
                    np.where(now > last, IMPROVING,
                             np.where(now < last, WORSENING, NO_CHANGE))).astype(object)


def objective_directions(now: pd.DataFrame, last: pd.DataFrame,
                         by: str | Sequence[str] = "objective") -> pd.Series:
    """:func:`objective_direction` of each group of :func:`rollup` ``now`` against the same
    group of ``last`` (a group absent last period has No comparison), aligned to ``now``."""
    keys = [by] if isinstance(by, str) else list(by)
    before = last.set_index(keys)[["met", "rated"]] if len(last) else pd.DataFrame(
        {"met": [], "rated": []})
    index = pd.MultiIndex.from_frame(now[keys]) if len(keys) > 1 else pd.Index(now[keys[0]])
    aligned = before.reindex(index).fillna(0)
    return pd.Series(objective_direction(now["met"], now["rated"], aligned["met"],
                                         aligned["rated"]), index=now.index, dtype=object)
