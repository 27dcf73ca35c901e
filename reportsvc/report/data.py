"""The data behind a report, as a documented JSON for provincial and national reporting systems.

The document follows the notions of the national reporting information system's technical rules
(QCVN 125:2021/BTTTT): a report form (``form``), the reporting unit (``unit``), a reporting period
(``period``) with its data window, indicators (``indicators``: target, value, same period of the
year before, % achieved) and values, plus the tasks with their status and evidence and the
completeness of the units and agencies that report to it. Its JSON Schema is
``docs/report-data.schema.json`` (tests validate every demo report against it). It is built from
the Report model alone, like the DOCX and the PDF, so all three say the same.
"""
from __future__ import annotations

import json
from datetime import date
from typing import Any

from reportsvc.report.model import AreaSection, CompletenessEntry, IndicatorRow, Report, TaskItem

SCHEMA_ID = "https://reportsvc.example.org/schemas/report-data/1.json"
FORM = {"code": "BC-CCHC", "name": "Báo cáo kết quả thực hiện công tác cải cách hành chính"}
PERIOD_KINDS = {"Q": "quy", "H": "6thang", "M": "9thang", "Y": "nam"}


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _task(task: TaskItem) -> dict[str, Any]:
    return {"number": task.number, "title": task.title, "lead": task.lead, "deadline": task.deadline,
            "deadline_date": _day(task.deadline_end), "status": task.status, "status_label": task.status_label,
            "result": task.result,
            "evidence": [{"number": d.number, "date": _day(d.date), "title": d.title} for d in task.documents]}


def _indicator(row: IndicatorRow, area: AreaSection) -> dict[str, Any]:
    return {"code": row.code, "name": row.name, "area": area.code, "unit_of_measure": row.unit,
            "target": row.target, "target_text": row.target_text, "value": row.actual,
            "same_period_last_year": row.last_year, "achieved_percent": row.achieved_percent,
            "higher_is_better": row.higher_is_better, "rolled_up_from": row.rolled_up_from}


def _completeness(entry: CompletenessEntry) -> dict[str, Any]:
    return {"name": entry.name, "kind": entry.kind, "unit_kind": entry.unit_kind or None, "level": entry.level,
            "tasks_assigned": entry.assigned, "tasks_reported": entry.reported, "has_values": entry.has_values,
            "submission": entry.submission.state, "submission_label": entry.submission.label,
            "submitted_on": _day(entry.submitted_on), "deadline": _day(entry.deadline),
            "timeliness": entry.timeliness.key, "timeliness_label": entry.timeliness.label,
            "days_late": entry.timeliness.days_late}


def _summary(areas: list[AreaSection]) -> dict[str, int]:
    tasks = [task for area in areas for task in area.tasks]
    counts = {key: sum(1 for task in tasks if task.status == key)
              for key in ("on_time", "late", "in_progress", "not_started", "overdue")}
    return {"tasks": len(tasks), "done": counts["on_time"] + counts["late"], **counts}


def report_data(report: Report) -> dict[str, Any]:
    """Return the data behind ``report`` as the documented JSON object (see docs/report-data.schema.json)."""
    return {
        "$schema": SCHEMA_ID,
        "form": FORM,
        "unit": {"code": report.unit_code, "name": report.unit_name, "kind": report.unit_kind or None},
        "agency": report.agency or None,
        "period": {"key": report.period.key, "kind": PERIOD_KINDS.get(report.period_kind, report.period_kind),
                   "label": report.period.label, "start": _day(report.period.start),
                   "end": _day(report.period.end)},
        "subject": report.subject,
        "summary": _summary(report.areas),
        "areas": [{"code": area.code, "title": area.title, "plugin": area.plugin, "missing": area.missing or None,
                   "tasks": [_task(task) for task in area.tasks]} for area in report.areas],
        "indicators": [_indicator(row, area) for area in report.areas for row in area.indicators],
        "completeness": [_completeness(entry) for entry in report.completeness],
        "warnings": list(report.warnings),
    }


def report_data_json(report: Report) -> bytes:
    """Return :func:`report_data` as UTF-8 JSON (Vietnamese kept as text, not escaped)."""
    return json.dumps(report_data(report), ensure_ascii=False, indent=1).encode("utf-8")
