"""``xlperf status`` runs without typer for a plain command line: the same bytes, the same exit
code as the typer app, for every command line (help, errors and odd options go to typer)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from xlperf.cli._status import _parse

# The console script's path (xlperf.cli.main, which tries the plain path first) against the
# typer app alone, in fresh processes, with the same program name.
_MAIN = "import sys; sys.argv[0] = 'xlperf'; from xlperf.cli import main; main()"
_TYPER = "import sys; sys.argv[0] = 'xlperf'; from xlperf.cli import app; app()"
_LOADED = ("import atexit, json, sys\n"
           "atexit.register(lambda: print(json.dumps(sorted(sys.modules)), file=sys.stderr))\n")


def _run(code: str, arguments: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code, *arguments], capture_output=True,
                          text=True, timeout=60)


LINES = [
    ["status", "91.54", "45.3", "Smaller is better", "--tolerance", "2"],
    ["status", "68.04%", "78.2", "High", "--tolerance", "15", "--tolerance-type", "%", "--json"],
    ["status", "TBC", "10", "High", "--scheme", "four-band"],
    ["-q", "status", "91.54", "45.3", "Low"],
    ["-q", "status", "91.54", "45.3", "Low", "--json"],
    ["--verbose", "status", "--json", "5", "10", "High"],
    ["status", "5", "5", "High"],
    ["status", "5", "10", "High", "--tolerance", ".5", "--scheme", "three-symbol"],
    ["status", "5", "10", "High", "--tolerance", "1e1"],
    ["status", "5", "10", "High", "--tolerance", "-1"],
    ["status", "5", "10", "High", "--tolerance", "abc"],
    ["status", "5", "10", "High", "--tolerance=3"],
    ["status", "5", "10", "High", "--tolerance"],
    ["status", "5", "10", "High", "--scheme", "rag", "--scheme", "four-band"],
    ["status", "1", "2", "sideways"],
    ["status", "1", "2", "[sideways]"],
    ["status", "1", "2", "High", "--scheme", "nine-band"],
    ["status", "1", "2", "High", "--tolerance-type", "furlongs", "--tolerance", "1"],
    ["status", "1", "2"],
    ["status", "1", "2", "High", "extra"],
    ["status", "1", "2", "High", "--colour"],
    ["status", "--help"],
    ["status", "-h"],
    ["status", "-5", "10", "High"],
    ["status", "--", "-5", "10", "High"],
    ["-qv", "status", "1", "2", "High"],
    ["-q", "-q", "status", "1", "2", "High"],
    ["--version"],
    ["--help"],
]


@pytest.mark.slow
@pytest.mark.parametrize("line", LINES, ids=[" ".join(line) for line in LINES])
def test_the_plain_path_prints_what_typer_prints(line: list[str]) -> None:
    plain, typed = _run(_MAIN, line), _run(_TYPER, line)
    assert (plain.returncode, plain.stdout, plain.stderr) == \
        (typed.returncode, typed.stdout, typed.stderr)


def test_a_plain_status_line_loads_neither_typer_nor_pydantic() -> None:
    out = _run(_LOADED + _MAIN, ["status", "91.54", "45.3", "Low", "--tolerance", "2", "--json"])
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["status"] == "Red"
    loaded = {m.split(".")[0] for m in json.loads(out.stderr.splitlines()[-1])}
    assert not loaded & {"typer", "click", "pydantic", "rich", "numpy", "pandas"}


def test_what_the_plain_path_leaves_to_typer() -> None:
    assert _parse(["status", "1", "2", "High", "--tolerance", "2"]) == \
        (False, ["1", "2", "High"], {"tolerance": "2"}, False)
    assert _parse(["-q", "status", "--json", "1", "2", "High"]) == \
        (True, ["1", "2", "High"], {}, True)
    for line in (["status", "1", "2", "High", "--help"], ["schemes"], ["status", "1", "2"],
                 ["status", "1", "2", "High", "--tolerance", "nan"], ["--json", "status"],
                 ["status", "1", "2", "High", "--json", "--json"], []):
        assert _parse(line) is None, line
