"""Governance indicators by directorate and internal audit assurance (issue 24): the block a
council scorecard prints as "Effective governance": each directorate's latest sickness days per
FTE, audit actions implemented, reviews done... side by side, and the internal audit opinions
counted by level of assurance.

A governance indicator is an ordinary measure (registered, returned, validated, scored and
frozen like any other) whose Measures row names the indicator it reports and the directorate
it reports for (the optional ``Governance indicator`` and ``Directorate`` columns). The audit
counts come from the master's ``Audit`` sheet (:mod:`xlperf.read.master`).

Pure: frames in, frames out; the Governance sheet (:mod:`xlperf.write._outputs_governance`)
and the committee report (:mod:`xlperf.report._blocks_governance`) print what these give.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from xlperf.core.figures import finite_number, format_number, unit_affixes, with_unit
from xlperf.core.periods import parse_period
from xlperf.errors import InputError

#: The levels of internal audit assurance, weakest first, as the Audit sheet's columns and the
#: printed key name them: (core name, short heading, the key's words).
ASSURANCE_LEVELS: tuple[tuple[str, str, str], ...] = (
    ("no", "NA", "No Assurance"),
    ("limited", "LA", "Limited Assurance"),
    ("reasonable", "Rea", "Reasonable Assurance"),
    ("substantial", "Sub", "Substantial Assurance"),
)
#: The audit counts in column order: the four levels and the audits still due.
AUDIT_COUNTS: tuple[str, ...] = (*(level for level, _s, _w in ASSURANCE_LEVELS), "due")
#: The key printed under the counts (the printed scorecards' "Key: ...").
AUDIT_KEY = ("Key: " + ", ".join(f"{short} = {words}" for _l, short, words in ASSURANCE_LEVELS)
             + ", Due = audits still to report")


@dataclass(frozen=True)
class GovernanceCell:
    """One directorate's latest result of one indicator: the figure as the council writes it
    (with its unit), its status (symbol and word, and the colour beside them, never alone) and
    the period it is for."""

    code: str
    value: str
    status: str
    symbol: str
    colour: str | None
    period: str
    target: str = ""  # with its unit; why 88.7 % is Exceeds tolerance and 94.5 % Red

    @property
    def shown(self) -> str:
        """The figure and its target: ``"88.7% against 50%"``."""
        return f"{self.value} against {self.target}" if self.value and self.target \
            else self.value

    @property
    def status_text(self) -> str:
        """``"▲ Amber"``: the symbol and the word together."""
        return f"{self.symbol} {self.status}".strip()

    @property
    def text(self) -> str:
        """The cell as one text: ``"7.6 days against 8 days / ▲ Amber / Q2 2013/14"``."""
        return " / ".join(p for p in (self.shown, self.status_text, self.period) if p)


@dataclass(frozen=True)
class Governance:
    """The governance block: ``indicators`` (rows, in register order), ``directorates``
    (columns, in register order) and ``cells[(indicator, directorate)]``; a directorate
    without a measure for an indicator has no cell."""

    indicators: tuple[str, ...] = ()
    directorates: tuple[str, ...] = ()
    cells: dict[tuple[str, str], GovernanceCell] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.indicators)


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def figure(value: Any, unit: str) -> str:
    """A result with its unit as the block prints it: as the Scorecard and the pack write a
    figure of that unit (:func:`~xlperf.core.figures.unit_affixes`), or after it, a unit
    they know no suffix for ("hours").

    >>> figure(7.6, "days"), figure(82.0, "%"), figure(None, "%"), figure("TBC", "number")
    ('7.6 days', '82%', '', 'TBC')
    >>> figure(267.8, "rate per 10,000"), figure(3.5, "hours")
    ('267.8 per 10k', '3.5 hours')
    """
    number = finite_number(value)
    if number is None:
        return _text(value)
    text = format_number(number)
    if any(unit_affixes(unit)) or unit.strip().casefold() in ("", "number", "ratio"):
        return with_unit(text, unit)
    return f"{text} {unit.strip()}"


def governance_table(scored: pd.DataFrame, register: pd.DataFrame) -> Governance:
    """Pivot the governance indicators: one row per indicator, one column per directorate,
    each cell the measure's latest result, status and period.

    ``scored``: :func:`xlperf.score`'s result; ``register``: the register as
    :func:`~xlperf.core.measures.prepare_measures` types it (its ``governance`` and
    ``directorate`` columns: the Measures sheet's ``Governance indicator`` and
    ``Directorate``). A measure with only one of them is not in the block.

    >>> register = pd.DataFrame({"code": ["S1", "S2", "X"],
    ...     "governance": ["Sickness days per FTE", "Sickness days per FTE", ""],
    ...     "directorate": ["Children", "Adults", ""]})
    >>> scored = pd.DataFrame({"code": ["S1", "S2", "X"], "actual": [7.6, 9.1, 1.0],
    ...     "unit": ["days"] * 3, "status": ["Green", "Red", "Green"],
    ...     "symbol": ["✓", "✗", "✓"], "colour": ["#00703C", "#D4351C", "#00703C"],
    ...     "period": ["Q2 2013/14"] * 3})
    >>> block = governance_table(scored, register)
    >>> block.indicators, block.directorates
    (('Sickness days per FTE',), ('Children', 'Adults'))
    >>> block.cells[("Sickness days per FTE", "Adults")].text
    '9.1 days / ✗ Red / Q2 2013/14'
    """
    if (register is None or register.empty or "governance" not in register.columns
            or "directorate" not in register.columns or scored is None or scored.empty):
        return Governance()
    named = register.assign(_indicator=register["governance"].map(_text),
                            _directorate=register["directorate"].map(_text))
    named = named[(named["_indicator"] != "") & (named["_directorate"] != "")]
    if named.empty:
        return Governance()
    where = {code: i for i, code in enumerate(scored["code"].astype(str))}
    records = scored.to_dict("records")
    cells: dict[tuple[str, str], GovernanceCell] = {}
    for code, indicator, directorate in zip(named["code"].astype(str), named["_indicator"],
                                            named["_directorate"], strict=True):
        at = where.get(code)
        if at is None or (indicator, directorate) in cells:  # first measure of a pair counts
            continue
        row = records[at]
        colour = _text(row.get("colour")) or None
        cells[(indicator, directorate)] = GovernanceCell(
            code=code, value=figure(row.get("actual"), _text(row.get("unit"))),
            status=_text(row.get("status")), symbol=_text(row.get("symbol")), colour=colour,
            period=_text(row.get("period")),
            target=figure(row.get("target"), _text(row.get("unit"))))
    indicators = tuple(dict.fromkeys(i for i, _d in cells))
    directorates = tuple(dict.fromkeys(d for _i, d in cells))
    return Governance(indicators, directorates, cells)


def parse_count(value: Any) -> int:
    """An audit count: a whole number, 0 or more (blank is 0). Raises
    :class:`~xlperf.errors.InputError` otherwise (text, a fraction, a negative, a formula).

    >>> parse_count(4), parse_count(2.0), parse_count(None), parse_count(" 3 ")
    (4, 2, 0, 3)
    >>> parse_count("lots")
    Traceback (most recent call last):
    ...
    xlperf.errors.InputError: 'lots' is not a whole number of audits (0 or more)
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return 0
    if isinstance(value, bool):
        raise InputError(f"{value!r} is not a whole number of audits (0 or more)")
    if isinstance(value, str):
        text = value.strip()
        if text == "":
            return 0
        if not text.isdigit():  # "=1+1", "-2", "lots", "2.5": never evaluated, never guessed
            raise InputError(f"{value!r} is not a whole number of audits (0 or more)")
        return int(text)
    number = finite_number(value)
    if number is None or number < 0 or not number.is_integer():
        raise InputError(f"{value!r} is not a whole number of audits (0 or more)")
    return int(number)


def audit_for_period(audit: pd.DataFrame, period: Any) -> pd.DataFrame:
    """Each directorate's internal audit counts for ``period``: its latest row of the Audit
    sheet's usable rows (``directorate``, ``period``, :data:`AUDIT_COUNTS`) that ends by the
    period's end. A row per directorate in the sheet's order, and ``period`` the row's.

    >>> rows = pd.DataFrame({"directorate": ["Children", "Children", "Adults"],
    ...     "period": ["Q1 2013/14", "Q2 2013/14", "Q3 2013/14"], "no": [0, 0, 1],
    ...     "limited": [1, 2, 0], "reasonable": [0, 0, 3], "substantial": [3, 4, 1],
    ...     "due": [3, 2, 0]})
    >>> audit_for_period(rows, "Q2 2013/14")[["directorate", "limited", "due"]].values.tolist()
    [['Children', 2, 2]]
    """
    columns = ["directorate", "period", *AUDIT_COUNTS]
    if audit is None or audit.empty:
        return pd.DataFrame(columns=columns)
    end = parse_period(period).end
    ends = audit["period"].map(lambda p: parse_period(p).end)
    upto = audit[(ends <= end).to_numpy(dtype=bool)].assign(_end=ends)
    if upto.empty:
        return pd.DataFrame(columns=columns)
    order = list(dict.fromkeys(upto["directorate"]))
    latest = upto.sort_values("_end", kind="stable").groupby("directorate", sort=False).tail(1)
    latest = latest.set_index("directorate").loc[order].reset_index()
    return latest[columns].reset_index(drop=True)


@dataclass(frozen=True)
class GovernanceBlock:
    """What the Governance sheet and the report's governance block print for one period: the
    indicators by directorate (:func:`governance_table`) and each directorate's audit counts
    (:func:`audit_for_period`)."""

    table: Governance = field(default_factory=Governance)
    audit: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["directorate", "period", *AUDIT_COUNTS]))

    def __bool__(self) -> bool:
        return bool(len(self.table) or len(self.audit))


def governance_block(scored: pd.DataFrame, register: pd.DataFrame,
                     audit_rows: pd.DataFrame | None, period: Any) -> GovernanceBlock:
    """The governance block for ``period``, worked out once for every door (the refresh's
    Governance sheet, the committee report): :func:`governance_table` and
    :func:`audit_for_period` together. Falsy when there is nothing to print.

    >>> bool(governance_block(pd.DataFrame(), pd.DataFrame(), None, "Q2 2013/14"))
    False
    """
    return GovernanceBlock(governance_table(scored, register),
                           audit_for_period(audit_rows if audit_rows is not None
                                            else pd.DataFrame(), period))


__all__ = ["ASSURANCE_LEVELS", "AUDIT_COUNTS", "AUDIT_KEY", "Governance", "GovernanceBlock",
           "GovernanceCell", "audit_for_period", "figure", "governance_block",
           "governance_table", "parse_count"]
