"""Creating people for posts: the initial staff of the world and each year's CPNS/PPPK hires."""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.contract.enums import EDUCATION_ORDINAL, SECTORS
from simulator.geo import regions
from simulator.people import (
    ENTRY_AGE,
    draw_education,
    draw_fields,
    draw_homes,
    draw_names,
    family,
    female_share,
    month_start,
    talent_boxes,
    with_titles,
    years_needed_for_rank,
)
from simulator.positions import competency_codes
from simulator.state import DAYS_PER_YEAR, FIELD_INDEX, State, World


def _entry_age(rng: np.random.Generator, education: np.ndarray) -> np.ndarray:
    low = pd.Series(education).map(lambda e: ENTRY_AGE.get(e, ENTRY_AGE["SMA"])[0]).to_numpy()
    high = pd.Series(education).map(lambda e: ENTRY_AGE.get(e, ENTRY_AGE["SMA"])[1]).to_numpy()
    return np.asarray(rng.uniform(low, high))


def _initial_service_years(
    rng: np.random.Generator, *, needed: np.ndarray, entry_age: np.ndarray, bup: np.ndarray
) -> np.ndarray:
    """Service at the window start: enough for the post's min_rank, not past retirement."""
    longest = np.maximum(bup - entry_age - 0.3, 0.5)
    shortest = np.minimum(needed, longest)
    return np.asarray(shortest + rng.random(len(needed)) * (longest - shortest))


def initial_levels(
    rng: np.random.Generator,
    world: World,
    *,
    posts: np.ndarray,
    ability: np.ndarray,
    service_years: np.ndarray,
) -> np.ndarray:
    """True competency levels at creation: about the post's standard, own sector's technical
    competency growing with service, other sectors' technical competencies low."""
    n = len(posts)
    grade = world.pos_grade[posts].astype(float)
    base = 1.0 + (grade - 5.0) / 2.6 + 0.3 + 0.35 * ability
    levels = np.empty((n, len(competency_codes())), dtype=np.float32)
    levels[:, :9] = base[:, None] + rng.normal(0.0, 0.45, (n, 9))
    levels[:, 9:] = 1.0 + np.abs(rng.normal(0.0, 0.3, (n, len(SECTORS))))
    own = 1.4 + 0.1 * np.minimum(service_years, 20.0) + 0.3 * ability + rng.normal(0, 0.4, n)
    levels[np.arange(n), 9 + world.pos_sector[posts]] = own
    return np.clip(levels, 1.0, 5.0)


def _prior_sector_years(
    world: World,
    *,
    posts: np.ndarray,
    service_start: np.ndarray,
    reference_day: np.datetime64,
    initial: bool,
) -> np.ndarray:
    """Sector experience before the first SKP record: the initial staff's service before the
    history window's first year, credited to the sector of their first post (the NIP's TMT
    CPNS gives it to an analyst)."""
    years = np.zeros((len(posts), len(SECTORS)), dtype=np.float32)
    if initial:
        first_year = np.datetime64(str(reference_day)[:4] + "-01-01")
        before = np.maximum((first_year - service_start).astype(float) / DAYS_PER_YEAR, 0.0)
        years[np.arange(len(posts)), world.pos_sector[posts]] = before
    return years


def _preferences(rng: np.random.Generator, world: World, people: pd.DataFrame) -> pd.DataFrame:
    """A third state preferences: a region (mostly home), a sector, sometimes a unit."""
    n = len(people)
    stated = rng.random(n) < 0.32
    region_index = {c: i for i, c in enumerate(regions()["region_code"])}
    home_region = people["home_region_code"].map(region_index).to_numpy()
    other_region = rng.integers(0, len(region_index), n)
    pref_region = np.where(rng.random(n) < 0.75, home_region, other_region)
    own_sector = people["sector_index"].to_numpy()
    pref_sector = np.where(rng.random(n) < 0.6, own_sector, rng.integers(0, len(SECTORS), n))
    unit_regions = world.units["region_code"].map(region_index).to_numpy()
    candidate_unit = rng.integers(0, len(world.units), n)
    pref_unit = np.where(
        (rng.random(n) < 0.4) & (unit_regions[candidate_unit] == home_region), candidate_unit, -1
    )
    return pd.DataFrame(
        {
            "pref_region": np.where(stated & (rng.random(n) < 0.8), pref_region, -1),
            "pref_sector": np.where(stated & (rng.random(n) < 0.7), pref_sector, -1),
            "pref_unit": np.where(stated, pref_unit, -1),
        }
    )


def _careers(
    rng: np.random.Generator,
    world: World,
    *,
    posts: np.ndarray,
    education: np.ndarray,
    service_start: np.ndarray | None,
    reference_day: np.datetime64,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(service_start, birth, service years at reference_day) consistent with each post."""
    entry_age = _entry_age(rng, education)
    if service_start is None:
        needed = years_needed_for_rank(education, world.positions["min_rank"].iloc[posts])
        years = _initial_service_years(
            rng, needed=needed, entry_age=entry_age, bup=world.pos_bup[posts]
        )
        service_start = month_start(
            reference_day - (years * DAYS_PER_YEAR).astype("timedelta64[D]")
        )
    else:
        years = np.zeros(len(posts))
    birth = service_start - (entry_age * DAYS_PER_YEAR).astype("timedelta64[D]")
    return service_start, birth, years


def _identities(
    rng: np.random.Generator,
    world: World,
    *,
    posts: np.ndarray,
    education: np.ndarray,
    pppk: np.ndarray,
    pools: dict[str, np.ndarray],
) -> pd.DataFrame:
    """Name, gender, education, major, latent ability and talent box of each new person."""
    n = len(posts)
    post_frame = world.positions.iloc[posts].reset_index(drop=True)
    gender = np.where(rng.random(n) < female_share(post_frame), "P", "L")
    ability = rng.standard_normal(n)
    fields = draw_fields(rng, post_frame, education)
    return pd.DataFrame(
        {
            "name": with_titles(rng, draw_names(rng, gender, pools), education, fields),
            "gender": gender,
            "employment_type": np.where(pppk, "pppk", "pns"),
            "education_level": education,
            "education_ordinal": pd.Series(education).map(EDUCATION_ORDINAL).to_numpy(),
            "education_field": fields,
            "field_index": pd.Series(fields).map(FIELD_INDEX).fillna(-1).astype(int).to_numpy(),
            "ability": ability,
            "talent_box": np.where(
                (rng.random(n) < 0.75) & ~pppk, talent_boxes(rng, ability), np.nan
            ),
            "sector_index": world.pos_sector[posts],
            "assess_cycle": rng.integers(0, 3, n),
        }
    )


def _fresh_state(
    people: pd.DataFrame,
    *,
    posts: np.ndarray,
    position_start: np.ndarray,
    levels: np.ndarray,
    sector_years: np.ndarray,
) -> State:
    n, n_comp = levels.shape
    return State(
        people=people,
        position=posts.astype(np.int64),
        position_start=position_start.astype("datetime64[D]"),
        exit_day=np.full(n, np.datetime64("NaT"), dtype="datetime64[D]"),
        level=levels,
        assessed=np.full((n, n_comp), np.nan, dtype=np.float32),
        gain_since=np.zeros((n, n_comp), dtype=np.float32),
        sector_years=sector_years,
        past_resistance=np.zeros(n, dtype=np.int16),
        pending_rating=np.full(n, np.nan),
        pending_year=np.full(n, -1, dtype=np.int64),
        last_rating=np.full(n, 4.0),
        return_to=np.full(n, -1, dtype=np.int64),
        return_year=np.full(n, -1, dtype=np.int64),
        moved_from=np.full(n, -1, dtype=np.int64),
        lost_sector_year=np.zeros(n),
        pretrained=np.zeros(n, dtype=bool),
    )


def _personal(
    rng: np.random.Generator,
    world: World,
    people: pd.DataFrame,
    *,
    posts: np.ndarray,
    as_of_day: np.datetime64,
) -> pd.DataFrame:
    """Add home, family (as at the export date) and stated preferences."""
    homes = draw_homes(rng, world.positions["region_code"].to_numpy()[posts])
    birth = people["birth_date"].to_numpy().astype("datetime64[D]")
    age_at_export = (as_of_day - birth).astype(float) / DAYS_PER_YEAR
    people = pd.concat([people, homes, family(rng, age_at_export)], axis=1)
    return pd.concat([people, _preferences(rng, world, people)], axis=1)


def _in_post_since(
    rng: np.random.Generator, *, start: np.ndarray, years: np.ndarray, reference_day: np.datetime64
) -> np.ndarray:
    """Initial staff started their current post up to six years before the window opens."""
    tenure = np.minimum(years, rng.uniform(0.0, 6.0, len(start)))
    since = month_start(reference_day - (tenure * DAYS_PER_YEAR).astype("timedelta64[D]"))
    return np.asarray(np.maximum(since, start))


def new_people(
    rng: np.random.Generator,
    world: World,
    *,
    posts: np.ndarray,
    service_start: np.ndarray | None,
    reference_day: np.datetime64,
    as_of_day: np.datetime64,
    pools: dict[str, np.ndarray],
    pppk_share: float | np.ndarray = 0.0,
) -> State:
    """People drawn for `posts`: initial staff (service_start None: drawn so they are in
    service on `reference_day`, some time into their post) or hires whose TMT CPNS/PPPK, and
    start in the post, is `service_start`."""
    initial = service_start is None
    education = draw_education(rng, world.positions.iloc[posts].reset_index(drop=True))
    start, birth, years = _careers(
        rng,
        world,
        posts=posts,
        education=education,
        service_start=service_start,
        reference_day=reference_day,
    )
    pppk = rng.random(len(posts)) < pppk_share
    people = _identities(rng, world, posts=posts, education=education, pppk=pppk, pools=pools)
    people = _personal(
        rng,
        world,
        people.assign(birth_date=birth, service_start=start),
        posts=posts,
        as_of_day=as_of_day,
    )
    return _fresh_state(
        people,
        posts=posts,
        position_start=(
            _in_post_since(rng, start=start, years=years, reference_day=reference_day)
            if initial
            else start
        ),
        levels=initial_levels(
            rng, world, posts=posts, ability=people["ability"].to_numpy(), service_years=years
        ),
        sector_years=_prior_sector_years(
            world,
            posts=posts,
            service_start=start,
            reference_day=reference_day,
            initial=initial,
        ),
    )
