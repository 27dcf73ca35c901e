"""Downloading an archived report file: its bytes, name and media type, for the web pages and the API."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from reportsvc.db.models import ReportFile
from reportsvc.errors import NotFound
from reportsvc.render import EXTENSIONS, MEDIA_TYPES


@dataclass(frozen=True)
class Download:
    """A file to send: its download name, media type and content."""

    filename: str
    media_type: str
    content: bytes


def report_file(session: Session, report_id: int, fmt: str) -> Download:
    """Return the ``fmt`` file (docx, pdf or pdfa) of generated report ``report_id``; raise NotFound otherwise."""
    file = None
    if fmt in MEDIA_TYPES:
        file = session.scalar(select(ReportFile).where(ReportFile.report_id == report_id, ReportFile.format == fmt))
    if file is None:
        raise NotFound(f"Báo cáo số {report_id} không có tệp định dạng '{fmt}'.")
    return Download(filename=file.filename or f"bao-cao-{report_id}{EXTENSIONS[fmt]}",
                    media_type=MEDIA_TYPES[fmt], content=file.content)
