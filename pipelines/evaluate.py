"""Evaluation: the time-based split, models and baselines side by side, the quality gate.

Reported on the held-out latest decree year(s), which no model saw while fitting, stopping or
calibrating. Fit is ranked against (a) the generator's evaluation pools, whose candidates
include those HR would rarely pick, scored with the true expected post-move rating, and (b)
held-out post-move outcomes pooled by target position. Risk is measured by AUC, Brier score
and ECE on the held-out transfers, next to the Bayes AUC of the generator's true probabilities.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd

from models.contract.tables import AgencyData
from models.features.build import FEATURE_COLUMNS, pair_features_at
from models.scoring.metrics import (
    calibration_table,
    expected_calibration_error,
    fit_metrics,
    mean_ndcg,
    metrics_by_group,
    ndcg_by_pool,
    risk_metrics,
)

TRUTH_DIR = "_truth"
MIN_OUTCOME_POOL = 2
POOL_SIZES = (5, 10, 20)
# Gate metrics: name -> True when higher is better.
GATE_METRICS: dict[str, bool] = {
    "fit_ndcg10_truth": True,
    "fit_ndcg10_outcome": True,
    "risk_auc": True,
    "risk_brier": False,
}


class Scorer(Protocol):
    def predict_fit(self, X: pd.DataFrame) -> np.ndarray: ...

    def predict_risk(self, X: pd.DataFrame) -> np.ndarray: ...


@dataclass(frozen=True)
class Truth:
    """The demo generator's ground truth (absent for real agencies)."""

    transfers: pd.DataFrame | None
    pools: pd.DataFrame | None


@dataclass(frozen=True)
class EvaluationData:
    heldout: pd.DataFrame  # transfer examples of the latest decree year(s)
    pools: pd.DataFrame | None  # eval pools with features and expected_post_move_rating
    bayes_risk: np.ndarray | None  # true resistance probability per held-out transfer


def read_truth(folder: Path | None) -> Truth:
    """Read OUT/_truth/*.csv if the folder has it (demo worlds do)."""
    truth = folder / TRUTH_DIR if folder else None
    if truth is None or not truth.is_dir():
        return Truth(transfers=None, pools=None)

    def read(name: str) -> pd.DataFrame | None:
        path = truth / name
        return pd.read_csv(path, dtype={"nip": "string"}) if path.exists() else None

    return Truth(transfers=read("transfers_truth.csv"), pools=read("eval_pools.csv"))


def split_by_time(
    examples: pd.DataFrame, *, holdout_years: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(development, held-out): held out are the latest `holdout_years` decree years that have
    post-move outcomes, and every later year (whose moves only have a resistance label yet)."""
    year = pd.to_datetime(examples["decree_date"]).dt.year
    labelled_years = np.sort(year[examples["post_move_rating"].notna()].unique())
    if len(labelled_years) <= holdout_years + 1:
        raise ValueError(
            f"need more than {holdout_years + 1} decree years with post-move outcomes, "
            f"got {len(labelled_years)}"
        )
    late = (year >= labelled_years[-holdout_years]).to_numpy()
    return examples.loc[~late], examples.loc[late]


def prepare(data: AgencyData, heldout: pd.DataFrame, truth: Truth) -> EvaluationData:
    """Features of the truth pools (as of each pool's date) and the Bayes risk of held-out."""
    pools = None
    if truth.pools is not None and len(truth.pools):
        pairs = truth.pools.assign(as_of=pd.to_datetime(truth.pools["as_of"]))
        features = pair_features_at(data, pairs[["nip", "position_id", "as_of"]])
        pools = pd.concat([pairs, features], axis=1)
    bayes = None
    if truth.transfers is not None:
        known = truth.transfers.set_index("transfer_id")["resistance_probability"]
        bayes = heldout["transfer_id"].map(known).to_numpy(dtype=np.float64, na_value=np.nan)
    return EvaluationData(heldout=heldout, pools=pools, bayes_risk=bayes)


def model_metrics(model: Scorer, data: EvaluationData, *, k: int = 10) -> dict[str, float]:
    """Every headline metric of one model on the evaluation data."""
    X = data.heldout[list(FEATURE_COLUMNS)]
    risk = model.predict_risk(X)
    metrics = {
        f"risk_{name}": value
        for name, value in risk_metrics(data.heldout["resisted"], risk).items()
    }
    labelled = data.heldout["post_move_rating"].notna().to_numpy()
    fit = model.predict_fit(X)
    if getattr(model, "on_rating_scale", True):  # error in rating points means nothing else
        observed = data.heldout["post_move_rating"][labelled]
        metrics |= {f"fit_{n}": v for n, v in fit_metrics(observed, fit[labelled]).items()}
    outcome_pools = _outcome_pools(data.heldout, labelled)
    if outcome_pools.any():
        heldout = data.heldout.loc[outcome_pools]
        metrics[f"fit_ndcg{k}_outcome"] = mean_ndcg(
            heldout["to_position_id"], heldout["post_move_rating"], fit[outcome_pools], k=k
        )
    if data.bayes_risk is not None and not np.isnan(data.bayes_risk).all():
        known = ~np.isnan(data.bayes_risk)
        # Calibration against the true probabilities: free of outcome-sampling noise.
        metrics["risk_ece_vs_truth"] = expected_calibration_error(
            data.bayes_risk[known], risk[known]
        )
    if data.pools is not None:
        metrics |= truth_ndcg(data.pools, model.predict_fit(data.pools[list(FEATURE_COLUMNS)]), k=k)
    return metrics


def truth_ndcg(pools: pd.DataFrame, score: np.ndarray, *, k: int) -> dict[str, float]:
    """Fit NDCG@k vs the generator's truth over the evaluation pools (`fit_ndcg10_truth`), and
    within each rarely picked kind of candidate."""
    overall = mean_ndcg(pools["pool_id"], pools["expected_post_move_rating"], score, k=k)
    return {f"fit_ndcg{k}_truth": overall} | rarely_picked_ndcg(pools, score, k=k)


FAR_FROM_HOME_KM = 100.0
# Candidates HR rarely picks (selection bias): each kind ranked among its own kind per pool.
RARELY_PICKED: dict[str, Callable[[pd.DataFrame], pd.Series]] = {
    "other_sector": lambda pools: pools["sector_change"] == 1,
    "far_from_home": lambda pools: pools["distance_home_km"] >= FAR_FROM_HOME_KM,
    "grade_step": lambda pools: pools["grade_step"] != 0,
}


def rarely_picked_ndcg(pools: pd.DataFrame, score: np.ndarray, *, k: int) -> dict[str, float]:
    """Fit NDCG@k vs truth within the candidates of one rarely picked kind (pools with at
    least two of them), e.g. `fit_ndcg10_truth.other_sector`."""
    metrics = {}
    for kind, select in RARELY_PICKED.items():
        chosen = select(pools).fillna(False).to_numpy(dtype=bool)
        pool_id = pools["pool_id"].to_numpy()
        counts = pd.Series(pool_id[chosen]).value_counts()
        chosen = chosen & np.isin(pool_id, counts.index[counts >= 2])
        if chosen.any():
            metrics[f"fit_ndcg{k}_truth.{kind}"] = mean_ndcg(
                pool_id[chosen],
                pools["expected_post_move_rating"].to_numpy()[chosen],
                score[chosen],
                k=k,
            )
    return metrics


def _outcome_pools(heldout: pd.DataFrame, labelled: np.ndarray) -> np.ndarray:
    """Labelled held-out moves into positions that received at least two of them."""
    target = heldout["to_position_id"].where(labelled)
    size = target.map(target.value_counts()).fillna(0).to_numpy()
    return labelled & (size >= MIN_OUTCOME_POOL)


def bayes_metrics(data: EvaluationData) -> dict[str, float]:
    """Risk metrics of the generator's true probabilities (the best any model can do)."""
    if data.bayes_risk is None or np.isnan(data.bayes_risk).all():
        return {}
    known = ~np.isnan(data.bayes_risk)
    y = data.heldout["resisted"].to_numpy()[known]
    return {f"bayes_risk_{n}": v for n, v in risk_metrics(y, data.bayes_risk[known]).items()}


def comparison_table(models: dict[str, Scorer], data: EvaluationData) -> pd.DataFrame:
    """One row per model, one column per metric."""
    rows = [{"model": name} | model_metrics(model, data) for name, model in models.items()]
    return pd.DataFrame(rows)


def ndcg_by_pool_size(
    models: dict[str, Scorer], data: EvaluationData, *, k: int = 10, seed: int = 0
) -> pd.DataFrame:
    """Mean NDCG@k per model when each truth pool is cut to a random subset of a given size
    (the same subsets for every model), and on HR's typical candidates only (`hr_typical`):
    how ranking quality depends on the number of candidates and on who they are."""
    columns = ["model", "pool_size", "pools", "ndcg"]
    if data.pools is None:
        return pd.DataFrame(columns=columns)
    pools = data.pools
    order = np.random.default_rng(seed).permutation(len(pools))
    rank = pd.Series(order, index=pools.index).groupby(pools["pool_id"]).rank(method="first")
    subsets = {f"{n}": (rank <= n).to_numpy() for n in POOL_SIZES}
    subsets["all"] = np.ones(len(pools), dtype=bool)
    if "group" in pools.columns:
        subsets["hr_typical only"] = (pools["group"] == "hr_typical").to_numpy()
    rows = []
    for name, model in models.items():
        score = model.predict_fit(pools[list(FEATURE_COLUMNS)])
        for label, keep in subsets.items():
            part = pools.loc[keep]
            per_pool = ndcg_by_pool(
                part["pool_id"], part["expected_post_move_rating"], score[keep], k=k
            )
            rows.append(
                {
                    "model": name,
                    "pool_size": label,
                    "pools": per_pool.notna().sum(),
                    "ndcg": per_pool.mean(),
                }
            )
    return pd.DataFrame(rows, columns=columns)


DISTANCE_BANDS = (0.0, 25.0, 100.0, np.inf)
DISTANCE_LABELS = ("<25km", "25-100km", "100km+")
STEP_BANDS = (-np.inf, -0.5, 0.5, 1.5, np.inf)
STEP_LABELS = ("down", "lateral", "up1", "up2plus")


def move_groups(heldout: pd.DataFrame) -> pd.DataFrame:
    """The move's kind, the groups calibration is reported by: sector change, distance from
    home, who initiated it, and the grade step ("unknown" where the feature is missing)."""
    distance = pd.cut(heldout["distance_home_km"], DISTANCE_BANDS, labels=DISTANCE_LABELS)
    step = pd.cut(heldout["grade_step"], STEP_BANDS, labels=STEP_LABELS)
    sector = heldout["sector_change"].map({0.0: "same", 1.0: "change"})
    initiated = heldout["initiated_by_employee"].map({0.0: "agency", 1.0: "employee"})
    return pd.DataFrame(
        {
            "sector_move": sector.fillna("unknown").astype(str),
            "distance_band": distance.astype(str).replace("nan", "unknown"),
            "initiated_by": initiated.fillna("unknown").astype(str),
            "grade_step_band": step.astype(str).replace("nan", "unknown"),
        },
        index=heldout.index,
    )


RISK_GROUPS = ("gender", "age_band", "sector_move", "distance_band", "initiated_by")
FIT_GROUPS = ("gender", "age_band")


def group_table(model: Scorer, data: EvaluationData) -> pd.DataFrame:
    """Risk metrics of one model by gender, age band and kind of move (sector change, distance
    band, initiator, grade step), with the mean true probability where the truth is known;
    fit metrics by gender and age band (held-out transfers)."""
    X = data.heldout[list(FEATURE_COLUMNS)]
    truth = data.bayes_risk if data.bayes_risk is not None else np.full(len(X), np.nan)
    scored = pd.concat([data.heldout, move_groups(data.heldout)], axis=1).assign(
        risk=model.predict_risk(X),
        fit=model.predict_fit(X),
        resisted=data.heldout["resisted"].astype(int),
        true_risk=truth,
    )
    risk = [
        metrics_by_group(scored, group=g, label="resisted", prediction="risk", kind="risk")
        .assign(kind="risk")
        .merge(_true_mean(scored, g), on="value", how="left")
        for g in (*RISK_GROUPS, "grade_step_band")
    ]
    fit = [
        metrics_by_group(
            scored, group=g, label="post_move_rating", prediction="fit", kind="fit"
        ).assign(kind="fit")
        for g in FIT_GROUPS
    ]
    return pd.concat(risk + fit, ignore_index=True)


def _true_mean(scored: pd.DataFrame, group: str) -> pd.DataFrame:
    """Mean true resistance probability per group value (NaN without the generator's truth)."""
    means = scored.groupby(group, observed=True)["true_risk"].mean()
    return pd.DataFrame({"value": means.index.astype(str), "mean_true": means.to_numpy()})


def calibration_frame(model: Scorer, data: EvaluationData) -> pd.DataFrame:
    X = data.heldout[list(FEATURE_COLUMNS)]
    return calibration_table(data.heldout["resisted"], model.predict_risk(X), n_bins=10)


def gate_decision(
    challenger: dict[str, float],
    champion: dict[str, float],
    *,
    tolerance: float = 0.0,
    metrics: dict[str, bool] = GATE_METRICS,
) -> pd.DataFrame:
    """Metric-by-metric comparison; `ok` is False where the challenger is worse than champion.

    Fit is judged on the truth pools where both have them, else on held-out outcomes (small
    pools whose NDCG barely moves; gating on both would let noise there veto a better model).
    """
    rows = []
    truth = not np.isnan(challenger.get("fit_ndcg10_truth", np.nan)) and not np.isnan(
        champion.get("fit_ndcg10_truth", np.nan)
    )
    for name, higher_is_better in metrics.items():
        new, old = challenger.get(name, np.nan), champion.get(name, np.nan)
        if np.isnan(new) or np.isnan(old) or (truth and name == "fit_ndcg10_outcome"):
            continue
        margin = (new - old) if higher_is_better else (old - new)
        rows.append(
            {
                "metric": name,
                "challenger": new,
                "champion": old,
                "margin": margin,
                "ok": margin >= -tolerance,
            }
        )
    return pd.DataFrame(rows, columns=["metric", "challenger", "champion", "margin", "ok"])


def risk_auc_ratio(metrics: dict[str, float]) -> float:
    """Model risk AUC as a share of the Bayes AUC (NaN without ground truth)."""
    bayes = metrics.get("bayes_risk_auc", np.nan)
    return (
        float(metrics.get("risk_auc", np.nan) / bayes)
        if bayes and not np.isnan(bayes)
        else float("nan")
    )
