"""Write the master workbook: configuration tables, laid-out output sheets and a guide.

:func:`build_master` writes a master for a council to fill in (an empty register with guidance)
or, given frames, a filled one; :func:`xlperf.write.shipped.build_demo_master` fills it with the
demo council. The layout (sheet names, table names, columns, drop-downs) is
:mod:`xlperf.layout`, and ``docs/master.md`` describes it sheet by sheet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment
from openpyxl.worksheet.worksheet import Worksheet

from xlperf.core.schemes import BUILTIN_SCHEMES, Scheme, schemes_to_frame
from xlperf.layout import (
    COLLECTION_SETTINGS,
    CONFIG_SHEETS,
    MEASURES,
    OUTPUT_HEADER_ROW,
    OUTPUT_NOTE,
    OUTPUT_NOTE_ROW,
    OUTPUT_SHEETS,
    OUTPUT_TITLE_ROW,
    SETTINGS_KNOWN,
    SHEET_ORDER,
    ConfigSheet,
)
from xlperf.settings import read_settings
from xlperf.write import _xlsx

VALIDATION_ROWS = 1000  # drop-downs reach this row, so rows people add get them too


def _version() -> str:
    from xlperf import __version__

    return __version__


def _rows(frame: pd.DataFrame | None, headers: Sequence[str]) -> list[list[Any]]:
    """Rows of ``frame`` in ``headers`` order (missing columns blank)."""
    if frame is None or frame.empty:
        return []
    out = []
    for record in frame.to_dict("records"):
        out.append([record.get(h) for h in headers])
    return out


def _headers(sheet: ConfigSheet, frame: pd.DataFrame | None) -> list[str]:
    """The sheet's columns, then any extra columns the frame carries (kept, not lost)."""
    headers = list(sheet.headers)
    if frame is not None:
        known = {h.casefold() for h in headers}
        headers += [str(c) for c in frame.columns if str(c).casefold() not in known]
    return headers


def _write_config(wb: Workbook, sheet: ConfigSheet, frame: pd.DataFrame | None,
                  scheme_names: Sequence[str]) -> Worksheet:
    ws = wb.create_sheet(sheet.name)
    headers = _headers(sheet, frame)
    by_header = {c.header: c for c in sheet.columns}
    widths = [by_header[h].width if h in by_header else 16 for h in headers]
    formats = {c.header: c.number_format for c in sheet.columns if c.number_format}
    wrap = [c.header for c in sheet.columns if c.wrap]
    last = _xlsx.add_table(ws, sheet.table, headers, _rows(frame, headers), widths=widths,
                           number_formats=formats, wrap=wrap)
    bottom = max(last, VALIDATION_ROWS)
    for index, header in enumerate(headers, start=1):
        column = by_header.get(header)
        if column is None:
            continue
        choices = column.choices
        if sheet is MEASURES and header == "Scheme":
            choices = tuple(scheme_names)
        if choices:
            dv = _xlsx.list_validation(choices, strict=column.strict, prompt=column.help,
                                       title=header)
        elif column.number:
            dv = _xlsx.number_validation(minimum=0 if header == "Tolerance" else None,
                                         prompt=column.help, title=header)
        else:
            dv = None
        _xlsx.validate_column(ws, dv, index, 2, bottom)
    ws.row_dimensions[1].height = 32
    return ws


def _write_output(wb: Workbook, name: str) -> Worksheet:
    spec = next(s for s in OUTPUT_SHEETS if s.name == name)
    ws = wb.create_sheet(spec.name)
    _xlsx.put(ws, OUTPUT_TITLE_ROW, 1, spec.title, font=_xlsx.TITLE_FONT)
    _xlsx.put(ws, OUTPUT_NOTE_ROW, 1, f"{spec.purpose} {OUTPUT_NOTE}", font=_xlsx.GUIDE_FONT)
    _xlsx.header_row(ws, OUTPUT_HEADER_ROW, spec.headers)
    # No column widths, panes or print setup: the first refresh writes them from the content
    # (xlperf.write.outputs), and a sheet keeps its own from then on.
    return ws


def _write_guide(wb: Workbook, council: str) -> Worksheet:
    ws = wb.create_sheet("Guide")
    row = 1
    _xlsx.put(ws, row, 1, f"{council or 'Your council'}: performance master workbook",
              font=_xlsx.TITLE_FONT)
    row += 1
    _xlsx.put(ws, row, 1, "Made by xlperf. Configure the measures, targets, budget and schemes "
              "in the blue-headed tables; xlperf reads them by their headers, so you may reorder "
              "columns, add your own columns and add your own sheets.", font=_xlsx.GUIDE_FONT)
    row = GUIDE_HEADER_ROW
    _xlsx.header_row(ws, row, ("Sheet", "Column", "What to type"))
    for spec in OUTPUT_SHEETS:
        row += 1
        # names at the top of their line, beside the first line of a text that wraps
        _xlsx.put(ws, row, 1, spec.name, font=_xlsx.SUBTITLE_FONT, alignment=_xlsx.TOP)
        _xlsx.put(ws, row, 3, f"{spec.purpose} Written by the refresh.", alignment=_xlsx.WRAP)
    for sheet in CONFIG_SHEETS:
        row += 1
        _xlsx.put(ws, row, 1, sheet.name, font=_xlsx.SUBTITLE_FONT, alignment=_xlsx.TOP)
        _xlsx.put(ws, row, 3, sheet.purpose, alignment=_xlsx.WRAP)
        for column in sheet.columns:
            row += 1
            _xlsx.put(ws, row, 2, column.header, alignment=_xlsx.TOP)
            required = " (required)" if column.header in sheet.required else ""
            choices = f" Choices: {', '.join(column.choices)}." if column.choices else ""
            _xlsx.put(ws, row, 3, column.help + required + choices, alignment=_xlsx.WRAP)
    _xlsx.set_widths(ws, (16, 20, 100))
    ws.freeze_panes = f"A{GUIDE_HEADER_ROW + 1}"
    return ws


GUIDE_HEADER_ROW = 4


RULES_SHEET = "Rules"
RULES_HEADERS = ("Rule", "Severity", "Title", "Message", "How to fix", "Applies to")


def write_rules_sheet(wb: Workbook) -> Worksheet:
    """The validation rule catalogue as a ``Rules`` sheet (table ``tblRules``), so staff see it
    in Excel. The ``Severity`` column is read back by the validator as the council's
    overrides (``error``/``query``; the file-safety rules FILE-001…010 stay errors)."""
    from xlperf.validate.catalogue import load_rules

    ws = wb.create_sheet(RULES_SHEET)
    rows = [(r.id, r.severity, r.title, r.message, r.how_to_fix, r.applies_to)
            for r in load_rules().values()]
    last = _xlsx.add_table(ws, "tblRules", RULES_HEADERS, rows, widths=(11, 10, 34, 70, 60, 12),
                           wrap=("Title", "Message", "How to fix"))
    dv = _xlsx.list_validation(("error", "query"), strict=True,
                               prompt="error: the row is not accepted; query: accepted, the "
                               "service is asked to confirm.", title="Severity")
    _xlsx.validate_column(ws, dv, 2, 2, max(last, 2))
    ws.row_dimensions[1].height = 32
    return ws


def _settings_frame(settings: Mapping[str, Any] | None) -> pd.DataFrame:
    known = {**SETTINGS_KNOWN, **COLLECTION_SETTINGS}
    values = {label: default for label, (_k, default, _n) in known.items()}
    values.update(settings or {})
    rows = [(label, value, known[label][2] if label in known else "")
            for label, value in values.items()]
    return pd.DataFrame(rows, columns=["Setting", "Value", "Notes"])


def build_master(
    path: str | Path,
    *,
    register: pd.DataFrame | None = None,
    targets: pd.DataFrame | None = None,
    budget: pd.DataFrame | None = None,
    capital: pd.DataFrame | None = None,
    schemes: Sequence[Scheme] | None = None,
    settings: Mapping[str, Any] | None = None,
    process_changes: pd.DataFrame | None = None,
    contacts: pd.DataFrame | None = None,
    milestones: pd.DataFrame | None = None,
    projects: pd.DataFrame | None = None,
    risks: pd.DataFrame | None = None,
    timestamp: dt.datetime | None = None,
    audit: pd.DataFrame | None = None,
    judgements: pd.DataFrame | None = None,
) -> Path:
    """Write a master workbook to ``path`` and return the path.

    With no frames the register, targets, budget and capital tables are empty (one blank row
    each, with drop-downs and guidance) and the schemes are the three built-ins. ``settings``
    maps Settings labels (``"Council name"``...) to values; unknown labels are written too.
    ``process_changes``: the ``Process changes`` sheet's rows (``Code``, ``Period``,
    ``Action``, ``Reason``: SPC's rebases and ghosted points, docs/spc.md).
    ``contacts``: the ``Contacts`` sheet's rows (who is chased for each return,
    docs/collection.md); empty by default, when the register's e-mail columns are used.
    ``audit``: the ``Audit`` sheet's rows (internal audit assurance by directorate,
    docs/master.md).
    ``milestones``, ``projects``, ``risks``: the objectives' Milestones, Projects and Risks
    sheets (issue 24, docs/master.md).
    ``judgements``: the ``Judgements`` sheet's rows (Objective, Period, Judgement, Commentary,
    Director: the director's judgement beside the computed one, docs/master.md).
    ``timestamp`` fixes the document dates so the bytes are reproducible.
    """
    scheme_list = list(BUILTIN_SCHEMES.values()) if schemes is None else list(schemes)
    scheme_names = [s.name for s in scheme_list]
    frames: dict[str, pd.DataFrame | None] = {
        "Measures": register, "Targets": targets, "Budget": budget, "Capital": capital,
        "Schemes": schemes_to_frame(scheme_list), "Settings": _settings_frame(settings),
        "Contacts": contacts, "Process changes": process_changes,
        "Milestones": milestones, "Projects": projects, "Risks": risks, "Audit": audit,
        "Judgements": judgements,
    }
    # The council's name and paper as a master read back will have them (the Guide, the
    # title and the print setup of its sheets use them).
    chosen = read_settings((0, label, value) for label, value in (settings or {}).items())[0]
    council, paper = chosen.council, chosen.paper_size
    wb = Workbook()
    wb.remove(wb.active)
    for name in SHEET_ORDER:
        if name == "Guide":
            _write_guide(wb, council)
        elif name == "Rules":
            write_rules_sheet(wb)
        elif name in frames:
            sheet = next(s for s in CONFIG_SHEETS if s.name == name)
            _write_config(wb, sheet, frames[name], scheme_names)
        else:
            _write_output(wb, name)
    settings_ws = wb["Settings"]
    for row in settings_ws.iter_rows(min_row=2, min_col=3, max_col=3):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    # The sheets the council fills in: each wrapped text's row as tall as the text (no
    # spreadsheet grows a row on opening), and printed as the output sheets are.
    outputs = {spec.name for spec in OUTPUT_SHEETS}
    for ws in wb.worksheets:
        if ws.title not in outputs:
            header = GUIDE_HEADER_ROW if ws.title == "Guide" else 1
            _xlsx.fit_wrapped_rows(ws, first_row=header + 1)
            _xlsx.print_setup(ws, header, widths=_xlsx.widths_of(ws), paper=paper,
                              left=council, right=ws.title)
    wb.active = SHEET_ORDER.index("Scorecard")
    wb.properties.title = f"{council} performance master".strip()
    wb.properties.creator = "xlperf"
    wb.custom_doc_props.append(StringProperty(name="xlperf kind", value="master"))
    wb.custom_doc_props.append(StringProperty(name="xlperf xlperf_version", value=_version()))
    if timestamp is not None:
        wb.properties.created = timestamp
    return _xlsx.save(wb, path, timestamp=timestamp)


def __getattr__(name: str) -> object:
    """``build_demo_master`` lives with the other demo builders (:mod:`xlperf.write.shipped`,
    the one writer that reads :mod:`xlperf.demo`); importing it from here still works."""
    if name == "build_demo_master":
        from xlperf.write.shipped import build_demo_master

        return build_demo_master
    raise AttributeError(f"module 'xlperf.write.master' has no attribute {name!r}")
