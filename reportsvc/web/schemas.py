"""The marshmallow schemas of the JSON API: they check requests and describe the API in its OpenAPI document.

flask-smorest reads requests through the input schemas (``@bp.arguments``) and documents every
route from them and from the response schemas (which only describe; the views build their JSON).
Every message a client can see is Vietnamese: the fields here carry Vietnamese default messages,
and ``messages_of`` turns marshmallow's error dict into the list of sentences the API answers with.
"""
from __future__ import annotations

from typing import Any

from flask_smorest.fields import Upload
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from reportsvc.periods import Period, PeriodError, parse_period
from reportsvc.render import FORMATS
from reportsvc.db.unitsettings import KEYS as SETTING_KEYS
from reportsvc.services.recording import MAX_INTEGER, TEXT_LIMITS
from reportsvc.status import CLASSES, RECORDED
from reportsvc.vn.dates import parse_day
from reportsvc.vn.units import KINDS

UNKNOWN_FIELD = "không phải trường được nhận."
# Default messages of the fields below; ``messages_of`` prefixes them with the field's name.
REQUIRED = "là bắt buộc."
NULL = "không được là null."
INVALID = "có giá trị không hợp lệ."
OUT_OF_RANGE = f"nằm ngoài giới hạn của một số nguyên (từ -{MAX_INTEGER} đến {MAX_INTEGER})."
FIELD_MESSAGES = {REQUIRED, NULL, INVALID, UNKNOWN_FIELD, "phải là văn bản.", "phải là số nguyên.",
                  "phải là true hoặc false.", "phải là một danh sách.", "phải là một đối tượng JSON.", "quá lớn.",
                  OUT_OF_RANGE}
_BASE = {"required": REQUIRED, "null": NULL, "validator_failed": INVALID}
TEXT_MAX = 255
"""The longest text a field takes unless it says otherwise (the database's names and titles)."""


class Text(fields.String):
    """A string field with Vietnamese messages and a longest length (``max_length``, documented as maxLength).

    The length is checked here, before any view reads the database with the text.
    """

    default_error_messages = {**_BASE, "invalid": "phải là văn bản.", "invalid_utf8": "phải là văn bản."}

    def __init__(self, *args: Any, max_length: int = TEXT_MAX, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_length = max_length
        self.metadata = {"maxLength": max_length, **self.metadata}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if len(text) > self.max_length:
            raise ValidationError(f"Trường '{self.data_key or attr}' dài quá {self.max_length} ký tự.")
        return text


class Int(fields.Integer):
    """An integer field with Vietnamese messages that fits a database integer (±2**31 - 1)."""

    default_error_messages = {**_BASE, "invalid": "phải là số nguyên.", "too_large": "quá lớn.",
                              "out_of_range": OUT_OF_RANGE}

    def _validated(self, value: Any) -> int:
        number = super()._validated(value)
        if abs(number) > MAX_INTEGER:
            raise self.make_error("out_of_range")
        return number


class Bool(fields.Boolean):
    """A boolean field with Vietnamese messages."""

    default_error_messages = {**_BASE, "invalid": "phải là true hoặc false."}


class TextList(fields.List):
    """A list of strings with Vietnamese messages."""

    default_error_messages = {**_BASE, "invalid": "phải là một danh sách."}

    def __init__(self, choices: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(Text(metadata={"enum": choices} if choices else {}), **kwargs)


class PeriodText(fields.Field):
    """A report period written "2024-Q3" (also 2024-H1, 2024-M9, 2024-Y); loads as a Period."""

    default_error_messages = {**_BASE, "required": "Thiếu kỳ báo cáo (period), ví dụ 2024-Q3."}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Period:
        if not isinstance(value, str) or not value.strip():
            raise ValidationError("Thiếu kỳ báo cáo (period), ví dụ 2024-Q3.")
        try:
            return parse_period(value.strip())
        except PeriodError as exc:
            raise ValidationError(str(exc)) from None

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return value.key if isinstance(value, Period) else value


class Day(fields.Field):
    """A date written "2024-12-05" (or 05/12/2024); loads as a date, null or "" as None."""

    def __init__(self, invalid: str, **kwargs: Any) -> None:
        super().__init__(allow_none=True, metadata={"type": "string", "format": "date", **kwargs.pop("metadata", {})},
                         **kwargs)
        self.invalid = invalid

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        try:
            return parse_day(value)
        except ValueError:
            raise ValidationError(self.invalid.format(text=value)) from None


class JsonNumber(fields.Field):
    """A JSON number (int or float, not a string); null deletes the stored value."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            raise ValidationError(f"Giá trị chỉ tiêu phải là một số JSON, không phải chuỗi: '{value}'.")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValidationError("Giá trị chỉ tiêu phải là một số JSON.")
        return value


def _version() -> Int:
    return Int(required=True, validate=validate.Range(min=0, error="Phiên bản (version) không hợp lệ."),
               error_messages={"required": "Thiếu phiên bản dữ liệu đã đọc (version; 0 khi tạo mới).",
                               "invalid": "Phiên bản (version) không hợp lệ.", "null": "Phiên bản (version) không hợp lệ."},
               metadata={"description": "Phiên bản đã đọc (0 khi chưa có)"})


def _unit(required: bool = True) -> Text:
    return Text(required=required, max_length=64, validate=validate.Length(min=1, error="Thiếu mã đơn vị (unit)."),
                error_messages={"required": "Thiếu mã đơn vị (unit).", "null": "Thiếu mã đơn vị (unit)."},
                metadata={"description": "Mã đơn vị, ví dụ HT", "example": "HT"})


def _period(required: bool = True) -> PeriodText:
    return PeriodText(required=required, metadata={
        "type": "string", "example": "2024-Q3",
        "description": "Kỳ: 2024-Q1 … 2024-Q4, 2024-H1 (6 tháng), 2024-M9 (9 tháng), 2024-Y (năm)"})


def _text(name: str, description: str = "") -> Text:
    return Text(allow_none=True, max_length=TEXT_LIMITS[name],
                metadata={"description": description} if description else {})


class ApiSchema(Schema):
    """Base of the request schemas: unknown JSON fields are refused in Vietnamese."""

    error_messages = {"unknown": UNKNOWN_FIELD, "type": "phải là một đối tượng JSON."}


class QuerySchema(ApiSchema):
    """Base of the query-string schemas: unknown parameters are ignored."""

    class Meta:
        unknown = EXCLUDE


# ---------------------------------------------------------------- requests

class UnitQuery(QuerySchema):
    """?unit=CODE, optional."""

    unit = Text(max_length=64, metadata={"description": "Mã đơn vị, ví dụ HT"})


class PeriodQuery(QuerySchema):
    """?period=2024-Q3, optional (default: quý IV of the plan's year)."""

    period = _period(required=False)


class RequiredPeriodQuery(QuerySchema):
    """?period=2024-Q3, required."""

    period = _period()


class EvidenceUpload(QuerySchema):
    """The file of a multipart/form-data upload (other parts are ignored)."""

    file = Upload(required=True, error_messages={"required": "Thiếu tệp văn bản (trường file, PDF hoặc DOCX).",
                                                 "null": "Thiếu tệp văn bản (trường file, PDF hoặc DOCX)."},
                  metadata={"description": "Tệp PDF hoặc Word (.docx) của văn bản; loại tệp được kiểm tra theo "
                                           "nội dung"})


class UnitPeriodQuery(QuerySchema):
    """?unit=CODE&period=2024-Q3, both required."""

    unit = _unit()
    period = _period()


class TaskQuery(QuerySchema):
    """The task listing's filters: a plan (by id, or unit and year), a period, an area, an agency, a status."""

    plan = Int(metadata={"description": "Mã kế hoạch"})
    unit = Text(max_length=64, metadata={"description": "Mã đơn vị (cùng với year)"})
    year = Int(metadata={"description": "Năm kế hoạch (cùng với unit)"})
    period = _period(required=False)
    area = Text(max_length=32, metadata={"description": "Số La Mã hoặc mã lĩnh vực"})
    agency = Text(metadata={"description": "Tên (một phần) cơ quan chủ trì"})
    status = Text(validate=validate.OneOf(list(CLASSES), error="Trạng thái lọc không hợp lệ: '{input}'. "
                                                              "Chọn một trong: {choices}."),
                  metadata={"description": " | ".join(CLASSES)})

    @validates_schema
    def plan_or_unit_and_year(self, data: dict[str, Any], **kwargs: Any) -> None:
        """Require plan=ID, or unit=CODE with year=YYYY."""
        if data.get("plan") is None and not (data.get("unit") and data.get("year") is not None):
            raise ValidationError("Cần tham số plan=ID, hoặc unit=MÃ và year=NĂM.")


class StatusInput(ApiSchema):
    """A task's status for a period with its evidence; dates and texts are checked by the recording service."""

    period = _period()
    version = _version()
    status = Text(required=True, error_messages={"required": "Thiếu trạng thái (status): "
                                                             f"{', '.join(RECORDED)}."},
                  metadata={"enum": list(RECORDED)})
    completed_on = Text(allow_none=True, max_length=32,
                        metadata={"format": "date", "description": "Ngày hoàn thành"})
    result = _text("result", "Kết quả thực hiện")
    evidence_number = _text("evidence_number", "Số/ký hiệu văn bản")
    evidence_date = Text(allow_none=True, max_length=32,
                         metadata={"format": "date", "description": "Ngày ban hành văn bản"})
    evidence_title = _text("evidence_title", "Trích yếu")


class IndicatorInput(ApiSchema):
    """An indicator value for a unit and period (null deletes it)."""

    unit = _unit()
    period = _period()
    code = Text(required=True, max_length=64, validate=validate.Length(min=1, error="Thiếu mã chỉ tiêu (code)."),
                error_messages={"required": "Thiếu mã chỉ tiêu (code).", "null": "Thiếu mã chỉ tiêu (code)."})
    value = JsonNumber(required=True, allow_none=True, error_messages={
        "required": "Thiếu giá trị chỉ tiêu (value; null để xóa)."},
        metadata={"type": "number", "nullable": True, "description": "null: xóa số liệu"})
    note = Text(allow_none=True, load_default="", max_length=TEXT_LIMITS["note"])
    version = _version()


def _formats_ok(value: list[str]) -> None:
    if not value or any(name not in FORMATS for name in value):
        raise ValidationError(f"Định dạng không hợp lệ: {value!r}. Chọn trong: {', '.join(FORMATS)}.")


class ReportInput(ApiSchema):
    """Generate a unit's report for a period in the chosen formats."""

    unit = _unit()
    period = _period()
    formats = TextList(list(FORMATS), load_default=lambda: ["docx", "pdf"], validate=_formats_ok,
                       metadata={"default": ["docx", "pdf"]})
    number = Int(strict=True, allow_none=True,
                 validate=validate.Range(min=1, max=99999,
                                         error="Số văn bản (number) phải là số nguyên dương, nhỏ hơn 100000."),
                 error_messages={"invalid": "Số văn bản (number) phải là số nguyên dương.",
                                 "out_of_range": "Số văn bản (number) phải là số nguyên dương, nhỏ hơn 100000."},
                 metadata={"description": "Số văn bản; bỏ trống khi là dự thảo"})
    date = Day(invalid="Ngày báo cáo không hợp lệ: '{text}' (dạng YYYY-MM-DD).",
               metadata={"description": "Ngày báo cáo"})
    skip_broken = Bool(load_default=False, metadata={"description": "Vẫn tạo khi một plugin lỗi"})
    agency = Text(allow_none=True, metadata={
        "description": "Báo cáo riêng của một cơ quan của đơn vị về các nhiệm vụ cơ quan chủ trì (tên cơ quan)",
        "example": "Sở Nội vụ"})


# ---------------------------------------------------------------- administration requests

WEB_ROLES = ("admin", "editor", "viewer")  # superadmin is created on the command line only


def _required_text(message: str, description: str = "", example: str = "", max_length: int = TEXT_MAX) -> Text:
    metadata = {key: value for key, value in (("description", description), ("example", example)) if value}
    return Text(required=True, max_length=max_length, validate=validate.Length(min=1, error=message),
                error_messages={"required": message, "null": message}, metadata=metadata)


class UnitListQuery(QuerySchema):
    """?under=CODE (a unit and the units below it) and ?all=true (merged units too)."""

    under = Text(max_length=64, metadata={"description": "Mã đơn vị: chỉ đơn vị này và các đơn vị trực thuộc"})
    all = Bool(load_default=False, metadata={"description": "true: cả các đơn vị đã sáp nhập"})


class AllQuery(QuerySchema):
    """?all=true: merged records too."""

    all = Bool(load_default=False, metadata={"description": "true: cả các cơ quan đã hợp nhất"})


class UnitInput(ApiSchema):
    """A new unit: its official code, name, kind and parent (none only for a province)."""

    code = _required_text("Thiếu mã đơn vị (code).", "Mã đơn vị theo danh mục của Tổng cục Thống kê", "28999", 64)
    name = _required_text("Thiếu tên đơn vị (name).", "Tên đơn vị, kèm loại", "phường Thành Sen")
    kind = _required_text("Thiếu loại đơn vị (kind).", " | ".join(KINDS), "phuong", 16)
    parent = Text(allow_none=True, max_length=64,
                  metadata={"description": "Mã đơn vị cấp trên (bỏ trống: đơn vị cấp tỉnh)"})


class UnitPatch(ApiSchema):
    """A unit's new name and kind (rename) and/or new parent (move)."""

    name = Text(metadata={"description": "Tên mới"})
    kind = Text(max_length=16, metadata={"description": "Loại mới: " + " | ".join(KINDS)})
    parent = Text(max_length=64, metadata={"description": "Mã đơn vị cấp trên mới"})

    @validates_schema
    def something(self, data: dict[str, Any], **kwargs: Any) -> None:
        """Require at least one change."""
        if not any(data.get(name) for name in ("name", "kind", "parent")):
            raise ValidationError("Cần ít nhất một trong các trường name, kind, parent.")


class SettingsInput(ApiSchema):
    """Report settings to change (an empty value or null: back to the default); the service checks each value."""

    class Meta:
        include = {key: fields.Raw(allow_none=True, data_key=key, metadata={
            "description": f"{spec.label}: {spec.help}",
            **({"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]} if spec.multiple else
               {"oneOf": [{"type": "integer"}, {"type": "string"}]} if key.endswith("_day") else {"type": "string"})})
            for key, spec in SETTING_KEYS.items()}


class AgencyInput(ApiSchema):
    """A new agency of the unit."""

    name = _required_text("Thiếu tên cơ quan (name).", "Tên cơ quan", "Sở Xây dựng")


class UserInput(ApiSchema):
    """A new account of the admin's unit or below."""

    username = _required_text("Thiếu tên đăng nhập (username).", "Chữ không dấu, số và . _ -", "xd.nguyen", 64)
    role = Text(required=True, validate=validate.OneOf(list(WEB_ROLES), error="Vai trò không hợp lệ: '{input}'. "
                                                                           "Chọn một trong: {choices}."),
                error_messages={"required": "Thiếu vai trò (role): admin, editor hoặc viewer."},
                metadata={"enum": list(WEB_ROLES)})
    password = _required_text("Thiếu mật khẩu (password).", "Ít nhất 8 ký tự", max_length=1024)
    unit = _unit()
    agency = Text(allow_none=True, metadata={"description": "Tên cơ quan của đơn vị (bắt buộc với editor)"})
    full_name = Text(allow_none=True, metadata={"description": "Họ và tên"})
    email = Text(allow_none=True, max_length=254,
                 metadata={"description": "Thư điện tử nhận thư nhắc hạn nộp số liệu (không bắt buộc)",
                           "example": "xd.nguyen@soxaydung.gov.vn"})


# ---------------------------------------------------------------- responses (described, built by the views)

class ErrorSchema(Schema):
    """An error: the Vietnamese message, every reason (422) and the stored value (409)."""

    error = fields.String(required=True, metadata={"description": "Thông báo lỗi (tiếng Việt)"})
    errors = fields.List(fields.String(), metadata={"description": "Từng lý do (422)"})
    current = fields.Dict(allow_none=True, metadata={"description": "Giá trị đang lưu của người khác (409)"})


class UnitSchema(Schema):
    """An administrative unit, with the dates it was valid and its successor after a merger."""

    code = fields.String()
    name = fields.String()
    kind = fields.String(metadata={"enum": list(KINDS)})
    parent = fields.String(allow_none=True)
    depth = fields.Integer(metadata={"description": "Độ sâu trong cây (0: gốc của danh sách)"})
    valid_from = fields.Date(allow_none=True)
    valid_to = fields.Date(allow_none=True, metadata={"description": "Ngày cuối cùng tồn tại (đã sáp nhập)"})
    successor = fields.String(allow_none=True, metadata={"description": "Mã đơn vị kế tục"})


class UnitDetailSchema(UnitSchema):
    """One unit with its kind's name, place, children and predecessors."""

    kind_label = fields.String()
    place = fields.String()
    children = fields.List(fields.String())
    predecessors = fields.List(fields.String())


class UnitSettingsSchema(Schema):
    """A unit's report settings: every key with the value its reports use, and the keys it set itself."""

    unit = fields.String()
    name = fields.String()
    settings = fields.Dict(metadata={"description": "Khóa: " + ", ".join(SETTING_KEYS)})
    own = fields.List(fields.String(), metadata={"description": "Các khóa đơn vị tự đặt (còn lại: mặc định)"})


class AgencySchema(Schema):
    """An agency of a unit with its other names."""

    id = fields.Integer()
    name = fields.String()
    unit = fields.String()
    aliases = fields.List(fields.String())
    successor = fields.String(allow_none=True, metadata={"description": "Cơ quan kế tục sau hợp nhất"})


class UserSchema(Schema):
    """An account: role, unit, agency, whether it may sign in."""

    id = fields.Integer()
    username = fields.String()
    full_name = fields.String()
    role = fields.String(metadata={"enum": ["superadmin", *WEB_ROLES]})
    unit = fields.String(allow_none=True)
    agency = fields.String(allow_none=True)
    email = fields.String(metadata={"description": "Thư điện tử nhận thư nhắc (\"\": không có)"})
    active = fields.Boolean()


class PlanIdentityPatch(ApiSchema):
    """The plan's identity fields to fill in or correct; "" (or null for the date) clears one."""

    number = Text(max_length=32, allow_none=True, metadata={"description": "Số văn bản", "example": "4791"})
    symbol = Text(max_length=64, allow_none=True, metadata={"description": "Ký hiệu văn bản", "example": "QĐ-UBND"})
    date = Day("Ngày ban hành (date) không hợp lệ: '{text}' (ghi YYYY-MM-DD hoặc ngày/tháng/năm).",
               metadata={"description": "Ngày ban hành", "example": "2023-12-29"})
    place = Text(max_length=128, allow_none=True, metadata={"description": "Địa danh", "example": "Hải Phòng"})
    issuing_body = Text(max_length=255, allow_none=True, metadata={"description": "Cơ quan ban hành"})

    @validates_schema
    def something(self, data: dict[str, Any], **kwargs: Any) -> None:
        """Require at least one field."""
        if not data:
            raise ValidationError("Cần ít nhất một trong các trường number, symbol, date, place, issuing_body.")


class PlanIdentitySchema(Schema):
    """A plan's identity as a văn bản."""

    number = fields.String()
    symbol = fields.String()
    reference = fields.String(metadata={"example": "4791/QĐ-UBND"})
    date = fields.Date(allow_none=True)
    date_text = fields.String(metadata={"example": "ngày 29 tháng 12 năm 2023"})
    place = fields.String()
    issuing_body = fields.String()


class PlanAreaSchema(Schema):
    """A plan's reform area and the plugin that owns it."""

    numeral = fields.String()
    title = fields.String()
    area_code = fields.String(allow_none=True)
    tasks = fields.Integer()


class PlanTargetSchema(Schema):
    """A numeric target of a plan."""

    code = fields.String()
    name = fields.String()
    target = fields.Float(allow_none=True)
    unit = fields.String()
    text = fields.String()


class PlanSchema(Schema):
    """An imported CCHC plan (with areas and targets when read alone)."""

    id = fields.Integer()
    unit = fields.String()
    year = fields.Integer()
    title = fields.String()
    source_filename = fields.String()
    source_sha256 = fields.String()
    imported_at = fields.DateTime()
    imported_by = fields.String()
    tasks = fields.Integer()
    identity = fields.Nested(PlanIdentitySchema)
    areas = fields.List(fields.Nested(PlanAreaSchema))
    targets = fields.List(fields.Nested(PlanTargetSchema))


class EvidenceFileSchema(Schema):
    """A văn bản file attached to a status update, stored with its sha256."""

    id = fields.Integer()
    filename = fields.String()
    content_type = fields.String(metadata={"enum": ["application/pdf", "application/vnd.openxmlformats-"
                                                                       "officedocument.wordprocessingml.document"]})
    size = fields.Integer(metadata={"description": "Dung lượng (byte)"})
    sha256 = fields.String()
    uploaded_by = fields.String()
    uploaded_at = fields.DateTime()
    url = fields.String(metadata={"description": "Địa chỉ tải tệp"})


class StatusUpdateSchema(Schema):
    """A recorded status of a task for a data window (stored under its quarter's key), with its evidence."""

    period = fields.String(metadata={"description": "Khóa lưu: kỳ quý của bản ghi"})
    serves = fields.List(fields.String(), metadata={"description": "Các kỳ dùng chung bản ghi này, "
                                                                    "ví dụ [\"2024-Q4\", \"2024-Y\"]"})
    status = fields.String(metadata={"enum": list(RECORDED)})
    status_label = fields.String()
    completed_on = fields.Date(allow_none=True)
    result = fields.String()
    evidence_number = fields.String(metadata={"description": "Số/ký hiệu văn bản"})
    evidence_date = fields.Date(allow_none=True)
    evidence_title = fields.String(metadata={"description": "Trích yếu"})
    files = fields.List(fields.Nested(EvidenceFileSchema), metadata={"description": "Tệp văn bản đính kèm"})
    updated_by = fields.String()
    updated_at = fields.DateTime()
    version = fields.Integer()


class TaskAreaSchema(Schema):
    """The area a task belongs to."""

    numeral = fields.String()
    title = fields.String()
    code = fields.String(allow_none=True)


class TaskSchema(Schema):
    """A task as of a period: its report class, this period's update (and, read alone, every update)."""

    id = fields.Integer()
    plan_id = fields.Integer()
    number = fields.String()
    title = fields.String()
    area = fields.Nested(TaskAreaSchema)
    activity = fields.String()
    product = fields.String()
    lead = fields.List(fields.String())
    coord = fields.List(fields.String())
    deadline = fields.String()
    deadline_end = fields.Date(allow_none=True)
    period = fields.String()
    serves = fields.List(fields.String(), metadata={"description": "Các kỳ dùng chung bản ghi của kỳ này"})
    status = fields.String(metadata={"enum": list(CLASSES)})
    status_label = fields.String()
    update = fields.Nested(StatusUpdateSchema, allow_none=True)
    can_edit = fields.Boolean()
    updates = fields.List(fields.Nested(StatusUpdateSchema))


class SavedEvidenceSchema(Schema):
    """The attached file and the status update it belongs to."""

    file = fields.Nested(EvidenceFileSchema)
    update = fields.Nested(StatusUpdateSchema)


class SavedStatusSchema(Schema):
    """The stored status update."""

    update = fields.Nested(StatusUpdateSchema)


class IndicatorValueSchema(Schema):
    """A stored indicator value with its version."""

    code = fields.String()
    unit = fields.String()
    period = fields.String(metadata={"description": "Khóa lưu: kỳ quý của bản ghi"})
    serves = fields.List(fields.String(), metadata={"description": "Các kỳ dùng chung bản ghi này, "
                                                                    "ví dụ [\"2024-Q4\", \"2024-Y\"]"})
    value = fields.Float()
    note = fields.String()
    name = fields.String(allow_none=True)
    unit_of_measure = fields.String(allow_none=True)
    updated_by = fields.String()
    updated_at = fields.DateTime()
    version = fields.Integer()


class SavedValueSchema(Schema):
    """The stored value, or null once deleted."""

    value = fields.Nested(IndicatorValueSchema, allow_none=True)


class ReportFileSchema(Schema):
    """A file of a generated report version."""

    format = fields.String(metadata={"enum": list(FORMATS)})
    filename = fields.String()
    sha256 = fields.String()
    size = fields.Integer()
    url = fields.String()


class ReportSchema(Schema):
    """A generated report version with its files and their hashes."""

    id = fields.Integer()
    unit = fields.String(allow_none=True)
    agency = fields.String(allow_none=True, metadata={"description": "Cơ quan của báo cáo riêng; null: của đơn vị"})
    period = fields.String()
    version = fields.Integer()
    title = fields.String()
    created_at = fields.DateTime()
    created_by = fields.String()
    files = fields.List(fields.Nested(ReportFileSchema))


# ---------------------------------------------------------------- error messages

def messages_of(errors: Any, field: str = "") -> list[str]:
    """Return marshmallow's (or webargs') error dict as Vietnamese sentences, naming the field where needed."""
    if isinstance(errors, str):
        if errors in FIELD_MESSAGES:
            return [f"Trường '{field}' {errors}" if field else f"Nội dung yêu cầu {errors}"]
        return [errors]
    if isinstance(errors, (list, tuple)):
        return [message for item in errors for message in messages_of(item, field)]
    if isinstance(errors, dict):
        result = []
        for key, value in errors.items():
            if key in ("json", "query", "querystring", "_schema"):
                name = field
            elif isinstance(key, int):
                name = f"{field}[{key}]"
            else:
                name = f"{field}.{key}" if field else str(key)
            result.extend(messages_of(value, name))
        return result
    return [str(errors)]
