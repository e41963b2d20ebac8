"""**MIL**: the milestones and projects a service returns on its return's Milestones sheet.

A performance return of a service with milestones or projects on the master has a
``Milestones`` sheet (:data:`xlperf.layout.ACTIVITY_SHEET`). What is wrong with its rows is
decided by the core (:func:`xlperf.core.milestones.milestone_problems` and
:func:`~xlperf.core.milestones.project_problems`); each problem becomes a finding here, pinned
to its cell of that sheet:

- ``MIL-001`` a milestone's progress that is not one of the progress words (error);
- ``MIL-002`` a milestone Fair / behind with no commentary (query);
- ``MIL-003`` a code that is not on the master's Milestones or Projects sheet (error);
- ``MIL-004`` a project's progress or forecast variance RAG that is not Red, Amber or Green
  (error);
- ``MIL-005`` a milestone's revised date that is not a date (error);
- ``MIL-006`` a project rated Red with no status note (query).

An error rejects its row of the sheet only (the refresh records the others, and the return's
measures as usual). Without a master the codes are not checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from xlperf.core.activity import MILESTONE, PROJECT, kind_of
from xlperf.core.columns import MILESTONE_COLUMNS, PROJECT_COLUMNS, normalise_columns
from xlperf.core.milestones import PROGRESS, PROJECT_RAGS, milestone_problems, project_problems
from xlperf.findings import cell_ref
from xlperf.validate.engine import shown
from xlperf.validate.registry import made_by

__all__ = ["MIL_RULES", "check_activity", "master_codes"]

# (kind of row, the core's problem column) -> the rule and the sheet's column it names.
MIL_RULES = {(MILESTONE, "progress"): ("MIL-001", "progress"),
             (MILESTONE, "commentary"): ("MIL-002", "commentary"),
             (MILESTONE, "code"): ("MIL-003", "code"),
             (PROJECT, "code"): ("MIL-003", "code"),
             (PROJECT, "progress"): ("MIL-004", "progress"),
             (PROJECT, "forecast"): ("MIL-004", "forecast"),
             (MILESTONE, "revised date"): ("MIL-005", "revised date"),
             (PROJECT, "commentary"): ("MIL-006", "commentary")}
_COLUMN_WORDS = {"progress": "Progress", "forecast": "Forecast variance"}
_MASTER_SHEETS = {MILESTONE: ("Milestone", "Milestones"), PROJECT: ("Project", "Projects")}


def master_codes(master: Any) -> dict[str, list[str] | None]:
    """The master's milestone and project codes by kind (None without a master: the codes
    are not checked; a master without the sheet has none)."""
    if master is None:
        return {MILESTONE: None, PROJECT: None}
    sheets = getattr(master, "objective_sheets", None) or {}
    out: dict[str, list[str] | None] = {}
    for kind, name, aliases in ((MILESTONE, "Milestones", MILESTONE_COLUMNS),
                                (PROJECT, "Projects", PROJECT_COLUMNS)):
        frame = sheets.get(name)
        if frame is None or not len(frame):
            out[kind] = []
            continue
        frame = normalise_columns(frame, aliases)
        out[kind] = ([str(c).strip() for c in frame["code"] if c is not None and str(c).strip()]
                     if "code" in frame.columns else [])
    return out


@made_by("MIL-001", "MIL-002", "MIL-003", "MIL-004", "MIL-005", "MIL-006")
def check_activity(files: Sequence[Any], master: Any) -> None:
    """The MIL findings of each performance return of a validator batch (``files``, as read)
    that has a Milestones sheet; ``master`` the read master (None: codes not checked)."""
    from xlperf.read.activity import activity_cells, activity_sheet

    codes: dict[str, list[str] | None] | None = None
    for f in files:
        if f.stop or f.kind != "performance":
            continue
        found = activity_sheet(f.read)
        located = activity_cells(found[1]) if found is not None else None
        if found is None or located is None:
            continue
        if codes is None:
            codes = master_codes(master)
        sheet = found[0]
        cells, columns = located
        kinds = cells["type"].map(kind_of)
        for kind, problems_of in ((MILESTONE, milestone_problems), (PROJECT, project_problems)):
            rows = cells[(kinds == kind).to_numpy()]
            if not len(rows):
                continue
            typed = rows.drop(columns=["due date"])  # locked: the master's, not the service's
            problems = problems_of(typed, codes[kind])
            for problem in problems.itertuples(index=False):
                rule, field = MIL_RULES[(kind, str(problem.column))]
                _add(f, rule, sheet, rows, int(problem.row), field, columns, kind)


def _add(f: Any, rule: str, sheet: str, rows: pd.DataFrame, row: int, field: str,
         columns: dict[str, int], kind: str) -> None:
    """One MIL finding on ``row`` of the sheet, at ``field``'s cell."""
    from xlperf.core.milestones import rag_of

    def at(name: str) -> str | None:
        return cell_ref(row, columns[name]) if name in columns else None

    code = rows.at[row, "code"]
    item, master_sheet = _MASTER_SHEETS[kind]
    status = next((r for r in (rag_of(rows.at[row, "progress"]),
                               rag_of(rows.at[row, "forecast"])) if r == "Red"), "Red")
    f.add(rule, sheet=sheet, cell=at(field), value=shown(rows.at[row, field]),
          code="" if code is None else str(code).strip()[:40],
          allowed=", ".join(PROGRESS if kind == MILESTONE else PROJECT_RAGS),
          comment_cell=at("commentary") or "", column=_COLUMN_WORDS.get(field, field),
          item=item, master_sheet=master_sheet, status=status)
