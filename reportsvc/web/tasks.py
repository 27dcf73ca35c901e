"""Tasks: the filterable list of a plan's tasks and a task's page with its status form (with evidence),
the văn bản files attached to a status record, and their download."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_wtf.file import FileField
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from reportsvc.db.models import Plan, Task
from reportsvc.periods import Period, parse_period
from reportsvc.services import evidence
from reportsvc.services import tasks as task_service
from reportsvc.services.overview import default_period
from reportsvc.services.permissions import can_edit_task, check_task
from reportsvc.errors import Conflict, Invalid, Locked
from reportsvc.services.recording import record_status, status_snapshot, whole_number
from reportsvc.services.tasks import NO_UPDATE, TaskFilter
from reportsvc.status import CLASSES
from reportsvc.web.common import (actor, arg, db, entry_periods, pick_period, send_download, services,
                                  shared_record_text, year_to_date_text)
from reportsvc.web.forms import PageForm, PeriodField, TaskStatusForm

bp = Blueprint("tasks", __name__, url_prefix="/tasks")


class EvidenceForm(PageForm):
    """The văn bản (PDF or DOCX) to attach to the task's status record of a period."""

    period = PeriodField("Kỳ")
    file = FileField("Tệp văn bản")


def _default_plan(plans: list[Plan]) -> Plan | None:
    mine = [p for p in plans if p.unit_id == actor().unit_id]
    return (mine or plans or [None])[0]


def _default_period(session: Session, plan: Plan) -> Period:
    """Return the unit's default period when the plan covers its year, else Q4 of the plan's nearest year."""
    default = default_period(session, plan.unit)
    if plan.year <= default.year <= plan.year_end:
        return default
    return Period(min(max(default.year, plan.year), plan.year_end), "Q", 4)


def _entry_periods(plan: Plan, selected: Period) -> list[Period]:
    """Return the periods offered for the plan: every quarter of its years and the reports its unit files."""
    return entry_periods(plan.unit, range(plan.year, plan.year_end + 1), selected)


@bp.get("")
def index() -> ResponseReturnValue:
    """List a plan's tasks, filtered by area, lead agency, status and period."""
    session = db()
    plans = task_service.current_plans(session)
    plan_id = arg("plan")
    plan = next((p for p in plans if str(p.id) == plan_id), None) if plan_id else _default_plan(plans)
    if plan_id and plan is None:
        abort(404, description=f"Không tìm thấy kế hoạch số {plan_id}.")
    if plan is None:
        return render_template("tasks/index.html", plans=plans, plan=None, rows=[], filters={})
    period = pick_period(arg("period"), _default_period(session, plan))
    filters = {"area": arg("area"), "agency": arg("agency"), "status": arg("status"), "q": arg("q")}
    if filters["agency"] == "mine":
        filters["agency"] = str(actor().agency_id or "")
    rows = task_service.list_tasks(session, actor(), plan, period, TaskFilter(
        area_id=whole_number(filters["area"]), lead_agency_id=whole_number(filters["agency"]),
        status=filters["status"], text=filters["q"]))
    return render_template("tasks/index.html", plans=plans, plan=plan, period=period, rows=rows, filters=filters,
                           areas=task_service.plan_areas(session, plan),
                           agencies=task_service.lead_agencies(session, plan), periods=_entry_periods(plan, period),
                           shared=shared_record_text(period),
                           no_update=NO_UPDATE, classes=CLASSES)


def _stored_form(task: Task, period: Period) -> dict[str, Any]:
    """Return the status form's values for ``period``: the record of its window, else the latest earlier status."""
    stored = task_service.stored_update(task, period)
    snapshot = status_snapshot(stored) or {}
    form = {key: snapshot.get(key) or "" for key in TaskStatusForm.ENTRY_FIELDS}
    earlier = [u for u in task.updates if parse_period(u.period_key).record < period.record]
    if not stored and earlier:
        form["status"] = max(earlier, key=lambda u: parse_period(u.period_key).record).status
    for key in ("completed_on", "evidence_date"):
        form[key] = form[key].strftime("%d/%m/%Y") if form[key] else ""
    return form


def _render_task(task: Task, period: Period, form: dict[str, Any] | None = None, version: int | None = None,
                 errors: list[str] | None = None, conflict: Conflict | None = None,
                 status: int = 200, evidence_errors: list[str] | None = None) -> ResponseReturnValue:
    """Render a task's page with its status form for ``period`` (pre-filled from the record of its window)."""
    row = task_service.task_row(actor(), task, period)
    stored = row.update
    if version is None:
        version = stored.version if stored else 0
    history = sorted(task.updates, key=lambda u: parse_period(u.period_key).record, reverse=True)
    return render_template("tasks/detail.html", task=task, period=period, item=row.item, stored=stored,
                           form=form if form is not None else _stored_form(task, period), version=version,
                           errors=errors or [], conflict=conflict, history=history,
                           editable=can_edit_task(db(), actor(), task), periods=_entry_periods(task.plan, period),
                           shared=shared_record_text(period), year_to_date=year_to_date_text(task.plan.unit, period),
                           record_key=period.record_key, evidence_errors=evidence_errors or [],
                           files=evidence.files_of(db(), [u.id for u in task.updates]),
                           max_evidence_mb=evidence.MAX_EVIDENCE_MB,
                           leads=[ta.agency for ta in task.agencies if ta.role == "lead"],
                           coords=[ta.agency for ta in task.agencies if ta.role == "coord"]), status


@bp.get("/<int:task_id>")
def detail(task_id: int) -> ResponseReturnValue:
    """Show a task, its status history and (when allowed) the status form for a period."""
    task = task_service.load_task(db(), task_id)
    return _render_task(task, pick_period(arg("period"), _default_period(db(), task.plan)))


@bp.post("/<int:task_id>/status")
def update_status(task_id: int) -> ResponseReturnValue:
    """Record the task's status for a period with its evidence (số/ký hiệu, date, result)."""
    session = db()
    task = task_service.load_task(session, task_id)
    check_task(session, actor(), task)  # a refusal comes before any complaint about the values
    form = TaskStatusForm()
    form.validate()
    if form.period.errors:
        abort(400, description=form.period.errors[0])
    period = form.period.period_or(Period(task.plan.year, "Q", 4))
    try:
        if form.entry_errors():
            raise Invalid(form.entry_errors())
        record_status(session, services().registry, actor(), task, form.entered(), period.key, form.version.data)
        session.commit()
    except Invalid as exc:
        session.rollback()
        return _render_task(task, period, form.typed(), errors=exc.messages, status=422,
                            version=form.version.data or 0)
    except Locked as exc:
        session.rollback()
        return _render_task(task, period, form.typed(), errors=[str(exc)], status=423, version=form.version.data or 0)
    except Conflict as exc:
        session.rollback()
        task = task_service.load_task(session, task_id)
        current = exc.current or {}
        return _render_task(task, period, form.typed(), version=current.get("version", 0), conflict=exc, status=409)
    flash(f"Đã lưu tiến độ nhiệm vụ {task.full_number} ({period.short_label}).", "success")
    return redirect(url_for("tasks.detail", task_id=task.id, period=period.key))


@bp.post("/<int:task_id>/evidence")
def upload_evidence(task_id: int) -> ResponseReturnValue:
    """Attach the PDF or DOCX of a văn bản to the task's status record of a period."""
    session = db()
    task = task_service.load_task(session, task_id)
    check_task(session, actor(), task)  # a refusal comes before any complaint about the file
    form = EvidenceForm()
    form.validate()
    if form.period.errors:
        abort(400, description=form.period.errors[0])
    period = form.period.period_or(Period(task.plan.year, "Q", 4))
    upload = form.file.data
    if upload is None or not getattr(upload, "filename", ""):
        return _render_task(task, period, evidence_errors=[f"Hãy chọn tệp văn bản ({evidence.ACCEPTED}) để đính kèm."],
                            status=422)
    try:
        row = evidence.attach(session, actor(), task, period, upload.filename, upload.read())
        session.commit()
    except (Invalid, Locked) as exc:
        session.rollback()
        task = task_service.load_task(session, task_id)
        return _render_task(task, period, evidence_errors=[str(exc)], status=exc.http_status)
    flash(f"Đã đính kèm tệp “{row.filename}” vào tiến độ {period.short_label}.", "success")
    return redirect(url_for("tasks.detail", task_id=task.id, period=period.key, _anchor="van-ban"))


@bp.get("/evidence/<int:file_id>")
def download_evidence(file_id: int) -> ResponseReturnValue:
    """Download an attached văn bản (whoever may read its task; its sha256 is checked first)."""
    return send_download(evidence.evidence_file(db(), file_id))
