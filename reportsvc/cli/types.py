"""Click parameter types for the ``reportsvc`` options: each turns text into a value or fails with one Vietnamese line.

A failing conversion is a ``click.BadParameter`` whose message is the whole Vietnamese sentence;
reportsvc.cli.support prints it as "Lỗi: <message>" with exit code 2, like every other user error.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Sequence

import click

from reportsvc.errors import UserError
from reportsvc.importing.deadlines import parse_years
from reportsvc.periods import Period, parse_period
from reportsvc.render import FORMATS
from reportsvc.vn.dates import parse_day


class VietnameseType(click.ParamType):
    """A parameter type whose failure message is already the whole Vietnamese sentence the user sees."""


class PeriodType(VietnameseType):
    """A report period: ``2024-Q1`` … ``2024-Q4``, ``2024-H1``, ``2024-M9``, ``2024-Y``."""

    name = "KỲ"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Period:
        """Return the Period written ``value``."""
        if isinstance(value, Period):
            return value
        try:
            return parse_period(value)
        except UserError as exc:
            self.fail(str(exc), param, ctx)


class DayType(VietnameseType):
    """A calendar day written dd/mm/yyyy (yyyy-mm-dd is accepted too)."""

    name = "NGÀY"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date | None:
        """Return the day written ``value`` (None for an empty value)."""
        try:
            return parse_day(value)
        except ValueError:
            self.fail(f"Ngày không hợp lệ: '{value}' (dạng dd/mm/yyyy)", param, ctx)


class FormatsType(VietnameseType):
    """A comma-separated list of output formats, e.g. ``docx,pdf``."""

    name = "ĐỊNH_DẠNG"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> list[str]:
        """Return the formats in the order written, without repeats."""
        if isinstance(value, list):
            return value
        formats = list(dict.fromkeys(f.strip().lower() for f in str(value).split(",") if f.strip()))
        if not formats or any(f not in FORMATS for f in formats):
            self.fail(f"Định dạng không hợp lệ: '{value}'. Chọn trong: {', '.join(FORMATS)}", param, ctx)
        return formats


class YearType(VietnameseType):
    """A calendar year written with four digits, 1900–2100."""

    name = "NĂM"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        """Return the year as an int."""
        if isinstance(value, int):
            return value
        text = str(value).strip()
        if not text.isdigit() or not 1900 <= int(text) <= 2100:
            self.fail(f"Năm không hợp lệ: '{value}'. Hãy ghi năm 4 chữ số, ví dụ 2024.", param, ctx)
        return int(text)


class YearsType(VietnameseType):
    """A plan's years: one year ("2024") or a range ("2021-2025")."""

    name = "NĂM"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> tuple[int, int]:
        """Return (first, last) year; both the same for one year."""
        if isinstance(value, tuple):
            return value
        years = parse_years(str(value))
        if years is None:
            self.fail(f"Năm không hợp lệ: '{value}'. Hãy ghi năm 4 chữ số (ví dụ 2024) hoặc một giai đoạn "
                      f"(ví dụ 2021-2025).", param, ctx)
        return years


class WholeNumber(VietnameseType):
    """A whole number between ``low`` and ``high`` (inclusive); ``label`` names it in the message."""

    name = "SỐ"

    def __init__(self, label: str, low: int, high: int) -> None:
        self.label, self.low, self.high = label, low, high

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        """Return the number as an int."""
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            text = str(value).strip()
            number = int(text) if text.isdigit() else self.low - 1
        if not self.low <= number <= self.high:
            self.fail(f"{self.label} không hợp lệ: '{value}' (cần số nguyên từ {self.low} đến {self.high}).",
                      param, ctx)
        return number


class OneOf(VietnameseType):
    """One of a fixed list of words; ``label`` names the option in the message ("Vai trò")."""

    name = "GIÁ_TRỊ"

    def __init__(self, label: str, choices: Sequence[str]) -> None:
        self.label, self.choices = label, tuple(choices)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        """Return ``value`` when it is one of the choices."""
        if value not in self.choices:
            self.fail(f"{self.label} không hợp lệ: '{value}'. Chọn một trong: {', '.join(self.choices)}.", param, ctx)
        return value


PERIOD = PeriodType()
DAY = DayType()
FORMAT_LIST = FormatsType()
YEAR = YearType()
YEARS = YearsType()


class Assignment(VietnameseType):
    """A setting written ``KEY=VALUE`` (the value may be empty: back to the default)."""

    name = "KHÓA=GIÁ_TRỊ"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> tuple[str, str]:
        """Return (key, value)."""
        if isinstance(value, tuple):
            return value
        key, sep, text = str(value).partition("=")
        if not sep or not key.strip():
            self.fail(f"Thiết lập không hợp lệ: '{value}' (dạng KHÓA=GIÁ_TRỊ, ví dụ cutoff_day=14).", param, ctx)
        return key.strip(), text


ASSIGNMENT = Assignment()
