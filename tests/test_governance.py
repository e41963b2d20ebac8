"""Governance indicators by directorate and internal audit assurance (issue 24), through the
user path: the demo master and its returns (one return changed with openpyxl as a service
would), a refresh, the Governance sheet read back; a master with bad Audit rows gives findings
(on the Log too), never a traceback."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import python_calamine as pc
from _workbook_helpers import demo_workbooks, ooxml_problems
from openpyxl import load_workbook

from xlperf import demo
from xlperf.core.governance import governance_block, governance_table, parse_count
from xlperf.errors import InputError
from xlperf.layout import RETURN_FIRST_DATA_ROW, RETURN_HEADERS
from xlperf.read.master import read_master
from xlperf.refresh import ZipWorkbook, refresh
from xlperf.write.master import build_master

PERIOD = "Q2 2013/14"


@pytest.fixture
def demo_dir(tmp_path: Path) -> Path:
    """A copy of the demo council to change (built once per test process)."""
    return demo_workbooks(tmp_path / "demo", period=PERIOD).master.parent


def _sheet(path: Path, name: str) -> list[list]:
    return pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


def _fill(ret: Path, code: str, actual: object) -> None:
    """Type ``actual`` in the Actual cell of ``code``'s row, as a service does in Excel."""
    wb = load_workbook(ret)
    ws = wb["Return"]
    column = RETURN_HEADERS["performance"].index("Actual") + 1
    for row in range(RETURN_FIRST_DATA_ROW, ws.max_row + 1):
        if ws.cell(row, 1).value == code:
            ws.cell(row, column).value = actual
            break
    else:
        raise AssertionError(f"{code} is not on {ret.name}")
    wb.save(ret)


def test_the_refresh_writes_indicators_by_directorate_and_audit_counts(demo_dir: Path):
    master = demo_dir / "master.xlsx"
    _fill(demo_dir / "returns" / f"Workforce - {PERIOD.replace('/', '-')}.xlsx", "GOV AH1", 12.5)
    result = refresh(ZipWorkbook(master))
    assert "Governance" in result.sheets
    rows = _sheet(master, "Governance")
    header = rows[3]
    assert header[:4] == ["Governance indicator", demo.D_CYPS, demo.D_AH, demo.D_RE]
    body = {r[0]: r for r in rows[4:7]}
    assert set(body) == {demo.SICKNESS, demo.AUDIT_ACTIONS, demo.REVIEWS}
    # What the Workforce return said for Adults and Health's sickness, with its status (worse
    # than the target of 8 days by more than the tolerance of 0.5: Red) and the period.
    # the figure beside its target, so a councillor sees why one directorate's 88.7 % is
    # Exceeds tolerance and another's 94.5 % is Red
    assert body[demo.SICKNESS][2] == f"12.5 days against 8 days\n✖ Red\n{PERIOD}"
    scored = result.scored.set_index("code")
    for directorate, code in ((demo.D_CYPS, "SICK"), (demo.D_RE, "GOV RE1")):
        cell = body[demo.SICKNESS][header.index(directorate)]
        assert cell.split("\n")[1].endswith(scored.at[code, "status"]), cell
        assert scored.at[code, "symbol"] in cell and cell.endswith(PERIOD)
    # Audit assurance: each directorate's Q2 row of the demo's Audit sheet, then the key.
    at = next(i for i, r in enumerate(rows) if r[0] == "Internal audit assurance")
    assert rows[at + 1][:7] == ["Directorate", "NA", "LA", "Rea", "Sub", "Due", "Period"]
    audit = demo.demo_audit()
    q2 = audit[audit["Period"] == PERIOD].reset_index(drop=True)
    for i, expected in q2.iterrows():
        got = rows[at + 2 + i]
        assert got[0] == expected["Directorate"] and got[6] == PERIOD
        assert [int(v) for v in got[1:6]] == [int(v) for v in expected.iloc[2:7]]
    assert rows[at + 2 + len(q2)][0].startswith("Key: NA = No Assurance, LA = Limited Assurance")
    assert not ooxml_problems(master)


def test_status_is_never_colour_alone_and_gaps_are_marked(demo_dir: Path, tmp_path: Path):
    """A directorate without a measure for an indicator shows a dash; each cell's fill comes
    with its symbol and word."""
    register = demo.demo_register()
    register = register[register["Code"] != "GOV RE2"]
    path = build_master(tmp_path / "m.xlsx", register=register, audit=demo.demo_audit(),
                        settings=demo.demo_settings(PERIOD))
    values = demo.demo_values(PERIOD)
    master = read_master(path)
    scored = master.score(values[values["Code"].isin(register["Code"])], PERIOD)
    block = governance_block(scored, master.prepared_register, master.audit_rows, PERIOD)
    assert (demo.AUDIT_ACTIONS, demo.D_RE) not in block.table.cells
    from xlperf.write._outputs_governance import governance_sheet

    content = governance_sheet(block)
    row = next(r for r in content.rows if r and r[0] == demo.AUDIT_ACTIONS)
    assert row[3] == "–"
    for line, styles in zip(content.rows[4:7], content.styles[4:7], strict=True):
        for text, style in zip(line[1:], styles[1:], strict=True):
            if style is not None and style.fill:
                assert text.split("\n")[1].split(" ", 1)[0] in "✔✖▲★●◆"  # a symbol, a word
    assert not ooxml_problems(path)


def test_masters_without_the_columns_or_sheet_keep_working(tmp_path: Path):
    register = demo.demo_register().drop(columns=["Governance indicator", "Directorate"])
    path = build_master(tmp_path / "old.xlsx", register=register,
                        settings=demo.demo_settings(PERIOD))
    master = read_master(path)
    assert master.report.valid and master.audit_rows.empty
    scored = master.score(demo.demo_values(PERIOD), PERIOD)
    assert not governance_block(scored, master.prepared_register, master.audit_rows, PERIOD)
    assert len(governance_table(scored, master.prepared_register)) == 0


def test_bad_audit_rows_are_findings_never_a_traceback(tmp_path: Path):
    audit = pd.DataFrame([
        ("Adults and Health", PERIOD, "lots", 1, 2, 3, 0),
        ("Children and Young People", PERIOD, 0, -1, 2, 3, 0),
        ("Regeneration and Environment", PERIOD, 0, 1, "=1+1", 3, 0),
        ("Regeneration and Environment", "next spring", 0, 1, 1, 3, 0),
        (None, PERIOD, 0, 1, 1, 3, 0),
        ("Resources", PERIOD, 0, 2.5, 1, 3, 0),
        ("Resources", "Q1 2013/14", 0, 2, 1, 3, None),
    ], columns=list(demo.demo_audit().columns))
    path = build_master(tmp_path / "m.xlsx", register=demo.demo_register(), audit=audit,
                        settings=demo.demo_settings(PERIOD))
    ws_wb = load_workbook(path)
    assert ws_wb["Audit"]["E4"].data_type == "s"  # the formula stays text
    master = read_master(path)
    found = {(f.rule, f.cell) for f in master.report if f.sheet == "Audit"}
    assert found == {("REG-078", "C2"), ("REG-078", "D3"), ("REG-078", "E4"),
                     ("REG-079", "B5"), ("REG-079", "A6"), ("REG-078", "D7")}
    messages = {f.cell: f.message for f in master.report if f.sheet == "Audit"}
    assert "'lots' is not a whole number of audits" in messages["C2"]
    assert "not used" in messages["D3"]
    # Only the good row is used: Resources' Q1 counts (blank Due is 0).
    assert master.audit_rows.values.tolist() == [["Resources", "Q1 2013/14", 0, 2, 1, 3, 0]]
    # The refresh logs them and still writes the block from what is usable.
    result = refresh(ZipWorkbook(path), returns=[], ledger=tmp_path / "l.sqlite",
                     new_ledger=True)
    assert "Governance" in result.sheets
    log = _sheet(path, "Log")
    assert any(r[5] == "REG-078" and r[4] == "C2" for r in log)
    rows = _sheet(path, "Governance")
    assert ["Resources", 0, 2, 1, 3, 0, "Q1 2013/14"] == [
        int(v) if isinstance(v, float) else v for v in next(r for r in rows
                                                           if r[0] == "Resources")[:7]]
    assert not ooxml_problems(path)


@pytest.mark.parametrize("bad", ["lots", "-2", "=1+1", "2.5", -1, 1.5, True, "＝1"])
def test_a_count_is_a_whole_number_or_an_error(bad: object):
    with pytest.raises(InputError):
        parse_count(bad)


def test_the_report_prints_the_governance_block_as_the_sheet_does(demo_dir: Path):
    import datetime as dt
    from html.parser import HTMLParser

    from xlperf.report import render_html, report_data_from_master

    master = demo_dir / "master.xlsx"
    _fill(demo_dir / "returns" / f"Workforce - {PERIOD.replace('/', '-')}.xlsx", "GOV AH1", 12.5)
    refresh(ZipWorkbook(master))
    data = report_data_from_master(master, generated=dt.date(2013, 10, 20))
    assert "governance" in data.sections
    html = render_html(data)
    start = html.index('<section id="governance"')
    block = html[start:html.index("</section>", start)]
    # Every cell of the Governance sheet's indicator rows is in the report's table.
    rows = _sheet(master, "Governance")
    for row in rows[4:7]:
        assert f"<th scope=\"row\">{row[0]}</th>" in block
        for cell in row[1:4]:
            value, status, period = cell.split("\n")
            symbol, word = status.split(" ", 1)
            assert value in block and period in block
            assert f'<span aria-hidden="true">{symbol}</span> {word}</span>' in block
    assert "12.5 days against 8 days" in block
    assert "Key: NA = No Assurance" in block and ">Limited Assurance<" not in block

    class Cells(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.rows: list[list[str]] = []
            self.inside = False

        def handle_starttag(self, tag: str, attrs: list) -> None:
            if tag == "tr":
                self.rows.append([])
            self.inside = tag in ("td", "th")

        def handle_data(self, data: str) -> None:
            if self.inside and self.rows:
                self.rows[-1].append(data)

    parser = Cells()
    parser.feed(block[block.index("Internal audit assurance"):])
    by_directorate = {r[0]: r[1:] for r in parser.rows[1:] if r}
    assert by_directorate[demo.D_CYPS] == ["0", "2", "0", "4", "2", PERIOD]


def test_a_report_without_governance_leaves_the_section_out(tmp_path: Path):
    import datetime as dt

    from xlperf.report import render_html, report_data_from_master

    register = demo.demo_register().drop(columns=["Governance indicator", "Directorate"])
    path = build_master(tmp_path / "old.xlsx", register=register,
                        settings=demo.demo_settings(PERIOD))
    data = report_data_from_master(path, values=demo.demo_values(PERIOD),
                                   generated=dt.date(2013, 10, 20))
    assert "governance" not in data.sections
    assert 'id="governance"' not in render_html(data)
    asked = report_data_from_master(path, values=demo.demo_values(PERIOD),
                                    generated=dt.date(2013, 10, 20),
                                    sections=["summary", "governance"])
    assert "No governance indicators" in render_html(asked)
