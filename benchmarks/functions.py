"""Benchmark: =XLPERF.STATUS over a 100,000-cell range, beside a per-cell loop of the scalar
function, in the same run.

    python benchmarks/functions.py [--cells 100000] [--loop-cells 5000]

The range goes through ``xlwings.server.custom_functions_call`` (xlwings' real conversion, as
for Excel). The naive baseline calls ``xlperf.status`` once per cell; it is timed on
``--loop-cells`` cells and scaled to the full range (it is linear), so the run stays short.

Note on Linux figures: xlwings' Office.js argument clean-up tries ``from pyodide.ffi import
JsNull`` once per cell, which is a failed import (about 0.2 ms) outside Pyodide. The functions
take their arguments ``raw`` and clean them range-wise, so that cost is not paid here.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import time

os.environ.setdefault("XLWINGS_ON_SERVER", "true")
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import xlwings as xw  # noqa: E402
from xlwings import server  # noqa: E402

import xlperf  # noqa: E402
from xlperf.excel import functions  # noqa: E402

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
    parser.add_argument("--loop-cells", type=int, default=5_000)
    args = parser.parse_args()
    actual, target, polarity = make_cells(args.cells)

    start = time.perf_counter()
    result = call(actual, target, polarity)
    vectorised = time.perf_counter() - start

    sample = min(args.loop_cells, args.cells)
    start = time.perf_counter()
    loop = [xlperf.status(actual[i][0], target[i][0], polarity[i][0], 2) for i in range(sample)]
    naive = (time.perf_counter() - start) * args.cells / sample

    assert [r[0] for r in result[:sample]] == loop, "the range and the loop disagree"
    print(f"XLPERF.STATUS over {args.cells:,} cells via custom_functions_call: {vectorised:.2f} s"
          f" ({vectorised / args.cells * 1e6:.1f} µs per cell)")
    print(f"per-cell loop of xlperf.status (timed on {sample:,} cells, scaled): {naive:.1f} s"
          f" ({naive / args.cells * 1e6:.0f} µs per cell)")
    print(f"speed-up: {naive / vectorised:.0f}x")


if __name__ == "__main__":
    main()
