"""The other routes into Excel, each in a fresh interpreter so nothing leaks between them:

* ``import xlperf`` and the CLI's start-up never import xlwings;
* the desktop add-in's UDF registration (xlwings' classic ``udfs`` module, Windows only) sees
  every function with its arguments and help, as far as it runs without Excel;
* xlwings Lite: the Lite ``main.py`` imports and runs with threads, subprocesses and sockets
  refused and python-calamine missing, as in Pyodide; its "Refresh scorecard" (the library's
  ``refresh()`` over the gateway, with an in-memory ledger filled from the ``Values`` sheet)
  writes the same output sheets, cell by cell, as the headless refresh of the same data.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from xlperf.demo import demo_register

DEMO_MEASURES = len(demo_register())

ROOT = Path(__file__).resolve().parents[2]
FUNCTION_NAMES = ["XLPERF_ASSURANCE", "XLPERF_BUDGET_STATUS", "XLPERF_BUDGET_VARIANCE",
                  "XLPERF_BUDGET_VARIANCE_PCT", "XLPERF_COUNT_STATUS", "XLPERF_CROSSFOOT",
                  "XLPERF_DIRECTION", "XLPERF_EXPLAIN",
                  "XLPERF_OBJECTIVE_STATUS", "XLPERF_PERIOD", "XLPERF_STATUS", "XLPERF_SYMBOL",
                  "XLPERF_VARIANCE", "XLPERF_VARIANCE_PCT", "XLPERF_VARIATION"]
XLWINGS_ENV = {"XLWINGS_ON_SERVER": "true", "XLWINGS_LICENSE_KEY": "noncommercial"}
NOW = dt.datetime(2013, 10, 15, 9, 30)


def run_python(code: str, **env: str) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("XLWINGS_")}
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                            text=True, cwd=ROOT, env={**clean, **env}, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_import_xlperf_and_cli_start_up_do_not_import_xlwings():
    found = run_python("""
        import json, sys
        import xlperf, xlperf.cli, xlperf.excel
        print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] == "xlwings")))
    """)
    assert found == []


DESKTOP = """
    import io, json, sys, types
    # pywin32 does not exist on Linux: stand-ins just good enough to import xlwings' udfs module.
    for name in ("pythoncom", "pywintypes", "win32com", "win32com.client"):
        sys.modules[name] = types.ModuleType(name)
    sys.modules["pythoncom"].CoInitialize = lambda: None
    sys.modules["pywintypes"].com_error = Exception
    sys.modules["win32com.client"].Dispatch = lambda x: x
    import xlwings
    from xlwings import udfs
    # What xlwings does on Windows: @xw.func is the classic UDF decorator.
    xlwings.func, xlwings.arg, xlwings.ret = udfs.xlfunc, udfs.xlarg, udfs.xlret
    import xlperf.excel.functions as module

    class Components:
        vba = None
        def Remove(self, component): pass
        def Import(self, path): Components.vba = open(path).read()
        def __call__(self, name): return name

    class Application:
        Version = "16.0"
        options = {}
        def MacroOptions(self, name, **kwargs): Application.options[name] = kwargs

    class Workbook:
        Name = "master.xlsm"
        VBProject = types.SimpleNamespace(VBComponents=Components())
        Application = Application()

    udfs.udf_modules["xlperf.excel.functions"] = {
        "filename": module.__file__, "filetime": None, "module": module}
    udfs.import_udfs("xlperf.excel.functions", Workbook())
    print(json.dumps({"vba": Components.vba, "options": {
        k: {"Description": v["Description"], "ArgumentDescriptions": v["ArgumentDescriptions"]}
        for k, v in Application.options.items()}}))
"""


def test_desktop_udf_registration_sees_every_function_with_arguments_and_help():
    found = run_python(DESKTOP)
    vba, options = found["vba"], found["options"]
    assert sorted(name.split("!")[1] for name in options) == FUNCTION_NAMES
    assert "Function XLPERF_STATUS(actual, target, polarity, Optional tolerance, " \
           "Optional tolerance_type, Optional scheme)" in vba
    assert 'XLPERF_STATUS = XLPy.CallUDF("xlperf.excel.functions", "XLPERF_STATUS"' in vba
    status = options["'master.xlsm'!XLPERF_STATUS"]
    assert status["Description"].startswith("Status of actual against target")
    assert len(status["ArgumentDescriptions"]) == 6
    assert all(len(d) <= 255 and not d.startswith("Positional")
               for o in options.values() for d in o["ArgumentDescriptions"])


LITE = """
    import asyncio, builtins, json, os, socket, subprocess, sys, threading
    # What Pyodide cannot do: start threads or processes, open sockets, load python-calamine.
    def refuse(*args, **kwargs):
        raise RuntimeError("not available in Pyodide")
    threading.Thread.start = refuse
    subprocess.Popen.__init__ = refuse
    socket.socket.connect = refuse
    sys.modules["python_calamine"] = None
    sys.modules["multiprocessing"] = None

    import runpy, types
    main = types.ModuleType("main")
    main.__dict__.update(runpy.run_path("workbooks/lite/main.py"))
    sys.modules["main"] = main
    import xlwings as xw
    from xlwings import server

    meta = server.custom_functions_meta(main)
    def call(name, *args):
        body = {"func_name": name, "args": [[[a]] for a in args], "version": xw.__version__,
                "client": "Office.js", "runtime": "1.4"}
        return asyncio.run(server.custom_functions_call(body, main))

    def run(script, payload):
        with open(payload, encoding="utf-8") as handle:
            book = xw.Book(json=json.load(handle))
        asyncio.run(server.custom_scripts_call(main, script, typehint_to_value={xw.Book: book}))
        return book.json()["actions"]

    refreshed = run("refresh_scorecard", os.environ["LITE_MASTER"])
    # The refresh reads no file: neither calamine nor the return reader is loaded for it.
    readers = sorted(m for m in ("python_calamine", "xlperf.read.returns")
                     if sys.modules.get(m) is not None)
    print(json.dumps({
        "functions": sorted(f["name"] for f in meta["functions"]),
        "status": call("XLPERF_STATUS", 91.54, 45.3, "Smaller is better", 2, None, None),
        "refresh": refreshed,
        "readers": readers,
        "validate": run("validate_return", os.environ["LITE_RETURN"]),
        "calamine": sys.modules.get("python_calamine") is not None,
    }, default=str))
"""


@pytest.fixture(scope="module")
def lite_master(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The demo master with its history on a ``Values`` sheet (long layout), as the payload
    xlwings Lite would hand a script, and the headless refresh of the same data: the ledger
    filled from that sheet as ``xlperf import-history MASTER MASTER --sheet Values`` does,
    then ``refresh(ZipWorkbook(...), returns=[])``."""
    from functools import partial

    from xlperf import demo
    from xlperf.excel.payload import payload_from_xlsx
    from xlperf.ledger import Ledger
    from xlperf.read.returns import percent_rows
    from xlperf.refresh import ZipWorkbook, refresh
    from xlperf.write.lossless import SheetContent, write_sheets

    work = tmp_path_factory.mktemp("lite")
    master = work / "master.xlsx"
    shutil.copy(ROOT / "workbooks" / "demo" / "master.xlsx", master)
    values = demo.demo_values()
    values = values.astype(object).where(values.notna(), None)
    write_sheets(master, {"Values": SheetContent(rows=[list(values.columns),
                                                       *values.to_numpy().tolist()])})
    headless = work / "headless" / "master.xlsx"
    headless.parent.mkdir()
    shutil.copy(master, headless)
    ledger = headless.parent / "master.ledger.sqlite"
    with Ledger(ledger) as store:
        imported = store.import_history(headless, sheet="Values",
                                        percent_rows=partial(percent_rows, headless))
    expected = refresh(ZipWorkbook(headless), returns=[], ledger=ledger, now=NOW)
    with pytest.MonkeyPatch.context() as mp:  # xlwings is imported here: never without a key
        for name, value in XLWINGS_ENV.items():
            mp.setenv(name, value)
        payload = payload_from_xlsx(master)
        # The demo's Education return carries its one deliberate mistake (H13, PERF-009).
        a_return = (ROOT / "workbooks" / "demo" / "returns"
                    / "Education and Skills - Q2 2013-14.xlsx")
        return_payload = payload_from_xlsx(a_return)
    (work / "master.json").write_text(json.dumps(payload, default=str), encoding="utf-8")
    (work / "return.json").write_text(json.dumps(return_payload, default=str), encoding="utf-8")
    return {"master": master, "payload": work / "master.json", "headless": headless,
            "expected": expected, "imported": imported, "return": a_return,
            "return_payload": work / "return.json"}


def _day(value: Any) -> Any:
    """A date as Excel holds it: a datetime at midnight is the same cell as its date."""
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date()
    return value


def _grid(rows: list[list[Any]]) -> list[list[Any]]:
    rows = [[None if v == "" else _day(v) for v in row] for row in rows]
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    width = max((i + 1 for row in rows for i, v in enumerate(row) if v is not None), default=0)
    return [row[:width] + [None] * (width - len(row)) for row in rows]


def test_lite_main_runs_functions_and_scripts_without_threads_sockets_or_calamine(lite_master):
    from xlperf.excel.payload import replay
    from xlperf.read._calamine import open_workbook, sheet_grid

    found = run_python(LITE, XLWINGS_ON_SERVER="true", XLWINGS_LICENSE_KEY="noncommercial",
                       LITE_MASTER=str(lite_master["payload"]),
                       LITE_RETURN=str(lite_master["return_payload"]))
    assert found["functions"] == [f"XLPERF.{n.removeprefix('XLPERF_')}" for n in FUNCTION_NAMES]
    assert found["status"] == [["Red"]]
    assert found["calamine"] is False and found["readers"] == []

    # "Refresh scorecard": the same output sheets, cell by cell, as the headless refresh of
    # the same data (the Log's time is the same minute only in the headless run: NOW).
    assert lite_master["imported"].meta["inserted"] > 1000
    expected = lite_master["expected"]
    assert expected.counts["measures"] == DEMO_MEASURES
    applied = replay(lite_master["master"], found["refresh"])
    headless = open_workbook(lite_master["headless"])
    for sheet in expected.sheets:
        want = _grid(sheet_grid(headless, sheet))
        got = _grid(applied.grids[sheet])
        if sheet == "Log":  # when it ran, and how long each step took, differ
            want = [row[1:] for row in want if "timing" not in row]
            got = [row[1:] for row in got if "timing" not in row]
        assert got == want, sheet
    assert len(applied.grids["Scorecard"]) > 50
    names = list(applied.grids)
    written = {names[a["sheet_position"]] for a in found["refresh"]
               if a.get("sheet_position") is not None}
    assert written == set(expected.sheets)  # the master's own sheets are not touched
    assert applied.alerts and applied.alerts[-1].startswith(
        f"Scorecard refreshed for Q2 2013/14: {DEMO_MEASURES} measures")

    # "Validate this return": the same validator as the CLI, its findings on a Findings sheet.
    from xlperf.validate import validate_return

    checked = replay(lite_master["return"], found["validate"])
    findings = checked.grids["Findings"]
    text = " ".join(str(v) for row in findings for v in row if v is not None)
    expected_report = validate_return(lite_master["return"])  # no master: its own cells
    for finding in expected_report.findings:
        assert finding.rule in text and (finding.cell or "") in text
    assert "PERF-009" in text and "H13" in text

