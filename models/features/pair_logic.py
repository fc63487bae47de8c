"""THE pair-feature computation: one function for training, evaluation and serving.

`pair_feature_arrays` combines employee state (models/features/history.py) with the position side
(models/features/catalog.py) by integer gathers: emp_idx[i] selects a row of the state, pos_idx[i] a
position of the catalog. transfer_examples, pair_features_at and the serving-time
FeatureContext all call it, so the features a model is trained on and the features it is
served cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from models.contract.enums import LEVEL_MAX, LEVEL_MIN
from models.features.catalog import Catalog
from models.features.events import preference_offsets
from models.features.geo import haversine_km
from models.features.history import EmployeeState

# Merit system (UU 20/2023): gender is never a feature, and age enters only as the years left
# to the retirement age of the post held (and through the policy's retirement rule).
FEATURE_COLUMNS: tuple[str, ...] = (
    "recent_rating_mean",
    "rating_trend",
    "last_score",
    "recent_score_mean",
    "career_rating_mean",
    "skp_vs_peers",
    "years_in_target_sector",
    "sector_change",
    "competency_shortfall",
    "competency_gap_count",
    "recent_relevant_trainings",
    "education_level_gap",
    "education_field_match",
    "grade_step",
    "rank_headroom",
    "distance_home_km",
    "distance_move_km",
    "married",
    "children",
    "years_to_retirement",
    "tenure_years",
    "preference_match",
    "unrequested_sector",
    "past_moves",
    "past_resistance",
    "past_post_move_mean",
    "initiated_by_employee",
    "talent_box",
)


# Features of the person alone, gathered straight from the state rows.
PERSON_FEATURES: tuple[str, ...] = (
    "recent_rating_mean",
    "rating_trend",
    "last_score",
    "recent_score_mean",
    "career_rating_mean",
    "skp_vs_peers",
    "married",
    "children",
    "tenure_years",
    "past_moves",
    "past_resistance",
    "past_post_move_mean",
    "talent_box",
)


def _gather(values: np.ndarray, index: np.ndarray, *, valid: np.ndarray, fill: float) -> np.ndarray:
    """values[index] where valid, else fill (index may hold -1 for unknown)."""
    return np.where(valid, values[np.where(valid, index, 0)], fill)


def _competency_features(
    catalog: Catalog,
    state: EmployeeState,
    *,
    e: np.ndarray,
    p: np.ndarray,
    levels: np.ndarray | None,
    trainings: np.ndarray | None,
) -> dict[str, np.ndarray]:
    """Shortfall against the target's standard; unassessed competencies count as level 1.

    Only the competencies some target position requires are gathered (serving asks for one
    position over many candidates, so that is a handful of columns).
    """
    targets = np.zeros(len(catalog.pos_required), dtype=bool)
    targets[p] = True
    asked = np.flatnonzero(catalog.pos_required[targets].max(axis=0, initial=0.0) > 0)
    # every competency asked (random pairs, a whole round): no column gather at all
    columns = slice(None) if len(asked) == catalog.pos_required.shape[1] else asked
    required = catalog.pos_required[:, columns].take(p, axis=0)
    level = (state.competency_level.take(e, axis=0) if levels is None else levels)[:, columns]
    done = (state.recent_trainings.take(e, axis=0) if trainings is None else trainings)[:, columns]
    needed = required > 0
    shortfall = np.fmax(level, LEVEL_MIN)  # a new array: `level` may be the caller's
    np.subtract(required, shortfall, out=shortfall)
    np.maximum(shortfall, 0.0, out=shortfall)
    np.copyto(shortfall, 0.0, where=~needed)
    standard = catalog.pos_has_standard[p]
    known = standard & state.assessed[e]
    return {
        "competency_shortfall": np.where(known, shortfall.sum(axis=1), np.nan),
        "competency_gap_count": np.where(known, (shortfall > 0).sum(axis=1), np.nan),
        "recent_relevant_trainings": np.where(standard, (done * needed).sum(axis=1), np.nan),
    }


def _preference_features(
    catalog: Catalog, state: EmployeeState, *, e: np.ndarray, p: np.ndarray
) -> dict[str, np.ndarray]:
    """preference_match: 1/priority of the best stated wish the target meets (0 none, NaN
    nothing stated); unrequested_sector: 1 when the person named sectors and the target's is
    not one of them, 0 when it is, NaN when no sector was named."""
    offsets = preference_offsets(catalog)
    # One stated wish (a column of the state's few) at a time: whole-column operations instead
    # of reductions along rows of a handful of values (the same maxima and any-s, faster).
    codes = state.pref_codes.take(e, axis=0).T
    weight = np.where(codes >= 0, 1.0 / np.maximum(state.pref_priority.take(e, axis=0).T, 1.0), 0.0)
    best, sector_hit = np.zeros(len(e)), np.zeros(len(e), dtype=bool)
    for kind, targets in (
        ("unit", catalog.pos_unit),
        ("sector", catalog.pos_sector),
        ("region", catalog.pos_region),
    ):
        target = np.where(targets[p] >= 0, targets[p] + offsets[kind], -2)
        for wish, wish_weight in zip(codes, weight, strict=True):
            hit = wish == target
            best = np.maximum(best, hit * wish_weight)
            if kind == "sector":
                sector_hit |= hit
    named = ((codes >= offsets["sector"]) & (codes < offsets["region"])).any(axis=0)
    return {
        "preference_match": np.where((codes >= 0).any(axis=0), best, np.nan),
        "unrequested_sector": np.where(named, (~sector_hit) * 1.0, np.nan),
    }


def field_match(catalog: Catalog, field: np.ndarray, p: np.ndarray) -> np.ndarray:
    """+1 the post lists majors and accepts the person's, -1 it does not, 0 it lists none."""
    keys = catalog.pos_field_keys
    accepted = np.zeros(len(p), dtype=bool)
    if len(keys):
        wanted = p.astype(np.int64) * max(len(catalog.fields), 1) + field
        at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
        accepted = (keys[at] == wanted) & (field >= 0)
    any_field = catalog.pos_any_field[p]
    match = np.where(any_field, 0.0, np.where(accepted, 1.0, -1.0))
    return np.where(any_field | (field >= 0), match, np.nan)


def _move_features(
    catalog: Catalog, state: EmployeeState, *, e: np.ndarray, p: np.ndarray, valid: np.ndarray
) -> dict[str, np.ndarray]:
    """The move itself, from the post held at as_of to the target: sector, grade, distance;
    and years to retirement, which depend on the post held."""
    current = _gather(state.position, e, valid=valid, fill=-1).astype(np.int64)
    has_current = current >= 0
    c = np.where(has_current, current, 0)
    target_sector = catalog.pos_sector[p]
    current_sector = np.where(has_current, catalog.pos_sector[c], -1)
    sector_known = (target_sector >= 0) & valid
    return {
        "years_in_target_sector": np.where(
            sector_known, state.sector_years[e, np.maximum(target_sector, 0)], np.nan
        ),
        "sector_change": np.where(
            sector_known & (current_sector >= 0), (target_sector != current_sector) * 1.0, np.nan
        ),
        "grade_step": catalog.pos_grade[p] - np.where(has_current, catalog.pos_grade[c], np.nan),
        # Retirement as the person stands: the BUP of the post held (the target's if unknown).
        "years_to_retirement": np.where(
            has_current, catalog.pos_retirement_age[c], catalog.pos_retirement_age[p]
        )
        - state.age_years[e],
        "distance_move_km": haversine_km(
            np.where(has_current, catalog.pos_lat[c], np.nan),
            np.where(has_current, catalog.pos_lon[c], np.nan),
            catalog.pos_lat[p],
            catalog.pos_lon[p],
        ),
    }


def pair_feature_arrays(
    catalog: Catalog,
    state: EmployeeState,
    emp_idx: np.ndarray,
    pos_idx: np.ndarray,
    *,
    initiated_by_employee: np.ndarray | None = None,
    levels: np.ndarray | None = None,
    trainings: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Feature arrays for pairs (state row emp_idx[i], position pos_idx[i]); -1 gives NaN.

    `initiated_by_employee` defaults to 0 (the agency proposes the move, as in shortlists,
    plans and draft decrees). `levels` / `trainings` (pairs x competencies) override the
    gathered competency levels and recent-training counts, for "as if trained" scenarios.
    """
    valid = (emp_idx >= 0) & (pos_idx >= 0)
    e, p = np.where(valid, emp_idx, 0), np.where(valid, pos_idx, 0)
    person = {name: getattr(state, name)[e] for name in PERSON_FEATURES}
    features = {
        **person,
        **_move_features(catalog, state, e=e, p=p, valid=valid),
        **_competency_features(catalog, state, e=e, p=p, levels=levels, trainings=trainings),
        "education_level_gap": state.education[e] - catalog.pos_min_education[p],
        "education_field_match": field_match(catalog, state.field[e], p),
        "rank_headroom": state.rank[e] - catalog.pos_min_rank[p],
        "distance_home_km": haversine_km(
            state.home_lat[e], state.home_lon[e], catalog.pos_lat[p], catalog.pos_lon[p]
        ),
        **_preference_features(catalog, state, e=e, p=p),
        "initiated_by_employee": np.zeros(len(e))
        if initiated_by_employee is None
        else np.asarray(initiated_by_employee, dtype=float),
    }
    if valid.all():
        return {name: np.asarray(features[name], dtype=float) for name in FEATURE_COLUMNS}
    return {name: np.where(valid, features[name], np.nan) for name in FEATURE_COLUMNS}


def feature_matrix(arrays: dict[str, np.ndarray], columns: Sequence[str]) -> np.ndarray:
    """The arrays as one float64 C-ordered matrix (pairs x columns, in `columns` order): what a
    booster walks row by row, built without a DataFrame (and so without pandas' column-major
    block and the row-major copy a model would take of it)."""
    missing = [name for name in columns if name not in arrays]
    if missing:
        raise ValueError(f"feature columns missing: {missing}")
    n = len(arrays[FEATURE_COLUMNS[0]])
    matrix = np.empty((n, len(columns)), dtype=np.float64)
    for j, name in enumerate(columns):
        matrix[:, j] = arrays[name]
    return matrix


def apply_trainings(
    level: np.ndarray, recent: np.ndarray, *, competency: np.ndarray, gain: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """One employee's level row and recent-training row after completing trainings.

    Each training raises its competency by level_gain (from level 1 when never assessed), capped
    at 5, and counts as a training completed in the last two years.
    """
    level, recent = level.copy(), recent.copy()
    for comp, step in zip(competency, gain, strict=True):
        if comp < 0:
            continue
        base = LEVEL_MIN if np.isnan(level[comp]) else level[comp]
        level[comp] = min(base + step, LEVEL_MAX)
        recent[comp] += 1.0
    return level, recent
