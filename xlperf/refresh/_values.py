"""The values a refresh records and scores: the accepted rows of the returns read, the
ledger's values in the scoring window, each measure's trend and its SPC."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from xlperf.core.a1 import cell_ref, parse_cell
from xlperf.errors import InputError
from xlperf.findings import Finding

if TYPE_CHECKING:
    from xlperf.core.periods import Period
    from xlperf.ledger import Ledger, RefreshRun, SpcChange
    from xlperf.read.master import Master
    from xlperf.read.returns import Return

__all__ = ["rows_rejected_by", "trend_values"]


def rows_rejected_by(findings: Sequence[Finding]) -> tuple[bool, set[int]]:
    """(whole file rejected, rejected Excel rows) from a report's error findings. The MIL
    findings are on the return's Milestones sheet: they reject its rows
    (:func:`activity_rejected_by`), not the figures'."""
    whole, rows = False, set()
    for f in findings:
        if f.rule.startswith("MIL-"):
            continue
        if f.rule.startswith("FILE-") or not f.cell:
            whole = True
            continue
        try:
            rows.add(parse_cell(f.cell)[0])
        except ValueError:
            whole = True
    return whole, rows


def activity_rejected_by(findings: Sequence[Finding]) -> set[int]:
    """The Excel rows of a return's Milestones sheet that its MIL error findings reject."""
    rows = set()
    for f in findings:
        if f.rule.startswith("MIL-") and f.cell:
            with contextlib.suppress(ValueError):
                rows.add(parse_cell(f.cell)[0])
    return rows


def _finance_values(ret: Return, path: Path, bad_rows: set[int]) -> tuple[pd.DataFrame, int, int]:
    """(accepted rows with provenance, accepted count, rejected count) of a finance or capital
    programme return (its ``Cell``: the forecast outturn's, or the actual to date's)."""
    frame = ret.values.copy()
    keep = ~frame.index.isin(list(bad_rows))
    frame = frame.loc[keep]
    frame["Source file"] = path.name
    column = ret.columns.get("Forecast outturn") or ret.columns.get("Actual to date")
    frame["Cell"] = [cell_ref(int(r), column) if column else None for r in frame.index]
    return frame, int(keep.sum()), int((~keep).sum())


def _kind_of(ret: Return) -> str:
    if ret.kind in ("finance", "capital"):
        return str(ret.kind)
    if "Forecast outturn" in ret.values.columns:
        return "finance"
    return "capital" if "Programme" in ret.values.columns else "performance"


def _provenance(values: list[Any]) -> pd.Series:
    """A provenance column as one return's frame had it: text (``str``) when every cell is
    text, else object (a return without an Actual column has no cells)."""
    if all(isinstance(v, str) for v in values):
        return pd.Series(values, dtype="str")
    return pd.Series(values, dtype=object)


def _performance_values(returns: Sequence[tuple[Return, Path, str | None, set[int]]]
                        ) -> tuple[pd.DataFrame, list[tuple[int, int]]]:
    """The accepted rows of every performance return (``(Return, path, sha, rejected Excel
    rows)``) as one frame in the ledger's submission layout, and each return's (accepted,
    rejected) row counts.

    All returns are handled in one concatenated pass (a refresh reads dozens of 25-row
    returns: per-return pandas steps cost more than the work). Per return, as a return is
    read on its own: a %-formatted Actual is read as a percentage
    (:func:`~xlperf.read.returns.return_values`); rows without a code are not rows; rows with
    an error finding are rejected; then rows whose Actual is not a value or whose Period
    cannot be read are rejected too (the validator should have said so: kept out of the
    ledger rather than stopping the refresh)."""
    if not returns:
        return pd.DataFrame(), []
    from xlperf.core.periods import parse_period
    from xlperf.core.values import parse_values
    from xlperf.read.returns import PERFORMANCE_VALUES

    columns = list(PERFORMANCE_VALUES)
    frames = [ret.values for ret, _path, _sha, _bad in returns]
    sizes = np.array([len(f) for f in frames])
    owner = np.repeat(np.arange(len(frames)), sizes)
    rows = np.concatenate([f.index.to_numpy(dtype=np.int64) for f in frames])
    # Each return's cells as one object block (a column at a time cost more than the rows).
    blocks = [(f.to_numpy(dtype=object), {c: i for i, c in enumerate(f.columns)})
              for f in frames]

    def column(name: str, blank: Any) -> np.ndarray:
        return np.concatenate([block[:, at[name]] if name in at
                               else np.full(len(block), blank, dtype=object)
                               for block, at in blocks])

    data = {c: column(c, None) for c in columns}
    # %-formatted Actual cells: 0.6804 shown as 68.04% is 68.04 (a number only).
    percent = column("percent_format", False).astype(bool)
    if percent.any():
        actual = data["Actual"] = data["Actual"].copy()
        at = np.flatnonzero(percent)
        parsed = parse_values(pd.Series(actual[at], dtype=object), True)
        number = (parsed["kind"] == "number").to_numpy() & parsed["number"].notna().to_numpy()
        actual[at[number]] = parsed["number"].to_numpy()[number].astype(object)
    coded = np.array([v is not None and str(v).strip() != "" for v in data["Code"]],
                     dtype=bool)
    flagged = np.zeros(len(rows), dtype=bool)  # rows with an error finding
    for i, (_ret, _path, _sha, bad) in enumerate(returns):
        if bad:
            part = slice(int(sizes[:i].sum()), int(sizes[:i + 1].sum()))
            flagged[part] = np.isin(rows[part], list(bad))
    counted = np.bincount(owner[coded & ~flagged], minlength=len(frames))
    refused = np.bincount(owner[coded & flagged], minlength=len(frames))
    taken = coded & ~flagged
    # Unreadable Actual or Period among the rows taken.
    kinds = parse_values(pd.Series(data["Actual"][taken], dtype=object))["kind"].to_numpy()
    readable = np.ones(len(rows), dtype=bool)
    readable[np.flatnonzero(taken)[kinds == "invalid"]] = False
    periods: dict[Any, bool] = {}
    for value in pd.unique(data["Period"][taken]):
        try:
            parse_period(value)
            periods[value] = True
        except (InputError, TypeError):
            periods[value] = False
    readable[taken] &= np.array([periods[v] for v in data["Period"][taken]], dtype=bool)
    unreadable = np.bincount(owner[taken & ~readable], minlength=len(frames))
    keep = np.flatnonzero(taken & readable)
    out = pd.DataFrame({c: data[c][keep] for c in columns}, dtype=object)
    names = np.array([path.name for _r, path, _s, _b in returns], dtype=object)
    shas = np.array([sha for _r, _p, sha, _b in returns], dtype=object)
    sheets = np.array([ret.sheet for ret, _p, _s, _b in returns], dtype=object)
    actual_columns = [ret.columns.get("Actual") for ret, _p, _s, _b in returns]
    out["Source file"] = _provenance(names[owner[keep]].tolist())
    out["Source SHA-256"] = _provenance(shas[owner[keep]].tolist())
    out["Sheet"] = _provenance(sheets[owner[keep]].tolist())
    out["Cell"] = _provenance([cell_ref(int(r), actual_columns[o]) if actual_columns[o]
                               else None for r, o in zip(rows[keep], owner[keep], strict=True)])
    counts = [(int(counted[i] - unreadable[i]), int(refused[i] + unreadable[i]))
              for i in range(len(frames))]
    return out, counts


def _period_keys_of(periods: pd.Series) -> set[str]:
    """The ledger keys of a column of periods, each distinct cell parsed once (by type and
    value: 2013 and 2013.0 are told apart as a parse would)."""
    from xlperf.core.periods import parse_period

    keys: dict[tuple[type, Any], str] = {}
    for cell in periods:
        if (type(cell), cell) not in keys:
            keys[(type(cell), cell)] = parse_period(cell).format("iso")
    return set(keys.values())


def trend_values(scored: pd.DataFrame, values: pd.DataFrame, periods: int = 6) -> np.ndarray:
    """The last ``periods`` values of each scored measure, ending at its due period (oldest
    first, NaN for a gap): an (n, periods) array in ``scored``'s row order.

    ``values`` is the ledger's :meth:`~xlperf.ledger.Ledger.current_values` (``Code``,
    ``Period key``, ``Actual``).
    """
    from xlperf.core.periods import parse_period

    out = np.full((len(scored), periods), np.nan)
    if scored.empty or values.empty:
        return out
    numbers = np.append(pd.to_numeric(values["Actual"], errors="coerce").to_numpy(float),
                        np.nan)  # last slot: not found
    # Row of each (code, period key), the last one winning; looked up by position per offset
    # (a MultiIndex reindex per offset cost more than the values).
    where = {pair: i for i, pair in enumerate(zip(values["Code"].astype(str).to_numpy(),
                                                  values["Period key"].to_numpy(),
                                                  strict=True))}
    labels, uniques = pd.factorize(scored["period"].astype(str).to_numpy(dtype=object))
    parsed = [parse_period(label) for label in uniques]
    codes = scored["code"].astype(str).to_numpy()
    for k, offset in enumerate(range(-(periods - 1), 1)):
        keys = np.array([p.shift(offset).format("iso") for p in parsed], dtype=object)[labels]
        rows = np.fromiter((where.get(pair, -1) for pair in zip(codes, keys, strict=True)),
                           dtype=np.intp, count=len(codes))
        out[:, k] = numbers[rows]
    return out


#: What the Scorecard and the pack say in a measure's Actual when the only figure a return
#: gave for its due period was rejected: the rule that rejected it (the Log, the quarantined
#: copy and the service's annotated return say the rest), not the scorer's "no return".
REJECTED_REASON = "figure rejected ({rule})"


def figures_rejected(ret: Return, report: Any, bad_rows: set[int]) -> list[tuple[str, str, str]]:
    """(code, period key, rule) of each row of a performance return an error finding
    rejected (``bad_rows``: :func:`rows_rejected_by`'s), the first error's rule on its row; a
    row without a code or with a period that cannot be read is left out (it names nothing)."""
    from xlperf.core.periods import parse_period

    values = ret.values
    if not bad_rows or "Code" not in values.columns or "Period" not in values.columns:
        return []
    rules: dict[int, str] = {}
    for finding in report.errors:
        if finding.cell and not finding.rule.startswith(("MIL-", "FILE-")):
            with contextlib.suppress(ValueError):
                rules.setdefault(parse_cell(finding.cell)[0], finding.rule)
    out = []
    for row in sorted(bad_rows & set(values.index)):
        code, period = values.at[row, "Code"], values.at[row, "Period"]
        if code is None or not str(code).strip() or period is None:
            continue
        try:
            key = parse_period(period).format("iso")
        except (InputError, ValueError, TypeError):
            continue
        out.append((str(code).strip(), key, rules.get(row, "")))
    return out


def with_rejected_reasons(scored: pd.DataFrame,
                          rejected: Sequence[tuple[str, str, str]]) -> pd.DataFrame:
    """``scored`` with :data:`REJECTED_REASON` as the ``actual_reason`` of each measure whose
    due period has no figure because its return's figure was rejected (``rejected``:
    :func:`figures_rejected`'s); a figure accepted earlier, or from another return, stands
    (:func:`xlperf.core.score.with_reasons`)."""
    from xlperf.core.score import with_reasons

    return with_reasons(scored, {(code, key): REJECTED_REASON.format(rule=rule or "an error")
                                 for code, key, rule in rejected})


def _with_spc(scored: pd.DataFrame, values: pd.DataFrame, register: pd.DataFrame,
              master: Master) -> pd.DataFrame:
    """``scored`` with each measure's variation and assurance at its due period, from its
    whole history (:func:`~xlperf.core.spc_scored.spc_at`), frozen with its status."""
    from xlperf.core.spc_scored import with_spc

    return with_spc(scored, values, register, master.spc_settings, master.spc_changes,
                    master.targets)


def _restated_spc(run: RefreshRun, store: Ledger, restatements: pd.DataFrame,
                  scored: pd.DataFrame, values: pd.DataFrame, register: pd.DataFrame,
                  master: Master) -> list[SpcChange]:
    """The kept past periods whose charts this refresh's restatements moved: today's SPC set
    beside the frozen one in the ledger (:meth:`~xlperf.ledger.Ledger.restate_spc`)."""
    from xlperf.core.spc_scored import spc_at

    frozen = store.frozen_statuses(codes=sorted(set(restatements["code"])))
    earliest = restatements.groupby("code")["period_key"].min()
    current = set(zip(scored["code"].astype(str), _keys_of(scored["period"]), strict=True))
    later = frozen["period_key"].to_numpy(dtype=object) >= earliest.reindex(
        frozen["code"]).to_numpy(dtype=object)
    past = np.array([(c, k) not in current for c, k in zip(
        frozen["code"], frozen["period_key"], strict=True)], dtype=bool)
    frozen = frozen[later & past & frozen["variation"].notna().to_numpy()]
    if frozen.empty:
        return []
    today = spc_at(frozen[["code", "period", "target"]].reset_index(drop=True), values,
                   register, master.spc_settings, master.spc_changes, master.targets)
    today.insert(0, "period", frozen["period"].to_numpy())
    today.insert(0, "code", frozen["code"].to_numpy())
    return run.ledger.restate_spc(today, restatements)


def _keys_of(periods: pd.Series) -> list[str]:
    from xlperf.core.periods import parse_periods

    return [p.format("iso") for p in parse_periods(periods.astype(object))]


def _window(values: pd.DataFrame, reporting: Period) -> pd.DataFrame:
    from xlperf.core.score import window_keys

    if values.empty:
        return values
    keys = values["Period key"]
    return values.loc[keys.isin(window_keys(reporting, keys.unique().tolist()))]

