"""Issue 16 (1), flat queries: the SQL statements of a report do not grow with the number of units, tasks or
indicators (at most 1.25 times as many for 5 times the communes, 3 times the tasks, or 30 more indicators),
and the figures computed from the values read at once are those of the units below.

Statements are counted with SQLAlchemy's ``before_cursor_execute`` event, as benchmarks/bench_scale.py does,
on the two-tier demo province of ``reportsvc demo --communes N`` (reportsvc.demo.scale).
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, func, select

from reportsvc.collect.completeness import completeness
from reportsvc.collect.context import CollectContext
from reportsvc.collect.rollup import indicator_value, own_value
from reportsvc.config import load_settings
from reportsvc.db.models import IndicatorValue, Plan, StatusUpdate, Task, TaskAgency, Unit
from reportsvc.demo.scale import PROVINCE, YEAR, commune_code, load_scale_demo
from reportsvc.periods import Period, periods_of_year
from reportsvc.plugin import IndicatorSpec, hookimpl
from reportsvc.report.build import build_report
from reportsvc.report.model import Report
from reportsvc.services.runtime import Services, create_services

PERIOD = Period(YEAR, "Y")
GROWTH = 1.25  # the target: at most 1.25 times the statements for many times the units, tasks or indicators
EXTRA = [f"QC_EXTRA_{number:02d}" for number in range(1, 31)]


class ManyIndicators:
    """A plugin declaring 30 more indicators of area III, summed over the communes."""

    @hookimpl
    def reportsvc_indicators(self) -> list[IndicatorSpec]:
        """Declare the extra indicators."""
        return [IndicatorSpec(code=code, name=f"Chỉ tiêu thêm {code}", unit="hồ sơ", area="III",
                              value_type="count", rollup="sum") for code in EXTRA]


@contextmanager
def counting(services: Services) -> Iterator[list[int]]:
    """Count the statements sent to the database inside the block (the count is the list's one item)."""
    seen = [0]

    def count(*_args: Any) -> None:
        seen[0] += 1

    event.listen(services.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(services.engine, "before_cursor_execute", count)


def statements(services: Services, unit_code: str = PROVINCE["code"]) -> tuple[int, Report]:
    """Return the statements building the unit's annual report takes, and the report."""
    registry = services.registry  # its plugin settings are read before counting
    with services.sessions() as session, counting(services) as seen:
        report = build_report(session, registry, unit_code, PERIOD)
    return seen[0], report


def grow(services: Services, communes: int) -> None:
    """Load the demo province with (at least) ``communes`` communes."""
    with services.transaction() as session:
        load_scale_demo(session, services.registry, communes)


def within(large: int, small: int) -> bool:
    """Return True when ``large`` is at most GROWTH times ``small``."""
    return large <= small * GROWTH


@pytest.fixture
def province(services: Services) -> Services:
    """Services on the demo province with 5 communes, a report built once (plugins and templates warm)."""
    grow(services, 5)
    statements(services)
    return services


def test_five_times_the_communes_send_no_more_statements(province: Services) -> None:
    small, _ = statements(province)
    small_commune, _ = statements(province, commune_code(1))
    grow(province, 25)
    large, report = statements(province)
    large_commune, _ = statements(province, commune_code(1))
    assert within(large, small), f"province: {small} statements with 5 communes, {large} with 25"
    assert within(large_commune, small_commune), f"commune: {small_commune} with 5 communes, {large_commune} with 25"
    units = [row for row in report.completeness if row.kind == "unit"]
    assert len(units) == 25


def test_three_times_the_tasks_send_no_more_statements(province: Services) -> None:
    before, _ = statements(province)
    with province.transaction() as session:
        for task in list(session.scalars(select(Task).order_by(Task.id))):
            leads = [link.agency_id for link in task.agencies if link.role == "lead"]
            for copy in (1, 2):
                twin = Task(plan_id=task.plan_id, area_id=task.area_id, position=task.position + 1000 * copy,
                            number=f"{task.number}.{copy}", title=f"{task.title} (lần {copy})",
                            lead_text=task.lead_text, deadline_raw=task.deadline_raw, deadline_kind=task.deadline_kind,
                            deadline_start=task.deadline_start, deadline_end=task.deadline_end,
                            lead_group=task.lead_group)
                twin.agencies = [TaskAgency(agency_id=agency_id, role="lead") for agency_id in leads]
                twin.updates = [StatusUpdate(period_key=f"{YEAR}-Q2", status="in_progress", agency_id=leads[0]
                                             if leads else None, updated_by="test")]
                session.add(twin)
    after, report = statements(province)
    assert within(after, before), f"{before} statements, {after} with three times the tasks"
    with province.sessions() as session:
        tasks = session.scalar(select(func.count(Task.id)).join(Plan).join(Unit).where(Unit.code == PROVINCE["code"]))
    assert sum(len(area.tasks) for area in report.areas) == tasks


def test_thirty_more_indicators_send_no_more_statements_and_sum_the_communes(province: Services) -> None:
    grow(province, 12)
    before, _ = statements(province)
    with province.transaction() as session:
        top = select(Unit.id).where(Unit.code == PROVINCE["code"]).scalar_subquery()
        communes = list(session.scalars(select(Unit).where(Unit.parent_id == top).order_by(Unit.code)))
        for number, code in enumerate(EXTRA, 1):
            session.add_all([IndicatorValue(code=code, unit_id=unit.id, period_key=f"{YEAR}-Q4", value=number + index,
                                            updated_by="test") for index, unit in enumerate(communes)])
    more = create_services(load_settings(), extra_plugins=[("many_indicators", ManyIndicators())])
    try:
        statements(more)
        after, report = statements(more)
    finally:
        more.engine.dispose()
    assert within(after, before), f"{before} statements, {after} with 30 more indicators"
    rows = {row.code: row for area in report.areas for row in area.indicators}
    for number, code in enumerate(EXTRA, 1):
        expected = sum(number + index for index in range(len(communes)))
        assert (rows[code].actual, rows[code].rolled_up_from) == (expected, len(communes))


def test_completeness_and_values_read_at_once_match_the_database(province: Services) -> None:
    """Each commune's row counts its plan's tasks and those with an update of the window; own_value and a unit
    outside the context's tree still read the database."""
    with province.sessions() as session:
        top = session.scalar(select(Unit).where(Unit.code == PROVINCE["code"]))
        context = CollectContext(session=session, unit=top, period=PERIOD, registry=province.registry)
        rows = {row.name: row for row in completeness(context) if row.kind == "unit"}
        keys = [period.key for period in periods_of_year(YEAR)]  # every key whose window ends in the year's
        for commune in top.children:
            tasks = select(Task.id).join(Plan).where(Plan.unit_id == commune.id, Plan.year == YEAR)
            assigned = session.scalar(select(func.count()).select_from(tasks.subquery()))
            reported = session.scalar(select(func.count(StatusUpdate.task_id.distinct())).where(
                StatusUpdate.task_id.in_(tasks), StatusUpdate.period_key.in_(keys)))
            assert (rows[commune.name].assigned, rows[commune.name].reported) == (assigned, reported)
        assert completeness(context) == completeness(context)  # read once per context
        commune = top.children[0]
        stored = session.scalar(select(IndicatorValue.value).where(
            IndicatorValue.unit_id == commune.id, IndicatorValue.code == "TTHC_HS_TIEP_NHAN",
            IndicatorValue.period_key == f"{YEAR}-Q4"))
        assert stored is not None
        assert own_value(session, "TTHC_HS_TIEP_NHAN", commune, PERIOD, context.cutoff) == stored
        spec = province.registry.indicators["TTHC_HS_TIEP_NHAN"]
        assert indicator_value(context, spec, commune, PERIOD) == (stored, 0)
        inside = CollectContext(session=session, unit=commune, period=PERIOD, registry=province.registry)
        assert indicator_value(inside, spec, top, PERIOD) == indicator_value(context, spec, top, PERIOD)
