"""The OpenAPI 3 document of /api/v1, written by hand (a test checks it names every API route)."""
from __future__ import annotations

from typing import Any


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERRORS = {
    "400": {"$ref": "#/components/responses/BadRequest"},
    "401": {"$ref": "#/components/responses/Unauthorized"},
    "403": {"$ref": "#/components/responses/Forbidden"},
    "404": {"$ref": "#/components/responses/NotFound"},
    "422": {"$ref": "#/components/responses/Invalid"},
}
READ_ERRORS = {k: ERRORS[k] for k in ("400", "401", "404", "422")}
CONFLICT = {"409": _json({"allOf": [_ref("Error"), {"type": "object", "properties": {
    "current": {"type": "object", "nullable": True, "description": "Giá trị đang lưu (của người khác)"}}}]},
    "Xung đột: dữ liệu đã được người khác sửa sau khi bạn đọc (version cũ); không có gì bị ghi đè.")}


def _param(name: str, where: str, description: str, schema: dict[str, Any] | None = None,
           required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": where, "description": description, "required": required or where == "path",
            "schema": schema or {"type": "string"}}


PERIOD = _param("period", "query", "Kỳ: 2024-Q1 … 2024-Q4, 2024-H1, 2024-M9, 2024-Y")
UNIT = _param("unit", "query", "Mã đơn vị, ví dụ HT")
REPORT_ID = _param("report_id", "path", "Mã báo cáo", {"type": "integer"})

SCHEMAS: dict[str, Any] = {
    "Error": {"type": "object", "required": ["error"], "properties": {
        "error": {"type": "string", "description": "Thông báo lỗi (tiếng Việt)"},
        "errors": {"type": "array", "items": {"type": "string"}}}},
    "Unit": {"type": "object", "properties": {"code": {"type": "string"}, "name": {"type": "string"},
                                              "kind": {"type": "string", "enum": ["tinh", "huyen", "xa"]},
                                              "parent": {"type": "string", "nullable": True}}},
    "Plan": {"type": "object", "properties": {
        "id": {"type": "integer"}, "unit": {"type": "string"}, "year": {"type": "integer"},
        "title": {"type": "string"}, "source_filename": {"type": "string"}, "source_sha256": {"type": "string"},
        "imported_at": {"type": "string", "format": "date-time"}, "imported_by": {"type": "string"},
        "tasks": {"type": "integer"},
        "areas": {"type": "array", "items": {"type": "object"}}, "targets": {"type": "array", "items": {"type": "object"}}}},
    "StatusUpdate": {"type": "object", "properties": {
        "period": {"type": "string"}, "status": {"type": "string", "enum": ["done", "in_progress", "not_started"]},
        "status_label": {"type": "string"}, "completed_on": {"type": "string", "format": "date", "nullable": True},
        "result": {"type": "string"}, "evidence_number": {"type": "string", "description": "Số/ký hiệu văn bản"},
        "evidence_date": {"type": "string", "format": "date", "nullable": True},
        "evidence_title": {"type": "string", "description": "Trích yếu"}, "updated_by": {"type": "string"},
        "updated_at": {"type": "string", "format": "date-time"}, "version": {"type": "integer"}}},
    "Task": {"type": "object", "properties": {
        "id": {"type": "integer"}, "plan_id": {"type": "integer"}, "number": {"type": "string"},
        "title": {"type": "string"}, "area": {"type": "object"}, "activity": {"type": "string"},
        "product": {"type": "string"}, "lead": {"type": "array", "items": {"type": "string"}},
        "coord": {"type": "array", "items": {"type": "string"}}, "deadline": {"type": "string"},
        "deadline_end": {"type": "string", "format": "date", "nullable": True}, "period": {"type": "string"},
        "status": {"type": "string", "enum": ["on_time", "late", "in_progress", "not_started", "overdue"]},
        "status_label": {"type": "string"}, "update": {"allOf": [_ref("StatusUpdate")], "nullable": True},
        "can_edit": {"type": "boolean"},
        "updates": {"type": "array", "items": _ref("StatusUpdate")}}},
    "StatusInput": {"type": "object", "required": ["period", "version", "status"], "properties": {
        "period": {"type": "string", "example": "2024-Q3"},
        "version": {"type": "integer", "description": "Phiên bản đã đọc (0 khi chưa có cập nhật của kỳ này)"},
        "status": {"type": "string", "enum": ["done", "in_progress", "not_started"]},
        "completed_on": {"type": "string", "format": "date"}, "result": {"type": "string"},
        "evidence_number": {"type": "string"}, "evidence_date": {"type": "string", "format": "date"},
        "evidence_title": {"type": "string"}}},
    "IndicatorValue": {"type": "object", "properties": {
        "code": {"type": "string"}, "unit": {"type": "string"}, "period": {"type": "string"},
        "value": {"type": "number"}, "note": {"type": "string"}, "name": {"type": "string"},
        "unit_of_measure": {"type": "string"}, "updated_by": {"type": "string"},
        "updated_at": {"type": "string", "format": "date-time"}, "version": {"type": "integer"}}},
    "IndicatorInput": {"type": "object", "required": ["unit", "period", "code", "value", "version"], "properties": {
        "unit": {"type": "string"}, "period": {"type": "string"}, "code": {"type": "string"},
        "value": {"type": "number", "nullable": True, "description": "null: xóa số liệu"},
        "note": {"type": "string"}, "version": {"type": "integer"}}},
    "ReportFile": {"type": "object", "properties": {
        "format": {"type": "string", "enum": ["docx", "pdf", "pdfa"]}, "filename": {"type": "string"},
        "sha256": {"type": "string"}, "size": {"type": "integer"}, "url": {"type": "string"}}},
    "Report": {"type": "object", "properties": {
        "id": {"type": "integer"}, "unit": {"type": "string"}, "period": {"type": "string"},
        "version": {"type": "integer"}, "title": {"type": "string"},
        "created_at": {"type": "string", "format": "date-time"}, "created_by": {"type": "string"},
        "files": {"type": "array", "items": _ref("ReportFile")}}},
    "ReportInput": {"type": "object", "required": ["unit", "period"], "properties": {
        "unit": {"type": "string"}, "period": {"type": "string"},
        "formats": {"type": "array", "items": {"type": "string", "enum": ["docx", "pdf", "pdfa"]},
                    "default": ["docx", "pdf"]},
        "number": {"type": "integer", "description": "Số văn bản; bỏ trống khi là dự thảo"},
        "date": {"type": "string", "format": "date"}, "skip_broken": {"type": "boolean"}}},
}


def _paths() -> dict[str, Any]:
    return {
        "/api/v1/openapi.json": {"get": {"summary": "Tài liệu OpenAPI này", "security": [],
                                         "responses": {"200": {"description": "Tài liệu OpenAPI 3"}}}},
        "/api/v1/units": {"get": {"summary": "Danh sách đơn vị hành chính", "responses": {
            "200": _json({"type": "array", "items": _ref("Unit")}, "Các đơn vị"), **READ_ERRORS}}},
        "/api/v1/plans": {"get": {"summary": "Danh sách kế hoạch CCHC", "parameters": [UNIT], "responses": {
            "200": _json({"type": "array", "items": _ref("Plan")}, "Các kế hoạch"), **READ_ERRORS}}},
        "/api/v1/plans/{plan_id}": {"get": {
            "summary": "Một kế hoạch với các lĩnh vực và chỉ tiêu",
            "parameters": [_param("plan_id", "path", "Mã kế hoạch", {"type": "integer"})],
            "responses": {"200": _json(_ref("Plan"), "Kế hoạch"), **READ_ERRORS}}},
        "/api/v1/tasks": {"get": {
            "summary": "Nhiệm vụ của một kế hoạch, có lọc",
            "parameters": [_param("plan", "query", "Mã kế hoạch", {"type": "integer"}), UNIT,
                           _param("year", "query", "Năm kế hoạch (cùng với unit)", {"type": "integer"}), PERIOD,
                           _param("area", "query", "Số La Mã hoặc mã lĩnh vực"),
                           _param("agency", "query", "Tên (một phần) cơ quan chủ trì"),
                           _param("status", "query", "on_time | late | in_progress | not_started | overdue")],
            "responses": {"200": _json({"type": "array", "items": _ref("Task")}, "Các nhiệm vụ"), **READ_ERRORS}}},
        "/api/v1/tasks/{task_id}": {"get": {
            "summary": "Một nhiệm vụ với lịch sử cập nhật tiến độ",
            "parameters": [_param("task_id", "path", "Mã nhiệm vụ", {"type": "integer"}), PERIOD],
            "responses": {"200": _json(_ref("Task"), "Nhiệm vụ"), **READ_ERRORS}}},
        "/api/v1/tasks/{task_id}/status": {"post": {
            "summary": "Cập nhật tiến độ nhiệm vụ cho một kỳ (kèm văn bản minh chứng)",
            "description": "Quản trị viên, hoặc cán bộ của cơ quan chủ trì nhiệm vụ. Gửi version đã đọc "
                           "(0 khi tạo mới); version cũ nhận 409 và không ghi đè.",
            "parameters": [_param("task_id", "path", "Mã nhiệm vụ", {"type": "integer"})],
            "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("StatusInput")}}},
            "responses": {"200": _json({"type": "object", "properties": {"update": _ref("StatusUpdate")}}, "Đã sửa"),
                          "201": _json({"type": "object", "properties": {"update": _ref("StatusUpdate")}}, "Đã tạo"),
                          **ERRORS, **CONFLICT}}},
        "/api/v1/indicator-values": {
            "get": {"summary": "Số liệu chỉ tiêu của một đơn vị trong một kỳ",
                    "parameters": [{**UNIT, "required": True}, {**PERIOD, "required": True}],
                    "responses": {"200": _json({"type": "array", "items": _ref("IndicatorValue")}, "Các số liệu"),
                                  **READ_ERRORS}},
            "post": {"summary": "Nhập hoặc sửa số liệu chỉ tiêu (kiểm tra kiểu và giới hạn)",
                     "description": "Quản trị viên, hoặc cán bộ của cơ quan chủ trì nhiệm vụ thuộc lĩnh vực của "
                                    "chỉ tiêu. Gửi version đã đọc (0 khi tạo mới).",
                     "requestBody": {"required": True,
                                     "content": {"application/json": {"schema": _ref("IndicatorInput")}}},
                     "responses": {"200": _json({"type": "object", "properties": {
                         "value": {"allOf": [_ref("IndicatorValue")], "nullable": True}}}, "Đã lưu"),
                         **ERRORS, **CONFLICT}}},
        "/api/v1/reports": {
            "get": {"summary": "Các phiên bản báo cáo đã tạo (kho lưu trữ)", "parameters": [UNIT],
                    "responses": {"200": _json({"type": "array", "items": _ref("Report")}, "Các phiên bản"),
                                  **READ_ERRORS}},
            "post": {"summary": "Tạo báo cáo (quản trị viên); trả về mã báo cáo",
                     "requestBody": {"required": True,
                                     "content": {"application/json": {"schema": _ref("ReportInput")}}},
                     "responses": {"201": _json(_ref("Report"), "Đã tạo"), **ERRORS}}},
        "/api/v1/reports/{report_id}": {"get": {
            "summary": "Một phiên bản báo cáo với các tệp và mã băm", "parameters": [REPORT_ID],
            "responses": {"200": _json(_ref("Report"), "Báo cáo"), **READ_ERRORS}}},
        "/api/v1/reports/{report_id}/files/{fmt}": {"get": {
            "summary": "Tải tệp báo cáo",
            "parameters": [REPORT_ID, _param("fmt", "path", "docx | pdf | pdfa",
                                             {"type": "string", "enum": ["docx", "pdf", "pdfa"]})],
            "responses": {"200": {"description": "Tệp báo cáo", "content": {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {
                    "schema": {"type": "string", "format": "binary"}},
                "application/pdf": {"schema": {"type": "string", "format": "binary"}}}}, **READ_ERRORS}}},
    }


def document() -> dict[str, Any]:
    """Return the OpenAPI 3.0 document of the API."""
    error = _json(_ref("Error"), "Lỗi")
    return {
        "openapi": "3.0.3",
        "info": {"title": "reportsvc API", "version": "1",
                 "description": "API báo cáo cải cách hành chính định kỳ. Xác thực: 'Authorization: Bearer <mã>' "
                                "(tạo mã ở trang Tài khoản hoặc bằng lệnh 'reportsvc users token TÊN')."},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": _paths(),
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": SCHEMAS,
            "responses": {
                "BadRequest": {**error, "description": "Yêu cầu không hợp lệ"},
                "Unauthorized": {**error, "description": "Thiếu hoặc sai mã truy cập"},
                "Forbidden": {**error, "description": "Không có quyền"},
                "NotFound": {**error, "description": "Không tìm thấy"},
                "Invalid": {**error, "description": "Dữ liệu không hợp lệ"},
            },
        },
    }
