"""The report archive: every generated version kept with its files, sha256 and model JSON."""
from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from reportsvc.errors import NotFound
from reportsvc.db.models import GeneratedReport, ReportFile, Unit
from reportsvc.render import EXTENSIONS
from reportsvc.report.model import Report

def file_name(report: Report, version: int, fmt: str) -> str:
    """Return the download name, e.g. ``BC-CCHC_HT_2024-Q1_v2.docx`` (``-pdfa`` for the archive PDF)."""
    suffix = "-pdfa" if fmt == "pdfa" else ""
    return f"BC-CCHC_{report.unit_code}_{report.period.key}_v{version}{suffix}{EXTENSIONS[fmt]}"


def save(session: Session, unit: Unit, report: Report, files: dict[str, bytes], user: str) -> GeneratedReport:
    """Store a new version of the unit's report for the period; earlier versions stay untouched."""
    latest = session.scalar(select(func.max(GeneratedReport.version)).where(
        GeneratedReport.unit_id == unit.id, GeneratedReport.period_key == report.period.key)) or 0
    row = GeneratedReport(unit_id=unit.id, period_key=report.period.key, version=latest + 1,
                          title=report.subject, model_json=report.to_json(), created_by=user)
    session.add(row)
    for fmt, content in files.items():
        row.files.append(ReportFile(format=fmt, filename=file_name(report, row.version, fmt), size=len(content),
                                    sha256=hashlib.sha256(content).hexdigest(), content=content))
    session.flush()
    return row


def get(session: Session, report_id: int) -> GeneratedReport:
    """Return a stored report with its files, or raise NotFound."""
    row = session.scalar(select(GeneratedReport).where(GeneratedReport.id == report_id)
                         .options(selectinload(GeneratedReport.files), selectinload(GeneratedReport.unit)))
    if row is None:
        raise NotFound(f"Không tìm thấy báo cáo số {report_id}")
    return row


def listing(session: Session, unit_code: str | None = None) -> list[dict[str, Any]]:
    """Return every stored version, newest first, as ``report list --json`` prints it."""
    stmt = (select(GeneratedReport).options(selectinload(GeneratedReport.files), selectinload(GeneratedReport.unit))
            .order_by(GeneratedReport.created_at.desc(), GeneratedReport.id.desc()))
    if unit_code:
        stmt = stmt.join(Unit).where(Unit.code == unit_code)
    return [{"id": r.id, "unit": r.unit.code, "period": r.period_key, "version": r.version, "title": r.title,
             "created_at": r.created_at.isoformat(), "created_by": r.created_by,
             "files": [{"format": f.format, "filename": f.filename, "sha256": f.sha256, "size": f.size}
                       for f in r.files]}
            for r in session.scalars(stmt)]
