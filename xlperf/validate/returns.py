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
5. **content**: one frame per family for every return of the batch (the cells parsed by the
   scoring core's value parser, what the register says joined on), run by the engine
   (:mod:`xlperf.validate.engine`): the registered checks of :mod:`~xlperf.validate.perf_rules`,
   :mod:`~xlperf.validate.perf_history`, :mod:`~xlperf.validate.fin_rules`,
   :mod:`~xlperf.validate.cap_rules` and :mod:`~xlperf.validate.file_rules`, those marked
   ``pandera=True`` in one lazy pass of the refined pandera schema; and a performance return's
   Milestones sheet (:mod:`~xlperf.validate.mil_rules`, ``MIL-``).

Findings are made only through the catalogue (:meth:`~xlperf.validate.catalogue.Rule.finding`),
with the severities of the master's ``Rules`` sheet when it has one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from xlperf.errors import WorkbookError, library_errors
from xlperf.findings import Report, column_letter, parse_ref
from xlperf.layout import RETURN_FIGURES
from xlperf.validate.catalogue import load_rules
from xlperf.validate.engine import _File, order, restyle
from xlperf.validate.facts import (
    _MASTERS,
    MAX_SUGGESTIONS,
    _prepare_master,
    _previous_of,
    _responses_of,
    expected_layout,
    master_rules,
    suggest,
)
from xlperf.validate.facts import _Suggester as _Suggester  # noqa: F401 - for the tests
from xlperf.validate.file_rules import _ENTERED, blank_return, locate, reader_failure, too_long
from xlperf.validate.files import Limits, check_file
from xlperf.validate.id_rules import check_identity, check_period_cell, read_identity
from xlperf.validate.responses import read_responses, settle_queries
from xlperf.validate.signoff import check_signoff

__all__ = ["MAX_SUGGESTIONS", "UNREADABLE", "expected_layout", "master_rules", "suggest",
           "validate_grids", "validate_return", "validate_returns"]

# Findings that mean the file could not be read at all (the CLI's exit code 2).
UNREADABLE = frozenset({*(f"FILE-{n:03d}" for n in range(1, 11)), "FILE-019"})
# The kinds of return whose lines are checked by the FIN and CAP families.
_MONEY = ("finance", "capital")


def _read_file(file: _File, facts: Any, limits: Limits, *, period: Any,
               service: str | None) -> None:
    from xlperf.read.returns import FileSource, Package

    found = check_file(file.path, limits=limits)
    if found:
        file.findings.extend(restyle(found, file.rules))
        file.stop = True
        return
    with Package(file.path) as package:  # the zip opened once for what calamine does not give
        _read_source(file, facts, FileSource(file.path, package), period=period,
                     service=service)


def _read_source(file: _File, facts: Any, source: Any, *, period: Any,
                 service: str | None) -> None:
    from xlperf.read.returns import table_columns

    try:
        source.open()
        read_identity(file, source)
        if file.stop:
            return
        check_identity(file, facts, period=period, service=service)
        if file.stop:
            return
        grid = source.grid(file.sheet)
        file.read.grids[file.sheet] = grid
        check_period_cell(file, facts, grid, period=period)
        if file.stop:
            return
        if file.kind == "performance":  # its milestones and projects (MIL), when it has them
            from xlperf.layout import ACTIVITY_SHEET
            from xlperf.read import find_sheet

            activity = find_sheet(file.read.names, ACTIVITY_SHEET)
            if activity is not None and activity != file.sheet:
                file.read.grids[activity] = source.grid(activity)
        file.responses = read_responses(file, source)  # an annotated copy sent back
    except WorkbookError as error:
        reader_failure(file, error)
        return
    except library_errors("zip", "os", "value", "lookup", "type") as error:
        file.add("FILE-004", detail=str(error) or type(error).__name__)
        file.stop = True
        return
    located = locate(file, grid)
    if located is None:
        return
    header_row, columns = located
    file.columns = columns
    arrays, rows = table_columns(grid[header_row:], columns, header_row + 1)
    errors = source.error_cells(file.sheet)
    if errors:
        where = {r: i for i, r in enumerate(rows)}
        by_column = {c: h for h, c in reversed(columns.items())}
        for ref, shown in errors.items():  # an Excel error cell: its text (#N/A...)
            row, column = parse_ref(ref)
            header = by_column.get(column)
            if header is not None and row in where:
                arrays[header][where[row]] = shown
    index = np.array(rows, dtype=np.int64)
    if file.kind == "performance" and "Actual" in columns:
        letter = column_letter(columns["Actual"])
        percent = source.percent_rows(file.sheet, letter)
        file.read.percent[(file.sheet, letter)] = percent
        file.formulas = {header: source.formula_cells(file.sheet, column_letter(columns[header]))
                         for header in RETURN_FIGURES if header in columns}
        arrays["percent_format"] = (np.isin(index, list(percent)) if percent
                                    else np.zeros(len(index), dtype=bool))
    file.arrays, file.rows = arrays, index


def validate_returns(paths: Iterable[str | Path], master: Any = None, *,
                     previous: pd.DataFrame | None = None, period: Any = None,
                     service: str | None = None, limits: Limits = Limits(),
                     progress: Callable[[Path], None] | None = None,
                     responses: Mapping[str, str] | None = None) -> list[Report]:
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
    ``progress`` is called with each path once it is read. ``responses`` are the services'
    answers to earlier queries (fingerprint -> response; by default the master's ledger's,
    :func:`xlperf.ledger.known_responses`): a query answered on the same figure is
    ``explained``, not asked again (:mod:`xlperf.validate.responses`).

    Never raises for a bad return; raises :class:`~xlperf.errors.WorkbookError` only when the
    master itself cannot be read.
    """
    return [report for report, _read in _validate(
        paths, master, previous=previous, period=period, service=service, limits=limits,
        progress=progress, responses=responses)]


def _validate(paths: Iterable[str | Path], master: Any = None, *,
              previous: pd.DataFrame | None = None, period: Any = None,
              service: str | None = None, limits: Limits = Limits(),
              progress: Callable[[Path], None] | None = None,
              responses: Mapping[str, str] | None = None) -> list[tuple[Report, Any]]:
    """:func:`validate_returns`, each report with what was read of its file (a
    :class:`~xlperf.read.returns.ReadReturn`, or None): the refresh takes the accepted values
    from it instead of opening the file again."""
    facts = _prepare_master(master)
    previous = _previous_of(facts, previous, period)
    responses = _responses_of(facts, responses)
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
    return _check(files, facts, previous, responses)


def _check(files: list[_File], facts: Any, previous: pd.DataFrame | None,
           responses: Mapping[str, str] | None = None) -> list[tuple[Report, Any]]:
    """The content checks over every return of a batch that was read, then the reports."""
    for f in files:
        if not f.stop and f.kind in _ENTERED:
            blank_return(f)
    performance = [f for f in files if not f.stop and f.kind == "performance" and f.size]
    finance = [f for f in files if not f.stop and f.kind in _MONEY and f.size]
    if performance:
        from xlperf.validate.perf_rules import check_performance

        check_performance(performance, facts, previous)
    for f in files:
        if f.size and not f.stop:
            too_long(f)
    if finance:
        from xlperf.validate.fin_rules import check_finance

        check_finance(finance, facts)
    if performance:  # the Milestones sheet's rows (xlperf.validate.mil_rules)
        from xlperf.validate.mil_rules import check_activity

        check_activity(performance, _MASTERS.get(id(facts)))
    signed = check_signoff(files, _MASTERS.get(id(facts)))  # FILE-024 (xlperf.validate.signoff)
    for f in files:  # queries answered before, on the same figure, are explained
        settle_queries(f, responses)
    return [(Report(order(f.findings), file=str(f.path),
                    meta={"kind": f.kind, "service": f.identity.get("service"),
                          "period": f.identity.get("period"),
                          "rows": f.size,
                          "readable": not any(x.rule in UNREADABLE for x in f.findings),
                          "responses": tuple(f.responses),
                          **signed.get(f.number, {})}),
             f.read) for f in files]


def validate_grids(grids: Mapping[str, Sequence[Sequence[Any]]], master: Any = None, *,
                   name: str = "return.xlsx",
                   percent_cells: Mapping[str, Iterable[str]] | None = None,
                   previous: pd.DataFrame | None = None, period: Any = None,
                   service: str | None = None,
                   responses: Mapping[str, str] | None = None) -> Report:
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
    responses = _responses_of(facts, responses)
    rules = facts.rules if facts is not None else load_rules()
    from xlperf.read.returns import GridSource

    file = _File(0, Path(name), rules)
    try:
        _read_source(file, facts, GridSource(grids, percent_cells), period=period,
                     service=service)
    except RecursionError:
        file.add("FILE-004", detail="its structure is nested too deeply to read")
        file.stop = True
    return _check([file], facts, previous, responses)[0][0]


def validate_return(path: str | Path, master: Any = None, *,
                    previous: pd.DataFrame | None = None, period: Any = None,
                    service: str | None = None, limits: Limits = Limits()) -> Report:
    """Validate one submitted return: a :class:`~xlperf.findings.Report` of findings, each
    with its rule, severity, file, sheet, cell, value and a message for the service
    (``.valid`` is False when any finding is an error). See :func:`validate_returns` for the
    arguments; never raises for a bad return."""
    return validate_returns([path], master, previous=previous, period=period, service=service,
                            limits=limits)[0]
