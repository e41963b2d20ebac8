"""What a refresh did: each return's outcome (:class:`FileOutcome`) and the whole run's
(:class:`RefreshResult`), and the result as plain data (:func:`result_dict`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from xlperf.findings import Report

__all__ = ["ACCEPTED", "PARTLY", "REJECTED", "SKIPPED", "FileOutcome", "RefreshResult",
           "result_dict"]

ACCEPTED, PARTLY, REJECTED, SKIPPED = "accepted", "partly accepted", "rejected", "skipped"


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
    # What the write replaced that the user had put on an output sheet, outside the table
    # xlperf wrote there last time: one sentence per sheet (the backup keeps them).
    warnings: tuple[str, ...] = ()

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
        "warnings": list(result.warnings),
    }
