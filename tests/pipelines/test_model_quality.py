"""Issue 3's done-when figures on the 3,000-employee demo world, and issue 15's on a small
variant world trained with per-agency selection, checked on every CI run.

Quality is asserted here; training time is measured in bench/train.py and bench/quality.py,
never asserted.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.ingest import ingest_folder
from pipelines.settings import Settings
from pipelines.train import TrainConfig, TrainResult, run_training
from simulator import generate_agency

pytestmark = pytest.mark.integration
VARIANT_EMPLOYEES = 2000
VARIANT_BUDGET_SECONDS = 20.0  # small: CI runs on a busy 2-core machine


def _train(
    factory: pytest.TempPathFactory, *, employees: int, seed: int, variant: str, config: TrainConfig
) -> TrainResult:
    """Generate a world, ingest it into a fresh home, train (real MLflow store) and return."""
    world = factory.mktemp("world")
    generate_agency(world, employees=employees, seed=seed, variant=variant)
    home: Path = factory.mktemp("home")
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("MLFLOW_TRACKING_URI", raising=False)
        patch.delenv("MUTASI_MLFLOW_TRACKING_URI", raising=False)
        settings = Settings(home=home)
    ingest_folder(world, settings=settings)
    return run_training(settings, truth_folder=world, config=config)


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> TrainResult:
    return _train(tmp_path_factory, employees=3000, seed=7, variant="default", config=TrainConfig())


def test_fit_beats_the_hr_rule_by_a_clear_margin(trained: TrainResult) -> None:
    margin = trained.metrics["fit_ndcg10_truth"] - trained.metrics["rule.fit_ndcg10_truth"]
    assert margin >= 0.04


def test_risk_auc_is_within_ninety_percent_of_the_bayes_auc(trained: TrainResult) -> None:
    assert trained.metrics["risk_auc"] >= 0.9 * trained.metrics["bayes_risk_auc"]


def test_risk_is_calibrated_against_the_true_probabilities(trained: TrainResult) -> None:
    assert trained.metrics["risk_ece_vs_truth"] <= 0.03


@pytest.fixture(scope="module")
def trained_on_a_variant(tmp_path_factory: pytest.TempPathFactory) -> TrainResult:
    """A small world of another structure (HR screens strongly on perceived fit, sector and
    distance: history shows few rare moves), trained with per-agency selection.

    Not `interactions`: there the selected model beat the plain LightGBM on one of three
    report seeds only (bench/README.md), so a test asserting it would be a coin toss."""
    config = TrainConfig(budget_seconds=VARIANT_BUDGET_SECONDS)
    return _train(
        tmp_path_factory,
        employees=VARIANT_EMPLOYEES,
        seed=5,
        variant="strong_selection",
        config=config,
    )


def test_selected_model_beats_the_rule_on_a_variant_world(
    trained_on_a_variant: TrainResult,
) -> None:
    metrics = trained_on_a_variant.metrics
    assert metrics["fit_ndcg10_truth"] > metrics["rule.fit_ndcg10_truth"]


def test_selected_model_beats_the_plain_lightgbm_on_a_variant_world(
    trained_on_a_variant: TrainResult,
) -> None:
    metrics = trained_on_a_variant.metrics
    assert metrics["fit_ndcg10_truth"] > metrics["plain_lightgbm.fit_ndcg10_truth"]
