"""Registry on a real MLflow SQLite store: challenger/champion aliases, gate, promote, rollback."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from models.scoring.estimators import GbmParams, ScorerConfig, TransferScorer
from pipelines import evaluate, registry, tracking
from pipelines.settings import Settings
from tests.fixtures.examples import FEATURES, synthetic_examples

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    return synthetic_examples(800, seed=5)


def _scorer(history: pd.DataFrame, *, trees: int) -> TransferScorer:
    small = GbmParams(n_estimators=trees)
    return TransferScorer(ScorerConfig(fit=small, risk=small)).fit(
        history[FEATURES],
        y_rating=history["post_move_rating"],
        y_resisted=history["resisted"],
        decree_date=history["decree_date"],
    )


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite store for the module (creating one costs seconds); a model name per test."""
    return tmp_path_factory.mktemp("mlflow-home")


@pytest.fixture
def settings(
    store: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.delenv("MUTASI_MLFLOW_TRACKING_URI", raising=False)
    return Settings(home=store, model_name=f"mutasi-{request.node.name.replace('_', '-')}")


def _register(settings: Settings, scorer: TransferScorer, history: pd.DataFrame) -> str:
    with tracking.tracked_run(settings, pipeline="test", snapshot_id="s1", snapshot_hash="h1"):
        tracking.log_metrics({"risk_auc": 0.7})
        return registry.log_and_register(
            settings, scorer=scorer, features=history[FEATURES], snapshot_id="s1"
        )


def test_new_version_is_challenger_not_champion(settings: Settings, history: pd.DataFrame) -> None:
    version = _register(settings, _scorer(history, trees=20), history)
    status = registry.registry_status(settings)
    assert status.challenger is not None and status.challenger.version == version
    assert status.champion is None


def test_promote_refuses_a_version_that_failed_the_gate(
    settings: Settings, history: pd.DataFrame
) -> None:
    first = _register(settings, _scorer(history, trees=20), history)
    registry.record_gate(settings, version=first, passed=True)
    registry.promote(settings, version=first)
    second = _register(settings, _scorer(history, trees=2), history)
    registry.record_gate(settings, version=second, passed=False)
    with pytest.raises(registry.RegistryError, match="quality gate"):
        registry.promote(settings, version=second)
    assert registry.champion_version(settings) == first


def test_forced_promotion_overrides_the_gate(settings: Settings, history: pd.DataFrame) -> None:
    version = _register(settings, _scorer(history, trees=2), history)
    registry.record_gate(settings, version=version, passed=False)
    assert registry.promote(settings, version=version, force=True) == version
    assert registry.champion_version(settings) == version


def test_rollback_restores_the_previous_champion(settings: Settings, history: pd.DataFrame) -> None:
    versions = []
    for trees in (20, 30):
        version = _register(settings, _scorer(history, trees=trees), history)
        registry.record_gate(settings, version=version, passed=True)
        registry.promote(settings, version=version)
        versions.append(version)
    assert registry.rollback(settings) == versions[0]
    assert registry.champion_version(settings) == versions[0]


def test_rollback_without_a_previous_champion_is_refused(
    settings: Settings, history: pd.DataFrame
) -> None:
    version = _register(settings, _scorer(history, trees=20), history)
    registry.promote(settings, version=version, force=True)
    with pytest.raises(registry.RegistryError, match="previous champion"):
        registry.rollback(settings)


def test_load_champion_predicts_like_the_trained_scorer(
    settings: Settings, history: pd.DataFrame
) -> None:
    scorer = _scorer(history, trees=20)
    version = _register(settings, scorer, history)
    registry.promote(settings, version=version, force=True)
    loaded = registry.load_champion(settings)
    X = history[FEATURES].head(30)
    np.testing.assert_allclose(loaded.scorer.predict_risk(X), scorer.predict_risk(X))
    assert (loaded.version, loaded.snapshot_id) == (version, "s1")
    assert loaded.metrics["risk_auc"] == pytest.approx(0.7)


def test_load_champion_without_one_raises_a_user_error(settings: Settings) -> None:
    with pytest.raises(registry.NoChampionError, match="mutasi train"):
        registry.load_champion(settings)


def test_gate_decision_flags_each_worse_metric() -> None:
    champion = {"fit_ndcg10_truth": 0.80, "risk_auc": 0.70, "risk_brier": 0.15}
    challenger = {"fit_ndcg10_truth": 0.82, "risk_auc": 0.69, "risk_brier": 0.16}
    decision = evaluate.gate_decision(challenger, champion).set_index("metric")
    assert decision["ok"].to_dict() == {
        "fit_ndcg10_truth": True,
        "risk_auc": False,
        "risk_brier": False,
    }
