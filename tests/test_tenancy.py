"""Two provinces in one database: every web route and every API endpoint, walked with each role of each
province against the other's records, reads nothing of the other province and changes nothing of it."""
from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from reportsvc.db.models import (Agency, ApiToken, EvidenceFile, GeneratedReport, IndicatorValue, Plan, ReportDraft,
                                 Submission,
                                 ReportFile, StatusUpdate, Task, TaskAgency, Unit, User)
from reportsvc.demo.data import AREAS
from reportsvc.demo.load import parsed_plan
from reportsvc.importing.store import import_plan
from reportsvc.services.accounts import create_user, issue_token
from reportsvc.services.agencies import add_agency
from reportsvc.services.runtime import Services
from reportsvc.services.units import add_unit
from tests.web_fixtures import PASSWORDS, route_url, routes

QT_PASSWORD = "mat-khau-quang-tri"
# What each province's pages must never show to the other's users.
MARKERS = {"HT": ("huyện Thạch Hà", "Cẩm Vịnh", "HT-MẬT"), "QT": ("tỉnh Quảng Trị", "Vĩnh Linh", "QT-MẬT")}
ROLES = {"HT": {"admin": "admin", "editor": "stp", "viewer": "xem"},
         "QT": {"admin": "qt_admin", "editor": "qt_stp", "viewer": "qt_xem"}}


def _add_quang_tri(services: Services) -> None:
    """A second province beside the demo: its units, its own Sở Tư pháp, a plan, values, a report and users."""
    with services.transaction() as session:
        add_unit(session, "QT", "tỉnh Quảng Trị", "tinh", None, "test")
        add_unit(session, "QT-VL", "xã Vĩnh Linh", "xa", "QT", "test")
        add_agency(session, "QT", "Sở Tư pháp", "test")
        parsed = parsed_plan("tỉnh Quảng Trị", AREAS, services.registry)
        for area in parsed.areas:
            for item in area.items:
                item.title += " QT-MẬT"
        plan = import_plan(session, parsed, "QT", 2024, user="test")
        task = session.scalars(select(Task).where(Task.plan_id == plan.id).order_by(Task.position)).first()
        update = StatusUpdate(task=task, period_key="2024-Q1", status="in_progress", result="Đang làm QT-MẬT")
        secret = "%PDF-1.4 QT-MẬT".encode()
        update.files.append(EvidenceFile(filename="qt.pdf", content_type="application/pdf", size=len(secret),
                                         content=secret, sha256=hashlib.sha256(secret).hexdigest()))
        session.add(update)
        qt = session.scalar(select(Unit).where(Unit.code == "QT"))
        session.add(IndicatorValue(code="TTHC_HS_TIEP_NHAN", unit_id=qt.id, period_key="2024-Q1", value=777))
        session.add(ReportDraft(unit_id=qt.id, period_key="2024-Q1", section="III", text="Nhận xét QT-MẬT"))
        report = GeneratedReport(unit_id=qt.id, period_key="2024-Q1", version=1, title="Báo cáo QT-MẬT",
                                 model_json="{}", created_by="test")
        report.files.append(ReportFile(format="docx", filename="qt.docx", size=6, content=b"QT-MAT",
                                       sha256=hashlib.sha256(b"QT-MAT").hexdigest()))
        session.add(report)
        create_user(session, "qt_admin", "admin", QT_PASSWORD, unit_code="QT")
        create_user(session, "qt_stp", "editor", QT_PASSWORD, unit_code="QT", agency_name="Sở Tư pháp")
        create_user(session, "qt_xem", "viewer", QT_PASSWORD, unit_code="QT")
        ht_task = session.scalars(select(Task).join(Plan).join(Unit).where(Unit.code == "HT")
                                  .order_by(Task.position)).first()
        ht_task.title += " HT-MẬT"
        secret = "%PDF-1.4 HT-MẬT".encode()
        ht_update = session.scalar(select(StatusUpdate).where(StatusUpdate.task_id == ht_task.id)
                                   .order_by(StatusUpdate.id)) or StatusUpdate(task=ht_task, period_key="2024-Q1",
                                                                               status="in_progress")
        ht_update.files.append(EvidenceFile(filename="ht.pdf", content_type="application/pdf", size=len(secret),
                                            content=secret, sha256=hashlib.sha256(secret).hexdigest()))
        session.add(ht_update)


def _samples(services: Services, province: str) -> dict[str, Any]:
    """Return a value for every URL argument, all pointing at ``province``'s records."""
    with services.sessions() as session:
        unit = session.scalar(select(Unit).where(Unit.code == province))
        task = session.scalar(select(Task.id).join(Plan).where(Plan.unit_id == unit.id).order_by(Task.position))
        return {"task_id": task, "plan_id": session.scalar(select(Plan.id).where(Plan.unit_id == unit.id)),
                "report_id": session.scalar(select(GeneratedReport.id).where(GeneratedReport.unit_id == unit.id)),
                "user_id": session.scalar(select(User.id).where(User.unit_id == unit.id)),
                "agency_id": session.scalar(select(Agency.id).where(Agency.unit_id == unit.id)),
                "code": province, "unit": province, "fmt": "docx", "token": "x" * 32, "name": "the_che",
                "token_id": session.scalar(select(ApiToken.id).join(User).where(User.unit_id == unit.id)) or 0,
                "file_id": session.scalar(select(EvidenceFile.id).join(StatusUpdate)
                                          .where(StatusUpdate.task_id == task)),
                "submission_id": _submission_of(session, unit)}


def _submission_of(session: Session, unit: Unit) -> int:
    """Return a submission of ``unit``'s data, handing one in when it has none (Quảng Trị is built bare)."""
    found = session.scalar(select(Submission.id).where(Submission.unit_id == unit.id).order_by(Submission.id))
    if found is not None:
        return found
    row = Submission(unit_id=unit.id, party="unit", period_key="2024-Q1", state="submitted", submitted_by="test")
    session.add(row)
    session.commit()
    return row.id


def _fingerprint(services: Services, province: str) -> str:
    """Return a hash of every row of ``province``'s subtree that a user could change."""
    with services.sessions() as session:
        root = session.scalar(select(Unit).where(Unit.code == province))
        ids, frontier = {root.id}, [root.id]
        while frontier:
            frontier = list(session.scalars(select(Unit.id).where(Unit.parent_id.in_(frontier))))
            ids.update(frontier)
        rows: list[Any] = []
        rows += session.execute(select(Unit.code, Unit.name, Unit.kind, Unit.parent_id, Unit.settings, Unit.valid_to)
                                .where(Unit.id.in_(ids)).order_by(Unit.id)).all()
        rows += session.execute(select(Agency.id, Agency.name, Agency.successor_id).where(Agency.unit_id.in_(ids))
                                .order_by(Agency.id)).all()
        plans = select(Plan.id).where(Plan.unit_id.in_(ids))
        rows += session.execute(select(Plan.id, Plan.year, Plan.title, Plan.source_filename).where(Plan.id.in_(plans))
                                .order_by(Plan.id)).all()
        tasks = select(Task.id).where(Task.plan_id.in_(plans))
        rows += session.execute(select(Task.id, Task.title).where(Task.id.in_(tasks)).order_by(Task.id)).all()
        rows += session.execute(select(TaskAgency.task_id, TaskAgency.agency_id, TaskAgency.role)
                                .where(TaskAgency.task_id.in_(tasks)).order_by(TaskAgency.id)).all()
        rows += session.execute(select(StatusUpdate.task_id, StatusUpdate.period_key, StatusUpdate.status,
                                       StatusUpdate.result, StatusUpdate.version)
                                .where(StatusUpdate.task_id.in_(tasks)).order_by(StatusUpdate.id)).all()
        rows += session.execute(select(Submission.id, Submission.party, Submission.period_key, Submission.state,
                                       Submission.version).where(Submission.unit_id.in_(ids))
                                .order_by(Submission.id)).all()
        rows += session.execute(select(EvidenceFile.id, EvidenceFile.sha256).join(StatusUpdate)
                                .where(StatusUpdate.task_id.in_(tasks)).order_by(EvidenceFile.id)).all()
        rows += session.execute(select(IndicatorValue.code, IndicatorValue.period_key, IndicatorValue.value)
                                .where(IndicatorValue.unit_id.in_(ids)).order_by(IndicatorValue.id)).all()
        rows += session.execute(select(ReportDraft.section, ReportDraft.text).where(ReportDraft.unit_id.in_(ids))
                                .order_by(ReportDraft.id)).all()
        rows += session.execute(select(GeneratedReport.id, GeneratedReport.version)
                                .where(GeneratedReport.unit_id.in_(ids)).order_by(GeneratedReport.id)).all()
        rows += session.execute(select(User.username, User.role, User.active, User.agency_id, User.unit_id,
                                       User.password_hash).where(User.unit_id.in_(ids)).order_by(User.id)).all()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def _form(other: dict[str, Any]) -> dict[str, Any]:
    """A form that fills every field a page of the app may read, aimed at the other province."""
    return {"unit": other["code"], "period": "2024-Q1", "year": "2024", "version": "0", "status": "done",
            "result": "đã sửa", "enabled": "0", "name": "Tên mới", "new_name": "Tên mới", "kind": "xa",
            "parent": other["code"], "code": f"{other['code']}-MOI", "alias": "Bí danh", "into": "Sở Mới",
            "agency": "Sở Tư pháp", "username": "xamnhap", "password": "mat-khau-xam-nhap", "role": "admin",
            "full_name": "Xâm nhập", "signer_name": "Xâm nhập", "doc_symbol": "BC-XN", "formats": "docx",
            "action": "generate", "text-III": "Sửa trái phép", "value-TTHC_HS_TIEP_NHAN": "1",
            "replace": "1", "active": "0"}


def _bodies(other: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """A valid JSON body for each API write, aimed at the other province's records."""
    return {
        ("POST", "api.post_status"): {"period": "2024-Q1", "status": "done", "version": 0},
        ("POST", "api.post_evidence"): {},  # a JSON body where a file is expected: refused, whoever sends it
        ("POST", "api.post_indicator_value"): {"unit": other["code"], "period": "2024-Q1",
                                               "code": "TTHC_HS_TIEP_NHAN", "value": 5, "version": 0},
        ("POST", "api.post_report"): {"unit": other["code"], "period": "2024-Q1", "formats": ["docx"]},
        ("POST", "api.post_unit"): {"code": f"{other['code']}-MOI", "name": "xã Mới", "kind": "xa",
                                    "parent": other["code"]},
        ("PATCH", "api.patch_unit"): {"name": "tỉnh Đổi Tên"},
        ("PUT", "api.put_unit_settings"): {"signer_name": "Xâm nhập"},
        ("POST", "api.post_unit_agency"): {"name": "Sở Mới"},
        ("PATCH", "api.patch_plan"): {"number": "99"},
        ("POST", "api.post_submission"): {"unit": other["code"], "period": "2024-Q1"},
        ("POST", "api.approve_submission"): {},
        ("POST", "api.return_submission"): {"reason": "Xâm nhập"},
        ("POST", "api.reopen_submission"): {"reason": "Xâm nhập"},
        ("POST", "api.post_user"): {"username": "xamnhap", "password": "mat-khau-xam-nhap", "role": "admin",
                                    "unit": other["code"]},
    }


def _token(services: Services, username: str) -> str:
    with services.transaction() as session:
        return issue_token(session, session.scalar(select(User).where(User.username == username)), "test")


def _login(app: Flask, username: str):  # noqa: ANN202 - a FlaskClient
    client = app.test_client()
    password = PASSWORDS.get(username, QT_PASSWORD)
    assert client.post("/login", data={"username": username, "password": password}).status_code == 302
    return client


@pytest.mark.parametrize("province", ["HT", "QT"])
@pytest.mark.parametrize("role", ["admin", "editor", "viewer"])
def test_no_route_reads_or_writes_across_provinces(app: Flask, demo_services: Services, province: str,
                                                   role: str) -> None:
    _add_quang_tri(demo_services)
    other = "QT" if province == "HT" else "HT"
    username = ROLES[province][role]
    values = _samples(demo_services, other)
    before = _fingerprint(demo_services, other)
    client, token = _login(app, username), _token(demo_services, username)
    bodies = _bodies(values)
    walked = 0
    for rule, method in routes(app):
        if rule.endpoint in ("auth.logout", "auth.logout_all", "auth.login", "static", "health.healthz",
                             "api.openapi"):
            continue
        url = route_url(rule, values)
        if rule.endpoint.startswith("api."):
            headers = {"Authorization": f"Bearer {token}"}
            if method == "GET":
                response = client.get(url, headers=headers, query_string={"unit": other, "period": "2024-Q1"})
            else:
                assert (method, rule.endpoint) in bodies, f"no body for {method} {rule.endpoint}: add one"
                response = client.open(url, method=method, headers=headers, json=bodies[(method, rule.endpoint)])
        elif method == "GET":
            response = client.get(url, query_string={"unit": other, "period": "2024-Q1"})
        else:
            response = client.open(url, method=method, data=_form(values))
        walked += 1
        text = response.get_data(as_text=True)
        assert response.status_code < 500, (method, url, response.status_code, text[:300])
        if response.status_code < 400:
            leaked = [marker for marker in MARKERS[other] if marker in text]
            assert not leaked, (username, method, url, response.status_code, leaked)
    assert walked > 40
    assert _fingerprint(demo_services, other) == before, f"{username} changed {other}'s data"


def test_each_province_sees_and_changes_its_own(app: Flask, demo_services: Services) -> None:
    """The walk above is not vacuous: the same pages show each province its own records."""
    _add_quang_tri(demo_services)
    for province, other in (("HT", "QT"), ("QT", "HT")):
        client = _login(app, ROLES[province]["admin"])
        values = _samples(demo_services, province)
        page = client.get(f"/tasks/{values['task_id']}").get_data(as_text=True)
        assert MARKERS[province][-1] in page
        assert client.get(f"/tasks/{_samples(demo_services, other)['task_id']}").status_code == 404
        token = _token(demo_services, ROLES[province]["admin"])
        listed = client.get("/api/v1/units", headers={"Authorization": f"Bearer {token}"}).get_json()
        codes = {row["code"] for row in (listed["units"] if isinstance(listed, dict) else listed)}
        assert province in codes and other not in codes
    # The Quảng Trị editor records its own Sở Tư pháp's task; Hà Tĩnh's is out of its reach.
    qt_task = _qt_task_led_by_justice(demo_services)
    client = _login(app, "qt_stp")
    assert client.post(f"/tasks/{qt_task}/status", data={"period": "2024-Q2", "version": "0", "status": "done",
                                                        "completed_on": "10/03/2024",
                                                        "result": "Xong"}).status_code == 302
    with demo_services.sessions() as session:
        assert session.scalar(select(StatusUpdate.result).where(StatusUpdate.task_id == qt_task,
                                                                StatusUpdate.period_key == "2024-Q2")) == "Xong"
    assert date(2024, 3, 10).year == 2024


def _qt_task_led_by_justice(services: Services) -> int:
    with services.sessions() as session:
        return session.scalar(select(Task.id).join(Plan).join(Unit).join(TaskAgency, TaskAgency.task_id == Task.id)
                              .join(Agency, Agency.id == TaskAgency.agency_id)
                              .where(Unit.code == "QT", Agency.name == "Sở Tư pháp", TaskAgency.role == "lead")
                              .order_by(Task.position).limit(1))


def test_the_demo_loads_beside_another_province(services: Services) -> None:
    """`reportsvc demo` into a database that already holds another province adds Hà Tĩnh and touches nothing else."""
    from click.testing import CliRunner

    from reportsvc.cli.main import main

    with services.transaction() as session:
        add_unit(session, "QT", "tỉnh Quảng Trị", "tinh", None, "test")
        add_agency(session, "QT", "Sở Tư pháp", "test")
        create_user(session, "qt_admin", "admin", QT_PASSWORD, unit_code="QT")
    before = _fingerprint(services, "QT")
    result = CliRunner().invoke(main, ["demo"])
    assert result.exit_code == 0, result.output
    assert _fingerprint(services, "QT") == before
    with services.sessions() as session:
        justice = session.execute(select(Unit.code).join(Agency, Agency.unit_id == Unit.id)
                                  .where(Agency.name == "Sở Tư pháp").order_by(Unit.code)).scalars().all()
        assert justice == ["HT", "QT"]  # two agencies of the same name, one per province
        led = session.scalars(select(Unit.code).join(Plan, Plan.unit_id == Unit.id).join(Task)
                              .join(TaskAgency, TaskAgency.task_id == Task.id).join(Agency)
                              .where(Agency.name == "Sở Tư pháp").distinct()).all()
        assert led == ["HT"]  # Hà Tĩnh's plan names its own department, never Quảng Trị's
