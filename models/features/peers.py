"""A person's SKP record relative to peers: the person effect behind their yearly ratings.

A yearly SKP says as much about the post and the year as about the person: ratings drift from
year to year (rating inflation, a new appraisal regime), and people new to a sector rate lower
than those with years in it. The raw means (recent_rating_mean, career_rating_mean) mix all of
that, so a person who just changed sector looks weaker than they are.

`skp_vs_peers` puts every appraisal record on the rating scale (the score mapped linearly onto
it where the agency keeps one: finer than the five categories) and subtracts the mean of the
other records of the same year and the same years of experience in the record's sector (whole
years, 12 and more together; the year's other records when the cell has none, no residual when
the year has none). The peers pool every sector, so a lenient sector stays in the residual.

Experience counts the person's distinct earlier appraisal years in the sector plus, for the
sector of their first record, the service from TMT CPNS to 1 January of that record's year, in
months (the NIP's precision), floored to whole years at the end, as models/features/history.py
credits it: employees.service_start where given, else the NIP's month; an impossible CPNS date
(month 00, after the record) gives no credit. events.performance_state has no employees table
to pass yet, so it uses the NIP's month. Posts missing from positions.csv count as one sector
of their own, -1, so a veteran first seen at a merged post is still a veteran there (a later
move from it to a known sector starts a new sector, as years_in_target_sector counts it).

A row's feature is the mean residual over its appraisal years before as_of, shrunk toward 0
(the agency's average) by n / (n + k): n the years on record, k the ratio of the within-person
variance of the residuals to the variance between people (empirical Bayes, the one-way ANOVA
estimates: a single good year counts less than five). When k cannot be estimated (nobody with
two records, or no variance between people) it is inf: no evidence beyond the average, the
feature 0 for anyone with records.

The score mapping, the peers' means and k are all estimated from the agency's own records
dated before the row's year, so no effect size is assumed and nothing later leaks in.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.contract.enums import SKP_RATING_VALUE
from models.features.catalog import Catalog, ordinal

EXPERIENCE_CAP_YEARS = 12  # experience cells: 0, 1, ..., 11 whole years, then 12 and more
MIN_SCORED_RECORDS = 10  # fewer records with both a rating and a score: ratings alone


def record_values(rating: pd.Series, score: pd.Series) -> np.ndarray:
    """SKP records on the 1-5 rating scale: the score mapped onto it by least squares of rating
    on score over the records that have both; the rating where no score is kept."""
    value = ordinal(rating, SKP_RATING_VALUE)
    points = score.to_numpy(dtype=float, na_value=np.nan)
    both = ~np.isnan(value) & ~np.isnan(points)
    if both.sum() < MIN_SCORED_RECORDS or np.ptp(points[both]) == 0:
        return value
    slope, intercept = np.polyfit(points[both], value[both], deg=1)
    return np.where(np.isnan(points), value, intercept + slope * points)


def service_starts(perf: pd.DataFrame, employees: pd.DataFrame | None = None) -> np.ndarray:
    """Each record's TMT CPNS, by the rule of models/features/history.py: the employee's
    `service_start` where the person is in employees.csv and it is known, else the CPNS month
    in the NIP (digits 9-14); NaT where neither is a real date (e.g. CPNS "000000")."""
    nips = perf["nip"].astype("string").fillna("")
    from_nip = pd.to_datetime(
        nips.str.slice(8, 14) + "01", format="%Y%m%d", errors="coerce"
    ).to_numpy("datetime64[ns]")
    if employees is None or employees.empty:
        return from_nip
    where = pd.Index(employees["nip"].astype("string")).get_indexer(pd.Index(nips))
    given = employees["service_start"].to_numpy("datetime64[ns]")[np.maximum(where, 0)]
    given[where < 0] = np.datetime64("NaT")
    return np.where(np.isnat(given), from_nip, given)


def _experience(perf: pd.DataFrame, sector: np.ndarray, service_start: np.ndarray) -> np.ndarray:
    """Years of experience in the record's sector before the record's year: the person's
    distinct earlier appraisal years in that sector, plus, for the sector of their first record,
    the service from TMT CPNS to 1 January of that record's year (in months, the NIP's precision;
    none when TMT CPNS is unknown or after that day). Posts missing from positions.csv (merged
    or renamed) form one sector of their own, -1, credited like any other."""
    person = pd.factorize(perf["nip"].astype("string").fillna(""))[0]
    year = perf["year"].to_numpy(dtype=np.int64)
    order = np.lexsort((year, person))
    frame = pd.DataFrame({"person": person[order], "sector": sector[order], "year": year[order]})
    earlier = frame.groupby(["person", "sector"], sort=False)["year"].rank(method="dense") - 1
    first = frame.groupby("person", sort=False)
    first_year = first["year"].transform("min").to_numpy()
    first_sector = first["sector"].transform("first").to_numpy()
    start_month = service_start[order].astype("datetime64[M]")
    months = (first_year - 1970) * 12 - start_month.astype(np.int64)  # whole months before
    before = np.where(np.isnat(start_month) | (months < 0), 0.0, months / 12.0)
    credited = frame["sector"].to_numpy() == first_sector
    out = np.empty(len(perf))
    out[order] = earlier.to_numpy(dtype=float) + np.where(credited, before, 0.0)
    return out


def experience_cells(
    perf: pd.DataFrame, catalog: Catalog, employees: pd.DataFrame | None = None
) -> np.ndarray:
    """Each record's experience cell: whole years in its sector before it (floored), capped.

    `employees` (nip, service_start) gives TMT CPNS where the NIP's is not preferred."""
    position = catalog.position_codes(perf["position_id"])
    sector = np.where(position >= 0, catalog.pos_sector[np.maximum(position, 0)], -1)
    service_start = service_starts(perf, employees)
    return np.minimum(np.floor(_experience(perf, sector, service_start)), EXPERIENCE_CAP_YEARS)


def skp_vs_peers(
    perf: pd.DataFrame, cells: np.ndarray, *, row: np.ndarray, rec: np.ndarray, row_year: np.ndarray
) -> np.ndarray:
    """Per row, the shrunk mean residual of its records (`rec[i]` a record of row `row[i]`,
    dated before the row's year `row_year[row[i]]`); NaN without any. See the module.

    Everything a row sees is estimated from the records before its year only (the score
    mapping, the peers' means, the shrinkage), once per distinct year.
    """
    out = np.full(len(row_year), np.nan)
    year = perf["year"].to_numpy(dtype=np.int64)
    for cutoff in np.unique(row_year[row]):
        known = year < cutoff
        residual, shrinkage = _residuals(perf[known], cells[known])
        full = np.full(len(perf), np.nan)
        full[known] = residual
        pick = row_year[row] == cutoff
        value = full[rec[pick]]
        has = ~np.isnan(value)
        n = len(row_year)
        count = np.bincount(row[pick][has], minlength=n).astype(float)
        total = np.bincount(row[pick][has], weights=value[has], minlength=n)
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.where(count > 0, total / (count + shrinkage), out)
    return out


def _residuals(perf: pd.DataFrame, cells: np.ndarray) -> tuple[np.ndarray, float]:
    """Every record's value minus the mean of the OTHER records of its (year, experience) cell,
    or of its year when the cell has no other record (NaN when the year has none), and k."""
    value = pd.Series(record_values(perf["rating"], perf["score"]))
    year = perf["year"].to_numpy()
    by_cell, by_year = value.groupby([year, cells]), value.groupby(year)
    cell_others = by_cell.transform("count").to_numpy(dtype=float) - 1
    year_others = by_year.transform("count").to_numpy(dtype=float) - 1
    v = value.to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        in_cell = (by_cell.transform("sum").to_numpy(dtype=float) - v) / cell_others
        in_year = (by_year.transform("sum").to_numpy(dtype=float) - v) / year_others
    peers = np.where(cell_others > 0, in_cell, np.where(year_others > 0, in_year, np.nan))
    residual = v - peers
    return residual, _shrinkage(perf["nip"], residual)


def _shrinkage(nips: pd.Series, residual: np.ndarray) -> float:
    """k = within-person variance / between-person variance of the residuals, the one-way
    ANOVA estimates for unbalanced groups (n0 = (N - sum n_i^2 / N) / (m - 1)).

    inf ("no evidence of a person effect": the feature is 0 for anyone with records) when k
    cannot be estimated: fewer than two people, nobody with two records, or a between-person
    variance estimate <= 0.
    """
    known = ~np.isnan(residual)
    person = pd.factorize(nips.astype("string").fillna("").to_numpy(dtype=object)[known])[0]
    return _anova_ratio(person, residual[known])


def _anova_ratio(person: np.ndarray, values: np.ndarray) -> float:
    count = np.bincount(person).astype(float)
    total, groups = float(count.sum()), len(count)
    if groups < 2 or total <= groups:
        return float("inf")
    mean = np.bincount(person, weights=values) / count
    within = float(((values - mean[person]) ** 2).sum()) / (total - groups)
    between_square = float((count * (mean - values.mean()) ** 2).sum()) / (groups - 1)
    n0 = (total - float((count**2).sum()) / total) / (groups - 1)
    between = (between_square - within) / n0
    return within / between if between > 0 else float("inf")
