"""The unit tree as data: import the official list, add, rename, move, merge (the 2025 mergers), list.

Every change is audited. A merged unit keeps its data: it gets ``valid_to`` (the day before the
merger) and its successor, takes no new data after that day and leaves the current lists.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reportsvc.collect.context import predecessors
from reportsvc.db import unitsettings
from reportsvc.db.lookup import find_unit
from reportsvc.db.models import Unit
from reportsvc.errors import UserError
from reportsvc.importing.units import UnitList, UnitListError, read_unit_list
from reportsvc.services import audit
from reportsvc.vn.text import collapse, name_problem, nfc
from reportsvc.vn.units import KINDS, LEVEL_NAMES, full_name, kind_of, level_of, proper_name

KIND_CHOICES = ", ".join(kind.label for kind in KINDS.values())


class UnitError(UserError):
    """A change to the unit tree that would make it wrong; nothing was stored."""


@dataclass
class ImportSummary:
    """What an import of the unit list did (or, in a dry run, would do)."""

    layout: str
    total: int
    added: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    unchanged: int = 0
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        """Return the JSON shape of ``units import --json``."""
        return {"layout": self.layout, "total": self.total, "added": len(self.added), "renamed": self.renamed,
                "moved": self.moved, "unchanged": self.unchanged, "dry_run": self.dry_run}


def _clean_name(name: str) -> str:
    text = collapse(nfc(name or ""))
    problem = name_problem(text, "đơn vị")
    if problem:
        raise UnitError(problem)
    return text


def _check_kind(kind: str) -> str:
    key = kind if kind in KINDS else kind_of(kind)
    if key is None:
        raise UnitError(f"Loại đơn vị '{kind}' không hợp lệ (cần một trong: {KIND_CHOICES}).")
    return key


def _check_parent(kind: str, parent: Unit | None, label: str) -> None:
    level = level_of(kind)
    if parent is None:
        if level != 1:
            raise UnitError(f"{label} là đơn vị {LEVEL_NAMES[level]}, cần có đơn vị cấp trên.")
        return
    if level == 1:
        raise UnitError(f"{label} là đơn vị cấp tỉnh, không trực thuộc đơn vị nào.")
    parent_level = level_of(parent.kind) if parent.kind in KINDS else 1
    if parent_level >= level:
        raise UnitError(f"{label} là đơn vị {LEVEL_NAMES[level]}, không thể trực thuộc {parent.name} "
                        f"({parent.code}) là đơn vị {LEVEL_NAMES[parent_level]}.")


def _check_current(unit: Unit, label: str = "") -> None:
    """Refuse a unit that was merged into another (it takes no new data or children)."""
    if unit.valid_to is not None:
        successor = f", nay là {unit.successor.name} ({unit.successor.code})" if unit.successor else ""
        raise UnitError(f"{label or unit.name} ({unit.code}) đã thôi tồn tại từ "
                        f"{unit.valid_to + timedelta(days=1):%d/%m/%Y}{successor}.")


def stored_tiers(session: Session) -> dict[str, tuple[str, int]]:
    """Return every stored unit's code with its name and tier (for checking a list's parents)."""
    return {code: (name, level_of(kind) if kind in KINDS else 1)
            for code, name, kind in session.execute(select(Unit.code, Unit.name, Unit.kind))}


def import_units(session: Session, data: bytes, filename: str, user: str, *, dry_run: bool = False,
                 max_upload_mb: float = 20, max_unzipped_mb: float = 200) -> ImportSummary:
    """Import the official unit list: new units added, changed names and parents updated and audited.

    Idempotent (the same file again changes nothing) and all or nothing: the caller's
    transaction holds every change, and any error is raised before anything is flushed.
    """
    parsed = read_unit_list(data, filename, max_upload_mb, max_unzipped_mb, stored_tiers(session))
    return _apply(session, parsed, user, dry_run)


def _apply(session: Session, parsed: UnitList, user: str, dry_run: bool) -> ImportSummary:
    stored = {unit.code: unit for unit in session.scalars(select(Unit))}
    summary = ImportSummary(parsed.layout, len(parsed.units), dry_run=dry_run)
    tier = 0
    for row in parsed.units:
        if not dry_run and level_of(row.kind) != tier:
            # Rows come parents first: flushing once per tier gives the new parents their ids, so
            # the tenancy check of a scoped session sees whose subtree each new unit joins.
            session.flush()
            tier = level_of(row.kind)
        parent = stored.get(row.parent_code) if row.parent_code else None
        unit = stored.get(row.code)
        if unit is None:
            summary.added.append(row.code)
            if not dry_run:
                unit = Unit(code=row.code, name=row.name, kind=row.kind, parent=parent,
                            parent_id=parent.id if parent is not None else None,
                            place=proper_name(row.name, row.kind), settings={})
                session.add(unit)
                stored[row.code] = unit
            else:
                stored[row.code] = Unit(code=row.code, name=row.name, kind=row.kind)
            continue
        changed = False
        if (unit.name, unit.kind) != (row.name, row.kind):
            summary.renamed.append(row.code)
            if not dry_run:
                audit.record(session, user, "unit.rename", "unit", row.code, {"name": unit.name, "kind": unit.kind},
                             {"name": row.name, "kind": row.kind}, unit_id=unit.id)
                unit.name, unit.kind, unit.place = row.name, row.kind, proper_name(row.name, row.kind)
            changed = True
        if (unit.parent.code if unit.parent else None) != row.parent_code:
            summary.moved.append(row.code)
            if not dry_run:
                audit.record(session, user, "unit.move", "unit", row.code,
                             {"parent": unit.parent.code if unit.parent else None}, {"parent": row.parent_code},
                             unit_id=unit.id)
                unit.parent = parent
            changed = True
        summary.unchanged += not changed
    if not dry_run:
        audit.record(session, user, "unit.import", "unit", "*", None, summary.as_dict())
        session.flush()
    return summary


def add_unit(session: Session, code: str, name: str, kind: str, parent_code: str | None, user: str,
             valid_from: date | None = None) -> Unit:
    """Add a unit under ``parent_code`` (None for a province), audited."""
    code = "".join((code or "").split())
    if not code or len(code) > 64:
        raise UnitError("Mã đơn vị không được để trống và dài tối đa 64 ký tự.")
    if session.scalar(select(Unit.id).where(Unit.code == code)) is not None:
        raise UnitError(f"Mã đơn vị '{code}' đã được dùng.")
    kind, name = _check_kind(kind), _clean_name(name)
    parent = find_unit(session, parent_code) if parent_code else None
    _check_parent(kind, parent, f"{full_name(name, kind)} ({code})")
    if parent is not None:
        _check_current(parent)
    unit = Unit(code=code, name=name, kind=kind, parent=parent, parent_id=parent.id if parent else None,
                place=proper_name(name, kind), settings={}, valid_from=valid_from)
    session.add(unit)
    session.flush()
    audit.record(session, user, "unit.create", "unit", code, None,
                 {"name": name, "kind": kind, "parent": parent_code, "valid_from": valid_from}, unit_id=unit.id)
    session.flush()
    return unit


def rename_unit(session: Session, code: str, name: str, user: str, kind: str | None = None) -> Unit:
    """Rename a unit (and change its kind, e.g. a xã that became a phường), audited."""
    unit = find_unit(session, code)
    new_kind = _check_kind(kind) if kind else unit.kind
    new_name = _clean_name(name)
    if kind:
        _check_parent(new_kind, unit.parent, f"{full_name(new_name, new_kind)} ({code})")
    if (new_name, new_kind) == (unit.name, unit.kind):
        return unit  # nothing changes: nothing to audit
    audit.record(session, user, "unit.rename", "unit", code, {"name": unit.name, "kind": unit.kind},
                 {"name": new_name, "kind": new_kind}, unit_id=unit.id)
    unit.name, unit.kind, unit.place = new_name, new_kind, proper_name(new_name, new_kind)
    session.flush()
    return unit


def descendants(unit: Unit) -> list[Unit]:
    """Return every unit below ``unit``, depth-first."""
    found: list[Unit] = []
    stack = list(reversed(unit.children))
    while stack:
        child = stack.pop()
        found.append(child)
        stack.extend(reversed(child.children))
    return found


def move_unit(session: Session, code: str, parent_code: str, user: str) -> Unit:
    """Move a unit under another parent of a higher tier, audited; never under itself or a descendant."""
    unit, parent = find_unit(session, code), find_unit(session, parent_code)
    if parent is unit or parent in descendants(unit):
        raise UnitError(f"Không thể chuyển {unit.name} ({code}) vào chính nó hoặc đơn vị trực thuộc nó.")
    _check_parent(unit.kind, parent, f"{unit.name} ({code})")
    _check_current(parent)
    if unit.parent is parent:
        return unit  # already there: nothing to audit
    audit.record(session, user, "unit.move", "unit", code, {"parent": unit.parent.code if unit.parent else None},
                 {"parent": parent_code}, unit_id=unit.id)
    unit.parent = parent
    session.flush()
    return unit


def merge_units(session: Session, old_codes: list[str], into: str, on: date, user: str, *,
                name: str | None = None, kind: str | None = None, parent_code: str | None = None) -> Unit:
    """Merge units into ``into`` from ``on`` (a new unit when ``name``, ``kind`` and ``parent_code`` are given).

    The old units keep their data and history; their last day is the day before ``on`` and
    their successor is ``into``; their children move to ``into``.
    """
    if not old_codes:
        raise UnitError("Cần ít nhất một đơn vị để sáp nhập.")
    olds = [find_unit(session, code) for code in dict.fromkeys(old_codes)]
    target = session.scalar(select(Unit).where(Unit.code == into))
    if target is None:
        if not (name and kind):
            raise UnitError(f"Đơn vị '{into}' chưa có: cần tên, loại (và đơn vị cấp trên) để tạo đơn vị mới.")
        target = add_unit(session, into, name, kind, parent_code or None, user, valid_from=on)
    for old in olds:
        label = f"{old.name} ({old.code})"
        if old is target:
            raise UnitError(f"Không thể sáp nhập {label} vào chính nó.")
        if target in descendants(old):
            raise UnitError(f"Không thể sáp nhập {label} vào đơn vị trực thuộc nó ({target.name}).")
        if old.valid_from is not None and on <= old.valid_from:
            raise UnitError(f"Ngày sáp nhập {on:%d/%m/%Y} không sau ngày {label} được thành lập "
                            f"({old.valid_from:%d/%m/%Y}).")
        _check_current(old, old.name)
        _check_current(target, target.name)
        if level_of(old.kind) != level_of(target.kind):
            raise UnitError(f"Không thể sáp nhập {label} ({LEVEL_NAMES[level_of(old.kind)]}) vào {target.name} "
                            f"({target.code}, {LEVEL_NAMES[level_of(target.kind)]}): hai đơn vị phải cùng cấp.")
        if target.valid_from is not None and on < target.valid_from:
            raise UnitError(f"Ngày sáp nhập {on:%d/%m/%Y} trước ngày {target.name} được thành lập.")
    for old in olds:
        old.valid_to, old.successor = on - timedelta(days=1), target
        for child in list(old.children):
            if child.valid_to is None:
                child.parent = target
        audit.record(session, user, "unit.merge", "unit", old.code, {"valid_to": None, "successor": None},
                     {"valid_to": old.valid_to, "successor": target.code}, unit_id=old.id)
    session.flush()
    return target


def unit_rows(session: Session, under: str | None = None, include_all: bool = False,
              today: date | None = None) -> list[dict[str, Any]]:
    """Return the tree (or the part under ``under``) depth-first as dicts; current units only unless ``include_all``."""
    today = today or date.today()
    roots = [find_unit(session, under)] if under else list(session.scalars(
        select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.code)))
    rows: list[dict[str, Any]] = []

    def walk(unit: Unit, depth: int) -> None:
        if not include_all and not unit.current_on(today):
            return
        rows.append({"code": unit.code, "name": unit.name, "kind": unit.kind, "depth": depth,
                     "parent": unit.parent.code if unit.parent else None,
                     "valid_from": unit.valid_from.isoformat() if unit.valid_from else None,
                     "valid_to": unit.valid_to.isoformat() if unit.valid_to else None,
                     "successor": unit.successor.code if unit.successor else None})
        for child in unit.children:
            walk(child, depth + 1)

    for root in roots:
        walk(root, 0)
    return rows


def unit_settings(session: Session, unit_code: str) -> dict[str, Any]:
    """Return a unit's report settings: every documented key's value and the keys the unit set itself."""
    unit = find_unit(session, unit_code)
    return {"unit": unit.code, "name": unit.name, "settings": unitsettings.as_dict(unit),
            "own": unitsettings.own_keys(unit)}


def update_settings(session: Session, unit_code: str, changes: dict[str, Any], user: str) -> dict[str, Any]:
    """Check and store report settings (an empty value puts a key back to its default), audited as ``unit.settings``.

    Unknown keys and bad values are refused with every reason in Vietnamese (SettingsError,
    HTTP 422, exit 2) before anything changes. Returns :func:`unit_settings` after the change.
    """
    unit = find_unit(session, unit_code)
    checked = unitsettings.validate_changes(changes)
    old, new = unitsettings.apply_changes(unit, checked)
    if new or old:
        audit.record(session, user, "unit.settings", "unit", unit.code, old, new, unit_id=unit.id)
        session.flush()
    return unit_settings(session, unit_code)


__all__ = ["ImportSummary", "UnitError", "UnitListError", "add_unit", "descendants", "find_unit", "import_units",
           "merge_units", "move_unit", "predecessors", "rename_unit", "unit_rows", "unit_settings",
           "update_settings"]
