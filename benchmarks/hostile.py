"""Probe: every hostile file of ``tests/_hostile.py`` through validate, refresh and
import-history, each file in its own subprocess under a 512 MB address-space limit and a time
limit; prints tries and failures per probe and door, and the slowest run.

    python benchmarks/hostile.py [--timeout 120] [--only bomb]

A try passes when the command ends within the limits, prints no traceback and refuses the
file with its rule (validate's JSON, the refresh's quarantined findings, import-history's exit
code 2). Run it with ``PYTHONPATH`` pointing at another checkout to probe that code.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from _hostile import hostile_files  # noqa: E402

PERIOD = "Q2 2013/14"
MEMORY = 512 * 1024 * 1024


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def _run(args: list[str], cwd: Path, timeout: float) -> tuple[str, str, int, float]:
    start = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, "-m", "xlperf.cli", *args], cwd=cwd,
                              capture_output=True, text=True, timeout=timeout,
                              preexec_fn=_limit, env={**os.environ, "COLUMNS": "200"})
    except subprocess.TimeoutExpired:
        return "", "TIMEOUT", -1, time.perf_counter() - start
    return done.stdout, done.stderr, done.returncode, time.perf_counter() - start


def _crashed(out: str, err: str) -> str | None:
    if err == "TIMEOUT":
        return "time limit"
    if "MemoryError" in out + err:
        return "MemoryError"
    if "Traceback" in out + err:
        return "traceback"
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("--only", default="", help="only probes whose name contains this")
    options = parser.parse_args()
    from xlperf.cli.workbooks import seed_demo_history
    from xlperf.write.shipped import build_demo_workbooks

    root = Path(tempfile.mkdtemp(prefix="xlperf-hostile-"))
    demo = root / "demo"
    files = build_demo_workbooks(demo, period=PERIOD)
    seed_demo_history(files.master, PERIOD)
    source = demo / "returns" / f"Early Help - {PERIOD.replace('/', '-')}.xlsx"
    probes = {p: v for p, v in hostile_files(source, root / "files",
                                             "http://127.0.0.1:9").items()
              if options.only in p}
    tries: Counter[str] = Counter()
    failures: Counter[str] = Counter()
    slowest: dict[str, float] = {}
    print(f"{'probe':52} {'door':15} result")
    for probe, (path, rule) in probes.items():
        family = probe.split(" in ")[0].split(" (")[0]
        for door in ("validate", "refresh", "import-history"):
            if door == "import-history" and rule in ("FILE-005",):
                continue  # values only: macros do not matter in history
            work = root / "work"
            shutil.rmtree(work, ignore_errors=True)
            shutil.copytree(demo, work)
            if door == "validate":
                out, err, code, seconds = _run(["validate", "--master", "master.xlsx", "--json",
                                                str(path)], work, options.timeout)
                crash = _crashed(out, err)
                ok = crash is None and rule in out
            elif door == "refresh":
                shutil.rmtree(work / "returns")
                (work / "returns").mkdir()
                shutil.copy(path, work / "returns" / path.name)
                out, err, code, seconds = _run(["refresh", "master.xlsx", "--json"], work,
                                               options.timeout)
                crash = _crashed(out, err)
                found = (work / "quarantine" / PERIOD.replace("/", "-")
                         / f"{path.stem}.findings.json")
                ok = crash is None and found.exists() and rule in found.read_text("utf-8")
            else:
                out, err, code, seconds = _run(["import-history", "master.xlsx", str(path)],
                                               work, options.timeout)
                crash = _crashed(out, err)
                ok = crash is None and code == 3
            key = f"{family} / {door}"
            tries[key] += 1
            failures[key] += not ok
            slowest[key] = max(slowest.get(key, 0.0), seconds)
            result = "refused" if ok else (crash or f"not refused (exit {code})")
            print(f"{probe[:52]:52} {door:15} {result} ({seconds:.1f} s)", flush=True)
    print(f"\n{'probe family / door':45} tries  failures  slowest")
    for key in tries:
        print(f"{key:45} {tries[key]:5}  {failures[key]:8}  {slowest[key]:6.1f} s")
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
