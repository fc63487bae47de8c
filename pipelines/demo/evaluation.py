"""Evaluation pools: candidate sets for positions at the export date, with their true outcomes.

HR's history shows mostly same-sector, near-home, lateral moves. A model learned from it is
judged where that history is thin, so each pool mixes the candidates HR would pick with those it
rarely would: people from other sectors, people far from home, and grade steps up and down.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from pipelines.demo.geo import haversine_km
from pipelines.demo.outcomes import expected_post_move_rating, resistance_probability
from pipelines.demo.selection import current_rank, hr_preference
from pipelines.demo.state import State, World, pair_features

POOL_GROUPS: Final[dict[str, int]] = {
    "hr_typical": 20,
    "other_sector": 10,
    "far_from_home": 10,
    "grade_step": 10,
}
MAX_POOLS: Final[int] = 100


def _pick(rng: np.random.Generator, members: np.ndarray, k: int) -> np.ndarray:
    if len(members) <= k:
        return members
    return rng.choice(members, size=k, replace=False)


def _pool(
    rng: np.random.Generator,
    world: World,
    state: State,
    *,
    post: int,
    candidates: np.ndarray,
    rank: np.ndarray,
    headcount: np.ndarray,
    as_of_day: np.datetime64,
) -> tuple[np.ndarray, np.ndarray]:
    people = state.people
    others = state.position[candidates] != post
    candidates, rank = candidates[others], rank[others]
    posts = np.full((len(candidates), 1), post)
    preference = hr_preference(
        world,
        state,
        persons=candidates,
        posts=posts,
        headcount=headcount,
        rank=rank,
        employee_initiated=np.zeros(len(candidates), dtype=bool),
        decree_day=np.full(len(candidates), as_of_day),
    )[:, 0]
    keys = preference + rng.gumbel(size=len(candidates))
    order = np.argsort(-keys)
    typical = np.zeros(len(candidates), dtype=bool)
    typical[order[: POOL_GROUPS["hr_typical"]]] = True
    distance = haversine_km(
        people["home_lat"].to_numpy()[candidates],
        people["home_lon"].to_numpy()[candidates],
        world.pos_lat[post],
        world.pos_lon[post],
    )
    step = world.pos_grade[post] - world.pos_grade[state.position[candidates]]
    groups = {
        "hr_typical": typical & np.isfinite(keys),
        "other_sector": world.pos_sector[state.position[candidates]] != world.pos_sector[post],
        "far_from_home": distance > 100.0,
        "grade_step": np.abs(step) >= 2,
    }
    taken = np.zeros(len(candidates), dtype=bool)
    labels = np.full(len(candidates), "", dtype=object)
    for name, members in groups.items():
        picked = _pick(rng, np.flatnonzero(members & ~taken), POOL_GROUPS[name])
        taken[picked] = True
        labels[picked] = name
    return candidates[taken], labels[taken]


def evaluation_pools(
    rng: np.random.Generator,
    world: World,
    state: State,
    *,
    as_of_day: np.datetime64,
    headcount: np.ndarray,
) -> pd.DataFrame:
    """Up to MAX_POOLS positions, each with ~50 current PNS and their true fit and risk."""
    active = state.active_on(as_of_day) & (state.people["employment_type"].to_numpy() == "pns")
    candidates = np.flatnonzero(active)
    rank = current_rank(state, candidates, np.full(len(candidates), as_of_day))
    n_pools = min(MAX_POOLS, len(world.positions))
    vacancy = headcount < world.positions["required_headcount"].to_numpy()
    weight = np.where(vacancy, 2.0, 1.0)
    posts = np.sort(
        rng.choice(len(world.positions), n_pools, replace=False, p=weight / weight.sum())
    )
    persons, targets, pool_index, groups = [], [], [], []
    for i, post in enumerate(posts):
        members, labels = _pool(
            rng,
            world,
            state,
            post=int(post),
            candidates=candidates,
            rank=rank,
            headcount=headcount,
            as_of_day=as_of_day,
        )
        persons.append(members)
        targets.append(np.full(len(members), post))
        pool_index.append(np.full(len(members), i))
        groups.append(labels)
    person = np.concatenate(persons)
    target = np.concatenate(targets)
    features = pair_features(
        world,
        state,
        persons=person,
        targets=target,
        decree_day=np.full(len(person), as_of_day),
        employee_initiated=np.zeros(len(person), bool),
    )
    probability = resistance_probability(features)
    return features.assign(
        person=person,
        position=target,
        pool=np.concatenate(pool_index),
        group=np.concatenate(groups),
        expected_post_move_rating=expected_post_move_rating(features, probability),
        resistance_probability=probability,
    )
