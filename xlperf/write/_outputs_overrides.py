"""The director's judgement beside the computed one on the Objectives sheet (issue 24;
:mod:`xlperf.core.overrides`): the extra headers and each line's extra cells, so the
Objectives writer needs only a small hook."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from xlperf.core.overrides import OVERRIDE_FLAG

DIRECTOR_HEADERS = ("Director's judgement", "Director's commentary", "Director", "Override")
DIRECTOR_WIDTHS = (14, 50, 18, 14)


def director_cells(row: Mapping[str, Any]) -> list[Any]:
    """A line's director's judgement, commentary, name and flag (blank when none; the flag,
    symbol and word, only where the director's judgement differs from the computed one)."""
    return [row.get("director_judgement") or None, row.get("director_commentary") or None,
            row.get("director") or None, OVERRIDE_FLAG if bool(row.get("overridden")) else None]
