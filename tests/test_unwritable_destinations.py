"""Every place xlperf writes to, when it cannot be written (a file where a folder should be),
gives one readable line and exit code 3, never a traceback, and leaves what was there alone.
Found by trying each command's output options against an unwritable path: ``validate --json``,
``validate --annotate``, ``export --out`` and a refresh's quarantine folder raised ``OSError``."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from xlperf.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("demo") / "council"
    result = runner.invoke(app, ["demo", str(folder)])
    assert result.exit_code in (0, 1), result.output
    return folder


@pytest.fixture
def council(demo, tmp_path) -> Path:
    folder = tmp_path / "council"
    shutil.copytree(demo, folder)
    (tmp_path / "blocker").write_text("a file, not a folder")
    return folder


def _one_line(result) -> str:
    """The message: one line, however long its paths (error lines are never wrapped)."""
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    assert result.exit_code == 3, result.output
    lines = result.output.splitlines()
    assert len(lines) == 1, result.output
    return lines[0]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_validate_json_into_a_missing_folder(council, tmp_path):
    out = tmp_path / "blocker" / "findings.json"
    text = _one_line(runner.invoke(app, ["validate", str(council / "returns"),
                                         "--json-file", str(out)]))
    assert text.startswith(f"xlperf: cannot write {out}:")


def test_validate_annotate_into_a_file_says_so_per_return(council, tmp_path):
    out = tmp_path / "blocker" / "annotated"
    result = runner.invoke(app, ["validate", str(council / "returns"), "--annotate", str(out)])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 1  # the returns were checked: two have errors
    problems = [line for line in result.output.splitlines() if line.startswith("xlperf:")]
    assert problems and all("cannot write the annotated copy" in line for line in problems)
    assert any("Finance - Chris Walker - Q2 2013-14.xlsx" in line for line in problems)


def test_export_into_a_missing_folder(council, tmp_path):
    out = tmp_path / "blocker" / "ledger.csv"
    text = _one_line(runner.invoke(app, ["export", str(council / "master.xlsx"),
                                         "--out", str(out)]))
    assert text.startswith(f"xlperf: cannot write {out}:")


def test_refresh_whose_quarantine_cannot_be_written_changes_nothing(council):
    master, ledger = council / "master.xlsx", council / "master.ledger.sqlite"
    shutil.rmtree(council / "quarantine")
    (council / "quarantine").write_text("a file where the quarantine folder goes")
    before = _digest(master), _digest(ledger)
    text = _one_line(runner.invoke(app, ["refresh", str(master), "--backups", "0"]))
    assert "cannot write the annotated copy of" in text
    assert "Nothing was recorded or written" in text
    assert (_digest(master), _digest(ledger)) == before
