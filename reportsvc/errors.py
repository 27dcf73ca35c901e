"""Every error a user may see: a one-line Vietnamese message, its HTTP status and its CLI exit code.

The web (reportsvc.web.errors) and the command line (reportsvc.cli.support) each map these
classes once: the web answers ``http_status`` with a page (JSON under /api/), the CLI prints
"Lỗi: <message>" on stderr and exits with ``exit_code``. Anything that is not a UserError is a
bug: a logged 500 on the web, exit 1 on the command line.

Subclasses elsewhere: PeriodError (reportsvc.periods), PlanImportError (reportsvc.importing),
PluginError and HookFailure (reportsvc.hooks.registry), DatabaseError (reportsvc.db.engine),
AccountError (reportsvc.services.accounts), RenderError (reportsvc.render.view), ArchiveIntegrityError
(reportsvc.report.archive), OutOfScope (reportsvc.db.tenancy).
This module imports nothing from reportsvc.
"""
from __future__ import annotations

from typing import Any


class UserError(Exception):
    """A request the service refuses or cannot serve, explained in one Vietnamese line (400, exit 2)."""

    http_status = 400
    exit_code = 2
    title = "Yêu cầu không hợp lệ"

    def details(self) -> dict[str, Any]:
        """Return extra fields for a JSON error body (``{"error": message, **details}``)."""
        return {}


class NotFound(UserError):
    """A unit, plan, report or other record that does not exist (404)."""

    http_status = 404
    title = "Không tìm thấy"


class Forbidden(UserError):
    """The signed-in user may not do this; the message says why (403)."""

    http_status = 403
    title = "Không có quyền truy cập"


class Invalid(UserError):
    """Submitted values were refused; ``messages`` lists every reason in Vietnamese (422)."""

    http_status = 422
    title = "Dữ liệu không hợp lệ"

    def __init__(self, messages: list[str]) -> None:
        super().__init__(" ".join(messages))
        self.messages = messages

    def details(self) -> dict[str, Any]:
        """Return every reason as ``errors``."""
        return {"errors": self.messages}


class Conflict(UserError):
    """Someone else saved the same item since it was loaded (409); ``current`` is their value."""

    http_status = 409
    title = "Xung đột dữ liệu"

    def __init__(self, message: str, current: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.current = current

    def details(self) -> dict[str, Any]:
        """Return the stored value as ``current`` (the caller makes it JSON-safe)."""
        return {"current": self.current}


class Locked(UserError):
    """Data of a period that the compiling office has approved: closed to edits until reopened (423)."""

    http_status = 423
    title = "Số liệu đã được duyệt"


class SetupError(UserError):
    """The installation lacks or has broken something it needs, e.g. a report template (500, exit 2).

    Not the user's fault, but a known failure whose message tells an administrator what to fix,
    unlike an unexpected error.
    """

    http_status = 500
    title = "Lỗi cài đặt hệ thống"
