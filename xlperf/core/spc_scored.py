"""Statistical process control for scored measures: each scored row's variation and assurance
at its period, from the history up to that period, and what a restatement moved.

:func:`spc_at` is what a refresh adds to :func:`xlperf.score`'s rows before their statuses are
frozen (docs/spc.md, docs/ledger.md): the chart of each measure is drawn from its values up to
and including the row's period (of the measure's own frequency), the period's target judged
against the limits. :func:`moved` says, in a sentence, how a restated figure moved the limits a
committee saw.

Pure: DataFrames in, DataFrames out, one :func:`~xlperf.core.spc.xmr` call for every row.

>>> import pandas as pd
>>> values = pd.DataFrame({"Code": "A", "Period": [f"Q{q} {y}/{str(y + 1)[2:]}"
...     for y in range(2010, 2014) for q in range(1, 5)][:15], "Actual": [
...     20, 24, 20, 26, 22, 16, 18, 16, 31, 28, 34, 26, 30, 19, 18]})
>>> rows = pd.DataFrame({"code": ["A"], "period": ["Q3 2013/14"], "target": [40.0]})
>>> measures = pd.DataFrame({"code": ["A"], "polarity": ["Bigger is better"]})
>>> found = spc_at(rows, values, measures).iloc[0]
>>> found["variation"], found["assurance"], round(float(found["spc_upper"]), 2)
('Common cause', 'Consistently failing', 37.64)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from xlperf.core._arrays import format_numbers
from xlperf.core.columns import VALUE_COLUMNS, normalise_columns
from xlperf.core.periods import Period, parse_periods
from xlperf.core.spc import SpcSettings, summarise, xmr

__all__ = ["PROCESS_ACTIONS", "SPC_FIELDS", "charts_at", "moved", "parse_process_action",
           "process_reasons", "spc_at", "spc_of_charts", "with_spc"]

#: What a row of the master's ``Process changes`` sheet does (docs/spc.md): ``rebase`` (the
#: limits start again from its period) or ``ghost`` (its point is left out of the limits).
PROCESS_ACTIONS = ("rebase", "ghost")
_ACTION_WORDS = {"rebase": "rebase", "re base": "rebase", "rebased": "rebase",
                 "recalculate": "rebase", "recalculation": "rebase", "ghost": "ghost",
                 "ghosted": "ghost", "exclude": "ghost", "excluded": "ghost"}


def parse_process_action(value: object) -> str:
    """``rebase`` or ``ghost`` from a ``Process changes`` row's Action (case, spaces and
    punctuation ignored; ``Recalculate`` and ``Exclude`` are MDC's words for them).

    >>> parse_process_action("Rebase"), parse_process_action(" ghosted ")
    ('rebase', 'ghost')
    """
    from xlperf.core.columns import fold
    from xlperf.errors import InputError

    found = _ACTION_WORDS.get(fold(value)) if isinstance(value, str) else None
    if found is None:
        raise InputError(f"action {value!r} is not Rebase or Ghost")
    return found

#: What is kept of each scored row's SPC (and frozen beside its status in the ledger).
SPC_FIELDS = ("variation", "variation_side", "variation_explanation", "assurance",
              "assurance_explanation", "spc_mean", "spc_lower", "spc_upper", "spc_points")

_PER_YEAR = {"month": 12, "quarter": 4, "year": 1}


def _periods(labels: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Frequency, sort rank, financial year and position of each label (parsed once each)."""
    codes, uniques = pd.factorize(labels.astype(object), use_na_sentinel=False)
    parsed: list[Period] = list(parse_periods(pd.Series(list(uniques), dtype=object)))
    ranks = {key: r for r, key in enumerate(sorted({p._sort_key() for p in parsed}))}
    frequency = np.array([p.frequency for p in parsed], dtype=object)[codes]
    rank = np.array([ranks[p._sort_key()] for p in parsed], dtype=np.int64)[codes]
    year = np.array([p.year for p in parsed], dtype=np.int64)[codes]
    index = np.array([p.index for p in parsed], dtype=np.int64)[codes]
    return frequency, rank, year, index


def _changes_of(joined: pd.DataFrame, changes: pd.DataFrame, frequency: np.ndarray,
                rank: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The ghost and rebase reason of each joined point (``None`` where there is none):
    :func:`process_reasons` over the master's changes, their periods' ``frequency`` and
    ``rank`` worked out with the points'."""
    if not len(joined) or changes.empty:
        none = np.full(len(joined), None, dtype=object)
        return none, none.copy()
    table = pd.DataFrame({
        "code": changes["code"].astype(str).str.strip().to_numpy(dtype=object),
        "frequency": frequency, "from": rank,
        "action": changes["action"].astype(str).str.strip().str.lower().to_numpy(dtype=object),
        "reason": changes["reason"].astype(object).fillna("").astype(str).to_numpy(
            dtype=object)})
    return process_reasons(joined[["row", "code", "frequency", "rank"]], table)


def process_reasons(points: pd.DataFrame, table: pd.DataFrame
                    ) -> tuple[np.ndarray, np.ndarray]:
    """The ghost and rebase reason of each point (``None`` where there is none), one
    decision for the refresh's charts and the validator's ``PERF-014``.

    ``points``: ``row`` (its chart), ``code``, ``frequency`` and ``rank`` (any number that
    orders the periods of one frequency); ``table``: the master's changes, ``code``,
    ``frequency``, ``from`` (their period's rank on the same scale), ``action`` (``ghost`` or
    ``rebase``) and ``reason``. A ghost is its period's point; a rebase is at each chart's
    first point at or after its period (a rebase at a period with no value starts the new
    segment at the next value).

    >>> points = pd.DataFrame({"row": 0, "code": "A", "frequency": "month",
    ...                        "rank": [1, 2, 4, 5]})
    >>> table = pd.DataFrame({"code": "A", "frequency": "month", "from": [2, 3],
    ...                       "action": ["ghost", "rebase"], "reason": ["Outage", "New"]})
    >>> [list(r) for r in process_reasons(points, table)]
    [[None, 'Outage', None, None], [None, None, 'New', None]]
    """
    count = len(points)
    ghost = np.full(count, None, dtype=object)
    rebase = np.full(count, None, dtype=object)
    points = points[["row", "code", "frequency", "rank"]].reset_index(drop=True).assign(
        at=np.arange(count))
    ghosts = table[table["action"] == "ghost"].drop_duplicates(["code", "frequency", "from"])
    if len(ghosts):
        hit = points.merge(ghosts, left_on=["code", "frequency", "rank"],
                           right_on=["code", "frequency", "from"])
        ghost[hit["at"].to_numpy(dtype=np.int64)] = hit["reason"].to_numpy(dtype=object)
    rebases = table[table["action"] == "rebase"]
    if len(rebases):
        after = points.merge(rebases, on=["code", "frequency"])
        after = after[after["rank"] >= after["from"]]
        # Each chart's first point at or after each rebase (two rebases may meet at one).
        first = after.sort_values(["rank"], kind="stable").drop_duplicates(["row", "from"])
        reasons = first.groupby("at", sort=True)["reason"].agg("; ".join)
        rebase[reasons.index.to_numpy(dtype=np.int64)] = reasons.to_numpy(dtype=object)
    return ghost, rebase


def _readable(period: object) -> bool:
    from xlperf.errors import XlperfError

    try:
        parse_periods(pd.Series([period], dtype=object))
    except (XlperfError, TypeError, ValueError):
        return False
    return True


def _profiles(targets: pd.DataFrame | None) -> pd.DataFrame | None:
    """The Targets sheet's rows with a code, a target and a readable period (``code``,
    ``period``, ``target``); None when there are none. A period the reader already queried
    is left out."""
    if targets is None or not len(targets):
        return None
    frame = normalise_columns(targets, {k: VALUE_COLUMNS[k] for k in ("code", "period")}
                              | {"target": ("target",)})
    if not {"code", "period", "target"} <= set(frame.columns):
        return None
    texts = frame["period"].astype(object)
    readable = {t: t is not None and _readable(t) for t in dict.fromkeys(texts)}
    frame = frame[texts.map(readable).to_numpy(dtype=bool) & frame["period"].notna().to_numpy()]
    return frame if len(frame) else None


def _charted(rows: pd.DataFrame, values: pd.DataFrame, measures: pd.DataFrame,
             changes: pd.DataFrame | None = None, targets: pd.DataFrame | None = None
             ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The long frame and the measures table :func:`~xlperf.core.spc.xmr` takes for ``rows``:
    one chart per row, its ``code`` the row's position as text. ``changes``: the master's
    rebases and ghosts (``code``, ``period``, ``action``, ``reason``); ``targets``: its
    Targets sheet (``Code``, ``Period``, ``Target``), a cumulative measure's profiled target
    of an earlier period (else the annual target's straight line)."""
    n = len(rows)
    values = normalise_columns(values, {k: VALUE_COLUMNS[k] for k in ("code", "period",
                                                                     "actual")})
    values = values[values["period"].notna().to_numpy()]
    changes = changes if changes is not None and len(changes) else None
    targets = _profiles(targets)
    nc = len(changes) if changes is not None else 0
    row_codes = rows["code"].astype(str).str.strip().to_numpy(dtype=object)
    nv = len(values)
    both = pd.concat([rows["period"].astype(object), values["period"].astype(object),
                      *([changes["period"].astype(object)] if changes is not None else []),
                      *([targets["period"].astype(object)] if targets is not None else [])],
                     ignore_index=True)
    frequency, rank, year, index = _periods(both)
    row_frequency, row_rank = frequency[:n], rank[:n]
    v_frequency, v_rank = frequency[n:n + nv], rank[n:n + nv]
    v_year, v_index = year[n:n + nv], index[n:n + nv]
    v_codes = values["code"].astype(str).str.strip().to_numpy(dtype=object)

    # Each row's points: its measure's values of its frequency up to its period.
    left = pd.DataFrame({"row": np.arange(n), "code": row_codes, "frequency": row_frequency,
                         "upto": row_rank})
    right = pd.DataFrame({"code": v_codes, "frequency": v_frequency, "rank": v_rank,
                          "year": v_year, "index": v_index, "at": np.arange(len(values))})
    joined = left.merge(right, on=["code", "frequency"], how="left")
    joined = joined[joined["at"].notna() & (joined["rank"] <= joined["upto"])]
    at = joined["at"].to_numpy(dtype=np.int64)
    row_of = joined["row"].to_numpy(dtype=np.int64)
    # The row's own period carries its target, whether or not it has a value.
    has_own = (joined["rank"] == joined["upto"]).to_numpy()
    register = measures.drop_duplicates("code", keep="last").set_index(
        measures.drop_duplicates("code", keep="last")["code"].astype(str).str.strip())
    cumulative = (register["cumulative"].reindex(row_codes).fillna(False).astype(bool)
                  .to_numpy() if "cumulative" in register.columns else np.zeros(n, dtype=bool))
    annual = (pd.to_numeric(register["annual_target"].reindex(row_codes), errors="coerce")
              .to_numpy(float) if "annual_target" in register.columns
              else np.full(n, np.nan))
    target_of_row = pd.to_numeric(rows["target"], errors="coerce").to_numpy(float) \
        if "target" in rows.columns else np.full(n, np.nan)
    per_year = np.array([_PER_YEAR[f] for f in v_frequency[at]], dtype=np.int64) \
        if len(at) else np.zeros(0, dtype=np.int64)
    position = v_index[at]
    profiled = np.where(cumulative[row_of],
                        np.round(annual[row_of] * position / np.maximum(per_year, 1), 9), np.nan)
    if targets is not None:  # the Targets sheet's own profile, where it has the period
        sheet = pd.DataFrame({
            "code": targets["code"].astype(str).str.strip().to_numpy(dtype=object),
            "frequency": frequency[n + nv + nc:], "rank": rank[n + nv + nc:],
            "sheet": pd.to_numeric(targets["target"], errors="coerce").to_numpy(float)}
        ).drop_duplicates(["code", "frequency", "rank"], keep="last")
        found = joined[["code", "frequency", "rank"]].merge(sheet, how="left")["sheet"]
        found = found.to_numpy(float)
        profiled = np.where(cumulative[row_of] & ~np.isnan(found), found, profiled)
    targets_of = np.where(has_own, target_of_row[row_of], profiled)
    # Rows whose own period has no value yet: add the period so its target is there.
    missing = np.setdiff1d(np.arange(n), row_of[has_own])
    labels = values["period"].astype(object).to_numpy()[at]
    # As given (xmr reads cells such as 68% or TBC as the core's value parser does).
    chart_values = values["actual"].to_numpy(dtype=object)[at]
    frame = pd.DataFrame({
        "code": np.concatenate([row_of, missing]).astype(str),
        "period": np.concatenate([labels, rows["period"].astype(object).to_numpy()[missing]]),
        "value": np.concatenate([chart_values, np.full(len(missing), None, dtype=object)]),
        "target": np.concatenate([targets_of, target_of_row[missing]]),
    })
    if changes is not None:
        ghost, rebase = _changes_of(joined, changes, frequency[n + nv:n + nv + nc],
                                    rank[n + nv:n + nv + nc])
        none = np.full(len(missing), None, dtype=object)
        frame["ghost"] = np.concatenate([ghost, none])
        frame["rebase"] = np.concatenate([rebase, none])
    table = pd.DataFrame({"code": np.arange(n).astype(str), "cumulative": cumulative})
    for column in register.columns:
        if column == "polarity" or column in SPC_SETTING_COLUMNS:
            table[column] = register[column].reindex(row_codes).to_numpy()
    if "polarity" not in table.columns:
        table["polarity"] = "Data only"
    table["polarity"] = table["polarity"].where(table["polarity"].notna(), "Data only")
    return frame, table


def spc_at(rows: pd.DataFrame, values: pd.DataFrame, measures: pd.DataFrame,
           settings: SpcSettings | None = None, changes: pd.DataFrame | None = None,
           targets: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each row's variation and assurance at its period: :data:`SPC_FIELDS`, in ``rows``'
    order and index.

    ``rows``: ``code``, ``period`` (a scored row's due period, ``Q2 2013/14`` or ``Sep-13``)
    and ``target`` (the period's target: a profiled target is the period's own). ``values``:
    the ledger's values in use (``Code``, ``Period``, ``Actual``); a measure's chart is its
    values of the row's frequency up to and including the row's period. ``measures``: the
    register (``code``, ``polarity``, optionally ``cumulative`` and ``annual_target``, any
    per-measure SPC setting). A cumulative measure is charted on its increments, and the
    target of the period before is the master's ``targets`` (its Targets sheet) for that
    period, else profiled from the annual target (straight line), to make the target's
    increment. ``changes``: the master's rebases and ghosted points
    (:attr:`~xlperf.read.master.Master.spc_changes`: ``code``, ``period``, ``action``
    ``rebase`` or ``ghost``, ``reason``).
    """
    out = pd.DataFrame(index=rows.index, columns=list(SPC_FIELDS), dtype=object)
    for column in ("spc_mean", "spc_lower", "spc_upper"):
        out[column] = np.nan
    out["spc_points"] = 0
    if rows.empty:
        return out
    frame, table = _charted(rows, values, measures, changes, targets)
    return spc_of_charts(rows, xmr(frame, table, settings))


def with_spc(scored: pd.DataFrame, values: pd.DataFrame, measures: pd.DataFrame,
             settings: SpcSettings | None = None, changes: pd.DataFrame | None = None,
             targets: pd.DataFrame | None = None) -> pd.DataFrame:
    """``scored`` (:func:`xlperf.score`'s rows) with :func:`spc_at`'s columns beside them
    (``changes`` as there): what is frozen with each status. The one call of a refresh and of
    ``import-history`` (:func:`xlperf.ledger._history.freeze_imported`), so both freeze the
    same SPC."""
    return pd.concat([scored, spc_at(scored, values, measures, settings, changes, targets)],
                     axis=1)


def spc_of_charts(rows: pd.DataFrame, chart: pd.DataFrame) -> pd.DataFrame:
    """:func:`spc_at` from the charts already drawn (:func:`charts_at`'s, or
    :func:`~xlperf.core.spc.xmr`'s of :func:`_charted`), so a caller that draws the charts
    does not work them out twice."""
    out = pd.DataFrame(index=rows.index, columns=list(SPC_FIELDS), dtype=object)
    for column in ("spc_mean", "spc_lower", "spc_upper"):
        out[column] = np.nan
    out["spc_points"] = 0
    if rows.empty or chart.empty:
        return out
    if "row" in chart.columns:
        chart = chart.assign(code=chart["row"].astype(str))
    summary = summarise(chart)
    where = summary["code"].astype(int).to_numpy()
    put = rows.index[where]
    out.loc[put, "variation"] = summary["variation"].astype(str).to_numpy()
    out.loc[put, "variation_side"] = summary["side"].to_numpy()
    out.loc[put, "variation_explanation"] = summary["variation_explanation"].to_numpy()
    out.loc[put, "assurance"] = summary["assurance"].astype(str).to_numpy()
    out.loc[put, "assurance_explanation"] = summary["assurance_explanation"].to_numpy()
    limited = ~np.isnan(summary["upper"].to_numpy(float))
    out.loc[put, "spc_mean"] = summary["mean"].to_numpy(float)
    out.loc[put, "spc_lower"] = np.where(limited, summary["lower"].to_numpy(float), np.nan)
    out.loc[put, "spc_upper"] = summary["upper"].to_numpy(float)
    out.loc[put, "spc_points"] = summary["points"].to_numpy()
    for column in ("spc_mean", "spc_lower", "spc_upper"):
        out[column] = out[column].astype(float)
    out["spc_points"] = out["spc_points"].fillna(0).astype(np.int64)
    return out


def charts_at(rows: pd.DataFrame, values: pd.DataFrame, measures: pd.DataFrame,
              settings: SpcSettings | None = None, changes: pd.DataFrame | None = None,
              targets: pd.DataFrame | None = None) -> pd.DataFrame:
    """The XmR chart of each row (as :func:`spc_at` draws it, ``changes`` as there):
    :func:`~xlperf.core.spc.xmr`'s rows, ``code`` the row's measure, ``row`` its position in
    ``rows``, in period order.

    >>> import pandas as pd
    >>> chart = charts_at(pd.DataFrame({"code": ["A"], "period": ["Q3 2011/12"], "target": [9]}),
    ...     pd.DataFrame({"Code": "A", "Period": ["Q1 2011/12", "Q2 2011/12", "Q3 2011/12",
    ...                   "Q4 2011/12"], "Actual": [5, 8, 6, 7]}),
    ...     pd.DataFrame({"code": ["A"], "polarity": ["Bigger is better"]}))
    >>> chart["period_text"].tolist(), chart["limited"].any()
    (['Q1 2011/12', 'Q2 2011/12', 'Q3 2011/12'], np.False_)
    """
    if rows.empty:
        return xmr(pd.DataFrame({"code": [], "period": [], "value": []}), None, settings
                   ).assign(row=pd.Series(dtype=np.int64))
    frame, table = _charted(rows, values, measures, changes, targets)
    chart = xmr(frame, table, settings)
    row = chart["code"].astype(int).to_numpy()
    chart["row"] = row
    chart["code"] = rows["code"].astype(str).str.strip().to_numpy(dtype=object)[row]
    return chart


# Per-measure SPC settings a register may carry (docs/spc.md).
SPC_SETTING_COLUMNS = ("minimum_points", "minimum_segment_points", "run_length", "trend_length",
                        "screen_moving_ranges")


def _number(value: Any) -> str:
    return str(format_numbers(np.array([value], dtype=float))[0])


def moved(restated: Sequence[str], before: tuple[float, float, float],
          after: tuple[float, float, float]) -> str:
    """A sentence saying how restated figures moved a chart's mean and limits (``before``
    and ``after`` are ``(mean, lower, upper)``; NaN where there were no limits).

    >>> moved(["Q1 2013/14"], (12.1, 5.0, 19.2), (12.8, 5.0, 19.2))
    "Q1 2013/14's restated figure raised the mean from 12.1 to 12.8"
    >>> moved(["Q1 2013/14", "Q2 2013/14"], (12.1, 5.0, 19.2), (11.5, 4.0, 19.0))
    'the restated figures of Q1 2013/14 and Q2 2013/14 lowered the mean from 12.1 to 11.5 and \
moved the process limits from 5 to 19.2 to 4 to 19'
    """
    names = list(dict.fromkeys(restated))
    if len(names) == 1:
        who = f"{names[0]}'s restated figure"
    elif names:
        who = f"the restated figures of {', '.join(names[:-1])} and {names[-1]}"
    else:
        who = "the restated figures"
    parts = []
    old_mean, new_mean = before[0], after[0]
    if _number(old_mean) != _number(new_mean) and not (np.isnan(old_mean) and np.isnan(new_mean)):
        if np.isnan(old_mean) or np.isnan(new_mean):
            parts.append(f"changed the mean from {_number(old_mean)} to {_number(new_mean)}")
        else:
            way = "raised" if new_mean > old_mean else "lowered"
            parts.append(f"{way} the mean from {_number(old_mean)} to {_number(new_mean)}")
    old_limits = (_number(before[1]), _number(before[2]))
    new_limits = (_number(after[1]), _number(after[2]))
    if old_limits != new_limits:
        said = [f"{lo} to {hi}" if hi != "" else "none" for lo, hi in (old_limits, new_limits)]
        parts.append(f"moved the process limits from {said[0]} to {said[1]}")
    return f"{who} " + (" and ".join(parts) if parts else "left the mean and limits as they were")
