"""How HR chose past moves: who is moved, and where to.

Each year HR picks a share of eligible PNS (at least two years in post, not within a year of
retirement; PPPK are not transferable): people long in post (rotation), good performers
(promotion) and people far from home who asked (atas permintaan sendiri) are more likely. For
each it looks at a couple of dozen posts and, as HR does, mostly keeps the person in the same
sector, near home, lateral or one grade up for good SKP, into posts with vacancies, within the
post's min_rank and min_education. Moves across sectors, far from home or by big grade steps
happen, but rarely: a model trained on these moves sees little of them.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from models.features.geo import haversine_km
from simulator.outcomes import expected_post_move_rating
from simulator.people import rank_ordinal
from simulator.state import DAYS_PER_YEAR, State, World, in_post_features, retirement_day

MOVE_RATE: Final[float] = 0.085  # share of eligible PNS moved in a year
CANDIDATES_PER_MOVER: Final[int] = 24
MIN_TENURE_YEARS: Final[float] = 2.0
MAX_GRADE_STEP: Final[int] = 4  # HR never moves anyone further up or down in one decree


def current_rank(state: State, persons: np.ndarray, day: np.ndarray) -> np.ndarray:
    people = state.people
    start = people["service_start"].to_numpy()[persons].astype("datetime64[D]")
    service = (day.astype("datetime64[D]") - start).astype(float) / DAYS_PER_YEAR
    return rank_ordinal(people["education_level"].to_numpy()[persons], service)


def choose_movers(
    rng: np.random.Generator,
    world: World,
    state: State,
    *,
    window: tuple[np.datetime64, np.datetime64],
) -> tuple[np.ndarray, np.ndarray]:
    """Who HR moves this year and on which decree date."""
    lo, hi = window
    n = len(state.position)
    decree = lo + rng.integers(0, int((hi - lo).astype(int)) + 1, n).astype("timedelta64[D]")
    people = state.people
    tenure = (decree - state.position_start).astype(float) / DAYS_PER_YEAR
    retire = retirement_day(people["birth_date"].to_numpy(), world.pos_bup[state.position])
    eligible = (
        state.active_on(hi)
        & (people["employment_type"].to_numpy() == "pns")
        & (tenure >= MIN_TENURE_YEARS)
        & ((retire - decree).astype(float) > DAYS_PER_YEAR)
    )
    candidates = np.flatnonzero(eligible)
    far = haversine_km(
        people["home_lat"].to_numpy()[candidates],
        people["home_lon"].to_numpy()[candidates],
        world.pos_lat[state.position[candidates]],
        world.pos_lon[state.position[candidates]],
    )
    asked = has_preference(people, candidates) & (far > 40.0)
    weight = (
        np.minimum(tenure[candidates], 6.0)
        * (1.0 + 0.8 * (state.last_rating[candidates] >= 4.5))
        * (1.0 + 1.5 * asked)
    )
    count = round(MOVE_RATE * len(candidates))
    keys = np.log(weight) + rng.gumbel(size=len(candidates))
    chosen = candidates[np.argsort(-keys)[:count]]
    return np.sort(chosen), decree


def has_preference(people: pd.DataFrame, persons: np.ndarray) -> np.ndarray:
    return np.asarray(
        (people["pref_region"].to_numpy()[persons] >= 0)
        | (people["pref_sector"].to_numpy()[persons] >= 0)
        | (people["pref_unit"].to_numpy()[persons] >= 0)
    )


def _sample_groups(
    rng: np.random.Generator, keys: np.ndarray, wanted: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """k random posts per row from the group `wanted[row]` of `keys`; and whether it exists."""
    order = np.argsort(keys, kind="stable")
    counts = np.bincount(keys, minlength=int(wanted.max(initial=0)) + 1)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    size = counts[wanted][:, None]
    u = rng.random((len(wanted), k))
    picks = order[np.minimum(starts[wanted][:, None] + (u * size).astype(int), len(keys) - 1)]
    return picks, size[:, 0] > 0


def candidate_posts(
    rng: np.random.Generator, world: World, *, sectors: np.ndarray, regions: np.ndarray
) -> np.ndarray:
    """Per mover, the posts HR looks at: a third in their own sector and region (home or
    current post), a third in their sector anywhere, a third anywhere."""
    third = CANDIDATES_PER_MOVER // 3
    n_regions = int(world.pos_region.max()) + 1
    local_key = world.pos_sector * n_regions + world.pos_region
    local, exists = _sample_groups(rng, local_key, sectors * n_regions + regions, third)
    sector_wide, _ = _sample_groups(rng, world.pos_sector, sectors, third)
    local = np.where(exists[:, None], local, sector_wide)
    anywhere = rng.integers(0, len(world.pos_sector), (len(sectors), third))
    return np.concatenate([local, sector_wide, anywhere], axis=1)


def _step_score(step: np.ndarray, worthy: np.ndarray) -> np.ndarray:
    """Lateral moves are HR's default; one grade up for good performers; big steps rare."""
    return np.select(
        [step == 0, step == 1, step == 2, step >= 3, step == -1],
        [0.6, np.where(worthy, 1.2, -0.6), np.where(worthy, 0.2, -1.8), -3.5, -1.8],
        default=-3.5,
    )


def _feasible(
    world: World,
    state: State,
    *,
    persons: np.ndarray,
    posts: np.ndarray,
    rank: np.ndarray,
    decree_day: np.ndarray,
) -> np.ndarray:
    """Rank and education meet the post's minimum, a step within MAX_GRADE_STEP, not the
    person's own post, and more than a year before the post's retirement age."""
    people = state.people
    current = state.position[persons][:, None]
    step = world.pos_grade[posts] - world.pos_grade[current]
    birth = people["birth_date"].to_numpy()[persons].astype("datetime64[D]")[:, None]
    education = people["education_ordinal"].to_numpy()[persons][:, None]
    return np.asarray(
        (rank[:, None] >= world.pos_min_rank[posts])
        & (education >= world.pos_min_edu[posts])
        & (posts != current)
        & (np.abs(step) <= MAX_GRADE_STEP)
        & (retirement_day(birth, world.pos_bup[posts]) > (decree_day + 365)[:, None])
    )


def _matches_preference(
    world: World, people: pd.DataFrame, persons: np.ndarray, posts: np.ndarray
) -> np.ndarray:
    return np.asarray(
        (people["pref_unit"].to_numpy()[persons][:, None] == world.pos_unit[posts])
        | (people["pref_sector"].to_numpy()[persons][:, None] == world.pos_sector[posts])
        | (people["pref_region"].to_numpy()[persons][:, None] == world.pos_region[posts])
    )


def perceived_fit(
    world: World, state: State, *, persons: np.ndarray, posts: np.ndarray
) -> np.ndarray | float:
    """How well HR judges each person (rows) would do in each post (columns): the true
    expected rating there, centred; 0 where the variant's HR does not screen on fit."""
    if world.variant.hr_fit == 0.0:
        return 0.0
    rows = np.repeat(persons, posts.shape[1])
    features = in_post_features(world, state, persons=rows, posts=posts.ravel())
    step = world.pos_grade[posts] - world.pos_grade[state.position[persons]][:, None]
    features = features.assign(grade_step=step.ravel().astype(float))
    fit = expected_post_move_rating(features, variant=world.variant).reshape(posts.shape)
    return np.asarray(fit - fit.mean())


def hr_preference(
    world: World,
    state: State,
    *,
    persons: np.ndarray,
    posts: np.ndarray,
    headcount: np.ndarray,
    rank: np.ndarray,
    employee_initiated: np.ndarray,
    decree_day: np.ndarray,
) -> np.ndarray:
    """HR's log-preference for moving each person (rows) to each candidate post (columns):
    same sector, near home, lateral (or one up for good SKP), into vacancies, majors that fit;
    for a move the employee asked for, what they asked for and nearer still. -inf where HR
    would not move them (see `_feasible`)."""
    people = state.people
    current = state.position[persons][:, None]
    distance = haversine_km(
        people["home_lat"].to_numpy()[persons][:, None],
        people["home_lon"].to_numpy()[persons][:, None],
        world.pos_lat[posts],
        world.pos_lon[posts],
    )
    worthy = (state.last_rating[persons] >= 4.5) | (people["talent_box"].to_numpy()[persons] >= 7)
    required = world.positions["required_headcount"].to_numpy()[posts]
    staffed = headcount[posts]
    vacancy = np.where(staffed < required, 1.2, np.where(staffed > 1.2 * required, -0.8, 0.0))
    field_idx = people["field_index"].to_numpy()[persons][:, None]
    accepted = world.pos_fields[posts, np.maximum(field_idx, 0)] & (field_idx >= 0)
    asked = employee_initiated[:, None]
    variant = world.variant
    score = (
        variant.hr_same_sector * (world.pos_sector[posts] == world.pos_sector[current])
        - distance / variant.hr_distance_km
        + variant.hr_fit * perceived_fit(world, state, persons=persons, posts=posts)
        + _step_score(world.pos_grade[posts] - world.pos_grade[current], worthy[:, None])
        + vacancy
        + np.where(world.pos_lists_fields[posts] & ~accepted, -0.8, 0.0)
        + asked * (2.5 * _matches_preference(world, people, persons, posts) - distance / 30.0)
    )
    feasible = _feasible(
        world, state, persons=persons, posts=posts, rank=rank, decree_day=decree_day
    )
    return np.where(feasible, score, -np.inf)
