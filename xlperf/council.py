"""One council: a master workbook, its register and :class:`~xlperf.settings.Settings`, its
ledger and its returns folder, each resolved once, and what a council does with them.

Every door (the CLI, the refresh, the add-in server, the Excel buttons and Lite scripts, the
committee report, ``returns`` and ``chase``) opens a :class:`Council` and asks it: none looks
up a setting or works out a path itself (``tests/test_council.py`` reads the package's source
to hold it to that). Its methods delegate to the library calls that do the work
(:func:`xlperf.validate.validate_returns`, :func:`xlperf.refresh.refresh`,
:func:`xlperf.report.report_data_from_master`, :class:`xlperf.ledger.Ledger`...).

Where things are (the rules of :class:`~xlperf.settings.Settings`):

- :attr:`Council.returns_folder`: the ``Returns folder`` setting (default ``returns``),
  relative to the master's folder unless absolute (``~`` is the home folder);
- :attr:`Council.ledger`: the ``Ledger path`` setting, the same way, else
  ``<master stem>.ledger.sqlite`` beside the master.

A folder or ledger that does not exist yet is still where it would be: nothing is created
until a refresh or an import writes there.

>>> council = Council.open("reports/master.xlsx", missing_ok=True)
>>> council.returns_folder.as_posix(), council.ledger.as_posix()
('reports/returns', 'reports/master.ledger.sqlite')
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xlperf.settings import Settings

if TYPE_CHECKING:
    import datetime as dt

    import pandas as pd

    from xlperf.collection import CollectionStatus
    from xlperf.findings import Report
    from xlperf.read.master import Master
    from xlperf.refresh import RefreshResult, Workbook
    from xlperf.report import ReportData

__all__ = ["Council", "scratch_ledger"]


class Council:
    """A council's master and what hangs off it, resolved once (read-only once made).

    Open one with :meth:`open` (from the master's path) or :meth:`of` (a master already read,
    such as the sheets of a workbook open in Excel). The master is read on first use."""

    __slots__ = ("__dict__", "path")

    path: Path

    def __init__(self, path: str | Path, master: Master | None = None, *,
                 missing_ok: bool = False) -> None:
        from xlperf._files import master_file

        object.__setattr__(self, "path", master_file(path))  # a link: the real master
        if master is not None:
            self.__dict__["master"] = master
        self.__dict__["_missing"] = master is None and missing_ok and not self.path.exists()

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a Council is read-only: {name} cannot be set")

    def __repr__(self) -> str:
        return f"Council({str(self.path)!r})"

    @classmethod
    def open(cls, path: str | Path, *, missing_ok: bool = False) -> Council:
        """The council of the master at ``path``. ``missing_ok``: a master that does not
        exist yet has the default settings (its ledger and folder are where they would be);
        otherwise reading it raises :class:`~xlperf.errors.WorkbookError`."""
        return cls(path, missing_ok=missing_ok)

    @classmethod
    def of(cls, master: Master, path: str | Path | None = None) -> Council:
        """The council of a master already read (``path``: where its file is, default the
        path it was read from)."""
        return cls(master.path if path is None else path, master)

    # -- what is resolved once --------------------------------------------------------------
    @property
    def exists(self) -> bool:
        """Whether there is a master to read (False only when opened ``missing_ok``)."""
        return not self.__dict__["_missing"]

    @cached_property
    def master(self) -> Master:
        """The master as read; raises :class:`~xlperf.errors.WorkbookError` when it cannot
        be read (or does not exist)."""
        from xlperf.read.master import read_master

        return read_master(self.path)

    @cached_property
    def settings(self) -> Settings:
        """The master's Settings sheet, typed (defaults for a missing master)."""
        return self.master.settings if self.exists else Settings()

    @cached_property
    def returns_folder(self) -> Path:
        """Where the returns come in (:meth:`~xlperf.settings.Settings.returns_folder_in`)."""
        return self.settings.returns_folder_in(self.path)

    @cached_property
    def ledger(self) -> Path:
        """Where the ledger is (:meth:`~xlperf.settings.Settings.ledger_in`)."""
        return self.settings.ledger_in(self.path)

    def returns(self) -> list[Path]:
        """The returns folder as a list of folders to read: empty when it does not exist."""
        return [self.returns_folder] if self.returns_folder.is_dir() else []

    def previous_values(self, period: Any = None) -> pd.DataFrame:
        """The ledger's accepted values a return for ``period`` is checked against
        (:func:`xlperf.ledger.previous_values`; none when there is no ledger yet)."""
        from xlperf.core.periods import parse_period
        from xlperf.errors import XlperfError
        from xlperf.ledger import previous_values

        chosen = period if period is not None else self.settings.reporting_period or None
        try:
            reporting = parse_period(chosen) if chosen is not None else None
        except XlperfError:  # an unreadable period is reported elsewhere; compare with all
            reporting = None
        return previous_values(self.ledger, reporting)

    def responses(self) -> dict[str, str]:
        """The services' answers to earlier queries recorded in the ledger (fingerprint ->
        response, :func:`xlperf.ledger.known_responses`): a query answered on the same figure
        is explained, not asked again. Empty when there is no ledger yet."""
        from xlperf.ledger import known_responses

        return known_responses(self.ledger)

    # -- what a council does ----------------------------------------------------------------
    def validate(self, paths: Iterable[str | Path] | None = None, *, period: Any = None,
                 service: str | None = None,
                 progress: Callable[[Path], None] | None = None) -> list[Report]:
        """Validate returns against this master and its ledger's history
        (:func:`xlperf.validate.validate_returns`); ``paths`` default to the returns in the
        returns folder for ``period`` (default: the reporting period), one return each as the
        refresh takes them (:func:`xlperf.refresh.one_report_each`: ``FILE-023``)."""
        from xlperf.validate.returns import validate_returns

        folder = paths is None
        if paths is None:
            from xlperf.refresh import collect_returns

            chosen = period if period is not None else self.settings.reporting_period
            paths = collect_returns(self.returns_folder, chosen)[0]
        paths = list(paths)
        reports = validate_returns(paths, self.master, previous=self.previous_values(period),
                                   period=period, service=service, progress=progress,
                                   responses=self.responses())
        if folder:
            from xlperf.refresh import one_report_each

            return one_report_each([Path(p) for p in paths], reports)
        return reports

    def validate_grids(self, grids: Mapping[str, Sequence[Sequence[Any]]], *,
                       name: str = "return.xlsx",
                       percent_cells: Mapping[str, Iterable[str]] | None = None,
                       period: Any = None, service: str | None = None) -> Report:
        """Validate a return whose sheets are in memory (:func:`xlperf.validate.
        validate_grids`) against this master and its ledger's history."""
        from xlperf.validate.returns import validate_grids

        return validate_grids(grids, self.master, name=name, percent_cells=percent_cells,
                              previous=self.previous_values(period), period=period,
                              service=service, responses=self.responses())

    def refresh(self, book: Workbook | None = None, *, backups: int = 0,
                **options: Any) -> RefreshResult:
        """Refresh the master (:func:`xlperf.refresh.refresh`): ``book`` is the workbook to
        write (default: the master's file, headless, keeping ``backups``); ``options`` as
        there. The refresh reads the master from ``book`` under its lock, so its ledger and
        returns folder are this council's as of that read."""
        from xlperf.refresh import ZipWorkbook, refresh

        return refresh(book if book is not None else ZipWorkbook(self.path, backups=backups),
                       **options)

    def report(self, period: Any = None, history: pd.DataFrame | None = None,
               **options: Any) -> ReportData:
        """The committee report's data (:func:`xlperf.report.report_data_from_master`)."""
        from xlperf.report import report_data_from_master

        return report_data_from_master(self, period, history, **options)

    def history(self) -> pd.DataFrame:
        """Every status the ledger froze (measure, period, status...): what the committee
        was told, whatever the register says now. Empty when there is no ledger yet."""
        import pandas as pd

        from xlperf.ledger import Ledger

        if not self.ledger.is_file():
            return pd.DataFrame()
        with Ledger(self.ledger) as ledger:
            return ledger.frozen_statuses()

    def log(self, limit: int | None = None) -> pd.DataFrame:
        """The refreshes and imports recorded in the ledger, newest first (at most
        ``limit``). Empty when there is no ledger yet."""
        import pandas as pd

        from xlperf.ledger import Ledger

        if not self.ledger.exists():
            return pd.DataFrame()
        with Ledger(self.ledger) as ledger:
            frame = ledger.refreshes()
        return frame if limit is None else frame.head(limit)

    def export(self) -> pd.DataFrame:
        """The ledger as one tidy table for BI tools (:func:`xlperf.ledger.export`), with the
        register's measure details. Raises :class:`~xlperf.errors.XlperfError` when there is
        no ledger yet."""
        from xlperf.errors import XlperfError
        from xlperf.ledger import Ledger, export

        if not self.ledger.exists():
            raise XlperfError(f"{self.path.name} has no ledger yet ({self.ledger}): refresh "
                              "or import-history first")
        register = self.master.usable_register if self.exists else None
        with Ledger(self.ledger) as ledger:
            return export(ledger, register)

    def import_history(self, source: pd.DataFrame | str | Path, layout: str = "auto", *,
                       sheet: str | None = None, name: str | None = None,
                       percent_rows: Any = None, checked: bool = True) -> Report:
        """Import values from before xlperf into the ledger
        (:meth:`xlperf.ledger.Ledger.import_history`), checked against the register like a
        return when ``checked`` and there is a master."""
        from xlperf.ledger import Ledger

        with Ledger(self.ledger) as ledger:
            return ledger.import_history(source, layout, sheet=sheet, name=name,
                                         percent_rows=percent_rows,
                                         master=self.master if checked and self.exists
                                         else None)

    def collection(self, period: Any = None, *, today: dt.date | None = None,
                   returns_folder: str | Path | None = None) -> CollectionStatus:
        """Who owes which return, by when (:func:`xlperf.collection.collection_status`)."""
        from xlperf.collection import collection_status

        return collection_status(self, period=period, today=today,
                                 returns_folder=returns_folder)


def scratch_ledger(folder: str | Path, workbook: str) -> Path:
    """The ledger a refresh with no master file keeps in ``folder`` (xlwings Lite: Pyodide's
    memory), named as it would be beside the master ``workbook``.

    >>> scratch_ledger("/tmp/x", "Scorecard.xlsx").as_posix()
    '/tmp/x/Scorecard.ledger.sqlite'
    """
    return Settings().ledger_in(Path(folder) / (Path(workbook).name or "master"))
