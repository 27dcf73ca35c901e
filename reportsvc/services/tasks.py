"""Reading tasks: the one filtered task listing behind the task pages and the JSON API.

Each row carries the task, its report class as of the end of the period's data window, the status
update recorded for that window (its record key: quý IV and năm share one, if any) and whether the
reader may record its status.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from reportsvc.collect.context import find_plan, listed_in_year
from reportsvc.collect.standard import task_item
from reportsvc.db.lookup import find_unit
from reportsvc.db.models import Agency, Plan, PlanArea, StatusUpdate, Task, TaskAgency
from reportsvc.db.unitsettings import settings_of
from reportsvc.errors import NotFound
from reportsvc.periods import Period
from reportsvc.report.model import TaskItem
from reportsvc.services.permissions import Actor
from reportsvc.services.recording import MAX_INTEGER

# The status filter value for "no update recorded for this period" (besides the report classes).
NO_UPDATE = "no_update"


@dataclass(frozen=True)
class TaskFilter:
    """Which tasks of a plan to list; empty values do not filter."""

    area_id: int | None = None
    area: str = ""  # a plan area's numeral ("II") or its area code
    lead_agency_id: int | None = None
    lead_agency_name: str = ""  # part of a lead agency's name, any case
    status: str = ""  # a report class (reportsvc.status.CLASSES) or NO_UPDATE
    text: str = ""  # part of the task's title, any case


@dataclass
class TaskRow:
    """A listed task: the task, its report class as of the period's end, this period's update, editable."""

    task: Task
    item: TaskItem
    update: StatusUpdate | None
    editable: bool


def task_query() -> Select[tuple[Task]]:
    """Return a select of tasks with everything a listing or a task page reads loaded eagerly."""
    return select(Task).options(selectinload(Task.agencies).selectinload(TaskAgency.agency),
                                selectinload(Task.updates), selectinload(Task.area),
                                selectinload(Task.plan).selectinload(Plan.unit))


def load_task(session: Session, task_id: int) -> Task:
    """Return the task ``task_id``; raise NotFound when there is none."""
    task = session.scalar(task_query().where(Task.id == task_id))
    if task is None:
        raise NotFound(f"Không tìm thấy nhiệm vụ số {task_id}.")
    return task


def current_plans(session: Session) -> list[Plan]:
    """Return the plans in force, newest year first."""
    return list(session.scalars(select(Plan).options(selectinload(Plan.unit))
                                .order_by(Plan.year.desc(), Plan.unit_id)))


def get_plan(session: Session, plan_id: int | None = None, unit_code: str | None = None,
              year: int | None = None) -> Plan:
    """Return the plan ``plan_id``, or the plan of unit ``unit_code`` for ``year``; raise NotFound otherwise."""
    if plan_id is not None:
        plan = session.get(Plan, plan_id) if 0 < plan_id <= MAX_INTEGER else None
    else:
        unit = find_unit(session, unit_code or "")
        plan = find_plan(session, unit, year) if year is not None else None
    if plan is None or plan.year <= 0:
        raise NotFound("Không tìm thấy kế hoạch.")
    return plan


def may_edit(actor: Actor, task: Task) -> bool:
    """Return True when ``actor`` may record the task's status (same rule as permissions.can_edit_task,
    answered from the task's loaded agencies)."""
    if actor.is_admin:
        return True
    return actor.role == "editor" and actor.agency_id is not None and any(
        ta.agency_id == actor.agency_id and ta.role == "lead" for ta in task.agencies)


def stored_update(task: Task, period: Period) -> StatusUpdate | None:
    """Return the task's stored status update serving ``period`` (either key of its data window), or None."""
    return next((u for u in task.updates if u.period_key == period.record_key), None)


def task_row(actor: Actor, task: Task, period: Period) -> TaskRow:
    """Return the row of one task for ``period`` as ``actor`` sees it.

    The update is the record of the period's data window (``Period.record_key``): quý IV and năm read one.
    """
    cutoff = settings_of(task.plan.unit).cutoff
    item = task_item(task, period.window(cutoff)[1], cutoff)
    update = stored_update(task, period)
    return TaskRow(task, item, update, may_edit(actor, task))


def _matches(row: TaskRow, filters: TaskFilter) -> bool:
    task = row.task
    if filters.area and filters.area not in (task.area.numeral, task.area.area_code):
        return False
    if filters.lead_agency_name:
        needle = filters.lead_agency_name.casefold()
        if not any(ta.role == "lead" and needle in ta.agency.name.casefold() for ta in task.agencies):
            return False
    if filters.text and filters.text.casefold() not in task.title.casefold():
        return False
    if filters.status == NO_UPDATE:
        return row.update is None
    return not filters.status or row.item.status == filters.status


def list_tasks(session: Session, actor: Actor, plan: Plan, period: Period,
               filters: TaskFilter = TaskFilter()) -> list[TaskRow]:
    """Return the rows of a plan's tasks for ``period``, in plan order, that pass ``filters``.

    A multi-year plan lists only the tasks that apply to the period's year (``listed_in_year``).
    """
    stmt = task_query().where(Task.plan_id == plan.id).order_by(Task.position)
    if filters.area_id is not None:
        stmt = stmt.where(Task.area_id == filters.area_id)
    if filters.lead_agency_id is not None:
        stmt = stmt.where(Task.id.in_(select(TaskAgency.task_id).where(TaskAgency.agency_id == filters.lead_agency_id,
                                                                      TaskAgency.role == "lead")))
    cutoff = settings_of(plan.unit).cutoff
    rows = (task_row(actor, task, period) for task in session.scalars(stmt)
            if listed_in_year(task, plan, period.year, cutoff))
    return [row for row in rows if _matches(row, filters)]


def plan_areas(session: Session, plan: Plan) -> list[PlanArea]:
    """Return a plan's areas in plan order (the area filter's choices)."""
    return list(session.scalars(select(PlanArea).where(PlanArea.plan_id == plan.id).order_by(PlanArea.position)))


def lead_agencies(session: Session, plan: Plan) -> list[Agency]:
    """Return the agencies leading at least one task of the plan, by name (the agency filter's choices)."""
    return list(session.scalars(select(Agency).join(TaskAgency).join(Task)
                                .where(Task.plan_id == plan.id, TaskAgency.role == "lead")
                                .distinct().order_by(Agency.name)))
