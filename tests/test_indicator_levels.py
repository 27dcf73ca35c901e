"""Indicators for each level (issue 15, item 3): a commune's report lists only its tier's indicators,
the province's report keeps the province-only ones and rolls the communes' up."""
from __future__ import annotations

import pytest

from reportsvc.hooks.registry import PluginError, build_registry
from reportsvc.periods import parse_period
from reportsvc.plugin import AreaSpec, IndicatorSpec, hookimpl, standard_section
from reportsvc.report.build import build_report
from reportsvc.services.runtime import Services


def codes(report) -> set[str]:  # noqa: ANN001 - a Report
    """Return the indicator codes a report lists."""
    return {row.code for area in report.areas for row in area.indicators}


def test_a_commune_report_lists_only_commune_level_indicators(demo_services: Services) -> None:
    registry = demo_services.registry
    province_only = {code for code, spec in registry.indicators.items() if spec.levels == ("tinh",)}
    assert {"TC_VBQPPL_BAN_HANH", "BM_GIAM_BIEN_CHE_CC", "CQS_CSDL_LIEN_THONG"} <= province_only
    with demo_services.sessions() as session:
        commune = build_report(session, registry, "HT-TH-TD", parse_period("2024-Y"))
        province = build_report(session, registry, "HT", parse_period("2024-Y"))
    assert not codes(commune) & province_only
    assert {"TTHC_HS_TIEP_NHAN", "TTHC_TY_LE_TRUC_TUYEN", "CV_CBCC_XA_DAI_HOC"} <= codes(commune)
    assert codes(province) == set(registry.indicators)
    # The province's figure for a commune indicator is still rolled up from the communes.
    received = next(r for a in province.areas for r in a.indicators if r.code == "TTHC_HS_TIEP_NHAN")
    assert received.rolled_up_from > 0
    names = " ".join(p for s in commune.all_sections() for p in s.paragraphs)
    assert "Số văn bản quy phạm pháp luật được ban hành" not in names


class WrongLevel:
    """Declares an indicator for a tier that does not exist."""

    @hookimpl
    def reportsvc_areas(self) -> list[AreaSpec]:
        return [AreaSpec(code="ISO", title="Áp dụng ISO", order=90)]

    @hookimpl
    def reportsvc_collect_section(self, area, context):  # noqa: ANN001, ANN201
        return standard_section(area, context)

    @hookimpl
    def reportsvc_indicators(self) -> list[IndicatorSpec]:
        return [IndicatorSpec(code="ISO_X", name="Số cơ quan áp dụng ISO", unit="cơ quan", area="ISO",
                              value_type="count", rollup="sum", levels=("quan",))]


def test_an_unknown_level_is_refused_at_start_up_naming_the_plugin() -> None:
    with pytest.raises(PluginError, match="Plugin 'sai_cap': chỉ tiêu 'ISO_X' khai báo cấp báo cáo không hợp lệ"):
        build_registry(extra=[("sai_cap", WrongLevel())])
