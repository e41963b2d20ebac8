"""The master as the refresh sees it: the :class:`Workbook` protocol and :class:`ZipWorkbook`.

The refresh reads a sheet's values and writes its output sheets through this small interface:
:class:`ZipWorkbook` is the headless implementation (python-calamine reads, the lossless
writer writes), :class:`xlperf.excel.gateway.XlwingsWorkbook` the one over an open Excel book.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from xlperf.errors import WorkbookError

__all__ = ["Workbook", "ZipWorkbook"]


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

        self.path: Path | None = _files.master_file(path)  # a link: the file it points to
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
    def hold(self, wait: float = 0.0) -> Iterator[ZipWorkbook]:
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

