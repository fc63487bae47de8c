"""Past transfers: HR's choices (selection.py) and how each move went (outcomes.py)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.features.geo import haversine_km
from simulator.geo import regions
from simulator.outcomes import (
    expected_post_move_rating,
    resistance_kind,
    resistance_probability,
)
from simulator.selection import (
    candidate_posts,
    choose_movers,
    current_rank,
    has_preference,
    hr_preference,
)
from simulator.state import State, World, pair_features, retirement_day


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


def _choose_moves(
    rng: np.random.Generator,
    world: World,
    state: State,
    *,
    window: tuple[np.datetime64, np.datetime64],
    headcount: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(movers, decree dates, employee-initiated, target posts) of this year's round."""
    movers, decree_all = choose_movers(rng, world, state, window=window)
    people = state.people
    current = state.position[movers]
    far = haversine_km(
        people["home_lat"].to_numpy()[movers],
        people["home_lon"].to_numpy()[movers],
        world.pos_lat[current],
        world.pos_lon[current],
    )
    p_ask = 0.08 + 0.35 * (has_preference(people, movers) & (far > 40.0))
    initiated = rng.random(len(movers)) < p_ask
    decree = decree_all[movers]
    region_index = {code: i for i, code in enumerate(regions()["region_code"])}
    home_codes = pd.Series(people["home_region_code"].to_numpy()[movers])
    home_region = home_codes.map(region_index).to_numpy(dtype=np.int64)
    region = np.where(rng.random(len(movers)) < 0.6, home_region, world.pos_region[current])
    posts = candidate_posts(rng, world, sectors=world.pos_sector[current], regions=region)
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
    targets = posts[possible, pick[possible]]
    chosen = (movers[possible], decree[possible], initiated[possible], targets)
    return _with_returns(world, state, chosen, decree_all=decree_all, window=window)


def _with_returns(
    world: World,
    state: State,
    chosen: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    *,
    decree_all: np.ndarray,
    window: tuple[np.datetime64, np.datetime64],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Add the granted return requests due this year (at the person's own request, back to
    the post they left) in place of any other move HR had picked for them."""
    year = int(str(window[0])[:4])
    due = (state.return_year == year) & state.active_on(window[1])
    returners = np.flatnonzero(due)
    back = state.return_to[returners]
    birth = state.people["birth_date"].to_numpy()[returners].astype("datetime64[D]")
    decree = decree_all[returners]
    ok = retirement_day(birth, world.pos_bup[back]) > decree + 365
    returners, back, decree = returners[ok], back[ok], decree[ok]
    movers, decrees, initiated, targets = chosen
    keep = ~np.isin(movers, returners)
    persons = np.concatenate([movers[keep], returners])
    order = np.argsort(persons, kind="stable")
    return (
        persons[order],
        np.concatenate([decrees[keep], decree])[order],
        np.concatenate([initiated[keep], np.ones(len(returners), dtype=bool)])[order],
        np.concatenate([targets[keep], back])[order],
    )


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
    movers, decree, initiated, targets = _choose_moves(
        rng, world, state, window=window, headcount=headcount
    )
    features = pair_features(
        world,
        state,
        persons=movers,
        targets=targets,
        decree_day=decree,
        employee_initiated=initiated,
    )
    probability = resistance_probability(features, variant=world.variant)
    expected = expected_post_move_rating(features, probability, variant=world.variant)
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
    rng: np.random.Generator, state: State, moves: YearMoves, *, as_of_day: np.datetime64
) -> None:
    """Carry the moves out on the simulation state (in place: the state is the simulation's)."""
    moved = ~np.isnat(moves.effective_day)
    persons = moves.persons[moved]
    effective = moves.effective_day[moved]
    state.position[persons] = moves.to_position[moved]
    state.position_start[persons] = effective
    state.pending_rating[persons] = moves.expected_rating[moved]
    state.pending_year[persons] = effective.astype("datetime64[Y]").astype(int) + 1970 + 1
    state.past_resistance[moves.persons] += (moves.resistance != "none").astype(np.int16)
    # Half the return requests are granted: the person goes back in next year's round.
    asked_back = moved & (moves.resistance == "return_request") & (rng.random(len(moved)) < 0.5)
    state.return_to[moves.persons[asked_back]] = moves.from_position[asked_back]
    state.return_year[moves.persons[asked_back]] = (
        moves.decree_day[asked_back].astype("datetime64[Y]").astype(int) + 1971
    )
    resign = moves.resistance[moved] == "resignation"
    after = rng.integers(30, 331, int(resign.sum())).astype("timedelta64[D]")
    state.exit_day[persons[resign]] = np.minimum(effective[resign] + after, as_of_day)
