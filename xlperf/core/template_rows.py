"""What a performance return holds: which measures, which periods, which targets.

:func:`template_rows` is the one answer, used by the template writer
(:func:`xlperf.write.templates.build_performance_template` writes these rows) and by the
validator (:mod:`xlperf.validate.facts` compares a return with them: rows moved or missing,
locked cells changed, the target a status is rated against). Pure: frames in, a frame out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from xlperf.core.collection import due_periods
from xlperf.core.columns import normalise_columns
from xlperf.core.periods import Period, parse_period
from xlperf.core.targets import period_targets
from xlperf.core.values import parse_values
from xlperf.errors import InputError

__all__ = ["TEMPLATE_ROW_COLUMNS", "annual_words", "target_table", "template_rows"]

TEMPLATE_ROW_COLUMNS = ("service", "position", "code", "period", "period_key", "row",
                        "Measure", "Unit", "Polarity", "Frequency", "Target")
FREQUENCY_WORDS = {"month": "Monthly", "quarter": "Quarterly", "year": "Annual"}


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def target_table(targets: pd.DataFrame | None) -> dict[tuple[str, str], Any]:
    """The master's Targets sheet as ``{(code, period key): target as typed}`` (a row whose
    period cannot be read is left out; a later row of one code and period wins).

    >>> target_table(pd.DataFrame({"Code": ["CC 01"], "Period": ["Q2 2013/14"],
    ...                            "Target": [12]}))
    {('CC 01', '2013/14-Q2'): 12}
    """
    if targets is None or targets.empty:
        return {}
    frame = normalise_columns(targets, {"code": ("code",), "period": ("period",),
                                        "target": ("target",)})
    if not {"code", "period", "target"} <= set(frame.columns):
        return {}
    out = {}
    keys: dict[Any, str | None] = {}  # each distinct period parsed once
    for code, period, target in zip(frame["code"], frame["period"], frame["target"],
                                    strict=True):
        try:
            hashable: Any = (type(period), period)
            hash(hashable)
        except TypeError:
            hashable = None
        if hashable is not None and hashable in keys:
            iso = keys[hashable]
        else:
            try:
                iso = parse_period(period).format("iso")
            except InputError:
                iso = None
            if hashable is not None:
                keys[hashable] = iso
        if iso is not None:
            out[(_text(code), iso)] = target
    return out


def annual_words(register: pd.DataFrame) -> dict[str, str | None]:
    """Each code's annual target as typed on the Measures sheet (``Monitor``, ``Not Set``):
    shown on the template where it is not a number."""
    frame = normalise_columns(register, {"code": ("code",),
                                         "annual_target": ("annual target",)})
    if "annual_target" not in frame.columns:
        return {}
    return {_text(c): (None if _text(v) == "" else str(v).strip())
            for c, v in zip(frame["code"], frame["annual_target"], strict=True)}


def template_rows(register: pd.DataFrame, period: Period | str, *, first_row: int,
                  targets: Mapping[tuple[str, str], Any] | None = None,
                  words: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """The rows of every service's performance return for ``period``, vectorised over the
    register (:func:`~xlperf.core.measures.prepare_measures`'s frame): service by service
    (in order of first appearance), each measure in register order with one row per period
    it is due in the return (:func:`~xlperf.core.collection.due_periods`).

    Columns :data:`TEMPLATE_ROW_COLUMNS`: ``position`` (the measure's row of ``register``),
    ``period`` (as shown), ``period_key``, ``row`` (the Excel row, from ``first_row`` for
    each service) and what the template shows: ``Measure``, ``Unit``, ``Polarity``,
    ``Frequency`` and ``Target`` (the Targets sheet's number, else profiled from the annual
    target, else the annual target's ``words``; blank for a data-only measure).

    >>> from xlperf.core.measures import prepare_measures
    >>> register = prepare_measures(pd.DataFrame({
    ...     "Code": ["A1", "B2"], "Measure": ["Visits", "Cases"], "Service": ["S", "S"],
    ...     "Unit": ["number", "%"], "Polarity": ["Bigger is better", "Smaller is better"],
    ...     "Frequency": ["Monthly", "Quarterly"], "Annual target": [120, 40],
    ...     "Cumulative": ["Yes", "No"]}))
    >>> rows = template_rows(register, "Q2 2013/14", first_row=13)
    >>> rows[["code", "period", "row", "Target"]].values.tolist()
    [['A1', 'Jul-13', 13, 40.0], ['A1', 'Aug-13', 14, 50.0], ['A1', 'Sep-13', 15, 60.0], \
['B2', 'Q2 2013/14', 16, 40.0]]
    """
    reporting = period if isinstance(period, Period) else parse_period(period)
    frequency = register["frequency"].to_numpy(dtype=object)
    service = register["service"].to_numpy(dtype=object)
    position = np.arange(len(register))
    pieces: list[tuple[np.ndarray, int, Period]] = []  # (register positions, rank, due period)
    for freq in dict.fromkeys(frequency):
        members = position[frequency == freq]
        for rank, due in enumerate(due_periods(freq, reporting)):
            pieces.append((members, rank, due))
    if not pieces:
        return pd.DataFrame(columns=list(TEMPLATE_ROW_COLUMNS))
    take = np.concatenate([p[0] for p in pieces])
    rank = np.concatenate([np.full(len(p[0]), p[1]) for p in pieces])
    due_of = np.concatenate([np.full(len(p[0]), i) for i, p in enumerate(pieces)])
    dues = [p[2] for p in pieces]
    # Service by service (in order of first appearance), then register order, then rank.
    service_codes, service_names = pd.factorize(pd.Series(service[take], dtype=object),
                                                use_na_sentinel=False)
    order = np.lexsort((rank, take, service_codes))
    take, due_of, service_codes = take[order], due_of[order], service_codes[order]
    sizes = np.bincount(service_codes, minlength=len(service_names))
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    within = np.arange(len(take)) - bounds[service_codes]
    keys = np.array([d.format("iso") for d in dues], dtype=object)[due_of]
    codes = register["code"].to_numpy(dtype=object)[take]
    annual = register["annual_target"].to_numpy(dtype=float)[take]
    polarity = register["polarity"].to_numpy(dtype=object)[take]
    profiled = period_targets(annual, np.array([d.position_in_year for d in dues])[due_of],
                              np.array([d.periods_in_year for d in dues])[due_of],
                              register["cumulative"].to_numpy(dtype=bool)[take])
    target = pd.Series(profiled, dtype=object)
    no_number = np.isnan(annual)
    if no_number.any():  # an annual target in words ("Monitor", "Reduce"): shown as typed
        target = target.where(pd.Series(~no_number),
                              pd.Series(codes, dtype=object).map(dict(words or {})))
    if targets:
        given = pd.Series([targets.get(k) for k in zip(codes, keys, strict=True)], dtype=object)
        numbers = pd.Series(np.nan, index=given.index, dtype=object)
        present = given.notna().to_numpy() & np.array([v is not None for v in given], bool)
        if present.any():
            numbers[present] = parse_values(given[present])["number"].to_numpy()
        numbers = numbers.astype(float)
        target = target.where(numbers.isna(), numbers.astype(object))
    target = target.where(pd.Series(polarity != "Data only"), None).to_numpy(dtype=object,
                                                                              copy=True)
    target[pd.isna(target)] = None  # no target: a blank cell
    return pd.DataFrame({
        "service": service[take], "position": take, "code": codes,
        "period": np.array([d.format() for d in dues], dtype=object)[due_of],
        "period_key": keys,
        "row": (within + first_row).astype(np.int64),
        "Measure": register["title"].to_numpy(dtype=object)[take],
        "Unit": register["unit"].to_numpy(dtype=object)[take], "Polarity": polarity,
        "Frequency": [FREQUENCY_WORDS.get(f, f) for f in frequency[take]],
        "Target": target})
