"""The Flask application factory."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from reportsvc.config import load_settings
from reportsvc.services.runtime import Services, create_services

# One blueprint per module of reportsvc.web, registered in this order.
BLUEPRINTS = ("health", "errors", "auth", "dashboard", "plans", "tasks", "indicators", "reports", "plugins_admin",
              "audit", "api")


def create_app(test_config: dict[str, Any] | None = None, services: Services | None = None) -> Flask:
    """Create the web app: configure, attach the services, extensions, then register the blueprints."""
    app = Flask(__name__, template_folder="templates", static_folder="static")
    config = dict(test_config or {})
    if services is None:
        services = create_services(load_settings({k.lower(): v for k, v in config.items()
                                                  if k in ("DATABASE_URL", "PLUGINS_DIR", "DATA_DIR")}))
    app.config.update(SECRET_KEY=services.settings.secret_key or _secret(services), MAX_CONTENT_LENGTH=int(
        services.settings.max_upload_mb * 1024 * 1024), SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None)
    app.config.update(config)
    app.extensions["reportsvc"] = services

    _extensions(app)
    _blueprints(app)
    return app


def _extensions(app: Flask) -> None:
    """Attach the request session, Jinja helpers, Flask-Login with its guard, then CSRF protection."""
    from reportsvc.web import auth, common

    common.init_app(app)
    auth.init_app(app)  # before CSRFProtect: an anonymous POST is sent to the login page, not refused as 400
    csrf = CSRFProtect(app)
    app.extensions["reportsvc.csrf"] = csrf


def _blueprints(app: Flask) -> None:
    """Register one blueprint per web module; the token API is exempt from CSRF (it ignores cookies)."""
    import importlib

    for name in BLUEPRINTS:
        module = importlib.import_module(f"reportsvc.web.{name}")
        if name == "api":  # through flask-smorest, which documents it in the OpenAPI document
            module.register(app)
            app.extensions["reportsvc.csrf"].exempt(module.bp)
        else:
            app.register_blueprint(module.bp)


def _secret(services: Services) -> str:
    """Return a per-installation secret key kept in the data directory (created on first use)."""
    import secrets

    path = Path(services.settings.data_dir) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
    return path.read_text().strip()
