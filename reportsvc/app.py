"""The Flask application factory."""
from __future__ import annotations

from typing import Any

from flask import Flask

from reportsvc.config import load_settings
from reportsvc.services import Services, create_services


def create_app(test_config: dict[str, Any] | None = None, services: Services | None = None) -> Flask:
    """Create the web app: configure, attach the services, register the blueprints."""
    app = Flask(__name__, template_folder="web/templates", static_folder="web/static")
    config = dict(test_config or {})
    if services is None:
        services = create_services(load_settings({k.lower(): v for k, v in config.items()
                                                  if k in ("DATABASE_URL", "PLUGINS_DIR", "DATA_DIR")}))
    app.config.update(SECRET_KEY=services.settings.secret_key or _secret(services), MAX_CONTENT_LENGTH=int(
        services.settings.max_upload_mb * 1024 * 1024))
    app.config.update(config)
    app.extensions["reportsvc"] = services

    from reportsvc.web import health
    app.register_blueprint(health.bp)
    return app


def _secret(services: Services) -> str:
    """Return a per-installation secret key kept in the data directory (created on first use)."""
    import secrets

    path = services.settings.data_dir / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
    return path.read_text().strip()
