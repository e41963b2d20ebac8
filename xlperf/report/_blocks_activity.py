"""The committee report's milestones, projects and risks (the same
:class:`~xlperf.core.activity.ObjectiveActivity` as the Key activities and Objectives sheets):
under each objective its "Key activities and milestones" and "Other headlines / key activity"
tables, and beside it in the summary of objectives its milestones by progress and risks by
rating. Each progress is a chip: symbol and word on its colour, never colour alone. A block the
master has nothing for is left out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape
from typing import Any

import pandas as pd

from xlperf.core.activity import (
    MILESTONE_PROGRESS,
    NOT_REPORTED,
    ObjectiveActivity,
    progress_colour,
    progress_text,
)
from xlperf.core.milestones import ALL_OBJECTIVES, PROGRESS_SYMBOLS


def _chip(word: str) -> str:
    from xlperf.report._html import chip

    if not word:
        return ""
    if word == NOT_REPORTED:
        return f'<span class="reason">{escape(progress_text(word))}</span>'
    symbol, _space, text = progress_text(word).partition(" ")
    return chip(text, symbol, progress_colour(word) or "#505A5F")


def _day(value: Any) -> str:
    if isinstance(value, (dt.date, dt.datetime, pd.Timestamp)):
        return f"{value:%d %b %Y}"
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(
        value)


def _word(value: Any) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(
        value)


def _short(word: str) -> str:
    """``ahead``, ``on schedule``, ``behind``, ``complete``, ``not started``."""
    return word.rsplit("/", 1)[-1].strip().casefold()


def summary_headers(block: ObjectiveActivity | None) -> list[tuple[str, str]]:
    """The summary table's extra headers: Milestones and Risks, each when the master has
    some."""
    if not block:
        return []
    return ([("Milestones", "")] if len(block.milestones) else []) + (
        [("Risks", "")] if len(block.risks) else [])


def summary_cells(block: ObjectiveActivity | None, counts: pd.DataFrame | None,
                  objective: str) -> str:
    """An objective's extra cells in the summary: its milestones by progress (symbol, word
    and count, the non-zero ones) and its risks by rating, then the risks that impact all
    objectives marked †."""
    if not block or counts is None:
        return ""
    row = counts.loc[objective] if objective in counts.index else None
    cells = []
    if len(block.milestones):
        parts = [f"{escape(PROGRESS_SYMBOLS.get(w, '–'))} {escape(_short(w))} {int(row[w])}"
                 for w in MILESTONE_PROGRESS if row is not None and int(row[w])]
        cells.append(f"<td>{'<br>'.join(parts) or 'None'}</td>")
    if len(block.risks):
        parts = [f"{escape(r)} {int(row[f'risk {r}'])}" for r in block.ratings
                 if row is not None and int(row[f"risk {r}"])]
        every = block.all_objective_risks["rating"].dropna().value_counts()
        parts += [f'<abbr title="impacts {escape(ALL_OBJECTIVES.casefold())}">†</abbr> '
                  f"{escape(str(r))} {int(n)}" for r, n in every.items()]
        cells.append(f"<td>{'<br>'.join(parts) or 'None'}</td>")
    return "".join(cells)


def summary_key(block: ObjectiveActivity | None) -> str:
    """The key under the summary: what each milestone symbol means, and the † mark."""
    if not block:
        return ""
    parts = []
    if len(block.milestones):
        parts.append("Milestones: " + ", ".join(
            f"{PROGRESS_SYMBOLS[w]} {w}" for w in PROGRESS_SYMBOLS) + f", – {NOT_REPORTED}.")
    if len(block.risks):
        parts.append(f"Risks: the objective's own risks by rating; † a risk that impacts "
                     f"{ALL_OBJECTIVES.casefold()}.")
    if block.in_rollup and len(block.milestones):
        parts.append("The judgement counts each milestone as a measure: Fair / behind like "
                     "Amber, ahead, on schedule or complete like Green.")
    return f'<p class="key">{escape(" ".join(parts))}</p>' if parts else ""


def objective_tables(block: ObjectiveActivity | None, objective: str) -> str:
    """Under an objective: its "Key activities and milestones" (ref, key activity, status,
    progress commentary, lead officer, due date) and its "Other headlines / key activity"
    projects (progress RAG, forecast variance, status note); nothing for one it has none of."""
    from xlperf.report._html import _table

    if not block:
        return ""
    key = " ".join(str(objective).split()).casefold()
    mine = block.items[block.items["objective"].map(
        lambda o: " ".join(str(o).split()).casefold()) == key]
    out = []
    milestones = mine[mine["kind"] == "milestone"]
    if len(milestones):
        body = [f'<tr data-activity="{escape(str(r["code"]))}"><th scope="row">'
                f'<span class="code">{escape(str(r["code"]))}</span></th>'
                f'<td>{escape(str(r["title"]))}</td><td>{_chip(str(r["progress"]))}</td>'
                f'<td class="note">{escape(_word(r["commentary"]))}</td>'
                f'<td>{escape(_word(r["lead_officer"]))}</td>'
                f'<td>{escape(_day(r["due_date"]))}</td></tr>'
                for r in milestones.to_dict("records")]
        out.append(_table("Key activities and milestones", _MILESTONE_HEADERS, body,
                          "activity", widths=(8, 26, 15, 29, 12, 10)))
    projects = mine[mine["kind"] == "project"]
    if len(projects):
        body = [f'<tr data-activity="{escape(str(r["code"]))}"><th scope="row">'
                f'{escape(str(r["title"]))}</th><td>{_chip(str(r["progress"]))}</td>'
                f'<td>{_chip(_word(r["forecast"]))}</td>'
                f'<td class="note">{escape(_word(r["commentary"]))}</td></tr>'
                for r in projects.to_dict("records")]
        out.append(_table("Other headlines / key activity", _PROJECT_HEADERS, body,
                          "activity", widths=(30, 14, 14, 42)))
    return "".join(out)


_MILESTONE_HEADERS: Sequence[tuple[str, str]] = (
    ("Ref", ""), ("Key activity", ""), ("Status", ""), ("Progress", ""), ("Lead officer", ""),
    ("Due date", ""))
_PROJECT_HEADERS: Sequence[tuple[str, str]] = (
    ("Project", ""), ("Progress (RAG)", ""), ("Forecast variance", ""), ("Status", ""))

__all__ = ["objective_tables", "summary_cells", "summary_headers", "summary_key"]
