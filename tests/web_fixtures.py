"""Fixtures and helpers for the web tests: a CSRF-protected app, signing in, route samples, API tokens.

Import the fixtures you use into the test module (``from tests.web_fixtures import csrf_app``).
"""
from __future__ import annotations

import hashlib
import io
import re
from typing import Any, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.routing import Rule

from reportsvc.services import accounts
from reportsvc.db.models import (Agency, EvidenceFile, GeneratedReport, Plan, ReportFile, StatusUpdate, Submission, Task,
                                 TaskAgency, Unit, User)
from reportsvc.services.runtime import Services

PLAN_ROWS = [
    ("TT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành", "Sản phẩm"),
    ("I", "Công tác chỉ đạo điều hành", "", "", "", ""),
    ("1", "Ban hành Kế hoạch CCHC năm {year} của UBND xã Thạch Đài", "UBND xã Thạch Đài",
     "Công chức Văn phòng - Thống kê", "Quý I/{year}", "Kế hoạch"),
    ("2", "Tự kiểm tra công tác CCHC tại các bộ phận chuyên môn", "UBND xã Thạch Đài", "", "Quý III/{year}",
     "Báo cáo kết quả tự kiểm tra"),
    ("II", "Cải cách thủ tục hành chính", "", "", "", ""),
    ("1", "Niêm yết, công khai đầy đủ TTHC tại Bộ phận Một cửa của xã", "UBND xã Thạch Đài", "Công an xã",
     "Quý I/{year}", "TTHC được niêm yết"),
    ("III", "Chính quyền số", "", "", "", ""),
    ("1", "Số hóa hồ sơ, kết quả giải quyết TTHC còn hiệu lực", "UBND xã Thạch Đài", "", "Thường xuyên",
     "Hồ sơ được số hóa"),
]
PASSWORDS = {"admin": "admin-demo-2024", "stp": "stp-demo-2024", "vpubnd": "vp-demo-2024", "xem": "xem-demo-2024"}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


@pytest.fixture
def csrf_app(demo_services: Services) -> Iterator[Flask]:
    """Return the web app on the demo database with CSRF protection on (as in production)."""
    from reportsvc.web.app import create_app

    yield create_app({"TESTING": True, "WTF_CSRF_ENABLED": True}, services=demo_services)


def plan_docx(year: int = 2025) -> bytes:
    """Return a small commune plan (xã Thạch Đài) for ``year`` as the commune would publish it (python-docx)."""
    import docx

    document = docx.Document()
    document.add_paragraph("ỦY BAN NHÂN DÂN XÃ THẠCH ĐÀI")
    document.add_paragraph(f"KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM {year} CỦA UBND XÃ THẠCH ĐÀI")
    document.add_paragraph("I. MỤC ĐÍCH, YÊU CẦU")
    document.add_paragraph("Phấn đấu tỷ lệ hồ sơ trực tuyến đạt 70%.")
    table = document.add_table(rows=len(PLAN_ROWS), cols=len(PLAN_ROWS[0]))
    for i, row in enumerate(PLAN_ROWS):
        for j, text in enumerate(row):
            table.cell(i, j).text = text.format(year=year)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def csrf_from(html: str) -> str:
    """Return the CSRF token found in a page (hidden field or meta tag)."""
    match = _CSRF.search(html) or _META.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def login(client: FlaskClient, username: str, password: str | None = None) -> str:
    """Sign in through the login form (with its CSRF token); return a CSRF token for later posts."""
    page = client.get("/login")
    token = csrf_from(page.get_data(as_text=True))
    response = client.post("/login", data={"username": username, "password": password or PASSWORDS[username],
                                           "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return csrf_from(client.get("/profile").get_data(as_text=True))


def api_token(services: Services, username: str) -> str:
    """Issue an API token for a demo user directly in the database and return it."""
    with services.transaction() as session:
        user = session.scalar(select(User).where(User.username == username))
        return accounts.issue_token(session, user, "test")


def task_led_by(services: Services, agency_name: str, unit_code: str = "HT") -> int:
    """Return the id of a task of the unit's plan that ``agency_name`` leads."""
    with services.sessions() as session:
        return session.scalar(select(Task.id).join(Plan).join(Unit).join(TaskAgency, TaskAgency.task_id == Task.id)
                              .join(Agency, Agency.id == TaskAgency.agency_id)
                              .where(Unit.code == unit_code, Agency.name == agency_name, TaskAgency.role == "lead")
                              .order_by(Task.position).limit(1))


def fake_report(services: Services) -> int:
    """Store a small archived report (no rendering) so routes with a report id have one; return its id."""
    with services.transaction() as session:
        unit = session.scalar(select(Unit).where(Unit.code == "HT"))
        row = GeneratedReport(unit_id=unit.id, period_key="2024-Q1", version=99, title="Báo cáo thử", model_json="{}",
                              created_by="test")
        row.files.append(ReportFile(format="docx", filename="thu.docx", sha256=hashlib.sha256(b"abc").hexdigest(),
                                    size=3, content=b"abc"))
        session.add(row)
        session.flush()
        return row.id


def fake_evidence(services: Services) -> int:
    """Attach a small PDF to the quý IV status of the Sở Nội vụ's task of HT (recorded if missing); return its id."""
    content = b"%PDF-1.4\n%%EOF\n"
    task_id = task_led_by(services, "Sở Nội vụ")
    with services.transaction() as session:
        update = session.scalar(select(StatusUpdate).where(StatusUpdate.task_id == task_id,
                                                           StatusUpdate.period_key == "2024-Q4"))
        if update is None:
            update = StatusUpdate(task_id=task_id, period_key="2024-Q4", status="in_progress", updated_by="test")
            session.add(update)
        file = EvidenceFile(filename="thu.pdf", content_type="application/pdf", size=len(content), content=content,
                            sha256=hashlib.sha256(content).hexdigest(), uploaded_by="test")
        update.files.append(file)
        session.flush()
        return file.id


def samples(services: Services) -> dict[str, Any]:
    """Return a value for every URL argument of the app's routes."""
    with services.sessions() as session:
        plan_id = session.scalar(select(Plan.id).join(Unit).where(Unit.code == "HT"))
        user_id = session.scalar(select(User.id).where(User.username == "stp"))
    return {"task_id": task_led_by(services, "Sở Nội vụ"), "plan_id": plan_id, "report_id": fake_report(services),
            "fmt": "docx", "token": "x" * 32, "name": "the_che", "code": "HT-TH-TD", "user_id": user_id, "token_id": 1,
            "file_id": fake_evidence(services), "submission_id": _a_submission(services)}


def _a_submission(services: Services) -> int:
    """Return the id of one of the demo's submissions (the demo hands some in for 2024)."""
    with services.sessions() as session:
        return session.scalar(select(Submission.id).order_by(Submission.id).limit(1))


def route_url(rule: Rule, values: dict[str, Any]) -> str:
    """Return the URL of ``rule`` with sample values for its arguments."""
    url = rule.rule
    for name in rule.arguments:
        url = re.sub(r"<(?:[a-z]+:)?%s>" % name, str(values[name]), url)
    return url


def routes(app: Flask) -> list[tuple[Rule, str]]:
    """Return every (rule, method) of the app except static files, HEAD and OPTIONS."""
    result = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            result.append((rule, method))
    return result


@pytest.fixture
def live_server(demo_services: Services) -> Iterator[str]:
    """Serve the real app (CSRF on, not in testing mode) on 127.0.0.1 with a free port; yield its base URL."""
    import threading

    from werkzeug.serving import WSGIRequestHandler, make_server

    from reportsvc.web.app import create_app

    class QuietHandler(WSGIRequestHandler):
        def log_request(self, *args: Any, **kwargs: Any) -> None:  # noqa: D102 - keep test output clean
            pass

    app = create_app(services=demo_services)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
