"""Charts as SVG text, written directly (no plotting library): sparklines and measure charts.

Every chart is an ``<svg role="img">`` with an ``aria-label`` and a ``<title>``/``<desc>`` that
state the numbers it shows, so a screen reader (and a tagged PDF) gets what the picture says.
Coordinates are rounded to 0.1 and nothing depends on time, so the same data gives the same
bytes.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from html import escape
from typing import Any

import numpy as np

from xlperf.core.figures import (
    format_number,
    format_statistic,
    say_figure,
    shown_decimals,
    statistic_decimals,
    unit_affixes,
    with_unit,
)
from xlperf.report._colours import INK

ACTUAL_COLOUR = "#1D70B8"  # GOV.UK blue: 5.2:1 on white
TARGET_COLOUR = "#505A5F"  # GOV.UK dark grey: 7:1 on white
BAND_COLOUR = "#B1B4B6"  # the shaded tolerance band (its edges are stated in the text too)
GRID_COLOUR = "#D8DADC"


def _f(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".") if math.isfinite(x) else "0"


class _Memo(dict[Any, str]):
    """``function`` of a value worked out once per distinct value, for one chart, read as
    ``memo[value]``: its x positions, and a target's, mean's or limit's y, repeat at every
    point (a dict lookup, not a Python call, once a value is known)."""

    def __init__(self, function: Callable[[Any], str]):
        super().__init__()
        self.function = function

    def __missing__(self, value: Any) -> str:
        found = self[value] = self.function(value)
        return found


class _Shared(_Memo):
    """A :class:`_Memo` kept from chart to chart for the x positions: every card's chart of
    the same number of periods puts them at the same places (bounded: cleared when full)."""

    def __missing__(self, value: Any) -> str:
        if len(self) > 4096:
            self.clear()
        return super().__missing__(value)


_X = _Shared(_f)
# A period label, a legend word: the same few texts on every chart, escaped once each.
_label = functools.lru_cache(maxsize=4096)(escape)


def fmt(value: float | None, unit: str = "", decimals: int | None = None, *,
        axis: bool = False, places: int | None = None, difference: bool = False,
        signed: bool = False) -> str:
    """A figure as the pack says it: with its unit as the Scorecard sheet's number format
    shows it (:func:`~xlperf.core.figures.unit_affixes`: ``68.0%``, ``33 wks``,
    ``7.8 days``, ``325 per 10k``, ``£1,200k``), ``–`` when there is none (digits,
    separators, signs, ``£`` and the unit's words only: nothing to escape in HTML).
    ``places``: a measure's figure to its decimals, exactly as the Scorecard's cell shows it
    (:func:`~xlperf.core.figures.say_figure`; ``difference``: a variance's unit, a
    percentage's in points; ``signed``: ``+`` before a positive one). ``decimals``: a chart's
    statistic (mean, limit), said to that many places
    (:func:`~xlperf.core.figures.format_statistic`). Neither: the figure's own digits
    (:func:`~xlperf.core.figures.format_number`). ``axis``: a chart's tick, without the
    unit's words (``33``, ``68%``; the figures' labels and alt text say them).

    >>> fmt(33, "weeks"), fmt(7.8, "days"), fmt(-1200, "£000s"), fmt(7.8, "days", axis=True)
    ('33 wks', '7.8 days', '-£1,200k', '7.8')
    >>> fmt(85, "%", places=1), fmt(-2.25, "%", places=1, difference=True, signed=True)
    ('85.0%', '-2.3 pts')
    """
    if value is None or not math.isfinite(value):
        return "–"
    if places is not None:
        return say_figure(value, unit, places, difference=difference, signed=signed,
                          words=not axis)
    text = format_number(value) if decimals is None else format_statistic(value, decimals)
    return with_unit(text, unit, words=not axis, difference=difference)


def _dots(centres: Sequence[tuple[str, str]], r: float) -> str:
    """The ``d`` of one path drawing a dot of radius ``r`` at each centre (x, y already
    written): a chart's points as one shape, not a ``<circle>`` each (a browser prints one
    path many times faster than as many elements).

    >>> _dots([("10", "20")], 2)
    'M8 20a2 2 0 1 0 4 0a2 2 0 1 0-4 0Z'
    """
    rr, dd = _f(r), _f(2 * r)
    return "".join(f"M{_f(float(x) - r)} {y}a{rr} {rr} 0 1 0 {dd} 0a{rr} {rr} 0 1 0-{dd} 0Z"
                   for x, y in centres)


def _width(text: str, font: float) -> float:
    """A label's width as the charts estimate it: 0.56 of the font size a character
    (Liberation Sans' average), so labels can be placed without measuring the font."""
    return len(text) * font * 0.56


def _finite(values: Sequence[float | None]) -> list[float]:
    return [v for v in values if v is not None and math.isfinite(v)]


def _runs(points: Sequence[tuple[float, float | None]]) -> list[list[tuple[float, float]]]:
    """Consecutive points with a value: a gap breaks the line."""
    runs: list[list[tuple[float, float]]] = [[]]
    for x, y in points:
        if y is None or not math.isfinite(y):
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append((x, y))
    return [r for r in runs if r]


def sparkline(values: Sequence[float | None], labels: Sequence[str], *, label: str,
              unit: str = "", width: int = 90, height: int = 22,
              texts: Sequence[str] | None = None) -> str:
    """A small line of the last periods' values, the latest marked with a dot.

    ``label`` names the measure; the accessible name lists every period and value
    (``texts``: the values as :func:`fmt` writes them, when the caller has them already).

    >>> svg = sparkline([3, 5, None, 4], ["Q1", "Q2", "Q3", "Q4"], label="CPP")
    >>> 'role="img"' in svg and "Q2 5" in svg
    True
    """
    if texts is None:
        texts = [fmt(v, unit) for v in values]
    said = "; ".join(f"{p} {t}" for p, t in zip(labels, texts, strict=True))
    name = f"Trend of {label}: {said}" if said else f"Trend of {label}: no values"
    known = _finite(values)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="spark" role="img" '
             f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             f'aria-label="{escape(name)}"><title>{escape(name)}</title>']
    if known:
        low, high = min(known), max(known)
        span = high - low or 1.0
        step = (width - 8) / max(len(values) - 1, 1)

        def y(v: float) -> float:
            return height - 4 - (v - low) / span * (height - 8) if high != low else height / 2

        points = [(4 + i * step, v) for i, v in enumerate(values)]
        for run in _runs(points):
            if len(run) == 1:
                continue
            coords = " ".join(f"{_X[x]},{_f(y(v))}" for x, v in run)
            parts.append(f'<polyline points="{coords}" fill="none" stroke="{INK}" '
                         'stroke-width="1.5" stroke-linejoin="round"/>')
        last_x, last_v = next((p[0], p[1]) for p in reversed(points)
                              if p[1] is not None and math.isfinite(p[1]))
        parts.append(f'<circle cx="{_X[last_x]}" cy="{_f(y(last_v))}" r="2.5" '
                     f'fill="{ACTUAL_COLOUR}"/>')
    parts.append("</svg>")
    return "".join(parts)


def _nice_step(span: float, ticks: int = 4) -> float:
    raw = span / max(ticks, 1)
    if raw <= 0 or not math.isfinite(raw):
        return 1.0
    magnitude = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * magnitude:
            return m * magnitude
    return 10 * magnitude


def _svg_open(cls: str, width: int, height: int, title: str, desc: str) -> str:
    """A chart's opening tag with its accessible name, title and description."""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="{cls}" role="img" '
            f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            f'aria-label="{escape(title + ". " + desc)}">'
            f'<title>{escape(title)}</title><desc>{escape(desc)}</desc>')


def _no_values(parts: list[str], width: int, height: int) -> str:
    """The chart of a measure with nothing to plot: it says so."""
    parts.append(f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" '
                 f'font-size="12" fill="{INK}">No values to chart</text></svg>')
    return "".join(parts)


def _nice_scale(values: Sequence[float]) -> tuple[float, float, float]:
    """The axis of ``values``: low and high rounded out to a nice step, and the step."""
    low, high = min(values), max(values)
    if high == low:
        low, high = low - 1, high + 1
    step = _nice_step(high - low)
    return math.floor(low / step) * step, math.ceil(high / step) * step, step


def _axes(parts: list[str], box: tuple[float, float, float, float], plot_w: float,
          plot_h: float, scale: tuple[float, float, float], n: int, unit: str, *,
          font_size: int) -> tuple[Callable[[int], float], Callable[[float], float], float]:
    """A chart's scales and grid: ``x`` of a period's position, ``y`` of a value, the width
    a period takes, and a labelled grid line per ``step`` appended to ``parts`` (``box``: the
    left, right and top margins and the width; ``scale``: low, high, step)."""
    left, right, top, width = box
    low, high, step = scale

    def y(v: float) -> float:
        return top + plot_h - (v - low) / (high - low) * plot_h

    gap = plot_w / max(n, 1)

    def x(i: int) -> float:
        return left + gap * (i + 0.5)

    grid, texts = [], []
    tick = low
    while tick <= high + step / 1000:
        at = _f(y(tick))
        grid.append(f"M{left} {at}H{width - right}")
        texts.append(f'<text x="{left - 6}" y="{_f(y(tick) + 4)}" text-anchor="end" '
                     f'font-size="{font_size}" fill="{INK}">'
                     f'{fmt(round(tick, 9), unit, axis=True)}</text>')
        tick += step
    # The grid lines as one path: one shape to print, not one per line.
    parts.append(f'<path d="{"".join(grid)}" stroke="{GRID_COLOUR}" stroke-width="1" '
                 'fill="none"/>')
    parts.extend(texts)
    return x, y, gap


def measure_chart(labels: Sequence[str], actuals: Sequence[float | None],
                  targets: Sequence[float | None], *, label: str, unit: str = "",
                  band: Sequence[tuple[float, float] | None] | None = None,
                  band_text: str = "", width: int = 320, height: int = 160,
                  places: int | None = None) -> str:
    """Actual (solid line with dots and values) against target (dashed line), with the
    tolerance band shaded around the target, one point per period, oldest first. ``places``:
    the figures' decimals, as the Scorecard shows them (:func:`fmt`).

    >>> svg = measure_chart(["Q1", "Q2"], [80.1, 91.54], [45.3, 45.3], label="KIGS CH01",
    ...                     band=[(43.3, 47.3), (43.3, 47.3)], band_text="target ± 2")
    >>> "Q2: actual 91.54, target 45.3" in svg and "<desc>" in svg
    True
    """
    band = list(band) if band is not None else [None] * len(labels)
    said = _Memo(lambda v: fmt(v, unit, places=places))  # a target repeats; an actual twice
    rows = "; ".join(f"{p}: actual {said[a]}, target {said[t]}"
                     for p, a, t in zip(labels, actuals, targets, strict=True))
    title = f"{label}: actual against target, {labels[0]} to {labels[-1]}" if labels else (
        f"{label}: no values")
    desc = rows + (f". Shaded: tolerance band, {band_text}." if band_text else ".")
    legend = (("actual", "Actual"), ("target", "Target")) + (
        (("band", f"Tolerance: {band_text}"),) if band_text else ())
    n = len(labels)
    font = 10 if n <= 8 else 9
    label_font = font if width < 420 else font + 1
    left, right = 46, 10
    top = 22 + 13 * _legend_rows(legend, width)  # room for a value label over the top point
    staggered = _staggered(tuple(labels), (width - left - right) / max(n, 1), label_font)
    bottom = 20 + (label_font + 2 if staggered else 0)
    plot_w, plot_h = width - left - right, height - top - bottom
    # The axis, and the band cut to it, never under 0 when every point and target is at or
    # above it, nor a percentage's over 100 when all are at or under it (CYP 2.1.6's 0%
    # target ± 2 was drawn down to -5%).
    figures = _finite(actuals) + _finite(targets)
    floor = 0.0 if figures and min(figures) >= 0 else -math.inf
    ceiling = (100.0 if figures and max(figures) <= 100 and unit_affixes(unit)[1] == "%"
               else math.inf)
    band = [None if b is None else (min(max(b[0], floor), ceiling),
                                    max(min(b[1], ceiling), floor)) for b in band]
    everything = figures + [v for b in band if b is not None for v in b if math.isfinite(v)]
    parts = [_svg_open("chart", width, height, title, desc)]
    if not everything:
        return _no_values(parts, width, height)
    low, high, step = _nice_scale(everything)
    low, high = max(low, floor), min(high, ceiling)

    x, y, gap = _axes(parts, (left, right, top, width), plot_w, plot_h, (low, high, step), n,
                      unit, font_size=label_font)
    fx, fy = _X, _Memo(lambda v: _f(y(v)))
    # Tolerance band: one polygon per run of periods with a band.
    band_points = [(x(i), b) for i, b in enumerate(band)]
    run: list[tuple[float, tuple[float, float]]] = []
    for point in [*band_points, (0.0, None)]:
        if point[1] is not None and all(math.isfinite(v) for v in point[1]):
            run.append(point)  # type: ignore[arg-type]
            continue
        if run:
            xs = [p[0] for p in run]
            if len(run) == 1:
                xs = [xs[0] - gap * 0.3, xs[0] + gap * 0.3]
                run = [run[0], run[0]]
            upper = " ".join(f"{fx[px]},{fy[b[1]]}" for px, (_, b) in zip(xs, run,
                                                                             strict=True))
            lower = " ".join(f"{fx[px]},{fy[b[0]]}" for px, (_, b) in reversed(
                list(zip(xs, run, strict=True))))
            parts.append(f'<polygon points="{upper} {lower}" fill="{BAND_COLOUR}" '
                         'fill-opacity="0.45" stroke="none"/>')
            run = []
    # Target: dashed line.
    for seg in _runs([(x(i), t) for i, t in enumerate(targets)]):
        if len(seg) == 1:
            px, v = seg[0]
            seg = [(px - gap * 0.3, v), (px + gap * 0.3, v)]
        coords = " ".join(f"{fx[px]},{fy[v]}" for px, v in seg)
        parts.append(f'<polyline points="{coords}" fill="none" stroke="{TARGET_COLOUR}" '
                     'stroke-width="2" stroke-dasharray="6 4"/>')
    # Actual: solid line, dots and values.
    for seg in _runs([(x(i), a) for i, a in enumerate(actuals)]):
        if len(seg) > 1:
            coords = " ".join(f"{fx[px]},{fy[v]}" for px, v in seg)
            parts.append(f'<polyline points="{coords}" fill="none" stroke="{ACTUAL_COLOUR}" '
                         'stroke-width="2.5" stroke-linejoin="round"/>')
    shown = [(i, a) for i, a in enumerate(actuals) if a is not None and math.isfinite(a)]
    if shown:
        parts.append(f'<path d="{_dots([(fx[x(i)], fy[a]) for i, a in shown], 3.5)}" '
                     f'fill="{ACTUAL_COLOUR}"/>')
    # Each point's value where it has room: from the latest back, a label is left out where
    # it would touch the one after it (a year of months on a card; the year's table and the
    # alt text have every value), and kept inside the chart.
    labelled: list[tuple[int, float, float]] = []
    room = float(width)
    for i, a in reversed(shown):
        half = _width(said[a], font) / 2
        centre = min(max(x(i), half + 1), width - half - 1)
        if not labelled or centre + half + 2 <= room:  # the latest always
            labelled.append((i, a, centre))
            room = centre - half
    if labelled:  # each value on a pale box, so a line under it does not cross its digits
        parts.append(f'<path d="{_label_boxes(labelled, said, y, font)}" fill="#FFFFFF" '
                     'fill-opacity="0.8"/>')
    parts.extend(f'<text x="{_f(centre)}" y="{_f(y(a) - 7)}" text-anchor="middle" '
                 f'font-size="{font}" fill="{INK}">{said[a]}</text>'
                 for i, a, centre in reversed(labelled))
    # X axis labels and the legend: the same on every card of the same periods.
    parts.append(_x_labels(tuple(labels), left, gap, height - bottom + 14, label_font))
    parts.append(_legend(legend, width))
    parts.append("</svg>")
    return "".join(parts)


def _label_boxes(labelled: Sequence[tuple[int, float, float]], said: Any,
                 y: Callable[[float], float], font: int) -> str:
    """The ``d`` of one path of a box behind each value label (``(i, value, centre)``, the
    label's baseline 7 px over its point): the label's estimated width and its digits' height,
    a pixel to spare, clear of the point's dot below it.

    >>> _label_boxes([(0, 5.0, 50.0)], {5.0: "5"}, lambda v: 100.0, 10)
    'M46.2 85h7.6v9h-7.6Z'
    """
    parts = []
    for _i, value, centre in labelled:
        half = _width(said[value], font) / 2 + 1
        base = y(value) - 7
        parts.append(f"M{_f(centre - half)} {_f(base - font * 0.8)}h{_f(2 * half)}"
                     f"v{_f(font * 0.9)}h{_f(-2 * half)}Z")
    return "".join(parts)


def _staggered(labels: tuple[str, ...], gap: float, font: int) -> bool:
    """Whether period labels need alternate ones on a second line: they are wider than the
    room a period has."""
    widest = max((_width(text, font) for text in labels), default=0.0)
    return widest + 4 > gap


@functools.lru_cache(maxsize=256)
def _x_labels(labels: tuple[str, ...], left: float, gap: float, y: float, font: int) -> str:
    """A measure chart's period labels, alternate ones on a second line when they would
    touch (:func:`_staggered`)."""
    stagger = _staggered(labels, gap, font)
    return "".join(f'<text x="{_X[left + gap * (i + 0.5)]}" '
                   f'y="{y + (font + 2 if stagger and i % 2 else 0)}" text-anchor="middle" '
                   f'font-size="{font}" fill="{INK}">{_label(text)}</text>'
                   for i, text in enumerate(labels))


def _mark(kind: str, x: float, y: float) -> str:
    """A legend's mark of ``kind`` 18 px wide from ``x``, centred on ``y``."""
    x1, x2, mid = _f(x), _f(x + 18), _f(x + 9)
    if kind == "actual":
        return (f'<line x1="{x1}" x2="{x2}" y1="{y}" y2="{y}" stroke="{ACTUAL_COLOUR}" '
                f'stroke-width="2.5"/><path d="{_dots([(mid, _f(y))], 3)}" '
                f'fill="{ACTUAL_COLOUR}"/>')
    if kind == "target":
        return (f'<line x1="{x1}" x2="{x2}" y1="{y}" y2="{y}" stroke="{TARGET_COLOUR}" '
                'stroke-width="2" stroke-dasharray="5 3"/>')
    if kind == "mean":
        return f'<line x1="{x1}" x2="{x2}" y1="{y}" y2="{y}" stroke="{INK}" stroke-width="1.5"/>'
    if kind == "limits":
        return (f'<line x1="{x1}" x2="{x2}" y1="{y}" y2="{y}" stroke="{LIMIT_COLOUR}" '
                'stroke-width="1.5" stroke-dasharray="5 3"/>')
    if kind in ("band", "near"):
        colour, opacity = ((BAND_COLOUR, ' fill-opacity="0.45"') if kind == "band"
                           else (NEAR_COLOUR, ""))
        return (f'<rect x="{x1}" y="{_f(y - 5)}" width="18" height="10" fill="{colour}"'
                f"{opacity}/>")
    if kind == "special":
        return (f'<path d="M{mid} {_f(y - 6)}L{_f(x + 3)} {_f(y + 4)}L{_f(x + 15)} '
                f'{_f(y + 4)}Z" fill="{SPC_COLOURS["Special cause of concern"]}"/>')
    return (f'<path d="{_dots([(mid, _f(y))], 3.5)}" fill="#FFFFFF" stroke="{ACTUAL_COLOUR}" '
            'stroke-width="1.5"/>')  # ghost


def _legend_places(entries: tuple[tuple[str, str], ...], width: float,
                   font: int = 9) -> list[tuple[float, float]]:
    """Where each legend entry starts (x, y of its mark): side by side by the words' widths,
    an entry that would run past ``width`` starting a row 13 px lower."""
    places, x, y = [], 6.0, 9.0
    for _, words in entries:
        span = 22 + _width(words, font)
        if x > 6 and x + span > width - 4:
            x, y = 6.0, y + 13
        places.append((x, y))
        x += span + 10
    return places


@functools.lru_cache(maxsize=256)
def _legend(entries: tuple[tuple[str, str], ...], width: float, font: int = 9) -> str:
    """A chart's legend along its top: each entry's mark (:func:`_mark`) and words, at
    :func:`_legend_places`."""
    return "".join(_mark(kind, x, y) + f'<text x="{_f(x + 22)}" y="{_f(y + font * 0.38)}" '
                   f'font-size="{font}" fill="{INK}">{escape(words)}</text>'
                   for (kind, words), (x, y) in zip(entries, _legend_places(entries, width,
                                                                            font),
                                                    strict=True))


def _legend_rows(entries: tuple[tuple[str, str], ...], width: float, font: int = 9) -> int:
    """How many rows :func:`_legend` takes for ``entries`` (the plot starts under them)."""
    return len({y for _, y in _legend_places(entries, width, font)}) if entries else 1


# MDC's colours for the XmR chart, darkened where MDC's are under 3:1 on white (WCAG's least
# for graphics): blue for improvement, orange for concern, purple for a data-only measure.
SPC_COLOURS = {"Special cause of improvement": "#1D70B8", "Special cause of concern": "#B35200",
               "Special cause high": "#490092", "Special cause low": "#490092"}
LIMIT_COLOUR = "#505A5F"
NEAR_COLOUR = "#E3E4E5"


def xmr_chart(labels: Sequence[str], values: Sequence[float | None], *,
              mean: Sequence[float | None], lower: Sequence[float | None],
              upper: Sequence[float | None], lower_2sigma: Sequence[float | None],
              upper_2sigma: Sequence[float | None], words: Sequence[str], sides: Sequence[int],
              label: str, unit: str = "", said: Sequence[str] = (),
              ghosts: Sequence[str | None] = (), rebases: Sequence[str | None] = (),
              width: int = 320, height: int = 160, decimals: int | None = None) -> str:
    """An XmR chart: the points, the mean (solid), the process limits (dashed), the 2-sigma
    band (shaded) and each special-cause point marked with a triangle pointing to its side,
    in MDC's colour for improvement or concern. Without limits (too few points) it is a run
    chart: the points and their mean. One entry per point, oldest first; ``words`` is each
    point's variation (``Special cause of concern``...), ``sides`` +1 high, -1 low, 0;
    ``said`` the sentences of the latest point's icons, stated in the alt text. ``rebases``:
    the reason at each point where the limits start again (the lines break there and a
    dotted line marks it); ``ghosts``: the reason of each ghosted point (a hollow circle, left
    out of the limits); both stated in the alt text. ``decimals``: the places the mean and
    limits are said to (the chart's ``statistic_decimals``, as its sentences say them; by
    default one more than the points show).

    >>> svg = xmr_chart(["Q1", "Q2", "Q3"], [5, 8, 45], mean=[10] * 3, lower=[1] * 3,
    ...     upper=[19] * 3, lower_2sigma=[4] * 3, upper_2sigma=[16] * 3,
    ...     words=["Common cause", "Common cause", "Special cause of improvement"],
    ...     sides=[0, 0, 1], label="PI 1")
    >>> "process limits 1.0 to 19.0" in svg and "Q3 45 (special cause of improvement, high)" in svg
    True
    """
    n = len(labels)
    rebased = [i for i, r in enumerate(rebases) if r is not None and i < n]
    ghosted = [i for i, g in enumerate(ghosts) if g is not None and i < n
               and values[i] is not None]
    segment = ([sum(1 for r in rebased if r <= i) for i in range(n)] if rebased
               else [0] * n)  # which run of limits each point is in
    limited = [i for i in range(n) if upper[i] is not None and math.isfinite(upper[i] or 0)
               and lower[i] is not None and math.isfinite(lower[i] or 0)]
    special = [i for i in range(n) if sides[i] and values[i] is not None]
    span = f"{labels[0]} to {labels[-1]}" if n else "no periods"
    points = sum(1 for v in values if v is not None and math.isfinite(v))
    latest = limited[-1] if limited else None
    # The mean and limits to the places the sentences say them to.
    places = decimals if decimals is not None else statistic_decimals(int(shown_decimals(
        np.array([np.nan if v is None else v for v in values], dtype=float)).max(initial=0)))

    def stat(value: float | None) -> str:
        return fmt(value, unit, places)

    if latest is not None:
        title = f"{label}: XmR chart, {points} points, {span}"
        lines = (f"mean {stat(mean[latest])}, process limits {stat(lower[latest])} "
                 f"to {stat(upper[latest])}, 2-sigma band "
                 f"{stat(lower_2sigma[latest])} to {stat(upper_2sigma[latest])}")
    else:
        known_mean = [m for m in mean if m is not None and math.isfinite(m)]
        title = f"{label}: run chart (not enough data for SPC), {points} points, {span}"
        lines = f"mean {stat(known_mean[-1])}" if known_mean else "no mean"
    marked = "; ".join(
        f"{labels[i]} {fmt(values[i], unit)} ({words[i][:1].lower() + words[i][1:]}, "
        f"{'high' if sides[i] > 0 else 'low'})" for i in special)
    changes = ""
    for i in rebased:
        before = [j for j in limited if segment[j] == segment[i] - 1]
        changes += (f" Limits recalculated from {labels[i]} ({rebases[i]})"
                    + (f"; before it mean {stat(mean[before[-1]])}, process limits "
                       f"{stat(lower[before[-1]])} to {stat(upper[before[-1]])}"
                       if before else "") + ".")
    if ghosted:
        changes += " Ghosted, left out of the limits and not judged: " + "; ".join(
            f"{labels[i]} {fmt(values[i], unit)} ({ghosts[i]})" for i in ghosted) + "."
    desc = (f"{lines[:1].upper() + lines[1:]}. Special cause points: {marked or 'none'}."
            + changes + "".join(f" {s[:1].upper() + s[1:]}." for s in said if s))
    legend = (("mean", "Mean"),) + ((("limits", "Process limits"), ("near", "2-sigma band"),
                                     ("special", "Special cause")) if latest is not None
                                    else ()) + ((("ghost", "Ghosted"),) if ghosted else ())
    left, right, bottom = 46, 10, 28
    top = 12 + 13 * _legend_rows(legend, width)
    plot_w, plot_h = width - left - right, height - top - bottom
    parts = [_svg_open("chart xmr", width, height, title, desc)]
    everything = _finite(values) + _finite([*lower, *upper, *mean])
    if not everything:
        return _no_values(parts, width, height)
    low, high, step = _nice_scale(everything)

    x, y, gap = _axes(parts, (left, right, top, width), plot_w, plot_h, (low, high, step), n,
                      unit, font_size=10)
    fx, fy = _X, _Memo(lambda v: _f(y(v)))
    at_x = [x(i) for i in range(n)]
    segments = sorted(set(segment))

    def line(series: Sequence[float | None], colour: str, dash: str = "",
             stroke: float = 1.5, by_segment: bool = False) -> None:
        # The mean and limits of each segment are their own lines: none crosses a rebase.
        pieces = ([[v if segment[i] == s else None for i, v in enumerate(series)]
                   for s in segments] if by_segment and len(segments) > 1 else [series])
        for seg in (r for piece in pieces for r in _runs(list(zip(at_x, piece,
                                                                  strict=True)))):
            if len(seg) == 1:
                seg = [(seg[0][0] - gap * 0.3, seg[0][1]), (seg[0][0] + gap * 0.3, seg[0][1])]
            coords = " ".join(f"{fx[px]},{fy[v]}" for px, v in seg)
            parts.append(f'<polyline points="{coords}" fill="none" stroke="{colour}" '
                         f'stroke-width="{stroke}"' + (f' stroke-dasharray="{dash}"' if dash
                                                       else "") + "/>")

    # The 2-sigma band, shaded between its lines, over each run of periods with limits.
    stretches: list[list[int]] = []
    for i in limited:
        if stretches and stretches[-1][-1] == i - 1 and segment[i] == segment[i - 1]:
            stretches[-1].append(i)
        else:
            stretches.append([i])
    for stretch in stretches:
        xs = ([x(stretch[0]) - gap * 0.3, x(stretch[0]) + gap * 0.3] if len(stretch) == 1
              else [x(i) for i in stretch])
        at = stretch * 2 if len(stretch) == 1 else stretch
        top_edge = " ".join(f"{fx[px]},{fy[upper_2sigma[i] or 0]}"
                            for px, i in zip(xs, at, strict=True))
        bottom_edge = " ".join(f"{fx[px]},{fy[lower_2sigma[i] or 0]}"
                               for px, i in reversed(list(zip(xs, at, strict=True))))
        parts.append(f'<polygon points="{top_edge} {bottom_edge}" fill="{NEAR_COLOUR}" '
                     'stroke="none"/>')
    line(upper, LIMIT_COLOUR, "5 3", by_segment=True)
    line(lower, LIMIT_COLOUR, "5 3", by_segment=True)
    line(mean, INK, stroke=1.5, by_segment=True)
    for i in rebased:  # where the limits start again
        edge = _f(x(i) - gap / 2)
        parts.append(f'<line x1="{edge}" x2="{edge}" y1="{top}" y2="{top + plot_h}" '
                     f'stroke="{INK}" stroke-width="1" stroke-dasharray="1 2"/>')
    line(values, ACTUAL_COLOUR, stroke=2)
    # The points, one path per kind (a browser prints one path far faster than many shapes):
    # the common ones, the ghosted ones (hollow: drawn, not part of the process), and the
    # special-cause triangles of each colour, pointing to their side.
    common, hollow = [], []
    triangles: dict[str, list[str]] = {}
    for i, v in enumerate(values):
        if v is None or not math.isfinite(v):
            continue
        if i in ghosted:
            hollow.append((fx[at_x[i]], fy[v]))
        elif sides[i]:
            cy, d = y(v), 6.0
            tip, base = (cy - d, cy + d * 0.7) if sides[i] > 0 else (cy + d, cy - d * 0.7)
            triangles.setdefault(SPC_COLOURS.get(words[i], ACTUAL_COLOUR), []).append(
                f"M{_f(x(i))} {_f(tip)}L{_f(x(i) - d)} {_f(base)}L{_f(x(i) + d)} {_f(base)}Z")
        else:
            common.append((fx[at_x[i]], fy[v]))
    if common:
        parts.append(f'<path d="{_dots(common, 2.5)}" fill="{ACTUAL_COLOUR}"/>')
    if hollow:
        parts.append(f'<path d="{_dots(hollow, 3.5)}" fill="#FFFFFF" '
                     f'stroke="{ACTUAL_COLOUR}" stroke-width="1.5"/>')
    parts.extend(f'<path d="{"".join(shapes)}" fill="{colour}" stroke="{INK}" '
                 'stroke-width="0.75"/>' for colour, shapes in triangles.items())
    # The period labels and the legend: the same on every card of the same periods.
    parts.append(_xmr_labels(tuple(labels), left, gap, height - bottom + 14))
    parts.append(_legend(legend, width))
    parts.append("</svg>")
    return "".join(parts)


@functools.lru_cache(maxsize=256)
def _xmr_labels(labels: tuple[str, ...], left: float, gap: float, y: float,
                font: int = 9) -> str:
    """An XmR chart's period labels: as many as fit side by side (at most eight), evenly
    spaced, the latest always."""
    n = len(labels)
    widest = max((_width(text, font) for text in labels), default=0.0) + 8
    room = max(2, min(8, int(gap * n // max(widest, 1))))
    every = max(1, math.ceil(n / room))
    end = left + gap * n  # the plot's right edge: the latest label ends there at most
    return "".join(
        f'<text x="{_X[min(left + gap * (i + 0.5), end + 8 - widest / 2)]}" y="{y}" '
        f'text-anchor="middle" font-size="{font}" fill="{INK}">{_label(text)}</text>'
        for i, text in enumerate(labels)
        if i == n - 1 or (i % every == 0 and n - 1 - i >= every))  # and room
