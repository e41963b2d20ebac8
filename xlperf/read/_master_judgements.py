"""The master's optional Judgements sheet (the director's judgement of an objective, issue 24)
and its REG findings.

Kept out of :mod:`xlperf.read.master` (one hook there). What makes a row unusable is decided
once, by :func:`xlperf.core.overrides.check_judgements`; here each of its problems becomes a
finding with its cell: REG-084 an objective that is none of the Measures sheet's, REG-085 a
word that is not the roll-up's, REG-086 a period that cannot be read, REG-087 an objective and
period written twice. A row with a finding is not used (its message says so).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from xlperf.validate.registry import made_by

JUDGEMENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "objective": ("objective",),
    "period": ("period", "quarter"),
    "judgement": ("judgement", "director's judgement", "directors judgement", "judgment",
                  "director's judgment"),
    "commentary": ("commentary", "director's commentary", "directors commentary", "comments"),
    "director": ("director", "judged by"),
}
# The kind of each problem of core.overrides.check_judgements -> its rule.
RULE_OF = {"objective": "REG-084", "judgement": "REG-085", "period": "REG-086",
           "twice": "REG-087"}
_UNUSED = " (the row is not used)"


@made_by("REG-084", "REG-085", "REG-086", "REG-087")
def read_judgements(file: str, grid: list[list[Any]] | None, objectives: Sequence[str]
                    ) -> tuple[Any, pd.DataFrame]:
    """The Judgements sheet's ``_Sheet`` (None when the master has none) with its findings,
    and its usable rows (:data:`~xlperf.core.overrides.JUDGEMENT_ROWS`)."""
    from xlperf.core.columns import normalise_columns
    from xlperf.core.overrides import JUDGEMENT_ROWS, check_judgements
    from xlperf.read._calamine import find_table
    from xlperf.read.master import _Sheet

    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in JUDGEMENT_ROWS})
    if grid is None:
        return None, empty
    located = find_table(grid, [JUDGEMENT_COLUMNS["objective"], JUDGEMENT_COLUMNS["period"]])
    if located is None:
        return None, empty
    sheet = _Sheet(file, "Judgements", located, JUDGEMENT_COLUMNS)
    # the core's own names for the columns, whatever the headers say
    table = normalise_columns(sheet.frame, JUDGEMENT_COLUMNS)
    rows, problems = check_judgements(table, objectives)
    index = list(sheet.frame.index)  # Excel row numbers
    for problem in problems:
        row = int(index[problem.position])
        column = problem.column if sheet.has(problem.column) else "objective"
        cell = sheet.cell(row, column)
        value = sheet.frame.at[row, sheet.core[column]] if sheet.has(column) else None
        first = (f" (first in {sheet.cell(int(index[problem.first]), 'objective')})"
                 if problem.first is not None else "")
        sheet.add(RULE_OF[problem.kind], f"{cell}: {problem.message}{first}{_UNUSED}", row,
                  column, value)
    return sheet, rows if len(rows) else empty
