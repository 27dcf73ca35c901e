"""Plan import from PDF (issue 13, items 4 and 5): the seed layouts exported to PDF, scans, and safety.

The PDFs under tests/fixtures/pdf/ were made by tests/fixtures/pdf/make_pdfs.py: each seed's DOCX
(tests/seed_fixtures.py) converted by LibreOffice, so they are what "Save as PDF" gives. Seed 003
(Tứ Kỳ 2023) is itself the text of a PDF: its table, rebuilt from that text, is exported the same way.
"""
from __future__ import annotations

import io
import re
from functools import lru_cache
from pathlib import Path

import pdfplumber
import pytest
from sqlalchemy import func, select

from reportsvc.config import ConfigError, Settings, load_settings
from reportsvc.db.models import Plan, Task
from reportsvc.hooks.registry import PluginRegistry, build_registry
from reportsvc.importing import PlanImportError, analyse_plan, run_import
from reportsvc.importing.layout import match_header
from reportsvc.importing.pdf import _Line, _reflow, page_words, pdf_blocks
from reportsvc.importing.readers import read_blocks
from reportsvc.importing.units import read_unit_list
from tests import seed_fixtures
from tests.test_plan_import import EXPECTED, TOTALS, YEARS, add_unit, table_counts

PDFS = Path(__file__).resolve().parent / "fixtures" / "pdf"
SEEDS = ("000", "001", "003", "004")


@lru_cache(maxsize=None)
def pdf_bytes(seed: str) -> bytes:
    """Return a committed seed PDF."""
    return (PDFS / f"seed_{seed}.pdf").read_bytes()


@lru_cache(maxsize=None)
def docx_bytes(seed: str) -> bytes:
    """Return the seed's DOCX, the file the PDF was exported from (before turning 001 to landscape)."""
    return seed_fixtures.build(seed, "docx")


@pytest.fixture(scope="module")
def registry() -> PluginRegistry:
    """Return the registry of the built-in area plugins."""
    return build_registry()


def table_rows(blocks: list) -> list:  # noqa: ANN001
    """Return the rows of every table block, in order."""
    return [row for block in blocks if block.kind == "table" for row in block.rows]


def scanned(pdf: bytes, pages: slice = slice(0, 2)) -> bytes:
    """Return a PDF whose pages are pictures of ``pdf``'s pages: no text layer, as a scanner makes it."""
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        images = [page.to_image(resolution=60).original.convert("RGB") for page in document.pages[pages]]
    out = io.BytesIO()
    images[0].save(out, "PDF", save_all=True, append_images=images[1:], resolution=60)
    return out.getvalue()


def with_script_and_attachment(pdf: bytes) -> bytes:
    """Return ``pdf`` with an incremental update: a new catalog running JavaScript on open and an embedded .exe."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser

    document = PDFDocument(PDFParser(io.BytesIO(pdf)))
    pages = document.catalog["Pages"].objid
    root = document.xrefs[-1].trailer["Root"].objid if hasattr(document.xrefs[-1].trailer["Root"], "objid") else 1
    size = max(objid for xref in document.xrefs for objid in xref.get_objids()) + 1
    start = int(re.findall(rb"startxref\s+(\d+)", pdf)[-1])
    payload = b"MZ\x90\x00 not really a program"
    objects = {
        size: (f"<< /Type /Catalog /Pages {pages} 0 R /OpenAction {size + 1} 0 R "
               f"/Names << /EmbeddedFiles << /Names [(payload.exe) {size + 2} 0 R] >> "
               f"/JavaScript << /Names [(run) {size + 1} 0 R] >> >> >>").encode(),
        size + 1: b"<< /S /JavaScript /JS (app.alert\\('xin chao'\\); this.exportDataObject({cName: 'payload.exe'});) >>",
        size + 2: f"<< /Type /Filespec /F (payload.exe) /EF << /F {size + 3} 0 R >> >>".encode(),
        size + 3: b"<< /Type /EmbeddedFile /Length %d >>\nstream\n" % len(payload) + payload + b"\nendstream",
    }
    out = bytearray(pdf if pdf.endswith(b"\n") else pdf + b"\n")
    offsets = {}
    for objid, body in objects.items():
        offsets[objid] = len(out)
        out += f"{objid} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n{size} {len(objects)}\n".encode()
    for objid in objects:
        out += f"{offsets[objid]:010d} 00000 n \n".encode()
    out += (f"trailer\n<< /Size {size + len(objects)} /Root {size} 0 R /Prev {start} >>\n"
            f"startxref\n{xref}\n%%EOF\n").encode()
    assert root  # the old catalog is left in place, unreferenced
    return bytes(out)


# ------------------------------------------------------------------------------------------
# The seed layouts as PDFs: the same areas and item counts as from DOCX
# ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
def test_seed_pdf_dry_run_matches_its_docx(seed: str, registry: PluginRegistry) -> None:
    from_pdf = analyse_plan(pdf_bytes(seed), f"ke_hoach_{seed}.pdf", registry, year=YEARS[seed])
    from_docx = analyse_plan(docx_bytes(seed), f"ke_hoach_{seed}.docx", registry, year=YEARS[seed])
    assert from_pdf.kind == "pdf"
    expected = [{"code": c, "title": t, "rows": n} for c, t, n, _ in EXPECTED[seed]]
    assert from_pdf.summary()["areas"] == from_docx.summary()["areas"] == expected
    assert from_pdf.total_rows == from_docx.total_rows == TOTALS[seed]
    assert [a.area_code for a in from_pdf.areas] == [code for *_, code in EXPECTED[seed]]
    assert from_pdf.title == from_docx.title
    assert from_pdf.identity == from_docx.identity  # the plan's number, date and issuing body as the DOCX gives them
    assert [i.number for a in from_pdf.areas for i in a.items] == [i.number for a in from_docx.areas for i in a.items]


@pytest.mark.parametrize("seed", SEEDS)
def test_page_headers_dropped_and_cells_rejoined(seed: str) -> None:
    """LibreOffice repeats the header at the top of every page; those repeats are dropped."""
    pdf_rows = table_rows(pdf_blocks(pdf_bytes(seed), "kh.pdf"))
    docx_rows = table_rows(read_blocks(docx_bytes(seed), "docx", "kh.docx"))
    with pdfplumber.open(io.BytesIO(pdf_bytes(seed))) as document:
        page_tops = [page.find_tables()[0].extract()[0] for page in document.pages if page.find_tables()]
    in_docx = len([row for row in docx_rows if match_header(row) is not None])
    repeated = [cells for cells in page_tops if cells[0] in ("TT", "STT")]
    assert len(repeated) > in_docx  # the PDF has more header rows than the document it came from
    assert 1 <= len([row for row in pdf_rows if match_header(row) is not None]) <= in_docx
    numbers = [row.cells[0] for row in pdf_rows if re.fullmatch(r"\d+", row.cells[0])]
    assert numbers == [row.cells[0] for row in docx_rows if re.fullmatch(r"\d+", row.cells[0])]
    assert all("\n" not in row.cells[0] for row in pdf_rows)


def test_wrapped_cells_merged_cells_and_a_task_cell_split_by_a_page_break(registry: PluginRegistry) -> None:
    """Hải Dương on A4 portrait: cells wrap over many lines, task cells merge down and across pages."""
    items = {i.number: i for a in analyse_plan(pdf_bytes("000"), "hd.pdf", registry, year=2024).areas for i in a.items}
    expected = {i.number: i for a in analyse_plan(docx_bytes("000"), "hd.docx", registry, year=2024).areas
                for i in a.items}
    # wrapped over a dozen lines in a narrow column, read back as the sentence it is
    assert items["1"].title == expected["1"].title == (
        "Ban hành các văn bản lãnh đạo, chỉ đạo của UBND tỉnh về công tác CCHC trên địa bàn tỉnh")
    # a task cell merged over the activities 24-28, broken by a page break after "các xã,"
    assert items["24"].title == expected["24"].title
    assert items["24"].title.endswith("Ủy ban nhân dân các xã, phường, thị trấn trên địa bàn tỉnh.")
    # a number wider than its cell, broken inside ("19/01/20" | "23"), is one number again
    assert "Quyết định 08/2023/QĐ-UBND ngày 19/01/2023" in items["16"].activity
    pdf_rows = table_rows(pdf_blocks(pdf_bytes("000"), "hd.pdf"))
    heading = next(row for row in pdf_rows if row.cells[0] == "I")
    assert heading.cells[1] == "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH" and heading.copies[2:] == [True] * 5  # merged across


# The DOCX's own line ends ("Quý IV/2024-" ¶ "Quý I/2025") and spaces before punctuation ("ĐVSNCL ,") are not
# words; "Thườn g" is a cut the seed text of 001 has itself (its extractor's), which the PDF reader joins.
_LINE_END_OR_PUNCTUATION = re.compile(r"(?<=[-/–])\s+|\s+(?=[,.;:)])")
_SEED_CUTS = {"Thườn g": "Thường"}
FIELDS = ("title", "activity", "product", "lead", "coord", "deadline")


def words(text: str, cuts: dict[str, str] | None = None) -> list[str]:
    """Return the words of a cell's text, line ends after "-" or "/" and spaces before punctuation dropped."""
    for cut, whole in (cuts or {}).items():
        text = text.replace(cut, whole)
    return _LINE_END_OR_PUNCTUATION.sub("", text).split()


@pytest.mark.parametrize("seed", SEEDS)
def test_pdf_task_texts_are_the_docx_texts_no_word_cut(seed: str, registry: PluginRegistry) -> None:
    """Every task's texts read from the PDF are its DOCX texts word for word: a word LibreOffice broke because it
    is wider than a narrow column ("PARI" | "NDEX" in seed 001) is one word again, two words on a full line
    ("UBND" | "cấp") stay two, and a paragraph ending on a full line is not run into the next one (Hải Dương 51-53:
    "Các sở, ban, ngành, UBND cấp huyện" ¶ "Các đơn vị sự nghiệp công lập")."""
    from_pdf = analyse_plan(pdf_bytes(seed), f"ke_hoach_{seed}.pdf", registry, year=YEARS[seed])
    from_docx = analyse_plan(docx_bytes(seed), f"ke_hoach_{seed}.docx", registry, year=YEARS[seed])
    pdf_items = [(a.numeral, i) for a in from_pdf.areas for i in a.items]
    docx_items = [(a.numeral, i) for a in from_docx.areas for i in a.items]
    assert [(n, i.number) for n, i in pdf_items] == [(n, i.number) for n, i in docx_items]
    for (numeral, pdf_item), (_, docx_item) in zip(pdf_items, docx_items):
        for name in FIELDS:
            pdf_text, docx_text = getattr(pdf_item, name), getattr(docx_item, name)
            where = f"{seed} {numeral}/{pdf_item.number} {name}"
            assert re.sub(r"\s", "", pdf_text) == re.sub(r"\s", "", docx_text), where
            assert words(pdf_text) == words(docx_text, _SEED_CUTS), where


def test_tu_ky_pdf_header_cells_cut_and_identity(registry: PluginRegistry) -> None:
    """Seed 003 on A4 portrait: "1.NHIỆM VỤ" is wider than its column and cut ("1.NHIỆ" | "M VỤ") on every page;
    the header is found, the plan is the years and identity its title and "Ban hành kèm theo" line write."""
    parsed = analyse_plan(pdf_bytes("003"), "tu_ky.pdf", registry)  # no year given: read from the title
    assert (parsed.kind, parsed.years, parsed.years_source) == ("pdf", (2023, 2023), "title")
    assert parsed.warnings == []
    identity = parsed.identity
    assert (identity.number, identity.symbol, identity.date, identity.date_text, identity.place,
            identity.issuing_body) == ("", "KH-UBND", None, "ngày /12/2022", "", "Uỷ ban nhân dân huyện Tứ Kỳ")
    [header] = [row for row in table_rows(pdf_blocks(pdf_bytes("003"), "tk.pdf")) if match_header(row) is not None]
    assert header.cells == ["STT", "1.NHIỆM VỤ", "2.HOẠT ĐỘNG", "3.SẢN PHẨM", "4.CƠ QUAN CHỦ TRÌ",
                            "5.CƠ QUAN PHỐI HỢP", "6.THỜI GIAN HOÀN THÀNH"]


def test_words_cut_in_narrow_columns_of_seed_001(registry: PluginRegistry) -> None:
    """Hà Tĩnh in landscape: nine columns of 37 pt, where "PARINDEX", "CBCCVC" and "KH&CN" do not fit on a line."""
    parsed = analyse_plan(pdf_bytes("001"), "ha_tinh.pdf", registry, year=2024)
    text = "\n".join(getattr(i, name) for a in parsed.areas for i in a.items for name in FIELDS)
    for whole in ("PARINDEX", "CBCCVC", "KH&CN", "TĐTHPL", "CCCVC", "12-NQ/TU", "9001:2015", "phương", "chuyên"):
        assert whole in text
    for cut in ("PARI NDEX", "CBCC VC", "KH&C N", "TĐTH PL", "CCCV C", "NQ/T U", "9001: 2015", "phươn g", "chuyê n"):
        assert cut not in text
    assert "UBND cấp" in text and "UBNDcấp" not in text and "Trung ương" in text  # full lines of whole words


def test_characters_are_grouped_into_words_by_gaps_relative_to_the_font_size() -> None:
    """A PDF without space glyphs in an 8 pt font: words 2 pt apart (a space) are three words, not one."""
    from pdfplumber.utils import extract_words

    def chars(text: str, size: float, gap: float) -> list[dict]:
        out, x = [], 10.0
        for word in text.split():
            for letter in word:
                out.append({"text": letter, "x0": x, "x1": x + size / 2, "top": 100.0, "bottom": 100.0 + size,
                            "doctop": 100.0, "upright": True, "size": size, "fontname": "F", "height": size,
                            "width": size / 2})
                x += size / 2
            x += gap
        return out

    small = chars("Sở Nội vụ", 8.0, 2.0)
    assert [w["text"] for w in extract_words(small)] == ["SởNộivụ"]  # pdfplumber's fixed 3 pt tolerance
    assert [w["text"] for w in page_words(small)] == ["Sở", "Nội", "vụ"]
    assert [w["text"] for w in page_words(chars("Sở Nội vụ", 14.0, 0.1))] == ["SởNộivụ"]  # touching letters: one word


def test_a_line_without_its_space_glyph_is_a_cut_word_or_a_paragraph_end() -> None:
    """A 37 pt wide cell; the exporter writes a space glyph (3.5 pt) after lines wrapped at a space when it fits."""
    def line(text: str, width: float, first_char: float, space_after: bool, trails: bool = True) -> _Line:
        return _Line(text, 0.0, width, 0.0, 11.0, first_char * len(text.split()[0]), space_after, first_char, 3.5,
                     trails)

    cut = [line("PARI", 27.9, 7.4, False), line("NDEX", 34.3, 9.6, False)]
    assert _reflow(cut, 0.0, 37.0) == "PARINDEX"  # a space would have fitted, the "N" did not: a cut word
    full = [line("UBND", 35.8, 8.5, False), line("cấp tỉnh", 30.0, 6.2, False)]
    assert _reflow(full, 0.0, 37.0) == "UBND cấp tỉnh"  # not even a space fits after "UBND": a plain wrap
    ended = [line("vị liên quan", 30.0, 5.0, False), line("Phòng Nội vụ", 33.0, 7.0, False)]
    assert _reflow(ended, 0.0, 37.0) == "vị liên quan\nPhòng Nội vụ"  # no glyph where one fits: a paragraph end
    wrapped = [line("vị liên quan", 30.0, 5.0, True), line("Phòng Nội vụ", 33.0, 7.0, False)]
    assert _reflow(wrapped, 0.0, 37.0) == "vị liên quan Phòng Nội vụ"
    unknown = [line("PARI", 27.9, 7.4, False, trails=False), line("NDEX", 34.3, 9.6, False, trails=False)]
    assert _reflow(unknown, 0.0, 37.0) == "PARI NDEX"  # an exporter that never writes the glyph tells nothing


def test_pdf_import_is_stored_like_docx(services) -> None:  # noqa: ANN001
    add_unit(services)
    stored, parsed = run_import(services.sessions, pdf_bytes("004"), "hai_phong.pdf", "HT", 2024, services.registry,
                                create_agencies=True)
    assert parsed.kind == "pdf" and parsed.total_rows == 57
    with services.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Task)) == 57
        assert session.get(Plan, stored.id).source_filename == "hai_phong.pdf"


# ------------------------------------------------------------------------------------------
# Scans
# ------------------------------------------------------------------------------------------

def test_a_scanned_pdf_is_refused_as_a_scan(registry: PluginRegistry) -> None:
    data = scanned(pdf_bytes("004"))
    with pdfplumber.open(io.BytesIO(data)) as document:
        assert document.pages[0].images and not document.pages[0].chars
    with pytest.raises(PlanImportError) as caught:
        analyse_plan(data, "ban_quet.pdf", registry, year=2024)
    message = str(caught.value)
    assert message.startswith("Tệp PDF 'ban_quet.pdf' là bản quét (ảnh), không có lớp chữ")
    assert "\n" not in message and ".docx" in message and "OCR" in message


def test_a_pdf_with_some_scanned_pages_is_refused_naming_them(registry: PluginRegistry, tmp_path: Path) -> None:
    """Text pages with a scanned page between them would import part of the plan: refused."""
    text = pdfplumber.open(io.BytesIO(pdf_bytes("004")))
    first = text.pages[0].to_image(resolution=60).original.convert("RGB")
    text.close()
    picture = io.BytesIO()
    first.save(picture, "PDF", resolution=60)
    mixed = _concatenate(pdf_bytes("004"), picture.getvalue(), tmp_path)
    with pytest.raises(PlanImportError, match=r"^Trang \d+ của tệp PDF 'ghep.pdf' là ảnh quét, không có lớp chữ"):
        analyse_plan(mixed, "ghep.pdf", registry, year=2024)


def _concatenate(first: bytes, second: bytes, folder: Path) -> bytes:
    """Return one PDF with the pages of both (pdfunite from poppler, else skip)."""
    import shutil
    import subprocess

    tool = shutil.which("pdfunite")
    if tool is None:
        pytest.skip("pdfunite (poppler-utils) is not installed")
    (folder / "a.pdf").write_bytes(first)
    (folder / "b.pdf").write_bytes(second)
    subprocess.run([tool, str(folder / "a.pdf"), str(folder / "b.pdf"), str(folder / "c.pdf")], check=True,
                   capture_output=True, timeout=60)
    return (folder / "c.pdf").read_bytes()


# ------------------------------------------------------------------------------------------
# Safety
# ------------------------------------------------------------------------------------------

def test_an_encrypted_pdf_is_refused(registry: PluginRegistry) -> None:
    data = (PDFS / "encrypted.pdf").read_bytes()
    with pytest.raises(PlanImportError, match="^Tệp PDF 'mat_khau.pdf' được bảo vệ bằng mật khẩu"):
        analyse_plan(data, "mat_khau.pdf", registry, year=2024)


@pytest.mark.parametrize(("name", "build", "message"), [
    ("cut.pdf", lambda: pdf_bytes("004")[: len(pdf_bytes("004")) // 2], "bị hỏng hoặc không đầy đủ"),
    ("cut_end.pdf", lambda: pdf_bytes("004")[:-40], "bị hỏng hoặc không đầy đủ"),
    ("header.pdf", lambda: b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "bị hỏng hoặc không đầy đủ"),
    ("rac.pdf", lambda: b"%PDF-1.7\n" + bytes(range(256)) * 20 + b"\n%%EOF\n", "Tệp PDF 'rac.pdf' bị hỏng"),
    ("doi_ten.docx", lambda: b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n",
     "Tệp PDF 'doi_ten.docx'"),
])
def test_a_damaged_pdf_gets_a_clear_error(name: str, build, message: str, registry: PluginRegistry) -> None:  # noqa: ANN001
    with pytest.raises(PlanImportError) as caught:
        analyse_plan(build(), name, registry, year=2024)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_embedded_files_and_scripts_are_ignored(registry: PluginRegistry) -> None:
    data = with_script_and_attachment(pdf_bytes("004"))
    assert b"/JavaScript" in data and b"/EmbeddedFiles" in data
    parsed = analyse_plan(data, "co_script.pdf", registry, year=2024)
    assert parsed.summary()["areas"] == [{"code": c, "title": t, "rows": n} for c, t, n, _ in EXPECTED["004"]]
    assert not any("payload" in text or "app.alert" in text for text in str(parsed.summary()).split())


def test_page_limit_and_time_limit(registry: PluginRegistry, tmp_path: Path) -> None:
    with pytest.raises(PlanImportError, match=r"có \d+ trang, vượt giới hạn 5 trang \(cấu hình REPORTSVC_MAX_PDF_PAGES\)"):
        analyse_plan(pdf_bytes("004"), "dai.pdf", registry, Settings(data_dir=tmp_path, max_pdf_pages=5), year=2024)
    with pytest.raises(PlanImportError, match=r"quá 1e-09 giây \(cấu hình REPORTSVC_PDF_SECONDS\); đã dừng, không nhập gì"):
        analyse_plan(pdf_bytes("004"), "cham.pdf", registry, Settings(data_dir=tmp_path, pdf_seconds=1e-9), year=2024)


def test_pdf_settings_come_from_the_environment() -> None:
    settings = load_settings(environ={"REPORTSVC_MAX_PDF_PAGES": "40", "REPORTSVC_PDF_SECONDS": "12.5"})
    assert (settings.max_pdf_pages, settings.pdf_seconds) == (40, 12.5)
    assert (Settings().max_pdf_pages, Settings().pdf_seconds) == (300, 60)
    with pytest.raises(ConfigError, match="REPORTSVC_MAX_PDF_PAGES"):
        load_settings(environ={"REPORTSVC_MAX_PDF_PAGES": "0"})
    with pytest.raises(ConfigError, match="REPORTSVC_PDF_SECONDS"):
        load_settings(environ={"REPORTSVC_PDF_SECONDS": "lâu"})


def test_a_failed_pdf_import_writes_nothing(services) -> None:  # noqa: ANN001
    add_unit(services)
    before = table_counts(services)
    with pytest.raises(PlanImportError, match="bản quét"):
        run_import(services.sessions, scanned(pdf_bytes("000")), "quet.pdf", "HT", 2024, services.registry)
    with pytest.raises(PlanImportError, match="bị hỏng"):
        run_import(services.sessions, pdf_bytes("000")[:-100], "cut.pdf", "HT", 2024, services.registry)
    assert table_counts(services) == before


def test_unit_lists_still_refuse_pdf() -> None:
    from reportsvc.importing.errors import PlanImportError as Refused

    with pytest.raises(Refused, match="PDF"):
        read_unit_list(pdf_bytes("004"), "don_vi.pdf")


def test_the_web_upload_takes_a_pdf_and_refuses_a_scan(app, demo_services) -> None:  # noqa: ANN001
    from tests.test_web_flows import signed_in

    client = signed_in(app, "admin")
    page = client.get("/plans/upload").get_data(as_text=True)
    assert ".pdf" in page
    upload = client.post("/plans/upload", data={"unit": "HT", "year": "2024", "file": (
        io.BytesIO(pdf_bytes("004")), "KH_HP_2024.pdf")}, content_type="multipart/form-data")
    assert upload.status_code == 302
    preview = client.get(upload.location).get_data(as_text=True)
    assert "chưa có gì được lưu" in preview and "57 nhiệm vụ" in preview
    scan = client.post("/plans/upload", data={"unit": "HT", "year": "2024", "file": (
        io.BytesIO(scanned(pdf_bytes("004"))), "ban_quet.pdf")}, content_type="multipart/form-data")
    assert scan.status_code == 400
    assert "là bản quét (ảnh), không có lớp chữ" in scan.get_data(as_text=True)
