"""Reporting periods (quý, 6 tháng, 9 tháng, năm) and their data windows per Nghị định 09/2019."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from reportsvc.errors import UserError
from reportsvc.vn.numerals import roman

KINDS = ("Q", "H", "M", "Y")
ACCEPTED_FORMS = "YYYY-Q1 … YYYY-Q4 (quý), YYYY-H1 (6 tháng), YYYY-M9 (9 tháng), YYYY-Y (năm)"
_PATTERN = re.compile(r"^\s*(\d{4})-(Q[1-4]|H1|M9|Y)\s*$", re.IGNORECASE)


class PeriodError(UserError, ValueError):
    """Raised for a period string that is not one of the accepted forms."""


@dataclass(frozen=True)
class CutoffRule:
    """When a locality's data windows close: the day of the month the window ends on.

    Nghị định 09/2019, Điều 12: data runs from the 15th of the month before the period
    to the 14th of the period's last month. A locality may configure another day.
    """

    end_day: int = 14

    @property
    def start_day(self) -> int:
        """Return the first day of a window (the day after ``end_day``)."""
        return self.end_day + 1


DEFAULT_CUTOFF = CutoffRule()


@dataclass(frozen=True, order=True)
class Period:
    """A reporting period of one year: kind Q (with quarter 1–4), H (6 tháng), M (9 tháng) or Y."""

    year: int
    kind: str
    quarter: int = 0

    @property
    def key(self) -> str:
        """Return the canonical key, e.g. ``2024-Q1``, ``2024-H1``, ``2024-M9``, ``2024-Y``."""
        return {"Q": f"{self.year}-Q{self.quarter}", "H": f"{self.year}-H1",
                "M": f"{self.year}-M9", "Y": f"{self.year}-Y"}[self.kind]

    @property
    def last_month(self) -> int:
        """Return the last calendar month the period covers."""
        return {"Q": self.quarter * 3, "H": 6, "M": 9, "Y": 12}[self.kind]

    @property
    def first_month(self) -> int:
        """Return the first calendar month the period covers (quarters cover 3 months, others from January)."""
        return (self.quarter - 1) * 3 + 1 if self.kind == "Q" else 1

    @property
    def label(self) -> str:
        """Return the Vietnamese name used in titles, e.g. "quý I năm 2024"."""
        if self.kind == "Q":
            return f"quý {roman(self.quarter)} năm {self.year}"
        if self.kind == "H":
            return f"6 tháng đầu năm {self.year}"
        if self.kind == "M":
            return f"9 tháng năm {self.year}"
        return f"năm {self.year}"

    @property
    def short_label(self) -> str:
        """Return a short label for tables and menus, e.g. "Quý I/2024"."""
        if self.kind == "Q":
            return f"Quý {roman(self.quarter)}/{self.year}"
        return {"H": "6 tháng", "M": "9 tháng", "Y": "Năm"}[self.kind] + f" {self.year}"

    def window(self, rule: CutoffRule = DEFAULT_CUTOFF) -> tuple[date, date]:
        """Return the inclusive data window (start, end) under the locality's cut-off rule."""
        end = date(self.year, self.last_month, rule.end_day)
        month = self.first_month - 1
        year = self.year
        if month == 0:
            month, year = 12, year - 1
        return date(year, month, rule.start_day), end

    @property
    def record(self) -> "Period":
        """Return the quarter whose data window ends on the same day: the period its records are stored under.

        Under Nghị định 09/2019 quý II and 6 tháng, quý III and 9 tháng, quý IV and năm close on the
        same day, and values are year to date, so each pair shares one stored status and value.
        """
        return self if self.kind == "Q" else Period(self.year, "Q", self.last_month // 3)

    @property
    def record_key(self) -> str:
        """Return the key its status updates and indicator values are stored under (see ``record``)."""
        return self.record.key

    def serves(self) -> list["Period"]:
        """Return every period a record stored under this period's key serves, quarter first."""
        quarter = self.record
        return [quarter, *[p for p in (Period(self.year, "H"), Period(self.year, "M"), Period(self.year, "Y"))
                           if p.record == quarter]]

    def previous_year(self) -> "Period":
        """Return the same period one year earlier (for "cùng kỳ năm trước")."""
        return Period(self.year - 1, self.kind, self.quarter)

    def next(self) -> "Period":
        """Return the period that follows this one for "phương hướng kỳ tới" (the next quarter)."""
        last_quarter = self.last_month // 3
        if last_quarter == 4:
            return Period(self.year + 1, "Q", 1)
        return Period(self.year, "Q", last_quarter + 1)


def parse_period(text: str) -> Period:
    """Parse ``2024-Q1``…``2024-Q4``, ``2024-H1``, ``2024-M9`` or ``2024-Y`` into a Period."""
    match = _PATTERN.match(text or "")
    if not match:
        raise PeriodError(f"Kỳ báo cáo không hợp lệ: '{text}'. Các dạng được chấp nhận: {ACCEPTED_FORMS}")
    year, code = int(match.group(1)), match.group(2).upper()
    if code.startswith("Q"):
        return Period(year, "Q", int(code[1]))
    return Period(year, code[0])


def record_key(key: str) -> str:
    """Return the stored key of the record that serves the period ``key`` ("2024-Y" → "2024-Q4")."""
    return parse_period(key).record_key


def periods_of_year(year: int) -> list[Period]:
    """Return every reportable period of a year in calendar order of their window end."""
    return [Period(year, "Q", 1), Period(year, "H"), Period(year, "Q", 2), Period(year, "M"),
            Period(year, "Q", 3), Period(year, "Q", 4), Period(year, "Y")]


def period_containing(day: date, rule: CutoffRule = DEFAULT_CUTOFF) -> Period:
    """Return the quarter whose data window contains ``day``."""
    for year in (day.year, day.year + 1):
        for quarter in range(1, 5):
            start, end = Period(year, "Q", quarter).window(rule)
            if start <= day <= end:
                return Period(year, "Q", quarter)
    raise PeriodError(f"Không xác định được kỳ cho ngày {day:%d/%m/%Y}")  # pragma: no cover

