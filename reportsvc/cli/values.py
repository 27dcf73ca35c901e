"""The ``reportsvc values`` commands: bulk entry of indicator values from a spreadsheet.

``values template --unit CODE --period P -o FILE`` writes the XLSX template of a unit and the units
below it; ``values import FILE --period P [--unit CODE] [--dry-run]`` checks a filled template and
saves every change in one transaction, or nothing (reportsvc.services.value_sheets). With the global
``--user`` the command acts as that account (its indicators, its units, audited as it); without it,
as the system, like every other command-line write (every unit and indicator, audited as
``cli:<login name>``). Every failure prints one Vietnamese line on stderr and exits with code 2.
"""
from __future__ import annotations

import os
from pathlib import Path

import click

from reportsvc.cli.support import CliGroup, acting_user, cli_actor, services_of
from reportsvc.cli.types import PERIOD
from reportsvc.errors import UserError
from reportsvc.importing.safety import check_size
from reportsvc.periods import Period
from reportsvc.services.permissions import Actor
from reportsvc.services.value_sheets import SheetCheck, build_template, import_sheet, period_text


def _actor() -> Actor:
    """Return the ``--user`` account, else the system acting for the command line (every unit)."""
    actor = acting_user()
    if actor is not None:
        return actor
    name = cli_actor()
    return Actor(id=0, username=name, full_name=name, role="superadmin")


@click.group("values", cls=CliGroup)
def values() -> None:
    """Nhập số liệu chỉ tiêu hàng loạt từ bảng tính (mẫu XLSX)."""


@values.command("template")
@click.option("--unit", "unit_code", required=True, help="Mã đơn vị, ví dụ HT (mẫu gồm đơn vị và các đơn vị trực thuộc).")
@click.option("--period", required=True, type=PERIOD, help="Kỳ báo cáo: 2024-Q1 … 2024-Q4, 2024-H1, 2024-M9, 2024-Y.")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False),
              help="Tệp .xlsx sẽ ghi mẫu vào.")
@click.pass_context
def values_template(ctx: click.Context, unit_code: str, period: Period, output: str) -> None:
    """Tải mẫu nhập số liệu chỉ tiêu của một đơn vị và các đơn vị trực thuộc cho một kỳ."""
    services = services_of(ctx)
    with services.sessions() as session:
        download = build_template(session, services.registry, _actor(), unit_code, period)
    try:
        Path(output).write_bytes(download.content)
    except OSError as exc:
        raise UserError(f"Không ghi được tệp '{output}': {exc.strerror or exc.__class__.__name__}.") from exc
    click.echo(f"Đã ghi mẫu nhập số liệu của đơn vị {unit_code}, kỳ {period_text(period)}: {output}")


def _read(path: str, max_upload_mb: float) -> bytes:
    """Return a file's bytes, refusing an oversized one before reading it."""
    try:
        check_size(os.path.getsize(path), path, max_upload_mb)
        return Path(path).read_bytes()
    except OSError as exc:
        raise UserError(f"Không đọc được tệp '{path}': {exc.strerror or exc.__class__.__name__}.") from exc


def _print_changes(check: SheetCheck) -> None:
    for change in check.changes:
        click.echo(f"{change.cell}: {change.unit_name} ({change.unit_code}) · {change.name} ({change.code}): "
                   f"{change.old_text} → {change.new_text}")


@values.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--period", required=True, type=PERIOD, help="Kỳ của mẫu: 2024-Q1 … 2024-Q4, 2024-H1, 2024-M9, 2024-Y.")
@click.option("--unit", "unit_code", help="Mã đơn vị của mẫu (nếu ghi, tệp của đơn vị khác bị từ chối).")
@click.option("--dry-run", is_flag=True, help="Chỉ kiểm tra và liệt kê thay đổi, không lưu gì.")
@click.pass_context
def values_import(ctx: click.Context, file: str, period: Period, unit_code: str | None, dry_run: bool) -> None:
    """Nhập số liệu chỉ tiêu từ mẫu đã điền: lưu tất cả trong một lần, hoặc không lưu gì nếu có lỗi."""
    services = services_of(ctx)
    data = _read(file, services.settings.max_upload_mb)
    check = import_sheet(services, _actor(), data, file, period, unit_code=unit_code, dry_run=dry_run)
    check.refuse()  # a dry run refuses what the import would, with the same one line (exit 2)
    _print_changes(check)
    where = f"{check.unit_name} ({check.unit_code}) và các đơn vị trực thuộc, kỳ {period_text(period)}"
    if dry_run:
        click.echo(f"Chạy thử: {len(check.changes)} số liệu sẽ thay đổi ({where}); {check.unchanged} ô giữ nguyên. "
                   f"Chưa lưu gì.")
        return
    click.echo(f"Đã lưu {len(check.changes)} số liệu chỉ tiêu ({where}); {check.unchanged} ô giữ nguyên.")
