"""Who has reported in a period: each lead agency of the unit's plan and each unit below it.

A task whose lead is a group (``Task.lead_group``: "so", "huyen", "xa", "all", comma-joined) is counted as
assigned to every member of the group: "so" to every current agency of the plan's unit, "huyen" to every
district below, "xa" to every commune below, "all" to all of them. A member has reported such a task when a
status update of the period names one of its agencies (``StatusUpdate.agency_id``): the agency itself, or
for a unit an agency of the unit or of a unit below it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reportsvc.collect.context import CollectContext, governing_plans, period_end, predecessors, task_ids_in_year
from reportsvc.vn.units import KINDS, kind_label
from reportsvc.db.models import Agency, IndicatorValue, Plan, StatusUpdate, Task, TaskAgency, Unit


@dataclass
class CompletenessRow:
    """An agency (lead of the plan's tasks) or a unit below, with its tasks assigned and reported."""

    name: str
    kind: str  # "agency" | "unit"
    unit_kind: str  # the unit's kind ("huyen", "xa", …); "" for an agency
    level: int  # depth below the report's unit (0 for an agency)
    assigned: int
    reported: int
    has_values: bool = False  # a unit that entered indicator values has reported, even without tasks

    @property
    def kind_label(self) -> str:
        """Return "Cơ quan chủ trì" or "Đơn vị cấp xã" (the unit's level)."""
        if self.kind == "agency":
            return "Cơ quan chủ trì"
        return f"Đơn vị cấp {kind_label(self.unit_kind)}"

    @property
    def done(self) -> bool:
        """Return whether the agency or unit reported anything in the period."""
        return self.reported > 0 or self.has_values


def descendants(unit: Unit, level: int = 1, since: date | None = None) -> list[tuple[Unit, int]]:
    """Return every unit below ``unit`` depth-first, with its depth (1 for direct children).

    With ``since``, units that ceased before that day (merged away earlier) are left out.
    """
    result = []
    for child in unit.children:
        if since is not None and child.valid_to is not None and child.valid_to < since:
            continue
        result.append((child, level))
        result.extend(descendants(child, level + 1, since))
    return result


def _period_keys(session: Session) -> set[str]:
    keys = set(session.scalars(select(StatusUpdate.period_key).distinct()))
    return keys | set(session.scalars(select(IndicatorValue.period_key).distinct()))


def completeness(context: CollectContext) -> list[CompletenessRow]:
    """Return the lead agencies of the unit's plan, then every unit below, with what each reported."""
    session = context.session
    start, end = context.window
    in_window = {key for key in _period_keys(session) if start <= period_end(key, context.cutoff) <= end}
    rows: list[CompletenessRow] = []
    reported_task = (select(StatusUpdate.id).where(StatusUpdate.task_id == Task.id,
                                                   StatusUpdate.period_key.in_(in_window)).exists())
    plan_ids = [plan.id for plan in context.plans]
    if plan_ids:
        counts = session.execute(
            select(Agency.name, func.count(Task.id.distinct()),
                   func.count(Task.id.distinct()).filter(reported_task))
            .join(TaskAgency, TaskAgency.agency_id == Agency.id).join(Task, Task.id == TaskAgency.task_id)
            .where(Task.plan_id.in_(plan_ids), TaskAgency.role == "lead")
            .group_by(Agency.name).order_by(Agency.name)).all()
        totals = {name: [assigned, reported] for name, assigned, reported in counts}
        for name, (assigned, reported) in _group_agency_counts(session, context.plans, in_window).items():
            total = totals.setdefault(name, [0, 0])
            total[0] += assigned
            total[1] += reported
        rows += [CompletenessRow(name, "agency", "", 0, assigned, reported)
                 for name, (assigned, reported) in sorted(totals.items())]
    group_tasks = _group_tasks(session, plan_ids)
    for unit, level in descendants(context.unit, since=start):
        subtree = [u.id for u, _ in descendants(unit)] + [unit.id] + [old.id for old in predecessors(unit)]
        year_tasks = task_ids_in_year(session, governing_plans(session, subtree, context.period.year),
                                      context.period.year, context.cutoff)  # each unit's plan covering the year
        assigned, reported = session.execute(
            select(func.count(Task.id), func.count(Task.id).filter(reported_task)).where(Task.id.in_(year_tasks))
        ).one()
        extra, extra_reported = _group_unit_counts(session, unit, subtree, group_tasks, in_window)
        assigned, reported = assigned + extra, reported + extra_reported
        has_values = session.scalar(select(IndicatorValue.id).where(
            IndicatorValue.unit_id.in_(subtree), IndicatorValue.period_key.in_(in_window)).limit(1)) is not None
        rows.append(CompletenessRow(unit.name, "unit", unit.kind, level, assigned, reported, has_values))
    return rows


def group_codes(task: Task) -> set[str]:
    """Return the group codes of a task's lead ("so", "huyen", "xa", "all"); empty for a task led by agencies."""
    return {code for code in (task.lead_group or "").split(",") if code}


def _group_tasks(session: Session, plan_ids: list[int]) -> list[Task]:
    """Return the tasks of the plans whose lead is a group."""
    if not plan_ids:
        return []
    return list(session.scalars(select(Task).where(Task.plan_id.in_(plan_ids), Task.lead_group != "")
                                .order_by(Task.id)))


def _reporting_agencies(session: Session, task_ids: list[int], in_window: set[str]) -> dict[int, set[int]]:
    """Return, per task, the agencies that recorded a status update of it in the period."""
    found: dict[int, set[int]] = {}
    if not task_ids or not in_window:
        return found
    for task_id, agency_id in session.execute(
            select(StatusUpdate.task_id, StatusUpdate.agency_id).where(
                StatusUpdate.task_id.in_(task_ids), StatusUpdate.period_key.in_(in_window),
                StatusUpdate.agency_id.is_not(None))):
        found.setdefault(task_id, set()).add(agency_id)
    return found


def _group_agency_counts(session: Session, plans: list[Plan], in_window: set[str]) -> dict[str, tuple[int, int]]:
    """Return, per agency name, the group tasks ("so", "all") of the plans it is assigned and has reported.

    An agency that is also named as the task's lead is counted once (by the lead query).
    """
    counts: dict[str, list[int]] = {}
    for plan in plans:
        tasks = [task for task in _group_tasks(session, [plan.id]) if group_codes(task) & {"so", "all"}]
        if not tasks:
            continue
        members = list(session.scalars(select(Agency).where(Agency.unit_id == plan.unit_id,
                                                            Agency.successor_id.is_(None)).order_by(Agency.name)))
        reporting = _reporting_agencies(session, [task.id for task in tasks], in_window)
        for task in tasks:
            leads = set(session.scalars(select(TaskAgency.agency_id).where(TaskAgency.task_id == task.id,
                                                                           TaskAgency.role == "lead")))
            for agency in members:
                if agency.id in leads:
                    continue
                total = counts.setdefault(agency.name, [0, 0])
                total[0] += 1
                total[1] += agency.id in reporting.get(task.id, set())
    return {name: (assigned, reported) for name, (assigned, reported) in counts.items()}


def _group_unit_counts(session: Session, unit: Unit, subtree: list[int], tasks: list[Task],
                       in_window: set[str]) -> tuple[int, int]:
    """Return how many group tasks ("huyen", "xa", "all") a unit below is assigned and has reported."""
    level = KINDS[unit.kind].level if unit.kind in KINDS else 0
    wanted = {2: {"huyen", "all"}, 3: {"xa", "all"}}.get(level, set())
    mine = [task for task in tasks if group_codes(task) & wanted and task.plan.unit_id not in subtree]
    if not mine:
        return 0, 0
    reporting = _reporting_agencies(session, [task.id for task in mine], in_window)
    own = set(session.scalars(select(Agency.id).where(Agency.unit_id.in_(subtree))))
    return len(mine), sum(1 for task in mine if reporting.get(task.id, set()) & own)
