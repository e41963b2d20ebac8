"""xlwings' remote engine, loaded the one way it works on a server.

``xw.Book(json=...)`` and ``@xw.func`` registration need two things *before* xlwings is first
imported: ``XLWINGS_ON_SERVER=true`` and a licence key in ``XLWINGS_LICENSE_KEY`` (read from
the environment, never shipped with xlperf: see docs/server.md, *Licence*). This module checks
both and turns a missing one into a sentence, not an xlwings traceback.
"""

from __future__ import annotations

import importlib
import os
import sys
from types import ModuleType
from typing import Any

from xlperf.server._config import ServerConfigError

__all__ = ["functions_module", "load_xlwings"]

LICENCE_ENV = "XLWINGS_LICENSE_KEY"


def load_xlwings() -> Any:
    """``xlwings``, imported in server mode with its remote engine available."""
    if not os.environ.get(LICENCE_ENV, "").strip():
        raise ServerConfigError(
            f"{LICENCE_ENV} is not set. xlwings' remote engine (which reads the workbook Excel "
            "sends) needs a licence key: 'noncommercial' under the PolyForm Noncommercial "
            "licence, or a paid key. See docs/server.md, 'Licence', before choosing.")
    if "xlwings" not in sys.modules:
        os.environ.setdefault("XLWINGS_ON_SERVER", "true")
    import xlwings

    if not xlwings.on_server:
        raise ServerConfigError(
            "xlwings was imported before the server set XLWINGS_ON_SERVER=true; start the "
            "server with 'xlperf serve' (or set XLWINGS_ON_SERVER=true in the environment)")
    try:
        xlwings.engines["remote"]
    except Exception as error:  # xlwings' LicenseError: the one boundary for it
        raise ServerConfigError(f"xlwings' remote engine is not available: {error}") from None
    return xlwings


def functions_module() -> ModuleType:
    """:mod:`xlperf.excel.functions` with its ``XLPERF.*`` functions registered for Office.js."""
    load_xlwings()
    module = importlib.import_module("xlperf.excel.functions")
    if not hasattr(module.XLPERF_STATUS, "__xlfunc__"):  # imported earlier, outside a server
        module = importlib.reload(module)
    return module
