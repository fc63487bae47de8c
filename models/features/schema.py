"""The contract of a feature frame (pandera): FEATURE_COLUMNS, float64, NaN for unknown.

Estimators, serving and plans can validate a frame at their boundary with
`FEATURE_SCHEMA.validate(frame)`; the feature tests check every output against it.
"""

from __future__ import annotations

import pandera.pandas as pa

from models.contract.enums import (
    EDUCATION_LEVELS,
    GOLONGAN,
    GRADE_MAX,
    GRADE_MIN,
    LEVEL_MAX,
    TALENT_BOX_MAX,
    TALENT_BOX_MIN,
)
from models.features.pair_logic import FEATURE_COLUMNS

_EDUCATION_SPAN = float(len(EDUCATION_LEVELS) - 1)
_RANK_SPAN = float(len(GOLONGAN) - 1)
_GRADE_SPAN = float(GRADE_MAX - GRADE_MIN)

# Closed ranges a feature's known values must lie in (None: unbounded on that side).
FEATURE_RANGES: dict[str, tuple[float | None, float | None]] = {
    "recent_rating_mean": (1.0, 5.0),
    "last_score": (0.0, 100.0),
    "recent_score_mean": (0.0, 100.0),
    "career_rating_mean": (1.0, 5.0),
    "skp_vs_peers": (-4.0, 4.0),  # residuals of values on the 1-5 scale, shrunk toward 0
    "years_in_target_sector": (0.0, None),
    "sector_change": (0.0, 1.0),
    "competency_shortfall": (0.0, None),
    "competency_gap_count": (0.0, None),
    "recent_relevant_trainings": (0.0, None),
    "education_level_gap": (-_EDUCATION_SPAN, _EDUCATION_SPAN),
    "education_field_match": (-1.0, 1.0),
    "grade_step": (-_GRADE_SPAN, _GRADE_SPAN),
    "rank_headroom": (-_RANK_SPAN, _RANK_SPAN),
    "distance_home_km": (0.0, None),
    "distance_move_km": (0.0, None),
    "married": (0.0, 1.0),
    "children": (0.0, None),
    "preference_match": (0.0, 1.0),
    "unrequested_sector": (0.0, 1.0),
    "past_moves": (0.0, None),
    "past_resistance": (0.0, None),
    "past_post_move_mean": (1.0, float(LEVEL_MAX)),
    "initiated_by_employee": (0.0, 1.0),
    "talent_box": (float(TALENT_BOX_MIN), float(TALENT_BOX_MAX)),
}


def _column(name: str) -> pa.Column:
    low, high = FEATURE_RANGES.get(name, (None, None))
    checks = []
    if low is not None:
        checks.append(pa.Check.ge(low, ignore_na=True))
    if high is not None:
        checks.append(pa.Check.le(high, ignore_na=True))
    return pa.Column("float64", checks=checks, nullable=True)


FEATURE_SCHEMA = pa.DataFrameSchema(
    {name: _column(name) for name in FEATURE_COLUMNS}, strict=False, ordered=False
)
