"""Statistical process control in the committee report: a measure card's XmR chart (a run
chart when there is not enough data for SPC) and the variation and assurance chips of the card
and the trend scorecard (docs/spc.md).

The charts are :func:`xlperf.core.spc_scored.charts_at`'s, worked out once for every measure
(:attr:`~xlperf.report._data.ReportData.charts`); each card takes its measure's slice here.
"""

from __future__ import annotations

import math
from html import escape
from typing import Any

import numpy as np
import pandas as pd

from xlperf.core.spc import icon
from xlperf.report._colours import safe_colour, text_on
from xlperf.report._svg import xmr_chart


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


class SpcCharts:
    """Each measure's chart rows, found by code without a pandas look-up per card."""

    def __init__(self, charts: pd.DataFrame | None):
        self.charts = charts if charts is not None else pd.DataFrame()
        self.slices: dict[str, tuple[int, int]] = {}
        if len(self.charts):
            codes = self.charts["code"].astype(str).to_numpy(dtype=object)
            starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
            stops = np.r_[starts[1:], len(codes)]
            self.slices = {str(codes[a]): (int(a), int(b)) for a, b in zip(starts, stops,
                                                                            strict=True)}

    def chart(self, row: Any, unit: str = "") -> str:
        """The card's XmR (or run) chart of ``row``'s measure; "" when it has no chart."""
        code = str(row.code)
        if code not in self.slices:
            return ""
        a, b = self.slices[code]
        part = self.charts.iloc[a:b]
        values = [_number(v) for v in part["charted"]]
        keep = [i for i, v in enumerate(values) if v is not None]
        if not keep:
            return ""
        part = part.iloc[keep[0]:keep[-1] + 1]  # from the first point to the latest

        def numbers(column: str) -> list[float | None]:
            return [_number(v) for v in part[column]]

        limited = part["limited"].to_numpy(dtype=bool)
        said = [str(getattr(row, "variation_explanation", "") or ""),
                str(getattr(row, "assurance_explanation", "") or "")]
        cumulative = bool(part["cumulative"].any())
        name = f"{code} {getattr(row, 'title', '') or ''}".strip() + (
            " (per-period increments)" if cumulative else "")
        return xmr_chart(
            [str(p) for p in part["period_text"]], numbers("charted"),
            mean=numbers("mean"),
            lower=[v if ok else None for v, ok in zip(numbers("lower"), limited, strict=True)],
            upper=[v if ok else None for v, ok in zip(numbers("upper"), limited, strict=True)],
            lower_2sigma=numbers("lower_2sigma"), upper_2sigma=numbers("upper_2sigma"),
            words=[str(w) for w in part["variation"].astype(object).fillna("")],
            sides=[int(s) for s in part["special"]], label=name, unit=unit, said=said,
            ghosts=_reasons(part, "ghost"), rebases=_reasons(part, "rebase"))


def _reasons(part: pd.DataFrame, column: str) -> list[str | None]:
    """Each point's ghost or rebase reason (None where it has none; "no reason given" for a
    change made without one)."""
    if column not in part.columns:
        return [None] * len(part)
    return [None if r is None or (isinstance(r, float) and math.isnan(r))
            else (str(r) or "no reason given") for r in part[column].astype(object)]


# MDC's colours as the chart draws them (3:1 or more on white, so a chip stands out from the
# page as a status chip does): blue, orange, purple, and a dark grey for MDC's grey.
_CHIP_COLOURS = {"#00B0F0": "#1D70B8", "#E46C0A": "#B35200", "#490092": "#490092",
                 "#A6A6A6": "#505A5F"}
_NO_COLOUR = "#F3F2F1"  # not enough data, no target, data only: MDC gives no colour


def chip(word: str, side: str = "") -> str:
    """A variation or assurance as a chip: its symbol and word on its colour.

    >>> chip("Special cause of concern", "high")  # doctest: +ELLIPSIS
    '<span class="status spc" style="background:#B35200;color:#FFFFFF">...▲</span> Special...'
    """
    symbol, colour = icon(word, side)
    background = safe_colour(_CHIP_COLOURS.get(colour or "", _NO_COLOUR))
    return (f'<span class="status spc" style="background:{background};'
            f'color:{text_on(background)}"><span aria-hidden="true">{escape(symbol)}</span> '
            f"{escape(word)}</span>")


def spc_chips(row: Any) -> str:
    """The variation and assurance of ``row`` as chips; "" when the row has none."""
    side = str(getattr(row, "variation_side", "") or "")
    return " ".join(chip(word, side) for word in (getattr(row, k, None) for k in (
        "variation", "assurance")) if isinstance(word, str) and word)


def spc_facts(row: Any) -> list[tuple[str, str]]:
    """The card's facts of SPC: each icon and the sentence that explains it."""
    facts = []
    for key, header in (("variation", "Variation"), ("assurance", "Assurance")):
        word = getattr(row, key, None)
        if not isinstance(word, str) or not word:
            continue
        sentence = str(getattr(row, f"{key}_explanation", "") or "")
        facts.append((header, chip(word, str(getattr(row, "variation_side", "") or ""))
                      + (f" {escape(sentence)}" if sentence else "")))
    return facts
