"""The JSON API of submissions: a department or a unit submits a data window, the compiling office approves,
returns or reopens it (routes added by :func:`add_routes` to the flask-smorest blueprint of reportsvc.web.api,
with their schemas here).

    POST /api/v1/submissions                  {"unit", "agency", "period"} → 201
    GET  /api/v1/submissions?unit=&period=&state=
    GET  /api/v1/submissions/<id>
    POST /api/v1/submissions/<id>/approve     {"version"?} → 200
    POST /api/v1/submissions/<id>/return      {"reason", "version"?} → 200
    POST /api/v1/submissions/<id>/reopen      {"reason", "version"?} → 200

Every rule is reportsvc.services.submissions'; errors are ``{"error": "<Vietnamese message>"}`` like the
rest of the API (409 adds ``current``, the submission as stored).
"""
from __future__ import annotations

from typing import Any, Callable

from flask import jsonify
from flask.typing import ResponseReturnValue
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate

from reportsvc.db.lookup import find_unit
from reportsvc.periods import Period
from reportsvc.services import submissions as service
from reportsvc.services.audit import jsonable
from reportsvc.services.permissions import Actor
from reportsvc.services.recording import MAX_INTEGER
from reportsvc.web.common import db
from reportsvc.web.schemas import ApiSchema, Int, PeriodText, QuerySchema, Text

AGENCY_INVALID = "Trường 'agency' phải là mã số hoặc tên một cơ quan của đơn vị (null: cả đơn vị)."
STATE_CHOICES = list(service.STATES)


class AgencyRef(fields.Field):
    """A department of the unit by its id (a JSON number) or its name (as the plan writes it); null: the whole unit."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int | str | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise ValidationError(AGENCY_INVALID)
        if isinstance(value, int):
            if not 0 < value <= MAX_INTEGER:
                raise ValidationError(AGENCY_INVALID)
            return value
        if len(value) > 255:
            raise ValidationError("Trường 'agency' dài quá 255 ký tự.")
        return value.strip() or None


def _period() -> PeriodText:
    return PeriodText(required=True, metadata={
        "type": "string", "example": "2024-Q2",
        "description": "Kỳ: 2024-Q1 … 2024-Q4, 2024-H1, 2024-M9, 2024-Y; quý II và 6 tháng là một lần nộp"})


def _version() -> Int:
    return Int(allow_none=True, validate=validate.Range(min=0, error="Phiên bản (version) không hợp lệ."),
               error_messages={"invalid": "Phiên bản (version) không hợp lệ."},
               metadata={"description": "Phiên bản đã đọc; gửi để không ghi đè thay đổi của người khác"})


def _reason() -> Text:
    return Text(required=True, max_length=service.REASON_MAX,
                error_messages={"required": "Thiếu lý do (reason).", "null": "Thiếu lý do (reason)."},
                metadata={"description": "Lý do (bắt buộc)"})


class SubmissionInput(ApiSchema):
    """Submit a party's data of one data window: a department of the unit, or (agency null) the whole unit."""

    unit = Text(required=True, max_length=64, validate=validate.Length(min=1, error="Thiếu mã đơn vị (unit)."),
                error_messages={"required": "Thiếu mã đơn vị (unit).", "null": "Thiếu mã đơn vị (unit)."},
                metadata={"description": "Mã đơn vị, ví dụ HT", "example": "HT"})
    agency = AgencyRef(load_default=None, allow_none=True, metadata={
        "oneOf": [{"type": "integer"}, {"type": "string"}], "nullable": True,
        "description": "Cơ quan của đơn vị (mã số hoặc tên); bỏ trống hoặc null: cả đơn vị nộp lên cấp trên"})
    period = _period()
    version = _version()


class DecisionInput(ApiSchema):
    """Approve a submission; ``version`` optional."""

    version = _version()


class ReasonInput(ApiSchema):
    """Return or reopen a submission, with the reason; ``version`` optional."""

    reason = _reason()
    version = _version()


class SubmissionQuery(QuerySchema):
    """?unit=CODE (and the units below it) &period=2024-Q2 (either key of the window) &state=submitted."""

    unit = Text(max_length=64, metadata={"description": "Mã đơn vị: lần nộp của đơn vị đó và các đơn vị trực thuộc"})
    period = PeriodText(metadata={"type": "string", "example": "2024-Q2", "description": "Kỳ (một trong hai khóa)"})
    state = Text(validate=validate.OneOf(STATE_CHOICES, error="Trạng thái không hợp lệ: '{input}'. "
                                                              "Chọn một trong: {choices}."),
                 metadata={"enum": STATE_CHOICES})


class SubmissionSchema(Schema):
    """A submission: its party, data window and the periods it serves, its state and who did what when."""

    id = fields.Integer()
    unit = fields.String()
    unit_name = fields.String()
    agency = fields.String(allow_none=True)
    agency_id = fields.Integer(allow_none=True)
    party = fields.String(metadata={"description": "\"agency:<id>\" hoặc \"unit\""})
    party_label = fields.String()
    office = fields.String(allow_none=True, metadata={"description": "Mã đơn vị tổng hợp (nơi duyệt)"})
    period = fields.String(metadata={"description": "Khóa lưu của kỳ (quý)"})
    serves = fields.List(fields.String(), metadata={"description": "Các kỳ báo cáo dùng số liệu này"})
    period_label = fields.String()
    state = fields.String(metadata={"enum": STATE_CHOICES})
    state_label = fields.String()
    first_submitted_at = fields.DateTime()
    submitted_at = fields.DateTime()
    submitted_by = fields.String()
    decided_at = fields.DateTime(allow_none=True)
    decided_by = fields.String()
    reason = fields.String()
    deadline = fields.Date(allow_none=True)
    version = fields.Integer()


def _json(submission: Any) -> dict[str, Any]:
    return jsonable(service.submission_json(submission))


def add_routes(bp: Blueprint, *, me: Callable[[], Actor], errors: Callable[..., Any], ok: Callable[..., Any],
               read_errors: dict[int, str], write_errors: dict[int, str], conflict: dict[int, str]) -> None:
    """Add the submission routes to the API blueprint, with its token user (``me``) and its documenting helpers.

    reportsvc.web.api calls this once, before the blueprint is registered; this module never imports it.
    """
    @bp.get("/submissions")
    @bp.doc(summary="Các lần nộp số liệu (trong phạm vi đơn vị của mình)",
            description="Lọc theo đơn vị (kể cả đơn vị trực thuộc), kỳ (6 tháng tìm thấy lần nộp quý II) và trạng "
                        "thái: submitted (chờ duyệt), approved (đã duyệt), returned (bị trả lại, mở lại).")
    @bp.arguments(SubmissionQuery, location="query", as_kwargs=True)
    @ok(SubmissionSchema(many=True), "Các lần nộp")
    @errors(read_errors)
    def submissions(unit: str | None = None, period: Period | None = None,
                    state: str | None = None) -> ResponseReturnValue:
        """List the submissions of the token user's units (?unit=CODE&period=2024-Q2&state=submitted)."""
        session = db()
        unit_row = find_unit(session, unit) if unit else None
        rows = service.list_submissions(session, me(), unit=unit_row, period=period, state=state or "")
        return jsonify([_json(row) for row in rows])

    @bp.post("/submissions")
    @bp.doc(summary="Nộp số liệu một kỳ cho nơi tổng hợp",
            description="Cán bộ nộp số liệu của cơ quan mình; quản trị viên nộp thay một cơ quan hoặc nộp cả đơn vị "
                        "lên cấp trên (agency null). Kỳ đã nộp, đang chờ duyệt hoặc đã duyệt: 409.")
    @bp.arguments(SubmissionInput)
    @ok(SubmissionSchema, "Đã nộp", status=201)
    @errors(write_errors, conflict)
    def post_submission(data: dict[str, Any]) -> ResponseReturnValue:
        """Submit a department's (or the whole unit's) data of a period's window; 409 when already submitted."""
        session = db()
        unit = find_unit(session, data["unit"])
        agency = service.find_party(session, me(), unit, data.get("agency"))
        row = service.submit(session, me(), unit, agency, data["period"], data.get("version"))
        session.commit()
        return jsonify(_json(row)), 201

    @bp.get("/submissions/<int:submission_id>")
    @bp.doc(summary="Một lần nộp số liệu")
    @ok(SubmissionSchema, "Lần nộp")
    @errors(read_errors)
    def submission(submission_id: int) -> ResponseReturnValue:
        """Return one submission of the token user's units."""
        return jsonify(_json(service.get_submission(db(), me(), submission_id)))

    @bp.post("/submissions/<int:submission_id>/approve")
    @bp.doc(summary="Duyệt số liệu đã nộp (quản trị viên nơi tổng hợp, không phải người nộp)",
            description="Số liệu đã duyệt bị khóa: sửa tiến độ, chỉ tiêu của kỳ đó nhận 423 cho đến khi được mở lại.")
    @bp.arguments(DecisionInput)
    @ok(SubmissionSchema, "Đã duyệt")
    @errors(write_errors, conflict)
    def approve_submission(data: dict[str, Any], submission_id: int) -> ResponseReturnValue:
        """Approve a submitted window; its data are locked."""
        session = db()
        row = service.approve(session, me(), submission_id, data.get("version"))
        session.commit()
        return jsonify(_json(row))

    @bp.post("/submissions/<int:submission_id>/return")
    @bp.doc(summary="Trả lại số liệu đã nộp, kèm lý do (quản trị viên nơi tổng hợp, không phải người nộp)")
    @bp.arguments(ReasonInput)
    @ok(SubmissionSchema, "Đã trả lại")
    @errors(write_errors, conflict)
    def return_submission(data: dict[str, Any], submission_id: int) -> ResponseReturnValue:
        """Return a submitted window with the reason, to be corrected and submitted again."""
        session = db()
        row = service.return_submission(session, me(), submission_id, data["reason"], data.get("version"))
        session.commit()
        return jsonify(_json(row))

    @bp.post("/submissions/<int:submission_id>/reopen")
    @bp.doc(summary="Mở lại kỳ đã duyệt, kèm lý do (quản trị viên nơi tổng hợp hoặc cấp trên)",
            description="Trạng thái trở về returned với lý do \"Mở lại: …\"; số liệu sửa được và nộp lại.")
    @bp.arguments(ReasonInput)
    @ok(SubmissionSchema, "Đã mở lại")
    @errors(write_errors, conflict)
    def reopen_submission(data: dict[str, Any], submission_id: int) -> ResponseReturnValue:
        """Reopen an approved window: its data can be edited again."""
        session = db()
        row = service.reopen(session, me(), submission_id, data["reason"], data.get("version"))
        session.commit()
        return jsonify(_json(row))
