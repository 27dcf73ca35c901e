"""Vietnamese text helpers: NFC normalisation and diacritic-insensitive keys."""
from __future__ import annotations

import re
import unicodedata

_WS = re.compile(r"\s+")


def nfc(text: str | None) -> str:
    """Return ``text`` NFC-normalised with surrounding whitespace stripped ("" for None)."""
    if text is None:
        return ""
    return unicodedata.normalize("NFC", str(text)).strip()


def collapse(text: str | None) -> str:
    """Return ``text`` NFC-normalised with every run of whitespace collapsed to one space."""
    return _WS.sub(" ", nfc(text)).strip()


def fold(text: str | None) -> str:
    """Return a lower-case, diacritic-free, whitespace-collapsed key for matching ("Đ" -> "d")."""
    decomposed = unicodedata.normalize("NFD", collapse(text).lower())
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return stripped.replace("đ", "d").replace("Đ", "d")


def one_line(text: str | None) -> str:
    """Join a multi-line cell ("2.1. …\n2.2. …") into one line with "; " for running text."""
    return "; ".join(collapse(line) for line in nfc(text).splitlines() if line.strip())


def name_problem(name: str, what: str, limit: int = 255) -> str:
    """Return why a typed name cannot be stored ("Tên cơ quan không được để trống."), or "" when it can."""
    if not name:
        return f"Tên {what} không được để trống."
    if len(name) > limit:
        return f"Tên {what} dài quá {limit} ký tự."
    return ""
