"""``reportsvc report batch``: the report of every unit under one unit for a period, on a process pool, or with
``--queue`` on the Celery workers of the Redis queue (reportsvc.services.queue), one task per unit.

A unit that fails stops no other: the failures are listed at the end with their reason and the exit
code is 1. Units whose report of the period is archived are skipped unless ``--again``, so a batch that
was interrupted is resumed by running it again.
"""
from __future__ import annotations

import os
import sys
import time
from typing import TYPE_CHECKING, Any

import click

from reportsvc.cli.support import Command, CliUsageError, acting_user, cli_actor, require_admin_user, services_of
from reportsvc.cli.types import FORMAT_LIST, PERIOD, VietnameseType, WholeNumber
from reportsvc.errors import UserError
from reportsvc.periods import Period
from reportsvc.vn import format as fmt

if TYPE_CHECKING:  # pragma: no cover - services.batch loads the renderers: imported when the command runs
    from reportsvc.config import Settings
    from reportsvc.services.batch import Outcome, Selection


class KindsType(VietnameseType):
    """A comma-separated list of unit kinds: ``xa,phuong`` (or written in Vietnamese: ``xã, phường``)."""

    name = "LOẠI"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> tuple[str, ...]:
        """Return the kind keys in the order written, without repeats."""
        if isinstance(value, tuple):
            return value
        from reportsvc.services.batch import parse_kinds

        try:
            return parse_kinds(value)
        except UserError as exc:
            self.fail(str(exc), param, ctx)


KIND_LIST = KindsType()


def duration(seconds: float) -> str:
    """Return a duration as people say it: "42,5 giây", "3 phút 05 giây", "1 giờ 02 phút"."""
    if seconds < 60:
        return f"{fmt.number(seconds, 1)} giây"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} phút {secs:02d} giây"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} giờ {minutes:02d} phút"


def _where(selection: "Selection") -> str:
    """Return where the batch looked, for messages: " dưới 99 (loại: xã, phường)"."""
    from reportsvc.services.batch import kind_words

    under = selection.under
    text = f" dưới {', '.join(under)}" if 0 < len(under) <= 5 else f" dưới {len(under)} đơn vị cấp trên cùng" if under else ""
    return text + (f" (loại: {kind_words(selection.kinds)})" if selection.kinds else "")


@click.command("batch", cls=Command)
@click.option("--period", required=True, type=PERIOD, help="Kỳ báo cáo: 2024-Q1 … 2024-Q4, 2024-H1, 2024-M9, 2024-Y.")
@click.option("--under", metavar="MÃ",
              help="Mã đơn vị: tạo báo cáo của các đơn vị thuộc đơn vị này (mặc định: mọi đơn vị cấp trên cùng "
                   "mà tài khoản thấy).")
@click.option("--kind", "kinds", type=KIND_LIST,
              help="Loại đơn vị, phân cách bởi dấu phẩy: xa, phuong, dac_khu … (mặc định: mọi đơn vị cấp dưới; "
                   "ghi cả loại của đơn vị --under để tạo cả báo cáo của đơn vị đó).")
@click.option("--format", "formats", default="docx,pdf", show_default=True, type=FORMAT_LIST,
              help="docx, pdf, pdfa (phân cách bởi dấu phẩy).")
@click.option("--jobs", type=WholeNumber("Số tiến trình", 1, 256),
              help="Số tiến trình tạo báo cáo song song (mặc định: số lõi CPU).")
@click.option("--again", is_flag=True, help="Tạo phiên bản mới cả cho đơn vị đã có báo cáo kỳ này trong kho.")
@click.option("--queue", "queued", is_flag=True,
              help="Giao cho các worker (reportsvc worker) qua hàng đợi Redis REPORTSVC_BROKER_URL, mỗi đơn vị "
                   "một tác vụ, và chờ đến khi xong.")
@click.pass_context
def batch(ctx: click.Context, period: Period, under: str | None, kinds: tuple[str, ...] | None, formats: list[str],
          jobs: int | None, again: bool, queued: bool) -> None:
    """Tạo báo cáo của mọi đơn vị thuộc một đơn vị cho một kỳ (song song), lưu vào kho; bỏ qua đơn vị đã có báo cáo."""
    from reportsvc.services.batch import run_batch, select_units

    services = services_of(ctx)
    require_admin_user(ctx)
    if queued:
        if jobs is not None:
            raise CliUsageError("--jobs không dùng cùng --queue: số báo cáo làm cùng lúc do các worker quyết định "
                                "(reportsvc worker --concurrency N).")
        from reportsvc.services import queue

        queue.check_broker(queue.make_app(services.settings))  # no broker, or Redis unreachable: one line, exit 2
    services.registry  # noqa: B018 - a broken plugin is one error now, not one per unit
    selection = select_units(services, period, under, kinds or (), again)
    if not selection.todo:
        reason = (f": {len(selection.archived)} đơn vị đã có báo cáo kỳ này trong kho (dùng --again để tạo phiên "
                  f"bản mới)." if selection.archived else ".")
        click.echo(f"Không có đơn vị nào cần tạo báo cáo {period.label}{_where(selection)}{reason}")
        return
    skipped_text = (f"; bỏ qua {len(selection.archived)} đơn vị đã có báo cáo kỳ này" if selection.archived else "")
    if queued:
        _run_queued(ctx, services.settings, selection, formats, again, skipped_text)
        return
    workers = min(jobs or os.cpu_count() or 1, len(selection.todo))
    click.echo(f"Tạo báo cáo {period.label} ({', '.join(formats)}) cho {len(selection.todo)} đơn vị"
               f"{_where(selection)}, {workers} tiến trình song song{skipped_text}.")
    actor = acting_user(ctx)
    started = time.perf_counter()
    with click.progressbar(length=len(selection.todo), label="Đang tạo báo cáo", show_eta=True, show_pos=True,
                           item_show_func=lambda code: code, file=sys.stderr) as bar:
        outcomes = run_batch(services.settings, selection, formats, jobs=workers, again=again, user=cli_actor(),
                             acting_as=actor.username if actor is not None else None,
                             on_outcome=lambda outcome: bar.update(1, outcome.unit_code))
    _report(selection, outcomes, time.perf_counter() - started, again, ctx)


def _run_queued(ctx: click.Context, settings: "Settings", selection: "Selection", formats: list[str], again: bool,
                skipped_text: str) -> None:
    """Hand the batch to the queue's workers, one task per unit, and show their progress until all are done."""
    from reportsvc.services.queue import make_app, run_queued

    click.echo(f"Giao {len(selection.todo)} báo cáo {selection.period.label} ({', '.join(formats)}) cho các worker "
               f"qua hàng đợi {make_app(settings).shown_url}{_where(selection)}{skipped_text}.")
    actor = acting_user(ctx)
    started = time.perf_counter()

    def announce(workers: int) -> None:
        click.echo(f"Đã xếp {len(selection.todo)} tác vụ vào hàng đợi; " + (
            f"{workers} worker đang chạy." if workers else
            "chưa có worker nào trả lời: các tác vụ chờ đến khi 'reportsvc worker' chạy."), err=True)

    with click.progressbar(length=len(selection.todo), label="Đang tạo báo cáo", show_eta=True, show_pos=True,
                           item_show_func=lambda code: code, file=sys.stderr) as bar:
        outcomes = run_queued(settings, selection, formats, again=again, user=cli_actor(),
                              acting_as=actor.username if actor is not None else None, on_queued=announce,
                              on_outcome=lambda outcome: bar.update(1, outcome.unit_code))
    _report(selection, outcomes, time.perf_counter() - started, again, ctx)


def _report(selection: "Selection", outcomes: "list[Outcome]", seconds: float, again: bool,
            ctx: click.Context) -> None:
    """Print what the batch did and list the failures with their reason; exit 1 when a unit failed."""
    from reportsvc.services.batch import FAILED, MADE, SKIPPED, unit_names

    made = [o for o in outcomes if o.state == MADE]
    skipped = len(selection.archived) + sum(o.state == SKIPPED for o in outcomes)
    failed = sorted((o for o in outcomes if o.state == FAILED), key=lambda o: o.unit_code)
    pace = f", {fmt.number(seconds / len(made), 1)} giây mỗi báo cáo" if made else ""
    click.echo(f"Xong trong {duration(seconds)}{pace}: tạo {len(made)} báo cáo, bỏ qua {skipped} đơn vị đã có "
               f"báo cáo kỳ này, {len(failed)} đơn vị lỗi.")
    if failed:
        names = unit_names(selection)
        click.echo(f"Các đơn vị không tạo được báo cáo ({len(failed)}):", err=True)
        for outcome in failed:
            click.echo(f"  {outcome.unit_code} {names.get(outcome.unit_code, '')}: {outcome.reason}", err=True)
        if not again:
            click.echo("Sửa lỗi rồi chạy lại lệnh: các đơn vị đã có báo cáo sẽ được bỏ qua.", err=True)
        ctx.exit(1)
