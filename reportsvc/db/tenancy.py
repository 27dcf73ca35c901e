"""Tenancy: what one actor may read and change, decided here for every query and every flush.

The actor's :class:`Scope` is activated for the duration of a web request, an API call or a CLI
command run with ``--user`` (a context variable, so every session opened meanwhile, the
services' own transactions included, is scoped); a session may also carry one of its own in
``session.info["scope"]``. Two SQLAlchemy events enforce it, so no view or command filters by
hand:

- ``do_orm_execute`` adds ``with_loader_criteria`` to every ORM select: plans, tasks, status
  history and its evidence files, indicator values and targets, submissions and reminders sent,
  drafts, generated reports and their files, users and audit entries are seen only within the actor's unit subtree; units and agencies also of the
  unit's ancestors (a commune sees that it belongs to its province, not the province's data).
  Lazy loads of the objects a query returned inherit the same criteria.
- ``before_flush`` refuses any new, changed or deleted row outside the subtree with
  :class:`OutOfScope`; an editor may change only what its agency does.

A session without a scope (the system: migrations, the demo loader, the CLI without ``--user``,
a superadmin) sees and changes everything.
"""
from __future__ import annotations

from contextvars import ContextVar, Token
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from reportsvc.db.models import (Agency, AgencyAlias, AuditEntry, EvidenceFile, GeneratedReport, Indicator,
                                 IndicatorValue, Plan, PlanArea, ReminderSent, ReportDraft, ReportFile, StatusUpdate,
                                 Submission, Task, TaskAgency, Unit, User)
from reportsvc.errors import Forbidden


class OutOfScope(Forbidden):
    """A write outside the actor's units or agency; nothing was stored."""


@dataclass(frozen=True)
class Scope:
    """The units an actor works in (its unit and everything below) and the ones it may name (ancestors)."""

    actor: str
    unit_id: int  # the actor's own unit: audit entries without a unit of their own are filed under it
    unit_ids: frozenset[int]  # the subtree: read and write
    named_ids: frozenset[int]  # the subtree and its ancestors: units and agencies that may be read
    agency_id: int | None = None  # an editor's agency: its status updates and values only
    role: str = "viewer"


def subtree_ids(session: Session, unit_id: int) -> set[int]:
    """Return the ids of a unit and every unit below it, current or merged (one query per level)."""
    found, frontier = {unit_id}, [unit_id]
    while frontier:
        frontier = list(session.scalars(select(Unit.id).where(Unit.parent_id.in_(frontier),
                                                              Unit.id.not_in(found)).execution_options(unscoped=True)))
        found.update(frontier)
    # Units merged into one of these keep their history: it is the successor's.
    merged = set(session.scalars(select(Unit.id).where(Unit.successor_id.in_(found))
                                 .execution_options(unscoped=True)))
    while merged - found:
        found |= merged
        merged = set(session.scalars(select(Unit.id).where(Unit.successor_id.in_(found))
                                     .execution_options(unscoped=True)))
    return found


def ancestor_ids(session: Session, unit_id: int) -> set[int]:
    """Return the ids of the units above ``unit_id``."""
    found: set[int] = set()
    parent = session.scalar(select(Unit.parent_id).where(Unit.id == unit_id).execution_options(unscoped=True))
    while parent is not None and parent not in found:
        found.add(parent)
        parent = session.scalar(select(Unit.parent_id).where(Unit.id == parent).execution_options(unscoped=True))
    return found


def make_scope(session: Session, actor: str, unit_id: int, role: str, agency_id: int | None = None) -> Scope:
    """Return the scope of an actor bound to ``unit_id``."""
    subtree = subtree_ids(session, unit_id)
    return Scope(actor, unit_id, frozenset(subtree), frozenset(subtree | ancestor_ids(session, unit_id)), agency_id,
                 role)


_ACTIVE: ContextVar[Scope | None] = ContextVar("reportsvc_scope", default=None)


def activate(scope: Scope | None) -> Token[Scope | None]:
    """Make ``scope`` the scope of every session used from now on in this context; return the reset token."""
    return _ACTIVE.set(scope)


def deactivate(token: Token[Scope | None]) -> None:
    """Restore the scope that was active before :func:`activate` returned ``token``."""
    try:
        _ACTIVE.reset(token)
    except ValueError:  # created in another context (a copied request context): end the scope anyway
        _ACTIVE.set(None)


def require_unscoped(what: str) -> None:
    """Refuse a change to something every unit shares (plugins, the unit list) unless no unit scope is active."""
    scope = _ACTIVE.get()
    if scope is not None:
        raise OutOfScope(f"Tài khoản '{scope.actor}' không được {what}: thao tác này ảnh hưởng mọi đơn vị, "
                         f"chỉ quản trị hệ thống (superadmin) được làm.")


def scope_of(session: Session) -> Scope | None:
    """Return the session's scope: its own if set, else the active one (None: the system sees everything)."""
    return session.info["scope"] if "scope" in session.info else _ACTIVE.get()


def set_scope(session: Session, scope: Scope | None) -> None:
    """Give one session a scope of its own; every later query and flush of it honours it."""
    session.info["scope"] = scope


def _criteria(scope: Scope) -> list[Any]:
    units, named = tuple(scope.unit_ids), tuple(scope.named_ids)
    plans = select(Plan.id).where(Plan.unit_id.in_(units)).scalar_subquery()
    tasks = select(Task.id).where(Task.plan_id.in_(plans)).scalar_subquery()
    reports = select(GeneratedReport.id).where(GeneratedReport.unit_id.in_(units)).scalar_subquery()
    updates = select(StatusUpdate.id).where(StatusUpdate.task_id.in_(tasks)).scalar_subquery()
    options = [
        with_loader_criteria(Unit, Unit.id.in_(named), include_aliases=True),
        with_loader_criteria(Agency, Agency.unit_id.in_(named), include_aliases=True),
        with_loader_criteria(AgencyAlias, AgencyAlias.unit_id.in_(named), include_aliases=True),
        with_loader_criteria(Plan, Plan.unit_id.in_(units), include_aliases=True),
        with_loader_criteria(PlanArea, PlanArea.plan_id.in_(plans), include_aliases=True),
        with_loader_criteria(Task, Task.plan_id.in_(plans), include_aliases=True),
        with_loader_criteria(TaskAgency, TaskAgency.task_id.in_(tasks), include_aliases=True),
        with_loader_criteria(Indicator, Indicator.plan_id.in_(plans), include_aliases=True),
        with_loader_criteria(StatusUpdate, StatusUpdate.task_id.in_(tasks), include_aliases=True),
        with_loader_criteria(IndicatorValue, IndicatorValue.unit_id.in_(units), include_aliases=True),
        with_loader_criteria(ReportDraft, ReportDraft.unit_id.in_(units), include_aliases=True),
        with_loader_criteria(GeneratedReport, GeneratedReport.unit_id.in_(units), include_aliases=True),
        with_loader_criteria(ReportFile, ReportFile.report_id.in_(reports), include_aliases=True),
        with_loader_criteria(User, User.unit_id.in_(units), include_aliases=True),
        with_loader_criteria(AuditEntry, AuditEntry.unit_id.in_(units), include_aliases=True),
        with_loader_criteria(Submission, Submission.unit_id.in_(units), include_aliases=True),
        with_loader_criteria(EvidenceFile, EvidenceFile.status_update_id.in_(updates), include_aliases=True),
        with_loader_criteria(ReminderSent, ReminderSent.unit_id.in_(units), include_aliases=True),
    ]
    return options


@event.listens_for(Session, "do_orm_execute")
def _filter_reads(state: ORMExecuteState) -> None:
    """Add the scope's criteria to every ORM select of a scoped session."""
    scope = scope_of(state.session)
    if scope is None or not state.is_select or state.execution_options.get("unscoped", False):
        return
    if state.is_column_load or state.is_relationship_load:
        return  # loads of objects already returned inherit the criteria of their query
    state.statement = state.statement.options(*_criteria(scope))


def _related(session: Session, row: object, name: str, model: type) -> object | None:
    """Return ``row.<name>``, loading it by its foreign key when only the id was set."""
    value = getattr(row, name)
    if value is None:
        key = getattr(row, f"{name}_id", None)
        value = session.get(model, key) if key is not None else None
    return value


def unit_id_of(session: Session, row: object) -> int | None:
    """Return the unit a row belongs to (None for rows that belong to no unit, such as plugin settings)."""
    if isinstance(row, Unit):
        return row.parent_id if row.id is None else row.id
    if isinstance(row, (Agency, AgencyAlias, IndicatorValue, ReportDraft, GeneratedReport, User, AuditEntry, Plan,
                        Submission, ReminderSent)):
        if row.unit_id is not None:
            return row.unit_id
        unit = getattr(row, "unit", None)
        return unit.id if unit is not None else None
    if isinstance(row, (PlanArea, Task, Indicator)):
        plan = _related(session, row, "plan", Plan)
        return unit_id_of(session, plan) if plan is not None else None
    if isinstance(row, (StatusUpdate, TaskAgency)):
        task = _related(session, row, "task", Task)
        return unit_id_of(session, task) if task is not None else None
    if isinstance(row, ReportFile):
        report = _related(session, row, "report", GeneratedReport)
        return unit_id_of(session, report) if report is not None else None
    if isinstance(row, EvidenceFile):
        update = _related(session, row, "status_update", StatusUpdate)
        return unit_id_of(session, update) if update is not None else None
    return None


_SCOPED = (Unit, Agency, AgencyAlias, Plan, PlanArea, Task, TaskAgency, Indicator, StatusUpdate, IndicatorValue,
           ReportDraft, GeneratedReport, ReportFile, User, Submission, EvidenceFile, ReminderSent)


@event.listens_for(Session, "before_flush")
def _check_writes(session: Session, _context: object, _instances: object) -> None:
    """Refuse a flush that adds, changes or deletes a row outside the session's scope."""
    scope = scope_of(session)
    if scope is None:
        return
    for row in (*session.new, *session.dirty, *session.deleted):
        if not isinstance(row, _SCOPED):
            continue
        unit_id = unit_id_of(session, row)
        if isinstance(row, Unit) and row.id is not None and row.id not in scope.unit_ids:
            unit_id = row.id
        if unit_id is None or unit_id not in scope.unit_ids:
            raise OutOfScope(f"Tài khoản '{scope.actor}' không được thay đổi dữ liệu ngoài đơn vị của mình.")
        if scope.role == "editor" and isinstance(row, (StatusUpdate, IndicatorValue)) and row.agency_id is not None \
                and row.agency_id != scope.agency_id:
            raise OutOfScope(f"Tài khoản '{scope.actor}' chỉ được cập nhật số liệu của cơ quan mình.")
