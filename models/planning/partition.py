"""The candidate search of a round in partitions, so that they can run apart (here or on Dask).

Open positions are grouped by job family (`job_type`) and region (the unit's `region_code`);
`CandidateSearch.candidates(partition)` is the whole, pure work of one group: the pairs of its
positions with the people who may move at all, pre-filtered before any feature is built (the
policy's personal rules, then optionally a grade window and the same job family), then
eligibility, features and fit, and the pairs the pool keeps (models/planning/pool.py). Every
kept set is local to a position except the free movers' top-K, which `merge_free_choices`
re-cuts over all partitions, so the pool is the same however the partitions are run.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.contract.tables import AgencyData
from models.features.build import FeatureContext
from models.planning.pool import PoolConfig, select_candidates
from models.scoring.compose import PairScorer, fit_pairs
from models.scoring.policy import PolicyConfig, indexed_eligibility, movable


@dataclass(frozen=True)
class Partition:
    """Open positions of one job family and region, and how many candidates each keeps."""

    key: str  # "job_type/region_code", for logs and progress
    targets: np.ndarray  # position ids (object)
    top_m: int
    top_k_free: int


def partition_targets(
    data: AgencyData, targets: np.ndarray, *, top_m: int, top_k_free: int
) -> list[Partition]:
    """`targets` grouped by job family and region, in a stable order (sorted keys)."""
    if len(targets) == 0:
        return []
    regions = data.units.set_index("unit_id")["region_code"]
    positions = data.positions.drop_duplicates("position_id").set_index("position_id")
    chosen = positions.reindex(pd.Index(targets, dtype=object))
    keys = (
        chosen["job_type"].astype("string").fillna("-")
        + "/"
        + chosen["unit_id"].map(regions).astype("string").fillna("-")
    )
    return [
        Partition(str(key), np.asarray(group.index, dtype=object), top_m, top_k_free)
        for key, group in keys.groupby(keys.to_numpy(), sort=True)
    ]


@dataclass(frozen=True)
class CandidateSearch:
    """What every partition needs: the context, the scorer, who may move, and the rules."""

    ctx: FeatureContext
    scorer: PairScorer
    movers: pd.DataFrame  # nip, position_id (current), grade, job_type: people who may move
    target_grade: pd.Series  # position_id -> grade
    target_job_type: pd.Series  # position_id -> job_type
    free_nips: pd.Index
    policy: PolicyConfig
    config: PoolConfig

    @classmethod
    def build(
        cls,
        ctx: FeatureContext,
        scorer: PairScorer,
        *,
        data: AgencyData,
        free_nips: pd.Index,
        policy: PolicyConfig,
        config: PoolConfig,
    ) -> CandidateSearch:
        positions = data.positions.drop_duplicates("position_id").set_index("position_id")
        people = data.employees[["nip", "position_id"]].astype("string")
        rows = ctx.employee_index(people["nip"].to_numpy(dtype=object))
        movers = people.loc[movable(ctx, rows, config=policy)]
        current = positions.reindex(pd.Index(movers["position_id"], dtype=object))
        movers = movers.assign(
            grade=current["grade"].to_numpy(dtype=float),
            job_type=current["job_type"].astype("string").to_numpy(),
        ).reset_index(drop=True)
        return cls(
            ctx=ctx,
            scorer=scorer,
            movers=movers,
            target_grade=positions["grade"].astype(float),
            target_job_type=positions["job_type"].astype("string"),
            free_nips=free_nips,
            policy=policy,
            config=config,
        )

    def candidates(self, partition: Partition) -> pd.DataFrame:
        """The pairs the pool keeps from this partition (select_candidates, chunk by chunk)."""
        kept = [
            select_candidates(
                chunk,
                free_nips=self.free_nips,
                top_m=partition.top_m,
                top_k_free=partition.top_k_free,
            )
            for people, targets in self._groups(partition.targets)
            for chunk in score_targets(
                self.ctx,
                self.scorer,
                people,
                targets,
                policy=self.policy,
                chunk_pairs=self.config.max_pairs_per_chunk,
            )
        ]
        return pd.concat(kept, ignore_index=True) if kept else pd.DataFrame()

    def _groups(self, targets: np.ndarray) -> Iterator[tuple[pd.DataFrame, np.ndarray]]:
        """(people, targets) to pair: all movers, or per target grade (and job family) only
        the movers the grade window (and job family rule) lets through."""
        window, same_family = self.config.grade_window, self.config.same_job_type
        if window is None and not same_family:
            yield self.movers, targets
            return
        grade = self.target_grade.reindex(pd.Index(targets, dtype=object)).to_numpy(dtype=float)
        family = self.target_job_type.reindex(pd.Index(targets, dtype=object)).to_numpy()
        keys = pd.DataFrame({"grade": grade, "family": family}).fillna({"family": "-"})
        for (target_grade, target_family), group in keys.groupby(["grade", "family"], sort=True):
            keep = np.ones(len(self.movers), dtype=bool)
            if window is not None:
                keep &= np.abs(self.movers["grade"].to_numpy() - target_grade) <= window
            if same_family:
                keep &= (self.movers["job_type"] == target_family).fillna(False).to_numpy()
            if keep.any():
                yield self.movers.loc[keep], targets[group.index.to_numpy()]


def score_targets(
    ctx: FeatureContext,
    scorer: PairScorer,
    people: pd.DataFrame,
    targets: np.ndarray,
    *,
    policy: PolicyConfig,
    chunk_pairs: int,
) -> Iterator[pd.DataFrame]:
    """Fit of every eligible mover for each target position, chunk by chunk (a generator).

    A pre-filter only: the policy first, then features and the fit model for the eligible
    movers (about a third of all pairs on the demo world); risk and the final numbers come from
    `score_pairs` on the pairs kept (see `candidate_pool`).
    """
    per_chunk = max(1, chunk_pairs // max(len(people), 1))
    nips = people["nip"].to_numpy(dtype=object)
    people_rows = ctx.employee_index(nips)
    for start in range(0, len(targets), per_chunk):
        chunk = targets[start : start + per_chunk]
        rows = np.tile(people_rows, len(chunk))
        codes = np.repeat(ctx.position_index(chunk), len(people))
        positions = np.repeat(chunk, len(people))
        from_position = np.tile(people["position_id"].to_numpy(dtype=object), len(chunk))
        eligible, _ = indexed_eligibility(ctx, rows, codes, config=policy)
        keep = eligible & (from_position != positions)
        _, fit = fit_pairs(ctx, scorer, rows[keep], codes[keep])
        yield pd.DataFrame(
            {
                "nip": pd.array(np.tile(nips, len(chunk))[keep], dtype="string"),
                "from_position_id": pd.array(from_position[keep], dtype="string"),
                "position_id": pd.array(positions[keep], dtype="string"),
                "eligible": True,
                "fit": fit,
                "risk": np.nan,
            }
        )
