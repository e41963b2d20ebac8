"""Budget monitoring: revenue variance and status, cross-footing, capital variance and slippage.

Revenue, per service area: variance = forecast outturn − budget, so a positive variance is an
overspend (worse). Budget status uses the same schemes as measures with smaller (spend) better
and the tolerance a % of the budget. Lines must add up to the total in every column
(:func:`crossfoot`); a material variance needs an explanation.

Capital, per programme: variance = revised estimate − revised base budget; slippage is budget
not expected to be spent this year (base budget above the estimate); spend to date as a % of the
estimate.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from xlperf.core._arrays import broadcast, format_number
from xlperf.core.columns import BUDGET_COLUMNS, CAPITAL_COLUMNS, fold, normalise_columns
from xlperf.core.periods import parse_period
from xlperf.core.polarity import Polarity
from xlperf.core.schemes import Scheme, _tidy
from xlperf.core.status import RELATIVE, _numbers, rate
from xlperf.errors import InputError

OVERSPEND, UNDERSPEND, ON_BUDGET = "overspend", "underspend", "on budget"
DEFAULT_BUDGET_TOLERANCE_PCT = 1.0


def budget_variances(budget: Any, forecast: Any) -> pd.DataFrame:
    """Forecast − budget, as £ and % of budget, with the word for it.

    >>> budget_variances(42_300_000, 43_100_000).iloc[0].to_dict()
    {'variance': 800000.0, 'variance_pct': 1.8912529551, 'variance_note': None, \
'spend': 'overspend'}
    """
    (b_raw, f_raw), _, index = broadcast(budget, forecast)
    b, _ = _numbers(b_raw)
    f, _ = _numbers(f_raw)
    variance = _tidy(f - b)
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where((b != 0) & ~np.isnan(b), np.round(variance / np.abs(b) * 100, 10), np.nan)
    note = np.full(len(b), None, dtype=object)
    note[b == 0] = "budget is 0"
    note[np.isnan(b)] = "no budget"
    note[np.isnan(f)] = "no forecast"
    spend = np.full(len(b), ON_BUDGET, dtype=object)
    spend[variance > 0] = OVERSPEND
    spend[variance < 0] = UNDERSPEND
    spend[np.isnan(variance)] = None
    return pd.DataFrame({"variance": variance, "variance_pct": pct, "variance_note": note,
                         "spend": spend},
                        index=index if index is not None and len(index) == len(b) else None)


def budget_status(budget: Any, forecast: Any, tolerance_pct: Any = DEFAULT_BUDGET_TOLERANCE_PCT,
                  scheme: Any = "rag", *, schemes: Mapping[str, Scheme] | None = None
                  ) -> pd.DataFrame:
    """Vectorised budget status: forecast against budget, smaller spend better, tolerance a %
    of budget. Returns :func:`~xlperf.core.status.rate`'s columns.

    >>> budget_status(20_500, 20_000)["status"].iloc[0]
    'Green'
    >>> budget_status(42_300, 43_100, 1.0)["status"].iloc[0]
    'Red'
    """
    return rate(forecast, budget, Polarity.LOWER, tolerance_pct, RELATIVE, scheme,
                schemes=schemes)


def score_budget(lines: pd.DataFrame, *, tolerance_pct: float = DEFAULT_BUDGET_TOLERANCE_PCT,
                 materiality: float | None = None, scheme: str = "rag",
                 schemes: Mapping[str, Scheme] | None = None) -> pd.DataFrame:
    """Score revenue budget lines.

    ``lines`` has a line name (``Service area``), ``Net budget`` and ``Forecast outturn`` (any
    of the headers in :data:`~xlperf.core.columns.BUDGET_COLUMNS`), optionally ``Gross budget``,
    a per-line ``Tolerance %`` and an ``Explanation``. Adds ``variance``, ``variance_pct``,
    ``spend`` (overspend / underspend / on budget), ``status``, ``symbol``, ``colour`` and
    ``needs_explanation`` (the variance is at least ``materiality`` in absolute terms and there
    is no explanation). The input is not changed.

    >>> lines = pd.DataFrame({"Service area": ["Children in care", "Safeguarding"],
    ...                       "Net budget": [18_900, 20_500], "Forecast outturn": [21_370, 19_986]})
    >>> score_budget(lines)[["line", "variance", "spend", "status"]].values.tolist()
    [['Children in care', 2470.0, 'overspend', 'Red'], ['Safeguarding', -514.0, 'underspend', \
'Green']]
    """
    frame = normalise_columns(lines, BUDGET_COLUMNS).copy()
    for required in ("budget", "forecast"):
        if required not in frame.columns:
            raise InputError(f"budget lines need a {required!r} column (e.g. 'Net budget', "
                             "'Forecast outturn')")
    tol = (frame["tolerance_pct"].fillna(tolerance_pct) if "tolerance_pct" in frame.columns
           else pd.Series(tolerance_pct, index=frame.index))
    variances = budget_variances(frame["budget"], frame["forecast"])
    rated = budget_status(frame["budget"], frame["forecast"], tol, scheme, schemes=schemes)
    frame["budget"] = rated["target"].to_numpy()
    frame["forecast"] = rated["actual"].to_numpy()
    for column in ("variance", "variance_pct", "variance_note", "spend"):
        frame[column] = variances[column].to_numpy()
    for column in ("status", "symbol", "colour", "severity"):
        frame[column] = rated[column].to_numpy()
    explained = (frame["explanation"].fillna("").astype(str).str.strip() != ""
                 if "explanation" in frame.columns else pd.Series(False, index=frame.index))
    if materiality is None:
        frame["needs_explanation"] = False
    else:
        material = frame["variance"].abs() >= materiality
        frame["needs_explanation"] = (material & ~explained).to_numpy()
    return frame


@dataclass(frozen=True)
class CrossfootProblem:
    """A column whose lines do not add up to its total row."""

    column: str
    lines_total: float
    total: float

    @property
    def difference(self) -> float:
        return float(np.round(self.total - self.lines_total, 9))

    @property
    def message(self) -> str:
        """``"Net budget: lines add to 45,239, total says 45,329 (difference 90)"``."""
        return (f"{self.column}: lines add to {format_number(self.lines_total)}, total says "
                f"{format_number(self.total)} (difference {format_number(abs(self.difference))})")


def crossfoot(lines: pd.DataFrame, total: pd.Series | Mapping[str, Any],
              columns: Sequence[str] | None = None, allowance: float = 0.5
              ) -> list[CrossfootProblem]:
    """Check that the lines add up to the total in every numeric column, within ``allowance``
    (rounding in £000s tables). Returns one problem per column that does not; none when it foots.

    >>> lines = pd.DataFrame({"Net budget": [10_000, 20_000, 15_239]})
    >>> [p.message for p in crossfoot(lines, {"Net budget": 45_329})]
    ['Net budget: lines add to 45,239, total says 45,329 (difference 90)']
    """
    total_row = pd.Series(total)
    names: Iterable[str] = columns if columns is not None else [
        c for c in lines.columns if c in total_row.index]
    problems = []
    for column in names:
        numbers, _ = _numbers(lines[column].to_numpy(dtype=object))
        stated, _ = _numbers(np.asarray([total_row.get(column)], dtype=object))
        lines_total = float(np.nansum(numbers))
        if np.isnan(stated[0]):
            if lines_total != 0:
                problems.append(CrossfootProblem(str(column), lines_total, float("nan")))
            continue
        if abs(round(stated[0] - lines_total, 9)) > allowance:
            problems.append(CrossfootProblem(str(column), lines_total, float(stated[0])))
    return problems


def score_capital(programmes: pd.DataFrame) -> pd.DataFrame:
    """Capital variance, slippage and spend to date per programme.

    Columns in (any header of :data:`~xlperf.core.columns.CAPITAL_COLUMNS`): ``Programme``,
    ``Revised base budget``, ``Revised estimate``, ``Actual to date``. Adds ``variance``
    (estimate − base budget), ``slippage`` (base budget not expected to be spent this year, 0
    when none), ``spend_pct`` (actual to date as a % of the estimate) and ``over_estimate``
    (actual to date above the estimate).

    >>> caps = pd.DataFrame({"Programme": ["Schools"], "Revised base budget": [5000],
    ...                      "Revised estimate": [4200], "Actual to date": [2100]})
    >>> score_capital(caps)[["variance", "slippage", "spend_pct"]].iloc[0].tolist()
    [-800.0, 800.0, 50.0]
    """
    frame = normalise_columns(programmes, CAPITAL_COLUMNS).copy()
    for required in ("base_budget", "estimate"):
        if required not in frame.columns:
            raise InputError(f"capital programmes need a {required!r} column")
    base, _ = _numbers(frame["base_budget"].to_numpy(dtype=object))
    estimate, _ = _numbers(frame["estimate"].to_numpy(dtype=object))
    actual = (_numbers(frame["actual"].to_numpy(dtype=object))[0] if "actual" in frame.columns
              else np.full(len(frame), np.nan))
    frame["base_budget"], frame["estimate"], frame["actual"] = base, estimate, actual
    frame["variance"] = _tidy(estimate - base)
    frame["slippage"] = np.where(np.isnan(base) | np.isnan(estimate), np.nan,
                                 np.maximum(_tidy(base - estimate), 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["spend_pct"] = np.where(estimate > 0, np.round(actual / estimate * 100, 9), np.nan)
    frame["over_estimate"] = actual > estimate
    return frame


def period_key(value: Any) -> str | None:
    """A Quarter cell's period key (``2013/14-Q2``), or None when it is not a period.

    >>> period_key("Q2 2013/14"), period_key("2013/14 Q2"), period_key("soon")
    ('2013/14-Q2', '2013/14-Q2', None)
    """
    try:
        return parse_period(value).format("iso")
    except (InputError, TypeError, ValueError):
        return None


def capital_for_period(capital: pd.DataFrame | None, period: Any) -> pd.DataFrame:
    """The rows of a Capital sheet that name a programme and, when the sheet has a Quarter
    column, are of ``period``'s quarter (the sheet's own headers and index kept; empty when
    there are none). A total row (its name says total, as on the Budget sheet) is not a
    programme.

    >>> caps = pd.DataFrame({"Programme": ["Schools", "Schools", None, "Hubs", "Total"],
    ...                      "Quarter": ["Q1 2013/14", "Q2 2013/14", "Q2 2013/14", "2013/14 Q2",
    ...                                  "Q2 2013/14"]})
    >>> capital_for_period(caps, "Q2 2013/14").index.tolist()
    [1, 3]
    """
    if capital is None or capital.empty:
        return pd.DataFrame()
    frame = normalise_columns(capital, CAPITAL_COLUMNS)
    if "programme" not in frame.columns:
        return capital.iloc[:0]
    names = frame["programme"].to_numpy(dtype=object)
    keep = np.array([v is not None and not (isinstance(v, float) and np.isnan(v))
                     and str(v).strip() != "" and not is_total_line(v)
                     for v in names], dtype=bool)
    if "quarter" in frame.columns:
        wanted = parse_period(period).format("iso")
        keys = {value: period_key(value) for value in dict.fromkeys(frame["quarter"].astype(str))}
        keep &= (frame["quarter"].astype(str).map(keys) == wanted).to_numpy(dtype=bool)
    return capital[keep]


# What a return may give for a budget line (revenue) or a capital programme, by kind.
RETURNED_FIGURES = {"revenue": ("line", ("forecast",)),
                    "capital": ("programme", ("estimate", "actual"))}


def with_returned(lines: pd.DataFrame, programmes: pd.DataFrame, money: pd.DataFrame
                  ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Budget lines and capital programmes (normalised: the keys of
    :data:`~xlperf.core.columns.BUDGET_COLUMNS` and ``CAPITAL_COLUMNS``) with the figures
    returns gave for them, as the refresh's Finance sheet and the committee report show them.

    ``money`` has a row per returned line or programme: ``kind`` (``revenue`` or
    ``capital``), ``line`` (its name), the numbers ``forecast`` (revenue) or ``estimate`` and
    ``actual`` (capital), ``explanation``, and anything else (where it came from), kept.
    Rows are matched by name, case and spacing aside, the later winning; a blank figure or
    explanation leaves the sheet's. When a line's forecast is taken and the last budget row
    is a total (its name says so, and it is never matched), its forecast becomes the sum of
    the lines. Returns both frames and the ``money`` rows applied, with ``line`` as the sheet
    names it and ``at``, the row's label.

    >>> lines = pd.DataFrame({"line": ["Early help", "Total"], "budget": [5380, 5380],
    ...                       "forecast": [5380, 5380]})
    >>> money = pd.DataFrame({"kind": ["revenue"], "line": ["early  HELP"],
    ...                       "forecast": [5402.0], "explanation": [None]})
    >>> new_lines, _, applied = with_returned(lines, pd.DataFrame(), money)
    >>> new_lines["forecast"].tolist(), applied["line"].tolist()
    ([5402.0, 5402.0], ['Early help'])
    """
    frames = {"revenue": lines.copy(), "capital": programmes.copy()}
    applied: list[dict[str, Any]] = []
    for kind, (name, figures) in RETURNED_FIGURES.items():
        frame = frames[kind]
        rows = money[money["kind"] == kind] if len(money) else money
        if frame.empty or rows.empty or name not in frame.columns:
            continue
        names = ["" if _blank(v) else fold(v) for v in frame[name]]
        total = kind == "revenue" and ends_with_total(frame)
        by_name = {n: label for n, label in zip(names[:-1] if total else names, frame.index,
                                                strict=False) if n}
        for column in (*figures, "explanation"):
            frame[column] = (frame[column] if column in frame.columns else None)
            frame[column] = frame[column].astype(object)
        for record in rows.to_dict("records"):
            if total and is_directorate_total(record.get("line")):
                # The directorate total's owner explains it; its figures stay the sheet's.
                if not _blank(record.get("explanation")):
                    at = frame.index[-1]
                    frame.at[at, "explanation"] = record["explanation"]
                    applied.append({**record, "line": str(frame.at[at, name]), "at": at,
                                    "forecast": np.nan})
                continue
            at = by_name.get("" if _blank(record.get("line")) else fold(record["line"]))
            if at is None:
                continue
            for column in (*figures, "explanation"):
                if not _blank(record.get(column)):
                    frame.at[at, column] = record[column]
            applied.append({**record, "line": str(frame.at[at, name]), "at": at})
        if total and any(a["kind"] == "revenue" and a["at"] != frame.index[-1]
                         for a in applied):
            forecasts, _ = _numbers(frame["forecast"].iloc[:-1].to_numpy(dtype=object))
            frame.at[frame.index[-1], "forecast"] = float(np.nansum(forecasts))
    return frames["revenue"], frames["capital"], pd.DataFrame(applied)


def is_total_line(name: Any) -> bool:
    """A budget line, capital programme or return row that is a total: its name says
    "total" (``Directorate total``, the templates' ``Total``).

    >>> is_total_line("Total"), is_total_line("Children in care"), is_total_line(None)
    (True, False, False)
    """
    return isinstance(name, str) and "total" in name.casefold()


#: The name of a return template's own total row (the SUM of the holder's lines).
TEMPLATE_TOTAL = "Total"


def is_directorate_total(name: Any) -> bool:
    """A finance return's row that is the directorate total (the Budget sheet's total row on
    its owner's return), not the template's own ``Total`` of the holder's lines.

    >>> is_directorate_total("Directorate total"), is_directorate_total("Total")
    (True, False)
    """
    return is_total_line(name) and name.strip().casefold() != TEMPLATE_TOTAL.casefold()


def ends_with_total(lines: pd.DataFrame) -> bool:
    """The last of the budget ``lines`` (normalised) is their total: there is more than one
    and its name says "total".

    >>> ends_with_total(pd.DataFrame({"line": ["Early help", "Directorate total"]}))
    True
    """
    return len(lines) > 1 and "line" in lines.columns and is_total_line(lines["line"].iloc[-1])


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or (
        isinstance(value, str) and not value.strip())
