"""The JSON API under /api/v1, authenticated with ``Authorization: Bearer <token>``.

Session cookies are ignored here (the API is CSRF-exempt, so only the token may authenticate).
Writes follow the web's rules: same permissions, same validation, same optimistic locking
(send the ``version`` you read; 0 when creating). Errors are ``{"error": "<Vietnamese message>"}``.
"""
from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, g, jsonify, request, send_file, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from reportsvc.services import accounts
from reportsvc.report import archive
from reportsvc.services.audit import jsonable
from reportsvc.collect.standard import task_item
from reportsvc.errors import NotFound, UserError
from reportsvc.services.generating import FORMATS
from reportsvc.db.models import GeneratedReport, IndicatorValue, Plan, ReportFile, Task, TaskAgency, Unit
from reportsvc.periods import PeriodError, parse_period
from reportsvc.services.permissions import Actor, Forbidden, area_code_of, can_edit_task
from reportsvc.services.recording import (Conflict, Invalid, current_status, parse_day, parse_version, record_indicator_value,
                                record_status, status_snapshot, value_snapshot)
from reportsvc.services.reporting import generate_report
from reportsvc.status import CLASSES
from reportsvc.db.unitsettings import settings_of
from reportsvc.web.common import db, services
from reportsvc.web.openapi import document

bp = Blueprint("api", __name__, url_prefix="/api/v1")
STATUS_KEYS = {"period", "version", "status", "completed_on", "result", "evidence_number", "evidence_date",
               "evidence_title"}
VALUE_KEYS = {"unit", "period", "code", "value", "note", "version"}
REPORT_KEYS = {"unit", "period", "formats", "number", "date", "skip_broken"}
MIMETYPES = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             "pdf": "application/pdf", "pdfa": "application/pdf"}


class ApiError(UserError):
    """An API refusal with its HTTP status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def error(status: int, message: str, **extra: Any) -> ResponseReturnValue:
    """Return a JSON error response."""
    response = jsonify({"error": message, **extra})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="reportsvc"'
    return response


@bp.before_request
def authenticate() -> ResponseReturnValue | None:
    """Resolve the bearer token to a user; answer 401 without a valid one (the OpenAPI document is public)."""
    if request.endpoint == "api.openapi":
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    user = accounts.user_for_token(db(), token.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        return error(401, "Thiếu hoặc sai mã truy cập API. Gửi tiêu đề 'Authorization: Bearer <mã>'; "
                          "tạo mã ở trang Tài khoản hoặc bằng lệnh 'reportsvc users token TÊN'.")
    g.api_actor = Actor.of(user)
    return None


@bp.errorhandler(UserError)
def user_error(exc: UserError) -> ResponseReturnValue:
    """Turn the service errors into JSON with the matching status."""
    if isinstance(exc, ApiError):
        return error(exc.status, str(exc))
    if isinstance(exc, Forbidden):
        return error(403, str(exc))
    if isinstance(exc, NotFound):
        return error(404, str(exc))
    if isinstance(exc, Invalid):
        return error(422, "Dữ liệu không hợp lệ: " + " ".join(exc.messages), errors=exc.messages)
    if isinstance(exc, Conflict):
        return error(409, str(exc), current=jsonable(exc.current))
    return error(400, str(exc))


def me() -> Actor:
    """Return the token's user."""
    return g.api_actor


def _body(allowed: set[str]) -> dict[str, Any]:
    """Return the JSON object of the request, refusing unknown fields."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, "Nội dung yêu cầu phải là một đối tượng JSON (Content-Type: application/json).")
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise Invalid([f"Trường không hợp lệ: {', '.join(unknown)}. Các trường được nhận: {', '.join(sorted(allowed))}."])
    return data


def _unit(code: Any) -> Unit:
    if not isinstance(code, str) or not code:
        raise Invalid(["Thiếu mã đơn vị (unit)."])
    unit = db().scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        raise NotFound(f"Không tìm thấy đơn vị '{code}'.")
    return unit


def _period(text: Any) -> Any:
    if not isinstance(text, str) or not text:
        raise Invalid(["Thiếu kỳ báo cáo (period), ví dụ 2024-Q3."])
    try:
        return parse_period(text)
    except PeriodError as exc:
        raise Invalid([str(exc)]) from None


def _require_writer() -> None:
    if not me().can_write:
        raise Forbidden("Tài khoản chỉ có quyền xem, không được thay đổi dữ liệu.")


# ---------------------------------------------------------------- read

@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    """Return the OpenAPI 3 description of this API."""
    return jsonify(document())


@bp.get("/units")
def units() -> ResponseReturnValue:
    """List the administrative units."""
    rows = db().scalars(select(Unit).options(selectinload(Unit.parent)).order_by(Unit.code))
    return jsonify([{"code": u.code, "name": u.name, "kind": u.kind, "parent": u.parent.code if u.parent else None}
                    for u in rows])


def _plan_json(plan: Plan, tasks: int | None = None) -> dict[str, Any]:
    return {"id": plan.id, "unit": plan.unit.code, "year": plan.year, "title": plan.title,
            "source_filename": plan.source_filename, "source_sha256": plan.source_sha256,
            "imported_at": jsonable(plan.imported_at), "imported_by": plan.imported_by, "tasks": tasks}


@bp.get("/plans")
def plans() -> ResponseReturnValue:
    """List the plans, optionally of one unit (?unit=CODE)."""
    stmt = select(Plan).where(Plan.year > 0).options(selectinload(Plan.unit), selectinload(Plan.tasks))
    if request.args.get("unit"):
        stmt = stmt.where(Plan.unit_id == _unit(request.args["unit"]).id)
    rows = db().scalars(stmt.order_by(Plan.year.desc(), Plan.id))
    return jsonify([_plan_json(p, len(p.tasks)) for p in rows])


@bp.get("/plans/<int:plan_id>")
def plan(plan_id: int) -> ResponseReturnValue:
    """Return a plan with its areas and targets."""
    row = db().get(Plan, plan_id)
    if row is None or row.year <= 0:
        raise NotFound(f"Không tìm thấy kế hoạch số {plan_id}.")
    registry = services().registry
    data = _plan_json(row, len(row.tasks))
    data["areas"] = [{"numeral": a.numeral, "title": a.title, "area_code": area_code_of(a, registry),
                      "tasks": len(a.tasks)} for a in row.areas]
    data["targets"] = [{"code": t.code, "name": t.name, "target": t.target, "unit": t.unit_of_measure,
                        "text": t.target_text} for t in row.targets]
    return jsonify(data)


def _task_json(task: Task, period: Any) -> dict[str, Any]:
    cutoff = settings_of(task.plan.unit).cutoff
    item = task_item(task, period.window(cutoff)[1], cutoff)
    update = next((u for u in task.updates if u.period_key == period.key), None)
    return {"id": task.id, "plan_id": task.plan_id, "number": task.number, "title": task.title,
            "area": {"numeral": task.area.numeral, "title": task.area.title,
                     "code": area_code_of(task.area, services().registry)},
            "activity": task.activity, "product": task.product,
            "lead": [ta.agency.name for ta in task.agencies if ta.role == "lead"],
            "coord": [ta.agency.name for ta in task.agencies if ta.role == "coord"],
            "deadline": task.deadline_raw, "deadline_end": jsonable(task.deadline_end),
            "period": period.key, "status": item.status, "status_label": item.status_label,
            "update": jsonable(status_snapshot(update)), "can_edit": can_edit_task(db(), me(), task)}


def _task_query() -> Any:
    return select(Task).options(selectinload(Task.agencies).selectinload(TaskAgency.agency),
                                selectinload(Task.updates), selectinload(Task.area),
                                selectinload(Task.plan).selectinload(Plan.unit))


@bp.get("/tasks")
def tasks() -> ResponseReturnValue:
    """List the tasks of a plan (?plan=ID or ?unit=CODE&year=YYYY), filtered by area, agency, status, period."""
    session = db()
    args = request.args
    if args.get("plan", "").isdigit():
        plan_row = session.get(Plan, int(args["plan"]))
    elif args.get("unit") and args.get("year", "").isdigit():
        plan_row = session.scalar(select(Plan).where(Plan.unit_id == _unit(args["unit"]).id,
                                                     Plan.year == int(args["year"])))
    else:
        raise Invalid(["Cần tham số plan=ID, hoặc unit=MÃ và year=NĂM."])
    if plan_row is None:
        raise NotFound("Không tìm thấy kế hoạch.")
    period = _period(args["period"]) if args.get("period") else parse_period(f"{plan_row.year}-Q4")
    status = args.get("status", "")
    if status and status not in CLASSES:
        raise Invalid([f"Trạng thái lọc không hợp lệ: '{status}'. Chọn một trong: {', '.join(CLASSES)}."])
    rows = []
    for task in session.scalars(_task_query().where(Task.plan_id == plan_row.id).order_by(Task.position)):
        if args.get("area") and args["area"] not in (task.area.numeral, task.area.area_code):
            continue
        if args.get("agency") and not any(ta.role == "lead" and args["agency"].casefold() in ta.agency.name.casefold()
                                          for ta in task.agencies):
            continue
        data = _task_json(task, period)
        if status and data["status"] != status:
            continue
        rows.append(data)
    return jsonify(rows)


def _load_task(task_id: int) -> Task:
    task = db().scalar(_task_query().where(Task.id == task_id))
    if task is None:
        raise NotFound(f"Không tìm thấy nhiệm vụ số {task_id}.")
    return task


@bp.get("/tasks/<int:task_id>")
def task(task_id: int) -> ResponseReturnValue:
    """Return a task (status as of ?period=, default the plan year's quý IV) with every status update."""
    row = _load_task(task_id)
    period = _period(request.args["period"]) if request.args.get("period") else parse_period(f"{row.plan.year}-Q4")
    data = _task_json(row, period)
    data["updates"] = [jsonable(status_snapshot(u)) for u in sorted(row.updates, key=lambda u: u.period_key)]
    return jsonify(data)


# ---------------------------------------------------------------- write

@bp.post("/tasks/<int:task_id>/status")
def post_status(task_id: int) -> ResponseReturnValue:
    """Record a task's status for a period with its evidence; 409 when ``version`` is stale."""
    _require_writer()
    session = db()
    row = _load_task(task_id)
    data = _body(STATUS_KEYS)
    period = _period(data.get("period"))
    version = parse_version(data.get("version"))
    existed = current_status(session, row.id, period.key) is not None
    update = record_status(session, services().registry, me(), row, data, period.key, version)
    session.commit()
    return jsonify({"update": jsonable(status_snapshot(update))}), 200 if existed else 201


@bp.get("/indicator-values")
def indicator_values() -> ResponseReturnValue:
    """List a unit's stored indicator values for a period (?unit=CODE&period=2024-Q3) with their versions."""
    unit = _unit(request.args.get("unit"))
    period = _period(request.args.get("period"))
    registry = services().registry
    rows = db().scalars(select(IndicatorValue).where(IndicatorValue.unit_id == unit.id,
                                                     IndicatorValue.period_key == period.key)
                        .order_by(IndicatorValue.code))
    result = []
    for row in rows:
        spec = registry.indicators.get(row.code)
        result.append({**jsonable(value_snapshot(row)), "unit": unit.code, "name": spec.name if spec else None,
                       "unit_of_measure": spec.unit if spec else None})
    return jsonify(result)


@bp.post("/indicator-values")
def post_indicator_value() -> ResponseReturnValue:
    """Store (value null: delete) an indicator value for a unit and period; 409 when ``version`` is stale."""
    _require_writer()
    session = db()
    data = _body(VALUE_KEYS)
    unit = _unit(data.get("unit"))
    period = _period(data.get("period"))
    version = parse_version(data.get("version"))
    code = data.get("code")
    if not isinstance(code, str) or not code:
        raise Invalid(["Thiếu mã chỉ tiêu (code)."])
    value = data.get("value")
    if isinstance(value, str):
        raise Invalid([f"Giá trị chỉ tiêu phải là một số JSON, không phải chuỗi: '{value}'."])
    row = record_indicator_value(session, services().registry, me(), unit, code, period.key,
                                 value, data.get("note", ""), version)
    session.commit()
    return jsonify({"value": jsonable({**value_snapshot(row), "unit": unit.code}) if row else None})


def _report_json(row: GeneratedReport) -> dict[str, Any]:
    return {"id": row.id, "unit": row.unit.code if row.unit else None, "period": row.period_key,
            "version": row.version, "title": row.title, "created_at": jsonable(row.created_at),
            "created_by": row.created_by,
            "files": [{"format": f.format, "filename": f.filename, "sha256": f.sha256, "size": f.size,
                       "url": url_for("api.report_file", report_id=row.id, fmt=f.format)} for f in row.files]}


@bp.get("/reports")
def reports() -> ResponseReturnValue:
    """List the generated report versions, newest first (?unit=CODE)."""
    return jsonify(archive.listing(db(), request.args.get("unit") or None))


@bp.post("/reports")
def post_report() -> ResponseReturnValue:
    """Generate a report (admin); returns its id and the download URLs of its files."""
    _require_writer()
    data = _body(REPORT_KEYS)
    unit = _unit(data.get("unit"))
    period = _period(data.get("period"))
    formats = data.get("formats", ["docx", "pdf"])
    if not isinstance(formats, list) or not formats or any(f not in FORMATS for f in formats):
        raise Invalid([f"Định dạng không hợp lệ: {formats!r}. Chọn trong: {', '.join(FORMATS)}."])
    number = data.get("number")
    if number is not None and (isinstance(number, bool) or not isinstance(number, int) or number <= 0):
        raise Invalid(["Số văn bản (number) phải là số nguyên dương."])
    try:
        report_date = parse_day(data.get("date"))
    except ValueError:
        raise Invalid([f"Ngày báo cáo không hợp lệ: '{data.get('date')}' (dạng YYYY-MM-DD)."]) from None
    row = generate_report(services(), me(), unit.code, period, list(dict.fromkeys(formats)), number=number,
                          report_date=report_date, skip_broken=bool(data.get("skip_broken")))
    return jsonify(_report_json(archive.get(db(), row.id))), 201


@bp.get("/reports/<int:report_id>")
def report(report_id: int) -> ResponseReturnValue:
    """Return one generated version with its files and hashes."""
    return jsonify(_report_json(archive.get(db(), report_id)))


@bp.get("/reports/<int:report_id>/files/<fmt>")
def report_file(report_id: int, fmt: str) -> ResponseReturnValue:
    """Download one file (docx, pdf or pdfa) of a generated version."""
    file = db().scalar(select(ReportFile).where(ReportFile.report_id == report_id, ReportFile.format == fmt))
    if file is None:
        raise NotFound(f"Báo cáo số {report_id} không có tệp định dạng '{fmt}'.")
    return send_file(io.BytesIO(file.content), mimetype=MIMETYPES.get(fmt, "application/octet-stream"),
                     as_attachment=True, download_name=file.filename)
