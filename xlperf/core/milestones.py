"""Key activities and milestones, and risks, per objective: the words and the counts.

A council scorecard shows, under each objective, its key activities and milestones with a
progress status of their own, and beside the objective how many risks it carries at each
rating. This module is the one place that says which progress words there are (each with a
symbol, so the status is never shown by colour alone), reads a word a person typed, and counts
milestones by progress and risks by rating per objective. Pure: frames in, frames out.

>>> progress_of("ahead"), progress_of(" ✓ "), progress_of("fair / behind"), progress_of("soon")
('Excellent / ahead', 'Good / on schedule', 'Fair / behind', None)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd

from xlperf.layout import RAGS

EXCELLENT, GOOD, FAIR = "Excellent / ahead", "Good / on schedule", "Fair / behind"
COMPLETE, NOT_STARTED = "Complete", "Not started"
# The order a printed scorecard lists them in, and the drop-down's order.
PROGRESS = (EXCELLENT, GOOD, FAIR, COMPLETE, NOT_STARTED)
PROGRESS_SYMBOLS = {EXCELLENT: "★", GOOD: "✓", FAIR: "▲", COMPLETE: "●", NOT_STARTED: "○"}
# A progress that needs commentary (the service says why it is behind).
NEEDS_COMMENTARY = frozenset({FAIR})
ALL_OBJECTIVES = "All objectives"
# The council's risk scale when its Settings do not give one (highest first).
DEFAULT_RISK_RATINGS = ("High", "Medium", "Low")


def _key(text: object) -> str:
    return "".join(str(text).split()).casefold()


_PROGRESS_WORDS: dict[str, str] = {}
for _word in PROGRESS:
    _PROGRESS_WORDS[_key(_word)] = _word
    _PROGRESS_WORDS[_key(PROGRESS_SYMBOLS[_word])] = _word
    for _part in _word.split("/"):
        _PROGRESS_WORDS.setdefault(_key(_part), _word)
_SYMBOLS = frozenset(PROGRESS_SYMBOLS.values())
# A project's progress and forecast variance are rated Red, Amber or Green (the Projects
# sheet's words, xlperf.layout).
PROJECT_RAGS = RAGS


def progress_of(text: object) -> str | None:
    """The progress word ``text`` means (a word, half of one, its symbol, or the symbol and
    word as the return's drop-down shows it), else None.

    >>> progress_of("On schedule"), progress_of("★"), progress_of("▲ Fair / behind")
    ('Good / on schedule', 'Excellent / ahead', 'Fair / behind')
    """
    if not isinstance(text, str):
        return None  # a number or a date is never a progress word
    key = _key(text)
    found = _PROGRESS_WORDS.get(key)
    if found is None and key[:1] in _SYMBOLS:  # "▲ Fair / behind": the symbol must agree
        found = _PROGRESS_WORDS.get(key[1:])
        return found if found is not None and PROGRESS_SYMBOLS[found] == key[:1] else None
    return found


def progress_label(progress: str) -> str:
    """Symbol and word, as the report and the Milestones sheet print a progress.

    >>> progress_label("Fair / behind")
    '▲ Fair / behind'
    """
    return f"{PROGRESS_SYMBOLS[progress]} {progress}" if progress in PROGRESS_SYMBOLS else progress


def rating_of(text: object, scale: Sequence[str] = DEFAULT_RISK_RATINGS) -> str | None:
    """The rating of ``scale`` that ``text`` names (ignoring case and spaces), else None.

    >>> rating_of(" high "), rating_of("Severe")
    ('High', None)
    """
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return None
    wanted = _key(text)
    return next((r for r in scale if _key(r) == wanted), None)


def milestone_counts(milestones: pd.DataFrame, objectives: Sequence[str] = ()) -> pd.DataFrame:
    """Milestones per objective by progress: one row per objective, one column per progress
    word of :data:`PROGRESS` (in that order), integer counts. ``milestones`` has columns
    ``objective`` and ``progress`` (words as typed; an unknown or blank one is not counted).
    ``objectives``: rows to show even with no milestone (first, in their order).

    >>> frame = pd.DataFrame({"objective": ["A", "A", "B"], "progress": ["ahead", "▲", "x"]})
    >>> milestone_counts(frame, ["A", "B", "C"]).to_dict("index")["A"][FAIR]
    1
    """
    words = milestones["progress"].map(progress_of) if len(milestones) else pd.Series(
        [], dtype=object)
    frame = pd.DataFrame({"objective": milestones["objective"].astype(str).str.strip()
                          if len(milestones) else pd.Series([], dtype=object),
                          "progress": words}).dropna()
    return _counted(frame, "progress", PROGRESS, objectives)


def risk_counts(risks: pd.DataFrame, objectives: Sequence[str],
                scale: Sequence[str] = DEFAULT_RISK_RATINGS) -> pd.DataFrame:
    """Risks per objective by rating: one row per objective of ``objectives``, one column per
    rating of ``scale``. ``risks`` has columns ``objective`` and ``rating``; a risk for
    :data:`ALL_OBJECTIVES` counts against every objective; a rating off the scale is not
    counted (the register check reports it).

    >>> frame = pd.DataFrame({"objective": ["A", "All objectives"], "rating": ["High", "Low"]})
    >>> risk_counts(frame, ["A", "B"]).to_dict("index")
    {'A': {'High': 1, 'Medium': 0, 'Low': 1}, 'B': {'High': 0, 'Medium': 0, 'Low': 1}}
    """
    objective = risks["objective"].astype(str).str.strip() if len(risks) else pd.Series(
        [], dtype=object)
    rating = risks["rating"].map(lambda r: rating_of(r, scale)) if len(risks) else pd.Series(
        [], dtype=object)
    frame = pd.DataFrame({"objective": objective, "rating": rating}).dropna()
    every = frame["objective"].map(_key) == _key(ALL_OBJECTIVES)
    spread = frame[every].merge(pd.DataFrame({"objective": list(objectives)}), how="cross",
                                suffixes=("_all", ""))[["objective", "rating"]]
    return _counted(pd.concat([frame[~every], spread], ignore_index=True), "rating", scale,
                    objectives)


def _counted(frame: pd.DataFrame, column: str, values: Sequence[str],
             objectives: Sequence[str]) -> pd.DataFrame:
    """Counts of ``column``'s ``values`` per objective (``objectives`` first, then others)."""
    counts = pd.crosstab(frame["objective"], frame[column]) if len(frame) else pd.DataFrame()
    order = list(dict.fromkeys([*objectives, *counts.index]))
    counts = counts.reindex(index=order, columns=list(values), fill_value=0).fillna(0)
    counts.index.name, counts.columns.name = "objective", None
    return counts.astype(int)


def _is_date(value: object) -> bool:
    return isinstance(value, (dt.date, pd.Timestamp)) and not pd.isna(value)


def _texts(column: pd.Series) -> pd.Series:
    """Each cell as the text a message quotes ("" for a blank cell)."""
    return column.map(lambda v: "" if v is None or (isinstance(v, float) and pd.isna(v))
                      else str(v).strip())


class _Problems:
    """The problems found in returned rows, gathered column by column (vectorised masks)."""

    def __init__(self, returned: pd.DataFrame):
        self.index = returned.index
        self.found: list[pd.DataFrame] = []

    def add(self, mask: pd.Series, column: str, message: pd.Series | str) -> None:
        mask = mask.fillna(False).astype(bool)
        if mask.any():
            words = (message[mask].to_numpy() if isinstance(message, pd.Series)
                     else [message] * int(mask.sum()))
            self.found.append(pd.DataFrame({"row": self.index[mask.to_numpy()],
                                            "column": column, "message": words}))

    def frame(self) -> pd.DataFrame:
        if not self.found:
            return pd.DataFrame({"row": [], "column": [], "message": []})
        return pd.concat(self.found, ignore_index=True)


def milestone_problems(returned: pd.DataFrame, codes: Sequence[str] | None) -> pd.DataFrame:
    """What is wrong with milestone rows a service returned, one row per problem: ``row`` (the
    returned frame's index), ``column`` and ``message`` in the officer's words. ``returned``
    has columns ``code``, ``progress``, ``commentary`` and (optional) ``due date`` and
    ``revised date`` (a date, never a text or a number); ``codes`` are the master's milestone
    codes (None: not checked). A blank progress is not a problem: not reported yet. The
    validator turns each into a finding with its cell.

    >>> rows = pd.DataFrame({"code": ["M1", "M9"], "progress": ["behind", "soon"],
    ...                      "commentary": ["", "x"]})
    >>> milestone_problems(rows, ["M1"])["column"].tolist()
    ['commentary', 'code', 'progress']
    """
    code = _texts(returned["code"])
    progress = returned["progress"].map(progress_of)
    typed = _texts(returned["progress"])
    commentary = _texts(returned["commentary"])
    problems = _Problems(returned)
    problems.add(progress.isin(NEEDS_COMMENTARY) & (commentary == ""), "commentary",
                 "Milestone " + code + " is behind: say why and what is being done in the "
                 "commentary.")
    if codes is not None:
        known = {_key(c) for c in codes}
        problems.add(~code.map(_key).isin(known), "code",
                     "Milestone code '" + code + "' is not on the master's Milestones sheet.")
    problems.add(progress.isna() & (typed != ""), "progress",
                 "Progress '" + typed + "' is not one of: " + ", ".join(PROGRESS) + ".")
    for column in ("due date", "revised date"):
        if column in returned.columns:
            given = _texts(returned[column]) != ""
            dates = returned[column].map(_is_date)
            problems.add(given & ~dates, column, column.capitalize() + " '"
                         + _texts(returned[column]) + "' is not a date.")
    return problems.frame()


def rag_of(text: object) -> str | None:
    """The project RAG ``text`` names (Red, Amber or Green, ignoring case and spaces), else
    None: a number or a date is never one.

    >>> rag_of(" amber "), rag_of("Blue"), rag_of(3)
    ('Amber', None, None)
    """
    return rating_of(text, PROJECT_RAGS) if isinstance(text, str) else None


def project_problems(returned: pd.DataFrame, codes: Sequence[str] | None) -> pd.DataFrame:
    """What is wrong with project rows a service returned, as :func:`milestone_problems`:
    ``returned`` has ``code``, ``progress`` (the progress RAG), ``forecast`` (the forecast
    variance RAG) and ``commentary`` (the status note); ``codes`` the master's project codes
    (None: not checked). A RAG other than Red, Amber or Green is a problem of its column; a
    project rated Red (either RAG) without a status note is a ``commentary`` problem.

    >>> rows = pd.DataFrame({"code": ["P1", "P9"], "progress": ["Green", "Blue"],
    ...                      "forecast": ["amber", None], "commentary": ["", ""]})
    >>> project_problems(rows, ["P1"])[["row", "column"]].values.tolist()
    [[1, 'code'], [1, 'progress']]
    """
    code = _texts(returned["code"])
    problems = _Problems(returned)
    if codes is not None:
        known = {_key(c) for c in codes}
        problems.add(~code.map(_key).isin(known), "code",
                     "Project code '" + code + "' is not on the master's Projects sheet.")
    red = pd.Series(False, index=returned.index)
    for column, what in (("progress", "Progress RAG"), ("forecast", "Forecast variance RAG")):
        typed = _texts(returned[column])
        rag = returned[column].map(rag_of)
        red |= rag == "Red"
        problems.add((typed != "") & rag.isna(), column,
                     what + " '" + typed + "' is not one of: " + ", ".join(PROJECT_RAGS) + ".")
    problems.add(red & (_texts(returned["commentary"]) == ""), "commentary",
                 "Project " + code + " is Red: say why and what is being done in its status "
                 "note.")
    return problems.frame()
