"""``reportsvc demo --communes N``: a two-tier demo province whose communes each have a plan, updates and values."""
from __future__ import annotations

import unicodedata

from click.testing import CliRunner
from sqlalchemy import func, select

from reportsvc.db.models import Agency, AuditEntry, IndicatorValue, Plan, StatusUpdate, Task, TaskAgency, Unit, User
from reportsvc.demo.scale import CODE_BASE, MAX_COMMUNES, PROVINCE, YEAR, commune_names
from reportsvc.periods import Period
from reportsvc.report.build import build_report
from reportsvc.services.runtime import Services
from tests.cli_helpers import ok, refused

AREAS = {"I", "II", "III", "IV", "V", "VI", "VII"}


def counts(services: Services) -> tuple[int, ...]:
    """Return how many units, plans, tasks, status updates, values, agencies and audit entries are stored."""
    with services.sessions() as session:
        return tuple(session.scalar(select(func.count(model.id)))
                     for model in (Unit, Plan, Task, StatusUpdate, IndicatorValue, Agency, AuditEntry))


def test_twelve_communes_each_with_plan_updates_and_values(runner: CliRunner, services: Services) -> None:
    result = ok(runner, "demo", "--communes", "12")
    assert "Tỉnh mẫu tỉnh Minh Sơn (mã 99) có 12 xã, phường." in result.stdout
    assert "minhson-admin / minhson-demo-2025 / admin" in result.stdout
    with services.sessions() as session:
        province = session.scalar(select(Unit).where(Unit.code == PROVINCE["code"]))
        assert (province.kind, province.parent_id) == ("tinh", None)
        communes = list(session.scalars(select(Unit).where(Unit.parent_id == province.id).order_by(Unit.code)))
        assert [c.code for c in communes] == [str(CODE_BASE + i) for i in range(1, 13)]
        assert [(c.kind, c.name) for c in communes] == commune_names(12)
        assert {c.kind for c in communes} == {"xa", "phuong"}  # no district tier: communes sit under the province
        for commune in communes:
            assert unicodedata.is_normalized("NFC", commune.name) and commune.name.split(" ", 1)[1] == commune.place
            plan = session.scalar(select(Plan).where(Plan.unit_id == commune.id, Plan.year == YEAR))
            assert plan.doc_number and plan.doc_date and plan.issuing_body == f"Ủy ban nhân dân {commune.name}"
            assert {area.area_code for area in plan.areas} == AREAS
            assert all(2 <= len(area.tasks) <= 3 for area in plan.areas)
            for task in plan.tasks:
                assert commune.name in task.title or "{" not in task.title
                assert task.deadline_kind != "unknown" and task.deadline_raw
                leads = [link.agency for link in task.agencies if link.role == "lead"]
                assert len(leads) == 1 and leads[0].unit_id == commune.id and leads[0].name == task.lead_text
            updates = session.scalar(select(func.count(StatusUpdate.id)).join(Task).where(Task.plan_id == plan.id))
            assert updates >= len(plan.tasks)
            done = session.scalars(select(StatusUpdate).join(Task).where(Task.plan_id == plan.id,
                                                                         StatusUpdate.status == "done"))
            assert all(u.evidence_number and u.evidence_date == u.completed_on for u in done)
            keys = set(session.scalars(select(IndicatorValue.period_key).where(IndicatorValue.unit_id == commune.id)))
            assert keys == {f"{year}-Q{q}" for year in (YEAR - 1, YEAR) for q in range(1, 5)}
        ward = next(c for c in communes if c.kind == "phuong")
        assert "Phòng Kinh tế, Hạ tầng và Đô thị" in set(session.scalars(select(Agency.name).where(
            Agency.unit_id == ward.id)))
        audited = session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "plan.import"))
        assert audited == 13  # the province's plan and each commune's
        admin = session.scalar(select(User).where(User.username == "minhson-admin"))
        assert admin.unit_id == province.id and admin.agency.name == "Sở Nội vụ"


def test_the_province_report_rolls_the_communes_up(runner: CliRunner, services: Services) -> None:
    ok(runner, "demo", "--communes", "12")
    period = Period(YEAR, "Y")
    with services.sessions() as session:
        report = build_report(session, services.registry, PROVINCE["code"], period)
        received = session.scalar(select(func.sum(IndicatorValue.value)).join(Unit).where(
            Unit.code != PROVINCE["code"], IndicatorValue.code == "TTHC_HS_TIEP_NHAN",
            IndicatorValue.period_key == period.record_key))
    rows = {row.code: row for area in report.areas for row in area.indicators}
    assert rows["TTHC_HS_TIEP_NHAN"].rolled_up_from == 12 and rows["TTHC_HS_TIEP_NHAN"].actual == received
    assert rows["CQS_HNTT_XA"].rolled_up_from == 12
    assert rows["CD_KIEM_TRA"].target == 30 and rows["CD_KIEM_TRA"].actual == 33  # the province's own
    units = [entry for entry in report.completeness if entry.kind == "unit"]
    assert len(units) == 12 and all(entry.assigned and entry.reported for entry in units)


def test_running_again_adds_only_what_is_missing(runner: CliRunner, services: Services) -> None:
    ok(runner, "demo", "--communes", "5")
    before = counts(services)
    again = ok(runner, "demo", "--communes", "5")
    assert "thêm 0 đơn vị, 0 kế hoạch, 0 cập nhật tiến độ, 0 số liệu chỉ tiêu" in again.stdout
    assert counts(services) == before
    more = ok(runner, "demo", "--communes", "8")
    assert "có 8 xã, phường" in more.stdout and "thêm 3 đơn vị, 3 kế hoạch" in more.stdout
    fewer = ok(runner, "demo", "--communes", "2")
    assert "có 8 xã, phường" in fewer.stdout and "thêm 0 đơn vị" in fewer.stdout  # nothing is removed
    with services.sessions() as session:
        assert session.scalar(select(func.count(Plan.id))) == 9
        assert session.scalar(select(func.count(TaskAgency.id)).where(TaskAgency.role == "lead")) == \
            session.scalar(select(func.count(Task.id)))


def test_names_are_distinct_and_the_same_on_every_call() -> None:
    names = commune_names(MAX_COMMUNES)
    assert len({name for _, name in names}) == MAX_COMMUNES
    assert commune_names(40) == names[:40]
    assert all(unicodedata.is_normalized("NFC", name) for _, name in names)
    assert 0.1 < sum(kind == "phuong" for kind, _ in names) / MAX_COMMUNES < 0.3


def test_bad_counts_and_a_taken_code_are_refused(runner: CliRunner, services: Services) -> None:
    assert refused(runner, "demo", "--communes", "0") == \
        f"Lỗi: Số xã, phường không hợp lệ: '0' (cần số nguyên từ 1 đến {MAX_COMMUNES})."
    assert refused(runner, "demo", "--communes", "mười") == \
        f"Lỗi: Số xã, phường không hợp lệ: 'mười' (cần số nguyên từ 1 đến {MAX_COMMUNES})."
    ok(runner, "units", "add", PROVINCE["code"], "--name", "Tỉnh Khác", "--kind", "tinh")
    assert refused(runner, "demo", "--communes", "3") == \
        "Lỗi: Mã 99 của tỉnh mẫu đã dùng cho Tỉnh Khác; không nạp được tỉnh mẫu."
    with services.sessions() as session:
        assert session.scalar(select(func.count(Unit.id))) == 1
