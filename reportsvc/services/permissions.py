"""Who may change what: admin everything, an editor the tasks its agency leads, a viewer nothing.

The web pages and the JSON API ask the same questions here; nothing in this module needs Flask.
A refusal is reportsvc.errors.Forbidden (HTTP 403, CLI exit 2).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from reportsvc.collect.context import find_plan
from reportsvc.db.tenancy import Scope, make_scope
from reportsvc.errors import Forbidden
from reportsvc.db.models import PlanArea, Task, TaskAgency, Unit, User
from reportsvc.hooks.registry import PluginRegistry

__all__ = ["Actor", "area_code_of", "can_edit_task", "check_task", "editable_indicators", "leads",
           "require_admin", "require_superadmin", "require_writer", "scope_for"]


@dataclass(frozen=True)
class Actor:
    """The signed-in user as the rules see it (a snapshot, safe to keep beyond a session)."""

    id: int
    username: str
    full_name: str
    role: str
    agency_id: int | None = None
    agency_name: str = ""
    unit_id: int | None = None
    unit_code: str = ""

    @classmethod
    def of(cls, user: User) -> "Actor":
        """Return the snapshot of a User row."""
        return cls(id=user.id, username=user.username, full_name=user.full_name or user.username, role=user.role,
                   agency_id=user.agency_id, agency_name=user.agency.name if user.agency else "",
                   unit_id=user.unit_id, unit_code=user.unit.code if user.unit else "")

    @property
    def is_admin(self) -> bool:
        """Return True for an administrator of a unit (or the system administrator)."""
        return self.role in ("admin", "superadmin")

    @property
    def is_superadmin(self) -> bool:
        """Return True for the system administrator, who sees every unit and switches plugins."""
        return self.role == "superadmin"

    @property
    def can_write(self) -> bool:
        """Return True when the user may change anything at all (admin or editor)."""
        return self.role in ("superadmin", "admin", "editor")


def require_admin(actor: Actor) -> None:
    """Raise Forbidden unless ``actor`` is an administrator."""
    if not actor.is_admin:
        raise Forbidden("Chỉ quản trị viên (Sở Nội vụ) được thực hiện thao tác này.")


def require_superadmin(actor: Actor) -> None:
    """Raise Forbidden unless ``actor`` is the system administrator (settings shared by every unit)."""
    if not actor.is_superadmin:
        raise Forbidden("Chỉ quản trị hệ thống (superadmin) được thực hiện thao tác này.")


def scope_for(session: Session, actor: Actor) -> Scope | None:
    """Return what ``actor`` may read and change: its unit's subtree (None for the system administrator).

    A user bound to no unit gets an empty scope: it sees nothing until an admin binds it.
    """
    if actor.is_superadmin:
        return None
    if actor.unit_id is None:
        return Scope(actor.username, 0, frozenset(), frozenset(), actor.agency_id, actor.role)
    return make_scope(session, actor.username, actor.unit_id, actor.role, actor.agency_id)


def require_writer(actor: Actor) -> None:
    """Raise Forbidden for a read-only user."""
    if not actor.can_write:
        raise Forbidden("Tài khoản chỉ có quyền xem, không được thay đổi dữ liệu.")


def leads(session: Session, agency_id: int | None, task_id: int) -> bool:
    """Return True when the agency is a lead agency (chủ trì) of the task."""
    if agency_id is None:
        return False
    return session.scalar(select(TaskAgency.id).where(TaskAgency.task_id == task_id, TaskAgency.agency_id == agency_id,
                                                      TaskAgency.role == "lead")) is not None


def can_edit_task(session: Session, actor: Actor, task: Task) -> bool:
    """Return True when ``actor`` may record the task's status: admin, or an editor of a lead agency."""
    if actor.is_admin:
        return True
    return actor.role == "editor" and leads(session, actor.agency_id, task.id)


def check_task(session: Session, actor: Actor, task: Task) -> None:
    """Raise Forbidden unless ``actor`` may record the task's status."""
    require_writer(actor)
    if not can_edit_task(session, actor, task):
        raise Forbidden(f"Cơ quan của bạn ({actor.agency_name or 'chưa gắn cơ quan'}) không chủ trì nhiệm vụ này "
                        f"nên không được cập nhật tiến độ.")


def area_code_of(area: PlanArea, registry: PluginRegistry) -> str | None:
    """Return the code of the area plugin owning a plan area (matched again by title if needed)."""
    return registry.owner_code(area.area_code, area.title)


def editable_indicators(session: Session, registry: PluginRegistry, actor: Actor, unit: Unit,
                        year: int) -> set[str]:
    """Return the indicator codes ``actor`` may enter for ``unit`` in ``year``.

    Admin: every declared indicator. Editor: the indicators of the areas in which its agency
    leads at least one task of the plan covering the unit that year. Viewer: none.
    """
    if actor.is_admin:
        return set(registry.indicators)
    if actor.role != "editor" or actor.agency_id is None:
        return set()
    plan = find_plan(session, unit, year)
    if plan is None:
        return set()
    areas = session.scalars(select(PlanArea).join(Task, Task.area_id == PlanArea.id)
                            .join(TaskAgency, TaskAgency.task_id == Task.id)
                            .where(PlanArea.plan_id == plan.id, TaskAgency.agency_id == actor.agency_id,
                                   TaskAgency.role == "lead").distinct())
    codes = {area_code_of(area, registry) for area in areas}
    return {spec.code for spec in registry.indicators.values() if spec.area in codes}
