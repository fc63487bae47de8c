"""Evaluation pools: candidate sets for positions at the export date, with their true outcomes.

HR's history shows mostly same-sector, near-home, lateral moves. A model learned from it is
judged where that history is thin, so each pool mixes the candidates HR would pick with those it
rarely would: people from other sectors, people far from home, and grade steps up and down.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from models.features.geo import haversine_km
from simulator.outcomes import expected_post_move_rating, resistance_probability
from simulator.selection import current_rank, hr_preference
from simulator.state import State, World, pair_features

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


@dataclass(frozen=True)
class Candidates:
    """Current PNS who may enter a pool, with what HR's preference needs about them."""

    persons: np.ndarray
    rank: np.ndarray
    headcount: np.ndarray
    as_of_day: np.datetime64


def _groups(world: World, state: State, *, post: int, persons: np.ndarray) -> dict[str, np.ndarray]:
    """Masks of the rarely-picked kinds of candidate for `post`."""
    people = state.people
    distance = haversine_km(
        people["home_lat"].to_numpy()[persons],
        people["home_lon"].to_numpy()[persons],
        world.pos_lat[post],
        world.pos_lon[post],
    )
    current = state.position[persons]
    return {
        "other_sector": world.pos_sector[current] != world.pos_sector[post],
        "far_from_home": distance > 100.0,
        "grade_step": np.abs(world.pos_grade[post] - world.pos_grade[current]) >= 2,
    }


def _pool(
    rng: np.random.Generator, world: World, state: State, *, post: int, pool: Candidates
) -> tuple[np.ndarray, np.ndarray]:
    """(persons, group labels) of one pool: HR's likely picks first, then the rare kinds."""
    others = state.position[pool.persons] != post
    persons = pool.persons[others]
    preference = hr_preference(
        world,
        state,
        persons=persons,
        posts=np.full((len(persons), 1), post),
        headcount=pool.headcount,
        rank=pool.rank[others],
        employee_initiated=np.zeros(len(persons), dtype=bool),
        decree_day=np.full(len(persons), pool.as_of_day),
    )[:, 0]
    keys = preference + rng.gumbel(size=len(persons))
    typical = np.zeros(len(persons), dtype=bool)
    typical[np.argsort(-keys)[: POOL_GROUPS["hr_typical"]]] = True
    groups = {"hr_typical": typical & np.isfinite(keys)}
    groups.update(_groups(world, state, post=post, persons=persons))
    taken = np.zeros(len(persons), dtype=bool)
    labels = np.full(len(persons), "", dtype=object)
    for name, members in groups.items():
        picked = _pick(rng, np.flatnonzero(members & ~taken), POOL_GROUPS[name])
        taken[picked] = True
        labels[picked] = name
    return persons[taken], labels[taken]


def _pool_members(
    rng: np.random.Generator, world: World, state: State, *, posts: np.ndarray, pool: Candidates
) -> pd.DataFrame:
    parts = []
    for index, post in enumerate(posts):
        persons, labels = _pool(rng, world, state, post=int(post), pool=pool)
        parts.append(
            pd.DataFrame({"person": persons, "position": post, "pool": index, "group": labels})
        )
    return pd.concat(parts, ignore_index=True)


def evaluation_pools(
    rng: np.random.Generator,
    world: World,
    state: State,
    *,
    as_of_day: np.datetime64,
    headcount: np.ndarray,
) -> pd.DataFrame:
    """Up to MAX_POOLS positions (vacant ones twice as likely), each with ~50 current PNS,
    and the true expected rating and resistance probability of moving each there now."""
    active = state.active_on(as_of_day) & (state.people["employment_type"].to_numpy() == "pns")
    persons = np.flatnonzero(active)
    rank = current_rank(state, persons, np.full(len(persons), as_of_day))
    pool = Candidates(persons=persons, rank=rank, headcount=headcount, as_of_day=as_of_day)
    vacancy = headcount < world.positions["required_headcount"].to_numpy()
    weight = np.where(vacancy, 2.0, 1.0)
    n_pools = min(MAX_POOLS, len(world.positions))
    posts = np.sort(rng.choice(len(weight), n_pools, replace=False, p=weight / weight.sum()))
    members = _pool_members(rng, world, state, posts=posts, pool=pool)
    features = pair_features(
        world,
        state,
        persons=members["person"].to_numpy(),
        targets=members["position"].to_numpy(),
        decree_day=np.full(len(members), as_of_day),
        employee_initiated=np.zeros(len(members), bool),
    )
    probability = resistance_probability(features, variant=world.variant)
    expected = expected_post_move_rating(features, probability, variant=world.variant)
    return pd.concat([features, members], axis=1).assign(
        expected_post_move_rating=expected,
        resistance_probability=probability,
    )
