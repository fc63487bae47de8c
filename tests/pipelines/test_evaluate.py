"""The evaluation's time split and gate arithmetic on tiny frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipelines.evaluate import (
    gate_decision,
    move_groups,
    rarely_picked_ndcg,
    risk_auc_ratio,
    split_by_time,
)
from pipelines.train import baseline_gate


def _examples() -> pd.DataFrame:
    years = [2019, 2020, 2021, 2022, 2023, 2024]
    return pd.DataFrame(
        {
            "decree_date": pd.to_datetime([f"{y}-05-01" for y in years]),
            # the latest year has no post-move outcome yet
            "post_move_rating": [4.0, 3.0, 5.0, 4.0, 4.0, np.nan],
        }
    )


def test_split_holds_out_the_latest_labelled_year_and_everything_after() -> None:
    development, heldout = split_by_time(_examples(), holdout_years=1)
    assert heldout["decree_date"].dt.year.tolist() == [2023, 2024]
    assert development["decree_date"].dt.year.max() == 2022


def test_split_refuses_a_history_too_short() -> None:
    with pytest.raises(ValueError, match="decree years"):
        split_by_time(_examples().head(2), holdout_years=1)


def test_gate_passes_when_the_challenger_equals_the_champion() -> None:
    metrics = {"fit_ndcg10_truth": 0.9, "risk_auc": 0.75, "risk_brier": 0.15}
    assert gate_decision(metrics, dict(metrics))["ok"].all()


def test_gate_tolerance_allows_a_small_drop() -> None:
    champion = {"risk_auc": 0.750}
    assert gate_decision({"risk_auc": 0.749}, champion, tolerance=0.002)["ok"].all()


def test_risk_auc_ratio_is_share_of_bayes_auc() -> None:
    assert risk_auc_ratio({"risk_auc": 0.72, "bayes_risk_auc": 0.80}) == pytest.approx(0.9)


def test_group_metrics_get_valid_mlflow_names() -> None:
    from pipelines.train import group_metrics

    groups = pd.DataFrame(
        [
            {"group": "age_band", "value": "<30", "kind": "risk", "auc": 0.7, "mae": np.nan},
            {"group": "age_band", "value": "50+", "kind": "fit", "auc": np.nan, "mae": 0.3},
        ]
    )
    assert group_metrics(groups) == {
        "group.age_band.lt30.risk_auc": 0.7,
        "group.age_band.50plus.fit_mae": 0.3,
    }


def test_gate_judges_fit_on_truth_pools_when_both_have_them() -> None:
    champion = {"fit_ndcg10_truth": 0.90, "fit_ndcg10_outcome": 0.99}
    challenger = {"fit_ndcg10_truth": 0.95, "fit_ndcg10_outcome": 0.98}
    assert gate_decision(challenger, champion)["metric"].tolist() == ["fit_ndcg10_truth"]


def test_moves_are_grouped_by_sector_distance_initiator_and_grade_step() -> None:
    heldout = pd.DataFrame(
        {
            "sector_change": [0.0, 1.0, np.nan],
            "distance_home_km": [10.0, 60.0, 400.0],
            "initiated_by_employee": [0.0, 1.0, 0.0],
            "grade_step": [0.0, 1.0, 3.0],
        }
    )
    groups = move_groups(heldout)
    assert groups["sector_move"].tolist() == ["same", "change", "unknown"]
    assert groups["distance_band"].tolist() == ["<25km", "25-100km", "100km+"]
    assert groups["initiated_by"].tolist() == ["agency", "employee", "agency"]
    assert groups["grade_step_band"].tolist() == ["lateral", "up1", "up2plus"]


def test_baseline_gate_fails_a_model_that_loses_to_the_plain_lightgbm() -> None:
    metrics = {
        "fit_ndcg10_truth": 0.90,
        "risk_brier": 0.15,
        "plain_lightgbm.fit_ndcg10_truth": 0.92,
        "plain_lightgbm.risk_brier": 0.16,
    }
    decision = baseline_gate(metrics).set_index("metric")
    assert not decision.loc["fit_ndcg10_truth", "ok"] and decision.loc["risk_brier", "ok"]


def test_rarely_picked_ndcg_ranks_each_kind_among_its_own_pool_members() -> None:
    pools = pd.DataFrame(
        {
            "pool_id": ["a"] * 4 + ["b"] * 3,
            "expected_post_move_rating": [4.0, 2.0, 3.0, 1.0, 5.0, 1.0, 2.0],
            "sector_change": [1, 1, 0, 0, 1, 0, 0],
            "distance_home_km": [5.0, 300.0, 150.0, np.nan, 10.0, 200.0, 20.0],
            "grade_step": [0, 0, 0, 0, 0, 0, 0],
        }
    )
    score = np.array([2.0, 4.0, 5.0, 1.0, 9.0, 9.0, 9.0])  # other sector in pool a: reversed
    metrics = rarely_picked_ndcg(pools, score, k=10)
    assert metrics["fit_ndcg10_truth.other_sector"] < 1.0  # pool b has one such: left out
    assert metrics["fit_ndcg10_truth.far_from_home"] == pytest.approx(1.0)  # 150 km ranked first
    assert "fit_ndcg10_truth.grade_step" not in metrics  # nobody changes grade
