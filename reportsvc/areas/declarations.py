"""What plugins declare: reform areas and indicators."""
from __future__ import annotations

from dataclasses import dataclass, field

ROLLUPS = ("sum", "mean", "ratio", "none")
VALUE_TYPES = ("percent", "count", "number")  # a share 0–100 | a whole number ≥ 0 | any number
AREA_PARTS = ("results", "direction")
LEVELS = {"tinh": 1, "huyen": 2, "xa": 3}
"""The tiers an indicator may be reported at: tỉnh (and thành phố trực thuộc trung ương), huyện (before
2025), xã (with phường and đặc khu); reportsvc.vn.units.UnitKind.level numbers them."""


@dataclass(frozen=True)
class AreaSpec:
    """A reform area: stable code, title, import aliases, report order and usual lead agency."""

    code: str  # stable key, e.g. "III" for the standard areas or "ISO9001"
    title: str  # the heading used in reports, e.g. "Cải cách thủ tục hành chính"
    order: int  # position in section II of the report (standard areas: 10, 20, … 70)
    aliases: tuple[str, ...] = ()  # heading texts that map to this area on import
    keywords: tuple[str, ...] = ()  # shorter words tried only when no title or alias matches ("TTHC", "một cửa")
    lead_agency: str = ""
    part: str = "results"  # one of AREA_PARTS: "results" (a subsection of part II) or "direction" (part I)


@dataclass(frozen=True)
class IndicatorSpec:
    """An indicator (chỉ tiêu) an area reports on.

    ``value_type`` says what a value may be before it is stored (reportsvc.hooks.validation):
    ``percent`` a share from 0 to 100, ``count`` a whole number ≥ 0, ``number`` any number;
    ``minimum``/``maximum`` narrow that range (None: no bound beyond the type's own).
    ``rollup`` says how a parent unit's value derives from its children's values: ``sum``,
    ``mean``, ``ratio`` (sum of ``numerator`` values over sum of ``denominator`` values, × 100)
    or ``none`` (only the unit's own value counts). ``default_target`` is used when the plan
    sets no target for it.
    """

    code: str
    name: str
    unit: str  # unit of measure: "%", "văn bản", "thủ tục", "hồ sơ", "người", "đơn vị", …
    area: str  # AreaSpec.code
    value_type: str = "percent"  # one of VALUE_TYPES
    minimum: float | None = 0.0
    maximum: float | None = None
    rollup: str = "mean"
    numerator: str = ""
    denominator: str = ""
    default_target: float | None = None
    higher_is_better: bool = True
    aliases: tuple[str, ...] = field(default=())  # phrases that identify it in a plan's chỉ tiêu text
    levels: tuple[str, ...] = field(default=())  # keys of LEVELS whose reports list it; () every level

    def reported_at(self, level: int) -> bool:
        """Return True when a unit of tier ``level`` (1 tỉnh, 2 huyện, 3 xã) lists this indicator in its report."""
        return not self.levels or any(LEVELS.get(name) == level for name in self.levels)
