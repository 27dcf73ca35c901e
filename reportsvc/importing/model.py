"""What a plan file says once read: areas as written, their numbered items, and targets."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

#: Columns of a task table, in the order they are stored.
FIELDS = ("objective", "title", "activity", "product", "lead", "coord", "deadline", "budget")


@dataclass
class PlanIdentity:
    """The plan as a văn bản: "Số: 4791/QĐ-UBND", "Hải Phòng, ngày 29 tháng 12 năm 2023", who issued it."""

    number: str = ""  # "4791"; "" when the document leaves it blank
    symbol: str = ""  # "QĐ-UBND"
    date: date | None = None  # only when day, month and year are all written
    date_text: str = ""  # as written, blanks kept: "ngày tháng 12 năm 2023"
    place: str = ""  # "Hải Phòng"
    issuing_body: str = ""

    @property
    def reference(self) -> str:
        """Return "4791/QĐ-UBND" (or "/KH-UBND" with the number blank); "" without a symbol."""
        return f"{self.number}/{self.symbol}" if self.symbol else self.number

    def as_dict(self) -> dict[str, Any]:
        """Return the identity as the dry run's JSON gives it (date as YYYY-MM-DD or null)."""
        return {"number": self.number, "symbol": self.symbol,
                "date": self.date.isoformat() if self.date else None, "date_text": self.date_text,
                "place": self.place, "issuing_body": self.issuing_body}


@dataclass
class ParsedActivity:
    """One numbered activity row of a task (the Hải Dương layout: several rows per task)."""

    number: str
    row: int
    text: str = ""
    product: str = ""
    lead: str = ""
    coord: str = ""
    deadline: str = ""


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
    activities: list[ParsedActivity] = field(default_factory=list)  # two or more when rows were merged
    problems: list[str] = field(default_factory=list)  # row problems (a lead cell that is not an agency)


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
    kind: str  # docx | xlsx | csv | pdf
    title: str = ""
    areas: list[ParsedArea] = field(default_factory=list)
    targets: list[ParsedTarget] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    years: tuple[int, int] | None = None  # (first, last) year the plan covers
    years_source: str = ""  # "option": given at import (--year, the upload form); "title": read from the document
    identity: PlanIdentity = field(default_factory=PlanIdentity)

    @property
    def total_rows(self) -> int:
        """Return the number of numbered items (the numbers of the TT/STT column)."""
        return sum(len(area.items) for area in self.areas)

    @property
    def row_problems(self) -> list[dict[str, Any]]:
        """Return the items flagged as row problems: area, number, table row and what is wrong."""
        return [{"area": area.numeral, "number": item.number, "row": item.row, "problems": list(item.problems)}
                for area in self.areas for item in area.items if item.problems]

    def summary(self) -> dict[str, Any]:
        """Return the exact ``--dry-run --json`` document: total_rows, years, areas, warnings, identity, row problems."""
        return {"total_rows": self.total_rows, "years": list(self.years) if self.years else None,
                "areas": [{"code": a.numeral, "title": a.title, "rows": len(a.items)} for a in self.areas],
                "warnings": list(self.warnings),
                "identity": self.identity.as_dict(),
                "row_problems": self.row_problems}
