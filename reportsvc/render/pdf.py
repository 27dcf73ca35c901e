"""PDF rendering: report_templates/report.html (Jinja2, autoescaped) + report.css -> WeasyPrint.

The document is laid out once and written as plain PDF and/or PDF/A-3b (archival: fonts are
embedded, an sRGB output intent and XMP metadata are added). Fonts are always embedded as
subsets. The fetcher only accepts data: URIs (the charts), so report text can never make
WeasyPrint read a file or the network.
"""
from __future__ import annotations

import base64
import logging
import warnings
from collections.abc import Iterable
from functools import lru_cache

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from reportsvc.render.view import TEMPLATE_DIR, RenderError, ReportView, clean
from reportsvc.render.charts import chart_svg

PDFA_VARIANT = "pdf/a-3b"
"""WeasyPrint's variant for the "pdfa" format: PDF/A-3b (ISO 19005-3, basic conformance)."""

_log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(str(TEMPLATE_DIR)), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=False)


def render_html(view: ReportView) -> str:
    """Return the report as an HTML document (the input of WeasyPrint)."""
    try:
        template = _environment().get_template("report.html")
        return template.render(view=view, annexes=view.annexes, charts=[
            {"title": clean(chart.title),
             "src": "data:image/svg+xml;base64," + base64.b64encode(chart_svg(chart)).decode("ascii")}
            for chart in view.charts
        ])
    except Exception as exc:  # Jinja, the file system or matplotlib (charts)
        _log.exception("HTML rendering failed")
        raise RenderError(f"Không tạo được nội dung HTML của báo cáo: {type(exc).__name__}: {exc}") from exc


def render_pdfs(view: ReportView, variants: Iterable[str]) -> dict[str, bytes]:
    """Lay the report out once and write it as each of ``variants`` ("pdf", "pdfa")."""
    from weasyprint import CSS, HTML
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    html = render_html(view)
    try:
        css = CSS(string=(TEMPLATE_DIR / "report.css").read_text(encoding="utf-8"))
        fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
        document = HTML(string=html, base_url=str(TEMPLATE_DIR), url_fetcher=fetcher).render(
            stylesheets=[css])
        files = {}
        for variant in variants:
            options = {"pdf_variant": PDFA_VARIANT} if variant == "pdfa" else {}
            with warnings.catch_warnings():
                # WeasyPrint 70 opens its sRGB profile for the PDF/A output intent without
                # closing it (pdf/__init__.py); CPython frees it at once with a ResourceWarning.
                warnings.simplefilter("ignore", ResourceWarning)
                files[variant] = document.write_pdf(**options)
    except (Exception, FatalURLFetchingError) as exc:  # WeasyPrint raises many kinds
        _log.exception("WeasyPrint failed")
        raise RenderError(f"Không tạo được tệp PDF của báo cáo: {type(exc).__name__}: {exc}") from exc
    return files
