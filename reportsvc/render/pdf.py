"""PDF rendering: report_templates/report.html (Jinja2, autoescaped) + report.css -> WeasyPrint.

The document is laid out once and written as plain PDF and/or PDF/A-3b (archival: fonts are
embedded, an sRGB output intent and XMP metadata are added). Fonts are always embedded as
subsets. The fetcher only accepts data: URIs (the chart images), so report text can never make
WeasyPrint read a file or the network.

Speed (issue 16): WeasyPrint is imported on the first PDF, not with the package. Its font
configuration (Fontconfig and Pango's font map, with their caches of loaded faces and shaped text) and
the parsed stylesheet are made once per thread and reused by every later render (WeasyPrint objects
are not shared between threads); the stylesheet is parsed again only when report.css changes. The
charts arrive drawn (reportsvc.render.charts, shared with the DOCX) as RGB PNGs, which WeasyPrint
embeds without re-drawing vector paths.
"""
from __future__ import annotations

import base64
import logging
import threading
import warnings
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from reportsvc.render.charts import ChartImage, draw_charts
from reportsvc.render.view import TEMPLATE_DIR, RenderError, ReportView, clean

PDFA_VARIANT = "pdf/a-3b"
"""WeasyPrint's variant for the "pdfa" format: PDF/A-3b (ISO 19005-3, basic conformance)."""

RENDER_OPTIONS = {
    "presentational_hints": False,  # the template styles everything in report.css; no HTML attribute styling
    "optimize_images": False,  # the chart PNGs are already compact; optimising re-encodes them (slower)
}
"""Options given to WeasyPrint's ``HTML.render`` (images are loaded during layout)."""

_log = logging.getLogger(__name__)
_local = threading.local()  # per thread: WeasyPrint's font configuration and parsed stylesheets


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(str(TEMPLATE_DIR)), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=False)


def font_config() -> Any:
    """Return this thread's WeasyPrint FontConfiguration, made on first use and kept for the process."""
    config = getattr(_local, "font_config", None)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration

        config = _local.font_config = FontConfiguration()
    return config


def stylesheet(path: Path) -> Any:
    """Return the parsed stylesheet at ``path`` (a weasyprint.CSS), parsed again only when the file changes."""
    from weasyprint import CSS

    cache = getattr(_local, "stylesheets", None)
    if cache is None:
        cache = _local.stylesheets = {}
    key = (str(path), path.stat().st_mtime_ns)
    css = cache.get(key)
    if css is None:
        css = CSS(string=path.read_text(encoding="utf-8"), font_config=font_config())
        cache.clear()  # one version of one template at a time
        cache[key] = css
    return css


def _fetcher() -> Any:
    fetcher = getattr(_local, "fetcher", None)
    if fetcher is None:
        from weasyprint.urls import URLFetcher

        fetcher = _local.fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    return fetcher


def chart_src(chart: ChartImage) -> str:
    """Return the chart's PNG as a data: URI for the <img> of the HTML template."""
    return "data:image/png;base64," + base64.b64encode(chart.png).decode("ascii")


def render_html(view: ReportView, charts: list[ChartImage] | None = None) -> str:
    """Return the report as an HTML document (the input of WeasyPrint); ``charts`` drawn here when None."""
    try:
        if charts is None:
            charts = draw_charts(view.charts)
        template = _environment().get_template("report.html")
        return template.render(view=view, annexes=view.annexes, charts=[
            {"title": clean(chart.title), "src": chart_src(chart),
             "width_mm": chart.width_mm, "height_mm": chart.height_mm}
            for chart in charts
        ])
    except Exception as exc:  # Jinja, the file system or matplotlib (charts)
        _log.exception("HTML rendering failed")
        raise RenderError(f"Không tạo được nội dung HTML của báo cáo: {type(exc).__name__}: {exc}") from exc


def render_pdfs(view: ReportView, variants: Iterable[str], charts: list[ChartImage] | None = None) -> dict[str, bytes]:
    """Lay the report out once and write it as each of ``variants`` ("pdf", "pdfa")."""
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    html = render_html(view, charts)
    try:
        fonts = font_config()
        css = stylesheet(TEMPLATE_DIR / "report.css")
        document = HTML(string=html, base_url=str(TEMPLATE_DIR), url_fetcher=_fetcher()).render(
            stylesheets=[css], font_config=fonts, **RENDER_OPTIONS)
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
