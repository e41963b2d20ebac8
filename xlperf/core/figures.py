"""Figures as a council analyst writes them in a sentence or a label: thousands separators,
at most four decimals, no trailing zeros (the direction of travel's words, a chart's ticks
and the CLI's tables say a number this way, :func:`format_number`); and a measure's figures
as the Scorecard's cells show them, its decimals decided from its figures
(:func:`figure_decimals`, :func:`say_figure`: the pack and the rule's sentence say them so),
a difference of percentages in percentage points (:func:`difference_affixes`)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np


def finite_number(value: Any) -> float | None:
    """``value`` as a float when it is a finite number (or text of one), else ``None``: what
    every sheet and block prints as a figure or leaves blank (NaN, infinity, ``None``,
    pandas' ``NA``/``NaT`` and words all give ``None``).

    >>> finite_number(12), finite_number("2.5"), finite_number(float("nan")), finite_number("TBC")
    (12.0, 2.5, None, None)
    """
    if type(value) is float:  # the usual case, without the general checks
        return value if math.isfinite(value) else None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def format_number(value: float) -> str:
    """A number as a council analyst writes it: thousands separators, at most 4 decimals.

    >>> format_number(1234.5), format_number(46.24), format_number(2.0), format_number(-0.5)
    ('1,234.5', '46.24', '2', '-0.5')
    """
    if value is None or not math.isfinite(value):  # plain Python: one measure loads no numpy
        return ""
    text = f"{value:,.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


_UNIT_SUFFIX = {"%": "%", "percent": "%", "percentage": "%", "£000s": "k", "£000": "k",
                "£k": "k", "rate per 10,000": " per 10k", "rate per 1,000": " per 1k",
                "days": " days", "weeks": " wks"}
_MONEY = ("£", "£000s", "£000", "£k")


def unit_affixes(unit: str | None) -> tuple[str, str]:
    """What a figure of ``unit`` is written with before and after its digits: the one
    decision for the Scorecard's number formats (``xlperf.write.unit_format``) and the
    pack's figures (``xlperf.report._svg.fmt``), so both say ``33 wks``, ``7.8 days``,
    ``325 per 10k``, ``68.0%`` and ``£1,200k`` alike.

    >>> unit_affixes("weeks"), unit_affixes("£000s"), unit_affixes("number")
    (('', ' wks'), ('£', 'k'), ('', ''))
    """
    key = (unit or "").strip().casefold()
    return ("£" if key in _MONEY else ""), _UNIT_SUFFIX.get(key, "")


#: What a difference of two percentages is said in: percentage points, never ``%`` (which a
#: relative change is said in). The pack's key says it once (:data:`POINTS_MEANING`).
POINTS = " pts"
POINTS_MEANING = "percentage points: the difference between two percentages"


def difference_affixes(unit: str | None) -> tuple[str, str]:
    """What a difference of two figures of ``unit`` (a variance, a gap, a tolerance) is
    written with: :func:`unit_affixes`, except that a difference of percentages is in
    percentage points (`` pts``): ``-2.2 pts``, where ``-3.8%`` is the relative change.

    >>> difference_affixes("%"), difference_affixes("days")
    (('', ' pts'), ('', ' days'))
    """
    prefix, suffix = unit_affixes(unit)
    return prefix, (POINTS if suffix == "%" else suffix)


def figure_decimals(unit: str | None, values: Iterable[float | None]) -> int:
    """The decimals a measure's figures of ``unit`` are shown with, the one decision for the
    Scorecard's number formats (``xlperf.write.unit_format``) and the pack's text: one for a
    percentage (``85.0%``), none for money, two for a ratio, and for anything else none when
    every figure is whole, one when any has a fraction (``30.0`` beside ``29.5``).

    >>> figure_decimals("%", [85]), figure_decimals("number", [30, 29.5]), figure_decimals(
    ...     "number", [30, None])
    (1, 1, 0)
    """
    prefix, suffix = unit_affixes(unit)
    if suffix == "%":
        return 1
    if prefix == "£":
        return 0
    if (unit or "").strip().casefold() == "ratio":
        return 2
    whole = all(v is None or not math.isfinite(float(v)) or float(v).is_integer()
                for v in values)
    return 0 if whole else 1


def measure_decimals(unit: str | None, actual: float | None, target: float | None,
                     annual_target: float | None) -> int:
    """A measure's decimals (:func:`figure_decimals`) from the figures of its Scorecard row:
    its actual, target and annual target; its variance, the pack's figures and the rule's
    sentence are said to the same places.

    >>> measure_decimals("number", 30, 30, 29.5), measure_decimals("%", 85, 80, None)
    (1, 1)
    """
    return figure_decimals(unit, (actual, target, annual_target))


def say_figure(value: float, unit: str | None, decimals: int, *, difference: bool = False,
               signed: bool = False, words: bool = True) -> str:
    """A finite figure as a Scorecard cell of ``xlperf.write.unit_format(unit, ...,
    difference=difference)`` shows it in Excel: rounded to ``decimals`` as Excel rounds
    (:func:`rounded`), thousands separators, the unit's affixes (``difference``: a variance's,
    :func:`difference_affixes`); ``signed``: ``+`` before a positive figure, as a variance's
    format writes it; ``words=False``: a suffix of words left off (a chart's tick).

    >>> say_figure(85, "%", 1), say_figure(-2.25, "%", 1, difference=True, signed=True)
    ('85.0%', '-2.3 pts')
    >>> say_figure(-1200, "£000s", 0), say_figure(30, "number", 1, signed=True)
    ('-£1,200k', '+30.0')
    """
    prefix, suffix = (difference_affixes if difference else unit_affixes)(unit)
    if not words and suffix.startswith(" "):
        suffix = ""
    number = rounded(value, decimals)
    # Excel's sign is the value's: a format's negative section, or its minus, for any value
    # below 0 (-0.04 to one place is -0.0 in the cell, so here too).
    sign = "-" if value < 0 else ("+" if signed and value > 0 else "")
    return f"{sign}{prefix}{abs(number):,.{decimals}f}{suffix}"


def with_unit(text: str, unit: str | None, *, words: bool = True,
              difference: bool = False) -> str:
    """A number's ``text`` with its unit's :func:`unit_affixes` (a minus before the ``£``);
    ``words=False`` leaves a suffix of words (`` days``, `` per 10k``) off: a chart's tick;
    ``difference``: a difference's (:func:`difference_affixes`: a tolerance of ``2 pts``).

    >>> with_unit("33", "weeks"), with_unit("-1,200", "£000s"), with_unit("2", "%", difference=True)
    ('33 wks', '-£1,200k', '2 pts')
    >>> with_unit("7.8", "days", words=False)
    '7.8'
    """
    prefix, suffix = (difference_affixes if difference else unit_affixes)(unit)
    if not words and suffix.startswith(" "):
        suffix = ""
    sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
    return f"{sign}{prefix}{digits}{suffix}"


def format_numbers(values: np.ndarray) -> np.ndarray:
    """Vectorised :func:`format_number`: each distinct value is formatted once (the finite
    ones found at once, then plain Python floats formatted: a scalar numpy check per value
    cost more than the formatting).

    >>> import numpy as np
    >>> format_numbers(np.array([1234.5, np.nan, -0.00001, 2.0])).tolist()
    ['1,234.5', '', '0', '2']
    """
    import numpy as np
    import pandas as pd

    codes, uniques = pd.factorize(pd.Series(values, dtype=float), use_na_sentinel=True)
    distinct = np.asarray(uniques, dtype=float)
    finite = np.isfinite(distinct)
    texts = np.full(len(distinct) + 1, "", dtype=object)  # the last: a missing value
    # Below 999.9 no separator can appear, and formatting without one is a third quicker.
    small = finite & (np.abs(distinct) < 999.9)
    texts[np.flatnonzero(small)] = [f"{value:.4f}".rstrip("0").rstrip(".")
                                    for value in distinct[small].tolist()]
    large = finite & ~small
    texts[np.flatnonzero(large)] = [f"{value:,.4f}".rstrip("0").rstrip(".")
                                    for value in distinct[large].tolist()]
    tiny = np.flatnonzero(small & (np.abs(distinct) < 0.0001))
    texts[tiny[texts[tiny] == "-0"]] = "0"  # a tiny negative rounds to minus nothing
    return texts[codes]


#: The most decimals a figure is said with.
MOST_DECIMALS = 4


def shown_decimals(values: np.ndarray) -> np.ndarray:
    """Each value's decimals as entered: the fewest (0 to 4) that give it back (4 for a value
    that needs more; 0 for a missing one). ``68.03999999999999`` (0.6804 as a percentage) is
    68.04: 2.

    >>> import numpy as np
    >>> shown_decimals(np.array([7.0, 16.7, 68.03999999999999, 1234.5678, 1e-7, np.nan])).tolist()
    [0, 1, 2, 4, 4, 0]
    """
    import numpy as np

    x = np.abs(np.asarray(values, dtype=float))
    out = np.zeros(len(x), dtype=np.int64)
    finite = np.isfinite(x)
    if not finite.any():
        return out
    x = x[finite]
    found = np.full(len(x), MOST_DECIMALS, dtype=np.int64)
    for k in range(MOST_DECIMALS - 1, -1, -1):  # the fewest that work is set last
        scaled = x * 10.0 ** k
        # Within a few units of the float's last place of a whole number at this scale (68.04
        # held as 68.03999999999999 is 6804 less one such unit).
        found[np.abs(scaled - np.round(scaled)) <= 8 * np.spacing(scaled)] = k
    out[finite] = found
    return out


def statistic_decimals(data_decimals: Any) -> Any:
    """The decimals a chart's mean, process limits and 2-sigma lines are said with, from the
    decimals its data show (:func:`shown_decimals`, the most of its points): one more, as
    limits are usually quoted (an integer count's limits to a tenth), at most 4. Works on one
    number or an array.

    >>> statistic_decimals(0), statistic_decimals(1), statistic_decimals(4)
    (1, 2, 4)
    """
    import numpy as np

    found = np.minimum(np.asarray(data_decimals, dtype=np.int64) + 1, MOST_DECIMALS)
    return int(found) if np.ndim(found) == 0 else found


def format_statistics(values: np.ndarray, decimals: Any) -> np.ndarray:
    """A chart's statistics (mean, limits) as text to ``decimals`` places each (one number or
    one per value), trailing zeros kept: a limit of 38.0 is not the point of 38 beside it.
    Rounded as a person rounds the number as it is written (169.95 to one place is 170.0,
    not the 169.9 of the float just below it); thousands separators; empty for a missing
    value; never ``-0.0``.

    >>> import numpy as np
    >>> format_statistics(np.array([37.64, -0.04, 1234.5, 169.95, np.nan]),
    ...                   np.array([1, 1, 2, 1, 1])).tolist()
    ['37.6', '0.0', '1,234.50', '170.0', '']
    """
    import numpy as np

    x = np.asarray(values, dtype=float)
    places = np.broadcast_to(np.asarray(decimals, dtype=np.int64), x.shape)
    texts = np.full(len(x), "", dtype=object)
    finite = np.isfinite(x)
    for k in np.unique(places[finite]).tolist():
        at = np.flatnonzero(finite & (places == k))
        texts[at] = [format_statistic(v, k) for v in x[at].tolist()]
    return texts


def format_statistic(value: float, places: int) -> str:
    """One finite statistic as :func:`format_statistics` says it.

    >>> format_statistic(-1.4469, 1), format_statistic(98.585, 2)
    ('-1.4', '98.59')
    """
    written = repr(value)
    digits = written.partition(".")[2]
    # The float's own digits are the number as written except where it was written with a 5
    # just past the places (169.95 is held as 169.94999...: rounded as written, half up) or
    # is so large that its places go beyond the float's precision (its last digits noise).
    if (len(digits) == places + 1 and digits.endswith("5")) or abs(value) >= 1e10 \
            or "e" in written:
        from decimal import ROUND_HALF_UP, Context, Decimal

        rounded = Decimal(written).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP,
                                            context=Context(prec=400))
        text = f"{rounded:,.{places}f}"
    else:
        text = f"{value:,.{places}f}"
    # A tiny negative rounds to minus nothing: said as nothing.
    return text[1:] if text.startswith("-") and not text.strip("-0.,") else text


def rounded(value: float, places: int) -> float:
    """``value`` rounded to ``places`` as Excel shows it in a cell: its 15 significant
    digits, half away from zero (a variance of 36.25 % is 36.3 % in the Scorecard's cell, so
    in the pack too; Python's ``round`` gives 36.2, the float just below 36.25).

    >>> rounded(36.25, 1), round(36.25, 1), rounded(-2.25, 1), rounded(2.9 / 8 * 100, 1)
    (36.3, 36.2, -2.3, 36.3)
    """
    from decimal import ROUND_HALF_UP, Decimal

    if not math.isfinite(value):
        return value
    return float(Decimal(f"{value:.15g}").quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP))
