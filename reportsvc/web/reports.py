"""Reports: edit the narrative of a unit's report for a period, generate it, download it; the archive."""
from __future__ import annotations

import io
import json

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from reportsvc.report import archive
from reportsvc.services.overview import default_period
from reportsvc.errors import UserError
from reportsvc.services.generating import FORMATS
from reportsvc.db.models import GeneratedReport, ReportFile
from reportsvc.services.recording import parse_day
from reportsvc.services.reporting import draft_sections, fingerprint, generate_report, save_drafts
from reportsvc.web.common import (actor, admin_required, arg, db, pick_period, pick_unit, report_periods, services,
                                  unit_tree)

bp = Blueprint("reports", __name__, url_prefix="/reports")
MIMETYPES = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             "pdf": "application/pdf", "pdfa": "application/pdf"}
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
    unit = pick_unit(session, request.form.get("unit"))
    period = pick_period(request.form.get("period"), default_period(session, unit))
    back = url_for("reports.index", unit=unit.code, period=period.key)
    texts: dict[str, str] = {}
    for key in request.form:
        if not key.startswith("text-"):
            continue
        section = key[len("text-"):]
        text = request.form.get(key, "")
        if request.form.get(f"reset-{section}") == "1":
            texts[section] = ""
        elif fingerprint(text) != request.form.get(f"orig-{section}", ""):
            texts[section] = text
    try:
        changed = save_drafts(session, services(), actor(), unit.code, period, texts)
        session.commit()
    except UserError as exc:
        session.rollback()
        flash(f"Chưa lưu nội dung: {exc}", "error")
        return redirect(back)
    if changed:
        flash(f"Đã lưu {len(changed)} mục nội dung báo cáo.", "success")
    if request.form.get("action") != "generate":
        if not changed:
            flash("Không có thay đổi nào để lưu.", "info")
        return redirect(back)
    formats = [f for f in FORMATS if request.form.get(f"format-{f}") == "1"]
    if not formats:
        flash("Hãy chọn ít nhất một định dạng tệp (DOCX hoặc PDF).", "error")
        return redirect(back)
    number_text = request.form.get("number", "").strip()
    try:
        report_date = parse_day(request.form.get("report_date"))
    except ValueError:
        flash(f"Ngày báo cáo không hợp lệ: '{request.form.get('report_date')}'.", "error")
        return redirect(back)
    if number_text and (not number_text.isdigit() or not 0 < int(number_text) < 100000):
        flash(f"Số văn bản không hợp lệ: '{number_text}' (một số nguyên dương).", "error")
        return redirect(back)
    try:
        row = generate_report(services(), actor(), unit.code, period, formats,
                              number=int(number_text) if number_text else None, report_date=report_date,
                              skip_broken=request.form.get("skip_broken") == "1")
    except UserError as exc:
        flash(f"Không tạo được báo cáo: {exc}", "error")
        return redirect(back)
    flash(f"Đã tạo báo cáo {period.label} của {unit.name}, phiên bản {row.version}.", "success")
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
    file = db().scalar(select(ReportFile).where(ReportFile.report_id == report_id, ReportFile.format == fmt))
    if file is None:
        abort(404, description=f"Báo cáo số {report_id} không có tệp định dạng '{fmt}'.")
    return send_file(io.BytesIO(file.content), mimetype=MIMETYPES.get(fmt, "application/octet-stream"),
                     as_attachment=True, download_name=file.filename)
