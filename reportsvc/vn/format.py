"""Numbers and dates for vi_VN: Babel for numbers, the administrative form for dates."""
from __future__ import annotations

from datetime import date

from babel.numbers import format_decimal

LOCALE = "vi_VN"


def number(value: float | int | None, digits: int = 1) -> str:
    """Format a number the Vietnamese way, "1.234,5"; at most ``digits`` decimals; "" for None."""
    if value is None:
        return ""
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=LOCALE)


def percent(value: float | None, digits: int = 1) -> str:
    """Format a value already in percent units (94.5) as "94,5%"; "" for None."""
    if value is None:
        return ""
    return number(value, digits) + "%"


def measure(value: float | None, unit: str) -> str:
    """Format a value with its unit of measure: "94,5%" or "1.234 hồ sơ"; "" for None."""
    if value is None:
        return ""
    return percent(value) if unit == "%" else f"{number(value)} {unit}".strip()


def admin_date(day: date) -> str:
    """Return "ngày 05 tháng 01 năm 2024": day < 10 and months 1–2 zero-padded (NĐ 30/2020)."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def short_date(day: date | None) -> str:
    """Return "05/01/2024" as written in the body of documents; "" for None."""
    return day.strftime("%d/%m/%Y") if day else ""


def doc_number(number: int | None, symbol: str) -> str:
    """Return "Số: 05/BC-UBND" (numbers below 10 zero-padded) or a blank draft number."""
    if number is None:
        return f"Số:        /{symbol}"
    return f"Số: {number:02d}/{symbol}"


DOCUMENT_KINDS = {"KH": "Kế hoạch", "QĐ": "Quyết định", "BC": "Báo cáo", "ĐA": "Đề án", "CT": "Chỉ thị",
                  "TB": "Thông báo", "NQ": "Nghị quyết", "HD": "Hướng dẫn", "CTr": "Chương trình"}


def document_reference(number: str, day: date | None, title: str = "") -> str:
    """Return "Kế hoạch số 74/KH-UBND ngày 05/04/2024 về …", the kind read from the symbol."""
    symbol = number.split("/", 1)[1] if "/" in number else ""
    kind = DOCUMENT_KINDS.get(symbol.split("-", 1)[0], "Văn bản") if "-" in symbol else "Văn bản"
    text = f"{kind} số {number}"
    if day:
        text += f" ngày {short_date(day)}"
    if title:
        text += f" về {title[0].lower() + title[1:]}" if not title[:2].isupper() else f" về {title}"
    return text
