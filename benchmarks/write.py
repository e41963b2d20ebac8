"""Benchmark: writing a 1,000-row Scorecard into a master, lossless writer beside openpyxl.

    python benchmarks/write.py [--measures 1000] [--history 60000]

Builds a master in a temporary folder (a register of ``--measures`` measures, a history sheet of
``--history`` rows, a chart, a table, conditional formats), then in the same run:

- openpyxl: ``load_workbook`` + write the Scorecard cell by cell + ``save`` (the naive way, which
  also rewrites and loses parts of the user's workbook);
- xlperf: :func:`xlperf.write.lossless.write_sheets` (first run adds the sheet, second replaces
  it, best of 3), with the peak memory of the Python allocations (tracemalloc) of the lossless run.

Prints seconds per approach and how many zip parts each one changed.
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time
import tracemalloc
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.chart import LineChart, Reference
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.table import Table

from xlperf.write.lossless import CellStyle, SheetContent, write_sheets

HEADER = CellStyle(bold=True, color="#FFFFFF", fill="#1D70B8")
STATUS = {"Red": CellStyle(fill="#D4351C", color="#FFFFFF"),
          "Amber": CellStyle(fill="#F47738"), "Green": CellStyle(fill="#00703C", color="#FFFFFF")}
COLUMNS = ["Code", "Measure", "Owner", "Actual", "Target", "Annual target", "Status", "Variance",
           "Variance %", "Direction", "Trend", "Note", "Reported", "Explanation"]


def build_master(path: Path, measures: int, history: int) -> None:
    rng = random.Random(1)
    wb = openpyxl.Workbook()
    reg = wb.active
    reg.title = "Register"
    reg.append(["Code", "Measure", "Owner", "Polarity", "Target"])
    for i in range(measures):
        reg.append([f"PI{i:04}", f"Measure {i}", f"Owner {i % 40}", "Bigger is better",
                    round(rng.uniform(10, 90), 1)])
    reg.add_table(Table(displayName="Register", ref=f"A1:E{measures + 1}"))
    reg.conditional_formatting.add(f"E2:E{measures + 1}", CellIsRule(
        operator="lessThan", formula=["20"], fill=PatternFill("solid", fgColor="F4CCCC")))
    hist = wb.create_sheet("History")
    hist.append(["Code", "Period", "Value"])
    for i in range(history):
        hist.append([f"PI{i % measures:04}", f"Q{i % 4 + 1} 20{10 + i // (4 * measures)}",
                     round(rng.uniform(0, 100), 2)])
    chart = LineChart()
    chart.add_data(Reference(hist, min_col=3, min_row=1, max_row=50), titles_from_data=True)
    reg.add_chart(chart, "H2")
    wb.save(path)


def scorecard(measures: int) -> SheetContent:
    rng = random.Random(2)
    rows: list[list] = [COLUMNS]
    styles: list[list] = [[HEADER] * len(COLUMNS)]
    for i in range(measures):
        status = rng.choice(list(STATUS))
        actual, target = round(rng.uniform(0, 100), 1), round(rng.uniform(10, 90), 1)
        rows.append([f"PI{i:04}", f"Measure {i}", f"Owner {i % 40}", actual, target, target,
                     status, actual - target, (actual - target) / target, "Improving",
                     "▁▂▃▅▆▇", "=not a formula", True, f"Measure {i} is {status}."])
        styles.append([None, None, None, CellStyle(number_format="0.0"), None, None,
                       STATUS[status], None, CellStyle(number_format="0%")])
    return SheetContent(rows=rows, styles=styles, widths=[8, 40, 16] + [11] * 11, freeze="C2")


def with_openpyxl(path: Path, content: SheetContent) -> float:
    start = time.perf_counter()
    wb = openpyxl.load_workbook(path)
    ws = wb["Scorecard"] if "Scorecard" in wb.sheetnames else wb.create_sheet("Scorecard")
    bold = Font(bold=True, color="FFFFFF")
    for r, row in enumerate(content.rows, 1):
        for c, value in enumerate(row, 1):
            cell = ws.cell(r, c, value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"
            if r == 1:
                cell.font = bold
    wb.save(path)
    return time.perf_counter() - start


def changed_parts(a: Path, b: Path) -> int:
    with zipfile.ZipFile(a) as za, zipfile.ZipFile(b) as zb:
        old = {n: za.read(n) for n in za.namelist()}
        new = {n: zb.read(n) for n in zb.namelist()}
    return sum(1 for n in old if new.get(n) != old[n]) + len(set(new) - set(old))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--measures", type=int, default=1000)
    parser.add_argument("--history", type=int, default=60000)
    args = parser.parse_args()
    content = scorecard(args.measures)
    with tempfile.TemporaryDirectory() as tmp:
        master = Path(tmp) / "master.xlsx"
        build_master(master, args.measures, args.history)
        size = master.stat().st_size
        naive, mine = Path(tmp) / "naive.xlsx", Path(tmp) / "lossless.xlsx"
        shutil.copyfile(master, naive)
        shutil.copyfile(master, mine)
        t_naive = with_openpyxl(naive, content)
        first = write_sheets(mine, {"Scorecard": content}).seconds
        second = min(write_sheets(mine, {"Scorecard": content}).seconds for _ in range(3))
        tracemalloc.start()  # a separate run: tracing slows the code down
        write_sheets(mine, {"Scorecard": content})
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        n_parts = len(zipfile.ZipFile(master).namelist())
        print(f"master: {args.measures} measures, {args.history:,} history rows, "
              f"{size / 1e6:.1f} MB, {n_parts} parts; Scorecard {len(content.rows)} x "
              f"{len(COLUMNS)}")
        print(f"openpyxl load + cells + save : {t_naive:6.2f} s, "
              f"{changed_parts(master, naive)} of {n_parts} parts changed")
        print(f"lossless writer, first run   : {first:6.2f} s (adds the sheet)")
        print(f"lossless writer, replacing   : {second:6.2f} s (best of 3), "
              f"{changed_parts(master, mine)} parts changed in all, "
              f"peak Python memory {peak / 1e6:.0f} MB")
        print(f"speed-up: {t_naive / second:.0f}x")


if __name__ == "__main__":
    main()
