"""A ledger that is damaged, empty, missing, read-only or on a full disk is refused with a
sentence and nothing is written (issue 18, items 2, 3, 5 and 6).

Each fault is made to a copy of a refreshed demo council: the master and the ledger must be
byte for byte as they were afterwards, the message must be one readable sentence naming the
ledger (never a ``sqlite3.DatabaseError`` traceback), through every command that opens a
ledger. Read-only and full disks are real: a tmpfs mounted for the ledger (as root; skipped
where mounting is not allowed) and ``RLIMIT_FSIZE`` in a child process.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from xlperf.cli import app
from xlperf.demo import demo_register
from xlperf.errors import BusyError, LedgerError
from xlperf.ledger import Ledger
from xlperf.refresh import ZipWorkbook, refresh

DEMO_MEASURES = len(demo_register())

ROOT = Path(__file__).resolve().parents[1]
PERIOD = "Q2 2013/14"
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
runner = CliRunner()


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo council (history seeded) refreshed once: its master has a Log naming the
    ledger."""
    from _workbook_helpers import demo_workbooks

    folder = tmp_path_factory.mktemp("council")
    demo_workbooks(folder, period=PERIOD, history=True)
    refresh(ZipWorkbook(folder / "master.xlsx"))
    return folder


@pytest.fixture
def council(refreshed: Path, tmp_path: Path) -> Path:
    target = tmp_path / "council"
    shutil.copytree(refreshed, target)
    return target


def _bytes(*paths: Path) -> list[bytes | None]:
    return [p.read_bytes() if p.exists() else None for p in paths]


def _files(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (the council's): nothing written means all equal."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def _one_line(text: str) -> str:
    return " ".join(text.split())


# ------------------------------------------------------------------------------ the faults
def zero_bytes(ledger: Path) -> None:
    ledger.write_bytes(b"")


def truncated(ledger: Path) -> None:
    ledger.write_bytes(ledger.read_bytes()[: ledger.stat().st_size // 2])


def corrupt_pages(ledger: Path) -> None:
    """Eight random 4 KiB pages overwritten, the header page intact (as the report did)."""
    data = bytearray(ledger.read_bytes())
    rng = random.Random(18)
    pages = len(data) // 4096
    for page in rng.sample(range(1, pages), min(8, pages - 1)):
        data[page * 4096:(page + 1) * 4096] = rng.randbytes(4096)
    ledger.write_bytes(bytes(data))


FAULTS: dict[str, Callable[[Path], None]] = {
    "0 bytes": zero_bytes, "truncated": truncated, "corrupt pages": corrupt_pages}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_damaged_ledger_is_refused_and_nothing_is_written(council: Path, fault: str) -> None:
    master, ledger = council / "master.xlsx", council / "master.ledger.sqlite"
    FAULTS[fault](ledger)
    before = _files(council)
    with pytest.raises(LedgerError) as caught:
        refresh(ZipWorkbook(master, backups=3))
    message = str(caught.value)
    assert str(ledger) in message and "\n" not in message
    assert "backup" in message and "docs/ledger.md" in message
    # Nothing written anywhere: master, ledger, backups, quarantine; no temporary file or
    # lock left.
    assert _files(council) == before


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("command", ["refresh", "export", "report", "import-history"])
def test_every_command_refuses_a_damaged_ledger_in_a_sentence(council: Path, fault: str,
                                                               command: str) -> None:
    master, ledger = council / "master.xlsx", council / "master.ledger.sqlite"
    FAULTS[fault](ledger)
    before = _bytes(master, ledger)
    history = council / "history.csv"
    history.write_text("Code,Period,Value\nEH 02,Q1 2013/14,199\n", encoding="utf-8")
    args = {"refresh": ["refresh", str(master)],
            "export": ["export", str(master), "--out", str(council / "x.csv")],
            "report": ["report", str(master), "--out", str(council / "r.html")],
            "import-history": ["import-history", str(master), str(history)]}[command]
    result = runner.invoke(app, args)
    assert result.exit_code == 3, result.output
    assert not isinstance(result.exception, sqlite3.Error | AttributeError | TypeError)
    assert "Traceback" not in result.output and "sqlite3" not in result.output
    assert "master.ledger.sqlite" in result.output.replace("\n", "")
    assert _bytes(master, ledger) == before


# ------------------------------------------------------------------------------ real disks
@contextlib.contextmanager
def tmpfs(folder: Path, size: int) -> Iterator[Path]:
    folder.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs",
                           str(folder)], capture_output=True)
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root): " + done.stderr.decode()[:80])
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


@pytest.mark.parametrize("disk", ["read-only", "full"])
def test_a_ledger_on_a_read_only_or_full_disk_is_refused(council: Path, disk: str) -> None:
    master = council / "master.xlsx"
    size = (council / "master.ledger.sqlite").stat().st_size
    # Full: room for the ledger and SQLite's 32 KiB shared-memory file, not for the journal.
    with tmpfs(council / "disk", size + 40960 if disk == "full" else 4 << 20) as mount:
        ledger = mount / "master.ledger.sqlite"
        shutil.copy2(council / "master.ledger.sqlite", ledger)
        if disk == "read-only":
            subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        before = _bytes(master, ledger)
        with pytest.raises(LedgerError) as caught:
            refresh(ZipWorkbook(master, backups=0), ledger=ledger)
        message = str(caught.value)
        assert str(ledger) in message and "nothing was recorded" in message.lower()
        assert ("read-only" in message) if disk == "read-only" else ("full" in message)
        assert _bytes(master, ledger) == before
        assert not list(council.glob(".master.xlsx.*"))
        # Still whole (a WAL ledger on a read-only disk opens only as immutable).
        with contextlib.closing(sqlite3.connect(f"file:{ledger}?immutable=1", uri=True)) as con:
            assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


_LIMITED = """
import resource, signal, sys
from xlperf.cli import app
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
sys.argv = ["xlperf", "refresh", sys.argv[2], "--backups", "2"]
app()
"""


@pytest.mark.parametrize("limit", [16 << 10, 48 << 10])
def test_a_refresh_that_runs_out_of_disk_changes_nothing(council: Path, limit: int) -> None:
    """RLIMIT_FSIZE: every file the refresh writes is limited (the annotated copies, the
    master's new version, the backups, the ledger's journal)."""
    master, ledger = council / "master.xlsx", council / "master.ledger.sqlite"
    before = _bytes(master, ledger)
    done = subprocess.run([sys.executable, "-c", _LIMITED, str(limit), str(master)], env=ENV,
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 3, done.stdout + done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    said = _one_line(done.stdout + done.stderr)
    assert "full" in said and "not" in said
    assert _bytes(master, ledger) == before
    assert not list(council.glob(".master.xlsx.*"))
    with Ledger(ledger) as store:
        assert store.integrity() == "ok"


# ------------------------------------------------------------------------------ missing, empty
def test_a_missing_ledger_the_master_had_is_an_error_until_started_on_purpose(
        council: Path) -> None:
    master, ledger = council / "master.xlsx", council / "master.ledger.sqlite"
    ledger.unlink()
    before = master.read_bytes()
    result = runner.invoke(app, ["refresh", str(master)])
    said = _one_line(result.output)
    assert result.exit_code == 3, result.output
    assert "is missing" in said and "--new-ledger" in said and "backup" in said
    assert master.read_bytes() == before and not ledger.exists()
    # On purpose: a new ledger, and the scorecard without history.
    started = runner.invoke(app, ["refresh", str(master), "--new-ledger"])
    assert started.exit_code == 1, started.output  # refreshed (the demo has rejected rows)
    with Ledger(ledger) as store:
        assert store.refresh_count() == 1


def test_an_empty_ledger_is_an_error_and_a_new_one_on_purpose_is_not(council: Path) -> None:
    master, ledger = council / "master.xlsx", council / "master.ledger.sqlite"
    # An SQLite file with the tables but no refresh (what opening a deleted ledger's path
    # makes) is as empty as 0 bytes for a master that had a ledger.
    ledger.unlink()
    Ledger(ledger).close()
    before = _bytes(master, ledger)
    with pytest.raises(LedgerError, match="is empty, but master.xlsx was last refreshed"):
        refresh(ZipWorkbook(master))
    assert _bytes(master, ledger) == before
    result = refresh(ZipWorkbook(master), new_ledger=True)
    assert result.recorded > 0


def test_a_master_never_refreshed_starts_its_ledger(tmp_path: Path) -> None:
    from _workbook_helpers import demo_workbooks

    files = demo_workbooks(tmp_path / "new", period=PERIOD)
    result = refresh(ZipWorkbook(files.master))
    assert result.recorded > 0 and result.ledger.stat().st_size > 0


# ------------------------------------------------------------------------------ backups
def test_a_rolling_backup_of_the_ledger_sits_beside_the_masters(council: Path) -> None:
    master, ledger = council / "master.xlsx", council / "master.ledger.sqlite"
    with Ledger(ledger) as store:
        runs_before = store.refresh_count()
    for _ in range(4):
        refresh(ZipWorkbook(master, backups=2))
    # Oldest first by when each was written: two refreshes in one second name their copies
    # "...-HHMMSS.sqlite" and "...-HHMMSS-2.sqlite", which sort the other way round by name.
    copies = sorted((council / "backups").glob("master.ledger.backup-*.sqlite"),
                    key=lambda p: p.stat().st_mtime_ns)
    assert len(copies) == 2  # the newest two, as for the master's
    with Ledger(copies[-1]) as copy:  # the ledger as it was before the last refresh
        assert copy.integrity() == "ok"
        assert copy.refresh_count() == runs_before + 3
    # Restoring it as docs/ledger.md says: copy it over the damaged ledger, refresh.
    corrupt_pages(ledger)
    with pytest.raises(LedgerError):
        refresh(ZipWorkbook(master))
    for extra in (ledger.with_name(ledger.name + "-wal"), ledger.with_name(ledger.name + "-shm")):
        extra.unlink(missing_ok=True)
    shutil.copyfile(copies[-1], ledger)
    again = refresh(ZipWorkbook(master, backups=2))
    assert len(again.scored) == DEMO_MEASURES


# ------------------------------------------------------------------------------ idempotent
def _tables(ledger: Path) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(ledger) as con:
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = "
                                           "'table' ORDER BY name")]
        return {n: con.execute(f'SELECT * FROM "{n}" ORDER BY rowid').fetchall()
                for n in names}


def test_a_repeat_refresh_records_nothing_in_any_table(council: Path) -> None:
    master, ledger = council / "master.xlsx", council / "master.ledger.sqlite"
    before = _tables(ledger)
    assert before["money"], "the demo's finance returns give money figures"
    for _ in range(2):
        refresh(ZipWorkbook(master))
    after = _tables(ledger)
    assert set(after) == set(before)
    # Every table is as it was, but the log of refreshes, which has a row per run (and its
    # files) by design.
    for name in sorted(set(before) - {"refreshes", "refresh_files"}):
        assert after[name] == before[name], name
    assert len(after["refreshes"]) == len(before["refreshes"]) + 2


# ------------------------------------------------------------------------------ killed runs
_KILLED = """
import os, sys
from xlperf import _files
real = os.replace
def killed(source, target):
    if str(target).endswith("master.xlsx"):
        os._exit(9)  # killed between the ledger's commit and the file's replace
    return real(source, target)
_files.os.replace = killed
from xlperf.refresh import ZipWorkbook, refresh
refresh(ZipWorkbook(sys.argv[1]))
"""


def test_after_a_kill_between_commit_and_replace_the_log_shows_what_was_recorded(
        council: Path) -> None:
    from openpyxl import load_workbook

    from xlperf.read._calamine import open_workbook, sheet_grid

    master = council / "master.xlsx"
    path = council / "returns" / "Early Help - Q2 2013-14.xlsx"
    wb = load_workbook(path)
    ws = wb["Return"]
    row = next(r for r in range(13, ws.max_row + 1) if ws.cell(r, 1).value == "EH 02")
    ws.cell(row, 8).value = 210
    wb.save(path)
    before = master.read_bytes()
    done = subprocess.run([sys.executable, "-c", _KILLED, str(master)], env=ENV,
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 9, done.stderr
    assert master.read_bytes() == before  # the ledger went ahead of the workbook
    left = list(council.glob(".master.xlsx.*.xlperf-tmp"))
    assert len(left) == 1
    mine_not = council / ".master.xlsx.keep-me.tmp"  # not of xlperf's naming: left alone
    mine_not.write_text("a user's file")
    result = refresh(ZipWorkbook(master))
    assert result.recorded == 0 and len(result.restatements) == 0  # nothing new this time
    assert not list(council.glob(".master.xlsx.*.xlperf-tmp")) and mine_not.exists()
    log = "\n".join(" | ".join(str(c) for c in r if c not in (None, ""))
                    for r in sheet_grid(open_workbook(master), "Log"))
    assert f"Refresh {result.refresh_id - 1} " in log and "was not written after it" in log
    assert "EH 02 Q2 2013/14: 204 -> 210" in log
    assert f"recorded by refresh {result.refresh_id - 1}" in log


def test_a_history_import_since_the_master_was_written_is_listed(council: Path) -> None:
    from xlperf.read._calamine import open_workbook, sheet_grid

    master, ledger = council / "master.xlsx", council / "master.ledger.sqlite"
    with Ledger(ledger) as store:
        was = store.current_values("EH 02", "Q1 2013/14")["Actual"].iloc[0]
    history = council / "corrected history.csv"
    history.write_text("Code,Period,Value\nEH 02,Q1 2013/14,12345\n", encoding="utf-8")
    imported = runner.invoke(app, ["import-history", str(master), str(history)])
    assert imported.exit_code == 0, imported.output
    result = refresh(ZipWorkbook(master))
    log = "\n".join(" | ".join(str(c) for c in r if c not in (None, ""))
                    for r in sheet_grid(open_workbook(master), "Log"))
    assert f"History import {result.refresh_id - 1} " in log
    assert f"EH 02 Q1 2013/14: {was:g} -> 12345" in log
    assert f"recorded by history import {result.refresh_id - 1}" in log
    # Written now: the next refresh lists nothing from before it.
    again = refresh(ZipWorkbook(master))
    log = "\n".join(" | ".join(str(c) for c in r if c not in (None, ""))
                    for r in sheet_grid(open_workbook(master), "Log"))
    assert again.refresh_id == result.refresh_id + 1 and "History import" not in log


# ------------------------------------------------------------------------------ waiting
def test_a_second_refresh_waits_for_the_first_or_says_who_holds_it(council: Path) -> None:
    from xlperf import _files

    master = council / "master.xlsx"
    held = threading.Event()
    release = threading.Event()

    def other_run() -> None:
        with _files.workbook_lock(master):
            held.set()
            release.wait(10)

    thread = threading.Thread(target=other_run)
    thread.start()
    held.wait(10)
    try:
        started = time.monotonic()
        with pytest.raises(BusyError, match=r"in use by another xlperf run \(process "):
            refresh(ZipWorkbook(master), wait=0.3)
        assert time.monotonic() - started >= 0.3
        threading.Timer(0.5, release.set).start()
        result = refresh(ZipWorkbook(master), wait=20)  # waits, then refreshes
        assert len(result.scored) == DEMO_MEASURES
    finally:
        release.set()
        thread.join(10)


def test_a_refresh_holds_the_ledger_from_before_it_reads_history(council: Path) -> None:
    """The ledger's write transaction is open while the history is read: another writer
    (a second server process, an import) cannot commit in between."""
    ledger = council / "master.ledger.sqlite"
    seen: list[str] = []
    import xlperf.ledger._store as store_module

    real = store_module.Ledger.current_values

    def spying(self: Ledger, *args: object, **kwargs: object) -> object:
        other = sqlite3.connect(ledger, timeout=0.05)
        try:
            other.execute("BEGIN IMMEDIATE")
            seen.append("free")
            other.execute("ROLLBACK")
        except sqlite3.OperationalError as error:
            seen.append(str(error))
        finally:
            other.close()
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    store_module.Ledger.current_values = spying  # type: ignore[method-assign]
    try:
        refresh(ZipWorkbook(council / "master.xlsx"))
    finally:
        store_module.Ledger.current_values = real  # type: ignore[method-assign]
    assert seen and all("locked" in s for s in seen), seen
