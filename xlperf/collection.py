"""Returns collection: per expected return, who owes it, by when, and what came back.

:func:`collection_status` is the one library call behind ``xlperf returns`` and ``xlperf
chase``. It reads the master, lays out the period's calendar
(:func:`xlperf.core.collection.collection_calendar`: the returns the templates were made for,
each with its due date and contacts), validates what is in the returns folder in one batch
(:func:`xlperf.validate.returns.validate_returns`, the validator every door uses) and matches
each file to its place in the calendar by its identity (kind and service), or by its template
file name when it has none. For each expected return it says:

- **received** or not: the file, when it was saved into the folder (its modification time),
  its SHA-256, and the time of the first refresh that read those exact bytes when the ledger
  has one;
- its **outcome**: ``accepted``, ``partly accepted`` (rows rejected), ``rejected``, ``blank``
  (the template sent back empty: ``FILE-021``) or ``not received``;
- **working days overdue**: for a return not in (not received, blank or rejected), as of
  today; for one that came in, how late it came;
- the errors and queries still to answer, each a finding pinned to its cell.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xlperf.core.collection import (  # the outcomes' words and contact_text: shared below
    ACCEPTED,
    BLANK,
    NOT_RECEIVED,
    OWED,
    PARTLY,
    REJECTED,
    ExpectedReturn,
    collection_calendar,
    contact_text,
    working_days_between,
)
from xlperf.core.columns import fold
from xlperf.errors import InputError
from xlperf.findings import Report
from xlperf.settings import Settings

if TYPE_CHECKING:
    from xlperf.council import Council

__all__ = ["BLANK", "NOT_RECEIVED", "CollectionStatus", "ReturnStatus", "collection_status",
           "contact_text", "expected_returns", "match_returns", "outcome_of",
           "refresh_collection"]



def outcome_of(report: Report) -> str:
    """What a validated return comes to, as the refresh would take it: ``blank`` (FILE-021),
    ``rejected`` (a file-level error, or every row has an error), ``partly accepted`` (some
    rows have errors) or ``accepted`` (queries allowed)."""
    from xlperf.refresh import rows_rejected_by

    if any(f.rule == "FILE-021" for f in report.findings):
        return BLANK
    if not report.errors:
        return ACCEPTED
    whole, rows = rows_rejected_by(report.errors)
    if whole or len(rows) >= int(report.meta.get("rows") or 0):
        return REJECTED
    return PARTLY


def _said(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


@dataclass(frozen=True)
class ReturnStatus:
    """One expected return and what came of it."""

    expected: ExpectedReturn
    outcome: str = NOT_RECEIVED
    file: Path | None = None
    received_at: datetime | None = None
    sha256: str | None = None
    refreshed_at: str | None = None  # the first refresh that read these bytes (the ledger's)
    days_overdue: int = 0
    report: Report = field(default_factory=Report)
    superseded: tuple[Path, ...] = ()  # older files for the same return

    @property
    def received(self) -> bool:
        return self.file is not None

    @property
    def owed(self) -> bool:
        """Still owed: not received, sent back blank, or rejected."""
        return self.outcome in OWED

    @property
    def errors(self) -> int:
        return len(self.report.errors)

    @property
    def queries(self) -> int:
        return len(self.report.queries)

    @property
    def completed_by(self) -> str:
        """Who the return says completed it (its ``Completed by`` cell); blank when none."""
        return _said(self.report.meta.get("completed_by"))

    @property
    def signed_off_by(self) -> str:
        """Who the return says signed it off (its ``Signed off by`` cell); blank when none."""
        return _said(self.report.meta.get("signed_off_by"))

    @property
    def signed_off_at(self) -> Any:
        """When it was signed off (its ``Date`` cell: a date, or the text typed); None."""
        value = self.report.meta.get("signed_off_on")
        return None if value is None or (isinstance(value, str) and not value.strip()) else value

    def to_dict(self) -> dict[str, Any]:
        e = self.expected
        return {"kind": e.kind, "return_for": e.who, "template": e.file_name,
                "period": e.period, "due": e.due.isoformat(), "working_days": e.working_days,
                "contacts": [{"name": c.name, "email": c.email} for c in e.contacts],
                "received": self.received, "file": None if self.file is None else str(self.file),
                "received_at": None if self.received_at is None else
                self.received_at.isoformat(timespec="seconds"),
                "sha256": self.sha256, "refreshed_at": self.refreshed_at,
                "outcome": self.outcome, "days_overdue": self.days_overdue,
                "errors": self.errors, "queries": self.queries,
                "completed_by": self.completed_by or None,
                "signed_off_by": self.signed_off_by or None,
                "signed_off_on": _iso(self.signed_off_at),
                "findings": [f.to_dict() for f in self.report.findings],
                "superseded": [str(p) for p in self.superseded]}


@dataclass(frozen=True)
class CollectionStatus:
    """Every expected return of a period, the files that matched none, and the master's
    findings about contacts and collection settings (``REG-040``/``070``–``072``)."""

    master: Path
    period: str
    today: date
    council: str
    returns: tuple[ReturnStatus, ...]
    unexpected: tuple[Report, ...] = ()
    findings: Report = field(default_factory=Report)
    settings: Settings = field(default_factory=Settings)
    ledger: Path | None = None  # the master's ledger (chasers sent are recorded there)

    @property
    def addresses(self) -> frozenset[str]:
        """Every address the register gives (folded): the only ones a chaser may go to."""
        return frozenset(c.email.casefold() for r in self.returns for c in r.expected.contacts)

    @property
    def complete(self) -> bool:
        """Every return in, none blank or rejected, no errors left."""
        return all(not r.owed and not r.errors for r in self.returns)

    def who(self, outcome: str) -> tuple[str, ...]:
        """Who the returns with ``outcome`` are for (``not received``, ``blank``...)."""
        return tuple(r.expected.who for r in self.returns if r.outcome == outcome)

    @property
    def summary(self) -> str:
        """Where the collection stands, in one sentence (``xlperf returns``, the Returns
        sheet and the task pane all say it): ``9 returns expected: 8 received, 1 not
        received, 1 blank, 1 rejected; 2 returns overdue; 3 errors and 28 queries
        outstanding``."""
        from xlperf._words import plural

        rs = self.returns
        late = sum(1 for r in rs if r.owed and r.days_overdue)
        return (f"{plural(len(rs), 'return')} expected: {sum(r.received for r in rs)} "
                f"received, {len(self.who(NOT_RECEIVED))} not received, "
                f"{len(self.who(BLANK))} blank, {len(self.who(REJECTED))} rejected; "
                f"{plural(late, 'return')} overdue; "
                f"{plural(sum(r.errors for r in rs), 'error')} and "
                f"{plural(sum(r.queries for r in rs), 'query', 'queries')} outstanding")

    def to_dict(self) -> dict[str, Any]:
        return {"master": str(self.master), "period": self.period,
                "today": self.today.isoformat(), "council": self.council,
                "complete": self.complete,
                "returns": [r.to_dict() for r in self.returns],
                "unexpected": [r.to_dict() for r in self.unexpected],
                "master_findings": [f.to_dict() for f in self.findings.findings]}


_COLLECTION_RULES = ("REG-070", "REG-071", "REG-072")


def _first_refreshes(ledger: Path, shas: list[str]) -> dict[str, str]:
    """When a refresh first read each file (by SHA-256), from the ledger, read-only: a
    ledger that is missing, busy or older says nothing."""
    if not shas or not ledger.is_file():
        return {}
    try:
        con = sqlite3.connect(f"{ledger.resolve().as_uri()}?mode=ro", uri=True, timeout=2)
    except sqlite3.Error:
        return {}
    try:
        marks = ",".join("?" * len(shas))
        rows = con.execute(
            "SELECT f.sha256, min(r.started_at) FROM refresh_files AS f JOIN refreshes AS r "
            f"ON r.id = f.refresh_id WHERE f.sha256 IN ({marks}) GROUP BY f.sha256",
            shas).fetchall()
    except sqlite3.Error:
        return {}
    finally:
        con.close()
    return {sha: when for sha, when in rows}


def collection_status(master: str | Path | Council, *, period: Any = None,
                      today: date | None = None,
                      returns_folder: str | Path | None = None) -> CollectionStatus:
    """The collection of ``period`` (default: the master's reporting period) as of ``today``
    (default: today): one :class:`ReturnStatus` per expected return, in template order.

    ``master`` is the master's path or its :class:`~xlperf.council.Council`.
    ``returns_folder`` defaults to the council's (the ``Returns folder`` setting); a folder
    that does not exist yet means nothing was received. Raises
    :class:`~xlperf.errors.XlperfError` when the master cannot be read or no period is set.
    """
    from xlperf.core.periods import parse_period
    from xlperf.council import Council
    from xlperf.refresh import collect_returns

    council = master if isinstance(master, Council) else Council.open(master)
    path, book = council.path, council.master
    chosen = period if period is not None else book.reporting_period
    if chosen is None or str(chosen).strip() == "":
        raise InputError("no reporting period: give --period or set 'Reporting period' on the "
                         "Settings sheet")
    reporting = parse_period(chosen)
    today = today or date.today()
    calendar, settings = expected_returns(book, reporting)
    folder = Path(returns_folder) if returns_folder is not None else council.returns_folder
    paths = collect_returns(folder, reporting)[0] if folder.is_dir() else []
    reports = council.validate(paths, period=reporting.format()) if paths else []

    ledger = council.ledger
    statuses, unexpected = match_returns(calendar, paths, reports, today, ledger=ledger)
    return _status(book, path, reporting, today, statuses, unexpected, settings, ledger)


def _status(book: Any, path: Path, reporting: Any, today: date, statuses: list[ReturnStatus],
            unexpected: list[Report], settings: Settings, ledger: Path | None
            ) -> CollectionStatus:
    findings = Report(tuple(f for f in book.report.findings if f.rule in _COLLECTION_RULES or (
        f.rule == "REG-040" and f.sheet == "Settings")), file=str(path))
    return CollectionStatus(path, reporting.format(), today,
                            settings.council, tuple(statuses),
                            tuple(unexpected), findings, settings, ledger)


def expected_returns(book: Any, reporting: Any) -> tuple[list[ExpectedReturn], Settings]:
    """The calendar of ``reporting`` for a read master (:class:`~xlperf.read.master.Master`)
    and its settings: what every door expects of the period."""
    settings = book.settings
    calendar = collection_calendar(
        book.usable_register, book.budget, book.capital, reporting, contacts=book.contacts,
        default_working_days=settings.due_working_days, owner=settings.total_owner)
    return calendar, settings


def match_returns(calendar: list[ExpectedReturn], paths: list[Path], reports: list[Report],
                  today: date, *, ledger: Path | None = None,
                  shas: Sequence[str | None] | None = None
                  ) -> tuple[list[ReturnStatus], list[Report]]:
    """Each expected return of ``calendar`` with what came of it, from the validated files
    (``paths`` and their ``reports``, in order), as of ``today``; and the reports of files
    that are no return of the calendar.

    A file is matched by its identity (kind and service), else by its template file name;
    of several for one return the newest (modification time, then name) wins. ``ledger``
    (read-only) gives when a refresh first read each file. ``shas``: each path's SHA-256,
    when the caller has worked them out already (the refresh), else they are here.
    """
    from xlperf.ledger import sha256_file

    places = {e.key: i for i, e in enumerate(calendar)}
    by_name = {e.file_name.casefold(): i for i, e in enumerate(calendar)}
    found: dict[int, list[tuple[Path, Report]]] = {}
    unexpected = []
    known = dict(zip(paths, shas, strict=True)) if shas is not None else {}
    for file, report in zip(paths, reports, strict=True):
        key = (str(report.meta.get("kind") or ""), fold(str(report.meta.get("service") or "")))
        place = places.get(key, by_name.get(file.name.casefold()))
        if place is None:
            unexpected.append(report)
        else:
            found.setdefault(place, []).append((file, report))

    latest = {i: max(files, key=lambda fr: (fr[0].stat().st_mtime, fr[0].name))
              for i, files in found.items()}
    digests = {i: known.get(fr[0]) or sha256_file(fr[0]) for i, fr in latest.items()}
    refreshed = (_first_refreshes(ledger, [d for d in digests.values() if d])
                 if ledger is not None else {})
    statuses = []
    for i, expected in enumerate(calendar):
        if i not in latest:
            statuses.append(ReturnStatus(expected, days_overdue=working_days_between(
                expected.due, today)))
            continue
        file, report = latest[i]
        received_at = datetime.fromtimestamp(file.stat().st_mtime).astimezone()
        outcome = outcome_of(report)
        # A return that came in was late by the working days up to its arrival (as of today).
        overdue = working_days_between(expected.due, today if outcome in OWED
                                       else min(received_at.date(), today))
        statuses.append(ReturnStatus(
            expected, outcome, file, received_at, digests[i], refreshed.get(digests[i] or ""),
            overdue,
            report, tuple(f for f, _r in found[i] if f != file)))
    return statuses, unexpected


def refresh_collection(book: Any, master: Path, reporting: Any, paths: list[Path],
                       reports: list[Report], today: date, ledger: Path | None = None,
                       shas: Sequence[str | None] | None = None) -> CollectionStatus:
    """The collection as a refresh sees it: the same calendar and matching as
    :func:`collection_status` over the returns the refresh has just validated (``book``
    the master as the refresh read it), so the Returns sheet and ``xlperf returns`` agree."""
    calendar, settings = expected_returns(book, reporting)
    # Only files on disk (a given path that is not one is the validator's FILE finding); the
    # ledger is not read here: the refresh holds its write transaction.
    digests = list(shas) if shas is not None else [None] * len(paths)
    kept = [(Path(p), r, d) for p, r, d in zip(paths, reports, digests, strict=True)
            if Path(p).is_file()]
    statuses, unexpected = match_returns(calendar, [p for p, _r, _d in kept],
                                         [r for _p, r, _d in kept], today,
                                         shas=[d for _p, _r, d in kept])
    return _status(book, master, reporting, today, statuses, unexpected, settings, ledger)
