"""Text a return supplies that a worksheet cannot hold as it is (user acceptance test, 2025).

A figure pasted from another system can carry a control character (Excel stores a BEL as
``_x0007_``). The validator quotes the cell in its message and the annotated copy writes the
value, the message, the sheet and file names into its Issues sheet: openpyxl refuses control
characters there, so one such return stopped ``validate --annotate`` and the whole refresh.
Each return is the demo's Early Help return with its sheet XML edited as Excel writes it.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import python_calamine as pc

from xlperf.validate import validate_return

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "workbooks" / "demo"
EARLY_HELP = "Early Help - Q2 2013-14.xlsx"
MASTER = DEMO / "master.xlsx"
BEL = "\x07"
SHOWN_BEL = "\u2407"  # the Unicode picture of BEL: ␇


def _edit_sheet(path: Path, edit) -> None:
    with zipfile.ZipFile(path) as old:
        parts = [(info, old.read(info.filename)) for info in old.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for info, data in parts:
            if info.filename == "xl/worksheets/sheet1.xml":
                data = edit(data.decode()).encode()
            new.writestr(info, data)


def _bell_return(folder: Path, name: str = EARLY_HELP) -> Path:
    """Early Help with H14 (CYP 2.1.5, Aug-13) holding ``350_x0007_``: 350 and a BEL."""
    path = folder / name
    shutil.copyfile(DEMO / "returns" / EARLY_HELP, path)
    _edit_sheet(path, lambda x: re.sub(
        r'<c r="H14"[^>]*?(/>|>.*?</c>)',
        '<c r="H14" t="inlineStr"><is><t>350_x0007_</t></is></c>', x, count=1))
    assert pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(
        "Return").to_python()[13][7] == "350" + BEL  # as every reader sees it
    return path


def _issues(path: Path) -> list[list[object]]:
    return pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Issues").to_python()


def test_a_control_character_is_shown_in_the_message_and_kept_in_the_value(tmp_path):
    path = _bell_return(tmp_path)
    (found,) = [f for f in validate_return(path, MASTER) if f.cell == "H14"]
    assert found.rule == "PERF-006"
    assert found.value == "350" + BEL  # the figure as sent, never changed
    assert found.message == (f"Aug-13 actual for CYP 2.1.5 in H14 is '350{SHOWN_BEL}', "
                             "which is not a number.")


def test_the_annotated_copy_of_a_return_with_a_control_character_is_written(tmp_path):
    from xlperf.validate.annotate import annotate

    path = _bell_return(tmp_path)
    copy = annotate(validate_return(path, MASTER), tmp_path / "annotated")
    (row,) = [r for r in _issues(copy) if r[4] == "H14"]
    assert row[2] == "PERF-006" and row[5] == "350" + SHOWN_BEL
    assert f"'350{SHOWN_BEL}'" in row[6]
    # The return's own cell is the service's text as it sent it.
    grid = pc.CalamineWorkbook.from_path(str(copy)).get_sheet_by_name("Return").to_python()
    assert grid[13][7] == "350" + BEL


def test_every_text_the_issues_sheet_takes_from_a_return_is_cleaned(tmp_path):
    from openpyxl import load_workbook

    from xlperf.findings import Finding, Report
    from xlperf.validate.annotate import annotate

    source = tmp_path / f"Early{BEL}Help.xlsx"  # a file name can hold one too
    shutil.copyfile(DEMO / "returns" / EARLY_HELP, source)
    findings = (
        Finding("PERF-006", "error", f"a message{BEL}", file=str(source), sheet="Return",
                cell="H14", value=f"v{BEL}", how_to_fix=f"fix{BEL}"),
        Finding("PERF-016", "query", f"asked{BEL}", file=str(source), sheet="Return",
                cell="L13", value=None, how_to_fix="answer", response=f"because{BEL}"),
    )
    report = Report(findings, file=str(source),
                    meta={"kind": "performance", "service": f"Early{BEL}Help",
                          "period": f"Q2{BEL}"})
    copy = annotate(report, tmp_path / "annotated")
    grid = _issues(copy)
    text = [str(v) for r in grid for v in r]
    assert not [t for t in text if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", t)]
    assert grid[0][0] == f"Issues found in Early{SHOWN_BEL}Help.xlsx"
    assert grid[1][0].startswith(f"performance return, Early{SHOWN_BEL}Help, Q2{SHOWN_BEL}")
    (h14,) = [r for r in grid if r[4] == "H14"]
    assert h14[5:8] == [f"v{SHOWN_BEL}", f"a message{SHOWN_BEL}", f"fix{SHOWN_BEL}"]
    book = load_workbook(copy)
    assert book["Return"]["H14"].comment.text == f"✖ ERROR PERF-006: a message{SHOWN_BEL}"
    assert SHOWN_BEL in book["Issues"].oddHeader.left.text


def test_a_refresh_goes_on_past_a_return_with_a_control_character(tmp_path):
    from xlperf.refresh import ZipWorkbook, refresh

    work = tmp_path / "demo"
    shutil.copytree(DEMO, work)
    returns = work / "returns"
    _bell_return(returns)
    result = refresh(ZipWorkbook(work / "master.xlsx"), returns=[returns])
    outcomes = {f.name: f for f in result.files}
    bell = outcomes[EARLY_HELP]
    assert bell.outcome == "partly accepted" and bell.rejected_rows == 1
    assert bell.quarantined is not None and bell.quarantined.suffix == ".xlsx"
    (row,) = [r for r in _issues(bell.quarantined) if r[4] == "H14"]
    assert row[5] == "350" + SHOWN_BEL
    assert len(outcomes) == 10 and result.recorded > 0  # every other return was taken in


def test_the_link_to_a_sheet_whose_name_has_a_quote_goes_to_it(tmp_path):
    from openpyxl import load_workbook

    from xlperf.findings import Finding, Report
    from xlperf.validate.annotate import annotate

    book = load_workbook(DEMO / "returns" / EARLY_HELP)
    book.create_sheet("Bob's notes")
    source = tmp_path / EARLY_HELP
    book.save(source)
    report = Report((Finding("PERF-016", "query", "asked", file=str(source),
                             sheet="Bob's notes", cell="B2"),), file=str(source))
    issues = load_workbook(annotate(report, tmp_path / "annotated"))["Issues"]
    (link,) = [c.hyperlink for row in issues.iter_rows() for c in row if c.hyperlink]
    assert link.location == "'Bob''s notes'!B2"  # as Excel writes it


# --------------------------------------------------------------------------- the command line
# rich drops a BEL from what it prints (the figure silently changed) and passes an ESC through
# to the terminal: every text the CLI takes from a return is shown as the messages show it.
_RAW_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
BELL_NAME = f"Early{BEL}Help - Q2 2013-14.xlsx"
SHOWN_NAME = f"Early{SHOWN_BEL}Help - Q2 2013-14.xlsx"


def _council_with_a_bell(tmp_path: Path) -> Path:
    """The demo council with its Early Help return sent as ``BELL_NAME``, H14 ``350`` + BEL."""
    work = tmp_path / "demo"
    shutil.copytree(DEMO, work)
    (work / "returns" / EARLY_HELP).unlink()
    _bell_return(work / "returns", BELL_NAME)
    return work


def _cli(*args: str) -> tuple[int, str]:
    from typer.testing import CliRunner

    from xlperf.cli import app

    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "250"})
    return result.exit_code, result.output


def test_the_validate_table_shows_a_control_character_as_its_picture(tmp_path):
    path = _bell_return(tmp_path, BELL_NAME)
    code, out = _cli("validate", str(path), "--master", str(MASTER))
    assert code == 1
    assert not _RAW_CONTROLS.search(out)
    (row,) = [line for line in out.splitlines() if "H14" in line]
    assert "PERF-006" in row and f"'350{SHOWN_BEL}'" in row  # the message
    assert row.rstrip(" │").endswith(f"350{SHOWN_BEL}")  # the Value column
    assert SHOWN_NAME in out  # the table's title and the summary line


def test_validate_json_keeps_the_value_as_sent(tmp_path):
    import json

    path = _bell_return(tmp_path, BELL_NAME)
    code, out = _cli("validate", str(path), "--master", str(MASTER), "--json")
    assert code == 1
    assert "\\u0007" in out and not _RAW_CONTROLS.search(out)  # JSON escapes it
    (report,) = json.loads(out)["returns"]
    (found,) = [f for f in report["findings"] if f["cell"] == "H14"]
    assert found["value"] == "350" + BEL and report["file"].endswith(BELL_NAME)


def test_the_refresh_and_returns_tables_show_a_control_character_as_its_picture(tmp_path):
    work = _council_with_a_bell(tmp_path)
    code, out = _cli("refresh", str(work / "master.xlsx"))
    assert code == 1, out
    assert not _RAW_CONTROLS.search(out)
    assert f"{SHOWN_NAME}: 1 error" in out  # the rejected return's errors
    assert f"PERF-006 Return!H14: Aug-13 actual for CYP 2.1.5 in H14 is '350{SHOWN_BEL}'" in out
    assert SHOWN_BEL in [line for line in out.splitlines() if "partly accepted" in line][0]
    code, out = _cli("returns", str(work / "master.xlsx"), "--today", "2013-10-20")
    assert not _RAW_CONTROLS.search(out)
    assert SHOWN_NAME.split(" - ")[0] in out  # the file received
