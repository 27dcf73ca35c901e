"""The report's outline (parts I–V) drafted in Vietnamese from the collected areas.

Every drafted text can be replaced by the officer's draft for the same section key.
"""
from __future__ import annotations

import re

from reportsvc.vn import format as fmt
from reportsvc.periods import Period
from reportsvc.report.model import AreaSection, NarrativeSection
from reportsvc.vn.text import one_line

# Section keys an officer can edit, with their headings (part II adds one key per area: "II.<code>").
# The opening basis ("mo_dau") has no heading in the report; the editor shows its label.
EDITABLE = {
    "mo_dau": "Căn cứ báo cáo (đoạn mở đầu)",
    "I": "I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CẢI CÁCH HÀNH CHÍNH",
    "III.uu_diem": "1. Ưu điểm",
    "III.han_che": "2. Tồn tại, hạn chế",
    "III.nguyen_nhan": "3. Nguyên nhân",
    "IV": "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI",
    "V": "V. KIẾN NGHỊ, ĐỀ XUẤT",
}


PLACEHOLDER_START = "[Đề nghị bổ sung:"
_PLACEHOLDER = re.compile(r"\[Đề nghị bổ sung:[^\]]*\]")


def placeholder(what: str) -> str:
    """Return the visibly marked gap an officer fills in where the data do not tell: "[Đề nghị bổ sung: …]"."""
    return f"{PLACEHOLDER_START} {what}]"


def placeholders_in(text: str) -> list[str]:
    """Return the placeholders left in a text, in order."""
    return _PLACEHOLDER.findall(text)


def split_paragraphs(text: str) -> list[str]:
    """Split an officer's text into paragraphs on blank lines (single newlines are kept as spaces)."""
    return [" ".join(block.split()) for block in text.replace("\r\n", "\n").split("\n\n") if block.strip()]


def _section(key: str, heading: str, drafted: list[str], drafts: dict[str, str]) -> NarrativeSection:
    if key in drafts and drafts[key].strip():
        return NarrativeSection(key, heading, split_paragraphs(drafts[key]), edited=True)
    return NarrativeSection(key, heading, drafted)


def area_body(area: AreaSection) -> list[str]:
    """Return an area's paragraphs, or the note that stands in for a missing section."""
    return [area.missing] if area.missing else list(area.paragraphs)


def outline(areas: list[AreaSection], period: Period, drafts: dict[str, str],
            opening: list[str] | None = None) -> list[NarrativeSection]:
    """Return the opening basis (no heading) and parts I–V of the report."""
    direction = [a for a in areas if a.part == "direction"]
    results = [a for a in areas if a not in direction]
    basis = _section("mo_dau", "", opening or [], drafts)
    part_one = _section("I", EDITABLE["I"], [p for a in direction for p in area_body(a)] or [placeholder(
        "các văn bản chỉ đạo, điều hành, kiểm tra, tuyên truyền về CCHC đã ban hành, thực hiện trong kỳ")], drafts)
    part_two = NarrativeSection("II", "II. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH")
    for index, area in enumerate(results, 1):
        part_two.subsections.append(_section(f"II.{area.code}", f"{index}. {area.title}", area_body(area), drafts))
    part_three = NarrativeSection("III", "III. ĐÁNH GIÁ CHUNG", subsections=[
        _section("III.uu_diem", EDITABLE["III.uu_diem"], strengths(areas), drafts),
        _section("III.han_che", EDITABLE["III.han_che"], weaknesses(areas), drafts),
        _section("III.nguyen_nhan", EDITABLE["III.nguyen_nhan"], causes(areas), drafts),
    ])
    part_four = _section("IV", EDITABLE["IV"], next_tasks(areas, period), drafts)
    part_five = _section("V", EDITABLE["V"], [placeholder("kiến nghị, đề xuất với cấp trên (nếu không có, ghi "
                                                          "“Không có”)")], drafts)
    return [basis, part_one, part_two, part_three, part_four, part_five]


def _totals(areas: list[AreaSection]) -> tuple[int, int, int]:
    total = sum(len(a.tasks) for a in areas)
    done = sum(a.done() for a in areas)
    overdue = sum(len(a.overdue) for a in areas)
    return total, done, overdue


def strengths(areas: list[AreaSection]) -> list[str]:
    """Draft "ưu điểm": overall completion and the indicators that met their targets."""
    total, done, _ = _totals(areas)
    paragraphs = []
    if total:
        paragraphs.append(f"Đã hoàn thành {done}/{total} nhiệm vụ theo kế hoạch ({fmt.percent(done / total * 100)}).")
    met = [row for a in areas for row in a.indicators
           if row.achieved_percent is not None and row.achieved_percent >= 100]
    if met:
        paragraphs.append("Các chỉ tiêu đạt và vượt kế hoạch: " + "; ".join(
            f"{row.name} ({fmt.measure(row.actual, row.unit)})" for row in met) + ".")
    return paragraphs or [placeholder("những ưu điểm, kết quả nổi bật trong kỳ")]


def weaknesses(areas: list[AreaSection]) -> list[str]:
    """Draft "tồn tại, hạn chế": overdue tasks, missing sections and indicators below target."""
    _, _, overdue = _totals(areas)
    paragraphs = []
    if overdue:
        paragraphs.append(f"Còn {overdue} nhiệm vụ quá hạn chưa hoàn thành.")
    below = [row for a in areas for row in a.indicators
             if row.achieved_percent is not None and row.achieved_percent < 100]
    if below:
        paragraphs.append("Một số chỉ tiêu chưa đạt kế hoạch: " + "; ".join(
            f"{row.name} ({fmt.measure(row.actual, row.unit)}/{fmt.measure(row.target, row.unit)})"
            for row in below) + ".")
    missing = [a.title for a in areas if a.missing]
    if missing:
        paragraphs.append("Chưa tổng hợp được số liệu các lĩnh vực: " + "; ".join(missing) + ".")
    return paragraphs or [placeholder("tồn tại, hạn chế trong kỳ (nếu không có, ghi “Không có”)")]


def causes(areas: list[AreaSection]) -> list[str]:
    """Draft "nguyên nhân" from which agencies lead the overdue tasks."""
    leads = sorted({task.lead for a in areas for task in a.overdue if task.lead})
    if not leads:
        return [placeholder("nguyên nhân khách quan, chủ quan của tồn tại, hạn chế (nếu có)")]
    return ["Một số cơ quan chủ trì chưa hoàn thành nhiệm vụ đúng thời hạn: " + "; ".join(leads) + ".",
            placeholder("nguyên nhân chủ quan, khách quan")]


def next_tasks(areas: list[AreaSection], period: Period) -> list[str]:
    """Draft part IV from the tasks due in the next period and the overdue ones."""
    paragraphs = [f"Trong {period.next().label}, tập trung thực hiện các nhiệm vụ sau:"]
    for area in areas:
        due = area.overdue + [t for t in area.upcoming if t not in area.overdue]
        for task in due[:4]:
            paragraphs.append(f"- {one_line(task.title)} (chủ trì: {one_line(task.lead)}; "
                              f"thời hạn: {one_line(task.deadline)}).")
    if len(paragraphs) == 1:
        paragraphs.append("- " + placeholder("nhiệm vụ trọng tâm kỳ tới"))
    return paragraphs


def opening_basis(plan: str, request: str, issuer: str, period: Period) -> list[str]:
    """Return the opening paragraph: the plan (and the superior body's request) the report answers.

    ``plan`` is the plan's citation ("Kế hoạch số 11/KH-UBND ngày 21/01/2025 của Ủy ban nhân dân xã …
    về …"), ``request`` the request named in the unit's settings ("" when none), ``issuer`` the body
    that reports ("Ủy ban nhân dân xã …").
    """
    cited = f"Thực hiện {plan}" + (f"; {request.rstrip(' .;')}" if request else "")
    return [f"{cited}, {issuer} báo cáo kết quả thực hiện công tác cải cách hành chính {period.label} như sau:"]
