"""The architecture's rules, checked on every module's imports (function-level ones included).

- Layers stack cli → serving → pipelines → models; the simulator sits beside serving (it may use
  pipelines and models; only the CLI, tests and benchmarks use it). Nothing imports upwards.
- The wings of `models` stack contract ← features ← scoring ← planning.
- No modules import each other in a circle, directly or through others.
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("models", "pipelines", "serving", "simulator", "cli")
MAY_IMPORT: dict[str, set[str]] = {
    "models": {"models"},
    "pipelines": {"models", "pipelines"},
    "simulator": {"models", "pipelines", "simulator"},
    "serving": {"models", "pipelines", "serving"},
    "cli": set(PACKAGES),
}
WINGS = ("contract", "features", "scoring", "planning")  # each may import only those before it


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def source_modules() -> dict[str, Path]:
    return {
        module_name(path): path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
    }


def imported_names(path: Path, modules: Collection[str]) -> Iterator[str]:
    """Every absolute module name an `import` or `from ... import` in the file refers to;
    `from a.b import c` refers to the module a.b.c when there is one, else to a.b."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                yield submodule if submodule in modules else node.module


def import_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    """module -> the project modules it imports."""
    return {
        name: {t for t in imported_names(path, modules) if t in modules and t != name}
        for name, path in modules.items()
    }


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


MODULES = source_modules()
GRAPH = import_graph(MODULES)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_module_imports_only_its_own_layer_and_those_below(module: str) -> None:
    layer = module.split(".")[0]
    upward = sorted(t for t in GRAPH[module] if t.split(".")[0] not in MAY_IMPORT[layer])
    assert upward == []


@pytest.mark.parametrize(
    "module", sorted(m for m in MODULES if m.count(".") >= 2 and m[:7] == "models.")
)
def test_models_wing_imports_only_itself_and_the_wings_below(module: str) -> None:
    wing = WINGS.index(module.split(".")[1])
    upward = sorted(
        t for t in GRAPH[module] if t.startswith("models.") and WINGS.index(t.split(".")[1]) > wing
    )
    assert upward == []


def test_no_modules_import_each_other_in_a_circle() -> None:
    assert cycles(GRAPH) == []


def test_every_models_module_sits_in_a_wing() -> None:
    loose = [m for m in MODULES if m.startswith("models.") and m.split(".")[1] not in WINGS]
    assert loose == []


def test_cycles_finds_a_circle_through_a_third_module() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


def test_imported_names_sees_function_level_and_from_imports(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(
        "def f():\n    from serving.app import create_app\n"
        "import pipelines.settings\nfrom simulator import outcomes\n"
    )
    modules = {"serving.app", "pipelines.settings", "simulator", "simulator.outcomes"}
    assert set(imported_names(probe, modules)) == {
        "serving.app",
        "pipelines.settings",
        "simulator.outcomes",
    }
