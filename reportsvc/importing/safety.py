"""Checks an uploaded plan file passes before any parser sees it.

Order: size (empty, above ``Settings.max_upload_mb``), OLE/CFB containers (password-protected
OOXML and old binary .doc/.xls), the file type, then for DOCX/XLSX the zip itself: readable
central directory, member count, total uncompressed size against ``Settings.max_unzipped_mb``
(Python's zipfile never inflates a member past its declared size, so the declared sizes bound
the work), and every XML part parsed with expat refusing DTDs, entity declarations and external
references (defusedxml's ``forbid_dtd`` rule), before python-docx or openpyxl see the file. A PDF
(plans only, ``allow_pdf``) is checked by reportsvc.importing.pdf as it is opened. Every refusal is a PlanImportError with one Vietnamese sentence.
"""
from __future__ import annotations

import io
import re
import unicodedata
import zipfile
import zlib
from pathlib import PurePath

from xml.parsers import expat

from reportsvc.importing.errors import PlanImportError

MB = 1024 * 1024
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
MAX_MEMBERS = 10_000
SUPPORTED = (".docx", ".xlsx", ".xlsm", ".csv", ".pdf")
ACCEPTED_TEXT = ".docx, .xlsx, .pdf (có lớp chữ) hoặc .csv (UTF-8)"
ACCEPTED_NO_PDF = ".docx, .xlsx hoặc .csv (UTF-8)"
PDF_MAGIC = b"%PDF-"
_ENCRYPTED_MARKERS = ("EncryptedPackage".encode("utf-16-le"), "EncryptionInfo".encode("utf-16-le"))
_XML_SUFFIXES = (".xml", ".rels", ".vml")


MAX_NAME_LENGTH = 255
"""A file name is kept to the length of ``Plan.source_filename`` (its extension stays)."""
_DROPPED = {"Cf", "Cs"}
"""Format characters (bidirectional controls U+202A–U+202E, U+2066–U+2069, U+200E/U+200F, zero-width
characters, U+FEFF …) and lone surrogates (undecodable bytes of a file system name): removed."""
_BLANKED = {"Cc", "Zl", "Zp"}
"""Control characters (NUL, tab, new lines …) and line or paragraph separators: each becomes a space."""


def clean_name(filename: str | None) -> str:
    """Return a file name as it may be shown and stored: NFC, without format or control characters, one line."""
    text = unicodedata.normalize("NFC", str(filename or ""))
    kept = "".join(" " if unicodedata.category(ch) in _BLANKED else ch for ch in text
                   if unicodedata.category(ch) not in _DROPPED)
    return " ".join(kept.split())


def display_name(filename: str | None) -> str:
    """Return the file's base name for messages and storage, cleaned (``clean_name``); "tệp" when nothing is left.

    A client may send a whole path (``C:\\Users\\…\\KH.docx``): only its last part is kept. A right-to-left
    override (U+202E) is removed, so ``KH<U+202E>xcod.exe`` cannot read as ``KHexe.docx`` where it is shown.
    """
    name = clean_name(re.split(r"[\\/]", str(filename or ""))[-1]).strip(". ") or "tệp"
    if len(name) > MAX_NAME_LENGTH:
        suffix = PurePath(name).suffix if len(PurePath(name).suffix) <= 16 else ""
        name = name[:MAX_NAME_LENGTH - len(suffix)].rstrip() + suffix
    return name


def check_size(size: int, filename: str, max_upload_mb: float) -> None:
    """Refuse an empty file or one above the upload limit."""
    name = display_name(filename)
    if size == 0:
        raise PlanImportError(f"Tệp '{name}' rỗng (0 byte); không có gì để nhập.")
    if size > max_upload_mb * MB:
        raise PlanImportError(f"Tệp '{name}' có dung lượng {size / MB:.1f} MB, vượt giới hạn "
                              f"{max_upload_mb:g} MB (cấu hình REPORTSVC_MAX_UPLOAD_MB).")


def _ole_message(data: bytes, name: str) -> str:
    if any(marker in data for marker in _ENCRYPTED_MARKERS):
        return (f"Tệp '{name}' được bảo vệ bằng mật khẩu (đã mã hóa) nên không đọc được. "
                f"Hãy gỡ mật khẩu, lưu lại rồi tải lên lại.")
    return (f"Tệp '{name}' là định dạng Office cũ (.doc/.xls) không được hỗ trợ. "
            f"Hãy mở bằng Word/Excel và lưu lại dưới dạng .docx hoặc .xlsx.")


def detect_kind(data: bytes, filename: str, allow_pdf: bool = False) -> str:
    """Return "zip", "csv" or (``allow_pdf``) "pdf" for the file, or raise PlanImportError saying why not."""
    name = display_name(filename)
    suffix = PurePath(filename or "").suffix.lower()
    if data.startswith(OLE_MAGIC):
        raise PlanImportError(_ole_message(data, name))
    if suffix in (".doc", ".xls"):
        raise PlanImportError(f"Tệp '{name}' là định dạng Office cũ ({suffix}) không được hỗ trợ. "
                              f"Hãy mở bằng Word/Excel và lưu lại dưới dạng .docx hoặc .xlsx.")
    if suffix == ".pdf" or data.startswith(b"%PDF"):
        if allow_pdf:
            return "pdf"  # reportsvc.importing.pdf checks the rest (truncation, encryption, pages, time)
        raise PlanImportError(f"Chưa hỗ trợ nhập kế hoạch từ PDF ('{name}'). "
                              f"Hãy dùng tệp {ACCEPTED_NO_PDF}.")
    if data.startswith(ZIP_MAGIC) or suffix in (".docx", ".xlsx", ".xlsm"):
        return "zip"
    if suffix == ".csv":
        return "csv"
    raise PlanImportError(f"Định dạng tệp '{name}' không được hỗ trợ. "
                          f"Hãy dùng tệp {ACCEPTED_TEXT if allow_pdf else ACCEPTED_NO_PDF}.")


def check_zip(data: bytes, filename: str, max_unzipped_mb: float) -> str:
    """Check a DOCX/XLSX container (bomb, corruption, XXE) and return "docx" or "xlsx"."""
    name = display_name(filename)
    corrupt = f"Tệp '{name}' bị hỏng hoặc không phải tệp .docx/.xlsx hợp lệ (không đọc được nội dung nén)."
    if not data.startswith(ZIP_MAGIC):
        raise PlanImportError(corrupt)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, NotImplementedError):
        raise PlanImportError(corrupt) from None
    if len(members) > MAX_MEMBERS:
        raise PlanImportError(f"Tệp '{name}' chứa quá nhiều thành phần ({len(members)}); đã từ chối.")
    total = sum(info.file_size for info in members)
    if total > max_unzipped_mb * MB:
        raise PlanImportError(f"Tệp '{name}' khi giải nén lên tới {total / MB:.0f} MB, vượt giới hạn "
                              f"{max_unzipped_mb:g} MB (nghi là zip bomb); đã từ chối.")
    names = {info.filename for info in members}
    if "word/document.xml" in names:
        kind = "docx"
    elif "xl/workbook.xml" in names:
        kind = "xlsx"
    else:
        raise PlanImportError(f"Tệp '{name}' không phải tài liệu Word (.docx) hay bảng tính Excel (.xlsx) hợp lệ.")
    for info in members:
        if info.is_dir() or not info.filename.lower().endswith(_XML_SUFFIXES):
            continue
        _check_xml(archive, info, name)
    return kind


class _Forbidden(Exception):
    """A DTD, entity declaration or external reference in an XML part."""


def _forbid(*_args: object) -> None:
    raise _Forbidden()


def _check_xml(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> None:
    """Parse one XML part with expat, refusing a DTD, entities and external references.

    The same refusal defusedxml applies (``forbid_dtd``), done with expat's C parser and no
    element callbacks so that large sheets are checked quickly.
    """
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _forbid
    parser.EntityDeclHandler = _forbid
    parser.UnparsedEntityDeclHandler = _forbid
    parser.ExternalEntityRefHandler = _forbid
    try:
        with archive.open(info) as stream:
            parser.ParseFile(stream)
    except _Forbidden:
        raise PlanImportError(f"Tệp '{name}' chứa khai báo DTD/thực thể XML trong phần '{info.filename}' "
                              f"(có thể là tấn công XXE); đã từ chối.") from None
    except (expat.ExpatError, zlib.error, zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError, RuntimeError):
        raise PlanImportError(f"Tệp '{name}' bị hỏng: phần '{info.filename}' không đọc được.") from None


def check_upload(data: bytes, filename: str, max_upload_mb: float, max_unzipped_mb: float,
                 allow_pdf: bool = False) -> str:
    """Run every check on an upload and return its kind: "docx", "xlsx", "csv" or (``allow_pdf``) "pdf"."""
    check_size(len(data), filename, max_upload_mb)
    kind = detect_kind(data, filename, allow_pdf)
    if kind == "zip":
        return check_zip(data, filename, max_unzipped_mb)
    return kind
