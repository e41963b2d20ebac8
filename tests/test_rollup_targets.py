"""Roll-up judgements, target profiles, polarity words and schemes as data."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import xlperf
from xlperf.core.polarity import Polarity, parse_polarities, parse_polarity
from xlperf.core.rollup import AT_RISK, OFF_TRACK, ON_TRACK, RollupRule, rollup
from xlperf.core.schemes import (
    BUILTIN_SCHEMES,
    Band,
    Scheme,
    get_scheme,
    schemes_from_frame,
    schemes_to_frame,
)
from xlperf.core.targets import profile_targets
from xlperf.errors import InputError, PolarityError, SchemeError

# Seed 000, Doncaster Q1 2013/14: the traffic lights of each objective and its printed summary.
DONCASTER_OBJECTIVES = [
    ("P2 - Obj 1", ["Unknown", "Green", "Red", "Green", "Red", "Amber"], "At Risk"),
    ("P2 - Obj 2", ["Green", "Red", "Red"], "At Risk"),
    ("P2 - Obj 3", ["Unknown"], "On Track"),
    ("P2 - Obj 4", ["Green", "Unknown", "Green", "Unknown"], "On Track"),
    ("P2 - Obj 5", ["Green", "Green", "Green", "Amber"], "On track"),
]


@pytest.mark.parametrize(("objective", "statuses", "printed"), DONCASTER_OBJECTIVES)
def test_doncaster_objective_summaries(objective, statuses, printed):
    assert xlperf.objective_status(statuses).casefold() == printed.casefold()


def test_rule_is_configurable():
    strict = RollupRule(off_track_share=0.5, at_risk_share=0.25, unrated="Not rated")
    assert xlperf.objective_status(["Green", "Red", "Red"], strict) == OFF_TRACK
    assert xlperf.objective_status(["Green", "Green", "Green", "Amber"], strict) == AT_RISK
    assert xlperf.objective_status(["Data only"], strict) == "Not rated"


def test_rollup_counts_by_objective():
    scored = pd.DataFrame({
        "objective": ["A", "A", "A", "B", "B"],
        "status": ["Green", "Red", "Data only", "Green", "Amber"],
        "severity": [0, 2, 0, 0, 1],
        "rated": [True, True, False, True, True],
    })
    result = rollup(scored, "objective").set_index("objective")
    assert result.loc["A", "measures"] == 3 and result.loc["A", "rated"] == 2
    assert result.loc["A", "Red"] == 1 and result.loc["A", "Data only"] == 1
    assert result.loc["A", "judgement"] == AT_RISK
    assert result.loc["B", "Amber"] == 1 and result.loc["B", "Red"] == 0
    assert result.loc["B", "judgement"] == AT_RISK  # 1 of 2 within tolerance below target


@given(st.lists(st.sampled_from(["Green", "Amber", "Red", "No data"]), max_size=20))
def test_adding_a_red_never_improves_the_judgement(statuses):
    order = {ON_TRACK: 0, AT_RISK: 1, OFF_TRACK: 2}
    before = order[xlperf.objective_status(statuses)]
    after = order[xlperf.objective_status([*statuses, "Red"])]
    assert after >= before or not any(s != "No data" for s in statuses) and after >= 1


def test_duke_of_edinburgh_cumulative_profile():
    assert profile_targets(730, 4) == [182, 365, 547, 730]


def test_adoptions_profile_given_by_rounding_up():
    assert profile_targets(10, 4, rounding="up") == [3, 5, 8, 10]


def test_profile_weights_and_errors():
    assert profile_targets(100, 4, weights=[1, 1, 1, 1], rounding="none") == [25, 50, 75, 100]
    assert profile_targets(120, 12)[:3] == [10, 20, 30]
    with pytest.raises(InputError):
        profile_targets(100, 4, weights=[1, 2])
    with pytest.raises(InputError):
        profile_targets(100, 0)


@given(st.integers(0, 10**6), st.sampled_from([1, 4, 12]))
def test_cumulative_profile_laws(annual, periods):
    profile = profile_targets(annual, periods)
    assert profile[-1] == annual
    assert all(a <= b for a, b in zip(profile, profile[1:], strict=False))


@pytest.mark.parametrize(
    ("word", "expected"),
    [("Bigger is better", Polarity.HIGHER), ("Higher is better", Polarity.HIGHER),
     ("High", Polarity.HIGHER), ("aim to maximise", Polarity.HIGHER),
     ("Aim to Maximize", Polarity.HIGHER), (" smaller  is better ", Polarity.LOWER),
     ("Lower is better", Polarity.LOWER), ("LOW", Polarity.LOWER),
     ("Aim to minimise", Polarity.LOWER), ("Data only", Polarity.DATA_ONLY),
     ("Data Only", Polarity.DATA_ONLY)],
)
def test_polarity_words(word, expected):
    assert parse_polarity(word) is expected


@pytest.mark.parametrize("word", ["sideways", "", None, "Up and down", 1])
def test_unknown_polarity_is_an_error_naming_the_value(word):
    with pytest.raises(PolarityError) as caught:
        parse_polarity(word)
    assert (repr(word) if word not in ("", None) else "blank") in str(caught.value)


def test_parse_polarities_keeps_index():
    parsed = parse_polarities(pd.Series(["High", "Low"], index=[5, 9]))
    assert parsed.index.tolist() == [5, 9] and parsed[9] is Polarity.LOWER


def test_schemes_round_trip_through_a_sheet_frame():
    frame = schemes_to_frame()
    assert schemes_from_frame(frame) == BUILTIN_SCHEMES


def test_a_council_defines_its_own_scheme():
    frame = pd.DataFrame({
        "Scheme": ["five"] * 5,
        "Status": ["Blue", "Green", "Amber", "Red", "Black"],
        "Symbol": ["◆", "✔", "!", "✖", "■"],
        "Colour": ["#1D70B8", "#00703C", "#A35200", "#D4351C", "#0B0C0C"],
        "From (x tolerance)": [2, 0, -1, -3, None],
        "Includes edge": ["No", "Yes", "Yes", "Yes", "Yes"],
        "Severity": [0, 0, 1, 2, 2],
    })
    schemes = schemes_from_frame(frame)
    rated = xlperf.rate([15, 10, 9, 5, 1], 10, "High", 2, scheme="five", schemes=schemes)
    assert rated["status"].tolist() == ["Blue", "Green", "Amber", "Red", "Black"]
    assert get_scheme("FIVE", schemes).name == "five"


def test_inconsistent_schemes_are_refused():
    with pytest.raises(SchemeError):
        Scheme("bad", (Band("A", "a", "#000000", 0, True, 0),))  # no catch-all band
    with pytest.raises(SchemeError):
        Scheme("bad", (Band("A", "a", "#000000", -1, True, 0),
                       Band("B", "b", "#000000", 0, True, 1),
                       Band("C", "c", "#000000", float("-inf"), True, 2)))
    with pytest.raises(SchemeError):
        Scheme("bad", (Band("Green", "a", "#000000", 0, True, 0),
                       Band("green", "b", "#000000", float("-inf"), True, 2)))


@pytest.mark.parametrize(("edge", "severity", "words"), [
    (0, 1e12, "severity 1000000000000.0 must be 0"),  # found by fuzzing: an int8 overflow
    (0, 2.5, "severity 2.5 must be 0"),
    (0, -1, "severity -1 must be 0"),
    (0, "high", "edge and severity must be numbers"),
    ("NaN", 0, "the edge 'NaN' is not a number of tolerances"),
    ("inf", 0, "the edge 'inf' is not a number of tolerances"),
])
def test_a_scheme_row_with_an_unusable_edge_or_severity_is_refused(edge, severity, words):
    frame = schemes_to_frame()
    first = frame.index[frame["Scheme"] == "rag"][0]
    frame["Severity"] = frame["Severity"].astype(object)
    frame["From (x tolerance)"] = frame["From (x tolerance)"].astype(object)
    frame.loc[first, ["From (x tolerance)", "Severity"]] = [edge, severity]
    with pytest.raises(SchemeError, match="scheme 'rag', status 'Green'") as caught:
        schemes_from_frame(frame)
    assert words in str(caught.value)


def test_scheme_colours_are_hex_colours_or_the_scheme_is_refused():
    """Found by fuzzing the master: a colour typed as 'Sep-13' reached the Scorecard's fill
    and crashed the refresh."""
    from xlperf.write.outputs import status_style

    frame = schemes_to_frame()
    frame["Colour"] = frame["Colour"].astype(object)
    rag = frame.index[frame["Scheme"] == "rag"]
    frame.loc[rag, "Colour"] = ["00703c", "#a52", None]
    schemes = schemes_from_frame(frame)
    assert [b.colour for b in schemes["rag"].bands] == ["#00703C", "#AA5522", ""]
    frame.loc[rag[2], "Colour"] = "Sep-13"
    with pytest.raises(SchemeError, match="status 'Red': colour 'Sep-13' is not a colour"):
        schemes_from_frame(frame)
    assert status_style("Sep-13").fill is None  # the writer never trusts a colour either


def test_a_master_whose_scheme_severity_is_huge_is_a_finding_not_a_crash(tmp_path):
    from _workbook_helpers import demo_workbooks
    from openpyxl import load_workbook
    from typer.testing import CliRunner

    from xlperf.cli import app
    from xlperf.read import read_master

    runner = CliRunner()
    path = demo_workbooks(tmp_path).master  # the demo council, as init --demo writes it
    wb = load_workbook(path)
    ws = wb["Schemes"]
    column = next(c for c in range(1, ws.max_column + 1) if ws.cell(1, c).value == "Severity")
    ws.cell(2, column).value = 1e12
    wb.save(path)
    findings = [(f.rule, f.sheet) for f in read_master(path).report]
    assert ("REG-030", "Schemes") in findings
    result = runner.invoke(app, ["refresh", str(path), "--backups", "0"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == 3, result.output
    # the default scheme is the refused one: the refresh stops and says where to look
    assert "The Schemes sheet has a problem in A2" in result.output


def test_symbols_are_never_colour_only():
    assert xlperf.symbol("Red") == "✖"
    assert xlperf.symbol("Below tolerance") == "▲"
    assert xlperf.symbol("No data") == "?"
    assert xlperf.symbol("nonsense") is None
