"""Dated history aggregated per row (nip, as_of), counting only records dated before as_of.

Each function joins the rows to one history table by NIP, drops what was not yet known at the
row's as_of, and aggregates with numpy (bincount, lexsort): no Python loop over records.
See models/features/history.py for the point-in-time rules.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.contract.enums import SKP_RATING_VALUE, PreferenceKind, Resistance
from models.contract.tables import AgencyData
from models.features.catalog import Catalog, ordinal
from models.features.peers import experience_cells, skp_vs_peers

RECENT_YEARS = 3  # recent_rating_mean and rating_trend look at the last three appraisal years
# When a transfer's resistance is known: an objection or a refusal within two months of the
# decree (before the move takes effect); a return request or a resignation up to 12 months on.
QUICK_RESISTANCE_DELAY = np.timedelta64(60, "D")
LATE_RESISTANCE_DELAY = np.timedelta64(365, "D")
LATE_RESISTANCE = (Resistance.RETURN_REQUEST, Resistance.RESIGNATION)


def year_of(dates: np.ndarray) -> np.ndarray:
    return dates.astype("datetime64[Y]").astype(np.int64) + 1970


def pairs_by_nip(nips: pd.Series, table_nips: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(row, record) positions of every row/record pair that share a NIP.

    An integer join: records are grouped by NIP code once, then each row's group is expanded
    with repeat/arange (several times faster than a string merge on a million records).
    """
    table_codes, uniques = pd.factorize(table_nips.astype("string"))
    row_codes = pd.Index(uniques).get_indexer(pd.Index(nips.astype("string")))
    counts = np.bincount(table_codes[table_codes >= 0], minlength=len(uniques))
    order = np.argsort(table_codes, kind="stable")[int((table_codes < 0).sum()) :]
    starts = np.cumsum(counts) - counts
    rows = np.flatnonzero(row_codes >= 0)
    per_row = counts[row_codes[rows]]
    offsets = np.arange(per_row.sum()) - np.repeat(np.cumsum(per_row) - per_row, per_row)
    records = order[np.repeat(starts[row_codes[rows]], per_row) + offsets]
    return np.repeat(rows, per_row).astype(np.int64), records.astype(np.int64)


def last_in_group(groups: np.ndarray, dates: np.ndarray) -> np.ndarray:
    """Positions of the latest record (by date, then input order) of each group."""
    if len(groups) == 0:
        return np.array([], dtype=np.int64)
    order = np.lexsort((np.arange(len(groups)), dates, groups))
    sorted_groups = groups[order]
    return order[np.r_[sorted_groups[1:] != sorted_groups[:-1], True]]


def _mean(rows: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    count = np.bincount(rows, minlength=n).astype(float)
    total = np.bincount(rows, weights=values, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / count, np.nan)


def _slope(rows: np.ndarray, x: np.ndarray, y: np.ndarray, *, n: int) -> np.ndarray:
    """Least-squares slope of y on x per row; NaN with fewer than two points."""
    s = np.bincount(rows, minlength=n).astype(float)
    sx, sy = (np.bincount(rows, weights=w, minlength=n) for w in (x, y))
    sxx, sxy = (np.bincount(rows, weights=w, minlength=n) for w in (x * x, x * y))
    denominator = s * sxx - sx * sx
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where((s >= 2) & (denominator > 0), (s * sxy - sx * sy) / denominator, np.nan)


def rating_values(ratings: pd.Series) -> np.ndarray:
    """SKP ratings on the 1-5 scale (NaN for missing or unknown ratings)."""
    return ordinal(ratings, SKP_RATING_VALUE)


def performance_state(
    perf: pd.DataFrame,
    catalog: Catalog,
    *,
    nips: pd.Series,
    as_of: np.ndarray,
    employees: pd.DataFrame | None = None,
) -> dict[str, np.ndarray]:
    """Recent ratings, their trend, recent and last score, the SKP record relative to peers
    (models/features/peers.py), last position, years per sector, and the year and position of
    the earliest appraisal known (-1 when none)."""
    n, n_sectors = len(nips), len(catalog.sectors)
    t_year = year_of(as_of)
    row, rec = pairs_by_nip(nips, perf["nip"])
    year = perf["year"].to_numpy(np.int64)[rec]
    keep = year < t_year[row]
    row, rec, year = row[keep], rec[keep], year[keep]
    rating = rating_values(perf["rating"])[rec]
    position = catalog.position_codes(perf["position_id"])[rec]
    sector = np.where(position >= 0, catalog.pos_sector[position], -1)
    has_sector = sector >= 0
    sector_years = np.bincount(
        row[has_sector] * n_sectors + sector[has_sector], minlength=n * n_sectors
    ).reshape(n, n_sectors)
    recent = year >= t_year[row] - RECENT_YEARS
    offset = (year - t_year[row]).astype(float)
    score = perf["score"].to_numpy(float, na_value=np.nan)[rec]
    scored = recent & ~np.isnan(score)
    last = last_in_group(row, year)
    last_score = np.full(n, np.nan)
    last_score[row[last]] = score[last]
    last_position = np.full(n, -1)
    last_position[row[last]] = position[last]
    first = last_in_group(row, -year)
    first_year, first_position = np.full(n, -1, dtype=np.int64), np.full(n, -1)
    first_year[row[first]], first_position[row[first]] = year[first], position[first]
    return {
        "recent_rating_mean": _mean(row[recent], rating[recent], n),
        "rating_trend": _slope(row[recent], offset[recent], rating[recent], n=n),
        "last_score": last_score,
        "recent_score_mean": _mean(row[scored], score[scored], n),
        "career_rating_mean": _mean(row, rating, n),
        "skp_vs_peers": skp_vs_peers(
            perf, experience_cells(perf, catalog, employees), row=row, rec=rec, row_year=t_year
        ),
        "sector_years": sector_years.astype(float),
        "last_position": last_position,
        "first_year": first_year,
        "first_position": first_position,
    }


def post_move_labels(data: AgencyData) -> pd.DataFrame:
    """Per transfer (aligned with data.transfers rows): post-move rating, score and year.

    The contract's definition: the employee's first appraisal with year > year(effective_date)
    and position_id = to_position_id; NaN when there is none (or the move never took effect).
    """
    transfers, perf = data.transfers.reset_index(drop=True), data.performance
    effective = transfers["effective_date"].notna().to_numpy()
    row, rec = pairs_by_nip(transfers["nip"].where(effective), perf["nip"])
    year = perf["year"].to_numpy(np.int64)[rec]
    effective_year = year_of(transfers["effective_date"].to_numpy("datetime64[ns]"))[row]
    same_post = (
        perf["position_id"].astype("string").fillna("").to_numpy(dtype=object)[rec]
        == transfers["to_position_id"].astype("string").fillna("\x00").to_numpy(dtype=object)[row]
    )
    keep = (year > effective_year) & same_post
    row, rec, year = row[keep], rec[keep], year[keep]
    order = np.lexsort((year, row))
    first = order[np.r_[True, row[order][1:] != row[order][:-1]]] if len(order) else order
    out = pd.DataFrame(
        {"post_move_rating": np.nan, "post_move_score": np.nan, "post_move_year": np.nan},
        index=pd.RangeIndex(len(transfers)),
    )
    where = row[first]
    out.loc[where, "post_move_rating"] = rating_values(perf["rating"])[rec[first]]
    out.loc[where, "post_move_score"] = perf["score"].to_numpy(float, na_value=np.nan)[rec[first]]
    out.loc[where, "post_move_year"] = year[first].astype(float)
    return out


def transfer_state(
    data: AgencyData,
    catalog: Catalog,
    *,
    nips: pd.Series,
    as_of: np.ndarray,
    labels: pd.DataFrame | None = None,
) -> dict[str, np.ndarray]:
    """Past moves, settled resistance, known post-move outcomes and the last effective move.

    `labels` is `post_move_labels(data)` when the caller already has it.
    """
    n, transfers = len(nips), data.transfers.reset_index(drop=True)
    labels = post_move_labels(data) if labels is None else labels
    row, rec = pairs_by_nip(nips, transfers["nip"])
    decree = transfers["decree_date"].to_numpy("datetime64[ns]")[rec]
    keep = decree < as_of[row]
    row, rec, decree = row[keep], rec[keep], decree[keep]
    effective = transfers["effective_date"].to_numpy("datetime64[ns]")[rec]
    moved = ~np.isnat(effective) & (effective < as_of[row])
    resistance = transfers["resistance"].astype("string").fillna(Resistance.NONE)
    resisted = (resistance != Resistance.NONE).to_numpy(bool)[rec]
    late = resistance.isin(LATE_RESISTANCE).to_numpy(bool)[rec]
    delay = np.where(late, LATE_RESISTANCE_DELAY, QUICK_RESISTANCE_DELAY)
    settled = decree + delay <= as_of[row]
    outcome_year = labels["post_move_year"].to_numpy()[rec]
    outcome_known = outcome_year < year_of(as_of)[row]
    outcome = labels["post_move_rating"].to_numpy()[rec]
    last = last_in_group(row[moved], effective[moved].astype(np.int64))
    last_move_pos = np.full(n, -1)
    last_move_date = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    to_position = catalog.position_codes(transfers["to_position_id"])[rec]
    last_move_pos[row[moved][last]] = to_position[moved][last]
    last_move_date[row[moved][last]] = effective[moved][last]
    return {
        "past_moves": np.bincount(row[moved], minlength=n).astype(float),
        "past_resistance": np.bincount(row[settled & resisted], minlength=n).astype(float),
        "past_post_move_mean": _mean(row[outcome_known], outcome[outcome_known], n),
        "last_move_pos": last_move_pos,
        "last_move_date": last_move_date,
    }


def preference_offsets(catalog: Catalog) -> dict[str, int]:
    """Where each kind's value codes start in the shared preference value space."""
    n_units, n_sectors = len(catalog.units), len(catalog.sectors)
    return {
        PreferenceKind.UNIT: 0,
        PreferenceKind.SECTOR: n_units,
        PreferenceKind.REGION: n_units + n_sectors,
        "size": n_units + n_sectors + len(catalog.regions),
    }


def preference_table(
    preferences: pd.DataFrame, catalog: Catalog, *, nips: pd.Series
) -> tuple[np.ndarray, np.ndarray]:
    """(rows, k) value codes of each row's stated preferences (-1 padding) and priorities."""
    offsets = preference_offsets(catalog)
    kind = preferences["kind"].astype("string")
    value = preferences["value"].astype("string").fillna("\x00")
    code = np.full(len(preferences), -1, dtype=np.int64)
    for pref_kind, index in (
        (PreferenceKind.UNIT, catalog.units),
        (PreferenceKind.SECTOR, catalog.sectors),
        (PreferenceKind.REGION, catalog.regions),
    ):
        mask = (kind == pref_kind).fillna(False).to_numpy(bool)
        found = index.get_indexer(pd.Index(value[mask]))
        code[mask] = np.where(found >= 0, found + offsets[pref_kind], -1)
    row, rec = pairs_by_nip(nips, preferences["nip"])
    ok = code[rec] >= 0
    row, value_code = row[ok], code[rec][ok]
    priority = preferences["priority"].to_numpy(float)[rec][ok]
    order = np.argsort(row, kind="stable")
    row, value_code, priority = row[order], value_code[order], priority[order]
    slot = np.arange(len(row)) - np.searchsorted(row, row)
    width = int(slot.max()) + 1 if len(slot) else 1
    codes = np.full((len(nips), width), -1, dtype=np.int64)
    priorities = np.full((len(nips), width), np.inf)
    codes[row, slot], priorities[row, slot] = value_code, priority
    return codes, priorities
