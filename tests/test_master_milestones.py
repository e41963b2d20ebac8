"""The master's Milestones, Projects and Risks sheets (issue 24): written by `build_master`,
read back by `read_master`, with REG-080..083 findings for bad rows."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from _workbook_helpers import ooxml_problems
from openpyxl import load_workbook

from xlperf.demo import demo_register
from xlperf.read.master import read_master
from xlperf.write.master import build_master


def test_milestones_projects_risks_round_trip_with_findings(tmp_path):
    register = demo_register()
    objective = str(register["Objective"].iloc[0])
    milestones = pd.DataFrame({
        "Code": ["M01", "M01", "M02"],
        "Objective": [objective, objective, "Not an objective"],
        "Milestone": ["Open the new hub", "=1+1", "x" * 5000],
        "Lead officer": ["A Officer", "B Officer", "C Officer"],
        "Due date": [dt.datetime(2027, 3, 31), "soon", "32/13/2027"],
        "Service": ["Adult Social Care"] * 3,
    })
    projects = pd.DataFrame({"Code": ["P01"], "Objective": [objective],
                             "Project": ["New library"], "Lead officer": ["D Officer"],
                             "Service": ["Libraries"]})
    risks = pd.DataFrame({"Risk": ["Funding falls", "Staff leave", "Flood"],
                          "Objective": [objective, "All objectives", objective],
                          "Rating": ["high", "Severe", 3]})
    path = build_master(tmp_path / "master.xlsx", register=register, milestones=milestones,
                        projects=projects, risks=risks)
    assert not ooxml_problems(path)
    wb = load_workbook(path)
    assert wb["Milestones"]["B3"].value == objective
    master = read_master(path)
    found = {(f.rule, f.sheet, f.cell) for f in master.report.findings
             if f.rule in {"REG-080", "REG-081", "REG-082", "REG-083"}}
    assert found == {("REG-081", "Milestones", "A3"), ("REG-082", "Milestones", "B4"),
                     ("REG-080", "Milestones", "E3"), ("REG-080", "Milestones", "E4"),
                     ("REG-083", "Risks", "C3"), ("REG-083", "Risks", "C4")}
    messages = [f.message for f in master.report.findings if f.rule == "REG-080"]
    assert any("'soon'" in m and "is not a date" in m for m in messages)
    assert len(master.objective_sheets["Milestones"]) == 3
    assert len(master.objective_sheets["Projects"]) == 1


def test_master_without_the_sheets_reads_with_no_new_finding(tmp_path):
    path = build_master(tmp_path / "master.xlsx", register=demo_register())
    wb = load_workbook(path)
    for name in ("Milestones", "Projects", "Risks"):
        del wb[name]
    wb.save(path)
    master = read_master(path)
    assert not [f for f in master.report.findings
                if f.rule in {"REG-080", "REG-081", "REG-082", "REG-083"}]


def test_demo_master_has_its_milestones_projects_and_risks_without_findings(tmp_path):
    from xlperf.write.master import build_demo_master

    master = read_master(build_demo_master(tmp_path / "demo.xlsx"))
    assert not [f for f in master.report.findings if f.rule.startswith("REG-0")
                and f.sheet in {"Milestones", "Projects", "Risks"}]
    assert len(master.objective_sheets["Milestones"]) >= 5
    assert "All objectives" in set(master.objective_sheets["Risks"]["Objective"])


def test_the_councils_own_risk_scale_from_settings(tmp_path):
    register = demo_register()
    objective = str(register["Objective"].iloc[0])
    risks = pd.DataFrame({"Risk": ["Funding falls", "Staff leave"],
                          "Objective": [objective, objective], "Rating": ["Red", "High"]})
    path = build_master(tmp_path / "master.xlsx", register=register, risks=risks,
                        settings={"Risk ratings": "Red, Amber, Green"})
    found = [(f.rule, f.cell) for f in read_master(path).report.findings
             if f.rule == "REG-083"]
    assert found == [("REG-083", "C3")]
