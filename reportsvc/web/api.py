"""The JSON API under /api/v1, authenticated with ``Authorization: Bearer <token>``, built with flask-smorest.

Session cookies are ignored here (the API is CSRF-exempt, so only the token may authenticate).
Requests are read through the marshmallow schemas of reportsvc.web.schemas, which also make the
OpenAPI document served at /api/v1/openapi.json. Writes follow the web's rules: same permissions,
same validation, same optimistic locking (send the ``version`` you read; 0 when creating).
Errors are ``{"error": "<Vietnamese message>"}`` (422 adds ``errors``, 409 adds ``current``).
"""
from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g, jsonify, request, url_for
from flask.typing import ResponseReturnValue
from flask_smorest import Api, Blueprint
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import BadRequest, HTTPException, UnprocessableEntity

from reportsvc.db.lookup import find_unit
from reportsvc.db.models import GeneratedReport, IndicatorValue, Plan, Unit, User
from reportsvc.errors import Forbidden, Invalid, NotFound, UserError
from reportsvc.periods import Period
from reportsvc.report import archive
from reportsvc.services import accounts, downloads, evidence, plan_identity
from reportsvc.services import agencies as agency_service
from reportsvc.services import units as unit_service
from reportsvc.services import tasks as task_service
from reportsvc.services.audit import jsonable
from reportsvc.services.permissions import Actor, area_code_of, require_admin
from reportsvc.services.recording import current_status, record_indicator_value, record_status, status_snapshot, \
    value_snapshot
from reportsvc.services.generating import generate_report
from reportsvc.services.tasks import TaskFilter, TaskRow
from reportsvc.vn.units import kind_label
from reportsvc.web import schemas
from reportsvc.web.api_submissions import add_routes as add_submission_routes
from reportsvc.web.common import SAFE_METHODS, db, send_download, services, scope_request
from reportsvc.web.errors import refuse_unusable_input

bp = Blueprint("api", __name__, url_prefix="/api/v1", description="API báo cáo cải cách hành chính")
TITLE = "reportsvc API"
DESCRIPTION = ("API báo cáo cải cách hành chính định kỳ. Xác thực: 'Authorization: Bearer <mã>' (tạo mã ở trang "
               "Tài khoản hoặc bằng lệnh 'reportsvc users token TÊN'). Lỗi: {\"error\": \"<thông báo tiếng Việt>\"}.")
NOT_JSON = "Nội dung yêu cầu phải là một đối tượng JSON (Content-Type: application/json)."
# The errors every route may answer, and those of the routes that write.
READ_ERRORS = {401: "Thiếu hoặc sai mã truy cập", 404: "Không tìm thấy", 422: "Dữ liệu không hợp lệ"}
WRITE_ERRORS = {400: "Yêu cầu không hợp lệ", 403: "Không có quyền", **READ_ERRORS}
CONFLICT = {409: "Xung đột: dữ liệu đã được người khác sửa sau khi bạn đọc (version cũ); không có gì bị ghi đè."}
MULTIPART_ENDPOINTS = ("api.post_evidence",)
"""The writes that take a file (multipart/form-data) instead of a JSON object."""


class ApiError(UserError):
    """An API refusal with its HTTP status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.http_status = status


class ReportsvcApi(Api):
    """flask-smorest's Api with reportsvc's error shape; HTTP errors stay with reportsvc.web.errors."""

    ERROR_SCHEMA = schemas.ErrorSchema
    DEFAULT_ERROR_RESPONSE_NAME = None  # each route lists its own errors, described in Vietnamese

    def _register_error_handlers(self) -> None:
        """Register nothing app-wide: pages keep their Vietnamese error pages, the API its handlers below."""


def register(app: Flask) -> Api:
    """Register the API blueprint with flask-smorest, which builds the OpenAPI document from its schemas."""
    app.config.setdefault("API_TITLE", TITLE)
    app.config.setdefault("API_VERSION", "1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("API_SPEC_OPTIONS", {
        "info": {"description": DESCRIPTION}, "servers": [{"url": "/"}], "security": [{"bearer": []}],
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}}})
    api = ReportsvcApi(app)  # no OPENAPI_URL_PREFIX: the document is served by the openapi view below
    api.register_blueprint(bp)
    app.extensions["reportsvc.api"] = api
    return api


def errors(*statuses: dict[int, str]) -> Any:
    """Document the error responses of a route (all with the ``{"error": …}`` body)."""
    def decorate(view: Any) -> Any:
        for table in reversed(statuses):
            for status, description in table.items():
                view = bp.alt_response(status, schema=schemas.ErrorSchema, description=description)(view)
        return view
    return decorate


def ok(schema: Any, description: str, status: int = 200) -> Any:
    """Document the success response of a route (the view builds the JSON itself)."""
    return bp.alt_response(status, schema=schema, description=description, success=True)


def error(status: int, message: str, **extra: Any) -> ResponseReturnValue:
    """Return a JSON error response."""
    response = jsonify({"error": message, **extra})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="reportsvc"'
    return response


@bp.before_request
def authenticate() -> ResponseReturnValue | None:
    """Resolve the bearer token to a user (401 without a valid one); refuse a read-only user's write (403).

    The OpenAPI document is public. Both checks come before the request body is read; then input no
    route can use is refused (reportsvc.web.errors.refuse_unusable_input) and a write must send a JSON object.
    """
    if request.endpoint == "api.openapi":
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    user = accounts.user_for_token(db(), token.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        return error(401, "Thiếu hoặc sai mã truy cập API. Gửi tiêu đề 'Authorization: Bearer <mã>'; "
                          "tạo mã ở trang Tài khoản hoặc bằng lệnh 'reportsvc users token TÊN'.")
    g.api_actor = Actor.of(user)
    scope_request(g.api_actor)
    if request.method not in SAFE_METHODS and not g.api_actor.can_write:
        raise Forbidden("Tài khoản chỉ có quyền xem, không được thay đổi dữ liệu.")
    refuse_unusable_input()  # NUL bytes, JSON too deep (400), ids past a database integer (404)
    if request.method not in SAFE_METHODS and request.endpoint not in MULTIPART_ENDPOINTS \
            and not isinstance(request.get_json(silent=True), dict):
        raise ApiError(400, NOT_JSON)
    return None


@bp.errorhandler(UserError)
def user_error(exc: UserError) -> ResponseReturnValue:
    """Turn the service errors into JSON with their status (reportsvc.errors)."""
    message = "Dữ liệu không hợp lệ: " + " ".join(exc.messages) if isinstance(exc, Invalid) else str(exc)
    return error(exc.http_status, message, **jsonable(exc.details()))


@bp.errorhandler(UnprocessableEntity)
@bp.errorhandler(BadRequest)
def request_error(exc: HTTPException) -> ResponseReturnValue:
    """Answer a request the schemas refused with the Vietnamese reasons (422; 400 for a body that is not JSON)."""
    data = getattr(exc, "data", None) or {}
    if "messages" not in data:
        from reportsvc.web.errors import http_error

        return http_error(exc)
    if exc.code == 400:
        return error(400, NOT_JSON)
    reasons = schemas.messages_of(data["messages"])
    schema = data.get("schema")
    if schema is not None and any(schemas.UNKNOWN_FIELD in reason for reason in reasons):
        reasons.append(f"Các trường được nhận: {', '.join(sorted(schema.fields))}.")
    return error(422, "Dữ liệu không hợp lệ: " + " ".join(reasons), errors=reasons)


def me() -> Actor:
    """Return the token's user."""
    return g.api_actor


# ---------------------------------------------------------------- read

@bp.get("/openapi.json")
@bp.doc(summary="Tài liệu OpenAPI này", security=[])
def openapi() -> ResponseReturnValue:
    """Return the OpenAPI 3 document flask-smorest generated from the routes and schemas."""
    return jsonify(current_app.extensions["reportsvc.api"].spec.to_dict())


@bp.get("/units")
@bp.doc(summary="Cây đơn vị hành chính",
        description="Các đơn vị đang tồn tại, theo thứ tự cây; all=true thêm các đơn vị đã sáp nhập (valid_to, "
                    "successor); under=MÃ chỉ lấy đơn vị đó và các đơn vị trực thuộc.")
@bp.arguments(schemas.UnitListQuery, location="query", as_kwargs=True)
@ok(schemas.UnitSchema(many=True), "Các đơn vị")
@errors(READ_ERRORS)
def units(under: str | None = None, all: bool = False) -> ResponseReturnValue:  # noqa: A002 - the query's name
    """List the administrative units depth-first (?under=CODE, ?all=true for merged ones too)."""
    return jsonify(unit_service.unit_rows(db(), under=under or None, include_all=all))


def _unit_json(unit: Unit) -> dict[str, Any]:
    return {"code": unit.code, "name": unit.name, "kind": unit.kind, "kind_label": kind_label(unit.kind),
            "parent": unit.parent.code if unit.parent else None, "place": unit.place,
            "valid_from": jsonable(unit.valid_from), "valid_to": jsonable(unit.valid_to),
            "successor": unit.successor.code if unit.successor else None,
            "children": [child.code for child in unit.children],
            "predecessors": [old.code for old in unit.predecessors]}


@bp.post("/units")
@bp.doc(summary="Thêm đơn vị (quản trị viên)", description="Đơn vị mới trực thuộc một đơn vị trong phạm vi quản lý.")
@bp.arguments(schemas.UnitInput)
@ok(schemas.UnitDetailSchema, "Đã tạo", status=201)
@errors(WRITE_ERRORS)
def post_unit(data: dict[str, Any]) -> ResponseReturnValue:
    """Add a unit below one of the admin's units."""
    require_admin(me())
    session = db()
    unit = unit_service.add_unit(session, data["code"], data["name"], data["kind"], data.get("parent") or None,
                                 me().username)
    session.commit()
    return jsonify(_unit_json(unit)), 201


@bp.get("/units/<code>")
@bp.doc(summary="Một đơn vị: cấp trên, trực thuộc, ngày hiệu lực, đơn vị kế tục")
@ok(schemas.UnitDetailSchema, "Đơn vị")
@errors(READ_ERRORS)
def unit(code: str) -> ResponseReturnValue:
    """Return one unit with its parent, children, validity dates, successor and predecessors."""
    return jsonify(_unit_json(find_unit(db(), code)))


@bp.patch("/units/<code>")
@bp.doc(summary="Đổi tên (name, kind) và/hoặc chuyển đơn vị cấp trên (parent) (quản trị viên)")
@bp.arguments(schemas.UnitPatch)
@ok(schemas.UnitDetailSchema, "Đã sửa")
@errors(WRITE_ERRORS)
def patch_unit(data: dict[str, Any], code: str) -> ResponseReturnValue:
    """Rename a unit (name, kind) and/or move it under another parent, in one transaction."""
    require_admin(me())
    session = db()
    row = find_unit(session, code)
    if data.get("name") or data.get("kind"):
        unit_service.rename_unit(session, row.code, data.get("name") or row.name, me().username,
                                 kind=data.get("kind") or None)
    if data.get("parent"):
        unit_service.move_unit(session, row.code, data["parent"], me().username)
    session.commit()
    return jsonify(_unit_json(find_unit(session, code)))


@bp.get("/units/<code>/settings")
@bp.doc(summary="Thiết lập báo cáo của một đơn vị")
@ok(schemas.UnitSettingsSchema, "Thiết lập")
@errors(READ_ERRORS)
def unit_settings(code: str) -> ResponseReturnValue:
    """Return every report setting of a unit with the value its reports use, and the keys it set itself."""
    return jsonify(unit_service.unit_settings(db(), code))


@bp.put("/units/<code>/settings")
@bp.doc(summary="Sửa thiết lập báo cáo (quản trị viên)",
        description="Các khóa gửi lên được kiểm tra và lưu; khóa không gửi giữ nguyên; giá trị rỗng hoặc null trả "
                    "khóa về mặc định. Một giá trị sai: 422, không có gì được lưu.")
@bp.arguments(schemas.SettingsInput)
@ok(schemas.UnitSettingsSchema, "Đã lưu")
@errors(WRITE_ERRORS)
def put_unit_settings(data: dict[str, Any], code: str) -> ResponseReturnValue:
    """Check and store report settings of a unit (every bad value is named; nothing is stored then)."""
    require_admin(me())
    session = db()
    result = unit_service.update_settings(session, code, data, me().username)
    session.commit()
    return jsonify(result)


@bp.get("/units/<code>/agencies")
@bp.doc(summary="Các cơ quan của một đơn vị, với tên gọi khác")
@bp.arguments(schemas.AllQuery, location="query", as_kwargs=True)
@ok(schemas.AgencySchema(many=True), "Các cơ quan")
@errors(READ_ERRORS)
def unit_agencies(code: str, all: bool = False) -> ResponseReturnValue:  # noqa: A002 - the query's name
    """List a unit's agencies with their aliases (?all=true: merged ones too, with their successor)."""
    return jsonify(agency_service.list_agencies(db(), code, include_merged=all))


@bp.post("/units/<code>/agencies")
@bp.doc(summary="Thêm cơ quan cho một đơn vị (quản trị viên)")
@bp.arguments(schemas.AgencyInput)
@ok(schemas.AgencySchema, "Đã tạo", status=201)
@errors(WRITE_ERRORS)
def post_unit_agency(data: dict[str, Any], code: str) -> ResponseReturnValue:
    """Add an agency to a unit."""
    require_admin(me())
    session = db()
    agency = agency_service.add_agency(session, code, data["name"], me().username)
    session.commit()
    return jsonify({"id": agency.id, "name": agency.name, "unit": code, "aliases": [], "successor": None}), 201


def _user_json(user: User) -> dict[str, Any]:
    return {"id": user.id, "username": user.username, "full_name": user.full_name, "role": user.role,
            "unit": user.unit.code if user.unit else None, "agency": user.agency.name if user.agency else None,
            "email": user.email, "active": user.active}


@bp.get("/users")
@bp.doc(summary="Tài khoản của đơn vị mình và các đơn vị trực thuộc (quản trị viên)")
@bp.arguments(schemas.UnitQuery, location="query", as_kwargs=True)
@ok(schemas.UserSchema(many=True), "Các tài khoản")
@errors(READ_ERRORS, {403: "Không có quyền"})
def users(unit: str | None = None) -> ResponseReturnValue:
    """List the accounts the admin manages (?unit=CODE: one unit's)."""
    require_admin(me())
    session = db()
    stmt = select(User).options(selectinload(User.unit), selectinload(User.agency)).order_by(User.username)
    if unit:
        stmt = stmt.where(User.unit_id == find_unit(session, unit).id)
    return jsonify([_user_json(user) for user in session.scalars(stmt)])


@bp.post("/users")
@bp.doc(summary="Tạo tài khoản (quản trị viên)",
        description="Vai trò admin, editor hoặc viewer (superadmin chỉ tạo bằng dòng lệnh); đơn vị trong phạm vi "
                    "quản lý; editor cần một cơ quan của đơn vị.")
@bp.arguments(schemas.UserInput)
@ok(schemas.UserSchema, "Đã tạo", status=201)
@errors(WRITE_ERRORS)
def post_user(data: dict[str, Any]) -> ResponseReturnValue:
    """Create an account bound to a unit (and optionally an agency of it)."""
    require_admin(me())
    session = db()
    user = accounts.create_user(session, data["username"], data["role"], data["password"],
                                agency_name=data.get("agency") or "", unit_code=data["unit"],
                                full_name=data.get("full_name") or "", email=data.get("email") or "",
                                actor=me().username)
    session.commit()
    return jsonify(_user_json(user)), 201


def _plan_json(plan: Plan, tasks: int | None = None) -> dict[str, Any]:
    return {"id": plan.id, "unit": plan.unit.code, "year": plan.year, "title": plan.title,
            "source_filename": plan.source_filename, "source_sha256": plan.source_sha256,
            "imported_at": jsonable(plan.imported_at), "imported_by": plan.imported_by, "tasks": tasks}


@bp.get("/plans")
@bp.doc(summary="Danh sách kế hoạch CCHC")
@bp.arguments(schemas.UnitQuery, location="query", as_kwargs=True)
@ok(schemas.PlanSchema(many=True), "Các kế hoạch")
@errors(READ_ERRORS)
def plans(unit: str | None = None) -> ResponseReturnValue:
    """List the plans, optionally of one unit (?unit=CODE)."""
    stmt = select(Plan).options(selectinload(Plan.unit), selectinload(Plan.tasks))
    if unit:
        stmt = stmt.where(Plan.unit_id == find_unit(db(), unit).id)
    rows = db().scalars(stmt.order_by(Plan.year.desc(), Plan.id))
    return jsonify([_plan_json(p, len(p.tasks)) for p in rows])


@bp.get("/plans/<int:plan_id>")
@bp.doc(summary="Một kế hoạch với các lĩnh vực và chỉ tiêu")
@ok(schemas.PlanSchema, "Kế hoạch")
@errors(READ_ERRORS)
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
    data["identity"] = plan_identity.identity_of(row)
    return jsonify(data)


@bp.patch("/plans/<int:plan_id>")
@bp.doc(summary="Bổ sung, sửa số, ký hiệu, ngày, địa danh, cơ quan ban hành của văn bản kế hoạch (quản trị viên)",
        description="Chỉ các trường gửi lên được đổi; \"\" (hoặc null với date) xóa một trường. Ghi nhật ký plan.identity.")
@bp.arguments(schemas.PlanIdentityPatch)
@ok(schemas.PlanSchema, "Đã sửa")
@errors(WRITE_ERRORS)
def patch_plan(data: dict[str, Any], plan_id: int) -> ResponseReturnValue:
    """Fill in or correct a plan's identity fields, in one transaction."""
    require_admin(me())
    session = db()
    row = plan_identity.set_identity(session, plan_id, data, me().username)
    session.commit()
    return jsonify({**_plan_json(row, len(row.tasks)), "identity": plan_identity.identity_of(row)})


def _files_json(files: list[evidence.EvidenceInfo]) -> list[dict[str, Any]]:
    """Return the attached files of a status update with their download URLs."""
    return [{**jsonable(f.as_dict()), "url": url_for("api.evidence_download", file_id=f.id)} for f in files]


def _update_json(update: Any, files: dict[int, list[evidence.EvidenceInfo]]) -> dict[str, Any] | None:
    """Return a status update as the API shows it: its snapshot and its attached files."""
    if update is None:
        return None
    return {**jsonable(status_snapshot(update)), "files": _files_json(files.get(update.id, []))}


def _task_json(row: TaskRow, period: Period,
               files: dict[int, list[evidence.EvidenceInfo]] | None = None) -> dict[str, Any]:
    task = row.task
    if files is None:
        files = evidence.files_of(db(), [row.update.id] if row.update else [])
    return {"id": task.id, "plan_id": task.plan_id, "number": task.number, "title": task.title,
            "area": {"numeral": task.area.numeral, "title": task.area.title,
                     "code": area_code_of(task.area, services().registry)},
            "activity": task.activity, "product": task.product,
            "lead": [ta.agency.name for ta in task.agencies if ta.role == "lead"],
            "coord": [ta.agency.name for ta in task.agencies if ta.role == "coord"],
            "deadline": task.deadline_raw, "deadline_end": jsonable(task.deadline_end),
            "period": period.key, "serves": [p.key for p in period.serves()], "status": row.item.status,
            "status_label": row.item.status_label, "update": _update_json(row.update, files),
            "can_edit": row.editable}


@bp.get("/tasks")
@bp.doc(summary="Nhiệm vụ của một kế hoạch, có lọc",
        description="Kế hoạch chọn bằng plan=ID, hoặc unit=MÃ và year=NĂM; kỳ mặc định là quý IV năm kế hoạch.")
@bp.arguments(schemas.TaskQuery, location="query")
@ok(schemas.TaskSchema(many=True), "Các nhiệm vụ")
@errors(READ_ERRORS)
def tasks(args: dict[str, Any]) -> ResponseReturnValue:
    """List the tasks of a plan (?plan=ID or ?unit=CODE&year=YYYY), filtered by area, agency, status, period."""
    session = db()
    plan_row = task_service.get_plan(session, plan_id=args.get("plan"), unit_code=args.get("unit"),
                                     year=args.get("year"))
    period = args.get("period") or Period(plan_row.year, "Q", 4)
    rows = task_service.list_tasks(session, me(), plan_row, period, TaskFilter(
        area=args.get("area") or "", lead_agency_name=args.get("agency") or "", status=args.get("status") or ""))
    files = evidence.files_of(session, [row.update.id for row in rows if row.update is not None])
    return jsonify([_task_json(row, period, files) for row in rows])


@bp.get("/tasks/<int:task_id>")
@bp.doc(summary="Một nhiệm vụ với lịch sử cập nhật tiến độ")
@bp.arguments(schemas.PeriodQuery, location="query", as_kwargs=True)
@ok(schemas.TaskSchema, "Nhiệm vụ")
@errors(READ_ERRORS)
def task(task_id: int, period: Period | None = None) -> ResponseReturnValue:
    """Return a task (status as of ?period=, default the plan year's quý IV) with every status update."""
    row = task_service.load_task(db(), task_id)
    period = period or Period(row.plan.year, "Q", 4)
    files = evidence.files_of(db(), [u.id for u in row.updates])
    data = _task_json(task_service.task_row(me(), row, period), period, files)
    data["updates"] = [_update_json(u, files) for u in sorted(row.updates, key=lambda u: u.period_key)]
    return jsonify(data)


@bp.post("/tasks/<int:task_id>/evidence")
@bp.doc(summary="Đính kèm tệp PDF hoặc DOCX của văn bản vào tiến độ nhiệm vụ của một kỳ",
        description="Gửi multipart/form-data, trường file; kỳ ở tham số period. Cần quyền như khi cập nhật tiến độ "
                    "và đã có tiến độ của kỳ. Loại tệp được kiểm tra theo nội dung (không theo đuôi tệp); tối đa "
                    f"{evidence.MAX_EVIDENCE_MB} MB (lớn hơn: 413). Số liệu đã duyệt: 423.")
@bp.arguments(schemas.RequiredPeriodQuery, location="query", as_kwargs=True)
@bp.arguments(schemas.EvidenceUpload, location="files", as_kwargs=True)
@ok(schemas.SavedEvidenceSchema, "Đã đính kèm", status=201)
@errors(WRITE_ERRORS, {413: "Tệp quá lớn", 423: "Số liệu đã được duyệt"})
def post_evidence(task_id: int, period: Period, file: Any) -> ResponseReturnValue:
    """Attach the PDF or DOCX of a văn bản to the task's status record of the period."""
    session = db()
    row = task_service.load_task(session, task_id)
    if not isinstance(file, FileStorage):
        raise Invalid([f"Thiếu tệp văn bản (trường file, {evidence.ACCEPTED})."])
    added = evidence.attach(session, me(), row, period, file.filename or "", file.read())
    session.commit()
    files = evidence.files_of(session, [added.status_update_id])
    update = current_status(session, row.id, period.key)
    return jsonify({"file": _files_json([evidence.info_of(added)])[0], "update": _update_json(update, files)}), 201


@bp.get("/evidence/<int:file_id>")
@bp.doc(summary="Tải tệp văn bản minh chứng đã đính kèm", responses={"200": {"description": "Tệp văn bản", "content": {
    media_type: {"schema": {"type": "string", "format": "binary"}} for _, media_type in evidence.TYPES.values()}}})
@errors(READ_ERRORS)
def evidence_download(file_id: int) -> ResponseReturnValue:
    """Download an attached văn bản (whoever may read its task; its sha256 is checked first)."""
    return send_download(evidence.evidence_file(db(), file_id))


# ---------------------------------------------------------------- write

@bp.post("/tasks/<int:task_id>/status")
@bp.doc(summary="Cập nhật tiến độ nhiệm vụ cho một kỳ (kèm văn bản minh chứng)",
        description="Quản trị viên, hoặc cán bộ của cơ quan chủ trì nhiệm vụ. Gửi version đã đọc (0 khi tạo mới); "
                    "version cũ nhận 409 và không ghi đè. Quý II và 6 tháng, quý III và 9 tháng, quý IV và năm dùng "
                    "chung một bản ghi (lưu dưới khóa của quý; serves liệt kê các kỳ dùng chung).")
@bp.arguments(schemas.StatusInput)
@ok(schemas.SavedStatusSchema, "Đã sửa")
@ok(schemas.SavedStatusSchema, "Đã tạo", status=201)
@errors(WRITE_ERRORS, CONFLICT)
def post_status(data: dict[str, Any], task_id: int) -> ResponseReturnValue:
    """Record a task's status for a period with its evidence; 409 when ``version`` is stale."""
    session = db()
    row = task_service.load_task(session, task_id)
    period = data.pop("period")
    version = data.pop("version")
    existed = current_status(session, row.id, period.key) is not None
    update = record_status(session, services().registry, me(), row, data, period.key, version)
    session.commit()
    return jsonify({"update": _update_json(update, evidence.files_of(session, [update.id]))}), \
        200 if existed else 201


@bp.get("/indicator-values")
@bp.doc(summary="Số liệu chỉ tiêu của một đơn vị trong một kỳ",
        description="Số liệu lũy kế từ đầu năm; quý IV và năm (quý II và 6 tháng, quý III và 9 tháng) dùng chung "
                    "một bản ghi, lưu dưới khóa của quý (period), serves liệt kê các kỳ dùng chung.")
@bp.arguments(schemas.UnitPeriodQuery, location="query", as_kwargs=True)
@ok(schemas.IndicatorValueSchema(many=True), "Các số liệu")
@errors(READ_ERRORS)
def indicator_values(unit: str, period: Period) -> ResponseReturnValue:
    """List a unit's stored indicator values for a period (?unit=CODE&period=2024-Q3) with their versions.

    The values are those of the period's data window: ?period=2024-Y and ?period=2024-Q4 read the same records.
    """
    unit_row = find_unit(db(), unit)
    registry = services().registry
    rows = db().scalars(select(IndicatorValue).where(IndicatorValue.unit_id == unit_row.id,
                                                     IndicatorValue.period_key == period.record_key)
                        .order_by(IndicatorValue.code))
    result = []
    for row in rows:
        spec = registry.indicators.get(row.code)
        result.append({**jsonable(value_snapshot(row)), "unit": unit_row.code, "name": spec.name if spec else None,
                       "unit_of_measure": spec.unit if spec else None})
    return jsonify(result)


@bp.post("/indicator-values")
@bp.doc(summary="Nhập hoặc sửa số liệu chỉ tiêu (kiểm tra kiểu và giới hạn)",
        description="Quản trị viên, hoặc cán bộ của cơ quan chủ trì nhiệm vụ thuộc lĩnh vực của chỉ tiêu. "
                    "Gửi version đã đọc (0 khi tạo mới); value null xóa số liệu.")
@bp.arguments(schemas.IndicatorInput)
@ok(schemas.SavedValueSchema, "Đã lưu")
@errors(WRITE_ERRORS, CONFLICT)
def post_indicator_value(data: dict[str, Any]) -> ResponseReturnValue:
    """Store (value null: delete) an indicator value for a unit and period; 409 when ``version`` is stale."""
    session = db()
    unit = find_unit(session, data["unit"])
    row = record_indicator_value(session, services().registry, me(), unit, data["code"], data["period"].key,
                                 data["value"], data["note"], data["version"])
    session.commit()
    return jsonify({"value": jsonable({**value_snapshot(row), "unit": unit.code}) if row else None})


def _report_json(row: GeneratedReport) -> dict[str, Any]:
    return {"id": row.id, "unit": row.unit.code if row.unit else None,
            "agency": row.agency.name if row.agency else None, "period": row.period_key, "version": row.version, "title": row.title, "created_at": jsonable(row.created_at),
            "created_by": row.created_by,
            "files": [{"format": f.format, "filename": f.filename, "sha256": f.sha256, "size": f.size,
                       "url": url_for("api.report_file", report_id=row.id, fmt=f.format)} for f in row.files]}


@bp.get("/reports")
@bp.doc(summary="Các phiên bản báo cáo đã tạo (kho lưu trữ)")
@bp.arguments(schemas.UnitQuery, location="query", as_kwargs=True)
@ok(schemas.ReportSchema(many=True), "Các phiên bản")
@errors(READ_ERRORS)
def reports(unit: str | None = None) -> ResponseReturnValue:
    """List the generated report versions, newest first (?unit=CODE)."""
    return jsonify(archive.listing(db(), unit or None))


@bp.post("/reports")
@bp.doc(summary="Tạo báo cáo (quản trị viên); trả về mã báo cáo và địa chỉ tải các tệp")
@bp.arguments(schemas.ReportInput)
@ok(schemas.ReportSchema, "Đã tạo", status=201)
@errors(WRITE_ERRORS)
def post_report(data: dict[str, Any]) -> ResponseReturnValue:
    """Generate a report (admin); returns its id and the download URLs of its files."""
    unit = find_unit(db(), data["unit"])
    row = generate_report(services(), me(), unit.code, data["period"], list(dict.fromkeys(data["formats"])),
                          number=data.get("number"), report_date=data.get("date"), skip_broken=data["skip_broken"],
                          agency=data.get("agency") or None)
    return jsonify(_report_json(archive.get(db(), row.id))), 201


@bp.get("/reports/<int:report_id>")
@bp.doc(summary="Một phiên bản báo cáo với các tệp và mã băm")
@ok(schemas.ReportSchema, "Báo cáo")
@errors(READ_ERRORS)
def report(report_id: int) -> ResponseReturnValue:
    """Return one generated version with its files and hashes."""
    return jsonify(_report_json(archive.get(db(), report_id)))


@bp.get("/reports/<int:report_id>/files/<fmt>")
@bp.doc(summary="Tải tệp báo cáo (docx, pdf hoặc pdfa)", responses={"200": {"description": "Tệp báo cáo", "content": {
    media_type: {"schema": {"type": "string", "format": "binary"}} for media_type in
    ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/pdf")}}})
@errors(READ_ERRORS)
def report_file(report_id: int, fmt: str) -> ResponseReturnValue:
    """Download one file (docx, pdf or pdfa) of a generated version."""
    return send_download(downloads.report_file(db(), report_id, fmt, user=g.api_actor.username))


# The submissions' routes (reportsvc.web.api_submissions) join the blueprint here, before any app registers it.
add_submission_routes(bp, me=me, errors=errors, ok=ok, read_errors=READ_ERRORS, write_errors=WRITE_ERRORS,
                      conflict=CONFLICT)
