"""API tokens: named, with an expiry, listed and revoked one by one from the account page and the command line;
a disabled user's tokens answer 401; the single token of the old schema is migrated."""
from __future__ import annotations

import json
import re
from datetime import timedelta

from alembic import command
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import select, text

from reportsvc.cli.main import main
from reportsvc.db import engine as db
from reportsvc.db.models import ApiToken, AuditEntry, User
from reportsvc.services import accounts
from reportsvc.services.runtime import Services
from tests.web_fixtures import PASSWORDS

UNITS = "/api/v1/units"


def calls(app: Flask, token: str) -> int:
    """Return the status of an API read with ``token``."""
    return app.test_client().get(UNITS, headers={"Authorization": f"Bearer {token}"}).status_code


def cli(runner: CliRunner, *args: str) -> str:
    """Run ``reportsvc ARGS``, insist on success and return its output."""
    result = runner.invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_named_tokens_from_the_command_line(runner: CliRunner, app: Flask, demo_services: Services) -> None:
    one_stop = cli(runner, "users", "token", "vpubnd", "--name", "một cửa", "--days", "30").strip()
    legacy = cli(runner, "users", "token", "vpubnd").strip()  # still works: the default name, 90 days
    assert one_stop.startswith("rsv_") and legacy.startswith("rsv_") and one_stop != legacy
    assert calls(app, one_stop) == calls(app, legacy) == 200
    listed = json.loads(cli(runner, "users", "tokens", "vpubnd", "--json"))
    assert [(row["name"], row["expired"]) for row in listed] == [("một cửa", False), ("mặc định", False)]
    with demo_services.sessions() as session:
        rows = {t.name: t for t in session.scalars(select(ApiToken))}
        assert {t.token_hash for t in rows.values()} == {accounts.hash_token(one_stop), accounts.hash_token(legacy)}
        lifetime = accounts.aware(rows["một cửa"].expires_at) - accounts.aware(rows["một cửa"].created_at)
        assert lifetime == timedelta(days=30)
    assert one_stop not in json.dumps(listed)  # a listing never shows a token's value
    # Revoked one by one: the other keeps working.
    revoked = cli(runner, "users", "revoke", "vpubnd", str(listed[0]["id"]))
    assert revoked == f"Đã thu hồi mã truy cập số {listed[0]['id']} ('một cửa') của 'vpubnd'.\n"
    assert calls(app, one_stop) == 401 and calls(app, legacy) == 200
    # Issuing a name again replaces that token.
    renewed = cli(runner, "users", "token", "vpubnd").strip()
    assert calls(app, legacy) == 401 and calls(app, renewed) == 200
    lines = cli(runner, "users", "tokens", "vpubnd").splitlines()
    assert len(lines) == 1 and re.match(r"^\d+\s+mặc định\s+tạo \d\d/\d\d/\d{4} \d\d:\d\d\s+hết hạn ", lines[0])


def test_refusals_on_the_command_line(runner: CliRunner, demo_services: Services) -> None:
    result = runner.invoke(main, ["users", "revoke", "vpubnd", "999"])
    assert result.exit_code == 2 and result.stderr == "Lỗi: Tài khoản 'vpubnd' không có mã truy cập số 999.\n"
    result = runner.invoke(main, ["users", "token", "vpubnd", "--days", "0"])
    assert result.exit_code == 2 and "--days" in result.stderr
    token = cli(runner, "users", "token", "admin").strip()
    with demo_services.sessions() as session:
        admins = session.scalar(select(ApiToken.id).join(User).where(User.username == "admin"))
    result = runner.invoke(main, ["users", "revoke", "vpubnd", str(admins)])  # not vpubnd's token
    assert result.exit_code == 2 and token
    result = runner.invoke(main, ["--user", "stp", "users", "tokens", "admin"])  # an editor lists only its own
    assert result.exit_code == 2 and "không có quyền quản trị" in result.stderr
    assert cli(runner, "--user", "stp", "users", "tokens", "stp") == "Tài khoản 'stp' chưa có mã truy cập API.\n"


def test_an_expired_token_and_a_disabled_users_token_answer_401(app: Flask, demo_services: Services) -> None:
    with demo_services.transaction() as session:
        user = accounts.find_user(session, "stp")
        short, short_value = accounts.create_token(session, user, "test", name="ngắn", days=1)
        long_value = accounts.issue_token(session, user, "test", name="dài", days=365)
    assert calls(app, short_value) == calls(app, long_value) == 200
    with demo_services.transaction() as session:
        row = session.get(ApiToken, short.id)
        row.expires_at = accounts.utcnow() - timedelta(seconds=1)
    assert calls(app, short_value) == 401 and calls(app, long_value) == 200
    with demo_services.transaction() as session:
        accounts.set_active(session, "stp", False, "admin")
    assert calls(app, long_value) == 401
    with demo_services.transaction() as session:
        accounts.set_active(session, "stp", True, "admin")
    assert calls(app, long_value) == 200


def test_tokens_on_the_account_page(app: Flask, demo_services: Services) -> None:
    client = app.test_client()
    assert client.post("/login", data={"username": "xem", "password": PASSWORDS["xem"]}).status_code == 302
    created = client.post("/profile/token", data={"name": "bảng điều khiển", "days": "7"})
    page = created.get_data(as_text=True)
    value = re.search(r'id="api-token">(rsv_[^<]+)<', page).group(1)
    assert created.status_code == 200 and created.headers["Cache-Control"] == "no-store"
    assert "bảng điều khiển" in page and calls(app, value) == 200
    for form, message in (({"name": "", "days": "7"}, "Hãy đặt tên cho mã truy cập."),
                          ({"name": "x", "days": "bảy"}, "Số ngày không hợp lệ: &#39;bảy&#39;"),
                          ({"name": "x", "days": "9999"}, "Thời hạn của mã truy cập phải từ 1 đến 730 ngày.")):
        refused = client.post("/profile/token", data=form)
        assert refused.status_code == 422 and message in refused.get_data(as_text=True), form
    with demo_services.sessions() as session:
        (token_id,) = session.scalars(select(ApiToken.id)).all()
        other = accounts.find_user(session, "admin")
    assert "Thu hồi" in client.get("/profile").get_data(as_text=True)
    with demo_services.transaction() as session:
        other_id = accounts.create_token(session, session.merge(other), "test", name="của admin")[0].id
    assert client.post(f"/profile/tokens/{other_id}/revoke").status_code == 404  # not its token
    assert client.post(f"/profile/tokens/{token_id}/revoke").status_code == 302
    assert calls(app, value) == 401
    with demo_services.sessions() as session:
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("user.token%"))
                                  .order_by(AuditEntry.id)).all()
    assert actions == ["user.token", "user.token", "user.token.revoke"]


def test_the_old_single_token_is_migrated_and_back(database_url: str) -> None:
    engine = db.make_engine(database_url)
    config = db.alembic_config(engine)
    try:
        command.upgrade(config, "0002")
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO users (username, full_name, password_hash, role, api_token_hash, "
                                    "active) VALUES ('cu', '', 'x', 'viewer', :hash, :yes)"),
                               {"hash": accounts.hash_token("rsv_ma-cu"), "yes": True})
        command.upgrade(config, "head")
        with db.session_factory(engine)() as session:
            user = accounts.user_for_token(session, "rsv_ma-cu")
            assert user is not None and user.username == "cu" and user.must_change_password is False
            (row,) = accounts.tokens_of(session, user)
            assert row.name == "mặc định" and not accounts.is_expired(row)
            assert accounts.is_expired(row, accounts.utcnow() + timedelta(days=91))
        command.downgrade(config, "0002")
        with engine.connect() as connection:
            assert connection.execute(text("SELECT api_token_hash FROM users")).scalar() == \
                accounts.hash_token("rsv_ma-cu")
    finally:
        engine.dispose()
