"""Turning the simulated world into the contract's tables (frames; writing is writer.py's)."""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from models.contract.enums import GOLONGAN, SECTORS, Table, all_columns
from simulator.geo import regions
from simulator.history import Records
from simulator.positions import competency_codes, position_competencies
from simulator.selection import current_rank
from simulator.state import State, World

ON_HOLD_TEXTS: Final[tuple[tuple[str, float], ...]] = (
    ("hukuman disiplin tingkat sedang (PP 94/2021)", 0.008),
    ("tugas belajar S2 (SK Gubernur)", 0.01),
    ("ikatan dinas pascapendidikan", 0.006),
    ("sedang menjalani pemeriksaan perkara pidana", 0.002),
)
CPNS_PLEDGE: Final[str] = "CPNS: surat pernyataan tidak mengajukan pindah selama 10 tahun"


def iso(days: np.ndarray) -> np.ndarray:
    """ISO dates as strings; NaT becomes None (an empty cell)."""
    text = np.datetime_as_string(days.astype("datetime64[D]"), unit="D")
    missing = np.isnat(days)
    if not missing.any():
        return text
    with_gaps = text.astype(object)
    with_gaps[missing] = None
    return np.asarray(with_gaps)


def nips(people: pd.DataFrame) -> np.ndarray:
    """NIP: birth date YYYYMMDD + TMT CPNS YYYYMM + sex digit + 3-digit sequence, unique."""
    birth = np.char.replace(
        np.datetime_as_string(people["birth_date"].to_numpy(), unit="D"), "-", ""
    )
    start = np.char.replace(
        np.datetime_as_string(people["service_start"].to_numpy(), unit="M"), "-", ""
    )
    sex = np.where(people["gender"].to_numpy() == "L", "1", "2")
    stem = np.char.add(np.char.add(birth, start), sex)
    sequence = pd.Series(stem).groupby(stem).cumcount().to_numpy() + 1
    return np.char.add(stem, np.char.zfill(sequence.astype(str), 3))


def _on_hold(rng: np.random.Generator, people: pd.DataFrame, as_of_year: int) -> np.ndarray:
    u = rng.random(len(people))
    texts = np.full(len(people), None, dtype=object)
    low = 0.0
    for text, share in ON_HOLD_TEXTS:
        texts[(u >= low) & (u < low + share)] = text
        low += share
    recent = people["service_start"].to_numpy() >= np.datetime64(f"{as_of_year - 3}-01-01")
    pledge = recent & (people["employment_type"].to_numpy() == "pns") & (rng.random(len(u)) < 0.3)
    texts[pledge & (texts == None)] = CPNS_PLEDGE  # noqa: E711 (elementwise on an object array)
    return texts


def employees_table(
    rng: np.random.Generator,
    world: World,
    state: State,
    *,
    nip: np.ndarray,
    as_of_day: np.datetime64,
) -> pd.DataFrame:
    persons = np.flatnonzero(state.active_on(as_of_day))
    people = state.people.iloc[persons].reset_index(drop=True)
    rank = current_rank(state, persons, np.full(len(persons), as_of_day))
    golongan = np.array(GOLONGAN, dtype=object)[rank]
    golongan[people["employment_type"].to_numpy() != "pns"] = None
    frame = people.assign(
        nip=nip[persons],
        birth_date=iso(people["birth_date"].to_numpy()),
        service_start=iso(people["service_start"].to_numpy()),
        rank=golongan,
        position_id=world.positions["position_id"].to_numpy()[state.position[persons]],
        position_start=iso(state.position_start[persons]),
        children=people["children"].astype("int64"),
        talent_box=people["talent_box"].astype("Int64"),
        on_hold=_on_hold(rng, people, int(str(as_of_day)[:4])),
    )
    return frame[list(all_columns(Table.EMPLOYEES))].assign(person=persons)


def history_tables(
    world: World, state: State, records: Records, *, nip: np.ndarray, as_of_day: np.datetime64
) -> dict[Table, pd.DataFrame]:
    """performance, competencies, training_history and transfers from the event records.

    The contract keys competencies and training_history to current employees, so only
    theirs are kept; performance and transfers keep everyone (history)."""
    pos_ids = world.positions["position_id"].to_numpy()
    current = state.active_on(as_of_day)
    perf = records.frame("performance")
    comps = records.frame("assessments")
    comps = comps.loc[current[comps["person"].to_numpy()]]
    train = records.frame("trainings")
    train = train.loc[current[train["person"].to_numpy()]]
    codes = np.array(competency_codes())
    return {
        Table.PERFORMANCE: pd.DataFrame(
            {
                "nip": nip[perf["person"]],
                "year": perf["year"].astype("int64"),
                "position_id": pos_ids[perf["position"]],
                "rating": perf["rating"],
                "score": perf["score"],
            }
        ),
        Table.COMPETENCIES: pd.DataFrame(
            {
                "nip": nip[comps["person"]],
                "competency": codes[comps["competency"]],
                "level": comps["level"].astype("int64"),
                "assessed_on": iso(comps["day"].to_numpy()),
            }
        ),
        Table.TRAINING_HISTORY: pd.DataFrame(
            {
                "nip": nip[train["person"]],
                "training_id": world.trainings["training_id"].to_numpy()[train["training"]],
                "completed_on": iso(train["day"].to_numpy()),
            }
        ),
        Table.TRANSFERS: transfers_table(world, records, nip=nip),
    }


def transfers_table(world: World, records: Records, *, nip: np.ndarray) -> pd.DataFrame:
    """transfers.csv plus the truth columns (expected rating, resistance probability)."""
    pos_ids = world.positions["position_id"].to_numpy()
    parts = records.moves

    def cat(name: str) -> np.ndarray:
        return np.concatenate([getattr(m, name) for m in parts]) if parts else np.array([])

    decree = cat("decree_day").astype("datetime64[D]")
    person = cat("persons").astype(int)
    year = decree.astype("datetime64[Y]").astype(int) + 1970
    sequence = pd.Series(year).groupby(year).cumcount().to_numpy() + 1
    return pd.DataFrame(
        {
            "transfer_id": [f"MT{y}-{s:06d}" for y, s in zip(year, sequence, strict=True)],
            "nip": nip[person],
            "from_position_id": pos_ids[cat("from_position").astype(int)],
            "to_position_id": pos_ids[cat("to_position").astype(int)],
            "decree_date": iso(decree),
            "effective_date": iso(cat("effective_day").astype("datetime64[D]")),
            "initiated_by": np.where(cat("employee_initiated").astype(bool), "employee", "agency"),
            "resistance": cat("resistance"),
            "expected_post_move_rating": np.round(cat("expected_rating"), 4),
            "resistance_probability": np.round(cat("resistance_probability"), 4),
            "person": person,
        }
    )


def preferences_table(
    rng: np.random.Generator, world: World, state: State, employees: pd.DataFrame
) -> pd.DataFrame:
    """preferences.csv for current employees: their unit, sector and region asks, ranked."""
    people = state.people.iloc[employees["person"].to_numpy()]
    unit_ids = world.units["unit_id"].to_numpy()
    region_codes = regions()["region_code"].to_numpy()
    rows = []
    for kind, column, labels in (
        ("unit", "pref_unit", unit_ids),
        ("sector", "pref_sector", np.array(SECTORS)),
        ("region", "pref_region", region_codes),
    ):
        value = people[column].to_numpy()
        stated = value >= 0
        rows.append(
            pd.DataFrame(
                {
                    "nip": employees["nip"].to_numpy()[stated],
                    "kind": kind,
                    "value": labels[value[stated]],
                }
            )
        )
    frame = pd.concat(rows, ignore_index=True).assign(order=rng.random(sum(map(len, rows))))
    frame = frame.sort_values(["nip", "order"], kind="stable").reset_index(drop=True)
    return frame.assign(priority=frame.groupby("nip").cumcount() + 1).drop(columns="order")


def reference_tables(world: World) -> dict[Table, pd.DataFrame]:
    return {
        Table.UNITS: world.units[list(all_columns(Table.UNITS))],
        Table.POSITIONS: world.positions[list(all_columns(Table.POSITIONS))].assign(
            education_fields=world.positions["education_fields"].replace("", None)
        ),
        Table.POSITION_COMPETENCIES: position_competencies(world.positions, world.required),
        Table.TRAININGS: world.trainings[list(all_columns(Table.TRAININGS))],
    }
