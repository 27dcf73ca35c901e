"""Who has reported in a period: each lead agency of the unit's plan and each unit below it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reportsvc.collect.context import CollectContext, period_end, predecessors
from reportsvc.vn.units import kind_label
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
        rows += [CompletenessRow(name, "agency", "", 0, assigned, reported) for name, assigned, reported in counts]
    for unit, level in descendants(context.unit, since=start):
        subtree = [u.id for u, _ in descendants(unit)] + [unit.id] + [old.id for old in predecessors(unit)]
        assigned, reported = session.execute(
            select(func.count(Task.id), func.count(Task.id).filter(reported_task))
            .join(Plan, Plan.id == Task.plan_id).where(Plan.unit_id.in_(subtree), Plan.year == context.period.year)
        ).one()
        has_values = session.scalar(select(IndicatorValue.id).where(
            IndicatorValue.unit_id.in_(subtree), IndicatorValue.period_key.in_(in_window)).limit(1)) is not None
        rows.append(CompletenessRow(unit.name, "unit", unit.kind, level, assigned, reported, has_values))
    return rows
