"""The one exception plan import raises: its message is Vietnamese and meant for the user."""
from __future__ import annotations

from reportsvc.errors import UserError


class PlanImportError(UserError):
    """A plan file or import request was refused; ``str(error)`` is the user-facing message (exit code 2)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message
