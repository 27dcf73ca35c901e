"""Validation before storing: the core checks declared type and bounds, then the plugins' hooks run."""
from __future__ import annotations

import re
from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest

from reportsvc.plugin import hookimpl
from reportsvc.hooks.registry import PluginError, PluginRegistry, build_registry
from reportsvc.areas.declarations import AreaSpec, IndicatorSpec
from reportsvc.hooks.validation import bounds, validate_indicator_value, validate_status

DONE = {"status": "done", "completed_on": date(2024, 3, 1), "evidence_number": "12/KH-UBND",
        "evidence_date": date(2024, 3, 1), "period_key": "2024-Q1"}


class Recorder:
    """A plugin that records what its validation hooks receive and answers with preset messages."""

    def __init__(self, status: Any = (), value: Any = ()) -> None:
        self.status_answer, self.value_answer = status, value
        self.calls: list[tuple[str, dict[str, Any]]] = []

    @hookimpl
    def reportsvc_validate_status(self, area: AreaSpec | None, task: Any, values: dict[str, Any]) -> Any:
        self.calls.append(("status", {"area": area, "task": task, "values": values}))
        return self.status_answer

    @hookimpl
    def reportsvc_validate_indicator_value(self, indicator: IndicatorSpec, value: float, unit_code: str,
                                           period_key: str) -> Any:
        self.calls.append(("value", {"indicator": indicator, "value": value, "unit_code": unit_code,
                                     "period_key": period_key}))
        return self.value_answer


class Raiser:
    """A plugin whose validators crash."""

    @hookimpl
    def reportsvc_validate_status(self) -> list[str]:
        raise RuntimeError("hỏng")

    @hookimpl
    def reportsvc_validate_indicator_value(self) -> list[str]:
        raise RuntimeError("hỏng")


def registry_with(plugin: object, name: str = "rec") -> PluginRegistry:
    """Return the built-in registry plus one test plugin."""
    return build_registry(extra=[(name, plugin)])


@pytest.fixture(scope="module")
def builtin() -> PluginRegistry:
    """Return the registry of the built-in plugins only."""
    return build_registry()


@pytest.mark.parametrize(("code", "value", "expected"), [
    ("TTHC_HAI_LONG", 94.5, None),
    ("TTHC_HAI_LONG", 0, None),
    ("TTHC_HAI_LONG", 100, None),
    ("TTHC_HAI_LONG", 100.5, "tỷ lệ phải từ 0% đến 100%, nhận được 100,5%"),
    ("TTHC_HAI_LONG", -1, "tỷ lệ phải từ 0% đến 100%"),
    ("TTHC_HS_TIEP_NHAN", 1234, None),
    ("TTHC_HS_TIEP_NHAN", 12.5, "số lượng phải là số nguyên không âm, nhận được 12,5"),
    ("TTHC_HS_TIEP_NHAN", -3, "số lượng phải là số nguyên không âm"),
    ("TTHC_HS_TIEP_NHAN", "12", "giá trị phải là một số"),
    ("TTHC_HS_TIEP_NHAN", True, "giá trị phải là một số"),
    ("TTHC_HS_TIEP_NHAN", None, "giá trị phải là một số"),
    ("TTHC_HAI_LONG", float("nan"), "giá trị phải là một số hữu hạn"),
    ("KHONG_CO", 1, "Không có chỉ tiêu mã 'KHONG_CO'"),
])
def test_core_checks_declared_type_and_bounds(builtin: PluginRegistry, code: str, value: Any,
                                              expected: str | None) -> None:
    errors = validate_indicator_value(builtin, code, value, "HT", "2024-Q1")
    if expected is None:
        assert errors == []
    else:
        assert len(errors) == 1 and expected in errors[0], errors


def test_declared_minimum_and_maximum_narrow_the_type() -> None:
    spec = IndicatorSpec(code="X", name="Số cuộc kiểm tra", unit="cuộc", area="I", value_type="count",
                         minimum=2, maximum=10)
    registry = build_registry()
    assert validate_indicator_value(registry, spec, 1, "HT", "2024-Q1") == [
        "Chỉ tiêu 'Số cuộc kiểm tra': giá trị không được nhỏ hơn 2, nhận được 1."]
    assert validate_indicator_value(registry, spec, 11, "HT", "2024-Q1") == [
        "Chỉ tiêu 'Số cuộc kiểm tra': giá trị không được lớn hơn 10, nhận được 11."]
    assert validate_indicator_value(registry, spec, 10, "HT", "2024-Q1") == []
    number = IndicatorSpec(code="Y", name="Tốc độ tăng", unit="%", area="I", value_type="number", minimum=None)
    assert bounds(number) == (None, None)
    assert validate_indicator_value(registry, number, -12.5, "HT", "2024-Q1") == []
    assert bounds(IndicatorSpec(code="Z", name="z", unit="%", area="I", minimum=None, maximum=80)) == (0.0, 80)


def test_period_key_is_checked(builtin: PluginRegistry) -> None:
    errors = validate_indicator_value(builtin, "TTHC_HAI_LONG", 90, "HT", "2024-Q5")
    assert len(errors) == 1 and "Kỳ báo cáo không hợp lệ: '2024-Q5'" in errors[0]


def test_plugins_get_keyword_arguments_after_the_core_accepts() -> None:
    recorder = Recorder(value=["Giá trị bất thường so với kỳ trước."])
    registry = registry_with(recorder)
    errors = validate_indicator_value(registry, "TTHC_HAI_LONG", 95, "HT", "2024-Q1")
    assert errors == ["Giá trị bất thường so với kỳ trước."]
    kind, kwargs = recorder.calls[-1]
    assert kind == "value" and kwargs["indicator"].code == "TTHC_HAI_LONG"
    assert kwargs["value"] == 95.0 and isinstance(kwargs["value"], float)
    assert (kwargs["unit_code"], kwargs["period_key"]) == ("HT", "2024-Q1")
    recorder.calls.clear()
    assert validate_indicator_value(registry, "TTHC_HAI_LONG", 150, "HT", "2024-Q1") != []
    assert recorder.calls == []  # a value the core refuses never reaches a plugin


def test_status_core_checks(builtin: PluginRegistry) -> None:
    assert validate_status(builtin, "II", None, DONE) == []
    assert validate_status(builtin, "II", None, {"status": "in_progress", "period_key": "2024-Q2"}) == []
    errors = validate_status(builtin, "II", None, {"status": "xong", "period_key": "2024-Q1"})
    assert len(errors) == 1 and errors[0].startswith("Trạng thái không hợp lệ: 'xong'")
    assert validate_status(builtin, "II", None, {"status": "done", "period_key": "2024-Q1"}) == [
        "Nhiệm vụ đã hoàn thành phải có ngày hoàn thành."]
    assert validate_status(builtin, "II", None, {"status": "in_progress", "completed_on": date(2024, 1, 2),
                                                 "period_key": "2024-Q1"}) == [
        "Chỉ ghi ngày hoàn thành khi nhiệm vụ đã hoàn thành."]
    errors = validate_status(builtin, "II", None, {"status": "done", "completed_on": "01/03/2024",
                                                   "evidence_date": date(2024, 3, 1), "period_key": "2024"})
    assert "Ngày hoàn thành không hợp lệ." in errors
    assert "Có ngày ban hành văn bản nhưng thiếu số, ký hiệu văn bản." in errors
    assert any(e.startswith("Kỳ báo cáo không hợp lệ") for e in errors)
    assert validate_status(builtin, "II", None, {**DONE, "colour": "red"}) == ["Trường không hợp lệ: colour."]


def test_status_plugins_receive_area_task_and_values() -> None:
    recorder = Recorder(status=["Thiếu minh chứng."])
    registry = registry_with(recorder)
    task = SimpleNamespace(number="1", title="Ban hành kế hoạch")
    assert validate_status(registry, "II", task, DONE) == ["Thiếu minh chứng."]
    kwargs = recorder.calls[-1][1]
    assert kwargs["area"] is registry.area("II") and kwargs["task"] is task and kwargs["values"] == DONE
    validate_status(registry, registry.area("III"), task, DONE)
    assert recorder.calls[-1][1]["area"].code == "III"
    validate_status(registry, None, task, DONE)  # a custom area of the plan
    assert recorder.calls[-1][1]["area"] is None


@pytest.mark.parametrize("answer", [None, [], ()])
def test_empty_answers_accept(answer: Any) -> None:
    registry = registry_with(Recorder(status=answer, value=answer))
    assert validate_status(registry, "II", None, DONE) == []
    assert validate_indicator_value(registry, "TTHC_HAI_LONG", 90, "HT", "2024-Q1") == []


def test_a_raising_validator_is_named() -> None:
    registry = registry_with(Raiser(), name="hong_kiem_tra")
    with pytest.raises(PluginError, match="Plugin 'hong_kiem_tra' lỗi trong reportsvc_validate_status: hỏng"):
        validate_status(registry, "II", None, DONE)
    with pytest.raises(PluginError, match="Plugin 'hong_kiem_tra' lỗi trong reportsvc_validate_indicator_value"):
        validate_indicator_value(registry, "TTHC_HAI_LONG", 90, "HT", "2024-Q1")


@pytest.mark.parametrize("answer", ["Sai.", [1], {"x": 1}])
def test_a_validator_returning_the_wrong_type_is_named(answer: Any) -> None:
    registry = registry_with(Recorder(status=answer, value=answer), name="kieu_sai")
    with pytest.raises(PluginError, match="Plugin 'kieu_sai': reportsvc_validate_status phải trả về danh sách"):
        validate_status(registry, "II", None, DONE)
    with pytest.raises(PluginError, match="Plugin 'kieu_sai': reportsvc_validate_indicator_value phải trả về"):
        validate_indicator_value(registry, "TTHC_HAI_LONG", 90, "HT", "2024-Q1")


@pytest.mark.parametrize(("changes", "message"), [
    ({"value_type": "percent", "maximum": 120}, "kiểu tỷ lệ (percent) chỉ nhận giới hạn trong khoảng 0–100"),
    ({"value_type": "count", "minimum": -1}, "kiểu số lượng (count) không nhận giá trị âm"),
    ({"value_type": "number", "minimum": 10, "maximum": 5}, "có giá trị nhỏ nhất (10) lớn hơn giá trị lớn nhất (5)"),
    ({"value_type": "percent", "maximum": 100, "default_target": 150}, "có chỉ tiêu mặc định (150) nằm ngoài"),
])
def test_inconsistent_bounds_are_refused_at_start_up(changes: dict[str, Any], message: str) -> None:
    spec = IndicatorSpec(**{"code": "BAD", "name": "x", "unit": "%", "area": "I", **changes})

    class Plugin:
        @hookimpl
        def reportsvc_indicators(self) -> list[IndicatorSpec]:
            return [spec]

    with pytest.raises(PluginError, match=re.escape(f"Plugin 'bad': chỉ tiêu 'BAD' {message}")):
        build_registry(extra=[("bad", Plugin())])
