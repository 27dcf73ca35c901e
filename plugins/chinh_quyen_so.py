"""Area VII: Xây dựng và phát triển chính quyền điện tử, chính quyền số (e-government)."""
from __future__ import annotations

from reportsvc.plugin import (AreaSection, AreaSpec, CollectContext, IndicatorSpec, fmt, hookimpl, standard_section)

AREA = AreaSpec(
    code="VII",
    title="Xây dựng và phát triển chính quyền điện tử, chính quyền số",
    order=70,
    aliases=("Xây dựng và phát triển Chính quyền điện tử, Chính quyền số", "Chính quyền điện tử", "Chính quyền số", "Hiện đại hóa hành chính", "Chuyển đổi số",),
    keywords=("chính quyền điện tử", "chính quyền số", "Chính phủ điện tử", "Chính phủ số", "chuyển đổi số", "hiện đại hóa hành chính",),
    lead_agency="Sở Thông tin và Truyền thông",
)

INDICATORS = [
    IndicatorSpec(code="CQS_HO_SO_DIEN_TU", name="Tỷ lệ hồ sơ công việc được xử lý trên môi trường mạng", unit="%", area=AREA.code, value_type="percent", minimum=0, maximum=100, rollup="mean", default_target=90, aliases=("hồ sơ công việc",)),
    IndicatorSpec(code="CQS_HNTT_XA", name="Tỷ lệ cấp xã có điểm cầu hệ thống hội nghị trực tuyến", unit="%", area=AREA.code, value_type="percent", minimum=0, maximum=100, rollup="mean", default_target=100, aliases=("hội nghị trực tuyến",), levels=("tinh",)),
    IndicatorSpec(code="CQS_CSDL_LIEN_THONG", name="Tỷ lệ cơ sở dữ liệu của các sở, ngành được kết nối liên thông", unit="%", area=AREA.code, value_type="percent", minimum=0, maximum=100, rollup="none", default_target=70, aliases=("cơ sở dữ liệu",), levels=("tinh",)),
]


@hookimpl
def reportsvc_areas() -> list[AreaSpec]:
    """Declare area VII."""
    return [AREA]


@hookimpl
def reportsvc_indicators() -> list[IndicatorSpec]:
    """Declare the standard indicators of area VII."""
    return INDICATORS


@hookimpl
def reportsvc_collect_section(area: AreaSpec, context: CollectContext) -> AreaSection:
    """Collect area VII: the standard section plus its key figures in words."""
    section = standard_section(area, context)
    meetings = section.measured("CQS_HNTT_XA")
    if meetings is not None:
        section.paragraphs.append(
            f"Hệ thống hội nghị trực tuyến đã kết nối tới {fmt.percent(meetings.actual)} đơn vị cấp xã.")
    return section
