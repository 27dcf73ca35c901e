"""Tasks: the filterable list of a plan's tasks and a task's page with its status form (with evidence)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from reportsvc.collect.standard import task_item
from reportsvc.services.overview import default_period
from reportsvc.db.models import Agency, Plan, PlanArea, StatusUpdate, Task, TaskAgency
from reportsvc.periods import Period
from reportsvc.services.permissions import can_edit_task
from reportsvc.services.recording import Conflict, Invalid, parse_version, record_status, status_snapshot
from reportsvc.report.model import TaskItem
from reportsvc.status import CLASSES
from reportsvc.db.unitsettings import settings_of
from reportsvc.web.common import actor, arg, db, entry_periods, pick_period, services

bp = Blueprint("tasks", __name__, url_prefix="/tasks")
NO_UPDATE = "no_update"


@dataclass
class TaskRow:
    """A task in the list: the task, its report class as of the period's end, this period's update."""

    task: Task
    item: TaskItem
    update: StatusUpdate | None
    editable: bool


def _plans(session: Any) -> list[Plan]:
    return list(session.scalars(select(Plan).where(Plan.year > 0).options(selectinload(Plan.unit))
                                .order_by(Plan.year.desc(), Plan.unit_id)))


def _default_plan(plans: list[Plan]) -> Plan | None:
    mine = [p for p in plans if p.unit_id == actor().unit_id]
    return (mine or plans or [None])[0]


def _period_for(session: Any, plan: Plan, text: str) -> Period:
    default = default_period(session, plan.unit)
    if default.year != plan.year:
        default = Period(plan.year, "Q", 4)
    return pick_period(text, default)


@bp.get("")
def index() -> ResponseReturnValue:
    """List a plan's tasks, filtered by area, lead agency, status and period."""
    session = db()
    plans = _plans(session)
    plan_id = arg("plan")
    plan = next((p for p in plans if str(p.id) == plan_id), None) if plan_id else _default_plan(plans)
    if plan_id and plan is None:
        abort(404, description=f"Không tìm thấy kế hoạch số {plan_id}.")
    if plan is None:
        return render_template("tasks/index.html", plans=plans, plan=None, rows=[], filters={})
    period = _period_for(session, plan, arg("period"))
    filters = {"area": arg("area"), "agency": arg("agency"), "status": arg("status"), "q": arg("q")}
    if filters["agency"] == "mine":
        filters["agency"] = str(actor().agency_id or "")
    stmt = (select(Task).where(Task.plan_id == plan.id)
            .options(selectinload(Task.agencies).selectinload(TaskAgency.agency), selectinload(Task.updates),
                     selectinload(Task.area)).order_by(Task.position))
    if filters["area"].isdigit():
        stmt = stmt.where(Task.area_id == int(filters["area"]))
    if filters["agency"].isdigit():
        stmt = stmt.where(Task.id.in_(select(TaskAgency.task_id).where(TaskAgency.agency_id == int(filters["agency"]),
                                                                      TaskAgency.role == "lead")))
    cutoff = settings_of(plan.unit).cutoff
    end = period.window(cutoff)[1]
    needle = filters["q"].casefold()
    rows = []
    for task in session.scalars(stmt):
        if needle and needle not in task.title.casefold():
            continue
        item = task_item(task, end, cutoff)
        update = next((u for u in task.updates if u.period_key == period.key), None)
        status = filters["status"]
        if status and ((status == NO_UPDATE and update is not None) or (status != NO_UPDATE and item.status != status)):
            continue
        editable = actor().is_admin or (actor().role == "editor" and any(
            ta.agency_id == actor().agency_id and ta.role == "lead" for ta in task.agencies))
        rows.append(TaskRow(task, item, update, editable))
    areas = list(session.scalars(select(PlanArea).where(PlanArea.plan_id == plan.id).order_by(PlanArea.position)))
    agencies = list(session.scalars(select(Agency).join(TaskAgency).join(Task)
                                    .where(Task.plan_id == plan.id, TaskAgency.role == "lead")
                                    .distinct().order_by(Agency.name)))
    return render_template("tasks/index.html", plans=plans, plan=plan, period=period, rows=rows, filters=filters,
                           areas=areas, agencies=agencies, periods=entry_periods(plan.year), no_update=NO_UPDATE,
                           classes=CLASSES)


def _load_task(task_id: int) -> Task:
    task = db().scalar(select(Task).where(Task.id == task_id)
                       .options(selectinload(Task.agencies).selectinload(TaskAgency.agency),
                                selectinload(Task.updates), selectinload(Task.area),
                                selectinload(Task.plan).selectinload(Plan.unit)))
    if task is None:
        abort(404, description=f"Không tìm thấy nhiệm vụ số {task_id}.")
    return task


def _render_task(task: Task, period: Period, form: dict[str, Any] | None = None, version: int | None = None,
                 errors: list[str] | None = None, conflict: Conflict | None = None,
                 status: int = 200) -> ResponseReturnValue:
    """Render a task's page with its status form for ``period`` (pre-filled from the stored update)."""
    session = db()
    stored = next((u for u in task.updates if u.period_key == period.key), None)
    if form is None:
        snapshot = status_snapshot(stored) or {}
        earlier = [u for u in task.updates if u.period_key < period.key]
        form = {key: snapshot.get(key) or "" for key in ("status", "completed_on", "result", "evidence_number",
                                                          "evidence_date", "evidence_title")}
        if not stored and earlier:
            form["status"] = max(earlier, key=lambda u: u.period_key).status
        for key in ("completed_on", "evidence_date"):
            form[key] = form[key].strftime("%d/%m/%Y") if form[key] else ""
    if version is None:
        version = stored.version if stored else 0
    cutoff = settings_of(task.plan.unit).cutoff
    item = task_item(task, period.window(cutoff)[1], cutoff)
    history = sorted(task.updates, key=lambda u: u.period_key, reverse=True)
    return render_template("tasks/detail.html", task=task, period=period, item=item, stored=stored, form=form,
                           version=version, errors=errors or [], conflict=conflict, history=history,
                           editable=can_edit_task(session, actor(), task), periods=entry_periods(task.plan.year),
                           leads=[ta.agency for ta in task.agencies if ta.role == "lead"],
                           coords=[ta.agency for ta in task.agencies if ta.role == "coord"]), status


@bp.get("/<int:task_id>")
def detail(task_id: int) -> ResponseReturnValue:
    """Show a task, its status history and (when allowed) the status form for a period."""
    session = db()
    task = _load_task(task_id)
    return _render_task(task, _period_for(session, task.plan, arg("period")))


@bp.post("/<int:task_id>/status")
def update_status(task_id: int) -> ResponseReturnValue:
    """Record the task's status for a period with its evidence (số/ký hiệu, date, result)."""
    session = db()
    task = _load_task(task_id)
    period = pick_period(request.form.get("period"), Period(task.plan.year, "Q", 4))
    form = {key: request.form.get(key, "") for key in ("status", "completed_on", "result", "evidence_number",
                                                       "evidence_date", "evidence_title")}
    try:
        record_status(session, services().registry, actor(), task, form, period.key,
                      parse_version(request.form.get("version")))
        session.commit()
    except Invalid as exc:
        session.rollback()
        return _render_task(task, period, form, errors=exc.messages, status=422,
                            version=int(request.form.get("version") or 0)
                            if (request.form.get("version") or "0").isdigit() else 0)
    except Conflict as exc:
        session.rollback()
        task = _load_task(task_id)
        current = exc.current or {}
        return _render_task(task, period, form, version=current.get("version", 0), conflict=exc, status=409)
    number = f"{task.area.numeral}.{task.number}" if task.area.numeral else task.number
    flash(f"Đã lưu tiến độ nhiệm vụ {number} ({period.short_label}).", "success")
    return redirect(url_for("tasks.detail", task_id=task.id, period=period.key))
