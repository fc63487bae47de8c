"""Ground-truth outcome mechanisms of the demo world (pure, vectorised).

Both mechanisms take a frame of *pair features*: one row per (employee, position, decree date),
every column computable from the exported tables as of the decree date, except `ability`, the
one latent trait, which shows in the person's past SKP (a yearly rating is ability plus fit plus
noise, so a few years of SKP estimate it well).

Expected post-move performance (`expected_post_move_rating`, continuous, SKP scale 1-5)::

    4.02 + 0.22 ability
         + 0.40 (1 - exp(-years_in_target_sector / 3)) - 0.20   (sector experience saturates)
         - 0.07 competency_shortfall                         (sum over the post's standard of
                                                              required - assessed level, after
                                                              trainings, where positive)
         + 0.08 [field accepted] - 0.12 [field not accepted] (posts that list majors only)
         - 0.25 below_min_education
         - 0.07 promotion_step^1.5 + 0.07 ability x promotion_step   (a big step is hard, less
                                                                      so for able people)
         - 0.06 demotion_step
         + 0.03 (talent_box - 5)                             (0 where unknown)
         - 0.40 resistance_probability                       (reluctant movers do worse)
    clipped to [1, 5].

The same function with grade_step 0 and resistance 0 gives everyone's expected yearly SKP in
the post they hold. A realised rating is expected + N(0, 0.20) (plus a rare bad year), cut at
4.5 / 3.5 / 2.5 / 1.5 into sangat_baik / baik / butuh_perbaikan / kurang / sangat_kurang.

Resistance probability (`resistance_probability`, logistic)::

    logit = -2.55
          + 0.70 log1p(distance_home_km / 20)        (home to the new office)
          + 0.25 log1p(distance_move_km / 20)        (current office to the new office)
          + 0.25 married x log1p(distance_home_km / 20)
          + 0.12 min(children, 4) x log1p(distance_home_km / 20)
          - 1.00 preference_matched                  (target unit, sector or region asked for)
          + 0.60 unrequested_sector                  (asked for other sectors, got a new one)
          + 0.35 sector_change
          + 1.00 [years_to_retirement < 2.5]
          - 0.55 [grade_step > 0] + 0.80 [grade_step < 0]
          - 2.20 employee_initiated                  (atas permintaan sendiri)
          + 0.70 min(past_resistance, 3)             (earlier transfers that met resistance)

Gender and age enter neither mechanism (only years to retirement does), so a fair model has
no reason to use them. Coefficients are in `RATING_COEFFICIENTS` / `RESISTANCE_COEFFICIENTS`.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from models.contract.enums import SkpRating
from simulator.variants import DEFAULT, Variant

RATING_COEFFICIENTS: Final[dict[str, float]] = {
    "intercept": 4.02,
    "ability": 0.22,
    "sector_experience": 0.40,
    "sector_experience_scale_years": 3.0,
    "no_experience_offset": -0.20,
    "competency_shortfall": -0.07,
    "field_accepted": 0.08,
    "field_not_accepted": -0.12,
    "below_min_education": -0.25,
    "promotion_step_pow_1_5": -0.07,
    "ability_x_promotion_step": 0.07,
    "demotion_step": -0.06,
    "talent_box_minus_5": 0.03,
    "resistance_probability": -0.40,
}
RESISTANCE_COEFFICIENTS: Final[dict[str, float]] = {
    "intercept": -2.55,
    "log_distance_home": 0.70,
    "log_distance_move": 0.25,
    "married_x_log_distance_home": 0.25,
    "children_x_log_distance_home": 0.12,
    "preference_matched": -1.00,
    "unrequested_sector": 0.60,
    "sector_change": 0.35,
    "near_retirement": 1.00,
    "near_retirement_years": 2.5,
    "promotion": -0.55,
    "step_down": 0.80,
    "employee_initiated": -2.20,
    "past_resistance": 0.70,
    "distance_scale_km": 20.0,
}
RATING_NOISE_SD: Final[float] = DEFAULT.rating_noise_sd
BAD_YEAR_PROBABILITY: Final[float] = DEFAULT.bad_year_probability
BAD_YEAR_DROP: Final[float] = 1.0
RATING_CUTS: Final[tuple[float, ...]] = (1.5, 2.5, 3.5, 4.5)
RATINGS_LOW_TO_HIGH: Final[tuple[str, ...]] = (
    SkpRating.SANGAT_KURANG,
    SkpRating.KURANG,
    SkpRating.BUTUH_PERBAIKAN,
    SkpRating.BAIK,
    SkpRating.SANGAT_BAIK,
)

RATING_INPUTS: Final[tuple[str, ...]] = (
    "ability",
    "years_in_target_sector",
    "competency_shortfall",
    "education_field_match",
    "below_min_education",
    "grade_step",
    "talent_box",
)
RESISTANCE_INPUTS: Final[tuple[str, ...]] = (
    "distance_home_km",
    "distance_move_km",
    "married",
    "children",
    "preference_matched",
    "unrequested_sector",
    "sector_change",
    "years_to_retirement",
    "grade_step",
    "employee_initiated",
    "past_resistance",
)


def _col(features: pd.DataFrame, name: str) -> np.ndarray:
    return features[name].to_numpy(dtype=float)


def expected_post_move_rating(
    features: pd.DataFrame, resistance: np.ndarray | None = None, *, variant: Variant = DEFAULT
) -> np.ndarray:
    """Expected SKP rating (1-5, continuous) in the target post; see the module docstring.

    `features` needs the columns in RATING_INPUTS; `education_field_match` is +1 (accepted),
    -1 (not accepted) or 0 (the post lists no majors); `talent_box` may be NaN. `resistance`
    is the move's resistance probability (None: 0, as for staying in one's own post).
    A `variant` overrides coefficients and may add interaction terms (`simulator.variants`).
    """
    c = RATING_COEFFICIENTS | variant.rating
    ability = _col(features, "ability")
    step = _col(features, "grade_step")
    promotion = np.maximum(step, 0.0)
    match = _col(features, "education_field_match")
    talent = np.nan_to_num(_col(features, "talent_box") - 5.0, nan=0.0)
    experience = 1.0 - np.exp(
        -_col(features, "years_in_target_sector") / c["sector_experience_scale_years"]
    )
    rating = (
        c["intercept"]
        + c["ability"] * ability
        + c["sector_experience"] * experience
        + c["no_experience_offset"]
        + c["competency_shortfall"] * _col(features, "competency_shortfall")
        + np.where(
            match > 0, c["field_accepted"], np.where(match < 0, c["field_not_accepted"], 0.0)
        )
        + c["below_min_education"] * _col(features, "below_min_education")
        + c["promotion_step_pow_1_5"] * promotion**1.5
        + c["ability_x_promotion_step"] * ability * promotion
        + c["demotion_step"] * np.maximum(-step, 0.0)
        + c["talent_box_minus_5"] * talent
        + _interactions(variant, ability=ability, experience=experience, features=features)
    )
    if resistance is not None:
        rating = rating + c["resistance_probability"] * resistance
    return np.clip(rating, 1.0, 5.0)


def _interactions(
    variant: Variant, *, ability: np.ndarray, experience: np.ndarray, features: pd.DataFrame
) -> np.ndarray:
    """The variant's interaction terms of the rating mechanism (0 in the default world)."""
    terms = variant.rating_interactions
    if not terms:
        return np.zeros(len(ability))
    shortfall = _col(features, "competency_shortfall")
    accepted = _col(features, "education_field_match") > 0
    return np.asarray(
        terms.get("experience_x_ability", 0.0) * experience * ability
        + terms.get("shortfall_x_no_experience", 0.0) * shortfall * (1.0 - experience)
        + terms.get("field_accepted_x_ability", 0.0) * accepted * ability
    )


def resistance_logit(features: pd.DataFrame, *, variant: Variant = DEFAULT) -> np.ndarray:
    """Log-odds that the move meets resistance; see the module docstring."""
    c = RESISTANCE_COEFFICIENTS | variant.resistance
    log_home = np.log1p(_col(features, "distance_home_km") / c["distance_scale_km"])
    log_move = np.log1p(_col(features, "distance_move_km") / c["distance_scale_km"])
    step = _col(features, "grade_step")
    children = np.minimum(np.nan_to_num(_col(features, "children"), nan=0.0), 4.0)
    near_retirement = _col(features, "years_to_retirement") < c["near_retirement_years"]
    return np.asarray(
        c["intercept"]
        + c["log_distance_home"] * log_home
        + c["log_distance_move"] * log_move
        + c["married_x_log_distance_home"] * _col(features, "married") * log_home
        + c["children_x_log_distance_home"] * children * log_home
        + c["preference_matched"] * _col(features, "preference_matched")
        + c["unrequested_sector"] * _col(features, "unrequested_sector")
        + c["sector_change"] * _col(features, "sector_change")
        + c["near_retirement"] * near_retirement
        + c["promotion"] * (step > 0)
        + c["step_down"] * (step < 0)
        + c["employee_initiated"] * _col(features, "employee_initiated")
        + c["past_resistance"] * np.minimum(_col(features, "past_resistance"), 3.0)
    )


def resistance_probability(features: pd.DataFrame, *, variant: Variant = DEFAULT) -> np.ndarray:
    """Probability (0-1) that the move meets any resistance (objection ... resignation)."""
    return np.asarray(1.0 / (1.0 + np.exp(-resistance_logit(features, variant=variant))))


def realised_rating(
    rng: np.random.Generator, expected: np.ndarray, *, variant: Variant = DEFAULT
) -> np.ndarray:
    """A yearly rating on the continuous 1-5 scale: expected + noise, sometimes a bad year."""
    bad_year = rng.random(len(expected)) < variant.bad_year_probability
    noise = rng.normal(0.0, variant.rating_noise_sd, len(expected))
    noisy = expected + noise - BAD_YEAR_DROP * bad_year
    return np.asarray(np.clip(noisy, 1.0, 5.0))


def realised_ratings(
    rng: np.random.Generator, *expected: np.ndarray, variant: Variant = DEFAULT
) -> list[np.ndarray]:
    """`realised_rating` of several expected ratings of the same people with the same draws
    (the same noise and bad years): the first equals `realised_rating(rng, expected[0])`."""
    n = len(expected[0])
    bad_year = rng.random(n) < variant.bad_year_probability
    noise = rng.normal(0.0, variant.rating_noise_sd, n) - BAD_YEAR_DROP * bad_year
    return [np.asarray(np.clip(e + noise, 1.0, 5.0)) for e in expected]


def rating_category(rating: np.ndarray) -> np.ndarray:
    """SKP category of continuous ratings (cut at 1.5, 2.5, 3.5, 4.5)."""
    return np.array(RATINGS_LOW_TO_HIGH, dtype=object)[np.digitize(rating, RATING_CUTS)]


def skp_score(rng: np.random.Generator, rating: np.ndarray) -> np.ndarray:
    """The 0-100 SKP score that goes with a continuous rating (4.5 -> 90, 3.5 -> 75)."""
    return np.round(np.clip(15.0 * rating + 22.5 + rng.normal(0.0, 1.0, len(rating)), 0, 100), 1)


def resistance_kind(
    rng: np.random.Generator, *, distance_home_km: np.ndarray, years_to_retirement: np.ndarray
) -> np.ndarray:
    """Which kind of resistance a resisted move shows: refusal more likely when far from home,
    resignation (early pension, pindah instansi) more likely near retirement."""
    n = len(distance_home_km)
    refusal = 0.22 + 0.15 * (distance_home_km > 100)
    resignation = 0.06 + 0.2 * (years_to_retirement < 2.5)
    return_request = np.full(n, 0.2)
    u = rng.random(n)
    return np.where(
        u < refusal,
        "refusal",
        np.where(
            u < refusal + resignation,
            "resignation",
            np.where(u < refusal + resignation + return_request, "return_request", "objection"),
        ),
    )
