"""Monitoring: the population stability index, calibration by band and the verdict."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models.scoring.monitoring import (
    NOT_NEEDED,
    RETRAIN,
    feature_drift,
    monitoring_table,
    population_stability,
    risk_calibration,
)


def _reviewed(n: int, *, risk: float, resisted_share: float, gap: float) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    predicted = rng.uniform(3.5, 4.5, n)
    return pd.DataFrame(
        {
            "predicted_risk": np.full(n, risk),
            "resisted": np.arange(n) < round(resisted_share * n),
            "predicted_fit": predicted,
            "actual_fit": np.round(predicted + gap),
        }
    )


def test_the_same_distribution_has_no_drift() -> None:
    values = pd.Series(np.random.default_rng(1).normal(size=5000))
    assert population_stability(values, values) == pytest.approx(0.0, abs=1e-12)


def test_a_shifted_distribution_drifts_past_the_retrain_line() -> None:
    rng = np.random.default_rng(2)
    reference = pd.Series(rng.normal(size=5000))
    assert population_stability(reference, reference + 1.0) > 0.25
    assert population_stability(reference, pd.Series(rng.normal(size=5000))) < 0.02


def test_missing_values_count_as_their_own_bin() -> None:
    reference = pd.Series(np.r_[np.arange(100.0), np.full(5, np.nan)])
    current = pd.Series(np.r_[np.arange(100.0), np.full(100, np.nan)])
    assert population_stability(reference, current) > 0.25


def test_risk_is_compared_with_what_happened_in_each_band() -> None:
    table = risk_calibration(
        _reviewed(100, risk=0.3, resisted_share=0.5, gap=0.0), medium_from=0.2, high_from=0.4
    )
    (row,) = table.to_dict("records")
    assert (row["band"], row["n"], row["predicted"], row["observed"]) == ("sedang", 100, 0.3, 0.5)


def test_a_calibrated_undrifted_model_needs_no_retraining() -> None:
    reviewed = _reviewed(200, risk=0.1, resisted_share=0.1, gap=0.0)
    drift = feature_drift(
        pd.DataFrame({"x": np.arange(200.0)}), pd.DataFrame({"x": np.arange(200.0)}), ["x"]
    )
    _, figures, verdict = monitoring_table(reviewed, drift, medium_from=0.2, high_from=0.4)
    assert verdict == NOT_NEEDED
    assert figures["risk_gap"] == pytest.approx(0.0)


def test_a_miscalibrated_risk_calls_for_retraining_and_says_why() -> None:
    reviewed = _reviewed(200, risk=0.1, resisted_share=0.4, gap=0.0)
    drift = feature_drift(
        pd.DataFrame({"x": np.arange(200.0)}), pd.DataFrame({"x": np.arange(200.0)}), ["x"]
    )
    table, _, verdict = monitoring_table(reviewed, drift, medium_from=0.2, high_from=0.4)
    assert verdict == RETRAIN
    note = table.loc[table["section"] == "verdict", "note"].iloc[0]
    assert "risk gap 0.300" in note
