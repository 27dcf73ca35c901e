"""Area I: Công tác chỉ đạo, điều hành CCHC (direction, inspection, communication, indices)."""
from __future__ import annotations

from reportsvc.plugin import (AreaSection, AreaSpec, CollectContext, IndicatorSpec, fmt, hookimpl, standard_section)

AREA = AreaSpec(
    code="I",
    title="Công tác chỉ đạo, điều hành cải cách hành chính",
    order=10,
    aliases=("Công tác chỉ đạo, điều hành CCHC", "Chỉ đạo điều hành", "Công tác chỉ đạo điều hành", "Chỉ đạo điều hành, kiểm tra và tuyên truyền", "Công tác chỉ đạo, điều hành",),
    keywords=("chỉ đạo điều hành", "chỉ đạo", "điều hành", "tuyên truyền cải cách hành chính",),
    lead_agency="Sở Nội vụ",
    part="direction",
)

INDICATORS = [
    IndicatorSpec(code="CD_KE_HOACH", name="Tỷ lệ cơ quan, đơn vị, địa phương ban hành kế hoạch CCHC năm", unit="%", area=AREA.code, value_type="percent", minimum=0, maximum=100, rollup="mean", default_target=100, aliases=("ban hành kế hoạch", "kế hoạch CCHC năm",)),
    IndicatorSpec(code="CD_KIEM_TRA", name="Tỷ lệ cơ quan, đơn vị được kiểm tra CCHC trong năm", unit="%", area=AREA.code, value_type="percent", minimum=0, maximum=100, rollup="none", default_target=35, aliases=("được kiểm tra CCHC",), levels=("tinh",)),
    IndicatorSpec(code="CD_SANG_KIEN", name="Số sáng kiến, giải pháp mới về CCHC được áp dụng", unit="sáng kiến", area=AREA.code, value_type="count", minimum=0, maximum=None, rollup="sum", default_target=3, aliases=("sáng kiến",)),
]


@hookimpl
def reportsvc_areas() -> list[AreaSpec]:
    """Declare area I."""
    return [AREA]


@hookimpl
def reportsvc_indicators() -> list[IndicatorSpec]:
    """Declare the standard indicators of area I."""
    return INDICATORS


@hookimpl
def reportsvc_collect_section(area: AreaSpec, context: CollectContext) -> AreaSection:
    """Collect area I: the standard section plus its key figures in words."""
    section = standard_section(area, context)
    inspected = section.measured("CD_KIEM_TRA")
    if inspected is not None:
        section.paragraphs.append(
            f"Công tác kiểm tra CCHC: đã kiểm tra {fmt.percent(inspected.actual)} cơ quan, đơn vị trong kỳ.")
    return section
