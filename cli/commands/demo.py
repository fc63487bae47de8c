"""`mutasi demo-data OUT`: write a synthetic agency (and its ground truth) to a folder."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from simulator import DEFAULT_AS_OF, VARIANTS, generate_agency


def demo_data(
    out: Annotated[Path, typer.Argument(help="Folder to write the agency's tables into.")],
    employees: Annotated[
        int, typer.Option("--employees", help="Employees in service at the export date.")
    ] = 3000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same data).")] = 7,
    as_of: Annotated[
        datetime | None,
        typer.Option(
            "--as-of",
            formats=["%Y-%m-%d"],
            help=f"Export date, YYYY-MM-DD (default {DEFAULT_AS_OF.isoformat()}).",
        ),
    ] = None,
    years: Annotated[int, typer.Option("--years", help="Years of history before as-of.")] = 10,
    file_format: Annotated[
        str, typer.Option("--format", help="File format of the tables: csv, parquet or xlsx.")
    ] = "csv",
    variant: Annotated[
        str,
        typer.Option(
            "--variant",
            help=f"Latent world: {', '.join(VARIANTS)} (see simulator/variants.py).",
        ),
    ] = "default",
) -> None:
    """Generate a realistic demo agency (Pemerintah Provinsi Jawa Timur) with its ground truth."""
    summary = generate_agency(
        out,
        employees=employees,
        seed=seed,
        as_of=as_of.date() if as_of else None,
        years=years,
        file_format=file_format,
        variant=variant,
    )
    typer.echo(f"demo agency written to {summary.out_dir} (ground truth in _truth/)")
    for table, rows in summary.rows.items():
        typer.echo(f"  {table:<22} {rows:>10,} rows")
    typer.echo(
        f"resistance rate {summary.resistance_rate:.1%}; "
        f"transfers with a post-move label {summary.post_move_label_share:.1%}"
    )


def register(app: typer.Typer) -> None:
    app.command("demo-data")(demo_data)
