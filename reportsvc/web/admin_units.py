"""The unit tree (admin only): the admin's units, adding one below, renaming, moving, report settings.

Every change goes through reportsvc.services.units in the request's one transaction and is
audited there; a value the service refuses is shown with its Vietnamese message and nothing is
stored.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from reportsvc.db.models import Unit
from reportsvc.db import unitsettings
from reportsvc.errors import UserError
from reportsvc.services import units as unit_service
from reportsvc.services.agencies import list_agencies
from reportsvc.vn.units import CURRENT_KINDS, KINDS, kind_label
from reportsvc.web.admin_support import form_errors, managed_rows, managed_unit, options
from reportsvc.web.common import actor, admin_required, db
from reportsvc.web.forms import UnitAddForm, UnitMoveForm, UnitRenameForm, UnitSettingsForm

bp = Blueprint("admin_units", __name__, url_prefix="/admin/units")

def kind_choices() -> list[tuple[str, str]]:
    """Return the unit kinds for a select: the kinds since 2025 first, then the older ones."""
    ordered = [*CURRENT_KINDS, *(key for key in KINDS if key not in CURRENT_KINDS)]
    return [(key, kind_label(key).capitalize()) for key in ordered]


def _index(add: UnitAddForm | None = None, errors: list[str] | None = None, status: int = 200) -> ResponseReturnValue:
    session = db()
    show_all = request.args.get("all") == "1"
    rows = managed_rows(session, include_all=show_all)
    add_values = {"code": "", "name": "", "kind": "xa", "parent": request.args.get("parent", "")}
    if add is not None:
        add_values = {name: add[name].data or "" for name in add_values}
    return render_template("admin/units.html", rows=rows, show_all=show_all, kinds=kind_choices(),
                           parents=options(managed_rows(session)), may_add_root=actor().is_superadmin,
                           add=add_values, errors=errors or [], kind_label=kind_label), status


@bp.get("")
@admin_required
def index() -> ResponseReturnValue:
    """List the admin's unit tree (?all=1 also shows merged units with their dates and successor)."""
    return _index()


@bp.post("")
@admin_required
def add() -> ResponseReturnValue:
    """Add a unit below one of the admin's units."""
    session = db()
    form = UnitAddForm()
    form.validate()
    form.check_parent({row["code"] for row in managed_rows(session)}, may_be_root=actor().is_superadmin)
    if form_errors(form):
        return _index(form, form_errors(form), 422)
    try:
        unit = unit_service.add_unit(session, form.code.data, form.name.data, form.kind.data, form.parent.data or None,
                                     actor().username)
        session.commit()
    except UserError as exc:
        session.rollback()
        if exc.http_status in (403, 404):
            raise
        return _index(form, [str(exc)], 422)
    flash(f"Đã thêm {unit.name} ({unit.code}).", "success")
    return redirect(url_for("admin_units.detail", code=unit.code))


def _settings_values(unit: Unit) -> dict[str, Any]:
    """Return the unit's report settings as the form shows them: its own values, the defaults as they apply."""
    values = unitsettings.as_dict(unit)
    if "issuing_body" not in unitsettings.own_keys(unit):
        values["issuing_body"] = ""  # the default (the unit's UBND) is shown as a placeholder, not typed in
    values["recipients"] = "\n".join(values["recipients"] or [])
    values["reports"] = list(values["reports"] or [])
    for name in ("cutoff_day", "submission_day", "data_due_day", "reminder_days"):
        values[name] = "" if values[name] is None else str(values[name])
    return values


def _detail(unit: Unit, status: int = 200, errors: dict[str, list[str]] | None = None,
            typed: dict[str, dict[str, Any]] | None = None) -> ResponseReturnValue:
    session = db()
    typed = typed or {}
    rows = managed_rows(session)
    below = {row["code"] for row in unit_service.unit_rows(session, under=unit.code, include_all=True)}
    parents = [(code, label) for code, label in options(rows) if code not in below]
    values = {"rename": {"name": unit.name, "kind": unit.kind}, "move": {"parent": unit.parent.code if unit.parent else ""},
              "settings": _settings_values(unit)}
    for form_name, typed_values in typed.items():
        values[form_name].update(typed_values)
    return render_template("admin/unit.html", unit=unit, values=values, errors=errors or {}, kinds=kind_choices(),
                           parents=parents, report_kinds=unitsettings.REPORT_KINDS, kind_label=kind_label,
                           children=[row for row in unit_service.unit_rows(session, under=unit.code, include_all=True)
                                     if row["parent"] == unit.code],
                           agencies=list_agencies(session, unit.code),
                           default_issuing=f"ỦY BAN NHÂN DÂN {unit.name.upper()}"), status


@bp.get("/<code>")
@admin_required
def detail(code: str) -> ResponseReturnValue:
    """Show a unit: its place in the tree, the rename and move forms, its report settings."""
    return _detail(managed_unit(db(), code))


def _refused(unit_code: str, form_name: str, messages: list[str], typed: dict[str, Any]) -> ResponseReturnValue:
    """Show the unit page again with the refused values and the reasons (422); nothing was stored."""
    session = db()
    session.rollback()
    return _detail(managed_unit(session, unit_code), 422, {form_name: messages}, {form_name: typed})


@bp.post("/<code>/rename")
@admin_required
def rename(code: str) -> ResponseReturnValue:
    """Rename a unit (and change its kind)."""
    session = db()
    unit = managed_unit(session, code)
    form = UnitRenameForm()
    typed = {"name": form.name.data or "", "kind": form.kind.data or unit.kind}
    if not form.validate():
        return _refused(code, "rename", form_errors(form), typed)
    try:
        unit_service.rename_unit(session, unit.code, form.name.data, actor().username,
                                 kind=form.kind.data if form.kind.data and form.kind.data != unit.kind else None)
        session.commit()
    except UserError as exc:
        if exc.http_status in (403, 404):
            raise
        return _refused(code, "rename", [str(exc)], typed)
    flash(f"Đã đổi tên đơn vị {code} thành {form.name.data}.", "success")
    return redirect(url_for("admin_units.detail", code=code))


@bp.post("/<code>/move")
@admin_required
def move(code: str) -> ResponseReturnValue:
    """Move a unit under another of the admin's units."""
    session = db()
    unit = managed_unit(session, code)
    form = UnitMoveForm()
    form.validate()
    if not form_errors(form):
        form_parent = form.parent.data
        if form_parent not in {row["code"] for row in managed_rows(session)}:
            form.parent.errors = [f"Đơn vị cấp trên '{form_parent}' không thuộc phạm vi quản lý của bạn."]
    typed = {"parent": form.parent.data or ""}
    if form_errors(form):
        return _refused(code, "move", form_errors(form), typed)
    try:
        moved = unit_service.move_unit(session, unit.code, form.parent.data, actor().username)
        session.commit()
    except UserError as exc:
        if exc.http_status in (403, 404):
            raise
        return _refused(code, "move", [str(exc)], typed)
    flash(f"Đã chuyển {moved.name} ({code}) về trực thuộc {moved.parent.name}.", "success")
    return redirect(url_for("admin_units.detail", code=code))


def typed_settings(form: UnitSettingsForm) -> dict[str, Any]:
    """Return the settings as typed in the form, under the keys of reportsvc.db.unitsettings."""
    values: dict[str, Any] = {name: form[name].data or "" for name in
                              ("parent_body", "issuing_body", "place", "doc_symbol", "sign_authority",
                               "signer_position", "signer_name", "cutoff_day", "submission_day", "data_due_day",
                               "reminder_days")}
    values["recipients"] = [line.strip() for line in (form.recipients.data or "").splitlines() if line.strip()]
    values["approved_only"] = "có" if form.approved_only.data else ""  # unticked: back to the default "không"
    values["reports"] = list(form.reports.data or [])
    return values


@bp.post("/<code>/settings")
@admin_required
def settings(code: str) -> ResponseReturnValue:
    """Save the unit's report settings; a refused value stores nothing and is shown with the reason."""
    session = db()
    unit = managed_unit(session, code)
    form = UnitSettingsForm()
    form.validate()
    values = typed_settings(form)
    shown = {**values, "recipients": form.recipients.data or ""}
    if form_errors(form):
        return _refused(code, "settings", form_errors(form), shown)
    try:
        unit_service.update_settings(session, unit.code, values, actor().username)
        session.commit()
    except UserError as exc:
        if exc.http_status in (403, 404):
            raise
        messages = getattr(exc, "messages", None) or [str(exc)]
        return _refused(code, "settings", list(messages), shown)
    flash(f"Đã lưu thiết lập báo cáo của {unit.name}.", "success")
    return redirect(url_for("admin_units.detail", code=code) + "#thiet-lap")
