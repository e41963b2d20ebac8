"""Status schemes as data.

A scheme is an ordered list of bands, best first. Each band starts at an *edge* written in
multiples of the measure's tolerance: a measure falls in the first band whose edge its gap
reaches (``gap >= edge × tolerance`` when the band includes its edge, ``gap > edge × tolerance``
otherwise); the last band takes everything else. The gap is always written so that positive is
better (see :mod:`xlperf.core.status`).

The three built-in schemes are three such definitions; a council adds its own as rows of the
master workbook's ``Schemes`` sheet (:func:`schemes_from_frame`). Whatever the scheme, three
statuses are always available: ``Data only``, ``No data`` and ``No target``.

Every status has a word, a symbol and a colour, so colour is never the only signal, and a
``severity`` for sorting exceptions: 0 on or better than target, 1 worse than target but within
tolerance, 2 beyond tolerance.

Where a gap falls is decided once, by :meth:`Band.admits` and :meth:`Scheme.classify`, for one
measure (plain Python numbers: ``xlperf.status``, a one-cell worksheet function, ``xlperf
status``) and for whole columns (numpy arrays) alike. numpy and pandas are imported only by the
array and table paths, so one measure is rated without loading them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, overload

from xlperf.errors import SchemeError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

# Colours from the GOV.UK design system palette; each has at least 3:1 contrast against white.
GREEN = "#00703C"
AMBER = "#A35200"
RED = "#D4351C"
BLUE = "#1D70B8"
GREY = "#505A5F"
PURPLE = "#4C2C92"
PINK = "#912B88"

MET, NEAR, MISSED = 0, 1, 2


@dataclass(frozen=True)
class Band:
    """One status of a scheme: where it starts (in multiples of the tolerance) and how it looks."""

    label: str
    symbol: str
    colour: str
    edge: float
    inclusive: bool
    severity: int

    @overload
    def admits(self, gap: float, tolerance: float) -> bool: ...
    @overload
    def admits(self, gap: np.ndarray, tolerance: np.ndarray) -> np.ndarray: ...

    def admits(self, gap: float | np.ndarray, tolerance: float | np.ndarray) -> bool | np.ndarray:
        """Whether a (tidied) gap reaches this band's edge: a bool for one measure's numbers,
        a boolean mask for arrays (the same comparison either way)."""
        if math.isinf(self.edge) and self.edge < 0:
            if type(gap) is float:
                return True
            import numpy as np

            return np.ones(np.shape(gap), dtype=bool)
        threshold = _tidy(self.edge * tolerance)
        return gap >= threshold if self.inclusive else gap > threshold


@dataclass(frozen=True)
class Status:
    """A status that is not a band: always available in every scheme."""

    label: str
    symbol: str
    colour: str
    severity: int


DATA_ONLY = Status("Data only", "ℹ", PURPLE, MET)
NO_DATA = Status("No data", "?", GREY, NEAR)
NO_TARGET = Status("No target", "–", PINK, MET)
SPECIAL_STATUSES = (DATA_ONLY, NO_DATA, NO_TARGET)


@overload
def _tidy(values: float) -> float: ...
@overload
def _tidy(values: np.ndarray) -> np.ndarray: ...


def _tidy(values: np.ndarray | float) -> np.ndarray | float:
    """Round away binary float noise so 78.2 - 78.0 compares as 0.2, as a person expects.
    A value too big to round (1e308: rounding multiplies by 1e9) is kept as it is.

    A Python float stays one, rounded in plain Python the way ``np.round(value, 9)`` does it
    (scale by 1e9, round half to even, scale back), so one measure and a column of them give
    the same bits."""
    if type(values) is float:
        if not math.isfinite(values):
            return values
        scaled = values * 1e9
        # copysign: numpy keeps the sign of a zero (-0.0), Python's round gives an int
        return math.copysign(round(scaled) / 1e9, values) if math.isfinite(scaled) else values
    import numpy as np

    with np.errstate(over="ignore", invalid="ignore"):
        rounded = np.round(values, 9)
    kept = np.where(np.isfinite(rounded) | ~np.isfinite(values), rounded, values)
    return kept[()] if kept.ndim == 0 else kept  # a number in, a number out


@dataclass(frozen=True)
class Scheme:
    """An ordered set of bands, best first; the last band's edge is ``-inf``.

    >>> rag = BUILTIN_SCHEMES["rag"]
    >>> [b.label for b in rag.bands]
    ['Green', 'Amber', 'Red']
    """

    name: str
    bands: tuple[Band, ...]
    description: str = ""

    def __post_init__(self) -> None:
        if not self.bands:
            raise SchemeError(f"scheme {self.name!r} has no bands")
        last = self.bands[-1]
        if not (math.isinf(last.edge) and last.edge < 0):
            raise SchemeError(
                f"scheme {self.name!r}: the last band ({last.label!r}) must take every gap "
                "left over (leave its edge blank)"
            )
        # Bands run from the highest edge down (at one edge, "above" before "from"), otherwise a
        # band could never be reached.
        for upper, lower in zip(self.bands, self.bands[1:], strict=False):
            if (lower.edge, not lower.inclusive) >= (upper.edge, not upper.inclusive):
                raise SchemeError(
                    f"scheme {self.name!r}: band {lower.label!r} cannot be reached after "
                    f"{upper.label!r}; list bands from best to worst with falling edges"
                )
        labels = [b.label.casefold() for b in self.bands] + [
            s.label.casefold() for s in SPECIAL_STATUSES
        ]
        if len(set(labels)) != len(labels):
            raise SchemeError(f"scheme {self.name!r} uses a status word twice")

    @property
    def labels(self) -> tuple[str, ...]:
        """Every status word this scheme can give, bands first then the special statuses."""
        return tuple(b.label for b in self.bands) + tuple(s.label for s in SPECIAL_STATUSES)

    def meaning(self, index: int) -> str:
        """What the band at ``index`` means, in words, from its edge and the edge of the band
        above it (the key of the pack and the Guide say it so).

        >>> three = BUILTIN_SCHEMES["three-symbol"]
        >>> [three.meaning(i) for i in range(3)]  # doctest: +NORMALIZE_WHITESPACE
        ['better than target by more than the tolerance',
         'within the tolerance either side of the target',
         'worse than target by more than the tolerance']
        >>> BUILTIN_SCHEMES["rag"].meaning(1)
        'worse than target, by no more than the tolerance'
        """
        band = self.bands[index]
        above = self.bands[index - 1] if index else None
        low = None if math.isinf(band.edge) else band.edge
        high = None if above is None else above.edge
        # the band's own edge is in it when inclusive; the edge above is in it when the band
        # above does not include it
        low_in, high_in = band.inclusive, above is not None and not above.inclusive

        def times(m: float) -> str:
            m = abs(m)
            return "the tolerance" if m == 1 else f"{m:g} times the tolerance"

        if high is None and low is not None:  # the best band: everything from its edge up
            if low == 0:
                return "on or better than target" if low_in else "better than target"
            if low > 0:
                return (f"better than target by {times(low)} or more" if low_in
                        else f"better than target by more than {times(low)}")
            return (f"on or better than target, or worse by no more than {times(low)}"
                    if low_in else f"on or better than target, or worse by less than "
                                   f"{times(low)}")
        if high is None:  # one band only
            return "every measure with a target"
        if low is None:  # the worst band: everything below the edge above
            if high == 0:
                return "on or worse than target" if high_in else "worse than target"
            if high < 0:
                return (f"worse than target by {times(high)} or more" if high_in
                        else f"worse than target by more than {times(high)}")
            return (f"on or worse than target, or better by no more than {times(high)}"
                    if high_in else f"on or worse than target, or better by less than "
                                    f"{times(high)}")
        if low == high:  # the band above leaves it its own edge only
            return ("exactly on target" if low == 0
                    else f"exactly {low:+g} times the tolerance from the target")
        if low < 0 < high and low == -high:
            return f"within {times(high)} either side of the target"
        if low < 0 and high == 0:
            by = f"by no more than {times(low)}" if low_in else f"by less than {times(low)}"
            return f"on target, or worse {by}" if high_in else f"worse than target, {by}"
        if low == 0 and high > 0:
            by = f"by no more than {times(high)}" if high_in else f"by less than {times(high)}"
            return f"on target, or better {by}" if low_in else f"better than target, {by}"
        side = ("better than target" if low >= 0 else "worse than target" if high <= 0
                else "from worse to better than target")
        return f"{side}: from {low:+g} to {high:+g} times the tolerance"

    @overload
    def classify(self, gap: float, tolerance: float) -> int: ...
    @overload
    def classify(self, gap: np.ndarray, tolerance: np.ndarray) -> np.ndarray: ...

    def classify(self, gap: float | np.ndarray,
                 tolerance: float | np.ndarray) -> int | np.ndarray:
        """Index of the band a gap falls in: an int for one measure's Python floats, an array
        for arrays (NaN gaps fall in the last band). Both ask :meth:`Band.admits`, best band
        first.

        >>> BUILTIN_SCHEMES["rag"].classify(-1.5, 2.0)
        1
        """
        if type(gap) is float and type(tolerance) is float:
            one = _tidy(gap)
            last = len(self.bands) - 1
            for i in range(last):
                if self.bands[i].admits(one, tolerance):
                    return i
            return last
        import numpy as np

        gaps = _tidy(np.asarray(gap, dtype=float))
        tolerances = np.asarray(tolerance, dtype=float)
        conditions = [b.admits(gaps, tolerances) for b in self.bands[:-1]]
        return np.select(conditions, list(range(len(conditions))), default=len(self.bands) - 1)

    def lookup(self, label: str) -> Band | Status | None:
        """The band or special status with this word (case and surrounding spaces ignored)."""
        want = label.strip().casefold()
        items: tuple[Band | Status, ...] = (*self.bands, *SPECIAL_STATUSES)
        for item in items:
            if item.label.casefold() == want:
                return item
        return None


_INF = -math.inf
BUILTIN_SCHEMES: dict[str, Scheme] = {
    "rag": Scheme(
        "rag",
        (
            Band("Green", "✔", GREEN, 0.0, True, MET),
            Band("Amber", "!", AMBER, -1.0, True, NEAR),
            Band("Red", "✖", RED, _INF, True, MISSED),
        ),
        "Green on or better than target; Amber worse but within tolerance; Red beyond it.",
    ),
    "three-symbol": Scheme(
        "three-symbol",
        (
            Band("Green plus", "✚", GREEN, 1.0, False, MET),
            Band("Blue circle", "●", BLUE, -1.0, True, MET),
            Band("Red diamond", "◆", RED, _INF, True, MISSED),
        ),
        "Green plus better than target beyond tolerance; Blue circle within tolerance either "
        "side; Red diamond worse beyond tolerance.",
    ),
    "four-band": Scheme(
        "four-band",
        (
            Band("Exceeds tolerance", "★", GREEN, 1.0, False, MET),
            Band("On target (upper half)", "●", BLUE, 0.0, True, MET),
            Band("On target (lower half)", "◐", AMBER, -1.0, True, NEAR),
            Band("Below tolerance", "▲", RED, _INF, True, MISSED),
        ),
        "Exceeds target beyond tolerance; on target in the upper or lower half of the "
        "tolerance; below tolerance.",
    ),
}

DEFAULT_SCHEME = "rag"

# Columns of the master's Schemes sheet, in order.
SCHEME_COLUMNS = ("Scheme", "Status", "Symbol", "Colour", "From (x tolerance)", "Includes edge",
                  "Severity", "Description")


def get_scheme(name: object, schemes: Mapping[str, Scheme] | None = None) -> Scheme:
    """Find a scheme by name (case, spaces and ``_`` ignored); built-ins when ``schemes`` is None.

    >>> get_scheme("Four band").name
    'four-band'
    """
    if isinstance(name, Scheme):
        return name
    table = BUILTIN_SCHEMES if schemes is None else schemes
    if name is None or (isinstance(name, float) and math.isnan(name)) or str(name).strip() == "":
        return table.get(DEFAULT_SCHEME) or BUILTIN_SCHEMES[DEFAULT_SCHEME]
    key = _scheme_key(str(name))
    for scheme_name, scheme in table.items():
        if _scheme_key(scheme_name) == key:
            return scheme
    raise SchemeError(f"scheme {str(name)!r} is not defined: use one of {', '.join(table)}")


def _scheme_key(name: str) -> str:
    return "".join(ch for ch in name.casefold() if ch.isalnum())


def schemes_to_frame(schemes: Iterable[Scheme] | None = None) -> pd.DataFrame:
    """The schemes as the rows of the master's ``Schemes`` sheet (one row per band).

    >>> schemes_to_frame().iloc[0].tolist()[:3]
    ['rag', 'Green', '✔']
    """
    import pandas as pd

    rows = []
    for scheme in BUILTIN_SCHEMES.values() if schemes is None else schemes:
        for band in scheme.bands:
            rows.append(
                (scheme.name, band.label, band.symbol, band.colour,
                 None if math.isinf(band.edge) else band.edge,
                 "Yes" if band.inclusive else "No", band.severity, scheme.description)
            )
    return pd.DataFrame(rows, columns=list(SCHEME_COLUMNS))


def _colour(value: object, scheme: str, status: object) -> str:
    """A band's colour as ``#RRGGBB`` (``#RGB`` and a missing ``#`` accepted, blank: none)."""
    text = "" if value is None or (isinstance(value, float) and math.isnan(value)) \
        else str(value).strip().lstrip("#")
    if len(text) == 3:
        text = "".join(ch * 2 for ch in text)
    if not text:
        return ""
    if len(text) != 6 or any(ch not in "0123456789abcdefABCDEF" for ch in text):
        raise SchemeError(f"scheme {scheme!r}, status {status!r}: colour {value!r} is not a "
                          "colour like #D4351C (a # and six hexadecimal digits)")
    return "#" + text.upper()


def schemes_from_frame(frame: pd.DataFrame) -> dict[str, Scheme]:
    """Build schemes from rows shaped like :data:`SCHEME_COLUMNS` (headers matched loosely).

    Rows of one scheme are read in sheet order, best band first; a blank edge means "everything
    else" and must be the last band. Raises :class:`~xlperf.errors.SchemeError` naming the scheme
    and row on any inconsistency.
    """
    import pandas as pd

    columns = {_scheme_key(str(c)): c for c in frame.columns}

    def col(name: str) -> str:
        key = _scheme_key(name)
        for k, original in columns.items():
            if k.startswith(key[:6]):
                return original
        raise SchemeError(f"the Schemes table has no column {name!r}")

    c_scheme, c_status, c_symbol, c_colour = (col(n) for n in SCHEME_COLUMNS[:4])
    c_edge, c_incl, c_sev = col("From"), col("Includes edge"), col("Severity")
    c_desc = next((columns[k] for k in columns if k.startswith("descr")), None)
    result: dict[str, Scheme] = {}
    for name, rows in frame.groupby(frame[c_scheme].astype(str).str.strip(), sort=False):
        if name in ("", "nan", "None"):
            continue
        bands = []
        for _, row in rows.iterrows():
            edge = row[c_edge]
            try:
                edge_value = _INF if pd.isna(edge) or str(edge).strip() == "" else float(edge)
                severity = int(row[c_sev]) if not pd.isna(row[c_sev]) else MISSED
            except (TypeError, ValueError, OverflowError) as exc:
                raise SchemeError(
                    f"scheme {name!r}, status {row[c_status]!r}: edge and severity must be "
                    f"numbers ({exc})"
                ) from None
            if math.isnan(edge_value) or (math.isinf(edge_value) and edge_value > 0):
                raise SchemeError(f"scheme {name!r}, status {row[c_status]!r}: the edge "
                                  f"{edge!r} is not a number of tolerances (leave it blank for "
                                  "the last band)")
            if severity not in (MET, NEAR, MISSED) or (
                    not pd.isna(row[c_sev]) and float(row[c_sev]) != severity):
                raise SchemeError(
                    f"scheme {name!r}, status {row[c_status]!r}: severity {row[c_sev]!r} must be "
                    f"{MET} (on or better than target), {NEAR} (worse, within tolerance) or "
                    f"{MISSED} (beyond tolerance)")
            inclusive = str(row[c_incl]).strip().casefold() not in ("no", "n", "false", "0", ">")
            bands.append(
                Band(str(row[c_status]).strip(), str(row[c_symbol]).strip(),
                     _colour(row[c_colour], name, row[c_status]), edge_value, inclusive,
                     severity)
            )
        description = ""
        if c_desc is not None and rows[c_desc].notna().any():
            description = str(rows[c_desc].dropna().iloc[0])
        result[name] = Scheme(name, tuple(bands), description)
    return result
