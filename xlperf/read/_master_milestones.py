"""The master's optional Milestones, Projects and Risks sheets (issue 24) and their REG findings.

Kept out of :mod:`xlperf.read.master` (one hook there) so the sheets' checks live together.
A row with a finding is still read (its bad cell is left blank where it cannot be used): the
finding says what to fix.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pandas as pd

from xlperf.core.columns import MILESTONE_COLUMNS, PROJECT_COLUMNS
from xlperf.core.milestones import ALL_OBJECTIVES, DEFAULT_RISK_RATINGS, rating_of
from xlperf.validate.registry import made_by

RISK_COLUMNS: dict[str, tuple[str, ...]] = {
    "risk": ("risk",),
    "objective": ("objective",),
    "rating": ("rating", "risk rating"),
}


def risk_scale(text: str) -> tuple[str, ...]:
    """The council's risk ratings from its ``Risk ratings`` setting (blank: the default).

    >>> risk_scale(""), risk_scale("Red, Amber ,Green")
    (('High', 'Medium', 'Low'), ('Red', 'Amber', 'Green'))
    """
    words = tuple(w.strip() for w in str(text or "").split(",") if w.strip())
    return words or DEFAULT_RISK_RATINGS


def _fold(text: object) -> str:
    return " ".join(str(text).split()).casefold()


def _is_date(value: Any) -> bool:
    return isinstance(value, (dt.date, dt.datetime, pd.Timestamp))


@made_by("REG-080", "REG-081", "REG-082", "REG-083")
def read_objective_sheets(file: str, grids: dict[str, list[list[Any]] | None],
                          objectives: Sequence[str],
                          ratings: Sequence[str] = DEFAULT_RISK_RATINGS) -> list[Any]:
    """The _Sheet of each of Milestones, Projects and Risks the master has, with findings:
    REG-080 a due date that is not a date, REG-081 a code written twice, REG-082 an objective
    not on the Measures sheet, REG-083 a risk rating off the council's scale."""
    from xlperf.read._calamine import find_table
    from xlperf.read.master import _blank, _code, _Sheet

    known = {_fold(o) for o in objectives if not _blank(o)}
    scale = ", ".join(ratings)
    sheets: list[Any] = []
    for name, aliases, anchor in (("Milestones", MILESTONE_COLUMNS, "milestone"),
                                  ("Projects", PROJECT_COLUMNS, "project"),
                                  ("Risks", RISK_COLUMNS, "risk")):
        grid = grids.get(name)
        if grid is None:
            continue
        located = find_table(grid, [aliases[anchor] + (anchor,),
                                    aliases["objective"] + ("objective",)])
        if located is None:
            continue
        sheet = _Sheet(file, name, located, aliases)
        frame = sheet.frame
        seen: dict[str, int] = {}
        for row in frame.index:
            values = {c: frame.at[row, sheet.core[c]] for c in sheet.core}
            if all(_blank(v) for v in values.values()):
                continue
            if sheet.has("code"):
                code = _code(values["code"])
                if code and code in seen:
                    sheet.add("REG-081", f"code {code!r} in {sheet.cell(row, 'code')} is "
                              f"written twice on the {name} sheet (first in "
                              f"{sheet.cell(seen[code], 'code')})", row, "code", code)
                elif code:
                    seen[code] = row
            objective = values.get("objective")
            if not _blank(objective) and _fold(objective) not in known and not (
                    name == "Risks" and _fold(objective) == _fold(ALL_OBJECTIVES)):
                also = f" (or {ALL_OBJECTIVES})" if name == "Risks" else ""
                sheet.add("REG-082", f"objective {str(objective)[:80]!r} in "
                          f"{sheet.cell(row, 'objective')} is not an objective of the Measures "
                          f"sheet: write one as it is written there{also}", row, "objective",
                          objective)
            due = values.get("due_date")
            if sheet.has("due_date") and not _blank(due) and not _is_date(due):
                sheet.add("REG-080", f"due date {str(due)[:40]!r} in "
                          f"{sheet.cell(row, 'due_date')} is not a date: type a date such as "
                          "31/03/2027", row, "due_date", due)
            rating = values.get("rating")
            if sheet.has("rating") and not _blank(rating) and rating_of(rating, ratings) is None:
                sheet.add("REG-083", f"rating {str(rating)[:40]!r} in "
                          f"{sheet.cell(row, 'rating')} is not on the council's risk scale "
                          f"({scale})", row, "rating", rating)
        sheets.append(sheet)
    return sheets
