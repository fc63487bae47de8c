"""top_factors: the largest contributions of each row, in order, in the templates' words."""

from __future__ import annotations

import pandas as pd

from models.features.text import describe_feature
from models.scoring.explain import top_factors


def _frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    features = pd.DataFrame(
        {"years_in_target_sector": [12.0, 1.0], "distance_home_km": [5.0, 240.0]}
    )
    contributions = pd.DataFrame(
        {"years_in_target_sector": [0.40, -0.05], "distance_home_km": [-0.10, 0.30], "bias": 9.0}
    )
    return features, contributions


def test_top_factors_orders_each_row_by_absolute_contribution() -> None:
    features, contributions = _frames()
    top = top_factors(features, contributions, count=2, sectors=["kesehatan", "pendidikan"])
    assert top["row"].tolist() == [0, 0, 1, 1]
    assert top["feature"].tolist() == [
        "years_in_target_sector",
        "distance_home_km",
        "distance_home_km",
        "years_in_target_sector",
    ]
    assert top["contribution"].tolist() == [0.40, -0.10, 0.30, -0.05]


def test_top_factors_ignores_the_bias_and_caps_the_count() -> None:
    features, contributions = _frames()
    top = top_factors(features, contributions, count=5, sectors=["kesehatan", "pendidikan"])
    assert "bias" not in set(top["feature"])
    assert len(top) == 4


def test_top_factors_words_name_the_target_sector_of_each_row() -> None:
    features, contributions = _frames()
    top = top_factors(features, contributions, count=1, sectors=["kesehatan", "pendidikan"])
    assert top["text"].tolist() == [
        describe_feature("years_in_target_sector", 12.0, sector="kesehatan"),
        describe_feature("distance_home_km", 240.0, sector="pendidikan"),
    ]
