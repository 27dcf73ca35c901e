"""Drop-in plugin: the reform area "Triển khai thực hiện phân cấp quản lý nhà nước".

Put this file in a folder and start reportsvc with ``--plugins-dir FOLDER`` (or set
REPORTSVC_PLUGINS_DIR=FOLDER). The file name, ``phan_cap``, is the plugin's name.
"""
from __future__ import annotations

from typing import Any

from reportsvc.plugin import (AreaSection, AreaSpec, Chart, ChartSeries, CollectContext, IndicatorSpec, Report, fmt, hookimpl, standard_section)

AREA = AreaSpec(
    code="PHAN_CAP",
    title="Triển khai thực hiện phân cấp quản lý nhà nước",
    order=45,  # after IV (tổ chức bộ máy, 40) and before V (chế độ công vụ, 50)
    aliases=("Phân cấp quản lý nhà nước", "Thực hiện phân cấp", "Phân cấp, phân quyền"),
    lead_agency="Sở Nội vụ",
)

INDICATORS = [
    IndicatorSpec(code="PC_SO_NHIEM_VU", name="Số nhiệm vụ, thẩm quyền được phân cấp cho chính quyền cấp xã",
                  unit="nhiệm vụ", area=AREA.code, value_type="count", rollup="sum",
                  aliases=("nhiệm vụ, thẩm quyền được phân cấp",)),
    IndicatorSpec(code="PC_TY_LE_RA_SOAT", name="Tỷ lệ văn bản phân cấp được rà soát, đánh giá",
                  unit="%", area=AREA.code, value_type="percent", maximum=100, rollup="mean",
                  default_target=100, aliases=("văn bản phân cấp được rà soát",)),
]


@hookimpl
def reportsvc_areas() -> list[AreaSpec]:
    """Declare the phân cấp area."""
    return [AREA]


@hookimpl
def reportsvc_indicators() -> list[IndicatorSpec]:
    """Declare the phân cấp indicators."""
    return INDICATORS


@hookimpl
def reportsvc_collect_section(area: AreaSpec, context: CollectContext) -> AreaSection:
    """Collect the section the standard way, then add a sentence about what was delegated."""
    section = standard_section(area, context)
    delegated = next(row for row in section.indicators if row.code == "PC_SO_NHIEM_VU")
    if delegated.actual:
        section.paragraphs.append(f"Trong kỳ đã phân cấp {fmt.number(delegated.actual)} nhiệm vụ, "
                                  f"thẩm quyền cho chính quyền cấp xã.")
    return section


@hookimpl
def reportsvc_validate_status(area: AreaSpec | None, values: dict[str, Any]) -> list[str]:
    """A finished phân cấp task must say what was delegated."""
    if area is None or area.code != AREA.code:
        return []  # other areas are not this plugin's business
    if values["status"] == "done" and not (values.get("result") or "").strip():
        return ["Nhiệm vụ phân cấp đã hoàn thành phải nêu kết quả (nội dung, thẩm quyền đã phân cấp)."]
    return []


@hookimpl
def reportsvc_validate_indicator_value(indicator: IndicatorSpec, unit_code: str, period_key: str) -> list[str]:
    """Phân cấp figures are entered per quarter; half-year and year figures are derived."""
    if indicator.area == AREA.code and "-Q" not in period_key:
        return [f"Số liệu '{indicator.name}' của đơn vị {unit_code} chỉ nhập theo quý (ví dụ 2024-Q4), "
                f"không nhập cho kỳ {period_key}."]
    return []


@hookimpl
def reportsvc_report_extras(report: Report) -> list[Chart]:
    """Add a chart of the phân cấp indicators against their targets (read from the report, not the database)."""
    area = next((a for a in report.areas if a.code == AREA.code and not a.missing), None)
    rows = [row for row in area.indicators if row.actual is not None and row.target] if area else []
    if not rows:
        return []
    return [Chart(key="phan_cap", title="Kết quả phân cấp quản lý nhà nước so với kế hoạch", kind="bar",
                  categories=[row.code for row in rows], unit="%",
                  series=[ChartSeries("Kế hoạch", [100.0] * len(rows)),
                          ChartSeries("Thực hiện", [row.achieved_percent or 0.0 for row in rows])])]
