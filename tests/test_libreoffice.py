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
    # Two lines and their total, which LibreOffice works out: 21,450 + 16,980 gross and
    # 18,900 + 15,239 net.
    total = next(line for line in texts[finance.name].splitlines() if "Total" in line)
    assert total.split()[:3] == ["Total", "38,430", "34,139"], total
    # LibreOffice works out the Slippage formula: School places expansion's 5,000 base budget
    # against its 4,200 estimate leaves 800.
    schools = next(line for line in texts[capital.name].splitlines()
                   if "School places expansion" in line)
    assert schools.split()[-3:] == ["5,000", "4,200", "800"], schools
    assert "Capital programme return" in texts[capital.name]
    total = next(line for line in texts[capital.name].splitlines() if "Total" in line)
    assert total.split() == ["Total", "7,650", "6,750", "0", "950"], total
    whole = texts[master.name]
    for text in ("Scorecard", "KIGS CH01", "Directorate total", "Green plus"):
        assert text in whole, text


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is needed")
def test_totals_a_spreadsheet_worked_out_pass_the_validator(tmp_path):
    """A finance and a capital return filled in, then opened and saved by a spreadsheet
    application (which stores each formula's result): the totals hold the sums of the lines,
    and the validator finds them adding up (FIN-002 only fires on a total that does not)."""
    import pandas as pd
    from openpyxl import load_workbook

    import xlperf
    from xlperf.read import read_master
    from xlperf.write.templates import fill_return

    master = build_demo_master(tmp_path / "master.xlsx")
    infos = build_templates(master, "Q2 2013/14", tmp_path / "templates")
    finance = next(i.path for i in infos if i.service == "Pauline Sharratt")
    capital = next(i.path for i in infos if i.kind == "capital")
    filled = tmp_path / "filled"
    fill_return(finance, pd.DataFrame({
        "Service area": ["Children in care", "Safeguarding and family support"],
        "Forecast outturn": [18_950, 15_239], "Explanation": ["", ""]}),
        filled / finance.name)
    fill_return(capital, pd.DataFrame({
        "Programme": ["School places expansion", "Family hubs"],
        "Actual to date": [2_100, 310]}), filled / capital.name)
    saved = tmp_path / "saved"
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless",
                    "--convert-to", "xlsx", "--outdir", str(saved),
                    str(filled / finance.name), str(filled / capital.name)],
                   capture_output=True, timeout=180, check=True)
    ws = load_workbook(saved / finance.name, data_only=True)["Finance"]
    assert [ws.cell(15, c).value for c in range(1, 5)] == ["Total", 38_430, 34_139, 34_189]
    ws = load_workbook(saved / capital.name, data_only=True)["Capital"]
    assert [ws.cell(17, c).value for c in range(1, 5)] == ["Total", 7_650, 6_750, 2_410]
    facts = read_master(master)
    for name in (finance.name, capital.name):
        report = xlperf.validate_return(saved / name, master=facts)
        assert not [f for f in report.findings if f.rule == "FIN-002"], report.to_frame()
        on_total = [f for f in report.findings
                    if f.cell and f.cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ") in ("15", "17")]
        assert not on_total, report.to_frame()  # the total is not a line: no FIN-001/007


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice (soffice) and poppler-utils (pdftotext) are needed")
def test_an_annotated_copy_shows_each_problem_cells_symbol(tmp_path):
    """The annotated copy sent back to a service: a spreadsheet application shows the
    symbol in the cell (✖ 150), not only the fill colour, while the cell still holds 150."""
    from openpyxl import load_workbook

    import xlperf
    from xlperf.read import read_master
    from xlperf.validate.annotate import annotate

    master = build_demo_master(tmp_path / "master.xlsx")
    infos = build_templates(master, "Q2 2013/14", tmp_path / "templates")
    template = next(i.path for i in infos if i.service == "Safeguarding")
    filled = tmp_path / "returns" / template.name
    filled.parent.mkdir()
    wb = load_workbook(template)
    wb["Return"]["H13"], wb["Return"]["H14"] = 150, "TBC"  # a % of 150; no data
    wb.save(filled)
    report = xlperf.validate_return(filled, master=read_master(master))
    flagged = {f.cell: f for f in report.findings if f.rule in ("PERF-008", "PERF-005")}
    copy = annotate(report, tmp_path / "annotated")
    ws = load_workbook(copy)["Return"]
    out = tmp_path / "pdf"
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(out), str(copy)],
                   capture_output=True, timeout=180, check=True)
    text = subprocess.run(["pdftotext", "-layout", str(out / (copy.stem + ".pdf")), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert {c: f.rule for c, f in flagged.items()} == {"H13": "PERF-008", "H14": "PERF-005"}
    assert ws["H13"].value == 150 and ws["H14"].value == "TBC"
    assert "✖ 150" in text and "? TBC" in text
