"""Deadlines, timeliness and approvals of the parties that hand a data window to a compiling office.

A party is a department of a unit ("agency:<id>": its tasks and the values it entered) or a whole unit
("unit": a commune's data, handed to the unit above it). Its deadline is the compiling unit's
``data_due_day`` of the period's last month (``UnitSettings.data_due``). Its timeliness compares the
Vietnam date of its first submission with that deadline: "Đúng hạn", "Muộn (n ngày)", "Chưa nộp", or
"Chưa đến hạn" while nothing was submitted and the deadline has not passed. Statuses of many parties are
read with one query (:func:`party_statuses`), never one per unit.

:class:`Approvals` says which data a report from approved data only may use (the unit setting
``approved_only``): a record is used when its party's submission of the record's window is approved, by
the party itself or by the whole unit. A root unit's own records without a department have no office
above to approve them and are always used: they are the compiling office's own.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from reportsvc.db.models import Submission, Unit
from reportsvc.db.unitsettings import settings_of
from reportsvc.periods import Period, parse_period
from reportsvc.report.model import Timeliness
from reportsvc.vn.dates import VIETNAM

UNIT_PARTY = "unit"
SUBMITTED = ("submitted", "approved")
"""The states in which a party's data count as handed in (a returned submission must be sent again)."""


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


def vietnam_today() -> date:
    """Return today's date in Vietnam."""
    return datetime.now(VIETNAM).date()


def vietnam_date(moment: datetime) -> date:
    """Return the Vietnam date of a stored (UTC) time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(VIETNAM).date()


def timeliness(submitted_on: date | None, deadline: date | None, today: date) -> Timeliness:
    """Return how a first submission on ``submitted_on`` (None: none yet) stands against ``deadline`` on ``today``."""
    if submitted_on is None:
        return Timeliness("not_due" if deadline is not None and today <= deadline else "missing")
    if deadline is None:
        return Timeliness("no_deadline")
    if submitted_on <= deadline:
        return Timeliness("on_time")
    return Timeliness("late", (submitted_on - deadline).days)


@dataclass(frozen=True)
class PartyStatus:
    """A party's data for one window: submission state, first submitted (Vietnam date), deadline, timeliness."""

    state: str  # "draft" (nothing submitted) | "submitted" | "approved" | "returned"
    submitted_on: date | None
    deadline: date | None
    timeliness: Timeliness

    @property
    def submitted(self) -> bool:
        """Return True when the data are handed in: submitted or approved (not returned)."""
        return self.state in SUBMITTED

    @property
    def on_time(self) -> bool:
        """Return True when the data are handed in and were first submitted by the deadline."""
        return self.submitted and self.timeliness.key == "on_time"


def party_statuses(session: Session, parties: Iterable[tuple[Unit, int | None]], period: Period,
                   today: date | None = None) -> dict[tuple[int, str], PartyStatus]:
    """Return the status of each party (unit, agency id or None) for the period's window, keyed (unit id, party).

    One query reads every submission of the parties' units for the window; deadlines come from the
    compiling units' settings, which are loaded with the units.
    """
    today = today or vietnam_today()
    wanted = {(unit.id, party_of(agency_id)): (unit, agency_id) for unit, agency_id in parties}
    found: dict[tuple[int, str], Submission] = {}
    if wanted:
        unit_ids = sorted({unit_id for unit_id, _ in wanted})
        names = sorted({party for _, party in wanted})
        for row in session.scalars(select(Submission).where(
                Submission.period_key == period.record_key, Submission.unit_id.in_(unit_ids),
                Submission.party.in_(names))):
            found[(row.unit_id, row.party)] = row
    result = {}
    for key, (unit, agency_id) in wanted.items():
        row = found.get(key)
        deadline = deadline_of(unit, agency_id, period)
        submitted_on = vietnam_date(row.first_submitted_at) if row is not None else None
        result[key] = PartyStatus(row.state if row is not None else "draft", submitted_on, deadline,
                                  timeliness(submitted_on, deadline, today))
    return result


class Approvals:
    """Which parties' data of a window are approved, read once per window (one query each)."""

    def __init__(self, session: Session) -> None:
        """Read approvals from ``session`` as windows are asked about."""
        self.session = session
        self._approved: dict[str, set[tuple[int, str]]] = {}

    def approved(self, period_key: str) -> set[tuple[int, str]]:
        """Return the (unit id, party) pairs whose submission of the key's window is approved."""
        key = parse_period(period_key).record_key
        if key not in self._approved:
            self._approved[key] = {(unit_id, party) for unit_id, party in self.session.execute(
                select(Submission.unit_id, Submission.party).where(Submission.period_key == key,
                                                                   Submission.state == "approved"))}
        return self._approved[key]

    def covers(self, unit: Unit, agency_id: int | None, period_key: str) -> bool:
        """Return True when a record of ``unit`` (entered for the department ``agency_id``) for the window may be used.

        A department's records are covered by its own approved submission and by the whole unit's; a
        root unit's records without a department by nothing but themselves (no office above approves them).
        """
        if agency_id is None and unit.parent_id is None:
            return True
        approved = self.approved(period_key)
        return (unit.id, UNIT_PARTY) in approved or (
            agency_id is not None and (unit.id, party_of(agency_id)) in approved)
