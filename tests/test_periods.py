"""Tests for xlperf.core.periods: the April–March financial-year period model and its parser."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import xlperf.core.periods as periods_module
from xlperf.core.periods import (
    DEFAULT_STYLES,
    FREQUENCIES,
    STYLES,
    Period,
    financial_year_label,
    parse_financial_year,
    parse_period,
    parse_periods,
)
from xlperf.errors import PeriodError

M, Q, Y = "month", "quarter", "year"

# Styles that read back to the same period without any frequency hint, per frequency.
NATIVE_STYLES = {
    M: ("month", "month-long", "date", "date-short", "iso"),
    Q: ("quarter", "quarter-dash", "iso"),
    Y: ("year", "year-dash", "iso"),
}
# Styles that read back to the same period given frequency=period.frequency.
HINTED_STYLES = {
    M: ("month", "month-long", "date", "date-short", "iso"),
    Q: ("quarter", "quarter-dash", "month", "month-long", "date", "date-short", "iso"),
    Y: ("year", "year-dash", "month", "month-long", "date", "date-short", "iso"),
}


def period_strategy(frequencies: tuple[str, ...] = FREQUENCIES) -> st.SearchStrategy[Period]:
    return st.sampled_from(frequencies).flatmap(
        lambda f: st.builds(
            Period,
            st.just(f),
            st.integers(1990, 2060),
            st.integers(1, {M: 12, Q: 4, Y: 1}[f]),
        )
    )


periods = period_strategy()


# --------------------------------------------------------------------------------------------
# Parsing: every accepted form
# --------------------------------------------------------------------------------------------

ACCEPTED = [
    # quarters
    ("Q1 2013/14", Q, 2013, 1),
    ("Q1 2013-14", Q, 2013, 1),
    ("Q1 13/14", Q, 2013, 1),
    ("Q1 2013/2014", Q, 2013, 1),
    ("Quarter 1 2013/14", Q, 2013, 1),
    ("Qtr 1 2013/14", Q, 2013, 1),
    ("Qtr1 2013/14", Q, 2013, 1),
    ("2013/14 Q1", Q, 2013, 1),
    ("Q4 2012/13", Q, 2012, 4),
    ("q3 2013/14", Q, 2013, 3),
    ("QTR2 2014-15", Q, 2014, 2),
    ("Q2 FY2014/15", Q, 2014, 2),
    ("  Q1   2013/14  ", Q, 2013, 1),
    ("Q1 2013\u201314", Q, 2013, 1),  # en dash pasted from Word
    ("Q4 1999/00", Q, 1999, 4),
    ("Q1 1999/2000", Q, 1999, 1),
    # months
    ("Jun-13", M, 2013, 3),
    ("Jun 13", M, 2013, 3),
    ("Jun-2013", M, 2013, 3),
    ("June 2013", M, 2013, 3),
    ("June-13", M, 2013, 3),
    ("JUNE 2013", M, 2013, 3),
    ("Sept 2013", M, 2013, 6),
    ("Sep-13", M, 2013, 6),
    ("September 2013", M, 2013, 6),
    ("Dec-15", M, 2015, 9),
    ("April 2013", M, 2013, 1),
    ("Apr-13", M, 2013, 1),
    ("Jan-14", M, 2013, 10),
    ("Mar-14", M, 2013, 12),
    ("May 2013", M, 2013, 2),
    ("2013-06", M, 2013, 3),  # ISO month
    ("2014-01", M, 2013, 10),
    ("jun-13\xa0", M, 2013, 3),  # non-breaking space from HTML
    # dates (UK day-first) give the month containing them
    ("30/06/12", M, 2012, 3),
    ("30/06/2012", M, 2012, 3),
    ("30-06-2012", M, 2012, 3),
    ("30.06.2012", M, 2012, 3),
    ("2012-06-30", M, 2012, 3),
    ("2012-06-30 00:00:00", M, 2012, 3),
    ("1/4/2012", M, 2012, 1),
    ("31/03/2013", M, 2012, 12),
    ("29/02/2012", M, 2011, 11),
    ("01/01/2014", M, 2013, 10),
    # ranges that are exactly one period
    ("01/04/2012 to 30/06/2012", Q, 2012, 1),
    ("01/04/2012 - 30/06/2012", Q, 2012, 1),
    ("01/04/2012 \u2013 30/06/2012", Q, 2012, 1),
    ("01/04/2012 to 31/03/2013", Y, 2012, 1),
    ("01/04/2012 to 30/04/2012", M, 2012, 1),
    ("01/01/2014 TO 31/03/2014", Q, 2013, 4),
    ("Apr-13 to Jun-13", Q, 2013, 1),
    ("2012-04-01 to 2012-06-30", Q, 2012, 1),
    # financial years
    ("2012/13", Y, 2012, 1),
    ("2012-13", Y, 2012, 1),
    ("2012/2013", Y, 2012, 1),
    ("FY 2012/13", Y, 2012, 1),
    ("FY2012/13", Y, 2012, 1),
    ("fy 12/13", Y, 2012, 1),
    ("2012", Y, 2012, 1),
    ("1999/00", Y, 1999, 1),
    ("2011-12", Y, 2011, 1),  # both a FY and an ISO month: FY wins without a hint
]


@pytest.mark.parametrize(("text", "frequency", "year", "index"), ACCEPTED)
def test_accepted_text_forms(text: str, frequency: str, year: int, index: int) -> None:
    assert parse_period(text) == Period(frequency, year, index)


NON_TEXT = [
    (dt.date(2013, 6, 30), M, 2013, 3),
    (dt.datetime(2014, 1, 31, 13, 5), M, 2013, 10),
    (pd.Timestamp("2013-06-30"), M, 2013, 3),
    (pd.Timestamp("2014-03-31 12:00", tz="Europe/London"), M, 2013, 12),
    (np.datetime64("2013-06-30"), M, 2013, 3),
    (np.datetime64("2013-06-30T10:11:12"), M, 2013, 3),
    (2012, Y, 2012, 1),
    (np.int64(2012), Y, 2012, 1),
    (2012.0, Y, 2012, 1),  # Excel numeric cells arrive as floats
    (np.float64(2013.0), Y, 2013, 1),
    (Period("quarter", 2013, 2), Q, 2013, 2),
    (np.str_("Q1 2013/14"), Q, 2013, 1),
]


@pytest.mark.parametrize(("value", "frequency", "year", "index"), NON_TEXT)
def test_accepted_non_text_values(value: object, frequency: str, year: int, index: int) -> None:
    assert parse_period(value) == Period(frequency, year, index)


def test_seed_forms_from_the_public_reports() -> None:
    assert parse_period("Q1 2013-14") == Period(Q, 2013, 1)
    assert parse_period("Qtr3", financial_year="2013/14") == Period(Q, 2013, 3)
    assert parse_period("Jun-13") == Period(M, 2013, 3)
    assert parse_period("30/06/12") == Period(M, 2012, 3)
    assert parse_period("2012/13") == Period(Y, 2012, 1)
    assert parse_period("Dec-15") == Period(M, 2015, 9)
    assert parse_period("April 2013") == Period(M, 2013, 1)
    assert parse_period("June 2013") == Period(M, 2013, 3)
    assert parse_period("01/04/2012 to 30/06/2012") == Period(Q, 2012, 1)


def test_period_parse_is_parse_period() -> None:
    assert Period.parse("Qtr3", "quarter", financial_year=2013) == Period(Q, 2013, 3)
    assert Period.parse("Jun-13", Q) == parse_period("Jun-13", Q)


@pytest.mark.parametrize(
    ("text", "year"),
    [("Jun-69", 2069), ("Jun-70", 1970), ("Jun-99", 1999), ("Jun-00", 2000), ("30/06/85", 1985)],
)
def test_two_digit_years_pivot_at_70(text: str, year: int) -> None:
    assert parse_period(text).start == dt.date(year, 6, 1)


# --------------------------------------------------------------------------------------------
# Context: financial_year= and frequency=
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["Qtr3", "Q3", "Quarter 3", "qtr 3", "Qtr. 3"])
@pytest.mark.parametrize("context", ["2013/14", "2013-14", 2013, "2013", Period(M, 2013, 5)])
def test_bare_quarter_takes_the_financial_year_context(text: str, context: object) -> None:
    assert parse_period(text, financial_year=context) == Period(Q, 2013, 3)


def test_bare_month_takes_the_financial_year_context() -> None:
    assert parse_period("June", financial_year="2013/14") == Period(M, 2013, 3)
    assert parse_period("Jan", financial_year="2013/14") == Period(M, 2013, 10)  # Jan 2014


def test_text_with_its_own_year_ignores_the_context() -> None:
    assert parse_period("Q1 2012/13", financial_year="2013/14") == Period(Q, 2012, 1)


@pytest.mark.parametrize("text", ["Qtr3", "Q1", "Quarter 3", "June"])
def test_bare_quarter_or_month_without_context_needs_a_year(text: str) -> None:
    with pytest.raises(PeriodError, match=re.escape(repr(text))) as info:
        parse_period(text)
    assert "financial_year=" in str(info.value)


def test_bad_financial_year_context_is_named() -> None:
    with pytest.raises(PeriodError, match=re.escape("'Q1 2013/14'")):
        parse_period("Qtr3", financial_year="Q1 2013/14")
    with pytest.raises(PeriodError, match="'2013/15'"):
        parse_period("Qtr3", financial_year="2013/15")


@pytest.mark.parametrize(
    ("value", "frequency", "expected"),
    [
        ("Jun-13", Q, Period(Q, 2013, 1)),
        ("Jan-14", Y, Period(Y, 2013, 1)),
        ("30/06/2012", Q, Period(Q, 2012, 1)),
        ("15/02/2014", Y, Period(Y, 2013, 1)),
        (dt.date(2014, 2, 28), Q, Period(Q, 2013, 4)),
        (pd.Timestamp("2013-10-01"), Q, Period(Q, 2013, 3)),
        ("Q4 2013/14", Y, Period(Y, 2013, 1)),
        ("Q4 2013/14", Q, Period(Q, 2013, 4)),
        ("Jun-13", M, Period(M, 2013, 3)),
        (Period(M, 2013, 3), Q, Period(Q, 2013, 1)),
        ("2011-12", M, Period(M, 2011, 9)),  # the ambiguous YYYY-NN: a hint picks the month
        ("2011-12", Q, Period(Q, 2011, 3)),
        ("2011-12", Y, Period(Y, 2011, 1)),
        ("Jun-13", "Quarterly", Period(Q, 2013, 1)),  # register spellings of a frequency
        ("Jun-13", "Annual", Period(Y, 2013, 1)),
    ],
)
def test_frequency_widens_to_the_containing_period(
    value: object, frequency: str, expected: Period
) -> None:
    assert parse_period(value, frequency) == expected


@pytest.mark.parametrize(
    ("value", "frequency"),
    [
        ("2012/13", M),
        ("2012/13", Q),
        (2012, Q),
        ("Q1 2013/14", M),
        (Period(Y, 2013, 1), Q),
        ("01/04/2012 to 30/06/2012", M),
    ],
)
def test_frequency_finer_than_the_text_is_an_error(value: object, frequency: str) -> None:
    with pytest.raises(PeriodError, match=re.escape(repr(value))):
        parse_period(value, frequency)


def test_unknown_frequency_is_an_error() -> None:
    with pytest.raises(PeriodError, match="'weekly'"):
        parse_period("Jun-13", "weekly")


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------

REJECTED = [
    None,
    float("nan"),
    np.nan,
    pd.NaT,
    pd.NA,
    np.datetime64("NaT"),
    "",
    "   ",
    "Q5 2013/14",
    "Q0 2013/14",
    "Foo",
    "TBC",
    "n/a",
    "13/13/2013",
    "31/02/2013",
    "29/02/2013",
    "2013-02-30",
    "2013/15",
    "2013-15",
    "13/15",
    "Q1 2013/15",
    "Q1 2013",
    "Jun",
    "Jun-1",
    "Junk 2013",
    "01/04/2012 to 31/05/2012",  # two months
    "02/04/2012 to 30/06/2012",  # does not start on the first
    "01/04/2012 to 29/06/2012",  # does not end on the last
    "01/07/2012 to 30/06/2012",  # backwards
    "01/05/2012 to 31/07/2012",  # three months, but not a quarter
    True,
    False,
    np.bool_(True),
    12,
    201,
    41455,  # an Excel serial date number is not a year
    2012.5,
    float("inf"),
    dt.time(12, 0),
    [2012],
]


@pytest.mark.parametrize("value", REJECTED, ids=repr)
def test_rejected_values_raise_period_error_naming_the_value(value: object) -> None:
    with pytest.raises(PeriodError) as info:
        parse_period(value)
    if isinstance(value, str):
        shown = repr(str(value))
    elif isinstance(value, np.generic) and not isinstance(value, np.datetime64):
        shown = repr(value.item())  # np.True_ is shown as True
    else:
        shown = repr(value)
    assert shown in str(info.value)
    assert isinstance(info.value, ValueError)


def test_error_message_shape() -> None:
    with pytest.raises(PeriodError) as info:
        parse_period("Q5 2013/14")
    message = str(info.value)
    assert message.startswith("'Q5 2013/14' is not a period xlperf recognises")
    assert "(try 'Q1 2013/14', 'Jun-13', '30/06/2013' or '2013/14')" in message


@pytest.mark.parametrize(
    ("frequency", "year", "index"),
    [
        ("week", 2013, 1),
        (M, 2013, 0),
        (M, 2013, 13),
        (Q, 2013, 5),
        (Y, 2013, 2),
        (M, 0, 1),
        (M, 9999, 1),
        (M, True, 1),
        (M, 2013, 1.0),
    ],
)
def test_invalid_period_fields_raise(frequency: str, year: object, index: object) -> None:
    with pytest.raises(PeriodError):
        Period(frequency, year, index)  # type: ignore[arg-type]


def test_numpy_integer_fields_are_normalised() -> None:
    p = Period(M, np.int64(2013), np.int32(3))  # type: ignore[arg-type]
    assert type(p.year) is int and type(p.index) is int
    assert p == Period(M, 2013, 3) and hash(p) == hash(Period(M, 2013, 3))


# --------------------------------------------------------------------------------------------
# Properties and arithmetic
# --------------------------------------------------------------------------------------------


def test_properties_of_june_2013() -> None:
    p = parse_period("Jun-13")
    assert (p.frequency, p.year, p.index) == (M, 2013, 3)
    assert p.financial_year == "2013/14"
    assert p.quarter == 1
    assert p.month == 6
    assert p.calendar_year == 2013
    assert p.start == dt.date(2013, 6, 1)
    assert p.end == dt.date(2013, 6, 30)
    assert p.periods_in_year == 12
    assert p.position_in_year == 3


def test_properties_of_january_2014() -> None:
    p = parse_period("Jan-14")
    assert p.financial_year == "2013/14"
    assert p.quarter == 4
    assert p.month == 1
    assert p.calendar_year == 2014
    assert p.index == 10


def test_properties_of_quarters_and_years() -> None:
    q4 = parse_period("Q4 2011/12")
    assert (q4.start, q4.end) == (dt.date(2012, 1, 1), dt.date(2012, 3, 31))
    assert q4.quarter == 4 and q4.month is None and q4.calendar_year == 2012
    assert q4.periods_in_year == 4 and q4.position_in_year == 4
    fy = parse_period("1999/00")
    assert fy.financial_year == "1999/00"
    assert (fy.start, fy.end) == (dt.date(1999, 4, 1), dt.date(2000, 3, 31))
    assert fy.quarter is None and fy.month is None and fy.calendar_year == 2000
    assert fy.periods_in_year == 1 and fy.position_in_year == 1


def test_end_is_the_last_day_including_leap_years() -> None:
    assert parse_period("Feb-12").end == dt.date(2012, 2, 29)
    assert parse_period("Feb-13").end == dt.date(2013, 2, 28)
    assert parse_period("Feb-00").end == dt.date(2000, 2, 29)
    assert parse_period("Sep-13").end == dt.date(2013, 9, 30)


def test_previous_and_next_cross_year_boundaries() -> None:
    assert parse_period("Q1 2013/14").previous() == Period(Q, 2012, 4)
    assert parse_period("Q4 2012/13").next() == Period(Q, 2013, 1)
    mar = parse_period("Apr-13").previous()
    assert mar == parse_period("Mar-13")
    assert (mar.year, mar.index, mar.financial_year) == (2012, 12, "2012/13")
    assert parse_period("Mar-14").next() == parse_period("Apr-14")
    # December to January stays in the same financial year
    assert parse_period("Dec-13").next() == Period(M, 2013, 10)
    assert parse_period("2013/14").previous() == parse_period("2012/13")
    assert parse_period("2013/14").next() == parse_period("2014/15")


def test_shift() -> None:
    assert parse_period("Jun-13").shift(-15) == parse_period("Mar-12")
    assert parse_period("Q2 2013/14").shift(7) == parse_period("Q1 2015/16")
    assert parse_period("Q2 2013/14").shift(0) == parse_period("Q2 2013/14")
    with pytest.raises(TypeError):
        parse_period("Q2 2013/14").shift(1.5)  # type: ignore[arg-type]


def test_same_period_last_year() -> None:
    assert parse_period("Q3 2013/14").same_period_last_year() == parse_period("Q3 2012/13")
    assert parse_period("Jan-14").same_period_last_year() == parse_period("Jan-13")
    assert parse_period("Apr-13").same_period_last_year() == parse_period("Apr-12")
    assert parse_period("2013/14").same_period_last_year() == parse_period("2012/13")


def test_year_start() -> None:
    assert parse_period("Jan-14").year_start() == parse_period("Apr-13")
    assert parse_period("Q3 2013/14").year_start() == parse_period("Q1 2013/14")
    assert parse_period("2013/14").year_start() == parse_period("2013/14")


def test_contains() -> None:
    fy = parse_period("2013/14")
    assert fy.contains(parse_period("Jan-14"))
    assert fy.contains(parse_period("Q4 2013/14"))
    assert fy.contains(fy)
    assert not fy.contains(parse_period("Apr-14"))
    assert not fy.contains(parse_period("2014/15"))
    q1 = parse_period("Q1 2013/14")
    assert q1.contains(parse_period("Jun-13"))
    assert not q1.contains(parse_period("Jul-13"))
    assert not q1.contains(fy)
    assert not parse_period("Jun-13").contains(q1)


def test_to_frequency() -> None:
    assert parse_period("Jan-14").to_frequency(Q) == parse_period("Q4 2013/14")
    assert parse_period("Jan-14").to_frequency(Y) == parse_period("2013/14")
    assert parse_period("Mar-14").to_frequency(Y) == parse_period("2013/14")
    assert parse_period("Apr-14").to_frequency(Y) == parse_period("2014/15")
    assert parse_period("Q2 2013/14").to_frequency(Y) == parse_period("2013/14")
    assert parse_period("Q2 2013/14").to_frequency(Q) == parse_period("Q2 2013/14")
    with pytest.raises(PeriodError):
        parse_period("Q2 2013/14").to_frequency(M)
    with pytest.raises(PeriodError):
        parse_period("2013/14").to_frequency(Q)


def test_from_date() -> None:
    day = dt.date(2014, 1, 15)
    assert Period.from_date(day) == parse_period("Jan-14")
    assert Period.from_date(day, Q) == parse_period("Q4 2013/14")
    assert Period.from_date(day, Y) == parse_period("2013/14")
    assert Period.from_date(dt.date(2013, 4, 1), Y) == parse_period("2013/14")
    assert Period.from_date(dt.date(2013, 3, 31), Y) == parse_period("2012/13")


# --------------------------------------------------------------------------------------------
# Ordering and hashing
# --------------------------------------------------------------------------------------------


def test_sorting_a_mixed_list() -> None:
    texts = ["2013/14", "Mar-14", "Q4 2013/14", "Jun-13", "Q1 2013/14", "Apr-13", "Q4 2012/13"]
    ordered = sorted(parse_period(t) for t in texts)
    assert [str(p) for p in ordered] == [
        "Q4 2012/13",
        "Apr-13",
        "Q1 2013/14",  # same end as Jun-13, longer so first
        "Jun-13",
        "2013/14",
        "Q4 2013/14",
        "Mar-14",
    ]


def test_same_frequency_orders_chronologically() -> None:
    months = [parse_period(t) for t in ["Jan-14", "Dec-13", "Apr-13", "Mar-13"]]
    assert [str(p) for p in sorted(months)] == ["Mar-13", "Apr-13", "Dec-13", "Jan-14"]
    assert parse_period("Q4 2012/13") < parse_period("Q1 2013/14")
    assert parse_period("Q1 2013/14") <= parse_period("Q1 2013/14")
    assert parse_period("2014/15") > parse_period("2013/14")
    assert parse_period("2014/15") >= parse_period("2014/15")


def test_comparison_with_other_types_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        _ = parse_period("Jun-13") < "Jul-13"  # type: ignore[operator]
    assert parse_period("Jun-13") != "Jun-13"


def test_hashable_and_equal_by_value() -> None:
    found = {parse_period(t) for t in ["Jun-13", "June 2013", "30/06/2013", "Q1 2013/14"]}
    assert found == {Period(M, 2013, 3), Period(Q, 2013, 1)}
    with pytest.raises(AttributeError):
        parse_period("Jun-13").year = 2014  # type: ignore[misc]


# --------------------------------------------------------------------------------------------
# Formatting
# --------------------------------------------------------------------------------------------

FORMATS = [
    # (period text, style, expected)
    ("Q1 2013/14", "quarter", "Q1 2013/14"),
    ("Q1 2013/14", "quarter-dash", "Q1 2013-14"),
    ("Q1 2013/14", "qtr", "Qtr1"),
    ("Q1 2013/14", "month", "Jun-13"),
    ("Q1 2013/14", "month-long", "June 2013"),
    ("Q1 2013/14", "date", "30/06/2013"),
    ("Q1 2013/14", "date-short", "30/06/13"),
    ("Q1 2013/14", "year", "2013/14"),
    ("Q1 2013/14", "year-dash", "2013-14"),
    ("Q1 2013/14", "iso", "2013/14-Q1"),
    ("Jun-13", "quarter", "Q1 2013/14"),
    ("Jun-13", "quarter-dash", "Q1 2013-14"),
    ("Jun-13", "qtr", "Qtr1"),
    ("Jun-13", "month", "Jun-13"),
    ("Jun-13", "month-long", "June 2013"),
    ("Jun-13", "date", "30/06/2013"),
    ("Jun-13", "date-short", "30/06/13"),
    ("Jun-13", "year", "2013/14"),
    ("Jun-13", "year-dash", "2013-14"),
    ("Jun-13", "iso", "2013-06"),
    ("Jan-14", "quarter", "Q4 2013/14"),
    ("Jan-14", "qtr", "Qtr4"),
    ("Sep-13", "month", "Sep-13"),
    ("Sep-13", "month-long", "September 2013"),
    ("Feb-12", "date", "29/02/2012"),
    ("Jan-14", "iso", "2014-01"),
    ("2013/14", "month", "Mar-14"),
    ("2013/14", "month-long", "March 2014"),
    ("2013/14", "date", "31/03/2014"),
    ("2013/14", "date-short", "31/03/14"),
    ("2013/14", "year", "2013/14"),
    ("2013/14", "year-dash", "2013-14"),
    ("2013/14", "iso", "2013/14"),
    ("1999/00", "year", "1999/00"),
    ("1999/00", "year-dash", "1999-00"),
    ("Q4 1999/00", "iso", "1999/00-Q4"),
    ("Jan-00", "date-short", "31/01/00"),
]


@pytest.mark.parametrize(("text", "style", "expected"), FORMATS)
def test_format_every_style(text: str, style: str, expected: str) -> None:
    assert parse_period(text).format(style) == expected


def test_formats_cover_every_style_for_months_and_quarters() -> None:
    for text in ("Q1 2013/14", "Jun-13"):
        assert {style for t, style, _ in FORMATS if t == text} == set(STYLES)


@pytest.mark.parametrize("style", ["quarter", "quarter-dash", "qtr"])
def test_quarter_styles_on_a_year_are_an_error(style: str) -> None:
    with pytest.raises(PeriodError, match="2013/14"):
        parse_period("2013/14").format(style)


def test_unknown_style_is_an_error() -> None:
    with pytest.raises(PeriodError, match="'fancy'"):
        parse_period("Jun-13").format("fancy")


def test_default_style_str_repr_and_fstring() -> None:
    q, m, y = parse_period("Q1 2013/14"), parse_period("Jun-13"), parse_period("2013/14")
    assert (str(q), str(m), str(y)) == ("Q1 2013/14", "Jun-13", "2013/14")
    assert (q.format(), m.format(), y.format()) == ("Q1 2013/14", "Jun-13", "2013/14")
    assert repr(q) == "Period('Q1 2013/14')"
    assert repr(m) == "Period('Jun-13')"
    assert f"{q}" == "Q1 2013/14"
    assert f"{q:quarter-dash}" == "Q1 2013-14"
    assert f"{m:month-long}" == "June 2013"
    assert set(DEFAULT_STYLES) == set(FREQUENCIES)


def test_financial_year_label() -> None:
    assert financial_year_label(2013) == "2013/14"
    assert financial_year_label(1999) == "1999/00"
    assert financial_year_label(2009, "-") == "2009-10"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2013/14", 2013), ("2013-14", 2013), ("FY13/14", 2013), (2013, 2013), ("2013", 2013)],
)
def test_parse_financial_year(value: object, expected: int) -> None:
    assert parse_financial_year(value) == expected


@pytest.mark.parametrize("value", ["Q1 2013/14", "Jun-13", "2013/15", None, 13, "x"])
def test_parse_financial_year_rejects_non_years(value: object) -> None:
    with pytest.raises(PeriodError, match=re.escape(repr(value))):
        parse_financial_year(value)


# --------------------------------------------------------------------------------------------
# parse_periods (columns)
# --------------------------------------------------------------------------------------------


def test_parse_periods_keeps_index_and_name() -> None:
    values = pd.Series(
        ["Q1 2013/14", "Jun-13", dt.date(2014, 1, 31), "Q1 2013/14"],
        index=["a", "b", "c", "d"],
        name="period",
    )
    result = parse_periods(values, "quarter")
    assert result.dtype == object
    assert result.name == "period"
    assert list(result.index) == ["a", "b", "c", "d"]
    assert result.tolist() == [Period(Q, 2013, 1), Period(Q, 2013, 1), Period(Q, 2013, 4)] + [
        Period(Q, 2013, 1)
    ]


def test_parse_periods_with_context_and_datetime_column() -> None:
    assert parse_periods(pd.Series(["Qtr1", "Qtr3"]), financial_year="2013/14").tolist() == [
        Period(Q, 2013, 1),
        Period(Q, 2013, 3),
    ]
    dates = pd.Series(pd.to_datetime(["2013-06-30", "2014-03-31", "2013-06-30"]))
    assert parse_periods(dates).tolist() == [Period(M, 2013, 3), Period(M, 2013, 12)] + [
        Period(M, 2013, 3)
    ]
    assert parse_periods(["2012", 2013]).tolist() == [Period(Y, 2012, 1), Period(Y, 2013, 1)]


def test_parse_periods_raises_naming_value_and_row() -> None:
    values = pd.Series(["Q1 2013/14", "Q5 2013/14"], index=[10, 11])
    with pytest.raises(PeriodError, match=r"row 11: 'Q5 2013/14' is not a period"):
        parse_periods(values)
    with pytest.raises(PeriodError, match=r"row 'b': None"):
        parse_periods(pd.Series(["Jun-13", None], index=["a", "b"], dtype=object))
    with pytest.raises(PeriodError, match=r"row 'b': nan"):  # pandas' str dtype holds NaN
        parse_periods(pd.Series(["Jun-13", None], index=["a", "b"], dtype="str"))
    with pytest.raises(PeriodError, match=r"row 1: nan"):
        parse_periods(pd.Series([2012.0, np.nan]))


def test_parse_periods_coerce_turns_bad_cells_into_none() -> None:
    values = pd.Series(["Jun-13", "TBC", None, np.nan, "Jun-13"])
    assert parse_periods(values, errors="coerce").tolist() == [
        Period(M, 2013, 3),
        None,
        None,
        None,
        Period(M, 2013, 3),
    ]
    with pytest.raises(ValueError):
        parse_periods(values, errors="ignore")  # type: ignore[arg-type]


def test_parse_periods_parses_each_distinct_value_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    real = periods_module._parse_one

    def counting(value: object, frequency: object, fy: object) -> Period:
        calls.append(value)
        return real(value, frequency, fy)  # type: ignore[arg-type]

    monkeypatch.setattr(periods_module, "_parse_one", counting)
    distinct = [f"Q{q} {y}/{(y + 1) % 100:02d}" for y in range(1990, 2060) for q in range(1, 5)]
    distinct += ["Jun-13", "30/06/2013"]
    rng = np.random.default_rng(1)
    column = pd.Series(rng.choice(np.array(distinct, dtype=object), 1_000_000))
    result = parse_periods(column, "quarter")
    assert len(calls) == column.nunique() <= len(distinct)
    assert len(result) == 1_000_000
    for position in (0, 1, 499_999, 999_999):
        assert result.iloc[position] == parse_period(column.iloc[position], "quarter")


# --------------------------------------------------------------------------------------------
# Properties (hypothesis)
# --------------------------------------------------------------------------------------------


@given(periods, st.data())
def test_round_trip_native_styles(p: Period, data: st.DataObject) -> None:
    style = data.draw(st.sampled_from(NATIVE_STYLES[p.frequency]))
    text = p.format(style)
    if style == "iso" and p.frequency == M and re.fullmatch(r"20(0\d|1[01])-(\d\d)", text):
        ambiguous = int(text[-2:]) == (int(text[:4]) + 1) % 100
        if ambiguous:  # '2011-12' reads as FY 2011/12 without a hint (documented)
            assert parse_period(text) == Period(Y, int(text[:4]), 1)
            return
    assert parse_period(text) == p


@given(periods, st.data())
def test_round_trip_every_lossless_style_with_frequency(p: Period, data: st.DataObject) -> None:
    style = data.draw(st.sampled_from(HINTED_STYLES[p.frequency]))
    assert parse_period(p.format(style), p.frequency) == p


@pytest.mark.parametrize("text", ["Jan-00", "Jun-05", "Dec-11"])
def test_ambiguous_iso_months_round_trip_with_a_hint(text: str) -> None:
    p = parse_period(text)
    assert parse_period(p.format("iso")) == Period(Y, p.start.year, 1)
    assert parse_period(p.format("iso"), M) == p


@given(periods)
def test_every_style_formats_or_refuses_cleanly(p: Period) -> None:
    for style in STYLES:
        if p.frequency == Y and style in ("quarter", "quarter-dash", "qtr"):
            with pytest.raises(PeriodError):
                p.format(style)
        else:
            assert p.format(style)


@given(periods)
def test_qtr_style_keeps_the_quarter_with_context(p: Period) -> None:
    if p.frequency != Y:
        expected = p.to_frequency(Q)
        assert parse_period(p.format("qtr"), financial_year=p.year) == expected


@given(periods)
def test_previous_then_next_is_identity(p: Period) -> None:
    assert p.previous().next() == p
    assert p.next().previous() == p
    assert p.previous() < p < p.next()
    assert p.next().start == p.end + dt.timedelta(days=1)


@given(periods, st.integers(-500, 500))
def test_shift_and_back_is_identity(p: Period, n: int) -> None:
    assert p.shift(n).shift(-n) == p
    assert p.shift(n).frequency == p.frequency


@given(periods)
def test_same_period_last_year_is_a_shift_of_one_year(p: Period) -> None:
    assert p.same_period_last_year() == p.shift(-p.periods_in_year)
    assert p.same_period_last_year().financial_year == financial_year_label(p.year - 1)


@given(period_strategy((M,)), period_strategy((M,)))
def test_months_order_by_start_date(a: Period, b: Period) -> None:
    assert (a < b) == (a.start < b.start)
    assert (a == b) == (a.start == b.start)


@given(st.sampled_from(FREQUENCIES).flatmap(lambda f: st.tuples(*[period_strategy((f,))] * 2)))
def test_same_frequency_orders_by_start_date(pair: tuple[Period, Period]) -> None:
    a, b = pair
    assert (a < b) == (a.start < b.start)
    assert (a <= b) == (a.start <= b.start)
    assert (a > b) == (a.start > b.start)


@given(periods, periods)
def test_mixed_ordering_is_by_end_then_start(a: Period, b: Period) -> None:
    assert (a < b) == ((a.end, a.start) < (b.end, b.start))
    assert sum([a < b, a == b, a > b]) == 1
    assert (a == b) == ((a.end, a.start) == (b.end, b.start))


@given(periods, st.sampled_from(FREQUENCIES))
def test_to_frequency_contains_the_period(p: Period, frequency: str) -> None:
    if FREQUENCIES.index(frequency) >= FREQUENCIES.index(p.frequency):
        wider = p.to_frequency(frequency)
        assert wider.contains(p)
        assert wider.financial_year == p.financial_year
    else:
        with pytest.raises(PeriodError):
            p.to_frequency(frequency)


@given(st.dates(dt.date(1990, 1, 1), dt.date(2060, 12, 31)), st.sampled_from(FREQUENCIES))
def test_a_date_falls_inside_its_period(day: dt.date, frequency: str) -> None:
    p = parse_period(day, frequency)
    assert p.frequency == frequency
    assert p.start <= day <= p.end
    assert parse_period(f"{day.day:02d}/{day.month:02d}/{day.year}", frequency) == p
    assert parse_period(day.isoformat(), frequency) == p
    assert parse_period(pd.Timestamp(day), frequency) == p
    assert parse_period(np.datetime64(day), frequency) == p


@given(periods)
def test_start_end_range_text_reads_back(p: Period) -> None:
    text = f"{p.start:%d/%m/%Y} to {p.end:%d/%m/%Y}"
    assert parse_period(text) == p


@given(periods)
def test_period_fields_and_dates_agree(p: Period) -> None:
    assert p.start <= p.end
    assert p.start.day == 1
    assert (p.end + dt.timedelta(days=1)).day == 1
    assert p.year_start().start <= p.start
    assert p.calendar_year == p.end.year
    fy_start = dt.date(p.year, 4, 1)
    assert fy_start <= p.start and p.end <= dt.date(p.year + 1, 3, 31)
    if p.frequency == M:
        assert p.month == p.start.month
        assert p.quarter == (p.index - 1) // 3 + 1
