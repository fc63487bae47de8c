"""The one scoring composition: eligibility + point-in-time features + fit and risk.

`mutasi score`, the API's risk checks and the planner's final pool call `score_pairs`; the
shortlist and the pool's pre-filter, which need fit before they know which pairs deserve a risk,
call its stages `fit_pairs` and `score_features`. A pair gets the same numbers wherever it is
scored. Every pair is scored, eligible or not, so that planners see what a rule blocks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd

from models.features.build import FeatureContext, indexed_feature_matrix, indexed_pair_features
from models.scoring.policy import PolicyConfig, indexed_eligibility

SCORE_COLUMNS: tuple[str, ...] = (
    "nip",
    "position_id",
    "eligible",
    "ineligible_reasons",
    "fit",
    "risk",
)


class PairScorer(Protocol):
    def predict_fit(self, X: pd.DataFrame) -> np.ndarray: ...

    def predict_risk(self, X: pd.DataFrame) -> np.ndarray: ...


@runtime_checkable
class MatrixScorer(Protocol):
    """A scorer that also predicts fit and risk from one feature matrix in its own column order."""

    feature_names_: list[str]

    def predict_matrix(self, matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]: ...


def fit_pairs(
    ctx: FeatureContext, scorer: PairScorer, rows: np.ndarray, codes: np.ndarray
) -> tuple[pd.DataFrame, np.ndarray]:
    """Features and fit of pairs given as context indices (employee rows, position codes).

    The first stage where a caller needs fit before it knows which pairs deserve a risk
    (the shortlist's best-fit rows, the plan pool's top-M); risk follows via `score_features`.
    """
    features = indexed_pair_features(ctx, rows, codes)
    if len(features) == 0:
        return features, np.zeros(0)
    return features, np.asarray(scorer.predict_fit(features), dtype=np.float64)


def score_features(scorer: PairScorer, features: pd.DataFrame) -> pd.DataFrame:
    """Fit and risk of feature rows (index kept)."""
    return pd.DataFrame(
        {"fit": scorer.predict_fit(features), "risk": scorer.predict_risk(features)},
        index=features.index,
    )


@dataclass(frozen=True)
class PairScores:
    """Per pair, in input order: eligibility, reason codes, fit and risk (NaN when unknown)."""

    eligible: np.ndarray
    reasons: np.ndarray  # ";"-joined reason codes, "" when eligible
    fit: np.ndarray
    risk: np.ndarray

    @classmethod
    def joined(cls, parts: Sequence[PairScores]) -> PairScores:
        """The scores of consecutive blocks of pairs, as one."""
        return cls(*(np.concatenate([getattr(part, f) for part in parts]) for f in _SCORE_FIELDS))


_SCORE_FIELDS = ("eligible", "reasons", "fit", "risk")


def score_indexed(
    ctx: FeatureContext,
    scorer: PairScorer,
    rows: np.ndarray,
    codes: np.ndarray,
    *,
    policy: PolicyConfig,
    initiated_by_employee: np.ndarray | None = None,
) -> PairScores:
    """`score_pairs` for pairs already resolved to context rows and position codes (-1 unknown).

    Risk is for agency-initiated moves unless `initiated_by_employee` (1 = atas permintaan
    sendiri) says otherwise per pair.

    Unknown employees or positions are marked ineligible by the policy with their reason code
    and get no fit or risk (NaN): a score made from missing features would look real to a
    planner.
    """
    eligible, reasons = indexed_eligibility(ctx, rows, codes, config=policy)
    fit, risk = _fit_and_risk(ctx, scorer, rows, codes, initiated_by_employee)
    unknown = (rows < 0) | (codes < 0)
    return PairScores(
        eligible=np.asarray(eligible, dtype=bool),
        reasons=np.asarray(reasons, dtype=object),
        fit=np.where(unknown, np.nan, fit),
        risk=np.where(unknown, np.nan, risk),
    )


def _fit_and_risk(
    ctx: FeatureContext,
    scorer: PairScorer,
    rows: np.ndarray,
    codes: np.ndarray,
    initiated_by_employee: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Fit and risk per pair: through one feature matrix in the scorer's column order when it
    takes one (no DataFrame built, none converted back for each model), else a feature frame."""
    if isinstance(scorer, MatrixScorer):
        matrix = indexed_feature_matrix(
            ctx,
            rows,
            codes,
            columns=scorer.feature_names_,
            initiated_by_employee=initiated_by_employee,
        )
        return scorer.predict_matrix(matrix)
    features = indexed_pair_features(ctx, rows, codes, initiated_by_employee=initiated_by_employee)
    scores = score_features(scorer, features)
    return scores["fit"].to_numpy(), scores["risk"].to_numpy()


def score_pairs(
    ctx: FeatureContext,
    scorer: PairScorer,
    nips: Sequence[str] | np.ndarray | pd.Series,
    position_ids: Sequence[str] | np.ndarray | pd.Series,
    *,
    policy: PolicyConfig,
    initiated_by_employee: np.ndarray | None = None,
) -> pd.DataFrame:
    """One row per (nips[i], position_ids[i]) in input order: SCORE_COLUMNS.

    Each id is looked up once for features and policy (see `score_indexed`).
    """
    nip_array = np.asarray(nips, dtype=object)
    position_array = np.asarray(position_ids, dtype=object)
    if nip_array.shape != position_array.shape:
        raise ValueError("nips and position_ids must have the same length")
    rows, codes = ctx.employee_index(nip_array), ctx.position_index(position_array)
    scores = score_indexed(
        ctx, scorer, rows, codes, policy=policy, initiated_by_employee=initiated_by_employee
    )
    return pd.DataFrame(
        {
            "nip": pd.array(nip_array, dtype="string"),
            "position_id": pd.array(position_array, dtype="string"),
            "eligible": scores.eligible,
            "ineligible_reasons": scores.reasons,
            "fit": scores.fit,
            "risk": scores.risk,
        }
    )
