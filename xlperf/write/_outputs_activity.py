"""The Key activities sheet and the Objectives sheet's milestone and risk counts
(:mod:`xlperf.write.outputs`; :mod:`xlperf.core.activity` works out both).

The Key activities sheet is printed as a council scorecard prints "Key activities and
milestones" and "Other headlines / key activity": a band per objective, then its milestones
(code, key activity, lead officer, due date, progress, commentary) and its projects (progress
RAG, forecast-variance RAG, status note). A progress is its symbol and word on the colour of
the measure status it counts like, never colour alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import pandas as pd

from xlperf.core.activity import (
    MILESTONE,
    MILESTONE_PROGRESS,
    NOT_REPORTED,
    ObjectiveActivity,
    progress_colour,
    progress_text,
)
from xlperf.core.milestones import ALL_OBJECTIVES, PROGRESS_SYMBOLS
from xlperf.write._outputs_base import (
    MISSING,
    NOTE,
    PRIORITY,
    SPEC,
    TOP,
    WRAP,
    PrintOptions,
    _content,
    _head,
    sized_columns,
    status_style,
)
from xlperf.write.lossless import SheetContent
from xlperf.write.styles import CellStyle

_DAY = CellStyle(number_format="dd mmm yyyy", vertical="top")
_KIND = {MILESTONE: "Milestone", "project": "Project"}
_NO_COMMENTARY = "no commentary given"


def _progress_cell(word: str) -> tuple[str | None, CellStyle]:
    if not word:
        return None, TOP
    if word == NOT_REPORTED:
        return progress_text(word), MISSING
    return progress_text(word), status_style(progress_colour(word))


def _word(value: Any) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(
        value)


def _due(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, (dt.date, dt.datetime)):
        return value
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else (
        str(value))


def activity_sheet(block: ObjectiveActivity, *, title: str = "Key activities",
                   summary: str = "", objectives: Sequence[str] = (),
                   options: PrintOptions | None = None) -> SheetContent:
    """One band per objective (``objectives`` first, in their order, then any other the
    sheets name), under it one row per milestone then project: code, kind, title, lead
    officer, due date (a date), progress (symbol and word), forecast variance (projects),
    commentary, service and period."""
    spec = SPEC["Key activities"]
    items = block.items
    rows, styles = _head(spec, title, summary or _summary(block))
    width = len(spec.headers)
    # the objectives as the Measures sheet spells them (matched with spaces and case ignored)
    spelt = {" ".join(str(o).split()).casefold(): o for o in objectives}
    items = items.assign(objective=items["objective"].map(
        lambda o: spelt.get(" ".join(str(o).split()).casefold(), o)))
    order = list(dict.fromkeys([*objectives, *items["objective"]]))
    keep_with_next: list[int] = []
    grouped = {k: g for k, g in items.groupby("objective", sort=False)}
    for objective in order:
        group = grouped.get(objective)
        if group is None:
            continue
        rows.append([objective or "(no objective)", *([None] * (width - 1))])
        styles.append([PRIORITY] * width)
        keep_with_next.append(len(rows))  # an objective's band never ends a page
        for record in group.to_dict("records"):
            progress, progress_style = _progress_cell(_word(record["progress"]))
            forecast, forecast_style = _progress_cell(_word(record["forecast"]))
            commentary = _word(record["commentary"])
            reported = record["progress"] != NOT_REPORTED
            rows.append([record["code"] or None, _KIND.get(record["kind"], record["kind"]),
                         record["title"] or None, record["lead_officer"] or None,
                         _due(record["due_date"]), progress, forecast,
                         commentary or (_NO_COMMENTARY if reported else None),
                         record["service"] or None, record["period"] or None])
            styles.append([TOP, TOP, WRAP, WRAP, _DAY, progress_style, forecast_style,
                           WRAP if commentary else MISSING, WRAP, TOP])
    if not len(items):
        rows.append(["The master has no Milestones or Projects sheet rows."])
        styles.append([NOTE])
    rows.append([])
    styles.append([])
    rows.append([_KEY])
    styles.append([NOTE])
    widths = sized_columns(rows[:-1], spec.widths)
    # Progress, forecast and commentary at their full width whatever this period holds: the
    # first refresh's widths stay with the sheet, and it may have had nothing returned yet.
    for fixed in ("Progress", "Forecast variance", "Commentary"):
        column = spec.headers.index(fixed)
        widths[column] = spec.widths[column]
    return _content(spec, rows, styles, widths=widths, keep_with_next=keep_with_next,
                    options=options)


_KEY = ("Key: " + ", ".join(f"{PROGRESS_SYMBOLS[w]} {w}" for w in PROGRESS_SYMBOLS)
        + f", – {NOT_REPORTED}; projects: ✔ Green, ! Amber, ✖ Red (progress and forecast "
        "variance).")


def _summary(block: ObjectiveActivity) -> str:
    milestones, projects = block.milestones, block.projects
    parts = []
    if len(milestones):
        counts = milestones["progress"].value_counts()
        parts.append(f"{len(milestones)} milestones: " + ", ".join(
            f"{counts[w]} {w.casefold()}" for w in MILESTONE_PROGRESS if counts.get(w, 0)))
    if len(projects):
        parts.append(f"{len(projects)} projects")
    return "; ".join(parts) + "." if parts else "No key activities or projects."


# ------------------------------------------------------------------ the Objectives' counts
ALL_RISKS_HEADER = f"Risks for {ALL_OBJECTIVES.casefold()} †"


def _progress_shown(block: ObjectiveActivity) -> list[str]:
    """The progress words that occur, in print order (one column each, as the measures'
    statuses get one column per status that occurs)."""
    present = set(block.milestones["progress"])
    return [w for w in MILESTONE_PROGRESS if w in present]


class CountLayout(NamedTuple):
    """Which count columns an activity prints (:func:`count_layout`): worked out once per
    sheet, not per line (each property filters the activity's frames again)."""

    progress: tuple[str, ...]
    projects: bool
    ratings: tuple[str, ...]
    all_objective_risks: int


def count_layout(block: ObjectiveActivity) -> CountLayout:
    """The count columns of ``block``: the progress words that occur, whether it has
    projects, the risk ratings (when it has risks) and how many risks impact all objectives."""
    return CountLayout(tuple(_progress_shown(block)), bool(len(block.projects)),
                       tuple(block.ratings) if len(block.risks) else (),
                       len(block.all_objective_risks))


def count_headers(block: ObjectiveActivity) -> list[str]:
    """The Objectives sheet's extra headers: milestones by progress (one column per progress
    that occurs), projects, risks by rating (the council's scale) and the risks for all
    objectives (when there is one)."""
    layout = count_layout(block)
    headers = [f"Milestones {progress_text(w)}" for w in layout.progress]
    if layout.projects:
        headers.append("Projects")
    headers += [f"Risks {r}" for r in layout.ratings]
    if layout.all_objective_risks:
        headers.append(ALL_RISKS_HEADER)
    return headers


def count_cells(block: ObjectiveActivity, counts: pd.DataFrame,
                objectives: Sequence[str], layout: CountLayout | None = None) -> list[int]:
    """The extra cells of a line for ``objectives`` (one objective, or a priority's: then
    summed; the risks for all objectives counted once), in :func:`count_headers`' order;
    ``counts`` is :meth:`ObjectiveActivity.counts`, ``layout`` :func:`count_layout` of
    ``block`` (worked out here when not given)."""
    shape = layout or count_layout(block)
    mine = counts.reindex(list(objectives)).fillna(0).astype(int).sum()
    cells = [int(mine[w]) for w in shape.progress]
    if shape.projects:
        cells.append(int(mine["projects"]))
    cells += [int(mine[f"risk {r}"]) for r in shape.ratings]
    if shape.all_objective_risks:
        cells.append(shape.all_objective_risks)
    return cells


def count_styles(headers: Sequence[str]) -> tuple[list[CellStyle], Mapping[str, float]]:
    """Header styles of the count columns (a milestone count headed on its progress's
    colour, its symbol and word in the header) and their widths."""
    from xlperf.write._outputs_base import HEADER

    looks = []
    for header in headers:
        word = header.removeprefix("Milestones ").split(" ", 1)[-1]
        colour = progress_colour(word) if header.startswith("Milestones") else None
        looks.append(status_style(colour, bold=True) if colour else HEADER)
    return looks, {h: 11.0 for h in headers}


__all__ = ["ALL_RISKS_HEADER", "CountLayout", "activity_sheet", "count_cells", "count_headers",
           "count_layout", "count_styles"]
