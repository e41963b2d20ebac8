"""Reading history from before xlperf: a CSV, a workbook sheet or a DataFrame, long or wide.

The source is turned into a grid of cells (row 1 is ``grid[0]``, so positions map straight to
A1 references), the header row is found by its ``Code`` header, and each value cell is read
with the core's :func:`~xlperf.core.values.parse_values`. What cannot be imported becomes a
finding pinned to its cell; everything else becomes rows for
:meth:`~xlperf.ledger.Ledger.record_values` with the file's SHA-256, sheet and cell, so a
second import of the same file changes nothing.

Finding rules (``PERF-006``, ``PERF-007`` and ``FILE-015`` are the return catalogue's; the
``HIST`` rules are in the catalogue too, ``validation/rules.csv``, so ``xlperf rules`` lists
them and a master's ``Rules`` sheet can change their severity)::

    FILE-015  error  the Code (or, in long layout, Period / Value) column is missing
    PERF-006  error  a value cell is not a number                     (not imported)
    PERF-007  error  a value cell shows an Excel error                (not imported)
    HIST-001  error  a period cell (long) cannot be read as a period  (row not imported)
    HIST-002  error  a row has values but no measure code             (row not imported)
    HIST-003  query  a column header is neither a known column nor a period (ignored)
    HIST-004  query  a measure and period appears twice: the later cell is used
    HIST-005  error  a code that is not in the register (with a master; row not imported)

Checked against a master (its register), history is read as a return is: a code must be a
measure of the register, and a month that ends a quarter (or a financial year) is that
quarter (year) for a quarterly (annual) measure, so ``30/06/11`` heads Q1 2011/12 of a
quarterly measure. A wide sheet may carry its periods in two header rows, financial years over
``Qtr1``...``Qtr4`` (or months), as printed council scorecards lay them out.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from xlperf.core.a1 import cell_ref, column_letter
from xlperf.core.columns import MEASURE_COLUMNS, VALUE_COLUMNS, fold
from xlperf.core.periods import parse_period
from xlperf.core.values import KIND_INVALID, KIND_NUMBER, REASON_BLANK, parse_values
from xlperf.errors import (
    NOT_A_WORKBOOK,
    SHEET_NOT_READABLE,
    InputError,
    PeriodError,
    WorkbookError,
    translated,
)
from xlperf.findings import ERROR, Finding
from xlperf.validate.registry import made_by

if TYPE_CHECKING:
    from xlperf.ledger._store import RefreshRun
    from xlperf.read.master import Master

# (sheet, column letters) -> the rows whose cell there has a % number format
PercentRows = Callable[[str, str], Collection[int]]

LAYOUTS = ("auto", "long", "wide")
_SEARCH_ROWS = 30
_WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"}


@dataclass
class History:
    """What was read: the rows to record, the findings, and counts."""

    values: pd.DataFrame
    findings: list[Finding]
    file: str | None
    sha256: str | None
    meta: dict[str, Any] = field(default_factory=dict)


def sha256_file(path: str | Path) -> str:
    """The SHA-256 of a file's bytes, in hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and value != value:
        return True
    return isinstance(value, str) and value.strip() == ""


# Too large, a zip bomb, unsafe XML, a password, damage (a CRC failure, a traversal name):
# never parsed.
_UNSAFE = frozenset({"FILE-003", "FILE-004", "FILE-006", "FILE-007", "FILE-008"})


def _check_safe(path: Path) -> None:
    """History files come from other people's spreadsheets: the file checks a return gets
    (size, zip bomb, unsafe XML, password) before anything is parsed; macros do not matter,
    as only values are read. A CSV is only held to the size limit."""
    from xlperf.validate.files import Limits, check_file

    limit = Limits().max_bytes
    if path.suffix.lower() not in _WORKBOOK_SUFFIXES:
        if path.stat().st_size > limit:
            raise WorkbookError(f"{path.name} is {path.stat().st_size / 2**20:.0f} MiB, larger "
                                f"than the {limit / 2**20:.0f} MiB xlperf reads; split it by "
                                "year", file=str(path))
        return
    _not_renamed(path)
    # Only the safety checks: calamine reads .xls, .xlsb and .ods history as well.
    problems = [f for f in check_file(path, allow_macros=True) if f.rule in _UNSAFE]
    if problems:
        raise WorkbookError(problems[0].message, file=str(path))


def _not_renamed(path: Path) -> None:
    """A file named as a workbook that is not one (a CSV saved as ``history.xlsx``) is named
    for what it is, not for what the zip reader trips on ("Could not find EOCD")."""
    from xlperf.validate.files import describe_bytes

    with path.open("rb") as handle:
        head = handle.read(8192)
    if head.startswith((b"PK", b"\xd0\xcf\x11\xe0")):  # a zip package, an Office 97-2003 file
        return
    kind = describe_bytes(head)
    hint = (f" Rename it to {path.stem}.csv and import it again." if "text file" in kind
            else " Open it in Excel and save it as an Excel Workbook (*.xlsx), or as CSV.")
    kind = "a CSV file" if "CSV" in kind else kind
    raise WorkbookError(f"{path.name} looks like {kind}, not a {path.suffix} workbook.{hint}",
                        file=str(path))


def _grid_from_csv(path: Path) -> list[list[Any]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        text = path.read_text(encoding="cp1252")  # CSV saved by Excel on Windows
    return [[None if c.strip() == "" else c for c in row] for row in csv.reader(io.StringIO(text))]


def _grid_from_workbook(path: Path, sheet: str | None) -> tuple[list[list[Any]], str]:
    import python_calamine as pc

    with translated(path.name, NOT_A_WORKBOOK,
                    families=("calamine", "os", "value"), record=str(path)):
        book = pc.CalamineWorkbook.from_path(str(path))
    names = list(book.sheet_names)
    if sheet is not None:
        wanted = fold(sheet)
        chosen = [n for n in names if fold(n) == wanted]
        if not chosen:
            raise WorkbookError(f"{path.name} has no sheet {sheet!r} (it has "
                                f"{', '.join(names)})", file=str(path), sheet=sheet)
        names = chosen
    first: tuple[list[list[Any]], str] | None = None
    for name in names:
        with translated(path.name, SHEET_NOT_READABLE, families=("calamine",), sheet=name,
                        record=str(path)):
            rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        grid = [[None if v == "" else v for v in row] for row in rows]
        if _header_row(grid) is not None:
            return grid, name
        first = first or (grid, name)
    if first is None:
        raise WorkbookError(f"{path.name} has no sheets", file=str(path))
    # No sheet has a Code column: the first one is read, so that is a FILE-015 finding (a
    # bad history file, exit code 1) as for a CSV, not a failure to read the file.
    return first


def _header_row(grid: Sequence[Sequence[Any]]) -> int | None:
    """0-based index of the first row holding a code header."""
    codes = {fold(h) for h in ("code", *MEASURE_COLUMNS["code"])}
    for i, row in enumerate(grid[:_SEARCH_ROWS]):
        if any(isinstance(c, str) and fold(c) in codes for c in row):
            return i
    return None


def _roles(header: Sequence[Any]) -> dict[str, int]:
    """Core name -> 0-based column for the value-table headers found (first one wins)."""
    lookup: dict[str, str] = {}
    for core, aliases in VALUE_COLUMNS.items():
        for alias in (core, *aliases):
            lookup.setdefault(fold(alias), core)
    roles: dict[str, int] = {}
    for j, cell in enumerate(header):
        if isinstance(cell, str) and fold(cell) in lookup:
            roles.setdefault(lookup[fold(cell)], j)
    return roles


def _period_header(cell: Any) -> Any:
    """The period a wide-layout header names, or None."""
    if _blank(cell):
        return None
    try:
        return parse_period(cell.strip() if isinstance(cell, str) else cell)
    except (PeriodError, TypeError, ValueError):
        return None


class _Reader:
    def __init__(self, grid: list[list[Any]], file: str, sheet: str | None,
                 percent_rows: PercentRows | None = None,
                 frequencies: Mapping[str, str] | None = None,
                 rules: Mapping[str, Any] | None = None):
        if rules is None:
            from xlperf.validate.catalogue import load_rules

            rules = load_rules()
        self.rules = rules
        self.frequencies = frequencies
        self.percent_rows = percent_rows
        self.grid = grid
        self.file = file
        self.sheet = sheet
        self.findings: list[Finding] = []
        width = max((len(r) for r in grid), default=0)
        self.cells = np.full((len(grid), width), None, dtype=object)
        for i, row in enumerate(grid):
            self.cells[i, :len(row)] = row

    def add(self, rule: str, severity: str, message: str, row: int | None = None,
            column: int | None = None, value: Any = None) -> None:
        cell = None if row is None or column is None else cell_ref(row + 1, column + 1)
        self.findings.append(Finding(rule, severity, message, file=self.file,  # type: ignore[arg-type]
                                     sheet=self.sheet, cell=cell, value=value))

    def where(self, row: int, column: int) -> str:
        return cell_ref(row + 1, column + 1)

    def hist(self, rule: str, row: int, column: int, value: Any, **fields: Any) -> None:
        """A finding of a ``HIST`` rule of the catalogue, at a cell of the grid."""
        self.findings.append(self.rules[rule].finding(
            file=self.file, sheet=self.sheet, cell=cell_ref(row + 1, column + 1), value=value,
            **fields))


def _stacked_header(cells: np.ndarray, top: int) -> tuple[dict[int, Any], int] | None:
    """Periods read from two header rows, financial years over ``Qtr1``...``Qtr4`` (or
    months), as printed scorecards lay them out: ``({column: Period}, first body row)``, or
    None. The years are in the Code header row (their quarters below it) or the row above
    it; a year heads the columns up to the next one (a merged cell)."""
    for years, below in ((top, top + 1), (top - 1, top)):
        if years < 0 or below >= len(cells):
            continue
        found: dict[int, Any] = {}
        needed = False  # a period that is one only with the year above it
        year = None
        for j in range(cells.shape[1]):
            head = cells[years, j]
            if not _blank(head):
                period = _period_header(head)
                year = period if period is not None and period.frequency == "year" else None
            sub = cells[below, j]
            if year is None or _blank(sub):
                continue
            text = sub.strip() if isinstance(sub, str) else sub
            if _period_header(text) is None:
                try:
                    found[j] = parse_period(text, financial_year=year.format())
                    needed = True
                except (PeriodError, TypeError, ValueError):
                    continue
        if needed:
            return found, below + 1
    return None


def _as_frequency(parsed: np.ndarray, codes: np.ndarray,
                  frequencies: Mapping[str, str] | None) -> np.ndarray:
    """Each value's period in its measure's frequency: a month that ends a quarter (year) is
    that quarter (financial year) for a quarterly (annual) measure, as a month-end date
    heading (``30/06/11``) of a quarterly measure means. Other periods are kept."""
    if not frequencies:
        return parsed
    out = parsed.copy()
    seen: dict[tuple[int, str], Any] = {}
    for i, (period, code) in enumerate(zip(parsed, codes, strict=True)):
        wanted = frequencies.get(code)
        if period is None or wanted not in ("quarter", "year") or period.frequency != "month":
            continue
        key = (id(period), wanted)
        if key not in seen:
            wider = parse_period(period, wanted)
            seen[key] = wider if wider.end == period.end else period
        out[i] = seen[key]
    return out


@made_by("HIST-001", "HIST-002", "HIST-003", "HIST-004", "HIST-005")
def _read(reader: _Reader, layout: str) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Rows to record (code, period, actual, ..., sheet, cell) and counts."""
    top = _header_row(reader.grid)
    empty = pd.DataFrame(columns=["Code", "Period", "Actual"])
    if top is None:
        reader.add("FILE-015", ERROR, f"Column 'Code' is missing from {reader.file}: no row in "
                   f"the first {_SEARCH_ROWS} has a Code header, so nothing can be imported.")
        return empty, {"layout": layout}
    header = reader.cells[top]
    roles = _roles(header)
    code_col = roles["code"]
    is_long = "period" in roles and "actual" in roles
    if layout == "auto":
        layout = "long" if is_long else "wide"
    stacked = _stacked_header(reader.cells, top) if layout == "wide" else None
    first = stacked[1] if stacked is not None else top + 1
    body = reader.cells[first:]
    rows = np.arange(first, first + len(body))  # 0-based grid rows
    if len(body) == 0:
        return empty, {"layout": layout, "rows": 0}
    codes = body[:, code_col]

    if layout == "long":
        missing = [name for name in ("period", "actual") if name not in roles]
        for name in missing:
            shown = "Value" if name == "actual" else "Period"
            reader.add("FILE-015", ERROR, f"Column '{shown}' is missing from the header row "
                       f"{top + 1} of sheet {reader.sheet or reader.file}, so the long layout "
                       "cannot be read.", top, code_col)
        if missing:
            return empty, {"layout": layout}
        period_col, value_col = roles["period"], roles["actual"]
        cells = body[:, value_col]
        periods = body[:, period_col]
        value_rows, value_cols = rows, np.full(len(rows), value_col)
        extra = {name: body[:, roles[name]] for name in
                 ("commentary", "numerator", "denominator", "reported_status") if name in roles}
        # Periods: each distinct cell parsed once.
        uniques: dict[Any, Any] = {}
        parsed = np.empty(len(periods), dtype=object)
        for i, cell in enumerate(periods):
            key = cell.strip() if isinstance(cell, str) else cell
            if key not in uniques:
                uniques[key] = _period_header(key)
            parsed[i] = uniques[key]
        ignored_headers = 0
    else:
        known = {fold(a) for aliases in (*MEASURE_COLUMNS.values(), *VALUE_COLUMNS.values())
                 for a in aliases} | {fold(k) for k in (*MEASURE_COLUMNS, *VALUE_COLUMNS)}
        period_cols, period_of = [], []
        ignored_headers = 0
        stacked_at = stacked[0] if stacked is not None else {}
        for j, cell in enumerate(header):
            if j in stacked_at:
                period_cols.append(j)
                period_of.append(stacked_at[j])
                continue
            if j == code_col or _blank(cell):
                continue
            period = _period_header(cell)
            if stacked is not None and period is not None and period.frequency == "year":
                continue  # the year over its quarters
            if period is not None:
                period_cols.append(j)
                period_of.append(period)
            elif not (isinstance(cell, str) and fold(cell) in known):
                ignored_headers += 1
                reader.hist("HIST-003", top, j, cell)
        if not period_cols:
            reader.add("FILE-015", ERROR, "No column is headed with a period (like "
                       "'Q1 2013/14' or 'Jun-13') and there are no Period and Value columns, "
                       "so there is nothing to import.", top, code_col)
            return empty, {"layout": layout}
        n, k = len(body), len(period_cols)
        cells = body[:, period_cols].reshape(-1)
        codes = np.repeat(codes, k)
        parsed = np.tile(np.array(period_of, dtype=object), n)
        value_rows = np.repeat(rows, k)
        value_cols = np.tile(np.array(period_cols), n)
        period_col = None
        extra = {}

    percent = np.zeros(len(cells), dtype=bool)
    if reader.percent_rows is not None and reader.sheet is not None:
        for column in np.unique(value_cols):
            rows_with_percent = reader.percent_rows(reader.sheet, column_letter(column + 1))
            if rows_with_percent:
                here = value_cols == column
                percent[here] = np.isin(value_rows[here] + 1, list(rows_with_percent))
    values = parse_values(pd.Series(cells, dtype=object), percent_format=pd.Series(percent))
    kind = values["kind"].to_numpy()
    reason = values["reason"].to_numpy(dtype=object)
    blank = (kind != KIND_NUMBER) & (reason == REASON_BLANK)
    code_text = np.array(["" if _blank(c) else str(c).strip() for c in codes], dtype=object)
    no_code = code_text == ""
    parsed = _as_frequency(parsed, code_text, reader.frequencies)
    unknown = np.zeros(len(code_text), dtype=bool)
    if reader.frequencies is not None:  # checked against the register, as a return is
        unknown = ~no_code & ~np.isin(code_text, list(reader.frequencies))
    excel_error = np.array([isinstance(r, str) and r.startswith("Excel error")
                            for r in reason], dtype=bool)
    invalid = kind == KIND_INVALID
    bad_period = np.array([p is None for p in parsed], dtype=bool)

    # Findings, each at its cell. Whole rows with no code and no values are just blank rows.
    for i in np.flatnonzero(no_code & ~blank).tolist():
        reader.hist("HIST-002", value_rows[i], value_cols[i], cells[i])
    flagged_rows: set[int] = set()
    for i in np.flatnonzero(unknown & ~blank).tolist():  # one finding per row, at its code
        if value_rows[i] not in flagged_rows:
            flagged_rows.add(value_rows[i])
            reader.hist("HIST-005", value_rows[i], code_col, code_text[i], code=code_text[i])
    if period_col is not None:
        flagged: set[int] = set()
        for i in np.flatnonzero(bad_period & ~no_code & ~unknown & ~blank).tolist():
            if value_rows[i] in flagged:
                continue
            flagged.add(value_rows[i])
            raw = reader.cells[value_rows[i], period_col]
            reader.hist("HIST-001", value_rows[i], period_col, raw, code=code_text[i])
    usable = ~no_code & ~unknown & ~bad_period & ~blank
    for i in np.flatnonzero(usable & invalid).tolist():
        label = parsed[i].format()
        reader.add("PERF-006", ERROR, f"{label} actual for {code_text[i]} in "
                   f"{reader.where(value_rows[i], value_cols[i])} is '{cells[i]}', which is not "
                   "a number: not imported.", value_rows[i], value_cols[i], cells[i])
    for i in np.flatnonzero(usable & excel_error).tolist():
        reader.add("PERF-007", ERROR, f"{reader.where(value_rows[i], value_cols[i])} "
                   f"({code_text[i]}) shows the Excel error {cells[i]} instead of a figure: "
                   "not imported.", value_rows[i], value_cols[i], cells[i])
    keep = usable & ~invalid & ~excel_error
    out = pd.DataFrame({
        "Code": code_text[keep],
        "Period": parsed[keep],
        "Actual": values["number"].to_numpy()[keep],
        "No data reason": np.where(kind == KIND_NUMBER, None, reason)[keep],
        "Sheet": reader.sheet,
        "Cell": [cell_ref(r + 1, c + 1) for r, c in zip(value_rows[keep], value_cols[keep],
                                                         strict=True)],
    })
    for name, column in extra.items():
        out[{"reported_status": "Reported status"}.get(name, name.title())] = column[keep]
    # The same measure and period twice: the later cell wins, and say so.
    keys = pd.Series([f"{c}\x00{p.format('iso')}" for c, p in zip(out["Code"], out["Period"],
                                                                  strict=True)], dtype=object)
    repeated = keys.duplicated(keep="last").to_numpy()
    for i in np.flatnonzero(repeated).tolist():
        later = out["Cell"].to_numpy()[np.flatnonzero(keys.to_numpy() == keys.iloc[i])[-1]]
        reader.findings.append(reader.rules["HIST-004"].finding(
            file=reader.file, sheet=reader.sheet, cell=out["Cell"].iloc[i],
            code=out["Code"].iloc[i], period=out["Period"].iloc[i].format(), later_cell=later))
    out = out.loc[~repeated].reset_index(drop=True)
    out["Period"] = [p.format() for p in out["Period"]]
    meta = {
        "layout": layout,
        "rows": int(len(body)),
        "values": int(len(out)),
        "numbers": int((out["Actual"].notna()).sum()),
        "no_data": int(out["Actual"].isna().sum()),
        "blank": int((blank & ~no_code).sum()),
        "not_imported": int((~no_code & ~blank & ~keep).sum() + (no_code & ~blank).sum()),
        "ignored_columns": ignored_headers,
    }
    return out, meta


def read_history(source: pd.DataFrame | str | Path, layout: str = "auto", *,
                 sheet: str | None = None, name: str | None = None,
                 percent_rows: PercentRows | None = None,
                 frequencies: Mapping[str, str] | None = None,
                 rules: Mapping[str, Any] | None = None) -> History:
    """Read history values and findings from ``source`` (see
    :meth:`~xlperf.ledger.Ledger.import_history`).

    ``frequencies`` (``{code: 'month' | 'quarter' | 'year'}``, the register's) checks the
    codes against the register (``HIST-005``) and reads a quarter-end month as the quarter of
    a quarterly measure; ``rules`` is the catalogue to make findings from (default: the
    shipped one; a master's, with its ``Rules`` sheet's severities).

    ``percent_rows(sheet, column_letters)`` (for a workbook) gives the rows whose cell in that
    column has a % number format, so a stored fraction 0.6804 is read as 68.04; the ledger
    reads no cell formats itself (``xlperf.read.returns.percent_rows`` does)."""
    if layout not in LAYOUTS:
        raise InputError(f"layout {layout!r} is not one of {', '.join(LAYOUTS)}")
    if isinstance(source, pd.DataFrame):
        header = [str(c) for c in source.columns]
        grid = [header, *source.astype(object).to_numpy().tolist()]
        file = name or "history"
        digest = hashlib.sha256(source.to_csv(index=False).encode("utf-8")).hexdigest()
        sheet_name = sheet
    else:
        path = Path(source)
        if not path.is_file():
            raise WorkbookError(f"{path}: no such file", file=str(path))
        file = name or path.name
        _check_safe(path)
        digest = sha256_file(path)
        if path.suffix.lower() in _WORKBOOK_SUFFIXES:
            grid, sheet_name = _grid_from_workbook(path, sheet)
        else:
            grid, sheet_name = _grid_from_csv(path), None
    reader = _Reader(grid, file, sheet_name, percent_rows, frequencies, rules)
    values, meta = _read(reader, layout)
    values["Source file"] = file
    values["Source SHA-256"] = digest
    return History(values, reader.findings, file, digest, meta)


def register_frequencies(master: Master) -> dict[str, str]:
    """``{code: frequency}`` of a read master's usable register."""
    register = master.prepared_register
    return dict(zip(register["code"].astype(str), register["frequency"].astype(str),
                    strict=True))


def freeze_imported(run: RefreshRun, master: Master, values: pd.DataFrame, imported: pd.DataFrame
                    ) -> int:
    """Score each period the import gave values for with the master (its register, Targets
    sheet and schemes) and freeze those measures' statuses for those periods, as a refresh
    freezes a period's: a status already frozen is kept. ``values`` are the ledger's values
    in use (for direction of travel), ``imported`` the rows just imported (``Code``,
    ``Period``). Returns how many statuses were frozen or found frozen."""
    if imported.empty:
        return 0
    wanted = set(zip(imported["Code"], imported["Period"], strict=True))
    frames = []
    for period in pd.unique(imported["Period"]):
        scored = master.score(values, period)
        mine = np.fromiter(((c, p) in wanted for c, p in zip(
            scored["code"], scored["period"], strict=True)), dtype=bool, count=len(scored))
        frames.append(scored.loc[mine])
    scored = pd.concat(frames, ignore_index=True)
    if scored.empty:
        return 0
    from xlperf.core.spc_scored import with_spc

    # Variation and assurance frozen with the statuses, as a refresh freezes them.
    scored = with_spc(scored, values, master.prepared_register, master.spc_settings,
                      master.spc_changes, master.targets)
    run.freeze_statuses(scored, period_keys=[], measures=master.prepared_register,
                        default_scheme=master.default_scheme, prepared=True)
    return len(scored)
