"""Login throttling: per account and per client address, counted in the shared database, short and sliding,
every failure audited, and a browser that signed in before is not kept out by an attacker elsewhere."""
from __future__ import annotations

from datetime import timedelta
from typing import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from reportsvc.config import load_settings
from reportsvc.db.models import AuditEntry, LoginFailure
from reportsvc.services import accounts
from reportsvc.services.accounts import LoginPolicy, TooManyAttempts
from reportsvc.services.runtime import Services, create_services
from reportsvc.web.app import create_app
from tests.web_fixtures import PASSWORDS

ATTACKER = {"REMOTE_ADDR": "203.0.113.9"}
OFFICE = {"REMOTE_ADDR": "10.20.0.7"}
LOCKED = "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau"


@pytest.fixture
def strict_app(demo_services: Services) -> Iterator[Flask]:
    """The app on the demo database with small limits: 3 per account, 5 per address, in 10 minutes."""
    services = create_services(load_settings({"login_max_failures": 3, "login_address_max_failures": 5,
                                              "login_window_minutes": 10}))
    yield create_app({"TESTING": True, "WTF_CSRF_ENABLED": False}, services=services)
    services.engine.dispose()


def attempt(client: FlaskClient, username: str, password: str, where: dict[str, str] = ATTACKER) -> int:
    """Post the login form from the address ``where``; return the status."""
    return client.post("/login", data={"username": username, "password": password}, environ_base=where).status_code


def test_fifty_wrong_passwords_do_not_reach_the_right_one(app: Flask, demo_services: Services) -> None:
    """The attack of issue 12 with the default settings: 10 failures, then 429 even for the right password."""
    client = app.test_client()
    statuses = [attempt(client, "admin", f"sai-{i}") for i in range(50)]
    assert statuses == [401] * 10 + [429] * 40
    response = client.post("/login", data={"username": "admin", "password": PASSWORDS["admin"]},
                           environ_base=ATTACKER)
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 14 * 60
    assert LOCKED in response.get_data(as_text=True) and "15 phút" in response.get_data(as_text=True)
    with demo_services.sessions() as session:  # the refused attempts are neither counted nor audited
        failed = session.scalars(select(AuditEntry).where(AuditEntry.action == "auth.failed")).all()
        assert session.query(LoginFailure).count() == 10
    assert len(failed) == 10 and {entry.actor for entry in failed} == {"admin"}
    assert failed[0].new == {"username": "admin", "address": "203.0.113.9", "reason": "password"}


def test_the_lock_slides_open_when_the_oldest_failure_ages_out(strict_app: Flask, demo_services: Services) -> None:
    client = strict_app.test_client()
    assert [attempt(client, "stp", "sai-mat-khau") for _ in range(4)] == [401, 401, 401, 429]
    with demo_services.transaction() as session:  # the oldest failure is now 10 minutes old
        oldest = session.scalar(select(LoginFailure).order_by(LoginFailure.id))
        oldest.at = accounts.aware(oldest.at) - timedelta(minutes=10)
    assert attempt(client, "stp", PASSWORDS["stp"]) == 302  # two failures left in the window: it may try


def test_the_address_limit_covers_every_account_tried(strict_app: Flask) -> None:
    client = strict_app.test_client()
    assert [attempt(client, name, "sai-mat-khau") for name in ("a1", "a2", "a3", "a4", "a5")] == [401] * 5
    assert attempt(client, "xem", PASSWORDS["xem"]) == 429  # an account the address never tried
    assert attempt(client, "xem", PASSWORDS["xem"], where=OFFICE) == 302  # from another address it signs in


def test_a_browser_that_signed_in_before_is_not_locked_out_by_an_attacker(strict_app: Flask) -> None:
    officer = strict_app.test_client()
    assert attempt(officer, "stp", PASSWORDS["stp"], where=OFFICE) == 302  # gets the signed device cookie
    assert officer.post("/logout").status_code == 302
    attacker = strict_app.test_client()
    assert [attempt(attacker, "stp", "doan-mo") for _ in range(4)] == [401, 401, 401, 429]
    assert attempt(strict_app.test_client(), "stp", PASSWORDS["stp"], where=OFFICE) == 429  # a new browser waits
    assert attempt(officer, "stp", PASSWORDS["stp"], where=OFFICE) == 302  # the officer's browser does not
    # The device cookie vouches for its own account only.
    assert [attempt(attacker, "xem", "doan-mo") for _ in range(3)] == [401, 401, 429]  # the address limit (5)
    assert attempt(officer, "admin", "doan-mo", where=OFFICE) == 401


def test_the_counts_are_shared_by_every_process(demo_services: Services) -> None:
    """Two servers (two engines on the same database) see one count: the store is the database."""
    policy = LoginPolicy(max_failures=3)
    first, second = create_services(demo_services.settings), create_services(demo_services.settings)
    try:
        for services in (first, second, first):
            with services.transaction() as session:
                assert accounts.sign_in(session, "admin", "sai", "198.51.100.1", policy) is None
        with second.transaction() as session, pytest.raises(TooManyAttempts) as caught:
            accounts.sign_in(session, "admin", PASSWORDS["admin"], "198.51.100.2", policy)
        assert timedelta(minutes=14) < caught.value.wait <= timedelta(minutes=15)
        assert caught.value.http_status == 429
    finally:
        first.engine.dispose()
        second.engine.dispose()


def test_hostile_login_names_fail_cleanly(app: Flask, demo_services: Services) -> None:
    client = app.test_client()
    for name in ("x" * 5000, "\u202eadmin", " "):
        assert attempt(client, name, "sai-mat-khau") == 401, repr(name[:10])
    assert attempt(client, "ad\x00min", "sai-mat-khau") in (400, 401)  # the app may refuse a NUL before the form
    with demo_services.transaction() as session:  # the service never sends a NUL to the database (PostgreSQL)
        assert accounts.sign_in(session, "ad\x00min", "sai", "192.0.2.1", LoginPolicy()) is None
    with demo_services.sessions() as session:
        failures = session.scalars(select(LoginFailure.username).order_by(LoginFailure.id)).all()
        actors = [e.actor for e in session.scalars(select(AuditEntry).where(AuditEntry.action == "auth.failed")
                                                   .order_by(AuditEntry.id))]
    assert failures == ["\u202eadmin", "admin"] and actors == ["admin", "admin"]  # NUL gone; U+202E not shown
    # The over-long and blank names are refused by the form and never reach the service.
