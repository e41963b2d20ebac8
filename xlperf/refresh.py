"""The one-click refresh: returns in, scorecard out, over a small workbook interface.

:func:`refresh` is the one code path behind the ``xlperf refresh`` command, ``xlperf demo``
and the Excel button. It talks to the master through a :class:`Workbook` (read a sheet's
values, write output sheets): :class:`ZipWorkbook` is the headless implementation (python-
calamine reads, the lossless writer writes), the xlwings gateway another. In order:

1. **read the master** (:func:`~xlperf.read.master.read_master_grids`: register, targets,
   budget, capital, schemes, settings and their findings);
2. **collect the returns**: the files given, or every ``.xlsx``/``.xlsm`` in the ``Returns
   folder`` of ``Settings`` (relative to the master) whose identity says it is for the
   reporting period (others are skipped and logged);
3. **validate** them in one batch (:func:`~xlperf.validate.returns.validate_returns`); an
   error finding on a row rejects that row, a file-level error (``FILE-*``, or an error with no
   cell) the whole return; a return with any error gets an annotated copy and its findings
   as JSON in the quarantine folder (the user's file is never moved or changed);
4. **record** the accepted values in the ledger (SQLite, one transaction): source file, its
   SHA-256, sheet and cell; a changed figure is a restatement; the same returns again change
   nothing;
5. **score** the period with history from the ledger and **freeze** its statuses (the current
   period is re-rated; past periods only with ``rescore_history``); every change is listed;
6. **write** the output sheets (:func:`~xlperf.write.outputs.build_outputs`): Scorecard,
   Objectives, Exceptions, Finance and Log, and Returns (where each return the period
   expects stands: :func:`xlperf.collection.refresh_collection`, as ``xlperf returns``) when
   the refresh reads returns.

The ledger transaction commits when the new workbook is complete on disk, just before it
replaces the old one (for a :class:`ZipWorkbook`), so a refresh that fails or is killed leaves
the master and the ledger as they were, or both refreshed.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd

from xlperf.core.a1 import cell_ref, parse_cell
from xlperf.errors import InputError, LedgerError, WorkbookError
from xlperf.findings import Finding, Report, Severity
from xlperf.validate.registry import made_by

if TYPE_CHECKING:
    from xlperf.read.master import Master

__all__ = ["FileOutcome", "RefreshResult", "Workbook", "ZipWorkbook", "collect_returns",
           "refresh", "trend_values"]

# The configuration sheets the refresh reads (the validator reads a master's Rules sheet itself).
CONFIG_SHEETS = ("Measures", "Targets", "Budget", "Capital", "Schemes", "Settings",
                 "Contacts")  # Contacts: the collection calendar's (the Returns sheet)
RETURN_SUFFIXES = (".xlsx", ".xlsm")
ACCEPTED, PARTLY, REJECTED, SKIPPED = "accepted", "partly accepted", "rejected", "skipped"
# How long a refresh waits for another refresh of the same master or ledger to finish.
WAIT_SECONDS = 60.0


@runtime_checkable
class Workbook(Protocol):
    """What the refresh needs from a master workbook (headless file or an open Excel book)."""

    @property
    def name(self) -> str: ...

    @property
    def path(self) -> Path | None: ...

    def sheet_names(self) -> list[str]: ...

    def read_sheet(self, name: str) -> list[list[Any]]: ...

    def write_sheets(self, sheets: Mapping[str, Any]) -> None: ...


class ZipWorkbook:
    """A master workbook file, refreshed without Excel.

    Values are read with python-calamine; :meth:`write_sheets` replaces only the output
    sheets' parts through :func:`~xlperf.write.lossless.write_sheets` (every other part
    byte-identical, atomic replace, lock, ``backups`` timestamped copies). Raises
    :class:`~xlperf.errors.BusyError` at once when the file is open in Excel or LibreOffice.
    """

    two_phase = True  # write_sheets takes before_replace: the ledger commits there

    def __init__(self, path: str | Path, *, backups: int = 0):
        from xlperf import _files

        self.path: Path | None = Path(path)
        assert self.path is not None
        self.name = self.path.name
        self.backups = backups
        if self.path.is_dir():
            from xlperf.read import not_a_folder

            raise WorkbookError(not_a_folder(self.path), file=str(self.path))
        if not self.path.is_file():
            raise WorkbookError(f"{self.path}: no such workbook", file=str(self.path))
        _files.check_not_open(self.path)
        self._book: Any = None
        self.last_write: Any = None

    def _open(self) -> Any:
        if self._book is None:
            from xlperf.read import open_workbook

            self._book = open_workbook(self.path)  # type: ignore[arg-type]
        return self._book

    def sheet_names(self) -> list[str]:
        return list(self._open().sheet_names)

    def read_sheet(self, name: str) -> list[list[Any]]:
        from xlperf.read import sheet_grid

        return sheet_grid(self._open(), name, file=str(self.path))

    def close(self) -> None:
        if self._book is not None:
            try:
                self._book.close()
            except Exception:  # noqa: BLE001  (calamine: already closed)
                pass
            self._book = None

    @contextlib.contextmanager
    def hold(self, wait: float = 0.0) -> Any:
        """The master's lock for a whole refresh (waiting up to ``wait`` seconds for another
        run's); the writer takes it again to write. Stale temporary files a killed run left
        are removed once it is held."""
        from xlperf import _files

        assert self.path is not None
        with _files.workbook_lock(self.path, wait=wait):
            self.close()  # what was read before the lock may be another run's old file
            yield self

    def write_sheets(self, sheets: Mapping[str, Any], *,
                     before_replace: Callable[[], None] | None = None) -> None:
        from xlperf.write.lossless import write_sheets

        self.close()  # Windows cannot replace a file that is still open
        assert self.path is not None
        self.last_write = write_sheets(self.path, sheets, backups=self.backups,
                                       before_replace=before_replace)


@dataclass(frozen=True)
class FileOutcome:
    """One return the refresh looked at."""

    path: Path
    outcome: str  # accepted, partly accepted, rejected, skipped
    kind: str = ""
    sha256: str | None = None
    report: Report = field(default_factory=Report)
    accepted_rows: int = 0
    rejected_rows: int = 0
    quarantined: Path | None = None
    note: str = ""

    @property
    def name(self) -> str:
        return self.path.name


@dataclass(frozen=True)
class RefreshResult:
    """What :func:`refresh` did."""

    workbook: str
    output: Path | None
    period: str
    ledger: Path
    refresh_id: int
    files: tuple[FileOutcome, ...]
    recorded: int
    unchanged: int
    restatements: pd.DataFrame
    status_changes: tuple[Any, ...]
    scored: pd.DataFrame
    master_report: Report
    timings: dict[str, float]
    sheets: tuple[str, ...]
    quarantine: Path | None = None
    council: str = ""
    collection: Any = None  # the CollectionStatus the Returns sheet shows (None: not written)

    @property
    def not_received(self) -> tuple[str, ...]:
        """Who the returns not received are for (as the Returns sheet lists them)."""
        return self.collection.who("not received") if self.collection is not None else ()

    @property
    def blank(self) -> tuple[str, ...]:
        """Who the returns sent back blank are for."""
        return self.collection.who("blank") if self.collection is not None else ()

    @property
    def accepted(self) -> tuple[FileOutcome, ...]:
        return tuple(f for f in self.files if f.outcome in (ACCEPTED, PARTLY))

    @property
    def rejected(self) -> tuple[FileOutcome, ...]:
        """Returns with at least one rejected row (wholly or partly rejected)."""
        return tuple(f for f in self.files if f.outcome in (REJECTED, PARTLY))

    @property
    def skipped(self) -> tuple[FileOutcome, ...]:
        return tuple(f for f in self.files if f.outcome == SKIPPED)

    @property
    def ok(self) -> bool:
        """True when nothing was rejected."""
        return not self.rejected

    @property
    def counts(self) -> dict[str, int]:
        status = self.scored["status"].value_counts() if len(self.scored) else {}
        return {"returns": len(self.files) - len(self.skipped), "accepted": len(self.accepted),
                "rejected": len(self.rejected), "skipped": len(self.skipped),
                "recorded": self.recorded, "unchanged": self.unchanged,
                "restatements": len(self.restatements),
                "re-rated": sum(1 for c in self.status_changes if c.applied),
                "measures": len(self.scored), **{f"status {k}": int(v)
                                                  for k, v in dict(status).items()}}


# ------------------------------------------------------------------------------ collecting
def _identity_period(path: Path) -> str | None:
    from xlperf.read.returns import read_properties

    return read_properties(path).get("period") or None


def collect_returns(folder: str | Path, period: Any) -> tuple[list[Path], list[FileOutcome]]:
    """The returns in ``folder`` for ``period`` (sorted by name), and the files skipped:
    Excel's owner files, other file types, and returns whose identity names another period
    (a file whose period cannot be read is kept: the validation says what is wrong)."""
    from xlperf.core.periods import parse_period

    base = Path(folder)
    if not base.is_dir():
        raise InputError(f"the returns folder {base} does not exist: create it, or set "
                         "'Returns folder' on the Settings sheet, or give the files")
    wanted = parse_period(period).format("iso")
    found, skipped = [], []
    for path in sorted(base.iterdir(), key=lambda p: p.name.casefold()):
        if not path.is_file() or path.name.startswith(("~$", ".")):
            continue
        if path.suffix.lower() not in RETURN_SUFFIXES:
            continue
        stated = _identity_period(path)
        if stated:
            try:
                other = parse_period(stated).format("iso") != wanted
            except InputError:
                other = False
            if other:
                skipped.append(FileOutcome(path, SKIPPED, note=f"for {stated}, not "
                                           f"{parse_period(period).format()}"))
                continue
        found.append(path)
    return found, skipped


def _saved(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return float("-inf")


@made_by("FILE-023")
def one_return_each(paths: Sequence[Path], reports: Sequence[Report]
                    ) -> tuple[list[bool], list[Report], list[FileOutcome]]:
    """One return per kind, service and period (as the returns' identities say): of two or
    more, the one saved last (the file's modified time; at the same time, the later name
    without its extension, so ``X (corrected).xlsx`` wins over ``X.xlsx``) is used and the
    others are skipped. The one used gets a ``FILE-023`` query naming each file left out,
    whichever rule chose.

    Returns (which of ``paths`` to use, the reports with the queries added, the returns
    left out as skipped outcomes).
    """
    from xlperf.validate.catalogue import load_rules

    groups: dict[tuple[str, str, str], list[int]] = {}
    for i, report in enumerate(reports):
        service = str(report.meta.get("service") or "").strip().casefold()
        period = str(report.meta.get("period") or "").strip().casefold()
        if service and period:
            kind = str(report.meta.get("kind") or "")
            groups.setdefault((kind, service, period), []).append(i)
    keep = [True] * len(paths)
    out = list(reports)
    left_out: list[FileOutcome] = []
    rule = None
    for members in groups.values():
        if len(members) < 2:
            continue
        rule = rule or load_rules()["FILE-023"]
        order = sorted(members, key=lambda i: (_saved(paths[i]), paths[i].stem.casefold()))
        chosen, others = order[-1], order[:-1]
        when = datetime.fromtimestamp(_saved(paths[chosen])).strftime("%Y-%m-%d %H:%M:%S")
        meta = reports[chosen].meta
        added = []
        for other in others:
            same_time = _saved(paths[other]) == _saved(paths[chosen])
            detail = (f"saved at the same time, {when}: the later name" if same_time
                      else f"saved last, at {when}")
            added.append(rule.finding(file=paths[chosen], other=paths[other].name,
                                      service=meta.get("service"), period=meta.get("period"),
                                      detail=detail))
            keep[other] = False
            left_out.append(FileOutcome(paths[other], SKIPPED, str(reports[other].meta.get(
                "kind") or ""), report=Report(tuple(added[-1:]), file=str(paths[other])),
                note=f"the same return as {paths[chosen].name}, used instead ({detail}; "
                     "FILE-023)"))
        out[chosen] = Report(reports[chosen].findings + tuple(added),
                             file=reports[chosen].file, meta=reports[chosen].meta)
    return keep, out, left_out


def _given(returns: Sequence[str | Path], period: Any) -> tuple[list[Path], list[FileOutcome]]:
    paths: list[Path] = []
    skipped: list[FileOutcome] = []
    for item in returns:
        path = Path(item)
        if path.is_dir():
            more, skip = collect_returns(path, period)
            paths += more
            skipped += skip
        else:
            paths.append(path)
    return paths, skipped


# ------------------------------------------------------------------------------ values
def rows_rejected_by(findings: Sequence[Finding]) -> tuple[bool, set[int]]:
    """(whole file rejected, rejected Excel rows) from a report's error findings."""
    whole, rows = False, set()
    for f in findings:
        if f.rule.startswith("FILE-") or not f.cell:
            whole = True
            continue
        try:
            rows.add(parse_cell(f.cell)[0])
        except ValueError:
            whole = True
    return whole, rows


def _finance_values(ret: Any, path: Path, bad_rows: set[int]) -> tuple[pd.DataFrame, int, int]:
    """(accepted rows with provenance, accepted count, rejected count) of a finance or capital
    programme return (its ``Cell``: the forecast outturn's, or the actual to date's)."""
    frame = ret.values.copy()
    keep = ~frame.index.isin(list(bad_rows))
    frame = frame.loc[keep]
    frame["Source file"] = path.name
    column = ret.columns.get("Forecast outturn") or ret.columns.get("Actual to date")
    frame["Cell"] = [cell_ref(int(r), column) if column else None for r in frame.index]
    return frame, int(keep.sum()), int((~keep).sum())


def _kind_of(ret: Any) -> str:
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


def _performance_values(returns: Sequence[tuple[Any, Path, str, set[int]]]
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


def _with_spc(scored: pd.DataFrame, values: pd.DataFrame, register: pd.DataFrame,
              master: Any) -> pd.DataFrame:
    """``scored`` with each measure's variation and assurance at its due period, from its
    whole history (:func:`~xlperf.core.spc_scored.spc_at`), frozen with its status."""
    from xlperf.core.spc_scored import spc_at

    return pd.concat([scored, spc_at(scored, values, register, master.spc_settings)], axis=1)


def _restated_spc(run: Any, store: Any, restatements: pd.DataFrame, scored: pd.DataFrame,
                  values: pd.DataFrame, register: pd.DataFrame, master: Any) -> list[Any]:
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
                   register, master.spc_settings)
    today.insert(0, "period", frozen["period"].to_numpy())
    today.insert(0, "code", frozen["code"].to_numpy())
    return run.ledger.restate_spc(today, restatements)


def _keys_of(periods: pd.Series) -> list[str]:
    from xlperf.core.periods import parse_periods

    return [p.format("iso") for p in parse_periods(periods.astype(object))]


def _window(values: pd.DataFrame, reporting: Any) -> pd.DataFrame:
    from xlperf.core.score import window_keys

    if values.empty:
        return values
    keys = values["Period key"]
    return values.loc[keys.isin(window_keys(reporting, keys.unique().tolist()))]


# ------------------------------------------------------------------------------ finance
def _returned_money(finance: Sequence[pd.DataFrame], capital: Sequence[pd.DataFrame]
                    ) -> pd.DataFrame:
    """The figures the accepted rows of finance and capital programme returns give, a row
    each, as :func:`~xlperf.core.budget.with_returned` takes them (a finance row only when
    its forecast outturn is a number)."""
    from xlperf.core.values import parse_values

    parts = []
    for frames, kind, name, figures in (
            (finance, "revenue", "Service area", {"forecast": "Forecast outturn"}),
            (capital, "capital", "Programme", {"estimate": "Revised estimate",
                                               "actual": "Actual to date"})):
        if not frames:
            continue
        rows = pd.concat(frames, ignore_index=True)

        def cells(header: str, rows: pd.DataFrame = rows) -> pd.Series:
            return (rows[header].astype(object) if header in rows.columns
                    else pd.Series(None, index=rows.index, dtype=object))

        part = pd.DataFrame({"kind": kind, "line": cells(name)})
        numbered = np.zeros(len(rows), dtype=bool)
        for key, header in figures.items():
            parsed = parse_values(cells(header))
            number = (parsed["kind"] == "number").to_numpy()
            part[key] = np.where(number, parsed["number"].to_numpy(), np.nan)
            numbered |= number
        part["explanation"] = [str(v).strip() if v is not None and str(v).strip() else None
                               for v in cells("Explanation")]
        part["source_file"], part["cell"] = cells("Source file"), cells("Cell")
        parts.append(part[numbered] if kind == "revenue" else part)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["kind", "line"])


def _finance(master: Master, returned: list[pd.DataFrame], period: Any,
             capital_returned: Sequence[pd.DataFrame] = ()) -> tuple[Any, pd.DataFrame]:
    """Revenue lines (forecasts from accepted finance returns where given, else the master's
    Budget sheet), the total, the cross-foot check and the capital programme; and the figures
    taken from returns, one row per line or programme, as the ledger records them."""
    from xlperf.core.budget import (
        crossfoot,
        ends_with_total,
        score_budget,
        score_capital,
        with_returned,
    )
    from xlperf.core.columns import BUDGET_COLUMNS, fold, normalise_columns
    from xlperf.core.periods import parse_period
    from xlperf.core.values import parse_values
    from xlperf.write.outputs import FinanceData

    budget = master.budget
    frame = (normalise_columns(budget, BUDGET_COLUMNS) if budget is not None and len(budget)
             else pd.DataFrame())
    usable = "line" in frame.columns and "budget" in frame.columns
    frame, programmes, applied = with_returned(
        frame if usable else pd.DataFrame(), _programmes(master, period),
        _returned_money(returned, capital_returned))
    capital = score_capital(programmes) if len(programmes) else pd.DataFrame()
    label = parse_period(period).format()
    if budget is None or budget.empty:
        return FinanceData(capital=capital, capital_label=label), applied
    if not usable:
        return FinanceData(), pd.DataFrame()
    has_total = ends_with_total(frame)
    lines = frame.iloc[:-1].copy() if has_total else frame.copy()
    total = frame.iloc[-1] if has_total else None
    holder = next((c for c in budget.columns if fold(c) == "budget holder"), None)
    lines["holder"] = budget.loc[lines.index, holder].to_numpy() if holder else None
    lines["source"] = "master (Budget sheet)"
    if "forecast" not in lines.columns:
        lines["forecast"] = np.nan
    revenue = applied[applied["kind"] == "revenue"] if len(applied) else applied
    for at, file, cell in zip(revenue.get("at", ()), revenue.get("source_file", ()),
                              revenue.get("cell", ()), strict=True):
        lines.at[at, "source"] = f"return {file} {cell}"
    settings = master.settings
    scored = score_budget(lines.drop(columns=["tolerance_pct"], errors="ignore"),
                          tolerance_pct=float(settings.budget_tolerance_pct),
                          materiality=float(settings.materiality),
                          scheme=master.default_scheme, schemes=master.schemes)
    scored["holder"], scored["source"] = lines["holder"].to_numpy(), lines["source"].to_numpy()
    problems: list[str] = []
    total_row = None
    if total is not None:
        # (a taken forecast has made the total's the sum of the lines: with_returned)
        numbers = {c: parse_values(pd.Series([total.get(c)], dtype=object))["number"].iloc[0]
                   for c in ("gross_budget", "budget", "forecast") if c in frame.columns}
        total_row = {"line": total.get("line"), **numbers}
        check = pd.DataFrame({c: lines[c] for c in numbers if c in lines.columns})
        check["forecast"] = scored["forecast"].to_numpy()
        problems = [p.message for p in crossfoot(check, numbers, list(numbers))]
    return (FinanceData(lines=scored, total=total_row, crossfoot=tuple(problems),
                        capital=capital, capital_label=label), applied)


def _programmes(master: Master, period: Any) -> pd.DataFrame:
    """The master's capital programmes of ``period``'s quarter (every one when the sheet has
    none of it), normalised; empty without a base budget and an estimate."""
    from xlperf.core.budget import capital_for_period
    from xlperf.core.columns import CAPITAL_COLUMNS, normalise_columns
    from xlperf.core.periods import parse_period

    capital = master.capital
    if capital is None or capital.empty:
        return pd.DataFrame()
    frame = normalise_columns(capital, CAPITAL_COLUMNS)
    if "base_budget" not in frame.columns or "estimate" not in frame.columns:
        return pd.DataFrame()
    of_period = capital_for_period(capital, parse_period(period))
    return normalise_columns(of_period if len(of_period) else capital, CAPITAL_COLUMNS)


# ------------------------------------------------------------------------------ quarantine
def _quarantine(path: Path, report: Report, folder: Path, sha: str | None) -> Path:
    """An annotated copy of a return with errors (:func:`xlperf.validate.annotate.annotate`,
    same file name) and its findings as JSON; returns the copy. Left as it is when the same
    file (SHA-256) with the same findings is already there; a return that the file checks
    refused (a zip bomb, unsafe XML, damage: :func:`annotate` never opens it) or that cannot
    be opened is copied as it is, byte for byte."""
    import shutil

    from xlperf.validate.annotate import annotate

    copy = folder / path.name
    findings = folder / f"{path.stem}.findings.json"
    text = json.dumps({"source": str(path), "sha256": sha, **json.loads(report.to_json())},
                      ensure_ascii=False, indent=2) + "\n"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if copy.exists() and findings.exists() and findings.read_text(encoding="utf-8") == text:
            return copy
        try:
            copy = annotate(Report(report.findings, file=str(path), meta=report.meta), folder)
        except WorkbookError:
            shutil.copyfile(path, copy)
        findings.write_text(text, encoding="utf-8")
    except OSError as error:
        # Before anything is recorded or written: stop rather than lose the copy to send back.
        raise WorkbookError(f"cannot write the annotated copy of {path.name} into the "
                            f"quarantine folder {folder}: {error.strerror or error}. Nothing "
                            "was recorded or written; make the folder writable and refresh "
                            "again", file=str(path)) from None
    return copy


# ------------------------------------------------------------------------------ the ledger
@dataclass(frozen=True)
class Written:
    """What the master's ``Log`` says of the refresh that last wrote it."""

    ledger: str  # the ledger's file name
    refresh_id: int
    fingerprint: str | None  # Ledger.fingerprint() of that ledger (None: an older xlperf)
    when: str


_WRITTEN = re.compile(r"^Refreshed (?P<when>.+?) by xlperf \S+; ledger (?P<ledger>.+) "
                      r"\(refresh (?P<id>\d+)(?:, ledger (?P<fp>[0-9a-f]{8}))?\)$")


def last_written(book: Workbook) -> Written | None:
    """The refresh that last wrote ``book``, from its ``Log`` sheet's summary line (None for
    a master never refreshed, or whose Log was cleared)."""
    from xlperf.read import find_sheet

    try:
        name = find_sheet(book.sheet_names(), "Log")
        grid = book.read_sheet(name) if name is not None else []
    except WorkbookError:
        return None
    for row in grid[:6]:
        for cell in row[:3]:
            match = _WRITTEN.match(str(cell).strip()) if isinstance(cell, str) else None
            if match:
                return Written(match["ledger"], int(match["id"]), match["fp"], match["when"])
    return None


def _missing_ledger(path: Path, written: Written, master: str, state: str) -> str:
    return (f"the ledger {path} is {state}, but {master} was last refreshed on "
            f"{written.when} with ledger {written.ledger} (refresh {written.refresh_id}): "
            "its history (trends, directions of travel, frozen statuses) would be lost, so "
            "nothing was changed. Restore the ledger from its latest backup (backups/ beside "
            "the master: see 'Restoring the ledger' in docs/ledger.md) or put it back where "
            "the Ledger path setting says; to start a new, empty ledger on purpose, refresh "
            "with --new-ledger")


def expect_ledger(path: Path, written: Written | None, master: str) -> None:
    """Refuse a ledger that is missing where the master's Log says it had one (an empty
    file is refused by :class:`~xlperf.ledger.Ledger` itself)."""
    if written is not None and not path.exists():
        raise LedgerError(_missing_ledger(path, written, master, "missing"))


def _backups_folder(master: Path | None, ledger: Path) -> Path:
    """Where the ledger's rolling backups go: the master's ``backups`` folder."""
    return (master.parent if master is not None else ledger.parent) / "backups"


# ------------------------------------------------------------------------------ the refresh
def _read_master(book: Workbook) -> Master:
    from xlperf.read import find_sheet
    from xlperf.read.master import read_master_grids

    names = book.sheet_names()
    grids = {}
    for wanted in CONFIG_SHEETS:
        found = find_sheet(names, wanted)
        if found is not None:
            grids[found] = book.read_sheet(found)
    if find_sheet(list(grids), "Measures") is None:
        raise WorkbookError(f"{book.name}: no 'Measures' sheet: is this an xlperf master "
                            "workbook?", file=book.name, sheet="Measures")
    return read_master_grids(grids, file=book.path if book.path is not None else book.name)


def _past_periods(reporting: Any, values: pd.DataFrame) -> list[Any]:
    """Reporting periods of the same length as ``reporting`` back to the earliest value."""
    from xlperf.core.periods import parse_period

    if values.empty:
        return []
    starts = [parse_period(p).start for p in values["Period"].unique()]
    earliest = min(starts)
    out, current = [], reporting.previous()
    while current.end >= earliest and len(out) < 1000:
        out.append(current)
        current = current.previous()
    return out[::-1]


def refresh(book: Workbook, *, returns: Sequence[str | Path] | None = None,
            period: Any = None, ledger: str | Path | None = None,
            rescore_history: bool = False, quarantine: str | Path | None = None,
            now: datetime | None = None,
            progress: Callable[[str, float], None] | None = None,
            new_ledger: bool = False, wait: float = WAIT_SECONDS) -> RefreshResult:
    """Refresh a master workbook: collect, validate, record, score, freeze, write.

    ``returns``: files or folders (default: the ``Returns folder`` of ``Settings``, relative
    to the master). ``period``: the reporting period (default: the master's ``Reporting
    period``). ``ledger``: the SQLite ledger (default: the ``Ledger path`` setting or
    ``<master>.ledger.sqlite`` beside the master). ``rescore_history``: re-rate past periods
    with today's targets, tolerances and schemes (default: their frozen statuses stay).
    ``quarantine``: where rejected returns' annotated copies go (default ``quarantine/<period>``
    beside the master). ``now``: the time printed in the Log. ``progress(message, fraction)``
    is called as the steps go.

    Raises :class:`~xlperf.errors.XlperfError` only when the refresh cannot run (the master
    cannot be read or written, is open in Excel, no reporting period, the ledger is busy,
    damaged, or missing or empty where the master's ``Log`` says it had one: ``new_ledger``
    starts one on purpose); problems in returns are findings, listed in the result and the
    ``Log`` sheet.

    One refresh of a master or a ledger at a time: the master's lock (a file) and the
    ledger's write transaction are taken before anything is read and held to the end, so a
    second refresh waits (up to ``wait`` seconds, then "in use by ...") and then reads what
    the first recorded.
    """
    hold = getattr(book, "hold", None)
    with hold(wait) if hold is not None else contextlib.nullcontext():
        return _refresh(book, returns=returns, period=period, ledger=ledger,
                        rescore_history=rescore_history, quarantine=quarantine, now=now,
                        progress=progress, new_ledger=new_ledger, wait=wait)


def _refresh(book: Workbook, *, returns: Sequence[str | Path] | None, period: Any,
             ledger: str | Path | None, rescore_history: bool,
             quarantine: str | Path | None, now: datetime | None,
             progress: Callable[[str, float], None] | None, new_ledger: bool,
             wait: float) -> RefreshResult:
    from xlperf import __version__
    from xlperf.core.periods import parse_period
    from xlperf.council import Council
    from xlperf.ledger import Ledger, previous_values, sha256_file
    from xlperf.validate.returns import _validate
    from xlperf.write.outputs import LogLine, build_outputs

    started = time.perf_counter()
    timings: dict[str, float] = {}
    mark = [started]

    def lap(name: str) -> None:
        now_ = time.perf_counter()
        timings[name] = round(now_ - mark[0], 4)
        mark[0] = now_

    def say(message: str, fraction: float) -> None:
        if progress is not None:
            progress(message, fraction)

    when = (now or datetime.now().astimezone()).strftime("%Y-%m-%d %H:%M")
    say("Reading the master", 0.0)
    master = _read_master(book)
    chosen = period if period is not None else master.reporting_period
    if chosen is None or str(chosen).strip() == "":
        raise InputError("no reporting period: give --period or set 'Reporting period' on the "
                         "Settings sheet")
    reporting = parse_period(chosen)
    label = reporting.format()
    base = book.path
    council = Council.of(master, base) if base is not None else None
    if ledger is not None:
        ledger_file = Path(ledger)
    elif council is not None:
        ledger_file = council.ledger
    else:
        raise InputError(f"{book.name} has no file path: give the ledger path")
    lap("read master")

    say("Collecting returns", 0.05)
    if returns is None:
        if council is None:
            raise InputError(f"{book.name} has no file path: give the returns")
        paths, skipped = collect_returns(council.returns_folder, reporting)
    else:
        paths, skipped = _given(returns, reporting)
    quarantine_dir = (Path(quarantine) if quarantine is not None else
                      (base.parent if base is not None else ledger_file.parent)
                      / "quarantine" / label.replace("/", "-"))
    lap("collect returns")

    written = last_written(book)
    if not new_ledger:
        expect_ledger(ledger_file, written, book.name)
    store = Ledger(ledger_file, timeout=wait, new=new_ledger)
    try:
        # The ledger's write transaction from here to the end (it waits for another
        # refresh's): what is read below is what every earlier refresh committed.
        run_context = store.refresh(master=str(base) if base is not None else book.name,
                                    period=label)
        run = run_context.__enter__()
    except BaseException:
        store.close()
        raise
    committed = [False]

    def commit() -> None:
        if not committed[0]:
            if backups > 0 and prior_refreshes:  # the ledger as it was, beside the master's
                store.backup_copy(_backups_folder(base, ledger_file), backups)
            committed[0] = True
            run_context.__exit__(None, None, None)

    backups = int(getattr(book, "backups", 0) or 0)
    prior_refreshes = 0
    try:
        try:
            prior_refreshes = store.refresh_count()  # finished before this one
            if written is not None and not new_ledger and prior_refreshes == 0:
                raise LedgerError(_missing_ledger(ledger_file, written, book.name, "empty"))
            unpublished = (store.recorded_since(written.refresh_id, run.id)
                           if written is not None and written.fingerprint is not None
                           and written.fingerprint == store.fingerprint()
                           and written.refresh_id < run.id - 1 else None)
            say(f"Validating {len(paths)} returns", 0.1)
            # All of the ledger: past periods when re-scoring history, and every measure's
            # whole history for its XmR chart (docs/spc.md); scoring takes its window below.
            history = store.current_values(provenance=False)
            # No returns (xlwings Lite refreshes from history already in the ledger): nothing
            # to validate, so the master's file is not opened for its Rules sheet either.
            # The change checks compare with this refresh's ledger (which may not be the
            # master's own: --ledger, the server's, Lite's in memory), as the validator would.
            validated = _validate(paths, master=master, period=label,
                                  previous=previous_values(store, reporting)) if paths else []
            reports = [report for report, _read in validated]
            reads = [read for _report, read in validated]
            keep, reports, superseded = one_return_each(paths, reports)
            paths = [p for p, k in zip(paths, keep, strict=True) if k]
            reads = [r for r, k in zip(reads, keep, strict=True) if k]
            reports = [r for r, k in zip(reports, keep, strict=True) if k]
            skipped = [*skipped, *superseded]
            # Where each expected return stands (the Returns sheet): the same computation as
            # xlperf returns, over the returns just validated. Not without returns (Lite).
            collection = None
            if returns is None or len(returns):
                from xlperf.collection import refresh_collection

                collection = refresh_collection(
                    master, base if base is not None else Path(book.name), reporting, paths,
                    reports, (now or datetime.now().astimezone()).date())
            lap("validate")

            say("Reading accepted values", 0.4)
            outcomes: list[FileOutcome] = []
            finance_rows: list[pd.DataFrame] = []
            capital_rows: list[pd.DataFrame] = []
            log: list[LogLine] = []
            read_in: list[tuple[Path, Report, str, str | None, bool, set[int], Any]] = []
            for path, report, read in zip(paths, reports, reads, strict=True):
                sha = sha256_file(path) if path.is_file() else None
                whole, bad_rows = rows_rejected_by(report.errors)
                kind = str(report.meta.get("kind") or "")
                ret = None
                if not whole and kind in ("performance", "finance", "capital") and sha is not None:
                    # Imported here: a refresh without returns (xlwings Lite) never reads one.
                    from xlperf.read.returns import read_return, return_from_read

                    try:  # what the validator read of it: the file is not opened again
                        ret = return_from_read(read) if read is not None else read_return(path)
                    except WorkbookError as error:  # validated as readable; read again failed
                        whole = True
                        report = Report(report.findings + (Finding(
                            "FILE-004", "error", str(error), file=str(path)),), file=report.file,
                            meta=report.meta)
                    else:
                        kind = _kind_of(ret)
                elif not whole:
                    whole = True
                read_in.append((path, report, kind, sha, whole, bad_rows, ret))
            # Every performance return's accepted rows in one pass.
            values_in, performance_counts = _performance_values(
                [(x[6], x[0], x[3], x[5]) for x in read_in
                 if x[6] is not None and x[2] == "performance"])
            counts_of = iter(performance_counts)
            for path, report, kind, sha, whole, bad_rows, ret in read_in:
                accepted_rows = rejected_rows = 0
                if ret is not None:
                    if kind == "performance":
                        accepted_rows, rejected_rows = next(counts_of)
                    else:
                        frame, accepted_rows, rejected_rows = _finance_values(ret, path, bad_rows)
                        (capital_rows if kind == "capital" else finance_rows).append(frame)
                if whole or (report.errors and accepted_rows <= 0):
                    outcome = REJECTED  # nothing of it was taken
                elif rejected_rows or report.errors:
                    outcome = PARTLY
                else:
                    outcome = ACCEPTED
                copy = (_quarantine(path, report, quarantine_dir, sha) if report.errors
                        else None)
                outcomes.append(FileOutcome(path, outcome, kind, sha, report, accepted_rows,
                                            rejected_rows, copy))
            lap("read values")

            say("Recording values in the ledger", 0.55)
            if len(values_in):
                recorded = run.record_values(values_in)
                inserted, unchanged = recorded.inserted, recorded.unchanged
                restatements = recorded.restatements
            else:
                inserted = unchanged = 0
                from xlperf.ledger import restatement_frame

                restatements = restatement_frame()
            lap("record")

            say("Scoring", 0.65)
            # The ledger's values in use: those read before, updated for the periods just
            # recorded (read back, so they are exactly what the ledger holds).
            if inserted:
                keys = sorted(_period_keys_of(values_in["Period"]))
                # By key as stored: a month key such as 2011-12 (Dec-11) read as a period would
                # be the financial year 2011/12.
                fresh = store.current_values(keys=keys, provenance=False)
                pairs = set(zip(fresh["Code"], fresh["Period key"], strict=True))
                stale = np.fromiter((pair in pairs for pair in zip(
                    history["Code"], history["Period key"], strict=True)), dtype=bool,
                    count=len(history))
                values = pd.concat([history.loc[~stale], fresh], ignore_index=True)
            else:
                values = history
            window = _window(values, reporting)
            register = master.prepared_register  # prepared once for every freeze below
            scored = _with_spc(master.score(window, label), values, register, master)
            changes: list[Any] = []
            if rescore_history:
                seen: dict[tuple[str, str], Any] = {}
                for past in _past_periods(reporting, values):
                    past_scored = _with_spc(master.score(values, past), values, register,
                                            master)
                    for change in run.freeze_statuses(
                            past_scored, period_keys=[], rescore_history=True,
                            measures=register, default_scheme=master.default_scheme,
                            prepared=True):
                        seen[(change.code, change.period_key)] = change
                changes += list(seen.values())
            current_changes = run.freeze_statuses(scored, measures=register,
                                                  default_scheme=master.default_scheme,
                                                  prepared=True)
            already = {(c.code, c.period_key) for c in current_changes}
            changes = [c for c in changes if (c.code, c.period_key) not in already]
            changes += current_changes
            # Restated here, or by an import since the master was last written.
            restated_all = (pd.concat([restatements, unpublished[1]], ignore_index=True)
                            if unpublished is not None and len(unpublished[1])
                            else restatements)
            spc_changes = (_restated_spc(run, store, restated_all, scored, values, register,
                                         master) if len(restated_all) and not rescore_history
                           else [])
            trend = trend_values(scored, window)
            finance, money = _finance(master, finance_rows, reporting, capital_rows)
            if len(money):  # what the report's finance page takes (docs/report.md)
                run.record_money(money, reporting)
            lap("score")

            say("Building the output sheets", 0.8)
            from xlperf.validate.signoff import signoff_note

            for outcome in outcomes:  # who signed off each return taken in, in its note
                taken = outcome.outcome != REJECTED
                run.add_file(outcome.name, outcome.sha256, taken,
                             len(outcome.report.errors),
                             f"{outcome.outcome}: {outcome.accepted_rows} rows accepted, "
                             f"{outcome.rejected_rows} rejected"
                             + (signoff_note(outcome.report.meta) if taken else ""))
            for skip in skipped:
                run.add_file(skip.name, None, False, 0, f"skipped: {skip.note}")
            counts = {"returns": len(outcomes), "skipped": len(skipped),
                      "accepted": sum(o.outcome != REJECTED for o in outcomes),
                      "rejected": sum(o.outcome in (REJECTED, PARTLY) for o in outcomes),
                      "recorded": inserted, "unchanged": unchanged,
                      "restatements": len(restatements),
                      "re-rated": sum(1 for c in changes if c.applied),
                      "measures": len(scored)}
            run.counts.update(counts)
            log = _log_lines(LogLine, when, book.name, label, outcomes, skipped, counts,
                             restatements, changes, master.report, timings, quarantine_dir,
                             rescore_history, unpublished, collection)
            log[-1:-1] = [LogLine("SPC kept", str(c), time=when) for c in spc_changes]
            fingerprint = store.fingerprint()
            summary = (f"Refreshed {when} by xlperf {__version__}; ledger {ledger_file.name} "
                       f"(refresh {run.id}" + (f", ledger {fingerprint})" if fingerprint
                                               else ")"))
            settings = master.settings
            sheets = build_outputs(scored, trend=trend, period=label, council=settings.council,
                                   finance=finance, log=log, log_summary=summary,
                                   refreshed=when, paper=settings.paper_size,
                                   marking=settings.protective_marking, returns=collection)
            lap("build outputs")
            run.timings.update(timings)

            say("Writing the output sheets", 0.9)
            if getattr(book, "two_phase", False):
                book.write_sheets(sheets, before_replace=commit)  # type: ignore[call-arg]
            else:
                book.write_sheets(sheets)
            commit()
            lap("write")
        except BaseException as error:
          if not committed[0]:  # roll the ledger back: nothing of this refresh stays
              committed[0] = True
              run_context.__exit__(type(error), error, error.__traceback__)
          raise
    finally:
        store.close()
    timings["total"] = round(time.perf_counter() - started, 4)
    say("Done", 1.0)
    outcomes += skipped
    return RefreshResult(
        workbook=book.name, output=base, period=label, ledger=ledger_file, refresh_id=run.id,
        files=tuple(outcomes), recorded=inserted, unchanged=unchanged,
        restatements=restatements, status_changes=tuple(changes), scored=scored,
        master_report=master.report, timings=timings, sheets=tuple(sheets),
        quarantine=quarantine_dir if any(o.quarantined for o in outcomes) else None,
        council=master.settings.council, collection=collection)


def _log_lines(LogLine: Any, when: str, name: str, label: str, outcomes: Sequence[FileOutcome],
               skipped: Sequence[FileOutcome], counts: Mapping[str, int],
               restatements: pd.DataFrame, changes: Sequence[Any], master_report: Report,
               timings: Mapping[str, float], quarantine: Path, rescore: bool,
               unpublished: tuple[pd.DataFrame, pd.DataFrame] | None = None,
               collection: Any = None) -> list[Any]:
    from xlperf._words import plural, refresh_counts

    missing = {"not_received": collection.who("not received"),
               "blank": collection.who("blank")} if collection is not None else {}
    lines = [LogLine("refresh", f"Refreshed {name} for {label}: "
                     f"{refresh_counts(counts, **missing)}.", time=when)]
    for f in master_report:
        lines.append(LogLine("master", f.message, file=name, sheet=f.sheet or "",
                             cell=f.cell or "", rule=f.rule, severity=f.severity, time=when))
    for outcome in outcomes:
        text = {ACCEPTED: f"accepted: {plural(outcome.accepted_rows, 'row')}",
                PARTLY: f"partly accepted: {plural(outcome.accepted_rows, 'row')} accepted, "
                        f"{outcome.rejected_rows} rejected",
                REJECTED: "rejected: no values taken"}[outcome.outcome]
        queries = len(outcome.report.queries)
        if queries:
            text += f"; {plural(queries, 'query', 'queries')} to check"
        if outcome.quarantined is not None:
            text += f"; annotated copy and findings in {quarantine}"
        lines.append(LogLine(outcome.outcome, f"{outcome.kind or 'return'} {text} "
                             f"(SHA-256 {str(outcome.sha256)[:12]})", file=outcome.name,
                             time=when))
        for f in outcome.report:
            action = "rejected" if f.severity == Severity.ERROR else "query"
            lines.append(LogLine(action, f.message, file=outcome.name, sheet=f.sheet or "",
                                 cell=f.cell or "", rule=f.rule, severity=f.severity,
                                 time=when))
    for skip in skipped:
        lines.append(LogLine(SKIPPED, f"skipped: {skip.note}", file=skip.name, time=when))
    from xlperf.ledger import shown_value  # the ledger's way of showing a figure

    for row in restatements.to_dict("records"):
        new = shown_value(row.get("value")) if row.get("value") == row.get("value") else (
            row.get("no_data_reason") or "none")
        old = shown_value(row.get("previous")) if row.get("previous") == row.get("previous") else (
            row.get("previous_reason") or "none")
        lines.append(LogLine("restatement", f"{row['code']} {row['period']}: {old} -> {new} "
                             f"(was from {row.get('previous_source') or 'history'})",
                             file=str(row.get("source_file") or ""),
                             sheet=str(row.get("sheet") or ""), cell=str(row.get("cell") or ""),
                             time=when))
    if unpublished is not None:  # recorded since the master was last written
        runs, restated = unpublished
        for run in runs.to_dict("records"):
            counts_then = run.get("counts") or {}
            what = ", ".join(f"{counts_then[k]} {label}" for k, label in (
                ("recorded", "values recorded"), ("inserted", "values recorded"),
                ("restatements", "restatements"), ("re-rated", "statuses re-rated"))
                if k in counts_then)
            started = str(run["started_at"])[:16].replace("T", " ")
            if run["kind"] == "refresh":
                text = (f"Refresh {run['id']} (started {started} UTC) is in the ledger but "
                        "this workbook was not written after it (the run stopped before the "
                        "file was replaced, or the workbook was not saved)")
            else:
                text = (f"History import {run['id']} (started {started} UTC) recorded in the "
                        "ledger after this workbook was last written")
            lines.append(LogLine("not shown before", f"{text}: {what or 'nothing counted'}; "
                                 "its restatements are listed below.", time=when))
        kinds = dict(zip(runs["id"].astype(int), runs["kind"], strict=True)) if len(runs) else {}
        for row in restated.to_dict("records"):
            new = shown_value(row.get("value")) if row.get("value") == row.get("value") else (
                row.get("no_data_reason") or "none")
            old = (shown_value(row.get("previous")) if row.get("previous") == row.get("previous")
                   else (row.get("previous_reason") or "none"))
            by = ("refresh" if kinds.get(int(row["refresh_id"]), "refresh") == "refresh"
                  else "history import")
            lines.append(LogLine("restatement", f"{row['code']} {row['period']}: {old} -> "
                                 f"{new} (was from {row.get('previous_source') or 'history'};"
                                 f" recorded by {by} {row['refresh_id']})",
                                 file=str(row.get("source_file") or ""),
                                 sheet=str(row.get("sheet") or ""),
                                 cell=str(row.get("cell") or ""), time=when))
    for change in changes:
        lines.append(LogLine("re-rated" if change.applied else "kept", str(change), time=when))
    if not rescore:
        lines.append(LogLine("frozen", "Past periods keep the statuses they were published "
                             "with; run with --rescore-history to re-rate them with today's "
                             "targets, tolerances and schemes.", time=when))
    text = ", ".join(f"{k} {v:.3f} s" for k, v in timings.items())
    lines.append(LogLine("timing", text, time=when))
    return lines


def result_dict(result: RefreshResult) -> dict[str, Any]:
    """A refresh result as plain data (``xlperf refresh --json`` prints it)."""
    return {
        "workbook": result.workbook, "period": result.period, "ledger": str(result.ledger),
        "refresh_id": result.refresh_id, "counts": result.counts, "timings": result.timings,
        "files": [{"file": f.name, "outcome": f.outcome, "kind": f.kind,
                   "accepted_rows": f.accepted_rows, "rejected_rows": f.rejected_rows,
                   "errors": len(f.report.errors), "queries": len(f.report.queries),
                   "quarantined": str(f.quarantined) if f.quarantined else None,
                   "note": f.note} for f in result.files],
        "status_changes": [str(c) for c in result.status_changes],
    }
