"""Bulk entry of indicator values: download a unit's XLSX template, upload it filled in, preview, confirm.

The page (``/values``) picks a unit and a period. ``/values/template?unit=&period=`` downloads the
template (without both it shows the page to pick them). An upload is checked without storing
anything (reportsvc.services.value_sheets.check_sheet) and the preview lists what will change, old →
new per unit and indicator, or every error by cell. As the plan upload does (reportsvc.web.plans), the
file is kept under a random token of its uploader (reportsvc.importing.uploads, in its own folder)
until it is confirmed, which checks it again and saves everything in one transaction, or nothing.
The preview is the answer to the upload's POST, so there is no page to open by address.
"""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField

from reportsvc.db.lookup import find_unit
from reportsvc.db.models import Unit
from reportsvc.errors import Conflict, Invalid, Locked, NotFound
from reportsvc.importing import uploads
from reportsvc.periods import Period
from reportsvc.services.overview import default_period
from reportsvc.services.value_sheets import build_template, check_sheet, import_sheet, period_text
from reportsvc.web.common import (actor, arg, db, pick_period, pick_unit, report_periods, send_download, services,
                                  unit_tree, writer_required)
from reportsvc.web.forms import PageForm, PeriodField

bp = Blueprint("value_sheets", __name__, url_prefix="/values")
PENDING_FOLDER = "value_sheets"
"""Pending uploads live under the data directory's ``value_sheets/uploads``, apart from pending plans."""


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


class SheetUploadForm(PageForm):
    """A filled-in template (.xlsx) for a unit and a period."""

    file = FileField("Tệp mẫu đã điền", validators=[FileRequired("Hãy chọn tệp mẫu đã điền (.xlsx).")])
    unit = StringField("Đơn vị", filters=[_strip])
    period = PeriodField("Kỳ")


class SheetConfirmForm(PageForm):
    """Confirming a previewed upload: the period it was checked for."""

    period = PeriodField("Kỳ")


def _pending_dir() -> Path:
    return Path(services().settings.data_dir) / PENDING_FOLDER


def _choice(unit_code: str, period_key: str) -> tuple[Unit, Period]:
    """Return the unit and period picked (the user's unit and the current period by default)."""
    session = db()
    unit = pick_unit(session, unit_code)
    return unit, pick_period(period_key, default_period(session, unit))


def _page(unit: Unit, period: Period, status: int = 200, errors: list[str] | None = None) -> ResponseReturnValue:
    """Render the page: pick a unit and period, download its template, upload it filled in."""
    return render_template("value_sheets/index.html", unit=unit, period=period, period_label=period_text(period),
                           units=unit_tree(db()), periods=report_periods(period.year), errors=errors or []), status


@bp.get("")
def index() -> ResponseReturnValue:
    """Show the page of a unit and period (``?unit=&period=``)."""
    return _page(*_choice(arg("unit"), arg("period")))


@bp.get("/template")
def template() -> ResponseReturnValue:
    """Download the template of ``?unit=`` and the units below it for ``?period=``; without both, show the page."""
    if not arg("unit") or not arg("period"):
        return _page(*_choice(arg("unit"), arg("period")))
    unit, period = _choice(arg("unit"), arg("period"))
    return send_download(build_template(db(), services().registry, actor(), unit.code, period))


@bp.post("/upload")
@writer_required
def upload() -> ResponseReturnValue:
    """Check an uploaded template without storing anything; show what it changes (or its errors) to confirm."""
    form = SheetUploadForm()
    valid = form.validate()
    try:
        unit, period = _choice(form.unit.data or "", "")
    except NotFound as exc:
        flash(f"{exc}.", "error")
        return _page(*_choice("", ""), status=404)
    period = form.period.data or period
    if not valid:
        return _page(unit, period, 400, [message for messages in form.errors.values() for message in messages])
    file = form.file.data
    data = file.read()
    try:
        check = check_sheet(db(), services().registry, services().settings, actor(), data, file.filename or "",
                            period, unit.code)
    except Invalid as exc:
        return _page(unit, period, exc.http_status, exc.messages)
    token = None
    if check.ok and check.changes:
        token = uploads.save(_pending_dir(), data, filename=check.filename, unit_code=unit.code, year=period.year,
                             replace=False, user_id=actor().id, sha256=check.sha256).token
    return render_template("value_sheets/preview.html", check=check, unit=unit, period=period,
                           period_label=period_text(period), token=token), 200 if check.ok else 422


@bp.post("/upload/<token>/confirm")
@writer_required
def confirm(token: str) -> ResponseReturnValue:
    """Check the kept file again and save all its changes in one transaction, or nothing (errors listed)."""
    folder = _pending_dir()
    pending, data = uploads.load(folder, token, actor().id)  # NotFound unless it is the user's own
    unit = find_unit(db(), pending.unit_code)
    form = SheetConfirmForm()
    if not form.validate() or form.period.data is None:
        return _page(unit, Period(pending.year, "Q", 4), 400,
                     [*form.period.errors] or ["Thiếu kỳ báo cáo của tệp cần xác nhận."])
    period = form.period.data
    try:
        check = import_sheet(services(), actor(), data, pending.filename, period, unit_code=unit.code)
    except (Invalid, Locked, Conflict) as exc:
        uploads.discard(folder, token)
        messages = exc.messages if isinstance(exc, Invalid) else [str(exc)]
        return _page(unit, period, exc.http_status, ["Chưa lưu số liệu nào; hãy sửa tệp rồi tải lên lại.", *messages])
    uploads.discard(folder, token)
    flash(f"Đã lưu {len(check.changes)} số liệu chỉ tiêu từ tệp '{check.filename}' cho {check.unit_name} và các đơn "
          f"vị trực thuộc, kỳ {period.short_label}.", "success")
    return redirect(url_for("value_sheets.index", unit=unit.code, period=period.key))


@bp.post("/upload/<token>/cancel")
@writer_required
def cancel(token: str) -> ResponseReturnValue:
    """Drop one of the user's own pending uploads without saving anything."""
    folder = _pending_dir()
    pending, _ = uploads.load(folder, token, actor().id)
    uploads.discard(folder, token)
    flash("Đã hủy tệp tải lên; không có số liệu nào được lưu.", "info")
    return redirect(url_for("value_sheets.index", unit=pending.unit_code))
