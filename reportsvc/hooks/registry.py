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

from reportsvc.hooks import specs as hookspecs
from reportsvc.areas.catalog import Catalog
from reportsvc.errors import UserError
from reportsvc.areas.declarations import AREA_PARTS, LEVELS, ROLLUPS, VALUE_TYPES, AreaSpec, IndicatorSpec

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
    "standard_annexes",
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
class PluginRegistry(Catalog):
    """The loaded plugins with what they declared, built once per app by ``build_registry``."""

    pm: pluggy.PluginManager
    plugins: list[PluginInfo]
    _subsets: dict[tuple[str, str], Any] = field(default_factory=dict, repr=False)

    def call_owner(self, plugin_name: str, hook: str, **kwargs: Any) -> Any:
        """Call ``hook`` on one plugin only (pluggy's ``subset_hook_caller``); return its result or None.

        Used for the collect hook, which belongs to the plugin that declared the area. A failure
        raises PluginError naming the plugin.
        """
        caller = self._subsets.get((plugin_name, hook))
        if caller is None:
            others = [plugin for name, plugin in self.pm.list_name_plugin() if name != plugin_name]
            caller = self._subsets[(plugin_name, hook)] = self.pm.subset_hook_caller(hook, others)
        results = call_hook(self.pm, caller, hook, **kwargs)
        return results[0] if results else None

    def call_all(self, hook: str, *, without: Iterable[str] = (), **kwargs: Any) -> list[Any]:
        """Call ``hook`` through pluggy on every plugin (minus ``without``); return results in call order.

        pluggy's order holds: ``tryfirst`` implementations first, then the others from the last
        registered to the first, then ``trylast``; hookwrappers see the call. A failure raises
        PluginError naming the plugin whose implementation raised.
        """
        skipped = set(without)
        if skipped:
            removed = [plugin for name, plugin in self.pm.list_name_plugin() if name in skipped]
            caller = self.pm.subset_hook_caller(hook, removed)
        else:
            caller = getattr(self.pm.hook, hook)
        return call_hook(self.pm, caller, hook, **kwargs)

    def implementers(self, hook: str) -> list[str]:
        """Return the names of the plugins implementing ``hook``, in pluggy's call order (wrappers excluded)."""
        return call_order(getattr(self.pm.hook, hook))


class HookFailure(PluginError):
    """A plugin's hook implementation raised; ``plugin`` names it (None when pluggy itself failed)."""

    def __init__(self, message: str, plugin: str | None) -> None:
        super().__init__(message)
        self.plugin = plugin


def call_order(caller: Any) -> list[str]:
    """Return the plugin names of a hook caller's implementations in the order pluggy calls them."""
    impls = [impl for impl in caller.get_hookimpls() if not (impl.hookwrapper or impl.wrapper)]
    return [impl.plugin_name for impl in reversed(impls)]


def failing_plugin(caller: Any, exc: BaseException) -> str | None:
    """Return the name of the plugin whose implementation of ``caller``'s hook raised ``exc``.

    Found by walking the traceback for the code object of one of the hook's implementations
    (the innermost one wins), so the call itself stays a plain pluggy call.
    """
    codes = {}
    for impl in caller.get_hookimpls():
        code = getattr(impl.function, "__code__", None)
        if code is not None:
            codes[code] = impl.plugin_name
    found = None
    tb = exc.__traceback__
    while tb is not None:
        found = codes.get(tb.tb_frame.f_code, found)
        tb = tb.tb_next
    return found


def call_hook(pm: pluggy.PluginManager, caller: Any, hook: str, **kwargs: Any) -> list[Any]:
    """Call a pluggy hook caller with keyword arguments; an exception becomes a HookFailure naming the plugin."""
    try:
        return caller(**kwargs)
    except Exception as exc:  # noqa: BLE001 - any plugin failure is reported with its name
        plugin = failing_plugin(caller, exc)
        who = f"Plugin '{plugin}'" if plugin else "Một plugin"
        raise HookFailure(f"{who} lỗi trong {hook}: {describe_error(exc)}", plugin) from exc


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
    return PluginRegistry(sorted(areas, key=lambda a: (a.order, a.code)), indicators, area_owner, indicator_owner,
                          pm=pm, plugins=infos)


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
    for name in reversed(call_order(pm.hook.reportsvc_areas)):  # registration order
        declared = _call_declaration(pm, name, "reportsvc_areas")
        for spec in declared:
            if not isinstance(spec, AreaSpec):
                raise PluginError(f"Plugin '{name}': reportsvc_areas phải trả về AreaSpec, "
                                  f"nhận được {type(spec).__name__}")
            if not spec.code.strip() or not spec.title.strip() or spec.part not in AREA_PARTS:
                raise PluginError(f"Plugin '{name}': lĩnh vực '{spec.code}' phải có mã, tiêu đề và "
                                  f"phần báo cáo là một trong: {', '.join(AREA_PARTS)}")
            if spec.code in owner:
                raise PluginError(f"Lĩnh vực '{spec.code}' được khai báo bởi cả plugin "
                                  f"'{owner[spec.code]}' và '{name}'")
            owner[spec.code] = name
            areas.append(spec)
            by_name[name].areas.append(spec)
    return areas, owner


def _declared_indicators(pm: pluggy.PluginManager,
                         area_owner: dict[str, str]) -> tuple[dict[str, IndicatorSpec], dict[str, str]]:
    indicators: dict[str, IndicatorSpec] = {}
    owner: dict[str, str] = {}
    for name in reversed(call_order(pm.hook.reportsvc_indicators)):
        for spec in _call_declaration(pm, name, "reportsvc_indicators"):
            if not isinstance(spec, IndicatorSpec):
                raise PluginError(f"Plugin '{name}': reportsvc_indicators phải trả về IndicatorSpec, "
                                  f"nhận được {type(spec).__name__}")
            if spec.code in owner:
                raise PluginError(f"Mã chỉ tiêu '{spec.code}' được khai báo bởi cả plugin "
                                  f"'{owner[spec.code]}' và '{name}'")
            if spec.rollup not in ROLLUPS or spec.value_type not in VALUE_TYPES:
                raise PluginError(f"Plugin '{name}': chỉ tiêu '{spec.code}' có kiểu hoặc cách tổng hợp không hợp lệ")
            unknown = [level for level in spec.levels if level not in LEVELS]
            if unknown or isinstance(spec.levels, str):
                raise PluginError(f"Plugin '{name}': chỉ tiêu '{spec.code}' khai báo cấp báo cáo không hợp lệ "
                                  f"{spec.levels!r} (levels là bộ các giá trị trong {', '.join(LEVELS)})")
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
    collectors = set(call_order(pm.hook.reportsvc_collect_section))
    for code, name in area_owner.items():
        if name not in collectors:
            raise PluginError(f"Plugin '{name}' khai báo lĩnh vực '{code}' nhưng không cài đặt "
                              f"reportsvc_collect_section")


def _call_declaration(pm: pluggy.PluginManager, plugin_name: str, hook: str) -> list[Any]:
    """Call a declaration hook on one plugin (a subset hook caller) and check it returned a list."""
    others = [plugin for name, plugin in pm.list_name_plugin() if name != plugin_name]
    results = call_hook(pm, pm.subset_hook_caller(hook, others), hook)
    result = results[0] if results else None
    if result is None:
        return []
    if not isinstance(result, (list, tuple)):
        raise PluginError(f"Plugin '{plugin_name}': {hook} phải trả về một danh sách")
    return list(result)
