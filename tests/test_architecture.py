"""The house: reportsvc/ laid out by the flow, import contracts kept, no import cycle, hooks called through pluggy."""
from __future__ import annotations

import re
from pathlib import Path

import grimp
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "reportsvc"


def test_import_contracts_hold() -> None:
    """The layers and forbidden imports of pyproject.toml's [tool.importlinter] are kept."""
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml")) == 0


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Return the strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in graph.find_modules_directly_imported_by(module):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_no_import_cycle_type_checking_imports_included() -> None:
    graph = grimp.build_graph("reportsvc", exclude_type_checking_imports=False)
    assert _cycles(graph) == []


def test_cycle_finder_finds_a_cycle() -> None:
    """The check above can fail: two modules importing each other are reported."""
    graph = grimp.ImportGraph()
    for name in ("a", "a.x", "a.y", "a.z"):
        graph.add_module(name)
    graph.add_import(importer="a.x", imported="a.y")
    graph.add_import(importer="a.y", imported="a.x")
    graph.add_import(importer="a.z", imported="a.x")
    assert _cycles(graph) == [["a.x", "a.y"]]


def test_at_most_ten_flat_modules() -> None:
    flat = sorted(path.name for path in PACKAGE.glob("*.py"))
    assert len(flat) <= 10, flat


def test_no_hook_implementation_is_called_by_hand() -> None:
    """Hooks go through pluggy (pm.hook.<name> or a subset hook caller), never impl.function(...)."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"\.function\(|\bimpl\.function\b.*\(", line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_built_in_plugins_use_only_the_facade() -> None:
    """The built-ins, the example plugins and the guide import reportsvc only through reportsvc.plugin."""
    files = [*ROOT.joinpath("plugins").glob("*.py"), *ROOT.joinpath("examples").rglob("*.py"),
             *ROOT.joinpath("docs", "examples", "plugins").glob("*.py"), ROOT / "docs" / "plugins.md"]
    imports = [(path.name, line.strip()) for path in files for line in path.read_text(encoding="utf-8").splitlines()
               if re.match(r"\s*(from|import) reportsvc(\.|\s)", line)]
    assert imports, "no plugin imports found"
    assert [item for item in imports if not re.match(r"(from|import) reportsvc\.plugin(\.testing)?\b", item[1])] == []
