"""A round's candidate search equals a plain reference (every employee against every target,
scored in full, pandas top-M / top-K), and on a real Dask LocalCluster the in-process pool."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pytest

from models.contract.tables import AgencyData
from models.features.build import FeatureContext
from models.planning.instance import default_slots
from models.planning.partition import CandidateSearch, partition_targets
from models.planning.pool import (
    PoolConfig,
    merge_free_choices,
    select_candidates,
    vacated_needed_positions,
)
from models.planning.round import candidate_pool
from models.planning.staffing import position_balance
from models.scoring.compose import score_pairs
from models.scoring.policy import PolicyConfig, movable
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

    def search(self, *, free_every: int, max_pairs_per_chunk: int) -> CandidateSearch:
        """A search in which every `free_every`-th employee is a free mover."""
        people = self.data.employees["nip"].astype("string")
        return CandidateSearch.build(
            self.ctx,
            self.scorer,
            data=self.data,
            free_nips=pd.Index(people.iloc[::free_every]),
            policy=PolicyConfig(),
            config=PoolConfig(max_pairs_per_chunk=max_pairs_per_chunk),
        )

    def reference_pool(self, config: PoolConfig) -> pd.DataFrame:
        """`candidate_pool` the plain way: per partition and chunk of targets (the same cut as
        the search's, which decides the order of the top-M rows), every employee against
        every target through `score_pairs` (all rules with their reason texts, fit; risk left
        for the pool's own scoring), then `select_candidates` on the pandas frame."""
        people = self.data.employees[["nip", "position_id"]].astype("string")
        surplus = self.staffing.set_index("position_id")["surplus"]
        free = pd.Index(people.loc[people["position_id"].map(surplus).fillna(0) > 0, "nip"])
        rows = self.ctx.employee_index(people["nip"].to_numpy(dtype=object))
        per_chunk = config.max_pairs_per_chunk // int(
            movable(self.ctx, rows, config=PolicyConfig()).sum()
        )

        def search(targets: np.ndarray, top_m: int, top_k: int) -> pd.DataFrame:
            kept = []
            for partition in partition_targets(self.data, targets, top_m=top_m, top_k_free=top_k):
                for start in range(0, len(partition.targets), max(per_chunk, 1)):
                    chunk = partition.targets[start : start + max(per_chunk, 1)]
                    nips = np.tile(people["nip"].to_numpy(dtype=object), len(chunk))
                    scored = score_pairs(
                        self.ctx,
                        self.scorer,
                        nips,
                        np.repeat(chunk, len(people)),
                        policy=PolicyConfig(),
                    ).assign(
                        from_position_id=np.tile(people["position_id"].array, len(chunk)),
                        risk=np.nan,
                    )
                    kept.append(
                        select_candidates(scored, free_nips=free, top_m=top_m, top_k_free=top_k)
                    )
            return pd.concat(kept, ignore_index=True)

        targets = self.slots.loc[self.slots["open_count"] > 0, "position_id"].unique()
        targets = np.asarray(targets, dtype=object)
        first = merge_free_choices(
            search(targets, config.top_m, config.top_k_free), top_k_free=config.top_k_free
        )
        chain = vacated_needed_positions(first, self.staffing, exclude=targets)
        pool = pd.concat([first, search(chain, config.top_m_chain, 0)], ignore_index=True)
        pool = pool.drop_duplicates(["nip", "position_id"]).reset_index(drop=True)
        scored = score_pairs(
            self.ctx, self.scorer, pool["nip"], pool["position_id"], policy=PolicyConfig()
        )
        return scored.assign(from_position_id=pool["from_position_id"].to_numpy())


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


def test_local_workers_keep_glibcs_adaptive_malloc(client: Any):
    # Dask's MALLOC_TRIM_THRESHOLD_ would make every temporary array a fresh mmap (2.5-3x CPU).
    settings = client.run(os.environ.get, "MALLOC_TRIM_THRESHOLD_")
    assert len(settings) == 2 and set(settings.values()) == {None}


def test_workers_search_over_the_movers_rows_only_and_find_the_same_candidates(round_: Round):
    search = round_.search(free_every=7, max_pairs_per_chunk=20_000)
    sent = search.movers_only()
    targets = np.asarray(round_.slots["position_id"].unique(), dtype=object)
    partitions = partition_targets(round_.data, targets, top_m=5, top_k_free=3)
    assert 0 < len(sent.ctx.nips) == len(search.movers) < len(round_.ctx.nips)
    for partition in partitions:
        pd.testing.assert_frame_equal(sent.candidates(partition), search.candidates(partition))


@pytest.mark.parametrize(
    "config",
    [PoolConfig(), PoolConfig(max_pairs_per_chunk=1_000, top_m=5, top_k_free=3, top_m_chain=4)],
    ids=["default", "small-chunks"],
)
def test_pool_equals_the_plain_reference(round_: Round, config: PoolConfig):
    expected = round_.reference_pool(config)
    got = round_.pool(config)
    assert len(expected) > 0
    pd.testing.assert_frame_equal(got, expected)


def test_the_pool_does_not_depend_on_how_targets_are_chunked(round_: Round):
    # One target per chunk (as in a national round, where the movers alone fill a chunk) keeps
    # the same pairs as whole partitions per chunk: the free movers' top-K is cut per partition.
    pairs = ["nip", "position_id"]
    config = PoolConfig(top_m=5, top_k_free=3, top_m_chain=2)
    whole = round_.pool(config.model_copy(update={"max_pairs_per_chunk": 10_000_000}))
    single = round_.pool(config.model_copy(update={"max_pairs_per_chunk": 1_000}))
    assert len(whole) > 0
    pd.testing.assert_frame_equal(
        single.sort_values(pairs, ignore_index=True), whole.sort_values(pairs, ignore_index=True)
    )


def test_the_round_merge_folds_partitions_in_any_order_as_the_pandas_merge(round_: Round):
    # Dask hands partitions over as they finish: the merged pool must not depend on that order,
    # and must equal concatenating every partition's rows and re-cutting the free movers' top-K.
    search = round_.search(free_every=3, max_pairs_per_chunk=5_000)
    targets = np.asarray(round_.slots["position_id"].unique(), dtype=object)
    partitions = partition_targets(round_.data, targets, top_m=4, top_k_free=2)
    kept = [(i, search.kept(partition)) for i, partition in enumerate(partitions)]
    expected = merge_free_choices(
        pd.concat([search.candidates(p) for p in partitions], ignore_index=True), top_k_free=2
    )
    in_order = search.merge(kept, top_k_free=2)
    shuffled = search.merge(kept[::-1][1::2] + kept[::-1][::2], top_k_free=2)
    pairs = ["nip", "from_position_id", "position_id", "fit", "in_top_m"]
    offered = pd.concat([search.candidates(p) for p in partitions], ignore_index=True)
    free_only = offered.loc[offered["free_choice"] & ~offered["in_top_m"]]
    assert len(partitions) > 3 and len(free_only) > 0
    assert len(in_order) < len(offered.drop_duplicates(["nip", "position_id"]))  # the round cut
    pd.testing.assert_frame_equal(in_order[pairs], expected[pairs])
    pd.testing.assert_frame_equal(shuffled, in_order)
    # Flags are the round's: every merged pair outside the top-M lists is a free choice of it.
    assert in_order.loc[~in_order["in_top_m"], "free_choice"].all()
    assert in_order.groupby("nip")["free_choice"].sum().max() <= 2


def test_grade_window_keeps_only_pairs_within_it(round_: Round):
    pool = round_.pool(PoolConfig(grade_window=1))
    grade = round_.data.positions.set_index("position_id")["grade"].astype(float)
    step = pool["position_id"].map(grade) - pool["from_position_id"].map(grade)
    assert len(pool) > 0 and step.abs().max() <= 1
