"""The service objects every entry point (CLI, web, scheduler, workers) shares: built once, passed on."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from reportsvc.db import engine as db
from reportsvc.db import unitsettings
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

    plugin_check_seconds: float = 2.0  # how often a long-running process looks for plugins switched elsewhere
    _registry: PluginRegistry | None = field(default=None, init=False, repr=False)
    _blocked: tuple[str, ...] = field(default=(), init=False, repr=False)
    _checked: float = field(default=0.0, init=False, repr=False)

    @property
    def registry(self) -> PluginRegistry:
        """Return the plugin registry, with the plugins disabled in the database blocked.

        A running server sees a plugin switched from the CLI or another process: at most every
        ``plugin_check_seconds`` the stored settings are read again, and the registry is rebuilt
        when they changed.
        """
        now = time.monotonic()
        if self._registry is None or now - self._checked >= self.plugin_check_seconds:
            blocked = tuple(sorted(self.blocked_plugins()))
            if self._registry is None or blocked != self._blocked:
                self._registry = self.build_registry(blocked)
                self._blocked = blocked
            self._checked = now
        return self._registry

    def build_registry(self, blocked: Iterable[str]) -> PluginRegistry:
        """Build a registry of this installation's plugins with ``blocked`` ones disabled (raises PluginError)."""
        return build_registry(self.settings.plugins_dir or None, blocked=blocked, extra=self.extra_plugins)

    def blocked_plugins(self) -> list[str]:
        """Return the names of plugins an admin disabled (none before the schema exists)."""
        if not db.is_ready(self.engine):
            return []
        with self.sessions() as session:
            return list(session.scalars(select(PluginSetting.name).where(PluginSetting.enabled.is_(False))))

    def reload_plugins(self) -> PluginRegistry:
        """Rebuild the registry now from the stored plugin settings."""
        self._registry = None
        return self.registry

    def transaction(self):  # noqa: ANN201 - a context manager yielding a Session
        """Return a context manager for one transaction (commit on success, roll back on error)."""
        return db.transaction(self.sessions)


def create_services(settings: Settings, extra_plugins: Iterable[tuple[str, object]] = (),
                    pool_size: int = db.POOL_SIZE, max_overflow: int = db.MAX_OVERFLOW) -> Services:
    """Create the engine and session factory for ``settings`` (the database is not touched yet).

    ``pool_size``/``max_overflow`` size a server database's connection pool (reportsvc.db.engine.make_engine).
    """
    engine = db.make_engine(settings.database_url, pool_size=pool_size, max_overflow=max_overflow)
    sessions = db.session_factory(engine)
    # Units read their default cut-off day from their session (reportsvc.db.unitsettings).
    sessions.configure(info=unitsettings.session_info(settings.cutoff_day))
    return Services(settings, engine, sessions, tuple(extra_plugins))
