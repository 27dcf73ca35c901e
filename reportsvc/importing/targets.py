"""Numeric targets (chỉ tiêu) taken out of a plan's text: "đạt 70%", "giảm 28 biên chế", "tối thiểu 80%".

Sources: the "Mục tiêu/Chỉ tiêu" column of the task table and, in a DOCX, the paragraphs of the
"CÁC CHỈ TIÊU CHỦ YẾU" section (up to the next Roman-numbered section). Each text is cut into
clauses at ";" and each clause with a target number becomes one target:

- a clause naming an indicator a plugin declared (``IndicatorSpec.aliases``, longest phrase
  wins) gets that indicator's code and the number nearest the phrase, of the right kind
  (percent for "%" indicators, a count otherwise);
- any other clause gets a generated code ``KH_01``, ``KH_02`` … and its first target number.

An indicator code is used once per plan (the first clause wins). Numbers that are years,
document numbers ("60/2021/NĐ-CP") or item labels ("1.4.") are never targets.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from reportsvc.areas.matching import match_area, words
from reportsvc.importing.model import ParsedTarget
from reportsvc.areas.declarations import AreaSpec, IndicatorSpec
from reportsvc.vn.text import collapse

_NUMBER = r"\d+(?:[.,]\d+)*"
_PERCENT = re.compile(rf"(?<![\d/.,])(?P<num>{_NUMBER})\s*%")
_COUNT = re.compile(
    rf"(?:đạt|tối thiểu|ít nhất|giảm|tăng|thêm|có|từ|trên|phấn đấu|khoảng|tổ chức)\s+(?:có\s+|từ\s+)?"
    rf"(?P<num>{_NUMBER})(?:\s*(?:đến|-)\s*{_NUMBER})?(?![\d/%.,]|\s*%)\s+(?P<unit>[^\W\d_]+(?:\s+[^\W\d_]+)?)",
    re.IGNORECASE)
_LEADING_COUNT = re.compile(r"^(?P<num>\d{1,6})(?![\d/%.,])\s+(?P<unit>[^\W\d_]+(?:\s+[^\W\d_]+)?)")
_ITEM_LABEL = re.compile(r"^\s*(?:[-+•]\s*)?\d+(?:\.\d+)*\.?\s+")
_SECTION = re.compile(r"^(?:[ivx]+ )?(?:cac )?chi tieu chu yeu\b")
_TOP_SECTION = re.compile(r"^[IVX]+\.\s")
_SUBHEADING = re.compile(r"^\d{1,2}\.\s+(?P<title>[^\d%]{3,80})$")


@dataclass
class Number:
    """A target number found in a clause."""

    value: float
    unit: str
    start: int
    percent: bool


def to_float(text: str) -> float:
    """Read a Vietnamese number: "2,5" -> 2.5, "1.234" -> 1234.0, "1.234,5" -> 1234.5."""
    if "," in text:
        return float(text.replace(".", "").replace(",", "."))
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", text):
        return float(text.replace(".", ""))
    return float(text)


def _is_year(value: float, raw: str) -> bool:
    return raw.isdigit() and len(raw) == 4 and 1900 <= value <= 2100


def find_numbers(clause: str) -> list[Number]:
    """Return the target numbers of a clause in order: percentages and counts after a target word."""
    found: dict[int, Number] = {}
    for match in _PERCENT.finditer(clause):
        found[match.start("num")] = Number(to_float(match.group("num")), "%", match.start("num"), True)
    for match in list(_COUNT.finditer(clause)) + list(_LEADING_COUNT.finditer(clause)):
        raw = match.group("num")
        value = to_float(raw)
        if match.start("num") in found or _is_year(value, raw):
            continue
        unit = match.group("unit").strip()
        if words(unit).split(" ")[0] in ("nam", "thang", "quy", "ngay"):
            continue
        found[match.start("num")] = Number(value, unit, match.start("num"), False)
    return [found[k] for k in sorted(found)]


def clauses(text: str) -> list[str]:
    """Split a chỉ tiêu text into clauses at ";" and line breaks, dropping item labels ("1.4.")."""
    parts = re.split(r"\s*(?:;|\n)\s*", text or "")
    return [_ITEM_LABEL.sub("", collapse(p)).strip(" .") for p in parts if collapse(p)]


def _best_indicator(clause: str, indicators: Iterable[IndicatorSpec]) -> tuple[IndicatorSpec | None, int]:
    key = f" {words(clause)} "
    best: tuple[int, IndicatorSpec | None, int] = (0, None, -1)
    for spec in indicators:
        for phrase in spec.aliases:
            needle = words(phrase)
            if needle and f" {needle} " in key and len(needle) > best[0]:
                best = (len(needle), spec, _position(clause, phrase))
    return best[1], best[2]


def _position(clause: str, phrase: str) -> int:
    index = clause.lower().find(phrase.lower())
    return index if index >= 0 else 0


def section_texts(paragraphs: list[str], areas: list[AreaSpec]) -> list[tuple[str, str | None]]:
    """Return (text, area code) of the paragraphs of the "CHỈ TIÊU CHỦ YẾU" section, lines re-joined."""
    out: list[tuple[str, str | None]] = []
    inside = False
    area_code: str | None = None
    for paragraph in paragraphs:
        key = words(paragraph)
        if not inside:
            inside = bool(_SECTION.match(key)) and len(key) < 60
            continue
        if _TOP_SECTION.match(paragraph):
            break
        sub = _SUBHEADING.match(paragraph)
        if sub and not find_numbers(paragraph):
            spec = match_area(sub.group("title"), areas)
            area_code = spec.code if spec else None
            continue
        if out and not re.search(r"[.;:!?]$", out[-1][0]) and not _ITEM_LABEL.match(paragraph):
            out[-1] = (f"{out[-1][0]} {paragraph}", out[-1][1])
        else:
            out.append((paragraph, area_code))
    return out


def _duplicate(clause: str, value: float, accepted: list[tuple[float, set[str]]]) -> bool:
    """Return True when an accepted clause has the same number and mostly the same words."""
    tokens = set(words(clause).split())
    for other_value, other in accepted:
        if other_value == value and tokens and other:
            if len(tokens & other) / len(tokens | other) >= 0.5:
                return True
    return False


def extract_targets(sources: list[tuple[str, str | None]], indicators: dict[str, IndicatorSpec],
                    areas: Iterable[AreaSpec] = ()) -> list[ParsedTarget]:
    """Turn (text, area code) sources into targets, one per clause with a target number.

    A clause repeating an earlier one (same number, mostly the same words, as when a plan lists
    its chỉ tiêu both in the text and in the table) is skipped.
    """
    targets: list[ParsedTarget] = []
    used: set[str] = set()
    accepted: list[tuple[float, set[str]]] = []
    area_specs = list(areas)
    generated = 0
    for text, area_code in sources:
        for clause in clauses(text):
            numbers = find_numbers(clause)
            if not numbers:
                continue
            spec, position = _best_indicator(clause, indicators.values())
            if spec is not None:
                wanted = [n for n in numbers if n.percent == (spec.unit == "%")] or numbers
                first = min(wanted, key=lambda n: (abs(n.start - position), n.start < position))
            else:
                first = numbers[0]
            if _duplicate(clause, first.value, accepted):
                continue
            accepted.append((first.value, set(words(clause).split())))
            if spec is not None and spec.code not in used:
                used.add(spec.code)
                targets.append(ParsedTarget(spec.code, spec.name, clause, first.value,
                                            spec.unit, spec.area, matched=True))
                continue
            generated += 1
            guess = match_area(clause, area_specs) if area_code is None else None
            targets.append(ParsedTarget(f"KH_{generated:02d}", clause[:500], clause, first.value, first.unit,
                                        area_code or (guess.code if guess else None)))
    return targets
