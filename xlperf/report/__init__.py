"""The committee report: the scored period as the printed pack councillors read.

Plain inputs in (:class:`ReportData`: a scored frame, a long history frame, scored budget and
capital, the section switches), one self-contained accessible HTML document out
(:func:`render_html`), and a PDF of it (:func:`render_pdf`, optional extra ``xlperf[report]``)
printed by the browser on the machine (Chromium, Chrome or Edge, through playwright) or
WeasyPrint. :func:`report_data_from_master` builds the data from a master workbook;
:func:`build_report` does the whole job in one call (the CLI and the Excel button use it).

This package imports the core and pandas only; playwright or WeasyPrint is imported when a PDF
is written.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from xlperf.report._colours import contrast_ratio, relative_luminance, text_on
from xlperf.report._data import (
    HISTORY_COLUMNS,
    SECTIONS,
    ReportData,
    exceptions,
    history_from_values,
    parse_sections,
    report_data_from_master,
    score_with_history,
)
from xlperf.report._html import render_html
from xlperf.report._pdf import ENGINES, ReportError, choose_engine, find_browser, render_pdf
from xlperf.report._svg import measure_chart, sparkline

FORMATS = ("html", "pdf")

__all__ = [
    "ENGINES",
    "FORMATS",
    "HISTORY_COLUMNS",
    "SECTIONS",
    "ReportData",
    "ReportError",
    "build_report",
    "choose_engine",
    "contrast_ratio",
    "exceptions",
    "find_browser",
    "history_from_values",
    "measure_chart",
    "parse_sections",
    "relative_luminance",
    "render_html",
    "render_pdf",
    "report_data_from_master",
    "score_with_history",
    "sparkline",
    "text_on",
]


def build_report(master: str | Path, out: str | Path | None = None, *, period: Any = None,
                 fmt: str = "html", history: Any = None, generated: Any = None,
                 engine: str = "auto", browser: str | Path | None = None,
                 progress: Callable[[str], None] | None = None,
                 plan: str | None = None) -> Path:
    """Read the master, render the report and write it to ``out`` (default: beside the master,
    ``<stem> report <period>.html`` or ``.pdf``). Returns the path written.

    A PDF is printed by ``engine`` (``auto``: the browser found on the machine, else
    WeasyPrint; see :func:`render_pdf`) with ``browser`` (default: the master's ``Report
    browser`` setting, else the one found); ``progress`` is told each step."""
    if fmt not in FORMATS:
        raise ReportError(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
    if str(engine).strip().lower() not in ENGINES:  # said before the master is read
        raise ReportError(f"PDF engine {engine!r} is not one of {', '.join(ENGINES)}")
    if progress is not None:
        progress(f"Reading {Path(master).name} and its ledger")
    data = report_data_from_master(master, period, history, generated=generated, plan=plan)
    if progress is not None:
        progress(f"Rendering the report: {len(data.scored)} measures")
    html = render_html(data)
    if out is None:
        stem = Path(master).stem
        label = data.period.format("iso").replace("/", "-")
        name = f"{stem} report {label}.{fmt}"
        out = Path(master).with_name(name)
    target = Path(out)
    if fmt == "pdf":
        return render_pdf(html, target, engine=engine, browser=browser or data.browser,
                          progress=progress)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
    except OSError as error:
        raise ReportError(f"cannot write the report {target}: {error}") from None
    return target
