"""Numbers typed the Vietnamese way ("1.234,5", "94,5%"), read with Babel's vi_VN rules.

A dot groups thousands and a comma starts the decimals (``babel.numbers.parse_decimal`` with
``strict=True``, so "1.23" is not silently read as 123). One leniency is kept from the forms'
first version: a single dot that cannot be a thousands separator ("94.5", "0.125") is a decimal
point. Spaces, non-breaking spaces and a trailing "%" are ignored. NaN, infinities, exponents
and absurdly large numbers are refused with a Vietnamese message.
"""
from __future__ import annotations

import math
import re
from decimal import Decimal

from babel.numbers import NumberFormatError, format_decimal, parse_decimal

LOCALE = "vi_VN"
LARGEST = Decimal(2) ** 53
"""Beyond this a float no longer holds every whole number; no indicator comes near it."""

_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_DIGITS = re.compile(r"[-+]?(?=[\d.,]*\d)[\d.,]+")
_DECIMAL_POINT = re.compile(r"[-+]?\d*\.\d+")


class NumberError(ValueError):
    """Text that is not a number written the Vietnamese way; ``str(error)`` is the reason, a Vietnamese clause
    ("giá trị phải là một số, nhận được 'nhiều'") for the caller to prefix with what was being entered."""


def parse_number(text: str) -> float:
    """Return the number written ``text`` ("1.234,5", "94,5%", "94.5"); raise NumberError otherwise."""
    value = _SPACES.sub("", text or "").removesuffix("%")
    if not value:
        raise NumberError("chưa nhập giá trị")
    if not _DIGITS.fullmatch(value):
        raise NumberError(f"giá trị phải là một số, nhận được '{text}'")
    try:
        number = parse_decimal(value, locale=LOCALE, strict=True)
    except NumberFormatError:
        if not _DECIMAL_POINT.fullmatch(value):
            raise NumberError(f"giá trị phải là một số viết đúng cách (dấu chấm phân cách hàng nghìn, dấu phẩy "
                              f"trước phần thập phân, ví dụ 1.234,5), nhận được '{text}'") from None
        number = Decimal(value)
    check_magnitude(number, text)
    return float(number)


def check_magnitude(number: Decimal | float | int, shown: str | None = None) -> None:
    """Raise NumberError when a finite number is too large for an indicator (at least 2**53 in size).

    JSON numbers such as 1e24 or 100000000000000000000000000 reach here unparsed; NaN and infinities are
    left to the indicator checks, which name them.
    """
    if isinstance(number, float) and not math.isfinite(number):
        return
    if abs(number) >= LARGEST:
        raise NumberError(f"giá trị lớn quá mức cho phép, nhận được '{number if shown is None else shown}'")


def form_text(value: float | int | None) -> str:
    """Return a stored number as typed back into a form: "94,5", "1234" (no grouping); "" for None."""
    if value is None:
        return ""
    return format_decimal(value, format="0.####", locale=LOCALE)
