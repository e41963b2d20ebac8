"""Progress while a report is written (issue 21: the CLI showed nothing for the minutes a
large PDF takes): the library tells a callback each step and prints nothing; the CLI shows
the steps on standard error, with a spinner and the time so far on a terminal."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from xlperf.cli.report import steps_shown
from xlperf.report import build_report, find_browser

DEMO = Path(__file__).parents[1] / "workbooks" / "demo"


@pytest.fixture()
def master(tmp_path: Path) -> Path:
    shutil.copytree(DEMO, tmp_path / "demo")
    return tmp_path / "demo" / "master.xlsx"


def test_on_a_terminal_each_finished_step_stays_with_its_seconds() -> None:
    out = io.StringIO()
    terminal = Console(file=out, force_terminal=True, width=100)
    with steps_shown(terminal) as progress:
        assert progress is not None
        for step in ("Starting chromium", "Printing the pages", "Wrote pack.pdf in 3.0 s"):
            progress(step)
    text = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", out.getvalue())
    kept = [line for line in text.replace("\r", "\n").splitlines()
            if re.fullmatch(r"(Starting chromium|Printing the pages) \(\d+\.\d s\)"
                            r"|Wrote pack\.pdf in 3\.0 s", line.strip())]
    assert [line.split(" (")[0].split(" in ")[0] for line in kept] == [
        "Starting chromium", "Printing the pages", "Wrote pack.pdf"]


def test_in_a_log_one_line_per_step_as_it_starts() -> None:
    out = io.StringIO()
    with steps_shown(Console(file=out, force_terminal=False)) as progress:
        assert progress is not None
        progress("Starting [chromium]")  # not read as markup
        progress("Printing the pages")
    assert out.getvalue().splitlines() == ["Starting [chromium]", "Printing the pages"]


def test_nothing_shown_gives_no_callback() -> None:
    with steps_shown(None) as progress:
        assert progress is None


def test_the_library_tells_the_callback_and_prints_nothing(master: Path, capsys) -> None:
    steps: list[str] = []
    path = build_report(master, master.with_name("pack.html"), progress=steps.append)
    assert path.is_file()
    assert steps[0] == "Reading master.xlsx and its ledger"
    assert re.fullmatch(r"Rendering the report: \d+ measures", steps[1])
    assert capsys.readouterr() == ("", "")


@pytest.mark.slow
@pytest.mark.skipif(find_browser() is None, reason="no Chromium, Chrome or Edge here")
def test_the_cli_says_each_step_of_a_pdf_on_standard_error(master: Path) -> None:
    from xlperf.cli import app

    out = master.with_name("pack.pdf")
    done = CliRunner().invoke(app, ["report", str(master), "--format", "pdf", "--engine",
                                    "browser", "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert out.read_bytes().startswith(b"%PDF-")
    lines = done.stderr.splitlines()
    assert lines[0] == "Reading master.xlsx and its ledger"
    for step in ("Rendering the report", "Starting", "Laying out the report",
                 "Printing the pages", "Wrote pack.pdf in"):
        assert any(line.startswith(step) for line in lines), (step, lines)
    assert done.stdout.strip() == f"Wrote {out}"
    quiet = CliRunner().invoke(app, ["-q", "report", str(master), "--format", "pdf",
                                     "--engine", "browser", "--out", str(out)])
    assert quiet.exit_code == 0 and quiet.stderr == ""
