"""Read the master workbook's configuration sheets into the scoring core's DataFrames.

:func:`read_master` never needs Excel (python-calamine reads the values) and never raises for a
mistake *in* the register: each one becomes a :class:`~xlperf.findings.Finding` with its sheet
and cell, from the catalogue :data:`RULES` (documented in ``docs/master.md``). Only a file that
is not a readable workbook, or has no ``Measures`` sheet, raises
:class:`~xlperf.errors.WorkbookError`.

Columns are found by their headers (case, spaces and punctuation ignored, the aliases of
:mod:`xlperf.core.columns`), so column order does not matter; extra columns travel through
untouched and extra sheets are ignored. Every frame is indexed by Excel row number.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from xlperf.core.a1 import cell_ref
from xlperf.core.budget import crossfoot, is_total_line
from xlperf.core.columns import (
    AUDIT_COLUMNS,
    BUDGET_COLUMNS,
    CAPITAL_COLUMNS,
    MEASURE_COLUMNS,
    PROCESS_CHANGE_COLUMNS,
    TARGET_COLUMNS,
    fold,
    normalise_columns,
)
from xlperf.core.measures import (
    parse_dot_basis,
    parse_flag,
    parse_frequency,
    prepare_measures,
)
from xlperf.core.periods import parse_period
from xlperf.core.polarity import parse_polarity
from xlperf.core.schemes import BUILTIN_SCHEMES, SCHEME_COLUMNS, Scheme, schemes_from_frame
from xlperf.core.spc import SpcSettings
from xlperf.core.status import parse_tolerance_type
from xlperf.core.values import KIND_INVALID, parse_value
from xlperf.errors import InputError, SchemeError, WorkbookError
from xlperf.findings import Finding, Report, Severity
from xlperf.read._calamine import Located, find_sheet, find_table, open_workbook, sheet_grid
from xlperf.settings import Settings, read_settings
from xlperf.validate.catalogue import load_rules
from xlperf.validate.registry import made_by

# Rule id -> (severity, title), from the rule catalogue (``validation/rules.csv``, where
# ``xlperf rules`` lists them). Messages name the value and what to do.
RULES: dict[str, tuple[Severity, str]] = {
    rule_id: (rule.severity, rule.title) for rule_id, rule in load_rules().items()
    if rule_id.startswith("REG-")}


def _finding(rule: str, message: str, *, file: str, sheet: str, cell: str | None,
             value: Any = None) -> Finding:
    """A finding of a ``REG`` rule: severity and how to fix from the catalogue."""
    return load_rules()[rule].finding(file=file, sheet=sheet, cell=cell, value=value,
                                      detail=message)


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip() == ""


def _code(value: Any) -> str:
    """A code as text: trimmed, a whole number typed as a number without ``.0``."""
    if _blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


@dataclass(frozen=True)
class Master:
    """The configuration of a master workbook, as read.

    ``register``, ``targets``, ``budget`` and ``capital`` keep the sheet's headers (and any
    extra columns) and are indexed by Excel row number. ``settings`` is the Settings sheet,
    typed (:class:`~xlperf.settings.Settings`: ``settings.council``,
    ``settings.materiality``...; blank ones at their default).
    ``report`` holds one finding per problem in the configuration. ``contacts`` is the
    optional Contacts sheet (who is chased for each return, :mod:`xlperf.core.collection`).
    """

    path: Path
    register: pd.DataFrame
    targets: pd.DataFrame
    budget: pd.DataFrame
    capital: pd.DataFrame
    schemes: dict[str, Scheme]
    settings: Settings
    report: Report
    header_rows: dict[str, int] = field(default_factory=dict)
    contacts: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        index=pd.Index([], name="row")))
    #: The ``Process changes`` sheet as typed (SPC's rebases and ghosted points).
    process_changes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        index=pd.Index([], name="row")))
    #: Its rows without a finding, as SPC takes them: ``code``, ``period``, ``action``
    #: (``rebase`` or ``ghost``) and ``reason`` (docs/spc.md).
    spc_changes: pd.DataFrame = field(default_factory=lambda: _no_changes())
    #: The optional ``Audit`` sheet as typed (internal audit assurance by directorate).
    audit: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        index=pd.Index([], name="row")))
    #: Its rows without a finding: ``directorate``, ``period`` (as written by
    #: :meth:`~xlperf.core.periods.Period.format`) and the whole-number counts of
    #: :data:`~xlperf.core.governance.AUDIT_COUNTS` (:func:`_read_audit`).
    audit_rows: pd.DataFrame = field(default_factory=lambda: _no_audit())
    #: The Milestones, Projects and Risks sheets as typed (issue 24), by sheet name.
    objective_sheets: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: The optional ``Judgements`` sheet as typed (the director's judgement of an objective).
    judgements: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        index=pd.Index([], name="row")))
    #: Its rows without a finding (:data:`~xlperf.core.overrides.JUDGEMENT_ROWS`); a period's
    #: are :func:`~xlperf.core.overrides.judgements_at` them.
    judgement_rows: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["objective", "period", "director_judgement", "director_commentary",
                 "director"], dtype=object))

    @property
    def risk_ratings(self) -> tuple[str, ...]:
        """The council's risk scale, highest first (``Risk ratings`` setting; blank: High,
        Medium, Low)."""
        from xlperf.read._master_milestones import risk_scale

        return risk_scale(self.settings.risk_ratings)

    @property
    def default_scheme(self) -> str:
        return self.settings.default_scheme or "rag"

    @property
    def reporting_period(self) -> str | None:
        return self.settings.reporting_period or None

    @property
    def spc_settings(self) -> SpcSettings:
        """The statistical process control settings (``SPC ...`` rows; docs/spc.md)."""
        from xlperf.core.spc import settings_from

        return settings_from(self.settings)

    @property
    def usable_register(self) -> pd.DataFrame:
        """The register without the rows that have an error finding (safe to score)."""
        bad = {f.cell for f in self.report.errors if f.sheet == "Measures" and f.cell}
        rows = {int("".join(ch for ch in c if ch.isdigit())) for c in bad}
        return self.register.loc[[r for r in self.register.index if r not in rows]]

    @property
    def prepared_register(self) -> pd.DataFrame:
        """:attr:`usable_register` typed for scoring
        (:func:`~xlperf.core.measures.prepare_measures`), prepared once per master read: a
        refresh scores, freezes and validates with it. A copy each time, so a caller changing
        it changes nothing here (like every field, it is the master *as read*)."""
        prepared = self.__dict__.get("_prepared")
        if prepared is None:
            prepared = prepare_measures(self.usable_register)
            # Derived from the frozen fields: kept beside them, not a field itself.
            self.__dict__["_prepared"] = prepared
        return prepared.copy()

    def score(self, values: pd.DataFrame, period: Any = None) -> pd.DataFrame:
        """:func:`xlperf.score` over the usable register with this master's targets and
        schemes; ``period`` defaults to the Settings' reporting period."""
        when = period if period is not None else self.reporting_period
        if when is None:
            raise InputError("no reporting period: give one or set it on the Settings sheet")
        return self.score_periods(values, [when])[0]

    def score_periods(self, values: pd.DataFrame, periods: Sequence[Any],
                      full: int | None = None,
                      known: Collection[tuple[str, str]] | None = None) -> list[pd.DataFrame]:
        """:meth:`score` for several reporting periods, the values parsed once
        (:func:`~xlperf.core.score.score_periods`, ``full`` and ``known`` as there)."""
        from xlperf.core.score import score_periods

        try:
            return score_periods(values, self.prepared_register, periods,
                                 targets=self.targets if len(self.targets) else None,
                                 schemes=self.schemes, default_scheme=self.default_scheme,
                                 prepared=True, full=full, known=known)
        except SchemeError as error:
            # A scheme missing because its rows on the Schemes sheet were refused: say which.
            refused = next((f for f in self.report if f.rule == "REG-030"), None)
            if refused is None:
                raise
            raise SchemeError(f"{error}. The Schemes sheet has a problem in {refused.cell}: "
                              f"{refused.message}") from None


class _Sheet:
    """A located configuration table and the helpers to name its cells."""

    def __init__(self, file: str, name: str, located: Located,
                 aliases: Mapping[str, tuple[str, ...]]):
        self.file, self.name, self.located = file, name, located
        self.frame = located.frame
        renamed = normalise_columns(self.frame, aliases)
        self.core = dict(zip(renamed.columns, self.frame.columns, strict=True))  # core -> header
        self.findings: list[Finding] = []

    def has(self, core: str) -> bool:
        return core in self.core

    def column(self, core: str) -> pd.Series:
        return self.frame[self.core[core]]

    def cell(self, row: int, core: str | None = None) -> str:
        column = self.located.columns[self.core[core]] if core else 1
        return cell_ref(row, column)

    def add(self, rule: str, message: str, row: int | None, core: str | None = None,
            value: Any = None) -> None:
        cell = (self.cell(row, core) if row is not None
                else cell_ref(self.located.header_row, 1))
        self.findings.append(_finding(rule, message, file=self.file, sheet=self.name, cell=cell,
                                      value=value))


def _check_word(sheet: _Sheet, core: str, rule: str, parser: Any, what: str,
                skip_blank: bool = True) -> None:
    if not sheet.has(core):
        return
    errors: dict[str, str | None] = {}  # the parser's word on each text, once
    for row, value in sheet.column(core).items():
        if skip_blank and _blank(value):
            continue
        text = type(value) is str
        if text and value in errors:
            message = errors[value]
        else:
            try:
                parser(value)
                message = None
            except InputError as error:
                message = str(error)
            if text:
                errors[value] = message
        if message is not None:
            sheet.add(rule, f"{sheet.cell(row, core)}: {message}", row, core, value)


def _check_number(sheet: _Sheet, core: str, rule: str, what: str, *,
                  minimum: float | None = None) -> None:
    if not sheet.has(core):
        return
    for row, value in sheet.column(core).items():
        parsed = parse_value(value)
        if parsed.kind == KIND_INVALID:
            sheet.add(rule, f"{what} {value!r} in {sheet.cell(row, core)} is not a number",
                      row, core, value)
        elif minimum is not None and parsed.number is not None and parsed.number < minimum:
            sheet.add(rule, f"{what} {value!r} in {sheet.cell(row, core)} must be "
                      f"{minimum:g} or more", row, core, value)


@made_by("REG-001", "REG-002", "REG-003", "REG-004", "REG-005", "REG-006", "REG-007",
         "REG-008", "REG-009", "REG-010", "REG-011", "REG-012", "REG-013")
def _read_measures(file: str, grid: list[list[Any]], schemes: Mapping[str, Scheme],
                   default_scheme: str) -> _Sheet:
    located = find_table(grid, [MEASURE_COLUMNS["code"] + ("code",)])
    if located is None:
        empty = Located(1, {}, pd.DataFrame(columns=["Code"], dtype=object))
        sheet = _Sheet(file, "Measures", empty, MEASURE_COLUMNS)
        sheet.add("REG-001", "the Measures sheet has no header row with a 'Code' column in its "
                  "first 30 rows", None)
        return sheet
    frame = located.frame.copy()
    code_header = normalise_columns(frame, MEASURE_COLUMNS).columns.get_loc("code")
    frame.iloc[:, code_header] = frame.iloc[:, code_header].map(_code)
    sheet = _Sheet(file, "Measures", Located(located.header_row, located.columns, frame),
                   MEASURE_COLUMNS)
    for required in ("polarity",):
        if not sheet.has(required):
            sheet.add("REG-001", f"the Measures sheet has no {required.title()!r} column "
                      f"(looked in row {located.header_row})", None)
    seen: dict[str, int] = {}
    for row, code in sheet.column("code").items():
        if code == "":
            sheet.add("REG-002", f"row {row} has details but no code in "
                      f"{sheet.cell(row, 'code')}", row, "code")
        elif code in seen:
            sheet.add("REG-003", f"code {code!r} in {sheet.cell(row, 'code')} is already used "
                      f"in {sheet.cell(seen[code], 'code')}", row, "code", code)
        else:
            seen[code] = row
    if sheet.has("polarity"):
        for row, value in sheet.column("polarity").items():
            if _blank(value):
                sheet.add("REG-004", f"polarity in {sheet.cell(row, 'polarity')} is blank: use "
                          "Bigger is better, Smaller is better or Data only", row, "polarity")
    _check_word(sheet, "polarity", "REG-004", parse_polarity, "polarity")
    _check_word(sheet, "frequency", "REG-005", parse_frequency, "frequency")
    _check_number(sheet, "tolerance", "REG-006", "tolerance", minimum=0)
    _check_word(sheet, "tolerance_type", "REG-007", parse_tolerance_type, "tolerance type")
    _check_word(sheet, "dot_basis", "REG-009", parse_dot_basis, "direction-of-travel basis")
    _check_number(sheet, "annual_target", "REG-010", "annual target")
    _check_word(sheet, "cumulative", "REG-011", parse_flag, "cumulative")
    _check_word(sheet, "contract", "REG-011", parse_flag, "contract")
    _check_number(sheet, "baseline", "REG-012", "baseline")
    if sheet.has("scheme"):
        known = {"".join(ch for ch in n.casefold() if ch.isalnum()) for n in schemes}
        for row, value in sheet.column("scheme").items():
            if _blank(value):
                continue
            if "".join(ch for ch in str(value).casefold() if ch.isalnum()) not in known:
                sheet.add("REG-008", f"scheme {value!r} in {sheet.cell(row, 'scheme')} is not "
                          f"on the Schemes sheet (schemes: {', '.join(schemes)})", row,
                          "scheme", value)
    if sheet.has("baseline_rank"):
        for row, value in sheet.column("baseline_rank").items():
            if not _blank(value) and str(value).strip().upper() not in ("A", "B", "C", "D"):
                sheet.add("REG-013", f"baseline rank {value!r} in "
                          f"{sheet.cell(row, 'baseline_rank')} is not A, B, C or D", row,
                          "baseline_rank", value)
    return sheet


@made_by("REG-001", "REG-020", "REG-021", "REG-022", "REG-023")
def _read_targets(file: str, grid: list[list[Any]], codes: set[str]) -> _Sheet | None:
    located = find_table(grid, [TARGET_COLUMNS["code"] + ("code",)])
    if located is None:
        return None
    frame = located.frame.copy()
    sheet = _Sheet(file, "Targets", located, TARGET_COLUMNS)
    if not (sheet.has("period") and sheet.has("target")):
        sheet.add("REG-001", "the Targets sheet needs Code, Period and Target columns; its "
                  "targets are not used until it has them", None)
        sheet.frame = frame.iloc[:0]  # unusable: no measure takes a target from it
        return sheet
    code_col = sheet.core["code"]
    frame[code_col] = frame[code_col].map(_code)
    sheet.frame = frame
    seen: dict[tuple[str, str], int] = {}
    for row in frame.index:
        code, period, target = (frame.at[row, sheet.core[c]] for c in ("code", "period",
                                                                       "target"))
        if code and code not in codes:
            sheet.add("REG-022", f"code {code!r} in {sheet.cell(row, 'code')} is not in the "
                      "Measures register", row, "code", code)
        key = None
        try:
            key = parse_period(period).format("iso")
        except InputError as error:
            sheet.add("REG-020", f"period {period!r} in {sheet.cell(row, 'period')}: {error}",
                      row, "period", period)
        if key is not None:
            if (code, key) in seen:
                sheet.add("REG-023", f"{code} has a second target for {period} in "
                          f"{sheet.cell(row, 'target')} (first in "
                          f"{sheet.cell(seen[(code, key)], 'target')}); the later one is used",
                          row, "target", target)
            seen.setdefault((code, key), row)
        if parse_value(target).kind == KIND_INVALID:
            sheet.add("REG-021", f"target {target!r} in {sheet.cell(row, 'target')} is not a "
                      "number", row, "target", target)
    return sheet


@made_by("REG-030")
def _read_schemes(file: str, grid: list[list[Any]]) -> tuple[dict[str, Scheme], list[Finding]]:
    located = find_table(grid, [(SCHEME_COLUMNS[0],), (SCHEME_COLUMNS[1],)])
    if located is None:
        return dict(BUILTIN_SCHEMES), []
    frame = located.frame
    name_col = next(c for c in frame.columns if fold(c) == fold(SCHEME_COLUMNS[0]))
    result: dict[str, Scheme] = {}
    findings = []
    names = frame[name_col].map(lambda v: "" if _blank(v) else str(v).strip())
    for name in dict.fromkeys(n for n in names if n):
        rows = frame[names == name]
        try:
            result.update(schemes_from_frame(rows))
        except InputError as error:
            first = int(rows.index[0])
            findings.append(_finding("REG-030", f"scheme {name!r} (from row {first}): {error}",
                                     file=file, sheet="Schemes",
                                     cell=cell_ref(first, located.columns[name_col]),
                                     value=name))
    return result, findings


@made_by("REG-040")
def _read_settings(file: str, grid: list[list[Any]], schemes: Mapping[str, Scheme]
                   ) -> tuple[Settings, list[Finding]]:
    """The Settings sheet's table as :class:`~xlperf.settings.Settings`; each value it cannot
    use is a finding of its declared rule (``REG-040``), on its cell."""
    located = find_table(grid, [("Setting",), ("Value",)])
    if located is None:
        return Settings(), []
    frame = located.frame
    name_col = next(c for c in frame.columns if fold(c) == "setting")
    value_col = next(c for c in frame.columns if fold(c) == "value")
    rows = ((int(row), frame.at[row, name_col], frame.at[row, value_col])
            for row in frame.index)
    settings, problems = read_settings(rows, schemes=schemes)
    findings = []
    for problem in problems:
        cell = cell_ref(problem.row, located.columns[value_col])
        findings.append(_finding(problem.rule, f"setting {problem.label!r} in {cell}: "
                                 f"{problem.message}", file=file, sheet="Settings", cell=cell,
                                 value=problem.value))
    return settings, findings


@made_by("REG-070")
def _check_emails(sheet: _Sheet | None) -> None:
    """REG-070 for each address of the sheet's e-mail column that is not one."""
    from xlperf.core.collection import email_column, is_email

    if sheet is None or sheet.frame.empty:
        return
    header = email_column(sheet.frame)
    if header is None:
        return
    column = sheet.located.columns[header]
    for row, value in sheet.frame[header].items():
        if _blank(value) or is_email(value):
            continue
        cell = cell_ref(row, column)
        sheet.findings.append(_finding(
            "REG-070", f"{header} {value!r} in {cell} is not an e-mail address: write one "
            "address such as name@council.gov.uk", file=sheet.file, sheet=sheet.name,
            cell=cell, value=value))


@made_by("REG-071", "REG-072")
def _read_contacts(file: str, grid: list[list[Any]], known: set[str]) -> _Sheet | None:
    """The optional Contacts sheet; REG-070/071/072 for its bad rows. ``known``: the folded
    names of every return the register asks for (services, holders, Capital programme)."""
    from xlperf.core.collection import CONTACT_COLUMNS, working_days

    located = find_table(grid, [CONTACT_COLUMNS["return_for"]])
    if located is None:
        return None
    sheet = _Sheet(file, "Contacts", located, CONTACT_COLUMNS)
    _check_emails(sheet)
    for row, value in sheet.column("return_for").items():
        if not _blank(value) and fold(str(value)) not in known:
            sheet.add("REG-071", f"{value!r} in {sheet.cell(row, 'return_for')} is not a "
                      "service of Measures, a budget holder of Budget or 'Capital programme'",
                      row, "return_for", value)
    if sheet.has("working_days"):
        for row, value in sheet.column("working_days").items():
            if not _blank(value) and working_days(value) is None:
                sheet.add("REG-072", f"working days {value!r} in "
                          f"{sheet.cell(row, 'working_days')} is not a whole number of days "
                          "(0 to 120): the Settings value is used", row, "working_days", value)
    return sheet


_EVERY = {"month": "monthly", "quarter": "quarterly", "year": "annual"}


def _no_changes() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in ("code", "period", "action",
                                                              "reason")})


@made_by("REG-001", "REG-073", "REG-074", "REG-075", "REG-076", "REG-077")
def _read_process_changes(file: str, grid: list[list[Any]], measures: _Sheet
                          ) -> tuple[_Sheet, pd.DataFrame] | None:
    """The optional ``Process changes`` sheet (SPC's rebases and ghosts, docs/spc.md) and its
    usable rows; a row with a finding is not used (each finding says so)."""
    from xlperf.core.spc_scored import parse_process_action

    located = find_table(grid, [PROCESS_CHANGE_COLUMNS["code"] + ("code",),
                                PROCESS_CHANGE_COLUMNS["action"] + ("action",)])
    if located is None:
        return None
    frame = located.frame.copy()
    sheet = _Sheet(file, "Process changes", located, PROCESS_CHANGE_COLUMNS)
    missing = [c for c in ("period", "reason") if not sheet.has(c)]
    if missing:
        sheet.add("REG-001", "the Process changes sheet needs Code, Period, Action and Reason "
                  f"columns (no {', '.join(repr(m.title()) for m in missing)}); its rows are "
                  "not used until it has them", None)
        return sheet, _no_changes()
    code_col = sheet.core["code"]
    frame[code_col] = frame[code_col].map(_code)
    sheet.frame = frame
    frequency_of: dict[str, str | None] = {}
    if measures.has("code"):
        frequencies = (measures.column("frequency") if measures.has("frequency")
                       else pd.Series(None, index=measures.frame.index, dtype=object))
        for code, given in zip(measures.column("code"), frequencies, strict=True):
            try:
                frequency_of.setdefault(code, parse_frequency(given))
            except InputError:  # its own REG-005 finding
                frequency_of.setdefault(code, None)
    unused = " (the row is not used)"
    kept: list[tuple[str, str, str, str]] = []
    seen: dict[tuple[str, str, str], int] = {}
    for row in frame.index:
        code, period, action, reason = (frame.at[row, sheet.core[c]]
                                        for c in ("code", "period", "action", "reason"))
        if code == "" and _blank(period) and _blank(action) and _blank(reason):
            continue
        if code not in frequency_of:
            sheet.add("REG-073", f"code {code!r} in {sheet.cell(row, 'code')} is not in the "
                      f"Measures register{unused}" if code else
                      f"row {row} has no code in {sheet.cell(row, 'code')}{unused}",
                      row, "code", code)
            continue
        try:
            parsed = parse_period(period)
        except InputError as error:
            sheet.add("REG-074", f"period {period!r} in {sheet.cell(row, 'period')}: "
                      f"{error}{unused}", row, "period", period)
            continue
        wanted = frequency_of[code]
        if wanted is not None and parsed.frequency != wanted:
            sheet.add("REG-074", f"period {parsed.format()} in {sheet.cell(row, 'period')} is "
                      f"a {parsed.frequency}, but {code} is {_EVERY[wanted]}: write one of its "
                      f"{wanted}s{unused}", row, "period", period)
            continue
        try:
            what = parse_process_action(action)
        except InputError as error:
            sheet.add("REG-075", f"{sheet.cell(row, 'action')}: {error}: choose Rebase (limits "
                      f"start again from this period) or Ghost (leave the point out){unused}",
                      row, "action", action)
            continue
        if _blank(reason):
            sheet.add("REG-076", f"the {what} of {code} at {parsed.format()} has no reason in "
                      f"{sheet.cell(row, 'reason')}: say why, the committee reads it{unused}",
                      row, "reason")
            continue
        key = (code, parsed.format("iso"), what)
        if key in seen:
            sheet.add("REG-077", f"{code} has a second {what} at {parsed.format()} in "
                      f"{sheet.cell(row, 'code')} (first in "
                      f"{sheet.cell(seen[key], 'code')}){unused}", row, "code", code)
            continue
        seen[key] = row
        kept.append((code, parsed.format(), what, str(reason).strip()))
    return sheet, pd.DataFrame(kept, columns=["code", "period", "action", "reason"],
                               dtype=object) if kept else _no_changes()


def _no_audit() -> pd.DataFrame:
    from xlperf.core.governance import AUDIT_COUNTS

    return pd.DataFrame({c: pd.Series(dtype=object) for c in ("directorate", "period",
                                                              *AUDIT_COUNTS)})


@made_by("REG-078", "REG-079")
def _read_audit(file: str, grid: list[list[Any]]) -> tuple[_Sheet, pd.DataFrame] | None:
    """The optional ``Audit`` sheet (internal audit assurance, :mod:`xlperf.core.governance`)
    and its usable rows; a row with a finding is not used (its finding says so)."""
    from xlperf.core.governance import AUDIT_COUNTS, parse_count

    located = find_table(grid, [AUDIT_COLUMNS["directorate"], AUDIT_COLUMNS["period"]])
    if located is None:
        return None
    sheet = _Sheet(file, "Audit", located, AUDIT_COLUMNS)
    unused = " (the row is not used)"
    kept: list[tuple[Any, ...]] = []
    counts = [c for c in AUDIT_COUNTS if sheet.has(c)]
    for row in sheet.frame.index:
        directorate, period = (sheet.frame.at[row, sheet.core[c]]
                               for c in ("directorate", "period"))
        given = {c: sheet.frame.at[row, sheet.core[c]] for c in counts}
        if _blank(directorate) and _blank(period) and all(map(_blank, given.values())):
            continue
        if _blank(directorate):
            sheet.add("REG-079", f"row {row} has no directorate in "
                      f"{sheet.cell(row, 'directorate')}{unused}", row, "directorate")
            continue
        try:
            when = parse_period(period)
        except InputError as error:
            sheet.add("REG-079", f"period {period!r} in {sheet.cell(row, 'period')}: "
                      f"{error}{unused}", row, "period", period)
            continue
        numbers: dict[str, int] = {}
        for core, value in given.items():
            try:
                numbers[core] = parse_count(value)
            except InputError as error:
                sheet.add("REG-078", f"{sheet.core[core]} in {sheet.cell(row, core)}: "
                          f"{error}{unused}", row, core, value)
        if len(numbers) == len(given):
            kept.append((str(directorate).strip(), when.format(),
                         *(numbers.get(c, 0) for c in AUDIT_COUNTS)))
    rows = (pd.DataFrame(kept, columns=["directorate", "period", *AUDIT_COUNTS], dtype=object)
            if kept else _no_audit())
    return sheet, rows


@made_by("REG-050")
def _read_money(file: str, name: str, grid: list[list[Any]],
                aliases: Mapping[str, tuple[str, ...]], anchor: str,
                numbers: tuple[str, ...]) -> _Sheet | None:
    located = find_table(grid, [aliases[anchor]])
    if located is None:
        return None
    sheet = _Sheet(file, name, located, aliases)
    for core in numbers:
        if sheet.has(core):
            _check_number(sheet, core, "REG-050", sheet.core[core].lower())
    return sheet


@made_by("REG-051")
def _check_crossfoot(sheet: _Sheet) -> None:
    if not sheet.has("line") or len(sheet.frame) < 2:
        return
    names = sheet.column("line").map(lambda v: "" if _blank(v) else str(v))
    last = sheet.frame.index[-1]
    if not is_total_line(names.loc[last]):
        return
    # A column with a cell that is not a number already has its finding (REG-050).
    broken = {f.cell[0] for f in sheet.findings if f.cell}
    columns = [sheet.core[c] for c in ("gross_budget", "budget", "forecast")
               if sheet.has(c) and sheet.cell(last, c)[0] not in broken]
    lines = sheet.frame.drop(index=last)
    for problem in crossfoot(lines, sheet.frame.loc[last], columns):
        core = next(c for c, h in sheet.core.items() if h == problem.column)
        sheet.add("REG-051", f"{problem.message} ({sheet.cell(last, core)})", int(last), core,
                  problem.total)


def read_master(path: str | Path) -> Master:
    """Read a master workbook's configuration; problems in it are findings in ``.report``.

    Raises :class:`~xlperf.errors.WorkbookError` when the file cannot be read or has no
    ``Measures`` sheet.
    """
    file = Path(path)
    book = open_workbook(file)
    return _read(file, list(book.sheet_names),
                 lambda name: sheet_grid(book, name, file=str(file)))


def read_master_grids(grids: Mapping[str, list[list[Any]]], *,
                      file: str | Path = "workbook") -> Master:
    """:func:`read_master` over sheets already in memory (``{sheet name: values from A1}``):
    how an open Excel workbook (xlwings, the add-in's payload) is read by the same rules.

    >>> from xlperf.layout import MEASURES
    >>> master = read_master_grids({"Measures": [list(MEASURES.headers)]})
    >>> len(master.register), master.report.valid
    (0, True)
    """
    return _read(Path(file), list(grids), lambda name: [list(r) for r in grids[name]])


@made_by("REG-060")
def _read(file: Path, names: list[str], load: Callable[[str], list[list[Any]]]) -> Master:
    where = str(file)
    findings: list[Finding] = []

    def grid(wanted: str) -> list[list[Any]] | None:
        found = find_sheet(names, wanted)
        if found is None:
            if wanted in ("Schemes", "Settings"):
                findings.append(_finding("REG-060", f"the master has no {wanted!r} sheet; "
                                         "using xlperf's defaults", file=where,
                                         sheet=wanted, cell=None))
            return None
        return load(found)

    measures_grid = grid("Measures")
    if measures_grid is None:
        raise WorkbookError(f"{file}: no 'Measures' sheet: is this an xlperf master workbook?",
                            file=where, sheet="Measures")
    schemes_grid = grid("Schemes")
    schemes, scheme_findings = (_read_schemes(where, schemes_grid) if schemes_grid is not None
                                else (dict(BUILTIN_SCHEMES), []))
    settings_grid = grid("Settings")
    settings, setting_findings = (_read_settings(where, settings_grid, schemes)
                                  if settings_grid is not None else
                                  _read_settings(where, [], schemes))
    measures = _read_measures(where, measures_grid, schemes, settings.default_scheme)
    codes = set(measures.column("code")) if measures.has("code") else set()
    targets_grid = grid("Targets")
    targets = (_read_targets(where, targets_grid, codes) if targets_grid is not None else None)
    budget_grid, capital_grid = grid("Budget"), grid("Capital")
    budget = (_read_money(where, "Budget", budget_grid, BUDGET_COLUMNS, "line",
                          ("gross_budget", "budget", "forecast"))
              if budget_grid is not None else None)
    if budget is not None:
        _check_crossfoot(budget)
    capital = (_read_money(where, "Capital", capital_grid, CAPITAL_COLUMNS, "programme",
                           ("base_budget", "estimate", "actual"))
               if capital_grid is not None else None)

    _check_emails(measures)
    _check_emails(budget)
    contacts_grid = grid("Contacts")
    contacts = None
    if contacts_grid is not None:
        from xlperf.core.collection import CAPITAL_OWNER, budget_holders

        services = set(measures.column("service").map(lambda v: fold(str(v)))) \
            if measures.has("service") else set()
        holders = {fold(h) for h in budget_holders(budget.frame if budget else None)}
        contacts = _read_contacts(where, contacts_grid,
                                  services | holders | {fold(CAPITAL_OWNER)})
    changes_grid = grid("Process changes")
    read_changes = (_read_process_changes(where, changes_grid, measures)
                    if changes_grid is not None else None)
    changes, spc_changes = read_changes if read_changes is not None else (None, _no_changes())
    audit_grid = grid("Audit")
    read_audit = _read_audit(where, audit_grid) if audit_grid is not None else None
    audit, audit_rows = read_audit if read_audit is not None else (None, _no_audit())
    from xlperf.read._master_milestones import read_objective_sheets, risk_scale

    objective_sheets = read_objective_sheets(
        where, {n: grid(n) for n in ("Milestones", "Projects", "Risks")},
        list(measures.column("objective")) if measures.has("objective") else [],
        risk_scale(settings.risk_ratings))
    from xlperf.read._master_judgements import read_judgements

    judged, judgement_rows = read_judgements(
        where, grid("Judgements"),
        list(measures.column("objective")) if measures.has("objective") else [])
    findings += measures.findings + scheme_findings + setting_findings
    for sheet in (targets, budget, capital, contacts, changes, *objective_sheets, audit,
                  judged):
        if sheet is not None:
            findings += sheet.findings
    order = {name: i for i, name in enumerate(("Measures", "Targets", "Schemes", "Settings",
                                               "Budget", "Capital", "Contacts",
                                               "Process changes", "Milestones",
                                               "Projects", "Risks", "Audit",
                                               "Judgements"))}
    findings.sort(key=lambda f: (order.get(f.sheet or "", 99), _cell_key(f.cell)))

    def frame(sheet: _Sheet | None) -> pd.DataFrame:
        return (sheet.frame.copy() if sheet is not None
                else pd.DataFrame(index=pd.Index([], name="row")))

    header_rows = {s.name: s.located.header_row
                   for s in (measures, targets, budget, capital, contacts, changes, audit,
                             judged)
                   if s is not None}
    return Master(path=file, register=frame(measures), targets=frame(targets),
                  budget=frame(budget), capital=frame(capital), schemes=schemes,
                  settings=settings, report=Report(tuple(findings), file=where),
                  header_rows=header_rows, contacts=frame(contacts),
                  process_changes=frame(changes), spc_changes=spc_changes,
                  audit=frame(audit), audit_rows=audit_rows,
                  objective_sheets={s.name: frame(s) for s in objective_sheets},
                  judgements=frame(judged), judgement_rows=judgement_rows)


def _cell_key(cell: str | None) -> tuple[int, str]:
    if not cell:
        return (0, "")
    digits = "".join(ch for ch in cell if ch.isdigit())
    letters = "".join(ch for ch in cell if ch.isalpha())
    return (int(digits or 0), f"{len(letters):02d}{letters}")
