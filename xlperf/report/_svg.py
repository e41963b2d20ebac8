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

from xlperf.core.figures import format_number
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


def fmt(value: float | None, unit: str = "") -> str:
    """A number for a label: ``68.04%`` for a percentage, ``–`` when there is none (digits,
    separators, signs and ``%`` only: nothing to escape in HTML)."""
    if value is None or not math.isfinite(value):
        return "–"
    text = format_number(value)
    return f"{text}%" if unit == "%" else text


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

    tick = low
    while tick <= high + step / 1000:
        at = _f(y(tick))
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{at}" '
                     f'y2="{at}" stroke="{GRID_COLOUR}" stroke-width="1"/>'
                     f'<text x="{left - 6}" y="{_f(y(tick) + 4)}" text-anchor="end" '
                     f'font-size="{font_size}" fill="{INK}">'
                     f'{fmt(round(tick, 9), unit)}</text>')
        tick += step
    return x, y, gap


def measure_chart(labels: Sequence[str], actuals: Sequence[float | None],
                  targets: Sequence[float | None], *, label: str, unit: str = "",
                  band: Sequence[tuple[float, float] | None] | None = None,
                  band_text: str = "", width: int = 520, height: int = 210) -> str:
    """Actual (solid line with dots and values) against target (dashed line), with the
    tolerance band shaded around the target, one point per period, oldest first.

    >>> svg = measure_chart(["Q1", "Q2"], [80.1, 91.54], [45.3, 45.3], label="KIGS CH01",
    ...                     band=[(43.3, 47.3), (43.3, 47.3)], band_text="target ± 2")
    >>> "Q2: actual 91.54, target 45.3" in svg and "<desc>" in svg
    True
    """
    band = list(band) if band is not None else [None] * len(labels)
    said = _Memo(lambda v: fmt(v, unit))  # a target repeats; each actual is said twice
    rows = "; ".join(f"{p}: actual {said[a]}, target {said[t]}"
                     for p, a, t in zip(labels, actuals, targets, strict=True))
    title = f"{label}: actual against target, {labels[0]} to {labels[-1]}" if labels else (
        f"{label}: no values")
    desc = rows + (f". Shaded: tolerance band, {band_text}." if band_text else ".")
    left, right, top, bottom = 52, 14, 26, 38
    plot_w, plot_h = width - left - right, height - top - bottom
    everything = _finite(actuals) + _finite(targets) + [
        v for b in band if b is not None for v in b if math.isfinite(v)]
    parts = [_svg_open("chart", width, height, title, desc)]
    if not everything:
        return _no_values(parts, width, height)
    low, high, step = _nice_scale(everything)
    if low < 0 <= min(everything):
        low = 0.0

    n = len(labels)
    x, y, gap = _axes(parts, (left, right, top, width), plot_w, plot_h, (low, high, step), n,
                      unit, font_size=11)
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
    font = 10 if n <= 8 else 9
    for i, a in enumerate(actuals):
        if a is None or not math.isfinite(a):
            continue
        cx = fx[x(i)]
        parts.append(f'<circle cx="{cx}" cy="{fy[a]}" r="3.5" fill="{ACTUAL_COLOUR}"/>'
                     f'<text x="{cx}" y="{_f(y(a) - 7)}" text-anchor="middle" '
                     f'font-size="{font}" fill="{INK}">{said[a]}</text>')
    # X axis labels and the legend: the same on every card of the same periods.
    parts.append(_x_labels(tuple(labels), left, gap, height - bottom + 14, font + 1))
    parts.append(_legend(left, band_text))
    parts.append("</svg>")
    return "".join(parts)


@functools.lru_cache(maxsize=256)
def _x_labels(labels: tuple[str, ...], left: float, gap: float, y: float, font: int) -> str:
    """A measure chart's period labels (many periods: alternate labels on two lines so none
    collide)."""
    stagger = len(labels) > 8
    return "".join(f'<text x="{_X[left + gap * (i + 0.5)]}" '
                   f'y="{y + (12 if stagger and i % 2 else 0)}" text-anchor="middle" '
                   f'font-size="{font}" fill="{INK}">{_label(text)}</text>'
                   for i, text in enumerate(labels))


@functools.lru_cache(maxsize=256)
def _legend(left: float, band_text: str) -> str:
    """A measure chart's legend (the band's with its tolerance in words)."""
    legend_y = 12
    parts = [
        f'<line x1="{left}" x2="{left + 22}" y1="{legend_y}" y2="{legend_y}" '
        f'stroke="{ACTUAL_COLOUR}" stroke-width="2.5"/>'
        f'<circle cx="{left + 11}" cy="{legend_y}" r="3.5" fill="{ACTUAL_COLOUR}"/>'
        f'<text x="{left + 28}" y="{legend_y + 4}" font-size="11" fill="{INK}">Actual</text>'
        f'<line x1="{left + 90}" x2="{left + 112}" y1="{legend_y}" y2="{legend_y}" '
        f'stroke="{TARGET_COLOUR}" stroke-width="2" stroke-dasharray="6 4"/>'
        f'<text x="{left + 118}" y="{legend_y + 4}" font-size="11" fill="{INK}">Target</text>']
    if band_text:
        parts.append(
            f'<rect x="{left + 180}" y="{legend_y - 6}" width="22" height="12" '
            f'fill="{BAND_COLOUR}" fill-opacity="0.45"/>'
            f'<text x="{left + 208}" y="{legend_y + 4}" font-size="11" fill="{INK}">'
            f'Tolerance band ({escape(band_text)})</text>')
    return "".join(parts)


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
              width: int = 500, height: int = 150) -> str:
    """An XmR chart: the points, the mean (solid), the process limits (dashed), the 2-sigma
    band (shaded) and each special-cause point marked with a triangle pointing to its side,
    in MDC's colour for improvement or concern. Without limits (too few points) it is a run
    chart: the points and their mean. One entry per point, oldest first; ``words`` is each
    point's variation (``Special cause of concern``...), ``sides`` +1 high, -1 low, 0;
    ``said`` the sentences of the latest point's icons, stated in the alt text. ``rebases``:
    the reason at each point where the limits start again (the lines break there and a
    dotted line marks it); ``ghosts``: the reason of each ghosted point (a hollow circle, left
    out of the limits); both stated in the alt text.

    >>> svg = xmr_chart(["Q1", "Q2", "Q3"], [5, 8, 45], mean=[10] * 3, lower=[1] * 3,
    ...     upper=[19] * 3, lower_2sigma=[4] * 3, upper_2sigma=[16] * 3,
    ...     words=["Common cause", "Common cause", "Special cause of improvement"],
    ...     sides=[0, 0, 1], label="PI 1")
    >>> "process limits 1 to 19" in svg and "Q3 45 (special cause of improvement, high)" in svg
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
    if latest is not None:
        title = f"{label}: XmR chart, {points} points, {span}"
        lines = (f"mean {fmt(mean[latest], unit)}, process limits {fmt(lower[latest], unit)} "
                 f"to {fmt(upper[latest], unit)}, 2-sigma band "
                 f"{fmt(lower_2sigma[latest], unit)} to {fmt(upper_2sigma[latest], unit)}")
    else:
        known_mean = [m for m in mean if m is not None and math.isfinite(m)]
        title = f"{label}: run chart (not enough data for SPC), {points} points, {span}"
        lines = f"mean {fmt(known_mean[-1], unit)}" if known_mean else "no mean"
    marked = "; ".join(
        f"{labels[i]} {fmt(values[i], unit)} ({words[i][:1].lower() + words[i][1:]}, "
        f"{'high' if sides[i] > 0 else 'low'})" for i in special)
    changes = ""
    for i in rebased:
        before = [j for j in limited if segment[j] == segment[i] - 1]
        changes += (f" Limits recalculated from {labels[i]} ({rebases[i]})"
                    + (f"; before it mean {fmt(mean[before[-1]], unit)}, process limits "
                       f"{fmt(lower[before[-1]], unit)} to {fmt(upper[before[-1]], unit)}"
                       if before else "") + ".")
    if ghosted:
        changes += " Ghosted, left out of the limits and not judged: " + "; ".join(
            f"{labels[i]} {fmt(values[i], unit)} ({ghosts[i]})" for i in ghosted) + "."
    desc = (f"{lines[:1].upper() + lines[1:]}. Special cause points: {marked or 'none'}."
            + changes + "".join(f" {s[:1].upper() + s[1:]}." for s in said if s))
    left, right, top, bottom = 52, 14, 22, 30
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
    for i, v in enumerate(values):
        if v is None or not math.isfinite(v):
            continue
        if i in ghosted:  # hollow: drawn, but not part of the process
            parts.append(f'<circle cx="{fx[at_x[i]]}" cy="{fy[v]}" r="3.5" fill="#FFFFFF" '
                         f'stroke="{ACTUAL_COLOUR}" stroke-width="1.5"/>')
        elif sides[i]:
            colour = SPC_COLOURS.get(words[i], ACTUAL_COLOUR)
            cy, d = y(v), 6.0
            tip, base = (cy - d, cy + d * 0.7) if sides[i] > 0 else (cy + d, cy - d * 0.7)
            parts.append(f'<polygon points="{_f(x(i))},{_f(tip)} {_f(x(i) - d)},{_f(base)} '
                         f'{_f(x(i) + d)},{_f(base)}" fill="{colour}" stroke="{INK}" '
                         'stroke-width="0.75"/>')
        else:
            parts.append(f'<circle cx="{fx[at_x[i]]}" cy="{fy[v]}" r="2.5" '
                         f'fill="{ACTUAL_COLOUR}"/>')
    # The period labels and the legend: the same on every card of the same periods.
    parts.append(_xmr_labels(tuple(labels), left, gap, height - bottom + 14))
    parts.append(_xmr_legend(left, latest is not None, bool(ghosted)))
    parts.append("</svg>")
    return "".join(parts)


@functools.lru_cache(maxsize=256)
def _xmr_labels(labels: tuple[str, ...], left: float, gap: float, y: float) -> str:
    """An XmR chart's period labels: at most eight, the latest always."""
    n = len(labels)
    every = max(1, math.ceil(n / 8))
    return "".join(f'<text x="{_X[left + gap * (i + 0.5)]}" y="{y}" '
                   f'text-anchor="middle" font-size="10" fill="{INK}">'
                   f"{_label(text)}</text>" for i, text in enumerate(labels)
                   if i == n - 1 or (i % every == 0 and n - 1 - i >= every))  # and room


@functools.lru_cache(maxsize=64)
def _xmr_legend(left: float, limits: bool, ghosted: bool) -> str:
    """An XmR chart's legend: the mean; the limits, band and special cause when it has
    limits; a ghosted point when it has one."""
    legend = [(f'<line x1="{left}" x2="{left + 18}" y1="10" y2="10" stroke="{INK}" '
               'stroke-width="1.5"/>', "Mean")]
    if limits:
        legend += [(f'<line x1="{left + 70}" x2="{left + 88}" y1="10" y2="10" '
                    f'stroke="{LIMIT_COLOUR}" stroke-width="1.5" stroke-dasharray="5 3"/>',
                    "Process limits"),
                   (f'<rect x="{left + 170}" y="5" width="18" height="10" '
                    f'fill="{NEAR_COLOUR}"/>', "2-sigma band"),
                   (f'<polygon points="{left + 276},4 {left + 270},14 {left + 282},14" '
                    f'fill="{SPC_COLOURS["Special cause of concern"]}"/>',
                    "Special cause")]
    offsets = (0, 70, 170, 265, 355)
    if ghosted:
        spot = left + offsets[len(legend)] + 9
        legend.append((f'<circle cx="{spot}" cy="10" r="3.5" fill="#FFFFFF" '
                       f'stroke="{ACTUAL_COLOUR}" stroke-width="1.5"/>', "Ghosted"))
    return "".join(mark + f'<text x="{left + offset + 22}" y="14" font-size="10" '
                   f'fill="{INK}">{escape(text)}</text>'
                   for (mark, text), offset in zip(legend, offsets, strict=False))
