"""Evidence files: the PDF or DOCX of a văn bản attached to a task's status record, through the API and the task
page. The type is read from the content (a PNG named .pdf is refused), the size is limited, the name is cleaned,
the bytes are kept with their sha256 and downloaded unchanged by whoever may read the task, and nothing is stored
when a file is refused."""
from __future__ import annotations

import hashlib
import io

import docx
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import Workbook
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from reportsvc.db.models import AuditEntry, EvidenceFile, Unit, User
from reportsvc.periods import parse_period
from reportsvc.services import submissions
from reportsvc.services.accounts import create_user, issue_token
from reportsvc.services.evidence import MAX_EVIDENCE_BYTES
from reportsvc.services.permissions import Actor
from reportsvc.services.runtime import Services
from reportsvc.services.units import add_unit
from tests.web_fixtures import PASSWORDS, api_token, task_led_by

PERIOD = "2024-Q4"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> "
       b"endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


def docx_file(text: str = "Kế hoạch số 74/KH-UBND về kiểm tra công tác cải cách hành chính") -> bytes:
    """Return a one-paragraph Word document."""
    document = docx.Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx_file() -> bytes:
    """Return a spreadsheet: a ZIP of the Office family that is not a Word document."""
    workbook = Workbook()
    workbook.active["A1"] = "Số liệu"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def bearer(services: Services, username: str = "vpubnd") -> dict[str, str]:
    """Return the Authorization header of a new API token of a demo user."""
    return {"Authorization": f"Bearer {api_token(services, username)}"}


def with_status(client: FlaskClient, headers: dict[str, str], task_id: int, period: str = PERIOD) -> dict:
    """Record a status of the task for the period through the API (files belong to a status record); return it."""
    read = client.get(f"/api/v1/tasks/{task_id}?period={period}", headers=headers)
    assert read.status_code == 200, read.get_json()
    current = read.get_json()["update"]
    sent = client.post(f"/api/v1/tasks/{task_id}/status", headers=headers, json={
        "period": period, "version": current["version"] if current else 0, "status": "done",
        "completed_on": "05/12/2024", "evidence_number": "74/KH-UBND", "evidence_date": "05/12/2024"})
    assert sent.status_code in (200, 201), sent.get_json()
    return sent.get_json()["update"]


def upload(client: FlaskClient, headers: dict[str, str], task_id: int, data: bytes, name: str,
           period: str = PERIOD):  # noqa: ANN201 - a test response
    """Send a file to the API's evidence route as a multipart form (encoded in memory, as large as it is)."""
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), filename=name)})
    return client.post(f"/api/v1/tasks/{task_id}/evidence?period={period}", headers=headers, data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def signed_in(app: Flask, username: str) -> FlaskClient:
    """Return a client signed in as a demo user (CSRF is off in the ``app`` fixture)."""
    client = app.test_client()
    assert client.post("/login", data={"username": username, "password": PASSWORDS[username]}).status_code == 302
    return client


def stored(services: Services) -> tuple[int, int]:
    """Return how many evidence files and ``evidence.add`` audit entries the database holds."""
    with services.sessions() as session:
        return (session.scalar(select(func.count(EvidenceFile.id))),
                session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "evidence.add")))


def test_a_pdf_is_attached_listed_with_the_task_and_downloaded_unchanged(app: Flask, demo_services: Services) -> None:
    client, headers = app.test_client(), bearer(demo_services)
    task_id = task_led_by(demo_services, "Văn phòng UBND tỉnh")
    with_status(client, headers, task_id)
    sent = upload(client, headers, task_id, PDF, "KH 74-KH-UBND.pdf")
    assert sent.status_code == 201, sent.get_json()
    body = sent.get_json()
    file = body["file"]
    assert (file["filename"], file["content_type"], file["size"]) == ("KH 74-KH-UBND.pdf", "application/pdf", len(PDF))
    assert file["sha256"] == hashlib.sha256(PDF).hexdigest() and file["uploaded_by"] == "vpubnd"
    assert [f["id"] for f in body["update"]["files"]] == [file["id"]]
    # Listed with the task, read through the year's key of the same record.
    task = client.get(f"/api/v1/tasks/{task_id}?period=2024-Y", headers=headers).get_json()
    assert [f["sha256"] for f in task["update"]["files"]] == [file["sha256"]]
    assert any(f["id"] == file["id"] for u in task["updates"] for f in u["files"])
    # Downloaded byte for byte, by the viewer of the same province too.
    for reader, token in (("vpubnd", headers), ("xem", bearer(demo_services, "xem"))):
        response = client.get(file["url"], headers=token)
        assert response.status_code == 200 and response.data == PDF, reader
        assert response.mimetype == "application/pdf"
        assert hashlib.sha256(response.data).hexdigest() == file["sha256"]
    with demo_services.sessions() as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "evidence.add"))
    assert (entry.actor, entry.entity, entry.entity_id) == ("vpubnd", "task", str(task_id))
    assert entry.new["sha256"] == file["sha256"] and entry.new["period"] == PERIOD
    # A later edit of the status keeps its files.
    assert [f["id"] for f in with_status(client, headers, task_id)["files"]] == [file["id"]]


def test_a_docx_is_attached_on_the_task_page_and_downloaded_there(app: Flask, demo_services: Services) -> None:
    task_id = task_led_by(demo_services, "Văn phòng UBND tỉnh")
    with_status(app.test_client(), bearer(demo_services), task_id)
    web = signed_in(app, "vpubnd")
    page = web.get(f"/tasks/{task_id}?period={PERIOD}").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and "Đính kèm tệp" in page
    content = docx_file()
    sent = web.post(f"/tasks/{task_id}/evidence", data={"period": PERIOD, "file": (io.BytesIO(content),
                                                                                  "Báo cáo kiểm tra.docx")},
                    content_type="multipart/form-data")
    assert sent.status_code == 302 and sent.location.endswith("#van-ban")
    page = web.get(sent.location).get_data(as_text=True)
    assert "Đã đính kèm tệp “Báo cáo kiểm tra.docx” vào tiến độ Quý IV/2024." in page
    with demo_services.sessions() as session:
        row = session.scalar(select(EvidenceFile))
    link = f"/tasks/evidence/{row.id}"
    assert f'href="{link}">Báo cáo kiểm tra.docx</a>' in page
    response = signed_in(app, "xem").get(link)  # the province's viewer reads the task, so the file too
    assert response.status_code == 200 and response.data == content and response.mimetype == DOCX_TYPE
    assert "filename*=UTF-8''B%C3%A1o%20c%C3%A1o%20ki%E1%BB%83m%20tra.docx" in response.headers["Content-Disposition"]
    assert row.sha256 == hashlib.sha256(content).hexdigest() and row.size == len(content)


def test_the_type_comes_from_the_content_and_the_name_is_cleaned(app: Flask, demo_services: Services) -> None:
    client, headers = app.test_client(), bearer(demo_services)
    task_id = task_led_by(demo_services, "Văn phòng UBND tỉnh")
    with_status(client, headers, task_id)
    # A Word document sent under a path, a right-to-left override and a .pdf name: a .docx named cleanly.
    sent = upload(client, headers, task_id, docx_file(), "../tai-ve/Kế hoạch\u202e 74.pdf")
    assert sent.status_code == 201, sent.get_json()
    assert (sent.get_json()["file"]["filename"], sent.get_json()["file"]["content_type"]) == \
        ("Kế hoạch 74.docx", DOCX_TYPE)


def test_what_is_not_a_pdf_or_a_docx_is_refused_and_nothing_is_stored(app: Flask, demo_services: Services) -> None:
    client, headers = app.test_client(), bearer(demo_services)
    task_id = task_led_by(demo_services, "Văn phòng UBND tỉnh")
    with_status(client, headers, task_id)
    png = upload(client, headers, task_id, PNG, "quyet-dinh.pdf")
    assert png.status_code == 422
    assert png.get_json()["error"] == (
        "Dữ liệu không hợp lệ: Tệp 'quyet-dinh.pdf' không phải văn bản PDF hoặc Word (.docx): nội dung tệp không "
        "đúng định dạng dù tên tệp có đuôi '.pdf'. Chỉ đính kèm được tệp PDF hoặc Word (.docx).")
    sheet = upload(client, headers, task_id, xlsx_file(), "so-lieu.docx")
    assert sheet.status_code == 422 and "không phải văn bản PDF hoặc Word" in sheet.get_json()["error"]
    empty = upload(client, headers, task_id, b"", "trong.pdf")
    assert empty.status_code == 422 and "rỗng (0 byte)" in empty.get_json()["error"]
    missing = client.post(f"/api/v1/tasks/{task_id}/evidence?period={PERIOD}", headers=headers,
                          data={"other": "x"}, content_type="multipart/form-data")
    assert missing.status_code == 422 and "Thiếu tệp văn bản" in missing.get_json()["error"]
    # The task page says the same and keeps the page.
    refused = signed_in(app, "vpubnd").post(f"/tasks/{task_id}/evidence", data={
        "period": PERIOD, "file": (io.BytesIO(PNG), "anh.pdf")}, content_type="multipart/form-data")
    assert refused.status_code == 422
    assert "Chưa đính kèm tệp" in refused.get_data(as_text=True)
    assert "Tệp &#39;anh.pdf&#39; không phải văn bản PDF hoặc Word (.docx)" in refused.get_data(as_text=True)
    assert stored(demo_services) == (0, 0)


def test_a_file_over_the_limit_is_refused_and_nothing_is_stored(app: Flask, demo_services: Services) -> None:
    client, headers = app.test_client(), bearer(demo_services)
    task_id = task_led_by(demo_services, "Văn phòng UBND tỉnh")
    with_status(client, headers, task_id)
    big = PDF + b"%" * (MAX_EVIDENCE_BYTES - len(PDF) + 1)
    refused = upload(client, headers, task_id, big, "ho-so-day.pdf")
    assert refused.status_code == 413
    assert refused.get_json()["error"] == ("Dữ liệu không hợp lệ: Tệp 'ho-so-day.pdf' có dung lượng 10.0 MB, vượt "
                                           "giới hạn 10 MB của một tệp văn bản minh chứng.")
    assert upload(client, headers, task_id, big[:MAX_EVIDENCE_BYTES], "vua-du.pdf").status_code == 201
    assert stored(demo_services) == (1, 1)


def test_writing_needs_the_status_permission_a_recorded_status_and_unapproved_data(
        app: Flask, demo_services: Services) -> None:
    client = app.test_client()
    task_id = task_led_by(demo_services, "Văn phòng UBND tỉnh")
    refused = upload(client, bearer(demo_services, "stp"), task_id, PDF, "a.pdf")  # Sở Tư pháp does not lead it
    assert refused.status_code == 403 and "không chủ trì nhiệm vụ này" in refused.get_json()["error"]
    assert upload(client, bearer(demo_services, "xem"), task_id, PDF, "a.pdf").status_code == 403
    headers = bearer(demo_services)
    no_status = upload(client, headers, task_id, PDF, "a.pdf", period="2025-Q1")
    assert no_status.status_code == 422 and "Nhiệm vụ chưa có tiến độ Quý I/2025" in no_status.get_json()["error"]
    with_status(client, headers, task_id)
    with demo_services.transaction() as session:  # the office approves the department's quý IV data
        users = {u.username: u for u in session.scalars(select(User).where(User.username.in_(("vpubnd", "admin"))))}
        unit = session.scalar(select(Unit).where(Unit.code == "HT"))
        sent = submissions.submit(session, Actor.of(users["vpubnd"]), unit, users["vpubnd"].agency,
                                  parse_period(PERIOD))
        session.flush()
        submissions.approve(session, Actor.of(users["admin"]), sent.id)
    locked = upload(client, headers, task_id, PDF, "a.pdf", period="2024-Y")  # the same window, through năm
    assert locked.status_code == 423 and "đã được admin duyệt" in locked.get_json()["error"]
    assert stored(demo_services) == (0, 0)


def test_another_provinces_user_cannot_download(app: Flask, demo_services: Services) -> None:
    client, headers = app.test_client(), bearer(demo_services)
    task_id = task_led_by(demo_services, "Văn phòng UBND tỉnh")
    with_status(client, headers, task_id)
    file_id = upload(client, headers, task_id, PDF, "mat.pdf").get_json()["file"]["id"]
    with demo_services.transaction() as session:
        add_unit(session, "QT", "tỉnh Quảng Trị", "tinh", None, "test")
        user = create_user(session, "qt_xem", "admin", "mat-khau-quang-tri", unit_code="QT")
        other = {"Authorization": f"Bearer {issue_token(session, user, 'test')}"}
    response = client.get(f"/api/v1/evidence/{file_id}", headers=other)
    assert response.status_code == 404 and response.get_json()["error"] == f"Không tìm thấy tệp văn bản số {file_id}."
    listed = client.get(f"/api/v1/tasks/{task_id}", headers=other)
    assert listed.status_code == 404
    web = app.test_client()
    assert web.post("/login", data={"username": "qt_xem", "password": "mat-khau-quang-tri"}).status_code == 302
    page = web.get(f"/tasks/evidence/{file_id}")
    assert page.status_code == 404 and PDF not in page.data
    assert client.get(f"/api/v1/evidence/{file_id}", headers=headers).status_code == 200
