"""The browser prints the report from a file of ours (a file:// page, issue 21) and fetches
nothing else: another file on the disk, a web address or a frame named in the HTML is
refused, so a report cannot carry anything from the machine or the network into the PDF."""

from __future__ import annotations

import importlib.util
import re
import subprocess
from pathlib import Path

import pytest

from xlperf.report import find_browser, render_pdf

PICTURE = Path(__file__).parents[1] / "docs" / "img" / "report-objectives.png"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(find_browser() is None or importlib.util.find_spec("playwright") is None,
                       reason="no Chromium, Chrome or Edge (or playwright) here"),
]


def test_only_the_report_itself_is_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret word.txt"  # a space: the file URL is escaped
    secret.write_text("SWORDFISH", encoding="utf-8")
    html = ("<!DOCTYPE html><html lang=\"en-GB\"><head><meta charset=\"utf-8\"><title>t</title>"
            f"</head><body><h1>Pack £ ✔</h1><img src=\"{PICTURE.resolve().as_uri()}\" alt=\"a\">"
            "<img src=\"http://127.0.0.1:9/x.png\" alt=\"b\">"
            f"<iframe src=\"{secret.resolve().as_uri()}\"></iframe>"
            f"<object data=\"{secret.resolve().as_uri()}\"></object></body></html>")
    out = tmp_path / "folder with space" / "pack.pdf"
    render_pdf(html, out, engine="browser")
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Pack £ ✔" in text  # the report itself, read as UTF-8
    assert "SWORDFISH" not in text
    images = subprocess.run(["pdfimages", "-list", str(out)], capture_output=True, text=True,
                            check=True).stdout.splitlines()[2:]
    widths = [int(re.split(r"\s+", line.strip())[3]) for line in images]
    assert all(w < 100 for w in widths), widths  # a broken-image icon at most, not the picture
