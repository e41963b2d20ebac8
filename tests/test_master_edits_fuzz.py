"""People edit the master in Excel: any cell of its configuration sheets, its header rows, rows
inserted or deleted, a sheet renamed or deleted. Whatever they do, ``refresh``, ``report``,
``templates`` and ``validate`` finish with a message and an exit code, never a traceback.

Fuzzing this found three tracebacks (a materiality typed as text, a Targets sheet without its
Target header, a scheme severity of 10^12); each has its own regression test beside the code it
concerns (tests/test_read_master.py, tests/test_rollup_targets.py)."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from typer.testing import CliRunner

from xlperf.cli import app

pytestmark = pytest.mark.slow

SHEETS = ("Measures", "Targets", "Budget", "Capital", "Schemes", "Settings", "Process changes")
# What a person might type (or paste) into a configuration cell.
TYPED = st.sampled_from([
    None, "", "TBC", "n/a", -5, 0, 1e12, "=1+1", "@SUM(A1)", "abc", dt.datetime(2013, 7, 1),
    True, "Q9 2099", "  Green ", 3.5, "#N/A", "x" * 300, "50%", "Low", "Zürich ✓", -0.0,
    "Quarterly", "Annual", "rag", "Yes", "No", "High", 1e-9, 2**40, "NaN", "inf",
    "Q2 2013/14", "Sep-13", "1/0", "Bigger is better", "absolute", 7, 100, 101, "Rebase",
    "Ghost", "GOV 03",
])
EDIT = st.tuples(st.sampled_from(SHEETS),
                 st.sampled_from(["cell", "cell", "cell", "header", "insert", "delete",
                                  "rename", "remove"]),
                 st.floats(0, 1), st.floats(0, 1), TYPED)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("demo") / "council"
    result = CliRunner().invoke(app, ["demo", str(folder)])
    assert result.exit_code in (0, 1), result.output
    return folder


def _edit(path: Path, edits: list[tuple]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl drops the refreshed master's sparklines
        wb = load_workbook(path)
    for sheet, action, row_at, column_at, value in edits:
        if sheet not in wb.sheetnames:
            continue
        ws = wb[sheet]
        row = 1 + int(row_at * ws.max_row)
        column = 1 + int(column_at * ws.max_column)
        if action == "remove":
            del wb[sheet]
        elif action == "rename":
            ws.title = f"{sheet} (old)"
        elif action == "insert":
            ws.insert_rows(row)
        elif action == "delete":
            ws.delete_rows(row)
        else:
            cell = ws.cell(1 if action == "header" else row, column)
            cell.value = value
            if isinstance(value, str) and value[:1] in "=@":
                cell.data_type = "s"  # typed as text, as Excel keeps '=1+1 typed with a quote
    wb.save(path)


# No shrinking: each example runs four commands, and a failure already names its (at most
# four) edits; shrinking one took over five minutes.
@settings(max_examples=6, deadline=None,
          phases=(Phase.explicit, Phase.reuse, Phase.generate),
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(edits=st.lists(EDIT, min_size=1, max_size=4))
def test_any_edit_to_the_master_gives_a_message_never_a_traceback(demo, edits):
    runner = CliRunner()
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        shutil.copy(demo / "master.xlsx", work / "master.xlsx")
        shutil.copytree(demo / "returns", work / "returns")
        master = work / "master.xlsx"
        _edit(master, edits)
        for args in (["refresh", str(master), "--backups", "0"],
                     ["report", str(master), "--out", str(work / "pack.html"),
                      "--date", "2026-01-01"],
                     ["templates", str(master), "--out", str(work / "templates")],
                     ["validate", str(work / "returns"), "--master", str(master)]):
            result = runner.invoke(app, args)
            crashed = result.exception is not None and not isinstance(result.exception,
                                                                      SystemExit)
            assert not crashed, (args[0], edits, repr(result.exception))
            assert result.exit_code in (0, 1, 3), (args[0], edits, result.output)
            if result.exit_code == 3 and args[0] != "validate":
                # could not run: a readable line saying why (after the master's problems,
                # which templates lists first)
                assert any(line.startswith("xlperf:") for line in result.output.splitlines()), \
                    (args[0], edits, result.output)
