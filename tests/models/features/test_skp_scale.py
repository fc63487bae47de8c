"""The SKP score on the rating scale (models/features/skp_scale.py), on hand-made records."""

from __future__ import annotations

import numpy as np
import pytest

from models.features.skp_scale import MIN_SCORED_RECORDS, score_on_rating_scale


def banded(score: np.ndarray) -> np.ndarray:
    """Ratings cut from the scores as the demo world cuts them (score = 15 rating + 22.5)."""
    return np.clip(np.rint((score - 22.5) / 15), 1, 5)


@pytest.mark.parametrize("map_unrated", [False, True])
def test_scores_are_mapped_onto_the_rating_scale_in_order(map_unrated: bool) -> None:
    score = np.linspace(50, 95, 40)
    mapped = score_on_rating_scale(banded(score), score, map_unrated=map_unrated)
    assert np.all(np.diff(mapped) > 0)  # finer than the five categories, order kept
    assert mapped == pytest.approx((score - 22.5) / 15, abs=0.2)


def test_mapped_scores_stay_on_the_scale() -> None:
    score = np.r_[np.linspace(60, 80, 20), 0.0, 100.0]
    rating = np.r_[banded(score[:20]), 3.0, 3.0]  # rated mid-scale: the clip, not the rating
    fit_rows = np.arange(22) < 20  # the line of the middle scores runs off the scale at 0, 100
    mapped = score_on_rating_scale(rating, score, map_unrated=False, fit_rows=fit_rows)
    assert mapped[-2:].tolist() == [1.0, 5.0]


@pytest.mark.parametrize("map_unrated", [False, True])
def test_rating_is_kept_where_no_score_is_known(map_unrated: bool) -> None:
    rating = np.array([4.0] * 12 + [2.0])
    score = np.append(np.linspace(70, 90, 12), np.nan)
    assert score_on_rating_scale(rating, score, map_unrated=map_unrated)[-1] == 2.0


def test_a_score_without_a_rating_is_mapped_when_asked() -> None:
    score = np.linspace(50, 95, 40)
    rating = banded(score)
    rating[0] = np.nan
    mapped = score_on_rating_scale(rating, score, map_unrated=True)
    assert mapped[0] == pytest.approx((score[0] - 22.5) / 15, abs=0.2)


def test_a_score_without_a_rating_stays_missing_otherwise() -> None:
    score = np.linspace(50, 95, 40)
    rating = banded(score)
    rating[0] = np.nan
    mapped = score_on_rating_scale(rating, score, map_unrated=False)
    assert np.isnan(mapped[0])
    assert mapped[1:] == pytest.approx((score[1:] - 22.5) / 15, abs=0.2)


def test_the_line_is_fitted_on_the_fit_rows_only() -> None:
    score = np.linspace(50, 95, 40)
    rating = banded(score)
    fit_rows = np.arange(40) < 20
    shifted = np.where(fit_rows, rating, 1.0)  # the other records rated otherwise: no effect
    alone = score_on_rating_scale(rating[fit_rows], score[fit_rows], map_unrated=True)
    mapped = score_on_rating_scale(shifted, score, map_unrated=True, fit_rows=fit_rows)
    assert mapped[fit_rows] == pytest.approx(alone, abs=1e-12)
    assert np.all(np.diff(mapped) >= 0)  # and they are mapped on the same line


@pytest.mark.parametrize("map_unrated", [False, True])
def test_too_few_scored_records_give_the_ratings(map_unrated: bool) -> None:
    score = np.r_[np.linspace(50, 95, MIN_SCORED_RECORDS - 1), np.full(5, np.nan)]
    rating = np.r_[banded(score[: MIN_SCORED_RECORDS - 1]), 3.0, 3.0, 4.0, 4.0, 5.0]
    assert score_on_rating_scale(rating, score, map_unrated=map_unrated) is rating


def test_too_few_scored_fit_rows_give_the_ratings() -> None:
    score = np.linspace(50, 95, 40)
    rating = banded(score)
    fit_rows = np.arange(40) < MIN_SCORED_RECORDS - 1
    assert score_on_rating_scale(rating, score, map_unrated=True, fit_rows=fit_rows) is rating


@pytest.mark.parametrize("map_unrated", [False, True])
def test_a_constant_score_gives_the_ratings(map_unrated: bool) -> None:
    score = np.full(20, 70.0)
    rating = np.r_[np.full(10, 3.0), np.full(10, 4.0)]
    assert score_on_rating_scale(rating, score, map_unrated=map_unrated) is rating
