"""The collection calendar: which returns a period expects, from whom, and by when.

Pure functions over the register's frames (pandas, numpy and the ``holidays`` package; no
Excel, no files). One place decides which returns exist (:func:`planned_returns`): the
template writer (:func:`xlperf.write.templates.build_templates`) makes one template per
planned return, and the calendar (:func:`collection_calendar`) expects one return per planned
template, so the two can never disagree.

- **Performance**: one return per service of the register that has a measure due in the
  period (a quarterly measure asks nothing of a mid-quarter monthly return).
- **Finance**: one return per budget holder of the Budget sheet (each line its own holder when
  the sheet has no ``Budget holder`` column); the total row is nobody's.
- **Capital**: one capital programme return when the Capital sheet has programmes for it.

Each return is due a number of **working days** after the period ends (the ``Return due
(working days)`` setting, default :data:`DEFAULT_WORKING_DAYS`; a per-return override in the
``Contacts`` sheet's ``Working days`` column), skipping weekends and the bank holidays of
England and Wales (the maintained ``holidays`` package, never a hand-written list).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from xlperf.core.budget import capital_for_period, ends_with_total, is_total_line
from xlperf.core.columns import BUDGET_COLUMNS, fold, normalise_columns
from xlperf.core.measures import prepare_measures
from xlperf.core.periods import Period, parse_period
from xlperf.core.score import due_period

__all__ = [
    "ACCEPTED", "BLANK", "CAPITAL", "DEFAULT_WORKING_DAYS", "FINANCE", "NOT_RECEIVED", "OWED",
    "PARTLY", "PERFORMANCE", "REJECTED", "Contact", "ExpectedReturn",
    "PlannedReturn", "add_working_days", "bank_holidays", "budget_holders",
    "collection_calendar", "contact_text", "contacts_by_return", "due_periods", "email_column",
    "is_email",
    "planned_returns", "return_file_name", "total_owner", "working_days", "working_days_between",
]

PERFORMANCE, FINANCE, CAPITAL = "performance", "finance", "capital"
# What came of an expected return (xlperf.collection), in the refresh's words; the Returns sheet
# (xlperf.write) and the export (xlperf.ledger) say the same.
NOT_RECEIVED, BLANK = "not received", "blank"
ACCEPTED, PARTLY, REJECTED = "accepted", "partly accepted", "rejected"
# Outcomes that leave the return still owed: it is chased, and its days overdue run on.
OWED = (NOT_RECEIVED, BLANK, REJECTED)
CAPITAL_OWNER = "Capital programme"  # as xlperf.identity names it (identity imports core)
DEFAULT_WORKING_DAYS = 10
MAX_WORKING_DAYS = 120  # half a year of working days: anything more is a typing mistake

# Headers of an e-mail column, folded (xlperf.core.columns.fold): on Measures the owner's, on
# Budget the holder's, on Contacts the contact's. Kept out of MEASURE_COLUMNS on purpose: the
# register's fingerprint (identity.register_hash) must not change when an address does.
EMAIL_HEADERS = ("owner e mail", "owner email", "holder e mail", "holder email",
                 "budget holder e mail", "budget holder email", "contact e mail",
                 "contact email", "e mail", "email", "e mail address", "email address")
CONTACT_COLUMNS: dict[str, tuple[str, ...]] = {
    "return_for": ("return for", "return", "service", "budget holder", "who"),
    "contact": ("contact", "name", "contact name"),
    "email": ("e-mail", "email", "e-mail address", "email address"),
    "working_days": ("working days", "due working days", "return due working days",
                     "days to return"),
}
# Deliberately plain: one @, a dotted domain, no spaces, brackets, commas or quotes. A register
# cell is typed by a person; what this refuses is a typo, not an exotic valid address.
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or (
        isinstance(value, str) and value.strip() == "")


def _name(value: Any) -> str:
    return "" if _blank(value) else str(value).strip()


def is_email(text: Any) -> bool:
    """Whether a register cell holds one usable e-mail address.

    >>> is_email("pauline.sharratt@doncaster.gov.uk"), is_email("Pauline Sharratt")
    (True, False)
    >>> is_email("a@b"), is_email("=HYPERLINK(x)"), is_email("a@b.uk; c@d.uk")
    (False, False, False)
    """
    return isinstance(text, str) and len(text.strip()) <= 254 and bool(
        _EMAIL.match(text.strip())) and ".." not in text


def email_column(frame: pd.DataFrame) -> Any:
    """The header of ``frame``'s e-mail column (:data:`EMAIL_HEADERS`), or None.

    >>> email_column(pd.DataFrame(columns=["Code", "Owner e-mail"]))
    'Owner e-mail'
    """
    by_fold = {fold(c): c for c in frame.columns}
    return next((by_fold[h] for h in EMAIL_HEADERS if h in by_fold), None)


def due_periods(frequency: str, reporting: Period) -> list[Period]:
    """The periods of ``frequency`` a return for ``reporting`` asks for: those ending within it
    (three months in a quarter), or for an annual measure the latest year ended (so the figure
    can be given whenever it is published). Empty when nothing is due (a quarterly measure in
    a mid-quarter monthly return).

    >>> [p.format() for p in due_periods("month", parse_period("Q2 2013/14"))]
    ['Jul-13', 'Aug-13', 'Sep-13']
    >>> [p.format() for p in due_periods("year", parse_period("Q2 2013/14"))]
    ['2012/13']
    >>> due_periods("quarter", parse_period("Aug-13"))
    []
    """
    last = due_period(reporting, frequency)
    periods = []
    current = last
    while current.end >= reporting.start and current.end <= reporting.end:
        periods.append(current)
        current = current.previous()
    if not periods and frequency == "year":
        periods = [last]
    return periods[::-1]


def budget_holders(budget: pd.DataFrame | None) -> dict[str, pd.DataFrame]:
    """Budget lines per holder (the total row left out); without a Budget holder column each
    line is its own holder.

    >>> lines = pd.DataFrame({"Service area": ["Care", "Help", "Total"],
    ...                       "Budget holder": ["Pat", "Pat", ""], "Net budget": [1, 2, 3]})
    >>> {k: v.index.tolist() for k, v in budget_holders(lines).items()}
    {'Pat': [0, 1]}
    """
    if budget is None or budget.empty:
        return {}
    frame = normalise_columns(budget, BUDGET_COLUMNS)
    if "line" not in frame.columns:
        return {}
    names = frame["line"].map(_name)
    keep = (names != "") & ~names.map(is_total_line).astype(bool)
    holder_col = next((c for c in budget.columns if str(c).strip().casefold() == "budget holder"),
                      None)
    holders = budget[holder_col].map(_name) if holder_col is not None else names
    holders = holders.where(holders != "", names)
    out: dict[str, pd.DataFrame] = {}
    for holder in dict.fromkeys(holders[keep]):
        out[holder] = budget[keep & (holders == holder)]
    return out


def return_file_name(kind: str, who: str, period: Period) -> str:
    """The file name of a return's template (and of the return people send back).

    >>> return_file_name("finance", "Chris Walker", parse_period("Q2 2013/14"))
    'Finance - Chris Walker - Q2 2013-14.xlsx'
    """
    label = period.format().replace("/", "-")
    if kind == FINANCE:
        return f"Finance - {who} - {label}.xlsx"
    return f"{who} - {label}.xlsx"


@dataclass(frozen=True)
class PlannedReturn:
    """One return a period asks for: its kind, who sends it, its file name and, for finance
    and capital returns, the Budget or Capital sheet's rows it carries."""

    kind: str
    who: str
    file_name: str
    rows: pd.DataFrame | None = field(default=None, compare=False, repr=False)


def total_owner(budget: pd.DataFrame | None, named: Any = "") -> str | None:
    """Who is asked for the directorate total's explanation on their finance return:
    ``named`` (the ``Directorate total owner`` setting) when given, else the ``Budget holder``
    of the Budget sheet's total row (its last, when its name says total); None when the sheet
    has no total row or nobody is named.

    >>> budget = pd.DataFrame({"Service area": ["Care", "Help", "Directorate total"],
    ...                        "Budget holder": ["Pat", "Jo", "Sam"]})
    >>> total_owner(budget), total_owner(budget, "Director"), total_owner(budget.iloc[:2])
    ('Sam', 'Director', None)
    """
    if budget is None or budget.empty:
        return None
    frame = normalise_columns(budget, BUDGET_COLUMNS)
    if "line" not in frame.columns or not ends_with_total(frame):
        return None
    if _name(named):
        return _name(named)
    holder_col = next((c for c in budget.columns if str(c).strip().casefold() == "budget holder"),
                      None)
    holder = _name(budget[holder_col].iloc[-1]) if holder_col is not None else ""
    return holder or None


def planned_returns(register: pd.DataFrame, budget: pd.DataFrame | None,
                    capital: pd.DataFrame | None, period: Any, *,
                    owner: Any = "") -> list[PlannedReturn]:
    """Every return of ``period``, in template order: one performance return per service with
    a measure due, one finance return per budget holder, then the capital programme return.
    ``register`` is the usable register (rows with errors left out). The directorate total's
    owner (:func:`total_owner`; ``owner`` is the ``Directorate total owner`` setting) has the
    Budget sheet's total row last on their finance return (a return of its own when they hold
    no line), to explain the total.

    >>> reg = pd.DataFrame({"Code": ["A", "B"], "Service": ["Care", "Help"],
    ...                     "Polarity": ["Bigger is better"] * 2,
    ...                     "Frequency": ["Monthly", "Quarterly"]})
    >>> [(p.kind, p.who) for p in planned_returns(reg, None, None, "Aug-13")]
    [('performance', 'Care')]
    """
    reporting = period if isinstance(period, Period) else parse_period(period)
    plan: list[PlannedReturn] = []
    if len(register):
        prepared = prepare_measures(register)
        due_by_frequency: dict[str, bool] = {}
        for service, frequency in zip(prepared["service"], prepared["frequency"], strict=True):
            if not service or any(p.kind == PERFORMANCE and p.who == service for p in plan):
                continue
            if frequency not in due_by_frequency:
                due_by_frequency[frequency] = bool(due_periods(frequency, reporting))
            if due_by_frequency[frequency]:
                plan.append(PlannedReturn(PERFORMANCE, service,
                                          return_file_name(PERFORMANCE, service, reporting)))
        # Services in the register's order, as the templates have always been written.
        order = {s: i for i, s in enumerate(dict.fromkeys(prepared["service"]))}
        plan.sort(key=lambda p: order[p.who])
    finance = {fold(holder): len(plan) + i
               for i, holder in enumerate(budget_holders(budget))}
    for holder, lines in budget_holders(budget).items():
        plan.append(PlannedReturn(FINANCE, holder, return_file_name(FINANCE, holder, reporting),
                                  lines))
    who = total_owner(budget, owner)
    if who is not None and budget is not None:
        total = budget.iloc[[-1]]
        at = finance.get(fold(who))
        if at is None:
            plan.append(PlannedReturn(FINANCE, who, return_file_name(FINANCE, who, reporting),
                                      total))
        else:
            mine = plan[at]
            plan[at] = PlannedReturn(FINANCE, mine.who, mine.file_name,
                                     pd.concat([mine.rows, total]))
    programmes = capital_for_period(capital, reporting)
    if len(programmes):
        plan.append(PlannedReturn(CAPITAL, CAPITAL_OWNER,
                                  return_file_name(CAPITAL, CAPITAL_OWNER, reporting),
                                  programmes))
    return plan


# ------------------------------------------------------------------------------ working days
@lru_cache(maxsize=1)
def _united_kingdom() -> Any:
    """The ``holidays`` package's United Kingdom calendar class, loaded on its own.

    ``holidays.country_holidays`` imports the package's ``countries`` folder, whose
    ``__init__`` imports the modules of all of its 250 countries and territories: most of the
    tenth of a second the package costs a refresh. Its United Kingdom module imports only the
    package's shared parts, so it is loaded here from the installed package by itself; where
    the package is laid out otherwise (a future version), the package's own way answers
    (``tests/test_collection.py`` checks that both give the same days).
    """
    import importlib.util
    from pathlib import Path

    import holidays  # the maintained calendar of bank holidays (one-off ones too)

    try:
        where = Path(holidays.__file__).parent / "countries" / "united_kingdom.py"
        spec = importlib.util.spec_from_file_location("xlperf_holidays_united_kingdom", where)
        if spec is None or spec.loader is None:
            raise ImportError(where)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        found = module.UnitedKingdom
        if not issubclass(found, holidays.HolidayBase) or found.country != "GB":
            raise ImportError(where)
        return found
    except Exception:  # noqa: BLE001 - moved or changed: the package's documented call
        return lambda **options: holidays.country_holidays("GB", **options)


@lru_cache(maxsize=64)
def _holidays(first: int, last: int) -> tuple[tuple[date, str], ...]:
    # England and Wales share their bank holidays; the package files them under England.
    found = _united_kingdom()(subdiv="ENG", years=range(first, last + 1))
    return tuple(sorted(found.items()))


def bank_holidays(first_year: int, last_year: int | None = None) -> dict[date, str]:
    """The bank holidays of England and Wales from ``first_year`` to ``last_year`` (calendar
    years), as ``{date: name}``.

    >>> bank_holidays(2014)[date(2014, 4, 21)]
    'Easter Monday'
    """
    return dict(_holidays(first_year, last_year if last_year is not None else first_year))


def _holiday_array(start: date, end: date) -> np.ndarray:
    days = [d for d, _n in _holidays(start.year - 1, end.year + 1)]
    return np.array(days, dtype="datetime64[D]")


def add_working_days(start: date | Iterable[date], days: int | Iterable[int]) -> Any:
    """The date ``days`` working days after ``start`` (weekends and bank holidays of England
    and Wales skipped); 0 gives ``start`` itself. Works on one date or on arrays of them.

    >>> add_working_days(date(2013, 12, 31), 10)   # 1 January 2014 is a bank holiday
    datetime.date(2014, 1, 15)
    >>> add_working_days(date(2013, 3, 31), 10)    # a Sunday; Easter Monday 1 April skipped
    datetime.date(2013, 4, 15)
    """
    single = isinstance(start, date)
    starts = np.array([start] if isinstance(start, date) else list(start),
                      dtype="datetime64[D]")
    offsets = np.broadcast_to(np.asarray(days, dtype=np.int64), starts.shape)
    if not len(starts):
        return [] if not single else None
    # A year beyond the latest start: a due date is never more than half a year later.
    holidays = _holiday_array(starts.min().astype(object), starts.max().astype(object))
    # Rolled back first: the n-th working day after a Sunday counts Monday as the first.
    due = np.busday_offset(starts, offsets, roll="backward", holidays=holidays)
    # Where the start itself is not a working day and 0 days are asked, the start stands.
    due = np.where(offsets == 0, starts, due)
    out = due.astype(object)
    return out[0] if single else list(out)


def working_days_between(first: date, last: date) -> int:
    """Working days after ``first`` up to and including ``last`` (0 when ``last`` is not
    later): how overdue a return due on ``first`` is on ``last``.

    >>> working_days_between(date(2014, 1, 15), date(2014, 1, 20))   # Thu, Fri, Mon
    3
    """
    if last <= first:
        return 0
    holidays = _holiday_array(first, last)
    one = np.timedelta64(1, "D")
    return int(np.busday_count(np.datetime64(first) + one, np.datetime64(last) + one,
                               holidays=holidays))


def working_days(value: Any, default: int = DEFAULT_WORKING_DAYS) -> int | None:
    """A working-days cell as a whole number of days from 0 to :data:`MAX_WORKING_DAYS`:
    blank gives ``default``; anything else (text, a fraction, out of range) gives None.

    >>> working_days(15.0), working_days(None), working_days("ten"), working_days(2.5)
    (15, 10, None, None)
    """
    if _blank(value):
        return default
    try:
        number = float(str(value).strip()) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        return None
    if not number.is_integer() or not 0 <= number <= MAX_WORKING_DAYS:
        return None
    return int(number)


# ------------------------------------------------------------------------------ the calendar
@dataclass(frozen=True)
class Contact:
    """Who is asked for a return: a name (may be blank) and an e-mail address."""

    name: str
    email: str


@dataclass(frozen=True)
class ExpectedReturn:
    """One return of the calendar: what, from whom, due when, and whom to chase."""

    kind: str
    who: str
    file_name: str
    period: str
    due: date
    working_days: int
    contacts: tuple[Contact, ...] = ()

    @property
    def key(self) -> tuple[str, str]:
        """(kind, who folded): how a submitted return is matched to its place."""
        return (self.kind, fold(self.who))


def contact_text(contacts: Iterable[Contact]) -> str:
    """Contacts as one line; blank when none.

    >>> contact_text([Contact("Pat Hill", "pat@council.gov.uk"), Contact("", "jo@council.gov.uk")])
    'Pat Hill <pat@council.gov.uk>; jo@council.gov.uk'
    """
    return "; ".join(f"{c.name} <{c.email}>" if c.name else c.email for c in contacts)


def _original(frame: pd.DataFrame, core: str, aliases: tuple[str, ...]) -> Any:
    """The header of ``frame`` that :func:`normalise_columns` reads as ``core``, or None."""
    renamed = normalise_columns(frame, {core: aliases})
    return next((o for o, n in zip(frame.columns, renamed.columns, strict=True) if n == core),
                None)


def _emails_of(frame: pd.DataFrame | None, name_header: Any, group: pd.Series
               ) -> dict[str, list[Contact]]:
    """Valid addresses of an e-mail column, grouped by ``group`` (service, holder)."""
    out: dict[str, list[Contact]] = {}
    if frame is None or frame.empty:
        return out
    column = email_column(frame)
    if column is None:
        return out
    for row in frame.index:
        email = _name(frame.at[row, column])
        if not is_email(email):
            continue
        name = _name(frame.at[row, name_header]) if name_header is not None else ""
        contact = Contact(name, email)
        key = fold(group.get(row, ""))
        if key and contact.email.casefold() not in {c.email.casefold()
                                                    for c in out.get(key, [])}:
            out.setdefault(key, []).append(contact)
    return out


def contacts_by_return(register: pd.DataFrame, budget: pd.DataFrame | None,
                       contacts: pd.DataFrame | None) -> tuple[dict[str, list[Contact]],
                                                                dict[str, int]]:
    """Contacts per return (keyed by the folded service, holder or ``Capital programme``) and
    working-day overrides. The Contacts sheet wins where it names a return; otherwise the
    owners' addresses of a service's measures (Measures' e-mail column) and the holder's
    address on the Budget sheet. Invalid addresses are left out (the master reader reports
    them as ``REG-070``)."""
    found: dict[str, list[Contact]] = {}
    days: dict[str, int] = {}
    if len(register):
        service_col = _original(register, "service", ("service", "team", "service area"))
        owner_col = _original(register, "owner", ("owner", "lead officer", "measure owner",
                                                  "responsible officer"))
        if service_col is not None:
            found.update(_emails_of(register, owner_col, register[service_col].map(_name)))
    if budget is not None and len(budget):
        holder_col = next((c for c in budget.columns
                           if str(c).strip().casefold() == "budget holder"), None)
        if holder_col is not None:
            for key, people in _emails_of(budget, holder_col,
                                          budget[holder_col].map(_name)).items():
                found.setdefault(key, []).extend(people)
    if contacts is not None and len(contacts):
        sheet = normalise_columns(contacts, CONTACT_COLUMNS)
        listed: dict[str, list[Contact]] = {}
        if "return_for" in sheet.columns:
            for row in sheet.index:
                key = fold(_name(sheet.at[row, "return_for"]))
                if not key:
                    continue
                if "working_days" in sheet.columns and not _blank(sheet.at[row, "working_days"]):
                    value = working_days(sheet.at[row, "working_days"])
                    if value is not None:  # else REG-072, and the default stands
                        days[key] = value
                email = _name(sheet.at[row, "email"]) if "email" in sheet.columns else ""
                if is_email(email):
                    name = _name(sheet.at[row, "contact"]) if "contact" in sheet.columns else ""
                    listed.setdefault(key, []).append(Contact(name, email))
        found.update(listed)
    return found, days


def collection_calendar(register: pd.DataFrame, budget: pd.DataFrame | None,
                        capital: pd.DataFrame | None, period: Any, *,
                        contacts: pd.DataFrame | None = None,
                        default_working_days: int = DEFAULT_WORKING_DAYS,
                        owner: Any = "") -> list[ExpectedReturn]:
    """The returns ``period`` expects (:func:`planned_returns`; ``owner``: the ``Directorate
    total owner`` setting), each with its due date and contacts (:func:`contacts_by_return`).

    >>> reg = pd.DataFrame({"Code": ["A"], "Service": ["Care"], "Owner": ["Pat"],
    ...                     "Owner e-mail": ["pat@council.gov.uk"],
    ...                     "Polarity": ["Bigger is better"], "Frequency": ["Quarterly"]})
    >>> [(r.who, r.due, r.contacts[0].email) for r in collection_calendar(reg, None, None,
    ...                                                                   "Q3 2013/14")]
    [('Care', datetime.date(2014, 1, 15), 'pat@council.gov.uk')]
    """
    reporting = period if isinstance(period, Period) else parse_period(period)
    plan = planned_returns(register, budget, capital, reporting, owner=owner)
    people, overrides = contacts_by_return(register, budget, contacts)
    spans = [overrides.get(fold(p.who), default_working_days) for p in plan]
    dues = add_working_days([reporting.end] * len(plan), spans) if plan else []
    return [ExpectedReturn(p.kind, p.who, p.file_name, reporting.format(), due, span,
                           tuple(people.get(fold(p.who), ())))
            for p, due, span in zip(plan, dues, spans, strict=True)]

