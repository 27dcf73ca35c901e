"""A unit's agencies (admin only): the list with aliases, adding, renaming, aliases, merging departments.

Every change goes through reportsvc.services.agencies in the request's one transaction and is
audited there; a refusal is shown with the service's Vietnamese message and nothing is stored.
"""
from __future__ import annotations

from typing import Any, Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm

from reportsvc.db.models import Unit
from reportsvc.errors import UserError
from reportsvc.services import agencies as agency_service
from reportsvc.web.admin_support import form_errors, managed_rows, managed_unit, options
from reportsvc.web.common import actor, admin_required, db
from reportsvc.web.forms import AgencyAddForm, AgencyAliasForm, AgencyMergeForm, AgencyRenameForm

bp = Blueprint("admin_agencies", __name__, url_prefix="/admin/agencies")
FORMS = ("add", "rename", "alias", "merge")


@bp.get("")
@admin_required
def index() -> ResponseReturnValue:
    """Open the agencies of the unit chosen (?unit=CODE), else of the admin's own unit."""
    code = request.args.get("unit", "").strip() or actor().unit_code
    if not code:
        rows = managed_rows(db())
        if not rows:
            abort(404, description="Chưa có đơn vị nào để quản lý cơ quan.")
        code = rows[0]["code"]
    return redirect(url_for("admin_agencies.unit", code=code))


def _page(unit: Unit, status: int = 200, errors: dict[str, list[str]] | None = None,
          typed: dict[str, dict[str, Any]] | None = None) -> ResponseReturnValue:
    session = db()
    show_all = request.args.get("all") == "1"
    values: dict[str, dict[str, Any]] = {"add": {"name": ""}, "rename": {"agency": "", "new_name": ""},
                                         "alias": {"agency": "", "alias": ""}, "merge": {"olds": [], "into": ""}}
    for name, typed_values in (typed or {}).items():
        values[name].update(typed_values)
    rows = agency_service.list_agencies(session, unit.code, include_merged=True)
    return render_template("admin/agencies.html", unit=unit, units=options(managed_rows(session)),
                           agencies=[row for row in rows if show_all or not row["successor"]],
                           current=[row["name"] for row in rows if not row["successor"]], show_all=show_all,
                           values=values, errors=errors or {}), status


@bp.get("/<code>")
@admin_required
def unit(code: str) -> ResponseReturnValue:
    """List a unit's agencies with their aliases (?all=1 also the merged ones) and the forms to change them."""
    return _page(managed_unit(db(), code))


def _apply(code: str, form_name: str, form: FlaskForm, typed: dict[str, Any],
           change: Callable[[str], str]) -> ResponseReturnValue:
    """Validate ``form``, run ``change`` (which returns the success message) and commit; else show why (422)."""
    session = db()
    unit_row = managed_unit(session, code)
    form.validate()
    if form_errors(form):
        return _page(unit_row, 422, {form_name: form_errors(form)}, {form_name: typed})
    try:
        message = change(unit_row.code)
        session.commit()
    except UserError as exc:
        session.rollback()
        if exc.http_status == 403:
            raise
        return _page(managed_unit(session, code), 422, {form_name: [str(exc)]}, {form_name: typed})
    flash(message, "success")
    return redirect(url_for("admin_agencies.unit", code=code))


@bp.post("/<code>/add")
@admin_required
def add(code: str) -> ResponseReturnValue:
    """Add an agency to the unit."""
    form = AgencyAddForm()

    def change(unit_code: str) -> str:
        agency = agency_service.add_agency(db(), unit_code, form.name.data, actor().username)
        return f"Đã thêm cơ quan {agency.name}."

    return _apply(code, "add", form, {"name": form.name.data or ""}, change)


@bp.post("/<code>/rename")
@admin_required
def rename(code: str) -> ResponseReturnValue:
    """Rename one of the unit's agencies (the old name stays as an alias)."""
    form = AgencyRenameForm()

    def change(unit_code: str) -> str:
        agency = agency_service.rename_agency(db(), unit_code, form.agency.data, form.new_name.data, actor().username)
        return f"Đã đổi tên cơ quan '{form.agency.data}' thành {agency.name}."

    return _apply(code, "rename", form, {"agency": form.agency.data or "", "new_name": form.new_name.data or ""},
                  change)


@bp.post("/<code>/alias")
@admin_required
def alias(code: str) -> ResponseReturnValue:
    """Record another name the unit's plans use for one of its agencies."""
    form = AgencyAliasForm()

    def change(unit_code: str) -> str:
        agency = agency_service.add_alias(db(), unit_code, form.agency.data, form.alias.data, actor().username)
        return f"Đã thêm tên gọi khác '{form.alias.data}' cho {agency.name}."

    return _apply(code, "alias", form, {"agency": form.agency.data or "", "alias": form.alias.data or ""}, change)


@bp.post("/<code>/merge")
@admin_required
def merge(code: str) -> ResponseReturnValue:
    """Merge departments into one: their tasks, users and history move to it."""
    form = AgencyMergeForm()

    def change(unit_code: str) -> str:
        target = agency_service.merge_agencies(db(), unit_code, list(form.olds.data), form.into.data,
                                               actor().username)
        return f"Đã hợp nhất {', '.join(form.olds.data)} vào {target.name}."

    return _apply(code, "merge", form, {"olds": list(form.olds.data or []), "into": form.into.data or ""}, change)
