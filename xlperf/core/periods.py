"""Reporting periods on the UK local-government financial year.

English councils run an April–March financial year written ``2013/14`` (it starts on
1 April 2013). Quarter 1 is April–June, Q2 July–September, Q3 October–December and Q4
January–March. Scorecards mix month ends (``30/06/12``, ``Jun-13``, ``Dec-15``), quarters
(``Qtr3``, ``Q4 2012/13``) and years (``2012/13``, ``2012``); this module reads them all into
one canonical :class:`Period` and prints a period back the way the council writes it.

>>> p = parse_period("Q1 2013-14")
>>> p
Period('Q1 2013/14')
>>> p.start, p.end
(datetime.date(2013, 4, 1), datetime.date(2013, 6, 30))
>>> parse_period("30/06/12")
Period('Jun-12')
>>> parse_period("Qtr3", financial_year="2013/14").format("quarter-dash")
'Q3 2013-14'

Conventions (chosen here, relied on everywhere):

* ``year`` is the calendar year in which the financial year *starts*: 2013 for 2013/14.
* Monthly ``index`` counts from April (April = 1 … March = 12); quarterly ``index`` is the
  quarter 1–4; a year's ``index`` is always 1.
* A bare four-digit year (``2012`` or ``"2012"``) means the financial year 2012/13, never the
  calendar year: that is how the year columns of a council scorecard read.
* Two-digit years pivot at 70: ``00``–``69`` are 2000–2069 and ``70``–``99`` are 1970–1999, so
  ``Jun-13`` is June 2013 and ``Jun-85`` is June 1985.
* ``YYYY-NN`` text is a financial year when ``NN`` is the next year (``2013-14``) and an ISO
  month when ``NN`` is 01–12 (``2013-06``). The twelve strings where both readings work
  (``2000-01`` … ``2011-12``) are read as financial years, unless ``frequency`` asks for a month
  or quarter.
* Dates are UK day-first: ``01/04/2012`` is 1 April 2012.

Everything here is pure (standard library, pandas and numpy); nothing touches Excel.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from typing import Literal

import numpy as np
import pandas as pd

from xlperf.core._period import (
    _ARTICLE,
    _HINT,
    _MAX_YEAR,
    _MONTH_LONG,
    _RANK,
    _SPAN,
    DEFAULT_STYLES,
    FREQUENCIES,
    STYLES,
    Frequency,
    Period,
    _frequency,
    _fy_month,
    financial_year_label,
)
from xlperf.errors import PeriodError

__all__ = [
    "DEFAULT_STYLES",
    "FREQUENCIES",
    "STYLES",
    "Frequency",
    "Period",
    "financial_year_label",
    "parse_financial_year",
    "parse_period",
    "parse_periods",
]


# -- parsing --------------------------------------------------------------------------------

_MONTHS: dict[str, int] = {}
for _number, _long in enumerate(_MONTH_LONG, start=1):
    _MONTHS[_long.lower()] = _number
    _MONTHS[_long[:3].lower()] = _number
_MONTHS["sept"] = 9

_FY = r"(?:fy|financial\s+year)?\s*(\d{4}|\d{2})\s*[/-]\s*(\d{4}|\d{2})"
_QTR = r"(?:quarter|qtr\.?|q)\s*(\d{1,2})"
_MON = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_TIME = r"(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"

_RE_FY = re.compile(rf"^{_FY}$")
_RE_BARE_YEAR = re.compile(r"^(?:fy|financial\s+year)?\s*(\d{4})$")
_RE_QUARTER = re.compile(rf"^{_QTR}(?:[\s,:-]*{_FY})?$")
_RE_FY_QUARTER = re.compile(rf"^{_FY}[\s,:-]*{_QTR}$")
_RE_QUARTER_CALENDAR_YEAR = re.compile(rf"^(?:{_QTR}[\s,:-]*\d{{4}}|\d{{4}}[\s,:-]*{_QTR})$")
_RE_MONTH = re.compile(rf"^{_MON}(?:[\s,'/-]*(\d{{4}}|\d{{2}}))?$")
_RE_ISO_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_RE_DMY = re.compile(rf"^(\d{{1,2}})([/.-])(\d{{1,2}})\2(\d{{4}}|\d{{2}}){_TIME}$")
_RE_ISO_DATE = re.compile(rf"^(\d{{4}})-(\d{{1,2}})-(\d{{1,2}}){_TIME}$")
_RE_RANGE = re.compile(r"^(.+?)\s+(?:to|until|till|-)\s+(.+)$")

_DASHES = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2212"})


class _Reject(Exception):
    """Internal: text is not a period; ``reason`` (if any) says why."""

    def __init__(self, reason: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason


def _full_year(digits: str) -> int:
    """Four digits as given; two digits pivot at 70 (00–69 → 2000s, 70–99 → 1900s)."""
    year = int(digits)
    if len(digits) == 2:
        year += 2000 if year < 70 else 1900
    return year


def _fy_start(first: str, second: str) -> int:
    """Start year of an FY label like ``2013/14``; :class:`_Reject` unless consecutive."""
    start = _full_year(first)
    if len(second) == 4:
        consecutive = int(second) == start + 1
    else:
        consecutive = int(second) == (start + 1) % 100
    if not consecutive:
        raise _Reject(
            f"{first} and {second} are not consecutive years, so it is not a financial year"
        )
    return start


def _period(frequency: Frequency, year: int, index: int) -> Period:
    try:
        return Period(frequency, year, index)
    except PeriodError as exc:
        raise _Reject(str(exc)) from None


def _check_quarter(digits: str) -> None:
    if not 1 <= int(digits) <= 4:
        raise _Reject(f"there is no quarter {int(digits)}: a financial year has Q1 to Q4")


def _needs_year(what: str) -> _Reject:
    return _Reject(f"{what} without a year needs financial_year= (e.g. financial_year='2013/14')")


def _day(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise _Reject(f"there is no day {day:02d}/{month:02d}/{year:04d}") from None


def _read(text: str, fy: int | None, prefer_month: bool) -> tuple[Period, date | None]:
    """Read normalised ``text`` as a single period (no ranges).

    Returns the period at the text's own frequency and, when the text was a date, that date.
    Raises :class:`_Reject` (with a reason when the text had a recognised shape).
    """
    match = _RE_QUARTER.match(text)
    if match:
        quarter, first, second = match.groups()
        _check_quarter(quarter)
        if first is None:
            if fy is None:
                raise _needs_year("a quarter")
            return _period("quarter", fy, int(quarter)), None
        return _period("quarter", _fy_start(first, second), int(quarter)), None
    match = _RE_FY_QUARTER.match(text)
    if match:
        first, second, quarter = match.groups()
        _check_quarter(quarter)
        return _period("quarter", _fy_start(first, second), int(quarter)), None
    if _RE_QUARTER_CALENDAR_YEAR.match(text):
        raise _Reject("a quarter needs a financial year like 2013/14, not a single year")
    match = _RE_MONTH.match(text)
    if match:
        name, digits = match.groups()
        month = _MONTHS[name]
        if digits is None:
            if fy is None:
                raise _needs_year("a month")
            return _period("month", fy, (month - 4) % 12 + 1), None
        return Period._from_fy_month(_fy_month(_full_year(digits), month), "month"), None
    match = _RE_ISO_MONTH.match(text)
    if match:
        first, second = match.groups()
        month = int(second)
        try:
            start = _fy_start(first, second)
        except _Reject as exc:
            if 1 <= month <= 12:
                return Period._from_fy_month(_fy_month(int(first), month), "month"), None
            raise exc from None
        if 1 <= month <= 12 and prefer_month:
            return Period._from_fy_month(_fy_month(int(first), month), "month"), None
        return _period("year", start, 1), None
    match = _RE_FY.match(text)
    if match:
        return _period("year", _fy_start(*match.groups()), 1), None
    match = _RE_BARE_YEAR.match(text)
    if match:
        return _period("year", int(match.group(1)), 1), None
    match = _RE_DMY.match(text)
    if match:
        d, _sep, m, y = match.groups()
        found = _day(_full_year(y), int(m), int(d))
        return Period._from_fy_month(_fy_month(found.year, found.month), "month"), found
    match = _RE_ISO_DATE.match(text)
    if match:
        y, m, d = match.groups()
        found = _day(int(y), int(m), int(d))
        return Period._from_fy_month(_fy_month(found.year, found.month), "month"), found
    raise _Reject()


def _read_range(text: str, fy: int | None) -> Period:
    """Read ``'01/04/2012 to 30/06/2012'`` as the month, quarter or year it spans exactly."""
    match = _RE_RANGE.match(text)
    if not match:
        raise _Reject()
    left, left_day = _read(match.group(1), fy, prefer_month=True)
    right, right_day = _read(match.group(2), fy, prefer_month=True)
    if left_day is not None and left_day.day != 1:
        raise _Reject(f"a range must start on the first day of a month, not {left_day:%d/%m/%Y}")
    if right_day is not None and right_day != Period.from_date(right_day).end:
        raise _Reject(f"a range must end on the last day of a month, not {right_day:%d/%m/%Y}")
    first, last = left._first_month, right._last_month
    months = last - first + 1
    for frequency in FREQUENCIES:
        if months == _SPAN[frequency] and first % _SPAN[frequency] == 0:
            return Period._from_fy_month(first, frequency)
    raise _Reject(
        f"it runs from {left.start:%d/%m/%Y} to {right.end:%d/%m/%Y}, which is not exactly "
        f"one month, quarter or financial year"
    )


def _normalise(text: str) -> str:
    return " ".join(text.translate(_DASHES).lower().split())


def _shown(value: object) -> str:
    """``value`` as a message shows it: quoted text, plain numbers (``nan``, not ``np.float64``)."""
    if isinstance(value, str):
        return repr(str(value))
    if isinstance(value, np.generic) and not isinstance(value, np.datetime64 | np.timedelta64):
        return repr(value.item())
    return repr(value)


def _message(value: object, reason: str | None = None) -> str:
    shown = _shown(value)
    if reason:
        return f"{shown} is not a period xlperf recognises: {reason} {_HINT}"
    return f"{shown} is not a period xlperf recognises {_HINT}"


def _convert(period: Period, frequency: Frequency | None, value: object) -> Period:
    """Move ``period`` up to ``frequency``; refuse to read a longer period as a shorter one."""
    if frequency is None or frequency == period.frequency:
        return period
    if _RANK[frequency] < _RANK[period.frequency]:
        raise PeriodError(
            _message(
                value,
                f"it is {_ARTICLE[period.frequency]} ({period}), which cannot be read as "
                f"{_ARTICLE[frequency]}",
            )
        )
    return period.to_frequency(frequency)


@lru_cache(maxsize=8192)
def _parse_text(raw: str, frequency: Frequency | None, fy: int | None) -> Period:
    text = _normalise(raw)
    if not text:
        raise PeriodError(_message(raw, "it is blank"))
    prefer_month = frequency is not None and frequency != "year"
    try:
        period, _ = _read(text, fy, prefer_month)
    except _Reject as exc:
        if exc.reason is not None:
            raise PeriodError(_message(raw, exc.reason)) from None
        try:
            period = _read_range(text, fy)
        except _Reject as range_exc:
            raise PeriodError(_message(raw, range_exc.reason)) from None
    return _convert(period, frequency, raw)


def _parse_one(value: object, frequency: Frequency | None, fy: int | None) -> Period:
    """Parse one scalar with an already-checked frequency and financial-year context."""
    if isinstance(value, str):
        return _parse_text(str(value), frequency, fy)
    if isinstance(value, Period):
        return _convert(value, frequency, value)
    if value is None or value is pd.NaT or value is pd.NA:
        raise PeriodError(_message(value, "it is empty"))
    if isinstance(value, date):  # datetime and pandas.Timestamp are dates too
        return _convert(Period.from_date(value), frequency, value)
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            raise PeriodError(_message(value, "it is empty"))
        day = value.astype("datetime64[D]").item()
        if not isinstance(day, date):
            raise PeriodError(_message(value, "it is not a date xlperf can read"))
        return _convert(Period.from_date(day), frequency, value)
    if isinstance(value, bool | np.bool_):
        raise PeriodError(_message(value))
    if isinstance(value, numbers.Integral):
        return _convert(_year_number(int(value), value), frequency, value)
    if isinstance(value, numbers.Real):
        number = float(value)
        if math.isnan(number):
            raise PeriodError(_message(value, "it is empty"))
        if number.is_integer():
            return _convert(_year_number(int(number), value), frequency, value)
    raise PeriodError(_message(value))


def _year_number(number: int, value: object) -> Period:
    if 1000 <= number <= _MAX_YEAR:
        return Period("year", number, 1)
    raise PeriodError(_message(value, "a number is read as a financial year and needs 4 digits"))


def parse_financial_year(value: object) -> int:
    """The start year of a financial year given as ``'2013/14'``, ``'2013-14'``, ``2013``...

    Accepts what :func:`parse_period` accepts for a year (``'2013/2014'``, ``'13/14'``,
    ``'FY 2013/14'``, a bare ``2013`` meaning 2013/14) and a :class:`Period` (its year).

    >>> parse_financial_year("2013/14"), parse_financial_year(2013), parse_financial_year("FY13/14")
    (2013, 2013, 2013)
    >>> parse_financial_year("Q1 2013/14")
    Traceback (most recent call last):
    ...
    xlperf.errors.PeriodError: financial_year 'Q1 2013/14' is not a financial year like '2013/14'
    """
    if isinstance(value, Period):
        return value.year
    try:
        period = _parse_one(value, None, None)
    except PeriodError:
        period = None
    if period is None or period.frequency != "year":
        raise PeriodError(f"financial_year {_shown(value)} is not a financial year like '2013/14'")
    return period.year


def _context(
    frequency: Frequency | str | None, financial_year: str | int | None
) -> tuple[Frequency | None, int | None]:
    freq = None if frequency is None else _frequency(frequency)
    fy = None if financial_year is None else parse_financial_year(financial_year)
    return freq, fy


def parse_period(
    value: object,
    frequency: Frequency | str | None = None,
    *,
    financial_year: str | int | None = None,
) -> Period:
    """Read a month, quarter or financial year from text, a date, a number or a Period.

    Text is case-insensitive and surrounding spaces are ignored. Accepted forms:

    * quarters: ``Q1 2013/14``, ``Q1 2013-14``, ``Q1 13/14``, ``Q1 2013/2014``,
      ``Quarter 1 2013/14``, ``Qtr 1 2013/14``, ``Qtr1 2013/14``, ``2013/14 Q1``; a quarter on
      its own (``Q1``, ``Qtr3``, ``Quarter 3``) only with ``financial_year=``;
    * months: ``Jun-13``, ``Jun 13``, ``Jun-2013``, ``June 2013``, ``June-13``, ``Sept 2013``,
      ISO ``2013-06``; a month name on its own (``June``) only with ``financial_year=``;
    * dates, UK day-first: ``30/06/12``, ``30/06/2012``, ``30-06-2012``, ``30.06.2012``, ISO
      ``2012-06-30``; and ``datetime.date``/``datetime``, ``pandas.Timestamp``,
      ``numpy.datetime64`` (Excel date cells). A date gives the month containing it;
    * ranges: ``01/04/2012 to 30/06/2012`` (or `` - `` / `` – `` between them) covering
      exactly one month, quarter or financial year;
    * financial years: ``2012/13``, ``2012-13``, ``2012/2013``, ``FY 2012/13``, ``FY2012/13``
      and a bare four-digit ``2012`` (int, whole float or str), which means 2012/13;
    * a :class:`Period`, returned as it is.

    Two-digit years: 00–69 are 2000–2069, 70–99 are 1970–1999. A financial-year label must
    name consecutive years (``2013/15`` is an error).

    ``frequency`` (``'month'``, ``'quarter'`` or ``'year'``) asks for a period of that length:
    a shorter period is widened to the one containing it (a date or month read with
    ``frequency='quarter'`` gives its quarter); a longer one (a year read as a month) is an
    error. ``financial_year`` supplies the year for a bare quarter or month; text that names
    its own year keeps it.

    Anything else raises :class:`~xlperf.errors.PeriodError` naming the value.

    >>> parse_period("Q1 2013-14")
    Period('Q1 2013/14')
    >>> parse_period("Qtr3", financial_year="2013/14")
    Period('Q3 2013/14')
    >>> parse_period("30/06/12"), parse_period("Dec-15"), parse_period(2012)
    (Period('Jun-12'), Period('Dec-15'), Period('2012/13'))
    >>> parse_period("01/04/2012 to 30/06/2012")
    Period('Q1 2012/13')
    >>> parse_period(date(2014, 2, 28), "quarter")
    Period('Q4 2013/14')
    >>> parse_period("Q5 2013/14")
    Traceback (most recent call last):
    ...
    xlperf.errors.PeriodError: 'Q5 2013/14' is not a period xlperf recognises: there is no \
quarter 5: a financial year has Q1 to Q4 (try 'Q1 2013/14', 'Jun-13', '30/06/2013' or '2013/14')
    """
    freq, fy = _context(frequency, financial_year)
    return _parse_one(value, freq, fy)


def _row_label(label: object) -> object:
    """A row label as a plain Python value, so messages say ``row 11``, not ``np.int64(11)``."""
    return label.item() if isinstance(label, np.generic) else label


def parse_periods(
    values: pd.Series | Iterable[object],
    frequency: Frequency | str | None = None,
    financial_year: str | int | None = None,
    *,
    errors: Literal["raise", "coerce"] = "raise",
) -> pd.Series:
    """Parse a column of periods; returns an object Series of :class:`Period` (same index).

    Each distinct value is parsed once, so a million-row column with a few hundred distinct
    periods costs a few hundred parses plus one hash pass. With ``errors='raise'`` (default)
    the first bad value raises :class:`~xlperf.errors.PeriodError` naming the value and its
    first row label; with ``errors='coerce'`` bad and empty cells become ``None``.

    >>> parse_periods(pd.Series(["Q1 2013/14", "Jun-13", "Q1 2013/14"]), "quarter").tolist()
    [Period('Q1 2013/14'), Period('Q1 2013/14'), Period('Q1 2013/14')]
    >>> parse_periods(pd.Series(["Jun-13", "TBC"]), errors="coerce").tolist()
    [Period('Jun-13'), None]
    """
    if errors not in ("raise", "coerce"):
        raise ValueError(f"errors must be 'raise' or 'coerce', not {errors!r}")
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    freq, fy = _context(frequency, financial_year)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    codes = np.asarray(codes)
    parsed = np.empty(len(uniques) + 1, dtype=object)  # last slot: missing values (code -1)
    for position, value in enumerate(uniques):
        try:
            parsed[position] = _parse_one(value, freq, fy)
        except PeriodError as exc:
            if errors == "coerce":
                parsed[position] = None
                continue
            label = _row_label(series.index[int(np.argmax(codes == position))])
            raise PeriodError(f"row {label!r}: {exc}") from None
    parsed[-1] = None
    if errors == "raise" and (codes == -1).any():
        position = int(np.argmax(codes == -1))
        missing = series.iloc[position]
        try:
            _parse_one(missing, freq, fy)
        except PeriodError as exc:
            raise PeriodError(f"row {_row_label(series.index[position])!r}: {exc}") from None
    return pd.Series(parsed[codes], index=series.index, name=series.name, dtype=object)
