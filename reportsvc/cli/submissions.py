"""The ``reportsvc submissions`` commands: a period's data submitted to the compiling office and its decision.

    submissions list [--unit CODE] [--period P] [--state submitted|approved|returned] [--json]
    submissions submit --unit CODE [--agency NAME|ID] --period P
    submissions approve ID [--version N]
    submissions return ID --reason TEXT [--version N]
    submissions reopen ID --reason TEXT [--version N]

Every rule is reportsvc.services.submissions' (the same as the web's and the API's), each change one
transaction and audited. With the global ``--user`` the command acts as that account (an editor submits
its department's data, an admin of the compiling office decides, never on its own submission); without
it, as the system administrator, audited as ``cli:<login name>``.
"""
from __future__ import annotations

import json
from typing import Any

import click

from reportsvc.cli.support import CliGroup, acting_user, cli_actor, emit, services_of
from reportsvc.cli.types import PERIOD, OneOf, WholeNumber
from reportsvc.db.lookup import find_unit
from reportsvc.db.models import Submission
from reportsvc.periods import Period
from reportsvc.services import submissions as service
from reportsvc.services.audit import jsonable
from reportsvc.services.permissions import Actor
from reportsvc.vn.dates import local_time

ID = WholeNumber("Số lần nộp", 1, 2**31 - 1)
VERSION = WholeNumber("Phiên bản (--version)", 0, 2**31 - 1)


@click.group("submissions", cls=CliGroup,
             help="Nộp số liệu một kỳ cho nơi tổng hợp; duyệt, trả lại, mở lại (quản trị viên nơi tổng hợp).")
def submissions() -> None:
    """Group of the submission commands."""


def _actor(ctx: click.Context) -> Actor:
    """Return the ``--user`` account, else the system administrator acting from the command line."""
    return acting_user(ctx) or Actor(id=0, username=cli_actor(), full_name=cli_actor(), role="superadmin")


def _line(row: dict[str, Any]) -> str:
    decided = f" · {row['decided_by']} {local_time(row['decided_at'])}" if row["decided_at"] else ""
    reason = f" · lý do: {row['reason']}" if row["reason"] else ""
    return (f"#{row['id']:<5} {row['unit']:<10} {row['party_label']} · {row['period_label']} · {row['state_label']}"
            f" · nộp {row['submitted_by']} {local_time(row['submitted_at'])}{decided}{reason}")


def _show(row: Submission, verb: str) -> None:
    data = service.submission_json(row)
    click.echo(f"Đã {verb} số liệu kỳ {data['period_label']} của {data['party_label']} (lần nộp #{data['id']}, "
               f"trạng thái: {data['state_label']}).")


@submissions.command("list", help="Liệt kê các lần nộp số liệu (của đơn vị và các đơn vị trực thuộc).")
@click.option("--unit", "unit_code", metavar="MÃ", help="Mã đơn vị: lần nộp của đơn vị đó và các đơn vị trực thuộc.")
@click.option("--period", type=PERIOD, help="Kỳ, ví dụ 2024-Q2 (2024-H1 tìm thấy cùng lần nộp).")
@click.option("--state", type=OneOf("Trạng thái", list(service.STATES)), help="submitted, approved hoặc returned.")
@click.option("--json", "as_json", is_flag=True, help="In dạng JSON.")
@click.pass_context
def list_submissions(ctx: click.Context, unit_code: str | None, period: Period | None, state: str | None,
                     as_json: bool) -> None:
    """List the submissions the acting user may see."""
    with services_of(ctx).sessions() as session:
        unit = find_unit(session, unit_code) if unit_code else None
        rows = [service.submission_json(row) for row in
                service.list_submissions(session, _actor(ctx), unit=unit, period=period, state=state or "")]
    if as_json:
        click.echo(json.dumps(jsonable(rows), ensure_ascii=False, indent=2))
        return
    emit(rows, False, _line)


@submissions.command("submit", help="Nộp số liệu một kỳ của một cơ quan (--agency) hoặc của cả đơn vị lên cấp trên.")
@click.option("--unit", "unit_code", required=True, metavar="MÃ", help="Mã đơn vị nộp số liệu, ví dụ HT.")
@click.option("--agency", metavar="TÊN|SỐ", help="Cơ quan của đơn vị (tên hoặc mã số); bỏ trống: cả đơn vị.")
@click.option("--period", type=PERIOD, required=True, help="Kỳ, ví dụ 2024-Q2 hoặc 2024-H1 (cùng một lần nộp).")
@click.pass_context
def submit(ctx: click.Context, unit_code: str, agency: str | None, period: Period) -> None:
    """Submit a party's data of the period's window."""
    actor = _actor(ctx)
    with services_of(ctx).transaction() as session:
        unit = find_unit(session, unit_code)
        written: int | str | None = int(agency) if agency and agency.strip().isdigit() else agency
        party = service.find_party(session, actor, unit, written)
        row = service.submit(session, actor, unit, party, period)
        _show(row, "nộp")


@submissions.command("approve", help="Duyệt số liệu đã nộp: số liệu kỳ đó bị khóa.")
@click.argument("submission_id", metavar="SỐ", type=ID)
@click.option("--version", type=VERSION, help="Phiên bản đã xem (không ghi đè thay đổi của người khác).")
@click.pass_context
def approve(ctx: click.Context, submission_id: int, version: int | None) -> None:
    """Approve a submitted window."""
    with services_of(ctx).transaction() as session:
        _show(service.approve(session, _actor(ctx), submission_id, version), "duyệt")


@submissions.command("return", help="Trả lại số liệu đã nộp, kèm lý do.")
@click.argument("submission_id", metavar="SỐ", type=ID)
@click.option("--reason", required=True, help="Lý do trả lại.")
@click.option("--version", type=VERSION, help="Phiên bản đã xem (không ghi đè thay đổi của người khác).")
@click.pass_context
def return_(ctx: click.Context, submission_id: int, reason: str, version: int | None) -> None:
    """Return a submitted window with the reason."""
    with services_of(ctx).transaction() as session:
        _show(service.return_submission(session, _actor(ctx), submission_id, reason, version), "trả lại")


@submissions.command("reopen", help="Mở lại kỳ đã duyệt, kèm lý do: số liệu sửa được và cần nộp lại.")
@click.argument("submission_id", metavar="SỐ", type=ID)
@click.option("--reason", required=True, help="Lý do mở lại.")
@click.option("--version", type=VERSION, help="Phiên bản đã xem (không ghi đè thay đổi của người khác).")
@click.pass_context
def reopen(ctx: click.Context, submission_id: int, reason: str, version: int | None) -> None:
    """Reopen an approved window."""
    with services_of(ctx).transaction() as session:
        _show(service.reopen(session, _actor(ctx), submission_id, reason, version), "mở lại")
