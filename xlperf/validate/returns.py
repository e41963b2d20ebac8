"""Validate submitted returns: every problem a finding pinned to its cell, errors and queries.

:func:`validate_return` checks one file, :func:`validate_returns` a batch (one pandera pass over
every return of the batch, so its fixed cost is paid once). For each file, in order:

1. **file safety** (:func:`~xlperf.validate.files.check_file`, ``FILE-001``…``FILE-010``): a
   finding here stops the file, nothing is parsed;
2. **read** with python-calamine; a reader failure is ``FILE-004`` (damaged), ``FILE-003``
   (password) or ``FILE-019`` (a sheet that cannot be read), never a traceback;
3. **identity** (the hidden ``xlperf`` sheet, else the document properties): not a return
   (``FILE-011``), out-of-date template or register (``FILE-012``), wrong period (``FILE-013``),
   wrong service (``FILE-014``); ``FILE-011``/``013``/``014`` stop the content checks;
4. **layout**: columns found by header (missing ``FILE-015``, moved ``FILE-016``), measures by
   code (rows moved ``FILE-017``), locked cells compared with the master (``FILE-018``);
   nothing a service types filled in on any row: the blank template (``FILE-021``, stops the
   file while it is an error);
5. **content**: the cells parsed by the scoring core's value parser, what the register says
   joined on, then the refined pandera schemas of :mod:`xlperf.catalogue.schemas` (lazy, one
   pass: ``PERF-001/002/003/008/009/011/017``, ``FIN-001/003/004/005/006``) and vectorised
   checks for the rest (``PERF-004/005/006/007/010/012/013/014/015/016``, ``FIN-002``).

Findings are made only through the catalogue (:meth:`~xlperf.validate.catalogue.Rule.finding`),
with the severities of the master's ``Rules`` sheet when it has one.
"""

from __future__ import annotations

import difflib
import math
import re
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from xlperf.core.budget import is_total_line
from xlperf.core.columns import BUDGET_COLUMNS, fold, normalise_columns
from xlperf.core.values import (
    KIND_INVALID,
    KIND_NO_DATA,
    KIND_NUMBER,
    REASON_BLANK,
    parse_values,
)
from xlperf.errors import InputError, WorkbookError, XlperfError, library_errors
from xlperf.findings import Finding, Report, cell_ref, column_letter, parse_ref
from xlperf.layout import MAX_CELL_TEXT, RETURN_HEADER_ROW, RETURN_HEADERS, RETURN_SHEETS
from xlperf.validate.catalogue import Rule, load_rules, with_overrides
from xlperf.validate.files import Limits, check_file

__all__ = ["UNREADABLE", "expected_layout", "master_rules", "validate_grids",
           "validate_return", "validate_returns"]

# Findings that mean the file could not be read at all (the CLI's exit code 2).
UNREADABLE = frozenset({*(f"FILE-{n:03d}" for n in range(1, 11)), "FILE-019"})
_STOPPERS = frozenset({"FILE-011", "FILE-013", "FILE-014"})

# The templates' tables (xlperf.layout, shared with xlperf.write.templates: no openpyxl here).
PERFORMANCE_HEADERS = RETURN_HEADERS["performance"]
FINANCE_HEADERS = RETURN_HEADERS["finance"]
# A finance return may carry capital columns too.
CAPITAL_HEADERS = ("Revised estimate", "Actual to date")
REQUIRED = {"performance": ("Code", "Actual"), "finance": ("Service area", "Forecast outturn"),
            "capital": ("Programme", "Actual to date")}
LOCKED = {"performance": ("Measure", "Unit", "Polarity", "Target"),
          "finance": ("Gross budget", "Net budget"), "capital": ("Revised base budget",)}
HEADER_ROW = RETURN_HEADER_ROW
_DATA_SHEET = RETURN_SHEETS
# The amount each kind of finance return must give on every row.
_MAIN_AMOUNT = {"finance": "Forecast outturn", "capital": "Actual to date"}
_NO_DATA_HINT = {"blank"}
# What a service types into each kind of return: a return with none of these filled in on
# any row is the blank template (FILE-021). A capital return's revised estimate is not one:
# the template comes with the master's filled in.
_ENTERED = {"performance": ("Actual", "Numerator", "Denominator", "Reported status",
                            "Commentary"),
            "finance": ("Forecast outturn", "Actual to date", "Explanation"),
            "capital": ("Actual to date", "Explanation")}
_ENTERED_WORDS = {"performance": "actual, numerator, denominator, status or commentary",
                  "finance": "forecast outturn or explanation",
                  "capital": "actual to date or explanation"}


# --------------------------------------------------------------------------- small helpers
def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or (
        isinstance(value, str) and value.strip() == "")


def _text(value: Any) -> str:
    if _blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _num(value: Any) -> str:
    """A number as people read it in a message."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(number):
        return "blank"
    number += 0.0  # -0.0 is shown as 0
    if abs(number) >= 1e15:  # an exponent, not hundreds of digits
        return f"{number:.6g}"
    if number.is_integer():
        return f"{number:,.0f}" if abs(number) >= 10_000 else f"{number:.0f}"
    return f"{number:,.4g}" if abs(number) >= 10_000 else f"{round(number, 4):g}"


def _shown(value: Any) -> Any:
    """A cell value for a finding: numbers as numbers, text as text, blank as None."""
    if _blank(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


# --------------------------------------------------------------------------- the master side
@dataclass
class _MasterFacts:
    """What the validator needs from a master, computed once per master."""

    register: pd.DataFrame  # prepared, indexed by code
    services: frozenset[str]
    holders: frozenset[str]
    register_hash: str
    period: Any  # Period | None
    rules: dict[str, Rule]
    schemes: Mapping[str, Any]
    default_scheme: str
    materiality: float
    budget: pd.DataFrame  # normalised budget lines
    capital: pd.DataFrame  # normalised capital programmes of the reporting period
    layouts: dict[tuple[str, str], pd.DataFrame] = field(default_factory=dict)
    cache: dict[Any, Any] = field(default_factory=dict)  # layouts, targets, suggestions


_FACTS: dict[int, tuple[weakref.ref[Any], _MasterFacts]] = {}
_LIMIT_ALIASES = {"minimum": ("minimum", "min", "min value", "lowest"),
                  "maximum": ("maximum", "max", "max value", "highest"),
                  "plausibility": ("plausibility", "plausibility threshold", "max change",
                                   "maximum change")}


def master_rules(master: Any) -> dict[str, Rule]:
    """The catalogue with the severities of the master's ``Rules`` sheet (``Rule``/``Id`` and
    ``Severity`` columns; other columns ignored). A row that cannot be applied (unknown rule,
    unknown severity, a file-safety rule lowered) is skipped: ``read_master`` is not the place
    to refuse a whole master for it."""
    rules = load_rules()
    path = getattr(master, "path", None)
    if path is None:
        return rules
    from xlperf.read._calamine import find_sheet, find_table, open_workbook, sheet_grid

    try:
        book = open_workbook(path)
        name = find_sheet(book.sheet_names, "Rules")
        if name is None:
            return rules
        located = find_table(sheet_grid(book, name, file=str(path)),
                             [("Rule", "Id", "Rule id"), ("Severity",)])
    except XlperfError:
        return rules
    if located is None:
        return rules
    frame = located.frame
    rule_col = next(c for c in frame.columns if fold(c) in ("rule", "id", "rule id"))
    severity_col = next(c for c in frame.columns if fold(c) == "severity")
    for rule_id, severity in zip(frame[rule_col], frame[severity_col], strict=True):
        if _blank(rule_id) or _blank(severity):
            continue
        try:
            rules = with_overrides(rules, {str(rule_id): str(severity)})
        except InputError:
            continue
    return rules


def _facts(master: Any) -> _MasterFacts:
    cached = _FACTS.get(id(master))
    if cached is not None and cached[0]() is master:
        return cached[1]
    from xlperf.core.measures import prepare_measures
    from xlperf.core.periods import parse_period
    from xlperf.identity import register_hash

    usable = master.usable_register
    # The master prepares its register once for the whole refresh (score, freeze, here).
    prepared = getattr(master, "prepared_register", None)
    register = (prepared if prepared is not None else prepare_measures(usable)) if len(
        usable) else pd.DataFrame(
        columns=["code", "service", "unit", "polarity", "frequency", "scheme", "tolerance",
                 "tolerance_type", "annual_target", "cumulative", "title"])
    extra = normalise_columns(usable, _LIMIT_ALIASES) if len(usable) else pd.DataFrame()
    for key in _LIMIT_ALIASES:
        if key in extra.columns:
            register[key] = parse_values(extra[key].astype(object))["number"].to_numpy()
        else:
            register[key] = np.nan
    register = register.drop_duplicates("code").set_index("code", drop=False)
    budget = (normalise_columns(master.budget, BUDGET_COLUMNS) if len(master.budget)
              else pd.DataFrame())
    holders: set[str] = set()
    if len(master.budget):
        holder_col = next((c for c in master.budget.columns
                           if fold(c) == "budget holder"), None)
        if holder_col is not None:
            holders = {_text(v) for v in master.budget[holder_col] if not _blank(v)}
        if "line" in budget.columns:
            holders |= {_text(v) for v in budget["line"] if not _blank(v)}
    try:
        period = parse_period(master.reporting_period) if master.reporting_period else None
    except InputError:
        period = None
    from xlperf.core.budget import capital_for_period
    from xlperf.core.columns import CAPITAL_COLUMNS

    capital = master.capital
    if capital is not None and len(capital) and period is not None:
        capital = capital_for_period(capital, period)
    capital = (normalise_columns(capital, CAPITAL_COLUMNS) if capital is not None
               and len(capital) else pd.DataFrame())
    materiality = float(master.settings.materiality)
    facts = _MasterFacts(
        register=register, services=frozenset(s for s in register["service"] if s),
        holders=frozenset(holders), register_hash=register_hash(master.register),
        period=period, rules=master_rules(master), schemes=master.schemes,
        default_scheme=master.default_scheme, materiality=materiality, budget=budget,
        capital=capital)
    _FACTS[id(master)] = (weakref.ref(master), facts)
    return facts


def expected_layout(master: Any, service: str, period: Any) -> pd.DataFrame:
    """The rows of the performance template of ``service`` for ``period`` as
    :func:`~xlperf.write.templates.build_templates` writes them, computed without writing
    anything: ``code``, ``period`` (as shown), ``period_key``, ``row`` (Excel row), and the
    locked cells ``Measure``, ``Unit``, ``Polarity``, ``Frequency``, ``Target``."""
    facts = _facts(master)
    key = (service, str(period))
    if key in facts.layouts:
        return facts.layouts[key]
    every = _all_layouts(master, facts, period)
    if every is None:
        layout = pd.DataFrame(columns=_LAYOUT_COLUMNS)
    else:
        frame, starts = every
        span = starts.get(service)
        layout = (pd.DataFrame(columns=_LAYOUT_COLUMNS) if span is None else
                  frame.iloc[span[0]:span[1]].reset_index(drop=True))
    facts.layouts[key] = layout
    return layout


_LAYOUT_COLUMNS = ["code", "period", "period_key", "row", "Measure", "Unit", "Polarity",
                   "Frequency", "Target"]
_FREQUENCY_WORDS = {"month": "Monthly", "quarter": "Quarterly", "year": "Annual"}


def _all_layouts(master: Any, facts: _MasterFacts, period: Any
                 ) -> tuple[pd.DataFrame, dict[str, tuple[int, int]]] | None:
    """Every service's template rows for ``period`` in one frame (grouped by service, each
    service's rows in template order) and where each service's rows start and end: computed
    once per master and period, vectorised over the whole register."""
    key = ("\x00all", str(period))
    if key in facts.cache:
        return facts.cache[key]
    from xlperf.core.periods import parse_period
    from xlperf.core.targets import period_targets

    reporting = parse_period(period)
    register = facts.register
    if not len(register):
        facts.cache[key] = None
        return None
    frequency = register["frequency"].to_numpy(dtype=object)
    service = register["service"].to_numpy(dtype=object)
    position = np.arange(len(register))
    pieces: list[tuple[np.ndarray, int, Any]] = []  # (register positions, rank, due period)
    for freq in dict.fromkeys(frequency):
        members = position[frequency == freq]
        for rank, due in enumerate(_due_periods(freq, reporting)):
            pieces.append((members, rank, due))
    if not pieces:
        facts.cache[key] = None
        return None
    take = np.concatenate([p[0] for p in pieces])
    rank = np.concatenate([np.full(len(p[0]), p[1]) for p in pieces])
    due_of = np.concatenate([np.full(len(p[0]), i) for i, p in enumerate(pieces)])
    dues = [p[2] for p in pieces]
    # Service by service (in order of first appearance), then register order, then rank.
    service_codes, service_names = pd.factorize(pd.Series(service[take], dtype=object),
                                                use_na_sentinel=False)
    order = np.lexsort((rank, take, service_codes))
    take, rank, due_of, service_codes = take[order], rank[order], due_of[order], \
        service_codes[order]
    sizes = np.bincount(service_codes, minlength=len(service_names))
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    within = np.arange(len(take)) - bounds[service_codes]
    shown = np.array([d.format() for d in dues], dtype=object)[due_of]
    keys = np.array([d.format("iso") for d in dues], dtype=object)[due_of]
    positions = np.array([d.position_in_year for d in dues])[due_of]
    per_year = np.array([d.periods_in_year for d in dues])[due_of]
    codes = register["code"].to_numpy(dtype=object)[take]
    annual = register["annual_target"].to_numpy(dtype=float)[take]
    cumulative = register["cumulative"].to_numpy(dtype=bool)[take]
    polarity = register["polarity"].to_numpy(dtype=object)[take]
    profiled = period_targets(annual, positions, per_year, cumulative)
    target = pd.Series(profiled, dtype=object)
    no_number = np.isnan(annual)
    if no_number.any():  # an annual target in words ("Monitor", "Reduce"): shown as typed
        words = pd.Series(codes, dtype=object).map(_raw_annual_cached(master, facts))
        target = target.where(pd.Series(~no_number), words)
    table = _target_table_cached(master, facts)
    if table:
        given = pd.Series([table.get(k) for k in zip(codes, keys, strict=True)], dtype=object)
        numbers = pd.Series(np.nan, index=given.index, dtype=object)
        present = given.notna().to_numpy() & np.array([v is not None for v in given], bool)
        if present.any():
            numbers[present] = parse_values(given[present])["number"].to_numpy()
        numbers = numbers.astype(float)
        target = target.where(numbers.isna(), numbers.astype(object))
    target = target.where(pd.Series(polarity != "Data only"), None)
    frame = pd.DataFrame({
        "code": codes, "period": shown, "period_key": keys,
        "Measure": register["title"].to_numpy(dtype=object)[take],
        "Unit": register["unit"].to_numpy(dtype=object)[take], "Polarity": polarity,
        "Frequency": [_FREQUENCY_WORDS.get(f, f) for f in frequency[take]],
        "row": (within + HEADER_ROW + 1).astype(np.int64),
        "Target": target.to_numpy(dtype=object)})
    starts = {name: (int(bounds[i]), int(bounds[i + 1]))
              for i, name in enumerate(service_names)}
    facts.cache[key] = (frame, starts)
    return frame, starts


def _raw_annual_cached(master: Any, facts: _MasterFacts) -> dict[str, Any]:
    if "raw_annual" not in facts.cache:
        facts.cache["raw_annual"] = _raw_annual(master)
    return facts.cache["raw_annual"]


def _target_table_cached(master: Any, facts: _MasterFacts) -> dict[tuple[str, str], Any]:
    if "target_table" not in facts.cache:
        facts.cache["target_table"] = _target_table(master)
    return facts.cache["target_table"]


def _raw_annual(master: Any) -> dict[str, Any]:
    frame = normalise_columns(master.usable_register, {"code": ("code",),
                                                       "annual_target": ("annual target",)})
    if "annual_target" not in frame.columns:
        return {}
    return {_text(c): (None if _blank(v) else str(v).strip())
            for c, v in zip(frame["code"], frame["annual_target"], strict=True)}


def _target_table(master: Any) -> dict[tuple[str, str], Any]:
    from xlperf.core.periods import parse_period

    targets = master.targets
    if targets is None or targets.empty:
        return {}
    frame = normalise_columns(targets, {"code": ("code",), "period": ("period",),
                                        "target": ("target",)})
    if not {"code", "period", "target"} <= set(frame.columns):
        return {}
    out = {}
    keys: dict[Any, str | None] = {}
    for code, period, target in zip(frame["code"], frame["period"], frame["target"],
                                    strict=True):
        try:
            hashable = (type(period), period)
            hash(hashable)
        except TypeError:
            hashable = None
        if hashable is not None and hashable in keys:
            iso = keys[hashable]
        else:
            try:
                iso = parse_period(period).format("iso")
            except InputError:
                iso = None
            if hashable is not None:
                keys[hashable] = iso
        if iso is not None:
            out[(_text(code), iso)] = target
    return out


def _due_periods(frequency: str, reporting: Any) -> list[Any]:
    from xlperf.core.score import due_period

    last = due_period(reporting, frequency)
    periods, current = [], last
    while reporting.start <= current.end <= reporting.end:
        periods.append(current)
        current = current.previous()
    if not periods and frequency == "year":
        periods = [last]
    return periods[::-1]


# --------------------------------------------------------------------------- reading a file
@dataclass
class _File:
    """One file of a batch as read: findings so far and, if it goes on, its cells."""

    number: int
    path: Path
    rules: dict[str, Rule]
    findings: list[Finding] = field(default_factory=list)
    stop: bool = False
    kind: str = ""
    identity: dict[str, str] = field(default_factory=dict)
    sheet: str = ""
    columns: dict[str, int] = field(default_factory=dict)
    # What was read of the file, for the refresh to take the accepted values from without
    # opening it again (:func:`xlperf.read.returns.return_from_read`).
    read: Any = None
    arrays: dict[str, np.ndarray] = field(default_factory=dict)  # each located column
    rows: np.ndarray | None = None  # the Excel row of each value of ``arrays``
    # The Actual column's formulas: Excel row -> (formula, has a calculated value).
    formulas: dict[int, tuple[str, bool]] = field(default_factory=dict)

    @property
    def cells(self) -> pd.DataFrame | None:
        """``arrays`` as a frame indexed by Excel row (made when asked: a batch of
        performance returns is checked from the arrays)."""
        if self.rows is None:
            return None
        frame = pd.DataFrame({h: v for h, v in self.arrays.items() if h != "percent_format"},
                             index=pd.Index(self.rows, name="row"), dtype=object)
        if "percent_format" in self.arrays:
            frame["percent_format"] = self.arrays["percent_format"]
        return frame

    @property
    def size(self) -> int:
        """How many data rows were read (0 before reading)."""
        return 0 if self.rows is None else len(self.rows)

    def add(self, rule: str, **fields: Any) -> None:
        sheet = fields.pop("sheet", None)
        self.findings.append(self.rules[rule].finding(file=self.path, sheet=sheet, **fields))

    def cell(self, header: str, row: int) -> str:
        return cell_ref(int(row), self.columns[header]) if header in self.columns else ""


def _reader_failure(file: _File, error: WorkbookError) -> None:
    text = str(error)
    detail = text.split(": ", 1)[1] if ": " in text else text
    if "password" in text.lower() or "encrypt" in text.lower():
        file.add("FILE-003")
    elif error.sheet:
        file.add("FILE-019", sheet=error.sheet, detail=detail)
    else:
        file.add("FILE-004", detail=detail)
    file.stop = True


def _identity(file: _File, source: Any) -> None:
    from xlperf.identity import IDENTITY_KEYS, IDENTITY_SHEET
    from xlperf.read._calamine import find_sheet
    from xlperf.read.returns import ReadReturn

    properties = source.properties()
    identity = {k: v for k, v in properties.items() if k in IDENTITY_KEYS}
    names = source.names()
    file.read = ReadReturn(file.path, names, properties)
    hidden = find_sheet(names, IDENTITY_SHEET)
    if hidden is not None:
        raw = source.grid(hidden)
        file.read.grids[hidden] = raw
        for row in raw[1:]:
            if len(row) >= 2 and isinstance(row[0], str) and row[0].strip():
                identity[row[0].strip()] = _text(row[1])
    file.identity = identity
    kind = identity.get("kind", "")
    if not identity.get("template_id") and kind not in _DATA_SHEET:
        shown = ", ".join(f"'{n}'" for n in names[:5]) + (" …" if len(names) > 5 else "")
        file.add("FILE-011", detail=f"it has no xlperf identity (no hidden 'xlperf' sheet or "
                                    f"document properties); its sheets are {shown}")
        file.stop = True
        return
    if kind not in _DATA_SHEET:
        file.add("FILE-011", detail=f"its template kind is '{kind or 'blank'}', not a "
                                    "performance, finance or capital return")
        file.stop = True
        return
    wanted = identity.get("sheet") or _DATA_SHEET[kind]
    sheet = find_sheet(names, wanted) or find_sheet(names, _DATA_SHEET[kind])
    if sheet is None:
        file.add("FILE-011", detail=f"its '{wanted}' sheet, where the figures go, is missing")
        file.stop = True
        return
    file.kind, file.sheet = kind, sheet


def _check_identity(file: _File, facts: _MasterFacts | None, *, period: Any,
                    service: str | None) -> None:
    from xlperf import __version__
    from xlperf.core.periods import parse_period

    identity = file.identity
    found_version = identity.get("xlperf_version", "")
    problems_found, problems_expected = [], []
    if found_version and found_version != __version__:
        problems_found.append(found_version)
        problems_expected.append(__version__)
    if facts is not None and identity.get("register_hash") and \
            identity["register_hash"] != facts.register_hash:
        problems_found.append(f"{found_version or '?'} (register {identity['register_hash']})")
        problems_expected.append(f"{__version__} (register {facts.register_hash})")
    if problems_found:
        file.add("FILE-012", found=problems_found[-1], expected=problems_expected[-1])
    wanted = period if period is not None else (facts.period if facts is not None else None)
    if wanted is not None:
        try:
            want = parse_period(wanted)
            got = parse_period(identity.get("period", ""))
            if got.format("iso") != want.format("iso"):
                file.add("FILE-013", sheet=file.sheet, cell="B3", value=identity.get("period"),
                         found=got.format(), period=want.format())
                file.stop = True
        except InputError:
            file.add("FILE-013", sheet=file.sheet, cell="B3", value=identity.get("period"),
                     found=f"'{identity.get('period', '')}'", period=_period_text(wanted))
            file.stop = True
    who = identity.get("service", "")
    if service is not None and fold(who) != fold(service):
        file.add("FILE-014", sheet=file.sheet, cell="A1", found=who or "no service",
                 service=service)
        file.stop = True
    elif facts is not None and service is None:
        from xlperf.identity import CAPITAL_OWNER

        known, expected = {
            "performance": (facts.services, "a service of the master's register"),
            "finance": (facts.holders, "a budget holder of the master's Budget sheet"),
            "capital": (frozenset({CAPITAL_OWNER}) if len(facts.capital) else frozenset(),
                        "the capital programme of the master's Capital sheet")}[file.kind]
        if known and who not in known:
            file.add("FILE-014", sheet=file.sheet, cell="A1", found=who or "no service",
                     service=expected)
            file.stop = True


def _check_period_cell(file: _File, facts: _MasterFacts | None, grid: list[list[Any]], *,
                       period: Any) -> None:
    """FILE-013 when the period the sheet shows (``B3``, beside ``Period`` in ``A3``) is not
    the period being collected (or, with none given, the template's own): the identity is
    hidden, so a service that retypes B3 to send another period's figures is caught here."""
    from xlperf.core.periods import parse_period

    if len(grid) < 3 or len(grid[2]) < 2 or not isinstance(grid[2][0], str) or \
            _fold(grid[2][0]) != "period" or _blank(grid[2][1]):
        return
    shown = grid[2][1]
    wanted = period if period is not None else (
        facts.period if facts is not None else file.identity.get("period"))
    try:
        want = parse_period(wanted)
    except InputError:
        return  # a wanted period that cannot be read is FILE-013's already
    try:
        got = parse_period(shown)
    except InputError:
        found = f"'{_text(shown)}'"
    else:
        if got.format("iso") == want.format("iso"):
            return
        found = got.format()
    file.add("FILE-013", sheet=file.sheet, cell="B3", value=_shown(shown), found=found,
             period=want.format())
    file.stop = True


def _period_text(period: Any) -> str:
    return period.format() if hasattr(period, "format") and not isinstance(period, str) else \
        str(period)


@lru_cache(maxsize=4096)
def _fold(text: str) -> str:
    """:func:`~xlperf.core.columns.fold` of a cell's text, remembered (a batch of returns
    repeats the same headings and words)."""
    return fold(text)


def _locate(file: _File, grid: list[list[Any]]) -> tuple[int, dict[str, int]] | None:
    """The header row (1-based) and each known header's column; FILE-015/016 findings."""
    headers = RETURN_HEADERS[file.kind]
    extra = CAPITAL_HEADERS if file.kind == "finance" else ()
    wanted = {fold(h): h for h in (*headers, *extra)}
    best, best_row = 0, None
    for r, row in enumerate(grid[:40]):
        hits = sum(1 for v in row if isinstance(v, str) and v and _fold(v) in wanted)
        if hits > best:
            best, best_row = hits, r
    columns: dict[str, int] = {}
    if best_row is not None and best >= 2:
        for c, value in enumerate(grid[best_row], start=1):
            if isinstance(value, str) and _fold(value) in wanted:
                columns.setdefault(wanted[_fold(value)], c)
    header_row = (best_row + 1) if best_row is not None and best >= 2 else HEADER_ROW
    stated = int(file.identity.get("header_row") or HEADER_ROW) if str(
        file.identity.get("header_row", "")).isdigit() else HEADER_ROW
    for position, header in enumerate(headers, start=1):
        expected_cell = cell_ref(stated, position)
        if header not in columns:
            if header in REQUIRED[file.kind] or header in LOCKED[file.kind] or header in (
                    "Period", "Commentary", "Explanation", "Reported status", "Numerator",
                    "Denominator", "Variance", "Revised estimate", "Slippage"):
                file.add("FILE-015", sheet=file.sheet, cell=expected_cell, column=header,
                         expected_cell=expected_cell)
        elif columns[header] != position or header_row != stated:
            file.add("FILE-016", sheet=file.sheet, cell=cell_ref(header_row, columns[header]),
                     column=header, expected_cell=expected_cell)
    if any(h not in columns for h in REQUIRED[file.kind]):
        file.stop = True
        return None
    return header_row, columns


def _raw_grid(book: Any, sheet: str, where: str) -> list[list[Any]]:
    """A sheet's values from A1 as calamine gives them (a blank cell is ``""``)."""
    try:
        return book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except library_errors("calamine") as error:
        raise WorkbookError(f"{where}: cannot read sheet {sheet!r} ({error})", file=where,
                            sheet=sheet) from None


class _FileSource:
    """A return on disk: python-calamine for the values, its zip package (opened once) for
    the document properties, Excel error cells and % number formats."""

    def __init__(self, path: Path, package: Any):
        self.path, self.package, self.book = path, package, None

    def open(self) -> None:
        from xlperf.read._calamine import open_workbook

        self.book = open_workbook(self.path)

    def names(self) -> list[str]:
        return list(self.book.sheet_names)

    def grid(self, sheet: str) -> list[list[Any]]:
        return _raw_grid(self.book, sheet, str(self.path))

    def properties(self) -> dict[str, str]:
        return self.package.properties()

    def error_cells(self, sheet: str) -> dict[str, str]:
        return self.package.error_cells(sheet)

    def percent_rows(self, sheet: str, column: str) -> frozenset[int]:
        return self.package.percent_rows(sheet, column)

    def formula_cells(self, sheet: str, column: str) -> dict[int, tuple[str, bool]]:
        return self.package.formula_cells(sheet, column)


# What openpyxl (and Excel) store as an error cell when it is typed: python-calamine reads such
# a cell as blank and the validator takes the error from the sheet's XML; a grid gives it as
# text, so :class:`_GridSource` treats it the same way.
_ERROR_TEXTS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"})


class _GridSource:
    """A return already in memory (an Office.js payload): ``{sheet: values from A1}``, a blank
    cell ``""`` or ``None``; no document properties; the cells with a % number format as A1
    references per sheet."""

    def __init__(self, grids: Mapping[str, Sequence[Sequence[Any]]],
                 percent_cells: Mapping[str, Iterable[str]] | None):
        self._grids = grids
        self._percent = percent_cells or {}
        self._errors: dict[str, dict[str, str]] = {}
        self._clean: dict[str, list[list[Any]]] = {}

    def open(self) -> None:
        pass

    def names(self) -> list[str]:
        return [str(n) for n in self._grids]

    def grid(self, sheet: str) -> list[list[Any]]:
        if sheet not in self._clean:
            errors: dict[str, str] = {}
            rows = []
            for r, row in enumerate(self._grids[sheet], start=1):
                values = list(row)
                for c, value in enumerate(values, start=1):
                    if type(value) is str and value in _ERROR_TEXTS:
                        errors[cell_ref(r, c)] = value
                        values[c - 1] = ""
                rows.append(values)
            self._clean[sheet], self._errors[sheet] = rows, errors
        return self._clean[sheet]

    def properties(self) -> dict[str, str]:
        return {}

    def formula_cells(self, sheet: str, column: str) -> dict[int, tuple[str, bool]]:
        return {}  # Office.js sends values only

    def error_cells(self, sheet: str) -> dict[str, str]:
        self.grid(sheet)
        return self._errors[sheet]

    def percent_rows(self, sheet: str, column: str) -> frozenset[int]:
        rows = set()
        for ref in self._percent.get(sheet, ()):
            try:
                row, col = parse_ref(str(ref))
            except ValueError:
                continue
            if column_letter(col) == column.upper():
                rows.add(row)
        return frozenset(rows)


def _read_file(file: _File, facts: _MasterFacts | None, limits: Limits, *, period: Any,
               service: str | None) -> None:
    from xlperf.read.returns import Package

    found = check_file(file.path, limits=limits)
    if found:
        file.findings.extend(_restyle(found, file.rules))
        file.stop = True
        return
    with Package(file.path) as package:  # the zip opened once for what calamine does not give
        _read_source(file, facts, _FileSource(file.path, package), period=period,
                     service=service)


def _read_source(file: _File, facts: _MasterFacts | None, source: Any, *, period: Any,
                 service: str | None) -> None:
    try:
        source.open()
        _identity(file, source)
        if file.stop:
            return
        _check_identity(file, facts, period=period, service=service)
        if file.stop:
            return
        grid = source.grid(file.sheet)
        file.read.grids[file.sheet] = grid
        _check_period_cell(file, facts, grid, period=period)
        if file.stop:
            return
    except WorkbookError as error:
        _reader_failure(file, error)
        return
    except library_errors("zip", "os", "value", "lookup", "type") as error:
        file.add("FILE-004", detail=str(error) or type(error).__name__)
        file.stop = True
        return
    located = _locate(file, grid)
    if located is None:
        return
    header_row, columns = located
    file.columns = columns
    arrays, rows = _columns_of(grid[header_row:], columns, header_row + 1)
    errors = source.error_cells(file.sheet)
    if errors:
        where = {r: i for i, r in enumerate(rows)}
        by_column = {c: h for h, c in reversed(columns.items())}
        for ref, error in errors.items():
            row, column = parse_ref(ref)
            header = by_column.get(column)
            if header is not None and row in where:
                arrays[header][where[row]] = error
    index = np.array(rows, dtype=np.int64)
    if file.kind == "performance" and "Actual" in columns:
        letter = column_letter(columns["Actual"])
        percent = source.percent_rows(file.sheet, letter)
        file.read.percent[(file.sheet, letter)] = percent
        file.formulas = source.formula_cells(file.sheet, letter)
        arrays["percent_format"] = (np.isin(index, list(percent)) if percent
                                    else np.zeros(len(index), dtype=bool))
    file.arrays, file.rows = arrays, index


def _columns_of(body: list[list[Any]], columns: Mapping[str, int], first_row: int
                ) -> tuple[dict[str, np.ndarray], list[int]]:
    """The cells under each located header, blank rows (every located cell blank or spaces)
    left out: per header an object array of values (a blank cell ``None``, calamine gives
    ``""``), and the Excel row of each. Vectorised over the grid, not a loop over its cells."""
    headers = list(columns)
    positions = [columns[h] - 1 for h in headers]
    grid = _rectangle(body, max(positions) + 1)[:, positions]
    filled = ~(np.equal(grid, None) | _equals_empty(grid))
    keep = filled.any(axis=1)
    # A row whose cells are only spaces is blank too. Only a row whose first filled cell is
    # spaces can be one, so the rest are not looked at.
    rows_kept = np.flatnonzero(keep)
    first = grid[rows_kept, filled[rows_kept].argmax(axis=1)]
    doubtful = rows_kept[[type(v) is str and not v.strip() for v in first]]
    for i in doubtful:
        if all(type(v) is str and not v.strip() for v in grid[i, filled[i]]):
            keep[i] = False
    grid = grid[keep]
    grid[~filled[keep]] = None  # calamine's "" for a blank cell
    rows = (np.flatnonzero(keep) + first_row).tolist()
    return {h: np.ascontiguousarray(grid[:, i]) for i, h in enumerate(headers)}, rows


def _equals_empty(grid: np.ndarray) -> np.ndarray:
    """``cell == ""`` for each cell of an object array (any value, never raises)."""
    try:
        return np.asarray(grid == "", dtype=bool).reshape(grid.shape)
    except (ValueError, TypeError):  # a value whose comparison misbehaves: one at a time
        out = np.zeros(grid.shape, dtype=bool)
        for index, value in np.ndenumerate(grid):
            out[index] = type(value) is str and value == ""
        return out


def _rectangle(body: list[list[Any]], width: int) -> np.ndarray:
    """The rows as a 2-D object array at least ``width`` wide (short rows padded with
    ``None``). calamine's rows all have one length, so this is normally one copy; a cell
    that is itself a sequence (a payload can hold anything) is kept as one value."""
    size = max([width, *(len(row) for row in body)])
    out = np.full((len(body), size), None, dtype=object)
    lengths = {len(row) for row in body}
    if len(lengths) == 1:
        try:
            out[:, :lengths.pop()] = body
            return out
        except (ValueError, TypeError):
            pass
    for i, row in enumerate(body):
        for j, value in enumerate(row):
            out[i, j] = value
    return out


def _restyle(found: Iterable[Finding], rules: Mapping[str, Rule]) -> list[Finding]:
    """File findings with the council's severities (file-safety rules cannot change)."""
    out = []
    for f in found:
        rule = rules.get(f.rule)
        out.append(f if rule is None or rule.severity == f.severity else
                   Finding(f.rule, rule.severity, f.message, f.file, f.sheet, f.cell, f.value,
                           f.how_to_fix))
    return out


# --------------------------------------------------------------------------- performance
_PERCENT_WORDS = ("%", "percent")
_RATE_WORDS = ("rate", "per ", "ratio")
_NONNEGATIVE_UNITS = {"number", "count", "days", "weeks", "hours", "months", "years", ""}


def _distinct(values: pd.Series, fn: Callable[[str], Any]) -> np.ndarray:
    """``fn`` of each value as text (blank ``""``), worked out once per distinct value: for
    columns with a few values (units), fast over many rows."""
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=True)
    mapped = [fn(str(u)) for u in uniques] + [fn("")]  # the last: NaN / None
    out = np.empty(len(mapped), dtype=object)
    out[:] = mapped
    return out[codes]


def _unit_limits(units: pd.Series, titles: pd.Series) -> tuple[np.ndarray, np.ndarray,
                                                                 np.ndarray]:
    """Default minimum, maximum and whole-number flag from each row's unit (vectorised over
    the few distinct units)."""
    folded = _distinct(units, lambda u: u.strip().casefold())
    codes, uniques = pd.factorize(folded)
    if not len(uniques):
        return (np.full(len(units), -np.inf), np.full(len(units), np.inf),
                np.zeros(len(units), bool))
    lo = np.full(len(uniques), -np.inf)
    hi = np.full(len(uniques), np.inf)
    count = np.zeros(len(uniques), dtype=bool)
    for i, unit in enumerate(uniques):
        if any(w in unit for w in _PERCENT_WORDS):
            lo[i], hi[i] = 0.0, 100.0
        elif any(w in unit for w in _RATE_WORDS) or unit in _NONNEGATIVE_UNITS:
            lo[i] = 0.0
        if unit in ("count", "whole number", "number (whole)"):
            count[i] = True
    index = np.where(codes < 0, 0, codes)
    whole = count[index]
    number = folded == "number"
    if number.any():
        named = np.zeros(len(units), dtype=bool)
        named[number] = titles[number].fillna("").astype(str).str.strip().str.casefold() \
            .str.startswith(("number of", "count of")).to_numpy(dtype=bool)
        whole = whole | named
    return lo[index], hi[index], whole


def _numbers(values: pd.Series) -> np.ndarray:
    """The value parser's number of each cell (NaN: none). A column that is all blank or all
    plain finite numbers (most Numerator, Denominator and Target columns) is taken as it is;
    anything else goes through :func:`~xlperf.core.values.parse_values`."""
    if pd.api.types.is_float_dtype(values.dtype) or pd.api.types.is_integer_dtype(
            values.dtype):  # a ledger's figures: numbers already
        out = values.to_numpy(dtype=float, na_value=np.nan, copy=True)
        out[~np.isfinite(out)] = np.nan
        return out
    raw = values.to_numpy(dtype=object)
    kinds = set(map(type, raw))
    if kinds <= {type(None)}:
        return np.full(len(raw), np.nan)
    if kinds <= {float, int, type(None)}:
        out = np.array([np.nan if v is None else v for v in raw], dtype=float)
        out[~np.isfinite(out)] = np.nan  # as the parser: infinity is not a number
        return out
    return parse_values(pd.Series(raw, index=values.index, dtype=object))["number"].to_numpy()


def _blanks(values: np.ndarray) -> np.ndarray:
    """:func:`_blank` of each value (one pass, quicker than pandas' string methods here)."""
    return np.fromiter((v is None or (v.strip() == "" if type(v) is str else _blank(v))
                        for v in values), dtype=bool, count=len(values))


def _is_text(values: np.ndarray) -> np.ndarray:
    return np.fromiter((type(v) is str for v in values), dtype=bool, count=len(values))


def _starts_with(values: np.ndarray, prefix: str) -> np.ndarray:
    """Each value is text starting with ``prefix``."""
    out = np.zeros(len(values), dtype=bool)
    text = _is_text(values)
    if text.any():
        out[text] = pd.Series(values[text], dtype=object).str.startswith(prefix).to_numpy(
            dtype=bool)
    return out


def _texts(values: np.ndarray) -> np.ndarray:
    """:func:`_text` of each value (text is only stripped: the common case, done quickly; a
    long column of text repeats its values, so each distinct text is stripped once)."""
    if len(values) > 1000 and pd.api.types.infer_dtype(values, skipna=False) == "string":
        codes, uniques = pd.factorize(np.asarray(values, dtype=object))
        return np.array([u.strip() for u in uniques], dtype=object)[codes]
    return np.array([v.strip() if type(v) is str else "" if v is None else _text(v)
                     for v in values], dtype=object)


def _batch(files: Sequence[_File]) -> pd.DataFrame:
    """The cells of every return of the batch in one frame indexed by (file, Excel row), a
    column of ``None`` for a header a return lacks, plus ``percent_format`` and ``service``."""
    sizes = [len(f.rows) for f in files]
    data: dict[str, np.ndarray] = {}
    for column in PERFORMANCE_HEADERS:
        data[column] = np.concatenate([
            f.arrays[column] if column in f.arrays else np.full(n, None, dtype=object)
            for f, n in zip(files, sizes, strict=True)])
    data["percent_format"] = np.concatenate([
        f.arrays["percent_format"] if "percent_format" in f.arrays
        else np.zeros(n, dtype=bool) for f, n in zip(files, sizes, strict=True)])
    data["service"] = np.concatenate([np.full(n, f.identity.get("service", ""), dtype=object)
                                      for f, n in zip(files, sizes, strict=True)])
    index = pd.MultiIndex.from_arrays(
        [np.repeat(np.array([f.number for f in files], dtype=np.int64), sizes),
         np.concatenate([f.rows for f in files])], names=["file", "row"])
    return pd.DataFrame(data, index=index)


def _register_columns(facts: _MasterFacts) -> dict[str, np.ndarray]:
    """The register's columns the checks join on, as arrays (made once per master)."""
    if "columns" not in facts.cache:
        reg = facts.register
        facts.cache["columns"] = {
            "service": reg["service"].to_numpy(dtype=object),
            "unit": reg["unit"].to_numpy(dtype=object),
            "title": reg["title"].to_numpy(dtype=object),
            "polarity": reg["polarity"].to_numpy(dtype=object),
            "tolerance": reg["tolerance"].to_numpy(dtype=float),
            "tolerance_type": reg["tolerance_type"].to_numpy(dtype=object),
            "scheme": reg["scheme"].to_numpy(dtype=object),
            "cumulative": reg["cumulative"].fillna(False).to_numpy(dtype=bool),
            "minimum": reg["minimum"].to_numpy(dtype=float),
            "maximum": reg["maximum"].to_numpy(dtype=float),
            "plausibility": reg["plausibility"].to_numpy(dtype=float)}
        # The unit's default limits per register row, and (last) for a code not in it.
        lo, hi, whole = _unit_limits(
            pd.Series([*reg["unit"].to_numpy(dtype=object), ""], dtype=object),
            pd.Series([*reg["title"].to_numpy(dtype=object), ""], dtype=object))
        facts.cache["columns"].update(unit_minimum=lo, unit_maximum=hi, unit_whole=whole)
    return facts.cache["columns"]


def _performance(files: Sequence[_File], facts: _MasterFacts | None,
                 previous: pd.DataFrame | None) -> None:
    cells = _batch(files)
    by_number = {f.number: f for f in files}
    code = pd.Series(_texts(cells["Code"].to_numpy()), index=cells.index)
    period_text = pd.Series(_texts(cells["Period"].to_numpy()), index=cells.index)
    period_key, period_obj = _period_keys(period_text)
    parsed = parse_values(cells["Actual"], cells["percent_format"])
    numerator = _numbers(cells["Numerator"])
    denominator = _numbers(cells["Denominator"])

    # What the register says about each row (or, without a master, the return's own cells).
    if facts is not None and len(facts.register):
        where = facts.register.index.get_indexer(code.to_numpy())
        missing = where < 0
        take = np.where(missing, 0, where)
        register = _register_columns(facts)

        def joined(name: str, fill: Any = np.nan) -> np.ndarray:
            values = register[name][take]
            if missing.any():
                values = values.astype(object) if fill is np.nan and values.dtype == bool \
                    else values.copy()
                values[missing] = fill
            return values

        owner = joined("service")
        unit = pd.Series(joined("unit"), index=cells.index, dtype=object)
        title = pd.Series(joined("title"), index=cells.index, dtype=object)
        polarity = pd.Series(joined("polarity"), index=cells.index, dtype=object)
        tolerance = joined("tolerance")
        tolerance_type = joined("tolerance_type")
        scheme = pd.Series(joined("scheme"), index=cells.index, dtype=object)
        cumulative = joined("cumulative", False).astype(bool)
        minimum_reg = joined("minimum")
        maximum_reg = joined("maximum")
        plausibility = joined("plausibility")
        unit_row = np.where(missing, len(facts.register), where)
        lo, hi, whole = (register[name][unit_row]
                         for name in ("unit_minimum", "unit_maximum", "unit_whole"))
        known_register = True
    else:
        owner = np.full(len(cells), None, dtype=object)
        unit = pd.Series(_texts(cells["Unit"].to_numpy()), index=cells.index)
        title = pd.Series(_texts(cells["Measure"].to_numpy()), index=cells.index)
        polarity = pd.Series(_texts(cells["Polarity"].to_numpy()), index=cells.index)
        tolerance = np.zeros(len(cells))
        tolerance_type = np.full(len(cells), "absolute", dtype=object)
        scheme = pd.Series("", index=cells.index, dtype=object)
        cumulative = np.zeros(len(cells), dtype=bool)
        minimum_reg = maximum_reg = plausibility = np.full(len(cells), np.nan)
        lo, hi, whole = _unit_limits(unit, title)
        known_register = False
    default_scheme = facts.default_scheme if facts is not None else "rag"
    scheme_a = scheme.to_numpy(dtype=object)
    scheme = pd.Series(np.where(pd.isna(scheme_a) | (scheme_a == ""), default_scheme, scheme_a),
                       index=cells.index, dtype=object)
    minimum = np.where(np.isnan(minimum_reg), lo, minimum_reg)
    maximum = np.where(np.isnan(maximum_reg), hi, maximum_reg)

    # Targets: the master's (as the template showed them), else the return's Target cells.
    target = cells["Target"]
    layout_frames, layout_files = [], []
    if facts is not None and facts.period is not None:
        for f in files:
            layout = expected_layout_from_facts(f, facts)
            if layout is not None:
                layout_frames.append(layout)
                layout_files.append(np.full(len(layout), f.number, dtype=np.int64))
    expected = None
    if layout_frames:
        expected = (pd.concat(layout_frames, ignore_index=True) if len(layout_frames) > 1
                    else layout_frames[0].reset_index(drop=True))
        expected["file"] = np.concatenate(layout_files)
        # The first template row of each (file, code, period).
        cell_key, expected_key = _joint_keys(
            (cells.index.get_level_values("file").to_numpy(), code.to_numpy(dtype=object),
             period_key.to_numpy(dtype=object)),
            (expected["file"].to_numpy(), expected["code"].to_numpy(dtype=object),
             expected["period_key"].to_numpy(dtype=object)))
        at = _first_positions(expected_key, cell_key)
        in_layout = at >= 0
        master_target = expected["Target"].to_numpy(dtype=object)[np.maximum(at, 0)]
        target = pd.Series(np.where(in_layout, master_target, target.to_numpy(dtype=object)),
                           index=cells.index, dtype=object)
    target_number = pd.Series(_numbers(target), index=cells.index)

    status_text = pd.Series(_texts(cells["Reported status"].to_numpy()), index=cells.index)
    status_ok = _status_words_ok(status_text, scheme, polarity, facts)
    code_a = code.to_numpy(dtype=object)
    has_code = code_a != ""
    owner = np.where(has_code, owner, None)
    rows = pd.DataFrame({
        "Code": code_a, "Actual": parsed["number"].to_numpy(),
        "Commentary": cells["Commentary"].to_numpy(dtype=object),
        "Reported status": status_text.to_numpy(dtype=object),
        "owner_service": owner, "service": cells["service"].to_numpy(dtype=object),
        "duplicate": _duplicates(cells.index.get_level_values("file").to_numpy(),
                                 code_a, period_key.to_numpy()),
        "minimum": minimum, "maximum": maximum, "whole": whole, "status_ok": status_ok,
        "register": known_register,
    }, index=cells.index)
    findings = _run_schema(rows, "performance")
    suggester = _suggester(facts)
    suggester.searches = 0  # the search budget is per batch (the memo is kept)
    context = {"suggest": suggester,
               "allowed": {cells.index[i]: _allowed_words(scheme.iat[i], polarity.iat[i], facts)
                           for i in np.flatnonzero(status_ok == False)}}  # noqa: E712

    # -- the vectorised checks outside pandera
    kind = parsed["kind"].to_numpy()
    reason = parsed["reason"].to_numpy(dtype=object)
    is_error = _starts_with(reason, "Excel error")
    blank = (kind == KIND_NO_DATA) & (reason == "blank")
    unknown = known_register & pd.isna(owner) & has_code
    rated_ok = has_code & ~unknown
    extra: list[tuple[str, Any, dict[str, Any]]] = []
    for (f_no, row) in cells.index[blank & rated_ok & (polarity != "").to_numpy()]:
        extra.append(("PERF-004", (f_no, row), {}))
    for idx in cells.index[(kind == KIND_NO_DATA) & ~blank & ~is_error & rated_ok]:
        extra.append(("PERF-005", idx, {}))
    for idx in cells.index[(kind == KIND_INVALID) & rated_ok]:
        extra.append(("PERF-006", idx, {}))
    for idx in cells.index[is_error & rated_ok]:
        extra.append(("PERF-007", idx, {}))

    number = parsed["number"].to_numpy()
    num, den = numerator, denominator
    scale = _ratio_scale(unit)
    with np.errstate(divide="ignore", invalid="ignore"):
        implied = num / den * scale
    gap = np.abs(implied - number)
    mismatch = (~np.isnan(gap) & (den != 0) & (gap > np.maximum(0.051, 0.005 * np.abs(implied)))
                & rated_ok)
    for idx, exp in zip(cells.index[mismatch], implied[mismatch], strict=True):
        extra.append(("PERF-010", idx, {"expected": exp}))

    # Reported status vs the status the rule gives; missing commentary for off-target rows.
    from xlperf.core.status import rate

    status_words = status_text.to_numpy(dtype=object)
    can_rate = rated_ok & ~np.isnan(number)
    rated = None
    if can_rate.any():
        schemes = facts.schemes if facts is not None else None
        try:
            rated = rate(number[can_rate], target_number.to_numpy()[can_rate],
                         polarity.to_numpy(dtype=object)[can_rate],
                         np.nan_to_num(tolerance[can_rate]), tolerance_type[can_rate],
                         scheme.to_numpy(dtype=object)[can_rate], schemes=schemes)
        except XlperfError:
            rated = None
    commentary_blank = _blanks(cells["Commentary"].to_numpy())
    if rated is not None:
        rated.index = cells.index[can_rate]
        computed = rated["status"].to_numpy(dtype=object)
        given = status_words[can_rate]
        ok_word = rows["status_ok"].to_numpy(dtype=object)[can_rate]
        differs = (given != "") & (ok_word == True) & rated["rated"].to_numpy()  # noqa: E712
        # Few rows carry a word: only theirs are compared.
        compared = np.flatnonzero(differs)
        differs[compared] = [str(g).casefold() != str(c).casefold()
                             for g, c in zip(given[compared], computed[compared], strict=True)]
        for idx, word in zip(rated.index[differs], computed[differs], strict=True):
            extra.append(("PERF-012", idx, {"expected": str(word),
                                            "target": rated.at[idx, "target"]}))
        off = rated["rated"].to_numpy() & (rated["severity"].to_numpy() >= 1) & \
            commentary_blank[can_rate]
        for idx, word in zip(rated.index[off], computed[off], strict=True):
            extra.append(("PERF-016", idx, {"status": str(word)}))

    # Cumulative year-to-date figures going down; changes from the last accepted value.
    extra += _history_checks(cells.index, code, period_text, period_key, period_obj, number,
                             unit, cumulative, plausibility, previous, rated_ok, target_number)

    # Rows deleted or moved, locked cells changed (against the master's layout).
    if expected is not None:
        _layout_checks(files, cells, code, expected, cell_key, expected_key)

    _emit(files, by_number, cells, code, period_text, parsed, findings, extra, rows, context)


def _duplicates(file: np.ndarray, code: np.ndarray, key: np.ndarray) -> np.ndarray:
    """A second (or later) row of one code and period in one file (a row without a code is
    never a duplicate)."""
    row_key = _joint_keys((file, code, key), (file[:0], code[:0], key[:0]))[0]
    later = np.ones(len(row_key), dtype=bool)
    later[np.unique(row_key, return_index=True)[1]] = False
    return later & (code != "")


def _joint_keys(left: Sequence[np.ndarray], right: Sequence[np.ndarray]
                ) -> tuple[np.ndarray, np.ndarray]:
    """One integer per row for two tables of key columns, equal where all keys are equal."""
    size = len(left[0])
    combined = np.zeros(size + len(right[0]), dtype=np.int64)
    for a, b in zip(left, right, strict=True):
        codes, uniques = pd.factorize(np.concatenate([np.asarray(a, dtype=object),
                                                      np.asarray(b, dtype=object)]),
                                      use_na_sentinel=False)
        # Renumbered after each column so the combined key stays small.
        combined = pd.factorize(combined * (len(uniques) + 1) + codes)[0]
    return combined[:size], combined[size:]


def _first_positions(table: np.ndarray, wanted: np.ndarray, *,
                     among: np.ndarray | None = None) -> np.ndarray:
    """For each key of ``wanted``, the position of its first occurrence in ``table`` (only
    where ``among`` is True), -1 when there is none: a vectorised dictionary lookup.

    >>> _first_positions(np.array([5, 7, 5]), np.array([5, 9])).tolist()
    [0, -1]
    """
    candidates = np.arange(len(table)) if among is None else np.flatnonzero(among)
    size = int(max(table.max(initial=0), wanted.max(initial=0))) + 1
    lookup = np.full(size, -1, dtype=np.int64)
    unique_keys, first = np.unique(table[candidates], return_index=True)
    lookup[unique_keys] = candidates[first]
    return lookup[wanted]


def _suggester(facts: _MasterFacts | None) -> _Suggester:
    """The "did you mean" of the master's register (made once per master)."""
    if facts is None:
        return _Suggester([])
    if "suggest" not in facts.cache:
        facts.cache["suggest"] = _Suggester(list(facts.register.index))
    return facts.cache["suggest"]


def expected_layout_from_facts(file: _File, facts: _MasterFacts) -> pd.DataFrame | None:
    service = file.identity.get("service", "")
    if service not in facts.services or facts.period is None:
        return None
    master = _MASTERS.get(id(facts))
    if master is None:
        return None
    try:
        return expected_layout(master, service, file.identity.get("period") or facts.period)
    except XlperfError:
        return None


_MASTERS: dict[int, Any] = {}


def _period_keys(texts: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Each period text's key (``2013-Q2``; the text itself when it is not a period) and its
    :class:`~xlperf.core.periods.Period` (None), each distinct text parsed once."""
    codes, uniques = pd.factorize(texts.to_numpy(dtype=object))
    keys = np.empty(len(uniques) + 1, dtype=object)
    objs = np.empty(len(uniques) + 1, dtype=object)
    for i, text in enumerate(uniques):
        keys[i], objs[i] = _parse_period_text(text)
    keys[-1] = objs[-1] = np.nan  # (a missing text: never, the texts are strings)
    return (pd.Series(keys[codes], index=texts.index, dtype=object),
            pd.Series(objs[codes], index=texts.index, dtype=object))


def _parse_period_text(text: Any) -> tuple[Any, Any]:
    from xlperf.core.periods import parse_period

    try:
        p = parse_period(text)
        return p.format("iso"), p
    except (InputError, ValueError, TypeError):
        return text, None


def _start_and_year(periods: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each period's first day (ordinal) and year, NaN where there is none. Each distinct
    period object is worked out once, found by identity (:func:`_period_keys` gives one
    object per distinct text, and hashing thousands of periods in Python is slow)."""
    values = periods.to_numpy(dtype=object)
    codes, _ids = pd.factorize(np.fromiter(map(id, values), dtype=np.uint64,
                                           count=len(values)))
    _codes, first = np.unique(codes, return_index=True)
    reps = values[first]
    starts = np.array([np.nan if p is None else float(p.start.toordinal()) for p in reps])
    years = np.array([np.nan if p is None else float(p.year) for p in reps])
    return starts[codes], years[codes]


def _ratio_scale(unit: pd.Series) -> np.ndarray:
    return _distinct(unit, _scale_of).astype(float)


def _scale_of(unit: str) -> float:
    """What numerator / denominator is multiplied by for ``unit`` (NaN: not a ratio)."""
    folded = unit.casefold()
    scale = np.nan
    if "%" in folded or "percent" in folded:
        scale = 100.0
    if "10,000" in folded or "10000" in folded:
        scale = 10_000.0
    if ("1,000" in folded or "1000" in folded) and not (
            "10,000" in folded or "10000" in folded or "100,000" in folded):
        scale = 1_000.0
    if "100,000" in folded or "100000" in folded:
        scale = 100_000.0
    if folded == "ratio":
        scale = 1.0
    return scale


def _status_words_ok(words: pd.Series, scheme: pd.Series, polarity: pd.Series,
                     facts: _MasterFacts | None) -> np.ndarray:
    """True when the reported word is one of the row's scheme (``None`` when blank)."""
    from xlperf.core.schemes import get_scheme

    result = np.full(len(words), None, dtype=object)
    given = (words != "").to_numpy()
    if not given.any():
        return result
    schemes = facts.schemes if facts is not None else None
    # Only the rows with a word are looked at (most returns leave the column blank).
    data_only = (polarity.to_numpy(dtype=object)[given] == "Data only")
    keys = np.where(data_only, "\x00data-only",
                    scheme.to_numpy(dtype=object)[given].astype(str)).astype(object)
    allowed: dict[str, frozenset[str]] = {}
    for name in dict.fromkeys(keys.tolist()):
        if name == "\x00data-only":
            allowed[name] = frozenset({"data only", "no data"})
            continue
        try:
            allowed[name] = frozenset(w.casefold() for w in get_scheme(name, schemes).labels)
        except XlperfError:
            allowed[name] = frozenset()
    folded = [str(w).strip().casefold() for w in words.to_numpy(dtype=object)[given]]
    result[given] = [w in allowed[k] for k, w in zip(keys.tolist(), folded, strict=True)]
    return result


def _allowed_words(scheme: str, polarity: str, facts: _MasterFacts | None) -> str:
    from xlperf.core.schemes import get_scheme

    if polarity == "Data only":
        return "Data only, No data"
    try:
        return ", ".join(get_scheme(scheme, facts.schemes if facts else None).labels)
    except XlperfError:
        return "the scheme's words"


def _history_checks(index: pd.Index, code: pd.Series, period_text: pd.Series,
                    period_key: pd.Series, period_obj: pd.Series, number: np.ndarray,
                    unit: pd.Series, cumulative: np.ndarray, plausibility: np.ndarray,
                    previous: pd.DataFrame | None, rated_ok: np.ndarray,
                    target: pd.Series) -> list[tuple[str, Any, dict[str, Any]]]:
    out: list[tuple[str, Any, dict[str, Any]]] = []
    starts, years = _start_and_year(period_obj)
    current = pd.DataFrame({"code": code.to_numpy(), "start": starts,
                            "year": years, "value": number,
                            "period": period_text.to_numpy(), "pos": np.arange(len(code)),
                            "source": 1})
    current = current[rated_ok & ~np.isnan(number) & current["start"].notna().to_numpy()]
    past = None
    if previous is not None and len(previous):
        prev = normalise_columns(previous, {"code": ("code",), "period": ("period",),
                                            "actual": ("actual", "value")})
        if {"code", "period", "actual"} <= set(prev.columns):
            texts = pd.Series(_texts(prev["period"].to_numpy(dtype=object)), index=prev.index,
                              dtype=object)
            past_keys, objs = _period_keys(texts)
            past_starts, past_years = _start_and_year(objs)
            past_codes = _texts(prev["code"].to_numpy(dtype=object))
            past = pd.DataFrame({
                "code": past_codes,
                "start": past_starts, "year": past_years,
                "value": _numbers(prev["actual"]),
                "period": texts.to_numpy(), "pos": -1, "source": 0})
            # History is what was known before these returns: a value of a measure and period
            # the batch itself holds (recorded by an earlier refresh of the same return) is
            # not its own past, so a second refresh of unchanged returns finds the same.
            own = pd.MultiIndex.from_arrays([past_codes, past_keys.to_numpy(dtype=object)]).isin(
                pd.MultiIndex.from_arrays([code.to_numpy(dtype=object),
                                           period_key.to_numpy(dtype=object)]))
            past = past[past["start"].notna() & ~np.isnan(past["value"]) & ~own]
    # Year to date going down: compare with the latest earlier value in the same year. Only
    # the codes of cumulative measures are looked at (cumulative is a property of the code).
    cum_positions = set(np.flatnonzero(cumulative))
    cum_codes = set(code.to_numpy(dtype=object)[np.flatnonzero(cumulative)].tolist())
    if cum_codes:
        both = pd.concat([p[p["code"].isin(cum_codes)] for p in (past, current)
                          if p is not None], ignore_index=True)
        both = both.sort_values(["code", "start", "source"], kind="stable")
        before = both.groupby("code", sort=False).shift(1)
        ytd = both[(both["source"] == 1) & before["value"].notna()
                   & (before["year"] == both["year"]) & (both["value"] < before["value"])]
        for pos, prev_value, prev_period in zip(ytd["pos"], before.loc[ytd.index, "value"],
                                                before.loc[ytd.index, "period"], strict=True):
            if pos in cum_positions:
                out.append(("PERF-013", index[pos], {"previous": prev_value,
                                                     "previous_period": prev_period}))
    # Against the last accepted value only (the ledger's, passed in as ``previous``).
    flagged: set[int] = set()
    if past is not None and len(past) and len(current):
        last = pd.merge_asof(current.sort_values("start"), past.sort_values("start")[
            ["code", "start", "value", "period"]].rename(columns={
                "value": "prev_value", "period": "prev_period"}),
            on="start", by="code", allow_exact_matches=False)
        last = last[last["prev_value"].notna()]
        value, prev_value = last["value"].to_numpy(), last["prev_value"].to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.abs(value) / np.abs(prev_value)
            order = np.log10(ratio)
            nearest = np.round(order)
            factor_hit = (np.abs(nearest) >= 1) & (np.abs(order - nearest) < 0.15) & \
                (np.abs(prev_value) > 0) & np.isfinite(order)
        for pos, _v, pv, n in zip(last["pos"][factor_hit], value[factor_hit],
                                 prev_value[factor_hit], nearest[factor_hit], strict=True):
            flagged.add(int(pos))
            out.append(("PERF-015", index[int(pos)], {"factor": int(10 ** abs(n)),
                                                      "usual": pv, "big": n > 0}))
        positions = last["pos"].to_numpy(dtype=int)
        threshold = plausibility[positions]
        default = np.maximum(np.abs(prev_value) * 0.5, 1.0)
        threshold = np.where(np.isnan(threshold), default, threshold)
        change = value - prev_value
        jump = (np.abs(change) > threshold) & ~factor_hit
        for pos, _v, pv, pp, ch, th in zip(positions[jump], value[jump], prev_value[jump],
                                          last["prev_period"].to_numpy()[jump], change[jump],
                                          threshold[jump], strict=True):
            out.append(("PERF-014", index[int(pos)], {"previous": pv, "previous_period": pp,
                                                      "change": ch, "threshold": th}))
    # A percentage typed as a fraction, judged against the target when there is no history.
    percent = _distinct(unit, lambda u: "%" in u or "percent" in u.casefold()).astype(bool)
    tgt = target.to_numpy(dtype=float)
    fraction = (percent & rated_ok & (np.abs(number) > 0) & (np.abs(number) <= 1)
                & (tgt >= 10))
    for pos in np.flatnonzero(fraction):
        if pos not in flagged:
            out.append(("PERF-015", index[pos], {"factor": 100, "usual": tgt[pos],
                                                 "big": False}))
    return out


def _layout_checks(files: Sequence[_File], cells: pd.DataFrame, code: pd.Series,
                   expected: pd.DataFrame, cell_key: np.ndarray,
                   expected_key: np.ndarray) -> None:
    """FILE-017 (rows moved: one finding per block moved by the same amount, and for rows
    deleted) and FILE-018 (locked cells that differ from the master)."""
    by_number = {f.number: f for f in files}
    exp_file = expected["file"].to_numpy()
    exp_code = expected["code"].to_numpy(dtype=object)
    exp_row = expected["row"].to_numpy()
    code_a = code.to_numpy(dtype=object)
    # The first row of each code and period in the return (a row without a code is none).
    position = _first_positions(cell_key, expected_key, among=code_a != "")
    found = position >= 0
    row = np.where(found, cells.index.get_level_values("row").to_numpy()[
        np.maximum(position, 0)], 0).astype(np.int64)
    shift = row - exp_row
    moved = np.flatnonzero(found & (shift != 0))
    if len(moved):
        moved = moved[np.lexsort((exp_row[moved], exp_file[moved]))]
        for n, i in enumerate(moved):
            if n:
                j = moved[n - 1]
                if exp_file[j] == exp_file[i] and shift[j] == shift[i] and \
                        exp_row[i] == exp_row[j] + 1:
                    continue  # the same block
            f = by_number[exp_file[i]]
            f.add("FILE-017", sheet=f.sheet, cell=f.cell("Code", row[i]), value=exp_code[i],
                  code=exp_code[i], row=int(row[i]), expected_row=exp_row[i])
    periods = expected["period"].to_numpy(dtype=object)
    for i in np.flatnonzero(~found):
        f = by_number[exp_file[i]]
        f.add("FILE-020", sheet=f.sheet, code=exp_code[i], period=periods[i],
              expected_row=int(exp_row[i]))
    # Locked cells: compare each found row's locked columns with the template's.
    where = np.flatnonzero(found)
    if not len(where):
        return
    at = position[where]
    for header in LOCKED["performance"]:
        if header not in cells.columns:
            continue
        got_v = cells[header].to_numpy(dtype=object)[at]
        want = expected[header].to_numpy(dtype=object)[where]
        differs = _differs(got_v, want)
        for i, g, w in zip(where[differs], got_v[differs], want[differs], strict=True):
            f = by_number[exp_file[i]]
            if header not in f.columns:
                continue
            f.add("FILE-018", sheet=f.sheet, cell=f.cell(header, row[i]), value=_shown(g),
                  expected="blank" if _blank(w) else _plain(w))


def _plain(value: Any) -> str:
    if isinstance(value, float | int | np.floating | np.integer) and not isinstance(value, bool):
        return _num(value)
    return str(value)


# "Did you mean" searches per batch: a hostile return of 100,000 unknown codes took minutes of
# difflib (5 ms each); past this many the findings say only that the code is unknown.
MAX_SUGGESTIONS = 500


@lru_cache(maxsize=100_000)
def _pairs(code: str) -> frozenset[str]:
    return frozenset(code[i:i + 2] for i in range(len(code) - 1))


class _Suggester:
    """:func:`suggest` over one list of codes, with what does not depend on the unknown code
    (each code folded, its length) worked out once, and each answer remembered."""

    def __init__(self, codes: Sequence[str]):
        self.codes = list(codes)
        self.folded: dict[str, str] = {}
        for candidate in self.codes:
            self.folded.setdefault(fold(candidate).replace(" ", ""), candidate)
        self.lengths = np.array([len(c) for c in self.codes], dtype=np.int64)
        self.memo: dict[str, str | None] = {}
        self.searches = 0

    def __call__(self, code: str) -> str | None:
        if code in self.memo:
            return self.memo[code]
        same = self.folded.get(fold(code).replace(" ", ""))
        if same is not None:
            self.memo[code] = same
            return same
        if self.searches >= MAX_SUGGESTIONS:
            return None  # thousands of unknown codes are not typing slips: no minutes of difflib
        self.searches += 1
        near = [self.codes[i] for i in np.flatnonzero(np.abs(self.lengths - len(code)) <= 2)]
        if len(near) > 40:  # keep difflib quick: the 40 sharing most pairs of letters
            grams = {code[i:i + 2] for i in range(len(code) - 1)}
            near = sorted(near, key=lambda c: -len(grams.intersection(_pairs(c))))[:40]
        close = difflib.get_close_matches(code, near, n=1, cutoff=0.6)
        self.memo[code] = close[0] if close else None
        return self.memo[code]


def suggest(code: str, codes: Sequence[str]) -> str | None:
    """The register code most like ``code`` ("did you mean"): the same code but for case,
    spaces or punctuation, else difflib's closest over the codes of a similar length."""
    return _Suggester(codes)(code)


def _differs(got: np.ndarray, want: np.ndarray) -> np.ndarray:
    """Locked cell values that differ (numbers compared as numbers, text trimmed); only the
    cells that are not plainly equal are parsed."""
    out = np.zeros(len(got), dtype=bool)
    try:
        plain = np.asarray(got == want, dtype=bool).reshape(len(got))
    except (ValueError, TypeError):  # a value whose comparison misbehaves: one at a time
        plain = np.fromiter((bool(g == w) if isinstance(g, str | float | int) else g is w
                             for g, w in zip(got, want, strict=True)), dtype=bool,
                            count=len(got))
    both_blank = pd.isna(got) & pd.isna(want)
    check = ~(plain | both_blank)
    if check.any():
        out[check] = _differs_parsed(got[check], want[check])
    return out


def _differs_parsed(got: np.ndarray, want: np.ndarray) -> np.ndarray:
    got_n = parse_values(pd.Series(got, dtype=object))
    want_n = parse_values(pd.Series(want, dtype=object))
    both_numbers = ((got_n["kind"] == KIND_NUMBER) & (want_n["kind"] == KIND_NUMBER)).to_numpy()
    num_differs = ~np.isclose(got_n["number"].to_numpy(), want_n["number"].to_numpy(),
                              rtol=1e-9, atol=1e-9)
    got_t = pd.Series(got, dtype=object).map(_text).str.casefold().to_numpy()
    want_t = pd.Series(want, dtype=object).map(_text).str.casefold().to_numpy()
    return np.where(both_numbers, num_differs, got_t != want_t)


def _run_schema(rows: pd.DataFrame, kind: str) -> pd.DataFrame:
    """The refined pandera schema over every row of the batch; its failure cases as
    ``rule``, ``file``, ``row``, ``value`` (one per problem)."""
    import pandera.pandas as pa

    from xlperf.catalogue import schemas

    schema = (schemas.refined_performance_schema() if kind == "performance"
              else schemas.refined_finance_schema())
    keyed = rows.set_axis(pd.Index(_cell_keys(rows.index), name="cell"))
    try:
        schema.validate(keyed, lazy=True, inplace=True)
    except pa.errors.SchemaErrors as error:
        cases = error.failure_cases
    else:
        return pd.DataFrame(columns=["rule", "file", "row", "value"])
    rule = cases["check"].astype(str).to_numpy(dtype=object)
    column = cases["column"].to_numpy(dtype=object)
    index = cases["index"].to_numpy(dtype=object)
    value = cases["failure_case"].to_numpy(dtype=object)
    # A rule pandera failed but could not report row by row (its own formatting of the failure
    # cases raised, as pandera 0.24 does on a mix of text and numbers) is run again here to
    # find its rows: a problem is never dropped.
    unreported = sorted({r for r, i in zip(rule.tolist(), index.tolist(), strict=True)
                         if pd.isna(i) and r in schemas.RULE_FUNCTIONS})
    for name in unreported:
        cell = schemas.ROW_CHECK_COLUMNS[name]
        failing = ~np.asarray(schemas.RULE_FUNCTIONS[name](keyed), dtype=bool)
        rule = np.concatenate([rule, np.full(failing.sum(), name, dtype=object)])
        column = np.concatenate([column, np.full(failing.sum(), cell, dtype=object)])
        index = np.concatenate([index, keyed.index.to_numpy(dtype=object)[failing]])
        value = np.concatenate([value, keyed[cell].to_numpy(dtype=object)[failing]])
    # Each rule names the cell it is about: a RowRule reports only that cell; a whole-frame
    # check that fell back to pandera's own reporting lists every column of a failing row.
    wanted = np.array([schemas.ROW_CHECK_COLUMNS.get(r) for r in rule], dtype=object)
    keep = (np.equal(wanted, None) | (column == wanted)) & ~pd.isna(index)
    rule, index, value = rule[keep], index[keep], value[keep]
    key = pd.to_numeric(pd.Series(index, dtype=object), errors="coerce").fillna(0).to_numpy(
        dtype=np.int64)
    # One case per (rule, cell), in pandera's order.
    rule_no = pd.factorize(rule)[0].astype(np.int64)
    pair = key * (int(rule_no.max(initial=0)) + 1) + rule_no
    first = np.sort(np.unique(pair, return_index=True)[1])
    file, row = np.divmod(key[first], schemas.CELL_KEY)
    return pd.DataFrame({"rule": rule[first], "file": file, "row": row, "value": value[first]})


def _cell_keys(labels: pd.MultiIndex | Sequence[tuple[int, int]]) -> np.ndarray:
    """File number and Excel row of each (file, row) label in one integer, as the refined
    schemas index a batch (:data:`xlperf.catalogue.schemas.CELL_KEY`)."""
    from xlperf.catalogue.schemas import CELL_KEY  # imported already by the pandera pass

    if isinstance(labels, pd.MultiIndex):
        files = labels.get_level_values("file").to_numpy(np.int64)
        rows = labels.get_level_values("row").to_numpy(np.int64)
    else:
        pairs = np.array(labels, dtype=np.int64).reshape(-1, 2)
        files, rows = pairs[:, 0], pairs[:, 1]
    return files * CELL_KEY + rows


def _emit(files: Sequence[_File], by_number: Mapping[int, _File], cells: pd.DataFrame,
          code: pd.Series, period_text: pd.Series, parsed: pd.DataFrame,
          schema_failures: pd.DataFrame, extra: list[tuple[str, Any, dict[str, Any]]],
          rows: pd.DataFrame, context: Mapping[str, Any]) -> None:
    """Findings from pandera's failure cases and the other checks, one per problem."""
    problems = [(r, (int(f), int(w)), {}) for r, f, w in zip(
        schema_failures["rule"], schema_failures["file"], schema_failures["row"], strict=True)]
    problems += extra
    seen: set[tuple[str, Any]] = set()
    first_rows: dict[tuple[int, str, str], int] = {}
    if rows["duplicate"].any():
        keyed = pd.DataFrame({"f": cells.index.get_level_values("file"), "c": code.to_numpy(),
                              "p": period_text.to_numpy(),
                              "r": cells.index.get_level_values("row")})
        for rec in keyed.drop_duplicates(["f", "c", "p"]).itertuples(index=False):
            first_rows[(rec.f, rec.c, rec.p)] = rec.r
    # Positions, not labels: one lookup per problem, then plain arrays.
    keys = list(dict.fromkeys(idx for _r, idx, _m in problems))
    wanted = _cell_keys(keys)
    cell_keys = pd.Index(_cell_keys(cells.index))
    position = dict(zip(keys, cell_keys.get_indexer(wanted).tolist(), strict=True))
    code_a, period_a = code.to_numpy(dtype=object), period_text.to_numpy(dtype=object)
    raw_a = cells["Actual"].to_numpy(dtype=object)
    number_a = parsed["number"].to_numpy()
    reason_a = parsed["reason"].to_numpy(dtype=object)
    numerator_a = cells["Numerator"].to_numpy(dtype=object)
    denominator_a = cells["Denominator"].to_numpy(dtype=object)
    commentary_a = cells["Commentary"].to_numpy(dtype=object)
    owner_a = rows["owner_service"].to_numpy(dtype=object)
    service_a = rows["service"].to_numpy(dtype=object)
    minimum_a, maximum_a = rows["minimum"].to_numpy(), rows["maximum"].to_numpy()
    status_a = rows["Reported status"].to_numpy(dtype=object)
    # Rows with an unknown code or of another service get only that finding.
    unknown_rows = {idx for r, idx, _ in problems if r in ("PERF-001", "PERF-003")}
    for rule, idx, more in problems:
        key = (rule, idx)
        if key in seen:
            continue
        if idx in unknown_rows and rule not in ("PERF-001", "PERF-003", "PERF-002",
                                                "PERF-017"):
            continue
        seen.add(key)
        f_no, row = idx
        f = by_number[f_no]
        at = position[idx]
        c = code_a[at]
        period = period_a[at] or "this period's"
        raw = raw_a[at]
        actual_cell, comment_cell = f.cell("Actual", row), f.cell("Commentary", row)
        fields: dict[str, Any] = {"code": c, "period": period, "comment_cell": comment_cell}
        cell, value = actual_cell, _shown(raw)
        if rule == "PERF-001":
            cell, value = f.cell("Code", row), c
            close = context["suggest"](c)
            fields["suggestion"] = f" Did you mean {close}?" if close else ""
        elif rule == "PERF-002":
            cell, value = f.cell("Code", row), c
            fields["first_cell"] = f.cell("Code", first_rows.get((f_no, c, period_a[at]),
                                                                 row))
        elif rule == "PERF-003":
            cell, value = f.cell("Code", row), c
            fields["owner_service"] = owner_a[at]
            fields["service"] = service_a[at]
        elif rule == "PERF-005":
            fields["reason"] = reason_a[at]
        elif rule == "PERF-008":
            value = number_a[at]
            fields.update(minimum=_bound(minimum_a[at]), maximum=_bound(maximum_a[at]),
                          unit=_unit_name(minimum_a[at], maximum_a[at]))
        elif rule == "PERF-009":
            value = number_a[at]
        elif rule == "PERF-010":
            fields.update(numerator=_num(numerator_a[at]),
                          denominator=_num(denominator_a[at]),
                          expected=_num(more["expected"]))
            value = number_a[at]
        elif rule in ("PERF-011", "PERF-012"):
            cell, value = f.cell("Reported status", row), status_a[at]
            fields["allowed"] = context["allowed"].get(idx, "the scheme's words")
            if rule == "PERF-012":
                fields.update(actual=_num(number_a[at]),
                              target=_num(more.get("target")), expected=more["expected"])
        elif rule == "PERF-013":
            value = number_a[at]
            fields.update(previous=_num(more["previous"]),
                          previous_period=more["previous_period"])
        elif rule == "PERF-014":
            value = number_a[at]
            fields.update(previous=_num(more["previous"]), previous_period=more[
                "previous_period"], change=f"{more['change']:+,.4g}",
                threshold=_num(more["threshold"]))
        elif rule == "PERF-015":
            value = number_a[at]
            small = not more["big"]
            fields.update(factor=more["factor"], usual=_num(more["usual"]),
                          hint=("A percentage may have been typed as a fraction (0.68 for 68%)."
                                if small and more["factor"] == 100 else
                                "An extra digit or a misplaced decimal point?"))
        elif rule == "PERF-016":
            cell, value = comment_cell, None
            fields["status"] = more["status"]
        elif rule == "PERF-017":
            cell, value = comment_cell, _shown(commentary_a[at])
            fields["first"] = str(value).lstrip()[:1] if value is not None else ""
        f.add(rule, sheet=f.sheet, cell=cell or None, value=value, **fields)


def _bound(value: float) -> str:
    if value is None or np.isinf(value) or np.isnan(value):
        return "no limit"
    return _num(value)


def _unit_name(lo: float, hi: float) -> str:
    if lo == 0 and hi == 100:
        return "percentage"
    return "this"


# --------------------------------------------------------------------------- finance
# The money columns a finance or capital return's total row adds up (FIN-002).
_CROSSFOOT_COLUMNS = {"finance": ("Gross budget", "Net budget", "Forecast outturn"),
                      "capital": ("Revised base budget", "Revised estimate", "Actual to date")}


def _finance(files: Sequence[_File], facts: _MasterFacts | None) -> None:
    """The revenue (``finance``) and capital programme (``capital``) returns of a batch: one
    frame, a row's name in ``Service area`` (a capital return's ``Programme``)."""
    parts = []
    for f in files:
        frame = f.cells.rename(columns={"Programme": "Service area"})
        frame["file"] = f.number
        frame["capital"] = f.kind == "capital"
        parts.append(frame.reset_index())
    cells = pd.concat(parts, ignore_index=True).set_index(["file", "row"])
    for column in (*FINANCE_HEADERS, *CAPITAL_HEADERS, "Revised base budget"):
        if column not in cells.columns:
            cells[column] = None
    by_number = {f.number: f for f in files}
    line = cells["Service area"].map(_text)
    capital = cells["capital"].to_numpy(dtype=bool)
    # The total row under the lines (its name says total): checked only by FIN-002.
    is_total = line.map(is_total_line).to_numpy(dtype=bool)
    numbers = {c: parse_values(cells[c]) for c in ("Gross budget", "Net budget",
                                                  "Forecast outturn", "Variance",
                                                  "Revised estimate", "Actual to date",
                                                  "Revised base budget")}
    # The amount each row must give: the forecast outturn, or a programme's actual to date.
    amount_kind = np.where(capital, numbers["Actual to date"]["kind"].to_numpy(dtype=object),
                           numbers["Forecast outturn"]["kind"].to_numpy(dtype=object))
    amount_reason = np.where(
        capital, numbers["Actual to date"]["reason"].to_numpy(dtype=object),
        numbers["Forecast outturn"]["reason"].to_numpy(dtype=object))
    # A programme's revised estimate may be left blank: the master's stands (below).
    estimate_kind = numbers["Revised estimate"]["kind"].to_numpy(dtype=object)
    estimate_bad = capital & (estimate_kind != KIND_NUMBER) & (
        numbers["Revised estimate"]["reason"].to_numpy(dtype=object) != REASON_BLANK)
    explained = ~cells["Explanation"].map(_blank).to_numpy(dtype=bool)
    materiality = facts.materiality if facts is not None else 50.0
    # The amounts as the cells hold them (FIN-002 adds these up); ``rows`` then takes the
    # master's figure where a locked cell was changed, or a programme's estimate left blank.
    typed = pd.DataFrame({c: numbers[c]["number"].to_numpy() for c in numbers},
                         index=cells.index)
    rows = pd.DataFrame({
        "Service area": line.astype(str), **typed,
        "amount_kind": np.where(estimate_bad, KIND_INVALID, amount_kind),
        "amount_blank": (amount_reason == REASON_BLANK) & ~estimate_bad,
        "explained": explained, "materiality": np.where(is_total, np.inf, materiality),
    }, index=cells.index)
    programmes = None  # the master's capital programmes of the period, by name
    if facts is not None and len(facts.capital) and "programme" in facts.capital.columns:
        programmes = facts.capital.assign(programme=facts.capital["programme"].map(_text)) \
            .drop_duplicates("programme").set_index("programme")
    if programmes is not None and "estimate" in programmes.columns:
        master_estimate = parse_values(programmes["estimate"].reindex(line.to_numpy()).astype(
            object))["number"].to_numpy()
        estimate = rows["Revised estimate"].to_numpy()
        rows["Revised estimate"] = np.where(capital & np.isnan(estimate), master_estimate,
                                            estimate)
    # Locked cells against the master's Budget and Capital sheets (the master's figure is the
    # one checked against).
    locked = []
    if facts is not None and len(facts.budget) and "line" in facts.budget.columns:
        budget = facts.budget.assign(line=facts.budget["line"].map(_text)).drop_duplicates(
            "line").set_index("line")
        locked += [(budget, ~capital, header, core) for header, core in (
            ("Gross budget", "gross_budget"), ("Net budget", "budget"))]
    if programmes is not None:
        locked.append((programmes, capital, "Revised base budget", "base_budget"))
    if locked:
        for sheet, among, header, core in locked:
            if core not in sheet.columns:
                continue
            want = sheet[core].reindex(line.to_numpy()).to_numpy(dtype=object)
            got = cells[header].to_numpy(dtype=object)
            known = pd.Series(line.to_numpy()).isin(sheet.index).to_numpy() & among & \
                ~is_total
            differs = known & _differs(got, want)
            # The changed value is ignored: the checks use the master's figure.
            master_numbers = parse_values(pd.Series(want, dtype=object))["number"].to_numpy()
            rows[header] = np.where(known, master_numbers, rows[header].to_numpy())
            for idx, g, w in zip(cells.index[differs], got[differs], want[differs],
                                 strict=True):
                f = by_number[idx[0]]
                if header in f.columns:
                    f.add("FILE-018", sheet=f.sheet, cell=f.cell(header, idx[1]),
                          value=_shown(g), expected=_plain(parse_values(
                              pd.Series([w], dtype=object))["number"].iloc[0]))
    failures = _run_schema(rows[~is_total], "finance")
    extra: list[tuple[str, Any, dict[str, Any]]] = []
    # FIN-002: the total row cross-foots every money column, as typed (a blank line adds
    # nothing, as in Excel's SUM). A total without a value is a formula never calculated (a
    # file not saved by Excel): not checked.
    from xlperf.core.budget import crossfoot

    is_number = {c: (numbers[c]["kind"] == KIND_NUMBER).to_numpy() for c in numbers}
    adds_up = {c: is_number[c] | (numbers[c]["reason"] == REASON_BLANK).to_numpy()
               for c in numbers}  # a number, or a blank that SUM takes as nothing
    file_of = cells.index.get_level_values("file").to_numpy()
    for f in files:
        mine = np.flatnonzero(file_of == f.number)
        totals = mine[is_total[mine]]
        if not len(totals):
            continue
        total_at, lines = totals[-1], mine[~is_total[mine]]
        columns = [c for c in _CROSSFOOT_COLUMNS[f.kind] if c in f.columns
                   and is_number[c][total_at] and adds_up[c][lines].all()]
        total_idx = cells.index[total_at]
        for problem in crossfoot(typed.iloc[lines].fillna(0.0), typed.iloc[total_at],
                                 columns):
            extra.append(("FIN-002", total_idx, {"column": problem.column,
                                                 "expected": problem.lines_total,
                                                 "difference": problem.difference}))
    problems = [(r, (int(a), int(b)), {}) for r, a, b in zip(
        failures["rule"], failures["file"], failures["row"], strict=True)] + extra
    for rule, idx, more in problems:
        f = by_number[idx[0]]
        row = idx[1]
        name = line.at[idx]
        forecast, budget_v = rows.at[idx, "Forecast outturn"], rows.at[idx, "Net budget"]
        fields: dict[str, Any] = {"line": name}
        amount = _MAIN_AMOUNT[f.kind]
        if rule == "FIN-001":
            column = amount if numbers[amount]["kind"].at[idx] != KIND_NUMBER and numbers[
                amount]["reason"].at[idx] != REASON_BLANK else "Revised estimate"
            cell, value = f.cell(column, row), _shown(cells.at[idx, column])
            fields["column"] = column
        elif rule == "FIN-007":
            cell, value = f.cell(amount, row), None
            fields["column"] = amount.lower()
        elif rule == "FIN-002":
            column = more["column"]
            cell, value = f.cell(column, row), typed.at[idx, column]
            difference = more["difference"]
            hint = (" Two digits may be swapped (the difference divides by 9)."
                    if difference and float(difference).is_integer() and difference % 9 == 0
                    else "")
            fields.update(column=column, expected=_num(more["expected"]),
                          difference=_num(abs(difference)), hint=hint, value=_num(value))
            f.findings.append(f.rules[rule].finding(file=f.path, sheet=f.sheet, cell=cell,
                                                    **fields))
            continue
        elif rule == "FIN-003":
            cell, value = f.cell("Variance", row), rows.at[idx, "Variance"]
            fields.update(forecast=_num(forecast), budget=_num(budget_v),
                          expected=_num(forecast - budget_v))
        elif rule == "FIN-004":
            cell, value = f.cell("Explanation", row), None
            fields.update(variance=f"{forecast - budget_v:+,.0f}",
                          threshold=_num(materiality))
        elif rule == "FIN-005":
            cell, value = f.cell("Actual to date", row), rows.at[idx, "Actual to date"]
            fields.update(estimate=_num(rows.at[idx, "Revised estimate"]),
                          comment_cell=f.cell("Explanation", row))
        elif rule == "FIN-006":
            cell, value = f.cell("Forecast outturn", row), forecast
            ratio = abs(forecast / budget_v) if budget_v else 1000
            fields.update(column="Forecast outturn", factor=f"{10 ** round(math.log10(ratio)):,}")
        else:
            continue
        f.add(rule, sheet=f.sheet, cell=cell or None, value=_shown(value), **fields)


# --------------------------------------------------------------------------- the public calls
def _prepare_master(master: Any) -> _MasterFacts | None:
    if master is None:
        return None
    from xlperf.read.master import Master, read_master

    book = master if isinstance(master, Master) else read_master(master)
    facts = _facts(book)
    _MASTERS[id(facts)] = book
    return facts


def _previous_of(facts: _MasterFacts | None, previous: pd.DataFrame | None,
                 period: Any) -> pd.DataFrame | None:
    """The values the change checks (``PERF-013/014/015``) compare with: ``previous`` as
    given, else those of the master's own ledger (:func:`xlperf.ledger.ledger_path`), found
    here so that no door (CLI, server, Excel, Lite) can forget them."""
    if previous is not None or facts is None:
        return previous
    book = _MASTERS.get(id(facts))
    where = getattr(book, "path", None)
    if book is None or where is None or not Path(where).is_file():
        return None  # a master in memory only (a payload) has no ledger beside it
    from xlperf.core.periods import parse_period
    from xlperf.ledger import ledger_path, previous_values

    chosen = period if period is not None else book.reporting_period
    try:
        reporting = parse_period(chosen) if chosen is not None else None
    except XlperfError:  # an unreadable period is reported elsewhere; compare with all
        reporting = None
    return previous_values(ledger_path(book), reporting)


def _order(findings: list[Finding], sheet: str) -> tuple[Finding, ...]:
    def key(f: Finding) -> tuple[int, int, int, str]:
        if not f.cell:
            return (0, 0, 0, f.rule)
        letters = f.cell.rstrip("0123456789")
        digits = f.cell[len(letters):]
        return (1, int(digits or 0), len(letters) * 100 + sum(ord(ch) for ch in letters),
                f.rule)

    return tuple(sorted(findings, key=key))


def validate_returns(paths: Iterable[str | Path], master: Any = None, *,
                     previous: pd.DataFrame | None = None, period: Any = None,
                     service: str | None = None, limits: Limits = Limits(),
                     progress: Callable[[Path], None] | None = None) -> list[Report]:
    """Validate many returns in one pass: one :class:`~xlperf.findings.Report` per path, in
    order. The content checks run once over every return's rows (indexed by file and Excel
    row), so pandera's fixed cost is paid once for the batch.

    ``master`` is a path or a read :class:`~xlperf.read.master.Master` (its register, targets,
    schemes, settings and ``Rules`` sheet refine the checks); without one the checks use what
    each return says about itself (units, polarity, targets) and skip the register checks.
    ``previous`` holds the last accepted values (``Code``, ``Period``, ``Actual``), for the
    change checks (``PERF-013/014/015``); by default they are the master's ledger's
    (:func:`xlperf.ledger.previous_values` of its ``Ledger path``), so every door checks
    against the same history (an empty frame: no history). ``period`` and ``service`` override
    what is expected
    (default: the master's reporting period; any service of the register).
    ``progress`` is called with each path once it is read.

    Never raises for a bad return; raises :class:`~xlperf.errors.WorkbookError` only when the
    master itself cannot be read.
    """
    return [report for report, _read in _validate(
        paths, master, previous=previous, period=period, service=service, limits=limits,
        progress=progress)]


def _validate(paths: Iterable[str | Path], master: Any = None, *,
              previous: pd.DataFrame | None = None, period: Any = None,
              service: str | None = None, limits: Limits = Limits(),
              progress: Callable[[Path], None] | None = None) -> list[tuple[Report, Any]]:
    """:func:`validate_returns`, each report with what was read of its file (a
    :class:`~xlperf.read.returns.ReadReturn`, or None): the refresh takes the accepted values
    from it instead of opening the file again."""
    facts = _prepare_master(master)
    previous = _previous_of(facts, previous, period)
    rules = facts.rules if facts is not None else load_rules()
    files = [_File(number, Path(p), rules) for number, p in enumerate(paths)]
    for f in files:
        try:
            _read_file(f, facts, limits, period=period, service=service)
        except RecursionError:
            f.add("FILE-004", detail="its structure is nested too deeply to read")
            f.stop = True
        if progress is not None:
            progress(f.path)
    return _check(files, facts, previous)


def _check(files: list[_File], facts: _MasterFacts | None,
           previous: pd.DataFrame | None) -> list[tuple[Report, Any]]:
    """The content checks over every return of a batch that was read, then the reports."""
    for f in files:
        if not f.stop and f.kind in _ENTERED:
            _blank_return(f)
    performance = [f for f in files if not f.stop and f.kind == "performance" and f.size]
    finance = [f for f in files if not f.stop and f.kind in _MAIN_AMOUNT and f.size]
    if performance:
        _performance(performance, facts, previous)
        for f in performance:
            if f.formulas:
                _formulas(f)
    for f in files:
        if f.size and not f.stop:
            _too_long(f)
    if finance:
        _finance(finance, facts)
    return [(Report(_order(f.findings, f.sheet), file=str(f.path),
                    meta={"kind": f.kind, "service": f.identity.get("service"),
                          "period": f.identity.get("period"),
                          "rows": f.size,
                          "readable": not any(x.rule in UNREADABLE for x in f.findings)}),
             f.read) for f in files]


# A link to another workbook in a formula, as Excel stores it: ``[1]Sheet1!$A$1``.
_EXTERNAL = re.compile(r"\[\d+\]")
_FORMULA_SHOWN = 80
_LENGTH = np.frompyfunc(lambda v: len(v) if type(v) is str else 0, 1, 1)


def _formulas(file: _File) -> None:
    """A performance return's Actual cells that hold a formula: never calculated (no value:
    PERF-019 instead of PERF-004's "blank"), or linked to another workbook (PERF-018, the
    value Excel saved is taken)."""
    where = {int(r): i for i, r in enumerate(file.rows)}
    cells = {file.cell("Actual", row): (row, formula, calculated)
             for row, (formula, calculated) in file.formulas.items() if row in where}
    uncalculated = {c for c, (_r, _f, calculated) in cells.items() if not calculated}
    file.findings = [f for f in file.findings
                     if not (f.rule == "PERF-004" and f.cell in uncalculated)]
    periods = file.arrays.get("Period")
    for cell, (row, formula, calculated) in cells.items():
        linked = bool(_EXTERNAL.search(formula))
        if calculated and not linked:
            continue
        i = where[row]
        shown = "=" + (formula if len(formula) <= _FORMULA_SHOWN else
                       formula[:_FORMULA_SHOWN] + "…")
        fields = {"code": _text(file.arrays["Code"][i]), "formula": shown,
                  "period": _text(periods[i]) if periods is not None else ""}
        value = _shown(file.arrays["Actual"][i])
        file.add("PERF-018" if calculated else "PERF-019", sheet=file.sheet, cell=cell,
                 value=value, **fields)


def _too_long(file: _File) -> None:
    """FILE-022 for a cell of the table longer than an Excel cell holds: the scorecard
    keeps only its start (:data:`xlperf.layout.MAX_CELL_TEXT`)."""
    for header, values in file.arrays.items():
        if values.dtype != object or header == "percent_format":
            continue
        lengths = _LENGTH(values).astype(np.int64)  # a return's table: hundreds of cells
        for i in np.flatnonzero(lengths > MAX_CELL_TEXT):
            file.add("FILE-022", sheet=file.sheet, cell=file.cell(header, file.rows[i]),
                     size=f"{int(lengths[i]):,}", limit=f"{MAX_CELL_TEXT:,}")


def _blank_return(file: _File) -> None:
    """FILE-021 when nothing a service types (:data:`_ENTERED`) is filled in on any row but a
    total: the blank template sent back. As an error it stops the file (the content checks
    would only list each empty cell again); relaxed to a query the checks go on."""
    if file.size:
        names = file.arrays.get("Programme", file.arrays.get("Service area"))
        lines = (np.fromiter((not is_total_line(v) for v in names), dtype=bool,
                             count=len(names)) if file.kind != "performance" and
                 names is not None else np.ones(file.size, dtype=bool))
        for header in _ENTERED[file.kind]:
            values = file.arrays.get(header)
            if values is None:
                continue
            values = values[lines]
            filled = ~np.equal(values, None)
            if filled.any() and not all(type(v) is str and not v.strip()
                                        for v in values[filled]):
                return
    file.add("FILE-021", sheet=file.sheet, expected=_ENTERED_WORDS[file.kind])
    if file.rules["FILE-021"].severity == "error":
        file.stop = True


def validate_grids(grids: Mapping[str, Sequence[Sequence[Any]]], master: Any = None, *,
                   name: str = "return.xlsx",
                   percent_cells: Mapping[str, Iterable[str]] | None = None,
                   previous: pd.DataFrame | None = None, period: Any = None,
                   service: str | None = None) -> Report:
    """Validate a return whose sheets are already in memory (an Office.js payload):
    ``grids`` is ``{sheet name: values from A1}`` (a blank cell ``""`` or ``None``, an Excel
    error as its text such as ``"#DIV/0!"``), in the workbook's sheet order, and
    ``percent_cells`` the cells with a % number format (``{sheet: ["H13", ...]}``), so that
    0.6804 shown as 68.04% reads as 68.04.

    The same checks as :func:`validate_return` over the same cells, except the file-level
    ones (``FILE-001``…``FILE-010``: there are no bytes) and the document properties: the
    identity comes from the hidden ``xlperf`` sheet's grid. ``name`` is the file named in the
    findings. Never raises for a bad return."""
    facts = _prepare_master(master)
    previous = _previous_of(facts, previous, period)
    rules = facts.rules if facts is not None else load_rules()
    file = _File(0, Path(name), rules)
    try:
        _read_source(file, facts, _GridSource(grids, percent_cells), period=period,
                     service=service)
    except RecursionError:
        file.add("FILE-004", detail="its structure is nested too deeply to read")
        file.stop = True
    return _check([file], facts, previous)[0][0]


def validate_return(path: str | Path, master: Any = None, *,
                    previous: pd.DataFrame | None = None, period: Any = None,
                    service: str | None = None, limits: Limits = Limits()) -> Report:
    """Validate one submitted return: a :class:`~xlperf.findings.Report` of findings, each
    with its rule, severity, file, sheet, cell, value and a message for the service
    (``.valid`` is False when any finding is an error). See :func:`validate_returns` for the
    arguments; never raises for a bad return."""
    return validate_returns([path], master, previous=previous, period=period, service=service,
                            limits=limits)[0]
