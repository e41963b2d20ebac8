"""What the validator needs from a master, worked out once per master: the prepared register
joined onto each row, the council's rule severities, the template rows each return should
hold, the budget and capital lines, the ledger's last accepted values, "did you mean"."""

from __future__ import annotations

import difflib
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from xlperf.core.columns import BUDGET_COLUMNS, fold, normalise_columns
from xlperf.core.values import parse_values
from xlperf.errors import InputError, XlperfError
from xlperf.layout import RETURN_HEADER_ROW as HEADER_ROW
from xlperf.validate._frames import _blank, _text, _unit_limits
from xlperf.validate.catalogue import Rule, load_rules, with_overrides

__all__ = ["MAX_SUGGESTIONS", "expected_layout", "master_rules", "suggest"]


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
    from xlperf.read import find_sheet, find_table, open_workbook, sheet_grid

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


_LAYOUT_COLUMNS = ["code", "period", "period_key", "row", "Measure", "Unit", "Polarity",
                   "Frequency", "Target"]



def _all_layouts(master: Any, facts: _MasterFacts, period: Any
                 ) -> tuple[pd.DataFrame, dict[str, tuple[int, int]]] | None:
    """Every service's template rows for ``period`` in one frame
    (:func:`xlperf.core.template_rows.template_rows`, as the template writer writes them) and
    where each service's rows start and end: computed once per master and period."""
    key = ("\x00all", str(period))
    if key in facts.cache:
        return facts.cache[key]
    from xlperf.core.template_rows import annual_words, target_table, template_rows

    if not len(facts.register):
        facts.cache[key] = None
        return None
    frame = template_rows(facts.register, period, first_row=HEADER_ROW + 1,
                          targets=target_table(master.targets),
                          words=annual_words(master.usable_register))
    if not len(frame):
        facts.cache[key] = None
        return None
    # The rows come service by service: each service's first row starts its block.
    service = frame["service"].to_numpy(dtype=object)
    bounds = [0, *np.flatnonzero(service[1:] != service[:-1]) + 1, len(frame)]
    starts = {service[start]: (int(start), int(bounds[i + 1]))
              for i, start in enumerate(bounds[:-1])}
    facts.cache[key] = (frame, starts)
    return frame, starts


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


def _suggester(facts: _MasterFacts | None) -> _Suggester:
    """The "did you mean" of the master's register (made once per master)."""
    if facts is None:
        return _Suggester([])
    if "suggest" not in facts.cache:
        facts.cache["suggest"] = _Suggester(list(facts.register.index))
    return facts.cache["suggest"]


def expected_layout_from_facts(file: Any, facts: _MasterFacts) -> pd.DataFrame | None:
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


def spc_of(facts: _MasterFacts | None) -> tuple[Any, pd.DataFrame]:
    """The master's SPC settings (:attr:`xlperf.read.master.Master.spc_settings`; the
    defaults without a master) and the register's per-measure SPC setting columns (``code``
    and any of them), for ``PERF-014``'s process limits: the same as the refresh charts with."""
    from xlperf.core.spc import SpcSettings
    from xlperf.core.spc_scored import SPC_SETTING_COLUMNS

    if facts is None:
        return SpcSettings(), pd.DataFrame({"code": []})
    if "spc" not in facts.cache:
        book = _MASTERS.get(id(facts))
        settings = book.spc_settings if book is not None else SpcSettings()
        register = facts.register
        columns = {"code": register.index.astype(str).to_numpy(dtype=object)}
        columns.update({c: register[c].to_numpy(dtype=object) for c in SPC_SETTING_COLUMNS
                        if c in register.columns})
        facts.cache["spc"] = (settings, pd.DataFrame(columns))
    found: tuple[Any, pd.DataFrame] = facts.cache["spc"]
    return found


def spc_changes_of(facts: _MasterFacts | None) -> pd.DataFrame:
    """The master's rebases and ghosted points (its ``Process changes`` sheet,
    :attr:`xlperf.read.master.Master.spc_changes`) for ``PERF-014``'s process limits, as the
    refresh charts with them; none without a master."""
    book = _MASTERS.get(id(facts)) if facts is not None else None
    changes = getattr(book, "spc_changes", None)
    return changes if changes is not None else pd.DataFrame(
        {c: [] for c in ("code", "period", "action", "reason")})


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


def _responses_of(facts: _MasterFacts | None,
                  responses: Mapping[str, str] | None) -> Mapping[str, str] | None:
    """The services' answers to earlier queries (fingerprint -> response): ``responses`` as
    given, else those recorded in the master's own ledger
    (:func:`xlperf.ledger.known_responses`), found here as the history is."""
    if responses is not None or facts is None:
        return responses
    book = _MASTERS.get(id(facts))
    where = getattr(book, "path", None)
    if book is None or where is None or not Path(where).is_file():
        return None
    from xlperf.ledger import known_responses, ledger_path

    return known_responses(ledger_path(book))
