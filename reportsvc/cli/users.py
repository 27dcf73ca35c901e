"""The ``reportsvc users`` commands: create, disable, enable, password, set-unit, set-role, set-email, token,
tokens, revoke and list.

Registered on the main group in reportsvc/cli/main.py; failures are one Vietnamese line and exit 2
(reportsvc.cli.support.CliGroup). Every change is audited by reportsvc.services.accounts; with the
global ``--user`` only an admin may make one, and only for the users of its unit and below.
"""
from __future__ import annotations

from datetime import datetime

import click
from sqlalchemy import select

from reportsvc.cli.support import CliGroup, acting_user, cli_actor, emit, require_admin_user, services_of
from reportsvc.cli.types import OneOf
from reportsvc.db.models import User
from reportsvc.errors import Forbidden
from reportsvc.services import accounts
from reportsvc.services.runtime import Services
from reportsvc.vn.dates import local_time


@click.group("users", cls=CliGroup,
             help="Tài khoản người dùng: quản trị hệ thống (superadmin), quản trị (admin), cán bộ cập nhật "
                  "(editor), người xem (viewer).")
def users() -> None:
    """Group of the user commands."""


def _password(password: str | None) -> str:
    """Return the given password, or ask for it twice without echoing."""
    if password is None:
        password = click.prompt("Mật khẩu", hide_input=True, confirmation_prompt="Nhập lại mật khẩu", err=True)
    return password


def _manage(ctx: click.Context) -> Services:
    """Return the services for a change of accounts; only an admin (or the system) may make one."""
    services = services_of(ctx)
    require_admin_user(ctx)
    return services


@users.command("create", help="Tạo tài khoản gắn với một đơn vị (--unit); cán bộ cập nhật (editor) còn gắn với một "
                              "cơ quan của đơn vị. Quản trị hệ thống (superadmin) không gắn đơn vị.")
@click.argument("username", metavar="TÊN_ĐĂNG_NHẬP")
@click.option("--role", required=True, type=OneOf("Vai trò", accounts.ROLES), metavar="VAI_TRÒ",
              help="superadmin | admin | editor | viewer")
@click.option("--agency", default="", metavar="CƠ_QUAN", help="Tên hoặc tên viết tắt của cơ quan, ví dụ 'Sở Tư pháp'.")
@click.option("--unit", "unit_code", default="", metavar="MÃ", help="Mã đơn vị của tài khoản, ví dụ HT.")
@click.option("--full-name", default="", metavar="HỌ_TÊN", help="Họ và tên.")
@click.option("--email", default="", metavar="THƯ_ĐIỆN_TỬ",
              help="Địa chỉ thư điện tử nhận thư nhắc hạn nộp số liệu, ví dụ mai@stp.hatinh.gov.vn.")
@click.option("--password", default=None, metavar="MẬT_KHẨU", help="Mật khẩu (bỏ trống để nhập khi được hỏi).")
@click.pass_context
def create(ctx: click.Context, username: str, role: str, agency: str, unit_code: str, full_name: str, email: str,
           password: str | None) -> None:
    """Create a user with a hashed password; the agency is looked up within the unit, never created."""
    services = _manage(ctx)
    acting = acting_user(ctx)
    if role == "superadmin" and acting is not None and not acting.is_superadmin:
        raise Forbidden("Chỉ quản trị hệ thống (superadmin) được tạo tài khoản quản trị hệ thống.")
    with services.sessions() as session:  # refuse a bad unit, agency or address before asking for a password
        accounts.check_new_user(session, username, role, agency_name=agency, unit_code=unit_code, email=email)
    password = _password(password)
    with services.transaction() as session:
        user = accounts.create_user(session, username, role, password, agency_name=agency, unit_code=unit_code,
                                    full_name=full_name, email=email, actor=cli_actor())
        agency_name = user.agency.name if user.agency else "—"
        unit_name = f"{user.unit.name} ({user.unit.code})" if user.unit else "mọi đơn vị"
    click.echo(f"Đã tạo tài khoản '{username}' (vai trò {role}, đơn vị {unit_name}, cơ quan {agency_name}).")


@users.command("disable", help="Khóa tài khoản: không đăng nhập, không dùng mã API được nữa.")
@click.argument("username", metavar="TÊN_ĐĂNG_NHẬP")
@click.pass_context
def disable(ctx: click.Context, username: str) -> None:
    """Disable a user (audited)."""
    with _manage(ctx).transaction() as session:
        changed = accounts.set_active(session, username, False, cli_actor())
    click.echo(f"Đã khóa tài khoản '{username}'." if changed else f"Tài khoản '{username}' đã bị khóa từ trước.")


@users.command("enable", help="Mở khóa tài khoản.")
@click.argument("username", metavar="TÊN_ĐĂNG_NHẬP")
@click.pass_context
def enable(ctx: click.Context, username: str) -> None:
    """Enable a user again (audited)."""
    with _manage(ctx).transaction() as session:
        changed = accounts.set_active(session, username, True, cli_actor())
    click.echo(f"Đã mở khóa tài khoản '{username}'." if changed else f"Tài khoản '{username}' đang hoạt động.")


@users.command("password", help="Đặt lại mật khẩu của một tài khoản; mọi phiên đăng nhập của nó kết thúc và người "
                                "dùng phải đổi mật khẩu khi đăng nhập lần tới.")
@click.argument("username", metavar="TÊN_ĐĂNG_NHẬP")
@click.option("--password", default=None, metavar="MẬT_KHẨU", help="Mật khẩu mới (bỏ trống để nhập khi được hỏi).")
@click.pass_context
def password(ctx: click.Context, username: str, password: str | None) -> None:
    """Reset a user's password (audited, the hash only is kept); the user must change it at next sign-in."""
    services = _manage(ctx)
    with services.sessions() as session:  # an unknown user is refused before the password is asked
        accounts.find_user(session, username)
    new = _password(password)
    with services.transaction() as session:
        accounts.set_password(session, username, new, cli_actor())
    click.echo(f"Đã đặt lại mật khẩu của '{username}'. Người dùng phải đổi mật khẩu khi đăng nhập lần tới.")


@users.command("set-unit", help="Gắn tài khoản với một đơn vị (và một cơ quan của đơn vị đó).")
@click.argument("username", metavar="TÊN_ĐĂNG_NHẬP")
@click.option("--unit", "unit_code", required=True, metavar="MÃ", help="Mã đơn vị mới của tài khoản.")
@click.option("--agency", default="", metavar="CƠ_QUAN", help="Cơ quan của đơn vị (bắt buộc với editor).")
@click.pass_context
def set_unit(ctx: click.Context, username: str, unit_code: str, agency: str) -> None:
    """Bind a user to a unit and optionally an agency of it (audited)."""
    with _manage(ctx).transaction() as session:
        user = accounts.set_unit(session, username, unit_code, cli_actor(), agency_name=agency)
        label = f"{user.unit.name} ({user.unit.code})" + (f", cơ quan {user.agency.name}" if user.agency else "")
    click.echo(f"Tài khoản '{username}' nay thuộc {label}.")


def _own_or_admin(ctx: click.Context, username: str) -> Services:
    """Return the services for a command on ``username``'s tokens: its own, or an admin's for its units' users."""
    services = services_of(ctx)
    acting = acting_user(ctx)
    if acting is not None and acting.username != username.strip():
        require_admin_user(ctx)
    return services


@users.command("token", help="Cấp một mã truy cập API có tên và thời hạn cho tài khoản; mã trùng tên với một mã đang "
                             "có sẽ thay thế mã đó. Mã chỉ in ra một lần.")
@click.argument("username", metavar="TÊN_ĐĂNG_NHẬP")
@click.option("--name", default=accounts.DEFAULT_TOKEN_NAME, show_default=True, metavar="TÊN_MÃ",
              help="Tên của mã, ví dụ 'phần mềm một cửa'.")
@click.option("--days", default=accounts.TOKEN_DAYS, show_default=True, metavar="SỐ_NGÀY",
              type=click.IntRange(1, accounts.MAX_TOKEN_DAYS), help="Số ngày mã còn hiệu lực.")
@click.pass_context
def token(ctx: click.Context, username: str, name: str, days: int) -> None:
    """Issue a named API token for a user and print it once (only its hash is stored)."""
    with _own_or_admin(ctx, username).transaction() as session:
        value = accounts.issue_token(session, accounts.find_user(session, username), cli_actor(), name=name, days=days)
    click.echo(value)


def _shown(iso: str) -> str:
    """Return a stored ISO time as Vietnam time, "23/11/2026 14:05"."""
    return local_time(datetime.fromisoformat(iso))


@users.command("tokens", help="Liệt kê các mã truy cập API của một tài khoản (số, tên, ngày tạo, ngày hết hạn).")
@click.argument("username", metavar="TÊN_ĐĂNG_NHẬP")
@click.option("--json", "as_json", is_flag=True, help="In dạng JSON.")
@click.pass_context
def tokens(ctx: click.Context, username: str, as_json: bool) -> None:
    """List a user's API tokens (never their values)."""
    with _own_or_admin(ctx, username).sessions() as session:
        rows = [{"id": t.id, "name": t.name, "created_at": accounts.aware(t.created_at).isoformat(timespec="seconds"),
                 "expires_at": accounts.aware(t.expires_at).isoformat(timespec="seconds"),
                 "expired": accounts.is_expired(t)}
                for t in accounts.tokens_of(session, accounts.find_user(session, username))]
    if not rows and not as_json:
        click.echo(f"Tài khoản '{username}' chưa có mã truy cập API.")
        return
    emit(rows, as_json, lambda row: f"{row['id']:<6} {row['name']:<24} tạo {_shown(row['created_at'])}  "
                                    f"hết hạn {_shown(row['expires_at'])}"
                                    f"{'  (đã hết hạn)' if row['expired'] else ''}")


@users.command("revoke", help="Thu hồi một mã truy cập API của tài khoản (số của mã: xem 'users tokens').")
@click.argument("username", metavar="TÊN_ĐĂNG_NHẬP")
@click.argument("token_id", metavar="SỐ_MÃ", type=int)
@click.pass_context
def revoke(ctx: click.Context, username: str, token_id: int) -> None:
    """Revoke one API token of a user (audited)."""
    with _own_or_admin(ctx, username).transaction() as session:
        row = accounts.revoke_token(session, accounts.find_user(session, username), token_id, cli_actor())
    click.echo(f"Đã thu hồi mã truy cập số {row.id} ('{row.name}') của '{username}'.")


@users.command("set-role", help="Đổi vai trò của tài khoản (admin, editor, viewer); mọi phiên đăng nhập của nó kết thúc.")
@click.argument("username", metavar="TÊN_ĐĂNG_NHẬP")
@click.option("--role", required=True, type=OneOf("Vai trò", accounts.ROLES), metavar="VAI_TRÒ",
              help="admin | editor | viewer")
@click.pass_context
def set_role(ctx: click.Context, username: str, role: str) -> None:
    """Give a user another role (audited; its sessions end)."""
    with _manage(ctx).transaction() as session:
        accounts.set_role(session, username, role, cli_actor())
    click.echo(f"Tài khoản '{username}' nay có vai trò {role} ({accounts.ROLES[role]}).")


@users.command("set-email", help="Đặt địa chỉ thư điện tử nhận thư nhắc hạn nộp số liệu của tài khoản "
                                 "(\"\" để bỏ địa chỉ: không nhận thư nhắc).")
@click.argument("username", metavar="TÊN_ĐĂNG_NHẬP")
@click.argument("email", metavar="THƯ_ĐIỆN_TỬ")
@click.pass_context
def set_email(ctx: click.Context, username: str, email: str) -> None:
    """Give a user another e-mail address, or none (audited)."""
    with _manage(ctx).transaction() as session:
        changed = accounts.set_email(session, username, email, cli_actor())
        now = accounts.find_user(session, username).email
    if not changed:
        click.echo(f"Tài khoản '{username}' vẫn giữ địa chỉ {now or '(không có)'}.")
    else:
        click.echo(f"Tài khoản '{username}' nay nhận thư tại {now}." if now else
                   f"Tài khoản '{username}' không còn địa chỉ thư điện tử (không nhận thư nhắc).")


@users.command("list", help="Liệt kê các tài khoản.")
@click.option("--json", "as_json", is_flag=True, help="In dạng JSON.")
@click.pass_context
def list_users(ctx: click.Context, as_json: bool) -> None:
    """List users with role, agency and unit."""
    with services_of(ctx).sessions() as session:
        rows = [{"username": u.username, "full_name": u.full_name, "role": u.role,
                 "agency": u.agency.name if u.agency else None, "unit": u.unit.code if u.unit else None,
                 "email": u.email, "active": u.active, "tokens": len(u.tokens)}
                for u in session.scalars(select(User).order_by(User.username))]
    emit(rows, as_json, lambda row: f"{row['username']:<16} {row['role']:<7} {row['agency'] or '-':<32} "
                                    f"{row['unit'] or '-'}")
