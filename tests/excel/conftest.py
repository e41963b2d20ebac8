"""Run the XLPERF.* functions through xlwings' real custom-function machinery on Linux.

``@xw.func`` only registers functions when ``XLWINGS_ON_SERVER=true`` and a licence key are set
before xlwings is imported; the ``noncommercial`` key is fine for an open-source test suite.
The variables are set for this folder's tests only (and restored afterwards); xlwings itself is
imported here, never by ``import xlperf``.
"""

from __future__ import annotations

import asyncio
import importlib
import sys
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import pytest

XLWINGS_ENV = {"XLWINGS_ON_SERVER": "true", "XLWINGS_LICENSE_KEY": "noncommercial"}


def _excel_args(args: tuple[Any, ...]) -> list[Any]:
    """Arguments as Office.js sends them: every one a matrix, an omitted one ``[[None]]``."""
    return [a if isinstance(a, list) else [[a]] for a in args]


@pytest.fixture(scope="module")
def xl() -> Iterator[Callable[..., Any]]:
    """``xl("XLPERF_STATUS", 91.54, 45.3, "Low", 2)`` -> the matrix Excel would receive."""
    with pytest.MonkeyPatch.context() as mp:
        for name, value in XLWINGS_ENV.items():
            mp.setenv(name, value)
        import xlwings

        assert xlwings.on_server, "xlwings was imported before XLWINGS_ON_SERVER was set"
        from xlwings import server

        module = _functions_module()

        def call(name: str, *args: Any) -> Any:
            body = {"func_name": name, "args": _excel_args(args), "version": xlwings.__version__,
                    "client": "Office.js", "runtime": "1.4", "culture_info_name": "en-GB",
                    "date_format": "dd/mm/yyyy"}
            return asyncio.run(server.custom_functions_call(body, module))

        call.module = module  # type: ignore[attr-defined]
        call.meta = lambda: server.custom_functions_meta(module)  # type: ignore[attr-defined]
        yield call


def _functions_module() -> ModuleType:
    module = importlib.import_module("xlperf.excel.functions")
    if not hasattr(module.XLPERF_STATUS, "__xlfunc__"):  # imported earlier without the server
        module = importlib.reload(sys.modules["xlperf.excel.functions"])
    return module
