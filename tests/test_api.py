"""The JSON API's request checking and its OpenAPI document, both from the flask-smorest schemas;
the reads it shares with the web pages (task listing, unit lookup, downloads)."""
from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from reportsvc.db.lookup import find_unit
from reportsvc.db.models import Plan, Unit
from reportsvc.errors import NotFound
from reportsvc.periods import Period
from reportsvc.services import downloads
from reportsvc.services.permissions import Actor
from reportsvc.services.runtime import Services
from reportsvc.services.tasks import NO_UPDATE, TaskFilter, list_tasks
from tests.web_fixtures import api_token, fake_report, task_led_by

VIETNAMESE = re.compile("[ăâđêôơưáàảãạếềểễệíìỉĩịóòỏõọúùủũụýỳỷỹỵ]", re.IGNORECASE)
MARSHMALLOW_ENGLISH = ("Missing data", "Not a valid", "Unknown field", "Field may not", "Invalid", "Must be")


def admin_client(app: Flask, services: Services) -> tuple[FlaskClient, dict[str, str]]:
    """Return a client and the headers of an admin token."""
    return app.test_client(), {"Authorization": f"Bearer {api_token(services, 'admin')}"}


def assert_vietnamese_error(response, status: int) -> list[str]:  # noqa: ANN001 - a Flask test response
    """Check a JSON error answer: its status, a Vietnamese message, no English marshmallow text; return reasons."""
    body = response.get_json()
    assert response.status_code == status, body
    assert VIETNAMESE.search(body["error"]), body
    texts = [body["error"], *body.get("errors", [])]
    assert not any(english in text for english in MARSHMALLOW_ENGLISH for text in texts), body
    return body.get("errors", [])


def test_openapi_document_is_generated_from_the_schemas(app: Flask) -> None:
    spec = app.test_client().get("/api/v1/openapi.json").get_json()  # public: no token
    assert spec["openapi"] == "3.0.3" and spec["info"]["title"] == "reportsvc API"
    assert spec["security"] == [{"bearer": []}]
    assert spec["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}
    assert spec["paths"]["/api/v1/openapi.json"]["get"]["security"] == []
    post = spec["paths"]["/api/v1/tasks/{task_id}/status"]["post"]
    body = post["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/StatusInput"}
    status_input = spec["components"]["schemas"]["StatusInput"]
    assert set(status_input["required"]) == {"period", "version", "status"}
    assert status_input["properties"]["status"]["enum"] == ["done", "in_progress", "not_started"]
    assert {"200", "201", "403", "409", "422"} <= set(post["responses"])
    assert post["responses"]["409"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    query = {p["name"]: p for p in spec["paths"]["/api/v1/indicator-values"]["get"]["parameters"]}
    assert query["unit"]["required"] and query["period"]["required"]
    report_input = spec["components"]["schemas"]["ReportInput"]["properties"]
    assert report_input["formats"]["items"]["enum"] == ["docx", "pdf", "pdfa", "json"]
    assert VIETNAMESE.search(post["summary"])


def test_a_body_missing_its_fields_is_refused_field_by_field(app: Flask, demo_services: Services) -> None:
    client, headers = admin_client(app, demo_services)
    task_id = task_led_by(demo_services, "Sở Nội vụ")
    reasons = assert_vietnamese_error(client.post(f"/api/v1/tasks/{task_id}/status", json={}, headers=headers), 422)
    assert reasons == ["Thiếu kỳ báo cáo (period), ví dụ 2024-Q3.",
                       "Thiếu phiên bản dữ liệu đã đọc (version; 0 khi tạo mới).",
                       "Thiếu trạng thái (status): done, in_progress, not_started."]


def test_wrong_types_unknown_fields_and_bad_periods_get_vietnamese_reasons(app: Flask, demo_services: Services) -> None:
    client, headers = admin_client(app, demo_services)
    task_id = task_led_by(demo_services, "Sở Nội vụ")
    response = client.post(f"/api/v1/tasks/{task_id}/status", headers=headers,
                           json={"period": "2024-Q9", "version": "x", "status": 3, "ghi_chu": "?"})
    reasons = assert_vietnamese_error(response, 422)
    assert reasons[0].startswith("Kỳ báo cáo không hợp lệ: '2024-Q9'")
    assert "Phiên bản (version) không hợp lệ." in reasons
    assert "Trường 'status' phải là văn bản." in reasons
    assert "Trường 'ghi_chu' không phải trường được nhận." in reasons
    assert reasons[-1].startswith("Các trường được nhận: completed_on, evidence_date")
    value = client.post("/api/v1/indicator-values", headers=headers, json={
        "unit": "HT", "period": "2024-Q4", "code": "TTHC_SO_HOA", "value": "72,5", "version": 0})
    assert assert_vietnamese_error(value, 422) == ["Giá trị chỉ tiêu phải là một số JSON, không phải chuỗi: '72,5'."]
    report = client.post("/api/v1/reports", headers=headers, json={
        "unit": "HT", "period": "2024-Q4", "formats": ["odt"], "number": "3", "date": "hôm qua"})
    assert assert_vietnamese_error(report, 422) == [
        "Định dạng không hợp lệ: ['odt']. Chọn trong: docx, pdf, pdfa, json.",
        "Số văn bản (number) phải là số nguyên dương.", "Ngày báo cáo không hợp lệ: 'hôm qua' (dạng YYYY-MM-DD)."]


@pytest.mark.parametrize("body", ["[1, 2]", "{không phải JSON", ""])
def test_a_body_that_is_not_a_json_object_is_a_bad_request(app: Flask, demo_services: Services, body: str) -> None:
    client, headers = admin_client(app, demo_services)
    response = client.post("/api/v1/reports", data=body, headers={**headers, "Content-Type": "application/json"})
    assert_vietnamese_error(response, 400)
    assert "đối tượng JSON" in response.get_json()["error"]


@pytest.mark.parametrize(("url", "status", "reason"), [
    ("/api/v1/tasks", 422, "Cần tham số plan=ID, hoặc unit=MÃ và year=NĂM."),
    ("/api/v1/tasks?plan=abc", 422, "Trường 'plan' phải là số nguyên."),
    ("/api/v1/tasks?unit=HT&year=2024&status=xong", 422, "Trạng thái lọc không hợp lệ: 'xong'"),
    ("/api/v1/indicator-values?period=2024-Q4", 422, "Thiếu mã đơn vị (unit)."),
    ("/api/v1/indicator-values?unit=ZZ&period=2024-Q4", 404, "Không tìm thấy đơn vị 'ZZ'"),
    ("/api/v1/plans?unit=ZZ", 404, "Không tìm thấy đơn vị 'ZZ'"),
    ("/api/v1/tasks/999999", 404, "Không tìm thấy nhiệm vụ số 999999."),
])
def test_bad_queries_are_answered_in_vietnamese(app: Flask, demo_services: Services, url: str, status: int,
                                                reason: str) -> None:
    client, headers = admin_client(app, demo_services)
    response = client.get(url, headers=headers)
    assert_vietnamese_error(response, status)
    assert reason in response.get_json()["error"]


def test_unknown_query_parameters_are_ignored(app: Flask, demo_services: Services) -> None:
    client, headers = admin_client(app, demo_services)
    response = client.get("/api/v1/units?trang=2", headers=headers)
    assert response.status_code == 200 and "HT" in [u["code"] for u in response.get_json()]


def test_api_and_task_page_list_the_same_tasks(app: Flask, demo_services: Services) -> None:
    client, headers = admin_client(app, demo_services)
    api = client.get("/api/v1/tasks?unit=HT&year=2024&period=2024-Q4&agency=Sở Tư pháp", headers=headers).get_json()
    assert api and all(any("Sở Tư pháp" in lead for lead in task["lead"]) for task in api)
    with demo_services.sessions() as session:
        plan = session.scalar(select(Plan).join(Unit).where(Unit.code == "HT", Plan.year == 2024))
        admin = Actor(id=0, username="admin", full_name="", role="admin")
        rows = list_tasks(session, admin, plan, Period(2024, "Q", 4), TaskFilter(lead_agency_name="sở tư pháp"))
        assert [row.task.id for row in rows] == [task["id"] for task in api]
        assert all(row.editable for row in rows)
        viewer = Actor(id=0, username="xem", full_name="", role="viewer")
        not_updated = list_tasks(session, viewer, plan, Period(2024, "Q", 4), TaskFilter(status=NO_UPDATE))
        assert not_updated and all(row.update is None and not row.editable for row in not_updated)


def test_one_unit_lookup_and_one_download(app: Flask, demo_services: Services) -> None:
    with demo_services.sessions() as session:
        assert find_unit(session, "HT").code == "HT"
        with pytest.raises(NotFound, match="Không tìm thấy đơn vị 'ZZ'"):
            find_unit(session, "ZZ")
        report_id = fake_report(demo_services)
        file = downloads.report_file(session, report_id, "docx")
        assert (file.filename, file.content) == ("thu.docx", b"abc")
        assert file.media_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        with pytest.raises(NotFound, match="không có tệp định dạng 'pdf'"):
            downloads.report_file(session, report_id, "pdf")
    client, headers = admin_client(app, demo_services)
    api = client.get(f"/api/v1/reports/{report_id}/files/docx", headers=headers)
    assert (api.status_code, api.mimetype, api.data) == (200, file.media_type, b"abc")
    assert 'filename=thu.docx' in api.headers["Content-Disposition"]
    assert_vietnamese_error(client.get(f"/api/v1/reports/{report_id}/files/odt", headers=headers), 404)
