"""The :class:`Period` itself: a month, quarter or financial year, its dates, arithmetic and
formats (the conventions are :mod:`xlperf.core.periods`'s, which reads text into periods and
is where to import them from).
"""

from __future__ import annotations

import calendar
import numbers
from dataclasses import dataclass
from datetime import date
from typing import Literal

from xlperf.errors import PeriodError

Frequency = Literal["month", "quarter", "year"]

#: The frequencies a :class:`Period` can have, finest first.
FREQUENCIES: tuple[Frequency, ...] = ("month", "quarter", "year")

#: Every style :meth:`Period.format` understands (see its docstring for examples).
STYLES: tuple[str, ...] = (
    "quarter",
    "quarter-dash",
    "qtr",
    "month",
    "month-long",
    "date",
    "date-short",
    "year",
    "year-dash",
    "iso",
)

#: The style ``str(period)`` uses for each frequency.
DEFAULT_STYLES: dict[Frequency, str] = {"month": "month", "quarter": "quarter", "year": "year"}

_PER_YEAR: dict[str, int] = {"month": 12, "quarter": 4, "year": 1}
_SPAN: dict[str, int] = {"month": 1, "quarter": 3, "year": 12}  # months in one period
_RANK: dict[str, int] = {"month": 0, "quarter": 1, "year": 2}
_ARTICLE: dict[str, str] = {"month": "a month", "quarter": "a quarter", "year": "a year"}

_MIN_YEAR = 1  # date(1, 4, 1) is the earliest start date.
_MAX_YEAR = 9998  # FY 9998/99 ends on 31/03/9999, the last year datetime.date can hold.

_MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_LONG = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

_HINT = "(try 'Q1 2013/14', 'Jun-13', '30/06/2013' or '2013/14')"

_FREQUENCY_ALIASES: dict[str, Frequency] = {
    "month": "month",
    "monthly": "month",
    "quarter": "quarter",
    "quarterly": "quarter",
    "year": "year",
    "yearly": "year",
    "annual": "year",
    "annually": "year",
}


def _frequency(value: object) -> Frequency:
    """Return the canonical frequency for ``value`` ('Monthly' -> 'month'), or raise."""
    if isinstance(value, str):
        found = _FREQUENCY_ALIASES.get(value.strip().lower())
        if found is not None:
            return found
    raise PeriodError(f"frequency {value!r} is not one of 'month', 'quarter' or 'year'")


def _calendar_month(fy_month: int) -> tuple[int, int]:
    """Map a month ordinal counted from April of year 0 to (calendar year, calendar month)."""
    year, month0 = divmod(fy_month + 3, 12)
    return year, month0 + 1


def _fy_month(year: int, month: int) -> int:
    """Map a calendar (year, month) to a month ordinal counted from April of year 0."""
    return year * 12 + month - 4


def financial_year_label(year: int, sep: str = "/") -> str:
    """Label the financial year starting in April of ``year``.

    >>> financial_year_label(2013)
    '2013/14'
    >>> financial_year_label(1999)
    '1999/00'
    >>> financial_year_label(2013, sep="-")
    '2013-14'
    """
    return f"{year:04d}{sep}{(year + 1) % 100:02d}"


@dataclass(frozen=True)
class Period:
    """One month, quarter or financial year.

    ``year`` is the financial year's start year (2013 for 2013/14); ``index`` counts months from
    April (April = 1 … March = 12), quarters 1–4, or is 1 for a year.

    Periods are immutable and hashable. They sort by (end date, start date), so a mixed list
    reads chronologically, and at a shared end date the longer period comes first:

    >>> sorted([Period("month", 2013, 3), Period("year", 2013, 1), Period("quarter", 2013, 1)])
    [Period('Q1 2013/14'), Period('Jun-13'), Period('2013/14')]
    >>> Period("quarter", 2013, 5)
    Traceback (most recent call last):
    ...
    xlperf.errors.PeriodError: quarter index 5 is out of range: a quarter's index runs 1 to 4
    """

    frequency: Frequency
    year: int
    index: int

    def __post_init__(self) -> None:
        if not isinstance(self.frequency, str) or self.frequency not in _PER_YEAR:
            raise PeriodError(
                f"frequency {self.frequency!r} is not one of 'month', 'quarter' or 'year'"
            )
        for name in ("year", "index"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Integral):
                raise PeriodError(f"{self.frequency} {name} {value!r} is not a whole number")
            object.__setattr__(self, name, int(value))
        if not _MIN_YEAR <= self.year <= _MAX_YEAR:
            raise PeriodError(
                f"year {self.year} is out of range: xlperf handles financial years "
                f"{_MIN_YEAR} to {_MAX_YEAR}"
            )
        per_year = _PER_YEAR[self.frequency]
        if not 1 <= self.index <= per_year:
            raise PeriodError(
                f"{self.frequency} index {self.index} is out of range: "
                f"{_ARTICLE[self.frequency]}'s index runs 1 to {per_year}"
            )

    # -- construction ---------------------------------------------------------------------

    @classmethod
    def parse(
        cls,
        value: object,
        frequency: Frequency | str | None = None,
        *,
        financial_year: str | int | None = None,
    ) -> Period:
        """Same as :func:`parse_period`.

        >>> Period.parse("Jun-13")
        Period('Jun-13')
        """
        from xlperf.core.periods import parse_period

        return parse_period(value, frequency, financial_year=financial_year)

    @classmethod
    def from_date(cls, day: date, frequency: Frequency | str = "month") -> Period:
        """The period of ``frequency`` that contains ``day``.

        >>> Period.from_date(date(2014, 1, 15))
        Period('Jan-14')
        >>> Period.from_date(date(2014, 1, 15), "quarter")
        Period('Q4 2013/14')
        >>> Period.from_date(date(2014, 1, 15), "year")
        Period('2013/14')
        """
        return cls._from_fy_month(_fy_month(day.year, day.month), _frequency(frequency))

    @classmethod
    def _from_fy_month(cls, fy_month: int, frequency: Frequency) -> Period:
        year, month0 = divmod(fy_month, 12)
        return cls(frequency, year, month0 // _SPAN[frequency] + 1)

    # -- dates ----------------------------------------------------------------------------

    @property
    def _first_month(self) -> int:
        """Ordinal of the first month, counted from April of year 0."""
        return self.year * 12 + (self.index - 1) * _SPAN[self.frequency]

    @property
    def _last_month(self) -> int:
        """Ordinal of the last month, counted from April of year 0."""
        return self._first_month + _SPAN[self.frequency] - 1

    @property
    def start(self) -> date:
        """First day of the period.

        >>> Period("quarter", 2013, 4).start
        datetime.date(2014, 1, 1)
        """
        year, month = _calendar_month(self._first_month)
        return date(year, month, 1)

    @property
    def end(self) -> date:
        """Last day of the period.

        >>> Period("year", 2013, 1).end
        datetime.date(2014, 3, 31)
        """
        year, month = _calendar_month(self._last_month)
        return date(year, month, calendar.monthrange(year, month)[1])

    @property
    def financial_year(self) -> str:
        """Label of the financial year the period falls in, e.g. ``'2013/14'``.

        >>> Period("month", 2013, 10).financial_year
        '2013/14'
        """
        return financial_year_label(self.year)

    @property
    def quarter(self) -> int | None:
        """Financial-year quarter (1–4) of a month or quarter; ``None`` for a year.

        >>> Period("month", 2013, 10).quarter  # January 2014
        4
        """
        if self.frequency == "year":
            return None
        return (self._first_month % 12) // 3 + 1

    @property
    def month(self) -> int | None:
        """Calendar month (1–12) of a monthly period; ``None`` for quarters and years.

        >>> Period("month", 2013, 10).month
        1
        """
        if self.frequency != "month":
            return None
        return _calendar_month(self._first_month)[1]

    @property
    def calendar_year(self) -> int:
        """Calendar year of the period's end date.

        >>> Period("quarter", 2013, 4).calendar_year
        2014
        """
        return _calendar_month(self._last_month)[0]

    @property
    def periods_in_year(self) -> int:
        """12 for months, 4 for quarters, 1 for years."""
        return _PER_YEAR[self.frequency]

    @property
    def position_in_year(self) -> int:
        """Position within the financial year (the same as ``index``; April is month 1)."""
        return self.index

    # -- arithmetic -----------------------------------------------------------------------

    def shift(self, n: int) -> Period:
        """The period ``n`` steps later (earlier when ``n`` is negative), same frequency.

        >>> Period.parse("Q4 2012/13").shift(1)
        Period('Q1 2013/14')
        >>> Period.parse("Jun-13").shift(-15)
        Period('Mar-12')
        """
        if isinstance(n, bool) or not isinstance(n, numbers.Integral):
            raise TypeError(f"shift needs a whole number of periods, not {n!r}")
        per_year = _PER_YEAR[self.frequency]
        year, index0 = divmod(self.year * per_year + self.index - 1 + int(n), per_year)
        return Period(self.frequency, year, index0 + 1)

    def previous(self) -> Period:
        """The period just before this one, same frequency.

        >>> Period.parse("Apr-13").previous()
        Period('Mar-13')
        """
        return self.shift(-1)

    def next(self) -> Period:
        """The period just after this one, same frequency.

        >>> Period.parse("Q4 2012/13").next()
        Period('Q1 2013/14')
        """
        return self.shift(1)

    def same_period_last_year(self) -> Period:
        """The same month/quarter of the previous financial year (for seasonal comparisons).

        >>> Period.parse("Q3 2013/14").same_period_last_year()
        Period('Q3 2012/13')
        """
        return Period(self.frequency, self.year - 1, self.index)

    def year_start(self) -> Period:
        """The first period of the same frequency in this financial year.

        >>> Period.parse("Jan-14").year_start()
        Period('Apr-13')
        """
        return Period(self.frequency, self.year, 1)

    def contains(self, other: Period) -> bool:
        """Whether ``other`` lies wholly inside this period (a period contains itself).

        >>> Period.parse("2013/14").contains(Period.parse("Jan-14"))
        True
        >>> Period.parse("Q1 2013/14").contains(Period.parse("Jul-13"))
        False
        """
        if not isinstance(other, Period):
            raise TypeError(f"contains needs a Period, not {other!r}")
        return self._first_month <= other._first_month and other._last_month <= self._last_month

    def to_frequency(self, frequency: Frequency | str) -> Period:
        """The period of a coarser (or the same) ``frequency`` that contains this one.

        >>> Period.parse("Jan-14").to_frequency("quarter")
        Period('Q4 2013/14')
        >>> Period.parse("2013/14").to_frequency("month")
        Traceback (most recent call last):
        ...
        xlperf.errors.PeriodError: cannot turn 2013/14 into a month: it is a year, which is longer
        """
        target = _frequency(frequency)
        if target == self.frequency:
            return self
        if _RANK[target] < _RANK[self.frequency]:
            raise PeriodError(
                f"cannot turn {self} into {_ARTICLE[target]}: "
                f"it is {_ARTICLE[self.frequency]}, which is longer"
            )
        return Period._from_fy_month(self._first_month, target)

    # -- ordering -------------------------------------------------------------------------

    def _sort_key(self) -> tuple[int, int]:
        return (self._last_month, self._first_month)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self._sort_key() < other._sort_key()

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self._sort_key() <= other._sort_key()

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self._sort_key() > other._sort_key()

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self._sort_key() >= other._sort_key()

    # -- text -----------------------------------------------------------------------------

    def format(self, style: str | None = None) -> str:
        """Write the period in one of the :data:`STYLES` (default: by frequency).

        Styles, shown for ``Q1 2013/14`` and ``Jun-13``:

        * ``"quarter"``: ``Q1 2013/14`` (default for quarters; a month gives its quarter)
        * ``"quarter-dash"``: ``Q1 2013-14``
        * ``"qtr"``: ``Qtr1`` (no year: the only lossy style)
        * ``"month"``: ``Jun-13`` (default for months; a quarter or year gives its end month)
        * ``"month-long"``: ``June 2013``
        * ``"date"``: ``30/06/2013`` (the end date, UK day-first)
        * ``"date-short"``: ``30/06/13``
        * ``"year"``: ``2013/14`` (default for years; a month or quarter gives its FY)
        * ``"year-dash"``: ``2013-14``
        * ``"iso"``: a machine key: ``2013-06`` for a month, ``2013/14-Q1`` for a quarter,
          ``2013/14`` for a year

        A year has no quarter, so the quarter styles (``quarter``, ``quarter-dash``, ``qtr``)
        raise :class:`~xlperf.errors.PeriodError` for a year period.

        Every style except ``qtr`` reads back to the same period with
        ``parse_period(text, frequency=period.frequency)`` (for years 1970–2069, where the
        two-digit years of ``month`` and ``date-short`` are unambiguous).

        >>> q = Period("quarter", 2013, 1)
        >>> [q.format(s) for s in ("quarter", "quarter-dash", "qtr", "year-dash", "iso")]
        ['Q1 2013/14', 'Q1 2013-14', 'Qtr1', '2013-14', '2013/14-Q1']
        >>> m = Period("month", 2013, 3)
        >>> [m.format(s) for s in ("month", "month-long", "date", "date-short", "iso")]
        ['Jun-13', 'June 2013', '30/06/2013', '30/06/13', '2013-06']
        >>> m.format("quarter"), Period("year", 2013, 1).format("month")
        ('Q1 2013/14', 'Mar-14')
        """
        if style is None:
            style = DEFAULT_STYLES[self.frequency]
        key = style.strip().lower() if isinstance(style, str) else style
        if key in ("quarter", "quarter-dash", "qtr"):
            quarter = self.quarter
            if quarter is None:
                raise PeriodError(
                    f"{self} is a year and has no quarter: style {style!r} needs a month or "
                    f"quarter (use 'year' or 'year-dash')"
                )
            if key == "qtr":
                return f"Qtr{quarter}"
            sep = "/" if key == "quarter" else "-"
            return f"Q{quarter} {financial_year_label(self.year, sep)}"
        if key in ("year", "year-dash"):
            return financial_year_label(self.year, "/" if key == "year" else "-")
        if key == "iso":
            if self.frequency == "month":
                year, month = _calendar_month(self._first_month)
                return f"{year:04d}-{month:02d}"
            if self.frequency == "quarter":
                return f"{self.financial_year}-Q{self.index}"
            return self.financial_year
        year, month = _calendar_month(self._last_month)
        if key == "month":
            return f"{_MONTH_ABBR[month - 1]}-{year % 100:02d}"
        if key == "month-long":
            return f"{_MONTH_LONG[month - 1]} {year:04d}"
        if key in ("date", "date-short"):
            day = calendar.monthrange(year, month)[1]
            shown = f"{year:04d}" if key == "date" else f"{year % 100:02d}"
            return f"{day:02d}/{month:02d}/{shown}"
        raise PeriodError(f"style {style!r} is not one of {', '.join(STYLES)}")

    def __format__(self, spec: str) -> str:
        """``f"{p}"`` is ``str(p)``; ``f"{p:quarter-dash}"`` is ``p.format("quarter-dash")``."""
        return self.format(spec or None)

    def __str__(self) -> str:
        return self.format()

    def __repr__(self) -> str:
        return f"Period({self.format()!r})"
