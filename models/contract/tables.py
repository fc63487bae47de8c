"""The in-memory form of one agency export: typed frames, one per contract table.

Ingest (pipelines/) reads files, validates them against models/contract/schemas.py and coerces them
to the canonical dtypes below; everything downstream (features, policy, plans, serving) takes an
`AgencyData` and can rely on those dtypes:

- identifiers, enums and free text: pandas string dtype (`"string"`), missing as `pd.NA`;
- dates: `datetime64[ns]`, missing as `NaT`;
- required integers: `int64`; optional integers and all floats: `float64` with `NaN` for missing.

Optional tables that an agency did not export are present as empty frames with their columns.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Literal

import pandas as pd

from models.contract.enums import Table, all_columns

Kind = Literal["string", "date", "int", "float"]

# Canonical kind of every contract column that is not a string.
_NON_STRING: dict[Table, dict[str, Kind]] = {
    Table.UNITS: {"lat": "float", "lon": "float"},
    Table.POSITIONS: {"grade": "int", "required_headcount": "int", "workload_hours": "float"},
    Table.EMPLOYEES: {
        "birth_date": "date",
        "position_start": "date",
        "service_start": "date",
        "home_lat": "float",
        "home_lon": "float",
        "children": "float",
        "talent_box": "float",
    },
    Table.PERFORMANCE: {"year": "int", "score": "float"},
    Table.COMPETENCIES: {"level": "int", "assessed_on": "date"},
    Table.POSITION_COMPETENCIES: {"required_level": "int"},
    Table.TRAININGS: {"hours": "float", "level_gain": "float"},
    Table.TRAINING_HISTORY: {"completed_on": "date"},
    Table.TRANSFERS: {"decree_date": "date", "effective_date": "date"},
    Table.PREFERENCES: {"priority": "int"},
}

_PANDAS_DTYPE: dict[Kind, str] = {
    "string": "string",
    "date": "datetime64[ns]",
    "int": "int64",
    "float": "float64",
}


def column_kind(table: Table, column: str) -> Kind:
    """The canonical kind of a contract column."""
    return _NON_STRING[table].get(column, "string")


def column_dtypes(table: Table) -> dict[str, str]:
    """pandas dtype of every contract column of a table."""
    return {c: _PANDAS_DTYPE[column_kind(table, c)] for c in all_columns(table)}


def empty_table(table: Table) -> pd.DataFrame:
    """A zero-row frame with the table's contract columns and canonical dtypes."""
    return pd.DataFrame({c: pd.Series(dtype=d) for c, d in column_dtypes(table).items()})


@dataclass(frozen=True)
class AgencyData:
    """One validated agency export. Frames are treated as read-only by every consumer."""

    units: pd.DataFrame
    positions: pd.DataFrame
    employees: pd.DataFrame
    performance: pd.DataFrame
    transfers: pd.DataFrame
    competencies: pd.DataFrame
    position_competencies: pd.DataFrame
    trainings: pd.DataFrame
    training_history: pd.DataFrame
    preferences: pd.DataFrame

    @classmethod
    def from_frames(cls, frames: Mapping[Table | str, pd.DataFrame]) -> AgencyData:
        """Build from frames keyed by table; absent optional tables become empty frames."""
        by_name = {Table(k): v for k, v in frames.items()}
        return cls(
            **{f.name: by_name.get(Table(f.name), empty_table(Table(f.name))) for f in fields(cls)}
        )

    def table(self, table: Table) -> pd.DataFrame:
        frame: pd.DataFrame = getattr(self, table.value)
        return frame

    def frames(self) -> dict[Table, pd.DataFrame]:
        return {Table(f.name): getattr(self, f.name) for f in fields(self)}
