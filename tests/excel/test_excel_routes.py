"""The other routes into Excel, each in a fresh interpreter so nothing leaks between them:

* ``import xlperf`` and the CLI's start-up never import xlwings;
* the desktop add-in's UDF registration (xlwings' classic ``udfs`` module, Windows only) sees
  every function with its arguments and help, as far as it runs without Excel;
* xlwings Lite: the Lite ``main.py`` imports and runs with threads, subprocesses and sockets
  refused and python-calamine missing, as in Pyodide.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FUNCTION_NAMES = ["XLPERF_BUDGET_STATUS", "XLPERF_BUDGET_VARIANCE", "XLPERF_BUDGET_VARIANCE_PCT",
                  "XLPERF_COUNT_STATUS", "XLPERF_CROSSFOOT", "XLPERF_DIRECTION", "XLPERF_EXPLAIN",
                  "XLPERF_OBJECTIVE_STATUS", "XLPERF_PERIOD", "XLPERF_STATUS", "XLPERF_SYMBOL",
                  "XLPERF_VARIANCE", "XLPERF_VARIANCE_PCT"]


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
    import asyncio, builtins, json, socket, subprocess, sys, threading
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

    def book(sheets, active=0):
        return xw.Book(json={"client": "Office.js", "version": xw.__version__,
            "book": {"name": "master.xlsx", "active_sheet_index": active, "selection": "A1"},
            "names": [], "sheets": [{"name": n, "values": v, "pictures": [], "tables": [],
                                     "charts": [], "shapes": []} for n, v in sheets.items()]})

    from xlperf import demo
    def rows(frame):
        frame = frame.astype(object).where(frame.notna(), None)
        return [list(frame.columns)] + frame.values.tolist()
    master = book({"Register": rows(demo.demo_register()), "Values": rows(demo.demo_values()),
                   "Settings": [["Setting", "Value"], ["Reporting period", "Q2 2013/14"]]})
    asyncio.run(server.custom_scripts_call(main, "refresh_scorecard",
                                           typehint_to_value={xw.Book: master}))
    returned = book({"Return": [["Code", "Period", "Actual"], ["NI060", "Q1 2013/14", 68.04],
                                ["CS143", "Q1 2013/14", "TBC"], ["CS144", "Q5 2013/14", "lots"]]})
    asyncio.run(server.custom_scripts_call(main, "validate_return",
                                           typehint_to_value={xw.Book: returned}))
    written = {a["sheet_position"]: a["values"] for b in (master, returned)
               for a in b.json()["actions"] if a["func"] == "setValues"}
    print(json.dumps({
        "functions": sorted(f["name"] for f in meta["functions"]),
        "status": call("XLPERF_STATUS", 91.54, 45.3, "Smaller is better", 2, None, None),
        "master": [a["values"][:3] for a in master.json()["actions"] if a["func"] == "setValues"],
        "findings": [a["values"] for a in returned.json()["actions"]
                     if a["func"] == "setValues"],
        "added": [a["args"] for b in (master, returned) for a in b.json()["actions"]
                  if a["func"] == "addSheet"],
        "calamine": "python_calamine" in sys.modules and sys.modules["python_calamine"] is not None,
        "loaded": sorted(m for m in ("openpyxl", "pandera", "typer", "rich", "xlperf.read")
                         if m in sys.modules),
    }, default=str))
"""


def test_lite_main_runs_functions_and_scripts_without_threads_sockets_or_calamine():
    found = run_python(LITE, XLWINGS_ON_SERVER="true", XLWINGS_LICENSE_KEY="noncommercial")
    assert found["functions"] == [f"XLPERF.{n.removeprefix('XLPERF_')}" for n in FUNCTION_NAMES]
    assert found["status"] == [["Red"]]
    assert [args[1] for args in found["added"]] == ["Scorecard", "Objectives", "Findings"]
    scorecard, objectives = found["master"]
    assert scorecard[0][:6] == ["Code", "Title", "Period", "Actual", "Target", "Status"]
    assert objectives[0][:3] == ["Priority", "Objective", "Measures"]
    header, *findings = found["findings"][0]
    assert header[:3] == ["file", "sheet", "cell"]
    assert [(f[2], f[3], f[4]) for f in findings] == [
        ("C3", "VALUE-001", "query"), ("C4", "VALUE-002", "error"), ("B4", "PERIOD-001", "error")]
    assert found["calamine"] is False
    assert found["loaded"] == []
