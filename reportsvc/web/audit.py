"""The audit trail page (admin only): who changed what and when, with old and new values."""
from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, render_template, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from reportsvc.services import audit
from reportsvc.vn import format as fmt
from reportsvc.db.models import AuditEntry
from reportsvc.services.recording import whole_number
from reportsvc.status import RECORDED
from reportsvc.web.common import admin_required, arg, db, vn_time

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")
ENTITIES = {"task": "Nhiệm vụ", "indicator_value": "Số liệu chỉ tiêu", "plan": "Kế hoạch", "report": "Báo cáo",
            "report_draft": "Nội dung báo cáo", "plugin": "Plugin", "user": "Tài khoản"}
FIELDS = {
    "unit": "Đơn vị", "period": "Kỳ", "version": "Phiên bản", "files": "Tệp (SHA-256)", "text": "Nội dung",
    "code": "Mã chỉ tiêu", "value": "Giá trị", "note": "Ghi chú", "updated_by": "Người cập nhật",
    "status": "Trạng thái", "completed_on": "Ngày hoàn thành", "result": "Kết quả",
    "evidence_number": "Số/ký hiệu", "evidence_date": "Ngày ban hành", "evidence_title": "Trích yếu",
    "year": "Năm", "file": "Tệp", "sha256": "SHA-256", "areas": "Số lĩnh vực", "tasks": "Số nhiệm vụ",
    "targets": "Số chỉ tiêu", "enabled": "Bật", "username": "Tên đăng nhập", "role": "Vai trò", "agency": "Cơ quan",
}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T")


def shown(field: str, value: Any) -> str:
    """Return a stored audit value as a Vietnamese reader expects it ("" for nothing)."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, (int, float)):
        return fmt.number(value, 4) if field in ("value", "target") else str(value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {shown(k, v)}" for k, v in value.items())
    if isinstance(value, list):
        return "; ".join(shown(field, v) for v in value)
    text = str(value)
    if field == "status":
        return RECORDED.get(text, text)
    if _ISO_DATE.match(text):
        return f"{text[8:10]}/{text[5:7]}/{text[:4]}"
    if _ISO_TIME.match(text):
        return vn_time(text)
    return text


def changes(entry: AuditEntry) -> list[tuple[str, str, str]]:
    """Return (field label, old, new) for the fields an entry changed (only new ones for a creation)."""
    rows = []
    for field, old, new in audit.changed_fields(entry.old, entry.new):
        if entry.old is None and new in (None, ""):
            continue
        rows.append((FIELDS.get(field, field), shown(field, old), shown(field, new)))
    return rows


def link(entry: AuditEntry) -> str | None:
    """Return the page of the changed object, when it has one."""
    if not entry.entity_id.isdigit():
        return None
    endpoints = {"task": ("tasks.detail", "task_id"), "plan": ("plans.detail", "plan_id"),
                 "report": ("reports.detail", "report_id")}
    if entry.entity not in endpoints:
        return None
    endpoint, name = endpoints[entry.entity]
    return url_for(endpoint, **{name: int(entry.entity_id)})


@bp.get("")
@admin_required
def index() -> ResponseReturnValue:
    """List audit entries, newest first, filtered by actor, entity and action."""
    session = db()
    page_text = arg("page", "1")
    page = audit.entries(session, actor=arg("actor"), entity=arg("entity"), action=arg("action"),
                         page=whole_number(page_text) or 1)
    actors = list(session.scalars(select(AuditEntry.actor).distinct().order_by(AuditEntry.actor)))
    return render_template("audit.html", page=page, actors=actors, entities=ENTITIES, actions=audit.ACTIONS,
                           filters={"actor": arg("actor"), "entity": arg("entity"), "action": arg("action")},
                           changes=changes, link=link)
