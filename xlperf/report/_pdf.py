"""PDF of the report: through the browser the user already has, or WeasyPrint.

Two engines print the same self-contained HTML:

- ``browser``: Chromium, Google Chrome or Microsoft Edge found on the machine (every council
  Windows laptop has Edge), or the one named (``--browser``, the ``Report browser`` setting or
  the ``XLPERF_BROWSER`` environment variable), driven headless with playwright
  (``pip install 'xlperf[report]'``; playwright's own browser download is never used). Always
  tagged (structure for screen readers) with the document outline (bookmarks). Several times
  faster than WeasyPrint and a fraction of its memory for a large pack.
- ``weasyprint``: the fallback where no browser is found (``pip install 'xlperf[report]'``
  and the pango libraries), tagged from WeasyPrint 63.

``auto`` (the default) takes the browser when one is found and playwright is installed, else
WeasyPrint. Nothing is fetched: the HTML is self-contained and every request is refused.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from xlperf.errors import XlperfError

ENGINES = ("auto", "browser", "weasyprint")

#: Browser programs looked for on the PATH, in order.
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable",
                 "chrome", "microsoft-edge", "microsoft-edge-stable", "msedge")

# Where Windows and macOS install them (the PATH seldom has them).
_INSTALLED = (
    r"%PROGRAMFILES(X86)%\Microsoft\Edge\Application\msedge.exe",
    r"%PROGRAMFILES%\Microsoft\Edge\Application\msedge.exe",
    r"%PROGRAMFILES%\Google\Chrome\Application\chrome.exe",
    r"%PROGRAMFILES(X86)%\Google\Chrome\Application\chrome.exe",
    r"%LOCALAPPDATA%\Google\Chrome\Application\chrome.exe",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
)

# Headless, offline and without a profile of the user's: nothing phones home, nothing is kept.
BROWSER_ARGS = ("--headless", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-extensions", "--disable-default-apps")

Progress = Callable[[str], None]


class ReportError(XlperfError):
    """The report cannot be written (no PDF engine, or the file cannot be written)."""


def find_browser(named: str | Path | None = None) -> Path | None:
    """The Chromium-family browser to print with: ``named`` (a path or a program on the
    PATH), else ``XLPERF_BROWSER``, else the first of :data:`BROWSER_NAMES` on the PATH or
    an installed Edge or Chrome; None when there is none. A name that is not found is an
    error (the user asked for that one).

    >>> found = find_browser()
    >>> found is None or found.is_file()
    True
    """
    chosen = named if named not in (None, "") else os.environ.get("XLPERF_BROWSER") or None
    if chosen is not None:
        text = str(chosen).strip()
        found = shutil.which(text) or (text if Path(text).is_file() else None)
        if found is None:
            raise ReportError(f"the browser {text!r} is not found: give the path to Chromium, "
                              "Chrome or Edge")
        return Path(found)
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    for place in _INSTALLED:
        path = Path(os.path.expandvars(place))
        if "%" not in str(path) and path.is_file():
            return path
    return None


def _has_playwright() -> bool:
    import importlib.util

    return importlib.util.find_spec("playwright") is not None


def choose_engine(engine: str = "auto", browser: str | Path | None = None
                  ) -> tuple[str, Path | None]:
    """The engine that will print (``browser`` or ``weasyprint``) and the browser's path.

    ``auto``: the browser when one is found and playwright is installed, else WeasyPrint."""
    engine = (engine or "auto").strip().lower()
    if engine not in ENGINES:
        raise ReportError(f"PDF engine {engine!r} is not one of {', '.join(ENGINES)}")
    if engine == "weasyprint":
        return "weasyprint", None
    path = find_browser(browser)
    if engine == "browser":
        if path is None:
            raise ReportError("no Chromium, Chrome or Edge found: install one, name it with "
                              "--browser (or the 'Report browser' setting), or use "
                              "--engine weasyprint")
        if not _has_playwright():
            raise ReportError("printing through the browser needs playwright: pip install "
                              "'xlperf[report]' (its browser download is not needed)")
        return "browser", path
    if path is not None and _has_playwright():
        return "browser", path
    return "weasyprint", None


def render_pdf(html: str, path: str | Path, *, tagged: bool = True, engine: str = "auto",
               browser: str | Path | None = None, progress: Progress | None = None) -> Path:
    """Write ``html`` (from :func:`~xlperf.report.render_html`) as a PDF at ``path``.

    ``engine``: ``auto``, ``browser`` or ``weasyprint`` (see the module); ``browser``: the
    browser to use (default: found, :func:`find_browser`). ``progress`` is told what is
    happening as it happens (a large pack takes seconds). The browser's PDF is always tagged;
    ``tagged`` asks WeasyPrint for one too (from version 63; older versions write an
    untagged PDF).
    """
    target = Path(path)
    chosen, where = choose_engine(engine, browser)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ReportError(f"cannot write the PDF {target}: {error}") from None
    if chosen == "browser":
        assert where is not None
        return _browser_pdf(html, target, where, progress)
    return _weasyprint_pdf(html, target, tagged, progress)


def _say(progress: Progress | None, message: str) -> None:
    if progress is not None:
        progress(message)


def _browser_pdf(html: str, target: Path, browser: Path, progress: Progress | None,
                 tagged: bool = True) -> Path:
    # ``tagged``: always True for a report; False only for benchmarks/report.py, to measure
    # what the tagging costs.
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    started = time.perf_counter()
    args = list(BROWSER_ARGS)
    if sys.platform.startswith("linux") and hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses to run as root inside its sandbox
    _say(progress, f"Starting {browser.name}")
    try:
        with tempfile.TemporaryDirectory(prefix="xlperf-browser-") as profile, \
                tempfile.TemporaryDirectory(prefix="xlperf-report-") as folder, \
                sync_playwright() as playwright:
            # The browser reads the report from a file of ours (a file:// page): set_content
            # hands it megabytes of HTML through the driver and a script, and took longer.
            source = Path(folder) / "report.html"
            source.write_text(html, encoding="utf-8")
            url = source.resolve().as_uri()
            context = playwright.chromium.launch_persistent_context(
                profile, executable_path=str(browser), headless=True, args=args,
                chromium_sandbox=False, offline=True, java_script_enabled=False)
            try:
                page = context.new_page()
                # Self-contained: that file is the only request allowed; any other (a URL, or
                # a file, someone typed into a commentary) is refused.
                page.route("**/*", lambda route: route.continue_()
                           if _same_url(route.request.url, url) else route.abort())
                _say(progress, f"Laying out the report ({len(html) / 1e6:.1f} MB of HTML)")
                page.goto(url, wait_until="load", timeout=0)
                _say(progress, "Printing the pages")
                page.pdf(path=str(target), prefer_css_page_size=True, print_background=True,
                         tagged=tagged, outline=True, format="A4")
            finally:
                context.close()
    except PlaywrightError as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        raise ReportError(f"the browser {browser} could not print the report: {first}"
                          ) from None
    except OSError as error:
        raise ReportError(f"cannot write the PDF {target}: {error}") from None
    _say(progress, f"Wrote {target.name} in {time.perf_counter() - started:.1f} s")
    return target


def _same_url(url: str, ours: str) -> bool:
    """Whether a request is for our file (percent-escapes undone: the browser may escape a
    path otherwise than :meth:`~pathlib.Path.as_uri`).

    >>> _same_url("file:///tmp/a%20b/report.html", "file:///tmp/a b/report.html")
    True
    """
    from urllib.parse import unquote

    return unquote(url) == unquote(ours)


def _weasyprint_pdf(html: str, target: Path, tagged: bool, progress: Progress | None) -> Path:
    try:
        import weasyprint
    except ImportError as error:  # pragma: no cover - exercised only without the extra
        raise ReportError("PDF output needs a browser (Chromium, Chrome or Edge) or WeasyPrint: "
                          "pip install 'xlperf[report]' (and the pango libraries: apt-get "
                          f"install libpango-1.0-0 libpangoft2-1.0-0) ({error})") from None

    def no_fetch(url: str, *args: object, **kwargs: object) -> dict:
        raise ReportError(f"the report must be self-contained; refused to fetch {url}")

    started = time.perf_counter()
    options: dict[str, object] = {}
    if tagged and "pdf_tags" in getattr(weasyprint, "DEFAULT_OPTIONS", {}):
        options["pdf_tags"] = True
    try:
        _say(progress, f"Laying out the report with WeasyPrint ({len(html) / 1e6:.1f} MB "
                       "of HTML; a large pack takes minutes)")
        document = weasyprint.HTML(string=html, url_fetcher=no_fetch).render(**options)
        _say(progress, f"Writing {len(document.pages)} pages")
        document.write_pdf(target, **options)
    except OSError as error:
        raise ReportError(f"cannot write the PDF {target}: {error}") from None
    _say(progress, f"Wrote {target.name} in {time.perf_counter() - started:.1f} s")
    return target
