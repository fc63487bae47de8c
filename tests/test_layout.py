"""The architecture's one hard rule: `models` imports neither `pipelines` nor `serving`."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN_FOR_MODELS = ("pipelines", "serving")


def imported_top_levels(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("module", sorted((ROOT / "models").rglob("*.py")), ids=lambda p: p.name)
def test_models_module_imports_no_io_layer(module: Path) -> None:
    assert imported_top_levels(module).isdisjoint(FORBIDDEN_FOR_MODELS)


def test_imported_top_levels_sees_from_imports(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("from pipelines.settings import get_settings\nimport serving.app\n")
    assert imported_top_levels(probe) == {"pipelines", "serving"}
