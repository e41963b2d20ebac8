"""The HTML pack read on a phone (a 400 px wide screen): the page itself never scrolls
sideways (a wide table scrolls inside its own box), no chip, number or header word is clipped,
broken or run into its neighbour, a card's columns stack and its charts fit the screen. The
rules are for the screen only: the print (the PDF tests) is what it was."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from test_report import refreshed  # noqa: F401  (the refreshed demo: a module fixture)

from xlperf.report import find_browser, render_html

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(find_browser() is None or importlib.util.find_spec("playwright") is None,
                       reason="no Chromium, Chrome or Edge (or playwright) here"),
]

WIDTH = 400

# What the page measures of itself, in the browser: each list holds what is wrong.
MEASURE = """() => {
  const wrong = {clipped: [], broken: [], cramped: [], overlapping: [], offscreen: []};
  const say = (e) => (e.closest('[data-code]')?.dataset.code || '') + ' ' +
                     e.textContent.trim().slice(0, 40);
  // a chip's words and a number are never clipped by their own box
  for (const e of document.querySelectorAll('.status, td.num')) {
    if (e.scrollWidth > e.clientWidth + 1) wrong.clipped.push(say(e));
  }
  // no word of a header, a chip or a number broken over two lines ("Me/as/ur/es")
  for (const e of document.querySelectorAll('thead th, .status, td.num, table.facts th')) {
    const walker = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
        if (tops.size > 1) wrong.broken.push(say(e) + ' | ' + m[0]);
      }
    }
  }
  // a card's facts: each cell holds its words (nothing over the next cell)
  for (const e of document.querySelectorAll('table.facts th, table.facts td')) {
    if (e.scrollWidth > e.clientWidth + 1) wrong.cramped.push(say(e));
  }
  // a card's columns never overlap one another, and each is on the screen
  for (const body of document.querySelectorAll('.card-body')) {
    const boxes = [...body.children].map(c => c.getBoundingClientRect());
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i], b = boxes[j];
        if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 &&
            b.top < a.bottom - 1) wrong.overlapping.push(say(body.parentElement));
      }
    }
  }
  // every chart on the screen, as wide as it is drawn or narrower
  for (const e of document.querySelectorAll('svg.chart')) {
    const r = e.getBoundingClientRect();
    if (r.left < -1 || r.right > window.innerWidth + 1) wrong.offscreen.push(say(e));
  }
  wrong.page = document.documentElement.scrollWidth;
  wrong.scrollers = [...document.querySelectorAll('table')].filter(t => {
    const box = t.parentElement;
    return t.getBoundingClientRect().width > box.clientWidth + 1 &&
           getComputedStyle(box).overflowX !== 'auto';
  }).length;
  return wrong;
}"""


def _measure(html: str, folder: Path, width: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    source = folder / "pack.html"
    source.write_text(html, encoding="utf-8")
    args = ["--no-sandbox"] if sys.platform.startswith("linux") and os.geteuid() == 0 else []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(find_browser()), args=args,
                                             chromium_sandbox=False)
        try:
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.goto(source.resolve().as_uri(), wait_until="load")
            found: dict[str, Any] = page.evaluate(MEASURE)
            found["viewport"] = page.evaluate("window.innerWidth")
        finally:
            browser.close()
    return found


@pytest.fixture(scope="module")
def phone(refreshed: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:  # noqa: F811
    return _measure(render_html(refreshed[1]), tmp_path_factory.mktemp("phone"), WIDTH)


def test_the_page_does_not_scroll_sideways_on_a_phone(phone: dict[str, Any]) -> None:
    assert phone["viewport"] == WIDTH
    assert phone["page"] <= phone["viewport"]
    assert phone["scrollers"] == 0  # a table wider than its box scrolls inside it


def test_no_chip_or_number_is_clipped_and_no_word_broken(phone: dict[str, Any]) -> None:
    assert phone["clipped"] == []
    assert phone["broken"] == []


def test_a_cards_columns_stack_and_its_charts_fit_the_screen(phone: dict[str, Any]) -> None:
    assert phone["cramped"] == []
    assert phone["overlapping"] == []
    assert phone["offscreen"] == []
