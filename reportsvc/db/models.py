"""SQLAlchemy 2.x models of the shared database. Schema changes go through Alembic migrations."""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import (JSON, Boolean, Date, DateTime, Float, ForeignKey, Integer, LargeBinary,
                        String, Text, UniqueConstraint)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    """Return the current time in UTC (timezone-aware)."""
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    """Declarative base of every reportsvc table."""


class Unit(Base):
    """An administrative unit in the tree: tỉnh → (huyện before 2025) → xã, with the dates it was valid.

    A unit merged into another (the 2025 mergers) keeps its data and history: ``valid_to`` is the
    day before the merger and ``successor`` the unit that took it over.
    """

    __tablename__ = "units"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)  # the official code where there is one
    name: Mapped[str] = mapped_column(String(255))  # with its kind word: "phường Ba Đình", "tỉnh Hà Tĩnh"
    kind: Mapped[str] = mapped_column(String(16))  # a key of reportsvc.vn.units.KINDS
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    place: Mapped[str] = mapped_column(String(128), default="")  # "Hà Tĩnh" in "Hà Tĩnh, ngày …"
    # Report settings of the unit: authority names, signer, recipients, document symbol,
    # cut-off day. See reportsvc.db.unitsettings for the keys.
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    valid_from: Mapped[date | None] = mapped_column(Date)  # None: since before the records
    valid_to: Mapped[date | None] = mapped_column(Date)  # None: still exists; else its last day
    successor_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)

    parent: Mapped["Unit | None"] = relationship(remote_side="Unit.id", back_populates="children",
                                                 foreign_keys=[parent_id])
    children: Mapped[list["Unit"]] = relationship(back_populates="parent", order_by="Unit.code",
                                                  foreign_keys=[parent_id])
    successor: Mapped["Unit | None"] = relationship(remote_side="Unit.id", back_populates="predecessors",
                                                    foreign_keys=[successor_id])
    predecessors: Mapped[list["Unit"]] = relationship(back_populates="successor", order_by="Unit.code",
                                                      foreign_keys=[successor_id])

    def current_on(self, day: date) -> bool:
        """Return True when the unit existed on ``day``."""
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


class Agency(Base):
    """An agency of a unit (a province's sở, ban, ngành; a commune's UBND) with a canonical name.

    "Sở Tư pháp" of Hà Tĩnh and of Hưng Yên are two agencies. A department merged into another
    keeps its history: ``successor`` took over its tasks and users.
    """

    __tablename__ = "agencies"
    __table_args__ = (UniqueConstraint("unit_id", "key", name="uq_agencies_unit_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    key: Mapped[str] = mapped_column(String(255))  # text.fold(name)
    short_name: Mapped[str] = mapped_column(String(64), default="")
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    successor_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    # How the agency's own reports are numbered and signed (reportsvc.db.unitsettings.AGENCY_KEYS); JSONB on
    # PostgreSQL, whose plain json has no equality, so that SELECT DISTINCT over agencies keeps working
    settings: Mapped[dict[str, Any]] = mapped_column(JSON().with_variant(JSONB(), "postgresql"), default=dict)

    unit: Mapped[Unit] = relationship()
    successor: Mapped["Agency | None"] = relationship(remote_side="Agency.id")
    aliases: Mapped[list["AgencyAlias"]] = relationship(back_populates="agency", cascade="all, delete-orphan")


class AgencyAlias(Base):
    """Another way a unit's plans write one of its agencies, e.g. "Sở TTTT"; kept per unit."""

    __tablename__ = "agency_aliases"
    __table_args__ = (UniqueConstraint("unit_id", "key", name="uq_agency_aliases_unit_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    alias: Mapped[str] = mapped_column(String(255))
    key: Mapped[str] = mapped_column(String(255))

    agency: Mapped[Agency] = relationship(back_populates="aliases")


class Plan(Base):
    """A locality's CCHC plan for a year (or a range of years) with its source document."""

    __tablename__ = "plans"
    __table_args__ = (UniqueConstraint("unit_id", "year", "year_end", name="uq_plans_unit_years"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    year_end: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text, default="")
    source_filename: Mapped[str] = mapped_column(String(255), default="")
    source_sha256: Mapped[str] = mapped_column(String(64), default="")
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    imported_by: Mapped[str] = mapped_column(String(128), default="")
    # The plan's identity as a văn bản, read from its heading; blanks stay "" / None until filled in.
    doc_number: Mapped[str] = mapped_column(String(32), default="")  # "4791"; "" when the document leaves it blank
    doc_symbol: Mapped[str] = mapped_column(String(64), default="")  # "QĐ-UBND", "KH-UBND"
    doc_date: Mapped[date | None] = mapped_column(Date)  # None unless day, month and year are all written
    doc_date_text: Mapped[str] = mapped_column(String(64), default="")  # as written: "ngày tháng 12 năm 2023"
    doc_place: Mapped[str] = mapped_column(String(128), default="")  # "Hải Phòng"
    issuing_body: Mapped[str] = mapped_column(String(255), default="")  # "Ủy ban nhân dân tỉnh Hải Dương"

    unit: Mapped[Unit] = relationship()
    areas: Mapped[list["PlanArea"]] = relationship(back_populates="plan", order_by="PlanArea.position",
                                                   cascade="all, delete-orphan")
    tasks: Mapped[list["Task"]] = relationship(back_populates="plan", order_by="Task.position",
                                               cascade="all, delete-orphan")
    targets: Mapped[list["Indicator"]] = relationship(back_populates="plan", cascade="all, delete-orphan")


class PlanArea(Base):
    """A reform area as a plan writes it, owned by the area plugin with ``area_code`` (None: custom)."""

    __tablename__ = "plan_areas"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    numeral: Mapped[str] = mapped_column(String(16))  # as written: "III", "VII.B"
    title: Mapped[str] = mapped_column(Text)  # as written, whitespace collapsed, NFC
    area_code: Mapped[str | None] = mapped_column(String(32))  # code declared by an area plugin
    position: Mapped[int] = mapped_column(Integer, default=0)

    plan: Mapped[Plan] = relationship(back_populates="areas")
    tasks: Mapped[list["Task"]] = relationship(back_populates="area", order_by="Task.position")


class Task(Base):
    """A numbered item of a plan's task table, with its activities, agencies and deadline."""

    __tablename__ = "tasks"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("plan_areas.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    number: Mapped[str] = mapped_column(String(32))  # as written in the TT/STT column
    objective: Mapped[str] = mapped_column(Text, default="")  # "Mục tiêu/Chỉ tiêu" column
    title: Mapped[str] = mapped_column(Text)  # "Nhiệm vụ" / "Nội dung công việc"
    activity: Mapped[str] = mapped_column(Text, default="")  # "Hoạt động", one activity per line
    product: Mapped[str] = mapped_column(Text, default="")
    lead_text: Mapped[str] = mapped_column(Text, default="")
    coord_text: Mapped[str] = mapped_column(Text, default="")
    deadline_raw: Mapped[str] = mapped_column(Text, default="")
    deadline_kind: Mapped[str] = mapped_column(String(16), default="unknown")
    deadline_start: Mapped[date | None] = mapped_column(Date)
    deadline_end: Mapped[date | None] = mapped_column(Date)
    deadline_recurrence: Mapped[str] = mapped_column(String(64), default="")
    budget: Mapped[str] = mapped_column(Text, default="")
    # A lead written as a group ("Các sở, ban, ngành", "UBND cấp xã"): one of importing.agencies.GROUPS, else "".
    lead_group: Mapped[str] = mapped_column(String(16), default="")

    plan: Mapped[Plan] = relationship(back_populates="tasks")
    area: Mapped[PlanArea] = relationship(back_populates="tasks")
    agencies: Mapped[list["TaskAgency"]] = relationship(back_populates="task", cascade="all, delete-orphan")
    updates: Mapped[list["StatusUpdate"]] = relationship(back_populates="task", cascade="all, delete-orphan")

    @property
    def full_number(self) -> str:
        """Return the task's number under its area's numeral, "III.2" (the number alone when the area has none)."""
        return f"{self.area.numeral}.{self.number}" if self.area is not None and self.area.numeral else self.number


class TaskAgency(Base):
    """An agency's role on a task: ``lead`` (chủ trì) or ``coord`` (phối hợp)."""

    __tablename__ = "task_agencies"
    __table_args__ = (UniqueConstraint("task_id", "agency_id", "role"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    role: Mapped[str] = mapped_column(String(8))

    task: Mapped[Task] = relationship(back_populates="agencies")
    agency: Mapped[Agency] = relationship()


class Indicator(Base):
    """A plan's target (chỉ tiêu) for an indicator code declared by an area plugin or imported."""

    __tablename__ = "indicators"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(Text)
    unit_of_measure: Mapped[str] = mapped_column(String(32), default="")
    area_code: Mapped[str | None] = mapped_column(String(32))
    target: Mapped[float | None] = mapped_column(Float)
    target_text: Mapped[str] = mapped_column(Text, default="")

    plan: Mapped[Plan] = relationship(back_populates="targets")


class StatusUpdate(Base):
    """A task's status for a data window as its agency reported it, with evidence (văn bản).

    ``period_key`` is the window's record key: quý IV and năm share "2024-Q4" (Period.record_key).
    """

    __tablename__ = "status_updates"
    __table_args__ = (UniqueConstraint("task_id", "period_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), index=True)
    period_key: Mapped[str] = mapped_column(String(16), index=True)
    status: Mapped[str] = mapped_column(String(16))  # see reportsvc.status.STATUSES
    completed_on: Mapped[date | None] = mapped_column(Date)
    result: Mapped[str] = mapped_column(Text, default="")
    evidence_number: Mapped[str] = mapped_column(String(128), default="")  # số/ký hiệu
    evidence_date: Mapped[date | None] = mapped_column(Date)
    evidence_title: Mapped[str] = mapped_column(Text, default="")  # trích yếu
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    updated_by: Mapped[str] = mapped_column(String(128), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    task: Mapped[Task] = relationship(back_populates="updates")
    agency: Mapped[Agency | None] = relationship()
    files: Mapped[list["EvidenceFile"]] = relationship(back_populates="status_update", order_by="EvidenceFile.id",
                                                       cascade="all, delete-orphan")
    __mapper_args__ = {"version_id_col": version}


class IndicatorValue(Base):
    """The year-to-date value of an indicator code for a unit and data window (``period_key``: its record key)."""

    __tablename__ = "indicator_values"
    __table_args__ = (UniqueConstraint("code", "unit_id", "period_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    period_key: Mapped[str] = mapped_column(String(16), index=True)
    value: Mapped[float] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    updated_by: Mapped[str] = mapped_column(String(128), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    unit: Mapped[Unit] = relationship()
    __mapper_args__ = {"version_id_col": version}


class ReportDraft(Base):
    """The officer's text for one narrative section of a unit's report for a period."""

    __tablename__ = "report_drafts"
    __table_args__ = (UniqueConstraint("unit_id", "period_key", "section"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    period_key: Mapped[str] = mapped_column(String(16))
    section: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(128), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class GeneratedReport(Base):
    """A generated report version. Never changed after it is written."""

    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("unit_id", "period_key", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)  # an agency's own report
    period_key: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    model_json: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(128), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    unit: Mapped[Unit] = relationship()
    agency: Mapped[Agency | None] = relationship()
    files: Mapped[list["ReportFile"]] = relationship(back_populates="report", order_by="ReportFile.format")


class ReportFile(Base):
    """One rendered file of a generated report, stored with its sha256."""

    __tablename__ = "report_files"
    __table_args__ = (UniqueConstraint("report_id", "format"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    format: Mapped[str] = mapped_column(String(16))  # docx | pdf | pdfa
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)

    report: Mapped[GeneratedReport] = relationship(back_populates="files")


class Submission(Base):
    """A party's data for one data window handed to the compiling office: submitted, approved or returned.

    The party is a department of a unit (``agency_id`` set; the unit's office approves) or a whole
    unit (``agency_id`` None: a commune to the province, approved by an office above it). ``party``
    is "agency:<id>" or "unit", so one party has one submission per window even where NULLs are
    distinct. ``period_key`` is the window's record key (reportsvc.periods.Period.record_key): quý II
    and 6 tháng are one submission. Approved data are locked against edits.
    """

    __tablename__ = "submissions"
    __table_args__ = (UniqueConstraint("unit_id", "party", "period_key", name="uq_submissions_party_period"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    party: Mapped[str] = mapped_column(String(32))
    period_key: Mapped[str] = mapped_column(String(16), index=True)
    state: Mapped[str] = mapped_column(String(16))  # submitted | approved | returned
    first_submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)  # timeliness
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    submitted_by: Mapped[str] = mapped_column(String(128), default="")
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str] = mapped_column(String(128), default="")
    reason: Mapped[str] = mapped_column(Text, default="")  # why it was returned or reopened
    version: Mapped[int] = mapped_column(Integer, default=1)

    unit: Mapped[Unit] = relationship()
    agency: Mapped[Agency | None] = relationship()
    __mapper_args__ = {"version_id_col": version}


class ReminderSent(Base):
    """One reminder mailed to one user about one party's window: a second run never sends it again."""

    __tablename__ = "reminders_sent"
    __table_args__ = (UniqueConstraint("user_id", "unit_id", "party", "period_key", "kind",
                                       name="uq_reminders_sent_once"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    party: Mapped[str] = mapped_column(String(32))
    period_key: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(8))  # before | late
    email: Mapped[str] = mapped_column(String(254))
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class EvidenceFile(Base):
    """The PDF or DOCX of a văn bản attached to a status update, stored with its sha256 like reports."""

    __tablename__ = "evidence_files"
    id: Mapped[int] = mapped_column(primary_key=True)
    status_update_id: Mapped[int] = mapped_column(ForeignKey("status_updates.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(128))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[str] = mapped_column(String(128), default="")
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    status_update: Mapped[StatusUpdate] = relationship(back_populates="files")


class PluginSetting(Base):
    """An admin's enable/disable choice for a plugin, applied with ``set_blocked`` before loading."""

    __tablename__ = "plugin_settings"
    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class User(Base):
    """A person who signs in: admin, editor (bound to one agency) or viewer."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(255), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))  # superadmin | admin | editor | viewer
    email: Mapped[str] = mapped_column(String(254), default="")  # where reminders go; "" receives none
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Set by an admin's password reset: every page leads to the change form until the user picks its own.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)

    agency: Mapped[Agency | None] = relationship()
    unit: Mapped[Unit | None] = relationship()
    tokens: Mapped[list["ApiToken"]] = relationship(back_populates="user", order_by="ApiToken.id",
                                                    cascade="all, delete-orphan")


class ApiToken(Base):
    """A named API token of a user with its expiry; only the sha256 of the token is stored."""

    __tablename__ = "api_tokens"
    __table_args__ = (UniqueConstraint("user_id", "name", name="uq_api_tokens_user_name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship(back_populates="tokens")


class LoginSession(Base):
    """A signed-in browser: the session cookie holds its key, the row its start and last request.

    Deleting the row ends the session everywhere its cookie was copied to (sign-out, "đăng xuất
    khỏi mọi thiết bị", a new password, a locked account, a new role or unit).
    """

    __tablename__ = "login_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the key in the cookie
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    address: Mapped[str] = mapped_column(String(64), default="")
    agent: Mapped[str] = mapped_column(String(255), default="")  # the browser's User-Agent, shortened


class LoginFailure(Base):
    """One failed sign-in (wrong password, unknown or locked account): what login throttling counts."""

    __tablename__ = "login_failures"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    username: Mapped[str] = mapped_column(String(64), index=True)  # as typed (folded to lower case)
    address: Mapped[str] = mapped_column(String(64), index=True)


class AuditEntry(Base):
    """Who changed what and when, with the old and new values."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(64))
    old: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    new: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)  # whose data changed
