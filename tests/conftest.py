"""Shared fixtures: a fresh database per test (SQLite, or PostgreSQL when configured), CLI runner, app,
and the external programs (Chromium, LibreOffice) some tests drive.

A test that needs a missing program is skipped, unless ``REPORTSVC_REQUIRE_ALL=1`` (set by
scripts/test.sh, hence by .ci/run): then every skip of a ``browser`` or ``libreoffice`` test is a
failure, so the suite cannot pass without having run them.
"""
from __future__ import annotations

import gc
import os
import shutil
import uuid
from pathlib import Path
from typing import Generator, Iterator

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from reportsvc.db import engine as db
from reportsvc.config import load_settings
from reportsvc.services.runtime import Services, create_services

PG_URL = os.environ.get("REPORTSVC_TEST_PG_URL", "")
CHROMIUM = Path("/usr/bin/chromium")
MUST_RUN = ("browser", "libreoffice")  # markers whose tests may not be skipped under REPORTSVC_REQUIRE_ALL=1


def require_all() -> bool:
    """Return True when skipped browser and LibreOffice tests must count as failures."""
    return os.environ.get("REPORTSVC_REQUIRE_ALL", "") == "1"


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker of the tests that convert with LibreOffice."""
    config.addinivalue_line("markers", "libreoffice: converts with LibreOffice headless (the soffice fixture)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test that uses the soffice fixture ``libreoffice``; on PostgreSQL keep the database tests.

    With REPORTSVC_TEST_PG_URL the suite is the second pass of scripts/test.sh: a test that opens no
    database (it does not use the ``databases`` fixture: parsing, rendering, formatting) ran in the
    SQLite pass and would test nothing more here, so it is deselected.
    """
    for item in items:
        if "soffice" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.libreoffice)
    if PG_URL:
        without = [item for item in items if "databases" not in getattr(item, "fixturenames", ())]
        if without:
            config.hook.pytest_deselected(items=without)
            items[:] = [item for item in items if "databases" in getattr(item, "fixturenames", ())]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Generator[None, object, None]:
    """Under REPORTSVC_REQUIRE_ALL=1, report a skipped browser or LibreOffice test as failed."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    marker = next((name for name in MUST_RUN if item.get_closest_marker(name)), None)
    if report.skipped and marker and require_all():
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = (f"{marker} test skipped ({reason}), but REPORTSVC_REQUIRE_ALL=1 requires it to run: "
                           "install what it needs (bash scripts/test.sh does)")


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Return the system Chromium the browser tests drive; skip when it is not installed."""
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM}: apt-get install chromium")
    return CHROMIUM


@pytest.fixture(scope="session")
def soffice() -> str:
    """Return the LibreOffice program; skip when it is not installed."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui")
    return found


class Databases:
    """Creates test databases from templates built once per session (migrated, or with demo data).

    SQLite templates are files copied per test; PostgreSQL ones are cloned with CREATE DATABASE … TEMPLATE.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.templates: dict[str, str] = {}
        self.admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT") if PG_URL else None

    def _url(self, name: str) -> str:
        if self.admin is None:
            return f"sqlite:///{self.root / (name + '.sqlite3')}"
        return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)

    def _create(self, name: str, template: str | None = None) -> str:
        if self.admin is None:
            if template:
                shutil.copyfile(self.root / f"{template}.sqlite3", self.root / f"{name}.sqlite3")
            return self._url(name)
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
        return self._url(name)

    def template(self, kind: str) -> str:
        """Return the name of the template database of ``kind`` ("migrated" or "demo"), building it once."""
        if kind not in self.templates:
            name = f"tmpl_{kind}_{uuid.uuid4().hex[:8]}"
            base = None if kind == "migrated" else self.template("migrated")
            engine = db.make_engine(self._create(name, base))
            if kind == "migrated":
                db.upgrade(engine)
            else:
                from reportsvc.demo.load import load_demo
                from reportsvc.hooks.registry import build_registry

                with db.transaction(db.session_factory(engine)) as session:
                    load_demo(session, build_registry())
            engine.dispose()
            self.templates[kind] = name
        return self.templates[kind]

    def new(self, template: str | None = None) -> str:
        """Return the URL of a fresh database, empty or cloned from a template kind."""
        return self._create(f"t_{uuid.uuid4().hex[:12]}", self.template(template) if template else None)

    def close(self) -> None:
        """Drop every PostgreSQL database this session created."""
        if self.admin is None:
            return
        with self.admin.connect() as conn:
            names = conn.execute(text("SELECT datname FROM pg_database WHERE datname LIKE 't\\_%' "
                                      "OR datname LIKE 'tmpl\\_%'")).scalars().all()
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    """Return the session's database factory."""
    factory = Databases(tmp_path_factory.mktemp("databases"))
    yield factory
    factory.close()


@pytest.fixture
def database_url(databases: Databases) -> str:
    """Return the URL of an empty (not migrated) database: SQLite, or PostgreSQL when
    REPORTSVC_TEST_PG_URL is set."""
    return databases.new()


@pytest.fixture
def env(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Point the service at the test database and a temporary data directory."""
    values = {"DATABASE_URL": database_url, "REPORTSVC_DATA_DIR": str(tmp_path / "data")}
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("REPORTSVC_PLUGINS_DIR", raising=False)
    return values


def _services(databases: Databases, template: str, monkeypatch: pytest.MonkeyPatch) -> Services:
    url = databases.new(template)
    monkeypatch.setenv("DATABASE_URL", url)
    return create_services(load_settings())


@pytest.fixture
def services(env: dict[str, str], databases: Databases, monkeypatch: pytest.MonkeyPatch) -> Iterator[Services]:
    """Return Services on a migrated, empty database (DATABASE_URL points at it too)."""
    result = _services(databases, "migrated", monkeypatch)
    yield result
    result.engine.dispose()


@pytest.fixture
def demo_services(env: dict[str, str], databases: Databases, monkeypatch: pytest.MonkeyPatch) -> Iterator[Services]:
    """Return Services whose database holds the demo locality (DATABASE_URL points at it too)."""
    result = _services(databases, "demo", monkeypatch)
    yield result
    result.engine.dispose()


@pytest.fixture
def runner(env: dict[str, str]) -> CliRunner:
    """Return a click runner; invoke ``reportsvc.cli.main.main`` with it."""
    return CliRunner()


@pytest.fixture
def app(demo_services: Services):  # noqa: ANN201 - a Flask app
    """Return the web app on the demo database, CSRF off for plain client tests."""
    from reportsvc.web.app import create_app

    return create_app({"TESTING": True, "WTF_CSRF_ENABLED": False}, services=demo_services)


@pytest.fixture
def client(app):  # noqa: ANN001, ANN201
    """Return a test client of the web app."""
    return app.test_client()


@pytest.fixture(autouse=True)
def _collect_garbage() -> Iterator[None]:
    """Collect garbage after each test so an unclosed connection is reported by the test that leaked it."""
    yield
    gc.collect()
