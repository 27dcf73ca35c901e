"""What a plan file says once read: areas as written, their numbered items, and targets."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Columns of a task table, in the order they are stored.
FIELDS = ("objective", "title", "activity", "product", "lead", "coord", "deadline", "budget")


@dataclass
class ParsedItem:
    """A numbered item of the task table with the text of each column (continuation rows merged)."""

    number: str
    row: int  # 1-based position of the item's row among the plan table's rows, for messages
    objective: str = ""
    title: str = ""
    activity: str = ""
    product: str = ""
    lead: str = ""
    coord: str = ""
    deadline: str = ""
    budget: str = ""


@dataclass
class ParsedArea:
    """An area heading as the plan writes it ("III", "VII.B") and the items under it."""

    numeral: str
    title: str
    area_code: str | None = None  # code of the matching area plugin; None keeps it as a custom area
    items: list[ParsedItem] = field(default_factory=list)
    has_subareas: bool = False


@dataclass
class ParsedTarget:
    """A numeric target (chỉ tiêu) taken out of the plan's text."""

    code: str  # an indicator code declared by a plugin, or a generated "KH_01" code
    name: str
    text: str  # the clause it was read from
    value: float | None
    unit: str = ""
    area_code: str | None = None
    matched: bool = False  # True when ``code`` is a plugin's indicator


@dataclass
class ParsedPlan:
    """A plan file read and understood, before anything is stored."""

    filename: str
    sha256: str
    kind: str  # docx | xlsx | csv
    title: str = ""
    areas: list[ParsedArea] = field(default_factory=list)
    targets: list[ParsedTarget] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    years: tuple[int, int] | None = None  # (first, last) year the plan covers
    years_source: str = ""  # "option": given at import (--year, the upload form); "title": read from the document

    @property
    def total_rows(self) -> int:
        """Return the number of numbered items (the numbers of the TT/STT column)."""
        return sum(len(area.items) for area in self.areas)

    def summary(self) -> dict[str, Any]:
        """Return the exact ``--dry-run --json`` document: total_rows, years, areas and warnings."""
        return {"total_rows": self.total_rows, "years": list(self.years) if self.years else None,
                "areas": [{"code": a.numeral, "title": a.title, "rows": len(a.items)} for a in self.areas],
                "warnings": list(self.warnings)}
