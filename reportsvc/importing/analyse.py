"""Reading a plan file into a ParsedPlan: checks, reader, layout, area matching, targets, warnings."""
from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reportsvc.importing.deadlines import parse_deadline, years_in_title, years_label
from reportsvc.areas.matching import match_area, words
from reportsvc.importing import agencies
from reportsvc.importing.errors import PlanImportError
from reportsvc.importing.identity import read_identity
from reportsvc.importing.layout import LOOKED_FOR, group_rows
from reportsvc.importing.model import ParsedArea, ParsedItem, ParsedPlan
from reportsvc.importing.pdf import DEFAULT_MAX_PAGES, DEFAULT_SECONDS, pdf_blocks
from reportsvc.importing.readers import Block, read_blocks
from reportsvc.importing.safety import check_size, check_upload, display_name
from reportsvc.importing.targets import extract_targets, section_texts
from reportsvc.vn.text import collapse

if TYPE_CHECKING:  # pragma: no cover
    from reportsvc.config import Settings
    from reportsvc.hooks.registry import PluginRegistry

DEFAULT_MAX_UPLOAD_MB = 20.0
DEFAULT_MAX_UNZIPPED_MB = 200.0
_TITLE_WORDS = ("ke hoach", "khung", "danh muc", "nhiem vu", "chuong trinh")


def read_source(source: bytes | bytearray | str | Path, filename: str | None, max_upload_mb: float) -> tuple[bytes, str]:
    """Return the bytes and the file name of an upload given as bytes or as a path (size checked first)."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source), filename or "tệp tải lên"
    path = Path(source)
    name = filename or path.name
    try:
        if not path.is_file():
            raise PlanImportError(f"Không tìm thấy tệp '{path}'.")
        check_size(path.stat().st_size, name, max_upload_mb)
        return path.read_bytes(), name
    except OSError as exc:
        raise PlanImportError(f"Không đọc được tệp '{path}': {exc.strerror or exc}.") from None


def analyse_plan(source: bytes | str | Path, filename: str | None, registry: "PluginRegistry | Any",
                 settings: "Settings | None" = None, year: int | tuple[int, int] | None = None) -> ParsedPlan:
    """Read a plan file (bytes or path) into a ParsedPlan; writes nothing, raises PlanImportError.

    ``year`` is the plan's year or (first, last) years; None reads them from the document's title.
    """
    max_upload = settings.max_upload_mb if settings else DEFAULT_MAX_UPLOAD_MB
    max_unzipped = settings.max_unzipped_mb if settings else DEFAULT_MAX_UNZIPPED_MB
    data, filename = read_source(source, filename, max_upload)
    name = display_name(filename)
    kind = check_upload(data, filename, max_upload, max_unzipped, allow_pdf=True)
    if kind == "pdf":
        blocks = pdf_blocks(data, name, settings.max_pdf_pages if settings else DEFAULT_MAX_PAGES,
                            settings.pdf_seconds if settings else DEFAULT_SECONDS)
    else:
        blocks = read_blocks(data, kind, name)
    layout = group_rows(blocks)
    if layout.columns is None:
        raise PlanImportError(f"Không tìm thấy bảng kế hoạch trong tệp '{name}'. Cần một dòng tiêu đề bảng "
                              f"có các cột: {LOOKED_FOR}.")
    plan = ParsedPlan(filename=name, sha256=hashlib.sha256(data).hexdigest(), kind=kind,
                      title=_title(layout.title_lines), areas=layout.areas, warnings=list(layout.warnings),
                      identity=read_identity(layout.head_lines))
    if plan.total_rows == 0:
        raise PlanImportError(f"Bảng kế hoạch trong tệp '{name}' không có nhiệm vụ nào được đánh số ở cột TT/STT.")
    areas = list(getattr(registry, "areas", []) or [])
    indicators = dict(getattr(registry, "indicators", {}) or {})
    _match_areas(plan, areas)
    plan.years, plan.years_source = plan_years(year, plan.title, layout.title_lines)
    _check_items(plan, plan.years[0])
    _check_agency_cells(plan)
    plan.targets = extract_targets(_target_sources(plan, blocks, areas), indicators, areas)
    return plan


def plan_years(given: int | tuple[int, int] | None, title: str, lines: list[str]) -> tuple[tuple[int, int], str]:
    """Return the plan's (first, last) years and where they came from ("option" or "title").

    Years given are checked against the title and refused, naming both, when they differ. Without
    them the title is read, then the other title-like lines above the table; none found is refused.
    """
    written = years_in_title(title)
    wanted = (given, given) if isinstance(given, int) else (tuple(given) if given else None)
    if wanted is not None:
        if written is not None and written != wanted:
            raise PlanImportError(f"Năm nhập ({years_label(wanted)}) không khớp với năm ghi trong văn bản "
                                  f"({years_label(written)}, tiêu đề: '{title}'). Hãy sửa năm nhập, hoặc bỏ trống "
                                  f"để dùng năm của văn bản.")
        return (wanted[0], wanted[1]), "option"
    for line in ([] if written else lines):
        if len(line) <= 300 and not line.startswith("(") and any(w in words(line) for w in _TITLE_WORDS) \
                and not collapse(line).lower().startswith(("căn cứ", "thực hiện", "theo")):
            written = years_in_title(line)
            if written:
                break
    if written is None:
        raise PlanImportError("Không đọc được năm của kế hoạch trong tiêu đề văn bản. Hãy ghi năm nhập (tham số "
                              "--year hoặc ô 'Năm kế hoạch'), ví dụ 2024 hoặc 2021-2025.")
    return written, "title"


def _title(lines: list[str]) -> str:
    """Pick the plan's title among the lines above its table: an upper-case one first, else the nearest."""
    candidates = [collapse(line) for line in lines if 15 < len(line) <= 300 and not line.startswith("(")
                  and not line.endswith("./.") and any(w in words(line) for w in _TITLE_WORDS)]
    upper = [line for line in candidates if line == line.upper()]
    if upper:
        return upper[0]
    return candidates[-1] if candidates else ""


def _label(area: ParsedArea) -> str:
    return f"{area.numeral}. {area.title}" if area.numeral else area.title


def _match_areas(plan: ParsedPlan, areas: list[Any]) -> None:
    for area in plan.areas:
        spec = match_area(area.title, areas) if area.title else None
        area.area_code = spec.code if spec else None
        if not area.numeral and not area.title:
            plan.warnings.append(f"{len(area.items)} nhiệm vụ đứng trước tiêu đề lĩnh vực đầu tiên; "
                                 f"được xếp vào một lĩnh vực riêng không tên.")
        elif spec is None:
            plan.warnings.append(f"Lĩnh vực '{_label(area)}' không khớp với lĩnh vực nào đã khai báo; "
                                 f"được giữ là lĩnh vực riêng.")
        if not area.items and not area.has_subareas:
            plan.warnings.append(f"Lĩnh vực '{_label(area)}' không có nhiệm vụ nào.")


def _check_agency_cells(plan: ParsedPlan) -> None:
    """Flag lead cells that are not agency names (a product or an activity shifted into the column)."""
    for area in plan.areas:
        for item in area.items:
            problems = agencies.cell_problems(item.lead)
            if problems:
                item.problems.append(f"Ô Cơ quan chủ trì không phải tên cơ quan: {'; '.join(problems)}.")
            for problem in item.problems:
                where = f"{area.numeral}/{item.number}" if area.numeral else item.number
                plan.warnings.append(f"Dòng {item.row} (nhiệm vụ {where}): {problem}")


def _latest_deadline(item: ParsedItem, year: int) -> None:
    """Give a task of several activities the deadline of its last-ending activity."""
    written = [a.deadline for a in item.activities if a.deadline]
    if len(set(written)) < 2:
        return
    parsed = [(parse_deadline(text, year), text) for text in written]
    dated = [(d.end, text) for d, text in parsed if d.end is not None]
    if dated:
        item.deadline = max(dated)[1]


def _check_items(plan: ParsedPlan, year: int) -> None:
    unknown: list[str] = []
    for area in plan.areas:
        for item in area.items:
            _latest_deadline(item, year)
        counts = Counter(item.number.rstrip(".):") for item in area.items)
        repeated = [number for number, count in counts.items() if count > 1]
        if repeated:
            plan.warnings.append(f"Lĩnh vực '{_label(area)}' có số thứ tự lặp lại: {', '.join(repeated[:10])}.")
        for item in area.items:
            if item.deadline and parse_deadline(item.deadline, year).kind == "unknown":
                unknown.append(f"{area.numeral}/{item.number}" if area.numeral else item.number)
    if unknown:
        more = " …" if len(unknown) > 10 else ""
        plan.warnings.append(f"Không đọc được thời hạn của {len(unknown)} nhiệm vụ (đã giữ nguyên văn bản): "
                             f"{', '.join(unknown[:10])}{more}.")


def _target_sources(plan: ParsedPlan, blocks: list[Block], areas: list[Any]) -> list[tuple[str, str | None]]:
    paragraphs = [b.text for b in blocks if b.kind == "para"]
    sources = section_texts(paragraphs, areas)
    seen: set[str] = set()
    for area in plan.areas:
        for item in area.items:
            if item.objective and item.objective not in seen:
                seen.add(item.objective)
                sources.append((item.objective, area.area_code))
    return sources
