"""The status rule, checked against the printed scorecards in ../shared/seeds and by its laws."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import xlperf
from xlperf.core.schemes import BUILTIN_SCHEMES, Band, Scheme
from xlperf.core.status import explain_rated, parse_tolerance_type, rate
from xlperf.errors import InputError, PolarityError, SchemeError

# (seed, measure, actual, target, polarity, tolerance, tolerance type, scheme, expected)
SEED_ROWS = [
    # 000: Doncaster Corporate Plan Q1 2013-14 (RAG)
    ("000", "KIGS CH01", 91.54, 45.3, "Smaller is better", 2, "absolute", "rag", "Red"),
    ("000", "CYP 2.1.4", 267.8, 210.34, "Bigger is better", 5, "absolute", "rag", "Green"),
    ("000", "CYP 2.1.5", 57, 311, "Bigger is better", 10, "%", "rag", "Red"),
    ("000", "NI_068", "68.04%", "78.2%", "Bigger is better", 15, "%", "rag", "Amber"),
    ("000", "CYP 2.3.3", "38%", "10%", "Smaller is better", 3, "absolute", "rag", "Red"),
    ("000", "CYP_LocalQSW6", "62.0%", "80.0%", "Bigger is better", 5, "absolute", "rag", "Red"),
    ("000", "NI_147", "90.5%", "85.0%", "Bigger is better", 5, "absolute", "rag", "Green"),
    ("000", "(Old)NI_117a", "6.7%", "6.7%", "Smaller is better", 0.5, "absolute", "rag",
     "Green"),
    ("000", "NI_073", "78.2%", "78.0%", "Bigger is better", 1, "absolute", "rag", "Green"),
    ("000", "NI_075", "54.7%", "58.0%", "Bigger is better", 5, "absolute", "rag", "Amber"),
    ("000", "R&E 1.6.1", 4, "Not Set", "Data only", 0, "absolute", "rag", "Data only"),
    ("000", "CYP 2.1.3", None, None, "Bigger is better", 5, "absolute", "rag", "No data"),
    ("000", "NI_062", "", "9.0%", "Smaller is better", 1, "absolute", "rag", "No data"),
    ("000", "PAF C19_local4", None, "100.0%", "Bigger is better", 0, "absolute", "rag",
     "No data"),
    # 002: Doncaster Children's Services Trust, Dec-15
    ("002", "%Re-Referrals", "23%", "25%", "Smaller is better", 2, "absolute", "rag", "Green"),
    ("002", "Single Assessments in timescale", "88%", "95%", "Bigger is better", 5, "absolute",
     "rag", "Red"),
    ("002", "Child Protection Visits in timescale", "93%", "95%", "Bigger is better", 5,
     "absolute", "rag", "Amber"),
    ("002", "LAC Stability 2 years", "68%", "70%", "Bigger is better", 3, "absolute",
     "four-band", "On target (lower half)"),
    ("002", "Care Leavers in Suitable Accommodation", "100%", "90%", "Bigger is better", 5,
     "absolute", "four-band", "Exceeds tolerance"),
    ("002", "Time to placement with adopters", 542, 547, "Smaller is better", 10, "%",
     "three-symbol", "Blue circle"),
    ("002", "Cases open to the CSE Team", "new measure", None, "Data only", 0, "absolute",
     "rag", "No data"),
    # 004: Dudley quarterly report Q1 2012/13 (four bands: star, two circles, triangle)
    ("004", "LAC per 10k", 104.9, 98.8, "Smaller is better", 5, "%", "four-band",
     "Below tolerance"),
    ("004", "Care leavers in EET", 50, 65, "Bigger is better", 5, "%", "four-band",
     "Below tolerance"),
    ("004", "Children subject to CP plan", 29.6, 36, "Smaller is better", 5, "%", "four-band",
     "Exceeds tolerance"),
    ("004", "Days to match to adoptive family", 174, 213, "Smaller is better", 5, "%",
     "four-band", "Exceeds tolerance"),
    ("004", "Initial assessments < 10 days", 62.9, 72.5, "Bigger is better", 5, "%",
     "four-band", "Below tolerance"),
]


@pytest.mark.parametrize(
    ("seed", "code", "actual", "target", "polarity", "tol", "tol_type", "scheme", "expected"),
    SEED_ROWS, ids=[f"{r[0]}-{r[1]}" for r in SEED_ROWS],
)
def test_seed_statuses(seed, code, actual, target, polarity, tol, tol_type, scheme, expected):
    assert xlperf.status(actual, target, polarity, tol, tol_type, scheme) == expected


def test_seed_rows_vectorised_match_scalar():
    frame = pd.DataFrame(SEED_ROWS, columns=["seed", "code", "actual", "target", "polarity",
                                             "tol", "tol_type", "scheme", "expected"])
    rated = rate(frame["actual"], frame["target"], frame["polarity"], frame["tol"],
                 frame["tol_type"], frame["scheme"])
    assert rated["status"].tolist() == frame["expected"].tolist()
    assert rated.index.equals(frame.index)


@pytest.mark.parametrize(
    ("gap", "expected"),
    [(0.5, "Green"), (0.0, "Green"), (-0.5, "Amber"), (-2.0, "Amber"), (-2.01, "Red")],
)
def test_rag_band_edges(gap, expected):
    assert xlperf.status(10 + gap, 10, "Bigger is better", 2) == expected


@pytest.mark.parametrize(
    ("gap", "three", "four"),
    [
        (2.5, "Green plus", "Exceeds tolerance"),
        (2.0, "Blue circle", "On target (upper half)"),
        (0.0, "Blue circle", "On target (upper half)"),
        (-0.1, "Blue circle", "On target (lower half)"),
        (-2.0, "Blue circle", "On target (lower half)"),
        (-2.1, "Red diamond", "Below tolerance"),
    ],
)
def test_three_and_four_band_edges(gap, three, four):
    # Smaller is better: the gap is target - actual.
    assert xlperf.status(10 - gap, 10, "Lower is better", 2, scheme="three-symbol") == three
    assert xlperf.status(10 - gap, 10, "Low", 2, scheme="four-band") == four


def test_float_noise_does_not_flip_a_band():
    # 78.2 - 78.0 is 0.20000000000000284 in binary floating point; the edge must hold.
    assert xlperf.status(77.8, 78.0, "High", 0.2) == "Amber"
    assert xlperf.status(0.3, 0.1 + 0.2, "High") == "Green"


def test_relative_tolerance_is_a_share_of_target():
    rated = rate(90, 100, "High", 10, "relative")
    assert rated["tolerance_value"].iloc[0] == 10.0
    assert rated["status"].iloc[0] == "Amber"
    assert xlperf.status(89.9, 100, "High", 10, "%") == "Red"


def test_zero_tolerance_statutory_target():
    assert xlperf.status(99.9, 100, "High", 0) == "Red"
    assert xlperf.status(100, 100, "High", 0) == "Green"


def test_status_carries_symbol_colour_and_severity():
    rated = rate([91.54, 40, None], 45.3, "Smaller is better", 2)
    assert rated["symbol"].tolist() == ["✖", "✔", "?"]
    assert rated["colour"].tolist()[0] == BUILTIN_SCHEMES["rag"].bands[2].colour
    assert rated["severity"].tolist() == [2, 0, 1]
    assert rated["rated"].tolist() == [True, True, False]


def test_explanation_sentences():
    assert xlperf.explain(91.54, 45.3, "Smaller is better", 2) == (
        "91.54 against target 45.3, smaller is better: 46.24 worse than target, "
        "beyond the tolerance of 2: Red")
    assert xlperf.explain(6.7, 6.7, "Smaller is better", 0.5) == (
        "6.7 against target 6.7, smaller is better: on target: Green")
    assert xlperf.explain(100, 90, "High", 5, scheme="four-band") == (
        "100 against target 90, bigger is better: 10 better than target, beyond the tolerance "
        "of 5: Exceeds tolerance")
    assert xlperf.explain("TBC", 10, "High") == (
        "No actual for this period (to be confirmed): No data")
    assert xlperf.explain(4, None, "Data only") == "4 is reported for information only: Data only"
    assert xlperf.explain(4, "Not Set", "High") == "4 has no target to compare with: No target"
    assert xlperf.explain(95, 100, "High", 0) == (
        "95 against target 100, bigger is better: 5 worse than target, no tolerance: Red")


def test_unknown_polarity_names_the_value():
    with pytest.raises(PolarityError) as caught:
        xlperf.status(1, 2, "sideways")
    assert "'sideways'" in str(caught.value)
    assert "Bigger is better" in str(caught.value)


def test_unknown_scheme_and_tolerance_type_are_errors():
    with pytest.raises(SchemeError) as caught:
        xlperf.status(1, 2, "High", scheme="traffic")
    assert "'traffic'" in str(caught.value)
    with pytest.raises(InputError):
        parse_tolerance_type("sometimes")
    with pytest.raises(InputError):
        xlperf.status(1, 2, "High", tolerance=-1)


def test_every_status_of_every_scheme_has_word_symbol_colour():
    for scheme in BUILTIN_SCHEMES.values():
        for band in scheme.bands:
            assert band.label and band.symbol and band.colour.startswith("#")
        assert len(set(b.symbol for b in scheme.bands)) == len(scheme.bands)


def test_explanations_vectorised_equal_scalar():
    actual = [91.54, 6.7, None, 120]
    rated = rate(actual, [45.3, 6.7, 3, 100], ["Low", "Low", "High", "High"], 2)
    sentences = explain_rated(rated).tolist()
    for a, t, p, sentence in zip(actual, [45.3, 6.7, 3, 100], ["Low", "Low", "High", "High"],
                                 sentences, strict=True):
        assert xlperf.explain(a, t, p, 2) == sentence


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
tolerances = st.floats(min_value=0, max_value=1e4, allow_nan=False, allow_infinity=False)
schemes = st.sampled_from(sorted(BUILTIN_SCHEMES))


@given(finite, finite, tolerances)
def test_swapping_polarity_mirrors_the_gap(actual, target, tol):
    higher = rate(actual, target, "Bigger is better", tol)["gap"].iloc[0]
    lower = rate(actual, target, "Smaller is better", tol)["gap"].iloc[0]
    assert higher == -lower


@given(finite, finite, tolerances, tolerances, schemes, st.sampled_from(["High", "Low"]))
def test_widening_the_tolerance_never_makes_a_status_worse(actual, target, t1, t2, scheme, pol):
    narrow, wide = sorted([t1, t2])
    before = rate(actual, target, pol, narrow, scheme=scheme)["severity"].iloc[0]
    after = rate(actual, target, pol, wide, scheme=scheme)["severity"].iloc[0]
    assert after <= before


@given(finite, finite, tolerances, tolerances, st.sampled_from(["High", "Low"]))
def test_widening_the_tolerance_never_moves_a_rag_band_down(actual, target, t1, t2, pol):
    narrow, wide = sorted([t1, t2])
    labels = [b.label for b in BUILTIN_SCHEMES["rag"].bands]
    before = labels.index(xlperf.status(actual, target, pol, narrow))
    after = labels.index(xlperf.status(actual, target, pol, wide))
    assert after <= before


@given(finite, finite, tolerances, schemes)
def test_exactly_on_target_is_never_a_miss(target, _unused, tol, scheme):
    rated = rate(target, target, "High", tol, scheme=scheme)
    assert rated["severity"].iloc[0] == 0


@given(st.lists(st.tuples(finite, finite, tolerances), min_size=1, max_size=30), schemes)
def test_vectorised_rate_equals_scalar_status(rows, scheme):
    actual, target, tol = (list(x) for x in zip(*rows, strict=True))
    rated = rate(actual, target, "Smaller is better", tol, scheme=scheme)["status"].tolist()
    expected = [xlperf.status(a, t, "Smaller is better", tl, scheme=scheme)
                for a, t, tl in rows]
    assert rated == expected


def test_rate_handles_many_rows_with_mixed_schemes():
    n = 200_000
    rng = np.random.default_rng(1)
    frame = rate(rng.normal(50, 10, n), rng.normal(50, 10, n),
                 np.where(rng.random(n) < 0.5, "High", "Low"), 2.0, "absolute",
                 np.where(rng.random(n) < 0.5, "rag", "four-band"))
    assert len(frame) == n
    assert set(frame["status"].unique()) <= set(
        BUILTIN_SCHEMES["rag"].labels + BUILTIN_SCHEMES["four-band"].labels)


def test_a_tolerance_or_threshold_that_is_not_a_number_is_an_error():
    with pytest.raises(InputError) as caught:
        xlperf.status(5, 4, "High", "lots")
    assert "tolerance 'lots' is not a number" in str(caught.value)
    with pytest.raises(InputError) as caught:
        xlperf.direction(5, 4, "High", "big")
    assert "'big'" in str(caught.value)
    assert xlperf.status(5, 4, "High", "n/a") == "Green"  # no-data words mean no tolerance


# ------------------------------------------------------------------ the one-measure path
_CELLS = st.one_of(st.none(), st.floats(min_value=-1e6, max_value=1e6), st.just(float("nan")),
                   st.integers(-1000, 1000),
                   st.sampled_from(["TBC", "-", "68.04%", "n/a", "", " 12 ", "£1,200", "abc"]))


@settings(deadline=None)  # each example builds a one-row frame for the vectorised side
@given(actual=_CELLS, target=_CELLS,
       polarity=st.sampled_from(["Bigger is better", "Smaller is better", "High", "Low",
                                 "Data only"]),
       tolerance=st.one_of(st.floats(0, 50), st.integers(0, 20), st.none(),
                           st.sampled_from(["2", "n/a", "", "5%"])),
       tolerance_type=st.sampled_from(["absolute", "relative", "%", None, ""]),
       scheme=st.sampled_from(list(BUILTIN_SCHEMES) + ["Four band", None]))
def test_one_measure_path_agrees_with_the_vectorised_rule(actual, target, polarity, tolerance,
                                                          tolerance_type, scheme):
    from xlperf.core.status import rate_one

    try:
        expected = str(rate(actual, target, polarity, tolerance, tolerance_type,
                            scheme if scheme is not None else "rag")["status"].iloc[0])
    except InputError as error:
        with pytest.raises(type(error)):
            rate_one(actual, target, polarity, tolerance, tolerance_type, scheme)
        return
    assert rate_one(actual, target, polarity, tolerance, tolerance_type, scheme).label == expected
    assert xlperf.status(actual, target, polarity, tolerance, tolerance_type,
                         scheme if scheme is not None else "rag") == expected


@settings(deadline=None)  # each example builds a one-row frame for the vectorised side
@given(actual=_CELLS, target=_CELLS,
       polarity=st.sampled_from(["Bigger is better", "Smaller is better", "Data only"]),
       tolerance=st.one_of(st.floats(0, 50), st.integers(0, 20), st.none(),
                           st.sampled_from(["2", "n/a", "0"])),
       tolerance_type=st.sampled_from(["absolute", "relative", None]),
       scheme=st.sampled_from(list(BUILTIN_SCHEMES)))
def test_one_measure_explanation_is_the_vectorised_sentence(actual, target, polarity,
                                                            tolerance, tolerance_type, scheme):
    # `xlperf status` and xlperf.explain say it in plain Python; score() for a column.
    from xlperf.core.status import explain_one, rated_one

    rated = rate(actual, target, polarity, tolerance, tolerance_type, scheme)
    expected = explain_rated(rated).iloc[0]
    one = rated_one(actual, target, polarity, tolerance, tolerance_type, scheme)
    assert explain_one(one) == expected
    assert one.look.symbol == rated["symbol"].iloc[0]
    assert one.look.colour == rated["colour"].iloc[0]
    np.testing.assert_equal(one.gap, rated["gap"].iloc[0])


_CUSTOM = Scheme("custom", (Band("Top", "T", "#00703C", 2.5, False, 0),
                            Band("Fine", "F", "#1D70B8", 0.0, True, 0),
                            Band("Near", "N", "#A35200", -0.5, False, 1),
                            Band("Far", "X", "#D4351C", float("-inf"), True, 2)))


@given(st.lists(st.tuples(st.one_of(finite, st.just(0.0), st.just(-2.0)),
                          st.one_of(tolerances, st.just(0.0), st.just(4.0))),
                min_size=1, max_size=40),
       st.sampled_from([*BUILTIN_SCHEMES.values(), _CUSTOM]))
def test_a_scheme_puts_one_gap_where_it_puts_a_column_of_them(rows, scheme):
    # One decision: Scheme.classify for Python floats (one measure) and for arrays (columns).
    gaps, tols = (np.array(x, dtype=float) for x in zip(*rows, strict=True))
    column = scheme.classify(gaps, tols).tolist()
    assert [scheme.classify(float(g), float(t)) for g, t in rows] == column


def test_one_measure_path_refuses_what_the_rule_refuses():
    from xlperf.core.status import rate_one

    with pytest.raises(PolarityError):
        rate_one(1, 2, "sideways")
    with pytest.raises(InputError, match="negative"):
        rate_one(1, 2, "High", -1)
    with pytest.raises(InputError, match="not a number"):
        rate_one(1, 2, "High", "lots")
    with pytest.raises(SchemeError):
        rate_one(1, 2, "High", 1, "absolute", "horoscope")
    assert rate_one(78.0, 78.2, "High", 0.2).label == "Amber"   # float noise rounded away
