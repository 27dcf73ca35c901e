"""docs/plugins.md is checked against the real hook specs, and its examples are files that run.

An include marker ``<!-- include: PATH -->`` or ``<!-- include: PATH::NAME -->`` (NAME: a top-level
function, class or assignment of a Python file) must be followed by a fenced block equal to the
file or that definition. ``python -m tests.test_docs`` rewrites those blocks from the files.
"""
from __future__ import annotations

import ast
import dataclasses
import importlib.util
import inspect
import re
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner

from reportsvc.collect import context as collect
from reportsvc.hooks import specs as hookspecs
from reportsvc.plugin import testing
from reportsvc.cli.main import main
from reportsvc.hooks.registry import build_registry
from reportsvc.report.model import AnnexTable, AreaSection, Chart, ChartSeries, IndicatorRow, TaskItem
from reportsvc.areas.declarations import AreaSpec, IndicatorSpec
from tests.plugin_helpers import ROOT, add_distribution

GUIDE = ROOT / "docs" / "plugins.md"
EXAMPLES = ROOT / "docs" / "examples"
INCLUDE = re.compile(r"<!-- include: (?P<path>[^\s:]+)(?:::(?P<name>\w+))? -->\n```(?P<lang>\w*)\n(?P<body>.*?)```",
                     re.DOTALL)


def hook_specs() -> dict[str, list[str]]:
    """Return every hook of reportsvc.hooks.specs with its argument names, in order."""
    return {name: list(inspect.signature(function).parameters)
            for name, function in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith("reportsvc_")}


def guide() -> str:
    """Return the plugin guide's text."""
    return GUIDE.read_text(encoding="utf-8")


def reference_section(text: str, hook: str) -> str:
    """Return the reference section of ``hook``: from its ``#### `hook(...)``` heading to the next heading."""
    match = re.search(rf"^#### `{hook}\((?P<args>[^)]*)\)`\n(?P<body>.*?)(?=^#{{1,4}} )", text + "\n# end",
                      re.DOTALL | re.MULTILINE)
    assert match, f"docs/plugins.md has no reference heading for {hook}"
    return match.group(0)


def definition_source(path: Path, name: str) -> str:
    """Return the source of a top-level definition of a Python file, decorators included."""
    source = path.read_text(encoding="utf-8")
    for node in ast.parse(source).body:
        names = ([node.name] if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) else
                 [t.id for t in getattr(node, "targets", [getattr(node, "target", None)]) if isinstance(t, ast.Name)])
        if name in names:
            first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
            return "\n".join(source.splitlines()[first - 1: node.end_lineno]) + "\n"
    raise LookupError(f"{name} is not defined at the top level of {path}")


def included(path: str, name: str | None) -> str:
    """Return what an include marker stands for."""
    file = ROOT / path
    return definition_source(file, name) if name else file.read_text(encoding="utf-8")


def write_includes() -> None:
    """Rewrite every included block of the guide from its file."""
    def replace(match: re.Match[str]) -> str:
        marker = match.group(0).split("\n", 1)[0]
        return f"{marker}\n```{match.group('lang')}\n{included(match.group('path'), match.group('name'))}```"

    GUIDE.write_text(INCLUDE.sub(replace, guide()), encoding="utf-8")


def load_example(path: Path) -> ModuleType:
    """Import an example file as a module under a private name."""
    spec = importlib.util.spec_from_file_location(f"_docs_example_{path.stem}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_hook_and_argument_is_documented() -> None:
    text = guide()
    specs = hook_specs()
    assert len(specs) == 6
    for hook, args in specs.items():
        body = reference_section(text, hook)
        heading = re.match(rf"#### `{hook}\(([^)]*)\)`", body)
        assert heading and [a.strip() for a in heading.group(1).split(",") if a.strip()] == args, (
            f"the reference heading of {hook} must list exactly its arguments {args}")
        for arg in args:
            assert re.search(rf"^- `{arg}` ", body, re.MULTILINE), f"argument {arg!r} of {hook} is not described"
        assert "Returns" in body, f"{hook}: say what it returns"
        assert "<!-- include: " in body, f"{hook}: give an example included from a tested file"
    documented = set(re.findall(r"^#+ `(reportsvc_\w+)\(", text, re.MULTILINE))
    assert documented == set(specs), f"documented hooks that do not exist: {documented - set(specs)}"


@pytest.mark.parametrize("cls", [AreaSpec, IndicatorSpec, AreaSection, IndicatorRow, TaskItem, AnnexTable, Chart,
                                 ChartSeries])
def test_every_field_of_the_public_dataclasses_is_documented(cls: type) -> None:
    text = guide()
    match = re.search(rf"^#### `{cls.__name__}`\n(.*?)(?=^#{{1,4}} )", text + "\n# end", re.DOTALL | re.MULTILINE)
    assert match, f"docs/plugins.md has no '#### `{cls.__name__}`' section"
    for field in dataclasses.fields(cls):
        assert f"`{field.name}`" in match.group(1), f"{cls.__name__}.{field.name} is not documented"


def test_every_public_name_of_the_toolkits_is_documented() -> None:
    text = guide()
    for module in (collect, testing):
        names = [name for name, value in vars(module).items() if not name.startswith("_")
                 and inspect.isfunction(value) and value.__module__ == module.__name__]
        for name in names:
            assert f"`{name}(" in text, f"{module.__name__}.{name} is not documented"
    for name in ("validate_status(registry, area, task, values)",
                 "validate_indicator_value(registry, spec, value, unit_code, period_key)"):
        assert name in text


def test_included_blocks_match_their_files() -> None:
    matches = list(INCLUDE.finditer(guide()))
    assert len(matches) >= 10
    paths = {m.group("path") for m in matches}
    assert {"docs/examples/plugins/phan_cap.py", "docs/examples/test_phan_cap.py",
            "docs/examples/pyproject.toml"} <= paths
    for match in matches:
        expected = included(match.group("path"), match.group("name"))
        assert match.group("body") == expected, (
            f"the block after '{match.group(0).splitlines()[0]}' differs from the file; "
            f"run: python -m tests.test_docs")
    assert guide().count("<!-- include: ") == len(matches), "an include marker is not followed by a fenced block"


def test_example_plugin_loads_from_a_plugins_dir_and_builds_a_report(tmp_path: Path) -> None:
    registry = build_registry(plugins_dir=EXAMPLES / "plugins")
    info = next(info for info in registry.plugins if info.name == "phan_cap")
    assert info.source == "dir" and len(info.hooks) == 6
    assert registry.area_owner["PHAN_CAP"] == "phan_cap"
    registry.pm.check_pending()
    services = testing.make_services(tmp_path, plugins_dir=EXAMPLES / "plugins")
    report = testing.build(services, unit="HT-TH-TD", period="2024-H1")
    assert testing.section(report, "PHAN_CAP").paragraphs == [
        "Trong kỳ, kế hoạch không giao nhiệm vụ cụ thể thuộc lĩnh vực này."]
    heading = next(s.heading for s in report.section("II").subsections if s.key == "II.PHAN_CAP")
    assert heading == "4. Triển khai thực hiện phân cấp quản lý nhà nước"


@pytest.mark.parametrize("name", ["test_section_and_indicators", "test_values_are_entered_per_quarter"])
def test_the_guides_example_tests_pass(name: str, tmp_path: Path) -> None:
    module = load_example(EXAMPLES / "test_phan_cap.py")
    getattr(module, name)(tmp_path)


def test_the_tutorial_cli_steps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner) -> None:
    """--plugins-dir and REPORTSVC_PLUGINS_DIR load the file; packaged, it loads as an entry point."""
    listed = runner.invoke(main, ["--plugins-dir", str(EXAMPLES / "plugins"), "plugins", "list"])
    assert listed.exit_code == 0 and "phan_cap" in listed.stdout
    monkeypatch.setenv("REPORTSVC_PLUGINS_DIR", str(EXAMPLES / "plugins"))
    assert "PHAN_CAP" in runner.invoke(main, ["plugins", "list"]).stdout
    monkeypatch.delenv("REPORTSVC_PLUGINS_DIR")

    project = tomllib.loads((EXAMPLES / "pyproject.toml").read_text(encoding="utf-8"))
    entry_points = project["project"]["entry-points"]["reportsvc"]
    [module_name] = project["tool"]["setuptools"]["py-modules"]
    source = tmp_path / "src"
    source.mkdir()
    (source / f"{module_name}.py").write_text((EXAMPLES / "plugins" / "phan_cap.py").read_text(encoding="utf-8"),
                                              encoding="utf-8")
    add_distribution(monkeypatch, tmp_path, project["project"]["name"], entry_points, import_path=source)
    listed = runner.invoke(main, ["plugins", "list"])
    assert listed.exit_code == 0, listed.output
    line = next(line for line in listed.stdout.splitlines() if line.startswith("phan_cap "))
    assert line.split()[:4] == ["phan_cap", "entrypoint", "bật", "PHAN_CAP"]
    sys.modules.pop(module_name, None)


if __name__ == "__main__":  # pragma: no cover - a maintenance command
    write_includes()
    print(f"rewrote the included blocks of {GUIDE.relative_to(ROOT)}")
