"""One record per data window: quý II and 6 tháng, quý III and 9 tháng, quý IV and năm close on the same day
(Nghị định 09/2019) and share one stored status and indicator value. A write through either key updates it, a
read through either key returns it, through the API and the web alike; the pages offer every period the unit
files and say which periods a record serves; migration 0006 merged the duplicates stored before, audited."""
from __future__ import annotations

import re
from datetime import datetime, timezone

from alembic import command
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from reportsvc.db import engine as db
from reportsvc.db.models import AuditEntry, IndicatorValue, Plan, PlanArea, StatusUpdate, Task, Unit
from reportsvc.periods import parse_period
from reportsvc.report.build import build_report
from reportsvc.services.runtime import Services
from tests.web_fixtures import PASSWORDS, api_token, task_led_by

CODE = "TC_VBQPPL_BAN_HANH"  # văn bản QPPL ban hành: the demo's province values 9, 21, 30, 44 by quarter
SHARED_Q4 = "Số liệu này dùng chung cho Quý IV/2024 và Năm 2024"
SHARED_Q2 = "Số liệu này dùng chung cho Quý II/2024 và 6 tháng 2024"


def signed_in(app: Flask, username: str) -> FlaskClient:
    """Return a client signed in as a demo user (CSRF is off in the ``app`` fixture)."""
    client = app.test_client()
    assert client.post("/login", data={"username": username, "password": PASSWORDS[username]}).status_code == 302
    return client


def bearer(services: Services, username: str = "admin") -> dict[str, str]:
    """Return the Authorization header of a new API token of a demo user."""
    return {"Authorization": f"Bearer {api_token(services, username)}"}


def picker(page: str) -> list[tuple[str, str, bool]]:
    """Return the period picker's options of a page as (key, label, selected)."""
    select_html = re.search(r'<select name="period">(.*?)</select>', page, re.DOTALL).group(1)
    return [(key, label.strip(), bool(selected.strip())) for key, selected, label in
            re.findall(r'<option value="([^"]+)"\s*(selected)?\s*>([^<]+)</option>', select_html)]


def api_value(client: FlaskClient, headers: dict[str, str], period: str) -> dict:
    """Return the API's stored value of CODE for the province HT and ``period``."""
    rows = client.get(f"/api/v1/indicator-values?unit=HT&period={period}", headers=headers).get_json()
    return next(row for row in rows if row["code"] == CODE)


def stored_values(services: Services, code: str = CODE) -> list[tuple[str, float]]:
    """Return every stored (period_key, value) of an indicator of HT in 2024's last window."""
    with services.sessions() as session:
        unit_id = session.scalar(select(Unit.id).where(Unit.code == "HT"))
        return list(session.execute(select(IndicatorValue.period_key, IndicatorValue.value).where(
            IndicatorValue.code == code, IndicatorValue.unit_id == unit_id,
            IndicatorValue.period_key.in_(("2024-Q4", "2024-Y")))).all())


def web_value(page: str, code: str = CODE) -> str:
    """Return the value an indicator's input on the entry page holds."""
    return re.search(rf'name="value-{code}" value="([^"]*)"', page).group(1)


def web_version(page: str, code: str = CODE) -> str:
    """Return the version an indicator's row on the entry page carries."""
    return re.search(rf'name="version-{code}" value="(\d+)"', page).group(1)


# ---------------------------------------------------------------- either key, one record

def test_a_year_value_sent_to_the_api_is_the_quarter_iv_value_everywhere(app: Flask, demo_services: Services) -> None:
    client, headers = app.test_client(), bearer(demo_services)
    before = api_value(client, headers, "2024-Y")  # read through năm: quý IV's record
    assert (before["value"], before["period"], before["serves"]) == (44, "2024-Q4", ["2024-Q4", "2024-Y"])
    sent = client.post("/api/v1/indicator-values", headers=headers, json={
        "unit": "HT", "period": "2024-Y", "code": CODE, "value": 1300, "note": "cả năm", "version": before["version"]})
    assert sent.status_code == 200, sent.get_json()
    assert sent.get_json()["value"]["period"] == "2024-Q4"
    assert api_value(client, headers, "2024-Q4")["value"] == 1300
    assert stored_values(demo_services) == [("2024-Q4", 1300.0)]
    page = signed_in(app, "admin").get("/indicators?unit=HT&period=2024-Q4").get_data(as_text=True)
    assert web_value(page) == "1300" and SHARED_Q4 in page


def test_a_quarter_iv_value_saved_on_the_web_is_the_years_value_in_the_api(app: Flask,
                                                                           demo_services: Services) -> None:
    web = signed_in(app, "admin")
    page = web.get("/indicators?unit=HT&period=2024-Y").get_data(as_text=True)
    assert web_value(page) == "44" and SHARED_Q4 in page  # năm shows quý IV's record, and says so
    saved = web.post("/indicators", data={"unit": "HT", "period": "2024-Y", f"value-{CODE}": "45",
                                          f"orig-{CODE}": "44", f"version-{CODE}": web_version(page),
                                          f"note-{CODE}": "", f"orig-note-{CODE}": ""})
    assert saved.status_code == 302 and "period=2024-Y" in saved.location
    assert "Đã lưu 1 số liệu chỉ tiêu của tỉnh Hà Tĩnh, Năm 2024." in web.get(saved.location).get_data(as_text=True)
    client, headers = app.test_client(), bearer(demo_services)
    assert api_value(client, headers, "2024-Q4")["value"] == 45
    assert stored_values(demo_services) == [("2024-Q4", 45.0)]
    # The quarter's page, read after the year's save, carries the same record and version.
    quarter = web.get("/indicators?unit=HT&period=2024-Q4").get_data(as_text=True)
    assert web_value(quarter) == "45"
    assert web_version(quarter) == str(api_value(client, headers, "2024-Y")["version"])


def test_a_status_written_for_one_key_is_read_through_the_other(app: Flask, demo_services: Services) -> None:
    task_id = task_led_by(demo_services, "Văn phòng UBND tỉnh")
    client, headers = app.test_client(), bearer(demo_services)
    before = client.get(f"/api/v1/tasks/{task_id}?period=2024-Y", headers=headers).get_json()
    assert before["serves"] == ["2024-Q4", "2024-Y"]
    version = before["update"]["version"] if before["update"] else 0
    sent = client.post(f"/api/v1/tasks/{task_id}/status", headers=headers, json={
        "period": "2024-Y", "version": version, "status": "in_progress", "result": "Kết quả ghi cho cả năm"})
    assert sent.status_code in (200, 201), sent.get_json()
    assert sent.get_json()["update"]["serves"] == ["2024-Q4", "2024-Y"]
    # The web's quý IV form is filled from that record, and says so.
    web = signed_in(app, "admin")
    page = web.get(f"/tasks/{task_id}?period=2024-Q4").get_data(as_text=True)
    assert "Kết quả ghi cho cả năm" in page and SHARED_Q4 in page
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    saved = web.post(f"/tasks/{task_id}/status", data={"period": "2024-Q4", "version": version,
                                                       "status": "in_progress", "result": "Sửa lại ở quý IV"})
    assert saved.status_code == 302
    read = client.get(f"/api/v1/tasks/{task_id}?period=2024-Y", headers=headers).get_json()
    assert read["update"]["result"] == "Sửa lại ở quý IV" and read["update"]["period"] == "2024-Q4"
    assert read["update"]["version"] == int(version) + 1
    with demo_services.sessions() as session:
        keys = session.scalars(select(StatusUpdate.period_key).where(StatusUpdate.task_id == task_id)).all()
    assert "2024-Y" not in keys and keys.count("2024-Q4") == 1


def test_a_six_month_status_typed_by_url_updates_quarter_ii_and_the_six_month_report(
        app: Flask, demo_services: Services) -> None:
    task_id = task_led_by(demo_services, "Văn phòng UBND tỉnh")
    web = signed_in(app, "vpubnd")
    page = web.get(f"/tasks/{task_id}?period=2024-H1").get_data(as_text=True)
    assert "Cập nhật tiến độ 6 tháng 2024" in page and SHARED_Q2 in page
    assert '<input type="hidden" name="period" value="2024-H1">' in page
    with demo_services.sessions() as session:
        quarter = session.scalar(select(StatusUpdate).where(StatusUpdate.task_id == task_id,
                                                            StatusUpdate.period_key == "2024-Q2"))
        title = session.get(Task, task_id).title
    assert re.search(r'name="version" value="(\d+)"', page).group(1) == str(quarter.version if quarter else 0)
    saved = web.post(f"/tasks/{task_id}/status", data={
        "period": "2024-H1", "version": str(quarter.version if quarter else 0), "status": "in_progress",
        "result": "Đã triển khai tới 6 tháng đầu năm"})
    assert saved.status_code == 302 and "period=2024-H1" in saved.location
    with demo_services.sessions() as session:
        rows = session.execute(select(StatusUpdate.period_key, StatusUpdate.result).where(
            StatusUpdate.task_id == task_id, StatusUpdate.period_key.in_(("2024-Q2", "2024-H1")))).all()
        assert rows == [("2024-Q2", "Đã triển khai tới 6 tháng đầu năm")]
        for key in ("2024-H1", "2024-Q2"):  # both reports read the one record
            report = build_report(session, demo_services.registry, "HT", parse_period(key))
            item = next(t for area in report.areas for t in area.tasks if t.title == title)
            assert item.result == "Đã triển khai tới 6 tháng đầu năm", key


# ---------------------------------------------------------------- every period the unit files, on the web

def test_the_pickers_offer_every_quarter_and_the_units_own_reports(app: Flask, demo_services: Services) -> None:
    web = signed_in(app, "admin")
    with demo_services.sessions() as session:
        plan_id = session.scalar(select(Plan.id).join(Unit).where(Unit.code == "HT", Plan.year == 2024))
    task_id = task_led_by(demo_services, "Sở Nội vụ")
    # The default reports: quý I, 6 tháng, quý III, năm; every quarter besides, of the plan's year only.
    default = ["2024-Q1", "2024-Q2", "2024-H1", "2024-Q3", "2024-Q4", "2024-Y"]
    for url in (f"/tasks?plan={plan_id}&period=2024-Q4", f"/tasks/{task_id}?period=2024-Q4",
                "/indicators?unit=HT&period=2024-Q4"):
        assert [key for key, _, _ in picker(web.get(url).get_data(as_text=True))] == default, url
    put = app.test_client().put("/api/v1/units/HT/settings", headers=bearer(demo_services),
                                json={"reports": ["Q1", "H1", "M9", "Y"]})
    assert put.status_code == 200, put.get_json()
    nine = ["2024-Q1", "2024-Q2", "2024-H1", "2024-Q3", "2024-M9", "2024-Q4", "2024-Y"]
    options = picker(web.get(f"/tasks/{task_id}?period=2024-M9").get_data(as_text=True))
    assert [key for key, _, _ in options] == nine
    assert [(key, label) for key, label, selected in options if selected] == [("2024-M9", "9 tháng 2024")]


def test_six_months_is_shown_as_six_months_in_the_heading_and_the_list(app: Flask, demo_services: Services) -> None:
    web = signed_in(app, "admin")
    with demo_services.sessions() as session:
        plan_id = session.scalar(select(Plan.id).join(Unit).where(Unit.code == "HT", Plan.year == 2024))
    page = web.get(f"/tasks?plan={plan_id}&period=2024-H1").get_data(as_text=True)
    assert "tình trạng tính đến cuối 6 tháng 2024" in page and SHARED_Q2 in page
    assert [(key, label) for key, label, selected in picker(page) if selected] == [("2024-H1", "6 tháng 2024")]
    assert "Quý I/2023" not in page and "Cập nhật 6 tháng 2024" in page


def test_the_indicator_page_keeps_six_months_and_says_the_record_is_quarter_iis(app: Flask,
                                                                               demo_services: Services) -> None:
    web = signed_in(app, "admin")
    page = web.get("/indicators?unit=HT&period=2024-H1").get_data(as_text=True)
    assert [(key, label) for key, label, selected in picker(page) if selected] == [("2024-H1", "6 tháng 2024")]
    assert '<input type="hidden" name="period" value="2024-H1">' in page
    assert "6 tháng 2024 · Số liệu lũy kế từ đầu năm đến hết kỳ 6 tháng 2024 (từ ngày 15/12/2023 đến ngày " \
           "14/06/2024)" in page
    assert SHARED_Q2 in page
    assert web_value(page) == "21"  # quý II's year-to-date value
    assert re.search(r'<th class="num">Quý I/2024</th>', page)  # the column before is quý I's
    saved = web.post("/indicators", data={"unit": "HT", "period": "2024-H1", f"value-{CODE}": "22",
                                          f"orig-{CODE}": "21", f"version-{CODE}": web_version(page),
                                          f"note-{CODE}": "", f"orig-note-{CODE}": ""})
    assert saved.status_code == 302 and "period=2024-H1" in saved.location
    with demo_services.sessions() as session:
        unit_id = session.scalar(select(Unit.id).where(Unit.code == "HT"))
        assert session.execute(select(IndicatorValue.period_key, IndicatorValue.value).where(
            IndicatorValue.code == CODE, IndicatorValue.unit_id == unit_id,
            IndicatorValue.period_key.in_(("2024-Q2", "2024-H1")))).all() == [("2024-Q2", 22.0)]


def test_the_status_form_says_it_is_year_to_date(app: Flask, demo_services: Services) -> None:
    task_id = task_led_by(demo_services, "Sở Nội vụ")
    page = signed_in(app, "admin").get(f"/tasks/{task_id}?period=2024-Q3").get_data(as_text=True)
    assert "Số liệu lũy kế từ đầu năm đến hết kỳ Quý III/2024 (từ ngày 15/12/2023 đến ngày 14/09/2024)" in page
    assert "Số liệu này dùng chung cho Quý III/2024 và 9 tháng 2024" in page
    quarter_one = signed_in(app, "admin").get(f"/tasks/{task_id}?period=2024-Q1").get_data(as_text=True)
    assert "dùng chung" not in quarter_one  # quý I's record serves quý I only


# ---------------------------------------------------------------- migration 0006

def test_migration_0006_merges_a_quarter_and_a_year_record_keeping_the_latest(database_url: str) -> None:
    engine = db.make_engine(database_url)
    config = db.alembic_config(engine)
    early, late = datetime(2024, 12, 10, 8, tzinfo=timezone.utc), datetime(2024, 12, 12, 9, tzinfo=timezone.utc)
    try:
        command.upgrade(config, "0005")
        with db.transaction(db.session_factory(engine)) as session:  # the tables these rows use are as at 0005
            unit = Unit(code="HT", name="tỉnh Hà Tĩnh", kind="tinh")
            plan = Plan(unit=unit, year=2024, year_end=2024)
            area = PlanArea(plan=plan, numeral="I", title="Công tác chỉ đạo, điều hành")
            task = Task(plan=plan, area=area, number="1", title="Ban hành kế hoạch CCHC")
            session.add_all([unit, plan, area, task])
            session.flush()
            session.add_all([
                StatusUpdate(task_id=task.id, period_key="2024-Q4", status="in_progress", result="quý IV, cũ",
                             updated_by="a", updated_at=early),
                StatusUpdate(task_id=task.id, period_key="2024-Y", status="done", result="năm, mới",
                             updated_by="b", updated_at=late),
                IndicatorValue(code=CODE, unit_id=unit.id, period_key="2024-Q4", value=44, updated_by="c",
                               updated_at=late),
                IndicatorValue(code=CODE, unit_id=unit.id, period_key="2024-Y", value=1300, updated_by="d",
                               updated_at=early)])
            task_id, unit_id = task.id, unit.id
        command.upgrade(config, "head")
        with db.session_factory(engine)() as session:
            statuses = session.execute(select(StatusUpdate.period_key, StatusUpdate.status, StatusUpdate.result,
                                              StatusUpdate.updated_by)).all()
            assert statuses == [("2024-Q4", "done", "năm, mới", "b")]  # the year's was the latest: kept, moved
            values = session.execute(select(IndicatorValue.period_key, IndicatorValue.value,
                                            IndicatorValue.updated_by)).all()
            assert values == [("2024-Q4", 44.0, "c")]  # the quarter's was the latest: the year's dropped
            status_merge = session.scalar(select(AuditEntry).where(AuditEntry.action == "status.merge"))
            assert (status_merge.entity, status_merge.entity_id, status_merge.unit_id) == ("task", str(task_id),
                                                                                           unit_id)
            [dropped] = status_merge.old["records"]
            assert (dropped["period_key"], dropped["result"], dropped["updated_by"]) == ("2024-Q4", "quý IV, cũ", "a")
            assert status_merge.new["period_key"] == "2024-Q4" and status_merge.new["result"] == "năm, mới"
            value_merge = session.scalar(select(AuditEntry).where(AuditEntry.action == "indicator.merge"))
            assert value_merge.entity_id == f"HT:{CODE}:2024-Q4"
            assert [(r["period_key"], r["value"]) for r in value_merge.old["records"]] == [("2024-Y", 1300.0)]
    finally:
        engine.dispose()


def test_a_merge_entry_is_named_and_shown_on_the_audit_page(app: Flask, demo_services: Services) -> None:
    task_id = task_led_by(demo_services, "Sở Nội vụ")
    with demo_services.transaction() as session:  # as migration 0006 writes it
        unit_id = session.scalar(select(Unit.id).where(Unit.code == "HT"))
        session.add(AuditEntry(actor="hệ thống (gộp kỳ trùng ngày chốt số liệu)", action="status.merge",
                               entity="task", entity_id=str(task_id), unit_id=unit_id,
                               old={"records": [{"period_key": "2024-Y", "result": "bản bị thay"}]},
                               new={"period_key": "2024-Q4", "result": "bản được giữ"}))
    page = signed_in(app, "admin").get("/admin/audit?action=status.merge")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Gộp tiến độ của quý và kỳ trùng ngày chốt số liệu" in text and "bản được giữ" in text
    assert ">Gộp số liệu chỉ tiêu của quý và kỳ trùng ngày chốt số liệu<" in text  # the action filter offers both
