"""Figures as a council analyst writes them in a sentence or a label: thousands separators,
at most four decimals, no trailing zeros (the direction of travel's words, the report's charts
and the CLI's tables all say a number this way)."""

from __future__ import annotations

import math
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
