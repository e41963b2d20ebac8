"""The CAP family: the programmes of a capital programme return.

A programme's revised estimate may be left blank (the master's Capital sheet's stands:
:func:`capital_estimates`); its revised base budget is locked (checked by FILE-018 against
:func:`programmes`); spending beyond the revised estimate needs an explanation
(``FIN-005``). The amounts every line gives (``FIN-001``, ``FIN-007``) are the FIN family's.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from xlperf.core.values import parse_values
from xlperf.validate._frames import _num, _text
from xlperf.validate.engine import Batch, Failing
from xlperf.validate.registry import check

__all__ = ["capital_estimates", "programmes"]


def programmes(facts: Any) -> pd.DataFrame | None:
    """The master's capital programmes of the reporting period, by name (None: none)."""
    if facts is None or not len(facts.capital) or "programme" not in facts.capital.columns:
        return None
    if "programmes" not in facts.cache:
        facts.cache["programmes"] = facts.capital.assign(
            programme=facts.capital["programme"].map(_text)).drop_duplicates(
            "programme").set_index("programme")
    return facts.cache["programmes"]


def capital_estimates(rows: pd.DataFrame, facts: Any) -> None:
    """A programme's revised estimate left blank is the master's."""
    found = programmes(facts)
    if found is None or "estimate" not in found.columns:
        return
    master_estimate = parse_values(found["estimate"].reindex(
        rows["line"].to_numpy(dtype=object)).astype(object))["number"].to_numpy()
    estimate = rows["Revised estimate"].to_numpy()
    rows["Revised estimate"] = np.where(rows["capital"].to_numpy(dtype=bool)
                                        & np.isnan(estimate), master_estimate, estimate)


@check("FIN-005", family="CAP", needs=("Actual to date", "Revised estimate", "explained",
                                       "lines"),
       cell="Actual to date", value="Actual to date", pandera=True,
       explain=lambda failing, batch: _estimate(failing, batch))
def beyond_estimate(rows: pd.DataFrame) -> pd.Series:
    """Spending to date beyond the programme's revised estimate, with no explanation."""
    return (rows["Actual to date"] > rows["Revised estimate"]) & ~rows["explained"] & \
        rows["lines"]


def _estimate(failing: Failing, batch: Batch) -> pd.DataFrame:
    return pd.DataFrame({"estimate": [_num(v) for v in failing["Revised estimate"]]},
                        index=failing.index)
