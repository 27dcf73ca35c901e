"""Turn a Report (reportsvc.report.model) into files: DOCX (docxtpl), PDF and PDF/A (WeasyPrint).

Renderers read only the Report model, never the database. Both formats are filled from the same
view model (reportsvc.render.view), so the DOCX and the PDF carry the same text.
"""
from __future__ import annotations

from collections.abc import Iterable

from reportsvc.render.docx import render_docx
from reportsvc.render.pdf import render_pdfs
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
    view = view_model(report)
    if "docx" in wanted:
        files["docx"] = render_docx(view)
    pdf_variants = [name for name in wanted if name in ("pdf", "pdfa")]
    if pdf_variants:
        files.update(render_pdfs(view, pdf_variants))
    return {name: files[name] for name in wanted}
