"""Indicator entry: a unit's year-to-date values for a period, each checked against the indicator's type and bounds.

A value is stored once per data window (``Period.record_key``): quý II and 6 tháng, quý III and 9 tháng,
quý IV and năm read and write one record, and the page says which periods it serves.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from reportsvc.vn import format as fmt
from reportsvc.collect.context import find_plan
from reportsvc.services.overview import default_period
from reportsvc.db.models import IndicatorValue, Unit
from reportsvc.periods import Period
from reportsvc.errors import Conflict, Forbidden, Invalid
from reportsvc.services.permissions import editable_indicators
from reportsvc.services.recording import record_indicator_value
from reportsvc.areas.declarations import IndicatorSpec
from reportsvc.hooks.validation import bounds
from reportsvc.web.common import (actor, arg, db, entry_periods, input_number, pick_period, pick_unit, services,
                                  shared_record_text, unit_tree, year_to_date_text)
from reportsvc.web.forms import IndicatorPageForm, IndicatorRowForm

bp = Blueprint("indicators", __name__, url_prefix="/indicators")
TYPE_LABELS = {"percent": "Tỷ lệ (%)", "count": "Số nguyên", "number": "Số"}


@dataclass
class Row:
    """One indicator line of the entry table."""

    spec: IndicatorSpec
    target: float | None
    stored: IndicatorValue | None
    previous: float | None
    editable: bool
    value: str = ""
    note: str = ""
    version: int = 0
    orig_value: str = ""
    orig_note: str = ""
    errors: list[str] = field(default_factory=list)
    conflict: str = ""

    @property
    def hint(self) -> str:
        """Return what the field accepts, e.g. "Tỷ lệ (%), 0–100"."""
        low, high = bounds(self.spec)
        text = TYPE_LABELS.get(self.spec.value_type, self.spec.value_type)
        if low is not None and high is not None:
            return f"{text}, {fmt.number(low, 4)}–{fmt.number(high, 4)}"
        if low is not None:
            return f"{text}, ≥ {fmt.number(low, 4)}"
        if high is not None:
            return f"{text}, ≤ {fmt.number(high, 4)}"
        return text


def _previous(period: Period) -> Period | None:
    """Return the quarter before the one whose record ``period`` shares (None for quý I)."""
    quarter = period.record.quarter
    return Period(period.year, "Q", quarter - 1) if quarter > 1 else None


def _rows(unit: Unit, period: Period) -> list[Row]:
    """Return the entry rows of every declared indicator for the unit and the record of the period's window."""
    session, registry = db(), services().registry
    plan = find_plan(session, unit, period.year)
    targets = {t.code: t.target for t in plan.targets} if plan else {}
    previous_period = _previous(period)
    stored = {v.code: v for v in session.scalars(select(IndicatorValue).where(
        IndicatorValue.unit_id == unit.id, IndicatorValue.period_key == period.record_key))}
    previous = {}
    if previous_period is not None:
        previous = dict(session.execute(select(IndicatorValue.code, IndicatorValue.value).where(
            IndicatorValue.unit_id == unit.id, IndicatorValue.period_key == previous_period.record_key)).all())
    allowed = editable_indicators(session, registry, actor(), unit, period.year)
    rows = []
    for area in registry.areas:
        for spec in registry.indicators_of(area.code):
            row = stored.get(spec.code)
            target = targets.get(spec.code)
            rows.append(Row(spec, target if target is not None else spec.default_target, row, previous.get(spec.code),
                            spec.code in allowed, value=input_number(row.value) if row else "",
                            note=row.note if row else "", version=row.version if row else 0,
                            orig_value=input_number(row.value) if row else "", orig_note=row.note if row else ""))
    return rows


def _years(unit: Unit, period: Period) -> range:
    """Return the years the period picker offers: those of the unit's plan covering the period, else its year."""
    plan = find_plan(db(), unit, period.year)
    return range(plan.year, plan.year_end + 1) if plan is not None else range(period.year, period.year + 1)


def _render(unit: Unit, period: Period, rows: list[Row], status: int = 200) -> ResponseReturnValue:
    registry = services().registry
    areas = [(area, [r for r in rows if r.spec.area == area.code]) for area in registry.areas]
    return render_template("indicators/index.html", unit=unit, period=period, areas=[a for a in areas if a[1]],
                           units=unit_tree(db()), periods=entry_periods(unit, _years(unit, period), period),
                           previous=_previous(period), shared=shared_record_text(period),
                           year_to_date=year_to_date_text(unit, period),
                           any_editable=any(r.editable for r in rows)), status


@bp.get("")
def index() -> ResponseReturnValue:
    """Show a unit's indicator values for a period, with inputs for those the user may enter."""
    session = db()
    unit = pick_unit(session, arg("unit"))
    period = pick_period(arg("period"), default_period(session, unit))
    return _render(unit, period, _rows(unit, period))


@bp.post("")
def save() -> ResponseReturnValue:
    """Save the changed values of the form in one transaction; nothing is saved if any value is refused."""
    session = db()
    registry = services().registry
    page = IndicatorPageForm()
    page.validate()
    if page.period.errors:
        abort(400, description=page.period.errors[0])
    unit = pick_unit(session, page.unit.data)
    period = page.period.period_or(default_period(session, unit))
    rows = _rows(unit, period)
    changed = 0
    failed = False
    conflicts = False
    for row in rows:
        code = row.spec.code
        entry = IndicatorRowForm.of(request.form, code)
        if not entry.sent or not entry.changed:
            continue
        if not row.editable:
            raise Forbidden(f"Bạn không được nhập số liệu chỉ tiêu “{row.spec.name}” của {unit.name}.")
        row.value, row.note = entry.value.data or "", entry.note.data or ""
        try:
            if not entry.validate():
                raise Invalid(entry.version.errors)
            row.version = entry.version.data
            record_indicator_value(session, registry, actor(), unit, code, period.key, row.value, row.note,
                                   entry.version.data)
            changed += 1
        except Invalid as exc:
            row.errors, failed = exc.messages, True
        except Conflict as exc:
            row.conflict, failed, conflicts = str(exc), True, True
            row.version = (exc.current or {}).get("version", 0)
    if failed:
        session.rollback()
        fresh = {r.spec.code: r for r in _rows(unit, period)}
        for row in rows:  # the form now compares against what is stored, so a second save is deliberate
            current = fresh[row.spec.code]
            row.stored, row.orig_value, row.orig_note = current.stored, current.orig_value, current.orig_note
        flash("Chưa lưu số liệu nào: hãy sửa các dòng được đánh dấu rồi lưu lại.", "error")
        return _render(unit, period, rows, status=409 if conflicts else 422)
    session.commit()
    if changed:
        flash(f"Đã lưu {changed} số liệu chỉ tiêu của {unit.name}, {period.short_label}.", "success")
    else:
        flash("Không có thay đổi nào để lưu.", "info")
    return redirect(url_for("indicators.index", unit=unit.code, period=period.key))

