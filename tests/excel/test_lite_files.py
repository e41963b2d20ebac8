"""xlwings Lite's files: what ``xlperf lite`` writes and ``workbooks/lite/`` ships, and the Lite
scripts on masters made by ``xlperf init`` and ``xlperf demo`` (no ``Values`` sheet).

The scripts run as in tests/excel/test_excel_routes.py: in a fresh interpreter with threads,
processes, sockets and python-calamine refused (as in Pyodide), on ``xw.Book(json=payload)``,
the book xlwings hands a Lite script. Pyodide itself, and its own builds of pandas, numpy and
lxml, cannot be fetched on this machine: what micropip does is not run here (docs/excel.md).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from typer.testing import CliRunner

from xlperf.demo import demo_register
from xlperf.lite import MAIN_PY, requirements_txt, wheel_name

DEMO_MEASURES = len(demo_register())

ROOT = Path(__file__).resolve().parents[2]
XLWINGS_ENV = {"XLWINGS_ON_SERVER": "true", "XLWINGS_LICENSE_KEY": "noncommercial"}


def requirement_lines(text: str) -> list[Requirement]:
    return [Requirement(line) for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def test_shipped_lite_files_are_what_xlperf_lite_writes_and_every_line_parses():
    assert (ROOT / "workbooks" / "lite" / "main.py").read_text(encoding="utf-8") == MAIN_PY
    shipped = (ROOT / "workbooks" / "lite" / "requirements.txt").read_text(encoding="utf-8")
    assert shipped == requirements_txt()
    requirements = {r.name: r for r in requirement_lines(shipped)}
    assert set(requirements) == {"xlwings", "pandas", "numpy", "lxml", "xlperf"}
    assert "sqlite3" not in shipped.split("#")[-1]  # micropip refuses it: stdlib in Pyodide
    assert str(requirements["xlwings"].specifier).startswith("==")
    assert not any(str(requirements[n].specifier) for n in ("pandas", "numpy", "lxml"))
    assert requirements["xlperf"].url == f"http://127.0.0.1:8000/lite/{wheel_name()}"


def test_xlperf_lite_writes_main_requirements_and_the_wheel(tmp_path: Path):
    import zipfile

    from xlperf.cli import app

    url = f"https://files.council.gov.uk/xlperf/{wheel_name()}"
    result = CliRunner().invoke(app, ["lite", str(tmp_path / "lite"), "--wheel-url", url])
    assert result.exit_code == 0, result.output
    folder = tmp_path / "lite"
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["main.py", "requirements.txt", wheel_name()])
    assert (folder / "main.py").read_text() == MAIN_PY
    parsed = {r.name: r for r in requirement_lines((folder / "requirements.txt").read_text())}
    assert parsed["xlperf"].url == url
    with zipfile.ZipFile(folder / wheel_name()) as wheel:
        names = wheel.namelist()
        assert wheel.testzip() is None
    assert "xlperf/catalogue/rules.csv" in names and "xlperf/excel/scripts.py" in names
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)
    assert url in result.output


@pytest.mark.parametrize("url", ["files.council.gov.uk/xlperf.whl", "https://a b/x.whl",
                                 "ftp://server/xlperf.whl"])
def test_xlperf_lite_refuses_an_address_that_is_not_a_web_address(tmp_path: Path, url: str):
    from xlperf.cli import app

    result = CliRunner().invoke(app, ["lite", str(tmp_path / "lite"), "--wheel-url", url])
    assert result.exit_code == 2
    assert "must be a web address" in result.output
    assert not (tmp_path / "lite").exists()


LITE = """
    import asyncio, json, os, socket, subprocess, sys, threading
    def refuse(*args, **kwargs):
        raise RuntimeError("not available in Pyodide")
    threading.Thread.start = refuse
    subprocess.Popen.__init__ = refuse
    socket.socket.connect = refuse
    sys.modules["python_calamine"] = None
    sys.modules["multiprocessing"] = None

    import runpy, types
    main = types.ModuleType("main")
    main.__dict__.update(runpy.run_path(os.environ["LITE_MAIN"]))
    import xlwings as xw
    from xlwings import server

    found = {}
    for key in ("INIT", "DEMO"):
        with open(os.environ[key], encoding="utf-8") as handle:
            book = xw.Book(json=json.load(handle))
        asyncio.run(server.custom_scripts_call(main, "refresh_scorecard",
                                               typehint_to_value={xw.Book: book}))
        found[key] = book.json()["actions"]
    print(json.dumps(found, default=str))
"""


@pytest.fixture(scope="module")
def masters(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Masters as ``xlperf init`` and ``xlperf init --demo`` write them, as Lite payloads."""
    from xlperf.excel.payload import payload_from_xlsx
    from xlperf.lite import write_lite_files
    from xlperf.write.master import build_demo_master, build_master

    work = tmp_path_factory.mktemp("lite-masters")
    books = {"INIT": build_master(work / "init" / "master.xlsx"),
             "DEMO": build_demo_master(work / "demo" / "master.xlsx")}
    env = {"LITE_MAIN": str(write_lite_files(work / "lite")[0])}
    with pytest.MonkeyPatch.context() as mp:
        for name, value in XLWINGS_ENV.items():
            mp.setenv(name, value)
        for key, path in books.items():
            payload = work / f"{key}.json"
            payload.write_text(json.dumps(payload_from_xlsx(path), default=str))
            env[key] = str(payload)
    return {"books": books, "env": env}


def test_lite_refresh_on_masters_made_by_init_and_demo_adds_the_values_sheet(masters):
    from xlperf.excel.payload import replay
    from xlperf.excel.scripts import NO_VALUES_SHEET, VALUES_HEADERS

    clean = {k: v for k, v in os.environ.items() if not k.startswith("XLWINGS_")}
    run = subprocess.run([sys.executable, "-c", textwrap.dedent(LITE)], capture_output=True,
                         text=True, cwd=ROOT, timeout=180,
                         env={**clean, **XLWINGS_ENV, **masters["env"]})
    assert run.returncode == 0, run.stderr
    found = json.loads(run.stdout.strip().splitlines()[-1])
    # The empty master of `xlperf init` has no measures and no reporting period yet: the
    # script says in one sentence what it needs, and changes nothing.
    empty = replay(masters["books"]["INIT"], found["INIT"])
    assert len(empty.alerts) == 1 and "Reporting period" in empty.alerts[0]
    assert "Settings sheet" in empty.alerts[0] and "Traceback" not in empty.alerts[0]
    assert "Values" not in empty.grids

    # The demo master: refreshed with no data, and a Values sheet to fill is added.
    applied = replay(masters["books"]["DEMO"], found["DEMO"])
    message = applied.alerts[-1]
    assert message.startswith(
        f"Scorecard refreshed for Q2 2013/14: {DEMO_MEASURES} measures"), message
    assert NO_VALUES_SHEET in message
    assert applied.grids["Values"] == [list(VALUES_HEADERS)]
    scorecard = applied.grids["Scorecard"]
    statuses = [v for row in scorecard for v in row if isinstance(v, str)]
    assert f"{DEMO_MEASURES} measures: No data {DEMO_MEASURES}" in statuses
    assert sum("No data" in v for v in statuses) >= 54  # the summary and each measure's row
    assert {"Scorecard", "Objectives", "Exceptions", "Finance", "Log"} <= set(applied.grids)
