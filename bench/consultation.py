"""Benchmark a round plan with consultation answers: time, top-3 choices met, fit and risk cost.

On a trained demo agency (current snapshot and @champion under MUTASI_HOME), simulate
`--answers` respondents: each is a random employee who looks at `--looked` random open slots
and ranks up to five of the eligible ones in random order (answers are drawn independently of
the model and of the simulator's latent truth, so nothing here is tuned to our world). Then
plan the round without answers and with them at each `--weights` value, reporting seconds,
moves, respondents moved, top-3 choices met, total fit and total risk.

Two-sided (`--rankings N`, issue 14 item 4): N positions chosen by at least two respondents are
drawn, and each one's unit ranks the people who chose it in random order (again independent of
the model and the latent truth). The runs are then the plan without answers and the grid of
person weights x unit weights (`--weights`, `--unit-weights`), each also reporting the blocking
pairs of the plan (models/planning/two_sided.py).

    MUTASI_HOME=... .venv/bin/python bench/consultation.py [--answers 2000] [--seed 23]
        [--rankings 300 --weights 0 1 --unit-weights 0 1]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models.features.build import FeatureContext
from models.planning.instance import PlanOptions, default_slots
from models.planning.pool import PoolConfig
from models.planning.preferences import top_choice_report
from models.planning.round import plan_round
from models.planning.staffing import position_balance
from models.planning.two_sided import (
    UNIT_RANK_COLUMNS,
    plan_blocking_pairs,
    stable_matching_report,
)
from models.scoring.compose import score_pairs
from models.scoring.policy import PolicyConfig
from pipelines.compiled import compile_for_context
from pipelines.registry import load_champion
from pipelines.settings import get_settings
from pipelines.snapshots import load_snapshot


def simulated_choices(ctx, scorer, data, *, answers: int, looked: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    slots = default_slots(position_balance(data.positions, data.employees))
    offered = slots["position_id"].astype(str).to_numpy(dtype=object)
    nips = rng.choice(data.employees["nip"].astype(str).to_numpy(dtype=object), answers, False)
    pairs_nip = np.repeat(nips, looked)
    pairs_pos = np.concatenate([rng.choice(offered, looked, replace=False) for _ in nips])
    scored = score_pairs(ctx, scorer, pairs_nip, pairs_pos, policy=PolicyConfig())
    eligible = scored.loc[scored["eligible"].to_numpy(bool), ["nip", "position_id"]]
    eligible = eligible.sample(frac=1.0, random_state=seed).astype(str)
    ranked = eligible.assign(rank=eligible.groupby("nip").cumcount() + 1)
    return ranked.loc[ranked["rank"] <= 5].reset_index(drop=True)


def simulated_unit_rankings(choices: pd.DataFrame, *, positions: int, seed: int) -> pd.DataFrame:
    """UNIT_RANK_COLUMNS: `positions` posts chosen by 2+ respondents, each ranked at random."""
    rng = np.random.default_rng(seed)
    asked = choices.groupby("position_id")["nip"].agg(list)
    asked = asked.loc[asked.map(len) >= 2]
    drawn = rng.choice(asked.index.to_numpy(dtype=object), min(positions, len(asked)), False)
    rows = [
        (post, nip, rank, len(asked[post]))
        for post in drawn
        for rank, nip in enumerate(rng.permutation(asked[post]), 1)
    ]
    return pd.DataFrame(rows, columns=list(UNIT_RANK_COLUMNS))


def _runs(args: argparse.Namespace, choices: pd.DataFrame, rankings: pd.DataFrame | None):
    """(name, choices, rankings, person weight, unit weight) of each plan to time."""
    runs = [("no answers", None, None, 0.0, 0.0)]
    if rankings is None:
        runs.append(("answers, w=0", choices, None, 0.0, 0.0))
        return runs + [(f"answers, w={w:g}", choices, None, w, 0.0) for w in args.weights]
    return runs + [
        (f"answers+rankings, w={w:g}, u={u:g}", choices, rankings, w, u)
        for w in args.weights
        for u in args.unit_weights
    ]


def _free_to_move(plan, choices, rankings, *, seats: pd.Series) -> int:
    """Blocking pairs whose person sits in an over-staffed seat: moving them opens no vacancy,
    so the vacancy cost is not what kept them from the post."""
    pairs = plan_blocking_pairs(plan.result.moves, choices, rankings, slots=plan.slots)
    surplus = plan.staffing.astype({"position_id": str}).set_index("position_id")["surplus"]
    return sum(int(surplus.get(str(seats.get(nip)), 0) > 0) for nip, _ in pairs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--answers", type=int, default=2000)
    parser.add_argument("--looked", type=int, default=15)
    parser.add_argument("--seed", type=int, default=23)
    parser.add_argument("--weights", type=float, nargs="+", default=[0.5, 1.0, 2.0])
    parser.add_argument("--rankings", type=int, default=0, help="positions units rank (0: none)")
    parser.add_argument("--unit-weights", type=float, nargs="+", default=[0.0, 1.0])
    parser.add_argument("--time-limit", type=float, default=60.0, help="MILP seconds per plan")
    args = parser.parse_args()
    settings = get_settings()
    snapshot, bundle = load_snapshot(settings=settings), load_champion(settings)
    ctx = FeatureContext.build(snapshot.data, snapshot.as_of(settings))
    scorer = compile_for_context(bundle.scorer, ctx, settings=settings).scorer
    choices = simulated_choices(
        ctx, scorer, snapshot.data, answers=args.answers, looked=args.looked, seed=args.seed
    )
    print(f"{choices['nip'].nunique()} respondents ranked {len(choices)} eligible positions")
    rankings = None
    if args.rankings:
        rankings = simulated_unit_rankings(choices, positions=args.rankings, seed=args.seed + 1)
        print(
            f"units ranked {len(rankings)} candidates for {rankings['position_id'].nunique()} posts"
        )
    units = snapshot.data.positions.drop_duplicates("position_id").set_index("position_id")
    seats = snapshot.data.employees.astype({"nip": str}).set_index("nip")["position_id"]
    print(
        "| run | seconds | method, status, gap | moves | respondents moved | top-3 met "
        "| total fit | total risk | blocking pairs | of them free to move | units' picks placed |"
    )
    for name, given, ranked, weight, unit_weight in _runs(args, choices, rankings):
        started = time.perf_counter()
        plan = plan_round(
            snapshot.data,
            ctx,
            scorer,
            policy=PolicyConfig(),
            slots=None,
            options=PlanOptions(
                preference_weight=weight,
                unit_preference_weight=unit_weight,
                time_limit=args.time_limit,
            ),
            pool=PoolConfig(),
            choices=given,
            unit_rankings=ranked,
        )
        seconds = time.perf_counter() - started
        summary = plan.result.summary
        top = plan.top_choices
        if top is None:  # the plan without answers, judged against the same answers
            respondents = pd.DataFrame({"nip": choices["nip"].unique()})
            top = top_choice_report(plan.result.moves, choices, respondents)
        overall = top.iloc[0]
        blocking = placed = free = "-"
        if rankings is not None:  # the plan without rankings, judged against the same rankings
            stable = plan.stable_matching
            if stable is None:
                stable = stable_matching_report(
                    plan.result.moves,
                    choices,
                    rankings,
                    slots=plan.slots,
                    position_units=units["unit_id"],
                )
            blocking, placed = stable.iloc[0]["blocking_pairs"], stable.iloc[0]["matched"]
            free = _free_to_move(plan, choices, rankings, seats=seats)
        result = plan.result
        gap = "-" if result.gap is None else f"{100 * result.gap:.2f} %"
        print(
            f"| {name} | {seconds:.1f} | {result.method}, {result.status}, {gap} | "
            f"{summary['moves']:.0f} | {overall['moved']} | "
            f"{overall['top_choice']} | {summary['total_fit']:.1f} | {summary['total_risk']:.1f} "
            f"| {blocking} | {free} | {placed} |"
        )


if __name__ == "__main__":
    main()
