"""The validation engine: runs a family's registered checks over a batch and makes findings.

Each family of content rules (:mod:`~xlperf.validate.perf_rules`,
:mod:`~xlperf.validate.fin_rules`, :mod:`~xlperf.validate.cap_rules`,
:mod:`~xlperf.validate.file_rules`) builds one frame for every return of a batch (one row
per data row, indexed by file number and Excel row in one integer,
:data:`xlperf.catalogue.schemas.CELL_KEY`) with the columns its checks need, then calls
:func:`run`. The engine

1. runs the family's pandera checks (``@check(..., pandera=True)``) in one lazy pass of the
   family's schema (:func:`xlperf.catalogue.schemas.refined_schema`): pandera does the column
   types, ranges and allowed values;
2. runs the other checks, each returning its failing rows;
3. makes the findings, one way (:func:`emit`): the cell named by the check's column on the
   failing row, the value quoted, and every field the rule's message names taken from the
   check's result or the family frame (or, for a field that is a cell, such as
   ``comment_cell``, worked out for the failing rows only).

Only :meth:`_File.add` turns a rule into a finding (through the catalogue's
:meth:`~xlperf.validate.catalogue.Rule.finding`), with the severities of the master's
``Rules`` sheet.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from xlperf.findings import Finding, cell_ref
from xlperf.validate.catalogue import Rule
from xlperf.validate.registry import Check, checks_for

__all__ = ["Batch", "Failing", "emit", "run", "shown", "take"]

_PLACE = frozenset({"file", "sheet", "cell", "value"})


def blank(value: Any) -> bool:
    """An empty cell: None, NaN or spaces."""
    return value is None or (isinstance(value, float) and math.isnan(value)) or (
        isinstance(value, str) and value.strip() == "")


def shown(value: Any) -> Any:
    """A cell value for a finding: numbers as numbers, text as text, blank as None."""
    if blank(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


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
    # The formulas of the columns a figure is typed in (a performance return's Actual,
    # Numerator and Denominator): header -> Excel row -> (formula, has a calculated value).
    formulas: dict[str, dict[int, tuple[str, bool]]] = field(default_factory=dict)
    # The responses typed on the Issues sheet of an annotated copy sent back
    # (:func:`xlperf.validate.responses.read_responses`).
    responses: list[dict[str, Any]] = field(default_factory=list)

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
        """The one place a finding is made: ``rule``'s catalogue entry, ``fields`` filled in."""
        sheet = fields.pop("sheet", None)
        self.findings.append(self.rules[rule].finding(file=self.path, sheet=sheet, **fields))

    def cell(self, header: str, row: int) -> str:
        """The A1 reference of ``header``'s cell on Excel ``row`` ("" without the column)."""
        return cell_ref(int(row), self.columns[header]) if header in self.columns else ""


@dataclass
class Batch:
    """The returns of one family checked together, and what their checks may ask for."""

    kind: str  # "performance" or "finance" (revenue and capital)
    files: Sequence[_File]
    facts: Any  # xlperf.validate.facts._MasterFacts | None
    previous: pd.DataFrame | None = None
    # Template fields that are cells of the return: field -> the column of that cell.
    cell_fields: Mapping[str, str] = field(default_factory=dict)
    context: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_number = {f.number: f for f in self.files}


class Failing:
    """The failing rows of a family's frame, each column taken only when asked: a check's
    fields need a few of the frame's dozens of columns, and copying them all (``rows[mask]``)
    costs more than the checks.

    >>> rows = pd.DataFrame({"Code": ["A", "B"], "Actual": [1.0, -2.0]}, index=[13, 14])
    >>> failing = take(rows, rows["Actual"] < 0)
    >>> len(failing), failing["Code"].tolist(), failing.index.tolist()
    (1, ['B'], [14])
    """

    def __init__(self, rows: pd.DataFrame, positions: np.ndarray):
        self._rows = rows
        self.positions = positions
        self.index = rows.index[positions]

    def __len__(self) -> int:
        return len(self.positions)

    def __contains__(self, name: str) -> bool:
        return name in self._rows.columns

    def __getitem__(self, name: Any) -> Any:
        if isinstance(name, list):
            return pd.DataFrame({n: self[n] for n in name}, index=self.index)
        return pd.Series(self._rows[name].to_numpy()[self.positions], index=self.index,
                         name=name)


def take(rows: pd.DataFrame, mask: Any) -> Failing:
    """The rows of ``rows`` where ``mask`` is True, as :class:`Failing`."""
    return Failing(rows, np.flatnonzero(np.asarray(mask, dtype=bool)))


def run(rows: pd.DataFrame, batch: Batch) -> None:
    """Run every check of the batch's kind of return over ``rows`` (indexed by cell key, with
    ``file`` and ``row`` columns) and make their findings: the pandera checks in one pass of
    the kind's refined schema, then the others. A check reads only its own ``needs`` (the
    frame holds them all)."""
    checks = checks_for(batch.kind)
    found: dict[str, Any] = {}
    if any(c.pandera for c in checks):
        failing = run_schema(rows, batch.kind)
        for item in checks:
            if item.pandera:
                keys = failing.get(item.rule, np.empty(0, dtype=np.int64))
                mask = np.zeros(len(rows), dtype=bool)
                if len(keys):
                    mask[rows.index.get_indexer(keys)] = True
                found[item.rule] = (mask if item.explain is None or not mask.any()
                                    else item.explain(take(rows, mask), batch))
    for item in checks:
        if not item.pandera:
            found[item.rule] = item.fn(rows, batch)
    # A row an ``alone`` check fails gets no other finding but the ``always`` ones.
    alone = np.zeros(len(rows), dtype=bool)
    for item in checks:
        if item.alone:
            alone |= _mask(found[item.rule], rows)
    for item in checks:
        result = found[item.rule]
        if alone.any() and not (item.alone or item.always):
            result = _without(result, rows, alone)
        emit(item, result, rows, batch)


def _mask(result: Any, rows: pd.DataFrame) -> np.ndarray:
    if isinstance(result, pd.DataFrame):
        mask = np.zeros(len(rows), dtype=bool)
        mask[rows.index.get_indexer(result.index)] = True
        return mask
    return np.asarray(result, dtype=bool)


def _without(result: Any, rows: pd.DataFrame, dropped: np.ndarray) -> Any:
    if isinstance(result, pd.DataFrame):
        return result[~dropped[rows.index.get_indexer(result.index)]]
    return np.asarray(result, dtype=bool) & ~dropped


def emit(item: Check, result: Any, rows: pd.DataFrame, batch: Batch) -> None:
    """The findings of ``item``'s failing rows: ``result`` is a mask over ``rows`` or a frame
    of failing rows (a subset of ``rows``' index) with fields of its own, ``at`` (the column
    of the cell named, row by row) and ``value`` (the value quoted)."""
    if isinstance(result, pd.DataFrame):
        if not len(result):
            return
        own = result
        if {"file", "row"} <= set(result.columns):  # rows the return lacks (FILE-020)
            positions = None
            file_no, row_no = result["file"].to_numpy(), result["row"].to_numpy()
        else:
            positions = rows.index.get_indexer(result.index)
    else:
        positions = np.flatnonzero(np.asarray(result, dtype=bool))
        if not len(positions):
            return
        own = None
    if positions is not None:
        file_no = rows["file"].to_numpy()[positions]
        row_no = rows["row"].to_numpy()[positions]
    rule = batch.files[0].rules[item.rule] if batch.files else None
    # The place and the value are the finding's own (Rule.finding fills them in).
    names = sorted(rule.placeholders - _PLACE) if rule is not None else []
    columns: dict[str, np.ndarray] = {}
    for name in names:
        if own is not None and name in own.columns:
            columns[name] = own[name].to_numpy(dtype=object)
        elif name in rows.columns and positions is not None:
            columns[name] = rows[name].to_numpy()[positions].astype(object)
    at = own["at"].to_numpy(dtype=object) if own is not None and "at" in own.columns else None
    if own is not None and "value" in own.columns:
        values = own["value"].to_numpy(dtype=object)
    elif item.value is not None and positions is not None:
        values = rows[item.value].to_numpy()[positions].astype(object)
    else:
        values = np.full(len(file_no), None, dtype=object)
    cell_fields = [(n, h) for n, h in batch.cell_fields.items()
                   if n in names and n not in columns]
    for i in range(len(file_no)):
        f = batch.by_number[int(file_no[i])]
        row = int(row_no[i])
        header = at[i] if at is not None else item.cell
        fields = {name: values_[i] for name, values_ in columns.items()}
        for name, column in cell_fields:
            fields[name] = f.cell(column, row)
        cell = f.cell(header, row) if header else ""
        f.add(item.rule, sheet=f.sheet, cell=cell or None, value=shown(values[i]), **fields)


def run_schema(rows: pd.DataFrame, kind: str) -> dict[str, np.ndarray]:
    """The refined pandera schema of ``kind`` over every row of the batch (indexed by cell
    key): the cell keys each of its rules failed, in pandera's order, one per cell."""
    import pandera.pandas as pa

    from xlperf.catalogue import schemas

    schema = schemas.refined_schema(kind)
    try:
        schema.validate(rows, lazy=True, inplace=True)
    except pa.errors.SchemaErrors as error:
        cases = error.failure_cases
    else:
        return {}
    rule = cases["check"].astype(str).to_numpy(dtype=object)
    column = cases["column"].to_numpy(dtype=object)
    index = cases["index"].to_numpy(dtype=object)
    cell_of = schemas.row_check_columns(kind)
    # A rule pandera failed but could not report row by row (its own formatting of the failure
    # cases raised, as pandera 0.24 does on a mix of text and numbers) is run again here to
    # find its rows: a problem is never dropped.
    functions = schemas.rule_functions(kind)
    unreported = sorted({r for r, i in zip(rule.tolist(), index.tolist(), strict=True)
                         if pd.isna(i) and r in functions})
    for name in unreported:
        failing = ~np.asarray(functions[name](rows), dtype=bool)
        rule = np.concatenate([rule, np.full(failing.sum(), name, dtype=object)])
        column = np.concatenate([column, np.full(failing.sum(), cell_of[name], dtype=object)])
        index = np.concatenate([index, rows.index.to_numpy(dtype=object)[failing]])
    # Each rule names the cell it is about: a RowRule reports only that cell; a whole-frame
    # check that fell back to pandera's own reporting lists every column of a failing row.
    wanted = np.array([cell_of.get(r) for r in rule], dtype=object)
    keep = (np.equal(wanted, np.array(None, dtype=object)) | (column == wanted)) & ~pd.isna(index)
    rule, index = rule[keep], index[keep]
    key = pd.to_numeric(pd.Series(index, dtype=object), errors="coerce").fillna(0).to_numpy(
        dtype=np.int64)
    out: dict[str, np.ndarray] = {}
    for name in dict.fromkeys(rule.tolist()):
        mine = key[rule == name]
        out[name] = mine[np.sort(np.unique(mine, return_index=True)[1])]
    return out


def cell_keys(files: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """File number and Excel row in one integer, as the refined schemas index a batch
    (:data:`xlperf.catalogue.schemas.CELL_KEY`)."""
    from xlperf.catalogue.schemas import CELL_KEY

    return np.asarray(files, dtype=np.int64) * CELL_KEY + np.asarray(rows, dtype=np.int64)


def restyle(found: Iterable[Finding], rules: Mapping[str, Rule]) -> list[Finding]:
    """File findings with the council's severities (file-safety rules cannot change)."""
    out = []
    for f in found:
        rule = rules.get(f.rule)
        out.append(f if rule is None or rule.severity == f.severity else
                   Finding(f.rule, rule.severity, f.message, f.file, f.sheet, f.cell, f.value,
                           f.how_to_fix))
    return out


def order(findings: list[Finding]) -> tuple[Finding, ...]:
    """Findings in reading order: those of the whole file first, then by row and column."""
    def key(f: Finding) -> tuple[int, int, int, str]:
        if not f.cell:
            return (0, 0, 0, f.rule)
        letters = f.cell.rstrip("0123456789")
        digits = f.cell[len(letters):]
        return (1, int(digits or 0), len(letters) * 100 + sum(ord(ch) for ch in letters),
                f.rule)

    return tuple(sorted(findings, key=key))
