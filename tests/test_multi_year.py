"""Issue 13 (1, 2): multi-year plans. Years from --year or the title; a year's tasks from a 2021–2025 plan."""
from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from reportsvc.cli.main import main
from reportsvc.db.models import Plan, StatusUpdate, Task, Unit
from reportsvc.importing import PlanImportError, import_plan, uploads
from reportsvc.importing.deadlines import parse_years, years_in_title
from reportsvc.importing.model import ParsedArea, ParsedItem, ParsedPlan
import reportsvc.plugin as PUBLIC
from reportsvc.collect.context import applies_in_year
from reportsvc.plugin.testing import build, section
from tests.web_fixtures import PASSWORDS

MULTI = [  # (number, title, deadline)
    ("1", "Tự kiểm tra hàng năm", "Hàng năm"),
    ("2", "Tuyên truyền thường xuyên", "Thường xuyên"),
    ("3", "Rà soát giai đoạn", "2022-2025"),
    ("4", "Ban hành quy chế", "Quý II/2023"),
    ("5", "Sửa đổi theo chủ trương", "Khi có chủ trương của Trung ương"),
    ("6", "Đề án chưa xong", "Năm 2022"),
    ("7", "Báo cáo đã xong", "Quý IV/2022"),
    ("8", "Việc của năm 2024", "Năm 2024"),
    ("9", "Tổng kết cuối năm", "Tháng 12 hàng năm"),
    ("10", "Thực hiện theo hướng dẫn", "Sau khi có hướng dẫn của Bộ Nội vụ"),
]


def parsed_plan(rows: list[tuple[str, str, str]], years: tuple[int, int], title: str) -> ParsedPlan:
    """Return a plan of area II (Cải cách thể chế) with the given tasks."""
    items = [ParsedItem(number=n, row=i + 1, title=t, lead="Sở Tư pháp", deadline=d) for i, (n, t, d) in enumerate(rows)]
    return ParsedPlan(filename="kh.docx", sha256="0" * 64, kind="docx", title=title, years=years,
                      years_source="option", areas=[ParsedArea("II", "Cải cách thể chế", "II", items)])


@pytest.fixture
def plan_services(services):  # noqa: ANN001, ANN201
    """Services with unit HT and the 2021–2025 plan imported once; tasks 1 and 7 done in 2022."""
    with services.transaction() as session:
        session.add(Unit(code="HT", name="Tỉnh Hà Tĩnh", kind="tinh", place="Hà Tĩnh"))
        session.flush()
        plan = import_plan(session, parsed_plan(MULTI, (2021, 2025), "KẾ HOẠCH CCHC GIAI ĐOẠN 2021-2025"), "HT", 2021)
        assert (plan.year, plan.year_end) == (2021, 2025)
        tasks = {t.number: t for t in plan.tasks}
        session.add(StatusUpdate(task=tasks["1"], period_key="2022-Y", status="done", completed_on=date(2022, 11, 30)))
        session.add(StatusUpdate(task=tasks["7"], period_key="2022-Y", status="done", completed_on=date(2022, 12, 1)))
    return services


def titles(services, period: str) -> dict[str, str]:  # noqa: ANN001
    """Return {task number: report status} of area II in the report of HT for ``period``."""
    return {item.number: item.status for item in section(build(services, "HT", period), "II").tasks}


def test_each_year_of_a_multi_year_plan_gets_its_tasks(plan_services) -> None:  # noqa: ANN001
    seen = {year: titles(plan_services, f"{year}-Y") for year in range(2021, 2026)}
    assert set(seen[2021]) == {"1", "2", "5", "9", "10"}
    assert set(seen[2022]) == {"1", "2", "3", "5", "6", "7", "9", "10"}
    assert set(seen[2024]) == {"1", "2", "3", "4", "5", "6", "8", "9", "10"}
    assert set(seen[2025]) == {"1", "2", "3", "4", "5", "6", "8", "9", "10"}
    assert seen[2022]["1"] == "on_time" and seen[2022]["7"] == "on_time"


def test_exactly_the_tasks_of_2023(plan_services) -> None:  # noqa: ANN001
    items = section(build(plan_services, "HT", "2023-Y"), "II").tasks
    # recurring, continuous, range, due in 2023, conditional, carried over from 2022; not 7 (done in 2022), not 8 (2024)
    assert [i.number for i in items] == ["1", "2", "3", "4", "5", "6", "9", "10"]
    status = {i.number: i.status for i in items}
    assert status["6"] == "overdue"  # carried over from 2022, not completed
    assert status["1"] == "not_started"  # done in 2022, open again in 2023
    assert status["4"] == "overdue"  # Quý II/2023 passed without an update
    overdue = section(build(plan_services, "HT", "2023-Y"), "II").overdue
    assert {i.number for i in overdue} == {"4", "6"}
    recurring = next(i for i in items if i.number == "9")
    assert recurring.deadline_end == date(2023, 12, 31)


def test_recurring_task_status_belongs_to_its_year(plan_services) -> None:  # noqa: ANN001
    with plan_services.transaction() as session:
        task = session.scalar(select(Task).where(Task.number == "1"))
        session.add(StatusUpdate(task=task, period_key="2023-Q2", status="in_progress"))
    assert titles(plan_services, "2022-Y")["1"] == "on_time"
    assert titles(plan_services, "2023-Q1")["1"] == "not_started"
    assert titles(plan_services, "2023-Y")["1"] == "in_progress"
    assert titles(plan_services, "2024-Y")["1"] == "not_started"


def test_task_completed_late_in_the_next_year_is_listed_then_dropped(plan_services) -> None:  # noqa: ANN001
    with plan_services.transaction() as session:
        task = session.scalar(select(Task).where(Task.number == "6"))
        session.add(StatusUpdate(task=task, period_key="2023-Q1", status="done", completed_on=date(2023, 2, 1)))
    assert titles(plan_services, "2023-Y")["6"] == "late"
    assert "6" not in titles(plan_services, "2024-Y")


def test_annual_plan_governs_its_year(plan_services) -> None:  # noqa: ANN001
    with plan_services.transaction() as session:
        annual = parsed_plan([("1", "Nhiệm vụ riêng năm 2023", "Quý III/2023")], (2023, 2023), "KẾ HOẠCH CCHC NĂM 2023")
        import_plan(session, annual, "HT", 2023)
        assert len(session.scalars(select(Plan)).all()) == 2
    items = section(build(plan_services, "HT", "2023-Y"), "II").tasks
    assert [(i.number, i.title) for i in items] == [("1", "Nhiệm vụ riêng năm 2023")]
    assert "4" not in titles(plan_services, "2023-Q2")
    assert set(titles(plan_services, "2024-Y")) == {"1", "2", "3", "4", "5", "6", "8", "9", "10"}


# ------------------------------------------------------------------------------------------ years


@pytest.mark.parametrize(("text", "years"), [
    ("KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2024", (2024, 2024)),
    ("Kế hoạch cải cách hành chính giai đoạn 2021-2025", (2021, 2025)),
    ("KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH 2021 - 2025", (2021, 2025)),
    ("Kế hoạch CCHC năm 2024 thực hiện Chương trình giai đoạn 2021–2030", (2024, 2024)),
    ("Hà Tĩnh, ngày 29 tháng 12 năm 2023", None),
])
def test_years_in_title(text: str, years: tuple[int, int] | None) -> None:
    assert years_in_title(text) == years


def test_parse_years() -> None:
    assert parse_years("2024") == (2024, 2024)
    assert parse_years("2021-2025") == (2021, 2025)
    assert parse_years(" 2021 – 2025 ") == (2021, 2025)
    assert parse_years("2025-2021") is None and parse_years("hai nghìn") is None


def xlsx(tmp_path: Path, title: str | None) -> Path:
    """Write a small plan workbook with ``title`` above its table."""
    path = tmp_path / "kh.xlsx"
    path.write_bytes(xlsx_bytes(title))
    return path


def xlsx_bytes(title: str | None) -> bytes:
    """Return a small plan workbook with ``title`` above its table."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    rows = [[title], []] if title else []
    rows += [["STT", "Nội dung công việc", "Cơ quan chủ trì", "Thời gian hoàn thành"],
             ["I", "Cải cách thể chế"],
             [1, "Rà soát văn bản", "Sở Tư pháp", "Hàng năm"],
             [2, "Kiểm tra văn bản", "Sở Tư pháp", "2022-2025"]]
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.fixture
def unit_services(services):  # noqa: ANN001, ANN201
    """Services with the unit HT and no plan."""
    with services.transaction() as session:
        session.add(Unit(code="HT", name="Tỉnh Hà Tĩnh", kind="tinh", place="Hà Tĩnh"))
    return services


def dry_run(runner: CliRunner, path: Path, *args: str):  # noqa: ANN201
    """Run ``reportsvc plan import PATH --unit HT --dry-run ARGS``."""
    return runner.invoke(main, ["plan", "import", str(path), "--unit", "HT", "--dry-run", *args],
                         catch_exceptions=False)


@pytest.mark.parametrize(("title", "years"), [
    ("KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2024", [2024, 2024]),
    ("KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH GIAI ĐOẠN 2021-2025", [2021, 2025]),
    ("KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH 2021 - 2025", [2021, 2025]),
])
def test_cli_dry_run_reads_years_from_title(runner: CliRunner, unit_services, tmp_path: Path, title: str,  # noqa: ANN001
                                            years: list[int]) -> None:
    path = xlsx(tmp_path, title)
    result = dry_run(runner, path, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["years"] == years
    text = dry_run(runner, path).stdout
    assert "(theo tiêu đề văn bản)" in text


def test_cli_year_option_range_and_contradiction(runner: CliRunner, unit_services, tmp_path: Path) -> None:  # noqa: ANN001
    path = xlsx(tmp_path, "KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH GIAI ĐOẠN 2021-2025")
    result = dry_run(runner, path, "--year", "2021-2025", "--json")
    assert json.loads(result.stdout)["years"] == [2021, 2025]
    assert "Năm: giai đoạn 2021-2025 (theo tham số --year)" in dry_run(runner, path, "--year", "2021-2025").stdout
    result = dry_run(runner, path, "--year", "2023", "--json")
    assert result.exit_code == 2 and result.stdout == ""
    assert "năm 2023" in result.stderr and "giai đoạn 2021-2025" in result.stderr
    untitled = xlsx(tmp_path, None)
    assert json.loads(dry_run(runner, untitled, "--year", "2022-2024", "--json").stdout)["years"] == [2022, 2024]
    result = dry_run(runner, untitled, "--json")
    assert result.exit_code == 2 and "Không đọc được năm" in result.stderr


def test_cli_import_stores_the_range(runner: CliRunner, unit_services, tmp_path: Path) -> None:  # noqa: ANN001
    services = unit_services
    path = xlsx(tmp_path, "KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH GIAI ĐOẠN 2021-2025")
    result = runner.invoke(main, ["plan", "import", str(path), "--unit", "HT"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Đã nhập kế hoạch giai đoạn 2021-2025" in result.stdout
    with services.sessions() as session:
        plan = session.scalar(select(Plan))
        assert (plan.year, plan.year_end) == (2021, 2025)
    assert set(titles(services, "2023-Y")) == {"1", "2"}
    assert set(titles(services, "2021-Y")) == {"1"}


# ------------------------------------------------------------------------------------------ web upload

RANGE_TITLE = "KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH GIAI ĐOẠN 2021-2025"


def admin_client(app):  # noqa: ANN001, ANN201
    """Return a test client signed in as the demo province's admin."""
    client = app.test_client()
    assert client.post("/login", data={"username": "admin", "password": PASSWORDS["admin"]}).status_code == 302
    return client


def web_upload(client, year: str, title: str | None, unit: str = "HT-TH-TD"):  # noqa: ANN001, ANN201
    """Post the upload form with a small workbook titled ``title``."""
    return client.post("/plans/upload", data={"unit": unit, "year": year, "file": (
        io.BytesIO(xlsx_bytes(title)), "kh_giai_doan.xlsx")}, content_type="multipart/form-data")


def unit_plans(services, code: str) -> list[tuple[int, int]]:  # noqa: ANN001
    """Return the (year, year_end) of the plans of unit ``code``."""
    with services.sessions() as session:
        return sorted((p.year, p.year_end) for p in session.scalars(select(Plan).join(Unit).where(Unit.code == code)))


@pytest.mark.parametrize("typed", ["2021-2025", " 2021 – 2025 ", ""])
def test_web_upload_of_a_multi_year_plan(app, demo_services, typed: str) -> None:  # noqa: ANN001
    client = admin_client(app)
    upload = web_upload(client, typed, RANGE_TITLE)
    assert upload.status_code == 302, upload.get_data(as_text=True)
    token = upload.location.rsplit("/", 1)[1]
    meta = json.loads((demo_services.settings.data_dir / "uploads" / f"{token}.json").read_text(encoding="utf-8"))
    assert (meta["year"], meta["year_end"]) == (2021, 2025)
    assert meta["years_source"] == ("title" if not typed else "option")
    preview = client.get(upload.location).get_data(as_text=True)
    assert "giai đoạn 2021-2025" in preview and "2 nhiệm vụ" in preview
    assert (2021, 2025) not in unit_plans(demo_services, "HT-TH-TD")
    done = client.post(f"/plans/upload/{token}/confirm", data={})
    assert done.status_code == 302 and "/plans/" in done.location
    page = client.get(done.location).get_data(as_text=True)
    assert "Đã nhập kế hoạch giai đoạn 2021-2025 cho đơn vị HT-TH-TD: 2 nhiệm vụ" in page
    assert (2021, 2025) in unit_plans(demo_services, "HT-TH-TD")
    again = web_upload(client, typed, RANGE_TITLE)
    refused = client.post(f"/plans/upload/{again.location.rsplit('/', 1)[1]}/confirm", data={})
    assert "đã có kế hoạch giai đoạn 2021-2025" in client.get(refused.location).get_data(as_text=True)


@pytest.mark.parametrize(("typed", "title", "message"), [
    ("2025-2021", RANGE_TITLE, "Năm không hợp lệ: &#39;2025-2021&#39;"),
    ("hai nghìn", RANGE_TITLE, "Năm không hợp lệ"),
    ("1990", None, "Năm không hợp lệ"),
    ("2023", RANGE_TITLE, "không khớp với năm ghi trong văn bản"),
    ("", None, "Không đọc được năm"),
])
def test_web_upload_refuses_bad_or_contradicting_years(app, demo_services, typed: str, title: str | None,  # noqa: ANN001
                                                       message: str) -> None:
    before = unit_plans(demo_services, "HT-TH-TD")
    response = web_upload(admin_client(app), typed, title)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert unit_plans(demo_services, "HT-TH-TD") == before


def test_pending_upload_saved_before_year_ranges_still_loads(tmp_path: Path) -> None:
    pending = uploads.save(tmp_path, b"noi dung", filename="KH.csv", unit_code="HT", year=2021, year_end=2025,
                           replace=False, user_id=7, sha256="ab" * 32)
    assert uploads.load(tmp_path, pending.token, 7)[0].years == (2021, 2025)
    old = {"token": "x" * 32, "filename": "KH.csv", "unit_code": "HT", "year": 2024, "replace": True,
           "user_id": 7, "sha256": "cd" * 32}
    (tmp_path / "uploads" / f"{old['token']}.bin").write_bytes(b"cu")
    (tmp_path / "uploads" / f"{old['token']}.json").write_text(json.dumps(old), encoding="utf-8")
    loaded, data = uploads.load(tmp_path, old["token"], 7)
    assert data == b"cu" and loaded.years == (2024, 2024) and loaded.years_given == (2024, 2024)
    assert loaded.label == "năm 2024" and loaded.replace


# ------------------------------------------------------------------------------------------ annual beside multi-year


def test_annual_plan_in_the_first_year_of_a_multi_year_plan(plan_services) -> None:  # noqa: ANN001
    with plan_services.transaction() as session:
        annual = parsed_plan([("1", "Nhiệm vụ riêng năm 2021", "Quý III/2021"),
                              ("2", "Kiểm tra năm 2021", "Tháng 11/2021")], (2021, 2021), "KẾ HOẠCH CCHC NĂM 2021")
        import_plan(session, annual, "HT", 2021)
        assert sorted((p.year, p.year_end) for p in session.scalars(select(Plan))) == [(2021, 2021), (2021, 2025)]
    items = section(build(plan_services, "HT", "2021-Y"), "II").tasks
    assert [(i.number, i.title) for i in items] == [("1", "Nhiệm vụ riêng năm 2021"), ("2", "Kiểm tra năm 2021")]
    assert set(titles(plan_services, "2022-Y")) == {"1", "2", "3", "5", "6", "7", "9", "10"}  # the 2021–2025 plan
    with plan_services.transaction() as session:  # the same years again: refused unless replaced
        with pytest.raises(PlanImportError, match="đã có kế hoạch năm 2021"):
            import_plan(session, parsed_plan(MULTI[:1], (2021, 2021), "KẾ HOẠCH CCHC NĂM 2021"), "HT", 2021)
    with plan_services.transaction() as session:
        with pytest.raises(PlanImportError, match="đã có kế hoạch giai đoạn 2021-2025"):
            import_plan(session, parsed_plan(MULTI, (2021, 2025), "KẾ HOẠCH CCHC GIAI ĐOẠN 2021-2025"), "HT", 2021)
    with plan_services.transaction() as session:
        replaced = import_plan(session, parsed_plan(MULTI[:1], (2021, 2021), "KẾ HOẠCH CCHC NĂM 2021"), "HT", 2021,
                               replace=True)
        assert (replaced.year, replaced.year_end) == (2021, 2021)
        assert len(session.scalars(select(Plan)).all()) == 2
    assert [i.title for i in section(build(plan_services, "HT", "2021-Y"), "II").tasks] == ["Tự kiểm tra hàng năm"]


def test_the_database_allows_plans_of_different_years_from_the_same_first_year(services) -> None:  # noqa: ANN001
    with services.transaction() as session:
        unit = Unit(code="HT", name="Tỉnh Hà Tĩnh", kind="tinh", place="Hà Tĩnh")
        session.add_all([unit, Plan(unit=unit, year=2021, year_end=2025), Plan(unit=unit, year=2021, year_end=2021)])
    with pytest.raises(IntegrityError):
        with services.transaction() as session:
            unit = session.scalar(select(Unit).where(Unit.code == "HT"))
            session.add(Plan(unit=unit, year=2021, year_end=2025))


# ------------------------------------------------------------------------------------------ every list


def test_dashboard_task_list_and_completeness_use_the_years_tasks(plan_services) -> None:  # noqa: ANN001
    from reportsvc.services.overview import overview
    from reportsvc.services.tasks import get_plan, list_tasks
    from reportsvc.services.permissions import Actor
    from reportsvc.periods import parse_period
    from reportsvc.collect.completeness import completeness
    from reportsvc.collect.context import CollectContext
    with plan_services.transaction() as session:
        parent = session.scalar(select(Unit).where(Unit.code == "HT"))
        session.add(Unit(code="HT-TOP", name="Cấp trên", kind="tinh", place="Hà Tĩnh"))
        session.flush()
        parent.parent = session.scalar(select(Unit).where(Unit.code == "HT-TOP"))
    with plan_services.sessions() as session:
        unit = session.scalar(select(Unit).where(Unit.code == "HT"))
        dash = overview(session, plan_services.registry, unit, parse_period("2023-Y"))
        assert dash.totals.total == 8 and {o.item.number for o in dash.overdue} == {"4", "6"}
        assert overview(session, plan_services.registry, unit, parse_period("2021-Y")).totals.total == 5
        plan = get_plan(session, unit_code="HT", year=2023)
        admin = Actor(id=0, username="x", full_name="X", role="admin", unit_id=unit.id, unit_code="HT")
        assert [r.task.number for r in list_tasks(session, admin, plan, parse_period("2023-Q4"))] == \
            ["1", "2", "3", "4", "5", "6", "9", "10"]
        top = session.scalar(select(Unit).where(Unit.code == "HT-TOP"))
        context = CollectContext(session=session, unit=top, period=parse_period("2023-Y"), registry=plan_services.registry)
        row = next(r for r in completeness(context) if r.kind == "unit")
        assert row.assigned == 8
    assert PUBLIC.applies_in_year is applies_in_year and "is_multi_year" in PUBLIC.__all__


def test_completeness_agency_rows_count_the_years_tasks(services) -> None:  # noqa: ANN001
    """An agency row counts the tasks of a 2021–2025 plan that apply in the report's year, its own and the
    department groups' ("Các sở, ban, ngành"), like the unit rows below: not every task of the plan."""
    from reportsvc.collect.completeness import completeness
    from reportsvc.collect.context import CollectContext
    from reportsvc.db.models import Agency
    from reportsvc.periods import parse_period

    shared = [("11", "Việc chung năm 2024", "Năm 2024"), ("12", "Rà soát chung", "Thường xuyên")]
    with services.transaction() as session:
        unit = Unit(code="HT", name="Tỉnh Hà Tĩnh", kind="tinh", place="Hà Tĩnh")
        session.add(unit)
        session.flush()
        session.add_all([Agency(name="Sở Tư pháp", key="so tu phap", unit_id=unit.id),
                         Agency(name="Sở Nội vụ", key="so noi vu", unit_id=unit.id)])
        session.flush()
        parsed = parsed_plan(MULTI + shared, (2021, 2025), "KẾ HOẠCH CCHC GIAI ĐOẠN 2021-2025")
        for item in parsed.areas[0].items[len(MULTI):]:
            item.lead = "Các sở, ban, ngành"
        plan = import_plan(session, parsed, "HT", 2021)
        tasks = {t.number: t for t in plan.tasks}
        assert tasks["11"].lead_group == "so" and tasks["1"].agencies[0].agency.name == "Sở Tư pháp"
        justice = session.scalar(select(Agency).where(Agency.name == "Sở Tư pháp"))
        session.add(StatusUpdate(task=tasks["7"], period_key="2022-Y", status="done", completed_on=date(2022, 12, 1)))
        session.add(StatusUpdate(task=tasks["4"], period_key="2023-Q2", status="done", agency=justice,
                                 completed_on=date(2023, 6, 1)))
    with services.sessions() as session:
        unit = session.scalar(select(Unit).where(Unit.code == "HT"))

        def rows(period: str) -> dict[str, tuple[int, int]]:
            context = CollectContext(session=session, unit=unit, period=parse_period(period), registry=services.registry)
            return {r.name: (r.assigned, r.reported) for r in completeness(context) if r.kind == "agency"}

        # 2023: its own 1, 2, 3, 4, 5, 6, 9, 10 (not 7, done in 2022; not 8, of 2024) and the group's 12
        assert rows("2023-Y") == {"Sở Tư pháp": (9, 1), "Sở Nội vụ": (1, 0)}
        # 2024: 8 and 11 are 2024's; 4 was done in 2023
        assert rows("2024-Y") == {"Sở Tư pháp": (8 + 2, 0), "Sở Nội vụ": (2, 0)}
        assert rows("2021-Y") == {"Sở Tư pháp": (5 + 1, 0), "Sở Nội vụ": (1, 0)}


def test_the_plan_list_and_page_show_a_multi_year_plans_years(app, demo_services) -> None:  # noqa: ANN001
    with demo_services.transaction() as session:
        plan = import_plan(session, parsed_plan(MULTI, (2021, 2025), ""), "HT-TH-TD", 2021)
        plan_id = plan.id
    client = admin_client(app)
    listing = client.get("/plans").get_data(as_text=True)
    row = next(line for line in listing.split("<tr>") if f"/plans/{plan_id}\"" in line)
    assert '<td class="nowrap">2021–2025</td>' in row and "Kế hoạch CCHC giai đoạn 2021–2025" in row
    assert '<td class="nowrap">2024</td>' in listing  # the demo's annual plans keep their one year
    page = client.get(f"/plans/{plan_id}").get_data(as_text=True)
    assert "<title>Kế hoạch 2021–2025" in page and "· giai đoạn 2021–2025 ·" in page
