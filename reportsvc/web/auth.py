"""Signing in and out, the account page (own password, sessions, API tokens), and the login-by-default guard.

The session cookie holds the key of a row of ``login_sessions`` (reportsvc.services.accounts):
every request checks it against the database, so a session ended on the server (sign-out,
"đăng xuất khỏi mọi thiết bị", a new password, a locked account, a new role or unit), or past its
lifetime or idle timeout, no longer opens anything, even from a copied cookie.
"""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import (Blueprint, Flask, abort, current_app, flash, g, make_response, redirect, render_template, request,
                   session, url_for)
from flask.typing import ResponseReturnValue
from flask_login import LoginManager, current_user, login_required, login_user, logout_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

from reportsvc.db.models import User
from reportsvc.errors import UserError
from reportsvc.services import accounts
from reportsvc.services.accounts import LoginPolicy, TooManyAttempts
from reportsvc.services.permissions import Actor
from reportsvc.web.common import SAFE_METHODS, WebUser, actor, db, scope_request, services
from reportsvc.web.forms import LoginForm, PasswordChangeForm, TokenForm

bp = Blueprint("auth", __name__)

# Endpoints anyone may reach; every other page needs a signed-in user (the API checks its own tokens).
PUBLIC_ENDPOINTS = {"auth.login", "static", "health.healthz", "api.openapi"}
# Account actions a read-only user may still POST (sign out, its own password, its API tokens for reading).
SELF_SERVICE_ENDPOINTS = {"auth.login", "auth.logout", "auth.logout_all", "auth.password", "auth.token",
                          "auth.revoke_token"}
# What a user who must choose a new password may still open.
PASSWORD_CHANGE_ENDPOINTS = {"auth.password", "auth.logout", "auth.logout_all"}
SESSION_KEY = "rsv_session"  # in the signed session cookie: the key of the login_sessions row
DEVICE_COOKIE = "rsv_device"  # signed id of the account this browser last signed in to
DEVICE_DAYS = 90


class SignedInUser(WebUser):
    """The signed-in user of this request, with what its session row says."""

    def __init__(self, actor: Actor, must_change_password: bool = False, session_id: int | None = None) -> None:
        super().__init__(actor)
        self.must_change_password = must_change_password
        self.session_id = session_id


def policy() -> LoginPolicy:
    """Return the session and sign-in throttling policy of the app's settings."""
    return LoginPolicy.of(services().settings)


def load_user(user_id: str) -> WebUser | None:
    """Return the user of the session cookie, or None when its session ended, expired or sat idle too long,
    or the user no longer exists or is disabled."""
    key = session.get(SESSION_KEY)
    if not isinstance(key, str) or not (user_id.isascii() and user_id.isdigit()):
        return None
    found = accounts.session_user(db(), key, policy())
    if found is None or found[0].id != int(user_id):
        db().commit()  # an expired session row is deleted
        session.pop(SESSION_KEY, None)
        g.session_ended = True
        return None
    user, row = found
    if db().dirty:
        db().commit()  # the session's last request, noted at most once a minute
    return SignedInUser(Actor.of(user), user.must_change_password, row.id)


def guard() -> ResponseReturnValue | None:
    """Before every request: send anonymous users to the login page, users who must change their password to
    its form, and refuse a viewer's POST (403)."""
    endpoint = request.endpoint
    if endpoint is None or endpoint in PUBLIC_ENDPOINTS or endpoint.startswith("api."):
        return None
    if not current_user.is_authenticated:
        if g.pop("session_ended", False):
            flash("Phiên đăng nhập đã kết thúc (đăng xuất, hết hạn hoặc quá lâu không dùng). "
                  "Vui lòng đăng nhập lại.", "info")
            return redirect(url_for("auth.login", next=request.full_path if request.method in SAFE_METHODS else None))
        if request.method in SAFE_METHODS:
            return current_app.login_manager.unauthorized()  # back to this page after signing in
        flash("Phiên đăng nhập đã hết. Vui lòng đăng nhập lại rồi thực hiện lại thao tác.", "info")
        return redirect(url_for("auth.login"))
    scope_request(actor())
    if current_user.must_change_password and endpoint not in PASSWORD_CHANGE_ENDPOINTS:
        flash("Mật khẩu của bạn vừa được quản trị viên đặt lại. Hãy đổi sang mật khẩu của riêng bạn để tiếp tục.",
              "info")
        return redirect(url_for("auth.password"))
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


def _devices() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="reportsvc.device")


def _trusted_user_id() -> int | None:
    """Return the account this browser signed in to before (its signed device cookie), if any."""
    value = request.cookies.get(DEVICE_COOKIE, "")
    if not value or len(value) > 200:
        return None
    try:
        user_id = _devices().loads(value, max_age=int(timedelta(days=DEVICE_DAYS).total_seconds()))
    except BadSignature:
        return None
    return user_id if isinstance(user_id, int) else None


def _begin(user: User) -> None:
    """Open a new server-side session for ``user`` in this browser (a fresh cookie: no fixation)."""
    key = accounts.start_session(db(), user, policy(), address=request.remote_addr or "",
                                 agent=request.user_agent.string or "")
    db().commit()
    session.clear()
    login_user(SignedInUser(Actor.of(user), user.must_change_password))
    session[SESSION_KEY] = key


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """Show the sign-in form; sign in with username and password (throttled: 429 after too many failures)."""
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    if request.method == "POST":
        typed = form.username.data or ""
        if not form.validate():
            flash("Tên đăng nhập hoặc mật khẩu không đúng.", "error")
            return render_template("login.html", username=typed[:64]), 401
        try:
            user = accounts.sign_in(db(), typed, form.password.data, request.remote_addr or "", policy(),
                                    trusted_user_id=_trusted_user_id())
        except TooManyAttempts as exc:
            db().rollback()
            response = make_response(render_template("login.html", username=typed, refused=str(exc)), 429)
            response.headers["Retry-After"] = str(max(1, int(exc.wait.total_seconds())))
            return response
        if user is None:
            db().commit()  # the failure counts and is audited
            flash("Tên đăng nhập hoặc mật khẩu không đúng.", "error")
            return render_template("login.html", username=typed), 401
        _begin(user)
        flash(f"Xin chào {user.full_name or user.username}.", "success")
        target = url_for("auth.password") if user.must_change_password else _safe_next(request.args.get("next"))
        response = redirect(target)
        response.set_cookie(DEVICE_COOKIE, _devices().dumps(user.id), max_age=int(timedelta(days=DEVICE_DAYS)
                                                                                 .total_seconds()),
                            httponly=True, samesite="Lax", secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))
        return response
    return render_template("login.html", username="")


@bp.post("/logout")
@login_required
def logout() -> ResponseReturnValue:
    """Sign out: this session ends on the server, so no copy of its cookie opens anything any more."""
    key = session.get(SESSION_KEY)
    if isinstance(key, str):
        accounts.end_session(db(), key)
        db().commit()
    logout_user()
    session.clear()
    flash("Bạn đã đăng xuất.", "info")
    return redirect(url_for("auth.login"))


@bp.post("/logout/all")
@login_required
def logout_all() -> ResponseReturnValue:
    """Sign out of every device: every session of the signed-in user ends."""
    user = db().get(User, actor().id)
    count = accounts.end_sessions(db(), user)
    db().commit()
    logout_user()
    session.clear()
    flash(f"Đã đăng xuất khỏi mọi thiết bị ({count} phiên).", "info")
    return redirect(url_for("auth.login"))


def _profile(status: int = 200, token: str | None = None, errors: dict[str, list[str]] | None = None,
             typed: dict[str, str] | None = None) -> ResponseReturnValue:
    """Render the account page: details, own password, open sessions, API tokens."""
    user = db().get(User, actor().id)
    response = make_response(render_template(
        "profile.html", user=user, token=token, errors=errors or {}, typed=typed or {},
        tokens=accounts.tokens_of(db(), user), sessions=accounts.sessions_of(db(), user),
        current_session=current_user.session_id, expired=accounts.is_expired, token_days=accounts.TOKEN_DAYS,
        max_token_days=accounts.MAX_TOKEN_DAYS), status)
    if token:
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/profile")
def profile() -> ResponseReturnValue:
    """Show the signed-in user's account: password, sessions and API tokens."""
    return _profile()


@bp.route("/profile/password", methods=["GET", "POST"])
def password() -> ResponseReturnValue:
    """Show and handle the form to change one's own password; every other session of the user ends."""
    forced = current_user.must_change_password
    if request.method == "GET":
        return render_template("password.html", errors=[], forced=forced)
    form = PasswordChangeForm()
    errors = [message for field in form for message in field.errors] if not form.validate() else []
    user = db().get(User, actor().id)
    if not errors:
        try:
            accounts.change_own_password(db(), user, form.current.data, form.password.data)
        except UserError as exc:
            errors = [str(exc)]
    if errors:
        db().rollback()
        return render_template("password.html", errors=errors, forced=forced), 422
    _begin(user)  # the other sessions ended with the old password; this browser goes on in a new one
    flash("Đã đổi mật khẩu. Các phiên đăng nhập khác của bạn đã kết thúc.", "success")
    return redirect(url_for("dashboard.index") if forced else url_for("auth.profile"))


@bp.post("/profile/token")
def token() -> ResponseReturnValue:
    """Create a named API token for the signed-in user and show it once."""
    form = TokenForm()
    typed = {"name": form.name.data or "", "days": (form.days.raw_data or [""])[0] or ""}
    if not form.validate():
        return _profile(422, errors={"token": [message for field in form for message in field.errors]}, typed=typed)
    user = db().get(User, actor().id)
    try:
        row, value = accounts.create_token(db(), user, actor().username, name=form.name.data, days=form.days.data)
    except UserError as exc:
        db().rollback()
        return _profile(422, errors={"token": [str(exc)]}, typed=typed)
    db().commit()
    flash(f"Đã tạo mã truy cập '{row.name}', hết hạn ngày {row.expires_at:%d/%m/%Y}. Hãy sao chép ngay: "
          f"mã chỉ hiện một lần.", "success")
    return _profile(token=value)


@bp.post("/profile/tokens/<int:token_id>/revoke")
def revoke_token(token_id: int) -> ResponseReturnValue:
    """Revoke one API token of the signed-in user."""
    user = db().get(User, actor().id)
    row = accounts.revoke_token(db(), user, token_id, actor().username)
    db().commit()
    flash(f"Đã thu hồi mã truy cập '{row.name}'.", "success")
    return redirect(url_for("auth.profile"))
