"""The Flask application factory."""
from __future__ import annotations

from typing import Any

from flask import Flask, Response
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from reportsvc.config import load_settings
from reportsvc.services.runtime import Services, create_services

# Sent with every response (pages, API, static files, errors). The pages load their one stylesheet
# and their icons from /static and run no script at all, so no 'unsafe-inline' is needed; forms post
# only to the service itself, and no other site may frame it (clickjacking).
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
    "connect-src 'self'", "object-src 'none'", "base-uri 'self'", "form-action 'self'", "frame-ancestors 'none'"))
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate CSP 2
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # task and report addresses never leave the service in a Referer
    "Cross-Origin-Opener-Policy": "same-origin",
}

# One blueprint per module of reportsvc.web, registered in this order.
BLUEPRINTS = ("health", "errors", "auth", "dashboard", "plans", "tasks", "indicators", "reports", "plugins_admin",
              "audit", "admin_units", "admin_agencies", "admin_users", "submissions", "value_sheets", "api")


def create_app(test_config: dict[str, Any] | None = None, services: Services | None = None) -> Flask:
    """Create the web app: configure, attach the services, extensions, then register the blueprints.

    The service settings come from ``services`` or, without it, from ``load_settings()`` (the
    environment), exactly as the command line gets them; ``test_config`` holds Flask options only.
    """
    app = Flask(__name__, template_folder="templates", static_folder="static")
    if services is None:
        services = create_services(load_settings())
    settings = services.settings
    app.config.update(SECRET_KEY=settings.session_secret(), MAX_CONTENT_LENGTH=settings.max_upload_bytes,
                      SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax", WTF_CSRF_TIME_LIMIT=None,
                      # the CSRF token lives in the session cookie, so this flag covers both
                      SESSION_COOKIE_SECURE=settings.secure_cookies, REMEMBER_COOKIE_SECURE=settings.secure_cookies,
                      REMEMBER_COOKIE_HTTPONLY=True)
    app.config.update(test_config or {})
    app.extensions["reportsvc"] = services
    if settings.proxy_hops:
        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops)
    app.after_request(security_headers)

    _extensions(app)
    _blueprints(app)
    return app


def security_headers(response: Response) -> Response:
    """Add the hardening headers (CSP, no framing, no sniffing, referrer policy) a view did not set itself."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


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
