"""Generate a report end to end: build the model (DB), render it (no DB), keep it in the archive."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from reportsvc import archive
from reportsvc.builder import BuildOptions, build_report, find_unit
from reportsvc.models import GeneratedReport, ReportDraft
from reportsvc.narrative import EDITABLE
from reportsvc.periods import Period
from reportsvc.render import render
from reportsvc.services import Services
from reportsvc.text import nfc
from reportsvc.errors import UserError

FORMATS = ("docx", "pdf", "pdfa")


def parse_formats(text: str) -> list[str]:
    """Parse "docx,pdf" into a list of formats, refusing unknown ones."""
    formats = [f.strip().lower() for f in text.split(",") if f.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise UserError(f"Định dạng không hợp lệ: '{text}'. Chọn trong: {', '.join(FORMATS)}")
    return formats


def store_drafts(session: Session, unit_code: str, period: Period, texts: dict[str, str], user: str,
                 allowed: set[str]) -> None:
    """Store the officer's section texts for a unit and period (an empty text removes a draft)."""
    unknown = sorted(set(texts) - allowed)
    if unknown:
        raise UserError(f"Mục không sửa được: {', '.join(unknown)}. Các mục hợp lệ: {', '.join(sorted(allowed))}")
    unit = find_unit(session, unit_code)
    for section, text in texts.items():
        if not isinstance(text, str):
            raise UserError(f"Nội dung mục '{section}' phải là văn bản")
        row = session.scalar(select(ReportDraft).where(ReportDraft.unit_id == unit.id,
                                                       ReportDraft.period_key == period.key,
                                                       ReportDraft.section == section))
        if not text.strip():
            if row is not None:
                session.delete(row)
            continue
        if row is None:
            row = ReportDraft(unit_id=unit.id, period_key=period.key, section=section, text="")
            session.add(row)
        row.text, row.updated_by = nfc(text), user


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
        return archive.save(session, find_unit(session, unit_code), report, files, user)
