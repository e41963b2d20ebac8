"""Benchmark: =XLPERF.STATUS over a 100,000-cell range, beside per-cell loops of the scalar
path, in the same run.

    python benchmarks/functions.py [--cells 100000] [--loop-cells 100000]

The range goes through ``xlwings.server.custom_functions_call`` (xlwings' real conversion, as
for Excel). The baselines are honest scalar code: ``xlperf.status`` once per cell (plain
Python, no DataFrame: :func:`xlperf.core.status.rate_one`), and the one-cell
``XLPERF_STATUS`` call desktop Excel makes for a formula filled down a column. Each loop is
timed on ``--loop-cells`` cells (all of them by default) and scaled to the range if fewer.

Then the whole ``xlperf status`` command (the same one-measure rule, no typer, numpy or pandas
to load: ``xlperf.cli._status``) beside the same command line through the typer app (the
baseline: what the command ran before), paired, best of 7 processes each, started by
``/usr/bin/time -v`` for its own CPU time and peak RSS, with bytecode compiled as an installed
package has it.

Note on Linux figures: xlwings' Office.js argument clean-up tries ``from pyodide.ffi import
JsNull`` once per cell, which is a failed import (about 0.2 ms) outside Pyodide. The functions
take their arguments ``raw`` and clean them range-wise, so that cost is not paid here.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("XLWINGS_ON_SERVER", "true")
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import xlwings as xw  # noqa: E402
from xlwings import server  # noqa: E402

import xlperf  # noqa: E402
from xlperf.excel import functions  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _measure  # noqa: E402

MESSY = ["TBC", "-", "68.04%", "n/a", None]


def make_cells(n: int, seed: int = 1) -> tuple[list, list, list]:
    rng = random.Random(seed)
    actual = [[rng.choice(MESSY) if rng.random() < 0.05 else round(rng.uniform(0, 100), 2)]
              for _ in range(n)]
    target = [[round(rng.uniform(20, 80), 1)] for _ in range(n)]
    polarity = [[rng.choice(["Bigger is better", "Smaller is better", "High", "Low"])]
                for _ in range(n)]
    return actual, target, polarity


def call(actual: list, target: list, polarity: list) -> list:
    body = {"func_name": "XLPERF_STATUS", "args": [actual, target, polarity, [[2]], [[None]],
                                                   [["rag"]]],
            "version": xw.__version__, "client": "Office.js", "runtime": "1.4"}
    return asyncio.run(server.custom_functions_call(body, functions))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=100_000)
    parser.add_argument("--loop-cells", type=int, default=100_000)
    args = parser.parse_args()
    actual, target, polarity = make_cells(args.cells)

    start = time.perf_counter()
    result = call(actual, target, polarity)
    vectorised = time.perf_counter() - start

    sample = min(args.loop_cells, args.cells)
    start = time.perf_counter()
    loop = [xlperf.status(actual[i][0], target[i][0], polarity[i][0], 2) for i in range(sample)]
    scalar = (time.perf_counter() - start) * args.cells / sample
    start = time.perf_counter()
    cells = [functions.XLPERF_STATUS(actual[i][0], target[i][0], polarity[i][0], 2, None,
                                     "rag")[0][0] for i in range(sample)]
    one_cell = (time.perf_counter() - start) * args.cells / sample

    assert [r[0] for r in result[:sample]] == loop == cells, "the range and the loops disagree"
    print(f"XLPERF.STATUS over {args.cells:,} cells via custom_functions_call: {vectorised:.2f} s"
          f" ({vectorised / args.cells * 1e6:.1f} µs per cell)")
    scaled = "" if sample == args.cells else f" (timed on {sample:,} cells, scaled)"
    print(f"per-cell loop of xlperf.status{scaled}: {scalar:.2f} s"
          f" ({scalar / args.cells * 1e6:.1f} µs per cell)")
    print(f"per-cell loop of the one-cell XLPERF_STATUS (desktop Excel){scaled}: "
          f"{one_cell:.2f} s ({one_cell / args.cells * 1e6:.1f} µs per cell)")
    print(f"range against the scalar loop: {scalar / vectorised:.1f}x; against the one-cell "
          f"calls: {one_cell / vectorised:.1f}x")
    command = shutil.which("xlperf") or str(Path(sys.executable).with_name("xlperf"))
    with tempfile.TemporaryDirectory() as cache:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = cache  # compiled once (the untimed run), as installed
        line = ["status", "91.54", "45.3", "Smaller is better", "--tolerance", "2"]
        # The baseline: the same command line through the typer app (what `xlperf status` ran
        # before its plain path; it loads typer and pydantic), paired run by run.
        typer_path = [sys.executable, "-c", "import sys; sys.argv[0] = 'xlperf'; "
                      "from xlperf.cli import app; app()", *line]
        paths = {"plain path": [command, *line], "typer path": typer_path}
        for arguments in paths.values():
            _measure.run(arguments, env=env)  # compiled once, untimed
        runs: dict[str, list[_measure.Measured]] = {name: [] for name in paths}
        for _ in range(7):
            for name, arguments in paths.items():
                runs[name].append(_measure.run(arguments, env=env))
    for measured in runs.values():
        assert all(r.returncode == 0 and "Red" in r.stdout for r in measured), measured[0].stderr
    assert len({r.stdout for rs in runs.values() for r in rs}) == 1, "the two paths differ"
    for name, measured in runs.items():
        print(f"whole `xlperf status 91.54 45.3 'Smaller is better' --tolerance 2`, {name}: "
              f"best {min(r.seconds for r in measured):.3f} s wall, "
              f"{min(r.cpu_seconds for r in measured):.2f} s CPU of 7 "
              f"({', '.join(f'{r.seconds:.2f}' for r in measured)}), "
              f"peak RSS {max(r.own_mb for r in measured):.0f} MB")
    plain, typed = (min(r.seconds for r in runs[n]) for n in paths)
    cpu_plain, cpu_typed = (min(r.cpu_seconds for r in runs[n]) for n in paths)
    print(f"plain path against the typer path: {typed / plain:.1f}x faster wall, "
          f"{cpu_typed / cpu_plain:.1f}x CPU (best of 7 each)")
    print(f"load average while running: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
