"""Users' e-mail addresses (where reminders of data deadlines go): the command line, the admin pages, the API
and the demo. An address is checked for its form only (domain lower-cased); two users may share one; a bad
one is one Vietnamese message and changes nothing.
"""
from __future__ import annotations

import html
import json

from click.testing import CliRunner
from flask import Flask
from sqlalchemy import select

from reportsvc.db.models import AuditEntry, User
from reportsvc.demo.data import USERS
from reportsvc.services.runtime import Services
from tests.cli_helpers import ok, refused
from tests.web_fixtures import api_token, csrf_app, login  # noqa: F401 - fixture

BAD = "Địa chỉ thư điện tử không hợp lệ: '{}' (cần dạng ten@coquan.gov.vn, không dấu, không có khoảng trắng)."


def email_of(services: Services, username: str) -> str | None:
    """Return the stored address of ``username`` (None when there is no such user)."""
    with services.sessions() as session:
        return session.scalar(select(User.email).where(User.username == username))


def audited(services: Services, action: str) -> list[tuple[dict | None, dict | None]]:
    """Return (old, new) of the audit entries of ``action``, oldest first."""
    with services.sessions() as session:
        return [(e.old, e.new) for e in session.scalars(select(AuditEntry).where(AuditEntry.action == action)
                                                        .order_by(AuditEntry.id))]


def test_the_demo_users_have_addresses_under_example_org(demo_services: Services) -> None:
    names = [username for username, *_ in USERS]
    assert {"admin", "stp", "vpubnd", "xem"} <= set(names)
    with demo_services.sessions() as session:
        assert {u.username: u.email for u in session.scalars(select(User).where(User.username.in_(names)))} == {
            name: f"{name}@example.org" for name in names}


def test_cli_create_with_an_address_lower_cases_its_domain(runner: CliRunner, demo_services: Services) -> None:
    ok(runner, "users", "create", "mai", "--role", "editor", "--unit", "HT", "--agency", "Sở Tư pháp",
       "--email", " Mai.Nguyen@STP.HaTinh.Gov.VN ", "--password", "mat-khau-dai-2024")
    assert email_of(demo_services, "mai") == "Mai.Nguyen@stp.hatinh.gov.vn"
    assert audited(demo_services, "user.create")[-1][1]["email"] == "Mai.Nguyen@stp.hatinh.gov.vn"
    ok(runner, "users", "create", "mai2", "--role", "viewer", "--unit", "HT", "--email", "mai.nguyen@stp.hatinh.gov.vn",
       "--password", "mat-khau-dai-2024")  # an office's shared mailbox: the same address twice is fine
    ok(runner, "users", "create", "khong.thu", "--role", "viewer", "--unit", "HT", "--password", "mat-khau-dai-2024")
    assert email_of(demo_services, "khong.thu") == ""
    listed = {row["username"]: row["email"] for row in json.loads(ok(runner, "users", "list", "--json").stdout)}
    assert (listed["mai2"], listed["khong.thu"], listed["stp"]) == ("mai.nguyen@stp.hatinh.gov.vn", "",
                                                                    "stp@example.org")


def test_cli_refuses_a_bad_address_before_asking_for_the_password(runner: CliRunner, demo_services: Services) -> None:
    for bad in ("mai@stp", "mai nguyen@stp.gov.vn", "mai@@stp.gov.vn", "mai@sở.gov.vn", "mai.@stp.gov.vn"):
        line = refused(runner, "users", "create", "mai", "--role", "viewer", "--unit", "HT", "--email", bad)
        assert line == "Lỗi: " + BAD.format(bad), line  # no password was asked: the runner gave no input
    assert email_of(demo_services, "mai") is None


def test_cli_set_email_changes_or_clears_the_address_audited(runner: CliRunner, demo_services: Services) -> None:
    assert ok(runner, "users", "set-email", "stp", "Nam.Le@STP.HaTinh.gov.vn").stdout == \
        "Tài khoản 'stp' nay nhận thư tại Nam.Le@stp.hatinh.gov.vn.\n"
    assert ok(runner, "users", "set-email", "stp", "Nam.Le@stp.hatinh.gov.vn").stdout == \
        "Tài khoản 'stp' vẫn giữ địa chỉ Nam.Le@stp.hatinh.gov.vn.\n"
    assert refused(runner, "users", "set-email", "stp", "nam.le@") == "Lỗi: " + BAD.format("nam.le@")
    assert email_of(demo_services, "stp") == "Nam.Le@stp.hatinh.gov.vn"
    assert ok(runner, "users", "set-email", "stp", "").stdout == \
        "Tài khoản 'stp' không còn địa chỉ thư điện tử (không nhận thư nhắc).\n"
    assert email_of(demo_services, "stp") == ""
    assert audited(demo_services, "user.email") == [({"email": "stp@example.org"},
                                                     {"email": "Nam.Le@stp.hatinh.gov.vn"}),
                                                    ({"email": "Nam.Le@stp.hatinh.gov.vn"}, {"email": ""})]
    assert refused(runner, "--user", "stp", "users", "set-email", "vpubnd", "x@example.org") == \
        "Lỗi: Tài khoản 'stp' (editor) không có quyền quản trị."


def test_the_admin_form_creates_with_an_address_and_the_user_page_changes_it(csrf_app: Flask,
                                                                             demo_services: Services) -> None:
    client = csrf_app.test_client()
    csrf = login(client, "admin")
    page = client.get("/admin/users").get_data(as_text=True)
    assert 'name="email"' in page and "stp@example.org" in page
    base = {"csrf_token": csrf, "username": "xd.nguyen", "full_name": "Nguyễn Văn Xây", "role": "viewer",
            "unit": "HT", "agency": "", "password": "xay-dung-2025"}
    bad = client.post("/admin/users", data={**base, "email": "xd.nguyen@soxaydung"})
    assert bad.status_code == 422 and BAD.format("xd.nguyen@soxaydung") in html.unescape(bad.get_data(as_text=True))
    assert 'value="xd.nguyen@soxaydung"' in bad.get_data(as_text=True)  # what was typed is kept
    assert email_of(demo_services, "xd.nguyen") is None
    created = client.post("/admin/users", data={**base, "email": "XD.Nguyen@SoXayDung.HaTinh.gov.vn"})
    assert created.status_code == 302
    assert email_of(demo_services, "xd.nguyen") == "XD.Nguyen@soxaydung.hatinh.gov.vn"

    with demo_services.sessions() as session:
        user_id = session.scalar(select(User.id).where(User.username == "xd.nguyen"))
    detail = client.get(f"/admin/users/{user_id}").get_data(as_text=True)
    assert 'value="XD.Nguyen@soxaydung.hatinh.gov.vn"' in detail
    refused_change = client.post(f"/admin/users/{user_id}/email", data={"csrf_token": csrf, "email": "khong phai thu"})
    assert refused_change.status_code == 422
    assert BAD.format("khong phai thu") in html.unescape(refused_change.get_data(as_text=True))
    assert email_of(demo_services, "xd.nguyen") == "XD.Nguyen@soxaydung.hatinh.gov.vn"
    changed = client.post(f"/admin/users/{user_id}/email", data={"csrf_token": csrf, "email": "xd@example.org"})
    assert changed.status_code == 302 and email_of(demo_services, "xd.nguyen") == "xd@example.org"
    cleared = client.post(f"/admin/users/{user_id}/email", data={"csrf_token": csrf, "email": ""})
    assert cleared.status_code == 302 and email_of(demo_services, "xd.nguyen") == ""
    assert [new for _, new in audited(demo_services, "user.email")] == [{"email": "xd@example.org"}, {"email": ""}]
    assert client.post(f"/admin/users/{user_id}/email", data={"email": "a@example.org"}).status_code == 400  # CSRF


def test_only_an_admin_changes_an_address_on_the_web(csrf_app: Flask, demo_services: Services) -> None:
    with demo_services.sessions() as session:
        user_id = session.scalar(select(User.id).where(User.username == "vpubnd"))
    client = csrf_app.test_client()
    csrf = login(client, "stp")
    assert client.post(f"/admin/users/{user_id}/email", data={"csrf_token": csrf, "email": "x@example.org"}) \
        .status_code == 403
    assert email_of(demo_services, "vpubnd") == "vpubnd@example.org"


def test_the_api_takes_and_shows_the_address(csrf_app: Flask, demo_services: Services) -> None:
    client = csrf_app.test_client()
    admin = {"Authorization": f"Bearer {api_token(demo_services, 'admin')}"}
    body = {"username": "xd.api", "role": "viewer", "unit": "HT", "password": "xay-dung-2025"}
    created = client.post("/api/v1/users", headers=admin, json={**body, "email": "XD@SoXayDung.gov.vn"})
    assert created.status_code == 201 and created.get_json()["email"] == "XD@soxaydung.gov.vn"
    bad = client.post("/api/v1/users", headers=admin, json={**body, "username": "xd.api2", "email": "xd@"})
    assert bad.status_code == 400 and bad.get_json()["error"] == BAD.format("xd@")
    assert email_of(demo_services, "xd.api2") is None
    listed = {row["username"]: row["email"] for row in client.get("/api/v1/users", headers=admin).get_json()}
    assert (listed["xd.api"], listed["stp"]) == ("XD@soxaydung.gov.vn", "stp@example.org")
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert "email" in schema["UserInput"]["properties"] and "email" in schema["User"]["properties"]
