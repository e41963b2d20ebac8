"""The Objectives, Exceptions, Finance and Log sheets (:mod:`xlperf.write.outputs`): the roll-up
per priority and objective, the measures that need the committee's attention, revenue and
capital variance, and what the refresh did.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from xlperf.core.figures import measure_decimals
from xlperf.findings import StatusSeverity
from xlperf.write._outputs_base import (
    AFTER_FIGURE,
    BOLD,
    FLAG,
    HEADER,
    JUDGEMENT_FILL,
    MISSING,
    MONEY,
    MONEY_VARIANCE,
    OK,
    PERCENT_PLAIN,
    PRIORITY,
    PROBLEM,
    SPEC,
    TOP,
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
    contrast_text,
    shown_width,
    sized_columns,
    status_style,
    unit_format,
)
from xlperf.write.lossless import SheetContent
from xlperf.write.styles import CellStyle

_EXCEPTION_KEYS = frozenset((
    "rated", "severity", "direction", "reported_differs", "reported_status", "status", "code",
    "title", "owner", "period", "symbol", "actual", "target", "variance", "commentary",
    "colour", "unit", "variation"))



# ------------------------------------------------------------------------------ Objectives
def _status_columns(frame: pd.DataFrame) -> list[tuple[str, str, Any]]:
    """(symbol, status, colour) of every status that occurs, in the order the printed reports
    read: rated statuses best first (on target, near, missed; within one the order of the
    built-in schemes, then first seen), then the unrated (no data, data only...)."""
    from xlperf.core.schemes import BUILTIN_SCHEMES

    known = {band.label: i for scheme in BUILTIN_SCHEMES.values()
             for i, band in enumerate(scheme.bands)}
    seen: dict[str, tuple[int, int, int, str, Any]] = {}
    for position, row in enumerate(_records(frame, ("status", "symbol", "colour", "severity",
                                                    "rated"))):
        status = _text(row.get("status"))
        if not status or status in seen:
            continue
        rated = bool(row.get("rated"))
        severity = int(_number(row.get("severity")) or 0) if rated else 9
        seen[status] = (severity, known.get(status, 99), position, _text(row.get("symbol")),
                        row.get("colour"))
    ordered = sorted(seen.items(), key=lambda item: item[1][:3])
    return [(v[3], k, v[4]) for k, v in ordered]


def objectives_sheet(scored: pd.DataFrame, *, title: str = "Objectives",
                     summary: str = "", options: PrintOptions | None = None,
                     previous: pd.DataFrame | None = None,
                     judgements: pd.DataFrame | None = None,
                     activity: Any = None) -> SheetContent:
    """Per priority (banded) and objective: the number of measures, a count per status of
    the schemes the measures use (one column per status that occurs, headed by its symbol
    and word, as the printed reports count them) and the judgement; with ``previous`` (the
    last period's scored frame) the direction of travel of each
    (:func:`~xlperf.core.rollup.objective_direction`); with ``judgements`` (the director's,
    :func:`~xlperf.core.overrides.judgements_for`) the director's judgement, commentary and name
    beside the computed judgement, flagged where they differ; with ``activity`` (an
    :class:`~xlperf.core.activity.ObjectiveActivity`) the counts of milestones by progress,
    projects and risks by rating after them (:mod:`xlperf.write._outputs_activity`), and the
    judgement counting milestones when the council's setting says so."""
    from xlperf.core.rollup import objective_directions, rollup

    spec = SPEC["Objectives"]
    if scored.empty:
        rows, styles = _head(spec, title, summary)
        return _content(spec, rows, styles, options=options)
    frame = scored.copy()
    for key in ("priority", "objective"):
        frame[key] = frame[key].map(_text)
    statuses = _status_columns(frame)
    status_headers = [f"{symbol} {status}".strip() for symbol, status, _c in statuses]
    travel = previous is not None
    from xlperf.write._outputs_overrides import (
        DIRECTOR_HEADERS,
        DIRECTOR_WIDTHS,
        director_cells,
        director_styles,
    )

    director = list(DIRECTOR_HEADERS) if judgements is not None else []
    from xlperf.write import _outputs_activity as act

    extra = act.count_headers(activity) if activity else []
    extra_styles, _w = act.count_styles(extra)
    headers = ["Priority", "Objective", "Measures", *status_headers, "Judgement",
               *(["Direction of travel"] if travel else []), *director, *extra]
    rows, styles = _head(spec, title, summary, headers)
    styles[-1] = [HEADER, HEADER, HEADER,
                  *(status_style(c, bold=True) for _s, _t, c in statuses), HEADER,
                  *([HEADER] if travel else []), *([HEADER] * len(director)), *extra_styles]
    counted = activity.counts(list(dict.fromkeys(frame["objective"]))) if extra else None
    layout = act.count_layout(activity) if counted is not None else None
    judged = activity.rollup if activity else rollup
    by_objective = judged(frame, ["priority", "objective"])
    if judgements is not None:
        from xlperf.core.overrides import beside_computed

        by_objective = beside_computed(by_objective, judgements)
    priorities = judged(frame, "priority")
    if previous is not None:
        last = previous.copy()
        for key in ("priority", "objective"):
            last[key] = last[key].map(_text)
        last_o = rollup(last, ["priority", "objective"]) if len(last) else last.iloc[0:0]
        last_p = rollup(last, "priority") if len(last) else last.iloc[0:0]
        by_objective["direction"] = objective_directions(by_objective, last_o,
                                                         ["priority", "objective"])
        priorities["direction"] = objective_directions(priorities, last_p, "priority")
    # plain dicts: a .loc look-up per sheet line costs more than building them
    by_priority = {r["priority"]: r for r in priorities.to_dict("records")}
    frame["_status"] = frame["status"].map(_text)
    per_o = frame.groupby(["priority", "objective", "_status"], sort=False).size().to_dict()
    per_p = frame.groupby(["priority", "_status"], sort=False).size().to_dict()
    count = CellStyle(number_format="0", vertical="top")
    bold_count = CellStyle(bold=True, number_format="0", fill=PRIORITY.fill,
                           vertical="center")
    band = CellStyle(bold=True, fill=PRIORITY.fill, vertical="center", wrap=True)

    def line(label_p: str, label_o: str, r: Mapping[str, Any], counts: list[int],
             base: CellStyle | None, numbers: CellStyle, objectives: list[str]) -> None:
        rows.append([label_p, label_o, int(r["measures"]), *counts, r["judgement"],
                     *([r["direction"]] if travel else []),
                     *((director_cells(r) if label_o != "All objectives" else
                        [None] * len(director)) if director else []),
                     *(act.count_cells(activity, counted, objectives, layout)
                       if counted is not None else [])])
        fill = JUDGEMENT_FILL.get(str(r["judgement"]))
        # one character in: the last count, right-aligned, never runs into it ("0At Risk")
        judgement = (CellStyle(bold=True, fill=fill, color=contrast_text(fill),
                               vertical="top" if base is None else "center", indent=1)
                     if fill else CellStyle(bold=True, indent=1))
        # an objective's line is top-aligned: a director's commentary may make it tall
        text = base or TOP
        styles.append([text, text, *([numbers] * (len(counts) + 1)), judgement,
                       *([text] if travel else []),
                       *(director_styles(r, base) if director else []),
                       *([numbers] * len(extra))])

    names = [status for _s, status, _c in statuses]
    shown: str | None = None
    for record in by_objective.to_dict("records"):
        priority = record["priority"]
        if priority != shown:
            line(priority or "(no priority)", "All objectives", by_priority[priority],
                 [per_p.get((priority, n), 0) for n in names], band, bold_count,
                 list(by_objective.loc[by_objective["priority"] == priority, "objective"]))
            shown = priority
        objective = record["objective"]
        # the priority is its band's label, not repeated on each objective's row (as printed)
        line("", objective or "(no objective)", record,
             [per_o.get((priority, objective, n), 0) for n in names], None, count, [objective])
    caps = [24, 40, 10, *([10] * len(statuses)), 14, *([14] if travel else []),
            *(DIRECTOR_WIDTHS if director else ()), *([11] * len(extra))]
    # printed wider than a page, each page repeats the priority and objective (A:B)
    return _content(spec, rows, styles, widths=sized_columns(rows, caps), options=options,
                    title_columns=2)


# ------------------------------------------------------------------------------ Exceptions
def _why(row: Mapping[str, Any]) -> list[str]:
    reasons = []
    if bool(row.get("rated")) and int(
            row.get("severity") or 0) >= StatusSeverity.BEYOND_TOLERANCE:
        reasons.append("beyond tolerance")
    if _text(row.get("direction")).startswith("Worsening") and bool(row.get("rated")):
        reasons.append("worsening")
    if _text(row.get("variation")) == "Special cause of concern":
        reasons.append("special cause of concern")
    if bool(row.get("reported_differs")):
        reasons.append(f"reported {_text(row.get('reported_status'))}, rule says "
                       f"{_text(row.get('status'))}")
    return reasons


def exceptions_sheet(scored: pd.DataFrame, *, title: str = "Exceptions",
                     summary: str | None = None, options: PrintOptions | None = None
                     ) -> SheetContent:
    """Measures beyond tolerance (Red, Red diamond, Below tolerance), worsening measures,
    special cause of concern (statistical process control) and reported statuses that differ
    from the rule, with the owner's commentary; the worst first."""
    spec = SPEC["Exceptions"]
    headers = list(spec.headers)
    listed = []
    for position, row in enumerate(_records(scored, _EXCEPTION_KEYS)):
        reasons = _why(row)
        if reasons:
            severe = bool(row.get("rated")) and int(
                row.get("severity") or 0) >= StatusSeverity.BEYOND_TOLERANCE
            listed.append((0 if severe else 1, position, row, reasons))
    listed.sort(key=lambda item: (item[0], item[1]))
    text = summary if summary is not None else (
        f"{sum(1 for x in listed if x[0] == 0)} beyond tolerance, "
        f"{sum(1 for x in listed if 'worsening' in x[3])} worsening, "
        f"{sum(1 for x in listed if 'special cause of concern' in x[3])} special cause of "
        "concern, "
        f"{sum(1 for x in listed if any(r.startswith('reported') for r in x[3]))} reported "
        "status differs")
    rows, styles = _head(spec, title, text)
    shown = {"Actual": 0, "Target": 0, "Variance": 0}
    for _rank, _pos, row, reasons in listed:
        figures = {"Actual": _number(row.get("actual")), "Target": _number(row.get("target")),
                   "Variance": _number(row.get("variance"))}
        values: dict[str, str | float | None] = {
            "Code": _text(row.get("code")), "Measure": _text(row.get("title")),
            "Owner": _text(row.get("owner")), "Period": _text(row.get("period")),
            "Status": f"{_text(row.get('symbol'))} {_text(row.get('status'))}".strip(),
            **figures, "Direction": _text(row.get("direction")),
            "Why listed": "; ".join(reasons),
            "Commentary": _text(row.get("commentary")) or "no commentary given"}
        # The Scorecard row's decimals and formats: the same figures said the same way.
        unit = _text(row.get("unit"))
        places = measure_decimals(unit, figures["Actual"], figures["Target"],
                                  _number(row.get("annual_target")))
        fmt = unit_format(unit, decimals=places)
        variance_fmt = _variance_format(unit_format(unit, decimals=places, difference=True))
        figure = _number_style(fmt)
        for header in shown:
            shown[header] = max(shown[header], shown_width(
                figures[header], variance_fmt if header == "Variance" else fmt))
        look = {"Status": status_style(row.get("colour")), "Actual": figure, "Target": figure,
                "Variance": _number_style(variance_fmt), "Direction": AFTER_FIGURE,
                "Measure": WRAP,
                "Why listed": WRAP,
                "Commentary": WRAP if _text(row.get("commentary")) else MISSING}
        rows.append([values.get(h) for h in headers])
        styles.append([look.get(h, TOP) for h in headers])
    widths = sized_columns(rows, spec.widths)
    for header, width in shown.items():  # numbers as their formats show them, never ###
        widths[headers.index(header)] = max(widths[headers.index(header)], width + 2.0)
    return _content(spec, rows, styles, widths=widths, options=options, title_columns=2)


# ------------------------------------------------------------------------------ Finance
@dataclass(frozen=True)
class FinanceData:
    """What the Finance sheet shows (:class:`xlperf.core.monitoring.BudgetMonitoring`'s
    figures): scored revenue lines (:func:`score_budget`'s columns plus ``holder`` and
    ``source``), the scored total row, the cross-foot problems, scored capital
    (:func:`score_capital`) and the capital programme's quarters of the year."""

    lines: pd.DataFrame = field(default_factory=pd.DataFrame)
    total: Mapping[str, Any] | None = None
    crossfoot: Sequence[str] = ()
    capital: pd.DataFrame = field(default_factory=pd.DataFrame)
    capital_label: str = ""
    capital_total: Mapping[str, Any] | None = None
    capital_history: pd.DataFrame = field(default_factory=pd.DataFrame)


REVENUE_HEADERS = SPEC["Finance"].headers
CAPITAL_HEADERS = ("Programme", "Quarter", "Revised base budget", "Revised estimate",
                   "Variance", "Slippage", "Actual to date", "Spend %", "Explanation")
_UNEXPLAINED = "⚑ material variance without an explanation"


def _revenue_row(row: Mapping[str, Any]) -> list[Any]:
    explanation = _text(row.get("explanation"))
    if not explanation and bool(row.get("needs_explanation")):
        explanation = _UNEXPLAINED
    return [_text(row.get("line")), _text(row.get("holder")), _number(row.get("gross_budget")),
            _number(row.get("budget")), _number(row.get("forecast")),
            _number(row.get("variance")), _number(row.get("variance_pct")),
            f"{_text(row.get('symbol'))} {_text(row.get('status'))}".strip(), explanation,
            _text(row.get("source"))]


def finance_sheet(data: FinanceData, *, title: str = "Finance", summary: str = "",
                  options: PrintOptions | None = None) -> SheetContent:
    """Revenue variance by service area with budget status, the directorate total (its own
    status and explanation) and the cross-foot check; then the capital programme's variance
    and slippage, and its quarters of the year so far (£000s)."""
    spec = SPEC["Finance"]
    rows, styles = _head(spec, title, summary, REVENUE_HEADERS)
    width = len(REVENUE_HEADERS)
    lines = data.lines
    for row in lines.to_dict("records"):
        values = _revenue_row(row)
        rows.append(values)
        styles.append([TOP, TOP, MONEY, MONEY, MONEY, MONEY_VARIANCE, VARIANCE_PCT,
                       status_style(row.get("colour")),
                       FLAG if values[8] == _UNEXPLAINED else WRAP, WRAP])
    if data.total is not None:
        total = data.total
        values = _revenue_row({**total, "line": _text(total.get("line")) or "Total"})
        rows.append(values)
        money = CellStyle(bold=True, number_format="#,##0", vertical="top")
        styles.append([BOLD, BOLD, money, money, money,
                       CellStyle(bold=True, number_format="+#,##0;-#,##0;0", vertical="top"),
                       CellStyle(bold=True, number_format='+0.0"%";-0.0"%";0.0"%"',
                                 vertical="top"),
                       status_style(total.get("colour")),
                       FLAG if values[8] == _UNEXPLAINED else WRAP, WRAP])
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
        total = data.capital_total or {}
        rows.append(["Capital programme total", None, total.get("base_budget"),
                     total.get("estimate"), total.get("variance"), total.get("slippage"),
                     total.get("actual"), total.get("spend_pct"), _text(total.get("explanation"))])
        money = CellStyle(bold=True, number_format="#,##0")
        styles.append([BOLD, BOLD, money, money,
                       CellStyle(bold=True, number_format="+#,##0;-#,##0;0"), money, money,
                       CellStyle(bold=True, number_format=PERCENT_PLAIN.number_format), WRAP])
    history = data.capital_history
    if len(history) and len(history.columns) > 1:
        from xlperf.core.monitoring import history_columns

        year, columns = history_columns(history)
        rows.append([])
        styles.append([])
        rows.append([f"Capital programme by quarter, {year}".strip(" ,")])
        styles.append([PRIORITY] * width)
        rows.append(["Programme", *(header for header, _column in columns)])
        styles.append([HEADER] * (1 + len(columns)))
        for record in history.to_dict("records"):
            rows.append([_text(record["programme"]),
                         *(_number(record[column]) for _header, column in columns)])
            styles.append([TOP, *([MONEY] * len(columns))])
    return _content(spec, rows, styles, options=options)


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


def log_sheet(lines: Sequence[LogLine], *, title: str = "Log", summary: str = "",
              options: PrintOptions | None = None) -> SheetContent:
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
        line: list[CellStyle | None] = [TOP if h != "Severity" else severity_style
                                        for h in headers[:-1]]
        styles.append([*line, WRAP])
    return _content(spec, rows, styles, options=options)
