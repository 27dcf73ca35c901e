"""Web flows through the Flask test client: status with evidence, lost-update protection, indicator
validation, draft edit + generate + download, the audit trail, the token API and its OpenAPI document."""
from __future__ import annotations

import io
import re
from pathlib import Path

from click.testing import CliRunner, Result
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from reportsvc.cli.main import main
from reportsvc.db.models import AuditEntry, IndicatorValue, Plan, ReportDraft, StatusUpdate, Task, Unit
from reportsvc.services.accounts import create_user
from reportsvc.services.runtime import Services
from reportsvc.plugin.testing import docx_text, pdf_text
from tests.web_fixtures import PASSWORDS, api_token, plan_docx, task_led_by

PERIOD = "2024-Q4"


def signed_in(app: Flask, username: str) -> FlaskClient:
    """Return a client signed in as a demo user (CSRF is off in this module's app)."""
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": PASSWORDS[username]})
    assert response.status_code == 302
    return client


def version_on(page: str) -> str:
    """Return the version carried by the status form of a task page."""
    return re.search(r'name="version" value="(\d+)"', page).group(1)


def run_users(args: list[str], input: str | None = None) -> Result:
    """Run a ``users`` command as ``reportsvc users …`` would, closing its database connections after."""
    return CliRunner().invoke(main, ["users", *args], input=input)


def audit(services: Services, action: str) -> list[AuditEntry]:
    """Return the audit entries of an action, oldest first."""
    with services.sessions() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def test_status_update_with_evidence_is_stored_shown_and_audited(app: Flask, demo_services: Services) -> None:
    client = signed_in(app, "vpubnd")  # Văn phòng UBND tỉnh
    task_id = task_led_by(demo_services, "Văn phòng UBND tỉnh")
    page = client.get(f"/tasks/{task_id}?period={PERIOD}").get_data(as_text=True)
    form = {"period": PERIOD, "version": version_on(page), "status": "done", "completed_on": "05/12/2024",
            "result": "Đã ban hành kế hoạch và triển khai tới các sở, ngành.", "evidence_number": "215/KH-UBND",
            "evidence_date": "05/12/2024", "evidence_title": "Kế hoạch kiểm soát TTHC năm 2025"}
    response = client.post(f"/tasks/{task_id}/status", data=form)
    assert response.status_code == 302
    shown = client.get(response.location).get_data(as_text=True)
    assert "Đã lưu tiến độ" in shown and "215/KH-UBND" in shown and "05/12/2024" in shown
    with demo_services.sessions() as session:
        update = session.scalar(select(StatusUpdate).where(StatusUpdate.task_id == task_id,
                                                           StatusUpdate.period_key == PERIOD))
        assert (update.status, update.evidence_number, update.updated_by) == ("done", "215/KH-UBND", "vpubnd")
    entry = audit(demo_services, "status.update")[-1] if audit(demo_services, "status.update") else \
        audit(demo_services, "status.create")[-1]
    assert entry.actor == "vpubnd" and entry.entity_id == str(task_id)
    assert entry.new["evidence_number"] == "215/KH-UBND" and entry.new["completed_on"] == "2024-12-05"
    # Validation: "done" without a completion date is refused with a Vietnamese reason; nothing stored.
    page = client.get(f"/tasks/{task_id}?period={PERIOD}").get_data(as_text=True)
    bad = client.post(f"/tasks/{task_id}/status", data={**form, "version": version_on(page), "completed_on": ""})
    assert bad.status_code == 422
    assert "phải có ngày hoàn thành" in bad.get_data(as_text=True)


def test_a_stale_save_is_refused_with_the_other_value_and_nothing_is_lost(app: Flask, demo_services: Services) -> None:
    task_id = task_led_by(demo_services, "Văn phòng UBND tỉnh")
    editor, admin = signed_in(app, "vpubnd"), signed_in(app, "admin")
    url = f"/tasks/{task_id}?period={PERIOD}"
    loaded = version_on(editor.get(url).get_data(as_text=True))
    assert version_on(admin.get(url).get_data(as_text=True)) == loaded
    first = {"period": PERIOD, "version": loaded, "status": "in_progress", "result": "Kết quả của Văn phòng"}
    assert editor.post(f"/tasks/{task_id}/status", data=first).status_code == 302
    second = {**first, "result": "Kết quả của Sở Nội vụ"}
    conflict = admin.post(f"/tasks/{task_id}/status", data=second)
    html = conflict.get_data(as_text=True)
    assert conflict.status_code == 409
    assert "Xung đột dữ liệu" in html and "vpubnd" in html and "Kết quả của Văn phòng" in html
    assert "Kết quả của Sở Nội vụ" in html  # the admin's own text is kept in the form
    with demo_services.sessions() as session:
        stored = session.scalar(select(StatusUpdate).where(StatusUpdate.task_id == task_id,
                                                           StatusUpdate.period_key == PERIOD))
        assert stored.result == "Kết quả của Văn phòng"
    # Saving again from the conflict page (which now carries the current version) is a deliberate overwrite.
    again = admin.post(f"/tasks/{task_id}/status", data={**second, "version": version_on(html)})
    assert again.status_code == 302


def test_indicator_values_are_checked_against_type_and_bounds(app: Flask, demo_services: Services) -> None:
    client = signed_in(app, "admin")
    page = client.get(f"/indicators?unit=HT&period={PERIOD}").get_data(as_text=True)

    def row(code: str) -> dict[str, str]:
        value = re.search(rf'name="value-{code}" value="([^"]*)"', page).group(1)
        version = re.search(rf'name="version-{code}" value="(\d+)"', page).group(1)
        return {f"orig-{code}": value, f"version-{code}": version, f"orig-note-{code}": "", f"note-{code}": ""}

    base = {"unit": "HT", "period": PERIOD, **row("CQS_CSDL_LIEN_THONG"), **row("CD_SANG_KIEN"),
            **row("TC_VBQPPL_BAN_HANH")}
    bad = client.post("/indicators", data={**base, "value-CQS_CSDL_LIEN_THONG": "150", "value-CD_SANG_KIEN": "2,5",
                                           "value-TC_VBQPPL_BAN_HANH": "nhiều"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert "tỷ lệ phải từ 0% đến 100%, nhận được 150%" in html
    assert "số lượng phải là số nguyên không âm" in html
    assert "giá trị phải là một số" in html
    assert "Chưa lưu số liệu nào" in html
    ok = client.post("/indicators", data={**base, "value-CQS_CSDL_LIEN_THONG": "74,5", "value-CD_SANG_KIEN": "4",
                                          "value-TC_VBQPPL_BAN_HANH": base["orig-TC_VBQPPL_BAN_HANH"]})
    assert ok.status_code == 302
    with demo_services.sessions() as session:
        unit_id = session.scalar(select(Unit.id).where(Unit.code == "HT"))
        value = session.scalar(select(IndicatorValue).where(IndicatorValue.code == "CQS_CSDL_LIEN_THONG",
                                                            IndicatorValue.unit_id == unit_id,
                                                            IndicatorValue.period_key == PERIOD))
        assert (value.value, value.updated_by) == (74.5, "admin")
    entry = audit(demo_services, "indicator.update")[-1]
    assert entry.old["value"] == 72.0 and entry.new["value"] == 74.5
    # The same form posted again with its old version is a conflict showing the stored value.
    stale = client.post("/indicators", data={**base, "value-CQS_CSDL_LIEN_THONG": "75"})
    assert stale.status_code == 409
    assert "74,5%" in stale.get_data(as_text=True)


def test_draft_edit_generate_download_and_audit(app: Flask, demo_services: Services, tmp_path: Path) -> None:
    client = signed_in(app, "admin")
    page = client.get("/reports?unit=HT-TH-TD&period=2024-Q1").get_data(as_text=True)
    fingerprint = re.search(r'name="orig-V" value="([0-9a-f]{64})"', page).group(1)
    own_text = "Đề nghị UBND tỉnh bố trí kinh phí số hóa hồ sơ cho cấp xã.\n\nĐề nghị tập huấn phần mềm một cửa."
    response = client.post("/reports/draft", data={
        "unit": "HT-TH-TD", "period": "2024-Q1", "text-V": own_text, "orig-V": fingerprint, "action": "generate",
        "formats": ["docx", "pdf"]})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    detail = client.get(response.location).get_data(as_text=True)
    report_id = int(response.location.rstrip("/").rsplit("/", 1)[1])
    assert "BC-CCHC_HT-TH-TD_2024-Q1_v1.docx" in detail
    docx = client.get(f"/reports/{report_id}/files/docx")
    assert docx.status_code == 200 and docx.headers["Content-Disposition"].startswith("attachment")
    assert "bố trí kinh phí số hóa hồ sơ cho cấp xã" in docx_text(docx.data)
    pdf = client.get(f"/reports/{report_id}/files/pdf")
    assert pdf.mimetype == "application/pdf"
    assert "Đề nghị tập huấn phần mềm một cửa" in pdf_text(pdf.data, tmp_path)
    archive = client.get("/reports/archive?unit=HT-TH-TD").get_data(as_text=True)
    with demo_services.sessions() as session:
        draft = session.scalar(select(ReportDraft).where(ReportDraft.section == "V"))
        assert draft.text == own_text and draft.updated_by == "admin"
    generated = audit(demo_services, "report.generate")[-1]
    assert generated.actor == "admin" and generated.new["files"]["docx"] in archive
    assert audit(demo_services, "draft.update")[-1].new == {"text": own_text}
    # The audit page shows both, with old and new values.
    trail = client.get("/admin/audit").get_data(as_text=True)
    assert "Tạo báo cáo" in trail and "Sửa nội dung báo cáo" in trail and "bố trí kinh phí" in trail


def test_api_token_flow_and_openapi_coverage(app: Flask, demo_services: Services) -> None:
    client = app.test_client()
    result = run_users(["token", "vpubnd"])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/units").status_code == 401
    assert "HT-TH-TD" in [u["code"] for u in client.get("/api/v1/units", headers=headers).get_json()]
    plan = next(p for p in client.get("/api/v1/plans?unit=HT", headers=headers).get_json() if p["year"] == 2024)
    tasks = client.get(f"/api/v1/tasks?plan={plan['id']}&period={PERIOD}&agency=Văn phòng", headers=headers).get_json()
    task = next(t for t in tasks if t["can_edit"])
    version = task["update"]["version"] if task["update"] else 0
    body = {"period": PERIOD, "version": version, "status": "in_progress", "result": "Qua API",
            "evidence_number": "12/VP-KSTT", "evidence_date": "2024-11-20"}
    saved = client.post(f"/api/v1/tasks/{task['id']}/status", json=body, headers=headers)
    assert saved.status_code in (200, 201), saved.get_json()
    assert saved.get_json()["update"]["version"] == version + 1
    stale = client.post(f"/api/v1/tasks/{task['id']}/status", json={**body, "result": "Ghi đè"}, headers=headers)
    assert stale.status_code == 409 and stale.get_json()["current"]["result"] == "Qua API"
    invalid = client.post(f"/api/v1/tasks/{task['id']}/status", json={**body, "version": version + 1,
                                                                       "status": "xong"}, headers=headers)
    assert invalid.status_code == 422 and "Trạng thái không hợp lệ" in invalid.get_json()["error"]
    value = client.post("/api/v1/indicator-values", headers=headers, json={
        "unit": "HT", "period": PERIOD, "code": "TTHC_SO_HOA", "value": 101, "version": 0})
    assert value.status_code == 422 and "tỷ lệ phải từ 0% đến 100%" in value.get_json()["error"]
    # Generating is for admins; an admin token gets the report id, then downloads the file.
    assert client.post("/api/v1/reports", headers=headers, json={"unit": "HT-TH-TD", "period": "2024-Q2"}).status_code == 403
    admin = {"Authorization": f"Bearer {api_token(demo_services, 'admin')}"}
    created = client.post("/api/v1/reports", headers=admin, json={"unit": "HT-TH-TD", "period": "2024-Q2",
                                                                   "formats": ["docx"]})
    assert created.status_code == 201, created.get_json()
    report = client.get(f"/api/v1/reports/{created.get_json()['id']}", headers=admin).get_json()
    download = client.get(report["files"][0]["url"], headers=admin)
    assert download.status_code == 200 and "quý II năm 2024" in docx_text(download.data)
    # Every /api/v1 route with each of its methods is described in the OpenAPI document.
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        assert path in spec["paths"], path
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            assert method.lower() in spec["paths"][path], (method, path)


def test_users_create_command(app: Flask, demo_services: Services) -> None:
    unknown = run_users(["create", "tc", "--role", "editor", "--agency", "Sở Không Có", "--unit", "HT",
                         "--password", "mat-khau-123"])
    assert unknown.exit_code == 2
    assert unknown.output.strip() == "Lỗi: Không tìm thấy cơ quan 'Sở Không Có' của tỉnh Hà Tĩnh."
    created = run_users(["create", "tc", "--role", "editor", "--agency", "Sở TC", "--unit", "HT", "--password", "x"])
    assert created.exit_code == 2 and "Không tìm thấy cơ quan" in created.output
    ok = run_users(["create", "tuphap2", "--role", "editor", "--agency", "Sở Tư pháp", "--unit", "HT",
                    "--full-name", "Ngô Thị Mai"], input="tu-phap-ha-tinh\ntu-phap-ha-tinh\n")
    assert ok.exit_code == 0, ok.output
    assert "Đã tạo tài khoản 'tuphap2' (vai trò editor, đơn vị tỉnh Hà Tĩnh (HT), cơ quan Sở Tư pháp)" in ok.output
    client = app.test_client()
    assert client.post("/login", data={"username": "tuphap2", "password": "tu-phap-ha-tinh"}).status_code == 302
    assert "Ngô Thị Mai" in client.get("/").get_data(as_text=True)
    dup = run_users(["create", "tuphap2", "--role", "viewer", "--password", "mat-khau-123"])
    assert dup.exit_code == 2 and "đã tồn tại" in dup.output


def test_plan_upload_shows_the_dry_run_then_imports_or_replaces(app: Flask, demo_services: Services) -> None:
    client = signed_in(app, "admin")

    def plans() -> list[tuple[int, str]]:
        with demo_services.sessions() as session:
            return [(p.year, p.source_filename) for p in session.scalars(
                select(Plan).join(Unit).where(Unit.code == "HT-TH-TD", Plan.year > 0).order_by(Plan.year))]

    before = plans()
    upload = client.post("/plans/upload", data={"unit": "HT-TH-TD", "year": "2024", "file": (
        io.BytesIO(plan_docx(2024)), "KH_2024_moi.docx")}, content_type="multipart/form-data")
    assert upload.status_code == 302
    preview = client.get(upload.location).get_data(as_text=True)
    assert "chưa có gì được lưu" in preview and "4 nhiệm vụ" in preview
    assert "Đơn vị đã có kế hoạch năm 2024" in preview
    assert plans() == before  # the dry run wrote nothing
    token = upload.location.rsplit("/", 1)[1]
    refused = client.post(f"/plans/upload/{token}/confirm", data={})
    assert "đã có kế hoạch năm 2024" in client.get(refused.location).get_data(as_text=True)
    assert plans() == before
    done = client.post(f"/plans/upload/{token}/confirm", data={"replace": "1"})
    assert done.status_code == 302 and "/plans/" in done.location
    page = client.get(done.location).get_data(as_text=True)
    assert "Đã nhập kế hoạch năm 2024 cho đơn vị HT-TH-TD: 4 nhiệm vụ" in page
    assert "cập nhật tiến độ" in page  # the carried-over / dropped status updates are reported
    assert (2024, "KH_2024_moi.docx") in plans()
    with demo_services.sessions() as session:
        assert session.scalar(select(Task.title).join(Plan).join(Unit).where(
            Unit.code == "HT-TH-TD", Plan.year == 2024, Task.number == "1").order_by(Task.position)).startswith(
            "Ban hành Kế hoạch CCHC năm 2024")
    assert audit(demo_services, "plan.replace")[-1].actor == "admin"
    # The pending file is gone once imported; an unreadable file is refused with a Vietnamese reason.
    assert client.get(f"/plans/upload/{token}").status_code == 404
    bad = client.post("/plans/upload", data={"unit": "HT", "year": "2025", "file": (
        io.BytesIO(b"not a plan"), "kh.docx")}, content_type="multipart/form-data")
    assert bad.status_code == 400 and "flash-error" in bad.get_data(as_text=True)


def test_the_system_administrator_disables_and_enables_a_plugin(app: Flask, demo_services: Services) -> None:
    # Plugins are shared by every unit: a province's admin may look, not switch.
    assert signed_in(app, "admin").post("/admin/plugins/the_che", data={"enabled": "0"}).status_code == 403
    assert demo_services.blocked_plugins() == []
    with demo_services.transaction() as session:
        create_user(session, "hethong", "superadmin", "mat-khau-he-thong")
    client = app.test_client()
    assert client.post("/login", data={"username": "hethong", "password": "mat-khau-he-thong"}).status_code == 302
    assert client.post("/admin/plugins/the_che", data={"enabled": "0"}).status_code == 302
    assert "the_che" in demo_services.blocked_plugins()
    assert "II" not in [area.code for area in demo_services.registry.areas]
    page = client.get("/admin/plugins").get_data(as_text=True)
    assert "Đã tắt plugin &#39;the_che&#39;" in page or "Đã tắt plugin 'the_che'" in page
    assert client.post("/admin/plugins/the_che", data={"enabled": "1"}).status_code == 302
    assert "II" in [area.code for area in demo_services.registry.areas]
    entries = audit(demo_services, "plugin.disable") + audit(demo_services, "plugin.enable")
    assert [(e.entity_id, e.old, e.new) for e in entries] == [("the_che", {"enabled": True}, {"enabled": False}),
                                                              ("the_che", {"enabled": False}, {"enabled": True})]
    assert client.post("/admin/plugins/khong_co", data={"enabled": "0"}).status_code == 404


def test_forms_refuse_bad_input_with_vietnamese_messages(app: Flask, demo_services: Services) -> None:
    client = signed_in(app, "admin")
    upload = client.post("/plans/upload", data={"unit": "HT", "year": "25"}, content_type="multipart/form-data")
    html = upload.get_data(as_text=True)
    assert upload.status_code == 400
    assert "Hãy chọn tệp kế hoạch (.docx, .xlsx, .pdf có lớp chữ hoặc .csv)." in html
    assert "Năm không hợp lệ: &#39;25&#39;. Hãy ghi năm 4 chữ số, ví dụ 2025." in html
    unknown = client.post("/plans/upload", data={"unit": "ZZ", "year": "2025", "file": (io.BytesIO(plan_docx()),
                                                 "kh.docx")}, content_type="multipart/form-data")
    assert unknown.status_code == 400 and "Không tìm thấy đơn vị &#39;ZZ&#39;." in unknown.get_data(as_text=True)
    draft = {"unit": "HT", "period": "2024-Q1", "action": "generate", "formats": ["docx"]}
    for extra, message in (({"number": "-3"}, "Số văn bản không hợp lệ: &#39;-3&#39; (một số nguyên dương)."),
                           ({"report_date": "31/02/2024"}, "Ngày báo cáo không hợp lệ: &#39;31/02/2024&#39;."),
                           ({"formats": []}, "Hãy chọn ít nhất một định dạng tệp (DOCX hoặc PDF).")):
        refused = client.post("/reports/draft", data={**draft, **extra})
        assert refused.status_code == 302 and "/reports?" in refused.location
        assert message in client.get(refused.location).get_data(as_text=True)
    assert client.post("/reports/draft", data={**draft, "period": "2024-Q9"}).status_code == 400
    task_id = task_led_by(demo_services, "Văn phòng UBND tỉnh")
    bad = client.post(f"/tasks/{task_id}/status", data={"period": PERIOD, "version": "abc", "status": "done",
                                                         "completed_on": "hôm nay"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert "Phiên bản (version) không hợp lệ." in html
    assert "Ngày hoàn thành không hợp lệ: &#39;hôm nay&#39; (ghi theo dạng ngày/tháng/năm)." in html
    assert 'value="hôm nay"' in html  # the typed text is kept
    wrong = app.test_client().post("/login", data={"username": "admin", "password": ""})
    assert wrong.status_code == 401 and "Tên đăng nhập hoặc mật khẩu không đúng." in wrong.get_data(as_text=True)
