"""The web interface in real Chromium (Playwright's sync API, the system's /usr/bin/chromium).

One user journey on the real server with the demo locality: sign in, upload a commune's 2025
plan and confirm it, record a task's status with evidence, enter indicator values (one refused
first), edit and generate the quarterly report, download the DOCX and the PDF and read them.
A screenshot of each main page is saved under tests/artifacts/ (gitignored).
Then the dashboard's completeness table ("Tình hình báo cáo kỳ này" → "Xem đầy đủ"), column by column,
with the demo's submissions (state, dates, on time or late).

Without Chromium these tests skip, and under REPORTSVC_REQUIRE_ALL=1 (scripts/test.sh) they fail.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import pytest
from sqlalchemy import select

from reportsvc.db.models import Unit
from reportsvc.periods import parse_period
from reportsvc.plugin.testing import docx_text, pdf_text
from reportsvc.services.overview import overview
from reportsvc.services.runtime import Services
from tests.web_fixtures import PASSWORDS, live_server, plan_docx  # noqa: F401 - fixture

ARTIFACTS = Path(__file__).parent / "artifacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--lang=vi-VN"]

pytestmark = pytest.mark.browser


@contextmanager
def chromium_context(chromium: Path) -> Iterator[Any]:
    """Launch the system Chromium headless and yield a Vietnamese browser context that accepts downloads."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=ARGS)
        try:
            yield browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN",
                                      accept_downloads=True)
        finally:
            browser.close()


def sign_in(page: Any, live_server: str, username: str = "admin") -> None:
    """Sign a demo user in on the login page of the live server."""
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORDS[username])
    page.click("button[type=submit]")


def test_user_journey_in_chromium(live_server: str, chromium: Path, tmp_path: Path) -> None:  # noqa: F811
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(exist_ok=True)
    base = live_server

    def shot(page, name: str) -> None:  # noqa: ANN001
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    with chromium_context(chromium) as context:
        page = context.new_page()
        page.set_default_timeout(30_000)

        # Sign in (a wrong password first).
        page.goto(f"{base}/")
        expect(page).to_have_url(re.compile(r"/login"))
        page.fill("input[name=username]", "admin")
        page.fill("input[name=password]", "sai-mat-khau")
        page.click("button[type=submit]")
        expect(page.locator(".flash-error")).to_contain_text("Tên đăng nhập hoặc mật khẩu không đúng")
        shot(page, "01-dang-nhap")
        page.fill("input[name=password]", "admin-demo-2024")
        page.click("button[type=submit]")
        expect(page.locator("h1")).to_contain_text("Tổng quan")
        expect(page.locator(".tiles")).to_be_visible()
        shot(page, "02-tong-quan")

        # Upload a plan, read the dry-run summary, confirm.
        page.click("nav >> text=Kế hoạch")
        page.click("text=Tải kế hoạch lên")
        page.set_input_files("input[name=file]", files=[{
            "name": "KH_CCHC_2025_Thach_Dai.docx", "buffer": plan_docx(),
            "mimeType": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}])
        page.select_option("select[name=unit]", "HT-TH-TD")
        page.fill("input[name=year]", "2025")
        shot(page, "03-tai-ke-hoach")
        page.click("button:has-text('Đọc tệp và xem trước')")
        expect(page.locator("h1")).to_contain_text("KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2025")
        expect(page.locator("body")).to_contain_text("chưa có gì được lưu")
        expect(page.locator("body")).to_contain_text("4 nhiệm vụ")
        shot(page, "04-xem-truoc-ke-hoach")
        page.click("button:has-text('Xác nhận nhập')")
        expect(page.locator(".flash-success")).to_contain_text("Đã nhập kế hoạch năm 2025 cho đơn vị HT-TH-TD")
        shot(page, "05-ke-hoach")

        # Record a task's status with its evidence.
        page.click("text=Xem nhiệm vụ")
        page.select_option("select[name=period]", "2025-Q1")
        page.click("button:has-text('Lọc')")
        expect(page.locator(".tasks-table")).to_contain_text("Ban hành Kế hoạch CCHC năm 2025")
        shot(page, "06-nhiem-vu")
        page.click("a:has-text('Ban hành Kế hoạch CCHC năm 2025')")
        other = context.new_page()  # a second tab on the same task: its save must not overwrite silently
        other.goto(page.url)
        page.check("input[name=status][value=done]")
        page.fill("input[name=completed_on]", "10/02/2025")
        page.fill("textarea[name=result]", "Đã ban hành Kế hoạch CCHC năm 2025 và phổ biến đến các bộ phận.")
        page.fill("input[name=evidence_number]", "15/KH-UBND")
        page.fill("input[name=evidence_date]", "10/02/2025")
        page.fill("input[name=evidence_title]", "Kế hoạch cải cách hành chính năm 2025")
        page.click("button:has-text('Lưu tiến độ')")
        expect(page.locator(".flash-success")).to_contain_text("Đã lưu tiến độ")
        expect(page.locator("table")).to_contain_text("15/KH-UBND")
        shot(page, "07-cap-nhat-tien-do")
        other.check("input[name=status][value=in_progress]")
        other.fill("textarea[name=result]", "Đang xây dựng dự thảo kế hoạch.")
        other.click("button:has-text('Lưu tiến độ')")
        expect(other.locator(".conflict")).to_contain_text("15/KH-UBND")
        expect(other.locator("textarea[name=result]")).to_have_value("Đang xây dựng dự thảo kế hoạch.")
        shot(other, "07b-xung-dot")
        other.close()

        # Enter indicators: an out-of-range rate is refused, then the corrected values are saved.
        page.goto(f"{base}/indicators?unit=HT-TH-TD&period=2025-Q1")
        page.fill("input[name=value-TTHC_HS_TIEP_NHAN]", "215")
        page.fill("input[name=value-TTHC_SO_HOA]", "120")
        page.locator("button:has-text('Lưu số liệu')").first.click()
        expect(page.locator(".field-error").first).to_contain_text("tỷ lệ phải từ 0% đến 100%")
        shot(page, "08-chi-tieu-loi")
        page.fill("input[name=value-TTHC_SO_HOA]", "72,5")
        page.locator("button:has-text('Lưu số liệu')").first.click()
        expect(page.locator(".flash-success")).to_contain_text("Đã lưu 2 số liệu chỉ tiêu")
        expect(page.locator("input[name=value-TTHC_SO_HOA]")).to_have_value("72,5")
        shot(page, "09-chi-tieu")

        # Edit the narrative and generate the quarterly report.
        page.click("nav >> text=Báo cáo")
        page.select_option("select[name=unit]", "HT-TH-TD")
        page.select_option("select[name=period]", "2025-Q1")
        page.click("button:has-text('Chọn')")
        expect(page.locator("h1")).to_contain_text("quý I năm 2025")
        page.fill("textarea[name=text-V]", "Đề nghị UBND tỉnh hỗ trợ thiết bị số hóa cho Bộ phận Một cửa của xã.")
        shot(page, "10-soan-bao-cao")
        page.click("button:has-text('Lưu và tạo báo cáo')")
        expect(page.locator(".flashes")).to_contain_text("phiên bản 1", timeout=60_000)
        shot(page, "11-bao-cao")

        # Download both files and read them.
        with page.expect_download() as info:
            page.click("a:has-text('Tải DOCX')")
        docx_path = tmp_path / info.value.suggested_filename
        info.value.save_as(docx_path)
        with page.expect_download() as info:
            page.click("a:has-text('Tải PDF')")
        pdf_path = tmp_path / info.value.suggested_filename
        info.value.save_as(pdf_path)
        assert docx_path.name == "BC-CCHC_HT-TH-TD_2025-Q1_v1.docx"
        word = docx_text(docx_path.read_bytes())
        pdf = pdf_text(pdf_path.read_bytes(), tmp_path)
        for text in (word, pdf):
            assert "Kết quả thực hiện công tác cải cách hành chính quý I năm 2025" in text
            assert "Ban hành Kế hoạch CCHC năm 2025 của UBND xã Thạch Đài" in text
            assert "15/KH-UBND" in text
            assert "hỗ trợ thiết bị số hóa cho Bộ phận Một cửa" in text

        # The archive with hashes, the audit trail, the plugins and the profile pages.
        page.click("nav >> text=Lưu trữ")
        expect(page.locator(".archive-table")).to_contain_text("BC-CCHC_HT-TH-TD_2025-Q1_v1.pdf")
        shot(page, "12-luu-tru")
        page.click("nav >> text=Nhật ký thay đổi")
        for action in ("Nhập kế hoạch", "Cập nhật tiến độ (mới)", "Nhập số liệu chỉ tiêu", "Tạo báo cáo"):
            expect(page.locator(".audit-table")).to_contain_text(action)
        shot(page, "13-nhat-ky")
        page.click("nav >> text=Plugin")
        expect(page.locator("table")).to_contain_text("thu_tuc_hanh_chinh")
        shot(page, "14-plugin")
        page.goto(f"{base}/?unit=HT-TH-TD&period=2025-Q1")
        expect(page.locator(".tiles")).to_contain_text("4")
        shot(page, "15-tong-quan-xa")
        page.click(".account-name")
        page.click("button:has-text('Tạo mã truy cập mới')")
        expect(page.locator("#api-token")).to_contain_text("rsv_")
        shot(page, "16-tai-khoan")
        page.click("button:has-text('Đăng xuất')")
        expect(page).to_have_url(re.compile(r"/login"))


def test_dashboard_completeness_table_shows_name_kind_and_status(live_server: str, chromium: Path,  # noqa: F811
                                                                 demo_services: Services) -> None:
    """Quý III 2024 of the province: one row per lead agency and unit below, each cell in its column."""
    from playwright.sync_api import expect

    with demo_services.sessions() as session:
        unit = session.scalar(select(Unit).where(Unit.code == "HT"))
        rows = overview(session, demo_services.registry, unit, parse_period("2024-Q3")).completeness
        expected = [[row.name, row.kind_label, f"{row.reported}/{row.assigned}",
                     "Đã báo cáo" if row.done else "Chưa báo cáo", row.submission.label,
                     f"{row.submitted_on:%d/%m/%Y}" if row.submitted_on else "", f"{row.deadline:%d/%m/%Y}",
                     row.timeliness.label] for row in rows]
    # The demo: Sở Tài chính skipped quý III, its updates and its submission; the districts and communes below
    # the province are listed too, each due on 10/09/2024.
    assert ["Sở Tài chính", "Cơ quan chủ trì", "0/3", "Chưa báo cáo", "Chưa nộp", "", "10/09/2024", "Chưa nộp"] \
        in expected
    assert {"Cơ quan chủ trì", "Đơn vị cấp huyện", "Đơn vị cấp xã"} <= {row[1] for row in expected}
    assert {row[3] for row in expected} == {"Đã báo cáo", "Chưa báo cáo"}
    assert {"Đúng hạn", "Chưa nộp"} <= {row[7] for row in expected} and any(
        row[7].startswith("Muộn (") for row in expected)

    with chromium_context(chromium) as context:
        page = context.new_page()
        page.set_default_timeout(30_000)
        sign_in(page, live_server)
        page.goto(f"{live_server}/?unit=HT&period=2024-Q3")
        card = page.locator("section.card", has=page.locator("h2", has_text="Tình hình báo cáo kỳ này"))
        card.locator("summary", has_text="Xem đầy đủ").click()
        table = card.locator("details table")
        expect(table).to_be_visible()
        # text_content, not inner_text: the header is uppercased by CSS only.
        assert table.locator("thead th").all_text_contents() == [
            "Cơ quan, đơn vị", "Loại", "Nhiệm vụ đã báo cáo", "Tình trạng", "Nộp số liệu", "Ngày nộp", "Hạn nộp",
            "Đúng hạn, muộn"]
        shown = [[cell.strip() for cell in row.locator("td").all_text_contents()]
                 for row in table.locator("tbody tr").all()]
        assert shown == expected
        assert card.locator("summary").text_content().strip() == f"Xem đầy đủ ({len(expected)})"
        # The status is a badge in the fourth column, red only for those who have not reported.
        statuses = table.locator("tbody tr td:nth-child(4) .badge")
        assert statuses.count() == len(expected)
        assert table.locator("tbody tr td:nth-child(4) .badge-overdue").all_text_contents() == \
            ["Chưa báo cáo"] * sum(row[3] == "Chưa báo cáo" for row in expected)
        # Timeliness is a badge in the last column: red for those who have not submitted after the deadline.
        assert table.locator("tbody tr td:nth-child(8) .badge-overdue").all_text_contents() == \
            ["Chưa nộp"] * sum(row[7] == "Chưa nộp" for row in expected)


def test_province_admin_sets_up_departments_users_and_settings(live_server: str, chromium: Path,  # noqa: F811
                                                                demo_services: Services) -> None:
    """A province admin, signed in, adds a department, an editor bound to it, and the report settings."""
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(exist_ok=True)
    base = live_server
    with chromium_context(chromium) as context:
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(f"{base}/login")
        page.fill("input[name=username]", "admin")
        page.fill("input[name=password]", PASSWORDS["admin"])
        page.click("button[type=submit]")
        expect(page.locator("h1")).to_contain_text("Tổng quan")

        # A department of the province.
        page.click("nav.mainnav >> text=Cơ quan")
        expect(page.locator("h1")).to_contain_text("Cơ quan của tỉnh Hà Tĩnh")
        page.fill("#add-name", "Sở Xây dựng")
        page.click("button:has-text('Thêm cơ quan')")
        expect(page.locator(".flash-success")).to_contain_text("Đã thêm cơ quan Sở Xây dựng")
        expect(page.locator(".agency-table")).to_contain_text("Sở Xây dựng")
        page.fill("#add-name", "Sở Xây dựng")  # twice: refused with the reason, nothing added
        page.click("button:has-text('Thêm cơ quan')")
        expect(page.locator(".form-errors")).to_contain_text("tỉnh Hà Tĩnh đã có cơ quan 'Sở Xây dựng'")
        page.screenshot(path=str(ARTIFACTS / "20-co-quan.png"), full_page=True)

        # An editor bound to it.
        page.click("nav.mainnav >> text=Tài khoản")
        expect(page.locator("h1")).to_contain_text("Tài khoản người dùng")
        page.fill("input[name=username]", "xd.tran")
        page.fill("input[name=full_name]", "Trần Văn Xây")
        page.select_option("select[name=role]", "editor")
        page.select_option("select[name=unit]", "HT")
        page.select_option("select[name=agency]", label="Sở Xây dựng")
        page.fill("input[name=password]", "xay-dung-2025")
        page.click("button:has-text('Tạo tài khoản')")
        expect(page.locator(".flash-success")).to_contain_text("Đã tạo tài khoản xd.tran")
        row = page.locator(".user-table tr", has_text="xd.tran")
        expect(row).to_contain_text("Cán bộ cập nhật")
        expect(row).to_contain_text("Sở Xây dựng")
        page.screenshot(path=str(ARTIFACTS / "21-tai-khoan.png"), full_page=True)

        # The report settings: a bad symbol first, then the signer and the symbol.
        page.click("nav.mainnav >> text=Đơn vị")
        page.click(".unit-tree a:has-text('tỉnh Hà Tĩnh')")
        expect(page.locator("h1")).to_contain_text("tỉnh Hà Tĩnh")
        page.fill("input[name=doc_symbol]", "SNV")
        page.click("button:has-text('Lưu thiết lập')")
        expect(page.locator("#thiet-lap .form-errors")).to_contain_text("Ký hiệu văn bản không hợp lệ: 'SNV'")
        page.fill("input[name=doc_symbol]", "BC-SNV")
        page.fill("input[name=signer_name]", "Võ Trọng Hải")
        page.click("button:has-text('Lưu thiết lập')")
        expect(page.locator(".flash-success")).to_contain_text("Đã lưu thiết lập báo cáo của tỉnh Hà Tĩnh")
        page.reload()
        expect(page.locator("input[name=signer_name]")).to_have_value("Võ Trọng Hải")
        expect(page.locator("input[name=doc_symbol]")).to_have_value("BC-SNV")
        page.screenshot(path=str(ARTIFACTS / "22-thiet-lap.png"), full_page=True)

    # The new editor signs in (a fresh browser) with the password the admin gave, and has no admin pages.
    with chromium_context(chromium) as context:
        page = context.new_page()
        page.goto(f"{base}/login")
        page.fill("input[name=username]", "xd.tran")
        page.fill("input[name=password]", "xay-dung-2025")
        page.click("button[type=submit]")
        expect(page.locator(".account-name")).to_contain_text("Trần Văn Xây")
        expect(page.locator("nav.mainnav")).not_to_contain_text("Tài khoản")

    with demo_services.sessions() as session:
        unit = session.scalar(select(Unit).where(Unit.code == "HT"))
        assert (unit.settings["signer_name"], unit.settings["doc_symbol"]) == ("Võ Trọng Hải", "BC-SNV")
