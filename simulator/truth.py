"""The human-readable ground truth: `_truth/truth.json` and `_truth/trainings_truth.csv`."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import numpy as np
import pandas as pd

from simulator import outcomes
from simulator.state import World
from simulator.summary import DemoSummary

DEFINITIONS: dict[str, str] = {
    "expected_post_move_rating": (
        "Expected SKP rating (continuous, 1 = sangat_kurang ... 5 = sangat_baik) in the first "
        "full appraisal year in the new post; the realised rating is this plus N(0, 0.20) "
        "noise (and a 3% chance of a bad year, -1.0), cut at 1.5/2.5/3.5/4.5."
    ),
    "resistance_probability": (
        "Probability that the move meets any resistance (objection, refusal, return_request, "
        "resignation); the realised resistance is a Bernoulli draw of it."
    ),
    "years_in_target_sector": (
        "Number of performance records before the decree year whose position is in the "
        "target position's unit sector, plus, when the person's earliest performance record "
        "is in that sector, the years from service_start (TMT CPNS, also in the NIP) to 1 "
        "January of that record's year (service before the history window)."
    ),
    "competency_shortfall": (
        "Sum over the target position's competency standard of max(0, required_level - "
        "observed level), the observed level being the latest assessment before the decree "
        "(1 when never assessed) plus level_gain x effect of each training completed after it "
        "(effects in trainings_truth.csv)."
    ),
    "education_field_match": (
        "+1 when the employee's education_field is among the position's education_fields, -1 "
        "when it is not, 0 when the position lists none."
    ),
    "grade_step": "to-position grade minus from-position grade (kelas jabatan).",
    "distance_home_km": "Haversine km from (home_lat, home_lon) to the target unit's office.",
    "distance_move_km": "Haversine km from the current unit's office to the target's.",
    "preference_matched": "Target unit, sector or region is among the employee's preferences.",
    "unrequested_sector": (
        "The employee stated a sector preference and the target sector is neither it nor the "
        "current sector."
    ),
    "years_to_retirement": (
        "Years from the decree date to the pension TMT (first of the month after reaching the "
        "BUP of the post held: 58; 60 for JPT and ahli madya; 65 for ahli utama)."
    ),
    "past_resistance": "Earlier transfers of the person (decreed before) with resistance.",
    "ability": (
        "Latent N(0, 1) trait, the only unobserved input; every yearly SKP is the rating "
        "mechanism in the post held plus noise, so past SKP estimate it."
    ),
    "family": (
        "marital_status and children as exported are taken as constant over the history window."
    ),
    "post_move_label": (
        "The first performance record with year > year(effective_date) and position_id = "
        "to_position_id (the contract's definition)."
    ),
}


def transfers_truth(transfers: pd.DataFrame, *, current_nips: pd.Series) -> pd.DataFrame:
    """transfers_truth.csv: the true expected rating and resistance probability per transfer,
    and whether the person is still in employees.csv (features of leavers are partial)."""
    return pd.DataFrame(
        {
            "transfer_id": transfers["transfer_id"],
            "expected_post_move_rating": transfers["expected_post_move_rating"],
            "resistance_probability": transfers["resistance_probability"],
            "employee_in_export": transfers["nip"].isin(current_nips),
        }
    )


def eval_pools_truth(
    pools: pd.DataFrame, *, world: World, nip: np.ndarray, as_of_day: np.datetime64
) -> pd.DataFrame:
    """eval_pools.csv: one row per (pool, candidate) with the true outcomes at the export date."""
    return pd.DataFrame(
        {
            "pool_id": [f"EP{p + 1:03d}" for p in pools["pool"]],
            "position_id": world.positions["position_id"].to_numpy()[pools["position"]],
            "nip": nip[pools["person"]],
            "as_of": str(as_of_day),
            "expected_post_move_rating": pools["expected_post_move_rating"].round(4),
            "resistance_probability": pools["resistance_probability"].round(4),
            "group": pools["group"],
        }
    )


def trainings_truth(trainings: pd.DataFrame) -> pd.DataFrame:
    """Each training's true effect: realised level gain and what it is worth in rating."""
    realised = trainings["level_gain"] * trainings["effect"]
    rating_per_level = -outcomes.RATING_COEFFICIENTS["competency_shortfall"]
    return pd.DataFrame(
        {
            "training_id": trainings["training_id"],
            "competency": trainings["competency"],
            "level_gain": trainings["level_gain"],
            "effect": trainings["effect"],
            "effective": trainings["effective"],
            "realised_level_gain": realised.round(3),
            "max_rating_gain": (realised * rating_per_level).round(4),
        }
    )


def truth_summary(summary: DemoSummary, *, world: World) -> dict[str, Any]:
    """truth.json: generator parameters, mechanisms with coefficients, definitions, stats."""
    return {
        "generator": {k: v for k, v in asdict(summary).items() if k not in {"out_dir", "rows"}},
        "rows": summary.rows,
        "variant": asdict(world.variant),
        "units": len(world.units),
        "positions": len(world.positions),
        "mechanisms": {
            "expected_post_move_rating": {
                "function": "simulator.outcomes.expected_post_move_rating",
                "inputs": [*outcomes.RATING_INPUTS, "resistance_probability"],
                "coefficients": outcomes.RATING_COEFFICIENTS | world.variant.rating,
                "interactions": world.variant.rating_interactions,
                "noise_sd": world.variant.rating_noise_sd,
                "bad_year_probability": world.variant.bad_year_probability,
                "rating_cuts": outcomes.RATING_CUTS,
            },
            "resistance_probability": {
                "function": "simulator.outcomes.resistance_probability",
                "inputs": list(outcomes.RESISTANCE_INPUTS),
                "coefficients": outcomes.RESISTANCE_COEFFICIENTS | world.variant.resistance,
            },
            "description": (outcomes.__doc__ or "").strip(),
        },
        "definitions": DEFINITIONS,
        "files": {
            "transfers_truth.csv": "transfer_id, expected_post_move_rating, "
            "resistance_probability, employee_in_export (the person is in employees.csv)",
            "eval_pools.csv": "pool_id, position_id, nip, as_of, expected_post_move_rating, "
            "resistance_probability, group (hr_typical, other_sector, far_from_home, grade_step)",
            "trainings_truth.csv": "training_id, competency, level_gain, effect (share of the "
            "gain realised), effective, realised_level_gain, max_rating_gain",
        },
    }
