"""`mutasi fairness`: the fairness report of the current @champion model."""

from __future__ import annotations

import typer

from pipelines.settings import get_settings


def fairness() -> None:
    """Selection rates and impact ratios by gender and age band of the champion's shortlists."""
    from pipelines.fairness import champion_fairness

    report = champion_fairness(get_settings())
    typer.echo(f"model @champion: versi / version {report.version}")
    typer.echo(report.groups.round(3).to_string(index=False))
    if not report.flags:
        typer.echo("Tidak ada temuan di bawah 0,8 / No finding below 0.8")
    for flag in report.flags:
        typer.echo(f"PERHATIAN / FLAG: {flag}")


def register(app: typer.Typer) -> None:
    app.command("fairness")(fairness)
