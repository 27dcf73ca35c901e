"""The audit trail page (admin only): who changed what and when, with old and new values."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from reportsvc import audit
from reportsvc.models import AuditEntry
from reportsvc.web.common import admin_required, arg, db

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")
ENTITIES = {"task": "Nhiệm vụ", "indicator_value": "Số liệu chỉ tiêu", "plan": "Kế hoạch", "report": "Báo cáo",
            "report_draft": "Nội dung báo cáo", "plugin": "Plugin", "user": "Tài khoản"}


@bp.get("")
@admin_required
def index() -> ResponseReturnValue:
    """List audit entries, newest first, filtered by actor, entity and action."""
    session = db()
    page_text = arg("page", "1")
    page = audit.entries(session, actor=arg("actor"), entity=arg("entity"), action=arg("action"),
                         page=int(page_text) if page_text.isdigit() else 1)
    actors = list(session.scalars(select(AuditEntry.actor).distinct().order_by(AuditEntry.actor)))
    return render_template("audit.html", page=page, actors=actors, entities=ENTITIES, actions=audit.ACTIONS,
                           filters={"actor": arg("actor"), "entity": arg("entity"), "action": arg("action")},
                           changed_fields=audit.changed_fields)
