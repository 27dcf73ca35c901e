"""Agencies: canonical names, aliases as plans abbreviate them, and splitting of agency cells."""
from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from reportsvc.db.models import Agency, AgencyAlias, Unit
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


def scope_ids(unit: Unit) -> list[int]:
    """Return the ids of the units whose agencies a plan of ``unit`` may name: the unit, then its ancestors."""
    ids: list[int] = []
    node: Unit | None = unit
    while node is not None:
        ids.append(node.id)
        node = node.parent
    return ids


def resolve(session: Session, unit: Unit, written: str) -> Agency | None:
    """Return the agency a plan of ``unit`` means by ``written``: the unit's own first, then its province's.

    Looked up by canonical name (the shared abbreviations applied) and by the aliases kept for
    each unit. A merged agency resolves to its successor.
    """
    text = collapse(written)
    keys = {fold(canonical_name(text)), fold(text)}
    for unit_id in scope_ids(unit):
        agency = session.scalar(select(Agency).where(Agency.unit_id == unit_id, Agency.key.in_(keys)))
        if agency is None:
            alias = session.scalar(select(AgencyAlias).where(AgencyAlias.unit_id == unit_id,
                                                             AgencyAlias.key.in_(keys)))
            agency = alias.agency if alias is not None else None
        if agency is not None:
            while agency.successor is not None:
                agency = agency.successor
            return agency
    return None


def get_or_create(session: Session, unit: Unit, name: str) -> tuple[Agency, bool]:
    """Return the agency ``unit``'s plans mean by ``name`` and whether it was created (in ``unit``).

    The caller reports every created agency: none is created silently.
    """
    written = collapse(name)
    agency = resolve(session, unit, written)
    created = agency is None
    if agency is None:
        canonical = canonical_name(written)
        agency = Agency(name=canonical, key=fold(canonical), unit_id=unit.id)
        session.add(agency)
        session.flush()
    if fold(written) != agency.key and session.scalar(select(AgencyAlias.id).where(
            AgencyAlias.unit_id == agency.unit_id, AgencyAlias.key == fold(written))) is None:
        session.add(AgencyAlias(agency=agency, unit_id=agency.unit_id, alias=written, key=fold(written)))
        session.flush()
    return agency, created
