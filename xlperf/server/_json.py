"""The one JSON encoding of every answer the server gives.

pandas gives NaN for what is missing (an ``import-history`` row of the ledger has no period),
and NaN or infinity is not JSON: Starlette refuses to encode it ("Out of range float values
are not JSON compliant") and a browser's ``JSON.parse`` could not read it. Every response goes
through :class:`JSONResponse`, which writes them as ``null``.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi.responses import JSONResponse as _StarletteJSON

from xlperf._json import json_safe

__all__ = ["JSONResponse", "json_safe"]


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
