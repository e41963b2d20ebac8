"""Answers that survive resubmission: a service's responses to queries, read from the annotated
copy it sends back, and the queries they explain.

The annotated copy (:func:`xlperf.validate.annotate.annotate`) has, on its ``Issues`` sheet
(named ``Issues (xlperf)`` beside a service's own Issues sheet, and known by its marker), an
unlocked **Your response** cell beside each query and, in a hidden ``Query id`` column, the
query's fingerprint (:func:`xlperf.findings.query_fingerprint`: rule, measure, period and the
figure it was raised on). A service may send that copy back as its resubmission: it is read as
the return it is (its identity is the original's), and

- :func:`read_responses` takes each response typed there (python-calamine, like every return;
  a response is text from another person: never evaluated, a leading ``=``, ``+``, ``-`` or
  ``@`` stays text, control characters dropped, at most :data:`MAX_RESPONSE` characters, at
  most :data:`MAX_RESPONSES` of them);
- :func:`settle_queries` gives each query of a return its fingerprint and makes a query whose
  fingerprint has a response (in this file, or recorded in the ledger by an earlier refresh)
  ``explained``: told, not asked again. A changed figure has another fingerprint, so its query
  is asked again. Errors are never explained away: they have to be fixed.

The figure a query is raised on is the row's own figure (the ``Actual`` of a performance
return, the ``Forecast outturn`` of a finance return, the ``Actual to date`` of a capital
return), whatever cell the query points at: a missing commentary (``PERF-016``) answered for a
figure is asked again when the figure changes. A query of no data row (of the whole file) is
fingerprinted on the value it quotes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from xlperf.core.columns import fold
from xlperf.findings import EXPLAINED, QUERY, Finding, parse_ref, query_fingerprint

__all__ = ["FINGERPRINT_HEADER", "MAX_RESPONSE", "MAX_RESPONSES", "clean_response",
           "explained_text", "read_responses", "responses_of", "settle_queries"]

FINGERPRINT_HEADER = "Query id"
MAX_RESPONSE = 1_000
MAX_RESPONSES = 5_000
_FINGERPRINT = re.compile(r"^[0-9a-f]{24}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Per kind of return: the column naming what a row is about, and the row's figure.
_ROW_KEYS = {"performance": ("Code", "Actual"), "finance": ("Service area", "Forecast outturn"),
             "capital": ("Programme", "Actual to date")}


def clean_response(value: Any) -> str:
    """A response as it is kept: text, spaces collapsed at its ends, control characters
    dropped, at most :data:`MAX_RESPONSE` characters; never evaluated (``=1+1`` stays that
    text).

    >>> clean_response("  =SUM(A1)\\x07 because  "), len(clean_response("x" * 5000))
    ('=SUM(A1) because', 1000)
    """
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = _CONTROL.sub("", str(value)).strip()
    return text if len(text) <= MAX_RESPONSE else text[:MAX_RESPONSE - 1] + "…"


def _row_facts(file: Any) -> dict[int, tuple[Any, Any, Any]]:
    """Excel row of the data sheet -> (measure, period, figure), from what was read."""
    keys = _ROW_KEYS.get(file.kind)
    if keys is None or file.rows is None:
        return {}
    measures = file.arrays.get(keys[0])
    figures = file.arrays.get(keys[1])
    periods = file.arrays.get("Period") if file.kind == "performance" else None
    if measures is None:
        return {}
    own = file.identity.get("period")
    return {int(row): (measures[i], periods[i] if periods is not None else own,
                       figures[i] if figures is not None else None)
            for i, row in enumerate(file.rows.tolist())}


def _fingerprint(finding: Finding, file: Any, facts: Mapping[int, tuple[Any, Any, Any]]
                 ) -> str:
    row = None
    if finding.sheet == file.sheet and finding.cell:
        try:
            row = parse_ref(finding.cell)[0]
        except ValueError:
            row = None
    if row is not None and row in facts:
        measure, period, figure = facts[row]
        return query_fingerprint(finding.rule, measure, period, figure)
    # Off the figures' rows (a milestone on the Milestones sheet): the line it is on says
    # which query it is, so two such queries of one rule are two queries.
    line = ""
    if finding.sheet and finding.sheet != file.sheet and finding.cell:
        try:
            line = f"{finding.sheet}!{parse_ref(finding.cell)[0]}"
        except ValueError:
            line = ""
    return query_fingerprint(finding.rule, line, file.identity.get("period"), finding.value)


def _at(row: list[Any], i: int | None) -> Any:
    return row[i] if i is not None and i < len(row) else None


def read_responses(file: Any, source: Any) -> list[dict[str, Any]]:
    """The responses typed on the Issues sheet of an annotated copy (``source`` the
    return's reader), each ``{fingerprint, rule, sheet, cell, response}``; none when the
    return has no such sheet (:func:`~xlperf.validate.annotate.is_issues_sheet`: a sheet of
    the service's own named Issues is not it). A row without its
    ``Query id`` (a copy made before there was one) is fingerprinted from the row it names."""
    from xlperf.validate.annotate import (
        ISSUES_HEADER_ROW,
        ISSUES_SHEET,
        RESPONSE_HEADER,
        is_issues_sheet,
    )

    # xlperf names its sheet Issues, or Issues (xlperf)... beside a service's own Issues
    # sheet: of the sheets so named, the one its marker says is xlperf's.
    grid: list[list[Any]] = []
    for name in source.names():
        if name != file.sheet and fold(name).startswith(fold(ISSUES_SHEET)):
            candidate = source.grid(name)
            if is_issues_sheet(name, candidate[:ISSUES_HEADER_ROW]):
                grid = candidate
                break
    if len(grid) < ISSUES_HEADER_ROW:
        return []
    header = [fold(str(h or "")) for h in grid[ISSUES_HEADER_ROW - 1]]
    where = {h: i for i, h in enumerate(header) if h}
    wanted = [fold(h) for h in ("Rule", "Sheet", "Cell", RESPONSE_HEADER)]
    if any(w not in where for w in wanted):
        return []
    rule_at, sheet_at, cell_at, response_at = (where[w] for w in wanted)
    id_at = where.get(fold(FINGERPRINT_HEADER))
    severity_at = where.get(fold("Severity"))
    found: list[dict[str, Any]] = []
    for row in grid[ISSUES_HEADER_ROW:]:
        if len(found) >= MAX_RESPONSES:
            break
        response = clean_response(_at(row, response_at))
        rule = str(_at(row, rule_at) or "").strip().upper()
        if not response or not rule or fold(str(_at(row, severity_at) or "")) == "error":
            continue  # an error is corrected in the return, never answered
        fingerprint = str(_at(row, id_at) or "").strip().lower()
        found.append({"fingerprint": fingerprint if _FINGERPRINT.match(fingerprint) else "",
                      "rule": rule[:20], "sheet": str(_at(row, sheet_at) or "")[:31],
                      "cell": str(_at(row, cell_at) or "")[:12], "response": response})
    return found


def settle_queries(file: Any, known: Mapping[str, str] | None = None) -> None:
    """Fingerprint each query of ``file`` (a :class:`~xlperf.validate.engine._File` as
    checked) and explain those answered: by a response in the file itself (its
    ``responses``, read by :func:`read_responses`) or in ``known`` (fingerprint -> response,
    the ledger's). The file's own responses are completed with the measure and period of the
    row they name, for the ledger."""
    facts = _row_facts(file)
    own: dict[str, str] = {}
    for item in file.responses:
        if not item["fingerprint"]:  # no Query id: the row it names, as it stands now
            probe = Finding(item["rule"], QUERY, "", sheet=item["sheet"], cell=item["cell"])
            item["fingerprint"] = _fingerprint(probe, file, facts)
        row = None
        if item["sheet"] == file.sheet and item["cell"]:
            try:
                row = parse_ref(item["cell"])[0]
            except ValueError:
                row = None
        measure, period, _figure = facts.get(row or 0, ("", file.identity.get("period"), None))
        item["measure"] = "" if measure is None else str(measure).strip()
        item["period"] = "" if period is None else str(period).strip()
        own[item["fingerprint"]] = item["response"]
    answers = {**(known or {}), **own}  # the file's own answer is the latest
    settled = []
    for finding in file.findings:
        if finding.severity != QUERY:
            settled.append(finding)
            continue
        fingerprint = _fingerprint(finding, file, facts)
        response = answers.get(fingerprint)
        settled.append(replace(finding, fingerprint=fingerprint) if response is None else
                       replace(finding, severity=EXPLAINED, fingerprint=fingerprint,
                               response=response))
    file.findings[:] = settled


def explained_text(finding: Finding) -> str:
    """How an explained query is told: ``Explained: <response>``.

    >>> explained_text(Finding("PERF-016", "explained", "x", response="A new team."))
    'Explained: A new team.'
    """
    return f"Explained: {finding.response}"


def responses_of(reports: Iterable[Any]) -> list[dict[str, Any]]:
    """Every response read from the reports' files (their ``meta["responses"]``)."""
    return [dict(item, file=report.file) for report in reports
            for item in (report.meta or {}).get("responses", ())]
