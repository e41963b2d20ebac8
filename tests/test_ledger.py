"""The ledger: real SQLite files in tmp_path, restatements, frozen statuses, history, export,
and a refresh killed mid-transaction."""

from __future__ import annotations

import doctest
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from functools import partial

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import xlperf
import xlperf.ledger
import xlperf.ledger._recording
import xlperf.ledger._rows
from xlperf.core.periods import parse_period
from xlperf.core.score import score
from xlperf.errors import BusyError, InputError, WorkbookError, XlperfError
from xlperf.ledger import Ledger, export, ledger_path, write_export
from xlperf.read.returns import percent_rows


def values(*rows, file="return.xlsx", sha="a" * 64, sheet="Return"):
    """Submissions as a return reader would hand them over: (code, period, actual[, cell,
    commentary])."""
    frame = pd.DataFrame({
        "Code": [r[0] for r in rows], "Period": [r[1] for r in rows],
        "Actual": pd.Series([r[2] for r in rows], dtype=object),
        "Commentary": [r[4] if len(r) > 4 else None for r in rows],
        "Source file": file, "Source SHA-256": sha, "Sheet": sheet,
        "Cell": [r[3] if len(r) > 3 else f"D{i + 5}" for i, r in enumerate(rows)],
    })
    return frame


@pytest.fixture
def ledger(tmp_path):
    with Ledger(tmp_path / "master.ledger.sqlite") as opened:
        yield opened


# -- the file -------------------------------------------------------------------------------

def test_a_new_ledger_is_wal_with_foreign_keys_and_a_schema_version(tmp_path):
    from xlperf.ledger import _schema

    path = tmp_path / "l.sqlite"
    Ledger(path).close()
    with Ledger(path) as ledger:  # opening again migrates nothing twice
        con = ledger._con
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert con.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert con.execute("SELECT version FROM schema_version").fetchall() == [
            (v,) for v, _script in _schema.MIGRATIONS]
        assert ledger.integrity() == "ok"
        assert ledger.counts() == {"values": 0, "statuses": 0, "refreshes": 0,
                                   "refresh_files": 0}


def test_a_version_1_ledger_gains_the_money_table_and_keeps_its_values(tmp_path):
    """A ledger written before the money table (schema 1) is brought up to date on opening."""
    import sqlite3

    from xlperf.ledger import _schema

    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as con:
        con.executescript(_schema._V1)
        con.execute("INSERT INTO schema_version VALUES (1, '2013-10-01T09:00:00+00:00')")
        con.execute('INSERT INTO "values" (code, period_key, period, value, recorded_at) '
                    "VALUES ('NI_062', '2013/14-Q2', 'Q2 2013/14', 9.4, '2013-10-01')")
    con.close()
    with Ledger(path) as ledger:
        assert ledger._con.execute("SELECT version FROM schema_version").fetchall() == [
            (v,) for v, _script in _schema.MIGRATIONS]
        assert ledger.current_values()["Actual"].tolist() == [9.4]
        assert ledger.current_money("Q2 2013/14").empty
        ledger.record_money(pd.DataFrame({"kind": ["capital"], "line": ["Family hubs"],
                                          "estimate": [800.0], "actual": [310.0]}),
                            "Q2 2013/14")
        ledger.record_money(pd.DataFrame({"kind": ["capital"], "line": ["Family hubs"],
                                          "actual": [350.0], "cell": ["D15"]}), "Q2 2013/14")
        money = ledger.current_money("Q2 2013/14")
        assert len(money) == 1 and money.iloc[0]["actual"] == 350.0  # the latest wins
        assert pd.isna(money.iloc[0]["estimate"]) and money.iloc[0]["cell"] == "D15"
        assert ledger.current_money("Q3 2013/14").empty


def test_a_file_that_is_not_a_ledger_is_refused_with_a_message(tmp_path):
    bogus = tmp_path / "master.ledger.sqlite"
    bogus.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(XlperfError) as caught:
        Ledger(bogus)
    assert "master.ledger.sqlite" in str(caught.value)


def test_a_second_writer_is_told_the_ledger_is_busy(tmp_path):
    path = tmp_path / "l.sqlite"
    with Ledger(path) as first, Ledger(path, timeout=0.1) as second:
        with first.transaction():
            with pytest.raises(BusyError) as caught:
                with second.transaction():
                    pass
    assert "in use" in str(caught.value)


def test_ledger_path_beside_the_master_or_from_the_setting(tmp_path):
    master = tmp_path / "Scorecard 2013-14.xlsm"
    assert ledger_path(master) == tmp_path / "Scorecard 2013-14.ledger.sqlite"
    assert ledger_path(master, " history/l.db ") == tmp_path / "history" / "l.db"


# -- values ---------------------------------------------------------------------------------

def test_record_then_read_back(ledger):
    result = ledger.record_values(values(
        ("NI060", "Q1 2013/14", 68.04, "D5", "<p>On track</p>"),
        ("CS143", "Jun-13", "12.9%", "D6"),
        ("KIGS CH01", "Q1 2013-14", "TBC", "D7")))
    assert (result.inserted, result.unchanged, len(result.restatements)) == (3, 0, 0)
    current = ledger.current_values()
    assert current["Code"].tolist() == ["CS143", "KIGS CH01", "NI060"]
    row = current.set_index("Code").loc["KIGS CH01"]
    assert np.isnan(row["Actual"]) and row["No data reason"] == "to be confirmed"
    assert row["Period"] == "Q1 2013/14" and row["Period key"] == "2013/14-Q1"
    assert (row["Source file"], row["Sheet"], row["Cell"]) == ("return.xlsx", "Return", "D7")
    assert current.set_index("Code").loc["CS143", "Actual"] == 12.9
    assert current.set_index("Code").loc["NI060", "Commentary"] == "<p>On track</p>"
    assert ledger.current_values(codes="NI060", periods=["Q1 2013/14"])["Actual"].tolist() \
        == [68.04]
    assert ledger.current_values(periods="Jun-13")["Code"].tolist() == ["CS143"]


def test_the_same_file_twice_changes_nothing(ledger):
    submission = values(("NI060", "Q1 2013/14", 68.04), ("NI060", "Q2 2013/14", "-"))
    ledger.record_values(submission)
    before = ledger.counts()
    again = ledger.record_values(submission)
    assert (again.inserted, again.unchanged, len(again.restatements)) == (0, 2, 0)
    assert ledger.counts() == before


def test_a_different_figure_is_a_restatement_both_kept_latest_used(ledger):
    ledger.record_values(values(("NI060", "Q1 2013/14", 68.04, "D5")))
    result = ledger.record_values(values(("NI060", "Q1 2013/14", 70.1, "D5"),
                                         file="return v2.xlsx", sha="b" * 64))
    assert result.inserted == 1
    restated = result.restatements.iloc[0]
    assert (restated["code"], restated["period"], restated["previous"], restated["value"]) == (
        "NI060", "Q1 2013/14", 68.04, 70.1)
    assert (restated["previous_source"], restated["source_file"]) == ("return.xlsx",
                                                                      "return v2.xlsx")
    assert ledger.current_values()["Actual"].tolist() == [70.1]
    history = ledger.history("NI060")
    assert history["Actual"].tolist() == [68.04, 70.1]
    assert history["Version"].tolist() == [1, 2]
    assert history["In use"].tolist() == [False, True]


def test_re_recording_an_old_file_after_a_restatement_keeps_the_restatement(ledger):
    old = values(("NI060", "Q1 2013/14", 68.04))
    ledger.record_values(old)
    ledger.record_values(values(("NI060", "Q1 2013/14", 70.1), sha="b" * 64))
    result = ledger.record_values(old)
    assert (result.inserted, result.unchanged) == (0, 1)
    assert ledger.current_values()["Actual"].tolist() == [70.1]


def test_the_same_figure_from_a_new_file_is_a_version_but_not_a_restatement(ledger):
    ledger.record_values(values(("NI060", "Q1 2013/14", 68.04, "D5", "note")))
    same = ledger.record_values(values(("NI060", "Q1 2013/14", 68.04, "D9", "better note"),
                                       sha="c" * 64))
    assert (same.inserted, same.unchanged, len(same.restatements)) == (1, 0, 0)
    assert ledger.current_values()["Commentary"].tolist() == ["better note"]
    assert ledger.current_values()["Cell"].tolist() == ["D9"]


def test_two_versions_of_a_return_recorded_again_change_nothing(ledger):
    first = values(("NI060", "Q1 2013/14", 5, "D5"))
    confirm = values(("NI060", "Q1 2013/14", 5, "D5"), sha="b" * 64)
    restate = values(("NI060", "Q1 2013/14", 7, "D5"), sha="c" * 64)
    for frame in (first, confirm, restate):
        ledger.record_values(frame)
    before = ledger.counts()
    for frame in (first, confirm, restate, confirm, first):
        assert ledger.record_values(frame).inserted == 0
    assert ledger.counts() == before
    assert ledger.current_values()["Actual"].tolist() == [7]


def test_a_later_row_in_one_batch_wins_and_is_a_restatement(ledger):
    result = ledger.record_values(values(("NI060", "Q1 2013/14", 1, "D5"),
                                         ("NI060", "Q1 2013/14", 2, "D6")))
    assert result.inserted == 2 and result.restatements["value"].tolist() == [2.0]
    assert ledger.current_values()["Actual"].tolist() == [2.0]


def test_blank_cells_are_not_submissions(ledger):
    ledger.record_values(values(("NI060", "Q1 2013/14", 68.04)))
    result = ledger.record_values(values(("NI060", "Q1 2013/14", None),
                                         ("NI060", "Q2 2013/14", "  "), sha="d" * 64))
    assert (result.inserted, result.skipped) == (0, 2)
    assert ledger.current_values()["Actual"].tolist() == [68.04]


def test_a_value_that_is_not_a_number_is_refused_and_nothing_is_recorded(ledger):
    with pytest.raises(InputError) as caught:
        ledger.record_values(values(("NI060", "Q1 2013/14", 1), ("CS143", "Q1 2013/14", "abc")))
    assert "'abc'" in str(caught.value) and "CS143" in str(caught.value)
    assert ledger.counts()["values"] == 0


def test_current_values_feed_score(ledger):
    ledger.record_values(values(("KIGS CH01", "Q4 2012/13", 80.1),
                                ("KIGS CH01", "Q1 2013/14", 91.54)))
    measures = pd.DataFrame({"Code": ["KIGS CH01"], "Polarity": ["Smaller is better"],
                             "Frequency": ["Quarterly"], "Annual target": [45.3],
                             "Tolerance": [2]})
    row = score(ledger.current_values(), measures, "Q1 2013/14").iloc[0]
    assert (row["status"], row["variance"], row["direction"]) == ("Red", 46.24, "Worsening ↓")


def test_100000_values_record_in_one_call(tmp_path):
    # Speed is a benchmark's job (docs/ledger.md); here a big batch must land whole, and twice
    # must change nothing.
    n = 100_000
    codes = np.array([f"PI{i:04d}" for i in range(1000)], dtype=object)
    months = np.array([f"{m}-{y}" for y in range(10, 19) for m in
                       ("Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
                        "Jan", "Feb", "Mar")], dtype=object)[:100]
    frame = pd.DataFrame({"Code": np.repeat(codes, 100), "Period": np.tile(months, 1000),
                          "Actual": np.random.default_rng(1).random(n) * 100,
                          "Source file": "big.xlsx", "Source SHA-256": "e" * 64,
                          "Sheet": "Return", "Cell": [f"D{i}" for i in range(n)]})
    with Ledger(tmp_path / "big.sqlite") as ledger:
        assert ledger.record_values(frame).inserted == n
    with Ledger(tmp_path / "big.sqlite") as ledger:
        assert ledger.record_values(frame).unchanged == n
        assert len(ledger.current_values()) == n


submission = st.tuples(st.sampled_from(["NI060", "CS143", "2042SC"]),
                       st.sampled_from(["Q1 2013/14", "Q2 2013/14", "Jun-13"]),
                       st.one_of(st.floats(-1e6, 1e6, allow_nan=False),
                                 st.sampled_from([0.0, 1.0, "TBC", "-", "n/a"])),
                       st.sampled_from(["a", "b", "c"]),  # file
                       st.sampled_from(["D5", "D6"]))  # cell
REASONS = {"TBC": "to be confirmed", "-": "dash", "n/a": "not applicable"}


def _record_batches(path, batches, fresh_files):
    """Record the batches; return the ledger's current values and what the plain sequential
    definition says: a submission already in the ledger (same content from the same file and
    cell) changes nothing, any other one becomes the value in use."""
    seen, expected = set(), {}
    with Ledger(path) as ledger:
        for b, batch in enumerate(batches):
            files = [f"{b}.{i}" if fresh_files else s[3] for i, s in enumerate(batch)]
            frame = pd.DataFrame({
                "Code": [s[0] for s in batch], "Period": [s[1] for s in batch],
                "Actual": pd.Series([s[2] for s in batch], dtype=object),
                "Source SHA-256": files, "Cell": [s[4] for s in batch]})
            ledger.record_values(frame)
            for (code, period, actual, _f, cell), file in zip(batch, files, strict=True):
                key = (code, xlperf.ledger.period_key(period))
                content = REASONS.get(actual, actual) if isinstance(actual, str) else actual
                if (key, content, file, cell) not in seen:
                    seen.add((key, content, file, cell))
                    expected[key] = content
        return ledger.current_values().set_index(["Code", "Period key"]), expected


def _assert_current(current, expected):
    assert set(current.index) == set(expected)
    for key, content in expected.items():
        got = current.loc[key]
        if isinstance(content, str):
            assert np.isnan(got["Actual"]) and got["No data reason"] == content
        else:
            assert got["Actual"] == content and got["No data reason"] is None


batches_of_submissions = st.lists(st.lists(submission, min_size=1, max_size=6), min_size=1,
                                  max_size=4)


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=batches_of_submissions)
def test_current_values_are_the_last_submission_per_measure_and_period(tmp_path_factory,
                                                                       batches):
    """Every submission from a new file: the last one per measure and period is in use."""
    path = tmp_path_factory.mktemp("prop") / "l.sqlite"
    current, expected = _record_batches(path, batches, fresh_files=True)
    last = {}
    for batch in batches:
        for code, period, actual, *_ in batch:
            last[(code, xlperf.ledger.period_key(period))] = REASONS.get(actual, actual) \
                if isinstance(actual, str) else actual
    assert expected == last
    _assert_current(current, last)


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=batches_of_submissions)
def test_files_sent_again_in_any_order_follow_the_sequential_definition(tmp_path_factory,
                                                                        batches):
    path = tmp_path_factory.mktemp("prop") / "l.sqlite"
    current, expected = _record_batches(path, batches, fresh_files=False)
    _assert_current(current, expected)
    # ...and recording everything once more changes nothing.
    again, _ = _record_batches(path, batches, fresh_files=False)
    pd.testing.assert_frame_equal(again, current)


# -- refreshes and atomicity ------------------------------------------------------------------

def test_a_refresh_is_logged_with_its_files_and_tags_what_it_recorded(ledger):
    with ledger.refresh(master="master.xlsm", period="Q1 2013/14") as run:
        run.record_values(values(("NI060", "Q1 2013/14", 68.04)))
        run.add_file("return.xlsx", "a" * 64, accepted=True, findings=1)
        run.add_file("bad.xlsx", "f" * 64, accepted=False, findings=3, note="not a workbook")
        run.counts["restatements"] = 0
    logged = ledger.refreshes().iloc[0]
    assert (logged["id"], logged["kind"], logged["period"], logged["period_key"]) == (
        run.id, "refresh", "Q1 2013/14", "2013/14-Q1")
    assert logged["finished_at"] >= logged["started_at"]
    assert [f["accepted"] for f in logged["files"]] == [True, False]
    assert logged["counts"] == {"restatements": 0} and "ledger_total" in logged["timings"]
    assert ledger.current_values()["Refresh id"].tolist() == [run.id]


def test_a_refresh_that_raises_leaves_the_ledger_as_it_was(ledger):
    ledger.record_values(values(("NI060", "Q1 2013/14", 68.04)))
    before = ledger.counts()
    with pytest.raises(RuntimeError):
        with ledger.refresh(period="Q2 2013/14") as run:
            run.record_values(values(("NI060", "Q2 2013/14", 70.0), sha="b" * 64))
            run.freeze_statuses(pd.DataFrame({"code": ["NI060"], "period": ["Q2 2013/14"],
                                              "status": ["Green"]}))
            raise RuntimeError("the writer failed")
    assert ledger.counts() == before


_KILLED = textwrap.dedent("""
    import sys
    import numpy as np, pandas as pd
    from xlperf.ledger import Ledger
    n = int(sys.argv[2])
    frame = pd.DataFrame({"Code": [f"PI{i % 500}" for i in range(n)],
                          "Period": [f"Q{i // 500 % 4 + 1} {2000 + i // 2000}/"
                                     f"{(2001 + i // 2000) % 100:02d}" for i in range(n)],
                          "Actual": np.arange(n, dtype=float) + float(sys.argv[3]),
                          "Source SHA-256": sys.argv[3], "Cell": "D5"})
    with Ledger(sys.argv[1]) as ledger, ledger.refresh(period="Q1 2013/14") as run:
        print("started", flush=True)
        for chunk in range(0, n, 20_000):
            run.record_values(frame.iloc[chunk:chunk + 20_000])
    print("done", flush=True)
""")


def test_a_refresh_killed_mid_transaction_leaves_the_ledger_before_or_after(tmp_path):
    path = tmp_path / "l.sqlite"
    n = 40_000
    with Ledger(path) as ledger:
        ledger.record_values(values(("NI060", "Q1 2013/14", 1)))
        committed = ledger.counts()
    outcomes = []
    for attempt, delay in enumerate((0.0, 0.3)):
        child = subprocess.Popen(
            [sys.executable, "-c", _KILLED, str(path), str(n), str(attempt + 1)],
            stdout=subprocess.PIPE, text=True)
        assert child.stdout is not None and child.stdout.readline().strip() == "started"
        time.sleep(delay)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
        child.stdout.close()
        with Ledger(path) as ledger:
            assert ledger.integrity() == "ok"
            now = ledger.counts()
            assert ledger.current_values(codes="NI060")["Actual"].tolist() == [1]
        assert now["values"] in (committed["values"], committed["values"] + n), now
        assert now["refreshes"] - committed["refreshes"] in (0, 1)
        assert (now["values"] > committed["values"]) == (now["refreshes"] >
                                                          committed["refreshes"])
        outcomes.append(now["values"] > committed["values"])
        committed = now
    assert outcomes[0] is False  # killed at once: nothing of it is in the ledger


# -- frozen statuses --------------------------------------------------------------------------

MEASURES = pd.DataFrame({"Code": ["NI060", "CS143"],
                         "Polarity": ["Bigger is better", "Smaller is better"],
                         "Frequency": ["Quarterly", "Quarterly"], "Annual target": [70, 10],
                         "Tolerance": [2, 1]})


def _scored(ledger, measures, *periods):
    current = ledger.current_values()
    return pd.concat([score(current, measures, p) for p in periods], ignore_index=True)


def test_statuses_are_frozen_and_a_tolerance_change_re_rates_only_the_current_period(ledger):
    ledger.record_values(values(("NI060", "Q4 2012/13", 68.5), ("NI060", "Q1 2013/14", 67.5),
                                ("CS143", "Q4 2012/13", 10.5), ("CS143", "Q1 2013/14", 9)))
    assert ledger.freeze_statuses(_scored(ledger, MEASURES, "Q4 2012/13"), "Q4 2012/13",
                                  measures=MEASURES) == []
    ledger.freeze_statuses(_scored(ledger, MEASURES, "Q1 2013/14"), "Q1 2013/14",
                           measures=MEASURES)
    frozen = ledger.frozen_statuses().set_index(["code", "period"])
    assert frozen.loc[("NI060", "Q4 2012/13"), "status"] == "Amber"
    assert frozen.loc[("NI060", "Q1 2013/14"), "status"] == "Red"
    assert frozen.loc[("NI060", "Q1 2013/14"), "tolerance"] == 2
    assert frozen.loc[("NI060", "Q1 2013/14"), "scheme"] == "rag"
    assert frozen.loc[("CS143", "Q4 2012/13"), "status"] == "Amber"

    looser = MEASURES.assign(Tolerance=[5, 1])
    both = _scored(ledger, looser, "Q4 2012/13", "Q1 2013/14")
    changes = ledger.freeze_statuses(both, "Q1 2013/14", measures=looser)
    assert [(c.code, c.period, c.old, c.new, c.applied) for c in changes] == [
        ("NI060", "Q1 2013/14", "Red", "Amber", True)]
    assert changes[0].reason == "tolerance 2 -> 5"
    assert "Red -> Amber" in str(changes[0])
    frozen = ledger.frozen_statuses().set_index(["code", "period"])
    assert frozen.loc[("NI060", "Q4 2012/13"), "status"] == "Amber"
    assert frozen.loc[("NI060", "Q1 2013/14"), "status"] == "Amber"
    assert frozen.loc[("NI060", "Q1 2013/14"), "tolerance"] == 5
    assert frozen.loc[("NI060", "Q4 2012/13"), "tolerance"] == 2  # scored with the old one

    stricter = MEASURES.assign(Tolerance=[0, 0])
    both = _scored(ledger, stricter, "Q4 2012/13", "Q1 2013/14")
    held = ledger.freeze_statuses(both, "Q1 2013/14", measures=stricter)
    assert {(c.code, c.period, c.old, c.new, c.applied) for c in held} == {
        ("NI060", "Q1 2013/14", "Amber", "Red", True),
        ("NI060", "Q4 2012/13", "Amber", "Red", False),
        ("CS143", "Q4 2012/13", "Amber", "Red", False)}
    assert ledger.frozen_statuses("Q4 2012/13")["status"].tolist() == ["Amber", "Amber"]
    rescored = ledger.freeze_statuses(both, "Q1 2013/14", measures=stricter,
                                      rescore_history=True)
    assert all(c.applied for c in rescored) and len(rescored) == 2
    assert ledger.frozen_statuses("Q4 2012/13")["status"].tolist() == ["Red", "Red"]


def test_a_restated_actual_is_the_reason_given_for_a_changed_status(ledger):
    ledger.record_values(values(("NI060", "Q1 2013/14", 71)))
    ledger.freeze_statuses(_scored(ledger, MEASURES, "Q1 2013/14"), measures=MEASURES)
    ledger.record_values(values(("NI060", "Q1 2013/14", 60), sha="b" * 64))
    changes = ledger.freeze_statuses(_scored(ledger, MEASURES, "Q1 2013/14"),
                                     measures=MEASURES)
    assert [(c.old, c.new, c.reason) for c in changes if c.code == "NI060"] == [
        ("Green", "Red", "actual 71 -> 60")]


# -- history from before xlperf -------------------------------------------------------------

LONG_CSV = """Code,Period,Value,Commentary
NI060,Q1 2012/13,68.04,first
NI060,Q2 2012/13,12.9%,
NI060,Q3 2012/13,TBC,awaiting data
CS143,Q1 2012/13,-,
CS143,Q2 2012/13,n/a,
CS143,Q3 2012/13,abc,
CS143,Q5 2012/13,3,
2042SC,Jun-12,#DIV/0!,
2042SC,Jul-12,,
"""


def test_history_long_csv_with_messy_cells(tmp_path, ledger):
    path = tmp_path / "old system export.csv"
    path.write_text(LONG_CSV, encoding="utf-8")
    report = ledger.import_history(path)
    assert report.meta["layout"] == "long"
    assert {(f.rule, f.cell, f.value) for f in report.findings} == {
        ("PERF-006", "C7", "abc"), ("HIST-001", "B8", "Q5 2012/13"),
        ("PERF-007", "C9", "#DIV/0!")}
    assert not report.valid and report.meta["inserted"] == 5
    assert report.meta["blank"] == 1 and report.meta["not_imported"] == 3
    current = ledger.current_values().set_index(["Code", "Period"])
    assert current.loc[("NI060", "Q2 2012/13"), "Actual"] == 12.9
    assert current.loc[("NI060", "Q3 2012/13"), "No data reason"] == "to be confirmed"
    assert current.loc[("NI060", "Q3 2012/13"), "Commentary"] == "awaiting data"
    assert current.loc[("CS143", "Q1 2012/13"), "No data reason"] == "dash"
    assert current.loc[("CS143", "Q2 2012/13"), "No data reason"] == "not applicable"
    assert current.loc[("NI060", "Q1 2012/13"), "Cell"] == "C2"
    assert ledger.refreshes().iloc[0]["kind"] == "import-history"
    again = ledger.import_history(path)
    assert (again.meta["inserted"], again.meta["unchanged"]) == (0, 5)
    assert ledger.counts()["values"] == 5


def test_history_wide_sheet_with_messy_cells(tmp_path, ledger):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Historic PIs"
    sheet.append(["Performance history 2013"])
    sheet.append([])
    sheet.append(["Code", "Measure", "Q1 2013/14", "Q2 2013/14", "Jun-13", "Remarks?"])
    sheet.append(["NI060", "Assessments", 68.04, "12.9%", None, "x"])
    sheet.append(["CS143", "Re-referrals", "TBC", "-", 4, None])
    sheet.append(["KIGS CH01", "Rate", "n/a", "abc", "17*", None])
    sheet.append([None, None, 5, None, None, None])
    sheet.append(["PAF C23 (BV163)", "Adoptions", 0.6804, None, None, None])
    sheet["C8"].number_format = "0.00%"
    path = tmp_path / "history.xlsx"
    book.save(path)

    report = ledger.import_history(path, sheet="historic pis",
                                   percent_rows=partial(percent_rows, path))
    assert report.meta["layout"] == "wide"
    found = {(f.rule, f.severity, f.cell, f.value) for f in report.findings}
    assert found == {("HIST-003", "query", "F3", "Remarks?"),
                     ("PERF-006", "error", "D6", "abc"),
                     ("HIST-002", "error", "C7", 5)}
    assert all(f.sheet == "Historic PIs" and f.file == "history.xlsx" for f in report)
    current = ledger.current_values().set_index(["Code", "Period"])
    assert len(current) == 8
    assert current.loc[("PAF C23 (BV163)", "Q1 2013/14"), "Actual"] == 68.04
    assert current.loc[("NI060", "Q2 2013/14"), "Actual"] == 12.9
    assert current.loc[("KIGS CH01", "Jun-13"), "Actual"] == 17
    assert current.loc[("CS143", "Q1 2013/14"), "No data reason"] == "to be confirmed"
    assert current.loc[("CS143", "Q2 2013/14"), "Cell"] == "D5"
    again = ledger.import_history(path, sheet="Historic PIs",
                                  percent_rows=partial(percent_rows, path))
    assert (again.meta["inserted"], again.meta["unchanged"]) == (0, 8)


def test_unsafe_history_files_are_refused_before_they_are_parsed(tmp_path, ledger):
    """History comes from other people's spreadsheets: a zip bomb, or a file past the size
    limit, is refused with a sentence and nothing is recorded; macros are no reason to refuse
    (only values are read)."""
    import zipfile

    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.append(["Code", "Period", "Value"])
    book.active.append(["NI060", "Q1 2013/14", 12.5])
    plain = tmp_path / "history.xlsx"
    book.save(plain)
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(bomb, "w",
                                                            zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            out.writestr(item, source.read(item.filename))
        out.writestr("xl/media/image1.bin", bytes(64 * 1024 * 1024))  # packs to about 60 KB
    with pytest.raises(WorkbookError, match="times its packed size|safe limit"):
        ledger.import_history(bomb)
    big = tmp_path / "big.csv"
    big.write_bytes(b"Code,Period,Value\n" + b"x" * (26 * 1024 * 1024))
    with pytest.raises(WorkbookError, match="larger than the 25 MiB xlperf reads"):
        ledger.import_history(big)
    assert ledger.counts()["values"] == 0
    macros = tmp_path / "history.xlsm"
    macros.write_bytes(plain.read_bytes())
    assert ledger.import_history(macros).meta["inserted"] == 1


def test_history_from_a_frame_and_forced_layouts(ledger):
    wide = pd.DataFrame({"Code": ["NI060"], "Q1 2013/14": [1.5], "2013/14": [2.5]})
    report = ledger.import_history(wide, name="typed in")
    assert report.valid and report.meta["inserted"] == 2
    long = ledger.import_history(pd.DataFrame({"Code": ["NI060"], "Q1": [1]}), layout="long")
    assert [f.rule for f in long.findings] == ["FILE-015", "FILE-015"]
    with pytest.raises(InputError):
        ledger.import_history(wide, layout="diagonal")


# -- export ---------------------------------------------------------------------------------

def test_export_csv_round_trip(tmp_path, ledger):
    ledger.record_values(values(("NI060", "Q4 2012/13", 68.5), ("NI060", "Q1 2013/14", 67.5),
                                ("CS143", "Q1 2013/14", "TBC")))
    ledger.record_values(values(("NI060", "Q1 2013/14", 72), sha="b" * 64))
    ledger.freeze_statuses(_scored(ledger, MEASURES, "Q1 2013/14"), measures=MEASURES)
    table = export(ledger, MEASURES.assign(Measure=["Assessments", "Re-referrals"]))
    assert list(table.columns) == list(xlperf.ledger.EXPORT_COLUMNS)
    assert len(table) == 3
    row = table.set_index(["code", "period"]).loc[("NI060", "Q1 2013/14")]
    assert (row["value"], row["status"], row["versions"]) == (72, "Green", 2)
    assert row["symbol"] == xlperf.symbol("Green")
    assert row["title"] == "Assessments" and row["direction"] == "Improving ↑"
    assert row["period_start"] == pd.Timestamp("2013-04-01")
    past = table.set_index(["code", "period"]).loc[("NI060", "Q4 2012/13")]
    assert pd.isna(past["status"]) and past["value"] == 68.5

    out = write_export(table, tmp_path / "scorecard.csv")
    back = pd.read_csv(out, encoding="utf-8-sig", parse_dates=["period_start", "period_end"])
    assert list(back.columns) == list(table.columns)
    pd.testing.assert_frame_equal(
        back[["code", "period", "value", "target", "status", "symbol", "period_start"]],
        table[["code", "period", "value", "target", "status", "symbol", "period_start"]],
        check_dtype=False)
    assert not list(tmp_path.glob("*.tmp"))


def test_parquet_without_pyarrow_says_what_to_install(tmp_path, ledger, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow -> ImportError
    with pytest.raises(XlperfError) as caught:
        write_export(export(ledger), tmp_path / "x.parquet", format="parquet")
    assert "pip install xlperf[parquet]" in str(caught.value)
    assert not list(tmp_path.glob("x.*"))
    with pytest.raises(InputError):
        write_export(export(ledger), tmp_path / "x.json", format="json")


def test_the_ledger_is_plain_sqlite_an_analyst_can_query(tmp_path):
    path = tmp_path / "l.sqlite"
    with Ledger(path) as ledger:
        ledger.record_values(values(("NI060", "Q1 2013/14", 1)))
        ledger.record_values(values(("NI060", "Q1 2013/14", 2), sha="b" * 64))
    con = sqlite3.connect(path)
    assert con.execute("SELECT code, value FROM current_values").fetchall() == [("NI060", 2.0)]
    assert con.execute('SELECT count(*) FROM "values"').fetchone() == (2,)
    con.close()


@pytest.mark.parametrize("module", [xlperf.ledger, xlperf.ledger._rows,
                                    xlperf.ledger._recording])
def test_docstring_examples(module):
    assert doctest.testmod(module, optionflags=doctest.ELLIPSIS).failed == 0


# -- the commands ---------------------------------------------------------------------------

def test_import_history_and_export_commands(tmp_path):
    from typer.testing import CliRunner

    from xlperf.cli import app

    runner = CliRunner()
    master = tmp_path / "master.xlsx"  # no master yet: the ledger goes beside where it will be
    history = tmp_path / "history.csv"
    history.write_text(LONG_CSV, encoding="utf-8")
    result = runner.invoke(app, ["import-history", str(master), str(history)])
    assert result.exit_code == 1, result.output  # some cells were left out
    assert "PERF-006" in result.output and "5 values recorded" in result.output
    assert (tmp_path / "master.ledger.sqlite").exists()
    again = runner.invoke(app, ["import-history", str(master), str(history), "--json"])
    assert '"valid": false' in again.output

    result = runner.invoke(app, ["export", str(master)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / "master.export.csv", encoding="utf-8-sig")
    assert len(table) == 5 and set(table["code"]) == {"NI060", "CS143"}

    failed = runner.invoke(app, ["export", str(master), "--format", "feather"])
    assert failed.exit_code == 2 and "Traceback" not in failed.output  # a usage error
    assert "not one of csv, parquet" in failed.output


def test_export_error_shows_the_install_hint_as_written(tmp_path, monkeypatch):
    # Square brackets in a message are text, not rich markup, and are escaped exactly once.
    from typer.testing import CliRunner

    from xlperf.cli import app

    runner = CliRunner()
    master = tmp_path / "master.xlsx"
    history = tmp_path / "history.csv"
    history.write_text(LONG_CSV, encoding="utf-8")
    runner.invoke(app, ["import-history", str(master), str(history)])
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow -> ImportError
    failed = runner.invoke(app, ["export", str(master), "--format", "parquet"])
    assert failed.exit_code == 3, failed.output
    assert "pip install xlperf[parquet] (or export as csv)" in failed.output


def test_the_ledger_imports_only_the_core():
    code = ("import sys, json, xlperf.ledger; print(json.dumps(sorted(m for m in sys.modules "
            "if m.split('.')[0] in {'openpyxl', 'python_calamine', 'xlwings', 'pandera'} "
            "or m.startswith(('xlperf.read', 'xlperf.validate', 'xlperf.write')))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60)
    # The rule catalogue, the file checks and the rule registry are the shared base (HIST rules
    # are registered there: docs/architecture.md); no reader, validator, writer or library.
    base = {"xlperf.validate", "xlperf.validate.catalogue", "xlperf.validate.files",
            "xlperf.validate.registry"}
    assert set(json.loads(out.stdout)) <= base


def test_a_month_key_is_not_read_as_a_financial_year(tmp_path):
    # Dec-11's key is "2011-12", which as a period would be the financial year 2011/12.
    with Ledger(tmp_path / "l.sqlite") as ledger:
        ledger.record_values(pd.DataFrame({"Code": ["A", "A"], "Period": ["Dec-11", "2011/12"],
                                           "Actual": [1.0, 2.0]}))
        month = ledger.current_values(keys=[parse_period("Dec-11").format("iso")])
    assert month["Period"].tolist() == ["Dec-11"] and month["Actual"].tolist() == [1.0]
