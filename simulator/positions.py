"""Positions (formasi jabatan) of each unit, their ABK need and their competency standards.

Kelas jabatan follow the usual bands: JPT pratama 14-15, administrator 11-12, pengawas 9,
fungsional ahli pertama 8 / muda 9 / madya 11-12 / utama 13, terampil 6, pelaksana 5-7. A
position's need comes from a workload analysis (ABK: workload hours / 1,250 effective hours a
year); some positions are sized for one person (heads), the rest scale with the unit's size.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from models.contract.enums import (
    ABK_HOURS_PER_FTE,
    MANAGERIAL_COMPETENCIES,
    SECTORS,
    SOCIO_CULTURAL_COMPETENCY,
    TECHNICAL_COMPETENCY_PREFIX,
)

# Majors by sector (S1/D3); the first ones are the sector's core fields.
SECTOR_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    "pendidikan": (
        "pendidikan matematika",
        "pendidikan bahasa indonesia",
        "pendidikan bahasa inggris",
        "pendidikan biologi",
        "pendidikan fisika",
        "pendidikan ekonomi",
        "bimbingan konseling",
        "pendidikan teknik mesin",
    ),
    "kesehatan": ("keperawatan", "kebidanan", "kedokteran", "farmasi", "kesehatan masyarakat"),
    "keuangan": ("akuntansi", "manajemen", "ekonomi pembangunan", "perpajakan"),
    "perencanaan": ("perencanaan wilayah dan kota", "ekonomi pembangunan", "statistika"),
    "perhubungan": ("transportasi", "teknik sipil", "teknik mesin"),
    "lingkungan_hidup": ("teknik lingkungan", "kehutanan", "biologi", "kimia"),
    "pekerjaan_umum": ("teknik sipil", "teknik pengairan", "arsitektur"),
    "kependudukan": ("sosiologi", "statistika", "ilmu administrasi negara"),
    "sosial": ("ilmu kesejahteraan sosial", "psikologi", "sosiologi"),
    "pertanian": ("agroteknologi", "agribisnis", "peternakan", "perikanan"),
    "sekretariat": ("ilmu administrasi negara", "hukum", "ilmu pemerintahan", "manajemen"),
}

# Functional post of each sector: (ahli title, terampil title).
SECTOR_JF: Final[dict[str, tuple[str, str]]] = {
    "pendidikan": ("Pengembang Teknologi Pembelajaran", "Pranata Laboratorium Pendidikan"),
    "kesehatan": ("Administrator Kesehatan", "Pranata Laboratorium Kesehatan"),
    "keuangan": ("Analis Keuangan Pusat dan Daerah", "Pranata Keuangan"),
    "perencanaan": ("Perencana", "Statistisi"),
    "perhubungan": ("Penguji Kendaraan Bermotor", "Penguji Kendaraan Bermotor"),
    "lingkungan_hidup": ("Pengendali Dampak Lingkungan", "Pengendali Ekosistem Hutan"),
    "pekerjaan_umum": ("Teknik Jalan dan Jembatan", "Teknik Pengairan"),
    "kependudukan": ("Penggerak Swadaya Masyarakat", "Administrator Database Kependudukan"),
    "sosial": ("Pekerja Sosial", "Penyuluh Sosial"),
    "pertanian": ("Penyuluh Pertanian", "Pengawas Benih Tanaman"),
    "sekretariat": ("Analis Sumber Daya Manusia Aparatur", "Arsiparis"),
}

BIDANG: Final[tuple[str, ...]] = ("Program", "Pelayanan", "Pengendalian", "Pengembangan")

# (title, job_type, grade, min_rank, min_education, fields, share of unit size or 0 = one post)
# "{unit}" is the unit name, "{jf}"/"{jft}" the sector's functional titles, fields "sector"
# means the sector's majors.
Template = tuple[str, str, int, str, str, str, float]
_COMMON_STAFF: Final[tuple[Template, ...]] = (
    ("Penelaah Teknis Kebijakan", "pelaksana", 7, "III/a", "S1", "", 0.10),
    ("Pengolah Data dan Informasi", "pelaksana", 6, "II/c", "D3", "", 0.10),
    ("Pengadministrasi Perkantoran", "pelaksana", 5, "II/a", "SMA", "", 0.12),
    ("Operator Layanan Operasional", "pelaksana", 5, "II/a", "SMA", "", 0.08),
)
TEMPLATES: Final[dict[str, tuple[Template, ...]]] = {
    "opd": (
        ("Kepala {unit}", "jpt", 15, "IV/c", "S2", "", 0.0),
        ("Sekretaris {unit}", "administrator", 12, "IV/a", "S1", "", 0.0),
        ("Kepala Bidang Program", "administrator", 12, "III/d", "S1", "", 0.0),
        ("Kepala Bidang Pelayanan", "administrator", 12, "III/d", "S1", "", 0.0),
        ("Kepala Subbagian Umum dan Kepegawaian", "pengawas", 9, "III/b", "S1", "", 0.0),
        ("Kepala Subbagian Keuangan", "pengawas", 9, "III/b", "S1", "akuntansi;manajemen", 0.0),
        ("{jf} Ahli Pertama", "fungsional", 8, "III/a", "S1", "sector", 0.14),
        ("{jf} Ahli Muda", "fungsional", 9, "III/c", "S1", "sector", 0.12),
        ("{jf} Ahli Madya", "fungsional", 11, "IV/a", "S1", "sector", 0.05),
        ("{jf} Ahli Utama", "fungsional", 13, "IV/d", "S2", "sector", 0.0),
        ("{jft} Terampil", "fungsional", 6, "II/c", "D3", "sector", 0.07),
        ("Analis Kebijakan Ahli Muda", "fungsional", 10, "III/c", "S1", "", 0.03),
        (
            "Pranata Komputer Ahli Pertama",
            "fungsional",
            8,
            "III/a",
            "S1",
            "teknik informatika",
            0.03,
        ),
        *_COMMON_STAFF,
    ),
    "hospital": (
        ("Direktur {unit}", "jpt", 15, "IV/c", "S2", "kedokteran", 0.0),
        ("Wakil Direktur Pelayanan Medik", "administrator", 12, "IV/a", "S2", "kedokteran", 0.0),
        ("Wakil Direktur Umum dan Keuangan", "administrator", 12, "IV/a", "S1", "", 0.0),
        ("Kepala Bidang Keperawatan", "administrator", 12, "III/d", "S1", "keperawatan", 0.0),
        ("Kepala Seksi Pelayanan Keperawatan", "pengawas", 9, "III/b", "S1", "keperawatan", 0.0),
        ("Dokter Ahli Pertama", "fungsional", 9, "III/b", "S1", "kedokteran", 0.06),
        ("Dokter Ahli Madya", "fungsional", 12, "IV/a", "S2", "kedokteran", 0.05),
        ("Perawat Terampil", "fungsional", 6, "II/c", "D3", "keperawatan", 0.22),
        ("Perawat Ahli Pertama", "fungsional", 8, "III/a", "S1", "keperawatan", 0.12),
        ("Perawat Ahli Muda", "fungsional", 9, "III/c", "S1", "keperawatan", 0.08),
        ("Bidan Terampil", "fungsional", 6, "II/c", "D3", "kebidanan", 0.06),
        ("Apoteker Ahli Pertama", "fungsional", 8, "III/a", "S1", "farmasi", 0.03),
        ("Pranata Laboratorium Kesehatan Terampil", "fungsional", 6, "II/c", "D3", "", 0.04),
        ("Administrator Kesehatan Ahli Muda", "fungsional", 9, "III/c", "S1", "sector", 0.03),
        ("Perekam Medis Terampil", "fungsional", 6, "II/c", "D3", "", 0.04),
        *_COMMON_STAFF,
    ),
    "upt": (
        ("Kepala {unit}", "administrator", 11, "III/d", "S1", "", 0.0),
        ("Kepala Subbagian Tata Usaha", "pengawas", 9, "III/b", "S1", "", 0.0),
        ("Kepala Seksi Operasional", "pengawas", 9, "III/b", "S1", "sector", 0.0),
        ("{jf} Ahli Pertama", "fungsional", 8, "III/a", "S1", "sector", 0.12),
        ("{jf} Ahli Muda", "fungsional", 9, "III/c", "S1", "sector", 0.08),
        ("{jft} Terampil", "fungsional", 6, "II/c", "D3", "sector", 0.18),
        ("Pengelola Layanan Operasional", "pelaksana", 6, "II/a", "SMA", "", 0.14),
        *_COMMON_STAFF,
    ),
    "school": (
        ("Kepala Subbagian Tata Usaha", "pengawas", 9, "III/b", "S1", "", 0.0),
        ("Guru Ahli Pertama", "fungsional", 8, "III/a", "S1", "sector", 0.30),
        ("Guru Ahli Muda", "fungsional", 9, "III/c", "S1", "sector", 0.28),
        ("Guru Ahli Madya", "fungsional", 11, "IV/a", "S1", "sector", 0.18),
        ("Pustakawan Terampil", "fungsional", 6, "II/c", "D3", "", 0.03),
        ("Pengadministrasi Perkantoran", "pelaksana", 5, "II/a", "SMA", "", 0.10),
        ("Pengelola Keuangan", "pelaksana", 6, "II/c", "D3", "akuntansi", 0.05),
    ),
}

STANDARD_COMPETENCIES: Final[tuple[str, ...]] = (
    *MANAGERIAL_COMPETENCIES,
    SOCIO_CULTURAL_COMPETENCY,
)


def technical_code(sector: str) -> str:
    return f"{TECHNICAL_COMPETENCY_PREFIX}{sector}"


def _template_frame(units: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for kind, templates in TEMPLATES.items():
        for order, template in enumerate(templates):
            rows.append((kind, order, *template))
    columns = ["kind", "order", "title", "job_type", "grade", "min_rank", "min_education"]
    frame = pd.DataFrame(rows, columns=[*columns, "fields", "share"])
    return units[["unit_id", "name", "sector", "kind", "size"]].merge(frame, on="kind")


def _titles(frame: pd.DataFrame) -> pd.Series:
    jf = frame["sector"].map(lambda s: SECTOR_JF[s][0])
    jft = frame["sector"].map(lambda s: SECTOR_JF[s][1])
    titles = [
        t.replace("{unit}", u).replace("{jf}", a).replace("{jft}", b)
        for t, u, a, b in zip(frame["title"], frame["name"], jf, jft, strict=True)
    ]
    return pd.Series(titles, index=frame.index)


def _fields(frame: pd.DataFrame) -> pd.Series:
    sector_fields = frame["sector"].map(lambda s: ";".join(SECTOR_FIELDS[s]))
    return frame["fields"].where(frame["fields"] != "sector", sector_fields)


def build_positions(rng: np.random.Generator, units: pd.DataFrame) -> pd.DataFrame:
    """Positions with contract columns plus `sector`, `region_code` and `fill` (staffing ratio).

    Single posts (heads) need one person; the others need `share x unit size` FTE, measured
    by an ABK whose hours scatter around that need. Ahli utama posts exist only in big OPD.
    """
    frame = _template_frame(units)
    keep = ~frame["title"].str.contains("Ahli Utama") | (frame["size"] > 300)
    frame = frame.loc[keep].reset_index(drop=True)
    share = frame["share"].to_numpy()
    need = np.where(share > 0, share * frame["size"].to_numpy(), 1.0)
    need = need * rng.lognormal(0.0, 0.15, size=len(frame))
    hours = np.round(np.maximum(need, 0.6) * ABK_HOURS_PER_FTE, -1)
    required = np.where(share > 0, np.maximum(1, np.round(hours / ABK_HOURS_PER_FTE)), 1)
    # Staffing of each unit against its need: some short, most about right, some over.
    unit_fill = pd.Series(
        rng.choice([0.75, 0.9, 1.0, 1.15, 1.3], size=len(units), p=[0.15, 0.2, 0.4, 0.15, 0.1]),
        index=units["unit_id"],
    )
    region = units.set_index("unit_id")["region_code"]
    return pd.DataFrame(
        {
            "position_id": [f"JB{i + 1:06d}" for i in range(len(frame))],
            "unit_id": frame["unit_id"],
            "title": _titles(frame),
            "job_type": frame["job_type"],
            "grade": frame["grade"].astype("int64"),
            "min_rank": frame["min_rank"],
            "min_education": frame["min_education"],
            "education_fields": _fields(frame),
            "required_headcount": required.astype("int64"),
            "workload_hours": hours,
            "sector": frame["sector"],
            "region_code": frame["unit_id"].map(region).to_numpy(),
            "fill": frame["unit_id"].map(unit_fill).to_numpy(),
        }
    )


def required_levels(rng: np.random.Generator, positions: pd.DataFrame) -> np.ndarray:
    """Required level (0 = not required) of each position (rows) for each competency code.

    Columns follow `competency_codes(sectors)`: the nine standard competencies, then one
    technical code per sector. Levels rise with the grade; functional posts ask more of the
    technical competency of their sector, structural posts more of the managerial ones.
    """
    grade = positions["grade"].to_numpy(dtype=float)
    base = 1.0 + (grade - 5.0) / 2.6
    structural = positions["job_type"].isin(["jpt", "administrator", "pengawas"]).to_numpy()
    n = len(positions)
    managerial = base[:, None] + 0.4 * structural[:, None] + rng.normal(0, 0.35, (n, 9))
    technical = base + 0.6 * (positions["job_type"] == "fungsional").to_numpy() - 0.3 * structural
    levels = np.zeros((n, 9 + len(SECTORS)))
    levels[:, :9] = np.clip(np.round(managerial), 1, 5)
    sector_idx = positions["sector"].map({s: i for i, s in enumerate(SECTORS)}).to_numpy()
    levels[np.arange(n), 9 + sector_idx] = np.clip(np.round(technical), 1, 5)
    return levels


def competency_codes() -> tuple[str, ...]:
    return (*STANDARD_COMPETENCIES, *(technical_code(s) for s in SECTORS))


def position_competencies(positions: pd.DataFrame, levels: np.ndarray) -> pd.DataFrame:
    """The long `position_competencies` table from the level matrix."""
    codes = np.array(competency_codes())
    rows, cols = np.nonzero(levels)
    return pd.DataFrame(
        {
            "position_id": positions["position_id"].to_numpy()[rows],
            "competency": codes[cols],
            "required_level": levels[rows, cols].astype("int64"),
        }
    )
