"""``xlperf refresh`` runs without typer for a plain command line: the same output and exit code
as the typer app, for every command line (help, errors and odd options go to typer), and only
what the run uses is imported.

Each command line runs twice on the same fresh copy of the demo council (same paths): through
the console script's entry point (:func:`xlperf.cli.main`, which tries the plain path first)
and through the typer app alone.
"""

from __future__ import annotations

import inspect
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from _workbook_helpers import demo_workbooks

from xlperf.cli._refresh import _parse, run_refresh

PERIOD = "Q2 2013/14"
_MAIN = "import sys; sys.argv[0] = 'xlperf'; from xlperf.cli import main; main()"
_TYPER = "import sys; sys.argv[0] = 'xlperf'; from xlperf.cli import app; app()"
# The modules loaded by the end of the run, on standard error's last line.
_LOADED = ("import atexit, json, sys\n"
           "atexit.register(lambda: print(json.dumps(sorted(sys.modules)), file=sys.stderr))\n")


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    demo_workbooks(folder, period=PERIOD, history=True)
    (folder / "no returns").mkdir()
    return folder


def _run(code: str, arguments: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code, *arguments], capture_output=True,
                          text=True, timeout=300, cwd=cwd)


def _fresh(pristine: Path, place: Path) -> Path:
    shutil.rmtree(place, ignore_errors=True)
    shutil.copytree(pristine, place)
    return place


def _same(text: str) -> str:
    """What may differ between two refreshes of the same copy: their timings (and so the
    widths of the table printing them)."""
    try:
        document = json.loads(text)
    except ValueError:
        text = re.sub(r"\d+\.\d+ s\b", "N s", text)
        text = re.sub(r"[─━]+", "─", text)
        return re.sub(r"[ \t]+", " ", text)
    document.pop("timings", None)
    return json.dumps(document, sort_keys=True)


LINES = [
    # Refreshes, each through both paths (few: each costs two refreshes of the demo).
    ["refresh", "master.xlsx"],
    ["-q", "--verbose", "refresh", "--returns", "no returns", "master.xlsx", "--backups", "2",
     "--period", PERIOD, "--ledger", "elsewhere.sqlite", "--new-ledger", "--json"],
    ["refresh", "missing.xlsx", "--json"],
    ["refresh", "master.xlsx", "--period", "Q9 2013/14"],
    # Left to typer: its messages and exit codes.
    ["refresh", "master.xlsx", "--backups", "two"],
    ["refresh", "master.xlsx", "--period=Q2 2013/14", "--colour"],
    ["refresh", "master.xlsx", "other.xlsx"],
    ["refresh"],
    ["refresh", "--help"],
]


@pytest.mark.slow
@pytest.mark.parametrize("line", LINES, ids=[" ".join(line) for line in LINES])
def test_the_plain_path_prints_what_typer_prints(pristine: Path, tmp_path: Path,
                                                 line: list[str]) -> None:
    council = tmp_path / "council"
    plain = _run(_LOADED + _MAIN, line, _fresh(pristine, council))
    typed = _run(_TYPER, line, _fresh(pristine, council))
    *errors, modules = plain.stderr.splitlines(keepends=True)
    assert (plain.returncode, _same(plain.stdout), "".join(errors)) == \
        (typed.returncode, _same(typed.stdout), typed.stderr)
    # The plain path ran where it took the line (no typer, nor the pydantic it loads for
    # itself), typer where it did not.
    loaded = {m.split(".")[0] for m in json.loads(modules)}
    assert ("typer" in loaded) == (_parse(line) is None)


def test_a_refresh_with_no_returns_to_validate_loads_no_validator(pristine: Path,
                                                                  tmp_path: Path) -> None:
    # Nothing to validate: no pandera (nor the pydantic it brings), no typer, no rich for
    # --json; the Returns sheet still says what was expected, by when (bank holidays).
    out = _run(_LOADED + _MAIN, ["refresh", "master.xlsx", "--returns", "no returns",
                                 "--json"], _fresh(pristine, tmp_path / "council"))
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["counts"]["returns"] == 0
    loaded = {m.split(".")[0] for m in json.loads(out.stderr.splitlines()[-1])}
    assert not loaded & {"pandera", "pydantic", "typeguard", "typer", "click", "rich",
                         "openpyxl", "xlwings"}
    assert "holidays" in loaded


def test_a_refresh_from_the_ledger_alone_loads_no_validator_nor_calendar(pristine: Path,
                                                                         tmp_path: Path
                                                                         ) -> None:
    # xlwings Lite's refresh: no returns at all, so no Returns sheet and no bank holidays.
    code = ("import json, sys\n"
            "from pathlib import Path\n"
            "from xlperf.refresh import ZipWorkbook, refresh\n"
            "result = refresh(ZipWorkbook(Path('master.xlsx')), returns=[])\n"
            "print(json.dumps([len(result.scored), result.collection is None,"
            " sorted({m.split('.')[0] for m in sys.modules})]))\n")
    out = _run(code, [], _fresh(pristine, tmp_path / "council"))
    assert out.returncode == 0, out.stderr
    scored, no_collection, loaded = json.loads(out.stdout)
    assert scored > 0 and no_collection
    assert not set(loaded) & {"pandera", "pydantic", "holidays", "typer", "rich", "openpyxl"}


def test_what_the_plain_path_leaves_to_typer() -> None:
    every = _parse(["refresh", "m.xlsx", "--returns", "r", "--period", "Q1 2013/14",
                    "--rescore-history", "--backups", "0", "--ledger", "l", "--json",
                    "--new-ledger"])
    assert every is not None
    # Every option of the command, each a keyword of the one function both paths run.
    assert set(every[1]) == set(inspect.signature(run_refresh).parameters)
    assert _parse(["-q", "refresh", "m.xlsx", "--returns", "a", "--returns", "b",
                   "--backups", "07", "--json"]) == \
        ((True, False), {"master": Path("m.xlsx"), "returns": [Path("a"), Path("b")],
                         "backups": 7, "as_json": True})
    assert _parse(["refresh", "--ledger", "l.sqlite", "m.xlsx", "--period", "Q1 2013/14"]) == \
        ((False, False), {"master": Path("m.xlsx"), "ledger": Path("l.sqlite"),
                          "period": "Q1 2013/14"})
    for line in (["refresh"], ["refresh", "a", "b"], ["refresh", "m", "--period", "-1"],
                 ["refresh", "m", "--period", ""], ["refresh", ""], ["refresh", "m", "--"],
                 ["refresh", "m", "--backups", "1.5"], ["refresh", "m", "--backups", "-1"],
                 ["refresh", "m", "--period"], ["refresh", "m", "-h"], ["-qv", "refresh", "m"],
                 ["refresh", "m", "--new-ledger", "--new-ledger"], ["status", "1", "2", "High"],
                 ["refresh", "m", "--ledger", "a", "--ledger", "b"], ["--version"], []):
        assert _parse(line) is None, line
