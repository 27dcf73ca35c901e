"""The example third-party plugin examples/reportsvc-iso9001, discovered through its real entry point.

Instead of ``pip install`` (slow, and it would change the venv), each test puts a ``*.dist-info``
with the entry points of the example's pyproject.toml on sys.path, so ``build_registry``'s
``entry_points(group="reportsvc")`` finds it exactly as it finds an installed package.
"""
from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from reportsvc.report.build import BuildOptions, build_report
from reportsvc.cli.main import main
from reportsvc.config import load_settings
from reportsvc.importing import analyse_plan
from reportsvc.areas.matching import match_area
from reportsvc.db.models import Plan, PlanArea
from reportsvc.periods import parse_period
from reportsvc.hooks.registry import build_registry
from reportsvc.render.view import view_model
from reportsvc.services.runtime import Services, create_services
from reportsvc.plugin.testing import docx_text, set_value
from reportsvc.hooks.validation import validate_indicator_value, validate_status
from tests.plugin_helpers import add_iso_distribution

ISO_TITLE = "Áp dụng Hệ thống quản lý chất lượng theo TCVN ISO 9001:2015"
HOOKS = ["reportsvc_areas", "reportsvc_collect_section", "reportsvc_indicators", "reportsvc_report_extras",
         "reportsvc_validate_indicator_value", "reportsvc_validate_status"]
PLAN_ROWS = [
    ["KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH TỈNH HÀ TĨNH NĂM 2025", "", "", "", "", ""],
    ["TT", "Nhiệm vụ", "Sản phẩm", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành"],
    ["VII", "XÂY DỰNG VÀ PHÁT TRIỂN CHÍNH QUYỀN ĐIỆN TỬ, CHÍNH QUYỀN SỐ", "", "", "", ""],
    ["A", "Chính quyền điện tử", "", "", "", ""],
    ["1", "Nâng cấp toàn diện Cổng Thông tin điện tử tỉnh", "Cổng thông tin", "Sở TTTT", "VP UBND tỉnh",
     "Tháng 6/2025"],
    ["B", "ÁP DỤNG ISO 9001:2015", "", "", "", ""],
    ["1", "Duy trì và cải tiến hệ thống tại các cơ quan, đơn vị theo tiêu chuẩn TCVN ISO 9001:2015",
     "Các cơ quan, đơn vị duy trì hệ thống", "Sở KH&CN", "Các cơ quan, đơn vị", "Quý I-IV/2025"],
    ["2", "Kiểm tra, đánh giá việc áp dụng Hệ thống quản lý chất lượng", "Kiểm tra tại 120 cơ quan, đơn vị",
     "Sở KH&CN", "Các cơ quan, đơn vị", "Quý II-IV/2025"],
]


@pytest.fixture
def iso(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, str]:
    """Make the example package look installed; return its ``reportsvc`` entry points."""
    return add_iso_distribution(monkeypatch, tmp_path)


def plan_csv() -> bytes:
    """Return a small plan as CSV with Hà Tĩnh's VII.B heading."""
    out = io.StringIO()
    csv.writer(out).writerows(PLAN_ROWS)
    return out.getvalue().encode("utf-8")


def cli(runner: CliRunner, *args: str) -> str:
    """Run the CLI, assert success and return stdout."""
    result = runner.invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_entry_point_and_plugins_list(iso: dict[str, str], runner: CliRunner) -> None:
    assert iso == {"iso9001": "reportsvc_iso9001"}
    rows = {row["name"]: row for row in json.loads(cli(runner, "plugins", "list", "--json"))}
    assert rows["iso9001"] == {"name": "iso9001", "module": "reportsvc_iso9001", "area": "ISO9001",
                               "title": ISO_TITLE, "hooks": HOOKS, "source": "entrypoint", "enabled": True}
    registry = build_registry()
    assert registry.area_owner["ISO9001"] == "iso9001"
    assert [a.code for a in registry.areas][-2:] == ["VII", "ISO9001"]  # order 75
    assert registry.area("ISO9001").lead_agency == "Sở Khoa học và Công nghệ"
    assert {c for c, owner in registry.indicator_owner.items() if owner == "iso9001"} == {
        "ISO_TY_LE_DUY_TRI", "ISO_SO_AP_DUNG", "ISO_SO_DUY_TRI", "ISO_SO_KIEM_TRA"}
    registry.pm.check_pending()


def test_plan_import_maps_the_iso_heading(iso: dict[str, str], runner: CliRunner, tmp_path: Path) -> None:
    without = build_registry(blocked=["iso9001"])
    registry = build_registry()
    for heading in ("ÁP DỤNG ISO 9001:2015", "Áp dụng ISO 9001:2015", "VII.B. Áp dụng Hệ thống quản lý chất lượng "
                    "theo tiêu chuẩn TCVN ISO 9001:2015"):
        assert match_area(heading, registry.areas).code == "ISO9001", heading
        assert match_area(heading, without.areas) is None, heading
    assert match_area("Xây dựng chính quyền số", registry.areas).code == "VII"

    parsed = analyse_plan(plan_csv(), "ke-hoach-2025.csv", registry, year=2025)
    assert [(a.numeral, a.area_code, len(a.items)) for a in parsed.areas] == [
        ("VII", "VII", 0), ("VII.A", "VII", 1), ("VII.B", "ISO9001", 2)]
    assert parsed.warnings == []
    parsed = analyse_plan(plan_csv(), "ke-hoach-2025.csv", without, year=2025)
    assert parsed.areas[2].area_code is None  # without the plugin it stays a custom area

    cli(runner, "init-db")
    cli(runner, "demo")
    source = tmp_path / "ke-hoach-2025.csv"
    source.write_bytes(plan_csv())
    dry = cli(runner, "plan", "import", str(source), "--unit", "HT", "--year", "2025", "--dry-run")
    assert "VII.B. ÁP DỤNG ISO 9001:2015: 2 nhiệm vụ → lĩnh vực ISO9001" in [line.strip() for line in dry.splitlines()]
    stored = json.loads(cli(runner, "plan", "import", str(source), "--unit", "HT", "--year", "2025", "--json"))
    services = create_services(load_settings())
    with services.sessions() as session:
        codes = session.execute(select(PlanArea.numeral, PlanArea.area_code)
                                .where(PlanArea.plan_id == stored["plan_id"]).order_by(PlanArea.position)).all()
        assert [tuple(row) for row in codes] == [("VII", "VII"), ("VII.A", "VII"), ("VII.B", "ISO9001")]
        assert session.scalar(select(Plan.year).where(Plan.id == stored["plan_id"])) == 2025
    services.engine.dispose()


def test_section_indicators_and_annex_in_the_report(iso: dict[str, str], runner: CliRunner,
                                                    tmp_path: Path) -> None:
    cli(runner, "init-db")
    cli(runner, "demo")
    services: Services = create_services(load_settings())
    for code, value in (("ISO_SO_AP_DUNG", 500), ("ISO_SO_DUY_TRI", 490), ("ISO_SO_KIEM_TRA", 125)):
        set_value(services, code, value, unit="HT", period="2024-Q4")
    with services.sessions() as session:
        report = build_report(session, services.registry, "HT", parse_period("2024-Y"),
                              BuildOptions(report_date=date(2024, 12, 16)))
    services.engine.dispose()

    assert [a.code for a in report.areas] == ["I", "II", "III", "IV", "V", "VI", "VII", "ISO9001"]
    section = report.areas[-1]
    assert (section.title, section.plugin, section.order) == (ISO_TITLE, "iso9001", 75)
    assert len(section.tasks) == 2 and section.tasks[0].title.startswith("Duy trì và cải tiến hệ thống")
    rows = {row.code: row for row in section.indicators}
    assert list(rows) == ["ISO_TY_LE_DUY_TRI", "ISO_SO_AP_DUNG", "ISO_SO_DUY_TRI", "ISO_SO_KIEM_TRA"]
    assert (rows["ISO_TY_LE_DUY_TRI"].actual, rows["ISO_TY_LE_DUY_TRI"].target) == (98.0, 100)
    assert rows["ISO_SO_KIEM_TRA"].actual == 125
    results = report.section("II")
    assert results.subsections[-1].heading == f"7. {ISO_TITLE}"
    assert report.annexes[-1].key == "iso9001"
    assert view_model(report).annexes[-1].title == f"Phụ lục IV. Kết quả {ISO_TITLE[0].lower()}{ISO_TITLE[1:]}"

    out = cli(runner, "report", "generate", "--unit", "HT", "--period", "2024-Y", "--format", "docx",
              "--out", str(tmp_path / "out"), "--date", "16/12/2024")
    lines = docx_text(Path(out.strip()).read_bytes()).splitlines()
    heading = lines.index(f"7. {ISO_TITLE}")
    assert lines.index("6. Xây dựng và phát triển chính quyền điện tử, chính quyền số") < heading
    assert heading < lines.index("III. ĐÁNH GIÁ CHUNG")
    body = lines[heading + 1: lines.index("III. ĐÁNH GIÁ CHUNG")]
    assert body[0].startswith("Kế hoạch giao 2 nhiệm vụ")
    assert ("Đến cuối kỳ, 490/500 cơ quan, đơn vị thuộc phạm vi áp dụng duy trì, cải tiến Hệ thống quản lý chất "
            "lượng theo TCVN ISO 9001:2015 (98%).") in body
    assert "Trong kỳ đã kiểm tra việc xây dựng, áp dụng Hệ thống quản lý chất lượng tại 125 cơ quan, đơn vị." in body
    assert view_model(report).annexes[-1].title in lines
    assert "Số cơ quan, đơn vị được kiểm tra việc áp dụng ISO" in lines  # a cell of the annex tables


def test_example_validators(iso: dict[str, str]) -> None:
    registry = build_registry()
    done = {"status": "done", "completed_on": date(2024, 6, 1), "period_key": "2024-Q2"}
    assert validate_status(registry, "ISO9001", None, done) == [
        "Nhiệm vụ ISO 9001:2015 đã hoàn thành phải ghi số, ký hiệu văn bản làm căn cứ "
        "(quyết định công bố, báo cáo kiểm tra…)."]
    assert validate_status(registry, "ISO9001", None, {**done, "evidence_number": "45/QĐ-SKHCN"}) == []
    assert validate_status(registry, "VII", None, done) == []  # other areas are not its business
    errors = validate_indicator_value(registry, "ISO_TY_LE_DUY_TRI", 98, "HT", "2024-Q4")
    assert len(errors) == 1 and errors[0].startswith("Tỷ lệ cơ quan, đơn vị duy trì ISO 9001:2015 được tính tự động")
    assert validate_indicator_value(registry, "ISO_SO_DUY_TRI", 490, "HT", "2024-Q4") == []
    assert validate_indicator_value(registry, "ISO_SO_DUY_TRI", 490.5, "HT", "2024-Q4") != []
