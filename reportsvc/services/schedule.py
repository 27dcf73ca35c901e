"""Scheduled report runs: which reports fall due on a day, and an APScheduler job that makes them.

A report falls due the day after its data window closes (Nghị định 09/2019: the 15th of the
period's last month by default). Each unit chooses the kinds it files in its settings
(``report_kinds``, default quý I, 6 tháng, quý III and năm, as the seeds' plans ask).
Runs are idempotent: a report that already has a version is not generated again.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Callable

from sqlalchemy import select

from reportsvc.db.models import GeneratedReport, Plan, Unit
from reportsvc.periods import Period, periods_of_year
from reportsvc.services.runtime import Services
from reportsvc.db.unitsettings import settings_of

DEFAULT_KINDS = ("Q1", "H1", "Q3", "Y")


@dataclass(frozen=True)
class DueRun:
    """One report the scheduler should make."""

    unit_code: str
    period: Period


def _suffix(period: Period) -> str:
    return period.key.split("-", 1)[1]


def due_on(day: date, units: list[Unit]) -> list[DueRun]:
    """Return the reports whose data window closed the day before ``day``, per unit settings."""
    runs = []
    for unit in units:
        settings = settings_of(unit)
        kinds = tuple((unit.settings or {}).get("report_kinds", DEFAULT_KINDS))
        for period in periods_of_year(day.year):
            closed = period.window(settings.cutoff)[1] + timedelta(days=1)
            if closed == day and _suffix(period) in kinds:
                runs.append(DueRun(unit.code, period))
    return runs


def run_due(services: Services, day: date,
            dispatch: Callable[[Services, DueRun], None] | None = None) -> list[DueRun]:
    """Generate every report due on ``day`` for units with a plan that year; return what was dispatched.

    ``dispatch`` does the work (default: generate in this process; a Celery task can be passed).
    """
    from reportsvc.services.generating import generate

    def local(services: Services, run: DueRun) -> None:
        generate(services, run.unit_code, run.period, ["docx", "pdf"], user="scheduler")

    with services.sessions() as session:
        planned = select(Plan.unit_id).where(Plan.year <= day.year, Plan.year_end >= day.year)
        units = list(session.scalars(select(Unit).where(Unit.id.in_(planned)).order_by(Unit.code)))
        runs = [run for run in due_on(day, units) if session.scalar(
            select(GeneratedReport.id).join(Unit).where(Unit.code == run.unit_code,
                                                        GeneratedReport.period_key == run.period.key)) is None]
    for run in runs:
        (dispatch or local)(services, run)
    return runs


def start(services: Services, hour: int = 6) -> None:  # pragma: no cover - blocks forever
    """Run the daily job with APScheduler's blocking scheduler (``reportsvc scheduler run``)."""
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger

    scheduler = BlockingScheduler(timezone="Asia/Ho_Chi_Minh")
    scheduler.add_job(lambda: run_due(services, date.today()), CronTrigger(hour=hour, minute=0),
                      id="reportsvc-due-reports", coalesce=True, max_instances=1, misfire_grace_time=6 * 3600)
    scheduler.start()
