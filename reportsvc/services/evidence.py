"""Evidence files: the PDF or DOCX of a văn bản attached to a task's status update for a data window.

The web task page and the JSON API share these rules:

- attaching needs what recording the status needs (an admin, or an editor of a lead agency:
  ``permissions.check_task``), a status already recorded for the period's window (the file belongs
  to that record, which quý IV and năm share), and data not yet approved
  (``submissions.check_unlocked``: Locked, 423);
- the type is read from the content, never from the name: a PDF starts with ``%PDF-``; a DOCX is
  a ZIP holding ``[Content_Types].xml`` and ``word/document.xml``, checked for zip bombs and XML
  entities as plan uploads are (reportsvc.importing.safety); anything else is refused (422), as is
  a file above ``MAX_EVIDENCE_MB`` (413);
- the name is cleaned as uploaded plans' are (``safety.display_name``) and ends with the extension
  of the type found;
- the bytes are stored with their sha256, like archived reports, and every download checks it;
- a file is read through its status update, so tenancy scopes it: whoever may read the task may
  download it, anyone else gets NotFound.

Each attachment is audited as ``evidence.add``. The caller commits (or rolls back) the session.
"""
from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath
from typing import Any, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from reportsvc.db.models import EvidenceFile, StatusUpdate, Task
from reportsvc.errors import Invalid, NotFound
from reportsvc.importing.errors import PlanImportError
from reportsvc.importing.safety import MAX_NAME_LENGTH, MB, OLE_MAGIC, PDF_MAGIC, ZIP_MAGIC, check_zip, display_name
from reportsvc.periods import Period
from reportsvc.render import MEDIA_TYPES
from reportsvc.report.archive import ArchiveIntegrityError
from reportsvc.services import audit, submissions
from reportsvc.services.downloads import Download
from reportsvc.services.permissions import Actor, check_task
from reportsvc.services.recording import current_status

MAX_EVIDENCE_MB = 10
"""The largest evidence file accepted, in MB (a scanned văn bản of a few dozen pages fits)."""
MAX_EVIDENCE_BYTES = MAX_EVIDENCE_MB * MB
MAX_UNZIPPED_MB = 100
"""The largest a DOCX may grow to once unzipped (zip-bomb guard)."""
TYPES = {"pdf": (".pdf", MEDIA_TYPES["pdf"]), "docx": (".docx", MEDIA_TYPES["docx"])}
"""The accepted types: the extension a stored name ends with, and the media type it is served as."""
ACCEPTED = "PDF hoặc Word (.docx)"
DOCX_PARTS = ("[Content_Types].xml", "word/document.xml")


class TooLarge(Invalid):
    """An evidence file above the size limit (413); nothing was stored."""

    http_status = 413
    title = "Tệp quá lớn"


@dataclass(frozen=True)
class EvidenceInfo:
    """An attached file as lists show it (its bytes are not loaded)."""

    id: int
    status_update_id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime

    def as_dict(self) -> dict[str, Any]:
        """Return the file's description for the API (the caller adds its download URL)."""
        return {"id": self.id, "filename": self.filename, "content_type": self.content_type, "size": self.size,
                "sha256": self.sha256, "uploaded_by": self.uploaded_by, "uploaded_at": self.uploaded_at}


def detect_type(data: bytes, filename: str) -> str:
    """Return "pdf" or "docx" as read from the content; raise Invalid naming the file otherwise."""
    name = display_name(filename)
    if data.startswith(PDF_MAGIC):
        return "pdf"
    if data.startswith(OLE_MAGIC):
        raise Invalid([f"Tệp '{name}' là định dạng Word cũ (.doc) hoặc đã đặt mật khẩu. Hãy lưu lại dưới dạng "
                       f"PDF hoặc .docx (không đặt mật khẩu) rồi đính kèm lại."])
    if data.startswith(ZIP_MAGIC):
        try:
            kind = check_zip(data, filename, MAX_UNZIPPED_MB)
        except PlanImportError as exc:
            raise Invalid([str(exc)]) from None
        if kind == "docx" and _has_docx_parts(data):
            return "docx"
    suffix = PurePath(name).suffix.lower()
    named = f" dù tên tệp có đuôi '{suffix}'" if suffix in (".pdf", ".docx") else ""
    raise Invalid([f"Tệp '{name}' không phải văn bản {ACCEPTED}: nội dung tệp không đúng định dạng{named}. "
                   f"Chỉ đính kèm được tệp {ACCEPTED}."])


def _has_docx_parts(data: bytes) -> bool:
    """Return True when a ZIP already checked by ``check_zip`` holds the parts every DOCX has."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
    return all(part in names for part in DOCX_PARTS)


def stored_name(filename: str, kind: str) -> str:
    """Return the name a file is stored and downloaded under: cleaned, ending with its type's extension."""
    extension = TYPES[kind][0]
    name = display_name(filename)
    stem = name[: -len(PurePath(name).suffix)] if PurePath(name).suffix.lower() in (".pdf", ".docx", ".doc") else name
    stem = stem.rstrip(". ") or "van-ban"
    return stem[: MAX_NAME_LENGTH - len(extension)].rstrip() + extension


def check_upload(data: bytes, filename: str) -> tuple[str, str]:
    """Return (stored name, kind) of an upload after its size and type checks; raise TooLarge or Invalid."""
    name = display_name(filename)
    if not data:
        raise Invalid([f"Tệp '{name}' rỗng (0 byte); hãy chọn lại tệp văn bản."])
    if len(data) > MAX_EVIDENCE_BYTES:
        raise TooLarge([f"Tệp '{name}' có dung lượng {len(data) / MB:.1f} MB, vượt giới hạn {MAX_EVIDENCE_MB} MB "
                        f"của một tệp văn bản minh chứng."])
    kind = detect_type(data, filename)
    return stored_name(filename, kind), kind


def attach(session: Session, actor: Actor, task: Task, period: Period, filename: str, data: bytes) -> EvidenceFile:
    """Attach an uploaded văn bản to the task's status record serving ``period``, audited as ``evidence.add``.

    Raises Forbidden (may not record the task's status), Invalid (no status recorded for the window
    yet, not a PDF or DOCX, empty), TooLarge, or Locked (the window's data are approved).
    """
    check_task(session, actor, task)
    update = current_status(session, task.id, period.key)
    if update is None:
        raise Invalid([f"Nhiệm vụ chưa có tiến độ {period.short_label}: hãy lưu tiến độ (trạng thái, số/ký hiệu "
                       f"văn bản) của kỳ này trước, rồi đính kèm tệp văn bản."])
    agency_id = actor.agency_id if actor.role == "editor" else update.agency_id
    submissions.check_unlocked(session, task.plan.unit, agency_id, period.key)
    name, kind = check_upload(data, filename)
    row = EvidenceFile(filename=name, content_type=TYPES[kind][1], sha256=hashlib.sha256(data).hexdigest(),
                       size=len(data), content=data, uploaded_by=actor.username)
    update.files.append(row)
    session.flush()
    audit.record(session, actor.username, "evidence.add", "task", task.id, None,
                 {"file_id": row.id, "period": update.period_key, "file": name, "content_type": row.content_type,
                  "size": row.size, "sha256": row.sha256}, unit_id=task.plan.unit_id)
    return row


def info_of(row: EvidenceFile) -> EvidenceInfo:
    """Return the description of a stored file."""
    return EvidenceInfo(row.id, row.status_update_id, row.filename, row.content_type, row.size, row.sha256,
                        row.uploaded_by, row.uploaded_at)


def files_of(session: Session, update_ids: Iterable[int]) -> dict[int, list[EvidenceInfo]]:
    """Return the files attached to each of the status updates ``update_ids`` (without their bytes), oldest first."""
    ids = list(update_ids)
    result: dict[int, list[EvidenceInfo]] = {update_id: [] for update_id in ids}
    if not ids:
        return result
    rows = session.execute(select(EvidenceFile.id, EvidenceFile.status_update_id, EvidenceFile.filename,
                                  EvidenceFile.content_type, EvidenceFile.size, EvidenceFile.sha256,
                                  EvidenceFile.uploaded_by, EvidenceFile.uploaded_at)
                           .where(EvidenceFile.status_update_id.in_(ids)).order_by(EvidenceFile.id))
    for row in rows:
        result[row.status_update_id].append(EvidenceInfo(*row))
    return result


def evidence_file(session: Session, file_id: int) -> Download:
    """Return an attached file to download after checking its sha256; NotFound unless the reader sees its task.

    The file is looked up through its status update, which the session's tenancy scope filters.
    """
    row = session.scalar(select(EvidenceFile).where(EvidenceFile.id == file_id))
    visible = row is not None and session.scalar(
        select(StatusUpdate.id).where(StatusUpdate.id == row.status_update_id)) is not None
    if row is None or not visible:
        raise NotFound(f"Không tìm thấy tệp văn bản số {file_id}.")
    content = row.content or b""
    if hashlib.sha256(content).hexdigest() != row.sha256 or len(content) != row.size:
        raise ArchiveIntegrityError(f"Không tải được tệp '{row.filename}': nội dung đã bị thay đổi sau khi lưu "
                                    f"(mã băm SHA-256 không còn khớp). Hãy báo quản trị viên khôi phục tệp từ bản sao "
                                    f"lưu hoặc đính kèm lại văn bản.")
    return Download(filename=row.filename, media_type=row.content_type, content=content)
