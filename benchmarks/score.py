"""Benchmark: score 1,000,000 measure-periods, vectorised, beside a naive row-by-row apply.

Both sides compute the same thing for every row: status (RAG, three-symbol or four-band, with an
absolute or relative tolerance), variance, variance % of target and direction of travel. The naive
side is the obvious ``DataFrame.apply(rule, axis=1)`` over a plain-Python scalar rule; the two
results are compared row by row before any time is printed.

    python benchmarks/score.py [--rows 1000000] [--naive-rows N]

``--naive-rows`` times the naive apply on the first N rows only and scales linearly (it is a
row-by-row loop, so its time is proportional to the rows); by default it runs on every row.

Each run writes its figures to ``benchmarks/last/score.json`` and prints the README's table row
made from them; ``--readme`` also puts that row in README.md (a test checks the README's row
against the last run's file, so the README never quotes a ratio no run measured).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd

from xlperf.core.direction import directions
from xlperf.core.status import rate
from xlperf.core.variance import variances

POLARITIES = np.array(["Bigger is better", "Smaller is better", "Data only"], dtype=object)
SCHEMES = np.array(["rag", "three-symbol", "four-band"], dtype=object)
TOL_TYPES = np.array(["absolute", "relative"], dtype=object)


def make_frame(rows: int, seed: int = 7) -> pd.DataFrame:
    """1,000 measures x N periods of synthetic values with some gaps."""
    rng = np.random.default_rng(seed)
    target = np.round(rng.uniform(5, 500, rows), 1)
    actual = np.round(target * rng.normal(1.0, 0.1, rows), 2)
    actual[rng.random(rows) < 0.03] = np.nan
    target[rng.random(rows) < 0.02] = np.nan
    return pd.DataFrame({
        "actual": actual,
        "previous": np.round(actual * rng.normal(1.0, 0.05, rows), 2),
        "target": target,
        # A register has a handful of distinct words: hold them as categoricals, as a reader of
        # a long table would.
        "polarity": pd.Categorical(POLARITIES[rng.choice(3, rows, p=[0.55, 0.4, 0.05])]),
        "tolerance": np.round(rng.uniform(0, 10, rows), 1),
        "tolerance_type": pd.Categorical(TOL_TYPES[rng.integers(0, 2, rows)]),
        "scheme": pd.Categorical(SCHEMES[rng.integers(0, 3, rows)]),
    })


def vectorised(frame: pd.DataFrame) -> pd.DataFrame:
    """The library's way: one call per rule over whole columns."""
    rated = rate(frame["actual"], frame["target"], frame["polarity"], frame["tolerance"],
                 frame["tolerance_type"], frame["scheme"])
    var = variances(rated["actual"], rated["target"])
    return pd.DataFrame({
        "status": rated["status"], "variance": var["variance"],
        "variance_pct": var["variance_pct"],
        "direction": directions(frame["actual"], frame["previous"], frame["polarity"]),
    })


# --- the naive baseline: the same rule for one row, in plain Python -------------------------
_BANDS = {
    "rag": [("Green", 0.0, True), ("Amber", -1.0, True), ("Red", None, True)],
    "three-symbol": [("Green plus", 1.0, False), ("Blue circle", -1.0, True),
                     ("Red diamond", None, True)],
    "four-band": [("Exceeds tolerance", 1.0, False), ("On target (upper half)", 0.0, True),
                  ("On target (lower half)", -1.0, True), ("Below tolerance", None, True)],
}
_SIGN = {"Bigger is better": 1, "Smaller is better": -1, "Data only": 0}


def naive_rule(row: pd.Series) -> tuple[str, float, float, str]:
    a, t, p = row["actual"], row["target"], row["previous"]
    sign = _SIGN[row["polarity"]]
    if a != a:
        status = "No data"
    elif sign == 0:
        status = "Data only"
    elif t != t:
        status = "No target"
    else:
        tol = abs(t) * row["tolerance"] / 100 if row["tolerance_type"] == "relative" else (
            row["tolerance"])
        gap, tol = round(sign * (a - t), 9), round(tol, 9)
        for label, edge, inclusive in _BANDS[row["scheme"]]:
            if edge is None:
                status = label
                break
            threshold = round(edge * tol, 9)
            if (gap >= threshold) if inclusive else (gap > threshold):
                status = label
                break
    variance = round(a - t, 9)
    pct = round(variance / abs(t) * 100, 9) if t == t and t != 0 else float("nan")
    change = round(sign * (a - p), 9)
    if change != change or sign == 0:
        direction = "Not comparable"
    elif change > 0:
        direction = "Improving ↑"
    elif change < 0:
        direction = "Worsening ↓"
    else:
        direction = "No change ↔"
    return status, variance, pct, direction


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--naive-rows", type=int, default=None)
    parser.add_argument("--readme", action="store_true",
                        help="write the measured row into README.md")
    args = parser.parse_args()
    frame = make_frame(args.rows)
    vectorised(frame.head(1000))  # warm caches and lazy imports outside the timing

    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        fast = vectorised(frame)
        best = min(best, time.perf_counter() - start)

    naive_rows = min(args.naive_rows or args.rows, args.rows)
    sample = frame.head(naive_rows)
    start = time.perf_counter()
    slow = pd.DataFrame(sample.apply(naive_rule, axis=1).tolist(),
                        columns=["status", "variance", "variance_pct", "direction"])
    naive_time = (time.perf_counter() - start) * (args.rows / naive_rows)

    head = fast.head(naive_rows)
    assert (head["status"].to_numpy() == slow["status"].to_numpy()).all(), "status differs"
    assert (head["direction"].to_numpy() == slow["direction"].to_numpy()).all()
    np.testing.assert_allclose(head["variance"], slow["variance"].astype(float))
    np.testing.assert_allclose(head["variance_pct"], slow["variance_pct"].astype(float))

    scaled = "" if naive_rows == args.rows else f" (timed on {naive_rows:,} rows, scaled)"
    print(f"measure-periods scored:   {args.rows:,}")
    print(f"xlperf vectorised:        {best:.3f} s (best of 3)")
    print(f"naive DataFrame.apply:    {naive_time:.3f} s{scaled}")
    print(f"speed-up:                 {naive_time / best:.1f}x")
    print("results identical on every compared row: yes")
    figures = {"rows": args.rows, "xlperf_s": round(best, 3), "naive_s": round(naive_time, 1),
               "ratio": round(naive_time / best, 1), "scaled": bool(scaled),
               "load": round(os.getloadavg()[0], 1), "cores": os.cpu_count()}
    LAST.parent.mkdir(exist_ok=True)
    LAST.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    row = readme_row(figures)
    print(f"README row:\n{row}")
    if args.readme:
        readme = ROOT / "README.md"
        text = readme.read_text(encoding="utf-8")
        readme.write_text(re.sub(r"^\| `benchmarks/score.py` \|.*$", row, text, count=1,
                                 flags=re.M), encoding="utf-8")


ROOT = Path(__file__).resolve().parent.parent
LAST = ROOT / "benchmarks" / "last" / "score.json"


def readme_row(figures: dict) -> str:
    """The README's benchmark-table row for this script, from a run's figures."""
    return (f"| `benchmarks/score.py` | score {figures['rows']:,} measure-periods (status, "
            f"variance, %, direction) | {figures['xlperf_s']:.2f} s | `DataFrame.apply`: "
            f"{figures['naive_s']:.0f} s ({figures['ratio']:.0f}x; last run, load "
            f"{figures['load']:g} on {figures['cores']} cores) |")


if __name__ == "__main__":
    main()
