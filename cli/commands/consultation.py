"""`mutasi consultation`: a round's answers as CSV for planning, and the retention purge."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.commands import get_settings

consultation_app = typer.Typer(
    help="Konsultasi pegawai: ekspor jawaban, hapus setelah masa simpan / Employee "
    "consultation: export answers, purge after retention."
)


def export(
    round_id: Annotated[str, typer.Argument(help="ID putaran / Round id")],
    out: Annotated[Path, typer.Option("--out", help="Folder for choices.csv, preferences.csv.")],
) -> None:
    """Write the round's ranked choices and its preferences (the contract's table, dated)."""
    from serving.consultation.frames import round_frames
    from serving.db import make_engine

    choices, preferences = round_frames(make_engine(get_settings().db_url), round_id)
    out.mkdir(parents=True, exist_ok=True)
    choices.to_csv(out / "choices.csv", index=False)
    preferences.to_csv(out / "preferences.csv", index=False)
    typer.echo(f"{choices['nip'].nunique()} responden / respondents: {out}")


def purge() -> None:
    """Delete rounds closed longer ago than MUTASI_CONSULTATION_RETENTION_DAYS, with their
    answers, notes and answer history: the one deliberate deletion of personal data."""
    from serving.consultation.service import now
    from serving.consultation.store import purge as purge_rounds
    from serving.db import make_engine

    settings = get_settings()
    deleted = purge_rounds(
        make_engine(settings.db_url),
        retention_days=settings.consultation_retention_days,
        now=now(),
    )
    typer.echo(
        f"{len(deleted)} putaran dihapus (masa simpan {settings.consultation_retention_days} "
        f"hari) / rounds deleted (retention {settings.consultation_retention_days} days)"
    )


def register(app: typer.Typer) -> None:
    consultation_app.command("export")(export)
    consultation_app.command("purge")(purge)
    app.add_typer(consultation_app, name="consultation")
