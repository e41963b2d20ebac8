"""Statistical process control wired in (issue 23): the Settings sheet's SPC rows, each
period's variation and assurance frozen in the ledger, the Scorecard's columns, the export and
the committee report's XmR chart, all through the user's path (a master built, refreshed and
read back)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from xlperf.core.spc import SpcSettings
from xlperf.read import read_master
from xlperf.write.master import build_master


def test_spc_settings_are_read_from_the_settings_sheet(tmp_path: Path) -> None:
    path = tmp_path / "master.xlsx"
    build_master(path, settings={"SPC minimum points": 20, "SPC run length": "6",
                                 "SPC screen moving ranges": "Yes",
                                 "SPC conflict rule": "Concern"})
    master = read_master(path)
    assert master.spc_settings == SpcSettings(minimum_points=20, run_length=6,
                                              screen_moving_ranges=True, conflict="concern")
    assert not [f for f in master.report if f.sheet == "Settings"]


def test_a_new_master_lists_the_spc_settings_with_their_defaults(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "master.xlsx"
    build_master(path)
    sheet = load_workbook(path, read_only=True)["Settings"]
    rows = {r[0]: r[1] for r in sheet.iter_rows(values_only=True) if r[0]}
    assert rows["SPC minimum points"] == 15
    assert rows["SPC run length"] == 7 and rows["SPC trend length"] == 7
    assert rows["SPC screen moving ranges"] == "No"
    assert read_master(path).spc_settings == SpcSettings()


@pytest.mark.parametrize(("label", "value", "said"), [
    ("SPC run length", 9, "SPC run length 9 is not allowed: use 6, 7 or 8 points "
                          "(the default, 7, is used)"),
    ("SPC trend length", "lots", "SPC trend length 'lots' is not allowed"),
    ("SPC minimum points", 1, "SPC minimum points 1 is not allowed: use a whole number of at "
                              "least 2 (the default, 15, is used)"),
    ("SPC minimum points after a rebase", 2.5, "SPC minimum segment points 2.5 is not allowed"),
    ("SPC screen moving ranges", "maybe", "'maybe' is not a yes/no value"),
    ("SPC conflict rule", "blue", "SPC conflict rule 'blue' is not one of: rule order, "
                                  "improvement, concern"),
])
def test_a_bad_spc_setting_is_a_reg_finding_and_the_default_stands(
        tmp_path: Path, label: str, value: object, said: str) -> None:
    path = tmp_path / "master.xlsx"
    build_master(path, settings={label: value})
    master = read_master(path)
    found = [f for f in master.report if f.rule == "REG-040"]
    assert len(found) == 1 and found[0].sheet == "Settings", master.report
    assert said in found[0].message
    assert master.spc_settings == SpcSettings()


# -- a master with history, refreshed --------------------------------------------------------

# MDC's worked example (docs/spc.md): mean 23.20, limits 8.76 to 37.64.
MDC = [20, 24, 20, 26, 22, 16, 18, 16, 31, 28, 34, 26, 30, 19, 18]
QUARTERS = [f"Q{q} {y}/{str(y + 1)[2:]}" for y in range(2010, 2015) for q in range(1, 5)]


def _register() -> pd.DataFrame:
    def measure(code: str, title: str, polarity: str, target: object) -> dict[str, object]:
        return {"Code": code, "Measure": title, "Priority": "Priority 1", "Objective": "Obj 1",
                "Service": "Early Help", "Owner": "Sam Booth", "Polarity": polarity,
                "Unit": "number", "Frequency": "Quarterly", "Scheme": "", "Tolerance": 2,
                "Tolerance type": "absolute", "DoT basis": "Previous period",
                "Annual target": target, "Cumulative": "No", "Contract": "No"}

    return pd.DataFrame([
        measure("SPC 1", "Families helped", "Bigger is better", 40),
        measure("SPC 2", "Repeat referrals", "Smaller is better", 25),
        measure("SPC 3", "Young measure", "Bigger is better", 10),
    ])


def _history(rows: dict[str, list[float]], first: int = 0) -> pd.DataFrame:
    return pd.DataFrame([{"Code": code, "Period": QUARTERS[first + i], "Value": value}
                         for code, values in rows.items() for i, value in enumerate(values)])


def _import(master: Path, frame: pd.DataFrame, tmp_path: Path, name: str) -> None:
    from typer.testing import CliRunner

    from xlperf.cli import app

    file = tmp_path / name
    frame.to_csv(file, index=False)
    done = CliRunner().invoke(app, ["import-history", str(master), str(file)])
    assert done.exit_code == 0, done.output


def _sheet(path: Path, name: str) -> list[list[object]]:
    import python_calamine as pc

    return pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


def _scorecard(path: Path) -> dict[str, dict[str, object]]:
    grid = _sheet(path, "Scorecard")
    headers = grid[3]
    return {str(r[0]): dict(zip(headers, r, strict=False)) for r in grid[4:]
            if r[0] and r[headers.index("Status")]}


@pytest.fixture(scope="module")
def refreshed_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A master whose ledger holds 15 quarters of SPC 1 (MDC's example), SPC 2 with a run of 7
    above its mean at the end (smaller is better: concern), SPC 3 with 5 quarters only;
    refreshed for Q3 2013/14 (the 15th quarter)."""
    from xlperf.refresh import ZipWorkbook, refresh

    tmp_path = tmp_path_factory.mktemp("spc")
    master = tmp_path / "master.xlsx"
    build_master(master, register=_register(), settings={"Reporting period": "Q3 2013/14"})
    (tmp_path / "returns").mkdir()
    _import(master, _history({
        "SPC 1": MDC,
        "SPC 2": [10, 12, 9, 11, 10, 12, 9, 11, 13, 14, 13, 15, 14, 13, 16]}), tmp_path,
        "history.csv")
    frame = _history({"SPC 3": [4, 5, 6, 5, 7]}, 10)
    _import(master, frame, tmp_path, "young.csv")
    refresh(ZipWorkbook(master), period="Q3 2013/14")
    return master


@pytest.fixture
def refreshed(refreshed_once: Path, tmp_path: Path) -> Path:
    """A copy of :func:`refreshed_once`'s folder, for a test to change."""
    shutil.copytree(refreshed_once.parent, tmp_path, dirs_exist_ok=True)
    return tmp_path / refreshed_once.name


def test_the_scorecard_says_variation_and_assurance_in_words(refreshed: Path) -> None:
    rows = _scorecard(refreshed)
    assert rows["SPC 1"]["Variation"] == "● Common cause"
    assert rows["SPC 1"]["Assurance"] == "✗ Consistently failing"
    assert "7 points in a row above the mean" in str(rows["SPC 2"]["SPC explanation"])
    assert rows["SPC 2"]["Variation"] == "▲ Special cause of concern"
    assert rows["SPC 3"]["Variation"] == "… Not enough data"
    # MDC's colours, behind the words: orange for concern, grey for common cause
    from openpyxl import load_workbook

    sheet = load_workbook(refreshed)["Scorecard"]
    headers = [c.value for c in sheet[4]]
    fills = {sheet.cell(r, 1).value: sheet.cell(r, headers.index("Variation") + 1)
             .fill.fgColor.rgb for r in range(5, sheet.max_row + 1)}
    assert str(fills["SPC 2"]).endswith("E46C0A") and str(fills["SPC 1"]).endswith("A6A6A6")
    # the printed columns stay the ten of a council scorecard: these are in the outline group
    letter = sheet.cell(4, headers.index("Variation") + 1).column_letter
    assert sheet.column_dimensions[letter].outlineLevel == 1
    assert "not enough data for SPC: 5 points, at least 15 needed" in str(
        rows["SPC 3"]["SPC explanation"])


def test_the_ledger_freezes_each_periods_variation_with_its_limits(refreshed: Path) -> None:
    from xlperf.ledger import Ledger

    with Ledger(refreshed.with_name("master.ledger.sqlite")) as ledger:
        frozen = ledger.frozen_statuses(period_keys=["2013/14-Q3"]).set_index("code")
    one = frozen.loc["SPC 1"]
    assert one["variation"] == "Common cause" and one["assurance"] == "Consistently failing"
    assert (round(one["spc_mean"], 2), round(one["spc_lower"], 2),
            round(one["spc_upper"], 2)) == (23.2, 8.76, 37.64)
    assert one["spc_points"] == 15
    # whole numbers and a whole target: the limits said to one place
    assert "at or above the upper process limit 37.6," in one["assurance_explanation"]
    assert frozen.loc["SPC 2", "variation"] == "Special cause of concern"
    assert frozen.loc["SPC 2", "variation_side"] == "high"
    assert frozen.loc["SPC 3", "variation"] == "Not enough data"
    assert pd.isna(frozen.loc["SPC 3", "spc_upper"])


def test_a_restatement_keeps_the_icon_the_committee_saw_and_says_what_moved(
        refreshed: Path, tmp_path: Path) -> None:
    from xlperf.ledger import Ledger
    from xlperf.refresh import ZipWorkbook, refresh

    # Q1 2011/12 (the 5th point, 22) is restated as 34, and Q4 2013/14 arrives.
    _import(refreshed, pd.DataFrame({"Code": ["SPC 1", "SPC 1"],
                                     "Period": ["Q1 2011/12", "Q4 2013/14"],
                                     "Value": [34, 25]}), tmp_path, "restated.csv")
    refresh(ZipWorkbook(refreshed), period="Q4 2013/14")
    with Ledger(refreshed.with_name("master.ledger.sqlite")) as ledger:
        frozen = ledger.frozen_statuses(codes=["SPC 1"]).set_index("period_key")
    q3 = frozen.loc["2013/14-Q3"]
    assert round(q3["spc_mean"], 2) == 23.2  # what the committee saw, kept
    assert q3["variation"] == "Common cause"
    assert round(q3["restated_mean"], 2) == 24.0  # (348 - 22 + 34) / 15
    assert q3["restated_note"].startswith(
        "Q1 2011/12's restated figure raised the mean from 23.2 to 24 and moved the process "
        "limits from 8.76 to 37.64 to ")
    # mean mR (76 + 16) / 14: limits 24 -/+ 2.66 x 6.571
    assert q3["restated_note"].endswith("to 6.52 to 41.48")
    assert q3["restated_variation"] == "Common cause"
    assert q3["restated_assurance"] == "Hit and miss"  # target 40 is now inside the limits
    log = "\n".join(" ".join(str(c) for c in r if c) for r in _sheet(refreshed, "Log"))
    assert ("SPC kept SPC 1 Q3 2013/14: Common cause, Consistently failing kept (today Common "
            "cause, Hit and miss): Q1 2011/12's restated figure raised the mean from 23.2 to 24 "
            "and moved the process limits from 8.76 to 37.64 to 6.52 to 41.48") in log
    q4 = frozen.loc["2013/14-Q4"]  # the current period is worked out on today's figures
    assert q4["spc_points"] == 16 and pd.isna(q4["restated_note"])


def test_a_ledger_from_before_spc_keeps_its_statuses_and_gains_the_columns(
        tmp_path: Path) -> None:
    """A schema 3 ledger (statuses without SPC) opens, migrates and reads as before: its
    statuses have no variation (NULL), and a refresh can freeze one beside them."""
    import sqlite3

    from xlperf.ledger import Ledger, _schema

    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as con:
        for script in (_schema._V1, _schema._V2, _schema._V3):
            con.executescript(script)
        con.executemany("INSERT INTO schema_version VALUES (?, '2013-10-01')",
                        [(1,), (2,), (3,)])
        con.execute("INSERT INTO statuses (code, period_key, period, status, scored_at) "
                    "VALUES ('NI_062', '2013/14-Q2', 'Q2 2013/14', 'Green', '2013-10-01')")
    con.close()
    with Ledger(path) as ledger:
        frozen = ledger.frozen_statuses()
        assert frozen["status"].tolist() == ["Green"]
        assert frozen["variation"].isna().all() and frozen["spc_mean"].isna().all()
        assert ledger._con.execute("SELECT max(version) FROM schema_version").fetchone() == (
            _schema.SCHEMA_VERSION,)


def test_exceptions_list_a_special_cause_of_concern(refreshed: Path) -> None:
    grid = _sheet(refreshed, "Exceptions")
    headers = grid[3]
    listed = {r[0]: dict(zip(headers, r, strict=False)) for r in grid[4:] if r[0]}
    assert "special cause of concern" in listed["SPC 2"]["Why listed"]
    assert "special cause" not in str(listed.get("SPC 1", {}).get("Why listed", ""))
    assert "1 special cause of concern" in str(grid[2][0])


def test_the_export_carries_the_frozen_icons_and_limits(refreshed: Path) -> None:
    from typer.testing import CliRunner

    from xlperf.cli import app

    out = refreshed.with_name("export.csv")
    done = CliRunner().invoke(app, ["export", str(refreshed), "--out", str(out)])
    assert done.exit_code == 0, done.output
    table = pd.read_csv(out, encoding="utf-8-sig")
    row = table[(table["code"] == "SPC 1") & (table["period_key"] == "2013/14-Q3")].iloc[0]
    assert row["variation"] == "Common cause" and row["assurance"] == "Consistently failing"
    assert (round(row["spc_lower"], 2), round(row["spc_upper"], 2)) == (8.76, 37.64)
    assert row["spc_points"] == 15


def test_the_report_card_draws_the_xmr_chart_with_alt_text(refreshed: Path) -> None:
    import re
    from html import unescape

    from typer.testing import CliRunner

    from xlperf.cli import app

    out = refreshed.with_name("pack.html")
    done = CliRunner().invoke(app, ["report", str(refreshed), "--out", str(out),
                                    "--date", "2014-01-15"])
    assert done.exit_code == 0, done.output
    html = out.read_text(encoding="utf-8")
    cards = dict(re.findall(r'<article class="card" data-code="([^"]+)"(.*?)</article>', html,
                            flags=re.S))
    card = cards["SPC 1"]  # red against its target of 40: it has a card
    labels = [unescape(a) for a in re.findall(
        r'<svg[^>]*class="chart xmr"[^>]*aria-label="([^"]*)"', card)]
    assert len(labels) == 1
    assert labels[0].startswith("SPC 1 Families helped: XmR chart, 15 points, Q1 2010/11 to "
                                "Q3 2013/14.")
    # 23.2 -/+ (2/3) x 2.66 x 76/14
    assert "Q3 2013/14. Mean 23.2, process limits 8.8 to 37.6, 2-sigma band 13.6 to " \
        "32.8." in labels[0]
    assert "Special cause points: none." in labels[0]
    assert "Target 40 is at or above the upper process limit 37.6," in labels[0]
    assert card.count("<polygon") >= 1  # the 2-sigma band
    assert "Consistently failing" in unescape(card) and "Common cause" in unescape(card)
    # too few points: a run chart, and it says why
    young = [unescape(a) for a in re.findall(
        r'class="chart xmr"[^>]*aria-label="([^"]*)"', cards["SPC 3"])]
    assert young and young[0].startswith("SPC 3 Young measure: run chart (not enough data for "
                                         "SPC), 5 points")
    assert "Not enough data for SPC: 5 points, at least 15 needed." in young[0]
    # the trend scorecard shows the icons
    trend = html[html.index('id="trend"'):]
    row = re.search(r'<tr data-code="SPC 2">(.*?)</tr>', trend, flags=re.S).group(1)
    assert "Special cause of concern" in row and "▲" in row


def test_a_cumulative_measures_target_increment_uses_the_targets_sheet() -> None:
    """A cumulative measure is charted on its increments, its target too: the period before's
    target is the master's Targets sheet figure where it has one (a non-linear profile), the
    annual target's straight line only where it has none; a Targets row whose period cannot
    be read (the reader queried it) is left out, never a traceback."""
    import pandas as pd

    from xlperf.core.spc_scored import charts_at

    rows = pd.DataFrame({"code": ["A"], "period": ["Q2 2013/14"], "target": [50]})
    values = pd.DataFrame({"Code": "A", "Period": ["Q1 2013/14", "Q2 2013/14"],
                           "Actual": [8, 45]})
    measures = pd.DataFrame({"code": ["A"], "polarity": ["Bigger is better"],
                             "cumulative": [True], "annual_target": [100]})
    straight = charts_at(rows, values, measures)
    assert straight["target"].tolist() == [25.0, 25.0]  # 100 / 4, then 50 - 25
    sheet = pd.DataFrame({"Code": ["A", "A", "B"], "Period": ["Q1 2013/14", "Q2 2013/14",
                                                              "not a period"],
                          "Target": [10, 50, 3]})
    profiled = charts_at(rows, values, measures, targets=sheet)
    assert profiled["target"].tolist() == [10.0, 40.0]  # the sheet's Q1, then 50 - 10
    assert profiled["charted"].tolist() == [8.0, 37.0]  # the values' increments, unchanged
