"""CLI command modules. Each defines `register(app)`; `register_all` wires them in."""

from __future__ import annotations

import importlib

import typer

# One module per area, each owned by its area: add a name here when adding a module.
COMMAND_MODULES: tuple[str, ...] = (
    "decisions",
    "demo",
    "fairness",
    "info",
    "ingest",
    "plan",
    "serve",
    "train",
)


def register_all(app: typer.Typer) -> None:
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"cli.commands.{name}")
        module.register(app)
