"""A plan's identity as a văn bản (number, symbol, date, place, issuing body), filled in or corrected after import.

The import reads what the document writes and leaves the rest blank ("Số: /KH-UBND", "ngày tháng 12 năm
2023"); the web form, ``reportsvc plan set`` and ``PATCH /api/v1/plans/<id>`` fill the blanks through
``set_identity``, which checks the values, changes only the fields given and writes a ``plan.identity``
audit entry under the plan's unit.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from reportsvc.db.models import Plan
from reportsvc.errors import Invalid, NotFound
from reportsvc.services import audit
from reportsvc.vn.text import collapse

#: Field name -> (Plan column, longest length, Vietnamese label). "date" is handled apart.
TEXT_FIELDS: dict[str, tuple[str, int, str]] = {
    "number": ("doc_number", 32, "Số văn bản"),
    "symbol": ("doc_symbol", 64, "Ký hiệu văn bản"),
    "place": ("doc_place", 128, "Địa danh"),
    "issuing_body": ("issuing_body", 255, "Cơ quan ban hành"),
}
FIELDS = (*TEXT_FIELDS, "date")


def identity_of(plan: Plan) -> dict[str, Any]:
    """Return the plan's identity as the API gives it (date as YYYY-MM-DD or None)."""
    return {"number": plan.doc_number or "", "symbol": plan.doc_symbol or "",
            "reference": reference(plan), "date": plan.doc_date.isoformat() if plan.doc_date else None,
            "date_text": plan.doc_date_text or "", "place": plan.doc_place or "",
            "issuing_body": plan.issuing_body or ""}


def reference(plan: Plan) -> str:
    """Return "4791/QĐ-UBND" ("/KH-UBND" with the number blank; the number alone without a symbol)."""
    return f"{plan.doc_number or ''}/{plan.doc_symbol}" if plan.doc_symbol else (plan.doc_number or "")


def date_text(day: date) -> str:
    """Return the date as a văn bản writes it: "ngày 29 tháng 12 năm 2023"."""
    return f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


def _clean(changes: dict[str, Any]) -> dict[str, Any]:
    """Return the given fields checked and tidied; Invalid lists every reason in Vietnamese."""
    errors: list[str] = []
    clean: dict[str, Any] = {}
    unknown = sorted(set(changes) - set(FIELDS))
    if unknown:
        errors.append(f"Trường không hợp lệ: {', '.join(unknown)}.")
    for name, (_, longest, label) in TEXT_FIELDS.items():
        if name not in changes:
            continue
        value = changes[name]
        if value is None:
            value = ""
        if not isinstance(value, str):
            errors.append(f"{label} phải là văn bản.")
            continue
        value = collapse(value).strip()
        if len(value) > longest:
            errors.append(f"{label} dài quá {longest} ký tự.")
        elif any(ord(ch) < 32 for ch in value):
            errors.append(f"{label} có ký tự điều khiển không hợp lệ.")
        elif name == "number" and "/" in value:
            errors.append(f"Số văn bản chỉ ghi phần số ('4791'); ký hiệu ('QĐ-UBND') ghi riêng: '{value}'.")
        else:
            clean[name] = value
    if "date" in changes:
        value = changes["date"]
        if value is not None and not isinstance(value, date):
            errors.append("Ngày ban hành không hợp lệ (ghi theo dạng ngày/tháng/năm).")
        elif value is not None and not 1945 <= value.year <= 2100:
            errors.append(f"Ngày ban hành không hợp lệ: năm {value.year}.")
        else:
            clean["date"] = value
    if not changes:
        errors.append("Cần ít nhất một trong các trường: số, ký hiệu, ngày, địa danh, cơ quan ban hành.")
    if errors:
        raise Invalid(errors)
    return clean


def set_identity(session: Session, plan_id: int, changes: dict[str, Any], actor: str) -> Plan:
    """Change the given identity fields of a plan (in the caller's transaction) and audit the change.

    ``changes`` holds any of number, symbol, date (a date or None), place, issuing_body; "" or None
    clears a field. Setting the date also writes its text ("ngày 29 tháng 12 năm 2023"); clearing it keeps
    the text as the document wrote it. A plan outside the user's scope is not found.
    """
    clean = _clean(changes)
    plan = session.get(Plan, plan_id)
    if plan is None or plan.year <= 0:
        raise NotFound(f"Không tìm thấy kế hoạch số {plan_id}.")
    old = identity_of(plan)
    for name, value in clean.items():
        if name == "date":
            plan.doc_date = value
            if value is not None:
                plan.doc_date_text = date_text(value)
        else:
            setattr(plan, TEXT_FIELDS[name][0], value)
    new = identity_of(plan)
    if new != old:
        changed = [key for key in new if new[key] != old[key]]
        audit.record(session, actor, "plan.identity", "plan", plan.id, {k: old[k] for k in changed},
                     {k: new[k] for k in changed}, unit_id=plan.unit_id)
    session.flush()
    return plan
