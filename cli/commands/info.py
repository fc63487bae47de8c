"""`mutasi info`: where this installation keeps its data, models and audit trail."""

from __future__ import annotations

import typer

from cli.commands import get_settings


def info() -> None:
    """Show the data home, the MLflow tracking URI and the key/audit database."""
    settings = get_settings()
    typer.echo(f"data home:        {settings.home.resolve()}")
    typer.echo(f"snapshots:        {settings.snapshots_dir.resolve()}")
    typer.echo(f"MLflow tracking:  {settings.tracking_uri}")
    typer.echo(f"keys and audit:   {settings.db_url}")
    typer.echo(f"registered model: {settings.model_name}")
    typer.echo(f"reference date:   {settings.reference_date.isoformat()}")


def register(app: typer.Typer) -> None:
    app.command("info")(info)
