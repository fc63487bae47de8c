"""top_factors: the largest contributions of each row, in order, in the templates' words."""

from __future__ import annotations

import pandas as pd
import pydantic
import pytest

from models.features.text import describe_feature, fit_effect
from models.scoring.explain import RiskBands, top_factors


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
        "12 tahun pengalaman di sektor kesehatan: menaikkan perkiraan kinerja 0,4 poin / "
        "12 years in the health sector: raises expected performance by 0.4 points",
        "240 km dari domisili: menaikkan perkiraan kinerja 0,3 poin / "
        "240 km from home: raises expected performance by 0.3 points",
    ]


def test_a_fit_reason_says_which_way_and_how_far_it_pushes() -> None:
    features, contributions = _frames()
    top = top_factors(features, contributions, count=2, sectors=["kesehatan", "pendidikan"])
    assert top["text"].iloc[1].endswith("lowers expected performance by 0.1 points")
    assert "menurunkan perkiraan kinerja 0,1 poin" in top["text"].iloc[1]
    assert fit_effect(-0.04) == (
        "hampir tidak mengubah perkiraan kinerja",
        "hardly changes expected performance",
    )


def test_a_risk_reason_is_in_percentage_points_of_the_pair_risk() -> None:
    features = pd.DataFrame({"distance_home_km": [240.0]})
    # risk 0.5 with +0.25 log-odds from distance: without it, 1/(1+e^0.25) = 0.4378
    contributions = pd.DataFrame({"distance_home_km": [0.25]})
    top = top_factors(features, contributions, count=1, sectors=["kesehatan"], risk=[0.5])
    assert top["effect"].iloc[0] == pytest.approx(6.22, abs=0.01)
    assert top["text"].iloc[0] == (
        "240 km dari domisili: menaikkan risiko 6 poin persen / "
        "240 km from home: raises risk by 6 percentage points"
    )


def test_english_counts_agree_in_number() -> None:
    assert describe_feature("grade_step", 1.0) == "naik 1 kelas jabatan / 1 grade up"
    assert describe_feature("grade_step", 2.0) == "naik 2 kelas jabatan / 2 grades up"
    assert describe_feature("children", 1.0) == "memiliki 1 anak / 1 child"
    assert describe_feature("tenure_years", 2.3) == (
        "2,3 tahun di jabatan sekarang / 2.3 years in the current position"
    )


def test_risk_is_a_percentage_and_a_band_with_configurable_thresholds() -> None:
    bands = RiskBands()
    assert [bands.band(r) for r in (0.05, 0.2, 0.39, 0.4)] == [
        "rendah",
        "sedang",
        "sedang",
        "tinggi",
    ]
    assert bands.words(0.234) == "risiko 23 % (sedang) / risk 23 % (medium)"
    assert RiskBands(medium_from=0.1, high_from=0.2).band(0.15) == "sedang"
    with pytest.raises(pydantic.ValidationError):
        RiskBands(medium_from=0.5, high_from=0.3)
