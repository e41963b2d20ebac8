"""Print the refreshed demo master's output sheets and an annotated return to PDF and PNG.

    python scripts/render_sheets.py [OUT_DIR]      (default docs/img)

Builds the demo council's workbooks in a temporary folder, seeds the ledger with the demo
history, refreshes the master, then prints with LibreOffice (``soffice``) and turns the first
page of each of Scorecard, Objectives, Exceptions and Finance, and of an annotated return's
Issues sheet and return sheet, into PNGs with poppler (``pdftoppm``): what a person sees on
paper. Needs LibreOffice and poppler-utils.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

PERIOD = "Q2 2013/14"
SHEETS = ("Scorecard", "Objectives", "Exceptions", "Finance")


def only_sheets(source: Path, target: Path, keep: set[str]) -> Path:
    """A copy of ``source`` with every sheet but ``keep`` hidden (LibreOffice prints only
    visible sheets); the first kept sheet is made active."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w",
                                                         zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/workbook.xml":
                text = data.decode("utf-8")
                names = re.findall(r'<sheet [^>]*name="([^"]+)"', text)
                first = next(i for i, n in enumerate(names) if n in keep)

                def hide(match: re.Match[str]) -> str:
                    tag = re.sub(r'\s+state="[^"]*"', "", match.group(0))
                    name = re.search(r'name="([^"]+)"', tag).group(1)  # type: ignore[union-attr]
                    hidden = tag.replace("<sheet ", '<sheet state="hidden" ', 1)
                    return tag if name in keep else hidden

                text = re.sub(r"<sheet [^>]*/>", hide, text)
                text = re.sub(r'activeTab="\d+"', f'activeTab="{first}"', text)
                text = re.sub(r'firstSheet="\d+"', f'firstSheet="{first}"', text)
                data = text.encode("utf-8")
            elif info.filename.startswith("xl/worksheets/sheet"):
                data = data.replace(b'tabSelected="1"', b'tabSelected="0"')
            zout.writestr(info, data)
    return target


def to_pdf(files: list[Path], out: Path, work: Path) -> None:
    profile = (work / "lo-profile").as_uri()
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to",
                    "pdf", "--outdir", str(out), *map(str, files)],
                   capture_output=True, timeout=300, check=True)


def build(work: Path) -> tuple[Path, Path]:
    """The refreshed demo master and an annotated return with findings, in ``work``."""
    import pandas as pd

    from xlperf.cli.workbooks import seed_demo_history
    from xlperf.refresh import ZipWorkbook, refresh
    from xlperf.validate import validate_return
    from xlperf.validate.annotate import annotate
    from xlperf.write.shipped import build_demo_workbooks
    from xlperf.write.templates import fill_return

    files = build_demo_workbooks(work / "demo", period=PERIOD)
    seed_demo_history(files.master, PERIOD)
    refresh(ZipWorkbook(files.master))
    template = next(t for t in files.templates if t.service == "Safeguarding")
    # two figures a service might send: a word where a number goes (an error) and a
    # negative count (a query), the other actuals left blank (queries too)
    filled = fill_return(template.path, pd.DataFrame({
        "Code": ["CYP 2.1.4", "KIGS CH01"], "Period": [PERIOD, PERIOD],
        "Actual": ["lots", "-5"]}), work / "filled" / template.path.name)
    report = validate_return(filled, files.master)
    annotated = annotate(report, work / "annotated")
    return files.master, annotated


def _page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0] if args else "docs/img")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        master, annotated = build(work)
        copies = [only_sheets(master, work / f"{name}.xlsx", {name}) for name in SHEETS]
        copies.append(only_sheets(annotated, work / "annotated-issues.xlsx", {"Issues"}))
        copies.append(only_sheets(annotated, work / "annotated-return.xlsx", {"Return"}))
        pdfs = work / "pdf"
        to_pdf(copies, pdfs, work)
        for copy in copies:
            pdf = pdfs / f"{copy.stem}.pdf"
            stem = out / copy.stem.lower()
            # LibreOffice prints a sheet with its own print area even when hidden: the return
            # sheet comes after the Issues pages, so its copy is printed from its last page
            last = _page_count(pdf)
            first = last if copy.stem == "annotated-return" else 1
            subprocess.run(["pdftoppm", "-r", "70", "-f", str(first), "-l", str(first), "-png",
                            str(pdf),
                            str(stem)], check=True)
            for made in sorted(out.glob(f"{stem.name}-*.png")):
                final = out / f"{stem.name}.png"
                shutil.move(made, final)
                print(final)


if __name__ == "__main__":
    main()
