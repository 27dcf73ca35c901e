"""``reportsvc worker``: a Celery worker that makes the reports queued in Redis (reportsvc.services.queue)."""
from __future__ import annotations

import os

import click

from reportsvc.cli.support import Command, services_of
from reportsvc.cli.types import WholeNumber


@click.command("worker", cls=Command)
@click.option("--concurrency", type=WholeNumber("Số tiến trình", 1, 64),
              help="Số báo cáo làm cùng lúc, mỗi báo cáo một tiến trình (mặc định: số lõi CPU).")
@click.pass_context
def worker(ctx: click.Context, concurrency: int | None) -> None:
    """Chạy worker nhận và tạo các báo cáo trong hàng đợi Redis (REPORTSVC_BROKER_URL) cho đến khi bị dừng."""
    from reportsvc.services import queue

    services = services_of(ctx)  # the database is reachable and migrated
    app = queue.make_app(services.settings)
    queue.check_broker(app)
    plugins = len(services.registry.plugins)  # a broken plugin stops the worker now, not on every task
    services.engine.dispose()  # the worker's processes open their own connections after the fork
    processes = concurrency or os.cpu_count() or 1
    click.echo(f"Worker nhận báo cáo từ {app.shown_url} (hàng đợi '{queue.QUEUE}'): {processes} tiến trình, "
               f"{plugins} plugin; mỗi báo cáo tối đa {services.settings.task_seconds:g} giây.")
    ctx.exit(queue.run_worker(app, processes))

