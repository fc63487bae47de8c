"""Training pipeline: snapshot -> examples -> time split -> models + baselines -> evaluation
-> MLflow run -> registered version (@challenger) -> quality gate -> @champion.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import mlflow
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from models.contract.errors import MutasiError
from models.contract.tables import AgencyData
from models.features.build import FEATURE_COLUMNS, in_post_examples, transfer_examples
from models.scoring.baselines import (
    LogisticBaseline,
    PlainLightGBM,
    RandomBaseline,
    RuleBaseline,
)
from models.scoring.estimators import ScorerConfig, TransferScorer
from models.scoring.propensity import CLIP_RATIO, Propensity, fit_propensity
from models.scoring.selection import History, Selection, select_config
from pipelines import evaluate, figures, registry, tracking
from pipelines.fairness import log_fairness, shortlist_audit
from pipelines.settings import Settings
from pipelines.snapshots import Snapshot, load_snapshot

Progress = Callable[[int, int], None]  # (seconds of selection used, seconds of budget)

log = logging.getLogger(__name__)
PIPELINE = "train"
MAX_BUDGET_SECONDS = 7 * 86_400  # a week: a finite deadline (inf would never end)
# In-post appraisals offered to the fit model: up to this many per move with an outcome, and
# never more than IN_POST_MAX_ROWS (training time at 100k employees).
IN_POST_PER_MOVE = 6
IN_POST_MAX_ROWS = 20_000


class TrainingDataError(MutasiError):
    """The history cannot support a time-split training run."""


class TrainConfig(BaseModel):
    """Everything a training run depends on besides the data; logged whole."""

    model_config = ConfigDict(extra="forbid")

    scorer: ScorerConfig = Field(default_factory=ScorerConfig)
    holdout_years: int = Field(
        default=1, ge=1, description="Latest decree years with outcomes held out (and later ones)."
    )
    random_state: int = 0
    budget_seconds: float | None = Field(
        default=None,
        gt=0,
        le=MAX_BUDGET_SECONDS,
        description="Per-agency model selection (Optuna, time-ordered CV on the development "
        "years) within this many seconds; None: train `scorer` as given.",
    )
    max_trials: int | None = Field(
        default=None,
        ge=1,
        le=10_000,
        description="At most this many trials per study (fit, risk) within the budget; when "
        "the budget is not reached, a rerun on the same data makes the same choices. None: as "
        "many as the budget allows.",
    )
    cv_folds: int = Field(default=2, ge=1, le=5, description="Latest years validated in CV.")
    ipw: Literal["auto", "on", "off"] = Field(
        default="auto",
        description="Inverse-propensity weights for the fit model (HR's selection of past "
        "moves). auto: offered to per-agency selection (with a budget; weighted CV loss), "
        "unused without one; on: always weighted; off: never modelled.",
    )
    gate_tolerance: float = Field(default=0.0, ge=0, description="Allowed drop per gate metric.")


@dataclass(frozen=True)
class TrainResult:
    version: str
    promoted: bool
    previous_champion: str | None
    snapshot_id: str
    metrics: dict[str, float]  # the LightGBM bundle's metrics (+ bayes_*), as logged
    table: pd.DataFrame  # models side by side
    gate: pd.DataFrame  # challenger vs champion, empty when there was no champion
    seconds: float
    scorer_config: ScorerConfig  # as trained (chosen by selection when it ran)


@dataclass(frozen=True)
class FittedModels:
    scorer: TransferScorer
    baselines: dict[str, evaluate.Scorer]

    def all(self) -> dict[str, evaluate.Scorer]:
        return {"lightgbm": self.scorer} | self.baselines


def fit_models(
    development: pd.DataFrame,
    config: TrainConfig,
    propensity: Propensity | None = None,
    in_post: pd.DataFrame | None = None,
) -> FittedModels:
    """Fit the bundle and the three baselines on the development (earlier) years; the fit
    model also learns from `in_post` appraisals (the baselines from the moves alone)."""
    X = development[list(FEATURE_COLUMNS)]
    labels = {"y_rating": development["post_move_rating"], "y_resisted": development["resisted"]}
    scorer = TransferScorer(config.scorer, random_state=config.random_state).fit(
        X,
        decree_date=development["decree_date"],
        y_score=development["post_move_score"],
        fit_weight=propensity.weights if propensity else None,
        in_post=in_post,
        **labels,
    )
    baselines: dict[str, evaluate.Scorer] = {
        "rule": RuleBaseline().fit(X, **labels),
        "plain_lightgbm": PlainLightGBM(random_state=config.random_state).fit(X, **labels),
        "logistic": LogisticBaseline().fit(X, **labels),
        "random": RandomBaseline(random_state=config.random_state).fit(X, **labels),
    }
    return FittedModels(scorer=scorer, baselines=baselines)


def in_post_rows(
    data: AgencyData, development: pd.DataFrame, heldout: pd.DataFrame, *, seed: int
) -> pd.DataFrame:
    """In-post appraisals of the years before the held-out decrees (so none of the held-out
    movers' later years reach the model), at most IN_POST_PER_MOVE per development move with an
    outcome."""
    before = int(pd.to_datetime(heldout["decree_date"]).dt.year.min())
    moves = int(development["post_move_rating"].notna().sum())
    limit = min(IN_POST_PER_MOVE * moves, IN_POST_MAX_ROWS)
    return in_post_examples(data, before_year=before, limit=limit, random_state=seed)


def split(data: AgencyData, config: TrainConfig) -> tuple[pd.DataFrame, pd.DataFrame]:
    examples = transfer_examples(data)
    try:
        return evaluate.split_by_time(examples, holdout_years=config.holdout_years)
    except ValueError as exc:
        raise TrainingDataError(
            "Riwayat mutasi terlalu pendek untuk validasi berbasis waktu / "
            f"transfer history too short for a time-based validation: {exc}"
        ) from exc


def flat_metrics(table: pd.DataFrame, bayes: dict[str, float]) -> dict[str, float]:
    """Bundle metrics unprefixed, baselines as `<name>.<metric>`, plus margins over the rule."""
    rows: dict[str, dict[str, float]] = {
        str(record.pop("model")): {str(k): float(v) for k, v in record.items()}
        for record in table.to_dict("records")
    }
    metrics = rows["lightgbm"] | bayes
    for name, values in rows.items():
        if name != "lightgbm":
            metrics |= {f"{name}.{k}": v for k, v in values.items()}
    for key in ("fit_ndcg10_truth", "fit_ndcg10_outcome"):
        if key in rows["lightgbm"]:
            metrics[f"margin_vs_rule.{key}"] = rows["lightgbm"][key] - rows["rule"][key]
    metrics["risk_auc_share_of_bayes"] = evaluate.risk_auc_ratio(metrics)
    return metrics


GROUP_METRICS = (
    "auc",
    "ece",
    "mean_predicted",
    "observed_rate",
    "mean_true",
    "mae",
    "mean_observed",
)


def group_metrics(groups: pd.DataFrame) -> dict[str, float]:
    """Per-group metrics as MLflow metric names, e.g. `group.age_band.lt30.risk_auc`."""
    metrics: dict[str, float] = {}
    for record in groups.to_dict("records"):
        value = re.sub(
            r"[^0-9A-Za-z_-]", "", str(record["value"]).replace("<", "lt").replace("+", "plus")
        )
        prefix = f"group.{record['group']}.{value or 'unknown'}.{record['kind']}"
        for name in GROUP_METRICS:
            if pd.notna(record.get(name)):
                metrics[f"{prefix}_{name}"] = float(record[name])
    return metrics


def log_evaluation(
    fitted: FittedModels, data: evaluate.EvaluationData, table: pd.DataFrame
) -> None:
    """Artifacts of the evaluation: tables as CSV, calibration and importance figures."""
    models = fitted.all()
    tracking.log_frame(table, "evaluation/models.csv")
    groups = evaluate.group_table(fitted.scorer, data)
    tracking.log_frame(groups, "evaluation/by_group.csv")
    tracking.log_metrics(group_metrics(groups))
    tracking.log_frame(evaluate.ndcg_by_pool_size(models, data), "evaluation/ndcg_by_pool_size.csv")
    importance = fitted.scorer.feature_importance()
    tracking.log_frame(importance, "evaluation/feature_importance.csv")
    curves = {n: evaluate.calibration_frame(models[n], data) for n in ("lightgbm", "logistic")}
    tracking.log_frame(curves["lightgbm"], "evaluation/calibration.csv")
    mlflow.log_figure(figures.calibration_figure(curves), "evaluation/calibration_curve.png")
    mlflow.log_figure(figures.importance_figure(importance), "evaluation/feature_importance.png")


# What a TransferScorer needs to score today's features; a champion lacking any of it was built
# by older code and cannot be compared on this run's data.
SCORER_STATE: tuple[str, ...] = (
    "feature_names_",
    "fit_model_",
    "linear_base_",
    "risk_model_",
    "calibrator_",
)


def stale_reason(scorer: TransferScorer) -> str | None:
    """Why a registered scorer cannot score the current features, or None if it can.

    Checked explicitly instead of catching errors from scoring, so that a real bug in the
    champion's scoring fails the run instead of silently skipping the quality gate.
    """
    missing = [name for name in SCORER_STATE if not hasattr(scorer, name)]
    if missing:
        return f"no {', '.join(missing)}"
    unknown = sorted(set(scorer.feature_names_) - set(FEATURE_COLUMNS))
    return f"features no longer built: {', '.join(unknown)}" if unknown else None


BASELINE = "plain_lightgbm"
# Against the plain LightGBM, "loses" is judged on proper scores: fit NDCG and the risk Brier
# score (discrimination and calibration together). AUC alone is not gated here: on a year of
# held-out moves it moves by several hundredths by chance, and an uncalibrated classifier
# with a slightly higher AUC serves worse probabilities.
BASELINE_GATE_METRICS: dict[str, bool] = {
    "fit_ndcg10_truth": True,
    "fit_ndcg10_outcome": True,
    "risk_brier": False,
}


def baseline_gate(metrics: dict[str, float]) -> pd.DataFrame:
    """The challenger against the plain LightGBM fitted on the same years (no tolerance): a
    model that loses to LightGBM's defaults on the held-out years is never promoted."""
    prefix = f"{BASELINE}."
    plain = {k.removeprefix(prefix): v for k, v in metrics.items() if k.startswith(prefix)}
    decision = evaluate.gate_decision(metrics, plain, metrics=BASELINE_GATE_METRICS)
    return decision.assign(against=BASELINE)


def gate(
    settings: Settings,
    *,
    version: str,
    metrics: dict[str, float],
    data: evaluate.EvaluationData,
    tolerance: float,
) -> tuple[bool, pd.DataFrame]:
    """The challenger against the plain LightGBM, then against the current champion re-scored
    on this run's held-out data; passes only if it is no worse than either on any metric."""
    decision = baseline_gate(metrics).assign(challenger_version=version)
    current = registry.champion_version(settings)
    if current is None:
        return bool(decision["ok"].all()), decision
    champion = registry.load_version(settings, current)
    stale = stale_reason(champion.scorer)
    if stale is not None:  # built by older code: nothing comparable to gate against
        log.warning("champion %s was built by older code (%s); not compared", current, stale)
        return bool(decision["ok"].all()), decision
    champion_metrics = evaluate.model_metrics(champion.scorer, data)
    versus = evaluate.gate_decision(metrics, champion_metrics, tolerance=tolerance).assign(
        against="champion", champion_version=current, challenger_version=version
    )
    decision = pd.concat([decision, versus], ignore_index=True)
    return bool(decision["ok"].all()), decision


@dataclass(frozen=True)
class Evaluated:
    """Everything a run logs: fitted models, evaluation data, table and flat metrics, the
    configuration actually trained and the selection that chose it (None without a budget)."""

    fitted: FittedModels
    data: evaluate.EvaluationData
    table: pd.DataFrame
    metrics: dict[str, float]
    development: pd.DataFrame
    config: TrainConfig
    selection: Selection | None
    propensity: Propensity | None


IPW_CHOICES: dict[str, tuple[bool, ...]] = {"auto": (False, True), "on": (True,), "off": (False,)}


def selection_bias(
    data: AgencyData, development: pd.DataFrame, config: TrainConfig
) -> Propensity | None:
    """HR's choice of the development moves modelled (when the run may use the weights)."""
    wanted = config.ipw == "on" or (config.ipw == "auto" and config.budget_seconds is not None)
    if not wanted:
        return None
    try:
        return fit_propensity(data, development, random_state=config.random_state)
    except ValueError as exc:
        if config.ipw == "on":
            raise TrainingDataError(
                "Pemilihan oleh HR tidak dapat dimodelkan / "
                f"HR's selection of past moves cannot be modelled: {exc}"
            ) from exc
        log.warning("selection bias not modelled, IPW not offered: %s", exc)
        return None


def propensity_metrics(propensity: Propensity) -> dict[str, float]:
    """The propensity model's out-of-time AUC and the IPW weights' distribution."""
    return {"propensity.auc": propensity.auc, "ipw.clip_ratio": CLIP_RATIO} | {
        f"ipw.{name}": value for name, value in propensity.summary.items()
    }


def ipw_decision_metrics(selection: Selection) -> dict[str, float]:
    """The IPW question as CV answered it: both arms' weighted CV loss, the gain's standard
    error and the answer (1: the fit model trains on the weights)."""
    decision = selection.ipw
    if decision is None:
        return {}
    return {
        "ipw.cv_loss_off": decision.loss_off,
        "ipw.cv_loss_on": decision.loss_on,
        "ipw.cv_gain_se": decision.gain_se,
        "ipw.chosen": float(decision.use),
    }


def in_post_metrics(
    in_post: pd.DataFrame | None, selection: Selection | None, share: float
) -> dict[str, float]:
    """How many in-post appraisals the fit model was offered, the share it trained with (0:
    moves alone) and, with a selection, each share's CV loss, the CV years and seconds it took."""
    metrics = {
        "in_post.rows": float(len(in_post) if in_post is not None else 0),
        "in_post.share": share,
    }
    decision = selection.in_post if selection is not None else None
    if decision is None or not decision.losses:
        return metrics
    return (
        metrics
        | {f"in_post.cv_loss_share_{s:g}": loss for s, loss in decision.losses.items()}
        | {"in_post.cv_gain_se": decision.gain_se, "in_post.cv_years": len(decision.years)}
        | {"in_post.seconds": decision.seconds}
    )


def select(
    development: pd.DataFrame,
    config: TrainConfig,
    propensity: Propensity | None,
    progress: Progress | None = None,
    in_post: pd.DataFrame | None = None,
) -> tuple[TrainConfig, Selection | None]:
    """With a budget: the scorer configuration chosen by time-ordered CV on the development
    years only (the held-out years stay unseen until the report). Without one, IPW "on"
    weights the hand-set configuration."""
    if config.budget_seconds is None:
        if config.ipw == "on":
            weighted = config.scorer.model_copy(update={"fit_ipw": True})
            return config.model_copy(update={"scorer": weighted}), None
        return config, None
    history = History(
        X=development[list(FEATURE_COLUMNS)],
        rating=development["post_move_rating"].to_numpy(dtype=float, na_value=float("nan")),
        score=development["post_move_score"].to_numpy(dtype=float, na_value=float("nan")),
        resisted=development["resisted"].to_numpy(dtype=bool).astype(int),
        decree_date=development["decree_date"],
        weight=propensity.weights if propensity else None,
        in_post=in_post,
    )
    try:
        selection = select_config(
            history,
            budget_seconds=config.budget_seconds,
            cv_folds=config.cv_folds,
            seed=config.random_state,
            ipw_choices=IPW_CHOICES[config.ipw],
            progress=progress,
            max_trials=config.max_trials,
        )
    except ValueError as exc:
        raise TrainingDataError(
            "Riwayat terlalu pendek untuk pemilihan model / "
            f"history too short for model selection: {exc}"
        ) from exc
    return config.model_copy(update={"scorer": selection.config}), selection


def log_register_gate(
    settings: Settings, *, snapshot: Snapshot, run: Evaluated
) -> tuple[str, bool, pd.DataFrame]:
    """One MLflow run: config, metrics, artifacts, the registered version and the gate."""
    content_hash = str(snapshot.manifest.get("content_hash", ""))
    with tracking.tracked_run(
        settings, pipeline=PIPELINE, snapshot_id=snapshot.id, snapshot_hash=content_hash
    ):
        tracking.log_config(run.config)
        if run.selection is not None:
            tracking.log_frame(run.selection.table, "selection/cv.csv")
        mlflow.log_params(
            {
                "examples.development": len(run.development),
                "examples.heldout": len(run.data.heldout),
            }
        )
        tracking.log_metrics(run.metrics)
        log_evaluation(run.fitted, run.data, run.table)
        log_fairness(
            shortlist_audit(snapshot.data, run.fitted.scorer, as_of=snapshot.as_of(settings))
        )
        version = registry.log_and_register(
            settings,
            scorer=run.fitted.scorer,
            features=run.development[list(FEATURE_COLUMNS)],
            snapshot_id=snapshot.id,
        )
        passed, decision = gate(
            settings,
            version=version,
            metrics=run.metrics,
            data=run.data,
            tolerance=run.config.gate_tolerance,
        )
        tracking.log_frame(decision, "evaluation/gate.csv")
        mlflow.log_metric("gate_passed", float(passed))
    return version, passed, decision


def evaluate_snapshot(
    snapshot: Snapshot,
    *,
    config: TrainConfig,
    truth_folder: Path | None,
    progress: Progress | None = None,
) -> Evaluated:
    """Split, fit the bundle and the baselines, and evaluate them side by side."""
    development, heldout = split(snapshot.data, config)
    propensity = selection_bias(snapshot.data, development, config)
    offered = config.budget_seconds is not None or config.scorer.fit_in_post_share > 0
    in_post = (
        in_post_rows(snapshot.data, development, heldout, seed=config.random_state)
        if offered
        else None
    )
    config, selection = select(development, config, propensity, progress, in_post)
    fitted = fit_models(development, config, propensity, in_post)
    source = snapshot.manifest.get("source_folder")
    truth = evaluate.read_truth(truth_folder or (Path(source) if source else None))
    data = evaluate.prepare(snapshot.data, heldout, truth)
    table = evaluate.comparison_table(fitted.all(), data)
    metrics = flat_metrics(table, evaluate.bayes_metrics(data))
    if selection is not None:
        metrics |= {
            "selection.seconds": selection.seconds,
            "selection.trials": int(selection.table["state"].eq("complete").sum()),
        } | ipw_decision_metrics(selection)
    if propensity is not None:
        metrics |= propensity_metrics(propensity)
    metrics |= in_post_metrics(in_post, selection, config.scorer.fit_in_post_share)
    return Evaluated(
        fitted=fitted,
        data=data,
        table=table,
        metrics=metrics,
        development=development,
        config=config,
        selection=selection,
        propensity=propensity,
    )


def run_training(
    settings: Settings,
    *,
    snapshot_id: str | None = None,
    truth_folder: Path | None = None,
    config: TrainConfig | None = None,
    progress: Progress | None = None,
) -> TrainResult:
    """Train on a snapshot (default: the current one), evaluate, register and gate.
    `progress` hears the model selection's (seconds used, seconds of budget)."""
    started = time.perf_counter()
    config = config or TrainConfig()
    snapshot = load_snapshot(snapshot_id, settings=settings)
    run = evaluate_snapshot(snapshot, config=config, truth_folder=truth_folder, progress=progress)
    previous = registry.champion_version(settings)
    version, passed, decision = log_register_gate(settings, snapshot=snapshot, run=run)
    registry.record_gate(settings, version=version, passed=passed)
    if passed:
        registry.promote(settings, version=version)
    return TrainResult(
        version=version,
        promoted=passed,
        previous_champion=previous,
        snapshot_id=snapshot.id,
        metrics=run.metrics,
        table=run.table,
        gate=decision,
        seconds=time.perf_counter() - started,
        scorer_config=run.config.scorer,
    )
