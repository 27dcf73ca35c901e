"""Passwords: a minimum length, not the user name, not a common one; users change their own; an admin's reset
forces a change at the next sign-in, on every page until it is done."""
from __future__ import annotations

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from reportsvc.cli.main import main
from reportsvc.db.models import AuditEntry, LoginSession, User
from reportsvc.services import accounts
from reportsvc.services.passwords import problems
from reportsvc.services.runtime import Services
from tests.web_fixtures import PASSWORDS

SHORT = "Mật khẩu phải có ít nhất 8 ký tự."
LIKE_NAME = "Mật khẩu quá giống tên đăng nhập hoặc họ tên; hãy chọn mật khẩu khác."
COMMON = "Mật khẩu này quá phổ biến, dễ bị đoán; hãy chọn mật khẩu khác (ví dụ một câu ngắn dễ nhớ)."


@pytest.mark.parametrize(("password", "reasons"), [
    ("ngan", [SHORT]),
    ("nguyenvana", [LIKE_NAME]),  # the user name itself
    ("Nguyenvana1", [LIKE_NAME]),
    ("anavneyugn", [LIKE_NAME]),  # reversed
    ("Nguyễn Văn An", [LIKE_NAME]),  # the full name, accents and all
    ("12345678", [COMMON]),
    ("Mật-khẩu@2024", [COMMON]),  # "matkhau" once case, accents, separators and trailing digits are folded
    ("Password123!", [COMMON]),
    ("anhyeuem", [COMMON]),
    ("zzzzzzzzzz", [COMMON]),
    ("sông Lam chảy qua", []),
    ("tu-phap-ha-tinh", []),
    ("nguyenvana-ha-tinh-2025", []),  # contains the name, but is not close to it
])
def test_the_password_rules(password: str, reasons: list[str]) -> None:
    assert problems(password, "nguyenvana", "Nguyễn Văn An") == reasons


def test_every_way_to_set_a_password_follows_the_rules(runner: CliRunner, demo_services: Services) -> None:
    result = runner.invoke(main, ["users", "create", "ngoc.anh", "--role", "viewer", "--unit", "HT",
                                  "--password", "ngocanh123"])
    assert result.exit_code == 2 and result.stderr == f"Lỗi: {LIKE_NAME}\n"
    result = runner.invoke(main, ["users", "password", "xem", "--password", "matkhau2024"])
    assert result.exit_code == 2 and result.stderr == f"Lỗi: {COMMON}\n"
    with demo_services.transaction() as session, pytest.raises(accounts.AccountError, match="quá phổ biến"):
        accounts.create_user(session, "ha.tinh", "viewer", "qwerty123", unit_code="HT")


def signed_in(app: Flask, username: str, password: str) -> FlaskClient:
    """Return a client signed in as ``username`` (CSRF is off in the ``app`` fixture)."""
    client = app.test_client()
    assert client.post("/login", data={"username": username, "password": password}).status_code == 302
    return client


def test_users_change_their_own_password(app: Flask, demo_services: Services) -> None:
    client, elsewhere = signed_in(app, "stp", PASSWORDS["stp"]), signed_in(app, "stp", PASSWORDS["stp"])
    page = client.get("/profile/password")
    assert page.status_code == 200 and "Mật khẩu hiện tại" in page.get_data(as_text=True)
    new = "hoa-phuong-do-2025"
    for form, message in (
            ({"current": "sai-mat-khau", "password": new, "confirm": new}, "Mật khẩu hiện tại không đúng."),
            ({"current": PASSWORDS["stp"], "password": new, "confirm": new + "x"},
             "Hai lần nhập mật khẩu mới không khớp nhau."),
            ({"current": PASSWORDS["stp"], "password": "12345678", "confirm": "12345678"}, COMMON),
            ({"current": PASSWORDS["stp"], "password": PASSWORDS["stp"], "confirm": PASSWORDS["stp"]},
             "Mật khẩu mới phải khác mật khẩu hiện tại.")):
        refused = client.post("/profile/password", data=form)
        assert refused.status_code == 422 and message in refused.get_data(as_text=True), form
    done = client.post("/profile/password", data={"current": PASSWORDS["stp"], "password": new, "confirm": new})
    assert done.status_code == 302 and done.location == "/profile"
    assert client.get("/").status_code == 200  # this browser goes on, in a new session
    assert elsewhere.get("/").status_code == 302  # every other session ended
    assert app.test_client().post("/login", data={"username": "stp", "password": PASSWORDS["stp"]}).status_code == 401
    signed_in(app, "stp", new)
    with demo_services.sessions() as session:
        assert session.scalar(select(AuditEntry.action).where(AuditEntry.action == "user.password.own"))


def test_an_admins_reset_forces_a_change_at_the_next_sign_in(app: Flask, demo_services: Services) -> None:
    admin = signed_in(app, "admin", PASSWORDS["admin"])
    with demo_services.sessions() as session:
        user_id = session.scalar(select(User.id).where(User.username == "xem"))
    reset = admin.post(f"/admin/users/{user_id}/password", data={"password": "tam-thoi-2025"}, follow_redirects=True)
    assert "người dùng phải đổi mật khẩu khi đăng nhập lần tới" in reset.get_data(as_text=True)

    login = app.test_client().post("/login", data={"username": "xem", "password": "tam-thoi-2025"})
    assert login.status_code == 302 and login.location == "/profile/password"
    client = app.test_client()
    client.post("/login", data={"username": "xem", "password": "tam-thoi-2025"})
    for url in ("/", "/tasks", "/reports/archive", "/profile"):
        response = client.get(url)
        assert (response.status_code, response.location) == (302, "/profile/password"), url
    assert client.post("/profile/token", data={"name": "x", "days": "7"}).location == "/profile/password"
    forced = client.get("/profile/password").get_data(as_text=True)
    assert "Quản trị viên vừa đặt lại mật khẩu của bạn" in forced
    done = client.post("/profile/password", data={"current": "tam-thoi-2025", "password": "mua-thu-ha-noi",
                                                  "confirm": "mua-thu-ha-noi"})
    assert (done.status_code, done.location) == (302, "/")
    assert client.get("/tasks").status_code == 200
    with demo_services.sessions() as session:
        user = session.get(User, user_id)
        assert user.must_change_password is False
        assert len(session.scalars(select(LoginSession).where(LoginSession.user_id == user_id)).all()) == 1


def test_the_cli_reset_forces_a_change_too(runner: CliRunner, app: Flask, demo_services: Services) -> None:
    result = runner.invoke(main, ["users", "password", "vpubnd", "--password", "tam-thoi-2025"])
    assert result.exit_code == 0, result.output
    with demo_services.sessions() as session:
        assert session.scalar(select(User.must_change_password).where(User.username == "vpubnd")) is True
    client = signed_in(app, "vpubnd", "tam-thoi-2025")
    assert client.get("/").location == "/profile/password"
