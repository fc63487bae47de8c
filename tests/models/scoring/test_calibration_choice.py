"""The calibrator of the risk boosters: paired CV arms and the one-standard-error rule."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import expit, logit

from models.scoring.calibration_choice import (
    CALIBRATION_ARMS,
    REFERENCE,
    decide_calibration,
    one_se_choice,
    paired_year_se,
)
from models.scoring.config import ScorerConfig
from tests.fixtures.examples import cv_history, synthetic_examples

YEARLY = np.array([0.30, 0.32, 0.31, 0.33])


def test_reference_is_kept_when_no_arm_beats_it_by_more_than_its_standard_error() -> None:
    """Lower on average, but up and down from year to year: noise, not a better calibrator."""
    noisy = YEARLY - np.array([0.004, -0.003, 0.005, -0.004])
    assert np.mean(noisy) < np.mean(YEARLY)
    assert one_se_choice({REFERENCE: YEARLY, "sigmoid/2": noisy}) == REFERENCE


def test_an_arm_lower_in_every_year_by_more_than_its_spread_is_chosen() -> None:
    steady = YEARLY - np.array([0.003, 0.004, 0.003, 0.004])
    assert one_se_choice({REFERENCE: YEARLY, "sigmoid/all+shift2": steady}) == "sigmoid/all+shift2"


def test_the_lowest_mean_wins_only_among_the_arms_that_beat_the_reference() -> None:
    steady = YEARLY - 0.002 + np.array([0.0, 0.0005, 0.0, 0.0005])
    lowest_but_noisy = YEARLY - np.array([0.03, -0.02, 0.03, -0.02])
    steadier = YEARLY - 0.003 + np.array([0.0, 0.0005, 0.0, 0.0005])
    by_year = {REFERENCE: YEARLY, "a": steady, "b": lowest_but_noisy, "c": steadier}
    assert one_se_choice(by_year) == "c"


def test_one_cv_year_has_no_spread_to_judge_by_so_the_reference_is_kept() -> None:
    assert one_se_choice({REFERENCE: YEARLY[:1], "none/all": YEARLY[:1] - 0.05}) == REFERENCE
    assert np.isnan(paired_year_se(YEARLY[:1], YEARLY[:1] - 0.05))


def test_paired_standard_error_is_the_spread_of_the_yearly_differences() -> None:
    assert paired_year_se(YEARLY, YEARLY - 0.01) == pytest.approx(0.0, abs=1e-12)
    difference = np.array([0.01, 0.03, 0.02, 0.04])
    expected = np.std(difference, ddof=1) / 2
    assert paired_year_se(YEARLY, YEARLY - difference) == pytest.approx(expected)


def test_no_calibrator_arm_is_fitted_on_a_single_fold() -> None:
    assert all(recent != 1 and shift != 1 for _, recent, shift in CALIBRATION_ARMS)


def _rising_resistance(n: int, *, seed: int, per_year: float) -> np.ndarray:
    """Resistance whose log-odds rise by `per_year` each calendar year, the features not."""
    frame = synthetic_examples(n, seed=seed)
    years = frame["decree_date"].dt.year.to_numpy() - 2019
    probability = expit(logit(frame["true_risk"].to_numpy()) + per_year * years)
    resisted = np.random.default_rng([seed, 1]).uniform(size=n) < probability
    return frame.assign(resisted=resisted)


def test_a_steady_rise_of_the_resistance_rate_is_followed_by_a_recent_calibrator() -> None:
    history = cv_history(_rising_resistance(3000, seed=3, per_year=0.5))
    decision = decide_calibration(ScorerConfig(), history, [2021, 2022, 2023], 0)
    chosen = decision.recent_folds or decision.shift_folds
    assert chosen is not None and chosen > 1


def test_every_arm_logs_its_loss_and_paired_standard_error() -> None:
    history = cv_history(synthetic_examples(1200, seed=4))
    decision = decide_calibration(ScorerConfig(), history, [2021, 2022, 2023], 0)
    assert set(decision.losses) == set(decision.gain_se)
    assert decision.gain_se[REFERENCE] == 0.0
    assert all(se >= 0 for se in decision.gain_se.values())
