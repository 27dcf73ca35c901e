"""reportsvc plugin: the area "Áp dụng Hệ thống quản lý chất lượng theo TCVN ISO 9001:2015".

Hà Tĩnh's CCHC plan has it as area VII.B ("ÁP DỤNG ISO 9001:2015"). The module is the plugin:
the ``reportsvc`` entry point ``iso9001 = "reportsvc_iso9001"`` registers it. It uses only the
public hooks and ``reportsvc.collect.context.standard_section``.
"""
from __future__ import annotations

from typing import Any

from reportsvc.plugin import (AnnexTable, AreaSection, AreaSpec, CollectContext, IndicatorSpec, Measure, Percent,
                              Report, fmt, hookimpl, standard_section)

__version__ = "0.1.0"

AREA = AreaSpec(
    code="ISO9001",
    title="Áp dụng Hệ thống quản lý chất lượng theo TCVN ISO 9001:2015",
    order=75,  # after area VII (70), as Hà Tĩnh numbers it VII.B
    aliases=("Áp dụng ISO 9001:2015", "Áp dụng ISO 9001", "TCVN ISO 9001:2015", "ISO 9001",
             "Áp dụng Hệ thống quản lý chất lượng", "Hệ thống quản lý chất lượng"),
    lead_agency="Sở Khoa học và Công nghệ",
)

INDICATORS = [
    IndicatorSpec(code="ISO_TY_LE_DUY_TRI", name="Tỷ lệ cơ quan, đơn vị duy trì ISO 9001:2015", unit="%",
                  area=AREA.code, value_type="percent", minimum=0, maximum=100, rollup="ratio",
                  numerator="ISO_SO_DUY_TRI", denominator="ISO_SO_AP_DUNG", default_target=100,
                  aliases=("duy trì ISO 9001", "duy trì hệ thống quản lý chất lượng")),
    IndicatorSpec(code="ISO_SO_AP_DUNG", name="Số cơ quan, đơn vị thuộc phạm vi áp dụng ISO 9001:2015",
                  unit="đơn vị", area=AREA.code, value_type="count", minimum=0, rollup="sum",
                  aliases=("thuộc phạm vi áp dụng",)),
    IndicatorSpec(code="ISO_SO_DUY_TRI", name="Số cơ quan, đơn vị duy trì, cải tiến Hệ thống quản lý chất lượng",
                  unit="đơn vị", area=AREA.code, value_type="count", minimum=0, rollup="sum",
                  aliases=("duy trì, cải tiến hệ thống",)),
    IndicatorSpec(code="ISO_SO_KIEM_TRA", name="Số cơ quan, đơn vị được kiểm tra việc áp dụng ISO",
                  unit="đơn vị", area=AREA.code, value_type="count", minimum=0, rollup="sum",
                  aliases=("kiểm tra việc áp dụng", "kiểm tra, đánh giá việc xây dựng và áp dụng")),
]
DERIVED = "ISO_TY_LE_DUY_TRI"  # computed from its two counts; never entered by hand



@hookimpl
def reportsvc_areas() -> list[AreaSpec]:
    """Declare the ISO 9001 area."""
    return [AREA]


@hookimpl
def reportsvc_indicators() -> list[IndicatorSpec]:
    """Declare the ISO 9001 indicators."""
    return INDICATORS


@hookimpl
def reportsvc_collect_section(area: AreaSpec, context: CollectContext) -> AreaSection:
    """Collect the ISO 9001 section: the standard section plus a paragraph on upkeep and inspections."""
    section = standard_section(area, context)
    rows = {row.code: row for row in section.indicators}
    kept, scope, checked = rows["ISO_SO_DUY_TRI"], rows["ISO_SO_AP_DUNG"], rows["ISO_SO_KIEM_TRA"]
    rate = rows[DERIVED].actual
    if kept.actual is not None and scope.actual:
        section.paragraphs.append(
            f"Đến cuối kỳ, {fmt.number(kept.actual)}/{fmt.number(scope.actual)} cơ quan, đơn vị thuộc phạm vi áp dụng "
            f"duy trì, cải tiến Hệ thống quản lý chất lượng theo TCVN ISO 9001:2015 ({fmt.percent(rate)}).")
    else:
        section.paragraphs.append("Chưa có số liệu về việc duy trì Hệ thống quản lý chất lượng theo "
                                  "TCVN ISO 9001:2015 trong kỳ.")
    if checked.actual:
        section.paragraphs.append(f"Trong kỳ đã kiểm tra việc xây dựng, áp dụng Hệ thống quản lý chất lượng "
                                  f"tại {fmt.number(checked.actual)} cơ quan, đơn vị.")
    return section


@hookimpl
def reportsvc_validate_status(area: AreaSpec | None, values: dict[str, Any]) -> list[str]:
    """Require the number of the văn bản that proves an ISO 9001 task done."""
    if area is None or area.code != AREA.code:
        return []
    if values.get("status") == "done" and not (values.get("evidence_number") or "").strip():
        return ["Nhiệm vụ ISO 9001:2015 đã hoàn thành phải ghi số, ký hiệu văn bản làm căn cứ "
                "(quyết định công bố, báo cáo kiểm tra…)."]
    return []


@hookimpl
def reportsvc_validate_indicator_value(indicator: IndicatorSpec) -> list[str]:
    """Refuse a hand-entered maintenance rate: it is computed from its two counts."""
    if indicator.code == DERIVED:
        return ["Tỷ lệ cơ quan, đơn vị duy trì ISO 9001:2015 được tính tự động từ số cơ quan, đơn vị duy trì "
                "và số cơ quan, đơn vị thuộc phạm vi áp dụng; hãy nhập hai số liệu đó."]
    return []


@hookimpl
def reportsvc_report_extras(report: Report) -> list[AnnexTable]:
    """Add an annex with the ISO 9001 indicators: target, actual, % achieved and last year."""
    iso = next((area for area in report.areas if area.code == AREA.code and not area.missing), None)
    if iso is None or not iso.indicators:
        return []
    rows = [[str(i), row.name, row.unit, Measure(row.target, row.unit), Measure(row.actual, row.unit),
             Percent(row.achieved_percent), Measure(row.last_year, row.unit)] for i, row in enumerate(iso.indicators, 1)]
    return [AnnexTable(key="iso9001", title="Kết quả áp dụng Hệ thống quản lý chất lượng theo TCVN ISO 9001:2015",
                       columns=["TT", "Chỉ tiêu", "Đơn vị tính", "Kế hoạch", "Thực hiện", "Tỷ lệ đạt",
                                "Cùng kỳ năm trước"],
                       rows=rows, widths=[0.6, 4.5, 1.3, 1.2, 1.2, 1.2, 1.4])]
