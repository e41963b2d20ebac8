"""The master's ``Settings`` sheet as one typed, frozen :class:`Settings`.

Every setting xlperf knows is declared once, as a field of :class:`Settings`: its type, its
label on the sheet, its default, the note a new master's sheet prints beside it and how a bad
value is refused (the ``REG`` rule, ``REG-040``, with the message saying why and that the
default is used). Adding a setting is one row here: :func:`setting` in the class body.

:func:`read_settings` turns the sheet's rows into a :class:`Settings` (a blank or missing
setting is its default; a bad value is a problem and the default stands), and
:meth:`Settings.returns_folder_in` / :meth:`Settings.ledger_in` are the one rule for where the
returns and the ledger are (relative to the master's folder): :class:`xlperf.council.Council`
resolves them once, and every door asks it.

This module imports nothing heavy (no pandas), so :mod:`xlperf.layout` derives the sheet's
rows from it.

>>> settings, problems = read_settings([(2, "Council name", "Borsetshire"),
...                                     (3, "Materiality threshold (£000s)", "lots")])
>>> settings.council, settings.materiality, settings.returns_folder
('Borsetshire', 50, 'returns')
>>> problems[0].message
"'lots' is not a number (the default, 50, is used)"
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, NamedTuple

__all__ = ["Cell", "Problem", "Settings", "declared", "fold_label", "read_settings"]

#: A cell of the sheet as read (python-calamine or xlwings): text, a number, a date...
Cell = str | int | float | bool | dt.datetime | dt.date | dt.time | dt.timedelta | None

#: What a declared setting's check gives: the value to keep (None: the default), and why the
#: cell was refused (None when it was fine). ``context`` holds the schemes a ``Default
#: scheme`` must name.
Check = Callable[[Any, Mapping[str, Any]], tuple[Any, str | None]]


class Problem(NamedTuple):
    """A setting that could not be used: its row, label, value, rule and why."""

    row: int
    label: str
    value: Any
    rule: str
    message: str


def fold_label(label: object) -> str:
    """A label folded for matching (letters and digits only, lower case).

    >>> fold_label(" Budget tolerance % "), fold_label("Ledger-path")
    ('budgettolerance', 'ledgerpath')
    """
    return "".join(ch for ch in str(label).casefold() if ch.isalnum())


def _blank(value: object) -> bool:
    return value is None or value != value or (isinstance(value, str) and not value.strip())


# ------------------------------------------------------------------------- the checks
def _text(value: Any, _context: Mapping[str, Any]) -> tuple[Any, str | None]:
    return str(value).strip(), None


def _cell(value: Any, _context: Mapping[str, Any]) -> tuple[Any, str | None]:
    """Kept as typed (a threshold typed as 25% is the number 0.25)."""
    return value, None


def _period(value: Any, _context: Mapping[str, Any]) -> tuple[Any, str | None]:
    from xlperf.core.periods import parse_period
    from xlperf.errors import InputError

    try:
        parse_period(value)
    except InputError as error:
        # Kept: the refresh then says why it cannot use it, not that none is set.
        return str(value).strip(), str(error)
    return str(value).strip(), None


def _scheme(value: Any, context: Mapping[str, Any]) -> tuple[Any, str | None]:
    known = {fold_label(name) for name in context.get("schemes", ())}
    if fold_label(value) not in known:  # kept: scoring then names the missing scheme
        return str(value).strip(), f"scheme {value!r} is not on the Schemes sheet"
    return str(value).strip(), None


def _paper(value: Any, _context: Mapping[str, Any]) -> tuple[Any, str | None]:
    paper = str(value).strip().upper()
    if paper not in ("A4", "A3"):
        return None, f"{value!r} is not a paper size xlperf prints on (A4 or A3; A4 is used)"
    return paper, None


def _parsed_by(parse_name: str) -> Check:
    """A committee-report setting checked by a parser of :mod:`xlperf.core.cards`; the value
    is kept as typed for the report to parse (a bad one: the default, as if blank)."""
    def check(value: Any, _context: Mapping[str, Any]) -> tuple[Any, str | None]:
        from xlperf.core import cards
        from xlperf.errors import InputError

        try:
            getattr(cards, parse_name)(value)
        except InputError as error:
            return None, f"{error} (the default is used)"
        return value, None
    return check


def _number(default: float) -> Check:
    def check(value: Any, _context: Mapping[str, Any]) -> tuple[Any, str | None]:
        from xlperf.core.values import parse_value

        parsed = parse_value(value)
        if parsed.kind != "number":
            # Never carry the text on to the money sums: the default stands, as if blank.
            return None, f"{value!r} is not a number (the default, {default}, is used)"
        return parsed.number, None
    return check


def _whole(default: int, limit: int) -> Check:
    def check(value: Any, _context: Mapping[str, Any]) -> tuple[Any, str | None]:
        from xlperf.core.values import parse_value

        number = parse_value(value).number
        if number is None or not float(number).is_integer() or not 0 < number <= limit:
            return None, (f"{value!r} is not a whole number of the right size (the default, "
                          f"{default}, is used)")
        return int(number), None
    return check


def _days(value: Any, _context: Mapping[str, Any]) -> tuple[Any, str | None]:
    from xlperf.core.collection import working_days

    number = working_days(value)
    if number is None:
        return None, (f"{value!r} is not a whole number of the right size (the default, "
                      "10, is used)")
    return number, None


def _email(value: Any, _context: Mapping[str, Any]) -> tuple[Any, str | None]:
    from xlperf.core.collection import is_email

    if not is_email(value):
        return None, f"{value!r} is not an e-mail address: chasers cannot be sent"
    return str(value).strip(), None


def _flag(value: Any, _context: Mapping[str, Any]) -> tuple[Any, str | None]:
    from xlperf.core.measures import parse_flag
    from xlperf.errors import InputError

    try:
        return parse_flag(value), None
    except InputError:
        return None, f"{value!r} is not Yes or No (the default, No, is used)"


def _spc(key: str) -> Check:
    """A statistical process control setting, checked as :class:`~xlperf.core.spc.SpcSettings`
    checks it (a refused value: the default stands)."""
    def check(value: Any, _context: Mapping[str, Any]) -> tuple[Any, str | None]:
        from xlperf.core.spc import SETTING_KEYS, SpcSettings, parse_setting
        from xlperf.errors import InputError

        try:
            return parse_setting(key, value), None
        except InputError as error:
            default = getattr(SpcSettings(), SETTING_KEYS[key])
            shown = ("Yes" if default else "No") if isinstance(default, bool) else default
            return None, f"{error} (the default, {shown}, is used)"
    return check


#: The groups of settings: ``master`` rows are written on a new master's Settings sheet;
#: ``collection`` ones are added by hand (docs/collection.md); ``other`` ones are optional.
MASTER, COLLECTION, OTHER = "master", "collection", "other"


def setting(label: str, default: Any, check: Check, note: str = "", *,
            group: str = OTHER, aliases: tuple[str, ...] = (), rule: str = "REG-040") -> Any:
    """One declared setting: a field of :class:`Settings` with its label on the sheet, its
    default (blank or missing), how a value is checked (``check``; a refused value is a
    ``rule`` finding and the default stands) and the note printed beside it."""
    return field(default=default, metadata={
        "label": label, "check": check, "note": note, "group": group, "aliases": aliases,
        "rule": rule})


@dataclass(frozen=True)
class Settings:
    """The master's settings, as read: one attribute per setting, blank ones at their
    default; the rows xlperf does not know are in :attr:`other` (label, value).

    >>> Settings().default_scheme, Settings().paper_size, Settings().due_working_days
    ('rag', 'A4', 10)
    """

    council: str = setting("Council name", "", _text, "Printed on templates and the "
                           "scorecard.", group=MASTER)
    directorate: str = setting("Directorate", "", _text, "Printed under the council name.",
                               group=MASTER)
    reporting_period: str = setting("Reporting period", "", _period, "The period being "
                                    "reported, e.g. Q2 2013/14 or Sep-13.", group=MASTER)
    returns_folder: str = setting("Returns folder", "returns", _text, "Where submitted "
                                  "returns are collected (relative to the master).",
                                  group=MASTER)
    default_scheme: str = setting("Default scheme", "rag", _scheme, "Scheme for measures "
                                  "whose Scheme cell is blank.", group=MASTER)
    budget_tolerance_pct: float = setting(
        "Budget tolerance %", 1.0, _number(1.0),
        "A forecast within this % of the net budget is Amber, not Red.", group=MASTER)
    materiality: float = setting("Materiality threshold (£000s)", 50, _number(50),
                                 "Budget variances at least this big need an explanation.",
                                 group=MASTER)
    total_owner: str = setting(
        "Directorate total owner", "", _text, "Whose finance return asks for the directorate "
        "total's explanation (blank: the Budget holder of the Budget sheet's total row).",
        group=MASTER)
    return_deadline: str = setting("Return deadline", "", _text, "Printed as 'Return by' on "
                                   "a template the collection calendar gives no due date.",
                                   group=MASTER)
    paper_size: str = setting("Paper size", "A4", _paper, "A4 or A3: the paper the output "
                              "sheets print on (landscape). A sheet whose page setup you "
                              "change yourself keeps yours.", group=MASTER)
    protective_marking: str = setting(
        "Protective marking", "", _text, "Printed at the top and bottom of every output "
        "sheet, e.g. OFFICIAL or OFFICIAL-SENSITIVE (blank: none).", group=MASTER)
    # Statistical process control (docs/spc.md), checked by xlperf.core.spc.
    spc_minimum_points: int = setting(
        "SPC minimum points", 15, _spc("spc_minimum_points"), "Points a measure needs before "
        "its process limits are drawn (fewer: not enough data for SPC).", group=MASTER)
    spc_minimum_segment_points: int = setting(
        "SPC minimum points after a rebase", 12, _spc("spc_minimum_segment_points"),
        "Points a segment needs after a rebase.", group=MASTER)
    spc_run_length: int = setting(
        "SPC run length", 7, _spc("spc_run_length"), "Points in a row on one side of the mean "
        "that make a run (6, 7 or 8).", group=MASTER)
    spc_trend_length: int = setting(
        "SPC trend length", 7, _spc("spc_trend_length"), "Points in a row all rising or all "
        "falling that make a trend (6, 7 or 8).", group=MASTER)
    spc_screen_moving_ranges: bool = setting(
        "SPC screen moving ranges", False, _spc("spc_screen_moving_ranges"), "Yes: leave out "
        "moving ranges above 3.267 x their mean before the limits are made "
        "(NHSRplotthedots); No, as MDC's Excel tool.", group=MASTER)
    spc_conflict: str = setting(
        "SPC conflict rule", "rule order", _spc("spc_conflict"), "When improvement and "
        "concern rules both fire: rule order (MDC's SQL tool), improvement or concern.",
        group=MASTER)
    # Returns collection (xlperf returns, xlperf chase).
    due_working_days: int = setting(
        "Return due (working days)", 10, _days, "Working days after the period end a return "
        "is due (weekends and bank holidays of England and Wales skipped).", group=COLLECTION)
    smtp_host: str = setting("SMTP host", "", _text, "The mail server chasers are sent "
                             "through.", group=COLLECTION)
    smtp_port: int = setting("SMTP port", 587, _whole(587, 65_535), "Its port (587 with "
                             "STARTTLS, 25 without).", group=COLLECTION)
    smtp_starttls: str = setting("SMTP STARTTLS", "Yes", _text, "Yes: encrypt the "
                                 "connection before sending.", group=COLLECTION)
    chaser_from: str = setting("Chaser from", "", _email, "The From address of chasers.",
                               group=COLLECTION)
    chasers_per_minute: int = setting("Chasers per minute", 30, _whole(30, 100_000),
                                      "At most this many chasers a minute.",
                                      group=COLLECTION)
    signoff_required: bool = setting(
        "Sign-off required", False, _flag, "Yes: a return must say who completed it, who "
        "signed it off and when (FILE-024, an error unless the Rules sheet says query).",
        group=COLLECTION)
    # Optional rows (docs/ledger.md, docs/report.md).
    ledger_path: str = setting("Ledger path", "", _text, "Where the ledger is (relative to "
                               "the master); blank: <master>.ledger.sqlite beside it.",
                               aliases=("Ledger",))
    report_sections: str = setting("Report sections", "", _text, "The committee report's "
                                   "sections, comma separated (blank: all).")
    report_cards: Cell = setting("Report cards", None, _parsed_by("parse_card_reasons"),
                                 "The reasons a measure gets a card in the report.")
    card_worsening_threshold: Cell = setting(
        "Card worsening threshold", None, _parsed_by("parse_threshold"),
        "How far a measure must move the wrong way to count as worsening (e.g. 25%).")
    report_browser: str = setting("Report browser", "", _text, "The browser that prints "
                                  "the PDF report.")
    risk_ratings: str = setting("Risk ratings", "", _text, "The council's risk scale for the "
                                "Risks sheet, highest first, comma separated (blank: High, "
                                "Medium, Low).")
    milestones_in_rollup: bool = setting(
        "Milestones in objective roll-up", False, _flag, "Yes: each objective's judgement "
        "also counts its milestones, a Fair / behind one like an Amber measure and one ahead, "
        "on schedule or complete like a Green one (docs/master.md); No: measures only.")
    #: The rows xlperf does not know, ``(label, value)``, kept as they are.
    other: tuple[tuple[str, Cell], ...] = ()

    def returns_folder_in(self, master: str | Path) -> Path:
        """Where the returns are, for the master at ``master``: the ``Returns folder``
        setting, relative to the master's folder unless absolute (``~`` is the home folder).

        >>> Settings().returns_folder_in("reports/master.xlsx").as_posix()
        'reports/returns'
        """
        return _beside(Path(master), self.returns_folder or "returns")

    def ledger_in(self, master: str | Path) -> Path:
        """Where the ledger is, for the master at ``master``: the ``Ledger path`` setting
        (relative to the master's folder unless absolute), else ``<master>.ledger.sqlite``.

        >>> Settings(ledger_path="data/l.db").ledger_in("reports/master.xlsm").as_posix()
        'reports/data/l.db'
        >>> Settings().ledger_in("reports/master.xlsm").as_posix()
        'reports/master.ledger.sqlite'
        """
        master = Path(master)
        return _beside(master, self.ledger_path or f"{master.stem}.ledger.sqlite")


def _beside(master: Path, setting: str) -> Path:
    """The one rule for a path setting: relative to the master's folder, unless absolute."""
    chosen = Path(str(setting).strip()).expanduser()
    return chosen if chosen.is_absolute() else master.parent / chosen


def declared(group: str | None = None) -> tuple[Any, ...]:
    """The declared settings (dataclass fields, in order; ``other`` left out), of one
    ``group`` when given. Each field's ``metadata`` has its ``label``, ``note`` and
    ``aliases``; ``default`` is the field's default."""
    return tuple(f for f in fields(Settings) if "label" in f.metadata
                 and (group is None or f.metadata["group"] == group))


def _labels() -> dict[str, Any]:
    out = {}
    for f in declared():
        for label in (f.metadata["label"], *f.metadata["aliases"]):
            out[fold_label(label)] = f
    return out


def read_settings(rows: Iterable[tuple[int, Any, Any]], *,
                  schemes: Iterable[str] = ("rag",)) -> tuple[Settings, list[Problem]]:
    """The :class:`Settings` of the sheet's ``(row, label, value)`` rows, and a
    :class:`Problem` for each value that cannot be used (its default stands). A later row of
    the same setting wins; ``schemes`` are the names a ``Default scheme`` may take."""
    by_label = _labels()
    context = {"schemes": tuple(schemes)}
    values: dict[str, Any] = {}
    other: dict[str, Any] = {}
    problems: list[Problem] = []
    for row, label, value in rows:
        if _blank(label):
            continue
        declared_field = by_label.get(fold_label(label))
        if declared_field is None:
            other[str(label).strip()] = None if _blank(value) else value
            continue
        name = declared_field.name
        if _blank(value):
            values.pop(name, None)  # blank: the default, as if the row were not there
            continue
        kept, problem = declared_field.metadata["check"](value, context)
        if problem is not None:
            problems.append(Problem(row, str(label), value, declared_field.metadata["rule"],
                                    problem))
        if kept is None:
            values.pop(name, None)
        else:
            values[name] = kept
    return replace(Settings(), **values, other=tuple(other.items())), problems
