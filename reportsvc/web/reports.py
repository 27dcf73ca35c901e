"""Reports: edit the narrative of a unit's report for a period, generate it, download it; the archive."""
from __future__ import annotations

import json

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from reportsvc.report import archive
from reportsvc.services.overview import default_period
from reportsvc.errors import UserError
from reportsvc.db.models import GeneratedReport
from reportsvc.render import FORMATS
from reportsvc.services import downloads
from reportsvc.services.generating import draft_sections, fingerprint, generate_report, placeholder_warnings, \
    save_drafts
from reportsvc.web.common import (actor, admin_required, arg, db, pick_period, pick_unit, report_periods,
                                  send_download, services, unit_tree)
from reportsvc.web.forms import ReportForm, SectionForm, section_keys

bp = Blueprint("reports", __name__, url_prefix="/reports")
FORMAT_LABELS = {"docx": "DOCX (Word)", "pdf": "PDF", "pdfa": "PDF/A (lưu trữ)"}


@bp.get("")
def index() -> ResponseReturnValue:
    """Pick a unit and period; admins edit the narrative sections and generate, everyone sees the versions."""
    session = db()
    unit = pick_unit(session, arg("unit"))
    period = pick_period(arg("period"), default_period(session, unit))
    versions = list(session.scalars(select(GeneratedReport).where(GeneratedReport.unit_id == unit.id,
                                                                  GeneratedReport.period_key == period.key)
                                    .options(selectinload(GeneratedReport.files))
                                    .order_by(GeneratedReport.version.desc())))
    sections = draft_sections(session, services(), unit.code, period) if actor().is_admin else []
    return render_template("reports/index.html", unit=unit, period=period, units=unit_tree(session),
                           periods=report_periods(period.year), sections=sections, versions=versions,
                           formats=FORMAT_LABELS)


@bp.post("/draft")
@admin_required
def draft() -> ResponseReturnValue:
    """Save the edited sections; with action=generate, then generate the report in the chosen formats."""
    session = db()
    form = ReportForm()
    form.validate()
    if form.period.errors:
        abort(400, description=form.period.errors[0])
    unit = pick_unit(session, form.unit.data)
    period = form.period.period_or(default_period(session, unit))
    back = url_for("reports.index", unit=unit.code, period=period.key)
    texts: dict[str, str] = {}
    for key in section_keys(request.form):
        section = SectionForm.of(request.form, key)
        if section.reset.data:
            texts[key] = ""
        elif fingerprint(section.text.data or "") != (section.orig.data or ""):
            texts[key] = section.text.data or ""
    try:
        changed = save_drafts(session, services(), actor(), unit.code, period, texts)
        session.commit()
    except UserError as exc:
        session.rollback()
        flash(f"Chưa lưu nội dung: {exc}", "error")
        return redirect(back)
    if changed:
        flash(f"Đã lưu {len(changed)} mục nội dung báo cáo.", "success")
    if not form.generating:
        if not changed:
            flash("Không có thay đổi nào để lưu.", "info")
        return redirect(back)
    if form.generate_errors():
        flash(form.generate_errors()[0], "error")
        return redirect(back)
    try:
        row = generate_report(services(), actor(), unit.code, period, [f for f in FORMATS if f in form.formats.data],
                              number=int(form.number.data) if form.number.data else None,
                              report_date=form.report_date.data, skip_broken=form.skip_broken.data)
    except UserError as exc:
        flash(f"Không tạo được báo cáo: {exc}", "error")
        return redirect(back)
    flash(f"Đã tạo báo cáo {period.label} của {unit.name}, phiên bản {row.version}.", "success")
    for warning in placeholder_warnings(row):
        flash(warning, "warning")
    return redirect(url_for("reports.detail", report_id=row.id))


@bp.get("/archive")
def archive_index() -> ResponseReturnValue:
    """List every generated version (newest first) with its files and their sha256 hashes."""
    session = db()
    unit_code = arg("unit")
    if unit_code:
        pick_unit(session, unit_code)
    rows = archive.listing(session, unit_code or None)
    return render_template("reports/archive.html", rows=rows, unit_code=unit_code, units=unit_tree(session))


@bp.get("/<int:report_id>")
def detail(report_id: int) -> ResponseReturnValue:
    """Show one generated version: its files, hashes, author and the warnings of its build."""
    row = archive.get(db(), report_id)
    warnings = json.loads(row.model_json).get("warnings", [])
    return render_template("reports/detail.html", report=row, warnings=warnings, formats=FORMAT_LABELS)


@bp.get("/<int:report_id>/files/<fmt>")
def download(report_id: int, fmt: str) -> ResponseReturnValue:
    """Download one file (docx, pdf or pdfa) of a generated version."""
    return send_download(downloads.report_file(db(), report_id, fmt, user=actor().username))
