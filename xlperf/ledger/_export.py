"""The ledger as one tidy long table for Power BI, Tableau, Excel pivot tables...

One row per measure and period that has a value or a frozen status: the value in use joined
to the status it was frozen with. Column names are stable lower-case identifiers (see
``docs/ledger.md``); dates are real dates so BI tools can put periods on a time axis.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from xlperf.core.measures import prepare_measures
from xlperf.core.periods import parse_period
from xlperf.errors import InputError, WorkbookError, XlperfError
from xlperf.layout import FORMULA_STARTS

EXPORT_COLUMNS = (
    "code", "title", "priority", "objective", "service", "owner", "unit", "polarity",
    "period", "period_key", "frequency", "financial_year", "period_start", "period_end",
    "value", "no_data_reason", "numerator", "denominator", "target", "variance",
    "variance_pct", "status", "symbol", "colour", "rated", "direction", "tolerance",
    "tolerance_type", "scheme", "status_actual", "commentary", "reported_status",
    # a comment by someone other than the owner (schema 7), empty when none
    "comment_subject", "comment_by", "further_comment", "versions",
    "source_file", "source_sha256", "sheet", "cell", "recorded_at", "scored_at",
    # statistical process control frozen with the status (docs/spc.md), and today's where a
    # restatement moved a kept period's chart
    "variation", "variation_side", "variation_explanation", "assurance",
    "assurance_explanation", "spc_mean", "spc_lower", "spc_upper", "spc_points",
    "restated_variation", "restated_assurance", "restated_note",
)
# The returns table (issue 22): one row per expected return of the period, as the Returns
# sheet and `xlperf returns` show it (xlperf.collection.collection_status).
RETURNS_COLUMNS = (
    "period", "kind", "return_for", "due", "working_days", "contacts", "received", "file",
    "received_at", "sha256", "refreshed_at", "outcome", "days_overdue", "late", "errors",
    "queries", "completed_by", "signed_off_by", "signed_off_on",
)
FORMATS = ("csv", "parquet")


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` for a CSV file: every *text* cell that a spreadsheet would run as a
    formula gets a leading apostrophe (``=HYPERLINK(...)`` -> ``'=HYPERLINK(...)``), as OWASP's
    CSV-injection guidance says. Numbers (a negative variance) stay numbers; the ledger keeps
    the text as submitted.

    >>> neutralise_formulas(pd.DataFrame({"commentary": ["=cmd|' /C calc'!A0", "ok", "-1"],
    ...                                   "variance": [-3.5, 1.0, 2.0]})).to_dict("list")
    {'commentary': ["'=cmd|' /C calc'!A0", 'ok', "'-1"], 'variance': [-3.5, 1.0, 2.0]}
    """
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if not (pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)):
            continue  # numbers, dates, booleans: never text
        # Each distinct cell looked at once (a column repeats its titles and services).
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        risky = np.array([isinstance(u, str) and u.startswith(FORMULA_STARTS)
                          for u in uniques] + [False], dtype=bool)
        if risky.any():
            fixed = np.array([f"'{u}" if r else u for u, r in zip(uniques, risky, strict=False)]
                             + [None], dtype=object)
            array = values.to_numpy(dtype=object).copy()
            hit = risky[codes]
            array[hit] = fixed[codes[hit]]
            out[column] = pd.Series(array, index=values.index, dtype=object)
    return out


def export(ledger: Any, measures: pd.DataFrame | None = None) -> pd.DataFrame:
    """Values in use joined to frozen statuses: one row per measure and period.

    ``measures`` (the register) adds each measure's title, priority, objective, service,
    owner and unit. ``status_actual`` is the actual the status was scored with; it differs
    from ``value`` only when a value was restated after its period was frozen.
    """
    values = ledger.current_values().rename(columns={
        "Code": "code", "Period": "period", "Actual": "value",
        "No data reason": "no_data_reason", "Numerator": "numerator",
        "Denominator": "denominator", "Commentary": "commentary",
        "Reported status": "reported_status", "Comment subject": "comment_subject",
        "Comment by": "comment_by", "Further comment": "further_comment",
        "Period key": "period_key",
        "Source file": "source_file", "Source SHA-256": "source_sha256", "Sheet": "sheet",
        "Cell": "cell", "Recorded at": "recorded_at"}).drop(columns=["Refresh id"])
    counts = ledger.version_counts()
    statuses = ledger.frozen_statuses().drop(columns=["refresh_id", "severity",
                                                      "explanation"])
    statuses = statuses.rename(columns={"actual": "status_actual", "period": "status_period"})
    statuses = statuses.drop(columns=["actual_reason"])
    table = values.merge(statuses, how="outer", on=["code", "period_key"])
    table["period"] = table["period"].where(table["period"].notna(), table["status_period"])
    table = table.merge(counts, how="left", on=["code", "period_key"])
    table["versions"] = table["versions"].fillna(0).astype(int)

    labels, uniques = pd.factorize(table["period"])
    parsed = [parse_period(u) for u in uniques]
    pick = np.asarray(labels)
    table["frequency"] = np.array([p.frequency for p in parsed], dtype=object)[pick]
    table["financial_year"] = np.array([p.financial_year for p in parsed], dtype=object)[pick]
    table["period_start"] = pd.to_datetime(
        np.array([p.start for p in parsed], dtype="datetime64[D]")[pick])
    table["period_end"] = pd.to_datetime(
        np.array([p.end for p in parsed], dtype="datetime64[D]")[pick])

    details = ("title", "priority", "objective", "service", "owner", "unit")
    if measures is not None:
        register = prepare_measures(measures).drop_duplicates("code", keep="last")
        register = register.set_index("code")
        for column in details:
            table[column] = register[column].reindex(table["code"]).to_numpy()
        from_register = register["polarity"].reindex(table["code"]).to_numpy()
        table["polarity"] = table["polarity"].where(table["polarity"].notna(), from_register)
    else:
        for column in details:
            table[column] = None
    table = table.sort_values(["code", "period_end", "period_start"], kind="stable")
    return table[list(EXPORT_COLUMNS)].reset_index(drop=True)


def returns_export(status: Any) -> pd.DataFrame:
    """The returns table of a collection (:func:`xlperf.collection.collection_status`): one
    row per expected return, the columns of :data:`RETURNS_COLUMNS` (``due`` a date,
    ``received_at`` a local time without its zone, ``late`` whether it came in after its due
    date).

    >>> from datetime import date
    >>> from pathlib import Path
    >>> from xlperf.collection import CollectionStatus, ReturnStatus
    >>> from xlperf.core.collection import ExpectedReturn
    >>> owed = ReturnStatus(ExpectedReturn("finance", "Pat", "Pat.xlsx", "Q3 2013/14",
    ...                                    date(2014, 1, 15), 10), days_overdue=5)
    >>> table = returns_export(CollectionStatus(Path("m.xlsx"), "Q3 2013/14", date(2014, 1, 22),
    ...                                         "", (owed,)))
    >>> table[["return_for", "outcome", "days_overdue", "late"]].to_dict("records")
    [{'return_for': 'Pat', 'outcome': 'not received', 'days_overdue': 5, 'late': False}]
    """
    from xlperf.core.collection import contact_text

    rows = []
    for r in status.returns:
        e = r.expected
        signed = r.signed_off_at
        rows.append({
            "period": e.period, "kind": e.kind, "return_for": e.who, "due": e.due,
            "working_days": e.working_days, "contacts": contact_text(e.contacts) or None,
            "received": r.received, "file": r.file.name if r.file is not None else None,
            "received_at": (r.received_at.replace(tzinfo=None, microsecond=0)
                            if r.received_at is not None else None),
            "sha256": r.sha256, "refreshed_at": r.refreshed_at, "outcome": r.outcome,
            "days_overdue": r.days_overdue, "late": bool(r.days_overdue and not r.owed),
            "errors": r.errors, "queries": r.queries,
            "completed_by": r.completed_by or None, "signed_off_by": r.signed_off_by or None,
            "signed_off_on": (signed.isoformat()[:10] if hasattr(signed, "isoformat")
                              else signed),
        })
    table = pd.DataFrame(rows, columns=list(RETURNS_COLUMNS))
    table["due"] = pd.to_datetime(table["due"])
    table["received_at"] = pd.to_datetime(table["received_at"])
    return table


def write_export(frame: pd.DataFrame, path: str | Path, format: str = "csv") -> Path:
    """Write :func:`export`'s table to ``path`` atomically; returns the path.

    CSV is UTF-8 with a byte-order mark (so Excel shows symbols like ★ and ↑ correctly;
    Power BI reads it as plain UTF-8), its text cells neutralised against formula injection
    (:func:`neutralise_formulas`: a commentary ``=HYPERLINK(...)`` is written
    ``'=HYPERLINK(...)``). Parquet keeps the text as it is (it is never opened as a sheet) and
    needs pyarrow
    (``pip install xlperf[parquet]``).
    """
    kind = format.strip().lower()
    if kind not in FORMATS:
        raise InputError(f"export format {format!r} is not one of {', '.join(FORMATS)}")
    if kind == "parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise XlperfError("parquet export needs pyarrow, which is not installed: "
                              "pip install xlperf[parquet] (or export as csv)") from None
    target = Path(path)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                             dir=target.parent or ".")
    except OSError as error:  # no such folder, no permission: nothing was written
        raise WorkbookError(f"cannot write {target}: {error.strerror or error}",
                            file=str(target)) from None
    os.close(handle)
    try:
        if kind == "csv":
            neutralise_formulas(frame).to_csv(temporary, index=False, encoding="utf-8-sig",
                                              date_format="%Y-%m-%d")
        else:
            frame.to_parquet(temporary, index=False)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target
