"""The demo agency: a synthetic Pemerintah Provinsi Jawa Timur written to the data contract,
with the ground truth its outcomes were drawn from (`OUT/_truth/`).

`generate_agency` is the entry point (the CLI's `mutasi demo-data` calls it). The outcome
mechanisms are in `simulator.outcomes` (`expected_post_move_rating`,
`resistance_probability`), documented there and in `_truth/truth.json`.
"""

from __future__ import annotations

import logging
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from models.contract.enums import Table
from models.contract.tables import AgencyData
from simulator.evaluation import evaluation_pools
from simulator.export import (
    employees_table,
    history_tables,
    nips,
    preferences_table,
    reference_tables,
)
from simulator.history import Records, headcounts, simulate
from simulator.people import name_pools, to_day
from simulator.positions import build_positions, competency_codes, required_levels
from simulator.programme import Programme, programme_truth
from simulator.state import State, World
from simulator.summary import DemoSummary
from simulator.trainings import build_trainings
from simulator.truth import (
    eval_pools_truth,
    trainings_truth,
    transfers_truth,
    truth_summary,
)
from simulator.units import build_units
from simulator.variants import DEFAULT, VARIANTS, Variant, variant_named
from simulator.writer import DemoDataError, check_output_folder, write_layout, write_truth

DEFAULT_AS_OF = date(2026, 6, 30)
MIN_EMPLOYEES, MAX_EMPLOYEES = 100, 1_000_000

logger = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_AS_OF",
    "VARIANTS",
    "DemoDataError",
    "DemoSummary",
    "Programme",
    "agency_data",
    "generate_agency",
    "variant_named",
]


def _check(out_dir: Path, *, employees: int, years: int, file_format: str) -> None:
    check_output_folder(out_dir, file_format=file_format)
    if not MIN_EMPLOYEES <= employees <= MAX_EMPLOYEES:
        raise DemoDataError(
            f"Jumlah pegawai harus {MIN_EMPLOYEES}..{MAX_EMPLOYEES}, bukan {employees} / "
            f"employees must be {MIN_EMPLOYEES}..{MAX_EMPLOYEES}, not {employees}"
        )
    if not 2 <= years <= 30:
        raise DemoDataError(
            f"Lama riwayat harus 2..30 tahun, bukan {years} / years must be 2..30, not {years}"
        )


def build_world(rng: np.random.Generator, *, employees: int, variant: Variant = DEFAULT) -> World:
    units = build_units(rng, employees=employees)
    units = units.assign(keeps_score=rng.random(len(units)) < 0.8)
    positions = build_positions(rng, units)
    required = required_levels(rng, positions)
    trainings = build_trainings(rng)
    code_index = {c: i for i, c in enumerate(competency_codes())}
    trainings = trainings.assign(competency_index=trainings["competency"].map(code_index))
    return World(
        units=units, positions=positions, required=required, trainings=trainings, variant=variant
    )


def post_move_label_share(transfers: pd.DataFrame, performance: pd.DataFrame) -> float:
    """Share of transfers with a post-move label (the contract's definition)."""
    moved = transfers.dropna(subset=["effective_date"])
    year = pd.to_datetime(moved["effective_date"]).dt.year
    joined = moved.assign(effective_year=year.to_numpy()).merge(
        performance, left_on=["nip", "to_position_id"], right_on=["nip", "position_id"]
    )
    labelled = joined.loc[joined["year"] > joined["effective_year"], "transfer_id"].nunique()
    return float(labelled / max(len(transfers), 1))


def contract_tables(
    rng: np.random.Generator,
    world: World,
    state: State,
    records: Records,
    *,
    nip: np.ndarray,
    as_of_day: np.datetime64,
) -> dict[Table, pd.DataFrame]:
    """Every contract table (transfers also carry their truth columns, employees `person`)."""
    employees_frame = employees_table(rng, world, state, nip=nip, as_of_day=as_of_day)
    tables = {**reference_tables(world), Table.EMPLOYEES: employees_frame}
    tables.update(history_tables(world, state, records, nip=nip, as_of_day=as_of_day))
    tables[Table.PREFERENCES] = preferences_table(rng, world, state, employees_frame)
    return tables


def _table_stats(tables: dict[Table, pd.DataFrame]) -> dict[str, Any]:
    """Row counts, the resistance rate and the share of transfers with a post-move label."""
    transfers = tables[Table.TRANSFERS]
    return {
        "rows": {t.value: len(f) for t, f in tables.items()},
        "resistance_rate": float((transfers["resistance"] != "none").mean()),
        "post_move_label_share": post_move_label_share(transfers, tables[Table.PERFORMANCE]),
    }


def generate_agency(
    out_dir: Path,
    *,
    employees: int,
    seed: int,
    as_of: date | None = None,
    years: int = 10,
    file_format: str = "csv",
    layout: str = "contract",
    messy: bool = False,
    programme: Programme | None = None,
    variant: str = DEFAULT.name,
) -> DemoSummary:
    """Simulate the agency for `years` years up to `as_of` and write it to `out_dir`:
    the contract's tables as `file_format`, the ground truth as CSV/JSON under `_truth/`.
    `variant` names the latent world (`simulator.variants`; "default" is the original)."""
    _check(out_dir, employees=employees, years=years, file_format=file_format)
    as_of = as_of or DEFAULT_AS_OF
    as_of_day = to_day(as_of)
    rng = np.random.default_rng(seed)
    world = build_world(rng, employees=employees, variant=variant_named(variant))
    programme = programme or Programme()
    state, records = simulate(
        rng,
        world,
        employees=employees,
        as_of=as_of,
        years=years,
        pools=name_pools(seed),
        programme=programme,
    )
    nip = nips(state.people)
    tables = contract_tables(rng, world, state, records, nip=nip, as_of_day=as_of_day)
    pools = evaluation_pools(
        rng, world, state, as_of_day=as_of_day, headcount=headcounts(world, state, as_of_day)
    )
    transfers, employees_frame = tables[Table.TRANSFERS], tables[Table.EMPLOYEES]
    write_layout(out_dir, tables, file_format=file_format, layout=layout, messy=messy)
    summary = DemoSummary(
        out_dir=out_dir,
        employees=len(employees_frame),
        seed=seed,
        as_of=as_of,
        years=years,
        file_format=file_format,
        **_table_stats(tables),
    )
    write_truth(
        out_dir,
        transfers=transfers_truth(transfers, current_nips=employees_frame["nip"]),
        pools=eval_pools_truth(pools, world=world, nip=nip, as_of_day=as_of_day),
        trainings=trainings_truth(world.trainings),
        summary=truth_summary(summary, world=world) | {"programme": programme.truth()},
    )
    if programme != Programme():
        realised = programme_truth(records.frame("programme"), nip=nip)
        realised.to_csv(out_dir / "_truth" / "programme_truth.csv", index=False)
    logger.info(
        "demo agency written: %s employees, %s transfers", summary.employees, len(transfers)
    )
    return summary


def agency_data(
    *,
    employees: int,
    seed: int,
    as_of: date | None = None,
    years: int = 10,
    programme: Programme | None = None,
    variant: str = DEFAULT.name,
) -> AgencyData:
    """The demo agency in memory, as ingest would load it: the one synthetic-agency builder
    for tests and benchmarks that need canonical tables rather than an export folder."""
    from pipelines.ingest import read_and_validate

    with tempfile.TemporaryDirectory(prefix="mutasi-world-") as folder:
        generate_agency(
            Path(folder),
            employees=employees,
            seed=seed,
            as_of=as_of,
            years=years,
            programme=programme,
            variant=variant,
        )
        return read_and_validate(Path(folder), today=as_of or DEFAULT_AS_OF)
