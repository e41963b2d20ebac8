"""Checked as a person would: the refreshed demo master's Scorecard and an annotated return,
printed to PDF by LibreOffice and read back with poppler (``pdfinfo``, ``pdftotext -bbox``).

A4 pages, the smallest text on the Scorecard at 8 pt or more, every column header printed in
full, every measure's code on the paper, and the footer's "Page 1 of N".
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from xlperf.demo import demo_register
from xlperf.layout import OUTPUT_SHEETS, RETURN_HEADER_ROW, SCORECARD_KEY_COLUMNS

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(any(shutil.which(t) is None for t in
                                     ("soffice", "pdfinfo", "pdftotext")),
                                 reason="LibreOffice and poppler-utils are needed")]

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "render_sheets.py"
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                   r"([^<]*)</word>")


def _script():
    from _workbook_helpers import module_from_file

    return module_from_file(SCRIPT, "render_sheets")


def _pages(pdf: Path) -> list[tuple[float, float]]:
    out = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(pdf)], capture_output=True,
                         text=True, check=True).stdout
    return [(float(w), float(h)) for w, h in
            re.findall(r"Page +\d+ size: +([\d.]+) x ([\d.]+) pts", out)]


def _words(pdf: Path) -> list[tuple[float, str, int]]:
    """(box height in points, text, page) of every word."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    words = []
    for page, body in enumerate(html.split("<page ")[1:], 1):
        for _x0, y0, _x1, y1, text in _WORD.findall(body):
            words.append((float(y1) - float(y0), text.replace("&amp;", "&"), page))
    return words


def _text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout


def test_the_printed_scorecard_and_annotated_return(tmp_path: Path) -> None:
    render = _script()
    master, annotated = render.build(tmp_path)
    scorecard = render.only_sheets(master, tmp_path / "Scorecard.xlsx", {"Scorecard"})
    exceptions = render.only_sheets(master, tmp_path / "Exceptions.xlsx", {"Exceptions"})
    objectives = render.only_sheets(master, tmp_path / "Objectives.xlsx", {"Objectives"})
    finance = render.only_sheets(master, tmp_path / "Finance.xlsx", {"Finance"})
    issues = render.only_sheets(annotated, tmp_path / "annotated.xlsx", {"Issues"})
    render.to_pdf([scorecard, exceptions, objectives, finance, issues], tmp_path / "pdf",
                  tmp_path)
    pdf = tmp_path / "pdf" / "Scorecard.pdf"

    pages = _pages(pdf)
    assert pages and all(abs(w - 841.9) < 1 and abs(h - 595.3) < 1 for w, h in pages), pages
    words = _words(pdf)
    smallest = min(h for h, _t, _p in words)
    assert smallest >= 8.0, f"the smallest text on the printed Scorecard is {smallest:.1f} pt"

    printed = {t for _h, t, _p in words}
    spec = next(s for s in OUTPUT_SHEETS if s.name == "Scorecard")
    for header in spec.headers[:SCORECARD_KEY_COLUMNS]:
        for word in header.split():  # a header may wrap, but each word is whole on the page
            assert word in printed, f"column header {header!r} is cut on paper"

    import python_calamine as pc

    grid = pc.CalamineWorkbook.from_path(str(master)).get_sheet_by_name("Scorecard").to_python()
    codes = [str(r[0]) for r in grid[4:] if r[2]]  # rows with a status are measures
    text = " ".join(_text(pdf).split())
    missing = [c for c in codes if " ".join(c.split()) not in text]
    assert len(codes) == len(demo_register()) and not missing, (len(codes), missing)
    assert f"Page 1 of {len(pages)}" in text

    # The Exceptions sheet prints two pages wide (its commentary): each page repeats the
    # header row and each row's code and measure, so no page is bare figures.
    pdf = tmp_path / "pdf" / "Exceptions.pdf"
    words = _words(pdf)
    listed = [str(r[0]) for r in pc.CalamineWorkbook.from_path(str(master)).get_sheet_by_name(
        "Exceptions").to_python()[4:] if r[0]]
    first_words = {code.split()[0] for code in listed}
    pages = _pages(pdf)
    assert len(pages) > 1
    for page in range(1, len(pages) + 1):
        on_page = {t for _h, t, p in words if p == page}
        assert {"Code", "Measure"} <= on_page and first_words & on_page, page
    assert min(h for h, _t, _p in words) >= 8.0

    # The Objectives sheet's headers wrap at their words in narrow columns ("◐ On target
    # (upper half)" in 8 characters): the header row is tall enough for every word of them,
    # and the Finance sheet's long Source notes wrap in their column instead of running off
    # it and shrinking the page: both print at 8 pt or more.
    for name in ("Objectives", "Finance"):
        pdf = tmp_path / "pdf" / f"{name}.pdf"
        words = _words(pdf)
        assert min(h for h, _t, _p in words) >= 8.0, name
        text = " ".join(_text(pdf).split())
        header = next(r for r in pc.CalamineWorkbook.from_path(str(master)).get_sheet_by_name(
            name).to_python() if r and r[0] in ("Priority", "Service area"))
        for cell in header:
            for word in str(cell).split():
                assert word in text, (name, cell, word)

    # LibreOffice also prints the return sheet (its own print area), after the Issues pages:
    # those are the pages whose header names the Issues sheet.
    issues_pdf = tmp_path / "pdf" / "annotated.pdf"
    words = _words(issues_pdf)
    on_issues = {p for _h, t, p in words if t == "Issues:"}
    sizes = _pages(issues_pdf)
    assert on_issues and all(abs(sizes[p - 1][0] - 841.9) < 1 and abs(sizes[p - 1][1] - 595.3)
                             < 1 for p in on_issues)
    issue_text = " ".join(_text(issues_pdf).split())
    assert f"Issues found in {annotated.name}" in issue_text
    assert f"Page 1 of {len(sizes)}" in issue_text  # N counts every page printed
    assert min(h for h, _t, p in words if p in on_issues) >= 8.0
    # the return's own sheets (Return, Milestones) at a size a service can read and sign
    # (one page wide, a performance return's 15 columns printed in 4-5 pt type), the header
    # row and each row's code on every page
    on_return = set(range(1, len(sizes) + 1)) - on_issues
    assert len(on_return) > 2
    assert min(h for h, _t, p in words if p in on_return) >= 7.5
    book = pc.CalamineWorkbook.from_path(str(annotated))
    codes = {str(row[column]).split()[0]
             for sheet, column in (("Return", 0), ("Milestones", 1))
             for row in book.get_sheet_by_name(sheet).to_python()[RETURN_HEADER_ROW:]
             if row[column]}
    for page in on_return:
        on_page = {t for _h, t, p in words if p == page}
        assert "Code" in on_page and codes & on_page, page


def test_the_masters_guide_and_register_print_on_a4_landscape_with_their_headers(
        tmp_path: Path) -> None:
    """The sheets the council fills in print as the output sheets do: the Guide one page wide
    (its explanations beside the sheet and column they explain, not on pages of their own),
    the register of measures as few pages wide as keep 8 pt text, its header row and codes on
    every page; the council and the sheet at the top, "Page n of N" at the foot."""
    from xlperf.demo import DEMO_COUNCIL
    from xlperf.write.shipped import build_demo_workbooks

    render = _script()
    files = build_demo_workbooks(tmp_path / "demo")
    sheets = {name: render.only_sheets(files.master, tmp_path / f"{name}.xlsx", {name})
              for name in ("Guide", "Measures")}
    render.to_pdf(list(sheets.values()), tmp_path / "pdf", tmp_path)

    codes = [str(c) for c in demo_register()["Code"]]
    for name in sheets:
        pdf = tmp_path / "pdf" / f"{name}.pdf"
        pages = _pages(pdf)
        assert pages and all(abs(w - 841.9) < 1 and abs(h - 595.3) < 1 for w, h in pages), (
            name, pages)
        words = _words(pdf)
        assert min(h for h, _t, _p in words) >= 8.0, name
        for page in range(1, len(pages) + 1):
            on_page = " ".join(t for _h, t, p in words if p == page)
            assert DEMO_COUNCIL.split()[0] in on_page and name in on_page, (name, page)
            assert f"Page {page} of {len(pages)}" in on_page, (name, page)
            if name == "Guide":  # the header row on every page, its three columns together
                assert "Sheet" in on_page and "What to type" in on_page, page
            else:  # the header row and its rows' codes on every page, however many wide
                assert "Code" in on_page, page
                assert any(f" {code} " in f" {on_page} " for code in codes), page
    guide = " ".join(_text(tmp_path / "pdf" / "Guide.pdf").split())
    # a column's explanation is printed on its line beside it, not pages later
    from xlperf.layout import MEASURES

    said = next(c.help for c in MEASURES.columns if c.header == "Polarity")
    assert f"Polarity {' '.join(said.split()[:4])}" in guide
