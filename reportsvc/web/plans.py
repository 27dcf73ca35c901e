"""Plans: the list, one plan's areas and targets, and the upload → dry-run summary → confirm flow."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from reportsvc.importing import uploads
from reportsvc.db.lookup import find_unit
from reportsvc.errors import Invalid, NotFound, UserError
from reportsvc.importing import PlanImportError, agencies, analyse_plan, run_import
from reportsvc.importing.model import ParsedItem, ParsedPlan
from reportsvc.db.models import Plan, PlanArea, Task, Unit
from reportsvc.web.common import actor, admin_required, db, services, unit_tree
from reportsvc.services import plan_identity
from reportsvc.web.forms import KEEP_AS_TEXT, PlanConfirmForm, PlanIdentityForm, PlanUploadForm

bp = Blueprint("plans", __name__, url_prefix="/plans")


def plan_years(plan: Plan) -> str:
    """Return the years a plan covers as shown in its lists: "2024", or "2021–2025" for a multi-year plan."""
    return str(plan.year) if plan.year_end <= plan.year else f"{plan.year}–{plan.year_end}"


def plan_period(plan: Plan) -> str:
    """Return the plan's years in running text: "năm 2024", or "giai đoạn 2021–2025"."""
    return f"năm {plan.year}" if plan.year_end <= plan.year else f"giai đoạn {plan_years(plan)}"


@bp.get("")
def index() -> ResponseReturnValue:
    """List the imported plans with their units, years (a multi-year plan's range), source files and task counts."""
    session = db()
    counts = dict(session.execute(select(Task.plan_id, func.count(Task.id)).group_by(Task.plan_id)).all())
    plans = list(session.scalars(select(Plan).options(selectinload(Plan.unit))
                                 .order_by(Plan.year.desc(), Plan.year_end.desc(), Plan.unit_id)))
    return render_template("plans/index.html", plans=plans, counts=counts, plan_years=plan_years,
                           plan_period=plan_period)


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
    form = PlanIdentityForm(formdata=None, data={
        "number": plan.doc_number, "symbol": plan.doc_symbol, "date": plan.doc_date, "place": plan.doc_place,
        "issuing_body": plan.issuing_body})
    return render_template("plans/detail.html", plan=plan, areas=areas, counts=counts, registry=registry,
                           identity_form=form, reference=plan_identity.reference(plan), plan_years=plan_years,
                           plan_period=plan_period)


@bp.post("/<int:plan_id>/identity")
@admin_required
def set_identity(plan_id: int) -> ResponseReturnValue:
    """Fill in or correct the plan's number, symbol, date, place and issuing body (audited as plan.identity)."""
    form = PlanIdentityForm()
    if not form.validate():
        for messages in form.errors.values():
            for message in messages:
                flash(message, "error")
        return redirect(url_for("plans.detail", plan_id=plan_id))
    session = db()
    try:
        plan_identity.set_identity(session, plan_id, form.changes(), actor().username)
    except Invalid as exc:
        session.rollback()
        for message in exc.messages:
            flash(message, "error")
        return redirect(url_for("plans.detail", plan_id=plan_id))
    session.commit()
    flash("Đã lưu số, ký hiệu và ngày của văn bản kế hoạch.", "success")
    return redirect(url_for("plans.detail", plan_id=plan_id))


def _upload_form(status: int = 200, **values: object) -> ResponseReturnValue:
    """Render the upload form with the submitted values kept."""
    values.setdefault("unit_code", actor().unit_code)
    values.setdefault("year", "")
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
    file = form.file.data
    data = file.read()
    try:  # years typed ("2024", "2021-2025"), or None: read from the document's title
        parsed = analyse_plan(data, file.filename, services().registry, services().settings, year=form.years)
    except PlanImportError as exc:
        flash(str(exc), "error")
        return _upload_form(400, **values)
    first, last = parsed.years or (0, 0)
    pending = uploads.save(services().settings.data_dir, data, filename=parsed.filename, unit_code=form.unit.data,
                           year=first, year_end=last, years_source=parsed.years_source, replace=form.replace.data,
                           user_id=actor().id, sha256=parsed.sha256)
    return redirect(url_for("plans.preview", token=pending.token))


def _pending_unit(code: str) -> Unit | None:
    """Return the unit of a pending upload, or None when it was removed since (the import then refuses it)."""
    try:
        return find_unit(db(), code)
    except NotFound:
        return None


def _same_years(unit: Unit, pending: uploads.PendingUpload) -> Select[tuple[Plan]]:
    """Return the query for the unit's plan of exactly the pending file's years (the one it would replace)."""
    first, last = pending.years
    return select(Plan).where(Plan.unit_id == unit.id, Plan.year == first, Plan.year_end == last)


def _agency_cells(parsed: ParsedPlan) -> list[str]:
    """Return the lead and coordinating cells of every task of the parsed plan."""
    return [cell for area in parsed.areas for item in area.items for cell in (item.lead, item.coord)]


def _agency_choices(unit: Unit | None) -> list[tuple[str, str]]:
    """Return the agencies a plan of ``unit`` may be mapped to (the unit's, then its province's) as select options.

    The request's tenancy scope already leaves out the agencies the user may not see.
    """
    if unit is None:
        return []
    return [(str(agency.id), f"{agency.name} ({agency.unit.name})") for agency in agencies.scope_agencies(db(), unit)]


def _unknown_names(unit: Unit | None, parsed: ParsedPlan) -> list[str]:
    """Return the agency names of the plan that the unit's scope does not know ([] without a unit)."""
    return agencies.unknown_names(db(), unit, _agency_cells(parsed)) if unit is not None else []


def lead_groups(item: ParsedItem) -> list[str]:
    """Return the labels of the groups a task's lead cell names ("Tất cả UBND cấp xã")."""
    codes = []
    for written in agencies.split_written(item.lead):
        code = agencies.group_of(written)
        if code and code not in codes:
            codes.append(code)
    return [agencies.GROUPS[code] for code in agencies.GROUPS if code in codes]


@bp.get("/upload/<token>")
@admin_required
def preview(token: str) -> ResponseReturnValue:
    """Show the dry-run summary of a pending upload to confirm: the plan's identity, areas, tasks with their
    activities and groups, targets, warnings, row problems, and a choice for every unknown agency name."""
    session = db()
    pending, data = uploads.load(services().settings.data_dir, token, actor().id)
    parsed = analyse_plan(data, pending.filename, services().registry, services().settings, year=pending.years_given)
    unit = _pending_unit(pending.unit_code)
    existing = session.scalar(_same_years(unit, pending)) if unit else None
    form = PlanConfirmForm(formdata=None, data={
        "replace": pending.replace,
        "agencies": [{"name": name, "choice": KEEP_AS_TEXT} for name in _unknown_names(unit, parsed)]})
    form.set_choices(_agency_choices(unit))
    return render_template("plans/preview.html", pending=pending, parsed=parsed, summary=parsed.summary(), unit=unit,
                           existing=existing, registry=services().registry, form=form, lead_groups=lead_groups)


@bp.post("/upload/<token>/confirm")
@admin_required
def confirm(token: str) -> ResponseReturnValue:
    """Import the pending file in one transaction (replacing the unit's plan for the year if ticked), with the
    officer's choice for each unknown agency name: an agency of the scope, a new agency, or kept as text."""
    settings = services().settings
    pending, data = uploads.load(settings.data_dir, token, actor().id)
    form = PlanConfirmForm()
    unit = _pending_unit(pending.unit_code)
    form.set_choices(_agency_choices(unit))
    if not form.validate():
        for messages in form.errors.get("agencies", []):
            for message in (messages.values() if isinstance(messages, dict) else [messages]):
                for text in (message if isinstance(message, list) else [message]):
                    flash(f"Chưa nhập kế hoạch: {text}", "error")
        return redirect(url_for("plans.preview", token=token))
    replace = form.replace.data
    if unit is not None and not replace and db().scalar(_same_years(unit, pending)) is not None:
        flash(f"Chưa nhập kế hoạch: {unit.name} đã có kế hoạch {pending.label}. Đánh dấu “Thay thế kế hoạch "
              f"đã nhập” rồi xác nhận lại nếu muốn thay thế.", "error")
        return redirect(url_for("plans.preview", token=token))
    try:
        plan, parsed = run_import(services().sessions, data, pending.filename, pending.unit_code, pending.years_given,
                                  services().registry, settings, replace=replace, user=actor().username,
                                  agency_map=form.agency_map(), origin="web")
    except UserError as exc:
        flash(f"Chưa nhập kế hoạch: {exc}", "error")
        return redirect(url_for("plans.preview", token=token))
    uploads.discard(settings.data_dir, token)
    flash(f"Đã nhập kế hoạch {pending.label} cho đơn vị {pending.unit_code}: {parsed.total_rows} nhiệm vụ, "
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
