"""The yearly simulation: retirements and resignations, CPNS/PPPK hiring, transfers, SKP,
competency assessments and trainings, for `years` years up to the export date.

A calendar year runs: exits (pension at BUP, attrition), hires (TMT at a month start), the
competency assessment round (January), the transfer decrees (February to June), trainings (July
to mid-December), then the year's SKP. Keeping assessments before decrees and trainings after
them makes every decree's features exactly what the exported tables show at its date. Every
step is vectorised over people; the only Python loop is over years.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from models.contract.enums import SECTORS
from simulator.moves import YearMoves, apply_moves, decide_moves
from simulator.outcomes import (
    expected_post_move_rating,
    rating_category,
    realised_rating,
    realised_ratings,
    skp_score,
)
from simulator.people import to_day
from simulator.population import (
    Window,
    exits,
    headcounts,
    hires,
    initial_slots,
    random_days,
    window_in,
)
from simulator.programme import PRETRAINING_DAYS, Programme, pretraining_picks
from simulator.staff import new_people
from simulator.state import DAYS_PER_YEAR, State, World, in_post_features

TRAINING_RATE = 0.22  # share of staff completing a training in a year
ASSESSMENT_EVERY_YEARS = 3


@dataclass
class Records:
    """Event rows collected over the years (person and position as row indices)."""

    performance: list[dict[str, np.ndarray]] = field(default_factory=list)
    assessments: list[dict[str, np.ndarray]] = field(default_factory=list)
    trainings: list[dict[str, np.ndarray]] = field(default_factory=list)
    moves: list[YearMoves] = field(default_factory=list)
    programme: list[dict[str, np.ndarray]] = field(default_factory=list)

    def frame(self, name: str) -> pd.DataFrame:
        parts: list[dict[str, np.ndarray]] = getattr(self, name)
        if not parts:
            return pd.DataFrame()
        return pd.DataFrame({k: np.concatenate([p[k] for p in parts]) for k in parts[0]})


def assessments(
    rng: np.random.Generator,
    world: World,
    state: State,
    *,
    window: Window,
    cycle: int,
    records: Records,
) -> None:
    """Assessment round: the never-assessed and those whose cycle is due, nine standard
    competencies and the technical competency of their sector; results reset training gains."""
    active = state.active_on(window[0])
    never = np.isnan(state.assessed[:, 0])
    periodic = (state.people["assess_cycle"].to_numpy() == cycle) & (rng.random(len(never)) < 0.5)
    due = active & (never | periodic)
    persons = np.flatnonzero(due)
    comps = np.concatenate(
        [
            np.tile(np.arange(9), (len(persons), 1)),
            9 + world.pos_sector[state.position[persons]][:, None],
        ],
        axis=1,
    )
    rows = np.repeat(persons, comps.shape[1])
    cols = comps.ravel()
    level = np.clip(np.round(state.level[rows, cols] + rng.normal(0, 0.35, len(rows))), 1, 5)
    state.assessed[rows, cols] = level
    state.gain_since[rows, cols] = 0.0
    day = np.repeat(random_days(rng, window, len(persons)), comps.shape[1])
    records.assessments.append({"person": rows, "competency": cols, "level": level, "day": day})


def trainings(
    rng: np.random.Generator, world: World, state: State, *, window: Window, records: Records
) -> None:
    """Trainings, mostly aimed at the participant's largest gap against their post's standard."""
    active = np.flatnonzero(state.active_on(window[0]))
    persons = active[rng.random(len(active)) < TRAINING_RATE]
    required = world.required[state.position[persons]]
    gap = np.where(required > 0, required - state.observed_levels(persons), -9.0)
    noise = rng.random(gap.shape) * np.where(rng.random(len(persons)) < 0.6, 0.1, 9.0)[:, None]
    comp = np.argmax(np.where(required > 0, gap + noise, -np.inf), axis=1)
    catalogue = world.trainings
    comp_of = catalogue["competency_index"].to_numpy()
    order = np.argsort(comp_of, kind="stable")
    counts = np.bincount(comp_of, minlength=world.required.shape[1])
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    has = counts[comp] > 0
    persons, comp = persons[has], comp[has]
    pick = order[starts[comp] + (rng.random(len(comp)) * counts[comp]).astype(int)]
    gain = (catalogue["level_gain"].to_numpy() * catalogue["effect"].to_numpy())[pick]
    state.level[persons, comp] = np.minimum(state.level[persons, comp] + gain, 5.0)
    state.gain_since[persons, comp] += gain
    records.trainings.append(
        {"person": persons, "training": pick, "day": random_days(rng, window, len(persons))}
    )


def _stay_rating(world: World, state: State, persons: np.ndarray) -> np.ndarray:
    """Expected rating of movers had they stayed in the post they left (same year)."""
    features = in_post_features(world, state, persons=persons, posts=state.moved_from[persons])
    years = features["years_in_target_sector"] + state.lost_sector_year[persons]
    return expected_post_move_rating(
        features.assign(years_in_target_sector=years), variant=world.variant
    )


def _programme_ratings(
    world: World,
    state: State,
    *,
    persons: np.ndarray,
    post_move: np.ndarray,
    expected: np.ndarray,
    programme: Programme,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Expected ratings under the programme: (with every effect, without the move effect,
    without the pre-transfer training effect); see simulator/programme.py."""
    base = expected.copy()
    move = np.zeros(len(persons))
    if programme.move_effect is not None and post_move.any():
        base[post_move] = _stay_rating(world, state, persons[post_move])
        move[post_move] = programme.move_effect
    pre = programme.pretraining_effect * (post_move & state.pretrained[persons])
    return (
        np.clip(base + move + pre, 1.0, 5.0),
        np.clip(base + pre, 1.0, 5.0),
        np.clip(base + move, 1.0, 5.0),
    )


def _realise(
    rng: np.random.Generator,
    world: World,
    state: State,
    *,
    persons: np.ndarray,
    post_move: np.ndarray,
    expected: np.ndarray,
    programme: Programme,
    records: Records,
    year: int,
) -> np.ndarray:
    """The year's realised ratings; under a programme also the realised effects of the first
    post-move year (the same noise with and without each effect: the 1-5 bounds shrink them)."""
    if programme == Programme():
        return realised_rating(rng, expected, variant=world.variant)
    full, no_move, no_pre = _programme_ratings(
        world, state, persons=persons, post_move=post_move, expected=expected, programme=programme
    )
    rating, without_move, without_pre = realised_ratings(
        rng, full, no_move, no_pre, variant=world.variant
    )
    records.programme.append(
        {
            "person": persons[post_move],
            "year": np.full(int(post_move.sum()), year),
            "move_effect": (rating - without_move)[post_move],
            "pretraining_effect": (rating - without_pre)[post_move],
        }
    )
    return rating


def performance(
    rng: np.random.Generator,
    world: World,
    state: State,
    *,
    year: int,
    moves: YearMoves | None,
    records: Records,
    programme: Programme | None = None,
) -> None:
    """The year's SKP for everyone in service mid-year, in the post held longest."""
    programme = programme or Programme()
    mid = np.datetime64(f"{year}-07-01")
    persons = np.flatnonzero(state.active_on(mid))
    held = state.position[persons].copy()
    if moves is not None:
        late = moves.effective_day > mid
        where = np.searchsorted(persons, moves.persons[late])
        found = (where < len(persons)) & (
            persons[np.minimum(where, len(persons) - 1)] == moves.persons[late]
        )
        held[where[found]] = moves.from_position[late][found]
    expected = expected_post_move_rating(
        in_post_features(world, state, persons=persons, posts=held), variant=world.variant
    )
    post_move = (state.pending_year[persons] == year) & (held == state.position[persons])
    expected = np.where(post_move, state.pending_rating[persons], expected)
    rating = _realise(
        rng,
        world,
        state,
        persons=persons,
        post_move=post_move,
        expected=expected,
        programme=programme,
        records=records,
        year=year,
    )
    keeps_score = world.units["keeps_score"].to_numpy()[world.pos_unit[held]]
    score = np.where(keeps_score, skp_score(rng, rating), np.nan)
    state.sector_years[persons, world.pos_sector[held]] += 1
    moved_now = (state.pending_year[persons] == year + 1) & (held == state.position[persons])
    left = np.maximum(state.moved_from[persons], 0)
    state.lost_sector_year[persons] = moved_now & (world.pos_sector[left] != world.pos_sector[held])
    state.last_rating[persons] = rating
    records.performance.append(
        {
            "person": persons,
            "year": np.full(len(persons), year),
            "position": held,
            "rating": rating_category(rating),
            "score": score,
        }
    )


def grow(world: World, state: State, day: np.datetime64) -> None:
    """Learning by doing: a little managerial growth, more in the own sector's technical field."""
    persons = np.flatnonzero(state.active_on(day))
    state.level[persons, :9] = np.minimum(state.level[persons, :9] + 0.03, 5.0)
    own = 9 + world.pos_sector[state.position[persons]]
    state.level[persons, own] = np.minimum(state.level[persons, own] + 0.12, 5.0)


@dataclass(frozen=True)
class Run:
    """The fixed parameters of one simulation run."""

    start: np.datetime64
    as_of_day: np.datetime64
    employees: int
    pools: dict[str, np.ndarray]
    programme: Programme = field(default_factory=Programme)

    @property
    def first_year(self) -> int:
        return int(str(self.start)[:4])

    def window(self, year: int, first: str, last: str) -> Window | None:
        return window_in(year, first, last, self.start, self.as_of_day)


def _hire(rng: np.random.Generator, world: World, state: State, run: Run, year: int) -> State:
    window = run.window(year, "01-01", "12-31")
    assert window is not None  # every simulated year overlaps the run
    return hires(
        rng,
        world,
        state,
        year=year,
        window=window,
        employees=run.employees,
        as_of_day=run.as_of_day,
        pools=run.pools,
    )


def _transfer_round(
    rng: np.random.Generator,
    world: World,
    state: State,
    run: Run,
    *,
    window: Window,
    records: Records,
) -> YearMoves:
    moves = decide_moves(
        rng,
        world,
        state,
        window=window,
        headcount=headcounts(world, state, window[0]),
        as_of_day=run.as_of_day,
    )
    apply_moves(rng, state, moves, as_of_day=run.as_of_day)
    moved = ~np.isnat(moves.effective_day)
    state.moved_from[moves.persons[moved]] = moves.from_position[moved]
    state.pretrained[moves.persons[moved]] = False
    if run.programme.pretraining_share > 0:
        _pretrain(rng, world, state, moves=moves, moved=moved, run=run, records=records)
    return moves


def _pretrain(
    rng: np.random.Generator,
    world: World,
    state: State,
    *,
    moves: YearMoves,
    moved: np.ndarray,
    run: Run,
    records: Records,
) -> None:
    """The programme's pre-transfer trainings in the target post's technical competency."""
    target_sector = world.pos_sector[moves.to_position]
    competency = world.trainings["competency_index"].to_numpy()
    technical = [np.flatnonzero(competency == 9 + s) for s in range(len(SECTORS))]
    rows, picks = pretraining_picks(
        rng,
        sector_change=moved & (world.pos_sector[moves.from_position] != target_sector),
        technical_trainings=technical,
        target_sector=target_sector,
        share=run.programme.pretraining_share,
    )
    before = rng.integers(*PRETRAINING_DAYS, len(rows)).astype("timedelta64[D]")
    state.pretrained[moves.persons[rows]] = True
    records.trainings.append(
        {"person": moves.persons[rows], "training": picks, "day": moves.decree_day[rows] - before}
    )


def _run_year(
    rng: np.random.Generator, world: World, state: State, *, run: Run, year: int, records: Records
) -> State:
    """One calendar year: exits, hires, assessments, decrees, trainings, SKP, growth."""
    year_window = run.window(year, "01-01", "12-31")
    assert year_window is not None
    exits(rng, world, state, year_window)
    state = _hire(rng, world, state, run, year)
    first = year == run.first_year
    round_window = (run.start, run.start + 30) if first else run.window(year, "01-02", "01-31")
    if round_window is not None:
        cycle = (year - run.first_year) % ASSESSMENT_EVERY_YEARS
        assessments(rng, world, state, window=round_window, cycle=cycle, records=records)
    moves = None
    decree_window = run.window(year, "02-01", "06-30")
    if not first and decree_window is not None:
        moves = _transfer_round(rng, world, state, run, window=decree_window, records=records)
        records.moves.append(moves)
    training_window = window_in(year, "07-01", "12-15", run.start + 31, run.as_of_day)
    if training_window is not None:
        trainings(rng, world, state, window=training_window, records=records)
    if np.datetime64(f"{year}-12-31") < run.as_of_day:
        performance(
            rng, world, state, year=year, moves=moves, records=records, programme=run.programme
        )
        grow(world, state, year_window[1])
    return state


def simulate(
    rng: np.random.Generator,
    world: World,
    *,
    employees: int,
    as_of: date,
    years: int,
    pools: dict[str, np.ndarray],
    programme: Programme | None = None,
) -> tuple[State, Records]:
    """Run the world from `years` years before `as_of` up to `as_of`."""
    as_of_day = to_day(as_of)
    start = as_of_day - np.timedelta64(round(years * DAYS_PER_YEAR), "D")
    run = Run(
        start=start,
        as_of_day=as_of_day,
        employees=employees,
        pools=pools,
        programme=programme or Programme(),
    )
    state = new_people(
        rng,
        world,
        posts=initial_slots(rng, world, employees),
        service_start=None,
        reference_day=start,
        as_of_day=as_of_day,
        pools=pools,
    )
    records = Records()
    for year in range(run.first_year, as_of.year + 1):
        state = _run_year(rng, world, state, run=run, year=year, records=records)
    # Resignations decreed in the last year leave before the export: top up to `employees`.
    return _hire(rng, world, state, run, as_of.year), records
