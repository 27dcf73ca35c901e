"""The catalogue of every declared area and indicator, with the plugin that owns each."""
from __future__ import annotations

from dataclasses import dataclass

from reportsvc.areas.declarations import AreaSpec, IndicatorSpec
from reportsvc.areas.matching import match_area


@dataclass
class Catalog:
    """Every declared area and indicator with the plugin that owns it (what collecting needs)."""

    areas: list[AreaSpec]  # sorted by report order
    indicators: dict[str, IndicatorSpec]
    area_owner: dict[str, str]  # area code -> plugin name
    indicator_owner: dict[str, str]

    def area(self, code: str) -> AreaSpec | None:
        """Return the declared area with ``code``, or None."""
        return next((a for a in self.areas if a.code == code), None)

    def owner_code(self, stored_code: str | None, title: str) -> str | None:
        """Return the declared area a plan area belongs to: its stored code if still declared, else
        the area its title matches now (a plugin installed after the import), else None."""
        if stored_code and self.area(stored_code) is not None:
            return stored_code
        spec = match_area(title, self.areas)
        return spec.code if spec else None

    def indicators_of(self, area_code: str) -> list[IndicatorSpec]:
        """Return the indicators declared for an area, in declaration order."""
        return [spec for spec in self.indicators.values() if spec.area == area_code]
