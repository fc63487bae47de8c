"""CLI command modules. Each defines `register(app)`; `register_all` wires them in.

Command modules import only typer and the standard library at the top: everything else
(pandas, MLflow, LightGBM, the serving app, even pydantic-settings) is imported inside the
command that uses it, so `mutasi --help` and the light commands start in well under a second.
`tests/cli/test_main.py` checks that `--help` loads none of the heavy packages.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from pipelines.settings import Settings

# One module per area, each owned by its area: add a name here when adding a module.
COMMAND_MODULES: tuple[str, ...] = (
    "consultation",
    "decisions",
    "demo",
    "fairness",
    "info",
    "ingest",
    "plan",
    "review",
    "serve",
    "train",
)


def register_all(app: typer.Typer) -> None:
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"cli.commands.{name}")
        module.register(app)


def get_settings() -> Settings:
    """`pipelines.settings.get_settings`, imported on first use (pydantic-settings costs ~0.2 s)."""
    from pipelines.settings import get_settings as cached_settings

    return cached_settings()
