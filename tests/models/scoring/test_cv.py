"""Time-ordered CV: per-move errors, the paired IPW decision, the calibrator arms."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models.scoring import cv
from models.scoring.calibration import PlattCalibrator, ShiftedCalibrator, intercept_shift
from models.scoring.calibration_choice import decide_calibration
from models.scoring.config import ScorerConfig
from models.scoring.cv import (
    CvErrors,
    History,
    decide_in_post,
    decide_ipw,
    fit_cv_errors,
    paired_gain_se,
)
from models.scoring.estimators import TransferScorer, in_post_weight
from tests.fixtures.examples import FEATURES, cv_history, synthetic_examples


def _history(n: int, *, seed: int, weight: np.ndarray | None = None) -> History:
    return cv_history(synthetic_examples(n, seed=seed), weight)


def test_loss_is_the_mean_over_years_of_each_years_weighted_mean() -> None:
    errors = CvErrors(
        error=np.array([1.0, 3.0, 10.0]),
        weight=np.array([1.0, 3.0, 5.0]),
        year=np.array([2022, 2022, 2023]),
    )
    assert errors.loss() == pytest.approx(((1.0 + 9.0) / 4 + 10.0) / 2)


def test_a_cv_year_trains_on_in_post_appraisals_of_earlier_years_only() -> None:
    history = _history(900, seed=6)
    rows = synthetic_examples(300, seed=7)[[*FEATURES, "post_move_rating", "decree_date"]]
    in_post = rows.assign(post_move_score=np.nan)
    before = History(**{**vars(history), "in_post": in_post}).in_post_before(2022)
    assert before is not None and len(before) > 0
    assert (before["decree_date"].dt.year < 2022).all()
    assert len(before) == (in_post["decree_date"].dt.year < 2022).sum()
    # Appraisals of the validated year itself would change the year's errors: they never do.
    later = in_post.loc[in_post["decree_date"].dt.year >= 2022].assign(post_move_rating=1.0)
    with_later = History(**{**vars(history), "in_post": pd.concat([before, later])})
    alone = History(**{**vars(history), "in_post": before})
    shared = ScorerConfig(fit_in_post_share=1.0)
    taught = fit_cv_errors(shared, alone, [2022], 0).error
    np.testing.assert_array_equal(fit_cv_errors(shared, with_later, [2022], 0).error, taught)
    # ... while the earlier years' appraisals do reach the CV model.
    assert not np.array_equal(taught, fit_cv_errors(shared, history, [2022], 0).error)


def test_the_in_post_decision_compares_the_latest_year_and_more_while_they_fit() -> None:
    history = _history(900, seed=6)
    rows = synthetic_examples(600, seed=7)[[*FEATURES, "post_move_rating", "decree_date"]]
    with_rows = History(**{**vars(history), "in_post": rows.assign(post_move_score=np.nan)})
    years = [2020, 2021, 2022, 2023]
    short = decide_in_post(ScorerConfig(), with_rows, years, 0, seconds=0.0)
    assert short.years == (2023,) and set(short.losses) == {0.0, 1.0, 3.0}
    full = decide_in_post(ScorerConfig(), with_rows, years, 0)
    assert full.years[:2] == (2023, 2022) and set(full.losses) == {0.0, 1.0, 3.0}


def test_a_decision_trains_on_a_sample_of_earlier_moves_and_validates_on_the_year() -> None:
    history = _history(900, seed=6)
    rows = synthetic_examples(600, seed=7)[[*FEATURES, "post_move_rating", "decree_date"]]
    with_rows = History(**{**vars(history), "in_post": rows.assign(post_move_score=np.nan)})
    sample = with_rows.for_year(2023, moves=300, seed=0)
    earlier = (with_rows.year < 2023).sum()
    assert (sample.year < 2023).sum() == 300 and (sample.year > 2023).sum() == 0
    assert (sample.year == 2023).sum() == (with_rows.year == 2023).sum()
    in_post = with_rows.in_post_before(2023)
    assert sample.in_post is not None and in_post is not None
    assert len(sample.in_post) == round(len(in_post) * 300 / earlier)
    assert sample.in_post.index.isin(in_post.index).all()
    assert with_rows.for_year(2023, moves=earlier, seed=0) is with_rows  # under the cap: whole
    # The decision validates the sampled arms on every move of the year.
    capped = decide_in_post(ScorerConfig(), with_rows, [2023], 0, moves=300)
    whole = decide_in_post(ScorerConfig(), with_rows, [2023], 0)
    assert capped.years == whole.years == (2023,) and capped.losses != whole.losses
    errors = fit_cv_errors(ScorerConfig(), sample, [2023], 0)
    assert capped.losses[0.0] == pytest.approx(errors.loss())
    assert len(errors.error) == (~np.isnan(history.rating[history.year == 2023])).sum()


@pytest.mark.parametrize("ipw", [False, True])
def test_shares_that_weigh_each_appraisal_alike_are_trained_once(
    ipw: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """100 appraisals beside ~450 earlier moves: share 1 and 3 would each weigh more than a
    move, so both are capped at a move's (mean) weight and are one arm; 0.1 is not capped.
    With IPW the moves' uneven weights set the cap, as they do in the estimator."""
    weight = np.random.default_rng(2).uniform(0.3, 3.0, 900) if ipw else None
    history = _history(900, seed=6, weight=weight)
    rows = synthetic_examples(400, seed=7)[[*FEATURES, "post_move_rating", "decree_date"]]
    rows = rows.loc[rows["decree_date"].dt.year < 2023].head(100)
    with_rows = History(**{**vars(history), "in_post": rows.assign(post_move_score=np.nan)})
    config = ScorerConfig(fit_ipw=ipw)
    trained: list[float] = []

    def counted(config: ScorerConfig, *args: object) -> CvErrors:
        trained.append(config.fit_in_post_share)
        return fit_cv_errors(config, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(cv, "fit_cv_errors", counted)
    decision = decide_in_post(config, with_rows, [2023], 0, shares=(0.0, 0.1, 1.0, 3.0))
    assert trained == [0.0, 0.1, 1.0]  # share 3 weighs each appraisal as share 1 does
    alone = fit_cv_errors(
        config.model_copy(update={"fit_in_post_share": 3.0}), with_rows, [2023], 0
    )
    assert decision.losses[1.0] == decision.losses[3.0] == alone.loss()
    assert len(set(decision.losses.values())) == 3


def test_an_appraisal_weighs_a_share_of_the_moves_up_to_a_moves_mean() -> None:
    labelled = np.array([0.5, 1.5, 1.0, 1.0])
    assert in_post_weight(0.2, labelled, 8) == pytest.approx(0.2 * 4.0 / 8)
    assert in_post_weight(3.0, labelled, 8) == 1.0  # 1.5 each would outweigh a mean move
    assert in_post_weight(1.0, labelled[:0], 8) == 0.0


def test_identical_arms_have_no_gain_and_no_uncertainty() -> None:
    errors = CvErrors(error=np.array([0.2, 0.5]), weight=np.ones(2), year=np.array([1, 1]))
    assert paired_gain_se(errors, errors) == 0.0


def test_cv_errors_cover_every_validated_move_of_the_cv_years() -> None:
    history = _history(900, seed=6)
    errors = fit_cv_errors(ScorerConfig(), history, [2022, 2023], 0)
    validated = np.isin(history.year, [2022, 2023]) & ~np.isnan(history.rating)
    assert len(errors.error) == validated.sum() and (errors.error >= 0).all()


def test_equal_weights_never_turn_ipw_on() -> None:
    """Weighting by ones trains the same model: no gain, so the unweighted arm is kept."""
    history = _history(900, seed=6, weight=np.ones(900))
    decision = decide_ipw(ScorerConfig(), history, [2022, 2023], 0)
    assert decision.loss_on == pytest.approx(decision.loss_off)
    assert not decision.use


def test_ipw_decision_needs_weights() -> None:
    with pytest.raises(ValueError, match="weights"):
        decide_ipw(ScorerConfig(), _history(300, seed=7), [2022, 2023], 0)


def test_intercept_shift_matches_the_mean_to_the_observed_rate() -> None:
    rng = np.random.default_rng(1)
    probability = rng.uniform(0.05, 0.4, 500)
    y = (np.arange(500) < 150).astype(int)  # rate 0.3, above the mean probability
    shift = intercept_shift(probability, y)
    base = PlattCalibrator().fit(probability, (rng.uniform(size=500) < probability).astype(int))
    shifted = ShiftedCalibrator(base, intercept_shift(base.predict(probability), y))
    assert shift > 0
    assert shifted.predict(probability).mean() == pytest.approx(0.3, abs=1e-6)


def test_shift_keeps_the_order_of_the_risks() -> None:
    probability = np.linspace(0.05, 0.6, 400)
    y = (np.random.default_rng(2).uniform(size=400) < probability).astype(int)
    base = PlattCalibrator().fit(probability, y)
    shifted = ShiftedCalibrator(base, -0.7).predict(probability)
    assert (np.diff(shifted) >= 0).all() and (shifted < base.predict(probability)).all()


def test_a_scorer_with_a_recent_shift_trains_and_predicts_probabilities() -> None:
    frame = synthetic_examples(900, seed=8)
    scorer = TransferScorer(ScorerConfig(calibration_shift_folds=1)).fit_risk_model(
        frame[FEATURES], y_resisted=frame["resisted"], decree_date=frame["decree_date"]
    )
    risk = scorer.predict_risk(frame[FEATURES])
    assert scorer.calibrator_.name.endswith("+shift")
    assert ((risk > 0) & (risk < 1)).all()


def _sparse_before_2021(resisted: bool) -> History:
    """Early moves without resistance (resisted=True) or a post-move rating (False): a model
    validated on an early year has nothing of that kind to learn from in a fold."""
    frame = synthetic_examples(1000, seed=5)
    if resisted:  # the first ~half year: the first time fold of every risk model up to 2021
        first = frame["decree_date"].rank(method="first") <= 110
        frame.loc[first, "resisted"] = False
    else:
        frame.loc[frame["decree_date"].dt.year < 2021, "post_move_rating"] = np.nan
    weight = np.random.default_rng(0).uniform(0.2, 3.0, len(frame))
    return cv_history(frame, weight=weight / weight.mean())


def test_a_year_too_early_to_train_on_is_left_out_of_the_calibrator_choice() -> None:
    history = _sparse_before_2021(resisted=True)
    decision = decide_calibration(ScorerConfig(), history, [2020, 2021, 2022, 2023], 0)
    later = decide_calibration(ScorerConfig(), history, [2022, 2023], 0)
    assert decision.losses and decision.losses == pytest.approx(later.losses)
    alone = decide_calibration(ScorerConfig(), history, [2020], 0)  # nothing to compare on
    assert alone.losses == {} and alone.method == ScorerConfig().calibration


def test_a_year_too_early_to_train_on_is_left_out_of_the_ipw_decision() -> None:
    history = _sparse_before_2021(resisted=False)
    decision = decide_ipw(ScorerConfig(), history, [2021, 2022, 2023], 0)
    later = decide_ipw(ScorerConfig(), history, [2022, 2023], 0)
    assert decision.loss_off == pytest.approx(later.loss_off)
    alone = decide_ipw(ScorerConfig(), history, [2021], 0)
    assert not alone.use and np.isnan(alone.loss_off)
