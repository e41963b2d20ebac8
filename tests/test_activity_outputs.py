"""Milestones, projects and risks on the refresh's sheets and in the report (issue 24, the
output side), through the user path: the demo master (its Milestones, Projects and Risks
sheets) refreshed, the Key activities and Objectives sheets read back; the services' activity
frame built directly and written through the same writer; the report's HTML checked."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest
import python_calamine as pc
from _workbook_helpers import demo_workbooks, ooxml_problems
from openpyxl import load_workbook

from xlperf import demo
from xlperf.core.activity import ACTIVITY_COLUMNS
from xlperf.layout import OUTPUT_HEADER_ROW
from xlperf.read.master import read_master
from xlperf.refresh import ZipWorkbook, refresh
from xlperf.write.outputs import build_outputs

PERIOD = "Q2 2013/14"
O1, O4 = demo._O1, demo._O4


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("activity")
    demo_workbooks(folder, period=PERIOD)
    return folder


@pytest.fixture(scope="module")
def refreshed(pristine: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    target = tmp_path_factory.mktemp("refreshed") / "demo"
    shutil.copytree(pristine, target)
    result = refresh(ZipWorkbook(target / "master.xlsx"))
    return target / "master.xlsx", result


def _grid(path: Path, name: str) -> list[list]:
    return pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


def _returned() -> pd.DataFrame:
    """What the services returned for the demo's milestones and projects this period."""
    return pd.DataFrame([
        ("M01", "milestone", PERIOD, "Good / on schedule", None, "Launched in all teams",
         "Safeguarding", "Safeguarding - Q2.xlsx"),
        ("M02", "milestone", PERIOD, "Fair / behind", None, "Two teams audited late",
         "Safeguarding", "Safeguarding - Q2.xlsx"),
        ("M03", "milestone", PERIOD, "Complete", None, "", "Children in Care", "CiC.xlsx"),
        ("P02", "project", PERIOD, "Amber", "Green", "Planning permission delayed",
         "Children in Care", "CiC.xlsx"),
    ], columns=list(ACTIVITY_COLUMNS[:8])).reindex(columns=list(ACTIVITY_COLUMNS))


def test_the_refresh_writes_key_activities_as_the_returns_reported_them(refreshed):
    """Each line shows what the demo's returns reported (the ledger's activity frame after the
    refresh), and a milestone or project no return reported is Not reported."""
    master, result = refreshed
    from xlperf.core.activity import progress_text
    from xlperf.ledger import Ledger, activity_frame

    with Ledger(master.with_suffix(".ledger.sqlite")) as ledger:
        returned = activity_frame(ledger, PERIOD).set_index("code")
    assert len(returned), "the demo's returns report on their milestones and projects"

    def shown(code: str) -> str:
        progress = returned["progress"].get(code)
        return progress_text(progress) if isinstance(progress, str) else "– Not reported"

    assert "Key activities" in result.sheets
    assert not ooxml_problems(master)
    rows = _grid(master, "Key activities")
    assert rows[0][0].endswith(f"Key activities {PERIOD}")
    headers = rows[OUTPUT_HEADER_ROW - 1]
    assert headers[:6] == ["Code", "Kind", "Key activity / project", "Lead officer", "Due date",
                           "Progress"]
    body = rows[OUTPUT_HEADER_ROW:]
    lines = {r[0]: r for r in body if r[0] and r[1]}
    milestones, projects = demo.demo_milestones(), demo.demo_projects()
    assert set(lines) == set(milestones["Code"]) | set(projects["Code"])
    for record in milestones.to_dict("records"):
        line = lines[record["Code"]]
        assert line[1:4] == ["Milestone", record["Milestone"], record["Lead officer"]]
        assert line[4] == record["Due date"].date()  # a date, not text
        assert line[5] == shown(record["Code"]) and line[9] == PERIOD
    for code in projects["Code"]:
        assert lines[code][1] == "Project" and lines[code][5] == shown(code)
        forecast = returned["forecast"].get(code)
        assert lines[code][6] == (progress_text(forecast) if isinstance(forecast, str) else "")
    # each objective's band comes before its lines, in the Measures sheet's order
    bands = [r[0] for r in body if r[0] and not r[1] and not str(r[0]).startswith("Key:")]
    objectives = list(dict.fromkeys(result.scored["objective"]))
    assert bands == [o for o in objectives if o in set(milestones["Objective"])
                     | set(projects["Objective"])]
    assert body[-1][0].startswith("Key: ★ Excellent / ahead")
    # it prints as the other output sheets do
    wb = load_workbook(master)
    ws = wb["Key activities"]
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$4:$4"
    assert ws.freeze_panes == "A5"
    # one page wide at 8 pt or more, as the Scorecard (tests/test_print_layout.py)
    from xlperf.write._print import BODY_PT, MIN_TEXT_PT, PAPER_SIZES, column_points

    assert ws.page_setup.fitToWidth == 1
    total = sum(column_points(ws.column_dimensions[c].width) for c in "ABCDEFGHIJ")
    assert (PAPER_SIZES["A4"][2] - 0.8 * 72) / total * BODY_PT >= MIN_TEXT_PT


def test_the_objectives_sheet_counts_milestones_projects_and_risks(refreshed):
    master, result = refreshed
    from xlperf.core.activity import MILESTONE_PROGRESS, NOT_REPORTED, progress_text
    from xlperf.ledger import Ledger, activity_frame

    with Ledger(master.with_suffix(".ledger.sqlite")) as ledger:
        returned = activity_frame(ledger, PERIOD).set_index("code")["progress"]
    rows = _grid(master, "Objectives")
    headers = rows[OUTPUT_HEADER_ROW - 1]
    at = {h: i for i, h in enumerate(headers)}
    milestones, risks = demo.demo_milestones(), demo.demo_risks()
    # each milestone's progress as the demo's returns reported it (Not reported when none)
    progress = milestones["Code"].map(lambda c: returned.get(c)).where(
        lambda p: p.map(lambda v: isinstance(v, str)), NOT_REPORTED)
    occurring = [p for p in MILESTONE_PROGRESS if (progress == p).any()]
    milestone_headers = [h for h in headers if h.startswith("Milestones")]
    assert milestone_headers == [f"Milestones {progress_text(p)}" for p in occurring]
    # the counts come last, after the judgement, direction of travel and director's columns
    first = headers.index(milestone_headers[0])
    assert headers[first:] == [
        *milestone_headers, "Projects", "Risks High", "Risks Medium", "Risks Low",
        "Risks for all objectives †"]
    assert first > at["Judgement"]
    lines = {r[1]: r for r in rows[OUTPUT_HEADER_ROW:] if r[0] == ""}
    for objective, line in lines.items():
        mine = progress[milestones["Objective"] == objective]
        for p in occurring:
            assert line[at[f"Milestones {progress_text(p)}"]] == (mine == p).sum(), objective
        assert sum(line[at[h]] for h in milestone_headers) == len(mine)
        own = risks[risks["Objective"] == objective]
        for rating in ("High", "Medium", "Low"):
            assert line[at[f"Risks {rating}"]] == (own["Rating"] == rating).sum(), objective
        assert line[at["Risks for all objectives †"]] == 1  # the demo's one for every one
    assert lines[O4][at["Risks High"]] == 1 and lines[O4][at["Risks Medium"]] == 1
    # the measures' status counts still add up to the measures before the judgement
    judgement = at["Judgement"]
    for row in rows[OUTPUT_HEADER_ROW:]:
        assert sum(row[3:judgement]) == row[2]
    # a priority's line sums its objectives' milestones
    priority = next(r for r in rows[OUTPUT_HEADER_ROW:] if r[1] == "All objectives"
                    and r[0].startswith("Priority 2"))
    p2 = milestones["Objective"].str.startswith("P2")
    assert sum(priority[at[h]] for h in milestone_headers) == p2.sum()


def _write(master: Path, result: object, activity: pd.DataFrame, **kwargs: object) -> None:
    """Write the output sheets with a built activity frame through the refresh's writer."""
    read = read_master(master)
    sheets = build_outputs(result.scored, period=PERIOD, council=read.settings.council,
                           activity=activity, objective_sheets=read.objective_sheets,
                           risk_ratings=read.risk_ratings, **kwargs)
    ZipWorkbook(master).write_sheets(sheets)


def test_a_returned_activity_frame_shows_progress_commentary_and_forecast(refreshed, tmp_path):
    source, result = refreshed
    master = tmp_path / "master.xlsx"
    shutil.copy(source, master)
    _write(master, result, _returned())
    assert not ooxml_problems(master)
    rows = _grid(master, "Key activities")
    lines = {r[0]: r for r in rows[OUTPUT_HEADER_ROW:] if r[0] and r[1]}
    assert lines["M01"][5:8] == ["✓ Good / on schedule", "", "Launched in all teams"]
    assert lines["M02"][5] == "▲ Fair / behind" and lines["M02"][8] == "Safeguarding"
    assert lines["M03"][7] == "no commentary given"
    assert lines["P02"][5:8] == ["! Amber", "✔ Green", "Planning permission delayed"]
    assert lines["M04"][5] == "– Not reported"
    # the progress cell is filled with the colour of the status it counts like, with its
    # symbol and word in it (never colour alone)
    wb = load_workbook(master)
    ws = wb["Key activities"]
    at = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "M02")
    cell = ws.cell(at, 6)
    assert cell.fill.fgColor.rgb.upper().endswith(demo_amber())
    counts = _grid(master, "Objectives")
    headers = counts[OUTPUT_HEADER_ROW - 1]
    o1 = next(r for r in counts[OUTPUT_HEADER_ROW:] if r[1] == O1)
    assert o1[headers.index("Milestones ✓ Good / on schedule")] == 1
    assert o1[headers.index("Milestones ▲ Fair / behind")] == 1


def demo_amber() -> str:
    from xlperf.core.schemes import BUILTIN_SCHEMES

    return next(b.colour for b in BUILTIN_SCHEMES["rag"].bands
                if b.label == "Amber").lstrip("#").upper()


def test_milestones_in_the_roll_up_as_the_council_configures(refreshed, tmp_path):
    source, result = refreshed
    master = tmp_path / "master.xlsx"
    shutil.copy(source, master)
    read = read_master(master)
    o7 = demo._O7  # On Track from its measures: 4 of 5 rated on target, 1 worse within
    sheets = dict(read.objective_sheets)
    extra = pd.DataFrame({"Code": ["M11", "M12", "M13"], "Objective": [o7] * 3,
                          "Milestone": ["Careers fair", "Apprenticeship drive", "NEET panel"],
                          "Lead officer": ["Head of Education"] * 3,
                          "Due date": [dt.datetime(2014, 3, 31)] * 3,
                          "Service": ["Education and Skills"] * 3})
    sheets["Milestones"] = pd.concat([sheets["Milestones"], extra], ignore_index=True)

    def judgement(progress: str, **kwargs: object) -> str:
        back = pd.DataFrame({"code": ["M04", "M11", "M12", "M13"], "kind": "milestone",
                             "period": PERIOD, "progress": progress, "forecast": None,
                             "commentary": "x", "service": "Education and Skills",
                             "source": "ed.xlsx"})
        ZipWorkbook(master).write_sheets(build_outputs(
            result.scored, period=PERIOD, activity=back, objective_sheets=sheets, **kwargs))
        rows = _grid(master, "Objectives")
        headers = rows[OUTPUT_HEADER_ROW - 1]
        line = next(r for r in rows[OUTPUT_HEADER_ROW:] if r[1] == o7)
        behind = "Milestones ▲ Fair / behind"  # a column only when some milestone is
        assert (line[headers.index(behind)] if behind in headers else 0) == (
            4 if progress == "Fair / behind" else 0)
        return line[headers.index("Judgement")]

    # No by default: measures only
    assert judgement("Fair / behind") == "On Track"
    # Yes: four behind count like four Amber measures, 5 of 9 rated worse within tolerance
    assert judgement("Fair / behind", milestones_in_rollup=True) == "At Risk"
    assert judgement("Good / on schedule", milestones_in_rollup=True) == "On Track"
    assert judgement("Not started", milestones_in_rollup=True) == "On Track"
    assert not ooxml_problems(master)


def test_a_master_without_the_sheets_has_no_key_activities_and_no_counts(tmp_path):
    from xlperf.write.master import build_master

    register = demo.demo_register()
    path = build_master(tmp_path / "master.xlsx", register=register)
    wb = load_workbook(path)
    for name in ("Milestones", "Projects", "Risks"):
        del wb[name]
    wb.save(path)
    read = read_master(path)
    scored = read.score(pd.DataFrame(columns=["Code", "Period", "Actual"]), PERIOD)
    sheets = build_outputs(scored, period=PERIOD, objective_sheets=read.objective_sheets,
                           activity=_returned())
    assert "Key activities" not in sheets
    headers = sheets["Objectives"].rows[OUTPUT_HEADER_ROW - 1]
    assert not [h for h in headers if str(h).startswith(("Milestones", "Risks", "Projects"))]


# ------------------------------------------------------------------------------ the report
def test_the_report_prints_milestones_projects_and_risks(pristine):
    from xlperf.report import render_html, report_data_from_master

    master = pristine / "master.xlsx"
    html = render_html(report_data_from_master(master, generated=dt.date(2013, 10, 20),
                                               activity=_returned()))
    start = html.index('id="obj-')
    objectives = html[start:html.index("</section>", start)]
    # under P2 Obj 1: its milestones table, then its projects
    o1 = objectives[objectives.index(O1.replace("'", "&#x27;")):]
    o1 = o1[:o1.index('<div class="objective"') if '<div class="objective"' in o1 else None]
    assert "<caption>Key activities and milestones</caption>" in o1
    assert "Launched in all teams" in o1 and "Head of Safeguarding" in o1
    assert "31 Dec 2013" in o1  # M01's due date
    assert '<span aria-hidden="true">▲</span> Fair / behind' in o1  # symbol and word
    assert "<caption>Other headlines / key activity</caption>" in o1
    assert "Mobile working for social workers" in o1
    assert "– Not reported" in o1  # P01: nobody returned it
    p02 = objectives[objectives.index("New children&#x27;s home"):]
    p02 = p02[:p02.index("</tr>")]
    assert "</span> Amber" in p02 and "</span> Green" in p02
    assert "Planning permission delayed" in p02
    # the summary: milestones and risks beside each objective, the all-objectives risk marked
    summary = html[html.index('<section id="summary"'):]
    summary = summary[:summary.index("</section>")]
    assert '<th scope="col">Milestones</th>' in summary and '<th scope="col">Risks</th>' in summary
    row = summary[summary.index(f"{O4}</th>"):]
    row = row[:row.index("</tr>")]
    assert "● complete 1" in row and "High 1" in row and "Medium 1" in row
    assert '<abbr title="impacts all objectives">†</abbr> Medium 1' in row
    assert "Milestones: ★ Excellent / ahead" in summary


def test_the_report_leaves_the_blocks_out_when_the_master_has_none(pristine, tmp_path):
    from xlperf.report import render_html, report_data_from_master

    folder = tmp_path / "demo"
    shutil.copytree(pristine, folder)
    master = folder / "master.xlsx"
    wb = load_workbook(master)
    for name in ("Milestones", "Projects", "Risks"):
        del wb[name]
    wb.save(master)
    html = render_html(report_data_from_master(master, generated=dt.date(2013, 10, 20),
                                               activity=_returned()))
    assert "Key activities and milestones" not in html
    assert "Other headlines / key activity" not in html
    assert '<th scope="col">Milestones</th>' not in html
    assert '<th scope="col">Risks</th>' not in html
