"""Recording task status and indicator values: permission, validation, optimistic locking, audit.

Every writer (web form, JSON API) sends the version it loaded (0: there was no record yet).
When the stored version differs, nothing is written and Conflict carries the other person's
value, so no update is ever lost silently. The caller commits (or rolls back) the session.
Refusals are reportsvc.errors.Forbidden (403), Invalid (422) and Conflict (409); typed-in dates
and numbers are read by reportsvc.vn.dates and reportsvc.vn.numbers.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Mapping

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from reportsvc.services import audit, submissions
from reportsvc.vn import format as fmt
from reportsvc.errors import Conflict, Forbidden, Invalid, UserError
from reportsvc.db.models import IndicatorValue, StatusUpdate, Task, TaskAgency, Unit, utcnow
from reportsvc.db.unitsettings import settings_of
from reportsvc.periods import parse_period
from reportsvc.services.permissions import Actor, area_code_of, check_task, editable_indicators, require_writer
from reportsvc.hooks.registry import PluginRegistry
from reportsvc.status import RECORDED
from reportsvc.vn import numbers
from reportsvc.vn.dates import local_time, parse_day
from reportsvc.vn.text import nfc
from reportsvc.hooks.validation import validate_indicator_value, validate_status

TEXT_LIMITS = {"result": 5000, "evidence_number": 128, "evidence_title": 2000, "note": 2000}
MAX_INTEGER = 2**31 - 1
"""The largest value of an INTEGER column (ids, years, versions) on PostgreSQL; SQLite allows more."""


# ---------------------------------------------------------------- parsing of submitted values

def whole_number(text: Any, limit: int = MAX_INTEGER) -> int | None:
    """Return the whole number ``text`` writes in ASCII digits if it is at most ``limit``, else None.

    str.isdigit alone also accepts "²" and "١٢", and int() refuses texts of thousands of digits.
    """
    if not isinstance(text, str):
        return None
    text = text.strip()
    if not text or not text.isascii() or not text.isdigit() or len(text) > len(str(limit)):
        return None
    number = int(text)
    return number if number <= limit else None


def parse_version(value: Any) -> int:
    """Return the version a form or API call was loaded with; raise Invalid when it is not one."""
    if isinstance(value, bool):
        raise Invalid(["Phiên bản (version) không hợp lệ."])
    if isinstance(value, int) and value >= 0:
        return value
    number = whole_number(value)
    if number is not None:
        return number
    if value is None or value == "":
        raise Invalid(["Thiếu phiên bản dữ liệu đã đọc (version; 0 khi tạo mới)."])
    raise Invalid(["Phiên bản (version) không hợp lệ."])


def indicator_number(registry: PluginRegistry, code: str, value: Any) -> Any:
    """Return a typed-in value ("1.234,5", "94,5%") as a float; raise Invalid when the text is not a number.

    JSON numbers are returned as they are for the validation to judge its type and bounds, once they are
    known to be of a size an indicator can hold (1e24 is refused here, before anything formats it).
    """
    try:
        if not isinstance(value, str):
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                numbers.check_magnitude(value)
            return value
        return numbers.parse_number(value)
    except numbers.NumberError as exc:
        raise Invalid([f"Chỉ tiêu '{registry.indicators[code].name}': {exc}."]) from None


def status_values(raw: Mapping[str, Any], period_key: str) -> dict[str, Any]:
    """Turn submitted fields into the values ``validate_status`` checks; raise Invalid on bad dates/lengths."""
    errors: list[str] = []
    values: dict[str, Any] = {"period_key": period_key, "status": (raw.get("status") or "").strip()}
    for name, label in (("completed_on", "Ngày hoàn thành"), ("evidence_date", "Ngày ban hành văn bản")):
        try:
            values[name] = parse_day(raw.get(name))
        except ValueError:
            errors.append(f"{label} không hợp lệ: '{raw.get(name)}' (ghi theo dạng ngày/tháng/năm).")
    for name in ("result", "evidence_number", "evidence_title"):
        text = raw.get(name)
        if text is not None and not isinstance(text, str):
            errors.append(f"Trường '{name}' phải là văn bản.")
            text = ""
        values[name] = nfc(text)
        if len(values[name]) > TEXT_LIMITS[name]:
            errors.append(f"Trường '{name}' dài quá {TEXT_LIMITS[name]} ký tự.")
    if errors:
        raise Invalid(errors)
    return values


# ---------------------------------------------------------------- status updates

def status_snapshot(update: StatusUpdate | None) -> dict[str, Any] | None:
    """Return a status update as a plain dict (audit, conflicts, API)."""
    if update is None:
        return None
    return {"period": update.period_key, "serves": served_keys(update.period_key), "status": update.status, "status_label": RECORDED.get(update.status, update.status),
            "completed_on": update.completed_on, "result": update.result,
            "evidence_number": update.evidence_number, "evidence_date": update.evidence_date,
            "evidence_title": update.evidence_title, "updated_by": update.updated_by,
            "updated_at": update.updated_at, "version": update.version}


def describe_status(current: dict[str, Any] | None) -> str:
    """Return the other person's saved status in one Vietnamese sentence."""
    if current is None:
        return "Bản cập nhật này không còn tồn tại (có thể kế hoạch vừa được thay thế)."
    parts = [f"trạng thái “{current['status_label']}”"]
    if current.get("completed_on"):
        parts.append(f"hoàn thành ngày {fmt.short_date(current['completed_on'])}")
    if current.get("evidence_number"):
        evidence = f"văn bản {current['evidence_number']}"
        if current.get("evidence_date"):
            evidence += f" ngày {fmt.short_date(current['evidence_date'])}"
        parts.append(evidence)
    if current.get("result"):
        parts.append(f"kết quả: “{current['result'].rstrip('.')}”")
    return "Giá trị đang lưu: " + "; ".join(parts) + "."


def _when(current: dict[str, Any] | None) -> str:
    if not current:
        return ""
    moment = current.get("updated_at")
    who = current.get("updated_by") or "người khác"
    return f"{who} (lúc {local_time(moment)})" if isinstance(moment, datetime) else who


def stored_key(period_key: Any) -> Any:
    """Return the key the period's record is stored under ("2024-Y" → "2024-Q4"); anything else unchanged.

    An invalid key is returned as it is, for the validation to name it.
    """
    try:
        return parse_period(period_key).record_key if isinstance(period_key, str) else period_key
    except UserError:
        return period_key


def served_keys(period_key: str) -> list[str]:
    """Return the keys of every period a record stored under ``period_key`` serves ("2024-Q4" → Q4 and Y)."""
    return [p.key for p in parse_period(period_key).serves()]


def current_status(session: Session, task_id: int, period_key: str) -> StatusUpdate | None:
    """Return the stored status update of a task for a period (either key of its window), or None."""
    return session.scalar(select(StatusUpdate).where(StatusUpdate.task_id == task_id,
                                                     StatusUpdate.period_key == stored_key(period_key)))


def _status_conflict(session: Session, task: Task, period_key: str) -> Conflict:
    current = status_snapshot(current_status(session, task.id, period_key))
    label = parse_period(period_key).short_label
    return Conflict(f"Tiến độ nhiệm vụ {task.full_number} kỳ {label} vừa được {_when(current)} cập nhật trong khi bạn "
                    f"đang sửa. Thay đổi của bạn CHƯA được lưu. {describe_status(current)} Hãy xem lại; nếu vẫn "
                    f"muốn thay bằng nội dung của bạn, bấm Lưu lần nữa.", current)


def check_open(unit: Unit, period_key: Any) -> None:
    """Refuse data for a period that starts after the unit ceased (merged into another): it takes no new data."""
    if unit.valid_to is None or not isinstance(period_key, str):
        return
    try:
        start = parse_period(period_key).window(settings_of(unit).cutoff)[0]
    except UserError:
        return  # an invalid key is reported by validation
    if start > unit.valid_to:
        successor = f" vào {unit.successor.name} ({unit.successor.code})" if unit.successor is not None else ""
        raise Invalid([f"{unit.name} đã được sáp nhập{successor} từ {unit.valid_to + timedelta(days=1):%d/%m/%Y}: "
                       f"không nhận số liệu của kỳ {period_key}; hãy nhập cho đơn vị mới."])


def record_status(session: Session, registry: PluginRegistry, actor: Actor, task: Task, raw: Mapping[str, Any],
                  period_key: str, expected_version: int) -> StatusUpdate:
    """Store a task's status for a period if allowed, valid and not stale; raise Forbidden/Invalid/Conflict."""
    check_task(session, actor, task)
    check_open(task.plan.unit, period_key)
    values = status_values(raw, period_key)
    errors = validate_status(registry, area_code_of(task.area, registry), task, values)
    if errors:
        raise Invalid(errors)
    existing = current_status(session, task.id, period_key)
    agency_id = actor.agency_id if actor.role == "editor" else (
        existing.agency_id if existing is not None and existing.agency_id else _first_lead(session, task))
    submissions.check_unlocked(session, task.plan.unit, agency_id, period_key)
    if (existing.version if existing else 0) != expected_version:
        raise _status_conflict(session, task, period_key)
    old = status_snapshot(existing)
    update = existing or StatusUpdate(task_id=task.id, period_key=stored_key(period_key))
    for name in ("status", "completed_on", "result", "evidence_number", "evidence_date", "evidence_title"):
        setattr(update, name, values[name])
    update.agency_id = agency_id
    update.updated_by, update.updated_at = actor.username, utcnow()
    session.add(update)
    try:
        session.flush()
    except (StaleDataError, IntegrityError):
        session.rollback()
        raise _status_conflict(session, task, period_key) from None
    new = status_snapshot(update)
    audit.record(session, actor.username, "status.update" if old else "status.create", "task", task.id,
                 _audit_view(old), _audit_view(new), unit_id=task.plan.unit_id)
    return update


def _first_lead(session: Session, task: Task) -> int | None:
    return session.scalar(select(TaskAgency.agency_id).where(TaskAgency.task_id == task.id, TaskAgency.role == "lead")
                          .order_by(TaskAgency.id).limit(1))


def _audit_view(snapshot: dict[str, Any] | None) -> dict[str, Any] | None:
    if snapshot is None:
        return None
    return {k: v for k, v in snapshot.items() if k not in ("updated_at", "status_label", "serves")}


# ---------------------------------------------------------------- indicator values

def value_snapshot(row: IndicatorValue | None) -> dict[str, Any] | None:
    """Return an indicator value as a plain dict (audit, conflicts, API)."""
    if row is None:
        return None
    return {"code": row.code, "period": row.period_key, "serves": served_keys(row.period_key), "value": row.value, "note": row.note,
            "updated_by": row.updated_by, "updated_at": row.updated_at, "version": row.version}


def current_value(session: Session, code: str, unit: Unit, period_key: str) -> IndicatorValue | None:
    """Return the stored value of an indicator for a unit and period (either key of its window), or None."""
    return session.scalar(select(IndicatorValue).where(IndicatorValue.code == code, IndicatorValue.unit_id == unit.id,
                                                       IndicatorValue.period_key == stored_key(period_key)))


def _value_conflict(session: Session, registry: PluginRegistry, code: str, unit: Unit, period_key: str) -> Conflict:
    current = value_snapshot(current_value(session, code, unit, period_key))
    spec = registry.indicators.get(code)
    name = spec.name if spec else code
    if current is None:
        shown = "Giá trị này vừa bị xóa."
    else:
        shown = f"Giá trị đang lưu: {fmt.measure(current['value'], spec.unit if spec else '')}"
        shown += f" (ghi chú: “{current['note']}”)." if current.get("note") else "."
    return Conflict(f"Chỉ tiêu “{name}” vừa được {_when(current)} cập nhật trong khi bạn đang sửa. Thay đổi của bạn "
                    f"CHƯA được lưu. {shown} Hãy xem lại; nếu vẫn muốn thay bằng số liệu của bạn, bấm Lưu lần nữa.",
                    current)


def record_indicator_value(session: Session, registry: PluginRegistry, actor: Actor, unit: Unit, code: str,
                           period_key: str, value: Any, note: Any, expected_version: int) -> IndicatorValue | None:
    """Store (or, with an empty value, delete) an indicator value; raise Forbidden/Invalid/Conflict.

    Returns the stored row, or None when the value was deleted.
    """
    require_writer(actor)
    check_open(unit, period_key)
    try:
        year = parse_period(period_key).year if isinstance(period_key, str) else 0
    except UserError as exc:
        raise Invalid([str(exc)]) from None
    if code not in registry.indicators:
        raise Invalid([f"Không có chỉ tiêu mã '{code}' (chưa được plugin nào khai báo hoặc plugin đã tắt)."])
    if code not in editable_indicators(session, registry, actor, unit, year):
        raise Forbidden(f"Cơ quan của bạn không chủ trì nhiệm vụ nào thuộc lĩnh vực của chỉ tiêu "
                        f"“{registry.indicators[code].name}” tại {unit.name} nên không được nhập số liệu này.")
    if note is not None and not isinstance(note, str):
        raise Invalid(["Ghi chú phải là văn bản."])
    note = nfc(note)
    if len(note) > TEXT_LIMITS["note"]:
        raise Invalid([f"Ghi chú dài quá {TEXT_LIMITS['note']} ký tự."])
    delete = value is None or (isinstance(value, str) and not value.strip())
    number = None if delete else indicator_number(registry, code, value)
    if not delete:
        errors = validate_indicator_value(registry, code, number, unit.code, period_key)
        if errors:
            raise Invalid(errors)
    existing = current_value(session, code, unit, period_key)
    agency_id = actor.agency_id if actor.role == "editor" or existing is None else existing.agency_id
    submissions.check_unlocked(session, unit, agency_id, period_key)
    if (existing.version if existing else 0) != expected_version:
        raise _value_conflict(session, registry, code, unit, period_key)
    old = value_snapshot(existing)
    if delete:
        if existing is None:
            return None
        session.delete(existing)
        row = None
    else:
        row = existing or IndicatorValue(code=code, unit_id=unit.id, period_key=stored_key(period_key))
        row.value, row.note = float(number), note
        row.agency_id = agency_id
        row.updated_by, row.updated_at = actor.username, utcnow()
        session.add(row)
    try:
        session.flush()
    except (StaleDataError, IntegrityError):
        session.rollback()
        raise _value_conflict(session, registry, code, unit, period_key) from None
    action = "indicator.delete" if delete else ("indicator.update" if old else "indicator.create")
    audit.record(session, actor.username, action, "indicator_value", f"{unit.code}:{code}:{stored_key(period_key)}",
                 _audit_view(old), _audit_view({**value_snapshot(row), "unit": unit.code}) if row else None,
                 unit_id=unit.id)
    return row
