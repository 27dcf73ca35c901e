"""A unit's agencies as data: list, add, rename, aliases, and mergers of departments.

"Sở Tư pháp" of Hà Tĩnh and of Hưng Yên are two agencies. A merger (Sở Nông nghiệp và Phát triển
nông thôn with Sở Tài nguyên và Môi trường into Sở Nông nghiệp và Môi trường) moves the tasks,
users and history of the old departments to the successor, which plan imports then resolve to.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from reportsvc.db.models import Agency, AgencyAlias, IndicatorValue, StatusUpdate, TaskAgency, Unit, User
from reportsvc.errors import NotFound, UserError
from reportsvc.importing.agencies import canonical_name, resolve
from reportsvc.services import audit
from reportsvc.db.lookup import find_unit
from reportsvc.db import unitsettings
from reportsvc.vn.text import collapse, fold, name_problem, nfc


class AgencyError(UserError):
    """A change to a unit's agencies that cannot be made; nothing was stored."""


def _name(text: str) -> str:
    name = collapse(nfc(text or ""))
    problem = name_problem(name, "cơ quan")
    if problem:
        raise AgencyError(problem)
    return name


def find_agency(session: Session, unit: Unit, name: str) -> Agency:
    """Return the agency of ``unit`` (or its province) written ``name``, or raise NotFound."""
    agency = resolve(session, unit, name)
    if agency is None:
        raise NotFound(f"Không tìm thấy cơ quan '{collapse(name)}' của {unit.name}.")
    return agency


def list_agencies(session: Session, unit_code: str, include_merged: bool = False) -> list[dict[str, Any]]:
    """Return a unit's agencies with their aliases (merged ones too with ``include_merged``)."""
    unit = find_unit(session, unit_code)
    rows = []
    for agency in session.scalars(select(Agency).where(Agency.unit_id == unit.id).order_by(Agency.name)):
        if agency.successor_id is not None and not include_merged:
            continue
        rows.append({"id": agency.id, "name": agency.name, "unit": unit.code,
                     "aliases": sorted(alias.alias for alias in agency.aliases),
                     "successor": agency.successor.name if agency.successor else None})
    return rows


def add_agency(session: Session, unit_code: str, name: str, user: str) -> Agency:
    """Add an agency to a unit, audited; a name the unit already has (or an alias of it) is refused."""
    unit = find_unit(session, unit_code)
    name = canonical_name(_name(name))
    key = fold(name)
    taken = session.scalar(select(Agency).where(Agency.unit_id == unit.id, Agency.key == key)) or session.scalar(
        select(AgencyAlias).where(AgencyAlias.unit_id == unit.id, AgencyAlias.key == key))
    if taken is not None:
        raise AgencyError(f"{unit.name} đã có cơ quan '{name}'.")
    agency = Agency(name=name, key=key, unit_id=unit.id)
    session.add(agency)
    session.flush()
    audit.record(session, user, "agency.create", "agency", agency.id, None, {"name": name, "unit": unit.code},
                 unit_id=unit.id)
    return agency


def rename_agency(session: Session, unit_code: str, name: str, new_name: str, user: str) -> Agency:
    """Rename an agency; the old name stays as an alias so plans that use it still resolve."""
    unit = find_unit(session, unit_code)
    agency = find_agency(session, unit, name)
    new_name = canonical_name(_name(new_name))
    if session.scalar(select(Agency.id).where(Agency.unit_id == agency.unit_id, Agency.key == fold(new_name),
                                              Agency.id != agency.id)) is not None:
        raise AgencyError(f"{unit.name} đã có cơ quan '{new_name}'; hãy hợp nhất (agencies merge) thay vì đổi tên.")
    old = agency.name
    agency.name, agency.key = new_name, fold(new_name)
    _alias(session, agency, old)
    audit.record(session, user, "agency.rename", "agency", agency.id, {"name": old}, {"name": new_name},
                 unit_id=agency.unit_id)
    session.flush()
    return agency


def _alias(session: Session, agency: Agency, written: str) -> None:
    key = fold(written)
    if key == agency.key:
        return
    existing = session.scalar(select(AgencyAlias).where(AgencyAlias.unit_id == agency.unit_id, AgencyAlias.key == key))
    if existing is not None:
        if existing.agency_id != agency.id:
            raise AgencyError(f"Tên gọi '{written}' đã dùng cho cơ quan '{existing.agency.name}'.")
        return
    session.add(AgencyAlias(agency=agency, unit_id=agency.unit_id, alias=written, key=key))


def add_alias(session: Session, unit_code: str, name: str, alias: str, user: str) -> Agency:
    """Record another way the unit's plans write an agency ("Sở TTTT"), audited."""
    unit = find_unit(session, unit_code)
    agency = find_agency(session, unit, name)
    alias = _name(alias)
    other = session.scalar(select(Agency).where(Agency.unit_id == agency.unit_id, Agency.key == fold(alias),
                                                Agency.id != agency.id))
    if other is not None:
        raise AgencyError(f"'{alias}' là tên của cơ quan khác ('{other.name}').")
    _alias(session, agency, alias)
    audit.record(session, user, "agency.alias", "agency", agency.id, None, {"alias": alias}, unit_id=agency.unit_id)
    session.flush()
    return agency


def merge_agencies(session: Session, unit_code: str, old_names: list[str], into: str, user: str) -> Agency:
    """Merge departments into ``into`` (created if the unit has no such agency): their tasks, users and
    history move to it, their names become its aliases, and they are kept as merged."""
    unit = find_unit(session, unit_code)
    olds = [find_agency(session, unit, name) for name in dict.fromkeys(old_names)]
    if not olds:
        raise AgencyError("Cần ít nhất một cơ quan để hợp nhất.")
    target = resolve(session, unit, into)
    if target is None:
        target = add_agency(session, unit_code, into, user)
    for old in olds:
        if old.id == target.id:
            raise AgencyError(f"Không thể hợp nhất '{old.name}' vào chính nó.")
        if old.unit_id != target.unit_id:
            raise AgencyError(f"'{old.name}' và '{target.name}' không cùng một đơn vị.")
    for old in olds:
        _move_task_roles(session, old, target)
        for model in (StatusUpdate, IndicatorValue):
            session.execute(update(model).where(model.agency_id == old.id).values(agency_id=target.id)
                            .execution_options(synchronize_session=False))
        for person in session.scalars(select(User).where(User.agency_id == old.id)):
            person.agency_id = target.id
        for alias in list(old.aliases):
            alias.agency = target
        _alias(session, target, old.name)
        old.successor_id = target.id
        audit.record(session, user, "agency.merge", "agency", old.id, {"name": old.name},
                     {"successor": target.name}, unit_id=old.unit_id)
    session.flush()
    return target


def _move_task_roles(session: Session, old: Agency, target: Agency) -> None:
    """Give the target every task role of ``old`` (a task it already has the role on keeps one row)."""
    held = {(ta.task_id, ta.role) for ta in session.scalars(select(TaskAgency).where(TaskAgency.agency_id == target.id))}
    for role in session.scalars(select(TaskAgency).where(TaskAgency.agency_id == old.id)):
        if (role.task_id, role.role) in held:
            session.delete(role)
        else:
            role.agency_id = target.id
            held.add((role.task_id, role.role))


def agency_settings(session: Session, unit_code: str, name: str) -> dict[str, Any]:
    """Return how an agency's own reports are headed and signed, and the keys it set itself."""
    agency = find_agency(session, find_unit(session, unit_code), name)
    values = unitsettings.agency_settings_of(agency)
    return {"unit": agency.unit.code, "agency": agency.name,
            "settings": {"parent_body": values.parent_body, "issuing_body": values.issuing_body,
                         **{key: getattr(values, key) for key in unitsettings.AGENCY_KEYS}},
            "own": [key for key in unitsettings.AGENCY_KEYS if key in (agency.settings or {})]}


def update_agency_settings(session: Session, unit_code: str, name: str, changes: dict[str, Any],
                           user: str) -> dict[str, Any]:
    """Check and store an agency's report settings (empty: back to the default), audited as ``agency.settings``."""
    agency = find_agency(session, find_unit(session, unit_code), name)
    old, new = unitsettings.apply_agency_changes(agency, unitsettings.validate_agency_changes(changes))
    if old or new:
        audit.record(session, user, "agency.settings", "agency", agency.id, old, new, unit_id=agency.unit_id)
        session.flush()
    return agency_settings(session, unit_code, agency.name)

