"""The card's charts are narrow (two cards to an A4 page, two charts to a card): their labels
must still not run into each other or off the chart, whatever the periods and values.

The width of a label is estimated as the charts estimate it (0.56 of the font size a
character, Liberation Sans' average), so these laws check the placing, not the font."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from xlperf.report import _svg

labels = st.lists(st.text(alphabet="Q1234 /-JanFebMarApr", min_size=1, max_size=11),
                  min_size=1, max_size=60)


def _texts(svg: str) -> list[tuple[float, float, str, str, int]]:
    """Each ``<text>``: x, y, anchor, words, font size."""
    return [(float(x), float(y), anchor, words, int(size)) for x, y, anchor, size, words in
            re.findall(r'<text x="([\d.-]+)" y="([\d.-]+)"(?: text-anchor="(\w+)")? '
                       r'font-size="(\d+)"[^>]*>([^<]*)</text>', svg)]


def _span(x: float, anchor: str, words: str, size: int) -> tuple[float, float]:
    width = len(words) * size * 0.56
    if anchor == "end":
        return x - width, x
    if anchor == "middle":
        return x - width / 2, x + width / 2
    return x, x + width


@settings(max_examples=150, deadline=None)
@given(labels, st.integers(200, 600))
def test_xmr_period_labels_never_touch_and_stay_on_the_chart(periods, width) -> None:
    left, right = 46, 10
    gap = (width - left - right) / len(periods)
    svg = _svg._xmr_labels.__wrapped__(tuple(periods), left, gap, 150.0)
    shown = _texts(svg)
    assert shown[-1][3] == _svg.escape(periods[-1])  # the latest always
    spans = [_span(x, a, w, s) for x, _, a, w, s in shown]
    assert all(end <= width for _, end in spans), spans
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False)), spans


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.none(), st.floats(-1e5, 1e5, allow_nan=False)), min_size=1,
                max_size=24), st.sampled_from(["", "%"]), st.integers(220, 520))
def test_a_measure_charts_value_labels_never_touch(actuals, unit, width) -> None:
    periods = [f"P{i}" for i in range(len(actuals))]
    svg = _svg.measure_chart(periods, actuals, [None] * len(actuals), label="M", unit=unit,
                             width=width, height=160)
    values = {_svg.fmt(a, unit) for a in actuals if a is not None}
    # the value labels: over the plot (not the axis's, ending at x 40; not the periods')
    shown = [t for t in _texts(svg) if t[3] in values and t[1] < 160 - 20
             and not (t[0] == 40 and t[2] == "end")]
    known = [a for a in actuals if a is not None]
    if not known:
        return
    # the latest value is labelled, and no two value labels overlap side by side
    assert _svg.fmt(known[-1], unit) in {t[3] for t in shown}
    spans = sorted(_span(x, a, w, s) for x, _, a, w, s in shown)
    assert all(a[1] <= b[0] + 0.5 for a, b in zip(spans, spans[1:], strict=False)), spans
    assert all(start >= 0 and end <= width for start, end in spans), spans


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.none(), st.floats(-1e5, 1e5, allow_nan=False)), min_size=1,
                max_size=24), st.sampled_from(["", "%"]), st.integers(220, 520))
def test_each_value_label_sits_on_a_pale_box_clear_of_its_point(actuals, unit, width) -> None:
    periods = [f"P{i}" for i in range(len(actuals))]
    svg = _svg.measure_chart(periods, actuals, [50.0] * len(actuals), label="M", unit=unit,
                             width=width, height=160)
    found = re.search(r'<path d="([^"]*)" fill="#FFFFFF"', svg)
    known = [a for a in actuals if a is not None]
    if not known:
        assert found is None
        return
    boxes = sorted(tuple(map(float, b)) for b in re.findall(
        r"M([\d.-]+) ([\d.-]+)h([\d.-]+)v([\d.-]+)h[\d.-]+Z", found.group(1)))
    values = {_svg.fmt(a, unit) for a in known}
    shown = sorted(t for t in _texts(svg) if t[3] in values and t[1] < 160 - 20
                   and not (t[0] == 40 and t[2] == "end"))
    assert len(boxes) == len(shown)
    for (x, y, anchor, words, size), (left, top, wide, high) in zip(shown, boxes, strict=True):
        start, end = _span(x, anchor, words, size)
        # the box holds the label's width and its digits (the cap height over the baseline)
        assert left <= start + 0.05 and end <= left + wide + 0.05
        assert top <= y - 0.7 * size and y <= top + high
        # and stops over its own point's dot (7 px under the label's baseline, radius 3.5)
        assert top + high <= y + 7 - 3.5


def _ticks(svg: str) -> list[float]:
    """The y axis's tick values (the texts ending at x 40), as numbers."""
    return [float(m.replace(",", "").rstrip("%")) for m in re.findall(
        r'<text x="40" y="[\d.-]+" text-anchor="end"[^>]*>([^<]+)</text>', svg)]


def _plot_ys(svg: str) -> tuple[tuple[float, float], list[float]]:
    """The plot's top and bottom (its grid lines) and every y a band, target or actual line
    is drawn at."""
    grid = re.search(r'<path d="([^"]*)" stroke="#D8DADC"', svg)
    assert grid
    edges = [float(y) for y in re.findall(r"M[\d.]+ ([\d.-]+)H", grid[1])]
    ys = [float(y) for points in re.findall(r'<poly(?:gon|line) points="([^"]*)"', svg)
          for y in re.findall(r",([\d.-]+)", points)]
    return (min(edges), max(edges)), ys


positive = st.floats(0, 1e4, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.none(), positive), st.one_of(st.none(), positive)),
                min_size=1, max_size=12),
       st.floats(0, 50, allow_nan=False), st.sampled_from(["", "%", "days"]))
def test_a_chart_of_figures_at_or_above_nothing_stays_at_or_above_nothing(points, tolerance,
                                                                         unit) -> None:
    """CYP 2.1.6 (all points at or above 0%) was drawn down to -5% with its tolerance band
    under zero, GOV RE3 up to 105%: an axis and a band never go below 0 when every point and
    target is at or above it, nor a percentage's above 100 when all are at or under it; the
    band is cut at the axis, and everything drawn lies inside the plot."""
    if unit == "%":
        points = [tuple(None if v is None else min(v, 100.0) for v in p) for p in points]
    actuals = [a for a, _ in points]
    targets = [t for _, t in points]
    band = [None if t is None else (t - tolerance, t + tolerance) for t in targets]
    svg = _svg.measure_chart([f"P{i}" for i in range(len(points))], actuals, targets,
                             label="M", unit=unit, band=band, band_text="target ± t",
                             width=282, height=160)
    if all(v is None for p in points for v in p):
        return
    ticks = _ticks(svg)
    assert ticks and min(ticks) >= 0, ticks
    if unit == "%":
        assert max(ticks) <= 100, ticks
    (top, bottom), ys = _plot_ys(svg)
    assert all(top - 0.1 <= y <= bottom + 0.1 for y in ys), (top, bottom, ys)
