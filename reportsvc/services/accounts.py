"""User accounts: roles, creation, passwords, sign-in with throttling, sessions and named API tokens.

Secrets are stored only as hashes: passwords (werkzeug's scrypt/pbkdf2), API tokens and session
keys (sha256: they are long random strings). Everything that changes an account is audited.

Sign-in sessions are rows of ``login_sessions`` (the signed cookie holds only a random key), so a
session ends for every copy of its cookie: on sign-out, on "đăng xuất khỏi mọi thiết bị", and for
all of a user's sessions when its password, role, unit or lock changes. Each has a lifetime and
an idle timeout (``LoginPolicy``).

Failed sign-ins are rows of ``login_failures`` in the shared database rather than counters in
Flask-Limiter's memory storage: every process and server of an installation (waitress threads,
several workers, the CLI) sees the same counts without another service to run (such as Redis),
and the rows survive a restart. Too many failures for one account, or from one address, within
the window refuse further attempts (HTTP 429) until the oldest of them ages out: the lock is
short and sliding, and attempts refused meanwhile are not counted, so it ends at most one window
after an attacker stops. A browser that signed in to the account before (``trusted``) is not held
by the account's lock, only by its address's.
"""
from __future__ import annotations

import functools
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from reportsvc.config import normal_email
from reportsvc.importing import agencies
from reportsvc.services import audit, passwords
from reportsvc.errors import NotFound, UserError
from reportsvc.db.lookup import find_unit
from reportsvc.db.models import Agency, ApiToken, LoginFailure, LoginSession, Unit, User, utcnow
from reportsvc.vn.text import collapse

if TYPE_CHECKING:
    from reportsvc.config import Settings

ROLES = {
    "superadmin": "Quản trị hệ thống (mọi đơn vị)",
    "admin": "Quản trị (Sở Nội vụ)",
    "editor": "Cán bộ cập nhật",
    "viewer": "Người xem",
}
TOKEN_PREFIX = "rsv_"
TOKEN_DAYS = 90  # a new token's lifetime unless another is asked for
MAX_TOKEN_DAYS = 730
DEFAULT_TOKEN_NAME = "mặc định"  # `reportsvc users token NAME` without --name: re-issuing replaces it
MIN_PASSWORD = passwords.MIN_LENGTH
_USERNAME = re.compile(r"^[A-Za-z0-9_.-]{2,64}$")


@functools.cache
def _dummy_hash() -> str:
    """Return a hash that matches no password, checked when the user does not exist so timing does not tell.

    Made on first use, not at import: hashing costs ~0.1 s that every command would otherwise pay.
    """
    return generate_password_hash("không-phải-mật-khẩu")


class AccountError(UserError):
    """A user could not be created or found; the message is for the user."""


class TooManyAttempts(UserError):
    """Sign-in refused for a while after too many failures (HTTP 429); ``wait`` says how long."""

    http_status = 429

    def __init__(self, wait: timedelta) -> None:
        minutes = max(1, -(-int(wait.total_seconds()) // 60))
        super().__init__(f"Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {minutes} phút; "
                         f"nếu quên mật khẩu, hãy liên hệ quản trị viên đơn vị.")
        self.wait = wait


@dataclass(frozen=True)
class LoginPolicy:
    """How long a session lasts and when sign-in is throttled (README: the REPORTSVC_SESSION_* and
    REPORTSVC_LOGIN_* settings)."""

    lifetime: timedelta = timedelta(hours=12)
    idle: timedelta = timedelta(minutes=60)
    max_failures: int = 10  # per account, from any address, within ``window``
    max_address_failures: int = 50  # per client address, any account (an office may share one address)
    window: timedelta = timedelta(minutes=15)

    @classmethod
    def of(cls, settings: "Settings") -> "LoginPolicy":
        """Return the policy the settings describe."""
        return cls(lifetime=timedelta(hours=settings.session_hours), idle=timedelta(minutes=settings.idle_minutes),
                   max_failures=settings.login_max_failures,
                   max_address_failures=settings.login_address_max_failures,
                   window=timedelta(minutes=settings.login_window_minutes))


def aware(moment: datetime) -> datetime:
    """Return ``moment`` as an aware UTC time (SQLite gives stored times back without their zone)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def _binding(session: Session, role: str, unit_code: str, agency_name: str) -> tuple[Unit | None, Agency | None]:
    """Return the unit and agency a user of ``role`` is bound to; the agency is looked up within the unit."""
    if role == "superadmin":
        if unit_code or agency_name:
            raise AccountError("Quản trị hệ thống (superadmin) không gắn với đơn vị hay cơ quan nào; "
                               "bỏ --unit và --agency.")
        return None, None
    if not unit_code:
        raise AccountError("Tài khoản phải gắn với một đơn vị (--unit), trừ quản trị hệ thống (superadmin).")
    unit = find_unit(session, unit_code)
    if unit.valid_to is not None:
        raise AccountError(f"{unit.name} ({unit.code}) đã thôi tồn tại từ "
                           f"{unit.valid_to + timedelta(days=1):%d/%m/%Y}; hãy gắn tài khoản với đơn vị kế tục.")
    agency = None
    if agency_name:
        agency = agencies.resolve(session, unit, collapse(agency_name))
        if agency is None:
            raise AccountError(f"Không tìm thấy cơ quan '{collapse(agency_name)}' của {unit.name}.")
    elif role == "editor":
        raise AccountError("Tài khoản cán bộ cập nhật (editor) phải gắn với một cơ quan (--agency).")
    return unit, agency


def check_password(password: str, username: str = "", full_name: str = "") -> None:
    """Raise AccountError with every reason ``password`` is refused (reportsvc.services.passwords)."""
    reasons = passwords.problems(password, username, full_name)
    if reasons:
        raise AccountError(" ".join(reasons))


def check_email(email: str | None) -> str:
    """Return a user's e-mail address with its domain lower-cased ("" for none); raise AccountError if it is not one.

    Only the form is checked (one @, no spaces or diacritics, a dotted domain); two users may share an
    address (an office's mailbox).
    """
    try:
        return normal_email(email or "")
    except ValueError as exc:
        raise AccountError(str(exc)) from None


def check_new_user(session: Session, username: str, role: str, *, agency_name: str = "",
                   unit_code: str = "", email: str = "") -> tuple[Unit | None, Agency | None]:
    """Check everything about a new user but its password (the CLI asks for it only then); raise AccountError."""
    username = username.strip()
    check_email(email)
    if not _USERNAME.match(username):
        raise AccountError(f"Tên đăng nhập không hợp lệ: '{username}'. Chỉ dùng chữ không dấu, số và . _ - "
                           f"(2–64 ký tự).")
    if role not in ROLES:
        raise AccountError(f"Vai trò không hợp lệ: '{role}'. Chọn một trong: {', '.join(ROLES)}.")
    taken = select(User.id).where(User.username == username).execution_options(unscoped=True)  # every unit's
    if session.scalar(taken) is not None:
        raise AccountError(f"Tên đăng nhập '{username}' đã tồn tại.")
    return _binding(session, role, unit_code, agency_name)


def create_user(session: Session, username: str, role: str, password: str, *, agency_name: str = "",
                unit_code: str = "", full_name: str = "", email: str = "", actor: str = "system") -> User:
    """Create a user bound to a unit (and an agency of it; an editor needs one); superadmin has none.

    ``email`` is where reminders go (reportsvc.services.reminders); "" receives none.
    """
    unit, agency = check_new_user(session, username, role, agency_name=agency_name, unit_code=unit_code,
                                  email=email)
    check_password(password, username.strip(), full_name)
    username = username.strip()
    user = User(username=username, full_name=collapse(full_name), role=role, agency=agency, unit=unit,
                unit_id=unit.id if unit is not None else None, password_hash=generate_password_hash(password),
                email=check_email(email))
    session.add(user)
    session.flush()
    audit.record(session, actor, "user.create", "user", user.id, None,
                 {"username": username, "role": role, "agency": agency.name if agency else None,
                  "unit": unit.code if unit else None, "email": user.email}, unit_id=unit.id if unit else None)
    return user


def set_email(session: Session, username: str, email: str | None, actor: str) -> bool:
    """Give a user another e-mail address ("" or None: none), audited; return False when nothing changed."""
    user = find_user(session, username)
    new = check_email(email)
    if new == user.email:
        return False
    old = user.email
    user.email = new
    audit.record(session, actor, "user.email", "user", user.id, {"email": old}, {"email": new}, unit_id=user.unit_id)
    session.flush()
    return True


def set_active(session: Session, username: str, active: bool, actor: str) -> bool:
    """Disable or enable a user's sign-in and API token, audited; return False when nothing changed."""
    user = find_user(session, username)
    if user.active == active:
        return False
    user.active = active
    if not active:
        end_sessions(session, user)
    audit.record(session, actor, "user.enable" if active else "user.disable", "user", user.id,
                 {"active": not active}, {"active": active}, unit_id=user.unit_id)
    session.flush()
    return True


def set_password(session: Session, username: str, password: str, actor: str) -> User:
    """Reset a user's password (an admin's act): its sessions end and it must choose its own at next sign-in."""
    user = find_user(session, username)
    check_password(password, user.username, user.full_name)
    user.password_hash = generate_password_hash(password)
    user.must_change_password = True
    end_sessions(session, user)
    audit.record(session, actor, "user.password", "user", user.id, None,
                 {"username": user.username, "must_change_password": True}, unit_id=user.unit_id)
    session.flush()
    return user


def change_own_password(session: Session, user: User, current: str, new: str) -> None:
    """Let ``user`` replace its password after proving the current one; every session of it ends."""
    if not check_password_hash(user.password_hash, current):
        raise AccountError("Mật khẩu hiện tại không đúng.")
    if new == current:
        raise AccountError("Mật khẩu mới phải khác mật khẩu hiện tại.")
    check_password(new, user.username, user.full_name)
    user.password_hash = generate_password_hash(new)
    user.must_change_password = False
    end_sessions(session, user)
    audit.record(session, user.username, "user.password.own", "user", user.id, None, {"username": user.username},
                 unit_id=user.unit_id)
    session.flush()


def set_role(session: Session, username: str, role: str, actor: str) -> User:
    """Give a user another role (admin, editor or viewer), audited; its sessions end."""
    user = find_user(session, username)
    if role not in ROLES:
        raise AccountError(f"Vai trò không hợp lệ: '{role}'. Chọn một trong: {', '.join(ROLES)}.")
    if "superadmin" in (role, user.role) and role != user.role:
        raise AccountError("Không đổi vai trò từ hay sang quản trị hệ thống (superadmin): hãy tạo tài khoản riêng.")
    if role == "editor" and user.agency_id is None:
        raise AccountError("Tài khoản cán bộ cập nhật (editor) phải gắn với một cơ quan: hãy gắn cơ quan trước "
                           "(users set-unit … --agency).")
    if role == user.role:
        return user
    old = user.role
    user.role = role
    end_sessions(session, user)
    audit.record(session, actor, "user.role", "user", user.id, {"role": old}, {"role": role}, unit_id=user.unit_id)
    session.flush()
    return user


def set_unit(session: Session, username: str, unit_code: str, actor: str, agency_name: str = "") -> User:
    """Bind a user to another unit (and optionally an agency of it), audited; an editor needs an agency."""
    user = find_user(session, username)
    unit, agency = _binding(session, user.role, unit_code, agency_name)
    old = {"unit": user.unit.code if user.unit else None, "agency": user.agency.name if user.agency else None}
    new = {"unit": unit.code if unit else None, "agency": agency.name if agency else None}
    if old == new:
        return user
    user.unit, user.unit_id, user.agency = unit, unit.id if unit else None, agency
    user.agency_id = agency.id if agency else None
    end_sessions(session, user)  # what the user may see changed
    audit.record(session, actor, "user.unit", "user", user.id, old, new, unit_id=user.unit_id)
    session.flush()
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    """Return the active user with this username and password, or None."""
    username = username.strip()
    user = None
    if username and len(username) <= 64 and "\x00" not in username:
        user = session.scalar(select(User).where(User.username == username))
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return None
    if not user.active or not check_password_hash(user.password_hash, password):
        return None
    return user


# ---------------------------------------------------------------- sign-in throttling

def _login_key(username: str) -> str:
    """Return the form of a typed user name failures are counted under."""
    return collapse(username.replace("\x00", "")).lower()[:64]


def login_wait(session: Session, username: str, address: str, policy: LoginPolicy, *, trusted: bool = False,
               now: datetime | None = None) -> timedelta:
    """Return how long a sign-in to ``username`` from ``address`` must wait (zero: it may try now).

    Too many failures in the window, for the account (unless ``trusted``) or from the address,
    lock until the oldest failure that makes up the limit ages out of the window.
    """
    now = now or utcnow()
    since = now - policy.window
    limits = [(LoginFailure.address == address[:64], policy.max_address_failures)]
    if not trusted:
        limits.append((LoginFailure.username == _login_key(username), policy.max_failures))
    wait = timedelta(0)
    for condition, limit in limits:
        recent = session.scalars(select(LoginFailure.at).where(condition, LoginFailure.at > since)
                                 .order_by(LoginFailure.at.desc()).limit(limit)).all()
        if len(recent) >= limit:
            wait = max(wait, aware(recent[-1]) + policy.window - now)
    return wait


def sign_in(session: Session, username: str, password: str, address: str, policy: LoginPolicy, *,
            trusted_user_id: int | None = None, now: datetime | None = None) -> User | None:
    """Check a sign-in attempt: the user, or None after recording and auditing the failure (commit either way).

    Raises TooManyAttempts (429), before the password is even checked, while the account or the
    address is locked. ``trusted_user_id`` is the account this browser signed in to before.
    """
    now = now or utcnow()
    typed = username.strip()
    owner = None
    if typed and len(typed) <= 64 and "\x00" not in typed:
        owner = session.scalar(select(User).where(User.username == typed).execution_options(unscoped=True))
    trusted = owner is not None and trusted_user_id == owner.id
    wait = login_wait(session, typed, address, policy, trusted=trusted, now=now)
    if wait > timedelta(0):
        raise TooManyAttempts(wait)
    user = authenticate(session, typed, password)
    if user is not None:
        return user
    session.add(LoginFailure(at=now, username=_login_key(typed), address=address[:64]))
    session.execute(delete(LoginFailure).where(LoginFailure.at < now - max(policy.window, timedelta(days=1))))
    reason = "unknown" if owner is None else "locked" if not owner.active else "password"
    shown = "".join(ch for ch in typed if ch.isprintable())[:64] or "(trống)"
    audit.record(session, shown, "auth.failed", "user", owner.id if owner else shown,
                 None, {"username": shown, "address": address[:64], "reason": reason},
                 unit_id=owner.unit_id if owner else None)
    session.flush()
    return None


# ---------------------------------------------------------------- sessions

def hash_token(token: str) -> str:
    """Return the stored form of an API token or session key (sha256; both are long random strings)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(session: Session, user: User, policy: LoginPolicy, *, address: str = "", agent: str = "",
                  now: datetime | None = None) -> str:
    """Open a sign-in session for ``user`` and return its key (for the cookie; only its hash is kept)."""
    now = now or utcnow()
    session.execute(delete(LoginSession).where(or_(LoginSession.created_at <= now - policy.lifetime,
                                                   LoginSession.last_seen_at <= now - policy.idle)))
    key = secrets.token_urlsafe(32)
    session.add(LoginSession(key_hash=hash_token(key), user_id=user.id, created_at=now, last_seen_at=now,
                             address=address[:64], agent=agent[:255]))
    session.flush()
    return key


def session_user(session: Session, key: str, policy: LoginPolicy, *,
                 now: datetime | None = None) -> tuple[User, LoginSession] | None:
    """Return the user and session of a cookie's key, or None when it ended, expired or sat idle too long.

    The session's last request is noted (at most once a minute: the caller commits).
    """
    if not key or len(key) > 100:
        return None
    now = now or utcnow()
    row = session.scalar(select(LoginSession).where(LoginSession.key_hash == hash_token(key)))
    if row is None:
        return None
    if aware(row.created_at) + policy.lifetime <= now or aware(row.last_seen_at) + policy.idle <= now:
        session.delete(row)
        return None
    user = session.scalar(select(User).where(User.id == row.user_id).execution_options(unscoped=True))
    if user is None or not user.active:
        return None
    if now - aware(row.last_seen_at) >= timedelta(minutes=1):
        row.last_seen_at = now
    return user, row


def end_session(session: Session, key: str) -> None:
    """End the session of a cookie's key (sign-out): every copy of that cookie stops working."""
    session.execute(delete(LoginSession).where(LoginSession.key_hash == hash_token(key)))


def end_sessions(session: Session, user: User) -> int:
    """End every session of ``user`` on every device; return how many there were."""
    result = session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    return result.rowcount or 0


def sessions_of(session: Session, user: User) -> list[LoginSession]:
    """Return the open sessions of ``user``, most recently used first."""
    return list(session.scalars(select(LoginSession).where(LoginSession.user_id == user.id)
                                .order_by(LoginSession.last_seen_at.desc())))


# ---------------------------------------------------------------- API tokens

def create_token(session: Session, user: User, actor: str, *, name: str = DEFAULT_TOKEN_NAME,
                 days: int = TOKEN_DAYS, now: datetime | None = None) -> tuple[ApiToken, str]:
    """Give ``user`` a named API token valid ``days`` days; return it with its value (shown once, hash kept).

    A token of the same name is replaced (it stops working).
    """
    name = collapse(name)
    if not name or len(name) > 64 or not name.isprintable():
        raise AccountError("Tên mã truy cập phải có từ 1 đến 64 ký tự.")
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise AccountError(f"Thời hạn của mã truy cập phải từ 1 đến {MAX_TOKEN_DAYS} ngày.")
    now = now or utcnow()
    replaced = session.scalar(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.name == name))
    if replaced is not None:
        session.delete(replaced)
        session.flush()
    value = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=name, token_hash=hash_token(value), created_at=now,
                   expires_at=now + timedelta(days=days))
    session.add(row)
    session.flush()
    audit.record(session, actor, "user.token", "user", user.id, {"token": replaced.id} if replaced else None,
                 {"username": user.username, "token": row.id, "name": name, "expires_at": row.expires_at},
                 unit_id=user.unit_id)
    session.flush()
    return row, value


def issue_token(session: Session, user: User, actor: str, *, name: str = DEFAULT_TOKEN_NAME,
                days: int = TOKEN_DAYS) -> str:
    """Give ``user`` a new API token named ``name`` (replacing one of that name) and return its value."""
    return create_token(session, user, actor, name=name, days=days)[1]


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    """Return the API tokens of ``user``, oldest first (expired ones included until revoked)."""
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)))


def revoke_token(session: Session, user: User, token_id: int, actor: str) -> ApiToken:
    """Revoke one API token of ``user`` (audited); raise NotFound when it has no such token."""
    row = session.scalar(select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id))
    if row is None:
        raise NotFound(f"Tài khoản '{user.username}' không có mã truy cập số {token_id}.")
    session.delete(row)
    audit.record(session, actor, "user.token.revoke", "user", user.id, {"token": row.id, "name": row.name}, None,
                 unit_id=user.unit_id)
    session.flush()
    return row


def is_expired(token: ApiToken, now: datetime | None = None) -> bool:
    """Return True when ``token`` no longer opens the API."""
    return aware(token.expires_at) <= (now or utcnow())


def user_for_token(session: Session, token: str, now: datetime | None = None) -> User | None:
    """Return the active user owning the unexpired API token ``token``, or None (the one token lookup)."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token))
                         .execution_options(unscoped=True))
    if row is None or is_expired(row, now):
        return None
    user = session.scalar(select(User).where(User.id == row.user_id).execution_options(unscoped=True))
    return user if user is not None and user.active else None


def find_user(session: Session, username: str) -> User:
    """Return the user named ``username`` or raise AccountError."""
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        raise AccountError(f"Không tìm thấy người dùng '{username}'.")
    return user
