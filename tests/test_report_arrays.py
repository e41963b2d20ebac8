"""The committee report's cards are drawn from plain arrays taken out of the frames once
(issue 21: a pandas slice per card cost more than the drawing). Each is checked against the
pandas path it replaced, on the demo council as its master reads it: the complaints measure
rebased and ghosted (its Process changes sheet), cumulative measures charted on their
increments."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlperf import demo
from xlperf.core.spc_scored import charts_at, spc_of_charts
from xlperf.read import read_master
from xlperf.report._spc import SpcCharts
from xlperf.report._svg import xmr_chart

MASTER = Path(__file__).parents[1] / "workbooks" / "demo" / "master.xlsx"


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _reasons(part: pd.DataFrame, column: str) -> list[str | None]:
    if column not in part.columns:
        return [None] * len(part)
    return [None if r is None or (isinstance(r, float) and math.isnan(r))
            else (str(r) or "no reason given") for r in part[column].astype(object)]


def pandas_chart(charts: pd.DataFrame, row: Any, unit: str) -> str:
    """The card's XmR chart as it was drawn before: the measure's rows sliced out of the
    chart frame with pandas, every column read from the slice."""
    part = charts[charts["code"].astype(str) == str(row.code)]
    if not len(part):
        return ""
    values = [_number(v) for v in part["charted"]]
    keep = [i for i, v in enumerate(values) if v is not None]
    if not keep:
        return ""
    part = part.iloc[keep[0]:keep[-1] + 1]

    def numbers(column: str) -> list[float | None]:
        return [_number(v) for v in part[column]]

    limited = part["limited"].to_numpy(dtype=bool)
    said = [str(getattr(row, "variation_explanation", "") or ""),
            str(getattr(row, "assurance_explanation", "") or "")]
    cumulative = bool(part["cumulative"].any())
    name = f"{row.code} {getattr(row, 'title', '') or ''}".strip() + (
        " (per-period increments)" if cumulative else "")
    return xmr_chart(
        [str(p) for p in part["period_text"]], numbers("charted"), mean=numbers("mean"),
        lower=[v if ok else None for v, ok in zip(numbers("lower"), limited, strict=True)],
        upper=[v if ok else None for v, ok in zip(numbers("upper"), limited, strict=True)],
        lower_2sigma=numbers("lower_2sigma"), upper_2sigma=numbers("upper_2sigma"),
        words=[str(w) for w in part["variation"].astype(object).fillna("")],
        sides=[int(s) for s in part["special"]], label=name, unit=unit, said=said,
        ghosts=_reasons(part, "ghost"), rebases=_reasons(part, "rebase"),
        decimals=int(part["statistic_decimals"].iloc[0]))


@pytest.fixture(scope="module")
def charted() -> tuple[pd.DataFrame, pd.DataFrame]:
    master = read_master(MASTER)
    values = demo.demo_values()
    scored = master.score(values, demo.DEMO_PERIOD)
    charts = charts_at(scored, values, master.prepared_register, master.spc_settings,
                       master.spc_changes, master.targets)
    return pd.concat([scored, spc_of_charts(scored, charts)], axis=1), charts


def test_every_measures_xmr_chart_is_the_pandas_paths(charted) -> None:
    scored, charts = charted
    drawn = SpcCharts(charts)
    svgs = []
    for row in scored.itertuples():
        unit = "" if pd.isna(row.unit) else str(row.unit)
        svg = drawn.chart(row, unit)
        assert svg == pandas_chart(charts, row, unit), row.code
        svgs.append(svg)
    # the cases the arrays must carry: a rebase, a ghost, a cumulative measure, a run chart
    every = "".join(svgs)
    assert sum(1 for s in svgs if s) >= len(scored) - 5
    for said in ("Limits recalculated from", "Ghosted, left out of the limits",
                 "(per-period increments)", "run chart (not enough data for SPC)",
                 "XmR chart"):
        assert said in every, said


def test_a_measure_without_a_chart_or_a_charted_value_draws_nothing(charted) -> None:
    scored, charts = charted
    row = next(scored.itertuples())
    assert SpcCharts(None).chart(row) == ""
    blank = charts.assign(charted=float("nan"))
    assert SpcCharts(blank).chart(row) == "" == pandas_chart(blank, row, "")


def test_the_cards_measures_only_draw_the_same_charts(charted) -> None:
    scored, charts = charted
    rows = list(scored.itertuples())
    chosen = [str(r.code) for r in rows[::3]]
    every, some = SpcCharts(charts), SpcCharts(charts, chosen)
    assert len(some.labels) < len(every.labels)
    for row in rows:
        unit = "" if pd.isna(row.unit) else str(row.unit)
        expected = every.chart(row, unit) if str(row.code) in chosen else ""
        assert some.chart(row, unit) == expected, row.code
    assert SpcCharts(charts, []).chart(rows[0]) == ""


values = st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False), st.sampled_from(
    [0.0, -0.0, 0.05, -0.05, 12.25, float("nan")]))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(values, values, values), min_size=1, max_size=40))
def test_a_chart_is_the_same_with_its_coordinates_formatted_once(points) -> None:
    """Each chart formats a repeated coordinate or figure once (``_svg._Memo``), the x
    positions, period labels and legends once for every chart (``_X``, ``_x_labels``,
    ``_legend``, ``_xmr_labels``, ``_label``): the same text as formatting
    every one, whatever the values (zeros of both signs, gaps, NaN) and whatever was drawn
    before."""
    from html import escape
    from unittest import mock

    from xlperf.report import _svg

    labels = [f"P{i}" for i in range(len(points))]
    actuals, targets, means = ([p[k] for p in points] for k in range(3))

    def draw() -> tuple[str, str, str]:
        return (_svg.measure_chart(labels, actuals, targets, label="M", band=[
                    None if t is None or t != t else (t - 1, t + 1) for t in targets],
                    band_text="target ± 1"),
                _svg.xmr_chart(labels, actuals, mean=means, lower=targets, upper=means,
                               lower_2sigma=targets, upper_2sigma=means,
                               words=["Common cause"] * len(points),
                               sides=[i % 3 - 1 for i in range(len(points))], label="M"),
                _svg.sparkline(actuals, labels, label="M"))

    class Unmemoised:
        """Worked out at every look-up."""

        def __init__(self, function):  # type: ignore[no-untyped-def]
            self.function = function

        def __getitem__(self, value):  # type: ignore[no-untyped-def]
            return self.function(value)

    memoised = draw()
    with mock.patch.object(_svg, "_Memo", Unmemoised), \
            mock.patch.object(_svg, "_X", Unmemoised(_svg._f)), \
            mock.patch.object(_svg, "_x_labels", _svg._x_labels.__wrapped__), \
            mock.patch.object(_svg, "_legend", _svg._legend.__wrapped__), \
            mock.patch.object(_svg, "_xmr_labels", _svg._xmr_labels.__wrapped__), \
            mock.patch.object(_svg, "_label", escape):
        assert draw() == memoised


_cells = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True),
                   st.integers(-10**6, 10**6), st.text(max_size=6),
                   st.sampled_from(["Red", " Red ", "nan", "None", "", "Sep-13", "✖"]))


@settings(max_examples=80, deadline=None)
@given(st.lists(_cells, max_size=30), st.sampled_from(["", "No data", "?"]))
def test_history_columns_are_read_once_per_distinct_text(cells, empty) -> None:
    """The report's history columns as text (``_texts``) and figures (``_numbers``) are
    what reading every cell on its own gives (``_text``, ``_num``)."""
    import numpy as np

    from xlperf.report import _html

    column = np.array(cells, dtype=object)
    assert _html._texts(column, empty) == [_html._text(v, empty) for v in column]
    order = np.arange(len(cells))[::-1]
    for series in (pd.Series(column, dtype=object),
                   pd.to_numeric(pd.Series(column, dtype=object), errors="coerce")):
        got = _html._numbers(series, order)
        want = [_html._num(v) for v in series.to_numpy(dtype=object)[order]]
        assert [(type(v), v) for v in got] == [(type(v), v) for v in want]


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.none(), st.floats()), st.sampled_from(["", "%", "£000s", "<b>&"]))
def test_a_figure_has_nothing_to_escape(value, unit) -> None:
    """A figure as ``fmt`` writes it is the same escaped: the report prints it unescaped."""
    from html import escape

    from xlperf.report._svg import fmt, sparkline

    assert escape(fmt(value, unit)) == fmt(value, unit)
    values = [value, 1.5, None]
    assert sparkline(values, ["A", "B", "C"], label="M", unit=unit) == sparkline(
        values, ["A", "B", "C"], label="M", unit=unit, texts=[fmt(v, unit) for v in values])
