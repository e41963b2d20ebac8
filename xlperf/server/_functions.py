"""The ``XLPERF.*`` worksheet functions over HTTP, through xlwings' custom-function machinery.

The functions are :mod:`xlperf.excel.functions`, defined once; xlwings makes their metadata
(names, help, arguments) and converts each call's arguments and result exactly as for any
Office.js add-in. The script that registers them with Excel is xlperf's own
(``static/functions.js``): it posts ``{"id", "args"}`` to ``/functions/call`` with the pane's
server key. Only registered functions can be called (the id is looked up, never used as an
attribute name), with at most as many arguments as they take, each a matrix of plain cells.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import threading
from importlib import resources
from typing import Any

from xlperf.errors import InputError, XlperfError
from xlperf.server._payload import PayloadError, _grid

__all__ = ["Functions"]

log = logging.getLogger("xlperf.server")
MAX_CELLS = 1_000_000


class Functions:
    """The worksheet functions, loaded on first use (xlwings is imported then)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._module: Any = None
        self._ids: dict[str, tuple[str, str, int]] = {}
        self._aliases: dict[str, tuple[str, str, int]] = {}

    def _load(self) -> Any:
        with self._lock:
            if self._module is None:
                from xlperf.server._xlwings import functions_module

                module = functions_module()
                ids = {}
                for attribute, obj in inspect.getmembers(module):
                    info = getattr(obj, "__xlfunc__", None)
                    if info is not None:
                        shown = f"XLPERF.{(info.get('excel_name') or info['name']).upper()}"
                        entry = (attribute, shown, len(info["args"]))
                        ids[info["name"].upper()] = entry  # the id in the metadata
                        self._aliases[shown] = entry
                self._module, self._ids = module, ids
            return self._module

    def meta(self) -> dict[str, Any]:
        """Excel's custom-functions metadata (JSON) for every ``XLPERF.*`` function."""
        module = self._load()
        from xlwings import server

        return server.custom_functions_meta(module)

    def code(self) -> str:
        """The registration script with the function ids filled in."""
        self._load()
        script = (resources.files("xlperf.server") / "static" / "functions.js").read_text("utf-8")
        return script.replace("/*IDS*/[]", json.dumps(sorted(self._ids)))

    def call(self, data: Any) -> Any:
        """The cells of one call: ``{"id": "XLPERF_STATUS", "args": [[[91.54]], ...]}`` (the
        metadata's id, or the name Excel shows, ``XLPERF.STATUS``).

        Synchronous (the functions are CPU work): the app runs it in a worker thread."""
        module = self._load()
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            raise PayloadError("a function call needs the function's id and its arguments")
        wanted = data["id"].strip().upper()
        found = self._ids.get(wanted) or self._aliases.get(wanted)
        if found is None:
            raise PayloadError(f"there is no worksheet function {data['id'][:40]!r} on this "
                               "server")
        attribute, shown, count = found
        args = data.get("args", [])
        if not isinstance(args, list) or len(args) > count:
            raise PayloadError(f"{shown} takes at most {count} arguments")
        cells = 0
        for position, arg in enumerate(args, start=1):
            if arg is None:
                args[position - 1] = [[None]]
                continue
            if not isinstance(arg, list):
                args[position - 1] = arg = [[arg]]
            _grid(arg, f"{shown}", f"argument {position}")
            cells += sum(len(row) for row in arg)
        if cells > MAX_CELLS:
            raise PayloadError(f"{shown} was given {cells:,} cells; at most {MAX_CELLS:,}")
        import xlwings
        from xlwings import server

        body = {"func_name": attribute, "args": args, "version": xlwings.__version__,
                "client": "Office.js", "runtime": "1.4", "culture_info_name": "en-GB",
                "date_format": "dd/mm/yyyy"}
        try:
            return asyncio.run(server.custom_functions_call(body, module))
        except XlperfError:
            raise
        except TypeError as error:
            raise InputError(f"{shown} was given arguments it cannot take ({error})") from None
        except Exception as error:  # xlwings' conversions: the one boundary for them
            log.exception("custom function %s", shown)
            raise XlperfError(f"{shown} could not work this out ({type(error).__name__})"
                              ) from None
