"""Area V: Cải cách chế độ công vụ (civil service)."""
from __future__ import annotations

from reportsvc.plugin import (AreaSection, AreaSpec, CollectContext, IndicatorSpec, fmt, hookimpl, standard_section)

AREA = AreaSpec(
    code="V",
    title="Cải cách chế độ công vụ",
    order=50,
    aliases=("Cải cách chế độ công vụ", "Chế độ công vụ", "Xây dựng và nâng cao chất lượng đội ngũ cán bộ, công chức, viên chức",),
    keywords=("chế độ công vụ", "công vụ", "cán bộ, công chức, viên chức",),
    lead_agency="Sở Nội vụ",
)

INDICATORS = [
    IndicatorSpec(code="CV_CBCC_XA_DAI_HOC", name="Tỷ lệ cán bộ, công chức cấp xã có trình độ đại học trở lên", unit="%", area=AREA.code, value_type="percent", minimum=0, maximum=100, rollup="mean", default_target=85, aliases=("cấp xã có trình độ đại học",)),
    IndicatorSpec(code="CV_NGOAI_NGU", name="Tỷ lệ cán bộ, công chức lãnh đạo dưới 40 tuổi giao tiếp được bằng ngoại ngữ", unit="%", area=AREA.code, value_type="percent", minimum=0, maximum=100, rollup="none", default_target=50, aliases=("ngoại ngữ",), levels=("tinh",)),
]


@hookimpl
def reportsvc_areas() -> list[AreaSpec]:
    """Declare area V."""
    return [AREA]


@hookimpl
def reportsvc_indicators() -> list[IndicatorSpec]:
    """Declare the standard indicators of area V."""
    return INDICATORS


@hookimpl
def reportsvc_collect_section(area: AreaSpec, context: CollectContext) -> AreaSection:
    """Collect area V: the standard section plus its key figures in words."""
    section = standard_section(area, context)
    degree = section.measured("CV_CBCC_XA_DAI_HOC")
    if degree is not None:
        section.paragraphs.append(
            f"Chất lượng đội ngũ: {fmt.percent(degree.actual)} cán bộ, công chức cấp xã có trình độ đại học trở lên.")
    return section
