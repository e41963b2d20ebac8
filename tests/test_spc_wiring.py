"""Statistical process control wired in (issue 23): the Settings sheet's SPC rows, each
period's variation and assurance frozen in the ledger, the Scorecard's columns, the export and
the committee report's XmR chart, all through the user's path (a master built, refreshed and
read back)."""

from __future__ import annotations

from pathlib import Path

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
