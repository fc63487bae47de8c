"""Shared fixtures: a tiny valid agency export, hand-built, that every area can start from.

`valid_agency_frames()` returns the ten tables as string frames (as a reader yields them);
`write_agency(frames, folder)` writes them as CSV (or another format per table);
`valid_agency_dir` is a folder holding all ten tables as CSV.
`world` is, once per session, a real small demo agency ingested and trained (a @champion in a
real MLflow SQLite store), shared by the planning and serving tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from models.contract.enums import Table
from pipelines.settings import Settings

pytest_plugins = ["tests.databases"]

# The reference date of the fixture world: every date in it is on or before this day.
FIXTURE_TODAY = date(2025, 6, 30)

# NIP = birth date YYYYMMDD + CPNS start YYYYMM + sex digit (1 = L, 2 = P) + sequence.
NIP_ANI = "198501152010012001"  # born 1985-01-15, CPNS 2010-01, P
NIP_BUDI = "197803202003121002"  # born 1978-03-20, CPNS 2003-12, L
NIP_CITRA = "199002282015032003"  # born 1990-02-28, CPNS 2015-03, P
NIP_DEDI = "196811052000011004"  # born 1968-11-05, CPNS 2000-01, L
NIP_RETIRED = "195901011985031005"  # left service: appears in history only


def _frame(header: str, *rows: str) -> pd.DataFrame:
    columns = header.split("|")
    return pd.DataFrame([r.split("|") for r in rows], columns=columns, dtype=str)


def valid_agency_frames() -> dict[Table, pd.DataFrame]:
    """All ten tables of a small agency that keeps the contract, every cell a string."""
    return {
        Table.UNITS: _frame(
            "unit_id|name|agency|sector|region_code|lat|lon",
            "U1|Dinas Kesehatan|Pemerintah Kota Bukittinggi|kesehatan|1375|-0.3050|100.3690",
            "U2|Dinas Pendidikan|Pemerintah Kota Bukittinggi|pendidikan|1375||",
        ),
        Table.POSITIONS: _frame(
            "position_id|unit_id|title|job_type|grade|min_rank|min_education|education_fields"
            "|required_headcount|workload_hours",
            "P1|U1|Kepala Seksi Pelayanan|pengawas|9|III/c|S1|kesehatan masyarakat;kedokteran|1|",
            "P2|U1|Analis Kesehatan|pelaksana|7||D3||2|2500",
            "P3|U2|Guru Ahli Muda|fungsional|10|III/c|S1|pendidikan|1|",
            "P4|U2|Kepala Bidang|administrator|11|III/d|S2||0|",
        ),
        Table.EMPLOYEES: _frame(
            "nip|name|birth_date|gender|employment_type|rank|education_level|education_field"
            "|position_id|position_start|service_start|home_region_code|home_lat|home_lon"
            "|marital_status|children|talent_box|on_hold",
            f"{NIP_ANI}|Ani Lestari|1985-01-15|P|pns|III/c|S1|kesehatan masyarakat|P1|2021-03-01"
            "|2010-01-01|1375|-0.31|100.37|married|2|8|",
            f"{NIP_BUDI}|Budi Santoso|1978-03-20|L|pns|III/d|S2|pendidikan|P4|2019-07-01"
            "|2003-12-01|1306|||married|3|5|",
            f"{NIP_CITRA}|Citra Dewi|1990-02-28|P|pppk||D3|analis kesehatan|P2|2022-01-03"
            "|2015-03-01||||single|||",
            f"{NIP_DEDI}|Dedi Kurniawan|1968-11-05|L|pns|III/c|S1|pendidikan|P3|2016-01-04"
            "|2000-01-01|1375|||widowed|1|6|cuti belajar",
        ),
        Table.PERFORMANCE: _frame(
            "nip|year|position_id|rating|score",
            f"{NIP_ANI}|2022|P1|baik|82.5",
            f"{NIP_ANI}|2023|P1|sangat_baik|91",
            f"{NIP_BUDI}|2023|P4|baik|",
            f"{NIP_CITRA}|2023|P2|butuh_perbaikan|64",
            f"{NIP_RETIRED}|2018|P0|kurang|55",
        ),
        Table.COMPETENCIES: _frame(
            "nip|competency|level|assessed_on",
            f"{NIP_ANI}|integritas|4|2023-05-10",
            f"{NIP_ANI}|teknis_kesehatan|3|2023-05-10",
            f"{NIP_BUDI}|pengambilan_keputusan|3|2022-09-01",
        ),
        Table.POSITION_COMPETENCIES: _frame(
            "position_id|competency|required_level",
            "P1|integritas|3",
            "P1|teknis_kesehatan|4",
            "P4|pengambilan_keputusan|4",
        ),
        Table.TRAININGS: _frame(
            "training_id|name|competency|hours|level_gain",
            "T1|Pelatihan Manajemen Puskesmas|teknis_kesehatan|40|1",
            "T2|Pelatihan Kepemimpinan Administrator|pengambilan_keputusan|120|",
        ),
        Table.TRAINING_HISTORY: _frame(
            "nip|training_id|completed_on",
            f"{NIP_ANI}|T1|2024-02-20",
        ),
        Table.TRANSFERS: _frame(
            "transfer_id|nip|from_position_id|to_position_id|decree_date|effective_date"
            "|initiated_by|resistance",
            f"M1|{NIP_ANI}|P2|P1|2021-02-01|2021-03-01|agency|none",
            f"M2|{NIP_BUDI}|P3|P4|2019-06-03|2019-07-01|employee|objection",
            f"M3|{NIP_RETIRED}|P0|P2|2017-01-10||agency|refusal",
        ),
        Table.PREFERENCES: _frame(
            "nip|kind|value|priority",
            f"{NIP_ANI}|unit|U2|1",
            f"{NIP_BUDI}|sector|pendidikan|1",
            f"{NIP_BUDI}|region|1375|2",
        ),
    }


def write_agency(
    frames: dict[Table, pd.DataFrame], folder: Path, formats: dict[Table, str] | None = None
) -> Path:
    """Write tables to `folder` as NAME.csv (default), NAME.parquet or NAME.xlsx."""
    folder.mkdir(parents=True, exist_ok=True)
    for table, frame in frames.items():
        fmt = (formats or {}).get(table, "csv")
        path = folder / f"{table.value}.{fmt}"
        if fmt == "csv":
            frame.to_csv(path, index=False)
        elif fmt == "parquet":
            frame.to_parquet(path, index=False)
        else:
            frame.to_excel(path, index=False, sheet_name=table.value)
    return folder


@pytest.fixture
def valid_agency_dir(tmp_path: Path) -> Path:
    """A folder with all ten tables of a small valid agency, as CSV."""
    return write_agency(valid_agency_frames(), tmp_path / "agency")


# --- A real small world: demo agency -> ingest -> train -> @champion (once per session) ---

WORLD_EMPLOYEES = 600
WORLD_SEED = 11


@dataclass(frozen=True)
class World:
    settings: Settings
    data_dir: Path  # the demo export, with its _truth/ folder


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    from pipelines.ingest import ingest_folder
    from pipelines.train import run_training
    from simulator import generate_agency

    root = tmp_path_factory.mktemp("world")
    settings = Settings(home=root / "home")
    data_dir = root / "agency"
    generate_agency(data_dir, employees=WORLD_EMPLOYEES, seed=WORLD_SEED)
    ingest_folder(data_dir, settings=settings)
    run_training(settings)
    return World(settings=settings, data_dir=data_dir)
