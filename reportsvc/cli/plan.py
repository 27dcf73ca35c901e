"""The ``reportsvc plan`` commands: ``plan import FILE --unit CODE [--year YYYY|YYYY-YYYY] [--dry-run] [--json] [--replace]
[--create-agencies]`` and ``plan set PLAN_ID [--number N] [--symbol S] [--date DD/MM/YYYY] [--place P] [--issuing-body B]``.

Registered on the main group in reportsvc/cli.py. Every failure prints one Vietnamese line on
stderr and exits with code 2 (reportsvc.cli.support.CliGroup); the database is left untouched.
"""
from __future__ import annotations

import json
from pathlib import Path

import click
from sqlalchemy.exc import SQLAlchemyError

from reportsvc.db import engine as db
from reportsvc.db.lookup import find_unit
from reportsvc.cli.support import CliGroup, cli_actor, services_of
from reportsvc.cli.types import YEARS
from reportsvc.importing import agencies, analyse_plan, run_import
from reportsvc.importing.deadlines import years_label
from reportsvc.importing.model import ParsedPlan
from reportsvc.hooks.registry import PluginRegistry, build_registry
from reportsvc.services import plan_identity
from reportsvc.services.runtime import Services
from reportsvc.vn.dates import parse_day


def _registry(services: Services) -> PluginRegistry:
    """Return the plugin registry; without a reachable database, the one with every plugin enabled."""
    try:
        return services.registry
    except SQLAlchemyError:
        return build_registry(services.settings.plugins_dir or None)


def _check_unit(services: Services, unit_code: str) -> None:
    """Refuse an unknown unit when the database is there to ask (a dry run needs no database)."""
    try:
        if not db.is_ready(services.engine):
            return
    except SQLAlchemyError:
        return
    with services.sessions() as session:
        find_unit(session, unit_code)


_SOURCES = {"option": "theo tham số --year", "title": "theo tiêu đề văn bản"}


def _unknown_agencies(services: Services, unit_code: str, parsed: ParsedPlan) -> list[str] | None:
    """Return the agency names of the plan the unit's scope does not know; None without a database."""
    try:
        if not db.is_ready(services.engine):
            return None
    except SQLAlchemyError:
        return None
    with services.sessions() as session:
        unit = find_unit(session, unit_code)
        cells = [cell for area in parsed.areas for item in area.items for cell in (item.lead, item.coord)]
        return agencies.unknown_names(session, unit, cells)


def _print_summary(parsed: ParsedPlan, header: str) -> None:
    summary = parsed.summary()
    click.echo(header)
    click.echo(f"Tệp: {parsed.filename} (sha256 {parsed.sha256})")
    if parsed.title:
        click.echo(f"Tiêu đề: {parsed.title}")
    if parsed.years:
        click.echo(f"Năm: {years_label(parsed.years)} ({_SOURCES.get(parsed.years_source, parsed.years_source)})")
    click.echo(f"Tổng số nhiệm vụ: {summary['total_rows']}")
    for area, detail in zip(summary["areas"], parsed.areas):
        owner = f" → lĩnh vực {detail.area_code}" if detail.area_code else " → lĩnh vực riêng"
        click.echo(f"  {area['code']}. {area['title']}: {area['rows']} nhiệm vụ{owner}")
    if parsed.targets:
        click.echo(f"Chỉ tiêu đọc được: {len(parsed.targets)}")
    for warning in summary["warnings"]:
        click.echo(f"Cảnh báo: {warning}")


@click.group("plan", cls=CliGroup, help="Kế hoạch CCHC năm của đơn vị: nhập từ tệp DOCX, XLSX hoặc CSV.")
def plan() -> None:
    """Group of the plan commands."""


@plan.command("import", help="Nhập kế hoạch CCHC từ tệp .docx, .xlsx, .pdf (có lớp chữ) hoặc .csv (UTF-8) cho một đơn vị và năm (hoặc giai đoạn nhiều năm).")
@click.argument("file", metavar="TỆP")
@click.option("--unit", "unit_code", required=True, metavar="MÃ", help="Mã đơn vị (xem 'reportsvc units list').")
@click.option("--year", type=YEARS, default=None,
              help="Năm của kế hoạch (2024) hoặc giai đoạn (2021-2025); bỏ trống để đọc từ tiêu đề văn bản.")
@click.option("--dry-run", is_flag=True, help="Chỉ đọc và kiểm tra tệp, không ghi gì vào cơ sở dữ liệu.")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
@click.option("--replace", is_flag=True, help="Thay thế kế hoạch đã nhập của đơn vị trong năm đó.")
@click.option("--create-agencies", is_flag=True,
              help="Tạo các cơ quan chưa có trong danh mục của đơn vị (mặc định: giữ nguyên chữ, không gán).")
@click.pass_context
def import_plan_command(ctx: click.Context, file: str, unit_code: str, year: tuple[int, int] | None, dry_run: bool, as_json: bool,
                        replace: bool, create_agencies: bool) -> None:
    """Import (or with --dry-run only analyse) a plan file for a unit and year."""
    services = services_of(ctx, ready=not dry_run)
    registry = _registry(services)
    if dry_run:
        _check_unit(services, unit_code)
        parsed = analyse_plan(Path(file), None, registry, services.settings, year=year)
        unknown = _unknown_agencies(services, unit_code, parsed)
        if as_json:
            extra = {"unknown_agencies": unknown} if unknown is not None else {}
            click.echo(json.dumps({**parsed.summary(), **extra}, ensure_ascii=False))
        else:
            _print_summary(parsed, "Chạy thử (--dry-run): không ghi gì vào cơ sở dữ liệu.")
            if unknown:
                click.echo(f"Cơ quan chưa có trong danh mục ({len(unknown)}): {'; '.join(unknown)}. "
                           f"Khi nhập, dùng --create-agencies để tạo chúng; nếu không, tên được giữ nguyên chữ.")
        return
    stored, parsed = run_import(services.sessions, Path(file), None, unit_code, year, registry,
                                services.settings, replace=replace, user=cli_actor(),
                                create_agencies=create_agencies)
    if as_json:
        click.echo(json.dumps({**parsed.summary(), "plan_id": stored.id}, ensure_ascii=False))
    else:
        label = years_label(parsed.years) if parsed.years else ""
        _print_summary(parsed, f"Đã nhập kế hoạch {label} cho đơn vị '{unit_code}' (mã kế hoạch {stored.id}).")


_UNSET = object()  # --date not given (None clears the date)


def _day(ctx: click.Context, param: click.Parameter, value: str | None) -> object:
    """Parse --date (DD/MM/YYYY; "" clears it); keep None when the option is not given."""
    if value is None:
        return _UNSET
    try:
        return parse_day(value)
    except ValueError:
        raise click.BadParameter(f"Ngày không hợp lệ: '{value}' (ghi theo dạng ngày/tháng/năm, ví dụ 29/12/2023).",
                                 ctx=ctx, param=param) from None


@plan.command("set", help="Bổ sung hoặc sửa số, ký hiệu, ngày, địa danh, cơ quan ban hành của văn bản kế hoạch "
                          "(ghi \"\" để xóa một trường).")
@click.argument("plan_id", metavar="MÃ_KẾ_HOẠCH", type=int)
@click.option("--number", default=None, metavar="SỐ", help="Số văn bản, ví dụ 4791.")
@click.option("--symbol", default=None, metavar="KÝ_HIỆU", help="Ký hiệu văn bản, ví dụ QĐ-UBND.")
@click.option("--date", "day", default=None, callback=_day, metavar="NGÀY", help="Ngày ban hành, dạng 29/12/2023.")
@click.option("--place", default=None, metavar="ĐỊA_DANH", help="Địa danh, ví dụ Hải Phòng.")
@click.option("--issuing-body", default=None, metavar="CƠ_QUAN", help="Cơ quan ban hành.")
@click.pass_context
def set_plan_command(ctx: click.Context, plan_id: int, number: str | None, symbol: str | None, day: object,
                     place: str | None, issuing_body: str | None) -> None:
    """Change the given identity fields of a plan and print the plan's identity."""
    changes: dict[str, object] = {name: value for name, value in (
        ("number", number), ("symbol", symbol), ("place", place), ("issuing_body", issuing_body)) if value is not None}
    if day is not _UNSET:
        changes["date"] = day
    services = services_of(ctx)
    with services.transaction() as session:
        stored = plan_identity.set_identity(session, plan_id, changes, cli_actor())
        identity = plan_identity.identity_of(stored)
    click.echo(f"Đã lưu văn bản kế hoạch {plan_id}: số, ký hiệu {identity['reference'] or '(để trống)'}; "
               f"{identity['date_text'] or 'ngày (để trống)'}; địa danh {identity['place'] or '(để trống)'}; "
               f"cơ quan ban hành {identity['issuing_body'] or '(để trống)'}.")
