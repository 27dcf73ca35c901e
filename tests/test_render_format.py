"""Format conformance of the rendered report (Nghị định 30/2020/NĐ-CP, Phụ lục I), DOCX and PDF.

Renders the hand-built sample report (tests/sample_report.py) once per module; checks the DOCX
with python-docx, the PDF with poppler (pdftotext, pdffonts, pdfinfo) and the DOCX again with
LibreOffice headless, together with the demo's generated DOCX of every period kind. Hostile text
has its own file (tests/test_hostile_text.py).
"""
from __future__ import annotations

import dataclasses
import importlib.util
import io
import re
import shutil
import subprocess
import unicodedata
import zipfile
import zlib
from datetime import date
from pathlib import Path

import docx
import docx.document
import pytest
from click.testing import CliRunner
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.text.paragraph import Paragraph

from reportsvc.cli.main import main
from reportsvc.vn import format as formatting
from reportsvc.report.model import Report
from reportsvc.render import RenderError, render
from reportsvc.render.view import TEMPLATE_DIR, view_model
from tests.sample_report import sample_report

FONT = "Times New Roman"
MM = Mm(1)


# --------------------------------------------------------------------------------------------
# Fixtures and helpers
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sample() -> Report:
    """The hand-built sample report."""
    return sample_report()


@pytest.fixture(scope="module")
def files(sample: Report) -> dict[str, bytes]:
    """The sample rendered to DOCX, PDF and PDF/A."""
    return render(sample, ["docx", "pdf", "pdfa"])


@pytest.fixture(scope="module")
def document(files: dict[str, bytes]) -> docx.document.Document:
    """The rendered DOCX opened with python-docx."""
    return docx.Document(io.BytesIO(files["docx"]))


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for this module's files."""
    return tmp_path_factory.mktemp("render")


@pytest.fixture(scope="module")
def pdf_path(files: dict[str, bytes], workdir: Path) -> Path:
    """The rendered PDF on disk."""
    path = workdir / "report.pdf"
    path.write_bytes(files["pdf"])
    return path


@pytest.fixture(scope="module")
def pdf_text(pdf_path: Path) -> str:
    """The PDF's text in content-stream order."""
    return _pdftotext(pdf_path, raw=True)


def _run(*args: str) -> str:
    if shutil.which(args[0]) is None:
        pytest.fail(f"{args[0]} is missing: install poppler-utils")
    return subprocess.run(args, check=True, capture_output=True, text=True, timeout=60).stdout


def _pdftotext(path: Path, page: int | None = None, raw: bool = False) -> str:
    """Text of a PDF; ``raw`` keeps content-stream order, so each table cell stays in one piece."""
    options = (["-f", str(page), "-l", str(page)] if page else []) + (["-raw"] if raw else [])
    return unicodedata.normalize("NFC", _run("pdftotext", *options, str(path), "-"))


def _paragraphs(document) -> list[Paragraph]:
    """Every paragraph of the body in document order, table cells included."""
    return [Paragraph(p, document) for p in document.element.body.iter(qn("w:p"))]


def _texts(document) -> list[str]:
    return [p.text for p in _paragraphs(document)]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFC", text))


def _in_pdf(needle: str, squashed_pdf: str) -> bool:
    """True if ``needle`` is in the (raw-order, whitespace-free) PDF text; line breaks ignored."""
    return _squash(needle) in squashed_pdf


def _inflate(pdf: bytes) -> bytes:
    """The PDF with its Flate streams decompressed (the catalog may sit in an object stream)."""
    chunks = [pdf]
    for match in re.finditer(rb"stream\r?\n", pdf):
        try:
            chunks.append(zlib.decompressobj().decompress(pdf[match.end():match.end() + 2_000_000]))
        except zlib.error:
            continue
    return b"\n".join(chunks)


def _has_bottom_border(paragraph: Paragraph) -> bool:
    ppr = paragraph._p.pPr
    return ppr is not None and ppr.find(qn("w:pBdr")) is not None and \
        ppr.find(qn("w:pBdr")).find(qn("w:bottom")) is not None


def _borderless(table) -> bool:
    borders = table._tbl.tblPr.find(qn("w:tblBorders"))
    return borders is not None and all(edge.get(qn("w:val")) in ("nil", "none") for edge in borders)


def _lines(cell) -> list[str]:
    return [p.text for p in cell.paragraphs if p.text.strip()]


def _annex_tables(document, report):
    found = []
    for annex in view_model(report).annexes:
        matches = [t for t in document.tables if [c.text for c in t.rows[0].cells] == annex.columns]
        assert matches, f"annex table missing: {annex.title}"
        found.append((annex, matches[0]))
    return found


# --------------------------------------------------------------------------------------------
# The template
# --------------------------------------------------------------------------------------------

def test_committed_template_matches_a_fresh_build() -> None:
    """report.docx is what build_docx_template.py builds now."""
    spec = importlib.util.spec_from_file_location("build_docx_template", TEMPLATE_DIR / "build_docx_template.py")
    builder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(builder)
    fresh = zipfile.ZipFile(io.BytesIO(builder.build(output=None)))
    committed = zipfile.ZipFile(TEMPLATE_DIR / "report.docx")
    assert fresh.namelist() == committed.namelist()
    for name in fresh.namelist():
        assert fresh.read(name) == committed.read(name), f"{name} differs: rerun build_docx_template.py"


# --------------------------------------------------------------------------------------------
# DOCX: page, fonts, paragraphs
# --------------------------------------------------------------------------------------------

def test_docx_page_is_a4_portrait_with_official_margins(document: docx.document.Document) -> None:
    """A4 portrait, margins top/bottom 20 mm, left 30 mm, right 15 mm."""
    section = document.sections[0]
    assert abs(section.page_width - Mm(210)) < MM and abs(section.page_height - Mm(297)) < MM
    assert abs(section.top_margin - Mm(20)) < MM and abs(section.bottom_margin - Mm(20)) < MM
    assert abs(section.left_margin - Mm(30)) < MM and abs(section.right_margin - Mm(15)) < MM
    assert len(document.sections) == 1


def test_docx_page_numbers_centred_in_header_except_page_one(document: docx.document.Document) -> None:
    """A centred PAGE field in the header; page 1 has its own empty header."""
    section = document.sections[0]
    assert section.different_first_page_header_footer
    header = section.header._element
    instructions = "".join(t.text for t in header.iter(qn("w:instrText")))
    assert "PAGE" in instructions
    assert section.header.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.CENTER
    first = section.first_page_header
    assert not first.is_linked_to_previous
    assert "".join(p.text for p in first.paragraphs).strip() == ""
    assert not list(first._element.iter(qn("w:instrText")))
    assert not list(first._element.iter(qn("w:fldSimple")))


def test_docx_fonts_are_times_new_roman_everywhere(document: docx.document.Document) -> None:
    """Times New Roman on all four scripts, no theme font anywhere, Vietnamese language."""
    defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = defaults.find(qn("w:rFonts"))
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        assert fonts.get(qn(attr)) == FONT
    for element in (document.styles.element, document.element):
        for rfonts in element.iter(qn("w:rFonts")):
            names = {key.split("}")[1]: value for key, value in rfonts.attrib.items()}
            assert not any(key.lower().endswith("theme") for key in names), names
            assert set(names.values()) <= {FONT}, names
    assert defaults.find(qn("w:lang")).get(qn("w:val")) == "vi-VN"


def test_docx_body_text_format(document: docx.document.Document) -> None:
    """Body 13–14 pt, justified, first-line indent ≤ 1.27 cm, ≥ 6 pt after, spacing 1–1.5."""
    style = document.styles["Body Text"]
    fmt = style.paragraph_format
    assert Pt(13) <= style.font.size <= Pt(14)
    assert fmt.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert Cm(1.0) <= fmt.first_line_indent <= Cm(1.27) + MM / 10
    assert fmt.space_after >= Pt(6)
    assert 1.0 <= fmt.line_spacing <= 1.5
    for level in (1, 2, 3):
        heading = document.styles[f"Heading {level}"]
        assert heading.font.bold and Pt(13) <= heading.font.size <= Pt(14)
        assert heading.font.color.rgb is None and heading.font.color.theme_color is None


def test_docx_sections_use_heading_and_body_styles(document: docx.document.Document, sample: Report) -> None:
    """Sections I–V and the area subsections use the heading styles, in order."""
    styles = {"h1": "Heading 1", "h2": "Heading 2", "h3": "Heading 3", "p": "Body Text"}
    by_text = {}
    for paragraph in _paragraphs(document):
        by_text.setdefault(paragraph.text, paragraph.style.name)
    blocks = view_model(sample).body
    for block in blocks:
        assert by_text.get(block.text) == styles[block.kind], block.text
    headings = [b.text for b in blocks if b.kind == "h1"]
    assert [h.split(".")[0] for h in headings] == ["I", "II", "III", "IV", "V"]
    area_titles = [b.text for b in blocks if b.kind == "h2"]
    for area in sample.areas[1:]:
        assert any(area.title in title for title in area_titles), area.title
    # Headings come in the report's order.
    texts = _texts(document)
    positions = [texts.index(h) for h in headings]
    assert positions == sorted(positions)


# --------------------------------------------------------------------------------------------
# DOCX: header block, title, closing block
# --------------------------------------------------------------------------------------------

def test_docx_header_block_when_the_ubnd_issues(document: docx.document.Document) -> None:
    """The two-column header block when the UBND issues the report itself."""
    table = document.tables[0]
    assert document.element.body[0] is table._tbl, "the header block comes first"
    assert len(table.columns) == 2 and _borderless(table)
    left, right = table.rows[0].cells
    assert _lines(left) == ["ỦY BAN NHÂN DÂN", "TỈNH HÀ TĨNH", "Số: 05/BC-UBND"]
    for paragraph in left.paragraphs[:2]:
        assert all(run.bold for run in paragraph.runs)
        assert all(Pt(12) <= run.font.size <= Pt(13) for run in paragraph.runs)
    assert any(_has_bottom_border(p) and not p.text for p in left.paragraphs), "rule under the issuing body"
    number = next(p for p in left.paragraphs if p.text.startswith("Số:"))
    assert number.runs[0].font.size == Pt(13) and not number.runs[0].bold

    assert _lines(right) == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                             "Hà Tĩnh, ngày 05 tháng 12 năm 2024"]
    nation, motto = right.paragraphs[0], right.paragraphs[1]
    assert nation.runs[0].bold and Pt(12) <= nation.runs[0].font.size <= Pt(13)
    assert motto.runs[0].bold and Pt(13) <= motto.runs[0].font.size <= Pt(14)
    assert _has_bottom_border(right.paragraphs[2]) and not right.paragraphs[2].text, "rule under the motto"
    place = right.paragraphs[3]
    assert place.runs[0].italic
    for paragraph in left.paragraphs + right.paragraphs:
        if paragraph.text:
            assert paragraph.alignment == WD_ALIGN_PARAGRAPH.CENTER


def test_docx_header_block_with_parent_body_and_padded_date(sample: Report) -> None:
    """A parent body (not bold) above the issuing body (bold); the date keeps its zero padding."""
    report = dataclasses.replace(sample, charts=[], header=dataclasses.replace(
        sample.header, parent_body="UBND tỉnh Hà Tĩnh", issuing_body="Sở Nội vụ",
        number=formatting.doc_number(3, "BC-SNV"),
        place_date=f"Hà Tĩnh, {formatting.admin_date(date(2024, 1, 5))}"))
    document = docx.Document(io.BytesIO(render(report, ["docx"])["docx"]))
    left, right = document.tables[0].rows[0].cells
    assert _lines(left) == ["UBND TỈNH HÀ TĨNH", "SỞ NỘI VỤ", "Số: 03/BC-SNV"]
    parent, issuer = left.paragraphs[0], left.paragraphs[1]
    assert not any(run.bold for run in parent.runs), "the parent body is not bold"
    assert all(run.bold for run in issuer.runs)
    assert _lines(right)[-1] == "Hà Tĩnh, ngày 05 tháng 01 năm 2024"


def test_docx_title_and_subject(document: docx.document.Document, sample: Report) -> None:
    """BÁO CÁO and the subject, bold and centred, with a short rule beneath."""
    paragraphs = _paragraphs(document)
    texts = [p.text for p in paragraphs]
    kind = paragraphs[texts.index("BÁO CÁO")]
    subject = paragraphs[texts.index(sample.subject)]
    for paragraph in (kind, subject):
        assert paragraph.alignment == WD_ALIGN_PARAGRAPH.CENTER
        assert all(run.bold for run in paragraph.runs)
    rule = paragraphs[texts.index(sample.subject) + 1]
    assert rule.text == "" and _has_bottom_border(rule), "short rule under the subject"


def test_docx_closing_block(document: docx.document.Document) -> None:
    """Nơi nhận (bold italic 12 pt, list at 11 pt) beside the signature block."""
    table = next(t for t in document.tables if t.rows[0].cells[0].text.startswith("Nơi nhận:"))
    assert len(table.columns) == 2 and _borderless(table)
    left, right = table.rows[0].cells
    label = left.paragraphs[0]
    assert label.text == "Nơi nhận:"
    assert label.runs[0].bold and label.runs[0].italic and label.runs[0].font.size == Pt(12)
    items = left.paragraphs[1:]
    assert [p.text for p in items][0] == "- Bộ Nội vụ;" and items[-1].text == "- Lưu: VT, NC."
    for paragraph in items:
        assert paragraph.style.name == "Recipients" and paragraph.style.font.size == Pt(11)
    assert _lines(right) == ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nguyễn Hồng Lĩnh"]
    for paragraph in right.paragraphs:
        assert all(run.bold for run in paragraph.runs)
    texts = [p.text for p in right.paragraphs]
    blank = texts.index("Nguyễn Hồng Lĩnh") - texts.index("PHÓ CHỦ TỊCH") - 1
    assert blank >= 3, "room for the signature"


def test_docx_annex_tables_repeat_their_header_row(document: docx.document.Document, sample: Report) -> None:
    """Each annex starts a page and its table repeats the header row (w:tblHeader)."""
    texts = _texts(document)
    tables = _annex_tables(document, sample)
    assert len(tables) == len(sample.annexes) == 3
    for annex, table in tables:
        header = table.rows[0]._tr
        assert header.trPr is not None and header.trPr.find(qn("w:tblHeader")) is not None
        for row in table.rows[1:]:
            assert row._tr.trPr is None or row._tr.trPr.find(qn("w:tblHeader")) is None
        assert [[c.text for c in row.cells] for row in table.rows[1:]] == annex.rows
        title = next(p for p in _paragraphs(document) if p.text == annex.title)
        assert title.paragraph_format.page_break_before
        assert "(Kèm theo Báo cáo số 05/BC-UBND ngày 05 tháng 12 năm 2024)" in texts


def test_docx_charts_are_inline_images(document: docx.document.Document, sample: Report) -> None:
    """Each chart is an inline picture under its title."""
    assert len(document.inline_shapes) == len(sample.charts) == 2
    texts = _texts(document)
    for chart in sample.charts:
        assert chart.title in texts


def test_docx_output_is_deterministic(sample: Report, files: dict[str, bytes]) -> None:
    """Rendering the same report twice gives the same DOCX bytes."""
    assert render(sample, ["docx"])["docx"] == files["docx"]


# --------------------------------------------------------------------------------------------
# Same content in the DOCX and the PDF
# --------------------------------------------------------------------------------------------

def test_pdf_and_docx_carry_the_same_content(document: docx.document.Document, pdf_text: str,
                                             sample: Report) -> None:
    """Every heading, paragraph and annex cell is in both the DOCX and the PDF."""
    docx_text = "\n".join(_texts(document))
    squashed = _squash(pdf_text)
    view = view_model(sample)
    expected = [view.doc_kind, view.subject, view.header["number"], view.header["place_date"],
                *view.header["issuing_lines"], "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                "Độc lập - Tự do - Hạnh phúc", "Nơi nhận:", *view.recipients,
                *view.signature.values(), *(b.text for b in view.body),
                *(c.title for c in sample.charts)]
    for annex in view.annexes:
        expected += [annex.title, annex.note, *annex.columns, *(cell for row in annex.rows for cell in row)]
    missing_docx = [text for text in expected if text and text not in docx_text]
    missing_pdf = [text for text in expected if text and not _in_pdf(text, squashed)]
    assert not missing_docx
    assert not missing_pdf
    # Numbers keep their Vietnamese form (dot for thousands, comma for decimals) in both files.
    for number in ("1.234.567", "1.102.345,5", "94%", "96,8%", "65,4%", "102,6%", "66,7%"):
        assert number in docx_text and number in squashed, number


def test_pdf_page_geometry_and_page_numbers(pdf_path: Path) -> None:
    """A4, the text inside the official margins, page numbers centred on top from page 2."""
    info = _run("pdfinfo", str(pdf_path))
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info)
    assert _pdftotext(pdf_path, page=1).lstrip().startswith("ỦY BAN NHÂN DÂN"), "no number on page 1"
    assert _pdftotext(pdf_path, page=2).lstrip().split("\n")[0].strip() == "2"
    # Word boxes of page 2: text starts at the 30 mm left margin and ends at the 15 mm right one.
    boxes = _run("pdftotext", "-bbox", "-f", "2", "-l", "2", str(pdf_path), "-")
    words = [tuple(float(v) for v in m) for m in
             re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)"', boxes)]
    body = [w for w in words if w[1] > 56]  # below the page number
    point = 72 / 25.4
    assert abs(min(w[0] for w in body) - 30 * point) < 1.5
    assert abs(max(w[2] for w in body) - (210 - 15) * point) < 1.5
    assert min(w[1] for w in body) >= 20 * point - 1
    number = [w for w in words if w[1] < 56]
    assert number and abs((number[0][0] + number[0][2]) / 2 - (30 + 165 / 2) * point) < 3, "centred"


def test_pdf_fonts_are_embedded(files: dict[str, bytes], workdir: Path) -> None:
    """pdffonts lists only embedded Times New Roman twins, in both PDF variants."""
    for name in ("pdf", "pdfa"):
        path = workdir / f"fonts-{name}.pdf"
        path.write_bytes(files[name])
        rows = _run("pdffonts", str(path)).splitlines()[2:]
        assert rows, "no fonts listed"
        for row in rows:
            assert re.search(r"Tinos|LiberationSerif|TimesNewRoman", row), row
            columns = row.split()
            assert columns[-5] == "yes", f"font not embedded: {row}"


def test_pdfa_variant_is_produced(files: dict[str, bytes], workdir: Path) -> None:
    """The pdfa format is PDF/A-3b: XMP identification and an output intent."""
    path = workdir / "report-a.pdf"
    path.write_bytes(files["pdfa"])
    assert files["pdfa"].startswith(b"%PDF-1.7")
    meta = _run("pdfinfo", "-meta", str(path))
    assert 'pdfaid:part="3"' in meta and 'pdfaid:conformance="B"' in meta
    assert b"/OutputIntents" in _inflate(files["pdfa"])
    assert b"/OutputIntents" not in _inflate(files["pdf"])
    assert "Kết quả thực hiện công tác cải cách hành chính năm 2024" in meta


# --------------------------------------------------------------------------------------------
# Errors (hostile text: tests/test_hostile_text.py)
# --------------------------------------------------------------------------------------------

def test_unknown_format_is_a_vietnamese_render_error(sample: Report) -> None:
    """An unknown format is refused with a Vietnamese message."""
    with pytest.raises(RenderError, match="Định dạng không được hỗ trợ: xlsx"):
        render(sample, ["docx", "xlsx"])


def test_missing_template_is_a_render_error(sample: Report, monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    """A missing DOCX template is a RenderError, not a crash."""
    from reportsvc.render import docx as docx_renderer

    monkeypatch.setattr(docx_renderer, "TEMPLATE", tmp_path / "missing.docx")
    with pytest.raises(RenderError, match="Không tìm thấy mẫu báo cáo DOCX"):
        render(sample, ["docx"])


# --------------------------------------------------------------------------------------------
# LibreOffice opens and converts the DOCX (the one place soffice runs; see the soffice fixture)
# --------------------------------------------------------------------------------------------

PERIOD_LABELS = {"2024-Q1": "quý I năm 2024", "2024-H1": "6 tháng đầu năm 2024", "2024-M9": "9 tháng năm 2024",
                 "2024-Q3": "quý III năm 2024", "2024-Y": "năm 2024"}


def test_libreoffice_converts_the_sample_and_every_generated_docx(files: dict[str, bytes], sample: Report,
                                                                  soffice: str, runner: CliRunner,
                                                                  demo_services, tmp_path: Path) -> None:  # noqa: ANN001
    """LibreOffice headless opens the sample DOCX and the demo's DOCX of every period kind and converts
    them to PDF: the sample keeps its layout features, each demo report its title (one soffice run)."""
    sources = {"sample": tmp_path / "docx" / "report.docx"}
    sources["sample"].parent.mkdir()
    sources["sample"].write_bytes(files["docx"])
    for key in PERIOD_LABELS:
        result = runner.invoke(main, ["report", "generate", "--unit", "HT", "--period", key, "--format", "docx",
                                      "--out", str(tmp_path / "docx")])
        assert result.exit_code == 0, result.output
        sources[key] = Path(result.stdout.strip())
    outdir = tmp_path / "pdf"
    result = subprocess.run(
        [soffice, f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}", "--headless", "--convert-to", "pdf",
         "--outdir", str(outdir), *map(str, sources.values())],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    converted = {key: outdir / source.with_suffix(".pdf").name for key, source in sources.items()}
    assert [key for key, path in converted.items() if not path.is_file()] == [], result.stderr

    squashed = _squash(_pdftotext(converted["sample"], raw=True))
    for needle in ("ỦY BAN NHÂN DÂN", "BÁO CÁO", sample.subject, "Nơi nhận:", "Nguyễn Hồng Lĩnh",
                   sample.annexes[0].title):
        assert _in_pdf(needle, squashed), needle
    assert _pdftotext(converted["sample"], page=2).lstrip().split("\n")[0].strip() == "2"
    assert not _pdftotext(converted["sample"], page=1).lstrip().startswith("1")
    for key, label in PERIOD_LABELS.items():
        text = _squash(_pdftotext(converted[key], raw=True))
        assert _in_pdf(f"Kết quả thực hiện công tác cải cách hành chính {label}", text), key
