"""score_pairs: one row per input pair, in order, every pair scored, eligibility beside it."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from models.features.build import (
    FEATURE_COLUMNS,
    FeatureContext,
    current_pair_features,
    indexed_pair_features,
)
from models.scoring.compose import (
    SCORE_COLUMNS,
    MatrixScorer,
    score_features,
    score_indexed,
    score_pairs,
)
from models.scoring.estimators import GbmParams, ScorerConfig, TransferScorer
from models.scoring.policy import PolicyConfig
from tests.fixtures.agency import ANI, BUDI, CITRA, DEDI, world


@pytest.fixture(scope="module")
def scorer() -> TransferScorer:
    rng = np.random.default_rng(0)
    n = 400
    X = pd.DataFrame(rng.normal(size=(n, len(FEATURE_COLUMNS))), columns=list(FEATURE_COLUMNS))
    rating = np.clip(np.rint(3 + X["years_in_target_sector"] - X["competency_shortfall"]), 1, 5)
    resisted = rng.uniform(size=n) < 1 / (1 + np.exp(-X["distance_home_km"].to_numpy()))
    dates = pd.date_range("2019-01-01", periods=n, freq="5D")
    small = GbmParams(n_estimators=30, min_child_samples=5)
    return TransferScorer(ScorerConfig(fit=small, risk=small)).fit(
        X, y_rating=rating, y_resisted=resisted, decree_date=dates
    )


@pytest.fixture(scope="module")
def ctx() -> FeatureContext:
    return FeatureContext.build(world(), date(2025, 6, 30))


def test_score_pairs_keeps_input_order_and_columns(
    ctx: FeatureContext, scorer: TransferScorer
) -> None:
    nips = [BUDI, ANI, CITRA, ANI]
    positions = ["P3", "P2", "P1", "P3"]
    scored = score_pairs(ctx, scorer, nips, positions, policy=PolicyConfig())
    assert list(scored.columns) == list(SCORE_COLUMNS)
    assert scored["nip"].tolist() == nips
    assert scored["position_id"].tolist() == positions


def test_every_pair_is_scored_even_when_ineligible(
    ctx: FeatureContext, scorer: TransferScorer
) -> None:
    scored = score_pairs(ctx, scorer, [DEDI, CITRA], ["P1", "P2"], policy=PolicyConfig())
    assert not scored["eligible"].any()
    assert (scored["ineligible_reasons"].str.len() > 0).all()
    assert scored["fit"].between(1, 5).all()
    assert scored["risk"].between(0, 1).all()


def test_scores_match_the_model_on_the_same_features(
    ctx: FeatureContext, scorer: TransferScorer
) -> None:
    nips, positions = np.array([ANI, BUDI]), np.array(["P2", "P3"])
    scored = score_pairs(ctx, scorer, nips, positions, policy=PolicyConfig())
    features = current_pair_features(ctx, nips, positions)
    np.testing.assert_allclose(scored["fit"], scorer.predict_fit(features))
    np.testing.assert_allclose(scored["risk"], scorer.predict_risk(features))


def test_unknown_employee_is_marked_ineligible(ctx: FeatureContext, scorer: TransferScorer) -> None:
    scored = score_pairs(ctx, scorer, ["199901012020011999"], ["P1"], policy=PolicyConfig())
    assert not scored.loc[0, "eligible"]
    assert scored.loc[0, "ineligible_reasons"] == "unknown_employee"


def test_unknown_ids_get_no_score_but_known_pairs_do(
    ctx: FeatureContext, scorer: TransferScorer
) -> None:
    scored = score_pairs(
        ctx,
        scorer,
        ["199901012020011999", ANI, ANI],
        ["P1", "NO-SUCH", "P2"],
        policy=PolicyConfig(),
    )
    assert scored[["fit", "risk"]].iloc[:2].isna().all().all()
    assert scored[["fit", "risk"]].iloc[2].notna().all()


def test_mismatched_lengths_are_rejected(ctx: FeatureContext, scorer: TransferScorer) -> None:
    with pytest.raises(ValueError, match="same length"):
        score_pairs(ctx, scorer, [ANI, BUDI], ["P1"], policy=PolicyConfig())


def test_scores_through_one_feature_matrix_equal_the_feature_frame_path(
    ctx: FeatureContext, scorer: TransferScorer
) -> None:
    rng = np.random.default_rng(5)
    n = 400  # random pairs, unknown ids (-1) among them, a third initiated by the employee
    rows = rng.integers(-1, len(ctx.nips), n)
    codes = rng.integers(-1, len(ctx.catalog.position_ids), n)
    initiated = (rng.random(n) < 0.3).astype(float)
    features = indexed_pair_features(ctx, rows, codes, initiated_by_employee=initiated)
    assert isinstance(scorer, MatrixScorer) and features.isna().any(axis=None)
    scored = score_indexed(
        ctx, scorer, rows, codes, policy=PolicyConfig(), initiated_by_employee=initiated
    )
    expected = score_features(scorer, features)
    known = (rows >= 0) & (codes >= 0)
    np.testing.assert_array_equal(scored.fit[known], expected["fit"].to_numpy()[known])
    np.testing.assert_array_equal(scored.risk[known], expected["risk"].to_numpy()[known])
