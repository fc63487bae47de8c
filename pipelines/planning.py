"""Plan a transfer round: score candidate pools, optimise, explain the moves, store the plan.

`plan_round` composes the pieces over loaded data and a scorer (the CLI and the API share it);
`make_plan` is the CLI path (current snapshot + @champion). Each plan is stored under
`settings.home / "plans" / <plan_id>` with its inputs (options, pool settings, slots, snapshot
id, model version, reference date) and outputs, so that it can be reproduced and audited.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from models.contract.tables import AgencyData
from models.features.build import FeatureContext, current_pair_features
from models.features.text import describe_feature
from models.planning.instance import PlanInputError, PlanOptions, check_slots, default_slots
from models.planning.optimise import PlanResult, plan_transfers
from models.planning.pool import (
    POOL_COLUMNS,
    PoolConfig,
    merge_free_choices,
    select_candidates,
    vacated_needed_positions,
)
from models.planning.staffing import position_balance
from models.planning.training_batch import plan_trainings
from models.planning.training_plan import TrainingPlanner
from models.scoring.compose import score_pairs
from models.scoring.policy import PolicyConfig, check_eligibility
from pipelines.batch import read_input_csv
from pipelines.plan_store import StoredPlan, store_plan
from pipelines.registry import load_champion
from pipelines.settings import Settings
from pipelines.snapshots import load_snapshot

log = logging.getLogger(__name__)
REASON_FACTORS = 2


@dataclass(frozen=True)
class RoundPlan:
    result: PlanResult
    moves: pd.DataFrame  # result.moves with reasons and suggested training
    staffing: pd.DataFrame
    slots: pd.DataFrame
    pool_pairs: int


def read_slots(path: Path) -> pd.DataFrame:
    """position_id, open_count from a CSV; located errors for bad rows."""
    frame = read_input_csv(path, ("position_id", "open_count"), error=PlanInputError)
    counts = pd.to_numeric(frame["open_count"].str.strip(), errors="coerce")
    bad = counts.isna() | (counts < 0) | (counts != counts.round())
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise PlanInputError(
            f"{path}:{row + 2}:open_count: harus bilangan bulat >= 0 / must be an integer >= 0 "
            f"({frame['open_count'].iloc[row]!r})"
        )
    return pd.DataFrame(
        {
            "position_id": frame["position_id"].str.strip().astype("string"),
            "open_count": counts.astype("int64"),
        }
    )


def _score_targets(
    ctx: FeatureContext,
    scorer,
    people: pd.DataFrame,
    targets: np.ndarray,
    *,
    policy: PolicyConfig,
    chunk_pairs: int,
):
    """Fit of every eligible mover for each target position, chunk by chunk (a generator).

    A pre-filter only: the policy first, then features and the fit model for the eligible
    movers (about a third of all pairs on the demo world); risk and the final numbers come from
    `score_pairs` on the pairs kept (see `candidate_pool`).
    """
    per_chunk = max(1, chunk_pairs // max(len(people), 1))
    for start in range(0, len(targets), per_chunk):
        chunk = targets[start : start + per_chunk]
        nips = np.tile(people["nip"].to_numpy(dtype=object), len(chunk))
        positions = np.repeat(chunk, len(people))
        from_position = np.tile(people["position_id"].to_numpy(dtype=object), len(chunk))
        eligible = check_eligibility(ctx, nips, positions, config=policy)["eligible"].to_numpy(bool)
        keep = eligible & (from_position != positions)
        features = current_pair_features(ctx, nips[keep], positions[keep])
        yield pd.DataFrame(
            {
                "nip": pd.array(nips[keep], dtype="string"),
                "from_position_id": pd.array(from_position[keep], dtype="string"),
                "position_id": pd.array(positions[keep], dtype="string"),
                "eligible": True,
                "fit": scorer.predict_fit(features) if keep.any() else np.zeros(0),
                "risk": np.nan,
            }
        )


def candidate_pool(
    ctx: FeatureContext,
    scorer,
    *,
    data: AgencyData,
    staffing: pd.DataFrame,
    slots: pd.DataFrame,
    policy: PolicyConfig,
    config: PoolConfig,
) -> pd.DataFrame:
    """Scored pairs for the optimiser (models/planning/pool.py says which are kept)."""
    people = data.employees[["nip", "position_id"]].astype("string")
    surplus = staffing.set_index("position_id")["surplus"]
    free = people.loc[people["position_id"].map(surplus).fillna(0).to_numpy() > 0, "nip"]
    free_nips = pd.Index(free)
    targets = np.asarray(slots.loc[slots["open_count"] > 0, "position_id"].unique(), dtype=object)
    kept = [
        select_candidates(
            chunk, free_nips=free_nips, top_m=config.top_m, top_k_free=config.top_k_free
        )
        for chunk in _score_targets(
            ctx, scorer, people, targets, policy=policy, chunk_pairs=config.max_pairs_per_chunk
        )
    ]
    first = merge_free_choices(_concat(kept), top_k_free=config.top_k_free)
    chain_targets = vacated_needed_positions(first, staffing, exclude=targets)
    chained = [
        select_candidates(chunk, free_nips=free_nips, top_m=config.top_m_chain, top_k_free=0)
        for chunk in _score_targets(
            ctx,
            scorer,
            people,
            chain_targets if config.top_m_chain else chain_targets[:0],
            policy=policy,
            chunk_pairs=config.max_pairs_per_chunk,
        )
    ]
    pool = pd.concat([first, _concat(chained)], ignore_index=True)
    pool = pool.drop_duplicates(["nip", "position_id"]).reset_index(drop=True)
    if pool.empty:
        return pool
    scored = score_pairs(ctx, scorer, pool["nip"], pool["position_id"], policy=policy)
    return scored.assign(from_position_id=pool["from_position_id"].to_numpy())


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in (*POOL_COLUMNS, "in_top_m")})
    return pd.concat(frames, ignore_index=True)


def explain_moves(
    ctx: FeatureContext, scorer, moves: pd.DataFrame, *, planner: TrainingPlanner | None
) -> pd.DataFrame:
    """Moves with `reasons` (top fit factors in words) and `training` (suggested, ";"-joined)."""
    if moves.empty:
        return moves.assign(reasons=pd.Series(dtype="string"), training=pd.Series(dtype="string"))
    features = current_pair_features(
        ctx, moves["nip"].to_numpy(dtype=object), moves["position_id"].to_numpy(dtype=object)
    )
    fit_contrib, _ = scorer.contributions(features)
    contrib = fit_contrib[list(features.columns)].to_numpy()
    order = np.argsort(-np.abs(contrib), axis=1, kind="stable")[:, :REASON_FACTORS]
    names = np.asarray(features.columns)[order]
    values = np.take_along_axis(features.to_numpy(), order, axis=1)
    codes = ctx.position_index(moves["position_id"].to_numpy(dtype=object))
    sector_codes = ctx.catalog.pos_sector[codes]
    sector_names = ctx.catalog.sectors.to_numpy(dtype=object)
    sectors = np.where(sector_codes >= 0, sector_names[np.maximum(sector_codes, 0)], "")
    reasons = [
        "; ".join(
            describe_feature(n, float(v), sector=str(sector))
            for n, v in zip(row_names, row_values, strict=True)
        )
        for row_names, row_values, sector in zip(names, values, sectors, strict=True)
    ]
    training = [""] * len(moves)
    if planner is not None:
        batch = plan_trainings(
            planner.context,
            scorer,
            moves[["nip", "position_id"]],
            catalogue=planner.catalogue,
            training_history=planner.training_history,
            config=planner.config,
        )
        training = batch["training_ids"].tolist()
    return moves.assign(reasons=reasons, training=training)


def plan_round(
    data: AgencyData,
    ctx: FeatureContext,
    scorer,
    *,
    policy: PolicyConfig,
    slots: pd.DataFrame | None,
    options: PlanOptions,
    pool: PoolConfig,
    planner: TrainingPlanner | None = None,
) -> RoundPlan:
    """Staffing balance, candidate pool, optimal plan, and the moves explained.

    `planner` (built from `ctx`, `scorer` and `data` when not given) suggests the trainings;
    the API passes the one it keeps per loaded state instead of re-estimating realised gains.
    """
    staffing = position_balance(data.positions, data.employees)
    slots = default_slots(staffing) if slots is None else slots
    check_slots(slots, pd.Index(staffing["position_id"]))  # before the costly pool scoring
    pairs = candidate_pool(
        ctx, scorer, data=data, staffing=staffing, slots=slots, policy=policy, config=pool
    )
    log.info("plan: %d open slots, %d candidate pairs", int(slots["open_count"].sum()), len(pairs))
    result = plan_transfers(pairs, staffing, slots=slots, options=options)
    planner = planner or TrainingPlanner.build(ctx, scorer, data=data)
    moves = explain_moves(ctx, scorer, result.moves, planner=planner)
    return RoundPlan(result, moves, staffing, slots, len(pairs))


def make_plan(
    settings: Settings,
    *,
    slots_path: Path | None,
    options: PlanOptions,
    pool: PoolConfig | None = None,
) -> StoredPlan:
    """The CLI path: the current snapshot and the @champion model; the plan is stored."""
    snapshot = load_snapshot(settings=settings)
    bundle = load_champion(settings)
    as_of = snapshot.as_of(settings)
    ctx = FeatureContext.build(snapshot.data, as_of)
    slots = read_slots(slots_path) if slots_path is not None else None
    pool = pool or PoolConfig()
    try:
        plan = plan_round(
            snapshot.data,
            ctx,
            bundle.scorer,
            policy=PolicyConfig(),
            slots=slots,
            options=options,
            pool=pool,
        )
    except PlanInputError as exc:
        raise PlanInputError(f"{slots_path or 'slots'}: {exc.message}") from None
    return store_plan(
        settings,
        plan,
        snapshot_id=snapshot.id,
        model_version=bundle.version,
        as_of=as_of,
        pool=pool,
        options=options,
    )
