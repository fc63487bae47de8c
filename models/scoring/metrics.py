"""Evaluation metrics: ranking quality over candidate pools, discrimination and calibration.

All functions take arrays or frames and return numbers or frames; nothing here reads files or
logs. Conventions:

- NDCG@k uses the exponential gain 2^rel - 1 (Burges et al.) with relevance on the rating
  scale 1-5, and is tie-aware (McSherry & Najork, 2008): candidates with equal scores share the
  mean discount of the ranks they occupy, so a constant score is not rewarded for input order.
- ECE is the weighted mean |mean(prediction) - observed rate| over bins of the prediction.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sklearn.metrics import brier_score_loss, roc_auc_score

BinStrategy = Literal["uniform", "quantile"]


def _discounts(frame: pd.DataFrame, *, by: str, k: int) -> np.ndarray:
    """Discount 1/log2(rank+1) of each row when rows are ranked by `by` within each pool."""
    ranked = frame.sort_values(["pool", by], ascending=[True, False], kind="stable")
    rank = ranked.groupby("pool", sort=False).cumcount().to_numpy()
    discount = np.where(rank < k, 1.0 / np.log2(rank + 2.0), 0.0)
    return pd.Series(discount, index=ranked.index).reindex(frame.index).to_numpy()


def ndcg_by_pool(
    pool: ArrayLike, relevance: ArrayLike, score: ArrayLike, *, k: int = 10
) -> pd.Series:
    """NDCG@k of each pool (indexed by pool id); pools whose ideal DCG is 0 are NaN."""
    frame = pd.DataFrame(
        {
            "pool": np.asarray(pool),
            "rel": np.asarray(relevance, dtype=float),
            "score": np.asarray(score, dtype=float),
        }
    )
    if frame[["rel", "score"]].isna().to_numpy().any():
        raise ValueError("relevance and score must not contain NaN")
    gain = np.power(2.0, frame["rel"].to_numpy()) - 1.0
    # Tie-aware DCG: equal scores in a pool share the mean discount of their ranks.
    shared = (
        frame.assign(discount=_discounts(frame, by="score", k=k))
        .groupby(["pool", "score"], sort=False)["discount"]
        .transform("mean")
        .to_numpy()
    )
    dcg = pd.Series(gain * shared).groupby(frame["pool"].to_numpy()).sum()
    ideal = pd.Series(gain * _discounts(frame, by="rel", k=k)).groupby(frame["pool"].to_numpy())
    idcg = ideal.sum()
    return (dcg / idcg.where(idcg > 0)).rename(f"ndcg@{k}")


def mean_ndcg(pool: ArrayLike, relevance: ArrayLike, score: ArrayLike, *, k: int = 10) -> float:
    """Mean NDCG@k over pools (pools with no relevant candidate are skipped)."""
    return float(ndcg_by_pool(pool, relevance, score, k=k).mean())


def auc(y_true: ArrayLike, score: ArrayLike) -> float:
    """ROC AUC; NaN when only one class is present."""
    y = np.asarray(y_true, dtype=int)
    if np.unique(y).size < 2:
        return float("nan")
    return float(roc_auc_score(y, np.asarray(score, dtype=float)))


def brier(y_true: ArrayLike, probability: ArrayLike) -> float:
    return float(brier_score_loss(np.asarray(y_true, dtype=int), np.asarray(probability)))


def calibration_table(
    y_true: ArrayLike,
    probability: ArrayLike,
    *,
    n_bins: int = 10,
    strategy: BinStrategy = "uniform",
) -> pd.DataFrame:
    """Per bin: count, mean predicted probability, observed rate (empty bins dropped)."""
    y = np.asarray(y_true, dtype=float)
    p = np.asarray(probability, dtype=float)
    if strategy == "quantile":
        edges = np.unique(np.quantile(p, np.linspace(0.0, 1.0, n_bins + 1)))
    else:
        edges = np.linspace(0.0, 1.0, n_bins + 1)
    bins = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, max(len(edges) - 2, 0))
    table = (
        pd.DataFrame({"bin": bins, "predicted": p, "observed": y})
        .groupby("bin")
        .agg(
            count=("predicted", "size"),
            predicted=("predicted", "mean"),
            observed=("observed", "mean"),
        )
        .reset_index()
    )
    return table


def expected_calibration_error(
    y_true: ArrayLike,
    probability: ArrayLike,
    *,
    n_bins: int = 10,
    strategy: BinStrategy = "uniform",
) -> float:
    """Weighted mean |mean predicted - observed rate| over bins of the prediction."""
    table = calibration_table(y_true, probability, n_bins=n_bins, strategy=strategy)
    weights = table["count"] / table["count"].sum()
    return float((weights * (table["predicted"] - table["observed"]).abs()).sum())


def risk_metrics(y_true: ArrayLike, probability: ArrayLike) -> dict[str, float]:
    """AUC, Brier score, ECE (uniform and equal-mass bins), mean predicted vs observed rate."""
    y = np.asarray(y_true, dtype=int)
    p = np.asarray(probability, dtype=float)
    return {
        "auc": auc(y, p),
        "brier": brier(y, p),
        "ece": expected_calibration_error(y, p),
        "ece_quantile": expected_calibration_error(y, p, strategy="quantile"),
        "mean_predicted": float(p.mean()) if len(p) else float("nan"),
        "observed_rate": float(y.mean()) if len(y) else float("nan"),
    }


def fit_metrics(rating: ArrayLike, predicted: ArrayLike) -> dict[str, float]:
    """Error of predicted post-move rating against the observed rating (1-5)."""
    r = np.asarray(rating, dtype=float)
    f = np.asarray(predicted, dtype=float)
    if r.size == 0:
        return {"mae": np.nan, "rmse": np.nan, "mean_predicted": np.nan, "mean_observed": np.nan}
    return {
        "mae": float(np.abs(r - f).mean()),
        "rmse": float(np.sqrt(((r - f) ** 2).mean())),
        "mean_predicted": float(f.mean()),
        "mean_observed": float(r.mean()),
    }


def metrics_by_group(
    frame: pd.DataFrame, *, group: str, label: str, prediction: str, kind: Literal["risk", "fit"]
) -> pd.DataFrame:
    """Risk or fit metrics of `prediction` against `label` for each value of `group`."""
    compute = risk_metrics if kind == "risk" else fit_metrics
    rows = []
    for value, part in frame.dropna(subset=[label]).groupby(group, observed=True):
        rows.append(
            {"group": group, "value": str(value), "n": len(part)}
            | compute(part[label], part[prediction])
        )
    return pd.DataFrame(rows)
