"""Units' rankings in the plan: their bonus, weight 0 leaves the plan alone, and the plan's
stable-matching report counts the blocking pairs a brute force finds."""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.planning.instance import PlanOptions
from models.planning.optimise import plan_transfers
from models.planning.preferences import attach_choice_ranks
from models.planning.two_sided import (
    attach_unit_scores,
    stable_matching_report,
    unit_bonus,
)
from tests.fixtures.matching import count_blocking_pairs

POSTS = [f"Q{j}" for j in range(6)]
UNITS = pd.Series(["U1", "U1", "U2", "U2", "U3", "U3"], index=POSTS)


def _market(seed: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Eight people in surplus seats, six open posts; everyone ranks three posts and each post's
    unit ranks, at random, some of the people who chose it."""
    rng = np.random.default_rng(seed)
    people = [f"19800101200001100{i}" for i in range(8)]
    staffing = pd.DataFrame(
        {
            "position_id": ["HOME", *POSTS],
            "unit_id": ["U0", *UNITS],
            "need": [0, 1, 1, 1, 1, 1, 1],
            "headcount": [8, 0, 0, 0, 0, 0, 0],
        }
    ).astype({"position_id": "string", "unit_id": "string"})
    gap = staffing["headcount"] - staffing["need"]
    staffing = staffing.assign(surplus=gap.clip(lower=0), shortage=(-gap).clip(lower=0))
    pairs = pd.DataFrame(
        [
            (p, "HOME", q, rng.uniform(2.5, 4.5), rng.uniform(0.0, 0.5))
            for p in people
            for q in POSTS
        ],
        columns=["nip", "from_position_id", "position_id", "fit", "risk"],
    ).assign(eligible=True)
    choices = pd.DataFrame(
        [(p, q, r + 1) for p in people for r, q in enumerate(rng.choice(POSTS, 3, replace=False))],
        columns=["nip", "position_id", "rank"],
    )
    rankings = []
    for post, asked in choices.groupby("position_id")["nip"]:
        chosen = list(rng.permutation(asked.to_numpy()))[: rng.integers(0, len(asked) + 1)]
        rankings += [(post, nip, r + 1, len(chosen)) for r, nip in enumerate(chosen)]
    unit_rankings = pd.DataFrame(rankings, columns=["position_id", "nip", "unit_rank", "ranked"])
    scored = attach_unit_scores(attach_choice_ranks(pairs, choices), unit_rankings)
    return staffing, scored, choices, unit_rankings


def _slots(staffing: pd.DataFrame) -> pd.DataFrame:
    short = staffing.loc[staffing["shortage"] > 0]
    return pd.DataFrame({"position_id": short["position_id"], "open_count": short["shortage"]})


def _brute_force(moves, choices, unit_rankings, slots) -> int:
    rankings = {
        str(post): group.sort_values("unit_rank")["nip"].tolist()
        for post, group in unit_rankings.groupby("position_id")
    }
    return count_blocking_pairs(
        moves, choices, rankings, slots.set_index("position_id")["open_count"]
    )


def test_unit_bonus_is_one_for_the_units_first_and_zero_when_unranked() -> None:
    rankings = pd.DataFrame(
        {"position_id": ["Q"] * 4, "nip": list("abcd"), "unit_rank": [1, 2, 3, 4], "ranked": 4}
    )
    pairs = pd.DataFrame({"nip": list("abdz"), "position_id": ["Q", "Q", "Q", "Q"]})
    scores = attach_unit_scores(pairs, rankings)["unit_score"].to_numpy()
    assert unit_bonus(scores).tolist() == [1.0, 0.75, 0.25, 0.0]


def test_the_reported_blocking_pairs_equal_a_brute_force_count() -> None:
    for seed in range(31, 41):
        staffing, pairs, choices, rankings = _market(seed)
        for weight in (0.0, 3.0):
            options = PlanOptions(mip_rel_gap=0.0, unit_preference_weight=weight)
            plan = plan_transfers(pairs, staffing, options=options)
            report = stable_matching_report(
                plan.moves, choices, rankings, slots=_slots(staffing), position_units=UNITS
            ).set_index("unit_id")
            expected = _brute_force(plan.moves, choices, rankings, _slots(staffing))
            assert report.loc["all", "blocking_pairs"] == expected
            assert report.drop(index="all")["blocking_pairs"].sum() == expected


def test_zero_unit_weight_leaves_the_plan_unchanged() -> None:
    staffing, pairs, _, _ = _market(5)
    plain = plan_transfers(pairs.drop(columns="unit_score"), staffing)
    weighted = plan_transfers(pairs, staffing, options=PlanOptions(unit_preference_weight=0.0))
    assert plain.objective == weighted.objective


def _firsts_placed(pairs, staffing, rankings, options: PlanOptions) -> int:
    firsts = pd.MultiIndex.from_frame(
        rankings.loc[rankings["unit_rank"] == 1, ["nip", "position_id"]]
    )
    moves = plan_transfers(pairs, staffing, options=options).moves
    return int(pd.MultiIndex.from_frame(moves[["nip", "position_id"]]).isin(firsts).sum())


def test_a_unit_weight_places_at_least_as_many_of_the_units_favourites() -> None:
    for seed in range(51, 61):
        staffing, pairs, _, rankings = _market(seed)
        weighted = PlanOptions(mip_rel_gap=0.0, unit_preference_weight=5.0)
        plain = PlanOptions(mip_rel_gap=0.0)
        assert _firsts_placed(pairs, staffing, rankings, weighted) >= _firsts_placed(
            pairs, staffing, rankings, plain
        )


def test_a_units_ranking_never_pays_for_emptying_a_needed_seat() -> None:
    staffing = pd.DataFrame(
        {"position_id": ["HOME", "Q"], "unit_id": ["U0", "U1"], "need": [1, 1], "headcount": [1, 0]}
    ).astype({"position_id": "string", "unit_id": "string"})
    staffing = staffing.assign(surplus=0, shortage=[0, 1])
    pairs = pd.DataFrame(
        {
            "nip": ["198001012000011001"],
            "from_position_id": ["HOME"],
            "position_id": ["Q"],
            "fit": [4.5],
            "risk": [0.1],
            "eligible": [True],
            "unit_score": [1.0],
        }
    )
    plan = plan_transfers(pairs, staffing, options=PlanOptions(unit_preference_weight=5.0))
    assert (len(plan.moves), plan.warnings) == (0, ())
