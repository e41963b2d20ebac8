"""The director's judgement in the committee report's summary (issue 24): beside each
objective's computed judgement, the director's own word as a chip, the flag (symbol and word,
never colour alone) where it differs, and the director's commentary and name. Which judgements
a period shows and which differ are decided by :mod:`xlperf.core.overrides`, as for the
Objectives sheet."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

import pandas as pd

from xlperf.core.overrides import OVERRIDE_FLAG, beside_computed

DIRECTOR_HEADERS = (("Director's judgement", ""), ("Director's commentary", ""))
# The summary's column widths (% of the table) with the two director's columns.
DIRECTOR_WIDTHS = (16, 10, 9, 7, 5, 6, 7, 7, 5, 10, 18)
LEAD = (" Where the director's own judgement differs from the computed one, it is printed "
        f"beside it, flagged {OVERRIDE_FLAG}, with the director's commentary and name; the "
        "computed judgement stays.")
KEY_ROW = (f'<tr><td><span class="override">{escape(OVERRIDE_FLAG)}</span></td>'
           "<td>the director's judgement differs from the computed one (both are printed)"
           "</td></tr>")


def with_director(objectives: pd.DataFrame, judgements: pd.DataFrame | None) -> pd.DataFrame:
    """The summary's roll-up with the director's columns beside the computed judgement
    (:func:`~xlperf.core.overrides.beside_computed`), or as it is without judgements."""
    return objectives if judgements is None else beside_computed(objectives, judgements)


def director_cells(row: Any, judgement_chip: Callable[[str], str]) -> str:
    """A summary row's two director's cells: the word's chip and the flag where overridden;
    the commentary, then the director's name."""
    word = str(getattr(row, "director_judgement", "") or "")
    flag = (f' <span class="override">{escape(OVERRIDE_FLAG)}</span>'
            if bool(getattr(row, "overridden", False)) else "")
    said = escape(str(getattr(row, "director_commentary", "") or ""))
    name = str(getattr(row, "director", "") or "")
    who = f' <span class="director">&#8212; {escape(name)}</span>' if name else ""
    return (f"<td>{judgement_chip(word) if word else ''}{flag}</td>"
            f'<td class="note">{said}{who}</td>')


__all__ = ["DIRECTOR_HEADERS", "DIRECTOR_WIDTHS", "KEY_ROW", "LEAD", "director_cells",
           "with_director"]
