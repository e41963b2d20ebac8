"""The rule catalogue: readable data, stable ids, messages that always render, found installed."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from xlperf.cli import app
from xlperf.errors import InputError
from xlperf.validate.catalogue import (
    APPLIES_TO,
    CATALOGUE_COLUMNS,
    FIXED_RULES,
    catalogue_text,
    load_rules,
    with_overrides,
)

ROOT = Path(__file__).resolve().parents[1]
CSV_PATH = ROOT / "validation" / "rules.csv"

# Every placeholder a message may use. A typo in rules.csv ({cel}) fails here, not in a return.
PLACEHOLDERS = {
    "file", "sheet", "cell", "value", "kind", "detail", "size", "limit", "part", "found",
    "expected", "period", "service", "column", "expected_cell", "code", "row", "expected_row",
    "suggestion", "first_cell", "owner_service", "comment_cell", "reason", "minimum", "maximum",
    "unit", "numerator", "denominator", "allowed", "actual", "target", "previous_period",
    "previous", "change", "threshold", "factor", "usual", "hint", "status", "first", "line",
    "difference", "forecast", "budget", "variance", "estimate", "formula", "later_cell",
    "other", "item", "master_sheet",
}


def test_the_csv_opens_in_excel_as_written():
    raw = CSV_PATH.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "Excel needs the UTF-8 mark to show £ correctly"
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert tuple(rows[0]) == CATALOGUE_COLUMNS
    assert all(len(row) == len(CATALOGUE_COLUMNS) for row in rows)
    assert catalogue_text() == raw.decode("utf-8-sig")


def test_ids_are_stable_and_complete():
    rules = load_rules()
    ids = list(rules)
    assert all(re.fullmatch(r"(FILE|PERF|FIN|HIST|REG|MIL)-\d{3}", i) for i in ids)
    # REG ids are numbered by the master's sheet (Measures 001-, Targets 020-, Schemes 030-...).
    for prefix in ("FILE", "PERF", "FIN", "HIST", "MIL"):
        numbers = [int(i[-3:]) for i in ids if i.startswith(prefix + "-")]
        assert numbers == list(range(1, len(numbers) + 1)), f"{prefix} ids have gaps"
    assert len([i for i in ids if i.startswith("FILE")]) == 25
    assert {r.severity for r in rules.values()} == {"error", "query"}
    assert {r.applies_to for r in rules.values()} == set(APPLIES_TO)
    assert FIXED_RULES <= set(rules)


@pytest.mark.parametrize("rule", list(load_rules().values()), ids=list(load_rules()))
def test_every_rule_renders_for_a_finance_officer(rule):
    assert rule.title and rule.message and rule.how_to_fix
    assert rule.placeholders <= PLACEHOLDERS, rule.placeholders - PLACEHOLDERS
    fields = {name: f"<{name}>" for name in rule.placeholders}
    message = rule.render(**fields)
    assert "{" not in message and "}" not in message
    assert "{" not in rule.fix(**fields)
    assert "pandera" not in message.lower() and "exception" not in message.lower()


def test_the_issue_example_renders_exactly():
    finding = load_rules()["PERF-005"].finding(
        file="returns/cs-q2.xlsx", sheet="Return", cell="C14", value="TBC", period="Q2",
        code="CS143", reason="to be confirmed", comment_cell="D14", column="actual")
    assert finding.message == ("Q2 actual for CS143 in C14 is 'TBC', which xlperf records as no "
                               "data (to be confirmed).")
    assert (finding.rule, finding.severity, finding.file, finding.sheet, finding.cell,
            finding.value) == ("PERF-005", "query", "returns/cs-q2.xlsx", "Return", "C14", "TBC")
    assert load_rules()["PERF-005"].fix(comment_cell="D14") == (
        "Enter a number, or leave it blank and explain in the commentary (D14).")


def test_missing_placeholders_fall_back_to_a_readable_message():
    rule = load_rules()["PERF-014"]
    finding = rule.finding(file="r.xlsx", sheet="Return", cell="C9", value=4120.0)
    assert finding.message == "Big change from last period (file r.xlsx, sheet Return, cell C9, " \
                              "value '4120')."
    assert rule.render() == "Big change from last period."
    assert rule.fix() == rule.how_to_fix


def test_bad_format_specs_and_odd_values_never_crash():
    rule = load_rules()["PERF-008"]
    message = rule.render(period="Q1", code="NI060", cell="C3", value=float("nan"), minimum=0,
                          maximum=100.0, unit="%")
    assert message == ("Q1 actual for NI060 in C3 is blank, outside the allowed range 0 to 100 "
                       "for a % measure.")
    assert rule.render(period=object(), code=None, cell=[1], value=b"x", minimum=1e12,
                       maximum=-0.5, unit="")


def test_numbers_are_shown_as_people_write_them():
    rule = load_rules()["FIN-002"]
    message = rule.render(column="Forecast outturn", expected=125430.0, cell="E20",
                          value=125340.0, difference=-90.0, hint=" Two digits may be swapped.")
    assert "125,430" in message and "125,340" in message and "-90" in message


def test_severity_overrides():
    rules = load_rules()
    tuned = with_overrides(rules, {"perf-016": " Error ", "FIN-004": "query"})
    assert (tuned["PERF-016"].severity, tuned["FIN-004"].severity) == ("error", "query")
    assert rules["PERF-016"].severity == "query"  # the original is untouched
    assert load_rules()["PERF-016"].severity == "query"  # and so is the cache


@pytest.mark.parametrize(("overrides", "words"), [
    ({"PERF-999": "error"}, "not in the catalogue"),
    ({"PERF-016": "warning"}, "not error or query"),
    ({"FILE-007": "query"}, "always an error"),
])
def test_bad_overrides_are_refused(overrides, words):
    with pytest.raises(InputError) as caught:
        with_overrides(load_rules(), overrides)
    assert words in str(caught.value)


def test_pyproject_lists_every_package():
    """packages.find cannot see the mapped validation/ folder, so packages are listed: a new
    subpackage missing from the list would be left out of the wheel."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    found = {".".join(p.relative_to(ROOT).parent.parts)
             for p in (ROOT / "xlperf").rglob("__init__.py")}
    missing = sorted(found - set(config["packages"]))
    assert not missing, f"add {missing} to [tool.setuptools] packages in pyproject.toml"
    # The data folders are listed as packages of files (no __init__.py), so setuptools ships them.
    data = {"xlperf.server.static", "xlperf.write.vba"}
    assert set(config["packages"]) == found | {"xlperf.catalogue"} | data
    assert all(config["package-data"][name] == ["*"] for name in data)
    assert config["package-dir"] == {"xlperf.catalogue": "validation"}
    assert "rules.csv" in config["package-data"]["xlperf.catalogue"]


def test_docs_name_every_rule():
    docs = (ROOT / "docs" / "validation.md").read_text(encoding="utf-8")
    readme = (ROOT / "validation" / "README.md").read_text(encoding="utf-8")
    for rule_id in load_rules():
        assert rule_id in docs, rule_id
    assert "rules.csv" in readme and "severity" in readme


# --- the CLI -------------------------------------------------------------------------------

runner = CliRunner()


def test_rules_command_prints_the_catalogue():
    result = runner.invoke(app, ["rules"])
    assert result.exit_code == 0, result.output
    for rule_id in load_rules():
        assert rule_id in result.output
    assert f"{len(load_rules())} rules: " in result.output


def test_rules_command_json_and_filter():
    result = runner.invoke(app, ["rules", "--json", "--applies-to", "finance"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert (document["schema_version"], document["command"]) == (1, "rules")
    rows = document["rules"]
    assert [r["id"] for r in rows] == [i for i in load_rules() if i.startswith("FIN")]
    assert set(rows[0]) == set(CATALOGUE_COLUMNS)


def test_rules_command_refuses_an_unknown_filter():
    result = runner.invoke(app, ["rules", "--applies-to", "housing"])
    assert result.exit_code == 2
    assert "must be one of" in result.output


# --- the static schemas -------------------------------------------------------------------

def test_schemas_name_their_checks_by_rule_and_keep_excel_rows():
    import pandas as pd
    import pandera.pandas as pa
    from xlperf.catalogue.schemas import failures, performance_schema

    frame = pd.DataFrame(
        {"Code": ["CS143", "NI060", "CS143", "XX1"], "Actual": [68.4, None, 120.0, 5.0],
         "Reported status": ["Green", "Pink", None, None],
         "Commentary": ["On track", "=SUM(A1)", None, " @home"], "Maximum": [100, 100, 100, None]},
        index=pd.Index([14, 15, 16, 17], name="row"))
    schema = performance_schema(codes={"CS143", "NI060"}, status_words={"Green", "Amber", "Red"})
    with pytest.raises(pa.errors.SchemaErrors) as caught:
        schema.validate(frame, lazy=True)
    found = failures(caught.value)
    assert list(found[["row", "rule", "column", "value"]].itertuples(index=False, name=None)) == [
        (14, "PERF-002", "Code", "CS143"), (15, "PERF-011", "Reported status", "Pink"),
        (15, "PERF-017", "Commentary", "=SUM(A1)"), (16, "PERF-002", "Code", "CS143"),
        (16, "PERF-008", "Actual", 120.0), (17, "PERF-001", "Code", "XX1"),
        (17, "PERF-017", "Commentary", " @home")]
    assert set(found["rule"]) <= set(load_rules())
    clean = frame.drop(index=[15, 16, 17])
    assert schema.validate(clean, lazy=True).index.tolist() == [14]


def test_validate_package_does_not_import_pandera():
    out = subprocess.run([sys.executable, "-c", "import sys, xlperf.validate, xlperf.catalogue; "
                          "print('pandera' in sys.modules)"], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def _rule_ids_in_the_code() -> set[str]:
    """Every rule id written as a string in xlperf's source (a finding can only carry one of
    these): read from the syntax tree, so comments and docstrings do not count."""
    import ast

    ids: set[str] = set()
    pattern = re.compile(r"(FILE|PERF|FIN|HIST|REG|MIL)-\d{3}")
    for path in (ROOT / "xlperf").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef,
                                           ast.AsyncFunctionDef))
                      and node.body and isinstance(node.body[0], ast.Expr)
                      and isinstance(node.body[0].value, ast.Constant)}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                    and id(node) not in docstrings and pattern.fullmatch(node.value)):
                ids.add(node.value)
    return ids


def test_every_rule_the_code_can_emit_is_in_the_catalogue():
    # Every family (FILE, PERF, FIN, HIST, REG, MIL): `xlperf rules` lists it, a council can
    # change its severity. Rule ids built from parts (FIXED_RULES' f"FILE-{n:03d}") are the
    # catalogue's by construction.
    in_code = _rule_ids_in_the_code()
    catalogue = set(load_rules())
    assert in_code - catalogue == set()
    assert {i.split("-")[0] for i in in_code} == {"FILE", "PERF", "FIN", "HIST", "REG", "MIL"}
    # And the catalogue lists no rule the code never makes (the validator makes its FILE,
    # PERF and FIN findings by looking ids up in tables, so those are named in the code too).
    assert catalogue - in_code == set()


def test_the_master_rules_come_from_the_catalogue():
    from xlperf.read import RULES

    rules = load_rules()
    assert set(RULES) == {i for i in rules if i.startswith("REG-")}
    assert all(RULES[i] == (rules[i].severity, rules[i].title) for i in RULES)


def test_the_masters_own_rules_keep_their_severity():
    # Listed (xlperf rules) but not relaxable: a register row with an error is not scored.
    with pytest.raises(InputError, match="check of the master itself"):
        with_overrides(load_rules(), {"REG-004": "query"})
    assert with_overrides(load_rules(), {"HIST-005": "query"})["HIST-005"].severity == "query"


# --- a rule is one unit: one registered check per catalogue row --------------------------

def test_the_catalogue_and_the_registered_checks_list_the_same_rules_in_every_family():
    from xlperf.validate.registry import FAMILIES, registered

    checks = registered()
    catalogue = load_rules()
    assert set(checks) == set(catalogue)
    for prefix in ("FILE", "PERF", "FIN", "REG", "HIST", "MIL"):
        assert ({i for i in checks if i.startswith(prefix + "-")}
                == {i for i in catalogue if i.startswith(prefix + "-")}), prefix
    # Every family has its checks: ID (identity) and CAP (capital) are FILE and FIN rules
    # checked in their own module; REG and HIST are made by the readers that find them.
    for family in FAMILIES:
        assert registered(family), family
        assert set(registered(family)) <= set(catalogue)
    assert {registered()[i].family for i in ("FILE-013", "FIN-005", "REG-040", "HIST-005")} \
        == {"ID", "CAP", "REG", "HIST"}
    # The readers' rules are made by the reader named; the rest are checks the engine runs.
    assert all(c.reader for c in registered("REG").values())
    assert all(not c.reader for c in registered("PERF").values())


def test_a_check_registered_twice_for_one_rule_is_refused():
    from xlperf.validate.registry import check

    with pytest.raises(ValueError, match="PERF-008 is made by"):
        @check("PERF-008", needs=("Actual",), cell="Actual")
        def another(rows, batch):  # pragma: no cover - refused before it can run
            return rows["Actual"] > 0


def test_rules_command_lists_every_family():
    result = runner.invoke(app, ["rules", "--json"])
    assert result.exit_code == 0, result.output
    ids = [r["id"] for r in json.loads(result.output)["rules"]]
    assert {i.split("-")[0] for i in ids} == {"FILE", "PERF", "FIN", "REG", "HIST", "MIL"}
    assert {"REG-040", "HIST-005", "FILE-023", "FIN-005"} <= set(ids)
