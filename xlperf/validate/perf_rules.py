"""The PERF family: the rows of performance returns, one check per rule.

:func:`check_performance` builds one frame for every performance return of a batch (see
:func:`performance_frame`: the cells parsed by the scoring core's value parser, what the
register says about each code joined on, the template's targets, the core's rating) and
hands it to the engine. Each ``@check`` below is one rule of the catalogue: the columns it
needs, the cell its finding names, and the failing rows (with any field its message needs
that is not a column of the frame). ``pandera=True`` checks run inside the refined pandera
schema (:func:`xlperf.catalogue.schemas.refined_schema`). The checks against history
(``PERF-013/014/015``) are in :mod:`xlperf.validate.perf_history`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from xlperf.core.values import KIND_INVALID, KIND_NO_DATA, parse_values
from xlperf.errors import XlperfError
from xlperf.layout import RETURN_ATTRIBUTED, RETURN_FIGURES, RETURN_HEADERS
from xlperf.validate._frames import (
    _blanks,
    _bound,
    _differs,
    _first_positions,
    _joint_keys,
    _num,
    _numbers,
    _period_keys,
    _plain,
    _ratio_scale,
    _sign_mismatch,
    _starts_with,
    _text,
    _texts,
    _unit_limits,
    _unit_name,
)
from xlperf.validate.engine import Batch, Failing, blank, cell_keys, run, shown, take
from xlperf.validate.facts import (
    _register_columns,
    _suggester,
    expected_layout_from_facts,
)
from xlperf.validate.registry import check

__all__ = ["check_performance", "performance_frame"]

PERFORMANCE_HEADERS = RETURN_HEADERS["performance"]
LOCKED = ("Measure", "Unit", "Polarity", "Target")
# A link to another workbook in a formula, as Excel stores it: ``[1]Sheet1!$A$1``.
_EXTERNAL = re.compile(r"\[\d+\]")
_FORMULA_SHOWN = 80
# The cells a figure is typed in (xlperf.layout.RETURN_FIGURES), each read by the value parser
# and checked alike: the header, the column of the frame with the cell as typed, and the
# prefix of its columns in the frame ("" for the Actual's own ``kind``, ``reason``,
# ``formula`` and ``calculated``; "numerator " for ``numerator kind``...).
_FIGURES = tuple((header, "typed", "") if header == "Actual" else
                 (header, header.lower(), header.lower() + " ") for header in RETURN_FIGURES)


def check_performance(files: Sequence[Any], facts: Any, previous: pd.DataFrame | None) -> None:
    """Every check of the PERF family (and the FILE layout checks of a performance return)
    over the performance returns of a batch, their findings added to each file."""
    from xlperf.validate import file_rules, perf_history  # noqa: F401 - they register checks

    rows, batch = performance_frame(files, facts, previous)
    run(rows, batch)


def _cells(files: Sequence[Any]) -> pd.DataFrame:
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


def performance_frame(files: Sequence[Any], facts: Any, previous: pd.DataFrame | None
                      ) -> tuple[pd.DataFrame, Batch]:
    """The frame the PERF checks read: one row per data row of every return, indexed by
    cell key, and the batch (files, master facts, the ledger's previous values, the
    template's rows in ``context["expected"]``)."""
    cells = _cells(files)
    file_no = cells.index.get_level_values("file").to_numpy()
    row_no = cells.index.get_level_values("row").to_numpy()
    code = _texts(cells["Code"].to_numpy())
    period_text = pd.Series(_texts(cells["Period"].to_numpy()), index=cells.index)
    period_key, period_obj = _period_keys(period_text)
    parsed = parse_values(cells["Actual"], cells["percent_format"])
    # The Numerator and Denominator as the Actual is read (as the ledger records them).
    ratio = {typed: parse_values(cells[header].astype(object))
             for header, typed, prefix in _FIGURES if prefix}
    n = len(cells)

    # What the register says about each row (or, without a master, the return's own cells).
    if facts is not None and len(facts.register):
        where = facts.register.index.get_indexer(code)
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
        unit = joined("unit")
        title = joined("title")
        polarity = joined("polarity")
        tolerance = joined("tolerance")
        tolerance_type = joined("tolerance_type")
        scheme = joined("scheme")
        cumulative = joined("cumulative", False).astype(bool)
        minimum_reg = joined("minimum")
        maximum_reg = joined("maximum")
        plausibility = joined("plausibility")
        unit_row = np.where(missing, len(facts.register), where)
        lo, hi, whole = (register[name][unit_row]
                         for name in ("unit_minimum", "unit_maximum", "unit_whole"))
        known_register = True
    else:
        owner = np.full(n, None, dtype=object)
        unit = _texts(cells["Unit"].to_numpy())
        title = _texts(cells["Measure"].to_numpy())
        polarity = _texts(cells["Polarity"].to_numpy())
        tolerance = np.zeros(n)
        tolerance_type = np.full(n, "absolute", dtype=object)
        scheme = np.full(n, "", dtype=object)
        cumulative = np.zeros(n, dtype=bool)
        minimum_reg = maximum_reg = plausibility = np.full(n, np.nan)
        lo, hi, whole = _unit_limits(pd.Series(unit, dtype=object),
                                     pd.Series(title, dtype=object))
        known_register = False
    default_scheme = facts.default_scheme if facts is not None else "rag"
    scheme = np.where(pd.isna(scheme) | (scheme == ""), default_scheme, scheme).astype(object)
    polarity = np.asarray(polarity, dtype=object)

    # Targets: the master's (as the template showed them), else the return's Target cells.
    target = cells["Target"].to_numpy(dtype=object)
    expected = None
    layout_frames, layout_files = [], []
    if facts is not None and facts.period is not None:
        for f in files:
            layout = expected_layout_from_facts(f, facts)
            if layout is not None:
                layout_frames.append(layout)
                layout_files.append(np.full(len(layout), f.number, dtype=np.int64))
    context: dict[str, Any] = {}
    if layout_frames:
        expected = (pd.concat(layout_frames, ignore_index=True) if len(layout_frames) > 1
                    else layout_frames[0].reset_index(drop=True))
        expected["file"] = np.concatenate(layout_files)
        # The first template row of each (file, code, period).
        cell_key, expected_key = _joint_keys(
            (file_no, code, period_key.to_numpy(dtype=object)),
            (expected["file"].to_numpy(), expected["code"].to_numpy(dtype=object),
             expected["period_key"].to_numpy(dtype=object)))
        at = _first_positions(expected_key, cell_key)
        master_target = expected["Target"].to_numpy(dtype=object)[np.maximum(at, 0)]
        target = np.where(at >= 0, master_target, target)
        context.update(expected=expected, cell_key=cell_key, expected_key=expected_key)
    target_number = _numbers(pd.Series(target, dtype=object))

    status_text = _texts(cells["Reported status"].to_numpy())
    status_ok = _status_words_ok(status_text, scheme, polarity, facts)
    has_code = code != ""
    owner = np.where(has_code, owner, np.array(None, dtype=object))
    kind = parsed["kind"].to_numpy()
    reason = parsed["reason"].to_numpy(dtype=object)
    number = parsed["number"].to_numpy()
    unknown = known_register & pd.isna(owner) & has_code
    rated = _rate(number, has_code & ~unknown, target_number, polarity, tolerance,
                  tolerance_type, scheme, facts)
    rows = pd.DataFrame({
        "file": file_no, "row": row_no,
        # what the refined pandera schema checks
        "Code": code, "Actual": number,
        "Commentary": cells["Commentary"].to_numpy(dtype=object),
        "Reported status": status_text,
        "owner_service": owner, "service": cells["service"].to_numpy(dtype=object),
        "duplicate": _duplicates(file_no, code, period_key.to_numpy()),
        "minimum": np.where(np.isnan(minimum_reg), lo, minimum_reg),
        "maximum": np.where(np.isnan(maximum_reg), hi, maximum_reg),
        "whole": whole, "status_ok": status_ok, "register": known_register,
        # what the other checks and the messages read
        # a blank period is left blank: the message closes up around it (catalogue._closed_up)
        "code": code, "period": period_text.to_numpy(dtype=object),
        "period_text": period_text.to_numpy(dtype=object),
        "period_key": period_key.to_numpy(dtype=object),
        "period_obj": period_obj.to_numpy(dtype=object),
        "typed": cells["Actual"].to_numpy(dtype=object), "kind": kind, "reason": reason,
        "numerator": cells["Numerator"].to_numpy(dtype=object),
        "denominator": cells["Denominator"].to_numpy(dtype=object),
        **{f"{column} {part}": ratio[column][part].to_numpy(dtype=object if part != "number"
                                                             else float)
           for column in ratio for part in ("number", "kind", "reason")},
        "unit": unit, "title": title, "polarity": polarity, "scheme": scheme,
        "tolerance": tolerance, "tolerance_type": tolerance_type, "cumulative": cumulative,
        "plausibility": plausibility, "target": target_number,
        "rated_ok": has_code & ~unknown,
        "commentary_blank": _blanks(cells["Commentary"].to_numpy()),
        # the attributed comment (None in a return made before its columns)
        **{header: cells[header].to_numpy(dtype=object) for header in RETURN_ATTRIBUTED},
        **rated, **_formulas(file_no, row_no, files),
        # as typed, for the locked-cell check (FILE-018)
        **{f"locked {header}": cells[header].to_numpy(dtype=object) for header in LOCKED},
    }, index=pd.Index(cell_keys(file_no, row_no), name="cell"))
    context["rows"] = rows
    batch = Batch("performance", files, facts, previous,
                  cell_fields={"comment_cell": "Commentary"}, context=context)
    return rows, batch


def _duplicates(file: np.ndarray, code: np.ndarray, key: np.ndarray) -> np.ndarray:
    """A second (or later) row of one code and period in one file (a row without a code is
    never a duplicate)."""
    row_key = _joint_keys((file, code, key), (file[:0], code[:0], key[:0]))[0]
    later = np.ones(len(row_key), dtype=bool)
    later[np.unique(row_key, return_index=True)[1]] = False
    return later & (code != "")


def _rate(number: np.ndarray, rated_ok: np.ndarray, target: np.ndarray, polarity: np.ndarray,
          tolerance: np.ndarray, tolerance_type: np.ndarray, scheme: np.ndarray, facts: Any
          ) -> dict[str, np.ndarray]:
    """The status the core's rule gives each row that can be rated (``rated_status``, its
    ``rated_severity`` and the target it was rated against), for PERF-012 and PERF-016."""
    from xlperf.core.status import rate

    n = len(number)
    out = {"rated": np.zeros(n, dtype=bool), "rated_status": np.full(n, None, dtype=object),
           "rated_severity": np.zeros(n, dtype=np.int64), "rated_target": np.full(n, np.nan)}
    can_rate = rated_ok & ~np.isnan(number)
    if not can_rate.any():
        return out
    try:
        rated = rate(number[can_rate], target[can_rate], polarity[can_rate],
                     np.nan_to_num(np.asarray(tolerance, dtype=float)[can_rate]),
                     np.asarray(tolerance_type, dtype=object)[can_rate],
                     scheme[can_rate], schemes=facts.schemes if facts is not None else None)
    except XlperfError:
        return out
    for column, source in (("rated", "rated"), ("rated_status", "status"),
                           ("rated_severity", "severity"), ("rated_target", "target")):
        out[column][can_rate] = rated[source].to_numpy()
    return out


def _formulas(file_no: np.ndarray, row_no: np.ndarray, files: Sequence[Any]
              ) -> dict[str, np.ndarray]:
    """Each row's formula in each figure cell (``formula`` for the Actual, ``numerator
    formula``...; None when the cell holds a value) and whether the file has its calculated
    value (``calculated``, ``numerator calculated``...)."""
    out = {}
    for header, _typed, prefix in _FIGURES:
        formula = np.full(len(file_no), None, dtype=object)
        calculated = np.ones(len(file_no), dtype=bool)
        for f in files:
            column = f.formulas.get(header)
            if not column:
                continue
            for i in np.flatnonzero(file_no == f.number):
                found = column.get(int(row_no[i]))
                if found is not None:
                    formula[i], calculated[i] = found
        out[f"{prefix}formula"], out[f"{prefix}calculated"] = formula, calculated
    return out


def _status_words_ok(words: np.ndarray, scheme: np.ndarray, polarity: np.ndarray,
                     facts: Any) -> np.ndarray:
    """True when the reported word is one of the row's scheme (``None`` when blank)."""
    from xlperf.core.schemes import get_scheme

    result = np.full(len(words), None, dtype=object)
    given = words != ""
    if not given.any():
        return result
    schemes = facts.schemes if facts is not None else None
    # Only the rows with a word are looked at (most returns leave the column blank).
    data_only = polarity[given] == "Data only"
    keys = np.where(data_only, "\x00data-only", scheme[given].astype(str)).astype(object)
    allowed: dict[str, frozenset[str]] = {}
    for name in dict.fromkeys(keys.tolist()):
        if name == "\x00data-only":
            allowed[name] = frozenset({"data only", "no data"})
            continue
        try:
            allowed[name] = frozenset(w.casefold() for w in get_scheme(name, schemes).labels)
        except XlperfError:
            allowed[name] = frozenset()
    folded = [str(w).strip().casefold() for w in words[given]]
    result[given] = [w in allowed[k] for k, w in zip(keys.tolist(), folded, strict=True)]
    return result


def _allowed(failing: Failing, batch: Batch) -> np.ndarray:
    """The words a row's status may be: its scheme's (``allowed``)."""
    from xlperf.core.schemes import get_scheme

    schemes = batch.facts.schemes if batch.facts is not None else None

    def words(scheme: str, polarity: str) -> str:
        if polarity == "Data only":
            return "Data only, No data"
        try:
            return ", ".join(get_scheme(scheme, schemes).labels)
        except XlperfError:
            return "the scheme's words"

    return np.array([words(s, p) for s, p in zip(failing["scheme"], failing["polarity"],
                                                 strict=True)], dtype=object)


# --------------------------------------------------------------------------- the codes
def _did_you_mean(failing: Failing, batch: Batch) -> pd.DataFrame:
    suggester = batch.context.get("suggest")
    if suggester is None:
        suggester = batch.context["suggest"] = _suggester(batch.facts)
        suggester.searches = 0  # the search budget is per batch (the memo is kept)
    close = [suggester(c) for c in failing["Code"]]
    return pd.DataFrame({"value": failing["Code"].to_numpy(dtype=object),
                         "suggestion": [f" Did you mean {c}?" if c else "" for c in close]},
                        index=failing.index)


@check("PERF-001", needs=("Code", "owner_service", "register"), cell="Code", value="Code",
       pandera=True, alone=True, explain=_did_you_mean)
def unknown_code(rows: pd.DataFrame) -> pd.Series:
    """A code that is not in the register (with a master)."""
    return rows["owner_service"].isna() & rows["register"] & (rows["Code"] != "")


def _first_cell(failing: Failing, batch: Batch) -> pd.DataFrame:
    rows = batch.context["rows"]
    first = rows[["file", "Code", "period_text", "row"]].drop_duplicates(
        ["file", "Code", "period_text"]).rename(columns={"row": "first_row"})
    joined = failing[["file", "Code", "period_text", "row"]].merge(
        first, on=["file", "Code", "period_text"], how="left")
    first_row = joined["first_row"].fillna(joined["row"]).to_numpy()
    cells = [batch.by_number[int(f)].cell("Code", int(r))
             for f, r in zip(failing["file"], first_row, strict=True)]
    return pd.DataFrame({"first_cell": cells}, index=failing.index)


@check("PERF-002", needs=("Code", "duplicate"), cell="Code", value="Code", pandera=True,
       always=True, explain=_first_cell)
def listed_twice(rows: pd.DataFrame) -> pd.Series:
    """A second row of one code and period in one return."""
    return rows["duplicate"]


@check("PERF-003", needs=("owner_service", "service"), cell="Code", value="Code",
       pandera=True, alone=True)
def other_service(rows: pd.DataFrame) -> pd.Series:
    """A measure the register gives another service."""
    return rows["owner_service"].notna() & (rows["owner_service"] != rows["service"])


# --------------------------------------------------------------------------- the actual
@check("PERF-004", needs=("kind", "reason", "rated_ok", "polarity", "formula"), cell="Actual",
       value="typed")
def actual_missing(rows: pd.DataFrame, batch: Batch) -> np.ndarray:
    """A blank actual (a formula never calculated is PERF-019's instead)."""
    uncalculated = rows["formula"].notna().to_numpy() & ~rows["calculated"].to_numpy()
    return ((rows["kind"] == KIND_NO_DATA) & (rows["reason"] == "blank") & rows["rated_ok"]
            & (rows["polarity"] != "")).to_numpy() & ~uncalculated


def _figure_needs(*parts: str) -> tuple[str, ...]:
    """The frame's columns of ``parts`` (``kind``...) of every figure cell, and each cell as
    typed: what a check through :func:`_in_figures` needs."""
    return ("rated_ok", *(typed for _header, typed, _prefix in _FIGURES),
            *(prefix + part for _header, _typed, prefix in _FIGURES for part in parts))


def _in_figures(rows: pd.DataFrame, failing: Any, *, rated_only: bool = True) -> pd.DataFrame:
    """The rows ``failing(part)`` picks in each figure cell (Actual, Numerator, Denominator;
    ``part("kind")`` is that cell's column of the frame), a row once per cell (of a row the
    core can rate, unless not ``rated_only``): the cell (``at``), as typed (``value``), the
    column's name in the message (``column``), the parser's ``reason`` and the cell's
    ``formula`` as shown."""
    parts = []
    rated_ok = rows["rated_ok"].to_numpy(dtype=bool) if rated_only else True
    for header, typed, prefix in _FIGURES:
        def part(name: str, prefix: str = prefix) -> np.ndarray:
            return rows[f"{prefix}{name}"].to_numpy(dtype=object)

        hit = np.asarray(failing(part), dtype=bool) & rated_ok
        found = take(rows, hit)
        parts.append(pd.DataFrame({"at": header, "column": header.lower(),
                                   "value": found[typed].to_numpy(dtype=object),
                                   "reason": found[f"{prefix}reason"].to_numpy(dtype=object),
                                   "formula": [_formula_shown(f) for f in
                                               found[f"{prefix}formula"].to_numpy(dtype=object)]},
                                  index=found.index))
    return pd.concat(parts)


def _no_data_word(part: Any) -> np.ndarray:
    """A no-data word (``TBC``, ``n/a``, ``-``): no data that is neither a blank nor an Excel
    error (PERF-007's)."""
    reason = part("reason")
    return (part("kind") == KIND_NO_DATA) & (reason != "blank") & \
        ~_starts_with(reason, "Excel error")


@check("PERF-005", needs=_figure_needs("kind", "reason", "formula"), cell="Actual",
       value="typed")
def no_data(rows: pd.DataFrame, batch: Batch) -> pd.DataFrame:
    """A no-data word (``TBC``, ``n/a``) instead of a figure, in the Actual, Numerator or
    Denominator."""
    return _in_figures(rows, _no_data_word)


@check("PERF-006", needs=_figure_needs("kind", "reason", "formula"), cell="Actual",
       value="typed")
def not_a_number(rows: pd.DataFrame, batch: Batch) -> pd.DataFrame:
    """Text that is not a number, in the Actual, Numerator or Denominator."""
    return _in_figures(rows, lambda part: part("kind") == KIND_INVALID)


@check("PERF-007", needs=_figure_needs("kind", "reason", "formula"), cell="Actual",
       value="typed")
def excel_error(rows: pd.DataFrame, batch: Batch) -> pd.DataFrame:
    """An Excel error (``#DIV/0!``) in the Actual, Numerator or Denominator."""
    return _in_figures(rows, lambda part: _starts_with(part("reason"), "Excel error"))


@check("PERF-021", needs=("denominator number", "denominator", "rated_ok"), cell="Denominator",
       value="denominator")
def zero_denominator(rows: pd.DataFrame, batch: Batch) -> np.ndarray:
    """A denominator of 0: the numerator cannot be divided by it (a query: there may have been
    nothing to count)."""
    return (rows["denominator number"].to_numpy(dtype=float) == 0) & \
        rows["rated_ok"].to_numpy(dtype=bool)



@check("PERF-022", needs=("typed", "kind", "unit", "Actual", "rated_ok"), cell="Actual",
       value="typed")
def unit_sign(rows: pd.DataFrame, batch: Batch) -> pd.DataFrame:
    """A £ or % sign (or a money multiplier) typed with a figure that does not match the
    measure's unit: the number read is kept, and queried."""
    typed = rows["typed"].to_numpy(dtype=object)
    candidates = np.flatnonzero(
        (rows["kind"].to_numpy(dtype=object) == "number") & rows["rated_ok"].to_numpy(dtype=bool)
        & np.fromiter((type(v) is str and ("%" in v or "£" in v) for v in typed), dtype=bool,
                      count=len(typed)))
    unit = rows["unit"].to_numpy(dtype=object)
    detail = [_sign_mismatch(typed[i], unit[i]) for i in candidates]
    hit = np.zeros(len(rows), dtype=bool)
    hit[candidates[np.array([bool(d) for d in detail], dtype=bool)]] = True
    found = take(rows, hit)
    return pd.DataFrame({"detail": [d for d in detail if d],
                         "unit": [_text(u) for u in found["unit"]],
                         "actual": [_num(v) for v in found["Actual"]]}, index=found.index)

def _limits(failing: Failing, batch: Batch) -> pd.DataFrame:
    lo, hi = failing["minimum"].to_numpy(), failing["maximum"].to_numpy()
    return pd.DataFrame({"minimum": [_bound(v) for v in lo], "maximum": [_bound(v) for v in hi],
                         "unit": [_unit_name(a, b) for a, b in zip(lo, hi, strict=True)]},
                        index=failing.index)


@check("PERF-008", needs=("Actual", "minimum", "maximum"), cell="Actual", value="Actual",
       pandera=True, explain=_limits)
def out_of_range(rows: pd.DataFrame) -> pd.Series:
    """An actual below the measure's minimum or above its maximum."""
    actual = rows["Actual"]
    return (actual < rows["minimum"]) | (actual > rows["maximum"])


@check("PERF-009", needs=("Actual", "whole"), cell="Actual", value="Actual", pandera=True)
def not_whole(rows: pd.DataFrame) -> pd.Series:
    """A count that is not a whole number."""
    actual = rows["Actual"]
    return rows["whole"] & actual.notna() & (actual != actual.round(0))


@check("PERF-010", needs=("Actual", "numerator", "denominator", "numerator number",
                         "denominator number", "unit", "rated_ok"),
       cell="Actual", value="Actual")
def ratio_disagrees(rows: pd.DataFrame, batch: Batch) -> pd.DataFrame:
    """Numerator / denominator (scaled by the unit) that does not give the actual."""
    num = rows["numerator number"].to_numpy(dtype=float)
    den = rows["denominator number"].to_numpy(dtype=float)
    number = rows["Actual"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        implied = num / den * _ratio_scale(rows["unit"])
    gap = np.abs(implied - number)
    failing = (~np.isnan(gap) & (den != 0) & (gap > np.maximum(0.051, 0.005 * np.abs(implied)))
               & rows["rated_ok"].to_numpy())
    found = take(rows, failing)
    return pd.DataFrame({"numerator": [_num(v) for v in found["numerator number"]],
                         "denominator": [_num(v) for v in found["denominator number"]],
                         "expected": [_num(v) for v in implied[failing]]}, index=found.index)


# --------------------------------------------------------------------------- the status
def _allowed_words(failing: Failing, batch: Batch) -> pd.DataFrame:
    return pd.DataFrame({"allowed": _allowed(failing, batch)}, index=failing.index)


@check("PERF-011", needs=("status_ok",), cell="Reported status", value="Reported status",
       pandera=True, explain=_allowed_words)
def unknown_status(rows: pd.DataFrame) -> pd.Series:
    """A reported status that is not a word of the measure's scheme."""
    return ~rows["status_ok"].fillna(True).astype(bool)


@check("PERF-012", needs=("Reported status", "status_ok", "rated", "rated_status"),
       cell="Reported status", value="Reported status")
def status_disagrees(rows: pd.DataFrame, batch: Batch) -> pd.DataFrame:
    """A reported status other than the one the core's rule gives."""
    given = rows["Reported status"].to_numpy(dtype=object)
    differs = (given != "") & (rows["status_ok"].to_numpy(dtype=object) == True) & \
        rows["rated"].to_numpy(dtype=bool)  # noqa: E712
    computed = rows["rated_status"].to_numpy(dtype=object)
    compared = np.flatnonzero(differs)  # few rows carry a word: only theirs are compared
    differs[compared] = [str(g).casefold() != str(c).casefold()
                         for g, c in zip(given[compared], computed[compared], strict=True)]
    found = take(rows, differs)
    return pd.DataFrame({"allowed": _allowed(found, batch),
                         "actual": [_num(v) for v in found["Actual"]],
                         "target": [_num(v) for v in found["rated_target"]],
                         "expected": [str(w) for w in found["rated_status"]]},
                        index=found.index)


@check("PERF-016", needs=("rated", "rated_severity", "commentary_blank"), cell="Commentary")
def unexplained(rows: pd.DataFrame, batch: Batch) -> pd.DataFrame:
    """An off-target status with no commentary."""
    from xlperf.findings import StatusSeverity

    off = rows["rated"].to_numpy(dtype=bool) & (
        rows["rated_severity"].to_numpy() >= StatusSeverity.WITHIN_TOLERANCE) & \
        rows["commentary_blank"].to_numpy(dtype=bool)
    found = take(rows, off)
    return pd.DataFrame({"status": [str(w) for w in found["rated_status"]]},
                        index=found.index)


# --------------------------------------------------------------------------- the commentary
@check("PERF-017", needs=("Commentary",), cell="Commentary", pandera=True, always=True,
       explain=lambda failing, batch: pd.DataFrame({
           "value": [shown(v) for v in failing["Commentary"]],
           "first": [str(shown(v)).lstrip()[:1] if shown(v) is not None else ""
                     for v in failing["Commentary"]]}, index=failing.index))
def formula_like(rows: pd.DataFrame) -> pd.Series:
    """Commentary that starts like a formula (``=``, ``+``, ``-``, ``@``): kept as text."""
    from xlperf.catalogue.schemas import _not_formula_like

    if "Commentary" not in rows:
        return pd.Series(False, index=rows.index)
    return ~_not_formula_like(rows["Commentary"])


@check("PERF-020", needs=RETURN_ATTRIBUTED, always=True)
def unattributed(rows: pd.DataFrame, batch: Batch) -> pd.DataFrame:
    """A further comment with nobody named in Comment by (the finding names that cell), or
    an author or subject with no further comment (it names the Further comment cell)."""
    subject, by, comment = (rows[h].to_numpy(dtype=object) for h in RETURN_ATTRIBUTED)
    no_author, no_comment = _blanks(by), _blanks(comment)
    orphan = ~no_comment & no_author
    lonely = no_comment & ~(no_author & _blanks(subject))
    hit = orphan | lonely
    if not hit.any():
        return pd.DataFrame(columns=["at", "detail"])
    found = take(rows, hit)
    at, detail = [], []
    for o, s, b in zip(orphan[hit], subject[hit], by[hit], strict=True):
        if o:
            at.append("Comment by")
            detail.append("the further comment does not say who wrote it: type their name "
                          "or role in Comment by.")
        else:
            who = f"by {_text(b)}" if not blank(b) else f"under '{_text(s)}'"
            at.append("Further comment")
            detail.append(f"a further comment {who} is named, but the Further comment "
                          "cell is blank.")
    return pd.DataFrame({"at": at, "detail": detail}, index=found.index)


# --------------------------------------------------------------------------- formulas
def _formula_shown(formula: Any) -> str | None:
    """A formula as a message quotes it: with its ``=``, cut at 80 characters (None: the cell
    holds no formula)."""
    if not isinstance(formula, str):
        return None
    return "=" + (formula if len(formula) <= _FORMULA_SHOWN
                  else formula[:_FORMULA_SHOWN] + "…")


def _formula_fields(found: Failing) -> pd.DataFrame:
    formula = found["formula"].to_numpy(dtype=object)
    return pd.DataFrame({"formula": [_formula_shown(f) for f in formula],
                         "code": [_text(c) for c in found["code"]],
                         "period": found["period_text"].to_numpy(dtype=object)},
                        index=found.index)


@check("PERF-018", needs=("formula", "calculated"), cell="Actual", value="typed", always=True)
def linked(rows: pd.DataFrame, batch: Batch) -> pd.DataFrame:
    """An Actual formula linked to another workbook (the value Excel saved is taken)."""
    formula = rows["formula"].to_numpy(dtype=object)
    hit = np.array([isinstance(f, str) and bool(_EXTERNAL.search(f)) for f in formula], dtype=bool)
    return _formula_fields(take(rows, hit & rows["calculated"].to_numpy()))


@check("PERF-019", needs=_figure_needs("formula", "calculated", "reason"), cell="Actual",
       value="typed", always=True)
def never_calculated(rows: pd.DataFrame, batch: Batch) -> pd.DataFrame:
    """A formula with no calculated value (a file not saved by Excel) in the Actual,
    Numerator or Denominator; on any row, a total row a service added too."""
    return _in_figures(rows, lambda part: pd.notna(part("formula"))
                       & ~part("calculated").astype(bool), rated_only=False)


# --------------------------------------------------------------------------- the layout
def locked_differs(rows: pd.DataFrame, batch: Batch) -> pd.DataFrame:
    """Locked cells (measure, unit, polarity, target) that differ from the template's; the
    FILE-018 check of a performance return (:mod:`xlperf.validate.file_rules`)."""
    expected = batch.context.get("expected")
    if expected is None:
        return pd.DataFrame(columns=["at", "value", "expected"])
    position, found = _template_positions(rows, batch)
    where = np.flatnonzero(found)
    at = position[where]
    parts = []
    for header in LOCKED:
        got = rows[f"locked {header}"].to_numpy(dtype=object)[at]
        want = expected[header].to_numpy(dtype=object)[where]
        differs = _differs(got, want)
        keys = rows.index.to_numpy()[at[differs]]
        has = np.array([header in batch.by_number[int(f)].columns
                        for f in rows["file"].to_numpy()[at[differs]]], dtype=bool)
        parts.append(pd.DataFrame({
            "at": header, "value": [shown(g) for g in got[differs]],
            "expected": ["blank" if blank(w) else _plain(w) for w in want[differs]]},
            index=keys).iloc[np.flatnonzero(has)])
    return pd.concat(parts) if parts else pd.DataFrame(columns=["at", "value", "expected"])


def _template_positions(rows: pd.DataFrame, batch: Batch) -> tuple[np.ndarray, np.ndarray]:
    """For each template row, the position of the return's first row of its code and period
    (a row without a code is none), and whether there is one."""
    key = "template positions"
    if key not in batch.context:
        position = _first_positions(batch.context["cell_key"], batch.context["expected_key"],
                                    among=rows["Code"].to_numpy(dtype=object) != "")
        batch.context[key] = (position, position >= 0)
    return batch.context[key]


def rows_moved(rows: pd.DataFrame, batch: Batch) -> pd.DataFrame:
    """FILE-017: one finding per block of template rows moved by the same amount."""
    expected = batch.context.get("expected")
    if expected is None:
        return pd.DataFrame()
    position, found = _template_positions(rows, batch)
    exp_file = expected["file"].to_numpy()
    exp_code = expected["code"].to_numpy(dtype=object)
    exp_row = expected["row"].to_numpy()
    row = np.where(found, rows["row"].to_numpy()[np.maximum(position, 0)], 0).astype(np.int64)
    shift = row - exp_row
    moved = np.flatnonzero(found & (shift != 0))
    kept = []
    if len(moved):
        moved = moved[np.lexsort((exp_row[moved], exp_file[moved]))]
        for n, i in enumerate(moved):
            if n:
                j = moved[n - 1]
                if exp_file[j] == exp_file[i] and shift[j] == shift[i] and \
                        exp_row[i] == exp_row[j] + 1:
                    continue  # the same block
            kept.append(i)
    kept_a = np.array(kept, dtype=np.int64)
    return pd.DataFrame({"file": exp_file[kept_a], "row": row[kept_a],
                         "value": exp_code[kept_a], "code": exp_code[kept_a],
                         "expected_row": exp_row[kept_a]}).assign(
        **{"row": lambda f: f["row"].astype(np.int64)})


def rows_missing(rows: pd.DataFrame, batch: Batch) -> pd.DataFrame:
    """FILE-020: template rows the return does not have."""
    expected = batch.context.get("expected")
    if expected is None:
        return pd.DataFrame()
    _position, found = _template_positions(rows, batch)
    missing = ~found
    return pd.DataFrame({"file": expected["file"].to_numpy()[missing], "row": 0,
                         "code": expected["code"].to_numpy(dtype=object)[missing],
                         "period": expected["period"].to_numpy(dtype=object)[missing],
                         "expected_row": expected["row"].to_numpy()[missing].astype(int)})
