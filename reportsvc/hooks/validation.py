"""Checks run before a status update or an indicator value is stored: core rules, then plugins.

The web (and any other writer) calls ``validate_status`` or ``validate_indicator_value`` and
stores nothing when the returned list of Vietnamese messages is not empty. The core checks
come first; the plugins' validation hooks are called only when the core accepts, so a plugin
always receives well-formed values. A plugin that raises or returns something other than a
list of strings raises PluginError naming it: a broken validator never accepts silently.
"""
from __future__ import annotations

import math
from datetime import date
from numbers import Real
from typing import TYPE_CHECKING, Any

from reportsvc.vn import format as fmt
from reportsvc.periods import PeriodError, parse_period
from reportsvc.hooks.registry import PluginError
from reportsvc.areas.declarations import AreaSpec, IndicatorSpec
from reportsvc.status import RECORDED

if TYPE_CHECKING:  # pragma: no cover
    from reportsvc.hooks.registry import PluginRegistry

STATUS_FIELDS = ("status", "completed_on", "result", "evidence_number", "evidence_date", "evidence_title",
                 "period_key")
"""The fields of ``values`` a status update may carry (the hook receives them as given)."""


def bounds(spec: IndicatorSpec) -> tuple[float | None, float | None]:
    """Return the effective (lowest, highest) value an indicator accepts; None means unbounded.

    ``percent`` lies within 0–100 and ``count`` is ≥ 0; ``minimum``/``maximum`` narrow that.
    """
    low, high = spec.minimum, spec.maximum
    if spec.value_type == "percent":
        low = 0.0 if low is None else max(0.0, low)
        high = 100.0 if high is None else min(100.0, high)
    elif spec.value_type == "count":
        low = 0.0 if low is None else max(0.0, low)
    return low, high


def check_indicator_value(spec: IndicatorSpec, value: Any) -> list[str]:
    """Return the core's messages for ``value`` against the indicator's declared type and bounds."""
    label = f"Chỉ tiêu '{spec.name}'"
    if isinstance(value, bool) or not isinstance(value, Real):
        return [f"{label}: giá trị phải là một số."]
    number = float(value)
    if not math.isfinite(number):
        return [f"{label}: giá trị phải là một số hữu hạn."]
    low, high = bounds(spec)
    shown = fmt.number(number, digits=4)
    if spec.value_type == "count" and (not number.is_integer() or number < 0):
        return [f"{label}: số lượng phải là số nguyên không âm, nhận được {shown}."]
    if spec.value_type == "percent" and low is not None and high is not None and not low <= number <= high:
        return [f"{label}: tỷ lệ phải từ {fmt.number(low)}% đến {fmt.number(high)}%, nhận được {shown}%."]
    if low is not None and number < low:
        return [f"{label}: giá trị không được nhỏ hơn {fmt.number(low, digits=4)}, nhận được {shown}."]
    if high is not None and number > high:
        return [f"{label}: giá trị không được lớn hơn {fmt.number(high, digits=4)}, nhận được {shown}."]
    return []


def check_period_key(period_key: Any) -> list[str]:
    """Return a message when ``period_key`` is not a report period such as "2024-Q1" or "2024-Y"."""
    if not isinstance(period_key, str):
        return ["Kỳ báo cáo không hợp lệ."]
    try:
        parse_period(period_key)
    except PeriodError as exc:
        return [str(exc)]
    return []


def check_status(values: dict[str, Any]) -> list[str]:
    """Return the core's messages for a status update: known status, dates, evidence, period."""
    errors: list[str] = []
    unknown = sorted(set(values) - set(STATUS_FIELDS))
    if unknown:
        errors.append(f"Trường không hợp lệ: {', '.join(unknown)}.")
    status = values.get("status")
    if status not in RECORDED:
        choices = ", ".join(f"{key} ({label})" for key, label in RECORDED.items())
        errors.append(f"Trạng thái không hợp lệ: '{status}'. Chọn một trong: {choices}.")
    completed_on = values.get("completed_on")
    evidence_date = values.get("evidence_date")
    for name, label in (("completed_on", "Ngày hoàn thành"), ("evidence_date", "Ngày ban hành văn bản")):
        if values.get(name) is not None and not isinstance(values[name], date):
            errors.append(f"{label} không hợp lệ.")
    if status == "done" and completed_on is None:
        errors.append("Nhiệm vụ đã hoàn thành phải có ngày hoàn thành.")
    if status in RECORDED and status != "done" and completed_on is not None:
        errors.append("Chỉ ghi ngày hoàn thành khi nhiệm vụ đã hoàn thành.")
    if evidence_date is not None and not (values.get("evidence_number") or "").strip():
        errors.append("Có ngày ban hành văn bản nhưng thiếu số, ký hiệu văn bản.")
    errors += check_period_key(values.get("period_key"))
    return errors


def _messages(result: Any) -> bool:
    """Return whether a validator's result is what the spec asks for: None or a list of strings."""
    return result is None or (isinstance(result, (list, tuple)) and all(isinstance(m, str) for m in result))


def _call_validators(registry: "PluginRegistry", hook: str, kwargs: dict[str, Any]) -> list[str]:
    """Call ``hook`` on every plugin through pluggy; collect messages, raising PluginError naming a broken plugin."""
    messages: list[str] = []
    for result in registry.call_all(hook, **kwargs):
        if not _messages(result):
            culprit = next((name for name in registry.implementers(hook)
                            if not _messages(registry.call_owner(name, hook, **kwargs))), None)
            who = f"Plugin '{culprit}'" if culprit else "Một plugin"
            raise PluginError(f"{who}: {hook} phải trả về danh sách thông báo lỗi (list[str]), "
                              f"nhận được {type(result).__name__}")
        messages += [m for m in result if m.strip()]
    return messages


def validate_status(registry: "PluginRegistry", area: AreaSpec | str | None, task: Any,
                    values: dict[str, Any]) -> list[str]:
    """Return why a status update of ``task`` may not be stored (empty list: store it).

    ``area`` is the task's AreaSpec, its code (``task.area.area_code``) or None for a custom
    area. Core checks first; plugins' ``reportsvc_validate_status`` only when they pass.
    """
    errors = check_status(values)
    if errors:
        return errors
    spec = registry.area(area) if isinstance(area, str) else area
    return _call_validators(registry, "reportsvc_validate_status",
                            {"area": spec, "task": task, "values": dict(values)})


def validate_indicator_value(registry: "PluginRegistry", spec: IndicatorSpec | str, value: Any, unit_code: str,
                             period_key: str) -> list[str]:
    """Return why ``value`` of an indicator may not be stored for a unit and period (empty list: store it).

    ``spec`` is the IndicatorSpec or its code. Core checks (declared indicator, type, bounds,
    period) first; plugins' ``reportsvc_validate_indicator_value`` only when they pass.
    """
    if isinstance(spec, str):
        found = registry.indicators.get(spec)
        if found is None:
            return [f"Không có chỉ tiêu mã '{spec}' (chưa được plugin nào khai báo hoặc plugin đã tắt)."]
        spec = found
    errors = check_indicator_value(spec, value) + check_period_key(period_key)
    if errors:
        return errors
    return _call_validators(registry, "reportsvc_validate_indicator_value",
                            {"indicator": spec, "value": float(value), "unit_code": unit_code,
                             "period_key": period_key})
