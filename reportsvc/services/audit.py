"""The audit trail: who changed what and when, with the old and new values (AuditEntry rows)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reportsvc.db.models import AuditEntry
from reportsvc.db.tenancy import scope_of

# Vietnamese names of the actions, for the audit page.
ACTIONS = {
    "status.create": "Cập nhật tiến độ (mới)",
    "status.update": "Sửa tiến độ",
    "indicator.create": "Nhập số liệu chỉ tiêu",
    "indicator.update": "Sửa số liệu chỉ tiêu",
    "indicator.delete": "Xóa số liệu chỉ tiêu",
    "indicator.sheet": "Nhập số liệu chỉ tiêu từ bảng tính",
    "status.merge": "Gộp tiến độ của quý và kỳ trùng ngày chốt số liệu",
    "indicator.merge": "Gộp số liệu chỉ tiêu của quý và kỳ trùng ngày chốt số liệu",
    "evidence.add": "Đính kèm tệp văn bản minh chứng",
    "plan.import": "Nhập kế hoạch",
    "plan.replace": "Thay thế kế hoạch",
    "report.generate": "Tạo báo cáo",
    "report.integrity": "Từ chối tải tệp báo cáo bị thay đổi (sai SHA-256)",
    "draft.update": "Sửa nội dung báo cáo",
    "plugin.enable": "Bật plugin",
    "plugin.disable": "Tắt plugin",
    "user.create": "Tạo tài khoản",
    "user.token": "Cấp mã truy cập API",
    "unit.import": "Nhập danh mục đơn vị hành chính",
    "unit.create": "Thêm đơn vị",
    "unit.rename": "Đổi tên đơn vị",
    "unit.move": "Chuyển đơn vị cấp trên",
    "unit.merge": "Sáp nhập đơn vị",
    "unit.settings": "Sửa thiết lập báo cáo của đơn vị",
    "agency.create": "Thêm cơ quan",
    "agency.rename": "Đổi tên cơ quan",
    "agency.alias": "Thêm tên gọi khác của cơ quan",
    "agency.merge": "Hợp nhất cơ quan",
    "agency.settings": "Sửa thiết lập báo cáo riêng của cơ quan",
    "user.disable": "Khóa tài khoản",
    "user.enable": "Mở khóa tài khoản",
    "user.password": "Đặt lại mật khẩu",
    "user.unit": "Đổi đơn vị, cơ quan của tài khoản",
    "user.role": "Đổi vai trò tài khoản",
    "user.password.own": "Tự đổi mật khẩu",
    "user.token.revoke": "Thu hồi mã truy cập API",
    "user.email": "Đổi địa chỉ thư điện tử của tài khoản",
    "auth.failed": "Đăng nhập không thành công",
    "submission.submit": "Nộp số liệu kỳ báo cáo",
    "submission.approve": "Duyệt số liệu đã nộp",
    "submission.return": "Trả lại số liệu đã nộp",
    "submission.reopen": "Mở lại kỳ số liệu đã duyệt",
}


def jsonable(value: Any) -> Any:
    """Return ``value`` with dates and datetimes as ISO strings, so it can be stored as JSON."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def record(session: Session, actor: str, action: str, entity: str, entity_id: Any,
           old: dict[str, Any] | None, new: dict[str, Any] | None, unit_id: int | None = None) -> AuditEntry:
    """Add an audit entry to ``session`` (the caller's transaction commits it with the change).

    ``unit_id`` is the unit whose data changed (it decides who may read the entry); without it
    the entry is filed under the acting user's unit, or under none for the system.
    """
    if unit_id is None:
        scope = scope_of(session)
        unit_id = scope.unit_id if scope is not None else None
    entry = AuditEntry(actor=actor or "system", action=action, entity=entity, entity_id=str(entity_id),
                       old=jsonable(old), new=jsonable(new), unit_id=unit_id)
    session.add(entry)
    return entry


@dataclass
class AuditPage:
    """One page of audit entries, newest first, with the total matching the filters."""

    entries: list[AuditEntry]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """Return the number of pages."""
        return max(1, -(-self.total // self.per_page))


def entries(session: Session, *, actor: str = "", entity: str = "", action: str = "", page: int = 1,
            per_page: int = 50) -> AuditPage:
    """Return a page of audit entries filtered by actor, entity and action prefix."""
    stmt = select(AuditEntry)
    if actor:
        stmt = stmt.where(AuditEntry.actor == actor)
    if entity:
        stmt = stmt.where(AuditEntry.entity == entity)
    if action:
        stmt = stmt.where(AuditEntry.action.startswith(action))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    page = max(1, page)
    rows = list(session.scalars(stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                                .limit(per_page).offset((page - 1) * per_page)))
    return AuditPage(rows, total, page, per_page)


def changed_fields(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[tuple[str, Any, Any]]:
    """Return (field, old value, new value) for every field whose value differs."""
    old, new = old or {}, new or {}
    keys = list(dict.fromkeys([*old.keys(), *new.keys()]))
    return [(key, old.get(key), new.get(key)) for key in keys if old.get(key) != new.get(key)]
