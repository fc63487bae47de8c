"""Vocabularies and the position side of the features, encoded once per agency export.

Every identifier (position, unit, sector, region, competency, education field) gets an integer
code so that pair features are numpy gathers over integer indices, never merges per request.
Positions named only in history (merged or abolished posts) are kept with unknown attributes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.enums import EDUCATION_ORDINAL, GOLONGAN_ORDINAL, SECTORS, JobType
from models.geo import coordinates_with_fallback, region_centroids
from models.tables import AgencyData

# Batas usia pensiun (BUP, UU 20/2023 and PP 11/2017 as amended): by the position held.
RETIREMENT_AGE_DEFAULT = 58.0
RETIREMENT_AGE_SENIOR = 60.0  # JPT and fungsional ahli madya
RETIREMENT_AGE_AHLI_UTAMA = 65.0


def _codes(values: pd.Series, index: pd.Index) -> np.ndarray:
    """Integer codes of values in index; -1 for missing or unknown."""
    return index.get_indexer(pd.Index(values.astype("string").fillna("\x00")))


def _sorted_unique(*series: pd.Series) -> pd.Index:
    values = pd.concat([s.astype("string") for s in series], ignore_index=True).dropna()
    return pd.Index(sorted(set(values.tolist())), dtype="string")


def normalise_field(values: pd.Series) -> pd.Series:
    """Education majors compared case- and space-insensitively."""
    return values.astype("string").str.strip().str.lower()


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

    @classmethod
    def build(cls, data: AgencyData) -> Catalog:
        positions, units = data.positions, data.units
        history_ids = [data.transfers["from_position_id"], data.transfers["to_position_id"]]
        position_ids = pd.Index(
            list(positions["position_id"].astype("string"))
            + sorted(
                set(_sorted_unique(*history_ids, data.performance["position_id"]).tolist())
                - set(positions["position_id"].astype("string").tolist())
            ),
            dtype="string",
        )
        sectors = pd.Index(sorted(set(SECTORS) | set(units["sector"].dropna())), dtype="string")
        regions = _sorted_unique(
            units["region_code"],
            data.employees["home_region_code"],
            data.preferences["value"][data.preferences["kind"] == "region"],
        )
        competencies = _sorted_unique(
            data.competencies["competency"],
            data.position_competencies["competency"],
            data.trainings["competency"],
        )
        fields = _sorted_unique(
            normalise_field(data.employees["education_field"]), *_accepted_fields(positions)
        )
        unit_index = pd.Index(units["unit_id"].astype("string"))
        centroids = region_centroids(units)
        unit_lat, unit_lon = coordinates_with_fallback(
            units["lat"], units["lon"], units["region_code"], centroids
        )
        n_all, n_known = len(position_ids), len(positions)
        unit_code = np.full(n_all, -1)
        unit_code[:n_known] = _codes(positions["unit_id"], unit_index)
        has_unit = unit_code >= 0

        def per_unit(values: np.ndarray, fill: float) -> np.ndarray:
            out = np.full(n_all, fill, dtype=float)
            out[has_unit] = values[unit_code[has_unit]]
            return out

        def per_position(values: np.ndarray, fill: float = np.nan) -> np.ndarray:
            out = np.full(n_all, fill, dtype=float)
            out[:n_known] = values
            return out

        required, has_standard = _standard_matrix(data, position_ids, competencies)
        any_field, field_keys = _field_keys(positions, n_all, fields)
        return cls(
            position_ids=position_ids,
            sectors=sectors,
            regions=regions,
            units=unit_index,
            competencies=competencies,
            fields=fields,
            centroids=centroids,
            pos_unit=unit_code,
            pos_sector=per_unit(_codes(units["sector"], sectors), -1).astype(int),
            pos_region=per_unit(_codes(units["region_code"], regions), -1).astype(int),
            pos_grade=per_position(positions["grade"].to_numpy(dtype=float)),
            pos_lat=per_unit(unit_lat, np.nan),
            pos_lon=per_unit(unit_lon, np.nan),
            pos_min_rank=per_position(_ordinal(positions["min_rank"], GOLONGAN_ORDINAL)),
            pos_min_education=per_position(_ordinal(positions["min_education"], EDUCATION_ORDINAL)),
            pos_retirement_age=per_position(
                retirement_age(positions["job_type"], positions["title"]), RETIREMENT_AGE_DEFAULT
            ),
            pos_required=required,
            pos_has_standard=has_standard,
            pos_any_field=any_field,
            pos_field_keys=field_keys,
            pos_known=np.arange(n_all) < n_known,
        )

    def position_codes(self, position_ids: pd.Series | np.ndarray) -> np.ndarray:
        return _codes(pd.Series(position_ids, dtype="string"), self.position_ids)

    def competency_codes(self, competencies: pd.Series) -> np.ndarray:
        return _codes(competencies, self.competencies)


def _ordinal(values: pd.Series, scale: dict[str, int]) -> np.ndarray:
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
