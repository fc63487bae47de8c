"""A person's SKP record relative to peers: the person effect behind their yearly ratings.

A yearly SKP says as much about the post and the year as about the person: ratings drift from
year to year (rating inflation, a new appraisal regime), and people new to a sector rate lower
than those with years in it. The raw means (recent_rating_mean, career_rating_mean) mix all of
that, so a person who just changed sector looks weaker than they are.

`skp_vs_peers` puts every appraisal record on the rating scale (the score mapped linearly onto
it where the agency keeps one: finer than the five categories; models/features/skp_scale.py, the
fit target's mapping) and subtracts the mean of the other records of the same year and the same
years of experience in the record's sector (whole years, 12 and more together; the year's other
records when the cell has none, no residual when the year has none). The peers pool every
sector, so a lenient sector stays in the residual. Residuals of values on the 1-5 scale lie in
[-4, 4], and so does the feature (schema.FEATURE_RANGES).

Experience counts the person's distinct earlier appraisal years in the sector plus, for the
sector of their first record, the service from TMT CPNS to 1 January of that record's year, in
months (the NIP's precision), floored to whole years at the end, as models/features/history.py
credits it: employees.service_start where given, else the NIP's month; an impossible CPNS date
(month 00, after the record) gives no credit (events.performance_state passes employees.csv).
Posts missing from positions.csv count as one sector
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
from models.features.nip import cpns_start
from models.features.skp_scale import score_on_rating_scale

EXPERIENCE_CAP_YEARS = 12  # experience cells: 0, 1, ..., 11 whole years, then 12 and more


def service_starts(nips: pd.Series, employees: pd.DataFrame | None = None) -> np.ndarray:
    """TMT CPNS per NIP, by the rule of models/features/history.py: the employee's
    `service_start` where the person is in employees.csv and it is known, else the CPNS month
    in the NIP (nip.cpns_start); NaT where neither is a real date (e.g. CPNS "000000")."""
    text = nips.astype("string").fillna("")
    from_nip = cpns_start(text)
    if employees is None or employees.empty:
        return from_nip
    where = pd.Index(employees["nip"].astype("string")).get_indexer(pd.Index(text))
    given = employees["service_start"].to_numpy("datetime64[ns]")[np.maximum(where, 0)]
    given[where < 0] = np.datetime64("NaT")
    return np.where(np.isnat(given), from_nip, given)


def _experience(
    person: np.ndarray, year: np.ndarray, sector: np.ndarray, service_start: np.ndarray
) -> np.ndarray:
    """Years of experience in the record's sector before the record's year: the person's
    distinct earlier appraisal years in that sector, plus, for the sector of their first record,
    the service from TMT CPNS (`service_start[person]`) to 1 January of that record's year (in
    months, the NIP's precision; none when TMT CPNS is unknown or after that day). Posts missing
    from positions.csv (merged or renamed) form one sector of their own, -1, credited as any."""
    out = np.zeros(len(person))
    if len(person) == 0:
        return out
    order = np.lexsort((year, sector, person))  # distinct earlier years per (person, sector)
    p, s, y = person[order], sector[order], year[order]
    new_group = np.r_[True, (p[1:] != p[:-1]) | (s[1:] != s[:-1])]
    distinct = np.cumsum(new_group | np.r_[True, y[1:] != y[:-1]])
    group_start = np.maximum.accumulate(np.where(new_group, np.arange(len(p)), 0))
    out[order] = distinct - distinct[group_start]
    by_time = np.lexsort((year, person))  # the first record: earliest year, then input order
    head = by_time[np.r_[True, person[by_time][1:] != person[by_time][:-1]]]
    first_year = np.zeros(len(service_start), dtype=np.int64)
    first_sector = np.full(len(service_start), -2)
    first_year[person[head]], first_sector[person[head]] = year[head], sector[head]
    start_month = service_start.astype("datetime64[M]")
    months = (first_year - 1970) * 12 - start_month.astype(np.int64)  # whole months before
    before = np.where(np.isnat(start_month) | (months < 0), 0.0, months / 12.0)
    return out + np.where(sector == first_sector[person], before[person], 0.0)


def experience_cells(
    perf: pd.DataFrame, catalog: Catalog, employees: pd.DataFrame | None = None
) -> np.ndarray:
    """Each record's experience cell: whole years in its sector before it (floored), capped.

    `employees` (nip, service_start) gives TMT CPNS where the NIP's is not preferred."""
    position = catalog.position_codes(perf["position_id"])
    sector = np.where(position >= 0, catalog.pos_sector[np.maximum(position, 0)], -1)
    person, nips = pd.factorize(perf["nip"].astype("string").fillna(""))
    year = perf["year"].to_numpy(dtype=np.int64)
    years = _experience(person, year, sector, service_starts(pd.Series(nips), employees))
    return np.minimum(np.floor(years), EXPERIENCE_CAP_YEARS)


def skp_vs_peers(
    perf: pd.DataFrame, cells: np.ndarray, *, row: np.ndarray, rec: np.ndarray, row_year: np.ndarray
) -> np.ndarray:
    """Per row, the shrunk mean residual of its records (`rec[i]` a record of row `row[i]`,
    dated before the row's year `row_year[row[i]]`); NaN without any. See the module.

    Everything a row sees is estimated from the records before its year only (the score
    mapping, the peers' means, the shrinkage), once per distinct year. The strings (ratings,
    NIPs) are decoded once; per year there is only numpy on the records before it.
    """
    out = np.full(len(row_year), np.nan)
    if len(row) == 0:
        return out
    year = perf["year"].to_numpy(dtype=np.int64)
    rating = ordinal(perf["rating"], SKP_RATING_VALUE)
    score = perf["score"].to_numpy(dtype=float, na_value=np.nan)
    person = pd.factorize(perf["nip"].astype("string").fillna(""))[0]
    year_code = year - year.min()
    cell = year_code * (EXPERIENCE_CAP_YEARS + 1) + cells.astype(np.int64)
    for cutoff in np.unique(row_year[row]):
        known = year < cutoff
        on_scale = score_on_rating_scale(rating, score, map_unrated=True, fit_rows=known)
        residual = _residuals(on_scale, known, cell, year_code)
        used = ~np.isnan(residual)
        shrinkage = _anova_ratio(person[used], residual[used])
        pick = row_year[row] == cutoff
        value = residual[rec[pick]]
        has = ~np.isnan(value)
        n = len(row_year)
        count = np.bincount(row[pick][has], minlength=n).astype(float)
        total = np.bincount(row[pick][has], weights=value[has], minlength=n)
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.where(count > 0, total / (count + shrinkage), out)
    return out


def _residuals(
    value: np.ndarray, known: np.ndarray, cell: np.ndarray, year_code: np.ndarray
) -> np.ndarray:
    """Each known record's value minus the mean of the OTHER known records of its (year,
    experience) cell, or of its year when the cell has no other record; NaN elsewhere."""
    use = known & ~np.isnan(value)
    v, in_cell, in_year = value[use], cell[use], year_code[use]
    cell_others = np.bincount(in_cell)[in_cell] - 1.0
    year_others = np.bincount(in_year)[in_year] - 1.0
    with np.errstate(invalid="ignore", divide="ignore"):
        cell_mean = (np.bincount(in_cell, weights=v)[in_cell] - v) / cell_others
        year_mean = (np.bincount(in_year, weights=v)[in_year] - v) / year_others
    peers = np.where(cell_others > 0, cell_mean, np.where(year_others > 0, year_mean, np.nan))
    residual = np.full(len(value), np.nan)
    residual[use] = v - peers
    return residual


def _anova_ratio(person: np.ndarray, values: np.ndarray) -> float:
    """k from the one-way ANOVA estimates for unbalanced groups (n0 = (N - sum n_i^2 / N) /
    (m - 1)), `person` codes (gaps allowed) of the `values`.

    inf ("no evidence of a person effect": the feature is 0 for anyone with records) when k
    cannot be estimated: fewer than two people, nobody with two records, or a between-person
    variance estimate <= 0.
    """
    if len(values) == 0:
        return float("inf")
    count = np.bincount(person).astype(float)
    seen = count > 0
    total, groups = float(len(values)), int(seen.sum())
    if groups < 2 or total <= groups:
        return float("inf")
    mean = np.bincount(person, weights=values) / np.maximum(count, 1.0)
    within = float(((values - mean[person]) ** 2).sum()) / (total - groups)
    spread = count[seen] * (mean[seen] - values.mean()) ** 2
    between_square = float(spread.sum()) / (groups - 1)
    n0 = (total - float((count[seen] ** 2).sum()) / total) / (groups - 1)
    between = (between_square - within) / n0
    return within / between if between > 0 else float("inf")
