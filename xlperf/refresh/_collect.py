"""Collecting the returns a refresh takes in: the returns folder's files for the period, one
return each (the one saved last), and the annotated copies of the rejected in quarantine."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from xlperf.errors import InputError, WorkbookError
from xlperf.findings import Report
from xlperf.refresh._result import SKIPPED, FileOutcome
from xlperf.validate.registry import made_by

__all__ = ["collect_returns", "one_report_each", "one_return_each"]

RETURN_SUFFIXES = (".xlsx", ".xlsm")


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


def one_report_each(paths: Sequence[Path], reports: Sequence[Report]) -> list[Report]:
    """The reports of a folder of returns as the refresh would take them
    (:func:`one_return_each`, the one decision): for a door that validates without
    refreshing (``xlperf validate returns/``). The return used has the ``FILE-023`` query;
    each return left out is reported by that query alone (the refresh skips it, so its own
    findings would be asked for nothing), with ``meta["left_out"]`` saying why."""
    keep, out, left_out = one_return_each(paths, reports)
    outcomes = {o.path: o for o in left_out}  # each one left out is one of ``paths``
    result = []
    for path, kept, report in zip(paths, keep, out, strict=True):
        outcome = outcomes.get(path)
        if kept or outcome is None:
            result.append(report)
            continue
        result.append(Report(outcome.report.findings, file=report.file,
                             meta={**report.meta, "left_out": outcome.note}))
    return result


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

