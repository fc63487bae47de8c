"""`mutasi review`: after the move, every move predicted vs actual, units, programme impact,
model monitoring and the leaders' report, written to a folder."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from cli.commands import get_settings


def _date(value: str | None, option: str) -> date | None:
    from models.contract.errors import MutasiError

    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise MutasiError(
            f"{option} bukan tanggal YYYY-MM-DD: {value} / {option} is not a YYYY-MM-DD date: "
            f"{value}"
        ) from None


def review(
    out: Annotated[Path, typer.Option(help="Folder hasil / Output folder")],
    since: Annotated[
        str | None, typer.Option(help="Tanggal SK sejak / Decreed since (YYYY-MM-DD)")
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="Tanggal SK sampai / Decreed until (YYYY-MM-DD)")
    ] = None,
) -> None:
    """Post-move review of the moves decreed in a window (default: the last three decree years)."""
    from pipelines.review import run_review

    result = run_review(
        get_settings(), out_dir=out, since=_date(since, "--since"), until=_date(until, "--until")
    )
    window = result.window
    typer.echo(f"jendela / window: {window.since} .. {window.until}; model {result.model_version}")
    typer.echo(f"mutasi / moves: {len(result.moves)}; {result.flag_counts()}")
    moved = result.programme.iloc[0]
    interval = (
        f"{moved['effect']} [{moved['ci_low']}, {moved['ci_high']}] "
        if moved["effect"] == moved["effect"]  # NaN: not reliable, no number
        else ""
    )
    typer.echo(
        f"dampak pindah / effect of moving ({moved['cohort']}): {interval}"
        f"n={moved['n']}; {moved['method']}"
    )
    typer.echo(f"putusan / verdict: {result.verdict}")
    for path in result.files:
        typer.echo(f"-> {path}")
    typer.echo(f"{result.seconds:.1f} s", err=True)


def register(app: typer.Typer) -> None:
    app.command("review")(review)
