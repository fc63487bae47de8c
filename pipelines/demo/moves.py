"""How HR moved people in the past, and how those moves went.

Each year HR picks a share of eligible PNS (at least two years in post, not within a year of
retirement; PPPK are not transferable): people long in post (rotation), good performers
(promotion) and people far from home who asked (atas permintaan sendiri) are more likely. For
each it looks at a couple of dozen posts and, as HR does, mostly keeps the person in the same
sector, near home, lateral or one grade up for good SKP, into posts with vacancies, within the
post's min_rank and min_education. Moves across sectors, far from home or by big grade steps
happen, but rarely: a model trained on these moves sees little of them.

The outcome of each move is drawn from the ground-truth mechanisms in `outcomes.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from pipelines.demo.geo import haversine_km
from pipelines.demo.outcomes import (
    expected_post_move_rating,
    resistance_kind,
    resistance_probability,
)
from pipelines.demo.people import rank_ordinal
from pipelines.demo.state import DAYS_PER_YEAR, State, World, pair_features, retirement_day

MOVE_RATE: Final[float] = 0.085  # share of eligible PNS moved in a year
CANDIDATES_PER_MOVER: Final[int] = 24
MIN_TENURE_YEARS: Final[float] = 2.0
MAX_GRADE_STEP: Final[int] = 4  # HR never moves anyone further up or down in one decree


@dataclass(frozen=True)
class YearMoves:
    """The transfers decreed in one year, with their true expected outcomes."""

    persons: np.ndarray
    from_position: np.ndarray
    to_position: np.ndarray
    decree_day: np.ndarray
    effective_day: np.ndarray
    employee_initiated: np.ndarray
    resistance: np.ndarray
    expected_rating: np.ndarray
    resistance_probability: np.ndarray


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
    asked = _has_preference(people, candidates) & (far > 40.0)
    weight = (
        np.minimum(tenure[candidates], 6.0)
        * (1.0 + 0.8 * (state.last_rating[candidates] >= 4.5))
        * (1.0 + 1.5 * asked)
    )
    count = round(MOVE_RATE * len(candidates))
    keys = np.log(weight) + rng.gumbel(size=len(candidates))
    chosen = candidates[np.argsort(-keys)[:count]]
    return np.sort(chosen), decree


def _has_preference(people: pd.DataFrame, persons: np.ndarray) -> np.ndarray:
    return np.asarray(
        (people["pref_region"].to_numpy()[persons] >= 0)
        | (people["pref_sector"].to_numpy()[persons] >= 0)
        | (people["pref_unit"].to_numpy()[persons] >= 0)
    )


def _candidate_posts(rng: np.random.Generator, world: World, sectors: np.ndarray) -> np.ndarray:
    """Per mover, half the candidate posts from their own sector and half from anywhere."""
    half = CANDIDATES_PER_MOVER // 2
    order = np.argsort(world.pos_sector, kind="stable")
    counts = np.bincount(world.pos_sector, minlength=sectors.max(initial=0) + 1)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    u = rng.random((len(sectors), half))
    same = order[starts[sectors][:, None] + (u * counts[sectors][:, None]).astype(int)]
    anywhere = rng.integers(0, len(world.pos_sector), (len(sectors), half))
    return np.concatenate([same, anywhere], axis=1)


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
    """HR's log-preference for moving each person (rows) to each candidate post (columns);
    -inf where HR would not: rank or education below the post's minimum, a grade step beyond
    MAX_GRADE_STEP, or less than a year before the post's retirement age."""
    people = state.people
    current = state.position[persons][:, None]
    same_sector = world.pos_sector[posts] == world.pos_sector[current]
    distance = haversine_km(
        people["home_lat"].to_numpy()[persons][:, None],
        people["home_lon"].to_numpy()[persons][:, None],
        world.pos_lat[posts],
        world.pos_lon[posts],
    )
    step = world.pos_grade[posts] - world.pos_grade[current]
    birth = people["birth_date"].to_numpy()[persons].astype("datetime64[D]")[:, None]
    worthy = (state.last_rating[persons] >= 4.5) | (people["talent_box"].to_numpy()[persons] >= 7)
    worthy = worthy[:, None]
    step_score = np.select(
        [step == 0, step == 1, step == 2, step >= 3, step == -1],
        [0.6, np.where(worthy, 1.2, -0.6), np.where(worthy, 0.2, -1.8), -3.5, -1.8],
        default=-3.5,
    )
    required = world.positions["required_headcount"].to_numpy()[posts]
    vacancy = np.where(
        headcount[posts] < required, 1.2, np.where(headcount[posts] > 1.2 * required, -0.8, 0.0)
    )
    field_idx = people["field_index"].to_numpy()[persons][:, None]
    accepted = world.pos_fields[posts, np.maximum(field_idx, 0)] & (field_idx >= 0)
    field_score = np.where(world.pos_lists_fields[posts] & ~accepted, -0.8, 0.0)
    preferred = (
        (people["pref_unit"].to_numpy()[persons][:, None] == world.pos_unit[posts])
        | (people["pref_sector"].to_numpy()[persons][:, None] == world.pos_sector[posts])
        | (people["pref_region"].to_numpy()[persons][:, None] == world.pos_region[posts])
    )
    asked = employee_initiated[:, None]
    score = (
        2.0 * same_sector
        - distance / 60.0
        + step_score
        + vacancy
        + field_score
        + asked * (2.5 * preferred - distance / 30.0)
    )
    feasible = (
        (rank[:, None] >= world.pos_min_rank[posts])
        & (people["education_ordinal"].to_numpy()[persons][:, None] >= world.pos_min_edu[posts])
        & (posts != current)
        & (np.abs(step) <= MAX_GRADE_STEP)
        & (retirement_day(birth, world.pos_bup[posts]) > (decree_day + 365)[:, None])
    )
    return np.where(feasible, score, -np.inf)


def _resistance_outcomes(
    rng: np.random.Generator, features: pd.DataFrame, probability: np.ndarray
) -> np.ndarray:
    resisted = rng.random(len(probability)) < probability
    kind = resistance_kind(
        rng,
        distance_home_km=features["distance_home_km"].to_numpy(),
        years_to_retirement=features["years_to_retirement"].to_numpy(),
    )
    return np.where(resisted, kind, "none")


def decide_moves(
    rng: np.random.Generator,
    world: World,
    state: State,
    *,
    window: tuple[np.datetime64, np.datetime64],
    headcount: np.ndarray,
    as_of_day: np.datetime64,
) -> YearMoves:
    """This year's transfers: movers, their new posts and how each move went."""
    movers, decree_all = choose_movers(rng, world, state, window=window)
    people = state.people
    home = people["home_lat"].to_numpy()[movers], people["home_lon"].to_numpy()[movers]
    far = haversine_km(
        *home, world.pos_lat[state.position[movers]], world.pos_lon[state.position[movers]]
    )
    p_ask = 0.08 + 0.35 * (_has_preference(people, movers) & (far > 40.0))
    initiated = rng.random(len(movers)) < p_ask
    decree = decree_all[movers]
    posts = _candidate_posts(rng, world, world.pos_sector[state.position[movers]])
    preference = hr_preference(
        world,
        state,
        persons=movers,
        posts=posts,
        headcount=headcount,
        rank=current_rank(state, movers, decree),
        employee_initiated=initiated,
        decree_day=decree,
    )
    pick = np.argmax(preference + rng.gumbel(size=preference.shape), axis=1)
    possible = np.isfinite(preference[np.arange(len(movers)), pick])
    movers, decree, initiated = movers[possible], decree[possible], initiated[possible]
    targets = posts[possible, pick[possible]]
    features = pair_features(
        world,
        state,
        persons=movers,
        targets=targets,
        decree_day=decree,
        employee_initiated=initiated,
    )
    probability = resistance_probability(features)
    expected = expected_post_move_rating(features, probability)
    resistance = _resistance_outcomes(rng, features, probability)
    lag = rng.integers(7, 46, len(movers)).astype("timedelta64[D]")
    effective = np.minimum(decree + lag, as_of_day)
    # A resignation needs time to happen before the export; too recent ones are objections.
    late = (resistance == "resignation") & (effective + np.timedelta64(30, "D") > as_of_day)
    resistance = np.where(late, "objection", resistance)
    effective = np.where(resistance == "refusal", np.datetime64("NaT"), effective)
    return YearMoves(
        persons=movers,
        from_position=state.position[movers].copy(),
        to_position=targets,
        decree_day=decree,
        effective_day=effective.astype("datetime64[D]"),
        employee_initiated=initiated,
        resistance=resistance,
        expected_rating=expected,
        resistance_probability=probability,
    )


def apply_moves(
    rng: np.random.Generator,
    state: State,
    moves: YearMoves,
    *,
    headcount: np.ndarray,
    as_of_day: np.datetime64,
) -> None:
    """Carry the moves out on the simulation state (in place: the state is the simulation's)."""
    moved = ~np.isnat(moves.effective_day)
    persons = moves.persons[moved]
    effective = moves.effective_day[moved]
    np.subtract.at(headcount, moves.from_position[moved], 1)
    np.add.at(headcount, moves.to_position[moved], 1)
    state.position[persons] = moves.to_position[moved]
    state.position_start[persons] = effective
    state.pending_rating[persons] = moves.expected_rating[moved]
    state.pending_year[persons] = effective.astype("datetime64[Y]").astype(int) + 1970 + 1
    state.past_resistance[moves.persons] += (moves.resistance != "none").astype(np.int16)
    resign = moves.resistance[moved] == "resignation"
    after = rng.integers(30, 331, int(resign.sum())).astype("timedelta64[D]")
    state.exit_day[persons[resign]] = np.minimum(effective[resign] + after, as_of_day)
