"""TransferScorer: learns fit and calibrated risk, keeps monotone directions, explains itself."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit, logit

from models.scoring.calibration import booster_predict, choose_calibrator, time_folds
from models.scoring.estimators import GbmParams, ScorerConfig, TransferScorer, time_holdout_mask
from models.scoring.metrics import auc, expected_calibration_error
from tests.fixtures.examples import FEATURES, synthetic_examples

FAST = ScorerConfig(fit=GbmParams(n_estimators=150), risk=GbmParams(n_estimators=150))


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    return synthetic_examples(2000, seed=1)


@pytest.fixture(scope="module")
def scorer(history: pd.DataFrame) -> TransferScorer:
    train = history[history["decree_date"] < "2023-01-01"]
    return TransferScorer(FAST, random_state=0).fit(
        train[FEATURES],
        y_rating=train["post_move_rating"],
        y_resisted=train["resisted"],
        decree_date=train["decree_date"],
    )


def test_time_holdout_takes_the_latest_dates() -> None:
    dates = pd.to_datetime(["2020-01-01", "2021-01-01", "2022-01-01", "2023-01-01"])
    assert time_holdout_mask(dates, share=0.25).tolist() == [False, False, False, True]


def test_fit_is_on_the_rating_scale(scorer: TransferScorer, history: pd.DataFrame) -> None:
    fit = scorer.predict_fit(history[FEATURES])
    assert fit.min() >= 1.0 and fit.max() <= 5.0


def test_fit_tracks_later_ratings(scorer: TransferScorer, history: pd.DataFrame) -> None:
    late = history[(history["decree_date"] >= "2023-01-01") & history["post_move_rating"].notna()]
    corr = np.corrcoef(scorer.predict_fit(late[FEATURES]), late["post_move_rating"])[0, 1]
    assert corr > 0.6


def test_risk_is_calibrated_on_later_moves(scorer: TransferScorer, history: pd.DataFrame) -> None:
    late = history[history["decree_date"] >= "2023-01-01"]
    risk = scorer.predict_risk(late[FEATURES])
    assert auc(late["resisted"], risk) > 0.65
    assert expected_calibration_error(late["resisted"], risk) < 0.08


def test_more_sector_experience_never_lowers_fit(
    scorer: TransferScorer, history: pd.DataFrame
) -> None:
    base = history[FEATURES].head(200)
    more = base.assign(years_in_target_sector=base["years_in_target_sector"] + 3)
    assert (scorer.predict_fit(more) >= scorer.predict_fit(base) - 1e-9).all()


def test_larger_competency_shortfall_never_raises_fit(
    scorer: TransferScorer, history: pd.DataFrame
) -> None:
    base = history[FEATURES].head(200)
    worse = base.assign(competency_shortfall=base["competency_shortfall"] + 2)
    assert (scorer.predict_fit(worse) <= scorer.predict_fit(base) + 1e-9).all()


def test_farther_move_never_lowers_risk(scorer: TransferScorer, history: pd.DataFrame) -> None:
    base = history[FEATURES].head(200)
    farther = base.assign(distance_home_km=base["distance_home_km"] + 100)
    assert (scorer.predict_risk(farther) >= scorer.predict_risk(base) - 1e-9).all()


def test_contributions_sum_to_the_fit(scorer: TransferScorer, history: pd.DataFrame) -> None:
    X = history[FEATURES].head(50)
    fit_contrib, risk_contrib = scorer.contributions(X)
    assert list(fit_contrib.columns) == [*FEATURES, "bias"]
    matrix = X.to_numpy()
    raw_fit = scorer.linear_base_.predict(matrix) + scorer.fit_model_.predict(matrix)
    np.testing.assert_allclose(fit_contrib.sum(axis=1), raw_fit, atol=1e-6)
    assert risk_contrib.shape == fit_contrib.shape


def test_risk_contributions_sum_to_the_mean_log_odds_of_the_folds(
    scorer: TransferScorer, history: pd.DataFrame
) -> None:
    X = history[FEATURES].head(50)
    risk_contrib = scorer.contributions(X)[1]
    raw = scorer.predict_raw_risk(X)
    np.testing.assert_allclose(risk_contrib.sum(axis=1), np.log(raw / (1 - raw)), atol=1e-6)


def test_booster_path_predicts_exactly_what_the_wrapper_does(
    scorer: TransferScorer, history: pd.DataFrame
) -> None:
    for rows in (1, 10, 200, 2000):
        matrix = history[FEATURES].head(rows).to_numpy()
        fit = scorer.fit_model_
        assert np.array_equal(booster_predict(fit, matrix), fit.predict(matrix))
        contrib = booster_predict(fit, matrix, pred_contrib=True)
        assert np.array_equal(contrib, fit.predict(matrix, pred_contrib=True))
        for member in scorer.risk_model_.members:
            wrapper = member.predict_proba(matrix)[:, 1]
            assert np.array_equal(booster_predict(member, matrix), wrapper)


def test_risk_has_one_booster_per_time_fold(scorer: TransferScorer) -> None:
    assert len(scorer.risk_model_.members) == FAST.risk_folds
    assert len(scorer.risk_iterations_) == FAST.risk_folds


def test_time_folds_follow_date_order_and_keep_a_date_together() -> None:
    dates = pd.to_datetime(
        ["2020-01-01", "2021-06-01", "2020-01-01", "2022-01-01", "2021-06-01", "2023-01-01"]
    ).to_numpy()
    folds = time_folds(dates, folds=3)
    assert folds.tolist() == [0, 1, 0, 2, 1, 2]


def test_time_folds_are_of_equal_size_without_ties() -> None:
    dates = pd.date_range("2018-01-01", periods=100, freq="D").to_numpy()[::-1]
    folds = time_folds(dates, folds=4)
    assert np.bincount(folds).tolist() == [25, 25, 25, 25]
    assert folds[0] == 3 and folds[-1] == 0


def test_fit_keeps_falling_past_the_largest_shortfall_in_history(
    scorer: TransferScorer, history: pd.DataFrame
) -> None:
    edge = (
        history[FEATURES]
        .head(50)
        .assign(competency_shortfall=history["competency_shortfall"].max())
    )
    beyond = edge.assign(competency_shortfall=edge["competency_shortfall"] + 5)
    assert (scorer.predict_fit(beyond) < scorer.predict_fit(edge)).all()


def test_no_pairs_give_no_scores(scorer: TransferScorer, history: pd.DataFrame) -> None:
    empty = history[FEATURES].head(0)
    assert scorer.predict_fit(empty).shape == (0,)
    assert scorer.predict_risk(empty).shape == (0,)
    assert scorer.contributions(empty)[0].shape == (0, len(FEATURES) + 1)


def test_predict_rejects_missing_feature(scorer: TransferScorer, history: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="distance_home_km"):
        scorer.predict_fit(history[FEATURES].drop(columns="distance_home_km"))


def test_fit_does_not_mutate_its_input(history: pd.DataFrame) -> None:
    before = history.copy()
    TransferScorer(FAST).fit(
        history[FEATURES],
        y_rating=history["post_move_rating"],
        y_resisted=history["resisted"],
        decree_date=history["decree_date"],
    )
    pd.testing.assert_frame_equal(history, before)


def test_config_rejects_unknown_parameter() -> None:
    with pytest.raises(ValueError, match="num_leafs"):
        GbmParams.model_validate({"num_leafs": 7})


def test_calibration_method_is_recorded(scorer: TransferScorer) -> None:
    assert scorer.calibrator_.name in {"isotonic", "sigmoid"}


def test_auto_calibration_picks_platt_for_a_logistic_distortion_on_few_rows() -> None:
    rng = np.random.default_rng(0)
    raw = rng.uniform(0.05, 0.95, 400)
    resisted = (rng.uniform(size=raw.size) < expit(2 * logit(raw))).astype(int)
    assert choose_calibrator(raw, resisted).name == "sigmoid"


def test_auto_calibration_picks_isotonic_for_a_step_on_many_rows() -> None:
    rng = np.random.default_rng(0)
    raw = rng.uniform(0, 1, 20_000)
    resisted = (rng.uniform(size=raw.size) < np.where(raw < 0.5, 0.1, 0.9)).astype(int)
    assert choose_calibrator(raw, resisted).name == "isotonic"


def _fit_only(config: ScorerConfig, train: pd.DataFrame, in_post: pd.DataFrame | None):
    return TransferScorer(config, random_state=0).fit_rating_model(
        train[FEATURES],
        y_rating=train["post_move_rating"],
        decree_date=train["decree_date"],
        in_post=in_post,
    )


def test_in_post_examples_teach_fit_only_with_a_positive_weight(history: pd.DataFrame) -> None:
    moves = history.iloc[:600]
    # Appraisals in posts held: the same kind of rows, with ratings that follow experience.
    in_post = history.iloc[600:1800].copy()
    in_post["post_move_rating"] = 3.0 + np.minimum(in_post["years_in_target_sector"], 10) / 5
    in_post["post_move_score"] = np.nan
    pairs = history.iloc[1800:][FEATURES]
    alone = _fit_only(FAST, moves, None).predict_fit(pairs)
    ignored = FAST.model_copy(update={"fit_in_post_share": 0.0})
    np.testing.assert_array_equal(_fit_only(ignored, moves, in_post).predict_fit(pairs), alone)
    weighted = FAST.model_copy(update={"fit_in_post_share": 1.0})
    taught = _fit_only(weighted, moves, in_post).predict_fit(pairs)
    assert not np.allclose(taught, alone)
    experienced = pairs["years_in_target_sector"] >= 8
    gap = taught[experienced].mean() - taught[~experienced].mean()
    assert gap > alone[experienced].mean() - alone[~experienced].mean()


def test_in_post_rows_weigh_the_share_of_the_moves_which_keep_their_own_weights(
    history: pd.DataFrame,
) -> None:
    from models.scoring.estimators import _with_in_post, appraisal_weight

    moves, in_post = history.iloc[:10], history.iloc[10:50].assign(post_move_score=np.nan)
    own = np.linspace(0.5, 2.0, 10)

    def after_the_moves(appraisals: pd.DataFrame, share: float) -> tuple:
        config = ScorerConfig(fit_in_post_share=share)
        each = appraisal_weight(config, moves["post_move_rating"], own, len(appraisals))
        assert each is not None
        return _with_in_post(
            appraisals,
            each,
            X=moves[FEATURES],
            y_rating=moves["post_move_rating"],
            y_score=None,
            decree_date=moves["decree_date"],
            weight=own,
        )

    X, rating, _, dates, weight = after_the_moves(in_post, 1.5)
    assert len(X) == len(rating) == len(dates) == 50
    np.testing.assert_array_equal(weight[:10], own)
    labelled = own[moves["post_move_rating"].notna().to_numpy()]  # moves with an outcome
    assert weight[10:].sum() == pytest.approx(1.5 * labelled.sum())
    assert np.ptp(weight[10:]) == 0
    # A handful of appraisals never outweighs the history: each at most a move's mean weight.
    few = in_post.iloc[:2]
    capped = after_the_moves(few, 3.0)[4]
    np.testing.assert_allclose(capped[10:], labelled.mean())
