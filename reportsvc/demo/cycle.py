"""The demo's reporting cycle: data deadlines and the submissions of 2024, some on time and some late.

The province and its districts (the offices its departments and communes hand their data to) get
``data_due_day`` 10 ("ngày 10 tháng cuối quý"). The departments that lead tasks of the province's plan
and the units below it then have a submission for each quarter of 2024, drawn from a seeded random
generator so every load gives the same: approved on time, submitted on time and waiting, submitted
late (some approved since), returned with a reason, or not submitted at all. The dashboard thus shows
both the reporting rate and the on-time rate.

Left without submissions, for the demo's users to try the cycle themselves: the departments of the
demo users (Sở Nội vụ, Sở Tư pháp, Văn phòng UBND tỉnh) and xã Thạch Đài. Sở Tài chính, which
skipped its quý III updates (reportsvc.demo.load.SKIPS_Q3), did not submit quý III either.
Running it again adds nothing that is already there and leaves settings an admin changed alone.
"""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from reportsvc.collect.timeliness import deadline_of, party_of
from reportsvc.db.models import Agency, Plan, Submission, Task, TaskAgency, Unit
from reportsvc.db.unitsettings import KEYS, apply_changes, validate_changes
from reportsvc.demo.data import USERS
from reportsvc.periods import Period
from reportsvc.vn.dates import VIETNAM

YEAR = 2024
DUE_DAY = 10
DECIDER = "admin"  # the demo's Sở Nội vụ administrator decides for the province and its districts
LEFT_FOR_USERS = {agency for _, _, _, agency, _ in USERS if agency}
LEFT_UNITS = {"HT-TH-TD"}
SKIPPED = ("Sở Tài chính", 3)  # (agency, quarter) that did not submit
RETURN_REASON = "Đề nghị bổ sung số, ngày văn bản minh chứng cho các nhiệm vụ báo cáo đã hoàn thành."


def set_deadlines(units: list[Unit]) -> None:
    """Give each unit ``data_due_day`` 10 unless it already has its own."""
    checked = validate_changes({"data_due_day": str(DUE_DAY)})
    for unit in units:
        if KEYS["data_due_day"].storage not in (unit.settings or {}):
            apply_changes(unit, checked)


def parties(session: Session, province: Unit) -> list[tuple[Unit, Agency | None]]:
    """Return the demo's parties with submissions: the province's lead departments, then the units below it."""
    leads = (select(TaskAgency.agency_id).join(Task, Task.id == TaskAgency.task_id).join(Plan, Plan.id == Task.plan_id)
             .where(Plan.unit_id == province.id, Plan.year <= YEAR, Plan.year_end >= YEAR, TaskAgency.role == "lead"))
    agencies = session.scalars(select(Agency).where(Agency.id.in_(leads), Agency.unit_id == province.id,
                                                    Agency.successor_id.is_(None)).order_by(Agency.name))
    found: list[tuple[Unit, Agency | None]] = [(province, agency) for agency in agencies
                                               if agency.name not in LEFT_FOR_USERS]
    stack = sorted(province.children, key=lambda u: u.code)
    while stack:
        unit = stack.pop(0)
        if unit.code not in LEFT_UNITS:
            found.append((unit, None))
        stack = sorted(unit.children, key=lambda u: u.code) + stack
    return found


def _moment(day: date, rng: random.Random) -> datetime:
    """Return a working hour of ``day`` in Vietnam, as the UTC time the database keeps."""
    local = datetime.combine(day, time(rng.randint(7, 16), rng.randint(0, 59)), tzinfo=VIETNAM)
    return local.astimezone(timezone.utc)


def submission_for(unit: Unit, agency: Agency | None, quarter: Period) -> Submission | None:
    """Return the party's submission of the quarter as the seeded draw makes it, or None (not submitted)."""
    party = party_of(agency.id if agency else None)
    name = agency.name if agency else unit.code
    if agency is not None and (agency.name, quarter.quarter) == SKIPPED:
        return None
    rng = random.Random(f"demo-cycle:{name}:{quarter.key}")
    deadline = deadline_of(unit, agency.id if agency else None, quarter) or date(YEAR, quarter.last_month, DUE_DAY)
    fate = rng.random()
    if fate < 0.12:
        return None
    late = 0.55 <= fate < 0.82
    first = deadline + timedelta(days=rng.randint(1, 12)) if late else deadline - timedelta(days=rng.randint(0, 8))
    submitted = _moment(first, rng)
    row = Submission(unit_id=unit.id, agency_id=agency.id if agency else None, party=party,
                     period_key=quarter.record_key, first_submitted_at=submitted, submitted_at=submitted,
                     submitted_by="demo", state="submitted")
    decided = _moment(first + timedelta(days=rng.randint(1, 4)), rng)
    if fate < 0.42 or 0.68 <= fate < 0.82:  # approved: on time, or late and approved since
        row.state, row.decided_at, row.decided_by = "approved", decided, DECIDER
    elif 0.82 <= fate:  # returned with a reason, waiting to be sent again
        row.state, row.decided_at, row.decided_by, row.reason = "returned", decided, DECIDER, RETURN_REASON
    return row


def load_cycle(session: Session, province: Unit) -> int:
    """Set the demo's data deadlines and add its 2024 submissions that are missing; return how many were added."""
    offices = [province] + [unit for unit in province.children if unit.children]
    set_deadlines(offices)
    session.flush()
    added = 0
    for unit, agency in parties(session, province):
        for quarter in (Period(YEAR, "Q", q) for q in range(1, 5)):
            party = party_of(agency.id if agency else None)
            exists = session.scalar(select(Submission.id).where(
                Submission.unit_id == unit.id, Submission.party == party, Submission.period_key == quarter.record_key))
            row = submission_for(unit, agency, quarter) if exists is None else None
            if row is not None:
                session.add(row)
                added += 1
    session.flush()
    return added
