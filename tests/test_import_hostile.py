"""Bad and hostile plan files (damaged, encrypted, old formats, zip bombs, XXE): one clear Vietnamese
message, exit code 2, database untouched, no traceback. Hostile *text* in good files: tests/test_hostile_text.py."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from click.testing import CliRunner

from reportsvc.cli.main import main
from reportsvc.config import Settings, load_settings
from reportsvc.hooks.registry import PluginRegistry, build_registry
from reportsvc.importing import PlanImportError, analyse_plan
from reportsvc.importing.safety import MB, OLE_MAGIC
from tests.test_plan_import import add_unit, fixture_bytes, table_counts




@pytest.fixture(scope="module")
def registry() -> PluginRegistry:
    """Return the registry of the built-in area plugins."""
    return build_registry()


def docx_without_plan() -> bytes:
    """A letter with a signature table and no task table."""
    document = docx.Document()
    document.add_paragraph("ỦY BAN NHÂN DÂN TỈNH HÀ TĨNH")
    document.add_paragraph("Kế hoạch cải cách hành chính năm 2024")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Nơi nhận:"
    table.cell(0, 1).text = "TM. ỦY BAN NHÂN DÂN"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_without_numbers() -> bytes:
    """A sheet with the plan header but no numbered row."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["STT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành"])
    sheet.append(["I", "CẢI CÁCH THỂ CHẾ", None, None, None])
    sheet.append([None, "Chưa có nhiệm vụ", "Sở Tư pháp", None, "Năm 2024"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def rezip(data: bytes, member: str, content: bytes) -> bytes:
    """Return the zip ``data`` with one member's content replaced."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, content if info.filename == member else source.read(info.filename))
    return out.getvalue()


def xxe_docx() -> bytes:
    """A DOCX whose document.xml declares an external entity (XXE)."""
    data = fixture_bytes("004", "docx")
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
    declaration, rest = xml.split(b"?>", 1)
    evil = (declaration + b'?><!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            + rest.replace("Thành phố".encode(), b"&xxe;", 1))
    return rezip(data, "word/document.xml", evil)


def billion_laughs_xlsx() -> bytes:
    """An XLSX whose worksheet expands entities exponentially ("billion laughs")."""
    data = fixture_bytes("004", "xlsx")
    lol = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
           b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
           b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
           b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
           b'<c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row></sheetData></worksheet>')
    return rezip(data, "xl/worksheets/sheet1.xml", lol)


def external_dtd_docx() -> bytes:
    """A DOCX whose document.xml points at an external DTD."""
    data = fixture_bytes("000", "docx")
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
    declaration, rest = xml.split(b"?>", 1)
    return rezip(data, "word/document.xml", declaration + b'?><!DOCTYPE w SYSTEM "http://example.invalid/x.dtd">' + rest)


def zip_bomb() -> bytes:
    """A DOCX-shaped zip whose document.xml inflates to 3 MB of zeros (the tests cap it at 1 MB)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * (3 * MB))
    return out.getvalue()


def corrupt_member() -> bytes:
    """A DOCX whose document.xml compressed bytes were damaged (zip directory intact)."""
    data = bytearray(fixture_bytes("004", "docx"))
    archive = zipfile.ZipFile(io.BytesIO(bytes(data)))
    info = archive.getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for offset in range(start + 200, start + 260):
        data[offset] ^= 0xA5
    return bytes(data)


def ole(*streams: str) -> bytes:
    """An OLE/CFB container naming the given streams in its directory."""
    directory = b"".join(name.encode("utf-16-le").ljust(64, b"\0") for name in streams)
    return OLE_MAGIC + b"\0" * 504 + directory + b"\0" * 1024


CASES = [
    ("khong_co_bang.docx", docx_without_plan, "Không tìm thấy bảng kế hoạch"),
    ("khong_so_thu_tu.xlsx", xlsx_without_numbers, "không có nhiệm vụ nào được đánh số"),
    ("hong.docx", lambda: b"PK\x03\x04" + b"\x14\x00" * 40, "bị hỏng"),
    ("cut.docx", lambda: fixture_bytes("000", "docx")[:5000], "bị hỏng"),
    ("damaged.docx", corrupt_member, "bị hỏng"),
    ("not_a_zip.xlsx", lambda: b"hello, world", "bị hỏng"),
    ("mat_khau.xlsx", lambda: ole("Root Entry", "EncryptionInfo", "EncryptedPackage"), "mật khẩu"),
    ("cu.doc", lambda: ole("Root Entry", "WordDocument"), "định dạng Office cũ"),
    ("cu.xls", lambda: ole("Root Entry", "Workbook"), "định dạng Office cũ"),
    ("doi_ten.xlsx", lambda: ole("Root Entry", "Workbook"), "định dạng Office cũ"),
    ("rong.docx", lambda: b"", "rỗng"),
    ("rong.csv", lambda: b"", "rỗng"),
    ("bom.docx", zip_bomb, "zip bomb"),
    ("xxe.docx", xxe_docx, "XXE"),
    ("laughs.xlsx", billion_laughs_xlsx, "XXE"),
    ("dtd.docx", external_dtd_docx, "DTD"),
    ("zip_khac.docx", lambda: _other_zip(), "không phải tài liệu Word"),
    ("latin.csv", lambda: "STT,Nhiệm vụ,Cơ quan chủ trì\n1,Công việc,Sở Nội vụ\n".encode("cp1258", "replace"),
     "UTF-8"),
    ("ke_hoach.pdf", lambda: b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "PDF"),
    ("ke_hoach.txt", lambda: "STT\tNhiệm vụ\n".encode(), "không được hỗ trợ"),
    ("rac.csv", lambda: b"a,b,c\n1,2,3\n", "Không tìm thấy bảng kế hoạch"),
]


def _other_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "không phải tài liệu")
    return out.getvalue()


def test_no_table_message_names_the_columns(registry: PluginRegistry) -> None:
    with pytest.raises(PlanImportError) as caught:
        analyse_plan(docx_without_plan(), "thu.docx", registry)
    text = str(caught.value)
    for column in ("TT/STT", "Nhiệm vụ", "Nội dung công việc", "Mục tiêu, chỉ tiêu", "Hoạt động", "Sản phẩm",
                   "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành", "Kinh phí"):
        assert column in text


def test_size_limit_is_configurable(registry: PluginRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = fixture_bytes("004", "docx")
    assert Settings(data_dir=tmp_path).max_upload_mb == 20 and Settings(data_dir=tmp_path).max_unzipped_mb == 200
    monkeypatch.setenv("REPORTSVC_MAX_UPLOAD_MB", str(len(data) / MB / 2))
    settings = load_settings()
    with pytest.raises(PlanImportError, match="vượt giới hạn .* MB \\(cấu hình REPORTSVC_MAX_UPLOAD_MB\\)"):
        analyse_plan(data, "lon.docx", registry, settings)
    big = tmp_path / "lon.xlsx"
    with big.open("wb") as handle:  # a sparse 21 MB file: refused from its size, never read
        handle.truncate(21 * MB)
    with pytest.raises(PlanImportError, match="21.0 MB, vượt giới hạn 20 MB"):
        analyse_plan(big, None, registry, Settings(data_dir=tmp_path))
    with pytest.raises(PlanImportError, match="Không tìm thấy tệp"):
        analyse_plan(tmp_path / "khong_co.docx", None, registry)


def test_content_decides_the_reader_not_the_extension(registry: PluginRegistry) -> None:
    parsed = analyse_plan(fixture_bytes("004", "xlsx"), "thuc_ra_la_excel.docx", registry)
    assert (parsed.kind, parsed.total_rows) == ("xlsx", 57)


@pytest.mark.parametrize(("name", "make", "message"), CASES, ids=[c[0] for c in CASES])
def test_bad_file_is_refused_with_one_line_and_the_database_untouched(name: str, make, message: str,  # noqa: ANN001
                                                                      runner: CliRunner, services,  # noqa: ANN001
                                                                      tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """``plan import`` (and its dry run) refuses the file: exit 2, one "Lỗi: …" line, nothing written."""
    add_unit(services)
    before = table_counts(services)
    monkeypatch.setenv("REPORTSVC_MAX_UNZIPPED_MB", "1")  # the zip bomb inflates to 3 MB
    path = tmp_path / name
    path.write_bytes(make())
    for extra in ((), ("--dry-run", "--json")):
        result = runner.invoke(main, ["plan", "import", str(path), "--unit", "HT", "--year", "2024", *extra])
        assert result.exit_code == 2, (extra, result.output)
        assert result.stdout == "", extra
        assert result.stderr.startswith("Lỗi: ") and result.stderr.count("\n") == 1, (extra, result.stderr)
        assert message in result.stderr and "Traceback" not in result.stderr, (extra, result.stderr)
        assert result.exception is None or isinstance(result.exception, SystemExit), extra
    assert table_counts(services) == before
