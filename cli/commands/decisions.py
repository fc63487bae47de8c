"""`mutasi decisions --since`: export the decision record (adopted, changed, rejected moves)."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer

from pipelines.settings import get_settings


def decisions(
    since: Annotated[str, typer.Option(help="Sejak tanggal / Since date (YYYY-MM-DD)")],
    out: Annotated[Path | None, typer.Option(help="Berkas CSV / CSV file (default stdout)")] = None,
) -> None:
    """Export the decisions on recommended moves since a date as CSV."""
    from models.contract.errors import MutasiError
    from serving.db import make_engine
    from serving.decisions import DecisionLog

    try:
        start = datetime.combine(date.fromisoformat(since), datetime.min.time(), tzinfo=UTC)
    except ValueError:
        raise MutasiError(
            f"--since bukan tanggal YYYY-MM-DD: {since} / --since is not a YYYY-MM-DD date: {since}"
        ) from None
    log = DecisionLog(make_engine(get_settings().db_url))
    if out is None:
        log.export_csv(sys.stdout, since=start)
        return
    with out.open("w", encoding="utf-8", newline="") as handle:
        count = log.export_csv(handle, since=start)
    typer.echo(f"{count} keputusan / decisions -> {out}", err=True)


def register(app: typer.Typer) -> None:
    app.command("decisions")(decisions)
