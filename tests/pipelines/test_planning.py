"""Planning pipeline: slots files, and whole rounds on a real trained demo world."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from models.features.build import FeatureContext
from models.planning.instance import PlanInputError, PlanOptions
from models.planning.training_plan import TrainingPlanConfig, TrainingPlanner
from pipelines.plan_store import UnknownPlanError, load_plan
from pipelines.planning import make_plan, read_slots
from pipelines.registry import load_champion
from pipelines.settings import Settings
from pipelines.snapshots import load_snapshot
from tests.fixtures.world import World


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_read_slots_parses_position_and_open_count(tmp_path: Path):
    slots = read_slots(_write(tmp_path / "s.csv", "position_id,open_count\nP1, 2\nP2,0\n"))
    assert slots.values.tolist() == [["P1", 2], ["P2", 0]]


def test_read_slots_names_the_file_row_and_column_of_a_bad_count(tmp_path: Path):
    path = _write(tmp_path / "s.csv", "position_id,open_count\nP1,2\nP2,dua\n")
    with pytest.raises(PlanInputError, match=r"s\.csv:3:open_count"):
        read_slots(path)


def test_read_slots_names_a_missing_column(tmp_path: Path):
    path = _write(tmp_path / "s.csv", "position_id,count\nP1,2\n")
    with pytest.raises(PlanInputError, match="open_count"):
        read_slots(path)


def test_read_slots_reports_a_missing_file(tmp_path: Path):
    with pytest.raises(PlanInputError, match="not found"):
        read_slots(tmp_path / "none.csv")


def test_unknown_plan_id_is_a_user_error(tmp_path: Path):
    with pytest.raises(UnknownPlanError, match="not found"):
        load_plan(Settings(home=tmp_path), "20250101T000000Z-deadbeef")


# --- the real trained small world (tests/conftest.py `world`) -----------------------------


@pytest.mark.integration
def test_make_plan_stores_a_plan_that_reads_back(world: World):
    stored = make_plan(world.settings, slots_path=None, options=PlanOptions(time_limit=30))
    again = load_plan(world.settings, stored.plan_id)
    assert again.record["snapshot_id"] == load_snapshot(settings=world.settings).id
    assert again.frames["moves"]["nip"].tolist() == stored.frames["moves"]["nip"].tolist()
    assert len(stored.frames["moves"]) > 0


@pytest.mark.integration
def test_the_same_inputs_give_the_same_plan(world: World):
    options = PlanOptions(time_limit=30, mip_rel_gap=0.0)
    first = make_plan(world.settings, slots_path=None, options=options)
    second = make_plan(world.settings, slots_path=None, options=options)
    assert first.plan_id.split("-")[1] == second.plan_id.split("-")[1]  # same inputs hash
    assert first.record["objective"] == pytest.approx(second.record["objective"], rel=1e-9)


@pytest.mark.integration
def test_plan_with_slots_fills_only_those_positions(world: World, tmp_path: Path):
    data = load_snapshot(settings=world.settings).data
    position = str(data.positions["position_id"].iloc[0])
    slots = _write(tmp_path / "slots.csv", f"position_id,open_count\n{position},2\n")
    stored = make_plan(world.settings, slots_path=slots, options=PlanOptions(time_limit=30))
    moves = stored.frames["moves"]
    net_in = (moves["position_id"] == position).sum() - (
        moves["from_position_id"] == position
    ).sum()
    assert net_in <= 2
    assert set(moves["position_id"]) <= {position} | set(moves["from_position_id"])


@pytest.mark.integration
def test_effective_trainings_rank_first_more_often_than_not(world: World):
    """Within a competency offering both kinds, the generator's effective training comes first."""
    snapshot = load_snapshot(settings=world.settings)
    ctx = FeatureContext.build(snapshot.data, snapshot.as_of(world.settings))
    planner = TrainingPlanner.build(
        ctx,
        load_champion(world.settings).scorer,
        data=snapshot.data,
        config=TrainingPlanConfig(max_trainings=20),
    )
    truth = pd.read_csv(world.data_dir / "_truth" / "trainings_truth.csv", dtype=str)
    effective = truth.set_index("training_id")["effective"].eq("True")
    rng = np.random.default_rng(0)
    positions = snapshot.data.position_competencies["position_id"].unique()
    wins = comparisons = 0
    for nip in snapshot.data.employees["nip"].sample(80, random_state=0):
        plan = planner.plan(str(nip), str(rng.choice(positions)))
        ranked = plan.trainings.assign(effective=plan.trainings["training_id"].map(effective))
        for _, options in ranked.groupby("competency", sort=False):
            if options["effective"].nunique() == 2:
                comparisons += 1
                wins += bool(options["effective"].iloc[0])
    assert comparisons >= 20
    assert wins / comparisons > 0.5


@pytest.mark.integration
def test_slots_naming_an_unknown_position_are_rejected_with_file_and_row(
    world: World, tmp_path: Path
):
    slots = _write(tmp_path / "slots.csv", "position_id,open_count\nNOPE,1\n")
    with pytest.raises(PlanInputError, match=r"slots\.csv: .*row 2, column position_id"):
        make_plan(world.settings, slots_path=slots, options=PlanOptions(time_limit=5))
