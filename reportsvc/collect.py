"""What area plugins read from the shared database: the public toolkit behind the collect hook.

A plugin's ``reportsvc_collect_section`` receives a CollectContext and usually calls
``standard_section`` and adds its own paragraphs. Nothing here renders.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from reportsvc import formatting as fmt
from reportsvc.models import Indicator, IndicatorValue, Plan, PlanArea, StatusUpdate, Task, TaskAgency, Unit
from reportsvc.periods import CutoffRule, Period, parse_period, periods_of_year
from reportsvc.reportmodel import AreaSection, DocumentRef, IndicatorRow, TaskItem
from reportsvc.specs import AreaSpec, IndicatorSpec
from reportsvc.status import CLASSES, DONE, classify
from reportsvc.text import one_line

if TYPE_CHECKING:  # pragma: no cover
    from reportsvc.plugins import PluginRegistry


@dataclass
class CollectContext:
    """The unit, period and database session a report is collected for."""

    session: Session
    unit: Unit
    period: Period
    registry: "PluginRegistry"
    cutoff: CutoffRule = field(default_factory=CutoffRule)
    _plan: Plan | None = field(default=None, init=False, repr=False)
    _plan_loaded: bool = field(default=False, init=False, repr=False)

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

    def plan_areas(self, area_code: str | None) -> list[PlanArea]:
        """Return the plan's areas owned by ``area_code`` (None: those no declared area claims).

        An area imported before its plugin was installed is matched again by its title here.
        """
        if self.plan is None:
            return []
        return [area for area in self.plan.areas
                if self.registry.owner_code(area.area_code, area.title) == area_code]

    def tasks(self, area_code: str) -> list[Task]:
        """Return the plan's tasks in the area owned by ``area_code``, in plan order."""
        area_ids = [area.id for area in self.plan_areas(area_code)]
        if not area_ids:
            return []
        stmt = (select(Task).where(Task.area_id.in_(area_ids))
                .options(selectinload(Task.agencies).selectinload(TaskAgency.agency), selectinload(Task.updates))
                .order_by(Task.position))
        return list(self.session.scalars(stmt))


def find_plan(session: Session, unit: Unit, year: int) -> Plan | None:
    """Return the unit's own plan covering ``year``, or None.

    A unit without a plan of its own gets none: its report lists no tasks (and says so) but still
    rolls up its children's indicators; it never borrows a parent's tasks as if they were its own.
    """
    return session.scalar(select(Plan).where(Plan.unit_id == unit.id, Plan.year <= year, Plan.year_end >= year)
                          .order_by(Plan.year.desc()))


def period_end(period_key: str, cutoff: CutoffRule) -> date:
    """Return the end of the data window of a stored period key."""
    return parse_period(period_key).window(cutoff)[1]


def latest_update(task: Task, as_of: date, cutoff: CutoffRule) -> StatusUpdate | None:
    """Return the task's latest status update whose period ends on or before ``as_of``."""
    candidates = [u for u in task.updates if period_end(u.period_key, cutoff) <= as_of]
    return max(candidates, key=lambda u: (period_end(u.period_key, cutoff), u.updated_at), default=None)


def lead_names(task: Task) -> str:
    """Return the task's lead agencies joined with "; " (the raw cell if none were resolved)."""
    names = [ta.agency.name for ta in task.agencies if ta.role == "lead"]
    return "; ".join(names) or task.lead_text


def task_item(task: Task, as_of: date, cutoff: CutoffRule) -> TaskItem:
    """Return the report view of a task as of the end of a data window."""
    update = latest_update(task, as_of, cutoff)
    status = classify(update.status if update else None, update.completed_on if update else None,
                      task.deadline_end, as_of)
    documents = []
    if update and update.evidence_number:
        documents.append(DocumentRef(update.evidence_number, update.evidence_date, update.evidence_title))
    return TaskItem(number=task.number, title=task.title, lead=lead_names(task), deadline=task.deadline_raw,
                    status=status, status_label=CLASSES[status], activity=task.activity, product=task.product,
                    deadline_end=task.deadline_end, result=update.result if update else "", documents=documents)


def documents_in_window(tasks: list[Task], start: date, end: date) -> list[DocumentRef]:
    """Return the văn bản recorded as evidence with a date inside [start, end], oldest first."""
    seen: dict[str, DocumentRef] = {}
    for task in tasks:
        for update in task.updates:
            if update.evidence_number and update.evidence_date and start <= update.evidence_date <= end:
                seen.setdefault(update.evidence_number,
                                DocumentRef(update.evidence_number, update.evidence_date, update.evidence_title))
    return sorted(seen.values(), key=lambda d: (d.date, d.number))


def due_in(tasks: list[Task], start: date, end: date) -> list[Task]:
    """Return tasks whose deadline window ends inside [start, end] or that are continuous/recurring."""
    return [t for t in tasks if (t.deadline_end and start <= t.deadline_end <= end)
            or t.deadline_kind in ("continuous", "recurrence")]


def own_value(session: Session, code: str, unit: Unit, period: Period, cutoff: CutoffRule) -> float | None:
    """Return the unit's own year-to-date value as of the period's end.

    Values are recorded per period; the latest one of the same year whose window ends on or
    before the period's end counts (an exact key wins over another key with the same end).
    """
    end = period.window(cutoff)[1]
    keys = {p.key: p.window(cutoff)[1] for p in periods_of_year(period.year) if p.window(cutoff)[1] <= end}
    rows = session.execute(select(IndicatorValue.period_key, IndicatorValue.value).where(
        IndicatorValue.code == code, IndicatorValue.unit_id == unit.id,
        IndicatorValue.period_key.in_(keys))).all()
    if not rows:
        return None
    return max(rows, key=lambda r: (keys[r.period_key], r.period_key == period.key)).value


def indicator_value(context: "CollectContext", spec: IndicatorSpec, unit: Unit,
                    period: Period) -> tuple[float | None, int]:
    """Return the unit's value for the period and how many child units it was rolled up from.

    The unit's own value wins; otherwise children's values are combined by ``spec.rollup``.
    """
    own = own_value(context.session, spec.code, unit, period, context.cutoff)
    if own is not None or spec.rollup == "none":
        return own, 0
    if spec.rollup == "ratio":  # computed from its two counts, which roll up themselves
        indicators = context.registry.indicators
        num, contributors = indicator_value(context, indicators[spec.numerator], unit, period)
        den, _ = indicator_value(context, indicators[spec.denominator], unit, period)
        if num is None or not den:
            return None, 0
        return round(num / den * 100, 2), contributors
    if not unit.children:
        return None, 0
    values = [v for v, _ in (indicator_value(context, spec, child, period) for child in unit.children)
              if v is not None]
    if not values:
        return None, 0
    total = sum(values)
    return (total if spec.rollup == "sum" else round(total / len(values), 2)), len(values)


def achieved(actual: float | None, target: float | None, higher_is_better: bool = True) -> float | None:
    """Return % achieved of a target (actual/target × 100, inverted when lower is better)."""
    if actual is None or not target:
        return None
    if higher_is_better:
        return round(actual / target * 100, 1)
    return round(target / actual * 100, 1) if actual else None


def indicator_rows(context: CollectContext, area_code: str) -> list[IndicatorRow]:
    """Return the rows of the area's indicators: target, actual, % achieved, same period last year."""
    targets: dict[str, Indicator] = {}
    if context.plan is not None:
        targets = {i.code: i for i in context.plan.targets}
    rows = []
    for spec in context.registry.indicators_of(area_code):
        stored = targets.get(spec.code)
        target = stored.target if stored and stored.target is not None else spec.default_target
        actual, children = indicator_value(context, spec, context.unit, context.period)
        last, _ = indicator_value(context, spec, context.unit, context.period.previous_year())
        rows.append(IndicatorRow(code=spec.code, name=spec.name, unit=spec.unit, target=target, actual=actual,
                                 achieved_percent=achieved(actual, target, spec.higher_is_better), last_year=last,
                                 target_text=stored.target_text if stored else "",
                                 higher_is_better=spec.higher_is_better, rolled_up_from=children))
    return rows


def standard_section(area: AreaSpec, context: CollectContext) -> AreaSection:
    """Collect an area the standard way: tasks by status, overdue, documents, indicators, narrative."""
    start, end = context.window
    tasks = context.tasks(area.code)
    items = [task_item(t, end, context.cutoff) for t in tasks]
    next_start, next_end = context.period.next().window(context.cutoff)
    upcoming_ids = {t.id for t in due_in(tasks, next_start, next_end)}
    upcoming = [item for t, item in zip(tasks, items) if t.id in upcoming_ids and item.status not in DONE]
    section = AreaSection(code=area.code, title=area.title, order=area.order, part=area.part,
                          tasks=items, overdue=[i for i in items if i.status == "overdue"], upcoming=upcoming,
                          documents=documents_in_window(tasks, start, end),
                          indicators=indicator_rows(context, area.code))
    section.paragraphs = standard_paragraphs(section)
    return section


def standard_paragraphs(section: AreaSection) -> list[str]:
    """Draft the Vietnamese narrative of a section from its counts, documents and indicators."""
    total = len(section.tasks)
    if total == 0:
        return ["Trong kỳ, kế hoạch không giao nhiệm vụ cụ thể thuộc lĩnh vực này."]
    done = section.done()
    paragraphs = [
        f"Kế hoạch giao {total} nhiệm vụ; đến cuối kỳ đã hoàn thành {done} nhiệm vụ "
        f"({fmt.percent(done / total * 100)}), trong đó {section.count('on_time')} nhiệm vụ hoàn thành đúng hạn, "
        f"{section.count('late')} nhiệm vụ hoàn thành quá hạn; {section.count('in_progress')} nhiệm vụ đang "
        f"thực hiện; {section.count('not_started')} nhiệm vụ chưa thực hiện; {len(section.overdue)} nhiệm vụ "
        f"quá hạn chưa hoàn thành."
    ]
    if section.documents:
        docs = "; ".join(fmt.document_reference(d.number, d.date, d.title) for d in section.documents)
        paragraphs.append(f"Các văn bản đã ban hành trong kỳ: {docs}.")
    measured = [row for row in section.indicators if row.actual is not None]
    if measured:
        parts = []
        for row in measured:
            text = f"{row.name}: {fmt.measure(row.actual, row.unit)}"
            if row.target is not None:
                text += f" (chỉ tiêu {fmt.measure(row.target, row.unit)}"
                text += f", đạt {fmt.percent(row.achieved_percent)} kế hoạch)" if row.achieved_percent is not None else ")"
            parts.append(text)
        paragraphs.append("Kết quả các chỉ tiêu: " + "; ".join(parts) + ".")
    if section.overdue:
        names = "; ".join(f"{one_line(t.title)} ({one_line(t.lead)})" for t in section.overdue[:5])
        paragraphs.append(f"Nhiệm vụ quá hạn chưa hoàn thành: {names}.")
    return paragraphs
