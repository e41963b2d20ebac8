"""Benchmark: SPC (XmR chart, the four special-cause rules, variation and assurance with their
sentences) for every measure at once, beside a naive per-measure Python loop, in the same run.

    python benchmarks/spc.py [--measures 1000] [--periods 60] [--big 1000000]
                             [--naive-measures N] [--repeat 9]

Two sizes: ``--measures`` x ``--periods`` (default 1,000 x 60, a large council's whole history)
and ``--big`` measure-periods (default 1,000,000: 10,000 measures x 100 periods). The library
side is ``xlperf.core.spc.spc(values, measures)``: the long frame in, one row per measure out
(the chart of every measure-period is worked out on the way). The naive side is the obvious
loop: for each measure, plain Python lists, the same limits, rules, conflict order, icons and
assurance. Both are compared measure by measure (variation, assurance, mean and limits) before
any time is printed. ``--naive-measures`` times the loop on the first N measures and scales
linearly (each measure costs the same), so the big run stays short.

Timing: one untimed run of the whole frame first (imports, caches, first-touch memory), then
the median (and the fastest) of ``--repeat`` runs for the library side and of 3 runs for the
naive loop (1 in the big run); the load average is printed beside the figures, since the
machine may be shared. Also timed, separately: the charts alone (the arrays ``spc`` summarises)
and ``xmr``, the frame of every measure-period, which ``spc`` does not make.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from xlperf.core._spc_xmr import _chart
from xlperf.core.spc import spc, xmr

POLARITIES = np.array(["Bigger is better", "Smaller is better", "Data only"], dtype=object)


def make_data(measures: int, periods: int, seed: int = 11) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Synthetic histories: noise around a level, some with a shift or a drift, a few gaps."""
    rng = np.random.default_rng(seed)
    level = rng.uniform(10, 500, measures)
    noise = level[:, None] * rng.uniform(0.02, 0.15, measures)[:, None]
    values = level[:, None] + noise * rng.normal(size=(measures, periods))
    shifted = rng.random(measures) < 0.2
    values[shifted, periods * 2 // 3:] += 3 * noise[shifted]
    drift = rng.random(measures) < 0.1
    values[drift] += np.linspace(0, 4, periods)[None, :] * noise[drift]
    values = np.round(values, 1)
    values[rng.random((measures, periods)) < 0.02] = np.nan
    codes = np.array([f"PI {i:05d}" for i in range(measures)], dtype=object)
    long = pd.DataFrame({"code": np.repeat(codes, periods),
                         "period": np.tile(np.arange(1, periods + 1), measures),
                         "value": values.reshape(-1)})
    register = pd.DataFrame({
        "code": codes,
        "polarity": POLARITIES[rng.choice(3, measures, p=[0.55, 0.4, 0.05])],
        "target": np.where(rng.random(measures) < 0.1, np.nan,
                           np.round(level * rng.uniform(0.8, 1.2, measures), 1)),
    })
    return long, register


# --- the naive baseline: one measure at a time, in plain Python ------------------------------
_SIGN = {"Bigger is better": 1, "Smaller is better": -1, "Data only": 0}


def _tidy(v: float) -> float:
    return round(v, 9)


def naive_one(x: list[float], sign: int, target: float, minimum: int = 15, run_length: int = 7,
              trend_length: int = 7) -> tuple[str, str, float, float, float]:
    x = [v for v in x if v == v]
    n = len(x)
    mean = sum(x) / n if n else float("nan")
    if n < minimum:
        return "Not enough data", "Not enough data", mean, float("nan"), float("nan")
    ranges = [abs(x[i] - x[i - 1]) for i in range(1, n)]
    amr = sum(ranges) / len(ranges)
    upper, lower = mean + 2.66 * amr, mean - 2.66 * amr
    near_up, near_low = mean + 2.66 * 2 / 3 * amr, mean - 2.66 * 2 / 3 * amr
    side = [(_tidy(v - mean) > 0) - (_tidy(v - mean) < 0) for v in x]
    high = [False] * n
    low = [False] * n
    found: list[list[int]] = [[0, 0, 0, 0] for _ in range(n)]  # limit, trend, run, 2 of 3
    for i, v in enumerate(x):
        if _tidy(v - upper) > 0:
            found[i][0] = 1
        elif _tidy(v - lower) < 0:
            found[i][0] = -1
    i = 0
    while i < n:  # runs
        j = i
        while j + 1 < n and side[j + 1] == side[i]:
            j += 1
        if side[i] != 0 and j - i + 1 >= run_length:
            for k in range(i, j + 1):
                found[k][2] = side[i]
        i = j + 1
    steps = [0] + [(_tidy(x[i] - x[i - 1]) > 0) - (_tidy(x[i] - x[i - 1]) < 0)
                   for i in range(1, n)]
    rising, falling = [False] * n, [False] * n
    i = 1
    while i < n:  # trends
        j = i
        while j + 1 < n and steps[j + 1] == steps[i]:
            j += 1
        if steps[i] != 0 and j - i + 2 >= trend_length:
            for k in range(i - 1, j + 1):
                (rising if steps[i] > 0 else falling)[k] = True
        i = j + 1
    near = []
    for i, v in enumerate(x):
        inside = found[i][0] == 0
        near.append(1 if inside and _tidy(v - near_up) > 0 else
                    -1 if inside and _tidy(v - near_low) < 0 else 0)
    for end in range(2, n):  # two of three
        trio = range(end - 2, end + 1)
        s = side[end]
        if s != 0 and all(side[k] == s for k in trio) and sum(near[k] == s for k in trio) >= 2:
            for k in trio:
                if near[k] == s:
                    found[k][3] = s
    for i in range(n):
        high[i] = found[i][0] > 0 or rising[i] or found[i][2] > 0 or found[i][3] > 0
        low[i] = found[i][0] < 0 or falling[i] or found[i][2] < 0 or found[i][3] < 0
    last = n - 1
    if high[last] and low[last]:  # rule order: limit, trend, run, two of three
        trend = 1 if rising[last] and not falling[last] else -1 if falling[last] else 0
        special = next(r for r in (found[last][0], trend, found[last][2], found[last][3]) if r)
    else:
        special = 1 if high[last] else -1 if low[last] else 0
    if special == 0:
        word = "Common cause"
    elif sign == 0:
        word = "Special cause high" if special > 0 else "Special cause low"
    else:
        word = ("Special cause of improvement" if special * sign > 0
                else "Special cause of concern")
    if sign == 0:
        assured = "Data only"
    elif target != target:
        assured = "No target"
    elif (sign > 0 and _tidy(target - lower) <= 0) or (sign < 0 and _tidy(target - upper) >= 0):
        assured = "Consistently passing"
    elif (sign > 0 and _tidy(target - upper) >= 0) or (sign < 0 and _tidy(target - lower) <= 0):
        assured = "Consistently failing"
    else:
        assured = "Hit and miss"
    return word, assured, mean, lower, upper


def naive(long: pd.DataFrame, register: pd.DataFrame) -> pd.DataFrame:
    rows = []
    by_code = register.set_index("code")
    for code, group in long.groupby("code", sort=False):
        measure = by_code.loc[code]
        rows.append((code, *naive_one(group["value"].tolist(), _SIGN[measure["polarity"]],
                                      float(measure["target"]))))
    return pd.DataFrame(rows, columns=["code", "variation", "assurance", "mean", "lower",
                                       "upper"])


def timed(work: Callable[[], object], repeat: int) -> tuple[float, float, object]:
    """Median and fastest of ``repeat`` runs of ``work`` (seconds), and its last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), result


def run(measures: int, periods: int, naive_measures: int | None, repeat: int) -> None:
    long, register = make_data(measures, periods)
    spc(long, register)  # warm up outside the timing: imports, caches, first-touch memory
    load = os.getloadavg()[0]
    median, best, fast = timed(lambda: spc(long, register), repeat)
    chart_median, _, _ = timed(lambda: _chart(long, register), repeat)
    frame_median, _, _ = timed(lambda: xmr(long, register), repeat)

    sample_measures = min(naive_measures or measures, measures)
    sample = long.iloc[: sample_measures * periods]
    naive_median, _, slow = timed(lambda: naive(sample, register),
                                  3 if sample_measures == measures else 1)
    naive_time = naive_median * (measures / sample_measures)
    assert isinstance(fast, pd.DataFrame) and isinstance(slow, pd.DataFrame)

    head = fast.set_index("code").loc[slow["code"]]
    assert (head["variation"].to_numpy() == slow["variation"].to_numpy()).all(), "variation"
    assert (head["assurance"].to_numpy() == slow["assurance"].to_numpy()).all(), "assurance"
    for column in ("mean", "lower", "upper"):
        np.testing.assert_allclose(head[column].to_numpy(float), slow[column].to_numpy(float))

    scaled = ("" if sample_measures == measures
              else f" (timed on {sample_measures:,} measures, scaled)")
    counts = fast["variation"].value_counts()
    print(f"measures x periods:       {measures:,} x {periods:,} = {len(long):,} measure-periods")
    print(f"load average (1 min):     {load:.2f} before, {os.getloadavg()[0]:.2f} after")
    print(f"xlperf vectorised:        {median * 1000:.1f} ms (median of {repeat}; fastest "
          f"{best * 1000:.1f} ms)")
    print(f"  of which the charts:    {chart_median * 1000:.1f} ms (limits, rules, icons as "
          "arrays; the rest is the sentences)")
    print(f"xmr, the frame of every measure-period: {frame_median * 1000:.1f} ms (not part of "
          "spc(), which reads one row per measure)")
    print(f"naive per-measure loop:   {naive_time * 1000:.1f} ms{scaled}")
    print(f"speed-up:                 {naive_time / median:.1f}x (medians)")
    print("variations:               " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    print("results identical on every compared measure: yes\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--measures", type=int, default=1000)
    parser.add_argument("--periods", type=int, default=60)
    parser.add_argument("--big", type=int, default=1_000_000)
    parser.add_argument("--naive-measures", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    run(args.measures, args.periods, None, args.repeat)
    if args.big:
        run(max(args.big // 100, 1), 100, args.naive_measures, max(args.repeat // 3, 3))


if __name__ == "__main__":
    main()
