"""The task pane in real headless Chromium (Debian's ``chromium``, driven by playwright).

``page.route`` serves a stand-in for Office.js (``office_double.js``: a workbook in memory with
the part of the Excel API the pane uses, recording what the page reads, writes and selects);
everything else comes from a live ``xlperf serve`` on 127.0.0.1. No browser is downloaded.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import time
from pathlib import Path

import pytest
from _server_helpers import ROOT, TOKEN, payload

from xlperf.demo import demo_register

DEMO_MEASURES = len(demo_register())

pytestmark = pytest.mark.slow

CHROMIUM = Path(os.environ.get("XLPERF_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
OFFICE_JS = "https://appsforoffice.microsoft.com/lib/1/hosted/office.js"
DOUBLE = Path(__file__).with_name("office_double.js").read_text()
# The docs' screenshot is refreshed only when asked (XLPERF_SCREENSHOTS=1), so a test run never
# changes the checkout.
SCREENSHOT = ROOT / "docs" / "img" / "taskpane.png"


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS,
                                              timeout=30_000)
        yield chromium
        chromium.close()


def _book(path: Path) -> dict:
    body = payload(path)
    return {"name": body["book"]["name"], "active": body["book"]["active_sheet_index"],
            "sheets": [{"name": s["name"], "visibility": s["visibility"], "values": s["values"]}
                       for s in body["sheets"]]}


def _open(browser, live, path: Path, *, key: str | None = TOKEN):
    page = browser.new_page(viewport={"width": 360, "height": 760})
    page.set_default_timeout(60_000)
    sent: list[dict] = []
    external: list[str] = []
    page.route(OFFICE_JS, lambda route: route.fulfill(
        status=200, content_type="text/javascript", body=DOUBLE))

    def watch(route):
        request = route.request
        if not request.url.startswith(live.url):
            external.append(request.url)
            route.abort()
            return
        if request.method == "POST":
            sent.append({"url": request.url, "body": request.post_data_json,
                         "authorization": request.headers.get("authorization")})
        route.continue_()

    page.route(lambda url: not url.startswith(OFFICE_JS), watch)
    page.add_init_script(f"window.__officeBook = {json.dumps(_book(path))};")
    if key is not None:
        page.add_init_script(f"localStorage.setItem('xlperf.key', {json.dumps(key)});")
    page.goto(f"{live.url}/taskpane.html")
    _until(page, "document.getElementById('validate').disabled === false")
    return page, sent, external


def _until(page, expression: str, timeout: float = 60) -> None:
    """Wait until ``expression`` is true in the page (polled from Python: the pane's CSP
    forbids the eval that ``page.wait_for_function`` polls with)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout} s: {expression}")
        time.sleep(0.05)


def _trimmed(grid):
    rows = [list(r) for r in grid]
    while rows and all(v in ("", None) for v in rows[-1]):
        rows.pop()
    width = max((i + 1 for r in rows for i, v in enumerate(r) if v not in ("", None)), default=0)
    return [[None if v == "" else v for v in (r + [None] * width)[:width]] for r in rows]


def _from_double(value):
    if isinstance(value, dict) and "date" in value:
        return dt.datetime.fromisoformat(value["date"].replace("Z", "")).replace(microsecond=0)
    return value


def test_refresh_from_the_pane_gives_the_headless_scorecard(browser, live, demo, tmp_path):
    from xlperf.read._calamine import open_workbook, sheet_grid
    from xlperf.refresh import ZipWorkbook, refresh

    headless = tmp_path / "headless"
    shutil.copytree(demo.parent, headless)
    refresh(ZipWorkbook(headless / "master.xlsx"))

    page, sent, external = _open(browser, live, demo)
    _until(page, "document.getElementById('connection').textContent"
                           ".indexOf('Connected') === 0")
    assert page.text_content("#connection") == "Connected · master.xlsx"
    progress = []
    page.expose_function("noteProgress", lambda text: progress.append(text))
    page.evaluate("""new MutationObserver(() => window.noteProgress(
        document.getElementById('progress').hidden ? '' :
        document.getElementById('progress-text').textContent)).observe(
        document.getElementById('progress'), {attributes: true, subtree: true,
        childList: true, characterData: true})""")
    page.click("#refresh")
    page.wait_for_selector("#results h2")
    text = page.text_content("#results")
    assert "Scorecard for Q2 2013/14: 10 returns read" in text
    assert f"{DEMO_MEASURES} measures scored" in text
    assert page.is_hidden("#progress") and page.is_hidden("#message")
    assert any(t.startswith("Scoring the measures") for t in progress)
    assert any(t.startswith("Writing") and t.endswith("changes to the workbook…")
               for t in progress)

    # What the page sent: the open workbook as the payload a client sends, with the key.
    (request,) = [s for s in sent if s["url"].endswith("/refresh")]
    assert request["authorization"] == f"Bearer {TOKEN}"
    expected_payload = payload(demo)
    got = {s["name"]: _trimmed(s["values"]) for s in request["body"]["sheets"]}
    assert got == {s["name"]: _trimmed(s["values"]) for s in expected_payload["sheets"]}
    assert request["body"]["client"] == "Office.js"

    # What the page applied: the same sheets as the headless refresh, cell by cell.
    grids = page.evaluate("window.__officeGrids()")
    office = page.evaluate("window.__office")
    assert office["formulas"] == []
    book = open_workbook(headless / "master.xlsx")
    for sheet in ("Scorecard", "Objectives", "Exceptions", "Finance"):
        want = _trimmed(sheet_grid(book, sheet))
        have = _trimmed([[_from_double(v) for v in row] for row in grids[sheet]])
        assert have == want, sheet
    assert external == []

    # Each measure with its status, variation and assurance as the Scorecard says them.
    scorecard = _trimmed(sheet_grid(book, "Scorecard"))
    headers = scorecard[3]
    want_rows = {r[0]: r for r in scorecard[4:] if r[0] and r[headers.index("Status")]}
    shown = page.evaluate("""Array.from(document.querySelectorAll('ol.measures li')).map(li =>
        [li.dataset.code, Array.from(li.querySelectorAll('details.icon summary')).map(s =>
         s.textContent), Array.from(li.querySelectorAll('details.icon')).map(d => d.title)])""")
    assert len(shown) == len(want_rows) == DEMO_MEASURES
    for code, summaries, titles in shown:
        row = want_rows[code]
        assert summaries == [f"Status {row[headers.index('Status')]}",
                             f"Variation {row[headers.index('Variation')]}",
                             f"Assurance {row[headers.index('Assurance')]}"], code
        assert titles[0] == row[headers.index("Explanation")]
        assert "\n".join(f"{h}: {t}" for h, t in zip(("Variation", "Assurance"), titles[1:],
                                                       strict=True)) == \
            row[headers.index("SPC explanation")], code


def test_validate_lists_findings_that_select_their_cells(browser, live, demo, tmp_path):
    # The demo's Education return has its one deliberate mistake (and two queries).
    a_return = next((demo.parent / "returns").glob("Education*.xlsx"))
    page, sent, _ = _open(browser, live, a_return)
    page.click("#validate")
    page.wait_for_selector("ol.findings li")
    items = page.locator("ol.findings li")
    assert page.text_content(".counts").startswith("✖ 1 error?")
    assert items.count() == 3
    first = items.nth(0)
    assert "✖ Error" in first.text_content()
    # What to do about it, naming the cell: "Enter the count as a whole number ...".
    assert first.locator(".fix").text_content().startswith("Enter the count as a whole number")
    link = first.locator("a")
    where = link.text_content()
    link.click()
    _until(page, "window.__office.selected.length === 1")
    assert page.evaluate("window.__office.selected") == [where]
    assert page.evaluate("window.__office.activated") == [where.split("!")[0]]
    # Validation reads the workbook and changes nothing in it.
    assert page.evaluate("window.__office.writes") == []
    shot = SCREENSHOT if os.environ.get("XLPERF_SCREENSHOTS") else tmp_path / "taskpane.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 1000


def test_plain_english_errors(browser, live, demo):
    page, _, _ = _open(browser, live, demo, key="wrong-key-0123456789")
    _until(page, "document.getElementById('connection').textContent === "
                           "'Key needed'")
    page.click("#refresh")
    page.wait_for_selector("#message:not([hidden])")
    assert "server key is missing or wrong" in page.text_content("#message")
    assert page.evaluate("document.getElementById('settings').open") is True
    assert page.evaluate("window.__office.writes") == []
    # Entering the right key fixes it.
    page.fill("#key", TOKEN)
    page.click("#save-key")
    _until(page, "document.getElementById('connection').textContent"
                           ".indexOf('Connected') === 0")
    page.click("#log")
    page.wait_for_selector("#results h2")
    assert "No refresh has been recorded yet." in page.text_content("#results")

    a_return = next((demo.parent / "returns").glob("Early Help*.xlsx"))
    page, _, _ = _open(browser, live, a_return)
    page.click("#refresh")
    page.wait_for_selector("#message:not([hidden])")
    assert "is this an xlperf master workbook?" in page.text_content("#message")
    assert page.is_enabled("#refresh")


def test_text_from_the_server_is_shown_as_text(browser, live, demo):
    # A finding quoting a cell that holds markup is shown as that text, never as HTML.
    a_return = next((demo.parent / "returns").glob("Safeguarding*.xlsx"))
    page, _, _ = _open(browser, live, a_return)
    page.route(f"{live.url}/validate", lambda route: route.fulfill(
        status=200, content_type="application/json", body=json.dumps({
            "ok": True, "summary": "<img src=x onerror=alert(1)>", "actions": [],
            "findings": [{"rule": "PERF-006", "severity": "error", "sheet": "Return",
                          "cell": "H14", "message": "<b>bold</b> 'x'", "file": "r.xlsx"}]})))
    page.click("#validate")
    page.wait_for_selector("ol.findings li")
    assert page.locator("#results img").count() == 0
    assert page.locator("#results b").count() == 0
    assert "<b>bold</b>" in page.text_content("ol.findings li")


def test_the_measures_icons_say_their_word_and_explain_themselves(browser, live, demo):
    # The refresh answer stood in for, to show each kind of icon; its text stays text.
    page, _, _ = _open(browser, live, demo)
    measures = [
        {"code": "A 1", "measure": "Visits <b>on time</b>", "period": "Q2 2013/14",
         "status": {"word": "Red", "symbol": "✗", "explanation": "80 against target 90"},
         "variation": {"word": "Special cause of concern", "symbol": "▼",
                       "explanation": "Q2 2013/14: 3 of the last 3 points below the 2-sigma "
                                      "band: special cause of concern"},
         "assurance": {"word": "Consistently failing", "symbol": "✗",
                       "explanation": "target 90 is at or above the upper process limit 85"}},
        {"code": "A 2", "measure": "Referrals", "period": "Q2 2013/14",
         "status": {"word": "Data only", "symbol": "", "explanation": ""},
         "variation": {"word": "", "symbol": "", "explanation": ""},
         "assurance": {"word": "", "symbol": "", "explanation": ""}}]
    page.route(f"{live.url}/refresh", lambda route: route.fulfill(
        status=200, content_type="application/json", body=json.dumps({
            "ok": True, "summary": "Scorecard for Q2 2013/14", "actions": [], "findings": [],
            "measures": measures})))
    page.click("#refresh")
    page.wait_for_selector("ol.measures li")
    assert page.text_content("#results h2:nth-of-type(2)") == "Measures (2)"
    first = page.locator("ol.measures li").nth(0)
    assert first.locator(".name").text_content() == "A 1 Visits <b>on time</b> (Q2 2013/14)"
    assert page.locator("ol.measures b").count() == 0
    icons = first.locator("details.icon")
    assert icons.count() == 3
    variation = icons.nth(1)
    assert variation.locator("summary").text_content() == \
        "Variation ▼ Special cause of concern"
    assert "concern" in variation.get_attribute("class")
    assert variation.get_attribute("title").endswith("special cause of concern")
    # the sentence one click (or Enter) away
    assert not variation.locator("p.why").is_visible()
    variation.locator("summary").click()
    assert variation.locator("p.why").is_visible()
    assert icons.nth(2).locator("summary").text_content() == "Assurance ✗ Consistently failing"
    # a measure with no SPC shows its status only
    assert page.locator("ol.measures li").nth(1).locator("details.icon").count() == 1
    assert page.evaluate("window.__office.writes") == []


def test_the_returns_view_shows_where_each_return_stands(browser, live, demo):
    import urllib.request

    page, _sent, external = _open(browser, live, demo)
    _until(page, "document.getElementById('returns').disabled === false")
    page.click("#returns")
    page.wait_for_selector("#results table.returns")
    request = urllib.request.Request(f"{live.url}/returns",
                                     headers={"Authorization": f"Bearer {TOKEN}"})
    with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310 (loopback)
        want = json.loads(answer.read())
    assert page.text_content("#results h2").startswith(f"Returns for {want['period']} (as of ")
    assert page.text_content("#results .summary") == want["summary"]
    rows = page.evaluate("""Array.from(document.querySelectorAll('#results table.returns tr'))
        .slice(1).map(tr => Array.from(tr.children).map(td => td.textContent))""")
    assert [r[0] for r in rows] == [r["return_for"] for r in want["returns"]]
    assert [r[2] for r in rows] == [r["outcome"] for r in want["returns"]]
    import re

    # each its due date, as 15 Jan 2014
    assert all(re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4}", r[1]) for r in rows), rows
    assert external == []
