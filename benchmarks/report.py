"""Benchmark: the committee report for a synthetic 1,000-measure council.

    python benchmarks/report.py [--measures 1000] [--pdf-limit 120]

The demo register (53 measures) is repeated with suffixed codes to 1,000 measures, with its
three years of monthly/quarterly/annual history. Printed: building the data (scoring the period
and 12 months of history), rendering the HTML, and rendering the PDF with WeasyPrint. WeasyPrint
lays out about 2-3 pages a second, so the full 1,000-measure PDF (several hundred pages) is
rendered only with ``--pdf-limit 0``; by default the PDF time is measured for the first
``--pdf-limit`` measures and the per-page rate printed, so the run stays bounded.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import pandas as pd

from xlperf import demo
from xlperf.core.budget import score_budget, score_capital
from xlperf.core.measures import prepare_measures
from xlperf.core.periods import parse_period
from xlperf.core.score import score
from xlperf.report import ReportData, history_from_values, render_html, render_pdf


def synthetic(measures: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    register, values = demo.demo_register(), demo.demo_values()
    copies = -(-measures // len(register))
    regs, vals = [], []
    for i in range(copies):
        suffix = f" #{i:02d}" if i else ""
        regs.append(register.assign(Code=register["Code"] + suffix))
        vals.append(values.assign(Code=values["Code"] + suffix))
    reg = pd.concat(regs, ignore_index=True).iloc[:measures]
    kept = set(reg["Code"])
    val = pd.concat(vals, ignore_index=True)
    return reg, val[val["Code"].isin(kept)].reset_index(drop=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--measures", type=int, default=1000)
    parser.add_argument("--pdf-limit", type=int, default=120,
                        help="measures in the timed PDF (0: all of them)")
    args = parser.parse_args()
    register, values = synthetic(args.measures)
    period = demo.DEMO_PERIOD

    started = time.perf_counter()
    scored = score(values, register, period)
    history = history_from_values(values, register, period)
    data = ReportData(
        council=demo.DEMO_COUNCIL, directorate="Synthetic directorate",
        period=parse_period(period), generated=dt.date(2013, 10, 22), scored=scored,
        history=history, budget=score_budget(demo.demo_budget().iloc[:-1]),
        capital=score_capital(demo.demo_capital()), register=prepare_measures(register))
    built = time.perf_counter() - started

    started = time.perf_counter()
    html = render_html(data)
    html_time = time.perf_counter() - started
    assert render_html(data) == html
    print(f"{len(scored):,} measures, {len(history):,} history rows")
    print(f"data (score + 12-period history): {built:6.2f} s")
    print(f"HTML: {html_time:6.2f} s ({len(html) / 1e6:.1f} MB)")

    subset = data
    if args.pdf_limit and args.pdf_limit < len(scored):
        codes = set(scored["code"].iloc[:args.pdf_limit])
        subset = replace(data, scored=scored[scored["code"].isin(codes)],
                         history=history[history["code"].isin(codes)])
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        path = render_pdf(render_html(subset), Path(folder) / "report.pdf")
        pdf_time = time.perf_counter() - started
        pages = _pages(path)
    measured = len(subset.scored)
    print(f"PDF ({measured:,} measures, {pages} pages): {pdf_time:6.2f} s "
          f"({pdf_time / max(pages, 1):.2f} s a page)")
    if measured < len(scored):
        estimate = pdf_time * len(scored) / measured
        print(f"PDF for all {len(scored):,} measures, extrapolated: about {estimate:,.0f} s "
              "(run with --pdf-limit 0 to measure it)")


def _pages(path: Path) -> int:
    import re
    import subprocess

    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True)
    found = re.search(r"Pages:\s+(\d+)", out.stdout)
    return int(found.group(1)) if found else 0


if __name__ == "__main__":
    main()
