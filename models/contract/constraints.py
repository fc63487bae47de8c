"""The contract's declarative constraints per table: unique keys, foreign keys, enums, ranges.

`models/contract/checks.py` turns them into rules; keep them here as data so that a reader sees
the whole contract on one screen.
"""

from __future__ import annotations

from typing import Final

from models.contract.enums import (
    EDUCATION_LEVELS,
    GOLONGAN,
    GRADE_MAX,
    GRADE_MIN,
    LEVEL_MAX,
    LEVEL_MIN,
    TALENT_BOX_MAX,
    TALENT_BOX_MIN,
    EmploymentType,
    Gender,
    InitiatedBy,
    JobType,
    MaritalStatus,
    PreferenceKind,
    Resistance,
    SkpRating,
    Table,
)

# Keys that must be unique, per table.
UNIQUE_KEYS: Final[dict[Table, tuple[str, ...]]] = {
    Table.UNITS: ("unit_id",),
    Table.POSITIONS: ("position_id",),
    Table.EMPLOYEES: ("nip",),
    Table.TRANSFERS: ("transfer_id",),
    Table.TRAININGS: ("training_id",),
    Table.POSITION_COMPETENCIES: ("position_id", "competency"),
}

# (child table, column, parent table, parent key). The NIPs and positions of history tables are
# absent on purpose: they may name people who left and positions that were merged (counted in
# the ingest report, see HISTORY_TABLES).
FOREIGN_KEYS: Final[tuple[tuple[Table, str, Table, str], ...]] = (
    (Table.POSITIONS, "unit_id", Table.UNITS, "unit_id"),
    (Table.EMPLOYEES, "position_id", Table.POSITIONS, "position_id"),
    (Table.POSITION_COMPETENCIES, "position_id", Table.POSITIONS, "position_id"),
    (Table.TRAINING_HISTORY, "training_id", Table.TRAININGS, "training_id"),
)

# Tables of a person's history: kept whole, also for people no longer in employees.csv.
HISTORY_TABLES: Final[tuple[Table, ...]] = (
    Table.PERFORMANCE,
    Table.TRANSFERS,
    Table.COMPETENCIES,
    Table.TRAINING_HISTORY,
    Table.PREFERENCES,
)

ENUMS: Final[dict[Table, dict[str, tuple[str, ...]]]] = {
    Table.POSITIONS: {
        "job_type": tuple(JobType),
        "min_rank": GOLONGAN,
        "min_education": EDUCATION_LEVELS,
    },
    Table.EMPLOYEES: {
        "gender": tuple(Gender),
        "employment_type": tuple(EmploymentType),
        "rank": GOLONGAN,
        "education_level": EDUCATION_LEVELS,
        "marital_status": tuple(MaritalStatus),
    },
    Table.PERFORMANCE: {"rating": tuple(SkpRating)},
    Table.TRANSFERS: {"resistance": tuple(Resistance), "initiated_by": tuple(InitiatedBy)},
    Table.PREFERENCES: {"kind": tuple(PreferenceKind)},
}

# Inclusive numeric ranges: (low, high); None leaves a side open.
RANGES: Final[dict[Table, dict[str, tuple[float | None, float | None]]]] = {
    Table.UNITS: {"lat": (-90, 90), "lon": (-180, 180)},
    Table.POSITIONS: {
        "grade": (GRADE_MIN, GRADE_MAX),
        "required_headcount": (0, None),
        "workload_hours": (0, None),
    },
    Table.EMPLOYEES: {
        "home_lat": (-90, 90),
        "home_lon": (-180, 180),
        "children": (0, None),
        "talent_box": (TALENT_BOX_MIN, TALENT_BOX_MAX),
    },
    Table.PERFORMANCE: {"score": (0, 100)},
    Table.COMPETENCIES: {"level": (LEVEL_MIN, LEVEL_MAX)},
    Table.POSITION_COMPETENCIES: {"required_level": (LEVEL_MIN, LEVEL_MAX)},
    Table.TRAININGS: {"hours": (0, None), "level_gain": (0, LEVEL_MAX)},
    Table.PREFERENCES: {"priority": (1, None)},
}

COMPETENCY_COLUMNS: Final[dict[Table, str]] = {
    Table.COMPETENCIES: "competency",
    Table.POSITION_COMPETENCIES: "competency",
    Table.TRAININGS: "competency",
}
