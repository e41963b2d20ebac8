"""A director's judgement of an objective, kept beside the computed roll-up (issue 24).

The council may override the roll-up's judgement of an objective (``On Track``, ``At Risk``,
``Off Track``: :data:`xlperf.core.rollup.JUDGEMENTS`) for a period, with commentary and the
director's name. The override never replaces the computed judgement: both are shown, and an
override that differs is flagged, as a reported status that differs from the computed one is
for a measure. Pure: frames in, frames out; reading the master's sheet is at the edge.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from xlperf.core.periods import parse_period
from xlperf.core.rollup import JUDGEMENTS
from xlperf.errors import InputError

OVERRIDE_FLAG = "⚑ Overridden"  # symbol and word: never colour alone
OVERRIDE_KEYS = ("director_judgement", "director_commentary", "director", "overridden")


def _text(value: Any) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return " ".join(str(value).split())


def parse_judgement(word: Any) -> str:
    """The roll-up's judgement word for ``word`` (case and spaces ignored); blank for blank.
    Any other word is an :class:`~xlperf.errors.InputError`.

    >>> parse_judgement(" off  track ")
    'Off Track'
    """
    text = _text(word)
    if not text:
        return ""
    for judgement in JUDGEMENTS:
        if text.casefold() == judgement.casefold():
            return judgement
    raise InputError(f"judgement {text!r} is not one of {', '.join(JUDGEMENTS)}")


#: The columns of the usable judgement rows (:func:`check_judgements`): ``period`` as
#: :meth:`~xlperf.core.periods.Period.format` writes it.
JUDGEMENT_ROWS = ("objective", "period", "director_judgement", "director_commentary",
                  "director")
_SHOWN = ("objective", "director_judgement", "director_commentary", "director")


@dataclass(frozen=True)
class JudgementProblem:
    """Why a row of the judgements table is not used: ``kind`` is ``objective`` (none, or not
    one of the objectives), ``period`` (cannot be read), ``judgement`` (not a roll-up word) or
    ``twice`` (the objective and period again; ``first`` is the row used); ``column`` the
    table's column at fault; ``position`` the row's position in the table."""

    position: int
    kind: str
    column: str
    message: str
    first: int | None = None


def check_judgements(table: pd.DataFrame, objectives: Iterable[str]
                     ) -> tuple[pd.DataFrame, list[JudgementProblem]]:
    """Every row of a table with ``Objective``, ``Period``, ``Judgement``, ``Commentary``,
    ``Director`` (headers in any case), checked: the usable rows (:data:`JUDGEMENT_ROWS`, the
    objective as ``objectives`` writes it) and a :class:`JudgementProblem` for each row that is
    not used: no objective or one not of ``objectives``, a period that cannot be read, a
    judgement that is not a roll-up word, an objective and period written before (the first
    row is used). A blank row, or one with nothing but its objective and period, is skipped.

    >>> t = pd.DataFrame({"Objective": ["Safer", "safer", "Nowhere"],
    ...                   "Period": ["Q2 2013/14", "Q2 2013/14", "Q2 2013/14"],
    ...                   "Judgement": ["at risk", "Off Track", "On Track"],
    ...                   "Commentary": ["Recruitment", "", ""], "Director": ["J Smith", "", ""]})
    >>> rows, problems = check_judgements(t, ["Safer"])
    >>> rows["director_judgement"].tolist(), [(p.position, p.kind) for p in problems]
    (['At Risk'], [(1, 'twice'), (2, 'objective')])
    """
    lower = {str(c).strip().casefold(): c for c in table.columns}
    known = {_text(o).casefold(): _text(o) for o in objectives if _text(o)}
    kept: list[tuple[str, ...]] = []
    problems: list[JudgementProblem] = []
    seen: dict[tuple[str, Any, Any], int] = {}
    names = ("objective", "period", "judgement", "commentary", "director")
    columns = [table[lower[n]].tolist() if n in lower else [None] * len(table) for n in names]
    for position, values in enumerate(zip(*columns, strict=True)):
        objective, period, word, commentary, director = values
        name = _text(objective)
        said = [_text(v) for v in (word, commentary, director)]
        if not name and not _text(period) and not any(said):
            continue
        if not name:
            problems.append(JudgementProblem(position, "objective", "objective",
                                             "the row has no objective"))
            continue
        try:
            when = parse_period(period)
        except InputError as error:
            problems.append(JudgementProblem(position, "period", "period",
                                             f"objective {name!r}: {error}"))
            continue
        if name.casefold() not in known:
            problems.append(JudgementProblem(position, "objective", "objective",
                                             f"objective {name!r} is not an objective of the "
                                             "Measures sheet"))
            continue
        try:
            judgement = parse_judgement(word)
        except InputError as error:
            problems.append(JudgementProblem(position, "judgement", "judgement",
                                             f"objective {name!r}: {error}"))
            continue
        if not any(said):
            continue
        key = (name.casefold(), when.start, when.end)
        if key in seen:
            problems.append(JudgementProblem(
                position, "twice", "objective",
                f"objective {known[name.casefold()]!r} has a second judgement for "
                f"{when.format()}", first=seen[key]))
            continue
        seen[key] = position
        kept.append((known[name.casefold()], when.format(), judgement, said[1], said[2]))
    return pd.DataFrame(kept, columns=list(JUDGEMENT_ROWS), dtype=object), problems


def judgements_at(rows: pd.DataFrame, period: Any) -> pd.DataFrame | None:
    """The director's judgements for ``period`` from :func:`check_judgements`' usable rows
    (``objective``, ``director_judgement``, ``director_commentary``, ``director``), or None
    when none is for that period: then the Objectives sheet and the report print no
    director's columns, as before a council wrote any. The one decision of which judgements
    a period shows: the refresh and the report both call it.

    >>> rows = pd.DataFrame([("Safer", "Q2 2013/14", "At Risk", "Staff", "J Smith")],
    ...                     columns=list(JUDGEMENT_ROWS))
    >>> judgements_at(rows, "Q2 2013/14")["director"].tolist(), judgements_at(rows, "Q1 2013/14")
    (['J Smith'], None)
    """
    if rows is None or rows.empty:
        return None
    reporting = parse_period(period)
    spans = [parse_period(p) for p in rows["period"]]
    mask = [(s.start, s.end) == (reporting.start, reporting.end) for s in spans]
    chosen = rows.loc[mask, list(_SHOWN)].reset_index(drop=True)
    return chosen if len(chosen) else None


def judgements_for(table: pd.DataFrame, period: Any,
                   objectives: Iterable[str]) -> tuple[pd.DataFrame, list[tuple[int, str]]]:
    """The director's judgements for ``period`` from a table with ``Objective``, ``Period``,
    ``Judgement``, ``Commentary``, ``Director`` (headers in any case), one row per objective
    (the first row wins), and the problems of every row (:func:`check_judgements`) as
    ``(row position, message)``. Rows of other periods are kept out.

    >>> t = pd.DataFrame({"Objective": ["Safer"], "Period": ["Q2 2013/14"],
    ...                   "Judgement": ["at risk"], "Commentary": ["Recruitment"],
    ...                   "Director": ["J Smith"]})
    >>> judgements_for(t, "Q2 2013/14", ["Safer"])[0]["director_judgement"].tolist()
    ['At Risk']
    """
    rows, problems = check_judgements(table, objectives)
    found = judgements_at(rows, period)
    frame = found if found is not None else pd.DataFrame(columns=list(_SHOWN), dtype=object)
    return frame, [(p.position, p.message) for p in problems]


def beside_computed(rolled: pd.DataFrame, judgements: pd.DataFrame) -> pd.DataFrame:
    """The roll-up (one row per objective, with ``objective`` and ``judgement``) with the
    director's judgement, commentary and name beside the computed judgement, and
    ``overridden``: True where the director's judgement differs from the computed one.

    >>> r = pd.DataFrame({"objective": ["Safer", "Greener"],
    ...                   "judgement": ["On Track", "On Track"]})
    >>> j = pd.DataFrame({"objective": ["Safer"], "director_judgement": ["At Risk"],
    ...                   "director_commentary": ["Staffing"], "director": ["J Smith"]})
    >>> beside_computed(r, j)["overridden"].tolist()
    [True, False]
    """
    looked = judgements.set_index("objective") if len(judgements) else None
    out = rolled.copy()
    for key in ("director_judgement", "director_commentary", "director"):
        out[key] = (out["objective"].map(looked[key]).fillna("") if looked is not None
                    else "")
    out["overridden"] = (out["director_judgement"] != "") & (
        out["director_judgement"] != out["judgement"].astype(str))
    return out
