"""The command line: help everywhere, JSON listings, idempotent set-up, and clean one-line errors."""
from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from reportsvc.cli.main import main
from reportsvc.db.models import AuditEntry, IndicatorValue, Plan, StatusUpdate, Task, Unit, User
from reportsvc.services.accounts import authenticate


def invoke(runner: CliRunner, *args: str):  # noqa: ANN201
    """Run ``reportsvc ARGS`` and return the click Result."""
    return runner.invoke(main, list(args), catch_exceptions=False)


def _commands(group: click.Group, prefix: tuple[str, ...] = ()):  # noqa: ANN202
    for name, command in group.commands.items():
        yield prefix + (name,)
        if isinstance(command, click.Group):
            yield from _commands(command, prefix + (name,))


def test_every_command_has_help(runner: CliRunner) -> None:
    for path in _commands(main):
        result = invoke(runner, *path, "--help")
        assert result.exit_code == 0, path
        assert "Usage:" in result.output


def test_init_db_twice_keeps_data(runner: CliRunner, services) -> None:  # noqa: ANN001
    assert invoke(runner, "demo").exit_code == 0
    assert invoke(runner, "init-db").exit_code == 0
    with services.sessions() as session:
        assert session.scalar(select(func.count(Unit.id))) == 7


def test_demo_twice_creates_no_duplicates(runner: CliRunner, services) -> None:  # noqa: ANN001
    first = invoke(runner, "demo")
    assert first.exit_code == 0 and "admin /" in first.output

    def counts() -> tuple[int, ...]:
        with services.sessions() as session:
            return tuple(session.scalar(select(func.count(model.id)))
                         for model in (Unit, Plan, Task, StatusUpdate, IndicatorValue))

    before = counts()
    second = invoke(runner, "demo")
    assert second.exit_code == 0
    assert counts() == before
    assert "thêm 0 đơn vị, 0 kế hoạch, 0 cập nhật tiến độ, 0 số liệu chỉ tiêu" in second.output


def test_units_list_json(runner: CliRunner, demo_services) -> None:  # noqa: ANN001
    units = json.loads(invoke(runner, "units", "list", "--json").output)
    by_code = {u["code"]: u for u in units}
    assert by_code["HT"] == {"code": "HT", "name": "tỉnh Hà Tĩnh", "kind": "tinh", "parent": None, "depth": 0,
                             "valid_from": None, "valid_to": None, "successor": None}
    assert (by_code["HT-TH-TD"]["parent"], by_code["HT-TH-TD"]["depth"]) == ("HT-TH", 2)
    assert [u["code"] for u in units] == ["HT", "HT-CX", "HT-CX-CB", "HT-CX-CV", "HT-TH", "HT-TH-TD", "HT-TH-TL"]


def test_plugins_list_json_has_the_seven_areas(runner: CliRunner, services) -> None:  # noqa: ANN001
    plugins = json.loads(invoke(runner, "plugins", "list", "--json").output)
    builtin = [p for p in plugins if p["source"] == "builtin"]
    assert [p["area"] for p in builtin if p["area"]] == ["I", "II", "III", "IV", "V", "VI", "VII"]
    annexes = next(p for p in builtin if p["name"] == "standard_annexes")
    assert annexes["area"] is None and annexes["hooks"] == ["reportsvc_report_extras"]
    assert len({p["module"] for p in builtin}) == 8
    for plugin in builtin:
        assert set(plugin) == {"name", "module", "area", "title", "hooks", "source", "enabled"}
        assert plugin["enabled"] is True
        assert ("reportsvc_collect_section" in plugin["hooks"]) == (plugin["area"] is not None)


def test_unknown_unit_is_one_clean_line(runner: CliRunner, demo_services, tmp_path) -> None:  # noqa: ANN001
    result = runner.invoke(main, ["report", "generate", "--unit", "X", "--period", "2024-Q1", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr.strip() == "Lỗi: Không tìm thấy đơn vị 'X'"
    assert "Traceback" not in result.output


def test_bad_period_lists_accepted_forms(runner: CliRunner, demo_services, tmp_path) -> None:  # noqa: ANN001
    result = runner.invoke(main, ["report", "generate", "--unit", "HT", "--period", "2024-Q5", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "2024-Q5" in result.stderr and "YYYY-Q1" in result.stderr and "YYYY-M9" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_bad_format_is_refused(runner: CliRunner, demo_services, tmp_path) -> None:  # noqa: ANN001
    result = runner.invoke(main, ["report", "generate", "--unit", "HT", "--period", "2024-Q1",
                                  "--format", "odt", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "odt" in result.stderr


def test_uninitialised_database_says_what_to_do(runner: CliRunner) -> None:
    result = runner.invoke(main, ["units", "list"])
    assert result.exit_code == 2
    assert "reportsvc init-db" in result.stderr


def test_unreachable_database_names_url_without_password(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://reporter:s3cret-pw@127.0.0.1:1/cchc")
    result = runner.invoke(main, ["units", "list"])
    assert result.exit_code == 2
    assert "127.0.0.1:1/cchc" in result.stderr and "reporter" in result.stderr
    assert "s3cret-pw" not in result.output + result.stderr
    assert "Traceback" not in result.output


def test_unusable_output_folder_is_refused_before_generating(runner: CliRunner, demo_services,  # noqa: ANN001
                                                              tmp_path) -> None:  # noqa: ANN001
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    result = runner.invoke(main, ["report", "generate", "--unit", "HT", "--period", "2024-Q1",
                                  "--out", str(blocker / "sub")])
    assert result.exit_code == 2 and "Không tạo được thư mục" in result.stderr
    assert json.loads(invoke(runner, "report", "list", "--json").stdout) == []  # nothing archived


def test_malformed_database_url(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "not a url")
    result = runner.invoke(main, ["units", "list"])
    assert result.exit_code == 2 and result.stderr.startswith("Lỗi: DATABASE_URL không hợp lệ")


# ---------------------------------------------------------------- option types (reportsvc.cli.types)

@pytest.mark.parametrize(("args", "message"), [
    (("scheduler", "due", "--date", "31/02/2024"), "Lỗi: Ngày không hợp lệ: '31/02/2024' (dạng dd/mm/yyyy)"),
    (("report", "generate", "--unit", "HT", "--period", "2024-Q1", "--date", "hôm qua"),
     "Lỗi: Ngày không hợp lệ: 'hôm qua' (dạng dd/mm/yyyy)"),
    (("report", "generate", "--unit", "HT", "--period", "2024-Q1", "--format", "docx,odt"),
     "Lỗi: Định dạng không hợp lệ: 'docx,odt'. Chọn trong: docx, pdf, pdfa, json"),
    (("report", "generate", "--unit", "HT", "--period", "2024-Q1", "--number", "0"),
     "Lỗi: Số văn bản không hợp lệ: '0' (cần số nguyên từ 1 đến 999999)."),
    (("report", "generate", "--unit", "HT"),
     "Lỗi: Thiếu tùy chọn --period: kỳ báo cáo: 2024-Q1 … 2024-Q4, 2024-H1, 2024-M9, 2024-Y."),
    (("serve", "--port", "http"), "Lỗi: Cổng không hợp lệ: 'http' (cần số nguyên từ 1 đến 65535)."),
    (("scheduler", "run", "--hour", "24"), "Lỗi: Giờ không hợp lệ: '24' (cần số nguyên từ 0 đến 23)."),
    (("users", "create", "mai", "--role", "boss"),
     "Lỗi: Vai trò không hợp lệ: 'boss'. Chọn một trong: superadmin, admin, editor, viewer."),
    (("units", "merge", "A", "--into", "B", "--on", "30/02/2025"), "Lỗi: Ngày không hợp lệ: '30/02/2025' (dạng dd/mm/yyyy)"),
    (("units", "settings", "HT", "--set", "cutoff_day"),
     "Lỗi: Thiết lập không hợp lệ: 'cutoff_day' (dạng KHÓA=GIÁ_TRỊ, ví dụ cutoff_day=14)."),
    (("units", "list", "--frob"), "Lỗi: Không có tùy chọn --frob; xem '--help'."),
    (("units", "frob"), "Lỗi: Không có lệnh 'frob'; xem '--help'."),
    (("units", "rename", "HT", "--name", "Hà", "Tĩnh"),
     "Lỗi: Thừa tham số: Tĩnh. Giá trị có dấu cách phải đặt trong ngoặc kép."),
    (("plan", "import", "kh.csv", "--unit", "HT", "--year", "24"),
     "Lỗi: Năm không hợp lệ: '24'. Hãy ghi năm 4 chữ số (ví dụ 2024) hoặc một giai đoạn (ví dụ 2021-2025)."),
    (("plan", "import", "--unit", "HT", "--year", "2024"), "Lỗi: Thiếu tham số TỆP."),
])
def test_an_unusable_option_is_one_vietnamese_line_before_the_database_is_touched(
        runner: CliRunner, args: tuple[str, ...], message: str) -> None:
    result = runner.invoke(main, list(args))  # no database was created: the options are refused first
    assert (result.exit_code, result.stderr, result.stdout) == (2, message + "\n", "")


def test_option_types_give_the_values_the_commands_need() -> None:
    from datetime import date

    from reportsvc.cli.types import DAY, FORMAT_LIST, PERIOD, YEAR
    from reportsvc.periods import Period

    assert PERIOD.convert("2024-m9", None, None) == Period(2024, "M")
    assert DAY.convert("15/03/2024", None, None) == date(2024, 3, 15)
    assert FORMAT_LIST.convert(" PDF, docx,pdf ", None, None) == ["pdf", "docx"]
    assert YEAR.convert("2025", None, None) == 2025


def test_help_names_the_option_types(runner: CliRunner) -> None:
    result = invoke(runner, "report", "generate", "--help")
    assert "--period KỲ" in result.output and "--date NGÀY" in result.output
    assert "--format ĐỊNH_DẠNG" in result.output


# ---------------------------------------------------------------- users (create, disable, enable, password, set-unit)

def refused(runner: CliRunner, *args: str, **kwargs) -> str:  # noqa: ANN003
    """Run ``reportsvc ARGS``, insist on exit 2 and one Vietnamese line on stderr, and return it."""
    result = runner.invoke(main, list(args), **kwargs)
    assert result.exit_code == 2 and result.stdout == "", result.output
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith("Lỗi: "), result.stderr
    return result.stderr.strip()


def audit_of(services, username: str) -> list[tuple[str, str, dict | None]]:  # noqa: ANN001
    """Return (action, actor, new) of the audit entries about ``username``'s account, oldest first."""
    with services.sessions() as session:
        user_id = str(session.scalar(select(User.id).where(User.username == username)))
        return [(e.action, e.actor, e.new) for e in session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "user", AuditEntry.entity_id == user_id)
            .order_by(AuditEntry.id))]


def signs_in(services, username: str, password: str) -> bool:  # noqa: ANN001
    """Return True when ``username`` signs in with ``password``."""
    with services.sessions() as session:
        return authenticate(session, username, password) is not None


def test_users_create_needs_a_unit_except_for_the_superadmin(runner: CliRunner, demo_services) -> None:  # noqa: ANN001
    result = invoke(runner, "users", "create", "root", "--role", "superadmin", "--password", "mat-khau-root")
    assert result.stdout == "Đã tạo tài khoản 'root' (vai trò superadmin, đơn vị mọi đơn vị, cơ quan —).\n"
    # refused before the password is asked (no input is given)
    assert refused(runner, "users", "create", "mai", "--role", "viewer", input="") == \
        "Lỗi: Tài khoản phải gắn với một đơn vị (--unit), trừ quản trị hệ thống (superadmin)."
    assert refused(runner, "users", "create", "root2", "--role", "superadmin", "--unit", "HT", input="") == \
        "Lỗi: Quản trị hệ thống (superadmin) không gắn với đơn vị hay cơ quan nào; bỏ --unit và --agency."
    assert refused(runner, "users", "create", "mai", "--role", "editor", "--unit", "HT", input="") == \
        "Lỗi: Tài khoản cán bộ cập nhật (editor) phải gắn với một cơ quan (--agency)."
    assert refused(runner, "users", "create", "mai", "--role", "editor", "--unit", "HT", "--agency", "Sở Xây dựng",
                   input="") == "Lỗi: Không tìm thấy cơ quan 'Sở Xây dựng' của tỉnh Hà Tĩnh."
    result = runner.invoke(main, ["users", "create", "mai", "--role", "editor", "--unit", "HT", "--agency", "Sở TTTT"],
                           input="mat-khau-mai\nmat-khau-mai\n")
    assert result.exit_code == 0 and "cơ quan Sở Thông tin và Truyền thông" in result.stdout
    assert signs_in(demo_services, "mai", "mat-khau-mai")
    with demo_services.sessions() as session:
        root = session.scalar(select(User).where(User.username == "root"))
        assert (root.role, root.unit_id, root.agency_id) == ("superadmin", None, None)


def test_users_disable_enable_and_password(runner: CliRunner, demo_services) -> None:  # noqa: ANN001
    assert signs_in(demo_services, "xem", "xem-demo-2024")
    assert invoke(runner, "users", "disable", "xem").stdout == "Đã khóa tài khoản 'xem'.\n"
    assert not signs_in(demo_services, "xem", "xem-demo-2024")
    assert invoke(runner, "users", "disable", "xem").stdout == "Tài khoản 'xem' đã bị khóa từ trước.\n"
    assert refused(runner, "--user", "xem", "units", "list") == "Lỗi: Tài khoản 'xem' đã bị khóa."
    assert invoke(runner, "users", "enable", "xem").stdout == "Đã mở khóa tài khoản 'xem'.\n"
    assert signs_in(demo_services, "xem", "xem-demo-2024")

    assert refused(runner, "users", "password", "xem", "--password", "ngan") == "Lỗi: Mật khẩu phải có ít nhất 8 ký tự."
    assert refused(runner, "users", "password", "khong-co", input="") == "Lỗi: Không tìm thấy người dùng 'khong-co'."
    result = runner.invoke(main, ["users", "password", "xem"], input="mat-khau-moi\nmat-khau-moi\n")
    assert result.exit_code == 0 and result.stdout.endswith(
        "Đã đặt lại mật khẩu của 'xem'. Người dùng phải đổi mật khẩu khi đăng nhập lần tới.\n")
    assert signs_in(demo_services, "xem", "mat-khau-moi") and not signs_in(demo_services, "xem", "xem-demo-2024")
    entries = audit_of(demo_services, "xem")
    assert [action for action, _, _ in entries] == ["user.disable", "user.enable", "user.password"]
    assert all(actor.startswith("cli:") for _, actor, _ in entries)
    assert "mat-khau-moi" not in json.dumps(entries)


def test_users_set_unit(runner: CliRunner, demo_services) -> None:  # noqa: ANN001
    assert invoke(runner, "users", "set-unit", "xem", "--unit", "HT-TH-TD").stdout == \
        "Tài khoản 'xem' nay thuộc xã Thạch Đài (HT-TH-TD).\n"
    assert refused(runner, "users", "set-unit", "stp", "--unit", "HT-TH-TD") == \
        "Lỗi: Tài khoản cán bộ cập nhật (editor) phải gắn với một cơ quan (--agency)."
    assert refused(runner, "users", "set-unit", "stp", "--unit", "HT", "--agency", "Sở Xây dựng") == \
        "Lỗi: Không tìm thấy cơ quan 'Sở Xây dựng' của tỉnh Hà Tĩnh."
    assert refused(runner, "users", "set-unit", "stp", "--unit", "QT") == "Lỗi: Không tìm thấy đơn vị 'QT'"
    invoke(runner, "users", "set-unit", "stp", "--unit", "HT", "--agency", "Sở Nội vụ")
    with demo_services.sessions() as session:
        users = {u.username: (u.unit.code, u.agency.name if u.agency else None) for u in session.scalars(select(User))}
    assert users["xem"] == ("HT-TH-TD", None) and users["stp"] == ("HT", "Sở Nội vụ")
    assert [(a, n) for a, _, n in audit_of(demo_services, "stp")] == [
        ("user.unit", {"unit": "HT", "agency": "Sở Nội vụ"})]
    assert [n for a, _, n in audit_of(demo_services, "xem") if a == "user.unit"] == [{"unit": "HT-TH-TD", "agency": None}]


def test_an_admin_manages_only_the_users_of_its_units(runner: CliRunner, demo_services) -> None:  # noqa: ANN001
    invoke(runner, "users", "create", "th-admin", "--role", "admin", "--unit", "HT-TH", "--password", "mat-khau-th")
    invoke(runner, "users", "create", "td-xem", "--role", "viewer", "--unit", "HT-TH-TD", "--password", "mat-khau-td")
    as_th = ("--user", "th-admin")
    listed = json.loads(invoke(runner, *as_th, "users", "list", "--json").stdout)
    assert sorted(u["username"] for u in listed) == ["td-xem", "th-admin"]
    assert invoke(runner, *as_th, "users", "disable", "td-xem").exit_code == 0
    invoke(runner, *as_th, "users", "create", "tl-xem", "--role", "viewer", "--unit", "HT-TH-TL", "--password",
           "mat-khau-tl")
    assert refused(runner, *as_th, "users", "disable", "admin") == "Lỗi: Không tìm thấy người dùng 'admin'."
    assert refused(runner, *as_th, "users", "create", "cx-xem", "--role", "viewer", "--unit", "HT-CX",
                   "--password", "mat-khau-cx") == "Lỗi: Không tìm thấy đơn vị 'HT-CX'"
    assert refused(runner, *as_th, "users", "set-unit", "td-xem", "--unit", "HT").startswith(
        "Lỗi: Tài khoản 'th-admin' không được thay đổi dữ liệu ngoài đơn vị của mình.")
    assert refused(runner, *as_th, "users", "create", "root", "--role", "superadmin", "--password", "mat-khau-rt") == \
        "Lỗi: Chỉ quản trị hệ thống (superadmin) được tạo tài khoản quản trị hệ thống."
    assert refused(runner, "--user", "stp", "users", "disable", "xem") == \
        "Lỗi: Tài khoản 'stp' (editor) không có quyền quản trị."
    assert signs_in(demo_services, "admin", "admin-demo-2024")
    assert [(a, actor) for a, actor, _ in audit_of(demo_services, "td-xem")][-1] == ("user.disable", "th-admin")
    assert audit_of(demo_services, "tl-xem")[0][:2] == ("user.create", "th-admin")
    # a superadmin named with --user sees every unit
    invoke(runner, "users", "create", "root", "--role", "superadmin", "--password", "mat-khau-root")
    everyone = json.loads(invoke(runner, "--user", "root", "users", "list", "--json").stdout)
    assert {"admin", "th-admin", "root"} <= {u["username"] for u in everyone}
