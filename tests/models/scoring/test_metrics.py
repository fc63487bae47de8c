"""Metric limits and known values on tiny frames."""

from __future__ import annotations

import numpy as np
import pytest

from models.scoring.metrics import (
    auc,
    calibration_table,
    expected_calibration_error,
    mean_ndcg,
    metrics_by_group,
    ndcg_by_pool,
    risk_metrics,
)


def test_perfect_ranking_scores_ndcg_one() -> None:
    pool = ["a"] * 4 + ["b"] * 3
    relevance = [5, 3, 4, 1, 2, 2, 5]
    assert mean_ndcg(pool, relevance, relevance, k=10) == pytest.approx(1.0)


def test_reversed_ranking_scores_below_perfect() -> None:
    relevance = np.array([5, 4, 3, 2, 1])
    assert mean_ndcg(["p"] * 5, relevance, -relevance, k=3) < 0.6


def test_constant_score_is_not_rewarded_for_input_order() -> None:
    relevance = [5, 1, 1, 1]
    best_first = mean_ndcg(["p"] * 4, relevance, [0, 0, 0, 0])
    best_last = mean_ndcg(["p"] * 4, relevance[::-1], [0, 0, 0, 0])
    assert best_first == pytest.approx(best_last)
    assert best_first < 1.0


def test_ndcg_known_value_at_k_two() -> None:
    # ranking puts relevance 1 then 3 first; ideal is 3 then 1 (gains 7 and 1)
    got = mean_ndcg(["p"] * 3, [1, 3, 2], [3, 2, 1], k=2)
    dcg = 1 / np.log2(2) + 7 / np.log2(3)
    idcg = 7 / np.log2(2) + 3 / np.log2(3)
    assert got == pytest.approx(dcg / idcg, abs=1e-12)


def test_ndcg_by_pool_returns_one_value_per_pool() -> None:
    result = ndcg_by_pool(["a", "a", "b", "b"], [1, 2, 2, 1], [1, 2, 1, 2])
    assert list(result.index) == ["a", "b"]
    assert result["a"] == pytest.approx(1.0)
    assert result["b"] < 1.0


def test_constant_score_has_auc_one_half() -> None:
    assert auc([0, 1, 0, 1, 1], [0.3] * 5) == pytest.approx(0.5)


def test_auc_is_nan_with_one_class() -> None:
    assert np.isnan(auc([1, 1, 1], [0.1, 0.2, 0.3]))


def test_calibrated_predictions_have_small_ece() -> None:
    rng = np.random.default_rng(0)
    p = rng.uniform(0, 1, 200_000)
    y = rng.uniform(0, 1, p.size) < p
    assert expected_calibration_error(y, p) == pytest.approx(0.0, abs=0.01)


def test_ece_of_overconfident_predictions_is_the_gap() -> None:
    y = np.array([0, 1] * 50)
    assert expected_calibration_error(y, np.full(100, 0.9)) == pytest.approx(0.4)


def test_calibration_table_counts_every_prediction() -> None:
    table = calibration_table([0, 1, 1, 0], [0.05, 0.95, 0.5, 0.5], strategy="quantile")
    assert table["count"].sum() == 4


def test_risk_metrics_reports_brier_of_perfect_prediction_zero() -> None:
    assert risk_metrics([0, 1], [0.0, 1.0])["brier"] == pytest.approx(0.0)


def test_metrics_by_group_gives_a_row_per_group() -> None:
    import pandas as pd

    frame = pd.DataFrame(
        {"gender": ["L", "L", "P", "P"], "y": [0, 1, 0, 1], "p": [0.2, 0.8, 0.6, 0.4]}
    )
    table = metrics_by_group(frame, group="gender", label="y", prediction="p", kind="risk")
    assert table.set_index("value")["auc"].to_dict() == {"L": 1.0, "P": 0.0}
