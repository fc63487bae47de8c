"""What the service serves: one immutable `LoadedState`, swapped atomically by `StateHolder`.

A request reads `holder.require()` once and uses that object to the end, so a reload that swaps
in a new state never changes what a running request sees, and no request fails during a swap.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
import pandas as pd

from models.contract.tables import AgencyData
from models.features.build import FeatureContext
from models.planning.training_plan import TrainingPlanner
from models.scoring.explain import RiskBands
from models.scoring.fairness import GroupCodes
from models.scoring.policy import PolicyConfig
from pipelines.registry import LoadedBundle
from serving.errors import ConflictError, NotReadyError


@dataclass(frozen=True)
class Lookups:
    """Per-snapshot frames indexed for O(1) lookups in requests (built once at load)."""

    employees: pd.DataFrame  # index nip; with unit_id, sector, region_code of the current post
    positions: pd.DataFrame  # index position_id; with unit name, sector, region_code
    performance: pd.DataFrame  # index nip (sorted): year, rating, score, position_id
    # positions' title and unit_name as str object arrays in row order, "-" where missing (the
    # risk route writes them for 10,000 rows at a time)
    position_titles: np.ndarray
    position_units: np.ndarray
    # row of each nip and position_id in employees and positions: a dict lookup per id is ~2x
    # faster than pandas' get_indexer on 10,000 fresh strings
    employee_rows: Mapping[str, int]
    position_rows: Mapping[str, int]


# The columns of a person a shortlist shows (serving/routers/shortlist.py), cached as arrays.
PERSON_COLUMNS: tuple[str, ...] = (
    "name",
    "position_id",
    "position_title",
    "unit_id",
    "unit_name",
    "sector",
    "region_code",
    "rank",
)


@dataclass(frozen=True)
class CandidateIndex:
    """`Lookups.employees` as arrays in its row order, built once at load.

    A shortlist filters and gathers by row instead of hashing 10,000-100,000 NIP strings per
    request: row i is employee nips[i], at FeatureContext state row context_rows[i].
    """

    nips: np.ndarray  # object
    context_rows: np.ndarray  # FeatureContext state row (-1: not in service)
    position_rows: np.ndarray  # row of the current post in Lookups.positions (-1: unknown)
    people: Mapping[str, np.ndarray]  # PERSON_COLUMNS as object arrays
    groups: GroupCodes  # gender and age band of every context row, for the fairness audit


@dataclass(frozen=True)
class LoadedState:
    """A champion bundle, a snapshot and what is built from them, loaded and smoke-tested.

    Everything derived from one model and one snapshot lives here (features, lookups, the
    training planner), so a reload swaps all of it at once and drops the old together.
    """

    model_version: str
    snapshot_id: str
    as_of: date
    loaded_at: datetime
    bundle: LoadedBundle  # scorer, version, training snapshot_id, metrics
    data: AgencyData
    context: FeatureContext  # built as of `as_of`
    lookups: Lookups
    candidates: CandidateIndex  # built from lookups and context
    policy: PolicyConfig
    planner: TrainingPlanner  # pre-transfer training, realised gains estimated at load
    bands: RiskBands = field(default_factory=RiskBands)  # risk in words: rendah/sedang/tinggi


class StateHolder:
    """Holds the current state (or why there is none) and serialises reloads."""

    def __init__(self) -> None:
        self._state: LoadedState | None = None
        self._reason = "Model dan data belum dimuat / Models and data not loaded yet"
        self._reload_lock = threading.Lock()
        self.generation = 0  # the last reload (serving/reloads.py) this process has followed

    @property
    def state(self) -> LoadedState | None:
        return self._state

    @property
    def reason(self) -> str | None:
        return None if self._state is not None else self._reason

    def require(self) -> LoadedState:
        """The current state, or a 503 saying why there is none."""
        state = self._state
        if state is None:
            raise NotReadyError(f"Layanan belum siap / Service not ready: {self._reason}")
        return state

    def swap(self, state: LoadedState) -> LoadedState | None:
        """Install a new state (one reference assignment: atomic); return the previous one."""
        previous, self._state = self._state, state
        return previous

    def record_failure(self, reason: str) -> None:
        self._reason = reason

    def reload_lock(self) -> threading.Lock:
        return self._reload_lock

    def try_reload_lock(self) -> threading.Lock:
        """The reload lock, acquired; 409 when another reload is running."""
        if not self._reload_lock.acquire(blocking=False):
            raise ConflictError("Pemuatan ulang sedang berjalan / A reload is already running")
        return self._reload_lock
