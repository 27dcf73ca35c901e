"""Downloading an archived report file: its bytes, name and media type, for the web pages and the API.

Every download recomputes the file's sha256: bytes that no longer match the hash stored when the
report was generated are refused (ArchiveIntegrityError, HTTP 500) and the refusal is audited as
``report.integrity``, so a file altered in the database is never served under its old hash.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from reportsvc.db.models import ReportFile
from reportsvc.db.tenancy import scope_of
from reportsvc.errors import NotFound
from reportsvc.render import EXTENSIONS, MEDIA_TYPES
from reportsvc.report.archive import ArchiveIntegrityError, BadFile, check_file
from reportsvc.services import audit

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Download:
    """A file to send: its download name, media type and content."""

    filename: str
    media_type: str
    content: bytes


def report_file(session: Session, report_id: int, fmt: str, user: str = "") -> Download:
    """Return the ``fmt`` file (docx, pdf or pdfa) of generated report ``report_id`` after checking its sha256.

    Raise NotFound when there is no such file, and ArchiveIntegrityError (audited as
    ``report.integrity`` by ``user``, else the session's actor) when its bytes were changed.
    """
    file = None
    if fmt in MEDIA_TYPES:
        file = session.scalar(select(ReportFile).where(ReportFile.report_id == report_id, ReportFile.format == fmt))
    if file is None:
        raise NotFound(f"Báo cáo số {report_id} không có tệp định dạng '{fmt}'.")
    problem = check_file(file)
    if problem is not None:
        _audit_mismatch(session, problem, file.report.unit_id, user)
        raise ArchiveIntegrityError(
            f"Không tải được tệp '{file.filename}' của báo cáo số {report_id}: nội dung đã bị thay đổi sau khi "
            f"lưu trữ (mã băm SHA-256 không còn khớp với mã ghi lúc tạo báo cáo). Hãy báo quản trị viên khôi phục "
            f"tệp từ bản sao lưu hoặc tạo lại báo cáo; lệnh 'reportsvc report verify --all' kiểm tra cả kho lưu trữ.")
    return Download(filename=file.filename or f"bao-cao-{report_id}{EXTENSIONS[fmt]}",
                    media_type=MEDIA_TYPES[fmt], content=file.content)


def _audit_mismatch(session: Session, problem: BadFile, unit_id: int, user: str) -> None:
    """Record the refused download in its own transaction: the caller's session may never be committed."""
    scope = scope_of(session)
    actor = user or (scope.actor if scope is not None else "system")
    old, new = problem.audit_values()
    log.error("report.integrity: %s (by %s)", problem.describe(), actor)
    try:
        with Session(bind=session.get_bind(), info=dict(session.info)) as other, other.begin():
            audit.record(other, actor, "report.integrity", "report", problem.report_id, old, new, unit_id=unit_id)
    except SQLAlchemyError:  # the refusal matters more than its audit entry: log it and still refuse
        log.exception("report.integrity: the audit entry could not be written")
