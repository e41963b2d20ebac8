"""The Finance sheet's figures: the master's Budget and Capital sheets, with the forecasts and
estimates taken from accepted finance and capital programme returns."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from xlperf.read.master import Master
    from xlperf.write.outputs import FinanceData


def _returned_money(finance: Sequence[pd.DataFrame], capital: Sequence[pd.DataFrame]
                    ) -> pd.DataFrame:
    """The figures the accepted rows of finance and capital programme returns give, a row
    each, as :func:`~xlperf.core.budget.with_returned` takes them (a finance row only when
    its forecast outturn is a number)."""
    from xlperf.core.values import parse_values

    parts = []
    for frames, kind, name, figures in (
            (finance, "revenue", "Service area", {"forecast": "Forecast outturn"}),
            (capital, "capital", "Programme", {"estimate": "Revised estimate",
                                               "actual": "Actual to date"})):
        if not frames:
            continue
        rows = pd.concat(frames, ignore_index=True)

        def cells(header: str, rows: pd.DataFrame = rows) -> pd.Series:
            return (rows[header].astype(object) if header in rows.columns
                    else pd.Series(None, index=rows.index, dtype=object))

        part = pd.DataFrame({"kind": kind, "line": cells(name)})
        numbered = np.zeros(len(rows), dtype=bool)
        for key, header in figures.items():
            parsed = parse_values(cells(header))
            number = (parsed["kind"] == "number").to_numpy()
            part[key] = np.where(number, parsed["number"].to_numpy(), np.nan)
            numbered |= number
        part["explanation"] = [str(v).strip() if v is not None and str(v).strip() else None
                               for v in cells("Explanation")]
        part["source_file"], part["cell"] = cells("Source file"), cells("Cell")
        parts.append(part[numbered] if kind == "revenue" else part)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["kind", "line"])


def _finance(master: Master, returned: list[pd.DataFrame], period: Any,
             capital_returned: Sequence[pd.DataFrame] = ()) -> tuple[FinanceData, pd.DataFrame]:
    """Revenue lines (forecasts from accepted finance returns where given, else the master's
    Budget sheet), the total, the cross-foot check and the capital programme; and the figures
    taken from returns, one row per line or programme, as the ledger records them."""
    from xlperf.core.budget import (
        crossfoot,
        ends_with_total,
        score_budget,
        score_capital,
        with_returned,
    )
    from xlperf.core.columns import BUDGET_COLUMNS, fold, normalise_columns
    from xlperf.core.periods import parse_period
    from xlperf.core.values import parse_values
    from xlperf.write.outputs import FinanceData

    budget = master.budget
    frame = (normalise_columns(budget, BUDGET_COLUMNS) if budget is not None and len(budget)
             else pd.DataFrame())
    usable = "line" in frame.columns and "budget" in frame.columns
    frame, programmes, applied = with_returned(
        frame if usable else pd.DataFrame(), _programmes(master, period),
        _returned_money(returned, capital_returned))
    capital = score_capital(programmes) if len(programmes) else pd.DataFrame()
    label = parse_period(period).format()
    if budget is None or budget.empty:
        return FinanceData(capital=capital, capital_label=label), applied
    if not usable:
        return FinanceData(), pd.DataFrame()
    has_total = ends_with_total(frame)
    lines = frame.iloc[:-1].copy() if has_total else frame.copy()
    total = frame.iloc[-1] if has_total else None
    holder = next((c for c in budget.columns if fold(c) == "budget holder"), None)
    lines["holder"] = budget.loc[lines.index, holder].to_numpy() if holder else None
    lines["source"] = "master (Budget sheet)"
    if "forecast" not in lines.columns:
        lines["forecast"] = np.nan
    revenue = applied[applied["kind"] == "revenue"] if len(applied) else applied
    for at, file, cell in zip(revenue.get("at", ()), revenue.get("source_file", ()),
                              revenue.get("cell", ()), strict=True):
        lines.at[at, "source"] = f"return {file} {cell}"
    settings = master.settings
    scored = score_budget(lines.drop(columns=["tolerance_pct"], errors="ignore"),
                          tolerance_pct=float(settings.budget_tolerance_pct),
                          materiality=float(settings.materiality),
                          scheme=master.default_scheme, schemes=master.schemes)
    scored["holder"], scored["source"] = lines["holder"].to_numpy(), lines["source"].to_numpy()
    problems: list[str] = []
    total_row = None
    if total is not None:
        # (a taken forecast has made the total's the sum of the lines: with_returned)
        numbers = {c: parse_values(pd.Series([total.get(c)], dtype=object))["number"].iloc[0]
                   for c in ("gross_budget", "budget", "forecast") if c in frame.columns}
        total_row = {"line": total.get("line"), **numbers}
        check = pd.DataFrame({c: lines[c] for c in numbers if c in lines.columns})
        check["forecast"] = scored["forecast"].to_numpy()
        problems = [p.message for p in crossfoot(check, numbers, list(numbers))]
    return (FinanceData(lines=scored, total=total_row, crossfoot=tuple(problems),
                        capital=capital, capital_label=label), applied)


def _programmes(master: Master, period: Any) -> pd.DataFrame:
    """The master's capital programmes of ``period``'s quarter (every one when the sheet has
    none of it), normalised; empty without a base budget and an estimate."""
    from xlperf.core.budget import capital_for_period
    from xlperf.core.columns import CAPITAL_COLUMNS, normalise_columns
    from xlperf.core.periods import parse_period

    capital = master.capital
    if capital is None or capital.empty:
        return pd.DataFrame()
    frame = normalise_columns(capital, CAPITAL_COLUMNS)
    if "base_budget" not in frame.columns or "estimate" not in frame.columns:
        return pd.DataFrame()
    of_period = capital_for_period(capital, parse_period(period))
    return normalise_columns(of_period if len(of_period) else capital, CAPITAL_COLUMNS)

