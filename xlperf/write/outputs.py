"""The refresh's output sheets as data: Scorecard, Objectives, Exceptions, Finance and Log.

:func:`build_outputs` is a pure function: scored measures (:func:`xlperf.score`'s result), their
six-period trend values, the budget and capital frames and the log lines in, one
:class:`~xlperf.write.lossless.SheetContent` per sheet out. The same inputs give the same
sheets, so a second refresh with the same returns writes the same bytes. Every sheet follows
:mod:`xlperf.layout`: a title in row 1, a note in row 2, a summary in row 3, headers in
row 4 (frozen under them).

Colour is never the only signal: a status cell holds its symbol and word, filled with the
scheme's colour, the text black or white, whichever contrasts more with that fill.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from xlperf.layout import OUTPUT_HEADER_ROW, OUTPUT_SHEETS, OutputSheet
from xlperf.write.lossless import SheetContent
from xlperf.write.styles import CellStyle

__all__ = ["TREND_COLUMNS", "FinanceData", "LogLine", "build_outputs", "contrast_text",
           "exceptions_sheet", "finance_sheet", "log_sheet", "objectives_sheet",
           "scorecard_sheet"]

TREND_COLUMNS = 6
SPEC: dict[str, OutputSheet] = {s.name: s for s in OUTPUT_SHEETS}

TITLE = CellStyle(bold=True)
NOTE = CellStyle(italic=True, color="#505A5F")
HEADER = CellStyle(bold=True, color="#FFFFFF", fill="#1D70B8", vertical="center")
PRIORITY = CellStyle(bold=True, fill="#DEE0E2")
OBJECTIVE = CellStyle(bold=True, italic=True, fill="#F3F2F1")
# Rows keep Excel's default height (neither Excel nor LibreOffice grows a row on opening), so
# long text stays on one line, clipped by the next cell; the full text is in the cell.
WRAP = CellStyle(vertical="top")
TOP = CellStyle(vertical="top")
NUMBER = CellStyle(number_format="#,##0.0##", vertical="top")
MISSING = CellStyle(italic=True, color="#505A5F", vertical="top")
VARIANCE = CellStyle(number_format='+#,##0.0##;-#,##0.0##;0', vertical="top")
VARIANCE_PCT = CellStyle(number_format='+0.0"%";-0.0"%";0.0"%"', vertical="top")
MONEY = CellStyle(number_format="#,##0", vertical="top")
MONEY_VARIANCE = CellStyle(number_format="+#,##0;-#,##0;0", vertical="top")
PERCENT_PLAIN = CellStyle(number_format='0.0"%"', vertical="top")
TREND_DATA = CellStyle(number_format="General", color="#505A5F")
FLAG = CellStyle(bold=True, color="#A35200", vertical="top")
BOLD = CellStyle(bold=True, vertical="top")
OK = CellStyle(bold=True, color="#00703C")
PROBLEM = CellStyle(bold=True, color="#D4351C")

JUDGEMENT_FILL = {"On Track": "#00703C", "At Risk": "#F47738", "Off Track": "#D4351C"}
_STATUS_STYLES: dict[tuple[str, bool], CellStyle] = {}
_HEX_COLOUR = re.compile(r"#?[0-9A-Fa-f]{6}")


def contrast_text(fill: str) -> str:
    """``#000000`` or ``#FFFFFF``: the text colour with the higher WCAG contrast on ``fill``.

    >>> contrast_text("#00703C"), contrast_text("#FFDD00")
    ('#FFFFFF', '#000000')
    """
    text = fill.lstrip("#")
    channels = [int(text[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    on_black = (luminance + 0.05) / 0.05
    on_white = 1.05 / (luminance + 0.05)
    return "#000000" if on_black >= on_white else "#FFFFFF"


def status_style(colour: Any, bold: bool = True) -> CellStyle:
    """The fill of a status cell: the scheme's colour with contrasting text (cached)."""
    fill = colour if isinstance(colour, str) and _HEX_COLOUR.fullmatch(colour) else None
    key = (fill or "", bold)
    style = _STATUS_STYLES.get(key)
    if style is None:
        style = (CellStyle(bold=bold, fill=fill, color=contrast_text(fill), vertical="top")
                 if fill else CellStyle(bold=bold, vertical="top"))
        _STATUS_STYLES[key] = style
    return style


def _missing(value: Any) -> bool:
    if value is None:
        return True
    kind = type(value)
    if kind is str or kind is int:
        return False
    if isinstance(value, float):
        return math.isnan(value)
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _number(value: Any) -> float | None:
    if type(value) is float:  # the usual case, without the general checks
        return value if math.isfinite(value) else None
    if _missing(value):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) or math.isinf(number) else number


def _text(value: Any) -> str:
    if type(value) is str:  # the usual case, without the general checks
        return value.strip()
    return "" if _missing(value) else str(value).strip()


def _head(spec: OutputSheet, title: str, summary: str, headers: Sequence[str] | None = None
          ) -> tuple[list[list[Any]], list[list[CellStyle | None]]]:
    """Rows 1-4 of an output sheet: title, note, summary, headers."""
    from xlperf.layout import OUTPUT_NOTE

    names = list(headers if headers is not None else spec.headers)
    rows: list[list[Any]] = [[title], [f"{spec.purpose} {OUTPUT_NOTE}"], [summary], names]
    styles: list[list[CellStyle | None]] = [[TITLE], [NOTE], [None], [HEADER] * len(names)]
    assert len(rows) == OUTPUT_HEADER_ROW
    return rows, styles


def _content(spec: OutputSheet, rows: list[list[Any]], styles: list[list[CellStyle | None]],
             **kwargs: Any) -> SheetContent:
    return SheetContent(rows=rows, styles=styles, widths=list(spec.widths) or None,
                        freeze=f"A{OUTPUT_HEADER_ROW + 1}", **kwargs)


def _records(frame: pd.DataFrame, keys: Sequence[str]) -> list[dict[str, Any]]:
    """``frame.to_dict("records")`` limited to the columns a sheet reads (missing keys are
    read as None with ``row.get`` either way).

    Built from one list per column: ``tolist`` for numeric, boolean and default string
    columns, whose values it gives as ``to_dict`` does, several times faster; pandas'
    ``to_dict("list")`` (the same boxing as "records") for the rest.
    """
    columns = [c for c in frame.columns if c in keys]
    if not columns or not frame.columns.is_unique:
        return frame[columns].to_dict("records")
    boxed = [c for c in columns if not _tolist_safe(frame[c].dtype)]
    values: dict[str, list[Any]] = frame[boxed].to_dict("list") if boxed else {}
    lists = [values[c] if c in values else frame[c].tolist() for c in columns]
    return [dict(zip(columns, row, strict=True)) for row in zip(*lists, strict=True)]


def _tolist_safe(dtype: Any) -> bool:
    """Whether ``Series.tolist`` gives a column's values as ``to_dict("records")`` does."""
    if isinstance(dtype, np.dtype):
        return dtype.kind in "biuf"  # plain Python bool, int and float either way
    # pandas' default text dtype: str, and NaN for a gap, either way ("string", whose gap is
    # NA, is boxed to None by to_dict, so it is left to to_dict)
    return (isinstance(dtype, pd.StringDtype) and dtype.storage == "python"
            and dtype.na_value is np.nan)


_SCORECARD_KEYS = frozenset((
    "priority", "objective", "unit", "code", "title", "owner", "period", "actual",
    "actual_reason", "target", "annual_target", "symbol", "status", "colour", "variance",
    "variance_pct", "variance_note", "direction", "trend_values", "commentary",
    "reported_status", "reported_differs", "explanation"))
_EXCEPTION_KEYS = frozenset((
    "rated", "severity", "direction", "reported_differs", "reported_status", "status", "code",
    "title", "owner", "period", "symbol", "actual", "target", "variance", "commentary",
    "colour"))


# ------------------------------------------------------------------------------ Scorecard
def _reported(row: Mapping[str, Any]) -> tuple[str, CellStyle | None]:
    reported = _text(row.get("reported_status"))
    if not reported:
        return "", None
    if bool(row.get("reported_differs")):
        return f"⚑ {reported} (rule says {row.get('status')})", FLAG
    return reported, TOP


def scorecard_sheet(scored: pd.DataFrame, trend: np.ndarray | None = None, *,
                    title: str = "Scorecard", summary: str = "") -> SheetContent:
    """One row per measure, grouped under priority and objective rows.

    ``trend`` is an (n, 6) array of the last six values (oldest first, NaN for a gap), in
    ``scored``'s row order: written in hidden columns to the right and drawn as a sparkline in
    the ``Trend`` column; ``Trend values`` carries the same as text.
    """
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
    from xlperf.write._sheetxml import column_letter

    left, right = column_letter(first_trend), column_letter(first_trend + TREND_COLUMNS - 1)
    # the trend as Python lists, converted once rather than one small array per row
    trend_array = np.asarray(trend)
    known_rows = ~np.isnan(trend_array)
    trend_rows, known_lists = trend_array.tolist(), known_rows.tolist()
    known_counts = known_rows.sum(axis=1).tolist()
    for i, row in enumerate(records):
        priority, objective = _text(row.get("priority")), _text(row.get("objective"))
        if priority != shown_priority:
            rows.append([priority or "(no priority)"] + [None] * (n_visible - 1))
            styles.append([PRIORITY] * n_visible)
            shown_priority, shown_objective = priority, object()
        if objective != shown_objective:
            rows.append([objective or "(no objective)"] + [None] * (n_visible - 1))
            styles.append([OBJECTIVE] * n_visible)
            shown_objective = objective
        out: list[Any] = [None] * n_visible
        st: list[CellStyle | None] = [TOP] * n_visible
        unit = _text(row.get("unit"))
        out[col["Code"]] = _text(row.get("code"))
        out[col["Measure"]] = _text(row.get("title"))
        st[col["Measure"]] = WRAP
        out[col["Owner"]] = _text(row.get("owner"))
        out[col["Period"]] = _text(row.get("period"))
        out[col["Unit"]] = unit
        actual = _number(row.get("actual"))
        if actual is None:
            out[col["Actual"]] = _text(row.get("actual_reason")) or "no data"
            st[col["Actual"]] = MISSING
        else:
            out[col["Actual"]] = actual
            st[col["Actual"]] = NUMBER
        for header, key in (("Target", "target"), ("Annual target", "annual_target")):
            value = _number(row.get(key))
            out[col[header]] = value
            st[col[header]] = NUMBER
        symbol, status = _text(row.get("symbol")), _text(row.get("status"))
        out[col["Status"]] = f"{symbol} {status}".strip()
        st[col["Status"]] = status_style(row.get("colour"))
        variance, pct = _number(row.get("variance")), _number(row.get("variance_pct"))
        out[col["Variance"]] = variance
        st[col["Variance"]] = VARIANCE
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
        excel_row = len(rows) + 1
        data = [None] + [float(v) if k else None for v, k in zip(values, known, strict=True)]
        if known_counts[i] >= 2:
            out[trend_col] = None
            sparklines.append(Sparkline(f"{column_letter(trend_col + 1)}{excel_row}",
                                        f"{left}{excel_row}:{right}{excel_row}"))
        else:
            out[trend_col] = None
        rows.append(out + data)
        styles.append(st + [None] + [TREND_DATA] * TREND_COLUMNS)
    groups = (SparklineGroup(tuple(sparklines), markers=True),) if sparklines else ()
    hidden = tuple(range(first_trend, first_trend + TREND_COLUMNS))
    return _content(spec, rows, styles, sparklines=groups, hidden_columns=hidden)


# ------------------------------------------------------------------------------ Objectives
def objectives_sheet(scored: pd.DataFrame, *, title: str = "Objectives",
                     summary: str = "") -> SheetContent:
    """Counts by status and the judgement per priority (bold) and objective."""
    from xlperf.core.rollup import rollup

    spec = SPEC["Objectives"]
    rows, styles = _head(spec, title, summary)
    headers = list(spec.headers)
    if scored.empty:
        return _content(spec, rows, styles)
    frame = scored.copy()
    for key in ("priority", "objective"):
        frame[key] = frame[key].map(_text)
    by_objective = rollup(frame, ["priority", "objective"])
    # plain dicts: a .loc look-up per sheet line costs more than building them
    by_priority = {r["priority"]: r for r in rollup(frame, "priority").to_dict("records")}
    special = frame.assign(_not_rated=~frame["rated"].astype(bool),
                           _no_data=frame["actual"].isna())
    extra_o = special.groupby(["priority", "objective"], sort=False)[["_not_rated", "_no_data"]
                                                                   ].sum().to_dict("index")
    extra_p = special.groupby("priority", sort=False)[["_not_rated", "_no_data"]
                                                       ].sum().to_dict("index")

    def line(label_p: str, label_o: str, r: Mapping[str, Any], extra: Mapping[str, Any],
             base: CellStyle | None) -> None:
        values = {"Priority": label_p, "Objective": label_o, "Measures": int(r["measures"]),
                  "Rated": int(r["rated"]), "Met": int(r["met"]), "Near": int(r["near"]),
                  "Missed": int(r["missed"]), "Not rated": int(extra["_not_rated"]),
                  "No data": int(extra["_no_data"]), "Judgement": r["judgement"]}
        rows.append([values.get(h) for h in headers])
        fill = JUDGEMENT_FILL.get(str(r["judgement"]))
        judgement = (CellStyle(bold=True, fill=fill, color=contrast_text(fill))
                     if fill else BOLD)
        styles.append([base] * (len(headers) - 1) + [judgement])

    shown: str | None = None
    for record in by_objective.to_dict("records"):
        priority = record["priority"]
        if priority != shown:
            line(priority or "(no priority)", "All objectives", by_priority[priority],
                 extra_p[priority], PRIORITY)
            shown = priority
        line(priority, record["objective"] or "(no objective)", record,
             extra_o[(priority, record["objective"])], None)
    return _content(spec, rows, styles)


# ------------------------------------------------------------------------------ Exceptions
def _why(row: Mapping[str, Any]) -> list[str]:
    reasons = []
    if bool(row.get("rated")) and int(row.get("severity") or 0) >= 2:
        reasons.append("beyond tolerance")
    if _text(row.get("direction")).startswith("Worsening") and bool(row.get("rated")):
        reasons.append("worsening")
    if bool(row.get("reported_differs")):
        reasons.append(f"reported {_text(row.get('reported_status'))}, rule says "
                       f"{_text(row.get('status'))}")
    return reasons


def exceptions_sheet(scored: pd.DataFrame, *, title: str = "Exceptions",
                     summary: str | None = None) -> SheetContent:
    """Measures beyond tolerance (Red, Red diamond, Below tolerance), worsening measures and
    reported statuses that differ from the rule, with the owner's commentary; the worst
    first."""
    spec = SPEC["Exceptions"]
    headers = list(spec.headers)
    listed = []
    for position, row in enumerate(_records(scored, _EXCEPTION_KEYS)):
        reasons = _why(row)
        if reasons:
            severe = bool(row.get("rated")) and int(row.get("severity") or 0) >= 2
            listed.append((0 if severe else 1, position, row, reasons))
    listed.sort(key=lambda item: (item[0], item[1]))
    text = summary if summary is not None else (
        f"{sum(1 for x in listed if x[0] == 0)} beyond tolerance, "
        f"{sum(1 for x in listed if 'worsening' in x[3])} worsening, "
        f"{sum(1 for x in listed if any(r.startswith('reported') for r in x[3]))} reported "
        "status differs")
    rows, styles = _head(spec, title, text)
    for _rank, _pos, row, reasons in listed:
        values = {"Code": _text(row.get("code")), "Measure": _text(row.get("title")),
                  "Owner": _text(row.get("owner")), "Period": _text(row.get("period")),
                  "Status": f"{_text(row.get('symbol'))} {_text(row.get('status'))}".strip(),
                  "Actual": _number(row.get("actual")), "Target": _number(row.get("target")),
                  "Variance": _number(row.get("variance")),
                  "Direction": _text(row.get("direction")), "Why listed": "; ".join(reasons),
                  "Commentary": _text(row.get("commentary")) or "no commentary given"}
        look = {"Status": status_style(row.get("colour")), "Actual": NUMBER, "Target": NUMBER,
                "Variance": VARIANCE, "Measure": WRAP, "Why listed": WRAP,
                "Commentary": WRAP if _text(row.get("commentary")) else MISSING}
        rows.append([values.get(h) for h in headers])
        styles.append([look.get(h, TOP) for h in headers])
    return _content(spec, rows, styles)


# ------------------------------------------------------------------------------ Finance
@dataclass(frozen=True)
class FinanceData:
    """What the Finance sheet shows: scored revenue lines (:func:`score_budget`'s columns plus
    ``holder`` and ``source``), the total row, the cross-foot problems, scored capital
    (:func:`score_capital`)."""

    lines: pd.DataFrame = field(default_factory=pd.DataFrame)
    total: Mapping[str, Any] | None = None
    crossfoot: Sequence[str] = ()
    capital: pd.DataFrame = field(default_factory=pd.DataFrame)
    capital_label: str = ""


REVENUE_HEADERS = ("Service area", "Budget holder", "Net budget", "Forecast outturn",
                   "Variance", "Variance %", "Status", "Explanation", "Source")
CAPITAL_HEADERS = ("Programme", "Quarter", "Revised base budget", "Revised estimate",
                   "Variance", "Slippage", "Actual to date", "Spend %", "Explanation")


def finance_sheet(data: FinanceData, *, title: str = "Finance", summary: str = ""
                  ) -> SheetContent:
    """Revenue variance by service area with budget status and the cross-foot check, then the
    capital programme's variance and slippage (£000s)."""
    spec = SPEC["Finance"]
    rows, styles = _head(spec, title, summary, REVENUE_HEADERS)
    width = len(REVENUE_HEADERS)
    lines = data.lines
    for row in lines.to_dict("records"):
        pct = _number(row.get("variance_pct"))
        explanation = _text(row.get("explanation"))
        if not explanation and bool(row.get("needs_explanation")):
            explanation = "⚑ material variance without an explanation"
        rows.append([_text(row.get("line")), _text(row.get("holder")),
                     _number(row.get("budget")), _number(row.get("forecast")),
                     _number(row.get("variance")), pct,
                     f"{_text(row.get('symbol'))} {_text(row.get('status'))}".strip(),
                     explanation, _text(row.get("source"))])
        styles.append([TOP, TOP, MONEY, MONEY, MONEY_VARIANCE, VARIANCE_PCT,
                       status_style(row.get("colour")),
                       FLAG if explanation.startswith("⚑") else WRAP, TOP])
    if data.total is not None:
        total = data.total
        budget, forecast = _number(total.get("budget")), _number(total.get("forecast"))
        variance = None if budget is None or forecast is None else round(forecast - budget, 9)
        pct = (None if variance is None or not budget else round(variance / abs(budget) * 100, 9))
        rows.append([_text(total.get("line")) or "Total", None, budget, forecast, variance, pct,
                     None, None, None])
        styles.append([BOLD, BOLD, CellStyle(bold=True, number_format="#,##0"),
                       CellStyle(bold=True, number_format="#,##0"),
                       CellStyle(bold=True, number_format="+#,##0;-#,##0;0"),
                       CellStyle(bold=True, number_format='+0.0"%";-0.0"%";0.0"%"'),
                       None, None, None])
    if len(lines):
        if data.crossfoot:
            rows.append(["Cross-foot check", "✖ does not add up: " + "; ".join(data.crossfoot)])
            styles.append([BOLD, PROBLEM])
        else:
            rows.append(["Cross-foot check", "✔ the lines add up to the total in every column"])
            styles.append([BOLD, OK])
    if len(data.capital):
        rows.append([])
        styles.append([])
        label = f"Capital programme {data.capital_label}".strip()
        rows.append([label])
        styles.append([PRIORITY] * width)
        rows.append(list(CAPITAL_HEADERS))
        styles.append([HEADER] * len(CAPITAL_HEADERS))
        for row in data.capital.to_dict("records"):
            spend = _number(row.get("spend_pct"))
            rows.append([_text(row.get("programme")), _text(row.get("quarter")),
                         _number(row.get("base_budget")), _number(row.get("estimate")),
                         _number(row.get("variance")), _number(row.get("slippage")),
                         _number(row.get("actual")), spend,
                         (_text(row.get("explanation"))
                          + (" ⚑ spend to date above the estimate"
                             if bool(row.get("over_estimate")) else "")).strip()])
            styles.append([TOP, TOP, MONEY, MONEY, MONEY_VARIANCE, MONEY, MONEY,
                           PERCENT_PLAIN, WRAP])
        # The programmes' total, as the committee report shows it (a Capital sheet's own
        # total row is not a programme: xlperf.core.budget.capital_for_period).
        sums = {c: (float(np.nansum(pd.to_numeric(data.capital[c], errors="coerce")
                                    .to_numpy(dtype=float)))
                    if c in data.capital.columns else None)
                for c in ("base_budget", "estimate", "variance", "slippage", "actual")}
        spent = (round(sums["actual"] / sums["estimate"] * 100, 9)
                 if sums["actual"] is not None and sums["estimate"] else None)
        rows.append(["Capital programme total", None, sums["base_budget"], sums["estimate"],
                     sums["variance"], sums["slippage"], sums["actual"], spent, None])
        money = CellStyle(bold=True, number_format="#,##0")
        styles.append([BOLD, BOLD, money, money,
                       CellStyle(bold=True, number_format="+#,##0;-#,##0;0"), money, money,
                       CellStyle(bold=True, number_format=PERCENT_PLAIN.number_format), None])
    return _content(spec, rows, styles)


# ------------------------------------------------------------------------------ Log
@dataclass(frozen=True)
class LogLine:
    """One line of the Log sheet."""

    action: str
    message: str
    file: str = ""
    sheet: str = ""
    cell: str = ""
    rule: str = ""
    severity: str = ""
    time: str = ""


def log_sheet(lines: Sequence[LogLine], *, title: str = "Log", summary: str = ""
              ) -> SheetContent:
    """What the refresh did, one line per event (the latest refresh only; the ledger keeps
    every refresh)."""
    spec = SPEC["Log"]
    rows, styles = _head(spec, title, summary)
    headers = list(spec.headers)
    for entry in lines:
        values = {"Time": entry.time, "Action": entry.action, "File": entry.file,
                  "Sheet": entry.sheet, "Cell": entry.cell, "Rule": entry.rule,
                  "Severity": entry.severity, "Message": entry.message}
        rows.append([values.get(h) or None for h in headers])
        severity_style = (PROBLEM if entry.severity == "error" else
                          FLAG if entry.severity == "query" else TOP)
        styles.append([TOP if h != "Severity" else severity_style for h in headers[:-1]]
                      + [WRAP])
    return _content(spec, rows, styles)


# ------------------------------------------------------------------------------ all of them
def build_outputs(scored: pd.DataFrame, *, trend: np.ndarray | None = None,
                  period: str = "", council: str = "", finance: FinanceData | None = None,
                  log: Sequence[LogLine] = (), log_summary: str = "",
                  ) -> dict[str, SheetContent]:
    """Every output sheet, in the order of :data:`~xlperf.layout.OUTPUT_SHEETS`.

    Pure: nothing here reads a clock or a file, so equal inputs give equal sheets.
    """
    where = f"{council}: " if council else ""
    counts = scored["status"].value_counts() if len(scored) else pd.Series(dtype=int)
    status_text = ", ".join(f"{k} {v}" for k, v in counts.items())
    sheets = {
        "Scorecard": scorecard_sheet(
            scored, trend, title=f"{where}Scorecard {period}".strip(),
            summary=f"{len(scored)} measures: {status_text}" if len(scored) else
            "No measures in the register."),
        "Objectives": objectives_sheet(scored, title=f"{where}Objectives {period}".strip()),
        "Exceptions": exceptions_sheet(scored, title=f"{where}Exceptions {period}".strip()),
        "Finance": finance_sheet(finance or FinanceData(),
                                 title=f"{where}Finance {period} (£000s)".strip()),
        "Log": log_sheet(log, title=f"{where}Refresh log {period}".strip(),
                         summary=log_summary),
    }
    return sheets
