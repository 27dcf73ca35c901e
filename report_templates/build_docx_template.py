"""Build report_templates/report.docx: the docxtpl template of a periodic CCHC report.

The template follows Nghị định 30/2020/NĐ-CP, Phụ lục I (see shared/domain.md): A4 portrait,
margins 20/20/30/15 mm, Times New Roman 14 pt, page numbers centred in the header except on
page 1, the two-column header block, the title, the body (sections I–V), the closing block
(Nơi nhận + signature), then the annexes and charts.

Jinja tags are written as whole runs/paragraphs so docxtpl never has to re-join split runs.
Every value comes from the render context; the template source never contains report data.

Run ``python report_templates/build_docx_template.py [OUTPUT]`` to rebuild the committed file.
"""
from __future__ import annotations

import io
import sys
from datetime import datetime, timezone
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "report.docx"

FONT = "Times New Roman"
BODY_PT = 14
# Page geometry (mm): A4 portrait, NĐ 30/2020 margins.
PAGE_W, PAGE_H = 210, 297
TOP, BOTTOM, LEFT, RIGHT = 20, 20, 30, 15
TEXT_W = PAGE_W - LEFT - RIGHT  # 165 mm
HEADER_COLS = (65, 100)  # issuing body | national name
CLOSING_COLS = (80, 85)  # Nơi nhận | signature
CELL_PAD = 1.9  # python-docx/Word default left and right cell margin (0.08 in)
MOTTO = "Độc lập - Tự do - Hạnh phúc"
MOTTO_W = 57.0  # mm: the motto's width in bold 13 pt Times New Roman (measured: 56.1 mm)
FIXED_TIME = datetime(2024, 1, 1, tzinfo=timezone.utc)


def build(output: Path | None = OUTPUT) -> bytes:
    """Build the template; write it to ``output`` (unless None) and return its bytes."""
    doc = Document()
    _drop_thumbnail(doc)
    _setup_styles(doc)
    _setup_section(doc)
    body = doc.element.body
    for element in list(body):
        if element.tag != qn("w:sectPr"):
            body.remove(element)
    _header_block(doc)
    _title(doc)
    _body(doc)
    _closing_block(doc)
    _annexes(doc)
    _charts(doc)
    doc.add_paragraph()  # the body ends with a paragraph, as Word expects
    _prune(doc)
    props = doc.core_properties
    props.title, props.subject, props.author, props.language = "Báo cáo", "", "reportsvc", "vi-VN"
    props.keywords, props.comments, props.category, props.last_modified_by = "", "", "", "reportsvc"
    props.created = props.modified = FIXED_TIME.replace(tzinfo=None)
    props.last_printed = FIXED_TIME.replace(tzinfo=None)
    props.revision = 1
    buffer = io.BytesIO()
    doc.save(buffer)
    from reportsvc.render.docx import normalize_zip

    data = normalize_zip(buffer.getvalue())
    if output is not None:
        Path(output).write_bytes(data)
    return data


# --------------------------------------------------------------------------------------------
# Styles and page set-up
# --------------------------------------------------------------------------------------------

# Styles the renderer's own XML uses (annex tables, reportsvc/render/docx.py), besides those of the template.
RENDERER_STYLES = {"TableText", "TableHeading"}


def _prune(doc) -> None:
    """Keep only the styles the report uses, and drop Word 2010's stylesWithEffects copy of them.

    python-docx's default template carries 160 styles (346 KB of XML, mostly table styles) and a
    438 KB stylesWithEffects part; every report paid for reading, writing and compressing them
    (measured: 22 ms of a DOCX's 33 ms, 4 ms without them). A style stays when the document, a
    header or the renderer uses it, when it is a default style, or when a kept style is based on,
    followed by or linked to it.
    """
    for rel_id, rel in list(doc.part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):
            doc.part.rels.pop(rel_id)
    used = set(RENDERER_STYLES)
    for section in doc.sections:
        for element in (doc.element, section.header._element, section.first_page_header._element):
            for tag in ("w:pStyle", "w:rStyle", "w:tblStyle"):
                used.update(node.get(qn("w:val")) for node in element.iter(qn(tag)))
    styles = {node.get(qn("w:styleId")): node for node in doc.styles.element.iter(qn("w:style"))}
    pending = [name for name in used if name in styles]
    pending += [name for name, node in styles.items() if node.get(qn("w:default")) == "1"]
    keep: set[str] = set()
    while pending:
        name = pending.pop()
        if name in keep or name not in styles:
            continue
        keep.add(name)
        for tag in ("w:basedOn", "w:next", "w:link"):
            node = styles[name].find(qn(tag))
            if node is not None:
                pending.append(node.get(qn("w:val")))
    for name, node in styles.items():
        if name not in keep:
            node.getparent().remove(node)


def _drop_thumbnail(doc) -> None:
    rels = doc.part.package.rels
    for rel_id, rel in list(rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            rels.pop(rel_id)


def _fonts(rpr) -> None:
    """Set Times New Roman on all four scripts of an rPr, dropping theme fonts that override it."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        if attr.endswith("Theme") or attr.endswith("theme"):
            del fonts.attrib[attr]
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)


def _setup_styles(doc) -> None:
    styles_el = doc.styles.element
    defaults = styles_el.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _fonts(rpr)
    for tag, val in (("w:sz", BODY_PT * 2), ("w:szCs", BODY_PT * 2)):
        rpr.find(qn(tag)).set(qn("w:val"), str(val))
    lang = rpr.find(qn("w:lang"))
    lang.set(qn("w:val"), "vi-VN")
    lang.set(qn("w:eastAsia"), "vi-VN")
    spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), "240")
    # Every style: no theme fonts, no colour (official documents are black).
    for fonts in styles_el.iter(qn("w:rFonts")):
        _fonts(fonts.getparent())
    for colour in list(styles_el.iter(qn("w:color"))):
        if colour.getparent().getparent().tag == qn("w:style"):
            colour.getparent().remove(colour)

    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(BODY_PT)
    _fonts(normal.element.get_or_add_rPr())
    normal.paragraph_format.space_after = Pt(0)

    body = doc.styles["Body Text"]
    body.base_style = normal
    _body_format(body.paragraph_format)
    body.font.size = Pt(BODY_PT)

    for level, italic in ((1, False), (2, False), (3, True)):
        style = doc.styles[f"Heading {level}"]
        style.base_style = normal
        font = style.font
        font.name, font.size, font.bold, font.italic = FONT, Pt(BODY_PT), True, italic
        font.color.rgb = None
        _fonts(style.element.get_or_add_rPr())
        _body_format(style.paragraph_format)
        style.paragraph_format.keep_with_next = True
        style.paragraph_format.space_before = Pt(6)

    table_text = doc.styles.add_style("Table Text", WD_STYLE_TYPE.PARAGRAPH)
    table_text.base_style = normal
    table_text.font.size = Pt(12)
    fmt = table_text.paragraph_format
    fmt.space_before, fmt.space_after = Pt(2), Pt(2)
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    table_head = doc.styles.add_style("Table Heading", WD_STYLE_TYPE.PARAGRAPH)
    table_head.base_style = table_text
    table_head.font.bold = True
    table_head.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    table_head.paragraph_format.keep_with_next = True

    recipients = doc.styles.add_style("Recipients", WD_STYLE_TYPE.PARAGRAPH)
    recipients.base_style = normal
    recipients.font.size = Pt(11)
    recipients.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE

    caption = doc.styles["Caption"]
    caption.base_style = normal
    caption.font.size, caption.font.bold, caption.font.italic = Pt(BODY_PT), True, False
    caption.font.color.rgb = None
    caption.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption.paragraph_format.keep_with_next = True
    caption.paragraph_format.space_before, caption.paragraph_format.space_after = Pt(12), Pt(6)


def _body_format(fmt) -> None:
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt.first_line_indent = Cm(1.27)
    fmt.left_indent = fmt.right_indent = Cm(0)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(6)
    fmt.line_spacing = 1.15


def _setup_section(doc) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(PAGE_W), Mm(PAGE_H)
    section.top_margin, section.bottom_margin = Mm(TOP), Mm(BOTTOM)
    section.left_margin, section.right_margin = Mm(LEFT), Mm(RIGHT)
    section.header_distance, section.footer_distance = Mm(10), Mm(10)
    section.gutter = Mm(0)
    section.different_first_page_header_footer = True
    section.first_page_header.is_linked_to_previous = False  # an empty header on page 1
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _field(paragraph, "PAGE", "1", size=13)


def _field(paragraph, instruction: str, placeholder: str, size: int) -> None:
    """Append a complex field (begin, instrText, separate, result, end) to ``paragraph``."""
    def run_with(child):
        run = paragraph.add_run()
        run.font.size = Pt(size)
        run._r.append(child)
        return run

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run_with(instr)
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    run_with(separate)
    result = paragraph.add_run(placeholder)
    result.font.size = Pt(size)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


# --------------------------------------------------------------------------------------------
# Building blocks
# --------------------------------------------------------------------------------------------

def _para(container, text: str = "", *, size: float | None = None, bold: bool = False,
          italic: bool = False, align=WD_ALIGN_PARAGRAPH.CENTER, style: str | None = None,
          before: float = 0, after: float = 0):
    paragraph = container.add_paragraph(style=style)
    fmt = paragraph.paragraph_format
    if align is not None:
        fmt.alignment = align
    if style is None:
        fmt.space_before, fmt.space_after = Pt(before), Pt(after)
        fmt.first_line_indent = Cm(0)
    if text:
        run = paragraph.add_run(text)
        run.bold, run.italic = bold or None, italic or None
        if size:
            run.font.size = Pt(size)
    return paragraph


def _tag(container, tag: str):
    """Add a paragraph holding only a docxtpl paragraph tag ({%p … %}); docxtpl removes it."""
    return container.add_paragraph(tag)


def _rule(container, width_mm: float, available_mm: float, after: float = 0):
    """Add a short centred horizontal rule: an empty 2 pt paragraph with a bottom border."""
    paragraph = container.add_paragraph()
    fmt = paragraph.paragraph_format
    indent = max((available_mm - width_mm) / 2, 0)
    fmt.left_indent = fmt.right_indent = Mm(indent)
    fmt.first_line_indent = Mm(0)
    fmt.space_before, fmt.space_after = Pt(3), Pt(after)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(2)
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    # pBdr goes before spacing/ind in CT_PPr's sequence.
    anchor = ppr.find(qn("w:spacing"))
    if anchor is None:
        anchor = ppr.find(qn("w:ind"))
    anchor.addprevious(borders)
    mark = OxmlElement("w:rPr")
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "4")
    mark.append(size)
    ppr.append(mark)
    return paragraph


def _borderless_table(doc, widths_mm: tuple[float, float]):
    table = doc.add_table(rows=1, cols=len(widths_mm))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    tbl_pr.append(borders)
    row_pr = table.rows[0]._tr.get_or_add_trPr()
    row_pr.append(OxmlElement("w:cantSplit"))  # the block stays on one page
    for column, width in zip(table.columns, widths_mm):
        column.width = Mm(width)
    for cell, width in zip(table.rows[0].cells, widths_mm):
        cell.width = Mm(width)
        cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)
    return table


def _header_block(doc) -> None:
    table = _borderless_table(doc, HEADER_COLS)
    left, right = table.rows[0].cells
    _tag(left, "{%p if header.parent_body %}")
    _para(left, "{{ header.parent_body }}", size=13)
    _tag(left, "{%p endif %}")
    _tag(left, "{%p for line in header.issuing_lines %}")
    _para(left, "{{ line }}", size=13, bold=True)
    _tag(left, "{%p endfor %}")
    _rule(left, 20, HEADER_COLS[0] - 2 * CELL_PAD)
    _para(left, "{{ header.number }}", size=13, before=6)

    _para(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=12, bold=True)
    _para(right, MOTTO, size=13, bold=True)
    _rule(right, MOTTO_W, HEADER_COLS[1] - 2 * CELL_PAD)
    _para(right, "{{ header.place_date }}", size=14, italic=True, before=6)


def _title(doc) -> None:
    _para(doc, "{{ doc_kind }}", size=14, bold=True, before=18)
    _para(doc, "{{ subject }}", size=14, bold=True)
    _rule(doc, 40, TEXT_W, after=12)


def _body(doc) -> None:
    _tag(doc, "{%p for block in body %}")
    _tag(doc, '{%p if block.kind == "h1" %}')
    doc.add_paragraph("{{ block.text }}", style="Heading 1")
    _tag(doc, '{%p elif block.kind == "h2" %}')
    doc.add_paragraph("{{ block.text }}", style="Heading 2")
    _tag(doc, '{%p elif block.kind == "h3" %}')
    doc.add_paragraph("{{ block.text }}", style="Heading 3")
    _tag(doc, "{%p else %}")
    doc.add_paragraph("{{ block.text }}", style="Body Text")
    _tag(doc, "{%p endif %}")
    _tag(doc, "{%p endfor %}")


def _closing_block(doc) -> None:
    _para(doc, before=6)
    table = _borderless_table(doc, CLOSING_COLS)
    left, right = table.rows[0].cells
    _para(left, "Nơi nhận:", size=12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    _tag(left, "{%p for item in recipients %}")
    left.add_paragraph("{{ item }}", style="Recipients")
    _tag(left, "{%p endfor %}")

    _tag(right, "{%p if signature.authority %}")
    _para(right, "{{ signature.authority }}", size=14, bold=True)
    _tag(right, "{%p endif %}")
    _para(right, "{{ signature.position }}", size=14, bold=True)
    for _ in range(4):
        _para(right)  # room for the signature and seal
    _para(right, "{{ signature.name }}", size=14, bold=True)


def _annexes(doc) -> None:
    _tag(doc, "{%p for annex in annexes %}")
    title = _para(doc, "{{ annex.title }}", size=14, bold=True, after=0)
    title.paragraph_format.page_break_before = True
    title.paragraph_format.keep_with_next = True
    note = _para(doc, "{{ annex.note }}", size=13, italic=True, after=12)
    note.paragraph_format.keep_with_next = True
    _tag(doc, "{{p annex.table }}")
    _tag(doc, "{%p endfor %}")


def _charts(doc) -> None:
    _tag(doc, "{%p for chart in charts %}")
    _tag(doc, "{%p if loop.first %}")
    first = doc.add_paragraph("{{ chart.title }}", style="Caption")
    first.paragraph_format.page_break_before = True
    _tag(doc, "{%p else %}")
    doc.add_paragraph("{{ chart.title }}", style="Caption")
    _tag(doc, "{%p endif %}")
    _para(doc, "{{ chart.image }}", after=12)
    _tag(doc, "{%p endfor %}")


def main(argv: list[str] | None = None) -> None:
    """Command line: build the template to the given path or to report_templates/report.docx."""
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else OUTPUT
    build(target)
    print(f"wrote {target}")


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))  # run from a checkout without installing
    main()
