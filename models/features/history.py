"""Point-in-time employee state: what was known about a person before a given date.

`employee_state(data, catalog, rows)` takes rows of (nip, as_of[, from_position_id]) and returns
aligned arrays, one entry per row, built ONLY from records dated before that row's as_of:

- performance: appraisal years < year(as_of) (a year's SKP is known once the year is over);
- competencies assessed, trainings completed, transfers decreed: dated strictly before as_of;
- resistance of a past transfer counts once it would be known: an objection or a refusal 60
  days after the decree, a return request or a resignation 12 months after (they can come up
  to 12 months later);
- a past transfer's post-move rating counts when its appraisal year < year(as_of);
- a competency's level is its latest assessment plus the gains of trainings completed since
  (models/features/competencies.py).

Snapshot attributes that change over time never leak into a past row:
- position at as_of: the given from_position_id; else the snapshot position if its
  position_start < as_of; else the last transfer effective before as_of; else the position of
  the last appraisal; tenure runs from position_start / that transfer / service_start;
- rank (golongan) at as_of is approximated as the snapshot rank minus one step per four years
  between as_of and the snapshot date (regular promotion every four years), never below I/a;
  a leaver's stand-in colleague's rank is taken as it is now (the rank of the post's holder);
- talent_box is known only for rows at or after the snapshot date (it is the latest placement).
Birth date, sex and CPNS start come from the NIP (models/features/nip.py), so people who left
service still have them.
Attributes treated as static (education, home, family, preferences) come from the snapshot.
People who left service are not in it: their education, family and rank are those of a
colleague now in the post they held, the nearest in birth date (models/features/leavers.py),
since leaving is known only later and one way of leaving (resignation) is itself a resistance
outcome. A leaver's home is the region of the post held at that date. A person in service
whose export gives neither home coordinates nor home region keeps an unknown home (NaN): their
reasons say "not known" rather than a distance made up from their post.
Preferences are undated: they are taken as the person's standing wishes for every row, current
or historical.

Years in a sector count appraisal years in that sector plus, for the sector of the earliest
appraisal known, the service from CPNS start to that appraisal's year: an export's appraisal
history starts somewhere, and without that the experience of long-serving people would grow
with the calendar. With no appraisal known before as_of (the history starts later, or the
person is new), the service from CPNS start to 1 January of as_of's year counts in the sector
of the post held at as_of, so a veteran moved in the history's first year is not a novice.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np
import pandas as pd

from models.contract.enums import EDUCATION_ORDINAL, GOLONGAN_ORDINAL, EmploymentType, MaritalStatus
from models.contract.tables import AgencyData
from models.features.catalog import Catalog, normalise_field, ordinal
from models.features.competencies import competency_state
from models.features.events import (
    performance_state,
    preference_table,
    transfer_state,
    year_of,
)
from models.features.geo import coordinates_with_fallback
from models.features.leavers import STAND_IN_ATTRIBUTES, stand_in_colleagues
from models.features.nip import nip_facts

DAYS_PER_YEAR = 365.25
YEARS_PER_RANK_STEP = 4.0


@dataclass(frozen=True)
class EmployeeState:
    """Per-row employee arrays as of each row's date (row i is rows.iloc[i])."""

    position: np.ndarray  # catalog position code at as_of, -1 unknown
    tenure_years: np.ndarray
    age_years: np.ndarray
    gender: np.ndarray  # "L" / "P" / "" from the NIP
    recent_rating_mean: np.ndarray
    rating_trend: np.ndarray
    last_score: np.ndarray
    recent_score_mean: np.ndarray  # mean SKP score of the last three appraisal years
    career_rating_mean: np.ndarray  # mean SKP rating of every appraisal year before as_of
    skp_vs_peers: np.ndarray  # SKP relative to same-year, same-experience peers, shrunk
    sector_years: np.ndarray  # (rows, sectors) appraisal years per sector
    competency_level: np.ndarray  # (rows, competencies), NaN where never assessed nor trained
    assessed: np.ndarray  # bool: any competency assessed before as_of
    recent_trainings: np.ndarray  # (rows, competencies) trainings in the last two years
    past_moves: np.ndarray
    past_resistance: np.ndarray
    past_post_move_mean: np.ndarray
    home_lat: np.ndarray
    home_lon: np.ndarray
    education: np.ndarray  # ordinal, NaN unknown
    field: np.ndarray  # catalog field code, -1 unknown
    married: np.ndarray
    children: np.ndarray
    talent_box: np.ndarray
    rank: np.ndarray  # golongan ordinal at as_of (approximation), NaN unknown / pppk
    pppk: np.ndarray  # bool
    on_hold: np.ndarray  # bool (current only: used by the policy, not a feature)
    pref_codes: np.ndarray  # (rows, k) stated preference value codes, -1 padding
    pref_priority: np.ndarray  # (rows, k) their priorities (1 = first choice)

    def with_competencies(
        self, competency_level: np.ndarray, recent_trainings: np.ndarray
    ) -> EmployeeState:
        """A copy whose competency levels and recent-training counts are replaced."""
        return replace(self, competency_level=competency_level, recent_trainings=recent_trainings)

    def take(self, rows: np.ndarray) -> EmployeeState:
        """The state of `rows` only (row i of the copy is row rows[i] here)."""
        return replace(self, **{f.name: getattr(self, f.name)[rows] for f in fields(self)})


def snapshot_date(data: AgencyData) -> np.datetime64:
    """The date the employees table describes: its latest position_start (NaT when empty)."""
    latest = data.employees["position_start"].max()
    return np.datetime64(latest, "ns") if pd.notna(latest) else np.datetime64("NaT", "ns")


def _years(later: np.ndarray, earlier: np.ndarray) -> np.ndarray:
    return (later - earlier) / np.timedelta64(1, "D") / DAYS_PER_YEAR


def _employee_columns(emp: pd.DataFrame, catalog: Catalog) -> dict[str, np.ndarray]:
    """Snapshot attributes as typed arrays, one entry per employees.csv row."""
    home_lat, home_lon = coordinates_with_fallback(
        emp["home_lat"], emp["home_lon"], emp["home_region_code"], centroids=catalog.centroids
    )
    marital = emp["marital_status"].astype("string")
    field = normalise_field(emp["education_field"]).fillna("\x00")
    return {
        "home_lat": home_lat,
        "home_lon": home_lon,
        "education": ordinal(emp["education_level"], EDUCATION_ORDINAL),
        "field": catalog.fields.get_indexer(pd.Index(field)),
        "married": np.where(
            marital.isna(),
            np.nan,
            (marital == MaritalStatus.MARRIED).fillna(False).to_numpy(bool) * 1.0,
        ),
        "children": emp["children"].to_numpy(dtype=float, na_value=np.nan),
        "talent_box": emp["talent_box"].to_numpy(dtype=float, na_value=np.nan),
        "rank_now": ordinal(emp["rank"], GOLONGAN_ORDINAL),
        "pppk": (emp["employment_type"] == EmploymentType.PPPK).to_numpy(bool, na_value=False),
        "on_hold": (emp["on_hold"].astype("string").str.strip().fillna("") != "").to_numpy(bool),
        "snap_pos": catalog.position_codes(emp["position_id"]),
        "snap_start": emp["position_start"].to_numpy("datetime64[ns]"),
        "service_start": emp["service_start"].to_numpy("datetime64[ns]"),
    }


_UNKNOWN: dict[str, object] = {"field": -1, "snap_pos": -1, "pppk": False, "on_hold": False}


def _rows_of(
    columns: dict[str, np.ndarray], index: np.ndarray, names: tuple[str, ...] | None = None
) -> dict[str, np.ndarray]:
    """columns[name][index] per row; unknown (NaN, NaT, -1, False) where index is -1."""
    known = index >= 0
    out = {}
    for name in columns if names is None else names:
        values = columns[name]
        fill = _UNKNOWN.get(name, np.datetime64("NaT") if values.dtype.kind == "M" else np.nan)
        column = np.full(len(index), fill, dtype=values.dtype)
        column[known] = values[index[known]]
        out[name] = column
    return out


def _position_and_tenure(
    attrs: dict[str, np.ndarray],
    moves: dict[str, np.ndarray],
    *,
    from_pos: np.ndarray,
    last_perf_pos: np.ndarray,
    as_of: np.ndarray,
    service_start: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Position held at as_of and years in it, from history dated before as_of only."""
    snap_valid = (attrs["snap_pos"] >= 0) & (attrs["snap_start"] < as_of)
    position = from_pos.copy()
    for candidate, usable in (
        (attrs["snap_pos"], snap_valid),
        (moves["last_move_pos"], moves["last_move_pos"] >= 0),
        (last_perf_pos, last_perf_pos >= 0),
    ):
        fill = (position < 0) & usable
        position[fill] = candidate[fill]
    start = np.where(
        snap_valid & (position == attrs["snap_pos"]),
        attrs["snap_start"],
        np.where(~np.isnat(moves["last_move_date"]), moves["last_move_date"], service_start),
    )
    return position, _years(as_of, start)


def _rank_at(rank_now: np.ndarray, as_of: np.ndarray, snapshot: np.datetime64) -> np.ndarray:
    """Golongan ordinal at as_of: one step down per four years before the snapshot, >= I/a."""
    behind = np.maximum(_years(np.full(len(as_of), snapshot, dtype="datetime64[ns]"), as_of), 0.0)
    return np.maximum(rank_now - np.floor(behind / YEARS_PER_RANK_STEP), 0.0)


def _with_service_before_history(
    sector_years: np.ndarray,
    catalog: Catalog,
    *,
    first_year: np.ndarray,
    first_position: np.ndarray,
    position: np.ndarray,
    as_of: np.ndarray,
    service_start: np.ndarray,
) -> np.ndarray:
    """Appraisal years per sector plus the service before the earliest appraisal known, from
    TMT CPNS to 1 January of that appraisal's year, credited to that appraisal's sector; with
    no appraisal known before as_of, the service from TMT CPNS to 1 January of as_of's year,
    credited to the sector of the post held at as_of.

    The appraisal history of an export starts somewhere (a system's go-live, a cut-off), so
    counting appraisal years alone makes a long-serving person's experience grow with the
    calendar; the service before it is known from service_start (also in the NIP). Both
    credits end where the appraisal count would start (1 January of a year), so a person's
    years do not jump when their first appraisal becomes known.
    """
    known = (first_year >= 0) & (first_position >= 0)
    none_yet = first_year < 0
    credited_post = np.where(known, first_position, np.where(none_yet, position, -1))
    sector = np.where(credited_post >= 0, catalog.pos_sector[np.maximum(credited_post, 0)], -1)
    until_year = np.where(known, first_year, year_of(as_of))
    until = (np.maximum(until_year, 1970) - 1970).astype("datetime64[Y]")
    before = _years(until.astype("datetime64[ns]"), service_start)
    credit = np.flatnonzero((sector >= 0) & ~np.isnan(before) & (before > 0))
    out = sector_years.copy()
    out[credit, sector[credit]] += before[credit]
    return out


def _static_attributes(
    columns: dict[str, np.ndarray],
    stand_in: np.ndarray,
    *,
    as_of: np.ndarray,
    snapshot: np.datetime64,
    left: np.ndarray,
) -> dict[str, np.ndarray]:
    """Education, family and rank of each row's person, or of the colleague standing in for a
    person who left service (models/features/leavers.py); the colleague's rank is taken as it
    is now (they hold the post the leaver held then), a person's own rank stepped back."""
    attrs = _rows_of(columns, stand_in, STAND_IN_ATTRIBUTES)
    rank_then = np.where(left, attrs["rank_now"], _rank_at(attrs["rank_now"], as_of, snapshot))
    return {
        **{k: attrs[k] for k in ("education", "field", "married", "children")},
        "rank": np.where(attrs["pppk"], np.nan, rank_then),
        "pppk": attrs["pppk"],
    }


def _home_where_unknown(
    attrs: dict[str, np.ndarray], catalog: Catalog, *, position: np.ndarray, left: np.ndarray
) -> dict[str, np.ndarray]:
    """Home coordinates; for a person who left service (no home in the export), the centroid
    of the region of the post held at that date, so that an unknown home does not mark the
    people who left later. People in service keep their own (possibly unknown) home."""
    region = np.where(position >= 0, catalog.pos_region[np.maximum(position, 0)], -1)
    names = pd.Series(catalog.regions.to_numpy(dtype=object)[np.maximum(region, 0)])
    post_region = names.where(region >= 0).astype("string")
    lat, lon = coordinates_with_fallback(
        pd.Series(attrs["home_lat"]),
        pd.Series(attrs["home_lon"]),
        post_region,
        centroids=catalog.centroids,
    )
    return {
        "home_lat": np.where(left, lat, attrs["home_lat"]),
        "home_lon": np.where(left, lon, attrs["home_lon"]),
    }


def employee_state(
    data: AgencyData,
    catalog: Catalog,
    rows: pd.DataFrame,
    *,
    post_move: pd.DataFrame | None = None,
) -> EmployeeState:
    """State of rows (nip, as_of[, from_position_id]) from history dated before each as_of.

    `post_move` is `post_move_labels(data)` when the caller already has it (computed if not).
    """
    as_of = rows["as_of"].to_numpy("datetime64[ns]")
    nips = rows["nip"].astype("string").reset_index(drop=True)
    emp_idx = pd.Index(data.employees["nip"].astype("string")).get_indexer(pd.Index(nips))
    columns = _employee_columns(data.employees, catalog)
    attrs = _rows_of(columns, emp_idx)
    facts = nip_facts(nips)
    service_start = np.where(
        np.isnat(attrs["service_start"]), facts["service_start"], attrs["service_start"]
    )
    perf = performance_state(
        data.performance, catalog, nips=nips, as_of=as_of, employees=data.employees
    )
    moves = transfer_state(data, catalog, nips=nips, as_of=as_of, labels=post_move)
    given = (
        rows["from_position_id"] if "from_position_id" in rows else pd.Series([pd.NA] * len(rows))
    )
    position, tenure = _position_and_tenure(
        attrs,
        moves,
        from_pos=catalog.position_codes(given.astype("string")),
        last_perf_pos=perf.pop("last_position"),
        as_of=as_of,
        service_start=service_start,
    )
    sector_years = _with_service_before_history(
        perf.pop("sector_years"),
        catalog,
        first_year=perf.pop("first_year"),
        first_position=perf.pop("first_position"),
        position=position,
        as_of=as_of,
        service_start=service_start,
    )
    left = emp_idx < 0
    born = facts["birth_date"].to_numpy("datetime64[ns]")
    stand_in = np.where(
        left,
        stand_in_colleagues(
            data.employees,
            catalog,
            nips=nips,
            born=born,
            position=position,
            left=left,
        ),
        emp_idx,
    )
    level, recent_trainings, assessed = competency_state(data, catalog, nips=nips, as_of=as_of)
    pref_codes, priority = preference_table(data.preferences, catalog, nips=nips)
    snapshot = snapshot_date(data)
    return EmployeeState(
        position=position,
        tenure_years=tenure,
        age_years=_years(as_of, facts["birth_date"].to_numpy("datetime64[ns]")),
        gender=facts["gender"].to_numpy(dtype=object),
        **perf,
        sector_years=sector_years,
        competency_level=level,
        assessed=assessed,
        recent_trainings=recent_trainings,
        **{k: moves[k] for k in ("past_moves", "past_resistance", "past_post_move_mean")},
        **_home_where_unknown(attrs, catalog, position=position, left=left),
        **_static_attributes(columns, stand_in, as_of=as_of, snapshot=snapshot, left=left),
        talent_box=np.where(as_of >= snapshot, attrs["talent_box"], np.nan),
        on_hold=attrs["on_hold"],
        pref_codes=pref_codes,
        pref_priority=priority,
    )
