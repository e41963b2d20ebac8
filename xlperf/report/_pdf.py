"""PDF through WeasyPrint, imported only here (``pip install 'xlperf[report]'``)."""

from __future__ import annotations

from pathlib import Path

from xlperf.errors import XlperfError


class ReportError(XlperfError):
    """The report cannot be written (WeasyPrint missing, or the file cannot be written)."""


def render_pdf(html: str, path: str | Path, *, tagged: bool = True) -> Path:
    """Write ``html`` (from :func:`~xlperf.report.render_html`) as a PDF at ``path``.

    ``tagged`` asks WeasyPrint for a tagged PDF (structure for screen readers: headings,
    tables, reading order), which WeasyPrint supports from version 63 (``pdf_tags``); older
    versions write an untagged PDF. Nothing is fetched: the HTML is self-contained and any
    URL is refused.
    """
    try:
        import weasyprint
    except ImportError as error:  # pragma: no cover - exercised only without the extra
        raise ReportError("PDF output needs WeasyPrint: pip install 'xlperf[report]' (and the "
                          "pango libraries: apt-get install libpango-1.0-0 "
                          f"libpangoft2-1.0-0) ({error})") from None

    def no_fetch(url: str, *args: object, **kwargs: object) -> dict:
        raise ReportError(f"the report must be self-contained; refused to fetch {url}")

    target = Path(path)
    options: dict[str, object] = {}
    if tagged and "pdf_tags" in getattr(weasyprint, "DEFAULT_OPTIONS", {}):
        options["pdf_tags"] = True
    try:
        document = weasyprint.HTML(string=html, url_fetcher=no_fetch)
        target.parent.mkdir(parents=True, exist_ok=True)
        document.write_pdf(target, **options)
    except OSError as error:
        raise ReportError(f"cannot write the PDF {target}: {error}") from None
    return target
