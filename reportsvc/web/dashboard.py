"""The dashboard: progress of a unit's plan for a period, overdue tasks and who has not reported."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from reportsvc.services.overview import default_period, overview
from reportsvc.web.common import arg, db, pick_period, pick_unit, report_periods, services, unit_tree

bp = Blueprint("dashboard", __name__)


@bp.get("/")
def index() -> ResponseReturnValue:
    """Show the dashboard of a unit (?unit=CODE) for a period (?period=2024-Q3)."""
    session = db()
    unit = pick_unit(session, arg("unit"))
    period = pick_period(arg("period"), default_period(session, unit))
    data = overview(session, services().registry, unit, period)
    return render_template("dashboard.html", data=data, unit=unit, period=period, units=unit_tree(session),
                           periods=report_periods(period.year))
