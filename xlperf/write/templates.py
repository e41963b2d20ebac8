"""Return templates: one performance return per service, one finance return per budget holder
and one capital programme return.

Made from a master workbook (:func:`build_templates`) for one reporting period. Each template
has one sheet people fill in (``Return``, ``Finance`` or ``Capital``) with:

- a title block (council, service or budget holder, period, deadline) and a guidance block;
- a header row at :data:`HEADER_ROW` and one row per measure and period from
  :data:`FIRST_DATA_ROW` (performance), per budget line (finance) or per capital programme of
  the quarter (capital);
- layout cells locked and the sheet protected (no password: the protection stops accidents, the
  template identity catches the rest); input cells unlocked and highlighted yellow; drop-downs of
  the measure's status words;
- its identity (:data:`~xlperf.identity.IDENTITY_KEYS`) in custom document properties and
  in a hidden sheet ``xlperf``; the workbook structure is locked so the sheet stays hidden.

:func:`fill_return` writes values into a template's input cells (how the demo makes its
submitted returns); commentary is always written as text, never as a formula.
``docs/templates.md`` shows the layout.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Protection
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.worksheet import Worksheet

from xlperf.core.budget import TEMPLATE_TOTAL, is_directorate_total, is_total_line
from xlperf.core.collection import planned_returns
from xlperf.core.columns import (
    BUDGET_COLUMNS,
    CAPITAL_COLUMNS,
    MILESTONE_COLUMNS,
    PROJECT_COLUMNS,
    fold,
    normalise_columns,
)
from xlperf.core.measures import prepare_measures
from xlperf.core.periods import Period, parse_period
from xlperf.core.schemes import get_scheme
from xlperf.core.template_rows import annual_words, target_table, template_rows
from xlperf.core.values import parse_value
from xlperf.errors import InputError, WorkbookError, translated
from xlperf.identity import (
    CAPITAL,
    CAPITAL_OWNER,
    FINANCE,
    IDENTITY_KEYS,
    IDENTITY_SHEET,
    PERFORMANCE,
    PROPERTY_PREFIX,
    register_hash,
)
from xlperf.layout import (
    ACTIVITY_COLUMNS,
    ACTIVITY_FIRST_DATA_ROW,
    ACTIVITY_HEADER_ROW,
    ACTIVITY_SHEET,
    ACTIVITY_TYPES,
    RAGS,
    RETURN_COLUMNS,
    RETURN_FIRST_DATA_ROW,
    RETURN_HEADER_ROW,
    RETURN_SHEETS,
    activity_column,
)
from xlperf.write import _xlsx

if TYPE_CHECKING:
    from xlperf.read.master import Master

PERFORMANCE_SHEET, FINANCE_SHEET, CAPITAL_SHEET = (RETURN_SHEETS[k] for k in (
    PERFORMANCE, FINANCE, CAPITAL))
HEADER_ROW, FIRST_DATA_ROW = RETURN_HEADER_ROW, RETURN_FIRST_DATA_ROW
# Each kind's columns: (header, width, input?), shared with the validator (xlperf.layout).
PERFORMANCE_COLUMNS = RETURN_COLUMNS[PERFORMANCE]
FINANCE_COLUMNS = RETURN_COLUMNS[FINANCE]
CAPITAL_RETURN_COLUMNS = RETURN_COLUMNS[CAPITAL]
# The performance return's columns of free text, wrapped: Commentary and Further comment.
_PERFORMANCE_TEXT = tuple(at for at, (header, _w, _t) in enumerate(PERFORMANCE_COLUMNS, start=1)
                          if header in ("Commentary", "Further comment"))
RATIO_UNITS = re.compile(r"%|rate|ratio|per\b|percent", re.IGNORECASE)

PERFORMANCE_GUIDANCE = (
    "How to fill in this return",
    "1. Type only in the yellow cells: Actual, Numerator and Denominator (where open), "
    "Reported status, Commentary and the further comment. Everything else is locked.",
    "2. Actual: a number in the measure's unit (a percentage as 68.04 or 68.04%). No figure? "
    "Type n/a or TBC and say why in Commentary: never type 0 for 'no data'.",
    "3. Reported status is optional: your own view of the status. xlperf works the status out "
    "from the target and shows both when they differ.",
    "4. Commentary: plain text saying what the figure means and what is being done. A "
    "comment by someone else (optional): its Comment subject (e.g. Head of Service "
    "Commentary), Comment by (their name or role) and the Further comment itself.",
    "5. Do not add, delete, move or rename rows, columns or sheets: the return is checked "
    "against its template.",
)
FINANCE_GUIDANCE = (
    "How to fill in this return",
    "1. Type only in the yellow cells: Forecast outturn (£000s) and Explanation.",
    "2. Forecast outturn is what you expect to spend, net, by the end of the financial year.",
    "3. Explain every variance of {materiality} (£000s) or more: what causes it and what is "
    "being done.",
    "4. Do not add, delete, move or rename rows, columns or sheets: the return is checked "
    "against its template.",
    "",
)
ACTIVITY_GUIDANCE = (
    "How to report your milestones and projects",
    "1. Type only in the yellow cells. A milestone: its Progress (choose from the list), a "
    "Revised date when it will be late, and Commentary.",
    "2. A milestone that is Fair / behind needs commentary: say why and what is being done.",
    "3. A project: its Progress and Forecast variance (Red, Amber or Green) and its status note "
    "in Commentary.",
    "4. Do not add, delete, move or rename rows, columns or sheets: the return is checked "
    "against its template.",
    "",
)
CAPITAL_GUIDANCE = (
    "How to fill in this return",
    "1. Type only in the yellow cells: Revised estimate, Actual to date (£000s) and Explanation.",
    "2. Revised estimate: what the programme will spend this financial year. It shows the "
    "finance team's current figure: change it only if it has changed. Actual to date: what "
    "it has spent so far this year.",
    "3. Explain any change to the estimate, and any spend to date above it.",
    "4. Do not add, delete, move or rename rows, columns or sheets: the return is checked "
    "against its template.",
)


@dataclass(frozen=True)
class TemplateInfo:
    """One template written: where, what kind, for whom, and its identity."""

    path: Path
    kind: str
    service: str
    identity: Mapping[str, str]


def _version() -> str:
    from xlperf import __version__

    return __version__


def slug(text: str) -> str:
    """A file-name-safe, lower-case slug: ``'Children in Care'`` -> ``'children-in-care'``."""
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-") or "blank"


def template_id(kind: str, who: str, period: Period) -> str:
    """``perf-safeguarding-2013-14-Q2``: readable, and the same for the same return."""
    prefix = {PERFORMANCE: "perf", CAPITAL: "cap"}.get(kind, "fin")
    return f"{prefix}-{slug(who)}-{period.format('iso').replace('/', '-')}"


def row_height(text: str, width: float) -> float:
    """Points for a row whose wrapped ``text`` sits in a column ``width`` characters wide
    (spreadsheet applications do not grow rows that openpyxl wrote)."""
    lines = sum(max(1, math.ceil(len(part) / max(width * 1.1, 1))) for part in
                (text or "").split("\n"))
    return 15.0 * max(lines, 1)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or (
        isinstance(value, str) and value.strip() == "")


def _new_book(identity: Mapping[str, str]) -> Workbook:
    wb = Workbook()
    for key in IDENTITY_KEYS:
        wb.custom_doc_props.append(StringProperty(name=PROPERTY_PREFIX + key,
                                                  value=str(identity.get(key, ""))))
    wb.properties.creator = "xlperf"
    wb.properties.title = f"{identity.get('kind', '')} return {identity.get('service', '')} " \
                          f"{identity.get('period', '')}".strip()
    return wb


def _identity_sheet(wb: Workbook, identity: Mapping[str, str]) -> None:
    ws = wb.create_sheet(IDENTITY_SHEET)
    _xlsx.put(ws, 1, 1, "Key", font=_xlsx.HEADER_FONT, fill=_xlsx.HEADER_FILL)
    _xlsx.put(ws, 1, 2, "Value", font=_xlsx.HEADER_FONT, fill=_xlsx.HEADER_FILL)
    for row, key in enumerate(IDENTITY_KEYS, start=2):
        _xlsx.put(ws, row, 1, key)
        _xlsx.put(ws, row, 2, str(identity.get(key, "")))
    _xlsx.set_widths(ws, (18, 40))
    ws.sheet_state = "hidden"
    ws.protection.sheet = True


def _title_block(ws: Worksheet, title: str, lines: Sequence[tuple[str, str]],
                 guidance: Sequence[str]) -> None:
    _xlsx.put(ws, 1, 1, title, font=_xlsx.TITLE_FONT)
    for row, (label, value) in enumerate(lines, start=2):
        _xlsx.put(ws, row, 1, label, font=_xlsx.SUBTITLE_FONT)
        _xlsx.put(ws, row, 2, value)
    first = 2 + len(lines)
    for row, text in enumerate(guidance, start=first):
        font = _xlsx.SUBTITLE_FONT if row == first else _xlsx.GUIDE_FONT
        _xlsx.put(ws, row, 1, text, font=font)


def _signoff_block(ws: Worksheet, kind: str) -> None:
    """The sign-off cells beside the title block (:func:`xlperf.layout.signoff_cells`): who
    completed the return, who signed it off and when, typed by the service (unlocked)."""
    from xlperf.layout import RETURN_SIGNOFF, signoff_cells

    cells = signoff_cells(kind)
    for key, label in RETURN_SIGNOFF:
        label_at, value_at = cells[key]
        ws[label_at] = label
        ws[label_at].font = _xlsx.SUBTITLE_FONT
        ws[label_at].alignment = Alignment(horizontal="right")
        _input(ws[value_at])
        if key == "signed_off_on":
            ws[value_at].number_format = "dd mmm yyyy"


def _protect(ws: Worksheet, wb: Workbook) -> None:
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # people may widen columns
    ws.protection.formatRows = False  # and make rows taller
    ws.protection.selectLockedCells = False
    ws.protection.selectUnlockedCells = False
    wb.security = WorkbookProtection(lockStructure=True)


def _input(cell: Any, *, wrap: bool = False) -> None:
    cell.protection = Protection(locked=False)
    cell.fill = _xlsx.INPUT_FILL
    cell.border = _xlsx.BOX
    cell.alignment = Alignment(wrap_text=wrap, vertical="top")


def _shown(cell: Any, *, wrap: bool = False) -> None:
    cell.border = _xlsx.BOX
    cell.alignment = Alignment(wrap_text=wrap, vertical="top")


TOTAL_LINE = TEMPLATE_TOTAL
# The directorate total's name on its owner's return when the Budget sheet calls it "Total"
# (the template's own total of the holder's lines has that name).
DIRECTORATE_TOTAL = "Directorate total"


def _total_row(ws: Worksheet, row: int, last: int, formats: Mapping[int, str]) -> None:
    """A locked total under the lines (rows ``FIRST_DATA_ROW`` to ``last``): a SUM of each
    money column in ``formats`` (column number -> number format). Excel keeps it up to date;
    the validator checks it cross-foots (``FIN-002``) when the return comes back."""
    _shown(_xlsx.put(ws, row, 1, TOTAL_LINE))
    ws.cell(row=row, column=1).font = _xlsx.font(bold=True)
    for column, number_format in formats.items():
        letter = ws.cell(row=row, column=column).column_letter
        cell = ws.cell(row=row, column=column)
        cell.value = f"=SUM({letter}{FIRST_DATA_ROW}:{letter}{last})"
        cell.number_format = number_format
        cell.font = _xlsx.font(bold=True)
        _shown(cell)


def _page(ws: Worksheet, last_column: str, title_columns: int = 1) -> None:
    # As few pages wide as keep the text at 8 pt or more, each row's code on every page: one
    # page wide whatever its widths printed a performance return's 15 columns in 4-5 pt type.
    widths = _xlsx.widths_of(ws)[:column_index_from_string(last_column)]
    _xlsx.print_setup(ws, HEADER_ROW, widths=widths, title_columns=title_columns)
    ws.print_area = f"A1:{last_column}{ws.max_row}"


def _due_text(master: Master, kind: str, who: str, period: Period) -> str:
    """The "Return by" line: the collection calendar's due date of this return (the working
    days after the period end, bank holidays skipped:
    :func:`xlperf.core.collection.collection_calendar`, as ``xlperf returns`` and the chasers
    say it), else the ``Return deadline`` setting's words."""
    from xlperf.core.collection import collection_calendar
    from xlperf.core.columns import fold

    iso = period.format("iso")
    if _DUE_CACHE.get("master") is not master or _DUE_CACHE.get("period") != iso:
        _DUE_CACHE.clear()  # one calendar for every template of a run
        # The calendar xlperf.collection.expected_returns gives every door (write may not
        # import that room): the same function over the same sheets and setting.
        calendar = collection_calendar(
            master.usable_register, master.budget, master.capital, period,
            contacts=master.contacts, default_working_days=master.settings.due_working_days,
            owner=master.settings.total_owner)
        _DUE_CACHE.update(master=master, period=iso, calendar={e.key: e.due for e in calendar})
    due = _DUE_CACHE["calendar"].get((kind, fold(who)))
    if due is None:
        return master.settings.return_deadline
    return f"{due:%A} {due.day} {due:%B %Y}"


_DUE_CACHE: dict[str, Any] = {}


def _start(master: Master, kind: str, who: str, period: Period, sheet: str, title: str,
           guidance: Sequence[str], columns: Sequence[tuple[str, float, bool]], *,
           register: pd.DataFrame) -> tuple[dict[str, str], Workbook, Worksheet]:
    """A template's identity, book and data sheet with its title, guidance and header rows."""
    identity = {
        "template_id": template_id(kind, who, period), "kind": kind, "service": who,
        "period": period.format(), "register_hash": register_hash(register),
        "xlperf_version": _version(), "council": master.settings.council,
        "sheet": sheet, "header_row": str(HEADER_ROW), "first_data_row": str(FIRST_DATA_ROW),
    }
    wb = _new_book(identity)
    ws = wb.active
    ws.title = sheet
    _title_block(ws, title, (
        ("Council", identity["council"]), ("Period", identity["period"]),
        ("Return by", _due_text(master, kind, who, period)),
        ("Template", identity["template_id"]),
    ), guidance)
    _signoff_block(ws, kind)
    _xlsx.header_row(ws, HEADER_ROW, [h for h, _w, _i in columns])
    _xlsx.set_widths(ws, [w for _h, w, _i in columns])
    return identity, wb, ws


def build_performance_template(master: Master, service: str, period: Period, path: Path, *,
                               timestamp: dt.datetime | None = None) -> TemplateInfo:
    """Write the performance return of one service for ``period``."""
    register = master.usable_register
    prepared = prepare_measures(register)
    prepared.index = register.index
    mine = prepared[prepared["service"] == service]
    if mine.empty:
        raise InputError(f"no measures for service {service!r} in the register")
    identity, wb, ws = _start(master, PERFORMANCE, service, period, PERFORMANCE_SHEET,
                              f"Performance return: {service}", PERFORMANCE_GUIDANCE,
                              PERFORMANCE_COLUMNS, register=register)
    rows = template_rows(mine, period, first_row=FIRST_DATA_ROW,
                         targets=target_table(master.targets), words=annual_words(register))
    status_rows: dict[tuple[str, ...], list[int]] = {}
    shown_labels: dict[int, tuple[str, ...]] = {}
    row = FIRST_DATA_ROW
    for entry in rows.itertuples(index=False):
        measure = mine.iloc[entry.position]
        if entry.position not in shown_labels:
            try:
                scheme = get_scheme(measure["scheme"] or master.default_scheme, master.schemes)
                labels = scheme.labels
            except InputError:
                labels = ()
            if measure["polarity"] == "Data only":
                labels = ("Data only", "No data")
            shown_labels[entry.position] = tuple(labels)
        ratio = bool(RATIO_UNITS.search(str(measure["unit"])))
        row = int(entry.row)
        shown = (entry.code, entry.Measure, entry.Unit, entry.Polarity, entry.Frequency,
                 entry.period, entry.Target)
        for column, value in enumerate(shown, start=1):
            cell = _xlsx.put(ws, row, column, value)
            _shown(cell, wrap=column == 2)
        for column in range(8, len(PERFORMANCE_COLUMNS) + 1):
            cell = ws.cell(row=row, column=column)
            if column in (9, 10) and not ratio:
                cell.fill = _xlsx.LOCKED_FILL
                cell.border = _xlsx.BOX
            else:
                _input(cell, wrap=column in _PERFORMANCE_TEXT)
        status_rows.setdefault(shown_labels[entry.position], []).append(row)
        ws.row_dimensions[row].height = row_height(str(measure["title"]), 46)
        row += 1
    last = row - 1
    if last < FIRST_DATA_ROW:
        raise InputError(f"nothing is due from {service!r} for {period.format()}")
    for labels, rows in status_rows.items():
        dv = _xlsx.list_validation(labels, strict=True, prompt="Your own view of the status "
                                   "(optional).", title="Reported status")
        if dv is not None:
            for r in rows:
                dv.add(f"K{r}")
            ws.add_data_validation(dv)
    actual_dv = _xlsx.number_validation(prompt="A number in the measure's unit; n/a or TBC "
                                        "when there is no figure.", title="Actual")
    actual_dv.add(f"H{FIRST_DATA_ROW}:H{last}")
    ws.add_data_validation(actual_dv)
    ratio_dv = _xlsx.number_validation(minimum=0, prompt="The count behind the figure.",
                                       title="Numerator/denominator")
    ratio_dv.add(f"I{FIRST_DATA_ROW}:J{last}")
    ws.add_data_validation(ratio_dv)
    activity = service_activity(master, service)
    if len(activity):  # only a service with milestones or projects is asked about them
        _activity_sheet(wb, master, service, period, identity, activity)
    return _finish(wb, ws, path, frozen_columns=2,
                   last_column=get_column_letter(len(PERFORMANCE_COLUMNS)), identity=identity,
                   timestamp=timestamp, info=(PERFORMANCE, service))


def service_activity(master: Master, service: str) -> pd.DataFrame:
    """The milestones, then the projects, of the master's Milestones and Projects sheets whose
    Service is ``service`` (ignoring case and spaces), in the sheets' order: ``type``
    (:data:`~xlperf.layout.ACTIVITY_TYPES`), ``code``, ``title``, ``objective``,
    ``lead_officer``, ``due_date``. A row without a code is left out (nothing could match it
    when the return comes back). What a service's return asks about, and what the validator
    expects back."""
    sheets = getattr(master, "objective_sheets", None) or {}
    parts = []
    for name, aliases, title, kind in (("Milestones", MILESTONE_COLUMNS, "milestone",
                                        ACTIVITY_TYPES[0]),
                                       ("Projects", PROJECT_COLUMNS, "project",
                                        ACTIVITY_TYPES[1])):
        frame = sheets.get(name)
        if frame is None or not len(frame):
            continue
        frame = normalise_columns(frame, aliases).reindex(
            columns=["code", title, "objective", "lead_officer", "due_date", "service"])
        code = frame["code"].map(lambda v: "" if _blank(v) else str(v).strip())
        mine = frame["service"].map(lambda v: fold(str(v)) if not _blank(v) else "") == fold(
            service)
        frame = frame[mine & (code != "")]
        parts.append(pd.DataFrame({
            "type": kind, "code": code[frame.index], "title": frame[title],
            "objective": frame["objective"], "lead_officer": frame["lead_officer"],
            "due_date": frame["due_date"]}))
    if not parts:
        return pd.DataFrame(columns=["type", "code", "title", "objective", "lead_officer",
                                     "due_date"])
    return pd.concat(parts, ignore_index=True)


def _activity_sheet(wb: Workbook, master: Master, service: str, period: Period,
                    identity: Mapping[str, str], activity: pd.DataFrame) -> Worksheet:
    """The return's Milestones sheet (:data:`~xlperf.layout.ACTIVITY_COLUMNS`): each
    milestone's and project's locked description, and the cells the service types (a
    milestone's Progress, Revised date and Commentary; a project's Progress and Forecast
    variance RAGs and its status note in Commentary), with their drop-downs."""
    from openpyxl.worksheet.datavalidation import DataValidation

    from xlperf.core.milestones import PROGRESS, progress_label

    ws = wb.create_sheet(ACTIVITY_SHEET)
    _title_block(ws, f"Milestones and projects: {service}", (
        ("Council", identity["council"]), ("Period", identity["period"]),
        ("Return by", _due_text(master, PERFORMANCE, service, period)),
        ("Template", identity["template_id"]),
    ), ACTIVITY_GUIDANCE)
    _xlsx.header_row(ws, ACTIVITY_HEADER_ROW, [h for h, *_rest in ACTIVITY_COLUMNS])
    _xlsx.set_widths(ws, [w for _h, w, *_rest in ACTIVITY_COLUMNS])
    rows: dict[str, list[int]] = {t: [] for t in ACTIVITY_TYPES}
    for row, entry in enumerate(activity.itertuples(index=False), start=ACTIVITY_FIRST_DATA_ROW):
        milestone = entry.type == ACTIVITY_TYPES[0]
        due = entry.due_date if isinstance(entry.due_date, dt.date) else (
            None if _blank(entry.due_date) else str(entry.due_date))
        shown = (entry.type, entry.code, entry.title, entry.objective, entry.lead_officer, due)
        for column, value in enumerate(shown, start=1):
            cell = _xlsx.put(ws, row, column, None if _blank(value) else value,
                             number_format="dd/mm/yyyy" if column == 6 else None)
            _shown(cell, wrap=column in (3, 4))
            if column == 6 and not milestone:
                cell.fill = _xlsx.LOCKED_FILL  # a project has no due date
        for column, (_header, _width, on_milestone, on_project) in enumerate(
                ACTIVITY_COLUMNS[len(shown):], start=len(shown) + 1):
            cell = ws.cell(row=row, column=column)
            if on_milestone if milestone else on_project:
                _input(cell, wrap=column == len(ACTIVITY_COLUMNS))
            else:
                cell.fill = _xlsx.LOCKED_FILL
                cell.border = _xlsx.BOX
        ws.cell(row=row, column=activity_column("Revised date")).number_format = "dd/mm/yyyy"
        ws.row_dimensions[row].height = row_height(str(entry.title or ""), 46)
        rows[entry.type].append(row)
    progress, forecast, revised = (get_column_letter(activity_column(h)) for h in (
        "Progress", "Forecast variance", "Revised date"))
    words = {ACTIVITY_TYPES[0]: ([progress_label(p) for p in PROGRESS],
                                 "How the milestone is going.", (progress,)),
             ACTIVITY_TYPES[1]: (list(RAGS), "Red, Amber or Green.", (progress, forecast))}
    for kind, at in rows.items():
        if not at:
            continue
        choices, prompt, letters = words[kind]
        dv = _xlsx.list_validation(choices, strict=True, prompt=prompt, title="Progress")
        if dv is not None:
            for r in at:
                for letter in letters:
                    dv.add(f"{letter}{r}")
            ws.add_data_validation(dv)
    if rows[ACTIVITY_TYPES[0]]:
        dates = DataValidation(type="date", operator="greaterThan", formula1="1",
                               allow_blank=True, errorStyle="warning", showErrorMessage=True,
                               showInputMessage=True)
        dates.error, dates.errorTitle = "This should be a date, such as 31/03/2014.", "Not a date"
        dates.prompt, dates.promptTitle = ("When it will now be done, if later than due.",
                                           "Revised date")
        for r in rows[ACTIVITY_TYPES[0]]:
            dates.add(f"{revised}{r}")
        ws.add_data_validation(dates)
    ws.freeze_panes = ws.cell(row=ACTIVITY_FIRST_DATA_ROW, column=3)
    ws.row_dimensions[ACTIVITY_HEADER_ROW].height = 30
    _page(ws, "J", title_columns=2)  # Type and Code
    _protect(ws, wb)
    return ws


def build_finance_template(master: Master, holder: str, lines: pd.DataFrame, period: Period,
                           path: Path, *, timestamp: dt.datetime | None = None) -> TemplateInfo:
    """Write the finance return of one budget holder (their ``lines`` of the Budget sheet)."""
    frame = normalise_columns(lines, BUDGET_COLUMNS)
    # The directorate total (the Budget sheet's total row) comes last on its owner's return
    # (xlperf.core.collection.total_owner): shown under the lines, its explanation asked.
    totals = (frame["line"].map(is_total_line).astype(bool) if "line" in frame.columns
              else pd.Series(False, index=frame.index))
    directorate = frame[totals].tail(1)
    frame = frame[~totals]
    shown_materiality = f"£{float(master.settings.materiality):,.0f}k"
    guidance = [g.replace("{materiality}", shown_materiality) for g in FINANCE_GUIDANCE]
    if len(directorate):
        guidance[-1] = (f"5. You own the directorate total (under your lines): explain it when "
                        f"its variance is {shown_materiality} or more.")
    identity, wb, ws = _start(master, FINANCE, holder, period, FINANCE_SHEET,
                              f"Finance return: {holder}", guidance, FINANCE_COLUMNS,
                              register=master.register)
    row = FIRST_DATA_ROW
    for _, line in frame.iterrows():
        values = (line.get("line"), parse_value(line.get("gross_budget")).number,
                  parse_value(line.get("budget")).number)
        for column, value in enumerate(values, start=1):
            _shown(_xlsx.put(ws, row, column, value,
                             number_format=None if column == 1 else _xlsx.INTEGER))
        _input(ws.cell(row=row, column=4))
        ws.cell(row=row, column=4).number_format = _xlsx.INTEGER
        variance = ws.cell(row=row, column=5)
        variance.value = f'=IF(ISNUMBER(D{row}),D{row}-C{row},"")'
        variance.number_format = "+#,##0;-#,##0;0"
        _shown(variance)
        _input(ws.cell(row=row, column=6), wrap=True)
        row += 1
    last = row - 1
    if last > FIRST_DATA_ROW:  # two lines or more: their total, as the Budget sheet has
        _total_row(ws, row, last, {2: _xlsx.INTEGER, 3: _xlsx.INTEGER, 4: _xlsx.INTEGER,
                                   5: "+#,##0;-#,##0;0"})
    dv = _xlsx.number_validation(minimum=0, prompt="Forecast outturn for the year, £000s.",
                                 title="Forecast outturn")
    if last >= FIRST_DATA_ROW:
        dv.add(f"D{FIRST_DATA_ROW}:D{last}")
        ws.add_data_validation(dv)
    if len(directorate):
        _directorate_total_row(ws, row + (2 if last > FIRST_DATA_ROW else 1),
                               directorate.iloc[0])
    return _finish(wb, ws, path, frozen_columns=1, last_column="F", identity=identity,
                   timestamp=timestamp, info=(FINANCE, holder))


def _directorate_total_row(ws: Worksheet, row: int, total: pd.Series) -> None:
    """The directorate total on its owner's return: the Budget sheet's figures, locked
    (the forecast is the finance team's latest, the sum of every holder's lines), and its
    Explanation to type (FIN-008 asks for it when the variance is material)."""
    name = str(total.get("line")).strip()
    label = DIRECTORATE_TOTAL if fold(name) == fold(TOTAL_LINE) else name
    values = (label, parse_value(total.get("gross_budget")).number,
              parse_value(total.get("budget")).number,
              parse_value(total.get("forecast")).number)
    for column, value in enumerate(values, start=1):
        cell = _xlsx.put(ws, row, column, value,
                         number_format=None if column == 1 else _xlsx.INTEGER)
        cell.font = _xlsx.font(bold=True)
        _shown(cell)
    variance = ws.cell(row=row, column=5)
    variance.value = f'=IF(ISNUMBER(D{row}),D{row}-C{row},"")'
    variance.number_format = "+#,##0;-#,##0;0"
    variance.font = _xlsx.font(bold=True)
    _shown(variance)
    _input(ws.cell(row=row, column=6), wrap=True)


def build_capital_template(master: Master, programmes: pd.DataFrame, period: Period, path: Path,
                           *, timestamp: dt.datetime | None = None) -> TemplateInfo:
    """Write the capital programme return: one row per programme of ``programmes`` (the
    Capital sheet's rows for the period, :func:`~xlperf.core.budget.capital_for_period`), the
    base budget locked, the revised estimate (the master's, to be changed where it changed),
    actual to date and explanation to fill in."""
    programmes = normalise_columns(programmes, CAPITAL_COLUMNS)
    identity, wb, ws = _start(master, CAPITAL, CAPITAL_OWNER, period, CAPITAL_SHEET,
                              "Capital programme return", CAPITAL_GUIDANCE,
                              CAPITAL_RETURN_COLUMNS, register=master.register)
    row = FIRST_DATA_ROW
    for _, programme in programmes.iterrows():
        _shown(_xlsx.put(ws, row, 1, programme.get("programme")))
        _shown(_xlsx.put(ws, row, 2, parse_value(programme.get("base_budget")).number,
                         number_format=_xlsx.INTEGER))
        estimate = _xlsx.put(ws, row, 3, parse_value(programme.get("estimate")).number,
                             number_format=_xlsx.INTEGER)
        _input(estimate)
        _input(ws.cell(row=row, column=4))
        ws.cell(row=row, column=4).number_format = _xlsx.INTEGER
        slippage = ws.cell(row=row, column=5)
        # As the scorecard works it out: base budget not expected to be spent this year.
        slippage.value = f'=IF(AND(ISNUMBER(B{row}),ISNUMBER(C{row})),MAX(B{row}-C{row},0),"")'
        slippage.number_format = _xlsx.INTEGER
        _shown(slippage)
        _input(ws.cell(row=row, column=6), wrap=True)
        row += 1
    last = row - 1
    if last > FIRST_DATA_ROW:
        _total_row(ws, row, last, dict.fromkeys((2, 3, 4, 5), _xlsx.INTEGER))
    for column, prompt, title in (
            ("C", "Revised estimate for the year, £000s.", "Revised estimate"),
            ("D", "Spent so far this year, £000s.", "Actual to date")):
        dv = _xlsx.number_validation(minimum=0, prompt=prompt, title=title)
        dv.add(f"{column}{FIRST_DATA_ROW}:{column}{last}")
        ws.add_data_validation(dv)
    return _finish(wb, ws, path, frozen_columns=1, last_column="F", identity=identity,
                   timestamp=timestamp, info=(CAPITAL, CAPITAL_OWNER))


def _finish(wb: Any, ws: Any, path: Path, *, frozen_columns: int, last_column: str,
            identity: Mapping[str, str], timestamp: dt.datetime | None,
            info: tuple[str, str]) -> TemplateInfo:
    """What every template ends with: panes frozen under the headers, print set-up,
    protection, the identity, and a save."""
    ws.freeze_panes = ws.cell(row=FIRST_DATA_ROW, column=frozen_columns + 1)
    ws.row_dimensions[HEADER_ROW].height = 30
    _page(ws, last_column)
    _protect(ws, wb)
    _identity_sheet(wb, identity)
    _xlsx.save(wb, path, timestamp=timestamp)
    return TemplateInfo(path, info[0], info[1], identity)


def build_templates(master: str | Path | Master, period: Any, out_dir: str | Path, *,
                    timestamp: dt.datetime | None = None) -> list[TemplateInfo]:
    """Write every return template of ``master`` (a path or a read
    :class:`~xlperf.read.master.Master`) for ``period`` into ``out_dir``: one performance return
    per service of the register, one finance return per budget holder, then one capital
    programme return when the Capital sheet has programmes for the period.

    Raises :class:`~xlperf.errors.InputError` when the register has errors (fix them first:
    ``xlperf check`` lists them) or nothing is due.
    """
    from xlperf.read.master import Master, read_master

    book = master if isinstance(master, Master) else read_master(master)
    if not book.report.valid:
        raise InputError(f"{book.path}: the register has {len(book.report.errors)} error(s); "
                         "fix them before making templates")
    reporting = parse_period(period)
    out = Path(out_dir)
    infos = []
    # Which templates exist is decided once, with the collection calendar that expects them.
    for planned in planned_returns(book.usable_register, book.budget, book.capital, reporting,
                                   owner=book.settings.total_owner):
        path = out / planned.file_name
        if planned.kind == PERFORMANCE:
            infos.append(build_performance_template(book, planned.who, reporting, path,
                                                    timestamp=timestamp))
        elif planned.kind == FINANCE:
            infos.append(build_finance_template(book, planned.who, planned.rows, reporting,
                                                path, timestamp=timestamp))
        else:
            infos.append(build_capital_template(book, planned.rows, reporting, path,
                                                timestamp=timestamp))
    return infos


def fill_return(template: str | Path, values: pd.DataFrame, path: str | Path, *,
                timestamp: dt.datetime | None = None,
                activity: pd.DataFrame | None = None) -> Path:
    """Fill a template's input cells from ``values`` and save the result to ``path``.

    Performance: ``values`` has ``Code``, ``Period`` and any of ``Actual``, ``Numerator``,
    ``Denominator``, ``Reported status``, ``Commentary`` and the attributed comment's
    ``Comment subject``, ``Comment by``, ``Further comment`` (where the template has those
    columns); rows are matched by code and period.
    Finance: ``Service area`` and any of ``Forecast outturn``, ``Explanation``. Capital:
    ``Programme`` and any of ``Revised estimate``, ``Actual to date``, ``Explanation``. Text
    is written as text (a commentary starting with ``=`` stays words). Values for rows the
    template does not have, and for its ``Total`` row (a formula), are ignored.
    ``activity`` fills a performance return's Milestones sheet: ``Code`` (and optionally
    ``Type``) with any of ``Progress``, ``Forecast variance``, ``Revised date``,
    ``Commentary``; a code the sheet does not list is ignored.
    """
    with translated(template, "{file}: cannot open the template ({error})",
                    families=("openpyxl",)):
        wb = load_workbook(template)
    finance = False
    if PERFORMANCE_SHEET in wb.sheetnames:
        ws = wb[PERFORMANCE_SHEET]
        keys: tuple[str, ...] = ("Code", "Period")
        key_columns: tuple[int, ...] = (1, 6)
        # The typed columns the template has (one made before the attributed comment's
        # columns has none of them: values for those are ignored).
        typed = {fold(h) for h, _w, t in PERFORMANCE_COLUMNS if t}
        inputs = {str(cell.value).strip(): cell.column for cell in ws[HEADER_ROW]
                  if isinstance(cell.value, str) and fold(cell.value) in typed}
    elif FINANCE_SHEET in wb.sheetnames:
        finance = True
        ws = wb[FINANCE_SHEET]
        keys, key_columns = ("Service area",), (1,)
        inputs = {"Forecast outturn": 4, "Explanation": 6}
    elif CAPITAL_SHEET in wb.sheetnames:
        ws = wb[CAPITAL_SHEET]
        keys, key_columns = ("Programme",), (1,)
        inputs = {"Revised estimate": 3, "Actual to date": 4, "Explanation": 6}
    else:
        raise WorkbookError(f"{template}: not an xlperf return template", file=str(template))
    # Free text grows its row: the commentary and the further comment, where the template has them.
    wrapped = {inputs[h] for h in ("Commentary", "Further comment") if h in inputs}
    rows: dict[tuple[str, ...], int] = {}
    for r in range(FIRST_DATA_ROW, ws.max_row + 1):
        key_cells = [ws.cell(row=r, column=c).value for c in key_columns]
        if key_cells[0] is None or (len(keys) == 1 and is_total_line(key_cells[0])
                                    and not (finance and is_directorate_total(key_cells[0]))):
            continue  # the total is the template's SUM: never typed over
        if len(keys) == 2:
            key_cells[1] = parse_period(key_cells[1]).format("iso")
        rows[tuple(str(k).strip() for k in key_cells)] = r
    for record in values.to_dict("records"):
        key = [str(record.get(k, "")).strip() for k in keys]
        if len(keys) == 2:
            try:
                key[1] = parse_period(record.get("Period")).format("iso")
            except InputError:
                continue
        at = rows.get(tuple(key))
        if at is None:
            continue
        for header, column in inputs.items():
            if header != "Explanation" and is_total_line(ws.cell(row=at, column=1).value):
                continue  # the directorate total's figures are locked: only explained
            if header in record and not _blank(record[header]):
                cell = _xlsx.put(ws, at, column, record[header])  # keeps the cell's style
                if isinstance(record[header], str) and (
                        column == max(inputs.values()) or column in wrapped):
                    width = ws.column_dimensions[cell.column_letter].width or 60
                    height = ws.row_dimensions[at].height or 15.0
                    ws.row_dimensions[at].height = max(height, row_height(record[header], width))
    if activity is not None and ACTIVITY_SHEET in wb.sheetnames:
        _fill_activity(wb[ACTIVITY_SHEET], activity)
    return _xlsx.save(wb, path, timestamp=timestamp)


def _fill_activity(ws: Worksheet, activity: pd.DataFrame) -> None:
    """Type ``activity``'s Progress, Forecast variance, Revised date and Commentary into the
    Milestones sheet's rows of the same code (and type, when given)."""
    type_at, code_at = activity_column("Type"), activity_column("Code")
    rows: dict[tuple[str, str], int] = {}
    for r in range(ACTIVITY_FIRST_DATA_ROW, ws.max_row + 1):
        code = ws.cell(row=r, column=code_at).value
        if code is not None:
            kind = fold(str(ws.cell(row=r, column=type_at).value or ""))
            rows[(kind, str(code).strip())] = r
            rows.setdefault(("", str(code).strip()), r)
    for record in activity.to_dict("records"):
        kind = "" if _blank(record.get("Type")) else fold(str(record["Type"]))
        at = rows.get((kind, str(record.get("Code", "")).strip()))
        if at is None:
            continue
        for header in ("Progress", "Forecast variance", "Revised date", "Commentary"):
            value = record.get(header)
            if header in record and not _blank(value):
                column = activity_column(header)
                cell = ws.cell(row=at, column=column)
                if cell.protection.locked:
                    continue  # a milestone has no forecast, a project no revised date
                _xlsx.put(ws, at, column, value)
                if header == "Commentary" and isinstance(value, str):
                    width = ws.column_dimensions[cell.column_letter].width or 60
                    height = ws.row_dimensions[at].height or 15.0
                    ws.row_dimensions[at].height = max(height, row_height(value, width))
