"""Each objective's key activities, milestones, projects and risks, as a scorecard prints them.

The master's ``Milestones``, ``Projects`` and ``Risks`` sheets say what there is (titles,
objectives, lead officers, due dates, ratings); the *activity* frame says what services
returned for them this period (docs/master.md, "Milestones, projects and risks"): one row per
code and period with columns :data:`ACTIVITY_COLUMNS`. :func:`objective_activity` puts the two
together once, and the Key activities sheet, the Objectives sheet's counts and the committee
report all print what it gives: one decision, one place.

A milestone or project no service reported for the period is **Not reported** (never a
guess). Pure: frames in, frames out.

The roll-up rule (the ``Milestones in objective roll-up`` setting, No by default): with Yes,
each milestone of an objective counts in its judgement as a measure would: **Fair / behind**
like an Amber measure (worse than target, within tolerance), **Excellent / ahead**, **Good /
on schedule** and **Complete** like a Green one (on target), **Not started** and **Not
reported** are not rated (like Data only). Projects never count. The measure counts beside
the judgement stay counts of measures.

>>> sheets = {"Milestones": pd.DataFrame({"Code": ["M1"], "Objective": ["Safer"],
...                                       "Milestone": ["Hub open"]})}
>>> block = objective_activity(sheets, None, "Q2 2013/14")
>>> block.items["progress"].tolist()
['Not reported']

The activity frame, one row per code per period (issue 24): ``code`` (the master's
Milestones or Projects code), ``kind`` (``milestone`` or ``project``), ``period``
(:meth:`~xlperf.core.periods.Period.format`),
``progress`` (a milestone's word of :data:`~xlperf.core.milestones.PROGRESS`, a project's
progress RAG; None when not reported), ``forecast`` (a project's forecast-variance RAG, None for
a milestone), ``commentary`` ("" when none: a project's status note), ``service`` and
``source`` (the return's file name); and ``revised_date`` (a milestone's revised date when the
service gave one, else None). The refresh reads it from the returns
(:func:`xlperf.read.activity.returned_activity`), the ledger keeps it
(:func:`xlperf.ledger.activity_frame`), the output sheets and the report print it.

>>> rows = pd.DataFrame({"type": ["Milestone", "Project"], "code": [" M01", "P01"],
...                      "progress": ["▲ Fair / behind", "green"], "forecast": [None, "Amber"],
...                      "revised date": [None, None], "commentary": ["Late start", None]})
>>> frame = activity_rows(rows, service="Safeguarding", period="Q2 2013/14", source="s.xlsx")
>>> frame[["code", "kind", "progress", "forecast"]].values.tolist()
[['M01', 'milestone', 'Fair / behind', None], ['P01', 'project', 'Green', 'Amber']]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from xlperf.core.milestones import (
    ALL_OBJECTIVES,
    COMPLETE,
    DEFAULT_RISK_RATINGS,
    EXCELLENT,
    FAIR,
    GOOD,
    NOT_STARTED,
    PROGRESS,
    PROGRESS_SYMBOLS,
    progress_of,
    rag_of,
    rating_of,
)
from xlperf.core.rollup import DEFAULT_RULE, RollupRule, rollup
from xlperf.core.schemes import NEAR
from xlperf.errors import InputError
from xlperf.findings import StatusSeverity

#: The activity frame's columns (the contract with the returns' side, docs/master.md).
ACTIVITY_COLUMNS = ("code", "kind", "period", "progress", "forecast", "commentary", "service",
                    "source", "revised_date")
MILESTONE, PROJECT = "milestone", "project"
KINDS = (MILESTONE, PROJECT)
NOT_REPORTED = "Not reported"
#: Every progress a milestone line can show, in print order.
MILESTONE_PROGRESS = (*PROGRESS, NOT_REPORTED)
#: A project's progress and forecast-variance words (the RAG scheme's).
PROJECT_RAG = ("Green", "Amber", "Red")
#: The columns of :attr:`ObjectiveActivity.items`.
ITEM_COLUMNS = ("kind", "objective", "code", "title", "lead_officer", "due_date", "service",
                "progress", "forecast", "commentary", "period", "source")

# How a milestone's progress counts in the roll-up when the council says so: (severity, rated).
_AS_MEASURE = {EXCELLENT: (StatusSeverity.ON_TARGET, True), GOOD: (StatusSeverity.ON_TARGET, True),
               COMPLETE: (StatusSeverity.ON_TARGET, True), FAIR: (NEAR, True),
               NOT_STARTED: (StatusSeverity.ON_TARGET, False),
               NOT_REPORTED: (StatusSeverity.ON_TARGET, False)}
_AS_STATUS = {EXCELLENT: "Green", GOOD: "Green", COMPLETE: "Green", FAIR: "Amber",
              NOT_STARTED: "Data only", NOT_REPORTED: "Data only"}

_SHEET_COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "Milestones": {"code": ("milestone code", "ref"), "objective": (),
                   "title": ("milestone", "key activity", "key activity / milestone"),
                   "lead_officer": ("lead officer", "lead"),
                   "due_date": ("due date", "due", "date due"), "service": ()},
    "Projects": {"code": ("project code", "ref"), "objective": (),
                 "title": ("project", "key project"), "lead_officer": ("lead officer", "lead"),
                 "service": ()},
    "Risks": {"risk": (), "objective": (), "rating": ("risk rating",)},
}


def empty_activity() -> pd.DataFrame:
    """The activity frame when nothing was returned: no rows, the contract's columns.

    >>> list(empty_activity().columns) == list(ACTIVITY_COLUMNS)
    True
    """
    return pd.DataFrame({c: pd.Series([], dtype=object) for c in ACTIVITY_COLUMNS})


def kind_of(text: object) -> str | None:
    """``milestone`` or ``project`` for a return's Type cell (any case), else None.

    >>> kind_of("Milestone"), kind_of(" PROJECT "), kind_of("Risk")
    ('milestone', 'project', None)
    """
    word = str(text).strip().casefold() if isinstance(text, str) else ""
    return word if word in KINDS else None


def _cell_text(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value).strip()


def _date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def activity_rows(rows: pd.DataFrame, *, service: str, period: str,
                  source: str) -> pd.DataFrame:
    """The activity frame of one return's rows as typed: ``rows`` has ``type``, ``code``,
    ``progress``, ``forecast``, ``revised date`` and ``commentary`` (missing ones are blank);
    a row whose type is neither milestone nor project, or without a code, is left out. Words
    are read as the validator reads them (a symbol or half a progress word, a RAG in any
    case); a word that means nothing is None (the validator's finding says so). The index is
    ``rows``' (an Excel row, for the reader's provenance)."""
    if not len(rows):
        return empty_activity()
    frame = rows.reindex(columns=["type", "code", "progress", "forecast", "revised date",
                                  "commentary"])
    kind = frame["type"].map(kind_of)
    code = frame["code"].map(_cell_text)
    keep = (kind.notna() & (code != "")).to_numpy()
    frame, kind, code = frame[keep], kind[keep], code[keep]
    milestone = (kind == MILESTONE).to_numpy()
    progress = [progress_of(p) if m else rag_of(p)
                for p, m in zip(frame["progress"], milestone, strict=True)]
    forecast = [None if m else rag_of(f) for f, m in zip(frame["forecast"], milestone,
                                                           strict=True)]
    revised = [_date(d) if m else None for d, m in zip(frame["revised date"], milestone,
                                                        strict=True)]
    out = pd.DataFrame({
        "code": code.to_numpy(dtype=object), "kind": kind.to_numpy(dtype=object),
        "period": period, "progress": pd.Series(progress, dtype=object).to_numpy(),
        "forecast": pd.Series(forecast, dtype=object).to_numpy(),
        "commentary": frame["commentary"].map(_cell_text).to_numpy(dtype=object),
        "service": service, "source": source,
        "revised_date": pd.Series(revised, dtype=object).to_numpy()},
        columns=list(ACTIVITY_COLUMNS), index=frame.index)
    return out.astype(object).where(out.notna(), None)



def _text(value: Any) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return " ".join(str(value).split())


def _fold(value: Any) -> str:
    return _text(value).casefold()


def _sheet(sheets: Mapping[str, pd.DataFrame] | None, name: str) -> pd.DataFrame:
    """The master's sheet ``name`` with its headers in core names (only those), as text."""
    from xlperf.core.columns import normalise_columns

    wanted = _SHEET_COLUMNS[name]
    frame = (sheets or {}).get(name)
    if frame is None or not len(frame):
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in wanted})
    named = normalise_columns(frame, wanted).reset_index(drop=True)
    out = pd.DataFrame({c: (named[c] if c in named.columns else pd.Series(
        [None] * len(named), dtype=object)) for c in wanted})
    keep = [c for c in wanted if c != "due_date"]
    out[keep] = out[keep].map(_text)
    # a row with no title (or risk) is a blank line of the sheet
    anchor = "risk" if name == "Risks" else "title"
    return out[out[anchor] != ""].reset_index(drop=True)


def _rag(value: Any) -> str | None:
    text = _text(value).casefold()
    return next((w for w in PROJECT_RAG if w.casefold() == text or w[0].casefold() == text),
                None) if text else None


def activity_items(sheets: Mapping[str, pd.DataFrame] | None, activity: pd.DataFrame | None,
                   period: str | None = None) -> pd.DataFrame:
    """One row per milestone then project of the master (sheet order), with what services
    returned for ``period`` (the activity frame's rows of that period; blank: each code's
    last row): columns :data:`ITEM_COLUMNS`. A milestone's ``progress`` is a word of
    :data:`MILESTONE_PROGRESS`, a project's a word of :data:`PROJECT_RAG` (with its
    ``forecast``), or :data:`NOT_REPORTED`; ``forecast`` is None for milestones.

    >>> sheets = {"Projects": pd.DataFrame({"Code": ["P1"], "Objective": ["Safer"],
    ...                                     "Project": ["New hub"]})}
    >>> back = pd.DataFrame({"code": ["P1"], "kind": ["project"], "period": ["Q2 2013/14"],
    ...                      "progress": ["Amber"], "forecast": ["Green"],
    ...                      "commentary": ["Delayed a month"], "service": ["Hubs"],
    ...                      "source": ["hubs.xlsx"]})
    >>> activity_items(sheets, back, "Q2 2013/14")[["progress", "forecast"]].values.tolist()
    [['Amber', 'Green']]
    """
    returned = empty_activity() if activity is None or not len(activity) else activity
    returned = returned.reindex(columns=list(ACTIVITY_COLUMNS))
    if period:
        from xlperf.core.periods import parse_period

        wanted = parse_period(period)
        formats: dict[Any, bool] = {}
        for p in returned["period"].dropna().unique():
            try:
                at = parse_period(p)
                formats[p] = (at.start, at.end) == (wanted.start, wanted.end)
            except (InputError, ValueError, TypeError):  # unreadable: not this period
                formats[p] = False
        returned = returned[returned["period"].map(formats).fillna(False).astype(bool)]
    returned = returned.assign(_code=returned["code"].map(_text).str.casefold(),
                               _kind=returned["kind"].map(_text).str.casefold())
    last = returned.drop_duplicates(["_kind", "_code"], keep="last").set_index(
        ["_kind", "_code"])
    parts = []
    for name, kind in (("Milestones", MILESTONE), ("Projects", PROJECT)):
        sheet = _sheet(sheets, name)
        if not len(sheet):
            continue
        keys = pd.MultiIndex.from_arrays([[kind] * len(sheet), sheet["code"].str.casefold()])
        got = last.reindex(keys)
        item = pd.DataFrame({
            "kind": kind, "objective": sheet["objective"], "code": sheet["code"],
            "title": sheet["title"], "lead_officer": sheet["lead_officer"],
            "due_date": sheet["due_date"] if kind == MILESTONE else None,
            "service": sheet["service"].where(sheet["service"] != "",
                                              got["service"].map(_text).to_numpy()),
            "progress": (got["progress"].map(progress_of) if kind == MILESTONE
                         else got["progress"].map(_rag)).to_numpy(),
            "forecast": None if kind == MILESTONE else got["forecast"].map(_rag).to_numpy(),
            "commentary": got["commentary"].map(_text).to_numpy(),
            "period": got["period"].map(_text).to_numpy(),
            "source": got["source"].map(_text).to_numpy()})
        item["progress"] = item["progress"].astype(object).where(item["progress"].notna(),
                                                                 NOT_REPORTED)
        item["period"] = item["period"].where(item["period"] != "", _text(period))
        parts.append(item)
    if not parts:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in ITEM_COLUMNS})
    return pd.concat(parts, ignore_index=True)[list(ITEM_COLUMNS)]


@dataclass(frozen=True, eq=False)
class ObjectiveActivity:
    """What an objective's profile prints beside its measures: ``items`` (its milestones and
    projects, :func:`activity_items`), ``risks`` (``risk``, ``objective``, ``rating`` of the
    master's Risks sheet, the rating as the scale writes it or None), the council's risk
    ``ratings`` (highest first) and ``in_rollup`` (the ``Milestones in objective roll-up``
    setting)."""

    items: pd.DataFrame = field(default_factory=lambda: activity_items(None, None))
    risks: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        {"risk": [], "objective": [], "rating": []}, dtype=object))
    ratings: tuple[str, ...] = DEFAULT_RISK_RATINGS
    in_rollup: bool = False

    def __bool__(self) -> bool:
        return bool(len(self.items) or len(self.risks))

    @property
    def milestones(self) -> pd.DataFrame:
        return self.items[self.items["kind"] == MILESTONE]

    @property
    def projects(self) -> pd.DataFrame:
        return self.items[self.items["kind"] == PROJECT]

    @property
    def all_objective_risks(self) -> pd.DataFrame:
        """The risks that impact all objectives (Objective ``All objectives``)."""
        return self.risks[self.risks["objective"].str.casefold() == ALL_OBJECTIVES.casefold()]

    def counts(self, objectives: Sequence[str]) -> pd.DataFrame:
        """Per objective (``objectives`` first, in order): milestones by progress (columns
        of :data:`MILESTONE_PROGRESS`), ``projects``, the objective's own risks by rating
        (``risk <rating>`` columns) and ``all objectives risks`` (the risks that impact
        every objective, counted once, the same on every row and marked so where printed).

        >>> risks = pd.DataFrame({"risk": ["a", "b"], "objective": ["A", "All objectives"],
        ...                       "rating": ["High", "Low"]})
        >>> ObjectiveActivity(risks=risks).counts(["A"]).loc["A"].to_dict()["risk High"]
        1
        """
        # matched as the register check matches them: spaces and case ignored
        names = list(dict.fromkeys(str(o) for o in objectives))
        spelt = {_fold(o): o for o in names}

        def named(column: pd.Series) -> pd.Series:
            return column.map(lambda o: spelt.get(_fold(o), o))

        milestones = self.milestones
        counted = _count(named(milestones["objective"]), milestones["progress"],
                         MILESTONE_PROGRESS, names)
        projects = named(self.projects["objective"]).value_counts()
        counted["projects"] = projects.reindex(counted.index).fillna(0).astype(int)
        own = self.risks[~self.risks.index.isin(self.all_objective_risks.index)]
        rated = own.dropna(subset=["rating"])
        risks = _count(named(rated["objective"]), rated["rating"], self.ratings,
                       list(counted.index)).add_prefix("risk ")
        counted = counted.join(risks, how="outer").reindex(
            list(dict.fromkeys([*counted.index, *risks.index]))).fillna(0).astype(int)
        counted["all objectives risks"] = len(self.all_objective_risks)
        return counted

    def rollup(self, scored: pd.DataFrame, by: str | Sequence[str] = "objective",
               rule: RollupRule = DEFAULT_RULE) -> pd.DataFrame:
        """:func:`~xlperf.core.rollup.rollup` of ``scored`` by ``by``, its judgement counting
        the milestones as the module's rule says when :attr:`in_rollup` (else as it is)."""
        return rollup_with_milestones(scored, self.milestones if self.in_rollup else None,
                                      by, rule)


def _count(groups: pd.Series, values: pd.Series, words: Sequence[str],
           objectives: Sequence[str]) -> pd.DataFrame:
    frame = pd.DataFrame({"objective": groups.to_numpy(dtype=object),
                          "value": values.to_numpy(dtype=object)})
    counts = pd.crosstab(frame["objective"], frame["value"]) if len(frame) else pd.DataFrame()
    order = list(dict.fromkeys([*objectives, *counts.index]))
    out = counts.reindex(index=order, columns=list(words), fill_value=0).fillna(0).astype(int)
    out.index.name, out.columns.name = "objective", None
    return out


def rollup_with_milestones(scored: pd.DataFrame, milestones: pd.DataFrame | None,
                           by: str | Sequence[str] = "objective",
                           rule: RollupRule = DEFAULT_RULE) -> pd.DataFrame:
    """:func:`~xlperf.core.rollup.rollup` of the measures, with each group's ``judgement``
    made from its measures and its ``milestones`` (``objective``, ``progress``) together by
    the module's rule. The counts (measures, rated, met...) stay the measures'. A milestone
    whose objective has no measure is not counted (there is no objective line to judge).

    >>> scored = pd.DataFrame({"objective": ["A", "A"], "status": ["Green", "Green"],
    ...                        "severity": [0, 0], "rated": [True, True]})
    >>> behind = pd.DataFrame({"objective": ["A", "A"], "progress": [FAIR, FAIR]})
    >>> rollup_with_milestones(scored, behind)[["measures", "judgement"]].values.tolist()
    [[2, 'At Risk']]
    """
    rolled = rollup(scored, by, rule)
    if milestones is None or not len(milestones) or not len(scored):
        return rolled
    keys = [by] if isinstance(by, str) else list(by)
    # each objective's groups (e.g. its priority) from its measures
    groups = scored[list(dict.fromkeys(["objective", *keys]))].astype(object)
    groups = groups.where(groups.notna(), "").drop_duplicates("objective")
    groups["_key"] = groups["objective"].map(_fold)
    mine = pd.DataFrame({"_key": milestones["objective"].map(_fold).to_numpy(),
                         "progress": milestones["progress"].to_numpy(dtype=object)})
    mine = mine.merge(groups.drop(columns=["objective"] if "objective" not in keys else []),
                      on="_key", how="inner")
    if not len(mine):
        return rolled
    judged = mine["progress"].map(_AS_MEASURE)
    mine["severity"] = judged.map(lambda p: int(p[0])).astype(int)
    mine["rated"] = judged.map(lambda p: bool(p[1])).astype(bool)
    mine["status"] = mine["progress"].map(_AS_STATUS)
    measures = scored[[*keys, "status", "severity", "rated"]].copy()
    measures["status"] = measures["status"].astype(object)
    both = pd.concat([measures, mine[[*keys, "status", "severity", "rated"]]],
                     ignore_index=True)
    for key in keys:
        both[key] = both[key].astype(object).where(both[key].notna(), "")
    with_milestones = rollup(both, by, rule).set_index(keys)["judgement"]
    index = (pd.MultiIndex.from_frame(rolled[keys]) if len(keys) > 1
             else pd.Index(rolled[keys[0]]))
    rolled["judgement"] = np.asarray(with_milestones.reindex(index).fillna(
        rolled["judgement"].set_axis(index)), dtype=object)
    return rolled


def objective_activity(sheets: Mapping[str, pd.DataFrame] | None,
                       activity: pd.DataFrame | None, period: str | None = None, *,
                       ratings: Sequence[str] = DEFAULT_RISK_RATINGS,
                       in_rollup: bool = False) -> ObjectiveActivity:
    """The :class:`ObjectiveActivity` of a master's Milestones, Projects and Risks sheets
    (``master.objective_sheets``) with the services' ``activity`` for ``period``.

    >>> risks = {"Risks": pd.DataFrame({"Risk": ["Funding"], "Objective": ["All objectives"],
    ...                                 "Rating": ["medium"]})}
    >>> objective_activity(risks, None).risks["rating"].tolist()
    ['Medium']
    """
    risks = _sheet(sheets, "Risks")
    risks["rating"] = risks["rating"].map(lambda r: rating_of(r, tuple(ratings)))
    risks["rating"] = risks["rating"].astype(object)
    return ObjectiveActivity(items=activity_items(sheets, activity, period), risks=risks,
                             ratings=tuple(ratings), in_rollup=bool(in_rollup))


def progress_text(progress: str) -> str:
    """A milestone's or project's progress as printed: symbol and word, never colour alone.

    >>> progress_text("Fair / behind"), progress_text("Amber"), progress_text(NOT_REPORTED)
    ('▲ Fair / behind', '! Amber', '– Not reported')
    """
    if progress in PROGRESS_SYMBOLS:
        return f"{PROGRESS_SYMBOLS[progress]} {progress}"
    if progress in PROJECT_RAG:
        from xlperf.core.schemes import BUILTIN_SCHEMES

        band = next(b for b in BUILTIN_SCHEMES["rag"].bands if b.label == progress)
        return f"{band.symbol} {progress}"
    return f"– {progress}" if progress else ""


def progress_colour(progress: str) -> str | None:
    """The fill beside a progress's symbol and word: the RAG scheme's colour of the measure
    status it counts like (none for not started or not reported)."""
    from xlperf.core.schemes import BUILTIN_SCHEMES

    word = progress if progress in PROJECT_RAG else {
        EXCELLENT: "Green", GOOD: "Green", COMPLETE: "Green", FAIR: "Amber"}.get(progress)
    return next((b.colour for b in BUILTIN_SCHEMES["rag"].bands if b.label == word), None)


__all__ = ["ACTIVITY_COLUMNS", "ITEM_COLUMNS", "KINDS", "MILESTONE", "MILESTONE_PROGRESS",
           "NOT_REPORTED", "PROJECT", "PROJECT_RAG", "ObjectiveActivity", "activity_items",
           "activity_rows", "empty_activity", "kind_of", "objective_activity", "progress_colour",
           "progress_text", "rollup_with_milestones"]
