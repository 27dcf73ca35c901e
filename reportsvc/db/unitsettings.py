"""A unit's report settings (authority, signer, recipients, cut-off) with sensible defaults."""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from reportsvc.db.models import Unit
from reportsvc.periods import CutoffRule

KIND_NAMES = {"tinh": "tỉnh", "huyen": "huyện", "xa": "xã"}


@dataclass
class UnitSettings:
    """How a unit's reports are headed, signed and addressed.

    Defaults give a report issued by the UBND itself ("ỦY BAN NHÂN DÂN TỈNH …").
    """

    parent_body: str = ""  # e.g. "UBND TỈNH HÀ TĨNH" when a department issues the report
    issuing_body: str = ""  # e.g. "SỞ NỘI VỤ"; default: "ỦY BAN NHÂN DÂN <unit name>"
    doc_symbol: str = "BC-UBND"
    sign_authority: str = "TM. ỦY BAN NHÂN DÂN"
    signer_position: str = "CHỦ TỊCH"
    signer_name: str = ""
    recipients: list[str] = field(default_factory=lambda: ["Bộ Nội vụ;", "Lưu: VT."])
    cutoff_day: int = 14
    submission_day: int = 20  # reports are due by this day of the period's last month

    @property
    def cutoff(self) -> CutoffRule:
        """Return the unit's data cut-off rule."""
        return CutoffRule(end_day=self.cutoff_day)


def settings_of(unit: Unit) -> UnitSettings:
    """Return the unit's settings, ignoring unknown keys stored in ``unit.settings``."""
    known = {f.name for f in fields(UnitSettings)}
    values: dict[str, Any] = {k: v for k, v in (unit.settings or {}).items() if k in known}
    result = UnitSettings(**values)
    if not result.issuing_body:
        result.issuing_body = f"ỦY BAN NHÂN DÂN {unit.name.upper()}"
    return result
