"""User accounts: roles, creation, password check and API tokens (stored only as a hash)."""
from __future__ import annotations

import hashlib
import re
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from reportsvc.importing import agencies
from reportsvc.services import audit
from reportsvc.errors import UserError
from reportsvc.db.lookup import find_unit
from reportsvc.db.models import User
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


def create_user(session: Session, username: str, role: str, password: str, *, agency_name: str = "",
                unit_code: str = "", full_name: str = "", actor: str = "system") -> User:
    """Create a user; an editor needs an agency, every name is checked; raises AccountError."""
    username = username.strip()
    if not _USERNAME.match(username):
        raise AccountError(f"Tên đăng nhập không hợp lệ: '{username}'. Chỉ dùng chữ không dấu, số và . _ - "
                           f"(2–64 ký tự).")
    if role not in ROLES:
        raise AccountError(f"Vai trò không hợp lệ: '{role}'. Chọn một trong: {', '.join(ROLES)}.")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"Mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự.")
    taken = select(User.id).where(User.username == username).execution_options(unscoped=True)  # every unit's
    if session.scalar(taken) is not None:
        raise AccountError(f"Tên đăng nhập '{username}' đã tồn tại.")
    unit = find_unit(session, unit_code) if unit_code else None
    if unit is None and role != "superadmin":
        raise AccountError("Tài khoản phải gắn với một đơn vị (--unit), trừ quản trị hệ thống (superadmin).")
    agency = None
    if agency_name:
        agency = agencies.resolve(session, unit, collapse(agency_name)) if unit is not None else None
        if agency is None:
            raise AccountError(f"Không tìm thấy cơ quan '{collapse(agency_name)}'"
                               f"{f' của {unit.name}' if unit is not None else ''}.")
    elif role == "editor":
        raise AccountError("Tài khoản cán bộ cập nhật (editor) phải gắn với một cơ quan (--agency).")
    user = User(username=username, full_name=collapse(full_name), role=role, agency=agency, unit=unit,
                password_hash=generate_password_hash(password))
    session.add(user)
    session.flush()
    audit.record(session, actor, "user.create", "user", user.id, None,
                 {"username": username, "role": role, "agency": agency.name if agency else None,
                  "unit": unit.code if unit else None})
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
