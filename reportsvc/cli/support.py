"""What every ``reportsvc`` command group shares: lazy services and one-line error reporting."""
from __future__ import annotations

import getpass
import os
from datetime import date
import json
from typing import Any, Callable

import click
from sqlalchemy.exc import SQLAlchemyError

from reportsvc.db import engine as db
from reportsvc.services import recording as progress
from reportsvc.config import load_settings
from reportsvc.errors import UserError
from reportsvc.services.runtime import Services, create_services

DEBUG_ENV = "REPORTSVC_DEBUG"


HELP_TEXT = "Hiển thị hướng dẫn này rồi thoát."


class Command(click.Command):
    """A click command whose --help option is described in Vietnamese."""

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        """Return the help option with a Vietnamese description."""
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = HELP_TEXT
        return option


class CliGroup(Command, click.Group):
    """A click group that reports every failure as one Vietnamese line and exit 2 (1 if unexpected).

    Its subcommands and subgroups get the same classes. Set REPORTSVC_DEBUG=1 to see the
    traceback of an unexpected error.
    """

    command_class = Command
    group_class = type

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command, reporting errors without a traceback."""
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except UserError as exc:
            click.echo(f"Lỗi: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except SQLAlchemyError as exc:
            holder = ctx.find_object(ServicesHolder)
            url = db.safe_url(holder.settings.database_url) if holder else "?"
            click.echo(f"Lỗi cơ sở dữ liệu ({url}): {exc.__class__.__name__}; không có thay đổi nào được lưu.",
                       err=True)
            ctx.exit(2)
        except Exception as exc:  # noqa: BLE001 - the command line never shows a traceback
            if os.environ.get(DEBUG_ENV):
                raise
            message = " ".join(str(exc).split())
            click.echo(f"Lỗi không mong đợi ({exc.__class__.__name__}: {message}); chạy lại với "
                       f"{DEBUG_ENV}=1 để xem chi tiết.", err=True)
            ctx.exit(1)


class ServicesHolder:
    """Creates the Services on first use so that ``--help`` never touches the database."""

    def __init__(self, plugins_dir: str | None) -> None:
        self.settings = load_settings({"plugins_dir": plugins_dir})
        self._services: Services | None = None

    def get(self, ready: bool = True) -> Services:
        """Return the services; with ``ready`` the database must be reachable and migrated."""
        if self._services is None:
            self._services = create_services(self.settings)
        if ready:
            db.check_connection(self._services.engine)
            if not db.is_ready(self._services.engine):
                raise UserError("Cơ sở dữ liệu chưa được khởi tạo. Hãy chạy 'reportsvc init-db'.")
        return self._services

    def close(self) -> None:
        """Release the database connections when the command ends."""
        if self._services is not None:
            self._services.engine.dispose()


def services_of(ctx: click.Context, ready: bool = True) -> Services:
    """Return the Services of the current command line invocation."""
    holder = ctx.find_object(ServicesHolder)
    if holder is None:  # a command group invoked on its own (tests): its own holder, closed with the context
        holder = ctx.obj = ServicesHolder(None)
        ctx.call_on_close(holder.close)
    return holder.get(ready)


def emit(rows: list[dict[str, Any]], as_json: bool, line: Callable[[dict[str, Any]], str]) -> None:
    """Print a listing: the rows as JSON with ``--json``, else one ``line(row)`` per row."""
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        click.echo(line(row))


def parse_day(text: str | None) -> date | None:
    """Parse a dd/mm/yyyy (or yyyy-mm-dd) option ("" or None gives None)."""
    try:
        return progress.parse_day(text)
    except ValueError as exc:
        raise UserError(f"Ngày không hợp lệ: '{text}' (dạng dd/mm/yyyy)") from exc


def cli_actor() -> str:
    """Return who runs the command, for audit entries: ``cli:<login name>``."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no login name in some containers
        return f"cli:{os.environ.get('USER', 'unknown')}"
