"""A unit's report settings (authority, signer, recipients, cut-off) with sensible defaults.

The cut-off day of a unit without its own ``cutoff_day`` is the installation's default
(REPORTSVC_CUTOFF_DAY). The runtime puts that default in the ``info`` of every session it
makes (:func:`session_info`), so :func:`settings_of` finds it on any unit loaded through one,
and no caller has to carry the settings object around.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from sqlalchemy.orm import object_session

from reportsvc.db.models import Unit
from reportsvc.periods import DEFAULT_CUTOFF, CutoffRule

KIND_NAMES = {"tinh": "tỉnh", "huyen": "huyện", "xa": "xã"}
DEFAULT_CUTOFF_KEY = "reportsvc.default_cutoff_day"
"""The key of the installation's default cut-off day in ``Session.info``."""


@dataclass
class UnitSettings:
    """How a unit's reports are headed, signed and addressed, and when its data windows close.

    Defaults give a report issued by the UBND itself ("ỦY BAN NHÂN DÂN TỈNH …").
    """

    parent_body: str = ""  # e.g. "UBND TỈNH HÀ TĨNH" when a department issues the report
    issuing_body: str = ""  # e.g. "SỞ NỘI VỤ"; default: "ỦY BAN NHÂN DÂN <unit name>"
    doc_symbol: str = "BC-UBND"
    sign_authority: str = "TM. ỦY BAN NHÂN DÂN"
    signer_position: str = "CHỦ TỊCH"
    signer_name: str = ""
    recipients: list[str] = field(default_factory=lambda: ["Bộ Nội vụ;", "Lưu: VT."])
    cutoff_day: int = DEFAULT_CUTOFF.end_day

    @property
    def cutoff(self) -> CutoffRule:
        """Return the unit's data cut-off rule."""
        return CutoffRule(end_day=self.cutoff_day)


def session_info(default_cutoff_day: int) -> dict[str, Any]:
    """Return the ``Session.info`` entries that carry the installation's defaults for units."""
    return {DEFAULT_CUTOFF_KEY: default_cutoff_day}


def default_cutoff_day(unit: Unit) -> int:
    """Return the installation's default cut-off day for ``unit``'s session (14 for a detached unit)."""
    session = object_session(unit)
    return session.info.get(DEFAULT_CUTOFF_KEY, DEFAULT_CUTOFF.end_day) if session else DEFAULT_CUTOFF.end_day


def settings_of(unit: Unit) -> UnitSettings:
    """Return the unit's settings, ignoring unknown keys stored in ``unit.settings``.

    Read it while ``unit`` is attached to its session: a detached unit without its own
    cut-off day gets Nghị định 09/2019's 14, not the installation's default.
    """
    known = {f.name for f in fields(UnitSettings)}
    values: dict[str, Any] = {k: v for k, v in (unit.settings or {}).items() if k in known}
    values.setdefault("cutoff_day", default_cutoff_day(unit))
    result = UnitSettings(**values)
    if not result.issuing_body:
        result.issuing_body = f"ỦY BAN NHÂN DÂN {unit.name.upper()}"
    return result
