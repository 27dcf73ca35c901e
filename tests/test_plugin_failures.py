"""A failing plugin is never silent: one Vietnamese line naming the plugin (and area), exit 2, no traceback."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pluggy
import pytest
from click.testing import CliRunner, Result

from reportsvc.plugin import hookimpl
from reportsvc.hooks import specs as hookspecs
from reportsvc.cli.main import main
from reportsvc.hooks.registry import PluginError, build_registry
from reportsvc.services.runtime import Services
from reportsvc.plugin.testing import docx_text
from tests.plugin_helpers import ROOT, add_iso_distribution

PHAN_CAP = "Triển khai thực hiện phân cấp quản lý nhà nước"
HEADER = f'''
from reportsvc.plugin import hookimpl
from reportsvc.areas.declarations import AreaSpec, IndicatorSpec

AREA = AreaSpec(code="PHAN_CAP", title="{PHAN_CAP}", order=45)


@hookimpl
def reportsvc_areas():
    return [AREA]
'''
RAISES = HEADER + '''

@hookimpl
def reportsvc_collect_section(area, context):
    raise ValueError("không đọc được bảng phân cấp")
'''
WRONG_TYPE = HEADER + '''

@hookimpl
def reportsvc_collect_section(area, context):
    return {"code": area.code, "paragraphs": []}
'''
DUPLICATE_INDICATOR = HEADER + '''

@hookimpl
def reportsvc_indicators():
    return [IndicatorSpec(code="TC_VBQPPL_BAN_HANH", name="Số văn bản", unit="văn bản", area="PHAN_CAP",
                          value_type="count", rollup="sum")]


@hookimpl
def reportsvc_collect_section(area, context):
    raise AssertionError("never called")
'''


def plugin_dir(tmp_path: Path, name: str, source: str) -> Path:
    """Write one drop-in plugin file and return its folder."""
    folder = tmp_path / "plugins"
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    return folder


@pytest.fixture
def demo_db(demo_services: Services) -> str:
    """Point the CLI at a database holding the demo locality; return its URL."""
    return demo_services.settings.database_url


def generate(folder: Path, out: Path, *extra: str) -> Result:
    """Run ``report generate`` for Hà Tĩnh 2024 (DOCX) with the plugins of ``folder``."""
    return CliRunner().invoke(main, ["--plugins-dir", str(folder), "report", "generate", "--unit", "HT",
                                     "--period", "2024-Y", "--format", "docx", "--out", str(out), *extra])


def assert_one_line_failure(result: Result, expected: str) -> None:
    """Exit 2, nothing on stdout, exactly ``expected`` on stderr, and no traceback."""
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert result.stdout == ""
    assert result.stderr == f"Lỗi: {expected}\n"
    assert "Traceback" not in result.output


def test_collect_raising_fails_the_report_naming_plugin_and_area(demo_db: str, tmp_path: Path) -> None:
    result = generate(plugin_dir(tmp_path, "phan_cap_loi", RAISES), tmp_path / "out")
    assert_one_line_failure(result, f"Plugin 'phan_cap_loi' lỗi khi tổng hợp lĩnh vực PHAN_CAP ({PHAN_CAP}): "
                                    f"không đọc được bảng phân cấp")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_collect_returning_the_wrong_type_fails_the_report(demo_db: str, tmp_path: Path) -> None:
    result = generate(plugin_dir(tmp_path, "phan_cap_sai", WRONG_TYPE), tmp_path / "out")
    assert_one_line_failure(result, f"Plugin 'phan_cap_sai' lỗi khi tổng hợp lĩnh vực PHAN_CAP ({PHAN_CAP}): "
                                    f"reportsvc_collect_section trả về dict, cần AreaSection")


def test_skip_broken_generates_the_report_and_says_what_is_missing(demo_db: str, tmp_path: Path) -> None:
    result = generate(plugin_dir(tmp_path, "phan_cap_loi", RAISES), tmp_path / "out", "--skip-broken")
    assert result.exit_code == 0, result.output
    lines = docx_text(Path(result.stdout.strip()).read_bytes()).splitlines()
    heading = lines.index(f"4. {PHAN_CAP}")  # order 45: after IV, before V
    assert lines.index("3. Cải cách tổ chức bộ máy hành chính nhà nước") < heading
    assert lines[heading + 1] == "Thiếu nội dung lĩnh vực này do lỗi plugin 'phan_cap_loi'."
    assert lines[heading + 2] == "5. Cải cách chế độ công vụ"
    assert f"Chưa tổng hợp được số liệu các lĩnh vực: {PHAN_CAP}." in lines
    assert "1. Cải cách thể chế" in lines  # the other sections are all there


def test_duplicate_indicator_code_is_refused_at_start_up(demo_db: str, tmp_path: Path) -> None:
    folder = plugin_dir(tmp_path, "trung_ma", DUPLICATE_INDICATOR)
    message = "Mã chỉ tiêu 'TC_VBQPPL_BAN_HANH' được khai báo bởi cả plugin 'the_che' và 'trung_ma'"
    assert_one_line_failure(generate(folder, tmp_path / "out"), message)
    assert_one_line_failure(CliRunner().invoke(main, ["--plugins-dir", str(folder), "plugins", "list"]), message)
    with pytest.raises(PluginError, match=message):
        build_registry(folder)


class SameArea:
    """Declares area II, which the_che already owns."""

    @hookimpl
    def reportsvc_areas(self) -> list:
        from reportsvc.areas.declarations import AreaSpec

        return [AreaSpec(code="II", title="Thể chế (bản địa phương)", order=21)]

    @hookimpl
    def reportsvc_collect_section(self) -> None:
        return None


class Typo:
    """Implements a hook name that is not in the specification."""

    @hookimpl
    def reportsvc_colect_section(self) -> None:
        return None


class UnknownArgument:
    """Implements a real hook with an argument the specification does not have."""

    @hookimpl
    def reportsvc_collect_section(self, area, ctx):  # noqa: ANN001, ANN201
        return None


class NoCollector:
    """Declares an area but never collects it."""

    @hookimpl
    def reportsvc_areas(self) -> list:
        from reportsvc.areas.declarations import AreaSpec

        return [AreaSpec(code="TREO", title="Lĩnh vực treo", order=90)]


class RaisesOnDeclare:
    """Fails while declaring its indicators."""

    @hookimpl
    def reportsvc_indicators(self) -> list:
        raise KeyError("cấu hình")


@pytest.mark.parametrize(("plugin", "message"), [
    (SameArea(), "Lĩnh vực 'II' được khai báo bởi cả plugin 'the_che' và 'p'"),
    (Typo(), "Plugin 'p' cài đặt hook không có trong đặc tả"),
    (UnknownArgument(), "Plugin 'p' cài đặt hook không đúng đặc tả"),
    (NoCollector(), "Plugin 'p' khai báo lĩnh vực 'TREO' nhưng không cài đặt reportsvc_collect_section"),
    (RaisesOnDeclare(), "Plugin 'p' lỗi trong reportsvc_indicators: 'cấu hình'"),
])
def test_bad_plugins_are_refused_at_start_up_by_name(plugin: object, message: str) -> None:
    with pytest.raises(PluginError) as caught:
        build_registry(extra=[("p", plugin)])
    assert str(caught.value).startswith(message), str(caught.value)


def test_plugin_file_that_fails_to_import_is_named(tmp_path: Path) -> None:
    folder = plugin_dir(tmp_path, "cu_phap", "def reportsvc_areas(:\n")
    result = CliRunner().invoke(main, ["--plugins-dir", str(folder), "plugins", "list"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.stderr.startswith(f"Lỗi: Plugin 'cu_phap' ({folder / 'cu_phap.py'}) lỗi khi nạp: ")
    assert result.stderr.count("\n") == 1


def test_a_broken_extras_hook_is_named(demo_db: str, tmp_path: Path) -> None:
    source = '''
    from reportsvc.plugin import hookimpl


    @hookimpl
    def reportsvc_report_extras(report):
        return ["không phải bảng"]
    '''
    folder = plugin_dir(tmp_path, "phu_luc_sai", source)
    result = generate(folder, tmp_path / "out")
    assert_one_line_failure(result, "Plugin 'phu_luc_sai' lỗi trong reportsvc_report_extras: "
                                    "reportsvc_report_extras phải trả về danh sách AnnexTable hoặc Chart")
    # With --skip-broken the report is made without that contribution, and says so.
    skipped = generate(folder, tmp_path / "out", "--skip-broken")
    assert skipped.exit_code == 0, skipped.output
    assert "Cảnh báo: Plugin 'phu_luc_sai' lỗi trong reportsvc_report_extras" in skipped.stderr


def test_check_pending_passes_on_the_full_set(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    add_iso_distribution(monkeypatch, tmp_path)
    registry = build_registry(plugins_dir=ROOT / "docs" / "examples" / "plugins")
    names = [info.name for info in registry.plugins]
    assert {"the_che", "chinh_quyen_so", "iso9001", "phan_cap"} <= set(names)
    assert all(info.enabled for info in registry.plugins)
    registry.pm.check_pending()  # every implementation has a spec
    specs = {name for name in dir(hookspecs) if name.startswith("reportsvc_")}
    for info in registry.plugins:
        assert set(info.hooks) <= specs, info.name
    assert {name for info in registry.plugins for name in info.hooks} == specs  # every hook is exercised
    assert isinstance(registry.pm, pluggy.PluginManager)


def test_a_drop_in_file_named_like_a_builtin_is_refused(tmp_path: Path) -> None:
    folder = plugin_dir(tmp_path, "the_che", HEADER)
    with pytest.raises(PluginError, match="^Trùng tên plugin 'the_che': reportsvc_plugins.the_che \\(builtin\\) và "
                                          "reportsvc_dir_plugins.the_che \\(dir\\)$"):
        build_registry(folder)
