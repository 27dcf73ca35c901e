"""Generate a report end to end: build the model (DB), render it (no DB), keep it in the archive.

Every entry point (CLI, web, API, scheduler) goes through here, so each version and each draft
change is audited with the user who made it.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from reportsvc.report import archive
from reportsvc.services import audit
from reportsvc.db.lookup import find_unit
from reportsvc.report.build import BuildOptions, build_report
from reportsvc.db.models import GeneratedReport, ReportDraft, utcnow
from reportsvc.report.outline import EDITABLE, split_paragraphs
from reportsvc.periods import Period
from reportsvc.render import FORMATS, render
from reportsvc.services.runtime import Services
from reportsvc.vn.text import nfc
from reportsvc.errors import UserError

def parse_formats(text: str) -> list[str]:
    """Parse "docx,pdf" into a list of formats, refusing unknown ones."""
    formats = [f.strip().lower() for f in text.split(",") if f.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise UserError(f"Định dạng không hợp lệ: '{text}'. Chọn trong: {', '.join(FORMATS)}")
    return formats


def normalise(text: str) -> str:
    """Return an officer's text as stored: NFC, paragraphs separated by one blank line."""
    return "\n\n".join(split_paragraphs(nfc(text or "")))


def store_drafts(session: Session, unit_code: str, period: Period, texts: dict[str, str], user: str,
                 allowed: set[str]) -> list[str]:
    """Store the officer's section texts ("" brings the drafted text back), audited; return the changed keys."""
    unknown = sorted(set(texts) - allowed)
    if unknown:
        raise UserError(f"Mục không sửa được: {', '.join(unknown)}. Các mục hợp lệ: {', '.join(sorted(allowed))}")
    if any(not isinstance(text, str) for text in texts.values()):
        raise UserError("Nội dung mỗi mục phải là văn bản")
    unit = find_unit(session, unit_code)
    stored = {row.section: row for row in session.scalars(select(ReportDraft).where(
        ReportDraft.unit_id == unit.id, ReportDraft.period_key == period.key))}
    changed = []
    for section, text in sorted(texts.items()):
        text, row = normalise(text), stored.get(section)
        if text == (row.text if row else ""):
            continue
        audit.record(session, user, "draft.update", "report_draft", f"{unit_code}:{period.key}:{section}",
                     {"text": row.text} if row else None, {"text": text} if text else None)
        if not text:
            session.delete(row)
        elif row is None:
            session.add(ReportDraft(unit_id=unit.id, period_key=period.key, section=section, text=text,
                                    updated_by=user))
        else:
            row.text, row.updated_by, row.updated_at = text, user, utcnow()
        changed.append(section)
    session.flush()
    return changed


def editable_sections(services: Services) -> set[str]:
    """Return every section key an officer may edit: fixed parts plus "II.<area>" per area."""
    return set(EDITABLE) | {f"II.{area.code}" for area in services.registry.areas}


def generate(services: Services, unit_code: str, period: Period, formats: list[str], *,
             options: BuildOptions | None = None, overrides: dict[str, str] | None = None,
             user: str = "") -> GeneratedReport:
    """Build, render and archive a report; overrides are stored as the draft first."""
    with services.transaction() as session:
        if overrides:
            store_drafts(session, unit_code, period, overrides, user, editable_sections(services))
        report = build_report(session, services.registry, unit_code, period, options)
        files = render(report, formats)
        row = archive.save(session, find_unit(session, unit_code), report, files, user)
        audit.record(session, user, "report.generate", "report", row.id, None,
                     {"unit": unit_code, "period": period.key, "version": row.version,
                      "files": {f.format: f.sha256 for f in row.files}})
        return row
