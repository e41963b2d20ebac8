"""The Scorecard sheet (:mod:`xlperf.write.outputs`): one row per measure under its priority
and objective, the printed columns first, the working columns grouped and collapsed, a
sparkline of the last six values, and statistical process control beside the status.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from xlperf.core.figures import measure_decimals
from xlperf.layout import OUTPUT_HEADER_ROW
from xlperf.write._outputs_base import (
    AFTER_FIGURE,
    FLAG,
    HEADER,
    MISSING,
    NOTE,
    OBJECTIVE,
    PRIORITY,
    SPEC,
    TOP,
    TREND_COLUMNS,
    TREND_DATA,
    VARIANCE_PCT,
    WRAP,
    PrintOptions,
    _content,
    _head,
    _number,
    _number_style,
    _records,
    _text,
    _variance_format,
    shown_width,
    sized_columns,
    status_style,
    unit_format,
)
from xlperf.write.lossless import SheetContent
from xlperf.write.styles import CellStyle

# Statistical process control beside the status (xlperf.core.spc_scored, docs/spc.md).
_SPC_KEYS = ("variation", "variation_side", "variation_explanation", "assurance",
             "assurance_explanation")
_SCORECARD_KEYS = frozenset((
    "priority", "objective", "unit", "code", "title", "owner", "period", "actual",
    "actual_reason", "target", "annual_target", "symbol", "status", "colour", "variance",
    "variance_pct", "variance_note", "direction", "trend_values", "commentary",
    "reported_status", "reported_differs", "explanation", "baseline", "baseline_rank",
    "contract", "plans", *_SPC_KEYS))
CONTRACT_MARK = " ©"  # after a contract measure's name, as printed scorecards (and the report)


def _reported(row: Mapping[str, Any]) -> tuple[str, CellStyle | None]:
    reported = _text(row.get("reported_status"))
    if not reported:
        return "", None
    if bool(row.get("reported_differs")):
        return f"⚑ {reported} (rule says {row.get('status')})", FLAG
    return reported, TOP



def scorecard_sheet(scored: pd.DataFrame, trend: np.ndarray | None = None, *,
                    title: str = "Scorecard", summary: str = "",
                    options: PrintOptions | None = None) -> SheetContent:
    """One row per measure, grouped under priority and objective rows (banded).

    The columns of a printed council scorecard come first (code, measure, status, actual,
    target, annual target, period, direction, trend, latest note); the working columns
    (owner, unit, variance, variance %, trend values, reported status, explanation) follow,
    grouped with Excel's outline and collapsed. ``trend`` is an (n, 6) array of the last six
    values (oldest first, NaN for a gap), in ``scored``'s row order: written in hidden columns
    to the right and drawn as a sparkline in the ``Trend`` column.
    """
    from xlperf.layout import SCORECARD_KEY_COLUMNS
    from xlperf.write.lossless import Sparkline, SparklineGroup

    spec = SPEC["Scorecard"]
    headers = list(spec.headers)
    rows, styles = _head(spec, title, summary)
    n_visible = len(headers)
    first_trend = n_visible + 2  # one empty column between the table and the trend data
    trend_headers = [f"Trend {i}" for i in range(1, TREND_COLUMNS + 1)]
    rows[-1] = [*headers, None, *trend_headers]
    styles[-1] = [*([HEADER] * n_visible), None, *([NOTE] * TREND_COLUMNS)]
    col = {h: i for i, h in enumerate(headers)}
    trend_col = col["Trend"]
    sparklines: list[Sparkline] = []
    if trend is None:
        trend = np.full((len(scored), TREND_COLUMNS), np.nan)
    records = _records(scored, _SCORECARD_KEYS)
    shown_priority: object = object()
    shown_objective: object = object()
    from xlperf.core.a1 import column_letter

    left, right = column_letter(first_trend), column_letter(first_trend + TREND_COLUMNS - 1)
    # the trend as Python lists, converted once rather than one small array per row
    trend_array = np.asarray(trend)
    known_rows = ~np.isnan(trend_array)
    trend_rows, known_lists = trend_array.tolist(), known_rows.tolist()
    known_counts = known_rows.sum(axis=1).tolist()
    keep: list[int] = []
    figures = {h: 0 for h in ("Actual", "Target", "Annual target", "Variance")}
    for i, row in enumerate(records):
        priority, objective = _text(row.get("priority")), _text(row.get("objective"))
        if priority != shown_priority:
            rows.append([priority or "(no priority)"] + [None] * (n_visible - 1))
            styles.append([PRIORITY] * n_visible)
            keep.append(len(rows))
            shown_priority, shown_objective = priority, object()
        if objective != shown_objective:
            rows.append([objective or "(no objective)"] + [None] * (n_visible - 1))
            styles.append([OBJECTIVE] * n_visible)
            keep.append(len(rows))
            shown_objective = objective
        out: list[Any] = [None] * n_visible
        st: list[CellStyle | None] = [TOP] * n_visible
        unit = _text(row.get("unit"))
        out[col["Code"]] = _text(row.get("code"))
        out[col["Measure"]] = _text(row.get("title")) + (
            CONTRACT_MARK if bool(row.get("contract")) else "")
        st[col["Measure"]] = WRAP
        # The national comparison, as the report's trend scorecard prints it.
        out[col["Rank"]] = _text(row.get("baseline_rank"))
        baseline = _number(row.get("baseline"))
        out[col["Baseline"]], st[col["Baseline"]] = baseline, _number_style(
            unit_format(unit, (baseline,)))
        out[col["Plans"]] = _text(row.get("plans"))  # a working column Excel's filter selects
        out[col["Owner"]] = _text(row.get("owner"))
        out[col["Period"]] = _text(row.get("period"))
        st[col["Period"]] = AFTER_FIGURE  # after the right-aligned Annual target
        out[col["Unit"]] = unit
        actual = _number(row.get("actual"))
        target, annual = _number(row.get("target")), _number(row.get("annual_target"))
        places = measure_decimals(unit, actual, target, annual)
        fmt = unit_format(unit, decimals=places)
        variance_fmt = _variance_format(unit_format(unit, decimals=places, difference=True))
        figure = _number_style(fmt)
        if actual is None:
            out[col["Actual"]] = _text(row.get("actual_reason")) or "no data"
            st[col["Actual"]] = MISSING
        else:
            out[col["Actual"]] = actual
            st[col["Actual"]] = figure
        for header, value in (("Actual", actual), ("Target", target),
                              ("Annual target", annual)):
            figures[header] = max(figures[header], shown_width(value, fmt))
        out[col["Target"]], st[col["Target"]] = target, figure
        out[col["Annual target"]], st[col["Annual target"]] = annual, figure
        symbol, status = _text(row.get("symbol")), _text(row.get("status"))
        out[col["Status"]] = f"{symbol} {status}".strip()
        st[col["Status"]] = status_style(row.get("colour"))
        variance, pct = _number(row.get("variance")), _number(row.get("variance_pct"))
        out[col["Variance"]] = variance
        st[col["Variance"]] = _number_style(variance_fmt)
        figures["Variance"] = max(figures["Variance"], shown_width(variance, variance_fmt))
        if pct is None and variance is not None:
            out[col["Variance %"]] = _text(row.get("variance_note")) or "n/a"
            st[col["Variance %"]] = MISSING
        else:
            out[col["Variance %"]] = pct
            st[col["Variance %"]] = VARIANCE_PCT
        out[col["Direction"]] = _text(row.get("direction"))
        values, known = trend_rows[i], known_lists[i]
        out[col["Trend values"]] = _text(row.get("trend_values"))
        out[col["Latest note"]] = _text(row.get("commentary"))
        st[col["Latest note"]] = WRAP
        out[col["Reported status"]], st[col["Reported status"]] = _reported(row)
        out[col["Explanation"]] = _text(row.get("explanation"))
        st[col["Explanation"]] = WRAP
        _spc_cells(row, out, st, col)
        excel_row = len(rows) + 1
        data = [None] + [float(v) if k else None for v, k in zip(values, known, strict=True)]
        out[trend_col] = None
        if known_counts[i] >= 2:
            sparklines.append(Sparkline(f"{column_letter(trend_col + 1)}{excel_row}",
                                        f"{left}{excel_row}:{right}{excel_row}"))
        rows.append(out + data)
        styles.append(st + [None] + [TREND_DATA] * TREND_COLUMNS)
    groups = (SparklineGroup(tuple(sparklines)),) if sparklines else ()
    hidden = tuple(range(first_trend, first_trend + TREND_COLUMNS))
    outline = tuple(range(SCORECARD_KEY_COLUMNS + 1, n_visible + 1))
    widths = sized_columns(rows, spec.widths)
    # the trend column holds a sparkline only: its width is the cap, whatever the cells hold
    widths[trend_col] = spec.widths[trend_col]
    for header, shown in figures.items():  # numbers as their formats show them, never ###
        widths[col[header]] = max(widths[col[header]], shown + 2.0)
    return _content(spec, rows, styles, widths=widths, freeze=f"C{OUTPUT_HEADER_ROW + 1}",
                    keep_with_next=keep, printed=range(SCORECARD_KEY_COLUMNS),
                    options=options, sparklines=groups, hidden_columns=hidden,
                    outline_columns=outline)


def _spc_cells(row: Mapping[str, Any], out: list[Any], st: list[CellStyle | None],
               col: Mapping[str, int]) -> None:
    """The Variation and Assurance cells (symbol and word, in MDC's colour) and their
    sentences; empty where the measure has no SPC."""
    from xlperf.core.spc import icon

    said = []
    for header, key in (("Variation", "variation"), ("Assurance", "assurance")):
        word = _text(row.get(key))
        if not word:
            continue
        symbol, colour = icon(word, _text(row.get("variation_side")))
        out[col[header]] = f"{symbol} {word}".strip()
        st[col[header]] = status_style(colour)
        sentence = _text(row.get(f"{key}_explanation"))
        if sentence:
            said.append(f"{header}: {sentence}")
    out[col["SPC explanation"]] = "\n".join(said)
    st[col["SPC explanation"]] = WRAP
