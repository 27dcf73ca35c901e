"""The figures of the dashboard: task progress by area and by agency, overdue tasks, completeness and timeliness."""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from reportsvc.collect.completeness import CompletenessRow, completeness
from reportsvc.collect.context import CollectContext, listed_in_year
from reportsvc.collect.standard import task_item
from reportsvc.db.models import Plan, PlanArea, Task, TaskAgency, Unit
from reportsvc.periods import Period, period_containing
from reportsvc.hooks.registry import PluginRegistry
from reportsvc.report.model import TaskItem
from reportsvc.status import CLASSES, DONE
from reportsvc.db.unitsettings import settings_of


@dataclass
class ProgressRow:
    """Counts of tasks per report class for one area or one agency."""

    label: str
    counts: dict[str, int] = field(default_factory=lambda: {key: 0 for key in CLASSES})

    @property
    def total(self) -> int:
        """Return the number of tasks."""
        return sum(self.counts.values())

    @property
    def done(self) -> int:
        """Return the number of completed tasks (on time or late)."""
        return sum(self.counts[key] for key in DONE)

    @property
    def done_percent(self) -> float:
        """Return the share of completed tasks in percent (0 without tasks)."""
        return self.done / self.total * 100 if self.total else 0.0

    def share(self, key: str) -> float:
        """Return the share of tasks in class ``key``, in percent."""
        return self.counts[key] / self.total * 100 if self.total else 0.0


@dataclass
class OverdueTask:
    """An overdue task with what the dashboard links to."""

    task_id: int
    area: str
    item: TaskItem


@dataclass
class Overview:
    """Everything the dashboard shows for a unit and a period."""

    unit: Unit
    period: Period
    window: tuple[date, date]
    plan: Plan | None
    totals: ProgressRow
    areas: list[ProgressRow]
    agencies: list[ProgressRow]
    overdue: list[OverdueTask]
    completeness: list[CompletenessRow]

    @property
    def missing_reports(self) -> list[CompletenessRow]:
        """Return the agencies and units that have not reported in the period."""
        return [row for row in self.completeness if not row.done]

    @property
    def expected(self) -> int:
        """Return how many parties (agencies and units of the completeness table) must hand in the window's data."""
        return len(self.completeness)

    @property
    def submitted(self) -> int:
        """Return how many of them have handed it in (submitted or approved)."""
        return sum(1 for row in self.completeness if row.submitted)

    @property
    def on_time(self) -> int:
        """Return how many of them handed it in and first submitted it by their deadline."""
        return sum(1 for row in self.completeness if row.on_time)

    @property
    def reporting_rate(self) -> float | None:
        """Return the reporting rate in percent (submitted / expected), None when no one is expected."""
        return self.submitted / self.expected * 100 if self.expected else None

    @property
    def on_time_rate(self) -> float | None:
        """Return the on-time rate in percent (on time / expected), None when no one is expected."""
        return self.on_time / self.expected * 100 if self.expected else None

    @property
    def approved_only(self) -> bool:
        """Return True when the unit's reports use only approved data (the table then shows what is not approved)."""
        return settings_of(self.unit).approved_only


def overview(session: Session, registry: PluginRegistry, unit: Unit, period: Period) -> Overview:
    """Compute the dashboard of ``unit`` for ``period`` from its plan (or its nearest ancestor's)."""
    context = CollectContext(session=session, unit=unit, period=period, registry=registry,
                             cutoff=settings_of(unit).cutoff)
    end = context.window[1]
    plan = context.plan
    totals = ProgressRow("Tổng cộng")
    areas: list[ProgressRow] = []
    agencies: OrderedDict[str, ProgressRow] = OrderedDict()
    overdue: list[OverdueTask] = []
    if plan is not None:
        tasks = session.scalars(select(Task).where(Task.plan_id == plan.id)
                                .options(selectinload(Task.agencies).selectinload(TaskAgency.agency),
                                         selectinload(Task.updates), selectinload(Task.area))
                                .order_by(Task.position))
        by_area: dict[int, ProgressRow] = {}
        for area in session.scalars(select(PlanArea).where(PlanArea.plan_id == plan.id).order_by(PlanArea.position)):
            by_area[area.id] = ProgressRow(f"{area.numeral}. {area.title}" if area.numeral else area.title)
            areas.append(by_area[area.id])
        for task in tasks:
            if not listed_in_year(task, plan, period.year, context.cutoff):  # a multi-year plan: the year's tasks
                continue
            item = task_item(task, end, context.cutoff)
            totals.counts[item.status] += 1
            by_area[task.area_id].counts[item.status] += 1
            leads = [ta.agency.name for ta in task.agencies if ta.role == "lead"] or [task.lead_text or "(không ghi)"]
            for name in leads:
                agencies.setdefault(name, ProgressRow(name)).counts[item.status] += 1
            if item.status == "overdue":
                overdue.append(OverdueTask(task.id, task.area.numeral, item))
    return Overview(unit=unit, period=period, window=context.window, plan=plan, totals=totals,
                    areas=[row for row in areas if row.total], agencies=sorted(agencies.values(), key=lambda r: r.label),
                    overdue=overdue, completeness=completeness(context))


def default_period(session: Session, unit: Unit, today: date | None = None) -> Period:
    """Return the period to show first: the current quarter if a plan of the unit covers this year, else the
    last quarter of its latest plan's last year."""
    today = today or date.today()
    current = period_containing(today, settings_of(unit).cutoff)
    ids = []
    node: Unit | None = unit
    while node is not None:
        ids.append(node.id)
        node = node.parent
    ranges = [(first, last) for first, last in session.execute(select(Plan.year, Plan.year_end).where(Plan.unit_id.in_(ids)))]
    if not ranges or any(first <= current.year <= last for first, last in ranges):
        return current
    past = [last for first, last in ranges if last <= current.year]
    return Period(max(past) if past else min(first for first, _ in ranges), "Q", 4)
