"""The measure: what a council registers about each performance indicator.

:class:`Measure` is one row of the register; :func:`prepare_measures` turns a register
DataFrame (headers as people write them) into the typed frame the scoring core works on.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from xlperf.core.columns import MEASURE_COLUMNS, normalise_columns
from xlperf.core.plans import parse_plans, plans_text
from xlperf.core.polarity import Polarity, parse_polarities, parse_polarity
from xlperf.core.status import parse_tolerance_type
from xlperf.core.values import parse_values
from xlperf.errors import InputError

if TYPE_CHECKING:
    from xlperf.core.periods import Period

FREQUENCIES = {
    "month": "month", "monthly": "month", "m": "month", "months": "month",
    "quarter": "quarter", "quarterly": "quarter", "q": "quarter", "qtr": "quarter",
    "quarters": "quarter",
    "year": "year", "annual": "year", "annually": "year", "yearly": "year", "y": "year",
    "academic year": "year", "calendar year": "year", "financial year": "year",
}
PREVIOUS, LAST_YEAR, SIX_MONTHS = "previous", "same period last year", "six months ago"
DOT_BASES = {
    "": PREVIOUS, "previous": PREVIOUS, "previous period": PREVIOUS, "last period": PREVIOUS,
    "prior period": PREVIOUS, "same period last year": LAST_YEAR, "last year": LAST_YEAR,
    "year on year": LAST_YEAR, "same period previous year": LAST_YEAR, "seasonal": LAST_YEAR,
    "six months ago": SIX_MONTHS, "6 months ago": SIX_MONTHS, "six months": SIX_MONTHS,
    "6 months": SIX_MONTHS, "half year ago": SIX_MONTHS, "six month trend": SIX_MONTHS,
}
_TRUE = {"yes", "y", "true", "1", "©", "(c)", "x", "✓", "✔", "cumulative", "contract"}
_FALSE = {"no", "n", "false", "0", "", "nan", "none", "-"}


def _key(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return " ".join(str(value).strip().lower().replace("_", " ").split())


def parse_frequency(value: object, default: str = "quarter") -> str:
    """``month``, ``quarter`` or ``year`` from ``Monthly``, ``Quarterly``, ``Annual``...

    >>> parse_frequency("Quarterly"), parse_frequency("Academic year")
    ('quarter', 'year')
    """
    key = _key(value)
    if key == "":
        return default
    found = FREQUENCIES.get(key)
    if found is None:
        raise InputError(f"frequency {value!r} is not one of: Monthly, Quarterly, Annual")
    return found


def parse_dot_basis(value: object) -> str:
    """``previous``, ``same period last year`` or ``six months ago`` (blank means previous).

    Six months ago is two quarters back for a quarterly measure, six months for a monthly one;
    an annual measure has no period six months ago, so its direction is not comparable.

    >>> parse_dot_basis("Same period last year"), parse_dot_basis("6 months ago")
    ('same period last year', 'six months ago')
    """
    found = DOT_BASES.get(_key(value))
    if found is None:
        raise InputError(
            f"direction-of-travel basis {value!r} is not one of: Previous period, "
            "Same period last year, Six months ago")
    return found


def comparison_period(due: Period, basis: str) -> Period | None:
    """The period a measure due in ``due`` is compared with for its direction of travel, by
    its parsed ``basis``; None where there is none (six months before an annual period).

    >>> from xlperf.core.periods import parse_period
    >>> [str(comparison_period(parse_period("Q3 2013/14"), b))
    ...  for b in (PREVIOUS, LAST_YEAR, SIX_MONTHS)]
    ['Q2 2013/14', 'Q3 2012/13', 'Q1 2013/14']
    >>> comparison_period(parse_period("Sep-13"), SIX_MONTHS), comparison_period(
    ...     parse_period("2013/14"), SIX_MONTHS)
    (Period('Mar-13'), None)
    """
    if basis == LAST_YEAR:
        return due.same_period_last_year()
    if basis == SIX_MONTHS:
        half = due.periods_in_year // 2
        return due.shift(-half) if half and due.periods_in_year % 2 == 0 else None
    return due.previous()


def parse_flag(value: object) -> bool:
    """Yes/No style flags (``Yes``, ``Y``, ``©``, ``TRUE``...); blank is No.

    >>> parse_flag("Yes"), parse_flag("©"), parse_flag(None)
    (True, True, False)
    """
    if isinstance(value, bool | np.bool_):
        return bool(value)
    key = _key(value)
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise InputError(f"{value!r} is not a yes/no value: use Yes or No")


@dataclass(frozen=True)
class Measure:
    """One performance measure of the register.

    >>> Measure("KIGS CH01", "Children on CPR per 10,000", polarity=Polarity.LOWER,
    ...         annual_target=59.09).code
    'KIGS CH01'
    """

    code: str
    title: str
    priority: str = ""
    objective: str = ""
    service: str = ""
    owner: str = ""
    polarity: Polarity = Polarity.HIGHER
    unit: str = ""
    frequency: str = "quarter"
    scheme: str = "rag"
    tolerance: float = 0.0
    tolerance_type: str = "absolute"
    dot_basis: str = PREVIOUS
    annual_target: float | None = None
    cumulative: bool = False
    baseline: float | None = None
    baseline_rank: str = ""
    contract: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "code", str(self.code).strip())
        object.__setattr__(self, "polarity", parse_polarity(self.polarity))
        object.__setattr__(self, "frequency", parse_frequency(self.frequency))
        object.__setattr__(self, "tolerance_type", parse_tolerance_type(self.tolerance_type))
        object.__setattr__(self, "dot_basis", parse_dot_basis(self.dot_basis))
        if not self.code:
            raise InputError("a measure needs a code")
        if self.tolerance is None or self.tolerance < 0:
            raise InputError(f"measure {self.code}: tolerance must be zero or more")

    def to_dict(self) -> dict[str, Any]:
        """The measure as a register row (core column names)."""
        row = asdict(self)
        row["polarity"] = self.polarity.value
        return row


def measures_frame(measures: list[Measure]) -> pd.DataFrame:
    """A register DataFrame from :class:`Measure` objects."""
    return pd.DataFrame([m.to_dict() for m in measures])


def prepare_measures(register: pd.DataFrame) -> pd.DataFrame:
    """The register typed for scoring: core column names, codes trimmed, polarity, frequency,
    tolerance type and basis parsed, numbers parsed (``Not Set`` / ``TBC`` targets become NaN),
    flags as booleans. Extra columns are kept. Raises :class:`~xlperf.errors.InputError` on the
    first word it cannot read (the workbook reader reports every one as a finding first).
    """
    frame = normalise_columns(register, MEASURE_COLUMNS).copy()
    if "code" not in frame.columns:
        raise InputError("the register has no 'Code' column")
    frame["code"] = frame["code"].astype(str).str.strip()
    defaults: dict[str, Any] = {
        "title": "", "priority": "", "objective": "", "service": "", "owner": "",
        "unit": "", "scheme": "", "tolerance": 0.0, "tolerance_type": "absolute",
        "dot_basis": "", "dot_threshold": 0.0, "annual_target": np.nan, "cumulative": False,
        "baseline": np.nan, "baseline_rank": "", "contract": False, "frequency": "",
        "plans": "",
    }
    for column, default in defaults.items():
        if column not in frame.columns:
            frame[column] = default
    if "polarity" not in frame.columns:
        raise InputError("the register has no 'Polarity' column")
    frame["polarity"] = parse_polarities(frame["polarity"]).map(lambda p: p.value)
    for column, parser in (("frequency", parse_frequency), ("dot_basis", parse_dot_basis),
                           ("tolerance_type", parse_tolerance_type),
                           ("cumulative", parse_flag), ("contract", parse_flag)):
        codes, uniques = pd.factorize(frame[column].astype(object), use_na_sentinel=False)
        frame[column] = np.asarray([parser(u) for u in uniques], dtype=object)[codes]
    for column in ("tolerance", "dot_threshold", "annual_target", "baseline"):
        parsed = parse_values(frame[column].astype(object))
        bad = parsed["kind"] == "invalid"
        if bad.any():
            first = frame.loc[bad, column].iloc[0]
            raise InputError(f"{column.replace('_', ' ')} {first!r} is not a number")
        frame[column] = parsed["number"].to_numpy()
    frame["tolerance"] = frame["tolerance"].fillna(0.0)
    frame["dot_threshold"] = frame["dot_threshold"].fillna(0.0)
    for column in ("title", "priority", "objective", "service", "owner", "unit", "scheme",
                   "baseline_rank"):
        # Blank for a missing cell, else the text trimmed: a plain loop over the cells (the
        # string accessor cost more than the few thousand strips of a register).
        cells = frame[column].to_numpy(dtype=object)
        text = np.array([str(v).strip() for v in cells], dtype=object)
        text[pd.isna(cells)] = ""
        frame[column] = pd.Series(text, index=frame.index, dtype=object).astype(str)
    # One spelling of each measure's plans ("A; B"), whatever the separators (core.plans).
    codes, uniques = pd.factorize(frame["plans"].astype(object), use_na_sentinel=False)
    frame["plans"] = np.asarray([plans_text(parse_plans(u)) for u in uniques] or [""],
                                dtype=object)[codes]
    return frame
