"""The ``reportsvc`` command line. Every error is one Vietnamese line and a non-zero exit."""
from __future__ import annotations

import json
import sys
from datetime import date, datetime
from pathlib import Path

import click
from sqlalchemy import select

from reportsvc.report import archive
from reportsvc.db import engine as db
from reportsvc.report.build import BuildOptions
from reportsvc.services.plugins import set_plugin_enabled
from reportsvc.cli.support import CliGroup, CliUsageError, ServicesHolder, cli_actor, emit, services_of
from reportsvc.cli.types import DAY, FORMAT_LIST, PERIOD, WholeNumber
from reportsvc.errors import UserError
from reportsvc.db.models import Unit
from reportsvc.periods import Period


@click.group(cls=CliGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--plugins-dir", type=click.Path(file_okay=False),
              help="Thư mục chứa plugin dạng tệp *.py (mặc định: biến môi trường REPORTSVC_PLUGINS_DIR).")
@click.option("--user", "username", metavar="TÊN_ĐĂNG_NHẬP",
              help="Chạy lệnh với quyền của tài khoản này: chỉ thấy và thay đổi dữ liệu của đơn vị mình; "
                   "nhật ký ghi tên tài khoản.")
@click.pass_context
def main(ctx: click.Context, plugins_dir: str | None, username: str | None) -> None:
    """reportsvc: báo cáo cải cách hành chính định kỳ (quý, 6 tháng, 9 tháng, năm)."""
    ctx.obj = ServicesHolder.from_options(plugins_dir, username)
    ctx.call_on_close(ctx.obj.close)


@main.command("init-db")
@click.pass_context
def init_db(ctx: click.Context) -> None:
    """Khởi tạo hoặc nâng cấp cơ sở dữ liệu (không xóa dữ liệu)."""
    services = services_of(ctx, ready=False)
    db.upgrade(services.engine)
    click.echo(f"Đã khởi tạo cơ sở dữ liệu: {db.safe_url(services.settings.database_url)}")


@main.command("demo")
@click.option("--communes", type=WholeNumber("Số xã, phường", 1, 9999),
              help="Thay cho tỉnh Hà Tĩnh, nạp tỉnh mẫu hai cấp 'tỉnh Minh Sơn' (mã 99) với chừng này xã, phường, "
                   "mỗi xã có kế hoạch, tiến độ và số liệu năm 2025 (để thử ở quy mô lớn; chạy lại chỉ thêm phần thiếu).")
@click.pass_context
def demo(ctx: click.Context, communes: int | None) -> None:
    """Nạp dữ liệu mẫu: tỉnh Hà Tĩnh, kế hoạch CCHC 2024, tiến độ, chỉ tiêu và người dùng mẫu."""
    from reportsvc.demo.load import load_demo

    services = services_of(ctx)
    if communes is not None:
        from reportsvc.demo.scale import load_scale_demo

        with services.transaction() as session:
            summary = load_scale_demo(session, services.registry, communes)
        click.echo(f"Tỉnh mẫu {summary.province_name} (mã {summary.province_code}) có {summary.communes} xã, phường.")
    else:
        with services.transaction() as session:
            summary = load_demo(session, services.registry)
    click.echo(f"Dữ liệu mẫu: thêm {summary.units} đơn vị, {summary.plans} kế hoạch, "
               f"{summary.updates} cập nhật tiến độ, {summary.values} số liệu chỉ tiêu.")
    click.echo("Tài khoản mẫu (tên đăng nhập / mật khẩu / vai trò):")
    for username, password, role in summary.users:
        click.echo(f"  {username} / {password} / {role}")


@main.group("plugins")
def plugins() -> None:
    """Plugin lĩnh vực cải cách và chỉ tiêu."""


@plugins.command("list")
@click.option("--json", "as_json", is_flag=True, help="In dạng JSON.")
@click.pass_context
def plugins_list(ctx: click.Context, as_json: bool) -> None:
    """Liệt kê plugin, nguồn nạp, trạng thái và các hook đã cài đặt."""
    registry = services_of(ctx, ready=False).registry
    rows = [info.as_dict() for info in registry.plugins]
    emit(rows, as_json, lambda row: f"{row['name']:<22} {row['source']:<10} "
                                    f"{'bật' if row['enabled'] else 'tắt':<4} {row['area'] or '-':<8} {row['title'] or ''}")


def _set_plugin(ctx: click.Context, name: str, enabled: bool) -> None:
    set_plugin_enabled(services_of(ctx), name, enabled, cli_actor())  # idempotent: audited only when it changes
    click.echo(f"Đã {'bật' if enabled else 'tắt'} plugin '{name}'.")


@plugins.command("enable")
@click.argument("name")
@click.pass_context
def plugins_enable(ctx: click.Context, name: str) -> None:
    """Bật một plugin."""
    _set_plugin(ctx, name, True)


@plugins.command("disable")
@click.argument("name")
@click.pass_context
def plugins_disable(ctx: click.Context, name: str) -> None:
    """Tắt một plugin (áp dụng từ lần tạo báo cáo sau)."""
    _set_plugin(ctx, name, False)


@main.group("report")
def report() -> None:
    """Tạo và tra cứu báo cáo."""


def _read_overrides(path: str | None) -> dict[str, str] | None:
    if not path:
        return None
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserError(f"Không đọc được tệp nội dung sửa '{path}': {exc.__class__.__name__}") from exc
    if not isinstance(data, dict):
        raise UserError("Tệp nội dung sửa phải là một đối tượng JSON {\"mục\": \"nội dung\"}")
    return data


@report.command("generate")
@click.option("--unit", "unit_code", required=True, help="Mã đơn vị, ví dụ HT.")
@click.option("--period", required=True, type=PERIOD, help="Kỳ báo cáo: 2024-Q1 … 2024-Q4, 2024-H1, 2024-M9, 2024-Y.")
@click.option("--format", "formats", default="docx,pdf", show_default=True, type=FORMAT_LIST,
              help="docx, pdf, pdfa (phân cách bởi dấu phẩy).")
@click.option("--out", "out_dir", default=".", type=click.Path(file_okay=False), help="Thư mục ghi tệp.")
@click.option("--overrides", type=click.Path(dir_okay=False), help="Tệp JSON nội dung do cán bộ sửa theo mục.")
@click.option("--number", type=WholeNumber("Số văn bản", 1, 999_999), help="Số văn bản (để trống khi là dự thảo).")
@click.option("--date", "report_date", type=DAY, help="Ngày ban hành, dd/mm/yyyy (mặc định hôm nay).")
@click.option("--skip-broken", is_flag=True, help="Vẫn tạo báo cáo khi một plugin lỗi, ghi rõ phần bị thiếu.")
@click.option("--agency", help="Báo cáo riêng của một cơ quan về các nhiệm vụ cơ quan chủ trì, ví dụ 'Sở Nội vụ'.")
@click.pass_context
def report_generate(ctx: click.Context, unit_code: str, period: Period, formats: list[str], out_dir: str,
                    overrides: str | None, number: int | None, report_date: date | None, skip_broken: bool,
                    agency: str | None) -> None:
    """Tạo báo cáo của một đơn vị cho một kỳ, ghi tệp và lưu vào kho."""
    from reportsvc.services.generating import generate

    options = BuildOptions(report_date=report_date, number=number, skip_broken=skip_broken)
    out = Path(out_dir)
    try:  # refuse an unusable folder before anything is generated and archived
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"Không tạo được thư mục '{out}': {exc.strerror}") from exc
    services = services_of(ctx)
    row = generate(services, unit_code, period, formats, options=options,
                   overrides=_read_overrides(overrides), user=cli_actor(), agency=agency)
    for file in (f for f in row.files if f.format in formats):  # the archive also keeps the data JSON
        path = out / file.filename
        try:
            path.write_bytes(file.content)
        except OSError as exc:
            raise UserError(f"Không ghi được tệp '{path}': {exc.strerror} (báo cáo đã lưu trong kho, "
                            f"mã {row.id})") from exc
        click.echo(str(path))
    for warning in json.loads(row.model_json)["warnings"]:
        click.echo(f"Cảnh báo: {warning}", err=True)


@report.command("list")
@click.option("--unit", "unit_code", help="Chỉ các báo cáo của đơn vị này.")
@click.option("--json", "as_json", is_flag=True, help="In dạng JSON.")
@click.pass_context
def report_list(ctx: click.Context, unit_code: str | None, as_json: bool) -> None:
    """Liệt kê các phiên bản báo cáo đã lưu."""
    services = services_of(ctx)
    with services.sessions() as session:
        rows = archive.listing(session, unit_code)
    emit(rows, as_json, lambda row: f"#{row['id']} {row['unit']} {row['period']} v{row['version']} "
                                    f"{row['created_at'][:19]} " + ", ".join(
                                        f"{f['filename']} sha256={f['sha256'][:12]}…" for f in row["files"]))


@report.command("verify")
@click.option("--all", "check_all", is_flag=True, help="Kiểm tra mọi báo cáo trong kho lưu trữ.")
@click.option("--id", "report_ids", multiple=True, type=WholeNumber("Mã báo cáo", 1, 2**31 - 1),
              help="Mã báo cáo cần kiểm tra (lặp lại để kiểm tra nhiều báo cáo).")
@click.pass_context
def report_verify(ctx: click.Context, check_all: bool, report_ids: tuple[int, ...]) -> None:
    """Kiểm tra tính toàn vẹn kho lưu trữ: tính lại SHA-256 của từng tệp báo cáo (chỉ đọc, không sửa gì)."""
    if check_all == bool(report_ids):
        raise CliUsageError("Hãy chọn --all (cả kho lưu trữ) hoặc --id MÃ (một báo cáo), không dùng cả hai.")
    services = services_of(ctx)
    with services.sessions() as session:
        checked, bad = archive.verify(session, None if check_all else report_ids)
    for problem in bad:
        click.echo(f"HỎNG: {problem.describe()}")
    if bad:
        raise archive.ArchiveIntegrityError(
            f"{len(bad)}/{checked} tệp trong kho lưu trữ không khớp SHA-256 đã ghi; khôi phục các tệp trên "
            f"từ bản sao lưu hoặc tạo lại báo cáo.")
    click.echo(f"Đã kiểm tra {checked} tệp: tất cả khớp SHA-256 đã ghi.")


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=WholeNumber("Cổng", 1, 65535))
@click.pass_context
def serve(ctx: click.Context, host: str, port: int) -> None:
    """Chạy giao diện web (máy chủ WSGI waitress)."""
    from waitress import serve as waitress_serve

    from reportsvc.web.app import create_app

    services = services_of(ctx)
    app = create_app(services=services)
    click.echo(f"Đang phục vụ tại http://{host}:{port}")
    waitress_serve(app, host=host, port=port, threads=8, ident="reportsvc")


@main.group("scheduler")
def scheduler() -> None:
    """Lịch tạo báo cáo định kỳ tự động."""


@scheduler.command("due")
@click.option("--date", "day", type=DAY, help="Ngày kiểm tra, dd/mm/yyyy (mặc định hôm nay).")
@click.option("--run", "run_now", is_flag=True, help="Tạo ngay các báo cáo đến hạn.")
@click.pass_context
def scheduler_due(ctx: click.Context, day: date | None, run_now: bool) -> None:
    """Liệt kê (hoặc tạo) các báo cáo đến hạn trong ngày."""
    from reportsvc.services.schedule import due_on, run_due

    services = services_of(ctx)
    when = day or datetime.now().date()
    if run_now:
        runs = run_due(services, when)
    else:
        with services.sessions() as session:
            runs = due_on(when, list(session.scalars(select(Unit).order_by(Unit.code))))
    for run in runs:
        click.echo(f"{run.unit_code} {run.period.key} ({run.period.label})")
    if not runs:
        click.echo(f"Không có báo cáo đến hạn ngày {when:%d/%m/%Y}.")


@scheduler.command("run")
@click.option("--hour", default=6, show_default=True, type=WholeNumber("Giờ", 0, 23), help="Giờ chạy hằng ngày.")
@click.pass_context
def scheduler_run(ctx: click.Context, hour: int) -> None:
    """Chạy bộ lập lịch: mỗi ngày tạo các báo cáo đến hạn và gửi thư nhắc hạn nộp số liệu (APScheduler)."""
    from reportsvc.services.schedule import start

    services = services_of(ctx)
    click.echo(f"Bộ lập lịch đang chạy; kiểm tra báo cáo đến hạn lúc {hour}:00 hằng ngày.")
    click.echo(f"Thư nhắc hạn nộp số liệu: gửi lúc {hour}:00 hằng ngày qua {services.settings.smtp.shown}."
               if services.settings.smtp is not None else
               "Thư nhắc hạn nộp số liệu: tắt (chưa đặt REPORTSVC_SMTP_URL).")
    start(services, hour)


from reportsvc.cli.agencies import agencies  # noqa: E402 - command groups kept in their own modules
from reportsvc.cli.batch import batch  # noqa: E402
from reportsvc.cli.worker import worker  # noqa: E402
from reportsvc.cli.plan import plan  # noqa: E402
from reportsvc.cli.reminders import reminders  # noqa: E402
from reportsvc.cli.submissions import submissions  # noqa: E402
from reportsvc.cli.units import units  # noqa: E402
from reportsvc.cli.users import users  # noqa: E402
from reportsvc.cli.values import values  # noqa: E402

report.add_command(batch)
main.add_command(worker)
main.add_command(units)
main.add_command(agencies)
main.add_command(plan)
main.add_command(users)
main.add_command(reminders)
main.add_command(values)
main.add_command(submissions)


def run() -> None:  # pragma: no cover - the console script entry
    """Entry point kept for ``python -m reportsvc``."""
    main(prog_name="reportsvc")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run())
