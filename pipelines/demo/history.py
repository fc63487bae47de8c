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

from models.enums import GOLONGAN_ORDINAL
from pipelines.demo.moves import YearMoves, apply_moves, decide_moves
from pipelines.demo.outcomes import (
    expected_post_move_rating,
    rating_category,
    realised_rating,
    skp_score,
)
from pipelines.demo.people import month_start, to_day
from pipelines.demo.staff import new_people
from pipelines.demo.state import DAYS_PER_YEAR, State, World, in_post_features, retirement_day

ATTRITION_RATE = 0.005  # deaths, moves to another instansi, dismissals: per year
TRAINING_RATE = 0.22  # share of staff completing a training in a year
ASSESSMENT_EVERY_YEARS = 3


@dataclass
class Records:
    """Event rows collected over the years (person and position as row indices)."""

    performance: list[dict[str, np.ndarray]] = field(default_factory=list)
    assessments: list[dict[str, np.ndarray]] = field(default_factory=list)
    trainings: list[dict[str, np.ndarray]] = field(default_factory=list)
    moves: list[YearMoves] = field(default_factory=list)

    def frame(self, name: str) -> pd.DataFrame:
        parts: list[dict[str, np.ndarray]] = getattr(self, name)
        if not parts:
            return pd.DataFrame()
        return pd.DataFrame({k: np.concatenate([p[k] for p in parts]) for k in parts[0]})


def _window(year: int, start: str, end: str, lo: np.datetime64, hi: np.datetime64):
    """The part of [year-start, year-end] (MM-DD) inside [lo, hi], or None when empty."""
    a = max(np.datetime64(f"{year}-{start}"), lo)
    b = min(np.datetime64(f"{year}-{end}"), hi)
    return (a, b) if a <= b else None


def _days(rng: np.random.Generator, window: tuple[np.datetime64, np.datetime64], n: int):
    lo, hi = window
    return lo + rng.integers(0, int((hi - lo).astype(int)) + 1, n).astype("timedelta64[D]")


def headcounts(world: World, state: State, day: np.datetime64) -> np.ndarray:
    active = state.active_on(day)
    return np.bincount(state.position[active], minlength=len(world.positions))


def initial_slots(rng: np.random.Generator, world: World, employees: int) -> np.ndarray:
    """Exactly `employees` posts to fill at the start: about need x the unit's staffing ratio."""
    pos = world.positions
    single = pos["workload_hours"].to_numpy() <= 1250.0
    wanted = pos["required_headcount"].to_numpy() * pos["fill"].to_numpy()
    count = np.where(single, rng.random(len(pos)) < 0.92, rng.poisson(wanted))
    slots = np.repeat(np.arange(len(pos)), count)
    if len(slots) >= employees:
        return np.sort(rng.choice(slots, size=employees, replace=False))
    weight = np.where(single, 0.0, wanted)
    extra = rng.choice(len(pos), size=employees - len(slots), p=weight / weight.sum())
    return np.sort(np.concatenate([slots, extra]))


def exits(rng: np.random.Generator, world: World, state: State, window) -> None:
    """Pension at BUP (first of the month after the birthday) and random attrition."""
    lo, hi = window
    open_ = np.isnat(state.exit_day) & (state.people["service_start"].to_numpy() <= hi)
    retire = retirement_day(state.people["birth_date"].to_numpy(), world.pos_bup[state.position])
    retiring = open_ & (retire <= hi)
    state.exit_day[retiring] = np.maximum(retire[retiring], lo)
    leaving = open_ & ~retiring & (rng.random(len(open_)) < ATTRITION_RATE)
    state.exit_day[leaving] = _days(rng, window, int(leaving.sum()))


def _hire_posts(rng: np.random.Generator, world: World, headcount: np.ndarray, n: int):
    pos = world.positions
    entry = (
        pos["job_type"].isin(["fungsional", "pelaksana"]).to_numpy()
        & (world.pos_grade <= 9)
        & (world.pos_min_rank <= GOLONGAN_ORDINAL["III/a"])
    )
    gap = pos["required_headcount"].to_numpy() * pos["fill"].to_numpy() - headcount
    weight = np.where(entry, np.maximum(gap, 0.0) + 0.02, 0.0)
    return rng.choice(len(pos), size=n, p=weight / weight.sum())


def hires(
    rng: np.random.Generator,
    world: World,
    state: State,
    *,
    year: int,
    window,
    employees: int,
    as_of_day: np.datetime64,
    pools: dict[str, np.ndarray],
) -> State:
    """CPNS (and from 2019 PPPK) appointments that bring the staff back to `employees`."""
    lo, hi = window
    n = employees - int(state.active_on(hi).sum())
    hire_window = _window(year, "01-01", "07-01", lo, hi) or window
    days = month_start(_days(rng, hire_window, max(n, 0)))
    days = np.where(days < lo, (days.astype("datetime64[M]") + 1).astype("datetime64[D]"), days)
    if n <= 0 or (days > hi).any():
        return state
    posts = _hire_posts(rng, world, headcounts(world, state, hi), n)
    teaching_or_health = np.isin(
        world.positions["sector"].to_numpy()[posts], ["pendidikan", "kesehatan"]
    )
    pppk = 0.0 if year < 2019 else (0.1 if year < 2021 else 0.25)
    share = np.where(teaching_or_health, 1.6 * pppk, 0.6 * pppk)
    joined = new_people(
        rng,
        world,
        posts=posts,
        service_start=days,
        reference_day=hi,
        as_of_day=as_of_day,
        pools=pools,
        pppk_share=share,
    )
    return state.append(joined)


def assessments(rng, world: World, state: State, *, window, cycle: int, records: Records) -> None:
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
    day = np.repeat(_days(rng, window, len(persons)), comps.shape[1])
    records.assessments.append({"person": rows, "competency": cols, "level": level, "day": day})


def trainings(rng, world: World, state: State, *, window, records: Records) -> None:
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
        {"person": persons, "training": pick, "day": _days(rng, window, len(persons))}
    )


def performance(
    rng, world: World, state: State, *, year: int, moves: YearMoves | None, records: Records
) -> None:
    """The year's SKP for everyone in service mid-year, in the post held longest."""
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
        in_post_features(world, state, persons=persons, posts=held)
    )
    post_move = (state.pending_year[persons] == year) & (held == state.position[persons])
    expected = np.where(post_move, state.pending_rating[persons], expected)
    rating = realised_rating(rng, expected)
    keeps_score = world.units["keeps_score"].to_numpy()[world.pos_unit[held]]
    score = np.where(keeps_score, skp_score(rng, rating), np.nan)
    state.sector_years[persons, world.pos_sector[held]] += 1
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


def simulate(
    rng: np.random.Generator,
    world: World,
    *,
    employees: int,
    as_of: date,
    years: int,
    pools: dict[str, np.ndarray],
) -> tuple[State, Records]:
    """Run the world from `years` years before `as_of` up to `as_of`."""
    as_of_day = to_day(as_of)
    start = as_of_day - np.timedelta64(round(years * DAYS_PER_YEAR), "D")
    first_year = int(str(start)[:4])
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
    for year in range(first_year, as_of.year + 1):
        window = _window(year, "01-01", "12-31", start, as_of_day)
        assert window is not None
        exits(rng, world, state, window)
        state = hires(
            rng,
            world,
            state,
            year=year,
            window=window,
            employees=employees,
            as_of_day=as_of_day,
            pools=pools,
        )
        round_window = _window(year, "01-02", "01-31", start, as_of_day)
        if year == first_year:
            round_window = (start, start + np.timedelta64(30, "D"))
        if round_window is not None:
            cycle = (year - first_year) % ASSESSMENT_EVERY_YEARS
            assessments(rng, world, state, window=round_window, cycle=cycle, records=records)
        moves = None
        decree_window = _window(year, "02-01", "06-30", start, as_of_day)
        if year > first_year and decree_window is not None:
            moves = decide_moves(
                rng,
                world,
                state,
                window=decree_window,
                headcount=headcounts(world, state, decree_window[0]),
                as_of_day=as_of_day,
            )
            apply_moves(
                rng,
                state,
                moves,
                headcount=headcounts(world, state, decree_window[0]),
                as_of_day=as_of_day,
            )
            records.moves.append(moves)
        training_window = _window(
            year, "07-01", "12-15", start + np.timedelta64(31, "D"), as_of_day
        )
        if training_window is not None:
            trainings(rng, world, state, window=training_window, records=records)
        if np.datetime64(f"{year}-12-31") < as_of_day:
            performance(rng, world, state, year=year, moves=moves, records=records)
            grow(world, state, window[1])
    # Resignations decreed this year leave before the export: top up to `employees`.
    final = _window(as_of.year, "01-01", "12-31", start, as_of_day)
    assert final is not None
    state = hires(
        rng,
        world,
        state,
        year=as_of.year,
        window=final,
        employees=employees,
        as_of_day=as_of_day,
        pools=pools,
    )
    return state, records
