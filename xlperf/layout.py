"""The master workbook's layout as data: sheets, tables, columns, guidance and drop-downs; and
the return templates' table (its header row and columns).

One place says what each sheet holds, so the writer (:mod:`xlperf.write.master`), the reader
(:mod:`xlperf.read.master`), the guide sheet and ``docs/master.md`` agree, and the template
writer (:mod:`xlperf.write.templates`) and the validator (:mod:`xlperf.validate`) agree.
Column names are the headers people see; readers match them ignoring case and spaces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from xlperf.core.schemes import SCHEME_COLUMNS
from xlperf.settings import COLLECTION, MASTER, declared


@dataclass(frozen=True)
class Column:
    """One column of a configuration table."""

    header: str
    width: float
    help: str
    number_format: str | None = None
    choices: tuple[str, ...] = ()
    strict: bool = True  # False: other words are allowed after a warning
    number: bool = False  # numbers expected (a warning otherwise)
    wrap: bool = False


@dataclass(frozen=True)
class ConfigSheet:
    """A configuration sheet: one Excel table with a header in row 1."""

    name: str
    table: str
    purpose: str
    columns: tuple[Column, ...]
    required: tuple[str, ...] = ()

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)


@dataclass(frozen=True)
class OutputSheet:
    """An output sheet the refresh writes: a title, a note, headers in :data:`OUTPUT_HEADER_ROW`."""

    name: str
    title: str
    purpose: str
    headers: tuple[str, ...]
    widths: tuple[float, ...] = field(default=())


POLARITIES = ("Bigger is better", "Smaller is better", "Data only")
UNITS = ("%", "number", "rate per 10,000", "rate per 1,000", "ratio", "days", "weeks", "£",
         "£000s")
FREQUENCIES = ("Monthly", "Quarterly", "Annual")
TOLERANCE_TYPES = ("absolute", "%")
DOT_BASES = ("Previous period", "Same period last year", "Six months ago")
YES_NO = ("Yes", "No")
RANKS = ("A", "B", "C", "D")
INTEGER, DECIMAL = "#,##0", "#,##0.0#"

MEASURES = ConfigSheet(
    "Measures", "tblMeasures",
    "The measures register: one row per performance measure. Return templates, validation and "
    "the scorecard all follow this table.",
    (
        Column("Code", 14, "The measure's code as the council writes it (unique, case matters)."),
        Column("Measure", 48, "The measure's title as printed on the scorecard.", wrap=True),
        Column("Priority", 28, "Corporate priority, e.g. 'Priority 2 Children are safe'.",
               wrap=True),
        Column("Objective", 34, "Objective under the priority, e.g. 'P2 - Obj 1 Improve "
                                "professional practice'.", wrap=True),
        Column("Service", 20, "The team that submits the measure: one return per service."),
        Column("Owner", 18, "The person accountable for the measure."),
        Column("Polarity", 18, "Which way is better: Bigger is better, Smaller is better, or "
                               "Data only (reported, never rated).", choices=POLARITIES),
        Column("Unit", 14, "%, number, rate per 10,000, days, weeks, £, £000s...",
               choices=UNITS, strict=False),
        Column("Frequency", 12, "Monthly, Quarterly or Annual.", choices=FREQUENCIES,
               strict=False),
        Column("Scheme", 14, "Status scheme (a name from the Schemes sheet); blank uses the "
                             "default scheme of Settings.", strict=False),
        Column("Tolerance", 11, "How far from target still counts as near target (0 or more).",
               number=True),
        Column("Tolerance type", 12, "absolute (in the measure's unit) or % (of the target).",
               choices=TOLERANCE_TYPES, strict=False),
        Column("DoT basis", 20, "Direction of travel compares with the Previous period, the "
                                "Same period last year (seasonal measures) or Six months ago.",
               choices=DOT_BASES,
               strict=False),
        Column("Annual target", 12, "The target for the year; Not Set or TBC when there is none."),
        Column("Cumulative", 11, "Yes when the target builds up through the year (profiled "
                                 "straight-line unless the Targets sheet says otherwise).",
               choices=YES_NO),
        Column("Baseline", 10, "National or starting figure to compare with (optional)."),
        Column("Baseline rank", 10, "Quartile of the baseline: A (top) to D (bottom).",
               choices=RANKS),
        Column("Contract", 10, "Yes for a contract measure (printed with ©).", choices=YES_NO),
        Column("Governance indicator", 24, "Optional: the governance indicator this measure "
                                          "reports (e.g. Sickness days per FTE), printed by "
                                          "directorate on the Governance sheet."),
        Column("Directorate", 20, "Optional: the directorate a governance indicator's "
                                  "measure reports for."),
        Column("Plans", 28, "The plans the measure is in, separated by ; or , (e.g. "
                            "'Corporate plan; Children's plan'); the report can print one plan.",
               strict=False),
    ),
    required=("Code", "Polarity"),
)

TARGETS = ConfigSheet(
    "Targets", "tblTargets",
    "Profiled targets: a target for one measure and one period, when it is not the annual "
    "target (seasonal or non-linear cumulative profiles). Leave empty otherwise.",
    (
        Column("Code", 14, "A code from the Measures sheet."),
        Column("Period", 14, "The period: Q2 2013/14, Sep-13, 2013/14..."),
        Column("Target", 12, "The target for that period.", number_format=DECIMAL, number=True),
    ),
    required=("Code", "Period", "Target"),
)

BUDGET = ConfigSheet(
    "Budget", "tblBudget",
    "Revenue budget monitoring in £000s: one row per service area and a total row that must "
    "add up. Each budget holder gets a finance return for their lines.",
    (
        Column("Service area", 32, "The budget line; the last row is the directorate total."),
        Column("Budget holder", 20, "Who forecasts this line (one finance return each)."),
        Column("Gross budget", 14, "Gross budget, £000s.", number_format=INTEGER, number=True),
        Column("Net budget", 14, "Net budget, £000s.", number_format=INTEGER, number=True),
        Column("Forecast outturn", 14, "Forecast outturn, £000s.", number_format=INTEGER,
               number=True),
        Column("Explanation", 60, "Why the forecast differs from the budget (needed for a "
                                  "material variance).", wrap=True),
    ),
    required=("Service area", "Net budget"),
)

CAPITAL = ConfigSheet(
    "Capital", "tblCapital",
    "Capital programme in £000s, one row per programme and quarter.",
    (
        Column("Programme", 32, "The capital programme or project."),
        Column("Quarter", 12, "The quarter the figures are for, e.g. Q2 2013/14."),
        Column("Revised base budget", 14, "Revised base budget, £000s.", number_format=INTEGER,
               number=True),
        Column("Revised estimate", 14, "Revised estimate for the year, £000s.",
               number_format=INTEGER, number=True),
        Column("Actual to date", 14, "Actual spend to date, £000s.", number_format=INTEGER,
               number=True),
        Column("Explanation", 60, "Slippage or overspend explained.", wrap=True),
    ),
    required=("Programme",),
)

SCHEMES = ConfigSheet(
    "Schemes", "tblSchemes",
    "Status schemes as data: one row per status, best first. Edit the built-ins or add a "
    "scheme of your own; a measure names its scheme in the Measures sheet.",
    (
        Column(SCHEME_COLUMNS[0], 14, "Scheme name (rows of one scheme together, best first)."),
        Column(SCHEME_COLUMNS[1], 24, "The status word."),
        Column(SCHEME_COLUMNS[2], 8, "A symbol, so colour is never the only signal."),
        Column(SCHEME_COLUMNS[3], 10, "Colour as #RRGGBB."),
        Column(SCHEME_COLUMNS[4], 12, "Where the status starts, in multiples of the tolerance "
                                      "(gap = better-than-target distance); blank for the last.",
               number=True),
        Column(SCHEME_COLUMNS[5], 10, "Yes: a gap exactly at the edge is in this status.",
               choices=YES_NO),
        Column(SCHEME_COLUMNS[6], 9, "0 on target, 1 near, 2 missed (for roll-ups).",
               choices=("0", "1", "2")),
        Column(SCHEME_COLUMNS[7], 60, "What the scheme means.", wrap=True),
    ),
    required=SCHEME_COLUMNS[:7],
)

SETTINGS = ConfigSheet(
    "Settings", "tblSettings",
    "One value per setting. Add your own settings below; xlperf ignores ones it does not know.",
    (
        Column("Setting", 30, "The setting's name."),
        Column("Value", 40, "Its value."),
        Column("Notes", 70, "What it does.", wrap=True),
    ),
    required=("Setting", "Value"),
)

# Statistical process control's process changes (docs/spc.md): a rebase or a ghosted point
# per measure and period, each with its reason (read by xlperf.read.master, REG-073..077).
PROCESS_ACTIONS = ("Rebase", "Ghost")
PROCESS_CHANGES = ConfigSheet(
    "Process changes", "tblProcessChanges",
    "Statistical process control: a row per change to a measure's chart. Rebase: the process "
    "changed on purpose at this period (a new pathway, a changed definition), so the process "
    "limits start again from it. Ghost: this period's point does not belong to the process (a "
    "confirmed data error, a one-off outage), so it is drawn but left out of the limits and "
    "the rules. Every row needs its reason.",
    (
        Column("Code", 14, "A code from the Measures sheet."),
        Column("Period", 14, "The period of the measure's frequency: Sep-13, Q2 2013/14..."),
        Column("Action", 10, "Rebase (limits start again from this period) or Ghost (leave "
                             "this point out of the limits).", choices=PROCESS_ACTIONS),
        Column("Reason", 60, "Why, in a sentence the committee can read (printed with the "
                             "chart).", wrap=True),
    ),
    required=("Code", "Period", "Action", "Reason"),
)


# Key activities and milestones, projects and risks, per objective (issue 24): read by
# xlperf.read._master_milestones (REG-080..083). Words and counts: xlperf.core.milestones.
MILESTONES = ConfigSheet(
    "Milestones", "tblMilestones",
    "Key activities and milestones: one row per milestone, with the objective it serves; "
    "services report each one's progress on their return.",
    (
        Column("Code", 12, "A short unique code for the milestone (e.g. M01)."),
        Column("Objective", 30, "The objective it serves (as on the Measures sheet)."),
        Column("Milestone", 60, "The key activity or milestone.", wrap=True),
        Column("Lead officer", 24, "Who leads it."),
        Column("Due date", 12, "When it is due.", number_format="dd/mm/yyyy"),
        Column("Service", 24, "The service whose return reports it."),
    ),
    required=("Code", "Objective", "Milestone", "Service"),
)

RAGS = ("Red", "Amber", "Green")
PROJECTS = ConfigSheet(
    "Projects", "tblProjects",
    "Projects (\"Other headlines / key activity\"): one row per project, with the objective it "
    "serves; services report each one's progress and forecast variance on their return.",
    (
        Column("Code", 12, "A short unique code for the project (e.g. P01)."),
        Column("Objective", 30, "The objective it serves (as on the Measures sheet)."),
        Column("Project", 60, "The project.", wrap=True),
        Column("Lead officer", 24, "Who leads it."),
        Column("Service", 24, "The service whose return reports it."),
    ),
    required=("Code", "Objective", "Project", "Service"),
)

RISKS = ConfigSheet(
    "Risks", "tblRisks",
    "The risks the council keeps against its objectives: one row per risk.",
    (
        Column("Risk", 60, "The risk.", wrap=True),
        Column("Objective", 30, "The objective it threatens, or All objectives."),
        Column("Rating", 12, "Its rating on the council's scale (High, Medium, Low unless "
                             "Settings give another).", choices=("High", "Medium", "Low")),
    ),
    required=("Risk", "Objective", "Rating"),
)


def _shown(default: object) -> object:
    """A setting's default as its cell on the Settings sheet shows it."""
    return ("Yes" if default else "No") if isinstance(default, bool) else default


# Settings xlperf knows, as declared on xlperf.settings.Settings: label -> (key, default, note),
# the default as the sheet shows it (Yes/No for a flag). A new master's Settings sheet gets a
# row for each.
SETTINGS_KNOWN: dict[str, tuple[str, object, str]] = {
    f.metadata["label"]: (f.name, _shown(f.default), f.metadata["note"])
    for f in declared(MASTER)}

# Settings of returns collection (xlperf returns, xlperf chase): label -> (key, default, note).
# A new master gets a row for each after the others; a master made before them works without
# them (their defaults stand, and a row may be added by hand: docs/collection.md).
COLLECTION_SETTINGS: dict[str, tuple[str, object, str]] = {
    f.metadata["label"]: (f.name, _shown(f.default), f.metadata["note"])
    for f in declared(COLLECTION)}

# The Contacts sheet (optional): who is asked for each return, and its own deadline.
CONTACTS = ConfigSheet(
    "Contacts", "tblContacts",
    "Who is chased for each return: a row per contact. Without a row, a service's return is "
    "chased from its measures' owners' e-mail column and a finance return from the Budget "
    "sheet's holder e-mail column.",
    (
        Column("Return for", 28, "A service of Measures, a budget holder of Budget, or "
                                 "Capital programme."),
        Column("Contact", 24, "The contact's name."),
        Column("E-mail", 32, "The contact's e-mail address."),
        Column("Working days", 12, "This return's own deadline in working days after the "
                                   "period end (blank: the Settings value).", number=True),
    ),
    required=("Return for", "E-mail"),
)

# Internal audit assurance by directorate (issue 24; xlperf.core.governance): read by
# xlperf.read.master (REG-078, REG-079), printed on the Governance sheet and in the report.
AUDIT = ConfigSheet(
    "Audit", "tblAudit",
    "Internal audit assurance: a row per directorate and period, the number of audits that "
    "reported each level of assurance and the number still due.",
    (
        Column("Directorate", 28, "The directorate audited (as on the Measures sheet)."),
        Column("Period", 14, "The period the counts are for: Q2 2013/14, Sep-13, 2013/14..."),
        Column("No assurance", 11, "Audits that gave no assurance (a whole number, 0 or more).",
               number_format=INTEGER, number=True),
        Column("Limited assurance", 11, "Audits that gave limited assurance.",
               number_format=INTEGER, number=True),
        Column("Reasonable assurance", 11, "Audits that gave reasonable assurance.",
               number_format=INTEGER, number=True),
        Column("Substantial assurance", 11, "Audits that gave substantial assurance.",
               number_format=INTEGER, number=True),
        Column("Due", 9, "Audits planned that have not reported yet.", number_format=INTEGER,
               number=True),
    ),
    required=("Directorate", "Period"),
)

# The director's judgement of an objective for a period, kept beside the computed roll-up
# (issue 24; xlperf.core.overrides): read by xlperf.read._master_judgements (REG-084..087),
# printed on the Objectives sheet and in the report. The words are the roll-up's
# (xlperf.core.rollup.JUDGEMENTS; a test keeps them equal: layout imports no pandas).
JUDGEMENT_WORDS = ("On Track", "At Risk", "Off Track")
DIRECTOR_JUDGEMENTS = ConfigSheet(
    "Judgements", "tblJudgements",
    "The director's own judgement of an objective where the council overrides the computed "
    "one: a row per objective and period. The computed judgement stays on the Objectives "
    "sheet and in the report; this one is printed beside it, flagged where they differ.",
    (
        Column("Objective", 40, "The objective (as on the Measures sheet)."),
        Column("Period", 14, "The reporting period it is for: Q2 2013/14, Sep-13, 2013/14..."),
        Column("Judgement", 12, "The director's judgement: On Track, At Risk or Off Track "
                                "(blank: commentary only).", choices=JUDGEMENT_WORDS),
        Column("Commentary", 60, "Why, in a sentence the committee can read.", wrap=True),
        Column("Director", 22, "Who made the judgement."),
    ),
    required=("Objective", "Period"),
)

# The sheets a council types into, in the order a new master has them.
CONFIG_SHEETS = (MEASURES, TARGETS, BUDGET, CAPITAL, SCHEMES, SETTINGS, CONTACTS,
                 PROCESS_CHANGES, MILESTONES, PROJECTS, RISKS, AUDIT, DIRECTOR_JUDGEMENTS)

OUTPUT_TITLE_ROW, OUTPUT_NOTE_ROW, OUTPUT_HEADER_ROW = 1, 2, 4
OUTPUT_NOTE = "Written by xlperf refresh: do not type here, your changes would be replaced."
OUTPUT_SHEETS = (
    # The columns of a printed council scorecard first (measure, traffic light, current value,
    # current target, annual target, last update, trend, latest note); the working columns
    # after them, grouped with Excel's outline (SCORECARD_KEY_COLUMNS marks where they start).
    OutputSheet("Scorecard", "Scorecard", "Every measure with its status for the period, grouped "
                "by priority and objective.",
                ("Code", "Measure", "Status", "Actual", "Target", "Annual target", "Period",
                 "Direction", "Trend", "Latest note", "Owner", "Unit", "Variance", "Variance %",
                 "Trend values", "Reported status", "Explanation", "Variation", "Assurance",
                 "SPC explanation", "Rank", "Baseline", "Plans"),
                (15, 40, 22, 10, 10, 10, 11, 14, 12, 40, 18, 14, 10, 10, 26, 20, 50, 24, 22,
                 60, 7, 10, 28)),
    # Between Measures and Judgement: one column per status that occurs
    # (xlperf.write.outputs).
    OutputSheet("Objectives", "Objectives", "Status counts (one column per status of the "
                "measures' schemes) and judgement per priority and objective.",
                ("Priority", "Objective", "Measures", "Judgement"),
                (24, 40, 10, 14)),
    OutputSheet("Exceptions", "Exceptions", "Measures beyond tolerance, worsening, with a "
                "special cause of concern, or with a reported status that differs from the "
                "rule, with their commentary.",
                ("Code", "Measure", "Owner", "Period", "Status", "Actual", "Target",
                 "Variance", "Direction", "Why listed", "Commentary"),
                (15, 34, 16, 10, 16, 10, 10, 10, 13, 22, 40)),
    OutputSheet("Finance", "Finance", "Revenue budget and capital programme, with variances.",
                ("Service area", "Budget holder", "Gross budget", "Net budget",
                 "Forecast outturn", "Variance", "Variance %", "Status", "Explanation", "Source"),
                (26, 16, 12, 12, 12, 10, 9, 14, 40, 24)),
    # Governance indicators by directorate and internal audit assurance
    # (xlperf.write._outputs_governance): one column per directorate.
    OutputSheet("Governance", "Governance", "Governance indicators: each directorate's "
                "latest result side by side (figure, status, period); and internal audit "
                "assurance by directorate.",
                ("Governance indicator",), (34,)),
    # Each objective's key activities, milestones and projects with their progress
    # (xlperf.write._outputs_activity); not named "Milestones": that is the master's own sheet.
    OutputSheet("Key activities", "Key activities", "Each objective's milestones and "
                "projects, with their progress this period.",
                ("Code", "Kind", "Key activity / project", "Lead officer", "Due date",
                 "Progress", "Forecast variance", "Commentary", "Service", "Period"),
                (10, 10, 36, 20, 12, 23, 11, 40, 18, 11)),
    OutputSheet("Log", "Log", "What the latest refresh did: returns read, rejected rows and why, "
                "restatements, re-rated statuses, timings.",
                ("Time", "Action", "File", "Sheet", "Cell", "Rule", "Severity", "Message"),
                (17, 14, 26, 12, 7, 10, 9, 70)),
    # Written by a refresh that reads returns (xlperf.write.returns_sheet): the table of
    # xlperf returns.
    OutputSheet("Returns", "Returns", "Each return the period expects: when it is due, what "
                "came in, and what is left to do.",
                ("Return for", "Kind", "Contact", "Due", "Received", "File", "SHA-256",
                 "Outcome", "Working days overdue", "Errors", "Queries", "Completed by",
                 "Signed off by", "Signed off"),
                (22, 11, 27, 12, 17, 22, 12, 15, 9, 7, 8, 13, 13, 12)),
)

SCORECARD_KEY_COLUMNS = 10  # Code .. Latest note: the columns a printed scorecard shows
SHEET_ORDER = ("Guide", "Scorecard", "Objectives", "Key activities", "Exceptions", "Finance",
               "Governance", "Returns", "Measures", "Targets", "Budget", "Capital", "Schemes",
               "Settings", "Contacts", "Process changes", "Milestones", "Projects", "Risks",
               "Audit", "Judgements", "Log", "Rules")


# --- return templates: written by xlperf.write.templates, checked by xlperf.validate ---------
# Each kind's sheet people fill in.
# The most characters one Excel cell (or comment) holds: the writers cut text there, and the
# validator queries a return's cell that is longer (FILE-022).
MAX_CELL_TEXT = 32_767
# What makes a spreadsheet run a text as a formula (OWASP, "CSV Injection"): =, +, -, @, a tab
# or a carriage return first, and the full-width forms Excel also accepts. The one list: the
# commentary cleaner leaves such text exactly as typed; the CSV export, the task pane and the
# annotated copy's Issues sheet put an apostrophe before it.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# The control characters a worksheet cannot hold (XML 1.0 has no place for them: openpyxl
# refuses them, Excel stores them escaped as ``_x0007_``). A figure pasted from another system
# can carry one; the one decision: wherever xlperf shows or writes such text, each is shown as
# its Unicode picture (BEL as ``␇``), so the text is never silently changed into another.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def visible_controls(text: str) -> str:
    """``text`` with each control character a worksheet cannot hold shown as its picture.

    >>> visible_controls("78.8\\x07"), visible_controls("a line\\nthe next\\ttab")
    ('78.8␇', 'a line\\nthe next\\ttab')
    """
    return _CONTROLS.sub(lambda m: chr(0x2400 + ord(m.group())), text)


RETURN_SHEETS = {"performance": "Return", "finance": "Finance", "capital": "Capital"}
# The sign-off cells of every return template: (key, label) on rows 2-4, the label in the
# table's last-but-one column and the value (typed by the service) in its last.
RETURN_SIGNOFF = (("completed_by", "Completed by"), ("signed_off_by", "Signed off by"),
                  ("signed_off_on", "Date"))
RETURN_SIGNOFF_FIRST_ROW = 2
RETURN_HEADER_ROW = 12
RETURN_FIRST_DATA_ROW = RETURN_HEADER_ROW + 1
# Each kind's table: (header, width, typed by the service?), in column order from A.
RETURN_COLUMNS: dict[str, tuple[tuple[str, float, bool], ...]] = {
    "performance": (
        ("Code", 14, False), ("Measure", 46, False), ("Unit", 16, False),
        ("Polarity", 16, False), ("Frequency", 10, False), ("Period", 11, False),
        ("Target", 10, False), ("Actual", 11, True), ("Numerator", 11, True),
        ("Denominator", 12, True), ("Reported status", 20, True), ("Commentary", 60, True),
        # A second comment by someone other than the owner (issue 24): its heading as the
        # report prints it, its author, its text. Optional: a return made before them has
        # none, and reads and validates as before (RETURN_ATTRIBUTED).
        ("Comment subject", 24, True), ("Comment by", 20, True),
        ("Further comment", 60, True)),
    "finance": (
        ("Service area", 34, False), ("Gross budget", 13, False), ("Net budget", 13, False),
        ("Forecast outturn", 14, True), ("Variance", 12, False), ("Explanation", 70, True)),
    "capital": (
        ("Programme", 36, False), ("Revised base budget", 14, False),
        ("Revised estimate", 14, True), ("Actual to date", 13, True), ("Slippage", 11, False),
        ("Explanation", 70, True)),
}


# The columns of a performance return a figure is typed in, each read by the value parser and
# checked alike (PERF-005, 006, 007 and 019 name the column): the Actual and its two counts.
RETURN_FIGURES = ("Actual", "Numerator", "Denominator")
# The attributed comment's columns of a performance return (optional, after Commentary).
RETURN_ATTRIBUTED = ("Comment subject", "Comment by", "Further comment")
# How many of a kind's columns the sign-off sits beside: the table as it was before the
# optional columns, so the sign-off of every return, old or new, is in the same cells.
_SIGNOFF_WIDTH = {"performance": 12}


def signoff_cells(kind: str) -> dict[str, tuple[str, str]]:
    """Where a return template of ``kind`` has its sign-off: key -> (label cell, value cell).

    >>> signoff_cells("performance")["signed_off_by"], signoff_cells("finance")["signed_off_on"]
    (('K3', 'L3'), ('E4', 'F4'))
    """
    from xlperf.findings import cell_ref

    width = _SIGNOFF_WIDTH.get(kind, len(RETURN_COLUMNS[kind]))
    return {key: (cell_ref(RETURN_SIGNOFF_FIRST_ROW + i, width - 1),
                  cell_ref(RETURN_SIGNOFF_FIRST_ROW + i, width))
            for i, (key, _label) in enumerate(RETURN_SIGNOFF)}


RETURN_HEADERS: dict[str, tuple[str, ...]] = {
    kind: tuple(header for header, _width, _typed in columns)
    for kind, columns in RETURN_COLUMNS.items()}


# The Milestones sheet of a service's performance return (issue 24): a row per milestone and
# project of the master's Milestones and Projects sheets whose Service is the return's (only a
# service with one gets the sheet). Written by xlperf.write.templates, read by
# xlperf.read.activity, checked by xlperf.validate.mil_rules (MIL-). The Type column's words;
# a milestone's Progress is a word of xlperf.core.milestones.PROGRESS (shown with its symbol),
# a project's Red, Amber or Green.
ACTIVITY_SHEET = "Milestones"
ACTIVITY_TYPES = ("Milestone", "Project")
ACTIVITY_HEADER_ROW = RETURN_HEADER_ROW
ACTIVITY_FIRST_DATA_ROW = ACTIVITY_HEADER_ROW + 1
# (header, width, typed by the service on a milestone's row?, on a project's row?)
ACTIVITY_COLUMNS: tuple[tuple[str, float, bool, bool], ...] = (
    ("Type", 11, False, False), ("Code", 9, False, False),
    ("Milestone or project", 46, False, False), ("Objective", 30, False, False),
    ("Lead officer", 20, False, False), ("Due date", 12, False, False),
    ("Progress", 22, True, True), ("Forecast variance", 12, False, True),
    ("Revised date", 12, True, False), ("Commentary", 60, True, True))
ACTIVITY_HEADERS = tuple(header for header, *_rest in ACTIVITY_COLUMNS)


def activity_column(header: str) -> int:
    """The 1-based column of ``header`` on a return's Milestones sheet.

    >>> activity_column("Progress"), activity_column("Commentary")
    (7, 10)
    """
    return ACTIVITY_HEADERS.index(header) + 1
