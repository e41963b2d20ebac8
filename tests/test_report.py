"""The committee report: built from the refreshed demo, checked as a councillor and a screen
reader would: every measure once, exactly the exceptions, the Scorecard sheet's numbers,
accessible markup, the same bytes twice, and a PDF."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from html.parser import HTMLParser

import pandas as pd
import pytest
from typer.testing import CliRunner

from xlperf import demo
from xlperf.core.activity import MILESTONE_PROGRESS
from xlperf.core.direction import WORSENING
from xlperf.core.figures import figure_decimals, measure_decimals
from xlperf.core.periods import parse_period
from xlperf.core.rollup import JUDGEMENTS
from xlperf.core.schemes import BUILTIN_SCHEMES, SPECIAL_STATUSES
from xlperf.core.score import score
from xlperf.report import (
    SECTIONS,
    ReportData,
    contrast_ratio,
    exceptions,
    history_from_values,
    parse_sections,
    render_html,
    render_pdf,
    report_data_from_master,
    text_on,
)
from xlperf.report._svg import fmt

GENERATED = dt.date(2013, 10, 22)
# Every word a chip may say: the schemes' statuses, the special ones, the judgements and the
# milestones' progress (xlperf.core.activity; a project's RAG is a scheme's word).
STATUS_WORDS = ({b.label for s in BUILTIN_SCHEMES.values() for b in s.bands}
                | {s.label for s in SPECIAL_STATUSES} | set(JUDGEMENTS)
                | set(MILESTONE_PROGRESS))


class Page(HTMLParser):
    """A small DOM: every element with its attributes, parent chain and text."""

    VOID = {"meta", "br", "img", "col", "link", "input", "hr", "circle", "line", "polyline",
            "polygon", "rect", "path"}

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.root = {"tag": "#root", "attrs": {}, "children": [], "text": [], "parent": None}
        self.stack = [self.root]
        self.elements: list[dict] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        node = {"tag": tag, "attrs": dict(attrs), "children": [], "text": [],
                "parent": self.stack[-1]}
        self.stack[-1]["children"].append(node)
        self.stack[-1]["text"].append(node)
        self.elements.append(node)
        if tag not in self.VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        assert self.stack[-1]["tag"] == tag, f"</{tag}> closes <{self.stack[-1]['tag']}>"
        self.stack.pop()

    def handle_data(self, data):
        self.stack[-1]["text"].append(data)


def text_of(node: dict) -> str:
    """The text of an element and its descendants, in document order."""
    parts = [item if isinstance(item, str) else text_of(item) for item in node["text"]]
    return " ".join(" ".join(parts).split())


def find(node: dict, tag: str | None = None, **attrs) -> list[dict]:
    found = []
    for child in node["children"]:
        if (tag is None or child["tag"] == tag) and all(
                child["attrs"].get(k.rstrip("_")) == v for k, v in attrs.items()):
            found.append(child)
        found.extend(find(child, tag, **attrs))
    return found


def section(page: Page, name: str) -> dict:
    (found,) = [e for e in page.elements if e["tag"] == "section" and e["attrs"].get("id") == name]
    return found


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory):
    """The demo master, refreshed (ledger with three years of history), and its report data."""
    from _workbook_helpers import demo_workbooks

    from xlperf.ledger import Ledger, ledger_path
    from xlperf.refresh import ZipWorkbook, refresh

    out = tmp_path_factory.mktemp("demo")
    files = demo_workbooks(out)
    start = parse_period(demo.DEMO_PERIOD).start
    values = demo.demo_values()
    earlier = values[values["Period"].map(lambda p: parse_period(p).end < start)]
    with Ledger(ledger_path(files.master)) as ledger:
        ledger.record_values(earlier)
    refresh(ZipWorkbook(files.master), now=dt.datetime(2013, 10, 22, 9, 0))
    data = report_data_from_master(files.master, generated=GENERATED)
    return files.master, data


@pytest.fixture(scope="module")
def html(refreshed):
    return render_html(refreshed[1])


@pytest.fixture(scope="module")
def page(html):
    return Page(html)


def test_html_parses_and_has_every_section_in_order(html, page):
    ids = [e["attrs"]["id"] for e in page.elements if e["tag"] == "section"]
    assert ids == list(SECTIONS)
    assert html.startswith("<!DOCTYPE html>")
    assert "Generated on: 22 October 2013" in html


def test_every_measure_once_in_the_objective_tables(refreshed, page):
    _master, data = refreshed
    rows = find(section(page, "objectives"), "tr")
    codes = [r["attrs"]["data-code"] for r in rows if "data-code" in r["attrs"]]
    register = demo.demo_register()["Code"].tolist()
    assert sorted(codes) == sorted(register)
    assert len(codes) == len(set(codes)) == len(demo.demo_register())


def test_cards_are_exactly_the_default_policy(refreshed, page):
    _master, data = refreshed
    scored = data.scored
    # The policy worked out by hand: beyond tolerance; worse than target and worsened by at
    # least a quarter of the tolerance; or a reported status that differs from the rule.
    register = data.register.set_index("code")
    expected = []
    for r in scored.itertuples():
        tol = register.loc[r.code, "tolerance"]
        width = abs(r.target) * tol / 100 if register.loc[r.code, "tolerance_type"] == (
            "relative") else tol
        width = 0.0 if pd.isna(width) else width
        beyond = bool(r.rated) and r.severity == 2
        worse = (bool(r.rated) and r.direction == WORSENING
                 and abs(r.actual - r.previous) >= 0.25 * width - 1e-9)
        if beyond or (worse and r.severity >= 1) or bool(r.reported_differs):
            expected.append(r.code)
    assert set(exceptions(scored, data.cards, data.register)["code"]) == set(expected)
    part = section(page, "exceptions")
    listed = [r["attrs"]["data-code"] for r in find(part, "tr") if "data-code" in r["attrs"]]
    cards = [a["attrs"]["data-code"] for a in find(part, "article")]
    assert sorted(listed) == sorted(expected) and listed == cards
    # Beyond tolerance first, each group in register order.
    beyond = scored.set_index("code").loc[listed]
    flags = (beyond["rated"] & (beyond["severity"] == 2)).tolist()
    assert flags == sorted(flags, reverse=True)
    assert 0 < len(listed) < len(scored)
    # A measure on target that got worse has no card, and the old rule would have given some.
    green_worse = scored[(scored["severity"] == 0) & (scored["direction"] == WORSENING)
                         & ~scored["reported_differs"].astype(bool)]
    assert len(green_worse) and not set(green_worse["code"]) & set(listed)
    # The contents page says how many cards and why; each card's row says why.
    contents = text_of(section(page, "cover"))
    assert f"{len(listed)} cards" in contents and "beyond tolerance" in contents
    rows = {r["attrs"]["data-code"]: text_of(r) for r in find(part, "tr")
            if "data-code" in r["attrs"]}
    for code in listed:
        assert any(w in rows[code] for w in ("Beyond tolerance", "Off target and worsening",
                                             "Reported")), rows[code]


def test_card_policy_on_a_hand_made_frame():
    from xlperf.core.cards import CardPolicy, parse_card_policy

    frame = pd.DataFrame({
        "code": ["red", "amber-worse", "green-worse", "no-data", "data-only-red",
                 "red-diamond", "amber-wobble", "reported"],
        "rated": [True, True, True, False, False, True, True, True],
        "severity": [2, 1, 0, 1, 2, 2, 1, 0],
        "direction": ["Improving ↑", WORSENING, WORSENING, "Not comparable",
                      "Not comparable", WORSENING, WORSENING, "No change ↔"],
        "actual": [10, 10, 10, None, 10, 10, 10, 10],
        "previous": [9, 12, 15, None, 10, 11, 10.1, 10],
        "target": [20] * 8,
        "status": ["Red", "Amber", "Green", "No data", "Data only", "Red", "Amber", "Green"],
        "reported_status": [None] * 7 + ["Red"],
        "reported_differs": [False] * 7 + [True]})
    register = pd.DataFrame({"code": frame["code"], "tolerance": [4.0] * 8,
                             "tolerance_type": ["absolute"] * 8})
    found = exceptions(frame, register=register)
    assert found["code"].tolist() == ["red", "red-diamond", "amber-worse", "reported"]
    assert found["why"].tolist() == ["beyond tolerance", "beyond tolerance; worsening",
                                     "off target and worsening", "reported Red, rule says Green"]
    # Every worsening, with no threshold: the Green and the wobble too.
    loose = exceptions(frame, parse_card_policy("beyond tolerance, worsening", "0"), register)
    assert loose["code"].tolist() == ["red", "red-diamond", "amber-worse", "green-worse",
                                      "amber-wobble"]
    assert exceptions(frame, CardPolicy(reasons=()), register).empty
    assert len(exceptions(frame, parse_card_policy("every measure"), register)) == 8
    with pytest.raises(ValueError, match="horoscope"):
        parse_card_policy("beyond tolerance, horoscope")
    with pytest.raises(ValueError, match="threshold"):
        parse_card_policy(None, "lots")


def test_card_settings_are_read_from_the_master_and_checked(tmp_path):
    from _workbook_helpers import demo_workbooks
    from openpyxl import load_workbook

    from xlperf.read.master import read_master

    files = demo_workbooks(tmp_path)
    wb = load_workbook(files.master)
    ws = wb["Settings"]
    row = ws.max_row + 1
    ws.cell(row, 1, "Report cards")
    ws.cell(row, 2, "Beyond tolerance")
    ws.cell(row + 1, 1, "Card worsening threshold")
    ws.cell(row + 1, 2, "lots")
    wb.save(files.master)
    master = read_master(files.master)
    (bad,) = [f for f in master.report if f.rule == "REG-040"]
    assert bad.cell == f"B{row + 1}" and "lots" in bad.message and "default" in bad.message
    data = report_data_from_master(files.master, generated=GENERATED)
    assert data.cards.reasons == ("beyond tolerance",) and data.cards.threshold == 0.25
    scored = data.scored
    beyond = scored[scored["rated"].astype(bool) & (scored["severity"] == 2)]
    assert set(exceptions(scored, data.cards, data.register)["code"]) == set(beyond["code"])


def _scorecard_sheet(master) -> dict[str, dict]:
    from xlperf.read._calamine import open_workbook, sheet_grid

    grid = sheet_grid(open_workbook(master), "Scorecard", file=str(master))
    header = next(i for i, row in enumerate(grid) if row and row[0] == "Code")
    names = grid[header]
    rows = {}
    for row in grid[header + 1:]:
        if row[names.index("Period")] is None:  # a priority or objective heading
            continue
        rows[str(row[0])] = dict(zip(names, row, strict=False))
    return rows


def test_numbers_equal_the_scored_frame_and_the_scorecard_sheet(refreshed, page):
    master, data = refreshed
    sheet = _scorecard_sheet(master)
    scored = data.scored.set_index("code")
    rows = [r for r in find(section(page, "objectives"), "tr") if "data-code" in r["attrs"]]
    assert len(rows) == len(sheet) == len(demo.demo_register())
    for row in rows:
        code = row["attrs"]["data-code"]
        cells = [text_of(td) for td in find(row, "td")]
        status, value, target, _annual, period, _note = cells
        s, card = scored.loc[code], sheet[code]
        places = measure_decimals(s["unit"], s["actual"], s["target"], s["annual_target"])
        assert value == (fmt(s["actual"], s["unit"], places=places) if pd.notna(s["actual"])
                         else s["actual_reason"])
        assert target == (fmt(s["target"], s["unit"], places=places)
                          if pd.notna(s["target"]) else "")
        assert status.endswith(s["status"]) and period == s["period"]
        # The refresh's Scorecard sheet says the same.
        assert period == card["Period"]
        assert card["Status"].endswith(s["status"])
        if isinstance(card["Actual"], float):
            assert round(card["Actual"], 4) == round(s["actual"], 4)
            assert value == fmt(card["Actual"], s["unit"], places=places)
        if isinstance(card["Target"], float):
            assert round(card["Target"], 4) == round(s["target"], 4)


def _excel_text(value: float, number_format: str) -> str:
    """``value`` as Excel shows it in a cell of ``number_format`` (the Scorecard's formats:
    up to three sections, a literal before and after the digits, ``#,##0`` and places),
    rounded half away from zero as Excel does; written here, not with xlperf's functions."""
    from decimal import ROUND_HALF_UP, Decimal

    sections = number_format.split(";")
    section = sections[0]
    if value < 0 and len(sections) > 1:
        section = sections[1]
    elif value == 0 and len(sections) > 2:
        section = sections[2]
    before, digits, after = re.fullmatch(r'([^#0]*)([#,0.]+)(.*)', section).groups()
    places = len(digits.split(".", 1)[1]) if "." in digits else 0
    number = Decimal(f"{abs(value):.15g}").quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    text = f"{number:,.{places}f}" if "," in digits else f"{number:.{places}f}"
    sign = "-" if value < 0 and len(sections) == 1 else ""
    return sign + before.replace('"', "") + text + after.replace('"', "")


def _scorecard_cells(master) -> dict[str, dict]:
    from openpyxl import load_workbook

    sheet = load_workbook(master)["Scorecard"]
    header = next(row for row in sheet.iter_rows() if row[0].value == "Code")
    names = [c.value for c in header]
    return {str(row[0].value): dict(zip(names, row, strict=False))
            for row in sheet.iter_rows(min_row=header[0].row + 1)
            if row[names.index("Period")].value is not None}


def test_each_current_value_says_its_unit_as_the_scorecard_cell_shows_it(refreshed, page):
    """CARE PROC '33 wks', sickness '7.8 days', CIN '325 per 10k', '85.0%': the pack's current
    value, target and annual target are the Scorecard's cells' text as Excel shows it, and
    each card's variance is the Variance and Variance % cells' ('-2.2 pts (-3.8%)')."""
    master, _data = refreshed
    cells = _scorecard_cells(master)
    rows = [r for r in find(section(page, "objectives"), "tr") if "data-code" in r["attrs"]]
    seen = set()
    for row in rows:
        code = row["attrs"]["data-code"]
        _status, value, target, annual, *_ = [text_of(td) for td in find(row, "td")]
        for text, cell in ((value, cells[code]["Actual"]), (target, cells[code]["Target"]),
                           (annual, cells[code]["Annual target"])):
            if not isinstance(cell.value, (int, float)):
                continue
            assert text == _excel_text(float(cell.value), cell.number_format), (
                code, text, cell.value, cell.number_format)
            seen.add(re.sub(r"^-?£?[\d,]*\.?\d*", "", text))
    assert {"%", " wks", " days", " per 10k"} <= seen, seen
    compared = 0
    for card in find(section(page, "exceptions"), "article"):
        code = card["attrs"]["data-code"]
        facts = find(card, "table")[0]
        said = dict(zip([text_of(th) for th in find(facts, "th")],
                        [text_of(td) for td in find(facts, "td")], strict=True))
        variance, pct = cells[code]["Variance"], cells[code]["Variance %"]
        if not isinstance(variance.value, (int, float)):
            continue
        expected = _excel_text(float(variance.value), variance.number_format)
        expected += (f" ({_excel_text(float(pct.value), pct.number_format)})"
                     if isinstance(pct.value, (int, float)) else f" ({pct.value})")
        assert said["Variance"] == expected, code
        if cells[code]["Unit"].value == "%":
            assert expected.split(" (")[0].endswith(" pts") and said["Tolerance"].endswith(
                ("pts", "of target")), (code, said)
            compared += 1
    assert compared, "no percentage measure's card was compared"


def test_trend_table_last_column_is_the_reported_value(refreshed, page):
    _master, data = refreshed
    scored = data.scored.set_index("code")
    rows = [r for r in find(section(page, "trend"), "tr") if "data-code" in r["attrs"]]
    assert sorted(r["attrs"]["data-code"] for r in rows) == sorted(scored.index)
    for row in rows:
        s = scored.loc[row["attrs"]["data-code"]]
        cells = [text_of(td) for td in find(row, "td", **{})]
        # rank, baseline, six periods, target, status, variation, assurance, sparkline,
        # direction, trend
        # The six periods are said to the places of the measure's figures and theirs.
        six = [float(m[0].replace(",", "")) for t in cells[2:8]
               if (m := re.search(r"-?[\d,]+(\.\d+)?", t))]
        places = figure_decimals(s["unit"], (s["actual"], s["target"], s["annual_target"], *six))
        assert cells[7] == fmt(s["actual"], s["unit"], places=places)
        assert cells[-2] == s["direction"] and cells[-1] == s["trend"]


def test_finance_page_has_revenue_and_capital_totals(refreshed, page):
    text = text_of(section(page, "finance"))
    assert "Directorate total" in text and "Capital programme total" in text
    assert re.search(r"Budget £[\d.]+M, forecast £[\d.]+M", text)
    budget = refreshed[1].budget
    total = budget[budget["line"] == "Directorate total"].iloc[0]
    assert fmt(total["variance"]) in text


def test_finance_page_shows_what_the_refresh_took_from_returns(tmp_path):
    """A service's forecast and a programme's actual to date, returned and accepted by a
    refresh, are on the report's finance page as on the Finance sheet (the ledger keeps them);
    a rejected return's figures are not."""
    import python_calamine as pc
    from _workbook_helpers import demo_workbooks
    from openpyxl import load_workbook

    from xlperf.refresh import ZipWorkbook, refresh

    files = demo_workbooks(tmp_path)
    returns = tmp_path / "returns"
    wb = load_workbook(returns / "Finance - Pauline Sharratt - Q2 2013-14.xlsx")
    wb["Finance"]["D13"], wb["Finance"]["F13"] = 22_000, "More placements."  # was 21,370
    wb.save(returns / "Finance - Pauline Sharratt - Q2 2013-14.xlsx")
    wb = load_workbook(returns / "Finance - Chris Walker - Q2 2013-14.xlsx")
    wb["Finance"]["D13"] = 2_000  # rejected: the variance of -781 is left unexplained
    wb.save(returns / "Finance - Chris Walker - Q2 2013-14.xlsx")
    wb = load_workbook(returns / "Capital programme - Q2 2013-14.xlsx")
    wb["Capital"]["D13"] = 2_500  # School places expansion spent so far (was 2,100)
    wb.save(returns / "Capital programme - Q2 2013-14.xlsx")
    refresh(ZipWorkbook(files.master), now=dt.datetime(2013, 10, 22, 9, 0))

    sheet = pc.CalamineWorkbook.from_path(str(files.master)).get_sheet_by_name(
        "Finance").to_python()
    on_sheet = {r[0]: dict(zip(sheet[3], r, strict=False)) for r in sheet if r and r[0]}
    assert on_sheet["Children in care"]["Forecast outturn"] == 22_000
    data = report_data_from_master(files.master, generated=GENERATED)
    lines = data.budget.set_index("line")
    assert lines.at["Children in care", "forecast"] == 22_000
    assert lines.at["Children in care", "explanation"] == "More placements."
    assert lines.at["Business support", "forecast"] == 2_690  # the Budget sheet's
    assert lines.at["Directorate total", "forecast"] == 22_000 + 14_725 + 5_402 + 2_690
    capital = data.capital.set_index("programme")
    assert capital.at["School places expansion", "actual"] == 2_500
    assert capital.at["Family hubs", "actual"] == 310
    text = text_of(section(Page(render_html(data)), "finance"))
    assert "22,000" in text and "More placements." in text
    # The directorate total is the Finance sheet's: the same status and explanation.
    total = on_sheet["Directorate total"]
    assert total["Forecast outturn"] == lines.at["Directorate total", "forecast"]
    assert lines.at["Directorate total", "status"] in total["Status"]
    assert total["Explanation"] == lines.at["Directorate total", "explanation"]
    assert "residential placements" in text
    # The capital programme's quarters: Q1 from the Capital sheet, Q2 as the return gave it.
    history = data.capital_history.set_index("programme")
    assert history.at["School places expansion", "Q1 2013/14 actual"] == 850
    assert history.at["School places expansion", "Q2 2013/14 actual"] == 2_500
    assert "Capital programme by quarter" in text


# ---------------------------------------------------------------- accessibility
def test_document_language_title_and_headings(page):
    (root,) = find(page.root, "html")
    assert root["attrs"]["lang"] == "en-GB"
    (title,) = find(find(page.root, "head")[0], "title")  # SVG titles are in the body
    assert "Doncaster-on-Sea Council" in text_of(title) and "Q2 2013/14" in text_of(title)
    assert len(find(page.root, "h1")) == 1


def test_every_chart_has_a_role_and_a_name_stating_its_numbers(refreshed, page):
    charts = find(page.root, "svg")
    assert len(charts) > 53  # a sparkline per measure, a chart per card
    for svg in charts:
        assert svg["attrs"].get("role") == "img"
        label = svg["attrs"].get("aria-label", "")
        assert label and find(svg, "title")
        assert re.search(r"\d", label), label
    assert not find(page.root, "img")  # no raster images at all
    # A card chart states every plotted value.
    card = find(section(page, "exceptions"), "article")[0]
    chart = find(card, "svg")[0]
    code = card["attrs"]["data-code"]
    history = refreshed[1].history
    for value in history.loc[history["code"] == code, "actual"].dropna():
        assert fmt(value) in chart["attrs"]["aria-label"]


def test_every_table_has_scoped_header_cells_and_a_caption(page):
    tables = find(page.root, "table")
    assert tables
    for table in tables:
        headers = find(table, "th")
        assert headers, "a table without header cells"
        assert all(th["attrs"].get("scope") in ("col", "row") for th in headers)
        assert find(table, "caption")


def test_no_status_by_colour_alone_and_every_colour_pair_has_contrast(page):
    chips = [e for e in page.elements if e["attrs"].get("class") == "status"]
    assert len(chips) > 100
    for chip in chips:
        word = text_of(chip)
        symbol = text_of(find(chip, "span")[0])
        assert word.removeprefix(symbol).strip() in STATUS_WORDS, word
        style = dict(part.split(":") for part in chip["attrs"]["style"].split(";"))
        ratio = contrast_ratio(style["background"], style["color"])
        assert ratio >= 4.5, (word, style)  # text contrast (AA); the brief's floor is 3:1
        assert contrast_ratio(style["background"], "#FFFFFF") >= 3.0, (word, style)


def test_every_status_colour_of_every_scheme_contrasts_with_the_page():
    colours = {b.colour for s in BUILTIN_SCHEMES.values() for b in s.bands}
    colours |= {s.colour for s in SPECIAL_STATUSES}
    for colour in colours:
        assert contrast_ratio(colour, "#FFFFFF") >= 3.0, colour
        assert contrast_ratio(colour, text_on(colour)) >= 4.5, colour
    # A council's own pale colour gets dark text, never white.
    assert text_on("#FFDD00") == "#0B0C0C" and contrast_ratio("#FFDD00", "#0B0C0C") > 4.5
    assert round(contrast_ratio("#000000", "#FFFFFF"), 1) == 21.0


def test_self_contained_and_readable(html):
    assert "<script" not in html and "<link" not in html and "<img" not in html
    assert "url(" not in html and 'src="' not in html
    assert re.search(r"html \{[^}]*font-size: 11pt", html)
    assert "counter(page)" in html and "counter(pages)" in html  # page numbers in print
    assert "break-inside: avoid" in html and "table-header-group" in html


# ---------------------------------------------------------------- determinism and switches
def test_same_data_same_bytes(refreshed, html):
    master, data = refreshed
    assert render_html(data) == html
    again = report_data_from_master(master, generated=GENERATED)
    assert render_html(again) == html


def test_sections_switch(refreshed):
    data = refreshed[1]
    only = Page(render_html(replace(data, sections=("summary", "finance"))))
    ids = [e["attrs"]["id"] for e in only.elements if e["tag"] == "section"]
    assert ids == ["summary", "finance"]
    assert len(find(only.root, "h1")) == 1
    assert parse_sections("Cover, Measure cards; trend scorecard") == (
        "cover", "exceptions", "trend")
    assert parse_sections("") == SECTIONS
    with pytest.raises(ValueError) as raised:
        parse_sections("cover, horoscope")
    assert "horoscope" in str(raised.value)


def test_report_from_plain_frames_without_budget_or_history():
    register = demo.demo_register()
    values = demo.demo_values()
    scored = score(values, register, demo.DEMO_PERIOD)
    data = ReportData(council="Test Council", directorate="Children", period=parse_period(
        demo.DEMO_PERIOD), generated=GENERATED, scored=scored)
    page = Page(render_html(data))
    assert "No budget or capital figures" in text_of(section(page, "finance"))
    history = history_from_values(values, register, demo.DEMO_PERIOD)
    assert {"code", "period", "actual", "target", "status"} <= set(history.columns)
    monthly = history[history["code"] == "(Old)NI_117a"]
    assert len(monthly) == 12 and monthly["period"].iloc[-1] == "Sep-13"
    latest = scored.set_index("code").loc["(Old)NI_117a"]
    assert monthly["actual"].iloc[-1] == latest["actual"]
    assert monthly["status"].iloc[-1] == latest["status"]


def test_cli_writes_the_report(refreshed, tmp_path):
    from xlperf.cli import app

    master, _data = refreshed
    out = tmp_path / "pack.html"
    result = CliRunner().invoke(app, ["report", str(master), "--out", str(out), "--date",
                                      "2013-10-22"])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == render_html(refreshed[1])
    bad = CliRunner().invoke(app, ["report", str(master), "--format", "docx"])
    assert bad.exit_code == 2 and "docx" in bad.output
    engine = CliRunner().invoke(app, ["report", str(master), "--format", "pdf", "--engine",
                                      "word"])
    assert engine.exit_code == 2 and "word" in engine.output


def _inflated(path) -> bytes:
    """A PDF's bytes with every Flate stream inflated (WeasyPrint packs its objects)."""
    import zlib

    data = path.read_bytes()
    parts = [data]
    for found in re.finditer(rb"stream\r?\n", data):
        end = data.find(b"endstream", found.end())
        try:
            parts.append(zlib.decompress(data[found.end():end]))
        except zlib.error:
            pass
    return b"\n".join(parts)


def _engines() -> list:
    from xlperf.report import find_browser

    params = []
    for engine in ("browser", "weasyprint"):
        present = (find_browser() is not None and _importable("playwright")
                   if engine == "browser" else _importable("weasyprint"))
        params.append(pytest.param(engine, marks=pytest.mark.skipif(
            not present, reason=f"the {engine} engine is not on this machine")))
    return params


def _overlapping_words(path) -> list[tuple[int, str, str]]:
    """(page, word, word) for each pair of words on a page of the PDF at ``path`` whose boxes
    (``pdftotext -bbox``) overlap by more than a fifth of the smaller."""
    import subprocess

    import numpy as np

    xml = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True,
                         text=True, check=True).stdout
    found = []
    for number, page in enumerate(xml.split("<page ")[1:], 1):
        words = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                           r'yMax="([\d.]+)">([^<]*)</word>', page)
        if len(words) < 2:
            continue
        x0, y0, x1, y1 = np.array([w[:4] for w in words], dtype=float).T
        wide = np.clip(np.minimum(x1[:, None], x1) - np.maximum(x0[:, None], x0), 0, None)
        high = np.clip(np.minimum(y1[:, None], y1) - np.maximum(y0[:, None], y0), 0, None)
        area = (x1 - x0) * (y1 - y0)
        share = wide * high / np.maximum(np.minimum(area[:, None], area), 1e-9)
        for i, j in zip(*np.nonzero(np.triu(share > 0.2, 1)), strict=True):
            found.append((number, words[i][4], words[j][4]))
    return found


def _importable(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


@pytest.mark.slow
@pytest.mark.parametrize("engine", _engines())
def test_pdf_keeps_what_a_reader_needs(refreshed, html, page, tmp_path, engine):
    import subprocess

    steps: list[str] = []
    path = render_pdf(html, tmp_path / f"{engine}.pdf", engine=engine, progress=steps.append)
    assert path.read_bytes().startswith(b"%PDF-") and steps and "Wrote" in steps[-1]
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                          check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert 10 <= pages <= 60
    assert re.search(r"Tagged:\s+yes", info)
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    assert abs(width - 841.9) < 1 and abs(height - 595.3) < 1     # A4 landscape
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    squeezed = "".join(text.split())
    missing = [c for c in refreshed[1].scored["code"] if "".join(c.split()) not in squeezed]
    assert not missing
    assert len(re.findall(rf"Page \d+ of {pages}\b", text)) == pages
    # Nothing printed over anything else: no two words' boxes overlap (a chip run over the
    # next column, a value label over a chart's legend, a long header over its neighbour).
    assert not _overlapping_words(path)
    # and no header broken inside a word to fit its column ("Baselin" over "e")
    words = set(re.findall(r"<word [^>]*>([^<]*)</word>", subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True).stdout))
    for header in ("Baseline", "Milestones", "Assurance", "Direction"):
        cut = [w for w in words if len(header) - 3 <= len(w) < len(header)
               and header.startswith(w)]
        assert not cut, (header, cut)
    # No page ends with a table's caption or head and no row under it, and no table's last
    # row (a total) starts a page on its own: the rows of each caption's table begin on the
    # caption's page, and a total's page holds a row of its table above it.
    pages_text = [[line.strip() for line in p.splitlines() if line.strip()]
                  for p in subprocess.run(["pdftotext", "-layout", str(path), "-"],
                                          capture_output=True, text=True,
                                          check=True).stdout.split("\f")[:pages]]
    captions = {" ".join(re.sub(r"<[^>]+>", "", c).split())
                for c in re.findall(r"<caption>(.*?)</caption>", html)}
    for number, lines in enumerate(pages_text, 1):
        body = [line for line in lines if not re.fullmatch(rf"Page \d+ of {pages}", line)]
        assert body[-1:] and " ".join(body[-1].split()) not in captions, (number, body[-2:])
    for before, total in re.findall(r'<tr>(?:<th[^>]*>|<td[^>]*>)([^<]+)(?:(?!<tr).)*'
                                    r'<tr class="total">(?:<th[^>]*>|<td[^>]*>)([^<]+)', html):
        (on,) = [lines for lines in pages_text if any(line.startswith(total.strip())
                                                        for line in lines)]
        assert any(line.startswith(before.strip()) for line in on), (total, before)
    # Two measure cards to a page (a card is under half of one), none cut in two.
    cards = len(refreshed[1].scored.pipe(exceptions, refreshed[1].cards,
                                         refreshed[1].register))
    shared = [p.count("Latest commentary") for p in text.split("\f")
              if "Latest commentary" in p]
    assert sum(shared) == cards > 3
    assert len(shared) <= -(-cards // 2) + 1, shared
    # Structure: headings, table headers with scopes, figures with their alt text, language.
    struct = subprocess.run(["pdfinfo", "-struct", str(path)], capture_output=True,
                            text=True).stdout
    assert re.search(r"^\s*H1\b", struct, re.M) and re.search(r"^\s*H2\b", struct, re.M)
    assert re.search(r"^\s*TH\b", struct, re.M)
    raw = _inflated(path)
    assert re.search(rb"/Lang\s*\(en-GB\)", raw)
    charts = [e for e in page.elements if e["tag"] == "svg" and e["attrs"].get("role") == "img"]
    assert len(re.findall(rb"/Alt\s*[(<]", raw)) >= len(charts) > 0
    # Bookmarks: the outline has every section's heading.
    outline = subprocess.run(["pdftohtml", "-xml", "-i", "-q", "-stdout", str(path)],
                             capture_output=True, text=True).stdout
    items = re.findall(r"<item[^>]*>([^<]*)</item>", outline)
    for title in ("Summary of objectives by priority", "Trend scorecard", "Finance"):
        assert any(title in item for item in items), (title, items[:10])


def test_engine_is_chosen_and_a_bad_one_said(tmp_path, monkeypatch):
    from xlperf.report import ReportError, choose_engine

    assert choose_engine("weasyprint") == ("weasyprint", None)
    with pytest.raises(ReportError, match="not one of"):
        choose_engine("word")
    with pytest.raises(ReportError, match="not found"):
        choose_engine("browser", tmp_path / "no-such-chrome")
    monkeypatch.setenv("XLPERF_BROWSER", str(tmp_path / "nope"))
    with pytest.raises(ReportError, match="not found"):
        choose_engine("auto")
    monkeypatch.delenv("XLPERF_BROWSER")
    monkeypatch.setenv("PATH", str(tmp_path))  # no browser on the PATH
    engine, where = choose_engine("auto")
    assert engine == "weasyprint" or (where is not None and where.is_file())


def test_objective_direction_of_travel_in_the_summary(refreshed, page):
    """Each objective of the report's summary has a direction of travel by the rule of
    core/rollup.objective_direction, from the history's statuses of the last period (each
    measure's own due period then), the same as the refreshed Objectives sheet says; the demo
    has both Improving and Worsening objectives."""
    from xlperf.read._calamine import open_workbook, sheet_grid

    master, _data = refreshed
    grid = sheet_grid(open_workbook(master), "Objectives", file=str(master))
    header = next(i for i, row in enumerate(grid) if row and row[0] == "Priority")
    column = grid[header].index("Direction of travel")
    on_sheet = {str(r[1]): r[column] for r in grid[header + 1:]
                if r and r[1] and r[1] != "All objectives"}
    objectives = set(on_sheet)
    in_report = {}
    for row in find(section(page, "summary"), "tr"):
        cells = [text_of(c) for c in row["children"]]
        if cells and cells[0] in objectives:
            in_report[cells[0]] = cells[2]
    assert set(in_report) == objectives
    assert in_report == on_sheet
    assert set(in_report.values()) <= {"Improving ↑", "Worsening ↓", "No change", "No comparison"}
    assert {"Improving ↑", "Worsening ↓"} <= set(in_report.values())
