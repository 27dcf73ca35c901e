"""Hooks are called through pluggy: tryfirst/trylast order holds, hookwrappers see the calls, failures are named."""
from __future__ import annotations

from pathlib import Path

import pytest

from reportsvc.hooks.registry import PluginError
from reportsvc.plugin import AnnexTable, hookimpl
from reportsvc.plugin.testing import build, make_services
from reportsvc.render.view import view_model


def annex(key: str) -> AnnexTable:
    """Return a one-row annex named after its key."""
    return AnnexTable(title=f"Bảng {key}", columns=["TT", "Nội dung"], rows=[["1", key]], key=key)


class Early:
    """A plugin whose extras are asked for first (tryfirst)."""

    @hookimpl(tryfirst=True)
    def reportsvc_report_extras(self) -> list[AnnexTable]:
        return [annex("early")]


class Plain:
    """A plugin with a plain extras implementation."""

    @hookimpl
    def reportsvc_report_extras(self) -> list[AnnexTable]:
        return [annex("plain")]


class Watcher:
    """A hookwrapper that records every extras call and moves the standard annexes to the end."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    @hookimpl(wrapper=True)
    def reportsvc_report_extras(self):  # noqa: ANN201 - a pluggy wrapper generator
        results = yield
        self.calls.append([item.key for result in results for item in result if isinstance(item, AnnexTable)])
        standard = [r for r in results if any(getattr(item, "key", "") == "tasks" for item in r)]
        return standard + [r for r in results if r not in standard]  # laid out reversed: standard last


def test_order_follows_pluggy_and_the_standard_annexes_are_a_trylast_default(tmp_path: Path) -> None:
    services = make_services(tmp_path, plugins=[("early", Early()), ("plain", Plain())])
    assert services.registry.implementers("reportsvc_report_extras") == ["early", "plain", "standard_annexes"]
    report = build(services, period="2024-Q1")
    # Laid out in the reverse of the call order: the trylast default first, tryfirst last.
    assert [a.key for a in report.annexes] == ["tasks", "indicators", "completeness", "plain", "early"]
    titles = [a.title for a in view_model(report).annexes]
    assert titles[3:] == ["Phụ lục IV. Bảng plain", "Phụ lục V. Bảng early"]


def test_a_hookwrapper_sees_the_call_and_can_reorder(tmp_path: Path) -> None:
    watcher = Watcher()
    services = make_services(tmp_path, plugins=[("plain", Plain()), ("watcher", watcher)])
    report = build(services, period="2024-Q1")
    assert watcher.calls == [["plain", "tasks", "indicators", "completeness"]]
    assert [a.key for a in report.annexes] == ["plain", "tasks", "indicators", "completeness"]
    assert view_model(report).annexes[0].title == "Phụ lục I. Bảng plain"


class Broken:
    """A plugin whose extras raise deep inside a helper."""

    @hookimpl
    def reportsvc_report_extras(self) -> list[AnnexTable]:
        return self.helper()

    def helper(self) -> list[AnnexTable]:
        raise ValueError("hỏng")


def test_a_failure_inside_a_pluggy_call_names_the_plugin(tmp_path: Path) -> None:
    services = make_services(tmp_path, plugins=[("plain", Plain()), ("hong", Broken())])
    with pytest.raises(PluginError, match="^Plugin 'hong' lỗi trong reportsvc_report_extras: hỏng$"):
        build(services, period="2024-Q1")
    report = build(services, period="2024-Q1", skip_broken=True)
    assert [a.key for a in report.annexes] == ["tasks", "indicators", "completeness", "plain"]
    assert any(w.startswith("Plugin 'hong' lỗi trong reportsvc_report_extras") for w in report.warnings)


def test_collect_is_asked_of_the_owning_plugin_only(tmp_path: Path) -> None:
    """A second plugin implementing the collect hook is not called for areas it did not declare."""
    called: list[str] = []

    class Nosy:
        @hookimpl
        def reportsvc_collect_section(self, area):  # noqa: ANN001, ANN201
            called.append(area.code)

    services = make_services(tmp_path, plugins=[("nosy", Nosy())])
    report = build(services, period="2024-Q1")
    assert called == [] and [a.code for a in report.areas] == ["I", "II", "III", "IV", "V", "VI", "VII"]
