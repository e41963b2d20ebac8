"""The director's judgement beside the computed one on the Objectives sheet (issue 24;
:mod:`xlperf.core.overrides`): the extra headers and each line's extra cells, so the
Objectives writer needs only a small hook."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from xlperf.core.overrides import OVERRIDE_FLAG
from xlperf.write._outputs_base import JUDGEMENT_FILL, WRAP, contrast_text
from xlperf.write.styles import CellStyle

DIRECTOR_HEADERS = ("Director's judgement", "Director's commentary", "Director", "Override")
DIRECTOR_WIDTHS = (14, 50, 18, 14)


def director_cells(row: Mapping[str, Any]) -> list[Any]:
    """A line's director's judgement, commentary, name and flag (blank when none; the flag,
    symbol and word, only where the director's judgement differs from the computed one)."""
    return [row.get("director_judgement") or None, row.get("director_commentary") or None,
            row.get("director") or None, OVERRIDE_FLAG if bool(row.get("overridden")) else None]


def director_styles(row: Mapping[str, Any], base: CellStyle | None) -> list[CellStyle]:
    """The styles of :func:`director_cells`: the director's word on its judgement's colour
    (as the computed one), the commentary wrapped, the flag bold; top-aligned like the line."""
    fill = JUDGEMENT_FILL.get(str(row.get("director_judgement") or ""))
    plain = base or WRAP
    word = (CellStyle(bold=True, fill=fill, color=contrast_text(fill), vertical="top")
            if fill and base is None else plain)
    flag = CellStyle(bold=True, vertical="top") if base is None else plain
    return [word, plain, plain, flag]
