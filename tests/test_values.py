"""Tests for xlperf.core.values: reading numbers, "no data" words and commentary from cells."""

from __future__ import annotations

import datetime as dt
import decimal
import fractions
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xlperf.core.values import (
    KIND_INVALID,
    KIND_NO_DATA,
    KIND_NUMBER,
    NO_DATA_WORDS,
    CellValue,
    clean_commentaries,
    clean_commentary,
    parse_value,
    parse_values,
)

N, D, X = KIND_NUMBER, KIND_NO_DATA, KIND_INVALID


def row_of(df: pd.DataFrame, i: int) -> CellValue:
    """Row ``i`` (by position) of a parse_values result, as a CellValue."""
    number = df["number"].iloc[i]
    reason = df["reason"].iloc[i]
    return CellValue(
        None if math.isnan(number) else float(number),
        str(df["kind"].iloc[i]),
        None if reason is None or (isinstance(reason, float) and math.isnan(reason)) else reason,
    )


def one_object_series(x: object) -> pd.Series:
    """A one-cell object Series holding ``x`` as is (no dtype inference)."""
    arr = np.empty(1, dtype=object)
    arr[0] = x
    return pd.Series(arr, dtype=object)


def check_invariants(cv: CellValue) -> None:
    assert isinstance(cv, CellValue)
    assert cv.kind in (KIND_NUMBER, KIND_NO_DATA, KIND_INVALID)
    if cv.kind == KIND_NUMBER:
        assert isinstance(cv.number, float) and math.isfinite(cv.number)
        assert cv.reason is None or isinstance(cv.reason, str)
    else:
        assert cv.number is None
        assert isinstance(cv.reason, str) and cv.reason
    if cv.kind == KIND_INVALID:
        assert cv.reason.startswith("not a number: ")


# --------------------------------------------------------------------------- forms table
# (cell, number, kind, reason substring; None = the reason must be None)
FORMS: list[tuple[object, float | None, str, str | None]] = [
    # plain numbers
    (12, 12.0, N, None),
    (12.5, 12.5, N, None),
    (np.int64(7), 7.0, N, None),
    (np.float32(0.5), 0.5, N, None),
    ("12", 12.0, N, None),
    (" 12.5 ", 12.5, N, None),
    ("\t12.5\n", 12.5, N, None),
    ("1,234", 1234.0, N, None),
    ("1,234.56", 1234.56, N, None),
    ("1,234,567", 1234567.0, N, None),
    ("-3", -3.0, N, None),
    ("+3", 3.0, N, None),
    ("\u22123", -3.0, N, None),
    ("1.5E3", 1500.0, N, None),
    ("1.5e-3", 0.0015, N, None),
    (".5", 0.5, N, None),
    ("0", 0.0, N, None),
    # percentages typed as text
    ("68.04%", 68.04, N, None),
    ("12.9 %", 12.9, N, None),
    ("-2.5%", -2.5, N, None),
    # money
    ("£1,234", 1234.0, N, None),
    ("£ 1,234", 1234.0, N, None),
    ("-£514K", -514000.0, N, "-£514K read as -514,000"),
    ("+£917K", 917000.0, N, "+£917K read as 917,000"),
    ("£42.3M", 42300000.0, N, "£42.3M read as 42,300,000"),
    ("£5m", 5000000.0, N, "read as 5,000,000"),
    ("£1.2bn", 1.2e9, N, "read as 1,200,000,000"),
    ("£1.2BN", 1.2e9, N, "read as 1,200,000,000"),
    # accounting negatives
    ("(1,234)", -1234.0, N, "(1,234) read as negative"),
    ("(£1,234)", -1234.0, N, "read as negative"),
    ("(12.5%)", -12.5, N, "read as negative"),
    ("(£1.2M)", -1.2e6, N, "(£1.2M) read as -1,200,000"),
    # footnote marks
    ("17*", 17.0, N, "footnote mark '*' removed"),
    ("17**", 17.0, N, "footnote mark '**' removed"),
    ("17 *", 17.0, N, "footnote mark '*' removed"),
    ("68%*", 68.0, N, "footnote mark '*' removed"),
    ("12\u2020", 12.0, N, "footnote mark '\u2020' removed"),
    # no data
    (None, None, D, "blank"),
    (float("nan"), None, D, "blank"),
    (np.nan, None, D, "blank"),
    (pd.NA, None, D, "blank"),
    (pd.NaT, None, D, "blank"),
    ("", None, D, "blank"),
    ("   ", None, D, "blank"),
    ("\xa0", None, D, "blank"),
    ("-", None, D, "dash"),
    (" - ", None, D, "dash"),
    ("\u2013", None, D, "dash"),
    ("\u2014", None, D, "dash"),
    ("--", None, D, "dash"),
    ("n/a", None, D, "not applicable"),
    ("N/A", None, D, "not applicable"),
    ("NA", None, D, "not applicable"),
    ("n.a.", None, D, "not applicable"),
    ("Not Applicable", None, D, "not applicable"),
    ("TBC", None, D, "to be confirmed"),
    ("tbc", None, D, "to be confirmed"),
    ("TBA", None, D, "to be confirmed"),
    ("to be  confirmed", None, D, "to be confirmed"),
    ("Not Set", None, D, "not set"),
    ("not set", None, D, "not set"),
    ("under development", None, D, "under development"),
    ("UNDER DEVELOPMENT", None, D, "under development"),
    ("new measure", None, D, "new measure"),
    ("New Measure", None, D, "new measure"),
    ("not available", None, D, "not available"),
    ("awaiting data", None, D, "not available"),
    ("not yet available", None, D, "not available"),
    ("unknown", None, D, "unknown"),
    ("#DIV/0!", None, D, "Excel error #DIV/0!"),
    ("#div/0!", None, D, "Excel error #DIV/0!"),
    ("#N/A", None, D, "Excel error #N/A"),
    ("#REF!", None, D, "Excel error #REF!"),
    ("#VALUE!", None, D, "Excel error #VALUE!"),
    ("#NAME?", None, D, "Excel error #NAME?"),
    ("#NUM!", None, D, "Excel error #NUM!"),
    ("#NULL!", None, D, "Excel error #NULL!"),
    ("#SPILL!", None, D, "Excel error #SPILL!"),
    ("#CALC!", None, D, "Excel error #CALC!"),
    ("#GETTING_DATA", None, D, "Excel error #GETTING_DATA"),
    # invalid
    ("abc", None, X, "not a number: 'abc'"),
    ("12..3", None, X, "not a number: '12..3'"),
    ("1,2", None, X, "not a number"),
    ("1,2,3", None, X, "not a number"),
    ("12,34", None, X, "not a number"),
    ("1234,567", None, X, "not a number"),
    (",123", None, X, "not a number"),
    ("12 apples", None, X, "not a number: '12 apples'"),
    ("=SUM(A1:A3)", None, X, "not a number: '=SUM(A1:A3)'"),
    ("=1+1", None, X, "'=1+1'"),
    ("+A1", None, X, "'+A1'"),
    ("-A1*2", None, X, "'-A1*2'"),
    ("@SUM(A1)", None, X, "'@SUM(A1)'"),
    ("nil return", None, X, "not a number"),
    ("nil", None, X, "not a number"),
    ("42.3M", None, X, "not a number"),  # multipliers only after £
    ("£-514K", None, X, "not a number"),
    ("-(12)", None, X, "not a number"),
    ("(12", None, X, "not a number"),
    ("12)", None, X, "not a number"),
    ("£12%", None, X, "not a number"),
    ("£1e3", None, X, "not a number"),
    (".", None, X, "not a number"),
    ("*17", None, X, "not a number"),
    ("1e400", None, X, "too large"),
    ("_4", None, X, "not a number"),
    ("01/04/2012", None, X, "not a number"),
    (True, None, X, "not a number: 'True'"),
    (False, None, X, "not a number: 'False'"),
    (np.True_, None, X, "not a number: 'True'"),
    (float("inf"), None, X, "not a number: 'inf'"),
    (float("-inf"), None, X, "not a number: '-inf'"),
    (dt.date(2013, 6, 30), None, X, "not a number: a date"),
    (dt.datetime(2013, 6, 30, 12), None, X, "not a number: a date"),
    (pd.Timestamp("2013-06-30"), None, X, "not a number: a date"),
    (np.datetime64("2013-06-30"), None, X, "not a number: a date"),
    (dt.time(9, 30), None, X, "not a number"),
    (dt.timedelta(days=3), None, X, "not a number: a duration"),
    ([1, 2, 3], None, X, "not a number"),
    ({"a": 1}, None, X, "not a number"),
    (b"12", None, X, "not a number"),
    (1 + 2j, None, X, "not a number"),
    (10**400, None, X, "too large"),
    (decimal.Decimal("sNaN"), None, X, "not a number"),
    (object(), None, X, "not a number"),
    # other exact number types
    (decimal.Decimal("12.5"), 12.5, N, None),
    (fractions.Fraction(1, 4), 0.25, N, None),
]


def _id(value: object) -> str:
    """A test id that is the same in every process (pytest-xdist compares them): a bare
    object's repr holds its address."""
    return "object()" if type(value) is object else repr(value)


@pytest.mark.parametrize(("cell", "number", "kind", "reason"), FORMS, ids=_id)
def test_forms(cell: object, number: float | None, kind: str, reason: str | None) -> None:
    cv = parse_value(cell)
    check_invariants(cv)
    assert cv.kind == kind
    assert cv.number == number
    if reason is None:
        assert cv.reason is None
    else:
        assert reason in cv.reason


def test_forms_vectorised_as_one_mixed_column() -> None:
    cells = [form[0] for form in FORMS]
    df = parse_values(pd.Series(cells, dtype=object))
    assert len(df) == len(FORMS)
    for i, cell in enumerate(cells):
        assert row_of(df, i) == parse_value(cell), repr(cell)


def test_reason_keeps_long_text_short() -> None:
    cv = parse_value("x" * 1000)
    assert cv.kind == KIND_INVALID
    assert len(cv.reason) < 120


# --------------------------------------------------------------------------- seed values
SEED_VALUES: list[tuple[str, float | None, str]] = [
    ("68.04%", 68.04, N),
    ("78.2%", 78.2, N),
    ("12.9%", 12.9, N),
    ("7.41", 7.41, N),
    ("267.8", 267.8, N),
    ("17*", 17.0, N),
    ("under development", None, D),
    ("new measure", None, D),
    ("-", None, D),
    ("Not Set", None, D),
    ("£42.3M", 42_300_000.0, N),
    ("£43.1M", 43_100_000.0, N),
    ("+£917K", 917_000.0, N),
    ("+£21.4M", 21_400_000.0, N),
    ("+£2.47M", 2_470_000.0, N),
    ("-£514K", -514_000.0, N),
    ("66%", 66.0, N),
]


@pytest.mark.parametrize(("cell", "number", "kind"), SEED_VALUES)
def test_seed_values(cell: str, number: float | None, kind: str) -> None:
    cv = parse_value(cell)
    assert (cv.number, cv.kind) == (number, kind)


def test_money_is_exact() -> None:
    # decimal shifting, not float multiplication: 42.3 * 1e6 would not be 42,300,000 exactly
    assert parse_value("£42.3M").number == 42_300_000.0
    assert parse_value("+£2.47M").number == 2_470_000.0
    assert parse_value("£0.1bn").number == 100_000_000.0
    assert parse_value("£1.005K").number == 1005.0


# --------------------------------------------------------------------------- percent format
@pytest.mark.parametrize(
    ("cell", "number", "reason"),
    [
        (0.6804, 68.04, "percentage cell 0.6804 read as 68.04"),
        (0.782, 78.2, "percentage cell 0.782 read as 78.2"),
        (0.129, 12.9, "read as 12.9"),
        (0.0741, 7.41, "read as 7.41"),
        (0.8316, 83.16, "read as 83.16"),
        (1, 100.0, "percentage cell 1 read as 100"),
        (0, 0.0, "read as 0"),
        (1.5, 150.0, "read as 150"),
        (-0.05, -5.0, "read as -5"),
        (np.float64(0.35), 35.0, "read as 35"),
        ("68.04%", 68.04, None),  # text is read as written
        ("0.5", 0.5, None),
    ],
)
def test_percent_format(cell: object, number: float, reason: str | None) -> None:
    cv = parse_value(cell, percent_format=True)
    assert cv.kind == KIND_NUMBER
    assert cv.number == number
    if reason is None:
        assert cv.reason is None
    else:
        assert reason in cv.reason


def test_percent_format_no_data_and_invalid_unchanged() -> None:
    assert parse_value(None, percent_format=True) == CellValue(None, KIND_NO_DATA, "blank")
    assert parse_value("n/a", percent_format=True).reason == "not applicable"
    assert parse_value(float("inf"), percent_format=True).kind == KIND_INVALID
    assert parse_value(1e308, percent_format=True).kind == KIND_INVALID


@given(st.integers(min_value=-1_000_000, max_value=1_000_000))
def test_percent_format_rounds_away_float_noise(k: int) -> None:
    # a fraction with up to 4 decimals, as Excel shows it, gives exactly the typed percentage
    fraction = float(f"{k / 10_000:.4f}")
    assert parse_value(fraction, percent_format=True).number == float(f"{k / 100:.2f}")


def test_parse_values_percent_format_series() -> None:
    cells = pd.Series([0.6804, 0.6804, "68.04%", 12], index=[10, 11, 12, 13])
    pf = pd.Series([True, False, True, False], index=[10, 11, 12, 13])
    df = parse_values(cells, percent_format=pf)
    assert df["number"].tolist() == [68.04, 0.6804, 68.04, 12.0]
    assert df.loc[10, "reason"] == "percentage cell 0.6804 read as 68.04"
    assert df.loc[11, "reason"] is None


def test_parse_values_percent_format_aligns_by_index() -> None:
    cells = pd.Series([0.5, 0.25], index=["b", "a"])
    pf = pd.Series([True, False], index=["a", "b"])  # flag for "a" only
    df = parse_values(cells, percent_format=pf)
    assert df.loc["a", "number"] == 25.0
    assert df.loc["b", "number"] == 0.5


def test_parse_values_percent_format_nullable_flags() -> None:
    cells = pd.Series([0.5, 0.5, 0.5])
    pf = pd.Series([True, None, False], dtype="boolean")
    assert parse_values(cells, pf)["number"].tolist() == [50.0, 0.5, 0.5]


def test_parse_values_percent_format_signed_zero() -> None:
    # 0.0 and -0.0 are one value to pandas.factorize: the reason must not depend on order
    for cells in ([0.0, -0.0], [-0.0, 0.0]):
        df = parse_values(pd.Series(cells, dtype=object), True)
        assert [row_of(df, i) for i in range(2)] == [parse_value(c, percent_format=True)
                                                       for c in cells]


def test_parse_values_percent_format_numeric_dtype() -> None:
    cells = pd.Series([0.6804, np.nan, 1.0, np.inf])
    df = parse_values(cells, True)
    assert df["number"].iloc[0] == 68.04
    assert df["kind"].tolist() == [N, D, N, X]
    assert df["number"].iloc[2] == 100.0


# --------------------------------------------------------------------------- parse_values
def test_parse_values_keeps_index_of_excel_rows() -> None:
    index = pd.RangeIndex(5, 21, name="row")
    cells = pd.Series(
        ["68.04%", "12.9%", "7.41", "17*", "under development", "new measure", "-", "£42.3M",
         "+£2.47M", "-£514K", None, "abc", 4, 267.8, "#DIV/0!", "TBC"],
        index=index,
        dtype=object,
    )
    df = parse_values(cells)
    assert df.index.equals(index)
    assert list(df.columns) == ["number", "kind", "reason"]
    assert df["number"].dtype == np.float64
    assert df.loc[5, "number"] == 68.04
    assert df.loc[8, "reason"] == "footnote mark '*' removed"
    assert df.loc[12, "number"] == 42_300_000.0
    assert df.loc[14, "number"] == -514_000.0
    assert df.loc[15, "kind"] == KIND_NO_DATA and df.loc[15, "reason"] == "blank"
    assert df.loc[16, "kind"] == KIND_INVALID
    assert df.loc[17, "number"] == 4.0
    assert df.loc[19, "reason"] == "Excel error #DIV/0!"
    assert df.loc[20, "reason"] == "to be confirmed"
    assert math.isnan(df.loc[9, "number"])
    for i, cell in enumerate(cells):
        assert row_of(df, i) == parse_value(cell)


def test_parse_values_duplicate_and_string_index() -> None:
    cells = pd.Series(["1", "x", "2"], index=["A", "A", "B"])
    df = parse_values(cells)
    assert df.index.tolist() == ["A", "A", "B"]
    assert df["kind"].tolist() == [N, X, N]


def test_parse_values_empty() -> None:
    for dtype in (object, float, str):
        cells = pd.Series([], dtype=dtype)
        df = parse_values(cells)
        assert len(df) == 0
        assert list(df.columns) == ["number", "kind", "reason"]


def test_parse_values_accepts_a_list() -> None:
    assert parse_values(["1", "-"])["kind"].tolist() == [N, D]


@pytest.mark.parametrize(
    "cells",
    [
        pd.Series(["68.04%", None, "n/a", "x"], dtype="string"),
        pd.Series(["68.04%", None, "n/a", "x"], dtype=str),
        pd.Series(["68.04%", None, "n/a", "x"], dtype=object),
        pd.Series(["68.04%", None, "n/a", "x"], dtype="category"),
    ],
    ids=["string", "str", "object", "category"],
)
def test_parse_values_text_dtypes(cells: pd.Series) -> None:
    df = parse_values(cells)
    assert df["number"].iloc[0] == 68.04
    assert df["kind"].tolist() == [N, D, D, X]
    assert df["reason"].tolist()[1:] == ["blank", "not applicable", "not a number: 'x'"]


def test_parse_values_other_dtypes() -> None:
    ints = parse_values(pd.Series([1, None, 3], dtype="Int64"))
    assert ints["kind"].tolist() == [N, D, N]
    assert ints["number"].iloc[2] == 3.0
    floats = parse_values(pd.Series([1.5, None], dtype="Float64"))
    assert floats["kind"].tolist() == [N, D]
    bools = parse_values(pd.Series([True, None], dtype="boolean"))
    assert bools["kind"].tolist() == [X, D]
    assert bools["reason"].iloc[0] == "not a number: 'True'"
    dates = parse_values(pd.Series(pd.to_datetime(["2013-06-30", None])))
    assert dates["kind"].tolist() == [X, D]
    assert dates["reason"].iloc[0] == "not a number: a date"
    spans = parse_values(pd.Series(pd.to_timedelta(["1 day", None])))
    assert spans["reason"].tolist() == ["not a number: a duration", "blank"]
    big = parse_values(pd.Series([2**63, 2**64 - 1], dtype=np.uint64))
    assert big["kind"].tolist() == [N, N]


def test_parse_values_mixed_200k_rows() -> None:
    pattern: list[object] = [
        "68.04%", "-", 0.5, "17*", None, "£42.3M", "abc", 12, "n/a", "TBC",
        " 1,234 ", "(1,234)", np.nan, "#DIV/0!", True, dt.date(2013, 6, 30), "=SUM(A1:A3)",
        "under development", 7.41, "",
    ]
    reps = 10_000
    cells = pd.Series(pattern * reps, index=pd.RangeIndex(2, 2 + len(pattern) * reps),
                      dtype=object)
    assert len(cells) == 200_000
    df = parse_values(cells)
    assert df.index.equals(cells.index)
    expected = [parse_value(x) for x in pattern]
    for position in (0, 1, 7, 19, 12_345, 99_999, 199_999):
        assert row_of(df, position) == expected[position % len(pattern)]
    counts = df["kind"].value_counts()
    assert counts[N] == 8 * reps
    assert counts[D] == 8 * reps
    assert counts[X] == 4 * reps
    assert df["number"].sum() == pytest.approx(
        reps * (68.04 + 0.5 + 17 + 42_300_000 + 12 + 1234 - 1234 + 7.41)
    )


# --------------------------------------------------------------------------- properties
def numberish_text() -> st.SearchStrategy[str]:
    """Text built from the pieces of number forms, valid and broken combinations alike."""
    ints = st.integers(min_value=0, max_value=10**13)
    body = st.one_of(
        ints.map(str),
        ints.map(lambda n: f"{n:,}"),
        st.from_regex(r"[0-9]{1,4}(,[0-9]{1,4}){1,3}", fullmatch=True),
        st.just(""),
    )
    frac = st.sampled_from(["", ".", ".5", ".25", ".0001", "..3", ".9999999999999999"])
    parts = st.tuples(
        st.sampled_from(["", " ", "\t", "\xa0"]),
        st.sampled_from(["", "-", "+", "\u2212", "(", "--", "=", "@"]),
        st.sampled_from(["", "£", "£ ", "$"]),
        body,
        frac,
        st.sampled_from(["", "e3", "E-2", "e+400", "e"]),
        st.sampled_from(["", "%", " %", "K", "k", " M", "m", "bn", "BN", "b"]),
        st.sampled_from(["", ")", "))"]),
        st.sampled_from(["", "*", "**", " *", "\u2020", "\u2021", "*1"]),
        st.sampled_from(["", " ", "\n"]),
    )
    return parts.map("".join)


def words() -> st.SearchStrategy[str]:
    keys = sorted(NO_DATA_WORDS)
    return st.sampled_from(keys).flatmap(
        lambda k: st.sampled_from([k, k.upper(), k.title(), f"  {k} ", k.replace(" ", "   ")])
    )


CELLS = st.one_of(
    numberish_text(),
    words(),
    st.text(max_size=20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(allow_nan=True, allow_infinity=True, width=32).map(np.float32),
    st.integers(),
    st.integers(min_value=-(2**63), max_value=2**64 - 1),
    st.booleans(),
    st.none(),
    st.dates(),
    st.datetimes(),
    st.decimals(),
    st.fractions(max_denominator=1000),
    st.sampled_from([pd.NA, pd.NaT, np.nan, np.inf, -0.0, np.int64(5), np.bool_(False),
                     dt.time(1, 2), dt.timedelta(hours=1), b"12", (1, 2), [3], {"x": 1}]),
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(CELLS, st.booleans())
def test_vectorised_equals_scalar_inferred_dtype(cell: object, pf: bool) -> None:
    series = pd.Series([cell])
    assert len(series) == 1
    assert row_of(parse_values(series, pf), 0) == parse_value(cell, percent_format=pf)


@settings(max_examples=120, suppress_health_check=[HealthCheck.too_slow])
@given(CELLS, st.booleans())
def test_vectorised_equals_scalar_object_dtype(cell: object, pf: bool) -> None:
    df = parse_values(one_object_series(cell), pf)
    assert row_of(df, 0) == parse_value(cell, percent_format=pf)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(CELLS, st.booleans()), max_size=30))
def test_vectorised_equals_scalar_mixed_column(rows: list[tuple[object, bool]]) -> None:
    cells = [cell for cell, _ in rows]
    flags = [pf for _, pf in rows]
    index = pd.RangeIndex(5, 5 + len(rows))
    arr = np.empty(len(rows), dtype=object)
    for i, cell in enumerate(cells):
        arr[i] = cell
    df = parse_values(pd.Series(arr, index=index, dtype=object),
                      pd.Series(flags, index=index, dtype=bool))
    assert df.index.equals(index)
    for i, (cell, pf) in enumerate(rows):
        assert row_of(df, i) == parse_value(cell, percent_format=pf)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(numberish_text(), words(), st.text(max_size=20)), max_size=30))
def test_text_column_parsed_alike_by_string_methods_and_one_by_one(texts: list[str]) -> None:
    """A column with few distinct texts is parsed text by text, a column with many by pandas
    string methods (see ``_FEW_TEXTS``): both give what the scalar parser gives."""
    from xlperf.core import values

    cells = pd.Series(texts, dtype=object)
    one_by_one = parse_values(cells)
    few = values._FEW_TEXTS
    values._FEW_TEXTS = -1  # every column through the string methods
    try:
        by_methods = parse_values(cells)
    finally:
        values._FEW_TEXTS = few
    pd.testing.assert_frame_equal(one_by_one, by_methods)
    for i, text in enumerate(texts):
        assert row_of(by_methods, i) == parse_value(text)


def test_a_column_of_many_distinct_texts_goes_through_the_string_methods() -> None:
    from xlperf.core import values

    texts = [f"{i:,} *" for i in range(values._FEW_TEXTS + 1)] + ["TBC", "about 5"]
    df = parse_values(pd.Series(texts, dtype=object))
    assert df["number"].iloc[:3].tolist() == [0.0, 1.0, 2.0]
    assert df["reason"].iat[1] == "footnote mark '*' removed"
    assert row_of(df, len(texts) - 2) == CellValue(None, D, "to be confirmed")
    assert [row_of(df, i) for i in range(len(texts))] == [parse_value(t) for t in texts]


@settings(max_examples=120, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(CELLS, st.from_type(object), st.from_type(type).flatmap(st.from_type)),
       st.booleans())
def test_never_raises(cell: object, pf: bool) -> None:
    cv = parse_value(cell, percent_format=pf)
    check_invariants(cv)
    df = parse_values(one_object_series(cell), pf)
    assert len(df) == 1
    assert df["kind"].iloc[0] == cv.kind


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_float_text_round_trips(x: float) -> None:
    assert parse_value(repr(x)) == CellValue(x, KIND_NUMBER, None)


@given(st.integers(min_value=-(2**53), max_value=2**53))
def test_thousands_separated_integers(n: int) -> None:
    assert parse_value(f"{n:,}").number == float(n)
    assert parse_value(f"{n:,}%").number == float(n)


@given(st.integers(min_value=1, max_value=10**9), st.integers(min_value=0, max_value=3))
def test_accounting_brackets_negate(n: int, decimals: int) -> None:
    text = f"{n / 10**decimals:,.{decimals}f}"
    plain = parse_value(text)
    bracketed = parse_value(f"({text})")
    assert bracketed.number == -plain.number
    assert bracketed.reason == f"({text}) read as negative"


@given(words())
def test_no_data_words_any_case_and_spacing(word: str) -> None:
    key = " ".join(word.split()).lower()
    assert parse_value(word) == CellValue(None, KIND_NO_DATA, NO_DATA_WORDS[key])


def test_no_data_words_are_normalised_keys() -> None:
    for key, reason in NO_DATA_WORDS.items():
        assert key == " ".join(key.split()).lower()
        assert isinstance(reason, str) and reason
        assert parse_value(key).kind == KIND_NO_DATA
    with pytest.raises(TypeError):
        NO_DATA_WORDS["nil"] = "zero"  # type: ignore[index]


# --------------------------------------------------------------------------- commentary
SEED_NOTE = (
    "<p>Work is taking place with Schools, Academies, the Schools Partnership Trust and "
    "Careers Coordinators, to raise awareness about apprenticeships.</p> <p>SME Team is "
    "actively engaged with Sir Thomas Wharton, Ridgewood and Balby Carr.</p> <p>Work &amp; "
    "Skills Careers Fair is being planned with Outwood for the 7th March 2014.</p>"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            SEED_NOTE,
            "Work is taking place with Schools, Academies, the Schools Partnership Trust and "
            "Careers Coordinators, to raise awareness about apprenticeships.\n\nSME Team is "
            "actively engaged with Sir Thomas Wharton, Ridgewood and Balby Carr.\n\nWork & "
            "Skills Careers Fair is being planned with Outwood for the 7th March 2014.",
        ),
        ("<p>One</p><p>Two</p>", "One\n\nTwo"),
        ('<P class="x">One</P>\r\n<P>Two</P>', "One\n\nTwo"),
        ("line 1<br>line 2<br/>line 3<BR />line 4", "line 1\nline 2\nline 3\nline 4"),
        ("Q&amp;A", "Q&A"),
        ("a&nbsp;&nbsp;b", "a b"),
        ("Feb&#8211;May 2013", "Feb\u2013May 2013"),
        ("&#x2013;", "\u2013"),
        ("&lt;b&gt; is a tag", "<b> is a tag"),
        ("<b>Bold</b> and <span style='x'>plain</span>", "Bold and plain"),
        ("<!-- note -->Text", "Text"),
        ("  lots   of\t spaces  ", "lots of spaces"),
        ("first line\nsecond line", "first line\nsecond line"),
        ("a\n\n\n\nb", "a\n\nb"),
        ("R&E 1.6.1 Number", "R&E 1.6.1 Number"),
        ("Smith&copy Ltd", "Smith&copy Ltd"),  # no semicolon: not an entity
        ("a < b and c > d", "a < b and c > d"),
        ("Not applicable new SAP in development", "Not applicable new SAP in development"),
        ("=HYPERLINK(\"http://x\")", "=HYPERLINK(\"http://x\")"),
        ("=1+1", "=1+1"),
        ("+44 1302 <b>x</b>", "+44 1302 <b>x</b>"),
        ("-  item <br> two", "-  item <br> two"),
        ("@mention", "@mention"),
        ("  =SUM(A1)  ", "  =SUM(A1)  "),
        (42, "42"),
        (68.04, "68.04"),
        (-3, "-3"),
        (None, None),
        (float("nan"), None),
        (pd.NA, None),
        ("", None),
        ("   \n ", None),
        ("<p></p>", None),
        ("<p>&nbsp;</p>", None),
    ],
)
def test_clean_commentary(text: object, expected: str | None) -> None:
    assert clean_commentary(text) == expected


def test_clean_commentaries_keeps_index_and_matches_scalar() -> None:
    texts = pd.Series([SEED_NOTE, None, "=1+1", 12, "<p>a</p>", "  ", "a &amp; b"],
                      index=range(5, 12), dtype=object)
    out = clean_commentaries(texts)
    assert out.index.equals(texts.index)
    assert out.dtype == object
    assert out.tolist() == [clean_commentary(t) for t in texts]
    assert out[6] is None and out[10] is None


def test_clean_commentaries_text_dtypes() -> None:
    for dtype in ("string", str, object):
        out = clean_commentaries(pd.Series(["<p>a</p><p>b</p>", None], dtype=dtype))
        assert out.tolist() == ["a\n\nb", None]


HTML_BITS = st.sampled_from(
    ["<p>", "</p>", "<br>", "<br/>", "<BR />", "<b>", "</b>", "&amp;", "&nbsp;", "&#8211;",
     "&lt;", " ", "  ", "\n", "\r\n", "\t", "=", "+", "-", "@", "<", ">", "&", ";", "x", "A1"]
)
COMMENTARY = st.one_of(
    st.lists(st.one_of(HTML_BITS, st.text(max_size=4)), max_size=12).map("".join),
    st.text(),
    st.none(),
    st.floats(),
    st.integers(),
)


@settings(max_examples=120)
@given(st.lists(COMMENTARY, max_size=10))
def test_clean_commentaries_equals_scalar(texts: list[object]) -> None:
    arr = np.empty(len(texts), dtype=object)
    for i, text in enumerate(texts):
        arr[i] = text
    out = clean_commentaries(pd.Series(arr, dtype=object))
    assert out.tolist() == [clean_commentary(t) for t in texts]


@given(st.one_of(COMMENTARY, st.from_type(object)))
def test_clean_commentary_never_raises(text: object) -> None:
    out = clean_commentary(text)
    assert out is None or isinstance(out, str)
    if isinstance(out, str):
        stripped = out.lstrip()
        if not stripped.startswith(("=", "+", "-", "@")):
            assert out == out.strip() and out
            assert "  " not in out and "\n\n\n" not in out


@given(st.sampled_from(["", " ", "\t", "\n "]), st.sampled_from("=+-@"), st.text())
def test_formula_like_commentary_is_never_altered(space: str, first: str, rest: str) -> None:
    text = space + first + rest
    assert clean_commentary(text) == text
