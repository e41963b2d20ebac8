"""One cell read in plain Python: :func:`parse_value` and the words and patterns behind it.

:mod:`xlperf.core.values` re-exports everything here and adds the column path
(:func:`~xlperf.core.values.parse_values`), which reads each distinct text through the same
:func:`_parse_text` and mirrors it step by step for many texts. This module imports neither
numpy nor pandas, so one value (``xlperf.status``, ``xlperf status`` on the command line, a
one-cell worksheet function) is read without loading them; a numpy or pandas missing value is
still recognised when those libraries are loaded (an object of theirs cannot exist before).
"""

from __future__ import annotations

import datetime as _dt
import decimal
import math
import numbers
import re
import sys
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple, overload

if TYPE_CHECKING:
    import numpy as np

KIND_NUMBER = "number"
KIND_NO_DATA = "no data"
KIND_INVALID = "invalid"

REASON_BLANK = "blank"


class CellValue(NamedTuple):
    """What one cell holds.

    ``number`` is the value (``None`` unless ``kind`` is ``"number"``); ``kind`` is one of
    ``"number"``, ``"no data"`` or ``"invalid"``; ``reason`` is ``None`` for a plainly
    numeric cell, otherwise a short plain-English note or reason.
    """

    number: float | None
    kind: str
    reason: str | None


_EXCEL_ERRORS: tuple[str, ...] = (
    "#DIV/0!",
    "#N/A",
    "#REF!",
    "#VALUE!",
    "#NAME?",
    "#NUM!",
    "#NULL!",
    "#SPILL!",
    "#CALC!",
    "#GETTING_DATA",
    "#FIELD!",
    "#BLOCKED!",
    "#CONNECT!",
    "#BUSY!",
    "#UNKNOWN!",
    "#EXTERNAL!",
    "#PYTHON!",
)

_NO_DATA: dict[str, str] = {
    # dashes
    "-": "dash",
    "--": "dash",
    "---": "dash",
    "\u2013": "dash",  # – en dash
    "\u2014": "dash",  # — em dash
    "\u2212": "dash",  # − minus sign on its own
    # not applicable
    "n/a": "not applicable",
    "na": "not applicable",
    "n.a.": "not applicable",
    "n.a": "not applicable",
    "not applicable": "not applicable",
    # to be confirmed
    "tbc": "to be confirmed",
    "tba": "to be confirmed",
    "tbd": "to be confirmed",
    "to be confirmed": "to be confirmed",
    # not set (usually a target)
    "not set": "not set",
    # measure not live yet
    "under development": "under development",
    "in development": "under development",
    "new measure": "new measure",
    "new indicator": "new measure",
    # data missing
    "not available": "not available",
    "not yet available": "not available",
    "awaiting data": "not available",
    "data not available": "not available",
    "unavailable": "not available",
    "no data": "not available",
    "unknown": "unknown",
}
_NO_DATA.update({err.lower(): f"Excel error {err}" for err in _EXCEL_ERRORS})

NO_DATA_WORDS: Mapping[str, str] = MappingProxyType(_NO_DATA)
"""Words that mean "no data this period", mapped to the reason reported.

Keys are normalised: trimmed, inner whitespace collapsed to one space, lower case.  Dashes
(``-``, ``--``, ``–``, ``—``) give ``"dash"``; ``n/a``, ``NA``, ``n.a.``, ``not applicable``
give ``"not applicable"``; ``TBC``, ``TBA``, ``TBD``, ``to be confirmed`` give
``"to be confirmed"``; ``not set``; ``under development``; ``new measure``; ``not available``
(also ``awaiting data``, ``not yet available``); ``unknown``; and every Excel error value
(``#DIV/0!``, ``#N/A``, ``#REF!``, ...) gives ``"Excel error #DIV/0!"`` etc.  An empty or
whitespace-only cell is ``"blank"``.  Anything else that is not a number is invalid: in
particular ``nil`` / ``nil return`` is *not* read as zero.
"""

# ----------------------------------------------------------------------------- patterns
# Only ASCII classes ([0-9], explicit spaces) so that the meaning never depends on Unicode
# tables; whitespace is normalised first with _WS (any Unicode whitespace -> one space).
_WS = re.compile(r"\s+")
_NUM = r"(?=\.?[0-9])(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]*)(?:\.[0-9]*)?"
_NUMBER_RE = re.compile(
    r"^(?:(?P<sign>[-+\u2212])|(?P<open>\())?"
    r"(?:(?P<cur>£) ?(?P<money>" + _NUM + r")(?: ?(?P<mult>[kKmM]|[bB][nN]))?"
    r"|(?P<plain>" + _NUM + r"(?:[eE][-+]?[0-9]+)?)(?P<pct> ?%)?)"
    r"(?(open)\))"
    r"(?P<foot> ?[*\u2020\u2021]+)?\Z"
)
_GROUPS = ("sign", "open", "cur", "money", "mult", "plain", "pct", "foot")
_MULT_EXP: dict[str, str] = {"": "", "k": "e3", "m": "e6", "bn": "e9"}
_NEGATIVE_SIGNS = ("-", "\u2212")

_SHOW_MAX = 80
# Up to this many distinct texts in a column are parsed one by one (see _texts_into).
_FEW_TEXTS = 400

# ----------------------------------------------------------------------------- helpers
def _safe_str(obj: object) -> str:
    """``str(obj)``, or a placeholder when that fails (huge ints, broken ``__str__``)."""
    try:
        text = str(obj)
    except Exception:  # noqa: BLE001 - any failure just gives a placeholder
        return f"<{type(obj).__name__} object>"
    return text if type(text) is str else str.__str__(text)


def _show(text: str) -> str:
    """Quote text for a reason, shortened to a readable length."""
    if len(text) > _SHOW_MAX:
        text = text[: _SHOW_MAX - 1] + "\u2026"
    return repr(text)


def _fmt(value: float) -> str:
    """Format a number for a reason: ``42300000.0`` -> ``'42,300,000'`` (``-0.0`` -> ``'0'``)."""
    return format(value + 0.0, ",.15g")


def _invalid(what: str) -> CellValue:
    return CellValue(None, KIND_INVALID, f"not a number: {what}")


@overload
def _scale_percent(values: float) -> float: ...
@overload
def _scale_percent(values: np.ndarray) -> np.ndarray: ...


def _scale_percent(values: np.ndarray | float) -> np.ndarray | float:
    """Fraction -> percent, with float noise rounded away (0.6804 -> exactly 68.04).

    Shared by the scalar and vectorised paths so both give identical bits: a Python float is
    rounded in plain Python as ``np.round(value, 10)`` does it (scale by 1e10, round half to
    even, scale back).
    """
    if type(values) is float:
        scaled = values * 100.0
        if not abs(scaled) < 1e6:  # too big to round, or not a number: as it is
            return scaled
        return math.copysign(round(scaled * 1e10) / 1e10, scaled)  # -0.0 as numpy has it
    import numpy as np

    with np.errstate(over="ignore", invalid="ignore"):
        hundred = np.asarray(values) * 100.0
        small = np.abs(hundred) < 1e6
        rounded = np.round(np.where(small, hundred, 0.0), 10)
    return np.where(small, rounded, hundred)


def _percent_note(value: float, scaled: float) -> str:
    return f"percentage cell {_fmt(value)} read as {_fmt(scaled)}"


def _from_float(value: float, percent_format: bool) -> CellValue:
    """A cell that already holds a float (or int converted to float)."""
    if value != value:  # NaN
        return CellValue(None, KIND_NO_DATA, REASON_BLANK)
    if value in (math.inf, -math.inf):
        return _invalid(repr(str(value)))
    if not percent_format:
        return CellValue(value, KIND_NUMBER, None)
    scaled = _scale_percent(float(value))
    if not math.isfinite(scaled):
        return _invalid(f"percentage cell {_fmt(value)} is too large")
    return CellValue(scaled, KIND_NUMBER, _percent_note(value, scaled))


def _number_text(groups: Mapping[str, str]) -> str:
    """The plain numeric string for a match: ``-£514K`` -> ``'-514e3'``."""
    negative = groups["sign"] in _NEGATIVE_SIGNS or groups["open"] == "("
    digits = groups["money"] or groups["plain"]
    return ("-" if negative else "") + digits.replace(",", "") + _MULT_EXP[groups["mult"].lower()]


def _number_note(norm: str, groups: Mapping[str, str], value: float) -> str | None:
    """The note for an interpreted number, or None when it was plainly numeric."""
    notes: list[str] = []
    shown = norm[: len(norm) - len(groups["foot"])] if groups["foot"] else norm
    if groups["mult"]:
        notes.append(f"{shown} read as {_fmt(value)}")
    elif groups["open"]:
        notes.append(f"{shown} read as negative")
    if groups["foot"]:
        notes.append(f"footnote mark '{groups['foot'].strip()}' removed")
    return "; ".join(notes) if notes else None


def _parse_text(text: str) -> CellValue:
    """Scalar text path (the vectorised path mirrors it step by step)."""
    norm = _WS.sub(" ", text).strip()
    if norm == "":
        return CellValue(None, KIND_NO_DATA, REASON_BLANK)
    word = _NO_DATA.get(norm.lower())
    if word is not None:
        return CellValue(None, KIND_NO_DATA, word)
    match = _NUMBER_RE.search(norm)
    if match is None:
        return _invalid(_show(norm))
    groups = {name: match.group(name) or "" for name in _GROUPS}
    value = float(_number_text(groups))
    if not math.isfinite(value):
        return _invalid(f"{_show(norm)} is too large")
    return CellValue(value, KIND_NUMBER, _number_note(norm, groups, value))


def parse_value(cell: object, *, percent_format: bool = False) -> CellValue:
    """Read one cell as a number, a "no data" reason, or invalid. Never raises.

    ``percent_format`` says the cell has a percentage number format, so a numeric value is
    the fraction behind it (text is read as written).

    >>> parse_value("68.04%")
    CellValue(number=68.04, kind='number', reason=None)
    >>> parse_value(0.6804, percent_format=True)
    CellValue(number=68.04, kind='number', reason='percentage cell 0.6804 read as 68.04')
    >>> parse_value("-£514K")
    CellValue(number=-514000.0, kind='number', reason='-£514K read as -514,000')
    >>> parse_value(" TBC ")
    CellValue(number=None, kind='no data', reason='to be confirmed')
    >>> parse_value("=SUM(A1:A3)")
    CellValue(number=None, kind='invalid', reason="not a number: '=SUM(A1:A3)'")
    """
    try:
        value = _parse_value(cell, bool(percent_format))
    except Exception:  # noqa: BLE001 - last line of defence: never raise for a cell
        return _invalid(_show(_safe_str(cell)))
    if value.number is not None:  # -0 is 0: never shown or recorded as "-0"
        return value._replace(number=value.number + 0.0)
    return value


def _parse_value(cell: object, percent_format: bool) -> CellValue:
    # numpy's and pandas' own values are looked for only once those libraries are loaded: before
    # then no object of theirs can exist, and one cell is read without importing them.
    np, pd = sys.modules.get("numpy"), sys.modules.get("pandas")
    if cell is None or (pd is not None and (cell is pd.NA or cell is pd.NaT)):
        return CellValue(None, KIND_NO_DATA, REASON_BLANK)
    if isinstance(cell, str):
        return _parse_text(str.__str__(cell))
    if isinstance(cell, bool) or (np is not None and isinstance(cell, np.bool_)):
        return _invalid(_show(str(bool(cell))))
    if isinstance(cell, _dt.date) or (np is not None and isinstance(cell, np.datetime64)):
        if np is not None and isinstance(cell, np.datetime64) and np.isnat(cell):
            return CellValue(None, KIND_NO_DATA, REASON_BLANK)
        return _invalid("a date")
    if isinstance(cell, _dt.time):
        return _invalid("a time of day")
    if isinstance(cell, _dt.timedelta) or (np is not None and isinstance(cell, np.timedelta64)):
        if np is not None and isinstance(cell, np.timedelta64) and np.isnat(cell):
            return CellValue(None, KIND_NO_DATA, REASON_BLANK)
        return _invalid("a duration")
    if isinstance(cell, numbers.Real | decimal.Decimal):
        try:
            value = float(cell)
        except OverflowError:
            return _invalid(f"{_show(_safe_str(cell))} is too large")
        except Exception:  # noqa: BLE001 - e.g. Decimal('sNaN')
            return _invalid(_show(_safe_str(cell)))
        return _from_float(value, percent_format)
    return _invalid(_show(_safe_str(cell)))
