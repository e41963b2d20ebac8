"""The PERF checks against history: a year-to-date figure that went down (``PERF-013``), a
change from the last accepted value beyond the measure's plausibility (``PERF-014``), a value
a power of ten away from the usual (``PERF-015``).

History is what the ledger accepted before these returns (``previous``: the master's ledger
by default, :func:`xlperf.validate.facts._previous_of`), never the batch's own values.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from xlperf.core.columns import normalise_columns
from xlperf.core.figures import format_statistics
from xlperf.errors import XlperfError
from xlperf.validate._frames import _distinct, _num, _numbers, _period_keys, _start_and_year, _texts
from xlperf.validate.engine import Batch
from xlperf.validate.registry import check

__all__: list[str] = []


def _current(rows: pd.DataFrame) -> pd.DataFrame:
    starts, years = _start_and_year(rows["period_obj"])
    number = rows["Actual"].to_numpy()
    current = pd.DataFrame({"code": rows["Code"].to_numpy(), "start": starts, "year": years,
                            "value": number, "period": rows["period_text"].to_numpy(),
                            "pos": np.arange(len(rows)), "source": 1})
    return current[rows["rated_ok"].to_numpy() & ~np.isnan(number)
                   & current["start"].notna().to_numpy()]


def _past(rows: pd.DataFrame, previous: pd.DataFrame | None) -> pd.DataFrame | None:
    if previous is None or not len(previous):
        return None
    prev = normalise_columns(previous, {"code": ("code",), "period": ("period",),
                                        "actual": ("actual", "value")})
    if not {"code", "period", "actual"} <= set(prev.columns):
        return None
    texts = pd.Series(_texts(prev["period"].to_numpy(dtype=object)), index=prev.index,
                      dtype=object)
    past_keys, objs = _period_keys(texts)
    past_starts, past_years = _start_and_year(objs)
    past_codes = _texts(prev["code"].to_numpy(dtype=object))
    past = pd.DataFrame({"code": past_codes, "start": past_starts, "year": past_years,
                         "value": _numbers(prev["actual"]), "period": texts.to_numpy(),
                         "pos": -1, "source": 0})
    # History is what was known before these returns: a value of a measure and period the
    # batch itself holds (recorded by an earlier refresh of the same return) is not its own
    # past, so a second refresh of unchanged returns finds the same.
    own = pd.MultiIndex.from_arrays([past_codes, past_keys.to_numpy(dtype=object)]).isin(
        pd.MultiIndex.from_arrays([rows["Code"].to_numpy(dtype=object),
                                   rows["period_key"].to_numpy(dtype=object)]))
    return past[past["start"].notna() & ~np.isnan(past["value"]) & ~own]


def _history(rows: pd.DataFrame, batch: Batch) -> dict[str, Any]:
    """The current and past values, and each current value's last accepted one (worked out
    once for the three checks)."""
    if "history" in batch.context:
        return batch.context["history"]
    current, past = _current(rows), _past(rows, batch.previous)
    last = None
    if past is not None and len(past) and len(current):
        last = pd.merge_asof(current.sort_values("start"), past.sort_values("start")[
            ["code", "start", "value", "period"]].rename(columns={
                "value": "prev_value", "period": "prev_period"}),
            on="start", by="code", allow_exact_matches=False)
        last = last[last["prev_value"].notna()]
        value, prev_value = last["value"].to_numpy(), last["prev_value"].to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            order = np.log10(np.abs(value) / np.abs(prev_value))
            nearest = np.round(order)
            factor_hit = (np.abs(nearest) >= 1) & (np.abs(order - nearest) < 0.15) & \
                (np.abs(prev_value) > 0) & np.isfinite(order)
        last = last.assign(nearest=nearest, factor_hit=factor_hit)
    batch.context["history"] = found = {"current": current, "past": past, "last": last}
    return found


@check("PERF-013", needs=("Code", "Actual", "period_obj", "cumulative", "rated_ok"),
       cell="Actual", value="Actual")
def year_to_date_down(rows: pd.DataFrame, batch: Batch) -> pd.DataFrame:
    """A cumulative (year-to-date) figure below the latest earlier one of the same year.
    Only the codes of cumulative measures are looked at (cumulative is a property of the
    code)."""
    history = _history(rows, batch)
    current, past = history["current"], history["past"]
    cumulative = rows["cumulative"].to_numpy(dtype=bool)
    cum_codes = set(rows["Code"].to_numpy(dtype=object)[cumulative].tolist())
    empty = pd.DataFrame(columns=["previous", "previous_period"])
    if not cum_codes:
        return empty
    both = pd.concat([p[p["code"].isin(cum_codes)] for p in (past, current)
                      if p is not None], ignore_index=True)
    both = both.sort_values(["code", "start", "source"], kind="stable")
    before = both.groupby("code", sort=False).shift(1)
    ytd = both[(both["source"] == 1) & before["value"].notna()
               & (before["year"] == both["year"]) & (both["value"] < before["value"])]
    pos = ytd["pos"].to_numpy(dtype=np.int64)
    keep = cumulative[pos]
    return pd.DataFrame({
        "previous": [_num(v) for v in before.loc[ytd.index, "value"].to_numpy()[keep]],
        "previous_period": before.loc[ytd.index, "period"].to_numpy(dtype=object)[keep]},
        index=rows.index[pos[keep]])


@check("PERF-014", needs=("Code", "Actual", "period_obj", "plausibility", "rated_ok",
                          "cumulative"), cell="Actual", value="Actual")
def implausible_change(rows: pd.DataFrame, batch: Batch) -> pd.DataFrame:
    """A value outside its measure's process limits, worked out from its accepted history
    (:func:`xlperf.core.spc.against_history`, with the master's SPC settings; docs/spc.md).
    With too few accepted values for limits (the ``SPC minimum points`` setting), or a
    ``Plausibility`` threshold the council set for the measure, a change from the last
    accepted value beyond that threshold (default: half the last value, at least 1). A
    cumulative measure is judged on its per-period increments both ways, never on its
    running total. A power-of-ten change is ``PERF-015``'s instead."""
    empty = pd.DataFrame(columns=["reason"])
    history = _history(rows, batch)
    judged = _judged(rows, batch, history["current"], history["past"])
    if judged is None:
        return empty
    positions = judged["pos"].to_numpy(dtype=np.int64)
    factor_hit = np.zeros(len(rows), dtype=bool)
    last = history["last"]
    if last is not None:
        factor_hit[last["pos"].to_numpy(dtype=np.int64)] = last["factor_hit"].to_numpy(bool)
    charted = judged["charted"].to_numpy(float)
    previous = judged["previous"].to_numpy(float)
    plausibility = rows["plausibility"].to_numpy(dtype=float)[positions]
    own = ~np.isnan(plausibility)  # the council's threshold for the measure
    limited = judged["limited"].to_numpy(bool) & ~own
    outside = judged["outside"].to_numpy() != 0
    threshold = np.where(own, plausibility, np.maximum(np.abs(previous) * 0.5, 1.0))
    change = charted - previous
    with np.errstate(invalid="ignore"):
        jump = ~limited & ~np.isnan(change) & (np.abs(change) > threshold)
    # A year-to-date figure that went down is PERF-013's (one query for one slip).
    went_down = judged["cumulative"].to_numpy(bool) & (charted < 0)
    hit = np.where(limited, outside, jump) & ~factor_hit[positions] & ~went_down
    if not hit.any():
        return empty
    periods = rows["period_obj"].to_numpy(dtype=object)[positions[hit]]
    first = np.array([getattr(p, "index", 0) == 1 for p in periods], dtype=bool)
    return pd.DataFrame({"reason": _reasons(judged[hit], change[hit], threshold[hit],
                                            own[hit], limited[hit], first)},
                        index=rows.index[positions[hit]])


def _judged(rows: pd.DataFrame, batch: Batch, current: pd.DataFrame,
            past: pd.DataFrame | None) -> pd.DataFrame | None:
    """Each current value against its measure's accepted history
    (:func:`~xlperf.core.spc.against_history`): one row per current value, with ``pos``."""
    from xlperf.core.spc import against_history
    from xlperf.validate.facts import spc_changes_of, spc_of

    if not len(current) or past is None or not len(past):
        return None
    current = current.assign(frequency=_frequencies(rows["period_obj"].to_numpy(
        dtype=object)[current["pos"].to_numpy(dtype=np.int64)]))
    # A measure's history: the accepted values of its frequency before its first current one.
    first = current.groupby("code", sort=False).agg(first=("start", "min"),
                                                    frequency=("frequency", "first"))
    past = past[past["code"].isin(first.index)]
    past = past.assign(frequency=_frequencies(past["period"].to_numpy(dtype=object),
                                              parse=True))
    mine = first.reindex(past["code"].to_numpy(dtype=object))
    past = past[(past["start"].to_numpy() < mine["first"].to_numpy())
                & (past["frequency"].to_numpy(dtype=object)
                   == mine["frequency"].to_numpy(dtype=object))]
    if not len(past):
        return None
    settings, register = spc_of(batch.facts)
    cumulative = rows["cumulative"].to_numpy(dtype=bool)[current["pos"].to_numpy(np.int64)]
    measures = pd.DataFrame({"code": current["code"].to_numpy(dtype=object),
                             "cumulative": cumulative}).drop_duplicates("code")
    # Limits only: which side is better does not matter to "outside the limits".
    measures = measures.assign(polarity="Data only").merge(register, on="code", how="left")
    columns = ["code", "period", "value"]
    history = past[columns]
    changes = spc_changes_of(batch.facts)
    if len(changes):  # the master's rebases and ghosted points, as the refresh charts them
        table = _change_table(changes)
        past = _before_a_new_process(past, table, first)
        if not len(past):
            return None
        history = _with_changes(past, table)[[*columns, "ghost", "rebase"]]
    found = against_history(history, current[columns], measures, settings)
    # Back to the current rows (a measure and period given twice gets the same judgement).
    return current[["code", "period", "pos"]].merge(found.drop(columns="value"),
                                                     on=["code", "period"], how="inner")


def _change_table(changes: pd.DataFrame) -> pd.DataFrame:
    """The master's ``Process changes`` (:attr:`~xlperf.read.master.Master.spc_changes`) as
    :func:`~xlperf.core.spc_scored.process_reasons` takes them: ``code``, ``frequency``,
    ``from`` (the period's first day, the history's ``start`` scale), ``action``, ``reason``."""
    texts = pd.Series(_texts(changes["period"].to_numpy(dtype=object)), dtype=object)
    _keys, objs = _period_keys(texts)
    starts, _years = _start_and_year(objs)
    return pd.DataFrame({
        "code": _texts(changes["code"].to_numpy(dtype=object)), "from": starts,
        "frequency": _frequencies(objs.to_numpy(dtype=object)),
        "action": changes["action"].astype(str).str.strip().str.lower().to_numpy(dtype=object),
        "reason": changes["reason"].astype(object).fillna("").astype(str).to_numpy(
            dtype=object)})


def _before_a_new_process(past: pd.DataFrame, table: pd.DataFrame, first: pd.DataFrame
                          ) -> pd.DataFrame:
    """The history without the measures rebased after all of it, at or before their first
    value being validated: that value starts a new process, with no accepted value of its
    own to be judged against (neither limits nor the 50 % rule). ``table``:
    :func:`_change_table`'s."""
    rebases = table[table["action"] == "rebase"]
    if not len(rebases):
        return past
    last = past.groupby(["code", "frequency"], sort=False)["start"].max().rename("last")
    at = rebases.join(last, on=["code", "frequency"]).join(first["first"], on="code")
    new = at[(at["from"] > at["last"]) & (at["from"] <= at["first"])]
    return past[~past["code"].isin(set(new["code"]))]


def _with_changes(past: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """The accepted history with the master's process changes (``table``:
    :func:`_change_table`'s): ``ghost``, the reason of a point left out of the limits, and
    ``rebase``, the reason at the first point at or after a rebase (limits start again
    there), by the refresh's own rule (:func:`~xlperf.core.spc_scored.process_reasons`; a
    measure's history is one chart)."""
    from xlperf.core.spc_scored import process_reasons

    points = pd.DataFrame({"row": past["code"].to_numpy(dtype=object),
                           "code": past["code"].to_numpy(dtype=object),
                           "frequency": past["frequency"].to_numpy(dtype=object),
                           "rank": past["start"].to_numpy(dtype=float)})
    ghost, rebase = process_reasons(points, table)
    return past.assign(ghost=ghost, rebase=rebase)


def _frequencies(periods: np.ndarray, parse: bool = False) -> np.ndarray:
    """Each period's frequency (``month``, ``quarter``...), worked out once per distinct
    period (objects, or their texts when ``parse``)."""
    from xlperf.core.periods import parse_period

    codes, uniques = pd.factorize(pd.Series(periods, dtype=object), use_na_sentinel=False)
    found = []
    for u in uniques:
        try:
            found.append(getattr(parse_period(u) if parse else u, "frequency", None))
        except XlperfError:
            found.append(None)
    return np.array(found, dtype=object)[codes]


def _reasons(judged: pd.DataFrame, change: np.ndarray, threshold: np.ndarray, own: np.ndarray,
             limited: np.ndarray, first: np.ndarray) -> list[str]:
    """What the value is, in the finance officer's words: beyond which limit of how many
    accepted values, or the change beyond the threshold (and why there are no limits)."""
    said = []
    for i, row in enumerate(judged.itertuples(index=False)):  # only the queried rows
        cumulative = bool(row.cumulative)
        what = "increments" if cumulative else "values"
        start = "is "
        if cumulative:  # judged on its increment, never its running total
            on = "the first of its year" if first[i] else "on the period before"
            start = f"has a period increment of {_num(row.charted)} ({on}), which is "
        if limited[i]:
            upper, lower, mean = format_statistics(
                np.array([row.upper, row.lower, row.mean]), row.statistic_decimals)
            side = ("above the upper process limit " + upper if row.outside > 0
                    else "below the lower process limit " + lower)
            said.append(f"{start}{side} worked out from its {row.points} accepted {what} "
                        f"(mean {mean})")
            continue
        why = ("the measure's plausibility threshold" if own[i] else
               f"half the last; {row.points} accepted {what} are too few for process "
               f"limits, which need {row.minimum_points}")
        last = "increment" if cumulative else "value"
        said.append(f"{start}a change of {change[i]:+,.4g} from the last accepted {last} "
                    f"{_num(row.previous)} ({row.previous_period}), more than the "
                    f"{_num(threshold[i])} expected ({why})")
    return said


_FRACTION_HINT = "A percentage may have been typed as a fraction (0.68 for 68%)."
_DIGIT_HINT = "An extra digit or a misplaced decimal point?"


@check("PERF-015", needs=("Code", "Actual", "unit", "target", "rated_ok"), cell="Actual",
       value="Actual")
def power_of_ten(rows: pd.DataFrame, batch: Batch) -> pd.DataFrame:
    """A value about 10, 100, 1000... times the last accepted one; with no such history, a
    percentage typed as a fraction (0.68 against a target of 68)."""
    last = _history(rows, batch)["last"]
    pos: list[int] = []
    factor: list[int] = []
    usual: list[Any] = []
    big: list[bool] = []
    if last is not None:
        hit = last[last["factor_hit"].to_numpy(dtype=bool)]
        pos += hit["pos"].astype(int).tolist()
        factor += [int(10 ** abs(n)) for n in hit["nearest"]]
        usual += hit["prev_value"].tolist()
        big += [n > 0 for n in hit["nearest"]]
    flagged = set(pos)
    number = rows["Actual"].to_numpy()
    percent = _distinct(rows["unit"], lambda u: "%" in u or "percent" in u.casefold()).astype(
        bool)
    target = rows["target"].to_numpy(dtype=float)
    fraction = (percent & rows["rated_ok"].to_numpy() & (np.abs(number) > 0)
                & (np.abs(number) <= 1) & (target >= 10))
    for p in np.flatnonzero(fraction):
        if p not in flagged:
            pos.append(int(p))
            factor.append(100)
            usual.append(target[p])
            big.append(False)
    return pd.DataFrame({
        "factor": factor, "usual": [_num(u) for u in usual],
        "hint": [_FRACTION_HINT if not b and f == 100 else _DIGIT_HINT
                 for f, b in zip(factor, big, strict=True)]},
        index=rows.index[np.array(pos, dtype=np.int64)])
