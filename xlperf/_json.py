"""JSON that every door writes the same way: no NaN or infinity (they are not JSON).

pandas gives NaN for what is missing (an ``import-history`` row of the ledger has no period);
the server's answers and the command line's ``--json`` both go through :func:`json_safe`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

__all__ = ["json_safe"]


def json_safe(value: Any) -> Any:
    """``value`` with every NaN, infinity, pandas ``NA``/``NaT`` as ``None``, numpy scalars
    as Python numbers, tuples and sets as lists, and mapping keys as text.

    >>> json_safe({"period": float("nan"), "counts": (1, float("inf")), 2: None})
    {'period': None, 'counts': [1, None], '2': None}
    """
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [json_safe(v) for v in value]
    item = getattr(value, "item", None)  # a numpy scalar
    if callable(item) and getattr(value, "ndim", None) == 0:
        return json_safe(item())
    tolist = getattr(value, "tolist", None)  # a numpy array
    if callable(tolist):
        return json_safe(tolist())
    try:
        import pandas as pd

        if pd.isna(value):  # pd.NA, pd.NaT
            return None
    except (ImportError, TypeError, ValueError):
        pass
    return value
