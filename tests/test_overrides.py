"""A director's judgement of an objective kept beside the computed one (core/overrides.py)."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from xlperf.core.overrides import beside_computed, judgements_for, parse_judgement
from xlperf.core.rollup import JUDGEMENTS, rollup
from xlperf.core.score import score
from xlperf.errors import InputError

OBJECTIVES = ["Safer", "Greener", "Healthier", "Richer"]
WORDS = st.sampled_from(["", *JUDGEMENTS])


@given(st.lists(st.sampled_from(JUDGEMENTS), min_size=4, max_size=4),
       st.lists(WORDS, min_size=4, max_size=4))
def test_the_computed_judgement_stays_and_only_a_differing_override_is_flagged(
        computed: list[str], director: list[str]) -> None:
    rolled = pd.DataFrame({"objective": OBJECTIVES, "judgement": computed})
    table = pd.DataFrame({"Objective": OBJECTIVES, "Period": "Q2 2013/14",
                          "Judgement": [w.upper() for w in director],
                          "Commentary": "why", "Director": "J Smith"})
    found, problems = judgements_for(table, "Q2 2013/14", OBJECTIVES)
    assert problems == []
    got = beside_computed(rolled, found)
    assert got["judgement"].tolist() == computed
    assert got["director_judgement"].tolist() == director
    assert got["overridden"].tolist() == [d != "" and d != c
                                          for c, d in zip(computed, director, strict=True)]


def test_other_periods_are_ignored_and_bad_rows_are_problems() -> None:
    table = pd.DataFrame({
        "objective": ["Safer", "Greener", "Nowhere", "Richer", "Safer"],
        "PERIOD": ["Q1 2013/14", "Q2 2013/14", "Q2 2013/14", "Q2 2013/14", "not a period"],
        "Judgement": ["Off Track", "Amber", "At Risk", "at  risk", "On Track"],
        "Commentary": ["old", "bad word", "unknown", "staff", "x"],
        "Director": ["A", "B", "C", "D", "E"]})
    found, problems = judgements_for(table, "Q2 2013/14", OBJECTIVES)
    assert found.to_dict("records") == [{"objective": "Richer", "director_judgement": "At Risk",
                                         "director_commentary": "staff", "director": "D"}]
    assert [p for p, _m in problems] == [1, 2, 4]
    assert "'Amber' is not one of On Track, At Risk, Off Track" in problems[0][1]
    assert "'Nowhere' is not an objective" in problems[1][1]


def test_an_override_on_a_scored_roll_up() -> None:
    measures = pd.DataFrame({"Code": ["A1", "A2"], "Objective": ["Safer", "Greener"],
                             "Polarity": ["Bigger is better"] * 2,
                             "Frequency": ["Quarterly"] * 2, "Annual target": [10, 10]})
    values = pd.DataFrame({"Code": ["A1", "A2"], "Period": ["Q2 2013/14"] * 2,
                           "Actual": [12, 2]})
    rolled = rollup(score(values, measures, "Q2 2013/14"))
    table = pd.DataFrame({"Objective": ["safer"], "Period": ["Q2 2013/14"],
                          "Judgement": ["At Risk"], "Commentary": ["Vacancies"],
                          "Director": ["J Smith"]})
    got = beside_computed(rolled, judgements_for(table, "Q2 2013/14", rolled["objective"])[0])
    safer = got.set_index("objective").loc["Safer"]
    assert safer["judgement"] == "On Track" and safer["director_judgement"] == "At Risk"
    assert bool(safer["overridden"]) and safer["director"] == "J Smith"
    assert not got.set_index("objective").loc["Greener", "overridden"]


def test_parse_judgement_rejects_other_words() -> None:
    with pytest.raises(InputError, match="'Green'"):
        parse_judgement("Green")
    assert parse_judgement(None) == ""


def test_the_objectives_sheet_shows_the_directors_judgement_beside_the_computed_one(
        tmp_path) -> None:
    """Written through the refresh's sheet writer into a workbook, read back: the computed
    judgement stays, the director's judgement, commentary and name are beside it, and the flag
    (symbol and word) is on the objective whose override differs."""
    from _workbook_helpers import ooxml_problems
    from openpyxl import Workbook, load_workbook

    from xlperf.core.overrides import OVERRIDE_FLAG
    from xlperf.write._outputs_sheets import objectives_sheet
    from xlperf.write.lossless import write_sheets

    measures = pd.DataFrame({"Code": ["A1", "A2"], "Priority": ["P1", "P1"],
                             "Objective": ["Safer", "Greener"],
                             "Polarity": ["Bigger is better"] * 2,
                             "Frequency": ["Quarterly"] * 2, "Annual target": [10, 10]})
    values = pd.DataFrame({"Code": ["A1", "A2"], "Period": ["Q2 2013/14"] * 2,
                           "Actual": [12, 12]})
    scored = score(values, measures, "Q2 2013/14")
    table = pd.DataFrame({"Objective": ["Safer", "Greener"], "Period": ["Q2 2013/14"] * 2,
                          "Judgement": ["At Risk", "On Track"],
                          "Commentary": ["Vacancies in the team", "As computed"],
                          "Director": ["J Smith", "K Jones"]})
    found, _ = judgements_for(table, "Q2 2013/14", ["Safer", "Greener"])
    content = objectives_sheet(scored, judgements=found)
    path = tmp_path / "objectives.xlsx"
    Workbook().save(path)
    write_sheets(path, {"Objectives": content})
    assert not ooxml_problems(path)
    grid = [list(r) for r in load_workbook(path)["Objectives"].iter_rows(values_only=True)]
    header = next(i for i, r in enumerate(grid) if r and r[0] == "Priority")
    names = grid[header]
    rows = {r[1]: dict(zip(names, r, strict=False)) for r in grid[header + 1:] if r[1]}
    assert rows["Safer"]["Judgement"] == "On Track"
    assert rows["Safer"]["Director's judgement"] == "At Risk"
    assert rows["Safer"]["Director's commentary"] == "Vacancies in the team"
    assert rows["Safer"]["Override"] == OVERRIDE_FLAG
    assert rows["Greener"]["Director's judgement"] == "On Track"
    assert rows["Greener"]["Override"] is None
    assert "Director's judgement" not in objectives_sheet(scored).rows[header]


ROW = st.tuples(st.sampled_from(["Safer", "safer ", "Nowhere", "", None]),
                st.sampled_from(["Q2 2013/14", "Q1 2013/14", "Sep-13", "soon", None]),
                st.sampled_from(["", "At Risk", "off track", "Amber", None]),
                st.sampled_from(["", "why"]), st.sampled_from(["", "J Smith"]))


@given(st.lists(ROW, max_size=12))
def test_every_row_is_used_once_skipped_or_has_one_problem(rows: list[tuple]) -> None:
    """check_judgements' laws: a row is used, skipped (blank, or nothing but its objective and
    period) or has exactly one problem; the used rows are one per objective and period, the
    first of them; a problem's first row is a used row before it."""
    from xlperf.core.overrides import check_judgements
    from xlperf.core.periods import parse_period

    table = pd.DataFrame(rows, columns=["Objective", "Period", "Judgement", "Commentary",
                                        "Director"])
    used, problems = check_judgements(table, OBJECTIVES)
    positions = [p.position for p in problems]
    assert len(positions) == len(set(positions))
    assert {p.kind for p in problems} <= {"objective", "period", "judgement", "twice"}
    keys = [(o, (parse_period(p).start, parse_period(p).end))
            for o, p in zip(used["objective"], used["period"], strict=True)]
    assert len(keys) == len(set(keys)) and set(used["objective"]) <= set(OBJECTIVES)
    assert set(used["director_judgement"]) <= {"", *JUDGEMENTS}
    said = sum(1 for r in rows if any((v or "").strip() for v in r))
    assert len(used) + len(problems) <= said
    for problem in problems:
        if problem.kind == "twice":
            assert problem.first is not None and problem.first < problem.position
            assert problem.first not in positions
