"""Column names: the register's headers as people write them, mapped to the core's names.

Headers are matched ignoring case, surrounding spaces and punctuation, so ``Annual Target``,
``annual_target`` and `` ANNUAL TARGET `` are one column. Columns nobody knows are kept as they
are: a council's own columns travel through untouched.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

_FOLD = re.compile(r"[^0-9a-z%]+")

# core name -> headers people use for it
MEASURE_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("code", "measure code", "pi code", "pi", "ref", "indicator code", "id"),
    "title": ("measure", "title", "measure title", "name", "indicator", "performance measure",
              "description"),
    "priority": ("priority",),
    "objective": ("objective", "summary objective"),
    "service": ("service", "team", "service area"),
    "owner": ("owner", "lead officer", "measure owner", "responsible officer"),
    "polarity": ("polarity", "good is", "aim"),
    "unit": ("unit", "units", "unit of measure"),
    "frequency": ("frequency", "reporting frequency"),
    "scheme": ("scheme", "status scheme", "rating scheme"),
    "tolerance": ("tolerance",),
    "tolerance_type": ("tolerance type",),
    "dot_basis": ("dot basis", "direction of travel basis", "dot", "compare with"),
    "dot_threshold": ("dot threshold", "no change threshold", "direction threshold"),
    "annual_target": ("annual target", "target annual", "year target"),
    "cumulative": ("cumulative", "cumulative target"),
    "baseline": ("baseline", "baseline figure", "baseline fig"),
    "baseline_rank": ("baseline rank", "rank"),
    "contract": ("contract", "contract measure"),
    # A governance indicator by directorate (xlperf.core.governance): optional columns.
    "governance": ("governance indicator", "governance"),
    "directorate": ("directorate", "reports for directorate"),
    "plans": ("plans", "plan", "plan membership"),
}

VALUE_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": MEASURE_COLUMNS["code"],
    "period": ("period", "reporting period", "last update", "date", "quarter", "month"),
    "actual": ("actual", "value", "current value", "outturn", "result"),
    "numerator": ("numerator",),
    "denominator": ("denominator",),
    "commentary": ("commentary", "latest note", "note", "comments", "comment"),
    "reported_status": ("reported status", "status", "traffic light", "rag"),
    "target": ("target", "current target", "period target"),
    "no_data_reason": ("no data reason", "reason"),
}

TARGET_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": MEASURE_COLUMNS["code"],
    "period": VALUE_COLUMNS["period"],
    "target": VALUE_COLUMNS["target"],
}

BUDGET_COLUMNS: dict[str, tuple[str, ...]] = {
    "line": ("service area", "line", "budget line", "cost centre", "area", "budget holder"),
    "gross_budget": ("gross budget", "gross"),
    "budget": ("net budget", "budget", "revised budget", "net"),
    "forecast": ("forecast outturn", "forecast", "outturn", "projected outturn"),
    "tolerance_pct": ("tolerance %", "tolerance", "tolerance pct"),
    "explanation": ("explanation", "commentary", "variance explanation", "comments"),
}

CAPITAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "programme": ("programme", "program", "scheme", "project"),
    "base_budget": ("revised base budget", "base budget", "budget"),
    "estimate": ("revised estimate", "estimate", "forecast"),
    "actual": ("actual to date", "actual", "spend to date"),
    "quarter": ("quarter", "period"),
    "explanation": ("explanation", "commentary", "comments"),
}

# The Audit sheet (internal audit assurance, xlperf.core.governance).
AUDIT_COLUMNS: dict[str, tuple[str, ...]] = {
    "directorate": ("directorate",),
    "period": ("period", "quarter"),
    "no": ("no assurance", "no", "na"),
    "limited": ("limited assurance", "limited", "la"),
    "reasonable": ("reasonable assurance", "reasonable", "rea"),
    "substantial": ("substantial assurance", "substantial", "sub"),
    "due": ("due", "audits due"),
}


def fold(header: object) -> str:
    """A header folded for matching: ``' Annual Target '`` -> ``'annual target'``."""
    return _FOLD.sub(" ", str(header).lower()).strip()


def normalise_columns(frame: pd.DataFrame, aliases: Mapping[str, tuple[str, ...]]) -> pd.DataFrame:
    """A copy of ``frame`` with known headers renamed to the core's names.

    The first header matching each core name wins; unknown columns keep their names.

    >>> normalise_columns(pd.DataFrame(columns=["Annual Target", "Extra"]), MEASURE_COLUMNS
    ...                   ).columns.tolist()
    ['annual_target', 'Extra']
    """
    lookup: dict[str, str] = {}
    for core_name, headers in aliases.items():
        for header in (core_name, *headers):
            lookup.setdefault(fold(header), core_name)
    renames: dict[object, str] = {}
    taken: set[str] = set(c for c in frame.columns if c in aliases)
    for column in frame.columns:
        if column in aliases:
            continue
        found = lookup.get(fold(column))
        if found is not None and found not in taken:
            renames[column] = found
            taken.add(found)
    return frame.rename(columns=renames)

# The master's Process changes sheet (SPC's rebases and ghosted points, docs/spc.md).
PROCESS_CHANGE_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": MEASURE_COLUMNS["code"],
    "period": VALUE_COLUMNS["period"],
    "action": ("action", "change", "process change"),
    "reason": ("reason", "why", "note"),
}

# The master's Milestones and Projects sheets (issue 24): read by xlperf.read._master_milestones,
# listed on a service's return by xlperf.write.templates, checked by xlperf.validate.mil_rules.
MILESTONE_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("code", "milestone code", "ref"),
    "objective": ("objective",),
    "milestone": ("milestone", "key activity", "key activity / milestone"),
    "lead_officer": ("lead officer", "lead"),
    "due_date": ("due date", "due", "date due"),
    "service": ("service",),
}
PROJECT_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("code", "project code", "ref"),
    "objective": ("objective",),
    "project": ("project", "key project"),
    "lead_officer": ("lead officer", "lead"),
    "service": ("service",),
}
