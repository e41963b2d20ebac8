"""What the lossless writer is asked to write, the plan of the new package (parts
replaced, added, removed) and what it says it did (see :mod:`xlperf.write.lossless`, which
is where to import the public ones from)."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from xlperf.core.a1 import (
    MAX_COLUMNS,
    parse_cell,
    parse_range,
)
from xlperf.errors import InputError, WorkbookError
from xlperf.write import _zipcopy
from xlperf.write._opc import (
    Package,
)
from xlperf.write._print import (
    PrintSetup,
)
from xlperf.write.styles import CellStyle

_FORBIDDEN_NAME = re.compile(r"[:\\/?*\[\]]")
_NEW_MEMBER_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Sparkline:
    """One sparkline: drawn in the cell ``location`` (``"M5"``) from the values of ``data``,
    a one-row or one-column range on the same sheet (``"R5:W5"``)."""

    location: str
    data: str

    def __post_init__(self) -> None:
        try:
            parse_cell(self.location)
            top, left, bottom, right = parse_range(self.data)
        except ValueError as exc:
            raise InputError(f"sparkline {self.location!r} <- {self.data!r}: {exc}") from None
        if top != bottom and left != right:
            raise InputError(f"sparkline data {self.data!r} must be one row or one column")


_SPARKLINE_KINDS = ("line", "column", "stacked")


@dataclass(frozen=True)
class SparklineGroup:
    """Sparklines drawn alike (Excel's sparkline group): ``kind`` line, column or stacked
    (win/loss); ``color`` the series, ``marker_color`` the last point and negative values;
    empty cells are gaps and values in hidden columns are drawn."""

    sparklines: tuple[Sparkline, ...]
    kind: str = "line"
    color: str = "#1D70B8"
    marker_color: str = "#D4351C"
    markers: bool = False
    last: bool = True
    line_weight: float = 1.25

    def __post_init__(self) -> None:
        if self.kind not in _SPARKLINE_KINDS:
            raise InputError(f"sparkline kind {self.kind!r} is not one of "
                             f"{', '.join(_SPARKLINE_KINDS)}")
        for colour in (self.color, self.marker_color):
            CellStyle(fill=colour)  # the same colour check as cell styles
        if not all(isinstance(s, Sparkline) for s in self.sparklines):
            raise InputError("a SparklineGroup holds Sparkline objects")
        if not 0 < float(self.line_weight) <= 1584:
            raise InputError(f"sparkline line weight {self.line_weight} is out of range")


@dataclass(frozen=True)
class SheetContent:
    """What to write on one output sheet: a 2-D block of values starting at A1.

    ``rows``: cell values (str, int, float, bool, None, date/datetime/time; numpy scalars and
    Decimal are numbers; None, NaN, pandas NA and "" leave the cell empty; anything else is
    written as its ``str``). Text is always text, even when it starts with ``=``.
    ``styles``: an optional grid of the same shape (shorter rows allowed) of :class:`CellStyle`
    or None. ``widths``: column widths from column A (None leaves a column at the default).
    ``freeze``: the top-left cell of the scrolling area (``"A2"`` freezes row 1; ``"A1"`` none).
    On a sheet that already exists, its own column widths and panes win unless
    ``replace_layout`` is true; widths/freeze given here apply where the sheet has none.
    ``sparklines``: :class:`SparklineGroup` objects drawn on this sheet (their data on this
    sheet too); on rewrite, the sparklines xlperf drew before (those in the columns the new ones
    use, or drawn from ``hidden_columns``) are replaced and the user's own are kept.
    ``hidden_columns``: 1-based columns to hide (e.g. the data of the sparklines), applied
    even when the sheet keeps its own column widths.
    ``outline_columns``: 1-based columns grouped with Excel's outline (Data > Group), written
    collapsed; a sheet whose columns already carry an outline keeps it (and whether the user
    expanded it). ``row_heights``: points per 1-based row (wrapped text needs its height
    given: neither Excel nor LibreOffice grows a row on opening).
    ``print_setup``: a :class:`~xlperf.write._print.PrintSetup`; on rewrite each print element
    the user changed since xlperf wrote it (paper size, margins, header...) is kept.
    """

    rows: Sequence[Sequence[Any]]
    styles: Sequence[Sequence[CellStyle | None]] | None = None
    widths: Sequence[float | None] | None = None
    freeze: str | None = None
    replace_layout: bool = False
    sparklines: Sequence[SparklineGroup] = ()
    hidden_columns: Sequence[int] = ()
    outline_columns: Sequence[int] = ()
    row_heights: Mapping[int, float] | None = None
    print_setup: PrintSetup | None = None

    def __post_init__(self) -> None:
        if isinstance(self.rows, str | bytes) or not isinstance(self.rows, Sequence):
            raise InputError("SheetContent.rows must be a sequence of rows (lists of values); "
                             "for a DataFrame pass [list(df.columns), *df.values.tolist()]")
        if self.freeze is not None:
            try:
                parse_cell(self.freeze)
            except ValueError as exc:
                raise InputError(f"freeze {self.freeze!r} is not a cell like 'A2'") from exc
        if not all(isinstance(g, SparklineGroup) for g in self.sparklines):
            raise InputError("SheetContent.sparklines holds SparklineGroup objects")
        for column in (*self.hidden_columns, *self.outline_columns):
            if not isinstance(column, int) or not 1 <= column <= MAX_COLUMNS:
                raise InputError(f"hidden column {column!r} is not a column number 1-"
                                 f"{MAX_COLUMNS}")


@dataclass(frozen=True)
class SheetWritten:
    """One output sheet as written: its part, whether it was created, its used size, its tables."""

    name: str
    part: str
    created: bool
    rows: int
    columns: int
    tables: tuple[str, ...] = ()
    # The cells the user had put outside the table xlperf wrote there last time (A1), which
    # this write replaced: in the backup, and said by the refresh.
    left_out: tuple[str, ...] = ()


@dataclass(frozen=True)
class WriteResult:
    """What :func:`write_sheets` did."""

    path: Path
    sheets: tuple[SheetWritten, ...]
    styles_changed: bool
    calc_chain_removed: bool
    backup: Path | None = None
    seconds: float = 0.0
    changed_parts: tuple[str, ...] = field(default=())


def check_sheet_name(name: str) -> None:
    """Refuse a name Excel would not accept for a sheet."""
    if not isinstance(name, str) or not name:
        raise WorkbookError(f"sheet name {name!r} is empty or not text", sheet=str(name))
    units = len(name.encode("utf-16-le")) // 2
    if units > 31:
        raise WorkbookError(f"sheet name {name!r} is longer than Excel's 31 characters",
                            sheet=name)
    if _FORBIDDEN_NAME.search(name):
        raise WorkbookError(f"sheet name {name!r} contains one of : \\ / ? * [ ] which Excel "
                            "does not allow", sheet=name)
    if name[0] == "'" or name[-1] == "'":
        raise WorkbookError(f"sheet name {name!r} begins or ends with an apostrophe", sheet=name)
    if name.lower() == "history":
        raise WorkbookError("'History' is a sheet name Excel reserves", sheet=name)
    if any(ord(ch) < 32 for ch in name):
        raise WorkbookError(f"sheet name {name!r} contains a control character", sheet=name)


class _Plan:
    """The result of planning a write: new bytes per part, members to drop and to add."""

    def __init__(self, package: Package):
        self.package = package
        self.replaced: dict[str, bytes] = {}   # real member name -> new bytes
        self.added: dict[str, bytes] = {}      # new member name -> bytes
        self.dropped: set[str] = set()
        self.written: list[SheetWritten] = []
        self.styles_changed = False
        self.calc_chain: str | None = None

    def write_zip(self, fh: BinaryIO) -> None:
        """Write the new package: same member order, unchanged members copied as they are."""
        extra = sum(len(d) for d in self.replaced.values()) + sum(
            len(d) for d in self.added.values())
        if not _zipcopy.fits(self.package.infos, extra):
            self._write_zip_recompressing(fh)
            return
        writer = _zipcopy.RawZipWriter(fh)
        with open(self.package.path, "rb") as source:
            for info, data in self._kept():
                if data is None:
                    writer.copy(source, info)
                else:
                    writer.add(info.filename, data, date_time=info.date_time,
                               external_attr=info.external_attr,
                               create_system=info.create_system,
                               stored=info.compress_type == zipfile.ZIP_STORED)
        for name, data in self.added.items():
            writer.add(name, data, date_time=_NEW_MEMBER_TIME)
        writer.close()

    def _kept(self) -> Iterator[tuple[zipfile.ZipInfo, bytes | None]]:
        """The members kept, in their order, each with its new bytes (None: unchanged)."""
        for info in self.package.infos:
            if info.filename not in self.dropped:
                yield info, self.replaced.get(info.filename)

    def _write_zip_recompressing(self, fh: BinaryIO) -> None:
        """The same through :mod:`zipfile` (zip64-sized packages): every member recompressed."""
        with zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zout:
            for info, data in self._kept():
                name = info.filename
                if data is None:
                    data = self.package.read(name)
                copy = zipfile.ZipInfo(name, date_time=info.date_time)
                copy.compress_type = (info.compress_type if info.compress_type in
                                      (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
                                      else zipfile.ZIP_DEFLATED)
                copy.external_attr = info.external_attr
                copy.create_system = info.create_system
                zout.writestr(copy, data)
            for name, data in self.added.items():
                new = zipfile.ZipInfo(name, date_time=_NEW_MEMBER_TIME)
                new.compress_type = zipfile.ZIP_DEFLATED
                zout.writestr(new, data)
