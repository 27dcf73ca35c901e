"""Accounts (admin only): the users of the admin's unit and below, creating, disabling, passwords, units,
e-mail addresses (where reminders of data deadlines go).

Roles given here are admin, editor or viewer; the system administrator (superadmin) is created on
the command line only. A user is bound to one of the admin's units and, optionally, to an agency
of that unit. Every change goes through reportsvc.services.accounts in one transaction, audited.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from reportsvc.db.models import Agency, Unit, User
from reportsvc.errors import UserError
from reportsvc.services import accounts
from reportsvc.services.recording import whole_number
from reportsvc.web.admin_support import form_errors, managed_rows, options
from reportsvc.web.common import actor, admin_required, db
from reportsvc.web.forms import WEB_ROLES, PasswordResetForm, UserCreateForm, UserEmailForm, UserUnitForm

bp = Blueprint("admin_users", __name__, url_prefix="/admin/users")


def _units() -> list[dict[str, Any]]:
    """Return the current units the admin may bind users to, in tree order."""
    return managed_rows(db())


def _agency_groups(rows: list[dict[str, Any]]) -> list[tuple[str, str, list[Agency]]]:
    """Return (unit code, unit name, current agencies) for the units in ``rows`` that have agencies."""
    codes = [row["code"] for row in rows]
    found: dict[str, list[Agency]] = {}
    stmt = (select(Agency).join(Unit, Unit.id == Agency.unit_id)
            .where(Unit.code.in_(codes), Agency.successor_id.is_(None)).options(selectinload(Agency.unit))
            .order_by(Agency.name))
    for agency in db().scalars(stmt):
        found.setdefault(agency.unit.code, []).append(agency)
    return [(row["code"], row["name"], found[row["code"]]) for row in rows if row["code"] in found]


def _check_binding(form: UserCreateForm | UserUnitForm, rows: list[dict[str, Any]]) -> Agency | None:
    """Check the chosen unit (one of the admin's) and agency (one of that unit's); return the agency."""
    codes = {row["code"] for row in rows}
    unit_code = form.unit.data or ""
    if not unit_code:
        form.unit.errors = [*form.unit.errors, "Hãy chọn đơn vị của tài khoản."]
        return None
    if unit_code not in codes:
        form.unit.errors = [*form.unit.errors, f"Đơn vị '{unit_code}' không thuộc phạm vi quản lý của bạn."]
        return None
    agency_id = form.agency.data or ""
    if not agency_id:
        return None
    agency = db().get(Agency, whole_number(agency_id)) if whole_number(agency_id) else None
    if agency is None or agency.unit is None or agency.unit.code != unit_code or agency.successor_id is not None:
        name = next((row["name"] for row in rows if row["code"] == unit_code), unit_code)
        form.agency.errors = [*form.agency.errors, f"Cơ quan đã chọn không phải cơ quan của {name}."]
        return None
    return agency


def _managed_user(user_id: int) -> User:
    """Return a user of the admin's units (404 for anyone else, who is not shown either)."""
    user = db().get(User, user_id)
    who = actor()
    if user is None or not (who.is_superadmin or (user.unit is not None and user.role != "superadmin"
                                                  and user.unit.code in {row["code"] for row in managed_rows(
                                                      db(), include_all=True)})):
        abort(404, description=f"Không tìm thấy tài khoản số {user_id}.")
    return user


def _index(create: dict[str, Any] | None = None, errors: list[str] | None = None,
           status: int = 200) -> ResponseReturnValue:
    session = db()
    rows = _units()
    unit_filter = request.args.get("unit", "").strip()
    codes = [row["code"] for row in managed_rows(session, include_all=True)]
    stmt = select(User).options(selectinload(User.unit), selectinload(User.agency)).order_by(User.username)
    if not actor().is_superadmin:
        stmt = stmt.join(Unit, Unit.id == User.unit_id).where(Unit.code.in_(codes), User.role != "superadmin")
    users = [user for user in session.scalars(stmt) if not unit_filter or (user.unit and user.unit.code == unit_filter)]
    values = create or {"username": "", "full_name": "", "role": "editor", "unit": unit_filter or actor().unit_code,
                        "agency": "", "email": ""}
    return render_template("admin/users.html", users=users, units=options(rows), groups=_agency_groups(rows),
                           roles=[(role, accounts.ROLES[role]) for role in WEB_ROLES], values=values,
                           errors=errors or [], unit_filter=unit_filter), status


@bp.get("")
@admin_required
def index() -> ResponseReturnValue:
    """List the users of the admin's unit and below (?unit=CODE: one unit's), with the form to create one."""
    return _index()


@bp.post("")
@admin_required
def create() -> ResponseReturnValue:
    """Create a user bound to one of the admin's units (and optionally an agency of it)."""
    session = db()
    form = UserCreateForm()
    form.validate()
    agency = _check_binding(form, _units())
    typed = {name: form[name].data or "" for name in ("username", "full_name", "role", "unit", "agency", "email")}
    if form_errors(form):
        return _index(typed, form_errors(form), 422)
    try:
        user = accounts.create_user(session, form.username.data, form.role.data, form.password.data,
                                    agency_name=agency.name if agency else "", unit_code=form.unit.data,
                                    full_name=form.full_name.data or "", email=form.email.data or "",
                                    actor=actor().username)
        session.commit()
    except UserError as exc:
        session.rollback()
        if exc.http_status == 403:
            raise
        return _index(typed, [str(exc)], 422)
    flash(f"Đã tạo tài khoản {user.username} ({accounts.ROLES[user.role]}).", "success")
    return redirect(url_for("admin_users.index"))


def _detail(user: User, status: int = 200, errors: dict[str, list[str]] | None = None,
            typed: dict[str, Any] | None = None) -> ResponseReturnValue:
    rows = _units()
    typed = typed or {}
    binding = {"unit": typed.get("unit", user.unit.code if user.unit else ""),
               "agency": typed.get("agency", str(user.agency_id or ""))}
    return render_template("admin/user.html", user=user, units=options(rows), groups=_agency_groups(rows),
                           binding=binding, email=typed.get("email", user.email), errors=errors or {},
                           myself=user.id == actor().id), status


@bp.get("/<int:user_id>")
@admin_required
def detail(user_id: int) -> ResponseReturnValue:
    """Show a user with the forms to reset the password and change the unit and agency."""
    return _detail(_managed_user(user_id))


def _refused(user_id: int, form_name: str, messages: list[str], typed: dict[str, Any] | None = None
             ) -> ResponseReturnValue:
    db().rollback()
    return _detail(_managed_user(user_id), 422, {form_name: messages}, typed)


@bp.post("/<int:user_id>/active")
@admin_required
def set_active(user_id: int) -> ResponseReturnValue:
    """Disable (active=0) or enable (active=1) a user; a disabled user cannot sign in or use a token."""
    session = db()
    user = _managed_user(user_id)
    enable = request.form.get("active") == "1"
    if not enable and user.id == actor().id:
        return _refused(user_id, "active", ["Không thể tự khóa tài khoản của chính mình."])
    try:
        accounts.set_active(session, user.username, enable, actor().username)
        session.commit()
    except UserError as exc:
        if exc.http_status == 403:
            raise
        return _refused(user_id, "active", [str(exc)])
    flash(f"Đã {'mở khóa' if enable else 'khóa'} tài khoản {user.username}.", "success")
    return redirect(request.form.get("back") == "list" and url_for("admin_users.index")
                    or url_for("admin_users.detail", user_id=user_id))


@bp.post("/<int:user_id>/password")
@admin_required
def password(user_id: int) -> ResponseReturnValue:
    """Reset a user's password: its sessions end and it must choose its own at next sign-in."""
    session = db()
    user = _managed_user(user_id)
    form = PasswordResetForm()
    if not form.validate():
        return _refused(user_id, "password", form_errors(form))
    try:
        accounts.set_password(session, user.username, form.password.data, actor().username)
        session.commit()
    except UserError as exc:
        if exc.http_status == 403:
            raise
        return _refused(user_id, "password", [str(exc)])
    flash(f"Đã đặt lại mật khẩu của {user.username}: các phiên đăng nhập của tài khoản đã kết thúc, người dùng phải "
          f"đổi mật khẩu khi đăng nhập lần tới.", "success")
    return redirect(url_for("admin_users.detail", user_id=user_id))


@bp.post("/<int:user_id>/unit")
@admin_required
def set_unit(user_id: int) -> ResponseReturnValue:
    """Bind a user to another of the admin's units, and to an agency of it (or none)."""
    session = db()
    user = _managed_user(user_id)
    form = UserUnitForm()
    form.validate()
    agency = _check_binding(form, _units())
    typed = {"unit": form.unit.data or "", "agency": form.agency.data or ""}
    if form_errors(form):
        return _refused(user_id, "unit", form_errors(form), typed)
    try:
        accounts.set_unit(session, user.username, form.unit.data, actor().username,
                          agency_name=agency.name if agency else "")
        session.commit()
    except UserError as exc:
        if exc.http_status == 403:
            raise
        return _refused(user_id, "unit", [str(exc)], typed)
    flash(f"Đã chuyển tài khoản {user.username} sang {form.unit.data}"
          f"{f', cơ quan {agency.name}' if agency else ''}.", "success")
    return redirect(url_for("admin_users.detail", user_id=user_id))


@bp.post("/<int:user_id>/email")
@admin_required
def set_email(user_id: int) -> ResponseReturnValue:
    """Set a user's e-mail address, where reminders of data deadlines go (empty: none)."""
    session = db()
    user = _managed_user(user_id)
    form = UserEmailForm()
    typed = {"email": request.form.get("email", "").strip()}
    if not form.validate():
        return _refused(user_id, "email", form_errors(form), typed)
    try:
        accounts.set_email(session, user.username, form.email.data, actor().username)
        session.commit()
    except UserError as exc:
        if exc.http_status == 403:
            raise
        return _refused(user_id, "email", [str(exc)], typed)
    flash(f"Tài khoản {user.username} nay nhận thư nhắc tại {form.email.data}." if form.email.data else
          f"Tài khoản {user.username} không còn địa chỉ thư điện tử: không nhận thư nhắc.", "success")
    return redirect(url_for("admin_users.detail", user_id=user_id))
