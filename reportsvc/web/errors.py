"""Error pages in Vietnamese (JSON under /api/): HTTP errors, a missing CSRF token, and every UserError.

A reportsvc.errors.UserError is answered with the status its class carries (NotFound 404,
Forbidden 403, Conflict 409, Invalid 422, RenderError and other SetupErrors 500 …) and its own
message; anything else is an unexpected error, logged with its traceback and shown as a plain 500.

Input no page or API call can use is refused here once, before any view reads it (``refuse_unusable_input``):
a NUL byte or a lone UTF-16 surrogate in any text sent (query, form, JSON, file name, path), JSON nested
deeper than ``MAX_JSON_DEPTH`` or too deep to decode (400), and an id in the path larger than a database
integer (404, as any id that does not exist). The API runs the same check after its token check.
"""
from __future__ import annotations

import logging
import re
from typing import Any, Iterator

from flask import Blueprint, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from reportsvc.errors import NotFound, UserError
from reportsvc.services.audit import jsonable
from reportsvc.services.recording import MAX_INTEGER

bp = Blueprint("errors", __name__)
log = logging.getLogger(__name__)

TITLES = {
    400: "Yêu cầu không hợp lệ",
    401: "Chưa đăng nhập",
    403: "Không có quyền truy cập",
    404: "Không tìm thấy trang",
    405: "Phương thức không được hỗ trợ",
    409: "Xung đột dữ liệu",
    413: "Tệp quá lớn",
    500: "Lỗi hệ thống",
}
MESSAGES = {
    400: "Yêu cầu gửi lên không hợp lệ.",
    401: "Bạn cần đăng nhập.",
    403: "Bạn không có quyền thực hiện thao tác này.",
    404: "Trang hoặc dữ liệu bạn tìm không tồn tại.",
    405: "Địa chỉ này không nhận phương thức yêu cầu đã gửi.",
    413: "Tệp tải lên vượt quá dung lượng cho phép.",
    500: "Đã xảy ra lỗi không mong đợi. Vui lòng thử lại hoặc báo cho quản trị viên.",
}


MAX_JSON_DEPTH = 32
"""How deeply a JSON body may nest objects and lists; no request of the API needs more than 3 levels."""
_UNUSABLE = re.compile("[\x00\ud800-\udfff]")
NUL_OR_SURROGATE = ("Dữ liệu gửi lên chứa ký tự không hợp lệ (ký tự NUL hoặc mã UTF-8 hỏng) trong {where}; "
                    "hãy gõ lại nội dung đó.")
TOO_DEEP = f"Dữ liệu JSON lồng nhau quá sâu (tối đa {MAX_JSON_DEPTH} cấp)."


def _json_texts(value: Any) -> Iterator[tuple[str, int]]:
    """Yield every text of a decoded JSON value (keys too) with its nesting depth, without recursing."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            yield item, depth
        elif isinstance(item, dict):
            yield "", depth + 1
            stack.extend((key, depth + 1) for key in item)
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            yield "", depth + 1
            stack.extend((child, depth + 1) for child in item)


def refuse_unusable_input() -> None:
    """Refuse what no view can use (400), and an id in the path past a database integer (404).

    Checked: query and form names and values, uploaded file names, path values and a JSON body.
    """
    for name, value in (request.view_args or {}).items():
        if isinstance(value, int) and value > MAX_INTEGER:
            raise NotFound(f"Không tìm thấy dữ liệu mã số {value}.")
        if isinstance(value, str) and _UNUSABLE.search(value):
            raise UserError(NUL_OR_SURROGATE.format(where="địa chỉ trang"))
    for where, pairs in (("tham số địa chỉ", request.args), ("biểu mẫu", request.form)):
        if any(not isinstance(name, str) for name in pairs):  # a multipart part without a name comes as None
            raise UserError(f"Dữ liệu gửi lên có một phần không có tên trong {where}; hãy gửi lại từ biểu mẫu.")
        if any(_UNUSABLE.search(text) for pair in pairs.items(multi=True) for text in pair):
            raise UserError(NUL_OR_SURROGATE.format(where=where))
    if any(_UNUSABLE.search(upload.filename or "") for upload in request.files.values()):
        raise UserError(NUL_OR_SURROGATE.format(where="tên tệp"))
    if request.is_json:
        try:
            body = request.get_json(silent=True)
        except RecursionError:
            raise UserError(TOO_DEEP) from None
        for text, depth in _json_texts(body):
            if depth > MAX_JSON_DEPTH:
                raise UserError(TOO_DEEP)
            if _UNUSABLE.search(text):
                raise UserError(NUL_OR_SURROGATE.format(where="nội dung JSON"))


@bp.before_app_request
def check_input() -> None:
    """Run ``refuse_unusable_input`` before every page (the API runs it itself, after its token check)."""
    if request.blueprint != "api":
        refuse_unusable_input()


def _respond(status: int, message: str, title: str = "", extra: dict[str, Any] | None = None) -> ResponseReturnValue:
    """Return the error as JSON for the API (``{"error": message, **extra}``), else as a page."""
    if request.path.startswith("/api/"):
        return jsonify({"error": message, **jsonable(extra or {})}), status
    return render_template("error.html", status=status, title=title or TITLES.get(status, "Lỗi"),
                           message=message), status


def _message(exc: HTTPException, status: int) -> str:
    """Return the exception's own Vietnamese description if a view gave one, else the standard one."""
    default_description = type(exc).description
    description = exc.description if exc.description and exc.description != default_description else ""
    return description or MESSAGES.get(status, "Đã xảy ra lỗi.")


@bp.app_errorhandler(CSRFError)
def csrf_error(exc: CSRFError) -> ResponseReturnValue:
    """Refuse a form sent without a valid CSRF token (400)."""
    return _respond(400, "Biểu mẫu đã hết hạn hoặc thiếu mã bảo mật (CSRF). Hãy tải lại trang rồi gửi lại.")


@bp.app_errorhandler(HTTPException)
def http_error(exc: HTTPException) -> ResponseReturnValue:
    """Render any HTTP error (abort) in Vietnamese."""
    status = exc.code or 500
    if status == 413:
        limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
        return _respond(413, f"Tệp tải lên vượt quá dung lượng cho phép ({limit // (1024 * 1024)} MB).")
    return _respond(status, _message(exc, status))


@bp.app_errorhandler(UserError)
def user_error(exc: UserError) -> ResponseReturnValue:
    """Any error meant for the user, answered with its class's status (reportsvc.errors): 403, 404, 409, 422, 500 …"""
    if exc.http_status >= 500:  # a known failure of the installation: the administrator should see it in the log
        log.error("%s on %s %s: %s", type(exc).__name__, request.method, request.path, exc, exc_info=exc)
    return _respond(exc.http_status, str(exc), title=exc.title, extra=exc.details())


@bp.app_errorhandler(Exception)
def unexpected(exc: Exception) -> ResponseReturnValue:
    """An unexpected failure: logged with its traceback, shown as a plain 500 page."""
    if isinstance(exc, HTTPException):  # pragma: no cover - handled above
        return http_error(exc)
    if current_app.testing:
        raise exc
    log.exception("Unhandled error on %s %s", request.method, request.path)
    return _respond(500, MESSAGES[500])
