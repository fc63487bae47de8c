"""`mutasi demo-data OUT`: write a synthetic agency (and its ground truth) to a folder."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer


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
            help="Export date, YYYY-MM-DD (default: the demo world's fixed export date).",
        ),
    ] = None,
    years: Annotated[int, typer.Option("--years", help="Years of history before as-of.")] = 10,
    file_format: Annotated[
        str, typer.Option("--format", help="File format of the tables: csv, parquet or xlsx.")
    ] = "csv",
    layout: Annotated[
        str,
        typer.Option("--layout", help="contract, or siasn (SIASN forms, agency tables)."),
    ] = "contract",
    messy: Annotated[
        bool,
        typer.Option("--messy", help="Contract tables as Indonesian Excel writes them (; CSV)."),
    ] = False,
    variant: Annotated[
        str,
        typer.Option(
            "--variant",
            help="Latent world: default, interactions, strong_selection, weak_selection or "
            "noisy_skp (see simulator/variants.py).",
        ),
    ] = "default",
    move_effect: Annotated[
        float | None,
        typer.Option(
            "--move-effect",
            help="Known effect of being moved on the next SKP, rating points (default: the "
            "mechanism's own; see simulator/programme.py).",
        ),
    ] = None,
    pretraining_effect: Annotated[
        float,
        typer.Option(
            "--pretraining-effect", help="Effect of a pre-transfer training, rating points."
        ),
    ] = 0.0,
    pretraining_share: Annotated[
        float,
        typer.Option("--pretraining-share", help="Share of sector changes given that training."),
    ] = 0.0,
) -> None:
    """Generate a realistic demo agency (Pemerintah Provinsi Jawa Timur) with its ground truth."""
    from cli.progress import step
    from simulator import Programme, generate_agency

    with step(f"membuat instansi demo / generating the demo agency ({employees:,} employees)"):
        summary = generate_agency(
            out,
            employees=employees,
            seed=seed,
            as_of=as_of.date() if as_of else None,
            years=years,
            file_format=file_format,
            layout=layout,
            messy=messy,
            variant=variant,
            programme=Programme(
                move_effect=move_effect,
                pretraining_effect=pretraining_effect,
                pretraining_share=pretraining_share,
            ),
        )
    typer.echo(
        f"instansi demo ditulis ke / demo agency written to {summary.out_dir} "
        "(kebenaran dasar di / ground truth in _truth/)"
    )
    for table, rows in summary.rows.items():
        typer.echo(f"  {table:<22} {rows:>10,} baris / rows")
    typer.echo(
        f"tingkat penolakan / resistance rate {summary.resistance_rate:.1%}; mutasi dengan "
        f"label pascapindah / transfers with a post-move label "
        f"{summary.post_move_label_share:.1%}"
    )


def register(app: typer.Typer) -> None:
    app.command("demo-data")(demo_data)
