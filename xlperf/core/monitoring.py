"""Budget monitoring for one period, worked out once for every door (the refresh's Finance
sheet and the committee report's finance page): the master's Budget and Capital sheets with
the figures returns gave, scored, the directorate total with its own status and explanation,
the cross-foot check, and the capital programme's four quarters of the year.

Pure: frames in, frames out (:mod:`xlperf.core.budget` does the arithmetic).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from xlperf.core.budget import (
    capital_for_period,
    crossfoot,
    ends_with_total,
    is_total_line,
    period_key,
    score_budget,
    score_capital,
    with_returned,
)
from xlperf.core.columns import BUDGET_COLUMNS, CAPITAL_COLUMNS, fold, normalise_columns
from xlperf.core.periods import Period, parse_period
from xlperf.core.schemes import Scheme
from xlperf.errors import InputError

_MONEY_HEADERS = {"gross_budget": "Gross budget", "budget": "Net budget",
                  "forecast": "Forecast outturn"}
# What each quarter of the capital history shows, in the column order of the table.
HISTORY_FIGURES = (("estimate", "Revised estimate"), ("actual", "Actual to date"))


@dataclass(frozen=True)
class BudgetMonitoring:
    """One period's budget monitoring.

    - ``lines``: the scored revenue lines (:func:`~xlperf.core.budget.score_budget`'s columns,
      ``holder`` and ``source``), without the total;
    - ``total``: the directorate total scored like a line (gross, net, forecast, variance,
      status, explanation, ``needs_explanation``), or None when the sheet has no total row;
    - ``crossfoot``: what does not add up, a sentence per column;
    - ``capital``: the period's programmes, scored (:func:`~xlperf.core.budget.score_capital`);
    - ``capital_total``: the programmes' sums (base budget, estimate, actual, variance,
      slippage), the share spent and the explanation of the Capital sheet's own total row of
      the period (its name says total), when there are programmes;
    - ``capital_history``: a row per programme, for each quarter of the year up to the period
      its revised estimate and actual to date (:func:`capital_history`);
    - ``applied``: the figures taken from returns, a row per line or programme.
    """

    lines: pd.DataFrame = field(default_factory=pd.DataFrame)
    total: Mapping[str, Any] | None = None
    crossfoot: tuple[str, ...] = ()
    capital: pd.DataFrame = field(default_factory=pd.DataFrame)
    capital_total: Mapping[str, Any] | None = None
    capital_history: pd.DataFrame = field(default_factory=pd.DataFrame)
    applied: pd.DataFrame = field(default_factory=pd.DataFrame)


def _named(frame: pd.DataFrame | None) -> pd.DataFrame:
    """The rows of a Budget or Capital sheet whose first cell names something."""
    if frame is None or frame.empty:
        return pd.DataFrame()
    first = frame[frame.columns[0]].to_numpy(dtype=object)
    keep = np.array([v is not None and not (isinstance(v, float) and np.isnan(v))
                     and str(v).strip() not in ("", "nan") for v in first], dtype=bool)
    return frame[keep]


def monitor(budget: pd.DataFrame | None, capital: pd.DataFrame | None, period: Any,
            returned: pd.DataFrame | None = None, *, tolerance_pct: float,
            materiality: float | None, scheme: str = "rag",
            schemes: Mapping[str, Scheme] | None = None) -> BudgetMonitoring:
    """Budget monitoring for ``period`` from the master's Budget and Capital sheets (as read)
    and ``returned``, the figures returns gave (:func:`~xlperf.core.budget.with_returned`'s
    ``money``).

    The total row (the Budget sheet's last, when its name says total) is scored like a line,
    so it has its own variance, status and "needs an explanation" when its variance is
    material and nobody explained it; its forecast is the sum of the lines' once a return gave
    one.

    >>> budget = pd.DataFrame({"Service area": ["Care", "Help", "Directorate total"],
    ...                        "Net budget": [100, 50, 150], "Forecast outturn": [180, 50, 230]})
    >>> m = monitor(budget, None, "Q2 2013/14", tolerance_pct=1, materiality=50)
    >>> m.total["variance"], m.total["status"], bool(m.total["needs_explanation"])
    (80.0, 'Red', True)
    """
    money = returned if returned is not None else pd.DataFrame(columns=["kind", "line"])
    lines = _named(budget)
    frame = normalise_columns(lines, BUDGET_COLUMNS) if len(lines) else pd.DataFrame()
    usable = "line" in frame.columns and "budget" in frame.columns
    programmes = _programmes(capital, period)
    frame, programmes, applied = with_returned(frame if usable else pd.DataFrame(),
                                               programmes, money)
    scored_capital = score_capital(programmes) if len(programmes) else pd.DataFrame()
    history = capital_history(capital, period, scored_capital)
    capital_sum = capital_total(scored_capital, capital, period)
    if not usable:
        return BudgetMonitoring(capital=scored_capital, capital_total=capital_sum,
                                capital_history=history,
                                applied=applied)
    if "forecast" not in frame.columns:
        frame["forecast"] = np.nan
    holder = next((c for c in lines.columns if fold(c) == "budget holder"), None)
    frame["holder"] = lines[holder].to_numpy() if holder else None
    frame["source"] = "master (Budget sheet)"
    revenue = applied[applied["kind"] == "revenue"] if len(applied) else applied
    for at, file, cell in zip(revenue.get("at", ()), revenue.get("source_file", ()),
                              revenue.get("cell", ()), strict=True):
        frame.at[at, "source"] = f"return {file} {cell}"
    scored = score_budget(frame.drop(columns=["tolerance_pct"], errors="ignore"),
                          tolerance_pct=tolerance_pct, materiality=materiality, scheme=scheme,
                          schemes=schemes)
    scored["holder"], scored["source"] = frame["holder"].to_numpy(), frame["source"].to_numpy()
    if not ends_with_total(frame):
        return BudgetMonitoring(lines=scored, capital=scored_capital, capital_total=capital_sum,
                                capital_history=history,
                                applied=applied)
    total = scored.iloc[-1].to_dict()
    last = frame.index[-1]
    lines_returned = [a for a in revenue.get("at", ()) if a != last]
    explained = [f"return {file}" for at, file in zip(revenue.get("at", ()),
                                                      revenue.get("source_file", ()),
                                                      strict=True) if at == last]
    total["source"] = "master (Budget sheet)" + (
        ": its lines' forecasts added up" if lines_returned else "") + (
        f"; explanation from {explained[-1]}" if explained else "")
    body = scored.iloc[:-1]
    # Checked under the sheet's headers, so the sentence names the column as the sheet does.
    headers = {c: h for c, h in _MONEY_HEADERS.items() if c in frame.columns}
    stated = {h: total.get(c) for c, h in headers.items()}
    problems = tuple(p.message for p in crossfoot(body.rename(columns=headers), stated,
                                                  list(stated)))
    return BudgetMonitoring(lines=body, total=total, crossfoot=problems, capital=scored_capital,
                            capital_total=capital_sum, capital_history=history, applied=applied)


def _programmes(capital: pd.DataFrame | None, period: Any) -> pd.DataFrame:
    """The Capital sheet's programmes of ``period``'s quarter (when it has none yet, the
    latest earlier quarter's; every row when the sheet has no Quarter column), normalised;
    empty without a base budget and an estimate."""
    capital = _named(capital)
    if capital.empty:
        return pd.DataFrame()
    frame = normalise_columns(capital, CAPITAL_COLUMNS)
    if "base_budget" not in frame.columns or "estimate" not in frame.columns:
        return pd.DataFrame()
    of_period = capital_for_period(capital, period)
    if not len(of_period) and "quarter" in frame.columns:
        # No rows for the period yet: the latest quarter's before it (every row without one).
        wanted = parse_period(period)
        earlier = sorted({q for q in (_quarter(v) for v in frame["quarter"])
                          if q is not None and q.end <= wanted.end})
        if earlier:
            of_period = capital_for_period(capital, earlier[-1])
    return normalise_columns(of_period if len(of_period) else capital, CAPITAL_COLUMNS)


CAPITAL_SUMS = ("base_budget", "estimate", "actual", "variance", "slippage")


def capital_total(programmes: pd.DataFrame, capital: pd.DataFrame | None = None,
                  period: Any = None) -> dict[str, Any] | None:
    """The capital programme's total: the sums of the scored ``programmes``
    (:data:`CAPITAL_SUMS`), ``spend_pct`` (actual over estimate) and the ``explanation`` the
    Capital sheet's own total row of ``period`` gives (a total row is never a programme:
    :func:`~xlperf.core.budget.capital_for_period`). None without programmes.

    >>> caps = score_capital(pd.DataFrame({"Programme": ["Schools", "Hubs"],
    ...     "Revised base budget": [5000, 800], "Revised estimate": [4200, 800],
    ...     "Actual to date": [2100, 300]}))
    >>> total = capital_total(caps)
    >>> total["estimate"], total["slippage"], total["spend_pct"]
    (5000.0, 800.0, 48.0)
    """
    if programmes is None or programmes.empty:
        return None
    sums: dict[str, Any] = {
        c: (float(np.nansum(pd.to_numeric(programmes[c], errors="coerce").to_numpy(dtype=float)))
            if c in programmes.columns else None) for c in CAPITAL_SUMS}
    sums["spend_pct"] = (round(sums["actual"] / sums["estimate"] * 100, 9)
                         if sums["actual"] is not None and sums["estimate"] else None)
    sums["explanation"] = None
    named = _named(capital)
    if len(named):
        frame = normalise_columns(named, CAPITAL_COLUMNS)
        if "programme" in frame.columns and "explanation" in frame.columns:
            total = np.array(frame["programme"].map(is_total_line), dtype=bool)
            if "quarter" in frame.columns and period is not None:
                wanted = parse_period(period).format("iso")
                total &= (frame["quarter"].map(period_key) == wanted).to_numpy(dtype=bool)
            notes = [str(v).strip() for v in frame.loc[total, "explanation"]
                     if v is not None and str(v).strip() not in ("", "nan")]
            sums["explanation"] = notes[-1] if notes else None
    return sums


def _quarter(value: Any) -> Period | None:
    try:
        return parse_period(value)
    except (InputError, TypeError, ValueError):
        return None


def year_quarters(period: Any) -> list[Period]:
    """The four quarters of ``period``'s financial year, Q1 (April to June) first.

    >>> [q.format() for q in year_quarters("Sep-13")]
    ['Q1 2013/14', 'Q2 2013/14', 'Q3 2013/14', 'Q4 2013/14']
    """
    year = parse_period(period).year
    return [Period("quarter", year, n) for n in range(1, 5)]


def capital_history(capital: pd.DataFrame | None, period: Any,
                    current: pd.DataFrame | None = None) -> pd.DataFrame:
    """The capital programme's year so far: a row per programme (``programme``), and for each
    quarter of ``period``'s year, Q1 to Q4, its revised estimate and actual to date
    (``Q1 2013/14 estimate``, ``Q1 2013/14 actual``...), NaN for a quarter not reported yet
    or after ``period``. The Capital sheet keeps a row per programme and quarter; ``current``
    (the period's programmes as scored, with the figures returns gave) stands for the
    period's own quarter. Empty when the sheet has no Quarter column.

    >>> caps = pd.DataFrame({"Programme": ["Schools", "Schools"],
    ...                      "Quarter": ["Q1 2013/14", "Q2 2013/14"],
    ...                      "Revised base budget": [5000, 5000],
    ...                      "Revised estimate": [5000, 4200], "Actual to date": [900, 2100]})
    >>> row = capital_history(caps, "Q2 2013/14").iloc[0]
    >>> float(row["Q1 2013/14 actual"]), float(row["Q2 2013/14 estimate"])
    (900.0, 4200.0)
    >>> bool(np.isnan(row["Q3 2013/14 actual"]))
    True
    """
    capital = _named(capital)
    if capital.empty:
        return pd.DataFrame()
    frame = normalise_columns(capital, CAPITAL_COLUMNS)
    if "quarter" not in frame.columns or "programme" not in frame.columns:
        return pd.DataFrame()
    quarters = year_quarters(period)
    upto = parse_period(period).end
    own = next((q for q in quarters if q.contains(parse_period(period))), None)
    keys = {value: period_key(value) for value in dict.fromkeys(frame["quarter"].astype(str))}
    frame = frame.assign(_quarter=frame["quarter"].astype(str).map(keys))
    frame = frame[~frame["programme"].map(is_total_line).astype(bool)]
    names = list(dict.fromkeys(str(p).strip() for p in frame["programme"]))
    if current is not None and len(current) and "programme" in current.columns:
        names += [n for n in (str(p).strip() for p in current["programme"]) if n not in names]
    out = pd.DataFrame({"programme": names})
    folded = [fold(n) for n in names]
    for quarter in quarters:
        iso = quarter.format("iso")
        label = quarter.format()
        rows = frame[frame["_quarter"] == iso]
        if quarter == own and current is not None and len(current):
            rows = current.assign(_quarter=iso)
        at = {fold(str(p).strip()): i for i, p in zip(range(len(rows)), rows["programme"],
                                                      strict=True)}
        for key, _header in HISTORY_FIGURES:
            column = np.full(len(names), np.nan)
            if quarter.end <= upto and key in rows.columns:
                numbers = pd.to_numeric(rows[key], errors="coerce").to_numpy(dtype=float)
                for i, name in enumerate(folded):
                    if name in at:
                        column[i] = numbers[at[name]]
            out[f"{label} {key}"] = column
    return out


def history_columns(history: pd.DataFrame) -> tuple[str, list[tuple[str, str]]]:
    """The financial year of a :func:`capital_history` table and its figure columns in order,
    each with the header the Finance sheet and the report both print (the year is in their
    title, so ``Q1 revised estimate`` fits two lines).

    >>> history_columns(pd.DataFrame(columns=["programme", "Q1 2013/14 estimate",
    ...                                       "Q1 2013/14 actual"]))
    ('2013/14', [('Q1 revised estimate', 'Q1 2013/14 estimate'), \
('Q1 actual to date', 'Q1 2013/14 actual')])
    """
    quarters = list(dict.fromkeys(str(c).rsplit(" ", 1)[0] for c in history.columns[1:]))
    year = quarters[0].split(" ", 1)[-1] if quarters else ""
    return year, [(f"{q.split(' ', 1)[0]} {header.lower()}", f"{q} {key}")
                  for q in quarters for key, header in HISTORY_FIGURES]


__all__ = ["CAPITAL_SUMS", "HISTORY_FIGURES", "BudgetMonitoring", "capital_history",
           "capital_total", "history_columns", "monitor",
           "year_quarters"]
