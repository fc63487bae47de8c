"""`mutasi train`, `score`, `promote`, `rollback`, `models`: the model lifecycle commands."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.commands import get_settings

if TYPE_CHECKING:  # pandas loads lazily: `mutasi --help` starts fast
    import pandas as pd

SUMMARY_METRICS = (
    "fit_ndcg10_truth",
    "fit_ndcg10_outcome",
    "fit_mae",
    "risk_auc",
    "risk_brier",
    "risk_ece",
    "risk_ece_vs_truth",
)


class Ipw(StrEnum):
    """`--ipw`: inverse-propensity weights of the fit model (pipelines.train.TrainConfig.ipw)."""

    AUTO = "auto"
    ON = "on"
    OFF = "off"


def train(
    data: Annotated[
        Path | None,
        typer.Option("--data", help="Export folder to ingest first; default: current snapshot."),
    ] = None,
    budget: Annotated[
        float | None,
        typer.Option(
            "--budget",
            min=1.0,
            max=7 * 86_400.0,
            help="Seconds for per-agency model selection (time-ordered CV on this agency's "
            "history); default: no selection, the standard configuration.",
        ),
    ] = None,
    max_trials: Annotated[
        int | None,
        typer.Option(
            "--max-trials",
            min=1,
            max=10_000,
            help="At most this many trials per search (fit, risk) within --budget: a rerun on "
            "the same data makes the same choices when the budget is not reached first.",
        ),
    ] = None,
    ipw: Annotated[
        Ipw,
        typer.Option(
            "--ipw",
            help="Weights against HR's selection of past moves (inverse propensity) for the fit "
            "model: auto = per-agency CV decides (with --budget), on = always, off = never.",
        ),
    ] = Ipw.AUTO,
) -> None:
    """Train the fit and risk models, evaluate against baselines, register, gate, promote."""
    import pandas as pd

    from cli.progress import counted, step
    from pipelines.ingest import ingest_folder
    from pipelines.train import TrainConfig, run_training

    settings = get_settings()
    snapshot_id = None
    if max_trials is not None and budget is None:
        raise typer.BadParameter(
            "hanya bersama --budget / only with --budget (it caps the selection's trials)",
            param_hint="--max-trials",
        )
    config = TrainConfig.model_validate(
        {"budget_seconds": budget, "max_trials": max_trials, "ipw": ipw.value}
    )
    if data is not None:
        with step("ingest / ingest"):
            snapshot_id = ingest_folder(data, settings=settings).id
    label = "pelatihan, evaluasi, registrasi / training, evaluation, registration"
    if budget is None:
        with step(label):
            result = run_training(
                settings, snapshot_id=snapshot_id, truth_folder=data, config=config
            )
    else:  # the selection is most of the time: show it (one live display: no spinner too)
        with counted(f"{label}; seleksi model, detik / model selection, seconds") as tick:
            result = run_training(
                settings, snapshot_id=snapshot_id, truth_folder=data, config=config, progress=tick
            )
    columns = [c for c in SUMMARY_METRICS if c in result.table.columns]
    typer.echo(f"snapshot: {result.snapshot_id}")
    typer.echo(
        "evaluasi tahun uji (tahun SK terakhir yang berhasil diamati, dan sesudahnya) / "
        "held-out evaluation (latest decree year with outcomes, and later years):"
    )
    typer.echo(result.table.set_index("model")[columns].round(4).to_string())
    for key in (
        "bayes_risk_auc",
        "bayes_risk_ece",
        "risk_auc_share_of_bayes",
        "margin_vs_rule.fit_ndcg10_truth",
        "margin_vs_rule.fit_ndcg10_outcome",
    ):
        if key in result.metrics and pd.notna(result.metrics[key]):
            typer.echo(f"{key}: {result.metrics[key]:.4f}")
    if "selection.trials" in result.metrics:
        typer.echo(
            f"seleksi model / model selection: {result.metrics['selection.trials']:.0f} "
            f"percobaan / trials in {result.metrics['selection.seconds']:.0f} s (anggaran / "
            f"budget {budget:.0f} s); fit dibobot propensitas terbalik / fit weighted by "
            f"inverse propensity: {'ya / yes' if result.scorer_config.fit_ipw else 'tidak / no'}"
        )
    typer.echo(
        f"terdaftar / registered {settings.model_name} versi / version {result.version} "
        "(@challenger)"
    )
    if not result.gate.empty:
        typer.echo(result.gate.round(4).to_string(index=False))
    if result.promoted:
        typer.echo(
            "dipromosikan ke / promoted to @champion (sebelumnya / previous: "
            f"{result.previous_champion or '-'})"
        )
    else:
        typer.echo(gate_refusal(result.gate, champion=result.previous_champion))
    typer.echo(f"waktu / time: {result.seconds:.1f} s")


def gate_refusal(gate: pd.DataFrame, *, champion: str | None) -> str:
    """Why the gate refused the new version, Indonesian first (plain LightGBM, champion)."""
    failed = gate.loc[~gate["ok"].astype(bool)]
    reasons = []
    if (failed["against"] == "plain_lightgbm").any():
        metrics = ", ".join(failed.loc[failed["against"] == "plain_lightgbm", "metric"])
        reasons.append(
            f"kalah dari LightGBM polos pada tahun uji ({metrics}) / "
            f"loses to the plain LightGBM on the held-out years ({metrics})"
        )
    if (failed["against"] == "champion").any():
        reasons.append(f"lebih buruk dari juara {champion} / worse than champion {champion}")
    return "tidak dipromosikan / not promoted: " + "; ".join(reasons)


def score(
    pairs: Annotated[Path, typer.Option("--pairs", help="CSV with columns nip, position_id.")],
    out: Annotated[Path, typer.Option("--out", help="Output CSV, one row per input pair.")],
    data: Annotated[
        Path | None,
        typer.Option("--data", help="Export folder to score against; default: current snapshot."),
    ] = None,
) -> None:
    """Score (nip, position_id) pairs: eligibility, reasons, fit and risk, in input order."""
    from pipelines.batch import score_file

    result = score_file(get_settings(), pairs_path=pairs, out=out, data_dir=data)
    typer.echo(
        f"{result.rows} pasangan dinilai / pairs scored ({result.eligible} memenuhi syarat / "
        f"eligible), model versi / version {result.model_version}, per / as of "
        f"{result.as_of.isoformat()} -> {out}"
    )


def promote(
    version: Annotated[str | None, typer.Option("--version", help="Default: @challenger.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Promote despite the gate.")] = False,
) -> None:
    """Point @champion at a version that passed the quality gate (or any, with --force)."""
    from pipelines import registry

    promoted = registry.promote(get_settings(), version=version, force=force)
    typer.echo(f"@champion -> version {promoted}")


def rollback() -> None:
    """Move @champion back to the champion it replaced."""
    from pipelines import registry

    typer.echo(f"@champion -> version {registry.rollback(get_settings())}")


def models() -> None:
    """Registered versions: aliases, gate result, training snapshot and key metrics."""
    from pipelines import registry

    status = registry.registry_status(get_settings())
    if not status.versions:
        typer.echo("Belum ada model terdaftar / no registered model yet")
        return
    for v in status.versions:
        metrics = " ".join(
            f"{k}={v.metrics[k]:.3f}"
            for k in ("fit_ndcg10_truth", "risk_auc", "risk_ece")
            if k in v.metrics
        )
        aliases = ",".join(f"@{a}" for a in v.aliases) or "-"
        typer.echo(
            f"v{v.version:<4} {aliases:<22} gate={v.gate:<8} {v.created_at} "
            f"snapshot={v.snapshot_id} {metrics}"
        )


def register(app: typer.Typer) -> None:
    app.command("train")(train)
    app.command("score")(score)
    app.command("promote")(promote)
    app.command("rollback")(rollback)
    app.command("models")(models)
