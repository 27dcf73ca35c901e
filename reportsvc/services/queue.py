"""Reports made by Celery workers over Redis (REPORTSVC_BROKER_URL): the app, one task per unit, waiting for a batch.

- ``make_app`` configures Celery from the settings; Redis is both the broker and the result
  backend. A worker process reserves only the task it runs (prefetch 1) and acknowledges it once
  the report is archived (late acknowledgement). A task whose worker dies is handed out again:
  at once when one of a worker's processes is killed (``task_reject_on_worker_lost``), or by
  Redis after the visibility timeout when the whole worker is gone. That timeout is twice
  REPORTSVC_TASK_SECONDS and no task may run longer than REPORTSVC_TASK_SECONDS (it is stopped
  and counted as failed), so a task is never handed out again while a worker still runs it.
- The task is the batch's job of one unit, reportsvc.services.batch.make_report, which is
  idempotent: a unit already archived for the period is skipped, and with ``again`` one whose
  report is newer than the batch's start (``made_after``). A task handed out again after its
  report was archived (its worker died before acknowledging it) makes no second version.
- ``run_queued`` hands one task per unit of a batch's selection to the queue and follows their
  results until every unit is done; the scheduler's ``dispatcher`` queues its due runs.

Each worker process opens its own database connections on its first task (after the fork): a
pool of one connection (and one more at a busy moment), since it makes one report at a time.
"""
from __future__ import annotations

import os
import ssl
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Protocol, Sequence

from celery import Celery
from celery.exceptions import TimeoutError as CeleryTimeout
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import RedisError

from reportsvc.config import Settings, shown_broker_url
from reportsvc.errors import UserError
from reportsvc.periods import Period
from reportsvc.services.batch import FAILED, Outcome, Selection, make_report
from reportsvc.services.runtime import Services, create_services

TASK_NAME = "reportsvc.make_report"
QUEUE = "reportsvc"
POLL_SECONDS = 0.5
RESULT_DAYS = 7
CONNECT_SECONDS = 5.0
_UNREACHABLE = (KombuOperationalError, RedisError, OSError)


class QueueError(UserError):
    """The queue cannot be used: no broker configured, Redis unreachable, or a wait that ran out (exit 2, 503)."""

    http_status = 503
    title = "Hàng đợi không dùng được"


class DueRunLike(Protocol):
    """A report the scheduler found due (reportsvc.services.schedule.DueRun)."""

    unit_code: str
    period: Period


def _reason(exc: BaseException) -> str:
    """Return an exception's message on one line (its class name when it has none)."""
    return " ".join(str(exc).split()) or exc.__class__.__name__


# ---------------------------------------------------------------- the Celery app

class QueueApp(Celery):
    """The Celery app of one set of settings; each worker process builds its services once, after the fork."""

    def __init__(self, settings: Settings) -> None:
        super().__init__("reportsvc", broker=settings.broker_url, backend=settings.broker_url, set_as_current=False)
        self.settings = settings
        self._process: tuple[int, Services] | None = None

    @property
    def shown_url(self) -> str:
        """Return the broker URL for messages, its password hidden."""
        return shown_broker_url(self.settings.broker_url)

    def process_services(self) -> Services:
        """Return this process's services, created on its first task: a pool of 1 (+1) database connections."""
        if self._process is None or self._process[0] != os.getpid():
            self._process = (os.getpid(), create_services(self.settings, pool_size=1, max_overflow=1))
        return self._process[1]


def make_app(settings: Settings) -> QueueApp:
    """Return the Celery app configured from ``settings``; QueueError when REPORTSVC_BROKER_URL is not set."""
    if not settings.broker_url:
        raise QueueError("Chưa cấu hình hàng đợi: đặt REPORTSVC_BROKER_URL=redis://máy-chủ:6379/0.")
    app = QueueApp(settings)
    limit = settings.task_seconds
    visibility = int(2 * limit) + 1
    app.conf.update(
        task_default_queue=QUEUE,
        task_serializer="json", result_serializer="json", accept_content=["json"],
        task_acks_late=True,                 # acknowledged once the report is archived
        task_reject_on_worker_lost=True,     # a killed worker process: the task goes back to the queue
        task_acks_on_failure_or_timeout=True,
        worker_prefetch_multiplier=1,        # a process reserves only the task it runs
        task_time_limit=limit,               # at most half the visibility timeout
        broker_transport_options={
            "visibility_timeout": visibility,  # a dead worker's task goes to another worker after this
            "unacked_restore_interval": max(1, min(30, visibility // 4)),  # how often workers look for one
            "unacked_restore_throttle": 1,
            "socket_connect_timeout": CONNECT_SECONDS,
        },
        redis_socket_connect_timeout=CONNECT_SECONDS,
        result_expires=RESULT_DAYS * 86_400,
        broker_connection_retry_on_startup=True,
        enable_utc=True,
    )
    if settings.broker_url.lower().startswith("rediss://"):  # TLS: the server's certificate is checked
        app.conf.update(broker_use_ssl={"ssl_cert_reqs": ssl.CERT_REQUIRED},
                        redis_backend_use_ssl={"ssl_cert_reqs": ssl.CERT_REQUIRED})
    app.task(name=TASK_NAME, bind=True)(_run_task)
    return app


def _run_task(task: Any, unit: str, period: str, formats: list[str], again: bool = False, user: str = "",
              acting_as: str | None = None, made_after: int | None = None) -> dict[str, Any]:
    """The Celery task: the batch's job of one unit (never raises), its outcome returned as JSON."""
    app: QueueApp = task.app
    return make_report(app.process_services(), unit, period, formats, again, user=user, acting_as=acting_as,
                       made_after=made_after).as_dict()


def check_broker(app: QueueApp) -> None:
    """Raise QueueError, naming the URL (password hidden), when Redis cannot be reached."""
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, interval_start=0, timeout=CONNECT_SECONDS)
        app.backend.client.ping()
    except _UNREACHABLE as exc:
        raise QueueError(f"Không kết nối được hàng đợi Redis tại {app.shown_url}: {_reason(exc)}") from None


# ---------------------------------------------------------------- enqueuing and waiting

@dataclass(frozen=True)
class Enqueued:
    """Tasks handed to the queue: each unit's task id, in the order given."""

    tasks: dict[str, str]  # unit code -> task id


def enqueue(app: QueueApp, period: Period, unit_codes: Iterable[str], formats: Sequence[str], *, again: bool = False,
            user: str = "", acting_as: str | None = None, made_after: int | None = None) -> Enqueued:
    """Hand one task per unit to the queue (Redis checked first); return their ids.

    The arguments are make_report's: ``made_after`` is the newest report id when the batch
    began, so that with ``again`` a unit is not made twice when its task is handed out twice.
    """
    check_broker(app)
    task = app.tasks[TASK_NAME]
    tasks: dict[str, str] = {}
    try:
        with app.producer_or_acquire() as producer:
            for code in unit_codes:
                if code not in tasks:
                    tasks[code] = task.apply_async(kwargs={
                        "unit": code, "period": period.key, "formats": list(formats), "again": again, "user": user,
                        "acting_as": acting_as, "made_after": made_after}, producer=producer).id
    except _UNREACHABLE as exc:
        raise QueueError(f"Không kết nối được hàng đợi Redis tại {app.shown_url}: {_reason(exc)} "
                         f"(đã gửi {len(tasks)} tác vụ)") from None
    return Enqueued(tasks)


def _outcome(unit: str, meta: dict[str, Any]) -> Outcome:
    """Return the outcome a finished task's result metadata tells."""
    result = meta.get("result")
    if meta.get("status") == "SUCCESS" and isinstance(result, dict):
        return Outcome.from_dict({**result, "unit_code": unit})
    if isinstance(result, BaseException):
        name, message = result.__class__.__name__, _reason(result)
    elif isinstance(result, dict) and "exc_type" in result:
        name, message = str(result["exc_type"]), str(result.get("exc_message"))
    else:
        return Outcome(unit, FAILED, f"Tác vụ kết thúc ở trạng thái {meta.get('status')}.")
    if name == "TimeLimitExceeded":
        return Outcome(unit, FAILED, "Quá thời gian cho phép (REPORTSVC_TASK_SECONDS); worker đã dừng tác vụ.")
    return Outcome(unit, FAILED, f"Lỗi trong worker ({name}: {message})")


def wait(app: QueueApp, enqueued: Enqueued, on_outcome: Callable[[Outcome], None] | None = None,
         timeout: float | None = None) -> list[Outcome]:
    """Wait until every task has finished; return the outcomes in the order the units were given.

    ``on_outcome`` is called as each unit finishes. With ``timeout`` (seconds) tasks still
    unfinished then raise QueueError; they go on in the workers.
    """
    units = {task_id: unit for unit, task_id in enqueued.tasks.items()}
    outcomes: dict[str, Outcome] = {}
    try:
        for task_id, meta in app.backend.get_many(set(units), timeout=timeout, interval=POLL_SECONDS):
            outcome = outcomes[units[task_id]] = _outcome(units[task_id], meta)
            if on_outcome is not None:
                on_outcome(outcome)
    except CeleryTimeout:
        raise QueueError(f"Sau {timeout:g} giây mới xong {len(outcomes)}/{len(units)} đơn vị; các tác vụ còn lại "
                         f"vẫn nằm trong hàng đợi.") from None
    except _UNREACHABLE as exc:
        raise QueueError(f"Mất kết nối tới hàng đợi Redis tại {app.shown_url}: {_reason(exc)}") from None
    return [outcomes[unit] for unit in enqueued.tasks]


def workers_online(app: QueueApp, seconds: float = 1.0) -> int:
    """Return how many workers answer a ping within ``seconds`` (0: the tasks wait for a worker to start)."""
    try:
        return len(app.control.ping(timeout=seconds) or [])
    except _UNREACHABLE:
        return 0


def run_queued(settings: Settings, selection: Selection, formats: Sequence[str], *, again: bool = False,
               user: str = "", acting_as: str | None = None, on_queued: Callable[[int], None] | None = None,
               on_outcome: Callable[[Outcome], None] | None = None, timeout: float | None = None) -> list[Outcome]:
    """Make the reports of ``selection.todo`` on the queue's workers; return every unit's outcome.

    The counterpart of reportsvc.services.batch.run_batch: one task per unit, then
    ``on_queued(workers answering)`` once they are all queued, and ``on_outcome`` as each unit
    finishes, in the order they finish.
    """
    if not selection.todo:
        return []
    app = make_app(settings)
    enqueued = enqueue(app, selection.period, [unit.code for unit in selection.todo], formats, again=again,
                       user=user, acting_as=acting_as, made_after=selection.made_after)
    if on_queued is not None:
        on_queued(workers_online(app))
    return wait(app, enqueued, on_outcome, timeout)


def dispatcher(settings: Settings, formats: Sequence[str], user: str) -> Callable[[Services, DueRunLike], None]:
    """Return a dispatch for reportsvc.services.schedule.run_due that queues each due run as a task.

    Redis is checked at once, so a scheduler with an unreachable broker stops at start-up. The
    task skips a unit already archived for the period, so a run queued twice is made once.
    """
    app = make_app(settings)
    check_broker(app)

    def dispatch(_services: Services, run: DueRunLike) -> None:
        """Queue the due run."""
        enqueue(app, run.period, [run.unit_code], formats, user=user)

    return dispatch


# ---------------------------------------------------------------- the worker

def run_worker(app: QueueApp, concurrency: int, loglevel: str = "INFO") -> int:
    """Run a Celery worker of ``concurrency`` processes on the reports queue until it is stopped; return its exit code.

    SIGTERM (systemd's stop) lets the running tasks finish; tasks not acknowledged go back to the queue.
    """
    from celery.signals import worker_process_init
    from celery.utils.nodenames import default_nodename, host_format

    # Each process connects and loads the plugins when it starts, not during its first report.
    worker_process_init.connect(lambda **_: app.process_services().registry, weak=False)
    name = host_format(default_nodename(f"reportsvc-{os.getpid()}@%h"))  # several workers on one machine
    worker = app.Worker(hostname=name, concurrency=concurrency, loglevel=loglevel, queues=[QUEUE],
                        pool_cls="prefork", without_gossip=True, without_mingle=True, optimization="fair")
    worker.start()
    return int(worker.exitcode or 0)
