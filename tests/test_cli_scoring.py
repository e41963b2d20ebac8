"""The CLI's scoring commands, through typer's runner and as a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys

from typer.testing import CliRunner

from xlperf.cli import app

runner = CliRunner()


def test_status_command_explains():
    result = runner.invoke(app, ["status", "91.54", "45.3", "Smaller is better",
                                 "--tolerance", "2"])
    assert result.exit_code == 0
    assert "46.24 worse than target, beyond the tolerance of 2: Red" in result.output


def test_bad_polarity_is_a_message_not_a_traceback():
    result = runner.invoke(app, ["status", "1", "2", "sideways"])
    assert result.exit_code == 2
    assert "polarity 'sideways' is not one of" in result.output
    assert "Traceback" not in result.output


def test_schemes_lists_every_band():
    result = runner.invoke(app, ["schemes"])
    assert result.exit_code == 0
    for word in ("Green plus", "Red diamond", "On target (lower half)", "No target"):
        assert word in result.output


def test_help_lists_commands_as_a_real_process():
    out = subprocess.run([sys.executable, "-m", "xlperf.cli", "--help"], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "demo" in out.stdout and "status" in out.stdout


def test_error_messages_are_not_read_as_markup():
    result = runner.invoke(app, ["status", "1", "2", "[sideways]"])
    assert result.exit_code == 2
    assert "'[sideways]'" in result.output


def _status_in_a_fresh_process(*arguments: str) -> tuple[str, set[str]]:
    code = ("import json, sys\n"
            f"sys.argv = ['xlperf', 'status', *{list(arguments)!r}]\n"
            "from xlperf.cli import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True)
    return out.stdout, set(json.loads(out.stderr.splitlines()[-1]))


def test_the_status_command_rates_one_measure_without_numpy_or_pandas():
    # `xlperf status` is the one-measure rule in plain Python: it starts in a fraction of a
    # second because it never loads numpy, pandas or rich (benchmarks/functions.py times it).
    expected = {
        ("91.54", "45.3", "Smaller is better", "--tolerance", "2"):
            "46.24 worse than target, beyond the tolerance of 2: Red",
        ("68.04%", "78.2", "High", "--tolerance", "15", "--tolerance-type", "%", "--json"):
            '"explanation": "68.04 against target 78.2, bigger is better: 10.16 worse than '
            'target, within the tolerance of 15% of target (11.73): Amber"',
        ("TBC", "10", "High", "--scheme", "four-band"):
            "No actual for this period (to be confirmed): No data",
    }
    for arguments, sentence in expected.items():
        printed, loaded = _status_in_a_fresh_process(*arguments)
        assert sentence in printed, arguments
        assert not {m.split(".")[0] for m in loaded} & {"numpy", "pandas", "pandera",
                                                        "openpyxl", "rich"}, arguments


def test_quiet_status_prints_nothing_and_json_keeps_its_fields():
    assert runner.invoke(app, ["-q", "status", "91.54", "45.3", "Low"]).output == ""
    result = runner.invoke(app, ["status", "91.54", "45.3", "Low", "--tolerance", "2", "--json"])
    document = json.loads(result.output)
    assert document["status"] == "Red" and document["symbol"] == "✖"
    assert document["gap"] == -46.24 and document["colour"].startswith("#")
