"""Work units of the demo province: OPD headquarters, hospitals, regional UPT and schools.

A provincial government's staff sit in four kinds of unit: the OPD headquarters in Surabaya
(dinas, badan, sekretariat), the provincial hospitals (RSUD), the regional technical offices
(UPT: Samsat, road and water management, animal breeding, social care homes, Cabang Dinas
Pendidikan) and, since UU 23/2014 moved senior secondary schools to the provinces, the SMA,
SMK and SLB negeri, which hold most of the province's civil servants (teachers). The number of
units of each kind scales with the number of employees; each unit gets a size (expected
headcount) that the position builder turns into formasi.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from simulator.geo import CAPITAL_REGION, PROVINCE_AGENCY, jitter, regions

# OPD headquarters, (name, sector); the first eleven cover every contract sector once.
OPD: Final[tuple[tuple[str, str], ...]] = (
    ("Dinas Pendidikan", "pendidikan"),
    ("Dinas Kesehatan", "kesehatan"),
    ("Badan Pendapatan Daerah", "keuangan"),
    ("Badan Perencanaan Pembangunan Daerah", "perencanaan"),
    ("Dinas Perhubungan", "perhubungan"),
    ("Dinas Lingkungan Hidup", "lingkungan_hidup"),
    ("Dinas Pekerjaan Umum Bina Marga", "pekerjaan_umum"),
    ("Dinas Pemberdayaan Perempuan, Perlindungan Anak dan Kependudukan", "kependudukan"),
    ("Dinas Sosial", "sosial"),
    ("Dinas Pertanian dan Ketahanan Pangan", "pertanian"),
    ("Sekretariat Daerah", "sekretariat"),
    ("Badan Pengelola Keuangan dan Aset Daerah", "keuangan"),
    ("Badan Kepegawaian Daerah", "sekretariat"),
    ("Inspektorat", "sekretariat"),
    ("Dinas Pekerjaan Umum Sumber Daya Air", "pekerjaan_umum"),
    ("Dinas Perumahan Rakyat, Kawasan Permukiman dan Cipta Karya", "pekerjaan_umum"),
    ("Dinas Kehutanan", "lingkungan_hidup"),
    ("Dinas Peternakan", "pertanian"),
    ("Dinas Kelautan dan Perikanan", "pertanian"),
    ("Badan Penanggulangan Bencana Daerah", "sosial"),
    ("Dinas Tenaga Kerja dan Transmigrasi", "sosial"),
    ("Sekretariat DPRD", "sekretariat"),
    ("Badan Pengembangan Sumber Daya Manusia", "sekretariat"),
    ("Dinas Komunikasi dan Informatika", "sekretariat"),
    ("Dinas Pemberdayaan Masyarakat dan Desa", "kependudukan"),
    ("Dinas Energi dan Sumber Daya Mineral", "lingkungan_hidup"),
    ("Badan Riset dan Inovasi Daerah", "perencanaan"),
    ("Badan Kesatuan Bangsa dan Politik", "sekretariat"),
    ("Satuan Polisi Pamong Praja", "sekretariat"),
)

# Provincial hospitals, (name, region_code).
HOSPITALS: Final[tuple[tuple[str, str], ...]] = (
    ("RSUD Dr. Soetomo", "3578"),
    ("RSUD Dr. Saiful Anwar", "3573"),
    ("RSUD Dr. Soedono", "3577"),
    ("RSUD Haji", "3578"),
    ("Rumah Sakit Jiwa Menur", "3578"),
    ("RSUD Dr. R. Soedarsono", "3575"),
)

# Regional technical offices, (sector, name pattern, placement: every region or Bakorwil seat).
UPT: Final[tuple[tuple[str, str, str], ...]] = (
    ("keuangan", "UPT Pendapatan Daerah (Samsat) {r}", "region"),
    ("pendidikan", "Cabang Dinas Pendidikan Wilayah {r}", "region"),
    ("pekerjaan_umum", "UPT Pengelolaan Jalan dan Jembatan {r}", "bakorwil"),
    ("pekerjaan_umum", "UPT Pengelolaan Sumber Daya Air {r}", "bakorwil"),
    ("perhubungan", "UPT Lalu Lintas dan Angkutan Jalan {r}", "bakorwil"),
    ("perhubungan", "UPT Pengujian Kendaraan Bermotor {r}", "region"),
    ("lingkungan_hidup", "Cabang Dinas Kehutanan {r}", "region"),
    ("lingkungan_hidup", "UPT Laboratorium Lingkungan {r}", "bakorwil"),
    ("pertanian", "UPT Proteksi Tanaman Pangan dan Hortikultura {r}", "bakorwil"),
    ("pertanian", "UPT Pembibitan Ternak dan Hijauan Makanan Ternak {r}", "bakorwil"),
    ("sosial", "UPT Pelayanan Sosial Tresna Werdha {r}", "region"),
    ("sosial", "UPT Pelatihan Kerja {r}", "region"),
    ("kesehatan", "UPT Laboratorium Kesehatan Daerah {r}", "bakorwil"),
    ("kependudukan", "UPT Perlindungan Perempuan dan Anak {r}", "bakorwil"),
    ("sekretariat", "Badan Koordinasi Wilayah Pemerintahan dan Pembangunan {r}", "bakorwil"),
)

# Share of all staff in each kind of unit and the typical headcount of one unit of that kind.
KIND_SHARE: Final[dict[str, float]] = {"school": 0.42, "opd": 0.22, "upt": 0.22, "hospital": 0.14}
KIND_TYPICAL_SIZE: Final[dict[str, float]] = {
    "school": 45.0,
    "opd": 250.0,
    "upt": 60.0,
    "hospital": 450.0,
}
SCHOOL_KINDS: Final[tuple[tuple[str, float], ...]] = (
    ("SMA Negeri", 0.5),
    ("SMK Negeri", 0.42),
    ("SLB Negeri", 0.08),
)


def _short_name(name: str) -> str:
    return name.removeprefix("Kota ")


def _unit_count(kind: str, employees: int, available: int) -> int:
    wanted = round(KIND_SHARE[kind] * employees / KIND_TYPICAL_SIZE[kind])
    floor = {"school": 2, "opd": 11, "upt": 3, "hospital": 1}[kind]
    return int(min(available, max(floor, wanted)))


def _opd_rows(employees: int) -> list[tuple[str, str, str, str]]:
    count = _unit_count("opd", employees, len(OPD))
    return [(name, sector, CAPITAL_REGION, "opd") for name, sector in OPD[:count]]


def _hospital_rows(employees: int) -> list[tuple[str, str, str, str]]:
    count = _unit_count("hospital", employees, len(HOSPITALS))
    return [(name, "kesehatan", code, "hospital") for name, code in HOSPITALS[:count]]


def _upt_rows(rng: np.random.Generator, employees: int) -> list[tuple[str, str, str, str]]:
    region_table = regions()
    names = dict(zip(region_table["region_code"], region_table["name"], strict=True))
    seats = sorted(set(region_table["bakorwil"]))
    pool = [
        (pattern.format(r=_short_name(names[code])), sector, code, "upt", kind)
        for kind, (sector, pattern, placement) in enumerate(UPT)
        for code in (region_table["region_code"] if placement == "region" else seats)
    ]
    count = _unit_count("upt", employees, len(pool))
    # Round-robin over the UPT kinds in random order, so that small worlds get a spread.
    shuffled = rng.permutation(len(pool))
    kind_of = np.array([pool[i][4] for i in shuffled])
    rank_in_kind = pd.Series(kind_of).groupby(kind_of).cumcount().to_numpy()
    chosen = shuffled[np.argsort(rank_in_kind, kind="stable")][:count]
    return [pool[i][:4] for i in sorted(chosen)]


def _school_rows(rng: np.random.Generator, employees: int) -> list[tuple[str, str, str, str]]:
    region_table = regions()
    count = _unit_count("school", employees, 10_000)
    region_idx = rng.choice(len(region_table), size=count, p=region_table["weight"].to_numpy())
    kind_idx = rng.choice(len(SCHOOL_KINDS), size=count, p=[k[1] for k in SCHOOL_KINDS])
    frame = pd.DataFrame({"region": region_idx, "kind": kind_idx})
    number = frame.groupby(["region", "kind"]).cumcount().to_numpy() + 1
    codes = region_table["region_code"].to_numpy()
    names = region_table["name"].to_numpy()
    return [
        (
            f"{SCHOOL_KINDS[k][0]} {n} {_short_name(str(names[r]))}",
            "pendidikan",
            str(codes[r]),
            "school",
        )
        for r, k, n in zip(region_idx, kind_idx, number, strict=True)
    ]


def build_units(rng: np.random.Generator, *, employees: int) -> pd.DataFrame:
    """Units with contract columns plus `kind` and `size` (expected headcount) for the builder."""
    rows = (
        _opd_rows(employees)
        + _hospital_rows(employees)
        + _upt_rows(rng, employees)
        + _school_rows(rng, employees)
    )
    frame = pd.DataFrame(rows, columns=["name", "sector", "region_code", "kind"])
    region_table = regions().set_index("region_code")
    kinds = frame["kind"].to_numpy()
    counts = frame["kind"].value_counts()
    share = np.array([KIND_SHARE[k] / counts[k] for k in kinds])
    size = employees * share * rng.lognormal(0.0, 0.3, size=len(frame))
    lat, lon = jitter(
        rng,
        region_table.loc[frame["region_code"], "lat"].to_numpy(),
        region_table.loc[frame["region_code"], "lon"].to_numpy(),
        km=3.0,
    )
    return frame.assign(
        unit_id=[f"UK{i + 1:05d}" for i in range(len(frame))],
        agency=PROVINCE_AGENCY,
        lat=lat,
        lon=lon,
        size=np.maximum(size, 4.0),
    )
