"""`mutasi plan --consultation ROUND --preference-weight W` on the real small world: the plan
reads the round's ranked choices and everyone's newest answers from the service database and
prints the top-3 report."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from pipelines.settings import get_settings
from serving.consultation import store
from serving.consultation.crypto import NoteCipher
from serving.consultation.service import eligible_positions, open_slot_positions
from serving.db import make_engine
from serving.loading import build_state
from serving.state import LoadedState
from tests.fixtures.world import World

pytestmark = pytest.mark.integration
runner = CliRunner()


@pytest.fixture
def world_home(world: World, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("MUTASI_HOME", str(world.settings.home))
    get_settings.cache_clear()
    yield world.settings.home
    get_settings.cache_clear()


def _answered_round(world: World, state: LoadedState) -> str:
    engine = make_engine(world.settings.db_url)
    offered = open_slot_positions(state)
    nip, offers = next(
        (str(n), found)
        for n in state.lookups.employees.index[100:]
        if len(found := eligible_positions(state, str(n), offered)) >= 2
    )
    start = datetime.now(UTC) - timedelta(minutes=1)
    consultation = store.open_round(
        engine,
        opened_by="cli-test",
        window_from=start,
        window_until=start + timedelta(days=7),
        positions=offered,
        invitation="Putaran uji CLI",
    )
    store.save_answer(
        engine,
        NoteCipher.from_home(world.settings.home),
        consultation=consultation,
        nip=nip,
        positions=offers[:2],
        wishes=[],
        note=None,
        now=datetime.now(UTC),
    )
    return consultation.id


def test_a_cli_plan_with_a_round_reports_the_top3_choices_of_its_respondents(
    world: World, world_home: Path, tmp_path: Path
) -> None:
    round_id = _answered_round(world, build_state(world.settings))
    out = tmp_path / "moves.csv"
    arguments = ["plan", "--out", str(out), "--time-limit", "20"]
    result = runner.invoke(
        app, [*arguments, "--consultation", round_id, "--preference-weight", "1"]
    )
    assert result.exit_code == 0, result.output
    assert (
        "top-3 choice met (all all)" in result.output
        and "dari / of 1 responden / respondents" in result.output
    )
    folder = Path(result.output.strip().splitlines()[-1].split("full plan: ")[1])
    record = json.loads((folder / "plan.json").read_text())
    assert record["options"]["preference_weight"] == 1.0
