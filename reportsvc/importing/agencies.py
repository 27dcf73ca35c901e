"""Agencies: canonical names, aliases as plans abbreviate them, and splitting of agency cells."""
from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from reportsvc.db.models import Agency, AgencyAlias
from reportsvc.vn.text import collapse, fold, nfc

# Abbreviations seen in real plans -> canonical name (shared/seeds/README.md).
ALIASES: dict[str, str] = {
    "Sở TTTT": "Sở Thông tin và Truyền thông",
    "Sở TT&TT": "Sở Thông tin và Truyền thông",
    "Sở TT và TT": "Sở Thông tin và Truyền thông",
    "VP UBND tỉnh": "Văn phòng UBND tỉnh",
    "Văn phòng Ủy ban nhân dân tỉnh": "Văn phòng UBND tỉnh",
    "Văn phòng UBND thành phố": "Văn phòng UBND thành phố",
    "VP UBND thành phố": "Văn phòng UBND thành phố",
    "Sở KH&CN": "Sở Khoa học và Công nghệ",
    "Sở KHCN": "Sở Khoa học và Công nghệ",
    "Sở KH&ĐT": "Sở Kế hoạch và Đầu tư",
    "Sở KHĐT": "Sở Kế hoạch và Đầu tư",
    "Sở LĐTBXH": "Sở Lao động, Thương binh và Xã hội",
    "Sở LĐ-TB&XH": "Sở Lao động, Thương binh và Xã hội",
    "Sở GD&ĐT": "Sở Giáo dục và Đào tạo",
    "Sở GDĐT": "Sở Giáo dục và Đào tạo",
    "Sở TN&MT": "Sở Tài nguyên và Môi trường",
    "Sở TNMT": "Sở Tài nguyên và Môi trường",
    "Sở NN&PTNT": "Sở Nông nghiệp và Phát triển nông thôn",
    "Sở VHTTDL": "Sở Văn hóa, Thể thao và Du lịch",
    "Sở VH,TT&DL": "Sở Văn hóa, Thể thao và Du lịch",
    "Sở GTVT": "Sở Giao thông vận tải",
    "Ban QLKKT": "Ban Quản lý Khu kinh tế tỉnh",
    "Trung tâm PVHCC tỉnh": "Trung tâm Phục vụ hành chính công tỉnh",
    "Đài PT-TH tỉnh": "Đài Phát thanh - Truyền hình tỉnh",
    "Đài PTTH tỉnh": "Đài Phát thanh - Truyền hình tỉnh",
    "Công an tỉnh": "Công an tỉnh",
    "Kho bạc Nhà nước tỉnh": "Kho bạc Nhà nước tỉnh",
    "KBNN tỉnh": "Kho bạc Nhà nước tỉnh",
    # more abbreviations seen in plans (issue 4)
    "Sở TT-TT": "Sở Thông tin và Truyền thông",
    "Sở TT & TT": "Sở Thông tin và Truyền thông",
    "Sở KH và CN": "Sở Khoa học và Công nghệ",
    "Sở KH & CN": "Sở Khoa học và Công nghệ",
    "Sở KH và ĐT": "Sở Kế hoạch và Đầu tư",
    "Sở KH & ĐT": "Sở Kế hoạch và Đầu tư",
    "Sở LĐTB&XH": "Sở Lao động, Thương binh và Xã hội",
    "Sở LĐ,TB&XH": "Sở Lao động, Thương binh và Xã hội",
    "Sở GD và ĐT": "Sở Giáo dục và Đào tạo",
    "Sở TN và MT": "Sở Tài nguyên và Môi trường",
    "Sở NN và PTNT": "Sở Nông nghiệp và Phát triển nông thôn",
    "Sở VH,TT và DL": "Sở Văn hóa, Thể thao và Du lịch",
    "Sở VH-TT&DL": "Sở Văn hóa, Thể thao và Du lịch",
    "Sở VHTT&DL": "Sở Văn hóa, Thể thao và Du lịch",
    "Văn phòng UBND TP": "Văn phòng UBND thành phố",
    "VP UBND TP": "Văn phòng UBND thành phố",
    "VPUBND tỉnh": "Văn phòng UBND tỉnh",
    "Đài PT&TH tỉnh": "Đài Phát thanh - Truyền hình tỉnh",
    "Đài Phát thanh và Truyền hình tỉnh": "Đài Phát thanh - Truyền hình tỉnh",
    "BHXH tỉnh": "Bảo hiểm xã hội tỉnh",
    "TTPVHCC tỉnh": "Trung tâm Phục vụ hành chính công tỉnh",
    "Trung tâm Phục vụ HCC tỉnh": "Trung tâm Phục vụ hành chính công tỉnh",
}
_ALIAS_KEYS = {fold(alias): name for alias, name in ALIASES.items()}
_SPLIT = re.compile(r"\s*(?:;|\n|\r)\s*")
# Words that open an agency's name. A comma followed by one of them (capitalised, then another
# word) separates two agencies: "Sở Nội vụ, Sở Tư pháp". Commas inside a name are never followed
# by one: "Sở Lao động, Thương binh và Xã hội", "Các sở, ban, ngành", "Các Sở, Ban, ngành".
AGENCY_HEADS = ("Sở", "UBND", "Ủy ban", "Uỷ ban", "Văn phòng", "VP", "Ban", "Công an", "Bộ Chỉ huy", "Đài",
                "Báo", "Kho bạc", "KBNN", "Trung tâm", "Thanh tra", "Bảo hiểm", "BHXH", "Cục", "Chi cục",
                "Liên đoàn", "Tỉnh đoàn", "Thành đoàn", "Hội", "Viện", "Trường", "Bộ", "Phòng", "Tòa án",
                "Viện kiểm sát", "Ngân hàng", "Cổng")
_HEAD_SPLIT = re.compile(r",\s*(?=(?:%s)\s+\w)" % "|".join(re.escape(h) for h in AGENCY_HEADS))
_PEOPLES_COMMITTEE = re.compile(r"\b(?:Ủy|Uỷ) ban nhân dân\b", re.IGNORECASE)


def canonical_name(text: str) -> str:
    """Return the canonical name of an agency as written (an alias or already canonical).

    "Ủy ban nhân dân" is written "UBND" ("Văn phòng Ủy ban nhân dân tỉnh" -> "Văn phòng UBND tỉnh").
    """
    name = collapse(text).strip(" -–.;,")
    if fold(name) in _ALIAS_KEYS:
        return _ALIAS_KEYS[fold(name)]
    name = _PEOPLES_COMMITTEE.sub("UBND", name)
    return _ALIAS_KEYS.get(fold(name), name)


def split_written(cell: str) -> list[str]:
    """Split an agency cell into the names as written (not canonicalised), see ``split_agencies``."""
    written: list[str] = []
    for chunk in _SPLIT.split(nfc(cell or "")):
        parts: list[str] = []
        for part in _HEAD_SPLIT.split(chunk.strip().lstrip("-–+• ").strip()):
            first, comma, rest = part.partition(",")
            if comma and fold(first.strip()) in _ALIAS_KEYS:  # "Sở TTTT, các cơ quan liên quan"
                parts.extend([first, rest])
            else:
                parts.append(part)
        for part in parts:
            part = collapse(part.strip().lstrip("-–+• ")).strip(" -–.;,")
            if part:
                written.append(part)
    return written


def split_agencies(cell: str) -> list[str]:
    """Split an agency cell into canonical names.

    Splits on ";", line breaks, and a comma that starts another agency's name ("Sở Nội vụ,
    Sở Tư pháp"); never on the commas inside a name ("Sở Lao động, Thương binh và Xã hội").
    Leading list marks ("- ", "+ ") are dropped.
    """
    names: list[str] = []
    for part in split_written(cell):
        name = canonical_name(part)
        if name and name not in names:
            names.append(name)
    return names


def get_or_create(session: Session, name: str) -> Agency:
    """Return the agency for a name or alias, creating it (with the alias recorded) if new."""
    written = collapse(name)
    canonical = canonical_name(written)
    key = fold(canonical)
    agency = session.scalar(select(Agency).where(Agency.key == key))
    if agency is None:
        alias = session.scalar(select(AgencyAlias).where(AgencyAlias.key == fold(written)))
        if alias is not None:
            return alias.agency
        agency = Agency(name=canonical, key=key)
        session.add(agency)
        session.flush()
    if fold(written) != key and session.scalar(select(AgencyAlias).where(AgencyAlias.key == fold(written))) is None:
        session.add(AgencyAlias(agency=agency, alias=written, key=fold(written)))
        session.flush()
    return agency
