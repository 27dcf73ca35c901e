"""Roman numerals as Vietnamese documents number their parts, areas, quarters and annexes (I, II, … IV)."""
from __future__ import annotations

import roman as _roman


def roman(number: int) -> str:
    """Return the Roman numeral of a positive integer: 4 -> "IV"."""
    return _roman.toRoman(number)


def roman_value(text: str) -> int:
    """Return the value of a well-formed Roman numeral of I, V and X ("XIV" -> 14, up to XXXIX), or 0.

    L, C, D and M are refused on purpose: plans letter their sub-parts "A.", "B.", "C.", "D.".
    """
    if not text or set(text) - set("IVX"):
        return 0
    try:
        return _roman.fromRoman(text)
    except _roman.InvalidRomanNumeralError:
        return 0
