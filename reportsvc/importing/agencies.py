"""Agencies: canonical names, aliases as plans abbreviate them, and splitting of agency cells.

A name a plan writes is resolved among the unit's and its ancestors' agencies (``classify``): it is
an agency, a group placeholder ("Các sở, ban, ngành", "UBND cấp xã": never an agency), text that is
not an agency name (a product or an activity shifted into the column), a blank marker, or unknown.
Unknown names are created only when the caller asks (``get_or_create``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

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
_HEAD_SPLIT = re.compile(r",\s*(?=(?:%s)\s+\w)|\s+và\s+(?=(?:các|Các|Sở|UBND cấp|UBND các|Ủy ban nhân dân cấp|"
                         r"Ủy ban nhân dân các)\s)" % "|".join(re.escape(h) for h in AGENCY_HEADS))
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


#: Group placeholders a plan writes instead of agencies, by code: the task is assigned to all of them.
GROUPS: dict[str, str] = {
    "so": "Tất cả sở, ban, ngành",
    "huyen": "Tất cả UBND cấp huyện",
    "xa": "Tất cả UBND cấp xã",
    "all": "Tất cả cơ quan, đơn vị",
}
# A leading plural word ("Các", "Tất cả các", "Mọi"), dropped before the patterns below are tried; a plural
# that names no tier or kind ("Các cơ quan chủ trì", "Các ĐVSNCL") is the group of all.
_PLURAL = re.compile(r"^(?:tat ca(?: cac)?|toan bo(?: cac)?|cac|moi|nhung)\s+")
_GROUP_PATTERNS = (  # plural or tier words only: "UBND xã Thạch Đài" and "UBND huyện Thạch Hà" are agencies
    ("xa", re.compile(r"^(?:(?:ubnd|uy ban nhan dan|chinh quyen)\s+)?"
                      r"(?:cap xa|cac (?:xa|phuong)\b|xa\s*,\s*(?:phuong|thi tran)|xa$)")),
    ("huyen", re.compile(r"^(?:(?:ubnd|uy ban nhan dan)\s+)?(?:cap huyen|cac (?:quan|huyen|thi xa|thanh pho)\b"
                         r"|(?:quan|huyen|thi xa|thanh pho)\s*,|(?:quan|huyen)$)")),
    # "Sở, ban, ngành cấp tỉnh", "Sở, ngành liên quan", "Ban ngành", a district's "Phòng, ban chuyên môn"
    ("so", re.compile(r"^(?:(?:so|phong)\s*,?\s*(?:ban|nganh)|ban\s*,?\s*nganh|co quan chuyen mon)\b")),
    # "Cơ quan, đơn vị liên quan", "Đơn vị có liên quan", "Cơ quan, đơn vị, địa phương"
    ("all", re.compile(r"^(?:co quan|don vi)(?:\s*,\s*(?:co quan|don vi|dia phuong))*(?:\s+(?:co\s+)?lien quan)?$")),
)
_PLURAL_SO = re.compile(r"^(?:so|phong|ban|nganh)\b")  # "Các sở", "Các Sở: …", "Các phòng chuyên môn"
_BLANK_MARKS = {"", "-", "x", "khong ghi", "(khong ghi)", "khong", "chua ghi"}
_DOC_WORDS = ("ke hoach", "quyet dinh", "bao cao", "hoi nghi", "cong van", "thong bao", "nghi quyet", "van ban",
              "de an", "chuong trinh", "du thao", "to trinh", "ket luan", "huong dan", "tai lieu", "lop tap huan",
              "hoi thi", "cuoc thi", "san pham", "tin, bai", "tin bai", "bo thu tuc", "phan mem", "he thong")
_VERBS = ("xay dung", "to chuc", "ban hanh", "thuc hien", "trien khai", "tham muu", "ra soat", "kiem tra",
          "dang tai", "cap nhat", "tong hop", "danh gia", "hoan thanh", "nang cao", "tang cuong", "day manh",
          "tiep tuc", "duy tri", "phe duyet", "cong bo", "cong khai", "dao tao", "boi duong", "tuyen truyen",
          "theo doi", "giao ", "sua doi", "bo sung", "chi dao", "huong dan", "ung dung", "trinh ")
_DEADLINE_WORDS = ("quy ", "thang ", "truoc ngay", "truoc ", "thuong xuyen", "ca nam", "hang nam", "nam 20")
_PARENTHESIS = re.compile(r"\s*\([^()]*\)\s*$")
MAX_NAME_LENGTH = 90


@dataclass
class Resolution:
    """What a name written in an agency cell is: agency, group, not_agency, blank or unknown."""

    written: str
    kind: str
    agency: Agency | None = None
    group: str = ""  # a GROUPS code
    reason: str = ""  # why it is not an agency name


def lookup_text(written: str) -> str:
    """Return the name to look up: list marks and a trailing remark ("Sở Nội vụ (thẩm định)") dropped."""
    text = collapse(written).strip(" -–+•.;,")
    bare = _PARENTHESIS.sub("", text).strip(" ,.;")
    return bare or text


def group_of(written: str) -> str:
    """Return the GROUPS code of a group placeholder ("Các sở, ban, ngành" -> "so"), else "".

    Compared without case or diacritics (any Unicode normal form), with or without a leading "Các":
    "Sở, ban, ngành cấp tỉnh" and "Các UBND cấp xã" are groups as much as "Các sở, ban, ngành".
    """
    key = fold(lookup_text(written))
    rest = _PLURAL.sub("", key, count=1)
    for code, pattern in _GROUP_PATTERNS:
        if pattern.match(rest):
            return code
    if rest == key:
        return ""
    return "so" if _PLURAL_SO.match(rest) else "all"


def not_agency_reason(written: str) -> str:
    """Return why ``written`` cannot be an agency's name (too long, a document, an activity), else ""."""
    text = lookup_text(written)
    key = fold(text)
    if key in _BLANK_MARKS:
        return ""
    if any(key.startswith(word) for word in _DOC_WORDS):
        return "là tên văn bản hoặc sản phẩm, không phải cơ quan"
    if any(key.startswith(word) for word in _VERBS):
        return "là một hoạt động, không phải cơ quan"
    if any(key.startswith(word) for word in _DEADLINE_WORDS) or re.match(r"^\d", key):
        return "là thời hạn hoặc số, không phải cơ quan"
    starts_as_agency = any(key.startswith(fold(head) + " ") for head in AGENCY_HEADS)
    if not starts_as_agency and (len(text) > MAX_NAME_LENGTH or len(text.split()) > 14):
        return "quá dài để là tên cơ quan"
    return ""


def cell_problems(cell: str) -> list[str]:
    """Return the names of an agency cell that are not agency names, each with the reason."""
    problems = []
    for written in split_written(cell):
        if not group_of(written):
            reason = not_agency_reason(written)
            if reason:
                problems.append(f"'{written[:80]}' {reason}")
    return problems


def classify(session: Session, unit: Unit, written: str) -> Resolution:
    """Resolve a name written in an agency cell for a plan of ``unit`` (never creates anything)."""
    text = lookup_text(written)
    if fold(text) in _BLANK_MARKS:
        return Resolution(written, "blank")
    agency = resolve(session, unit, written) or (resolve(session, unit, text) if text != collapse(written) else None)
    if agency is not None:
        return Resolution(written, "agency", agency=agency)
    group = group_of(written)
    if group:
        return Resolution(written, "group", group=group)
    reason = not_agency_reason(written)
    if reason:
        return Resolution(written, "not_agency", reason=reason)
    return Resolution(written, "unknown")


def create(session: Session, unit: Unit, written: str) -> Agency:
    """Create the agency ``written`` names in ``unit`` (canonical name, the written form kept as alias)."""
    agency, _ = get_or_create(session, unit, lookup_text(written))
    add_alias(session, agency, written)
    return agency


def add_alias(session: Session, agency: Agency, written: str) -> None:
    """Keep ``written`` as an alias of ``agency`` in its unit unless it is its name or already an alias."""
    key = fold(collapse(written))
    if key and key != agency.key and session.scalar(select(AgencyAlias.id).where(
            AgencyAlias.unit_id == agency.unit_id, AgencyAlias.key == key)) is None \
            and session.scalar(select(Agency.id).where(Agency.unit_id == agency.unit_id, Agency.key == key)) is None:
        session.add(AgencyAlias(agency=agency, unit_id=agency.unit_id, alias=collapse(written)[:255], key=key))
        session.flush()


def scope_agencies(session: Session, unit: Unit) -> list[Agency]:
    """Return the current agencies a plan of ``unit`` may name: the unit's own, then its ancestors'."""
    found: list[Agency] = []
    for unit_id in scope_ids(unit):
        found += session.scalars(select(Agency).where(Agency.unit_id == unit_id, Agency.successor_id.is_(None))
                                 .order_by(Agency.name)).all()
    return found


def unknown_names(session: Session, unit: Unit, cells: list[str]) -> list[str]:
    """Return the names in ``cells`` that are neither an agency of the unit's scope, a group nor a row problem."""
    names: list[str] = []
    seen: set[str] = set()
    for cell in cells:
        for written in split_written(cell):
            key = fold(lookup_text(written))
            if key in seen:
                continue
            seen.add(key)
            if classify(session, unit, written).kind == "unknown":
                names.append(lookup_text(written))
    return names
