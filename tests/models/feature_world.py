"""A tiny synthetic agency for feature, leakage and policy tests (canonical dtypes)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from models.contract.enums import Table
from models.contract.tables import AgencyData, column_dtypes


def nip(birth: str, cpns: str, sex: int, seq: int) -> str:
    """An 18-digit NIP: birth YYYYMMDD + CPNS start YYYYMM + sex digit + sequence."""
    return f"{birth}{cpns}{sex}{seq:03d}"


ANI = nip("19800115", "200503", 2, 1)  # in P1 (health) since 2015
BUDI = nip("19850610", "201001", 1, 2)  # P1 until 2021, then P2 (education)
CITRA = nip("19900301", "201501", 2, 3)  # pppk in P3
DEDI = nip("19660720", "199001", 1, 4)  # near retirement, on hold, P3
EKO = nip("19700101", "199501", 1, 5)  # left service; moved P2 -> P1 in 2019

SNAPSHOT = "2025-06-30"


def table(name: Table, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A frame of a contract table with every column and the canonical dtypes."""
    dtypes = column_dtypes(name)
    frame = pd.DataFrame(rows, columns=list(dtypes))
    for column, dtype in dtypes.items():
        if dtype.startswith("datetime"):
            frame[column] = pd.to_datetime(frame[column])
    return frame.astype(dtypes)


def base_frames() -> dict[Table, pd.DataFrame]:
    units = [
        dict(unit_id="U1", name="Dinas Kesehatan", agency="Kota", sector="kesehatan",
             region_code="1371", lat=-0.95, lon=100.35),
        dict(unit_id="U2", name="Dinas Pendidikan", agency="Kota", sector="pendidikan",
             region_code="1375", lat=-0.30, lon=100.37),
        dict(unit_id="U3", name="BPKAD", agency="Kota", sector="keuangan",
             region_code="1375", lat=None, lon=None),
    ]  # fmt: skip
    positions = [
        dict(position_id="P1", unit_id="U1", title="Pengelola Data", job_type="pelaksana",
             grade=7, min_rank="II/a", min_education="SMA", required_headcount=2),
        dict(position_id="P2", unit_id="U2", title="Guru Ahli Madya", job_type="fungsional",
             grade=11, min_rank="III/c", min_education="S1",
             education_fields="pendidikan;Matematika", required_headcount=2),
        dict(position_id="P3", unit_id="U3", title="Kepala Bagian", job_type="administrator",
             grade=9, min_rank="III/d", min_education="S1", required_headcount=1),
    ]  # fmt: skip
    employees = [
        dict(nip=ANI, birth_date="1980-01-15", gender="P", employment_type="pns", rank="III/b",
             education_level="S1", education_field="kesehatan masyarakat", position_id="P1",
             position_start="2015-02-01", service_start="2005-03-01", home_region_code="1371",
             home_lat=-0.95, home_lon=100.36, marital_status="married", children=2, talent_box=7),
        dict(nip=BUDI, birth_date="1985-06-10", gender="L", employment_type="pns", rank="III/c",
             education_level="S2", education_field="Matematika", position_id="P2",
             position_start="2021-04-01", service_start="2010-01-01", home_region_code="1375",
             home_lat=None, home_lon=None, marital_status="single", children=0, talent_box=5),
        dict(nip=CITRA, birth_date="1990-03-01", gender="P", employment_type="pppk",
             education_level="S1", education_field="akuntansi", position_id="P3",
             position_start="2020-01-01", service_start="2015-01-01"),
        dict(nip=DEDI, birth_date="1966-07-20", gender="L", employment_type="pns", rank="IV/a",
             education_level="S1", position_id="P3", position_start=SNAPSHOT,
             service_start="1990-01-01", on_hold="kasus disiplin"),
    ]  # fmt: skip
    performance = [
        dict(nip=ANI, year=y, position_id="P1", rating="baik", score=80.0 + y - 2014)
        for y in range(2014, 2025)
    ] + [
        dict(nip=BUDI, year=y, position_id="P1" if y < 2021 else "P2", rating="sangat_baik",
             score=90.0)
        for y in range(2016, 2025)
    ] + [
        dict(nip=EKO, year=y, position_id="P2" if y < 2019 else "P1", rating="butuh_perbaikan",
             score=60.0)
        for y in range(2015, 2022)
    ]  # fmt: skip
    transfers = [
        dict(transfer_id="T1", nip=EKO, from_position_id="P2", to_position_id="P1",
             decree_date="2019-05-01", effective_date="2019-06-01", initiated_by="agency",
             resistance="objection"),
        dict(transfer_id="T2", nip=BUDI, from_position_id="P1", to_position_id="P2",
             decree_date="2021-03-01", effective_date="2021-04-01", initiated_by="employee",
             resistance="none"),
        dict(transfer_id="T0", nip=EKO, from_position_id="P1", to_position_id="P2",
             decree_date="2014-01-10", effective_date="2014-02-01", initiated_by="agency",
             resistance="return_request"),
    ]  # fmt: skip
    competencies = [
        dict(nip=ANI, competency="integritas", level=3, assessed_on="2018-05-01"),
        dict(nip=ANI, competency="integritas", level=4, assessed_on="2022-05-01"),
        dict(nip=BUDI, competency="teknis_pengajaran", level=2, assessed_on="2020-01-10"),
        dict(nip=EKO, competency="teknis_pengajaran", level=2, assessed_on="2018-01-10"),
    ]  # fmt: skip
    position_competencies = [
        dict(position_id="P1", competency="integritas", required_level=3),
        dict(position_id="P2", competency="integritas", required_level=3),
        dict(position_id="P2", competency="teknis_pengajaran", required_level=4),
    ]  # fmt: skip
    trainings = [
        dict(training_id="TR1", name="Diklat Pengajaran", competency="teknis_pengajaran",
             hours=40.0, level_gain=1.0),
        dict(training_id="TR2", name="Integritas ASN", competency="integritas", hours=20.0,
             level_gain=2.0),
    ]  # fmt: skip
    training_history = [
        dict(nip=BUDI, training_id="TR1", completed_on="2020-06-01"),
        dict(nip=ANI, training_id="TR2", completed_on="2024-01-01"),
    ]
    preferences = [
        dict(nip=ANI, kind="sector", value="kesehatan", priority=1),
        dict(nip=ANI, kind="region", value="1375", priority=2),
    ]
    rows = {
        Table.UNITS: units,
        Table.POSITIONS: positions,
        Table.EMPLOYEES: employees,
        Table.PERFORMANCE: performance,
        Table.TRANSFERS: transfers,
        Table.COMPETENCIES: competencies,
        Table.POSITION_COMPETENCIES: position_competencies,
        Table.TRAININGS: trainings,
        Table.TRAINING_HISTORY: training_history,
        Table.PREFERENCES: preferences,
    }
    return {name: table(name, data) for name, data in rows.items()}


def with_rows(name: Table, *rows: dict[str, Any]) -> pd.DataFrame:
    """The tiny agency's table `name` with `rows` appended."""
    return pd.concat([base_frames()[name], table(name, list(rows))], ignore_index=True)


def world(**overrides: pd.DataFrame) -> AgencyData:
    """The tiny agency, with any table replaced by keyword (e.g. employees=...)."""
    frames: dict[Table | str, pd.DataFrame] = dict(base_frames())
    frames.update(overrides)
    return AgencyData.from_frames(frames)
