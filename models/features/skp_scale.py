"""The SKP score (0-100) on the 1-5 rating scale: one mapping for the features and the fit target.

The five rating categories are a coarse cut of performance; where the agency keeps a score, it
keeps the detail. The score is put on the rating scale by least squares of rating on score over
the records that have both, clipped to the scale. `skp_vs_peers` (models/features/peers.py)
fits the line on the records before a row's year only; the fit model's target
(models/scoring/estimators.py) and its CV target (models/scoring/cv.py) on the examples at hand.
"""

from __future__ import annotations

import numpy as np

from models.contract.enums import SKP_RATING_VALUE

RATING_LOW = float(min(SKP_RATING_VALUE.values()))
RATING_HIGH = float(max(SKP_RATING_VALUE.values()))
MIN_SCORED_RECORDS = 10  # fewer records with both a rating and a score: ratings alone


def score_on_rating_scale(
    rating: np.ndarray,
    score: np.ndarray,
    *,
    map_unrated: bool,
    fit_rows: np.ndarray | None = None,
) -> np.ndarray:
    """The score mapped onto the rating scale where it is known, else the rating.

    The line is fitted over the `fit_rows` (a mask; all rows when None) that have both a rating
    and a score. With fewer than MIN_SCORED_RECORDS of them, or one score only, there is no line
    and the ratings are returned as they are. A score without a rating is mapped when
    `map_unrated`, else left missing. A valid export has no such record (the rating is a
    required column), so the choice only keeps each caller consistent with how it counts
    records: skp_vs_peers maps every score; the fit model counts an example as labelled when
    it has a rating (its training, the in-post weights and the CV target alike).
    """
    both = ~np.isnan(rating) & ~np.isnan(score)
    fitted = both if fit_rows is None else both & fit_rows
    if fitted.sum() < MIN_SCORED_RECORDS or np.ptp(score[fitted]) == 0:
        return rating
    slope, intercept = np.polyfit(score[fitted], rating[fitted], deg=1)
    mapped = np.clip(intercept + slope * score, RATING_LOW, RATING_HIGH)
    return np.where(both | (map_unrated & ~np.isnan(score)), mapped, rating)
