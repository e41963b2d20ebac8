"""What a report is made of: :class:`ReportData`, plain frames, and how to build it from a master.

The renderer takes only plain inputs (a scored frame, a long history frame, scored budget and
capital frames, the section switches), so it does not care where they came from: the refresh
passes the ledger's history, :func:`report_data_from_master` builds everything from the master
workbook and the returns beside it.

**Exceptions** are defined once, here (:func:`exceptions`): a rated measure beyond tolerance
(severity 2: Red, Red diamond, Below tolerance) or a measure whose direction of travel is
worsening.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from xlperf.core.budget import (
    DEFAULT_BUDGET_TOLERANCE_PCT,
    capital_for_period,
    score_budget,
    score_capital,
    with_returned,
)
from xlperf.core.columns import BUDGET_COLUMNS, CAPITAL_COLUMNS, normalise_columns
from xlperf.core.direction import WORSENING
from xlperf.core.measures import prepare_measures
from xlperf.core.periods import Period, parse_period
from xlperf.core.schemes import MISSED, Scheme
from xlperf.errors import InputError

#: The report's sections, in print order.
SECTIONS: tuple[str, ...] = ("cover", "summary", "objectives", "exceptions", "trend", "finance")

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
      ``capital``: :func:`~xlperf.core.budget.score_capital`'s; either may be empty.
    - ``register``: the register as :func:`~xlperf.core.measures.prepare_measures` types it
      (tolerances for the charts' shaded bands); optional.
    - ``sections``: which of :data:`SECTIONS` to print.
    - ``generated``: the date printed on the cover (passed in, so output is reproducible).
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
    sections: tuple[str, ...] = SECTIONS
    register: pd.DataFrame | None = None
    schemes: Mapping[str, Scheme] | None = None
    title: str = "Performance report"

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


def exceptions(scored: pd.DataFrame) -> pd.DataFrame:
    """The measures that get a measure card: rated and beyond tolerance (severity 2), or
    worsening against the previous period. Register order, worst first (beyond tolerance
    before worsening only); adds ``beyond_tolerance`` and ``worsening`` flags.

    >>> frame = pd.DataFrame({"code": ["A", "B", "C", "D"], "rated": [True, True, True, False],
    ...     "severity": [2, 0, 1, 2], "direction": ["No change ↔", "Worsening ↓",
    ...     "Improving ↑", "Not comparable"]})
    >>> exceptions(frame)["code"].tolist()
    ['A', 'B']
    """
    beyond = scored["rated"].astype(bool) & (scored["severity"] == MISSED)
    worsening = scored["direction"] == WORSENING
    chosen = scored.loc[beyond | worsening].copy()
    chosen["beyond_tolerance"] = beyond[chosen.index]
    chosen["worsening"] = worsening[chosen.index]
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
) -> pd.DataFrame:
    """Score the values of earlier periods too: the long history frame a report prints.

    Each measure gets up to ``periods`` periods of its own frequency ending at its due period
    (at least six for quarterly and annual measures, for the trend tables), each with the
    target and status it had *then*. Returns :data:`HISTORY_COLUMNS` plus ``symbol``,
    ``colour``, ``severity`` and ``period_key`` (ISO, sorts oldest first), ordered by measure
    (register order) then period.
    """
    from xlperf.core.score import score

    reporting = parse_period(period)
    frames = []
    for point in _reporting_points(reporting, periods):
        scored = score(values, measures, point, targets=targets, schemes=schemes,
                       default_scheme=default_scheme)
        frames.append(scored[["code", "period", "frequency", "actual", "target", "status",
                              "symbol", "colour", "severity"]].assign(
            _pos=np.arange(len(scored))))
    stacked = pd.concat(frames, ignore_index=True)
    stacked = stacked.drop_duplicates(["code", "period"], keep="first")
    keys = {p: parse_period(p).format("iso") for p in stacked["period"].unique()}
    stacked["period_key"] = stacked["period"].map(keys)
    stacked = stacked.sort_values(["_pos", "period_key"], kind="mergesort")
    # Keep the last ``periods`` of each measure (quarterly/annual keep at least six), from its
    # first known value on.
    rank = stacked.groupby("code", sort=False).cumcount(ascending=False)
    keep = np.where(stacked["frequency"] == "month", periods, max(6, periods // 3))
    started = stacked["actual"].notna().groupby(stacked["code"], sort=False).cummax()
    stacked = stacked[(rank.to_numpy() < keep) & started.to_numpy()]
    return stacked.drop(columns=["_pos", "frequency"]).reset_index(drop=True)


def _setting(settings: Mapping[str, Any], *labels: str) -> Any:
    folded = {"".join(ch for ch in str(k).casefold() if ch.isalnum()): v
              for k, v in settings.items()}
    for label in labels:
        found = folded.get("".join(ch for ch in label.casefold() if ch.isalnum()))
        if found is not None:
            return found
    return None


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


def _ledger_values(master: Path, settings: Mapping[str, Any]) -> pd.DataFrame | None:
    """Every value in use in the master's ledger (all periods), or None when it has none."""
    from xlperf.ledger import Ledger, ledger_path

    where = ledger_path(master, settings)
    if not where.is_file():
        return None
    with Ledger(where) as ledger:
        values = ledger.current_values()
    return values if len(values) else None


def _ledger_money(master: Path, settings: Mapping[str, Any], reporting: Period
                  ) -> pd.DataFrame | None:
    """The money figures the master's last refresh took from returns for ``reporting``
    (``kind``, ``line``, ``forecast``, ``estimate``, ``actual``, ``explanation``), or None."""
    from xlperf.ledger import Ledger, ledger_path

    where = ledger_path(master, settings)
    if not where.is_file():
        return None
    with Ledger(where) as ledger:
        money = ledger.current_money(reporting)
    return money if len(money) else None


def _before(values: pd.DataFrame, reporting: Period) -> pd.DataFrame:
    """Rows of a long values table for periods that ended before ``reporting`` started."""
    periods = values["Period"] if "Period" in values.columns else values["period"]
    ends = {p: parse_period(p).end for p in periods.unique()}
    return values[periods.map(ends) < reporting.start]


def _money_lines(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop blank rows of a budget or capital sheet (the sheet's own index is kept)."""
    if frame.empty:
        return frame
    first = frame.columns[0]
    keep = frame[first].map(lambda v: v is not None and str(v).strip() not in ("", "nan"))
    return frame[keep]


def report_data_from_master(
    master_path: str | Path,
    period: Any = None,
    history: pd.DataFrame | None = None,
    *,
    values: pd.DataFrame | None = None,
    generated: dt.date | None = None,
    sections: Iterable[str] | None = None,
) -> ReportData:
    """Build a :class:`ReportData` from a master workbook.

    - ``period``: the reporting period (default: the master's ``Reporting period`` setting).
    - ``history``: earlier periods' values, a long table with ``Code``, ``Period``, ``Actual``
      (the ledger's history; a ``Commentary`` column is used too). When it also has
      ``target`` and ``status`` columns it is printed as given; otherwise each earlier period
      is scored with the master's rules.
    - ``values``: this period's values.

    With neither, the values come from the master's ledger (``Ledger path`` setting, or
    ``<master>.ledger.sqlite`` beside it): what the last refresh accepted, every period, the
    same figures as the ``Scorecard`` sheet; and the forecasts, estimates and actuals it took
    from finance and capital returns go over the ``Budget`` and ``Capital`` sheets' figures,
    as on the ``Finance`` sheet. A master that was never refreshed has no ledger:
    then the performance returns in its ``Returns folder`` are read as they are (not
    validated), and a master whose register is the demo council's gets its earlier periods
    from :func:`xlperf.demo.demo_values` (as ``xlperf demo`` does).
    """
    from xlperf.read.master import read_master

    path = Path(master_path)
    master = read_master(path)
    when = period if period is not None else master.reporting_period
    if when is None:
        raise InputError(f"{path}: no reporting period: give one or set 'Reporting period' "
                         "on the Settings sheet")
    reporting = parse_period(when)
    settings = master.settings
    ledgered = None
    use_ledger = values is None and history is None  # else the caller gives the figures
    if use_ledger:
        ledgered = _ledger_values(path, settings)
    if ledgered is not None:
        values = ledgered
    elif values is None:
        folder = path.parent / str(settings.get("returns_folder") or "returns")
        returned = _returns_values(folder)
        values = (pd.concat(returned, ignore_index=True) if returned
                  else pd.DataFrame(columns=["Code", "Period", "Actual"]))
    earlier = history
    if earlier is None and ledgered is None:
        # A master never refreshed: the demo's own history stands in for the ledger's.
        from xlperf import demo

        codes = set(master.usable_register.iloc[:, 0].astype(str).str.strip())
        if codes and codes <= set(demo.demo_register()["Code"]):
            earlier = demo.demo_values(reporting)
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
    scored = master.score(values, reporting)
    targets = master.targets if len(master.targets) else None
    if given_history is None:
        hist = history_from_values(values, master.usable_register, reporting, targets=targets,
                                   schemes=master.schemes, default_scheme=master.default_scheme)
    else:
        hist = given_history
    tolerance = settings.get("budget_tolerance_pct")
    # The period's capital programmes (every one when none is of the period), as the refresh.
    capital_lines = _money_lines(master.capital)
    if len(capital_lines):
        of_period = capital_for_period(capital_lines, reporting)
        capital_lines = of_period if len(of_period) else capital_lines
    budget_lines = _money_lines(master.budget)
    money = _ledger_money(path, settings, reporting) if use_ledger else None
    if money is not None:  # the figures the refresh took from returns, as on its Finance sheet
        budget_lines, capital_lines, _applied = with_returned(
            normalise_columns(budget_lines, BUDGET_COLUMNS),
            normalise_columns(capital_lines, CAPITAL_COLUMNS), money)
    budget = (score_budget(budget_lines, tolerance_pct=float(
        tolerance if tolerance is not None else DEFAULT_BUDGET_TOLERANCE_PCT),
        materiality=settings.get("materiality"), schemes=master.schemes)
        if len(budget_lines) else pd.DataFrame())
    capital = score_capital(capital_lines) if len(capital_lines) else pd.DataFrame()
    chosen = (tuple(s for s in SECTIONS if s in set(sections)) if sections is not None
              else parse_sections(_setting(settings, "Report sections")))
    return ReportData(
        council=str(settings.get("council") or "Council"),
        directorate=str(settings.get("directorate") or ""),
        period=reporting,
        generated=generated or dt.date.today(),
        scored=scored,
        history=hist,
        budget=budget,
        capital=capital,
        sections=chosen,
        register=prepare_measures(master.usable_register),
        schemes=master.schemes,
    )
