"""XLPERF.* scoring functions through xlwings' custom-function machinery (issue 8).

Every call goes through ``xlwings.server.custom_functions_call``: the arguments are converted by
xlwings exactly as for Excel (every argument a matrix, an omitted one ``[[None]]``) and the
result is what Excel would receive (``""`` for an empty cell). Results are compared with the
scoring core's own scalar functions for the same inputs.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import xlperf
from xlperf.core.polarity import parse_polarity
from xlperf.core.schemes import get_scheme
from xlperf.errors import XlperfError

FUNCTIONS = {
    "XLPERF.STATUS": ["actual", "target", "polarity", "tolerance", "tolerance_type", "scheme"],
    "XLPERF.EXPLAIN": ["actual", "target", "polarity", "tolerance", "tolerance_type", "scheme"],
    "XLPERF.VARIANCE": ["actual", "target"],
    "XLPERF.VARIANCE_PCT": ["actual", "target", "show_reason"],
    "XLPERF.DIRECTION": ["current", "previous", "polarity", "threshold"],
    "XLPERF.PERIOD": ["text", "style", "financial_year"],
    "XLPERF.SYMBOL": ["status", "scheme"],
}
N = None


def column(*values):
    return [[v] for v in values]


def test_meta_lists_every_function_with_arguments_and_help(xl):
    meta = {f["name"]: f for f in xl.meta()["functions"]}
    for name, arguments in FUNCTIONS.items():
        assert [p["name"] for p in meta[name]["parameters"]] == arguments
        assert meta[name]["description"] and len(meta[name]["description"]) <= 255
        assert all(not p["description"].startswith("Positional argument")
                   for p in meta[name]["parameters"])
        assert meta[name]["result"] == {"dimensionality": "matrix", "type": "any"}
    status = meta["XLPERF.STATUS"]["parameters"]
    assert [p.get("optional", False) for p in status] == [False, False, False, True, True, True]


@pytest.mark.parametrize(("args", "expected"), [
    ((91.54, 45.3, "Smaller is better", 2), "Red"),
    ((68.04, 78.2, "High", 15, "%"), "Amber"),
    (("TBC", 10, "High"), "No data"),
    (("68.04%", 68, "Bigger is better"), "Green"),
    (("-", 10, "Low"), "No data"),
    ((7.41, 0, "Smaller is better"), "Red"),
    ((4, N, "High"), "No target"),
    ((4, 5, "Data only"), "Data only"),
    ((110, 100, "High", 5, N, "three-symbol"), "Green plus"),
    ((99, 100, "High", 2, N, "four-band"), "On target (lower half)"),
])
def test_status_single_cell_equals_core(xl, args, expected):
    padded = args + (N,) * (6 - len(args))
    assert xl("XLPERF_STATUS", *padded) == [[expected]]
    assert xlperf.status(*[a for a in args]) == expected


def test_status_bad_words_are_sentences_not_errors(xl):
    result = xl("XLPERF_STATUS", 5, 4, "sideways", N, N, N)
    assert result == [["polarity 'sideways' is not one of: Bigger is better, Higher is better, "
                       "High, Aim to maximise, Smaller is better, Lower is better, Low, "
                       "Aim to minimise, Data only"]]
    assert xl("XLPERF_STATUS", 5, 4, "High", -1, N, N) == [[
        "tolerance -1 is negative: a tolerance is a distance from target"]]
    assert xl("XLPERF_STATUS", 5, 4, "High", N, "sideways", N)[0][0].startswith(
        "tolerance type 'sideways'")
    assert xl("XLPERF_STATUS", 5, 4, "High", N, N, "traffic") == [[
        "scheme 'traffic' is not defined: use one of rag, three-symbol, four-band"]]


def test_status_range_spills_with_the_same_shape_and_bad_rows_only_marked(xl):
    actual = column(91.54, 40, N, "TBC", 68.04)
    target = column(45.3, 45.3, N, 10, 78.2)
    polarity = column("Low", "Low", N, "sideways", "High")
    result = xl("XLPERF_STATUS", actual, target, polarity, 2, N, N)
    assert result == [["Red"], ["Green"], [""], [result[3][0]], ["Red"]]
    assert result[3][0].startswith("polarity 'sideways'")


def test_a_row_of_cells_spills_as_a_row_and_a_column_with_a_row_makes_a_table(xl):
    assert xl("XLPERF_STATUS", [[91.54, 40, 45.3]], 45.3, "Low", N, N, N) == [
        ["Red", "Green", "Green"]]
    table = xl("XLPERF_VARIANCE", column(10, 20), [[1, 2, 3]])
    assert table == [[9.0, 8.0, 7.0], [19.0, 18.0, 17.0]]


def test_ranges_that_do_not_line_up_say_so(xl):
    assert xl("XLPERF_VARIANCE", column(1, 2, 3), column(1, 2)) == [[
        "ranges of 3 rows x 1 columns, 2 rows x 1 columns cannot be lined up: give ranges of "
        "the same size, or one cell"]]


def test_explain_equals_core(xl):
    assert xl("XLPERF_EXPLAIN", 68.04, 78.2, "Bigger is better", 15, "relative", N) == [[
        xlperf.explain(68.04, 78.2, "Bigger is better", 15, "relative")]]
    assert xl("XLPERF_EXPLAIN", "n/a", 78.2, "High", N, N, N) == [[
        xlperf.explain("n/a", 78.2, "High")]]


def test_variance_and_percent_numbers_as_numbers_blank_for_no_data(xl):
    assert xl("XLPERF_VARIANCE", 91.54, 45.3) == [[46.24]]
    assert xl("XLPERF_VARIANCE", column(91.54, "TBC", 5), column(45.3, 3, N)) == [
        [46.24], [""], [""]]
    assert xl("XLPERF_VARIANCE_PCT", [[110, 5, "TBC"]], [[100, 0, 4]], N) == [[10.0, "", ""]]
    assert xl("XLPERF_VARIANCE_PCT", [[110, 5, "TBC"]], [[100, 0, 4]], True) == [
        [10.0, "target is 0", "no actual"]]
    assert xlperf.variance_pct(5, 0) is None


def test_direction_equals_core(xl):
    current, previous = column(23, 88, 10, N), column(23, 74, 12, 5)
    polarity = column("Smaller is better", "High", "Low", "High")
    assert xl("XLPERF_DIRECTION", current, previous, polarity, 1) == [
        [xlperf.direction(23, 23, "Smaller is better", 1)],
        [xlperf.direction(88, 74, "High", 1)], [xlperf.direction(10, 12, "Low", 1)],
        ["Not comparable"]]


def test_period_reads_every_form_and_writes_the_council_style(xl):
    texts = column("Q1 2013-14", "30/06/12", 41455, 2012, "Dec-15", N)
    assert xl("XLPERF_PERIOD", texts, N, N) == [
        ["Q1 2013/14"], ["Jun-12"], ["Jun-13"], ["2012/13"], ["Dec-15"], [""]]
    assert xl("XLPERF_PERIOD", [["Qtr3", "Jun-13"]], "quarter-dash", "2014/15") == [
        ["Q3 2014-15", "Q1 2013-14"]]
    assert xl("XLPERF_PERIOD", "Jun-13", "month-long", N) == [["June 2013"]]


def test_period_errors_are_the_core_sentences(xl):
    with pytest.raises(XlperfError) as caught:
        xlperf.parse_period("Q5 2013/14")
    assert xl("XLPERF_PERIOD", "Q5 2013/14", N, N) == [[str(caught.value)]]
    assert xl("XLPERF_PERIOD", "Jun-13", "bogus", N)[0][0].startswith("style 'bogus'")
    assert xl("XLPERF_PERIOD", "Qtr3", N, "2013/99")[0][0].startswith("financial_year")


def test_symbol_equals_core(xl):
    words = [["Red", "Exceeds tolerance", "Blue circle", "No data", "Purple", N]]
    assert xl("XLPERF_SYMBOL", words, N) == [
        [xlperf.symbol("Red"), "★", "●", "?", "", ""]]
    assert xl("XLPERF_SYMBOL", "Red", "traffic")[0][0].startswith("scheme 'traffic'")


def test_omitted_optional_arguments_take_the_python_defaults(xl):
    assert xl("XLPERF_STATUS", [[44]], [[45]], [["High"]], [[N]], [[N]], [[N]]) == [["Red"]]
    assert xl("XLPERF_STATUS", 44, 45, "High", 2, N, N) == [["Amber"]]


# -- the property: over a range, the Excel function equals the core applied to each cell ---

VALUES = st.one_of(st.none(), st.floats(-1000, 1000, allow_nan=False).map(lambda x: round(x, 2)),
                   st.sampled_from(["68.04%", "TBC", "-", "n/a", "£1,234", "17*", "#DIV/0!",
                                    "abc", "0"]))
POLARITIES = st.sampled_from(["Bigger is better", "Low", "High", "Data only", "sideways", None])
TOLERANCES = st.one_of(st.none(), st.floats(0, 20, allow_nan=False), st.just(-1.0))
SCHEMES = st.sampled_from(["rag", "three-symbol", "four-band", None, "traffic"])
FIXTURE_OK = [HealthCheck.function_scoped_fixture]  # xl is module-scoped: safe to reuse
ROWS = st.lists(st.tuples(VALUES, VALUES, POLARITIES, TOLERANCES, SCHEMES), min_size=1,
                max_size=8)


def _word_problem(polarity, tolerance, scheme):
    """The core's sentence for a word it refuses, checked word by word (as the functions do)."""
    for probe in (lambda: parse_polarity(polarity),
                  lambda: xlperf.status(1, 1, "High", tolerance),
                  lambda: get_scheme(scheme)):
        try:
            probe()
        except XlperfError as error:
            return str(error)
    return None


def _core_status(actual, target, polarity, tolerance, scheme):
    if actual is None and target is None:
        return ""
    problem = _word_problem(polarity, tolerance, scheme)
    return problem if problem is not None else xlperf.status(actual, target, polarity,
                                                             tolerance, None, scheme)


@settings(max_examples=60, deadline=None, suppress_health_check=FIXTURE_OK)
@given(ROWS)
def test_status_over_a_range_equals_the_core_per_cell(xl, rows):
    columns = [column(*values) for values in zip(*rows, strict=True)]
    actual, target, polarity, tolerance, scheme = columns
    result = xl("XLPERF_STATUS", actual, target, polarity, tolerance, N, scheme)
    assert [r[0] for r in result] == [_core_status(*row) for row in rows]


@settings(max_examples=40, deadline=None, suppress_health_check=FIXTURE_OK)
@given(st.lists(st.tuples(VALUES, VALUES, POLARITIES), min_size=1, max_size=8))
def test_direction_and_variance_over_a_range_equal_the_core_per_cell(xl, rows):
    current, previous, polarity = (column(*values) for values in zip(*rows, strict=True))
    directions = [r[0] for r in xl("XLPERF_DIRECTION", current, previous, polarity, N)]
    variances = [r[0] for r in xl("XLPERF_VARIANCE", current, previous)]
    for (c, p, pol), direction, variance in zip(rows, directions, variances, strict=True):
        if c is None and p is None:
            assert direction == variance == ""
            continue
        try:
            assert direction == xlperf.direction(c, p, pol)
        except XlperfError as error:
            assert direction == str(error)
        core = xlperf.variance(c, p)
        assert variance == ("" if core is None else core)


@pytest.mark.parametrize("args", [
    (91.54, 45.3, "Smaller is better", 2, "absolute", "rag"),
    (68.04, 78.2, "High", 15, "%", "rag"),
    ("TBC", 10, "High", 0, None, "rag"),
    (None, None, "High", 0, None, "rag"),
    ("", 10.0, "High", 0, None, "rag"),
    (5, 4, "sideways", 0, None, "rag"),
    (5, 4, "High", -1, None, "rag"),
    (5, 4, "High", 1, None, "traffic"),
    (12.0, 10.0, "High", 1, None, "four-band"),
])
def test_one_cell_call_equals_the_range_call(args):
    # Desktop Excel passes one cell as the value itself: the plain-Python path must give
    # what the range path gives for the same cell, a refused word included.
    from xlperf.excel import functions

    one = functions.XLPERF_STATUS(*args)
    ranged = functions.XLPERF_STATUS(*([[a]] for a in args))
    assert one == ranged
