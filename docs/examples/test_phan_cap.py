"""Tests of the phan_cap plugin, written as a plugin author writes them with reportsvc.plugin.testing."""
from __future__ import annotations

from pathlib import Path

from reportsvc.plugin.testing import build, make_services, section, set_value, validate_indicator_value

PLUGINS = Path(__file__).parent / "plugins"  # the folder holding phan_cap.py


def test_section_and_indicators(tmp_path: Path) -> None:
    services = make_services(tmp_path, plugins_dir=PLUGINS)  # migrated SQLite + Hà Tĩnh demo data
    set_value(services, "PC_SO_NHIEM_VU", 14, unit="HT", period="2024-Q4")
    set_value(services, "PC_TY_LE_RA_SOAT", 80, unit="HT", period="2024-Q4")

    report = build(services, unit="HT", period="2024-Y")

    codes = [area.code for area in report.areas]
    assert codes.index("IV") < codes.index("PHAN_CAP") < codes.index("V")  # order=45
    phan_cap = section(report, "PHAN_CAP")
    assert phan_cap.plugin == "phan_cap"
    assert phan_cap.paragraphs[-1] == "Trong kỳ đã phân cấp 14 nhiệm vụ, thẩm quyền cho chính quyền cấp xã."
    rate = next(row for row in phan_cap.indicators if row.code == "PC_TY_LE_RA_SOAT")
    assert (rate.target, rate.actual, rate.achieved_percent) == (100, 80, 80.0)
    assert [chart.key for chart in report.charts][-1] == "phan_cap"


def test_values_are_entered_per_quarter(tmp_path: Path) -> None:
    services = make_services(tmp_path, plugins_dir=PLUGINS, demo=False)
    errors = validate_indicator_value(services.registry, "PC_SO_NHIEM_VU", 14, "HT", "2024-Y")
    assert errors == ["Số liệu 'Số nhiệm vụ, thẩm quyền được phân cấp cho chính quyền cấp xã' của đơn vị HT "
                      "chỉ nhập theo quý (ví dụ 2024-Q4), không nhập cho kỳ 2024-Y."]
    assert validate_indicator_value(services.registry, "PC_SO_NHIEM_VU", 14, "HT", "2024-Q4") == []
