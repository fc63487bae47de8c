"""Ranked choices in the plan: the bonus, the top-choice report and the stable-matching check."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from models.planning.instance import PlanOptions
from models.planning.optimise import greedy_plan, plan_transfers
from models.planning.preferences import (
    attach_choice_ranks,
    blocking_pairs,
    preference_bonus,
    stated_preferences,
    top_choice_report,
)


def _world(seed: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Eight people in surplus seats, six open posts, everyone ranks three posts at random."""
    rng = np.random.default_rng(seed)
    people = [f"19800101200001100{i}" for i in range(8)]
    posts = [f"Q{j}" for j in range(6)]
    staffing = pd.DataFrame(
        {
            "position_id": ["HOME", *posts],
            "unit_id": ["U0", "U1", "U1", "U2", "U2", "U3", "U3"],
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
            for q in posts
        ],
        columns=["nip", "from_position_id", "position_id", "fit", "risk"],
    ).assign(eligible=True)
    choices = pd.DataFrame(
        [
            (p, q, rank + 1)
            for p in people
            for rank, q in enumerate(rng.choice(posts, size=3, replace=False))
        ],
        columns=["nip", "position_id", "rank"],
    )
    return staffing, attach_choice_ranks(pairs, choices), choices


def _top3(moves: pd.DataFrame, choices: pd.DataFrame) -> int:
    respondents = pd.DataFrame({"nip": choices["nip"].unique()})
    return int(top_choice_report(moves, choices, respondents).iloc[0]["top_choice"])


def test_preference_bonus_is_one_for_a_first_choice_and_zero_without_a_choice() -> None:
    bonus = preference_bonus(np.array([1.0, 3.0, 5.0, np.nan, 6.0]))
    assert bonus.tolist() == [1.0, 0.6, 0.2, 0.0, 0.0]


def test_plan_with_preference_weight_gives_at_least_as_many_top3_matches_as_without() -> None:
    for seed in range(11, 21):
        staffing, pairs, choices = _world(seed)
        without = plan_transfers(pairs, staffing, options=PlanOptions(mip_rel_gap=0.0))
        with_weight = plan_transfers(
            pairs, staffing, options=PlanOptions(mip_rel_gap=0.0, preference_weight=5.0)
        )
        assert _top3(with_weight.moves, choices) >= _top3(without.moves, choices)
        assert with_weight.summary["total_fit"] <= without.summary["total_fit"] + 1e-9 or (
            with_weight.summary["total_risk"] <= without.summary["total_risk"] + 1e-9
        )


def test_the_greedy_fallback_honours_stated_choices_by_the_same_weight() -> None:
    """A plan that falls back to the greedy fill (solver out of time) still hears the answers:
    with a weight it meets at least as many top-3 choices, without one it is the plain fill."""
    met = []
    for seed in range(11, 21):
        staffing, pairs, choices = _world(seed)
        plain = greedy_plan(pairs.drop(columns="choice_rank"), staffing)
        unweighted = greedy_plan(pairs, staffing, options=PlanOptions(preference_weight=0.0))
        weighted = greedy_plan(pairs, staffing, options=PlanOptions(preference_weight=5.0))
        assert unweighted.moves.equals(plain.moves)
        met.append((_top3(weighted.moves, choices), _top3(plain.moves, choices)))
    assert all(w >= p for w, p in met) and any(w > p for w, p in met)


def test_zero_preference_weight_leaves_the_plan_unchanged() -> None:
    staffing, pairs, _ = _world(3)
    plain = plan_transfers(pairs.drop(columns="choice_rank"), staffing)
    weighted = plan_transfers(pairs, staffing, options=PlanOptions(preference_weight=0.0))
    assert plain.objective == weighted.objective


def test_top_choice_report_counts_by_group() -> None:
    choices = pd.DataFrame(
        {"nip": ["a", "a", "b", "c"], "position_id": ["X", "Y", "X", "Z"], "rank": [1, 4, 2, 1]}
    )
    moves = pd.DataFrame({"nip": ["a", "b"], "position_id": ["Y", "X"]})
    respondents = pd.DataFrame({"nip": ["a", "b", "c"], "gender": ["P", "L", "P"]})
    report = top_choice_report(moves, choices, respondents).set_index(["attribute", "group"])
    assert report.loc[("all", "all")].tolist() == [3, 2, 1]
    assert report.loc[("gender", "P")].tolist() == [2, 1, 0]
    assert report.loc[("gender", "L")].tolist() == [1, 1, 1]


def _brute_force_blocking(assignment, person_ranks, post_ranks, capacity):
    """Every (person, post) checked against the definition, one utility comparison each."""
    found = []
    for person, post in itertools.product(person_ranks, post_ranks):
        ranked, order = person_ranks[person], post_ranks[post]
        current = assignment.get(person)
        if post not in ranked or person not in order or current == post:
            continue
        person_gains = current not in ranked or ranked.index(post) < ranked.index(current)
        holders = [h for h, q in assignment.items() if q == post]
        post_gains = len(holders) < capacity[post] or any(
            h not in order or order.index(person) < order.index(h) for h in holders
        )
        if person_gains and post_gains:
            found.append((person, post))
    return sorted(found)


@st.composite
def _markets(draw):
    n_people, n_posts = draw(st.integers(1, 5)), draw(st.integers(1, 4))
    people, posts = [f"p{i}" for i in range(n_people)], [f"q{j}" for j in range(n_posts)]
    person_ranks = {
        p: draw(st.permutations(posts)).copy()[: draw(st.integers(0, n_posts))] for p in people
    }
    post_ranks = {
        q: draw(st.permutations(people)).copy()[: draw(st.integers(0, n_people))] for q in posts
    }
    capacity = {q: draw(st.integers(0, 2)) for q in posts}
    assignment = {p: draw(st.sampled_from([None, *posts])) for p in people}
    return assignment, person_ranks, post_ranks, capacity


@settings(max_examples=300, deadline=None)
@given(_markets())
def test_blocking_pairs_match_a_brute_force(market) -> None:
    assignment, person_ranks, post_ranks, capacity = market
    assert sorted(blocking_pairs(*market)) == _brute_force_blocking(
        assignment, person_ranks, post_ranks, capacity
    )


def test_a_deferred_acceptance_matching_has_no_blocking_pair() -> None:
    person_ranks = {"a": ["X", "Y"], "b": ["X", "Y"], "c": ["Y", "X"]}
    post_ranks = {"X": ["b", "a", "c"], "Y": ["a", "c", "b"]}
    stable = {"a": "Y", "b": "X", "c": None}
    unstable = {"a": "X", "b": "Y", "c": None}
    capacity = {"X": 1, "Y": 1}
    assert blocking_pairs(stable, person_ranks, post_ranks, capacity) == []
    assert sorted(blocking_pairs(unstable, person_ranks, post_ranks, capacity)) == [
        ("b", "X"),
        ("c", "Y"),
    ]


def test_stated_preferences_replace_what_the_export_held_for_respondents_only() -> None:
    existing = pd.DataFrame(
        {
            "nip": ["a", "b"],
            "kind": ["region", "sector"],
            "value": ["35", "kesehatan"],
            "priority": 1,
        }
    )
    choices = pd.DataFrame({"nip": ["a", "a"], "position_id": ["X", "Y"], "rank": [1, 2]})
    wishes = pd.DataFrame({"nip": ["a"], "kind": ["region"], "value": ["3573"], "priority": [1]})
    positions = pd.DataFrame({"position_id": ["X", "Y"], "unit_id": ["U1", "U2"]})
    stated = stated_preferences(existing, choices, wishes, positions=positions)
    rows = set(stated.itertuples(index=False, name=None))
    assert rows == {
        ("b", "sector", "kesehatan", 1),
        ("a", "unit", "U1", 1),
        ("a", "unit", "U2", 2),
        ("a", "region", "3573", 1),
    }


def test_a_wish_never_pays_for_emptying_a_needed_seat() -> None:
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
            "choice_rank": [1.0],
        }
    )
    plan = plan_transfers(pairs, staffing, options=PlanOptions(preference_weight=5.0))
    assert (len(plan.moves), plan.warnings) == (0, ())
