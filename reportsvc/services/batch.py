"""Reports of many units at once: which units, which are already archived, and one job per unit on a process pool.

The job of one unit is :func:`make_report`, a plain importable function that both the in-process pool
here and a queue worker (a Celery task) call with picklable arguments. It is idempotent: a unit that
already has an archived report for the period is skipped unless ``again`` is set, and with ``again``
and ``made_after`` (the largest report id when the batch began) a job run a second time for the same
batch (a redelivered task) finds the version the first run made and skips too. It never raises: every
failure is an :class:`Outcome` with a one-line reason, so one unit that fails stops no other.

Which units: the current units under one unit (by default every top unit the actor sees), of the given
kinds (by default every unit below the top). "Current" means existing on the last day of the period's
data window, so a 2024 batch makes the reports of the communes that existed in 2024, and a 2025 one
those formed by the mergers of 1 July 2025.

The pool's workers are started with ``spawn``: each builds its own engine, sessions and plugin
registry once, in its initializer, and never shares a database connection with another process.
"""
from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any, Callable, Iterator, Sequence

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from reportsvc.config import Settings
from reportsvc.db.lookup import find_unit
from reportsvc.db.models import GeneratedReport, Unit, User
from reportsvc.db.tenancy import activate, deactivate, scope_of
from reportsvc.errors import Forbidden, NotFound, UserError
from reportsvc.periods import Period, parse_period
from reportsvc.report import archive
from reportsvc.report.build import report_period
from reportsvc.services.generating import generate
from reportsvc.services.permissions import Actor, scope_for
from reportsvc.services.runtime import Services, create_services
from reportsvc.vn.units import KINDS, kind_of

MADE, SKIPPED, FAILED = "made", "skipped", "failed"


@dataclass(frozen=True)
class Outcome:
    """What the job of one unit did: made a report version, skipped the unit (already archived), or failed."""

    unit_code: str
    state: str  # MADE, SKIPPED or FAILED
    reason: str = ""  # why it failed, one Vietnamese line
    report_id: int | None = None  # the version made, or the archived one that made the job skip
    version: int | None = None
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """Return the outcome as plain JSON-safe values (for a queue's result backend)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Outcome":
        """Return the outcome :meth:`as_dict` gave."""
        return cls(**data)


@dataclass(frozen=True)
class BatchUnit:
    """A unit a batch makes the report of."""

    code: str
    name: str
    kind: str


@dataclass(frozen=True)
class Selection:
    """The units of a batch: those to make, those skipped as already archived, and where the batch began."""

    period: Period
    todo: list[BatchUnit]
    archived: list[BatchUnit]  # skipped: a report of the period is archived (empty with ``again``)
    under: list[str]  # the codes of the units the batch looked under
    kinds: tuple[str, ...]  # the kinds asked for; () for every unit below the top
    made_after: int  # the largest report id when the units were chosen (see make_report)

    @property
    def total(self) -> int:
        """Return how many units the batch covers, made or skipped."""
        return len(self.todo) + len(self.archived)


def parse_kinds(text: str) -> tuple[str, ...]:
    """Return the unit kinds of a comma-separated list ("xa,phuong", "xã, phường"); UserError for an unknown one."""
    kinds: list[str] = []
    for item in (part.strip() for part in str(text).split(",")):
        if not item:
            continue
        kind = item.lower() if item.lower() in KINDS else kind_of(item)
        if kind is None:
            raise UserError(f"Loại đơn vị không hợp lệ: '{item}'. Chọn trong: {', '.join(KINDS)}.")
        if kind not in kinds:
            kinds.append(kind)
    if not kinds:
        raise UserError(f"Thiếu loại đơn vị. Chọn trong: {', '.join(KINDS)}.")
    return tuple(kinds)


def select_units(services: Services, period: Period, under: str | None = None, kinds: Sequence[str] = (),
                 again: bool = False) -> Selection:
    """Return the units of a batch for ``period`` under ``under`` (default: the top units the actor sees).

    Only units existing on the last day of the period's data window count. Without ``kinds`` every unit
    below the top units is taken; with ``kinds``, those of these kinds, the top unit included when it is
    of one of them. Units whose report of the period is archived are set apart unless ``again``. Raises
    NotFound for an unknown unit and Forbidden for a unit outside the active ``--user`` scope.
    """
    day = period.window()[1]
    with services.sessions() as session:
        scope = scope_of(session)
        rows = session.execute(select(Unit.id, Unit.code, Unit.name, Unit.kind, Unit.parent_id, Unit.valid_from,
                                      Unit.valid_to)).all()
        if under:
            top = find_unit(session, under)
            if scope is not None and top.id not in scope.unit_ids:
                raise Forbidden(f"Tài khoản '{scope.actor}' không tạo được báo cáo của {top.name} ({top.code}): "
                                f"đơn vị này ngoài phạm vi của tài khoản.")
            tops = [top.id]
        elif scope is not None:
            tops = [scope.unit_id] if scope.unit_id in {row.id for row in rows} else []
        else:
            tops = [row.id for row in sorted(rows, key=lambda r: r.code) if row.parent_id is None]
        # A unit that files 9 tháng instead of quý III archives its quý III report as 9 tháng (report_period).
        keys = {period.key, _nine_months_key(period)}
        archived = set(session.execute(select(GeneratedReport.unit_id, GeneratedReport.period_key).where(
            GeneratedReport.period_key.in_(keys), GeneratedReport.agency_id.is_(None)).distinct()))
        archived_units = session.scalars(select(Unit).where(Unit.id.in_({unit_id for unit_id, _ in archived})))
        archived_ids = {unit.id for unit in archived_units if (unit.id, report_period(unit, period).key) in archived}
        made_after = session.scalar(select(func.max(GeneratedReport.id))) or 0
    children: dict[int | None, list[Any]] = {}
    by_id = {row.id: row for row in rows}
    for row in sorted(rows, key=lambda r: r.code):
        children.setdefault(row.parent_id, []).append(row)
    chosen: list[Any] = []
    seen: set[int] = set()
    for top_id in tops:
        stack = [(by_id[top_id], 0)]
        while stack:
            row, depth = stack.pop()
            if row.id in seen:  # a unit under two tops, or a loop in damaged data, is taken once
                continue
            seen.add(row.id)
            exists = (row.valid_from is None or row.valid_from <= day) and (row.valid_to is None or day <= row.valid_to)
            if exists and (kinds and row.kind in kinds or not kinds and depth > 0):
                chosen.append(row)
            stack.extend((child, depth + 1) for child in reversed(children.get(row.id, [])))
    todo = [BatchUnit(r.code, r.name, r.kind) for r in chosen if again or r.id not in archived_ids]
    archived = [] if again else [BatchUnit(r.code, r.name, r.kind) for r in chosen if r.id in archived_ids]
    return Selection(period, todo, archived, [by_id[i].code for i in tops], tuple(kinds), made_after)


# ---------------------------------------------------------------- the job of one unit

_SERVICES: dict[Settings, Services] = {}


def services_for(settings: Settings) -> Services:
    """Return this process's Services for ``settings``, created on first use (one engine per process)."""
    services = _SERVICES.get(settings)
    if services is None:
        services = _SERVICES[settings] = create_services(settings)
    return services


def close_services() -> None:
    """Release the database connections of every Services :func:`services_for` created in this process."""
    while _SERVICES:
        _SERVICES.popitem()[1].engine.dispose()


def start_worker(settings: Settings) -> None:
    """Prepare a worker process: its own engine and sessions, and its plugin registry loaded once."""
    services_for(settings).registry  # noqa: B018 - builds the registry now, not in the first job


def make_report(target: Services | Settings, unit_code: str, period_key: str, formats: Sequence[str],
                again: bool = False, *, user: str = "", acting_as: str | None = None,
                made_after: int | None = None) -> Outcome:
    """Make and archive the report of one unit for one period, or skip it if it is already archived; never raises.

    ``target`` is the process's Services, or the Settings to create them from (once per process).
    ``formats`` as ``report generate`` takes them; ``user`` names who the audit entry credits;
    ``acting_as`` a username whose unit scope the job runs in (the ``--user`` option). Without
    ``again`` a unit with any archived report for the period is skipped; with ``again`` and
    ``made_after``, one with a report whose id is above ``made_after`` (made by this batch) is.
    """
    started = time.perf_counter()

    def outcome(state: str, reason: str = "", row: GeneratedReport | None = None) -> Outcome:
        return Outcome(unit_code, state, reason, row.id if row is not None else None,
                       row.version if row is not None else None, round(time.perf_counter() - started, 3))

    try:
        services = target if isinstance(target, Services) else services_for(target)
        period = parse_period(period_key)
        with _acting(services, acting_as):
            if not again or made_after is not None:
                with services.sessions() as session:
                    found = _archived(session, unit_code, period, made_after if again else None)
                if found is not None:
                    return outcome(SKIPPED, row=found)
            return outcome(MADE, row=generate(services, unit_code, period, list(formats), user=user or "batch"))
    except UserError as exc:
        return outcome(FAILED, _one_line(exc))
    except SQLAlchemyError as exc:
        detail = _one_line(getattr(exc, "orig", None) or exc)[:200]
        return outcome(FAILED, f"Lỗi cơ sở dữ liệu ({exc.__class__.__name__}): {detail}")
    except Exception as exc:  # noqa: BLE001 - one unit's failure is reported, never raised to the batch
        return outcome(FAILED, f"Lỗi không mong đợi ({exc.__class__.__name__}: {_one_line(exc)[:300]})")


def _nine_months_key(period: Period) -> str:
    """Return the other key a unit's report of ``period`` may be archived under (9 tháng for quý III)."""
    return Period(period.year, "M").key if period.kind == "Q" and period.quarter == 3 else period.key


def _archived(session: Session, unit_code: str, period: Period, above: int | None) -> GeneratedReport | None:
    """Return the unit's latest archived report of the period (with an id above ``above`` when given), or None."""
    unit = find_unit(session, unit_code)
    # quý III is archived as 9 tháng where the unit files 9 tháng
    return archive.latest(session, unit.id, report_period(unit, period).key, above)


@contextmanager
def _acting(services: Services, username: str | None) -> Iterator[None]:
    """Run the block in the unit scope of ``username`` (no scope without one), as the CLI's ``--user`` does."""
    if not username:
        yield
        return
    with services.sessions() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound(f"Không tìm thấy người dùng '{username}'.")
        if not user.active:
            raise Forbidden(f"Tài khoản '{user.username}' đã bị khóa.")
        scope = scope_for(session, Actor.of(user))
    token = activate(scope)
    try:
        yield
    finally:
        deactivate(token)


def _one_line(message: object) -> str:
    """Return ``message`` as one line: its lines joined with spaces."""
    return " ".join(part.strip() for part in str(message).splitlines() if part.strip())


# ---------------------------------------------------------------- the in-process batch

def run_batch(settings: Settings, selection: Selection, formats: Sequence[str], *, jobs: int, again: bool = False,
              user: str = "", acting_as: str | None = None,
              on_outcome: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Make the reports of ``selection.todo`` on ``jobs`` worker processes; return every unit's outcome.

    ``on_outcome`` is called in this process as each unit finishes, in the order they finish. A
    worker process that dies fails the units it had not finished, with the reason; the others go on
    only if the pool survives (a crashed pool fails what was left: run the batch again to resume).
    """
    outcomes: list[Outcome] = []
    if not selection.todo:
        return outcomes
    pool = ProcessPoolExecutor(max_workers=max(1, min(jobs, len(selection.todo))),
                               mp_context=multiprocessing.get_context("spawn"),
                               initializer=start_worker, initargs=(settings,))
    try:
        futures: dict[Future[Outcome], str] = {
            pool.submit(make_report, settings, unit.code, selection.period.key, list(formats), again, user=user,
                        acting_as=acting_as, made_after=selection.made_after): unit.code
            for unit in selection.todo}
        for future in as_completed(futures):
            try:
                outcome = future.result()
            except BrokenProcessPool as exc:
                outcome = Outcome(futures[future], FAILED, "Tiến trình tạo báo cáo dừng đột ngột "
                                                           f"({_one_line(exc) or exc.__class__.__name__}).")
            except Exception as exc:  # noqa: BLE001 - e.g. a result that could not be sent back
                outcome = Outcome(futures[future], FAILED, f"Lỗi không mong đợi ({exc.__class__.__name__}: "
                                                           f"{_one_line(exc)[:300]})")
            outcomes.append(outcome)
            if on_outcome is not None:
                on_outcome(outcome)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return outcomes


def unit_names(selection: Selection) -> dict[str, str]:
    """Return the name of every unit of the selection by code."""
    return {unit.code: unit.name for unit in [*selection.todo, *selection.archived]}


def kind_words(kinds: Sequence[str]) -> str:
    """Return kinds as Vietnamese words for messages: ("xa", "phuong") -> "xã, phường"."""
    return ", ".join(KINDS[kind].label if kind in KINDS else kind for kind in kinds)


__all__ = ["FAILED", "MADE", "SKIPPED", "BatchUnit", "Outcome", "Selection", "close_services", "kind_words",
           "make_report",
           "parse_kinds", "run_batch", "select_units", "services_for", "start_worker", "unit_names"]
