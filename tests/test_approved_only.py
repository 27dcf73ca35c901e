"""Reports from approved data only (issue 14, item 8): the unit setting ``approved_only``.

With it, a report uses only the status updates and indicator values whose party (the department that
recorded them, or the whole unit) has its submission of their window approved, and the completeness
annex names, for each row, what was left out. Without it, every record is used. The demo's submissions
are replaced here by: Sở Thông tin và Truyền thông and xã Cẩm Bình, xã Cẩm Vịnh approved for quý I;
Sở Tài chính and xã Thạch Long submitted, not approved.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from reportsvc.collect.timeliness import party_of
from reportsvc.db.models import (Agency, IndicatorValue, Plan, StatusUpdate, Submission, Task, TaskAgency, Unit)
from reportsvc.db.unitsettings import apply_changes, validate_changes
from reportsvc.periods import parse_period
from reportsvc.plugin.testing import build, docx_text, render_docx, section
from reportsvc.render.view import cell_text
from reportsvc.report.build import build_report
from reportsvc.report.model import Report, TaskItem, Unapproved
from reportsvc.services.runtime import Services

TTTT = "Sở Thông tin và Truyền thông"
FINANCE = "Sở Tài chính"
Q1 = "2024-Q1"
APPROVED_RESULT = "Kết quả quý I của Sở TTTT, đã duyệt"
PENDING_RESULT = "Kết quả quý I của Sở Tài chính, chưa duyệt"
LEFT_OUT = "Số liệu chưa duyệt (không đưa vào báo cáo)"


def unit_of(session: Any, code: str) -> Unit:
    """Return the unit with ``code``."""
    return session.scalar(select(Unit).where(Unit.code == code))


def agency_of(session: Any, name: str) -> Agency:
    """Return the demo province's agency ``name``."""
    return session.scalar(select(Agency).join(Unit, Unit.id == Agency.unit_id)
                          .where(Unit.code == "HT", Agency.name == name))


def first_task_led_by(session: Any, agency: Agency) -> Task:
    """Return the first task of the province's plan that ``agency`` leads."""
    return session.scalar(select(Task).join(Plan, Plan.id == Task.plan_id)
                          .join(TaskAgency, TaskAgency.task_id == Task.id)
                          .where(Plan.unit_id == agency.unit_id, TaskAgency.agency_id == agency.id,
                                 TaskAgency.role == "lead").order_by(Task.position).limit(1))


def record(session: Any, task: Task, agency: Agency, key: str, status: str, result: str) -> None:
    """Store (or replace) the task's status of a window as recorded by ``agency``."""
    update = session.scalar(select(StatusUpdate).where(StatusUpdate.task_id == task.id,
                                                       StatusUpdate.period_key == key))
    if update is None:
        update = StatusUpdate(task_id=task.id, period_key=key, updated_by="test")
        session.add(update)
    update.agency_id, update.status, update.result = agency.id, status, result
    update.completed_on = date(2024, 3, 1) if status == "done" else None


def submit(session: Any, unit: Unit, agency: Agency | None, state: str, key: str = Q1) -> None:
    """Store the party's submission of a window in ``state``."""
    moment = datetime(2024, 3, 8, 3, tzinfo=timezone.utc)
    session.add(Submission(unit_id=unit.id, agency_id=agency.id if agency else None,
                           party=party_of(agency.id if agency else None), period_key=key, state=state,
                           first_submitted_at=moment, submitted_at=moment, submitted_by="test",
                           decided_by="admin" if state == "approved" else ""))


@pytest.fixture
def cycle(demo_services: Services) -> dict[str, Any]:
    """Quý I records of Sở TTTT (approved) and Sở Tài chính (submitted, not approved), the communes' quý I
    submissions; return the two tasks' titles."""
    with demo_services.transaction() as session:
        session.execute(delete(Submission))
        tttt, finance = agency_of(session, TTTT), agency_of(session, FINANCE)
        approved_task, pending_task = first_task_led_by(session, tttt), first_task_led_by(session, finance)
        record(session, approved_task, tttt, Q1, "in_progress", APPROVED_RESULT)
        record(session, approved_task, tttt, "2024-Q2", "in_progress", "Kết quả quý II của Sở TTTT, chưa nộp")
        record(session, pending_task, finance, Q1, "done", PENDING_RESULT)
        province = unit_of(session, "HT")
        submit(session, province, tttt, "approved")
        submit(session, province, finance, "submitted")
        for code in ("HT-CX-CB", "HT-CX-CV"):
            submit(session, unit_of(session, code), None, "approved")
        submit(session, unit_of(session, "HT-TH-TL"), None, "submitted")
        return {"approved": approved_task.title, "pending": pending_task.title}


def reporting_from_approved_data(services: Services, code: str = "HT", on: bool = True) -> None:
    """Turn the unit's setting "chỉ dùng số liệu đã duyệt" on or off."""
    with services.transaction() as session:
        apply_changes(unit_of(session, code), validate_changes({"approved_only": "có" if on else "không"}))


def item(report: Report, title: str) -> TaskItem:
    """Return the report's task with ``title``."""
    return next(task for area in report.areas for task in area.tasks if task.title == title)


def value_of(report: Report, area: str, code: str) -> tuple[float | None, int]:
    """Return an indicator's actual value in the report and how many units it was rolled up from."""
    row = next(row for row in section(report, area).indicators if row.code == code)
    return row.actual, row.rolled_up_from


def commune_value(services: Services, code: str, indicator: str = "TTHC_HS_TIEP_NHAN", key: str = Q1) -> float:
    """Return a commune's stored value."""
    with services.sessions() as session:
        return session.scalar(select(IndicatorValue.value).join(Unit, Unit.id == IndicatorValue.unit_id)
                              .where(Unit.code == code, IndicatorValue.code == indicator,
                                     IndicatorValue.period_key == key))


def completeness_cells(report: Report) -> tuple[list[str], dict[str, list[str]]]:
    """Return the completeness annex's columns and its rows' texts by name."""
    annex = next(a for a in report.annexes if a.key == "completeness")
    return annex.columns, {str(row[1]).lstrip("– "): [cell_text(cell) for cell in row] for row in annex.rows}


def test_without_the_setting_every_record_is_used(demo_services: Services, cycle: dict[str, Any]) -> None:
    report = build(demo_services, "HT", Q1)
    assert (item(report, cycle["pending"]).result, item(report, cycle["pending"]).status) == (PENDING_RESULT, "on_time")
    assert item(report, cycle["approved"]).result == APPROVED_RESULT
    everyone = sum(commune_value(demo_services, code) for code in ("HT-CX-CB", "HT-CX-CV", "HT-TH-TD", "HT-TH-TL"))
    assert value_of(report, "III", "TTHC_HS_TIEP_NHAN")[0] == everyone
    columns, _ = completeness_cells(report)
    assert LEFT_OUT not in columns
    assert item(build(demo_services, "HT", "2024-Q2"), cycle["approved"]).result == \
        "Kết quả quý II của Sở TTTT, chưa nộp"


def test_with_the_setting_unapproved_records_are_left_out_and_named(demo_services: Services,
                                                                    cycle: dict[str, Any]) -> None:
    reporting_from_approved_data(demo_services)
    report = build(demo_services, "HT", Q1)
    pending = item(report, cycle["pending"])
    assert pending.result == "" and pending.status != "on_time"  # Sở Tài chính's "done" is not approved
    assert item(report, cycle["approved"]).result == APPROVED_RESULT
    # the communes' dossiers: only the approved communes' values roll up
    approved = commune_value(demo_services, "HT-CX-CB") + commune_value(demo_services, "HT-CX-CV")
    assert value_of(report, "III", "TTHC_HS_TIEP_NHAN") == (approved, 1)  # one district: Cẩm Xuyên
    # the province's own values (no office above approves them) are used as they are
    assert value_of(report, "I", "CD_KIEM_TRA")[0] == 8
    # quý II of Sở TTTT is not approved: its latest approved status is quý I's
    assert item(build(demo_services, "HT", "2024-Q2"), cycle["approved"]).result == APPROVED_RESULT

    columns, rows = completeness_cells(report)
    assert columns[-1] == LEFT_OUT
    with demo_services.sessions() as session:
        finance = agency_of(session, FINANCE)
        finance_updates = session.scalar(select(func.count(StatusUpdate.id)).where(
            StatusUpdate.agency_id == finance.id, StatusUpdate.period_key == Q1))
        long_ = unit_of(session, "HT-TH-TL")
        long_values = session.scalar(select(func.count(IndicatorValue.id)).where(
            IndicatorValue.unit_id == long_.id, IndicatorValue.period_key == Q1))
        long_updates = session.scalar(select(func.count(StatusUpdate.id)).join(Agency)
                                      .where(Agency.unit_id == long_.id, StatusUpdate.period_key == Q1))
    assert finance_updates >= 1 and long_values >= 1
    assert rows[FINANCE][-1] == Unapproved(finance_updates, 0).label
    assert rows["xã Thạch Long"][-1] == Unapproved(long_updates, long_values).label
    assert rows[TTTT][-1] == rows["xã Cẩm Bình"][-1] == rows["xã Cẩm Vịnh"][-1] == ""
    assert rows["xã Thạch Long"][5] == "Đã nộp, chờ duyệt"
    assert "Số liệu chưa duyệt" in docx_text(render_docx(report))


def test_a_commune_reporting_from_approved_data_waits_for_its_approval(demo_services: Services,
                                                                        cycle: dict[str, Any]) -> None:
    reporting_from_approved_data(demo_services, "HT-TH-TL")
    own = commune_value(demo_services, "HT-TH-TL")
    assert value_of(build(demo_services, "HT-TH-TL", Q1), "III", "TTHC_HS_TIEP_NHAN")[0] is None
    with demo_services.transaction() as session:
        row = session.scalar(select(Submission).join(Unit).where(Unit.code == "HT-TH-TL"))
        row.state, row.decided_by = "approved", "admin"
    assert value_of(build(demo_services, "HT-TH-TL", Q1), "III", "TTHC_HS_TIEP_NHAN")[0] == own
    reporting_from_approved_data(demo_services, "HT-TH-TL", on=False)


def test_leaving_records_out_of_a_report_changes_nothing_stored(demo_services: Services,
                                                                cycle: dict[str, Any]) -> None:
    reporting_from_approved_data(demo_services)

    def stored() -> tuple[int, int]:
        with demo_services.sessions() as session:
            return (session.scalar(select(func.count(StatusUpdate.id))),
                    session.scalar(select(func.count(IndicatorValue.id))))

    before = stored()
    with demo_services.transaction() as session:  # built and committed in one session
        report = build_report(session, demo_services.registry, "HT", parse_period(Q1))
        assert item(report, cycle["pending"]).result == ""
    assert stored() == before
    reporting_from_approved_data(demo_services, on=False)
    assert item(build(demo_services, "HT", Q1), cycle["pending"]).result == PENDING_RESULT
