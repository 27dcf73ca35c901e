"""DOCX rendering with docxtpl from report_templates/report.docx.

Escaping: report text only ever enters as context *data*, never as template source, and the
Jinja environment autoescapes. Every string is additionally wrapped in :class:`DocxText`,
whose ``__html__`` escapes it for XML *and* hides the ``{_{ }_} {_% %_}`` sequences that
docxtpl rewrites after rendering, so any text comes out literally. Annex tables are built here
as WordprocessingML (exact widths, a repeated header row) and inserted with ``{{p … }}``.
"""
from __future__ import annotations

import io
import logging
import threading
import zipfile
from dataclasses import asdict
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2 import Environment, StrictUndefined

from reportsvc.render.view import TEMPLATE_DIR, AnnexView, RenderError, ReportView, clean
from reportsvc.render.charts import ChartImage, draw_charts

TEMPLATE = TEMPLATE_DIR / "report.docx"
TEXT_WIDTH_MM = 165  # A4 210 mm - left 30 mm - right 15 mm
TWIPS_PER_MM = 1440 / 25.4
ZIP_TIME = (1980, 1, 1, 0, 0, 0)

_log = logging.getLogger(__name__)


class DocxText(str):
    """A string that Jinja inserts XML-escaped and safe from docxtpl's post-render rewrites."""

    def __html__(self) -> str:
        """Return the text escaped for a w:t element."""
        return xml_text(self)


class RawXml(str):
    """Trusted WordprocessingML built by this module (already escaped); inserted as is."""

    def __html__(self) -> str:
        """Return the XML unchanged."""
        return str(self)


def xml_text(text: str) -> str:
    """Escape ``text`` for XML and break docxtpl's ``{_{``-style markers with a character reference."""
    return escape(clean(text)).replace("{_", "{&#95;").replace("_}", "&#95;}")


def render_docx(view: ReportView, charts: list[ChartImage] | None = None) -> bytes:
    """Render the view model into the DOCX template and return the file's bytes.

    ``charts`` are the report's charts already drawn (reportsvc.render.charts.draw_charts, shared with
    the PDF); when None they are drawn here.
    """
    if not TEMPLATE.is_file():
        raise RenderError(f"Không tìm thấy mẫu báo cáo DOCX: {TEMPLATE.name}.")
    try:
        if charts is None:
            charts = draw_charts(view.charts)
        template = DocxTemplate(TEMPLATE)
        context = _context(view, template, charts)
        template.render(context, jinja_env=_environment(), autoescape=True)
        _properties(template, view)
        buffer = io.BytesIO()
        template.save(buffer)
    except RenderError:
        raise
    except Exception as exc:  # docxtpl, Jinja, lxml and matplotlib raise many kinds
        _log.exception("DOCX rendering failed")
        raise RenderError(f"Không tạo được tệp DOCX của báo cáo: {type(exc).__name__}: {exc}") from exc
    return normalize_zip(buffer.getvalue())


class _CompiledOnce(Environment):
    """A Jinja environment that compiles each template source once per process.

    docxtpl turns the template's document.xml (and headers, properties) into Jinja source and calls
    ``from_string`` on every render; the source is the same for every report made from one template,
    so the compiled template is kept (measured: a quarter of a DOCX's render time).
    """

    def __init__(self) -> None:
        super().__init__(autoescape=True, undefined=StrictUndefined)
        self._compiled: dict[str, Any] = {}
        self._lock = threading.Lock()

    def from_string(self, source, globals=None, template_class=None):  # noqa: A002, ANN001, ANN201 - Jinja's signature
        """Return the compiled template of ``source``, compiling it the first time only."""
        if globals or template_class or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        with self._lock:
            template = self._compiled.get(source)
        if template is None:
            template = super().from_string(source)
            with self._lock:
                if len(self._compiled) >= 64:  # another template file (tests): keep the cache bounded
                    self._compiled.clear()
                self._compiled[source] = template
        return template


@lru_cache(maxsize=1)
def _environment() -> _CompiledOnce:
    return _CompiledOnce()


def normalize_zip(data: bytes) -> bytes:
    """Rewrite a DOCX zip with fixed timestamps so equal content gives equal bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info.filename))
    return output.getvalue()


def _context(view: ReportView, template: DocxTemplate, charts: list[ChartImage]) -> dict[str, Any]:
    data = {
        "header": view.header,
        "doc_kind": view.doc_kind,
        "subject": view.subject,
        "body": [asdict(block) for block in view.body],
        "recipients": view.recipients,
        "signature": view.signature,
    }
    context = _wrap(data)
    context["annexes"] = [
        {"title": DocxText(annex.title), "note": DocxText(annex.note), "table": annex_table_xml(annex)}
        for annex in view.annexes
    ]
    context["charts"] = [
        {"title": DocxText(clean(chart.title)),
         "image": InlineImage(template, io.BytesIO(chart.png), width=Mm(chart.width_mm))}
        for chart in charts
    ]
    return context


def _wrap(value: Any) -> Any:
    if isinstance(value, str):
        return DocxText(value)
    if isinstance(value, dict):
        return {key: _wrap(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_wrap(item) for item in value]
    return value


def annex_table_xml(annex: AnnexView) -> RawXml:
    """Return a bordered w:tbl for an annex: fixed widths, header row repeated on every page."""
    total = round(TEXT_WIDTH_MM * TWIPS_PER_MM)
    widths = [round(total * fraction) for fraction in annex.widths]
    border = '<w:{0} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
    parts = [
        "<w:tbl><w:tblPr>",
        f'<w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:jc w:val="center"/><w:tblBorders>',
        *(border.format(edge) for edge in ("top", "left", "bottom", "right", "insideH", "insideV")),
        '</w:tblBorders><w:tblLayout w:type="fixed"/>',
        '<w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar>',
        '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" '
        'w:noHBand="1" w:noVBand="1"/></w:tblPr><w:tblGrid>',
        *(f'<w:gridCol w:w="{width}"/>' for width in widths),
        "</w:tblGrid>",
        _row(annex.columns, widths, header=True),
    ]
    for row, numeric, group in zip(annex.rows, annex.numeric, annex.groups):
        parts.append(_row(row, widths, header=False, numeric=numeric, bold=group))
    parts.append("</w:tbl>")
    return RawXml("".join(parts))


def _row(cells: list[str], widths: list[int], header: bool, numeric: list[bool] | None = None,
         bold: bool = False) -> str:
    row_pr = "<w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>" if header else "<w:trPr><w:cantSplit/></w:trPr>"
    out = [f"<w:tr>{row_pr}"]
    run_pr = "<w:rPr><w:b/><w:bCs/></w:rPr>" if bold else ""
    keep = "<w:keepNext/>" if bold else ""
    for index, (text, width) in enumerate(zip(cells, widths)):
        style = "TableHeading" if header else "TableText"
        centred = header or (numeric is not None and numeric[index])
        jc = '<w:jc w:val="center"/>' if centred else ""
        out.append(
            f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/><w:vAlign w:val="center"/></w:tcPr>'
            f'<w:p><w:pPr><w:pStyle w:val="{style}"/>{keep}{jc}</w:pPr>'
            f'<w:r>{run_pr}<w:t xml:space="preserve">{xml_text(text)}</w:t></w:r></w:p></w:tc>'
        )
    out.append("</w:tr>")
    return "".join(out)


def _properties(template: DocxTemplate, view: ReportView) -> None:
    """Set the core properties after rendering (never through Jinja, which would escape twice)."""
    props = template.docx.core_properties
    props.title = clean(view.title)[:255]
    props.subject = clean(view.subject)[:255]
    props.author = clean(view.author)[:255]
    props.last_modified_by = "reportsvc"
    props.language = "vi-VN"
