"""What a report is made of: :class:`ReportData`, plain frames, and how to build it from a master.

The renderer takes only plain inputs (a scored frame, a long history frame, scored budget and
capital frames, the section switches), so it does not care where they came from: the refresh
passes the ledger's history, :func:`report_data_from_master` builds everything from the master
workbook and the returns beside it.

**Measure cards** are chosen once, here (:func:`exceptions`), by the card policy of
:mod:`xlperf.core.cards` (the master's ``Report cards`` and ``Card worsening threshold``
settings): by default a measure beyond tolerance, off target and worsening, or whose reported
status differs from the rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from xlperf.core.cards import CardPolicy, card_reasons, parse_card_policy, tolerance_widths
from xlperf.core.measures import prepare_measures
from xlperf.core.monitoring import monitor
from xlperf.core.periods import Period, parse_period
from xlperf.core.schemes import Scheme
from xlperf.errors import InputError

if TYPE_CHECKING:
    from xlperf.core.activity import ObjectiveActivity
    from xlperf.core.governance import GovernanceBlock
    from xlperf.council import Council
    from xlperf.ledger import Ledger

#: The report's sections, in print order.
SECTIONS: tuple[str, ...] = ("cover", "summary", "objectives", "exceptions", "trend", "finance",
                             "governance")

# Words a council may write in the ``Report sections`` setting -> section.
_SECTION_WORDS = {
    "cover": "cover", "front page": "cover", "title page": "cover",
    "summary": "summary", "objectives summary": "summary", "summary of objectives": "summary",
    "priorities": "summary",
    "objectives": "objectives", "measures": "objectives", "objective tables": "objectives",
    "measure tables": "objectives", "tables": "objectives",
    "exceptions": "exceptions", "exception": "exceptions", "measure cards": "exceptions",
    "cards": "exceptions",
    "trend": "trend", "trends": "trend", "trend scorecard": "trend", "scorecard": "trend",
    "finance": "finance", "budget": "finance", "money": "finance", "finance page": "finance",
    "governance": "governance", "audit": "governance", "internal audit": "governance",
}

#: History columns the renderer reads (``symbol``, ``colour``, ``severity`` are optional).
HISTORY_COLUMNS = ("code", "period", "actual", "target", "status")

#: How many periods of history each measure gets (a year of months; older for trend tables).
HISTORY_PERIODS = 12


@dataclass(frozen=True, eq=False)
class ReportData:
    """Everything a committee report prints, as plain values and DataFrames.

    - ``scored``: :func:`xlperf.score`'s result for the reporting period (register order).
    - ``history``: long table, one row per measure and period: ``code``, ``period`` (as the
      council writes it, e.g. ``Sep-13``), ``actual``, ``target``, ``status`` and optionally
      ``symbol``, ``colour``, ``severity``; at least the last six periods of each measure.
    - ``budget``: :func:`~xlperf.core.budget.score_budget`'s result (the total line last),
      ``capital``: :func:`~xlperf.core.budget.score_capital`'s; either may be empty;
      ``capital_total`` and ``capital_history``: the programme's total and its quarters of
      the year (:class:`~xlperf.core.monitoring.BudgetMonitoring`), from the master by
      :func:`~xlperf.core.monitoring.monitor`, as the refresh's Finance sheet.
    - ``register``: the register as :func:`~xlperf.core.measures.prepare_measures` types it
      (tolerances for the charts' shaded bands); optional.
    - ``sections``: which of :data:`SECTIONS` to print.
    - ``generated``: the date printed on the cover (passed in, so output is reproducible).
    - ``cards``: which measures get a measure card (:class:`~xlperf.core.cards.CardPolicy`;
      the master's ``Report cards`` and ``Card worsening threshold`` settings).
    - ``browser``: the master's ``Report browser`` setting: the browser a PDF is printed
      with (blank: the one found on the machine).
    - ``charts``: each measure's XmR chart up to its period
      (:func:`~xlperf.core.spc_scored.charts_at`), drawn on its card; optional.
    - ``explained``: measure code -> the services' responses to this period's queries (from
      the ledger, docs/collection.md), printed on the card as "Explained: ...".
    - ``governance``: the governance indicators by directorate and the internal audit counts
      (:class:`~xlperf.core.governance.GovernanceBlock`, as on the Governance sheet).
    - ``objective_activity``: each objective's milestones, projects and risks
      (:class:`~xlperf.core.activity.ObjectiveActivity`, as on the Key activities and
      Objectives sheets): printed under and beside each objective; its roll-up setting
      judges the objectives.
    - ``attributed``: (measure code, period key) -> the value's attributed comment, a
      comment by someone other than the owner (subject, author, text:
      :func:`attributed_comments`), printed on the card under its subject.
    - ``judgements``: the director's judgements of objectives for the period
      (:func:`~xlperf.core.overrides.judgements_at`; None when none), printed beside the
      computed ones in the summary, as on the Objectives sheet.
    """

    council: str
    directorate: str
    period: Period
    generated: dt.date
    scored: pd.DataFrame
    history: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=list(HISTORY_COLUMNS)))
    budget: pd.DataFrame = field(default_factory=pd.DataFrame)
    capital: pd.DataFrame = field(default_factory=pd.DataFrame)
    capital_total: Mapping[str, Any] | None = None
    capital_history: pd.DataFrame = field(default_factory=pd.DataFrame)
    sections: tuple[str, ...] = SECTIONS
    register: pd.DataFrame | None = None
    schemes: Mapping[str, Scheme] | None = None
    title: str = "Performance report"
    cards: CardPolicy = field(default_factory=CardPolicy)
    browser: str | None = None
    charts: pd.DataFrame | None = None
    explained: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    governance: GovernanceBlock | None = None
    # What services returned for their milestones and projects this period (the "activity"
    # frame, xlperf.core.activity; the ledger's, xlperf.ledger.activity_frame), or None.
    activity: pd.DataFrame | None = None
    objective_activity: ObjectiveActivity | None = None
    attributed: Mapping[tuple[str, str], tuple[str, str, str]] = field(default_factory=dict)
    judgements: pd.DataFrame | None = None

    def __post_init__(self) -> None:
        unknown = [s for s in self.sections if s not in SECTIONS]
        if unknown:
            raise InputError(f"unknown report section(s) {', '.join(unknown)}: use "
                             f"{', '.join(SECTIONS)}")
        missing = [c for c in HISTORY_COLUMNS if c not in self.history.columns]
        if missing:
            raise InputError(f"the report history needs the columns {', '.join(missing)}")


def parse_sections(value: object) -> tuple[str, ...]:
    """The sections named in a ``Report sections`` setting (comma, semicolon or line separated);
    blank means every section. Printed in :data:`SECTIONS` order whatever the order written.

    >>> parse_sections("Cover; measure cards, Finance")
    ('cover', 'exceptions', 'finance')
    >>> parse_sections(None) == SECTIONS
    True
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return SECTIONS
    text = str(value).replace(";", ",").replace("\n", ",")
    words = [" ".join(w.strip().lower().replace("_", " ").split()) for w in text.split(",")]
    words = [w for w in words if w]
    if not words or words == ["all"]:
        return SECTIONS
    chosen = set()
    for word in words:
        section = _SECTION_WORDS.get(word)
        if section is None:
            raise InputError(f"report section {word!r} is not one of: {', '.join(SECTIONS)}")
        chosen.add(section)
    return tuple(s for s in SECTIONS if s in chosen)


def exceptions(scored: pd.DataFrame, policy: CardPolicy | None = None,
               register: pd.DataFrame | None = None) -> pd.DataFrame:
    """The measures that get a measure card under the card ``policy``
    (:mod:`xlperf.core.cards`; default: beyond tolerance, off target and worsening by at least
    a quarter of the tolerance, reported status differs). ``register``
    (:func:`~xlperf.core.measures.prepare_measures`' result) gives each measure's tolerance for
    the worsening threshold; without it any worsening counts. Register order, beyond
    tolerance first; adds the flags ``beyond_tolerance``, ``worsening``,
    ``reported_differs`` and ``why`` (the reasons in words).

    >>> frame = pd.DataFrame({"code": ["A", "B", "C", "D"], "rated": [True, True, True, False],
    ...     "severity": [2, 0, 1, 2], "direction": ["No change ↔", "Worsening ↓",
    ...     "Worsening ↓", "Not comparable"], "actual": [1, 2, 3, 4], "previous": [1, 3, 4, 4],
    ...     "status": ["Red", "Green", "Amber", "No data"]})
    >>> exceptions(frame)[["code", "why"]].values.tolist()
    [['A', 'beyond tolerance'], ['C', 'off target and worsening']]
    """
    widths = None
    if register is not None and len(register) and "tolerance" in register.columns:
        by_code = register.drop_duplicates("code", keep="last").set_index("code")
        codes = scored["code"].astype(str).str.strip()
        widths = tolerance_widths(scored["target"].to_numpy(dtype=float),
                                  codes.map(by_code["tolerance"]).to_numpy(dtype=float),
                                  codes.map(by_code["tolerance_type"]).to_numpy(dtype=object))
    reasons = card_reasons(scored, policy, widths)
    chosen = scored.loc[reasons["card"].to_numpy()].copy()
    for column in ("beyond_tolerance", "worsening", "reported_differs", "why"):
        chosen[column] = reasons.loc[chosen.index, column]
    chosen["_order"] = np.arange(len(chosen))
    chosen = chosen.sort_values(["beyond_tolerance", "_order"], ascending=[False, True],
                                kind="mergesort")
    return chosen.drop(columns="_order")


def _reporting_points(reporting: Period, periods: int) -> list[Period]:
    """Reporting periods (latest first) whose due periods give every measure ``periods``
    periods of its own frequency (six at least for quarterly and annual measures)."""
    from xlperf.core.score import due_period

    ends: dict[dt.date, Period] = {}
    for frequency, count in (("month", periods), ("quarter", max(6, periods // 3)),
                             ("year", max(6, periods // 12))):
        due = due_period(reporting, frequency)
        for offset in range(count):
            point = due.shift(-offset)
            ends.setdefault(point.end, point)
    return [ends[end] for end in sorted(ends, reverse=True)]


def history_from_values(
    values: pd.DataFrame,
    measures: pd.DataFrame,
    period: Any,
    *,
    targets: pd.DataFrame | None = None,
    schemes: Mapping[str, Scheme] | None = None,
    default_scheme: str = "rag",
    periods: int = HISTORY_PERIODS,
    frozen: pd.DataFrame | None = None,
    prepared: bool = False,
) -> pd.DataFrame:
    """The long history frame a report prints: each measure's earlier periods with the target
    and status they had *then*.

    Each measure gets up to ``periods`` periods of its own frequency ending at its due period
    (at least six for quarterly and annual measures, for the trend tables). ``frozen``: the
    ledger's frozen statuses (:meth:`~xlperf.ledger.Ledger.frozen_statuses`): a past period
    the ledger froze is printed as published (status, symbol, colour, severity, target), not
    re-rated with today's register; the measure's due period, and any period the ledger never
    froze, is scored with the register given. The values are parsed and the register prepared
    once for every period (:func:`~xlperf.core.score.score_periods`). Returns
    :data:`HISTORY_COLUMNS` plus ``symbol``, ``colour``, ``severity``, ``frozen`` (true where
    the status is the ledger's) and ``period_key`` (ISO, sorts oldest first), ordered by
    measure (register order) then period.

    >>> measures = pd.DataFrame({"Code": ["CC 01"], "Polarity": ["Bigger is better"],
    ...     "Frequency": ["Quarterly"], "Annual target": [90], "Tolerance": [10]})
    >>> values = pd.DataFrame({"Code": ["CC 01"] * 2, "Period": ["Q1 2013/14", "Q2 2013/14"],
    ...     "Actual": [83, 81.4]})
    >>> published = pd.DataFrame({"code": ["CC 01"], "period_key": ["2013/14-Q1"],
    ...     "status": ["Red"], "symbol": ["✖"], "colour": ["#D4351C"], "severity": [2],
    ...     "target": [90.0]})
    >>> history_from_values(values, measures, "Q2 2013/14", frozen=published)[
    ...     ["period", "status", "frozen"]].values.tolist()
    [['Q1 2013/14', 'Red', True], ['Q2 2013/14', 'Amber', False]]
    """
    from xlperf.core.score import score_periods

    reporting = parse_period(period)
    register = measures if prepared else prepare_measures(measures)
    frames = score_periods(values, register, _reporting_points(reporting, periods),
                           targets=targets, schemes=schemes, default_scheme=default_scheme,
                           prepared=True, full=0, known=frozen_pairs(frozen, register, reporting))
    return _history(frames, periods, frozen)


def score_with_history(
    values: pd.DataFrame,
    measures: pd.DataFrame,
    period: Any,
    *,
    targets: pd.DataFrame | None = None,
    schemes: Mapping[str, Scheme] | None = None,
    default_scheme: str = "rag",
    periods: int = HISTORY_PERIODS,
    frozen: pd.DataFrame | None = None,
    prepared: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`xlperf.score`'s result for ``period`` and :func:`history_from_values`' frame,
    from one parse of the values (what :func:`report_data_from_master` does)."""
    from xlperf.core.score import score_periods

    reporting = parse_period(period)
    register = measures if prepared else prepare_measures(measures)
    scored, *frames = score_periods(
        values, register, [reporting, *_reporting_points(reporting, periods)],
        targets=targets, schemes=schemes, default_scheme=default_scheme, prepared=True, full=1,
        known=frozen_pairs(frozen, register, reporting))
    return scored, _history(frames, periods, frozen)


#: What the history takes from a frozen status (:func:`_history`).
_FROZEN_COLUMNS = ("status", "symbol", "colour", "severity", "target")


def _frozen_reasons(scored: pd.DataFrame, frozen: pd.DataFrame | None) -> pd.DataFrame:
    """``scored`` with the reason the refresh froze for each measure that has no figure for
    its due period (a figure rejected from its return:
    :data:`~xlperf.refresh._values.REJECTED_REASON`), where the scorer, which sees only the
    accepted values, says :data:`~xlperf.core.score.NO_RETURN`."""
    if frozen is None or frozen.empty or "actual_reason" not in frozen.columns \
            or scored.empty:
        return scored
    from xlperf.core.score import NO_RETURN, with_reasons

    reason = frozen["actual_reason"]
    said = frozen[(reason.notna() & reason.ne(NO_RETURN)).to_numpy()]  # what it adds
    return with_reasons(scored, dict(zip(
        zip(said["code"].astype(str), said["period_key"].astype(str), strict=True),
        said["actual_reason"].astype(str), strict=True)))


def frozen_pairs(frozen: pd.DataFrame | None, register: pd.DataFrame, reporting: Period
                 ) -> set[tuple[str, str]] | None:
    """The (measure code, period key) pairs the history prints from the ledger's ``frozen``
    statuses, so that need not be rated again (``known`` of
    :func:`~xlperf.core.score.score_periods`): every frozen pair but each measure's due
    period at ``reporting``, which follows today's register (``register``: prepared). None
    when nothing can be skipped: no frozen statuses, a frozen frame without every column the
    history takes, or a register that lists a code twice (then every period is rated and the
    frozen statuses put over them, as before).

    >>> register = prepare_measures(pd.DataFrame({"Code": ["CC 01"], "Frequency": ["Quarterly"],
    ...     "Polarity": ["Bigger is better"]}))
    >>> frozen = pd.DataFrame({"code": ["CC 01"] * 2, "period_key": ["2013/14-Q1", "2013/14-Q2"],
    ...     "status": ["Red"] * 2, "symbol": ["✖"] * 2, "colour": ["#D4351C"] * 2,
    ...     "severity": [2] * 2, "target": [90.0] * 2})
    >>> frozen_pairs(frozen, register, parse_period("Q2 2013/14"))
    {('CC 01', '2013/14-Q1')}
    """
    if frozen is None or not len(frozen) or not len(register) or any(
            c not in frozen.columns for c in ("code", "period_key", *_FROZEN_COLUMNS)):
        return None
    codes = register["code"].to_numpy(dtype=object)
    if len(set(codes)) != len(codes):
        return None
    from xlperf.core.score import due_period

    frequencies = register["frequency"].to_numpy(dtype=object)
    due = {f: due_period(reporting, f).format("iso")
           for f in dict.fromkeys(frequencies) if isinstance(f, str) and f}
    current = set(zip(codes, (due.get(f) if isinstance(f, str) else None
                              for f in frequencies), strict=True))
    pairs = set(zip(*_texts(frozen, "code", "period_key"), strict=True))
    return pairs - current


def _texts(frame: pd.DataFrame, *columns: str) -> list[np.ndarray]:
    """``frame``'s ``columns`` as text, plain object arrays: what is zipped into pairs (a
    pandas string array is read item by item many times slower)."""
    return [frame[c].astype(str).to_numpy(dtype=object) for c in columns]


def _history(frames: list[pd.DataFrame], periods: int, frozen: pd.DataFrame | None
             ) -> pd.DataFrame:
    """Stack the scored frames of :func:`_reporting_points` (latest first) into the history
    frame, the ledger's ``frozen`` statuses over every period but each measure's latest."""
    columns = ["code", "period", "frequency", "actual", "target", "status", "symbol", "colour",
               "severity"]
    positions = np.arange(len(frames[0]))
    stacked = pd.concat([f[columns].assign(_pos=positions) for f in frames], ignore_index=True)
    stacked = stacked.drop_duplicates(["code", "period"], keep="first")
    keys = {p: parse_period(p).format("iso") for p in stacked["period"].unique()}
    stacked["period_key"] = stacked["period"].map(keys)
    stacked = stacked.sort_values(["_pos", "period_key"], kind="mergesort")
    # Keep the last ``periods`` of each measure (quarterly/annual keep at least six), from its
    # first known value on.
    rank = stacked.groupby("code", sort=False).cumcount(ascending=False)
    keep = np.where(stacked["frequency"] == "month", periods, max(6, periods // 3))
    started = stacked["actual"].notna().groupby(stacked["code"], sort=False).cummax()
    stacked = stacked[(rank.to_numpy() < keep) & started.to_numpy()].copy()
    stacked["frozen"] = False
    if frozen is not None and len(frozen) and len(stacked):
        latest = rank.to_numpy()[(rank.to_numpy() < keep) & started.to_numpy()] == 0
        where = {pair: i for i, pair in enumerate(zip(
            *_texts(frozen, "code", "period_key"), strict=True))}
        at = np.fromiter((where.get(pair, -1) for pair in zip(
            *_texts(stacked, "code", "period_key"), strict=True)),
            dtype=np.intp, count=len(stacked))
        use = (at >= 0) & ~latest  # the due period follows today's register
        taken = at[use]
        if not use.any():
            return stacked.drop(columns=["_pos", "frequency"]).reset_index(drop=True)
        for column in _FROZEN_COLUMNS:
            if column in frozen.columns:
                values = stacked[column].to_numpy(dtype=object).copy()
                values[use] = frozen[column].to_numpy(dtype=object)[taken]
                stacked[column] = (pd.to_numeric(pd.Series(values), errors="coerce").to_numpy()
                                   if column in ("severity", "target") else values)
        stacked["frozen"] = use
    return stacked.drop(columns=["_pos", "frequency"]).reset_index(drop=True)


def attributed_comments(values: pd.DataFrame) -> dict[tuple[str, str], tuple[str, str, str]]:
    """Each value's attributed comment (a return's ``Comment subject``, ``Comment by`` and
    ``Further comment``, or the ledger's): (code, period key) -> (subject, author, text),
    as plain text the way the owner's commentary is (:func:`~xlperf.core.values.
    clean_commentary`: pasted HTML made text; text that starts like a formula kept exactly,
    never run: the card escapes it). Values without a further comment, or a table without the
    columns (returns made before them), give none.

    >>> attributed_comments(pd.DataFrame({"Code": ["NI_062"], "Period": ["Q2 2013/14"],
    ...     "Comment subject": ["Head of Service Commentary"], "Comment by": ["J. Smith"],
    ...     "Further comment": ["=Agreed"]}))
    {('NI_062', '2013/14-Q2'): ('Head of Service Commentary', 'J. Smith', '=Agreed')}
    """
    if "Further comment" not in values.columns or not len(values):
        return {}

    from xlperf.core.values import clean_commentaries

    def text(column: str) -> pd.Series:
        if column not in values.columns:
            return pd.Series("", index=values.index, dtype=object)
        return clean_commentaries(values[column]).fillna("").map(str.strip)

    comment = text("Further comment")
    given = comment != ""
    if not given.any():
        return {}
    subject, author = text("Comment subject")[given], text("Comment by")[given]
    stored = (values.loc[given, "Period key"] if "Period key" in values.columns
              else pd.Series(None, index=subject.index, dtype=object))
    out = {}
    for code, key, period, s, a, c in zip(
            values.loc[given, "Code"].astype(str).str.strip(), stored,
            values.loc[given, "Period"], subject, author, comment[given], strict=True):
        if not isinstance(key, str) or not key:
            try:  # a return's own cells (not validated): a period that cannot be read is none
                key = parse_period(period).format("iso")
            except InputError:
                continue
        out[(code, key)] = (s, a, c)  # a later row for the same value wins
    return out


def _returns_values(folder: Path) -> list[pd.DataFrame]:
    """The performance returns' values in ``folder`` (file name order)."""
    from xlperf.read.returns import read_return, return_values

    if not folder.is_dir():
        return []
    frames = []
    for path in sorted(folder.glob("*.xls[xm]")):
        if path.name.startswith("~$"):
            continue
        ret = read_return(path)
        if ret.kind == "performance":
            frames.append(return_values(ret))
    return frames


@dataclass(frozen=True)
class _Ledgered:
    """What a report takes from the master's ledger, read in one visit."""

    values: pd.DataFrame        # every value in use, all periods
    money: pd.DataFrame         # the money figures of the reporting period
    frozen: pd.DataFrame        # every frozen status
    explained: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # code -> responses
    activity: pd.DataFrame | None = None  # the period's milestones and projects returned


def _frozen_for_history(ledger: Ledger, register: pd.DataFrame, reporting: Period,
                       periods: int = HISTORY_PERIODS) -> pd.DataFrame:
    """The ledger's frozen statuses a report's history prints: of the periods it can show
    (each frequency's due period at each of its reporting points, :func:`_reporting_points`)
    and only what it takes of them (``code``, ``period_key`` and :data:`_FROZEN_COLUMNS`);
    every status of every period, every column, took longer to read than the scoring."""
    from xlperf.core.score import due_period

    frequencies = [f for f in dict.fromkeys(register["frequency"].to_numpy(dtype=object))
                   if isinstance(f, str) and f]
    shown = {due_period(point, f) for point in _reporting_points(reporting, periods)
             for f in frequencies}
    # and the reason there is no figure, for the due period's (_frozen_reasons)
    return ledger.frozen_statuses(sorted(shown, key=lambda p: (p.end, p.start)),
                                  columns=(*_FROZEN_COLUMNS, "actual_reason"))


def _from_ledger(where: Path, reporting: Period, register: pd.DataFrame
                 ) -> _Ledgered | None:
    """The master's ledger's values, money figures for ``reporting`` (``kind``, ``line``,
    ``forecast``, ``estimate``, ``actual``, ``explanation``) and the frozen statuses the
    history prints (:func:`_frozen_for_history`; ``register``: prepared), or None when it has
    no values."""
    from xlperf.ledger import Ledger

    if not where.is_file():
        return None
    with Ledger(where) as ledger:
        values = ledger.current_values()
        if not len(values):
            return None
        from xlperf.ledger import activity_frame, explained_by_measure

        return _Ledgered(values, ledger.current_money(reporting),
                         _frozen_for_history(ledger, register, reporting),
                         explained_by_measure(ledger, reporting),
                         activity_frame(ledger, reporting))


def _before(values: pd.DataFrame, reporting: Period) -> pd.DataFrame:
    """Rows of a long values table for periods that ended before ``reporting`` started."""
    periods = values["Period"] if "Period" in values.columns else values["period"]
    ends = {p: parse_period(p).end for p in periods.unique()}
    return values[periods.map(ends) < reporting.start]


def report_data_from_master(
    master_path: str | Path | Council,
    period: Any = None,
    history: pd.DataFrame | None = None,
    *,
    values: pd.DataFrame | None = None,
    generated: dt.date | None = None,
    sections: Iterable[str] | None = None,
    plan: str | None = None,
    activity: pd.DataFrame | None = None,
) -> ReportData:
    """Build a :class:`ReportData` from a master workbook (its path, or its
    :class:`~xlperf.council.Council`).

    - ``period``: the reporting period (default: the master's ``Reporting period`` setting).
    - ``history``: earlier periods' values, a long table with ``Code``, ``Period``, ``Actual``
      (the ledger's history; a ``Commentary`` column is used too). When it also has
      ``target`` and ``status`` columns it is printed as given; otherwise each earlier period
      is scored with the master's rules.
    - ``values``: this period's values.
    - ``plan``: print only the measures in this plan (the Measures sheet's ``Plans`` column;
      :func:`xlperf.core.plans.select_plan`, an unknown plan is an ``InputError``).
    - ``activity``: what services returned for the master's milestones and projects
      (:data:`~xlperf.core.activity.ACTIVITY_COLUMNS`); by default the ledger's for the
      period (none there: each is Not reported).

    With neither, the values come from the master's ledger (``Ledger path`` setting, or
    ``<master>.ledger.sqlite`` beside it): what the last refresh accepted, every period, the
    same figures as the ``Scorecard`` sheet; and the forecasts, estimates and actuals it took
    from finance and capital returns go over the ``Budget`` and ``Capital`` sheets' figures,
    as on the ``Finance`` sheet. A master that was never refreshed has no ledger:
    then the performance returns in its ``Returns folder`` are read as they are (not
    validated) and there are no earlier periods, for the demo council as for any other (``xlperf
    demo`` seeds the demo's ledger with its history).
    """
    from xlperf.council import Council

    council = (master_path if isinstance(master_path, Council)
               else Council.open(master_path))
    path, master = council.path, council.master
    when = period if period is not None else master.reporting_period
    if when is None:
        raise InputError(f"{path}: no reporting period: give one or set 'Reporting period' "
                         "on the Settings sheet")
    reporting = parse_period(when)
    settings = master.settings
    ledgered = None
    use_ledger = values is None and history is None  # else the caller gives the figures
    if use_ledger:
        ledgered = _from_ledger(council.ledger, reporting, master.prepared_register)
    if ledgered is not None:
        values = ledgered.values
    elif values is None:
        returned = _returns_values(council.returns_folder)
        values = (pd.concat(returned, ignore_index=True) if returned
                  else pd.DataFrame(columns=["Code", "Period", "Actual"]))
    earlier = history
    given_history = None
    if earlier is not None and len(earlier):
        lower = {str(c).strip().lower(): c for c in earlier.columns}
        if "target" in lower and "status" in lower:
            given_history = earlier.rename(columns={v: k for k, v in lower.items()})
            earlier = earlier.rename(columns={lower["code"]: "Code", lower["period"]: "Period",
                                              lower["actual"]: "Actual"})[
                ["Code", "Period", "Actual"]]
        earlier = _before(earlier, reporting)
        values = pd.concat([earlier, values], ignore_index=True)
    # One parse of the values for the period and every earlier one the history prints; a
    # past period the ledger froze is printed as frozen, so not rated again.
    frozen = ledgered.frozen if ledgered is not None else None
    scored, *frames = master.score_periods(
        values, [reporting] if given_history is not None else
        [reporting, *_reporting_points(reporting, HISTORY_PERIODS)], full=1,
        known=frozen_pairs(frozen, master.prepared_register, reporting)
        if given_history is None else None)
    scored = _frozen_reasons(scored, frozen)
    hist = (_history(frames, HISTORY_PERIODS, frozen)
            if given_history is None else given_history)
    from xlperf.core.spc_scored import charts_at, spc_of_charts  # docs/spc.md

    charts = charts_at(scored, values, master.prepared_register, master.spc_settings,
                       master.spc_changes, master.targets)
    scored = pd.concat([scored, spc_of_charts(scored, charts)], axis=1)
    if plan is not None and str(plan).strip():  # one decision for every door (core.plans)
        from xlperf.core.plans import select_plan

        scored = scored[select_plan(scored["plans"], plan).to_numpy()].reset_index(drop=True)
    # The budget monitoring the refresh's Finance sheet shows: the same call, over the figures
    # the refresh took from returns (the ledger's).
    money = monitor(master.budget, master.capital, reporting,
                    ledgered.money if ledgered is not None and len(ledgered.money) else None,
                    tolerance_pct=float(settings.budget_tolerance_pct),
                    materiality=float(settings.materiality), scheme=master.default_scheme,
                    schemes=master.schemes)
    budget = (pd.concat([money.lines, pd.DataFrame([money.total])], ignore_index=True)
              if money.total is not None else money.lines)
    from xlperf.core.governance import governance_block
    from xlperf.core.overrides import judgements_at

    governance = governance_block(scored, master.prepared_register, master.audit_rows,
                                  reporting)
    from xlperf.core.activity import objective_activity

    # what services returned for the milestones and projects (the ledger's unless given;
    # None: all Not reported)
    activity = (activity if activity is not None
                else ledgered.activity if ledgered is not None else None)
    block = objective_activity(master.objective_sheets, activity, reporting.format(),
                               ratings=master.risk_ratings,
                               in_rollup=settings.milestones_in_rollup)
    chosen = (tuple(s for s in SECTIONS if s in set(sections)) if sections is not None
              else parse_sections(settings.report_sections or None))
    if not governance and sections is None and not settings.report_sections:
        chosen = tuple(s for s in chosen if s != "governance")  # all, and nothing to print
    try:
        cards = parse_card_policy(settings.report_cards, settings.card_worsening_threshold)
    except InputError:  # the master's REG-040 finding says so; the defaults stand
        cards = CardPolicy()
    return ReportData(
        council=settings.council or "Council",
        directorate=settings.directorate,
        period=reporting,
        generated=generated or dt.date.today(),
        scored=scored,
        history=hist,
        budget=budget,
        capital=money.capital,
        capital_total=money.capital_total,
        capital_history=money.capital_history,
        sections=chosen,
        register=master.prepared_register,
        schemes=master.schemes,
        cards=cards,
        browser=settings.report_browser or None,
        charts=charts,
        explained=ledgered.explained if ledgered is not None else {},
        governance=governance,
        activity=activity,
        objective_activity=block if block else None,
        attributed=attributed_comments(values),
        judgements=judgements_at(master.judgement_rows, reporting),
    )
