"""Submissions of a period's data to the compiling office, and the lock that approval puts on them.

A party is a department of a unit ("agency:<id>": its tasks and the values it entered) or a whole
unit ("unit": a commune's data, handed to the province). A submission covers one data window: its
``period_key`` is the window's record key, so quý II and 6 tháng are one submission, as they are one
record (reportsvc.periods.Period.record). Approved data are locked: every write goes through
:func:`check_unlocked`, which raises reportsvc.errors.Locked naming who approved and when.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from reportsvc.db.models import Submission, Unit
from reportsvc.errors import Locked
from reportsvc.db.unitsettings import settings_of
from reportsvc.periods import Period, parse_period
from reportsvc.vn.dates import local_time

UNIT_PARTY = "unit"
STATES = {"submitted": "Đã nộp, chờ duyệt", "approved": "Đã duyệt", "returned": "Bị trả lại"}
"""The stored states; a party with no submission for a window is a draft ("Chưa nộp")."""
DRAFT_LABEL = "Chưa nộp"


def party_of(agency_id: int | None) -> str:
    """Return the party key of a department ("agency:<id>") or, for None, of the whole unit."""
    return f"agency:{agency_id}" if agency_id is not None else UNIT_PARTY


def compiling_unit(unit: Unit, agency_id: int | None) -> Unit | None:
    """Return the unit whose office receives the party's data: the unit itself for a department, else its parent."""
    return unit if agency_id is not None else unit.parent


def deadline_of(unit: Unit, agency_id: int | None, period: Period) -> date | None:
    """Return when the party must submit the period's data (the compiling unit's ``data_due_day``), or None."""
    office = compiling_unit(unit, agency_id)
    return settings_of(office).data_due(period) if office is not None else None


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
