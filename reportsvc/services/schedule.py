"""Scheduled report runs: which reports fall due on a day, and an APScheduler job that makes them.

A report falls due the day after its data window closes (Nghị định 09/2019: the 15th of the
period's last month by default). Each unit chooses the kinds it files in its settings
(``reports``, default quý I, 6 tháng, quý III and năm, as the seeds' plans ask).
Runs are idempotent: a report that already has a version is not generated again. With a broker
configured (REPORTSVC_BROKER_URL) the due reports are queued for the Celery workers
(reportsvc.services.queue) instead of made in the scheduler's process.
A second daily job sends the e-mail reminders of data deadlines (reportsvc.services.reminders).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Callable

from sqlalchemy import select

from reportsvc.db.models import Plan, Unit
from reportsvc.periods import Period, periods_of_year
from reportsvc.report import archive
from reportsvc.services.runtime import Services
from reportsvc.db.unitsettings import settings_of

if TYPE_CHECKING:
    from apscheduler.schedulers.base import BaseScheduler

log = logging.getLogger(__name__)


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
        kinds = settings.reports
        for period in periods_of_year(day.year):
            closed = period.window(settings.cutoff)[1] + timedelta(days=1)
            if closed == day and _suffix(period) in kinds:
                runs.append(DueRun(unit.code, period))
    return runs


DUE_FORMATS = ("docx", "pdf")
SCHEDULER_USER = "scheduler"
Dispatch = Callable[[Services, DueRun], None]


def _generate_here(services: Services, run: DueRun) -> None:
    """Make a due report in this process."""
    from reportsvc.services.generating import generate

    generate(services, run.unit_code, run.period, list(DUE_FORMATS), user=SCHEDULER_USER)


def default_dispatch(services: Services) -> Dispatch:
    """Return how due runs are made: queued for the Celery workers when REPORTSVC_BROKER_URL is set, else here.

    With a broker, Redis is checked now (QueueError when it cannot be reached).
    """
    if not services.settings.broker_url:
        return _generate_here
    from reportsvc.services.queue import dispatcher

    return dispatcher(services.settings, DUE_FORMATS, SCHEDULER_USER)


def run_due(services: Services, day: date, dispatch: Dispatch | None = None) -> list[DueRun]:
    """Make every report due on ``day`` for units with a plan that year; return what was dispatched.

    ``dispatch`` does the work (default: default_dispatch, i.e. the queue's workers when a broker
    is configured, else this process; tests pass their own).
    """
    with services.sessions() as session:
        planned = select(Plan.unit_id).where(Plan.year <= day.year, Plan.year_end >= day.year)
        units = list(session.scalars(select(Unit).where(Unit.id.in_(planned)).order_by(Unit.code)))
        ids = {unit.code: unit.id for unit in units}
        runs = [run for run in due_on(day, units) if archive.latest(session, ids[run.unit_code], run.period.key) is None]
    if not runs:
        return runs
    run_one = dispatch or default_dispatch(services)
    for run in runs:
        run_one(services, run)
    return runs


REPORTS_JOB = "reportsvc-due-reports"
REMINDERS_JOB = "reportsvc-reminders"
TIMEZONE = "Asia/Ho_Chi_Minh"


def send_due_reminders(services: Services) -> int:
    """The daily reminders job: send the e-mail reminders due today in Vietnam; return how many were sent."""
    from reportsvc.services.reminders import send_reminders, vietnam_today

    run = send_reminders(services, vietnam_today())
    for reminder, reason in run.failed:
        log.warning("Không gửi được thư nhắc cho %s: %s", reminder.username, reason)
    return len(run.sent)


def add_jobs(scheduler: BaseScheduler, services: Services, hour: int = 6) -> list[str]:
    """Add the daily jobs at ``hour`` (Vietnam time) to ``scheduler``; return their ids.

    The reports due that day are generated, or handed to the queue's workers when a broker is
    configured (REPORTSVC_BROKER_URL); the e-mail reminders due that day are sent when a mail
    server is configured (REPORTSVC_SMTP_URL), else that job is left out.
    """
    from apscheduler.triggers.cron import CronTrigger

    daily = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 6 * 3600, "replace_existing": True}
    dispatch = default_dispatch(services)  # an unreachable broker is refused now, not every morning
    scheduler.add_job(lambda: run_due(services, date.today(), dispatch),
                      CronTrigger(hour=hour, minute=0, timezone=TIMEZONE), id=REPORTS_JOB,
                      name="Tạo báo cáo đến hạn", **daily)
    if services.settings.smtp is None:
        return [REPORTS_JOB]
    from reportsvc.services.mail import configured

    configured(services.settings)  # a server without a sender address: refused now, not every morning
    scheduler.add_job(send_due_reminders, CronTrigger(hour=hour, minute=0, timezone=TIMEZONE), args=[services],
                      id=REMINDERS_JOB, name="Gửi thư nhắc hạn nộp số liệu", **daily)
    return [REPORTS_JOB, REMINDERS_JOB]


def start(services: Services, hour: int = 6) -> None:  # pragma: no cover - blocks forever
    """Run the daily jobs with APScheduler's blocking scheduler (``reportsvc scheduler run``)."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    scheduler = BlockingScheduler(timezone=TIMEZONE)
    add_jobs(scheduler, services, hour)
    scheduler.start()
