"""Civil servants of the demo world: who they are, drawn to fit the posts they hold.

A person is drawn for a position (an initial member of staff or a new CPNS/PPPK hire), so that
education, rank and age are consistent with it: education by job type and the post's minimum,
entry rank by education (SMA II/a, D3 II/c, D4/S1 III/a, S2 III/b, S3 III/c), one room about
every four years of service up to a cap by education, enough service for the post's min_rank.
Everything here is vectorised; names come from Faker pools drawn once per world.
"""

from __future__ import annotations

from datetime import date
from typing import Final

import numpy as np
import pandas as pd
from faker import Faker

from models.contract.enums import EDUCATION_LEVELS, EDUCATION_ORDINAL, GOLONGAN_ORDINAL
from simulator.geo import jitter, nearest_regions, regions
from simulator.positions import SECTOR_FIELDS

ENTRY_RANK: Final[dict[str, str]] = {
    "SMA": "II/a",
    "D3": "II/c",
    "D4": "III/a",
    "S1": "III/a",
    "S2": "III/b",
    "S3": "III/c",
}
RANK_CAP: Final[dict[str, str]] = {
    "SMA": "III/b",
    "D3": "III/d",
    "D4": "III/d",
    "S1": "IV/a",
    "S2": "IV/d",
    "S3": "IV/e",
}
YEARS_PER_ROOM: Final[float] = 4.0
ENTRY_AGE: Final[dict[str, tuple[float, float]]] = {
    "SMA": (19.0, 25.0),
    "D3": (21.0, 27.0),
    "D4": (22.0, 28.0),
    "S1": (23.0, 31.0),
    "S2": (26.0, 36.0),
    "S3": (30.0, 40.0),
}
# Education mix by kind of post: (levels, probabilities); raised to the post's minimum after.
EDUCATION_MIX: Final[dict[str, tuple[tuple[str, ...], tuple[float, ...]]]] = {
    "jpt": (("S2", "S3"), (0.75, 0.25)),
    "administrator": (("S1", "S2", "S3"), (0.45, 0.5, 0.05)),
    "pengawas": (("S1", "D4", "S2"), (0.65, 0.05, 0.3)),
    "ahli": (("S1", "S2", "S3"), (0.76, 0.22, 0.02)),
    "terampil": (("D3", "D4", "S1"), (0.85, 0.1, 0.05)),
    "pelaksana": (("SMA", "D3", "S1"), (0.5, 0.2, 0.3)),
}
GENERAL_FIELDS: Final[tuple[str, ...]] = (
    "manajemen",
    "ilmu administrasi negara",
    "hukum",
    "ekonomi pembangunan",
    "teknik informatika",
)
SCHOOL_STREAMS: Final[tuple[str, ...]] = ("IPA", "IPS", "SMK akuntansi", "SMK teknik")
_ALL_FIELDS: Final[tuple[str, ...]] = tuple(
    sorted({f for fields in SECTOR_FIELDS.values() for f in fields} | set(GENERAL_FIELDS))
)
# Bachelor's titles by the start of the major (first match wins); others get S.Sos.
BACHELOR_TITLES: Final[tuple[tuple[str, str], ...]] = (
    ("pendidikan", "S.Pd."),
    ("bimbingan", "S.Pd."),
    ("keperawatan", "S.Kep., Ns."),
    ("kebidanan", "S.Keb."),
    ("farmasi", "S.Farm., Apt."),
    ("kesehatan masyarakat", "S.KM."),
    ("akuntansi", "S.E."),
    ("manajemen", "S.E."),
    ("ekonomi", "S.E."),
    ("perpajakan", "S.E."),
    ("hukum", "S.H."),
    ("teknik", "S.T."),
    ("transportasi", "S.T."),
    ("arsitektur", "S.T."),
    ("perencanaan", "S.T."),
    ("ilmu administrasi", "S.AP."),
    ("ilmu pemerintahan", "S.IP."),
    ("statistika", "S.Stat."),
    ("agro", "S.P."),
    ("peternakan", "S.Pt."),
    ("perikanan", "S.Pi."),
    ("kehutanan", "S.Hut."),
    ("biologi", "S.Si."),
    ("kimia", "S.Si."),
    ("psikologi", "S.Psi."),
)
# PermenPANRB 3/2020 nine-box: rows = performance (low, mid, high), cols = potential.
NINE_BOX: Final[np.ndarray] = np.array([[1, 2, 4], [3, 5, 7], [6, 8, 9]])


def name_pools(seed: int, *, size: int = 1500) -> dict[str, np.ndarray]:
    """Pools of Indonesian first names (by sex) and family names, drawn once from Faker id_ID."""
    fake = Faker("id_ID")
    fake.seed_instance(seed)
    return {
        "L": np.array(sorted({fake.first_name_male() for _ in range(size)})),
        "P": np.array(sorted({fake.first_name_female() for _ in range(size)})),
        "last": np.array(sorted({fake.last_name() for _ in range(size)})),
    }


def draw_names(
    rng: np.random.Generator, gender: np.ndarray, pools: dict[str, np.ndarray]
) -> np.ndarray:
    """Full names: one, two or three words, first name by sex."""
    n = len(gender)
    first = np.where(
        gender == "L",
        pools["L"][rng.integers(0, len(pools["L"]), n)],
        pools["P"][rng.integers(0, len(pools["P"]), n)],
    )
    last = pools["last"][rng.integers(0, len(pools["last"]), n)]
    words = rng.choice([1, 2, 3], size=n, p=[0.15, 0.65, 0.2])
    middle = np.where(
        gender == "L",
        pools["L"][rng.integers(0, len(pools["L"]), n)],
        pools["P"][rng.integers(0, len(pools["P"]), n)],
    )
    two = np.char.add(np.char.add(first, " "), last)
    three = np.char.add(np.char.add(np.char.add(first, " "), middle), np.char.add(" ", last))
    return np.where(words == 1, first, np.where(words == 2, two, three))


def _bachelor_title(field: str) -> str:
    for stem, title in BACHELOR_TITLES:
        if field.startswith(stem):
            return title
    return "S.Sos."


def with_titles(
    rng: np.random.Generator, names: np.ndarray, education: np.ndarray, fields: np.ndarray
) -> np.ndarray:
    """Names as personnel records write them, with academic titles (gelar) for most people:
    "Siti Rahayu, S.Pd.", "dr. Agus Santoso", "Dr. Budi Hartono, S.E., M.M."."""
    field = pd.Series(fields, dtype=object).fillna("").astype(str)
    bachelor = field.map(_bachelor_title).to_numpy()
    master = np.where(field.str.startswith("pendidikan"), "M.Pd.", "M.M.")
    master = np.where(
        field.isin(["kesehatan masyarakat", "keperawatan", "farmasi"]), "M.Kes.", master
    )
    diploma = np.where(
        field == "keperawatan", "A.Md.Kep.", np.where(field == "kebidanan", "A.Md.Keb.", "A.Md.")
    )
    suffix = np.select(
        [education == "D3", np.isin(education, ["D4", "S1"]), np.isin(education, ["S2", "S3"])],
        [diploma, bachelor, np.char.add(np.char.add(bachelor.astype(str), ", "), master)],
        default="",
    )
    doctor = (field == "kedokteran").to_numpy()
    suffix = np.where(doctor, np.where(np.isin(education, ["S2", "S3"]), "Sp.PD", ""), suffix)
    titled = np.where(
        suffix != "", np.char.add(np.char.add(names.astype(str), ", "), suffix), names
    )
    titled = np.where(doctor, np.char.add("dr. ", titled), titled)
    titled = np.where(education == "S3", np.char.add("Dr. ", titled), titled)
    return np.where(rng.random(len(names)) < 0.85, titled, names)


def _post_kind(positions: pd.DataFrame) -> np.ndarray:
    job = positions["job_type"].to_numpy()
    terampil = positions["title"].str.contains("Terampil").to_numpy()
    kind = np.where(job == "fungsional", np.where(terampil, "terampil", "ahli"), job)
    return np.asarray(kind)


def draw_education(rng: np.random.Generator, posts: pd.DataFrame) -> np.ndarray:
    """Education level per post: the kind's mix, raised to the post's min_education."""
    kind = _post_kind(posts)
    levels = np.empty(len(posts), dtype=object)
    for name, (choices, probs) in EDUCATION_MIX.items():
        mask = kind == name
        levels[mask] = rng.choice(choices, size=int(mask.sum()), p=probs)
    ordinal = pd.Series(levels).map(EDUCATION_ORDINAL).to_numpy()
    minimum = posts["min_education"].map(EDUCATION_ORDINAL).fillna(0).to_numpy()
    raised = np.maximum(ordinal, minimum).astype(int)
    return np.array(EDUCATION_LEVELS)[raised]


def draw_fields(rng: np.random.Generator, posts: pd.DataFrame, education: np.ndarray) -> np.ndarray:
    """Major per person: mostly one the post accepts (or its sector's), sometimes another."""
    n = len(posts)
    accepted = posts["education_fields"].fillna("").to_numpy()
    sector = posts["sector"].to_numpy()
    pool_key = np.where(
        accepted != "",
        accepted,
        pd.Series(sector).map(lambda s: ";".join(SECTOR_FIELDS[s] + GENERAL_FIELDS)).to_numpy(),
    )
    fields = np.empty(n, dtype=object)
    for key in np.unique(pool_key):
        mask = pool_key == key
        options = np.array(str(key).split(";"))
        fields[mask] = options[rng.integers(0, len(options), int(mask.sum()))]
    mismatch = rng.random(n) < 0.12
    fields[mismatch] = np.array(_ALL_FIELDS)[rng.integers(0, len(_ALL_FIELDS), int(mismatch.sum()))]
    school = education == "SMA"
    fields[school] = np.array(SCHOOL_STREAMS)[rng.integers(0, 4, int(school.sum()))]
    return fields


def rank_ordinal(education: np.ndarray, service_years: np.ndarray) -> np.ndarray:
    """Golongan ordinal after `service_years`: entry rank by education, a room per 4 years."""
    entry = pd.Series(education).map(lambda e: GOLONGAN_ORDINAL[ENTRY_RANK.get(e, "II/a")])
    cap = pd.Series(education).map(lambda e: GOLONGAN_ORDINAL[RANK_CAP.get(e, "III/b")])
    rooms = np.floor(np.maximum(service_years, 0.0) / YEARS_PER_ROOM)
    return np.minimum(entry.to_numpy() + rooms, cap.to_numpy()).astype(int)


def years_needed_for_rank(education: np.ndarray, min_rank: pd.Series) -> np.ndarray:
    """Years of service before the entry rank of `education` reaches `min_rank`."""
    entry = pd.Series(education).map(lambda e: GOLONGAN_ORDINAL[ENTRY_RANK.get(e, "II/a")])
    wanted = min_rank.map(GOLONGAN_ORDINAL).fillna(0).to_numpy()
    return np.maximum(wanted - entry.to_numpy(), 0) * YEARS_PER_ROOM


def draw_homes(rng: np.random.Generator, work_region: np.ndarray) -> pd.DataFrame:
    """Domicile: mostly the work region, some a neighbouring one, a few anywhere."""
    table = regions()
    index_of = {c: i for i, c in enumerate(table["region_code"])}
    work_idx = pd.Series(work_region).map(index_of).to_numpy()
    near = nearest_regions(table, k=3)[work_idx, rng.integers(0, 3, len(work_idx))]
    anywhere = rng.choice(len(table), size=len(work_idx), p=table["weight"].to_numpy())
    u = rng.random(len(work_idx))
    home_idx = np.where(u < 0.8, work_idx, np.where(u < 0.92, near, anywhere))
    lat, lon = jitter(
        rng, table["lat"].to_numpy()[home_idx], table["lon"].to_numpy()[home_idx], km=8.0
    )
    return pd.DataFrame(
        {
            "home_region_code": table["region_code"].to_numpy()[home_idx],
            "home_lat": lat,
            "home_lon": lon,
        }
    )


def female_share(posts: pd.DataFrame) -> np.ndarray:
    title = posts["title"]
    share = np.full(len(posts), 0.45)
    share = np.where(posts["sector"] == "pendidikan", 0.62, share)
    share = np.where(posts["sector"] == "kesehatan", 0.68, share)
    share = np.where(posts["sector"].isin(["pekerjaan_umum", "perhubungan"]), 0.25, share)
    share = np.where(title.str.contains("Perawat|Bidan").to_numpy(), 0.85, share)
    return np.where(posts["job_type"] == "jpt", 0.2, share)


def family(rng: np.random.Generator, age_at_export: np.ndarray) -> pd.DataFrame:
    """Marital status and children as recorded at export (treated as constant in history)."""
    p_married = np.clip((age_at_export - 22.0) / 8.0, 0.05, 0.88)
    u = rng.random(len(age_at_export))
    widowed = (age_at_export > 45) & (u > 0.95)
    married = (u < p_married) & ~widowed
    status = np.where(married, "married", np.where(widowed, "widowed", "single"))
    mean_children = np.clip((age_at_export - 25.0) / 6.0, 0.3, 2.6)
    children = np.where(status == "single", 0, np.minimum(rng.poisson(mean_children), 5))
    return pd.DataFrame({"marital_status": status, "children": children.astype(float)})


def talent_boxes(rng: np.random.Generator, ability: np.ndarray) -> np.ndarray:
    """Nine-box placement from ability (performance and potential axes with noise)."""
    performance = 0.8 * ability + 0.6 * rng.standard_normal(len(ability))
    potential = 0.6 * ability + 0.8 * rng.standard_normal(len(ability))
    row = np.digitize(performance, [-0.6, 0.6])
    col = np.digitize(potential, [-0.6, 0.6])
    return NINE_BOX[row, col].astype(float)


def month_start(days: np.ndarray) -> np.ndarray:
    """Dates (datetime64[D]) moved back to the first day of their month (TMT dates)."""
    return days.astype("datetime64[M]").astype("datetime64[D]")


def to_day(value: date) -> np.datetime64:
    return np.datetime64(value.isoformat(), "D")
