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

from xlperf.findings import StatusSeverity
from xlperf.layout import OUTPUT_HEADER_ROW, OUTPUT_SHEETS, OutputSheet
from xlperf.write.lossless import SheetContent
from xlperf.write.styles import CellStyle

__all__ = ["TREND_COLUMNS", "FinanceData", "LogLine", "PrintOptions", "build_outputs",
           "contrast_ratio", "contrast_text", "exceptions_sheet", "finance_sheet", "log_sheet",
           "objectives_sheet", "scorecard_sheet", "sized_columns", "unit_format"]

TREND_COLUMNS = 6
SPEC: dict[str, OutputSheet] = {s.name: s for s in OUTPUT_SHEETS}

TITLE = CellStyle(bold=True)
NOTE = CellStyle(italic=True, color="#505A5F")
HEADER = CellStyle(bold=True, color="#FFFFFF", fill="#1D70B8", vertical="center", wrap=True)
PRIORITY = CellStyle(bold=True, fill="#DEE0E2", vertical="center")
OBJECTIVE = CellStyle(bold=True, italic=True, fill="#F3F2F1", vertical="center")
# Neither Excel nor LibreOffice grows a row on opening, so each row with wrapped text is
# given its height (sized_rows), up to MAX_LINES lines; the full text is in the cell.
WRAP = CellStyle(vertical="top", wrap=True)
TOP = CellStyle(vertical="top")
LINE_HEIGHT = 15.0
MAX_LINES = 6
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


def luminance(colour: str) -> float:
    """WCAG relative luminance of ``#RRGGBB`` (0 black to 1 white)."""
    text = colour.lstrip("#")
    channels = [int(text[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio of two colours (1 to 21; 3 is the least for things not text).

    >>> round(contrast_ratio("#FFFFFF", "#000000"), 1)
    21.0
    >>> round(contrast_ratio("#FFEB9C", "#FFF7BF"), 1)  # the old query fill on the input yellow
    1.1
    """
    a, b = sorted((luminance(first), luminance(second)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def contrast_text(fill: str) -> str:
    """``#000000`` or ``#FFFFFF``: the text colour with the higher WCAG contrast on ``fill``.

    >>> contrast_text("#00703C"), contrast_text("#FFDD00")
    ('#FFFFFF', '#000000')
    """
    light = luminance(fill)
    on_black = (light + 0.05) / 0.05
    on_white = 1.05 / (light + 0.05)
    return "#000000" if on_black >= on_white else "#FFFFFF"


def status_style(colour: Any, bold: bool = True) -> CellStyle:
    """The fill of a status cell: the scheme's colour with contrasting text (cached)."""
    fill = colour if isinstance(colour, str) and _HEX_COLOUR.fullmatch(colour) else None
    key = (fill or "", bold)
    style = _STATUS_STYLES.get(key)
    if style is None:
        style = (CellStyle(bold=bold, fill=fill, color=contrast_text(fill), vertical="top",
                           wrap=True)
                 if fill else CellStyle(bold=bold, vertical="top", wrap=True))
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


@dataclass(frozen=True)
class PrintOptions:
    """What every output sheet prints in its header and footer: the council, the period, the
    time of the refresh, the paper (``"A4"`` or ``"A3"``) and a protective marking
    (``"OFFICIAL"``, or "" for none)."""

    council: str = ""
    period: str = ""
    refreshed: str = ""
    paper: str = "A4"
    marking: str = ""


def _text_width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, float):
        return len(f"{value:,.1f}") + 1
    return max((len(line) for line in str(value).splitlines()), default=0)


def sized_columns(rows: Sequence[Sequence[Any]], caps: Sequence[float], *,
                  first: int = OUTPUT_HEADER_ROW, minimum: float = 6) -> list[float]:
    """Column widths from the content of ``rows`` from row ``first`` (1-based, the header
    row) down: the longest value, never narrower than the header's longest word (headers
    wrap) nor wider than the column's cap in ``caps``.

    >>> sized_columns([["Code", "Measure"], ["PI 1", "A rather long measure name"]], [14, 20],
    ...               first=1)
    [6.0, 20.0]
    """
    widths: list[float] = []
    body = rows[first:]
    header = rows[first - 1] if len(rows) >= first else []
    for c, cap in enumerate(caps):
        words = str(header[c]).split() if c < len(header) and header[c] else [""]
        least = max(minimum, max(len(w) for w in words) + 2)
        longest = max((_text_width(r[c]) for r in body if c < len(r)), default=0) + 2
        widths.append(float(max(least, min(cap, longest))))
    return widths


def sized_rows(rows: Sequence[Sequence[Any]], styles: Sequence[Sequence[CellStyle | None]],
               widths: Sequence[float], *, first: int = OUTPUT_HEADER_ROW) -> dict[int, float]:
    """Heights (points) of the rows from ``first`` down whose wrapped cells need more than
    one line: lines = the text's length over the column's width, at most :data:`MAX_LINES`."""
    heights: dict[int, float] = {}
    for r in range(first - 1, len(rows)):
        lines = 1
        for c, value in enumerate(rows[r]):
            style = styles[r][c] if r < len(styles) and c < len(styles[r]) else None
            if style is None or not style.wrap or not value or c >= len(widths):
                continue
            # a column's width counts digits; words of proportional text are narrower
            room = max(1.0, (widths[c] - 1) * 1.15)
            text = str(value)
            count = sum(max(1, math.ceil(len(line) / room)) for line in text.splitlines())
            lines = max(lines, count)
        if lines > 1:
            heights[r + 1] = LINE_HEIGHT * min(lines, MAX_LINES)
    return heights


def _header_footer(title: str, options: PrintOptions) -> tuple[str, str]:
    from xlperf.write._print import header_text as h

    marking = h(options.marking)
    left = f'&L&"-,Bold"{h(options.council)}' if options.council else ""
    centre = f'&C&"-,Bold"{marking}' if marking else ""
    right = f"&R{h(title)}"
    stamp = f"&LRefreshed {h(options.refreshed)} by xlperf" if options.refreshed else ""
    footer = f"{stamp}&CPage &P of &N" + (f'&R&"-,Bold"{marking}' if marking else "")
    return left + centre + right, footer


def _content(spec: OutputSheet, rows: list[list[Any]], styles: list[list[CellStyle | None]],
             *, widths: Sequence[float] | None = None, freeze: str | None = None,
             keep_with_next: Sequence[int] = (), printed: Sequence[int] | None = None,
             options: PrintOptions | None = None, **kwargs: Any) -> SheetContent:
    """A sheet's content with widths from its content, row heights for wrapped text and its
    print setup. ``printed``: the 0-based columns that print (the others are hidden)."""
    from xlperf.write._print import PrintSetup, plan_print

    sized = list(widths) if widths is not None else sized_columns(rows, spec.widths)
    heights = sized_rows(rows, styles, sized)
    heights.setdefault(OUTPUT_HEADER_ROW, LINE_HEIGHT * max(
        1, *(math.ceil(len(str(h)) / max(1.0, sized[c] - 1)) for c, h in
             enumerate(rows[OUTPUT_HEADER_ROW - 1]) if h and c < len(sized))))
    options = options or PrintOptions()
    columns = printed if printed is not None else range(len(sized))
    all_heights = [heights.get(r, LINE_HEIGHT) for r in range(1, len(rows) + 1)]
    pages, breaks, _scale = plan_print(
        [sized[c] for c in columns], all_heights, paper=options.paper,
        title_height=heights[OUTPUT_HEADER_ROW], keep_with_next=keep_with_next)
    header, footer = _header_footer(spec.name + (f" {options.period}" if options.period
                                                 else ""), options)
    setup = PrintSetup(paper=options.paper, fit_width=pages, header=header, footer=footer,
                       title_rows=(OUTPUT_HEADER_ROW, OUTPUT_HEADER_ROW), row_breaks=breaks)
    return SheetContent(rows=rows, styles=styles, widths=sized,
                        freeze=freeze or f"A{OUTPUT_HEADER_ROW + 1}", row_heights=heights,
                        print_setup=setup, **kwargs)


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


# Statistical process control beside the status (xlperf.core.spc_scored, docs/spc.md).
_SPC_KEYS = ("variation", "variation_side", "variation_explanation", "assurance",
             "assurance_explanation")
_SCORECARD_KEYS = frozenset((
    "priority", "objective", "unit", "code", "title", "owner", "period", "actual",
    "actual_reason", "target", "annual_target", "symbol", "status", "colour", "variance",
    "variance_pct", "variance_note", "direction", "trend_values", "commentary",
    "reported_status", "reported_differs", "explanation", *_SPC_KEYS))
_EXCEPTION_KEYS = frozenset((
    "rated", "severity", "direction", "reported_differs", "reported_status", "status", "code",
    "title", "owner", "period", "symbol", "actual", "target", "variance", "commentary",
    "colour", "unit", "variation"))


# ------------------------------------------------------------------------------ Scorecard
def _reported(row: Mapping[str, Any]) -> tuple[str, CellStyle | None]:
    reported = _text(row.get("reported_status"))
    if not reported:
        return "", None
    if bool(row.get("reported_differs")):
        return f"⚑ {reported} (rule says {row.get('status')})", FLAG
    return reported, TOP


_UNIT_SUFFIX = {"rate per 10,000": " per 10k", "rate per 1,000": " per 1k", "days": " days",
                "weeks": " wks"}


def unit_format(unit: str, values: Sequence[float | None]) -> str:
    """The number format of a measure's figures by its unit: whole numbers for counts (one
    decimal when a figure has one), ``0.0%`` for percentages held as percentages, ``£#,##0``
    for money (``£#,##0k`` for £000s), the unit after a rate, days or weeks.

    >>> unit_format("number", [395.0, 330.0]), unit_format("%", [68.04])
    ('#,##0', '0.0"%"')
    >>> unit_format("rate per 10,000", [267.8]), unit_format("£000s", [1200.0])
    ('#,##0.0" per 10k"', '£#,##0"k"')
    """
    key = unit.strip().casefold()
    if key in ("%", "percent", "percentage"):
        return '0.0"%"'
    if key == "£":
        return "£#,##0"
    if key in ("£000s", "£000", "£k"):
        return '£#,##0"k"'
    if key == "ratio":
        return "0.00"
    whole = all(v is None or float(v).is_integer() for v in values)
    base = "#,##0" if whole else "#,##0.0"
    suffix = _UNIT_SUFFIX.get(key)
    return f'{base}"{suffix}"' if suffix else base


_FORMAT_STYLES: dict[str, CellStyle] = {}
_LITERAL = re.compile(r'"([^"]*)"')


def shown_width(value: float | None, fmt: str) -> int:
    """About how many characters ``value`` shows in format ``fmt`` (for a column's width).

    >>> shown_width(267.8, '#,##0.0" per 10k"'), shown_width(1200.0, "£#,##0")
    (13, 6)
    """
    if value is None:
        return 0
    first = fmt.split(";")[0]
    literals = "".join(_LITERAL.findall(first))
    digits = _LITERAL.sub("", first)
    decimals = len(digits.split(".", 1)[1].rstrip("#")) if "." in digits else 0
    number = f"{abs(value):,.{decimals}f}"
    return len(number) + len(literals) + digits.count("£") + (1 if value < 0 or "+" in first
                                                                else 0)


def _number_style(fmt: str) -> CellStyle:
    style = _FORMAT_STYLES.get(fmt)
    if style is None:
        style = _FORMAT_STYLES[fmt] = CellStyle(number_format=fmt, vertical="top")
    return style


def _variance_format(fmt: str) -> str:
    """A variance's format: the figure's, signed (``+1.1``, ``-2.2``)."""
    body = fmt
    return f"+{body};-{body};{body}"


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
        out[col["Measure"]] = _text(row.get("title"))
        st[col["Measure"]] = WRAP
        out[col["Owner"]] = _text(row.get("owner"))
        out[col["Period"]] = _text(row.get("period"))
        out[col["Unit"]] = unit
        actual = _number(row.get("actual"))
        target, annual = _number(row.get("target")), _number(row.get("annual_target"))
        fmt = unit_format(unit, (actual, target, annual))
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
        st[col["Variance"]] = _number_style(_variance_format(fmt))
        figures["Variance"] = max(figures["Variance"],
                                  shown_width(variance, _variance_format(fmt)))
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
                     summary: str = "", options: PrintOptions | None = None) -> SheetContent:
    """Per priority (banded) and objective: the number of measures, a count per status of
    the schemes the measures use (one column per status that occurs, headed by its symbol
    and word, as the printed reports count them) and the judgement."""
    from xlperf.core.rollup import rollup

    spec = SPEC["Objectives"]
    if scored.empty:
        rows, styles = _head(spec, title, summary)
        return _content(spec, rows, styles, options=options)
    frame = scored.copy()
    for key in ("priority", "objective"):
        frame[key] = frame[key].map(_text)
    statuses = _status_columns(frame)
    status_headers = [f"{symbol} {status}".strip() for symbol, status, _c in statuses]
    headers = ["Priority", "Objective", "Measures", *status_headers, "Judgement"]
    rows, styles = _head(spec, title, summary, headers)
    styles[-1] = [HEADER, HEADER, HEADER,
                  *(status_style(c, bold=True) for _s, _t, c in statuses), HEADER]
    by_objective = rollup(frame, ["priority", "objective"])
    # plain dicts: a .loc look-up per sheet line costs more than building them
    by_priority = {r["priority"]: r for r in rollup(frame, "priority").to_dict("records")}
    frame["_status"] = frame["status"].map(_text)
    per_o = frame.groupby(["priority", "objective", "_status"], sort=False).size().to_dict()
    per_p = frame.groupby(["priority", "_status"], sort=False).size().to_dict()
    count = CellStyle(number_format="0", vertical="top")
    bold_count = CellStyle(bold=True, number_format="0", fill=PRIORITY.fill,
                           vertical="center")
    band = CellStyle(bold=True, fill=PRIORITY.fill, vertical="center", wrap=True)

    def line(label_p: str, label_o: str, r: Mapping[str, Any], counts: list[int],
             base: CellStyle | None, numbers: CellStyle) -> None:
        rows.append([label_p, label_o, int(r["measures"]), *counts, r["judgement"]])
        fill = JUDGEMENT_FILL.get(str(r["judgement"]))
        judgement = (CellStyle(bold=True, fill=fill, color=contrast_text(fill))
                     if fill else BOLD)
        styles.append([base, base, *([numbers] * (len(headers) - 3)), judgement])

    names = [status for _s, status, _c in statuses]
    shown: str | None = None
    for record in by_objective.to_dict("records"):
        priority = record["priority"]
        if priority != shown:
            line(priority or "(no priority)", "All objectives", by_priority[priority],
                 [per_p.get((priority, n), 0) for n in names], band, bold_count)
            shown = priority
        objective = record["objective"]
        # the priority is its band's label, not repeated on each objective's row (as printed)
        line("", objective or "(no objective)", record,
             [per_o.get((priority, objective, n), 0) for n in names], None, count)
    caps = [24, 40, 10, *([10] * len(statuses)), 14]
    return _content(spec, rows, styles, widths=sized_columns(rows, caps), options=options)


# ------------------------------------------------------------------------------ Exceptions
def _why(row: Mapping[str, Any]) -> list[str]:
    reasons = []
    if bool(row.get("rated")) and int(row.get("severity") or 0) >= StatusSeverity.BEYOND_TOLERANCE:
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
        values = {"Code": _text(row.get("code")), "Measure": _text(row.get("title")),
                  "Owner": _text(row.get("owner")), "Period": _text(row.get("period")),
                  "Status": f"{_text(row.get('symbol'))} {_text(row.get('status'))}".strip(),
                  "Actual": _number(row.get("actual")), "Target": _number(row.get("target")),
                  "Variance": _number(row.get("variance")),
                  "Direction": _text(row.get("direction")), "Why listed": "; ".join(reasons),
                  "Commentary": _text(row.get("commentary")) or "no commentary given"}
        fmt = unit_format(_text(row.get("unit")), (values["Actual"], values["Target"]))
        figure = _number_style(fmt)
        for header in shown:
            shown[header] = max(shown[header], shown_width(
                values[header], _variance_format(fmt) if header == "Variance" else fmt))
        look = {"Status": status_style(row.get("colour")), "Actual": figure, "Target": figure,
                "Variance": _number_style(_variance_format(fmt)), "Measure": WRAP,
                "Why listed": WRAP,
                "Commentary": WRAP if _text(row.get("commentary")) else MISSING}
        rows.append([values.get(h) for h in headers])
        styles.append([look.get(h, TOP) for h in headers])
    widths = sized_columns(rows, spec.widths)
    for header, width in shown.items():  # numbers as their formats show them, never ###
        widths[headers.index(header)] = max(widths[headers.index(header)], width + 2.0)
    return _content(spec, rows, styles, widths=widths, options=options)


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


def finance_sheet(data: FinanceData, *, title: str = "Finance", summary: str = "",
                  options: PrintOptions | None = None) -> SheetContent:
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
        styles.append([TOP if h != "Severity" else severity_style for h in headers[:-1]]
                      + [WRAP])
    return _content(spec, rows, styles, options=options)


# ------------------------------------------------------------------------------ all of them
def build_outputs(scored: pd.DataFrame, *, trend: np.ndarray | None = None,
                  period: str = "", council: str = "", finance: FinanceData | None = None,
                  log: Sequence[LogLine] = (), log_summary: str = "",
                  refreshed: str = "", paper: str = "A4", marking: str = "",
                  returns: Any = None) -> dict[str, SheetContent]:
    """Every output sheet, in the order of :data:`~xlperf.layout.OUTPUT_SHEETS`.

    Each prints on ``paper`` (A4 or A3) landscape with the council and period in its header
    and "Page 1 of N", ``refreshed`` (the refresh's time) and the protective ``marking``
    (e.g. OFFICIAL) in its footer.
    ``returns`` (a :class:`~xlperf.collection.CollectionStatus`) adds the Returns sheet
    (:mod:`xlperf.write.returns_sheet`).
    Pure: nothing here reads a clock or a file, so equal inputs give equal sheets.
    """
    options = PrintOptions(council=council, period=period, refreshed=refreshed, paper=paper,
                           marking=marking)
    where = f"{council}: " if council else ""
    counts = scored["status"].value_counts() if len(scored) else pd.Series(dtype=int)
    status_text = ", ".join(f"{k} {v}" for k, v in counts.items())
    sheets = {
        "Scorecard": scorecard_sheet(
            scored, trend, title=f"{where}Scorecard {period}".strip(),
            summary=f"{len(scored)} measures: {status_text}" if len(scored) else
            "No measures in the register.", options=options),
        "Objectives": objectives_sheet(scored, title=f"{where}Objectives {period}".strip(),
                                       options=options),
        "Exceptions": exceptions_sheet(scored, title=f"{where}Exceptions {period}".strip(),
                                       options=options),
        "Finance": finance_sheet(finance or FinanceData(),
                                 title=f"{where}Finance {period} (£000s)".strip(),
                                 options=options),
        "Log": log_sheet(log, title=f"{where}Refresh log {period}".strip(),
                         summary=log_summary, options=options),
    }
    if returns is not None:
        from xlperf.write.returns_sheet import returns_sheet

        sheets["Returns"] = returns_sheet(returns, title=f"{where}Returns {period}".strip(),
                                          options=options)
    return sheets
