"""The context a plugin collects in: unit, period, session, declared areas, and the unit's plan.

A report reads the units below its unit and their indicator values once, whatever their number: the
context's ``tree`` (the units at and below the report's unit with every unit merged into any of them, one
recursive query) and ``value_index`` (the values of those units for whole years, one query per batch of
years). The roll-up (reportsvc.collect.rollup) and the completeness (reportsvc.collect.completeness) work
from them in memory instead of sending a statement per unit and indicator.
"""
from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache
from typing import Any, Protocol

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, aliased, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from reportsvc.areas.catalog import Catalog
from reportsvc.collect.timeliness import Approvals
from reportsvc.db.models import IndicatorValue, Plan, PlanArea, StatusUpdate, Task, TaskAgency, Unit
from reportsvc.db.unitsettings import settings_of
from reportsvc.periods import CutoffRule, Period, parse_period, periods_of_year

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
    _approved_only: bool | None = field(default=None, init=False, repr=False)
    # completeness(context, today) per ``today``: the report and its completeness annex read it once
    _completeness: dict[date | None, list[Any]] = field(default_factory=dict, init=False, repr=False)

    @cached_property
    def tree(self) -> "UnitTree":
        """Return the units at and below the report's unit and the units merged into any of them (one query)."""
        return UnitTree.load(self.session, self.unit)

    @cached_property
    def value_index(self) -> "ValueIndex":
        """Return the indicator values of the tree's units, read for whole years on first use."""
        return ValueIndex(self.session, self.tree, (self.period.year, self.period.year - 1))

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
            olds = [old for old in self.tree.all_predecessors(self.unit)
                    if old.valid_to is not None and old.valid_to >= start]
            found = ({plan.unit_id: plan for plan in governing_plans(self.session, [old.id for old in olds],
                                                                     self.period.year)} if olds else {})
            merged = [found.get(old.id) for old in olds]
            self._plans = [plan for plan in [self.plan, *merged] if plan is not None]
        return self._plans

    @property
    def approved_only(self) -> bool:
        """Return True when the unit's reports use only approved data (its setting ``approved_only``)."""
        if self._approved_only is None:  # read once: the roll-up asks for every unit and indicator
            self._approved_only = settings_of(self.unit).approved_only
        return self._approved_only

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


def governing_plans(session: Session, unit_ids: Iterable[int] | Select[Any], year: int) -> list[Plan]:
    """Return, for each of the units, its plan covering ``year`` (an annual plan over a multi-year one).

    ``unit_ids`` is a list of ids or a SELECT of ids (``UnitTree.ids()``); one query either way.
    """
    found: dict[int, Plan] = {}
    for plan in session.scalars(select(Plan).where(Plan.unit_id.in_(unit_ids), Plan.year <= year, Plan.year_end >= year)
                                .order_by((Plan.year_end - Plan.year).asc(), Plan.year.desc(), Plan.id)):
        found.setdefault(plan.unit_id, plan)
    return list(found.values())


def task_ids_in_year(session: Session, plans: list[Plan], year: int, cutoff: CutoffRule) -> list[int]:
    """Return the ids of the plans' tasks that belong in ``year``'s lists (``listed_in_year``)."""
    if not plans:
        return []
    annual = [plan.id for plan in plans if not is_multi_year(plan)]  # every task of an annual plan is listed
    multi = [plan.id for plan in plans if is_multi_year(plan)]  # its tasks apply year by year: read their updates
    found = list(session.scalars(select(Task.id).where(Task.plan_id.in_(annual)))) if annual else []
    if multi:
        stmt = select(Task).where(Task.plan_id.in_(multi)).options(selectinload(Task.updates))
        found += [task.id for task in session.scalars(stmt) if applies_in_year(task, year, cutoff)]
    return found


def predecessors(unit: Unit) -> list[Unit]:
    """Return every unit merged into ``unit``, directly or through earlier mergers."""
    found: list[Unit] = []
    stack = list(unit.predecessors)
    while stack:
        old = stack.pop()
        found.append(old)
        stack.extend(old.predecessors)
    return found


def _tree_ids(root_id: int) -> Select[Any]:
    """Return a SELECT of the ids of the unit, the units below it and the units merged into any of them.

    A recursive query: from the unit, every unit whose parent or successor is already found.
    """
    found = select(Unit.id).where(Unit.id == root_id).cte("unit_tree", recursive=True)
    below = aliased(Unit)
    step = select(below.id).join(found, or_(below.parent_id == found.c.id, below.successor_id == found.c.id))
    found = found.union(step)
    return select(found.c.id)


@dataclass
class UnitTree:
    """The units at and below a unit, with every unit merged into any of them, as read at once.

    ``children`` and ``predecessors`` of a unit of the tree come from memory in the order of the ORM
    relationships (by code); for any other unit they fall back to those relationships.
    """

    root: Unit
    units: dict[int, Unit]
    direct_children: dict[int, list[Unit]]
    direct_predecessors: dict[int, list[Unit]]

    @classmethod
    def load(cls, session: Session, root: Unit) -> "UnitTree":
        """Read the units at and below ``root`` and the units merged into any of them in one query."""
        units = list(session.scalars(select(Unit).where(Unit.id.in_(_tree_ids(root.id))).order_by(Unit.code)))
        by_id = {unit.id: unit for unit in units}
        by_id.setdefault(root.id, root)
        children: dict[int, list[Unit]] = {}
        merged: dict[int, list[Unit]] = {}
        for unit in units:  # in code order, as the relationships are ordered
            if unit.parent_id in by_id and unit.id != root.id:
                children.setdefault(unit.parent_id, []).append(unit)
            if unit.successor_id in by_id and unit.id != root.id:
                merged.setdefault(unit.successor_id, []).append(unit)
        return cls(root, by_id, children, merged)

    def ids(self) -> Select[Any]:
        """Return a SELECT of the tree's unit ids, for ``IN (…)`` without a list of ids."""
        return _tree_ids(self.root.id)

    def children(self, unit: Unit) -> list[Unit]:
        """Return the unit's children (merged-away ones too), like ``unit.children``."""
        if unit.id in self.units:
            return self.direct_children.get(unit.id, [])
        return list(unit.children)

    def predecessors(self, unit: Unit) -> list[Unit]:
        """Return the units merged directly into ``unit``, like ``unit.predecessors``."""
        if unit.id in self.units:
            return self.direct_predecessors.get(unit.id, [])
        return list(unit.predecessors)

    def all_predecessors(self, unit: Unit) -> list[Unit]:
        """Return every unit merged into ``unit``, directly or through earlier mergers (as ``predecessors``)."""
        found: list[Unit] = []
        stack = list(self.predecessors(unit))
        while stack:
            old = stack.pop()
            found.append(old)
            stack.extend(self.predecessors(old))
        return found

    def descendants(self, unit: Unit, level: int = 1, since: date | None = None) -> list[tuple[Unit, int]]:
        """Return every unit below ``unit`` depth-first with its depth; with ``since``, without units ceased before."""
        result: list[tuple[Unit, int]] = []
        for child in self.children(unit):
            if since is not None and child.valid_to is not None and child.valid_to < since:
                continue
            result.append((child, level))
            result.extend(self.descendants(child, level + 1, since))
        return result


class ValueRow(Protocol):
    """A stored indicator value as the roll-up reads it."""

    period_key: str
    value: float
    agency_id: int | None


@lru_cache(maxsize=512)
def _year_to_date_keys(period: Period, cutoff: CutoffRule) -> dict[str, date]:
    """Return ``ValueIndex.keys`` (cached: asked for every unit and indicator)."""
    end = period.window(cutoff)[1]
    return {p.key: p.window(cutoff)[1] for p in periods_of_year(period.year) if p.window(cutoff)[1] <= end}


class ValueIndex:
    """The indicator values of a tree's units, read for whole years (one query per batch of years)."""

    def __init__(self, session: Session, tree: UnitTree, years: Sequence[int] = ()) -> None:
        """Index the values of ``tree``'s units; ``years`` are read together on first use."""
        self.session = session
        self.tree = tree
        self._first = tuple(years)
        self._years: set[int] = set()
        self._rows: dict[tuple[str, int], list[ValueRow]] = {}

    @staticmethod
    def keys(period: Period, cutoff: CutoffRule) -> dict[str, date]:
        """Return the keys of the period's year whose window ends on or before the period's end, with that end."""
        return _year_to_date_keys(period, cutoff)

    @staticmethod
    def latest(rows: Iterable[ValueRow], unit: Unit, period: Period, cutoff: CutoffRule,
               approvals: Approvals | None = None) -> float | None:
        """Return the year-to-date value among a unit's stored values of an indicator, as of the period's end.

        The latest one of the same year whose window ends on or before the period's end counts (an exact key
        wins over another key with the same end); with ``approvals``, only approved ones.
        """
        keys = _year_to_date_keys(period, cutoff)
        found = [row for row in rows if row.period_key in keys]
        if approvals is not None:
            found = [row for row in found if approvals.covers(unit, row.agency_id, row.period_key)]
        if not found:
            return None
        return max(found, key=lambda r: (keys[r.period_key], r.period_key == period.key)).value

    def _load(self, years: Iterable[int]) -> None:
        """Read every value of the tree's units stored under a key of ``years``."""
        wanted = sorted(set(years) - self._years)
        if not wanted:
            return
        keys = [p.key for year in wanted for p in periods_of_year(year)]
        rows = self.session.execute(select(IndicatorValue.code, IndicatorValue.unit_id, IndicatorValue.period_key,
                                           IndicatorValue.value, IndicatorValue.agency_id)
                                    .where(IndicatorValue.unit_id.in_(self.tree.ids()),
                                           IndicatorValue.period_key.in_(keys)))
        for row in rows:
            self._rows.setdefault((row.code, row.unit_id), []).append(row)
        for found in self._rows.values():  # as own_value reads them: by key, so ties resolve the same way
            found.sort(key=lambda r: r.period_key)
        self._years.update(wanted)

    def rows(self, code: str, unit: Unit, year: int) -> list[ValueRow] | None:
        """Return the unit's stored values of ``code`` (of the loaded years), or None when the unit is not indexed."""
        if unit.id not in self.tree.units:
            return None
        if year not in self._years:
            self._load({year, *self._first} if not self._years else {year})
        return self._rows.get((code, unit.id), [])


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
