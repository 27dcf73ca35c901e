"""User accounts: roles, creation, password check and API tokens (stored only as a hash)."""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from reportsvc.importing import agencies
from reportsvc.services import audit
from reportsvc.errors import UserError
from reportsvc.db.lookup import find_unit
from reportsvc.db.models import Agency, Unit, User
from reportsvc.vn.text import collapse

ROLES = {
    "superadmin": "Quản trị hệ thống (mọi đơn vị)",
    "admin": "Quản trị (Sở Nội vụ)",
    "editor": "Cán bộ cập nhật",
    "viewer": "Người xem",
}
TOKEN_PREFIX = "rsv_"
MIN_PASSWORD = 8
_USERNAME = re.compile(r"^[A-Za-z0-9_.-]{2,64}$")
# A hash that matches no password: used when the user does not exist, so timing does not tell.
_DUMMY_HASH = generate_password_hash("không-phải-mật-khẩu")


class AccountError(UserError):
    """A user could not be created or found; the message is for the user."""


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


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"Mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự.")


def check_new_user(session: Session, username: str, role: str, *, agency_name: str = "",
                   unit_code: str = "") -> tuple[Unit | None, Agency | None]:
    """Check everything about a new user but its password (the CLI asks for it only then); raise AccountError."""
    username = username.strip()
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
                unit_code: str = "", full_name: str = "", actor: str = "system") -> User:
    """Create a user bound to a unit (and an agency of it; an editor needs one); superadmin has none."""
    unit, agency = check_new_user(session, username, role, agency_name=agency_name, unit_code=unit_code)
    _check_password(password)
    username = username.strip()
    user = User(username=username, full_name=collapse(full_name), role=role, agency=agency, unit=unit,
                unit_id=unit.id if unit is not None else None, password_hash=generate_password_hash(password))
    session.add(user)
    session.flush()
    audit.record(session, actor, "user.create", "user", user.id, None,
                 {"username": username, "role": role, "agency": agency.name if agency else None,
                  "unit": unit.code if unit else None}, unit_id=unit.id if unit else None)
    return user


def set_active(session: Session, username: str, active: bool, actor: str) -> bool:
    """Disable or enable a user's sign-in and API token, audited; return False when nothing changed."""
    user = find_user(session, username)
    if user.active == active:
        return False
    user.active = active
    audit.record(session, actor, "user.enable" if active else "user.disable", "user", user.id,
                 {"active": not active}, {"active": active}, unit_id=user.unit_id)
    session.flush()
    return True


def set_password(session: Session, username: str, password: str, actor: str) -> User:
    """Give a user a new password (the hash only is kept; the audit entry records that it changed)."""
    user = find_user(session, username)
    _check_password(password)
    user.password_hash = generate_password_hash(password)
    audit.record(session, actor, "user.password", "user", user.id, None, {"username": user.username},
                 unit_id=user.unit_id)
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
    audit.record(session, actor, "user.unit", "user", user.id, old, new, unit_id=user.unit_id)
    session.flush()
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    """Return the active user with this username and password, or None."""
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not user.active or not check_password_hash(user.password_hash, password):
        return None
    return user


def hash_token(token: str) -> str:
    """Return the stored form of an API token (sha256; tokens are long random strings)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(session: Session, user: User, actor: str) -> str:
    """Give ``user`` a new API token (the old one stops working) and return it; only its hash is kept."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    user.api_token_hash = hash_token(token)
    audit.record(session, actor, "user.token", "user", user.id, None, {"username": user.username})
    session.flush()
    return token


def user_for_token(session: Session, token: str) -> User | None:
    """Return the active user owning ``token``, or None."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    user = session.scalar(select(User).where(User.api_token_hash == hash_token(token)))
    return user if user is not None and user.active else None


def find_user(session: Session, username: str) -> User:
    """Return the user named ``username`` or raise AccountError."""
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        raise AccountError(f"Không tìm thấy người dùng '{username}'.")
    return user
