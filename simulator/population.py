"""Who is in service: the initial staff, pensions and attrition, and CPNS/PPPK hiring."""

from __future__ import annotations

import numpy as np

from models.contract.enums import GOLONGAN_ORDINAL
from simulator.people import month_start
from simulator.staff import new_people
from simulator.state import State, World, retirement_day

ATTRITION_RATE = 0.005  # deaths, moves to another instansi, dismissals: per year
Window = tuple[np.datetime64, np.datetime64]


def window_in(
    year: int, start: str, end: str, lo: np.datetime64, hi: np.datetime64
) -> Window | None:
    """The part of [year-start, year-end] (MM-DD) inside [lo, hi], or None when empty."""
    a = max(np.datetime64(f"{year}-{start}"), lo)
    b = min(np.datetime64(f"{year}-{end}"), hi)
    return (a, b) if a <= b else None


def random_days(rng: np.random.Generator, window: Window, n: int) -> np.ndarray:
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


def exits(rng: np.random.Generator, world: World, state: State, window: Window) -> None:
    """Pension at BUP (first of the month after the birthday) and random attrition."""
    lo, hi = window
    open_ = np.isnat(state.exit_day) & (state.people["service_start"].to_numpy() <= hi)
    retire = retirement_day(state.people["birth_date"].to_numpy(), world.pos_bup[state.position])
    retiring = open_ & (retire <= hi)
    state.exit_day[retiring] = np.maximum(retire[retiring], lo)
    leaving = open_ & ~retiring & (rng.random(len(open_)) < ATTRITION_RATE)
    state.exit_day[leaving] = random_days(rng, window, int(leaving.sum()))


def _hire_posts(
    rng: np.random.Generator, world: World, headcount: np.ndarray, n: int
) -> np.ndarray:
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
    window: Window,
    employees: int,
    as_of_day: np.datetime64,
    pools: dict[str, np.ndarray],
) -> State:
    """CPNS (and from 2019 PPPK) appointments that bring the staff back to `employees`."""
    lo, hi = window
    n = employees - int(state.active_on(hi).sum())
    hire_window = window_in(year, "01-01", "07-01", lo, hi) or window
    days = month_start(random_days(rng, hire_window, max(n, 0)))
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
