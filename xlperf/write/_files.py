"""Safe file handling for writing into a user's workbook: busy checks, lock, backups, replace.

- :func:`check_not_open` refuses when Excel's owner file ``~$name.xlsx`` (or LibreOffice's
  ``.~lock.name.xlsx#``) sits next to the workbook.
- :func:`workbook_lock` holds ``.name.xlsx.xlperf.lock`` (created with ``O_EXCL``, holding pid,
  host and time) for one run; a lock left by a process that no longer exists on this host is
  stale and taken over.
- :func:`atomic_write` writes a temporary file in the same folder, fsyncs it, optionally keeps a
  timestamped backup of the old file, then ``os.replace``-s: the workbook is always either the old
  one or the new one, never half written.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import shutil
import socket
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from xlperf.errors import BusyError, WorkbookError

STALE_UNREADABLE_SECONDS = 60.0


def owner_files(path: Path) -> list[Path]:
    """Files that say another program has the workbook open."""
    return [path.with_name("~$" + path.name), path.with_name(f".~lock.{path.name}#")]


def check_not_open(path: Path) -> None:
    for owner in owner_files(path):
        if owner.exists():
            program = "Excel" if owner.name.startswith("~$") else "LibreOffice"
            raise BusyError(
                f"{path} is open in {program} (its owner file {owner.name} exists): close it "
                f"and try again; if {program} is not running, delete {owner}")


def lock_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.xlperf.lock")


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:  # e.g. Windows: no such process
        return False
    return True


def _stale(lock: Path) -> tuple[bool, str]:
    """Whether a lock is stale, and a description of its holder."""
    try:
        text = lock.read_text(encoding="utf-8")
        info = json.loads(text)
        pid, host, since = int(info["pid"]), str(info["host"]), str(info["since"])
    except FileNotFoundError:
        return True, "nobody"
    except (OSError, ValueError, KeyError, TypeError):
        try:
            age = time.time() - lock.stat().st_mtime
        except OSError:
            return True, "nobody"
        return age > STALE_UNREADABLE_SECONDS, "an unknown process"
    holder = f"process {pid} on {host} since {since}"
    if host == socket.gethostname() and not _pid_alive(pid):
        return True, holder
    return False, holder


@contextlib.contextmanager
def workbook_lock(path: Path) -> Iterator[Path]:
    """Hold the xlperf lock of a workbook for the duration of a ``with`` block."""
    lock = lock_path(path)
    token = json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                        "since": dt.datetime.now().isoformat(timespec="seconds")})
    for _attempt in range(3):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            stale, holder = _stale(lock)
            if not stale:
                raise BusyError(
                    f"{path} is being written by another xlperf run ({holder}): wait for it to "
                    f"finish; if no run is active, delete {lock}") from None
            with contextlib.suppress(FileNotFoundError):
                lock.unlink()
            continue
        except OSError as exc:
            raise WorkbookError(f"{path}: cannot create the lock file {lock} ({exc.strerror})",
                                file=str(path)) from exc
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(token)
        break
    else:
        raise BusyError(f"{path}: could not take the lock {lock}; another run keeps taking it")
    try:
        yield lock
    finally:
        with contextlib.suppress(OSError):
            if lock.read_text(encoding="utf-8") == token:
                lock.unlink()


_BACKUP = r"\.backup-(\d{8}-\d{6})(?:-(\d+))?"


def backup(path: Path, keep: int) -> Path:
    """Copy ``path`` to ``backups/<stem>.backup-YYYYmmdd-HHMMSS<suffix>``; keep the newest ``keep``.
    """
    folder = path.parent / "backups"
    folder.mkdir(exist_ok=True)
    pattern = re.compile(re.escape(path.stem) + _BACKUP + re.escape(path.suffix))

    def existing() -> list[tuple[tuple[str, int], Path]]:
        found = []
        for candidate in folder.iterdir():
            match = pattern.fullmatch(candidate.name)
            if match:
                found.append(((match.group(1), int(match.group(2) or 1)), candidate))
        return sorted(found)

    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    same_second = [key[1] for key, _p in existing() if key[0] == stamp]
    n = max(same_second, default=0) + 1
    suffix = f"-{n}" if n > 1 else ""
    target = folder / f"{path.stem}.backup-{stamp}{suffix}{path.suffix}"
    shutil.copy2(path, target)
    found = existing()
    for _key, old in found[: max(0, len(found) - keep)]:
        with contextlib.suppress(OSError):
            old.unlink()
    return target


def atomic_write(path: Path, write: Callable[[BinaryIO], None], *, backups: int = 0,
                 before_replace: Callable[[], None] | None = None) -> Path | None:
    """Write ``path`` through a temporary file in its folder and ``os.replace``.

    ``before_replace`` runs when the new file is complete and fsynced, just before the
    replace (if it raises, the old file stays). Returns the backup made (``backups > 0`` and
    the file existed), else None.
    """
    folder = path.parent
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".xlperf-tmp", dir=folder)
    tmp = Path(tmp_name)
    made = None
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        if path.exists():
            os.chmod(tmp, stat.S_IMODE(path.stat().st_mode))
            if backups > 0:
                made = backup(path, backups)
        if before_replace is not None:
            before_replace()
        try:
            os.replace(tmp, path)
        except PermissionError as exc:  # Windows: the file is open in another program
            raise BusyError(f"{path} cannot be replaced; is it open in another program? "
                            f"({exc.strerror})") from exc
        if hasattr(os, "O_DIRECTORY"):
            with contextlib.suppress(OSError):
                dfd = os.open(folder, os.O_DIRECTORY)
                try:
                    os.fsync(dfd)
                finally:
                    os.close(dfd)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return made
