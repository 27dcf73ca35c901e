"""Helpers every web module shares: the request's database session, the signed-in actor,
role decorators, unit and period choices, and the Jinja filters."""
from __future__ import annotations

import io
from datetime import date, datetime
from functools import wraps
from typing import Any, Callable, Iterable, TypeVar

from flask import Flask, Response, abort, current_app, g, request, send_file
from flask_login import UserMixin, current_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from reportsvc.vn import format as fmt
from reportsvc.services.accounts import ROLES
from reportsvc.errors import NotFound
from reportsvc.db.lookup import find_unit
from reportsvc.db.models import Unit
from reportsvc.db.unitsettings import settings_of
from reportsvc.periods import KINDS as KINDS_ORDER, Period, PeriodError, parse_period, periods_of_year
from reportsvc.db.tenancy import activate, deactivate
from reportsvc.services.permissions import Actor, scope_for
from reportsvc.vn.dates import local_time
from reportsvc.services.downloads import Download
from reportsvc.services.runtime import Services
from reportsvc.status import CLASSES, RECORDED
from reportsvc.vn.units import KINDS

F = TypeVar("F", bound=Callable[..., Any])
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
KIND_LABELS = {key: kind.label.capitalize() for key, kind in KINDS.items()}


class WebUser(UserMixin):
    """The Flask-Login user: an Actor snapshot loaded from the database on every request."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor

    def get_id(self) -> str:
        """Return the user id kept in the session cookie."""
        return str(self.actor.id)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.actor, name)


def services() -> Services:
    """Return the app's Services."""
    return current_app.extensions["reportsvc"]


def db() -> Session:
    """Return the request's database session (closed, with any uncommitted change rolled back, at teardown)."""
    if "db_session" not in g:
        g.db_session = services().sessions()
    return g.db_session


def scope_request(who: Actor) -> None:
    """Scope the rest of the request to what ``who`` may see and change: every session it opens,
    the services' own transactions included (the one place the web decides it)."""
    g.scope_token = activate(scope_for(db(), who))


def close_db(_exc: BaseException | None = None) -> None:
    """Close the request's session, if one was opened, and end the request's scope."""
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
    token = g.pop("scope_token", None)
    if token is not None:
        deactivate(token)


def actor() -> Actor:
    """Return the signed-in user's Actor (views only run for signed-in users)."""
    return current_user.actor


def admin_required(view: F) -> F:
    """Refuse the view with 403 unless the signed-in user is an admin."""
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not actor().is_admin:
            abort(403, description="Chỉ quản trị viên (Sở Nội vụ) được dùng chức năng này.")
        return view(*args, **kwargs)
    return wrapper  # type: ignore[return-value]


def writer_required(view: F) -> F:
    """Refuse the view with 403 for a read-only user."""
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not actor().can_write:
            abort(403, description="Tài khoản chỉ có quyền xem, không được thay đổi dữ liệu.")
        return view(*args, **kwargs)
    return wrapper  # type: ignore[return-value]


def unit_tree(session: Session) -> list[tuple[Unit, int]]:
    """Return every unit depth-first from the roots, with its depth (for indented selects)."""
    units = list(session.scalars(select(Unit).order_by(Unit.code)))
    children: dict[int | None, list[Unit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    result: list[tuple[Unit, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for unit in children.get(parent, []):
            result.append((unit, depth))
            walk(unit.id, depth + 1)

    walk(None, 0)
    return result


def pick_unit(session: Session, code: str | None) -> Unit:
    """Return the unit ``code`` (404 if unknown), else the user's unit, else the first root unit."""
    if code:
        return find_unit(session, code)
    if current_user.is_authenticated and actor().unit_id:
        unit = session.get(Unit, actor().unit_id)
        if unit is not None:
            return unit
    unit = session.scalar(select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.id))
    if unit is None:
        raise NotFound("Chưa có đơn vị hành chính nào. Hãy chạy 'reportsvc demo' hoặc thêm đơn vị.")
    return unit


def pick_period(text: str | None, default: Period) -> Period:
    """Return the period written ``text`` or ``default``; a malformed one is a 400 with the reason."""
    if not text:
        return default
    try:
        return parse_period(text)
    except PeriodError as exc:
        abort(400, description=str(exc))


def report_periods(year: int) -> list[Period]:
    """Return the periods a report can cover in ``year`` and around it (previous, current, next year)."""
    return [p for y in (year - 1, year, year + 1) for p in periods_of_year(y)]


def _picker_order(period: Period) -> tuple[int, int, bool, int]:
    """Sort periods by the end of their window, a quarter before the periods sharing its record."""
    return period.year, period.last_month, period.kind != "Q", KINDS_ORDER.index(period.kind)


def entry_periods(unit: Unit, years: Iterable[int], selected: Period | None = None) -> list[Period]:
    """Return the periods status and values are entered for in ``years``, as the period pickers offer them.

    Every quarter (departments update quarterly) and the unit's own reports (``settings_of(unit).reports``:
    6 tháng, 9 tháng, năm), each after the quarter whose record it shares; ``selected`` is always included,
    so a picker never shows another period than the page's.
    """
    kinds = set(settings_of(unit).reports)
    found = {Period(year, "Q", quarter) for year in years for quarter in range(1, 5)}
    found |= {period for year in years for period in periods_of_year(year) if period.key.split("-")[1] in kinds}
    if selected is not None:
        found.add(selected)
    return sorted(found, key=_picker_order)


def shared_record_text(period: Period) -> str:
    """Return which periods the record of ``period`` serves ("Số liệu này dùng chung cho Quý IV/2024 và Năm 2024"),
    or "" when it serves only its quarter."""
    served = [p.short_label for p in period.serves()]
    if len(served) < 2:
        return ""
    return f"Số liệu này dùng chung cho {', '.join(served[:-1])} và {served[-1]}"


def year_to_date_text(unit: Unit, period: Period) -> str:
    """Return the sentence saying values are year to date, with the dates of the unit's data window."""
    cutoff = settings_of(unit).cutoff
    start, end = Period(period.year, "Y").window(cutoff)[0], period.window(cutoff)[1]
    return (f"Số liệu lũy kế từ đầu năm đến hết kỳ {period.short_label} (từ ngày {fmt.short_date(start)} "
            f"đến ngày {fmt.short_date(end)}), không phải số liệu riêng của kỳ.")


def served_labels(period_key: str) -> str:
    """Jinja filter: the periods a stored record serves, e.g. "Quý IV/2024 · Năm 2024" for "2024-Q4"."""
    try:
        return " · ".join(p.short_label for p in parse_period(period_key).serves())
    except PeriodError:
        return period_key


def send_download(download: Download) -> Response:
    """Send a report file as an attachment with its media type and name."""
    return send_file(io.BytesIO(download.content), mimetype=download.media_type, as_attachment=True,
                     download_name=download.filename)


def arg(name: str, default: str = "") -> str:
    """Return a query-string or form argument, stripped."""
    value = request.values.get(name, default)
    return value.strip() if isinstance(value, str) else default


def vn_date(value: date | str | None) -> str:
    """Jinja filter: a date as dd/mm/yyyy ("" for None)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    return fmt.short_date(value)


def vn_time(value: datetime | str | None) -> str:
    """Jinja filter: a stored UTC time as Vietnam time, "dd/mm/yyyy HH:MM"."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    return local_time(value)


def vn_number(value: float | int | None, digits: int = 2) -> str:
    """Jinja filter: a number the Vietnamese way ("1.234,5")."""
    return fmt.number(value, digits)


def input_number(value: float | None) -> str:
    """Jinja filter: a stored value as typed into a form ("94,5", no thousands separator)."""
    from reportsvc.vn.numbers import form_text

    return form_text(value)


def init_app(app: Flask) -> None:
    """Register the teardown of the request session, Jinja filters and globals."""
    app.teardown_appcontext(close_db)
    app.jinja_env.filters.update(vn_date=vn_date, vn_time=vn_time, vn_number=vn_number, input_number=input_number,
                                 percent=fmt.percent, served_labels=served_labels)
    app.jinja_env.globals.update(ROLES=ROLES, CLASSES=CLASSES, RECORDED=RECORDED, KIND_LABELS=KIND_LABELS)
