"""Report actions shared by the web pages and the JSON API: editing drafts and generating, both audited."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from reportsvc.report.build import BuildOptions, build_report
from reportsvc.services.generating import editable_sections, generate, normalise, store_drafts
from reportsvc.db.models import GeneratedReport
from reportsvc.periods import Period
from reportsvc.services.permissions import Actor, require_admin
from reportsvc.report.model import NarrativeSection
from reportsvc.services.runtime import Services


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


def fingerprint(text: str) -> str:
    """Return the sha256 of the normalised text."""
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()


def draft_sections(session: Session, services: Services, unit_code: str, period: Period) -> list[DraftSection]:
    """Return every editable section of the unit's report for the period, drafted or as the officer wrote it."""
    report = build_report(session, services.registry, unit_code, period, BuildOptions(skip_broken=True))
    allowed = editable_sections(services)
    result = []

    def walk(sections: list[NarrativeSection]) -> None:
        for section in sections:
            if section.key in allowed:
                result.append(DraftSection(section.key, section.heading, "\n\n".join(section.paragraphs),
                                           section.edited))
            walk(section.subsections)

    walk(report.sections)
    return result


def save_drafts(session: Session, services: Services, actor: Actor, unit_code: str, period: Period,
                texts: dict[str, str]) -> list[str]:
    """Store the changed section texts ("" brings the drafted text back), audited; return the changed keys."""
    require_admin(actor)
    return store_drafts(session, unit_code, period, texts, actor.username, editable_sections(services))


def generate_report(services: Services, actor: Actor, unit_code: str, period: Period, formats: list[str], *,
                    number: int | None = None, report_date: date | None = None,
                    skip_broken: bool = False) -> GeneratedReport:
    """Generate, render and archive a report version, and record who did it with the files' hashes."""
    require_admin(actor)
    options = BuildOptions(report_date=report_date, number=number, skip_broken=skip_broken)
    return generate(services, unit_code, period, formats, options=options, user=actor.username)
