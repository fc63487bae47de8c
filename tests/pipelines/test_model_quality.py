"""Issue 3's done-when figures on the 3,000-employee demo world, checked on every CI run.

Quality is asserted here; training time is measured in bench/train.py, never asserted.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.ingest import ingest_folder
from pipelines.settings import Settings
from pipelines.train import TrainResult, run_training
from simulator import generate_agency

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> TrainResult:
    world = tmp_path_factory.mktemp("world")
    generate_agency(world, employees=3000, seed=7)
    home: Path = tmp_path_factory.mktemp("home")
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("MLFLOW_TRACKING_URI", raising=False)
        patch.delenv("MUTASI_MLFLOW_TRACKING_URI", raising=False)
        settings = Settings(home=home)
    ingest_folder(world, settings=settings)
    return run_training(settings, truth_folder=world)


def test_fit_beats_the_hr_rule_by_a_clear_margin(trained: TrainResult) -> None:
    margin = trained.metrics["fit_ndcg10_truth"] - trained.metrics["rule.fit_ndcg10_truth"]
    assert margin >= 0.04


def test_risk_auc_is_within_ninety_percent_of_the_bayes_auc(trained: TrainResult) -> None:
    assert trained.metrics["risk_auc"] >= 0.9 * trained.metrics["bayes_risk_auc"]


def test_risk_is_calibrated_against_the_true_probabilities(trained: TrainResult) -> None:
    assert trained.metrics["risk_ece_vs_truth"] <= 0.03
