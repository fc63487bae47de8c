"""Training end to end on a small demo world and a real MLflow SQLite store.

One world and one store for the module (building them costs seconds); tests that change the
registry come last in the file and say what they change.
"""

from __future__ import annotations

import copy
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import pytest

from cli.commands.train import gate_refusal
from models.features.build import FeatureContext
from models.scoring.compose import score_pairs
from models.scoring.estimators import GbmParams, ScorerConfig
from models.scoring.policy import PolicyConfig
from pipelines import registry, tracking
from pipelines.batch import PairsFileError, score_file
from pipelines.ingest import ingest_folder
from pipelines.settings import Settings
from pipelines.snapshots import load_snapshot
from pipelines.train import (
    BASELINE_GATE_METRICS,
    TrainConfig,
    TrainResult,
    baseline_gate,
    in_post_rows,
    run_training,
    split,
    stale_reason,
)
from simulator import generate_agency

pytestmark = pytest.mark.integration

# The quality gate refuses a model that loses to the plain LightGBM on the held-out years by any
# margin (a product rule), so the world is one where the first model is clearly ahead. Its
# held-out margins over the plain LightGBM (NDCG@10 vs truth, Brier), 1,200 employees, main at
# dd5a11f, 2026-12-02: seed 3 +0.036, +0.0016 (the module's old world: a feature change could
# tip it); seed 4 +0.047, +0.029; seed 5 +0.028, +0.012; seed 6 +0.029, +0.014.
WORLD_EMPLOYEES, WORLD_SEED = 1200, 4

# A deliberately crippled model: one shallow tree each, no constraints, no score target.
STUMP = GbmParams(n_estimators=1, num_leaves=2)
WORSE = TrainConfig(
    scorer=ScorerConfig(
        fit=STUMP, risk=STUMP, use_score_target=False, fit_monotone={}, risk_monotone={}
    )
)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("world")
    generate_agency(folder, employees=WORLD_EMPLOYEES, seed=WORLD_SEED)
    return folder


@pytest.fixture(scope="module")
def settings(world: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("MLFLOW_TRACKING_URI", raising=False)
        patch.delenv("MUTASI_MLFLOW_TRACKING_URI", raising=False)
        settings = Settings(home=tmp_path_factory.mktemp("home"))
    ingest_folder(world, settings=settings)
    return settings


@pytest.fixture(scope="module")
def first(settings: Settings, world: Path) -> TrainResult:
    return run_training(settings, truth_folder=world)


@pytest.fixture(scope="module")
def worse(settings: Settings, world: Path, first: TrainResult) -> TrainResult:
    return run_training(settings, truth_folder=world, config=WORSE)


def test_in_post_rows_come_from_years_before_the_held_out_decrees(settings: Settings) -> None:
    data = load_snapshot(settings=settings).data
    development, heldout = split(data, TrainConfig())
    first_held_out = int(pd.to_datetime(heldout["decree_date"]).dt.year.min())
    assert (data.performance["year"] >= first_held_out).any()  # appraisals to leave out
    rows = in_post_rows(data, development, heldout, seed=0)
    years = pd.to_datetime(rows["decree_date"]).dt.year
    assert len(rows) > 0
    assert (years < first_held_out).all()
    assert years.max() == first_held_out - 1  # up to the held-out years, not short of them


def test_first_model_clearly_ahead_of_the_plain_lightgbm_is_promoted(
    settings: Settings, first: TrainResult
) -> None:
    # Ahead by about 0.05 NDCG and 0.03 Brier on this world (see WORLD_SEED), not by a hair.
    assert first.promoted
    assert registry.champion_version(settings) == first.version


def test_promotion_is_what_the_gates_recorded_comparison_implies(first: TrainResult) -> None:
    """Whatever the margin: the gate compares the logged metrics of the model and of the plain
    LightGBM, and the model is promoted exactly when it loses on none of them."""
    gate = first.gate
    assert set(gate["against"]) == {"plain_lightgbm"}  # no champion yet
    assert set(gate["metric"]) == {"fit_ndcg10_truth", "risk_brier"}  # truth pools: no outcome
    for row in gate.itertuples():
        assert row.challenger == first.metrics[row.metric]
        assert row.champion == first.metrics[f"plain_lightgbm.{row.metric}"]
        ahead = row.challenger - row.champion
        assert row.margin == pytest.approx(ahead if BASELINE_GATE_METRICS[row.metric] else -ahead)
        assert row.ok == (row.margin >= 0)
    assert first.promoted == bool(gate["ok"].all())


@pytest.mark.parametrize(
    ("metric", "plain_better_by"), [("fit_ndcg10_truth", 0.001), ("risk_brier", -0.001)]
)
def test_gate_refuses_a_model_a_hair_behind_the_plain_lightgbm_and_names_the_measure(
    first: TrainResult, metric: str, plain_better_by: float
) -> None:
    """No tolerance: the plain LightGBM tying the model everywhere but 0.001 ahead on one
    measure is enough to refuse, and the refusal names that measure."""
    tied = {f"plain_lightgbm.{name}": first.metrics[name] for name in BASELINE_GATE_METRICS}
    ahead = {f"plain_lightgbm.{metric}": first.metrics[metric] + plain_better_by}
    decision = baseline_gate(first.metrics | tied | ahead)
    assert decision.loc[~decision["ok"], "metric"].tolist() == [metric]
    assert f"LightGBM polos pada tahun uji ({metric})" in gate_refusal(decision, champion=None)


def test_report_has_every_model_side_by_side(first: TrainResult) -> None:
    assert set(first.table["model"]) == {
        "lightgbm", "plain_lightgbm", "rule", "logistic", "random",
    }  # fmt: skip
    for key in ("fit_ndcg10_truth", "risk_auc", "risk_brier", "risk_ece", "bayes_risk_auc"):
        assert key in first.metrics


def test_model_beats_the_hr_rule_on_the_demo_world(first: TrainResult) -> None:
    assert first.metrics["fit_ndcg10_truth"] > first.metrics["rule.fit_ndcg10_truth"]


def test_quality_gate_refuses_a_worse_model(
    settings: Settings, first: TrainResult, worse: TrainResult
) -> None:
    assert not worse.promoted
    assert registry.champion_version(settings) == first.version


def test_gate_logs_the_comparison_with_the_champion(worse: TrainResult) -> None:
    versus = worse.gate[worse.gate["against"] == "champion"]
    assert not versus["ok"].all()
    assert set(versus["champion_version"]) == {worse.previous_champion}


def test_gate_refuses_a_model_that_loses_to_the_plain_lightgbm(worse: TrainResult) -> None:
    versus = worse.gate[worse.gate["against"] == "plain_lightgbm"]
    assert not versus.empty and not versus["ok"].all()


def test_refusal_says_it_lost_to_the_plain_lightgbm(worse: TrainResult) -> None:
    assert "LightGBM polos" in gate_refusal(worse.gate, champion=worse.previous_champion)


def test_every_registered_version_logs_a_fairness_report(
    settings: Settings, first: TrainResult, worse: TrainResult
) -> None:
    client = tracking.client_for(settings)
    for result in (first, worse):
        run_id = client.get_model_version(settings.model_name, result.version).run_id
        logged = {a.path for a in client.list_artifacts(run_id, "fairness")}
        assert {"fairness/groups.csv", "fairness/flags.json"} <= logged
        metrics = client.get_run(run_id).data.metrics
        assert 0.0 <= metrics["fairness.min_impact_ratio.gender"] <= 1.0


def test_champion_fairness_reads_back_the_champions_report(
    settings: Settings, first: TrainResult
) -> None:
    from pipelines.fairness import champion_fairness

    report = champion_fairness(settings)
    assert report.version == registry.champion_version(settings)
    assert set(report.groups["attribute"]) == {"gender", "age_band"}
    for _, rows in report.groups.groupby("attribute"):
        assert rows["impact_ratio"].max() == pytest.approx(1.0)
        assert rows["selected"].sum() > 0


def test_score_writes_one_row_per_pair_in_order(
    settings: Settings, world: Path, first: TrainResult, tmp_path: Path
) -> None:
    employees = pd.read_csv(world / "employees.csv", dtype=str)["nip"].head(3).tolist()
    positions = pd.read_csv(world / "positions.csv", dtype=str)["position_id"].head(2).tolist()
    pairs = pd.DataFrame(
        [(n, p) for p in positions for n in employees] + [(employees[0], positions[0])],
        columns=["nip", "position_id"],
    )
    pairs.to_csv(tmp_path / "pairs.csv", index=False)
    score_file(settings, pairs_path=tmp_path / "pairs.csv", out=tmp_path / "out.csv")
    out = pd.read_csv(tmp_path / "out.csv", dtype={"nip": str, "ineligible_reasons": str})
    assert list(out.columns) == [
        "nip", "position_id", "eligible", "ineligible_reasons", "fit", "risk",
    ]  # fmt: skip
    assert out[["nip", "position_id"]].values.tolist() == pairs.values.tolist()
    assert out["fit"].between(1, 5).all() and out["risk"].between(0, 1).all()


def test_score_rejects_a_malformed_nip_with_its_row(settings: Settings, tmp_path: Path) -> None:
    (tmp_path / "pairs.csv").write_text("nip,position_id\n123,P1\n", encoding="utf-8")
    with pytest.raises(PairsFileError, match=r"pairs.csv:2:nip"):
        score_file(settings, pairs_path=tmp_path / "pairs.csv", out=tmp_path / "out.csv")
    assert not (tmp_path / "out.csv").exists()


def test_score_reads_an_optional_initiator_column(
    settings: Settings, world: Path, first: TrainResult, tmp_path: Path
) -> None:
    """Rows marked employee are scored as moves at the person's own request, the others (and
    empty cells) as agency moves, exactly as the scoring core does."""
    employees = pd.read_csv(world / "employees.csv", dtype=str)["nip"].head(4).tolist()
    position = pd.read_csv(world / "positions.csv", dtype=str)["position_id"].iloc[0]
    pairs = pd.DataFrame(
        {
            "nip": employees,
            "position_id": position,
            "initiated_by": ["", "Employee", "agency", "employee"],
        }
    )
    pairs.to_csv(tmp_path / "pairs.csv", index=False)
    score_file(settings, pairs_path=tmp_path / "pairs.csv", out=tmp_path / "out.csv")
    out = pd.read_csv(tmp_path / "out.csv", dtype={"nip": str})
    bundle = registry.load_champion(settings)
    snapshot = load_snapshot(settings=settings)
    ctx = FeatureContext.build(snapshot.data, snapshot.as_of(settings))
    expected = score_pairs(
        ctx,
        bundle.scorer,
        employees,
        [position] * 4,
        policy=PolicyConfig(),
        initiated_by_employee=np.array([0.0, 1.0, 0.0, 1.0]),
    )
    assert out["risk"].to_numpy() == pytest.approx(expected["risk"].to_numpy(), abs=1e-6)


def test_score_rejects_an_unknown_initiator_with_its_row(
    settings: Settings, first: TrainResult, tmp_path: Path
) -> None:
    (tmp_path / "pairs.csv").write_text(
        "nip,position_id,initiated_by\n199001012015011001,P1,atasan\n", encoding="utf-8"
    )
    with pytest.raises(PairsFileError, match=r"pairs.csv:2:initiated_by"):
        score_file(settings, pairs_path=tmp_path / "pairs.csv", out=tmp_path / "out.csv")
    assert not (tmp_path / "out.csv").exists()


def test_rollback_returns_to_the_previous_champion(
    settings: Settings, first: TrainResult, worse: TrainResult
) -> None:
    # Changes the registry: forces the worse model in, then rolls it back.
    registry.promote(settings, version=worse.version, force=True)
    assert registry.rollback(settings) == first.version
    assert registry.champion_version(settings) == first.version


def test_current_champion_is_not_stale(settings: Settings, first: TrainResult) -> None:
    assert stale_reason(registry.load_version(settings, first.version).scorer) is None


def test_champion_from_older_code_is_named_stale(settings: Settings, first: TrainResult) -> None:
    scorer = copy.copy(registry.load_version(settings, first.version).scorer)
    del scorer.linear_base_
    assert stale_reason(scorer) == "no linear_base_"


def test_champion_using_a_dropped_feature_is_named_stale(
    settings: Settings, first: TrainResult
) -> None:
    scorer = copy.copy(registry.load_version(settings, first.version).scorer)
    scorer.feature_names_ = [*scorer.feature_names_, "years_as_camat"]
    assert stale_reason(scorer) == "features no longer built: years_as_camat"


@pytest.fixture(scope="module")
def selected(settings: Settings, world: Path, first: TrainResult) -> TrainResult:
    # Changes the registry: may promote the selected model (its tests come last).
    return run_training(settings, truth_folder=world, config=TrainConfig(budget_seconds=4.0))


def _run_of(settings: Settings, result: TrainResult) -> mlflow.entities.Run:
    client = tracking.client_for(settings)
    return client.get_run(client.get_model_version(settings.model_name, result.version).run_id)


def test_selection_within_a_budget_logs_the_chosen_config_and_cv_table(
    settings: Settings, selected: TrainResult
) -> None:
    run = _run_of(settings, selected)
    client = tracking.client_for(settings)
    logged = {a.path for a in client.list_artifacts(run.info.run_id, "selection")}
    assert "selection/cv.csv" in logged
    assert run.data.metrics["selection.trials"] >= 4  # default and plain, for fit and risk
    assert "scorer.calibration" in run.data.params
    assert run.data.params["scorer.fit_ipw"] == str(selected.scorer_config.fit_ipw)
    # The in-post appraisals offered, each share's CV loss and the share kept.
    assert run.data.metrics["in_post.rows"] > 0
    assert run.data.metrics["in_post.share"] == selected.scorer_config.fit_in_post_share
    if "in_post.cv_years" in run.data.metrics:  # compared (a loaded machine may leave no time)
        assert {"in_post.cv_loss_share_0", "in_post.cv_loss_share_1"} <= set(run.data.metrics)
        assert run.data.metrics["in_post.seconds"] > 0


def test_selection_offers_ipw_and_logs_the_propensity_model(
    settings: Settings, selected: TrainResult
) -> None:
    run = _run_of(settings, selected)
    metrics = run.data.metrics
    assert 0.5 < metrics["propensity.auc"] <= 1.0
    assert metrics["ipw.weight_min"] <= metrics["ipw.weight_median"] <= metrics["ipw.weight_max"]
    assert 0 < metrics["ipw.ess"] <= float(run.data.params["examples.development"])
    path = tracking.client_for(settings).download_artifacts(run.info.run_id, "selection/cv.csv")
    assert "default+ipw" in set(pd.read_csv(path)["start"].dropna())


def test_selection_logs_the_ipw_decision_it_trained_with(
    settings: Settings, selected: TrainResult
) -> None:
    metrics = _run_of(settings, selected).data.metrics
    assert metrics["ipw.chosen"] == float(selected.scorer_config.fit_ipw)
    assert (metrics["ipw.cv_loss_on"] < metrics["ipw.cv_loss_off"]) == bool(metrics["ipw.chosen"])
    assert metrics["ipw.cv_gain_se"] >= 0


def test_selection_logs_the_calibrator_arms_and_trains_the_chosen_one(
    settings: Settings, selected: TrainResult
) -> None:
    run = _run_of(settings, selected)
    path = tracking.client_for(settings).download_artifacts(run.info.run_id, "selection/cv.csv")
    arms = pd.read_csv(path).query("part == 'calibration'")
    chosen = arms.loc[arms["chosen"].astype(bool), "start"].tolist()
    assert len(chosen) == 1
    assert chosen[0].split("/")[0] == run.data.params["scorer.calibration"]


def test_run_logs_versions_evaluation_artifacts_and_the_gate(
    settings: Settings, first: TrainResult, worse: TrainResult
) -> None:
    client = tracking.client_for(settings)
    run = client.get_run(client.get_model_version(settings.model_name, worse.version).run_id)
    assert run.data.tags["mutasi.snapshot_id"] == worse.snapshot_id
    assert run.data.tags["mutasi.snapshot_hash"] and run.data.tags["mutasi.git_commit"]
    assert "scorer.fit.n_estimators" in run.data.params
    assert run.data.metrics["gate_passed"] == 0.0
    logged = {a.path for a in client.list_artifacts(run.info.run_id, "evaluation")}
    assert {
        "evaluation/models.csv",
        "evaluation/calibration_curve.png",
        "evaluation/feature_importance.png",
        "evaluation/ndcg_by_pool_size.csv",
        "evaluation/gate.csv",
    } <= logged
    info = mlflow.models.get_model_info(f"models:/{settings.model_name}/{worse.version}")
    assert info.signature is not None and info.saved_input_example_info is not None
