"""The service objects every entry point (CLI, web, scheduler, workers) shares: built once, passed on."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from reportsvc.db import engine as db
from reportsvc.config import Settings
from reportsvc.db.models import PluginSetting
from reportsvc.hooks.registry import PluginRegistry, build_registry


@dataclass
class Services:
    """Settings, database engine and sessions, and the plugin registry (built on first use)."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    extra_plugins: tuple[tuple[str, object], ...] = ()

    @cached_property
    def registry(self) -> PluginRegistry:
        """Return the plugin registry, with the plugins disabled in the database blocked."""
        return build_registry(self.settings.plugins_dir or None, blocked=self.blocked_plugins(),
                              extra=self.extra_plugins)

    def blocked_plugins(self) -> list[str]:
        """Return the names of plugins an admin disabled (none before the schema exists)."""
        if not db.is_ready(self.engine):
            return []
        with self.sessions() as session:
            return list(session.scalars(select(PluginSetting.name).where(PluginSetting.enabled.is_(False))))

    def reload_plugins(self) -> PluginRegistry:
        """Drop the cached registry so the next use reflects changed plugin settings."""
        self.__dict__.pop("registry", None)
        return self.registry

    def transaction(self):  # noqa: ANN201 - a context manager yielding a Session
        """Return a context manager for one transaction (commit on success, roll back on error)."""
        return db.transaction(self.sessions)


def create_services(settings: Settings, extra_plugins: Iterable[tuple[str, object]] = ()) -> Services:
    """Create the engine and session factory for ``settings`` (the database is not touched yet)."""
    engine = db.make_engine(settings.database_url)
    return Services(settings, engine, db.session_factory(engine), tuple(extra_plugins))
