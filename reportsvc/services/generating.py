"""Generating reports and editing their drafts: build the model (DB), render it (no DB), archive it.

Every entry point (CLI, web, API, scheduler) goes through here, so each version and each draft
change is audited with the user who made it.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from reportsvc.db.lookup import find_unit
from reportsvc.db.models import GeneratedReport, ReportDraft, utcnow
from reportsvc.errors import UserError
from reportsvc.periods import Period
from reportsvc.render import render
from reportsvc.report import archive
from reportsvc.report.build import BuildOptions, build_report
from reportsvc.report.outline import EDITABLE, PLACEHOLDER_START, placeholders_in, split_paragraphs
from reportsvc.services import audit
from reportsvc.services.agencies import find_agency
from reportsvc.services.permissions import Actor, require_admin
from reportsvc.services.runtime import Services
from reportsvc.vn.text import nfc


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
                     {"text": row.text} if row else None, {"text": text} if text else None, unit_id=unit.id)
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
             user: str = "", agency: str | None = None) -> GeneratedReport:
    """Build, render and archive a report; overrides are stored as the draft first.

    With ``agency`` (a department's name) it is that agency's own report on the tasks it leads.
    """
    with services.transaction() as session:
        if agency:
            if overrides:
                raise UserError("Báo cáo riêng của cơ quan chưa nhận nội dung sửa theo mục (--overrides); hãy sửa "
                                "tệp DOCX sau khi tạo.")
            found = find_agency(session, find_unit(session, unit_code), agency)
            options = replace(options or BuildOptions(), agency_id=found.id)
        if overrides:
            store_drafts(session, unit_code, period, overrides, user, editable_sections(services))
        report = build_report(session, services.registry, unit_code, period, options)
        files = render(report, [*formats, *(["json"] if "json" not in formats else [])])  # the data, always kept
        row = archive.save(session, find_unit(session, unit_code), report, files, user)
        audit.record(session, user, "report.generate", "report", row.id, None,
                     {"unit": unit_code, "agency": agency, "period": period.key, "version": row.version,
                      "files": {f.format: f.sha256 for f in row.files}}, unit_id=row.unit_id)
        return row


@dataclass
class DraftSection:
    """An editable section of a report as the editor shows it: current text and whether it is edited."""

    key: str
    heading: str
    text: str
    edited: bool

    @property
    def fingerprint(self) -> str:
        """Return a hash of the text as shown, to tell later whether the officer changed it."""
        return fingerprint(self.text)

    @property
    def placeholders(self) -> list[str]:
        """Return the "[Đề nghị bổ sung: …]" gaps the officer has still to fill in this section."""
        return placeholders_in(self.text)


def placeholder_warnings(row: GeneratedReport) -> list[str]:
    """Return the warnings of a generated version that say placeholders were left in it."""
    return [w for w in json.loads(row.model_json).get("warnings", []) if PLACEHOLDER_START[1:] in w]


def fingerprint(text: str) -> str:
    """Return the sha256 of the normalised text."""
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()


def draft_sections(session: Session, services: Services, unit_code: str, period: Period) -> list[DraftSection]:
    """Return every editable section of the unit's report for the period, drafted or as the officer wrote it."""
    report = build_report(session, services.registry, unit_code, period, BuildOptions(skip_broken=True))
    allowed = editable_sections(services)
    return [DraftSection(section.key, section.heading or EDITABLE.get(section.key, section.key),
                         "\n\n".join(section.paragraphs), section.edited)
            for section in report.all_sections() if section.key in allowed]


def save_drafts(session: Session, services: Services, actor: Actor, unit_code: str, period: Period,
                texts: dict[str, str]) -> list[str]:
    """Store the changed section texts ("" brings the drafted text back), audited; return the changed keys."""
    require_admin(actor)
    return store_drafts(session, unit_code, period, texts, actor.username, editable_sections(services))


def generate_report(services: Services, actor: Actor, unit_code: str, period: Period, formats: list[str], *,
                    number: int | None = None, report_date: date | None = None,
                    skip_broken: bool = False, agency: str | None = None) -> GeneratedReport:
    """Generate, render and archive a report version, and record who did it with the files' hashes."""
    require_admin(actor)
    options = BuildOptions(report_date=report_date, number=number, skip_broken=skip_broken)
    return generate(services, unit_code, period, formats, options=options, user=actor.username, agency=agency)
