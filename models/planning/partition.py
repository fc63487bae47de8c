"""The candidate search of a round in partitions, so that they can run apart (here or on Dask).

Open positions are grouped by job family (`job_type`) and region (the unit's `region_code`);
`CandidateSearch.kept(partition)` is the whole, pure work of one group: the pairs of its
positions with the people who may move at all, pre-filtered before any feature is built (the
policy's personal rules, then optionally a grade window and the same job family), then
eligibility, features and fit, and the pairs the pool keeps (models/planning/pool.py), on
integer codes (`KeptPairs`, models/planning/pool.py). Every kept set is local to a position
except the free movers' top-K, cut per partition and re-cut over all partitions by `RoundMerge`
as the partitions' results arrive (`CandidateSearch.merge`), so the pool is the same however
the partitions (and their chunks) are run, and
what the merge holds stays near (open positions x M + free movers x K) however many partitions a
national round has. Strings (NIPs, position ids) are built once, for the merged pool only.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from models.contract.tables import AgencyData
from models.features.build import FeatureContext
from models.planning.pool import FreeChoices, KeptPairs, PoolConfig, RoundMerge, select_coded
from models.scoring.compose import PairScorer, fit_pairs
from models.scoring.policy import PolicyConfig, eligible_pairs, movable


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
    """What every partition needs: the context, the scorer, who may move, and the rules.

    The per-chunk work runs on integers only: movers as positions in `movers` (with their
    context rows, free-mover flags and the rank of their NIP in string order, for ties), and
    their current posts as codes of `mover_posts`; strings are built for the kept pairs only.
    """

    ctx: FeatureContext
    scorer: PairScorer
    movers: pd.DataFrame  # nip, position_id (current), grade, job_type: people who may move
    target_grade: pd.Series  # position_id -> grade
    target_job_type: pd.Series  # position_id -> job_type
    free_nips: pd.Index
    policy: PolicyConfig
    config: PoolConfig
    mover_rows: np.ndarray  # context row of each mover
    mover_free: np.ndarray  # bool: the mover sits in an over-staffed post (free_nips)
    mover_rank: np.ndarray  # rank of the mover's NIP in string order (tie order)
    mover_posts: pd.Index  # the distinct current posts of movers (object)
    mover_post: np.ndarray  # code of each mover's current post in mover_posts
    position_rank: np.ndarray  # rank of each ctx.position_lookup id in string order (tie order)

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
        keep = movable(ctx, rows, config=policy)
        movers = people.loc[keep]
        current = positions.reindex(pd.Index(movers["position_id"], dtype=object))
        movers = movers.assign(
            grade=current["grade"].to_numpy(dtype=float),
            job_type=current["job_type"].astype("string").to_numpy(),
        ).reset_index(drop=True)
        nips = movers["nip"].to_numpy(dtype=object)
        post_codes, posts = pd.factorize(
            movers["position_id"].to_numpy(dtype=object), use_na_sentinel=False
        )
        return cls(
            ctx=ctx,
            scorer=scorer,
            movers=movers,
            target_grade=positions["grade"].astype(float),
            target_job_type=positions["job_type"].astype("string"),
            free_nips=free_nips,
            policy=policy,
            config=config,
            mover_rows=rows[keep],
            mover_free=pd.Index(nips, dtype=object).isin(
                pd.Index(free_nips, dtype=object).astype(object)
            ),
            mover_rank=_string_rank(nips),
            mover_posts=pd.Index(posts, dtype=object),
            mover_post=post_codes,
            position_rank=_string_rank(ctx.position_lookup.to_numpy(dtype=object)),
        )

    def movers_only(self) -> CandidateSearch:
        """The same search over a context holding the movers' rows only: what a worker needs
        (every partition pairs all movers with its targets), without the people who may not
        move. Candidates are equal, row for row."""
        return replace(
            self,
            ctx=self.ctx.take_employees(self.mover_rows),
            mover_rows=np.arange(len(self.mover_rows)),
        )

    def candidates(self, partition: Partition) -> pd.DataFrame:
        """The pairs the pool keeps from this partition (`kept`), as pool rows."""
        return self.frame(self.kept(partition))

    def kept(self, partition: Partition) -> KeptPairs:
        """The pairs the pool keeps from this partition, on integer codes: each target's top-M
        (`select_coded`, chunk by chunk: a target lies in one chunk), then each free mover's
        top-K over the whole partition (`FreeChoices`) that is not a top-M pair.

        Cutting the free movers' choices per partition, not per chunk, bounds what is kept when
        a chunk holds a single target (a national round: 700k movers fill a chunk): per chunk,
        every free mover's one pair would be a top-K choice and all of them would be kept."""
        best: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        free = FreeChoices(partition.top_k_free)
        for people, group in self._groups(partition.targets):
            for chunk in self.score_chunks(people, group):
                if len(chunk.fit) == 0:
                    continue
                target = self.target_codes(chunk.targets)[chunk.target_at]
                rows, in_top_m, free_choice = select_coded(
                    chunk.fit,
                    person=self.mover_rank[chunk.movers],
                    target=self.position_rank[target],
                    free=self.mover_free[chunk.movers],
                    top_m=partition.top_m,
                    top_k_free=partition.top_k_free,
                )
                top, chosen = rows[in_top_m], rows[free_choice]
                best.append((chunk.movers[top], target[top], chunk.fit[top]))
                free.add(
                    chunk.movers[chosen],
                    target[chosen],
                    chunk.fit[chosen],
                    self.mover_rank[chunk.movers[chosen]],
                    self.position_rank[target[chosen]],
                )
        if not best:
            return KeptPairs.empty()
        mover, target, fit = (np.concatenate(column) for column in zip(*best, strict=True))
        return KeptPairs.join((mover, target, fit), free=free.top())

    def target_codes(self, position_ids: np.ndarray) -> np.ndarray:
        """Codes of target positions in ctx.position_lookup (every position of the data has one)."""
        return self.ctx.position_lookup.get_indexer(pd.Index(position_ids, dtype=object))

    def merge(self, results: Iterable[tuple[int, KeptPairs]], *, top_k_free: int) -> pd.DataFrame:
        """Pool rows of a round from its partitions' kept pairs, (partition number, pairs) in
        any order: every top-M pair in partition order, then each free mover's top-K over the
        round (`RoundMerge`)."""
        merged = RoundMerge(
            mover_rank=self.mover_rank, target_rank=self.position_rank, top_k_free=top_k_free
        )
        for number, kept in results:
            merged.add(number, kept)
        return self.frame(merged.result())

    def frame(self, kept: KeptPairs) -> pd.DataFrame:
        """Kept pairs as pool rows (strings built here, once)."""
        return pd.DataFrame(
            {
                "nip": self.movers["nip"].array.take(kept.mover),
                "from_position_id": self.movers["position_id"].array.take(kept.mover),
                "position_id": pd.array(
                    self.ctx.position_lookup.to_numpy(dtype=object)[kept.target], dtype="string"
                ),
                "eligible": True,
                "fit": kept.fit,
                "risk": np.nan,
                "in_top_m": kept.in_top_m,
                "free_choice": kept.free_choice,
            }
        )

    def score_chunks(self, people: np.ndarray, targets: np.ndarray) -> Iterator[ScoredChunk]:
        """Fit of every eligible pair of movers `people` (indices into `movers`) and `targets`,
        chunk by chunk of at most `config.max_pairs_per_chunk` pairs (a generator).

        A pre-filter only: the policy first, then features and the fit model for the eligible
        pairs; risk and the final numbers come from `score_pairs` on the pairs kept (see
        `candidate_pool`).
        """
        per_chunk = max(1, self.config.max_pairs_per_chunk // max(len(people), 1))
        people_rows = self.mover_rows[people]
        people_posts = self.mover_post[people]
        for start in range(0, len(targets), per_chunk):
            chunk = targets[start : start + per_chunk]
            codes = np.repeat(self.ctx.position_index(chunk), len(people))
            rows = np.tile(people_rows, len(chunk))
            eligible = eligible_pairs(self.ctx, rows, codes, config=self.policy)
            chunk_posts = self.mover_posts.get_indexer(pd.Index(chunk, dtype=object))
            chunk_posts[chunk_posts < 0] = -2  # a post no mover holds: never "already there"
            eligible &= np.tile(people_posts, len(chunk)) != np.repeat(chunk_posts, len(people))
            at = np.flatnonzero(eligible)
            _, fit = fit_pairs(self.ctx, self.scorer, rows[at], codes[at])
            yield ScoredChunk(chunk, people[at % len(people)], at // len(people), fit)

    def _groups(self, targets: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(movers as indices into `movers`, targets) to pair: all movers, or per target grade
        (and job family) only the movers the grade window (and job family rule) lets through."""
        window, same_family = self.config.grade_window, self.config.same_job_type
        if window is None and not same_family:
            yield np.arange(len(self.movers)), targets
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
                yield np.flatnonzero(keep), targets[group.index.to_numpy()]


@dataclass(frozen=True)
class ScoredChunk:
    """The eligible moving pairs of one chunk: mover (index into `CandidateSearch.movers`),
    target (index into `targets`) and fit, in chunk order (target-major)."""

    targets: np.ndarray  # position ids (object)
    movers: np.ndarray
    target_at: np.ndarray
    fit: np.ndarray


def _string_rank(values: np.ndarray) -> np.ndarray:
    """The rank of each string in sorted (code point) order, as pandas sorts strings."""
    order = np.argsort(np.asarray(values, dtype=object), kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank
