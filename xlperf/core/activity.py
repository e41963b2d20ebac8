"""The "activity" frame: what services returned for their milestones and projects.

One row per code per period (issue 24): ``code`` (the master's Milestones or Projects code),
``kind`` (``milestone`` or ``project``), ``period`` (:meth:`~xlperf.core.periods.Period.format`),
``progress`` (a milestone's word of :data:`~xlperf.core.milestones.PROGRESS`, a project's
progress RAG; None when not reported), ``forecast`` (a project's forecast-variance RAG, None for
a milestone), ``commentary`` ("" when none: a project's status note), ``service`` and
``source`` (the return's file name); and ``revised_date`` (a milestone's revised date when the
service gave one, else None). The refresh reads it from the returns
(:func:`xlperf.read.activity.returned_activity`), the ledger keeps it
(:func:`xlperf.ledger.activity_frame`), the output sheets and the report print it.

Pure: frames in, frames out.

>>> rows = pd.DataFrame({"type": ["Milestone", "Project"], "code": [" M01", "P01"],
...                      "progress": ["▲ Fair / behind", "green"], "forecast": [None, "Amber"],
...                      "revised date": [None, None], "commentary": ["Late start", None]})
>>> frame = activity_rows(rows, service="Safeguarding", period="Q2 2013/14", source="s.xlsx")
>>> frame[["code", "kind", "progress", "forecast"]].values.tolist()
[['M01', 'milestone', 'Fair / behind', None], ['P01', 'project', 'Green', 'Amber']]
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from xlperf.core.milestones import progress_of, rag_of

MILESTONE, PROJECT = "milestone", "project"
KINDS = (MILESTONE, PROJECT)
#: The frame's columns, in order (the contract the output sheets and the report read).
ACTIVITY_COLUMNS = ("code", "kind", "period", "progress", "forecast", "commentary", "service",
                    "source", "revised_date")


def empty_activity() -> pd.DataFrame:
    """The activity frame with nothing returned (its columns, no rows).

    >>> list(empty_activity().columns) == list(ACTIVITY_COLUMNS), len(empty_activity())
    (True, 0)
    """
    return pd.DataFrame({c: pd.Series([], dtype=object) for c in ACTIVITY_COLUMNS})


def kind_of(text: object) -> str | None:
    """``milestone`` or ``project`` for a return's Type cell (any case), else None.

    >>> kind_of("Milestone"), kind_of(" PROJECT "), kind_of("Risk")
    ('milestone', 'project', None)
    """
    word = str(text).strip().casefold() if isinstance(text, str) else ""
    return word if word in KINDS else None


def _text(value: object) -> str:
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
    code = frame["code"].map(_text)
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
        "commentary": frame["commentary"].map(_text).to_numpy(dtype=object),
        "service": service, "source": source,
        "revised_date": pd.Series(revised, dtype=object).to_numpy()},
        columns=list(ACTIVITY_COLUMNS), index=frame.index)
    return out.astype(object).where(out.notna(), None)
