"""Area VI: Cải cách tài chính công (public finance, autonomy of public service units)."""
from __future__ import annotations

from reportsvc.plugin import (AreaSection, AreaSpec, CollectContext, IndicatorSpec, fmt, hookimpl, standard_section)

AREA = AreaSpec(
    code="VI",
    title="Cải cách tài chính công",
    order=60,
    aliases=("Cải cách tài chính công", "Tài chính công", "Cải cách quản lý tài chính công",),
    keywords=("tài chính công", "quản lý tài chính",),
    lead_agency="Sở Tài chính",
)

INDICATORS = [
    IndicatorSpec(code="TCC_DVSN_TU_CHU", name="Số đơn vị sự nghiệp công lập được giao quyền tự chủ tài chính", unit="đơn vị", area=AREA.code, value_type="count", minimum=0, maximum=None, rollup="sum", levels=("tinh",)),
    IndicatorSpec(code="TCC_TY_LE_TU_CHU", name="Tỷ lệ đơn vị sự nghiệp công lập được giao quyền tự chủ tài chính", unit="%", area=AREA.code, value_type="percent", minimum=0, maximum=100, rollup="none", default_target=100, aliases=("quyền tự chủ tài chính",), levels=("tinh",)),
    IndicatorSpec(code="TCC_GIAM_CHI_NSNN", name="Mức giảm chi hỗ trợ trực tiếp từ ngân sách cho đơn vị sự nghiệp công lập nhóm 3", unit="%", area=AREA.code, value_type="percent", minimum=0, maximum=100, rollup="none", default_target=2.5, aliases=("chi hỗ trợ trực tiếp",), levels=("tinh",)),
    IndicatorSpec(code="TCC_NHA_DAT", name="Tỷ lệ sắp xếp lại, xử lý nhà, đất thuộc thẩm quyền quản lý", unit="%", area=AREA.code, value_type="percent", minimum=0, maximum=100, rollup="none", default_target=85, aliases=("nhà, đất",), levels=("tinh",)),
]


@hookimpl
def reportsvc_areas() -> list[AreaSpec]:
    """Declare area VI."""
    return [AREA]


@hookimpl
def reportsvc_indicators() -> list[IndicatorSpec]:
    """Declare the standard indicators of area VI."""
    return INDICATORS


@hookimpl
def reportsvc_collect_section(area: AreaSpec, context: CollectContext) -> AreaSection:
    """Collect area VI: the standard section plus its key figures in words."""
    section = standard_section(area, context)
    autonomous = section.measured("TCC_DVSN_TU_CHU")
    if autonomous is not None:
        section.paragraphs.append(
            f"Có {fmt.number(autonomous.actual)} đơn vị sự nghiệp công lập được giao quyền tự chủ tài chính.")
    return section
