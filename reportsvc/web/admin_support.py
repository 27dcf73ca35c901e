"""What the administration pages share: the units an admin manages, and turning refusals into messages.

An admin manages its own unit and every unit below it; the system administrator (superadmin)
every unit. The tenancy scope of the request already hides and protects everything else; these
helpers only choose where the admin's tree starts and name the units its forms may pick.
"""
from __future__ import annotations

from typing import Any

from flask import abort
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session

from reportsvc.db.lookup import find_unit
from reportsvc.db.models import Unit
from reportsvc.services.units import unit_rows
from reportsvc.web.common import actor


def managed_rows(session: Session, include_all: bool = False) -> list[dict[str, Any]]:
    """Return the admin's unit tree depth-first (current units only unless ``include_all``)."""
    who = actor()
    if who.is_superadmin:
        return unit_rows(session, include_all=include_all)
    if not who.unit_code:
        return []
    return unit_rows(session, under=who.unit_code, include_all=include_all)


def managed_codes(session: Session) -> list[str]:
    """Return the codes of the current units the admin manages, in tree order."""
    return [row["code"] for row in managed_rows(session)]


def managed_unit(session: Session, code: str) -> Unit:
    """Return unit ``code`` if the admin manages it (merged ones too); 404 if unknown, 403 if not its own."""
    unit = find_unit(session, code)
    if code not in {row["code"] for row in managed_rows(session, include_all=True)}:
        abort(403, description=f"Đơn vị {unit.name} ({unit.code}) không thuộc phạm vi quản lý của bạn.")
    return unit


def form_errors(form: FlaskForm) -> list[str]:
    """Return every error of a validated form, in field order."""
    return [message for field in form for message in field.errors]


def options(rows: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Return (code, indented label) pairs for a unit select."""
    return [(row["code"], f"{'— ' * row['depth']}{row['name']} ({row['code']})") for row in rows]
