"""A director's judgement of an objective, kept beside the computed roll-up (issue 24).

The council may override the roll-up's judgement of an objective (``On Track``, ``At Risk``,
``Off Track``: :data:`xlperf.core.rollup.JUDGEMENTS`) for a period, with commentary and the
director's name. The override never replaces the computed judgement: both are shown, and an
override that differs is flagged, as a reported status that differs from the computed one is
for a measure. Pure: frames in, frames out; reading the master's sheet is at the edge.
"""

from __future__ import annotations

from collections.abc import Iterable
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


def judgements_for(table: pd.DataFrame, period: Any,
                   objectives: Iterable[str]) -> tuple[pd.DataFrame, list[tuple[int, str]]]:
    """The director's judgements for ``period`` from a table with ``Objective``, ``Period``,
    ``Judgement``, ``Commentary``, ``Director`` (headers in any case), one row per objective
    (the last row wins), and the problems found as ``(row position, message)``: an objective
    that is not one of ``objectives``, a judgement that is not a roll-up word, a period that
    cannot be read. Rows of other periods are kept out.

    >>> t = pd.DataFrame({"Objective": ["Safer"], "Period": ["Q2 2013/14"],
    ...                   "Judgement": ["at risk"], "Commentary": ["Recruitment"],
    ...                   "Director": ["J Smith"]})
    >>> judgements_for(t, "Q2 2013/14", ["Safer"])[0]["director_judgement"].tolist()
    ['At Risk']
    """
    lower = {str(c).strip().casefold(): c for c in table.columns}
    reporting = parse_period(period)
    known = {_text(o).casefold(): _text(o) for o in objectives}
    rows: dict[str, dict[str, Any]] = {}
    problems: list[tuple[int, str]] = []

    def cell(record: Any, name: str) -> Any:
        return record[lower[name]] if name in lower else None

    for position, record in enumerate(table.itertuples(index=False, name=None)):
        record = dict(zip(table.columns, record, strict=True))
        objective = _text(cell(record, "objective"))
        if not objective:
            continue
        try:
            when = parse_period(cell(record, "period"))
        except InputError as error:
            problems.append((position, f"objective {objective!r}: {error}"))
            continue
        if (when.start, when.end) != (reporting.start, reporting.end):
            continue
        if objective.casefold() not in known:
            problems.append((position, f"objective {objective!r} is not an objective of the "
                                       "Measures sheet"))
            continue
        try:
            judgement = parse_judgement(cell(record, "judgement"))
        except InputError as error:
            problems.append((position, f"objective {objective!r}: {error}"))
            continue
        rows[known[objective.casefold()]] = {
            "objective": known[objective.casefold()], "director_judgement": judgement,
            "director_commentary": _text(cell(record, "commentary")),
            "director": _text(cell(record, "director"))}
    frame = pd.DataFrame(list(rows.values()),
                         columns=["objective", "director_judgement", "director_commentary",
                                  "director"])
    return frame, problems


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
