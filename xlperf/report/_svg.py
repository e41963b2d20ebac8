"""Charts as SVG text, written directly (no plotting library): sparklines and measure charts.

Every chart is an ``<svg role="img">`` with an ``aria-label`` and a ``<title>``/``<desc>`` that
state the numbers it shows, so a screen reader (and a tagged PDF) gets what the picture says.
Coordinates are rounded to 0.1 and nothing depends on time, so the same data gives the same
bytes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from xlperf.core.figures import format_number
from xlperf.report._colours import INK

ACTUAL_COLOUR = "#1D70B8"  # GOV.UK blue: 5.2:1 on white
TARGET_COLOUR = "#505A5F"  # GOV.UK dark grey: 7:1 on white
BAND_COLOUR = "#B1B4B6"  # the shaded tolerance band (its edges are stated in the text too)
GRID_COLOUR = "#D8DADC"


def _f(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".") if math.isfinite(x) else "0"


def fmt(value: float | None, unit: str = "") -> str:
    """A number for a label: ``68.04%`` for a percentage, ``–`` when there is none."""
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
              unit: str = "", width: int = 90, height: int = 22) -> str:
    """A small line of the last periods' values, the latest marked with a dot.

    ``label`` names the measure; the accessible name lists every period and value.

    >>> svg = sparkline([3, 5, None, 4], ["Q1", "Q2", "Q3", "Q4"], label="CPP")
    >>> 'role="img"' in svg and "Q2 5" in svg
    True
    """
    said = "; ".join(f"{p} {fmt(v, unit)}" for p, v in zip(labels, values, strict=True))
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
            coords = " ".join(f"{_f(x)},{_f(y(v))}" for x, v in run)
            parts.append(f'<polyline points="{coords}" fill="none" stroke="{INK}" '
                         'stroke-width="1.5" stroke-linejoin="round"/>')
        last = next(p for p in reversed(points) if p[1] is not None and math.isfinite(p[1]))
        parts.append(f'<circle cx="{_f(last[0])}" cy="{_f(y(last[1]))}" r="2.5" '
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
    rows = "; ".join(f"{p}: actual {fmt(a, unit)}, target {fmt(t, unit)}"
                     for p, a, t in zip(labels, actuals, targets, strict=True))
    title = f"{label}: actual against target, {labels[0]} to {labels[-1]}" if labels else (
        f"{label}: no values")
    desc = rows + (f". Shaded: tolerance band, {band_text}." if band_text else ".")
    left, right, top, bottom = 52, 14, 26, 38
    plot_w, plot_h = width - left - right, height - top - bottom
    everything = _finite(actuals) + _finite(targets) + [
        v for b in band if b is not None for v in b if math.isfinite(v)]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
             f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             f'aria-label="{escape(title + ". " + desc)}">'
             f'<title>{escape(title)}</title><desc>{escape(desc)}</desc>']
    if not everything:
        parts.append(f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" '
                     f'font-size="12" fill="{INK}">No values to chart</text></svg>')
        return "".join(parts)
    low, high = min(everything), max(everything)
    if high == low:
        low, high = low - 1, high + 1
    step = _nice_step(high - low)
    low = math.floor(low / step) * step
    high = math.ceil(high / step) * step
    if low < 0 <= min(everything):
        low = 0.0

    def y(v: float) -> float:
        return top + plot_h - (v - low) / (high - low) * plot_h

    n = len(labels)
    gap = plot_w / max(n, 1)

    def x(i: int) -> float:
        return left + gap * (i + 0.5)

    # Grid and y axis labels.
    tick = low
    while tick <= high + step / 1000:
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{_f(y(tick))}" '
                     f'y2="{_f(y(tick))}" stroke="{GRID_COLOUR}" stroke-width="1"/>'
                     f'<text x="{left - 6}" y="{_f(y(tick) + 4)}" text-anchor="end" '
                     f'font-size="11" fill="{INK}">{escape(fmt(round(tick, 9), unit))}</text>')
        tick += step
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
            upper = " ".join(f"{_f(px)},{_f(y(b[1]))}" for px, (_, b) in zip(xs, run,
                                                                             strict=True))
            lower = " ".join(f"{_f(px)},{_f(y(b[0]))}" for px, (_, b) in reversed(
                list(zip(xs, run, strict=True))))
            parts.append(f'<polygon points="{upper} {lower}" fill="{BAND_COLOUR}" '
                         'fill-opacity="0.45" stroke="none"/>')
            run = []
    # Target: dashed line.
    for seg in _runs([(x(i), t) for i, t in enumerate(targets)]):
        if len(seg) == 1:
            px, v = seg[0]
            seg = [(px - gap * 0.3, v), (px + gap * 0.3, v)]
        coords = " ".join(f"{_f(px)},{_f(y(v))}" for px, v in seg)
        parts.append(f'<polyline points="{coords}" fill="none" stroke="{TARGET_COLOUR}" '
                     'stroke-width="2" stroke-dasharray="6 4"/>')
    # Actual: solid line, dots and values.
    for seg in _runs([(x(i), a) for i, a in enumerate(actuals)]):
        if len(seg) > 1:
            coords = " ".join(f"{_f(px)},{_f(y(v))}" for px, v in seg)
            parts.append(f'<polyline points="{coords}" fill="none" stroke="{ACTUAL_COLOUR}" '
                         'stroke-width="2.5" stroke-linejoin="round"/>')
    font = 10 if n <= 8 else 9
    for i, a in enumerate(actuals):
        if a is None or not math.isfinite(a):
            continue
        parts.append(f'<circle cx="{_f(x(i))}" cy="{_f(y(a))}" r="3.5" fill="{ACTUAL_COLOUR}"/>'
                     f'<text x="{_f(x(i))}" y="{_f(y(a) - 7)}" text-anchor="middle" '
                     f'font-size="{font}" fill="{INK}">{escape(fmt(a, unit))}</text>')
    # X axis labels and the legend.
    stagger = n > 8  # many periods: alternate labels on two lines so none collide
    for i, text in enumerate(labels):
        drop = 12 if stagger and i % 2 else 0
        parts.append(f'<text x="{_f(x(i))}" y="{height - bottom + 14 + drop}" '
                     f'text-anchor="middle" font-size="{font + 1}" fill="{INK}">'
                     f"{escape(text)}</text>")
    legend_y = 12
    parts.append(
        f'<line x1="{left}" x2="{left + 22}" y1="{legend_y}" y2="{legend_y}" '
        f'stroke="{ACTUAL_COLOUR}" stroke-width="2.5"/>'
        f'<circle cx="{left + 11}" cy="{legend_y}" r="3.5" fill="{ACTUAL_COLOUR}"/>'
        f'<text x="{left + 28}" y="{legend_y + 4}" font-size="11" fill="{INK}">Actual</text>'
        f'<line x1="{left + 90}" x2="{left + 112}" y1="{legend_y}" y2="{legend_y}" '
        f'stroke="{TARGET_COLOUR}" stroke-width="2" stroke-dasharray="6 4"/>'
        f'<text x="{left + 118}" y="{legend_y + 4}" font-size="11" fill="{INK}">Target</text>')
    if band_text:
        parts.append(
            f'<rect x="{left + 180}" y="{legend_y - 6}" width="22" height="12" '
            f'fill="{BAND_COLOUR}" fill-opacity="0.45"/>'
            f'<text x="{left + 208}" y="{legend_y + 4}" font-size="11" fill="{INK}">'
            f'Tolerance band ({escape(band_text)})</text>')
    parts.append("</svg>")
    return "".join(parts)
