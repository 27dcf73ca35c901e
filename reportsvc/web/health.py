"""Liveness probe."""
from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """Return {"status": "ok"}."""
    return jsonify(status="ok")
