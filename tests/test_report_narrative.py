"""A report an officer signs as is (issue 15): the opening basis, counts written as people write them,
comparisons with the same period of the year before, and marked gaps instead of stock claims."""
from __future__ import annotations

import re
from datetime import date

from click.testing import CliRunner
from sqlalchemy import select

from reportsvc.cli.main import main
from reportsvc.db.models import Plan, Unit
from reportsvc.periods import parse_period
from reportsvc.plugin.testing import docx_text
from reportsvc.render import render
from reportsvc.report.build import build_report
from reportsvc.report.model import AreaSection, IndicatorRow, TaskItem
from reportsvc.collect.standard import compared, standard_paragraphs, task_counts
from reportsvc.services import plan_identity
from reportsvc.services import units as unit_service
from reportsvc.services.runtime import Services
from tests.web_fixtures import csrf_app, csrf_from, login  # noqa: F401 - csrf_app is a fixture

STOCK_CLAIMS = ("đã chủ động triển khai nhiệm vụ được giao", "triển khai đồng bộ, bám sát kế hoạch",
                "Không có tồn tại, hạn chế lớn", "được triển khai theo kế hoạch.",
                "Tiếp tục triển khai các nhiệm vụ thường xuyên")


def section_with(*statuses: str, overdue: int = 0) -> AreaSection:
    """Return an area section whose tasks have the given report classes."""
    tasks = [TaskItem(number=str(i), title=f"Nhiệm vụ {i}", lead="Sở Nội vụ", deadline="", status=status)
             for i, status in enumerate(statuses, 1)]
    section = AreaSection(code="X", title="Thử", order=1, tasks=tasks)
    section.overdue = [t for t in tasks if t.status == "overdue"][:overdue or None]
    return section


def test_counts_leave_out_the_clauses_that_would_say_zero() -> None:
    assert task_counts(section_with(*["on_time"] * 4)) == \
        "Kế hoạch giao 4 nhiệm vụ; đến cuối kỳ đã hoàn thành 4/4 nhiệm vụ (100%), đúng hạn."
    mixed = section_with(*["on_time"] * 10, "late", "late", *["in_progress"] * 3)
    assert task_counts(mixed) == ("Kế hoạch giao 15 nhiệm vụ; đến cuối kỳ đã hoàn thành 12/15 nhiệm vụ (80%), "
                                  "trong đó 10 nhiệm vụ đúng hạn, 2 nhiệm vụ quá hạn; 3 nhiệm vụ đang triển khai.")
    assert task_counts(section_with("not_started", "overdue")) == (
        "Kế hoạch giao 2 nhiệm vụ; đến cuối kỳ chưa hoàn thành nhiệm vụ nào; 1 nhiệm vụ chưa triển khai; "
        "1 nhiệm vụ quá hạn chưa hoàn thành.")


def test_a_figure_is_compared_with_the_same_period_of_the_year_before_only_when_both_exist() -> None:
    def row(actual: float | None, last: float | None, unit: str = "hồ sơ") -> IndicatorRow:
        return IndicatorRow("C", "Số hồ sơ", unit, None, actual, None, last)

    assert compared(row(1196, 1000), 2023) == "tăng 19,6% so với cùng kỳ năm 2023"
    assert compared(row(900, 1000), 2023) == "giảm 10% so với cùng kỳ năm 2023"
    assert compared(row(75.5, 70.0, "%"), 2023) == "tăng 5,5 điểm phần trăm so với cùng kỳ năm 2023"
    assert compared(row(1000, 1000), 2023) == "bằng cùng kỳ năm 2023"
    assert compared(row(1000, None), 2023) == ""
    assert compared(row(None, 1000), 2023) == ""
    section = section_with("on_time")
    section.indicators = [row(1196, 1000)]
    assert "Số hồ sơ: 1.196 hồ sơ (tăng 19,6% so với cùng kỳ năm 2023)" in " ".join(standard_paragraphs(section, 2023))


def test_the_demo_reports_open_with_their_basis_citing_the_plan(demo_services: Services) -> None:
    with demo_services.sessions() as session:
        province = build_report(session, demo_services.registry, "HT", parse_period("2024-Q1"))
        commune = build_report(session, demo_services.registry, "HT-TH-TD", parse_period("2024-Y"))
    opening = province.section("mo_dau").paragraphs
    assert opening == ["Thực hiện Kế hoạch số 256/KH-UBND ngày 28/12/2023 của Ủy ban nhân dân tỉnh Hà Tĩnh về "
                       "thực hiện công tác cải cách hành chính năm 2024, Ủy ban nhân dân tỉnh Hà Tĩnh báo cáo kết quả "
                       "thực hiện công tác cải cách hành chính quý I năm 2024 như sau:"]
    assert province.all_sections()[0].key == "mo_dau"  # before part I
    basis = commune.section("mo_dau").paragraphs[0]
    assert re.match(r"Thực hiện Kế hoạch số \d+/KH-UBND ngày \d\d/01/2024 của Ủy ban nhân dân xã Thạch Đài ", basis)
    assert basis.endswith("Ủy ban nhân dân xã Thạch Đài báo cáo kết quả thực hiện công tác cải cách hành chính "
                          "năm 2024 như sau:")
    text = docx_text(render(province, ["docx"])["docx"])
    assert text.index("Thực hiện Kế hoạch số 256/KH-UBND") < text.index("I. CÔNG TÁC CHỈ ĐẠO")


def test_the_superior_bodys_request_is_cited_and_a_blank_plan_number_is_a_gap_until_filled(
        demo_services: Services) -> None:
    request = "Công văn số 125/SNV-CCHC ngày 01/3/2024 của Sở Nội vụ về việc báo cáo kết quả CCHC"
    with demo_services.transaction() as session:
        unit_service.update_settings(session, "HT", {"report_request": request}, "test")
        plan = session.scalar(select(Plan).join(Unit).where(Unit.code == "HT"))
        plan.doc_number, plan.doc_date = "", None
    with demo_services.sessions() as session:
        report = build_report(session, demo_services.registry, "HT", parse_period("2024-Q1"))
    opening = report.section("mo_dau").paragraphs[0]
    assert opening.startswith("Thực hiện Kế hoạch số [Đề nghị bổ sung: số]/KH-UBND ngày "
                              "[Đề nghị bổ sung: ngày ban hành] của Ủy ban nhân dân tỉnh Hà Tĩnh")
    assert f"; {request}, Ủy ban nhân dân tỉnh Hà Tĩnh báo cáo kết quả" in opening
    assert any("Báo cáo còn" in w and "Đoạn mở đầu" in w for w in report.warnings)
    with demo_services.transaction() as session:
        plan = session.scalar(select(Plan).join(Unit).where(Unit.code == "HT"))
        plan_identity.set_identity(session, plan.id, {"number": "256", "date": date(2023, 12, 28)}, "test")
    with demo_services.sessions() as session:
        report = build_report(session, demo_services.registry, "HT", parse_period("2024-Q1"))
    assert report.section("mo_dau").paragraphs[0].startswith(
        "Thực hiện Kế hoạch số 256/KH-UBND ngày 28/12/2023 của")


def test_no_zero_clause_and_no_stock_claim_in_the_demo_reports(demo_services: Services) -> None:
    with demo_services.sessions() as session:
        for unit in ("HT", "HT-TH-TD"):
            for key in ("2024-Q1", "2024-H1", "2024-Q3", "2024-Y"):
                report = build_report(session, demo_services.registry, unit, parse_period(key))
                text = "\n".join(p for s in report.all_sections() for p in s.paragraphs)
                assert not re.search(r"(?<![\d.,])0 nhiệm vụ", text), (unit, key)
                for claim in STOCK_CLAIMS:
                    assert claim not in text, (unit, key, claim)
                # Where the data say nothing, the officer is asked: part V has no data behind it.
                assert report.section("V").paragraphs[0].startswith("[Đề nghị bổ sung: kiến nghị, đề xuất")


def test_the_draft_editor_lists_the_gaps_and_generating_says_they_are_left(csrf_app) -> None:  # noqa: ANN001
    client = csrf_app.test_client()
    token = login(client, "admin")
    page = client.get("/reports?unit=HT&period=2024-Q1").get_data(as_text=True)
    assert "chỗ “[Đề nghị bổ sung: …]” cần điền trước khi trình ký" in page
    assert 'href="#t-V"' in page and "Căn cứ báo cáo (đoạn mở đầu)" in page
    response = client.post("/reports/draft", data={
        "csrf_token": token, "unit": "HT", "period": "2024-Q1", "action": "generate", "formats": "docx",
        "text-V": "Không có.", "orig-V": "x"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Đã tạo báo cáo" in html
    assert "Báo cáo còn" in html and "V. KIẾN NGHỊ, ĐỀ XUẤT" not in html.split("Báo cáo còn")[1].split(")")[0]
    assert csrf_from(html)


def test_the_opening_is_editable_like_every_other_section(demo_services: Services, runner: CliRunner,
                                                          tmp_path) -> None:  # noqa: ANN001
    overrides = tmp_path / "sections.json"
    overrides.write_text('{"mo_dau": "Thực hiện Kế hoạch số 256/KH-UBND, Ủy ban nhân dân tỉnh báo cáo như sau:"}',
                         encoding="utf-8")
    result = runner.invoke(main, ["--user", "admin", "report", "generate", "--unit", "HT", "--period", "2024-Q1",
                                  "--format", "docx", "--overrides", str(overrides), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    with demo_services.sessions() as session:
        report = build_report(session, demo_services.registry, "HT", parse_period("2024-Q1"))
    assert report.section("mo_dau").edited
    assert report.section("mo_dau").paragraphs == [
        "Thực hiện Kế hoạch số 256/KH-UBND, Ủy ban nhân dân tỉnh báo cáo như sau:"]


def test_quarter_three_is_the_nine_month_report_where_the_unit_files_nine_months(demo_services: Services) -> None:
    with demo_services.transaction() as session:
        unit_service.update_settings(session, "HT", {"reports": "Q1,H1,M9,Y"}, "test")
    with demo_services.sessions() as session:
        report = build_report(session, demo_services.registry, "HT", parse_period("2024-Q3"))
        quarterly = build_report(session, demo_services.registry, "HT-TH-TD", parse_period("2024-Q3"))
    assert report.subject == "Kết quả thực hiện công tác cải cách hành chính 9 tháng năm 2024"
    assert (report.period.key, report.period.start.isoformat(), report.period.end.isoformat()) == \
        ("2024-M9", "2023-12-15", "2024-09-14")
    assert report.section("mo_dau").paragraphs[0].endswith("cải cách hành chính 9 tháng năm 2024 như sau:")
    assert quarterly.subject.endswith("quý III năm 2024")  # the commune still files quý III
