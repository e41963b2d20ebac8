"""The refresh's output sheets as data: Scorecard, Objectives, Exceptions, Finance and Log.

:func:`build_outputs` is a pure function: scored measures (:func:`xlperf.score`'s result), their
six-period trend values, the budget and capital frames and the log lines in, one
:class:`~xlperf.write.lossless.SheetContent` per sheet out. The same inputs give the same
sheets, so a second refresh with the same returns writes the same bytes. Every sheet follows
:mod:`xlperf.layout`: a title in row 1, a note in row 2, a summary in row 3, headers in
row 4 (frozen under them).

Colour is never the only signal: a status cell holds its symbol and word, filled with the
scheme's colour, the text black or white, whichever contrasts more with that fill.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

# The sheets are three modules: what they share (styles, formats, sizing, print setup), the
# Scorecard, and the Objectives, Exceptions, Finance and Log sheets. Every name is importable
# from here, as it always was (``as`` marks a name kept here for its importers).
from xlperf.write._outputs_base import BOLD as BOLD
from xlperf.write._outputs_base import FLAG as FLAG
from xlperf.write._outputs_base import HEADER as HEADER
from xlperf.write._outputs_base import JUDGEMENT_FILL as JUDGEMENT_FILL
from xlperf.write._outputs_base import LINE_HEIGHT as LINE_HEIGHT
from xlperf.write._outputs_base import MAX_LINES as MAX_LINES
from xlperf.write._outputs_base import MISSING as MISSING
from xlperf.write._outputs_base import MONEY as MONEY
from xlperf.write._outputs_base import MONEY_VARIANCE as MONEY_VARIANCE
from xlperf.write._outputs_base import NOTE as NOTE
from xlperf.write._outputs_base import NUMBER as NUMBER
from xlperf.write._outputs_base import OBJECTIVE as OBJECTIVE
from xlperf.write._outputs_base import OK as OK
from xlperf.write._outputs_base import PERCENT_PLAIN as PERCENT_PLAIN
from xlperf.write._outputs_base import PRIORITY as PRIORITY
from xlperf.write._outputs_base import PROBLEM as PROBLEM
from xlperf.write._outputs_base import SPEC as SPEC
from xlperf.write._outputs_base import TITLE as TITLE
from xlperf.write._outputs_base import TOP as TOP
from xlperf.write._outputs_base import (
    TREND_COLUMNS,
    PrintOptions,
    contrast_ratio,
    contrast_text,
    sized_columns,
    unit_format,
)
from xlperf.write._outputs_base import TREND_DATA as TREND_DATA
from xlperf.write._outputs_base import VARIANCE as VARIANCE
from xlperf.write._outputs_base import VARIANCE_PCT as VARIANCE_PCT
from xlperf.write._outputs_base import WRAP as WRAP
from xlperf.write._outputs_base import _content as _content
from xlperf.write._outputs_base import _head as _head
from xlperf.write._outputs_base import luminance as luminance
from xlperf.write._outputs_base import shown_width as shown_width
from xlperf.write._outputs_base import sized_rows as sized_rows
from xlperf.write._outputs_base import status_style as status_style
from xlperf.write._outputs_scorecard import scorecard_sheet
from xlperf.write._outputs_sheets import CAPITAL_HEADERS as CAPITAL_HEADERS
from xlperf.write._outputs_sheets import REVENUE_HEADERS as REVENUE_HEADERS
from xlperf.write._outputs_sheets import (
    FinanceData,
    LogLine,
    exceptions_sheet,
    finance_sheet,
    log_sheet,
    objectives_sheet,
)
from xlperf.write.lossless import SheetContent

__all__ = ["TREND_COLUMNS", "FinanceData", "LogLine", "PrintOptions", "build_outputs",
           "contrast_ratio", "contrast_text", "exceptions_sheet", "finance_sheet", "log_sheet",
           "objectives_sheet", "scorecard_sheet", "sized_columns", "unit_format"]


def _plain(value: Any) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return " ".join(str(value).split())


# ------------------------------------------------------------------------------ all of them
def build_outputs(scored: pd.DataFrame, *, trend: np.ndarray | None = None,
                  period: str = "", council: str = "", finance: FinanceData | None = None,
                  log: Sequence[LogLine] = (), log_summary: str = "",
                  refreshed: str = "", paper: str = "A4", marking: str = "",
                  returns: Any = None,
                  previous: pd.DataFrame | None = None,
                  governance: Any = None,
                  activity: pd.DataFrame | None = None,
                  objective_sheets: Mapping[str, pd.DataFrame] | None = None,
                  milestones_in_rollup: bool = False,
                  risk_ratings: Sequence[str] | None = None,
                  judgements: pd.DataFrame | None = None) -> dict[str, SheetContent]:
    """Every output sheet, in the order of :data:`~xlperf.layout.OUTPUT_SHEETS`.

    Each prints on ``paper`` (A4 or A3) landscape with the council and period in its header
    and "Page 1 of N", ``refreshed`` (the refresh's time) and the protective ``marking``
    (e.g. OFFICIAL) in its footer.
    ``returns`` (a :class:`~xlperf.collection.CollectionStatus`) adds the Returns sheet
    (:mod:`xlperf.write.returns_sheet`). ``previous`` (the last period's scored frame) adds
    each objective's direction of travel to the Objectives sheet. ``governance`` (a
    :class:`~xlperf.core.governance.GovernanceBlock` with something to print) adds the
    Governance sheet (:mod:`xlperf.write._outputs_governance`). ``objective_sheets`` (the
    master's Milestones, Projects and Risks sheets, ``master.objective_sheets``) with
    ``activity`` (what services returned for them: :data:`~xlperf.core.activity.
    ACTIVITY_COLUMNS`; None or empty: every milestone is Not reported) add the Key activities
    sheet and the Objectives sheet's milestone, project and risk counts; ``risk_ratings`` is
    the council's risk scale and ``milestones_in_rollup`` its ``Milestones in objective
    roll-up`` setting (:mod:`xlperf.core.activity`).
    ``judgements`` (the director's for the period,
    :func:`~xlperf.core.overrides.judgements_at`; None when none) adds the director's
    judgement, commentary, name and override flag beside each objective's computed judgement.
    Pure: nothing here reads a clock or a file, so equal inputs give equal sheets.
    """
    options = PrintOptions(council=council, period=period, refreshed=refreshed, paper=paper,
                           marking=marking)
    where = f"{council}: " if council else ""
    from xlperf.core.activity import objective_activity
    from xlperf.core.milestones import DEFAULT_RISK_RATINGS

    block = objective_activity(objective_sheets, activity, period or None,
                               ratings=tuple(risk_ratings or DEFAULT_RISK_RATINGS),
                               in_rollup=milestones_in_rollup)
    counts = scored["status"].value_counts() if len(scored) else pd.Series(dtype=int)
    status_text = ", ".join(f"{k} {v}" for k, v in counts.items())
    sheets = {
        "Scorecard": scorecard_sheet(
            scored, trend, title=f"{where}Scorecard {period}".strip(),
            summary=f"{len(scored)} measures: {status_text}" if len(scored) else
            "No measures in the register.", options=options),
        "Objectives": objectives_sheet(scored, title=f"{where}Objectives {period}".strip(),
                                       options=options, previous=previous,
                                       activity=block if block else None,
                                       judgements=judgements),
        "Exceptions": exceptions_sheet(scored, title=f"{where}Exceptions {period}".strip(),
                                       options=options),
        "Finance": finance_sheet(finance or FinanceData(),
                                 title=f"{where}Finance {period} (£000s)".strip(),
                                 options=options),
        "Log": log_sheet(log, title=f"{where}Refresh log {period}".strip(),
                         summary=log_summary, options=options),
    }
    if returns is not None:
        from xlperf.write.returns_sheet import returns_sheet

        sheets["Returns"] = returns_sheet(returns, title=f"{where}Returns {period}".strip(),
                                          options=options)
    if governance:
        from xlperf.write._outputs_governance import governance_sheet

        sheets["Governance"] = governance_sheet(
            governance, title=f"{where}Governance {period}".strip(), options=options)
    if len(block.items):
        from xlperf.write._outputs_activity import activity_sheet

        objectives = list(dict.fromkeys(scored["objective"].map(_plain))) if len(
            scored) and "objective" in scored.columns else []
        sheets["Key activities"] = activity_sheet(
            block, title=f"{where}Key activities {period}".strip(), objectives=objectives,
            options=options)
    return sheets
