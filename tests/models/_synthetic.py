"""A tiny synthetic history of transfers with known structure, for model tests."""

from __future__ import annotations

import numpy as np
import pandas as pd


def synthetic_examples(n: int = 1500, *, seed: int = 0) -> pd.DataFrame:
    """Features, decree dates over five years, a 1-5 rating and a resistance flag."""
    rng = np.random.default_rng(seed)
    years = rng.uniform(0, 15, n)
    shortfall = rng.integers(0, 6, n).astype(float)
    distance = rng.exponential(40, n)
    skp = rng.normal(80, 6, n)
    same_sector = (rng.uniform(size=n) < 0.6).astype(float)
    latent = 3.0 + 0.12 * years - 0.35 * shortfall + 0.04 * (skp - 80) + rng.normal(0, 0.5, n)
    rating = np.clip(np.rint(latent), 1, 5)
    rating[rng.uniform(size=n) < 0.15] = np.nan
    risk = 1 / (1 + np.exp(-(-2.0 + 0.02 * distance - 0.5 * same_sector)))
    dates = pd.Timestamp("2019-01-01") + pd.to_timedelta(rng.integers(0, 5 * 365, n), unit="D")
    return pd.DataFrame(
        {
            "years_in_target_sector": years,
            "competency_shortfall": shortfall,
            "distance_home_km": distance,
            "last_score": skp,
            "sector_change": 1.0 - same_sector,
            "decree_date": dates,
            "post_move_rating": rating,
            "resisted": rng.uniform(size=n) < risk,
            "true_risk": risk,
        }
    )


FEATURES = [
    "years_in_target_sector",
    "competency_shortfall",
    "distance_home_km",
    "last_score",
    "sector_change",
]
