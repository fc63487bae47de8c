"""`mutasi plan` (a joint transfer round) and `mutasi staffing` (ABK balance)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.commands import get_settings


def _names(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def plan(
    out: Annotated[Path, typer.Option("--out", help="CSV of the planned moves.")],
    slots: Annotated[
        Path | None,
        typer.Option("--slots", help="CSV position_id,open_count; default: every shortage."),
    ] = None,
    risk_weight: Annotated[
        float, typer.Option("--lambda", min=0.0, help="Weight of risk against fit.")
    ] = 1.0,
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=0.1, help="Solver time limit, seconds.")
    ] = 60.0,
    max_move_risk: Annotated[
        float | None, typer.Option("--max-move-risk", min=0.0, max=1.0, help="Per-move cap.")
    ] = None,
    max_total_risk: Annotated[
        float | None, typer.Option("--max-total-risk", min=0.0, help="Cap on summed risk.")
    ] = None,
    min_unit_share: Annotated[
        float, typer.Option("--min-unit-share", min=0.0, max=1.0, help="Unit floor, share of need.")
    ] = 0.8,
    must_move: Annotated[str, typer.Option("--must-move", help="Comma-separated NIPs.")] = "",
    must_not_move: Annotated[str, typer.Option("--must-not-move", help="Comma-separated.")] = "",
    must_fill: Annotated[str, typer.Option("--must-fill", help="Comma-separated positions.")] = "",
    top_m: Annotated[int, typer.Option("--top-m", min=1, help="Candidates per open slot.")] = 30,
    grade_window: Annotated[
        int | None,
        typer.Option(
            "--grade-window",
            min=0,
            help="Pair a position only with people within this many grades of it.",
        ),
    ] = None,
    same_job_type: Annotated[
        bool, typer.Option("--same-job-type", help="Pair positions only with their job family.")
    ] = False,
    dask_scheduler: Annotated[
        str | None,
        typer.Option(
            "--dask-scheduler",
            help="Run the candidate search on this Dask scheduler (e.g. tcp://10.0.0.5:8786).",
        ),
    ] = None,
    dask_workers: Annotated[
        int | None,
        typer.Option(
            "--dask-workers",
            min=0,
            help="Local Dask worker processes (0: in process; default: a LocalCluster of one "
            "worker per core for rounds of 500M+ pairs).",
        ),
    ] = None,
    allow_promotion: Annotated[
        bool, typer.Option("--allow-promotion", help="Also plan promotions (need selection).")
    ] = False,
    consultation: Annotated[
        str | None,
        typer.Option("--consultation", help="Consultation round id: its answers join the plan."),
    ] = None,
    preference_weight: Annotated[
        float,
        typer.Option(
            "--preference-weight",
            min=0.0,
            max=100.0,
            help="Bonus (fit units) for a move to a person's first choice; a fifth: a fifth.",
        ),
    ] = 0.0,
    unit_preference_weight: Annotated[
        float,
        typer.Option(
            "--unit-preference-weight",
            min=0.0,
            max=100.0,
            help="Bonus (fit units) for a move to a post whose unit ranked the person first "
            "(its last of n: 1/n); 0: the units' rankings are only reported.",
        ),
    ] = 0.0,
) -> None:
    """Plan a round of transfers that fills open slots with the best fit at the least risk."""
    from cli.progress import counted
    from models.planning.instance import PlanOptions
    from models.planning.pool import PoolConfig
    from pipelines.planning import make_plan

    options = PlanOptions.model_validate(
        {
            "lambda": risk_weight,
            "time_limit": time_limit,
            "max_move_risk": max_move_risk,
            "max_total_risk": max_total_risk,
            "min_unit_share": min_unit_share,
            "must_move": _names(must_move),
            "must_not_move": _names(must_not_move),
            "must_fill": _names(must_fill),
            "allow_promotion": allow_promotion,
            "preference_weight": preference_weight,
            "unit_preference_weight": unit_preference_weight,
        }
    )
    from serving.consultation.frames import answer_frames, round_frames
    from serving.consultation.store import newest_answers
    from serving.db import make_engine

    engine = make_engine(get_settings().db_url)
    answers = answer_frames(newest_answers(engine))  # risk hears what people last said
    choices = rankings = None
    if consultation is not None:
        from serving.consultation.rankings import ranking_frame

        choices = round_frames(engine, consultation)[0]
        rankings = ranking_frame(engine, consultation)
    pool = PoolConfig(top_m=top_m, grade_window=grade_window, same_job_type=same_job_type)
    with counted("pencarian kandidat / candidate search (partitions)") as progress:
        stored = make_plan(
            get_settings(),
            slots_path=slots,
            options=options,
            pool=pool,
            dask_scheduler=dask_scheduler,
            dask_workers=dask_workers,
            progress=progress,
            choices=choices,
            answers=answers,
            unit_rankings=rankings,
        )
    stored.frames["moves"].to_csv(out, index=False)
    _report(stored.plan_id, stored.record, out=out, folder=stored.folder)


def _report(plan_id: str, record: dict, *, out: Path, folder: Path) -> None:
    summary = record["summary"]
    gap = "-" if record["gap"] is None else f"{100 * record['gap']:.2f} %"
    typer.echo(f"rencana / plan {plan_id} ({record['method']}, {record['status']}, gap {gap})")
    if record["method"] == "greedy_fallback":
        typer.echo(record["message"])
    typer.echo(
        f"mutasi / moves {summary['moves']:.0f}, rantai / chains {summary['chains']:.0f}, "
        f"formasi terbuka / open slots {summary['open_slots']:.0f}, sisa / left "
        f"{summary['open_slots_left']:.0f}; total kecocokan / fit {summary['total_fit']:.1f}, "
        f"total risiko / risk {summary['total_risk']:.2f}"
    )
    for row in record.get("top_choices") or []:
        if row["attribute"] in ("all", "gender"):
            typer.echo(
                f"pilihan 1-3 terpenuhi / top-3 choice met ({row['attribute']} {row['group']}): "
                f"{row['top_choice']} dari / of {row['respondents']} responden / respondents "
                f"({row['moved']} pindah / moved)"
            )
    for row in record.get("stable_matching") or []:
        if row["unit_id"] == "all":
            typer.echo(
                f"pasangan pemblokir / blocking pairs: {row['blocking_pairs']} "
                f"({row['ranked_positions']} jabatan diperingkat unit / posts ranked by units, "
                f"{row['matched']} dari / of {row['ranked_pairs']} kandidat berperingkat "
                "ditempatkan / ranked candidates placed)"
            )
    for warning in record.get("warnings", []):
        typer.echo(f"PERINGATAN / WARNING: {warning}")
    for pin in record["unmet_pins"]:
        typer.echo(f"tidak terpenuhi / not honoured: must_move {pin}")
    typer.echo(f"daftar mutasi / moves: {out}; rencana lengkap / full plan: {folder}")


def staffing(
    out: Annotated[
        Path | None, typer.Option("--out", help="CSV of the balance; default: print units.")
    ] = None,
    by: Annotated[str, typer.Option("--by", help="unit or position.")] = "unit",
) -> None:
    """Staffing balance from the ABK: need, headcount, surplus, shortage, effectiveness."""
    from models.contract.errors import MutasiError
    from models.planning.staffing import position_balance, unit_balance
    from pipelines.snapshots import load_snapshot

    if by not in ("unit", "position"):
        raise MutasiError(f"--by harus unit atau position / --by must be unit or position: {by}")
    data = load_snapshot(settings=get_settings()).data
    balance = position_balance(data.positions, data.employees)
    table = unit_balance(balance) if by == "unit" else balance
    if out is not None:
        table.to_csv(out, index=False)
        typer.echo(f"{len(table)} baris / rows: {out}")
        return
    typer.echo(table.round(3).to_string(index=False))


def register(app: typer.Typer) -> None:
    app.command("plan")(plan)
    app.command("staffing")(staffing)
