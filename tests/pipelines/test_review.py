"""`run_review` on the real small world: the files, the monitoring run, the report, the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest
from mlflow import MlflowClient

from models.planning.review import MOVE_COLUMNS
from models.scoring.impact import PROGRAMME_COLUMNS
from models.scoring.monitoring import MONITORING_COLUMNS, NOT_NEEDED, RETRAIN
from pipelines import tracking
from pipelines.report import reliable_effects
from pipelines.review import PIPELINE, review, run_review
from pipelines.review_result import ReviewResult
from tests.fixtures.world import World

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def reviewed(world: World, tmp_path_factory: pytest.TempPathFactory) -> tuple[ReviewResult, Path]:
    out = tmp_path_factory.mktemp("review")
    return run_review(world.settings, out_dir=out), out


def test_review_writes_the_four_tables_with_the_issue_columns(
    reviewed: tuple[ReviewResult, Path],
) -> None:
    _, out = reviewed
    expected = {
        "moves.csv": MOVE_COLUMNS,
        "programme.csv": PROGRAMME_COLUMNS,
        "monitoring.csv": MONITORING_COLUMNS,
    }
    for name, columns in expected.items():
        assert tuple(pd.read_csv(out / name).columns) == columns
    assert len(pd.read_csv(out / "units.csv")) > 0


def test_every_move_has_a_flag_and_below_expectation_gets_coaching_or_trainings(
    reviewed: tuple[ReviewResult, Path],
) -> None:
    moves = pd.read_csv(reviewed[1] / "moves.csv", dtype={"nip": str})
    assert set(moves["flag"]) <= {
        "below_expectation",
        "as_expected",
        "above_expectation",
        "awaiting_skp",
    }
    assert (moves["actual_fit"].isna() == (moves["flag"] == "awaiting_skp")).all()
    below = moves.loc[moves["flag"] == "below_expectation"]
    assert len(below) > 0
    assert below["suggested_trainings"].notna().any()
    others = moves.loc[moves["flag"] != "below_expectation", "suggested_trainings"]
    assert others.isna().all()


def test_monitoring_is_an_mlflow_run_with_its_verdict(
    world: World, reviewed: tuple[ReviewResult, Path]
) -> None:
    result, _ = reviewed
    client = tracking.client_for(world.settings)
    experiment = client.get_experiment_by_name(tracking.experiment_name(world.settings, PIPELINE))
    assert experiment is not None
    (run,) = MlflowClient(world.settings.tracking_uri).search_runs([experiment.experiment_id])
    assert run.data.tags["mutasi.verdict"] == result.verdict in {RETRAIN, NOT_NEEDED}
    assert run.data.metrics["moves"] == len(result.moves)
    assert run.data.params["model_version"] == result.model_version


def test_report_is_indonesian_self_contained_html_and_a_workbook(
    reviewed: tuple[ReviewResult, Path],
) -> None:
    result, out = reviewed
    page = (out / "report.html").read_text(encoding="utf-8")
    assert '<html lang="id">' in page and "Evaluasi pascamutasi" in page
    charts = 3 if len(reliable_effects(result.programme)) else 2  # else a sentence says why
    assert page.count("data:image/png;base64,") == charts
    assert "http://" not in page and "https://" not in page
    sheets = pd.read_excel(out / "report.xlsx", sheet_name=None, engine="openpyxl")
    assert list(sheets) == ["Ringkasan", "Mutasi", "Unit", "Dampak program", "Pemantauan"]


def test_an_adopted_recommendation_is_the_prediction_of_its_move(
    world: World, reviewed: tuple[ReviewResult, Path]
) -> None:
    result, _ = reviewed
    move = result.moves.iloc[0]
    decided = pd.DataFrame(
        {
            "nip": [move["nip"]],
            "position_id": [move["to_position_id"]],
            "decision": ["adopted"],
            "fit": [1.5],
            "risk": [0.5],
            "at": [datetime(2020, 1, 1, tzinfo=UTC)],
        }
    )
    again = review(world.settings, since=result.window.since, decisions=decided)
    first = again.moves.set_index("transfer_id").loc[move["transfer_id"]]
    assert (first["prediction_source"], first["predicted_fit"]) == ("decision", 1.5)
    assert (again.moves["prediction_source"] == "decision").sum() == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "2025-01-01", "--until", "2024-01-01"], "is before --since"),
        (["--since", "2030-01-01", "--until", "2030-12-31"], "no transfers decreed"),
        (["--since", "1 Jan 2024"], "--since is not a YYYY-MM-DD date"),
    ],
)
def test_mutasi_review_refuses_a_bad_window_without_a_traceback(
    world: World, tmp_path: Path, args: list[str], message: str
) -> None:
    env = {**os.environ, "MUTASI_HOME": str(world.settings.home)}
    mutasi = Path(sys.executable).with_name("mutasi")
    done = subprocess.run(
        [str(mutasi), "review", "--out", str(tmp_path / "out"), *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    assert done.returncode != 0
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


def test_default_window_is_the_last_three_decree_years(reviewed: tuple[ReviewResult, Path]) -> None:
    window = reviewed[0].window
    assert window.since == date(window.until.year - 2, 1, 1)
