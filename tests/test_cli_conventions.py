"""The command line keeps the conventions of the best-liked CLIs (sqlite-utils, git, csvkit):
``--version``, one exit-code table, ``--json`` on standard output with a schema version, ``-q``
and ``-v``, help that shows what it says, error lines never wrapped, tables that never lose a
column, and counts with the right plural."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console
from typer.main import get_command
from typer.testing import CliRunner

import xlperf
from xlperf.cli import ExitCode, app
from xlperf.cli._app import plural, print_table, scorecard_table
from xlperf.core.score import score
from xlperf.demo import DEMO_PERIOD, demo_register, demo_targets, demo_values

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"xlperf {xlperf.__version__}"


def test_help_shows_brackets_as_written_and_no_type_placeholders():
    for args in (["--help"], ["report", "--help"], ["export", "--help"], ["refresh", "--help"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        assert "<bool>" not in result.output, args
    assert "'xlperf[report]'" in runner.invoke(app, ["report", "--help"]).output
    assert "'xlperf[parquet]'" in runner.invoke(app, ["export", "--help"]).output
    # the top-level help states the exit codes
    top = " ".join(runner.invoke(app, ["--help"]).output.split())
    for code in ExitCode:
        assert f"{code.value} " in top


def test_exit_codes_usage_differs_from_a_file_that_cannot_be_read(tmp_path):
    usage = runner.invoke(app, ["validate", "--no-such-option", "x.xlsx"])
    assert usage.exit_code == ExitCode.USAGE
    bad_value = runner.invoke(app, ["rules", "--applies-to", "housing"])
    assert bad_value.exit_code == ExitCode.USAGE
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"Code,Actual\nCS143,68\n")
    unreadable = runner.invoke(app, ["validate", str(junk)])
    assert unreadable.exit_code == ExitCode.CANNOT_RUN, unreadable.output
    missing = runner.invoke(app, ["refresh", str(tmp_path / "nope.xlsx")])
    assert missing.exit_code == ExitCode.CANNOT_RUN


def test_every_reporting_command_has_json_with_a_schema_version():
    commands = get_command(app).commands  # type: ignore[attr-defined]
    # Every command but the two that run something for a person to watch (a server, the demo).
    reporting = set(commands) - {"demo", "serve"}
    assert {"validate", "refresh", "status", "lite"} <= reporting
    for name in reporting:
        options = {o for p in commands[name].params for o in p.opts}
        assert "--json" in options, name
        flag = next(p for p in commands[name].params if "--json" in p.opts)
        assert flag.is_flag, f"{name} --json takes no value: it prints to standard output"
    for args in (["status", "68.04", "78.2", "High", "--tolerance", "15", "--json"],
                 ["schemes", "--json"], ["rules", "--json"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        document = json.loads(result.output)
        assert document["schema_version"] == 1 and document["command"] == args[0]
    status = json.loads(runner.invoke(app, ["status", "91.54", "45.3", "Smaller is better",
                                            "--tolerance", "2", "--json"]).output)
    assert status["status"] == "Red" and status["explanation"].endswith(": Red")


def test_json_has_no_nan():
    from xlperf.cli._app import print_json

    out = io.StringIO()
    sys_stdout, sys.stdout = sys.stdout, out
    try:
        print_json("x", {"a": float("nan"), "b": [float("inf"), 1.5]})
    finally:
        sys.stdout = sys_stdout
    assert json.loads(out.getvalue()) == {"schema_version": 1, "command": "x", "a": None,
                                          "b": [None, 1.5]}


@pytest.mark.parametrize("width", ["60", "250"])
def test_error_lines_are_never_wrapped(tmp_path, width):
    deep = tmp_path / ("a-folder-name-of-more-than-fifty-characters-to-make-paths-long" * 2)
    deep.mkdir()
    result = subprocess.run([sys.executable, "-m", "xlperf.cli", "refresh",
                             str(deep / "master.xlsx")], capture_output=True, text=True,
                            env={"COLUMNS": width, "PATH": "/usr/bin:/bin"})
    assert result.returncode == ExitCode.CANNOT_RUN, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and str(deep / "master.xlsx") in lines[0], result.stderr


def test_quiet_prints_nothing_but_problems(tmp_path):
    ok = runner.invoke(app, ["-q", "init", str(tmp_path)])
    assert ok.exit_code == 0 and ok.output == ""
    again = runner.invoke(app, ["-q", "init", str(tmp_path)])
    assert again.exit_code == ExitCode.CANNOT_RUN and "already exists" in again.output


def test_an_unexpected_problem_is_a_sentence_and_exit_4(tmp_path):
    # A master that is a directory named .xlsx inside an unreadable zip is not what we test:
    # we make the library raise something it never should, through the console script.
    script = ("import sys, xlperf.cli, xlperf.core.status as s\n"
              "def boom(*a, **k): raise RuntimeError('kaboom')\n"
              "s.rated_one = boom\n"  # what `xlperf status` rates with
              "sys.argv = ['xlperf'] + sys.argv[1:]\n"
              "xlperf.cli.main()\n")
    for extra, traceback in (([], False), (["-v"], True)):
        result = subprocess.run([sys.executable, "-c", script, *extra, "status", "1", "2",
                                 "High"], capture_output=True, text=True)
        assert result.returncode == ExitCode.BUG, result.stderr
        assert "an unexpected problem (RuntimeError: kaboom)" in result.stderr
        assert ("Traceback" in result.stderr) is traceback


@pytest.fixture(scope="module")
def scored():
    return score(demo_values(DEMO_PERIOD), demo_register(), DEMO_PERIOD,
                 targets=demo_targets())


@pytest.mark.parametrize("width", [60, 100, 250])
def test_tables_keep_every_column_at_any_width(scored, width):
    out = Console(file=io.StringIO(), width=width, record=True)
    print_table(scorecard_table(scored, "Scorecard"), out)
    text = out.export_text()
    header = next(line for line in text.splitlines() if "Code" in line)
    for column in ("Code", "Measure", "Period", "Actual", "Target", "Status", "Variance",
                   "Direction", "Trend"):
        assert re.search(rf"\b{column}", text), (width, column)
    assert "Trend" in header or width < 100
    for code in scored["code"]:
        # codes fold but are never cut: every character is on the page
        assert all(part in text for part in str(code).split()), code


def test_plurals():
    assert [plural(n, "error") for n in (0, 1, 2)] == ["0 errors", "1 error", "2 errors"]
    assert plural(1, "query", "queries") == "1 query"
    assert plural(1200, "cell") == "1,200 cells"
    result = runner.invoke(app, ["rules", "--applies-to", "finance"])
    assert not re.search(r"\b1 (errors|queries|rules)\b", result.output)
