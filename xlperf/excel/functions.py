"""The ``XLPERF.*`` worksheet functions, defined once for every route into Excel.

The same decorated functions serve:

* xlwings Lite and the add-in server (Office.js custom functions): the module namespace makes
  the names ``XLPERF.STATUS``, ``XLPERF.VARIANCE``...;
* the open-source xlwings add-in on Windows (classic UDFs, *Import Functions*): VBA names cannot
  hold a dot, so there they are ``XLPERF_STATUS``, ``XLPERF_VARIANCE``... (the Python names).

Every argument can be one cell or a range; ranges line up like Excel's own functions and the
result spills with the same shape. Each function makes one call into the scoring core's
vectorised engine (:mod:`xlperf.core.status`, ``variance``, ``direction``, ``periods``,
``budget``, ``rollup``), never a loop per cell. Results are Excel-friendly: an empty cell for
no data, numbers as numbers, and the core's own sentence instead of a Python error.

Docstrings and ``doc=`` texts are the help Excel shows, so they are short and plain.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import xlwings as xw

from xlperf.core.budget import DEFAULT_BUDGET_TOLERANCE_PCT, budget_status, budget_variances
from xlperf.core.budget import crossfoot as _crossfoot
from xlperf.core.direction import directions
from xlperf.core.periods import parse_period, parse_periods
from xlperf.core.rollup import RollupRule, count_statuses, judge_statuses
from xlperf.core.status import explain_rated, rate, rate_one
from xlperf.core.status import symbol as _symbol
from xlperf.core.values import parse_value
from xlperf.core.variance import variances
from xlperf.errors import InputError, XlperfError
from xlperf.excel import _cells
from xlperf.excel._cells import Matrix

__xlwings_func_namespace__ = "XLPERF"

__all__ = [
    "XLPERF_ASSURANCE",
    "XLPERF_BUDGET_STATUS",
    "XLPERF_BUDGET_VARIANCE",
    "XLPERF_BUDGET_VARIANCE_PCT",
    "XLPERF_COUNT_STATUS",
    "XLPERF_CROSSFOOT",
    "XLPERF_DIRECTION",
    "XLPERF_EXPLAIN",
    "XLPERF_OBJECTIVE_STATUS",
    "XLPERF_PERIOD",
    "XLPERF_STATUS",
    "XLPERF_SYMBOL",
    "XLPERF_VARIANCE",
    "XLPERF_VARIANCE_PCT",
    "XLPERF_VARIATION",
]

# Argument help shown by Excel's function wizard and formula autocomplete.
ACTUAL = "The actual value(s): numbers, 68.04%, or words like TBC, n/a, - for no data."
TARGET = "The target value(s) for the same period."
POLARITY = "Bigger is better, Smaller is better or Data only (High/Low also work)."
TOLERANCE = "How far from target still counts as near target (default 0)."
TOLERANCE_TYPE = "absolute (in the measure's unit, default) or relative (% of the target)."
SCHEME = "rag (default), three-symbol or four-band."
BUDGET = "The budget (e.g. net budget in £000s)."
FORECAST = "The forecast outturn, in the same unit as the budget."
SHOW_REASON = "TRUE to show why the % is empty (e.g. budget is 0) instead of an empty cell."
STATUSES = "A range of measure statuses (Green, Amber, Red...)."

def _arg(name: str, doc: str) -> Any:
    """An argument passed through untouched (``raw``): :mod:`xlperf.excel._cells` reads it.

    xlwings' own per-cell clean-up is skipped on purpose: ``_cells`` does the same (empty
    text and Pyodide's ``JsNull`` are empty cells) for the whole range at once, and keeps an
    Excel error such as ``#DIV/0!`` as its text, which the core reads as "no data".
    """
    return xw.arg(name, "raw", doc=doc)


# Types of a one-cell argument (xlwings passes a single cell as the value itself).
_ONE_CELL = (int, float, str, type(None))

# A row of settings known to be good, used to find which word the core refused.
_STATUS_DEFAULTS = (1.0, 1.0, "Bigger is better", 0.0, "absolute", "rag")


def _status_words(actual: Any, target: Any, polarity: Any, tolerance: Any,
                  tolerance_type: Any, scheme: Any) -> np.ndarray:
    return rate(actual, target, polarity, tolerance, tolerance_type, scheme)[
        "status"].to_numpy(object)


def _explanations(actual: Any, target: Any, polarity: Any, tolerance: Any,
                  tolerance_type: Any, scheme: Any) -> np.ndarray:
    rated = rate(actual, target, polarity, tolerance, tolerance_type, scheme)
    return explain_rated(rated).to_numpy(object)


def _rated(compute: Any, actual: Any, target: Any, polarity: Any, tolerance: Any,
           tolerance_type: Any, scheme: Any) -> Matrix:
    return _cells.run(compute, (actual, target, polarity, tolerance, tolerance_type, scheme),
                      data=(0, 1), numbers=(0, 1, 3), checked=(2, 3, 4, 5),
                      defaults=_STATUS_DEFAULTS)


@xw.func(name="STATUS")
@_arg("actual", doc=ACTUAL)
@_arg("target", doc=TARGET)
@_arg("polarity", doc=POLARITY)
@_arg("tolerance", doc=TOLERANCE)
@_arg("tolerance_type", doc=TOLERANCE_TYPE)
@_arg("scheme", doc=SCHEME)
def XLPERF_STATUS(actual: Any, target: Any, polarity: Any, tolerance: Any = 0,  # noqa: N802
                  tolerance_type: Any = "absolute", scheme: Any = "rag") -> Matrix:
    """Status of actual against target (Green, Amber, Red...), following the polarity."""
    arguments = (actual, target, polarity, tolerance, tolerance_type, scheme)
    if all(type(a) in _ONE_CELL for a in arguments):
        # Desktop Excel calls a formula filled down a column once per cell: one measure in
        # plain Python, no arrays (a refused word goes the range way, which says which).
        if all(v is None or v == "" or (type(v) is float and np.isnan(v))
               for v in (actual, target)):
            return [[None]]
        try:
            return [[rate_one(*arguments).label]]
        except XlperfError:
            pass
    return _rated(_status_words, *arguments)


@xw.func(name="EXPLAIN")
@_arg("actual", doc=ACTUAL)
@_arg("target", doc=TARGET)
@_arg("polarity", doc=POLARITY)
@_arg("tolerance", doc=TOLERANCE)
@_arg("tolerance_type", doc=TOLERANCE_TYPE)
@_arg("scheme", doc=SCHEME)
def XLPERF_EXPLAIN(actual: Any, target: Any, polarity: Any, tolerance: Any = 0,  # noqa: N802
                   tolerance_type: Any = "absolute", scheme: Any = "rag") -> Matrix:
    """One sentence saying how the status was reached."""
    return _rated(_explanations, actual, target, polarity, tolerance, tolerance_type, scheme)


def _variance(actual: Any, target: Any) -> np.ndarray:
    return variances(actual, target)["variance"].to_numpy(float)


@xw.func(name="VARIANCE")
@_arg("actual", doc=ACTUAL)
@_arg("target", doc=TARGET)
def XLPERF_VARIANCE(actual: Any, target: Any) -> Matrix:  # noqa: N802
    """Actual minus target; empty when either is missing."""
    return _cells.run(_variance, (actual, target), data=(0, 1), numbers=(0, 1))


def _percent(frame: pd.DataFrame, value: str, note: str, show_reason: bool) -> np.ndarray:
    pct = frame[value].to_numpy(object)
    if show_reason:
        reason = frame[note].to_numpy(object)
        pct = np.where(pd.isna(frame[value]) & pd.notna(reason), reason, pct)
    return pct


@xw.func(name="VARIANCE_PCT")
@_arg("actual", doc=ACTUAL)
@_arg("target", doc=TARGET)
@_arg("show_reason", doc=SHOW_REASON.replace("budget is 0", "target is 0"))
def XLPERF_VARIANCE_PCT(actual: Any, target: Any, show_reason: Any = False  # noqa: N802
                        ) -> Matrix:
    """Variance as a % of the target; empty when the target is 0 or a value is missing."""
    reasons = _cells.flag(show_reason)

    def compute(a: Any, t: Any) -> np.ndarray:
        return _percent(variances(a, t), "variance_pct", "variance_note", reasons)

    return _cells.run(compute, (actual, target), data=(0, 1), numbers=(0, 1))


@xw.func(name="DIRECTION")
@_arg("current", doc="This period's value(s).")
@_arg("previous", doc="The value(s) to compare with: last period or last year.")
@_arg("polarity", doc=POLARITY)
@_arg("threshold", doc="A change of at most this much is No change (default 0).")
def XLPERF_DIRECTION(current: Any, previous: Any, polarity: Any,  # noqa: N802
                     threshold: Any = 0) -> Matrix:
    """Direction of travel: Improving ↑, Worsening ↓ or No change ↔, following the polarity."""
    return _cells.run(directions, (current, previous, polarity, threshold), data=(0, 1),
                      numbers=(0, 1, 3), checked=(2, 3),
                      defaults=(1.0, 1.0, "Bigger is better", 0.0))


def _periods(style: Any, financial_year: Any) -> Any:
    def compute(values: np.ndarray, styles: np.ndarray) -> np.ndarray:
        codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=False)
        uniques = _cells.from_serial(np.asarray(uniques, dtype=object))
        parsed = parse_periods(pd.Series(uniques, dtype=object),
                               financial_year=financial_year, errors="coerce").to_numpy(object)
        texts = np.empty(len(uniques), dtype=object)
        for position, period in enumerate(parsed):  # one parse per distinct value
            if period is None:
                try:
                    parse_period(uniques[position], financial_year=financial_year)
                except XlperfError as error:
                    texts[position] = str(error)
        periods = parsed[codes]
        out = texts[codes]
        pairs = pd.Series(list(zip(codes, styles, strict=True)), dtype=object)
        pair_codes, pair_uniques = pd.factorize(pairs, use_na_sentinel=False)
        formatted = np.empty(len(pair_uniques), dtype=object)
        for position, (code, wanted) in enumerate(pair_uniques):  # one format per distinct pair
            period = parsed[code]
            if period is None:
                formatted[position] = texts[code]
                continue
            try:
                formatted[position] = period.format(None if _cells._is_empty(wanted) else wanted)
            except XlperfError as error:
                formatted[position] = str(error)
        out = np.where(pd.isna(pd.Series(periods, dtype=object)), out, formatted[pair_codes])
        return out

    return compute


@xw.func(name="PERIOD")
@_arg("text", doc="A period as people write it: Q1 2013/14, Jun-13, 30/06/2013...")
@_arg("style",
      doc="quarter, quarter-dash, qtr, month, month-long, date, date-short, year, year-dash "
            "or iso (default: by the period's length).")
@_arg("financial_year", doc="The year for a bare Qtr3 or June, e.g. 2013/14.")
def XLPERF_PERIOD(text: Any, style: Any = None, financial_year: Any = None  # noqa: N802
                  ) -> Matrix:
    """A period on the April-March financial year, written the way the council writes it."""
    year = _cells.first(financial_year)
    if year is not None:
        try:
            parse_periods([], financial_year=year)
        except XlperfError as error:
            return [[_cells.message(error)]]
    return _cells.run(_periods(style, year), (text, style), data=(0,))


def _symbols(scheme: Any) -> Any:
    def compute(statuses: np.ndarray, schemes: np.ndarray) -> np.ndarray:
        pairs = pd.Series(list(zip(statuses, schemes, strict=True)), dtype=object)
        codes, uniques = pd.factorize(pairs, use_na_sentinel=False)
        found = np.array([_symbol(str(word), None if _cells._is_empty(name) else name)
                          for word, name in uniques], dtype=object)
        return found[codes]

    return compute


@xw.func(name="SYMBOL")
@_arg("status", doc="A status word: Green, Amber, Red, Blue circle, No data...")
@_arg("scheme", doc="Look in this scheme only (default: every scheme).")
def XLPERF_SYMBOL(status: Any, scheme: Any = None) -> Matrix:  # noqa: N802
    """The symbol of a status (✔ ! ✖ ★ ●...), so colour is never the only signal."""
    return _cells.run(_symbols(scheme), (status, scheme), data=(0,), checked=(1,),
                      defaults=("Green", None))


# -- budgets and roll-ups -------------------------------------------------------------------

def _budget_variance(budget: Any, forecast: Any) -> np.ndarray:
    return budget_variances(budget, forecast)["variance"].to_numpy(float)


@xw.func(name="BUDGET_VARIANCE")
@_arg("budget", doc=BUDGET)
@_arg("forecast", doc=FORECAST)
def XLPERF_BUDGET_VARIANCE(budget: Any, forecast: Any) -> Matrix:  # noqa: N802
    """Forecast outturn minus budget: positive is an overspend, negative an underspend."""
    return _cells.run(_budget_variance, (budget, forecast), data=(0, 1), numbers=(0, 1))


@xw.func(name="BUDGET_VARIANCE_PCT")
@_arg("budget", doc=BUDGET)
@_arg("forecast", doc=FORECAST)
@_arg("show_reason", doc=SHOW_REASON)
def XLPERF_BUDGET_VARIANCE_PCT(budget: Any, forecast: Any,  # noqa: N802
                               show_reason: Any = False) -> Matrix:
    """The variance as a % of budget; empty when the budget is 0 or a value is missing."""
    reasons = _cells.flag(show_reason)

    def compute(b: Any, f: Any) -> np.ndarray:
        return _percent(budget_variances(b, f), "variance_pct", "variance_note", reasons)

    return _cells.run(compute, (budget, forecast), data=(0, 1), numbers=(0, 1))


def _budget_statuses(budget: Any, forecast: Any, tolerance_pct: Any, scheme: Any) -> np.ndarray:
    tolerance = np.where(pd.isna(pd.Series(tolerance_pct, dtype=object)),
                         DEFAULT_BUDGET_TOLERANCE_PCT, tolerance_pct)
    return budget_status(budget, forecast, tolerance, scheme)["status"].to_numpy(object)


@xw.func(name="BUDGET_STATUS")
@_arg("budget", doc=BUDGET)
@_arg("forecast", doc=FORECAST)
@_arg("tolerance_pct",
      doc="How far over budget is still near budget, as a % of budget (default 1).")
@_arg("scheme", doc=SCHEME)
def XLPERF_BUDGET_STATUS(budget: Any, forecast: Any,  # noqa: N802
                         tolerance_pct: Any = DEFAULT_BUDGET_TOLERANCE_PCT,
                         scheme: Any = "rag") -> Matrix:
    """Budget status: spending less is better, the tolerance a % of the budget."""
    return _cells.run(_budget_statuses, (budget, forecast, tolerance_pct, scheme),
                      data=(0, 1), numbers=(0, 1, 2), checked=(2, 3),
                      defaults=(100.0, 100.0, DEFAULT_BUDGET_TOLERANCE_PCT, "rag"))


def _column_names(lines: np.ndarray, names: Any) -> tuple[list[str], np.ndarray]:
    """Column names from ``names``, else from a header row of text, else column 1, 2..."""
    width = lines.shape[1]
    given = _cells.grid(names).reshape(-1) if names is not None else None
    top = lines[0] if len(lines) > 1 else None
    header = top is not None and all(
        v is None or (isinstance(v, str) and parse_value(v).kind != "number") for v in top
    ) and any(isinstance(v, str) for v in top)
    if header:
        lines = lines[1:]
    labels = []
    for column in range(width):
        if given is not None and column < len(given) and given[column] is not None:
            labels.append(str(given[column]).strip())
        elif header and top is not None and top[column] is not None:
            labels.append(str(top[column]).strip())
        else:
            labels.append(f"column {column + 1}")
    return labels, lines


@xw.func(name="CROSSFOOT")
@_arg("lines", doc="The lines (one row per service area), with or without headers.")
@_arg("total", doc="The total row, as wide as the lines.")
@_arg("allowance", doc="Rounding allowed per column (default 0.5).")
@_arg("names", doc="Column names to use in the message (default: the header row).")
def XLPERF_CROSSFOOT(lines: Any, total: Any, allowance: Any = 0.5,  # noqa: N802
                     names: Any = None) -> Matrix:
    """OK when the lines add up to the total in every column, else what does not add up."""
    try:
        block = _cells.grid(lines)
        labels, block = _column_names(block, names)
        totals = _cells.grid(total).reshape(-1)
        if len(totals) != len(labels):
            raise InputError(
                f"the total row has {len(totals)} cells but the lines have {len(labels)} "
                "columns: give a total row as wide as the lines")
        slack = parse_value(_cells.first(allowance)).number
        frame = pd.DataFrame(block, columns=range(len(labels)), dtype=object)
        frame.columns = labels if len(set(labels)) == len(labels) else range(len(labels))
        problems = _crossfoot(frame, dict(zip(frame.columns, totals, strict=True)),
                              allowance=0.5 if slack is None else abs(slack))
    except Exception as error:  # noqa: BLE001 - a cell shows a sentence, never a traceback
        return [[_cells.message(error)]]
    if not problems:
        return [["OK"]]
    return [["; ".join(p.message for p in problems)]]


def _rollup_rule(rule: Any) -> RollupRule:
    """A :class:`RollupRule` from up to three cells: off-track share, at-risk share, and what
    to say when nothing is rated. Shares as 0.75, 75 or 75%."""
    cells = [v for v in _cells.grid(rule).reshape(-1).tolist()]
    default = RollupRule()
    shares = []
    for position, fallback in ((0, default.off_track_share), (1, default.at_risk_share)):
        value = cells[position] if position < len(cells) else None
        if value is None:
            shares.append(fallback)
            continue
        parsed = parse_value(value)
        if parsed.number is None:
            raise InputError(
                f"rule share {value!r} is not a number: give the off-track share and the "
                "at-risk share as 75% and 50% (or 0.75 and 0.5)")
        number = parsed.number / 100 if parsed.number > 1 else parsed.number
        if not 0 <= number <= 1:
            raise InputError(f"rule share {value!r} is not between 0% and 100%")
        shares.append(number)
    unrated = cells[2] if len(cells) > 2 and cells[2] is not None else default.unrated
    return RollupRule(shares[0], shares[1], str(unrated).strip())


@xw.func(name="OBJECTIVE_STATUS")
@_arg("statuses", doc=STATUSES)
@_arg("rule",
      doc="Up to 3 cells: off-track share (75%), at-risk share (50%), word when none rated.")
def XLPERF_OBJECTIVE_STATUS(statuses: Any, rule: Any = None) -> Matrix:  # noqa: N802
    """The objective's judgement from its measures' statuses: On Track, At Risk or Off Track."""
    try:
        judgement = judge_statuses(_cells.grid(statuses).reshape(-1), _rollup_rule(rule))
    except Exception as error:  # noqa: BLE001
        return [[_cells.message(error)]]
    return [[judgement]]


@xw.func(name="COUNT_STATUS")
@_arg("statuses", doc=STATUSES)
@_arg("status", doc="The status word(s) to count; a range spills one count each.")
def XLPERF_COUNT_STATUS(statuses: Any, status: Any) -> Matrix:  # noqa: N802
    """How many of the statuses are this status (case and spaces ignored)."""
    try:
        wanted = _cells.grid(status)
        counts = count_statuses(_cells.grid(statuses).reshape(-1), wanted.reshape(-1))
    except Exception as error:  # noqa: BLE001
        return [[_cells.message(error)]]
    return _cells.to_cells(counts, wanted.shape)


# -- statistical process control (Making Data Count) ----------------------------------------

HISTORY = ("The history, oldest first: one row or column for one measure, or a table with one "
           "row per measure (periods across).")
EXPLAIN_SPC = "TRUE to show the sentence that explains the icon instead of its word."


def _histories(values: Any, *per_measure: Any) -> tuple[np.ndarray, list[np.ndarray]]:
    """The history grid with one row per measure, and each other argument lined up with it:
    one cell for all, one cell per measure, or (a target) one per period."""
    history = _cells.grid(values)
    turned = history.shape[1] == 1 and history.shape[0] > 1
    if turned:  # one column is one measure's history, oldest at the top
        history = history.T
    rows, width = history.shape
    lined = []
    for argument in per_measure:
        cells = _cells.grid(argument)
        if turned and cells.shape == history.T.shape:
            cells = cells.T
        if cells.shape == history.shape:
            lined.append(cells)
        elif cells.size == 1:
            lined.append(np.full(history.shape, cells[0, 0], dtype=object))
        elif cells.size == rows:
            lined.append(np.repeat(cells.reshape(rows, 1), width, axis=1))
        else:
            raise InputError(
                f"{_cells.shape_text(cells.shape)} cannot be lined up with "
                f"{rows} measure{'s' if rows != 1 else ''} of {width} periods: give one cell, "
                "one per measure, or (a target) one per period")
    return history, lined


def _spc_cells(values: Any, polarity: Any, target: Any, column: str, explain: Any) -> Matrix:
    """One cell per measure (a column) from one call of :func:`xlperf.core.spc.spc`."""
    from xlperf.core.polarity import parse_polarity
    from xlperf.core.spc import spc

    try:
        history, (polarities, targets) = _histories(values, polarity, target)
    except Exception as error:  # noqa: BLE001 - a cell shows a sentence, never a traceback
        return [[_cells.message(error)]]
    rows, width = history.shape
    out = np.full(rows, None, dtype=object)
    todo = np.asarray(~_cells.empty_mask(history.reshape(-1)).reshape(rows, width).all(axis=1))
    for row in np.flatnonzero(todo):  # one word per measure: say which polarity is unknown
        try:
            parse_polarity(polarities[row, 0])
        except XlperfError as error:
            out[row] = str(error)
            todo[row] = False
    if not todo.any():
        return _cells.to_cells(out, (rows, 1))
    take = np.flatnonzero(todo)
    frame = pd.DataFrame({
        "code": np.repeat(take.astype(str), width),
        "period": np.tile(np.arange(1, width + 1), len(take)),
        "value": _cells.numeric(history[take].reshape(-1)),
        "target": targets[take].reshape(-1),
        "polarity": polarities[take].reshape(-1)})
    try:
        found = spc(frame).set_index("code")
    except Exception as error:  # noqa: BLE001
        out[take] = _cells.message(error)
        return _cells.to_cells(out, (rows, 1))
    wanted = f"{column}_explanation" if _cells.flag(explain) else column
    out[take] = found[wanted].reindex(take.astype(str)).to_numpy(dtype=object)
    return _cells.to_cells(out, (rows, 1))


@xw.func(name="VARIATION")
@_arg("values", doc=HISTORY)
@_arg("polarity", doc=POLARITY)
@_arg("explain", doc=EXPLAIN_SPC)
def XLPERF_VARIATION(values: Any, polarity: Any, explain: Any = False) -> Matrix:  # noqa: N802
    """SPC variation at the latest point: Common cause, Special cause of improvement/concern."""
    return _spc_cells(values, polarity, None, "variation", explain)


@xw.func(name="ASSURANCE")
@_arg("values", doc=HISTORY)
@_arg("target", doc="The target: one cell, one per measure, or one per period (profiled).")
@_arg("polarity", doc=POLARITY)
@_arg("explain", doc=EXPLAIN_SPC)
def XLPERF_ASSURANCE(values: Any, target: Any, polarity: Any,  # noqa: N802
                     explain: Any = False) -> Matrix:
    """SPC assurance: Consistently passing, Hit and miss or Consistently failing the target."""
    return _spc_cells(values, polarity, target, "assurance", explain)
