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
        if kind == "revenue":  # the directorate total's explanation, from its owner's return
            from xlperf.core.budget import is_directorate_total

            numbered |= (part["line"].map(is_directorate_total).to_numpy(dtype=bool)
                         & part["explanation"].notna().to_numpy())
        parts.append(part[numbered] if kind == "revenue" else part)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["kind", "line"])


def _finance(master: Master, returned: list[pd.DataFrame], period: Any,
             capital_returned: Sequence[pd.DataFrame] = ()) -> tuple[FinanceData, pd.DataFrame]:
    """The Finance sheet's budget monitoring (:func:`xlperf.core.monitoring.monitor`, as the
    committee report works it out) with forecasts and estimates from accepted returns; and the
    figures taken from returns, one row per line or programme, as the ledger records them."""
    from xlperf.core.monitoring import monitor
    from xlperf.core.periods import parse_period
    from xlperf.write.outputs import FinanceData

    settings = master.settings
    money = monitor(master.budget, master.capital, period,
                    _returned_money(returned, capital_returned),
                    tolerance_pct=float(settings.budget_tolerance_pct),
                    materiality=float(settings.materiality), scheme=master.default_scheme,
                    schemes=master.schemes)
    return (FinanceData(lines=money.lines, total=money.total, crossfoot=money.crossfoot,
                        capital=money.capital, capital_label=parse_period(period).format(),
                        capital_total=money.capital_total,
                        capital_history=money.capital_history), money.applied)


