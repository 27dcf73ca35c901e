"""Area II: Cải cách thể chế (legal documents, VBQPPL)."""
from __future__ import annotations

from reportsvc.plugin import (AreaSection, AreaSpec, CollectContext, IndicatorSpec, fmt, hookimpl, standard_section)

AREA = AreaSpec(
    code="II",
    title="Cải cách thể chế",
    order=20,
    aliases=("Cải cách thể chế", "Thể chế", "Xây dựng và tổ chức thi hành pháp luật",),
    keywords=("thể chế", "văn bản quy phạm pháp luật", "thi hành pháp luật",),
    lead_agency="Sở Tư pháp",
)

INDICATORS = [
    IndicatorSpec(code="TC_VBQPPL_BAN_HANH", name="Số văn bản quy phạm pháp luật được ban hành", unit="văn bản", area=AREA.code, value_type="count", minimum=0, maximum=None, rollup="sum", aliases=("văn bản quy phạm pháp luật được ban hành",), levels=("tinh",)),
    IndicatorSpec(code="TC_VBQPPL_RA_SOAT", name="Tỷ lệ văn bản QPPL được rà soát, sửa đổi, bổ sung hoặc thay thế theo kết quả rà soát", unit="%", area=AREA.code, value_type="percent", minimum=0, maximum=100, rollup="mean", default_target=95, aliases=("được sửa đổi, bổ sung hoặc thay thế", "được rà soát",), levels=("tinh",)),
    IndicatorSpec(code="TC_QUY_DINH_CHI_TIET", name="Tỷ lệ nội dung được giao quy định chi tiết được triển khai kịp thời", unit="%", area=AREA.code, value_type="percent", minimum=0, maximum=100, rollup="none", default_target=90, aliases=("quy định chi tiết",), levels=("tinh",)),
]


@hookimpl
def reportsvc_areas() -> list[AreaSpec]:
    """Declare area II."""
    return [AREA]


@hookimpl
def reportsvc_indicators() -> list[IndicatorSpec]:
    """Declare the standard indicators of area II."""
    return INDICATORS


@hookimpl
def reportsvc_collect_section(area: AreaSpec, context: CollectContext) -> AreaSection:
    """Collect area II: the standard section plus its key figures in words."""
    section = standard_section(area, context)
    issued = section.measured("TC_VBQPPL_BAN_HANH")
    if issued is not None:
        section.paragraphs.append(f"Trong kỳ đã ban hành {fmt.number(issued.actual)} văn bản quy phạm pháp luật.")
    return section
