"""Switching plugins on and off: one use case for the web admin page and the CLI, audited."""
from __future__ import annotations

from reportsvc.db.models import PluginSetting, utcnow
from reportsvc.db.tenancy import require_unscoped
from reportsvc.errors import NotFound
from reportsvc.hooks.registry import PluginError, plugin_names
from reportsvc.services import audit
from reportsvc.services.runtime import Services


def set_plugin_enabled(services: Services, name: str, enabled: bool, user: str) -> bool:
    """Enable or disable plugin ``name`` for every process, audited; return whether the setting changed.

    The new set of plugins is built before the setting is stored, so a plugin that cannot load
    (or a switch that leaves an area without its plugin) is refused with the reason and nothing
    changes. Names are checked without importing anything, so a plugin that breaks start-up can
    still be disabled. Plugins are shared by every unit: only the system administrator (or the
    command line without ``--user``) may switch them.
    """
    require_unscoped("bật, tắt plugin")
    if name not in plugin_names(services.settings.plugins_dir or None):
        raise NotFound(f"Không tìm thấy plugin '{name}'")
    with services.transaction() as session:
        setting = session.get(PluginSetting, name)
        previous = setting.enabled if setting is not None else True
        if previous == enabled:
            return False
        blocked = set(services.blocked_plugins())
        blocked = blocked - {name} if enabled else blocked | {name}
        try:
            services.build_registry(sorted(blocked))
        except PluginError as exc:
            raise PluginError(f"Không {'bật' if enabled else 'tắt'} được plugin '{name}': {exc}") from exc
        if setting is None:
            setting = PluginSetting(name=name)
            session.add(setting)
        setting.enabled, setting.updated_at = enabled, utcnow()
        audit.record(session, user or "system", "plugin.enable" if enabled else "plugin.disable", "plugin", name,
                     {"enabled": previous}, {"enabled": enabled})
    services.reload_plugins()
    return True
