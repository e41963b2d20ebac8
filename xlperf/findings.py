"""Findings: problems in a return or a register are data, not exceptions.

A :class:`Finding` is one problem pinned to its place (file, sheet, cell) with a rule id from the
catalogue, a severity and a plain-English message. A :class:`Report` is the list of findings for
one file (or one batch), with ``.valid``, a DataFrame view and JSON. Readers, validators and the
refresh all produce findings; only what cannot go on raises an
:class:`~xlperf.errors.XlperfError`.

Positions in a DataFrame are turned into A1 references by :mod:`xlperf.core.a1` (re-exported
here as :func:`cell_ref`, :func:`parse_ref`...), so every finding names a cell the same way Excel
does.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from enum import IntEnum, StrEnum
from typing import TYPE_CHECKING, Any

# Re-exported: the validator and the readers name cells through this module.
from xlperf.core.a1 import cell_ref as cell_ref
from xlperf.core.a1 import column_letter as column_letter
from xlperf.core.a1 import column_number as column_number
from xlperf.core.a1 import parse_cell as parse_ref  # noqa: F401 (the validator's name)

if TYPE_CHECKING:
    import pandas as pd


class Severity(StrEnum):
    """How much a finding matters: an ``error`` blocks acceptance (of the row, or of the
    file for a ``FILE`` rule); a ``query`` is accepted but asks the service to confirm; a
    query the service has already answered, on the same figure, is ``explained`` (told, not
    asked again: :func:`query_fingerprint`). A rule's severity is only ever error or query.
    The members are the words themselves, so they compare, print and serialise as text.

    >>> Severity("error") is Severity.ERROR, Severity.QUERY == "query", f"{Severity.ERROR}"
    (True, True, 'error')
    """

    ERROR = "error"
    QUERY = "query"
    EXPLAINED = "explained"


ERROR = Severity.ERROR
QUERY = Severity.QUERY
EXPLAINED = Severity.EXPLAINED


class StatusSeverity(IntEnum):
    """How far a status is from its target, as the core's rating gives it (the ``severity``
    column of :func:`xlperf.core.status.rate` and the ledger): on or better than target,
    worse but within tolerance, beyond tolerance. Compare with these, not with numbers.

    >>> StatusSeverity.BEYOND_TOLERANCE == 2, StatusSeverity(1).name
    (True, 'WITHIN_TOLERANCE')
    """

    ON_TARGET = 0
    WITHIN_TOLERANCE = 1
    BEYOND_TOLERANCE = 2

FINDING_COLUMNS = ("file", "sheet", "cell", "rule", "severity", "message", "value")


def _plain(value: Any) -> Any:
    """A JSON-friendly copy of a cell value."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return None if value != value else value
    import pandas as pd  # here, not above: the catalogue (`xlperf rules`) needs no pandas

    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


@dataclass(frozen=True)
class Finding:
    """One problem, pinned to its place.

    >>> Finding("PERF-007", "query", "Q2 actual for CS143 in C14 is 'TBC'", file="r.xlsx",
    ...         sheet="Return", cell="C14", value="TBC").where
    'r.xlsx!Return!C14'
    """

    rule: str
    severity: Severity
    message: str
    file: str | None = None
    sheet: str | None = None
    cell: str | None = None
    value: Any = None
    how_to_fix: str = ""  # the rule's advice with this finding's cells filled in
    # A query's :func:`query_fingerprint` ("" for an error or a finding of no data row), and,
    # when it is ``explained``, the service's response that explains it.
    fingerprint: str = ""
    response: str = ""

    @property
    def where(self) -> str:
        """``file!sheet!cell``, as much of it as is known."""
        return "!".join(p for p in (self.file, self.sheet, self.cell) if p)

    def to_dict(self) -> dict[str, Any]:
        row = asdict(self)
        row["value"] = _plain(self.value)
        return row


@dataclass(frozen=True)
class Report:
    """Findings for one file or a batch.

    >>> report = Report((Finding("FILE-001", "error", "not a workbook", file="x.csv"),))
    >>> report.valid, len(report.errors)
    (False, 1)
    """

    findings: tuple[Finding, ...] = ()
    file: str | None = None
    meta: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def valid(self) -> bool:
        """True when nothing blocks acceptance (queries are allowed)."""
        return not any(f.severity == ERROR for f in self.findings)

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == ERROR)

    @property
    def queries(self) -> tuple[Finding, ...]:
        """The queries still to answer (not those :attr:`explained`)."""
        return tuple(f for f in self.findings if f.severity == QUERY)

    @property
    def explained(self) -> tuple[Finding, ...]:
        """The queries the service answered before, on the same figure."""
        return tuple(f for f in self.findings if f.severity == EXPLAINED)

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.findings)

    def __len__(self) -> int:
        return len(self.findings)

    def to_frame(self) -> pd.DataFrame:
        """One row per finding, columns :data:`FINDING_COLUMNS`."""
        import pandas as pd

        return pd.DataFrame([f.to_dict() for f in self.findings], columns=list(FINDING_COLUMNS))

    def to_dict(self) -> dict[str, Any]:
        """The report as plain data: ``{"file", "valid", "errors", "queries", "findings"}``."""
        return {"file": self.file, "valid": self.valid, "errors": len(self.errors),
                "queries": len(self.queries), "findings": [f.to_dict() for f in self.findings]}

    def to_json(self, **kwargs: Any) -> str:
        """The report as JSON: :meth:`to_dict` encoded."""
        return json.dumps(self.to_dict(), ensure_ascii=False, **kwargs)

    @classmethod
    def combine(cls, reports: Iterable[Report]) -> Report:
        """One report of every finding of several."""
        return cls(tuple(f for r in reports for f in r.findings))


def _fingerprint_text(value: Any) -> str:
    """A part of a fingerprint as canonical text: a number to 12 significant figures (so
    ``0.1 + 0.2`` is ``0.3`` and 78 is 78.0: the noise of binary floats, not a new figure),
    text with its spaces collapsed, blank as ""."""
    if value is None or isinstance(value, bool):
        return "" if value is None else str(value)
    if isinstance(value, int | float) or hasattr(value, "dtype"):
        try:
            number = float(value)
        except (TypeError, ValueError):
            return " ".join(str(value).split())
        return "" if number != number else format(number, ".12g")
    text = " ".join(str(value).split())
    try:  # a figure typed as text ("78") is the same figure as the number
        number = float(text.replace(",", ""))
    except ValueError:
        return text
    return format(number, ".12g") if number == number else text


def _period_text(period: Any) -> str:
    text = " ".join(str(period or "").split())
    if not text:
        return ""
    from xlperf.core.periods import parse_period  # pure: the same period however written
    from xlperf.errors import XlperfError

    try:
        return parse_period(text).format("iso")
    except (XlperfError, ValueError):
        return text.casefold()


def query_fingerprint(rule: str, measure: Any, period: Any, value: Any) -> str:
    """The fingerprint of a query: its rule, the measure (or budget line) it is about, the
    period and the value it was raised on. The one definition of "the same query": a
    service's response to a query is recorded against it, and a later query with the same
    fingerprint (the figure unchanged) is explained, not asked again; a changed figure has
    another fingerprint and is asked again.

    Numbers are compared to 12 significant figures (float noise is not a new figure), the
    period however it is written, the measure code and text with spaces collapsed.

    >>> query_fingerprint("PERF-005", "NI060", "Q3 2013/14", 0.1 + 0.2) == query_fingerprint(
    ...     "PERF-005", " NI060", "2013/14 Q3", 0.3)
    True
    >>> query_fingerprint("PERF-005", "NI060", "Q3 2013/14", 0.3) == query_fingerprint(
    ...     "PERF-005", "NI060", "Q3 2013/14", 0.31)
    False
    """
    import hashlib

    parts = (str(rule).strip().upper(), " ".join(str(measure or "").split()),
             _period_text(period), _fingerprint_text(value))
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:24]
