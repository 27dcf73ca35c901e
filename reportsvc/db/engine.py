"""Engine, sessions and migrations of the shared database."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from reportsvc.errors import UserError

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class DatabaseError(UserError):
    """The database cannot be reached or is not ready; the message is for the user."""

    http_status = 503  # the service cannot serve now; not the request's fault


def safe_url(url: str) -> str:
    """Return ``url`` with any password hidden, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<DATABASE_URL không hợp lệ>"


POOL_SIZE = 5
"""Connections a server process (web, scheduler, command) keeps open to PostgreSQL: SQLAlchemy's default."""
MAX_OVERFLOW = 10
"""… and how many more it may open at busy moments (the waitress server runs 8 threads)."""
SQLITE_BUSY_SECONDS = 30.0
"""How long a write to the SQLite file waits for another process's write to end."""


def make_engine(url: str, pool_size: int = POOL_SIZE, max_overflow: int = MAX_OVERFLOW) -> Engine:
    """Create an engine; SQLite gets foreign keys on and its parent directory created.

    A server database (PostgreSQL) gets a pool of ``pool_size`` connections kept open plus at most
    ``max_overflow`` more, each checked before use (``pool_pre_ping``: a restarted server costs
    no failed request). A queue worker process makes one report at a time and asks for 1 + 1
    (reportsvc.services.queue), so a machine's workers open at most twice their concurrency.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseError("DATABASE_URL không hợp lệ: không phải một URL cơ sở dữ liệu "
                            "(ví dụ sqlite:///duong/dan.sqlite3 hoặc postgresql+psycopg://…)") from exc
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # Workers and batch processes write to one file: a writer waits for another's transaction
        # (SQLite serialises writes) up to 30 s instead of pysqlite's 5 s before "database is locked".
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_SECONDS})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # noqa: ANN001
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    try:
        return create_engine(url, pool_pre_ping=True, pool_size=pool_size, max_overflow=max_overflow)
    except (ImportError, SQLAlchemyError) as exc:
        raise DatabaseError(f"Không tạo được kết nối tới {safe_url(url)}: {exc.__class__.__name__}") from exc


def check_connection(engine: Engine) -> None:
    """Raise DatabaseError naming the URL (without password) when the database is unreachable."""
    try:
        with engine.connect():
            pass
    except (OperationalError, SQLAlchemyError) as exc:
        raise DatabaseError(f"Không kết nối được cơ sở dữ liệu {engine.url.render_as_string(hide_password=True)}") from exc


def alembic_config(engine: Engine) -> AlembicConfig:
    """Return an Alembic config pointing at the packaged migrations and ``engine``."""
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine) -> None:
    """Apply every pending migration; never drops data."""
    check_connection(engine)
    command.upgrade(alembic_config(engine), "head")


def is_ready(engine: Engine) -> bool:
    """Return True when the schema has been created (the units table exists)."""
    return inspect(engine).has_table("units")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Return a session factory bound to ``engine``."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """Yield a session in one transaction: commit on success, roll back on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
