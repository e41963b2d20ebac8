#!/usr/bin/env bash
# Render the demo committee report to PDF and turn its pages into PNG images to look at.
#
#   scripts/report_pages.sh [OUT_DIR] [RESOLUTION]     (defaults: out/report-pages, 60 dpi)
#
# Needs xlperf with the report extra (pip install -e '.[report]'), the pango libraries
# (apt-get install libpango-1.0-0 libpangoft2-1.0-0) and pdftoppm (apt-get install
# poppler-utils). Writes OUT_DIR/demo/ (the refreshed demo master), OUT_DIR/report.html,
# OUT_DIR/report.pdf and OUT_DIR/page-NN.png.
set -euo pipefail
out="${1:-out/report-pages}"
dpi="${2:-60}"
python="${PYTHON:-python}"
[ -x .venv/bin/python ] && python="${PYTHON:-.venv/bin/python}"
mkdir -p "$out"
rm -f "$out"/page-*.png
"$python" - "$out" <<'PY'
import datetime as dt
import shutil
import sys
from pathlib import Path

from xlperf import demo
from xlperf.core.periods import parse_period
from xlperf.ledger import Ledger, ledger_path
from xlperf.refresh import ZipWorkbook, refresh
from xlperf.report import render_html, render_pdf, report_data_from_master
from xlperf.write.shipped import SHIPPED_TIMESTAMP, build_demo_workbooks

out = Path(sys.argv[1])
shutil.rmtree(out / "demo", ignore_errors=True)
files = build_demo_workbooks(out / "demo", timestamp=SHIPPED_TIMESTAMP)
# The ledger starts with the demo's earlier years, as a council's history import would.
start = parse_period(demo.DEMO_PERIOD).start
values = demo.demo_values()
with Ledger(ledger_path(files.master)) as ledger:
    ledger.record_values(values[values["Period"].map(lambda p: parse_period(p).end < start)])
refresh(ZipWorkbook(files.master), now=dt.datetime(2013, 10, 22, 9, 0))
data = report_data_from_master(files.master, generated=dt.date(2013, 10, 22))
html = render_html(data)
(out / "report.html").write_text(html, encoding="utf-8")
render_pdf(html, out / "report.pdf")
print(f"{out / 'report.html'}\n{out / 'report.pdf'}")
PY
pdftoppm -r "$dpi" -png "$out/report.pdf" "$out/page"
ls "$out"/page-*.png | wc -l | xargs echo "PNG pages:"
