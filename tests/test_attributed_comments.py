"""Commentary by someone other than the owner (issue 24), through the user path: the demo
master's templates carry the attributed comment's columns (Comment subject, Comment by,
Further comment), a service fills them with openpyxl, the validator queries a comment without
its author (PERF-020), the refresh stores subject, author and text per value in the ledger
(schema 7) and the committee report prints them on the measure's card, escaped. A return
made before the columns reads, validates and refreshes as before; a schema 5 ledger migrates.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import pytest
import python_calamine as pc
from _workbook_helpers import demo_workbooks
from openpyxl import load_workbook

from xlperf.layout import RETURN_ATTRIBUTED, RETURN_FIRST_DATA_ROW, RETURN_HEADER_ROW
from xlperf.ledger import Ledger
from xlperf.refresh import ZipWorkbook, refresh
from xlperf.report import render_html, report_data_from_master
from xlperf.validate import validate_return

PERIOD = "Q2 2013/14"
SAFEGUARDING = f"Safeguarding - {PERIOD.replace('/', '-')}.xlsx"
SUBJECT, BY, FURTHER = RETURN_ATTRIBUTED


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("authors")
    demo_workbooks(folder, period=PERIOD)
    return folder


@pytest.fixture
def demo_dir(tmp_path: Path) -> Path:
    """A copy of the demo council to change (built once per test process)."""
    return demo_workbooks(tmp_path / "demo", period=PERIOD).master.parent


def _columns(ws) -> dict[str, int]:
    return {c.value: c.column for c in ws[RETURN_HEADER_ROW] if isinstance(c.value, str)}


def _row_of(ws, code: str) -> int:
    """The last row of ``code`` (a monthly measure's is the quarter's last month)."""
    rows = [r for r in range(RETURN_FIRST_DATA_ROW, ws.max_row + 1)
            if ws.cell(r, 1).value == code]
    assert rows, f"{code} is not on the return"
    return rows[-1]


def _type(ret: Path, code: str, **typed: object) -> int:
    """Type into ``code``'s row as a service does in Excel (header -> value); its row."""
    wb = load_workbook(ret)
    ws = wb["Return"]
    columns, row = _columns(ws), _row_of(ws, code)
    for header, value in typed.items():
        cell = ws.cell(row, columns[header])
        cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"  # as Excel keeps '=... typed with its apostrophe: text
    wb.save(ret)
    return row


def _cell(ws, header: str, row: int) -> str:
    return f"{ws.cell(row, _columns(ws)[header]).column_letter}{row}"


def test_the_template_asks_for_an_attributed_comment_beside_the_owners(pristine: Path):
    ws = load_workbook(pristine / "templates" / SAFEGUARDING)["Return"]
    headers = [c.value for c in ws[RETURN_HEADER_ROW]]
    assert headers[11:15] == ["Commentary", SUBJECT, BY, FURTHER]
    for column in range(12, 16):  # typed by the service: unlocked, the rest of the row locked
        assert ws.cell(RETURN_FIRST_DATA_ROW, column).protection.locked is False
    assert ws.cell(RETURN_FIRST_DATA_ROW, 7).protection.locked is not False
    assert ws.print_area == f"'Return'!$A$1:$O${ws.max_row}"
    # The sign-off stays where every return has it, old or new (K2:L4).
    assert [ws["K2"].value, ws["K3"].value, ws["K4"].value] == [
        "Completed by", "Signed off by", "Date"]
    assert ws["L2"].protection.locked is False
    assert any("Comment subject" in str(ws.cell(r, 1).value) for r in range(6, 12))


def test_the_demo_return_carries_the_head_of_services_comment(pristine: Path):
    ws = load_workbook(pristine / "returns" / SAFEGUARDING)["Return"]
    row = _row_of(ws, "KIGS CH01")
    columns = _columns(ws)
    assert ws.cell(row, columns[SUBJECT]).value == "Head of Service Commentary"
    assert ws.cell(row, columns[BY]).value == "Amira Khan, Head of Safeguarding"
    assert ws.cell(row, columns[FURTHER]).value.startswith("Two permanent conference chairs")
    assert ws.cell(row, columns["Commentary"]).value.startswith("<p>Over fifty")  # owner's


def test_a_further_comment_without_its_author_is_a_query(demo_dir: Path):
    ret = demo_dir / "returns" / SAFEGUARDING
    orphan = _type(ret, "NI_068", **{FURTHER: "Agreed with the assistant director."})
    lonely = _type(ret, "CYP 2.1.6", **{SUBJECT: "Head of Service Commentary",
                                       BY: "R. Patel"})
    report = validate_return(ret, demo_dir / "master.xlsx")
    ws = load_workbook(ret)["Return"]
    found = {f.cell: f for f in report.findings if f.rule == "PERF-020"}
    assert set(found) == {_cell(ws, BY, orphan), _cell(ws, FURTHER, lonely)}
    missing_author = found[_cell(ws, BY, orphan)]
    assert missing_author.severity == "query"
    assert missing_author.message == (
        "NI_068 for Sep-13: the further comment does not say who wrote it: type their name "
        "or role in Comment by.")
    assert found[_cell(ws, FURTHER, lonely)].message == (
        "CYP 2.1.6 for Sep-13: a further comment by R. Patel is named, but the Further "
        "comment cell is blank.")
    # The demo's own attributed comment (author and text) is no finding; queries accept.
    assert report.valid


def test_the_refresh_stores_the_author_and_subject_and_the_card_prints_them(demo_dir: Path):
    master = demo_dir / "master.xlsx"
    ret = demo_dir / "returns" / SAFEGUARDING
    hostile = "=HYPERLINK(\"http://x\") <script>alert(1)</script>"
    _type(ret, "KIGS CH01", **{BY: "J. Smith & <b>Co</b>", FURTHER: hostile})
    refresh(ZipWorkbook(master))
    with Ledger(master.with_name("master.ledger.sqlite")) as ledger:
        values = ledger.current_values(["KIGS CH01"], PERIOD)
        history = ledger.current_values(["KIGS CH01"])
    assert values[[SUBJECT, BY, FURTHER]].iloc[0].tolist() == [
        "Head of Service Commentary", "J. Smith & <b>Co</b>", hostile]  # stored as typed
    assert history[FURTHER].iloc[:-1].isna().all()  # earlier periods have none
    # The Scorecard's latest note is the owner's commentary, as before.
    grid = pc.CalamineWorkbook.from_path(str(master)).get_sheet_by_name("Scorecard").to_python()
    header = grid[3]
    row = next(r for r in grid[4:] if r[0] == "KIGS CH01")
    note = row[header.index("Latest note")]
    assert note.startswith("Over fifty recent cases") and "J. Smith" not in note
    assert "HYPERLINK" not in str(grid)
    html = render_html(report_data_from_master(master, PERIOD))
    card = html[html.index('<article class="card" data-code="KIGS CH01"'):]
    card = card[:card.index("</article>")]
    # Plain text as the owner's commentary is (pasted HTML made text), then escaped; text
    # that starts like a formula is kept exactly (FORMULA_STARTS), escaped, never run.
    assert ("<strong>Head of Service Commentary</strong> &#8212; J. Smith &amp; Co</p>"
            in card)
    assert ("=HYPERLINK(&quot;http://x&quot;) &lt;script&gt;alert(1)&lt;/script&gt;") in card
    assert "<script>" not in card and "<b>Co" not in card
    assert card.index("Latest commentary") < card.index("Head of Service Commentary")
    assert "Over fifty recent cases" in card  # the owner's commentary stays


def test_a_return_made_before_the_columns_still_validates_and_refreshes(demo_dir: Path):
    master = demo_dir / "master.xlsx"
    ret = demo_dir / "returns" / SAFEGUARDING
    wb = load_workbook(ret)
    ws = wb["Return"]
    ws.delete_cols(13, 3)  # the template as it was before issue 24: A..L
    ws.print_area = f"A1:L{ws.max_row}"
    wb.save(ret)
    assert [c.value for c in ws[RETURN_HEADER_ROW]][-1] == "Commentary"
    report = validate_return(ret, master)
    assert report.valid
    assert not [f for f in report.findings if f.rule.startswith("FILE-")
                or f.rule == "PERF-020"], report.findings
    refresh(ZipWorkbook(master))
    with Ledger(master.with_name("master.ledger.sqlite")) as ledger:
        values = ledger.current_values(periods=[PERIOD]).set_index("Code")
    assert values.at["KIGS CH01", "Commentary"].startswith("<p>Over fifty")  # as typed
    assert values[[SUBJECT, BY, FURTHER]].isna().all().all()
    html = render_html(report_data_from_master(master, PERIOD))
    assert "Head of Service Commentary" not in html


def _v5_ledger(path: Path) -> None:
    from xlperf.ledger import _schema

    with sqlite3.connect(path) as con:
        for version, script in _schema.MIGRATIONS:
            if version > 5:
                break
            con.executescript(script)
            con.execute("INSERT INTO schema_version VALUES (?, '2013-10-01')", (version,))
        con.execute('INSERT INTO "values" (code, period_key, period, value, commentary, '
                    "recorded_at) VALUES ('NI_062', '2013/14-Q1', 'Q1 2013/14', 9.4, 'Owner', "
                    "'2013-10-01')")
    con.close()


def test_a_schema_5_ledger_gains_the_attributed_comment(tmp_path: Path):
    from xlperf.ledger import _schema

    path = tmp_path / "old.sqlite"
    _v5_ledger(path)
    with Ledger(path) as ledger:
        assert ledger._con.execute("SELECT max(version) FROM schema_version").fetchone() == (
            _schema.SCHEMA_VERSION,)
        old = ledger.current_values()
        assert old[["Actual", "Commentary"]].iloc[0].tolist() == [9.4, "Owner"]
        assert old[[SUBJECT, BY, FURTHER]].iloc[0].isna().all()
        row = {"Code": "NI_062", "Period": "Q2 2013/14", "Actual": 9.1,
               "Commentary": "Owner", SUBJECT: "Head of Service Commentary",
               BY: "J. Smith", FURTHER: "-5 agreed", "Source file": "a.xlsx", "Cell": "H13"}
        first = ledger.record_values(pd.DataFrame([row]))
        again = ledger.record_values(pd.DataFrame([row]))
        changed = ledger.record_values(pd.DataFrame([{**row, BY: "K. Jones"}]))
        got = ledger.current_values(periods=["Q2 2013/14"])
        versions = ledger.history("NI_062")
    assert (first.inserted, again.inserted, again.unchanged) == (1, 0, 1)
    # A new author is a new version of the value, not a restatement of its figure.
    assert changed.inserted == 1 and changed.restatements.empty
    assert got[[SUBJECT, BY, FURTHER]].iloc[0].tolist() == [
        "Head of Service Commentary", "K. Jones", "-5 agreed"]  # formula-like: text kept
    assert versions[BY].tolist() == [None, "J. Smith", "K. Jones"]


def test_the_export_carries_the_attributed_comment_and_keeps_formulas_as_text(tmp_path: Path):
    from xlperf.ledger import export, write_export

    path = tmp_path / "l.sqlite"
    with Ledger(path) as ledger:
        ledger.record_values(pd.DataFrame([{
            "Code": "NI_062", "Period": "Q2 2013/14", "Actual": 9.1, "Commentary": "Owner",
            SUBJECT: "Head of Service Commentary", BY: "J. Smith",
            FURTHER: "=HYPERLINK(\"http://x\",\"y\")"}]))
        table = export(ledger)
    row = table.iloc[0]
    assert [row["comment_subject"], row["comment_by"], row["further_comment"]] == [
        "Head of Service Commentary", "J. Smith", "=HYPERLINK(\"http://x\",\"y\")"]
    back = pd.read_csv(write_export(table, tmp_path / "out.csv"), encoding="utf-8-sig")
    assert back.at[0, "further_comment"] == "'=HYPERLINK(\"http://x\",\"y\")"
    assert back.at[0, "comment_by"] == "J. Smith"
