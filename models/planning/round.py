"""One transfer round, end to end over loaded data: candidate pool, optimal plan, reasons.

`plan_round` composes the planning wing over an agency's data and a fitted scorer: the ABK
balance gives the open slots, `candidate_pool` scores who could fill them (pre-filtered by
policy and fit, then scored in full by `score_pairs`), `plan_transfers` solves the MILP and
`explain_moves` puts each move's reasons and suggested training beside it. Pure: the CLI and
the API (pipelines/planning.py, serving/routers/plans.py) read the inputs and store the result.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd

from models.contract.tables import AgencyData
from models.features.build import FeatureContext, current_pair_features
from models.planning.instance import PlanOptions, check_pins, check_slots, default_slots
from models.planning.optimise import PlanResult, plan_transfers
from models.planning.partition import CandidateSearch, KeptPairs, Partition, partition_targets
from models.planning.pool import POOL_COLUMNS, PoolConfig, vacated_needed_positions
from models.planning.preferences import attach_choice_ranks, top_choice_report
from models.planning.staffing import position_balance
from models.planning.training_batch import plan_trainings
from models.planning.training_plan import TrainingPlanner
from models.planning.two_sided import attach_unit_scores, stable_matching_report
from models.scoring.compose import PairScorer, score_pairs
from models.scoring.explain import RiskBands, top_factors
from models.scoring.fairness import FairnessReport, audit_selection, protected_groups
from models.scoring.policy import PolicyConfig

log = logging.getLogger(__name__)
REASON_FACTORS = 2


class RoundScorer(PairScorer, Protocol):
    """A scorer that also explains: per-feature contributions to fit and to risk."""

    def contributions(self, X: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]: ...


@dataclass(frozen=True)
class RoundPlan:
    result: PlanResult
    moves: pd.DataFrame  # result.moves with reasons and suggested training
    staffing: pd.DataFrame
    slots: pd.DataFrame
    pool_pairs: int
    fairness: FairnessReport  # who was moved among everyone in the candidate pool
    top_choices: pd.DataFrame | None = None  # preferences.REPORT_COLUMNS when answers were given
    stable_matching: pd.DataFrame | None = None  # two_sided.STABILITY_COLUMNS, with rankings


class PartitionRunner(Protocol):
    """Runs `search.kept` over partitions, yielding (partition number, kept pairs) as each
    finishes, in any order (in process here; pipelines/distributed.py runs them on a Dask
    cluster). The caller folds each result in before the next arrives."""

    def __call__(
        self, search: CandidateSearch, partitions: list[Partition]
    ) -> Iterator[tuple[int, KeptPairs]]: ...


def run_in_process(
    search: CandidateSearch, partitions: list[Partition]
) -> Iterator[tuple[int, KeptPairs]]:
    for number, partition in enumerate(partitions):
        yield number, search.kept(partition)


def candidate_pool(
    ctx: FeatureContext,
    scorer: RoundScorer,
    *,
    data: AgencyData,
    staffing: pd.DataFrame,
    slots: pd.DataFrame,
    policy: PolicyConfig,
    config: PoolConfig,
    runner: PartitionRunner = run_in_process,
) -> pd.DataFrame:
    """Scored pairs for the optimiser (models/planning/pool.py says which are kept), searched
    by job family and region (models/planning/partition.py) through `runner`."""
    people = data.employees[["nip", "position_id"]].astype("string")
    surplus = staffing.set_index("position_id")["surplus"]
    free = people.loc[people["position_id"].map(surplus).fillna(0).to_numpy() > 0, "nip"]
    search = CandidateSearch.build(
        ctx, scorer, data=data, free_nips=pd.Index(free), policy=policy, config=config
    )
    targets = np.asarray(slots.loc[slots["open_count"] > 0, "position_id"].unique(), dtype=object)
    first_round = partition_targets(data, targets, top_m=config.top_m, top_k_free=config.top_k_free)
    first = search.merge(runner(search, first_round), top_k_free=config.top_k_free)
    chain_targets = vacated_needed_positions(first, staffing, exclude=targets)
    chain_round = partition_targets(
        data,
        chain_targets if config.top_m_chain else chain_targets[:0],
        top_m=config.top_m_chain,
        top_k_free=0,
    )
    chain = search.merge(runner(search, chain_round), top_k_free=0)
    pool = pd.concat([first, chain], ignore_index=True)
    pool = pool.drop_duplicates(["nip", "position_id"]).reset_index(drop=True)
    if pool.empty:
        return pool.reindex(columns=[*POOL_COLUMNS, "in_top_m", "free_choice"])
    scored = score_pairs(ctx, scorer, pool["nip"], pool["position_id"], policy=policy)
    return scored.assign(from_position_id=pool["from_position_id"].to_numpy())


def explain_moves(
    ctx: FeatureContext,
    scorer: RoundScorer,
    moves: pd.DataFrame,
    *,
    planner: TrainingPlanner | None,
) -> pd.DataFrame:
    """Moves with `reasons` (top fit factors in words) and `training` (suggested, ";"-joined)."""
    if moves.empty:
        return moves.assign(reasons=pd.Series(dtype="string"), training=pd.Series(dtype="string"))
    features = current_pair_features(
        ctx, moves["nip"].to_numpy(dtype=object), moves["position_id"].to_numpy(dtype=object)
    )
    fit_contrib, _ = scorer.contributions(features)
    codes = ctx.position_index(moves["position_id"].to_numpy(dtype=object))
    sector_codes = ctx.catalog.pos_sector[codes]
    sector_names = ctx.catalog.sectors.to_numpy(dtype=object)
    sectors = np.where(sector_codes >= 0, sector_names[np.maximum(sector_codes, 0)], "")
    factors = top_factors(features, fit_contrib, count=REASON_FACTORS, sectors=sectors)
    reasons = factors.groupby("row", sort=True)["text"].agg("; ".join)
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
    return moves.assign(reasons=reasons.reindex(range(len(moves))).to_numpy(), training=training)


def label_moves(moves: pd.DataFrame, data: AgencyData, *, bands: RiskBands) -> pd.DataFrame:
    """Moves with words beside every id: position titles, unit names, training names, and the
    risk as a percentage and a band; fit rounded to two decimals."""
    titles = data.positions.drop_duplicates("position_id").set_index("position_id")["title"]
    units = data.units.drop_duplicates("unit_id").set_index("unit_id")["name"]
    trainings = data.trainings.drop_duplicates("training_id").set_index("training_id")["name"]
    training_names = [
        "; ".join(str(trainings.get(t, t)) for t in str(ids).split(";") if t)
        for ids in moves["training"].fillna("")
    ]
    risk = moves["risk"].to_numpy(dtype=float)
    return moves.assign(
        from_position_title=moves["from_position_id"].map(titles).to_numpy(),
        from_unit_name=moves["from_unit_id"].map(units).to_numpy(),
        position_title=moves["position_id"].map(titles).to_numpy(),
        unit_name=moves["unit_id"].map(units).to_numpy(),
        fit=moves["fit"].round(2),
        risk=moves["risk"].round(3),
        risk_percent=np.round(100 * risk).astype(int),
        risk_band=bands.bands(risk),
        training_names=training_names,
    )


def plan_round(
    data: AgencyData,
    ctx: FeatureContext,
    scorer: RoundScorer,
    *,
    policy: PolicyConfig,
    slots: pd.DataFrame | None,
    options: PlanOptions,
    pool: PoolConfig,
    planner: TrainingPlanner | None = None,
    runner: PartitionRunner = run_in_process,
    bands: RiskBands | None = None,
    choices: pd.DataFrame | None = None,
    unit_rankings: pd.DataFrame | None = None,
) -> RoundPlan:
    """Staffing balance, candidate pool, optimal plan, and the moves explained.

    `planner` (built from `ctx`, `scorer` and `data` when not given) suggests the trainings;
    the API passes the one it keeps per loaded state instead of re-estimating realised gains.
    `choices` (nip, position_id, rank from a consultation round): the chosen pairs join the
    pool, carry their rank into the objective (`options.preference_weight`) and the plan
    reports the top-choice rate. `unit_rankings` (two_sided.UNIT_RANK_COLUMNS, with `choices`):
    the units' scores join the objective (`options.unit_preference_weight`) and the plan reports
    its blocking pairs (two_sided.stable_matching_report).
    """
    if options.allow_promotion:
        policy = policy.model_copy(update={"allow_promotion": True})
    staffing = position_balance(data.positions, data.employees)
    slots = default_slots(staffing) if slots is None else slots
    check_slots(slots, pd.Index(staffing["position_id"]))  # before the costly pool scoring
    check_pins(
        options, pd.Index(data.employees["nip"].astype(str)), pd.Index(staffing["position_id"])
    )
    pairs = candidate_pool(
        ctx,
        scorer,
        data=data,
        staffing=staffing,
        slots=slots,
        policy=policy,
        config=pool,
        runner=runner,
    )
    if choices is not None:
        pairs = _with_choices(ctx, scorer, pairs, choices, data=data, slots=slots, policy=policy)
        if unit_rankings is not None:
            pairs = attach_unit_scores(pairs, unit_rankings)
    log.info("plan: %d open slots, %d candidate pairs", int(slots["open_count"].sum()), len(pairs))
    result = plan_transfers(pairs, staffing, slots=slots, options=options)
    planner = planner or TrainingPlanner.build(ctx, scorer, data=data)
    moves = explain_moves(ctx, scorer, result.moves, planner=planner)
    moves = label_moves(moves, data, bands=bands or RiskBands())
    fairness = _fairness(ctx, pairs, moves)
    report = None if choices is None else _top_choices(ctx, data, result.moves, choices)
    stability = None
    if choices is not None and unit_rankings is not None:
        units = data.positions.drop_duplicates("position_id").set_index("position_id")["unit_id"]
        stability = stable_matching_report(
            result.moves, choices, unit_rankings, slots=slots, position_units=units
        )
    return RoundPlan(result, moves, staffing, slots, len(pairs), fairness, report, stability)


def _with_choices(
    ctx: FeatureContext,
    scorer: RoundScorer,
    pairs: pd.DataFrame,
    choices: pd.DataFrame,
    *,
    data: AgencyData,
    slots: pd.DataFrame,
    policy: PolicyConfig,
) -> pd.DataFrame:
    """The pool plus every chosen pair into an open slot it lacked, scored the same way; each
    pair with its `choice_rank`."""
    offered = slots.loc[slots["open_count"] > 0, "position_id"].astype("string")
    wanted = choices.loc[choices["position_id"].astype("string").isin(offered)]
    have = pd.MultiIndex.from_frame(pairs[["nip", "position_id"]].astype("string"))
    keys = pd.MultiIndex.from_frame(wanted[["nip", "position_id"]].astype("string"))
    extra = wanted.loc[~keys.isin(have)]
    if len(extra):
        posts = data.employees.astype({"nip": "string"}).set_index("nip")["position_id"]
        scored = score_pairs(ctx, scorer, extra["nip"], extra["position_id"], policy=policy)
        scored = scored.assign(from_position_id=scored["nip"].map(posts).to_numpy())
        pairs = pd.concat([pairs, scored.dropna(subset=["from_position_id"])], ignore_index=True)
    return attach_choice_ranks(pairs, choices)


def _top_choices(
    ctx: FeatureContext, data: AgencyData, moves: pd.DataFrame, choices: pd.DataFrame
) -> pd.DataFrame:
    """The top-choice report by current unit, gender and age band of the respondents."""
    nips = choices["nip"].astype(str).drop_duplicates().to_numpy(dtype=object)
    groups = protected_groups(ctx, ctx.employee_index(nips))
    posts = data.employees.astype({"nip": str}).set_index("nip")["position_id"]
    units = data.positions.drop_duplicates("position_id").set_index("position_id")["unit_id"]
    respondents = pd.DataFrame(
        {"nip": nips, "unit_id": pd.Series(nips).map(posts).map(units).to_numpy(), **groups}
    )
    return top_choice_report(moves, choices, respondents)


def _fairness(ctx: FeatureContext, pairs: pd.DataFrame, moves: pd.DataFrame) -> FairnessReport:
    """Selection rates by gender and age band: moved among the people of the candidate pool."""
    people = pairs["nip"].astype(str).drop_duplicates().to_numpy(dtype=object)
    selected = np.isin(people, moves["nip"].astype(str).to_numpy(dtype=object))
    return audit_selection(ctx, ctx.employee_index(people), selected)
