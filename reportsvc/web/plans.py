"""Plans: the list, one plan's areas and targets, and the upload → dry-run summary → confirm flow."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from reportsvc.importing import uploads
from reportsvc.db.lookup import find_unit
from reportsvc.errors import NotFound, UserError
from reportsvc.importing import PlanImportError, analyse_plan, run_import
from reportsvc.db.models import Plan, PlanArea, Task, Unit
from reportsvc.web.common import actor, admin_required, db, services, unit_tree
from reportsvc.web.forms import ConfirmForm, PlanUploadForm

bp = Blueprint("plans", __name__, url_prefix="/plans")


@bp.get("")
def index() -> ResponseReturnValue:
    """List the imported plans with their units, years, source files and task counts."""
    session = db()
    counts = dict(session.execute(select(Task.plan_id, func.count(Task.id)).group_by(Task.plan_id)).all())
    plans = list(session.scalars(select(Plan).options(selectinload(Plan.unit))
                                 .order_by(Plan.year.desc(), Plan.unit_id)))
    return render_template("plans/index.html", plans=plans, counts=counts)


@bp.get("/<int:plan_id>")
def detail(plan_id: int) -> ResponseReturnValue:
    """Show a plan: its areas (with the owning area plugin) and its targets."""
    session = db()
    plan = session.get(Plan, plan_id)
    if plan is None or plan.year <= 0:
        abort(404, description=f"Không tìm thấy kế hoạch số {plan_id}.")
    counts = dict(session.execute(select(Task.area_id, func.count(Task.id)).where(Task.plan_id == plan.id)
                                  .group_by(Task.area_id)).all())
    areas = list(session.scalars(select(PlanArea).where(PlanArea.plan_id == plan.id).order_by(PlanArea.position)))
    registry = services().registry
    return render_template("plans/detail.html", plan=plan, areas=areas, counts=counts, registry=registry)


def _upload_form(status: int = 200, **values: object) -> ResponseReturnValue:
    """Render the upload form with the submitted values kept."""
    values.setdefault("unit_code", actor().unit_code)
    values.setdefault("year", date.today().year)
    values.setdefault("replace", False)
    return render_template("plans/upload.html", units=unit_tree(db()), **values), status


@bp.get("/upload")
@admin_required
def upload_form() -> ResponseReturnValue:
    """Show the plan upload form (DOCX, XLSX or CSV)."""
    return _upload_form()


@bp.post("/upload")
@admin_required
def upload() -> ResponseReturnValue:
    """Analyse an uploaded plan without storing it; keep the file and show the summary to confirm."""
    form = PlanUploadForm()
    values = {"unit_code": form.unit.data or "", "year": form.year.data or "", "replace": form.replace.data}
    if not form.validate():
        for messages in form.errors.values():
            for message in messages:
                flash(message, "error")
        return _upload_form(400, **values)
    try:
        find_unit(db(), form.unit.data)
    except NotFound as exc:
        flash(f"{exc}.", "error")
        return _upload_form(400, **values)
    file, year = form.file.data, int(form.year.data)
    data = file.read()
    try:
        parsed = analyse_plan(data, file.filename, services().registry, services().settings, year=year)
    except PlanImportError as exc:
        flash(str(exc), "error")
        return _upload_form(400, **values)
    pending = uploads.save(services().settings.data_dir, data, filename=parsed.filename, unit_code=form.unit.data,
                           year=year, replace=form.replace.data, user_id=actor().id, sha256=parsed.sha256)
    return redirect(url_for("plans.preview", token=pending.token))


def _pending_unit(code: str) -> Unit | None:
    """Return the unit of a pending upload, or None when it was removed since (the import then refuses it)."""
    try:
        return find_unit(db(), code)
    except NotFound:
        return None


@bp.get("/upload/<token>")
@admin_required
def preview(token: str) -> ResponseReturnValue:
    """Show the dry-run summary of a pending upload (areas, task counts, targets, warnings) to confirm."""
    session = db()
    pending, data = uploads.load(services().settings.data_dir, token, actor().id)
    parsed = analyse_plan(data, pending.filename, services().registry, services().settings, year=pending.year)
    unit = _pending_unit(pending.unit_code)
    existing = session.scalar(select(Plan).where(Plan.unit_id == unit.id, Plan.year == pending.year)) if unit else None
    return render_template("plans/preview.html", pending=pending, parsed=parsed, summary=parsed.summary(), unit=unit,
                           existing=existing, registry=services().registry)


@bp.post("/upload/<token>/confirm")
@admin_required
def confirm(token: str) -> ResponseReturnValue:
    """Import the pending file in one transaction (replacing the unit's plan for the year if ticked)."""
    settings = services().settings
    pending, data = uploads.load(settings.data_dir, token, actor().id)
    replace = ConfirmForm().replace.data
    unit = _pending_unit(pending.unit_code)
    if unit is not None and not replace and db().scalar(
            select(Plan.id).where(Plan.unit_id == unit.id, Plan.year == pending.year)) is not None:
        flash(f"Chưa nhập kế hoạch: {unit.name} đã có kế hoạch năm {pending.year}. Đánh dấu “Thay thế kế hoạch "
              f"đã nhập” rồi xác nhận lại nếu muốn thay thế.", "error")
        return redirect(url_for("plans.preview", token=token))
    try:
        plan, parsed = run_import(services().sessions, data, pending.filename, pending.unit_code, pending.year,
                                  services().registry, settings, replace=replace, user=actor().username)
    except UserError as exc:
        flash(f"Chưa nhập kế hoạch: {exc}", "error")
        return redirect(url_for("plans.preview", token=token))
    uploads.discard(settings.data_dir, token)
    flash(f"Đã nhập kế hoạch năm {pending.year} cho đơn vị {pending.unit_code}: {parsed.total_rows} nhiệm vụ, "
          f"{len(parsed.targets)} chỉ tiêu.", "success")
    for warning in parsed.warnings:
        flash(warning, "warning")
    return redirect(url_for("plans.detail", plan_id=plan.id))


@bp.post("/upload/<token>/cancel")
@admin_required
def cancel(token: str) -> ResponseReturnValue:
    """Drop one of the user's own pending uploads without importing it (someone else's is not found)."""
    uploads.load(services().settings.data_dir, token, actor().id)  # NotFound unless it is the user's own
    uploads.discard(services().settings.data_dir, token)
    flash("Đã hủy tệp tải lên; không có gì được nhập.", "info")
    return redirect(url_for("plans.index"))
