"""Looking records up by the codes people type: the one place an unknown code becomes NotFound."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from reportsvc.db.models import Unit
from reportsvc.errors import NotFound


def find_unit(session: Session, code: str) -> Unit:
    """Return the administrative unit with ``code``; raise NotFound ("Không tìm thấy đơn vị 'X'") otherwise."""
    unit = session.scalar(select(Unit).where(Unit.code == code)) if code else None
    if unit is None:
        raise NotFound(f"Không tìm thấy đơn vị '{code}'")
    return unit
