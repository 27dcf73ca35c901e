"""Submissions of a period's data to the compiling office, and the lock that approval puts on them.

A party is a department of a unit ("agency:<id>": its tasks and the values it entered) or a whole
unit ("unit": a commune's data, handed to the province). A submission covers one data window: its
``period_key`` is the window's record key, so quý II and 6 tháng are one submission, as they are one
record (reportsvc.periods.Period.record). Approved data are locked: every write goes through
:func:`check_unlocked`, which raises reportsvc.errors.Locked naming who approved and when.

The transitions, shared by the web pages, the API and the command line, each checked and audited here
(the caller commits): no row is a draft ("Chưa nộp"); :func:`submit` → "submitted"; :func:`approve` →
"approved" or :func:`return_submission` → "returned" (a reason is required) → :func:`submit` again
(``first_submitted_at`` kept, ``submitted_at`` set anew); :func:`reopen` sets an approved window back to
"returned" with the reason "Mở lại: …". A department's data are submitted by its editors (or an admin of
the unit on its behalf), a whole unit's by an admin of it; an admin of the compiling office or above
decides, never the one who submitted. ``version`` guards every transition against a stale page.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from reportsvc.collect.timeliness import UNIT_PARTY, compiling_unit, deadline_of, party_of  # re-exported
from reportsvc.db.models import Agency, Submission, Unit, utcnow
from reportsvc.db.tenancy import subtree_ids
from reportsvc.errors import Conflict, Forbidden, Invalid, Locked, NotFound
from reportsvc.periods import Period, parse_period
from reportsvc.report.model import SUBMISSION_STATES
from reportsvc.services import audit
from reportsvc.services.agencies import find_agency
from reportsvc.services.permissions import Actor, require_admin, require_writer, scope_for
from reportsvc.vn.dates import local_time
from reportsvc.vn.text import collapse

STATES = {key: label for key, label in SUBMISSION_STATES.items() if key != "draft"}
"""The stored states; a party with no submission for a window is a draft ("Chưa nộp")."""
DRAFT_LABEL = SUBMISSION_STATES["draft"]


def approval_over(session: Session, unit: Unit, agency_id: int | None, period_key: str) -> Submission | None:
    """Return the approved submission that covers data of ``unit`` (and its department) for the window, or None.

    A department's data are covered by its own approved submission and by the whole unit's.
    """
    key = parse_period(period_key).record_key
    parties = [UNIT_PARTY] + ([party_of(agency_id)] if agency_id is not None else [])
    return session.scalar(select(Submission).where(
        Submission.unit_id == unit.id, Submission.period_key == key, Submission.party.in_(parties),
        Submission.state == "approved").order_by(Submission.party).limit(1))


def check_unlocked(session: Session, unit: Unit, agency_id: int | None, period_key: str) -> None:
    """Raise Locked when the data of ``unit`` (and the department) for the period's window are approved."""
    approved = approval_over(session, unit, agency_id, period_key)
    if approved is None:
        return
    period = parse_period(period_key)
    whose = approved.agency.name if approved.agency is not None else unit.name
    when = local_time(approved.decided_at) if approved.decided_at is not None else ""
    served = ", ".join(p.short_label for p in period.serves())
    raise Locked(f"Số liệu kỳ {served} của {whose} đã được {approved.decided_by} duyệt lúc {when} nên không sửa "
                 f"được nữa. Nếu cần sửa, hãy đề nghị quản trị viên mở lại kỳ này.")


# ---------------------------------------------------------------- who may do what

REASON_MAX = 2000
"""The longest reason a return or a reopening takes."""
REOPEN_PREFIX = "Mở lại: "
"""How a reopened submission's reason starts: reopening sets an approved submission back to "returned"."""


def window_label(period_key: str) -> str:
    """Return the periods a window serves as people read them: "Quý II/2024, 6 tháng 2024"."""
    return ", ".join(p.short_label for p in parse_period(period_key).serves())


def party_label(unit: Unit, agency: Agency | None) -> str:
    """Return the party's name: the department's, or the unit's as a whole."""
    return agency.name if agency is not None else f"{unit.name} (cả đơn vị)"


def state_label(submission: Submission | None) -> str:
    """Return the Vietnamese name of a submission's state ("Chưa nộp" without one)."""
    if submission is None:
        return DRAFT_LABEL
    if submission.state == "returned" and submission.reason.startswith(REOPEN_PREFIX):
        return "Đã mở lại"
    return STATES.get(submission.state, submission.state)


def covers(session: Session, actor: Actor, unit_id: int) -> bool:
    """Return True when ``unit_id`` lies in the actor's units (its unit and those below; every unit for superadmin)."""
    scope = scope_for(session, actor)
    return scope is None or unit_id in scope.unit_ids


def can_submit(session: Session, actor: Actor, unit: Unit, agency: Agency | None) -> bool:
    """Return True when ``actor`` may submit the party's data: its own department's, or any of its units' as admin."""
    if not actor.can_write or not covers(session, actor, unit.id):
        return False
    if actor.is_admin:
        return True
    return agency is not None and actor.role == "editor" and actor.agency_id == agency.id


def check_submitter(session: Session, actor: Actor, unit: Unit, agency: Agency | None) -> None:
    """Raise Forbidden (NotFound outside the actor's units) unless ``actor`` may submit the party's data."""
    require_writer(actor)
    if not covers(session, actor, unit.id):
        raise NotFound(f"Không tìm thấy đơn vị '{unit.code}'")
    if can_submit(session, actor, unit, agency):
        return
    if agency is None:
        raise Forbidden(f"Chỉ quản trị viên của {unit.name} được nộp số liệu của cả đơn vị lên cấp trên.")
    raise Forbidden(f"Bạn chỉ được nộp số liệu của cơ quan mình ({actor.agency_name or 'chưa gắn cơ quan'}), "
                    f"không phải của {agency.name}.")


def can_decide(session: Session, actor: Actor, submission: Submission) -> bool:
    """Return True when ``actor`` is an admin of the compiling office (or above) and did not submit it."""
    return can_reopen(session, actor, submission) and submission.submitted_by != actor.username


def can_reopen(session: Session, actor: Actor, submission: Submission) -> bool:
    """Return True when ``actor`` is an admin of the compiling office (or above), who may reopen an approved window."""
    office = compiling_unit(submission.unit, submission.agency_id)
    return actor.is_admin and office is not None and covers(session, actor, office.id)


def _check_office(session: Session, actor: Actor, submission: Submission, doing: str) -> None:
    """Raise Forbidden unless ``actor`` is an admin of the office that compiles the submission, or above."""
    require_admin(actor)
    office = compiling_unit(submission.unit, submission.agency_id)
    if office is None or not covers(session, actor, office.id):
        where = office.name if office is not None else "đơn vị cấp trên"
        raise Forbidden(f"Chỉ quản trị viên của {where} (nơi tổng hợp số liệu) hoặc cấp trên được {doing} "
                        f"số liệu của {party_label(submission.unit, submission.agency)}.")


# ---------------------------------------------------------------- reading

def _utc(moment: datetime | None) -> datetime | None:
    """Return a stored time as UTC-aware (SQLite hands times back without their zone)."""
    return moment.replace(tzinfo=timezone.utc) if moment is not None and moment.tzinfo is None else moment


def submission_json(submission: Submission) -> dict[str, Any]:
    """Return a submission as a plain dict (API, audit, CLI): party, window, state and who did what when."""
    unit, agency = submission.unit, submission.agency
    office = compiling_unit(unit, submission.agency_id)
    deadline = deadline_of(unit, submission.agency_id, parse_period(submission.period_key))
    return {"id": submission.id, "unit": unit.code, "unit_name": unit.name,
            "agency": agency.name if agency is not None else None, "agency_id": submission.agency_id,
            "party": submission.party, "party_label": party_label(unit, agency),
            "office": office.code if office is not None else None,
            "period": submission.period_key, "serves": [p.key for p in parse_period(submission.period_key).serves()],
            "period_label": window_label(submission.period_key),
            "state": submission.state, "state_label": state_label(submission),
            "first_submitted_at": _utc(submission.first_submitted_at), "submitted_at": _utc(submission.submitted_at),
            "submitted_by": submission.submitted_by, "decided_at": _utc(submission.decided_at),
            "decided_by": submission.decided_by, "reason": submission.reason,
            "deadline": deadline, "version": submission.version}


def _audit_view(submission: Submission) -> dict[str, Any]:
    return {key: submission_json(submission)[key] for key in (
        "unit", "agency", "party", "period", "state", "submitted_by", "submitted_at", "decided_by", "decided_at",
        "reason", "version")}


def get_submission(session: Session, actor: Actor, submission_id: int) -> Submission:
    """Return a submission of the actor's units, or raise NotFound (also for one outside them)."""
    submission = session.get(Submission, submission_id)
    if submission is None or not covers(session, actor, submission.unit_id):
        raise NotFound(f"Không tìm thấy lần nộp số liệu số {submission_id}.")
    return submission


def find_party(session: Session, actor: Actor, unit: Unit, agency: int | str | None) -> Agency | None:
    """Return the department of ``unit`` named by id or name (None: the whole unit); NotFound or Invalid otherwise."""
    if agency is None or (isinstance(agency, str) and not agency.strip()):
        return None
    if isinstance(agency, int) and not isinstance(agency, bool):
        row = session.get(Agency, agency)
        if row is None:
            raise NotFound(f"Không tìm thấy cơ quan số {agency}.")
        while row.successor is not None:
            row = row.successor
    else:
        row = find_agency(session, unit, str(agency))
    if row.unit_id != unit.id:
        raise Invalid([f"{row.name} không phải cơ quan của {unit.name}: chỉ cơ quan của chính đơn vị nộp số liệu "
                       f"cho đơn vị đó."])
    return row


def find_window(session: Session, unit: Unit, agency_id: int | None, period_key: str) -> Submission | None:
    """Return the party's submission for the period's data window (either key of it), or None (a draft)."""
    return session.scalar(select(Submission).where(
        Submission.unit_id == unit.id, Submission.party == party_of(agency_id),
        Submission.period_key == parse_period(period_key).record_key))


def list_submissions(session: Session, actor: Actor, *, unit: Unit | None = None, period: Period | None = None,
                     state: str = "") -> list[Submission]:
    """Return the submissions of the actor's units, optionally of ``unit`` and the units below it, of one data
    window (either key) and in one state; newest window first."""
    scope = scope_for(session, actor)
    stmt = select(Submission).options(selectinload(Submission.unit), selectinload(Submission.agency))
    if scope is not None:
        stmt = stmt.where(Submission.unit_id.in_(scope.unit_ids))
    if unit is not None:
        stmt = stmt.where(Submission.unit_id.in_(subtree_ids(session, unit.id)))
    if period is not None:
        stmt = stmt.where(Submission.period_key == period.record_key)
    if state:
        if state not in STATES:
            raise Invalid([f"Trạng thái không hợp lệ: '{state}'. Các trạng thái: {', '.join(STATES)}."])
        stmt = stmt.where(Submission.state == state)
    rows = list(session.scalars(stmt))
    rows.sort(key=lambda s: (s.unit.code, s.agency_id is not None, s.agency.name if s.agency else ""))
    rows.sort(key=lambda s: parse_period(s.period_key), reverse=True)
    return rows


@dataclass
class Window:
    """One data window of a party's year as the submitting side sees it: what it serves, its state, its deadline."""

    period: Period
    submission: Submission | None
    deadline: date | None

    @property
    def serves(self) -> list[Period]:
        """Return the periods whose reports use this window's data."""
        return self.period.serves()

    @property
    def state(self) -> str:
        """Return the stored state, or "draft" when nothing was submitted."""
        return self.submission.state if self.submission is not None else "draft"

    @property
    def state_label(self) -> str:
        """Return the state's Vietnamese name."""
        return state_label(self.submission)

    @property
    def open(self) -> bool:
        """Return True when the party may submit it now (never submitted, or returned)."""
        return self.state in ("draft", "returned")


def windows(session: Session, unit: Unit, agency_id: int | None, year: int) -> list[Window]:
    """Return the four data windows (quý I–IV) of a party's year with their submissions and deadlines."""
    stored = {s.period_key: s for s in session.scalars(select(Submission).where(
        Submission.unit_id == unit.id, Submission.party == party_of(agency_id),
        Submission.period_key.in_([Period(year, "Q", q).key for q in range(1, 5)])))}
    return [Window(p, stored.get(p.key), deadline_of(unit, agency_id, p))
            for p in (Period(year, "Q", q) for q in range(1, 5))]


# ---------------------------------------------------------------- the transitions

def _when(moment: datetime | None) -> str:
    return local_time(moment) if moment is not None else ""


def _stale(submission: Submission, expected_version: int | None) -> None:
    """Raise Conflict when the caller read an older version of the submission than the stored one."""
    if expected_version is not None and expected_version != submission.version:
        raise Conflict(f"Lần nộp số liệu kỳ {window_label(submission.period_key)} của "
                       f"{party_label(submission.unit, submission.agency)} vừa được người khác thay đổi "
                       f"({state_label(submission).lower()}); hãy tải lại trang và xem trước khi làm tiếp.",
                       current=submission_json(submission))


def _already(submission: Submission) -> Conflict:
    """Return the Conflict for submitting a window that is waiting for a decision or approved."""
    whose = party_label(submission.unit, submission.agency)
    served = window_label(submission.period_key)
    if submission.state == "approved":
        message = (f"Số liệu kỳ {served} của {whose} đã được {submission.decided_by} duyệt lúc "
                   f"{_when(submission.decided_at)}; không nộp lại được. Nếu cần sửa, hãy đề nghị quản trị viên "
                   f"mở lại kỳ này.")
    else:
        message = (f"Số liệu kỳ {served} của {whose} đã được {submission.submitted_by} nộp lúc "
                   f"{_when(submission.submitted_at)} và đang chờ duyệt; không nộp lần thứ hai.")
    return Conflict(message, current=submission_json(submission))


def _reason(text: str | None, what: str) -> str:
    reason = collapse(text)
    if not reason:
        raise Invalid([f"Hãy ghi lý do {what}."])
    if len(reason) > REASON_MAX:
        raise Invalid([f"Lý do {what} dài quá {REASON_MAX} ký tự."])
    return reason


def _flush(session: Session, submission: Submission) -> None:
    """Flush the change; a concurrent change of the same submission (or window) becomes a Conflict."""
    try:
        session.flush()
    except (StaleDataError, IntegrityError):
        session.rollback()
        raise Conflict("Số liệu kỳ này vừa được người khác nộp hoặc thay đổi; hãy tải lại trang và xem "
                       "trước khi làm tiếp.") from None


def submit(session: Session, actor: Actor, unit: Unit, agency: Agency | None, period: Period,
           expected_version: int | None = None) -> Submission:
    """Submit the party's data of the period's window to its compiling office (again after a return), audited.

    A window waiting for a decision or approved is a Conflict; the caller commits.
    """
    check_submitter(session, actor, unit, agency)
    agency_id = agency.id if agency is not None else None
    if compiling_unit(unit, agency_id) is None:
        raise Invalid([f"{unit.name} không có đơn vị cấp trên để nộp số liệu của cả đơn vị; hãy nộp theo từng "
                       f"cơ quan."])
    existing = find_window(session, unit, agency_id, period.key)
    now = utcnow()
    if existing is None:
        submission = Submission(unit_id=unit.id, agency_id=agency_id, party=party_of(agency_id),
                                period_key=period.record_key, state="submitted", first_submitted_at=now,
                                submitted_at=now, submitted_by=actor.username, decided_by="", reason="")
        submission.unit, submission.agency = unit, agency
        old = None
        session.add(submission)
    else:
        _stale(existing, expected_version)
        if existing.state != "returned":
            raise _already(existing)
        submission, old = existing, _audit_view(existing)
        submission.state, submission.submitted_at, submission.submitted_by = "submitted", now, actor.username
        submission.decided_at, submission.decided_by, submission.reason = None, "", ""
    _flush(session, submission)
    audit.record(session, actor.username, "submission.submit", "submission", submission.id, old,
                 _audit_view(submission), unit_id=unit.id)
    return submission


def _decide(session: Session, actor: Actor, submission_id: int, expected_version: int | None, doing: str,
            allowed: str) -> Submission:
    """Load a submission the actor may decide on in state ``allowed``; raise why not."""
    submission = get_submission(session, actor, submission_id)
    _check_office(session, actor, submission, doing)
    _stale(submission, expected_version)
    if submission.state != allowed:
        whose = party_label(submission.unit, submission.agency)
        served = window_label(submission.period_key)
        if submission.state == "approved":
            hint = " Muốn sửa lại, hãy mở lại kỳ này." if allowed == "submitted" else ""
            message = (f"Số liệu kỳ {served} của {whose} đã được {submission.decided_by} duyệt lúc "
                       f"{_when(submission.decided_at)}.{hint}")
        elif submission.state == "returned":
            message = (f"Số liệu kỳ {served} của {whose} đã được {submission.decided_by} trả lại lúc "
                       f"{_when(submission.decided_at)} và đang chờ nộp lại.")
        else:
            message = f"Số liệu kỳ {served} của {whose} đang chờ duyệt, chưa được duyệt nên không mở lại."
        raise Conflict(message, current=submission_json(submission))
    return submission


def _own(actor: Actor, submission: Submission, doing: str) -> None:
    if submission.submitted_by == actor.username:
        raise Forbidden(f"Bạn không thể tự {doing} số liệu do chính mình nộp; việc này phải do một quản trị viên "
                        f"khác của nơi tổng hợp thực hiện.")


def approve(session: Session, actor: Actor, submission_id: int, expected_version: int | None = None) -> Submission:
    """Approve a submitted window (an admin of the compiling office, not its submitter): its data are locked."""
    submission = _decide(session, actor, submission_id, expected_version, "duyệt", "submitted")
    _own(actor, submission, "duyệt")
    old = _audit_view(submission)
    submission.state, submission.decided_by, submission.decided_at = "approved", actor.username, utcnow()
    _flush(session, submission)
    audit.record(session, actor.username, "submission.approve", "submission", submission.id, old,
                 _audit_view(submission), unit_id=submission.unit_id)
    return submission


def return_submission(session: Session, actor: Actor, submission_id: int, reason: str | None,
                      expected_version: int | None = None) -> Submission:
    """Return a submitted window with the reason (required) for the party to correct and submit again."""
    submission = _decide(session, actor, submission_id, expected_version, "trả lại", "submitted")
    _own(actor, submission, "trả lại")
    text = _reason(reason, "trả lại số liệu")
    old = _audit_view(submission)
    submission.state, submission.reason = "returned", text
    submission.decided_by, submission.decided_at = actor.username, utcnow()
    _flush(session, submission)
    audit.record(session, actor.username, "submission.return", "submission", submission.id, old,
                 _audit_view(submission), unit_id=submission.unit_id)
    return submission


def reopen(session: Session, actor: Actor, submission_id: int, reason: str | None,
           expected_version: int | None = None) -> Submission:
    """Reopen an approved window (an admin of the compiling office or above): state "returned", reason "Mở lại: …";
    its data can be edited and submitted again."""
    submission = _decide(session, actor, submission_id, expected_version, "mở lại", "approved")
    text = _reason(reason, "mở lại kỳ đã duyệt")
    old = _audit_view(submission)
    submission.state, submission.reason = "returned", REOPEN_PREFIX + text
    submission.decided_by, submission.decided_at = actor.username, utcnow()
    _flush(session, submission)
    audit.record(session, actor.username, "submission.reopen", "submission", submission.id, old,
                 _audit_view(submission), unit_id=submission.unit_id)
    return submission
