"""Who has reported in a period: each lead agency of the unit's plan and each unit below it.

Only the tasks that belong in the period's year are counted, for agencies and units alike: every task
of an annual plan, the tasks of a multi-year plan that apply to the year (``task_ids_in_year``).

A task whose lead is a group (``Task.lead_group``: "so", "huyen", "xa", "all", comma-joined) is counted as
assigned to every member of the group: "so" to every current agency of the plan's unit, "huyen" to every
district below, "xa" to every commune below, "all" to all of them. A member has reported such a task when a
status update of the period names one of its agencies (``StatusUpdate.agency_id``): the agency itself, or
for a unit an agency of the unit or of a unit below it.

Each row is also a party that hands the window's data to a compiling office (reportsvc.collect.timeliness):
an agency row the department of the plan's unit, a unit row the whole unit. Its submission state, first
submission date, deadline and timeliness are read for all rows at once. When the report's unit uses only
approved data, each row also counts its records of the window that are not approved (left out of the report).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from reportsvc.collect.context import CollectContext, applies_in_year, governing_plans, is_multi_year, task_ids_in_year
from reportsvc.collect.timeliness import Approvals, PartyStatus, party_of, party_statuses
from reportsvc.periods import CutoffRule, periods_of_year
from reportsvc.report.model import SubmissionState, Timeliness, Unapproved
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
    party_unit: Unit | None = None  # the party handing in the window's data: the agency's unit, or the unit
    agency_id: int | None = None  # the agency of an agency row (None for a unit row: the whole unit)
    state: str = "draft"  # its submission of the window: a key of reportsvc.report.model.SUBMISSION_STATES
    submitted_on: date | None = None  # the Vietnam date of its first submission
    deadline: date | None = None  # when it had to submit (the compiling unit's data_due_day); None: not set
    timeliness: Timeliness = Timeliness("missing")
    unapproved: Unapproved | None = None  # its records of the window not approved; None: the report uses all data

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

    @property
    def submission(self) -> SubmissionState:
        """Return the state of its submission of the window as a typed cell."""
        return SubmissionState(self.state)

    @property
    def submitted(self) -> bool:
        """Return True when its data are handed in: submitted or approved (a returned submission is not)."""
        return self.state in ("submitted", "approved")

    @property
    def on_time(self) -> bool:
        """Return True when its data are handed in and were first submitted by the deadline."""
        return self.submitted and self.timeliness.key == "on_time"

    def set_status(self, status: PartyStatus) -> None:
        """Take the party's submission state, dates and timeliness."""
        self.state, self.submitted_on = status.state, status.submitted_on
        self.deadline, self.timeliness = status.deadline, status.timeliness


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


def keys_in_window(start: date, end: date, cutoff: CutoffRule) -> set[str]:
    """Return every period key whose data window ends within [start, end] (the keys a window's records use)."""
    return {p.key for year in range(start.year, end.year + 1) for p in periods_of_year(year)
            if start <= p.window(cutoff)[1] <= end}


def completeness(context: CollectContext, today: date | None = None) -> list[CompletenessRow]:
    """Return the lead agencies of the unit's plan, then every unit below, with what each reported and handed in.

    Timeliness is judged on ``today`` (default: today in Vietnam): nothing submitted before a deadline
    that has not passed is "Chưa đến hạn". The rows are computed once per context and ``today`` (the report
    and its completeness annex share them) with a fixed number of queries, whatever the number of units.
    """
    cached = context._completeness.get(today)
    if cached is not None:
        return list(cached)
    rows = _task_completeness(context)
    parties = [(row.party_unit, row.agency_id) for row in rows if row.party_unit is not None]
    statuses = party_statuses(context.session, parties, context.period, today)
    for row in rows:
        if row.party_unit is not None:
            row.set_status(statuses[(row.party_unit.id, party_of(row.agency_id))])
    approvals = context.approvals
    if approvals is not None:
        rows += _unapproved(context, rows, approvals, today)
    context._completeness[today] = rows
    return list(rows)


def _reported_task(in_window: set[str]) -> ColumnElement[bool]:
    """Return the condition "the task has a status update of the window" (correlated to ``Task``)."""
    return (select(StatusUpdate.id)
            .where(StatusUpdate.task_id == Task.id, StatusUpdate.period_key.in_(in_window)).exists())


def _task_completeness(context: CollectContext) -> list[CompletenessRow]:
    """Return the agency and unit rows with their tasks assigned and reported, and the party each stands for."""
    session = context.session
    start, end = context.window
    in_window = keys_in_window(start, end, context.cutoff)
    rows: list[CompletenessRow] = []
    reported_task = _reported_task(in_window)
    plan_ids = [plan.id for plan in context.plans]
    # a multi-year plan assigns in a year only the tasks that apply to it (every task of an annual plan)
    year_ids = set(task_ids_in_year(session, context.plans, context.period.year, context.cutoff))
    group_tasks = [task for task in _group_tasks(session, plan_ids) if task.id in year_ids]
    reporting = _reporting_agencies(session, [task.id for task in group_tasks], in_window)
    if plan_ids:
        counts = session.execute(
            select(Agency.name, func.count(Task.id.distinct()),
                   func.count(Task.id.distinct()).filter(reported_task))
            .join(TaskAgency, TaskAgency.agency_id == Agency.id).join(Task, Task.id == TaskAgency.task_id)
            .where(Task.plan_id.in_(plan_ids), Task.id.in_(year_ids), TaskAgency.role == "lead")
            .group_by(Agency.name).order_by(Agency.name)).all()
        totals = {name: [assigned, reported] for name, assigned, reported in counts}
        for name, (assigned, reported) in _group_agency_counts(session, context.plans, group_tasks, reporting).items():
            total = totals.setdefault(name, [0, 0])
            total[0] += assigned
            total[1] += reported
        agencies = _agencies_named(context, list(totals), plan_ids)
        rows += [CompletenessRow(name, "agency", "", 0, assigned, reported,
                                 party_unit=agencies[name].unit if name in agencies else None,
                                 agency_id=agencies[name].id if name in agencies else None)
                 for name, (assigned, reported) in sorted(totals.items())]
    tree = context.tree
    below = tree.descendants(context.unit, since=start)
    if not below:
        return rows
    plan_counts = _plan_counts(context, reported_task)
    valued = set(session.scalars(select(IndicatorValue.unit_id).distinct().where(
        IndicatorValue.unit_id.in_(tree.ids()), IndicatorValue.period_key.in_(in_window))))
    unit_tasks = [task for task in group_tasks if group_codes(task) & {"huyen", "xa", "all"}]
    agencies_of: dict[int, set[int]] = {}
    if unit_tasks:
        agencies = select(Agency.id, Agency.unit_id).where(Agency.unit_id.in_(tree.ids()))
        for agency_id, unit_id in session.execute(agencies):
            agencies_of.setdefault(unit_id, set()).add(agency_id)
    for unit, level in below:
        # the unit, every unit below it, and the units merged into it
        subtree = ({u.id for u, _ in tree.descendants(unit)} | {unit.id}
                   | {old.id for old in tree.all_predecessors(unit)})
        assigned = sum(plan_counts[unit_id][0] for unit_id in subtree if unit_id in plan_counts)
        reported = sum(plan_counts[unit_id][1] for unit_id in subtree if unit_id in plan_counts)
        own = set().union(*(agencies_of.get(unit_id, set()) for unit_id in subtree)) if unit_tasks else set()
        extra, extra_reported = _group_unit_counts(unit, subtree, unit_tasks, reporting, own)
        rows.append(CompletenessRow(unit.name, "unit", unit.kind, level, assigned + extra, reported + extra_reported,
                                    bool(valued & subtree), party_unit=unit))
    return rows


@dataclass
class _TaskFacts:
    """What ``applies_in_year`` reads of a task, read as plain rows."""

    deadline_kind: str
    deadline_start: date | None
    deadline_end: date | None
    updates: list[Any]


def _plan_counts(context: CollectContext, reported_task: ColumnElement[bool]) -> dict[int, tuple[int, int]]:
    """Return, per unit of the context's tree with a plan covering the year, how many tasks of that plan belong in
    the year (``task_ids_in_year``) and how many of them have a status update of the window.

    The plans of every unit are read with one query and their tasks counted with one grouped query (the tasks
    of multi-year plans, which apply year by year, with two more), whatever the number of units.
    """
    session, year, cutoff = context.session, context.period.year, context.cutoff
    ids = context.tree.ids()
    governing = {plan.unit_id: plan for plan in governing_plans(session, ids, year)}
    by_plan: dict[int, tuple[int, int]] = {}
    # an annual plan covering the year always governs it: count its tasks per plan in the database
    for plan_id, assigned, reported in session.execute(
            select(Task.plan_id, func.count(Task.id), func.count(Task.id).filter(reported_task))
            .join(Plan, Plan.id == Task.plan_id)
            .where(Plan.unit_id.in_(ids), Plan.year == year, Plan.year_end == year).group_by(Task.plan_id)):
        by_plan[plan_id] = (assigned, reported)
    multi = [plan.id for plan in governing.values() if is_multi_year(plan)]
    if multi:
        facts: dict[int, tuple[int, _TaskFacts, bool]] = {}
        for row in session.execute(select(Task.id, Task.plan_id, Task.deadline_kind, Task.deadline_start,
                                          Task.deadline_end, reported_task.label("reported"))
                                   .where(Task.plan_id.in_(multi))):
            facts[row.id] = (row.plan_id, _TaskFacts(row.deadline_kind, row.deadline_start, row.deadline_end, []),
                             bool(row.reported))
        for update in session.execute(select(StatusUpdate.task_id, StatusUpdate.period_key, StatusUpdate.status,
                                             StatusUpdate.updated_at).join(Task, Task.id == StatusUpdate.task_id)
                                      .where(Task.plan_id.in_(multi))):
            facts[update.task_id][1].updates.append(update)
        counted: dict[int, list[int]] = {plan_id: [0, 0] for plan_id in multi}
        for plan_id, task, reported in facts.values():
            if applies_in_year(task, year, cutoff):  # type: ignore[arg-type]  # reads only what _TaskFacts holds
                counted[plan_id][0] += 1
                counted[plan_id][1] += reported
        by_plan.update({plan_id: (assigned, reported) for plan_id, (assigned, reported) in counted.items()})
    return {unit_id: by_plan.get(plan.id, (0, 0)) for unit_id, plan in governing.items()}


def _agencies_named(context: CollectContext, names: list[str], plan_ids: list[int]) -> dict[str, Agency]:
    """Return, per name of an agency row, the agency that is the party: of the plans' units or a lead of their tasks.

    Where several share the name (a merged unit's departments), the report's unit's own current one wins.
    """
    if not names:
        return {}
    plan_units = [plan.unit_id for plan in context.plans] + [context.unit.id]
    leads = select(TaskAgency.agency_id).join(Task, Task.id == TaskAgency.task_id).where(
        Task.plan_id.in_(plan_ids), TaskAgency.role == "lead")
    found: dict[str, Agency] = {}
    for agency in sorted(context.session.scalars(select(Agency).where(
            Agency.name.in_(names), or_(Agency.unit_id.in_(plan_units), Agency.id.in_(leads)))),
            key=lambda a: (a.unit_id != context.unit.id, a.successor_id is not None, a.id)):
        found.setdefault(agency.name, agency)
    return found


def _unapproved(context: CollectContext, rows: list[CompletenessRow], approvals: Approvals,
                today: date | None = None) -> list[CompletenessRow]:
    """Count on each row its status updates and indicator values of the window that ``approvals`` do not cover.

    An update's party is its agency (at the agency's unit; without one, the plan's unit), a value's its
    agency at the value's unit. Records of the report's unit and the units below count: a unit below's on
    its unit's row, the report's unit's on the row of its agency (by name); a party with such records but
    no row gets a row of its own, returned.
    """
    session = context.session
    key = context.period.record_key
    tree = context.tree
    units = {context.unit.id: context.unit}
    units.update({old.id: old for old in tree.all_predecessors(context.unit)})
    units.update({unit.id: unit for unit, _ in tree.descendants(context.unit)})
    ids = tree.ids()  # a superset of ``units`` (the tree also holds the units merged into those below)
    by_name = {row.name: row for row in rows if row.kind == "agency"}
    by_unit = {row.party_unit.id: row for row in rows if row.kind == "unit" and row.party_unit is not None}
    counts: dict[tuple[int, int | None], list[int]] = {}
    party_unit = func.coalesce(Agency.unit_id, Plan.unit_id)
    updates = session.execute(
        select(party_unit, StatusUpdate.agency_id, func.count(StatusUpdate.id))
        .join(Task, Task.id == StatusUpdate.task_id).join(Plan, Plan.id == Task.plan_id)
        .outerjoin(Agency, Agency.id == StatusUpdate.agency_id)
        .where(StatusUpdate.period_key == key, party_unit.in_(ids))
        .group_by(party_unit, StatusUpdate.agency_id))
    for unit_id, agency_id, count in updates:
        if unit_id in units:
            counts.setdefault((unit_id, agency_id), [0, 0])[0] += count
    values = session.execute(
        select(IndicatorValue.unit_id, IndicatorValue.agency_id, func.count(IndicatorValue.id))
        .where(IndicatorValue.period_key == key, IndicatorValue.unit_id.in_(ids))
        .group_by(IndicatorValue.unit_id, IndicatorValue.agency_id))
    for unit_id, agency_id, count in values:
        if unit_id in units:
            counts.setdefault((unit_id, agency_id), [0, 0])[1] += count
    left_out = {party: count for party, count in counts.items()
                if not approvals.covers(units[party[0]], party[1], key)}
    named = {agency.id: agency for agency in session.scalars(select(Agency).where(
        Agency.id.in_([agency_id for _, agency_id in left_out if agency_id is not None])))}
    for row in rows:
        row.unapproved = Unapproved()
    extra: dict[tuple[int, int | None], CompletenessRow] = {}
    for (unit_id, agency_id), (tasks, values_count) in sorted(left_out.items(), key=lambda i: (i[0][0], i[0][1] or 0)):
        unit, agency = units[unit_id], named.get(agency_id) if agency_id is not None else None
        row = by_unit.get(unit_id) or (by_name.get(agency.name) if agency is not None else None) \
            or extra.get((unit_id, agency_id))
        if row is None:
            row = (CompletenessRow(agency.name, "agency", "", 0, 0, 0, party_unit=unit, agency_id=agency_id)
                   if agency is not None else CompletenessRow(unit.name, "unit", unit.kind, 1, 0, 0, party_unit=unit))
            row.unapproved = Unapproved()
            extra[(unit_id, agency_id)] = row
        before = row.unapproved or Unapproved()
        row.unapproved = Unapproved(before.tasks + tasks, before.values + values_count)
    added = list(extra.values())
    if added:
        statuses = party_statuses(session, [(row.party_unit, row.agency_id) for row in added], context.period, today)
        for row in added:
            row.set_status(statuses[(row.party_unit.id, party_of(row.agency_id))])
    return added


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


def _group_agency_counts(session: Session, plans: list[Plan], tasks: list[Task],
                         reporting: dict[int, set[int]]) -> dict[str, tuple[int, int]]:
    """Return, per agency name, the group tasks ("so", "all") among ``tasks`` (the plans' group tasks of the year)
    it is assigned and has reported (``reporting``: the agencies that reported each task in the window).

    An agency that is also named as the task's lead is counted once (by the lead query). The members and
    leads of every plan are read at once.
    """
    mine = [task for task in tasks if group_codes(task) & {"so", "all"}]
    if not mine:
        return {}
    unit_of = {plan.id: plan.unit_id for plan in plans}
    members: dict[int, list[Agency]] = {}
    for agency in session.scalars(select(Agency).where(Agency.unit_id.in_(sorted(set(unit_of.values()))),
                                                       Agency.successor_id.is_(None)).order_by(Agency.name)):
        members.setdefault(agency.unit_id, []).append(agency)
    leads: dict[int, set[int]] = {}
    for task_id, agency_id in session.execute(select(TaskAgency.task_id, TaskAgency.agency_id).where(
            TaskAgency.task_id.in_([task.id for task in mine]), TaskAgency.role == "lead")):
        leads.setdefault(task_id, set()).add(agency_id)
    counts: dict[str, list[int]] = {}
    for task in mine:
        for agency in members.get(unit_of[task.plan_id], []):
            if agency.id in leads.get(task.id, set()):
                continue
            total = counts.setdefault(agency.name, [0, 0])
            total[0] += 1
            total[1] += agency.id in reporting.get(task.id, set())
    return {name: (assigned, reported) for name, (assigned, reported) in counts.items()}


def _group_unit_counts(unit: Unit, subtree: set[int], tasks: list[Task], reporting: dict[int, set[int]],
                       own: set[int]) -> tuple[int, int]:
    """Return how many group tasks ("huyen", "xa", "all") a unit below is assigned and has reported.

    ``subtree`` holds the unit, the units below it and the units merged into it; ``own`` their agencies.
    """
    level = KINDS[unit.kind].level if unit.kind in KINDS else 0
    wanted = {2: {"huyen", "all"}, 3: {"xa", "all"}}.get(level, set())
    mine = [task for task in tasks if group_codes(task) & wanted and task.plan.unit_id not in subtree]
    return len(mine), sum(1 for task in mine if reporting.get(task.id, set()) & own)
