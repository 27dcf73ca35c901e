"""Plugins (admin only): the loaded plugins with their areas and hooks, and enabling/disabling them."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from reportsvc.errors import NotFound
from reportsvc.hooks.registry import PluginError
from reportsvc.services.plugins import set_plugin_enabled
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


@bp.post("/<name>")
@admin_required
def toggle(name: str) -> ResponseReturnValue:
    """Enable or disable a plugin (form field enabled=1|0) for every process, audited."""
    enabled = request.form.get("enabled") == "1"
    state = "bật" if enabled else "tắt"
    try:
        set_plugin_enabled(services(), name, enabled, actor().username)
    except NotFound as exc:
        abort(404, description=str(exc))
    except PluginError as exc:
        flash(f"{exc}. Đã giữ nguyên thiết lập cũ.", "error")
        return redirect(url_for("plugins_admin.index"))
    flash(f"Đã {state} plugin '{name}'. Thay đổi áp dụng từ lần tạo báo cáo sau.", "success")
    return redirect(url_for("plugins_admin.index"))
