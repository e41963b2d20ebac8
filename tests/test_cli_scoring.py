"""The CLI's scoring commands, through typer's runner and as a real subprocess."""

from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

from xlperf.cli import app

runner = CliRunner()


def test_status_command_explains():
    result = runner.invoke(app, ["status", "91.54", "45.3", "Smaller is better",
                                 "--tolerance", "2"])
    assert result.exit_code == 0
    assert "46.24 worse than target, beyond tolerance 2: Red" in result.output


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
