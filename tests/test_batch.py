"""``reportsvc report batch``: every unit's report on a process pool, archived once, failures listed, resumable."""
from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select, update

from reportsvc.db.models import AuditEntry, GeneratedReport, Unit
from reportsvc.demo.scale import PROVINCE
from reportsvc.periods import Period
from reportsvc.services.batch import (FAILED, MADE, SKIPPED, Outcome, close_services, make_report, parse_kinds,
                                     select_units)
from reportsvc.services.runtime import Services
from reportsvc.services.units import update_settings
from tests.cli_helpers import ok, refused, run

PERIOD = "2025-Y"
FAILING_PLUGIN = '''
from reportsvc.plugin import AreaSpec, hookimpl, standard_section

AREA = AreaSpec(code="LOI_THU", title="Lĩnh vực thử lỗi", order=95)


@hookimpl
def reportsvc_areas():
    return [AREA]


@hookimpl
def reportsvc_collect_section(area, context):
    if context.unit.code == "{code}":
        raise ValueError("bảng số liệu của đơn vị này bị hỏng")
    return standard_section(area, context)
'''


@pytest.fixture
def communes(runner: CliRunner, services: Services) -> dict[str, tuple[str, str]]:
    """Load the demo province with 12 communes; return their (kind, name) by code."""
    ok(runner, "demo", "--communes", "12")
    with services.sessions() as session:
        province = session.scalar(select(Unit.id).where(Unit.code == PROVINCE["code"]))
        return {code: (kind, name) for code, kind, name in session.execute(
            select(Unit.code, Unit.kind, Unit.name).where(Unit.parent_id == province).order_by(Unit.code))}


def archive(services: Services) -> dict[str, list[int]]:
    """Return the archived versions of the period by unit code."""
    with services.sessions() as session:
        rows = session.execute(select(Unit.code, GeneratedReport.version).join(Unit)
                               .where(GeneratedReport.period_key == PERIOD).order_by(GeneratedReport.version))
        found: dict[str, list[int]] = {}
        for code, version in rows:
            found.setdefault(code, []).append(version)
        return found


def generated_by(services: Services) -> list[str]:
    """Return the actor of every report.generate audit entry."""
    with services.sessions() as session:
        return list(session.scalars(select(AuditEntry.actor).where(AuditEntry.action == "report.generate")))


def test_batch_archives_each_unit_once_skips_them_then_makes_new_versions(
        runner: CliRunner, services: Services, communes: dict[str, tuple[str, str]]) -> None:
    first = ok(runner, "report", "batch", "--period", PERIOD, "--under", "99", "--format", "docx", "--jobs", "2")
    assert "Tạo báo cáo năm 2025 (docx) cho 12 đơn vị dưới 99, 2 tiến trình song song." in first.stdout
    assert "tạo 12 báo cáo, bỏ qua 0 đơn vị đã có báo cáo kỳ này, 0 đơn vị lỗi." in first.stdout
    assert "Đang tạo báo cáo" in first.stderr  # the progress bar
    assert archive(services) == {code: [1] for code in communes}  # the province itself is not below the top
    with services.sessions() as session:
        reports = list(session.scalars(select(GeneratedReport).where(GeneratedReport.period_key == PERIOD)))
        assert all([f.format for f in r.files if f.format in ("docx", "pdf")] == ["docx"] for r in reports)
    actors = generated_by(services)
    assert len(actors) == 12 and all(actor.startswith("cli:") for actor in actors)

    second = ok(runner, "report", "batch", "--period", PERIOD, "--format", "docx")
    assert second.stdout == ("Không có đơn vị nào cần tạo báo cáo năm 2025 dưới 99: 12 đơn vị đã có báo cáo kỳ này trong kho "
                             "(dùng --again để tạo phiên bản mới).\n")
    assert len(generated_by(services)) == 12

    wards = sorted(code for code, (kind, _) in communes.items() if kind == "phuong")
    again = ok(runner, "--user", "minhson-admin", "report", "batch", "--period", PERIOD, "--kind", "phuong",
               "--format", "docx", "--jobs", "2", "--again")
    assert f"cho {len(wards)} đơn vị dưới 99 (loại: phường)" in again.stdout
    assert archive(services) == {code: [1, 2] if code in wards else [1] for code in communes}
    assert generated_by(services)[12:] == ["minhson-admin"] * len(wards)  # workers act as the --user account


def test_a_unit_that_fails_is_listed_and_the_others_are_archived(
        runner: CliRunner, services: Services, communes: dict[str, tuple[str, str]], tmp_path: Path) -> None:
    wards = sorted(code for code, (kind, _) in communes.items() if kind == "phuong")
    broken = wards[1]
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "loi_mot_xa.py").write_text(textwrap.dedent(FAILING_PLUGIN).replace("{code}", broken), encoding="utf-8")
    result = run(runner, "--plugins-dir", str(folder), "report", "batch", "--period", PERIOD, "--under", "99",
                 "--kind", "phuong", "--format", "docx", "--jobs", "2")
    assert result.exit_code == 1, result.output
    assert f"tạo {len(wards) - 1} báo cáo, bỏ qua 0 đơn vị đã có báo cáo kỳ này, 1 đơn vị lỗi." in result.stdout
    assert (f"Các đơn vị không tạo được báo cáo (1):\n  {broken} {communes[broken][1]}: Plugin 'loi_mot_xa' lỗi khi "
            f"tổng hợp lĩnh vực LOI_THU (Lĩnh vực thử lỗi): bảng số liệu của đơn vị này bị hỏng\n") in result.stderr
    assert "Traceback" not in result.output
    assert archive(services) == {code: [1] for code in wards if code != broken}

    resumed = ok(runner, "report", "batch", "--period", PERIOD, "--under", "99", "--kind", "phuong",
                 "--format", "docx", "--jobs", "2")  # the plugin fixed (gone): only the failed unit is made
    assert f"cho 1 đơn vị dưới 99 (loại: phường), 1 tiến trình song song; bỏ qua {len(wards) - 1} đơn vị" \
        in resumed.stdout
    assert archive(services) == {code: [1] for code in wards}


@pytest.mark.parametrize(("args", "message"), [
    (("--period", "2025-Q5"), "Lỗi: Kỳ báo cáo không hợp lệ"),
    (("--period", PERIOD, "--kind", "xa,thon"), "Lỗi: Loại đơn vị không hợp lệ: 'thon'. Chọn trong: tinh, tp_tw, "),
    (("--period", PERIOD, "--kind", ","), "Lỗi: Thiếu loại đơn vị. Chọn trong: tinh, "),
    (("--period", PERIOD, "--jobs", "0"), "Lỗi: Số tiến trình không hợp lệ: '0' (cần số nguyên từ 1 đến 256)."),
    (("--period", PERIOD, "--format", "odt"), "Lỗi: Định dạng không hợp lệ: 'odt'. Chọn trong: docx, pdf, pdfa"),
    (("--under", "99"), "Lỗi: Thiếu tùy chọn --period: kỳ báo cáo"),
])
def test_unusable_options_are_one_line_before_the_database_is_touched(
        runner: CliRunner, args: tuple[str, ...], message: str) -> None:
    assert refused(runner, "report", "batch", *args).startswith(message)


def test_an_unknown_unit_or_user_is_one_line(runner: CliRunner, services: Services,
                                             communes: dict[str, tuple[str, str]]) -> None:
    assert refused(runner, "report", "batch", "--period", PERIOD, "--under", "99999") == \
        "Lỗi: Không tìm thấy đơn vị '99999'"
    ok(runner, "users", "create", "xem99", "--role", "viewer", "--unit", "99", "--password", "mat-khau-xem-99")
    assert refused(runner, "--user", "xem99", "report", "batch", "--period", PERIOD) == \
        "Lỗi: Tài khoản 'xem99' (viewer) không có quyền quản trị."
    assert archive(services) == {}


def test_nothing_to_do_says_so(runner: CliRunner, services: Services, communes: dict[str, tuple[str, str]]) -> None:
    result = ok(runner, "report", "batch", "--period", PERIOD, "--under", "99", "--kind", "dac_khu")
    assert result.stdout == "Không có đơn vị nào cần tạo báo cáo năm 2025 dưới 99 (loại: đặc khu).\n"
    assert archive(services) == {}


def test_selection_kinds_top_unit_and_units_gone_before_the_period(
        services: Services, runner: CliRunner, communes: dict[str, tuple[str, str]]) -> None:
    codes = sorted(communes)
    with services.transaction() as session:  # the first commune was merged away on 1 July 2025
        session.execute(update(Unit).where(Unit.code == codes[0]).values(valid_to=date(2025, 6, 30)))
    year = select_units(services, Period(2025, "Y"))
    assert [u.code for u in year.todo] == codes[1:] and year.under == ["99"] and year.archived == []
    first_half = select_units(services, Period(2025, "H"), "99", parse_kinds("tinh, xã, phường"))
    assert [u.code for u in first_half.todo] == ["99", *codes]
    assert parse_kinds("Phường,xa,phuong") == ("phuong", "xa")


def test_the_job_is_idempotent_and_never_raises(services: Services, communes: dict[str, tuple[str, str]]) -> None:
    code = sorted(communes)[0]
    made = make_report(services, code, PERIOD, ["docx"], user="celery")
    assert (made.state, made.version, made.reason) == (MADE, 1, "")
    try:
        assert make_report(services.settings, code, PERIOD, ["docx"]).state == SKIPPED  # settings: its own services
    finally:
        close_services()
    batch_start = select_units(services, Period(2025, "Y"), again=True).made_after
    again = make_report(services, code, PERIOD, ["docx"], True, made_after=batch_start)
    redelivered = make_report(services, code, PERIOD, ["docx"], True, made_after=batch_start)
    assert (again.state, again.version) == (MADE, 2)
    assert (redelivered.state, redelivered.report_id) == (SKIPPED, again.report_id)
    assert archive(services) == {code: [1, 2]}
    failed = make_report(services, "00000", PERIOD, ["docx"])
    assert (failed.state, failed.reason) == (FAILED, "Không tìm thấy đơn vị '00000'")
    assert make_report(services, code, "2025-Q9", ["docx"]).state == FAILED
    assert Outcome.from_dict(made.as_dict()) == made


def test_a_unit_filing_nine_months_is_found_archived_for_quarter_three(
        services: Services, communes: dict[str, tuple[str, str]]) -> None:
    """Its quý III report is archived as 9 tháng (report_period): a resumed batch must still skip it."""
    code = sorted(communes)[0]
    with services.transaction() as session:
        update_settings(session, code, {"reports": "Q1,H1,M9,Y"}, "test")
    made = make_report(services, code, "2025-Q3", ["docx"])
    assert made.state == MADE
    with services.sessions() as session:
        keys = list(session.scalars(select(GeneratedReport.period_key).join(Unit).where(Unit.code == code)))
    assert keys == ["2025-M9"]
    assert make_report(services, code, "2025-Q3", ["docx"]).state == SKIPPED
    selection = select_units(services, Period(2025, "Q", 3))
    assert code in {unit.code for unit in selection.archived}
    assert code not in {unit.code for unit in selection.todo}
