"""`mutasi train --budget --ipw`: per-agency selection end to end from the command line, and
the weighting choice recorded with the registered version."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from pipelines import tracking
from pipelines.settings import Settings, get_settings
from simulator import generate_agency

pytestmark = pytest.mark.integration
runner = CliRunner()


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    monkeypatch.setenv("MUTASI_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.delenv("MUTASI_MLFLOW_TRACKING_URI", raising=False)
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


def test_train_with_selection_and_ipw_on_records_the_weighted_fit_model(
    settings: Settings, tmp_path: Path
) -> None:
    generate_agency(tmp_path / "agency", employees=600, seed=11)
    arguments = ["train", "--data", str(tmp_path / "agency"), "--budget", "2", "--ipw", "on"]
    result = runner.invoke(app, arguments)
    assert result.exit_code == 0, result.output
    client = tracking.client_for(settings)
    version = client.get_model_version(settings.model_name, "1")
    run = client.get_run(version.run_id)
    assert run.data.params["scorer.fit_ipw"] == "True"
    assert "propensity.auc" in run.data.metrics
    trials = int(run.data.metrics["selection.trials"])
    assert f"model selection: {trials} percobaan / trials in" in result.output
    assert "fit weighted by inverse propensity: ya / yes" in result.output
    assert "model selection, seconds: 0/2" in result.output  # progress, plain lines off a TTY


def test_train_refuses_an_unknown_ipw_choice(settings: Settings) -> None:
    result = runner.invoke(app, ["train", "--ipw", "maybe"])
    assert result.exit_code != 0 and "maybe" in result.output


def test_train_refuses_a_trial_cap_without_a_budget(settings: Settings) -> None:
    result = runner.invoke(app, ["train", "--max-trials", "5"])
    assert result.exit_code == 2 and "only with --budget" in result.output
    assert not settings.home.exists() or not any(settings.home.iterdir())  # nothing was done
