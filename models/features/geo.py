"""Distances between homes and offices: haversine on WGS84, region centroids as fallback.

When a unit or a home has no coordinates, the centroid of its BPS region (the mean of the
coordinates of the units in that region) stands in; when neither is known the distance is NaN.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

EARTH_RADIUS_KM = 6371.0088


def haversine_km(
    lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray
) -> np.ndarray:
    """Great-circle distance in km, element-wise; NaN wherever a coordinate is NaN."""
    phi1, phi2 = np.radians(lat1), np.radians(lat2)
    dphi = phi2 - phi1
    dlmb = np.radians(lon2) - np.radians(lon1)
    a = np.sin(dphi / 2.0) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlmb / 2.0) ** 2
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def region_centroids(units: pd.DataFrame) -> pd.DataFrame:
    """Mean unit coordinates per region_code (index), from units that have coordinates."""
    located = units.loc[units["lat"].notna() & units["lon"].notna(), ["region_code", "lat", "lon"]]
    return located.groupby("region_code", observed=True)[["lat", "lon"]].mean()


def coordinates_with_fallback(
    lat: pd.Series, lon: pd.Series, region_code: pd.Series, *, centroids: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates as float arrays, missing pairs replaced by their region's centroid (or NaN)."""
    lat_arr = lat.to_numpy(dtype=float, na_value=np.nan)
    lon_arr = lon.to_numpy(dtype=float, na_value=np.nan)
    missing = np.isnan(lat_arr) | np.isnan(lon_arr)
    if missing.any():
        where = centroids.index.get_indexer(pd.Index(region_code.astype("string").fillna("")))
        known = missing & (where >= 0)
        lat_arr = lat_arr.copy()
        lon_arr = lon_arr.copy()
        lat_arr[known] = centroids["lat"].to_numpy()[where[known]]
        lon_arr[known] = centroids["lon"].to_numpy()[where[known]]
        lat_arr[missing & (where < 0)] = np.nan
        lon_arr[missing & (where < 0)] = np.nan
    return lat_arr, lon_arr
