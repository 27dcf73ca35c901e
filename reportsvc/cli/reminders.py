"""The ``reportsvc reminders`` commands: e-mail reminders of data deadlines (reportsvc.services.reminders).

    reminders send [--date dd/mm/yyyy] [--dry-run]

A dry run prints who would get which reminder and sends and records nothing (it needs no mail
server). A real run prints how many reminders were sent; a mail server that is not configured or
cannot be reached is one Vietnamese line and exit 2, with nothing recorded. With the global
``--user`` only an admin may send, and only for the units it manages.
"""
from __future__ import annotations

from datetime import date

import click

from reportsvc.cli.support import CliGroup, require_admin_user, services_of
from reportsvc.cli.types import DAY
from reportsvc.services.mail import configured
from reportsvc.services.reminders import send_reminders, vietnam_today


@click.group("reminders", cls=CliGroup, help="Thư điện tử nhắc hạn nộp số liệu cho cơ quan, đơn vị chưa nộp.")
def reminders() -> None:
    """Group of the reminder commands."""


@reminders.command("send", help="Gửi thư nhắc đến hạn trong ngày: trước hạn nộp số liệu (số ngày theo thiết lập "
                                "reminder_days của đơn vị) và một lần sau hạn nếu vẫn chưa nộp. Mỗi thư chỉ gửi một lần.")
@click.option("--date", "day", type=DAY, help="Ngày tính hạn, dd/mm/yyyy (mặc định hôm nay).")
@click.option("--dry-run", is_flag=True, help="Chỉ liệt kê ai sẽ nhận thư nhắc nào; không gửi, không ghi lại.")
@click.pass_context
def send(ctx: click.Context, day: date | None, dry_run: bool) -> None:
    """Send the reminders due on the day (or list them with --dry-run)."""
    services = services_of(ctx)
    require_admin_user(ctx)
    when = day or vietnam_today()
    if not dry_run:
        configured(services.settings)  # refuse before reading anything when no server or sender is set
    run = send_reminders(services, when, dry_run=dry_run)
    if dry_run:
        for reminder in run.due:
            click.echo(reminder.describe())
            for number, title in reminder.tasks:
                click.echo(f"    Nhiệm vụ {number}: {title}")
        click.echo(f"Chạy thử ngày {when:%d/%m/%Y}: {len(run.due)} thư nhắc sẽ được gửi; chưa gửi, chưa ghi lại thư nào.")
        return
    for reminder, reason in run.failed:
        click.echo(f"Cảnh báo: không gửi được thư nhắc cho {reminder.username}: {reason}", err=True)
    click.echo(f"Đã gửi {len(run.sent)} thư nhắc ngày {when:%d/%m/%Y}."
               + (f" {len(run.failed)} thư không gửi được, sẽ thử lại lần chạy sau." if run.failed else ""))
