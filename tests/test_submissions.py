"""Submitting a period's data and the compiling office's decision (issue 14, item 4), through the API and the pages.

The demo: the province Hà Tĩnh (HT) with its departments; Sở Tư pháp's editor "stp" submits its data, the
Sở Nội vụ's admin "admin" approves or returns it. A commune (xã Thạch Đài, HT-TH-TD, below huyện Thạch Hà)
submits as a whole unit to the office above it. Quý II and 6 tháng are one data window: one submission, one lock.
"""
from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from reportsvc.db.models import Agency, AuditEntry, IndicatorValue, Submission, Unit
from reportsvc.services.accounts import create_user
from reportsvc.services.audit import ACTIONS
from reportsvc.services.runtime import Services
from reportsvc.services.units import add_unit
from tests.cli_helpers import ok, refused
from tests.web_fixtures import api_token, csrf_app, login, task_led_by  # noqa: F401 - fixture

OTHER_PASSWORD = "mat-khau-thu-nghiem-2024"
LOCKED = re.compile(r"Số liệu kỳ Quý II/2024, 6 tháng 2024 của Sở Tư pháp đã được admin duyệt lúc "
                    r"\d\d/\d\d/\d{4} \d\d:\d\d nên không sửa được nữa")


class Api:
    """A JSON API client acting as one demo user."""

    def __init__(self, app: Flask, services: Services, username: str) -> None:
        self.client = app.test_client()
        self.headers = {"Authorization": f"Bearer {api_token(services, username)}"}

    def post(self, path: str, body: dict[str, Any]) -> Any:
        """POST ``body`` to /api/v1``path``."""
        return self.client.post(f"/api/v1{path}", json=body, headers=self.headers)

    def get(self, path: str, **query: str) -> Any:
        """GET /api/v1``path`` with the query."""
        return self.client.get(f"/api/v1{path}", query_string=query, headers=self.headers)


def add_user(services: Services, username: str, role: str, unit: str, agency: str = "") -> None:
    """Create an account beside the demo users (password OTHER_PASSWORD)."""
    with services.transaction() as session:
        create_user(session, username, role, OTHER_PASSWORD, unit_code=unit, agency_name=agency)


def audit_actions(services: Services, entity_id: int) -> list[str]:
    """Return the audit actions written for one submission, oldest first."""
    with services.sessions() as session:
        return list(session.scalars(select(AuditEntry.action).where(
            AuditEntry.entity == "submission", AuditEntry.entity_id == str(entity_id)).order_by(AuditEntry.id)))


def stored(services: Services, submission_id: int) -> Submission:
    """Return the stored submission."""
    with services.sessions() as session:
        row = session.get(Submission, submission_id)
        session.expunge(row)
        return row


def count_submissions(services: Services) -> int:
    """Return how many submissions are stored (the demo's own included)."""
    with services.sessions() as session:
        return session.scalar(select(func.count()).select_from(Submission))


def submit_justice(app: Flask, services: Services, period: str = "2024-H1") -> dict[str, Any]:
    """Sở Tư pháp's editor submits its data of ``period``; return the API's answer."""
    response = Api(app, services, "stp").post("/submissions", {"unit": "HT", "agency": "Sở Tư pháp", "period": period})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


# ---------------------------------------------------------------- the transitions through the API

def test_an_editor_submits_and_the_office_approves(app: Flask, demo_services: Services) -> None:
    body = submit_justice(app, demo_services, "2024-H1")
    # 6 tháng is stored under quý II, the window's record key, and serves both.
    assert body["state"] == "submitted" and body["state_label"] == "Đã nộp, chờ duyệt"
    assert (body["unit"], body["agency"], body["period"], body["serves"]) == \
        ("HT", "Sở Tư pháp", "2024-Q2", ["2024-Q2", "2024-H1"])
    assert body["submitted_by"] == "stp" and body["office"] == "HT" and body["decided_by"] == ""
    assert body["first_submitted_at"] == body["submitted_at"]

    admin = Api(app, demo_services, "admin")
    def listed(**query: str) -> list[int]:
        rows = admin.get("/submissions", **query).get_json()
        assert {row["state"] for row in rows} <= {query.get("state", "")} | ({"submitted", "approved", "returned"}
                                                                             if "state" not in query else set())
        return [row["id"] for row in rows if row["agency"] == "Sở Tư pháp"]

    assert listed(unit="HT", period="2024-Q2", state="submitted") == [body["id"]]
    assert listed(unit="HT", period="2024-H1") == [body["id"]]
    assert listed(unit="HT", state="approved") == [] and listed(unit="HT", period="2024-Q1") == []

    approved = admin.post(f"/submissions/{body['id']}/approve", {"version": body["version"]})
    assert approved.status_code == 200, approved.get_json()
    assert approved.get_json()["state"] == "approved" and approved.get_json()["decided_by"] == "admin"
    assert stored(demo_services, body["id"]).state == "approved"
    assert audit_actions(demo_services, body["id"]) == ["submission.submit", "submission.approve"]
    with demo_services.sessions() as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "submission.approve"))
        unit_id = session.scalar(select(Unit.id).where(Unit.code == "HT"))
    assert entry.actor == "admin" and entry.unit_id == unit_id
    assert (entry.old["state"], entry.new["state"]) == ("submitted", "approved")
    assert ACTIONS["submission.approve"] == "Duyệt số liệu đã nộp"


def test_a_second_submission_of_the_same_window_is_refused(app: Flask, demo_services: Services) -> None:
    body = submit_justice(app, demo_services, "2024-Q2")
    stp = Api(app, demo_services, "stp")
    again = stp.post("/submissions", {"unit": "HT", "agency": "Sở Tư pháp", "period": "2024-H1"})  # the other key
    assert again.status_code == 409
    assert "đã được stp nộp lúc" in again.get_json()["error"] and "đang chờ duyệt" in again.get_json()["error"]
    assert again.get_json()["current"]["id"] == body["id"]

    Api(app, demo_services, "admin").post(f"/submissions/{body['id']}/approve", {})
    after = stp.post("/submissions", {"unit": "HT", "agency": "Sở Tư pháp", "period": "2024-Q2"})
    assert after.status_code == 409
    assert "đã được admin duyệt lúc" in after.get_json()["error"] and "mở lại" in after.get_json()["error"]
    with demo_services.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Submission).where(
            Submission.party == body["party"])) == 1
    assert audit_actions(demo_services, body["id"]) == ["submission.submit", "submission.approve"]


def test_nobody_approves_or_returns_their_own_submission(app: Flask, demo_services: Services) -> None:
    add_user(demo_services, "admin2", "admin", "HT", "Sở Nội vụ")
    admin = Api(app, demo_services, "admin")
    with demo_services.sessions() as session:
        justice = session.scalar(select(Agency.id).where(Agency.name == "Sở Tư pháp"))
    # The admin submits on behalf of Sở Tư pháp, by the agency's id.
    body = admin.post("/submissions", {"unit": "HT", "agency": justice, "period": "2024-Q1"}).get_json()
    assert body["agency"] == "Sở Tư pháp" and body["submitted_by"] == "admin"

    own = admin.post(f"/submissions/{body['id']}/approve", {})
    assert own.status_code == 403
    assert "không thể tự duyệt số liệu do chính mình nộp" in own.get_json()["error"]
    assert admin.post(f"/submissions/{body['id']}/return", {"reason": "Thiếu số liệu"}).status_code == 403
    assert stored(demo_services, body["id"]).state == "submitted"

    other = Api(app, demo_services, "admin2").post(f"/submissions/{body['id']}/approve", {})
    assert other.status_code == 200 and other.get_json()["decided_by"] == "admin2"
    assert audit_actions(demo_services, body["id"]) == ["submission.submit", "submission.approve"]


def test_a_return_needs_a_reason_then_the_department_submits_again(app: Flask, demo_services: Services) -> None:
    body = submit_justice(app, demo_services, "2024-Q3")
    admin = Api(app, demo_services, "admin")
    for reason in ("", "   "):
        refused = admin.post(f"/submissions/{body['id']}/return", {"reason": reason})
        assert refused.status_code == 422 and "Hãy ghi lý do trả lại số liệu" in refused.get_json()["error"]
    missing = admin.post(f"/submissions/{body['id']}/return", {})
    assert missing.status_code == 422 and "Thiếu lý do (reason)" in missing.get_json()["error"]
    assert stored(demo_services, body["id"]).state == "submitted"

    returned = admin.post(f"/submissions/{body['id']}/return",
                          {"reason": "Thiếu số, ký hiệu văn bản của nhiệm vụ 2.1", "version": body["version"]})
    assert returned.status_code == 200
    assert returned.get_json()["state"] == "returned"
    assert returned.get_json()["reason"] == "Thiếu số, ký hiệu văn bản của nhiệm vụ 2.1"
    # The returned window cannot be approved; the department sees the reason and submits again.
    assert admin.post(f"/submissions/{body['id']}/approve", {}).status_code == 409
    stp = Api(app, demo_services, "stp")
    assert stp.get(f"/submissions/{body['id']}").get_json()["reason"] == "Thiếu số, ký hiệu văn bản của nhiệm vụ 2.1"
    again = stp.post("/submissions", {"unit": "HT", "agency": "Sở Tư pháp", "period": "2024-M9"})
    assert again.status_code == 201
    data = again.get_json()
    assert data["id"] == body["id"] and data["state"] == "submitted" and data["reason"] == ""
    assert data["first_submitted_at"] == body["first_submitted_at"]
    assert datetime.fromisoformat(data["submitted_at"]) >= datetime.fromisoformat(body["submitted_at"])
    assert audit_actions(demo_services, body["id"]) == ["submission.submit", "submission.return",
                                                        "submission.submit"]


def test_a_stale_version_changes_nothing(app: Flask, demo_services: Services) -> None:
    body = submit_justice(app, demo_services)
    admin = Api(app, demo_services, "admin")
    stale = admin.post(f"/submissions/{body['id']}/approve", {"version": body["version"] + 5})
    assert stale.status_code == 409 and "vừa được người khác thay đổi" in stale.get_json()["error"]
    assert stale.get_json()["current"]["version"] == body["version"]
    assert stored(demo_services, body["id"]).state == "submitted"


# ---------------------------------------------------------------- the lock on approved data

@pytest.mark.parametrize(("submitted", "edited"), [("2024-Q2", "2024-H1"), ("2024-H1", "2024-Q2")])
def test_approved_data_are_locked_through_either_key(app: Flask, demo_services: Services, submitted: str,
                                                     edited: str) -> None:
    body = submit_justice(app, demo_services, submitted)
    Api(app, demo_services, "admin").post(f"/submissions/{body['id']}/approve", {})
    task = task_led_by(demo_services, "Sở Tư pháp")
    status = {"period": edited, "version": 0, "status": "done", "completed_on": "2024-05-10", "result": "Xong"}

    api = Api(app, demo_services, "stp").post(f"/tasks/{task}/status", status)
    assert api.status_code == 423 and LOCKED.search(api.get_json()["error"]), api.get_json()
    # The admin is held by the same lock; the next window is still open.
    assert Api(app, demo_services, "admin").post(f"/tasks/{task}/status", status).status_code == 423
    stp = Api(app, demo_services, "stp")
    q3 = stp.get(f"/tasks/{task}", period="2024-Q3").get_json()["update"]
    assert stp.post(f"/tasks/{task}/status", {**status, "period": "2024-Q3", "version": q3["version"] if q3 else 0}) \
        .status_code in (200, 201)

    web = app.test_client()
    assert web.post("/login", data={"username": "stp", "password": "stp-demo-2024"}).status_code == 302
    page = web.post(f"/tasks/{task}/status", data={**status, "completed_on": "10/05/2024"})
    assert page.status_code == 423 and LOCKED.search(page.get_data(as_text=True))


def test_reopen_needs_an_admin_and_a_reason_then_edits_go_through(app: Flask, demo_services: Services) -> None:
    body = submit_justice(app, demo_services, "2024-Q2")
    admin = Api(app, demo_services, "admin")
    assert admin.post(f"/submissions/{body['id']}/reopen", {"reason": "Sửa số liệu"}).status_code == 409  # not approved
    admin.post(f"/submissions/{body['id']}/approve", {})
    task = task_led_by(demo_services, "Sở Tư pháp")
    status = {"period": "2024-H1", "version": 0, "status": "in_progress", "result": "Đang thẩm định"}
    stp = Api(app, demo_services, "stp")
    assert stp.post(f"/tasks/{task}/status", status).status_code == 423

    assert stp.post(f"/submissions/{body['id']}/reopen", {"reason": "Sửa"}).status_code == 403  # an editor
    assert admin.post(f"/submissions/{body['id']}/reopen", {"reason": " "}).status_code == 422
    reopened = admin.post(f"/submissions/{body['id']}/reopen", {"reason": "Sở Tư pháp đề nghị bổ sung văn bản"})
    assert reopened.status_code == 200
    data = reopened.get_json()
    assert (data["state"], data["state_label"]) == ("returned", "Đã mở lại")
    assert data["reason"] == "Mở lại: Sở Tư pháp đề nghị bổ sung văn bản"
    current = stp.get(f"/tasks/{task}", period="2024-H1").get_json()["update"]
    saved = stp.post(f"/tasks/{task}/status", {**status, "version": current["version"] if current else 0})
    assert saved.status_code in (200, 201), saved.get_json()
    assert audit_actions(demo_services, body["id"]) == ["submission.submit", "submission.approve",
                                                        "submission.reopen"]
    assert stp.post("/submissions", {"unit": "HT", "agency": "Sở Tư pháp", "period": "2024-Q2"}).status_code == 201


def test_a_commune_submits_as_a_whole_to_the_office_above(app: Flask, demo_services: Services) -> None:
    add_user(demo_services, "td_admin", "admin", "HT-TH-TD")
    commune = Api(app, demo_services, "td_admin")
    # An editor submits only its department's data; the province has no office above it.
    refused = Api(app, demo_services, "stp").post("/submissions", {"unit": "HT", "period": "2024-Q4"})
    assert refused.status_code == 403 and "Chỉ quản trị viên của tỉnh Hà Tĩnh" in refused.get_json()["error"]
    top = Api(app, demo_services, "admin").post("/submissions", {"unit": "HT", "agency": None, "period": "2024-Q4"})
    assert top.status_code == 422 and "không có đơn vị cấp trên" in top.get_json()["error"]

    body = commune.post("/submissions", {"unit": "HT-TH-TD", "period": "2024-Y"}).get_json()
    assert (body["party"], body["agency"], body["office"], body["period"]) == ("unit", None, "HT-TH", "2024-Q4")
    # The commune's admin does not approve its own unit's data: that is the office above's.
    mine = commune.post(f"/submissions/{body['id']}/approve", {})
    assert mine.status_code == 403 and "huyện Thạch Hà" in mine.get_json()["error"]
    admin = Api(app, demo_services, "admin")
    assert admin.post(f"/submissions/{body['id']}/approve", {}).status_code == 200

    # Every value of the commune for the window is locked now, whoever enters it, through either key.
    value = {"unit": "HT-TH-TD", "period": "2024-Y", "code": "TTHC_HS_TIEP_NHAN", "value": 999, "version": 1}
    with demo_services.sessions() as session:
        unit_id = session.scalar(select(Unit.id).where(Unit.code == "HT-TH-TD"))
        before = session.scalar(select(IndicatorValue).where(IndicatorValue.unit_id == unit_id,
                                                             IndicatorValue.code == "TTHC_HS_TIEP_NHAN",
                                                             IndicatorValue.period_key == "2024-Q4"))
    locked = admin.post("/indicator-values", {**value, "version": before.version})
    assert locked.status_code == 423 and "xã Thạch Đài đã được admin duyệt" in locked.get_json()["error"]
    assert admin.post("/indicator-values", {**value, "period": "2024-Q4", "version": before.version}) \
        .status_code == 423
    with demo_services.sessions() as session:
        assert session.get(IndicatorValue, before.id).value == before.value


def test_another_province_neither_sees_nor_decides(app: Flask, demo_services: Services) -> None:
    with demo_services.transaction() as session:
        add_unit(session, "QT", "tỉnh Quảng Trị", "tinh", None, "test")
    add_user(demo_services, "qt_admin", "admin", "QT")
    body = submit_justice(app, demo_services)
    stranger = Api(app, demo_services, "qt_admin")
    assert stranger.get("/submissions").get_json() == []
    assert stranger.get(f"/submissions/{body['id']}").status_code == 404
    for action, payload in (("approve", {}), ("return", {"reason": "Không đạt"}), ("reopen", {"reason": "Mở"})):
        response = stranger.post(f"/submissions/{body['id']}/{action}", payload)
        assert response.status_code == 404, (action, response.get_json())
        assert response.get_json()["error"] == f"Không tìm thấy lần nộp số liệu số {body['id']}."
    assert stranger.post("/submissions", {"unit": "HT", "agency": "Sở Tư pháp", "period": "2024-Q3"}) \
        .status_code == 404
    assert stored(demo_services, body["id"]).state == "submitted"
    assert audit_actions(demo_services, body["id"]) == ["submission.submit"]


def test_bad_parties_and_filters_get_a_vietnamese_reason(app: Flask, demo_services: Services) -> None:
    before = count_submissions(demo_services)
    stp = Api(app, demo_services, "stp")
    other = stp.post("/submissions", {"unit": "HT", "agency": "Văn phòng UBND tỉnh", "period": "2024-Q1"})
    assert other.status_code == 403
    assert "chỉ được nộp số liệu của cơ quan mình (Sở Tư pháp)" in other.get_json()["error"]
    unknown = stp.post("/submissions", {"unit": "HT", "agency": "Sở Không Có", "period": "2024-Q1"})
    assert unknown.status_code == 404 and "Sở Không Có" in unknown.get_json()["error"]
    wrong = stp.post("/submissions", {"unit": "HT", "agency": ["Sở Tư pháp"], "period": "2024-Q9"})
    assert wrong.status_code == 422
    assert set(wrong.get_json()["errors"]) >= {
        "Trường 'agency' phải là mã số hoặc tên một cơ quan của đơn vị (null: cả đơn vị)."}
    assert any(reason.startswith("Kỳ báo cáo không hợp lệ: '2024-Q9'") for reason in wrong.get_json()["errors"])
    with demo_services.sessions() as session:
        commune_agency = session.scalar(select(Agency.id).join(Unit).where(Unit.code == "HT-TH-TD"))
    foreign = Api(app, demo_services, "admin").post("/submissions", {"unit": "HT", "agency": commune_agency,
                                                                     "period": "2024-Q1"})
    assert foreign.status_code == 422 and "không phải cơ quan của tỉnh Hà Tĩnh" in foreign.get_json()["error"]
    state = stp.get("/submissions", state="draft")
    assert state.status_code == 422 and "Trạng thái không hợp lệ: 'draft'" in state.get_json()["error"]
    assert Api(app, demo_services, "xem").post("/submissions", {"unit": "HT", "period": "2024-Q1"}).status_code == 403
    assert count_submissions(demo_services) == before


# ---------------------------------------------------------------- the pages (CSRF on)

def _row_of(page: str, submission_id: int) -> str:
    """Return the review table's row of one submission."""
    match = re.search(rf'<tr data-id="{submission_id}">.*?</tr>', page, re.S)
    assert match, f"no row of submission {submission_id}"
    return match.group(0)


def _justice(services: Services) -> Submission:
    """Return Sở Tư pháp's stored submission (the demo leaves its department's cycle to its users)."""
    with services.sessions() as session:
        row = session.scalar(select(Submission).join(Agency, Agency.id == Submission.agency_id)
                             .where(Agency.name == "Sở Tư pháp"))
        session.expunge(row)
        return row


def _form_of(page: str, button: str) -> dict[str, str]:
    """Return the hidden fields of the form whose button reads ``button``."""
    for form in re.findall(r"<form method=\"post\".*?</form>", page, re.S):
        if button in form:
            return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    raise AssertionError(f"no form with the button {button!r}")


def test_the_pages_submit_return_resubmit_approve(csrf_app: Flask, demo_services: Services) -> None:
    editor: FlaskClient = csrf_app.test_client()
    login(editor, "stp")
    page = editor.get("/submissions?year=2024").get_data(as_text=True)
    assert "Nộp số liệu" in page and "Sở Tư pháp" in page and "Chưa nộp" in page
    assert "Duyệt số liệu" not in page  # the office's page is not in an editor's menu
    fields = _form_of(page, "Nộp số liệu kỳ Quý I/2024")
    assert (fields["unit"], fields["period"], fields["version"]) == ("HT", "2024-Q1", "0")
    done = editor.post("/submissions/submit", data=fields, follow_redirects=True)
    assert done.status_code == 200
    assert "Đã nộp số liệu kỳ Quý I/2024 của Sở Tư pháp cho tỉnh Hà Tĩnh" in done.get_data(as_text=True)
    twice = editor.post("/submissions/submit", data=fields)
    assert twice.status_code == 409 and "không nộp lần thứ hai" in twice.get_data(as_text=True)

    office = csrf_app.test_client()
    login(office, "admin")
    submission = _justice(demo_services)
    row = _row_of(office.get("/submissions/review?unit=HT&state=submitted").get_data(as_text=True), submission.id)
    assert "Sở Tư pháp" in row and "Quý I/2024" in row and "Đã nộp, chờ duyệt" in row
    back = _form_of(row, "Trả lại số liệu")
    empty = office.post("/submissions/decide", data={**back, "reason": ""})
    assert empty.status_code == 422 and "Hãy ghi lý do trả lại số liệu." in empty.get_data(as_text=True)
    returned = office.post("/submissions/decide", data={**back, "reason": "Bổ sung văn bản minh chứng"},
                           follow_redirects=True)
    assert "Đã trả lại số liệu kỳ Quý I/2024 của Sở Tư pháp" in returned.get_data(as_text=True)

    page = editor.get("/submissions?year=2024").get_data(as_text=True)
    assert "Bị trả lại" in page and "Bổ sung văn bản minh chứng" in page
    resubmitted = editor.post("/submissions/submit", data=_form_of(page, "Nộp lại số liệu kỳ Quý I/2024"))
    assert resubmitted.status_code == 302

    review = office.get("/submissions/review?unit=HT&period=2024-Q1").get_data(as_text=True)
    approved = office.post("/submissions/decide", data=_form_of(_row_of(review, submission.id), ">Duyệt<"),
                           follow_redirects=True)
    assert "Đã duyệt số liệu kỳ Quý I/2024 của Sở Tư pháp; số liệu kỳ này đã được khóa." in \
        approved.get_data(as_text=True)
    page = editor.get("/submissions?year=2024").get_data(as_text=True)
    assert "Đã duyệt" in page and "Nộp lại số liệu kỳ Quý I/2024" not in page
    row = _justice(demo_services)
    assert row.id == submission.id and row.state == "approved" and row.decided_by == "admin"
    assert audit_actions(demo_services, row.id) == ["submission.submit", "submission.return", "submission.submit",
                                                    "submission.approve"]


def test_the_office_page_refuses_what_the_service_refuses(csrf_app: Flask, demo_services: Services) -> None:
    add_user(demo_services, "admin2", "admin", "HT", "Sở Nội vụ")
    office = csrf_app.test_client()
    token = login(office, "admin")
    submit = office.get("/submissions?agency=unit").get_data(as_text=True)
    assert "không có đơn vị cấp trên" in submit  # the province itself submits to nobody
    page = office.get("/submissions?year=2024").get_data(as_text=True)  # the admin's own Sở Nội vụ
    assert "Sở Nội vụ" in page
    assert office.post("/submissions/submit", data=_form_of(page, "Nộp số liệu kỳ Quý IV/2024")).status_code == 302
    with demo_services.sessions() as session:
        row = session.scalar(select(Submission).join(Agency, Agency.id == Submission.agency_id)
                             .where(Agency.name == "Sở Nội vụ"))
    mine = _row_of(office.get("/submissions/review").get_data(as_text=True), row.id)
    assert "Bạn đã nộp; quản trị viên khác duyệt." in mine and ">Duyệt<" not in mine
    own = office.post("/submissions/decide", data={"csrf_token": token, "id": str(row.id), "action": "approve",
                                                   "version": str(row.version)})
    assert own.status_code == 403 and "không thể tự duyệt" in own.get_data(as_text=True)

    viewer = csrf_app.test_client()
    csrf = login(viewer, "xem")
    seen = viewer.get("/submissions/review").get_data(as_text=True)
    assert "Sở Nội vụ" in seen and "<form method=\"post\" action=\"/submissions/decide\"" not in seen
    assert viewer.post("/submissions/decide", data={"csrf_token": csrf, "id": str(row.id), "action": "approve",
                                                    "version": str(row.version)}).status_code == 403

    other = csrf_app.test_client()
    login(other, "admin2", OTHER_PASSWORD)
    review = _row_of(other.get("/submissions/review").get_data(as_text=True), row.id)
    assert other.post("/submissions/decide", data=_form_of(review, ">Duyệt<")).status_code == 302
    assert stored(demo_services, row.id).state == "approved"
    # Deciding again from the page loaded before: the stale version changes nothing.
    stale = other.post("/submissions/decide", data=_form_of(review, ">Duyệt<"))
    assert stale.status_code == 409 and "vừa được người khác thay đổi" in stale.get_data(as_text=True)


# ---------------------------------------------------------------- the command line

def test_the_command_line_walks_the_same_cycle(runner: CliRunner, demo_services: Services) -> None:
    add_user(demo_services, "admin2", "admin", "HT", "Sở Nội vụ")
    done = ok(runner, "--user", "stp", "submissions", "submit", "--unit", "HT", "--agency", "Sở Tư pháp",
              "--period", "2024-Y")
    assert "Đã nộp số liệu kỳ Quý IV/2024, Năm 2024 của Sở Tư pháp" in done.output
    submission = _justice(demo_services)
    number = str(submission.id)
    assert refused(runner, "--user", "stp", "submissions", "submit", "--unit", "HT", "--agency", "Sở Tư pháp",
                   "--period", "2024-Q4").endswith("đang chờ duyệt; không nộp lần thứ hai.")
    assert refused(runner, "--user", "stp", "submissions", "approve", number) == \
        "Lỗi: Chỉ quản trị viên (Sở Nội vụ) được thực hiện thao tác này."
    assert refused(runner, "--user", "admin", "submissions", "return", number, "--reason", "  ") == \
        "Lỗi: Hãy ghi lý do trả lại số liệu."
    listed = ok(runner, "--user", "admin", "submissions", "list", "--unit", "HT", "--period", "2024-Y",
                "--state", "submitted", "--json")
    assert [row["id"] for row in json.loads(listed.output) if row["agency"] == "Sở Tư pháp"] == [submission.id]
    assert "Đã duyệt" in ok(runner, "--user", "admin", "submissions", "approve", number,
                            "--version", str(submission.version)).output
    assert "trạng thái: Đã mở lại" in ok(runner, "--user", "admin2", "submissions", "reopen", number,
                                         "--reason", "Bổ sung kết quả quý IV").output
    assert refused(runner, "submissions", "list", "--state", "draft") \
        .startswith("Lỗi: Trạng thái không hợp lệ: 'draft'")
    assert audit_actions(demo_services, submission.id) == ["submission.submit", "submission.approve",
                                                           "submission.reopen"]
    assert _justice(demo_services).reason == "Mở lại: Bổ sung kết quả quý IV"
