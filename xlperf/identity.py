"""The identity of a workbook xlperf wrote: what it is, for whom, for when, from which register.

Every return template carries the same facts twice, so the tool can check a submitted file later
even if one copy is lost: as custom document properties (``File > Info > Properties`` in Excel)
and in a hidden sheet called ``xlperf`` (two columns, ``Key`` and ``Value``). The keys are
:data:`IDENTITY_KEYS`.

The *register hash* fingerprints the measures register (the known columns of the ``Measures``
sheet, not any extra column a council adds, not the row order): a return whose hash differs
from the master's was made from another version of the register.
"""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any

import pandas as pd

from xlperf.core.columns import MEASURE_COLUMNS, normalise_columns

IDENTITY_SHEET = "xlperf"
PROPERTY_PREFIX = "xlperf "
IDENTITY_KEYS = ("template_id", "kind", "service", "period", "register_hash", "xlperf_version",
                 "council", "sheet", "header_row", "first_data_row")
PERFORMANCE, FINANCE, CAPITAL = "performance", "finance", "capital"
# Who a capital programme return is from (the master's Capital sheet names no holder).
CAPITAL_OWNER = "Capital programme"


def _canonical(value: Any) -> str:
    if type(value) is str:  # the usual cell, first
        return " ".join(value.split())
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float):
        if isinstance(value, float) and math.isnan(value):
            return ""
        return format(float(value), ".12g")
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item"):
        return _canonical(value.item())
    return " ".join(str(value).split())


def _canonical_column(values: Any) -> list[str]:
    """:func:`_canonical` of each value, each distinct value (by type and value) worked out
    once: a register repeats its units, services and polarities on every row."""
    done: dict[tuple[type, Any], str] = {}
    out = []
    for value in values:
        key = (type(value), value)
        try:
            text = done.get(key)
        except TypeError:  # unhashable: as it is
            out.append(_canonical(value))
            continue
        if text is None:
            text = done[key] = _canonical(value)
        out.append(text)
    return out


def register_hash(register: pd.DataFrame) -> str:
    """A 12-hex-digit fingerprint of the register's known columns, independent of row order,
    column order, extra columns, number types (78 == 78.0) and surrounding spaces.

    >>> frame = pd.DataFrame({"Code": ["A1"], "Polarity": ["Bigger is better"], "Note": ["x"]})
    >>> register_hash(frame) == register_hash(frame.drop(columns="Note"))
    True
    """
    frame = normalise_columns(register, MEASURE_COLUMNS)
    columns = [c for c in MEASURE_COLUMNS if c in frame.columns]
    texts = [_canonical_column(frame[c].to_numpy(dtype=object)) for c in columns]
    # Each row as json.dumps(list_of_texts) writes it, each distinct text encoded once.
    encoded: dict[str, str] = {}
    quoted = [[encoded.get(t) or encoded.setdefault(t, json.dumps(t, ensure_ascii=False))
               for t in column] for column in texts]
    rows = sorted(f"[{', '.join(row)}]" for row in zip(*quoted, strict=True))
    payload = json.dumps({"columns": columns, "rows": rows}, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:12]
