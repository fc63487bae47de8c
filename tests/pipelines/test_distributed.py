"""A round's candidate search on a real Dask LocalCluster gives the in-process pool."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pytest

from models.contract.tables import AgencyData
from models.features.build import FeatureContext
from models.planning.instance import default_slots
from models.planning.pool import PoolConfig
from models.planning.round import candidate_pool
from models.planning.staffing import position_balance
from models.scoring.policy import PolicyConfig
from pipelines.compiled import compile_for_context
from pipelines.distributed import cluster_client, dask_runner
from pipelines.registry import load_champion
from pipelines.snapshots import load_snapshot
from tests.fixtures.world import World

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class Round:
    data: AgencyData
    ctx: FeatureContext
    scorer: Any
    staffing: pd.DataFrame
    slots: pd.DataFrame

    def pool(self, config: PoolConfig, **runner: Any) -> pd.DataFrame:
        return candidate_pool(
            self.ctx,
            self.scorer,
            data=self.data,
            staffing=self.staffing,
            slots=self.slots,
            policy=PolicyConfig(),
            config=config,
            **runner,
        )


@pytest.fixture(scope="module")
def round_(world: World) -> Round:
    snapshot = load_snapshot(settings=world.settings)
    ctx = FeatureContext.build(snapshot.data, snapshot.as_of(world.settings))
    scorer = compile_for_context(load_champion(world.settings).scorer, ctx, settings=world.settings)
    staffing = position_balance(snapshot.data.positions, snapshot.data.employees)
    return Round(snapshot.data, ctx, scorer.scorer, staffing, default_slots(staffing))


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    # Two small worker processes: the search really travels (pickled) to other interpreters.
    with cluster_client(workers=2, processes=True) as running:
        yield running


@pytest.mark.parametrize(
    "config",
    [
        PoolConfig(max_pairs_per_chunk=20_000),
        PoolConfig(grade_window=2, same_job_type=True, top_m=10),
    ],
    ids=["everyone", "grade-window-and-family"],
)
def test_dask_pool_equals_the_in_process_pool(round_: Round, client: Any, config: PoolConfig):
    expected = round_.pool(config)
    progress: list[tuple[int, int]] = []
    got = round_.pool(config, runner=dask_runner(client, progress=lambda *p: progress.append(p)))
    assert len(expected) > 0 and progress[-1][0] == progress[-1][1]
    pd.testing.assert_frame_equal(got, expected)


def test_grade_window_keeps_only_pairs_within_it(round_: Round):
    pool = round_.pool(PoolConfig(grade_window=1))
    grade = round_.data.positions.set_index("position_id")["grade"].astype(float)
    step = pool["position_id"].map(grade) - pool["from_position_id"].map(grade)
    assert len(pool) > 0 and step.abs().max() <= 1
