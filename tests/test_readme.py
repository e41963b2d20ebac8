"""The README's promises: its two commands, CI running the same test command, its examples."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import xlperf

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _block(marker: str) -> str:
    section = re.search(rf"<!-- {marker} -->(.*?)<!-- /{marker} -->", README, re.S)
    assert section, f"README has no {marker} block"
    code = re.search(r"```sh\n(.*?)\n```", section.group(1), re.S)
    assert code
    return code.group(1).strip()


def test_ci_runs_the_readme_test_command():
    out = subprocess.run(
        ["bash", "-c", "sed -n '/<!-- test-command -->/,/<!-- \\/test-command -->/p' README.md"
         " | sed -n '/^```/,/^```/p' | sed '1d;$d'"],
        cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == _block("test-command")
    assert "README.md" in (ROOT / ".ci" / "run").read_text()


def test_commands_install_and_run():
    assert "xlperf demo" in _block("demo-command")
    test = _block("test-command")
    assert "libreoffice-calc-nogui" in test and "pytest" in test and "ruff check" in test


def test_python_examples_in_the_readme_hold():
    assert xlperf.status(91.54, 45.3, "Smaller is better", tolerance=2) == "Red"
    assert xlperf.status(68.04, 78.2, "High", tolerance=15, tolerance_type="%") == "Amber"
    p = xlperf.parse_period("Q1 2013-14")
    assert (p.previous().format(), p.same_period_last_year().format("quarter-dash")) == (
        "Q4 2012/13", "Q1 2012-13")
    assert xlperf.parse_period("30/06/12").format("month") == "Jun-12"
    assert "91.54 against target 45.3, smaller is better: 46.24 worse than target, beyond the " \
           "tolerance of 2: Red" in README
    assert xlperf.explain(91.54, 45.3, "Smaller is better", 2) in README


def test_every_cli_command_is_documented_in_the_readme():
    from typer.main import get_command

    from xlperf.cli import app

    commands = get_command(app).commands  # type: ignore[attr-defined]
    missing = [name for name in commands if f"xlperf {name}" not in README]
    assert not missing, f"README does not show: {missing}"


def test_readme_links_resolve():
    for target in re.findall(r"\]\(((?:docs|validation|workbooks)/[^)#]+)", README):
        assert (ROOT / target).exists(), target


def test_the_cycle_reads_the_returns_where_init_demo_puts_them(tmp_path):
    """The monthly cycle's folders agree: `init --demo` puts the demo's returns in the
    master's Returns folder, the folder the cycle's validate and refresh read; the blank
    templates go elsewhere (the whole cycle runs in tests/test_distribution.py)."""
    from typer.testing import CliRunner

    from xlperf.cli import app
    from xlperf.read.master import read_master

    cycle = next(b for b in re.findall(r"```sh\n(.*?)```", README, re.S)
                 if "xlperf init council --demo" in b)
    lines = [line.split("#")[0].split() for line in cycle.splitlines() if line.strip()]
    validate = next(words for words in lines if words[1:2] == ["validate"])
    templates = next(words for words in lines if words[1:2] == ["templates"])
    result = CliRunner().invoke(app, ["init", str(tmp_path / "council"), "--demo"])
    assert result.exit_code == 0, result.output
    folder = read_master(tmp_path / "council" / "master.xlsx").settings.returns_folder
    assert validate[2].rstrip("/") == f"council/{folder}"
    assert templates[templates.index("--out") + 1] != validate[2].rstrip("/")
    assert len(list((tmp_path / "council" / folder).glob("*.xlsx"))) == 10


def test_the_benchmark_table_quotes_the_last_run():
    # The score row is made from benchmarks/last/score.json, which each run writes: the README
    # never quotes a ratio no run measured.
    import json

    from _workbook_helpers import module_from_file

    module = module_from_file(ROOT / "benchmarks" / "score.py", "bench_score")
    figures = json.loads((ROOT / "benchmarks" / "last" / "score.json").read_text())
    assert module.readme_row(figures) in README.splitlines()


def _cells(line: str) -> list[str]:
    """A line of rich's table output as its cells' text (the spacing depends on the widths)."""
    return [cell.strip() for cell in re.split(r"[│┃]", line) if cell.strip()]


def test_the_demo_output_the_readme_quotes_is_what_the_demo_prints(tmp_path):
    """The README says "Its output ends:" and quotes lines of `xlperf demo`: each quoted line
    (but the time, which varies, and lines cut short with "...") is in what the demo prints
    today, so a changed demo cannot leave the README telling an old story."""
    import os
    import sys

    quoted = re.search(r"Its output ends:\n\n```text\n(.*?)\n```", README, re.S)
    assert quoted, "README has no quoted demo output"
    # Run where the README's reader would, so the paths printed are the README's.
    run = subprocess.run([sys.executable, "-m", "xlperf.cli", "demo", "my-council"],
                         capture_output=True, text=True, timeout=300, cwd=tmp_path,
                         env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"})
    printed = run.stdout
    rows = [_cells(line) for line in printed.splitlines()]
    lines = [" ".join(line.split()) for line in printed.splitlines()]
    for line in quoted.group(1).splitlines():
        if line.strip() in ("", "...") or line.rstrip().endswith("...") or "│ Time " in line:
            continue
        if line.lstrip()[:1] in "│┃":
            assert _cells(line) in rows, f"the demo no longer prints: {line}"
        else:
            assert " ".join(line.split()) in lines, f"the demo no longer prints: {line}"
