"""Static pandera schemas for the fixed layout of xlperf's returns.

Imported only by the validator when it runs (it imports pandera); nothing else imports it, so
``import xlperf`` stays light. The frames checked here are what the return reader gives after
the scoring core's value parser has turned cells into numbers: one row per data row, indexed by
**Excel row number** (index name ``row``), columns named by the template's headers.

The convention that ties a failure to the catalogue: every check's ``name`` is its rule id
(``PERF-002``...), so pandera's ``failure_cases`` frame (columns ``column``, ``check``,
``failure_case``, ``index``) maps straight to a finding: rule = ``check``, cell = the column's
letter in the return and the ``index`` row. Validate with ``lazy=True`` to get every failure in
one pass. Per-return refinements (this service's codes, the scheme's status words, each
measure's minimum and maximum from the register) are arguments or columns joined onto the
frame, so the schema stays static and vectorised.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa

__all__ = ["CELL_KEY", "FINANCE", "PERFORMANCE", "ROW_CHECK_COLUMNS", "RowRule", "failures",
           "finance_schema", "performance_schema", "refined_finance_schema",
           "refined_performance_schema", "refined_schema", "row_check_columns",
           "rule_functions"]

# Headers of the return templates, as the reader gives them.
PERFORMANCE = ("Code", "Actual", "Numerator", "Denominator", "Reported status", "Commentary")
FINANCE = ("Service area", "Net budget", "Forecast outturn", "Explanation")
_FORMULA_START = ("=", "+", "-", "@")
_ROW_INDEX = pa.Index(int, name="row", checks=pa.Check.ge(1))
# A whole-frame check reports one failure per column of the row: the finding's cell is here.
ROW_CHECK_COLUMNS = {"PERF-008": "Actual", "PERF-001": "Code", "PERF-002": "Code",
                     "PERF-003": "Code", "PERF-009": "Actual", "PERF-011": "Reported status",
                     "FIN-001": "Service area", "FIN-003": "Service area",
                     "FIN-004": "Service area", "FIN-005": "Service area",
                     "FIN-006": "Service area", "FIN-007": "Service area",
                     "PERF-017": "Commentary"}
# (a whole-frame check's failure cases list every column of a failing row; each rule keeps the
# column of the cell it is about, never blank on its failing rows, and names that cell.)


def _not_duplicated(codes: pd.Series) -> pd.Series:
    return ~codes.duplicated(keep=False) | codes.isna()


def _not_formula_like(text: pd.Series) -> pd.Series:
    values = text.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
        return ~text.astype("string").str.lstrip().str.startswith(_FORMULA_START).fillna(False)
    # Text only: each distinct text checked once (a return repeats "Checked." on many rows).
    codes, uniques = pd.factorize(values)
    if not len(uniques):
        return pd.Series(True, index=text.index)
    formula = pd.Series(uniques, dtype=object).astype("string").str.lstrip().str.startswith(
        _FORMULA_START).fillna(False).to_numpy(dtype=bool)
    return pd.Series(~np.where(codes < 0, False, formula[np.maximum(codes, 0)]),
                     index=text.index)


def _within_register_limits(frame: pd.DataFrame) -> pd.Series:
    """Actual between the row's ``Minimum`` and ``Maximum`` (joined from the register)."""
    actual = pd.to_numeric(frame["Actual"], errors="coerce")
    ok = pd.Series(True, index=frame.index)
    if "Minimum" in frame:
        ok &= ~(actual < pd.to_numeric(frame["Minimum"], errors="coerce"))
    if "Maximum" in frame:
        ok &= ~(actual > pd.to_numeric(frame["Maximum"], errors="coerce"))
    return ok


def performance_schema(*, codes: Collection[str] | None = None,
                       status_words: Collection[str] | None = None) -> pa.DataFrameSchema:
    """The performance return's schema; ``codes`` (this service's measures) and
    ``status_words`` (the scheme's words) refine it for one return."""
    code_checks = [pa.Check(_not_duplicated, name="PERF-002")]
    if codes is not None:
        allowed = frozenset(codes)
        code_checks.append(pa.Check(lambda s: s.isin(allowed) | s.isna(), name="PERF-001"))
    status_checks = []
    if status_words is not None:
        words = frozenset(status_words)
        status_checks.append(pa.Check(lambda s: s.isin(words) | s.isna(), name="PERF-011"))
    return pa.DataFrameSchema(
        {
            "Code": pa.Column(str, checks=code_checks),
            "Actual": pa.Column(float, nullable=True),
            "Numerator": pa.Column(float, nullable=True, required=False),
            "Denominator": pa.Column(float, nullable=True, required=False),
            "Reported status": pa.Column(nullable=True, required=False, checks=status_checks),
            "Commentary": pa.Column(nullable=True, required=False,
                                    checks=[pa.Check(_not_formula_like, name="PERF-017")]),
        },
        checks=[pa.Check(_within_register_limits, name="PERF-008")],
        index=_ROW_INDEX,
        strict=False,
        name="performance return",
    )


def finance_schema() -> pa.DataFrameSchema:
    """The revenue finance return's schema: every amount a number (``FIN-001``)."""
    return pa.DataFrameSchema(
        {
            "Service area": pa.Column(str),
            "Net budget": pa.Column(float, nullable=True),
            "Forecast outturn": pa.Column(float, nullable=True),
            "Explanation": pa.Column(nullable=True, required=False),
        },
        index=_ROW_INDEX,
        strict=False,
        name="finance return",
    )


# --- the refined schemas the validator runs ----------------------------------------------
# The validator joins what the register says about each row onto the frame it validates (one
# frame for every return of a batch, indexed by file number and Excel row in one integer, see
# CELL_KEY), so these schemas are static (built once) and every check is one vectorised
# expression. performance: ``Code``, ``Actual`` (the parsed number), ``Reported status``,
#   ``Commentary`` as typed, plus ``owner_service`` (the register's service of the code;
#   missing = unknown), ``service`` (the return's), ``duplicate`` (a second row of one code
#   and period in one file), ``minimum``/``maximum`` (from the unit or the register),
#   ``whole`` (a count), ``status_ok`` (the word is one of the measure's scheme; missing = no
#   word given) and ``register`` (False when no master was given: code checks are skipped).
# finance (revenue and capital programme returns): ``Forecast outturn`` etc. parsed, plus
#   ``amount_kind`` (the parser's kind of the amount every row must give: the forecast
#   outturn, or a programme's actual to date; invalid too when a programme's revised estimate
#   is not a number) and ``amount_blank`` (that amount is empty).

# The batch index: ``file * CELL_KEY + row`` in one integer ("file 3, Excel row 14" is
# 30000014): a MultiIndex (file, row) doubles pandera's cost on a failing check.
CELL_KEY = 10_000_000
_BATCH_INDEX = pa.Index(int, name="cell", checks=pa.Check.ge(1))


class RowRule(pa.Check):
    """A whole-frame check that is one catalogue rule about one cell of each row.

    ``name`` is the rule id and ``cell`` the column of the cell a failure is about. Each rule
    decides about blanks itself, so pandera's own blank handling (``ignore_na``) is off: it
    costs a pass over every column for each check, paid once per batch.

    Its pandas backend (:class:`_RowRuleBackend`) reports each failing row once, as the value
    of that cell, instead of every column of the row: pandera then has nothing to reshape
    (reshaping costs about 1.5 ms a failing rule, whatever the number of failing rows), and
    its ``failure_cases`` hold one row per problem. Where the backend cannot be registered or
    does not give that (a pandera whose internals moved: checked once, on import) the refined
    schemas use plain ``Check``s instead and the validator keeps the ``cell`` column of each
    failing row: the findings are the same.

    >>> rule = RowRule(lambda f: f["Actual"] >= 0, name="PERF-008", cell="Actual")
    >>> schema = pa.DataFrameSchema(checks=[rule])
    >>> frame = pd.DataFrame({"Code": ["A", "B"], "Actual": [1.0, -2.0]}, index=[13, 14])
    >>> try:
    ...     schema.validate(frame, lazy=True)
    ... except pa.errors.SchemaErrors as error:
    ...     print(error.failure_cases[["check", "column", "index", "failure_case"]]
    ...           .to_string(index=False))
       check column  index  failure_case
    PERF-008 Actual     14          -2.0
    """

    def __init__(self, fn: Callable[[pd.DataFrame], pd.Series], *, name: str,
                 cell: str) -> None:
        super().__init__(fn, name=name, ignore_na=False)
        self.cell = cell


def _register_row_rule_backend() -> bool:
    try:
        from pandera.api.base.checks import CheckResult
        from pandera.backends.pandas.checks import PandasCheckBackend
    except ImportError:  # pandera moved its backends: plain checks are used (_row_rule)
        return False

    class _RowRuleBackend(PandasCheckBackend):
        def postprocess_table_with_field_output(self, check_obj: pd.DataFrame,
                                                check_output: pd.Series) -> CheckResult:
            cell = self.check.cell
            if (check_output.dtype != bool or cell not in check_obj
                    or not check_obj.index.equals(check_output.index)):
                return super().postprocess_table_with_field_output(check_obj, check_output)
            passed = check_output.to_numpy()
            if passed.all():
                return CheckResult(check_output, True, check_obj, None)
            failing = ~passed
            # Already in pandera's long form (index, column, failure_case): nothing to reshape.
            cases = pd.DataFrame({"index": check_obj.index[failing], "column": cell,
                                  "failure_case": check_obj[cell].to_numpy()[failing]})
            return CheckResult(check_output, False, check_obj, cases)

    try:
        RowRule.register_backend(pd.DataFrame, _RowRuleBackend)
    except Exception:  # noqa: BLE001 - an older or newer pandera: plain checks instead
        return False
    return _row_rules_report_their_cell()


def _row_rules_report_their_cell() -> bool:
    """The backend relies on pandera taking failure cases already in its long form as they
    are: check once that it does (a rule failing on row 14 gives one case, its cell)."""
    schema = pa.DataFrameSchema(checks=[RowRule(lambda f: f["b"] < 1, name="X", cell="b")])
    frame = pd.DataFrame({"a": ["p", "q"], "b": [0.0, 2.0]}, index=[13, 14])
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as error:
        cases = error.failure_cases
        return (len(cases) == 1 and cases["column"].tolist() == ["b"]
                and cases["index"].tolist() == [14] and cases["failure_case"].tolist() == [2.0])
    except Exception:  # noqa: BLE001 - any surprise: plain checks instead
        return False
    return False


_ROW_RULE_BACKEND = _register_row_rule_backend()


def _reported(item: Any, kind: str) -> str:
    # The column a failure is reported in: the finding's cell for a performance rule; a
    # finance rule reports the line's name (never blank on a line; its cell may be).
    return item.cell if kind == "performance" and item.cell else "Service area"


def _row_rule(item: Any, kind: str) -> pa.Check:
    """A registered check (:func:`xlperf.validate.registry.check`, ``pandera=True``) as a
    pandera check: it passes where the check's failing mask is False."""
    def passes(frame: pd.DataFrame, fn: Callable[[pd.DataFrame], pd.Series] = item.fn
               ) -> pd.Series:
        return ~fn(frame)

    if _ROW_RULE_BACKEND:
        return RowRule(passes, name=item.rule, cell=_reported(item, kind))
    return pa.Check(passes, name=item.rule, ignore_na=False)


def _pandera_checks(kind: str) -> list[Any]:
    from xlperf.validate import cap_rules, fin_rules, perf_rules  # noqa: F401 - they register
    from xlperf.validate.registry import checks_for

    return [c for c in checks_for(kind) if c.pandera]


def row_check_columns(kind: str) -> dict[str, str]:
    """The column each pandera rule of ``kind``'s refined schema reports (the cell of its
    finding, or the line's name for a finance rule about the whole line)."""
    return {c.rule: _reported(c, kind) for c in _pandera_checks(kind)}


def rule_functions(kind: str) -> dict[str, Callable[[pd.DataFrame], pd.Series]]:
    """Each pandera rule of ``kind``'s refined schema as its pass mask (the validator runs
    one again when pandera could not report its failing rows)."""
    return {c.rule: (lambda frame, fn=c.fn: ~fn(frame)) for c in _pandera_checks(kind)}


def refined_schema(kind: str) -> pa.DataFrameSchema:
    """The refined schema the validator runs over a batch of ``performance`` or ``finance``
    (revenue and capital programme) returns."""
    return refined_performance_schema() if kind == "performance" else refined_finance_schema()


@lru_cache(maxsize=1)
def refined_performance_schema() -> pa.DataFrameSchema:
    """The performance schema the validator runs over a batch of returns (see above): the
    column types, and every registered PERF check with ``pandera=True``."""
    return pa.DataFrameSchema(
        {
            "Code": pa.Column(str),
            "Actual": pa.Column(float, nullable=True),
            "Commentary": pa.Column(nullable=True, required=False),
        },
        # Every rule is a whole-frame check, so pandera collects all failures in one place.
        checks=[_row_rule(c, "performance") for c in _pandera_checks("performance")],
        index=_BATCH_INDEX,
        strict=False,
        name="performance returns",
    )


@lru_cache(maxsize=1)
def refined_finance_schema() -> pa.DataFrameSchema:
    """The finance schema the validator runs over a batch of finance returns: the column
    types, and every registered FIN and CAP check with ``pandera=True``."""
    return pa.DataFrameSchema(
        {
            "Service area": pa.Column(str),
            "Net budget": pa.Column(float, nullable=True),
            "Forecast outturn": pa.Column(float, nullable=True),
            "Variance": pa.Column(float, nullable=True),
            "Revised estimate": pa.Column(float, nullable=True),
            "Actual to date": pa.Column(float, nullable=True),
        },
        checks=[_row_rule(c, "finance") for c in _pandera_checks("finance")],
        index=_BATCH_INDEX,
        strict=False,
        name="finance returns",
    )


def failures(error: pa.errors.SchemaErrors) -> pd.DataFrame:
    """pandera's failure cases as one row per problem: ``rule``, ``column``, ``row`` (Excel
    row), ``value``. Whole-frame checks keep only the column of :data:`ROW_CHECK_COLUMNS`;
    failures of checks that are not catalogue rules (a missing column, a wrong type) keep
    pandera's check text in ``rule`` for the caller to map."""
    cases = error.failure_cases
    frame = pd.DataFrame({"rule": cases["check"].astype(str), "column": cases["column"],
                          "row": cases["index"], "value": cases["failure_case"]})
    wanted = frame["rule"].map(ROW_CHECK_COLUMNS)
    keep = wanted.isna() | (frame["column"] == wanted)
    frame = frame[keep].drop_duplicates(["rule", "column", "row"])
    return frame.sort_values(["row", "rule"], kind="stable", na_position="first").reset_index(
        drop=True)
