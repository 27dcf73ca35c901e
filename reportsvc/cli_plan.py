"""The ``reportsvc plan`` commands: ``plan import FILE --unit CODE --year YYYY [--dry-run] [--json] [--replace]``.

Register with ``main.add_command(plan)`` in reportsvc/cli.py. The services come from the main
group's context object (``ServicesHolder`` via ``reportsvc.cli.services_of``), or from any
``ctx.obj`` that has ``settings``, ``sessions`` and ``registry``. Every failure prints one
Vietnamese line on stderr and exits with code 2; the database is left untouched.
"""
from __future__ import annotations

import getpass
import json
import os
from pathlib import Path
from typing import Any

import click
from sqlalchemy.exc import SQLAlchemyError

from reportsvc import db
from reportsvc.db import DatabaseError
from reportsvc.errors import UserError
from reportsvc.importing import PlanImportError, analyse_plan, run_import
from reportsvc.importing.model import ParsedPlan
from reportsvc.importing.store import find_unit
from reportsvc.plugins import PluginError


def _services(ctx: click.Context, ready: bool) -> Any:
    """Return the services object of the command line (or the one set as ``ctx.obj`` by a caller)."""
    obj = ctx.find_root().obj if ctx.obj is None else ctx.obj
    if hasattr(obj, "registry") and hasattr(obj, "sessions"):
        return obj
    from reportsvc.cli import services_of  # imported late: reportsvc.cli imports this module

    return services_of(ctx, ready=ready)


def _registry(services: Any) -> Any:
    """Return the plugin registry; without a reachable database, the one with every plugin enabled."""
    try:
        return services.registry
    except SQLAlchemyError:
        from reportsvc.plugins import build_registry

        return build_registry(services.settings.plugins_dir or None)


def _check_unit(services: Any, unit_code: str) -> None:
    """Refuse an unknown unit when the database is there to ask (a dry run needs no database)."""
    try:
        if not db.is_ready(services.engine):
            return
    except (SQLAlchemyError, AttributeError):
        return
    with services.sessions() as session:
        find_unit(session, unit_code)


def _parse_year(text: str | None) -> int:
    if text is None:
        raise PlanImportError("Thiếu tùy chọn --year (năm của kế hoạch, ví dụ --year 2024).")
    value = text.strip()
    if not value.isdigit() or not 1900 <= int(value) <= 2100:
        raise PlanImportError(f"Năm không hợp lệ: '{text}'. Hãy ghi năm 4 chữ số, ví dụ 2024.")
    return int(value)


def _user() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no login name in some containers
        return f"cli:{os.environ.get('USER', 'unknown')}"


def _print_summary(parsed: ParsedPlan, header: str) -> None:
    summary = parsed.summary()
    click.echo(header)
    click.echo(f"Tệp: {parsed.filename} (sha256 {parsed.sha256})")
    if parsed.title:
        click.echo(f"Tiêu đề: {parsed.title}")
    click.echo(f"Tổng số nhiệm vụ: {summary['total_rows']}")
    for area, detail in zip(summary["areas"], parsed.areas):
        owner = f" → lĩnh vực {detail.area_code}" if detail.area_code else " → lĩnh vực riêng"
        click.echo(f"  {area['code']}. {area['title']}: {area['rows']} nhiệm vụ{owner}")
    if parsed.targets:
        click.echo(f"Chỉ tiêu đọc được: {len(parsed.targets)}")
    for warning in summary["warnings"]:
        click.echo(f"Cảnh báo: {warning}")


@click.group("plan", help="Kế hoạch CCHC năm của đơn vị: nhập từ tệp DOCX, XLSX hoặc CSV.")
def plan() -> None:
    """Group of the plan commands."""


@plan.command("import", help="Nhập kế hoạch CCHC từ tệp .docx, .xlsx hoặc .csv (UTF-8) cho một đơn vị và năm.")
@click.argument("file", metavar="TỆP")
@click.option("--unit", "unit_code", metavar="MÃ", help="Mã đơn vị (xem 'reportsvc units list').")
@click.option("--year", "year_text", metavar="NĂM", help="Năm của kế hoạch, ví dụ 2024.")
@click.option("--dry-run", is_flag=True, help="Chỉ đọc và kiểm tra tệp, không ghi gì vào cơ sở dữ liệu.")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
@click.option("--replace", is_flag=True, help="Thay thế kế hoạch đã nhập của đơn vị trong năm đó.")
@click.pass_context
def import_plan_command(ctx: click.Context, file: str, unit_code: str | None, year_text: str | None,
                        dry_run: bool, as_json: bool, replace: bool) -> None:
    """Import (or with --dry-run only analyse) a plan file for a unit and year."""
    try:
        if not unit_code:
            raise PlanImportError("Thiếu tùy chọn --unit (mã đơn vị).")
        year = _parse_year(year_text)
        services = _services(ctx, ready=not dry_run)
        registry = _registry(services)
        if dry_run:
            _check_unit(services, unit_code)
            parsed = analyse_plan(Path(file), None, registry, services.settings, year=year)
            if as_json:
                click.echo(json.dumps(parsed.summary(), ensure_ascii=False))
            else:
                _print_summary(parsed, "Chạy thử (--dry-run): không ghi gì vào cơ sở dữ liệu.")
            return
        stored, parsed = run_import(services.sessions, Path(file), None, unit_code, year, registry,
                                    services.settings, replace=replace, user=_user())
        if as_json:
            click.echo(json.dumps({**parsed.summary(), "plan_id": stored.id}, ensure_ascii=False))
        else:
            _print_summary(parsed, f"Đã nhập kế hoạch năm {year} cho đơn vị '{unit_code}' (mã kế hoạch {stored.id}).")
    except (PlanImportError, UserError, DatabaseError, PluginError) as exc:
        click.echo(f"Lỗi: {exc}", err=True)
        ctx.exit(2)
    except SQLAlchemyError as exc:
        click.echo(f"Lỗi cơ sở dữ liệu khi nhập kế hoạch ({exc.__class__.__name__}); không có thay đổi nào được lưu.",
                   err=True)
        ctx.exit(2)
    except Exception as exc:  # noqa: BLE001 - the CLI never shows a traceback
        click.echo(f"Lỗi không mong đợi khi nhập kế hoạch ({exc.__class__.__name__}: {exc}); "
                   f"không có thay đổi nào được lưu.", err=True)
        ctx.exit(2)
