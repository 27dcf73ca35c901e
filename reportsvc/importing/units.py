"""The list of administrative units as the statistics office publishes it, read from CSV or XLSX.

Two layouts are read:

- **tall**: one row per unit with its code, name, level and parent's code ("Mã", "Tên", "Cấp",
  "Mã cấp trên", or code/name/kind/parent);
- **wide**: one row per commune with its province's code and name beside it, and its district's
  in lists from before July 2025 ("Mã TP", "Tỉnh / Thành phố", "Mã QH", "Quận Huyện", "Mã PX",
  "Phường Xã", "Cấp").

The official codes are the unit codes. Reading checks everything before anything is stored:
kinds, duplicate codes, parents (in the file or already stored) of the right tier.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from reportsvc.areas.matching import words
from reportsvc.errors import UserError
from reportsvc.importing.readers import Row, read_blocks
from reportsvc.importing.safety import check_upload, display_name
from reportsvc.vn.text import collapse, nfc
from reportsvc.vn.units import KINDS, LEVEL_NAMES, full_name, kind_from_name, kind_of, level_of

TALL = {"code": ("ma", "code", "ma don vi", "ma dvhc", "ma so"),
        "name": ("ten", "name", "ten don vi", "ten dvhc"),
        "kind": ("cap", "kind", "level", "loai", "cap hanh chinh"),
        "parent": ("ma cap tren", "parent", "parent code", "ma don vi cap tren", "ma dv cap tren")}
WIDE = {"province_code": ("ma tp", "ma tinh", "ma tinh thanh pho"),
        "province": ("tinh thanh pho", "tinh", "ten tinh", "tinh tp"),
        "district_code": ("ma qh", "ma quan huyen", "ma huyen"),
        "district": ("quan huyen", "huyen", "ten huyen", "quan huyen thi xa"),
        "code": ("ma px", "ma phuong xa", "ma xa"),
        "name": ("phuong xa", "xa", "ten xa", "xa phuong", "phuong xa dac khu"),
        "kind": ("cap",)}
EXPECTED = ("cột 'Mã', 'Tên', 'Cấp', 'Mã cấp trên' (hoặc code, name, kind, parent), hoặc cột 'Mã TP', "
            "'Tỉnh / Thành phố', 'Mã PX', 'Phường Xã', 'Cấp' (danh mục cũ thêm 'Mã QH', 'Quận Huyện')")
KIND_CHOICES = ", ".join(kind.label for kind in KINDS.values())


class UnitListError(UserError):
    """The unit list cannot be read or is inconsistent; nothing was stored."""


@dataclass
class UnitRow:
    """One unit as the list gives it, with the line it was read from (1-based, header included)."""

    code: str
    name: str
    kind: str
    parent_code: str | None
    line: int


@dataclass
class UnitList:
    """The units of a list, parents before children, and the layout they were read in."""

    layout: str  # "tall" | "wide"
    units: list[UnitRow] = field(default_factory=list)


def _columns(row: Row, wanted: dict[str, tuple[str, ...]]) -> dict[str, int]:
    """Return the index of each wanted column found in a header row."""
    keys = [words(cell) for cell in row.cells]
    found: dict[str, int] = {}
    for role, names in wanted.items():
        for index, key in enumerate(keys):
            if key in names and index not in found.values():
                found[role] = index
                break
    return found


def _code(text: str) -> str:
    """Return a code as written, without spaces (official codes keep their leading zeros)."""
    return "".join(str(text or "").split())


def read_unit_list(data: bytes, filename: str, max_upload_mb: float = 20, max_unzipped_mb: float = 200,
                   existing: dict[str, tuple[str, int]] | None = None) -> UnitList:
    """Read and check a unit list; ``existing`` maps stored codes to (name, tier) for parents not in the file."""
    name = display_name(filename)
    kind = check_upload(data, filename, max_upload_mb, max_unzipped_mb)
    if kind not in ("csv", "xlsx"):
        raise UnitListError(f"Tệp '{name}' phải là CSV (UTF-8) hoặc XLSX.")
    for block in read_blocks(data, kind, name):
        for index, row in enumerate(block.rows[:10]):
            wide = _columns(row, WIDE)
            if {"province_code", "province", "code", "name"} <= wide.keys():
                return _checked(UnitList("wide", _wide(block.rows[index + 1:], wide, index + 2)), existing or {})
            tall = _columns(row, TALL)
            if {"code", "name", "kind"} <= tall.keys():
                return _checked(UnitList("tall", _tall(block.rows[index + 1:], tall, index + 2)), existing or {})
    raise UnitListError(f"Tệp '{name}' không đúng mẫu danh mục đơn vị hành chính: cần {EXPECTED}.")


def _cell(row: Row, columns: dict[str, int], role: str) -> str:
    index = columns.get(role)
    return collapse(nfc(row.cells[index])) if index is not None and index < len(row.cells) else ""


def _kind(text: str, line: int, name: str) -> str:
    found = kind_of(text)
    if found is None:
        raise UnitListError(f"Dòng {line}: cấp '{text}' của '{name}' không hợp lệ (cần một trong: {KIND_CHOICES}).")
    return found


def _tall(rows: list[Row], columns: dict[str, int], first_line: int) -> list[UnitRow]:
    units = []
    for line, row in enumerate(rows, first_line):
        code, name = _code(_cell(row, columns, "code")), _cell(row, columns, "name")
        kind_text, parent = _cell(row, columns, "kind"), _code(_cell(row, columns, "parent"))
        if not (code or name or kind_text or parent):
            continue
        if not code or not name:
            raise UnitListError(f"Dòng {line}: thiếu mã hoặc tên đơn vị.")
        units.append(UnitRow(code, name, _kind(kind_text, line, name), parent or None, line))
    return units


def _wide(rows: list[Row], columns: dict[str, int], first_line: int) -> list[UnitRow]:
    """Split commune rows into provinces, districts (older lists) and communes, each once."""
    seen: dict[str, UnitRow] = {}
    units: list[UnitRow] = []

    def add(code: str, name: str, kind: str | None, level: int, parent: str | None, line: int) -> None:
        if kind is None:
            raise UnitListError(f"Dòng {line}: không nhận ra {LEVEL_NAMES[level]} của '{name}' "
                                f"(tên phải bắt đầu bằng {', '.join(k.word for k in KINDS.values() if k.level == level)}).")
        earlier = seen.get(code)
        if earlier is None:
            seen[code] = UnitRow(code, name, kind, parent, line)
            units.append(seen[code])
        elif (earlier.name, earlier.parent_code) != (name, parent) and level < 3:
            raise UnitListError(f"Dòng {line}: mã '{code}' ghi tên '{name}', khác với dòng {earlier.line} ('{earlier.name}').")
        elif level == 3:
            raise UnitListError(f"Dòng {line}: mã '{code}' đã dùng ở dòng {earlier.line}.")

    for line, row in enumerate(rows, first_line):
        values = {role: _cell(row, columns, role) for role in WIDE}
        if not any(values.values()):
            continue
        province_code, province = _code(values["province_code"]), values["province"]
        district_code, district = _code(values["district_code"]), values["district"]
        code, name = _code(values["code"]), values["name"]
        if not (province_code and province and code and name):
            raise UnitListError(f"Dòng {line}: thiếu mã hoặc tên tỉnh, thành phố hay đơn vị cấp xã.")
        add(province_code, province, kind_from_name(province, 1), 1, None, line)
        parent = province_code
        if district_code and district:
            add(district_code, district, kind_from_name(district, 2), 2, province_code, line)
            parent = district_code
        kind = _kind(values["kind"], line, name) if values["kind"] else kind_from_name(name, 3)
        add(code, name, kind, 3, parent, line)
    return units


def _checked(parsed: UnitList, existing: dict[str, tuple[str, int]]) -> UnitList:
    """Refuse duplicate codes, unknown parents, parents of a wrong tier and cycles; order parents first."""
    by_code: dict[str, UnitRow] = {}
    for unit in parsed.units:
        if unit.code in by_code:
            raise UnitListError(f"Dòng {unit.line}: mã '{unit.code}' đã dùng ở dòng {by_code[unit.code].line}.")
        by_code[unit.code] = unit
    for unit in parsed.units:
        level = level_of(unit.kind)
        label = f"{full_name(unit.name, unit.kind)} ({unit.code})"
        if unit.parent_code is None:
            if level != 1:
                raise UnitListError(f"Dòng {unit.line}: {label} là đơn vị {LEVEL_NAMES[level]} nhưng thiếu mã cấp trên.")
            continue
        if level == 1:
            raise UnitListError(f"Dòng {unit.line}: {label} là đơn vị cấp tỉnh, không có cấp trên "
                                f"(ghi mã cấp trên '{unit.parent_code}').")
        if unit.parent_code == unit.code:
            raise UnitListError(f"Dòng {unit.line}: {label} ghi chính nó làm cấp trên (vòng lặp).")
        parent = by_code.get(unit.parent_code)
        if parent is not None:
            parent_name, parent_level = full_name(parent.name, parent.kind), level_of(parent.kind)
        elif unit.parent_code in existing:
            parent_name, parent_level = existing[unit.parent_code]
        else:
            raise UnitListError(f"Dòng {unit.line}: {label} có mã cấp trên '{unit.parent_code}' không có trong tệp "
                                f"hay trong cơ sở dữ liệu.")
        if parent_level >= level:
            raise UnitListError(f"Dòng {unit.line}: {label} là đơn vị {LEVEL_NAMES[level]}, không thể trực thuộc "
                                f"{parent_name} ({unit.parent_code}) là đơn vị {LEVEL_NAMES[parent_level]}.")
    # Tiers strictly decrease towards the root, so there is no cycle; parents come first.
    parsed.units.sort(key=lambda unit: (level_of(unit.kind), unit.line))
    return parsed
