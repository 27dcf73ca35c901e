"""The command line: help everywhere, JSON listings, idempotent set-up, and clean one-line errors."""
from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from reportsvc.cli.main import main
from reportsvc.db.models import IndicatorValue, Plan, StatusUpdate, Task, Unit


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
    assert by_code["HT"] == {"code": "HT", "name": "tỉnh Hà Tĩnh", "kind": "tinh", "parent": None}
    assert by_code["HT-TH-TD"]["parent"] == "HT-TH"
    assert all(set(u) == {"code", "name", "kind", "parent"} for u in units)


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
     "Lỗi: Định dạng không hợp lệ: 'docx,odt'. Chọn trong: docx, pdf, pdfa"),
    (("report", "generate", "--unit", "HT", "--period", "2024-Q1", "--number", "0"),
     "Lỗi: Số văn bản không hợp lệ: '0' (cần số nguyên từ 1 đến 999999)."),
    (("report", "generate", "--unit", "HT"),
     "Lỗi: Thiếu tùy chọn --period: kỳ báo cáo: 2024-Q1 … 2024-Q4, 2024-H1, 2024-M9, 2024-Y."),
    (("serve", "--port", "http"), "Lỗi: Cổng không hợp lệ: 'http' (cần số nguyên từ 1 đến 65535)."),
    (("scheduler", "run", "--hour", "24"), "Lỗi: Giờ không hợp lệ: '24' (cần số nguyên từ 0 đến 23)."),
    (("users", "create", "mai", "--role", "boss"),
     "Lỗi: Vai trò không hợp lệ: 'boss'. Chọn một trong: admin, editor, viewer."),
    (("plan", "import", "kh.csv", "--unit", "HT", "--year", "24"),
     "Lỗi: Năm không hợp lệ: '24'. Hãy ghi năm 4 chữ số, ví dụ 2024."),
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
