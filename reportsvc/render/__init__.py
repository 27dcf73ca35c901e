"""Turn a Report (reportsvc.report.model) into files: DOCX (docxtpl), PDF and PDF/A (WeasyPrint).

Renderers read only the Report model, never the database. Both formats are filled from the same
view model (reportsvc.render.view), so the DOCX and the PDF carry the same text, and embed the same
chart images, drawn once per call (reportsvc.render.charts).

Importing this package loads only the view model: docxtpl, WeasyPrint and matplotlib are imported
when a format that needs them is rendered, so commands that only name formats (``reportsvc --help``,
listings, downloads) and DOCX-only runs do not pay for the others.
"""
from __future__ import annotations

import gc
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from reportsvc.render.view import EXTENSIONS, FORMATS, MEDIA_TYPES, RenderError, view_model
from reportsvc.report.data import report_data_json
from reportsvc.report.model import Report

__all__ = ["EXTENSIONS", "FORMATS", "MEDIA_TYPES", "RenderError", "render"]


def render(report: Report, formats: Iterable[str]) -> dict[str, bytes]:
    """Render ``report`` to each of ``formats`` ("docx", "pdf", "pdfa", "json"); return bytes by format."""
    wanted = list(dict.fromkeys(formats))
    unknown = [name for name in wanted if name not in FORMATS]
    if unknown:
        raise RenderError(f"Định dạng không được hỗ trợ: {', '.join(unknown)} "
                          f"(chỉ hỗ trợ: {', '.join(FORMATS)}).")
    files: dict[str, bytes] = {}
    if "json" in wanted:
        files["json"] = report_data_json(report)
    if not set(wanted) - {"json"}:
        return files
    with collector_paused():
        view = view_model(report)
        charts = _draw(view.charts)  # once, for every format
        if "docx" in wanted:
            from reportsvc.render.docx import render_docx

            files["docx"] = render_docx(view, charts)
        pdf_variants = [name for name in wanted if name in ("pdf", "pdfa")]
        if pdf_variants:
            from reportsvc.render.pdf import render_pdfs

            files.update(render_pdfs(view, pdf_variants, charts))
    return {name: files[name] for name in wanted}


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a report renders, and restore it after.

    WeasyPrint and matplotlib allocate hundreds of thousands of short-lived objects; each 700
    allocations start a collection that walks the young objects again (measured: 15-20 % of a
    commune's DOCX+PDF). Reference counting still frees everything that is not in a cycle at once;
    the cycles of one render wait for the first collection after it. The collector is re-enabled
    only if it was enabled before, so overlapping renders on other threads never leave it off.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _draw(charts: list) -> list:
    """Draw the report's charts once for every format (a RenderError if matplotlib fails)."""
    if not charts:
        return []
    from reportsvc.render.charts import draw_charts

    try:
        return draw_charts(charts)
    except Exception as exc:  # matplotlib and Pillow raise many kinds
        logging.getLogger(__name__).exception("chart drawing failed")
        raise RenderError(f"Không vẽ được biểu đồ của báo cáo: {type(exc).__name__}: {exc}") from exc
