"""`mutasi plan --consultation ROUND --unit-preference-weight W` on the real trained small world:
the round's answers and the units' rankings reach the plan, and the blocking pairs it prints
and stores equal a brute-force count."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from cli.main import app
from models.planning.instance import default_slots
from models.planning.staffing import position_balance
from pipelines.plan_store import load_plan
from pipelines.settings import get_settings
from pipelines.snapshots import load_snapshot
from serving.consultation import rankings, store
from serving.consultation.crypto import NoteCipher
from serving.db import make_engine
from tests.fixtures.matching import count_blocking_pairs
from tests.fixtures.world import World

runner = CliRunner()
BLOCKING = re.compile(r"blocking pairs: (\d+)")


@pytest.fixture
def home(world: World, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("MUTASI_HOME", str(world.settings.home))
    get_settings.cache_clear()
    yield world.settings.home
    get_settings.cache_clear()


def _round_with_both_sides(world: World) -> tuple[str, pd.DataFrame, dict[str, list[str]]]:
    """30 employees each rank three of eight open slots; the units of four slots rank, in
    random order, the people who chose them."""
    rng = np.random.default_rng(7)
    data = load_snapshot(settings=world.settings).data
    slots = default_slots(position_balance(data.positions, data.employees))
    posts = [str(p) for p in slots["position_id"][:8]]
    engine, now = make_engine(get_settings().db_url), datetime.now(UTC)
    consultation = store.open_round(
        engine,
        opened_by="cli-test",
        window_from=now - timedelta(minutes=1),
        window_until=now + timedelta(days=1),
        positions=posts,
        invitation="Uji CLI",
    )
    cipher = NoteCipher.from_home(world.settings.home)
    people = [str(n) for n in rng.choice(data.employees["nip"].astype(str), 30, replace=False)]
    rows = []
    for nip in people:
        chosen = [str(p) for p in rng.choice(posts, 3, replace=False)]
        store.save_answer(
            engine,
            cipher,
            consultation=consultation,
            nip=nip,
            positions=chosen,
            wishes=[],
            note=None,
            now=now,
        )
        rows += [(nip, p, r) for r, p in enumerate(chosen, 1)]
    choices = pd.DataFrame(rows, columns=["nip", "position_id", "rank"])
    units = data.positions.set_index("position_id")["unit_id"].astype(str)
    ranked: dict[str, list[str]] = {}
    for post in posts[:4]:
        asked = choices.loc[choices["position_id"] == post, "nip"].tolist()
        ranked[post] = [str(n) for n in rng.permutation(asked)]
        rankings.save_ranking(
            engine,
            consultation=consultation,
            unit_id=units[post],
            position_id=post,
            nips=ranked[post],
            ranked_by="cli-test",
            now=now,
        )
    return consultation.id, choices, ranked


def test_the_printed_blocking_pairs_equal_a_brute_force_count(
    world: World, home: Path, tmp_path: Path
) -> None:
    round_id, choices, ranked = _round_with_both_sides(world)
    counts = []
    for weight in ("0", "3"):
        result = runner.invoke(
            app,
            [
                "plan",
                "--consultation",
                round_id,
                "--unit-preference-weight",
                weight,
                "--time-limit",
                "30",
                "--out",
                str(tmp_path / f"moves-{weight}.csv"),
            ],
        )
        assert result.exit_code == 0, result.output
        plan_id = re.search(r"plan (\S+) \(", result.output).group(1)  # type: ignore[union-attr]
        stored = load_plan(get_settings(), plan_id)
        assert stored.record["options"]["unit_preference_weight"] == float(weight)
        open_count = stored.frames["slots"].astype({"position_id": str})
        expected = count_blocking_pairs(
            stored.frames["moves"],
            choices,
            ranked,
            open_count.set_index("position_id")["open_count"],
        )
        printed = BLOCKING.search(result.output)
        assert printed is not None and int(printed.group(1)) == expected
        assert stored.record["stable_matching"][0]["blocking_pairs"] == expected
        counts.append(expected)
    assert counts[0] > 0  # the case is not trivial: units' picks left waiting without the term
