"""Matching an area heading as a plan writes it to the area a plugin declared.

Areas are matched by title, never by numeral alone: Hà Tĩnh's "III. CẢI CÁCH TTHC VÀ THỰC HIỆN
CƠ CHẾ MỘT CỬA…" is the TTHC area whatever its number. The heading is compared, ignoring case
and diacritics and on word boundaries, with each AreaSpec's title and aliases; the longest
phrase found wins. When no such phrase is found, the areas' declared ``keywords`` (shorter
words such as "TTHC" or "một cửa") are tried, the longest found winning. No match: the caller
keeps the heading as a custom area (``PlanArea.area_code = None``).
"""
from __future__ import annotations

import re
from typing import Iterable

from reportsvc.vn.text import fold

from reportsvc.areas.declarations import AreaSpec

def words(text: str) -> str:
    """Return the folded text with punctuation turned into single spaces ("Cải cách TTHC," -> "cai cach tthc")."""
    return re.sub(r"[^a-z0-9]+", " ", fold(text)).strip()


def _contains(haystack: str, needle: str) -> bool:
    return bool(needle) and f" {needle} " in f" {haystack} "


def match_area(title: str, areas: Iterable[AreaSpec]) -> AreaSpec | None:
    """Return the declared area whose title or an alias appears in ``title`` (longest wins), or None."""
    key = words(title)
    if not key:
        return None
    best: tuple[int, int, AreaSpec | None] = (0, 0, None)
    specs = list(areas)
    for position, spec in enumerate(specs):
        for phrase in (spec.title, *spec.aliases):
            needle = words(phrase)
            score = 0
            if _contains(key, needle):
                score = len(needle)
            elif len(key) >= 6 and _contains(needle, key):
                score = len(key)
            if score > best[0] or (score == best[0] and score and position < best[1]):
                best = (score, position, spec)
    if best[2] is not None:
        return best[2]
    found: tuple[int, AreaSpec | None] = (0, None)
    for spec in specs:
        for keyword in map(words, spec.keywords):
            if _contains(key, keyword) and len(keyword) > found[0]:
                found = (len(keyword), spec)
    return found[1]
