"""A real spreadsheet application opens what xlperf writes: LibreOffice headless to PDF."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from xlperf.write.master import build_demo_master
from xlperf.write.templates import build_templates

pytestmark = pytest.mark.slow


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice (soffice) and poppler-utils (pdftotext) are needed")
def test_libreoffice_renders_the_master_and_a_template(tmp_path):
    master = build_demo_master(tmp_path / "master.xlsx")
    infos = build_templates(master, "Q2 2013/14", tmp_path / "templates")
    template = next(i.path for i in infos if i.service == "Safeguarding")
    finance = next(i.path for i in infos if i.kind == "finance")
    capital = next(i.path for i in infos if i.kind == "capital")
    out = tmp_path / "pdf"
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(out), str(template), str(finance),
                    str(capital), str(master)], capture_output=True, timeout=180, check=True)
    texts = {}
    for source in (template, finance, capital, master):
        pdf = out / (source.stem + ".pdf")
        assert pdf.exists() and pdf.stat().st_size > 1000, f"no PDF for {source.name}"
        texts[source.name] = subprocess.run(["pdftotext", "-layout", str(pdf), "-"],
                                            capture_output=True, text=True, check=True).stdout
    page = texts[template.name]
    for text in ("Performance return: Safeguarding", "KIGS CH01", "Q2 2013/14",
                 "Type only in the yellow cells", "Reported status", "perf-safeguarding"):
        assert text in page, text
    assert "Finance return" in texts[finance.name] and "18,900" in texts[finance.name]
    # LibreOffice works out the Slippage formula: School places expansion's 5,000 base budget
    # against its 4,200 estimate leaves 800.
    schools = next(line for line in texts[capital.name].splitlines()
                   if "School places expansion" in line)
    assert schools.split()[-3:] == ["5,000", "4,200", "800"], schools
    assert "Capital programme return" in texts[capital.name]
    whole = texts[master.name]
    for text in ("Scorecard", "KIGS CH01", "Directorate total", "Green plus"):
        assert text in whole, text
