"""Signing in and out, the profile page with its API token button, and the login-by-default guard."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import (Blueprint, Flask, abort, current_app, flash, make_response, redirect, render_template, request,
                   url_for)
from flask.typing import ResponseReturnValue
from flask_login import LoginManager, current_user, login_required, login_user, logout_user

from reportsvc.services import accounts
from reportsvc.db.models import User
from reportsvc.services.permissions import Actor
from reportsvc.web.common import SAFE_METHODS, WebUser, actor, db, scope_request
from reportsvc.web.forms import LoginForm

bp = Blueprint("auth", __name__)

# Endpoints anyone may reach; every other page needs a signed-in user (the API checks its own tokens).
PUBLIC_ENDPOINTS = {"auth.login", "static", "health.healthz", "api.openapi"}
# Account actions a read-only user may still POST (sign out, get an API token for reading).
SELF_SERVICE_ENDPOINTS = {"auth.login", "auth.logout", "auth.token"}


def load_user(user_id: str) -> WebUser | None:
    """Return the signed-in user of the session cookie, or None when it no longer exists or is disabled."""
    if not user_id.isdigit():
        return None
    user = db().get(User, int(user_id))
    if user is None or not user.active:
        return None
    return WebUser(Actor.of(user))


def guard() -> ResponseReturnValue | None:
    """Before every request: send anonymous users to the login page and refuse a viewer's POST (403)."""
    endpoint = request.endpoint
    if endpoint is None or endpoint in PUBLIC_ENDPOINTS or endpoint.startswith("api."):
        return None
    if not current_user.is_authenticated:
        if request.method in SAFE_METHODS:
            return current_app.login_manager.unauthorized()  # back to this page after signing in
        flash("Phiên đăng nhập đã hết. Vui lòng đăng nhập lại rồi thực hiện lại thao tác.", "info")
        return redirect(url_for("auth.login"))
    scope_request(actor())
    if request.method not in SAFE_METHODS and not actor().can_write and endpoint not in SELF_SERVICE_ENDPOINTS:
        abort(403, description="Tài khoản chỉ có quyền xem, không được thay đổi dữ liệu.")
    return None


def init_app(app: Flask) -> None:
    """Attach Flask-Login and the guard (call before CSRFProtect so anonymous users get the login page)."""
    manager = LoginManager()
    manager.login_view = "auth.login"
    manager.login_message = "Vui lòng đăng nhập để tiếp tục."
    manager.login_message_category = "info"
    manager.user_loader(load_user)
    manager.init_app(app)
    app.before_request(guard)


def _safe_next(target: str | None) -> str:
    """Return ``target`` if it is a path on this site, else the dashboard."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("dashboard.index")


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """Show the sign-in form; sign in with username and password."""
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    if request.method == "POST":
        user = accounts.authenticate(db(), form.username.data, form.password.data) if form.validate() else None
        if user is None:
            flash("Tên đăng nhập hoặc mật khẩu không đúng.", "error")
            return render_template("login.html", username=form.username.data or ""), 401
        login_user(WebUser(Actor.of(user)))
        flash(f"Xin chào {user.full_name or user.username}.", "success")
        return redirect(_safe_next(request.args.get("next")))
    return render_template("login.html", username="")


@bp.post("/logout")
@login_required
def logout() -> ResponseReturnValue:
    """Sign out."""
    logout_user()
    flash("Bạn đã đăng xuất.", "info")
    return redirect(url_for("auth.login"))


@bp.get("/profile")
def profile() -> ResponseReturnValue:
    """Show the signed-in user's account and the API token button."""
    user = db().get(User, actor().id)
    return render_template("profile.html", user=user, token=None)


@bp.post("/profile/token")
def token() -> ResponseReturnValue:
    """Create a new API token for the signed-in user and show it once."""
    session = db()
    user = session.get(User, actor().id)
    new_token = accounts.issue_token(session, user, actor().username)
    session.commit()
    flash("Đã tạo mã truy cập API mới. Hãy sao chép ngay: mã chỉ hiện một lần, mã cũ không còn dùng được.", "success")
    response = make_response(render_template("profile.html", user=user, token=new_token))
    response.headers["Cache-Control"] = "no-store"
    return response
