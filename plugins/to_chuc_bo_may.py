"""Area IV: Cải cách tổ chức bộ máy (organisation, staffing quotas)."""
from __future__ import annotations

from reportsvc.plugin import (AreaSection, AreaSpec, CollectContext, IndicatorSpec, fmt, hookimpl, standard_section)

AREA = AreaSpec(
    code="IV",
    title="Cải cách tổ chức bộ máy hành chính nhà nước",
    order=40,
    aliases=("Cải cách tổ chức bộ máy", "Tổ chức bộ máy", "Cải cách tổ chức bộ máy hành chính",),
    keywords=("tổ chức bộ máy", "bộ máy hành chính", "bộ máy",),
    lead_agency="Sở Nội vụ",
)

INDICATORS = [
    IndicatorSpec(code="BM_GIAM_BIEN_CHE_CC", name="Số biên chế công chức giảm so với năm trước", unit="biên chế", area=AREA.code, value_type="count", minimum=0, maximum=None, rollup="sum", default_target=28, aliases=("giảm biên chế công chức", "biên chế công chức",), levels=("tinh",)),
    IndicatorSpec(code="BM_GIAM_BIEN_CHE_VC", name="Số biên chế viên chức giảm so với năm trước", unit="biên chế", area=AREA.code, value_type="count", minimum=0, maximum=None, rollup="sum", default_target=531, aliases=("biên chế viên chức",), levels=("tinh",)),
    IndicatorSpec(code="BM_DVSN_SAP_XEP", name="Tỷ lệ đơn vị sự nghiệp công lập hoàn thành sắp xếp, kiện toàn theo Đề án", unit="%", area=AREA.code, value_type="percent", minimum=0, maximum=100, rollup="none", default_target=100, aliases=("sắp xếp", "kiện toàn",), levels=("tinh",)),
]


@hookimpl
def reportsvc_areas() -> list[AreaSpec]:
    """Declare area IV."""
    return [AREA]


@hookimpl
def reportsvc_indicators() -> list[IndicatorSpec]:
    """Declare the standard indicators of area IV."""
    return INDICATORS


@hookimpl
def reportsvc_collect_section(area: AreaSpec, context: CollectContext) -> AreaSection:
    """Collect area IV: the standard section plus its key figures in words."""
    section = standard_section(area, context)
    cut = [row for row in section.indicators if row.code.startswith("BM_GIAM") and row.actual is not None]
    if cut:
        section.paragraphs.append("Tinh giản biên chế: " + "; ".join(
            f"{row.name.lower()} {fmt.number(row.actual)} {row.unit}" for row in cut) + ".")
    return section
