"""Plugins (admin only): the loaded plugins with their areas and hooks, and enabling/disabling them."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from reportsvc.services import audit
from reportsvc.db.models import PluginSetting, utcnow
from reportsvc.hooks.registry import PluginError, plugin_names
from reportsvc.web.common import actor, admin_required, services

bp = Blueprint("plugins_admin", __name__, url_prefix="/admin/plugins")


@bp.get("")
@admin_required
def index() -> ResponseReturnValue:
    """List the plugins: source, enabled or not, the areas and indicators they declare, their hooks."""
    registry = services().registry
    indicators: dict[str, int] = {}
    for code, owner in registry.indicator_owner.items():
        indicators[owner] = indicators.get(owner, 0) + 1
    return render_template("plugins.html", plugins=registry.plugins, indicators=indicators)


def _set_enabled(name: str, enabled: bool) -> bool:
    """Store the plugin's setting with an audit entry; return the previous setting."""
    with services().transaction() as session:
        setting = session.get(PluginSetting, name)
        previous = setting.enabled if setting is not None else True
        if setting is None:
            setting = PluginSetting(name=name)
            session.add(setting)
        setting.enabled, setting.updated_at = enabled, utcnow()
        audit.record(session, actor().username, "plugin.enable" if enabled else "plugin.disable", "plugin", name,
                     {"enabled": previous}, {"enabled": enabled})
    return previous


@bp.post("/<name>")
@admin_required
def toggle(name: str) -> ResponseReturnValue:
    """Enable or disable a plugin (form field enabled=1|0) and reload the plugins."""
    if name not in plugin_names(services().settings.plugins_dir or None):
        abort(404, description=f"Không tìm thấy plugin '{name}'.")
    enabled = request.form.get("enabled") == "1"
    previous = _set_enabled(name, enabled)
    try:
        services().reload_plugins()
    except PluginError as exc:
        _set_enabled(name, previous)
        services().reload_plugins()
        flash(f"Không {'bật' if enabled else 'tắt'} được plugin '{name}': {exc}. Đã giữ nguyên thiết lập cũ.", "error")
        return redirect(url_for("plugins_admin.index"))
    flash(f"Đã {'bật' if enabled else 'tắt'} plugin '{name}'. Thay đổi áp dụng từ lần tạo báo cáo sau.", "success")
    return redirect(url_for("plugins_admin.index"))
