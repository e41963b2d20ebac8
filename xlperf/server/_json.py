"""The one JSON encoding of every answer the server gives.

pandas gives NaN for what is missing (an ``import-history`` row of the ledger has no period),
and NaN or infinity is not JSON: Starlette refuses to encode it ("Out of range float values
are not JSON compliant") and a browser's ``JSON.parse`` could not read it. Every response goes
through :class:`JSONResponse`, which writes them as ``null``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from fastapi.responses import JSONResponse as _StarletteJSON

__all__ = ["JSONResponse", "json_safe"]


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


class JSONResponse(_StarletteJSON):
    """A JSON response in which no NaN or infinity can appear (they become ``null``)."""

    def render(self, content: Any) -> bytes:
        try:  # the usual answer has nothing to clean: encode it as it is
            text = json.dumps(content, ensure_ascii=False, allow_nan=False, indent=None,
                              separators=(",", ":"))
        except (ValueError, TypeError):
            text = json.dumps(json_safe(content), ensure_ascii=False, allow_nan=False,
                              indent=None, separators=(",", ":"))
        return text.encode("utf-8")
