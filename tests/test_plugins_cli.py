"""``reportsvc plugins list/enable/disable``: the JSON shape, plugin sources, and disabling that sticks."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from reportsvc.report.build import build_report
from reportsvc.cli.main import main
from reportsvc.config import load_settings
from reportsvc.db.models import PluginSetting
from reportsvc.periods import parse_period
from reportsvc.hooks.registry import DEFAULT_PLUGINS, plugin_names
from reportsvc.services.runtime import create_services
from reportsvc.plugin.testing import docx_text
from tests.plugin_helpers import add_distribution

KEYS = {"name", "module", "area", "title", "hooks", "source", "enabled"}

DIR_PLUGIN = '''
"""A drop-in area plugin."""
from reportsvc.plugin import hookimpl
from reportsvc.plugin import standard_section
from reportsvc.areas.declarations import AreaSpec


@hookimpl
def reportsvc_areas():
    """Declare the area."""
    return [AreaSpec(code="THI_DIEM", title="Thí điểm mô hình mới", order=80)]


@hookimpl
def reportsvc_collect_section(area, context):
    """Collect it the standard way."""
    return standard_section(area, context)
'''

EP_PLUGIN = '''
"""An installed plugin that only adds an empty chart list."""
from reportsvc.plugin import hookimpl


@hookimpl
def reportsvc_report_extras(report):
    """Contribute nothing."""
    return []
'''


def invoke(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    """Run the CLI; return exit code, stdout and stderr."""
    result = runner.invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def listing(runner: CliRunner, *options: str) -> dict[str, dict]:
    """Return ``plugins list --json`` as a dict by plugin name."""
    code, out, err = invoke(runner, *options, "plugins", "list", "--json")
    assert code == 0, err
    rows = json.loads(out)
    assert all(set(row) == KEYS for row in rows), rows
    return {row["name"]: row for row in rows}


def test_list_json_shape_and_sources(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "thi_diem.py").write_text(DIR_PLUGIN, encoding="utf-8")
    (folder / "_helper.py").write_text("raise RuntimeError('never imported')\n", encoding="utf-8")
    code = tmp_path / "src"
    code.mkdir()
    (code / "reportsvc_quiet.py").write_text(EP_PLUGIN, encoding="utf-8")
    add_distribution(monkeypatch, tmp_path, "reportsvc-quiet", {"quiet": "reportsvc_quiet"}, import_path=code)

    rows = listing(runner, "--plugins-dir", str(folder))  # works before init-db: no database needed
    assert list(rows)[: len(DEFAULT_PLUGINS)] == list(DEFAULT_PLUGINS)
    assert rows["the_che"] == {
        "name": "the_che", "module": "reportsvc_plugins.the_che", "area": "II", "title": "Cải cách thể chế",
        "hooks": ["reportsvc_areas", "reportsvc_collect_section", "reportsvc_indicators"],
        "source": "builtin", "enabled": True}
    assert rows["quiet"] == {"name": "quiet", "module": "reportsvc_quiet", "area": None, "title": None,
                             "hooks": ["reportsvc_report_extras"], "source": "entrypoint", "enabled": True}
    assert rows["thi_diem"]["source"] == "dir" and rows["thi_diem"]["area"] == "THI_DIEM"
    assert rows["thi_diem"]["hooks"] == ["reportsvc_areas", "reportsvc_collect_section"]
    assert "_helper" not in rows
    assert plugin_names(folder) == list(rows)
    # REPORTSVC_PLUGINS_DIR does the same as --plugins-dir
    monkeypatch.setenv("REPORTSVC_PLUGINS_DIR", str(folder))
    assert listing(runner)["thi_diem"]["title"] == "Thí điểm mô hình mới"

    code_, out, _ = invoke(runner, "plugins", "list")
    assert code_ == 0
    assert any(line.split()[:4] == ["the_che", "builtin", "bật", "II"] for line in out.splitlines())


def test_disable_is_stored_and_applied_before_loading(runner: CliRunner, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    code = tmp_path / "src"
    code.mkdir()
    (code / "reportsvc_boom.py").write_text("raise RuntimeError('nổ khi nạp')\n", encoding="utf-8")
    add_distribution(monkeypatch, tmp_path, "reportsvc-boom", {"boom": "reportsvc_boom"}, import_path=code)
    assert invoke(runner, "init-db")[0] == 0

    exit_code, _, err = invoke(runner, "plugins", "list")
    assert exit_code == 2 and err.strip() == "Lỗi: Plugin 'boom' (reportsvc_boom) lỗi khi nạp: nổ khi nạp"
    assert "boom" in plugin_names() and "reportsvc_boom" not in sys.modules  # names without importing

    # ``plugins disable`` needs the registry to know the name; store the setting directly once.
    services = create_services(load_settings())
    with services.transaction() as session:
        session.add(PluginSetting(name="boom", enabled=False))
    services.engine.dispose()
    rows = listing(runner)  # the broken module is never imported now
    assert rows["boom"] == {"name": "boom", "module": "reportsvc_boom", "area": None, "title": None, "hooks": [],
                            "source": "entrypoint", "enabled": False}
    assert invoke(runner, "plugins", "disable", "boom")[:2] == (0, "Đã tắt plugin 'boom'.\n")

    exit_code, _, err = invoke(runner, "plugins", "disable", "khong_co")
    assert exit_code == 2 and err == "Lỗi: Không tìm thấy plugin 'khong_co'\n"


def test_disabling_a_builtin_area_removes_its_section(runner: CliRunner, tmp_path: Path) -> None:
    assert invoke(runner, "init-db")[0] == 0
    assert invoke(runner, "demo")[0] == 0
    assert invoke(runner, "plugins", "disable", "the_che") == (0, "Đã tắt plugin 'the_che'.\n", "")

    services = create_services(load_settings())
    with services.sessions() as session:
        stored = {row.name: row.enabled for row in session.scalars(select(PluginSetting))}
    services.engine.dispose()
    assert stored == {"the_che": False}
    assert listing(runner)["the_che"] == {"name": "the_che", "module": "reportsvc_plugins.the_che", "area": None,
                                          "title": None, "hooks": [], "source": "builtin", "enabled": False}

    exit_code, out, err = invoke(runner, "report", "generate", "--unit", "HT", "--period", "2024-Y",
                                 "--format", "docx", "--out", str(tmp_path / "out"))
    assert exit_code == 0, err
    lines = docx_text(Path(out.strip()).read_bytes()).splitlines()
    assert "1. Cải cách thủ tục hành chính" in lines  # area III moved up to the first subsection of part II
    assert not any("Cải cách thể chế" in line for line in lines)
    assert not any("văn bản quy phạm pháp luật được ban hành" in line for line in lines)  # nor its indicators

    assert invoke(runner, "plugins", "enable", "the_che") == (0, "Đã bật plugin 'the_che'.\n", "")
    assert listing(runner)["the_che"]["enabled"] is True
    services = create_services(load_settings())  # a new process: the registry reflects the setting
    with services.sessions() as session:
        report = build_report(session, services.registry, "HT", parse_period("2024-Y"))
    assert [a.code for a in report.areas][:3] == ["I", "II", "III"]
    services.engine.dispose()


def test_a_switch_from_the_cli_is_audited_and_a_running_server_sees_it(runner: CliRunner, demo_services) -> None:  # noqa: ANN001
    from reportsvc.db.models import AuditEntry

    # demo_services stands for a running server's Services; the CLI builds its own from the environment.
    demo_services.plugin_check_seconds = 0  # look at the stored settings on every use
    assert "standard_annexes" in [p.name for p in demo_services.registry.plugins if p.enabled]
    assert invoke(runner, "plugins", "disable", "standard_annexes")[:2] == (0, "Đã tắt plugin 'standard_annexes'.\n")
    assert invoke(runner, "plugins", "disable", "standard_annexes")[0] == 0  # again: nothing changes
    assert "standard_annexes" not in [p.name for p in demo_services.registry.plugins if p.enabled]
    with demo_services.sessions() as session:
        report = build_report(session, demo_services.registry, "HT", parse_period("2024-Q1"))
        entries = session.scalars(select(AuditEntry).where(AuditEntry.entity == "plugin")).all()
    assert report.annexes == [] and report.charts == []
    assert [(e.action, e.entity_id, e.old, e.new) for e in entries] == [
        ("plugin.disable", "standard_annexes", {"enabled": True}, {"enabled": False})]
    assert entries[0].actor.startswith("cli:")


def test_only_the_system_switches_plugins_a_province_admin_may_not(runner: CliRunner, demo_services) -> None:  # noqa: ANN001
    code, out, err = invoke(runner, "--user", "admin", "plugins", "disable", "the_che")
    assert (code, out) == (2, "")
    assert err.startswith("Lỗi: Tài khoản 'admin' không được bật, tắt plugin") and err.count("\n") == 1
    assert demo_services.blocked_plugins() == []
