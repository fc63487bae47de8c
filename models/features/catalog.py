"""Vocabularies and the position side of the features, encoded once per agency export.

Every identifier (position, unit, sector, region, competency, education field) gets an integer
code so that pair features are numpy gathers over integer indices, never merges per request.
Positions named only in history (merged or abolished posts) are kept with unknown attributes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from models.contract.enums import EDUCATION_ORDINAL, GOLONGAN_ORDINAL, SECTORS, JobType
from models.contract.tables import AgencyData
from models.features.geo import coordinates_with_fallback, region_centroids

# Structural tiers: moving from a lower tier into JPT, administrator or pengawas is a promotion.
JOB_TIER: Final[dict[str, int]] = {
    JobType.JPT: 3,
    JobType.ADMINISTRATOR: 2,
    JobType.PENGAWAS: 1,
    JobType.PELAKSANA: 0,
    JobType.FUNGSIONAL: 0,
}

# Batas usia pensiun (BUP, UU 20/2023 and PP 11/2017 as amended): by the position held.
RETIREMENT_AGE_DEFAULT = 58.0
RETIREMENT_AGE_SENIOR = 60.0  # JPT and fungsional ahli madya
RETIREMENT_AGE_AHLI_UTAMA = 65.0


def _codes(values: pd.Series, index: pd.Index) -> np.ndarray:
    """Integer codes of values in index; -1 for missing or unknown.

    Looks up each distinct value once (history columns repeat a few hundred ids a million times).
    """
    codes, distinct = pd.factorize(pd.Series(values, dtype="string"))
    found = index.get_indexer(pd.Index(distinct, dtype="string"))
    return np.where(codes >= 0, found[np.maximum(codes, 0)] if len(found) else -1, -1)


def _sorted_unique(*series: pd.Series) -> pd.Index:
    values = pd.concat([s.astype("string") for s in series], ignore_index=True).dropna()
    return pd.Index(np.sort(values.drop_duplicates().to_numpy(dtype=object)), dtype="string")


# Degree words and prefixes that do not name the major ("S1 Keperawatan", "Ilmu Hukum").
_DEGREE_PREFIX = (
    r"^(?:(?:s1|s2|s3|d1|d2|d3|d4|diii|div|sarjana|magister|diploma|program studi|prodi|jurusan)"
    r"\s+)+"
)
# Common spellings of the same major: older names, English names, loan-word variants.
FIELD_SYNONYMS: Final[dict[str, str]] = {
    "administrasi negara": "administrasi publik",
    "ilmu administrasi negara": "administrasi publik",
    "public administration": "administrasi publik",
    "akutansi": "akuntansi",
    "accounting": "akuntansi",
    "nursing": "keperawatan",
    "ilmu keperawatan": "keperawatan",
    "ilmu hukum": "hukum",
    "law": "hukum",
    "ilmu ekonomi": "ekonomi",
    "economics": "ekonomi",
    "teknik informatika": "informatika",
    "ilmu komputer": "informatika",
    "computer science": "informatika",
    "ilmu kesehatan masyarakat": "kesehatan masyarakat",
    "public health": "kesehatan masyarakat",
    "civil engineering": "teknik sipil",
    "ilmu pertanian": "pertanian",
    "agriculture": "pertanian",
}


def normalise_field(values: pd.Series) -> pd.Series:
    """Education majors in one spelling: case, spacing and punctuation ignored, degree prefixes
    ("S1", "D3", "Sarjana") dropped, and common variants (FIELD_SYNONYMS) mapped to one name."""
    cleaned = (
        values.astype("string")
        .str.lower()
        .str.replace(r"[\s\-_/.,()]+", " ", regex=True)
        .str.strip()
        .str.replace(_DEGREE_PREFIX, "", regex=True)
    )
    return cleaned.replace(FIELD_SYNONYMS)


def retirement_age(job_type: pd.Series, title: pd.Series) -> np.ndarray:
    """BUP per position: 58; 60 for JPT and ahli madya; 65 for ahli utama."""
    title_lower = title.astype("string").str.lower().fillna("")
    age = np.full(len(job_type), RETIREMENT_AGE_DEFAULT)
    is_jpt = (job_type.astype("string") == JobType.JPT).fillna(False).to_numpy(dtype=bool)
    madya = title_lower.str.contains("ahli madya", regex=False).to_numpy(dtype=bool)
    utama = title_lower.str.contains("ahli utama", regex=False).to_numpy(dtype=bool)
    age[is_jpt | madya] = RETIREMENT_AGE_SENIOR
    age[utama] = RETIREMENT_AGE_AHLI_UTAMA
    return age


@dataclass(frozen=True)
class Catalog:
    """Integer vocabularies and per-position arrays (row i describes position_ids[i])."""

    position_ids: pd.Index
    sectors: pd.Index
    regions: pd.Index
    units: pd.Index
    competencies: pd.Index
    fields: pd.Index
    centroids: pd.DataFrame
    pos_unit: np.ndarray
    pos_sector: np.ndarray
    pos_region: np.ndarray
    pos_grade: np.ndarray
    pos_lat: np.ndarray
    pos_lon: np.ndarray
    pos_min_rank: np.ndarray
    pos_min_education: np.ndarray
    pos_retirement_age: np.ndarray
    pos_required: np.ndarray  # (positions, competencies) required level, 0 = not required
    pos_has_standard: np.ndarray
    pos_any_field: np.ndarray  # True when the position accepts any education field
    pos_field_keys: np.ndarray  # sorted position_code * n_fields + field_code accepted
    pos_known: np.ndarray  # True for positions in positions.csv
    pos_tier: np.ndarray  # JOB_TIER of the job type (NaN unknown)

    @classmethod
    def build(cls, data: AgencyData) -> Catalog:
        positions, units = data.positions, data.units
        position_ids = _all_position_ids(data)
        vocabularies = _vocabularies(data)
        unit_index = pd.Index(units["unit_id"].astype("string"))
        centroids = region_centroids(units)
        unit_lat, unit_lon = coordinates_with_fallback(
            units["lat"], units["lon"], units["region_code"], centroids=centroids
        )
        n_all = len(position_ids)
        unit_code = _per_position(n_all, _codes(positions["unit_id"], unit_index), -1).astype(int)
        required, has_standard = _standard_matrix(data, position_ids, vocabularies["competencies"])
        any_field, field_keys = _field_keys(positions, n_all, vocabularies["fields"])
        return cls(
            position_ids=position_ids,
            **vocabularies,
            units=unit_index,
            centroids=centroids,
            pos_unit=unit_code,
            pos_sector=_per_unit(unit_code, _codes(units["sector"], vocabularies["sectors"]), -1),
            pos_region=_per_unit(
                unit_code, _codes(units["region_code"], vocabularies["regions"]), -1
            ),
            pos_grade=_per_position(n_all, positions["grade"].to_numpy(dtype=float)),
            pos_lat=_per_unit(unit_code, unit_lat, np.nan),
            pos_lon=_per_unit(unit_code, unit_lon, np.nan),
            pos_min_rank=_per_position(n_all, ordinal(positions["min_rank"], GOLONGAN_ORDINAL)),
            pos_min_education=_per_position(
                n_all, ordinal(positions["min_education"], EDUCATION_ORDINAL)
            ),
            pos_retirement_age=_per_position(
                n_all,
                retirement_age(positions["job_type"], positions["title"]),
                RETIREMENT_AGE_DEFAULT,
            ),
            pos_required=required,
            pos_has_standard=has_standard,
            pos_any_field=any_field,
            pos_field_keys=field_keys,
            pos_known=np.arange(n_all) < len(positions),
            pos_tier=_per_position(n_all, ordinal(positions["job_type"], JOB_TIER)),
        )

    def position_codes(self, position_ids: pd.Series | np.ndarray) -> np.ndarray:
        return _codes(pd.Series(position_ids, dtype="string"), self.position_ids)

    def competency_codes(self, competencies: pd.Series) -> np.ndarray:
        return _codes(competencies, self.competencies)


def _all_position_ids(data: AgencyData) -> pd.Index:
    """positions.csv first (code i = row i), then ids named only in history, sorted."""
    current = data.positions["position_id"].astype("string")
    history = _sorted_unique(
        data.transfers["from_position_id"],
        data.transfers["to_position_id"],
        data.performance["position_id"],
    )
    extra = sorted(set(history.tolist()) - set(current.tolist()))
    return pd.Index(list(current) + extra, dtype="string")


def _vocabularies(data: AgencyData) -> dict[str, pd.Index]:
    units, prefs = data.units, data.preferences
    return {
        "sectors": pd.Index(sorted(set(SECTORS) | set(units["sector"].dropna())), dtype="string"),
        "regions": _sorted_unique(
            units["region_code"],
            data.employees["home_region_code"],
            prefs["value"][prefs["kind"] == "region"],
        ),
        "competencies": _sorted_unique(
            data.competencies["competency"],
            data.position_competencies["competency"],
            data.trainings["competency"],
        ),
        "fields": _sorted_unique(
            normalise_field(data.employees["education_field"]), *_accepted_fields(data.positions)
        ),
    }


def _per_unit(unit_code: np.ndarray, values: np.ndarray, fill: float) -> np.ndarray:
    """A per-unit array spread to positions (fill where a position has no known unit)."""
    has_unit = unit_code >= 0
    out = np.full(len(unit_code), fill, dtype=np.asarray(values).dtype)
    out[has_unit] = values[unit_code[has_unit]]
    return out


def _per_position(n_all: int, values: np.ndarray, fill: float = np.nan) -> np.ndarray:
    """Values of positions.csv rows padded with fill for positions known only from history."""
    out = np.full(n_all, fill, dtype=float)
    out[: len(values)] = values
    return out


def ordinal(values: pd.Series, scale: dict[str, int]) -> np.ndarray:
    """Values mapped through an ordinal scale as floats (NaN for missing or unknown labels)."""
    mapped = values.astype("string").map(scale, na_action="ignore")
    return pd.to_numeric(mapped, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _accepted_fields(positions: pd.DataFrame) -> tuple[pd.Series, ...]:
    exploded = positions["education_fields"].astype("string").str.split(";").explode()
    return (normalise_field(exploded).replace("", pd.NA),)


def _standard_matrix(
    data: AgencyData, position_ids: pd.Index, competencies: pd.Index
) -> tuple[np.ndarray, np.ndarray]:
    standard = data.position_competencies
    matrix = np.zeros((len(position_ids), len(competencies)))
    rows = _codes(standard["position_id"], position_ids)
    cols = _codes(standard["competency"], competencies)
    ok = (rows >= 0) & (cols >= 0)
    matrix[rows[ok], cols[ok]] = standard["required_level"].to_numpy(dtype=float)[ok]
    return matrix, matrix.max(axis=1, initial=0.0) > 0


def _field_keys(
    positions: pd.DataFrame, n_all: int, fields: pd.Index
) -> tuple[np.ndarray, np.ndarray]:
    accepted = positions["education_fields"].astype("string").reset_index(drop=True)
    exploded = accepted.str.split(";").explode()
    codes = _codes(normalise_field(exploded), fields)
    owner = exploded.index.to_numpy(dtype=np.int64)
    any_field = np.ones(n_all, dtype=bool)
    any_field[np.unique(owner[codes >= 0])] = False
    keys = np.unique(owner[codes >= 0].astype(np.int64) * max(len(fields), 1) + codes[codes >= 0])
    return any_field, keys
