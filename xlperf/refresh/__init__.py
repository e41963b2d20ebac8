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

The steps live in this package's modules: ``_book`` (the :class:`Workbook` protocol and
:class:`ZipWorkbook`), ``_collect`` (the returns taken in, quarantine), ``_values`` (the
values recorded and scored), ``_finance`` (the Finance sheet's figures), ``_log`` (the Log
sheet's lines and its summary), ``_result`` (what a refresh did); this module runs them.

The ledger transaction commits when the new workbook is complete on disk, just before it
replaces the old one (for a :class:`ZipWorkbook`), so a refresh that fails or is killed leaves
the master and the ledger as they were, or both refreshed.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from xlperf import _files, layout
from xlperf.errors import InputError, LedgerError, WorkbookError
from xlperf.findings import Finding, Report, Severity
from xlperf.refresh._book import Workbook, ZipWorkbook
from xlperf.refresh._collect import (
    _given,
    _quarantine,
    collect_returns,
    one_report_each,
    one_return_each,
)
from xlperf.refresh._finance import _finance
from xlperf.refresh._log import Written as Written
from xlperf.refresh._log import (
    _log_lines,
    _missing_ledger,
    expect_ledger,
    last_written,
    summary_line,
)
from xlperf.refresh._result import (
    ACCEPTED,
    PARTLY,
    REJECTED,
    FileOutcome,
    RefreshResult,
)
from xlperf.refresh._result import SKIPPED as SKIPPED
from xlperf.refresh._result import result_dict as result_dict
from xlperf.refresh._values import (
    _finance_values,
    _kind_of,
    _performance_values,
    _period_keys_of,
    _restated_spc,
    _window,
    _with_spc,
    figures_rejected,
    rows_rejected_by,
    trend_values,
    with_rejected_reasons,
)

if TYPE_CHECKING:
    from xlperf.core.periods import Period
    from xlperf.read.master import Master

__all__ = ["FileOutcome", "RefreshResult", "Workbook", "ZipWorkbook", "collect_returns",
           "one_report_each", "refresh", "trend_values"]

# The configuration sheets the refresh reads (the validator reads a master's Rules sheet itself).
CONFIG_SHEETS = tuple(sheet.name for sheet in layout.CONFIG_SHEETS)
# How long a refresh waits for another refresh of the same master or ledger to finish.
WAIT_SECONDS = 60.0


def _backups_folder(master: Path | None, ledger: Path) -> Path:
    """Where the ledger's rolling backups go: the master's ``backups`` folder."""
    return (master.parent if master is not None else ledger.parent) / "backups"


def _left_out(written: Any) -> tuple[str, ...]:
    """One sentence per output sheet on which the user had cells of their own outside the
    table xlperf wrote there before (:attr:`~xlperf.write.lossless.SheetWritten.left_out`):
    the sheet is xlperf's, so they were replaced; the backup keeps them."""
    if written is None:
        return ()
    backup = f" (the backup {written.backup.name} has them)" if written.backup else ""
    out = []
    for sheet in written.sheets:
        cells = sheet.left_out
        if cells:
            shown = ", ".join(cells[:6]) + (f" and {len(cells) - 6} more" if len(cells) > 6
                                            else "")
            out.append(f"{sheet.name}: {len(cells)} cell{'s' if len(cells) > 1 else ''} of "
                       f"your own outside xlperf's table ({shown}) were replaced by this "
                       f"refresh{backup}; keep your own work on a sheet of your own")
    return tuple(out)


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


def _returned_activity(ret: Any, read: Any, report: Report, path: Path,
                       sha: str | None) -> pd.DataFrame:
    """A performance return's Milestones sheet's rows without an error finding, as the
    "activity" frame with their provenance (:func:`xlperf.read.activity.returned_activity`)."""
    from xlperf.read.activity import activity_sheet, returned_activity
    from xlperf.refresh._values import activity_rejected_by

    found = activity_sheet(read)
    if found is None:
        return pd.DataFrame()
    frame = returned_activity(found[1], service=str(ret.identity.get("service", "")),
                              period=str(ret.identity.get("period", "")), source=path.name,
                              rejected=activity_rejected_by(report.errors), provenance=True)
    frame["source_sha256"] = sha
    return frame


def _past_periods(reporting: Period, values: pd.DataFrame) -> list[Period]:
    """Reporting periods of the same length as ``reporting`` back to the earliest value."""
    from xlperf.core.periods import parse_period

    if values.empty:
        return []
    starts = [parse_period(p).start for p in values["Period"].unique()]
    earliest = min(starts)
    out: list[Period] = []
    current = reporting.previous()
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
    if book.path is not None:  # a saved file: not a read-only one (the CLI, Excel's button)
        _files.check_writable(book.path)
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
    from xlperf.ledger import Ledger, known_responses, previous_values, sha256_file
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
                                  previous=previous_values(store, reporting,
                                                           values=history),
                                  responses=known_responses(store)) if paths else []
            reports = [report for report, _read in validated]
            reads = [read for _report, read in validated]
            keep, reports, superseded = one_return_each(paths, reports)
            paths = [p for p, k in zip(paths, keep, strict=True) if k]
            reads = [r for r, k in zip(reads, keep, strict=True) if k]
            reports = [r for r, k in zip(reports, keep, strict=True) if k]
            skipped = [*skipped, *superseded]
            # Where each expected return stands (the Returns sheet): the same computation as
            # xlperf returns, over the returns just validated. Not without returns (Lite).
            # Each file's SHA-256, worked out once: the Returns sheet, the ledger's provenance
            # and the quarantine all name the file by it.
            shas = [sha256_file(path) if path.is_file() else None for path in paths]
            collection = None
            if returns is None or len(returns):
                from xlperf.collection import refresh_collection

                collection = refresh_collection(
                    master, base if base is not None else Path(book.name), reporting, paths,
                    reports, (now or datetime.now().astimezone()).date(), shas=shas)
            lap("validate")

            say("Reading accepted values", 0.4)
            outcomes: list[FileOutcome] = []
            finance_rows: list[pd.DataFrame] = []
            capital_rows: list[pd.DataFrame] = []
            log: list[LogLine] = []
            read_in: list[tuple[Path, Report, str, str | None, bool, set[int], Any]] = []
            activity_in: list[pd.DataFrame] = []
            for path, report, read, sha in zip(paths, reports, reads, shas, strict=True):
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
                            "FILE-004", Severity.ERROR, str(error), file=str(path)),),
                            file=report.file, meta=report.meta)
                    else:
                        kind = _kind_of(ret)
                        if kind == "performance":  # its Milestones sheet's accepted rows
                            activity_in.append(_returned_activity(ret, read, report, path,
                                                                  sha))
                elif not whole:
                    whole = True
                read_in.append((path, report, kind, sha, whole, bad_rows, ret))
            # Every performance return's accepted rows in one pass.
            values_in, performance_counts = _performance_values(
                [(x[6], x[0], x[3], x[5]) for x in read_in
                 if x[6] is not None and x[2] == "performance"])
            counts_of = iter(performance_counts)
            rejected_figures: list[tuple[str, str, str]] = []
            for path, report, kind, sha, whole, bad_rows, ret in read_in:
                accepted_rows = rejected_rows = 0
                if ret is not None:
                    if kind == "performance":
                        accepted_rows, rejected_rows = next(counts_of)
                        rejected_figures += figures_rejected(ret, report, bad_rows)
                    else:
                        frame, accepted_rows, rejected_rows = _finance_values(ret, path, bad_rows)
                        (capital_rows if kind == "capital" else finance_rows).append(frame)
                if whole or (report.errors and accepted_rows <= 0):
                    verdict = REJECTED  # nothing of it was taken
                elif rejected_rows or report.errors:
                    verdict = PARTLY
                else:
                    verdict = ACCEPTED
                copy = (_quarantine(path, report, quarantine_dir, sha) if report.errors
                        else None)
                outcomes.append(FileOutcome(path, verdict, kind, sha, report, accepted_rows,
                                            rejected_rows, copy))
            lap("read values")

            say("Recording values in the ledger", 0.55)
            # The services' responses to queries, from the annotated copies they sent back,
            # each against its query's fingerprint (docs/collection.md).
            from xlperf.validate.responses import responses_of

            answered = [dict(item, sha256=outcome.sha256) for outcome in outcomes
                        for item in responses_of([outcome.report])]
            responses_recorded = run.record_responses(answered) if answered else 0
            # What the services returned for their milestones and projects (ledger v6), and
            # the period's latest accepted submission of each code, for the output sheets.
            returned = [a for a in activity_in if len(a)]
            if returned:
                run.record_activity(pd.concat(returned, ignore_index=True))
            from xlperf.ledger import activity_frame

            activity = activity_frame(store, reporting)
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
                pairs = pd.MultiIndex.from_arrays([fresh["Code"], fresh["Period key"]])
                stale = pd.MultiIndex.from_arrays(
                    [history["Code"], history["Period key"]]).isin(pairs)
                values = pd.concat([history.loc[~stale], fresh], ignore_index=True)
            else:
                values = history
            window = _window(values, reporting)
            register = master.prepared_register  # prepared once for every freeze below
            scored = with_rejected_reasons(
                _with_spc(master.score(window, label), values, register, master),
                rejected_figures)
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
            # the last period scored as the objectives' direction of travel compares against
            before = reporting.previous()
            previous = master.score(_window(values, before), before)
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
                      "responses": responses_recorded,
                      "explained": sum(len(o.report.explained) for o in outcomes),
                      "re-rated": sum(1 for c in changes if c.applied),
                      "measures": len(scored)}
            run.counts.update(counts)
            log = _log_lines(when, book.name, label, outcomes, skipped, counts,
                             restatements, changes, master.report, timings, quarantine_dir,
                             rescore_history, unpublished, collection)
            log[-1:-1] = [LogLine("SPC kept", str(c), time=when) for c in spc_changes]
            summary = summary_line(when, __version__, ledger_file.name, run.id,
                                   store.fingerprint())
            settings = master.settings
            from xlperf.core.governance import governance_block
            from xlperf.core.overrides import judgements_at

            governance = governance_block(scored, master.prepared_register, master.audit_rows,
                                          reporting)
            sheets = build_outputs(scored, trend=trend, period=label, council=settings.council,
                                   finance=finance, log=log, log_summary=summary,
                                   refreshed=when, paper=settings.paper_size,
                                   marking=settings.protective_marking, returns=collection,
                                   previous=previous, governance=governance,
                                   activity=activity,
                                   objective_sheets=master.objective_sheets,
                                   milestones_in_rollup=settings.milestones_in_rollup,
                                   risk_ratings=master.risk_ratings,
                                   judgements=judgements_at(master.judgement_rows, reporting))
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
        council=master.settings.council, collection=collection,
        warnings=_left_out(getattr(book, "last_write", None)))

