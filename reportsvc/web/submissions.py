"""Submitting and approving a period's data: "Nộp số liệu" for departments and units, "Duyệt số liệu" for the
compiling office.

Every rule (who may submit or decide, the states, the lock on approved data) is
reportsvc.services.submissions'; these pages only choose the party and the window, show the states and
send the forms (CSRF-checked by Flask-WTF's CSRFProtect). A refusal the user can act on (already
submitted, a return without a reason, a stale page, deciding on one's own submission) is shown on the
page with its status; a submission outside the user's units is a 404.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms import StringField, TextAreaField
from wtforms.validators import InputRequired

from reportsvc.db.lookup import find_unit
from reportsvc.db.models import Agency, Unit
from reportsvc.errors import NotFound, UserError
from reportsvc.periods import Period
from reportsvc.services import submissions as service
from reportsvc.services.overview import default_period
from reportsvc.services.recording import whole_number
from reportsvc.web.admin_support import managed_rows, options
from reportsvc.web.common import actor, admin_required, arg, db, pick_period, pick_unit, report_periods, \
    writer_required
from reportsvc.web.forms import PageForm, PeriodField, VersionField

bp = Blueprint("submissions", __name__, url_prefix="/submissions")
UNIT_PARTY = service.UNIT_PARTY
"""The party select's value for the whole unit (a department is its agency id)."""
ACTIONS = {"approve": "duyệt", "return": "trả lại", "reopen": "mở lại"}


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class SubmitForm(PageForm):
    """Submit a party's data of one window: the unit, the department (its id; "unit": the whole unit), the period."""

    unit = StringField("Đơn vị", filters=[_strip], validators=[InputRequired("Thiếu đơn vị nộp số liệu.")])
    agency = StringField("Cơ quan", filters=[_strip])
    period = PeriodField("Kỳ", validators=[InputRequired("Thiếu kỳ nộp số liệu.")])
    version = VersionField("Phiên bản")


class DecideForm(PageForm):
    """The compiling office's decision on one submission: approve, return or reopen (with a reason)."""

    id = StringField("Lần nộp", filters=[_strip], validators=[InputRequired("Thiếu lần nộp số liệu.")])
    action = StringField("Thao tác", filters=[_strip], validators=[InputRequired("Thiếu thao tác.")])
    reason = TextAreaField("Lý do")
    version = VersionField("Phiên bản")


def _form_error(form: PageForm) -> str | None:
    return next((message for field in form for message in field.errors), None)


# ---------------------------------------------------------------- the submitting side

def _own_agency(session: Session) -> Agency | None:
    """Return the signed-in editor's department, or None."""
    return session.get(Agency, actor().agency_id) if actor().agency_id is not None else None


def _agency_choices(session: Session, unit: Unit) -> list[tuple[str, str]]:
    """Return the party select's choices for ``unit``: the whole unit (when it has an office above), its departments."""
    choices = [(UNIT_PARTY, f"{unit.name} (cả đơn vị, nộp lên {unit.parent.name})")] if unit.parent else []
    agencies = session.scalars(select(Agency).where(Agency.unit_id == unit.id, Agency.successor_id.is_(None))
                               .order_by(Agency.name))
    return choices + [(str(agency.id), agency.name) for agency in agencies]


def _party(session: Session, unit: Unit, written: str) -> Agency | None:
    """Return the department chosen on the page (None: the whole unit), defaulting to the user's own."""
    if written == UNIT_PARTY:
        return None
    if written:
        number = whole_number(written)
        if number is None:
            abort(400, description=f"Cơ quan không hợp lệ: '{written[:40]}'.")
        return service.find_party(session, actor(), unit, number)
    own = _own_agency(session)
    if own is not None and own.unit_id == unit.id:
        return own
    if unit.parent is not None:
        return None
    return session.scalar(select(Agency).where(Agency.unit_id == unit.id, Agency.successor_id.is_(None))
                          .order_by(Agency.name).limit(1))


def _submit_page(unit: Unit, agency: Agency | None, year: int, error: str = "",
                 status: int = 200) -> ResponseReturnValue:
    session = db()
    agency_id = agency.id if agency is not None else None
    office = service.compiling_unit(unit, agency_id)
    editor = actor().role == "editor"
    default_year = default_period(session, unit).year
    return render_template(
        "submissions/submit.html", unit=unit, agency=agency, year=year, office=office,
        party=service.party_label(unit, agency), windows=service.windows(session, unit, agency_id, year),
        can_submit=office is not None and service.can_submit(session, actor(), unit, agency),
        units=[] if editor else options(managed_rows(session)),
        agencies=[] if editor else _agency_choices(session, unit),
        party_value=str(agency_id) if agency_id is not None else UNIT_PARTY,
        years=sorted({default_year - 1, default_year, default_year + 1, year}), error=error), status


@bp.get("")
def index() -> ResponseReturnValue:
    """Show a party's data windows of a year with their states and the button "Nộp số liệu kỳ …".

    An editor sees its own department; others choose a unit (?unit=CODE) and a party (?agency=ID or "unit").
    """
    session = db()
    if actor().role == "editor":
        own = _own_agency(session)
        if own is None:
            abort(403, description="Tài khoản chưa được gắn với cơ quan nào nên chưa nộp được số liệu; "
                                   "hãy đề nghị quản trị viên gắn cơ quan cho tài khoản.")
        unit, agency = own.unit, own
    else:
        unit = pick_unit(session, arg("unit"))
        if not service.covers(session, actor(), unit.id):
            raise NotFound(f"Không tìm thấy đơn vị '{unit.code}'")
        agency = _party(session, unit, arg("agency"))
    year = whole_number(arg("year")) or default_period(session, unit).year
    if not 2000 <= year <= 2100:
        abort(400, description=f"Năm không hợp lệ: {year}.")
    return _submit_page(unit, agency, year)


@bp.post("/submit")
@writer_required
def submit() -> ResponseReturnValue:
    """Submit the party's data of a window to its compiling office; a refusal is shown on the page."""
    session = db()
    form = SubmitForm()
    form.validate()
    problem = _form_error(form)
    if problem:
        abort(400, description=problem)
    unit = find_unit(session, form.unit.data)
    written = form.agency.data or UNIT_PARTY
    number = whole_number(written)
    agency = None if written == UNIT_PARTY else service.find_party(
        session, actor(), unit, number if number is not None else written)
    period: Period = form.period.data
    try:
        row = service.submit(session, actor(), unit, agency, period, form.version.data or None)
        session.commit()
    except UserError as exc:
        session.rollback()
        if exc.http_status in (403, 404):
            raise
        return _submit_page(find_unit(session, unit.code), agency and session.get(Agency, agency.id),
                            period.year, error=str(exc), status=exc.http_status)
    office = service.compiling_unit(row.unit, row.agency_id)
    flash(f"Đã nộp số liệu kỳ {service.window_label(row.period_key)} của {service.party_label(row.unit, row.agency)} "
          f"cho {office.name if office else 'cấp trên'}; số liệu đang chờ duyệt.", "success")
    return redirect(url_for("submissions.index", unit=unit.code,
                            agency=str(row.agency_id) if row.agency_id is not None else UNIT_PARTY,
                            year=period.year))


# ---------------------------------------------------------------- the compiling office

def _review_page(error: str = "", status: int = 200) -> ResponseReturnValue:
    session = db()
    unit = pick_unit(session, arg("unit"))
    default = default_period(session, unit)
    period = pick_period(arg("period"), default) if arg("period") else None
    state = arg("state")
    if state and state not in service.STATES:
        abort(400, description=f"Trạng thái không hợp lệ: '{state[:40]}'.")
    rows = [(row, service.submission_json(row), service.can_decide(session, actor(), row),
             service.can_reopen(session, actor(), row))
            for row in service.list_submissions(session, actor(), unit=unit, period=period, state=state)]
    periods = report_periods(default.year)
    if period is not None and period not in periods:
        periods.append(period)
    return render_template("submissions/review.html", unit=unit, period=period, state=state, rows=rows,
                           units=options(managed_rows(session)), periods=periods,
                           states=service.STATES, error=error), status


@bp.get("/review")
def review() -> ResponseReturnValue:
    """List the submissions of a unit and the units below it (?unit=&period=&state=) with the office's actions."""
    return _review_page()


@bp.post("/decide")
@admin_required
def decide() -> ResponseReturnValue:
    """Approve, return (with a reason) or reopen (with a reason) one submission; a refusal is shown on the page."""
    session = db()
    form = DecideForm()
    form.validate()
    problem = _form_error(form)
    if problem:
        abort(400, description=problem)
    submission_id = whole_number(form.id.data)
    if submission_id is None:
        raise NotFound(f"Không tìm thấy lần nộp số liệu '{form.id.data[:20]}'.")
    action = form.action.data
    if action not in ACTIONS:
        abort(400, description=f"Thao tác không hợp lệ: '{action[:20]}'.")
    version = form.version.data
    try:
        if action == "approve":
            row = service.approve(session, actor(), submission_id, version)
        elif action == "return":
            row = service.return_submission(session, actor(), submission_id, form.reason.data, version)
        else:
            row = service.reopen(session, actor(), submission_id, form.reason.data, version)
        session.commit()
    except UserError as exc:
        session.rollback()
        if exc.http_status == 404:
            raise
        return _review_page(error=str(exc), status=exc.http_status)
    label, whose = service.window_label(row.period_key), service.party_label(row.unit, row.agency)
    message = {"approve": f"Đã duyệt số liệu kỳ {label} của {whose}; số liệu kỳ này đã được khóa.",
               "return": f"Đã trả lại số liệu kỳ {label} của {whose} để sửa và nộp lại.",
               "reopen": f"Đã mở lại kỳ {label} của {whose}; số liệu sửa được và cần nộp lại."}[action]
    flash(message, "success")
    return redirect(url_for("submissions.review", unit=arg("unit") or None, period=arg("period") or None,
                            state=arg("state") or None))
