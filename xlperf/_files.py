"""Safe file handling for writing into a user's workbook: busy checks, lock, backups, replace.

- :func:`master_file` is the real file of a workbook given as a symbolic link (a desk's link to
  the shared master): that file is the master, written in its own folder, its lock, backups
  and ledger beside it, and the link stays a link.
- :func:`check_writable` refuses a workbook whose file is read-only (no write permission bit,
  as ``chmod a-w`` or Windows' Read-only attribute leave it), as Excel does: replacing it only
  needs its folder writable, so without this check it would be silently overwritten.
- :func:`check_not_open` refuses when Excel's owner file ``~$name.xlsx`` (or LibreOffice's
  ``.~lock.name.xlsx#``) sits next to the workbook.
- :func:`workbook_lock` holds ``.name.xlsx.xlperf.lock`` (created with ``O_EXCL``, holding pid,
  host and time) for one run; a lock left by a process that no longer exists on this host is
  stale and taken over. Another run's lock is waited for (``wait`` seconds), then refused
  with "in use by ..."; the same thread taking it again (the refresh holds it for the whole
  run, the writer takes it again to write) is let through. Once taken, the temporary files of
  xlperf's own naming a killed run left beside the workbook are removed.
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
import threading
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


def master_file(path: str | Path) -> Path:
    """The file a workbook's path names: a symbolic link (or a chain of them) followed to
    its target, else ``path`` as it is. Resolve it once, where a door takes the path: the
    target is then the file read, locked, backed up and atomically replaced (replacing the
    link itself would turn it into a private copy and leave the shared master as it was).

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "shared.xlsx").write_bytes(b"")
    >>> (folder / "master.xlsx").symlink_to("shared.xlsx")
    >>> master_file(folder / "master.xlsx") == (folder / "shared.xlsx").resolve()
    True
    >>> master_file("reports/master.xlsx").as_posix()
    'reports/master.xlsx'
    """
    path = Path(path)
    if not path.is_symlink():
        return path
    return Path(os.path.realpath(path))


def check_writable(path: Path, *, doing: str = "refresh it") -> None:
    """Refuse (:class:`WorkbookError`) to write over the workbook at ``path`` when its file is
    read-only: no write bit in its mode (``chmod a-w``; Windows' Read-only attribute), or this
    user may not write it. Read from the mode bits, not only :func:`os.access`, which is true
    for root. ``doing``: what the message says writing would be for. A path that does not
    exist yet passes (its folder decides). Every door that writes a master calls this before
    any work.

    >>> import tempfile, pathlib
    >>> book = pathlib.Path(tempfile.mkdtemp()) / "master.xlsx"
    >>> _ = book.write_bytes(b""); book.chmod(0o444)
    >>> check_writable(book)
    Traceback (most recent call last):
    xlperf.errors.WorkbookError: ...master.xlsx is read-only: make it writable to refresh it
    """
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise WorkbookError(f"{path}: cannot be read ({exc.strerror or exc})",
                            file=str(path)) from None
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise WorkbookError(f"{path} is read-only: make it writable to {doing}", file=str(path))
    if not os.access(path, os.W_OK):
        raise WorkbookError(f"{path} is read-only for you (its permissions): ask its owner to "
                            f"let you write it, then {doing}", file=str(path))


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


# Locks this process holds, by lock file and thread: taking one again in the same thread is
# let through (a refresh holds the lock for the whole run; the writer takes it to write).
_HELD: dict[tuple[str, int], int] = {}
_HELD_GUARD = threading.Lock()
LOCK_POLL_SECONDS = 0.1


@contextlib.contextmanager
def workbook_lock(path: Path, *, wait: float = 0.0) -> Iterator[Path]:
    """Hold the xlperf lock of a workbook for the duration of a ``with`` block.

    Another live run's lock is waited for up to ``wait`` seconds, then :class:`BusyError`
    ("in use by process ..."). Re-entrant within one thread. Once the lock is taken, stale
    temporary files of :func:`atomic_write` for this workbook are removed
    (:func:`remove_stale_temps`): no other xlperf run can be writing one.
    """
    lock = lock_path(path)
    key = (str(lock.resolve()), threading.get_ident())
    with _HELD_GUARD:
        if key in _HELD:
            _HELD[key] += 1
            held_already = True
        else:
            held_already = False
    if held_already:
        try:
            yield lock
        finally:
            with _HELD_GUARD:
                _HELD[key] -= 1
                if not _HELD[key]:
                    del _HELD[key]
        return
    token = json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                        "thread": threading.get_ident(),
                        "since": dt.datetime.now().isoformat(timespec="seconds")})
    deadline = time.monotonic() + max(0.0, wait)
    takeovers = 0
    while True:
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            stale, holder = _stale(lock)
            if stale and takeovers < 3:
                takeovers += 1
                with contextlib.suppress(FileNotFoundError):
                    lock.unlink()
                continue
            if time.monotonic() >= deadline:
                waited = f" (waited {wait:g} s)" if wait > 0 else ""
                raise BusyError(
                    f"{path} is in use by another xlperf run ({holder}){waited}: try again "
                    f"when it has finished; if no run is active, delete {lock}") from None
            time.sleep(LOCK_POLL_SECONDS)
            continue
        except OSError as exc:
            raise WorkbookError(f"{path}: cannot create the lock file {lock} ({exc.strerror})",
                                file=str(path)) from exc
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(token)
        break
    with _HELD_GUARD:
        _HELD[key] = 1
    try:
        remove_stale_temps(path)
        yield lock
    finally:
        with _HELD_GUARD:
            _HELD.pop(key, None)
        with contextlib.suppress(OSError):
            if lock.read_text(encoding="utf-8") == token:
                lock.unlink()


_TEMP_SUFFIX = ".xlperf-tmp"


def _temp_pattern(path: Path) -> re.Pattern[str]:
    # tempfile.mkstemp(prefix=".<name>.", suffix=".xlperf-tmp"): 8 random name characters.
    return re.compile(re.escape(f".{path.name}.") + r"[A-Za-z0-9_]{8}" + re.escape(_TEMP_SUFFIX))


def remove_stale_temps(path: Path) -> list[Path]:
    """Remove the temporary files :func:`atomic_write` names for ``path``
    (``.master.xlsx.<8 characters>.xlperf-tmp`` beside it) that a killed run left; call it
    holding the workbook's lock. Nothing else is touched. Returns the files removed.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> for name in (".m.xlsx.ab_cd123.xlperf-tmp", ".m.xlsx.notmine.tmp", "m.xlsx"):
    ...     _ = (folder / name).write_bytes(b"")
    >>> [p.name for p in remove_stale_temps(folder / "m.xlsx")]
    ['.m.xlsx.ab_cd123.xlperf-tmp']
    """
    pattern = _temp_pattern(path)
    removed: list[Path] = []
    try:
        candidates = list(path.parent.iterdir())
    except OSError:
        return removed
    for candidate in candidates:
        if pattern.fullmatch(candidate.name) and candidate.is_file():
            with contextlib.suppress(OSError):
                candidate.unlink()
                removed.append(candidate)
    return removed


_BACKUP = r"\.backup-(\d{8}-\d{6})(?:-(\d+))?"


def backup(path: Path, keep: int, *, folder: Path | None = None,
           copy: Callable[[Path, Path], object] | None = None) -> Path:
    """Copy ``path`` to ``backups/<stem>.backup-YYYYmmdd-HHMMSS<suffix>``; keep the newest ``keep``.

    ``folder``: the backups folder (default ``backups`` beside ``path``). ``copy(source,
    target)``: how to copy (default :func:`shutil.copy2`; the ledger uses SQLite's online
    backup). The copy is made under a temporary name and renamed, so a backup of that name
    is always whole.
    """
    folder = folder if folder is not None else path.parent / "backups"
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
    partial = target.with_name(f".{target.name}{_TEMP_SUFFIX}")
    try:
        (copy or shutil.copy2)(path, partial)
        os.replace(partial, target)
    except BaseException:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise
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
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise WorkbookError(f"{path} was not changed: writing its new version beside it "
                            f"failed ({exc.strerror or exc}); {_advice(exc)}",
                            file=str(path)) from None
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return made


def _advice(error: OSError) -> str:
    """What to do about a failed write, in a sentence."""
    import errno

    if error.errno in (errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", -1)):
        return "the disk (or your quota) is full: free some space and try again"
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "the folder cannot be written: check its permissions and try again"
    return "check the folder and the disk, then try again"
