"""The ``reportsvc users`` commands: ``users create``, ``users token`` and ``users list``.

Registered on the main group in reportsvc/cli.py; failures are one Vietnamese line and exit 2
(reportsvc.cli.support.CliGroup).
"""
from __future__ import annotations

import click
from sqlalchemy import select

from reportsvc.services import accounts
from reportsvc.cli.support import CliGroup, cli_actor, emit, services_of
from reportsvc.cli.types import OneOf
from reportsvc.db.models import User


@click.group("users", cls=CliGroup,
             help="Tài khoản người dùng: quản trị (admin), cán bộ cập nhật (editor), người xem (viewer).")
def users() -> None:
    """Group of the user commands."""


@users.command("create", help="Tạo tài khoản. Cán bộ cập nhật (editor) phải gắn với một cơ quan.")
@click.argument("username", metavar="TÊN_ĐĂNG_NHẬP")
@click.option("--role", required=True, type=OneOf("Vai trò", accounts.ROLES), metavar="VAI_TRÒ",
              help="admin | editor | viewer")
@click.option("--agency", default="", metavar="CƠ_QUAN", help="Tên hoặc tên viết tắt của cơ quan, ví dụ 'Sở Tư pháp'.")
@click.option("--unit", "unit_code", default="", metavar="MÃ", help="Mã đơn vị của tài khoản, ví dụ HT.")
@click.option("--full-name", default="", metavar="HỌ_TÊN", help="Họ và tên.")
@click.option("--password", default=None, metavar="MẬT_KHẨU", help="Mật khẩu (bỏ trống để nhập khi được hỏi).")
@click.pass_context
def create(ctx: click.Context, username: str, role: str, agency: str, unit_code: str, full_name: str,
           password: str | None) -> None:
    """Create a user with a hashed password; the agency is looked up by name or alias, never created."""
    services = services_of(ctx)
    with services.sessions() as session:  # refuse an unknown agency before asking for a password
        if agency and accounts.find_agency(session, agency) is None:
            raise accounts.AccountError(f"Không tìm thấy cơ quan '{agency}'.")
    if password is None:
        password = click.prompt("Mật khẩu", hide_input=True, confirmation_prompt="Nhập lại mật khẩu", err=True)
    with services.transaction() as session:
        user = accounts.create_user(session, username, role, password, agency_name=agency, unit_code=unit_code,
                                    full_name=full_name, actor=cli_actor())
        agency_name = user.agency.name if user.agency else "—"
    click.echo(f"Đã tạo tài khoản '{username}' (vai trò {role}, cơ quan {agency_name}).")


@users.command("token", help="Cấp mã truy cập API mới cho một tài khoản (mã cũ hết hiệu lực). Mã chỉ in ra một lần.")
@click.argument("username", metavar="TÊN_ĐĂNG_NHẬP")
@click.pass_context
def token(ctx: click.Context, username: str) -> None:
    """Issue a new API token for a user and print it once (only its hash is stored)."""
    with services_of(ctx).transaction() as session:
        value = accounts.issue_token(session, accounts.find_user(session, username), cli_actor())
    click.echo(value)


@users.command("list", help="Liệt kê các tài khoản.")
@click.option("--json", "as_json", is_flag=True, help="In dạng JSON.")
@click.pass_context
def list_users(ctx: click.Context, as_json: bool) -> None:
    """List users with role, agency and unit."""
    with services_of(ctx).sessions() as session:
        rows = [{"username": u.username, "full_name": u.full_name, "role": u.role,
                 "agency": u.agency.name if u.agency else None, "unit": u.unit.code if u.unit else None,
                 "active": u.active, "has_token": bool(u.api_token_hash)}
                for u in session.scalars(select(User).order_by(User.username))]
    emit(rows, as_json, lambda row: f"{row['username']:<16} {row['role']:<7} {row['agency'] or '-':<32} "
                                    f"{row['unit'] or '-'}")
