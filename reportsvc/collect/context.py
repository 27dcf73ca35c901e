"""The context a plugin collects in: unit, period, session, declared areas, and the unit's plan."""
from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from reportsvc.areas.catalog import Catalog
from reportsvc.collect.timeliness import Approvals
from reportsvc.db.models import Plan, PlanArea, StatusUpdate, Task, TaskAgency, Unit
from reportsvc.db.unitsettings import settings_of
from reportsvc.periods import CutoffRule, Period, parse_period

#: Deadline kinds whose status belongs to each year (done in 2022, open again in 2023).
PER_YEAR_KINDS = ("recurrence", "continuous")


@dataclass
class CollectContext:
    """The unit, period and database session a report is collected for."""

    session: Session
    unit: Unit
    period: Period
    registry: Catalog  # the declared areas and indicators (a PluginRegistry at run time)
    cutoff: CutoffRule = field(default_factory=CutoffRule)
    agency_id: int | None = None  # an agency's own report: only the tasks it leads, the indicators of their areas
    _plan: Plan | None = field(default=None, init=False, repr=False)
    _plan_loaded: bool = field(default=False, init=False, repr=False)
    _plans: list[Plan] | None = field(default=None, init=False, repr=False)
    _approvals: Approvals | None = field(default=None, init=False, repr=False)

    @property
    def window(self) -> tuple[date, date]:
        """Return the period's data window under the unit's cut-off rule."""
        return self.period.window(self.cutoff)

    @property
    def plan(self) -> Plan | None:
        """Return the unit's plan for the period's year (or the nearest ancestor's), or None."""
        if not self._plan_loaded:
            self._plan = find_plan(self.session, self.unit, self.period.year)
            self._plan_loaded = True
        return self._plan

    @property
    def plans(self) -> list[Plan]:
        """Return the unit's plan for the year and the plans of the units merged into it that year.

        A unit formed by a merger reports, for a period that spans the merger, what its
        predecessors did before it: their plans' tasks count as its own.
        """
        if self._plans is None:
            start = self.window[0]
            merged = [find_plan(self.session, old, self.period.year) for old in predecessors(self.unit)
                      if old.valid_to is not None and old.valid_to >= start]
            self._plans = [plan for plan in [self.plan, *merged] if plan is not None]
        return self._plans

    @property
    def approved_only(self) -> bool:
        """Return True when the unit's reports use only approved data (its setting ``approved_only``)."""
        return settings_of(self.unit).approved_only

    @property
    def approvals(self) -> Approvals | None:
        """Return which parties' data are approved when the unit's reports use only approved data, else None."""
        if not self.approved_only:
            return None
        if self._approvals is None:
            self._approvals = Approvals(self.session)
        return self._approvals

    def plan_areas(self, area_code: str | None) -> list[PlanArea]:
        """Return the plans' areas owned by ``area_code`` (None: those no declared area claims).

        An area imported before its plugin was installed is matched again by its title here.
        """
        return [area for plan in self.plans for area in plan.areas
                if self.registry.owner_code(area.area_code, area.title) == area_code]

    def tasks(self, area_code: str) -> list[Task]:
        """Return the plan's tasks in the area owned by ``area_code`` that apply to the year, in plan order.

        A multi-year plan gives only the tasks of the period's year (``applies_in_year``). When the unit's
        reports use only approved data, each task carries only the status updates whose party's submission
        of their window is approved (``approvals``): every reader of ``task.updates`` sees no other.
        """
        areas = self.plan_areas(area_code)
        if not areas:
            return []
        plan_of = {area.id: area.plan for area in areas}
        stmt = (select(Task).where(Task.area_id.in_(list(plan_of)))
                .options(selectinload(Task.agencies).selectinload(TaskAgency.agency),
                         selectinload(Task.updates).selectinload(StatusUpdate.agency))
                .order_by(Task.position))
        year = self.period.year
        tasks = list(self.session.scalars(stmt))
        approvals = self.approvals
        if approvals is not None:
            for task in tasks:
                _keep_approved(task, plan_of[task.area_id].unit, approvals)
        return [task for task in tasks
                if (not is_multi_year(plan_of[task.area_id]) or applies_in_year(task, year, self.cutoff))
                and (self.agency_id is None or any(link.agency_id == self.agency_id and link.role == "lead"
                                                   for link in task.agencies))]


def _keep_approved(task: Task, plan_unit: Unit, approvals: Approvals) -> None:
    """Leave on ``task`` (as loaded, not as a change to store) only the status updates ``approvals`` cover.

    An update's party is its agency at the agency's unit; one without an agency is the plan's unit's.
    """
    kept = [update for update in task.updates
            if approvals.covers(update.agency.unit if update.agency is not None else plan_unit, update.agency_id,
                                update.period_key)]
    if len(kept) != len(task.updates):
        set_committed_value(task, "updates", kept)


def listed_in_year(task: Task, plan: Plan, year: int, cutoff: CutoffRule) -> bool:
    """Return True when ``task`` of ``plan`` belongs in ``year``'s lists: every task of an annual plan, the
    tasks of a multi-year plan that ``applies_in_year``."""
    return not is_multi_year(plan) or applies_in_year(task, year, cutoff)


def governing_plans(session: Session, unit_ids: list[int], year: int) -> list[Plan]:
    """Return, for each of the units, its plan covering ``year`` (an annual plan over a multi-year one)."""
    found: dict[int, Plan] = {}
    for plan in session.scalars(select(Plan).where(Plan.unit_id.in_(unit_ids), Plan.year <= year, Plan.year_end >= year)
                                .order_by((Plan.year_end - Plan.year).asc(), Plan.year.desc(), Plan.id)):
        found.setdefault(plan.unit_id, plan)
    return list(found.values())


def task_ids_in_year(session: Session, plans: list[Plan], year: int, cutoff: CutoffRule) -> list[int]:
    """Return the ids of the plans' tasks that belong in ``year``'s lists (``listed_in_year``)."""
    if not plans:
        return []
    plan_of = {plan.id: plan for plan in plans}
    stmt = select(Task).where(Task.plan_id.in_(list(plan_of))).options(selectinload(Task.updates))
    return [task.id for task in session.scalars(stmt) if listed_in_year(task, plan_of[task.plan_id], year, cutoff)]


def predecessors(unit: Unit) -> list[Unit]:
    """Return every unit merged into ``unit``, directly or through earlier mergers."""
    found: list[Unit] = []
    stack = list(unit.predecessors)
    while stack:
        old = stack.pop()
        found.append(old)
        stack.extend(old.predecessors)
    return found


def find_plan(session: Session, unit: Unit, year: int) -> Plan | None:
    """Return the unit's own plan covering ``year``, or None.

    An annual plan governs its year over a multi-year plan that also covers it.
    A unit without a plan of its own gets none: its report lists no tasks (and says so) but still
    rolls up its children's indicators; it never borrows a parent's tasks as if they were its own.
    """
    return session.scalars(select(Plan).where(Plan.unit_id == unit.id, Plan.year <= year, Plan.year_end >= year)
                           .order_by((Plan.year_end - Plan.year).asc(), Plan.year.desc())).first()


def period_end(period_key: str, cutoff: CutoffRule) -> date:
    """Return the end of the data window of a stored period key."""
    return parse_period(period_key).window(cutoff)[1]


def period_year(period_key: str) -> int:
    """Return the year of a stored period key ("2023-Q2" -> 2023)."""
    return parse_period(period_key).year


def latest_update(task: Task, as_of: date, cutoff: CutoffRule) -> StatusUpdate | None:
    """Return the task's latest status update whose period ends on or before ``as_of``.

    A recurring or continuous task's status belongs to its year: only that year's updates count.
    """
    candidates = [u for u in task.updates if period_end(u.period_key, cutoff) <= as_of
                  and (task.deadline_kind not in PER_YEAR_KINDS or period_year(u.period_key) == as_of.year)]
    return max(candidates, key=lambda u: (period_end(u.period_key, cutoff), u.updated_at), default=None)


def is_multi_year(plan: Plan) -> bool:
    """Return True for a plan that covers more than one year ("giai đoạn 2021-2025")."""
    return plan.year_end > plan.year


def deadline_in_year(task: Task, year: int) -> date | None:
    """Return the task's deadline for ``year``: a recurring task's due day moved to that year, else its own."""
    end = task.deadline_end
    if end is None or task.deadline_kind != "recurrence" or end.year == year:
        return end
    if end.month == 2 and end.day == 29:
        return date(year, 2, calendar.monthrange(year, 2)[1])
    return end.replace(year=year)


def completed_before(task: Task, year: int, cutoff: CutoffRule) -> bool:
    """Return True when the task's last status update of the years before ``year`` says it was done."""
    earlier = [u for u in task.updates if period_year(u.period_key) < year]
    last = max(earlier, key=lambda u: (period_end(u.period_key, cutoff), u.updated_at), default=None)
    return last is not None and last.status == "done"


def applies_in_year(task: Task, year: int, cutoff: CutoffRule) -> bool:
    """Return True when a task of a multi-year plan belongs in ``year``'s reports.

    Recurring ("Hàng năm") and continuous ("Thường xuyên") tasks apply every year; a dated task
    applies from its first year on (a range that covers the year, one due in the year, and an
    earlier one carried over while not completed); a conditional ("Khi có chủ trương …") or
    unreadable one applies every year until completed.
    """
    if task.deadline_kind in PER_YEAR_KINDS:
        return True
    if completed_before(task, year, cutoff):
        return False
    first = task.deadline_start or task.deadline_end
    if task.deadline_kind == "window" and first is not None:
        return first.year <= year
    return True
