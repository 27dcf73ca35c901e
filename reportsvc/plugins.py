"""Plugin manager factory: built-in area plugins, entry points and a plugins folder."""
from __future__ import annotations

import importlib
import importlib.util
import re
import sys
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Iterable

import pluggy

from reportsvc import hookspecs
from reportsvc.area_matching import match_area
from reportsvc.errors import UserError
from reportsvc.specs import AREA_PARTS, ROLLUPS, VALUE_TYPES, AreaSpec, IndicatorSpec

ENTRY_POINT_GROUP = "reportsvc"
BUILTIN_PACKAGE = "reportsvc_plugins"
DEFAULT_PLUGINS = (
    "chi_dao_dieu_hanh",
    "the_che",
    "thu_tuc_hanh_chinh",
    "to_chuc_bo_may",
    "che_do_cong_vu",
    "tai_chinh_cong",
    "chinh_quyen_so",
)


class PluginError(UserError):
    """A plugin could not be loaded, declared something invalid, or failed during a report."""


@dataclass
class PluginInfo:
    """A plugin as ``plugins list`` shows it."""

    name: str
    module: str
    source: str  # builtin | entrypoint | dir
    enabled: bool
    hooks: list[str] = field(default_factory=list)
    areas: list[AreaSpec] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Return the JSON shape of ``plugins list --json``."""
        first = self.areas[0] if self.areas else None
        return {"name": self.name, "module": self.module, "area": first.code if first else None,
                "title": first.title if first else None, "hooks": self.hooks,
                "source": self.source, "enabled": self.enabled}


@dataclass
class PluginRegistry:
    """The loaded plugins with what they declared, built once per app by ``build_registry``."""

    pm: pluggy.PluginManager
    plugins: list[PluginInfo]
    areas: list[AreaSpec]  # sorted by report order
    indicators: dict[str, IndicatorSpec]
    area_owner: dict[str, str]  # area code -> plugin name
    indicator_owner: dict[str, str]

    def area(self, code: str) -> AreaSpec | None:
        """Return the declared area with ``code``, or None."""
        return next((a for a in self.areas if a.code == code), None)

    def owner_code(self, stored_code: str | None, title: str) -> str | None:
        """Return the declared area a plan area belongs to: its stored code if still declared, else
        the area its title matches now (a plugin installed after the import), else None."""
        if stored_code and self.area(stored_code) is not None:
            return stored_code
        spec = match_area(title, self.areas)
        return spec.code if spec else None

    def indicators_of(self, area_code: str) -> list[IndicatorSpec]:
        """Return the indicators declared for an area, in declaration order."""
        return [spec for spec in self.indicators.values() if spec.area == area_code]

    def call_on(self, plugin_name: str, hook: str, **kwargs: Any) -> Any:
        """Call one plugin's implementation of ``hook`` with keyword arguments (None if it has none)."""
        for impl in getattr(self.pm.hook, hook).get_hookimpls():
            if impl.plugin_name == plugin_name:
                return impl.function(**{k: v for k, v in kwargs.items() if k in impl.argnames})
        return None

    def each_impl(self, hook: str) -> Iterable[tuple[str, Callable[..., Any], tuple[str, ...]]]:
        """Yield (plugin name, function, argument names) for every implementation of ``hook``."""
        for impl in getattr(self.pm.hook, hook).get_hookimpls():
            yield impl.plugin_name, impl.function, impl.argnames


def describe_error(exc: BaseException) -> str:
    """Return an exception's message on one line (its class name when the message is empty)."""
    return " ".join(str(exc).split()) or type(exc).__name__


def _new_manager() -> pluggy.PluginManager:
    pm = pluggy.PluginManager("reportsvc")
    pm.add_hookspecs(hookspecs)
    return pm


def _hooks_of(pm: pluggy.PluginManager, plugin: object) -> list[str]:
    return sorted(caller.name for caller in pm.get_hookcallers(plugin) or [])


def _load_dir(folder: Path) -> list[tuple[str, ModuleType]]:
    """Import every ``*.py`` file of ``folder`` as a module; the file stem is the plugin name."""
    if not folder.is_dir():
        raise PluginError(f"Thư mục plugin không tồn tại: {folder}")
    modules = []
    for path in sorted(folder.glob("*.py")):
        if path.name.startswith("_"):
            continue
        module_name = f"reportsvc_dir_plugins.{path.stem}"
        spec = importlib.util.spec_from_file_location(module_name, path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
        except Exception as exc:  # noqa: BLE001 - any error in a plugin file is reported by name
            raise PluginError(f"Plugin '{path.stem}' ({path}) lỗi khi nạp: {describe_error(exc)}") from exc
        sys.modules[module_name] = module
        modules.append((path.stem, module))
    return modules


def plugin_names(plugins_dir: str | Path | None = None) -> list[str]:
    """Return the names of every plugin ``build_registry`` would consider, without importing any.

    Lets ``plugins disable NAME`` accept a plugin that fails to load (and so blocks start-up).
    """
    names = list(DEFAULT_PLUGINS) + [ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)]
    folder = Path(plugins_dir) if plugins_dir else None
    if folder is not None and folder.is_dir():
        names += [path.stem for path in sorted(folder.glob("*.py")) if not path.name.startswith("_")]
    return list(dict.fromkeys(names))


def build_registry(plugins_dir: str | Path | None = None, blocked: Iterable[str] = (),
                   extra: Iterable[tuple[str, object]] = ()) -> PluginRegistry:
    """Build a fresh plugin manager and collect what every enabled plugin declares.

    Built-ins come first, then ``extra`` (tests), then the ``reportsvc`` entry points, then the
    ``*.py`` files of ``plugins_dir``. Names in ``blocked`` are set blocked before loading.
    """
    pm = _new_manager()
    blocked = set(blocked)
    for name in blocked:
        pm.set_blocked(name)
    infos: list[PluginInfo] = []

    def register(name: str, plugin: object, source: str) -> None:
        module = getattr(plugin, "__name__", type(plugin).__module__)
        if name in blocked:
            infos.append(PluginInfo(name, module, source, enabled=False))
            return
        earlier = next((info for info in infos if info.name == name), None)
        if earlier is not None:
            raise PluginError(f"Trùng tên plugin '{name}': {earlier.module} ({earlier.source}) và {module} ({source})")
        if pm.is_registered(plugin):
            raise PluginError(f"Plugin '{name}' ({module}) đã được nạp dưới tên '{pm.get_name(plugin)}'")
        try:
            pm.register(plugin, name=name)
        except pluggy.PluginValidationError as exc:  # a hookimpl argument the spec does not have
            raise PluginError(f"Plugin '{name}' cài đặt hook không đúng đặc tả: {_validation_detail(exc)}") from exc
        except ValueError as exc:  # the name or the module is already registered
            raise PluginError(f"Không đăng ký được plugin '{name}': {describe_error(exc)}") from exc
        infos.append(PluginInfo(name, module, source, enabled=True, hooks=_hooks_of(pm, plugin)))

    for short in DEFAULT_PLUGINS:
        register(short, importlib.import_module(f"{BUILTIN_PACKAGE}.{short}"), "builtin")
    for name, plugin in extra:
        register(name, plugin, "entrypoint")
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name in blocked:
            infos.append(PluginInfo(ep.name, ep.value, "entrypoint", enabled=False))
            continue
        try:
            plugin = ep.load()
        except Exception as exc:  # noqa: BLE001
            raise PluginError(f"Plugin '{ep.name}' ({ep.value}) lỗi khi nạp: {describe_error(exc)}") from exc
        register(ep.name, plugin, "entrypoint")
    if plugins_dir:
        for name, module in _load_dir(Path(plugins_dir)):
            register(name, module, "dir")
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        name = pm.get_name(exc.plugin) or str(exc.plugin)
        raise PluginError(f"Plugin '{name}' cài đặt hook không có trong đặc tả: {_validation_detail(exc)}") from exc

    areas, area_owner = _declared_areas(pm, infos)
    _check_collectors(pm, area_owner)
    indicators, indicator_owner = _declared_indicators(pm, area_owner)
    return PluginRegistry(pm, infos, sorted(areas, key=lambda a: (a.order, a.code)), indicators,
                          area_owner, indicator_owner)


def _validation_detail(exc: pluggy.PluginValidationError) -> str:
    """Return the gist of pluggy's multi-line validation message on one line."""
    text = str(exc)
    unknown = re.search(r"unknown hook '(\w+)'", text)
    if unknown:
        return unknown.group(1)
    hook = re.search(r"for hook '(\w+)'", text)
    arguments = re.search(r"Argument\(s\) (\{.*?\})", text)
    if hook and arguments:
        return f"{hook.group(1)} nhận đối số {arguments.group(1)} không có trong đặc tả"
    return " ".join(text.split())


def _declared_areas(pm: pluggy.PluginManager, infos: list[PluginInfo]) -> tuple[list[AreaSpec], dict[str, str]]:
    areas: list[AreaSpec] = []
    owner: dict[str, str] = {}
    by_name = {info.name: info for info in infos}
    for impl in pm.hook.reportsvc_areas.get_hookimpls():
        declared = _call_declaration(impl.plugin_name, impl.function, "reportsvc_areas")
        for spec in declared:
            if not isinstance(spec, AreaSpec):
                raise PluginError(f"Plugin '{impl.plugin_name}': reportsvc_areas phải trả về AreaSpec, "
                                  f"nhận được {type(spec).__name__}")
            if not spec.code.strip() or not spec.title.strip() or spec.part not in AREA_PARTS:
                raise PluginError(f"Plugin '{impl.plugin_name}': lĩnh vực '{spec.code}' phải có mã, tiêu đề và "
                                  f"phần báo cáo là một trong: {', '.join(AREA_PARTS)}")
            if spec.code in owner:
                raise PluginError(f"Lĩnh vực '{spec.code}' được khai báo bởi cả plugin "
                                  f"'{owner[spec.code]}' và '{impl.plugin_name}'")
            owner[spec.code] = impl.plugin_name
            areas.append(spec)
            by_name[impl.plugin_name].areas.append(spec)
    return areas, owner


def _declared_indicators(pm: pluggy.PluginManager,
                         area_owner: dict[str, str]) -> tuple[dict[str, IndicatorSpec], dict[str, str]]:
    indicators: dict[str, IndicatorSpec] = {}
    owner: dict[str, str] = {}
    for impl in pm.hook.reportsvc_indicators.get_hookimpls():
        for spec in _call_declaration(impl.plugin_name, impl.function, "reportsvc_indicators"):
            name = impl.plugin_name
            if not isinstance(spec, IndicatorSpec):
                raise PluginError(f"Plugin '{name}': reportsvc_indicators phải trả về IndicatorSpec, "
                                  f"nhận được {type(spec).__name__}")
            if spec.code in owner:
                raise PluginError(f"Mã chỉ tiêu '{spec.code}' được khai báo bởi cả plugin "
                                  f"'{owner[spec.code]}' và '{name}'")
            if spec.rollup not in ROLLUPS or spec.value_type not in VALUE_TYPES:
                raise PluginError(f"Plugin '{name}': chỉ tiêu '{spec.code}' có kiểu hoặc cách tổng hợp không hợp lệ")
            if spec.area not in area_owner:
                raise PluginError(f"Plugin '{name}': chỉ tiêu '{spec.code}' thuộc lĩnh vực chưa khai báo '{spec.area}'")
            problem = bounds_problem(spec)
            if problem:
                raise PluginError(f"Plugin '{name}': chỉ tiêu '{spec.code}' {problem}")
            owner[spec.code] = name
            indicators[spec.code] = spec
    for spec in indicators.values():
        if spec.rollup == "ratio" and not {spec.numerator, spec.denominator} <= indicators.keys():
            raise PluginError(f"Plugin '{owner[spec.code]}': chỉ tiêu '{spec.code}' tổng hợp theo tỷ lệ "
                              f"nhưng thiếu chỉ tiêu tử số/mẫu số")
    return indicators, owner


def bounds_problem(spec: IndicatorSpec) -> str:
    """Return why an indicator's declared bounds or default target are inconsistent ("" if they are fine)."""
    low, high = spec.minimum, spec.maximum
    if low is not None and high is not None and low > high:
        return f"có giá trị nhỏ nhất ({low}) lớn hơn giá trị lớn nhất ({high})"
    if spec.value_type == "percent" and ((low is not None and low < 0) or (high is not None and high > 100)):
        return "kiểu tỷ lệ (percent) chỉ nhận giới hạn trong khoảng 0–100; dùng kiểu 'number' cho tốc độ tăng, giảm"
    if spec.value_type == "count" and low is not None and low < 0:
        return "kiểu số lượng (count) không nhận giá trị âm"
    target = spec.default_target
    if target is not None and ((low is not None and target < low) or (high is not None and target > high)):
        return f"có chỉ tiêu mặc định ({target}) nằm ngoài giới hạn khai báo"
    return ""


def _check_collectors(pm: pluggy.PluginManager, area_owner: dict[str, str]) -> None:
    """Refuse a plugin that declares an area but does not implement the collect hook."""
    collectors = {impl.plugin_name for impl in pm.hook.reportsvc_collect_section.get_hookimpls()}
    for code, name in area_owner.items():
        if name not in collectors:
            raise PluginError(f"Plugin '{name}' khai báo lĩnh vực '{code}' nhưng không cài đặt "
                              f"reportsvc_collect_section")


def _call_declaration(plugin_name: str, function: Callable[[], Any], hook: str) -> list[Any]:
    try:
        result = function()
    except Exception as exc:  # noqa: BLE001
        raise PluginError(f"Plugin '{plugin_name}' lỗi trong {hook}: {describe_error(exc)}") from exc
    if result is None:
        return []
    if not isinstance(result, (list, tuple)):
        raise PluginError(f"Plugin '{plugin_name}': {hook} phải trả về một danh sách")
    return list(result)
