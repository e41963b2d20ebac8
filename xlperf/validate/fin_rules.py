"""The FIN family: the lines of revenue finance returns (and the amounts every finance or
capital programme line gives), one check per rule.

:func:`check_finance` builds one frame for every finance and capital programme return of a
batch (:func:`finance_frame`; a line's name in ``line``, a capital return's ``Programme``
read as its ``Service area``; the master's figure where a locked cell was changed) and hands
it to the engine, which runs these checks and those of :mod:`xlperf.validate.cap_rules`.
The total row under the lines is checked only by ``FIN-002`` (it cross-foots).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from xlperf.core.budget import ends_with_total, is_directorate_total, is_total_line
from xlperf.core.columns import fold
from xlperf.core.values import KIND_INVALID, KIND_NUMBER, REASON_BLANK, parse_values
from xlperf.layout import RETURN_HEADERS
from xlperf.validate._frames import _differs, _num, _plain, _sign_mismatch, _text
from xlperf.validate.engine import Batch, Failing, blank, cell_keys, run, shown
from xlperf.validate.registry import check

__all__ = ["check_finance", "finance_frame"]

FINANCE_HEADERS = RETURN_HEADERS["finance"]
CAPITAL_HEADERS = ("Revised estimate", "Actual to date")
AMOUNTS = ("Gross budget", "Net budget", "Forecast outturn", "Variance", "Revised estimate",
           "Actual to date", "Revised base budget")
# The money columns a finance or capital return's total row adds up (FIN-002).
CROSSFOOT_COLUMNS = {"finance": ("Gross budget", "Net budget", "Forecast outturn"),
                     "capital": ("Revised base budget", "Revised estimate", "Actual to date")}


def check_finance(files: Sequence[Any], facts: Any) -> None:
    """Every check of the FIN and CAP families (and FILE-018) over the finance and capital
    programme returns of a batch, their findings added to each file."""
    from xlperf.validate import cap_rules, file_rules  # noqa: F401 - they register checks

    rows, batch = finance_frame(files, facts)
    run(rows, batch)


def finance_frame(files: Sequence[Any], facts: Any) -> tuple[pd.DataFrame, Batch]:
    """The frame the FIN and CAP checks read, indexed by cell key, and the batch."""
    from xlperf.validate.cap_rules import capital_estimates

    parts = []
    for f in files:
        frame = f.cells.rename(columns={"Programme": "Service area"})
        frame["file"] = f.number
        frame["capital"] = f.kind == "capital"
        parts.append(frame.reset_index())
    cells = pd.concat(parts, ignore_index=True)
    for column in (*FINANCE_HEADERS, *CAPITAL_HEADERS, "Revised base budget"):
        if column not in cells.columns:
            cells[column] = None
    line = cells["Service area"].map(_text)
    capital = cells["capital"].to_numpy(dtype=bool)
    # The total row under the lines (its name says total): checked only by FIN-002; the
    # directorate total on its owner's return only by FIN-008.
    is_total = line.map(is_total_line).to_numpy(dtype=bool)
    directorate = line.map(is_directorate_total).to_numpy(dtype=bool) & ~capital
    numbers = {c: parse_values(cells[c]) for c in AMOUNTS}
    # The amount each row must give: the forecast outturn, or a programme's actual to date.
    amount_kind = np.where(capital, numbers["Actual to date"]["kind"].to_numpy(dtype=object),
                           numbers["Forecast outturn"]["kind"].to_numpy(dtype=object))
    amount_reason = np.where(
        capital, numbers["Actual to date"]["reason"].to_numpy(dtype=object),
        numbers["Forecast outturn"]["reason"].to_numpy(dtype=object))
    # A programme's revised estimate may be left blank: the master's stands (cap_rules).
    estimate_kind = numbers["Revised estimate"]["kind"].to_numpy(dtype=object)
    estimate_bad = capital & (estimate_kind != KIND_NUMBER) & (
        numbers["Revised estimate"]["reason"].to_numpy(dtype=object) != REASON_BLANK)
    materiality = facts.materiality if facts is not None else 50.0
    file_no = cells["file"].to_numpy(dtype=np.int64)
    row_no = cells["row"].to_numpy(dtype=np.int64)
    # The amounts as the cells hold them (FIN-002 adds these up); the checks then take the
    # master's figure where a locked cell was changed, or a programme's estimate left blank.
    typed = {c: numbers[c]["number"].to_numpy() for c in numbers}
    amount = np.where(capital, "Actual to date", "Forecast outturn").astype(object)
    rows = pd.DataFrame({
        "file": file_no, "row": row_no, "Service area": line.astype(str).to_numpy(),
        "line": line.to_numpy(dtype=object), "lines": ~is_total, "capital": capital,
        **typed, **{f"typed {c}": typed[c] for c in typed},
        **{f"raw {c}": cells[c].to_numpy(dtype=object) for c in AMOUNTS},
        **{f"kind {c}": numbers[c]["kind"].to_numpy(dtype=object) for c in AMOUNTS},
        **{f"reason {c}": numbers[c]["reason"].to_numpy(dtype=object) for c in AMOUNTS},
        "amount": amount,
        "amount_kind": np.where(estimate_bad, KIND_INVALID, amount_kind),
        "amount_blank": (amount_reason == REASON_BLANK) & ~estimate_bad,
        "explained": ~cells["Explanation"].map(blank).to_numpy(dtype=bool),
        "materiality": np.where(is_total, np.inf, materiality),
        "threshold": _num(materiality),
        "directorate_total": directorate,
        "total_materiality": float(materiality),
    }, index=pd.Index(cell_keys(file_no, row_no), name="cell"))
    rows["total_variance"] = _total_variances(rows, facts)
    batch = Batch("finance", files, facts, cell_fields={"comment_cell": "Explanation"})
    capital_estimates(rows, facts)
    _locked(rows, batch, [(sheet, among, header, core) for sheet, among, header, core in (
        *(_budget_lines(facts, ~capital)), *_programme_lines(facts, capital))])
    return rows, batch


def _total_variances(rows: pd.DataFrame, facts: Any) -> np.ndarray:
    """The directorate total's variance on its owner's return (NaN on every other row): the
    Budget sheet's total forecast with this return's forecasts over its lines', minus the
    total's net budget, as the refresh will work it out once the return is in."""
    out = np.full(len(rows), np.nan)
    at = np.flatnonzero(rows["directorate_total"].to_numpy(dtype=bool))
    budget = facts.budget if facts is not None else pd.DataFrame()
    if not len(at) or not len(budget) or "line" not in budget.columns or "budget" not in \
            budget.columns or not ends_with_total(budget):
        return out
    master = parse_values(budget["forecast"].astype(object) if "forecast" in budget.columns
                          else pd.Series(None, index=budget.index, dtype=object))["number"]
    net = parse_values(budget["budget"].astype(object))["number"].iloc[-1]
    if pd.isna(net):
        return out
    lines = {fold(_text(n)): f for n, f in zip(budget["line"].iloc[:-1], master.iloc[:-1],
                                                strict=True)}
    stated = master.iloc[-1]
    base = float(stated) if not pd.isna(stated) else float(np.nansum(list(lines.values())))
    typed = rows["typed Forecast outturn"].to_numpy(dtype=float)
    names = [fold(_text(n)) for n in rows["line"]]
    mine_of = rows["file"].to_numpy()
    usable = rows["lines"].to_numpy(dtype=bool) & ~rows["capital"].to_numpy(dtype=bool)
    for d in at:
        change = 0.0
        for i in np.flatnonzero((mine_of == mine_of[d]) & usable & ~np.isnan(typed)):
            before = lines.get(names[i])
            if before is not None:
                change += typed[i] - (0.0 if pd.isna(before) else float(before))
        out[d] = base + change - float(net)
    return out


def _budget_lines(facts: Any, among: np.ndarray) -> list[tuple[pd.DataFrame, np.ndarray, str,
                                                               str]]:
    if facts is None or not len(facts.budget) or "line" not in facts.budget.columns:
        return []
    budget = facts.budget.assign(line=facts.budget["line"].map(_text)).drop_duplicates(
        "line").set_index("line")
    return [(budget, among, "Gross budget", "gross_budget"),
            (budget, among, "Net budget", "budget")]


def _programme_lines(facts: Any, among: np.ndarray) -> list[tuple[pd.DataFrame, np.ndarray,
                                                                  str, str]]:
    from xlperf.validate.cap_rules import programmes

    found = programmes(facts)
    return [] if found is None else [(found, among, "Revised base budget", "base_budget")]


def _locked(rows: pd.DataFrame, batch: Batch,
            locked: list[tuple[pd.DataFrame, np.ndarray, str, str]]) -> None:
    """Locked cells against the master's Budget and Capital sheets: the checks use the
    master's figure, and what was typed over it is kept for FILE-018."""
    changed = []
    line = rows["line"].to_numpy(dtype=object)
    for sheet, among, header, core in locked:
        if core not in sheet.columns:
            continue
        want = sheet[core].reindex(line).to_numpy(dtype=object)
        got = rows[f"raw {header}"].to_numpy(dtype=object)
        known = pd.Series(line).isin(sheet.index).to_numpy() & among & rows["lines"].to_numpy()
        differs = known & _differs(got, want)
        master_numbers = parse_values(pd.Series(want, dtype=object))["number"].to_numpy()
        rows[header] = np.where(known, master_numbers, rows[header].to_numpy())
        at = np.flatnonzero(differs)
        changed.append(pd.DataFrame({
            "at": header, "value": [shown(g) for g in got[at]],
            "expected": [_plain(v) for v in master_numbers[at]]}, index=rows.index[at]))
    batch.context["locked"] = changed


def locked_differs(rows: pd.DataFrame, batch: Batch) -> pd.DataFrame:
    """FILE-018 of a finance or capital return: locked budget cells typed over."""
    changed = [frame[[header in batch.by_number[int(f)].columns for f, header in zip(
        rows.loc[frame.index, "file"], frame["at"], strict=True)]]
        for frame in batch.context.get("locked", [])]
    changed = [c for c in changed if len(c)]
    return pd.concat(changed) if changed else pd.DataFrame(columns=["at", "value"])


# --------------------------------------------------------------------------- the amounts
def _amount_column(failing: Failing, batch: Batch) -> pd.DataFrame:
    amount = failing["amount"].to_numpy(dtype=object)
    kind = np.where(amount == "Actual to date", failing["kind Actual to date"],
                    failing["kind Forecast outturn"])
    reason = np.where(amount == "Actual to date", failing["reason Actual to date"],
                      failing["reason Forecast outturn"])
    column = np.where((kind != KIND_NUMBER) & (reason != REASON_BLANK), amount,
                      "Revised estimate").astype(object)
    raw = np.where(column == "Actual to date", failing["raw Actual to date"],
                   np.where(column == "Forecast outturn", failing["raw Forecast outturn"],
                            failing["raw Revised estimate"]))
    return pd.DataFrame({"at": column, "column": column, "value": [shown(v) for v in raw]},
                        index=failing.index)


@check("FIN-001", needs=("amount_kind", "amount_blank", "lines"), pandera=True,
       explain=_amount_column)
def amount_not_a_number(rows: pd.DataFrame) -> pd.Series:
    """An amount that is not a number (a programme's revised estimate too)."""
    return ~((rows["amount_kind"] == "number") | rows["amount_blank"]) & rows["lines"]


@check("FIN-007", needs=("amount_blank", "lines"), pandera=True,
       explain=lambda failing, batch: pd.DataFrame({
           "at": failing["amount"], "column": failing["amount"].str.lower()},
           index=failing.index))
def amount_missing(rows: pd.DataFrame) -> pd.Series:
    """A line without its forecast outturn (a programme without its actual to date)."""
    return rows["amount_blank"] & rows["lines"]


def _variance_fields(failing: Failing, batch: Batch) -> pd.DataFrame:
    forecast, budget = failing["Forecast outturn"], failing["Net budget"]
    return pd.DataFrame({"forecast": [_num(v) for v in forecast],
                         "budget": [_num(v) for v in budget],
                         "expected": [_num(v) for v in forecast - budget]}, index=failing.index)


@check("FIN-003", needs=("Variance", "Forecast outturn", "Net budget", "lines"),
       cell="Variance", value="Variance", pandera=True, explain=_variance_fields)
def variance_disagrees(rows: pd.DataFrame) -> pd.Series:
    """A variance that is not forecast outturn minus net budget."""
    expected = rows["Forecast outturn"] - rows["Net budget"]
    return ((rows["Variance"] - expected).abs() > 0.5) & rows["lines"]


@check("FIN-004", needs=("Forecast outturn", "Net budget", "materiality", "explained",
                         "lines"), cell="Explanation", pandera=True,
       explain=lambda failing, batch: pd.DataFrame({"variance": [
           f"{v:+,.0f}" for v in failing["Forecast outturn"] - failing["Net budget"]]},
           index=failing.index))
def variance_unexplained(rows: pd.DataFrame) -> pd.Series:
    """A variance at or above the materiality threshold with no explanation."""
    variance = (rows["Forecast outturn"] - rows["Net budget"]).abs()
    return (variance >= rows["materiality"]) & ~rows["explained"] & rows["lines"]


@check("FIN-006", needs=("Forecast outturn", "Net budget", "lines"), cell="Forecast outturn",
       value="Forecast outturn", pandera=True,
       explain=lambda failing, batch: pd.DataFrame({
           "column": "Forecast outturn",
           "factor": [f"{10 ** round(math.log10(abs(f / b) if b else 1000)):,}" for f, b in zip(
               failing["Forecast outturn"], failing["Net budget"], strict=True)]},
           index=failing.index))
def in_pounds(rows: pd.DataFrame) -> pd.Series:
    """A forecast about 1,000 times the budget: typed in pounds, not £000s."""
    ratio = rows["Forecast outturn"].abs() / rows["Net budget"].abs()
    return ratio.between(300, 3000) & rows["lines"]


# The amounts a service types (the budgets are locked): a finance line's forecast outturn and
# variance, a programme's revised estimate and actual to date.
_TYPED_AMOUNTS = ("Forecast outturn", "Variance", "Revised estimate", "Actual to date")


@check("FIN-009", needs=("lines", *(f"{p} {c}" for c in _TYPED_AMOUNTS
                                    for p in ("raw", "kind", "typed"))))
def amount_sign(rows: pd.DataFrame, batch: Batch) -> pd.DataFrame:
    """A % sign or a money multiplier (``£1.2m``) typed with an amount in £000s: the number
    read is kept, and queried (the same decision as a measure's, PERF-022)."""
    parts = []
    lines = rows["lines"].to_numpy(dtype=bool)
    for column in _TYPED_AMOUNTS:
        raw = rows[f"raw {column}"].to_numpy(dtype=object)
        number = rows[f"kind {column}"].to_numpy(dtype=object) == KIND_NUMBER
        candidates = np.flatnonzero(lines & number & np.fromiter(
            (type(v) is str and ("%" in v or "£" in v) for v in raw), dtype=bool,
            count=len(raw)))
        detail = [_sign_mismatch(raw[i], "£000s") for i in candidates]
        hit = candidates[np.array([bool(d) for d in detail], dtype=bool)]
        parts.append(pd.DataFrame({
            "at": column, "column": column, "value": [shown(v) for v in raw[hit]],
            "detail": [d for d in detail if d],
            "actual": [_num(v) for v in rows[f"typed {column}"].to_numpy()[hit]]},
            index=rows.index[hit]))
    return pd.concat(parts)


@check("FIN-008", needs=("total_variance", "total_materiality", "explained",
                         "directorate_total"), cell="Explanation", pandera=True,
       explain=lambda failing, batch: pd.DataFrame({"variance": [
           f"{v:+,.0f}" for v in failing["total_variance"]]}, index=failing.index))
def total_unexplained(rows: pd.DataFrame) -> pd.Series:
    """The directorate total on its owner's return: a variance at or above the materiality
    threshold (with this return's forecasts) and no explanation."""
    return (rows["directorate_total"] & ~rows["explained"]
            & (rows["total_variance"].abs() >= rows["total_materiality"]))


# --------------------------------------------------------------------------- the total row
@check("FIN-002", needs=("lines",))
def total_does_not_add_up(rows: pd.DataFrame, batch: Batch) -> pd.DataFrame:
    """The total row cross-foots every money column, as typed (a blank line adds nothing, as
    in Excel's SUM). A total without a value is a formula never calculated (a file not saved
    by Excel): not checked."""
    from xlperf.core.budget import crossfoot

    typed = pd.DataFrame({c: rows[f"typed {c}"].to_numpy() for c in AMOUNTS}, index=rows.index)
    is_number = {c: rows[f"kind {c}"].to_numpy() == KIND_NUMBER for c in AMOUNTS}
    adds_up = {c: is_number[c] | (rows[f"reason {c}"].to_numpy() == REASON_BLANK)
               for c in AMOUNTS}  # a number, or a blank that SUM takes as nothing
    is_line = rows["lines"].to_numpy(dtype=bool)
    # The template's own total: not the directorate total on its owner's return (FIN-008).
    is_total = ~is_line & ~rows["directorate_total"].to_numpy(dtype=bool)
    file_of = rows["file"].to_numpy()
    keys, found = [], []
    for f in batch.files:
        mine = np.flatnonzero(file_of == f.number)
        totals = mine[is_total[mine]]
        if not len(totals):
            continue
        total_at, lines = totals[-1], mine[is_line[mine]]
        columns = [c for c in CROSSFOOT_COLUMNS[f.kind] if c in f.columns
                   and is_number[c][total_at] and adds_up[c][lines].all()]
        for problem in crossfoot(typed.iloc[lines].fillna(0.0), typed.iloc[total_at],
                                 columns):
            value = typed.iat[total_at, typed.columns.get_loc(problem.column)]
            difference = problem.difference
            keys.append(rows.index[total_at])
            found.append({
                "at": problem.column, "column": problem.column, "value": _num(value),
                "expected": _num(problem.lines_total), "difference": _num(abs(difference)),
                "hint": (" Two digits may be swapped (the difference divides by 9)."
                         if difference and float(difference).is_integer()
                         and difference % 9 == 0 else "")})
    return pd.DataFrame(found, index=pd.Index(keys, dtype=np.int64),
                        columns=["at", "column", "value", "expected", "difference", "hint"])
