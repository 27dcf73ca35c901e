"""The report archive: every generated version kept with its files, sha256 and model JSON."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from reportsvc.errors import NotFound, SetupError
from reportsvc.db.models import GeneratedReport, ReportFile, Unit
from reportsvc.render import EXTENSIONS
from reportsvc.report.model import Report


class ArchiveIntegrityError(SetupError):
    """An archived file's bytes no longer match the sha256 stored when it was generated (HTTP 500, exit 3).

    A SetupError, not a Conflict: nothing the user sends can resolve it, the stored data itself is
    damaged or was altered outside the service, and an administrator must restore it from a backup
    (or generate the report again). The web logs it as an error; the command line exits with 3 so
    that a scheduled ``report verify`` tells damage apart from a usage error (2).
    """

    exit_code = 3
    title = "Tệp lưu trữ không còn nguyên vẹn"


@dataclass(frozen=True)
class BadFile:
    """An archived file whose content does not hash to its stored sha256."""

    report_id: int
    format: str
    filename: str
    stored_sha256: str
    actual_sha256: str
    stored_size: int
    actual_size: int

    def describe(self) -> str:
        """Return one Vietnamese line naming the file and both hashes."""
        return (f"báo cáo số {self.report_id}, tệp {self.filename} ({self.format}): sha256 lưu khi tạo "
                f"{self.stored_sha256[:16]}…, sha256 hiện tại {self.actual_sha256[:16]}… "
                f"({self.stored_size} → {self.actual_size} byte)")

    def audit_values(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """Return the old (as archived) and new (as found) values an audit entry records."""
        return ({"report": self.report_id, "format": self.format, "file": self.filename,
                 "sha256": self.stored_sha256, "size": self.stored_size},
                {"sha256": self.actual_sha256, "size": self.actual_size})


def check_file(file: ReportFile) -> BadFile | None:
    """Recompute the sha256 of an archived file; return what differs, or None when it is intact."""
    content = file.content or b""
    actual = hashlib.sha256(content).hexdigest()
    if actual == (file.sha256 or "").lower() and len(content) == file.size:
        return None
    return BadFile(file.report_id, file.format, file.filename, file.sha256 or "", actual, file.size, len(content))


def verify(session: Session, report_ids: Iterable[int] | None = None) -> tuple[int, list[BadFile]]:
    """Check the files of ``report_ids`` (every archived report the session may see when None).

    Return how many files were checked and the ones whose bytes do not match their stored
    sha256. Files are read one at a time, so the whole archive is never in memory. An unknown
    report id raises NotFound.
    """
    if report_ids is None:
        ids = list(session.scalars(select(ReportFile.id).order_by(ReportFile.report_id, ReportFile.format)))
    else:
        ids = []
        for report_id in report_ids:
            ids.extend(file.id for file in get(session, report_id).files)
    bad: list[BadFile] = []
    for file_id in ids:
        file = session.scalar(select(ReportFile).where(ReportFile.id == file_id))
        if file is None:  # removed meanwhile
            continue
        problem = check_file(file)
        if problem is not None:
            bad.append(problem)
        session.expunge(file)
    return len(ids), bad


def file_name(report: Report, version: int, fmt: str) -> str:
    """Return the download name, e.g. ``BC-CCHC_HT_2024-Q1_v2.docx`` (``-pdfa`` for the archive PDF)."""
    suffix = "-pdfa" if fmt == "pdfa" else ""
    issuer = f"{report.unit_code}-{report.agency_code}" if report.agency_code else report.unit_code
    return f"BC-CCHC_{issuer}_{report.period.key}_v{version}{suffix}{EXTENSIONS[fmt]}"


VERSION_ATTEMPTS = 5
"""How often save() numbers a version again after another writer took the number (PostgreSQL)."""


def _lock_versions(session: Session, unit_id: int, period_key: str) -> None:
    """Wait until no other transaction is numbering a version of this unit's report for the period.

    PostgreSQL: a transaction-scoped advisory lock on (unit, period), released at commit or
    rollback, so concurrent workers number their versions one after another. SQLite needs none:
    it runs one write transaction at a time, and the INSERT computes the number itself.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
                        {"key": f"reportsvc.report-version:{unit_id}:{period_key}"})


def _insert_numbered(session: Session, new_row: Callable[[], GeneratedReport]) -> GeneratedReport:
    """Insert the row ``new_row()`` builds, its version numbered by the INSERT; number it again if taken.

    A version is taken meanwhile only by a writer that does not lock (a process of an older
    release during an upgrade): its row commits first, ours fails the unique constraint, and a
    savepoint lets us number it again. SQLite gets no savepoint: its INSERT holds the write lock
    from its first step, so the number it computes cannot be taken, and a first savepoint there
    would begin (and its release commit) the transaction.
    """
    if session.get_bind().dialect.name == "sqlite":
        row = new_row()
        session.add(row)
        session.flush()
        return row
    attempt = 1
    while True:
        row = new_row()
        try:
            with session.begin_nested():
                session.add(row)
                session.flush()
            return row
        except IntegrityError:
            if attempt >= VERSION_ATTEMPTS:
                raise
            attempt += 1


def save(session: Session, unit: Unit, report: Report, files: dict[str, bytes], user: str) -> GeneratedReport:
    """Store a new version of the unit's report for the period; earlier versions stay untouched.

    Versions stay 1, 2, 3 … without a gap or a repeat however many processes archive the same
    unit and period at once: the number is computed by the INSERT itself (max + 1) while
    holding the unit and period's lock (see _lock_versions).
    """
    _lock_versions(session, unit.id, report.period.key)
    next_version = (select(func.coalesce(func.max(GeneratedReport.version), 0) + 1)
                    .where(GeneratedReport.unit_id == unit.id, GeneratedReport.period_key == report.period.key)
                    .scalar_subquery())
    row = _insert_numbered(session, lambda: GeneratedReport(
        unit_id=unit.id, agency_id=report.agency_id, period_key=report.period.key, version=next_version,
        title=report.subject, model_json=report.to_json(), created_by=user))
    for fmt, content in files.items():
        row.files.append(ReportFile(format=fmt, filename=file_name(report, row.version, fmt), size=len(content),
                                    sha256=hashlib.sha256(content).hexdigest(), content=content))
    session.flush()
    return row


def latest(session: Session, unit_id: int, period_key: str, above: int | None = None) -> GeneratedReport | None:
    """Return the unit's own (not an agency's) latest archived report of ``period_key``, or None.

    With ``above``, only a version whose id is above it counts (one made since a batch began).
    """
    stmt = (select(GeneratedReport).where(GeneratedReport.unit_id == unit_id, GeneratedReport.period_key == period_key,
                                          GeneratedReport.agency_id.is_(None))
            .order_by(GeneratedReport.version.desc()).limit(1))
    if above is not None:
        stmt = stmt.where(GeneratedReport.id > above)
    return session.scalar(stmt)


def get(session: Session, report_id: int) -> GeneratedReport:
    """Return a stored report with its files, or raise NotFound."""
    row = session.scalar(select(GeneratedReport).where(GeneratedReport.id == report_id)
                         .options(selectinload(GeneratedReport.files), selectinload(GeneratedReport.unit)))
    if row is None:
        raise NotFound(f"Không tìm thấy báo cáo số {report_id}")
    return row


def listing(session: Session, unit_code: str | None = None) -> list[dict[str, Any]]:
    """Return every stored version, newest first, as ``report list --json`` prints it."""
    stmt = (select(GeneratedReport).options(selectinload(GeneratedReport.files), selectinload(GeneratedReport.unit),
                                            selectinload(GeneratedReport.agency))
            .order_by(GeneratedReport.created_at.desc(), GeneratedReport.id.desc()))
    if unit_code:
        stmt = stmt.join(Unit).where(Unit.code == unit_code)
    return [{"id": r.id, "unit": r.unit.code, "agency": r.agency.name if r.agency else None, "period": r.period_key, "version": r.version, "title": r.title,
             "created_at": r.created_at.isoformat(), "created_by": r.created_by,
             "files": [{"format": f.format, "filename": f.filename, "sha256": f.sha256, "size": f.size}
                       for f in r.files]}
            for r in session.scalars(stmt)]
