"""Deadlines and timeliness of the parties' data (issue 14, item 5): the deadline from the compiling unit's
settings, on time / late by n days / not submitted / not yet due, the completeness annex's cells, the
dashboard's reporting and on-time rates, and one read of the submissions whatever the number of communes.

The demo province (HT) and its districts set ``data_due_day`` 10; each test here replaces the demo's
submissions with its own.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timezone
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, event, select

from reportsvc.collect.completeness import CompletenessRow, completeness
from reportsvc.collect.context import CollectContext
from reportsvc.collect.timeliness import deadline_of, timeliness, vietnam_date
from reportsvc.db.models import Agency, IndicatorValue, Submission, Unit
from reportsvc.db.unitsettings import apply_changes, settings_of, validate_changes
from reportsvc.periods import parse_period
from reportsvc.plugin.testing import build, docx_text, render_docx
from reportsvc.render.view import cell_text
from reportsvc.report.model import Timeliness
from reportsvc.services import submissions
from reportsvc.services.overview import overview
from reportsvc.services.runtime import Services
from reportsvc.vn import format as fmt
from tests.web_fixtures import csrf_app, login  # noqa: F401 - fixture

TTTT = "Sở Thông tin và Truyền thông"
FINANCE = "Sở Tài chính"
JUSTICE = "Sở Tư pháp"
Q1 = "2024-Q1"


def unit_of(session: Any, code: str) -> Unit:
    """Return the unit with ``code``."""
    return session.scalar(select(Unit).where(Unit.code == code))


def agency_id(session: Any, name: str) -> int:
    """Return the id of the demo province's agency ``name``."""
    return session.scalar(select(Agency.id).join(Unit, Unit.id == Agency.unit_id)
                          .where(Unit.code == "HT", Agency.name == name))


def settle(services: Services, code: str, **changes: str) -> None:
    """Change a unit's settings as the settings service stores them."""
    with services.transaction() as session:
        apply_changes(unit_of(session, code), validate_changes(changes))


def submit(services: Services, unit_code: str, agency: str | None, state: str, first: datetime,
           key: str = Q1) -> None:
    """Store a party's submission of a window, first submitted at ``first`` (UTC)."""
    with services.transaction() as session:
        unit = unit_of(session, unit_code)
        found = agency_id(session, agency) if agency else None
        session.add(Submission(unit_id=unit.id, agency_id=found, party=submissions.party_of(found), period_key=key,
                               state=state, first_submitted_at=first, submitted_at=first, submitted_by="test",
                               decided_by="admin" if state != "submitted" else ""))


def utc(year: int, month: int, day: int, hour: int = 3) -> datetime:
    """Return a UTC time (03:00 UTC is 10:00 in Vietnam, the same day)."""
    return datetime(year, month, day, hour, tzinfo=timezone.utc)


@pytest.fixture
def cycle(demo_services: Services) -> Services:
    """The demo without its submissions, then: Sở TTTT approved on 08/03/2024, Sở Tài chính first submitted
    two days late and returned, xã Thạch Long at 00:30 on 11/03 Vietnam time (late by one day), xã Cẩm Bình
    on the deadline; a quý II submission of Sở Tư pháp that quý I does not see."""
    with demo_services.transaction() as session:
        session.execute(delete(Submission))
    submit(demo_services, "HT", TTTT, "approved", utc(2024, 3, 8))
    submit(demo_services, "HT", FINANCE, "returned", utc(2024, 3, 12))
    submit(demo_services, "HT-TH-TL", None, "submitted", datetime(2024, 3, 10, 17, 30, tzinfo=timezone.utc))
    submit(demo_services, "HT-CX-CB", None, "submitted", utc(2024, 3, 10))
    submit(demo_services, "HT", JUSTICE, "submitted", utc(2024, 6, 1), key="2024-Q2")
    return demo_services


def rows_of(services: Services, period: str = Q1, today: date | None = None) -> dict[str, CompletenessRow]:
    """Return the province's completeness rows by name."""
    with services.sessions() as session:
        unit = unit_of(session, "HT")
        context = CollectContext(session, unit, parse_period(period), services.registry, settings_of(unit).cutoff)
        return {row.name: row for row in completeness(context, today=today)}


# ---------------------------------------------------------------- deadlines from the settings

def test_the_deadline_is_the_compiling_units_day_of_the_periods_last_month(demo_services: Services) -> None:
    settle(demo_services, "HT", data_due_day="5")
    settle(demo_services, "HT-TH", data_due_day="20")
    with demo_services.sessions() as session:
        province, district, commune = (unit_of(session, code) for code in ("HT", "HT-TH", "HT-TH-TD"))
        justice = agency_id(session, JUSTICE)
        # a department hands its data to its own unit's office
        assert [deadline_of(province, justice, parse_period(key)) for key in ("2024-Q1", "2024-H1", "2024-M9",
                                                                              "2024-Q4", "2024-Y")] == \
            [date(2024, 3, 5), date(2024, 6, 5), date(2024, 9, 5), date(2024, 12, 5), date(2024, 12, 5)]
        # a whole unit to the unit above it
        assert deadline_of(commune, None, parse_period(Q1)) == date(2024, 3, 20)
        assert deadline_of(district, None, parse_period(Q1)) == date(2024, 3, 5)
        assert deadline_of(province, None, parse_period(Q1)) is None  # no office above the province
        assert submissions.deadline_of is deadline_of  # the services keep the one definition
    settle(demo_services, "HT-TH", data_due_day="")  # no deadline set: none
    with demo_services.sessions() as session:
        assert deadline_of(unit_of(session, "HT-TH-TD"), None, parse_period(Q1)) is None


def test_the_settings_page_sets_the_data_deadline_the_reminders_and_approved_only(csrf_app: Flask,  # noqa: F811
                                                                                  demo_services: Services) -> None:
    client = csrf_app.test_client()
    token = login(client, "admin")
    page = client.get("/admin/units/HT").get_data(as_text=True)
    assert 'name="data_due_day"' in page and 'name="reminder_days"' in page and 'name="approved_only"' in page
    form = {"csrf_token": token, "cutoff_day": "14", "data_due_day": "12", "reminder_days": "5",
            "approved_only": "y", "reports": ["Q1", "H1", "M9", "Y"]}
    assert client.post("/admin/units/HT/settings", data=form).status_code == 302
    with demo_services.sessions() as session:
        read = settings_of(unit_of(session, "HT"))
        assert (read.data_due_day, read.reminder_days, read.approved_only) == (12, 5, True)
    page = client.get("/admin/units/HT").get_data(as_text=True)
    assert re.search(r'name="data_due_day"[^>]*value="12"', page)
    assert re.search(r'name="approved_only"[^>]*checked', page)
    refused = client.post("/admin/units/HT/settings", data={**form, "data_due_day": "31", "reminder_days": "40"})
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "Hạn nộp số liệu không hợp lệ" in text and "Số ngày nhắc trước hạn không hợp lệ" in text
    unticked = {key: value for key, value in form.items() if key != "approved_only"}
    assert client.post("/admin/units/HT/settings", data=unticked).status_code == 302
    with demo_services.sessions() as session:
        read = settings_of(unit_of(session, "HT"))
        assert (read.data_due_day, read.approved_only) == (12, False)


# ---------------------------------------------------------------- on time, late, not submitted, not yet due

def test_timeliness_of_a_first_submission_against_the_deadline() -> None:
    deadline = date(2024, 3, 10)
    assert timeliness(date(2024, 3, 10), deadline, date(2024, 4, 1)) == Timeliness("on_time")
    assert timeliness(date(2024, 3, 1), deadline, date(2024, 4, 1)).label == "Đúng hạn"
    assert timeliness(date(2024, 3, 13), deadline, date(2024, 4, 1)) == Timeliness("late", 3)
    assert timeliness(date(2024, 3, 13), deadline, date(2024, 4, 1)).label == "Muộn (3 ngày)"
    assert timeliness(None, deadline, date(2024, 3, 11)).label == "Chưa nộp"
    assert timeliness(None, deadline, date(2024, 3, 10)).label == "Chưa đến hạn"  # due at the end of the day
    assert timeliness(None, None, date(2024, 3, 1)).label == "Chưa nộp"
    assert timeliness(date(2024, 3, 13), None, date(2024, 4, 1)).label == "Đã nộp"  # no deadline to be late for
    # the Vietnam date counts: 17:30 UTC on the 10th is 00:30 on the 11th in Vietnam
    assert vietnam_date(datetime(2024, 3, 10, 16, 59, tzinfo=timezone.utc)) == date(2024, 3, 10)
    assert vietnam_date(datetime(2024, 3, 10, 17, 30, tzinfo=timezone.utc)) == date(2024, 3, 11)


def test_each_row_has_its_submission_state_dates_and_timeliness(cycle: Services) -> None:
    rows = rows_of(cycle, today=date(2024, 3, 20))
    seen = {name: (row.state, row.submitted_on, row.deadline, row.timeliness.label)
            for name, row in rows.items() if name in (TTTT, FINANCE, JUSTICE, "xã Thạch Long", "xã Cẩm Bình",
                                                      "huyện Thạch Hà")}
    assert seen == {
        TTTT: ("approved", date(2024, 3, 8), date(2024, 3, 10), "Đúng hạn"),
        FINANCE: ("returned", date(2024, 3, 12), date(2024, 3, 10), "Muộn (2 ngày)"),
        JUSTICE: ("draft", None, date(2024, 3, 10), "Chưa nộp"),  # its quý II submission is another window
        "xã Thạch Long": ("submitted", date(2024, 3, 11), date(2024, 3, 10), "Muộn (1 ngày)"),
        "xã Cẩm Bình": ("submitted", date(2024, 3, 10), date(2024, 3, 10), "Đúng hạn"),
        "huyện Thạch Hà": ("draft", None, date(2024, 3, 10), "Chưa nộp"),
    }
    assert [rows[name].submitted for name in (TTTT, FINANCE, "xã Thạch Long")] == [True, False, True]
    assert [rows[name].on_time for name in (TTTT, FINANCE, "xã Cẩm Bình", "xã Thạch Long")] == [True, False, True,
                                                                                                False]
    before = rows_of(cycle, today=date(2024, 3, 1))  # before the deadline: those without one are not yet due
    assert before[JUSTICE].timeliness.label == "Chưa đến hạn" and before[TTTT].timeliness.label == "Đúng hạn"
    # 6 tháng reads quý II's window: Sở Tư pháp's submission of 01/06/2024, due 10/06/2024
    half = rows_of(cycle, "2024-H1")
    assert (half[JUSTICE].state, half[JUSTICE].submitted_on, half[JUSTICE].deadline, half[JUSTICE].timeliness.label) \
        == ("submitted", date(2024, 6, 1), date(2024, 6, 10), "Đúng hạn")


def test_the_completeness_annex_shows_state_dates_deadline_and_timeliness(cycle: Services) -> None:
    report = build(cycle, "HT", Q1)
    annex = next(a for a in report.annexes if a.key == "completeness")
    assert annex.columns == ["TT", "Cơ quan, đơn vị", "Số nhiệm vụ được giao", "Số nhiệm vụ đã báo cáo",
                             "Tình trạng báo cáo", "Nộp số liệu", "Ngày nộp", "Hạn nộp", "Đúng hạn, muộn"]
    assert all(len(row) == len(annex.columns) for row in annex.rows)
    cells = {str(row[1]).lstrip("– "): [cell_text(cell) for cell in row[5:]] for row in annex.rows}
    assert cells[TTTT] == ["Đã duyệt", "08/03/2024", "10/03/2024", "Đúng hạn"]
    assert cells[FINANCE] == ["Bị trả lại", "12/03/2024", "10/03/2024", "Muộn (2 ngày)"]
    assert cells[JUSTICE] == ["Chưa nộp", "", "10/03/2024", "Chưa nộp"]
    assert cells["xã Thạch Long"] == ["Đã nộp, chờ duyệt", "11/03/2024", "10/03/2024", "Muộn (1 ngày)"]
    text = docx_text(render_docx(report))
    assert "Muộn (2 ngày)" in text and "Đã nộp, chờ duyệt" in text and "Hạn nộp" in text


# ---------------------------------------------------------------- the dashboard

def test_the_dashboard_shows_the_reporting_and_on_time_rates(cycle: Services, app: Flask) -> None:
    with cycle.sessions() as session:
        data = overview(session, cycle.registry, unit_of(session, "HT"), parse_period(Q1))
        expected = len(data.completeness)
    # handed in: Sở TTTT, xã Thạch Long, xã Cẩm Bình (Sở Tài chính's was returned); on time: Sở TTTT, xã Cẩm Bình
    assert (data.expected, data.submitted, data.on_time) == (expected, 3, 2)
    client = app.test_client()
    assert client.post("/login", data={"username": "admin", "password": "admin-demo-2024"}).status_code == 302
    page = client.get(f"/?unit=HT&period={Q1}").get_data(as_text=True)
    reporting = re.search(r'id="reporting-rate"><span class="tile-num">([^<]*)</span><span class="tile-label">([^<]*)',
                          page)
    on_time = re.search(r'id="on-time-rate"><span class="tile-num">([^<]*)</span><span class="tile-label">([^<]*)', page)
    assert reporting.group(1) == fmt.percent(3 / expected * 100, 0) and f"(3/{expected} " in reporting.group(2)
    assert on_time.group(1) == fmt.percent(2 / expected * 100, 0) and f"(2/{expected} " in on_time.group(2)
    table = page[page.index("Xem đầy đủ"):]
    header = re.findall(r"<th>([^<]*)</th>", table[:table.index("</thead>")])
    assert header == ["Cơ quan, đơn vị", "Loại", "Nhiệm vụ đã báo cáo", "Tình trạng", "Nộp số liệu", "Ngày nộp",
                      "Hạn nộp", "Đúng hạn, muộn"]
    rows = re.findall(r'<tr class="completeness-row">(.*?)</tr>', table, re.DOTALL)
    assert len(rows) == expected
    cells = [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)]
             for row in rows]
    assert {len(row) for row in cells} == {len(header)}  # every row has a cell under each heading
    finance = next(row for row in cells if row[0] == FINANCE)
    assert finance[4:] == ["Bị trả lại", "12/03/2024", "10/03/2024", "Muộn (2 ngày)"]
    # a district without a plan of its own still sees its communes' submissions
    district = client.get(f"/?unit=HT-TH&period={Q1}").get_data(as_text=True)
    assert "Chưa có kế hoạch CCHC năm 2024" in district and "Tình hình báo cáo kỳ này" in district
    assert "Đã nộp số liệu: 1/2 cơ quan, đơn vị (50%); nộp đúng hạn: 0/2 (0%)." in " ".join(district.split())


# ---------------------------------------------------------------- one read of the submissions

def province_with(services: Services, communes: int, approved_only: bool) -> None:
    """Store a province (data due on the 10th) with ``communes`` communes, each with a quý I value, every other
    one submitted on time and approved."""
    with services.transaction() as session:
        settings = {"data_due_day": 10, "approved_only": approved_only}
        province = Unit(code="P", name="tỉnh Thử Nghiệm", kind="tinh", settings=settings)
        session.add(province)
        for number in range(communes):
            commune = Unit(code=f"P-{number:02d}", name=f"xã Số {number}", kind="xa", parent=province)
            session.add(commune)
            session.flush()
            session.add(IndicatorValue(code="TTHC_HS_TIEP_NHAN", unit_id=commune.id, period_key=Q1, value=100.0))
            if number % 2 == 0:
                session.add(Submission(unit_id=commune.id, agency_id=None, party="unit", period_key=Q1,
                                       state="approved", first_submitted_at=utc(2024, 3, 9),
                                       submitted_at=utc(2024, 3, 9)))


def submission_reads(services: Services) -> tuple[int, list[CompletenessRow]]:
    """Return how many statements the province's completeness ran on the submissions table, and its rows."""
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    with services.sessions() as session:
        unit = unit_of(session, "P")
        context = CollectContext(session, unit, parse_period(Q1), services.registry, settings_of(unit).cutoff)
        event.listen(services.engine, "before_cursor_execute", count)
        try:
            rows = completeness(context, today=date(2024, 4, 1))
        finally:
            event.remove(services.engine, "before_cursor_execute", count)
    return sum(1 for text in statements if re.search(r"\bFROM submissions\b", text)), rows


@pytest.mark.parametrize("approved_only", [False, True])
def test_the_submissions_are_read_once_whatever_the_number_of_communes(services: Services,
                                                                       approved_only: bool) -> None:
    reads = {}
    for communes in (3, 12):
        with services.transaction() as session:
            session.execute(delete(Submission))
            session.execute(delete(IndicatorValue))
            for unit in session.scalars(select(Unit).where(Unit.code.like("P%")).order_by(Unit.id.desc())):
                session.delete(unit)
        province_with(services, communes, approved_only)
        reads[communes], rows = submission_reads(services)
        assert {row.name: row.timeliness.label for row in rows} == {
            f"xã Số {n}": "Đúng hạn" if n % 2 == 0 else "Chưa nộp" for n in range(communes)}
        assert {row.name: row.unapproved.label if row.unapproved else None for row in rows} == {
            f"xã Số {n}": None if not approved_only else "" if n % 2 == 0 else "1 chỉ tiêu" for n in range(communes)}
    # the statuses in one statement; with approved_only the window's approvals in one more
    assert reads == {3: 1 + approved_only, 12: 1 + approved_only}
