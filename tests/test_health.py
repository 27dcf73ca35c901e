"""/healthz tells a load balancer the truth: 200 only when the database answers, 503 with a Vietnamese reason
when it is down or not set up, and never the database's address or password (the probe is public)."""
from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy import create_engine

from reportsvc.config import load_settings
from reportsvc.services.runtime import Services, create_services
from reportsvc.web.app import create_app


def app_on(url: str) -> tuple[Flask, Services]:
    """Return the web app (and its services) on the database at ``url``."""
    services = create_services(load_settings({"database_url": url}))
    return create_app({"TESTING": True}, services=services), services


def test_a_working_database_is_healthy(client) -> None:  # noqa: ANN001 - a Flask test client
    response = client.get("/healthz")  # no sign-in: the probe is public
    assert (response.status_code, response.get_json()) == (200, {"status": "ok", "database": "ok"})
    assert response.headers["Cache-Control"] == "no-store"


def test_an_unreachable_postgresql_server_answers_503_without_its_address(env: dict[str, str]) -> None:
    app, services = app_on("postgresql+psycopg://cchc:mat-khau-bi-mat@127.0.0.1:1/reportsvc?connect_timeout=3")
    response = app.test_client().get("/healthz")
    body = response.get_json()
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert body == {"status": "error", "database": "error",
                    "error": "Dịch vụ chưa sẵn sàng: Không kết nối được cơ sở dữ liệu (OperationalError)."}
    text = response.get_data(as_text=True)
    assert "mat-khau-bi-mat" not in text and "127.0.0.1" not in text and "cchc" not in text
    services.engine.dispose()


def test_a_database_that_goes_down_while_serving_turns_the_probe_to_503_and_back(
        app: Flask, demo_services: Services, tmp_path: Path) -> None:
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    working = demo_services.engine
    demo_services.engine.dispose()
    demo_services.engine = create_engine(f"sqlite:///{tmp_path}")  # a directory: SQLite cannot open it
    try:
        down = client.get("/healthz")
        assert down.status_code == 503
        assert down.get_json()["error"] == ("Dịch vụ chưa sẵn sàng: Không kết nối được cơ sở dữ liệu "
                                            "(OperationalError).")
    finally:
        demo_services.engine.dispose()
        demo_services.engine = working
    assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}


def test_a_database_without_the_schema_is_not_ready(env: dict[str, str], database_url: str) -> None:
    app, services = app_on(database_url)  # created, never migrated
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["error"] == ("Dịch vụ chưa sẵn sàng: Cơ sở dữ liệu chưa được khởi tạo "
                                            "(chạy 'reportsvc init-db').")
    services.engine.dispose()
