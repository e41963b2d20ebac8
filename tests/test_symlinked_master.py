"""A master that is a symbolic link (to the shared copy) is the file it points to: that file
is refreshed, atomically, and the link stays a link. Its lock, owner-file check, backups
folder, ledger and returns are the real file's, beside it (docs/refresh.md)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
from pathlib import Path

import pytest
import python_calamine as pc
from _workbook_helpers import cli_demo, ooxml_problems
from typer.testing import CliRunner

from xlperf.cli import app
from xlperf.errors import BusyError
from xlperf.refresh import ZipWorkbook, refresh
from xlperf.write.lossless import SheetContent, write_sheets

runner = CliRunner()
pytestmark = pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links")


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    return cli_demo(tmp_path_factory.mktemp("demo") / "council")


@pytest.fixture
def linked(demo, tmp_path) -> tuple[Path, Path]:
    """(the link desk/master.xlsx, the real shared/master.xlsx with its ledger and returns)."""
    shared = tmp_path / "shared"
    shutil.copytree(demo, shared)
    (tmp_path / "desk").mkdir()
    link = tmp_path / "desk" / "master.xlsx"
    link.symlink_to(Path("..") / "shared" / "master.xlsx")
    return link, shared / "master.xlsx"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_refreshing_a_link_refreshes_the_shared_master_and_keeps_the_link(linked):
    link, real = linked
    ledger = real.with_name("master.ledger.sqlite")
    before, ledger_before = _digest(real), _digest(ledger)
    result = runner.invoke(app, ["refresh", str(link), "--backups", "2",
                                 "--period", "Q1 2013/14"])
    assert result.exit_code in (0, 1), result.output
    assert link.is_symlink() and os.readlink(link) == os.path.join("..", "shared", "master.xlsx")
    assert _digest(real) != before and _digest(ledger) != ledger_before
    assert sorted(p.name for p in link.parent.iterdir()) == ["master.xlsx"]  # nothing beside
    assert [p.name for p in (real.parent / "backups").iterdir()
            if p.name.startswith("master.backup-")]
    assert not [p for p in real.parent.iterdir() if p.name.startswith(".master.xlsx")]
    scorecard = pc.CalamineWorkbook.from_path(str(real)).get_sheet_by_name("Scorecard")
    assert any("Q1 2013/14" in str(cell) for row in scorecard.to_python()[:4] for cell in row)
    assert not ooxml_problems(real)


def test_writing_sheets_through_a_link_writes_its_target(linked):
    link, real = linked
    write_sheets(link, {"Notes": SheetContent(rows=[["written through the link"]])})
    assert link.is_symlink()
    notes = pc.CalamineWorkbook.from_path(str(real)).get_sheet_by_name("Notes").to_python()
    assert notes == [["written through the link"]]


def test_the_real_files_lock_and_owner_file_hold_a_refresh_through_the_link(linked):
    link, real = linked
    owner = real.with_name("~$master.xlsx")  # Excel has the shared master open
    owner.write_text("someone")
    with pytest.raises(BusyError, match="open in Excel"):
        refresh(ZipWorkbook(link))
    owner.unlink()
    lock = real.with_name(".master.xlsx.xlperf.lock")  # another run refreshes the shared one
    lock.write_text(json.dumps({"pid": 1, "host": socket.gethostname(), "since": "now"}))
    before = _digest(real)
    with pytest.raises(BusyError, match="in use by another xlperf run"):
        refresh(ZipWorkbook(link), wait=0)
    assert _digest(real) == before and link.is_symlink()
