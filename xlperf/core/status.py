"""The status rule: actual against target, in the direction of the polarity, with a tolerance.

The gap is written so that positive is always better::

    gap = actual - target     bigger is better
    gap = target - actual     smaller is better

The tolerance is absolute (in the measure's unit) or relative (a % of the target). The scheme
(:mod:`xlperf.core.schemes`) turns the gap into a band. Before any band: no actual gives
``No data``, a data-only measure gives ``Data only``, no target gives ``No target``.

:func:`rate` is the vectorised engine for columns (``score()``, the Excel functions over a
range, the refresh); :func:`rate_one` is the same rule for one measure in plain Python
(:func:`status`, :func:`explain`, ``xlperf status``, a one-cell worksheet function). Both put
the gap in a band with :meth:`~xlperf.core.schemes.Scheme.classify` (one decision, one place)
and a property test checks they agree. numpy and pandas are imported by the column path only,
so one measure is rated without loading them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from xlperf.core._cell import parse_value
from xlperf.core.figures import figure_decimals, format_number, say_figure, with_unit
from xlperf.core.polarity import Polarity, parse_polarity
from xlperf.core.schemes import (
    BUILTIN_SCHEMES,
    DATA_ONLY,
    NO_DATA,
    NO_TARGET,
    Band,
    Scheme,
    Status,
    _tidy,
    get_scheme,
)
from xlperf.errors import InputError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

ABSOLUTE, RELATIVE = "absolute", "relative"
_TOLERANCE_TYPES = {
    "absolute": ABSOLUTE, "abs": ABSOLUTE, "points": ABSOLUTE, "units": ABSOLUTE,
    "value": ABSOLUTE, "fixed": ABSOLUTE, "": ABSOLUTE, "nan": ABSOLUTE, "none": ABSOLUTE,
    "relative": RELATIVE, "rel": RELATIVE, "%": RELATIVE, "percent": RELATIVE,
    "percentage": RELATIVE, "% of target": RELATIVE, "percent of target": RELATIVE,
    "proportional": RELATIVE,
}

RATE_COLUMNS = ("status", "symbol", "colour", "severity", "rated", "gap", "tolerance_value",
                "actual", "target", "actual_reason", "target_reason")


def parse_tolerance_type(value: object) -> str:
    """``absolute`` or ``relative`` from what people write (``%`` and ``% of target`` are relative).

    >>> parse_tolerance_type("% of target")
    'relative'
    """
    found = _TOLERANCE_TYPES.get(value) if type(value) is str else None  # as written
    if found is None:
        key = "" if value is None else " ".join(str(value).strip().lower().split())
        found = _TOLERANCE_TYPES.get(key)
    if found is None:
        raise InputError(
            f"tolerance type {value!r} is not one of: absolute, relative (a % of the target)"
        )
    return found


def _numbers(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Numbers and no-data reasons from raw cells; plain numeric arrays skip parsing."""
    import numpy as np
    import pandas as pd

    from xlperf.core.values import parse_values

    if values.dtype.kind in "fiu":
        numbers = values.astype(float, copy=False)
        reasons = np.full(numbers.shape, None, dtype=object)
        reasons[np.isnan(numbers)] = "blank"
        return numbers, reasons
    parsed = parse_values(pd.Series(values, dtype=object))
    return parsed["number"].to_numpy(dtype=float), parsed["reason"].where(
        parsed["kind"] != "number", None).to_numpy(dtype=object)


def setting_numbers(values: np.ndarray, what: str) -> np.ndarray:
    """Numbers for a setting such as a tolerance or threshold: blank and no-data words are 0,
    text that is not a number is an :class:`~xlperf.errors.InputError` naming it (a typo in a
    tolerance must not silently rate against no tolerance).

    >>> import numpy as np
    >>> setting_numbers(np.array(["2", None, "n/a"], dtype=object), "tolerance").tolist()
    [2.0, 0.0, 0.0]
    """
    import numpy as np
    import pandas as pd

    from xlperf.core.values import parse_values

    if values.dtype.kind in "fiu":
        numbers = values.astype(float, copy=False)
    else:
        parsed = parse_values(pd.Series(values, dtype=object))
        invalid = (parsed["kind"] == "invalid").to_numpy()
        if invalid.any():
            raise InputError(f"{what} {values[invalid][0]!r} is not a number")
        numbers = parsed["number"].to_numpy(dtype=float)
    return np.where(np.isnan(numbers), 0.0, numbers)


def _tolerance_kinds(values: np.ndarray) -> np.ndarray:
    import numpy as np

    from xlperf.core._arrays import distinct

    codes, uniques = distinct(values, fill="")
    kinds = np.array([parse_tolerance_type(u) == RELATIVE for u in uniques], dtype=bool)
    return kinds[codes]


def rate(
    actual: Any,
    target: Any,
    polarity: Any,
    tolerance: Any = 0,
    tolerance_type: Any = ABSOLUTE,
    scheme: Any = "rag",
    *,
    schemes: Mapping[str, Scheme] | None = None,
) -> pd.DataFrame:
    """Rate many actuals at once. Every argument is a scalar or array-like of one length.

    Returns a DataFrame with :data:`RATE_COLUMNS`: the status word, symbol, colour and severity,
    whether the row was rated against a band, the gap (positive is better), the tolerance in the
    measure's unit, and the actual and target as numbers with the reason when either is missing.

    >>> rate([91.54, 40], 45.3, "Smaller is better", 2)["status"].tolist()
    ['Red', 'Green']
    """
    import numpy as np
    import pandas as pd

    from xlperf.core._arrays import broadcast, distinct
    from xlperf.core.polarity import polarity_signs

    (a_raw, t_raw, p_raw, tol_raw, tt_raw, s_raw), _, index = broadcast(
        actual, target, polarity, tolerance, tolerance_type, scheme
    )
    a, a_reason = _numbers(a_raw)
    t, t_reason = _numbers(t_raw)
    sign = polarity_signs(p_raw).astype(float)
    tol = setting_numbers(tol_raw, "tolerance")
    if (tol < 0).any():
        bad = tol[tol < 0][0]
        raise InputError(f"tolerance {bad:g} is negative: a tolerance is a distance from target")
    relative = _tolerance_kinds(tt_raw)
    tol_value = _tidy(np.where(relative, np.abs(t) * tol / 100.0, tol))
    gap = _tidy(sign * (a - t))

    n = len(a)
    # Each row gets the number of a status in `looks` (band or special status); words, symbols
    # and colours are then categoricals over those few statuses, not a million strings.
    looks: list[Band | Status] = [NO_DATA, DATA_ONLY, NO_TARGET]
    code = np.zeros(n, dtype=np.int32)
    no_data = np.isnan(a)
    data_only = ~no_data & (sign == 0)
    no_target = ~no_data & ~data_only & np.isnan(t)
    banded = ~(no_data | data_only | no_target)

    s_codes, s_names = distinct(s_raw, fill="")
    for scheme_code, name in enumerate(s_names):
        chosen = get_scheme(name, schemes)
        rows = banded & (s_codes == scheme_code)
        if not rows.any():
            continue
        code[rows] = len(looks) + chosen.classify(gap[rows], tol_value[rows])
        looks.extend(chosen.bands)
    code[data_only], code[no_target] = 1, 2  # no_data rows keep 0

    def categorical(attribute: str) -> pd.Series:
        words = [getattr(look, attribute) for look in looks]
        categories = list(dict.fromkeys(words))
        remap = np.array([categories.index(w) for w in words], dtype=np.int32)
        return pd.Series(pd.Categorical.from_codes(remap[code], categories=categories),
                         index=frame_index)

    frame_index = index if index is not None and len(index) == n else pd.RangeIndex(n)
    frame = pd.DataFrame(
        {
            "status": categorical("label"), "symbol": categorical("symbol"),
            "colour": categorical("colour"),
            "severity": np.array([look.severity for look in looks], dtype=np.int8)[code],
            "rated": banded, "gap": np.where(banded, gap, np.nan),
            "tolerance_value": tol_value, "actual": a, "target": t,
            "actual_reason": pd.Series(a_reason, index=frame_index, dtype=object),
            "target_reason": pd.Series(t_reason, index=frame_index, dtype=object),
        },
        index=frame_index,
    )
    frame.attrs["polarity_sign"] = sign
    frame.attrs["relative"] = relative
    frame.attrs["tolerance_input"] = tol
    return frame


def explain_rated(rated: pd.DataFrame, unit: Any = None, decimals: Any = None) -> pd.Series:
    """One sentence per row of :func:`rate`'s result saying how the status was reached.

    ``unit`` (one per row, or one for all): the figures are said with their measure's unit to
    ``decimals`` places (one per row; by default those of the actual and target,
    :func:`~xlperf.core.figures.figure_decimals`), as the Scorecard's cells show them, and the
    gap and tolerance of a percentage in points (:func:`explain_one` for each row). Without
    one, the figures are as given.

    >>> explain_rated(rate(91.54, 45.3, "Smaller is better", 2)).iloc[0]
    '91.54 against target 45.3, smaller is better: 46.24 worse than target, beyond the \
tolerance of 2: Red'
    >>> explain_rated(rate(7, 0, "Smaller is better", 2), unit="%").iloc[0]
    '7.0% against target 0.0%, smaller is better: 7.0 pts worse than target, beyond the \
tolerance of 2 pts: Red'
    """
    import numpy as np
    import pandas as pd

    from xlperf.core.figures import format_numbers

    sign = rated.attrs.get("polarity_sign")
    relative = rated.attrs.get("relative")
    tol_in = rated.attrs.get("tolerance_input")
    n = len(rated)
    if sign is None:  # a frame that lost its attrs: treat as absolute tolerance
        sign, relative, tol_in = np.ones(n), np.zeros(n, bool), rated["tolerance_value"].to_numpy()
    if unit is not None:
        return _explained_with_units(rated, np.broadcast_to(np.asarray(sign, dtype=float), n),
                                     np.broadcast_to(np.asarray(relative, dtype=bool), n),
                                     np.broadcast_to(np.asarray(tol_in, dtype=float), n),
                                     unit, decimals)
    a_txt = format_numbers(rated["actual"].to_numpy(float))
    t_txt = format_numbers(rated["target"].to_numpy(float))
    gap = rated["gap"].to_numpy(float)
    gap_txt = format_numbers(np.abs(gap))
    tol_value = rated["tolerance_value"].to_numpy(float)
    tol_txt = format_numbers(tol_value)
    tol_in_txt = format_numbers(np.asarray(tol_in, dtype=float))
    phrase = np.select([sign > 0, sign < 0],
                       [Polarity.HIGHER.phrase, Polarity.LOWER.phrase], Polarity.DATA_ONLY.phrase)
    status = rated["status"].to_numpy(object)

    tolerance_words = np.where(
        relative, "the tolerance of " + tol_in_txt + "% of target (" + tol_txt + ")",
        "the tolerance of " + tol_txt)
    within = np.where(np.abs(gap) <= tol_value, "within ", "beyond ")
    tolerance_part = np.where(tol_value > 0, within + tolerance_words, "no tolerance")
    side = np.where(gap > 0, " better than target, ", " worse than target, ")
    gap_part = np.where(gap == 0, "on target", gap_txt + side + tolerance_part)
    banded = a_txt + " against target " + t_txt + ", " + phrase + ": " + gap_part

    a_reason = rated["actual_reason"].to_numpy(object)
    reason_txt = np.where(pd.isna(a_reason), "blank", a_reason.astype(str))
    sentence = np.select(
        [status == NO_DATA.label, status == DATA_ONLY.label, status == NO_TARGET.label],
        [
            "No actual for this period (" + reason_txt + ")",
            a_txt + " is reported for information only",
            a_txt + " has no target to compare with",
        ],
        banded,
    )
    return pd.Series(sentence + ": " + status.astype(str), index=rated.index, dtype=object)


def _explained_with_units(rated: pd.DataFrame, sign: np.ndarray, relative: np.ndarray,
                          tol_in: np.ndarray, unit: Any, decimals: Any) -> pd.Series:
    """:func:`explain_rated` with units: :func:`explain_one` for each row (one rule)."""
    import numpy as np
    import pandas as pd

    from xlperf.core.schemes import SPECIAL_STATUSES

    n = len(rated)
    units = np.broadcast_to(np.asarray(unit, dtype=object), n).tolist()
    places = (np.broadcast_to(np.asarray(decimals, dtype=object), n).tolist()
              if decimals is not None else [None] * n)
    special = {s.label: s for s in SPECIAL_STATUSES}
    columns = [rated[c].to_numpy(dtype=object if c in ("status", "actual_reason") else float
                                 ).tolist()
               for c in ("status", "actual", "target", "gap", "tolerance_value",
                         "actual_reason")]
    sentences = []
    for i, (label, a, t, gap, tol_value, reason) in enumerate(zip(*columns, strict=True)):
        look = special.get(str(label)) or Status(str(label), "", "", 0)  # a band's word
        one = OneRated(look, a, t, int(sign[i]), float(tol_in[i]), bool(relative[i]),
                       tol_value, gap, None if pd.isna(reason) else str(reason))
        sentences.append(explain_one(one, unit=units[i] if units[i] is not None else "",
                                     decimals=places[i]))
    return pd.Series(sentences, index=rated.index, dtype=object)


_SCALARS = (int, float, str, type(None))


def _number_one(cell: Any) -> tuple[float, str | None]:
    """One cell as :func:`_numbers` reads it: the number (NaN where there is none) and the
    reason there is none."""
    if type(cell) in (int, float):  # not bool: True is not a number here
        number = float(cell)
        return number, ("blank" if math.isnan(number) else None)
    parsed = parse_value(cell)
    if parsed.kind == "number":
        return float(parsed.number), None  # type: ignore[arg-type]
    return math.nan, parsed.reason


class OneRated(NamedTuple):
    """One measure rated by :func:`rated_one`: what :func:`rate` gives in a row."""

    look: Band | Status
    actual: float
    target: float
    sign: int
    tolerance_input: float
    relative: bool
    tolerance_value: float
    gap: float                # NaN unless rated against a band
    actual_reason: str | None


def rated_one(actual: Any, target: Any, polarity: Any, tolerance: Any = 0,
              tolerance_type: Any = ABSOLUTE, scheme: Any = "rag",
              schemes: Mapping[str, Scheme] | None = None) -> OneRated:
    """:func:`rate` for one measure in plain Python (no arrays, no DataFrame), with the
    numbers an explanation needs. The same rule and the same errors as :func:`rate`: the band
    comes from the scheme's :meth:`~xlperf.core.schemes.Scheme.classify`, as it does for a
    column.

    >>> rated_one(91.54, 45.3, "Smaller is better", 2).gap
    -46.24
    """
    a, a_reason = _number_one(actual)
    t, _ = _number_one(target)
    sign = parse_polarity(polarity).sign
    if type(tolerance) in (int, float):
        tol = float(tolerance)
    else:
        parsed = parse_value(tolerance)
        if parsed.kind == "invalid":
            raise InputError(f"tolerance {tolerance!r} is not a number")
        tol = float(parsed.number) if parsed.kind == "number" else math.nan  # type: ignore[arg-type]
    tol = 0.0 if math.isnan(tol) else tol
    if tol < 0:
        raise InputError(f"tolerance {tol:g} is negative: a tolerance is a distance from target")
    relative = parse_tolerance_type("" if tolerance_type is None or (
        isinstance(tolerance_type, float) and math.isnan(tolerance_type)) else tolerance_type
    ) == RELATIVE
    chosen = (BUILTIN_SCHEMES.get(scheme) if schemes is None and type(scheme) is str else None
              ) or get_scheme("" if scheme is None else scheme, schemes)
    tol_value = _tidy(abs(t) * tol / 100.0 if relative else tol)
    gap = math.nan
    if math.isnan(a):
        look: Band | Status = NO_DATA
    elif sign == 0:
        look = DATA_ONLY
    elif math.isnan(t):
        look = NO_TARGET
    else:
        gap = _tidy(sign * (a - t))
        look = chosen.bands[chosen.classify(gap, tol_value)]
    return OneRated(look, a, t, sign, tol, relative, tol_value, gap, a_reason)


def rate_one(actual: Any, target: Any, polarity: Any, tolerance: Any = 0,
             tolerance_type: Any = ABSOLUTE, scheme: Any = "rag",
             schemes: Mapping[str, Scheme] | None = None) -> Band | Status:
    """The band or special status of one measure (:func:`rated_one`'s ``look``); a one-cell
    worksheet function and :func:`status` use it.

    >>> rate_one(91.54, 45.3, "Smaller is better", 2).label
    'Red'
    """
    return rated_one(actual, target, polarity, tolerance, tolerance_type, scheme,
                     schemes).look


def explain_one(rated: OneRated, unit: str | None = None, decimals: int | None = None) -> str:
    """The sentence :func:`explain_rated` gives for the same measure, in plain Python (a
    property test checks they agree). ``unit``: the figures said with it to ``decimals``
    places (by default the actual's and target's,
    :func:`~xlperf.core.figures.figure_decimals`) as the Scorecard's cells show them, a gap
    and a tolerance as differences (a percentage's in points); without it, as given.

    >>> explain_one(rated_one(6.7, 6.7, "Smaller is better", 0.5))
    '6.7 against target 6.7, smaller is better: on target: Green'
    >>> explain_one(rated_one(7, 0, "Smaller is better", 2), unit="%")
    '7.0% against target 0.0%, smaller is better: 7.0 pts worse than target, beyond the \
tolerance of 2 pts: Red'
    """
    if unit is None:
        def figure(value: float, difference: bool = False) -> str:
            return format_number(value)

        def setting(value: float) -> str:
            return format_number(value)
    else:
        places = decimals if decimals is not None else figure_decimals(
            unit, (rated.actual, rated.target))

        def figure(value: float, difference: bool = False) -> str:
            return say_figure(value, unit, places, difference=difference)

        def setting(value: float) -> str:  # a tolerance as it was set: 2 pts
            return with_unit(format_number(value), unit, difference=True)

    label = rated.look.label
    if rated.look is NO_DATA:
        return f"No actual for this period ({rated.actual_reason or 'blank'}): {label}"
    a_txt = figure(rated.actual)
    if rated.look is DATA_ONLY:
        sentence = f"{a_txt} is reported for information only"
    elif rated.look is NO_TARGET:
        sentence = f"{a_txt} has no target to compare with"
    else:
        gap, tol_value = rated.gap, rated.tolerance_value
        words = (f"the tolerance of {format_number(rated.tolerance_input)}% of target "
                 f"({figure(tol_value, True)})" if rated.relative
                 else f"the tolerance of {setting(tol_value)}")
        tolerance_part = ((("within " if abs(gap) <= tol_value else "beyond ") + words)
                          if tol_value > 0 else "no tolerance")
        side = " better than target, " if gap > 0 else " worse than target, "
        gap_part = "on target" if gap == 0 else figure(abs(gap), True) + side + tolerance_part
        phrase = (Polarity.HIGHER if rated.sign > 0 else Polarity.LOWER).phrase
        sentence = f"{a_txt} against target {figure(rated.target)}, {phrase}: {gap_part}"
    return f"{sentence}: {label}"


def _one(frame: pd.DataFrame, column: str) -> Any:
    value = frame[column].iloc[0]
    return None if isinstance(value, float) and math.isnan(value) else value


def status(
    actual: Any,
    target: Any,
    polarity: Any,
    tolerance: Any = 0,
    tolerance_type: Any = ABSOLUTE,
    scheme: Any = "rag",
) -> str:
    """The status word of one measure.

    >>> status(91.54, 45.3, "Smaller is better", 2)
    'Red'
    >>> status(68.04, 78.2, "High", 15, "%")
    'Amber'
    >>> status("TBC", 10, "High")
    'No data'
    """
    if all(type(v) in _SCALARS for v in (actual, target, polarity, tolerance, tolerance_type,
                                         scheme)):
        return rate_one(actual, target, polarity, tolerance, tolerance_type, scheme).label
    return str(_one(rate(actual, target, polarity, tolerance, tolerance_type, scheme), "status"))


def explain(
    actual: Any,
    target: Any,
    polarity: Any,
    tolerance: Any = 0,
    tolerance_type: Any = ABSOLUTE,
    scheme: Any = "rag",
) -> str:
    """One sentence saying how the status of one measure was reached.

    >>> explain(68.04, 78.2, "Bigger is better", 15, "relative")
    '68.04 against target 78.2, bigger is better: 10.16 worse than target, within the \
tolerance of 15% of target (11.73): Amber'
    """
    if all(type(v) in _SCALARS for v in (actual, target, polarity, tolerance, tolerance_type,
                                         scheme)):
        return explain_one(rated_one(actual, target, polarity, tolerance, tolerance_type,
                                     scheme))
    rated = rate(actual, target, polarity, tolerance, tolerance_type, scheme)
    return str(explain_rated(rated).iloc[0])


def symbol(status_word: str, scheme: Any = None,
           schemes: Mapping[str, Scheme] | None = None) -> str | None:
    """The symbol for a status word, looked up in ``scheme`` or in every known scheme.

    >>> symbol("Red"), symbol("Exceeds tolerance")
    ('✖', '★')
    """
    candidates = [get_scheme(scheme, schemes)] if scheme is not None else list(
        (schemes or {}).values()) + [get_scheme(n) for n in ("rag", "three-symbol", "four-band")]
    for candidate in candidates:
        found = candidate.lookup(str(status_word))
        if found is not None:
            return found.symbol
    return None
