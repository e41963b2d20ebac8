"""The workbook commands through typer's runner: init, templates, demo."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook
from typer.testing import CliRunner

from xlperf.cli import app
from xlperf.demo import demo_register
from xlperf.write.master import build_master

runner = CliRunner()


def test_init_writes_an_empty_master_and_refuses_to_overwrite(tmp_path):
    result = runner.invoke(app, ["init", str(tmp_path)])
    assert result.exit_code == 0, result.output
    master = tmp_path / "master.xlsx"
    assert "Wrote empty master" in result.output
    ws = load_workbook(master)["Measures"]
    assert ws["A2"].value is None
    again = runner.invoke(app, ["init", str(tmp_path), "--demo"])
    assert again.exit_code == 3 and "already exists" in again.output
    forced = runner.invoke(app, ["init", str(tmp_path), "--demo", "--force"])
    assert forced.exit_code == 0
    assert load_workbook(master)["Measures"]["A2"].value == "R&E 1.6.1"


def test_templates_command_lists_what_it_wrote(tmp_path):
    runner.invoke(app, ["init", str(tmp_path), "--demo"])
    out = tmp_path / "templates"
    result = runner.invoke(app, ["templates", str(tmp_path / "master.xlsx"), "--period",
                                 "Q2 2013/14", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "perf-safeguarding-2013-14-Q2" in result.output
    assert len(list(out.glob("*.xlsx"))) == 10  # 6 services, 3 budget holders, capital


def test_templates_period_defaults_to_the_settings(tmp_path):
    runner.invoke(app, ["init", str(tmp_path), "--demo"])
    result = runner.invoke(app, ["templates", str(tmp_path / "master.xlsx"), "--out",
                                 str(tmp_path / "t")])
    assert result.exit_code == 0, result.output
    assert "Return templates for Q2 2013/14" in result.output


def test_templates_refuses_a_register_with_errors_and_names_the_cell(tmp_path):
    register = demo_register().head(3).copy()
    register.loc[1, "Polarity"] = "sideways"
    build_master(tmp_path / "master.xlsx", register=register)
    result = runner.invoke(app, ["templates", str(tmp_path / "master.xlsx"), "--period",
                                 "Q2 2013/14", "--out", str(tmp_path / "t")])
    assert result.exit_code == 3
    assert "G3" in result.output and "REG-004" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "t").exists()


def test_templates_of_a_file_that_is_not_a_workbook_is_a_message(tmp_path):
    (tmp_path / "x.xlsx").write_text("hello")
    result = runner.invoke(app, ["templates", str(tmp_path / "x.xlsx"), "--period", "Q1 2013/14"])
    assert result.exit_code == 3 and "not a workbook" in result.output


def test_demo_builds_reads_back_and_scores(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    folder = Path("xlperf-demo")
    assert (folder / "master.xlsx").exists()
    assert len(list((folder / "returns").glob("*.xlsx"))) == 10
    assert len(list((folder / "templates").glob("*.xlsx"))) == 10
    for text in ("KIGS CH01", "Doncaster-on-Sea Council: scorecard Q2 2013/14", "Objectives",
                 "Master workbook: xlperf-demo/master.xlsx", "Filled-in returns"):
        assert text in result.output


def test_demo_into_a_named_folder(tmp_path):
    result = runner.invoke(app, ["demo", str(tmp_path / "d")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "d" / "master.xlsx").exists()


def test_a_folder_given_for_the_master_names_the_master_inside_it(tmp_path):
    runner.invoke(app, ["init", str(tmp_path), "--demo"])
    (tmp_path / "returns").mkdir(exist_ok=True)  # init --demo makes it, with the returns
    for args in (["refresh", str(tmp_path)], ["report", str(tmp_path)],
                 ["templates", str(tmp_path), "--out", str(tmp_path / "t")],
                 ["export", str(tmp_path)],
                 ["validate", str(tmp_path / "master.xlsx"), "--master", str(tmp_path)]):
        result = runner.invoke(app, args)
        assert result.exit_code == 3, (args, result.output)
        assert (f"xlperf: {tmp_path} is a folder, not a workbook: give the workbook itself "
                f"(did you mean {tmp_path / 'master.xlsx'}?)") in result.output.splitlines(), \
            (args, result.output)
