"""Statistical process control in the committee report: a measure card's XmR chart (a run
chart when there is not enough data for SPC) and the variation and assurance chips of the card
and the trend scorecard (docs/spc.md).

The charts are :func:`xlperf.core.spc_scored.charts_at`'s, worked out once for every measure
(:attr:`~xlperf.report._data.ReportData.charts`); each card takes its measure's slice here.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from html import escape
from typing import Any

import numpy as np
import pandas as pd

from xlperf.core.spc import icon
from xlperf.report._colours import safe_colour, text_on
from xlperf.report._svg import xmr_chart


def _numbers(column: pd.Series) -> list[float | None]:
    """A column's values as floats, None where one is not a finite number (converted at
    once, not value by value)."""
    array = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)
    out = array.astype(object)
    out[~np.isfinite(array)] = None
    return out.tolist()


def _reason_list(charts: pd.DataFrame, column: str) -> list[str | None]:
    """Each point's ghost or rebase reason (None where it has none; "no reason given" for a
    change made without one)."""
    if column not in charts.columns:
        return [None] * len(charts)
    return [None if r is None or (isinstance(r, float) and math.isnan(r))
            else (str(r) or "no reason given") for r in charts[column].astype(object)]


_SERIES = ("charted", "mean", "lower", "upper", "lower_2sigma", "upper_2sigma")


class SpcCharts:
    """Each measure's chart rows, found by code: every column the chart draws is taken out of
    the frame once, as plain lists, and each card takes its measure's slice of them (a pandas
    slice per card cost more than drawing the chart)."""

    def __init__(self, charts: pd.DataFrame | None, codes: Iterable[str] | None = None):
        """``codes``: only these measures' charts are drawn (the cards'); default every one."""
        self.charts = charts if charts is not None else pd.DataFrame()
        self.slices: dict[str, tuple[int, int]] = {}
        self.decimals: list[int] | None = None
        if not len(self.charts):
            return
        frame = self.charts
        names = frame["code"].astype(str).to_numpy(dtype=object)
        starts = np.flatnonzero(np.r_[True, names[1:] != names[:-1]])
        stops = np.r_[starts[1:], len(names)]
        runs = {str(names[a]): (int(a), int(b)) for a, b in zip(starts, stops, strict=True)}
        if codes is not None:  # the wanted measures' rows, each measure's run as before
            wanted = {str(c) for c in codes}
            runs = {c: run for c, run in runs.items() if c in wanted}
            rows = (np.concatenate([np.arange(a, b) for a, b in runs.values()]) if runs
                    else np.zeros(0, dtype=int))
            frame = frame.iloc[rows]
            at = np.cumsum([0, *(b - a for a, b in runs.values())])
            runs = {c: (int(at[i]), int(at[i + 1])) for i, c in enumerate(runs)}
        self.slices = runs
        self.series = {column: _numbers(frame[column]) for column in _SERIES}
        self.limited = frame["limited"].to_numpy(dtype=bool).tolist()
        self.cumulative = frame["cumulative"].to_numpy(dtype=bool).tolist()
        self.labels = [str(p) for p in frame["period_text"]]
        self.words = [str(w) for w in frame["variation"].astype(object).fillna("")]
        self.sides = [int(s) for s in frame["special"]]
        self.ghosts = _reason_list(frame, "ghost")
        self.rebases = _reason_list(frame, "rebase")
        # the places the sentences say each measure's mean and limits to, for its alt text
        self.decimals = (frame["statistic_decimals"].to_numpy(dtype=int).tolist()
                         if "statistic_decimals" in frame.columns else None)

    def chart(self, row: Any, unit: str = "", width: int = 320) -> str:
        """The card's XmR (or run) chart of ``row``'s measure, ``width`` px wide; "" when it
        has no chart."""
        code = str(row.code)
        if code not in self.slices:
            return ""
        a, b = self.slices[code]
        charted = self.series["charted"]
        keep = [i for i in range(a, b) if charted[i] is not None]
        if not keep:
            return ""
        a, b = keep[0], keep[-1] + 1  # from the first point to the latest

        def numbers(column: str) -> list[float | None]:
            return self.series[column][a:b]

        limited = self.limited[a:b]
        said = [str(getattr(row, "variation_explanation", "") or ""),
                str(getattr(row, "assurance_explanation", "") or "")]
        cumulative = any(self.cumulative[a:b])
        name = f"{code} {getattr(row, 'title', '') or ''}".strip() + (
            " (per-period increments)" if cumulative else "")
        return xmr_chart(
            self.labels[a:b], numbers("charted"), mean=numbers("mean"),
            lower=[v if ok else None for v, ok in zip(numbers("lower"), limited, strict=True)],
            upper=[v if ok else None for v, ok in zip(numbers("upper"), limited, strict=True)],
            lower_2sigma=numbers("lower_2sigma"), upper_2sigma=numbers("upper_2sigma"),
            words=self.words[a:b], sides=self.sides[a:b], label=name, unit=unit, said=said,
            ghosts=self.ghosts[a:b], rebases=self.rebases[a:b], width=width,
            decimals=self.decimals[a] if self.decimals is not None else None)


# MDC's colours as the chart draws them (3:1 or more on white, so a chip stands out from the
# page as a status chip does): blue, orange, purple, and a dark grey for MDC's grey.
_CHIP_COLOURS = {"#00B0F0": "#1D70B8", "#E46C0A": "#B35200", "#490092": "#490092",
                 "#A6A6A6": "#505A5F"}
_NO_COLOUR = "#F3F2F1"  # not enough data, no target, data only: MDC gives no colour


@functools.lru_cache(maxsize=256)  # a few words and sides, on every card and trend row
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


def spc_chips(row: Any) -> tuple[str, str]:
    """The variation and the assurance of ``row``, each as a chip ("" where it has none)."""
    side = str(getattr(row, "variation_side", "") or "")
    words = (getattr(row, k, None) for k in ("variation", "assurance"))
    variation, assurance = (chip(w, side) if isinstance(w, str) and w else "" for w in words)
    return variation, assurance


def spc_facts(row: Any) -> list[tuple[str, str]]:
    """The card's facts of SPC: each icon and the sentence that explains it; when both
    icons give the same sentence (not enough data for SPC), one line says both."""
    chips = dict(zip(("variation", "assurance"), spc_chips(row), strict=True))
    found = [(header, chips[key], str(getattr(row, f"{key}_explanation", "") or ""))
             for key, header in (("variation", "Variation"), ("assurance", "Assurance"))
             if chips[key]]
    if len(found) == 2 and found[0][1:] == found[1][1:]:
        found = [("Variation and assurance", *found[0][1:])]
    return [(header, icon + (f" {escape(sentence)}" if sentence else ""))
            for header, icon, sentence in found]
