"""Benchmark: the committee report for a synthetic 1,000-measure council, whole, in one run.

    python benchmarks/report.py [--measures 1000] [--weasyprint default|full|both|none]
                                [--html-only] [--breakdown]

The demo register (53 measures) is repeated with suffixed codes to 1,000 measures, with its
three years of monthly/quarterly/annual history. Printed, side by side:

- **data + HTML** in this process, best and median of 5: scoring the period and its
  12-period history (values parsed and the register prepared once), each measure's XmR chart
  and its variation and assurance (``charts_at``, ``spc_of_charts``: what
  :func:`~xlperf.report.report_data_from_master` adds, and every card draws), and rendering
  the HTML. Three ways, alternating run by run: the report's own (the past periods' statuses
  from a ledger that froze them, as refreshes of those periods did: the history is recorded
  in a temporary ledger first, not timed; only each measure's due period and what the ledger
  did not freeze are rated), the one before it (every period rated, the frozen statuses
  put over them), and the plain way, the baseline (``xlperf.score`` called once for each of
  the 13 periods, each parsing the values and preparing the register again, as the report
  did when the issue was filed). All give the same history and the same HTML (checked);
- **the whole PDF** (every page, not an extrapolation) of two packs: the **full** pack
  (a card for every measure beyond tolerance or worsening at all: the pack of before the card
  policy) and the **default** pack (the card policy's defaults, ``xlperf.core.cards``),
  through the **browser** found on the machine and through **WeasyPrint** (default pack only
  unless ``--weasyprint full`` or ``both``: the full pack takes minutes and GBs there). Each
  PDF is printed by a fresh child process started by ``/usr/bin/time -v``: its time, the CPU
  time of its whole process tree (steadier than wall time on a loaded machine), the
  peak RSS of its largest process (what ``time`` reports: the child or a process it waited for,
  such as the browser's renderer), and the peak PSS of its whole process tree (Python,
  playwright's driver and every browser process, shared pages shared out). For the browser,
  how its time splits between loading the page (``page.goto``: parse, style, screen layout)
  and printing (``page.pdf``: print layout, paint, tags, PDF), and each pack's pages by
  section.

``--breakdown`` also prints the default pack untagged (what the tags cost), the default pack
with each chart replaced by an empty box of its size (what the SVG costs), and the floor: as
many pages as the default pack, one heading and one line each, with the pack's style sheet,
tagged (what printing that many pages costs whatever is on them).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _measure  # noqa: E402

from xlperf import demo  # noqa: E402
from xlperf.core.budget import score_budget, score_capital  # noqa: E402
from xlperf.core.cards import parse_card_policy  # noqa: E402
from xlperf.core.measures import prepare_measures  # noqa: E402
from xlperf.core.periods import parse_period  # noqa: E402
from xlperf.core.score import score, score_periods  # noqa: E402
from xlperf.core.spc_scored import charts_at, spc_of_charts  # noqa: E402
from xlperf.report import (  # noqa: E402
    ReportData,
    exceptions,
    find_browser,
    render_html,
    score_with_history,
)
from xlperf.report._data import (  # noqa: E402
    HISTORY_PERIODS,
    _frozen_for_history,
    _history,
    _reporting_points,
)

FULL = parse_card_policy("beyond tolerance, worsening", "0")


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


def frozen_ledger(register: pd.DataFrame, values: pd.DataFrame, folder: str
                  ) -> tuple[pd.DataFrame, float]:
    """A ledger whose past periods were frozen the way each period's refresh froze them (its
    scored frame, a status already frozen kept), and its frozen statuses as the report reads
    them (``Ledger.frozen_statuses``), with the seconds that read took."""
    from xlperf.ledger import Ledger

    prepared = prepare_measures(register)
    past = _reporting_points(parse_period(demo.DEMO_PERIOD), HISTORY_PERIODS)[1:]
    with Ledger(Path(folder, "frozen.ledger.sqlite")) as ledger:
        for scored in score_periods(values, prepared, past, prepared=True):
            ledger.freeze_statuses(scored, period_keys=[], measures=prepared, prepared=True)
        started = time.perf_counter()  # as the report reads them
        frozen = _frozen_for_history(ledger, prepared, parse_period(demo.DEMO_PERIOD))
        return frozen, time.perf_counter() - started


def build(register: pd.DataFrame, values: pd.DataFrame, frozen: pd.DataFrame | None = None, *,
          rate_all: bool = False, plain: bool = False) -> tuple[ReportData, float]:
    """The report's data as :func:`~xlperf.report.report_data_from_master` builds it: the
    register prepared once, the period scored and its history from one parse, the ledger's
    ``frozen`` statuses for the past (``rate_all``: as before, every period rated and the
    frozen statuses put over them), then each measure's XmR chart; and the seconds the charts
    took (their own line)."""
    period = demo.DEMO_PERIOD
    prepared = prepare_measures(register)
    if plain:  # the plain way: xlperf.score once per period, each parsing the values again
        reporting = parse_period(period)
        scored = score(values, register, reporting)
        frames = [score(values, register, p)
                  for p in _reporting_points(reporting, HISTORY_PERIODS)]
        history = _history(frames, HISTORY_PERIODS, frozen)
    elif rate_all:
        reporting = parse_period(period)
        scored, *frames = score_periods(
            values, prepared, [reporting, *_reporting_points(reporting, HISTORY_PERIODS)],
            prepared=True, full=1)
        history = _history(frames, HISTORY_PERIODS, frozen)
    else:
        scored, history = score_with_history(values, prepared, period, prepared=True,
                                             frozen=frozen)
    started = time.perf_counter()
    charts = charts_at(scored, values, prepared)
    scored = pd.concat([scored, spc_of_charts(scored, charts)], axis=1)
    spc = time.perf_counter() - started
    return ReportData(
        council=demo.DEMO_COUNCIL, directorate="Synthetic directorate",
        period=parse_period(period), generated=dt.date(2013, 10, 22), scored=scored,
        history=history, budget=score_budget(demo.demo_budget().iloc[:-1]),
        capital=score_capital(demo.demo_capital()), register=prepared, charts=charts), spc


def child(engine: str, html_path: str, pdf_path: str) -> None:
    """Print one PDF (the measured process); each step on stderr after its seconds since the
    start. ``engine`` ``browser-untagged``: the browser without the tags (what they cost)."""
    from xlperf.report import render_pdf

    started = time.perf_counter()

    def say(step: str) -> None:
        print(f"{time.perf_counter() - started:.2f} {step}", file=sys.stderr, flush=True)

    html = Path(html_path).read_text(encoding="utf-8")
    if engine == "browser-untagged":
        from xlperf.report._pdf import _browser_pdf

        browser = find_browser()
        assert browser is not None
        _browser_pdf(html, Path(pdf_path), browser, say, tagged=False)
        return
    render_pdf(html, pdf_path, engine=engine, progress=say)


def _steps(stderr: str) -> str:
    """The browser's load and print seconds, from the child's timed progress lines."""
    said = dict((line.split(" ", 2)[1], float(line.split(" ", 1)[0]))
                for line in stderr.splitlines() if re.match(r"[\d.]+ \w", line))
    if not {"Laying", "Printing", "Wrote"} <= said.keys():
        return ""
    return (f"; load (page.goto) {said['Printing'] - said['Laying']:.1f} s, print "
            f"(page.pdf) {said['Wrote'] - said['Printing']:.1f} s")


def _sections(path: Path) -> str:
    """Pages per section of a printed pack: each section starts on the first page with its
    title on a line of its own (the contents page numbers its entries)."""
    from xlperf.report._html import SECTION_TITLES

    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True).stdout
    pages = text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")
    starts = {"front": 0}
    for key, title in SECTION_TITLES.items():
        line = re.compile(rf"^\s*{re.escape(title)}\s*$", re.M)
        found = next((i for i, page in enumerate(pages) if line.search(page)), None)
        if found is not None and key != "cover":
            starts[key] = found
    order = sorted(starts.items(), key=lambda kv: kv[1])
    ends = [s for _, s in order[1:]] + [len(pages)]
    return ", ".join(f"{key} {end - start}" for (key, start), end in zip(order, ends,
                                                                        strict=True))


def without_charts(html: str) -> str:
    """The pack with each chart replaced by an empty box of its size (same pages)."""
    def box(found: re.Match[str]) -> str:
        size = re.search(r'width="(\d+)" height="(\d+)"', found.group(0))
        width, height = size.groups() if size else ("0", "0")
        return f'<span style="display:inline-block;width:{width}px;height:{height}px"></span>'

    return re.sub(r"<svg\b.*?</svg>", box, html, flags=re.S)


def floor(html: str, pages: int) -> str:
    """``pages`` pages of one heading and one line each, with the pack's page rules and
    style sheet: what the browser's tagged print of that many pages costs at the least."""
    head = html[:html.index("<body")]
    body = "".join(f'<section class="page"><h2>Page {i + 1}</h2><p>Measure M{i:04d}.</p>'
                   "</section>" for i in range(pages))
    return f"{head}<body>{body}</body></html>"


def _pages(path: Path) -> int:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True)
    found = re.search(r"Pages:\s+(\d+)", out.stdout)
    return int(found.group(1)) if found else 0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--measures", type=int, default=1000)
    parser.add_argument("--weasyprint", choices=("default", "full", "both", "none"),
                        default="default")
    parser.add_argument("--html-only", action="store_true",
                        help="data + HTML only, no PDF")
    parser.add_argument("--breakdown", action="store_true",
                        help="also print the default pack untagged, without its charts, and "
                             "a floor: as many trivial pages, tagged")
    parser.add_argument("--child", nargs=3, metavar=("ENGINE", "HTML", "PDF"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    register, values = synthetic(args.measures)

    with tempfile.TemporaryDirectory() as folder:
        frozen, read_frozen = frozen_ledger(register, values, folder)
    ways = {"plain": (False, True), "before": (True, False), "now": (False, False)}
    timings: dict[str, list[tuple[float, float, float]]] = {w: [] for w in ways}
    cpu: dict[str, list[float]] = {w: [] for w in ways}  # this process's CPU: steadier
    built_data: dict[str, ReportData] = {}
    for _ in range(5):  # alternating, so both see the same load
        for way, (rate_all, plain) in ways.items():
            started, cpu_started = time.perf_counter(), time.process_time()
            data, spc = build(register, values, frozen, rate_all=rate_all, plain=plain)
            built = time.perf_counter() - started
            started = time.perf_counter()
            html = render_html(data)
            timings[way].append((built, spc, time.perf_counter() - started))
            cpu[way].append(time.process_time() - cpu_started)
            built_data[way] = data
    data = built_data["now"]
    for way in ("before", "plain"):
        pd.testing.assert_frame_equal(data.history, built_data[way].history)
        assert render_html(built_data[way]) == html
    full = replace(data, cards=FULL)
    packs = {"default": html, "full": render_html(full)}
    cards = {"default": len(exceptions(data.scored, data.cards, data.register)),
             "full": len(exceptions(data.scored, FULL, data.register))}
    print(f"{len(data.scored):,} measures, {len(data.history):,} history rows "
          f"({int(data.history['frozen'].sum()):,} of them frozen in the ledger; reading its "
          f"{len(frozen):,} frozen statuses took {read_frozen:.2f} s, not timed below); "
          f"cards: full pack {cards['full']}, default pack {cards['default']}")
    words = {"plain": "xlperf.score per period (plain)  ",
             "before": "every past period rated (before)",
             "now": "the ledger's frozen past (now)   "}
    for way, runs in timings.items():
        best = min(runs, key=lambda t: t[0] + t[2])
        totals = sorted(t[0] + t[2] for t in runs)
        print(f"{words[way]}: data {best[0]:5.2f} s (score + 12-period history "
              f"{best[0] - best[1]:.2f} s, XmR charts {best[1]:.2f} s)   HTML {best[2]:5.2f} s"
              f"   data + HTML {best[0] + best[2]:5.2f} s (best of 5; median "
              f"{totals[len(totals) // 2]:.2f} s; CPU best {min(cpu[way]):.2f} s, median "
              f"{sorted(cpu[way])[len(runs) // 2]:.2f} s)")
    now = min(t[0] + t[2] for t in timings["now"])
    print(f"{len(html) / 1e6:.1f} MB of HTML, the same text all three ways; the report's way "
          f"takes {now / min(t[0] + t[2] for t in timings['plain']):.2f}x the plain way's "
          "time (best against best)")

    if args.html_only:
        print(f"load average while running: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        return
    browser = find_browser()
    runs = []
    if browser is not None:
        runs += [("browser", "full"), ("browser", "default")]
    else:
        print("no Chromium, Chrome or Edge found: the browser engine is not measured")
    if args.weasyprint in ("full", "both"):
        runs.append(("weasyprint", "full"))
    if args.weasyprint in ("default", "both"):
        runs.append(("weasyprint", "default"))
    if args.breakdown and browser is not None:
        runs[2:2] = [("browser-untagged", "default"), ("browser", "default, no charts"),
                     ("browser", "floor")]
        packs["default, no charts"] = without_charts(html)
        cards["default, no charts"], cards["floor"] = cards["default"], 0
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    pages: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as folder:
        for pack, text in packs.items():
            Path(folder, f"{pack}.html").write_text(text, encoding="utf-8")
        for engine, pack in runs:
            if pack == "floor":  # as many pages as the default pack printed
                Path(folder, "floor.html").write_text(floor(html, pages.get("default", 500)),
                                                      encoding="utf-8")
            pdf = Path(folder, f"{engine}-{pack}.pdf")
            done = _measure.run([sys.executable, __file__, "--child", engine,
                                 str(Path(folder, f"{pack}.html")), str(pdf)], env=env)
            if done.returncode:
                print(f"PDF {engine} {pack}: failed\n{done.stderr[-2000:]}")
                continue
            name = (browser.name + engine.removeprefix("browser")
                    if engine.startswith("browser") and browser else engine)
            pages.setdefault(pack, _pages(pdf))
            print(f"PDF {pack:7} pack ({cards[pack]:3} cards, {_pages(pdf):3} pages) "
                  f"{name:10}: {done.seconds:6.1f} s ({done.tree_cpu_seconds:6.1f} s of CPU"
                  f"{_steps(done.stderr)}); peak RSS of its largest process "
                  f"{done.own_mb:5.0f} MB, peak PSS of the whole process tree "
                  f"{done.tree_mb:5.0f} MB")
            if pack in ("full", "default") and engine == "browser":
                print(f"    pages by section: {_sections(pdf)}")
    print(f"load average while running: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
