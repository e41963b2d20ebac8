"""Polarity: which way is better for a measure, read from the words councils use.

Three polarities exist. ``HIGHER`` (bigger is better), ``LOWER`` (smaller is better) and
``DATA_ONLY`` (reported, never rated). People write them many ways; an unknown word is an error
naming the value, never a guess.

One word is read in plain Python (numpy and pandas are imported by the column functions only,
so ``xlperf status`` rates one measure without loading them).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING

from xlperf.errors import PolarityError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd


class Polarity(StrEnum):
    """The direction in which a measure's performance is better."""

    HIGHER = "Bigger is better"
    LOWER = "Smaller is better"
    DATA_ONLY = "Data only"

    @property
    def sign(self) -> int:
        """+1 when bigger is better, -1 when smaller is better, 0 for data only."""
        return _SIGN[self]

    @property
    def phrase(self) -> str:
        """The lower-case phrase used in explanations, e.g. ``smaller is better``."""
        return self.value.lower()


_SIGN = {Polarity.HIGHER: 1, Polarity.LOWER: -1, Polarity.DATA_ONLY: 0}

# Normalised word -> polarity. Keys are lower case with punctuation folded to single spaces.
_WORDS: dict[str, Polarity] = {}
for _polarity, _words in {
    Polarity.HIGHER: [
        "bigger is better", "higher is better", "larger is better", "more is better",
        "high", "higher", "bigger", "up", "increase", "maximise", "maximize",
        "aim to maximise", "aim to maximize", "aim high", "high is good", "good is high",
        "higher is good",
    ],
    Polarity.LOWER: [
        "smaller is better", "lower is better", "less is better", "fewer is better",
        "low", "lower", "smaller", "down", "decrease", "reduce", "minimise", "minimize",
        "aim to minimise", "aim to minimize", "aim low", "low is good", "good is low",
        "lower is good",
    ],
    Polarity.DATA_ONLY: [
        "data only", "data", "data only measure", "monitor only", "for information",
        "information only", "no polarity", "not applicable", "none", "n a", "neutral",
        "contextual", "context only", "tracking only",
    ],
}.items():
    for _word in _words:
        _WORDS[_word] = _polarity
    _WORDS[_polarity.value.lower()] = _polarity

_FOLD = re.compile(r"[\s_/.]+")

KNOWN_WORDS = ("Bigger is better", "Higher is better", "High", "Aim to maximise",
               "Smaller is better", "Lower is better", "Low", "Aim to minimise", "Data only")


@lru_cache(maxsize=1024)  # a register uses a handful of words, read again for every measure
def _normalise(word: str) -> str:
    return _FOLD.sub(" ", word.strip().lower()).strip()


def parse_polarity(value: object) -> Polarity:
    """Read a polarity word.

    >>> parse_polarity("Higher is better")
    <Polarity.HIGHER: 'Bigger is better'>
    >>> parse_polarity(" low ")
    <Polarity.LOWER: 'Smaller is better'>

    Raises :class:`~xlperf.errors.PolarityError` naming the value when the word is unknown.
    """
    if isinstance(value, Polarity):
        return value
    if isinstance(value, str):
        found = _WORDS.get(_normalise(value))
        if found is not None:
            return found
    blank = value is None or (isinstance(value, float) and math.isnan(value)) or (
        isinstance(value, str) and not value.strip())
    if blank:
        raise PolarityError(f"polarity is blank: use one of {', '.join(KNOWN_WORDS)}")
    raise PolarityError(f"polarity {value!r} is not one of: {', '.join(KNOWN_WORDS)}")


def parse_polarities(values: pd.Series | Iterable[object]) -> pd.Series:
    """Vectorised :func:`parse_polarity`: each distinct word is read once.

    Returns a Series of :class:`Polarity` with the input's index.

    >>> import pandas as pd
    >>> parse_polarities(pd.Series(["High", "Low", "High"])).tolist()
    [<Polarity.HIGHER: 'Bigger is better'>, <Polarity.LOWER: 'Smaller is better'>, \
<Polarity.HIGHER: 'Bigger is better'>]
    """
    import numpy as np
    import pandas as pd

    from xlperf.core._arrays import distinct

    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    codes, uniques = distinct(series.array if isinstance(series.dtype, pd.CategoricalDtype)
                              else series.to_numpy(dtype=object))
    parsed = np.array([parse_polarity(u) for u in uniques], dtype=object)
    return pd.Series(parsed[codes], index=series.index, dtype=object)


def polarity_signs(values: pd.Series | Iterable[object]) -> np.ndarray:
    """+1 / -1 / 0 per polarity word, as an int8 array (vectorised, one parse per distinct word)."""
    import numpy as np
    import pandas as pd

    from xlperf.core._arrays import distinct

    if isinstance(values, pd.Series):
        values = values.array if isinstance(values.dtype, pd.CategoricalDtype) else (
            values.to_numpy(dtype=object))
    elif not isinstance(values, np.ndarray | pd.Categorical):
        values = np.asarray(list(values), dtype=object)
    codes, uniques = distinct(values)
    signs = np.array([parse_polarity(u).sign for u in uniques], dtype=np.int8)
    return signs[codes]
