"""Reference geography of the demo world: the 38 kabupaten/kota of Provinsi Jawa Timur.

Codes are the BPS kabupaten/kota codes; coordinates are the approximate location of each
regency's seat of government (ibu kota kabupaten) or city centre, WGS84. Population (millions,
rounded, 2020 census order of magnitude) weights where schools, offices and homes are placed.
The Badan Koordinasi Wilayah (Bakorwil) grouping places the province's regional UPT offices.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from models.features.geo import haversine_km

PROVINCE_AGENCY: Final[str] = "Pemerintah Provinsi Jawa Timur"
CAPITAL_REGION: Final[str] = "3578"  # Kota Surabaya

# code, name, lat, lon, population (millions), Bakorwil seat code
_REGIONS: Final[tuple[tuple[str, str, float, float, float, str], ...]] = (
    ("3501", "Pacitan", -8.1940, 111.1050, 0.59, "3577"),
    ("3502", "Ponorogo", -7.8651, 111.4696, 0.95, "3577"),
    ("3503", "Trenggalek", -8.0502, 111.7085, 0.73, "3577"),
    ("3504", "Tulungagung", -8.0657, 111.9025, 1.09, "3573"),
    ("3505", "Blitar", -8.1333, 112.2167, 1.22, "3573"),
    ("3506", "Kediri", -7.8166, 112.0422, 1.64, "3573"),
    ("3507", "Malang", -8.1303, 112.5724, 2.65, "3573"),
    ("3508", "Lumajang", -8.1335, 113.2248, 1.12, "3509"),
    ("3509", "Jember", -8.1724, 113.6995, 2.54, "3509"),
    ("3510", "Banyuwangi", -8.2191, 114.3691, 1.71, "3509"),
    ("3511", "Bondowoso", -7.9135, 113.8215, 0.78, "3509"),
    ("3512", "Situbondo", -7.7063, 114.0095, 0.69, "3509"),
    ("3513", "Probolinggo", -7.7600, 113.4133, 1.15, "3509"),
    ("3514", "Pasuruan", -7.5990, 112.7867, 1.61, "3573"),
    ("3515", "Sidoarjo", -7.4478, 112.7183, 2.08, "3578"),
    ("3516", "Mojokerto", -7.5200, 112.5600, 1.12, "3522"),
    ("3517", "Jombang", -7.5460, 112.2330, 1.32, "3522"),
    ("3518", "Nganjuk", -7.6050, 111.9035, 1.10, "3577"),
    ("3519", "Madiun", -7.5450, 111.6540, 0.74, "3577"),
    ("3520", "Magetan", -7.6493, 111.3381, 0.67, "3577"),
    ("3521", "Ngawi", -7.4040, 111.4460, 0.87, "3577"),
    ("3522", "Bojonegoro", -7.1502, 111.8817, 1.30, "3522"),
    ("3523", "Tuban", -6.8976, 112.0649, 1.20, "3522"),
    ("3524", "Lamongan", -7.1167, 112.4167, 1.34, "3522"),
    ("3525", "Gresik", -7.1550, 112.6560, 1.31, "3578"),
    ("3526", "Bangkalan", -7.0455, 112.7351, 1.06, "3528"),
    ("3527", "Sampang", -7.1927, 113.2496, 0.97, "3528"),
    ("3528", "Pamekasan", -7.1566, 113.4746, 0.85, "3528"),
    ("3529", "Sumenep", -7.0047, 113.8597, 1.12, "3528"),
    ("3571", "Kota Kediri", -7.8480, 112.0178, 0.29, "3573"),
    ("3572", "Kota Blitar", -8.0983, 112.1681, 0.15, "3573"),
    ("3573", "Kota Malang", -7.9666, 112.6326, 0.84, "3573"),
    ("3574", "Kota Probolinggo", -7.7543, 113.2159, 0.24, "3509"),
    ("3575", "Kota Pasuruan", -7.6453, 112.9075, 0.21, "3573"),
    ("3576", "Kota Mojokerto", -7.4722, 112.4338, 0.13, "3522"),
    ("3577", "Kota Madiun", -7.6298, 111.5239, 0.20, "3577"),
    ("3578", "Kota Surabaya", -7.2575, 112.7521, 2.87, "3578"),
    ("3579", "Kota Batu", -7.8671, 112.5239, 0.21, "3573"),
)


def regions() -> pd.DataFrame:
    """The 38 kabupaten/kota: code, name, lat, lon, population weight, Bakorwil seat."""
    frame = pd.DataFrame(
        list(_REGIONS), columns=["region_code", "name", "lat", "lon", "population", "bakorwil"]
    )
    return frame.assign(weight=frame["population"] / frame["population"].sum())


def jitter(
    rng: np.random.Generator, lat: np.ndarray, lon: np.ndarray, *, km: float
) -> tuple[np.ndarray, np.ndarray]:
    """Points scattered around (lat, lon) with a normal spread of `km` kilometres."""
    dlat = rng.normal(0.0, km / 111.0, size=len(lat))
    dlon = rng.normal(0.0, km / 110.0, size=len(lon))
    return np.round(lat + dlat, 5), np.round(lon + dlon, 5)


def nearest_regions(region_table: pd.DataFrame, *, k: int) -> np.ndarray:
    """For each region (row order), the row indices of its k nearest other regions."""
    lat = region_table["lat"].to_numpy()
    lon = region_table["lon"].to_numpy()
    dist = haversine_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
    np.fill_diagonal(dist, np.inf)
    return np.argsort(dist, axis=1)[:, :k]
