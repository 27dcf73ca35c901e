"""What every ``reportsvc`` command group shares: lazy services and one-line error reporting.

The mapping of errors to what the command line shows is written here once:

- a reportsvc.errors.UserError (and every subclass: NotFound, Forbidden, Invalid, Conflict,
  RenderError, PeriodError, PlanImportError, PluginError, DatabaseError, ConfigError …) prints
  "Lỗi: <message>" on stderr and exits with the class's ``exit_code`` (2);
- an option or argument that cannot be converted (reportsvc.cli.types) or is missing prints
  the same one Vietnamese line and exits with 2;
- a database failure prints one line naming the database (password hidden) and exits with 2;
- anything else is a bug: one line and exit 1 (REPORTSVC_DEBUG=1 shows the traceback).
"""
from __future__ import annotations

from contextvars import Token

import getpass
import json
import os
from typing import IO, Any, Callable

import click
from sqlalchemy.exc import SQLAlchemyError

from sqlalchemy import select

from reportsvc.cli.types import VietnameseType
from reportsvc.config import Settings, load_settings
from reportsvc.db import engine as db
from reportsvc.db.models import User
from reportsvc.errors import Forbidden, NotFound, UserError
from reportsvc.db.tenancy import Scope, activate, deactivate
from reportsvc.db.unitsettings import KEYS
from reportsvc.services.permissions import Actor, scope_for
from reportsvc.services.runtime import Services, create_services

DEBUG_ENV = "REPORTSVC_DEBUG"
USER_ERROR_EXIT = UserError.exit_code


def one_line(message: object) -> str:
    """Return ``message`` as text on one line (the lines of a multi-line message joined with spaces)."""
    return " ".join(part.strip() for part in str(message).splitlines() if part.strip())


class CliUsageError(click.ClickException):
    """An option or argument the command cannot use, shown as "Lỗi: <Vietnamese message>" (exit 2)."""

    exit_code = USER_ERROR_EXIT

    def show(self, file: IO[Any] | None = None) -> None:
        """Print the one-line message on stderr."""
        click.echo(f"Lỗi: {one_line(self.message)}", err=True)


def _missing(exc: click.MissingParameter) -> str:
    """Return the Vietnamese message for a required option or argument that was not given."""
    param = exc.param
    if isinstance(param, click.Option):
        name = max(param.opts, key=len)
        help_text = (param.help or "").strip().rstrip(".")
        return f"Thiếu tùy chọn {name}" + (f": {help_text[:1].lower()}{help_text[1:]}." if help_text else ".")
    hint = param.human_readable_name if param is not None else "tham số"
    return f"Thiếu tham số {hint}" + ("" if hint.endswith(".") else ".")


def vietnamese_usage_error(exc: click.BadParameter) -> CliUsageError:
    """Return the one-line Vietnamese error for a parameter click could not use."""
    if isinstance(exc, click.MissingParameter):
        return CliUsageError(_missing(exc))
    if exc.param is not None and isinstance(exc.param.type, VietnameseType):
        return CliUsageError(exc.message)  # the type's message already says everything
    name = max(exc.param.opts, key=len) if isinstance(exc.param, click.Option) else (
        exc.param.human_readable_name if exc.param is not None else "tham số")
    return CliUsageError(f"Giá trị không hợp lệ cho {name}: {exc.message}")


def vietnamese_usage(exc: click.UsageError) -> CliUsageError:
    """Return the one-line Vietnamese error for a command line click could not parse (unknown option, extra argument)."""
    if isinstance(exc, click.BadParameter):
        return vietnamese_usage_error(exc)
    if isinstance(exc, click.NoSuchOption):
        return CliUsageError(f"Không có tùy chọn {exc.option_name}; xem '--help'.")
    message = exc.message
    if message.startswith("Got unexpected extra argument"):
        extra = message[message.find("(") + 1:message.rfind(")")] if "(" in message else ""
        return CliUsageError(f"Thừa tham số: {extra}. Giá trị có dấu cách phải đặt trong ngoặc kép.")
    if "requires an argument" in message:
        name = message.split("'")[1] if "'" in message else "này"
        return CliUsageError(f"Tùy chọn {name} cần một giá trị.")
    if message.startswith("No such command"):
        name = message.split("'")[1] if "'" in message else message
        return CliUsageError(f"Không có lệnh '{name}'; xem '--help'.")
    return CliUsageError(f"Cách gọi lệnh không đúng ({message}); xem '--help'.")


HELP_TEXT = "Hiển thị hướng dẫn này rồi thoát."


class Command(click.Command):
    """A click command whose --help option is described in Vietnamese."""

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        """Return the help option with a Vietnamese description."""
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = HELP_TEXT
        return option

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: Any) -> click.Context:
        """Parse the command line; an option that cannot be used becomes one Vietnamese line (exit 2)."""
        try:
            return super().make_context(info_name, args, parent, **extra)
        except CliUsageError:
            raise
        except click.UsageError as exc:
            raise vietnamese_usage(exc) from exc


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
        except CliUsageError:
            raise
        except click.UsageError as exc:
            raise vietnamese_usage(exc) from exc
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except UserError as exc:
            click.echo(f"Lỗi: {one_line(exc)}", err=True)
            ctx.exit(exc.exit_code)
        except SQLAlchemyError as exc:
            holder = ctx.find_object(ServicesHolder)
            url = db.safe_url(holder.settings.database_url) if holder else "?"
            click.echo(f"Lỗi cơ sở dữ liệu ({url}): {exc.__class__.__name__}; không có thay đổi nào được lưu.",
                       err=True)
            ctx.exit(USER_ERROR_EXIT)
        except Exception as exc:  # noqa: BLE001 - the command line never shows a traceback
            if os.environ.get(DEBUG_ENV):
                raise
            message = " ".join(str(exc).split())
            click.echo(f"Lỗi không mong đợi ({exc.__class__.__name__}: {message}); chạy lại với "
                       f"{DEBUG_ENV}=1 để xem chi tiết.", err=True)
            ctx.exit(1)


class ServicesHolder:
    """Creates the Services on first use so that ``--help`` never touches the database.

    With ``user`` (the global ``--user`` option) every session the command opens is scoped to
    that user's units (reportsvc.db.tenancy), and audit entries name that user.
    """

    def __init__(self, settings: Settings, user: str | None = None) -> None:
        self.settings = settings
        self.user = user
        self.actor: Actor | None = None
        self._services: Services | None = None
        self._scope_token: Token[Scope | None] | None = None

    @classmethod
    def from_options(cls, plugins_dir: str | None = None, user: str | None = None) -> "ServicesHolder":
        """Return a holder for the settings of the environment with the command line's options on top."""
        return cls(load_settings({"plugins_dir": plugins_dir}), user or None)

    def get(self, ready: bool = True) -> Services:
        """Return the services; with ``ready`` the database must be reachable and migrated."""
        if self._services is None:
            self._services = create_services(self.settings)
        if ready:
            db.check_connection(self._services.engine)
            if not db.is_ready(self._services.engine):
                raise UserError("Cơ sở dữ liệu chưa được khởi tạo. Hãy chạy 'reportsvc init-db'.")
        if self.user and self.actor is None and (ready or db.is_ready(self._services.engine)):
            self._act_as(self._services)
        return self._services

    def _act_as(self, services: Services) -> None:
        """Scope every later session of ``services`` to the ``--user`` account (none for a superadmin)."""
        with services.sessions() as session:
            user = session.scalar(select(User).where(User.username == (self.user or "").strip()))
            if user is None:
                raise NotFound(f"Không tìm thấy người dùng '{self.user}' (tùy chọn --user).")
            if not user.active:
                raise Forbidden(f"Tài khoản '{user.username}' đã bị khóa.")
            actor = Actor.of(user)
            scope = scope_for(session, actor)
        self._scope_token = activate(scope)  # every session of the command, as for a web request
        self.actor = actor

    def close(self) -> None:
        """End the ``--user`` scope and release the database connections when the command ends."""
        if self._scope_token is not None:
            deactivate(self._scope_token)
            self._scope_token = None
        if self._services is not None:
            self._services.engine.dispose()


def services_of(ctx: click.Context, ready: bool = True) -> Services:
    """Return the Services of the current command line invocation."""
    holder = ctx.find_object(ServicesHolder)
    if holder is None:  # a command group invoked on its own (tests): its own holder, closed with the context
        holder = ctx.obj = ServicesHolder.from_options()
        ctx.call_on_close(holder.close)
    return holder.get(ready)


def emit(rows: list[dict[str, Any]], as_json: bool, line: Callable[[dict[str, Any]], str]) -> None:
    """Print a listing: the rows as JSON with ``--json``, else one ``line(row)`` per row."""
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        click.echo(line(row))


def acting_user(ctx: click.Context | None = None) -> Actor | None:
    """Return the account named by ``--user`` once the services were opened (None without ``--user``)."""
    ctx = ctx or click.get_current_context(silent=True)
    holder = ctx.find_object(ServicesHolder) if ctx is not None else None
    return holder.actor if holder is not None else None


def require_admin_user(ctx: click.Context) -> None:
    """Refuse a change of units, agencies, settings or users when ``--user`` names someone who is not an admin."""
    actor = acting_user(ctx)
    if actor is not None and not actor.is_admin:
        raise Forbidden(f"Tài khoản '{actor.username}' ({actor.role}) không có quyền quản trị.")


def cli_actor() -> str:
    """Return who runs the command, for audit entries: the ``--user`` account, else ``cli:<login name>``."""
    actor = acting_user()
    if actor is not None:
        return actor.username
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no login name in some containers
        return f"cli:{os.environ.get('USER', 'unknown')}"


def setting_changes(assignments: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    """Group ``--set`` values by key: a list key (recipients, reports) may be repeated, another may not."""
    changes: dict[str, Any] = {}
    for key, value in assignments:
        spec = KEYS.get(key) or KEYS.get({"report_kinds": "reports"}.get(key, ""))
        if key in changes:
            if spec is None or not spec.multiple:
                raise UserError(f"Thiết lập '{key}' được đặt hai lần.")
            changes[key] = [*changes[key], value] if isinstance(changes[key], list) else [changes[key], value]
        else:
            changes[key] = value
    return changes


def show_setting(value: Any) -> str:
    """Return a setting's value as the settings listing shows it ("—" when empty)."""
    if isinstance(value, list):
        return " ".join(str(item) for item in value) if value else "—"
    return "—" if value in (None, "") else str(value)
