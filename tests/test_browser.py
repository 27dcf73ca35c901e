"""The web interface in real Chromium (Playwright's sync API, the system's /usr/bin/chromium).

One user journey on the real server with the demo locality: sign in, upload a commune's 2025
plan and confirm it, record a task's status with evidence, enter indicator values (one refused
first), edit and generate the quarterly report, download the DOCX and the PDF and read them.
A screenshot of each main page is saved under tests/artifacts/ (gitignored).
"""
from __future__ import annotations

import io
import re
from pathlib import Path

import docx
import pytest

from reportsvc.testing import docx_text, pdf_text
from tests.web_fixtures import live_server  # noqa: F401 - fixture

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--lang=vi-VN"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium không có tại /usr/bin/chromium: bỏ qua kiểm thử trình duyệt"),
]

PLAN_ROWS = [
    ("TT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành", "Sản phẩm"),
    ("I", "Công tác chỉ đạo điều hành", "", "", "", ""),
    ("1", "Ban hành Kế hoạch CCHC năm 2025 của UBND xã Thạch Đài", "UBND xã Thạch Đài", "Công chức Văn phòng - Thống kê",
     "Quý I/2025", "Kế hoạch"),
    ("2", "Tự kiểm tra công tác CCHC tại các bộ phận chuyên môn", "UBND xã Thạch Đài", "", "Quý III/2025",
     "Báo cáo kết quả tự kiểm tra"),
    ("II", "Cải cách thủ tục hành chính", "", "", "", ""),
    ("1", "Niêm yết, công khai đầy đủ TTHC tại Bộ phận Một cửa của xã", "UBND xã Thạch Đài", "Công an xã",
     "Quý I/2025", "TTHC được niêm yết"),
    ("III", "Chính quyền số", "", "", "", ""),
    ("1", "Số hóa hồ sơ, kết quả giải quyết TTHC còn hiệu lực", "UBND xã Thạch Đài", "", "Thường xuyên",
     "Hồ sơ được số hóa"),
]


def plan_docx() -> bytes:
    """Return a small commune plan for 2025 as the commune would publish it (python-docx)."""
    document = docx.Document()
    document.add_paragraph("ỦY BAN NHÂN DÂN XÃ THẠCH ĐÀI")
    document.add_paragraph("KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2025 CỦA UBND XÃ THẠCH ĐÀI")
    document.add_paragraph("I. MỤC ĐÍCH, YÊU CẦU")
    document.add_paragraph("Phấn đấu tỷ lệ hồ sơ trực tuyến đạt 70%.")
    table = document.add_table(rows=len(PLAN_ROWS), cols=len(PLAN_ROWS[0]))
    for i, row in enumerate(PLAN_ROWS):
        for j, text in enumerate(row):
            table.cell(i, j).text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_user_journey_in_chromium(live_server: str, tmp_path: Path) -> None:  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    base = live_server

    def shot(page, name: str) -> None:  # noqa: ANN001
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN",
                                          accept_downloads=True)
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
        finally:
            browser.close()
