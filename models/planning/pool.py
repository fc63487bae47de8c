"""Candidate pools for a plan: which scored pairs the optimiser gets to choose from.

Scoring every employee for every open position is cheap enough in chunks, but an optimiser over
every pair is not (3,000 slots x 50,000 people is 150M binaries). The pool keeps, per chunk:

- the top-M eligible candidates by fit (ties: lower risk) for each target position;
- for each person whose move opens no needed seat (they sit in an over-staffed position), their
  top-K target positions by fit over the whole round (some may be top-M pairs too): without
  these, the best-fitting people, who mostly sit in needed seats, would crowd the free movers
  out of every top-M list;

and a second round adds the top-M2 candidates for each needed seat that a first-round candidate
would vacate, so that vacancy chains can form.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

POOL_COLUMNS: tuple[str, ...] = (
    "nip",
    "from_position_id",
    "position_id",
    "eligible",
    "ineligible_reasons",
    "fit",
    "risk",
)


class PoolConfig(BaseModel):
    """How large the candidate pool is; stored with each plan."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    top_m: int = Field(default=30, ge=1, le=500, description="Candidates per open position.")
    top_k_free: int = Field(
        default=10, ge=0, le=100, description="Open positions per person in a surplus post."
    )
    top_m_chain: int = Field(
        default=10, ge=0, le=200, description="Candidates per needed seat a move would vacate."
    )
    max_pairs_per_chunk: int = Field(
        default=200_000, ge=1_000, description="Pairs scored at once (bounds memory)."
    )
    grade_window: int | None = Field(
        default=None,
        ge=0,
        le=16,
        description="Pair a position only with people whose current grade is within this many "
        "grades of it (a pre-filter before features; none: everyone).",
    )
    same_job_type: bool = Field(
        default=False,
        description="Pair a position only with people of its job family (job_type).",
    )


def top_per_group(scored: pd.DataFrame, *, by: str, k: int) -> pd.DataFrame:
    """The k best rows by fit (ties: lower risk, then nip, then position) within each value of
    `by`: a total order, so the pool does not depend on how the search was partitioned."""
    if k <= 0 or scored.empty:
        return scored.iloc[0:0]
    ordered = scored.sort_values(
        [by, "fit", "risk", "nip", "position_id"],
        ascending=[True, False, True, True, True],
        kind="stable",
    )
    return ordered.loc[ordered.groupby(by, sort=False).cumcount().to_numpy() < k]


def select_candidates(
    scored: pd.DataFrame, *, free_nips: pd.Index, top_m: int, top_k_free: int
) -> pd.DataFrame:
    """Eligible moving pairs kept for the optimiser from one scored chunk (see module doc).

    Column `in_top_m` marks the pairs kept as a position's top-M and `free_choice` a free
    mover's top-K pairs (a pair may be both), so that `merge_free_choices` can cut the free
    movers' choices to their overall top-K across chunks.
    """
    moving = scored.loc[scored["eligible"] & (scored["from_position_id"] != scored["position_id"])]
    best = top_per_group(moving, by="position_id", k=top_m).assign(in_top_m=True)
    free = top_per_group(moving.loc[moving["nip"].isin(free_nips)], by="nip", k=top_k_free)
    kept = pd.concat([best, free.assign(in_top_m=False)], ignore_index=True)
    pairs = pd.MultiIndex.from_frame(kept[["nip", "position_id"]])
    kept["free_choice"] = pairs.isin(pd.MultiIndex.from_frame(free[["nip", "position_id"]]))
    return kept.drop_duplicates(["nip", "position_id"]).reset_index(drop=True)


def top_k_rows(group: np.ndarray, keys: tuple[np.ndarray, ...], *, k: int) -> np.ndarray:
    """Indices of the k first rows of each group when rows are ordered by group, then by
    `keys` (first key first; NaN last), as `top_per_group` orders a frame; in that order."""
    if k <= 0 or len(group) == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((*reversed(keys), group))
    sorted_group = group[order]
    starts = np.flatnonzero(np.r_[True, sorted_group[1:] != sorted_group[:-1]])
    sizes = np.diff(np.r_[starts, len(order)])
    rank = np.arange(len(order)) - np.repeat(starts, sizes)
    return order[rank < k]


def union_membership(
    first: np.ndarray, extra: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Membership in the union of `first`, then the items of `extra` not among them (items are
    row indices or pair codes, each array without repeats): which items of `extra` the union
    adds, and for each item of the union whether it comes from `first` and whether it is in
    `extra`. The union itself is `np.concatenate([first, extra[added]])`."""
    added = ~np.isin(extra, first)
    size = len(first) + int(added.sum())
    in_extra = np.concatenate([np.isin(first, extra), np.ones(size - len(first), dtype=bool)])
    return added, np.arange(size) < len(first), in_extra


def select_coded(
    fit: np.ndarray,
    *,
    person: np.ndarray,
    target: np.ndarray,
    free: np.ndarray,
    top_m: int,
    top_k_free: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`select_candidates` on integer codes, for eligible moving pairs whose risk is not known
    yet (all NaN: no tie is broken by it). `person` and `target` rank the pairs' NIPs and
    position ids in string order; `free` marks free movers' pairs. Returns the kept rows in
    `select_candidates`' order (each position's top-M by position id, then the free movers'
    other top-K by NIP), which of them are top-M and which are free choices."""
    keys = (-fit, person, target)
    best = top_k_rows(target, keys, k=top_m)
    at = np.flatnonzero(free)
    chosen = at[top_k_rows(person[at], tuple(key[at] for key in keys), k=top_k_free)]
    added, in_top_m, free_choice = union_membership(best, chosen)
    return np.concatenate([best, chosen[added]]), in_top_m, free_choice


class FreeChoices:
    """Each free mover's top-K pairs over many chunks, kept as integer codes: the buffer is cut
    back to the top-K per person whenever it outgrows the last cut, so memory stays near
    (free movers x K) however many chunks a partition has. Rows are (mover, target) codes with
    the fit and the two string ranks that order ties, as in `select_coded`."""

    def __init__(self, k: int, *, min_rows: int = 1_000_000) -> None:
        self.k, self.min_rows = k, min_rows
        self.parts: list[tuple[np.ndarray, ...]] = []
        self.rows = self.limit = 0

    def add(
        self,
        mover: np.ndarray,
        target: np.ndarray,
        fit: np.ndarray,
        person_rank: np.ndarray,
        target_rank: np.ndarray,
    ) -> None:
        if self.k <= 0 or len(mover) == 0:
            return
        self.parts.append((mover, target, fit, person_rank, target_rank))
        self.rows += len(mover)
        if self.rows > max(self.min_rows, self.limit):
            self._cut()
            self.limit = 4 * self.rows

    def top(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(mover, target, fit) of every free mover's top-K, grouped by person rank, best first."""
        self._cut()
        if not self.parts:
            return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
        mover, target, fit = self.parts[0][:3]
        return mover, target, fit

    def _cut(self) -> None:
        if not self.parts:
            return
        mover, target, fit, person, rank = (
            np.concatenate(c) for c in zip(*self.parts, strict=True)
        )
        kept = top_k_rows(person, (-fit, person, rank), k=self.k)
        self.parts = [(mover[kept], target[kept], fit[kept], person[kept], rank[kept])]
        self.rows = len(kept)


def merge_free_choices(pool: pd.DataFrame, *, top_k_free: int) -> pd.DataFrame:
    """Across chunks: every top-M pair, plus each free mover's overall top-K (of the pairs
    marked as free choices: each chunk's top-K per free mover, top-M pairs included). The
    plain pandas form of `RoundMerge`, which the round uses: kept as the tests' reference."""
    extra = top_per_group(pool.loc[pool["free_choice"]], by="nip", k=top_k_free)
    kept = pd.concat([pool.loc[pool["in_top_m"]], extra], ignore_index=True)
    return kept.drop_duplicates(["nip", "position_id"]).reset_index(drop=True)


@dataclass(frozen=True)
class KeptPairs:
    """Pairs kept from a partition (or a whole round) on integer codes: mover (index into
    `CandidateSearch.movers`), target (code in ctx.position_lookup) and fit; `in_top_m` marks a
    target's top-M pairs and `free_choice` a free mover's top-K pairs (a pair may be both) at the
    level the pairs were cut: a partition's top-K in a partition's result, the round's top-K in
    the merged round. About 26 bytes a pair: this is what a Dask worker sends back."""

    mover: np.ndarray
    target: np.ndarray
    fit: np.ndarray
    in_top_m: np.ndarray
    free_choice: np.ndarray

    @classmethod
    def empty(cls) -> KeptPairs:
        return cls(*(np.zeros(0, dtype) for dtype in (np.int64, np.int64, float, bool, bool)))

    @classmethod
    def join(
        cls,
        top: tuple[np.ndarray, np.ndarray, np.ndarray],
        *,
        free: tuple[np.ndarray, np.ndarray, np.ndarray],
    ) -> KeptPairs:
        """The top-M pairs, then the free choices that are not among them, flagged; each given
        as (mover, target, fit)."""
        (mover, target, fit), (free_mover, free_target, free_fit) = top, free
        span = int(max(target.max(initial=-1), free_target.max(initial=-1))) + 1
        added, in_top_m, free_choice = union_membership(
            mover * span + target, free_mover * span + free_target
        )
        return cls(
            np.concatenate([mover, free_mover[added]]),
            np.concatenate([target, free_target[added]]),
            np.concatenate([fit, free_fit[added]]),
            in_top_m,
            free_choice,
        )


class RoundMerge:
    """The round's pool from its partitions' `KeptPairs`, folded one partition at a time: the
    top-M pairs are kept as they come (a target lies in one partition) and put in partition
    order at the end, the free choices are re-cut to each free mover's top-K over the round
    (`FreeChoices`). The same pairs, fit and order as concatenating every partition's rows in
    order and `merge_free_choices` (whose `free_choice` flags stay the partitions' own), in
    whatever order the partitions finish, without holding them all: a
    free mover is a candidate in every region of their job family, so across partitions their
    choices number K x regions before the cut."""

    def __init__(self, *, mover_rank: np.ndarray, target_rank: np.ndarray, top_k_free: int) -> None:
        self.mover_rank, self.target_rank = mover_rank, target_rank
        self.top: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self.free = FreeChoices(top_k_free)

    def add(self, number: int, kept: KeptPairs) -> None:
        if number in self.top:
            raise ValueError(f"partition {number} merged twice")
        top, chosen = kept.in_top_m, kept.free_choice
        self.top[number] = (kept.mover[top], kept.target[top], kept.fit[top])
        mover, target = kept.mover[chosen], kept.target[chosen]
        self.free.add(
            mover, target, kept.fit[chosen], self.mover_rank[mover], self.target_rank[target]
        )

    def result(self) -> KeptPairs:
        if not self.top:
            return KeptPairs.empty()
        parts = [self.top[number] for number in sorted(self.top)]
        mover, target, fit = (np.concatenate(column) for column in zip(*parts, strict=True))
        free_mover, free_target, free_fit = self.free.top()
        return KeptPairs.join((mover, target, fit), free=(free_mover, free_target, free_fit))


def vacated_needed_positions(
    pool: pd.DataFrame, staffing: pd.DataFrame, *, exclude: np.ndarray
) -> np.ndarray:
    """Positions candidates would leave that are not over-staffed (chain targets)."""
    surplus = staffing.set_index("position_id")["surplus"]
    vacated = pd.Index(pool["from_position_id"].unique())
    needed = vacated[surplus.reindex(vacated).fillna(0).to_numpy() == 0]
    return np.setdiff1d(needed.to_numpy(dtype=object), exclude)
