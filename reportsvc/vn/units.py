"""Kinds of administrative units as the law and the statistics office name them, and their authorities.

Since 1 July 2025 local government has two tiers: tỉnh or thành phố trực thuộc trung ương, then
xã, phường or đặc khu. Plans and lists from before name the district tier (huyện, quận, thị xã,
thành phố thuộc tỉnh) and thị trấn, so those kinds are kept for history.
"""
from __future__ import annotations

from dataclasses import dataclass

from reportsvc.vn.text import fold


@dataclass(frozen=True)
class UnitKind:
    """A kind of unit: its key, its name in running text, the word its units' names start with, its tier."""

    key: str
    label: str  # "thành phố trực thuộc trung ương"
    word: str  # how a unit's own name starts: "thành phố" in "Thành phố Hà Nội"
    level: int  # 1 province tier, 2 district tier (before 2025), 3 commune tier
    aliases: tuple[str, ...] = ()  # other ways lists write the kind ("Thành phố Trung ương")


KINDS: dict[str, UnitKind] = {kind.key: kind for kind in (
    UnitKind("tinh", "tỉnh", "tỉnh", 1),
    UnitKind("tp_tw", "thành phố trực thuộc trung ương", "thành phố", 1,
             ("thành phố trung ương", "thành phố tw", "tp trung ương", "thành phố trực thuộc tw")),
    UnitKind("huyen", "huyện", "huyện", 2),
    UnitKind("quan", "quận", "quận", 2),
    UnitKind("thi_xa", "thị xã", "thị xã", 2),
    UnitKind("tp_thuoc_tinh", "thành phố thuộc tỉnh", "thành phố", 2,
             ("thành phố", "thành phố thuộc thành phố trung ương", "thành phố thuộc thành phố")),
    UnitKind("xa", "xã", "xã", 3),
    UnitKind("phuong", "phường", "phường", 3),
    UnitKind("thi_tran", "thị trấn", "thị trấn", 3),
    UnitKind("dac_khu", "đặc khu", "đặc khu", 3),
)}
LEVEL_NAMES = {1: "cấp tỉnh", 2: "cấp huyện", 3: "cấp xã"}
CURRENT_KINDS = ("tinh", "tp_tw", "xa", "phuong", "dac_khu")

_BY_NAME = {fold(name): kind.key for kind in KINDS.values() for name in (kind.key, kind.label, *kind.aliases)}
_ENGLISH = {"province": "tinh", "city": "tp_tw", "municipality": "tp_tw", "district": "huyen",
            "urban district": "quan", "town": "thi_xa", "provincial city": "tp_thuoc_tinh", "commune": "xa",
            "ward": "phuong", "township": "thi_tran", "special zone": "dac_khu"}


def kind_of(text: str) -> str | None:
    """Return the kind key a list writes as ``text`` ("Thành phố Trung ương" -> "tp_tw", "Phường" -> "phuong")."""
    key = fold(" ".join(str(text or "").split()))
    return _BY_NAME.get(key) or _ENGLISH.get(key)


def kind_from_name(name: str, level: int) -> str | None:
    """Return the kind a unit's name announces at a tier ("Thành phố Huế", 1 -> "tp_tw"; "Quận 1", 2 -> "quan")."""
    folded = fold(name)
    found = [kind for kind in KINDS.values() if kind.level == level and folded.startswith(fold(kind.word) + " ")]
    return max(found, key=lambda kind: len(kind.word)).key if found else None


def kind_label(kind: str) -> str:
    """Return the kind's name in running text ("phường"); the key itself if unknown."""
    return KINDS[kind].label if kind in KINDS else kind


def level_of(kind: str) -> int:
    """Return the tier of a kind: 1 province, 2 district (before 2025), 3 commune."""
    return KINDS[kind].level


def proper_name(name: str, kind: str) -> str:
    """Return the name without its kind word: ("Phường Ba Đình", "phuong") -> "Ba Đình"."""
    word = KINDS[kind].word if kind in KINDS else ""
    text = " ".join(name.split())
    if word and fold(text).startswith(fold(word) + " "):
        return text[len(word) + 1:].strip()
    return text


def full_name(name: str, kind: str) -> str:
    """Return the name as reports write it, the kind word first in lower case: "phường Ba Đình"."""
    word = KINDS[kind].word if kind in KINDS else ""
    return f"{word} {proper_name(name, kind)}".strip()


def authority(name: str, kind: str) -> str:
    """Return the people's committee of a unit in capitals: "ỦY BAN NHÂN DÂN ĐẶC KHU PHÚ QUỐC"."""
    return f"ỦY BAN NHÂN DÂN {full_name(name, kind).upper()}"
