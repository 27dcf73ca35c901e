"""Task statuses as departments report them, and the derived report classes."""
from __future__ import annotations

from datetime import date

# What a department records for a task in a period.
RECORDED = {
    "done": "Đã hoàn thành",
    "in_progress": "Đang thực hiện",
    "not_started": "Chưa thực hiện",
}

# How the report classifies a task at the end of a data window (domain.md, annexes).
CLASSES = {
    "on_time": "Hoàn thành đúng hạn",
    "late": "Hoàn thành quá hạn",
    "in_progress": "Đang thực hiện",
    "not_started": "Chưa thực hiện",
    "overdue": "Quá hạn chưa hoàn thành",
}

# The report classes that count as completed.
DONE = ("on_time", "late")


def classify(recorded: str | None, completed_on: date | None, deadline: date | None, as_of: date) -> str:
    """Return the report class of a task given its latest recorded status and the window end."""
    if recorded == "done":
        if deadline and completed_on and completed_on > deadline:
            return "late"
        return "on_time"
    if deadline and deadline < as_of:
        return "overdue"
    return recorded if recorded in ("in_progress", "not_started") else "not_started"
