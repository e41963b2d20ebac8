"""Every place xlperf writes to, when it cannot be written (a file where a folder should be),
gives one readable line and exit code 3, never a traceback, and leaves what was there alone.
Found by trying each command's output options against an unwritable path: ``validate --json``,
``validate --annotate``, ``export --out`` and a refresh's quarantine folder raised ``OSError``."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from _workbook_helpers import cli_demo
from typer.testing import CliRunner

from xlperf.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    return cli_demo(tmp_path_factory.mktemp("demo") / "council")


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


# ------------------------------------------------------------------- a read-only master
# As Excel does, a master whose file is read-only is not refreshed. The tests run as root,
# whom permission bits do not stop (os.access is true), so the rule reads the mode bits.
def _read_only(path: Path) -> None:
    path.chmod(path.stat().st_mode & ~0o222)  # chmod a-w


def _unchanged(council: Path):
    master, ledger = council / "master.xlsx", council / "master.ledger.sqlite"
    return (_digest(master), _digest(ledger), master.stat().st_mode,
            sorted(p.name for p in council.iterdir()))


def test_a_read_only_master_is_refused_before_any_work(council):
    master = council / "master.xlsx"
    _read_only(master)
    before = _unchanged(council)
    text = _one_line(runner.invoke(app, ["refresh", str(master), "--backups", "2"]))
    assert text == f"xlperf: {master} is read-only: make it writable to refresh it", text
    assert _unchanged(council) == before  # no lock, backup, quarantine or ledger change


def test_a_read_only_master_is_refused_by_the_plain_command_line(council, capsys):
    from xlperf.cli._refresh import plain_refresh

    master = council / "master.xlsx"
    _read_only(master)
    before = _unchanged(council)
    run = plain_refresh(["refresh", str(master)])
    assert run is not None
    assert run() == 3
    assert "is read-only: make it writable to refresh it" in capsys.readouterr().err
    assert _unchanged(council) == before


def test_every_door_that_writes_a_master_refuses_a_read_only_one(council):
    from xlperf.errors import WorkbookError
    from xlperf.excel.gateway import XlwingsWorkbook
    from xlperf.refresh import ZipWorkbook, refresh
    from xlperf.write.lossless import SheetContent, write_sheets

    master = council / "master.xlsx"
    _read_only(master)
    before = _unchanged(council)

    class SavedBook:  # the desktop button's book: Excel opened the read-only file
        name = "master.xlsx"
        fullname = str(master)

    for door in (lambda: refresh(ZipWorkbook(master)),
                 lambda: refresh(XlwingsWorkbook(SavedBook())),
                 lambda: write_sheets(master, {"Scorecard": SheetContent(rows=[["x"]])})):
        with pytest.raises(WorkbookError, match="is read-only: make it writable"):
            door()
        assert _unchanged(council) == before
    # writing a copy elsewhere (out=) is allowed; a read-only out= is not
    copy = council.parent / "copy.xlsx"
    write_sheets(master, {"Scorecard": SheetContent(rows=[["x"]])}, out=copy)
    _read_only(copy)
    with pytest.raises(WorkbookError, match="copy.xlsx is read-only"):
        write_sheets(master, {"Scorecard": SheetContent(rows=[["y"]])}, out=copy)


def test_the_read_only_rule_reads_the_mode_bits(tmp_path):
    from xlperf._files import check_writable
    from xlperf.errors import WorkbookError

    path = tmp_path / "master.xlsx"
    path.write_bytes(b"")
    check_writable(path)  # writable: nothing said
    for mode in (0o444, 0o400, 0o555):
        path.chmod(mode)
        with pytest.raises(WorkbookError, match="is read-only"):
            check_writable(path)
    path.chmod(0o644)
    check_writable(tmp_path / "not yet there.xlsx")  # a new file: its folder decides
