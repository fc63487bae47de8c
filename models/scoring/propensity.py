"""Who HR picked: a propensity model of past moves and clipped inverse-propensity weights.

The fit model learns only from the people HR chose to move (mostly same sector, near home,
lateral, good SKP), yet a shortlist ranks everyone eligible. Here HR's choice is modelled: for
each past move, `per_move` people who were in service then (appraised the year before the
decree) are drawn at random as the eligible non-picked candidates for the same position and
date, and a logistic regression on a few standardised point-in-time pair features
(`pair_features_at`, the same builder as everywhere else) learns picked (1) vs not (0).

Each past move then gets the weight 1/p of its propensity: moves HR rarely makes stand for the
many such pairs it did not make. Raw weights are clipped at CLIP_RATIO times their median (so
no move counts more than ten typical moves: a few near-zero propensities would otherwise carry
the whole fit) and normalised to mean 1 (the loss keeps its scale). The propensity is that of a
case-control sample (one mover per `per_move` drawn candidates), so it is right only up to a
common factor, which the normalisation removes.

The reported AUC is out of time: the model is fitted on every decree year but the latest and
scored on the latest, then refitted on all years for the weights.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from models.contract.tables import AgencyData
from models.features.build import pair_features_at
from models.scoring.metrics import auc

CLIP_RATIO = 10.0
PER_MOVE = 5
# What HR screens on when it picks (see the module docstring); log1p for the distances.
PROPENSITY_FEATURES: tuple[str, ...] = (
    "sector_change",
    "years_in_target_sector",
    "grade_step",
    "distance_move_km",
    "distance_home_km",
    "recent_rating_mean",
    "competency_shortfall",
    "education_field_match",
    "tenure_years",
    "years_to_retirement",
)
LOG_FEATURES = ("distance_move_km", "distance_home_km")


def propensity_design(features: pd.DataFrame) -> pd.DataFrame:
    """The propensity model's inputs: the chosen features, distances on a log scale, and the
    size of the grade step (HR avoids big steps either way)."""
    design = features[list(PROPENSITY_FEATURES)].astype(float)
    logs = {name: np.log1p(design[name].clip(lower=0)) for name in LOG_FEATURES}
    return design.assign(**logs, grade_step_size=design["grade_step"].abs())


class PropensityModel:
    """P(picked | pair features): median imputation, standardising, logistic regression."""

    def __init__(self, C: float = 1.0) -> None:
        self.C = C

    def fit(self, features: pd.DataFrame, picked: np.ndarray) -> PropensityModel:
        self.model_: Pipeline = make_pipeline(
            SimpleImputer(strategy="median", keep_empty_features=True),
            StandardScaler(),
            LogisticRegression(C=self.C, max_iter=1000),
        )
        self.model_.fit(propensity_design(features), np.asarray(picked, dtype=int))
        return self

    def predict(self, features: pd.DataFrame) -> np.ndarray:
        return np.asarray(self.model_.predict_proba(propensity_design(features))[:, 1])


def candidate_pairs(
    data: AgencyData, moves: pd.DataFrame, *, per_move: int, random_state: int
) -> pd.DataFrame:
    """Each move (transfer_id, nip, to_position_id, decree_date) as a picked row, plus up to
    `per_move` random people in service at the time (an appraisal in the year before the
    decree; the mover excluded) as not-picked rows for the same position and date."""
    rng = np.random.default_rng(random_state)
    year = pd.to_datetime(moves["decree_date"]).dt.year.to_numpy()
    appraised = data.performance.groupby("year")["nip"].unique()
    picked = pd.DataFrame(
        {
            "transfer_id": moves["transfer_id"].to_numpy(),
            "nip": moves["nip"].astype("string").to_numpy(),
            "position_id": moves["to_position_id"].astype("string").to_numpy(),
            "as_of": pd.to_datetime(moves["decree_date"]).to_numpy(),
            "picked": 1,
        }
    )
    drawn = []
    for decree_year in np.unique(year):
        pool = appraised.get(decree_year - 1)
        if pool is None or len(pool) < 2:
            continue
        rows = picked.loc[year == decree_year]
        draws = np.asarray(pool)[rng.integers(0, len(pool), (len(rows), per_move))]
        others = rows.loc[rows.index.repeat(per_move)].assign(nip=draws.ravel(), picked=0)
        drawn.append(others.loc[others["nip"] != rows["nip"].repeat(per_move).to_numpy()])
    return pd.concat([picked, *drawn], ignore_index=True).astype({"nip": "string"})


@dataclass(frozen=True)
class Propensity:
    """Weights of the moves (aligned with the input rows), the model's out-of-time AUC and the
    summary of the weights."""

    weights: np.ndarray
    auc: float
    summary: dict[str, float]


def ipw_weights(propensity: np.ndarray, *, clip_ratio: float = CLIP_RATIO) -> np.ndarray:
    """1/p clipped at `clip_ratio` x the median of 1/p, then scaled to mean 1."""
    p = np.clip(np.asarray(propensity, dtype=np.float64), 1e-9, 1.0)
    raw = 1.0 / p
    clipped = np.minimum(raw, clip_ratio * np.median(raw))
    return clipped / clipped.mean()


def weight_summary(weights: np.ndarray) -> dict[str, float]:
    """Min, median, max and the effective sample size (Kish: (sum w)^2 / sum w^2)."""
    ess = float(weights.sum() ** 2 / np.square(weights).sum())
    return {
        "weight_min": float(weights.min()),
        "weight_median": float(np.median(weights)),
        "weight_max": float(weights.max()),
        "ess": ess,
        "ess_share": ess / len(weights),
    }


def out_of_time_auc(pairs: pd.DataFrame, features: pd.DataFrame) -> float:
    """AUC on the latest decree year of a model fitted on the earlier ones (NaN if one year)."""
    year = pd.to_datetime(pairs["as_of"]).dt.year.to_numpy()
    late = year == year.max()
    if late.all():
        return float("nan")
    picked = pairs["picked"].to_numpy()
    model = PropensityModel().fit(features.loc[~late], picked[~late])
    return auc(picked[late], model.predict(features.loc[late]))


def fit_propensity(
    data: AgencyData,
    moves: pd.DataFrame,
    *,
    per_move: int = PER_MOVE,
    clip_ratio: float = CLIP_RATIO,
    random_state: int = 0,
) -> Propensity:
    """Model HR's choice of `moves` among the eligible people; weights for those moves."""
    pairs = candidate_pairs(data, moves, per_move=per_move, random_state=random_state)
    if pairs["picked"].nunique() < 2:
        raise ValueError("no one in service (appraised the year before a move) to compare with")
    features = pair_features_at(data, pairs[["nip", "position_id", "as_of"]])
    model = PropensityModel().fit(features, pairs["picked"].to_numpy())
    movers = pairs["picked"].to_numpy() == 1  # the first len(moves) rows, in order
    weights = ipw_weights(model.predict(features.loc[movers]), clip_ratio=clip_ratio)
    return Propensity(
        weights=weights,
        auc=out_of_time_auc(pairs, features),
        summary=weight_summary(weights),
    )
