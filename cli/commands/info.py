"""`mutasi info`: where this installation keeps its data, models and audit trail."""

from __future__ import annotations

import typer

from cli.commands import get_settings


def info() -> None:
    """Show the data home, the MLflow tracking URI and the key/audit database."""
    settings = get_settings()
    typer.echo(f"folder data / data home:             {settings.home.resolve()}")
    typer.echo(f"snapshot / snapshots:                {settings.snapshots_dir.resolve()}")
    typer.echo(f"pelacakan MLflow / MLflow tracking:  {settings.tracking_uri}")
    typer.echo(f"kunci dan audit / keys and audit:    {settings.db_url}")
    typer.echo(f"model terdaftar / registered model:  {settings.model_name}")
    typer.echo(f"tanggal acuan / reference date:      {settings.reference_date.isoformat()}")


def register(app: typer.Typer) -> None:
    app.command("info")(info)
