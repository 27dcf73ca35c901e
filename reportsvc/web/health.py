"""Health probe for load balancers and monitoring: 200 when the service can serve, 503 with the reason when not.

Public (no sign-in), so it names no URL, host or password: the details go to the log.
"""
from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import inspect, text
from sqlalchemy.exc import SQLAlchemyError

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


def database_problem() -> str | None:
    """Return why the database cannot serve (in Vietnamese), or None when a query answers and the schema exists."""
    engine = current_app.extensions["reportsvc"].engine
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            if not inspect(connection).has_table("units"):
                return "Cơ sở dữ liệu chưa được khởi tạo (chạy 'reportsvc init-db')."
    except (SQLAlchemyError, OSError) as exc:
        log.error("healthz: the database does not answer: %s", exc.__class__.__name__, exc_info=exc)
        return f"Không kết nối được cơ sở dữ liệu ({exc.__class__.__name__})."
    return None


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """Return {"status": "ok", "database": "ok"}, or 503 with {"status": "error", "error": reason} when the database is down."""
    problem = database_problem()
    if problem is not None:
        response = jsonify(status="error", database="error", error=f"Dịch vụ chưa sẵn sàng: {problem}")
        response.status_code = 503
        response.headers["Retry-After"] = "30"
        response.headers["Cache-Control"] = "no-store"
        return response
    response = jsonify(status="ok", database="ok")
    response.headers["Cache-Control"] = "no-store"
    return response
