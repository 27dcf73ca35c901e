"""A pending plan upload belongs to the admin who uploaded it: nobody else, not even another admin of the same
unit or the system administrator, previews, confirms or cancels it (404, as if it did not exist), and such an
attempt leaves the file waiting for its owner."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from reportsvc.db.models import Plan
from reportsvc.errors import NotFound
from reportsvc.importing import uploads
from reportsvc.services.accounts import create_user
from reportsvc.services.runtime import Services
from tests.web_fixtures import csrf_app, csrf_from, login, plan_docx  # noqa: F401 - fixture

OTHER_PASSWORD = "cay-bang-lang-tim-2025"
OTHERS = {"admin2": ("admin", "HT"), "root": ("superadmin", "")}


@pytest.fixture
def other_admins(demo_services: Services) -> None:
    """Add a second admin of the province (HT) and a system administrator."""
    with demo_services.transaction() as session:
        for username, (role, unit) in OTHERS.items():
            create_user(session, username, role, OTHER_PASSWORD, unit_code=unit)


def upload(client: FlaskClient, csrf: str) -> str:
    """Upload the commune's 2025 plan as the signed-in admin; return the pending upload's token."""
    response = client.post("/plans/upload", data={
        "csrf_token": csrf, "unit": "HT-TH-TD", "year": "2025",
        "file": (io.BytesIO(plan_docx()), "KH_CCHC_2025_Thach_Dai.docx")}, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    match = re.fullmatch(r"/plans/upload/([A-Za-z0-9_-]+)", response.location)
    assert match, response.location
    return match.group(1)


def pending_files(services: Services, token: str) -> list[str]:
    """Return the names of the files kept for a pending upload."""
    return sorted(path.name for path in (Path(services.settings.data_dir) / "uploads").glob(f"{token}.*"))


def plans_2025(services: Services) -> int:
    """Return how many 2025 plans are stored."""
    with services.sessions() as session:
        return session.scalar(select(func.count(Plan.id)).where(Plan.year == 2025))


@pytest.mark.parametrize("intruder", sorted(OTHERS))
def test_nobody_else_previews_confirms_or_cancels_an_upload(csrf_app: Flask, demo_services: Services,  # noqa: F811
                                                            other_admins: None, intruder: str) -> None:
    owner = csrf_app.test_client()
    token = upload(owner, login(owner, "admin"))
    assert pending_files(demo_services, token) == [f"{token}.bin", f"{token}.json"]

    other = csrf_app.test_client()
    csrf = login(other, intruder, OTHER_PASSWORD)
    preview = other.get(f"/plans/upload/{token}")
    assert preview.status_code == 404
    assert "Không tìm thấy tệp đang chờ xác nhận của bạn." in preview.get_data(as_text=True)
    assert "KH_CCHC_2025_Thach_Dai.docx" not in preview.get_data(as_text=True)
    for action in ("confirm", "cancel"):
        response = other.post(f"/plans/upload/{token}/{action}", data={"csrf_token": csrf, "replace": "y"})
        assert response.status_code == 404, (action, response.status_code)
    assert pending_files(demo_services, token) == [f"{token}.bin", f"{token}.json"]  # still waiting
    assert plans_2025(demo_services) == 0  # nothing imported

    # The owner still has it, and confirms it.
    page = owner.get(f"/plans/upload/{token}")
    assert page.status_code == 200 and "KH_CCHC_2025_Thach_Dai.docx" in page.get_data(as_text=True)
    confirmed = owner.post(f"/plans/upload/{token}/confirm", data={"csrf_token": csrf_from(page.get_data(as_text=True))})
    assert confirmed.status_code == 302 and plans_2025(demo_services) == 1
    assert pending_files(demo_services, token) == []


def test_the_owner_cancels_its_own_upload(csrf_app: Flask, demo_services: Services) -> None:  # noqa: F811
    owner = csrf_app.test_client()
    csrf = login(owner, "admin")
    token = upload(owner, csrf)
    response = owner.post(f"/plans/upload/{token}/cancel", data={"csrf_token": csrf})
    assert response.status_code == 302 and response.location == "/plans"
    assert pending_files(demo_services, token) == []
    assert owner.get(f"/plans/upload/{token}").status_code == 404
    assert plans_2025(demo_services) == 0


def test_load_refuses_another_users_upload_and_keeps_it(tmp_path: Path) -> None:
    pending = uploads.save(tmp_path, b"noi dung", filename="KH.csv", unit_code="HT", year=2025, replace=False,
                           user_id=7, sha256="ab" * 32)
    with pytest.raises(NotFound, match="Không tìm thấy tệp đang chờ xác nhận của bạn."):
        uploads.load(tmp_path, pending.token, 8)
    assert uploads.load(tmp_path, pending.token, 7) == (pending, b"noi dung")
    with pytest.raises(NotFound, match="mã không hợp lệ"):
        uploads.load(tmp_path, "../../etc/passwd", 7)

