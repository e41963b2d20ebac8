"""benchmarks/report.py's PDF breakdown, on the demo pack printed by the browser and read back
with poppler: the pages counted per section add up to the PDF's, the pack without its charts
keeps its pages (so the two cost the same paper), and the floor is as many pages, tagged."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from xlperf import demo
from xlperf.report import find_browser, render_pdf

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(find_browser() is None or shutil.which("pdftotext") is None
                                 or importlib.util.find_spec("playwright") is None,
                                 reason="Chromium, playwright and poppler are needed")]

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "report.py"


def _benchmark():
    from _workbook_helpers import module_from_file

    return module_from_file(SCRIPT, "benchmark_report")


def _info(pdf: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    return dict(re.findall(r"^([\w ]+):\s+(.*)$", out, re.M))


def test_sections_no_charts_and_floor(tmp_path: Path) -> None:
    bench = _benchmark()
    register, values = bench.synthetic(len(demo.demo_register()))
    data, _ = bench.build(register, values)
    html = bench.render_html(data)
    pack = render_pdf(html, tmp_path / "pack.pdf", engine="browser")
    pages = int(_info(pack)["Pages"])

    sections = dict((k, int(n)) for k, n in
                    (part.rsplit(" ", 1) for part in bench._sections(pack).split(", ")))
    assert sum(sections.values()) == pages
    assert list(sections)[0] == "front" and {"objectives", "exceptions", "trend"} <= set(
        sections)
    assert all(n > 0 for n in sections.values())

    bare = bench.without_charts(html)
    assert "<svg" in html and "<svg" not in bare
    plain = render_pdf(bare, tmp_path / "bare.pdf", engine="browser")
    assert int(_info(plain)["Pages"]) == pages

    floor = render_pdf(bench.floor(html, pages), tmp_path / "floor.pdf", engine="browser")
    info = _info(floor)
    assert int(info["Pages"]) == pages and info["Tagged"] == "yes"
    text = subprocess.run(["pdftotext", str(floor), "-"], capture_output=True,
                          text=True).stdout
    assert f"Page {pages} of {pages}" in text and "Page 1 of" in text
