"""The ``reportsvc units`` commands: the unit tree from the official list, its changes and mergers, report settings.

    units import FILE [--dry-run] [--json]
    units add CODE --name N --kind K [--parent P] [--valid-from NGÀY]
    units rename CODE --name N [--kind K]
    units move CODE --parent P
    units merge OLD... --into NEW --on 2025-07-01 [--name N --kind K --parent P]
    units list [--under CODE] [--all] [--json]
    units settings CODE [--set KEY=VALUE]... [--json]

Each change runs in one transaction and is audited by reportsvc.services.units; a refusal is one
Vietnamese line and exit 2 (reportsvc.cli.support.CliGroup), and nothing is stored.
"""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import click

from reportsvc.cli.support import CliGroup, cli_actor, emit, require_admin_user, services_of, setting_changes, \
    show_setting
from reportsvc.cli.types import ASSIGNMENT, DAY
from reportsvc.db.unitsettings import KEYS
from reportsvc.errors import UserError
from reportsvc.services import units as service
from reportsvc.vn.units import KINDS, kind_label

KIND_HELP = ", ".join(KINDS)


@click.group("units", cls=CliGroup,
             help="Đơn vị hành chính: tỉnh, thành phố trực thuộc trung ương, xã, phường, đặc khu "
                  "(và huyện, quận, thị xã, thị trấn trong danh mục cũ).")
def units() -> None:
    """Group of the unit commands."""


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise UserError(f"Không đọc được tệp '{path}': {exc.strerror or exc.__class__.__name__}.") from exc


@units.command("import", help="Nhập danh mục đơn vị hành chính của cơ quan thống kê (CSV UTF-8 hoặc XLSX), "
                              "dạng một dòng một đơn vị hoặc một dòng một xã kèm tỉnh. Nhập lại tệp cũ không "
                              "thêm gì; tên đổi được cập nhật và ghi nhật ký.")
@click.argument("file", metavar="TỆP")
@click.option("--dry-run", is_flag=True, help="Chỉ đọc và kiểm tra tệp, không ghi gì vào cơ sở dữ liệu.")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
@click.pass_context
def import_units(ctx: click.Context, file: str, dry_run: bool, as_json: bool) -> None:
    """Import the official unit list, all or nothing."""
    data = _read(file)
    services = services_of(ctx)
    if not dry_run:
        require_admin_user(ctx)
    limits = {"max_upload_mb": services.settings.max_upload_mb, "max_unzipped_mb": services.settings.max_unzipped_mb}
    if dry_run:
        with services.sessions() as session:
            summary = service.import_units(session, data, Path(file).name, cli_actor(), dry_run=True, **limits)
            session.rollback()
    else:
        with services.transaction() as session:
            summary = service.import_units(session, data, Path(file).name, cli_actor(), **limits)
    if as_json:
        click.echo(json.dumps(summary.as_dict(), ensure_ascii=False))
        return
    layout = "một dòng một đơn vị" if summary.layout == "tall" else "một dòng một đơn vị cấp xã kèm tỉnh"
    if dry_run:
        click.echo("Chạy thử (--dry-run): không ghi gì vào cơ sở dữ liệu.")
    click.echo(f"Danh mục ({layout}): {summary.total} đơn vị; thêm {len(summary.added)}, đổi tên "
               f"{len(summary.renamed)}, chuyển cấp trên {len(summary.moved)}, không đổi {summary.unchanged}.")


@units.command("add", help="Thêm một đơn vị.")
@click.argument("code", metavar="MÃ")
@click.option("--name", required=True, metavar="TÊN", help="Tên đơn vị, ví dụ 'Phường Đồng Hới'.")
@click.option("--kind", required=True, metavar="LOẠI", help=f"Loại đơn vị: {KIND_HELP} (hoặc tên tiếng Việt).")
@click.option("--parent", "parent_code", default="", metavar="MÃ", help="Mã đơn vị cấp trên (bỏ trống với cấp tỉnh).")
@click.option("--valid-from", type=DAY, help="Ngày thành lập, dd/mm/yyyy hoặc yyyy-mm-dd (nếu biết).")
@click.pass_context
def add(ctx: click.Context, code: str, name: str, kind: str, parent_code: str, valid_from: date | None) -> None:
    """Add one unit under its parent."""
    services = services_of(ctx)
    require_admin_user(ctx)
    with services.transaction() as session:
        unit = service.add_unit(session, code, name, kind, parent_code or None, cli_actor(), valid_from=valid_from)
        label = f"{unit.name} ({unit.code}, {kind_label(unit.kind)})"
    click.echo(f"Đã thêm {label}.")


@units.command("rename", help="Đổi tên một đơn vị (và loại, ví dụ xã thành phường).")
@click.argument("code", metavar="MÃ")
@click.option("--name", required=True, metavar="TÊN", help="Tên mới.")
@click.option("--kind", default="", metavar="LOẠI", help=f"Loại mới: {KIND_HELP}.")
@click.pass_context
def rename(ctx: click.Context, code: str, name: str, kind: str) -> None:
    """Rename a unit."""
    services = services_of(ctx)
    require_admin_user(ctx)
    with services.transaction() as session:
        unit = service.rename_unit(session, code, name, cli_actor(), kind=kind or None)
        label = f"{unit.name} ({unit.code}, {kind_label(unit.kind)})"
    click.echo(f"Đã đổi tên: {label}.")


@units.command("move", help="Chuyển một đơn vị sang đơn vị cấp trên khác.")
@click.argument("code", metavar="MÃ")
@click.option("--parent", "parent_code", required=True, metavar="MÃ", help="Mã đơn vị cấp trên mới.")
@click.pass_context
def move(ctx: click.Context, code: str, parent_code: str) -> None:
    """Move a unit under another parent."""
    services = services_of(ctx)
    require_admin_user(ctx)
    with services.transaction() as session:
        unit = service.move_unit(session, code, parent_code, cli_actor())
        label = f"{unit.name} ({unit.code}) thuộc {unit.parent.name} ({unit.parent.code})"
    click.echo(f"Đã chuyển: {label}.")


@units.command("merge", help="Sáp nhập các đơn vị vào một đơn vị (có sẵn, hoặc tạo mới với --name, --kind, "
                             "--parent) từ một ngày. Đơn vị cũ giữ dữ liệu và lịch sử, không nhận dữ liệu mới "
                             "sau ngày đó.")
@click.argument("olds", nargs=-1, required=True, metavar="MÃ_CŨ...")
@click.option("--into", required=True, metavar="MÃ", help="Mã đơn vị sau sáp nhập.")
@click.option("--on", "on", required=True, type=DAY, help="Ngày sáp nhập có hiệu lực, ví dụ 2025-07-01 hoặc 01/07/2025.")
@click.option("--name", default="", metavar="TÊN", help="Tên đơn vị mới (khi MÃ chưa có).")
@click.option("--kind", default="", metavar="LOẠI", help=f"Loại đơn vị mới: {KIND_HELP}.")
@click.option("--parent", "parent_code", default="", metavar="MÃ", help="Mã đơn vị cấp trên của đơn vị mới.")
@click.pass_context
def merge(ctx: click.Context, olds: tuple[str, ...], into: str, on: date, name: str, kind: str,
          parent_code: str) -> None:
    """Merge units into another from a date."""
    services = services_of(ctx)
    require_admin_user(ctx)
    with services.transaction() as session:
        target = service.merge_units(session, list(olds), into, on, cli_actor(), name=name or None,
                                     kind=kind or None, parent_code=parent_code or None)
        label = f"{target.name} ({target.code})"
    click.echo(f"Đã sáp nhập {', '.join(olds)} vào {label} từ ngày {on:%d/%m/%Y}.")


def _line(row: dict[str, Any]) -> str:
    until = f"  (đến {date.fromisoformat(row['valid_to']):%d/%m/%Y}, nay thuộc {row['successor']})" \
        if row["valid_to"] else ""
    return f"{'  ' * row['depth']}{row['code']:<8} {row['name']} [{kind_label(row['kind'])}]{until}"


@units.command("list", help="Liệt kê cây đơn vị hiện hành (--all: cả đơn vị đã sáp nhập).")
@click.option("--under", default="", metavar="MÃ", help="Chỉ đơn vị này và các đơn vị trực thuộc.")
@click.option("--all", "include_all", is_flag=True, help="Kể cả đơn vị đã sáp nhập hoặc thôi tồn tại.")
@click.option("--json", "as_json", is_flag=True, help="In dạng JSON.")
@click.pass_context
def list_units(ctx: click.Context, under: str, include_all: bool, as_json: bool) -> None:
    """List the unit tree depth-first."""
    with services_of(ctx).sessions() as session:
        rows = service.unit_rows(session, under=under or None, include_all=include_all)
    emit(rows, as_json, _line)


@units.command("settings", help="Xem hoặc sửa thiết lập báo cáo của đơn vị: " + ", ".join(KEYS) + ". "
                                "Giá trị để trống đưa về mặc định; recipients phân cách bởi ';' hoặc lặp lại.")
@click.argument("code", metavar="MÃ")
@click.option("--set", "assignments", multiple=True, type=ASSIGNMENT, help="Đặt một thiết lập, ví dụ cutoff_day=14.")
@click.option("--json", "as_json", is_flag=True, help="In dạng JSON.")
@click.pass_context
def settings(ctx: click.Context, code: str, assignments: tuple[tuple[str, str], ...], as_json: bool) -> None:
    """Show a unit's report settings, or change some of them (checked and audited)."""
    services = services_of(ctx)
    if assignments:
        require_admin_user(ctx)
        with services.transaction() as session:
            view = service.update_settings(session, code, setting_changes(assignments), cli_actor())
    else:
        with services.sessions() as session:
            view = service.unit_settings(session, code)
    if as_json:
        click.echo(json.dumps(view, ensure_ascii=False))
        return
    click.echo(f"Thiết lập báo cáo của {view['name']} ({view['unit']}):")
    for key, value in view["settings"].items():
        mark = "" if key in view["own"] or key == "place" else "  (mặc định)"
        click.echo(f"  {key:<16} {show_setting(value)}{mark}")
