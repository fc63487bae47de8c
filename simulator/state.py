"""The demo world's reference arrays and the simulation state, and pair features built from them.

`World` holds what does not change during the simulation (units, positions, their standards,
the training catalogue) as numpy arrays for fast gathers; `State` holds the people (static
attributes in a frame, changing ones in arrays that grow when CPNS/PPPK join).
`pair_features` computes, for (person, position, decree date) triples, exactly the inputs of
the outcome mechanisms as an analyst could from the exported tables at that date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

import numpy as np
import pandas as pd

from models.contract.enums import EDUCATION_ORDINAL, GOLONGAN_ORDINAL, SECTORS
from models.features.catalog import retirement_age as catalog_retirement_age
from models.features.geo import haversine_km
from simulator.geo import regions
from simulator.people import _ALL_FIELDS
from simulator.variants import DEFAULT, Variant

DAYS_PER_YEAR: Final[float] = 365.25
FIELD_INDEX: Final[dict[str, int]] = {f: i for i, f in enumerate(_ALL_FIELDS)}
SECTOR_INDEX: Final[dict[str, int]] = {s: i for i, s in enumerate(SECTORS)}


def retirement_age(positions: pd.DataFrame) -> np.ndarray:
    """BUP by post (58; 60 for JPT and ahli madya; 65 for ahli utama): the rule the models use."""
    return catalog_retirement_age(positions["job_type"], positions["title"])


def retirement_day(birth: np.ndarray, bup: np.ndarray) -> np.ndarray:
    """Pension TMT: the first day of the month after the BUP birthday."""
    months = birth.astype("datetime64[M]") + (bup.astype(int) * 12 + 1).astype("timedelta64[M]")
    return months.astype("datetime64[D]")


@dataclass
class World:
    """Static reference data as arrays indexed by position row / unit row."""

    units: pd.DataFrame
    positions: pd.DataFrame
    required: np.ndarray  # positions x competencies, 0 = not required
    trainings: pd.DataFrame
    variant: Variant = DEFAULT
    pos_sector: np.ndarray = field(init=False)
    pos_grade: np.ndarray = field(init=False)
    pos_lat: np.ndarray = field(init=False)
    pos_lon: np.ndarray = field(init=False)
    pos_unit: np.ndarray = field(init=False)
    pos_region: np.ndarray = field(init=False)
    pos_min_rank: np.ndarray = field(init=False)
    pos_min_edu: np.ndarray = field(init=False)
    pos_bup: np.ndarray = field(init=False)
    pos_fields: np.ndarray = field(init=False)  # positions x fields, True = accepted
    pos_lists_fields: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        pos, units = self.positions, self.units.set_index("unit_id")
        region_index = {c: i for i, c in enumerate(regions()["region_code"])}
        self.pos_sector = pos["sector"].map(SECTOR_INDEX).to_numpy()
        self.pos_grade = pos["grade"].to_numpy()
        self.pos_lat = units.loc[pos["unit_id"], "lat"].to_numpy()
        self.pos_lon = units.loc[pos["unit_id"], "lon"].to_numpy()
        self.pos_unit = pd.Index(self.units["unit_id"]).get_indexer(pos["unit_id"])
        self.pos_region = pos["region_code"].map(region_index).to_numpy()
        self.pos_min_rank = pos["min_rank"].map(GOLONGAN_ORDINAL).fillna(0).to_numpy()
        self.pos_min_edu = pos["min_education"].map(EDUCATION_ORDINAL).fillna(0).to_numpy()
        self.pos_bup = retirement_age(pos)
        lists = pos["education_fields"].fillna("").to_numpy()
        self.pos_lists_fields = lists != ""
        self.pos_fields = np.zeros((len(pos), len(FIELD_INDEX)), dtype=bool)
        for key in np.unique(lists[self.pos_lists_fields]):
            cols = np.array(
                [FIELD_INDEX[f] for f in str(key).split(";") if f in FIELD_INDEX], dtype=np.int64
            )
            rows = np.flatnonzero(lists == key)
            self.pos_fields[np.ix_(rows, cols)] = True


@dataclass
class State:
    """People ever employed (row = person) and what changes about them year by year."""

    people: pd.DataFrame
    position: np.ndarray
    position_start: np.ndarray
    exit_day: np.ndarray
    level: np.ndarray  # true competency levels (persons x competencies)
    assessed: np.ndarray  # latest assessed level, NaN = never assessed
    gain_since: np.ndarray  # training gains since that assessment
    sector_years: np.ndarray  # years in each sector: SKP records + service before them
    past_resistance: np.ndarray
    pending_rating: np.ndarray  # expected rating of the first year after a move
    pending_year: np.ndarray
    last_rating: np.ndarray
    return_to: np.ndarray  # post a granted return request goes back to (-1: none)
    return_year: np.ndarray  # the year of that return decree
    moved_from: np.ndarray  # post left by the latest move (-1: none), for the programme's truth
    lost_sector_year: np.ndarray  # 1: the decree year's SKP counted in the new post's sector
    pretrained: np.ndarray  # the latest move came with a pre-transfer training (programme)

    def append(self, other: State) -> State:
        merged = {
            name: np.concatenate([getattr(self, name), getattr(other, name)])
            for name in self.__dataclass_fields__
            if name != "people"
        }
        people = pd.concat([self.people, other.people], ignore_index=True)
        return State(people=people, **merged)

    def active_on(self, day: np.datetime64) -> np.ndarray:
        started = self.people["service_start"].to_numpy() <= day
        stayed = np.isnat(self.exit_day) | (self.exit_day > day)
        return np.asarray(started & stayed)

    def observed_levels(self, persons: np.ndarray) -> np.ndarray:
        """Competency level an analyst infers: latest assessment (1 if none) + training gains."""
        assessed = self.assessed[persons]
        return np.where(np.isnan(assessed), 1.0, assessed) + self.gain_since[persons]


def competency_shortfall(world: World, levels: np.ndarray, positions: np.ndarray) -> np.ndarray:
    required = world.required[positions]
    gap = np.where(required > 0, np.maximum(required - levels, 0.0), 0.0)
    return np.asarray(gap.sum(axis=1))


def in_post_features(
    world: World, state: State, *, persons: np.ndarray, posts: np.ndarray
) -> pd.DataFrame:
    """Rating-mechanism inputs of persons in `posts` (grade_step 0: no move involved)."""
    people = state.people
    field_idx = people["field_index"].to_numpy()[persons]
    accepted = world.pos_fields[posts, np.maximum(field_idx, 0)] & (field_idx >= 0)
    lists = world.pos_lists_fields[posts]
    return pd.DataFrame(
        {
            "ability": people["ability"].to_numpy()[persons],
            "years_in_target_sector": state.sector_years[persons, world.pos_sector[posts]].astype(
                float
            ),
            "competency_shortfall": competency_shortfall(
                world, state.observed_levels(persons), posts
            ),
            "education_field_match": np.where(lists, np.where(accepted, 1.0, -1.0), 0.0),
            "below_min_education": (
                people["education_ordinal"].to_numpy()[persons] < world.pos_min_edu[posts]
            ).astype(float),
            "grade_step": np.zeros(len(persons)),
            "talent_box": people["talent_box"].to_numpy()[persons],
        }
    )


def pair_features(
    world: World,
    state: State,
    *,
    persons: np.ndarray,
    targets: np.ndarray,
    decree_day: np.ndarray,
    employee_initiated: np.ndarray,
) -> pd.DataFrame:
    """Inputs of both outcome mechanisms for (person, target position, decree date) triples."""
    people = state.people
    current = state.position[persons]
    home_lat = people["home_lat"].to_numpy()[persons]
    home_lon = people["home_lon"].to_numpy()[persons]
    target_sector = world.pos_sector[targets]
    current_sector = world.pos_sector[current]
    pref_sector = people["pref_sector"].to_numpy()[persons]
    retire = retirement_day(people["birth_date"].to_numpy()[persons], world.pos_bup[current])
    rating_inputs = in_post_features(world, state, persons=persons, posts=targets)
    return rating_inputs.assign(
        grade_step=(world.pos_grade[targets] - world.pos_grade[current]).astype(float),
        distance_home_km=haversine_km(
            home_lat, home_lon, world.pos_lat[targets], world.pos_lon[targets]
        ),
        distance_move_km=haversine_km(
            world.pos_lat[current],
            world.pos_lon[current],
            world.pos_lat[targets],
            world.pos_lon[targets],
        ),
        married=(people["marital_status"].to_numpy()[persons] == "married").astype(float),
        children=people["children"].to_numpy()[persons],
        preference_matched=(
            (people["pref_unit"].to_numpy()[persons] == world.pos_unit[targets])
            | (pref_sector == target_sector)
            | (people["pref_region"].to_numpy()[persons] == world.pos_region[targets])
        ).astype(float),
        unrequested_sector=(
            (pref_sector >= 0) & (pref_sector != target_sector) & (current_sector != target_sector)
        ).astype(float),
        sector_change=(current_sector != target_sector).astype(float),
        years_to_retirement=(retire - decree_day).astype(float) / DAYS_PER_YEAR,
        employee_initiated=employee_initiated.astype(float),
        past_resistance=state.past_resistance[persons].astype(float),
    )
