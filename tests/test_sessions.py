"""Sessions that end: sign-out, "đăng xuất khỏi mọi thiết bị", a new password, a locked account, a new role or
unit, a lifetime and an idle timeout; and a secret key file nobody else can read."""
from __future__ import annotations

import os
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from reportsvc.config import ConfigError, Settings, load_settings
from reportsvc.db.models import LoginSession, User, utcnow
from reportsvc.services import accounts
from reportsvc.services.accounts import LoginPolicy
from reportsvc.services.runtime import Services
from tests.web_fixtures import PASSWORDS

ADMIN_PAGE = "/admin/audit"


def signed_in(app: Flask, username: str) -> FlaskClient:
    """Return a client signed in as a demo user (CSRF is off in the ``app`` fixture)."""
    client = app.test_client()
    assert client.post("/login", data={"username": username, "password": PASSWORDS[username]}).status_code == 302
    return client


def copy_of(app: Flask, client: FlaskClient) -> FlaskClient:
    """Return another client holding a copy of ``client``'s session cookie (what an attacker would steal)."""
    thief = app.test_client()
    cookie = client.get_cookie("session")
    assert cookie is not None
    thief.set_cookie("session", cookie.value)
    return thief


def opens(client: FlaskClient, url: str = ADMIN_PAGE) -> bool:
    """Return True when ``url`` answers 200 (a signed-out client is sent to /login)."""
    response = client.get(url)
    assert response.status_code in (200, 302), response.status_code
    return response.status_code == 200


def test_signing_out_ends_the_session_for_every_copy_of_its_cookie(app: Flask) -> None:
    client = signed_in(app, "admin")
    thief = copy_of(app, client)
    assert opens(client) and opens(thief)
    other_device = signed_in(app, "admin")
    assert client.post("/logout").status_code == 302
    assert not opens(thief)  # the copied cookie names a session that no longer exists
    assert not opens(client)
    assert opens(other_device)  # signing out ends this session, not the admin's other ones
    ended = thief.get("/admin/audit", follow_redirects=True).get_data(as_text=True)
    assert "Phiên đăng nhập đã kết thúc" in ended


def test_signing_out_of_every_device(app: Flask, demo_services: Services) -> None:
    laptop, phone, other_user = signed_in(app, "admin"), signed_in(app, "admin"), signed_in(app, "stp")
    page = laptop.get("/profile").get_data(as_text=True)
    assert "Đăng xuất khỏi mọi thiết bị" in page and page.count(">phiên này<") == 1
    response = laptop.post("/logout/all", follow_redirects=True)
    assert "Đã đăng xuất khỏi mọi thiết bị (2 phiên)." in response.get_data(as_text=True)
    assert not opens(laptop) and not opens(phone)
    assert opens(other_user, "/")
    with demo_services.sessions() as session:
        admin = session.scalar(select(User).where(User.username == "admin"))
        assert accounts.sessions_of(session, admin) == []


@pytest.mark.parametrize("change", ["password", "disable", "role", "unit"])
def test_account_changes_end_every_session_of_the_user(app: Flask, demo_services: Services, change: str) -> None:
    client = signed_in(app, "xem")
    assert opens(client, "/")
    with demo_services.transaction() as session:
        if change == "password":
            accounts.set_password(session, "xem", "mot-cau-de-nho-2025", "admin")
        elif change == "disable":
            accounts.set_active(session, "xem", False, "admin")
        elif change == "role":
            accounts.set_role(session, "xem", "admin", "admin")
        else:
            accounts.set_unit(session, "xem", "HT-TH-TD", "admin")
    assert not opens(client, "/")
    with demo_services.sessions() as session:
        assert session.scalar(select(LoginSession).join(User).where(User.username == "xem")) is None


def test_an_unchanged_account_keeps_its_sessions(app: Flask, demo_services: Services) -> None:
    """The test above can fail: the same client stays signed in when nothing about the account changes."""
    client = signed_in(app, "xem")
    with demo_services.transaction() as session:
        assert accounts.set_active(session, "xem", True, "admin") is False  # already active: nothing changed
        accounts.set_role(session, "xem", "viewer", "admin")  # the same role
    assert opens(client, "/")


def _age(services: Services, username: str, **columns: timedelta) -> None:
    """Move the stored times of ``username``'s sessions back by the given amounts."""
    with services.transaction() as session:
        user_id = session.scalar(select(User.id).where(User.username == username))
        for row in session.scalars(select(LoginSession).where(LoginSession.user_id == user_id)):
            for column, delta in columns.items():
                setattr(row, column, accounts.aware(getattr(row, column)) - delta)


def test_a_session_sitting_idle_too_long_ends(app: Flask, demo_services: Services) -> None:
    client = signed_in(app, "admin")
    _age(demo_services, "admin", last_seen_at=timedelta(minutes=59))
    assert opens(client)  # 59 minutes idle: still open (the default is 60), and the request renews it
    _age(demo_services, "admin", last_seen_at=timedelta(minutes=61))
    assert not opens(client)


def test_a_session_ends_after_its_lifetime_however_busy(app: Flask, demo_services: Services) -> None:
    client = signed_in(app, "admin")
    _age(demo_services, "admin", created_at=timedelta(hours=11, minutes=59))
    assert opens(client)
    _age(demo_services, "admin", created_at=timedelta(minutes=2))
    assert not opens(client)


def test_the_timeouts_follow_the_settings(demo_services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPORTSVC_SESSION_HOURS", "2")
    monkeypatch.setenv("REPORTSVC_IDLE_MINUTES", "5")
    policy = LoginPolicy.of(load_settings())
    assert (policy.lifetime, policy.idle) == (timedelta(hours=2), timedelta(minutes=5))
    now = utcnow()
    with demo_services.transaction() as session:
        user = session.scalar(select(User).where(User.username == "admin"))
        key = accounts.start_session(session, user, policy, now=now)
    with demo_services.transaction() as session:
        assert accounts.session_user(session, key, policy, now=now + timedelta(minutes=4)) is not None
        assert accounts.session_user(session, key, policy, now=now + timedelta(minutes=8)) is not None  # seen at +4
        assert accounts.session_user(session, key, policy, now=now + timedelta(minutes=15)) is None  # idle 6 minutes
    with pytest.raises(ConfigError, match="REPORTSVC_IDLE_MINUTES phải là một số dương"):
        load_settings(environ={"REPORTSVC_IDLE_MINUTES": "0"})


def test_a_session_cookie_from_before_sessions_were_stored_opens_nothing(app: Flask, demo_services: Services) -> None:
    """A cookie naming only a user id (as signed before this change, or forged with the key) is not a session."""
    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["_user_id"] = str(1)
        cookie["_fresh"] = True
    assert not opens(client)


# ---------------------------------------------------------------- the secret key file

def test_the_generated_secret_key_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    old_umask = os.umask(0)  # even a permissive umask cannot widen it
    try:
        secret = settings.session_secret()
    finally:
        os.umask(old_umask)
    path = tmp_path / "data" / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(secret) == 64 and settings.session_secret() == secret  # generated once, then read
    assert [p.name for p in path.parent.iterdir()] == ["secret_key"]  # no temporary file left behind


def test_a_key_file_others_can_read_is_refused_with_the_fix(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    settings.session_secret()
    path = tmp_path / "secret_key"
    path.chmod(0o644)
    with pytest.raises(ConfigError) as caught:
        settings.session_secret()
    assert str(caught.value) == f"Tệp khóa bí mật {path} để người khác đọc được; hãy chạy: chmod 600 {path}"
    path.chmod(0o600)
    assert len(settings.session_secret()) == 64


def test_the_service_does_not_start_on_a_readable_key(env: dict[str, str], services: Services, runner,  # noqa: ANN001
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """`reportsvc serve` builds the app first: a readable key stops it with one Vietnamese line (exit 2)."""
    from reportsvc.cli.main import main

    path = Path(env["REPORTSVC_DATA_DIR"]) / "secret_key"
    path.parent.mkdir(parents=True)
    path.write_text("a" * 64)
    path.chmod(0o640)
    monkeypatch.setattr("waitress.serve", lambda *args, **kwargs: pytest.fail("served with a readable key"))
    result = runner.invoke(main, ["serve", "--port", "5999"])
    assert result.exit_code == 2, result.output
    assert result.stderr == f"Lỗi: Tệp khóa bí mật {path} để người khác đọc được; hãy chạy: chmod 600 {path}\n"


def test_a_key_another_process_wrote_first_is_kept(tmp_path: Path) -> None:
    """Creation never overwrites: the file another process linked first wins."""
    from reportsvc.config import _create_private

    path = tmp_path / "secret_key"
    _create_private(path, "b" * 64)
    _create_private(path, "c" * 64)
    assert path.read_text() == "b" * 64 and stat.S_IMODE(path.stat().st_mode) == 0o600
