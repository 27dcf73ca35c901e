"""The ``reportsvc agencies`` commands: a unit's departments (sở, ban, ngành) or its UBND, their aliases and mergers.

    agencies list --unit CODE [--all] [--json]
    agencies add NAME --unit CODE
    agencies rename NAME --name NEW --unit CODE
    agencies alias NAME ALIAS --unit CODE
    agencies merge OLD... --into NEW --unit CODE
    agencies settings NAME --unit CODE [--set KEY=VALUE]... [--json]

"Sở Tư pháp" of one province and of another are two agencies: every command names the unit.
Each change is one transaction, audited by reportsvc.services.agencies; a refusal is one
Vietnamese line and exit 2.
"""
from __future__ import annotations

import json

import click

from reportsvc.cli.support import CliGroup, cli_actor, emit, require_admin_user, services_of, setting_changes, \
    show_setting
from reportsvc.cli.types import ASSIGNMENT
from reportsvc.db.unitsettings import AGENCY_KEYS
from reportsvc.services import agencies as service

UNIT_HELP = "Mã đơn vị có cơ quan, ví dụ HT."


@click.group("agencies", cls=CliGroup, help="Cơ quan của một đơn vị: sở, ban, ngành của tỉnh; UBND của xã.")
def agencies() -> None:
    """Group of the agency commands."""


@agencies.command("list", help="Liệt kê các cơ quan của đơn vị và tên gọi khác của chúng.")
@click.option("--unit", "unit_code", required=True, metavar="MÃ", help=UNIT_HELP)
@click.option("--all", "include_merged", is_flag=True, help="Kể cả cơ quan đã hợp nhất vào cơ quan khác.")
@click.option("--json", "as_json", is_flag=True, help="In dạng JSON.")
@click.pass_context
def list_agencies(ctx: click.Context, unit_code: str, include_merged: bool, as_json: bool) -> None:
    """List a unit's agencies."""
    with services_of(ctx).sessions() as session:
        rows = service.list_agencies(session, unit_code, include_merged=include_merged)

    def line(row: dict) -> str:
        aliases = f"  (tên khác: {'; '.join(row['aliases'])})" if row["aliases"] else ""
        merged = f"  → đã hợp nhất vào {row['successor']}" if row["successor"] else ""
        return f"{row['name']}{aliases}{merged}"

    emit(rows, as_json, line)


@agencies.command("add", help="Thêm một cơ quan cho đơn vị.")
@click.argument("name", metavar="TÊN")
@click.option("--unit", "unit_code", required=True, metavar="MÃ", help=UNIT_HELP)
@click.pass_context
def add(ctx: click.Context, name: str, unit_code: str) -> None:
    """Add an agency to a unit."""
    services = services_of(ctx)
    require_admin_user(ctx)
    with services.transaction() as session:
        agency = service.add_agency(session, unit_code, name, cli_actor())
        label = f"'{agency.name}' của {agency.unit.name}"
    click.echo(f"Đã thêm cơ quan {label}.")


@agencies.command("rename", help="Đổi tên một cơ quan; tên cũ được giữ làm tên gọi khác.")
@click.argument("name", metavar="TÊN")
@click.option("--name", "new_name", required=True, metavar="TÊN_MỚI", help="Tên mới của cơ quan.")
@click.option("--unit", "unit_code", required=True, metavar="MÃ", help=UNIT_HELP)
@click.pass_context
def rename(ctx: click.Context, name: str, new_name: str, unit_code: str) -> None:
    """Rename an agency of a unit."""
    services = services_of(ctx)
    require_admin_user(ctx)
    with services.transaction() as session:
        agency = service.rename_agency(session, unit_code, name, new_name, cli_actor())
        label = agency.name
    click.echo(f"Đã đổi tên cơ quan thành '{label}'.")


@agencies.command("alias", help="Thêm một tên gọi khác (viết tắt) của cơ quan, dùng khi đọc kế hoạch của đơn vị.")
@click.argument("name", metavar="TÊN")
@click.argument("alias", metavar="TÊN_KHÁC")
@click.option("--unit", "unit_code", required=True, metavar="MÃ", help=UNIT_HELP)
@click.pass_context
def alias(ctx: click.Context, name: str, alias: str, unit_code: str) -> None:
    """Record another way the unit's plans write an agency."""
    services = services_of(ctx)
    require_admin_user(ctx)
    with services.transaction() as session:
        agency = service.add_alias(session, unit_code, name, alias, cli_actor())
        label = agency.name
    click.echo(f"Đã thêm tên gọi '{alias}' cho '{label}'.")


@agencies.command("merge", help="Hợp nhất các cơ quan vào một cơ quan (có sẵn hoặc mới): nhiệm vụ, tài khoản và "
                                "lịch sử chuyển sang cơ quan đó.")
@click.argument("olds", nargs=-1, required=True, metavar="TÊN_CŨ...")
@click.option("--into", required=True, metavar="TÊN", help="Cơ quan sau hợp nhất, ví dụ 'Sở Nông nghiệp và Môi trường'.")
@click.option("--unit", "unit_code", required=True, metavar="MÃ", help=UNIT_HELP)
@click.pass_context
def merge(ctx: click.Context, olds: tuple[str, ...], into: str, unit_code: str) -> None:
    """Merge departments of a unit."""
    services = services_of(ctx)
    require_admin_user(ctx)
    with services.transaction() as session:
        target = service.merge_agencies(session, unit_code, list(olds), into, cli_actor())
        label = target.name
    click.echo(f"Đã hợp nhất {'; '.join(olds)} vào '{label}'.")


@agencies.command("settings", help="Xem hoặc sửa cách trình bày báo cáo riêng của cơ quan: "
                                   + ", ".join(AGENCY_KEYS) + ". Giá trị để trống đưa về mặc định.")
@click.argument("name", metavar="TÊN")
@click.option("--unit", "unit_code", required=True, metavar="MÃ", help=UNIT_HELP)
@click.option("--set", "assignments", multiple=True, type=ASSIGNMENT,
              help="Đặt một thiết lập, ví dụ sign_authority='KT. GIÁM ĐỐC'.")
@click.option("--json", "as_json", is_flag=True, help="In dạng JSON.")
@click.pass_context
def settings(ctx: click.Context, name: str, unit_code: str, assignments: tuple[tuple[str, str], ...],
             as_json: bool) -> None:
    """Show an agency's report settings, or change some of them (checked and audited)."""
    services = services_of(ctx)
    if assignments:
        require_admin_user(ctx)
        with services.transaction() as session:
            view = service.update_agency_settings(session, unit_code, name, setting_changes(assignments), cli_actor())
    else:
        with services.sessions() as session:
            view = service.agency_settings(session, unit_code, name)
    if as_json:
        click.echo(json.dumps(view, ensure_ascii=False))
        return
    click.echo(f"Thiết lập báo cáo riêng của {view['agency']} ({view['unit']}):")
    for key, value in view["settings"].items():
        mark = "" if key in view["own"] else "  (mặc định)"
        click.echo(f"  {key:<16} {show_setting(value)}{mark}")

