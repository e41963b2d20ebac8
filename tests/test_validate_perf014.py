"""PERF-014 on process limits (issue 23, docs/spc.md): a value outside its measure's process
limits from its accepted history fires; inside does not; a cumulative measure is judged on its
increments (limits and the 50 % fallback alike); a short history falls back to 50 %. Returns
are the demo's templates filled in and read back; the history is given as ``previous``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from _workbook_helpers import filled_on_target
from openpyxl import load_workbook

from xlperf.read.master import read_master
from xlperf.validate.returns import validate_return

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "workbooks" / "demo"
SAFEGUARDING = DEMO / "templates" / "Safeguarding - Q2 2013-14.xlsx"
EDUCATION = DEMO / "templates" / "Education and Skills - Q2 2013-14.xlsx"
# MDC's worked example (docs/spc.md): mean 23.2, limits 8.76 to 37.64.
MDC = [20, 24, 20, 26, 22, 16, 18, 16, 31, 28, 34, 26, 30, 19, 18]


def _quarters(n: int) -> list[str]:
    """The ``n`` quarters before Q2 2013/14, oldest first."""
    out = [f"Q{q} {y}/{str(y + 1)[2:]}" for y in range(2005, 2014) for q in range(1, 5)]
    return out[:out.index("Q2 2013/14")][-n:]


@pytest.fixture(scope="module")
def master():
    return read_master(DEMO / "master.xlsx")


def _return(template: Path, out: Path, row: int, value: float) -> Path:
    """A clean return (every actual on target, commentary on all) but ``value`` at ``row``."""
    wb = load_workbook(filled_on_target(template, out))
    wb["Return"].cell(row, 8).value = value
    wb.save(out)
    return out


def _perf014(path: Path, master, previous: pd.DataFrame) -> list[tuple[str | None, str]]:
    report = validate_return(path, master, previous=previous)
    return [(f.cell, f.message) for f in report.findings if f.rule == "PERF-014"]


def _history(code: str, values: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"Code": code, "Period": _quarters(len(values)), "Actual": values})


def test_above_the_upper_process_limit_fires_with_the_limits(master, tmp_path):
    found = _perf014(_return(SAFEGUARDING, tmp_path / "r.xlsx", 16, 38), master,
                     _history("CYP 2.1.4", MDC))
    assert found == [("H16", "Q2 2013/14 value 38 for CYP 2.1.4 in H16 is above the upper "
                      "process limit 37.6 worked out from its 15 accepted values (mean 23.2): "
                      "check it, or explain it in your commentary.")]


def test_below_the_lower_limit_fires_and_inside_does_not(master, tmp_path):
    low = _perf014(_return(SAFEGUARDING, tmp_path / "low.xlsx", 16, 8), master,
                   _history("CYP 2.1.4", MDC))
    assert [m for _c, m in low] == [
        "Q2 2013/14 value 8 for CYP 2.1.4 in H16 is below the lower process limit 8.8 worked "
        "out from its 15 accepted values (mean 23.2): check it, or explain it in your "
        "commentary."]
    # 18 -> 30 is a change of +12, more than half of 18 (the old rule's query), but 30 is
    # within 8.76 to 37.64: the process does that.
    assert _perf014(_return(SAFEGUARDING, tmp_path / "in.xlsx", 16, 30), master,
                    _history("CYP 2.1.4", MDC)) == []
    # On the limit is not beyond it.
    assert _perf014(_return(SAFEGUARDING, tmp_path / "edge.xlsx", 16, 37.64), master,
                    _history("CYP 2.1.4", MDC)) == []


def _year_to_date(increments: list[float]) -> list[float]:
    """Running totals within each financial year of quarterly increments (the quarters up to
    Q1 2013/14)."""
    out, total = [], 0.0
    for quarter, step in zip(_quarters(len(increments)), increments, strict=True):
        total = step if quarter.startswith("Q1") else total + step
        out.append(total)
    return out


def test_a_cumulative_measure_doubling_q1_to_q2_is_not_queried(master, tmp_path):
    # Increments of about 150 each quarter from Q1 2009/10 (17 quarters, so 17 increments:
    # the first is a Q1), running totals near 600 by each Q4.
    increments = [150, 160, 140, 150, 155, 145, 150, 160, 140, 150, 150, 155, 145, 150, 150,
                  150, 150]
    history = _history("DofE 01", _year_to_date(increments))
    assert history["Actual"].iloc[-1] == 150  # Q1 2013/14
    # Q2 2013/14's 300 doubles Q1 (a change of +150, 100 % of the last value): its increment
    # is 150, the process' usual.
    assert _perf014(_return(EDUCATION, tmp_path / "ok.xlsx", 20, 300), master, history) == []
    # An increment of 250 is above the increments' upper limit: mean 2550 / 17 = 150, the 16
    # moving ranges add to 120, mean 7.5, so 150 + 2.66 x 7.5 = 169.95 (whole increments: said
    # to one place, 170.0).
    found = _perf014(_return(EDUCATION, tmp_path / "big.xlsx", 20, 400), master, history)
    assert found == [("H20", "Q2 2013/14 value 400 for DofE 01 in H20 has a period increment "
                      "of 250 (on the period before), which is above the upper process limit "
                      "170.0 worked out from its 17 accepted increments (mean 150.0): check it, "
                      "or explain it in your commentary.")]


def test_a_short_history_falls_back_to_half_the_last_increment(master, tmp_path):
    history = pd.DataFrame({"Code": ["DofE 01"], "Period": ["Q1 2013/14"], "Actual": [150]})
    # 150 -> 300: increment 150 against 150, no change; the running total doubled.
    assert _perf014(_return(EDUCATION, tmp_path / "ok.xlsx", 20, 300), master, history) == []
    found = _perf014(_return(EDUCATION, tmp_path / "big.xlsx", 20, 400), master, history)
    assert found == [("H20", "Q2 2013/14 value 400 for DofE 01 in H20 has a period increment "
                      "of 250 (on the period before), which is a change of +100 from the last "
                      "accepted increment 150 (Q1 2013/14), more than the 75 expected (half "
                      "the last; 1 accepted increments are too few for process limits, which "
                      "need 15): check it, or explain it in your commentary.")]


def test_a_short_plain_history_keeps_the_fifty_percent_rule(master, tmp_path):
    history = _history("CYP 2.1.4", MDC[-14:])  # 14 accepted values: one too few
    found = _perf014(_return(SAFEGUARDING, tmp_path / "r.xlsx", 16, 30), master, history)
    assert found == [("H16", "Q2 2013/14 value 30 for CYP 2.1.4 in H16 is a change of +12 from "
                      "the last accepted value 18 (Q1 2013/14), more than the 9 expected (half "
                      "the last; 14 accepted values are too few for process limits, which need "
                      "15): check it, or explain it in your commentary.")]


@pytest.fixture(scope="module")
def demo_findings(tmp_path_factory):
    """The demo council's returns validated against its seeded ledger (as ``xlperf demo``)."""
    import shutil

    from xlperf.cli.workbooks import seed_demo_history
    from xlperf.council import Council

    folder = tmp_path_factory.mktemp("demo")
    shutil.copytree(DEMO, folder / "demo")
    seed_demo_history(folder / "demo" / "master.xlsx", "Q2 2013/14")
    return [f for r in Council(folder / "demo" / "master.xlsx").validate() for f in r]


def test_the_demo_keeps_only_its_short_history_queries(demo_findings):
    # Before issue 23: 11 PERF-014 queries, six of them cumulative measures rising Q1 -> Q2
    # as they do (DofE 01, EH 02, APP 02, ADOPT 02, FIN 01, GOV 02) and three monthly values
    # within their limits (CYP 2.1.6 Jul-13 and Sep-13, CYP 2.3.3 Jul-13).
    big = [f for f in demo_findings if f.rule == "PERF-014"]
    assert sorted((Path(f.file).stem, f.cell) for f in big) == [
        ("Safeguarding - Q2 2013-14", "H26"), ("Workforce - Q2 2013-14", "H24")]
    # Both quarterly, 13 accepted quarters: the 50 % fallback, which the message says.
    assert all("13 accepted values are too few for process limits, which need 15" in f.message
               for f in big)


def test_the_masters_rebase_and_ghost_reach_the_history_limits() -> None:
    """PERF-014 charts the accepted history with the master's Process changes, as the refresh
    does: a ghosted point is left out of the limits and a rebase starts them again (at the
    first point at or after its period)."""
    import pandas as pd

    from xlperf.core.spc import against_history
    from xlperf.validate.perf_history import _change_table, _frequencies, _with_changes

    months = pd.period_range("2011-04", periods=40, freq="M")
    texts = [p.strftime("%b-%y") for p in months]
    values = [10.0 + (i % 3) for i in range(20)] + [30.0 + (i % 3) for i in range(20)]
    values[30] = 90.0  # a one-off: ghosted below
    past = pd.DataFrame({"code": "GOV 03", "period": texts, "value": values,
                         "start": [float(p.start_time.date().toordinal()) for p in months]})
    past["frequency"] = _frequencies(past["period"].to_numpy(dtype=object), parse=True)
    changes = pd.DataFrame({"code": ["GOV 03", "GOV 03"], "period": [texts[20], texts[30]],
                            "action": ["rebase", "ghost"],
                            "reason": ["New procedure", "System outage"]})
    marked = _with_changes(past, _change_table(changes))
    assert marked["rebase"].tolist().count("New procedure") == 1
    assert marked.loc[20, "rebase"] == "New procedure"
    assert marked.loc[30, "ghost"] == "System outage" and marked["ghost"].notna().sum() == 1

    new = pd.DataFrame({"code": ["GOV 03"], "period": ["Aug-14"], "value": [31.0]})
    columns = ["code", "period", "value"]
    measures = pd.DataFrame({"code": ["GOV 03"], "polarity": ["Data only"]})
    plain = against_history(past[columns], new, measures).iloc[0]
    changed = against_history(marked[[*columns, "ghost", "rebase"]], new, measures).iloc[0]
    # Without the changes the old process and the one-off widen the limits; with them the
    # limits are the new segment's 19 accepted points (mean 31), and 31 is inside them.
    assert plain["upper"] - plain["lower"] > 3 * (changed["upper"] - changed["lower"])
    assert changed["mean"] == pytest.approx(sum(v for i, v in enumerate(values)
                                                if i >= 20 and i != 30) / 19)
    assert changed["outside"] == 0


def test_a_rebase_at_the_value_being_validated_starts_a_new_process() -> None:
    """A measure rebased after all its accepted history, at (or before) the value being
    validated, has no history of the new process to judge that value by: none is used. A
    rebase inside the history is left to the chart's segments."""
    import datetime as dt

    import pandas as pd

    from xlperf.validate.perf_history import (
        _before_a_new_process,
        _change_table,
        _frequencies,
    )

    def start(text: str) -> float:
        return float(dt.datetime.strptime(text, "%b-%y").date().toordinal())

    texts = ["Jan-14", "Feb-14", "Mar-14"]
    past = pd.DataFrame({"code": ["A"] * 3 + ["B"] * 3, "period": texts * 2,
                         "value": [1.0] * 6, "start": [start(t) for t in texts] * 2})
    past["frequency"] = _frequencies(past["period"].to_numpy(dtype=object), parse=True)
    first = pd.DataFrame({"first": [start("Apr-14")] * 2}, index=pd.Index(["A", "B"]))
    changes = pd.DataFrame({"code": ["A", "B"], "period": ["Apr-14", "Feb-14"],
                            "action": ["rebase", "rebase"], "reason": ["New", "Earlier"]})
    kept = _before_a_new_process(past, _change_table(changes), first)
    assert set(kept["code"]) == {"B"} and len(kept) == 3
    later = changes.assign(period=["May-14", "Feb-14"])  # after the value: not yet in force
    assert len(_before_a_new_process(past, _change_table(later), first)) == 6
