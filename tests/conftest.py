"""Shared fixtures: a fresh database per test (SQLite, or PostgreSQL when configured), CLI runner, app."""
from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Iterator

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from reportsvc import db
from reportsvc.config import load_settings
from reportsvc.services import Services, create_services

PG_URL = os.environ.get("REPORTSVC_TEST_PG_URL", "")


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """Return the URL of an empty database: a throwaway PostgreSQL database if
    REPORTSVC_TEST_PG_URL is set, otherwise a SQLite file in tmp_path."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'reportsvc.sqlite3'}"
        return
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def env(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Point the service at the test database and a temporary data directory."""
    values = {"DATABASE_URL": database_url, "REPORTSVC_DATA_DIR": str(tmp_path / "data")}
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("REPORTSVC_PLUGINS_DIR", raising=False)
    return values


@pytest.fixture
def services(env: dict[str, str]) -> Iterator[Services]:
    """Return Services on a migrated, empty database."""
    result = create_services(load_settings())
    db.upgrade(result.engine)
    yield result
    result.engine.dispose()


@pytest.fixture
def demo_services(services: Services) -> Services:
    """Return Services whose database holds the demo locality."""
    from reportsvc.demo import load_demo

    with services.transaction() as session:
        load_demo(session, services.registry)
    return services


@pytest.fixture
def runner(env: dict[str, str]) -> CliRunner:
    """Return a click runner; invoke ``reportsvc.cli.main`` with it."""
    return CliRunner()


@pytest.fixture
def app(demo_services: Services):  # noqa: ANN201 - a Flask app
    """Return the web app on the demo database, CSRF off for plain client tests."""
    from reportsvc.app import create_app

    return create_app({"TESTING": True, "WTF_CSRF_ENABLED": False}, services=demo_services)


@pytest.fixture
def client(app):  # noqa: ANN001, ANN201
    """Return a test client of the web app."""
    return app.test_client()
