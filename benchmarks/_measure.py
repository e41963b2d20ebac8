"""Measuring a command's own time and memory, for the benchmarks.

On Linux a child's peak RSS (``ru_maxrss``, from ``RUSAGE_CHILDREN`` or the child's own
``RUSAGE_SELF``) starts from its parent's memory at fork and survives ``exec``: a 400 MB Python
parent running ``/bin/true`` reports 411 MB. So the measured command is started by
``/usr/bin/time -v`` (a process of a few MB that forks and execs it) and its own peak is the
``Maximum resident set size`` that ``time`` reports. A command that starts processes of its own
(a browser) is also sampled: the sum of the proportional set size (PSS, each shared page
shared out) of the whole process tree, every 50 ms or, when a sample takes longer than
2.5 ms, 20 times as long as it took up to a second (reading a large process's PSS slows it
down), whose peak is the tree's; and every process's CPU time, every 50 ms.
"""

from __future__ import annotations

import os
import re
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

TIME = Path("/usr/bin/time")


@dataclass(frozen=True)
class Measured:
    seconds: float       # wall clock of the command
    own_mb: float        # peak RSS from /usr/bin/time: the command's, or the largest of the
    #                      processes it started and waited for (Linux wait4 semantics), MB
    tree_mb: float       # peak PSS of the command and every process it started, MB
    returncode: int
    stdout: str
    stderr: str
    cpu_seconds: float = float("nan")  # user + system CPU of the command (/usr/bin/time)
    tree_cpu_seconds: float = float("nan")  # user + system CPU of every process of the tree
    #                      (sampled: a browser's processes are not waited for by the command)


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def _tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(_children(p))
    return found


def _pss_kib(pid: int) -> int:
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    found = re.search(r"^Pss:\s+(\d+) kB", text, re.M)
    return int(found.group(1)) if found else 0


def _cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)


def run(command: Sequence[str], *, env: dict[str, str] | None = None,
        cwd: str | Path | None = None) -> Measured:
    """Run ``command`` under ``/usr/bin/time -v``, sampling its process tree's PSS."""
    if not TIME.is_file():
        raise SystemExit("the benchmarks measure memory with /usr/bin/time: apt-get install time")
    report = Path(os.environ.get("TMPDIR", "/tmp")) / f"xlperf-time-{os.getpid()}.txt"
    started = time.perf_counter()
    process = subprocess.Popen([str(TIME), "-v", "-o", str(report), *command],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=env, cwd=cwd)
    peak = [0]
    ticks: dict[int, int] = {}  # each process's CPU ticks when last seen

    def sample() -> None:
        pss_due = 0.0
        while process.poll() is None:
            # The time process itself is a few MB: the measured command is its child.
            tree = _tree(process.pid)[1:]
            # CPU ticks every 50 ms (a cheap read): a process is last seen at most 50 ms
            # before it ends, so its CPU is nearly all counted (sampled once every few
            # seconds, as the PSS may be, the tree's CPU came out 10-70 % short).
            ticks.update({p: _cpu_ticks(p) for p in tree})
            now = time.perf_counter()
            if now >= pss_due:
                # Reading smaps_rollup walks each process's page tables under its memory
                # lock: at every 50 ms it slowed a browser printing a large PDF 2-3x on 2
                # cores. Wait 20x what a sample took (50 ms to 1 s), so sampling costs at
                # most 5 % of a core.
                peak[0] = max(peak[0], sum(_pss_kib(p) for p in tree))
                pss_due = now + min(1.0, max(0.05, 20 * (time.perf_counter() - now)))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = process.communicate()
    seconds = time.perf_counter() - started
    sampler.join()
    text = report.read_text() if report.is_file() else ""
    report.unlink(missing_ok=True)
    own = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    cpu = re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", text)
    return Measured(seconds, int(own.group(1)) / 1024 if own else float("nan"),
                    peak[0] / 1024, process.returncode, out, err,
                    sum(map(float, cpu)) if len(cpu) == 2 else float("nan"),
                    sum(ticks.values()) / os.sysconf("SC_CLK_TCK"))
