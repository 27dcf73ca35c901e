"""Submit → approve → an edit refused, in real Chromium on the live server with the demo locality.

Sở Tư pháp's editor submits its quý II/2024 data from "Nộp số liệu"; the Sở Nội vụ's admin approves it
from "Duyệt số liệu"; the editor's change of a task status for 6 tháng 2024 (the same data window) is
then refused on the task page with the Vietnamese message naming who approved and when.
Screenshots go to tests/artifacts/ (gitignored). Without Chromium the test skips, and under
REPORTSVC_REQUIRE_ALL=1 (scripts/test.sh) it fails.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from reportsvc.db.models import Agency, AuditEntry, StatusUpdate, Submission
from reportsvc.services.runtime import Services
from tests.test_browser import ARTIFACTS, chromium_context, sign_in
from tests.web_fixtures import live_server, task_led_by  # noqa: F401 - fixture

pytestmark = pytest.mark.browser


def test_submit_approve_then_an_edit_is_refused(live_server: str, chromium: Path,  # noqa: F811
                                                demo_services: Services) -> None:
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(exist_ok=True)
    task = task_led_by(demo_services, "Sở Tư pháp")
    with demo_services.sessions() as session:
        before = session.scalar(select(StatusUpdate).where(StatusUpdate.task_id == task,
                                                           StatusUpdate.period_key == "2024-Q2"))
        before = (before.status, before.result, before.version) if before else None

    with chromium_context(chromium) as context:
        editor = context.new_page()
        editor.set_default_timeout(30_000)
        sign_in(editor, live_server, "stp")
        editor.click("nav.mainnav >> text=Nộp số liệu")
        expect(editor.locator("h1")).to_have_text("Nộp số liệu")
        row = editor.locator("tr[data-period='2024-Q2']")
        expect(row).to_contain_text("dùng chung cho 6 tháng 2024")
        expect(row.locator(".submission-state")).to_have_text("Chưa nộp")
        row.locator("button", has_text="Nộp số liệu kỳ Quý II/2024").click()
        expect(editor.locator(".flash-success")).to_contain_text(
            "Đã nộp số liệu kỳ Quý II/2024, 6 tháng 2024 của Sở Tư pháp cho tỉnh Hà Tĩnh")
        expect(editor.locator("tr[data-period='2024-Q2'] .submission-state")).to_have_text("Đã nộp, chờ duyệt")
        editor.screenshot(path=str(ARTIFACTS / "30-nop-so-lieu.png"), full_page=True)

    with chromium_context(chromium) as context:
        office = context.new_page()
        office.set_default_timeout(30_000)
        sign_in(office, live_server, "admin")
        office.click("nav.mainnav >> text=Duyệt số liệu")
        expect(office.locator("h1")).to_have_text("Duyệt số liệu")
        office.select_option("select[name=period]", "2024-Q2")
        office.click("button:has-text('Lọc')")
        row = office.locator(".review-table tbody tr", has_text="Sở Tư pháp")
        expect(row).to_contain_text("Quý II/2024, 6 tháng 2024")
        expect(row.locator(".submission-state")).to_have_text("Đã nộp, chờ duyệt")
        office.screenshot(path=str(ARTIFACTS / "31-duyet-so-lieu.png"), full_page=True)
        row.locator("button", has_text="Duyệt").click()
        expect(office.locator(".flash-success")).to_contain_text(
            "Đã duyệt số liệu kỳ Quý II/2024, 6 tháng 2024 của Sở Tư pháp; số liệu kỳ này đã được khóa.")
        expect(office.locator(".review-table tbody tr", has_text="Sở Tư pháp").locator(".submission-state")) \
            .to_have_text("Đã duyệt")

    with chromium_context(chromium) as context:
        editor = context.new_page()
        editor.set_default_timeout(30_000)
        sign_in(editor, live_server, "stp")
        editor.goto(f"{live_server}/submissions?year=2024")
        expect(editor.locator("tr[data-period='2024-Q2'] .submission-state")).to_have_text("Đã duyệt")
        expect(editor.locator("tr[data-period='2024-Q2'] button")).to_have_count(0)
        # 6 tháng 2024 is the approved window under its other key.
        editor.goto(f"{live_server}/tasks/{task}?period=2024-H1")
        editor.check("input[name=status][value=in_progress]")
        editor.fill("textarea[name=result]", "Bổ sung kết quả sau khi đã duyệt.")
        editor.click("button:has-text('Lưu tiến độ')")
        refusal = editor.locator(".flash-error")
        expect(refusal).to_contain_text(re.compile(
            r"Số liệu kỳ Quý II/2024, 6 tháng 2024 của Sở Tư pháp đã được admin duyệt lúc \d\d/\d\d/\d{4} \d\d:\d\d "
            r"nên không sửa được nữa\. Nếu cần sửa, hãy đề nghị quản trị viên mở lại kỳ này\."))
        editor.screenshot(path=str(ARTIFACTS / "32-sua-sau-khi-duyet.png"), full_page=True)

    with demo_services.sessions() as session:
        after = session.scalar(select(StatusUpdate).where(StatusUpdate.task_id == task,
                                                          StatusUpdate.period_key == "2024-Q2"))
        assert ((after.status, after.result, after.version) if after else None) == before
        row = session.scalar(select(Submission).join(Agency, Agency.id == Submission.agency_id)
                             .where(Agency.name == "Sở Tư pháp"))
        assert (row.state, row.submitted_by, row.decided_by, row.period_key) == ("approved", "stp", "admin", "2024-Q2")
        actions = list(session.scalars(select(AuditEntry.action).where(
            AuditEntry.entity == "submission", AuditEntry.entity_id == str(row.id)).order_by(AuditEntry.id)))
    assert actions == ["submission.submit", "submission.approve"]
