"""Area III: Cải cách thủ tục hành chính (TTHC, one-stop shop, online public services)."""
from __future__ import annotations

from reportsvc.plugin import (AreaSection, AreaSpec, CollectContext, IndicatorSpec, fmt, hookimpl, standard_section)

AREA = AreaSpec(
    code="III",
    title="Cải cách thủ tục hành chính",
    order=30,
    aliases=("Cải cách thủ tục hành chính", "Cải cách TTHC", "Thủ tục hành chính", "Cải cách TTHC và thực hiện cơ chế một cửa, một cửa liên thông", "Cơ chế một cửa, một cửa liên thông",),
    keywords=("thủ tục hành chính", "TTHC", "một cửa",),
    lead_agency="Văn phòng UBND tỉnh",
)

INDICATORS = [
    IndicatorSpec(code="TTHC_HS_TIEP_NHAN", name="Tổng số hồ sơ TTHC tiếp nhận", unit="hồ sơ", area=AREA.code, value_type="count", minimum=0, maximum=None, rollup="sum"),
    IndicatorSpec(code="TTHC_HS_TRUC_TUYEN", name="Số hồ sơ TTHC nộp trực tuyến", unit="hồ sơ", area=AREA.code, value_type="count", minimum=0, maximum=None, rollup="sum"),
    IndicatorSpec(code="TTHC_TY_LE_TRUC_TUYEN", name="Tỷ lệ hồ sơ nộp trực tuyến", unit="%", area=AREA.code, value_type="percent", minimum=0, maximum=100, rollup="ratio", numerator="TTHC_HS_TRUC_TUYEN", denominator="TTHC_HS_TIEP_NHAN", default_target=70, aliases=("nộp hồ sơ trực tuyến", "hồ sơ trực tuyến đạt",)),
    IndicatorSpec(code="TTHC_TY_LE_TOAN_TRINH", name="Tỷ lệ hồ sơ nộp trực tuyến toàn trình", unit="%", area=AREA.code, value_type="percent", minimum=0, maximum=100, rollup="mean", default_target=90, aliases=("trực tuyến toàn trình",)),
    IndicatorSpec(code="TTHC_HS_DA_GIAI_QUYET", name="Số hồ sơ TTHC đã giải quyết", unit="hồ sơ", area=AREA.code, value_type="count", minimum=0, maximum=None, rollup="sum"),
    IndicatorSpec(code="TTHC_HS_DUNG_HAN", name="Số hồ sơ TTHC giải quyết đúng hạn", unit="hồ sơ", area=AREA.code, value_type="count", minimum=0, maximum=None, rollup="sum"),
    IndicatorSpec(code="TTHC_TY_LE_DUNG_HAN", name="Tỷ lệ hồ sơ TTHC giải quyết đúng hạn", unit="%", area=AREA.code, value_type="percent", minimum=0, maximum=100, rollup="ratio", numerator="TTHC_HS_DUNG_HAN", denominator="TTHC_HS_DA_GIAI_QUYET", default_target=98, aliases=("giải quyết đúng hạn", "đúng hạn",)),
    IndicatorSpec(code="TTHC_THANH_TOAN_TRUC_TUYEN", name="Tỷ lệ giao dịch thanh toán trực tuyến phí, lệ phí", unit="%", area=AREA.code, value_type="percent", minimum=0, maximum=100, rollup="mean", default_target=50, aliases=("thanh toán trực tuyến",)),
    IndicatorSpec(code="TTHC_SO_HOA", name="Tỷ lệ số hóa kết quả giải quyết TTHC", unit="%", area=AREA.code, value_type="percent", minimum=0, maximum=100, rollup="mean", default_target=90, aliases=("số hóa kết quả",)),
    IndicatorSpec(code="TTHC_HAI_LONG", name="Mức độ hài lòng của người dân, doanh nghiệp về giải quyết TTHC", unit="%", area=AREA.code, value_type="percent", minimum=0, maximum=100, rollup="mean", default_target=94, aliases=("mức độ hài lòng",)),
]


@hookimpl
def reportsvc_areas() -> list[AreaSpec]:
    """Declare area III."""
    return [AREA]


@hookimpl
def reportsvc_indicators() -> list[IndicatorSpec]:
    """Declare the standard indicators of area III."""
    return INDICATORS


@hookimpl
def reportsvc_collect_section(area: AreaSpec, context: CollectContext) -> AreaSection:
    """Collect area III: the standard section plus its key figures in words."""
    section = standard_section(area, context)
    received = section.measured("TTHC_HS_TIEP_NHAN")
    online = section.measured("TTHC_TY_LE_TRUC_TUYEN")
    if received is not None and online is not None:
        section.paragraphs.append(
            f"Bộ phận Một cửa các cấp đã tiếp nhận {fmt.number(received.actual)} hồ sơ TTHC, "
            f"trong đó tỷ lệ hồ sơ nộp trực tuyến đạt {fmt.percent(online.actual)}.")
    return section
